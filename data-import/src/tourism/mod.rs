//! Tourism and practical places (lodging, food, services, viewpoints, heritage) from
//! OpenStreetMap extracts and tourism databases, before they become POIs.
//!
//! - [`read`] picks the reader from the file's first bytes (the extension is a hint
//!   only when they tell nothing): OSM PBF ([`osm_pbf`]), OSM XML ([`osm_xml`]), Overpass JSON ([`overpass`]),
//!   APIDAE or DataTourisme JSON ([`apidae`]), Geotrek API v2 pages of POIs and
//!   information desks ([`geotrek`]).
//! - [`tags`] is the one place where OSM tags become a [`PoiKind`], a name and the
//!   practical fields.
//! - OSM nodes and ways are read; a way is placed at the centroid of its distinct nodes.
//!   Relations (multipolygons, routes) are skipped: their members are read on their own.
//! - Bad elements go to [`Sink::reject`], named in `field` (`node 123: lat`); the reader
//!   returns `Err` only when the file cannot be read at all.

pub mod apidae;
pub mod geotrek;
pub mod osm_pbf;
pub mod osm_xml;
pub mod overpass;
pub mod tags;

use crate::report::Rejection;
use crate::stream::Sink;
use balade_core::{LonLat, PoiKind};
use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::Path;

/// A tourism or practical place read from a source, before it becomes a POI.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// Stable source key: `osm:node/123`, `osm:way/45`, `apidae:98765`, … (re-import updates it).
    pub key: String,
    pub kind: PoiKind,
    pub name: String,
    /// Plain text (HTML reduced with `plain_text`).
    pub description: String,
    pub pos: LonLat,
    pub opening_hours: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub wheelchair: Option<String>,
    pub commune: Option<String>,
    /// The source's tags / fields as read (key → value, strings), for provenance.
    pub provenance: std::collections::BTreeMap<String, String>,
    /// Name and description in other languages, when the source gives them.
    pub translations: balade_core::Translations,
}

/// The English texts a source gives (plain text), as translations: none when it gives
/// neither.
pub(crate) fn english(
    name: Option<String>,
    description: Option<String>,
) -> balade_core::Translations {
    let clean = |t: Option<String>| {
        t.map(|t| balade_core::text::plain_text(&t))
            .filter(|t| !t.is_empty())
    };
    let (name, description) = (clean(name), clean(description));
    let mut out = balade_core::Translations::new();
    if name.is_some() || description.is_some() {
        out.insert(
            "en".to_owned(),
            balade_core::Translation {
                name,
                description,
                ..Default::default()
            },
        );
    }
    out
}

/// JSON sources are read whole: above this size they are refused.
pub const MAX_JSON_BYTES: u64 = 256 * 1024 * 1024;

/// The formats [`read`] tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    OsmPbf,
    OsmXml,
    /// Overpass JSON: `{"elements": [...]}`, or a bare array of OSM elements.
    Overpass,
    /// APIDAE (`objetsTouristiques`) or DataTourisme JSON-LD.
    Apidae,
}

/// Reads the places of a file into `sink`, the reader chosen by [`sniff`].
pub fn read(path: &Path, sink: &mut dyn Sink<Place>) -> Result<(), Rejection> {
    let mut head = Vec::with_capacity(512);
    std::fs::File::open(path)
        .and_then(|f| f.take(512).read_to_end(&mut head))
        .map_err(|e| Rejection::file(path, format!("cannot read the file: {e}")))?;
    if head.len() < 512 && head.iter().all(u8::is_ascii_whitespace) {
        return Err(Rejection::file(path, "empty file"));
    }
    match sniff(path, &head) {
        Some(Format::OsmPbf) => osm_pbf::read(path, sink),
        Some(Format::OsmXml) => osm_xml::read(path, sink),
        Some(Format::Overpass) | Some(Format::Apidae) => read_json_file(path, sink),
        None => Err(Rejection::file(
            path,
            "not an OSM (PBF or XML), Overpass, APIDAE, DataTourisme or Geotrek file",
        )),
    }
}

