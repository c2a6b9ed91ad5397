//! Delimited inventory exports: a header line of field codes, then one notice per
//! record, streamed.
//!
//! - **Encoding**: a UTF-8 BOM, or a first megabyte that is valid UTF-8, means UTF-8;
//!   otherwise Windows-1252 (a superset of Latin-1 for text); or as given.
//! - **Delimiter**: the most frequent of `|`, `;`, tab and `,` in the header line,
//!   outside quotes; or as given. Fields may be quoted with `"`.
//! - **Unnamed trailing columns** (empty header names) are ignored: in real exports
//!   they carry fragments of the next record.
//! - **Records spilling into the next line** (a newline inside an unquoted text) are
//!   joined back when the two pieces together make exactly one record's width.
//! - **Limits** ([`crate::delimited`]): a record over 1 MiB is rejected with its line
//!   and read past, a field over 64 KiB rejects its record; the file is read on.

use super::{HeritageOptions, HeritageRecord, Notice, notice_to_record};
use crate::delimited::{Next, Records, oversized, too_long};
use crate::report::Rejection;
use crate::stream::Sink;
use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;

const SNIFF_BYTES: usize = 1 << 20;

pub fn read(
    path: &Path,
    options: &HeritageOptions,
    sink: &mut dyn Sink<HeritageRecord>,
) -> Result<(), Rejection> {
    let fail = |reason: String| Rejection::file(path, reason);
    let mut file = File::open(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    let mut sniff = Vec::with_capacity(SNIFF_BYTES);
    (&mut file)
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut sniff)
        .map_err(|e| fail(format!("cannot read: {e}")))?;
    let bom = sniff.starts_with(b"\xEF\xBB\xBF");
    let encoding = options.encoding.unwrap_or_else(|| detect_encoding(&sniff));
    let body = if bom { &sniff[3..] } else { &sniff[..] };
    let header_line = body.split(|&b| b == b'\n').next().unwrap_or_default();
    let delimiter = match options.delimiter {
        Some(d) => d,
        None => detect_delimiter(header_line)
            .ok_or_else(|| fail("no delimiter (`|`, `;`, tab or `,`) in the header line".into()))?,
    };
    file.seek(std::io::SeekFrom::Start(if bom { 3 } else { 0 }))
        .map_err(|e| fail(format!("cannot read: {e}")))?;
    let core = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
    let mut records = Records::new(core, BufReader::with_capacity(1 << 16, file));
    let mut record = csv::ByteRecord::new();
    let mut read_next = |record: &mut csv::ByteRecord| {
        records
            .next(record)
            .map_err(|e| fail(format!("unreadable: {e}")))
    };
    match read_next(&mut record)? {
        Next::End => return Err(fail("empty file".into())),
        Next::TooLong { .. } => return Err(fail(format!("header line: {}", too_long()))),
        Next::Record { .. } => {}
    }
    let header: Vec<String> = record
        .iter()
        .map(|f| encoding.decode_without_bom_handling(f).0.trim().to_owned())
        .collect();
    let width = header.len();
    if !header
        .iter()
        .any(|h| super::code_of(h) == "REF" || super::code_of(h) == "TICO")
    {
        return Err(fail(format!(
            "the header names no inventory field (REF, TICO…): is `{}` the delimiter?",
            char::from(delimiter).escape_default()
        )));
    }

    let mut pending: Option<(u64, Vec<Vec<u8>>)> = None;
    loop {
        let (next, too_long_at) = match read_next(&mut record)? {
            Next::Record { line } => (
                Some((line, record.iter().map(<[u8]>::to_vec).collect::<Vec<_>>())),
                None,
            ),
            Next::TooLong { line } => (None, Some(line)),
            Next::End => (None, None),
        };
        // Join a record cut by a newline with its continuation when the pieces make
        // exactly one record's width.
        if let (Some((_, acc)), Some((_, cont))) = (&mut pending, &next)
            && acc.len() < width
            && acc.len() + cont.len() - 1 == width
        {
            let (first, rest) = cont
                .split_first()
                .map_or((&[][..], &[][..]), |(f, r)| (f.as_slice(), r));
            if let Some(last) = acc.last_mut() {
                last.push(b'\n');
                last.extend_from_slice(first);
            }
            acc.extend(rest.iter().cloned());
            continue;
        }
        if let Some((line, fields)) = pending.take()
            && !emit(path, line, &header, &fields, encoding, sink)
        {
            return Ok(());
        }
        if let Some(line) = too_long_at {
            let rejection = Rejection {
                position: Some((line, 1)),
                ..Rejection::file(path, too_long())
            };
            if !sink.reject(rejection) {
                return Ok(());
            }
            continue;
        }
        match next {
            Some(n) => pending = Some(n),
            None => return Ok(()),
        }
    }
}

