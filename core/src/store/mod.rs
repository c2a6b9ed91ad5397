//! The store: the one truth of circuits and POIs. One trait, one module per backend, the
//! backend chosen once from the database URL. No SQL lives outside the backends.

mod accounts_postgres;
mod accounts_sqlite;
pub mod changes;
pub(crate) mod codec;
pub mod conformance;
mod contributions;
pub mod copy;
mod edits_postgres;
mod edits_sqlite;
mod jobs_postgres;
mod jobs_sqlite;
pub mod postgres;
mod rows;
mod species_added;
pub mod sqlite;
mod sqlite_scan;
mod taxa_written;
#[doc(hidden)]
pub mod testing;
pub mod wkb;

use crate::accounts::{Account, NewAccount, Role, parse_territory};
use crate::domain::{
    Circuit, CircuitId, CircuitSummary, Commune, Insee, Landscape, LonLat, Media, MediaOwner,
    Observation, Poi, PoiId, PoiKind, PoiPoint, Sensitivity, SpeciesCell, Taxon, Trace,
};
use crate::record::{Record, RecordKind};
use async_trait::async_trait;
pub use codec::{decode_trace, encode_details, encode_trace, observation_cell, observation_rows};
use std::sync::Arc;

/// What went wrong in the store. Messages are for logs and operators; the HTTP layer
/// never shows them to clients.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL `{0}` (expected sqlite://PATH or postgres://…)")]
    UnsupportedUrl(String),
    #[error("database unreachable: {0}")]
    Unavailable(#[source] sqlx::Error),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Conflict(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The database driver's error type, for callers that classify failures.
pub use sqlx::Error as SqlxError;

/// Whether an upsert created the record or replaced an existing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    Inserted,
    Updated,
}

/// How many records the store holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub circuits: u64,
    pub pois: u64,
    pub landscapes: u64,
    pub observations: u64,
}

