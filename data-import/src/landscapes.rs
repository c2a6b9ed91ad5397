//! Landscape units (Atlas des Paysages) from GeoJSON: a FeatureCollection (or a single
//! Feature) of Polygon or MultiPolygon features in WGS84 lon/lat.
//!
//! - Name from the first of `name`, `nom`, `libelle`, `titre` (any case); text from
//!   `description`, `texte`, `desc`; both reduced to plain text.
//! - **Source key**: the feature's `id`/`code` property, else its GeoJSON `id`, else the
//!   slug of its name; an id given twice in one file is a rejection.
//! - Each feature is a record: without `--partial` one bad feature refuses the file.

use crate::features::{Fault, Parsed, area_of, read_area_features, text_property};
use crate::report::Rejection;
use balade_core::projection::Crs;
use balade_core::text::slug;
use balade_core::{Landscape, LandscapeId};
use serde_json::{Map, Value};
use std::path::Path;

pub fn parse(
    path: &Path,
    bytes: &[u8],
    partial: bool,
) -> Result<Parsed<Landscape>, Vec<Rejection>> {
    read_area_features(path, bytes, partial, unit, |u| u.id.to_string(), "id")
}

fn unit(feature: &Value, crs: Crs) -> Result<Landscape, Fault> {
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
    let polygons = area_of(feature, crs, "a landscape unit")?;
    Ok(Landscape {
        source: format!("landscape:{id}"),
        id,
        name,
        description,
        polygons,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use balade_core::{Area, LonLat};

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
