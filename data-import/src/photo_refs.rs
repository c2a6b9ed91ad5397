//! The photos a source names by URL, with their credits and the record they illustrate:
//!
//! | Source | Photos | Credits |
//! |---|---|---|
//! | Geotrek API v2 trek | `attachments` of type `image`: `url` (else `thumbnail`) | `author`, `license`, `title`; `legend` as alt text |
//! | schema_randonnee feature | `medias` of `type_media` `image` (or none): `url` | `auteur`, `licence`, `titre` |
//! | APIDAE object (trek or place) | `illustrations` of type `IMAGE`: `traductionFichiers[].url` | `copyright`, `nom`; `legende` as alt text |
//! | DataTourisme object | `hasMainRepresentation`, `hasRepresentation`: `ebucore:hasRelatedResource` → `ebucore:locator` | `ebucore:hasAnnotation` → `ebucore:credits`, `ebucore:title` |
//!
//! The owner's id is the one the record's reader gives, so the photos land on the record
//! imported from the same object. APIDAE illustrations past their
//! `dateLimiteDePublication` are left out, as the source asks. Without a legend, the
//! title (else the record's name) stands as alt text: a photo needs one.

use crate::media::Credits;
use crate::source::place_to_poi;
use crate::tourism::apidae::{apidae, datatourisme, ld_first, ld_text};
use balade_core::text::plain_text;
use balade_core::{CircuitId, MediaOwner};
use serde_json::Value;

/// A photo named by a record of a source file.
#[derive(Debug, Clone, PartialEq)]
pub struct PhotoRef {
    pub owner: MediaOwner,
    /// Where the record is in its file, for warnings (`feature 3`, `object 2`).
    pub record: String,
    pub url: String,
    pub title: Option<String>,
    pub author: Option<String>,
    pub license: Option<String>,
    pub alt: Option<String>,
}

impl PhotoRef {
    pub fn credits(&self) -> Credits {
        Credits {
            title: self.title.clone(),
            author: self.author.clone(),
            license: self.license.clone(),
            alt: self.alt.clone(),
        }
    }
}

/// A field's text: a string, or the French (else any) text of a translated field.
fn text(v: Option<&Value>) -> Option<String> {
    let s = match v? {
        Value::String(s) => s.clone(),
        Value::Object(m) => m
            .get("fr")
            .or_else(|| m.get("libelleFr"))
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .or_else(|| {
                m.values()
                    .filter_map(Value::as_str)
                    .find(|s| !s.trim().is_empty())
            })?
            .to_owned(),
        _ => return None,
    };
    Some(plain_text(&s)).filter(|s| !s.is_empty())
}

/// A photo with its alt text: the legend (`credits.alt`), else the title, else the
/// record's name.
fn photo(owner: &MediaOwner, record: &str, name: &str, url: String, credits: Credits) -> PhotoRef {
    let alt = credits
        .alt
        .or_else(|| credits.title.clone())
        .or_else(|| Some(name.to_owned()));
    PhotoRef {
        owner: owner.clone(),
        record: record.to_owned(),
        url: url.trim().to_owned(),
        title: credits.title,
        author: credits.author,
        license: credits.license,
        alt,
    }
}

