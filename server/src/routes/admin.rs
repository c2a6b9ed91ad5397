//! `/api/v1/admin/{circuits|pois}/{id}`: a record read for editing with its `ETag`, a
//! JSON merge patch saved under `If-Match`, its audit log and a revert. Every handler
//! needs a staff session; writes need this site's `Origin` (see [`crate::session`]).

use super::{Path, form_text, show_at_once};
use crate::error::{ApiError, ApiResult, BadRequest, ErrorBody, Forbidden, NotFound, Unauthorized};
use crate::query::Params;
use crate::session::CurrentStaff;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Multipart, RawQuery};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use balade_app::curation::{self, CurationError, Editable, Target};
use balade_core::{CircuitId, PoiId};
use serde_json::{Value, json};

fn target(kind: &str, id: &str) -> ApiResult<Target> {
    let bad = |e: balade_core::DomainError| ApiError::BadRequest(format!("id: {e}"));
    match kind {
        "circuits" => Ok(Target::Circuit(CircuitId::new(id).map_err(bad)?)),
        "pois" => Ok(Target::Poi(PoiId::new(id).map_err(bad)?)),
        _ => Err(ApiError::NotFound(format!("no record kind `{kind}`"))),
    }
}

/// A record with its version in `ETag`.
fn answer(status: StatusCode, e: &Editable) -> Response {
    let mut r = (status, Json(e)).into_response();
    if let Ok(v) = HeaderValue::from_str(&e.etag) {
        r.headers_mut().insert(header::ETAG, v);
    }
    r
}

fn outcome(result: Result<Editable, CurationError>) -> ApiResult<Response> {
    match result {
        Ok(e) => Ok(answer(StatusCode::OK, &e)),
        // The record as it is now, for the page to show what changed.
        Err(CurationError::Stale(now)) => {
            let body = json!({ "error": "the record changed since you opened it: review it and save again", "current": now });
            let mut r = (StatusCode::PRECONDITION_FAILED, Json(body)).into_response();
            if let Ok(v) = HeaderValue::from_str(&now.etag) {
                r.headers_mut().insert(header::ETAG, v);
            }
            Ok(r)
        }
        Err(CurationError::Forbidden(m)) => Err(ApiError::Forbidden(m)),
        Err(CurationError::App(e)) => Err(e.into()),
    }
}

/// A circuit or a POI as the back-office edits it.
#[utoipa::path(get, path = "/api/v1/admin/{kind}/{id}", tag = "staff", operation_id = "admin_read",
    params(("kind" = String, Path, description = "`circuits` or `pois`"), ("id" = String, Path)),
    responses((status = 200, description = "The record's editable fields, the fields a person set, its version", body = Object,
                  headers(("ETag" = String, description = "What a save sends back in If-Match"))),
              (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
              (status = 404, response = NotFound)))]
