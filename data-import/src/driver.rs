//! The one import driver, for every source. Readers hand on records; the driver plans
//! each against the store (create, update with its changed fields, unchanged, delete for
//! records of the same scope that vanished, rejected), tells the plan as events, and
//! commits it file by file, all or nothing:
//!
//! - a file with a rejected record is not written at all unless `partial`; a record
//!   whose id belongs to another source refuses its file even then;
//! - unchanged records are not written; excluded keys neither;
//! - vanished records (those of a scope the run read that none of its files holds)
//!   are listed, and deleted only when asked (`--delete-missing`, or the ones a person
//!   ticked), in a transaction of their own after the files;
//! - circuits are placed in the communes known before they are compared, and importing
//!   communes places every circuit again (those moves are planned updates too);
//! - a dry run plans everything and writes nothing.
//!
//! Memory holds a few batches of records whatever the file's size, the keys seen (as
//! hashes) and the kept rejections (at most [`MAX_KEPT_REJECTIONS`] per file).

use crate::biodiversity;
use crate::plan::{ImportEvent, Observer, PlanCounts, Planned, Status};
use crate::report::{ImportReport, Rejection};
use crate::source::{Item, Source};
use crate::stream::Sink;
use balade_core::edit;
use balade_core::hash::{Fnv, PrehashedSet};
use balade_core::record::FieldChange;
use balade_core::record::{Record, RecordKind};
use balade_core::store::{AuditEntry, ImportTx, Store, StoreError};
use balade_core::{Circuit, Commune, Observation, Poi};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use tokio::sync::mpsc;

/// Records per batch: large enough for bulk statements, small enough to bound memory.
pub const BATCH: usize = 2_000;
/// Batches in flight between the reader and the planner.
const IN_FLIGHT: usize = 4;
/// Rejections kept per file with their text; beyond, they are only counted.
pub const MAX_KEPT_REJECTIONS: usize = 1_000;
/// Vanished records read back for their names; beyond, they are told by key.
const MAX_NAMED_DELETIONS: usize = 10_000;

/// Which vanished records a commit deletes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Deletion {
    /// None: they are listed only.
    #[default]
    None,
    /// All of them (`--delete-missing`).
    Missing,
    /// Those with these keys (ticked in the back-office).
    Only(HashSet<String>),
}

impl Deletion {
    fn wants(&self, key: &str) -> bool {
        match self {
            Deletion::None => false,
            Deletion::Missing => true,
            Deletion::Only(keys) => keys.contains(key),
        }
    }
}

/// How to run an import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Write the good records of a file that has bad ones.
    pub partial: bool,
    /// Plan only: write nothing.
    pub dry_run: bool,
    /// Which vanished records to delete.
    pub delete: Deletion,
    /// Keys the commit leaves out.
    pub exclude: HashSet<String>,
    /// Who the commit is by, when each circuit and POI it writes gets an entry in its
    /// audit log (origin `import`): the back-office's jobs.
    pub audit: Option<String>,
    /// Fetch and attach the photos the records name by URL (circuits and tourism
    /// files), under the fetcher's limits; `None` fetches nothing. Skipped in dry runs.
    pub photos: Option<crate::remote_photos::Fetcher>,
}

/// Imports the files `paths` name, read as `source`, telling `observer` as it goes.
pub async fn import(
    store: &dyn Store,
    source: &Source,
    paths: &[PathBuf],
    options: &ImportOptions,
    observer: &mut dyn Observer,
) -> Result<ImportReport, StoreError> {
    let mut report = ImportReport::default();
    let mut missing = Vec::new();
    let files = source.files(paths, &mut missing);
    for r in missing {
        observer.event(ImportEvent::Rejected(&r));
        report.reject(r);
    }
    if let Source::Biodiversity {
        sensitive: Some(list),
    } = source
        && !load_sensitivity_list(store, list, options, observer, &mut report).await?
    {
        // Observations must not be published under a list that was refused.
        return Ok(report);
    }
    let communes = store.communes().await?;
    let mut circuits_seen: HashMap<String, PathBuf> = HashMap::new();
    let mut run_read = RunRead::default();
    for (i, path) in files.iter().enumerate() {
        observer.event(ImportEvent::FileStarted {
            path,
            index: i + 1,
            total: files.len(),
        });
        let run = FileRun {
            store,
            source,
            options,
            path,
            communes: &communes,
            circuits_seen: &mut circuits_seen,
            observer: &mut *observer,
            writer: None,
            tx: None,
            counts: PlanCounts::default(),
            written: (0, 0, 0),
            file: i,
            scopes_here: HashMap::new(),
            run: &mut run_read,
            rejections: Vec::new(),
            rejected: 0,
            conflict: false,
            records: 0,
            unlocated: 0,
            touched_species: false,
            file_communes: Vec::new(),
            first_circuit: None,
            audits: Vec::new(),
        };
        let refused_before = report.files_refused;
        let line = run.run().await?.absorb_into(&mut report);
        observer.event(ImportEvent::FileDone { path, line: &line });
        if let Some(fetcher) = options.photos.as_ref().filter(|_| !options.dry_run)
            && report.files_refused == refused_before
        {
            let refs = photo_refs_of(source, path).await;
            crate::remote_photos::attach_all(store, fetcher, path, refs, &mut report, observer)
                .await?;
        }
    }
    vanished(store, options, &run_read, observer, &mut report).await?;
    Ok(report)
}