/// The photos of a circuits file (schema_randonnee, Geotrek API v2, APIDAE).
pub fn circuit_photos(doc: &Value) -> Vec<PhotoRef> {
    let mut out = Vec::new();
    if let Some(objects) = doc.get("objetsTouristiques").and_then(Value::as_array) {
        for (i, o) in objects.iter().enumerate() {
            let id = match o.get("id") {
                Some(Value::Number(n)) => n.to_string(),
                Some(Value::String(s)) => s.trim().to_owned(),
                _ => continue,
            };
            // The id `apidae_trek::trek` gives.
            let Ok(id) = CircuitId::new(format!("apidae-{id}")) else {
                continue;
            };
            let name = text(o.get("nom")).unwrap_or_default();
            let record = format!("object {}", i + 1);
            out.extend(illustrations(o, &MediaOwner::Circuit(id), &record, &name));
        }
        return out;
    }
    if let Some(features) = doc.get("features").and_then(Value::as_array) {
        for (i, f) in features.iter().enumerate() {
            let Ok(c) = crate::circuits::circuit(f) else {
                continue;
            };
            let owner = MediaOwner::Circuit(c.id);
            let record = format!("feature {}", i + 1);
            let medias = f.get("properties").and_then(|p| p.get("medias"));
            for m in medias.and_then(Value::as_array).into_iter().flatten() {
                let kind = text(m.get("type_media")).map(|t| t.to_lowercase());
                if kind.as_deref().is_some_and(|k| k != "image") {
                    continue;
                }
                let Some(url) = text(m.get("url")) else {
                    continue;
                };
                let title = text(m.get("titre"));
                let legend = text(m.get("legende")).or_else(|| text(m.get("description")));
                out.push(photo(
                    &owner,
                    &record,
                    &c.name,
                    url,
                    Credits {
                        title,
                        author: text(m.get("auteur")),
                        license: text(m.get("licence")),
                        alt: legend,
                    },
                ));
            }
        }
        return out;
    }
    for (i, trek) in doc
        .get("results")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let Ok(c) = crate::circuits::geotrek_trek(trek) else {
            continue;
        };
        let owner = MediaOwner::Circuit(c.id);
        let record = format!("result {}", i + 1);
        for a in trek
            .get("attachments")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if a.get("type").and_then(Value::as_str).unwrap_or("image") != "image" {
                continue;
            }
            let Some(url) = text(a.get("url")).or_else(|| text(a.get("thumbnail"))) else {
                continue;
            };
            out.push(photo(
                &owner,
                &record,
                &c.name,
                url,
                Credits {
                    title: text(a.get("title")),
                    author: text(a.get("author")),
                    license: text(a.get("license")),
                    alt: text(a.get("legend")),
                },
            ));
        }
    }
    out
}

/// An APIDAE object's `illustrations` still to be published.
fn illustrations(o: &Value, owner: &MediaOwner, record: &str, name: &str) -> Vec<PhotoRef> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let today = balade_core::contributions::rfc3339(now);
    let mut out = Vec::new();
    for ill in o
        .get("illustrations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if ill.get("type").and_then(Value::as_str) != Some("IMAGE") {
            continue;
        }
        // ISO dates compare as text: one before today is past.
        let expired = ill
            .get("dateLimiteDePublication")
            .and_then(Value::as_str)
            .is_some_and(|d| d.get(..10).unwrap_or(d) < today.get(..10).unwrap_or(""));
        if expired {
            continue;
        }
        let url = ill
            .get("traductionFichiers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find_map(|f| text(f.get("url")));
        let Some(url) = url else { continue };
        out.push(photo(
            owner,
            record,
            name,
            url,
            Credits {
                title: text(ill.get("nom")),
                author: text(ill.get("copyright")),
                license: None,
                alt: text(ill.get("legende")),
            },
        ));
    }
    out
}

/// The photos of a tourism JSON document (APIDAE or DataTourisme objects).
pub fn place_photos(doc: &Value) -> Vec<PhotoRef> {
    let objects: Vec<&Value> = if let Some(list) = doc.get("objetsTouristiques") {
        list.as_array().into_iter().flatten().collect()
    } else if let Some(list) = doc.get("@graph").and_then(Value::as_array) {
        list.iter().collect()
    } else if let Some(list) = doc.as_array() {
        list.iter().collect()
    } else if doc.get("@id").is_some() {
        vec![doc]
    } else {
        Vec::new()
    };
    let mut out = Vec::new();
    for (i, o) in objects.into_iter().enumerate() {
        let ld = o.get("@id").is_some();
        let place = if ld { datatourisme(o) } else { apidae(o) };
        let Ok(Some(place)) = place else { continue };
        let name = place.name.clone();
        let owner = MediaOwner::Poi(place_to_poi(place).id);
        let record = format!("object {}", i + 1);
        if ld {
            out.extend(representations(o, &owner, &record, &name));
        } else {
            out.extend(illustrations(o, &owner, &record, &name));
        }
    }
    out
}

