//! What the JSON importers share: the document read with a located error, and its
//! features read one record each, all or nothing unless partial.

use crate::report::Rejection;
use balade_core::LonLat;
use balade_core::projection::Crs;
use balade_core::text::plain_text;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::cell::Cell;
use std::collections::HashSet;
use std::path::Path;

/// A field at fault in a feature, and why.
pub type Fault = (&'static str, String);

/// The records read from a file, and the features dropped (partial mode only).
#[derive(Debug, Clone)]
pub struct Parsed<T> {
    pub records: Vec<T>,
    pub dropped: Vec<Rejection>,
}

/// The memory a document may take once parsed, estimated as it is read. Values take
/// more than their text: real exports 4 to 7 times their size (GeoJSON, APIDAE,
/// Geotrek), Overpass answers up to 19 times (measured on `../shared/data`), and
/// crafted documents up to 90 times (`[{"a":0},…]`: each object is a tree node of 600
/// bytes), so the file-size limits alone let 16 MiB of JSON take 1.4 GB.
pub const MAX_JSON_MEMORY: usize = 2 * 1024 * 1024 * 1024;

/// The JSON document of a file (a UTF-8 byte-order mark allowed), or where it breaks;
/// refused when its values would take more than [`MAX_JSON_MEMORY`].
pub fn read_json(path: &Path, bytes: &[u8]) -> Result<Value, Vec<Rejection>> {
    read_json_within(path, bytes, MAX_JSON_MEMORY)
}

fn read_json_within(path: &Path, bytes: &[u8], memory: usize) -> Result<Value, Vec<Rejection>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let budget = Budget::new(memory);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed = Budgeted(&budget)
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
    parsed.map_err(|e| {
        let reason = if budget.exceeded.get() {
            format!(
                "the document would take over {} MiB of memory once read (JSON values take 4 to 20 times their text): split it, or for OSM data use a PBF extract",
                memory >> 20
            )
        } else {
            format!("not valid JSON: {e}")
        };
        vec![Rejection {
            path: path.to_owned(),
            position: (e.line() > 0).then(|| (e.line() as u64, e.column() as u64)),
            field: None,
            reason,
        }]
    })
}

/// What a document has left to take in memory, estimated as it is parsed.
#[derive(Debug)]
struct Budget {
    left: Cell<usize>,
    exceeded: Cell<bool>,
}

impl Budget {
    fn new(bytes: usize) -> Self {
        Self {
            left: Cell::new(bytes),
            exceeded: Cell::new(false),
        }
    }

    fn take<E: serde::de::Error>(&self, bytes: usize) -> Result<(), E> {
        match self.left.get().checked_sub(bytes) {
            Some(left) => {
                self.left.set(left);
                Ok(())
            }
            None => {
                self.exceeded.set(true);
                Err(E::custom("the document takes too much memory"))
            }
        }
    }
}

/// Estimated costs, 64-bit: a value is 32 bytes; an array holds up to twice its
/// elements while it grows; an object is a B-tree of nodes of 11 entries, 600 bytes
/// each; a string or key its bytes and a 24-byte header.
const VALUE: usize = 32;
const NODE: usize = 600;
const ENTRY: usize = 24 + NODE / 11;

/// A [`Value`] parsed under a [`Budget`]: the same value `serde_json` builds.
struct Budgeted<'a>(&'a Budget);

