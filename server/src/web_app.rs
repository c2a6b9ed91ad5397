//! The web app's files: built into the binary (`pwa/dist` at compile time, see
//! `build.rs`), or read from a folder given at start (`--pwa-dir`, for development).
//!
//! Built assets carry a content hash in their name and never change: they are served as
//! immutable. Everything else (the page, the service worker, the manifest) must be
//! revalidated so that an update shows.
//!
//! The embeddable widget is a file too: `/widget/v1/balade-circuits.js` never changes
//! (immutable), `/widget/latest/balade-circuits.js` is the same file always revalidated.
//! Host pages load it cross-origin as a module script: widget files allow every origin.
//!
//! Two pages: the walkers' app (`index.html`, at `/`, routed by the URL's fragment) and the
//! back-office (`admin.html`), answered at `/admin` and at every path under it. The
//! widget as a page for other sites' iframes (`embed.html`) is answered at `/embed`, the
//! open-data catalogue (`donnees.html`) at `/donnees` and `/data`.

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
                    // Inside `cache_control`, which must see the path asked, not the file.
                    .layer(middleware::map_request(to_widget_file))
                    .layer(middleware::map_response(cache_control))
                    .layer(middleware::map_request(to_admin_page)),
            ),
            WebApp::None => None,
        }
    }
}

/// The back-office's page, answered at `/admin` and under it.
const ADMIN_PAGE: &str = "admin.html";

/// The widget as a page for an iframe, answered at `/embed`.
const EMBED_PAGE: &str = "embed.html";

/// The open-data catalogue, answered at `/donnees` and `/data`.
const DATA_PAGE: &str = "donnees.html";

/// The widget's versioned file, and the alias that always names the newest.
const WIDGET_FILE: &str = "widget/v1/balade-circuits.js";
const WIDGET_LATEST: &str = "widget/latest/balade-circuits.js";

/// The file a path names: `/` is `index.html`, `/admin` and `/admin/…` the back-office's
/// page, the widget's `latest` alias its versioned file, any other path the file of that
/// name.
fn file_of(path: &str) -> &str {
    match path.trim_start_matches('/') {
        "" => "index.html",
        "admin" => ADMIN_PAGE,
        "embed" => EMBED_PAGE,
        "donnees" | "data" => DATA_PAGE,
        WIDGET_LATEST => WIDGET_FILE,
        other if other.starts_with("admin/") => ADMIN_PAGE,
        other => other,
    }
}

/// A request for the back-office, the embeddable page or the open-data page, rewritten to
/// its page for the folder's file server.
async fn to_admin_page(mut request: Request) -> Request {
    match file_of(request.uri().path()) {
        ADMIN_PAGE => *request.uri_mut() = Uri::from_static("/admin.html"),
        EMBED_PAGE => *request.uri_mut() = Uri::from_static("/embed.html"),
        DATA_PAGE => *request.uri_mut() = Uri::from_static("/donnees.html"),
        _ => {}
    }
    request
}

/// The widget's `latest` alias, rewritten to its file for the folder's file server.
async fn to_widget_file(mut request: Request) -> Request {
    if request.uri().path().trim_start_matches('/') == WIDGET_LATEST {
        *request.uri_mut() = Uri::from_static("/widget/v1/balade-circuits.js");
    }
    request
}

fn cache_value(path: &str) -> HeaderValue {
    if path.starts_with("/assets/") || path.starts_with("/widget/v1/") {
        HeaderValue::from_static("public, max-age=31536000, immutable")
    } else {
        HeaderValue::from_static("no-cache")
    }
}

/// Widget files are read by other sites' pages (module scripts are fetched with CORS).
fn is_widget(path: &str) -> bool {
    path.starts_with("/widget/")
}

async fn cache_control(uri: Uri, mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, cache_value(uri.path()));
    if is_widget(uri.path()) {
        h.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
    }
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
    if is_widget(path) {
        h.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
    }
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
        assert_eq!(file_of("/embed"), EMBED_PAGE);
        assert_eq!(file_of("/donnees"), DATA_PAGE);
        assert_eq!(file_of("/data"), DATA_PAGE);
        assert_eq!(file_of("/donnees.html"), DATA_PAGE);
        assert_eq!(file_of("/data/x"), "data/x");
        assert_eq!(file_of("/assets/admin-1a2b.js"), "assets/admin-1a2b.js");
        assert_eq!(file_of("/widget/latest/balade-circuits.js"), WIDGET_FILE);
        assert_eq!(file_of("/widget/v1/balade-circuits.js"), WIDGET_FILE);
    }

    #[test]
    fn the_widget_is_immutable_under_its_version_and_revalidated_as_latest() {
        let immutable = HeaderValue::from_static("public, max-age=31536000, immutable");
        assert_eq!(cache_value("/widget/v1/balade-circuits.js"), immutable);
        assert_eq!(cache_value("/assets/index-1a2b.js"), immutable);
        for path in ["/widget/latest/balade-circuits.js", "/index.html", "/sw.js"] {
            assert_eq!(
                cache_value(path),
                HeaderValue::from_static("no-cache"),
                "{path}"
            );
        }
    }

    #[tokio::test]
    async fn a_folder_serves_the_widget_and_its_latest_alias_to_every_origin() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("widget/v1")).expect("mkdir");
        std::fs::write(dir.path().join(WIDGET_FILE), "widget").expect("write");
        let app = WebApp::Folder(dir.path().to_owned())
            .router()
            .expect("a router");
        for (path, cache) in [
            ("/widget/v1/balade-circuits.js", cache_value("/assets/")),
            (
                "/widget/latest/balade-circuits.js",
                HeaderValue::from_static("no-cache"),
            ),
        ] {
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
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            let h = response.headers();
            assert_eq!(h.get(header::CACHE_CONTROL), Some(&cache), "{path}");
            assert_eq!(
                h.get(header::ACCESS_CONTROL_ALLOW_ORIGIN),
                Some(&HeaderValue::from_static("*")),
                "{path}"
            );
            let body = to_bytes(response.into_body(), 1 << 20).await.expect("body");
            assert_eq!(&body[..], b"widget", "{path}");
        }
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

    #[tokio::test]
    async fn a_folder_answers_the_open_data_page_at_donnees_and_data() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("index.html"), "walkers").expect("write");
        std::fs::write(dir.path().join(DATA_PAGE), "open data").expect("write");
        let app = WebApp::Folder(dir.path().to_owned())
            .router()
            .expect("a router");
        for path in ["/donnees", "/data", "/donnees.html", "/data?lang=en"] {
            let (status, cache, body) = get(&app, path).await;
            assert_eq!(
                (status, body.as_str()),
                (StatusCode::OK, "open data"),
                "{path}"
            );
            assert_eq!(cache, Some(HeaderValue::from_static("no-cache")), "{path}");
        }
        assert_eq!(get(&app, "/donnees/x").await.0, StatusCode::NOT_FOUND);
    }
}
