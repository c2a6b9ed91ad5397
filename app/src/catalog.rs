//! The catalogue: what is answered from memory. Published circuit summaries with their
//! search keys and the spatial index, built from the store at start and brought to each
//! new revision of the store by the records its commits touched (a whole reload when
//! the change log cannot tell): by the refresher in the background, or at once by an
//! answer that needs a revision the catalogue has not reached yet (one for all of them).

use crate::list_index::ListIndex;
use balade_core::contributions::Rating;
use balade_core::index::{CircuitStart, SpatialIndex};
use balade_core::sensitivity::SensitivityList;
use balade_core::store::changes::Changes;
use balade_core::store::{ChangeFeed, Store, StoreResult};
use balade_core::text::fold;
use balade_core::{
    Area, CircuitId, CircuitSummary, Insee, Landscape, LonLat, Poi, PoiId, PoiKind, Sensitivity,
    Trace, areas_crossed,
};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard};
use std::time::Duration;

/// How often a server asks the store whether data changed.
pub const REFRESH_EVERY: Duration = Duration::from_millis(500);

/// The parts a change seldom touches are shared (`Arc`) between a catalogue and the
/// next one that follows a change; the POI index is shared too, and updated in place
/// (readers of an older catalogue see the newer POIs).
#[derive(Debug, Default)]
pub struct Catalog {
    pub revision: i64,
    /// In the list's order (by name, then id); shared, so that following a change
    /// copies pointers, not summaries.
    pub circuits: Arc<Vec<Arc<Indexed>>>,
    /// What the list filters `circuits` by, row for row.
    pub list: Arc<ListIndex>,
    index: Arc<RwLock<SpatialIndex>>,
    /// Landscape units: tens per territory, tested one by one.
    pub landscapes: Arc<Vec<Landscape>>,
    /// Folded names of the communes known, by INSEE code.
    pub commune_names: Arc<HashMap<String, String>>,
    /// `[west, south, east, north]` of every circuit start and POI: the territory.
    pub bounds: Option<[f64; 4]>,
    /// The places of `circuits` in the order of their ids.
    by_id: Arc<Vec<u32>>,
    /// The sensitivity list, applied to every POI that leaves the application.
    pub sensitivity: Arc<SensitivityList>,
    /// Fauna and flora POIs the list withholds a position from: never in the index.
    pub withheld: Arc<HashSet<PoiId>>,
    /// POIs a person unpublished: in no public answer.
    pub unpublished: Arc<HashSet<PoiId>>,
    /// Published reviews' ratings, by circuit id.
    pub ratings: Arc<HashMap<String, Rating>>,
}

impl Catalog {
    /// The spatial index of POIs and circuit starts (hold the guard briefly: a change
    /// being followed waits for it).
    pub fn index(&self) -> RwLockReadGuard<'_, SpatialIndex> {
        self.index.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether `id` is a published circuit.
    pub fn has_circuit(&self, id: &CircuitId) -> bool {
        self.place_of(id).is_some()
    }

    /// The place of published circuit `id` in `circuits`, found in the id order.
    fn place_of(&self, id: &CircuitId) -> Option<usize> {
        let id_at = |at: &u32| &self.circuits[*at as usize].summary.id;
        (self.by_id)
            .binary_search_by(|at| id_at(at).cmp(id))
            .ok()
            .map(|found| self.by_id[found] as usize)
    }

    /// `poi` as the public may see it ([`SensitivityList::protect`]).
    /// Unpublished POIs are not seen at all.
    pub fn protect(&self, poi: Poi) -> Option<Poi> {
        if self.unpublished.contains(&poi.id) {
            return None;
        }
        self.sensitivity.protect(poi)
    }

    /// Units the walker stands in at `pos`.
    pub fn landscapes_at(&self, pos: LonLat) -> impl Iterator<Item = &Landscape> {
        self.landscapes.iter().filter(move |l| l.contains(pos))
    }

    /// A commune filter as the circuits hold it: a known INSEE code gives its commune's
    /// folded name; anything else is taken for a folded name.
    pub fn commune_name<'a>(&'a self, folded: &'a str) -> &'a str {
        self.commune_names
            .get(folded)
            .map_or(folded, String::as_str)
    }

    /// The published ratings of circuit `id`.
    pub fn rating(&self, id: &CircuitId) -> Rating {
        self.ratings.get(id.as_str()).copied().unwrap_or_default()
    }

