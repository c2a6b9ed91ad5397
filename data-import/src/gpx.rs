//! GPX 1.0 and 1.1 files as circuits, read with the `gpx` crate.
//!
//! - The trace is every non-empty track segment of every track; a file without tracks uses
//!   its routes, one segment each.
//! - Name and description come from the file (metadata, else the first track or route),
//!   else the name is the file's; the themes are the metadata keywords (comma-separated);
//!   the practice is the first track's `<type>` when it names one, else walking.
//! - Waypoints become the circuit's POIs, their kind from `<type>`, else `<sym>`, else
//!   `viewpoint`.
//! - **Source key**: the file name. Re-importing an edited file updates its circuit; the
//!   same content under another name is another circuit. The circuit id is the slug of
//!   the file name, a waypoint's id the circuit id plus the slug of its name.
//! - Elevations all exactly 0 are treated as missing: exporters write 0 when they have none.
//!
//! Before the `gpx` crate sees the file, a pass with `xml-rs` (the parser under it)
//! checks XML syntax and every point's coordinates, so that each fault is reported
//! with its line and column, and so that `--partial` can drop bad waypoints. A file that
//! declares DTD entities is refused before either parser runs (see [`crate::xml_guard`]),
//! and one of more than [`MAX_POINTS`] points as it is scanned.

use crate::report::Rejection;
use balade_core::geometry::{Figures, GivenFigures};
use balade_core::text::{first_sentence, plain_text, slug};
use balade_core::{Circuit, CircuitId, LonLat, Poi, PoiId, PoiKind, Practice, Trace, TracePoint};
use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;
use xml::common::Position;
use xml::reader::{EventReader, XmlEvent};

/// A circuit read from a file, and the waypoints dropped from it (partial mode only).
#[derive(Debug, Clone)]
pub struct ParsedCircuit {
    pub circuit: Circuit,
    pub pois: Vec<Poi>,
    pub dropped: Vec<Rejection>,
}

/// Reads one GPX file. Without `partial`, any bad point refuses the whole file; with it,
/// bad waypoints are dropped (and reported) while bad trace points still refuse the file,
/// since a trace with holes would give wrong lengths.
pub fn parse(path: &Path, bytes: &[u8], partial: bool) -> Result<ParsedCircuit, Vec<Rejection>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(vec![Rejection::file(path, "empty file")]);
    }
    let converted = to_utf8(bytes).map_err(|reason| vec![Rejection::file(path, reason)])?;
    let bytes: &[u8] = &converted;
    if let Some(at) = crate::xml_guard::find_entity_declaration(bytes) {
        return Err(vec![Rejection {
            position: Some(crate::xml_guard::line_column(bytes, at)),
            ..Rejection::file(path, crate::xml_guard::REASON)
        }]);
    }
    let scan = prescan(path, bytes)?;
    let bad_trace = scan.faults.iter().any(|f| f.element != "wpt");
    if !scan.faults.is_empty() && (bad_trace || !partial) {
        return Err(scan.faults.into_iter().map(|f| f.rejection).collect());
    }
    let mut edits = scan.edits;
    edits.extend(scan.faults.iter().map(|f| (f.span.clone(), "")));
    let cleaned;
    let input = if edits.is_empty() {
        bytes
    } else {
        cleaned = apply_edits(bytes, edits);
        &cleaned
    };
    let doc = gpx::read(input).map_err(|e| vec![gpx_error(path, e)])?;
    let mut parsed = build(path, doc)?;
    parsed.dropped = scan.faults.into_iter().map(|f| f.rejection).collect();
    Ok(parsed)
}

/// A point whose coordinates are wrong, with its byte span in the file.
struct Fault {
    element: String,
    span: Range<usize>,
    rejection: Rejection,
}

