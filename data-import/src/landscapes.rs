//! Landscape units (Atlas des Paysages) from GeoJSON: a FeatureCollection (or a single
//! Feature) of Polygon or MultiPolygon features in WGS84 lon/lat.
//!
//! - Name from the first of `name`, `nom`, `libelle`, `titre` (any case); text from
//!   `description`, `texte`, `desc`; both reduced to plain text.
//! - **Source key**: the feature's `id`/`code` property, else its GeoJSON `id`, else the
//!   slug of its name; an id given twice in one file is a rejection.
//! - Each feature is a record: without `--partial` one bad feature refuses the file.

use crate::features::{Fault, Parsed, read_features, read_json};
use crate::report::Rejection;
use balade_core::text::{plain_text, slug};
use balade_core::{Landscape, LandscapeId, LonLat};
use serde_json::{Map, Value};
use std::path::Path;

pub fn parse(
    path: &Path,
    bytes: &[u8],
    partial: bool,
) -> Result<Parsed<Landscape>, Vec<Rejection>> {
    let doc = read_json(path, bytes)?;
    let features: Vec<&Value> = match doc.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => doc
            .get("features")
            .and_then(Value::as_array)
            .map(|f| f.iter().collect())
            .unwrap_or_default(),
        Some("Feature") => vec![&doc],
        _ => {
            return Err(vec![Rejection::file(
                path,
                "not a GeoJSON FeatureCollection or Feature",
            )]);
        }
    };
    if features.is_empty() {
        return Err(vec![Rejection::file(path, "no features")]);
    }
    read_features(path, features, partial, unit, |u| u.id.to_string(), "id")
}

fn text_property(props: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    props
        .iter()
        .find(|(k, _)| keys.iter().any(|key| k.eq_ignore_ascii_case(key)))
        .and_then(|(_, v)| match v {
            Value::String(s) => Some(plain_text(s)),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .filter(|s| !s.is_empty())
}

fn unit(feature: &Value) -> Result<Landscape, Fault> {
    let empty = Map::new();
    let props = feature
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let name = text_property(props, &["name", "nom", "libelle", "titre"])
        .ok_or(("name", "no name".to_owned()))?;
    let description = text_property(props, &["description", "texte", "desc"]).unwrap_or_default();
    let key = text_property(props, &["id", "code"])
        .or_else(|| {
            feature.get("id").and_then(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .or_else(|| v.as_i64().map(|n| n.to_string()))
            })
        })
        .unwrap_or_else(|| slug(&name));
    let id = LandscapeId::new(key.clone())
        .or_else(|_| LandscapeId::new(slug(&key)))
        .map_err(|e| ("id", e.to_string()))?;
    let geometry = feature
        .get("geometry")
        .ok_or(("geometry", "missing".to_owned()))?;
    let coords = geometry
        .get("coordinates")
        .ok_or(("geometry", "no coordinates".to_owned()))?;
    let polygons = match geometry.get("type").and_then(Value::as_str) {
        Some("Polygon") => vec![polygon(coords)?],
        Some("MultiPolygon") => coords
            .as_array()
            .ok_or((
                "geometry",
                "MultiPolygon coordinates are not an array".to_owned(),
            ))?
            .iter()
            .map(polygon)
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err((
                "geometry",
                format!("a {other} is not a landscape unit (Polygon or MultiPolygon expected)"),
            ));
        }
        None => return Err(("geometry", "no type".to_owned())),
    };
    Ok(Landscape {
        source: format!("landscape:{id}"),
        id,
        name,
        description,
        polygons,
    })
}

