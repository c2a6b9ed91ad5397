//! The archive descriptor, `meta.xml`: how the core data file is written and which column
//! holds which term. Only `<core>` is read; extensions are skipped. Missing attributes
//! take the Darwin Core text guide's defaults: comma-separated, `"`-quoted, `\n` lines,
//! UTF-8, no header line. A descriptor over [`MAX_BYTES`], or one that declares DTD
//! entities, is refused (see [`crate::xml_guard`]).

use crate::report::Rejection;
use crate::xml_guard::{self, Guard};
use encoding_rs::Encoding;
use std::io::{BufReader, Read};
use std::path::Path;
use xml::common::Position;
use xml::reader::XmlEvent;

/// A larger descriptor is refused: real ones are a few kilobytes (235 fields take 18 KB),
/// and one inside an archive is decompressed as it is read.
pub const MAX_BYTES: u64 = 1024 * 1024;

/// The core rowType this reader accepts.
pub const OCCURRENCE: &str = "http://rs.tdwg.org/dwc/terms/Occurrence";

/// The `<core>` of a descriptor.
#[derive(Debug, Clone, PartialEq)]
pub struct Descriptor {
    pub dialect: Dialect,
    /// The core data file, relative to meta.xml.
    pub location: String,
    /// Column of the row's id (`<id index>`).
    pub id_index: Option<usize>,
    pub fields: Vec<FieldSpec>,
}

/// How a delimited text file is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Dialect {
    pub delimiter: u8,
    /// `None`: fields are never enclosed.
    pub quote: Option<u8>,
    /// `None`: `\n` or `\r\n`; else one other byte (`\r` for old Mac files).
    pub terminator: Option<u8>,
    pub encoding: &'static Encoding,
    /// Lines to skip before the first row.
    pub header_lines: u64,
}

/// One `<field>`: a column, or a constant default when it has no index.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSpec {
    pub index: Option<usize>,
    pub term: String,
    pub default: Option<String>,
}

/// Reads a descriptor; errors are located in meta.xml (line, column).
pub fn parse(path: &Path, source: impl Read) -> Result<Descriptor, Rejection> {
    let mut reader = xml_guard::reader(BufReader::new(Guard::limited(
        source, MAX_BYTES, "meta.xml",
    )));
    let mut core: Option<Descriptor> = None;
    // Depth inside `<core>` (0 = outside), and whether we are in `<location>`.
    let mut depth = 0usize;
    let mut in_location = false;
    let mut done = false;
    loop {
        let event = reader.next().map_err(|e| {
            let p = e.position();
            let reason = xml_guard::stopped(&e).unwrap_or_else(|| e.msg().to_owned());
            located(path, p.row, p.column, None, reason)
        })?;
        let at = reader.position();
        let fail = |field: &str, reason: String| {
            Err(located(path, at.row, at.column, Some(field), reason))
        };
        match event {
            XmlEvent::StartElement {
                name, attributes, ..
            } => {
                let attr = |key: &str| {
                    attributes
                        .iter()
                        .find(|a| a.name.local_name == key)
                        .map(|a| a.value.as_str())
                };
                if depth > 0 {
                    depth += 1;
                    match name.local_name.as_str() {
                        "location" => in_location = true,
                        "id" => {
                            if let (Some(core), Some(i)) = (core.as_mut(), attr("index")) {
                                match index(i) {
                                    Some(i) => core.id_index = Some(i),
                                    None => {
                                        return fail(
                                            "id",
                                            format!("index `{i}` is not a column number"),
                                        );
                                    }
                                }
                            }
                        }
                        "field" => {
                            let term = attr("term").unwrap_or_default().trim().to_owned();
                            let idx = match attr("index") {
                                None => None,
                                Some(i) => match index(i) {
                                    Some(i) => Some(i),
                                    None => {
                                        return fail(
                                            "field",
                                            format!("index `{i}` of {term} is not a column number"),
                                        );
                                    }
                                },
                            };
                            if let Some(core) = core.as_mut() {
                                core.fields.push(FieldSpec {
                                    index: idx,
                                    term,
                                    default: attr("default").map(str::to_owned),
                                });
                            }
                        }
                        _ => {}
                    }
                } else if name.local_name == "core" && !done {
                    let row_type = attr("rowType").unwrap_or_default().trim();
                    if row_type != OCCURRENCE {
                        let shown = if row_type.is_empty() {
                            "missing"
                        } else {
                            row_type
                        };
                        return fail(
                            "rowType",
                            format!(
                                "the core is not an Occurrence core (rowType {shown}): only occurrences are read"
                            ),
                        );
                    }
                    let dialect = match dialect(&attr) {
                        Ok(d) => d,
                        Err((field, reason)) => return fail(field, reason),
                    };
                    core = Some(Descriptor {
                        dialect,
                        location: String::new(),
                        id_index: None,
                        fields: Vec::new(),
                    });
                    depth = 1;
                }
            }
            XmlEvent::Characters(text) | XmlEvent::CData(text) if in_location => {
                if let Some(core) = core.as_mut().filter(|c| c.location.is_empty()) {
                    core.location = text.trim().to_owned();
                }
            }
            XmlEvent::EndElement { name } if depth > 0 => {
                depth -= 1;
                if name.local_name == "location" {
                    in_location = false;
                }
                if depth == 0 {
                    done = true;
                }
            }
            XmlEvent::EndDocument => break,
            _ => {}
        }
    }
    let core = core.ok_or_else(|| Rejection::file(path, "no <core> in meta.xml"))?;
    if core.location.is_empty() {
        return Err(Rejection {
            field: Some("location".into()),
            ..Rejection::file(path, "the core names no data file (<files><location>)")
        });
    }
    Ok(core)
}

