//! Offline packages (`/offline`, as a manifest or one zip) and guidance input (`/guide`).

use super::{AcceptLanguage, Binary, IfNoneMatch, Path};
use crate::error::{ApiError, ApiResult, BadRequest, NotFound, TooManyRequests};
use crate::lang;
use crate::query::Params;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use balade_app::App;
use balade_app::package::Manifest;
use balade_core::guide_data::GuideData;
use std::sync::Arc;

/// The offline package manifest, or the whole package as one zip archive.
#[utoipa::path(get, path = "/api/v1/circuits/{id}/offline", tag = "offline", operation_id = "circuit_offline",
    params(("id" = String, Path, description = "Circuit id"),
           ("lang" = Option<String>, Query, description = "Language of the content (`fr`, `en`; default `fr`)"),
           ("format" = Option<String>, Query, description = "`json` (default) or `zip`"),
           IfNoneMatch),
    responses((status = 200, description = "The manifest, or with `format=zip` the whole package; the ETag is the version",
                  headers(("ETag" = String, description = "The package's version, quoted")),
                  content((Manifest = "application/json"), (inline(Binary) = "application/zip"))),
              (status = 304, description = "Nothing changed since the version sent in If-None-Match",
                  headers(("ETag" = String))),
              (status = 400, response = BadRequest), (status = 404, response = NotFound),
              (status = 429, response = TooManyRequests)))]
pub async fn offline(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let p = Params::parse(raw.as_deref())?;
    p.only(&["lang", "format"])?;
    let lang = p.text("lang").unwrap_or("fr");
    let zip = match p.text("format") {
        None | Some("json") => false,
        Some("zip") => true,
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "`format`: `{other}` (expected json or zip)"
            )));
        }
    };
    let package = app.package(&id, lang).await?;
    let etag = format!("\"{}\"", package.manifest.version);
    let etag_value = HeaderValue::from_str(&etag).map_err(|e| ApiError::Encode(e.to_string()))?;
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    if unchanged {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag_value)]).into_response());
    }
    if zip {
        let name = format!(
            "attachment; filename=\"{}-offline.zip\"",
            package.manifest.circuit
        );
        let disposition =
            HeaderValue::from_str(&name).map_err(|e| ApiError::Encode(e.to_string()))?;
        return Ok((
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/zip"),
                ),
                (header::CONTENT_DISPOSITION, disposition),
                (header::ETAG, etag_value),
            ],
            Bytes::from_owner(package.zip()?),
        )
            .into_response());
    }
    Ok(([(header::ETAG, etag_value)], Json(package.manifest.clone())).into_response())
}

/// What guidance needs for one circuit: its trace, the POIs along it (names in the
/// language asked) and the rules' settings.
#[utoipa::path(get, path = "/api/v1/circuits/{id}/guide", tag = "offline", operation_id = "circuit_guide",
    params(("id" = String, Path, description = "Circuit id"),
           ("lang" = Option<String>, Query, description = "Language of the POI names (`fr`, `en`; default from `Accept-Language`, else French)"),
           AcceptLanguage),
    responses((status = 200, description = "The guidance input", body = GuideData),
              (status = 400, response = BadRequest), (status = 404, response = NotFound)))]
pub async fn guide(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Json<GuideData>> {
    let p = Params::parse(raw.as_deref())?;
    p.only(&["lang"])?;
    let lang = lang::pick(p.text("lang"), &headers)?;
    Ok(Json(app.guide_data(&id, lang).await?))
}