/// What the pre-pass found: faulty points, and the edits that make a valid GPX file
/// readable by the `gpx` crate, which refuses elements it does not model (GPX 1.0's
/// `<url>` in a track, `<course>`, `<magvar>`, vendor tags…) and files without a
/// `version`. Those elements carry nothing Balade uses, so they are dropped.
struct Scan {
    faults: Vec<Fault>,
    edits: Vec<(Range<usize>, &'static str)>,
}

/// Children the `gpx` crate reads, per parent element; `gpx10` for the root of a
/// GPX 1.0 file, whose header fields sit where 1.1 has `<metadata>`.
fn known_children(parent: &str, gpx10: bool) -> Option<&'static [&'static str]> {
    const POINT: &[&str] = &[
        "ele",
        "speed",
        "time",
        "name",
        "cmt",
        "desc",
        "src",
        "link",
        "sym",
        "type",
        "fix",
        "geoidheight",
        "sat",
        "hdop",
        "vdop",
        "pdop",
        "ageofdgpsdata",
        "dgpsid",
        "extensions",
    ];
    Some(match parent {
        "wpt" | "trkpt" | "rtept" => POINT,
        "trk" => &[
            "name",
            "cmt",
            "desc",
            "src",
            "type",
            "trkseg",
            "link",
            "number",
            "extensions",
        ],
        "rte" => &[
            "name",
            "cmt",
            "desc",
            "src",
            "number",
            "type",
            "rtept",
            "link",
            "extensions",
        ],
        "trkseg" => &["trkpt"],
        "metadata" => &[
            "name",
            "desc",
            "author",
            "keywords",
            "time",
            "link",
            "bounds",
            "copyright",
            "extensions",
        ],
        "gpx" if gpx10 => &[
            "trk", "rte", "wpt", "time", "bounds", "author", "email", "url", "urlname", "name",
            "desc", "keywords",
        ],
        "gpx" => &["metadata", "trk", "rte", "wpt", "extensions"],
        _ => return None,
    })
}

/// Text fields that the `gpx` crate refuses when empty; an empty one says nothing.
const TEXT_FIELDS: &[&str] = &[
    "ele",
    "speed",
    "time",
    "name",
    "cmt",
    "desc",
    "src",
    "sym",
    "type",
    "fix",
    "geoidheight",
    "sat",
    "hdop",
    "vdop",
    "pdop",
    "ageofdgpsdata",
    "dgpsid",
    "number",
    "keywords",
    "author",
    "email",
    "url",
    "urlname",
];

/// Most points (waypoints, track and route points) in one file: a day's walk recorded
/// every second is 30,000; the `gpx` crate takes about 400 bytes a point.
pub const MAX_POINTS: usize = 1_000_000;