fn polygon(rings: &Value) -> Result<Vec<Vec<LonLat>>, Fault> {
    let rings = rings
        .as_array()
        .ok_or(("geometry", "polygon is not an array of rings".to_owned()))?;
    if rings.is_empty() {
        return Err(("geometry", "polygon without rings".to_owned()));
    }
    rings
        .iter()
        .map(|ring| {
            let points = ring.as_array().ok_or(("geometry", "ring is not an array".to_owned()))?;
            // A closed ring repeats its first point: three distinct corners at least.
            let closed = points.len() > 1 && points.first() == points.last();
            let corners = points.len() - usize::from(closed);
            if corners < 3 {
                return Err(("geometry", format!("ring of {corners} corners (3 at least)")));
            }
            points
                .iter()
                .map(|p| {
                    let pair = p.as_array().filter(|a| a.len() >= 2);
                    let (lon, lat) = pair
                        .and_then(|a| Some((a[0].as_f64()?, a[1].as_f64()?)))
                        .ok_or(("geometry", format!("position {p} is not [lon, lat]")))?;
                    LonLat::new(lon, lat)
                        .map_err(|e| ("geometry", format!("{e}: WGS84 lon/lat expected (projected coordinates are not read here)")))
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQUARE: &str = "[[[2.6,48.3],[2.8,48.3],[2.8,48.5],[2.6,48.5],[2.6,48.3]]]";

    fn collection(features: &[String]) -> Vec<u8> {
        format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            features.join(",")
        )
        .into_bytes()
    }

    fn feature(props: &str, geometry: &str) -> String {
        format!(r#"{{"type":"Feature","properties":{props},"geometry":{geometry}}}"#)
    }

    #[test]
    fn reads_polygons_names_and_ids() {
        let bytes = collection(&[
            feature(
                r#"{"NOM":"Plateau de <b>Brie</b>","code":"U12","texte":"Un plateau."}"#,
                &format!(r#"{{"type":"Polygon","coordinates":{SQUARE}}}"#),
            ),
            feature(
                r#"{"name":"Vallée du Loing"}"#,
                &format!(r#"{{"type":"MultiPolygon","coordinates":[{SQUARE},{SQUARE}]}}"#),
            ),
        ]);
        let p = parse(Path::new("a.geojson"), &bytes, false).unwrap();
        assert_eq!(p.records.len(), 2);
        assert_eq!(p.records[0].name, "Plateau de Brie");
        assert_eq!(p.records[0].id.as_str(), "U12");
        assert_eq!(p.records[0].description, "Un plateau.");
        assert_eq!(p.records[1].id.as_str(), "vallee-du-loing");
        assert_eq!(p.records[1].polygons.len(), 2);
        assert!(p.records[0].contains(LonLat::new(2.7, 48.4).unwrap()));
    }

    #[test]
    fn bad_features_are_named_and_refuse_the_file_unless_partial() {
        let bytes = collection(&[
            feature(
                r#"{"name":"Bon"}"#,
                &format!(r#"{{"type":"Polygon","coordinates":{SQUARE}}}"#),
            ),
            feature(
                r#"{"name":"Ligne"}"#,
                r#"{"type":"LineString","coordinates":[[2.6,48.3],[2.7,48.4]]}"#,
            ),
            feature(
                r#"{"name":"Lambert"}"#,
                r#"{"type":"Polygon","coordinates":[[[652000,6862000],[653000,6862000],[653000,6863000]]]}"#,
            ),
            feature(
                r#"{"name":"Bon"}"#,
                &format!(r#"{{"type":"Polygon","coordinates":{SQUARE}}}"#),
            ),
        ]);
        let err = parse(Path::new("b.geojson"), &bytes, false).unwrap_err();
        let text: Vec<String> = err.iter().map(ToString::to_string).collect();
        assert_eq!(text.len(), 3, "{text:?}");
        assert!(
            text[0].contains("feature 2: geometry") && text[0].contains("LineString"),
            "{}",
            text[0]
        );
        assert!(
            text[1].contains("feature 3: geometry") && text[1].contains("WGS84"),
            "{}",
            text[1]
        );
        assert!(
            text[2].contains("feature 4: id") && text[2].contains("twice"),
            "{}",
            text[2]
        );
        let ok = parse(Path::new("b.geojson"), &bytes, true).unwrap();
        assert_eq!((ok.records.len(), ok.dropped.len()), (1, 3));
    }

    #[test]
    fn a_ring_needs_three_corners() {
        let closed_triangle =
            r#"{"type":"Polygon","coordinates":[[[2.6,48.3],[2.8,48.3],[2.6,48.3]]]}"#;
        let err = parse(
            Path::new("t.geojson"),
            &collection(&[feature(r#"{"name":"Plat"}"#, closed_triangle)]),
            false,
        )
        .unwrap_err();
        assert!(err[0].reason.contains("2 corners"), "{}", err[0]);
    }

    #[test]
    fn malformed_json_is_located() {
        let err = parse(
            Path::new("c.geojson"),
            b"{\n  \"type\": \"FeatureCollection\",\n  \"features\": [,]\n}",
            false,
        )
        .unwrap_err();
        assert_eq!(err[0].position.map(|p| p.0), Some(3), "{}", err[0]);
        let err = parse(Path::new("d.geojson"), br#"{"type":"Topology"}"#, false).unwrap_err();
        assert!(err[0].reason.contains("FeatureCollection"));
    }
}
