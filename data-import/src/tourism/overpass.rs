//! Overpass API JSON answers (`{"elements": [...]}`), and bare arrays of OSM elements.
//!
//! - Nodes with `lat`/`lon`; ways placed at their `center` (`out center`), else at the
//!   centroid of their `geometry` (`out geom`), else of their nodes found in the same
//!   document (a way whose nodes are absent is rejected).
//! - Relations and areas are skipped; `"visible": false` elements too.
//! - A `remark` starting with `runtime error` refuses the file: the answer was cut short.
//! - The document is read whole: at most [`super::MAX_JSON_BYTES`].

use super::{PendingWay, Place, WayIndex, centroid, element_rejection, point, tags};
use crate::report::Rejection;
use crate::stream::Sink;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// Whether a JSON document is an Overpass answer (or an array of OSM elements).
pub fn is_overpass(doc: &Value) -> bool {
    doc.get("elements").is_some_and(Value::is_array)
        || doc.as_array().is_some_and(|a| {
            a.first().is_some_and(|e| {
                matches!(
                    e.get("type").and_then(Value::as_str),
                    Some("node" | "way" | "relation" | "area")
                ) && e.get("id").is_some()
            })
        })
}

/// Reads the places of an Overpass JSON file into `sink`.
pub fn read(path: &Path, sink: &mut dyn Sink<Place>) -> Result<(), Rejection> {
    let doc = super::read_json(path)?;
    if !is_overpass(&doc) {
        return Err(Rejection::file(
            path,
            "not an Overpass answer: no `elements` array",
        ));
    }
    read_value(path, &doc, sink)
}

/// Reads the places of an Overpass document already parsed.
pub fn read_value(path: &Path, doc: &Value, sink: &mut dyn Sink<Place>) -> Result<(), Rejection> {
    if let Some(remark) = doc.get("remark").and_then(Value::as_str)
        && remark.trim().starts_with("runtime error")
    {
        return Err(Rejection {
            path: path.to_owned(),
            position: None,
            field: Some("remark".to_owned()),
            reason: format!(
                "the Overpass query failed, its answer is incomplete: {}",
                remark.trim()
            ),
        });
    }
    let empty = Vec::new();
    let elements = doc
        .get("elements")
        .and_then(Value::as_array)
        .or_else(|| doc.as_array())
        .unwrap_or(&empty);
    let mut index = WayIndex::default();
    for (i, e) in elements.iter().enumerate() {
        let go_on = match element(path, i, e) {
            Read::Place(p) => sink.record(p),
            Read::Way(w) => {
                index.push(w);
                true
            }
            Read::Reject(r) => sink.reject(r),
            Read::Skip => true,
        };
        if !go_on {
            return Ok(());
        }
    }
    if index.is_empty() {
        return Ok(());
    }
    for e in elements {
        if e.get("type").and_then(Value::as_str) != Some("node") {
            continue;
        }
        let visible = e.get("visible").and_then(Value::as_bool) != Some(false);
        let id = e.get("id").and_then(Value::as_i64);
        let lat = e.get("lat").and_then(Value::as_f64);
        let lon = e.get("lon").and_then(Value::as_f64);
        if let (Some(id), Some(lat), Some(lon)) = (id, lat, lon) {
            index.node(id, lon, lat, visible);
        }
    }
    index.finish(path, sink);
    Ok(())
}

enum Read {
    Place(Place),
    Way(PendingWay),
    Reject(Rejection),
    Skip,
}

/// A `{"lat": …, "lon": …}` object.
fn lat_lon(v: &Value) -> Option<(f64, f64)> {
    Some((v.get("lat")?.as_f64()?, v.get("lon")?.as_f64()?))
}