fn prescan(path: &Path, bytes: &[u8]) -> Result<Scan, Vec<Rejection>> {
    let mut points = 0usize;
    let mut lines = LineIndex::new(bytes);
    let mut reader = EventReader::new(bytes);
    let mut scan = Scan {
        faults: Vec::new(),
        edits: Vec::new(),
    };
    let mut stack: Vec<String> = Vec::new();
    let mut gpx10 = false;
    // A text field just opened, and where: dropped if it closes with no text.
    let mut empty_field: Option<usize> = None;
    // The element being cut out (unknown child or faulty point): its depth and start.
    let mut cutting: Option<(usize, usize, Option<Rejection>)> = None;
    loop {
        let event = reader.next();
        let pos = reader.position();
        match event {
            Ok(XmlEvent::StartElement {
                name, attributes, ..
            }) => {
                let local = name.local_name;
                // xml-rs reports some start tags at their `>`: step back to the `<`
                // (a start tag holds no other `<`).
                let reported = lines
                    .offset(pos.row, pos.column)
                    .min(bytes.len().saturating_sub(1));
                let start = bytes[..=reported]
                    .iter()
                    .rposition(|&b| b == b'<')
                    .unwrap_or(reported);
                if stack.is_empty() && local == "gpx" {
                    let version = attributes
                        .iter()
                        .find(|a| a.name.local_name == "version")
                        .map(|a| a.value.clone());
                    // Without a version, the namespace tells; without either, 1.0's shape is
                    // the likelier one (1.1 writers always declare themselves).
                    gpx10 = match &version {
                        Some(v) => v == "1.0",
                        None => !name
                            .namespace
                            .as_deref()
                            .is_some_and(|ns| ns.ends_with("/1/1")),
                    };
                    if version.is_none() {
                        let at = start
                            + 1
                            + name.prefix.as_ref().map_or(0, |p| p.len() + 1)
                            + local.len();
                        scan.edits.push((
                            at..at,
                            if gpx10 {
                                " version=\"1.0\""
                            } else {
                                " version=\"1.1\""
                            },
                        ));
                    }
                }
                empty_field = TEXT_FIELDS.contains(&local.as_str()).then_some(start);
                if cutting.is_none() {
                    let parent = stack.last().map(String::as_str).unwrap_or("");
                    if known_children(parent, gpx10)
                        .is_some_and(|known| !known.contains(&local.as_str()))
                    {
                        cutting = Some((stack.len(), start, None));
                    } else if matches!(local.as_str(), "wpt" | "trkpt" | "rtept") {
                        points += 1;
                        if points > MAX_POINTS {
                            return Err(vec![Rejection {
                                path: path.to_owned(),
                                position: Some((pos.row + 1, pos.column + 1)),
                                field: Some(local.clone()),
                                reason: format!("more than {MAX_POINTS} points: not one circuit"),
                            }]);
                        }
                        let get = |key: &str| {
                            attributes
                                .iter()
                                .find(|a| a.name.local_name == key)
                                .map(|a| a.value.as_str())
                        };
                        let problem = check_coordinate("lat", get("lat"), 90.0)
                            .or_else(|| check_coordinate("lon", get("lon"), 180.0));
                        if let Some(reason) = problem {
                            let rejection = Rejection {
                                path: path.to_owned(),
                                position: Some((pos.row + 1, pos.column + 1)),
                                field: Some(local.clone()),
                                reason,
                            };
                            cutting = Some((stack.len(), start, Some(rejection)));
                        }
                    }
                }
                stack.push(local);
            }
            Ok(XmlEvent::EndElement { .. }) => {
                let element = stack.pop().unwrap_or_default();
                // The end tag (or a self-closing tag) starts at the reported position;
                // the element ends at its `>`.
                let end = tag_end(bytes, lines.offset(pos.row, pos.column));
                if let Some(start) = empty_field.take().filter(|_| cutting.is_none()) {
                    scan.edits.push((start..end, ""));
                }
                if let Some((_, start, rejection)) =
                    cutting.take_if(|(depth, ..)| *depth == stack.len())
                {
                    match rejection {
                        Some(rejection) => scan.faults.push(Fault {
                            element,
                            span: start..end,
                            rejection,
                        }),
                        None => scan.edits.push((start..end, "")),
                    }
                }
            }
            Ok(XmlEvent::EndDocument) => break,
            Ok(XmlEvent::Characters(_) | XmlEvent::CData(_)) => empty_field = None,
            Ok(_) => {}
            Err(e) => {
                let p = e.position();
                return Err(vec![Rejection {
                    path: path.to_owned(),
                    position: Some((p.row + 1, p.column + 1)),
                    field: None,
                    reason: format!("malformed XML: {}", e.msg()),
                }]);
            }
        }
    }
    Ok(scan)
}

fn check_coordinate(attr: &str, value: Option<&str>, max: f64) -> Option<String> {
    let Some(value) = value else {
        return Some(format!("missing `{attr}` attribute"));
    };
    match value.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && (-max..=max).contains(&v) => None,
        Ok(v) => Some(format!("`{attr}` {v} is outside -{max}..{max}")),
        Err(_) => Some(format!("`{attr}` `{value}` is not a number")),
    }
}

/// Turns xml-rs positions (0-based row, column counted in characters) into byte offsets.
/// Positions arrive in document order, so each lookup walks forward from the previous
/// one: linear in the file even when it is a single long line.
struct LineIndex<'a> {
    bytes: &'a [u8],
    starts: Vec<usize>,
    /// The last position resolved: (row, column, byte offset).
    last: (usize, u64, usize),
}

