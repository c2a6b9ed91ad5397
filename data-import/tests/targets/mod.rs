//! Every reader run on bytes, by the name of its fuzz target: shared by the fuzz targets
//! (`fuzz/fuzz_targets/*.rs` include this file) and by `fuzz_corpus.rs`, which replays
//! the corpus on stable Rust. Readers that take a path get the bytes in a scratch file.
//!
//! Besides not panicking, a reader must name its file in every rejection, give each a
//! reason, and return at once when its sink says stop.

#![allow(dead_code)]

use balade_import::Rejection;
use balade_import::features::Parsed;
use balade_import::heritage::{self, HeritageOptions};
use balade_import::stream::Sink;
use balade_import::tourism::{apidae, geotrek, osm_pbf, osm_xml, overpass};
use balade_import::{circuits, communes, dwc, features, gpx, landscapes};
use std::cell::RefCell;
use std::path::{Path, PathBuf};

/// The fuzz targets, each with the extension its scratch file gets.
pub const TARGETS: &[(&str, &str)] = &[
    ("gpx", "gpx"),
    ("heritage_table", "txt"),
    ("heritage_json", "json"),
    ("dwc_table", "txt"),
    ("dwc_archive", "zip"),
    ("dwc_meta", "xml"),
    ("osm_xml", "osm"),
    ("osm_pbf", "pbf"),
    ("overpass_json", "json"),
    ("apidae_json", "json"),
    ("geotrek_json", "json"),
    ("landscapes", "geojson"),
    ("communes", "geojson"),
    ("circuits", "json"),
];

/// What a reader made of an input.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub records: usize,
    pub rejections: usize,
    /// The file refused as a whole.
    pub refused: bool,
}

/// Runs the reader of `target` on `data`. Panics on an unknown target, or when the
/// reader breaks one of its rules.
pub fn run(target: &str, data: &[u8]) -> Outcome {
    let parse: fn(&Path, &[u8], bool) -> Counted = match target {
        "gpx" => gpx_records,
        "landscapes" => |p: &Path, b: &[u8], partial| count(landscapes::parse(p, b, partial)),
        "communes" => |p: &Path, b: &[u8], partial| count(communes::parse(p, b, partial)),
        "circuits" => |p: &Path, b: &[u8], partial| count(circuits::parse(p, b, partial)),
        "dwc_meta" => |p: &Path, b: &[u8], _| {
            dwc::meta::parse(p, b)
                .map(|_| (1, Vec::new()))
                .map_err(|r| vec![r])
        },
        _ => return streamed(target, data),
    };
    whole(target, data, parse)
}

/// What a whole-file reader gave: records, and its rejections (dropped or refusing).
type Counted = Result<(usize, Vec<Rejection>), Vec<Rejection>>;

fn count<T>(parsed: Result<Parsed<T>, Vec<Rejection>>) -> Counted {
    parsed.map(|p| (p.records.len(), p.dropped))
}

/// A GPX file's records: its circuit and its waypoints.
fn gpx_records(path: &Path, bytes: &[u8], partial: bool) -> Counted {
    gpx::parse(path, bytes, partial).map(|c| (1 + c.pois.len(), c.dropped))
}

/// A reader of whole files, run without then with `partial`.
fn whole(target: &str, data: &[u8], parse: fn(&Path, &[u8], bool) -> Counted) -> Outcome {
    // The circuits readers look for plan files beside the file: a folder that does not
    // exist has none.
    let path = Path::new("/nonexistent-balade-fuzz").join(format!("{target}.{}", ext(target)));
    let mut outcome = Outcome::default();
    for partial in [false, true] {
        let rejections = match parse(&path, data, partial) {
            Ok((records, dropped)) => {
                assert!(
                    partial || dropped.is_empty(),
                    "{target}: dropped without partial"
                );
                outcome = Outcome {
                    records,
                    rejections: dropped.len(),
                    refused: false,
                };
                dropped
            }
            Err(rejections) => {
                assert!(
                    !rejections.is_empty(),
                    "{target}: refused without a rejection"
                );
                outcome = Outcome {
                    records: 0,
                    rejections: rejections.len(),
                    refused: true,
                };
                rejections
            }
        };
        rejections.iter().for_each(|r| check(&path, r));
    }
    outcome
}

