//! The embedded backend: one SQLite file (bundled library), WAL journal so that readers
//! never wait for an import, migrations embedded and run at open.

use super::codec::{
    encode_details, encode_json, encode_list, encode_polygons, encode_trace, observation_cell,
};
use super::rows;
use super::species_added::AddedSpecies;
use super::sqlite_scan::Readers;
use super::{
    ChangeFeed, Counts, ImportStore, ImportTx, MediaStore, OpenOptions, ReadStore, SpeciesStore,
    Store, StoreError, StoreResult, Upsert, list_of_rows, prefix_end, sensitivity_changes,
    table_of,
};
use crate::domain::{
    Area, Circuit, CircuitId, CircuitSummary, Commune, Insee, Landscape, LonLat, Media, MediaOwner,
    Observation, Poi, PoiId, PoiKind, PoiPoint, Sensitivity, SpeciesCell, Taxon, Trace,
};
use crate::geometry::{TraceLocator, distance_m};
use crate::record::{Record, RecordKind, RecordRef};
use async_trait::async_trait;
use sqlx::ConnectOptions;
use sqlx::error::BoxDynError;
use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Arguments, Row, Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

#[derive(Debug, Clone)]
pub struct SqliteStore {
    pub(super) pool: SqlitePool,
    /// The reads of many rows that go around the pool (see `sqlite_scan`).
    readers: Arc<Readers>,
}

impl SqliteStore {
    pub async fn open(url: &str, open: OpenOptions) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?;
        let path = options.get_filename().to_path_buf();
        create_private(&path)?;
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // An import acknowledged is on disk: NORMAL could lose the last commits of a
            // WAL database on power loss.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            // An import in another process holds the write lock for its whole file.
            .busy_timeout(Duration::from_secs(30))
            // Rebuilding the species aggregates of a million observations takes seconds
            // by design: slow statements are for the debug log, not the import's output.
            .log_slow_statements(log::LevelFilter::Debug, Duration::from_secs(1));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(StoreError::Unavailable)?;
        if open.migrate {
            MIGRATOR.run(&pool).await?;
        }
        Ok(Self {
            pool,
            readers: Readers::new(path),
        })
    }
}

/// Creates the database file readable by its owner only (it holds the precise
/// positions of sensitive species): SQLite gives its journal files the same rights. An
/// existing file keeps the rights its operator gave it.
fn create_private(path: &std::path::Path) -> StoreResult<()> {
    if path.as_os_str().is_empty() || path.exists() || path.to_string_lossy().starts_with(':') {
        return Ok(());
    }
    let mut file = std::fs::OpenOptions::new();
    file.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut file, 0o600);
    match file.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::Unavailable(sqlx::Error::Io(e))),
    }
}

/// Rows per bound multi-row statement: 14 columns × 500 stays far under SQLite's
/// 32,766 parameters, every full chunk reuses one prepared statement, and a batch
/// of the importer holds a few chunks, so that the next one's values are bound while
/// the last one is written (see `upsert_observations`).
const OBSERVATION_ROWS: usize = 500;

/// Observations with their taxon (from `observations o JOIN taxa t`), as
/// [`rows::observation`] reads them.
const OBSERVATION_SELECT: &str = "SELECT o.source, o.event_start, o.event_end, o.months, \
     o.lon AS pos_lon, o.lat AS pos_lat, o.uncertainty_m, o.count, o.basis, o.license, \
     t.key, t.scientific_name, t.vernacular_name, t.rank, t.kingdom, t.phylum, t.class, \
     t.\"order\", t.family, t.genus, t.sensitivity, t.ids FROM observations";

/// Every located POI's point with a rowid in `[?1, ?2]`, as [`rows::poi_point`] reads them.
pub(super) const POI_POINTS_SELECT: &str = "SELECT id, kind, name, lon AS pos_lon, lat AS pos_lat, \
     json_extract(details, '$.translations') AS names FROM pois \
     WHERE lon IS NOT NULL AND rowid BETWEEN ?1 AND ?2";

/// The aggregates of `cells` cells `(size_m, x, y)`, bound in that order.
pub(super) fn species_in_sql(cells: usize) -> String {
    format!(
        "WITH wanted(size_m, x, y) AS (VALUES {}) \
         SELECT c.size_m, c.x, c.y, c.taxon, c.months, c.observations \
         FROM wanted w JOIN species_cells c \
         ON c.size_m = w.size_m AND c.x = w.x AND c.y = w.y",
        placeholders(cells, 3)
    )
}

/// The taxa of `keys` keys, in key order.
pub(super) fn taxa_in_sql(keys: usize) -> String {
    format!(
        "SELECT {} FROM taxa WHERE key IN ({}) ORDER BY key",
        rows::TAXON_COLUMNS,
        vec!["?"; keys].join(", ")
    )
}

/// POIs per bound statement: 12 columns × 1,000, and 2,000 keys in the checks.
const POI_ROWS: usize = 1_000;

/// Keys per statement when reading or deleting records by key.
const KEY_CHUNK: usize = 2_000;

/// Keys per page when scanning a scope.
const SCAN_PAGE: usize = 20_000;

/// Media items with their derivatives' widths and sizes, as [`rows::media`] reads them.
const MEDIA_SELECT: &str = "SELECT m.id, m.owner_kind, m.owner_id, m.kind, m.url, m.title, m.author, \
     m.license, m.alt, m.width, m.height, m.position, \
     (SELECT group_concat(f.width || ':' || length(f.bytes), ',') FROM media_files f \
     WHERE f.media_id = m.id) AS files FROM media m";

/// `(?, ?, …), (?, ?, …)…`: `rows` groups of `columns` placeholders.
pub(super) fn placeholders(rows: usize, columns: usize) -> String {
    let one = format!("({})", vec!["?"; columns].join(", "));
    vec![one; rows].join(", ")
}

/// A lon/lat box around `[w, e] × [s, n]` grown by `margin_m` on every side, with 1 %
/// to spare. It does not wrap at the antimeridian: the embedded backend serves one
/// territory, and the server's own index has no such limit.
fn degree_box(w: f64, e: f64, s: f64, n: f64, margin_m: f64) -> [f64; 4] {
    let dlat = margin_m / 110_574.0 * 1.01;
    let widest = s.abs().max(n.abs()).min(89.0).to_radians().cos();
    let dlon = margin_m / (111_320.0 * widest) * 1.01;
    [w - dlon, e + dlon, s - dlat, n + dlat]
}

