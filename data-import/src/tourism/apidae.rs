//! Tourism databases' JSON: APIDAE (`objetsTouristiques`, or a bare array of objects)
//! and DataTourisme JSON-LD (`@graph`, an array, or one object with `@id`).
//!
//! APIDAE object types:
//!
//! | type | kind |
//! |---|---|
//! | `HOTELLERIE`, `HOTELLERIE_PLEIN_AIR`, `HEBERGEMENT_COLLECTIF`, `HEBERGEMENT_LOCATIF` | Lodging |
//! | `RESTAURATION`, `DEGUSTATION` | Food |
//! | `PATRIMOINE_CULTUREL` | Heritage |
//! | `PATRIMOINE_NATUREL` | Viewpoint |
//! | `COMMERCE_ET_SERVICE`, `EQUIPEMENT` | Practical |
//!
//! `PATRIMOINE_NATUREL` (waterfalls, gorges, remarkable sites) is a site one goes to see:
//! Viewpoint, not Flora, which Balade keeps for plants described on a walk. Events,
//! activities, packages and structures are not places: skipped, not rejected.
//!
//! An unnamed object is named from its type (`Commerce et service`). An object without
//! coordinates, at 0, 0 (APIDAE's placeholder for "not located"), or
//! out of range (latitude and longitude swapped) is rejected, named by its id.
//! DataTourisme reads `@id`, `@type`, `rdfs:label`, `rdfs:comment` and the first
//! `isLocatedAt` (`schema:geo`, `schema:address`); its other properties are not read.

use super::{Place, element_rejection, english, point};
use crate::report::Rejection;
use crate::stream::Sink;
use balade_core::PoiKind;
use balade_core::text::plain_text;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

const COORDINATES: &str = "localisation.geolocalisation.geoJson.coordinates";

/// Reads the places of an APIDAE or DataTourisme JSON file into `sink`.
pub fn read(path: &Path, sink: &mut dyn Sink<Place>) -> Result<(), Rejection> {
    let doc = super::read_json(path)?;
    read_value(path, &doc, sink)
}

/// Reads the places of an APIDAE or DataTourisme document already parsed.
pub fn read_value(path: &Path, doc: &Value, sink: &mut dyn Sink<Place>) -> Result<(), Rejection> {
    let one;
    let objects: &[Value] = if let Some(list) = doc.get("objetsTouristiques") {
        list.as_array()
            .map(Vec::as_slice)
            .ok_or_else(|| Rejection::file(path, "APIDAE `objetsTouristiques` is not a list"))?
    } else if let Some(list) = doc.get("@graph").and_then(Value::as_array) {
        list
    } else if let Some(list) = doc.as_array() {
        list
    } else if doc.get("@id").is_some() {
        one = [doc.clone()];
        &one
    } else if doc.get("numFound").is_some() {
        // An APIDAE answer that found nothing.
        &[]
    } else {
        return Err(Rejection::file(
            path,
            "not an Overpass, APIDAE or DataTourisme document (no `elements`, `objetsTouristiques`, `@graph` or `@id`)",
        ));
    };
    for (i, object) in objects.iter().enumerate() {
        let read = if object.get("@id").is_some() {
            datatourisme(object)
        } else {
            apidae(object)
        };
        let go_on = match read {
            Ok(Some(place)) => sink.record(place),
            Ok(None) => true,
            Err(Fault {
                name,
                field,
                reason,
            }) => {
                let name = name.unwrap_or_else(|| format!("object {}", i + 1));
                sink.reject(element_rejection(
                    path,
                    None,
                    format!("{name}: {field}"),
                    reason,
                ))
            }
        };
        if !go_on {
            return Ok(());
        }
    }
    Ok(())
}

/// What is wrong with one object: its name (when its id was read), the field, why.
#[derive(Debug)]
pub(crate) struct Fault {
    name: Option<String>,
    field: String,
    reason: String,
}

/// The value at a dotted path (`presentation.descriptifCourt.libelleFr`).
pub(crate) fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |v, k| v.get(k))
}

fn text_at(v: &Value, path: &str) -> Option<String> {
    at(v, path)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// A French label for an unnamed object (services often have none).
fn apidae_label(t: &str) -> &'static str {
    match t {
        "HOTELLERIE" => "Hôtel",
        "HOTELLERIE_PLEIN_AIR" => "Camping",
        "HEBERGEMENT_COLLECTIF" => "Hébergement collectif",
        "HEBERGEMENT_LOCATIF" => "Location de vacances",
        "RESTAURATION" => "Restaurant",
        "DEGUSTATION" => "Dégustation",
        "PATRIMOINE_CULTUREL" => "Patrimoine culturel",
        "PATRIMOINE_NATUREL" => "Site naturel",
        "COMMERCE_ET_SERVICE" => "Commerce et service",
        "EQUIPEMENT" => "Équipement",
        _ => "Lieu",
    }
}

