//! Drives an import run: finds the files, reads each, writes each in its own transaction,
//! reports progress and rejections as they come.

use crate::features::Parsed;
use crate::heritage::{self, HeritageOptions, HeritageRecord};
use crate::pipeline::{self, Streamed};
use crate::report::{ImportReport, Rejection};
use crate::stream::Sink;
use crate::tourism::{self, Place};
use crate::{biodiversity, circuits, communes, dwc, gpx, landscapes};
use balade_core::hash::Fnv;
use balade_core::store::{ImportTx, Store, StoreError, Upsert};
use balade_core::{Circuit, Commune, Landscape, Observation, Poi, PoiDetails, PoiId};
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Larger GPX files are refused: a circuit is a few megabytes at most.
pub const MAX_GPX_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Import the good records of a file that has bad ones.
    pub partial: bool,
    /// Draw a progress bar (on a terminal) instead of a line per file.
    pub progress_bar: bool,
}

/// Files named by `paths`: files as given, folders searched recursively for files with
/// one of `exts`, in name order. A path that does not exist is a rejection.
pub fn collect_files(paths: &[PathBuf], exts: &[&str], report: &mut ImportReport) -> Vec<PathBuf> {
    collect(paths, exts, None, report)
}

/// [`collect_files`], where a folder holding a file named `marker` is one entry of its
/// own (a Darwin Core archive unpacked: `meta.xml`) and is not searched.
fn collect(
    paths: &[PathBuf],
    exts: &[&str],
    marker: Option<&str>,
    report: &mut ImportReport,
) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() && !is_marked(path, marker) {
            walk(path, exts, marker, &mut files, report);
        } else if path.is_file() || path.is_dir() {
            files.push(path.clone());
        } else {
            report
                .rejections
                .push(Rejection::file(path, "no such file or folder"));
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
    report: &mut ImportReport,
) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            return report
                .rejections
                .push(Rejection::file(dir, format!("cannot read folder: {e}")));
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() && is_marked(&p, marker) {
            files.push(p);
        } else if p.is_dir() {
            walk(&p, exts, marker, files, report);
        } else if p
            .extension()
            .is_some_and(|e| exts.iter().any(|x| e.eq_ignore_ascii_case(x)))
        {
            files.push(p);
        }
    }
}

/// Imports GPX files and folders into `store`. Rejections are written to `out` as they
/// are found; the caller prints the summary line.
pub async fn import_gpx(
    store: &dyn Store,
    paths: &[PathBuf],
    options: &ImportOptions,
    out: &mut dyn Write,
) -> Result<ImportReport, StoreError> {
    let mut report = ImportReport::default();
    let files = collect_files(paths, &["gpx"], &mut report);
    let mut written = HashMap::new();
    let communes = store.communes().await?;
    run_files(&files, report, options, out, async |path, report, _| {
        import_one_gpx(store, path, options, report, &mut written, &communes).await
    })
    .await
}

/// Imports commune boundaries from GeoJSON files, and places every circuit in them:
/// each circuit's communes and intercommunalities follow from its trace.
pub async fn import_communes(
    store: &dyn Store,
    paths: &[PathBuf],
    options: &ImportOptions,
    out: &mut dyn Write,
) -> Result<ImportReport, StoreError> {
    import_json(store, paths, options, out, communes::parse).await
}

/// Writes the places of `circuits` in `communes` where they change (see
/// [`Circuit::locate`]).
async fn place_circuits(
    tx: &mut dyn ImportTx,
    circuits: impl IntoIterator<Item = Circuit>,
    communes: &[Commune],
) -> Result<(), StoreError> {
    for mut circuit in circuits {
        let before = (circuit.communes.clone(), circuit.intercommunalities.clone());
        circuit.locate(communes);
        if (&circuit.communes, &circuit.intercommunalities) != (&before.0, &before.1) {
            tx.set_circuit_places(&circuit.id, &circuit.communes, &circuit.intercommunalities)
                .await?;
        }
    }
    Ok(())
}