/// Fetches and attaches the photos the records of `path` name by URL, once those
/// records are written (the back-office does this after a job's commit, apart from
/// it). The counts and failures are in the report.
pub async fn attach_photos(
    store: &dyn Store,
    source: &Source,
    path: &Path,
    fetcher: &crate::remote_photos::Fetcher,
    observer: &mut dyn Observer,
) -> Result<ImportReport, StoreError> {
    let mut report = ImportReport::default();
    let refs = photo_refs_of(source, path).await;
    crate::remote_photos::attach_all(store, fetcher, path, refs, &mut report, observer).await?;
    Ok(report)
}

/// The photos a written file names by URL: circuits files, and tourism JSON documents
/// (OSM extracts name none). Read again after the records: the readers stream records
/// only, and a file that cannot be read again simply names none.
async fn photo_refs_of(source: &Source, path: &Path) -> Vec<crate::photo_refs::PhotoRef> {
    let json = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json") || e.eq_ignore_ascii_case("geojson"));
    let circuits = match source {
        Source::Circuits => true,
        Source::Tourism if json => false,
        _ => return Vec::new(),
    };
    let path = path.to_owned();
    // Parsing the records' ids again is CPU work: off the async threads.
    tokio::task::spawn_blocking(move || {
        let bytes = crate::source::read_limited(&path, crate::source::MAX_GEOJSON_BYTES).ok()?;
        let doc: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
        Some(if circuits {
            crate::photo_refs::circuit_photos(&doc)
        } else {
            crate::photo_refs::place_photos(&doc)
        })
    })
    .await
    .ok()
    .flatten()
    .unwrap_or_default()
}

/// The keys a run read (as hashes) and the scopes they belong to.
#[derive(Debug, Default)]
struct RunRead {
    /// The hash of every key read.
    keys: PrehashedSet<u64>,
    /// The hashes of the keys of the file being read, from the run's second file on
    /// (the first file's are `keys`), and that file's index. Two sets rather than one
    /// map from key to file: 8 bytes a key, not 16, which at 50M observations is 0.8 GB
    /// of the importer's peak.
    file_keys: (usize, PrehashedSet<u64>),
    /// Few per run.
    scopes: Vec<(RecordKind, String)>,
    /// The scopes that held no record when the run first met them: none of their
    /// records can have vanished.
    empty: HashMap<RecordKind, HashSet<String>>,
}

impl RunRead {
    /// Notes that file `file` (the run's files count from 0, in order) holds the key of
    /// `hash`; false when that file held it already: a key may come again in another
    /// file of the run, not in the same one.
    fn first_in_file(&mut self, hash: u64, file: usize) -> bool {
        let new_to_run = self.keys.insert(hash);
        if file == 0 {
            return new_to_run;
        }
        if self.file_keys.0 != file {
            self.file_keys = (file, PrehashedSet::default());
        }
        self.file_keys.1.insert(hash)
    }
}

