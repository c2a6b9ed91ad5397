//! What the JSON importers share: the document read with a located error, and its
//! features read one record each, all or nothing unless partial.

use crate::report::Rejection;
use balade_core::LonLat;
use balade_core::projection::Crs;
use balade_core::text::plain_text;
use serde_json::{Map, Value};
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

/// The JSON document of a file (a UTF-8 byte-order mark allowed), or where it breaks.
pub fn read_json(path: &Path, bytes: &[u8]) -> Result<Value, Vec<Rejection>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    serde_json::from_slice(bytes).map_err(|e| {
        vec![Rejection {
            path: path.to_owned(),
            position: (e.line() > 0).then(|| (e.line() as u64, e.column() as u64)),
            field: None,
            reason: format!("not valid JSON: {e}"),
        }]
    })
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
