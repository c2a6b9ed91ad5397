//! JSON inventory exports, streamed one notice at a time: a POP notice (an object of
//! field codes), an array of them, or a GeoJSON FeatureCollection whose properties are
//! field codes or the old `chp*` names. Arrays become `" ; "`-joined text as in the
//! delimited exports; POP's `POP_COORDONNEES` (`{lat, lon}`), `POP_COORDINATES_POINT`
//! and the GeoJSON geometry become WGS84 candidates for [`super::location`].
//!
//! The file has no size limit, being streamed, but each notice has one
//! ([`MAX_NOTICE_BYTES`]): past it the file is not read further.

use super::{HeritageRecord, Notice, notice_to_record};
use crate::report::Rejection;
use crate::stream::Sink;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::cell::Cell;
use std::fmt;
use std::io::{BufReader, Read};
use std::path::Path;
use std::rc::Rc;

pub fn read(path: &Path, sink: &mut dyn Sink<HeritageRecord>) -> Result<(), Rejection> {
    let file = std::fs::File::open(path)
        .map_err(|e| Rejection::file(path, format!("cannot read: {e}")))?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut bom = [0u8; 3];
    let n = reader.by_ref().take(3).read(&mut bom).unwrap_or(0);
    let prefix: Vec<u8> = if bom[..n] == *b"\xEF\xBB\xBF" {
        Vec::new()
    } else {
        bom[..n].to_vec()
    };
    let used = Rc::new(Cell::new(0));
    let reader = Budget {
        inner: std::io::Cursor::new(prefix).chain(reader),
        used: Rc::clone(&used),
    };
    let mut items = Items {
        path,
        sink,
        count: 0,
        stopped: false,
        used,
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    match (&mut de).deserialize_any(TopVisitor(&mut items)) {
        Ok(()) => {}
        Err(_) if items.stopped => return Ok(()),
        Err(e) if e.is_io() && items.used.get() > MAX_NOTICE_BYTES => {
            let rejection = Rejection {
                field: Some(format!("notice {}", items.count + 1)),
                ..Rejection::file(
                    path,
                    format!(
                        "notice over {} MiB: the file is not read further",
                        MAX_NOTICE_BYTES >> 20
                    ),
                )
            };
            if items.count == 0 {
                return Err(rejection);
            }
            items.sink.reject(rejection);
            return Ok(());
        }
        Err(e) => {
            return Err(Rejection {
                path: path.to_owned(),
                position: (e.line() > 0).then(|| (e.line() as u64, e.column() as u64)),
                field: None,
                reason: format!("not valid JSON: {e}"),
            });
        }
    }
    if items.count == 0 {
        return Err(Rejection::file(path, "no notices"));
    }
    Ok(())
}

/// Largest notice or feature, in bytes of JSON: real ones are kilobytes (a long history
/// text, a building's outline). A value held in memory takes up to 16 times its JSON
/// (`[0,0,…]`), so this bounds a notice to tens of megabytes whatever the file.
pub const MAX_NOTICE_BYTES: u64 = 4 * 1024 * 1024;

struct Items<'a> {
    path: &'a Path,
    sink: &'a mut dyn Sink<HeritageRecord>,
    count: u64,
    /// The sink asked to stop: the deserializer is interrupted with an error.
    stopped: bool,
    /// Bytes read since the last notice ended (see [`Budget`]).
    used: Rc<Cell<u64>>,
}

/// The file as the deserializer reads it: an error once a notice (the bytes read since
/// the previous one ended) goes over [`MAX_NOTICE_BYTES`].
struct Budget<R> {
    inner: R,
    used: Rc<Cell<u64>>,
}

impl<R: Read> Read for Budget<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.used.set(self.used.get() + n as u64);
        if self.used.get() > MAX_NOTICE_BYTES {
            return Err(std::io::Error::other("notice too large"));
        }
        Ok(n)
    }
}

impl Items<'_> {
    /// Converts one notice or feature; false when the sink wants to stop.
    fn item(&mut self, value: Value) -> bool {
        self.used.set(0);
        self.count += 1;
        let n = self.count;
        let reject = |field: String, reason: String| Rejection {
            path: self.path.to_owned(),
            position: None,
            field: Some(format!("notice {n}: {field}")),
            reason,
        };
        let go_on = match notice_of(value) {
            Some(notice) => match notice_to_record(&notice, format!("notice {n}")) {
                Ok(r) => self.sink.record(r),
                Err((field, reason)) => self.sink.reject(reject(field, reason)),
            },
            None => self
                .sink
                .reject(reject("notice".into(), "not an object of fields".into())),
        };
        self.stopped = !go_on;
        go_on
    }
}