/// Plans the records of the scopes the run covered that none of its files has any
/// more, and deletes the ones asked for, in one transaction of their own.
async fn vanished(
    store: &dyn Store,
    options: &ImportOptions,
    read: &RunRead,
    observer: &mut dyn Observer,
    report: &mut ImportReport,
) -> Result<(), StoreError> {
    let mut tx: Option<Box<dyn ImportTx>> = None;
    let mut species = false;
    for (kind, prefix) in &read.scopes {
        let kind = *kind;
        if read.empty.get(&kind).is_some_and(|e| e.contains(prefix)) {
            continue;
        }
        let mut gone: Vec<String> = Vec::new();
        store
            .scan_keys(kind, prefix, &mut |k| {
                if !read.keys.contains(&key_hash(kind, k)) {
                    gone.push(k.to_owned());
                }
            })
            .await?;
        let named: HashMap<String, Record> = if observer.wants_changes() {
            let keys: Vec<&str> = gone
                .iter()
                .take(MAX_NAMED_DELETIONS)
                .map(String::as_str)
                .collect();
            store
                .existing(kind, &keys)
                .await?
                .into_iter()
                .map(|r| (r.key().to_owned(), r))
                .collect()
        } else {
            HashMap::new()
        };
        let mut chosen: Vec<&str> = Vec::new();
        for key in &gone {
            let wanted = options.delete.wants(key) && !options.exclude.contains(key);
            report.plan.add(Status::Delete);
            if observer.wants_changes() {
                let record = named.get(key);
                observer.event(ImportEvent::Planned(&Planned {
                    kept: Vec::new(),
                    kind,
                    key: key.clone(),
                    label: record.map_or_else(|| key.clone(), Record::label),
                    status: Status::Delete,
                    changes: Vec::new(),
                    position: record.and_then(Record::position),
                    commune: record.and_then(Record::commune).map(str::to_owned),
                    skipped: !wanted,
                }));
            }
            if wanted {
                chosen.push(key);
            }
        }
        if chosen.is_empty() || options.dry_run {
            continue;
        }
        if tx.is_none() {
            tx = Some(store.begin_import().await?);
        }
        if let Some(tx) = tx.as_mut() {
            report.deleted += tx.delete(kind, &chosen).await?;
            species |= kind == RecordKind::Observation;
        }
    }
    if let Some(mut tx) = tx {
        if species {
            tx.refresh_species().await?;
        }
        tx.commit().await?;
    }
    Ok(())
}

/// Reads and stores (unless dry run) a sensitivity list; `false` when it was refused.
async fn load_sensitivity_list(
    store: &dyn Store,
    list: &Path,
    options: &ImportOptions,
    observer: &mut dyn Observer,
    report: &mut ImportReport,
) -> Result<bool, StoreError> {
    match biodiversity::read_sensitivity_list(list) {
        Ok(taxa) => {
            if !options.dry_run {
                let mut tx = store.begin_import().await?;
                tx.replace_sensitive_taxa(&taxa).await?;
                tx.refresh_species().await?;
                tx.commit().await?;
            }
            let note = format!(
                "{}: {} sensitive taxa{}",
                list.display(),
                taxa.len(),
                if options.dry_run {
                    " (dry run: not written)"
                } else {
                    ""
                }
            );
            observer.event(ImportEvent::Note(&note));
            Ok(true)
        }
        Err(rejections) => {
            for r in rejections {
                observer.event(ImportEvent::Rejected(&r));
                report.reject(r);
            }
            report.files_refused += 1;
            Ok(false)
        }
    }
}

/// A kind and key as one hash: what a file has seen.
fn key_hash(kind: RecordKind, key: &str) -> u64 {
    let mut h = Fnv::new();
    h.field(kind.as_str());
    h.field(key);
    h.finish()
}

/// One file's plan and, unless dry run, its writing.
struct FileRun<'a> {
    store: &'a dyn Store,
    source: &'a Source,
    options: &'a ImportOptions,
    path: &'a Path,
    communes: &'a [Commune],
    /// Circuit keys of the run's earlier files: one circuit from two files is a mistake.
    circuits_seen: &'a mut HashMap<String, PathBuf>,
    observer: &'a mut dyn Observer,
    /// Writes the batches as they are planned (not in a dry run).
    writer: Option<Writer>,
    /// The file's transaction once the writer is done: what comes after the records.
    tx: Option<Box<dyn ImportTx>>,
    counts: PlanCounts,
    /// (created, updated, deleted) as written.
    written: (u64, u64, u64),
    /// The file's index in the run: a key the run last met in this file is a duplicate.
    file: usize,
    /// The scopes this file met, and whether each held no record then (its records
    /// need no lookup: none can exist).
    scopes_here: HashMap<RecordKind, HashMap<String, bool>>,
    /// What the whole run read: vanished records are what it did not.
    run: &'a mut RunRead,
    rejections: Vec<Rejection>,
    rejected: u64,
    /// A write refused because an id belongs to another source.
    conflict: bool,
    records: u64,
    unlocated: u64,
    /// Observations written or deleted: the public aggregates must be rebuilt.
    touched_species: bool,
    /// Communes read from this file, to place the circuits in.
    file_communes: Vec<Commune>,
    /// The first circuit read (GPX files are told by theirs).
    first_circuit: Option<(String, usize, f64)>,
    /// Audit entries of the batch's circuits and POIs, written with them.
    audits: Vec<(RecordKind, String, AuditEntry)>,
}

/// What became of one file.
struct FileOutcome {
    line: String,
    counts: PlanCounts,
    written: (u64, u64, u64),
    rejections: Vec<Rejection>,
    rejected: u64,
    refused: bool,
    unlocated: u64,
}