impl<'a> LineIndex<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        let starts = std::iter::once(0)
            .chain(
                bytes
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| **b == b'\n')
                    .map(|(i, _)| i + 1),
            )
            .collect();
        Self {
            bytes,
            starts,
            last: (0, 0, 0),
        }
    }

    fn offset(&mut self, row: u64, column: u64) -> usize {
        let row = row as usize;
        let (mut col, mut at) = match self.last {
            (r, c, o) if r == row && c <= column => (c, o),
            _ => (0, self.starts.get(row).copied().unwrap_or(self.bytes.len())),
        };
        let end = self
            .starts
            .get(row + 1)
            .copied()
            .unwrap_or(self.bytes.len());
        while col < column && at < end {
            // Step over one UTF-8 character: its first byte, then continuation bytes.
            at += 1;
            while at < end && self.bytes[at] & 0xC0 == 0x80 {
                at += 1;
            }
            col += 1;
        }
        self.last = (row, col, at);
        at
    }
}

/// The offset just past the `>` closing the tag that starts at `at`, skipping quoted
/// attribute values (which may hold a `>`).
fn tag_end(bytes: &[u8], at: usize) -> usize {
    let mut quote = None;
    for (i, &b) in bytes.iter().enumerate().skip(at) {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            (None, b'>') => return i + 1,
            _ => {}
        }
    }
    bytes.len()
}

/// Makes the file UTF-8 for the pre-pass, whose offsets count UTF-8 characters: UTF-16
/// (by its byte-order mark) and single-byte encodings named in the XML declaration
/// (ISO-8859-1, Latin-1, Windows-1252) are converted, and the declaration with them.
fn to_utf8(bytes: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>, String> {
    use std::borrow::Cow;
    let utf16 =
        |units: Vec<u16>| String::from_utf16(&units).map_err(|_| "invalid UTF-16 text".to_owned());
    let text = match bytes {
        [0xFF, 0xFE, rest @ ..] => utf16(
            rest.chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect(),
        )?,
        [0xFE, 0xFF, rest @ ..] => utf16(
            rest.chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect(),
        )?,
        _ => {
            let head = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).to_ascii_lowercase();
            let declared = head
                .find("encoding=")
                .map(|i| head[i + 9..].trim_start_matches(['"', '\'']).to_owned());
            let single_byte = declared.as_deref().is_some_and(|d| {
                [
                    "iso-8859-1",
                    "iso8859-1",
                    "latin1",
                    "latin-1",
                    "windows-1252",
                    "cp1252",
                ]
                .iter()
                .any(|e| d.starts_with(e))
            });
            if !single_byte {
                return Ok(Cow::Borrowed(bytes));
            }
            bytes.iter().map(|&b| windows_1252(b)).collect()
        }
    };
    // The declaration must not claim another encoding any more.
    let fixed = match (text.find("<?xml"), text.find("?>")) {
        (Some(0), Some(end)) => format!("<?xml version=\"1.0\" encoding=\"UTF-8\"{}", &text[end..]),
        _ => text,
    };
    Ok(Cow::Owned(fixed.into_bytes()))
}

/// A Windows-1252 byte as a character (ISO-8859-1 is the same outside 0x80–0x9F).
fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9F => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// Applies replacements of byte ranges; nested or overlapping ranges are covered by
/// the outermost one.
fn apply_edits(bytes: &[u8], mut edits: Vec<(Range<usize>, &str)>) -> Vec<u8> {
    edits.sort_by_key(|(r, _)| (r.start, std::cmp::Reverse(r.end)));
    let mut out = Vec::with_capacity(bytes.len() + 16);
    let mut at = 0;
    for (range, text) in edits {
        if range.start < at {
            continue;
        }
        out.extend_from_slice(&bytes[at..range.start]);
        out.extend_from_slice(text.as_bytes());
        at = range.end;
    }
    out.extend_from_slice(&bytes[at..]);
    out
}

fn gpx_error(path: &Path, e: gpx::errors::GpxError) -> Rejection {
    let position = match &e {
        gpx::errors::GpxError::XmlParseError(x) => {
            Some((x.position().row + 1, x.position().column + 1))
        }
        _ => None,
    };
    Rejection {
        path: path.to_owned(),
        position,
        field: None,
        reason: format!("not a valid GPX file: {e}"),
    }
}