/// One import, all or nothing: nothing is visible to readers until [`ImportTx::commit`],
/// and dropping the transaction without committing leaves the store as it was.
#[async_trait]
pub trait ImportTx: Send {
    /// Inserts or replaces the circuit with the same `source`.
    async fn upsert_circuit(&mut self, circuit: &Circuit) -> StoreResult<Upsert>;
    /// Inserts or replaces the POI with the same `source`.
    async fn upsert_poi(&mut self, poi: &Poi) -> StoreResult<Upsert>;
    /// Inserts or replaces many POIs; returns (inserted, updated), the same as one
    /// [`ImportTx::upsert_poi`] each would.
    async fn upsert_pois(&mut self, pois: &[Poi]) -> StoreResult<(u64, u64)> {
        let mut counts = (0, 0);
        for chunk in pois.chunks(BULK_ROWS) {
            // A source twice in one statement would be written twice: row by row then.
            let (inserted, updated) = if has_repeated_source(chunk) {
                one_by_one(self, chunk).await?
            } else {
                self.upsert_poi_batch(chunk).await?
            };
            counts.0 += inserted;
            counts.1 += updated;
        }
        Ok(counts)
    }
    /// Writes a batch of POIs with distinct sources; backends override it with one
    /// statement per batch.
    async fn upsert_poi_batch(&mut self, pois: &[Poi]) -> StoreResult<(u64, u64)> {
        one_by_one(self, pois).await
    }
    /// Inserts or replaces the landscape unit with the same `source`.
    async fn upsert_landscape(&mut self, landscape: &Landscape) -> StoreResult<Upsert>;
    /// Inserts or replaces the commune with the same code.
    async fn upsert_commune(&mut self, commune: &Commune) -> StoreResult<Upsert>;
    /// Sets the communes and intercommunalities a circuit is placed in (see
    /// [`Circuit::locate`]); an unknown circuit is left alone.
    async fn set_circuit_places(
        &mut self,
        circuit: &CircuitId,
        communes: &[String],
        intercommunalities: &[String],
    ) -> StoreResult<()>;
    /// Inserts or replaces observations (keyed by `source`) and their taxa; returns
    /// (inserted, updated). The public aggregates move only with
    /// [`ImportTx::refresh_species`].
    async fn upsert_observations(
        &mut self,
        observations: &[Observation],
    ) -> StoreResult<(u64, u64)>;
    /// Replaces the whole sensitivity list (taxon id or scientific name → level).
    async fn replace_sensitive_taxa(&mut self, list: &[(String, Sensitivity)]) -> StoreResult<()>;
    /// Recomputes each taxon's sensitivity from the stored list (the rule of
    /// [`crate::sensitivity`]) and the public grid aggregates from the observations:
    /// 1 km cells, 10 km cells for sensitive taxa, none for strict ones.
    async fn refresh_species(&mut self) -> StoreResult<()>;
    /// Attaches a media item to its owner (replacing the same item of the same owner),
    /// with a photo's derivative files `(width, bytes)`; the owner must exist.
    async fn upsert_media(
        &mut self,
        media: &Media,
        files: &[(u32, Vec<u8>)],
    ) -> StoreResult<Upsert>;
    /// Deletes the records of `kind` with these keys, and what hangs on them (media,
    /// a circuit's own POIs); returns how many records went. The public species
    /// aggregates move only with [`ImportTx::refresh_species`].
    async fn delete(&mut self, kind: RecordKind, keys: &[&str]) -> StoreResult<u64>;
    /// Records a staff edit of the record `key` of `kind`, written in this transaction:
    /// its overrides (removed when empty) and its audit entry, numbered after
    /// `expected_version`; [`StoreError::Conflict`] when another edit took that number
    /// meanwhile. Returns the new version.
    async fn save_edit(
        &mut self,
        kind: RecordKind,
        key: &str,
        expected_version: i64,
        entry: &AuditEntry,
    ) -> StoreResult<i64>;
    /// Appends import entries to the audit logs of records written in this transaction,
    /// each numbered after its record's last (`version` and `overrides` of the entries
    /// are ignored: the store numbers them and keeps each record's overrides as they are).
    async fn append_audit(
        &mut self,
        entries: &[(RecordKind, String, AuditEntry)],
    ) -> StoreResult<()>;
    /// Remembers the answer given to a request with an idempotency key, written with
    /// this transaction; `false` (nothing written) when the key already has one.
    async fn remember(
        &mut self,
        answer: &crate::contributions::Remembered,
        at: i64,
    ) -> StoreResult<bool>;
    /// Moves a contribution from `entry.from` to `entry.to` and logs it, adding
    /// `flag_reason` to its flags; `false` (nothing written) when it is not in
    /// `entry.from` any more.
    async fn move_contribution(
        &mut self,
        id: &str,
        entry: &crate::contributions::LogEntry,
        flag_reason: Option<&str>,
    ) -> StoreResult<bool>;
    async fn commit(self: Box<Self>) -> StoreResult<()>;
}