impl FileOutcome {
    fn absorb_into(self, report: &mut ImportReport) -> String {
        report.plan.absorb(self.counts);
        report.imported += self.written.0;
        report.updated += self.written.1;
        report.deleted += self.written.2;
        report.unlocated += self.unlocated;
        report.rejected_uncounted += self.rejected - self.rejections.len() as u64;
        report.rejections.extend(self.rejections);
        if self.refused {
            report.files_refused += 1;
        } else {
            report.files_written += 1;
        }
        self.line
    }
}

/// A planned batch's creates and updates, with the audit entries of its circuits and POIs.
struct Write {
    records: Vec<Record>,
    audits: Vec<(RecordKind, String, AuditEntry)>,
}

/// The file's transaction, written by a task of its own: the next batch is read and
/// planned while the last one is written. A write refused because an id belongs to
/// another source stops the writing (the file is refused: nothing of it commits); the
/// reason comes back with the transaction.
struct Writer {
    batches: mpsc::Sender<Write>,
    task: tokio::task::JoinHandle<Result<WriterEnd, StoreError>>,
}

/// The transaction, and the reason of a refused write if one was.
type WriterEnd = (Box<dyn ImportTx>, Option<String>);

impl Writer {
    fn start(mut tx: Box<dyn ImportTx>) -> Self {
        // One batch waits while one is written: memory stays a few batches.
        let (batches, mut queue) = mpsc::channel::<Write>(1);
        let task = tokio::spawn(async move {
            let mut conflict = None;
            while let Some(batch) = queue.recv().await {
                if conflict.is_some() {
                    continue;
                }
                match write(tx.as_mut(), batch).await {
                    Ok(()) => {}
                    Err(StoreError::Conflict(reason)) => conflict = Some(reason),
                    Err(e) => return Err(e),
                }
            }
            Ok((tx, conflict))
        });
        Self { batches, task }
    }

    async fn send(&mut self, batch: Write) -> Result<(), StoreError> {
        if self.batches.send(batch).await.is_ok() {
            return Ok(());
        }
        // The task stopped on a store error: that error is the answer.
        let ended = (&mut self.task).await;
        match ended.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic())) {
            Err(e) => Err(e),
            Ok(_) => Err(StoreError::Corrupt("the import's writer stopped".into())),
        }
    }

    async fn finish(self) -> Result<WriterEnd, StoreError> {
        drop(self.batches);
        self.task
            .await
            .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
    }
}

/// Writes a batch's creates and updates, kind by kind (circuits before the POIs they
/// own), then its audit entries.
async fn write(tx: &mut dyn ImportTx, batch: Write) -> Result<(), StoreError> {
    let mut pois: Vec<Poi> = Vec::new();
    let mut observations: Vec<Observation> = Vec::new();
    for record in batch.records {
        match record {
            Record::Circuit(c) => drop(tx.upsert_circuit(&c).await?),
            Record::Landscape(l) => drop(tx.upsert_landscape(&l).await?),
            Record::Commune(c) => drop(tx.upsert_commune(&c).await?),
            Record::Poi(p) => pois.push(p),
            Record::Observation(o) => observations.push(o),
        }
    }
    if !pois.is_empty() {
        tx.upsert_pois(&pois).await?;
    }
    if !observations.is_empty() {
        tx.upsert_observations(&observations).await?;
    }
    if !batch.audits.is_empty() {
        tx.append_audit(&batch.audits).await?;
    }
    Ok(())
}

/// What the store holds of a batch's keys, by kind then key.
type Existing = HashMap<RecordKind, HashMap<String, Stored>>;

/// What the store holds of a key (a record only when it may differ: most are `Same`).
#[allow(clippy::large_enum_variant)]
enum Stored {
    /// A record with the same digest.
    Same,
    /// A record that may differ.
    Record(Record),
}

enum Message {
    Items(Vec<Item>),
    Reject(Rejection),
}

/// The reader's end: batches records, forwards rejections at once.
struct ChannelSink {
    tx: mpsc::Sender<Message>,
    batch: Vec<Item>,
}

impl ChannelSink {
    fn flush(&mut self) -> bool {
        if self.batch.is_empty() {
            return true;
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        self.tx.blocking_send(Message::Items(batch)).is_ok()
    }
}

impl Sink<Item> for ChannelSink {
    fn record(&mut self, record: Item) -> bool {
        self.batch.push(record);
        self.batch.len() < BATCH || self.flush()
    }
    fn reject(&mut self, rejection: Rejection) -> bool {
        self.tx.blocking_send(Message::Reject(rejection)).is_ok()
    }
}

impl FileRun<'_> {
    /// Whether nothing of this file may be written.
    fn refused(&self) -> bool {
        self.conflict || (!self.options.partial && self.rejected > 0)
    }

    fn reject(&mut self, r: Rejection) {
        self.observer.event(ImportEvent::Rejected(&r));
        self.counts.add(Status::Rejected);
        self.rejected += 1;
        if self.rejections.len() < MAX_KEPT_REJECTIONS {
            self.rejections.push(r);
        }
    }

