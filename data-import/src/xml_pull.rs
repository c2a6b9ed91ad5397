//! Large XML sources (OSM extracts of hundreds of megabytes) read with `quick-xml`, with
//! the positions and bounds the `xml-rs` readers get from [`crate::xml_guard`].
//!
//! - [`Located`] sits between the file and the parser: it counts lines as the parser
//!   consumes bytes, so an event's line and column are known when it starts, and it
//!   refuses an event (tag, text, comment) longer than [`MAX_EVENT_BYTES`] before the
//!   parser buffers more of it: memory stays bounded whatever the file holds.
//! - [`attributes`] decodes a start tag's attributes under
//!   [`xml_guard::MAX_ATTRIBUTES`] and [`xml_guard::MAX_VALUE_BYTES`].
//! - The file goes through a [`xml_guard::Guard`] first: entity declarations are refused
//!   as before; without them quick-xml only knows the five predefined entities and
//!   character references, so nothing expands.
//! - UTF-8 only (OSM XML is UTF-8 by definition); a UTF-16 file is refused by name.

use crate::xml_guard::{self, Guard};
use quick_xml::events::BytesStart;
use std::borrow::Cow;
use std::io::{self, BufRead, BufReader, Read};

/// Longest event the parser may buffer: a tag with [`xml_guard::MAX_ATTRIBUTES`] short
/// attributes, or a text of [`xml_guard::MAX_VALUE_BYTES`], fits many times over.
pub const MAX_EVENT_BYTES: u64 = 1024 * 1024;

/// A line and a column (in bytes), both from 1.
pub type Position = (u64, u64);

/// A buffered source that knows the line and column of what it has handed out, and
/// stops an event past [`MAX_EVENT_BYTES`].
#[derive(Debug)]
pub struct Located<R> {
    inner: R,
    consumed: u64,
    line: u64,
    line_start: u64,
    /// Bytes consumed since [`Located::mark`]: the event being read.
    event: u64,
}

impl<R: BufRead> Located<R> {
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            consumed: 0,
            line: 1,
            line_start: 0,
            event: 0,
        }
    }

    /// The line and column of `offset`, the parser's position before an event (where
    /// the event starts), and the count of the event's bytes starts again.
    ///
    /// The parser may have consumed one byte more than `offset`, the `<` that ended a
    /// text: never a newline, so the line is the one counted.
    pub fn mark(&mut self, offset: u64) -> Position {
        self.event = 0;
        (self.line, offset.saturating_sub(self.line_start) + 1)
    }
}

impl<R: BufRead> Read for Located<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Located<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.event > MAX_EVENT_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "a tag, text or comment of more than {} KiB",
                    MAX_EVENT_BYTES >> 10
                ),
            ));
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        // The bytes being consumed are still at the front of the inner buffer.
        if let Ok(buf) = self.inner.fill_buf() {
            let taken = &buf[..n.min(buf.len())];
            if let Some(last) = taken.iter().rposition(|&b| b == b'\n') {
                self.line += taken.iter().filter(|&&b| b == b'\n').count() as u64;
                self.line_start = self.consumed + last as u64 + 1;
            }
        }
        self.consumed += n as u64;
        self.event += n as u64;
        self.inner.consume(n);
    }
}

/// A guarded, located quick-xml reader of `file`.
pub fn reader<R: Read>(file: R) -> quick_xml::Reader<Located<BufReader<Guard<R>>>> {
    let mut reader = quick_xml::Reader::from_reader(Located::new(BufReader::with_capacity(
        64 * 1024,
        Guard::new(file),
    )));
    // Whitespace between elements stays a text event, so that an element's `<` is where
    // the previous event ended and `Located::mark` names its line.
    let config = reader.config_mut();
    config.check_end_names = true;
    config.trim_text(false);
    reader
}

/// Where the next event starts, its bytes counted from there.
pub fn mark<R: BufRead>(reader: &mut quick_xml::Reader<Located<R>>) -> Position {
    let offset = reader.buffer_position();
    reader.get_mut().mark(offset)
}

/// Why the parser stopped, as a rejection reason: a guard's or a bound's own message,
/// else the parser's.
pub fn reason(e: &quick_xml::Error) -> String {
    match e {
        quick_xml::Error::Io(io) if io.kind() == io::ErrorKind::InvalidData => io.to_string(),
        quick_xml::Error::Io(io) => format!("cannot read the file: {io}"),
        other => format!("malformed XML: {other}"),
    }
}

