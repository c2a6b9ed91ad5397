//! Balade's use cases, with no HTTP in sight: what the server's handlers, the command
//! line and the back-office call. Each takes checked values and gives domain answers or
//! the JSON representations clients receive (the offline package must hold exactly what
//! each endpoint answers, so representations are built here, once).
//!
//! - [`App`]: the services of one installation (store, catalogue, caches, settings).
//! - [`catalog`]: what is answered from memory, refreshed when the store moves.
//! - [`search`]: the circuit list with its filters and facets.
//! - [`along`]: the one definition of "the POIs along a circuit".
//! - [`sheet`]: a circuit's sheet; [`guide`]: guidance input and push sessions;
//!   [`package`]: offline packages.
//! - [`lookup`]: answers read straight from the catalogue or the store.
//! - [`views`]: the JSON shapes of POIs, media, landscapes and species.
//! - [`export`], [`formats`], [`schema_randonnee`]: files for download and open data.
//! - [`staff`]: staff accounts, logins and sessions; [`curation`]: their edits of
//!   circuits and POIs, audited and kept over imports; [`jobs`]: import jobs, planned
//!   then committed.
//! - [`contributions`]: walkers' reviews, reports and corrections; [`moderation`]:
//!   the staff's queue and decisions.
//! - [`basemap`]: tiles from an archive or an upstream server.
#![forbid(unsafe_code)]

pub mod along;
pub mod basemap;
pub mod cache;
pub mod catalog;
pub mod contributions;
pub mod curation;
pub mod export;
pub mod formats;
pub mod guide;
pub mod jobs;
pub mod lang;
pub mod list_index;
pub mod lookup;
pub mod moderation;
pub mod notify;
pub mod package;
pub mod schema_randonnee;
pub mod search;
pub mod sheet;
pub mod staff;
pub mod views;
pub mod word_index;

use crate::basemap::Basemap;
use crate::cache::Revisions;
use crate::catalog::{Catalog, SharedCatalog};
use balade_core::corridor::Corridors;
use balade_core::store::{SqlxError, Store, StoreError};
use balade_core::{Circuit, CircuitId};
use std::ops::RangeInclusive;
use std::sync::Arc;

/// Why a use case gives no answer. Messages of `Invalid` and `NotFound` are for the
/// person who asked; the others are logged and answered with a generic text.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request itself is wrong (a malformed id, a value out of range).
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    /// The staff member's role or territory does not allow it.
    #[error("{0}")]
    Forbidden(String),
    /// The record is not in a state that allows it (a job already committed).
    #[error("{0}")]
    Conflict(String),
    /// The database, or a basemap server, cannot be reached: try again later.
    #[error("a service this answer needs is unavailable")]
    Unavailable,
    #[error("internal error")]
    Store(#[source] StoreError),
    /// An answer that could not be written (never expected: a bug if seen).
    #[error("internal error")]
    Encode(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(_) => AppError::Unavailable,
            StoreError::Database(e) if is_connection_error(&e) => AppError::Unavailable,
            other => AppError::Store(other),
        }
    }
}

fn is_connection_error(e: &SqlxError) -> bool {
    matches!(
        e,
        SqlxError::PoolTimedOut | SqlxError::PoolClosed | SqlxError::Io(_) | SqlxError::Tls(_)
    )
}

pub type AppResult<T> = Result<T, AppError>;

/// Unix seconds now (0 on a clock before 1970).
pub(crate) fn now_s() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// `N` random bytes from the operating system, in hex: ids and secret tokens.
pub(crate) fn random_hex<const N: usize>() -> AppResult<String> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Encode(format!("no randomness: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// JSON of a value, as an [`AppError::Encode`] on failure.
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> AppResult<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| AppError::Encode(e.to_string()))
}

/// Settings of an installation that shape the answers.
#[derive(Debug, Clone)]
pub struct Settings {
    /// How far from the trace each kind of POI counts as along a circuit.
    pub corridors: Corridors,
    /// Zooms of the basemap tiles put in offline packages.
    pub offline_zooms: RangeInclusive<u8>,
    /// The licence of the open data this installation publishes.
    pub licence: export::Licence,
    /// The command that sends e-mail (the message on its standard input, like
    /// `sendmail -t`): walkers are told when their report is handled.
    pub mail_command: Option<String>,
}

/// Walking zooms: from the valley (12) to the path (16).
pub const DEFAULT_OFFLINE_ZOOMS: RangeInclusive<u8> = 12..=16;