    fn plan(&mut self, planned: &Planned) {
        self.counts.add(planned.status);
        if planned.status != Status::Unchanged || !planned.kept.is_empty() {
            self.observer.event(ImportEvent::Planned(planned));
        }
    }

    /// Whether each change is told, or only counted.
    fn telling(&self) -> bool {
        self.observer.wants_changes()
    }

    async fn run(mut self) -> Result<FileOutcome, StoreError> {
        let (sender, mut receiver) = mpsc::channel::<Message>(IN_FLIGHT);
        let (source, path, partial) = (
            self.source.clone(),
            self.path.to_owned(),
            self.options.partial,
        );
        let reader = tokio::task::spawn_blocking(move || {
            let mut sink = ChannelSink {
                tx: sender,
                batch: Vec::with_capacity(BATCH),
            };
            let result = source.read(&path, partial, &mut sink);
            sink.flush();
            result
        });
        if !self.options.dry_run {
            self.writer = Some(Writer::start(self.store.begin_import().await?));
        }
        while let Some(message) = receiver.recv().await {
            match message {
                Message::Reject(r) => self.reject(r),
                Message::Items(items) => self.batch(items).await?,
            }
            self.observer.event(ImportEvent::Progress {
                path: self.path,
                records: self.records,
            });
        }
        let read = reader
            .await
            .unwrap_or_else(|e| Err(Rejection::file(self.path, format!("reader failed: {e}"))));
        if let Err(r) = read {
            self.reject(r);
        }
        if let Some(writer) = self.writer.take() {
            let (tx, conflict) = writer.finish().await?;
            if let Some(reason) = conflict {
                self.reject(Rejection::file(self.path, reason));
                self.conflict = true;
            }
            self.tx = Some(tx);
        }
        if !self.file_communes.is_empty() {
            self.place_every_circuit().await?;
        }
        let refused = self.refused();
        match self.tx.take() {
            Some(mut tx) if !refused => {
                if self.touched_species {
                    tx.refresh_species().await?;
                }
                tx.commit().await?;
            }
            _ => self.written = (0, 0, 0),
        }
        Ok(FileOutcome {
            line: self.line(refused),
            counts: self.counts,
            written: self.written,
            rejections: self.rejections,
            rejected: self.rejected,
            refused,
            unlocated: if refused { 0 } else { self.unlocated },
        })
    }

    fn line(&self, refused: bool) -> String {
        let path = self.path.display();
        if refused {
            let verb = if self.options.dry_run {
                "would not be imported"
            } else {
                "not imported"
            };
            return format!("{path}: {verb} ({} rejected)", self.rejected);
        }
        let rejected = if self.rejected == 0 {
            String::new()
        } else {
            format!(", {} rejected", self.rejected)
        };
        if let Some((id, pois, length_m)) = &self.first_circuit
            && matches!(self.source, Source::Gpx)
        {
            return format!(
                "{path}: circuit `{id}` with {pois} POIs ({:.1} km){rejected}",
                length_m / 1000.0
            );
        }
        let noted = if matches!(self.source, Source::Heritage(_)) {
            format!(" ({} without usable location)", self.unlocated)
        } else {
            String::new()
        };
        format!(
            "{path}: {} {}{noted}{rejected}",
            self.records,
            self.source.noun()
        )
    }

    /// Notes a scope the first time this file names it: whether the store holds any
    /// record of it, and (the first time in the run) that the run covers it.
    async fn meet_scope(&mut self, kind: RecordKind, scope: &str) -> Result<(), StoreError> {
        if self
            .scopes_here
            .get(&kind)
            .is_some_and(|m| m.contains_key(scope))
        {
            return Ok(());
        }
        // Read outside this file's transaction: what earlier files committed counts.
        let empty = !self.store.any_key(kind, scope).await?;
        (self.scopes_here.entry(kind).or_default()).insert(scope.to_owned(), empty);
        if !(self.run.scopes.iter()).any(|(k, s)| *k == kind && s == scope) {
            self.run.scopes.push((kind, scope.to_owned()));
            if empty {
                (self.run.empty.entry(kind).or_default()).insert(scope.to_owned());
            }
        }
        Ok(())
    }

