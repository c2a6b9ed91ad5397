//! `/api/v1/admin/imports`: import jobs from the browser. An upload is streamed to the
//! jobs folder (never held whole in memory, refused past the size limit), planned in
//! the background, read page by page, then committed.

use super::{Path, form_text, show_at_once};
use crate::error::{ApiError, ApiResult, BadRequest, Conflict, Forbidden, NotFound, Unauthorized};
use crate::query::Params;
use crate::session::CurrentStaff;
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Multipart, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use balade_app::jobs;
use balade_core::jobs::{Job, JobRecordFilter};
use serde_json::{Value, json};
use std::collections::HashSet;
use tokio::io::AsyncWriteExt;

/// A job as the API shows it: the plan's counts as top-level integers.
fn job_json(j: &Job) -> Value {
    json!({
        "id": j.id,
        "kind": j.kind,
        "file_name": j.file_name,
        "created_by": j.created_by,
        "created_at": j.created_at,
        "status": j.status.as_str(),
        "progress": j.progress,
        "create": j.counts.create,
        "update": j.counts.update,
        "unchanged": j.counts.unchanged,
        "delete": j.counts.delete,
        "rejected": j.counts.rejected,
        "error": j.error,
        "committed_by": j.committed_by,
        "committed_at": j.committed_at,
    })
}

/// A file name safe on disk: its last component, letters, digits, `.`, `-`, `_` only.
fn safe_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(120)
        .collect();
    match cleaned.trim_start_matches('.') {
        "" => "upload".to_owned(),
        rest => rest.to_owned(),
    }
}

fn bad(e: impl std::fmt::Display) -> ApiError {
    ApiError::BadRequest(format!("the upload is not a valid multipart form: {e}"))
}

/// Uploads a file and starts its plan: `202` with the job.
#[utoipa::path(post, path = "/api/v1/admin/imports", tag = "staff", operation_id = "admin_import",
    request_body(content = Object, content_type = "multipart/form-data",
                 description = "`file`: the file to import; `kind` (optional): gpx, circuits, landscapes, communes, ariane, tourism or biodiversity"),
    responses((status = 202, description = "The job, queued", body = Object),
              (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
              (status = 403, response = Forbidden),
              (status = 413, description = "The file is over the upload limit")))]
