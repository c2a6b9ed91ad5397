//! The web app's files: built into the binary (`pwa/dist` at compile time, see
//! `build.rs`), or read from a folder given at start (`--pwa-dir`, for development).
//!
//! Built assets carry a content hash in their name and never change: they are served as
//! immutable. Everything else (the page, the service worker, the manifest) must be
//! revalidated so that an update shows.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use std::path::PathBuf;
use tower_http::services::ServeDir;

#[derive(rust_embed::Embed)]
#[folder = "../pwa/dist"]
#[allow_missing = true]
struct Built;

/// Where the web app's files come from.
#[derive(Debug, Clone)]
pub enum WebApp {
    /// The files built into the binary.
    Embedded,
    /// A folder on disk.
    Folder(PathBuf),
    /// None: the API only.
    None,
}

impl WebApp {
    /// Whether the web app is really there (a binary built without `pwa/dist` has none).
    pub fn is_present(&self) -> bool {
        match self {
            WebApp::Embedded => Built::get("index.html").is_some(),
            WebApp::Folder(dir) => dir.join("index.html").is_file(),
            WebApp::None => false,
        }
    }

    /// The router serving the files, for every path the API does not answer.
    pub fn router(&self) -> Option<Router> {
        match self {
            WebApp::Embedded => Some(Router::new().fallback(embedded)),
            WebApp::Folder(dir) => Some(
                Router::new()
                    .fallback_service(ServeDir::new(dir))
                    .layer(middleware::map_response(cache_control)),
            ),
            WebApp::None => None,
        }
    }
}

fn cache_value(path: &str) -> HeaderValue {
    if path.starts_with("/assets/") {
        HeaderValue::from_static("public, max-age=31536000, immutable")
    } else {
        HeaderValue::from_static("no-cache")
    }
}

async fn cache_control(uri: Uri, mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, cache_value(uri.path()));
    response
}

/// A file of the built web app, `/` being `index.html`.
async fn embedded(uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path();
    let name = match path.trim_start_matches('/') {
        "" => "index.html",
        other => other,
    };
    let Some(file) = Built::get(name) else {
        if name == "index.html" {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "This Balade server was built without its web app: build it (`make pwa`) \
                 before building the server, or start it with --pwa-dir. The API answers under /api/v1.\n",
            )
                .into_response();
        }
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    };
    let etag = format!(
        "\"{}\"",
        file.metadata
            .sha256_hash()
            .iter()
            .take(12)
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = Response::new(Body::from(file.data.into_owned()));
        if let Ok(kind) = HeaderValue::from_str(file.metadata.mimetype()) {
            r.headers_mut().insert(header::CONTENT_TYPE, kind);
        }
        r
    };
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, cache_value(path));
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, etag);
    }
    response
}
