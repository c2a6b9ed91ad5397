//! Whole circuits from the national hiking-trail schema (`schema_randonnee`): a GeoJSON
//! FeatureCollection of LineString/MultiLineString itineraries with their French fields;
//! or from Geotrek API v2 trek pages (`{"results": [...]}`), keyed by their UUID, with
//! texts in several languages (French taken) and 3-D traces; or from APIDAE exports
//! (`objetsTouristiques`, see [`crate::apidae_trek`]).
//!
//! - Key: `id_local` (else `eid`, else `uuid`) within the producer (`producteur` or
//!   `proprietaire`): re-importing a producer's export updates its circuits.
//! - Given values win where the schema has them (`duree`, `difficulte`,
//!   `type_itineraire`, `pratique`, elevation figures when the trace has none); the
//!   length and whatever is missing are computed from the trace by the usual rules.
//! - HTML in the texts (with its entities) becomes plain text.
//! - Each feature is a record: without `--partial` one bad feature refuses the file.

use crate::features::{Fault, Parsed, read_features, read_json};
use crate::report::Rejection;
use balade_core::geometry::{Figures, GivenFigures, trace_stats};
use balade_core::text::{first_sentence, fold, plain_text, slug};
use balade_core::{
    Circuit, CircuitId, CircuitType, Difficulty, LonLat, Practical, Practice, Trace, TracePoint,
    Translation,
};
use serde_json::{Map, Value};
use std::path::Path;

