//! Delimited text, read as bytes: `csv-core` splits rows and fields without decoding
//! (under the limits of [`crate::delimited`]), and only the fields kept are decoded. This works for every ASCII-compatible encoding,
//! since delimiters, quotes and line ends are ASCII.

use super::meta::Dialect;
use crate::delimited::Records;
use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use std::borrow::Cow;
use std::io::{BufRead, BufReader, Read};

const BOM: &[u8] = b"\xEF\xBB\xBF";
/// Read buffer: large enough to hold a long header line for delimiter sniffing.
const BUFFER: usize = 64 * 1024;

/// A buffered source with its UTF-8 byte order mark, if any, skipped.
pub fn buffered<R: Read>(source: R) -> std::io::Result<BufReader<R>> {
    let mut reader = BufReader::with_capacity(BUFFER, source);
    if reader.fill_buf()?.starts_with(BOM) {
        reader.consume(BOM.len());
    }
    Ok(reader)
}

/// The delimiter of a plain file, guessed from its header line (already buffered): the
/// most frequent of tab, comma and semicolon; tab wins ties, then comma.
pub fn sniff_delimiter<R: Read>(reader: &mut BufReader<R>) -> std::io::Result<u8> {
    let buf = reader.fill_buf()?;
    let line = match buf.iter().position(|&b| b == b'\n' || b == b'\r') {
        Some(end) => &buf[..end],
        None => buf,
    };
    let count = |c: u8| line.iter().filter(|&&b| b == c).count();
    let (tabs, commas, semis) = (count(b'\t'), count(b','), count(b';'));
    Ok(if tabs >= commas && tabs >= semis && tabs > 0 {
        b'\t'
    } else if commas >= semis {
        b','
    } else {
        b';'
    })
}

/// The line end of a plain file: `None` for `\n` or `\r\n`, `\r` for old Mac files.
pub fn sniff_terminator<R: Read>(reader: &mut BufReader<R>) -> std::io::Result<Option<u8>> {
    let buf = reader.fill_buf()?;
    Ok(match buf.iter().position(|&b| b == b'\n' || b == b'\r') {
        Some(i) if buf[i] == b'\r' && buf.get(i + 1).is_some_and(|&b| b != b'\n') => Some(b'\r'),
        _ => None,
    })
}

/// A blank line: one empty field.
pub fn blank(row: &csv::ByteRecord) -> bool {
    row.len() == 1 && trim(&row[0]).is_empty()
}

/// A record reader for a dialect, under the limits of [`crate::delimited`]; headers
/// are left to the caller.
pub fn records<R: BufRead>(source: R, dialect: &Dialect) -> Records<R> {
    let mut builder = csv_core::ReaderBuilder::new();
    builder
        .delimiter(dialect.delimiter)
        .quoting(dialect.quote.is_some());
    if let Some(q) = dialect.quote {
        builder.quote(q);
    }
    // Lines end at `\n` and the `\r` of `\r\n` goes with the trimming of the last field:
    // the crate's CRLF mode does not count lines, and rejections need physical lines.
    builder.terminator(csv_core::Terminator::Any(
        dialect.terminator.unwrap_or(b'\n'),
    ));
    Records::new(builder.build(), source)
}

/// A field as text. UTF-8 fields that are not valid UTF-8 are read as Windows-1252, the
/// usual culprit (spreadsheet exports); deciding field by field keeps the file streamed.
pub fn decode<'a>(bytes: &'a [u8], encoding: &'static Encoding) -> Cow<'a, str> {
    if encoding == UTF_8 {
        match std::str::from_utf8(bytes) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => WINDOWS_1252.decode_without_bom_handling(bytes).0,
        }
    } else {
        encoding.decode_without_bom_handling(bytes).0
    }
}

/// Leading and trailing ASCII white space removed.
pub fn trim(bytes: &[u8]) -> &[u8] {
    bytes.trim_ascii()
}

/// A decimal number, with `.` or `,` as decimal separator; `None` unless finite.
pub fn number(bytes: &[u8]) -> Option<f64> {
    let bytes = trim(bytes);
    let mut buf = [0u8; 64];
    let out = buf.get_mut(..bytes.len())?;
    let dot = bytes.contains(&b'.');
    for (o, &b) in out.iter_mut().zip(bytes) {
        // A comma is a decimal separator only when there is no dot.
        *o = if b == b',' && !dot { b'.' } else { b };
    }
    let s = std::str::from_utf8(out).ok()?;
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_with_dot_or_comma() {
        assert_eq!(number(b" 48.5 "), Some(48.5));
        assert_eq!(number(b"48,5"), Some(48.5));
        assert_eq!(number(b"-1,25"), Some(-1.25));
        assert_eq!(number(b"1,000.5"), None);
        assert_eq!(number(b"NaN"), None);
        assert_eq!(number(b"inf"), None);
        assert_eq!(number(b""), None);
        assert_eq!(number(b"12abc"), None);
        assert_eq!(number(&[b'1'; 100]), None);
    }

    #[test]
    fn decoding_falls_back_to_windows_1252() {
        assert_eq!(decode("Églantier".as_bytes(), UTF_8), "Églantier");
        assert_eq!(decode(b"\xC9glantier", UTF_8), "Églantier");
        assert_eq!(decode(b"\xC9glantier", WINDOWS_1252), "Églantier");
        let latin9 = Encoding::for_label(b"ISO-8859-15").expect("known label");
        assert_eq!(decode(b"\xA4", latin9), "€");
    }

    #[test]
    fn bom_skipped_and_delimiter_sniffed() {
        let mut r = buffered(&b"\xEF\xBB\xBFa;b;c,d\n1;2;3,4\n"[..]).expect("in memory");
        assert_eq!(sniff_delimiter(&mut r).expect("in memory"), b';');
        let mut rest = String::new();
        r.read_to_string(&mut rest).expect("in memory");
        assert!(rest.starts_with("a;b"));
        let mut r = buffered(&b"a,b\tc,d\r\n"[..]).expect("in memory");
        assert_eq!(sniff_delimiter(&mut r).expect("in memory"), b',');
        let mut r = buffered(&b"a\tb,c,d\n"[..]).expect("in memory");
        assert_eq!(sniff_delimiter(&mut r).expect("in memory"), b',');
        assert_eq!(sniff_terminator(&mut r).expect("in memory"), None);
        let mut r = buffered(&b"a\tb\tc,d\rx\r"[..]).expect("in memory");
        assert_eq!(sniff_terminator(&mut r).expect("in memory"), Some(b'\r'));
        assert_eq!(sniff_delimiter(&mut r).expect("in memory"), b'\t');
    }
}