/// The name and value of each attribute of `tag`, under the bounds: `Err` holds the
/// reason an element is refused.
pub fn attributes<'a>(tag: &'a BytesStart<'a>) -> Result<Vec<(&'a str, Cow<'a, str>)>, String> {
    let mut out = Vec::with_capacity(8);
    for attribute in tag.attributes() {
        let attribute = attribute.map_err(|e| format!("malformed XML: {e}"))?;
        if out.len() == xml_guard::MAX_ATTRIBUTES {
            return Err(format!(
                "more than {} attributes on one element",
                xml_guard::MAX_ATTRIBUTES
            ));
        }
        if attribute.value.len() > xml_guard::MAX_VALUE_BYTES {
            return Err(format!(
                "a value of more than {} KiB",
                xml_guard::MAX_VALUE_BYTES >> 10
            ));
        }
        let name = std::str::from_utf8(attribute.key.local_name().into_inner())
            .map_err(|_| "malformed XML: an attribute name is not UTF-8".to_owned())?;
        let value = attribute
            .unescape_value()
            .map_err(|e| format!("malformed XML: {e}"))?;
        out.push((name, value));
    }
    Ok(out)
}

/// Whether `head` (a file's first bytes) is UTF-16, which quick-xml does not read.
pub fn is_utf16(head: &[u8]) -> bool {
    head.starts_with(&[0xFF, 0xFE])
        || head.starts_with(&[0xFE, 0xFF])
        || head.starts_with(b"<\0")
        || head.starts_with(b"\0<")
}

#[cfg(test)]
mod tests {
    use super::*;
    use quick_xml::events::Event;

    /// Each start tag's name and position.
    fn starts(xml: &[u8]) -> Vec<(String, Position)> {
        let mut r = reader(xml);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        loop {
            let at = mark(&mut r);
            match r.read_event_into(&mut buf).unwrap() {
                Event::Start(e) | Event::Empty(e) => {
                    out.push((String::from_utf8_lossy(e.name().as_ref()).into_owned(), at))
                }
                Event::Eof => return out,
                _ => {}
            }
            buf.clear();
        }
    }

    #[test]
    fn events_are_placed_by_line_and_column() {
        let xml = b"<a>\n  <b/><c\n x='1'/>\n<!-- two\nlines -->\t<d>text&amp;\n</d>x<e/></a>";
        assert_eq!(
            starts(xml),
            [
                ("a".to_owned(), (1, 1)),
                ("b".to_owned(), (2, 3)),
                ("c".to_owned(), (2, 7)),
                ("d".to_owned(), (5, 11)),
                ("e".to_owned(), (6, 6)),
            ]
        );
    }

    #[test]
    fn an_endless_tag_stops_at_the_bound() {
        let mut xml = b"<osm><node k='".to_vec();
        xml.resize(xml.len() + 3 * MAX_EVENT_BYTES as usize, b'v');
        let mut r = reader(&xml[..]);
        let mut buf = Vec::new();
        let e = loop {
            mark(&mut r);
            match r.read_event_into(&mut buf) {
                Ok(Event::Eof) => panic!("read to the end"),
                Ok(_) => buf.clear(),
                Err(e) => break e,
            }
        };
        assert_eq!(reason(&e), "a tag, text or comment of more than 1024 KiB");
        assert!(buf.len() <= 2 * MAX_EVENT_BYTES as usize, "{}", buf.len());
    }

    #[test]
    fn attributes_are_unescaped_and_bounded() {
        let tag = |xml: &'static str| BytesStart::from_content(xml, 3);
        let t = tag("tag k='name' v='Caf&#233; &amp; th&#xE9;'");
        assert_eq!(
            attributes(&t).unwrap(),
            [("k", Cow::from("name")), ("v", Cow::from("Café & thé"))]
        );
        let long = format!("tag v='{}'", "x".repeat(xml_guard::MAX_VALUE_BYTES + 1));
        let t = BytesStart::from_content(long.as_str(), 3);
        assert_eq!(attributes(&t).unwrap_err(), "a value of more than 64 KiB");
        let many: String = (0..=xml_guard::MAX_ATTRIBUTES)
            .map(|i| format!(" a{i}='1'"))
            .collect();
        let many = format!("tag{many}");
        let t = BytesStart::from_content(many.as_str(), 3);
        assert!(attributes(&t).unwrap_err().starts_with("more than 256"));
        for bad in ["tag v='&unknown;'", "tag v=1", "tag v='1' v='2'"] {
            let t = tag(bad);
            assert!(
                attributes(&t).unwrap_err().starts_with("malformed XML"),
                "{bad}"
            );
        }
    }

    #[test]
    fn utf16_is_told_apart() {
        assert!(is_utf16(b"\xFF\xFE<\0o\0"));
        assert!(is_utf16(b"<\0o\0s\0m\0"));
        assert!(!is_utf16(b"<?xml version='1.0'?>"));
        assert!(!is_utf16(b"\xEF\xBB\xBF<osm>"));
    }
}
