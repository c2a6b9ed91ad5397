//! Geotrek API v2 pages of places (`{"results": [...]}`): points of interest
//! (`/api/v2/poi`) and information desks (`/api/v2/informationdesk`), with their texts in
//! French and English.
//!
//! POI kinds come from the type's French label (`type_label`):
//!
//! | label contains | kind |
//! |---|---|
//! | `faune` | Fauna |
//! | `flore` | Flora |
//! | `point de vue`, `sommet`, `col`, `lac`, `glacier`, `cascade`, `geologie` | Viewpoint |
//! | `refuge`, `gite`, `hebergement` | Lodging |
//! | `barre attache`, `eau`, `parking` | Practical |
//! | anything else (archaeology, architecture, history, small heritage, know-how…) | Heritage |
//!
//! Information desks are Practical places. Unpublished records are skipped, not
//! rejected. Other Geotrek pages (tourist contents, whose categories are ids of another
//! page; services, which have no name) are refused with that reason.

use super::{Place, english, point};
use crate::report::Rejection;
use crate::stream::Sink;
use balade_core::PoiKind;
use balade_core::text::{fold, plain_text};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// Whether `doc` is a Geotrek API page.
pub fn is_geotrek(doc: &Value) -> bool {
    doc.get("results").is_some_and(Value::is_array)
}

/// What a page holds, from its first record.
enum Page {
    Pois,
    Desks,
}

/// Reads the places of a Geotrek API v2 page already parsed.
pub fn read_value(path: &Path, doc: &Value, sink: &mut dyn Sink<Place>) -> Result<(), Rejection> {
    let results = doc
        .get("results")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let Some(first) = results.first() else {
        return Ok(());
    };
    let page = if first.get("type_label").is_some() {
        Page::Pois
    } else if first.get("latitude").is_some() && first.get("municipality").is_some() {
        Page::Desks
    } else {
        return Err(Rejection::file(
            path,
            "a Geotrek page of neither POIs (`type_label`) nor information desks: tourist contents \
             name their category by the id of another page and services have no name",
        ));
    };
    for (i, record) in results.iter().enumerate() {
        let read = match page {
            Page::Pois => poi(record),
            Page::Desks => desk(record),
        };
        let go_on = match read {
            Ok(Some(place)) => sink.record(place),
            Ok(None) => true,
            Err((field, reason)) => {
                let id = record
                    .get("id")
                    .map_or_else(|| format!("record {}", i + 1), |v| format!("geotrek {v}"));
                sink.reject(super::element_rejection(
                    path,
                    None,
                    format!("{id}: {field}"),
                    reason,
                ))
            }
        };
        if !go_on {
            break;
        }
    }
    Ok(())
}

type Fault = (&'static str, String);

/// A multilingual field's text in `lang` (`{"fr": …, "en": …}`), as plain text.
fn text_in(record: &Value, key: &str, lang: &str) -> Option<String> {
    record
        .get(key)?
        .get(lang)
        .and_then(Value::as_str)
        .map(plain_text)
        .filter(|t| !t.is_empty())
}

fn key_of(record: &Value) -> Result<String, Fault> {
    record
        .get("uuid")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| record.get("id").map(Value::to_string))
        .ok_or(("uuid", "missing".to_owned()))
}

/// Whether the record is published in French (a boolean, or one per language).
fn published(record: &Value) -> bool {
    match record.get("published") {
        Some(Value::Bool(b)) => *b,
        Some(Value::Object(m)) => m.get("fr").and_then(Value::as_bool).unwrap_or(true),
        _ => true,
    }
}

fn poi_kind(label: &str) -> PoiKind {
    // Whole words only: "col" is a pass, not the start of "colombier".
    let words: String = fold(label)
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let padded = format!(
        " {} ",
        words.split_whitespace().collect::<Vec<_>>().join(" ")
    );
    let has = |terms: &[&str]| terms.iter().any(|t| padded.contains(&format!(" {t} ")));
    if has(&["faune"]) {
        PoiKind::Fauna
    } else if has(&["flore"]) {
        PoiKind::Flora
    } else if has(&[
        "point de vue",
        "sommet",
        "col",
        "lac",
        "glacier",
        "cascade",
        "geologie",
    ]) {
        PoiKind::Viewpoint
    } else if has(&["refuge", "gite", "hebergement"]) {
        PoiKind::Lodging
    } else if has(&["barre attache", "eau", "parking"]) {
        PoiKind::Practical
    } else {
        PoiKind::Heritage
    }
}

