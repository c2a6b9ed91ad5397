//! Basemap tiles at `/tiles/{z}/{x}/{y}` (same origin, so packages can list them), and
//! what the web app needs to know to draw them.

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;
use crate::tiles::{MAX_ZOOM, media_type};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// The URL template of tiles, as clients use it.
pub const TILE_TEMPLATE: &str = "/tiles/{z}/{x}/{y}";

fn coordinate<T: std::str::FromStr>(name: &str, text: &str) -> ApiResult<T> {
    text.parse()
        .map_err(|_| ApiError::BadRequest(format!("tile `{name}`: `{text}` is not a whole number")))
}

/// One tile of the configured basemap.
#[utoipa::path(get, path = "/tiles/{z}/{x}/{y}", tag = "tiles",
    params(("z" = u8, Path), ("x" = u32, Path), ("y" = String, Path, description = "Row, with an optional extension")),
    responses((status = 200, description = "The tile (PNG, JPEG or WebP)"), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "No basemap, or no tile there")))]
pub async fn tile(
    State(state): State<AppState>,
    Path((z, x, y)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    let z: u8 = coordinate("z", &z)?;
    let x: u32 = coordinate("x", &x)?;
    let y: u32 = coordinate("y", y.split('.').next().unwrap_or(""))?;
    if z > MAX_ZOOM || x >= (1u32 << z) || y >= (1u32 << z) {
        return Err(ApiError::BadRequest(format!(
            "no tile {z}/{x}/{y} in the Web Mercator grid"
        )));
    }
    let Some(basemap) = state.basemap.as_ref() else {
        return Err(ApiError::NotFound("no basemap configured".into()));
    };
    let bytes = basemap.tile(z, x, y).await.map_err(|e| {
        tracing::warn!(error = %e, "tile unavailable");
        ApiError::Unavailable
    })?;
    let bytes = bytes.ok_or_else(|| ApiError::NotFound(format!("no tile {z}/{x}/{y}")))?;
    let etag = format!("\"{}\"", balade_core::hash::hex(&bytes));
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(media_type(&bytes)),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
            (
                header::ETAG,
                HeaderValue::from_str(&etag).map_err(|e| ApiError::Encode(e.to_string()))?,
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The basemap as the web app needs to draw it.
#[derive(Debug, Serialize, ToSchema)]
pub struct BasemapInfo {
    /// `/tiles/{z}/{x}/{y}`, or `null` when no basemap is configured.
    pub tiles: Option<&'static str>,
    pub min_zoom: Option<u8>,
    pub max_zoom: Option<u8>,
    /// Zooms included in offline packages.
    pub offline_zooms: [u8; 2],
    /// The credit to show on the map.
    pub attribution: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/basemap", tag = "tiles", responses((status = 200, body = BasemapInfo)))]
pub async fn basemap(State(state): State<AppState>) -> Json<BasemapInfo> {
    let b = state.basemap.as_ref();
    Json(BasemapInfo {
        tiles: b.map(|_| TILE_TEMPLATE),
        min_zoom: b.map(|b| b.min_zoom),
        max_zoom: b.map(|b| b.max_zoom),
        offline_zooms: [*state.offline_zooms.start(), *state.offline_zooms.end()],
        attribution: b.and_then(|b| b.attribution.clone()),
    })
}
