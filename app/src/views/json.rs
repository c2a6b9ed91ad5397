//! JSON written by hand for the hot answers (nearby, the circuit list): the fixed parts
//! go out as they are and only texts and numbers are encoded, so no value is built per
//! feature. Each writer is tested to give the bytes serde gives for its schema's types.

use balade_core::LonLat;
use serde_json::ser::{CompactFormatter, Formatter};

// Writing into a Vec cannot fail: the results below are dropped for that reason.

/// A JSON string.
pub fn text(buf: &mut Vec<u8>, s: &str) {
    let _ = serde_json::to_writer(&mut *buf, s);
}

/// A number as serde writes an `f64`: `null` when it is not finite.
pub fn number(buf: &mut Vec<u8>, v: f64) {
    if v.is_finite() {
        let _ = CompactFormatter.write_f64(buf, v);
    } else {
        buf.extend_from_slice(b"null");
    }
}

pub fn integer(buf: &mut Vec<u8>, v: u64) {
    let _ = CompactFormatter.write_u64(buf, v);
}

/// An array of strings.
pub fn texts(buf: &mut Vec<u8>, items: &[String]) {
    buf.push(b'[');
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        text(buf, s);
    }
    buf.push(b']');
}

/// A GeoJSON point, as [`super::PointGeometry`] is encoded.
pub fn point(buf: &mut Vec<u8>, p: LonLat) {
    buf.extend_from_slice(br#"{"type":"Point","coordinates":["#);
    number(buf, p.lon());
    buf.push(b',');
    number(buf, p.lat());
    buf.extend_from_slice(b"]}");
}