/// Reading the catalogue: circuits, POIs, landscape units and communes.
#[async_trait]
pub trait ReadStore: Send + Sync {
    async fn counts(&self) -> StoreResult<Counts>;
    /// Published circuits, without their traces, in no particular order (the catalogue
    /// orders them itself, in byte order whatever the database's collation).
    async fn circuit_summaries(&self) -> StoreResult<Vec<CircuitSummary>>;
    /// The published circuits among `ids`, without their traces, in no particular
    /// order: what a catalogue following a change re-reads.
    async fn circuit_summaries_of(&self, ids: &[CircuitId]) -> StoreResult<Vec<CircuitSummary>>;
    async fn circuit(&self, id: &CircuitId) -> StoreResult<Option<Circuit>>;
    /// POIs brought by a circuit's own file.
    async fn circuit_pois(&self, id: &CircuitId) -> StoreResult<Vec<Poi>>;
    async fn poi(&self, id: &PoiId) -> StoreResult<Option<Poi>>;
    /// The POIs of `ids` that exist, in no particular order: one query for a sheet's
    /// hundreds of POIs.
    async fn pois(&self, ids: &[PoiId]) -> StoreResult<Vec<Poi>>;
    /// Every POI, as the spatial index needs it.
    async fn poi_points(&self) -> StoreResult<Vec<PoiPoint>>;
    /// Every POI of `kinds`, whole (few: fauna and flora, which the sensitivity list
    /// is matched against).
    async fn pois_of_kinds(&self, kinds: &[PoiKind]) -> StoreResult<Vec<Poi>>;
    /// POIs within `radius_m` of `center`, nearest first, at most `limit`, only of
    /// `kinds` when given, with their distance in metres: the database's answer to what
    /// the index answers from memory (for checks and benchmarks).
    async fn pois_near(
        &self,
        center: LonLat,
        radius_m: f64,
        limit: usize,
        kinds: &[PoiKind],
    ) -> StoreResult<Vec<(PoiPoint, f64)>>;
    /// POIs within `width_m` of a trace with their distance to it, nearest first.
    async fn pois_along(&self, trace: &Trace, width_m: f64) -> StoreResult<Vec<(PoiPoint, f64)>>;
    /// Every landscape unit, in id order (a territory has tens, not thousands).
    async fn landscapes(&self) -> StoreResult<Vec<Landscape>>;
    /// Every commune with its boundary, by code.
    async fn communes(&self) -> StoreResult<Vec<Commune>>;
    /// Every commune's code and name, without boundaries.
    async fn commune_names(&self) -> StoreResult<Vec<(Insee, String)>>;
    /// Every circuit, published or not, in id order: for copies and checksums.
    async fn all_circuits(&self) -> StoreResult<Vec<Circuit>>;
    /// Every POI in id order: for copies and checksums.
    async fn all_pois(&self) -> StoreResult<Vec<Poi>>;
}

/// Photos, videos and audio items, and a photo's derivatives.
#[async_trait]
pub trait MediaStore: Send + Sync {
    /// The media of a circuit or a POI, in their order.
    async fn media_of(&self, owner: &MediaOwner) -> StoreResult<Vec<Media>>;
    /// The media of many POIs in one read, grouped by POI, each POI's in order.
    async fn media_of_pois(&self, ids: &[PoiId]) -> StoreResult<Vec<Media>>;
    /// The bytes of one derivative of a photo.
    async fn media_file(&self, id: &str, width: u32) -> StoreResult<Option<Vec<u8>>>;
    /// Every media item of every owner, by owner kind, owner, position and id: for
    /// copies and checksums.
    async fn all_media(&self) -> StoreResult<Vec<Media>>;
}