impl SqliteStore {
    /// The media of owners of one kind, by owner then position.
    async fn media_where(&self, kind: &str, ids: &[&str]) -> StoreResult<Vec<Media>> {
        sqlx::query(&format!(
            "{MEDIA_SELECT} WHERE m.owner_kind = ? AND m.owner_id IN (SELECT value FROM json_each(?)) \
             ORDER BY m.owner_id, m.position, m.id"
        ))
        .bind(kind)
        .bind(encode_list(ids))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(rows::media)
        .collect()
    }

    async fn pois_in_box(&self, [w, e, s, n]: [f64; 4]) -> StoreResult<Vec<PoiPoint>> {
        let found = sqlx::query(
            "SELECT id, kind, name, lon AS pos_lon, lat AS pos_lat, json_extract(details, '$.translations') AS names FROM pois \
             WHERE lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?",
        )
        .bind(s)
        .bind(n)
        .bind(w)
        .bind(e)
        .fetch_all(&self.pool)
        .await?;
        found.iter().map(rows::poi_point).collect()
    }
}

/// Columns that read back as a whole circuit, in the names `rows` expects.
fn circuit_columns() -> String {
    format!(
        "{}, source, trace, published, practical",
        rows::SUMMARY_FIELDS.join(", ")
    )
}

pub(super) const POI_COLUMNS: &str = "id, source, kind, name, description, lon AS pos_lon, lat AS pos_lat, ele, circuit_id, commune, insee, details";

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(StoreError::Unavailable)?;
        Ok(())
    }
}

#[async_trait]
impl ReadStore for SqliteStore {
    async fn counts(&self) -> StoreResult<Counts> {
        let row = sqlx::query(
            "SELECT (SELECT count(*) FROM circuits) AS c, (SELECT count(*) FROM pois) AS p, \
             (SELECT count(*) FROM landscapes) AS l, (SELECT count(*) FROM observations) AS o",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(Counts {
            circuits: row.try_get::<i64, _>("c")? as u64,
            pois: row.try_get::<i64, _>("p")? as u64,
            landscapes: row.try_get::<i64, _>("l")? as u64,
            observations: row.try_get::<i64, _>("o")? as u64,
        })
    }

    async fn circuit_summaries(&self) -> StoreResult<Vec<CircuitSummary>> {
        let sql = format!(
            "SELECT {} FROM circuits WHERE published = 1",
            rows::SUMMARY_FIELDS.join(", ")
        );
        sqlx::query(&sql)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(rows::summary)
            .collect()
    }

    async fn circuit_summaries_of(&self, ids: &[CircuitId]) -> StoreResult<Vec<CircuitSummary>> {
        let ids: Vec<&str> = ids.iter().map(CircuitId::as_str).collect();
        let sql = format!(
            "SELECT {} FROM circuits WHERE published = 1 AND id IN (SELECT value FROM json_each(?))",
            rows::SUMMARY_FIELDS.join(", ")
        );
        sqlx::query(&sql)
            .bind(encode_list(&ids))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(rows::summary)
            .collect()
    }

    async fn circuit(&self, id: &CircuitId) -> StoreResult<Option<Circuit>> {
        let sql = format!("SELECT {} FROM circuits WHERE id = ?", circuit_columns());
        let row = sqlx::query(&sql)
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(rows::circuit).transpose()
    }

    async fn circuit_pois(&self, id: &CircuitId) -> StoreResult<Vec<Poi>> {
        let sql = format!("SELECT {POI_COLUMNS} FROM pois WHERE circuit_id = ? ORDER BY id");
        sqlx::query(&sql)
            .bind(id.as_str())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(rows::poi)
            .collect()
    }

    async fn poi(&self, id: &PoiId) -> StoreResult<Option<Poi>> {
        let sql = format!("SELECT {POI_COLUMNS} FROM pois WHERE id = ?");
        let row = sqlx::query(&sql)
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(rows::poi).transpose()
    }

    async fn pois(&self, ids: &[PoiId]) -> StoreResult<Vec<Poi>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(POI_ROWS) {
            let sql = format!(
                "SELECT {POI_COLUMNS} FROM pois WHERE id IN ({})",
                vec!["?"; chunk.len()].join(",")
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(id.as_str());
            }
            for row in q.fetch_all(&self.pool).await? {
                out.push(rows::poi(&row)?);
            }
        }
        Ok(out)
    }

    async fn poi_points(&self) -> StoreResult<Vec<PoiPoint>> {
        super::sqlite_scan::poi_points(&self.readers).await
    }

    async fn pois_of_kinds(&self, kinds: &[PoiKind]) -> StoreResult<Vec<Poi>> {
        let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
        super::sqlite_scan::pois_of_kinds(&self.readers, encode_list(&kinds)).await
    }

    async fn pois_near(
        &self,
        center: LonLat,
        radius_m: f64,
        limit: usize,
        kinds: &[PoiKind],
    ) -> StoreResult<Vec<(PoiPoint, f64)>> {
        let bbox = degree_box(
            center.lon(),
            center.lon(),
            center.lat(),
            center.lat(),
            radius_m,
        );
        let mut hits: Vec<(PoiPoint, f64)> = self
            .pois_in_box(bbox)
            .await?
            .into_iter()
            .filter(|p| kinds.is_empty() || kinds.contains(&p.kind))
            .map(|p| {
                let d = distance_m(center, p.pos);
                (p, d)
            })
            .filter(|(_, d)| *d <= radius_m)
            .collect();
        hits.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.id.cmp(&b.0.id)));
        hits.truncate(limit);
        Ok(hits)
    }

    async fn pois_along(&self, trace: &Trace, width_m: f64) -> StoreResult<Vec<(PoiPoint, f64)>> {
        let points: Vec<LonLat> = trace.points().map(|p| p.pos).collect();
        let Some(first) = points.first() else {
            return Ok(Vec::new());
        };
        let (mut w, mut e, mut s, mut n) = (first.lon(), first.lon(), first.lat(), first.lat());
        for p in &points {
            (w, e, s, n) = (
                w.min(p.lon()),
                e.max(p.lon()),
                s.min(p.lat()),
                n.max(p.lat()),
            );
        }
        let locator = TraceLocator::new(trace);
        let mut hits: Vec<(PoiPoint, f64)> = self
            .pois_in_box(degree_box(w, e, s, n, width_m))
            .await?
            .into_iter()
            .filter_map(|p| {
                let offset = locator.locate(p.pos)?.offset_m;
                (offset <= width_m).then_some((p, offset))
            })
            .collect();
        hits.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.id.cmp(&b.0.id)));
        Ok(hits)
    }

    async fn landscapes(&self) -> StoreResult<Vec<Landscape>> {
        let found = sqlx::query(
            "SELECT id, source, name, description, polygons FROM landscapes ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        found.iter().map(rows::landscape).collect()
    }

    async fn communes(&self) -> StoreResult<Vec<Commune>> {
        let found = sqlx::query(
            "SELECT code, name, intercommunality, intercommunality_code, polygons FROM communes \
             ORDER BY code",
        )
        .fetch_all(&self.pool)
        .await?;
        found.iter().map(rows::commune).collect()
    }

    async fn commune_names(&self) -> StoreResult<Vec<(Insee, String)>> {
        let found = sqlx::query("SELECT code, name FROM communes ORDER BY code")
            .fetch_all(&self.pool)
            .await?;
        found.iter().map(rows::commune_name).collect()
    }

    async fn all_circuits(&self) -> StoreResult<Vec<Circuit>> {
        let sql = format!("SELECT {} FROM circuits ORDER BY id", circuit_columns());
        sqlx::query(&sql)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(rows::circuit)
            .collect()
    }

    async fn all_pois(&self) -> StoreResult<Vec<Poi>> {
        let sql = format!("SELECT {POI_COLUMNS} FROM pois ORDER BY id");
        sqlx::query(&sql)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(rows::poi)
            .collect()
    }
}

