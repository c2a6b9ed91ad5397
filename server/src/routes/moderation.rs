//! `/api/v1/admin/moderation`: the moderators' queue of contributions, a decision on
//! one item or many, and the reports as files. Moderators and admins; writes need this
//! site's `Origin` (see [`crate::session`]).

use super::{Path, show_at_once};
use crate::error::{ApiError, ApiResult, BadRequest, Conflict, Forbidden, NotFound, Unauthorized};
use crate::query::Params;
use crate::session::CurrentStaff;
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use balade_app::moderation::{self, Bulk, Item, Queue, QueueFilter};
use serde::Deserialize;

const FILTERS: [&str; 7] = [
    "kind", "status", "circuit", "commune", "category", "limit", "offset",
];

fn filter_of(p: &Params) -> ApiResult<QueueFilter> {
    Ok(QueueFilter {
        kind: p.text("kind").map(str::to_owned),
        status: p.text("status").map(str::to_owned),
        circuit: p.text("circuit").map(str::to_owned),
        commune: p.text("commune").map(str::to_owned),
        category: p.text("category").map(str::to_owned),
        limit: p.get("limit")?,
        offset: p.get("offset")?,
    })
}

/// The queue: without `status`, what waits for a decision (pending and flagged reviews,
/// pending corrections, new and in-progress reports); `status=all` for everything.
#[utoipa::path(get, path = "/api/v1/admin/moderation", tag = "staff", operation_id = "moderation_queue",
    params(("kind" = Option<String>, Query, description = "`review`, `report` or `correction`"),
           ("status" = Option<String>, Query, description = "A status of the kind, `all`, or none for the open items"),
           ("circuit" = Option<String>, Query), ("commune" = Option<String>, Query, description = "INSEE code (reports)"),
           ("category" = Option<String>, Query, description = "A report category"),
           ("limit" = Option<u32>, Query, description = "Default 50, at most 500"), ("offset" = Option<u32>, Query)),
    responses((status = 200, description = "Counts per kind and status, and a page of items", body = Queue),
              (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
              (status = 403, response = Forbidden)))]
pub async fn queue(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Queue>> {
    let p = Params::parse(raw.as_deref())?;
    p.only(&FILTERS)?;
    Ok(Json(
        moderation::queue(state.app.store.as_ref(), &staff, &filter_of(&p)?).await?,
    ))
}

/// One item with the log of its decisions.
#[utoipa::path(get, path = "/api/v1/admin/moderation/{id}", tag = "staff", operation_id = "moderation_item",
    params(("id" = String, Path)),
    responses((status = 200, description = "The item and its `log`", body = Item),
              (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
              (status = 404, response = NotFound)))]
pub async fn item(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    Path(id): Path<String>,
) -> ApiResult<Json<Item>> {
    Ok(Json(
        moderation::item(state.app.store.as_ref(), &staff, &id).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DecisionBody {
    /// `publish` (a review; a correction, made an edit), `reject`, or for reports
    /// `in_progress`, `resolved`, `new`.
    pub decision: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct BulkBody {
    pub ids: Vec<String>,
    pub decision: String,
}

fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> ApiResult<T> {
    body.map(|Json(b)| b)
        .map_err(|e| ApiError::BadRequest(format!("the body: {}", e.body_text())))
}

/// A decision on one item, logged with who took it.
#[utoipa::path(post, path = "/api/v1/admin/moderation/{id}", tag = "staff", operation_id = "moderation_decide",
    params(("id" = String, Path)),
    request_body(content = DecisionBody, content_type = "application/json"),
    responses((status = 200, description = "The item after the decision, with its log", body = Item),
              (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
              (status = 403, response = Forbidden), (status = 404, response = NotFound),
              (status = 409, response = Conflict)))]
pub async fn decide(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    Path(id): Path<String>,
    body: Result<Json<DecisionBody>, JsonRejection>,
) -> ApiResult<Json<Item>> {
    let body = json_body(body)?;
    let item = moderation::decide(
        state.app.store.as_ref(),
        state.app.settings.mail_command.as_deref(),
        &staff,
        &id,
        &body.decision,
    )
    .await?;
    show_at_once(&state).await;
    Ok(Json(item))
}

/// One decision on many items, each taken on its own.
#[utoipa::path(post, path = "/api/v1/admin/moderation", tag = "staff", operation_id = "moderation_decide_many",
    request_body(content = BulkBody, content_type = "application/json"),
    responses((status = 200, description = "What was done, and what failed with why", body = Bulk),
              (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
              (status = 403, response = Forbidden)))]
pub async fn decide_many(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    body: Result<Json<BulkBody>, JsonRejection>,
) -> ApiResult<Json<Bulk>> {
    let body = json_body(body)?;
    let bulk = moderation::decide_many(
        state.app.store.as_ref(),
        state.app.settings.mail_command.as_deref(),
        &staff,
        &body.ids,
        &body.decision,
    )
    .await?;
    if !bulk.done.is_empty() {
        show_at_once(&state).await;
    }
    Ok(Json(bulk))
}

/// The reports matching the filters (every status unless one is named), as GeoJSON or
/// CSV; never an e-mail address.
#[utoipa::path(get, path = "/api/v1/admin/reports/export", tag = "staff", operation_id = "reports_export",
    params(("format" = String, Query, description = "`geojson` or `csv`"),
           ("status" = Option<String>, Query), ("category" = Option<String>, Query),
           ("circuit" = Option<String>, Query), ("commune" = Option<String>, Query)),
    responses((status = 200, description = "The file", body = Object),
              (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
              (status = 403, response = Forbidden)))]
pub async fn export(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let p = Params::parse(raw.as_deref())?;
    p.only(&["format", "status", "category", "circuit", "commune"])?;
    let format = p.text("format").unwrap_or("geojson").to_owned();
    let filter = filter_of(&p)?;
    let (media_type, bytes) =
        moderation::reports_file(state.app.store.as_ref(), &staff, &filter, &format).await?;
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    let name = if format == "csv" {
        "reports.csv"
    } else {
        "reports.geojson"
    };
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}