    /// Units a trace passes through, in the order it enters them.
    pub fn landscapes_crossed(&self, trace: &Trace) -> Vec<&Landscape> {
        areas_crossed(&self.landscapes, trace)
    }
}

/// A circuit summary with its folded name (the list's order by name and its ranking of
/// words found in the name); what the list filters by is in [`ListIndex`].
#[derive(Debug)]
pub struct Indexed {
    pub summary: CircuitSummary,
    pub folded_name: String,
}

impl Catalog {
    pub async fn load(store: &dyn Store) -> StoreResult<Self> {
        // Read the revision first: a change landing during the load moves it again, so
        // the next poll reloads rather than missing it.
        let revision = store.revision().await?;
        let started = std::time::Instant::now();
        // The reads are independent: the store serves them on several connections at
        // once while this thread decodes.
        let (summaries, sensitivity, unpublished, mut pois, landscapes, ratings, names) = tokio::try_join!(
            store.circuit_summaries(),
            SensitivityList::load(store),
            store.unpublished_pois(),
            store.poi_points(),
            store.landscapes(),
            store.ratings(),
            store.commune_names(),
        )?;
        let withheld: HashSet<PoiId> = if sensitivity.is_empty() {
            HashSet::new()
        } else {
            (store
                .pois_of_kinds(&[PoiKind::Fauna, PoiKind::Flora])
                .await?)
                .into_iter()
                .filter(|p| sensitivity.level_of_poi(p) != Sensitivity::Normal)
                .map(|p| p.id)
                .collect()
        };
        let unpublished: HashSet<PoiId> = unpublished.into_iter().collect();
        if !(withheld.is_empty() && unpublished.is_empty()) {
            pois.retain(|p| !withheld.contains(&p.id) && !unpublished.contains(&p.id));
        }
        let ratings = ratings.into_iter().collect();
        let commune_names = commune_names_of(names);
        let read = started.elapsed();
        let (circuits, list, by_id) = indexed(summaries);
        let starts = starts_of(&circuits);
        let bounds = widen(
            None,
            starts
                .iter()
                .map(|s| s.pos)
                .chain(pois.iter().map(|p| p.pos)),
        );
        let index = SpatialIndex::build(pois, starts);
        tracing::debug!(
            pois = index.poi_count(),
            read_ms = read.as_millis() as u64,
            index_ms = (started.elapsed() - read).as_millis() as u64,
            "catalogue loaded"
        );
        Ok(Self {
            revision,
            circuits: Arc::new(circuits),
            list: Arc::new(list),
            index: Arc::new(RwLock::new(index)),
            landscapes: Arc::new(landscapes),
            commune_names: Arc::new(commune_names),
            bounds,
            by_id: Arc::new(by_id),
            sensitivity: Arc::new(sensitivity),
            withheld: Arc::new(withheld),
            unpublished: Arc::new(unpublished),
            ratings: Arc::new(ratings),
        })
    }

