//! Balade's HTTP server: HTTP only. Handlers parse the request, call the application's
//! use cases ([`balade_app`]) and write the answer; the PWA's files are served beside.
//!
//! - [`app`] builds the router from a state: pure, tested in-process.
//! - [`serve`] binds, loads the catalogue, keeps it fresh and serves until Ctrl-C.
#![forbid(unsafe_code)]

pub mod error;
pub mod headers;
pub mod lang;
pub mod limits;
pub mod listener;
pub mod push;
pub mod query;
pub mod routes;
pub mod session;
pub mod state;
pub mod web_app;

use crate::limits::Limits;
use crate::state::{AppState, JobsConfig};
use crate::web_app::WebApp;
use axum::Router;
use axum::http::{Method, header};
use axum::middleware;
use balade_app::basemap::{Basemap, TileError};
use balade_app::{App, AppError, Settings};
use balade_core::store::Store;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

/// The whole application: API routes, then the web app's files for every other path;
/// security headers on every answer, requests bounded in number and in time.
pub fn app(state: AppState, web_app: WebApp) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::HEAD]);
    let guard = headers::InFlight::new(&state.limits);
    let api = routes::router(&state)
        .layer(cors)
        // API answers change with the data: always revalidate.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-cache"),
        ));
    let mut router = api.with_state(state);
    if let Some(files) = web_app.router() {
        router = router.fallback_service(files);
    }
    router
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn(headers::security))
        .layer(middleware::from_fn_with_state(guard, headers::in_flight))
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub addr: SocketAddr,
    /// Where the web app's files come from.
    pub web_app: WebApp,
    /// A `.pmtiles` or `.mbtiles` file, or an upstream `http(s)://…/{z}/{x}/{y}` template.
    pub basemap: Option<String>,
    /// The basemap is a file made for this run only (the demo's): removed once open,
    /// so that no run, however it ends, leaves it behind. The server keeps it mapped.
    pub basemap_is_scratch: bool,
    /// The credit the map must show for the basemap.
    pub basemap_attribution: Option<String>,
    /// Where tiles fetched from an upstream server are kept.
    pub tile_cache: PathBuf,
    /// The most the upstream tile cache may hold on disk.
    pub tile_cache_bytes: u64,
    /// Corridors and offline zooms.
    pub settings: Settings,
    /// Timeouts, connection and request caps, rate limits.
    pub limits: Limits,
    /// Requests come through a reverse proxy: clients are told by `X-Forwarded-For` and
    /// the scheme by `X-Forwarded-Proto`.
    pub behind_proxy: bool,
    /// Where uploaded import files are kept, and the largest upload taken.
    pub jobs: JobsConfig,
    /// Days contributors' e-mail addresses are kept.
    pub retention_days: u32,
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
    // The decoy hash of unknown e-mails, made before the first login asks for it.
    tokio::task::spawn_blocking(balade_app::staff::warm_up);
    let refresher = app.catalog.spawn_refresher(store.clone());
    let purger = spawn_purger(store, config.retention_days);
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|source| ServeError::Bind {
            addr: config.addr,
            source,
        })?;
    let addr = listener.local_addr()?;
    if !config.web_app.is_present() {
        tracing::warn!(web_app = ?config.web_app, "no web app to serve: only the API answers");
    }
    match &config.basemap {
        Some(spec) => {
            let mut basemap =
                Basemap::open(spec, &config.tile_cache, config.tile_cache_bytes).await?;
            if config.basemap_is_scratch {
                let _ = std::fs::remove_file(spec);
            }
            if let Some(credit) = &config.basemap_attribution {
                basemap.attribution = Some(credit.clone());
            }
            tracing::info!(basemap = %basemap.description, min_zoom = basemap.min_zoom, max_zoom = basemap.max_zoom, "basemap ready");
            app.basemap = Some(Arc::new(basemap));
        }
        None => tracing::info!("no basemap configured: maps show traces on a plain background"),
    }
    let mut state = AppState::new(Arc::new(app));
    state.limits = config.limits;
    state.behind_proxy = config.behind_proxy;
    state.jobs = config.jobs.clone();
    let router = self::app(state, config.web_app);
    println!("listening on http://{addr}");
    listener::serve(listener, router, config.limits, shutdown_signal()).await;
    refresher.abort();
    purger.abort();
    Ok(())
}

/// Erases contributors' e-mail addresses past the retention period, at start and then
/// every hour.
fn spawn_purger(store: Arc<dyn Store>, days: u32) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3_600));
        loop {
            tick.tick().await;
            match balade_app::contributions::purge(store.as_ref(), days).await {
                Ok((0, 0)) => {}
                Ok((emails, keys)) => {
                    tracing::info!(emails, keys, days, "retention purge");
                }
                Err(e) => tracing::warn!(error = %e, "retention purge failed"),
            }
        }
    })
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