    /// Plans a batch of records and writes what changes.
    async fn batch(&mut self, items: Vec<Item>) -> Result<(), StoreError> {
        let mut fresh: Vec<Record> = Vec::with_capacity(items.len());
        for Item { mut record, place } in items {
            let kind = record.kind();
            let hash = key_hash(kind, record.key());
            if !self.run.first_in_file(hash, self.file) {
                let reason = format!("`{}` given twice in the file", record.key());
                self.reject(Rejection {
                    path: self.path.to_owned(),
                    position: None,
                    field: Some(place.unwrap_or_else(|| record.key().to_owned())),
                    reason,
                });
                continue;
            }
            if let Record::Circuit(c) = &mut record {
                if let Some(first) = self.circuits_seen.get(&c.source) {
                    let reason = format!(
                        "same circuit id `{}` as {} (ids come from file names): rename one of them",
                        c.id,
                        first.display()
                    );
                    self.reject(Rejection::file(self.path, reason));
                    continue;
                }
                self.circuits_seen
                    .insert(c.source.clone(), self.path.to_owned());
                c.locate(self.communes);
                if self.first_circuit.is_none() {
                    self.first_circuit = Some((c.id.to_string(), 0, c.stats.length_m));
                }
            }
            if let Some(scope) = record.scope() {
                self.meet_scope(kind, scope).await?;
            }
            match &record {
                Record::Poi(p) if p.pos.is_none() => self.unlocated += 1,
                Record::Poi(p) if p.circuit.is_some() => {
                    if let Some(first) = self.first_circuit.as_mut() {
                        first.1 += 1;
                    }
                }
                Record::Commune(c) => self.file_communes.push(c.clone()),
                _ => {}
            }
            self.records += 1;
            fresh.push(record);
        }
        let mut kept = self.apply_edits(&mut fresh).await?;
        let existing = self.existing(&fresh).await?;
        let taken = self.ids_taken(&fresh, &existing).await?;
        let mut writes: Vec<Record> = Vec::new();
        for record in fresh {
            if let Some(owner) = record.id().and_then(|id| taken.get(id)) {
                let reason = format!(
                    "{} id `{}` already belongs to `{owner}`",
                    record.kind(),
                    record.id().unwrap_or_default()
                );
                self.reject(Rejection::file(self.path, reason));
                self.conflict = true;
                continue;
            }
            let before = existing
                .get(&record.kind())
                .and_then(|m| m.get(record.key()));
            let (status, changes) = match before {
                None => (Status::Create, Vec::new()),
                Some(Stored::Same) => (Status::Unchanged, Vec::new()),
                Some(Stored::Record(old)) if *old == record => (Status::Unchanged, Vec::new()),
                Some(Stored::Record(old)) => match record.changes_from(old) {
                    c if c.is_empty() => (Status::Unchanged, c),
                    c => (Status::Update, c),
                },
            };
            let skipped =
                !self.options.exclude.is_empty() && self.options.exclude.contains(record.key());
            // A dry run writes nothing: no entry to build.
            if let Some(actor) = self
                .options
                .audit
                .as_ref()
                .filter(|_| !self.options.dry_run)
                && !skipped
                && matches!(status, Status::Create | Status::Update)
                && matches!(record.kind(), RecordKind::Circuit | RecordKind::Poi)
            {
                let entry = import_entry(actor, &record, status, &changes);
                self.audits
                    .push((record.kind(), record.key().to_owned(), entry));
            }
            let kept = if kept.is_empty() {
                Vec::new()
            } else {
                (kept.remove(&(record.kind(), record.key().to_owned()))).unwrap_or_default()
            };
            if (status == Status::Unchanged && kept.is_empty()) || !self.telling() {
                self.counts.add(status);
            } else {
                self.plan(&Planned {
                    kind: record.kind(),
                    label: record.label(),
                    position: record.position(),
                    commune: record.commune().map(str::to_owned),
                    key: record.key().to_owned(),
                    status,
                    changes,
                    kept,
                    skipped,
                });
            }
            if !skipped && matches!(status, Status::Create | Status::Update) {
                match status {
                    Status::Create => self.written.0 += 1,
                    _ => self.written.1 += 1,
                }
                writes.push(record);
            }
        }
        let audits = std::mem::take(&mut self.audits);
        if self.refused() || (writes.is_empty() && audits.is_empty()) {
            return Ok(());
        }
        let Some(writer) = self.writer.as_mut() else {
            return Ok(());
        };
        if writes.iter().any(|r| matches!(r, Record::Observation(_))) {
            self.touched_species = true;
        }
        writer
            .send(Write {
                records: writes,
                audits,
            })
            .await
    }