/// The format of a file from its first bytes; when they tell nothing, the extension
/// (`.pbf`, `.osm`, `.xml`) picks the reader whose error will say what is wrong.
pub fn sniff(path: &Path, head: &[u8]) -> Option<Format> {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    // A PBF starts with a 4-byte header length, then a BlobHeader whose first field
    // (tag 0x0A) is the blob type `OSMHeader` or `OSMData`.
    if head.len() > 8 && head[4] == 0x0A {
        let window = &head[..head.len().min(32)];
        if window.windows(7).any(|w| w == b"OSMData")
            || window.windows(9).any(|w| w == b"OSMHeader")
        {
            return Some(Format::OsmPbf);
        }
    }
    let text = String::from_utf8_lossy(head);
    let trimmed = text.trim_start();
    if trimmed.starts_with('<') {
        return Some(Format::OsmXml);
    }
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        // A first guess only: the JSON reader looks at the whole document.
        let osmish = ["\"elements\"", "\"type\":\"node\"", "\"type\": \"node\""]
            .iter()
            .any(|k| trimmed.contains(k));
        let tourism = ["objetsTouristiques", "\"@id\"", "\"@graph\"", "numFound"]
            .iter()
            .any(|k| trimmed.contains(k));
        return Some(if osmish && !tourism {
            Format::Overpass
        } else {
            Format::Apidae
        });
    }
    let ext = path.extension().and_then(|e| e.to_str())?;
    match ext.to_ascii_lowercase().as_str() {
        "pbf" => Some(Format::OsmPbf),
        "osm" | "xml" => Some(Format::OsmXml),
        _ => None,
    }
}

/// A JSON file, whichever flavour its content says: an object with `elements` or an
/// array of OSM elements is Overpass, a page of `results` Geotrek, anything else APIDAE
/// or DataTourisme.
fn read_json_file(path: &Path, sink: &mut dyn Sink<Place>) -> Result<(), Rejection> {
    let doc = read_json(path)?;
    if overpass::is_overpass(&doc) {
        overpass::read_value(path, &doc, sink)
    } else if geotrek::is_geotrek(&doc) {
        geotrek::read_value(path, &doc, sink)
    } else {
        apidae::read_value(path, &doc, sink)
    }
}

/// The whole JSON document of a file, at most [`MAX_JSON_BYTES`], or where it breaks.
pub(crate) fn read_json(path: &Path) -> Result<serde_json::Value, Rejection> {
    let len = std::fs::metadata(path)
        .map_err(|e| Rejection::file(path, format!("cannot read the file: {e}")))?
        .len();
    if len > MAX_JSON_BYTES {
        return Err(Rejection::file(
            path,
            format!(
                "{} MiB of JSON: JSON sources are read whole, {} MiB at most (use an OSM PBF extract instead)",
                len / (1024 * 1024),
                MAX_JSON_BYTES / (1024 * 1024)
            ),
        ));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| Rejection::file(path, format!("cannot read the file: {e}")))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Rejection::file(path, "empty file"));
    }
    crate::features::read_json(path, &bytes).map_err(|mut e| {
        e.pop()
            .unwrap_or_else(|| Rejection::file(path, "not valid JSON"))
    })
}

/// A rejection of one element, named in `field`.
pub(crate) fn element_rejection(
    path: &Path,
    position: Option<(u64, u64)>,
    field: String,
    reason: impl Into<String>,
) -> Rejection {
    Rejection {
        path: path.to_owned(),
        position,
        field: Some(field),
        reason: reason.into(),
    }
}

/// A checked position, the fault worded for a rejection.
pub(crate) fn lon_lat(lon: f64, lat: f64) -> Result<LonLat, String> {
    if !lon.is_finite() || !lat.is_finite() {
        return Err(format!("coordinates {lon}, {lat} are not numbers"));
    }
    LonLat::new(lon, lat).map_err(|e| {
        if lat.abs() > 90.0 && lon.abs() <= 90.0 {
            format!("{e} (latitude and longitude swapped?)")
        } else {
            e.to_string()
        }
    })
}

/// A checked position with the coordinate at fault (`lat` or `lon`), for a rejection.
pub(crate) fn point(lon: f64, lat: f64) -> Result<LonLat, (&'static str, String)> {
    lon_lat(lon, lat).map_err(|e| {
        let field = if lat.is_finite() && (-90.0..=90.0).contains(&lat) {
            "lon"
        } else {
            "lat"
        };
        (field, e)
    })
}

/// A coordinate attribute read as a number.
pub(crate) fn number(
    field: &'static str,
    text: Option<&str>,
) -> Result<f64, (&'static str, String)> {
    let text = text.ok_or((field, "missing".to_owned()))?;
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or((field, format!("`{text}` is not a number")))
}

