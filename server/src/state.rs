//! The application state handed to every handler.

use crate::catalog::SharedCatalog;
use crate::corridor::Corridors;
use crate::routes::circuits::SheetCache;
use crate::routes::offline::{CACHED_PACKAGES, PackageCache};
use crate::routes::push::PushSlots;
use crate::tiles::Basemap;
use axum::extract::FromRef;
use balade_core::store::Store;
use std::ops::RangeInclusive;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub catalog: SharedCatalog,
    pub packages: PackageCache,
    /// Sheets already rendered, by circuit and language.
    pub sheets: SheetCache,
    pub push: PushSlots,
    /// The basemap, when one is configured.
    pub basemap: Option<Arc<Basemap>>,
    /// Zooms of the tiles listed in offline packages.
    pub offline_zooms: RangeInclusive<u8>,
    /// How far from the trace each kind of POI counts as along a circuit.
    pub corridors: Corridors,
}

/// Sheets kept rendered: the most viewed circuits of a territory (up to 550 KB each for
/// a long circuit rich in species, a few KB for most).
pub const CACHED_SHEETS: usize = 512;

/// Walking zooms: from the valley (12) to the path (16).
pub const DEFAULT_OFFLINE_ZOOMS: RangeInclusive<u8> = 12..=16;

impl AppState {
    pub fn new(store: Arc<dyn Store>, catalog: SharedCatalog) -> Self {
        Self {
            store,
            catalog,
            packages: PackageCache::new(CACHED_PACKAGES),
            sheets: SheetCache::new(CACHED_SHEETS),
            push: PushSlots::default(),
            basemap: None,
            offline_zooms: DEFAULT_OFFLINE_ZOOMS,
            corridors: Corridors::default(),
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
