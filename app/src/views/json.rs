//! JSON written by hand for the hot answers (nearby, the circuit list): the fixed parts
//! go out as they are and only texts and numbers are encoded, so no value is built per
//! feature. Each writer is tested to give the bytes serde gives for its schema's types.

use balade_core::LonLat;
use serde_json::ser::{CompactFormatter, Formatter};

// Writing into a Vec cannot fail: the results below are dropped for that reason.

/// A JSON string. Most texts (ids, kinds, names) hold nothing to escape: they are
/// copied whole, which is several times faster than serde's byte-by-byte escaping on
/// the nearby answer; the others go through serde.
pub fn text(buf: &mut Vec<u8>, s: &str) {
    // No early exit: the fold over every byte compiles to vector code.
    let plain = !s.bytes().fold(false, |escape, b| {
        escape | (b < 0x20) | (b == b'"') | (b == b'\\')
    });
    if plain {
        buf.reserve(s.len() + 2);
        buf.push(b'"');
        buf.extend_from_slice(s.as_bytes());
        buf.push(b'"');
    } else {
        let _ = serde_json::to_writer(&mut *buf, s);
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_written_as_serde_writes_it() {
        let every_ascii: String = (0u8..0x80).map(char::from).collect();
        let texts = [
            "",
            "syn-150520",
            "Église Saint-Étienne 🌳",
            "Moulin \"du Roy\"",
            "back\\slash",
            "ligne\nsuivante\t\u{1}\u{1f}",
            "</script><b>",
            "\u{7f}",
            every_ascii.as_str(),
        ];
        for s in texts {
            let mut buf = b"x".to_vec();
            text(&mut buf, s);
            let mut expected = b"x".to_vec();
            expected.extend(serde_json::to_vec(s).expect("encodes"));
            assert_eq!(
                String::from_utf8_lossy(&buf),
                String::from_utf8_lossy(&expected),
                "{s:?}"
            );
        }
    }
}
