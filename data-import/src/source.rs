//! What an import reads: the kinds of source, the files a path names, and for each file a
//! reader that hands every record (or located rejection) on as soon as it is read.
//! Streamed formats are read as they go; formats read whole (GPX, GeoJSON, JSON) are
//! parsed under a size limit, then handed on the same way.

use crate::features::Parsed;
use crate::heritage::{self, HeritageOptions, HeritageRecord};
use crate::report::Rejection;
use crate::stream::Sink;
use crate::tourism::{self, Place};
use crate::{biodiversity, circuits, communes, dwc, gpx, landscapes};
use balade_core::hash::Fnv;
use balade_core::record::Record;
use balade_core::{Poi, PoiDetails, PoiId};
use std::path::{Path, PathBuf};

/// Larger GPX files are refused: a circuit is a few megabytes at most.
pub const MAX_GPX_BYTES: u64 = 256 * 1024 * 1024;
/// Larger GeoJSON files are refused: an atlas or a trail export is megabytes, not more.
pub const MAX_GEOJSON_BYTES: u64 = 64 * 1024 * 1024;

/// A record as a reader gives it, with where it is in its file (for messages) when
/// its key does not say.
#[derive(Debug, Clone)]
pub struct Item {
    pub record: Record,
    pub place: Option<String>,
}

/// What an import command reads.
#[derive(Debug, Clone)]
pub enum Source {
    /// GPX files: one circuit each, its waypoints as its own POIs.
    Gpx,
    /// Whole circuits: national hiking-trail schema, Geotrek, APIDAE.
    Circuits,
    /// Landscape units (GeoJSON polygons).
    Landscapes,
    /// Commune boundaries (GeoJSON polygons).
    Communes,
    /// Heritage inventory notices.
    Heritage(HeritageOptions),
    /// Tourism and practical places.
    Tourism,
    /// Species observations, with a sensitivity list to load first.
    Biodiversity { sensitive: Option<PathBuf> },
}

impl Source {
    /// The `balade import` subcommand that reads it.
    pub fn name(&self) -> &'static str {
        match self {
            Source::Gpx => "gpx",
            Source::Circuits => "circuits",
            Source::Landscapes => "landscapes",
            Source::Communes => "communes",
            Source::Heritage(_) => "ariane",
            Source::Tourism => "tourism",
            Source::Biodiversity { .. } => "biodiversity",
        }
    }

    /// What a file's line calls its records.
    pub fn noun(&self) -> &'static str {
        match self {
            Source::Gpx => "records",
            Source::Circuits => "circuits",
            Source::Landscapes => "landscape units",
            Source::Communes => "communes",
            Source::Heritage(_) => "notices",
            Source::Tourism => "places",
            Source::Biodiversity { .. } => "observations",
        }
    }

    /// Extensions of the files searched for in folders.
    pub fn extensions(&self) -> &'static [&'static str] {
        match self {
            Source::Gpx => &["gpx"],
            Source::Circuits | Source::Landscapes | Source::Communes => &["geojson", "json"],
            Source::Heritage(_) => &["csv", "txt", "tsv", "json", "geojson"],
            Source::Tourism => &["osm", "pbf", "xml", "json"],
            Source::Biodiversity { .. } => &["zip", "tgz", "csv", "tsv", "txt"],
        }
    }

    /// A file whose presence makes a folder one entry of its own (a Darwin Core
    /// archive unpacked), not a folder to search.
    fn marker(&self) -> Option<&'static str> {
        matches!(self, Source::Biodiversity { .. }).then_some("meta.xml")
    }

    /// The files `paths` name (see [`collect_files`]).
    pub fn files(&self, paths: &[PathBuf], rejections: &mut Vec<Rejection>) -> Vec<PathBuf> {
        collect(paths, self.extensions(), self.marker(), rejections)
    }

    /// Reads the file at `path` into `sink`; `Err` when the file cannot be read at all.
    pub fn read(
        &self,
        path: &Path,
        partial: bool,
        sink: &mut dyn Sink<Item>,
    ) -> Result<(), Rejection> {
        match self {
            Source::Gpx => {
                let bytes = read_limited(path, MAX_GPX_BYTES)?;
                let parsed = match gpx::parse(path, &bytes, partial) {
                    Ok(p) => p,
                    Err(rejections) => return refuse_all(sink, rejections),
                };
                let circuit = Item {
                    place: Some("trk".into()),
                    record: Record::Circuit(parsed.circuit),
                };
                if !sink.record(circuit) {
                    return Ok(());
                }
                for poi in parsed.pois {
                    if !sink.record(Item {
                        record: Record::Poi(poi),
                        place: None,
                    }) {
                        return Ok(());
                    }
                }
                refuse_all(sink, parsed.dropped)
            }
            Source::Circuits => whole(path, partial, sink, circuits::parse, Record::Circuit),
            Source::Landscapes => whole(path, partial, sink, landscapes::parse, |l| {
                Record::Landscape(l)
            }),
            Source::Communes => whole(path, partial, sink, communes::parse, Record::Commune),
            Source::Heritage(options) => {
                heritage::read(path, options, &mut MapSink(sink, notice_item))
            }
            Source::Tourism => tourism::read(path, &mut MapSink(sink, place_item)),
            Source::Biodiversity { .. } => dwc::read(path, &mut MapSink(sink, occurrence_item)),
        }
    }
}

