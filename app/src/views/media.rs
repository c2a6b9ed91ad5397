//! How answers describe photos, videos and audio items, and where a photo's derivatives
//! are served. Derivatives are content-addressed (the id hashes the original photo), so
//! a URL's bytes never change.

use balade_core::{Media, MediaKind};
use serde::Serialize;
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
    #[schema(required = true)]
    pub title: Option<String>,
    #[schema(required = true)]
    pub author: Option<String>,
    #[schema(required = true)]
    pub license: Option<String>,
    /// What the photo shows, for screen readers.
    #[schema(required = true)]
    pub alt: Option<String>,
    #[schema(required = true)]
    pub width: Option<u32>,
    #[schema(required = true)]
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

/// A media file name as URLs give it (`800.jpg`): its width, when it is one.
pub fn file_width(name: &str) -> Option<u32> {
    name.strip_suffix(".jpg").and_then(|w| w.parse().ok())
}

/// Whether `id` can be a media id (hex of a content hash): anything else is unknown
/// without asking the store.
pub fn plausible_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}
