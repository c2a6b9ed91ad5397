//! `GET /api/v1/exports/{format}`: the open data, for anyone — the published catalogue
//! (or the part of some communes or intercommunalities) as GeoJSON, GPX, CSV or the
//! national hiking-trail schema, under its licence, with an `ETag` that follows the
//! data. Built once per version and filter (a few kept in memory), rate-limited per
//! client like the other downloads.

use super::{IfNoneMatch, Path};
use crate::error::{ApiError, ApiResult, BadRequest, NotFound, TooManyRequests};
use crate::query::Params;
use crate::state::AppState;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use balade_app::export::{self, ExportFilter, ExportFormat};
use balade_core::hash::Fnv;

/// One export: its format, filter and the store's revision it was built at.
fn etag(format: &str, filter: &ExportFilter, revision: i64) -> String {
    let mut h = Fnv::new();
    h.field(format);
    for c in &filter.communes {
        h.field(c);
    }
    h.field("|");
    for i in &filter.intercommunalities {
        h.field(i);
    }
    format!("\"{revision}-{:016x}\"", h.finish())
}

fn media_type(format: ExportFormat) -> (&'static str, &'static str) {
    match format {
        ExportFormat::GeoJson => ("application/geo+json", "geojson"),
        ExportFormat::SchemaRandonnee => ("application/geo+json", "schema-randonnee.geojson"),
        ExportFormat::Gpx => ("application/gpx+xml", "gpx"),
        ExportFormat::Csv => ("text/csv; charset=utf-8", "csv"),
    }
}

/// The export of `tag`, from the cache or built now.
async fn built(
    state: &AppState,
    format: ExportFormat,
    filter: &ExportFilter,
    tag: &str,
) -> ApiResult<(axum::body::Bytes, std::time::SystemTime)> {
    if let Some(kept) = state.exports.get(tag) {
        return Ok(kept);
    }
    let licence = &state.app.settings.licence;
    let (bytes, _) = export::export_of(state.app.store.as_ref(), format, filter, licence)
        .await
        .map_err(|e| ApiError::Internal(balade_app::AppError::Encode(e.to_string())))?;
    Ok(state.exports.put(tag.to_owned(), bytes))
}

/// The formats, by name.
const FORMATS: [&str; 4] = ["geojson", "gpx", "csv", "schema-randonnee"];

/// The data catalogue: every export of the whole catalogue with its URL, type, size and
/// date, and the licence.
#[utoipa::path(get, path = "/api/v1/exports", tag = "open data", operation_id = "exports",
    responses((status = 200, body = Object), (status = 429, response = TooManyRequests)))]
pub async fn catalogue(State(state): State<AppState>) -> ApiResult<axum::Json<serde_json::Value>> {
    let revision = state
        .app
        .store
        .revision()
        .await
        .map_err(balade_app::AppError::from)?;
    let filter = ExportFilter::default();
    let mut exports = Vec::new();
    for name in FORMATS {
        let format: ExportFormat = name.parse().map_err(ApiError::BadRequest)?;
        let tag = etag(name, &filter, revision);
        let (bytes, at) = built(&state, format, &filter, &tag).await?;
        let (media, _) = media_type(format);
        exports.push(serde_json::json!({
            "format": name,
            "url": format!("/api/v1/exports/{name}"),
            "media_type": media,
            "bytes": bytes.len(),
            "modified": httpdate::fmt_http_date(at),
            "etag": tag,
        }));
    }
    let licence = &state.app.settings.licence;
    Ok(axum::Json(serde_json::json!({
        "licence": { "name": licence.name, "url": licence.url },
        "exports": exports,
        "filters": ["commune", "intercommunality"],
    })))
}

/// The open-data export of the published catalogue.
#[utoipa::path(get, path = "/api/v1/exports/{format}", tag = "open data", operation_id = "export",
    params(("format" = String, Path, description = "`geojson`, `gpx`, `csv` or `schema-randonnee`"),
           ("commune" = Option<Vec<String>>, Query, description = "INSEE codes or names (repeated or comma-separated)"),
           ("intercommunality" = Option<Vec<String>>, Query, description = "SIRENs or names"),
           IfNoneMatch),
    responses((status = 200, description = "The export, under the licence its `Link` header names",
                  content(
                      (Object = "application/geo+json"),
                      (String = "application/gpx+xml"),
                      (String = "text/csv")
                  ),
                  headers(("ETag" = String), ("Last-Modified" = String, description = "When this version was built"), ("Link" = String, description = "`<…>; rel=\"license\"`"))),
              (status = 304, description = "The copy held is current"),
              (status = 400, response = BadRequest), (status = 404, response = NotFound),
              (status = 429, response = TooManyRequests)))]
pub async fn export(
    State(state): State<AppState>,
    Path(format): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let parsed: ExportFormat = format.parse().map_err(|e: String| ApiError::NotFound(e))?;
    let p = Params::parse(raw.as_deref())?;
    p.only(&["commune", "intercommunality"])?;
    let filter = ExportFilter {
        communes: p.all::<String>("commune")?,
        intercommunalities: p.all::<String>("intercommunality")?,
    };
    let revision = state
        .app
        .store
        .revision()
        .await
        .map_err(balade_app::AppError::from)?;
    let tag = etag(&format, &filter, revision);
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let (bytes, built) = built(&state, parsed, &filter, &tag).await?;
        let (media, extension) = media_type(parsed);
        let mut r = (StatusCode::OK, bytes).into_response();
        let h = r.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
        if let Ok(v) = HeaderValue::from_str(&httpdate::fmt_http_date(built)) {
            h.insert(header::LAST_MODIFIED, v);
        }
        if let Ok(v) =
            HeaderValue::from_str(&format!("attachment; filename=\"balade.{extension}\""))
        {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
        r
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, v);
    }
    let url = &state.app.settings.licence.url;
    if let Ok(v) = HeaderValue::from_str(&format!("<{url}>; rel=\"license\"")) {
        h.insert(header::LINK, v);
    }
    Ok(response)
}