/// Species observations, the sensitivity list and the public aggregates.
#[async_trait]
pub trait SpeciesStore: Send + Sync {
    /// The public species aggregates and the taxa they name, with their sensitivity.
    async fn species(&self) -> StoreResult<(Vec<SpeciesCell>, Vec<(Taxon, Sensitivity)>)>;
    /// The aggregates of the cells `(size_m, x, y)` and the taxa they name: what one
    /// place or one trace sees, read when asked rather than held in memory.
    async fn species_in(
        &self,
        cells: &[(u32, i32, i32)],
    ) -> StoreResult<(Vec<SpeciesCell>, Vec<(Taxon, Sensitivity)>)>;
    /// Observations after the one with source `after` (in the store's own order of
    /// sources), at most `limit`: for copies and checksums, page by page.
    async fn observations_page(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<Observation>>;
    /// The stored sensitivity list.
    async fn sensitive_taxa(&self) -> StoreResult<Vec<(String, Sensitivity)>>;
    /// Every taxon with its sensitivity, in key order.
    async fn taxa(&self) -> StoreResult<Vec<(Taxon, Sensitivity)>>;
}

/// Writing, and what an import reads to plan before it writes.
#[async_trait]
pub trait ImportStore: Send + Sync {
    /// A number that changes whenever committed data changes.
    async fn revision(&self) -> StoreResult<i64>;
    /// What the commits after revision `after` up to `upto` changed, by record, when
    /// every one of them is known that way; `None` means a whole reload.
    async fn changes(&self, after: i64, upto: i64) -> StoreResult<Option<changes::Changes>>;
    async fn begin_import(&self) -> StoreResult<Box<dyn ImportTx>>;
    /// A feed of change notices pushed by the database, when the backend has one
    /// (PostgreSQL's LISTEN/NOTIFY); `None` means readers must poll
    /// [`ImportStore::revision`].
    async fn subscribe(&self) -> StoreResult<Option<Box<dyn ChangeFeed>>>;
    /// The keys of `kind` among `keys` that are stored, each with the digest of the
    /// record an import wrote ([`crate::record::Record::digest`]; `None` when something
    /// else wrote it since): what planning compares first.
    async fn digests(
        &self,
        kind: RecordKind,
        keys: &[&str],
    ) -> StoreResult<Vec<(String, Option<u64>)>>;
    /// The stored records of `kind` whose keys (sources, a commune's code) are in
    /// `keys`, in no particular order.
    async fn existing(&self, kind: RecordKind, keys: &[&str]) -> StoreResult<Vec<Record>>;
    /// Calls `each` with every key of `kind` that starts with `prefix` (the records of a
    /// scope), streamed: a scope may hold millions.
    async fn scan_keys(
        &self,
        kind: RecordKind,
        prefix: &str,
        each: &mut (dyn for<'k> FnMut(&'k str) + Send),
    ) -> StoreResult<()>;
    /// Whether any key of `kind` starts with `prefix`: a scope met for the first time
    /// needs no lookups when it holds nothing yet.
    async fn any_key(&self, kind: RecordKind, prefix: &str) -> StoreResult<bool>;
    /// For those of `ids` (public ids of `kind`) that exist: (id, key of its record).
    async fn id_keys(&self, kind: RecordKind, ids: &[&str]) -> StoreResult<Vec<(String, String)>>;
}

/// Staff accounts and their sessions (see [`crate::accounts`]). Ending an account's
/// sessions goes with changing its password or disabling it, in one statement each.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// A new account; [`StoreError::Conflict`] when its e-mail is taken.
    async fn add_account(&self, new: &NewAccount) -> StoreResult<Account>;
    async fn account_by_email(&self, email: &str) -> StoreResult<Option<Account>>;
    /// Every account, by e-mail.
    async fn accounts(&self) -> StoreResult<Vec<Account>>;
    /// Replaces the password hash and ends every session of the account; `false` when
    /// no account has this e-mail.
    async fn set_password(&self, email: &str, password_hash: &str) -> StoreResult<bool>;
    /// Disables the account and ends its sessions; `false` when no account has this
    /// e-mail.
    async fn disable_account(&self, email: &str) -> StoreResult<bool>;
    /// Opens a session (kept by the hash of its token) until `expires_at` (Unix s).
    async fn create_session(
        &self,
        token_hash: &str,
        account_id: i64,
        expires_at: i64,
    ) -> StoreResult<()>;
    /// The enabled account of an unexpired session at `now` (Unix s).
    async fn session_account(&self, token_hash: &str, now: i64) -> StoreResult<Option<Account>>;
    /// Ends one session (nothing when there is none); sessions expired before `now` go
    /// with it.
    async fn end_session(&self, token_hash: &str, now: i64) -> StoreResult<()>;
}

/// One change of a record, as its audit log keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// 1 for the first change, then one more each time.
    pub version: i64,
    /// Unix seconds.
    pub at: i64,
    /// Who: a staff member's e-mail.
    pub actor: String,
    /// From what: `edit`, `revert`.
    pub origin: String,
    /// `[{"field", "before", "after"}]`.
    pub changes: serde_json::Value,
    /// The record's editable view after the change.
    pub view: serde_json::Value,
    /// The fields a person had set after the change (what a revert restores).
    pub overrides: serde_json::Value,
}