    /// Applies the fields staff edited over the source's circuits and POIs (an edit
    /// outlives re-imports); returns, by record, the edited fields whose source value
    /// changed since.
    async fn apply_edits(
        &self,
        records: &mut [Record],
    ) -> Result<HashMap<(RecordKind, String), Vec<FieldChange>>, StoreError> {
        let mut kept = HashMap::new();
        for kind in [RecordKind::Circuit, RecordKind::Poi] {
            let keys: Vec<String> = records
                .iter()
                .filter(|r| r.kind() == kind)
                .map(|r| r.key().to_owned())
                .collect();
            if keys.is_empty() {
                continue;
            }
            let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
            let found = self.store.overrides(kind, &keys).await?;
            if found.is_empty() {
                continue;
            }
            let by_key: HashMap<String, edit::View> = found
                .into_iter()
                .filter_map(|(k, json)| serde_json::from_str(&json).ok().map(|v| (k, v)))
                .collect();
            for record in records.iter_mut().filter(|r| r.kind() == kind) {
                let Some(overrides) = by_key.get(record.key()) else {
                    continue;
                };
                let source = record.clone();
                let applied = match record {
                    Record::Circuit(c) => edit::apply_to_circuit(c, overrides),
                    Record::Poi(p) => edit::apply_to_poi(p, overrides),
                    _ => Ok(()),
                };
                if let Err(e) = applied {
                    // Edits were checked when saved; a source that no longer fits one
                    // (a kind it no longer gives) keeps the source's values.
                    tracing::warn!(key = record.key(), error = %e, "a staff edit no longer applies");
                    *record = source;
                    continue;
                }
                let changed: Vec<FieldChange> = edit::changes(&view_of(&source), &view_of(record))
                    .into_iter()
                    .filter(|(field, _, _)| overrides.contains_key(field))
                    .map(|(field, from_source, edited)| FieldChange {
                        field,
                        before: shown(&edited),
                        after: shown(&from_source),
                    })
                    .collect();
                if !changed.is_empty() {
                    kept.insert((kind, record.key().to_owned()), changed);
                }
            }
        }
        Ok(kept)
    }

    /// What the store holds of `records`' keys, by (kind, key): the stored record when
    /// it may differ, nothing more when its digest says it is the same.
    async fn existing(&self, records: &[Record]) -> Result<Existing, StoreError> {
        let mut out = Existing::new();
        for kind in RecordKind::ALL {
            // A record of a scope that held nothing when this file met it is new.
            let scopes = self.scopes_here.get(&kind);
            let new = |r: &Record| {
                r.scope()
                    .and_then(|s| scopes?.get(s))
                    .copied()
                    .unwrap_or(false)
            };
            let of_kind: HashMap<&str, &Record> = records
                .iter()
                .filter(|r| r.kind() == kind && !new(r))
                .map(|r| (r.key(), r))
                .collect();
            if of_kind.is_empty() {
                continue;
            }
            let keys: Vec<&str> = of_kind.keys().copied().collect();
            let mut differ: Vec<&str> = Vec::new();
            for (key, digest) in self.store.digests(kind, &keys).await? {
                let Some((k, record)) = of_kind.get_key_value(key.as_str()) else {
                    continue;
                };
                if digest.is_some_and(|d| d == record.digest()) {
                    out.entry(kind).or_default().insert(key, Stored::Same);
                } else {
                    differ.push(k);
                }
            }
            if differ.is_empty() {
                continue;
            }
            let stored = out.entry(kind).or_default();
            for r in self.store.existing(kind, &differ).await? {
                stored.insert(r.key().to_owned(), Stored::Record(r));
            }
        }
        Ok(out)
    }

    /// Ids of new records that already belong to another source: id → its key.
    async fn ids_taken(
        &self,
        records: &[Record],
        existing: &Existing,
    ) -> Result<HashMap<String, String>, StoreError> {
        let mut taken = HashMap::new();
        for kind in [RecordKind::Circuit, RecordKind::Poi, RecordKind::Landscape] {
            let new: Vec<&Record> = records
                .iter()
                .filter(|r| {
                    r.kind() == kind
                        && !existing.get(&kind).is_some_and(|m| m.contains_key(r.key()))
                })
                .collect();
            let ids: Vec<&str> = new.iter().filter_map(|r| r.id()).collect();
            if ids.is_empty() {
                continue;
            }
            for (id, key) in self.store.id_keys(kind, &ids).await? {
                if new
                    .iter()
                    .any(|r| r.id() == Some(id.as_str()) && r.key() != key)
                {
                    taken.insert(id, key);
                }
            }
        }
        Ok(taken)
    }

