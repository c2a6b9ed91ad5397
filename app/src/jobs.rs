//! Import jobs of the back-office: the same import driver as `balade import`, run in
//! the background on an uploaded file. A job is planned first (nothing written): its
//! counts and every change, vanished record and rejection are stored for staff to
//! read and trim; the commit then imports the file in one transaction, leaving out the
//! records staff excluded and deleting only the vanished records they ticked.

use crate::now_s;
use crate::staff::Staff;
use crate::{AppError, AppResult};
use balade_core::accounts::Role;
use balade_core::jobs::{Job, JobCounts, JobRecord, JobStatus};
use balade_core::store::Store;
use balade_import::heritage::HeritageOptions;
use balade_import::plan::{ImportEvent, Observer, PlanCounts};
use balade_import::{Deletion, ImportOptions, Source};
use serde_json::json;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// The kinds `balade import` reads, by name.
pub const KINDS: &[&str] = &[
    "gpx",
    "circuits",
    "landscapes",
    "communes",
    "ariane",
    "tourism",
    "biodiversity",
];

/// The importer of a kind.
pub fn source_of(kind: &str) -> AppResult<Source> {
    Ok(match kind {
        "gpx" => Source::Gpx,
        "circuits" => Source::Circuits,
        "landscapes" => Source::Landscapes,
        "communes" => Source::Communes,
        "ariane" => Source::Heritage(HeritageOptions::default()),
        "tourism" => Source::Tourism,
        "biodiversity" => Source::Biodiversity { sensitive: None },
        other => {
            return Err(AppError::Invalid(format!(
                "unknown kind `{other}` (expected one of {})",
                KINDS.join(", ")
            )));
        }
    })
}

/// The kind of an uploaded file, from its name and first bytes, when they tell it
/// without doubt.
pub fn detect(file_name: &str, head: &[u8]) -> AppResult<&'static str> {
    let name = file_name.to_ascii_lowercase();
    let text = String::from_utf8_lossy(head);
    let first_line = text.lines().next().unwrap_or_default();
    let kind = if name.ends_with(".gpx") {
        Some("gpx")
    } else if name.ends_with(".osm") || name.ends_with(".pbf") {
        Some("tourism")
    } else if name.ends_with(".zip") || name.ends_with(".tgz") {
        Some("biodiversity")
    } else if [".csv", ".txt", ".tsv"].iter().any(|e| name.ends_with(e)) {
        if first_line.contains("decimalLatitude") || first_line.contains("scientificName") {
            Some("biodiversity")
        } else if first_line.contains("REF")
            && (first_line.contains("TICO") || first_line.contains("DENO"))
        {
            Some("ariane")
        } else {
            None
        }
    } else {
        None
    };
    kind.ok_or_else(|| {
        AppError::Invalid(format!(
            "cannot tell the kind of `{file_name}`: choose it ({})",
            KINDS.join(", ")
        ))
    })
}

/// Who may run import jobs: admins and editors.
pub fn may_import(staff: &Staff) -> AppResult<()> {
    match staff.role {
        Role::Admin | Role::Editor => Ok(()),
        Role::Moderator => Err(AppError::Forbidden(
            "imports are run by editors and admins".into(),
        )),
    }
}

/// Calls `each` with every record of a job's plan, in plan order, a page at a time.
async fn each_record(
    store: &dyn Store,
    id: &str,
    mut each: impl FnMut(&JobRecord),
) -> AppResult<()> {
    let mut offset = 0;
    loop {
        let filter = balade_core::jobs::JobRecordFilter {
            limit: 5_000,
            offset,
            ..Default::default()
        };
        let (_, page) = store.job_records(id, &filter).await?;
        if page.is_empty() {
            return Ok(());
        }
        offset += page.len() as u32;
        page.iter().for_each(&mut each);
    }
}