    /// The catalogue at revision `upto`, from this one and what the commits since
    /// changed: the POIs touched taken out of the index and put back as they are now
    /// (or not, when unpublished or withheld), the circuits touched re-read and put in
    /// their places, the ratings when reviews moved; communes and landscape units read
    /// again when they moved; with a new sensitivity list, the fauna and flora POIs
    /// whose withholding it moves. Milliseconds where a whole load takes seconds.
    pub async fn follow(
        &self,
        store: &dyn Store,
        upto: i64,
        changes: &Changes,
    ) -> StoreResult<Self> {
        let mut next = Catalog {
            revision: upto,
            circuits: self.circuits.clone(),
            list: self.list.clone(),
            index: self.index.clone(),
            landscapes: self.landscapes.clone(),
            commune_names: self.commune_names.clone(),
            bounds: self.bounds,
            by_id: self.by_id.clone(),
            sensitivity: self.sensitivity.clone(),
            withheld: self.withheld.clone(),
            unpublished: self.unpublished.clone(),
            ratings: self.ratings.clone(),
        };
        if changes.ratings {
            next.ratings = Arc::new(store.ratings().await?.into_iter().collect());
        }
        // Communes and landscape units are few: read again whole.
        if changes.communes {
            next.commune_names = Arc::new(commune_names_of(store.commune_names().await?));
        }
        if changes.landscapes {
            next.landscapes = Arc::new(store.landscapes().await?);
        }
        let mut starts = None;
        if !changes.circuits.is_empty() {
            let changed: HashSet<CircuitId> = (changes.circuits.iter())
                .filter_map(|id| CircuitId::new(id.clone()).ok())
                .collect();
            // When most circuits changed, one read of them all is cheaper.
            let (circuits, list, by_id, new_starts) = if changed.len() * 2 > self.circuits.len() {
                let (circuits, list, by_id) = indexed(store.circuit_summaries().await?);
                let all = starts_of(&circuits);
                (circuits, list, by_id, NewStarts::All(all))
            } else {
                let ids: Vec<CircuitId> = changed.iter().cloned().collect();
                let fresh = store.circuit_summaries_of(&ids).await?;
                let of = fresh.iter().map(start).collect();
                let (circuits, list, by_id) = self.followed_circuits(&changed, fresh);
                (circuits, list, by_id, NewStarts::Of(changed, of))
            };
            let (NewStarts::All(s) | NewStarts::Of(_, s)) = &new_starts;
            next.bounds = widen(next.bounds, s.iter().map(|s| s.pos));
            next.list = Arc::new(list);
            next.circuits = Arc::new(circuits);
            next.by_id = Arc::new(by_id);
            starts = Some(new_starts);
        }
        let mut touched: HashSet<PoiId> = (changes.pois.iter())
            .filter_map(|id| PoiId::new(id.clone()).ok())
            .collect();
        if changes.sensitivity {
            let sensitivity = SensitivityList::load(store).await?;
            // Only fauna and flora are ever withheld: those whose withholding the new
            // list moves are followed as if they had been written.
            for poi in store
                .pois_of_kinds(&[PoiKind::Fauna, PoiKind::Flora])
                .await?
            {
                let withheld = sensitivity.level_of_poi(&poi) != Sensitivity::Normal;
                if withheld != self.withheld.contains(&poi.id) {
                    touched.insert(poi.id);
                }
            }
            next.sensitivity = Arc::new(sensitivity);
        }
        let mut points = Vec::new();
        if !touched.is_empty() {
            let unpublished: HashSet<PoiId> = store.unpublished_pois().await?.into_iter().collect();
            // A POI published again or withdrawn by an edit was written by it too; the
            // difference is taken anyway, in case the edit only touched its overrides.
            touched.extend(self.unpublished.symmetric_difference(&unpublished).cloned());
            let ids: Vec<PoiId> = touched.iter().cloned().collect();
            let mut withheld = (*self.withheld).clone();
            for poi in store.pois(&ids).await? {
                if next.sensitivity.level_of_poi(&poi) != Sensitivity::Normal {
                    withheld.insert(poi.id.clone());
                    continue;
                }
                withheld.remove(&poi.id);
                if !unpublished.contains(&poi.id)
                    && let Some(point) = poi.point()
                {
                    points.push(point);
                }
            }
            next.bounds = widen(next.bounds, points.iter().map(|p| p.pos));
            next.withheld = Arc::new(withheld);
            next.unpublished = Arc::new(unpublished);
        }
        if starts.is_some() || !touched.is_empty() {
            let mut index = self.index.write().unwrap_or_else(|p| p.into_inner());
            match starts {
                Some(NewStarts::All(all)) => index.replace_starts(all),
                Some(NewStarts::Of(changed, of)) => index.update_starts(&changed, of),
                None => {}
            }
            index.update_pois(&touched, points);
        }
        Ok(next)
    }