pub async fn read(
    State(state): State<AppState>,
    _staff: CurrentStaff,
    Path((kind, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let target = target(&kind, &id)?;
    let e = curation::read(state.app.store.as_ref(), &target).await?;
    Ok(answer(StatusCode::OK, &e))
}

/// Saves an edit: a JSON merge patch (RFC 7396) of the editable fields, from the version
/// named in `If-Match`.
#[utoipa::path(patch, path = "/api/v1/admin/{kind}/{id}", tag = "staff", operation_id = "admin_edit",
    params(("kind" = String, Path, description = "`circuits` or `pois`"), ("id" = String, Path),
           ("If-Match" = String, Header, description = "The ETag the edit started from")),
    request_body(content = Object, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Saved: the record now", body = Object),
              (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
              (status = 403, response = Forbidden), (status = 404, response = NotFound),
              (status = 412, description = "The record changed since: `current` holds it now", body = Object),
              (status = 428, description = "No If-Match", body = ErrorBody)))]
pub async fn edit(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    Path((kind, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult<Response> {
    let target = target(&kind, &id)?;
    let Some(if_match) = headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()) else {
        let body =
            json!({ "error": "an edit needs If-Match: the ETag of the version it started from" });
        return Ok((StatusCode::PRECONDITION_REQUIRED, Json(body)).into_response());
    };
    let Json(patch) = body.map_err(|e| {
        ApiError::BadRequest(format!("an edit is a JSON object: {}", e.body_text()))
    })?;
    let saved = curation::patch(state.app.store.as_ref(), &staff, &target, if_match, &patch).await;
    if saved.is_ok() {
        show_at_once(&state).await;
    }
    outcome(saved)
}

/// The record's audit log, oldest first: who, when, from what (`edit`, `revert`), the
/// fields before → after.
#[utoipa::path(get, path = "/api/v1/admin/{kind}/{id}/history", tag = "staff", operation_id = "admin_history",
    params(("kind" = String, Path, description = "`circuits` or `pois`"), ("id" = String, Path)),
    responses((status = 200, body = Object), (status = 400, response = BadRequest),
              (status = 401, response = Unauthorized), (status = 404, response = NotFound)))]
pub async fn history(
    State(state): State<AppState>,
    _staff: CurrentStaff,
    Path((kind, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let target = target(&kind, &id)?;
    let log = curation::history(state.app.store.as_ref(), &target).await?;
    let entries: Vec<Value> = log
        .into_iter()
        .map(|e| json!({ "version": e.version, "at": e.at, "by": e.actor, "origin": e.origin, "changes": e.changes }))
        .collect();
    Ok(Json(json!({ "id": id, "entries": entries })))
}

/// The body of a revert.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Revert {
    /// The version whose fields come back.
    pub version: i64,
}

/// Brings a record back to an earlier version's fields; the revert is audited.
#[utoipa::path(post, path = "/api/v1/admin/{kind}/{id}/revert", tag = "staff", operation_id = "admin_revert",
    params(("kind" = String, Path, description = "`circuits` or `pois`"), ("id" = String, Path)),
    request_body = Revert,
    responses((status = 200, description = "Reverted: the record now", body = Object),
              (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
              (status = 403, response = Forbidden), (status = 404, response = NotFound),
              (status = 412, description = "Edited meanwhile", body = Object)))]
pub async fn revert(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    Path((kind, id)): Path<(String, String)>,
    body: Result<Json<Revert>, JsonRejection>,
) -> ApiResult<Response> {
    let target = target(&kind, &id)?;
    let Json(Revert { version }) = body.map_err(|e| {
        ApiError::BadRequest(format!(
            "a revert is JSON {{\"version\": N}}: {}",
            e.body_text()
        ))
    })?;
    let reverted = curation::revert(state.app.store.as_ref(), &staff, &target, version).await;
    if reverted.is_ok() {
        show_at_once(&state).await;
    }
    outcome(reverted)
}

/// Every circuit, published or not, for the back-office's list.
#[utoipa::path(get, path = "/api/v1/admin/circuits", tag = "staff", operation_id = "admin_circuits",
    params(("q" = Option<String>, Query, description = "Words found in the name, id or communes")),
    responses((status = 200, body = Object), (status = 400, response = BadRequest),
              (status = 401, response = Unauthorized)))]
pub async fn circuits(
    State(state): State<AppState>,
    _staff: CurrentStaff,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let p = Params::parse(raw.as_deref())?;
    p.only(&["q"])?;
    let list = curation::circuits(state.app.store.as_ref(), p.text("q")).await?;
    Ok(Json(json!({ "circuits": list })))
}

/// The POIs a circuit's file brought, for the back-office.
#[utoipa::path(get, path = "/api/v1/admin/circuits/{id}/pois", tag = "staff", operation_id = "admin_circuit_pois",
    params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 400, response = BadRequest),
              (status = 401, response = Unauthorized), (status = 404, response = NotFound)))]
pub async fn circuit_pois(
    State(state): State<AppState>,
    _staff: CurrentStaff,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let id = CircuitId::new(&id).map_err(|e| ApiError::BadRequest(format!("id: {e}")))?;
    let pois = curation::circuit_pois(state.app.store.as_ref(), &id).await?;
    Ok(Json(json!({ "pois": pois })))
}

/// POIs for the back-office's search: every word in the name, a kind, paged.
#[utoipa::path(get, path = "/api/v1/admin/pois", tag = "staff", operation_id = "admin_pois",
    params(("q" = Option<String>, Query, description = "Words found in the name"),
           ("kind" = Option<String>, Query),
           ("limit" = Option<u32>, Query, description = "At most 200 (default 50)", minimum = 1, maximum = 200),
           ("offset" = Option<u32>, Query, minimum = 0)),
    responses((status = 200, body = Object), (status = 400, response = BadRequest),
              (status = 401, response = Unauthorized)))]