/// Kinds whose records belong to no territory (boundaries, landscape units) are
/// imported by admins only.
pub fn may_import_kind(staff: &Staff, kind: &str) -> AppResult<()> {
    may_import(staff)?;
    if staff.role == Role::Editor && matches!(kind, "communes" | "landscapes") {
        return Err(AppError::Forbidden(format!(
            "`{kind}` cover the whole territory: an admin imports them"
        )));
    }
    Ok(())
}

/// The keys of a plan's creates, updates and deletions that lie outside an editor's
/// territory (communes by INSEE code, intercommunalities by SIREN): by position (the
/// commune whose boundary holds it), else by the commune the record names; a record
/// placed nowhere known is outside.
async fn outside_territory(
    store: &dyn Store,
    staff: &Staff,
    id: &str,
) -> AppResult<HashSet<String>> {
    let mut outside = HashSet::new();
    if staff.role != Role::Editor {
        return Ok(outside);
    }
    let communes = store.communes().await?;
    let inside = |code: &str| staff.territory.iter().any(|t| t.as_str() == code);
    each_record(store, id, |r| {
        if !matches!(r.status.as_str(), "create" | "update" | "delete") {
            return;
        }
        let by_position: Vec<&balade_core::Commune> = match (r.lon, r.lat) {
            (Some(lon), Some(lat)) => match balade_core::LonLat::new(lon, lat) {
                Ok(p) => communes
                    .iter()
                    .filter(|c| balade_core::Area::contains(*c, p))
                    .collect(),
                Err(_) => Vec::new(),
            },
            _ => Vec::new(),
        };
        let found = if by_position.is_empty() {
            communes
                .iter()
                .filter(|c| r.commune.as_deref() == Some(c.name.as_str()))
                .collect()
        } else {
            by_position
        };
        let codes = crate::curation::territory_codes(&found);
        if !codes.iter().any(|c| inside(c)) {
            outside.insert(r.key.clone());
        }
    })
    .await?;
    Ok(outside)
}

/// A new job's id: 128 random bits in hex.
pub fn new_id() -> AppResult<String> {
    crate::random_hex::<16>()
}

/// A job queued for the file at `path`, stored.
pub async fn create(
    store: &dyn Store,
    staff: &Staff,
    id: String,
    kind: &str,
    file_name: &str,
    path: &Path,
) -> AppResult<Job> {
    source_of(kind)?;
    may_import_kind(staff, kind)?;
    let job = Job {
        id,
        kind: kind.to_owned(),
        file_name: file_name.to_owned(),
        path: path.display().to_string(),
        created_by: staff.email.clone(),
        created_at: now_s(),
        status: JobStatus::Queued,
        progress: 0,
        counts: JobCounts::default(),
        error: None,
        committed_by: None,
        committed_at: None,
    };
    store.create_job(&job).await?;
    Ok(job)
}

fn counts(p: &PlanCounts) -> JobCounts {
    JobCounts {
        create: p.create,
        update: p.update,
        unchanged: p.unchanged,
        delete: p.delete,
        rejected: p.rejected,
    }
}

/// Follows a planning run: every change and rejection as a plan record, and the
/// records read so far.
struct Collector {
    records: Vec<JobRecord>,
    read: Arc<AtomicU64>,
}