    /// Places every circuit again in the communes known, this file's included: moves
    /// are planned as updates of the circuits' places.
    async fn place_every_circuit(&mut self) -> Result<(), StoreError> {
        let codes: HashSet<&str> = self.file_communes.iter().map(|c| c.code.as_str()).collect();
        let mut known: Vec<Commune> = self
            .communes
            .iter()
            .filter(|c| !codes.contains(c.code.as_str()))
            .cloned()
            .collect();
        known.extend(self.file_communes.iter().cloned());
        for circuit in self.store.all_circuits().await? {
            let mut placed: Circuit = circuit.clone();
            placed.locate(&known);
            if (&placed.communes, &placed.intercommunalities)
                == (&circuit.communes, &circuit.intercommunalities)
            {
                continue;
            }
            let changes =
                Record::Circuit(placed.clone()).changes_from(&Record::Circuit(circuit.clone()));
            let skipped = self.options.exclude.contains(&circuit.source);
            self.plan(&Planned {
                kept: Vec::new(),
                kind: RecordKind::Circuit,
                key: circuit.source.clone(),
                label: circuit.name.clone(),
                status: Status::Update,
                changes,
                position: circuit.trace.start(),
                commune: placed.communes.first().cloned(),
                skipped,
            });
            if skipped || self.refused() {
                continue;
            }
            if let Some(tx) = self.tx.as_mut() {
                tx.set_circuit_places(&placed.id, &placed.communes, &placed.intercommunalities)
                    .await?;
                self.written.1 += 1;
            }
        }
        Ok(())
    }
}

/// The audit entry of a circuit or a POI an import job writes: its fields before →
/// after for an update, its creation otherwise.
fn import_entry(
    actor: &str,
    record: &Record,
    status: Status,
    changes: &[FieldChange],
) -> AuditEntry {
    let changes: Vec<serde_json::Value> = if status == Status::Create {
        vec![serde_json::json!({ "field": "(record)", "before": null, "after": "created" })]
    } else {
        changes
            .iter()
            .map(|c| serde_json::json!({ "field": c.field, "before": c.before, "after": c.after }))
            .collect()
    };
    AuditEntry {
        version: 0,
        at: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64),
        actor: actor.to_owned(),
        origin: "import".into(),
        changes: serde_json::Value::Array(changes),
        view: serde_json::Value::Object(view_of(record)),
        overrides: serde_json::Value::Null,
    }
}

/// A record's editable view (circuits and POIs; others have none).
fn view_of(record: &Record) -> edit::View {
    match record {
        Record::Circuit(c) => edit::circuit_view(c),
        Record::Poi(p) => edit::poi_view(p),
        _ => edit::View::new(),
    }
}

/// A view's value as the plan prints it: text as is, anything else as JSON.
fn shown(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use balade_core::store::testing::synthetic_pois;

    #[test]
    fn a_key_may_come_again_in_another_file_of_the_run_not_in_the_same() {
        let mut read = RunRead::default();
        let (a, b) = (
            key_hash(RecordKind::Poi, "a"),
            key_hash(RecordKind::Poi, "b"),
        );
        assert!(read.first_in_file(a, 0));
        assert!(!read.first_in_file(a, 0), "twice in the first file");
        assert!(read.first_in_file(a, 1), "again in the second file");
        assert!(read.first_in_file(b, 1));
        assert!(!read.first_in_file(a, 1), "twice in the second file");
        assert!(read.first_in_file(a, 2), "again in the third");
        assert!(read.first_in_file(b, 2));
        assert!(!read.first_in_file(b, 2), "twice in the third");
        // What the run read, for the records that vanished: every key, whatever file.
        assert!(read.keys.contains(&a) && read.keys.contains(&b));
        assert_eq!(read.keys.len(), 2);
        assert!(!read.keys.contains(&key_hash(RecordKind::Poi, "c")));
    }

    #[tokio::test]
    async fn a_refused_write_stops_the_writer_and_comes_back_with_its_reason() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("w.db").display());
        let store = balade_core::store::open(&url).await.expect("store");
        let pois = synthetic_pois(3, 7);
        let mut tx = store.begin_import().await.expect("begin");
        tx.upsert_pois(&pois[..1]).await.expect("first POI");
        tx.commit().await.expect("commit");

        let mut writer = Writer::start(store.begin_import().await.expect("begin"));
        let batch = |pois: Vec<Poi>| Write {
            records: pois.into_iter().map(Record::Poi).collect(),
            audits: Vec::new(),
        };
        writer
            .send(batch(vec![pois[1].clone()]))
            .await
            .expect("written");
        let mut thief = pois[0].clone();
        thief.source = "elsewhere:0".into();
        writer.send(batch(vec![thief])).await.expect("queued");
        writer
            .send(batch(vec![pois[2].clone()]))
            .await
            .expect("queued");
        let (tx, conflict) = writer.finish().await.expect("ended");
        let reason = conflict.expect("the stolen id is refused");
        assert!(
            reason.contains("syn-0") && reason.contains("synthetic:0"),
            "{reason}"
        );
        // Committed here only to see what the writer wrote: the batch before the
        // refusal, nothing after it.
        tx.commit().await.expect("commit");
        let keys = ["synthetic:1", "synthetic:2", "elsewhere:0"];
        let held = store
            .digests(RecordKind::Poi, &keys)
            .await
            .expect("digests");
        let held: Vec<&str> = held.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(held, vec!["synthetic:1"]);
    }
}