fn build(path: &Path, doc: gpx::Gpx) -> Result<ParsedCircuit, Vec<Rejection>> {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let refuse = |reason: String| vec![Rejection::file(path, reason)];
    let id_text = match slug(&stem) {
        s if s.is_empty() => "circuit".to_owned(),
        s => s,
    };
    let id = CircuitId::new(id_text).map_err(|e| refuse(e.to_string()))?;

    let mut segments: Vec<Vec<TracePoint>> = doc
        .tracks
        .iter()
        .flat_map(|t| &t.segments)
        .map(|s| trace_points(&s.points))
        .filter(|s| !s.is_empty())
        .collect();
    if segments.iter().map(Vec::len).sum::<usize>() < 2 {
        segments = doc
            .routes
            .iter()
            .map(|r| trace_points(&r.points))
            .filter(|s| !s.is_empty())
            .collect();
    }
    let mut trace = Trace { segments };
    if trace.point_count() < 2 {
        return Err(refuse(
            "no track or route with at least 2 points: not a circuit".into(),
        ));
    }
    if trace.points().all(|p| p.ele.is_none_or(|e| e == 0.0)) {
        trace
            .segments
            .iter_mut()
            .flatten()
            .for_each(|p| p.ele = None);
    }

    let meta = doc.metadata.as_ref();
    let track = doc.tracks.first();
    let route = doc.routes.first();
    let name = [
        meta.and_then(|m| m.name.clone()),
        track.and_then(|t| t.name.clone()),
        route.and_then(|r| r.name.clone()),
    ]
    .into_iter()
    .flatten()
    .map(|n| plain_text(&n))
    .find(|n| !n.is_empty())
    .unwrap_or_else(|| stem.clone());
    let description = [
        meta.and_then(|m| m.description.clone()),
        track.and_then(|t| t.description.clone()),
        route.and_then(|r| r.description.clone()),
    ]
    .into_iter()
    .flatten()
    .map(|d| plain_text(&d))
    .find(|d| !d.is_empty())
    .unwrap_or_default();
    let themes: Vec<String> = meta
        .and_then(|m| m.keywords.as_deref())
        .map(|k| {
            k.split(',')
                .map(|t| plain_text(t).to_lowercase())
                .filter(|t| !t.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let practice = track
        .and_then(|t| t.type_.as_deref())
        .and_then(practice_of)
        .unwrap_or(Practice::Walk);

    let figures = Figures::of(&trace, practice, &GivenFigures::default());
    let circuit = Circuit {
        source: format!("gpx:{}", id.as_str()),
        summary: first_sentence(&description),
        name,
        description,
        practice,
        themes,
        communes: Vec::new(),
        intercommunalities: Vec::new(),
        duration_min: figures.duration_min,
        difficulty: figures.difficulty,
        circuit_type: figures.circuit_type,
        stats: figures.stats,
        trace,
        published: true,
        id,
        practical: Default::default(),
        translations: Default::default(),
    };
    let pois = waypoints(&circuit, &doc.waypoints).map_err(refuse)?;
    Ok(ParsedCircuit {
        circuit,
        pois,
        dropped: Vec::new(),
    })
}

fn trace_points(points: &[gpx::Waypoint]) -> Vec<TracePoint> {
    points
        .iter()
        .filter_map(|w| {
            let p = w.point();
            let pos = LonLat::new(p.x(), p.y()).ok()?;
            Some(TracePoint {
                pos,
                ele: w.elevation.filter(|e| e.is_finite()),
            })
        })
        .collect()
}

fn waypoints(circuit: &Circuit, wpts: &[gpx::Waypoint]) -> Result<Vec<Poi>, String> {
    let mut seen = HashSet::new();
    let mut pois = Vec::with_capacity(wpts.len());
    for (i, w) in wpts.iter().enumerate() {
        let p = w.point();
        let pos = LonLat::new(p.x(), p.y()).map_err(|e| format!("waypoint {}: {e}", i + 1))?;
        let name = w
            .name
            .as_deref()
            .map(plain_text)
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("Point {}", i + 1));
        let base = match slug(&name) {
            s if s.is_empty() => format!("{}", i + 1),
            s => s,
        };
        let mut key = base.clone();
        let mut n = 2;
        while !seen.insert(key.clone()) {
            key = format!("{base}-{n}");
            n += 1;
        }
        let description = [&w.description, &w.comment]
            .into_iter()
            .flatten()
            .map(|d| plain_text(d))
            .find(|d| !d.is_empty())
            .unwrap_or_default();
        let kind = w
            .type_
            .as_deref()
            .and_then(kind_of)
            .or_else(|| w.symbol.as_deref().and_then(kind_of))
            .unwrap_or(PoiKind::Viewpoint);
        let id = PoiId::new(format!("{}.{key}", circuit.id)).map_err(|e| e.to_string())?;
        pois.push(Poi {
            id,
            source: format!("{}:wpt:{key}", circuit.source),
            kind,
            name,
            description,
            pos: Some(pos),
            ele: w.elevation.filter(|e| e.is_finite()),
            circuit: Some(circuit.id.clone()),
            commune: None,
            insee: None,
            details: Default::default(),
        });
    }
    Ok(pois)
}

/// A POI kind from a waypoint's `<type>` or `<sym>`: Balade's own names, then the common
/// Garmin symbol names.
fn kind_of(text: &str) -> Option<PoiKind> {
    let t = text.trim().to_lowercase();
    if let Ok(kind) = t.parse() {
        return Some(kind);
    }
    Some(match t.as_str() {
        "scenic area" | "summit" | "overlook" | "point de vue" => PoiKind::Viewpoint,
        "church" | "museum" | "ruins" | "building" | "castle" | "monument" | "patrimoine" => {
            PoiKind::Heritage
        }
        "restaurant" | "bar" | "fast food" | "pizza" | "restauration" => PoiKind::Food,
        "lodging" | "campground" | "hotel" | "hébergement" => PoiKind::Lodging,
        "parking area" | "restroom" | "drinking water" | "fuel" | "gas station" | "bank"
        | "atm" | "pharmacy" | "shopping center" | "information" | "train station"
        | "bus station" => PoiKind::Practical,
        "forest" | "tree" | "park" | "flore" => PoiKind::Flora,
        "animal tracks" | "hunting area" | "faune" => PoiKind::Fauna,
        "paysage" => PoiKind::Landscape,
        _ => return None,
    })
}

fn practice_of(text: &str) -> Option<Practice> {
    let t = text.trim().to_lowercase();
    if let Ok(p) = t.parse() {
        return Some(p);
    }
    Some(match t.as_str() {
        "hiking" | "walking" | "marche" | "randonnée" | "pédestre" | "pedestre" => Practice::Walk,
        "vtt" | "mountain_biking" | "mountain biking" => Practice::Mtb,
        "cycling" | "vélo" | "velo" | "road_biking" => Practice::Bike,
        "équestre" | "equestre" | "cheval" | "horse_riding" => Practice::Horse,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GPX_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">"#;

    fn doc(body: &str) -> Vec<u8> {
        format!("{GPX_HEAD}\n{body}\n</gpx>\n").into_bytes()
    }

    const TRACK: &str = r#"<trk><name>Boucle</name><type>vtt</type><trkseg>
<trkpt lat="48.5600" lon="3.2900"><ele>100</ele></trkpt>
<trkpt lat="48.5610" lon="3.2900"><ele>110</ele></trkpt>
<trkpt lat="48.5620" lon="3.2910"><ele>120</ele></trkpt>
</trkseg></trk>"#;

    #[test]
    fn reads_track_metadata_and_waypoints() {
        let body = format!(
            r#"<metadata><name>Les remparts</name><desc>Une &lt;b&gt;belle&lt;/b&gt; boucle. Suite.</desc><keywords>Patrimoine, eau</keywords></metadata>
<wpt lat="48.5605" lon="3.2901"><name>Tour César</name><type>heritage</type></wpt>
<wpt lat="48.5606" lon="3.2902"><name>Tour César</name><sym>Restaurant</sym></wpt>
<wpt lat="48.5607" lon="3.2903"></wpt>
{TRACK}"#
        );
        let p = parse(Path::new("dir/Provins Remparts.gpx"), &doc(&body), false).unwrap();
        let c = &p.circuit;
        assert_eq!(c.id.as_str(), "provins-remparts");
        assert_eq!(c.source, "gpx:provins-remparts");
        assert_eq!(c.name, "Les remparts");
        assert_eq!(c.description, "Une belle boucle. Suite.");
        assert_eq!(c.summary, "Une belle boucle.");
        assert_eq!(c.themes, ["patrimoine", "eau"]);
        assert_eq!(c.practice, Practice::Mtb);
        assert_eq!(c.trace.point_count(), 3);
        assert!((c.stats.ascent_m - 20.0).abs() < 1e-9, "{:?}", c.stats);
        let ids: Vec<&str> = p.pois.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "provins-remparts.tour-cesar",
                "provins-remparts.tour-cesar-2",
                "provins-remparts.point-3"
            ]
        );
        let kinds: Vec<PoiKind> = p.pois.iter().map(|p| p.kind).collect();
        assert_eq!(
            kinds,
            [PoiKind::Heritage, PoiKind::Food, PoiKind::Viewpoint]
        );
    }

    #[test]
    fn routes_are_used_when_there_is_no_track() {
        let body = r#"<rte><name>Route</name><rtept lat="48.1" lon="2.1"/><rtept lat="48.2" lon="2.2"/></rte>"#;
        let p = parse(Path::new("r.gpx"), &doc(body), false).unwrap();
        assert_eq!(p.circuit.name, "Route");
        assert_eq!(p.circuit.trace.point_count(), 2);
        assert_eq!(p.circuit.stats.min_elevation_m, None);
    }

    #[test]
    fn bad_waypoint_refuses_the_file_unless_partial() {
        let body = format!(
            "<wpt lat=\"123\" lon=\"3.29\"><name>Bad</name></wpt>\n<wpt lat=\"48.56\" lon=\"3.29\"><name>Good</name></wpt>\n{TRACK}"
        );
        let bytes = doc(&body);
        let err = parse(Path::new("f.gpx"), &bytes, false).unwrap_err();
        assert_eq!(err.len(), 1);
        assert_eq!(err[0].position, Some((3, 1)));
        assert_eq!(err[0].field.as_deref(), Some("wpt"));
        assert!(err[0].reason.contains("`lat` 123 is outside"), "{}", err[0]);

        let ok = parse(Path::new("f.gpx"), &bytes, true).unwrap();
        assert_eq!(ok.pois.len(), 1);
        assert_eq!(ok.pois[0].name, "Good");
        assert_eq!(ok.dropped.len(), 1);
    }

    #[test]
    fn bad_trace_point_refuses_even_in_partial_mode() {
        let body = "<trk><trkseg><trkpt lat=\"48.1\" lon=\"abc\"/><trkpt lat=\"48.2\" lon=\"2.2\"/></trkseg></trk>";
        let err = parse(Path::new("f.gpx"), &doc(body), true).unwrap_err();
        assert!(err[0].reason.contains("not a number"), "{}", err[0]);
        assert_eq!(err[0].field.as_deref(), Some("trkpt"));
    }

    #[test]
    fn malformed_and_empty_files_are_located() {
        let err = parse(Path::new("e.gpx"), b"  \n", false).unwrap_err();
        assert_eq!(err[0].reason, "empty file");
        let err = parse(Path::new("m.gpx"), &doc("<trk><trkseg></trk>"), false).unwrap_err();
        assert_eq!(err[0].position.map(|p| p.0), Some(3), "{}", err[0]);
        assert!(err[0].reason.starts_with("malformed XML"), "{}", err[0]);
        let err = parse(
            Path::new("w.gpx"),
            &doc("<wpt lat=\"1\" lon=\"1\"/>"),
            false,
        )
        .unwrap_err();
        assert!(err[0].reason.contains("not a circuit"), "{}", err[0]);
    }

    #[test]
    fn bom_and_zero_elevations() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend(doc("<trk><trkseg><trkpt lat=\"48.1\" lon=\"2.1\"><ele>0</ele></trkpt><trkpt lat=\"48.2\" lon=\"2.2\"><ele>0</ele></trkpt></trkseg></trk>"));
        let p = parse(Path::new("b.gpx"), &bytes, false).unwrap();
        assert!(p.circuit.trace.points().all(|p| p.ele.is_none()));
    }

    #[test]
    fn unknown_elements_and_missing_version_are_tolerated() {
        // No XML declaration, CRLF line ends: xml-rs reports the first tag at its `>`.
        let text = r#"<gpx creator="old" xmlns="http://www.topografix.com/GPX/1/0">
<author>Someone</author><trk><name>Old</name><cmt></cmt><url>http://x</url><color>red</color>
<trkseg><trkpt lat="48.1" lon="2.1"><course>12</course><magvar>1</magvar><ele>10</ele></trkpt>
<trkpt lat="48.2" lon="2.2"><ele>20</ele></trkpt></trkseg></trk></gpx>"#;
        let text = text.replace('\n', "\r\n");
        let p = parse(Path::new("old.gpx"), text.as_bytes(), false).unwrap();
        assert_eq!(p.circuit.name, "Old");
        assert_eq!(p.circuit.trace.point_count(), 2);
        assert_eq!(p.circuit.stats.max_elevation_m, Some(20.0));
    }

    #[test]
    fn line_index_counts_characters_not_bytes() {
        let text = "ab\nçé<x>\n<y>".as_bytes();
        let mut lines = LineIndex::new(text);
        assert_eq!(lines.offset(1, 2), 7);
        assert_eq!(&text[7..8], b"<");
        assert_eq!(lines.offset(1, 3), 8);
        assert_eq!(lines.offset(2, 0), 11);
        assert_eq!(lines.offset(0, 1), 1);
    }

    #[test]
    fn a_bad_waypoint_with_a_quoted_angle_bracket_is_cut_whole() {
        let body = format!(
            "<wpt lat=\"48.56\" lon=\"x>y\"/>\n<wpt lat=\"48.56\" lon=\"3.29\"><name>Good</name></wpt>\n{TRACK}"
        );
        let ok = parse(Path::new("q.gpx"), &doc(&body), true).unwrap();
        assert_eq!(ok.pois.len(), 1);
        assert_eq!(ok.dropped.len(), 1);
    }

    #[test]
    fn latin1_and_utf16_files_are_read() {
        let text = format!(
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<gpx version=\"1.1\" creator=\"t\" xmlns=\"http://www.topografix.com/GPX/1/1\">\n<metadata><name>For\u{ea}t \u{ab} Fontainebleau \u{bb}</name></metadata>\n{TRACK}\n</gpx>"
        );
        let latin1: Vec<u8> = text
            .chars()
            .map(|c| u8::try_from(u32::from(c)).unwrap())
            .collect();
        let p = parse(Path::new("l.gpx"), &latin1, false).unwrap();
        assert_eq!(p.circuit.name, "Forêt « Fontainebleau »");
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(
            text.replace("ISO-8859-1", "UTF-16")
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        );
        assert_eq!(
            parse(Path::new("u.gpx"), &utf16, false)
                .unwrap()
                .circuit
                .name,
            "Forêt « Fontainebleau »"
        );
        assert_eq!(windows_1252(0x80), '€');
        // `<a b='>' c=">"/>` ends after its 16th byte, not at a quoted `>`.
        assert_eq!(tag_end(b"<a b='>' c=\">\"/> x", 0), 16);
    }

    #[test]
    fn apply_edits_keeps_outermost() {
        let out = apply_edits(b"0123456789", vec![(5..7, ""), (2..8, "x"), (9..9, "+")]);
        assert_eq!(out, b"01x8+9");
    }
}
