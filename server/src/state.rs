//! The application state handed to every handler: the installation's use cases and the
//! transport's own limits. Nothing here knows a route.

use crate::limits::{Expensive, Limits, RateLimiter};
use crate::push::PushSlots;
use crate::routes::contributions::PublicWrites;
use axum::extract::FromRef;
use balade_app::App;
use balade_app::staff::throttle::Throttle;
use std::sync::Arc;
use std::time::SystemTime;

#[derive(Debug, Clone)]
pub struct AppState {
    pub app: Arc<App>,
    /// Push sessions running on this server.
    pub push: PushSlots,
    /// Timeouts, caps and rate limits.
    pub limits: Limits,
    /// Requests come through a reverse proxy that names the client.
    pub behind_proxy: bool,
    /// Failed staff logins, per account and per address.
    pub logins: Arc<Throttle>,
    /// Uploaded import files.
    pub jobs: JobsConfig,
    /// Open-data exports built lately, by ETag.
    pub exports: ExportCache,
    /// Rate limits of walkers' contributions.
    pub public_writes: PublicWrites,
}

/// Open-data exports kept built, by ETag (format, filter, revision), within a budget
/// in bytes: the oldest go first.
#[derive(Debug, Clone, Default)]
pub struct ExportCache {
    kept:
        Arc<std::sync::Mutex<std::collections::VecDeque<(String, axum::body::Bytes, SystemTime)>>>,
}

impl ExportCache {
    /// Bytes kept at most.
    pub const BUDGET: usize = 64 << 20;

    /// The export of `tag`, and when it was built.
    pub fn get(&self, tag: &str) -> Option<(axum::body::Bytes, SystemTime)> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.iter()
            .find(|(t, _, _)| t == tag)
            .map(|(_, b, at)| (b.clone(), *at))
    }

    pub fn put(&self, tag: String, bytes: Vec<u8>) -> (axum::body::Bytes, SystemTime) {
        let bytes = axum::body::Bytes::from(bytes);
        let at = SystemTime::now();
        if bytes.len() > Self::BUDGET {
            return (bytes, at);
        }
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.retain(|(t, _, _)| *t != tag);
        kept.push_back((tag, bytes.clone(), at));
        while kept.iter().map(|(_, b, _)| b.len()).sum::<usize>() > Self::BUDGET {
            kept.pop_front();
        }
        (bytes, at)
    }
}

/// Where uploaded import files are kept, and the largest upload taken.
#[derive(Debug, Clone)]
pub struct JobsConfig {
    pub dir: std::path::PathBuf,
    pub max_upload_bytes: u64,
}

impl Default for JobsConfig {
    fn default() -> Self {
        Self {
            dir: std::env::temp_dir().join("balade-import-jobs"),
            max_upload_bytes: 512 << 20,
        }
    }
}

impl AppState {
    pub fn new(app: Arc<App>) -> Self {
        Self {
            app,
            push: PushSlots::default(),
            limits: Limits::default(),
            behind_proxy: false,
            logins: Arc::default(),
            jobs: JobsConfig::default(),
            exports: ExportCache::default(),
            public_writes: PublicWrites::default(),
        }
    }

    /// The per-client limit of the expensive endpoints.
    pub fn expensive(&self) -> Expensive {
        Expensive {
            limiter: RateLimiter::new(
                self.limits.expensive_per_second,
                self.limits.expensive_burst,
            ),
            behind_proxy: self.behind_proxy,
        }
    }
}

impl FromRef<AppState> for Arc<App> {
    fn from_ref(state: &AppState) -> Self {
        state.app.clone()
    }
}