/// The mean of the distinct nodes of a way (`(node id, lon, lat)`): a closed way repeats
/// its first node at the end, which must not weigh twice.
pub(crate) fn centroid(nodes: &[(i64, f64, f64)]) -> Result<LonLat, String> {
    let mut seen = std::collections::HashSet::new();
    let (mut lon, mut lat, mut n) = (0.0, 0.0, 0.0);
    for &(id, x, y) in nodes {
        if seen.insert(id) {
            lon += x;
            lat += y;
            n += 1.0;
        }
    }
    if n == 0.0 {
        return Err("way without nodes".to_owned());
    }
    lon_lat(lon / n, lat / n)
}

/// What the first pass made of one version of an element.
#[derive(Debug)]
pub(crate) enum Held {
    Place(Place),
    Way(PendingWay),
    Reject(Rejection),
    /// Deleted, or not a place.
    Nothing,
}

/// Holds back the element just read until the next one has another id: in history
/// files (`.osh`) the versions of an element follow each other, and only the last one
/// counts (a deleted last version drops the element). Other files pay one element of delay.
#[derive(Debug, Default)]
pub(crate) struct Latest {
    held: Option<(String, Held)>,
}

impl Latest {
    /// Takes the newest version of `key`; `false` when the sink asks to stop.
    pub fn offer(
        &mut self,
        key: String,
        held: Held,
        sink: &mut dyn Sink<Place>,
        index: &mut WayIndex,
    ) -> bool {
        let go_on = match self.held.take() {
            Some((k, h)) if k != key => release(h, sink, index),
            _ => true,
        };
        self.held = Some((key, held));
        go_on
    }

    pub fn flush(&mut self, sink: &mut dyn Sink<Place>, index: &mut WayIndex) -> bool {
        self.held
            .take()
            .is_none_or(|(_, h)| release(h, sink, index))
    }
}

fn release(held: Held, sink: &mut dyn Sink<Place>, index: &mut WayIndex) -> bool {
    match held {
        Held::Place(p) => sink.record(p),
        Held::Way(w) => {
            index.push(w);
            true
        }
        Held::Reject(r) => sink.reject(r),
        Held::Nothing => true,
    }
}

/// A tagged way waiting for its nodes' coordinates (OSM files without locations on ways).
#[derive(Debug, Clone)]
pub(crate) struct PendingWay {
    pub id: i64,
    pub tags: BTreeMap<String, String>,
    pub refs: Vec<i64>,
    pub position: Option<(u64, u64)>,
}

/// The ways of interest read in a first pass, and the coordinates of just their nodes
/// gathered in a second: memory grows with the interesting ways, not with the file.
#[derive(Debug, Default)]
pub(crate) struct WayIndex {
    pub ways: Vec<PendingWay>,
    coords: HashMap<i64, Option<(f64, f64)>>,
}

impl WayIndex {
    pub fn push(&mut self, way: PendingWay) {
        for &r in &way.refs {
            self.coords.insert(r, None);
        }
        self.ways.push(way);
    }

    pub fn is_empty(&self) -> bool {
        self.ways.is_empty()
    }

    /// A node seen in the second pass: kept only when a pending way needs it; a deleted
    /// version (history files) forgets the location.
    pub fn node(&mut self, id: i64, lon: f64, lat: f64, visible: bool) {
        if let Some(slot) = self.coords.get_mut(&id) {
            *slot = visible.then_some((lon, lat));
        }
    }

