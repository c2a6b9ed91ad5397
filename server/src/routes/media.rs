//! Media of circuits and POIs: how sheets describe them, and the photo derivatives
//! themselves. Derivatives are content-addressed (the id hashes the original photo), so
//! a URL's bytes never change: they are served as immutable, with an ETag.

use crate::error::{ApiError, ApiResult};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use balade_core::store::Store;
use balade_core::{Media, MediaKind};
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;

/// The derivative put in offline packages and shown on phones.
pub const PHONE_WIDTH: u32 = 800;

/// One derivative of a photo.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MediaSize {
    pub width: u32,
    pub url: String,
    pub bytes: u64,
}

/// A photo, video or audio item with its credits.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MediaItem {
    pub id: String,
    /// `photo`, `video` or `audio`.
    pub kind: &'static str,
    /// A photo's phone-size derivative (the one offline packages carry), or the link of
    /// a video or an audio file.
    pub url: String,
    pub title: Option<String>,
    pub author: Option<String>,
    pub license: Option<String>,
    /// What the photo shows, for screen readers.
    pub alt: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Every derivative of a photo, narrowest first (for `srcset`).
    pub sizes: Vec<MediaSize>,
}

pub fn file_url(id: &str, width: u32) -> String {
    format!("/media/{id}/{width}.jpg")
}

/// The derivative for phones: the widest not over [`PHONE_WIDTH`], else the narrowest.
pub fn phone_file(m: &Media) -> Option<(u32, u64)> {
    m.files
        .iter()
        .copied()
        .filter(|(w, _)| *w <= PHONE_WIDTH)
        .max_by_key(|(w, _)| *w)
        .or_else(|| m.files.iter().copied().min_by_key(|(w, _)| *w))
}

pub fn item(m: &Media) -> MediaItem {
    let mut sizes: Vec<MediaSize> = m
        .files
        .iter()
        .map(|&(width, bytes)| MediaSize {
            width,
            url: file_url(&m.id, width),
            bytes,
        })
        .collect();
    sizes.sort_by_key(|s| s.width);
    let url = match m.kind {
        MediaKind::Photo => phone_file(m)
            .map(|(w, _)| file_url(&m.id, w))
            .unwrap_or_default(),
        _ => m.url.clone().unwrap_or_default(),
    };
    MediaItem {
        id: m.id.clone(),
        kind: m.kind.as_str(),
        url,
        title: m.title.clone(),
        author: m.author.clone(),
        license: m.license.clone(),
        alt: m.alt.clone(),
        width: m.width,
        height: m.height,
        sizes,
    }
}

/// A photo derivative: `/media/{id}/{width}.jpg`.
pub async fn file(
    State(store): State<Arc<dyn Store>>,
    Path((id, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let not_found = || ApiError::NotFound(format!("no media file `{id}/{name}`"));
    let width: u32 = name
        .strip_suffix(".jpg")
        .and_then(|w| w.parse().ok())
        .ok_or_else(not_found)?;
    if id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(not_found());
    }
    let etag = format!("\"{id}-{width}\"");
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let cache = HeaderValue::from_static("public, max-age=31536000, immutable");
    let etag_value = HeaderValue::from_str(&etag).map_err(|e| ApiError::Encode(e.to_string()))?;
    if matches {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag_value), (header::CACHE_CONTROL, cache)],
        )
            .into_response());
    }
    let bytes = store.media_file(&id, width).await?.ok_or_else(not_found)?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg")),
            (header::ETAG, etag_value),
            (header::CACHE_CONTROL, cache),
        ],
        bytes,
    )
        .into_response())
}