#[async_trait]
impl MediaStore for SqliteStore {
    async fn media_of(&self, owner: &MediaOwner) -> StoreResult<Vec<Media>> {
        self.media_where(owner.kind(), &[owner.id()]).await
    }

    async fn media_of_pois(&self, ids: &[PoiId]) -> StoreResult<Vec<Media>> {
        let ids: Vec<&str> = ids.iter().map(PoiId::as_str).collect();
        self.media_where("poi", &ids).await
    }

    async fn media_file(&self, id: &str, width: u32) -> StoreResult<Option<Vec<u8>>> {
        Ok(
            sqlx::query_scalar("SELECT bytes FROM media_files WHERE media_id = ? AND width = ?")
                .bind(id)
                .bind(i64::from(width))
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn all_media(&self) -> StoreResult<Vec<Media>> {
        sqlx::query(&format!(
            "{MEDIA_SELECT} ORDER BY m.owner_kind, m.owner_id, m.position, m.id"
        ))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(rows::media)
        .collect()
    }
}

#[async_trait]
impl SpeciesStore for SqliteStore {
    async fn species(&self) -> StoreResult<(Vec<SpeciesCell>, Vec<(Taxon, Sensitivity)>)> {
        let cells =
            sqlx::query("SELECT size_m, x, y, taxon, months, observations FROM species_cells")
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(rows::species_cell)
                .collect::<StoreResult<_>>()?;
        let sql = format!(
            "SELECT {} FROM taxa WHERE key IN (SELECT DISTINCT taxon FROM species_cells) ORDER BY key",
            rows::TAXON_COLUMNS
        );
        let taxa = sqlx::query(&sql)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(rows::taxon)
            .collect::<StoreResult<_>>()?;
        Ok((cells, taxa))
    }

    async fn species_in(
        &self,
        cells: &[(u32, i32, i32)],
    ) -> StoreResult<(Vec<SpeciesCell>, Vec<(Taxon, Sensitivity)>)> {
        super::sqlite_scan::species_in(&self.readers, cells.to_vec()).await
    }

    async fn observations_page(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<Observation>> {
        let sql = format!(
            "{OBSERVATION_SELECT} o JOIN taxa t ON t.key = o.taxon \
             WHERE o.source > ? ORDER BY o.source LIMIT ?"
        );
        sqlx::query(&sql)
            .bind(after.unwrap_or(""))
            .bind(limit as i64)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(rows::observation)
            .collect()
    }

    async fn taxa(&self) -> StoreResult<Vec<(Taxon, Sensitivity)>> {
        sqlx::query(&format!(
            "SELECT {} FROM taxa ORDER BY key",
            rows::TAXON_COLUMNS
        ))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(rows::taxon)
        .collect()
    }

    async fn sensitive_taxa(&self) -> StoreResult<Vec<(String, Sensitivity)>> {
        sqlx::query("SELECT key, level FROM sensitive_taxa ORDER BY key")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                let level: i64 = r.try_get("level")?;
                let s = u8::try_from(level)
                    .ok()
                    .and_then(Sensitivity::from_level)
                    .ok_or_else(|| StoreError::Corrupt(format!("sensitivity level {level}")))?;
                Ok((r.try_get("key")?, s))
            })
            .collect()
    }
}

#[async_trait]
impl ImportStore for SqliteStore {
    async fn changes(&self, after: i64, upto: i64) -> StoreResult<Option<super::changes::Changes>> {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT revision, kind, id FROM changes WHERE revision > ? AND revision <= ?",
        )
        .bind(after)
        .bind(upto)
        .fetch_all(&self.pool)
        .await?;
        Ok(super::changes::Changes::of_rows(after, upto, &rows))
    }