pub async fn upload(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    mut form: Multipart,
) -> ApiResult<Response> {
    jobs::may_import(&staff)?;
    let id = jobs::new_id()?;
    let dir = state.jobs.dir.join(&id);
    let mut kind: Option<String> = None;
    let mut file: Option<(String, std::path::PathBuf, Vec<u8>)> = None;
    let outcome: ApiResult<()> = async {
        while let Some(mut field) = form.next_field().await.map_err(bad)? {
            match field.name() {
                Some("kind") => {
                    let text = form_text(&mut field, 40, bad).await?;
                    let text = text.trim();
                    if !text.is_empty() {
                        kind = Some(text.to_owned());
                    }
                }
                Some("file") if file.is_none() => {
                    let name = field.file_name().unwrap_or("upload").to_owned();
                    tokio::fs::create_dir_all(&dir).await.map_err(|e| {
                        ApiError::Internal(balade_app::AppError::Encode(format!(
                            "jobs folder: {e}"
                        )))
                    })?;
                    let path = dir.join(safe_name(&name));
                    let mut out = tokio::fs::File::create(&path).await.map_err(|e| {
                        ApiError::Internal(balade_app::AppError::Encode(format!(
                            "upload file: {e}"
                        )))
                    })?;
                    let (mut size, mut head) = (0u64, Vec::new());
                    while let Some(chunk) = field.chunk().await.map_err(bad)? {
                        size += chunk.len() as u64;
                        if size > state.jobs.max_upload_bytes {
                            return Err(ApiError::TooLarge(format!(
                                "the file is over the upload limit of {} MB",
                                state.jobs.max_upload_bytes >> 20
                            )));
                        }
                        if head.len() < 4096 {
                            head.extend_from_slice(&chunk[..chunk.len().min(4096 - head.len())]);
                        }
                        out.write_all(&chunk).await.map_err(|e| {
                            ApiError::Internal(balade_app::AppError::Encode(format!(
                                "upload file: {e}"
                            )))
                        })?;
                    }
                    out.flush().await.map_err(|e| {
                        ApiError::Internal(balade_app::AppError::Encode(format!(
                            "upload file: {e}"
                        )))
                    })?;
                    file = Some((name, path, head));
                }
                _ => {}
            }
        }
        Ok(())
    }
    .await;
    let cleanup = || async {
        let _ = tokio::fs::remove_dir_all(&dir).await;
    };
    if let Err(e) = outcome {
        cleanup().await;
        return Err(e);
    }
    let Some((name, path, head)) = file else {
        cleanup().await;
        return Err(ApiError::BadRequest("the form has no `file`".into()));
    };
    let kind = match kind {
        Some(k) => k,
        None => match jobs::detect(&name, &head) {
            Ok(k) => k.to_owned(),
            Err(e) => {
                cleanup().await;
                return Err(e.into());
            }
        },
    };
    let store = state.app.store.clone();
    let job = match jobs::create(store.as_ref(), &staff, id, &kind, &name, &path).await {
        Ok(job) => job,
        Err(e) => {
            cleanup().await;
            return Err(e.into());
        }
    };
    tracing::info!(job = %job.id, kind = %job.kind, file = %job.file_name, by = %staff.email, "import job queued");
    jobs::spawn_plan(store, job.clone());
    Ok((StatusCode::ACCEPTED, Json(job_json(&job))).into_response())
}

/// The latest import jobs, newest first.
#[utoipa::path(get, path = "/api/v1/admin/imports", tag = "staff", operation_id = "admin_imports",
    responses((status = 200, body = Object), (status = 401, response = Unauthorized)))]
pub async fn list(State(state): State<AppState>, _staff: CurrentStaff) -> ApiResult<Json<Value>> {
    let jobs = state
        .app
        .store
        .jobs(100)
        .await
        .map_err(balade_app::AppError::from)?;
    Ok(Json(
        json!({ "jobs": jobs.iter().map(job_json).collect::<Vec<_>>() }),
    ))
}

async fn find(state: &AppState, id: &str) -> ApiResult<Job> {
    state
        .app
        .store
        .job(id)
        .await
        .map_err(balade_app::AppError::from)?
        .ok_or_else(|| ApiError::NotFound(format!("no import job `{id}`")))
}

/// One job: its status, progress and plan's counts.
#[utoipa::path(get, path = "/api/v1/admin/imports/{id}", tag = "staff", operation_id = "admin_import_job",
    params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 401, response = Unauthorized),
              (status = 404, response = NotFound)))]
pub async fn one(
    State(state): State<AppState>,
    _staff: CurrentStaff,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(job_json(&find(&state, &id).await?)))
}

/// The plan's records: `status`, `kind`, `q` (words in the key or name), `commune`,
/// paged.
#[utoipa::path(get, path = "/api/v1/admin/imports/{id}/records", tag = "staff", operation_id = "admin_import_records",
    params(("id" = String, Path),
           ("status" = Option<String>, Query, description = "create, update, unchanged, delete or rejected"),
           ("kind" = Option<String>, Query, description = "circuit, poi, landscape, commune or observation"),
           ("q" = Option<String>, Query), ("commune" = Option<String>, Query),
           ("limit" = Option<u32>, Query, description = "At most 500 (default 100)", minimum = 1, maximum = 500),
           ("offset" = Option<u32>, Query, minimum = 0)),
    responses((status = 200, body = Object), (status = 400, response = BadRequest),
              (status = 401, response = Unauthorized), (status = 404, response = NotFound)))]