fn located(path: &Path, row: u64, column: u64, field: Option<&str>, reason: String) -> Rejection {
    Rejection {
        path: path.to_owned(),
        position: Some((row + 1, column + 1)),
        field: field.map(str::to_owned),
        reason,
    }
}

/// A column number; absurdly large ones are refused, as every row is checked against them.
fn index(s: &str) -> Option<usize> {
    s.trim().parse().ok().filter(|&i| i < 100_000)
}

type Fault = (&'static str, String);

fn dialect<'a>(attr: &impl Fn(&str) -> Option<&'a str>) -> Result<Dialect, Fault> {
    let delimiter = match attr("fieldsTerminatedBy").map(unescape) {
        None => b',',
        Some(d) => one_byte(&d).ok_or((
            "fieldsTerminatedBy",
            format!("`{d}` is not one ASCII character"),
        ))?,
    };
    let quote = match attr("fieldsEnclosedBy").map(unescape) {
        None => Some(b'"'),
        Some(q) if q.is_empty() => None,
        Some(q) => Some(one_byte(&q).ok_or((
            "fieldsEnclosedBy",
            format!("`{q}` is not one ASCII character"),
        ))?),
    };
    let terminator = match attr("linesTerminatedBy").map(unescape).as_deref() {
        None | Some("\n" | "\r\n" | "") => None,
        Some(t) => Some(one_byte(t).ok_or((
            "linesTerminatedBy",
            format!(
                "`{}` is not supported (one character, or \\r\\n)",
                t.escape_default()
            ),
        ))?),
    };
    let label = attr("encoding").unwrap_or("UTF-8").trim();
    let encoding = Encoding::for_label(label.as_bytes())
        .ok_or(("encoding", format!("unknown encoding `{label}`")))?;
    if !encoding.is_ascii_compatible() {
        return Err((
            "encoding",
            format!(
                "{} files are not read (an ASCII-compatible encoding is needed)",
                encoding.name()
            ),
        ));
    }
    let header_lines = match attr("ignoreHeaderLines").map(str::trim) {
        None | Some("") => 0,
        Some(n) => n
            .parse()
            .map_err(|_| ("ignoreHeaderLines", format!("`{n}` is not a number")))?,
    };
    Ok(Dialect {
        delimiter,
        quote,
        terminator,
        encoding,
        header_lines,
    })
}

fn one_byte(s: &str) -> Option<u8> {
    match s.as_bytes() {
        [b] if b.is_ascii() => Some(*b),
        _ => None,
    }
}