/// Staff edits as the store keeps them: the fields a person set on a record, applied
/// again over each import of its source, and each record's audit log.
#[async_trait]
pub trait EditStore: Send + Sync {
    /// The overrides (JSON objects) of those of `keys` that have some.
    async fn overrides(
        &self,
        kind: RecordKind,
        keys: &[&str],
    ) -> StoreResult<Vec<(String, String)>>;
    /// A record's audit log, oldest first.
    async fn history(&self, kind: RecordKind, key: &str) -> StoreResult<Vec<AuditEntry>>;
    /// The POIs a person unpublished (`"published": false` in their overrides).
    async fn unpublished_pois(&self) -> StoreResult<Vec<PoiId>>;
    /// POIs whose name holds every one of `words` (lower case; ASCII letters compared
    /// without case), of `kind` when given, by name: the page at `offset` of at most
    /// `limit`, with how many match in all.
    async fn search_pois(
        &self,
        words: &[String],
        kind: Option<PoiKind>,
        limit: u32,
        offset: u32,
    ) -> StoreResult<(u64, Vec<PoiListed>)>;
}

/// A POI as the back-office lists it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PoiListed {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub commune: Option<String>,
}

/// Walkers' contributions (see [`crate::contributions`]): written here when they come
/// in; moved by moderators' decisions through [`ImportTx::move_contribution`], which
/// moves the revision with what it changes in public answers.
#[async_trait]
pub trait ContributionStore: Send + Sync {
    /// The answer given to the request that carried `key`, if any.
    async fn remembered(&self, key: &str) -> StoreResult<Option<crate::contributions::Remembered>>;
    /// Stores a new contribution with its photos (JPEG bytes) and, for a request with an
    /// idempotency key, the answer it gets, in one transaction. When a request with the
    /// same key got there first, nothing is written and its answer is returned.
    async fn add_contribution(
        &self,
        item: &crate::contributions::Contribution,
        photos: &[Vec<u8>],
        remember: Option<&crate::contributions::Remembered>,
    ) -> StoreResult<Option<crate::contributions::Remembered>>;
    async fn contribution(
        &self,
        id: &str,
    ) -> StoreResult<Option<crate::contributions::Contribution>>;
    /// The items that pass `filter`, newest first, with how many pass in all.
    async fn contributions(
        &self,
        filter: &crate::contributions::Filter,
    ) -> StoreResult<(u64, Vec<crate::contributions::Contribution>)>;
    /// How many items there are of each kind and status (those with some).
    async fn contribution_counts(
        &self,
    ) -> StoreResult<
        Vec<(
            crate::contributions::Kind,
            crate::contributions::Status,
            u64,
        )>,
    >;
    /// The `n`th photo of a contribution (from 0).
    async fn contribution_photo(&self, id: &str, n: u32) -> StoreResult<Option<Vec<u8>>>;
    /// The decisions taken on an item, oldest first.
    async fn contribution_log(&self, id: &str) -> StoreResult<Vec<crate::contributions::LogEntry>>;
    /// The published ratings of each circuit that has some.
    async fn ratings(&self) -> StoreResult<Vec<(String, crate::contributions::Rating)>>;
    /// Erases `email` (normalised) from every contribution; returns how many held it.
    async fn erase_email(&self, email: &str) -> StoreResult<u64>;
    /// Erases the e-mails of contributions made at or before `emails_before` (Unix s)
    /// and forgets the idempotency answers given at or before `keys_before`; returns
    /// (e-mails, answers).
    async fn purge(&self, emails_before: i64, keys_before: i64) -> StoreResult<(u64, u64)>;
}