impl Observer for Collector {
    fn event(&mut self, event: ImportEvent<'_>) {
        let n = self.records.len() as i64;
        match event {
            ImportEvent::Progress { records, .. } => self.read.store(records, Ordering::Relaxed),
            ImportEvent::Planned(p) => {
                let change = |c: &balade_core::record::FieldChange| json!({ "field": c.field, "before": c.before, "after": c.after });
                self.records.push(JobRecord {
                    n,
                    key: p.key.clone(),
                    kind: p.kind.as_str().to_owned(),
                    status: p.status.as_str().to_owned(),
                    label: p.label.clone(),
                    commune: p.commune.clone(),
                    lon: p.position.map(|pos| pos.lon()),
                    lat: p.position.map(|pos| pos.lat()),
                    detail: json!({
                        "changes": p.changes.iter().map(change).collect::<Vec<_>>(),
                        "kept": p.kept.iter().map(change).collect::<Vec<_>>(),
                    }),
                });
            }
            ImportEvent::Rejected(r) => {
                let (line, column) = r.position.map_or((None, None), |(l, c)| (Some(l), Some(c)));
                let file = r
                    .path
                    .file_name()
                    .map_or_else(String::new, |f| f.to_string_lossy().into_owned());
                self.records.push(JobRecord {
                    n,
                    key: match line {
                        Some(l) => format!("{file}:{l}"),
                        None => file,
                    },
                    kind: String::new(),
                    status: "rejected".into(),
                    label: r.field.clone().unwrap_or_default(),
                    commune: None,
                    lon: None,
                    lat: None,
                    detail: json!({ "line": line, "column": column, "field": r.field, "reason": r.reason }),
                });
            }
            _ => {}
        }
    }
}

/// Runs the import driver on a blocking thread of the runtime (its future is not
/// `Send`: it holds the store's transaction and the observer across awaits), and gives
/// the observer back.
async fn run_import<O: Observer + 'static>(
    store: Arc<dyn Store>,
    source: Source,
    paths: Vec<PathBuf>,
    options: ImportOptions,
    mut observer: O,
) -> AppResult<(balade_import::ImportReport, O)> {
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let report = handle.block_on(balade_import::import(
            store.as_ref(),
            &source,
            &paths,
            &options,
            &mut observer,
        ));
        report.map(|r| (r, observer))
    })
    .await
    .map_err(|e| AppError::Encode(format!("the import stopped: {e}")))?
    .map_err(AppError::from)
}

/// Plans a queued job in the background: the job moves to `running`, tells its
/// progress about every second, and ends `planned` (with its records) or `failed`.
pub fn spawn_plan(store: Arc<dyn Store>, job: Job) {
    tokio::spawn(async move {
        let id = job.id.clone();
        if let Err(e) = plan(store.clone(), job).await {
            tracing::error!(job = %id, error = %e, "import job failed");
            if let Ok(Some(mut j)) = store.job(&id).await {
                j.status = JobStatus::Failed;
                j.error = Some("the plan could not be made (see the server's log)".into());
                let _ = store.update_job(&j).await;
            }
        }
    });
}

async fn plan(store: Arc<dyn Store>, mut job: Job) -> AppResult<()> {
    let source = source_of(&job.kind)?;
    job.status = JobStatus::Running;
    store.update_job(&job).await?;
    let read = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let ticker = {
        let (store, read, done, mut job) = (store.clone(), read.clone(), done.clone(), job.clone());
        tokio::spawn(async move {
            while !done.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let now = read.load(Ordering::Relaxed);
                if now != job.progress && !done.load(Ordering::Relaxed) {
                    job.progress = now;
                    let _ = store.update_job(&job).await;
                }
            }
        })
    };
    let collector = Collector {
        records: Vec::new(),
        read: read.clone(),
    };
    // A rejected record is shown in the plan; committing leaves it out (`partial`).
    let options = ImportOptions {
        dry_run: true,
        partial: true,
        ..ImportOptions::default()
    };
    let paths = vec![PathBuf::from(&job.path)];
    let outcome = run_import(store.clone(), source, paths, options, collector).await;
    done.store(true, Ordering::Relaxed);
    let _ = ticker.await;
    let (report, collector) = outcome?;
    store.set_job_records(&job.id, &collector.records).await?;
    job.progress = read
        .load(Ordering::Relaxed)
        .max(collector.records.len() as u64);
    job.counts = counts(&report.plan);
    job.status = JobStatus::Planned;
    store.update_job(&job).await?;
    Ok(())
}