/// A streaming reader, run to the end, then again with a sink that says stop at the
/// first thing it is given.
fn streamed(target: &str, data: &[u8]) -> Outcome {
    let path = scratch(target);
    std::fs::write(&path, data).expect("scratch file");
    let outcome = stream_once(target, &path, data, usize::MAX);
    if outcome.records + outcome.rejections > 1 {
        stream_once(target, &path, data, 1);
    }
    outcome
}

fn ext(target: &str) -> &'static str {
    TARGETS
        .iter()
        .find(|(t, _)| *t == target)
        .map(|(_, e)| *e)
        .unwrap_or_else(|| panic!("no fuzz target `{target}`"))
}

thread_local! {
    static SCRATCH: RefCell<Option<tempfile::TempDir>> = const { RefCell::new(None) };
}

/// Where a streaming reader's bytes go: one scratch folder per thread, in memory when
/// the system has `/dev/shm`.
fn scratch(target: &str) -> PathBuf {
    let name = format!("{target}.{}", ext(target));
    SCRATCH.with(|s| {
        s.borrow_mut()
            .get_or_insert_with(|| {
                let shm = Path::new("/dev/shm");
                let mut builder = tempfile::Builder::new();
                builder.prefix("balade-fuzz-");
                if shm.is_dir() {
                    builder.tempdir_in(shm)
                } else {
                    builder.tempdir()
                }
                .expect("a scratch folder")
            })
            .path()
            .join(name)
    })
}

/// Counts what a reader hands on, and says stop after `limit` items.
struct Counting<'a> {
    path: &'a Path,
    limit: usize,
    outcome: Outcome,
}

impl Counting<'_> {
    fn go_on(&mut self) -> bool {
        let given = self.outcome.records + self.outcome.rejections;
        assert!(given <= self.limit, "went on after its sink said stop");
        given < self.limit
    }
}

impl<T> Sink<T> for Counting<'_> {
    fn record(&mut self, _: T) -> bool {
        self.outcome.records += 1;
        self.go_on()
    }
    fn reject(&mut self, r: Rejection) -> bool {
        check(self.path, &r);
        self.outcome.rejections += 1;
        self.go_on()
    }
}

/// A rejection names the file read (or a member of it) and says why.
fn check(path: &Path, r: &Rejection) {
    assert!(
        r.path.starts_with(path),
        "rejection of another file: {r} (reading {})",
        path.display()
    );
    assert!(!r.reason.trim().is_empty(), "rejection without reason: {r}");
}

fn stream_once(target: &str, path: &Path, data: &[u8], limit: usize) -> Outcome {
    let mut sink = Counting {
        path,
        limit,
        outcome: Outcome::default(),
    };
    let result = match target {
        "heritage_table" => heritage::table::read(path, &HeritageOptions::default(), &mut sink),
        "heritage_json" => heritage::json::read(path, &mut sink),
        "dwc_table" | "dwc_archive" => dwc::read(path, &mut sink),
        "osm_xml" => osm_xml::read(path, &mut sink),
        "osm_pbf" => osm_pbf::read(path, &mut sink),
        // Tourism JSON is parsed whole (as `tourism::read` does), then streamed.
        _ => match features::read_json(path, data) {
            Err(mut e) => Err(e.pop().unwrap_or_else(|| panic!("{target}: no rejection"))),
            Ok(doc) => match target {
                "overpass_json" => overpass::read_value(path, &doc, &mut sink),
                "apidae_json" => apidae::read_value(path, &doc, &mut sink),
                "geotrek_json" => geotrek::read_value(path, &doc, &mut sink),
                _ => panic!("no fuzz target `{target}`"),
            },
        },
    };
    if let Err(r) = &result {
        check(path, r);
        sink.outcome.refused = true;
    }
    sink.outcome
}