    async fn revision(&self) -> StoreResult<i64> {
        Ok(
            sqlx::query_scalar("SELECT value FROM revision WHERE id = 1")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    async fn begin_import(&self) -> StoreResult<Box<dyn ImportTx>> {
        // BEGIN IMMEDIATE takes the write lock now, so two importers queue on the busy
        // timeout instead of failing half-way through a file.
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok(Box::new(SqliteImport {
            tx,
            touched: Default::default(),
            added_species: AddedSpecies::default(),
            taxa_written: Default::default(),
        }))
    }

    async fn subscribe(&self) -> StoreResult<Option<Box<dyn ChangeFeed>>> {
        // SQLite has no notices: a file shared by processes is watched by polling.
        Ok(None)
    }

    async fn digests(
        &self,
        kind: RecordKind,
        keys: &[&str],
    ) -> StoreResult<Vec<(String, Option<u64>)>> {
        let (table, key) = table_of(kind);
        let sql = format!(
            "SELECT {key}, digest FROM {table} WHERE {key} IN (SELECT value FROM json_each(?))"
        );
        let lists = keys.chunks(KEY_CHUNK).map(encode_list).collect();
        super::sqlite_scan::digests(&self.readers, sql, lists).await
    }

    async fn existing(&self, kind: RecordKind, keys: &[&str]) -> StoreResult<Vec<Record>> {
        let (_, key) = table_of(kind);
        let select = match kind {
            RecordKind::Circuit => format!("SELECT {} FROM circuits", circuit_columns()),
            RecordKind::Poi => format!("SELECT {POI_COLUMNS} FROM pois"),
            RecordKind::Landscape => {
                "SELECT id, source, name, description, polygons FROM landscapes".to_owned()
            }
            RecordKind::Commune => {
                "SELECT code, name, intercommunality, intercommunality_code, polygons FROM communes"
                    .to_owned()
            }
            RecordKind::Observation => {
                format!("{OBSERVATION_SELECT} o JOIN taxa t ON t.key = o.taxon")
            }
        };
        let alias = if kind == RecordKind::Observation {
            "o."
        } else {
            ""
        };
        let sql = format!("{select} WHERE {alias}{key} IN (SELECT value FROM json_each(?))");
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(KEY_CHUNK) {
            for row in sqlx::query(&sql)
                .bind(encode_list(chunk))
                .fetch_all(&self.pool)
                .await?
            {
                out.push(rows::record(kind, &row)?);
            }
        }
        Ok(out)
    }

    async fn any_key(&self, kind: RecordKind, prefix: &str) -> StoreResult<bool> {
        let (table, key) = table_of(kind);
        let sql = format!("SELECT 1 FROM {table} WHERE {key} >= ? AND {key} < ? LIMIT 1");
        let found: Option<i64> = sqlx::query_scalar(&sql)
            .bind(prefix)
            .bind(prefix_end(prefix))
            .fetch_optional(&self.pool)
            .await?;
        Ok(found.is_some())
    }

    async fn scan_keys(
        &self,
        kind: RecordKind,
        prefix: &str,
        each: &mut (dyn for<'k> FnMut(&'k str) + Send),
    ) -> StoreResult<()> {
        // Pages along the key's index: rows streamed one at a time cross a channel each.
        let (table, key) = table_of(kind);
        let sql = format!(
            "SELECT {key} FROM {table} WHERE {key} > ? AND {key} >= ? AND {key} < ? \
             ORDER BY {key} LIMIT {SCAN_PAGE}"
        );
        let end = prefix_end(prefix);
        let mut after = String::new();
        loop {
            let page: Vec<String> = sqlx::query_scalar(&sql)
                .bind(&after)
                .bind(prefix)
                .bind(&end)
                .fetch_all(&self.pool)
                .await?;
            page.iter().for_each(|k| each(k));
            match page.into_iter().last() {
                Some(last) => after = last,
                None => return Ok(()),
            }
        }
    }

    async fn id_keys(&self, kind: RecordKind, ids: &[&str]) -> StoreResult<Vec<(String, String)>> {
        let (table, key) = table_of(kind);
        if matches!(kind, RecordKind::Commune | RecordKind::Observation) {
            return Ok(Vec::new());
        }
        let sql =
            format!("SELECT id, {key} FROM {table} WHERE id IN (SELECT value FROM json_each(?))");
        let mut out = Vec::new();
        for chunk in ids.chunks(KEY_CHUNK) {
            for row in sqlx::query(&sql)
                .bind(encode_list(chunk))
                .fetch_all(&self.pool)
                .await?
            {
                out.push((row.try_get(0)?, row.try_get(1)?));
            }
        }
        Ok(out)
    }
}

pub(super) struct SqliteImport {
    pub(super) tx: Transaction<'static, Sqlite>,
    /// What the catalogue must follow, written to the change log at commit.
    touched: super::changes::Touched,
    /// The observations added since the species aggregates were last right.
    added_species: AddedSpecies,
    /// The taxa this transaction wrote, as it wrote them.
    taxa_written: super::taxa_written::TaxaWritten,
}

/// Rows of added aggregates per statement: 5 columns × 4,000.
const SPECIES_ROWS: usize = 4_000;

/// The statements that add the observations of `source` (a relation of `cell_x`,
/// `cell_y`, `taxon`, `months`, each row counting for `count`) to the public
/// aggregates: ordinary taxa in 1 km cells, sensitive ones in 10 km cells (integer
/// division truncates: negatives are shifted so cells are floors), strict ones in none.
/// Two passes without a join; a cell already there adds the count.
fn species_additions(source: &str, count: &str) -> [String; 2] {
    let insert = "INSERT INTO species_cells (size_m, x, y, taxon, months, observations)";
    let upsert = "ON CONFLICT (size_m, x, y, taxon, months) \
         DO UPDATE SET observations = observations + excluded.observations";
    [
        format!(
            "{insert} SELECT 1000, cell_x, cell_y, taxon, months, {count} FROM {source} \
             WHERE taxon NOT IN (SELECT key FROM taxa WHERE sensitivity >= 1) \
             GROUP BY 2, 3, 4, 5 {upsert}"
        ),
        format!(
            "{insert} SELECT 10000, (cell_x - 9 * (cell_x < 0)) / 10, (cell_y - 9 * (cell_y < 0)) / 10, \
             taxon, months, {count} FROM {source} \
             WHERE taxon IN (SELECT key FROM taxa WHERE sensitivity = 1) GROUP BY 2, 3, 4, 5 {upsert}"
        ),
    ]
}

/// The statement writing `rows` observations with `verb` (`INSERT OR IGNORE` adds new
/// rows only, `INSERT` upserts), bound by [`observation_values`]; a full chunk's text
/// is written once (7,000 placeholders cost more than binding a row).
fn observations_sql(rows: usize, verb: &'static str) -> std::borrow::Cow<'static, str> {
    static FULL: std::sync::OnceLock<[String; 2]> = std::sync::OnceLock::new();
    if rows == OBSERVATION_ROWS {
        let [add, upsert] = FULL.get_or_init(|| {
            ["INSERT OR IGNORE", "INSERT"].map(|v| observations_text(OBSERVATION_ROWS, v))
        });
        return if verb == "INSERT" { upsert } else { add }.as_str().into();
    }
    observations_text(rows, verb).into()
}

fn observations_text(rows: usize, verb: &str) -> String {
    let upsert = if verb == "INSERT" {
        "ON CONFLICT (source) DO UPDATE SET taxon = excluded.taxon, event_start = excluded.event_start, \
         event_end = excluded.event_end, months = excluded.months, lon = excluded.lon, lat = excluded.lat, \
         cell_x = excluded.cell_x, cell_y = excluded.cell_y, uncertainty_m = excluded.uncertainty_m, \
         count = excluded.count, basis = excluded.basis, license = excluded.license, \
         digest = excluded.digest"
    } else {
        ""
    };
    format!(
        "{verb} INTO observations (source, taxon, event_start, event_end, months, lon, lat, cell_x, cell_y, \
         uncertainty_m, count, basis, license, digest) VALUES {} {upsert}",
        placeholders(rows, 14)
    )
}

/// The values of observations in their 1 km `cells`, in [`observations_sql`]'s order.
fn observation_values<'a>(
    chunk: &'a [Observation],
    cells: &[(i32, i32)],
) -> StoreResult<SqliteArguments<'a>> {
    let mut args = SqliteArguments::default();
    let mut bind = |o: &'a Observation, (cx, cy): (i32, i32)| -> Result<(), BoxDynError> {
        args.add(o.source.as_str())?;
        args.add(o.taxon.key.as_str())?;
        args.add(o.event_start.as_deref())?;
        args.add(o.event_end.as_deref())?;
        args.add(i64::from(o.months))?;
        args.add(o.pos.lon())?;
        args.add(o.pos.lat())?;
        args.add(cx)?;
        args.add(cy)?;
        args.add(o.uncertainty_m)?;
        args.add(o.count.map(i64::from))?;
        args.add(o.basis_of_record.as_deref())?;
        args.add(o.license.as_deref())?;
        args.add(RecordRef::Observation(o).digest() as i64)
    };
    for (o, &cell) in chunk.iter().zip(cells) {
        bind(o, cell).map_err(sqlx::Error::Encode)?;
    }
    Ok(args)
}