    /// Places the pending ways; a way with a node missing from the file is rejected.
    pub fn finish(self, path: &Path, sink: &mut dyn Sink<Place>) {
        for way in self.ways {
            let mut nodes = Vec::with_capacity(way.refs.len());
            let mut missing = Vec::new();
            for r in &way.refs {
                match self.coords.get(r).copied().flatten() {
                    Some((lon, lat)) => nodes.push((*r, lon, lat)),
                    None if !missing.contains(r) => missing.push(*r),
                    None => {}
                }
            }
            let field = format!("way {}: nd", way.id);
            let result = if missing.is_empty() {
                centroid(&nodes)
            } else {
                let shown: Vec<String> = missing.iter().take(5).map(i64::to_string).collect();
                Err(format!(
                    "{} of its {} nodes are not in the file (e.g. {}): an extract cut through it?",
                    missing.len(),
                    way.refs
                        .iter()
                        .collect::<std::collections::HashSet<_>>()
                        .len(),
                    shown.join(", ")
                ))
            };
            let go_on = match result {
                Ok(pos) => match tags::place(&format!("osm:way/{}", way.id), &way.tags, pos) {
                    Some(place) => sink.record(place),
                    None => true,
                },
                Err(reason) => sink.reject(element_rejection(path, way.position, field, reason)),
            };
            if !go_on {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stream::Collect;

    /// A file of the shared test data.
    pub(crate) fn data(rel: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/data")
            .join(rel)
    }

    /// Writes `text` to a file named `name` in a fresh temporary folder (kept alive by
    /// the returned guard).
    pub(crate) fn write_temp(name: &str, text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    /// Reads a file through [`read`], as the importer will.
    pub(crate) fn read_all(path: &Path) -> Result<Collect<Place>, Rejection> {
        let mut sink = Collect::default();
        read(path, &mut sink)?;
        Ok(sink)
    }

    /// The place of a key, or a panic naming what was read.
    pub(crate) fn place<'a>(sink: &'a Collect<Place>, key: &str) -> &'a Place {
        let keys: Vec<&str> = sink.records.iter().map(|p| p.key.as_str()).collect();
        sink.records
            .iter()
            .find(|p| p.key == key)
            .unwrap_or_else(|| panic!("no {key} in {keys:?}"))
    }

    pub(crate) fn near(pos: LonLat, lon: f64, lat: f64) -> bool {
        (pos.lon() - lon).abs() < 1e-7 && (pos.lat() - lat).abs() < 1e-7
    }

    /// Stops the reader after `n` records.
    #[derive(Debug, Default)]
    pub(crate) struct StopAfter {
        pub n: usize,
        pub records: Vec<Place>,
    }

    impl Sink<Place> for StopAfter {
        fn record(&mut self, record: Place) -> bool {
            self.records.push(record);
            self.records.len() < self.n
        }
        fn reject(&mut self, _: Rejection) -> bool {
            true
        }
    }

    #[test]
    fn centroid_counts_a_closed_way_s_repeated_node_once() {
        let square = [
            (1, 0.0, 0.0),
            (2, 2.0, 0.0),
            (3, 2.0, 2.0),
            (4, 0.0, 2.0),
            (1, 0.0, 0.0),
        ];
        let c = centroid(&square).unwrap();
        assert_eq!((c.lon(), c.lat()), (1.0, 1.0));
        let open = [(1, 0.0, 0.0), (2, 3.0, 0.0), (3, 3.0, 3.0)];
        let c = centroid(&open).unwrap();
        assert_eq!((c.lon(), c.lat()), (2.0, 1.0));
        assert!(centroid(&[]).is_err());
    }

    #[test]
    fn swapped_coordinates_are_named() {
        let e = lon_lat(45.39, 93.37).unwrap_err();
        assert!(e.contains("swapped"), "{e}");
        assert!(lon_lat(f64::NAN, 1.0).is_err());
    }

    #[test]
    fn sniffs_each_format_from_content() {
        let p = Path::new("x.bin");
        assert_eq!(
            sniff(p, b"\0\0\0\x0d\x0a\x09OSMHeader\x18"),
            Some(Format::OsmPbf)
        );
        assert_eq!(
            sniff(p, b"  <?xml version='1.0'?><osm>"),
            Some(Format::OsmXml)
        );
        assert_eq!(sniff(p, br#"{"elements": []}"#), Some(Format::Overpass));
        assert_eq!(
            sniff(p, br#"{"numFound": 1, "objetsTouristiques": []}"#),
            Some(Format::Apidae)
        );
        assert_eq!(sniff(p, b"GIF89a"), None);
    }

    #[test]
    fn unreadable_files_are_refused_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("e.osm");
        std::fs::write(&empty, "").unwrap();
        let mut sink = Collect::default();
        let e = read(&empty, &mut sink).unwrap_err();
        assert_eq!(e.reason, "empty file");
        let gif = dir.path().join("g.gif");
        std::fs::write(&gif, b"GIF89a\x01\x00").unwrap();
        let e = read(&gif, &mut sink).unwrap_err();
        assert!(e.reason.starts_with("not an OSM"), "{e}");
        let e = read(&dir.path().join("missing.osm"), &mut sink).unwrap_err();
        assert!(e.reason.starts_with("cannot read"), "{e}");
    }
}
