//! The published catalogue in the national hiking-trail schema (`schema_randonnee`,
//! <https://github.com/PnX-SI/schema_randonnee>): a GeoJSON FeatureCollection with one
//! LineString itinerary per circuit and its French fields. The mirror of
//! `balade_import::circuits`, so that an export imports back to the same circuits.
//!
//! - `producteur` is [`PRODUCER`], `id_local` the circuit id, `uuid` a UUID v5 of the id.
//! - The schema allows only LineString: a trace's segments are joined end to end.
//! - `instructions` are the circuit's step-by-step directions, one per line; without
//!   them, a line made of the figures. Practical information goes to `acces_routier`,
//!   `parking_info`, `transports_commun`, `recommandations` and `accessibilite`.
//! - Balade keeps no named start or dates: `depart`/`arrivee` are coordinates, the
//!   dates are left out.

use balade_core::{Circuit, CircuitId, CircuitType, Difficulty, LonLat, Practice};
use serde_json::{Map, Value, json};
use sha1::{Digest, Sha1};

/// The producer written in every itinerary.
pub const PRODUCER: &str = "Balade";

/// RFC 4122 URL namespace, for name-based UUIDs of `urn:balade:circuit:<id>`.
const URL_NAMESPACE: [u8; 16] = [
    0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8,
];

pub fn feature_collection(circuits: &[Circuit]) -> Value {
    json!({
        "type": "FeatureCollection",
        "features": circuits.iter().map(feature).collect::<Vec<_>>(),
    })
}

/// `pratique`, from the schema's enum.
pub fn practice(p: Practice) -> &'static str {
    match p {
        Practice::Walk => "pédestre",
        Practice::Mtb => "VTT",
        Practice::Bike => "cyclo",
        Practice::Horse => "équestre",
    }
}

/// `type_itineraire`, from the schema's enum.
pub fn itinerary_type(t: CircuitType) -> &'static str {
    match t {
        CircuitType::Loop => "boucle",
        CircuitType::Return => "aller-retour",
        CircuitType::OneWay => "aller simple",
    }
}

/// `difficulte` is free text in the schema: the words its producers use.
pub fn difficulty(d: Difficulty) -> &'static str {
    match d {
        Difficulty::Easy => "Facile",
        Difficulty::Medium => "Moyen",
        Difficulty::Hard => "Difficile",
        Difficulty::VeryHard => "Très difficile",
    }
}

