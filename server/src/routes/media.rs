//! Photo derivatives, `/media/{id}/{width}.jpg`: content-addressed, so served as
//! immutable with an ETag.

use super::{Binary, IfNoneMatch, Path};
use crate::error::{ApiError, ApiResult, BadRequest, NotFound};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use balade_app::App;
use balade_app::views::media::{file_width, plausible_id};
use std::sync::Arc;

/// One derivative of a photo, `{width}.jpg` (320, 800 or 1600), as JPEG.
#[utoipa::path(get, path = "/media/{id}/{file}", tag = "media", operation_id = "media_file",
    params(("id" = String, Path, description = "Media id (hex of the photo's hash)"),
           ("file" = String, Path, description = "`{width}.jpg`", example = "800.jpg"),
           IfNoneMatch),
    responses((status = 200, description = "The JPEG file, immutable", content_type = "image/jpeg", body = inline(Binary),
                  headers(("ETag" = String), ("Cache-Control" = String))),
              (status = 304, description = "The copy held is this file", headers(("ETag" = String))),
              (status = 400, response = BadRequest), (status = 404, response = NotFound)))]
pub async fn file(
    State(app): State<Arc<App>>,
    Path((id, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let Some(width) = file_width(&name) else {
        return Err(ApiError::NotFound(format!("no media file `{id}/{name}`")));
    };
    let etag = format!("\"{id}-{width}\"");
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let cache = HeaderValue::from_static("public, max-age=31536000, immutable");
    if matches && plausible_id(&id) {
        let etag = HeaderValue::from_str(&etag).map_err(|e| ApiError::Encode(e.to_string()))?;
        return Ok((
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag), (header::CACHE_CONTROL, cache)],
        )
            .into_response());
    }
    let bytes = app.media_file(&id, &name).await?;
    let etag = HeaderValue::from_str(&etag).map_err(|e| ApiError::Encode(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg")),
            (header::ETAG, etag),
            (header::CACHE_CONTROL, cache),
        ],
        bytes,
    )
        .into_response())
}
