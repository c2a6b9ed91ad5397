//! The application state handed to every handler: the installation's use cases and the
//! transport's own limits. Nothing here knows a route.

use crate::push::PushSlots;
use axum::extract::FromRef;
use balade_app::App;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct AppState {
    pub app: Arc<App>,
    /// Push sessions running on this server.
    pub push: PushSlots,
}

impl AppState {
    pub fn new(app: Arc<App>) -> Self {
        Self {
            app,
            push: PushSlots::default(),
        }
    }
}

impl FromRef<AppState> for Arc<App> {
    fn from_ref(state: &AppState) -> Self {
        state.app.clone()
    }
}