fn notice_item(n: HeritageRecord) -> Item {
    Item {
        record: Record::Poi(n.poi),
        place: Some(n.place),
    }
}

fn place_item(p: Place) -> Item {
    Item {
        record: Record::Poi(place_to_poi(p)),
        place: None,
    }
}

fn occurrence_item(o: dwc::Occurrence) -> Item {
    Item {
        record: Record::Observation(biodiversity::observation(o)),
        place: None,
    }
}

/// Hands on the rejections of a file; stops early when the sink says so.
fn refuse_all(sink: &mut dyn Sink<Item>, rejections: Vec<Rejection>) -> Result<(), Rejection> {
    for r in rejections {
        if !sink.reject(r) {
            break;
        }
    }
    Ok(())
}

/// A reader of a file read whole: path, bytes, partial.
type ParseFn<T> = fn(&Path, &[u8], bool) -> Result<Parsed<T>, Vec<Rejection>>;

/// A file read whole by `parse`, its records handed on one by one.
fn whole<T>(
    path: &Path,
    partial: bool,
    sink: &mut dyn Sink<Item>,
    parse: ParseFn<T>,
    record: fn(T) -> Record,
) -> Result<(), Rejection> {
    let bytes = read_limited(path, MAX_GEOJSON_BYTES)?;
    let parsed = match parse(path, &bytes, partial) {
        Ok(p) => p,
        Err(rejections) => return refuse_all(sink, rejections),
    };
    for (i, r) in parsed.records.into_iter().enumerate() {
        let item = Item {
            record: record(r),
            place: Some(format!("feature {}", i + 1)),
        };
        if !sink.record(item) {
            return Ok(());
        }
    }
    refuse_all(sink, parsed.dropped)
}

pub(crate) fn read_limited(path: &Path, max: u64) -> Result<Vec<u8>, Rejection> {
    let fail = |reason: String| Rejection::file(path, reason);
    let meta = std::fs::metadata(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    if meta.len() > max {
        return Err(fail(format!(
            "file is {} MiB, over the {} MiB limit",
            meta.len() >> 20,
            max >> 20
        )));
    }
    std::fs::read(path).map_err(|e| fail(format!("cannot read: {e}")))
}

/// A tourism place as a POI: id `osm:node-123` (ids allow no `/`), source
/// `tourism:osm:node/123`, practical fields in the details.
pub fn place_to_poi(p: Place) -> Poi {
    let id = PoiId::new(p.key.replace('/', "-"))
        .or_else(|_| PoiId::new(format!("t-{:016x}", fnv(&p.key))))
        .unwrap_or_else(|_| unreachable!("a hex id is valid"));
    Poi {
        id,
        source: format!("tourism:{}", p.key),
        kind: p.kind,
        name: p.name,
        description: p.description,
        pos: Some(p.pos),
        ele: None,
        circuit: None,
        commune: p.commune,
        insee: None,
        details: PoiDetails {
            opening_hours: p.opening_hours,
            phone: p.phone,
            website: p.website,
            wheelchair: p.wheelchair,
            provenance: p.provenance,
            translations: p.translations,
            ..PoiDetails::default()
        },
    }
}

fn fnv(text: &str) -> u64 {
    let mut h = Fnv::new();
    h.field(text);
    h.finish()
}

/// A sink that converts what a reader gives before passing it on.
struct MapSink<'a, A, B>(&'a mut dyn Sink<B>, fn(A) -> B);

impl<A, B> Sink<A> for MapSink<'_, A, B> {
    fn record(&mut self, record: A) -> bool {
        self.0.record((self.1)(record))
    }
    fn reject(&mut self, rejection: Rejection) -> bool {
        self.0.reject(rejection)
    }
}

/// Files named by `paths`: files as given, folders searched recursively for files with
/// one of `exts`, in name order. A path that does not exist is a rejection.
pub fn collect_files(
    paths: &[PathBuf],
    exts: &[&str],
    rejections: &mut Vec<Rejection>,
) -> Vec<PathBuf> {
    collect(paths, exts, None, rejections)
}

/// [`collect_files`], where a folder holding a file named `marker` is one entry of its
/// own and is not searched.
fn collect(
    paths: &[PathBuf],
    exts: &[&str],
    marker: Option<&str>,
    rejections: &mut Vec<Rejection>,
) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() && !is_marked(path, marker) {
            walk(path, exts, marker, &mut files, rejections);
        } else if path.is_file() || path.is_dir() {
            files.push(path.clone());
        } else {
            rejections.push(Rejection::file(path, "no such file or folder"));
        }
    }
    files
}

fn is_marked(dir: &Path, marker: Option<&str>) -> bool {
    marker.is_some_and(|m| dir.join(m).is_file())
}

fn walk(
    dir: &Path,
    exts: &[&str],
    marker: Option<&str>,
    files: &mut Vec<PathBuf>,
    rejections: &mut Vec<Rejection>,
) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            return rejections.push(Rejection::file(dir, format!("cannot read folder: {e}")));
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() && is_marked(&p, marker) {
            files.push(p);
        } else if p.is_dir() {
            walk(&p, exts, marker, files, rejections);
        } else if p
            .extension()
            .is_some_and(|e| exts.iter().any(|x| e.eq_ignore_ascii_case(x)))
        {
            files.push(p);
        }
    }
}
