//! `/api/v1/admin/{circuits|pois}/{id}`: a record read for editing with its `ETag`, a
//! JSON merge patch saved under `If-Match`, its audit log and a revert. Every handler
//! needs a staff session; writes need this site's `Origin` (see [`crate::session`]).

use super::{Path, show_at_once};
use crate::error::{ApiError, ApiResult, BadRequest, ErrorBody, Forbidden, NotFound, Unauthorized};
use crate::query::Params;
use crate::session::CurrentStaff;
use crate::state::AppState;
use axum::Json;
use axum::extract::RawQuery;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
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