fn apidae_kind(t: &str) -> Option<PoiKind> {
    Some(match t {
        "HOTELLERIE" | "HOTELLERIE_PLEIN_AIR" | "HEBERGEMENT_COLLECTIF" | "HEBERGEMENT_LOCATIF" => {
            PoiKind::Lodging
        }
        "RESTAURATION" | "DEGUSTATION" => PoiKind::Food,
        "PATRIMOINE_CULTUREL" => PoiKind::Heritage,
        "PATRIMOINE_NATUREL" => PoiKind::Viewpoint,
        "COMMERCE_ET_SERVICE" | "EQUIPEMENT" => PoiKind::Practical,
        _ => return None,
    })
}

pub(crate) fn apidae(o: &Value) -> Result<Option<Place>, Fault> {
    let id = match o.get("id") {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
        _ => {
            return Err(Fault {
                name: None,
                field: "id".to_owned(),
                reason: "missing".to_owned(),
            });
        }
    };
    let fault = |field: &str, reason: String| Fault {
        name: Some(format!("apidae {id}")),
        field: field.to_owned(),
        reason,
    };
    let Some(kind_name) = o.get("type").and_then(Value::as_str) else {
        return Err(fault("type", "missing".to_owned()));
    };
    let Some(kind) = apidae_kind(kind_name) else {
        return Ok(None);
    };
    let coords = at(o, COORDINATES).and_then(Value::as_array);
    let (lon, lat) = match coords.map(Vec::as_slice) {
        Some([lon, lat, ..]) => match (lon.as_f64(), lat.as_f64()) {
            (Some(lon), Some(lat)) => (lon, lat),
            _ => return Err(fault(COORDINATES, "not numbers".to_owned())),
        },
        _ => return Err(fault(COORDINATES, "missing".to_owned())),
    };
    if lon == 0.0 && lat == 0.0 {
        return Err(fault(
            COORDINATES,
            "0, 0 is a placeholder, not a location".to_owned(),
        ));
    }
    let pos = point(lon, lat).map_err(|(_, reason)| fault(COORDINATES, reason))?;
    let mut provenance = BTreeMap::new();
    provenance.insert("id".to_owned(), id.clone());
    provenance.insert("type".to_owned(), kind_name.to_owned());
    let mut keep = |key: &str, value: Option<String>| {
        if let Some(v) = &value {
            provenance.insert(key.to_owned(), v.clone());
        }
        value
    };
    let name = keep("nom.libelleFr", text_at(o, "nom.libelleFr"))
        .or_else(|| keep("nom.libelleEn", text_at(o, "nom.libelleEn")))
        .map(|n| plain_text(&n))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| apidae_label(kind_name).to_owned());
    let short = keep(
        "presentation.descriptifCourt.libelleFr",
        text_at(o, "presentation.descriptifCourt.libelleFr"),
    );
    let long = keep(
        "presentation.descriptifDetaille.libelleFr",
        text_at(o, "presentation.descriptifDetaille.libelleFr"),
    );
    let description = [short, long]
        .into_iter()
        .flatten()
        .map(|t| plain_text(&t))
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    let commune = keep(
        "localisation.adresse.commune.nom",
        text_at(o, "localisation.adresse.commune.nom"),
    );
    keep(
        "localisation.adresse.commune.code",
        text_at(o, "localisation.adresse.commune.code"),
    );
    let opening_hours = keep(
        "ouverture.periodeEnClair.libelleFr",
        text_at(o, "ouverture.periodeEnClair.libelleFr"),
    );
    // Means of communication: 201 is the phone, 205 the website.
    let means = at(o, "informations.moyensCommunication")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mean = |code: i64| {
        means
            .iter()
            .filter(|m| at(m, "type.id").and_then(Value::as_i64) == Some(code))
            .find_map(|m| text_at(m, "coordonnees.fr"))
    };
    let phone = keep("informations.moyensCommunication.201", mean(201));
    let website = keep("informations.moyensCommunication.205", mean(205));
    let english_description = [
        "presentation.descriptifCourt.libelleEn",
        "presentation.descriptifDetaille.libelleEn",
    ]
    .iter()
    .filter_map(|field| keep(field, text_at(o, field)))
    .map(|t| plain_text(&t))
    .filter(|t| !t.is_empty())
    .collect::<Vec<_>>()
    .join("\n\n");
    let translations = english(
        keep("nom.libelleEn", text_at(o, "nom.libelleEn")),
        Some(english_description),
    );
    Ok(Some(Place {
        key: format!("apidae:{id}"),
        kind,
        name,
        description,
        pos,
        opening_hours,
        phone,
        website,
        wheelchair: None,
        commune,
        provenance,
        translations,
    }))
}