/// The back-office's import jobs and their plans' records.
#[async_trait]
pub trait JobStore: Send + Sync {
    async fn create_job(&self, job: &crate::jobs::Job) -> StoreResult<()>;
    /// Moves a job on: its status, progress, counts, error, and who committed it.
    async fn update_job(&self, job: &crate::jobs::Job) -> StoreResult<()>;
    async fn job(&self, id: &str) -> StoreResult<Option<crate::jobs::Job>>;
    /// The latest jobs first.
    async fn jobs(&self, limit: u32) -> StoreResult<Vec<crate::jobs::Job>>;
    /// Replaces the plan's records of a job.
    async fn set_job_records(
        &self,
        id: &str,
        records: &[crate::jobs::JobRecord],
    ) -> StoreResult<()>;
    /// The plan's records that pass `filter`, in plan order, with how many pass in all.
    async fn job_records(
        &self,
        id: &str,
        filter: &crate::jobs::JobRecordFilter,
    ) -> StoreResult<(u64, Vec<crate::jobs::JobRecord>)>;
}

/// A job's columns, in [`JOB_COLUMNS`] order, as both backends read them.
pub(crate) type JobRow = (
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
);

/// The columns of a job, in [`JobRow`] order.
pub(crate) const JOB_COLUMNS: &str = "id, kind, file_name, path, created_by, created_at, status, \
                                      progress, counts, error, committed_by, committed_at";

/// A plan record's columns: n, key, kind, status, label, commune, lon, lat, detail.
pub(crate) type JobRecordRow = (
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<f64>,
    Option<f64>,
    String,
);

pub(crate) fn job_from_row(r: JobRow) -> StoreResult<crate::jobs::Job> {
    use crate::jobs::{Job, JobCounts, JobStatus};
    Ok(Job {
        status: JobStatus::parse(&r.6)
            .ok_or_else(|| StoreError::Corrupt(format!("job status `{}`", r.6)))?,
        counts: serde_json::from_str::<JobCounts>(&r.8)
            .map_err(|e| StoreError::Corrupt(format!("job counts: {e}")))?,
        id: r.0,
        kind: r.1,
        file_name: r.2,
        path: r.3,
        created_by: r.4,
        created_at: r.5,
        progress: r.7.max(0) as u64,
        error: r.9,
        committed_by: r.10,
        committed_at: r.11,
    })
}

pub(crate) fn job_record_from_row(r: JobRecordRow) -> StoreResult<crate::jobs::JobRecord> {
    Ok(crate::jobs::JobRecord {
        n: r.0,
        key: r.1,
        kind: r.2,
        status: r.3,
        label: r.4,
        commune: r.5,
        lon: r.6,
        lat: r.7,
        detail: serde_json::from_str(&r.8)
            .map_err(|e| StoreError::Corrupt(format!("job record: {e}")))?,
    })
}

/// A job's counts as stored.
pub(crate) fn job_counts_json(c: &crate::jobs::JobCounts) -> String {
    serde_json::to_string(c).unwrap_or_else(|_| "{}".into())
}

/// An account from its stored columns.
pub(crate) fn account_from_row(
    id: i64,
    email: String,
    role: &str,
    territory: &str,
    password_hash: String,
    disabled: bool,
) -> StoreResult<Account> {
    let corrupt =
        |e: crate::accounts::AccountError| StoreError::Corrupt(format!("account {email}: {e}"));
    Ok(Account {
        id,
        role: role.parse::<Role>().map_err(corrupt)?,
        territory: parse_territory(territory).map_err(corrupt)?,
        email,
        password_hash,
        disabled,
    })
}

/// The storage of Balade, every capability together. Implementations own their SQL and
/// migrations; callers take the narrowest capability they need.
#[async_trait]
pub trait Store:
    ReadStore
    + MediaStore
    + SpeciesStore
    + ImportStore
    + AccountStore
    + EditStore
    + JobStore
    + ContributionStore
    + std::fmt::Debug
{
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// Succeeds when the database answers.
    async fn ping(&self) -> StoreResult<()>;
}