impl SqliteImport {
    /// The id already held by `source`, if any; refuses an id taken by another source.
    async fn existing(&mut self, table: &str, id: &str, source: &str) -> StoreResult<Upsert> {
        let sql = format!("SELECT source FROM {table} WHERE id = ? OR source = ?");
        let rows = sqlx::query(&sql)
            .bind(id)
            .bind(source)
            .fetch_all(&mut *self.tx)
            .await?;
        for row in &rows {
            let other: String = row.try_get("source")?;
            if other != source {
                return Err(StoreError::Conflict(format!(
                    "id `{id}` already belongs to `{other}`"
                )));
            }
        }
        Ok(if rows.is_empty() {
            Upsert::Inserted
        } else {
            Upsert::Updated
        })
    }
}

#[async_trait]
impl ImportTx for SqliteImport {
    /// Bound multi-row statements, chunk by chunk, with the same checks as one POI.
    async fn upsert_poi_batch(&mut self, pois: &[Poi]) -> StoreResult<(u64, u64)> {
        pois.iter().for_each(|p| self.touched.poi(p.id.as_str()));
        let mut updated = 0u64;
        for chunk in pois.chunks(POI_ROWS) {
            let keys = vec!["?"; chunk.len()].join(",");
            let sql =
                format!("SELECT id, source FROM pois WHERE id IN ({keys}) OR source IN ({keys})");
            let mut q = sqlx::query(&sql);
            for p in chunk {
                q = q.bind(p.id.as_str());
            }
            for p in chunk {
                q = q.bind(&p.source);
            }
            let found = q.fetch_all(&mut *self.tx).await?;
            let by_id: std::collections::HashMap<&str, &str> = chunk
                .iter()
                .map(|p| (p.id.as_str(), p.source.as_str()))
                .collect();
            for row in &found {
                let (id, other): (String, String) = (row.try_get("id")?, row.try_get("source")?);
                if by_id
                    .get(id.as_str())
                    .is_some_and(|source| *source != other)
                {
                    return Err(StoreError::Conflict(format!(
                        "id `{id}` already belongs to `{other}`"
                    )));
                }
            }
            let sources: std::collections::HashSet<&str> =
                chunk.iter().map(|p| p.source.as_str()).collect();
            updated += found
                .iter()
                .filter_map(|r| r.try_get::<String, _>("source").ok())
                .filter(|s| sources.contains(s.as_str()))
                .count() as u64;
            let sql = format!(
                "INSERT INTO pois (id, source, kind, name, description, lon, lat, ele, circuit_id, commune, insee, \
                 details, digest) VALUES {} \
                 ON CONFLICT (source) DO UPDATE SET id = excluded.id, kind = excluded.kind, name = excluded.name, \
                 description = excluded.description, lon = excluded.lon, lat = excluded.lat, ele = excluded.ele, \
                 circuit_id = excluded.circuit_id, commune = excluded.commune, insee = excluded.insee, \
                 details = excluded.details, digest = excluded.digest, \
                 updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
                placeholders(chunk.len(), 13)
            );
            let mut q = sqlx::query(&sql);
            for p in chunk {
                q = q
                    .bind(p.id.as_str())
                    .bind(&p.source)
                    .bind(p.kind.as_str())
                    .bind(&p.name)
                    .bind(&p.description)
                    .bind(p.pos.map(LonLat::lon))
                    .bind(p.pos.map(LonLat::lat))
                    .bind(p.ele)
                    .bind(p.circuit.as_ref().map(CircuitId::as_str))
                    .bind(p.commune.as_deref())
                    .bind(p.insee.as_ref().map(Insee::as_str))
                    .bind(encode_details(&p.details))
                    .bind(RecordRef::Poi(p).digest() as i64);
            }
            q.execute(&mut *self.tx).await?;
        }
        Ok((pois.len() as u64 - updated, updated))
    }