pub fn parse(path: &Path, bytes: &[u8], partial: bool) -> Result<Parsed<Circuit>, Vec<Rejection>> {
    let doc = read_json(path, bytes)?;
    if let Some(objects) = doc.get("objetsTouristiques") {
        let objects = objects.as_array().ok_or_else(|| {
            vec![Rejection::file(
                path,
                "APIDAE `objetsTouristiques` is not a list",
            )]
        })?;
        if objects.is_empty() {
            return Err(vec![Rejection::file(path, "no itineraries")]);
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        return read_features(
            path,
            objects,
            partial,
            |o| crate::apidae_trek::trek(o, dir),
            |c| c.id.to_string(),
            "id",
        );
    }
    type Reader = fn(&Value) -> Result<Circuit, Fault>;
    let (features, read): (&Vec<Value>, Reader) = match (
        doc.get("features").and_then(Value::as_array),
        doc.get("results").and_then(Value::as_array),
    ) {
        (Some(f), _) => (f, circuit),
        (None, Some(r)) => (r, geotrek_trek),
        _ => {
            let reason = "neither a schema_randonnee FeatureCollection, a Geotrek API v2 page nor an APIDAE export";
            return Err(vec![Rejection::file(path, reason)]);
        }
    };
    if features.is_empty() {
        return Err(vec![Rejection::file(path, "no itineraries")]);
    }
    read_features(
        path,
        features,
        partial,
        read,
        |c| c.id.to_string(),
        "id_local",
    )
}

fn text(props: &Map<String, Value>, key: &str) -> Option<String> {
    match props.get(key)? {
        Value::String(s) => Some(plain_text(s)).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn number(props: &Map<String, Value>, key: &str) -> Option<f64> {
    props.get(key).and_then(|v| {
        v.as_f64().or_else(|| {
            v.as_str()
                .and_then(|s| s.trim().replace(',', ".").parse().ok())
        })
    })
}

/// A list the schema writes as one comma-separated text; some producers write an array
/// of texts instead, which is read alike.
fn list(props: &Map<String, Value>, key: &str) -> Vec<String> {
    let items: Vec<String> = match props.get(key) {
        Some(Value::Array(items)) => (items.iter())
            .filter_map(|v| v.as_str().map(plain_text))
            .collect(),
        _ => text(props, key).into_iter().collect(),
    };
    (items.iter())
        .flat_map(|t| t.split(','))
        .map(|x| x.trim().to_owned())
        .filter(|x| !x.is_empty())
        .collect()
}

fn practice_of(text: &str) -> Practice {
    match fold(text).as_str() {
        "vtt" => Practice::Mtb,
        "velo" | "cyclo" | "cyclotourisme" | "velo de route" => Practice::Bike,
        "equestre" | "cheval" => Practice::Horse,
        _ => Practice::Walk,
    }
}

fn difficulty_of(text: &str) -> Option<Difficulty> {
    Some(match fold(text).as_str() {
        "tres facile" | "facile" => Difficulty::Easy,
        "moyen" | "moyenne" | "intermediaire" => Difficulty::Medium,
        "difficile" => Difficulty::Hard,
        "tres difficile" => Difficulty::VeryHard,
        _ => return None,
    })
}

fn type_of(text: &str) -> Option<CircuitType> {
    Some(match fold(text).as_str() {
        "boucle" => CircuitType::Loop,
        "aller-retour" | "aller retour" => CircuitType::Return,
        "aller simple" | "itinerance" | "traversee" => CircuitType::OneWay,
        _ => return None,
    })
}

fn trace_of(geometry: &Value) -> Result<Trace, Fault> {
    let coords = geometry
        .get("coordinates")
        .ok_or(("geometry", "no coordinates".to_owned()))?;
    let lines: Vec<&Value> = match geometry.get("type").and_then(Value::as_str) {
        Some("LineString") => vec![coords],
        Some("MultiLineString") => coords
            .as_array()
            .map(|a| a.iter().collect())
            .unwrap_or_default(),
        Some(other) => {
            return Err((
                "geometry",
                format!("a {other} is not an itinerary (LineString or MultiLineString)"),
            ));
        }
        None => return Err(("geometry", "missing".to_owned())),
    };
    let segments = lines
        .into_iter()
        .map(|line| {
            line.as_array()
                .ok_or(("geometry", "a line is not an array".to_owned()))?
                .iter()
                .map(|p| {
                    let a = p
                        .as_array()
                        .filter(|a| a.len() >= 2)
                        .ok_or(("geometry", format!("position {p} is not [lon, lat]")))?;
                    let (lon, lat) = (a[0].as_f64(), a[1].as_f64());
                    let (Some(lon), Some(lat)) = (lon, lat) else {
                        return Err(("geometry", format!("position {p} is not numbers")));
                    };
                    let pos = LonLat::new(lon, lat).map_err(|e| ("geometry", e.to_string()))?;
                    Ok(TracePoint {
                        pos,
                        ele: a.get(2).and_then(Value::as_f64),
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .collect::<Result<Vec<_>, _>>()?;
    let trace = Trace {
        segments: segments.into_iter().filter(|s| !s.is_empty()).collect(),
    };
    if trace.point_count() < 2 {
        return Err(("geometry", "fewer than 2 points".to_owned()));
    }
    Ok(trace)
}

pub(crate) fn circuit(feature: &Value) -> Result<Circuit, Fault> {
    let empty = Map::new();
    let props = feature
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let name = text(props, "nom_itineraire").ok_or(("nom_itineraire", "missing".to_owned()))?;
    let producer = text(props, "producteur")
        .or_else(|| text(props, "proprietaire"))
        .unwrap_or_else(|| "inconnu".into());
    let local = text(props, "id_local")
        .or_else(|| text(props, "eid"))
        .or_else(|| text(props, "uuid"))
        .unwrap_or_else(|| slug(&name));
    let id = CircuitId::new(format!("{}-{}", slug(&producer), slug(&local)))
        .map_err(|e| ("id_local", e.to_string()))?;
    let trace = trace_of(feature.get("geometry").unwrap_or(&Value::Null))?;
    let practice = text(props, "pratique").map_or(Practice::Walk, |p| practice_of(&p));
    // A 2-D trace has no elevation: the producer's relief stands in; a 3-D one wins.
    let flat = trace_stats(&trace).max_elevation_m.is_none();
    let relief = |key: &str| number(props, key).filter(|_| flat);
    let figures = Figures::of(
        &trace,
        practice,
        &GivenFigures {
            ascent_m: flat.then(|| relief("denivele_positif").unwrap_or(0.0)),
            descent_m: flat.then(|| relief("denivele_negatif").unwrap_or(0.0)),
            min_elevation_m: relief("altitude_min"),
            max_elevation_m: relief("altitude_max"),
            duration_min: number(props, "duree")
                .filter(|h| *h > 0.0)
                .map(|h| (h * 60.0).round() as u32),
            difficulty: text(props, "difficulte").and_then(|d| difficulty_of(&d)),
            circuit_type: text(props, "type_itineraire").and_then(|t| type_of(&t)),
        },
    );
    let description = text(props, "presentation").unwrap_or_default();
    Ok(Circuit {
        source: format!("randonnee:{}:{}", slug(&producer), local),
        summary: text(props, "presentation_courte").unwrap_or_else(|| first_sentence(&description)),
        name,
        description,
        practice,
        themes: list(props, "themes")
            .iter()
            .map(|t| t.to_lowercase())
            .collect(),
        communes: list(props, "communes_nom"),
        intercommunalities: Vec::new(),
        duration_min: figures.duration_min,
        difficulty: figures.difficulty,
        circuit_type: figures.circuit_type,
        stats: figures.stats,
        trace,
        published: true,
        id,
        practical: Practical {
            access: text(props, "acces_routier"),
            parking: text(props, "parking_info"),
            public_transport: text(props, "transports_commun"),
            best_season: None,
            recommendations: text(props, "recommandations"),
            accessibility: text(props, "accessibilite"),
            steps: text(props, "instructions")
                .map(|t| steps_of(&t))
                .unwrap_or_default(),
        },
        translations: Default::default(),
    })
}

/// Directions as steps: one per non-empty line (numbers and bullets removed).
pub(crate) fn steps_of(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| {
            l.trim().trim_start_matches(|c: char| {
                c.is_ascii_digit() || matches!(c, '.' | ')' | '-' | '•' | ' ')
            })
        })
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The text of a multilingual Geotrek field in one language, if it has one.
fn in_language(v: Option<&Value>, lang: &str) -> Option<String> {
    v?.get(lang)
        .and_then(Value::as_str)
        .map(plain_text)
        .filter(|s| !s.is_empty())
}

/// French first, then any language with text.
fn translated(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(plain_text(s)),
        Value::Object(m) => m
            .get("fr")
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .or_else(|| {
                m.values()
                    .filter_map(Value::as_str)
                    .find(|s| !s.trim().is_empty())
            })
            .map(plain_text),
        _ => None,
    }
    .filter(|s| !s.is_empty())
}

/// A trek of a Geotrek API v2 page. Difficulty, practice and themes there are ids of
/// the source's own lists, so they are computed or left out rather than guessed.
pub(crate) fn geotrek_trek(trek: &Value) -> Result<Circuit, Fault> {
    let key = trek
        .get("uuid")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| trek.get("id").map(|v| v.to_string()))
        .ok_or(("uuid", "missing".to_owned()))?;
    let id =
        CircuitId::new(format!("geotrek-{}", slug(&key))).map_err(|e| ("uuid", e.to_string()))?;
    // Geotrek's other lists (practices, difficulties, themes…) have the same page shape.
    let geometry = trek
        .get("geometry")
        .filter(|g| !g.is_null())
        .ok_or(("geometry", "none: not a trek".to_owned()))?;
    let trace = trace_of(geometry)?;
    let name = translated(trek.get("name")).ok_or(("name", "missing".to_owned()))?;
    // Geotrek computes relief from a terrain model: better than a GPS trace, so it wins.
    let given = |k: &str| trek.get(k).and_then(Value::as_f64);
    let practice = Practice::Walk;
    let figures = Figures::of(
        &trace,
        practice,
        &GivenFigures {
            ascent_m: given("ascent"),
            descent_m: given("descent"),
            min_elevation_m: given("min_elevation"),
            max_elevation_m: given("max_elevation"),
            duration_min: given("duration")
                .filter(|h| *h > 0.0)
                .map(|h| (h * 60.0).round() as u32),
            ..GivenFigures::default()
        },
    );
    let description = translated(trek.get("description")).unwrap_or_default();
    let published = match trek.get("published") {
        Some(Value::Bool(b)) => *b,
        Some(Value::Object(m)) => m.get("fr").and_then(Value::as_bool).unwrap_or(true),
        _ => true,
    };
    Ok(Circuit {
        source: format!("geotrek:{key}"),
        summary: translated(trek.get("description_teaser")).unwrap_or_default(),
        name,
        description,
        practice,
        themes: Vec::new(),
        communes: trek
            .get("cities")
            .and_then(Value::as_array)
            .map(|c| {
                c.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        intercommunalities: Vec::new(),
        duration_min: figures.duration_min,
        difficulty: figures.difficulty,
        circuit_type: figures.circuit_type,
        practical: Practical {
            access: translated(trek.get("access")),
            parking: translated(trek.get("advised_parking")),
            public_transport: translated(trek.get("public_transport")),
            best_season: None,
            recommendations: translated(trek.get("advice")),
            accessibility: translated(trek.get("accessibility_advice")),
            steps: Vec::new(),
        },
        translations: ["en"]
            .iter()
            .filter_map(|lang| {
                let text = |key: &str| in_language(trek.get(key), lang);
                let t = Translation {
                    name: text("name"),
                    summary: text("description_teaser"),
                    description: text("description"),
                    practical: Practical {
                        access: text("access"),
                        parking: text("advised_parking"),
                        public_transport: text("public_transport"),
                        best_season: None,
                        recommendations: text("advice"),
                        accessibility: text("accessibility_advice"),
                        steps: Vec::new(),
                    },
                };
                (t != Translation::default()).then(|| ((*lang).to_owned(), t))
            })
            .collect(),
        stats: figures.stats,
        trace,
        published,
        id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_the_schema_fields() {
        let doc = r#"{"type":"FeatureCollection","features":[{"type":"Feature",
          "geometry":{"type":"LineString","coordinates":[[3.0,44.0],[3.01,44.0],[3.01,44.01]]},
          "properties":{"id_local":"12","producteur":"Parc des Cévennes","nom_itineraire":"Le &eacute;t&eacute;",
            "pratique":"VTT","type_itineraire":"aller-retour","difficulte":"Très difficile","duree":1.5,
            "denivele_positif":120,"denivele_negatif":-118,"altitude_min":500,"altitude_max":620,
            "themes":"Eau,Géologie","communes_nom":"Florac,Vebron","presentation":"<p>Long.</p>"}}]}"#;
        let p = parse(Path::new("r.geojson"), doc.as_bytes(), false).unwrap();
        let c = &p.records[0];
        assert_eq!(c.id.as_str(), "parc-des-cevennes-12");
        assert_eq!(c.name, "Le été");
        assert_eq!(
            (c.practice, c.circuit_type, c.difficulty, c.duration_min),
            (Practice::Mtb, CircuitType::Return, Difficulty::VeryHard, 90)
        );
        assert_eq!(
            (c.stats.ascent_m, c.stats.descent_m, c.stats.max_elevation_m),
            (120.0, 118.0, Some(620.0))
        );
        assert_eq!(c.themes, ["eau", "géologie"]);
        assert_eq!(c.communes, ["Florac", "Vebron"]);
        assert!(c.stats.length_m > 1_500.0);
    }

    #[test]
    fn lists_as_arrays_and_a_summary_from_the_first_sentence() {
        let doc = r#"{"type":"FeatureCollection","features":[{"type":"Feature",
          "geometry":{"type":"LineString","coordinates":[[3.0,44.0],[3.01,44.0]]},
          "properties":{"id_local":"7","producteur":"P","nom_itineraire":"Boucle",
            "themes":["Eau","Forêt, Patrimoine",3],"communes_nom":["Florac","<b>Vebron</b>"],
            "presentation":"Une boucle de 10.5 km. Puis le retour."}}]}"#;
        let p = parse(Path::new("r.geojson"), doc.as_bytes(), false).unwrap();
        let c = &p.records[0];
        assert_eq!(c.themes, ["eau", "forêt", "patrimoine"]);
        assert_eq!(c.communes, ["Florac", "Vebron"]);
        assert_eq!(c.summary, "Une boucle de 10.5 km.");
    }

    #[test]
    fn bad_features_are_named() {
        let doc = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","geometry":{"type":"Point","coordinates":[3,44]},"properties":{"nom_itineraire":"A"}},
          {"type":"Feature","geometry":{"type":"LineString","coordinates":[[3,44],[3,94]]},"properties":{"nom_itineraire":"B"}},
          {"type":"Feature","geometry":{"type":"LineString","coordinates":[[3,44],[3.1,44]]},"properties":{}}]}"#;
        let err = parse(Path::new("b.geojson"), doc.as_bytes(), false).unwrap_err();
        let text: Vec<String> = err.iter().map(ToString::to_string).collect();
        assert!(
            text[0].contains("feature 1: geometry") && text[0].contains("Point"),
            "{text:?}"
        );
        assert!(
            text[1].contains("feature 2: geometry") && text[1].contains("latitude 94"),
            "{text:?}"
        );
        assert!(text[2].contains("feature 3: nom_itineraire"), "{text:?}");
    }
}