/// A name-based (version 5) UUID: the same circuit id always gives the same UUID.
pub fn uuid(id: &CircuitId) -> String {
    let hash = Sha1::new()
        .chain_update(URL_NAMESPACE)
        .chain_update(format!("urn:balade:circuit:{id}"))
        .finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&hash[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// `lat, lon` to 5 decimals (about a metre): how a start is given without a name.
fn place(pos: Option<LonLat>) -> String {
    pos.map(|p| format!("{:.5}, {:.5}", p.lat(), p.lon()))
        .unwrap_or_default()
}

fn hours(minutes: u32) -> f64 {
    (f64::from(minutes) / 60.0 * 100.0).round() / 100.0
}

pub fn feature(c: &Circuit) -> Value {
    let coordinates: Vec<Vec<f64>> = c
        .trace
        .points()
        .map(|p| {
            let mut v = vec![p.pos.lon(), p.pos.lat()];
            v.extend(p.ele);
            v
        })
        .collect();
    let start = place(c.trace.start());
    let km = format!("{:.1}", c.stats.length_m / 1000.0).replace('.', ",");
    let mut props = Map::new();
    let mut put = |k: &str, v: Value| {
        props.insert(k.to_owned(), v);
    };
    put("id_local", json!(c.id.as_str()));
    put("producteur", json!(PRODUCER));
    put("uuid", json!(uuid(&c.id)));
    put("nom_itineraire", json!(c.name));
    put("pratique", json!(practice(c.practice)));
    put("type_itineraire", json!(itinerary_type(c.circuit_type)));
    if !c.communes.is_empty() {
        put("communes_nom", json!(c.communes.join(", ")));
    }
    put("depart", json!(start));
    put("arrivee", json!(place(c.trace.end())));
    put("duree", json!(hours(c.duration_min)));
    let metres = |v: f64| json!(v.round() as i64);
    put("longueur", metres(c.stats.length_m));
    put("difficulte", json!(difficulty(c.difficulty)));
    if let Some(v) = c.stats.max_elevation_m {
        put("altitude_max", metres(v));
    }
    if let Some(v) = c.stats.min_elevation_m {
        put("altitude_min", metres(v));
    }
    put("denivele_positif", metres(c.stats.ascent_m));
    put("denivele_negatif", metres(c.stats.descent_m));
    let instructions = if c.practical.steps.is_empty() {
        format!(
            "Suivre le tracé ({}, {km} km) depuis le point de départ {start}.",
            itinerary_type(c.circuit_type)
        )
    } else {
        c.practical.steps.join("\n")
    };
    put("instructions", json!(instructions));
    let p = &c.practical;
    for (key, value) in [
        ("acces_routier", &p.access),
        ("parking_info", &p.parking),
        ("transports_commun", &p.public_transport),
        ("recommandations", &p.recommendations),
        ("accessibilite", &p.accessibility),
    ] {
        if let Some(v) = value {
            put(key, json!(v));
        }
    }
    if !c.description.is_empty() {
        put("presentation", json!(c.description));
    }
    if !c.summary.is_empty() {
        put("presentation_courte", json!(c.summary));
    }
    if !c.themes.is_empty() {
        put("themes", json!(c.themes.join(", ")));
    }
    json!({
        "type": "Feature",
        "geometry": { "type": "LineString", "coordinates": coordinates },
        "properties": props,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use balade_core::{Trace, TracePoint, TraceStats};

    fn circuit() -> Circuit {
        let pt = |lon, lat, ele| TracePoint {
            pos: LonLat::new(lon, lat).unwrap(),
            ele,
        };
        Circuit {
            id: CircuitId::new("provins-remparts").unwrap(),
            source: "gpx:provins-remparts".into(),
            name: "Provins".into(),
            summary: String::new(),
            description: "Une boucle.".into(),
            practice: Practice::Horse,
            themes: vec!["patrimoine".into(), "panorama".into()],
            communes: Vec::new(),
            intercommunalities: Vec::new(),
            trace: Trace {
                segments: vec![
                    vec![pt(3.29, 48.56, Some(90.0)), pt(3.30, 48.56, Some(120.4))],
                    vec![pt(3.301, 48.561, None)],
                ],
            },
            stats: TraceStats {
                length_m: 1234.4,
                ascent_m: 30.4,
                descent_m: 0.0,
                min_elevation_m: Some(90.0),
                max_elevation_m: Some(120.4),
            },
            duration_min: 95,
            difficulty: Difficulty::VeryHard,
            practical: balade_core::Practical {
                parking: Some("Place du Châtel".into()),
                steps: vec![
                    "Monter à la tour César.".into(),
                    "Longer les remparts.".into(),
                ],
                ..Default::default()
            },
            translations: Default::default(),
            circuit_type: CircuitType::OneWay,
            published: true,
        }
    }

    #[test]
    fn maps_the_fields() {
        let f = feature(&circuit());
        let p = &f["properties"];
        assert_eq!(f["geometry"]["type"], "LineString");
        assert_eq!(f["geometry"]["coordinates"].as_array().unwrap().len(), 3);
        assert_eq!(f["geometry"]["coordinates"][1], json!([3.30, 48.56, 120.4]));
        assert_eq!(p["id_local"], "provins-remparts");
        assert_eq!(p["producteur"], "Balade");
        assert_eq!(
            p["instructions"],
            "Monter à la tour César.\nLonger les remparts."
        );
        assert_eq!(p["parking_info"], "Place du Châtel");
        assert!(
            p.get("acces_routier").is_none(),
            "absent practical fields are left out"
        );
        assert_eq!(
            (&p["pratique"], &p["type_itineraire"], &p["difficulte"]),
            (
                &json!("équestre"),
                &json!("aller simple"),
                &json!("Très difficile")
            )
        );
        assert_eq!((&p["duree"], &p["longueur"]), (&json!(1.58), &json!(1234)));
        assert_eq!(
            (&p["altitude_max"], &p["denivele_positif"]),
            (&json!(120), &json!(30))
        );
        assert_eq!(p["depart"], "48.56000, 3.29000");
        assert_eq!(p["themes"], "patrimoine, panorama");
        assert!(p.get("communes_nom").is_none());
        assert!(p.get("presentation_courte").is_none());
    }

    #[test]
    fn uuids_are_version_5_and_stable() {
        let id = CircuitId::new("provins-remparts").unwrap();
        let u = uuid(&id);
        // Python: uuid.uuid5(uuid.NAMESPACE_URL, "urn:balade:circuit:provins-remparts")
        assert_eq!(u, "6e36351b-028f-567a-9cf2-ff6aade32357");
        assert_ne!(u, uuid(&CircuitId::new("moret-loing").unwrap()));
    }

    #[test]
    fn every_value_has_a_word() {
        let words: Vec<&str> = Practice::ALL.iter().map(|p| practice(*p)).collect();
        assert_eq!(words, ["pédestre", "VTT", "cyclo", "équestre"]);
        let words: Vec<&str> = CircuitType::ALL
            .iter()
            .map(|t| itinerary_type(*t))
            .collect();
        assert_eq!(words, ["boucle", "aller-retour", "aller simple"]);
    }
}