/// Imports heritage inventory exports (delimited text, POP JSON, GeoJSON) into `store`,
/// each file streamed in its own transaction.
pub async fn import_heritage(
    store: &dyn Store,
    paths: &[PathBuf],
    options: &ImportOptions,
    heritage: &HeritageOptions,
    out: &mut dyn Write,
) -> Result<ImportReport, StoreError> {
    let mut report = ImportReport::default();
    let files = collect_files(
        paths,
        &["csv", "txt", "tsv", "json", "geojson"],
        &mut report,
    );
    run_files(&files, report, options, out, async |path, report, bar| {
        let (owned, heritage) = (path.to_owned(), *heritage);
        let read =
            move |sink: &mut dyn Sink<HeritageRecord>| heritage::read(&owned, &heritage, sink);
        let noted = Some("without usable location");
        file_line(store, path, options, report, bar, "notices", noted, read).await
    })
    .await
}

/// Imports tourism and practical places (OSM XML/PBF, Overpass JSON, APIDAE or
/// DataTourisme JSON) into `store`, each file streamed in its own transaction.
pub async fn import_tourism(
    store: &dyn Store,
    paths: &[PathBuf],
    options: &ImportOptions,
    out: &mut dyn Write,
) -> Result<ImportReport, StoreError> {
    let mut report = ImportReport::default();
    let files = collect_files(paths, &["osm", "pbf", "xml", "json"], &mut report);
    run_files(&files, report, options, out, async |path, report, bar| {
        let owned = path.to_owned();
        let read =
            move |sink: &mut dyn Sink<Poi>| tourism::read(&owned, &mut MapSink(sink, place_to_poi));
        file_line(store, path, options, report, bar, "places", None, read).await
    })
    .await
}