    async fn upsert_circuit(&mut self, c: &Circuit) -> StoreResult<Upsert> {
        self.touched.circuit(c.id.as_str());
        let outcome = self.existing("circuits", c.id.as_str(), &c.source).await?;
        let start = c
            .trace
            .start()
            .ok_or_else(|| StoreError::Conflict("a circuit needs a trace".into()))?;
        sqlx::query(
            "INSERT INTO circuits (id, source, name, summary, description, practice, themes, communes, trace, \
             start_lon, start_lat, length_m, ascent_m, descent_m, min_elevation_m, max_elevation_m, \
             duration_min, difficulty, circuit_type, published, practical, translations, intercommunalities, \
             digest) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (source) DO UPDATE SET id = excluded.id, name = excluded.name, \
             summary = excluded.summary, description = excluded.description, practice = excluded.practice, \
             themes = excluded.themes, communes = excluded.communes, trace = excluded.trace, \
             start_lon = excluded.start_lon, start_lat = excluded.start_lat, length_m = excluded.length_m, \
             ascent_m = excluded.ascent_m, descent_m = excluded.descent_m, \
             min_elevation_m = excluded.min_elevation_m, max_elevation_m = excluded.max_elevation_m, \
             duration_min = excluded.duration_min, difficulty = excluded.difficulty, \
             circuit_type = excluded.circuit_type, published = excluded.published, \
             practical = excluded.practical, translations = excluded.translations, \
             intercommunalities = excluded.intercommunalities, digest = excluded.digest, \
             updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        )
        .bind(c.id.as_str())
        .bind(&c.source)
        .bind(&c.name)
        .bind(&c.summary)
        .bind(&c.description)
        .bind(c.practice.as_str())
        .bind(encode_list(&c.themes))
        .bind(encode_list(&c.communes))
        .bind(encode_trace(&c.trace))
        .bind(start.lon())
        .bind(start.lat())
        .bind(c.stats.length_m)
        .bind(c.stats.ascent_m)
        .bind(c.stats.descent_m)
        .bind(c.stats.min_elevation_m)
        .bind(c.stats.max_elevation_m)
        .bind(i64::from(c.duration_min))
        .bind(c.difficulty.as_str())
        .bind(c.circuit_type.as_str())
        .bind(c.published)
        .bind(encode_json(&c.practical))
        .bind(encode_json(&c.translations))
        .bind(encode_list(&c.intercommunalities))
        .bind(RecordRef::Circuit(c).digest() as i64)
        .execute(&mut *self.tx)
        .await?;
        Ok(outcome)
    }

    /// The bulk statement with one row: the same checks and the same SQL.
    async fn upsert_poi(&mut self, p: &Poi) -> StoreResult<Upsert> {
        let (inserted, _) = self.upsert_poi_batch(std::slice::from_ref(p)).await?;
        Ok(if inserted == 1 {
            Upsert::Inserted
        } else {
            Upsert::Updated
        })
    }

    async fn upsert_commune(&mut self, c: &Commune) -> StoreResult<Upsert> {
        self.touched.communes();
        let known: Option<i64> = sqlx::query_scalar("SELECT 1 FROM communes WHERE code = ?")
            .bind(c.code.as_str())
            .fetch_optional(&mut *self.tx)
            .await?;
        sqlx::query(
            "INSERT INTO communes (code, name, intercommunality, polygons, digest, intercommunality_code) \
             VALUES (?, ?, ?, ?, ?, ?) \
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, \
             intercommunality = excluded.intercommunality, polygons = excluded.polygons, \
             intercommunality_code = excluded.intercommunality_code, \
             digest = excluded.digest, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        )
        .bind(c.code.as_str())
        .bind(&c.name)
        .bind(c.intercommunality.as_deref())
        .bind(encode_polygons(&c.polygons))
        .bind(RecordRef::Commune(c).digest() as i64)
        .bind(c.intercommunality_code.as_deref())
        .execute(&mut *self.tx)
        .await?;
        Ok(if known.is_some() {
            Upsert::Updated
        } else {
            Upsert::Inserted
        })
    }

    async fn set_circuit_places(
        &mut self,
        circuit: &CircuitId,
        communes: &[String],
        intercommunalities: &[String],
    ) -> StoreResult<()> {
        self.touched.circuit(circuit.as_str());
        sqlx::query(
            "UPDATE circuits SET communes = ?, intercommunalities = ?, digest = NULL, \
             updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
        )
        .bind(encode_list(communes))
        .bind(encode_list(intercommunalities))
        .bind(circuit.as_str())
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn upsert_landscape(&mut self, l: &Landscape) -> StoreResult<Upsert> {
        self.touched.landscapes();
        let outcome = self
            .existing("landscapes", l.id.as_str(), &l.source)
            .await?;
        let [west, south, east, north] = l.bbox();
        sqlx::query(
            "INSERT INTO landscapes (id, source, name, description, polygons, west, south, east, north, digest) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (source) DO UPDATE SET id = excluded.id, name = excluded.name, \
             description = excluded.description, polygons = excluded.polygons, west = excluded.west, \
             south = excluded.south, east = excluded.east, north = excluded.north, digest = excluded.digest, \
             updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        )
        .bind(l.id.as_str())
        .bind(&l.source)
        .bind(&l.name)
        .bind(&l.description)
        .bind(encode_polygons(&l.polygons))
        .bind(west)
        .bind(south)
        .bind(east)
        .bind(north)
        .bind(RecordRef::Landscape(l).digest() as i64)
        .execute(&mut *self.tx)
        .await?;
        Ok(outcome)
    }

    /// Bound multi-row statements: SQLite's JSON functions re-parse a row's text for
    /// every field they extract, which costs more than the writes at this volume.
    async fn upsert_observations(
        &mut self,
        observations: &[Observation],
    ) -> StoreResult<(u64, u64)> {
        let taxa = self.taxa_written.to_write(observations);
        for chunk in taxa.chunks(OBSERVATION_ROWS) {
            let sql = format!(
                "INSERT INTO taxa (key, scientific_name, vernacular_name, rank, kingdom, phylum, class, \"order\", \
                 family, genus, ids) VALUES {} \
                 ON CONFLICT (key) DO UPDATE SET scientific_name = excluded.scientific_name, \
                 vernacular_name = coalesce(excluded.vernacular_name, vernacular_name), \
                 rank = coalesce(excluded.rank, rank), kingdom = coalesce(excluded.kingdom, kingdom), \
                 phylum = coalesce(excluded.phylum, phylum), class = coalesce(excluded.class, class), \
                 \"order\" = coalesce(excluded.\"order\", \"order\"), family = coalesce(excluded.family, family), \
                 genus = coalesce(excluded.genus, genus), \
                 ids = CASE WHEN excluded.ids = '[]' THEN ids ELSE excluded.ids END",
                placeholders(chunk.len(), 11)
            );
            let mut q = sqlx::query(&sql);
            for t in chunk {
                q = q
                    .bind(&t.key)
                    .bind(&t.scientific_name)
                    .bind(&t.vernacular_name)
                    .bind(&t.rank)
                    .bind(&t.kingdom)
                    .bind(&t.phylum)
                    .bind(&t.class)
                    .bind(&t.order)
                    .bind(&t.family)
                    .bind(&t.genus)
                    .bind(encode_list(&t.ids));
            }
            q.execute(&mut *self.tx).await?;
        }
        self.taxa_written.remember(&taxa);
        let cells: Vec<(i32, i32)> = observations.iter().map(observation_cell).collect();
        let chunks: Vec<_> = observations
            .chunks(OBSERVATION_ROWS)
            .zip(cells.chunks(OBSERVATION_ROWS))
            .collect();
        let Self {
            tx, added_species, ..
        } = self;
        let mut values = chunks
            .first()
            .map(|&(o, c)| observation_values(o, c))
            .transpose()?;
        // A chunk wholly inserted, whose aggregates are added while the next is written.
        let mut to_add: Option<usize> = None;
        let mut inserted = 0u64;
        for (i, &(chunk, chunk_cells)) in chunks.iter().enumerate() {
            let Some(these) = values.take() else { break };
            // New rows first: on a fresh import this one statement does everything and
            // counts the insertions; rows already there are then upserted as updates.
            // SQLite writes on its connection's own thread: meanwhile this one binds the
            // next chunk's values.
            let sql = observations_sql(chunk.len(), "INSERT OR IGNORE");
            let (written, next) =
                tokio::join!(sqlx::query_with(&sql, these).execute(&mut **tx), async {
                    if let Some((o, c)) = to_add.take().map(|j| chunks[j]) {
                        added_species.add(o.iter().zip(c.iter().copied()));
                    }
                    chunks
                        .get(i + 1)
                        .map(|&(o, c)| observation_values(o, c))
                        .transpose()
                });
            values = next?;
            let added = written?.rows_affected();
            inserted += added;
            if (added as usize) < chunk.len() {
                // Some were there: which ones, the count does not tell.
                added_species.spoil();
                let sql = observations_sql(chunk.len(), "INSERT");
                sqlx::query_with(&sql, observation_values(chunk, chunk_cells)?)
                    .execute(&mut **tx)
                    .await?;
            } else {
                to_add = Some(i);
            }
        }
        if let Some((o, c)) = to_add.map(|j| chunks[j]) {
            added_species.add(o.iter().zip(c.iter().copied()));
        }
        Ok((inserted, observations.len() as u64 - inserted))
    }

    async fn upsert_media(&mut self, m: &Media, files: &[(u32, Vec<u8>)]) -> StoreResult<Upsert> {
        let owner_table = match m.owner {
            MediaOwner::Circuit(_) => "circuits",
            MediaOwner::Poi(_) => "pois",
        };
        let exists: Option<i64> =
            sqlx::query_scalar(&format!("SELECT 1 FROM {owner_table} WHERE id = ?"))
                .bind(m.owner.id())
                .fetch_optional(&mut *self.tx)
                .await?;
        if exists.is_none() {
            return Err(StoreError::Conflict(format!(
                "no {} `{}`",
                m.owner.kind(),
                m.owner.id()
            )));
        }
        let known: Option<i64> = sqlx::query_scalar(
            "SELECT position FROM media WHERE owner_kind = ? AND owner_id = ? AND id = ?",
        )
        .bind(m.owner.kind())
        .bind(m.owner.id())
        .bind(&m.id)
        .fetch_optional(&mut *self.tx)
        .await?;
        let position: i64 = match known {
            Some(p) => p,
            None => sqlx::query_scalar(
                "SELECT coalesce(max(position) + 1, 0) FROM media WHERE owner_kind = ? AND owner_id = ?",
            )
            .bind(m.owner.kind())
            .bind(m.owner.id())
            .fetch_one(&mut *self.tx)
            .await?,
        };
        sqlx::query(
            "INSERT INTO media (id, owner_kind, owner_id, kind, url, title, author, license, alt, width, height, \
             position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (owner_kind, owner_id, id) DO UPDATE SET kind = excluded.kind, url = excluded.url, \
             title = excluded.title, author = excluded.author, license = excluded.license, alt = excluded.alt, \
             width = excluded.width, height = excluded.height",
        )
        .bind(&m.id)
        .bind(m.owner.kind())
        .bind(m.owner.id())
        .bind(m.kind.as_str())
        .bind(&m.url)
        .bind(&m.title)
        .bind(&m.author)
        .bind(&m.license)
        .bind(&m.alt)
        .bind(m.width.map(i64::from))
        .bind(m.height.map(i64::from))
        .bind(position)
        .execute(&mut *self.tx)
        .await?;
        for (width, bytes) in files {
            // Content-addressed: the same photo has the same derivatives.
            sqlx::query("INSERT INTO media_files (media_id, width, bytes) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
                .bind(&m.id)
                .bind(i64::from(*width))
                .bind(bytes.as_slice())
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(if known.is_some() {
            Upsert::Updated
        } else {
            Upsert::Inserted
        })
    }

    async fn replace_sensitive_taxa(&mut self, list: &[(String, Sensitivity)]) -> StoreResult<()> {
        self.touched.sensitivity();
        sqlx::query("DELETE FROM sensitive_taxa")
            .execute(&mut *self.tx)
            .await?;
        let rows: Vec<serde_json::Value> = list
            .iter()
            .map(|(k, s)| serde_json::json!([k, s.level()]))
            .collect();
        sqlx::query(
            "INSERT INTO sensitive_taxa (key, level) SELECT value ->> 0, value ->> 1 FROM json_each(?) WHERE true \
             ON CONFLICT (key) DO UPDATE SET level = max(level, excluded.level)",
        )
        .bind(serde_json::Value::from(rows).to_string())
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn refresh_species(&mut self) -> StoreResult<()> {
        // The aggregates are read from the store when asked: no catalogue holds them.
        let list = list_of_rows(
            sqlx::query_as("SELECT key, level FROM sensitive_taxa")
                .fetch_all(&mut *self.tx)
                .await?,
        )?;
        let taxa = sqlx::query(&format!("SELECT {} FROM taxa", rows::TAXON_COLUMNS))
            .fetch_all(&mut *self.tx)
            .await?
            .iter()
            .map(rows::taxon)
            .collect::<StoreResult<Vec<_>>>()?;
        let changes = sensitivity_changes(&list, &taxa);
        for chunk in changes.chunks(KEY_CHUNK) {
            sqlx::query(
                "UPDATE taxa SET sensitivity = j.value ->> 1 FROM json_each(?) j \
                 WHERE taxa.key = j.value ->> 0",
            )
            .bind(serde_json::to_string(chunk).unwrap_or_default())
            .execute(&mut *self.tx)
            .await?;
        }
        let started = std::time::Instant::now();
        let added = self.added_species.take();
        let recount = added.is_none() || !changes.is_empty();
        match added {
            // Every taxon where it was: what was added is added to the aggregates.
            Some(added) if changes.is_empty() => {
                for chunk in added.chunks(SPECIES_ROWS) {
                    let source = format!(
                        "(SELECT column1 AS cell_x, column2 AS cell_y, column3 AS taxon, \
                         column4 AS months, column5 AS n FROM (VALUES {}))",
                        placeholders(chunk.len(), 5)
                    );
                    for sql in species_additions(&source, "sum(n)") {
                        let mut q = sqlx::query(&sql);
                        for ((x, y, taxon, months), n) in chunk {
                            q = q.bind(x).bind(y).bind(taxon.as_str()).bind(months).bind(n);
                        }
                        q.execute(&mut *self.tx).await?;
                    }
                }
            }
            _ => {
                sqlx::query("DELETE FROM species_cells")
                    .execute(&mut *self.tx)
                    .await?;
                // Counting sorts every observation: SQLite's sorter may merge on helper
                // threads, for this only (at a million on two cores, 1.3-1.7 s, not 1.9).
                let helpers = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
                sqlx::query(&format!("PRAGMA threads = {helpers}"))
                    .execute(&mut *self.tx)
                    .await?;
                for sql in species_additions("observations", "count(*)") {
                    sqlx::query(&sql).execute(&mut *self.tx).await?;
                }
                sqlx::query("PRAGMA threads = 0")
                    .execute(&mut *self.tx)
                    .await?;
            }
        }
        tracing::debug!(
            recount,
            took_ms = started.elapsed().as_millis() as u64,
            "species aggregates refreshed"
        );
        Ok(())
    }

    async fn delete(&mut self, kind: RecordKind, keys: &[&str]) -> StoreResult<u64> {
        // Observations are followed by `refresh_species`, circuits and POIs by the ids
        // gone (below), communes and landscape units are read again whole.
        if !keys.is_empty() {
            match kind {
                RecordKind::Commune => self.touched.communes(),
                RecordKind::Landscape => self.touched.landscapes(),
                RecordKind::Observation | RecordKind::Circuit | RecordKind::Poi => {}
            }
        }
        if kind == RecordKind::Observation && !keys.is_empty() {
            self.added_species.spoil();
        }
        let (table, key) = table_of(kind);
        let mut deleted = 0;
        for chunk in keys.chunks(KEY_CHUNK) {
            let list = encode_list(chunk);
            // What hangs on them first: media, and a circuit's own POIs with theirs.
            let owners = match kind {
                RecordKind::Circuit => Some(
                    "SELECT 'circuit', id FROM circuits WHERE source IN (SELECT value FROM json_each(?1)) \
                     UNION ALL SELECT 'poi', p.id FROM pois p JOIN circuits c ON c.id = p.circuit_id \
                     WHERE c.source IN (SELECT value FROM json_each(?1))",
                ),
                RecordKind::Poi => Some(
                    "SELECT 'poi', id FROM pois WHERE source IN (SELECT value FROM json_each(?1))",
                ),
                _ => None,
            };
            if let Some(owners) = owners {
                for row in (sqlx::query(owners).bind(&list))
                    .fetch_all(&mut *self.tx)
                    .await?
                {
                    self.touched.gone(row.try_get(0)?, row.try_get(1)?);
                }
                sqlx::query(&format!(
                    "DELETE FROM media WHERE (owner_kind, owner_id) IN ({owners})"
                ))
                .bind(&list)
                .execute(&mut *self.tx)
                .await?;
            }
            if kind == RecordKind::Circuit {
                sqlx::query(
                    "DELETE FROM pois WHERE circuit_id IN \
                     (SELECT id FROM circuits WHERE source IN (SELECT value FROM json_each(?)))",
                )
                .bind(&list)
                .execute(&mut *self.tx)
                .await?;
            }
            deleted += sqlx::query(&format!(
                "DELETE FROM {table} WHERE {key} IN (SELECT value FROM json_each(?))"
            ))
            .bind(&list)
            .execute(&mut *self.tx)
            .await?
            .rows_affected();
        }
        sqlx::query("DELETE FROM media_files WHERE media_id NOT IN (SELECT id FROM media)")
            .execute(&mut *self.tx)
            .await?;
        Ok(deleted)
    }

    async fn save_edit(
        &mut self,
        kind: RecordKind,
        key: &str,
        expected_version: i64,
        entry: &super::AuditEntry,
    ) -> StoreResult<i64> {
        super::edits_sqlite::save_edit(&mut self.tx, kind, key, expected_version, entry).await
    }

    async fn append_audit(
        &mut self,
        entries: &[(RecordKind, String, super::AuditEntry)],
    ) -> StoreResult<()> {
        super::edits_sqlite::append_audit(&mut self.tx, entries).await
    }

    async fn remember(
        &mut self,
        answer: &crate::contributions::Remembered,
        at: i64,
    ) -> StoreResult<bool> {
        self.remember_answer(answer, at).await
    }

    async fn move_contribution(
        &mut self,
        id: &str,
        entry: &crate::contributions::LogEntry,
        flag_reason: Option<&str>,
    ) -> StoreResult<bool> {
        self.touched.ratings();
        self.move_item(id, entry, flag_reason).await
    }

    async fn commit(mut self: Box<Self>) -> StoreResult<()> {
        let revision: i64 = sqlx::query_scalar(
            "UPDATE revision SET value = value + 1 WHERE id = 1 RETURNING value",
        )
        .fetch_one(&mut *self.tx)
        .await?;
        sqlx::query(
            "INSERT INTO changes (revision, kind, id) \
             SELECT ?1, json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?2)",
        )
        .bind(revision)
        .bind(serde_json::to_string(&self.touched.rows()).unwrap_or_default())
        .execute(&mut *self.tx)
        .await?;
        sqlx::query("DELETE FROM changes WHERE revision <= ?")
            .bind(revision - super::changes::KEPT_REVISIONS)
            .execute(&mut *self.tx)
            .await?;
        self.tx.commit().await?;
        Ok(())
    }
}