/// Decodes and converts one record; returns false when the sink wants to stop.
fn emit(
    path: &Path,
    line: u64,
    header: &[String],
    fields: &[Vec<u8>],
    encoding: &'static Encoding,
    sink: &mut dyn Sink<HeritageRecord>,
) -> bool {
    if fields.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
        return true; // a blank line
    }
    let reject = |field: &str, reason: String| Rejection {
        path: path.to_owned(),
        position: Some((line, 1)),
        field: Some(field.to_owned()),
        reason,
    };
    let mut notice = Notice::default();
    for (name, raw) in header.iter().zip(fields) {
        if name.is_empty() {
            continue;
        }
        if let Some(reason) = oversized(raw) {
            return sink.reject(reject(name, reason));
        }
        let value = if encoding == UTF_8 {
            match std::str::from_utf8(raw) {
                Ok(s) => s.to_owned(),
                Err(_) => {
                    return sink.reject(reject(
                        name,
                        "not valid UTF-8 (give --encoding windows-1252 if the file is not UTF-8)"
                            .into(),
                    ));
                }
            }
        } else {
            encoding.decode_without_bom_handling(raw).0.into_owned()
        };
        notice.push(name, value);
    }
    match notice_to_record(&notice, format!("line {line}")) {
        Ok(r) => sink.record(r),
        Err((field, reason)) => sink.reject(reject(&field, reason)),
    }
}

fn detect_encoding(sniff: &[u8]) -> &'static Encoding {
    if sniff.starts_with(b"\xEF\xBB\xBF") {
        return UTF_8;
    }
    match std::str::from_utf8(sniff) {
        Ok(_) => UTF_8,
        // Cut in the middle of a character at the end of the sample: still UTF-8.
        Err(e) if e.error_len().is_none() => UTF_8,
        Err(_) => WINDOWS_1252,
    }
}

fn detect_delimiter(header: &[u8]) -> Option<u8> {
    let mut counts = [0usize; 4];
    let candidates = [b'|', b';', b'\t', b','];
    let mut quoted = false;
    for &b in header {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(i) = candidates.iter().position(|&c| c == b) {
            counts[i] += 1;
        }
    }
    let (i, &n) = counts
        .iter()
        .enumerate()
        .max_by_key(|&(i, n)| (*n, std::cmp::Reverse(i)))?;
    (n > 0).then_some(candidates[i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stream::Collect;
    use std::io::Write;

    fn read_bytes(
        bytes: &[u8],
        options: &HeritageOptions,
    ) -> (Collect<HeritageRecord>, tempfile::NamedTempFile) {
        let mut f = tempfile::NamedTempFile::new().expect("temp");
        f.write_all(bytes).expect("write");
        let mut out = Collect::default();
        super::super::read(f.path(), options, &mut out).expect("readable");
        (out, f)
    }

    #[test]
    fn delimiters_are_detected_outside_quotes() {
        assert_eq!(detect_delimiter(b"REF|TICO|COOR"), Some(b'|'));
        assert_eq!(detect_delimiter(b"REF;TICO;\"a,b,c,d\""), Some(b';'));
        assert_eq!(detect_delimiter(b"REF\tTICO"), Some(b'\t'));
        assert_eq!(detect_delimiter(b"REF,TICO"), Some(b','));
        assert_eq!(detect_delimiter(b"REF"), None);
    }

    #[test]
    fn windows_1252_is_detected_and_decoded() {
        let text = "REF;TICO;COM\nPA00001;\u{c9}glise Saint-\u{c9}tienne;Meaux\n";
        let (latin, _, _) = WINDOWS_1252.encode(text);
        let (out, _f) = read_bytes(&latin, &HeritageOptions::default());
        assert_eq!(out.records.len(), 1, "{:?}", out.rejections);
        assert_eq!(out.records[0].poi.name, "Église Saint-Étienne");
        // Forced to UTF-8, the same bytes are refused with the line and field.
        let forced = HeritageOptions {
            encoding: Some(UTF_8),
            ..Default::default()
        };
        let (out, _f) = read_bytes(&latin, &forced);
        assert_eq!(out.records.len(), 0);
        let r = out.rejections[0].to_string();
        assert!(r.contains(":2:1: TICO: not valid UTF-8"), "{r}");
    }

    #[test]
    fn bom_quotes_and_unnamed_trailing_columns() {
        let text = "\u{feff}REF,TICO,DESC,,\nPA1,\"Moulin, dit \"\"du Roy\"\"\",texte,IA999,junk\n";
        let (out, _f) = read_bytes(text.as_bytes(), &HeritageOptions::default());
        assert_eq!(out.records.len(), 1, "{:?}", out.rejections);
        let p = &out.records[0].poi;
        assert_eq!(p.id.as_str(), "PA1");
        assert_eq!(p.name, "Moulin, dit \"du Roy\"");
        assert!(
            !p.details.provenance.values().any(|v| v == "IA999"),
            "unnamed columns are ignored"
        );
    }

    #[test]
    fn a_record_spilling_into_the_next_line_is_joined() {
        let text = "REF|TICO|HIST|COM\nPA1|Lavoir|Construit en 1850\net restauré en 1990.|Provins\nPA2|Moulin||Meaux\n";
        let (out, _f) = read_bytes(text.as_bytes(), &HeritageOptions::default());
        assert_eq!(out.records.len(), 2, "{:?}", out.rejections);
        let first = &out.records[0].poi;
        assert_eq!(first.commune.as_deref(), Some("Provins"));
        assert_eq!(
            first.details.history.as_deref(),
            Some("Construit en 1850\net restauré en 1990.")
        );
        assert_eq!(out.records[1].poi.commune.as_deref(), Some("Meaux"));
    }

    #[test]
    fn a_header_without_inventory_fields_refuses_the_file() {
        let mut f = tempfile::NamedTempFile::new().expect("temp");
        f.write_all(b"a;b\n1;2\n").expect("write");
        let mut out = Collect::default();
        let e = super::super::read(f.path(), &HeritageOptions::default(), &mut out)
            .expect_err("refused");
        assert!(e.reason.contains("REF"), "{e}");
    }
}