/// A notice from a POP object or a GeoJSON feature.
fn notice_of(value: Value) -> Option<Notice> {
    let Value::Object(mut obj) = value else {
        return None;
    };
    let mut notice = Notice::default();
    let geometry = if obj.get("type").and_then(Value::as_str) == Some("Feature") {
        let geometry = obj.remove("geometry");
        obj = match obj.remove("properties") {
            Some(Value::Object(p)) => p,
            _ => Map::new(),
        };
        geometry
    } else {
        None
    };
    if let Some(p) = obj.remove("POP_COORDONNEES")
        && let (Some(lat), Some(lon)) = (
            p.get("lat").and_then(Value::as_f64),
            p.get("lon").and_then(Value::as_f64),
        )
    {
        notice.wgs84.push(("POP_COORDONNEES", lon, lat));
    }
    for (field, g) in [
        ("POP_COORDINATES_POINT", obj.remove("POP_COORDINATES_POINT")),
        ("geometry", geometry),
    ] {
        if let Some(g) = g
            && g.get("type").and_then(Value::as_str) == Some("Point")
            && let Some([lon, lat, ..]) = g
                .get("coordinates")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
            && let (Some(lon), Some(lat)) = (lon.as_f64(), lat.as_f64())
        {
            notice.wgs84.push((field, lon, lat));
        }
    }
    for (name, v) in obj {
        let text = match v {
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Array(items) => items
                .iter()
                .filter_map(|i| match i {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join(" ; "),
            Value::Null | Value::Object(_) => continue,
        };
        notice.push(&name, text);
    }
    Some(notice)
}

/// The document: an array of notices, a FeatureCollection (its `features` streamed), or
/// one notice.
struct TopVisitor<'a, 'b>(&'a mut Items<'b>);

impl<'de> Visitor<'de> for TopVisitor<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a notice, an array of notices or a GeoJSON FeatureCollection")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        ItemsSeed(self.0).visit_seq(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut rest = Map::new();
        let mut features = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "features" {
                features = true;
                map.next_value_seed(ItemsSeed(self.0))?;
            } else {
                rest.insert(key, map.next_value()?);
            }
        }
        if !features && !self.0.item(Value::Object(rest)) {
            return Err(serde::de::Error::custom("stopped"));
        }
        Ok(())
    }
}

/// A sequence of notices, each handed over as soon as it is read.
struct ItemsSeed<'a, 'b>(&'a mut Items<'b>);

impl<'de> DeserializeSeed<'de> for ItemsSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ItemsSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of notices or features")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(v) = seq.next_element::<Value>()? {
            if !self.0.item(v) {
                return Err(serde::de::Error::custom("stopped"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stream::Collect;
    use std::io::Write;

    fn read_text(text: &str) -> Result<Collect<HeritageRecord>, Rejection> {
        let mut f = tempfile::NamedTempFile::new().expect("temp");
        f.write_all(text.as_bytes()).expect("write");
        let mut out = Collect::default();
        read(f.path(), &mut out).map(|()| out)
    }

    #[test]
    fn arrays_features_and_single_notices() {
        let out = read_text(r#"[{"REF":"PA1","TICO":"Lavoir","SCLE":["15e siècle","16e siècle"]},{"REF":"PA2","TICO":"Moulin"}]"#)
            .expect("array");
        assert_eq!(out.records.len(), 2);
        assert_eq!(
            out.records[0].poi.details.period.as_deref(),
            Some("15e siècle ; 16e siècle")
        );
        let out = read_text(
            r#"{"type":"FeatureCollection","name":"x","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[2.9,48.5]},"properties":{"chptico":"Église","chpinsee":"77284"}}]}"#,
        )
        .expect("features");
        assert_eq!(out.records.len(), 1);
        let p = &out.records[0].poi;
        assert_eq!(p.name, "Église");
        assert_eq!(p.pos.map(|q| (q.lon(), q.lat())), Some((2.9, 48.5)));
        let out = read_text(r#"{"REF":"PA3","TICO":"Croix","POP_COORDONNEES":{"lat":0,"lon":0}}"#)
            .expect("one");
        assert_eq!(out.records[0].poi.pos, None);
    }

    #[test]
    fn broken_json_is_located() {
        let e = read_text("[{\"REF\":\"PA1\",\n\"TICO\": }]").expect_err("refused");
        assert_eq!(e.position.map(|p| p.0), Some(2));
        assert!(e.reason.starts_with("not valid JSON"), "{e}");
        let e = read_text("[]").expect_err("refused");
        assert!(e.reason.contains("no notices"));
    }

    #[test]
    fn a_non_object_item_is_a_located_rejection() {
        let out = read_text(r#"[{"REF":"PA1","TICO":"x"}, 12]"#).expect("read");
        assert_eq!(out.records.len(), 1);
        assert_eq!(out.rejections[0].field.as_deref(), Some("notice 2: notice"));
    }
}