impl Default for Settings {
    fn default() -> Self {
        Self {
            corridors: Corridors::default(),
            offline_zooms: DEFAULT_OFFLINE_ZOOMS,
            licence: export::Licence::default(),
            mail_command: None,
        }
    }
}

/// The services of one installation: every use case is a method of it or takes it.
#[derive(Debug)]
pub struct App {
    pub store: Arc<dyn Store>,
    pub catalog: SharedCatalog,
    pub settings: Settings,
    /// The basemap, when one is configured.
    pub basemap: Option<Arc<Basemap>>,
    pub(crate) sheets: sheet::SheetCache,
    pub(crate) packages: package::PackageCache,
    /// The store's revision when last read for an unknown id, and when.
    last_revision: std::sync::Mutex<Option<(std::time::Instant, i64)>>,
}

/// How long a read of the store's revision answers for unknown ids.
pub const REVISION_REUSE: std::time::Duration = std::time::Duration::from_millis(250);

impl App {
    /// An installation over `store`, its catalogue loaded.
    pub async fn load(store: Arc<dyn Store>, settings: Settings) -> AppResult<Self> {
        let catalog = SharedCatalog::new(Catalog::load(store.as_ref()).await?);
        Ok(Self::new(store, catalog, settings))
    }

    pub fn new(store: Arc<dyn Store>, catalog: SharedCatalog, settings: Settings) -> Self {
        Self {
            store,
            catalog,
            settings,
            basemap: None,
            sheets: sheet::SheetCache::new(sheet::CACHED_SHEETS),
            packages: package::PackageCache::new(package::CACHED_PACKAGES),
            last_revision: std::sync::Mutex::default(),
        }
    }

    /// The catalogue at least as recent as the store's revision now, and both
    /// revisions: what a cached answer must match. A write is seen by the next answer,
    /// not after the next refresh.
    pub async fn fresh(&self) -> AppResult<(Arc<Catalog>, Revisions)> {
        let store = self.store.revision().await?;
        let catalog = self.catalog.at_least(self.store.as_ref(), store).await?;
        let revisions = Revisions {
            store,
            catalog: catalog.revision,
        };
        Ok((catalog, revisions))
    }

    /// [`App::fresh`] for an answer about circuit `id`: a malformed id, or one no
    /// published circuit has, is refused without reading the store (see [`App::known`]).
    pub async fn fresh_for(&self, id: &str) -> AppResult<(Arc<Catalog>, Revisions)> {
        self.known(id).await?;
        self.fresh().await
    }

    /// The id of a published circuit, checked against the catalogue. An id it does not
    /// know costs a read of the store's revision at most every [`REVISION_REUSE`] (a
    /// circuit imported a moment ago is found after one reload), never a circuit query.
    pub async fn known(&self, id: &str) -> AppResult<CircuitId> {
        let id = parse_id::<CircuitId>(id)?;
        if self.catalog.current().has_circuit(&id) {
            return Ok(id);
        }
        let revision = self.recent_revision().await?;
        if self
            .catalog
            .at_least(self.store.as_ref(), revision)
            .await?
            .has_circuit(&id)
        {
            return Ok(id);
        }
        Err(AppError::NotFound(format!("no circuit `{id}`")))
    }

    /// The store's revision, read at most every [`REVISION_REUSE`].
    async fn recent_revision(&self) -> AppResult<i64> {
        let now = std::time::Instant::now();
        if let Some((at, revision)) = *self.last_revision.lock().unwrap_or_else(|p| p.into_inner())
            && now.duration_since(at) < REVISION_REUSE
        {
            return Ok(revision);
        }
        let revision = self.store.revision().await?;
        *self.last_revision.lock().unwrap_or_else(|p| p.into_inner()) = Some((now, revision));
        Ok(revision)
    }

    /// A published circuit; a malformed or unknown id is refused before the store is
    /// asked.
    pub async fn circuit(&self, id: &str) -> AppResult<Circuit> {
        let id = self.known(id).await?;
        match self.store.circuit(&id).await? {
            Some(c) if c.published => Ok(c),
            _ => Err(AppError::NotFound(format!("no circuit `{id}`"))),
        }
    }

    /// Forgets every answer built (benchmarks measure the building).
    pub fn forget_answers(&self) {
        self.sheets.clear();
        self.packages.clear();
    }
}

/// An id checked: a malformed one is [`AppError::Invalid`].
pub fn parse_id<T: std::str::FromStr>(raw: &str) -> AppResult<T>
where
    T::Err: std::fmt::Display,
{
    raw.parse().map_err(|e| AppError::Invalid(format!("{e}")))
}