/// A DataTourisme object's representations (the main one first).
fn representations(o: &Value, owner: &MediaOwner, record: &str, name: &str) -> Vec<PhotoRef> {
    let list = |key: &str| -> Vec<&Value> {
        match o.get(key) {
            Some(Value::Array(items)) => items.iter().collect(),
            Some(v) => vec![v],
            None => Vec::new(),
        }
    };
    let mut out = Vec::new();
    for r in list("hasMainRepresentation")
        .into_iter()
        .chain(list("hasRepresentation"))
    {
        let resource = ld_first(r, "ebucore:hasRelatedResource");
        let Some(url) = resource
            .and_then(|res| ld_first(res, "ebucore:locator"))
            .and_then(ld_text)
        else {
            continue;
        };
        let annotation = ld_first(r, "ebucore:hasAnnotation");
        let field = |key: &str| annotation.and_then(|a| a.get(key)).and_then(ld_text);
        let title = field("ebucore:title").or_else(|| r.get("ebucore:title").and_then(ld_text));
        out.push(photo(
            owner,
            record,
            name,
            url,
            Credits {
                title,
                author: field("ebucore:credits"),
                license: resource
                    .and_then(|res| res.get("dc:rights"))
                    .and_then(ld_text),
                alt: field("ebucore:abstract"),
            },
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(rel: &str) -> Value {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/data/trails")
            .join(rel);
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    #[test]
    fn geotrek_attachments_images_only_with_credits() {
        let refs = circuit_photos(&shared(
            "geotrek-admin/trekking/geotrek_parser_v2/trek.json",
        ));
        assert!(!refs.is_empty());
        let first = &refs[0];
        assert!(first.url.ends_with("pic_des_3_seigneurs.jpg"), "{first:?}");
        assert_eq!(first.author.as_deref(), Some("Grégory Tonon"));
        assert!(
            first
                .alt
                .as_deref()
                .unwrap()
                .starts_with("Vue sur la chaîne")
        );
        assert!(
            refs.iter()
                .all(|r| !r.url.contains("youtube") && !r.url.ends_with(".mp3")),
            "videos and files are not photos"
        );
    }

    #[test]
    fn schema_randonnee_medias_and_apidae_illustrations() {
        let refs = circuit_photos(&shared("schema_randonnee/geotrek-treks-pnc.geojson"));
        let first = &refs[0];
        assert_eq!(first.url, "paperclip/trekking_trek/37037/img_4832_sf.jpg");
        assert_eq!(first.title.as_deref(), Some("Mas Chaptal, La Roquette"));
        assert_eq!(first.author.as_deref(), Some("© Sandrine Forge"));
        let refs = circuit_photos(&shared(
            "geotrek-admin/trekking/apidae_trek_parser/a_trek.json",
        ));
        let urls: Vec<&str> = refs.iter().map(|r| r.url.as_str()).collect();
        assert_eq!(
            urls,
            ["https://example.net/a_picture.jpg"],
            "the one past its publication date is left out"
        );
        assert_eq!(refs[0].author.as_deref(), Some("The author of the picture"));
        assert_eq!(refs[0].alt.as_deref(), Some("The legend of the picture"));
        let places = place_photos(&shared("geotrek-admin/tourism/apidaeContent.json"));
        assert!(
            places
                .iter()
                .any(|r| r.url.ends_with("1540817.jpg") && r.author.as_deref() == Some("Copyright")),
            "{places:?}"
        );
    }

    #[test]
    fn datatourisme_representations() {
        let doc: Value = serde_json::from_str(
            r#"{"@graph": [{"@id": "https://data.datatourisme.fr/13/0f1e2d",
               "@type": ["schema:LodgingBusiness", "Hotel", "PlaceOfInterest"],
               "rdfs:label": {"fr": ["Hôtel de la Poste"]},
               "isLocatedAt": [{"schema:geo": {"schema:latitude": "48.37", "schema:longitude": "2.95"}}],
               "hasMainRepresentation": [{
                 "ebucore:hasAnnotation": [{"ebucore:title": {"fr": ["La façade"]},
                                            "ebucore:credits": ["Office de tourisme"]}],
                 "ebucore:hasRelatedResource": [{"ebucore:locator": [
                   {"@type": "xsd:anyURI", "@value": "https://example.net/poste.jpg"}]}]}]}]}"#,
        )
        .unwrap();
        let refs = place_photos(&doc);
        assert_eq!(refs.len(), 1, "{refs:?}");
        assert_eq!(refs[0].url, "https://example.net/poste.jpg");
        assert_eq!(refs[0].author.as_deref(), Some("Office de tourisme"));
        assert_eq!(refs[0].alt.as_deref(), Some("La façade"));
        assert!(matches!(&refs[0].owner, MediaOwner::Poi(_)));
    }
}
