//! The application state handed to every handler.

use crate::catalog::SharedCatalog;
use axum::extract::FromRef;
use balade_core::store::Store;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub catalog: SharedCatalog,
}

impl FromRef<AppState> for Arc<dyn Store> {
    fn from_ref(state: &AppState) -> Self {
        state.store.clone()
    }
}

impl FromRef<AppState> for SharedCatalog {
    fn from_ref(state: &AppState) -> Self {
        state.catalog.clone()
    }
}