/// Change notices from the database: each `changed()` returns when some import has
/// committed since the previous call (several commits may fold into one notice).
#[async_trait]
pub trait ChangeFeed: Send {
    async fn changed(&mut self) -> StoreResult<()>;
}

/// The taxa whose sensitivity the list changes, with their new level (the rule is
/// [`crate::sensitivity`]'s, one for every backend).
pub(crate) fn sensitivity_changes(
    list: &[(String, Sensitivity)],
    taxa: &[(Taxon, Sensitivity)],
) -> Vec<(String, u8)> {
    let list = crate::sensitivity::SensitivityList::new(list);
    taxa.iter()
        .filter_map(|(t, now)| {
            let level = list.level(t);
            (level != *now).then(|| (t.key.clone(), level.level()))
        })
        .collect()
}

/// A sensitivity list as rows read it: (key, level number).
pub(crate) fn list_of_rows(rows: Vec<(String, i64)>) -> StoreResult<Vec<(String, Sensitivity)>> {
    rows.into_iter()
        .map(|(key, level)| {
            u8::try_from(level)
                .ok()
                .and_then(Sensitivity::from_level)
                .map(|s| (key, s))
                .ok_or_else(|| StoreError::Corrupt(format!("sensitivity level {level}")))
        })
        .collect()
}

/// The table and the key column of a kind, as every backend names them.
pub(crate) fn table_of(kind: RecordKind) -> (&'static str, &'static str) {
    match kind {
        RecordKind::Circuit => ("circuits", "source"),
        RecordKind::Poi => ("pois", "source"),
        RecordKind::Landscape => ("landscapes", "source"),
        RecordKind::Commune => ("communes", "code"),
        RecordKind::Observation => ("observations", "source"),
    }
}

/// The upper bound of the keys starting with `prefix`, in byte order: no valid UTF-8
/// text that starts with `prefix` sorts after it.
pub(crate) fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

/// POIs per statement in bulk upserts: large enough to amortise a round trip, small
/// enough to keep each statement short.
pub const BULK_ROWS: usize = 5_000;

/// Upserts POIs one at a time; returns (inserted, updated).
async fn one_by_one<T: ImportTx + ?Sized>(tx: &mut T, pois: &[Poi]) -> StoreResult<(u64, u64)> {
    let mut counts = (0, 0);
    for poi in pois {
        match tx.upsert_poi(poi).await? {
            Upsert::Inserted => counts.0 += 1,
            Upsert::Updated => counts.1 += 1,
        }
    }
    Ok(counts)
}

/// Whether a batch names the same source twice.
fn has_repeated_source(pois: &[Poi]) -> bool {
    let mut seen = std::collections::HashSet::with_capacity(pois.len());
    !pois.iter().all(|p| seen.insert(p.source.as_str()))
}

/// How to open a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenOptions {
    /// Apply pending migrations (off for servers reading a read-only replica).
    pub migrate: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self { migrate: true }
    }
}

/// Opens the store named by `url`, creating (SQLite) and migrating it as needed.
pub async fn open(url: &str) -> StoreResult<Arc<dyn Store>> {
    open_with(url, OpenOptions::default()).await
}

/// Opens the store named by `url`: the backend is chosen here, once, from the scheme.
pub async fn open_with(url: &str, options: OpenOptions) -> StoreResult<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(sqlite::SqliteStore::open(url, options).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(postgres::PostgresStore::open(url, options).await?))
    } else {
        Err(StoreError::UnsupportedUrl(redact(url)))
    }
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => match url[s + 3..at].find(':') {
            Some(c) => format!("{}:***{}", &url[..s + 3 + c], &url[at..]),
            None => url.to_owned(),
        },
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redact_hides_passwords_only() {
        assert_eq!(
            super::redact("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(super::redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(super::redact("sqlite://balade.db"), "sqlite://balade.db");
    }
}