    /// The circuits and their list index once the circuits `changed` are re-read as
    /// `fresh` (those of them still published): the others keep their order, the fresh
    /// ones are merged in at their places, and only their texts are indexed anew.
    fn followed_circuits(
        &self,
        changed: &HashSet<CircuitId>,
        mut fresh: Vec<CircuitSummary>,
    ) -> (Vec<Arc<Indexed>>, ListIndex, Vec<u32>) {
        fresh.sort_by(list_order);
        let mut fresh = (fresh.into_iter())
            .map(|s| Arc::new(Indexed::of(s)))
            .peekable();
        let mut circuits = Vec::with_capacity(self.circuits.len() + fresh.len());
        // The changed circuits this catalogue holds, found by id (no hash of every id).
        let mut is_changed = vec![false; self.circuits.len()];
        for at in changed.iter().filter_map(|id| self.place_of(id)) {
            is_changed[at] = true;
        }
        // Where each circuit of this catalogue went (`None`: changed).
        let mut moved = vec![None; self.circuits.len()];
        let mut added = Vec::new();
        let place = |circuits: &Vec<Arc<Indexed>>| circuits.len() as u32;
        for (at, kept) in self.circuits.iter().enumerate() {
            if is_changed[at] {
                continue;
            }
            while let Some(f) = fresh.next_if(|f| list_order(&f.summary, &kept.summary).is_lt()) {
                added.push(place(&circuits));
                circuits.push(f);
            }
            moved[at] = Some(place(&circuits));
            circuits.push(kept.clone());
        }
        for f in fresh {
            added.push(place(&circuits));
            circuits.push(f);
        }
        let summaries = circuits.iter().map(|c| &c.summary);
        let list = self.list.followed(summaries, &moved);
        // The id order: the kept circuits' at their new places, each added one put
        // where a search among them finds its id.
        let id = |at: &u32| &circuits[*at as usize].summary.id;
        let kept: Vec<u32> = (self.by_id.iter())
            .filter_map(|&old| moved[old as usize])
            .collect();
        let mut added_by_id = added;
        added_by_id.sort_unstable_by(|a, b| id(a).cmp(id(b)));
        let mut by_id = Vec::with_capacity(circuits.len());
        let mut from = 0;
        for a in added_by_id {
            let to = kept.partition_point(|k| id(k) < id(&a));
            by_id.extend_from_slice(&kept[from..to]);
            by_id.push(a);
            from = to;
        }
        by_id.extend_from_slice(&kept[from..]);
        (circuits, list, by_id)
    }
}

/// The order of the circuits in the catalogue, which the list keeps among equals: by
/// name, then id, in byte order on every backend.
fn list_order(a: &CircuitSummary, b: &CircuitSummary) -> std::cmp::Ordering {
    (a.name.as_str(), a.id.as_str()).cmp(&(b.name.as_str(), b.id.as_str()))
}

/// The circuits indexed for search, in the list's order, what the list filters them
/// by, and their places in the order of their ids.
fn indexed(mut summaries: Vec<CircuitSummary>) -> (Vec<Arc<Indexed>>, ListIndex, Vec<u32>) {
    summaries.sort_by(list_order);
    let list = ListIndex::of(summaries.iter());
    let circuits: Vec<Arc<Indexed>> = (summaries.into_iter())
        .map(|s| Arc::new(Indexed::of(s)))
        .collect();
    let mut by_id: Vec<u32> = (0..circuits.len() as u32).collect();
    by_id.sort_unstable_by(|&a, &b| {
        (circuits[a as usize].summary.id).cmp(&circuits[b as usize].summary.id)
    });
    (circuits, list, by_id)
}

fn starts_of(circuits: &[Arc<Indexed>]) -> Vec<CircuitStart> {
    circuits.iter().map(|c| start(&c.summary)).collect()
}

fn start(summary: &CircuitSummary) -> CircuitStart {
    CircuitStart {
        id: summary.id.clone(),
        pos: summary.start,
    }
}

/// The circuit starts a change gives the spatial index: all of them, or those of the
/// circuits it touched.
enum NewStarts {
    All(Vec<CircuitStart>),
    Of(HashSet<CircuitId>, Vec<CircuitStart>),
}

/// Commune names by INSEE code, both folded: what a list filter by code looks up.
fn commune_names_of(names: Vec<(Insee, String)>) -> HashMap<String, String> {
    (names.into_iter())
        .map(|(code, name)| (fold(code.as_str()), fold(&name)))
        .collect()
}

/// `bounds` grown to hold `points`.
fn widen(bounds: Option<[f64; 4]>, points: impl Iterator<Item = LonLat>) -> Option<[f64; 4]> {
    points.fold(bounds, |b, p| {
        let (x, y) = (p.lon(), p.lat());
        Some(b.map_or([x, y, x, y], |b| {
            [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)]
        }))
    })
}

impl Indexed {
    fn of(summary: CircuitSummary) -> Self {
        Indexed {
            folded_name: fold(&summary.name),
            summary,
        }
    }
}

/// The current catalogue, shared by the handlers and swapped by the refresher.
#[derive(Debug, Clone, Default)]
pub struct SharedCatalog {
    current: Arc<RwLock<Arc<Catalog>>>,
    /// Held while reloading: concurrent askers wait for the one reload.
    reloading: Arc<tokio::sync::Mutex<()>>,
    /// How many whole reloads happened (tests and operators watch it).
    reloads: Arc<AtomicU64>,
    /// How many times changes were followed record by record instead.
    follows: Arc<AtomicU64>,
}