fn element(path: &Path, i: usize, e: &Value) -> Read {
    let what = match e.get("type").and_then(Value::as_str) {
        Some(t @ ("node" | "way")) => t,
        _ => return Read::Skip,
    };
    if e.get("visible").and_then(Value::as_bool) == Some(false) {
        return Read::Skip;
    }
    let tags: BTreeMap<String, String> = e
        .get("tags")
        .and_then(Value::as_object)
        .map(|t| {
            t.iter()
                .filter_map(|(k, v)| match v {
                    Value::String(s) => Some((k.clone(), s.clone())),
                    Value::Number(n) => Some((k.clone(), n.to_string())),
                    Value::Bool(b) => Some((k.clone(), b.to_string())),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    if tags::kind(&tags).is_none() {
        return Read::Skip;
    }
    let reject = |name: String, field: &str, reason: String| {
        Read::Reject(element_rejection(
            path,
            None,
            format!("{name}: {field}"),
            reason,
        ))
    };
    let Some(id) = e.get("id").and_then(Value::as_i64) else {
        return reject(
            format!("element {}", i + 1),
            "id",
            "missing or not an integer".to_owned(),
        );
    };
    let name = format!("{what} {id}");
    let key = format!("osm:{what}/{id}");
    let found = |pos: Result<_, (&str, String)>, prefix: &str| match pos {
        Ok(pos) => tags::place(&key, &tags, pos).map_or(Read::Skip, Read::Place),
        Err((field, reason)) => reject(name.clone(), &format!("{prefix}{field}"), reason),
    };
    if what == "node" {
        let lat = e.get("lat").and_then(Value::as_f64);
        let lon = e.get("lon").and_then(Value::as_f64);
        return match (lat, lon) {
            (Some(lat), Some(lon)) => found(point(lon, lat), ""),
            (None, _) => reject(name, "lat", "missing or not a number".to_owned()),
            (_, None) => reject(name, "lon", "missing or not a number".to_owned()),
        };
    }
    if let Some((lat, lon)) = e.get("center").and_then(lat_lon) {
        return found(point(lon, lat), "center ");
    }
    let refs: Vec<i64> = e
        .get("nodes")
        .and_then(Value::as_array)
        .map(|n| n.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();
    if let Some(geometry) = e.get("geometry").and_then(Value::as_array) {
        // `out geom` may leave out-of-bbox points as null: then fall back to the nodes.
        let points: Option<Vec<(f64, f64)>> = geometry.iter().map(lat_lon).collect();
        if let Some(points) = points.filter(|p| !p.is_empty()) {
            let closed = points.len() > 1 && points.first() == points.last();
            let last = points.len() - 1;
            let ids: Vec<i64> = if refs.len() == points.len() {
                refs.clone()
            } else {
                // No refs to tell nodes apart: a closed ring's last point is its first.
                (0..points.len())
                    .map(|k| if closed && k == last { 0 } else { k as i64 })
                    .collect()
            };
            let nodes: Vec<(i64, f64, f64)> = ids
                .iter()
                .zip(&points)
                .map(|(id, (lat, lon))| (*id, *lon, *lat))
                .collect();
            return found(centroid(&nodes).map_err(|r| ("nd", r)), "geometry ");
        }
    }
    if refs.is_empty() {
        return reject(
            name,
            "nodes",
            "no center, geometry or nodes to place it".to_owned(),
        );
    }
    Read::Way(PendingWay {
        id,
        tags,
        refs,
        position: None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{data, near, place, read_all};
    use balade_core::PoiKind;

    fn write(json: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        super::super::tests::write_temp("t.json", json)
    }

    #[test]
    fn geotrek_osm_fixtures() {
        let sink = read_all(&data(
            "trails/geotrek-admin/tourism/touristic_content_OSM.json",
        ))
        .unwrap();
        // A node and two ways; the three hotel relations are skipped.
        assert_eq!(sink.records.len(), 3);
        assert_eq!(sink.rejections.len(), 0);
        let node = place(&sink, "osm:node/1");
        assert_eq!(
            (node.name.as_str(), node.description.as_str()),
            ("hotel", "a description")
        );
        assert_eq!(node.website.as_deref(), Some("https://hotel.com"));
        let way = place(&sink, "osm:way/2");
        assert_eq!(way.name, "hotel_fr");
        assert_eq!(way.commune.as_deref(), Some("Montmorillon"));
        assert_eq!(way.phone.as_deref(), Some("0786535787"));
        assert!(near(way.pos, 2.25192425, 43.40497745), "{:?}", way.pos);
        // Only `name:en`: the French label.
        assert_eq!(place(&sink, "osm:way/3").name, "Hôtel");

        let sink = read_all(&data(
            "trails/geotrek-admin/trekking/osm_poi_parser/POI_OSM.json",
        ))
        .unwrap();
        // The peak, the arête and the wood are no places: only the hut.
        assert_eq!(sink.records.len(), 1);
        let hut = place(&sink, "osm:way/2");
        assert_eq!(
            (hut.kind, hut.name.as_str()),
            (PoiKind::Lodging, "Le Rocher Rond")
        );
        // Its closed geometry: 8 distinct corners.
        assert!(near(hut.pos, 5.864112375, 44.69193625), "{:?}", hut.pos);
        assert_eq!(
            hut.provenance.get("capacity").map(String::as_str),
            Some("46")
        );
    }

    #[test]
    fn overpy_and_osmtogeojson_answers() {
        let sink = read_all(&data("osm/pypi-overpy-0.7/json/way-03.json")).unwrap();
        assert!(near(
            place(&sink, "osm:way/225576797").pos,
            12.5032265,
            41.8954998
        ));
        let sink = read_all(&data("osm/pypi-overpy-0.7/json/way-04.json")).unwrap();
        assert_eq!(sink.records.len(), 0);
        assert_eq!(
            sink.rejections[0].field.as_deref(),
            Some("way 225576797: nd")
        );
        let e = read_all(&data(
            "osm/pypi-overpy-0.7/json/remark-runtime-error-01.json",
        ))
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("remark"));
        assert!(e.reason.contains("Query timed out"), "{e}");
        for quiet in [
            "area-01",
            "node-01",
            "relation-01",
            "relation-02",
            "relation-03",
            "relation-04",
            "remark-runtime-remark-01",
            "remark-unknown-01",
            "result-expand-01",
            "result-expand-02",
            "result-way-01",
            "result-way-02",
            "result-way-03",
            "way-01",
            "way-02",
        ] {
            let sink = read_all(&data(&format!("osm/pypi-overpy-0.7/json/{quiet}.json"))).unwrap();
            assert_eq!(
                (sink.records.len(), sink.rejections.len()),
                (0, 0),
                "{quiet}"
            );
        }
        let sink = read_all(&data("osm/npm-osmtogeojson-2.2.12/map.json")).unwrap();
        assert_eq!(sink.records.len(), 0);
        assert_eq!(sink.rejections.len(), 1);
        assert_eq!(
            sink.rejections[0].field.as_deref(),
            Some("way 33052937: nd")
        );
        for f in ["empty.json", "node.json", "way.json", "relation.json"] {
            let sink = read_all(&data(&format!("osm/npm-osmtogeojson-2.2.12/{f}"))).unwrap();
            assert_eq!((sink.records.len(), sink.rejections.len()), (0, 0), "{f}");
        }
    }

    #[test]
    fn ways_from_nodes_geometry_or_nothing() {
        let (_dir, path) = write(
            r#"{"elements": [
              {"type": "way", "id": 10, "nodes": [1, 2, 3, 1], "tags": {"amenity": "toilets"}},
              {"type": "way", "id": 11, "nodes": [1, 2],
               "geometry": [null, {"lat": 48.0, "lon": 2.4}], "tags": {"amenity": "fuel"}},
              {"type": "way", "id": 12, "geometry": [{"lat": 40.0, "lon": 1.0},
               {"lat": 40.0, "lon": 3.0}, {"lat": 42.0, "lon": 3.0}, {"lat": 40.0, "lon": 1.0}],
               "tags": {"historic": "castle", "name": "Château"}},
              {"type": "way", "id": 13, "tags": {"shop": "bakery"}},
              {"type": "node", "id": 1, "lat": 48.0, "lon": 2.0},
              {"type": "node", "id": 2, "lat": 48.0, "lon": 2.4},
              {"type": "node", "id": 3, "lat": 48.3, "lon": 2.2},
              {"type": "node", "id": 4, "lat": 48.3, "tags": {"amenity": "atm"}},
              {"type": "node", "id": 5, "lat": 48.3, "lon": 2.2, "visible": false,
               "tags": {"amenity": "atm"}},
              {"type": "relation", "id": 6, "members": [], "tags": {"tourism": "hotel"}}
            ]}"#,
        );
        let sink = read_all(&path).unwrap();
        let keys: Vec<&str> = sink.records.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(
            keys,
            ["osm:way/12", "osm:way/10", "osm:way/11"],
            "{:?}",
            sink.rejections
        );
        assert!(near(place(&sink, "osm:way/10").pos, 2.2, 48.1));
        // A null point in the geometry: placed from the nodes instead.
        assert!(near(place(&sink, "osm:way/11").pos, 2.2, 48.0));
        // No refs: the closing point is recognised by its coordinates.
        let castle = place(&sink, "osm:way/12");
        assert!(near(castle.pos, 7.0 / 3.0, 122.0 / 3.0), "{:?}", castle.pos);
        let fields: Vec<&str> = sink
            .rejections
            .iter()
            .filter_map(|r| r.field.as_deref())
            .collect();
        assert_eq!(fields, ["way 13: nodes", "node 4: lon"]);
    }

    #[test]
    fn too_big_or_broken_json_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.json");
        let f = std::fs::File::create(&big).unwrap();
        std::fs::write(&big, "{\"elements\": [").unwrap();
        f.set_len(super::super::MAX_JSON_BYTES + 1).unwrap();
        let e = read_all(&big).unwrap_err();
        assert!(e.reason.contains("256 MiB at most"), "{e}");
        let (_d, path) = write("{\"elements\": [\n  {\"type\": \"node\",, }\n]}");
        let e = read_all(&path).unwrap_err();
        assert_eq!(e.position.map(|p| p.0), Some(2), "{e}");
        assert!(e.reason.starts_with("not valid JSON"));
    }
}
