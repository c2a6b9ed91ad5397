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
use balade_app::export::{self, ExportFilter, ExportFormat, LICENCE_URL};
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
                  headers(("ETag" = String), ("Link" = String, description = "`<…>; rel=\"license\"`"))),
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
    let store = state.app.store.as_ref();
    let revision = store.revision().await.map_err(balade_app::AppError::from)?;
    let tag = etag(&format, &filter, revision);
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let bytes = match state.exports.get(&tag) {
            Some(bytes) => bytes,
            None => {
                let (bytes, _) = export::export_of(store, parsed, &filter)
                    .await
                    .map_err(|e| ApiError::Internal(balade_app::AppError::Encode(e.to_string())))?;
                state.exports.put(tag.clone(), bytes)
            }
        };
        let (media, extension) = media_type(parsed);
        let mut r = (StatusCode::OK, bytes).into_response();
        let h = r.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
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
    if let Ok(v) = HeaderValue::from_str(&format!("<{LICENCE_URL}>; rel=\"license\"")) {
        h.insert(header::LINK, v);
    }
    Ok(response)
}
