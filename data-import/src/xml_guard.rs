//! What every XML reader refuses before its parser sees it: DTD entity declarations.
//!
//! xml-rs 0.8 expands the internal entities a DTD declares. Its own limits (ten levels
//! of nesting, a megabyte queued) stop the classic "billion laughs" in text, but not
//! parameter entities, which it expands as they are declared (nine declarations, a few
//! hundred bytes, ask for a gigabyte), nor a large entity used many times in an
//! attribute (a 1 MB file asks for 2 GB); `tests/xml_entities.rs` keeps those files.
//! No source Balade reads needs entities, so a document that declares one is refused
//! with [`REASON`] before any parser runs.
//!
//! The check is on bytes: `<!ENTITY` in ASCII-compatible encodings or in UTF-16, the
//! encodings xml-rs reads, anywhere in the document. Outside a DTD only a comment or a
//! CDATA section could hold those bytes; refusing them too costs nothing.
//!
//! Streamed documents are parsed by [`reader`], which bounds what one element may hold
//! in memory, from a [`Guard`], which can bound a whole document (a `meta.xml` inside an
//! archive is decompressed as it is read).

use std::io::{self, Read};
use xml::reader::{EventReader, ParserConfig2};

/// Why a document with entity declarations is refused.
pub const REASON: &str = "DTD entities are not accepted";
/// Longest attribute value or text of a streamed document: OSM values are at most 255
/// characters, a `meta.xml` holds short terms and URIs.
pub const MAX_VALUE_BYTES: usize = 64 * 1024;
/// Most attributes on one element of a streamed document (OSM elements have a dozen).
pub const MAX_ATTRIBUTES: usize = 256;

/// `<!ENTITY` as the bytes of each encoding xml-rs reads.
const PATTERNS: [&[u8]; 3] = [
    b"<!ENTITY",
    b"<\0!\0E\0N\0T\0I\0T\0Y\0",
    b"\0<\0!\0E\0N\0T\0I\0T\0Y",
];
/// The longest pattern, less one: what a chunk must keep of the one before.
const CARRY: usize = 15;

/// Where the first entity declaration starts in `bytes`, if any.
pub fn find_entity_declaration(bytes: &[u8]) -> Option<usize> {
    PATTERNS
        .iter()
        .filter_map(|p| bytes.windows(p.len()).position(|w| w == *p))
        .min()
}

/// The 1-based line and column (in bytes) of `offset`, for a rejection.
pub fn line_column(bytes: &[u8], offset: usize) -> (u64, u64) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    (line, (before.len() - start) as u64 + 1)
}

/// A parser for a streamed document, under [`MAX_VALUE_BYTES`] and [`MAX_ATTRIBUTES`].
/// Give it a [`Guard`]ed source.
pub fn reader<R: Read>(source: R) -> EventReader<R> {
    ParserConfig2::new()
        .max_attribute_length(MAX_VALUE_BYTES)
        .max_data_length(MAX_VALUE_BYTES)
        .max_attributes(MAX_ATTRIBUTES)
        .max_name_length(1024)
        .create_reader(source)
}

/// The reason a [`Guard`] stopped the document, when it did: a parser error that
/// wraps the guard's own.
pub fn stopped(e: &xml::reader::Error) -> Option<String> {
    match e.kind() {
        xml::reader::ErrorKind::Io(io) if io.kind() == io::ErrorKind::InvalidData => {
            Some(io.to_string())
        }
        _ => None,
    }
}

/// A source that fails with [`REASON`] as soon as an entity declaration shows up, and
/// with a size message beyond its limit, if it has one.
#[derive(Debug)]
pub struct Guard<R> {
    inner: R,
    /// The last bytes of the previous chunk: a pattern may straddle two reads.
    tail: Vec<u8>,
    read: u64,
    limit: Option<(u64, &'static str)>,
}

impl<R: Read> Guard<R> {
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            tail: Vec::with_capacity(2 * CARRY),
            read: 0,
            limit: None,
        }
    }

    /// Refuses a document over `max` bytes, named `what` in the message.
    pub fn limited(inner: R, max: u64, what: &'static str) -> Self {
        Self {
            limit: Some((max, what)),
            ..Self::new(inner)
        }
    }
}

impl<R: Read> Read for Guard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if let Some((max, what)) = self.limit
            && self.read > max
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{what} is over {} KiB", max >> 10),
            ));
        }
        let chunk = &buf[..n];
        self.tail.extend_from_slice(&chunk[..n.min(CARRY)]);
        if find_entity_declaration(&self.tail).is_some() || find_entity_declaration(chunk).is_some()
        {
            return Err(io::Error::new(io::ErrorKind::InvalidData, REASON));
        }
        if n >= CARRY {
            self.tail.clear();
            self.tail.extend_from_slice(&chunk[n - CARRY..]);
        } else {
            let excess = self.tail.len().saturating_sub(CARRY);
            self.tail.drain(..excess);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `bytes` through a guard, `chunk` bytes at a time.
    fn through(bytes: &[u8], chunk: usize) -> io::Result<Vec<u8>> {
        struct Chunks<'a>(&'a [u8], usize);
        impl Read for Chunks<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut out = Vec::new();
        Guard::new(Chunks(bytes, chunk)).read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn declarations_are_found_in_every_encoding_and_across_reads() {
        let doc = b"<?xml version='1.0'?>\n<!DOCTYPE x [\n <!ENTITY a 'b'>]>\n<x>&a;</x>";
        assert_eq!(find_entity_declaration(doc), Some(37));
        assert_eq!(line_column(doc, 37), (3, 2));
        let utf16: Vec<u8> = String::from_utf8_lossy(doc)
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let utf16be: Vec<u8> = String::from_utf8_lossy(doc)
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        for bytes in [&doc[..], &utf16, &utf16be] {
            assert!(find_entity_declaration(bytes).is_some());
            for chunk in [1, 2, 3, 7, 8, 15, 16, 17, 4096] {
                let e = through(bytes, chunk).expect_err("refused");
                assert_eq!(e.to_string(), REASON, "chunk {chunk}");
            }
        }
        let plain = b"<!DOCTYPE x [<!ELEMENT x ANY>]><x>ENTITY &lt;!ENTITY</x>";
        assert_eq!(find_entity_declaration(plain), None);
        for chunk in [1, 5, 8, 100] {
            assert_eq!(through(plain, chunk).expect("passes"), plain);
        }
    }

    #[test]
    fn a_limited_guard_refuses_beyond_its_size() {
        let mut out = Vec::new();
        let e = Guard::limited(&[b' '; 3000][..], 2048, "meta.xml")
            .read_to_end(&mut out)
            .expect_err("too big");
        assert_eq!(e.to_string(), "meta.xml is over 2 KiB");
    }
}