/// A JSON-LD value tagged with `lang` (`{"en": [...]}`, or `{"@language": "en", …}` in a
/// list); untagged values are not taken for a translation.
fn ld_text_in(v: &Value, lang: &str) -> Option<String> {
    match v {
        Value::Array(items) => items.iter().find_map(|i| ld_text_in(i, lang)),
        Value::Object(o) if o.get("@language").and_then(Value::as_str) == Some(lang) => {
            o.get("@value").and_then(ld_text)
        }
        Value::Object(o) => o.get(lang).and_then(ld_text),
        _ => None,
    }
}

/// A JSON-LD value as text: a string, `{"@value": …}`, `{"fr": [...]}`, or the first of a
/// list of those (French first).
pub(crate) fn ld_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(items) => items
            .iter()
            .find(|i| i.get("@language").and_then(Value::as_str) == Some("fr"))
            .and_then(ld_text)
            .or_else(|| items.iter().find_map(ld_text)),
        Value::Object(o) => o
            .get("@value")
            .or_else(|| o.get("fr"))
            .and_then(ld_text)
            .or_else(|| o.values().find_map(ld_text)),
        _ => None,
    }
}

pub(crate) fn ld_first<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    match v.get(key)? {
        Value::Array(items) => items.first(),
        other => Some(other),
    }
}

fn datatourisme_kind(types: &[&str]) -> Option<PoiKind> {
    let has = |names: &[&str]| {
        types.iter().any(|t| {
            let t = t.rsplit([':', '#', '/']).next().unwrap_or(t);
            names.contains(&t)
        })
    };
    if has(&[
        "Accommodation",
        "LodgingBusiness",
        "Hotel",
        "Camping",
        "CollectiveAccommodation",
        "RentalAccommodation",
    ]) {
        Some(PoiKind::Lodging)
    } else if has(&[
        "FoodEstablishment",
        "Restaurant",
        "CafeOrCoffeeShop",
        "BarOrPub",
        "FastFoodRestaurant",
    ]) {
        Some(PoiKind::Food)
    } else if has(&["NaturalHeritage", "PointOfView"]) {
        Some(PoiKind::Viewpoint)
    } else if has(&[
        "CulturalSite",
        "LandmarksOrHistoricalBuildings",
        "ReligiousSite",
        "RemarkableBuilding",
        "Museum",
    ]) {
        Some(PoiKind::Heritage)
    } else if has(&[
        "ServiceProvider",
        "Store",
        "TouristInformationCenter",
        "LocalBusiness",
    ]) {
        Some(PoiKind::Practical)
    } else {
        None
    }
}

