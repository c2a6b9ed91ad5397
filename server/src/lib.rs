//! Balade's HTTP server: HTTP only. Handlers parse the request, call the application's
//! use cases ([`balade_app`]) and write the answer; the PWA's files are served beside.
//!
//! - [`app`] builds the router from a state: pure, tested in-process.
//! - [`serve`] binds, loads the catalogue, keeps it fresh and serves until Ctrl-C.
#![forbid(unsafe_code)]

pub mod error;
pub mod lang;
pub mod push;
pub mod query;
pub mod routes;
pub mod state;

use crate::state::AppState;
use axum::Router;
use axum::http::{Method, Uri, header};
use axum::middleware;
use axum::response::Response;
use balade_app::basemap::{Basemap, TileError};
use balade_app::{App, AppError, Settings};
use balade_core::store::Store;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// The whole application: API routes, then the PWA's files for every other path.
pub fn app(state: AppState, pwa_dir: Option<PathBuf>) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::HEAD]);
    let api = routes::router()
        .layer(cors)
        // API answers change with the data: always revalidate.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-cache"),
        ));
    let mut router = api.with_state(state);
    if let Some(dir) = pwa_dir {
        let files = Router::new()
            .fallback_service(ServeDir::new(dir))
            .layer(middleware::map_response(static_cache));
        router = router.fallback_service(files);
    }
    router.layer(CompressionLayer::new())
}

/// Built assets carry a content hash in their name and never change; everything else
/// (the page, the service worker, the manifest) must be revalidated so an update shows.
async fn static_cache(uri: Uri, mut response: Response) -> Response {
    let value = if uri.path().starts_with("/assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static(value),
    );
    response
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub addr: SocketAddr,
    /// The built PWA (`pwa/dist`); `None` serves the API only.
    pub pwa_dir: Option<PathBuf>,
    /// A `.pmtiles` or `.mbtiles` file, or an upstream `http(s)://…/{z}/{x}/{y}` template.
    pub basemap: Option<String>,
    /// The credit the map must show for the basemap.
    pub basemap_attribution: Option<String>,
    /// Where tiles fetched from an upstream server are kept.
    pub tile_cache: PathBuf,
    /// Corridors and offline zooms.
    pub settings: Settings,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot load the catalogue: {0}")]
    Load(#[from] AppError),
    #[error(transparent)]
    Basemap(#[from] TileError),
    #[error("server failed: {0}")]
    Io(#[from] std::io::Error),
}

/// Serves until Ctrl-C or SIGTERM. Prints `listening on http://ADDR` once ready, with
/// the real port when the given one is 0.
pub async fn serve(store: Arc<dyn Store>, config: ServerConfig) -> Result<(), ServeError> {
    let mut app = App::load(store.clone(), config.settings).await?;
    let refresher = app.catalog.spawn_refresher(store);
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|source| ServeError::Bind {
            addr: config.addr,
            source,
        })?;
    let addr = listener.local_addr()?;
    if let Some(dir) = config
        .pwa_dir
        .as_ref()
        .filter(|d| !d.join("index.html").is_file())
    {
        tracing::warn!(dir = %dir.display(), "the PWA is not built there: only the API is served");
    }
    match &config.basemap {
        Some(spec) => {
            let mut basemap = Basemap::open(spec, &config.tile_cache).await?;
            basemap.attribution = config.basemap_attribution.clone();
            tracing::info!(basemap = %basemap.description, min_zoom = basemap.min_zoom, max_zoom = basemap.max_zoom, "basemap ready");
            app.basemap = Some(Arc::new(basemap));
        }
        None => tracing::info!("no basemap configured: maps show traces on a plain background"),
    }
    let router = self::app(AppState::new(Arc::new(app)), config.pwa_dir);
    println!("listening on http://{addr}");
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    refresher.abort();
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