/// A tourism place as a POI: id `osm:node-123` (ids allow no `/`), source
/// `tourism:osm:node/123`, practical fields in the details.
fn place_to_poi(p: Place) -> Poi {
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

impl Streamed for Poi {
    fn key(&self) -> &str {
        &self.source
    }
    fn place(&self) -> String {
        self.source.clone()
    }
    async fn write(tx: &mut dyn ImportTx, batch: Vec<Self>) -> Result<(u64, u64), StoreError> {
        tx.upsert_pois(&batch).await
    }
}

/// Imports species observations (Darwin Core archives, folders or occurrence tables)
/// into `store`, each file streamed in its own transaction that ends by rebuilding the
/// public grid aggregates. A sensitivity list, when given, replaces the stored one first
/// (in its own transaction, with the aggregates rebuilt).
pub async fn import_biodiversity(
    store: &dyn Store,
    paths: &[PathBuf],
    sensitivity: Option<&Path>,
    options: &ImportOptions,
    out: &mut dyn Write,
) -> Result<ImportReport, StoreError> {
    let mut report = ImportReport::default();
    if let Some(list) = sensitivity {
        match biodiversity::read_sensitivity_list(list) {
            Ok(list) => {
                let mut tx = store.begin_import().await?;
                tx.replace_sensitive_taxa(&list).await?;
                tx.refresh_species().await?;
                tx.commit().await?;
                let _ = writeln!(
                    out,
                    "{}: {} sensitive taxa",
                    sensitivity.unwrap_or(Path::new("")).display(),
                    list.len()
                );
            }
            Err(rejections) => {
                for r in &rejections {
                    let _ = writeln!(out, "rejected: {r}");
                }
                report.rejections.extend(rejections);
                report.files_refused += 1;
                // Observations must not be published under a list that was refused.
                return Ok(report);
            }
        }
    }
    // A folder holding meta.xml is one archive, not a set of tables.
    let files = collect(
        paths,
        &["zip", "tgz", "csv", "tsv", "txt"],
        Some("meta.xml"),
        &mut report,
    );
    run_files(&files, report, options, out, async |path, report, bar| {
        let owned = path.to_owned();
        let read = move |sink: &mut dyn Sink<Observation>| {
            dwc::read(&owned, &mut MapSink(sink, biodiversity::observation))
        };
        file_line(
            store,
            path,
            options,
            report,
            bar,
            "observations",
            None,
            read,
        )
        .await
    })
    .await
}

impl Streamed for Observation {
    fn key(&self) -> &str {
        &self.source
    }
    fn place(&self) -> String {
        self.source.clone()
    }
    async fn finish(tx: &mut dyn ImportTx) -> Result<(), StoreError> {
        tx.refresh_species().await
    }
    async fn write(tx: &mut dyn ImportTx, batch: Vec<Self>) -> Result<(u64, u64), StoreError> {
        tx.upsert_observations(&batch).await
    }
}

/// Streams one file into the store and returns the line telling what became of it:
/// `PATH: N NOUN (M NOTED)[, K rejected]`, or `PATH: not imported (K rejected)`. Records
/// counted apart add to the report's count of records without location.
#[allow(clippy::too_many_arguments)]
async fn file_line<T: Streamed>(
    store: &dyn Store,
    path: &Path,
    options: &ImportOptions,
    report: &mut ImportReport,
    bar: Option<&ProgressBar>,
    noun: &str,
    noted: Option<&str>,
    read: impl FnOnce(&mut dyn Sink<T>) -> Result<(), Rejection> + Send + 'static,
) -> Result<String, StoreError> {
    let before = report.rejected();
    let counts = pipeline::import_file(store, path, options.partial, report, bar, read).await?;
    let rejected = report.rejected() - before;
    Ok(match counts {
        Some(c) => {
            report.unlocated += c.noted;
            let noted = noted
                .map(|label| format!(" ({} {label})", c.noted))
                .unwrap_or_default();
            let rejected = if rejected == 0 {
                String::new()
            } else {
                format!(", {rejected} rejected")
            };
            format!("{}: {} {noun}{noted}{rejected}", path.display(), c.records)
        }
        None => format!("{}: not imported ({rejected} rejected)", path.display()),
    })
}

impl Streamed for HeritageRecord {
    fn key(&self) -> &str {
        &self.poi.source
    }
    fn place(&self) -> String {
        self.place.clone()
    }
    fn noted(&self) -> bool {
        self.poi.pos.is_none()
    }
    async fn write(tx: &mut dyn ImportTx, batch: Vec<Self>) -> Result<(u64, u64), StoreError> {
        let pois: Vec<_> = batch.into_iter().map(|r| r.poi).collect();
        tx.upsert_pois(&pois).await
    }
}

/// Loads the demo set in `fixtures`: its `circuits/` GPX files, then its `landscapes/`
/// and `biodiversity/` (observations and sensitivity list) when present, printing
/// nothing; the report covers them all.
pub async fn import_demo(store: &dyn Store, fixtures: &Path) -> Result<ImportReport, StoreError> {
    let options = ImportOptions::default();
    let mut sink = std::io::sink();
    let mut report = ImportReport::default();
    let communes = fixtures.join("communes");
    if communes.is_dir() {
        report.absorb(import_communes(store, &[communes], &options, &mut sink).await?);
    }
    report.absorb(import_gpx(store, &[fixtures.join("circuits")], &options, &mut sink).await?);
    let landscapes = fixtures.join("landscapes");
    if landscapes.is_dir() {
        report.absorb(import_landscapes(store, &[landscapes], &options, &mut sink).await?);
    }
    let species = fixtures.join("biodiversity");
    if species.is_dir() {
        let list = species.join("sensitive-taxa.csv");
        let observations = species.join("observations.csv");
        let list = list.is_file().then_some(list.as_path());
        report
            .absorb(import_biodiversity(store, &[observations], list, &options, &mut sink).await?);
    }
    let tourism = fixtures.join("tourism");
    if tourism.is_dir() {
        report.absorb(import_tourism(store, &[tourism], &options, &mut sink).await?);
    }
    Ok(report)
}

/// Imports whole circuits (national hiking-trail schema, GeoJSON) into `store`.
pub async fn import_circuits(
    store: &dyn Store,
    paths: &[PathBuf],
    options: &ImportOptions,
    out: &mut dyn Write,
) -> Result<ImportReport, StoreError> {
    import_json(store, paths, options, out, circuits::parse).await
}

/// Imports landscape units from GeoJSON files and folders into `store`.
pub async fn import_landscapes(
    store: &dyn Store,
    paths: &[PathBuf],
    options: &ImportOptions,
    out: &mut dyn Write,
) -> Result<ImportReport, StoreError> {
    import_json(store, paths, options, out, landscapes::parse).await
}

/// Imports the JSON and GeoJSON files of `paths` read by `parse`, each in its own
/// transaction.
async fn import_json<T: Record>(
    store: &dyn Store,
    paths: &[PathBuf],
    options: &ImportOptions,
    out: &mut dyn Write,
    parse: ParseFn<T>,
) -> Result<ImportReport, StoreError> {
    let mut report = ImportReport::default();
    let files = collect_files(paths, &["geojson", "json"], &mut report);
    run_files(&files, report, options, out, async |path, report, _| {
        import_one_records(store, path, options, report, parse).await
    })
    .await
}

/// Runs `one` on each file in turn, with a progress bar on a terminal or a line per file
/// otherwise, and each rejection printed as soon as it is known.
async fn run_files(
    files: &[PathBuf],
    mut report: ImportReport,
    options: &ImportOptions,
    out: &mut dyn Write,
    mut one: impl AsyncFnMut(
        &Path,
        &mut ImportReport,
        Option<&ProgressBar>,
    ) -> Result<String, StoreError>,
) -> Result<ImportReport, StoreError> {
    for r in &report.rejections {
        let _ = writeln!(out, "rejected: {r}");
    }
    let bar = options.progress_bar.then(|| {
        let bar = ProgressBar::new(files.len() as u64);
        if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} files {wide_msg}") {
            bar.set_style(style);
        }
        bar
    });
    for path in files {
        if let Some(bar) = &bar {
            bar.set_message(path.display().to_string());
        }
        let before = report.rejections.len();
        let line = one(path, &mut report, bar.as_ref()).await?;
        for r in &report.rejections[before..] {
            let text = format!("rejected: {r}");
            match &bar {
                Some(bar) => bar.println(&text),
                None => {
                    let _ = writeln!(out, "{text}");
                }
            }
        }
        match &bar {
            Some(bar) => bar.inc(1),
            None => {
                let _ = writeln!(out, "{line}");
            }
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(report)
}

/// Imports one file; returns the line describing what happened to it.
async fn import_one_gpx(
    store: &dyn Store,
    path: &Path,
    options: &ImportOptions,
    report: &mut ImportReport,
    written: &mut HashMap<String, PathBuf>,
    communes: &[Commune],
) -> Result<String, StoreError> {
    let refuse = |report: &mut ImportReport, rejections: Vec<Rejection>| {
        let n = rejections.len();
        report.rejections.extend(rejections);
        report.files_refused += 1;
        format!("{}: not imported ({n} rejected)", path.display())
    };
    let bytes = match read_limited(path, MAX_GPX_BYTES) {
        Ok(b) => b,
        Err(reason) => return Ok(refuse(report, vec![Rejection::file(path, reason)])),
    };
    let parsed = match gpx::parse(path, &bytes, options.partial) {
        Ok(p) => p,
        Err(rejections) => return Ok(refuse(report, rejections)),
    };
    // Two files of one run with the same key would overwrite each other silently.
    if let Some(first) = written.get(&parsed.circuit.source) {
        let reason = format!(
            "same circuit id `{}` as {} (ids come from file names): rename one of them",
            parsed.circuit.id,
            first.display()
        );
        return Ok(refuse(report, vec![Rejection::file(path, reason)]));
    }
    let mut tx = store.begin_import().await?;
    let outcome = write_circuit(tx.as_mut(), &parsed, communes).await;
    let (imported, updated) = match outcome {
        Ok(counts) => counts,
        Err(StoreError::Conflict(reason)) => {
            return Ok(refuse(report, vec![Rejection::file(path, reason)]));
        }
        Err(e) => return Err(e),
    };
    tx.commit().await?;
    written.insert(parsed.circuit.source.clone(), path.to_owned());
    report.imported += imported;
    report.updated += updated;
    report.files_written += 1;
    report.rejections.extend(parsed.dropped);
    Ok(format!(
        "{}: circuit `{}` with {} POIs ({:.1} km)",
        path.display(),
        parsed.circuit.id,
        parsed.pois.len(),
        parsed.circuit.stats.length_m / 1000.0
    ))
}

/// Writes a circuit and its POIs; returns (inserted, updated) record counts.
async fn write_circuit(
    tx: &mut dyn ImportTx,
    parsed: &gpx::ParsedCircuit,
    communes: &[Commune],
) -> Result<(u64, u64), StoreError> {
    let mut counts = (0, 0);
    let mut tally = |u: Upsert| match u {
        Upsert::Inserted => counts.0 += 1,
        Upsert::Updated => counts.1 += 1,
    };
    tally(tx.upsert_circuit(&parsed.circuit).await?);
    place_circuits(tx, [parsed.circuit.clone()], communes).await?;
    for poi in &parsed.pois {
        tally(tx.upsert_poi(poi).await?);
    }
    let keep: Vec<_> = parsed.pois.iter().map(|p| p.id.clone()).collect();
    tx.prune_circuit_pois(&parsed.circuit.id, &keep).await?;
    Ok(counts)
}

fn read_limited(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?;
    if meta.len() > max {
        return Err(format!(
            "file is {} MiB, over the {} MiB limit",
            meta.len() >> 20,
            max >> 20
        ));
    }
    std::fs::read(path).map_err(|e| format!("cannot read: {e}"))
}

/// Larger GeoJSON files are refused: an atlas or a trail export is megabytes, not more.
pub const MAX_GEOJSON_BYTES: u64 = 64 * 1024 * 1024;

/// A record the JSON importers write, one transaction per file.
trait Record: Sized {
    /// What a file's line calls a number of them.
    const NOUN: &'static str;
    async fn upsert(&self, tx: &mut dyn ImportTx) -> Result<Upsert, StoreError>;
    /// What follows from a file's records once they are written, in the same
    /// transaction.
    async fn follow(
        _records: &[Self],
        _store: &dyn Store,
        _tx: &mut dyn ImportTx,
    ) -> Result<(), StoreError> {
        Ok(())
    }
}

impl Record for Circuit {
    const NOUN: &'static str = "circuits";
    async fn upsert(&self, tx: &mut dyn ImportTx) -> Result<Upsert, StoreError> {
        tx.upsert_circuit(self).await
    }
    /// New circuits are placed in the communes known.
    async fn follow(
        records: &[Self],
        store: &dyn Store,
        tx: &mut dyn ImportTx,
    ) -> Result<(), StoreError> {
        let communes = store.communes().await?;
        place_circuits(tx, records.iter().cloned(), &communes).await
    }
}

impl Record for Commune {
    const NOUN: &'static str = "communes";
    async fn upsert(&self, tx: &mut dyn ImportTx) -> Result<Upsert, StoreError> {
        tx.upsert_commune(self).await
    }
    /// Every circuit is placed again in the communes known, these ones included.
    async fn follow(
        records: &[Self],
        store: &dyn Store,
        tx: &mut dyn ImportTx,
    ) -> Result<(), StoreError> {
        let mut communes: Vec<Commune> = store
            .communes()
            .await?
            .into_iter()
            .filter(|c| !records.iter().any(|r| r.code == c.code))
            .collect();
        communes.extend(records.iter().cloned());
        place_circuits(tx, store.all_circuits().await?, &communes).await
    }
}

impl Record for Landscape {
    const NOUN: &'static str = "landscape units";
    async fn upsert(&self, tx: &mut dyn ImportTx) -> Result<Upsert, StoreError> {
        tx.upsert_landscape(self).await
    }
}

/// A reader of one file: path, bytes, partial.
type ParseFn<T> = fn(&Path, &[u8], bool) -> Result<Parsed<T>, Vec<Rejection>>;

/// Imports one JSON file read by `parse`: all its records in one transaction, or none.
async fn import_one_records<T: Record>(
    store: &dyn Store,
    path: &Path,
    options: &ImportOptions,
    report: &mut ImportReport,
    parse: ParseFn<T>,
) -> Result<String, StoreError> {
    let refuse = |report: &mut ImportReport, rejections: Vec<Rejection>| {
        let n = rejections.len();
        report.rejections.extend(rejections);
        report.files_refused += 1;
        format!("{}: not imported ({n} rejected)", path.display())
    };
    let bytes = match read_limited(path, MAX_GEOJSON_BYTES) {
        Ok(b) => b,
        Err(reason) => return Ok(refuse(report, vec![Rejection::file(path, reason)])),
    };
    let parsed = match parse(path, &bytes, options.partial) {
        Ok(p) => p,
        Err(rejections) => return Ok(refuse(report, rejections)),
    };
    let mut tx = store.begin_import().await?;
    let mut counts = (0, 0);
    for record in &parsed.records {
        match record.upsert(tx.as_mut()).await {
            Ok(Upsert::Inserted) => counts.0 += 1,
            Ok(Upsert::Updated) => counts.1 += 1,
            Err(StoreError::Conflict(reason)) => {
                return Ok(refuse(report, vec![Rejection::file(path, reason)]));
            }
            Err(e) => return Err(e),
        }
    }
    T::follow(&parsed.records, store, tx.as_mut()).await?;
    tx.commit().await?;
    report.imported += counts.0;
    report.updated += counts.1;
    report.files_written += 1;
    report.rejections.extend(parsed.dropped);
    Ok(format!(
        "{}: {} {}",
        path.display(),
        parsed.records.len(),
        T::NOUN
    ))
}