pub(crate) fn datatourisme(o: &Value) -> Result<Option<Place>, Fault> {
    let Some(id) = o
        .get("@id")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
    else {
        return Err(Fault {
            name: None,
            field: "@id".to_owned(),
            reason: "not a string".to_owned(),
        });
    };
    let fault = |field: &str, reason: String| Fault {
        name: Some(format!("datatourisme {id}")),
        field: field.to_owned(),
        reason,
    };
    let types: Vec<&str> = match o.get("@type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let Some(kind) = datatourisme_kind(&types) else {
        return Ok(None);
    };
    let name = o
        .get("rdfs:label")
        .and_then(ld_text)
        .map(|n| plain_text(&n))
        .filter(|n| !n.is_empty())
        .ok_or_else(|| fault("rdfs:label", "missing".to_owned()))?;
    let place = ld_first(o, "isLocatedAt");
    let geo = place.and_then(|p| ld_first(p, "schema:geo"));
    let coordinate = |key: &str| {
        geo.and_then(|g| ld_first(g, key))
            .and_then(ld_text)
            .and_then(|t| t.parse::<f64>().ok())
    };
    let field = "isLocatedAt.schema:geo";
    let (lat, lon) = match (
        coordinate("schema:latitude"),
        coordinate("schema:longitude"),
    ) {
        (Some(lat), Some(lon)) => (lat, lon),
        _ => return Err(fault(field, "missing or not numbers".to_owned())),
    };
    if lat == 0.0 && lon == 0.0 {
        return Err(fault(
            field,
            "0, 0 is a placeholder, not a location".to_owned(),
        ));
    }
    let pos = point(lon, lat).map_err(|(_, reason)| fault(field, reason))?;
    let commune = place
        .and_then(|p| ld_first(p, "schema:address"))
        .and_then(|a| ld_first(a, "schema:addressLocality"))
        .and_then(ld_text);
    let description = o
        .get("rdfs:comment")
        .and_then(ld_text)
        .map(|t| plain_text(&t))
        .unwrap_or_default();
    let mut provenance = BTreeMap::new();
    provenance.insert("@id".to_owned(), id.to_owned());
    provenance.insert("@type".to_owned(), types.join(" "));
    provenance.insert("rdfs:label".to_owned(), name.clone());
    provenance.insert("schema:latitude".to_owned(), lat.to_string());
    provenance.insert("schema:longitude".to_owned(), lon.to_string());
    Ok(Some(Place {
        key: format!("datatourisme:{id}"),
        kind,
        name,
        description,
        pos,
        opening_hours: None,
        phone: None,
        website: None,
        wheelchair: None,
        commune,
        provenance,
        translations: english(
            o.get("rdfs:label").and_then(|v| ld_text_in(v, "en")),
            o.get("rdfs:comment").and_then(|v| ld_text_in(v, "en")),
        ),
    }))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{data, near, place, read_all};
    use super::*;

    fn write(json: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        super::super::tests::write_temp("t.json", json)
    }

    #[test]
    fn apidae_contents_with_their_practical_fields() {
        let sink = read_all(&data("trails/geotrek-admin/tourism/apidaeContent.json")).unwrap();
        assert_eq!((sink.records.len(), sink.rejections.len()), (1, 0));
        let raft = place(&sink, "apidae:479743");
        assert_eq!(
            (raft.kind, raft.name.as_str()),
            (PoiKind::Practical, "Quey' Raft")
        );
        assert!(near(raft.pos, 6.794103, 44.756403));
        assert_eq!(raft.phone.as_deref(), Some("06 10 15 13 28"));
        assert_eq!(raft.website.as_deref(), Some("http://www.queyraft.com"));
        assert_eq!(raft.commune.as_deref(), Some("Château-Ville-Vieille"));
        assert_eq!(raft.opening_hours.as_deref(), Some("Du 01/05 au 31/10."));
        assert!(raft.description.starts_with("Des descentes familiales"));
        assert!(
            raft.description.contains("\n\nAu pied du"),
            "{}",
            raft.description
        );
        assert!(!raft.description.contains('<'));
        assert_eq!(
            raft.provenance
                .get("localisation.adresse.commune.code")
                .map(String::as_str),
            Some("05038")
        );
        let sink = read_all(&data("trails/geotrek-admin/tourism/apidaeContent2.json")).unwrap();
        assert_eq!(sink.records[0].key, "apidae:479744");
        // An event is no place; an answer without objects is empty.
        for f in ["apidaeEvent.json", "apidaeNoEvent.json"] {
            let sink = read_all(&data(&format!("trails/geotrek-admin/tourism/{f}"))).unwrap();
            assert_eq!((sink.records.len(), sink.rejections.len()), (0, 0), "{f}");
        }
        let e = read_all(&data("trails/geotrek-admin/tourism/tourinsoftContent.json")).unwrap_err();
        assert!(
            e.reason.contains("not an Overpass, APIDAE or DataTourisme"),
            "{e}"
        );
    }

    #[test]
    fn apidae_pois_and_services() {
        for f in ["a_poi.json", "poi_with_not_complete_illustration.json"] {
            let path = data(&format!(
                "trails/geotrek-admin/trekking/apidae_poi_parser/{f}"
            ));
            let sink = read_all(&path).unwrap();
            let poi = place(&sink, "apidae:123123");
            assert_eq!(
                (poi.kind, poi.name.as_str()),
                (PoiKind::Heritage, "Un point d'intérêt")
            );
            assert_eq!(poi.description, "La description courte en français.");
            assert!(near(poi.pos, 3.372365, 45.392244));
            let en = &poi.translations["en"];
            assert_eq!(
                (en.name.as_deref(), en.description.as_deref()),
                (
                    Some("A point of interest"),
                    Some("The short description in english.")
                )
            );
        }
        let dir = "trails/geotrek-admin/trekking/apidae_service_parser/";
        let sink = read_all(&data(&format!("{dir}service.json"))).unwrap();
        let service = place(&sink, "apidae:1");
        assert_eq!(service.name, "Commerce et service");
        assert!(near(service.pos, 4.41954, 44.008088));
        let sink = read_all(&data(&format!("{dir}services_incorrect_geometries.json"))).unwrap();
        assert_eq!(sink.records.len(), 0);
        let fields: Vec<&str> = sink
            .rejections
            .iter()
            .filter_map(|r| r.field.as_deref())
            .collect();
        assert_eq!(
            fields,
            [
                "apidae 1: localisation.geolocalisation.geoJson.coordinates",
                "apidae 2: localisation.geolocalisation.geoJson.coordinates",
                "apidae 3: localisation.geolocalisation.geoJson.coordinates",
            ]
        );
        assert!(sink.rejections[0].reason.contains("placeholder"));
    }

    #[test]
    fn swapped_coordinates_types_and_a_bare_array() {
        let (_dir, path) = write(
            r#"[
              {"id": 7, "type": "PATRIMOINE_NATUREL", "nom": {"libelleFr": "Cascade"},
               "localisation": {"geolocalisation": {"geoJson": {"coordinates": [45.39, 93.37]}}}},
              {"id": 8, "type": "PATRIMOINE_NATUREL", "nom": {"libelleFr": "Gorges"},
               "localisation": {"geolocalisation": {"geoJson": {"coordinates": [3.37, 45.39]}}}},
              {"id": 9, "type": "HOTELLERIE_PLEIN_AIR",
               "localisation": {"geolocalisation": {"geoJson": {"coordinates": [3.3, 45.3]}}}},
              {"id": 10, "type": "ACTIVITE", "nom": {"libelleFr": "Canyoning"}},
              {"type": "RESTAURATION"},
              {"id": 11, "nom": {"libelleFr": "Sans type"}}
            ]"#,
        );
        let sink = read_all(&path).unwrap();
        let keys: Vec<&str> = sink.records.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["apidae:8", "apidae:9"]);
        assert_eq!(place(&sink, "apidae:8").kind, PoiKind::Viewpoint);
        let camping = place(&sink, "apidae:9");
        assert_eq!(
            (camping.kind, camping.name.as_str()),
            (PoiKind::Lodging, "Camping")
        );
        let got: Vec<(&str, bool)> = sink
            .rejections
            .iter()
            .map(|r| {
                (
                    r.field.as_deref().unwrap_or(""),
                    r.reason.contains("swapped"),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "apidae 7: localisation.geolocalisation.geoJson.coordinates",
                    true
                ),
                ("object 5: id", false),
                ("apidae 11: type", false),
            ]
        );
    }

    #[test]
    fn datatourisme_json_ld() {
        let (_dir, path) = write(
            r#"{"@context": {}, "@graph": [
              {"@id": "https://data.datatourisme.fr/13/0f1e2d",
               "@type": ["schema:LodgingBusiness", "Hotel", "Accommodation", "PlaceOfInterest"],
               "rdfs:label": {"fr": ["Hôtel de la <i>Poste</i>"], "en": ["Post Hotel"]},
               "rdfs:comment": {"fr": ["Au centre du village."]},
               "isLocatedAt": [{"schema:geo": {"schema:latitude": "48.37", "schema:longitude": "2.95"},
                                "schema:address": [{"schema:addressLocality": "Moret"}]}]},
              {"@id": "https://data.datatourisme.fr/13/aa",
               "@type": ["CulturalSite", "PlaceOfInterest"],
               "rdfs:label": [{"@value": "Donjon", "@language": "fr"}],
               "isLocatedAt": {"schema:geo": {"schema:latitude": 148.37, "schema:longitude": 2.95}}},
              {"@id": "https://data.datatourisme.fr/13/bb", "@type": ["EntertainmentAndEvent"],
               "rdfs:label": {"fr": ["Fête"]}}
            ]}"#,
        );
        let sink = read_all(&path).unwrap();
        assert_eq!(sink.records.len(), 1, "{:?}", sink.rejections);
        let hotel = place(&sink, "datatourisme:https://data.datatourisme.fr/13/0f1e2d");
        assert_eq!(
            (hotel.kind, hotel.name.as_str()),
            (PoiKind::Lodging, "Hôtel de la Poste")
        );
        assert_eq!(hotel.description, "Au centre du village.");
        assert_eq!(hotel.commune.as_deref(), Some("Moret"));
        // English label, no English comment: the description falls back to French.
        let en = &hotel.translations["en"];
        assert_eq!(
            (en.name.as_deref(), en.description.as_deref()),
            (Some("Post Hotel"), None)
        );
        assert!(near(hotel.pos, 2.95, 48.37));
        assert_eq!(sink.rejections.len(), 1);
        assert_eq!(
            sink.rejections[0].field.as_deref(),
            Some("datatourisme https://data.datatourisme.fr/13/aa: isLocatedAt.schema:geo")
        );
    }
}
