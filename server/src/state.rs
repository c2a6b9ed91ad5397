//! The application state handed to every handler.

use crate::catalog::SharedCatalog;
use crate::routes::offline::PackageCache;
use crate::routes::push::PushSlots;
use axum::extract::FromRef;
use balade_core::store::Store;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub catalog: SharedCatalog,
    pub packages: PackageCache,
    pub push: PushSlots,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, catalog: SharedCatalog) -> Self {
        Self {
            store,
            catalog,
            packages: PackageCache::default(),
            push: PushSlots::default(),
        }
    }
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