/// Commits a planned job: its file imported in one transaction, but for the `exclude`d
/// keys, deleting only the vanished records among `delete`, and taking the source's
/// value of the edited fields named in `take_source` (key, field); an editor's commit
/// leaves out what lies outside their territory. Returns the job and how many records were
/// left out for that.
pub async fn commit(
    store: Arc<dyn Store>,
    staff: &Staff,
    id: &str,
    exclude: HashSet<String>,
    delete: HashSet<String>,
    take_source: Vec<(String, String)>,
) -> AppResult<(Job, u64)> {
    may_import(staff)?;
    let mut job = store
        .job(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no import job `{id}`")))?;
    if job.status != JobStatus::Planned {
        return Err(AppError::Conflict(format!(
            "job `{id}` is {}: only a planned job can be committed",
            job.status.as_str()
        )));
    }
    may_import_kind(staff, &job.kind)?;
    drop_edits(store.as_ref(), staff, id, &take_source).await?;
    let source = source_of(&job.kind)?;
    // An editor's commit writes and deletes within their territory only.
    let outside = outside_territory(store.as_ref(), staff, id).await?;
    let mut exclude = exclude;
    exclude.extend(outside.iter().cloned());
    let delete: HashSet<String> = delete.difference(&outside).cloned().collect();
    let options = ImportOptions {
        exclude,
        delete: Deletion::Only(delete),
        partial: true,
        audit: Some(staff.email.clone()),
        ..ImportOptions::default()
    };
    let paths = vec![PathBuf::from(&job.path)];
    let (report, _) = run_import(
        store.clone(),
        source,
        paths,
        options,
        balade_import::plan::Quiet,
    )
    .await?;
    if report.files_refused > 0 {
        return Err(AppError::Invalid(format!(
            "the file was refused ({} rejected): nothing was written",
            report.plan.rejected
        )));
    }
    if !outside.is_empty() {
        tracing::info!(job = %job.id, by = %staff.email, left_out = outside.len(), "records outside the editor's territory left out");
    }
    job.status = JobStatus::Committed;
    job.counts = counts(&report.plan);
    job.committed_by = Some(staff.email.clone());
    job.committed_at = Some(now_s());
    store.update_job(&job).await?;
    fetch_photos_later(store, &job);
    Ok((job, outside.len() as u64))
}

/// Fetches the photos the committed file names, apart from the commit: fetching takes
/// up to the fetcher's timeout per photo, and the records are public already. A photo
/// that fails is tried again at the file's next import, like on the command line.
fn fetch_photos_later(store: Arc<dyn Store>, job: &Job) {
    let Ok(source) = source_of(&job.kind) else {
        return;
    };
    let (id, path) = (job.id.clone(), PathBuf::from(&job.path));
    tokio::spawn(async move {
        let fetcher = match balade_import::remote_photos::Fetcher::new(Default::default()) {
            Ok(f) => f,
            Err(e) => {
                tracing::warn!(job = %id, error = %e, "photos not fetched");
                return;
            }
        };
        let observer = &mut balade_import::plan::Quiet;
        match balade_import::driver::attach_photos(
            store.as_ref(),
            &source,
            &path,
            &fetcher,
            observer,
        )
        .await
        {
            Ok(report) => {
                let c = report.photos;
                tracing::info!(job = %id, attached = c.attached, kept = c.kept, failed = c.failed, "photos of the job");
                for w in &report.warnings {
                    tracing::warn!(job = %id, "{w}");
                }
            }
            Err(e) => tracing::warn!(job = %id, error = %e, "photos not attached"),
        }
    });
}

/// A job's report as CSV: one row per changed field of each update, one per other
/// record (create, delete, rejection with its line and reason), in plan order; cells
/// that a spreadsheet would read as formulas are neutralised.
pub async fn report(store: &dyn Store, id: &str) -> AppResult<(Job, String)> {
    let job = store
        .job(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no import job `{id}`")))?;
    let mut out = String::new();
    let header = [
        "status", "kind", "key", "label", "commune", "lon", "lat", "field", "before", "after",
        "line", "reason",
    ];
    crate::export::push_row(&mut out, &header.map(str::to_owned));
    each_record(store, id, |r| {
        let text = |v: &serde_json::Value| match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        };
        let base = |field: String, before: String, after: String| {
            [
                r.status.clone(),
                r.kind.clone(),
                r.key.clone(),
                r.label.clone(),
                r.commune.clone().unwrap_or_default(),
                r.lon.map(|v| v.to_string()).unwrap_or_default(),
                r.lat.map(|v| v.to_string()).unwrap_or_default(),
                field,
                before,
                after,
                text(&r.detail["line"]),
                text(&r.detail["reason"]),
            ]
        };
        let changes = r.detail["changes"].as_array().cloned().unwrap_or_default();
        if changes.is_empty() {
            crate::export::push_row(&mut out, &base(String::new(), String::new(), String::new()));
        }
        for c in &changes {
            let row = base(text(&c["field"]), text(&c["before"]), text(&c["after"]));
            crate::export::push_row(&mut out, &row);
        }
    })
    .await?;
    Ok((job, out))
}

/// Forgets the edits of the fields staff chose to take from the source: each record's
/// overrides lose them (audited, origin `import`), so that the import writes the
/// source's values. Only fields the plan showed as kept edits can be named.
async fn drop_edits(
    store: &dyn Store,
    staff: &Staff,
    id: &str,
    take: &[(String, String)],
) -> AppResult<()> {
    for (key, field) in take {
        let filter = balade_core::jobs::JobRecordFilter {
            q: Some(key.to_lowercase()),
            limit: 500,
            ..Default::default()
        };
        let (_, found) = store.job_records(id, &filter).await?;
        let kept = found.iter().find(|r| {
            &r.key == key
                && r.detail["kept"]
                    .as_array()
                    .is_some_and(|k| k.iter().any(|c| c["field"] == field.as_str()))
        });
        let Some(record) = kept else {
            return Err(AppError::Invalid(format!(
                "`{key}` has no kept edit of `{field}` in this plan"
            )));
        };
        let kind = match record.kind.as_str() {
            "circuit" => balade_core::record::RecordKind::Circuit,
            _ => balade_core::record::RecordKind::Poi,
        };
        let log = store.history(kind, key).await?;
        let Some(last) = log.last() else {
            continue;
        };
        let mut overrides = last.overrides.as_object().cloned().unwrap_or_default();
        let Some(edited) = overrides.remove(field) else {
            continue;
        };
        let entry = balade_core::store::AuditEntry {
            version: last.version + 1,
            at: now_s(),
            actor: staff.email.clone(),
            origin: "import".into(),
            changes: json!([{ "field": field, "before": edited, "after": "(the source's value)" }]),
            view: last.view.clone(),
            overrides: serde_json::Value::Object(overrides),
        };
        let mut tx = store.begin_import().await?;
        tx.save_edit(kind, key, last.version, &entry).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// A `balade import` run, kept in the jobs' history beside the back-office's: the kind,
/// the files read, who ran it, when, and what it wrote (status `committed`).
pub async fn record_command_line_run(
    store: &dyn Store,
    kind: &str,
    paths: &[PathBuf],
    actor: &str,
    report: &balade_import::ImportReport,
) -> AppResult<Job> {
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let mut file_name = names.join(", ");
    if file_name.chars().count() > 300 {
        file_name = format!("{}…", file_name.chars().take(300).collect::<String>());
    }
    let now = now_s();
    let job = Job {
        id: new_id()?,
        kind: kind.to_owned(),
        file_name,
        path: names.first().cloned().unwrap_or_default(),
        created_by: actor.to_owned(),
        created_at: now,
        status: JobStatus::Committed,
        progress: report.plan.create
            + report.plan.update
            + report.plan.unchanged
            + report.plan.delete
            + report.plan.rejected,
        counts: counts(&report.plan),
        error: None,
        committed_by: Some(actor.to_owned()),
        committed_at: Some(now),
    };
    store.create_job(&job).await?;
    Ok(job)
}