pub async fn records(
    State(state): State<AppState>,
    _staff: CurrentStaff,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let p = Params::parse(raw.as_deref())?;
    p.only(&["status", "kind", "q", "commune", "limit", "offset"])?;
    let filter = JobRecordFilter {
        status: p.text("status").map(str::to_owned),
        kind: p.text("kind").map(str::to_owned),
        q: p.text("q").map(str::to_owned),
        commune: p.text("commune").map(str::to_owned),
        limit: p.number("limit", 1.0..=500.0, 100.0)? as u32,
        offset: p.number("offset", 0.0..=1e9, 0.0)? as u32,
    };
    let job = find(&state, &id).await?;
    let (total, records) = state
        .app
        .store
        .job_records(&job.id, &filter)
        .await
        .map_err(balade_app::AppError::from)?;
    let records: Vec<Value> = records
        .into_iter()
        .map(|r| {
            let mut v = json!({
                "key": r.key, "kind": r.kind, "status": r.status, "label": r.label,
                "commune": r.commune, "lon": r.lon, "lat": r.lat,
            });
            if let (Some(o), Some(d)) = (v.as_object_mut(), r.detail.as_object()) {
                o.extend(d.clone());
            }
            v
        })
        .collect();
    Ok(Json(json!({ "total": total, "records": records })))
}

/// The body of a commit.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Commit {
    /// Keys of the plan's records to leave out.
    pub exclude: Vec<String>,
    /// Keys of vanished records to delete (the others are kept).
    pub delete: Vec<String>,
    /// Edited fields whose source value to take instead of the edit the plan kept.
    pub take_source: Vec<TakeSource>,
}

/// An edited field of a record, whose source value the commit writes.
#[derive(Debug, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TakeSource {
    pub key: String,
    pub field: String,
}

/// Commits a planned job in one transaction.
#[utoipa::path(post, path = "/api/v1/admin/imports/{id}/commit", tag = "staff", operation_id = "admin_import_commit",
    params(("id" = String, Path)), request_body = Commit,
    responses((status = 200, description = "Committed: the job", body = Object),
              (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
              (status = 403, response = Forbidden), (status = 404, response = NotFound),
              (status = 409, response = Conflict)))]
pub async fn commit(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    Path(id): Path<String>,
    body: Result<Json<Commit>, JsonRejection>,
) -> ApiResult<Json<Value>> {
    let Json(c) = body.map_err(|e| {
        ApiError::BadRequest(format!(
            "a commit is JSON {{\"exclude\": [keys], \"delete\": [keys], \"take_source\": [{{\"key\", \"field\"}}]}}: {}",
            e.body_text()
        ))
    })?;
    let exclude: HashSet<String> = c.exclude.into_iter().collect();
    let delete: HashSet<String> = c.delete.into_iter().collect();
    let take: Vec<(String, String)> = c
        .take_source
        .into_iter()
        .map(|t| (t.key, t.field))
        .collect();
    let (job, outside) =
        jobs::commit(state.app.store.clone(), &staff, &id, exclude, delete, take).await?;
    tracing::info!(job = %job.id, by = %staff.email, "import job committed");
    show_at_once(&state).await;
    let mut answer = job_json(&job);
    answer["outside_territory"] = json!(outside);
    Ok(Json(answer))
}

/// The job's report, as CSV: every change field by field, every rejection with its line
/// and reason.
#[utoipa::path(get, path = "/api/v1/admin/imports/{id}/report", tag = "staff", operation_id = "admin_import_report",
    params(("id" = String, Path)),
    responses((status = 200, description = "The report", content_type = "text/csv", body = String),
              (status = 401, response = Unauthorized), (status = 404, response = NotFound)))]
pub async fn report(
    State(state): State<AppState>,
    _staff: CurrentStaff,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let (job, csv) = jobs::report(state.app.store.as_ref(), &id).await?;
    let name = format!("import-{}.csv", job.id);
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/csv; charset=utf-8".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        csv,
    )
        .into_response())
}