fn poi(record: &Value) -> Result<Option<Place>, Fault> {
    if !published(record) {
        return Ok(None);
    }
    let key = key_of(record)?;
    let label = text_in(record, "type_label", "fr").unwrap_or_default();
    let name = text_in(record, "name", "fr")
        .or_else(|| text_in(record, "name", "en"))
        .ok_or(("name", "missing".to_owned()))?;
    let coords = record
        .get("geometry")
        .filter(|g| g.get("type").and_then(Value::as_str) == Some("Point"))
        .and_then(|g| g.get("coordinates"))
        .and_then(Value::as_array)
        .ok_or(("geometry", "not a Point".to_owned()))?;
    let (lon, lat) = match coords.as_slice() {
        [lon, lat, ..] => lon
            .as_f64()
            .zip(lat.as_f64())
            .ok_or(("geometry", "coordinates are not numbers".to_owned()))?,
        _ => return Err(("geometry", "fewer than two coordinates".to_owned())),
    };
    let pos = point(lon, lat).map_err(|(_, reason)| ("geometry", reason))?;
    let mut provenance = BTreeMap::new();
    provenance.insert("uuid".to_owned(), key.clone());
    provenance.insert("type_label".to_owned(), label.clone());
    Ok(Some(Place {
        key: format!("geotrek:poi:{key}"),
        kind: poi_kind(&label),
        name,
        description: text_in(record, "description", "fr").unwrap_or_default(),
        pos,
        opening_hours: None,
        phone: None,
        website: None,
        wheelchair: None,
        commune: None,
        provenance,
        translations: english(
            text_in(record, "name", "en"),
            text_in(record, "description", "en"),
        ),
    }))
}

fn desk(record: &Value) -> Result<Option<Place>, Fault> {
    let key = key_of(record)?;
    let name = text_in(record, "name", "fr")
        .or_else(|| text_in(record, "name", "en"))
        .ok_or(("name", "missing".to_owned()))?;
    let number = |k: &'static str| {
        record
            .get(k)
            .and_then(Value::as_f64)
            .ok_or((k, "missing or not a number".to_owned()))
    };
    let pos = point(number("longitude")?, number("latitude")?).map_err(|(field, reason)| {
        (
            if field == "lon" {
                "longitude"
            } else {
                "latitude"
            },
            reason,
        )
    })?;
    let text = |k: &str| {
        record
            .get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    let mut provenance = BTreeMap::new();
    provenance.insert("uuid".to_owned(), key.clone());
    Ok(Some(Place {
        key: format!("geotrek:desk:{key}"),
        kind: PoiKind::Practical,
        name,
        description: text_in(record, "description", "fr").unwrap_or_default(),
        pos,
        opening_hours: None,
        phone: text("phone"),
        website: text("website"),
        wheelchair: None,
        commune: text("municipality"),
        provenance,
        translations: english(
            text_in(record, "name", "en"),
            text_in(record, "description", "en"),
        ),
    }))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{data, near, place, read_all};
    use super::*;

    #[test]
    fn geotrek_pois_with_their_english_texts() {
        let sink = read_all(&data(
            "trails/geotrek-admin/trekking/geotrek_parser_v2/poi.json",
        ))
        .unwrap();
        assert_eq!(sink.rejections.len(), 0, "{:?}", sink.rejections);
        let peak = place(&sink, "geotrek:poi:d4f534b5-74af-40a0-9c6c-825c385b4e93");
        assert_eq!(
            (peak.kind, peak.name.as_str()),
            (PoiKind::Viewpoint, "Pic des Trois Seigneurs")
        );
        assert!(peak.description.starts_with("Le pic des Trois Seigneurs"));
        assert!(near(peak.pos, 1.4397635, 42.8303552));
        let en = &peak.translations["en"];
        assert_eq!(en.name.as_deref(), Some("Peak of the Three Lords"));
        assert_eq!(
            en.description, None,
            "an empty English text is no translation"
        );
        assert_eq!(sink.records.len(), 2);
    }

    #[test]
    fn information_desks_and_unread_pages() {
        let sink = read_all(&data(
            "trails/geotrek-admin/tourism/geotrek_parser_v2/informationdesk.json",
        ))
        .unwrap();
        assert!(!sink.records.is_empty(), "{:?}", sink.rejections);
        let seix = sink
            .records
            .iter()
            .find(|p| p.name == "Office de Tourisme de Seix")
            .expect("the Seix desk");
        assert_eq!(seix.kind, PoiKind::Practical);
        assert_eq!(
            seix.translations["en"].name.as_deref(),
            Some("Seix Tourism Office")
        );
        let refused = read_all(&data(
            "trails/geotrek-admin/tourism/geotrek_parser_v2/touristiccontent.json",
        ))
        .unwrap_err();
        assert!(refused.reason.contains("category"), "{refused:?}");
    }

    #[test]
    fn kinds_from_type_labels() {
        for (label, kind) in [
            ("Faune", PoiKind::Fauna),
            ("Flore", PoiKind::Flora),
            ("Point de vue", PoiKind::Viewpoint),
            ("Col", PoiKind::Viewpoint),
            ("Colombier", PoiKind::Heritage),
            ("Point d'eau", PoiKind::Practical),
            ("Refuge", PoiKind::Lodging),
            ("Barre attache", PoiKind::Practical),
            ("Petit patrimoine", PoiKind::Heritage),
            ("Savoir-faire", PoiKind::Heritage),
        ] {
            assert_eq!(poi_kind(label), kind, "{label}");
        }
    }
}
