//! The web app's files: built into the binary (`pwa/dist` at compile time, see
//! `build.rs`), or read from a folder given at start (`--pwa-dir`, for development).
//!
//! Built assets carry a content hash in their name and never change: they are served as
//! immutable. Everything else (the page, the service worker, the manifest) must be
//! revalidated so that an update shows.
//!
//! Two pages: the walkers' app (`index.html`, at `/`, routed by the URL's fragment) and the
//! back-office (`admin.html`), answered at `/admin` and at every path under it.

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
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
                    .layer(middleware::map_response(cache_control))
                    .layer(middleware::map_request(to_admin_page)),
            ),
            WebApp::None => None,
        }
    }
}

/// The back-office's page, answered at `/admin` and under it.
const ADMIN_PAGE: &str = "admin.html";

/// The file a path names: `/` is `index.html`, `/admin` and `/admin/…` the back-office's
/// page, any other path the file of that name.
fn file_of(path: &str) -> &str {
    match path.trim_start_matches('/') {
        "" => "index.html",
        "admin" => ADMIN_PAGE,
        other if other.starts_with("admin/") => ADMIN_PAGE,
        other => other,
    }
}

/// A request for the back-office, rewritten to its page for the folder's file server.
async fn to_admin_page(mut request: Request) -> Request {
    if file_of(request.uri().path()) == ADMIN_PAGE {
        *request.uri_mut() = Uri::from_static("/admin.html");
    }
    request
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

/// A file of the built web app (see [`file_of`]).
async fn embedded(uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path();
    let name = file_of(path);
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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::to_bytes;
    use tower::ServiceExt;

    #[test]
    fn paths_name_their_files() {
        assert_eq!(file_of("/"), "index.html");
        assert_eq!(file_of("/index.html"), "index.html");
        assert_eq!(file_of("/admin"), ADMIN_PAGE);
        assert_eq!(file_of("/admin/"), ADMIN_PAGE);
        assert_eq!(file_of("/admin/imports/12"), ADMIN_PAGE);
        assert_eq!(file_of("/admin.html"), ADMIN_PAGE);
        assert_eq!(file_of("/administration"), "administration");
        assert_eq!(file_of("/assets/admin-1a2b.js"), "assets/admin-1a2b.js");
    }

    async fn get(app: &Router, path: &str) -> (StatusCode, Option<HeaderValue>, String) {
        let response = app
            .clone()
            .oneshot(
                axum::http::Request::builder()
                    .uri(path)
                    .body(Body::empty())
                    .expect("request"),
            )
            .await
            .expect("answer");
        let status = response.status();
        let cache = response.headers().get(header::CACHE_CONTROL).cloned();
        let body = to_bytes(response.into_body(), 1 << 20).await.expect("body");
        (status, cache, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn a_folder_answers_the_back_office_under_admin() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("index.html"), "walkers").expect("write");
        std::fs::write(dir.path().join(ADMIN_PAGE), "back-office").expect("write");
        std::fs::create_dir(dir.path().join("assets")).expect("mkdir");
        std::fs::write(dir.path().join("assets/admin-1a2b.js"), "code").expect("write");
        let app = WebApp::Folder(dir.path().to_owned())
            .router()
            .expect("a router");

        assert_eq!(get(&app, "/").await.2, "walkers");
        for path in ["/admin", "/admin/", "/admin/imports/12?status=rejected"] {
            let (status, cache, body) = get(&app, path).await;
            assert_eq!(
                (status, body.as_str()),
                (StatusCode::OK, "back-office"),
                "{path}"
            );
            assert_eq!(cache, Some(HeaderValue::from_static("no-cache")), "{path}");
        }
        let (status, cache, body) = get(&app, "/assets/admin-1a2b.js").await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "code"));
        assert_eq!(cache, Some(cache_value("/assets/")));
        assert_eq!(get(&app, "/administration").await.0, StatusCode::NOT_FOUND);
    }
}
