//! Delimited text read record by record under limits, for the heritage and Darwin Core
//! tables. The `csv` crate grows a record as long as its input goes on, so a file with
//! no line end, or with a quote never closed, would be held whole; here a record is
//! read with `csv-core` into buffers that stop growing at [`MAX_RECORD_BYTES`], and
//! the rest of such a record is read past (with the same quoting rules) and told as
//! [`Next::TooLong`] with its first line, so that reading goes on at the next record.
//!
//! Limits, and why:
//! - **[`MAX_RECORD_BYTES`], 1 MiB per record** (a line, or several when a quoted field
//!   holds line ends): a Mérimée notice of 107 fields is a few kilobytes, a GBIF
//!   occurrence row of 250 columns too. A hundred times the largest real record, while
//!   memory stays a few megabytes per reader.
//! - **[`MAX_FIELD_BYTES`], 64 KiB per field kept**: the longest texts (a notice's
//!   history, an observation's remarks) run to a few thousand characters; a longer
//!   field is a broken file (a quote that swallowed the lines after it), and it would
//!   be stored and served whole. Readers check the fields they keep with [`oversized`].

use csv::ByteRecord;
use std::io::{self, BufRead};

/// Longest record, in bytes as written.
pub const MAX_RECORD_BYTES: usize = 1024 * 1024;
/// Longest field a reader keeps, in bytes as written.
pub const MAX_FIELD_BYTES: usize = 64 * 1024;

/// What [`Records::next`] read; `line` is the 1-based line where the record starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Record {
        line: u64,
    },
    /// A record over [`MAX_RECORD_BYTES`], read past.
    TooLong {
        line: u64,
    },
    End,
}

/// The reason of a [`Next::TooLong`].
pub fn too_long() -> String {
    format!(
        "record over {} MiB (a line without end, or a quote never closed?): skipped",
        MAX_RECORD_BYTES >> 20
    )
}

/// Why a field cannot be kept, if it is over [`MAX_FIELD_BYTES`].
pub fn oversized(field: &[u8]) -> Option<String> {
    (field.len() > MAX_FIELD_BYTES).then(|| {
        format!(
            "field of {} KiB, over the {} KiB limit",
            field.len().div_ceil(1024),
            MAX_FIELD_BYTES >> 10
        )
    })
}

/// Records of a buffered source, read with a `csv-core` reader configured by the caller.
#[derive(Debug)]
pub struct Records<R> {
    core: csv_core::Reader,
    source: R,
    /// The record being read: field bytes, and where each field ends.
    fields: Vec<u8>,
    ends: Vec<usize>,
}

impl<R: BufRead> Records<R> {
    pub fn new(core: csv_core::Reader, source: R) -> Self {
        Self {
            core,
            source,
            fields: vec![0; 4096],
            ends: vec![0; 64],
        }
    }

    /// Reads the next record into `record`; `Err` only when the source fails.
    pub fn next(&mut self, record: &mut ByteRecord) -> io::Result<Next> {
        use csv_core::ReadRecordResult::*;
        record.clear();
        let line = self.core.line();
        let (mut out, mut end, mut read) = (0usize, 0usize, 0usize);
        let mut skipping = false;
        loop {
            let input = self.source.fill_buf()?;
            let (result, nin, nout, nend) =
                self.core
                    .read_record(input, &mut self.fields[out..], &mut self.ends[end..]);
            self.source.consume(nin);
            read += nin;
            if !skipping {
                out += nout;
                end += nend;
                // Past the limit, the rest is read into the same buffers, overwritten.
                skipping = read > MAX_RECORD_BYTES;
            }
            if skipping {
                (out, end) = (0, 0);
            }
            match result {
                InputEmpty => {}
                OutputFull if !skipping => self.fields.resize(self.fields.len() * 2, 0),
                OutputEndsFull if !skipping => self.ends.resize(self.ends.len() * 2, 0),
                OutputFull | OutputEndsFull => {}
                Record if skipping => return Ok(Next::TooLong { line }),
                Record => {
                    let mut start = 0;
                    for &stop in &self.ends[..end] {
                        record.push_field(&self.fields[start..stop]);
                        start = stop;
                    }
                    return Ok(Next::Record { line });
                }
                End => return Ok(Next::End),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(bytes: &[u8]) -> Vec<(Next, Vec<Vec<u8>>)> {
        let mut records = Records::new(csv_core::Reader::new(), bytes);
        let mut record = ByteRecord::new();
        let mut out = Vec::new();
        loop {
            let next = records.next(&mut record).expect("in memory");
            if next == Next::End {
                return out;
            }
            out.push((next, record.iter().map(<[u8]>::to_vec).collect()));
        }
    }

    #[test]
    fn records_fields_and_lines_as_the_csv_crate_reads_them() {
        let text = b"a,b\n\"x\ny\",\"q\"\"q\"\n\nlast,";
        let got = all(text);
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(&text[..]);
        let want: Vec<(Next, Vec<Vec<u8>>)> = csv
            .byte_records()
            .map(|r| {
                let r = r.expect("in memory");
                let line = r.position().expect("position").line();
                (
                    Next::Record { line },
                    r.iter().map(<[u8]>::to_vec).collect(),
                )
            })
            .collect();
        assert_eq!(got, want);
        assert_eq!(got[1].1, [b"x\ny".to_vec(), b"q\"q".to_vec()]);
        // As with the `csv` crate, a blank line before a record counts as its first.
        assert_eq!(got[2].0, Next::Record { line: 4 });
    }

    #[test]
    fn a_record_over_the_limit_is_read_past() {
        let mut text = b"h1,h2\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', MAX_RECORD_BYTES + 10));
        text.extend_from_slice(b",y\nok,1\n\"");
        // A quote never closed: the rest of the file is one record.
        text.extend(std::iter::repeat_n(b'z', 3 * MAX_RECORD_BYTES));
        text.extend_from_slice(b"\nmore,2\n");
        let got = all(&text);
        let lines: Vec<Next> = got.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            lines,
            [
                Next::Record { line: 1 },
                Next::TooLong { line: 2 },
                Next::Record { line: 3 },
                Next::TooLong { line: 4 },
            ]
        );
        assert_eq!(got[2].1, [b"ok".to_vec(), b"1".to_vec()]);
        // Many empty fields are many ends: bounded the same way.
        let commas = vec![b','; 2 * MAX_RECORD_BYTES];
        assert_eq!(all(&commas)[0].0, Next::TooLong { line: 1 });
        assert!(oversized(&[b'a'; MAX_FIELD_BYTES]).is_none());
        assert_eq!(
            oversized(&[b'a'; MAX_FIELD_BYTES + 1]).as_deref(),
            Some("field of 65 KiB, over the 64 KiB limit")
        );
    }
}