impl<'de> DeserializeSeed<'de> for Budgeted<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Budgeted<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Value, E> {
        self.0.take(VALUE)?;
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Value, E> {
        self.0.take(VALUE)?;
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Value, E> {
        self.0.take(VALUE)?;
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        self.0.take(VALUE)?;
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Value, E> {
        self.0.take(VALUE + v.len())?;
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Value, E> {
        self.0.take(VALUE + v.len())?;
        Ok(Value::String(v))
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Value, E> {
        self.0.take(VALUE)?;
        Ok(Value::Null)
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.0.take(VALUE)?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Budgeted(self.0))? {
            self.0.take(VALUE)?;
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.0.take(VALUE + NODE)?;
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            self.0.take(ENTRY + key.len())?;
            let value = map.next_value_seed(Budgeted(self.0))?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// The features of a GeoJSON document: a FeatureCollection's, or a single Feature.
pub fn features_of<'a>(path: &Path, doc: &'a Value) -> Result<Vec<&'a Value>, Vec<Rejection>> {
    let features: Vec<&Value> = match doc.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => doc
            .get("features")
            .and_then(Value::as_array)
            .map(|f| f.iter().collect())
            .unwrap_or_default(),
        Some("Feature") => vec![doc],
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
    Ok(features)
}

/// The features of a GeoJSON file of areas, each read by `read` in the coordinate
/// system the document declares (see [`read_features`]).
pub fn read_area_features<T>(
    path: &Path,
    bytes: &[u8],
    partial: bool,
    read: impl Fn(&Value, Crs) -> Result<T, Fault>,
    key: impl Fn(&T) -> String,
    key_field: &'static str,
) -> Result<Parsed<T>, Vec<Rejection>> {
    let doc = read_json(path, bytes)?;
    let crs = declared_crs(path, &doc)?;
    let features = features_of(path, &doc)?;
    read_features(path, features, partial, |f| read(f, crs), key, key_field)
}

/// The coordinate system a GeoJSON document declares in its (pre-RFC 7946) `crs`
/// member, WGS84 without one: GIS exports of French boundaries are often in Lambert 93.
pub fn declared_crs(path: &Path, doc: &Value) -> Result<Crs, Vec<Rejection>> {
    let Some(name) = doc
        .get("crs")
        .and_then(|c| c.get("properties"))
        .and_then(|p| p.get("name"))
        .and_then(Value::as_str)
    else {
        return Ok(Crs::Wgs84);
    };
    if name.ends_with("CRS84") {
        return Ok(Crs::Wgs84);
    }
    name.rsplit(':')
        .next()
        .and_then(|code| code.parse::<u32>().ok())
        .and_then(Crs::from_epsg)
        .ok_or_else(|| {
            vec![Rejection::file(
                path,
                format!("coordinate system `{name}` is not read (WGS84, Lambert 93, CC42–CC50 or NTF Lambert expected)"),
            )]
        })
}

/// The first of `keys` (any case) among a feature's properties, as plain text.
pub fn text_property(props: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter()
        .find_map(|key| {
            props
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v)
        })
        .and_then(|v| match v {
            Value::String(s) => Some(plain_text(s)),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .filter(|s| !s.is_empty())
}

/// A feature's Polygon or MultiPolygon as polygons of rings, in WGS84; `what` names the
/// record in the message for another geometry type.
pub fn area_of(feature: &Value, crs: Crs, what: &str) -> Result<Vec<Vec<Vec<LonLat>>>, Fault> {
    let geometry = feature
        .get("geometry")
        .filter(|g| !g.is_null())
        .ok_or(("geometry", "missing".to_owned()))?;
    let coords = geometry
        .get("coordinates")
        .ok_or(("geometry", "no coordinates".to_owned()))?;
    match geometry.get("type").and_then(Value::as_str) {
        Some("Polygon") => Ok(vec![polygon(coords, crs)?]),
        Some("MultiPolygon") => coords
            .as_array()
            .ok_or((
                "geometry",
                "MultiPolygon coordinates are not an array".to_owned(),
            ))?
            .iter()
            .map(|p| polygon(p, crs))
            .collect(),
        Some(other) => Err((
            "geometry",
            format!("a {other} is not {what} (Polygon or MultiPolygon expected)"),
        )),
        None => Err(("geometry", "no type".to_owned())),
    }
}

fn polygon(rings: &Value, crs: Crs) -> Result<Vec<Vec<LonLat>>, Fault> {
    let rings = rings
        .as_array()
        .ok_or(("geometry", "polygon is not an array of rings".to_owned()))?;
    if rings.is_empty() {
        return Err(("geometry", "polygon without rings".to_owned()));
    }
    rings
        .iter()
        .map(|ring| {
            let points = ring
                .as_array()
                .ok_or(("geometry", "ring is not an array".to_owned()))?;
            // A closed ring repeats its first point: three distinct corners at least.
            let closed = points.len() > 1 && points.first() == points.last();
            let corners = points.len() - usize::from(closed);
            if corners < 3 {
                return Err((
                    "geometry",
                    format!("ring of {corners} corners (3 at least)"),
                ));
            }
            points.iter().map(|p| position(p, crs)).collect()
        })
        .collect()
}

fn position(p: &Value, crs: Crs) -> Result<LonLat, Fault> {
    let pair = p.as_array().filter(|a| a.len() >= 2);
    let (x, y) = pair
        .and_then(|a| Some((a[0].as_f64()?, a[1].as_f64()?)))
        .ok_or(("geometry", format!("position {p} is not [x, y]")))?;
    if crs == Crs::Wgs84 {
        return LonLat::new(x, y).map_err(|e| {
            (
                "geometry",
                format!("{e}: WGS84 lon/lat expected (or a `crs` member naming the projection)"),
            )
        });
    }
    crs.to_wgs84(x, y).map_err(|e| ("geometry", e.to_string()))
}

/// Reads each feature with `read`, numbering faults from 1; a `key` given twice is a
/// fault on `key_field`. Without `partial`, any fault refuses the file.
pub fn read_features<'a, T>(
    path: &Path,
    features: impl IntoIterator<Item = &'a Value>,
    partial: bool,
    read: impl Fn(&Value) -> Result<T, Fault>,
    key: impl Fn(&T) -> String,
    key_field: &'static str,
) -> Result<Parsed<T>, Vec<Rejection>> {
    let (mut records, mut bad) = (Vec::new(), Vec::new());
    let mut seen = HashSet::new();
    for (i, feature) in features.into_iter().enumerate() {
        let reject = |field: &str, reason: String| Rejection {
            path: path.to_owned(),
            position: None,
            field: Some(format!("feature {}: {field}", i + 1)),
            reason,
        };
        match read(feature) {
            Ok(r) if !seen.insert(key(&r)) => {
                bad.push(reject(key_field, format!("`{}` given twice", key(&r))))
            }
            Ok(r) => records.push(r),
            Err((field, reason)) => bad.push(reject(field, reason)),
        }
    }
    if !bad.is_empty() && !partial {
        return Err(bad);
    }
    Ok(Parsed {
        records,
        dropped: bad,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgeted_values_are_serde_json_s_values() {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data");
        let files = [
            "trails/schema_randonnee/exemple-valide.json",
            "trails/geotrek-admin/tourism/apidaeContent.json",
            "trails/geotrek-admin/trekking/geotrek_parser_v2/trek.json",
            "osm/pypi-overpy-0.7/json/relation-04.json",
            "trails/bleau-database/bleau-massifs-geo.json",
        ];
        for file in files {
            let bytes = std::fs::read(data.join(file)).expect("shared data");
            let ours = read_json(Path::new(file), &bytes).expect("valid");
            let theirs: Value = serde_json::from_slice(&bytes).expect("valid");
            assert_eq!(ours, theirs, "{file}");
        }
        let odd = br#"{"n": -1.5e300, "u": 18446744073709551615, "i": -9, "z": null, "b": [true, {}], "s": "\u00e9\n"}"#;
        let theirs: Value = serde_json::from_slice(odd).expect("valid");
        assert_eq!(
            read_json(Path::new("odd.json"), odd).expect("valid"),
            theirs
        );
        let e = read_json(Path::new("two.json"), b"{} {}").expect_err("trailing");
        assert!(e[0].reason.starts_with("not valid JSON"), "{}", e[0]);
    }

    #[test]
    fn a_document_that_takes_too_much_memory_is_refused_where_it_runs_out() {
        // 1 MiB of one-entry objects: 130,000 tree nodes, 95 MB once read.
        let mut crafted = b"[\n".to_vec();
        while crafted.len() < 1 << 20 {
            crafted.extend_from_slice(b"{\"a\":0},\n");
        }
        crafted.extend_from_slice(b"{}]");
        let e = read_json_within(Path::new("c.json"), &crafted, 16 << 20).expect_err("refused");
        assert!(
            e[0].reason
                .starts_with("the document would take over 16 MiB of memory"),
            "{}",
            e[0]
        );
        let line = e[0].position.expect("located").0;
        assert!((20_000..30_000).contains(&line), "{line}");
        // A real export three times larger (3.6 MB, 19 MB once read) fits the same budget.
        let real = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/data/heritage/merimee_toulouse_rzine/base-merimee.geojson");
        let bytes = std::fs::read(&real).expect("shared data");
        read_json_within(&real, &bytes, 24 << 20).expect("read");
        read_json_within(Path::new("c.json"), &crafted, 24 << 20).expect_err("refused");
    }
}
