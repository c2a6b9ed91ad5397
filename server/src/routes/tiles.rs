//! Basemap tiles at `/tiles/{z}/{x}/{y}` (same origin, so packages can list them), and
//! what the web app needs to know to draw them.

use super::{Binary, Path};
use crate::error::{ApiError, ApiResult, BadRequest, NotFound, TooManyRequests};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use balade_app::App;
use balade_app::basemap::MAX_ZOOM;
use balade_app::lookup::BasemapInfo;
use std::sync::Arc;

fn coordinate<T: std::str::FromStr>(name: &str, text: &str) -> ApiResult<T> {
    text.parse()
        .map_err(|_| ApiError::BadRequest(format!("tile `{name}`: `{text}` is not a whole number")))
}

/// One tile of the configured basemap; `404` when no basemap is configured or it has no
/// tile there.
#[utoipa::path(get, path = "/tiles/{z}/{x}/{y}", tag = "tiles", operation_id = "tile",
    params(("z" = u8, Path, description = "Zoom", maximum = 22, example = 0),
           ("x" = u32, Path, description = "Column, below 2^z", example = 0),
           ("y" = String, Path, description = "Row, below 2^z, with an optional extension", example = "0.png")),
    responses((status = 200, description = "The tile, as the basemap holds it",
                  headers(("ETag" = String), ("Cache-Control" = String)),
                  content((inline(Binary) = "image/png"), (inline(Binary) = "image/jpeg"), (inline(Binary) = "image/webp"),
                          (inline(Binary) = "application/vnd.mapbox-vector-tile"),
                          (inline(Binary) = "application/octet-stream"))),
              (status = 400, response = BadRequest),
              (status = 404, response = NotFound),
              (status = 429, response = TooManyRequests)))]
pub async fn tile(
    State(app): State<Arc<App>>,
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
    let tile = app.tile(z, x, y).await?;
    let (bytes, media_type) =
        tile.ok_or_else(|| ApiError::NotFound(format!("no tile {z}/{x}/{y}")))?;
    let etag = format!("\"{}\"", balade_core::hash::hex(&bytes));
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(media_type)),
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

#[utoipa::path(get, path = "/api/v1/basemap", tag = "tiles", operation_id = "basemap",
    responses((status = 200, description = "The basemap, or `null`s when none is configured", body = BasemapInfo)))]
pub async fn basemap(State(app): State<Arc<App>>) -> Json<BasemapInfo> {
    Json(app.basemap_info())
}