impl SharedCatalog {
    pub fn new(catalog: Catalog) -> Self {
        Self {
            current: Arc::new(RwLock::new(Arc::new(catalog))),
            reloading: Arc::default(),
            reloads: Arc::default(),
            follows: Arc::default(),
        }
    }

    /// Whole reloads since start.
    pub fn reloads(&self) -> u64 {
        self.reloads.load(Ordering::Relaxed)
    }

    /// Changes followed record by record since start.
    pub fn follows(&self) -> u64 {
        self.follows.load(Ordering::Relaxed)
    }

    pub fn current(&self) -> Arc<Catalog> {
        match self.current.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn replace(&self, catalog: Catalog) {
        let mut guard = match self.current.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = Arc::new(catalog);
    }

    /// Reloads from the store if its revision moved; returns whether it did.
    pub async fn refresh(&self, store: &dyn Store) -> StoreResult<bool> {
        let revision = store.revision().await?;
        let before = self.current().revision;
        // Any other revision, older too: a database restored from a backup.
        let current = self
            .reload_unless(store, |c| c.revision == revision)
            .await?;
        Ok(current.revision != before)
    }

    /// The catalogue, reloaded first if it is older than `revision` (a revision the
    /// store was seen at). Concurrent callers share one reload.
    pub async fn at_least(&self, store: &dyn Store, revision: i64) -> StoreResult<Arc<Catalog>> {
        self.reload_unless(store, |c| c.revision >= revision).await
    }

    async fn reload_unless(
        &self,
        store: &dyn Store,
        fresh: impl Fn(&Catalog) -> bool,
    ) -> StoreResult<Arc<Catalog>> {
        let current = self.current();
        if fresh(&current) {
            return Ok(current);
        }
        let _one = self.reloading.lock().await;
        let current = self.current();
        if fresh(&current) {
            return Ok(current);
        }
        // Follow the change log when every commit since is known by its records.
        let target = store.revision().await?;
        let changes = if target > current.revision {
            store.changes(current.revision, target).await?
        } else {
            None
        };
        let catalog = match changes {
            Some(changes) => {
                let started = std::time::Instant::now();
                let catalog = current.follow(store, target, &changes).await?;
                tracing::debug!(
                    revision = target,
                    pois = changes.pois.len(),
                    circuits = changes.circuits.len(),
                    ratings = changes.ratings,
                    took_ms = started.elapsed().as_secs_f64() * 1e3,
                    "catalogue followed the changes"
                );
                self.follows.fetch_add(1, Ordering::Relaxed);
                catalog
            }
            None => {
                let catalog = Catalog::load(store).await?;
                tracing::info!(
                    revision = catalog.revision,
                    circuits = catalog.circuits.len(),
                    pois = catalog.index().poi_count(),
                    "catalogue reloaded"
                );
                self.reloads.fetch_add(1, Ordering::Relaxed);
                catalog
            }
        };
        self.replace(catalog);
        Ok(self.current())
    }

    /// Keeps the catalogue fresh until the process ends: reloads on every change notice
    /// the store pushes (PostgreSQL), and polls the revision every [`REFRESH_EVERY`]
    /// anyway, which is all SQLite and read replicas have. Failures are logged and the
    /// previous catalogue keeps serving.
    pub fn spawn_refresher(&self, store: Arc<dyn Store>) -> tokio::task::JoinHandle<()> {
        let shared = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(REFRESH_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut feed: Option<Box<dyn ChangeFeed>> = None;
            let mut feed_wanted = true;
            loop {
                if feed.is_none() && feed_wanted {
                    match store.subscribe().await {
                        Ok(f) => {
                            feed_wanted = f.is_some();
                            feed = f;
                        }
                        Err(e) => {
                            tracing::debug!(error = %e, "change notices unavailable, polling")
                        }
                    }
                }
                let lost = match feed.as_mut() {
                    Some(f) => tokio::select! {
                        notice = f.changed() => notice.is_err(),
                        _ = tick.tick() => false,
                    },
                    None => {
                        tick.tick().await;
                        false
                    }
                };
                if lost {
                    feed = None;
                }
                if let Err(e) = shared.refresh(store.as_ref()).await {
                    tracing::warn!(error = %e, "catalogue refresh failed");
                }
            }
        })
    }
}