/// Backslash escapes as descriptors write them: `\t`, `\n`, `\r`, `\\`, `\"`, `\'`.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(core_attrs: &str, body: &str) -> String {
        format!(
            r#"<archive xmlns="http://rs.tdwg.org/dwc/text/">
  <core {core_attrs} rowType="http://rs.tdwg.org/dwc/terms/Occurrence">
    <files> <location> occ.txt </location> </files>
    {body}
  </core>
  <extension rowType="http://rs.gbif.org/terms/1.0/Multimedia" fieldsTerminatedBy=";">
    <files><location>media.txt</location></files>
    <coreid index="0"/>
    <field index="1" term="http://purl.org/dc/terms/identifier"/>
  </extension>
</archive>"#
        )
    }

    #[test]
    fn core_attributes_escapes_and_fields() {
        let xml = meta(
            r#"encoding="windows-1252" fieldsTerminatedBy="\t" linesTerminatedBy="\r\n" fieldsEnclosedBy="&quot;" ignoreHeaderLines="2""#,
            r#"<id index="0"/>
            <field index="3" term="http://rs.tdwg.org/dwc/terms/scientificName"/>
            <field term="http://rs.tdwg.org/dwc/terms/country" default="France"/>"#,
        );
        let d = parse(Path::new("meta.xml"), xml.as_bytes()).expect("valid descriptor");
        assert_eq!(d.location, "occ.txt");
        assert_eq!(d.id_index, Some(0));
        assert_eq!(d.dialect.delimiter, b'\t');
        assert_eq!(d.dialect.quote, Some(b'"'));
        assert_eq!(d.dialect.terminator, None);
        assert_eq!(d.dialect.header_lines, 2);
        assert_eq!(d.dialect.encoding, encoding_rs::WINDOWS_1252);
        // Extension fields are not mixed in.
        assert_eq!(d.fields.len(), 2);
        assert_eq!(d.fields[0].index, Some(3));
        assert_eq!(d.fields[1].index, None);
        assert_eq!(d.fields[1].default.as_deref(), Some("France"));
    }

    #[test]
    fn defaults_of_the_text_guide() {
        let d = parse(Path::new("meta.xml"), meta("", "").as_bytes()).expect("valid");
        assert_eq!(d.dialect.delimiter, b',');
        assert_eq!(d.dialect.quote, Some(b'"'));
        assert_eq!(d.dialect.header_lines, 0);
        assert_eq!(d.dialect.encoding, encoding_rs::UTF_8);
        let d = parse(
            Path::new("meta.xml"),
            meta(r#"fieldsEnclosedBy="" fieldsTerminatedBy=";""#, "").as_bytes(),
        )
        .expect("valid");
        assert_eq!(d.dialect.quote, None);
        assert_eq!(d.dialect.delimiter, b';');
    }

    #[test]
    fn refusals_are_located() {
        let err = parse(
            Path::new("m.xml"),
            "<archive>\n  <core rowType=\"http://rs.tdwg.org/dwc/terms/Occurrence\">\n</archive>"
                .as_bytes(),
        )
        .expect_err("malformed");
        assert_eq!(err.position.map(|p| p.0), Some(3), "{err}");

        let taxon = meta("", "").replace("dwc/terms/Occurrence", "dwc/terms/Taxon");
        let err = parse(Path::new("m.xml"), taxon.as_bytes()).expect_err("taxon core");
        assert_eq!(err.position, Some((2, 3)));
        assert!(err.reason.contains("not an Occurrence core"), "{err}");
        assert!(err.reason.contains("dwc/terms/Taxon"), "{err}");

        let err = parse(
            Path::new("m.xml"),
            meta(r#"encoding="UTF-16""#, "").as_bytes(),
        )
        .expect_err("utf-16");
        assert_eq!(err.field.as_deref(), Some("encoding"));
        let err = parse(
            Path::new("m.xml"),
            meta(r#"encoding="klingon""#, "").as_bytes(),
        )
        .expect_err("unknown");
        assert_eq!(err.reason, "unknown encoding `klingon`");
        let err = parse(
            Path::new("m.xml"),
            meta(r#"fieldsTerminatedBy="||""#, "").as_bytes(),
        )
        .expect_err("two chars");
        assert_eq!(err.field.as_deref(), Some("fieldsTerminatedBy"));
        let err = parse(
            Path::new("m.xml"),
            meta("", r#"<field index="x" term="t"/>"#).as_bytes(),
        )
        .expect_err("bad index");
        assert_eq!(err.field.as_deref(), Some("field"));
        assert_eq!(err.position.map(|p| p.0), Some(4));
        let err = parse(
            Path::new("m.xml"),
            meta("", r#"<id index="99999999999"/>"#).as_bytes(),
        )
        .expect_err("huge index");
        assert_eq!(err.field.as_deref(), Some("id"));
        let err = parse(Path::new("m.xml"), "<archive/>".as_bytes()).expect_err("no core");
        assert_eq!(err.reason, "no <core> in meta.xml");
    }
}