pub async fn pois(
    State(state): State<AppState>,
    _staff: CurrentStaff,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let p = Params::parse(raw.as_deref())?;
    p.only(&["q", "kind", "limit", "offset"])?;
    let kind = match p.text("kind") {
        Some(k) => Some(
            k.parse::<balade_core::PoiKind>()
                .map_err(|e| ApiError::BadRequest(format!("`kind`: {e}")))?,
        ),
        None => None,
    };
    let limit = p.number("limit", 1.0..=200.0, 50.0)? as u32;
    let offset = p.number("offset", 0.0..=1e9, 0.0)? as u32;
    let (total, pois) =
        curation::pois(state.app.store.as_ref(), p.text("q"), kind, limit, offset).await?;
    Ok(Json(json!({ "total": total, "pois": pois })))
}

/// The largest photo taken from the back-office.
const MAX_PHOTO_BYTES: u64 = 25 << 20;

/// Adds a photo to a circuit or a POI.
#[utoipa::path(post, path = "/api/v1/admin/{kind}/{id}/media", tag = "staff", operation_id = "admin_add_photo",
    params(("kind" = String, Path, description = "`circuits` or `pois`"), ("id" = String, Path)),
    request_body(content = Object, content_type = "multipart/form-data",
                 description = "`photo` (JPEG, PNG or WebP), `alt` (required), `author`, `license`, `title`"),
    responses((status = 201, description = "The record with its media", body = Object),
              (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
              (status = 403, response = Forbidden), (status = 404, response = NotFound),
              (status = 413, description = "The photo is over 25 MB")))]
pub async fn add_photo(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    Path((kind, id)): Path<(String, String)>,
    mut form: Multipart,
) -> ApiResult<Response> {
    let target = target(&kind, &id)?;
    let bad = |e: axum::extract::multipart::MultipartError| {
        ApiError::BadRequest(format!("the upload is not a valid multipart form: {e}"))
    };
    let failed = |e: std::io::Error| {
        ApiError::Internal(balade_app::AppError::Encode(format!("photo upload: {e}")))
    };
    let path = std::env::temp_dir().join(format!("balade-photo-{}", balade_app::jobs::new_id()?));
    let mut credits = curation::Credits::default();
    let mut got_photo = false;
    let read: ApiResult<()> = async {
        while let Some(mut field) = form.next_field().await.map_err(bad)? {
            let name = field.name().unwrap_or_default().to_owned();
            if name == "photo" && !got_photo {
                let mut out = tokio::fs::File::create(&path).await.map_err(failed)?;
                let mut size = 0u64;
                while let Some(chunk) = field.chunk().await.map_err(bad)? {
                    size += chunk.len() as u64;
                    if size > MAX_PHOTO_BYTES {
                        return Err(ApiError::TooLarge(format!(
                            "the photo is over {} MB",
                            MAX_PHOTO_BYTES >> 20
                        )));
                    }
                    tokio::io::AsyncWriteExt::write_all(&mut out, &chunk)
                        .await
                        .map_err(failed)?;
                }
                tokio::io::AsyncWriteExt::flush(&mut out)
                    .await
                    .map_err(failed)?;
                got_photo = true;
                continue;
            }
            let text =
                Some(form_text(&mut field, 2_000, bad).await?).filter(|t| !t.trim().is_empty());
            match name.as_str() {
                "alt" => credits.alt = text,
                "author" => credits.author = text,
                "license" => credits.license = text,
                "title" => credits.title = text,
                _ => {}
            }
        }
        Ok(())
    }
    .await;
    let outcome = match read {
        Ok(()) if got_photo => {
            Ok(
                curation::add_photo(state.app.store.as_ref(), &staff, &target, &path, credits)
                    .await,
            )
        }
        Ok(()) => Err(ApiError::BadRequest("the form has no `photo`".into())),
        Err(e) => Err(e),
    };
    let _ = tokio::fs::remove_file(&path).await;
    match outcome? {
        Ok(e) => {
            show_at_once(&state).await;
            Ok(answer(StatusCode::CREATED, &e))
        }
        Err(CurationError::Forbidden(m)) => Err(ApiError::Forbidden(m)),
        Err(CurationError::App(e)) => Err(e.into()),
        Err(CurationError::Stale(now)) => Ok(answer(StatusCode::CREATED, &now)),
    }
}
