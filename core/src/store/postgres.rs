//! The scale-out backend: PostgreSQL + PostGIS. Geometries are PostGIS columns (SRID
//! 4326) that cross the wire as WKB (`bytea`, see [`super::wkb`]); every commit bumps the revision and
//! sends a NOTIFY so that every server sharing the database reloads at once.

use super::codec::{
    encode_details, encode_json, encode_list, encode_polygons, encode_trace, observation_cell,
    observation_rows,
};
use super::species_added::AddedSpecies;
use super::{
    ChangeFeed, Counts, ImportStore, ImportTx, MediaStore, OpenOptions, ReadStore, SpeciesStore,
    Store, StoreError, StoreResult, Upsert, list_of_rows, prefix_end, sensitivity_changes,
    table_of,
};
use super::{rows, wkb};
use crate::domain::{
    Circuit, CircuitId, CircuitSummary, Commune, Insee, Landscape, LonLat, Media, MediaOwner,
    Observation, Poi, PoiId, PoiKind, PoiPoint, Sensitivity, SpeciesCell, Taxon, Trace,
};
use crate::record::{Record, RecordKind, RecordRef};
use async_trait::async_trait;
use sqlx::ConnectOptions;
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use sqlx::{PgPool, Postgres, Row, Transaction};
use std::str::FromStr;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The NOTIFY channel of committed changes.
pub const CHANGES_CHANNEL: &str = "balade_changes";

/// Connections per process, unless `BALADE_DB_POOL` says otherwise. Servers answer hot
/// paths from memory, so few connections go a long way.
pub const DEFAULT_POOL_SIZE: u32 = 16;

/// No single statement may hold a connection longer than this.
pub const STATEMENT_TIMEOUT: &str = "15s";

#[derive(Debug, Clone)]
pub struct PostgresStore {
    pub(super) pool: PgPool,
}

impl PostgresStore {
    /// The media of owners of one kind, by owner then position.
    async fn media_where(&self, kind: &str, ids: &[&str]) -> StoreResult<Vec<Media>> {
        sqlx::query(&format!(
            "{MEDIA_SELECT} WHERE m.owner_kind = $1 AND m.owner_id = ANY($2) \
             ORDER BY m.owner_id, m.position, m.id"
        ))
        .bind(kind)
        .bind(ids)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(rows::media)
        .collect()
    }

    pub async fn open(url: &str, open: OpenOptions) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)?
            .application_name("balade")
            .options([("statement_timeout", STATEMENT_TIMEOUT), ("jit", "off")])
            // Imports rebuild aggregates in seconds by design: slow statements go to the
            // debug log, not the import's output.
            .log_slow_statements(log::LevelFilter::Debug, Duration::from_secs(1));
        let size = std::env::var("BALADE_DB_POOL")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(DEFAULT_POOL_SIZE);
        let pool = PgPoolOptions::new()
            // One more than asked for: a server's change listener holds one for good.
            .max_connections(size.max(1) + 1)
            .min_connections(0)
            // A request waits this long at most for a connection: when the database is
            // down, callers get a quick "unavailable" rather than a hung request.
            .acquire_timeout(Duration::from_secs(3))
            .idle_timeout(Duration::from_secs(300))
            .connect_with(options)
            .await
            .map_err(StoreError::Unavailable)?;
        if open.migrate {
            MIGRATOR.run(&pool).await?;
        }
        Ok(Self { pool })
    }
}

fn circuit_columns() -> String {
    format!(
        "{}, source, trace::text AS trace, published, practical::text AS practical",
        summary_columns()
    )
}

/// The summary fields, with PostGIS and JSON values turned into what `rows` reads.
fn summary_columns() -> String {
    rows::SUMMARY_FIELDS
        .iter()
        .map(|f| match *f {
            "themes" | "communes" | "intercommunalities" | "translations" => {
                format!("{f}::text AS {f}")
            }
            "start_lon" => "ST_AsBinary(start) AS start_wkb".to_owned(),
            "start_lat" => String::new(),
            other => other.to_owned(),
        })
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Media items with their derivatives' widths and sizes, as [`rows::media`] reads them.
const MEDIA_SELECT: &str = "SELECT m.id, m.owner_kind, m.owner_id, m.kind, m.url, m.title, \
     m.author, m.license, m.alt, m.width::bigint AS width, m.height::bigint AS height, \
     m.position::bigint AS position, \
     (SELECT string_agg(f.width || ':' || octet_length(f.bytes), ',' ORDER BY f.width) \
     FROM media_files f WHERE f.media_id = m.id) AS files FROM media m";

/// Observations with their taxon, as [`rows::observation`] reads them.
const OBSERVATION_SELECT: &str = "SELECT o.source, o.event_start, o.event_end, \
     o.months::bigint AS months, ST_AsBinary(o.geom) AS pos_wkb, o.uncertainty_m, o.count, \
     o.basis, o.license, t.key, t.scientific_name, t.vernacular_name, t.rank, t.kingdom, \
     t.phylum, t.class, t.\"order\", t.family, t.genus, t.sensitivity::bigint AS sensitivity, t.ids \
     FROM observations o JOIN taxa t ON t.key = o.taxon";

const LANDSCAPE_SELECT: &str =
    "SELECT id, source, name, description, polygons::text AS polygons FROM landscapes";
const COMMUNE_SELECT: &str = "SELECT code, name, intercommunality, intercommunality_code, polygons::text AS polygons \
     FROM communes";

/// Keys per statement when reading or deleting records by key.
const KEY_CHUNK: usize = 2_000;

const POI_COLUMNS: &str = "id, source, kind, name, description, ST_AsBinary(geom) AS pos_wkb, ele, circuit_id, commune, insee, details::text AS details";

#[async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
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
impl ReadStore for PostgresStore {
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
        let sql = format!("SELECT {} FROM circuits WHERE published", summary_columns());
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
            "SELECT {} FROM circuits WHERE published AND id = ANY($1)",
            summary_columns()
        );
        sqlx::query(&sql)
            .bind(&ids)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(rows::summary)
            .collect()
    }

    async fn circuit(&self, id: &CircuitId) -> StoreResult<Option<Circuit>> {
        let sql = format!("SELECT {} FROM circuits WHERE id = $1", circuit_columns());
        let row = sqlx::query(&sql)
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(rows::circuit).transpose()
    }

    async fn circuit_pois(&self, id: &CircuitId) -> StoreResult<Vec<Poi>> {
        let sql = format!("SELECT {POI_COLUMNS} FROM pois WHERE circuit_id = $1 ORDER BY id");
        sqlx::query(&sql)
            .bind(id.as_str())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(rows::poi)
            .collect()
    }

    async fn poi(&self, id: &PoiId) -> StoreResult<Option<Poi>> {
        let sql = format!("SELECT {POI_COLUMNS} FROM pois WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(rows::poi).transpose()
    }

    async fn pois(&self, ids: &[PoiId]) -> StoreResult<Vec<Poi>> {
        let ids: Vec<&str> = ids.iter().map(PoiId::as_str).collect();
        let sql = format!("SELECT {POI_COLUMNS} FROM pois WHERE id = ANY($1)");
        sqlx::query(&sql)
            .bind(&ids)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(rows::poi)
            .collect()
    }

    async fn poi_points(&self) -> StoreResult<Vec<PoiPoint>> {
        let rows = sqlx::query(
            "SELECT id, kind, name, ST_AsBinary(geom) AS pos_wkb, (details->'translations')::text AS names FROM pois WHERE geom IS NOT NULL",
        )
        .fetch(&self.pool);
        rows::poi_points(rows).await
    }

    async fn pois_of_kinds(&self, kinds: &[PoiKind]) -> StoreResult<Vec<Poi>> {
        let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
        let sql = format!("SELECT {POI_COLUMNS} FROM pois WHERE kind = ANY($1) ORDER BY id");
        sqlx::query(&sql)
            .bind(&kinds)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(rows::poi)
            .collect()
    }

    async fn pois_near(
        &self,
        center: LonLat,
        radius_m: f64,
        limit: usize,
        kinds: &[PoiKind],
    ) -> StoreResult<Vec<(PoiPoint, f64)>> {
        // The GiST index on geom::geography gives nearest-first order (`<->`, on the
        // sphere) and the radius test; the sphere is cheap to test, so it is used with
        // 0.5 % to spare, and the exact spheroid distance decides for the few rows kept.
        // The point stays inline in each expression so the planner sees a constant.
        let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX / 2);
        let found = sqlx::query(
            "SELECT id, kind, name, pos_wkb, names, distance_m FROM ( \
               SELECT id, kind, name, ST_AsBinary(geom) AS pos_wkb, (details->'translations')::text AS names, \
               ST_Distance(geom::geography, ST_GeomFromWKB($1, 4326)::geography) AS distance_m \
               FROM pois \
               WHERE ST_DWithin(geom::geography, ST_GeomFromWKB($1, 4326)::geography, $2 * 1.005, false) \
               AND (cardinality($4::text[]) = 0 OR kind = ANY($4)) \
               ORDER BY geom::geography <-> ST_GeomFromWKB($1, 4326)::geography \
               LIMIT $3 + 8) AS near \
             WHERE distance_m <= $2 ORDER BY distance_m, id LIMIT $3",
        )
        .bind(wkb::point(center))
        .bind(radius_m)
        .bind(limit)
        .bind(kinds)
        .fetch_all(&self.pool)
        .await?;
        let mut hits = found
            .iter()
            .map(|row| Ok((rows::poi_point(row)?, row.try_get::<f64, _>("distance_m")?)))
            .collect::<StoreResult<Vec<_>>>()?;
        hits.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.id.cmp(&b.0.id)));
        Ok(hits)
    }

    async fn pois_along(&self, trace: &Trace, width_m: f64) -> StoreResult<Vec<(PoiPoint, f64)>> {
        let Some(line) = wkb::multi_line_string(trace) else {
            return Ok(Vec::new());
        };
        // The trace is parsed once, then cut into pieces of a few vertices: each piece's
        // small box lets the index keep only the POIs beside it, where one box around a
        // 16 km trace would hand over thousands to an exact test (60 times slower).
        let found = sqlx::query(
            "WITH pieces AS ( \
               SELECT ST_Subdivide(ST_GeomFromWKB($1, 4326), 8)::geography AS g) \
             SELECT id, kind, name, ST_AsBinary(geom) AS pos_wkb, (details->'translations')::text AS names, \
             min(ST_Distance(p.geom::geography, pieces.g)) AS distance_m \
             FROM pieces JOIN pois p ON ST_DWithin(p.geom::geography, pieces.g, $2) \
             GROUP BY id, kind, name, geom, details ORDER BY distance_m, id",
        )
        .bind(line)
        .bind(width_m)
        .fetch_all(&self.pool)
        .await?;
        found
            .iter()
            .map(|row| Ok((rows::poi_point(row)?, row.try_get::<f64, _>("distance_m")?)))
            .collect()
    }

    async fn landscapes(&self) -> StoreResult<Vec<Landscape>> {
        let found = sqlx::query(&format!("{LANDSCAPE_SELECT} ORDER BY id"))
            .fetch_all(&self.pool)
            .await?;
        found.iter().map(rows::landscape).collect()
    }

    async fn communes(&self) -> StoreResult<Vec<Commune>> {
        let found = sqlx::query(&format!("{COMMUNE_SELECT} ORDER BY code"))
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
impl MediaStore for PostgresStore {
    async fn media_of(&self, owner: &MediaOwner) -> StoreResult<Vec<Media>> {
        self.media_where(owner.kind(), &[owner.id()]).await
    }

    async fn media_of_pois(&self, ids: &[PoiId]) -> StoreResult<Vec<Media>> {
        let ids: Vec<&str> = ids.iter().map(PoiId::as_str).collect();
        self.media_where("poi", &ids).await
    }

    async fn media_file(&self, id: &str, width: u32) -> StoreResult<Option<Vec<u8>>> {
        Ok(
            sqlx::query_scalar("SELECT bytes FROM media_files WHERE media_id = $1 AND width = $2")
                .bind(id)
                .bind(width as i32)
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
impl SpeciesStore for PostgresStore {
    async fn species(&self) -> StoreResult<(Vec<SpeciesCell>, Vec<(Taxon, Sensitivity)>)> {
        let cells = sqlx::query(
            "SELECT size_m::bigint AS size_m, x::bigint AS x, y::bigint AS y, taxon, months::bigint AS months, \
             observations FROM species_cells",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(rows::species_cell)
        .collect::<StoreResult<_>>()?;
        let sql = format!(
            "SELECT {} FROM (SELECT *, sensitivity::bigint AS level FROM taxa) t \
             WHERE key IN (SELECT DISTINCT taxon FROM species_cells) ORDER BY key",
            rows::TAXON_COLUMNS.replace("sensitivity", "level AS sensitivity")
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
        let sizes: Vec<i32> = cells.iter().map(|c| c.0 as i32).collect();
        let xs: Vec<i32> = cells.iter().map(|c| c.1).collect();
        let ys: Vec<i32> = cells.iter().map(|c| c.2).collect();
        let found = sqlx::query(
            "SELECT c.size_m::bigint AS size_m, c.x::bigint AS x, c.y::bigint AS y, c.taxon, \
             c.months::bigint AS months, c.observations \
             FROM unnest($1::integer[], $2::integer[], $3::integer[]) AS w(size_m, x, y) \
             JOIN species_cells c ON c.size_m = w.size_m AND c.x = w.x AND c.y = w.y",
        )
        .bind(&sizes)
        .bind(&xs)
        .bind(&ys)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(rows::species_cell)
        .collect::<StoreResult<Vec<_>>>()?;
        let keys: std::collections::BTreeSet<&str> =
            found.iter().map(|c| c.taxon.as_str()).collect();
        let keys: Vec<&str> = keys.into_iter().collect();
        let sql = format!(
            "SELECT {} FROM (SELECT *, sensitivity::bigint AS level FROM taxa) t \
             WHERE key = ANY($1) ORDER BY key",
            rows::TAXON_COLUMNS.replace("sensitivity", "level AS sensitivity")
        );
        let taxa = sqlx::query(&sql)
            .bind(&keys)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(rows::taxon)
            .collect::<StoreResult<_>>()?;
        Ok((found, taxa))
    }

    async fn observations_page(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<Observation>> {
        sqlx::query(&format!(
            "{OBSERVATION_SELECT} WHERE o.source > $1 ORDER BY o.source LIMIT $2"
        ))
        .bind(after.unwrap_or(""))
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(rows::observation)
        .collect()
    }

    async fn taxa(&self) -> StoreResult<Vec<(Taxon, Sensitivity)>> {
        let sql = format!(
            "SELECT {} FROM (SELECT *, sensitivity::bigint AS level FROM taxa) t ORDER BY key",
            rows::TAXON_COLUMNS.replace("sensitivity", "level AS sensitivity")
        );
        sqlx::query(&sql)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(rows::taxon)
            .collect()
    }

    async fn sensitive_taxa(&self) -> StoreResult<Vec<(String, Sensitivity)>> {
        sqlx::query("SELECT key, level::bigint AS level FROM sensitive_taxa ORDER BY key")
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
impl ImportStore for PostgresStore {
    async fn changes(&self, after: i64, upto: i64) -> StoreResult<Option<super::changes::Changes>> {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT revision, kind, id FROM changes WHERE revision > $1 AND revision <= $2",
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
        let tx = self.pool.begin().await?;
        Ok(Box::new(PostgresImport {
            tx,
            touched: Default::default(),
            added_species: AddedSpecies::default(),
            taxa_written: Default::default(),
        }))
    }

    async fn subscribe(&self) -> StoreResult<Option<Box<dyn ChangeFeed>>> {
        let mut listener = PgListener::connect_with(&self.pool)
            .await
            .map_err(StoreError::Unavailable)?;
        listener.listen(CHANGES_CHANNEL).await?;
        Ok(Some(Box::new(Notices { listener })))
    }

    async fn digests(
        &self,
        kind: RecordKind,
        keys: &[&str],
    ) -> StoreResult<Vec<(String, Option<u64>)>> {
        let (table, key) = table_of(kind);
        let sql = format!("SELECT {key}, digest FROM {table} WHERE {key} = ANY($1)");
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(KEY_CHUNK) {
            let rows: Vec<(String, Option<i64>)> = sqlx::query_as(&sql)
                .bind(chunk)
                .fetch_all(&self.pool)
                .await?;
            out.extend(rows.into_iter().map(|(k, d)| (k, d.map(|d| d as u64))));
        }
        Ok(out)
    }

    async fn existing(&self, kind: RecordKind, keys: &[&str]) -> StoreResult<Vec<Record>> {
        let sql = match kind {
            RecordKind::Circuit => {
                format!(
                    "SELECT {} FROM circuits WHERE source = ANY($1)",
                    circuit_columns()
                )
            }
            RecordKind::Poi => format!("SELECT {POI_COLUMNS} FROM pois WHERE source = ANY($1)"),
            RecordKind::Landscape => format!("{LANDSCAPE_SELECT} WHERE source = ANY($1)"),
            RecordKind::Commune => format!("{COMMUNE_SELECT} WHERE code = ANY($1)"),
            RecordKind::Observation => format!("{OBSERVATION_SELECT} WHERE o.source = ANY($1)"),
        };
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(KEY_CHUNK) {
            for row in sqlx::query(&sql).bind(chunk).fetch_all(&self.pool).await? {
                out.push(rows::record(kind, &row)?);
            }
        }
        Ok(out)
    }

    async fn any_key(&self, kind: RecordKind, prefix: &str) -> StoreResult<bool> {
        let (table, key) = table_of(kind);
        // Byte order, whatever the database's collation.
        let sql = format!(
            "SELECT 1 FROM {table} WHERE {key} COLLATE \"C\" >= $1 AND {key} COLLATE \"C\" < $2 LIMIT 1"
        );
        let found: Option<i32> = sqlx::query_scalar(&sql)
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
        let (table, key) = table_of(kind);
        // Byte order, whatever the database's collation.
        let sql = format!(
            "SELECT {key} FROM {table} WHERE {key} COLLATE \"C\" >= $1 AND {key} COLLATE \"C\" < $2"
        );
        let end = prefix_end(prefix);
        let mut rows = sqlx::query_scalar::<_, String>(&sql)
            .bind(prefix)
            .bind(&end)
            .fetch(&self.pool);
        while let Some(k) = futures_util::TryStreamExt::try_next(&mut rows).await? {
            each(&k);
        }
        Ok(())
    }

    async fn id_keys(&self, kind: RecordKind, ids: &[&str]) -> StoreResult<Vec<(String, String)>> {
        let (table, key) = table_of(kind);
        if matches!(kind, RecordKind::Commune | RecordKind::Observation) {
            return Ok(Vec::new());
        }
        let sql = format!("SELECT id, {key} FROM {table} WHERE id = ANY($1)");
        let mut out = Vec::new();
        for chunk in ids.chunks(KEY_CHUNK) {
            for row in sqlx::query(&sql).bind(chunk).fetch_all(&self.pool).await? {
                out.push((row.try_get(0)?, row.try_get(1)?));
            }
        }
        Ok(out)
    }
}

struct Notices {
    listener: PgListener,
}

#[async_trait]
impl ChangeFeed for Notices {
    async fn changed(&mut self) -> StoreResult<()> {
        // `try_recv` returns None when the connection dropped; the caller resubscribes.
        match self.listener.try_recv().await? {
            Some(_) => Ok(()),
            None => Err(StoreError::Unavailable(sqlx::Error::PoolClosed)),
        }
    }
}

pub(super) struct PostgresImport {
    pub(super) tx: Transaction<'static, Postgres>,
    /// What the catalogue must follow, written to the change log at commit.
    touched: super::changes::Touched,
    /// The observations added since the species aggregates were last right.
    added_species: AddedSpecies,
    /// The taxa this transaction wrote, as it wrote them.
    taxa_written: super::taxa_written::TaxaWritten,
}

/// The taxa of a batch (`observation_rows`' first array): a better name replaces the
/// stored one, a missing field keeps it.
const TAXA_UPSERT: &str = "INSERT INTO taxa (key, scientific_name, vernacular_name, rank, kingdom, phylum, class, \"order\", \
     family, genus, ids) \
     SELECT e->>0, e->>1, e->>2, e->>3, e->>4, e->>5, e->>6, e->>7, e->>8, e->>9, e->>10 \
     FROM jsonb_array_elements($1::jsonb) e \
     ON CONFLICT (key) DO UPDATE SET scientific_name = excluded.scientific_name, \
     vernacular_name = coalesce(excluded.vernacular_name, taxa.vernacular_name), \
     rank = coalesce(excluded.rank, taxa.rank), kingdom = coalesce(excluded.kingdom, taxa.kingdom), \
     phylum = coalesce(excluded.phylum, taxa.phylum), class = coalesce(excluded.class, taxa.class), \
     \"order\" = coalesce(excluded.\"order\", taxa.\"order\"), \
     family = coalesce(excluded.family, taxa.family), genus = coalesce(excluded.genus, taxa.genus), \
     ids = CASE WHEN excluded.ids = '[]' THEN taxa.ids ELSE excluded.ids END";

/// Added aggregates per statement.
const SPECIES_ROWS: usize = 10_000;

/// The statement that adds the observations of `source` (a relation `o` of `cell_x`,
/// `cell_y`, `taxon`, `months`, each row counting for `count`) to the public
/// aggregates: ordinary taxa in 1 km cells, sensitive ones in 10 km cells, strict ones
/// in none; a cell already there adds the count.
fn species_additions(source: &str, count: &str) -> String {
    format!(
        "INSERT INTO species_cells (size_m, x, y, taxon, months, observations) \
         SELECT CASE WHEN t.sensitivity >= 1 THEN 10000 ELSE 1000 END, \
         CASE WHEN t.sensitivity >= 1 THEN floor(o.cell_x / 10.0)::int ELSE o.cell_x END, \
         CASE WHEN t.sensitivity >= 1 THEN floor(o.cell_y / 10.0)::int ELSE o.cell_y END, \
         o.taxon, o.months, {count} \
         FROM {source} JOIN taxa t ON t.key = o.taxon WHERE t.sensitivity < 2 \
         GROUP BY 1, 2, 3, 4, 5 \
         ON CONFLICT (size_m, x, y, taxon, months) \
         DO UPDATE SET observations = species_cells.observations + excluded.observations"
    )
}

impl PostgresImport {
    /// Whether `source` is new; refuses an id taken by another source.
    async fn existing(&mut self, table: &str, id: &str, source: &str) -> StoreResult<Upsert> {
        let sql = format!("SELECT source FROM {table} WHERE id = $1 OR source = $2");
        let found = sqlx::query(&sql)
            .bind(id)
            .bind(source)
            .fetch_all(&mut *self.tx)
            .await?;
        for row in &found {
            let other: String = row.try_get("source")?;
            if other != source {
                return Err(StoreError::Conflict(format!(
                    "id `{id}` already belongs to `{other}`"
                )));
            }
        }
        Ok(if found.is_empty() {
            Upsert::Inserted
        } else {
            Upsert::Updated
        })
    }
}

#[async_trait]
impl ImportTx for PostgresImport {
    /// One statement for many POIs: arrays in, `UNNEST` out. The conflict check is the
    /// same as for one POI: an id may not move to another source.
    async fn upsert_poi_batch(&mut self, pois: &[Poi]) -> StoreResult<(u64, u64)> {
        pois.iter().for_each(|p| self.touched.poi(p.id.as_str()));
        let ids: Vec<&str> = pois.iter().map(|p| p.id.as_str()).collect();
        let sources: Vec<&str> = pois.iter().map(|p| p.source.as_str()).collect();
        let clash = sqlx::query(
            "SELECT p.id, p.source FROM pois p JOIN UNNEST($1::text[], $2::text[]) AS n(id, source) \
             ON p.id = n.id AND p.source <> n.source LIMIT 1",
        )
        .bind(&ids)
        .bind(&sources)
        .fetch_optional(&mut *self.tx)
        .await?;
        if let Some(row) = clash {
            let (id, other): (String, String) = (row.try_get("id")?, row.try_get("source")?);
            return Err(StoreError::Conflict(format!(
                "id `{id}` already belongs to `{other}`"
            )));
        }
        let rows = sqlx::query(
            "INSERT INTO pois (id, source, kind, name, description, geom, ele, circuit_id, commune, insee, details, \
             digest) \
             SELECT id, source, kind, name, description, ST_GeomFromWKB(wkb, 4326), ele, circuit_id, commune, insee, \
             details::jsonb, digest \
             FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bytea[], $7::float8[], \
             $8::text[], $9::text[], $10::text[], $11::text[], $12::int8[]) \
             AS n(id, source, kind, name, description, wkb, ele, circuit_id, commune, insee, details, digest) \
             ON CONFLICT (source) DO UPDATE SET id = excluded.id, kind = excluded.kind, name = excluded.name, \
             description = excluded.description, geom = excluded.geom, ele = excluded.ele, \
             circuit_id = excluded.circuit_id, commune = excluded.commune, insee = excluded.insee, \
             details = excluded.details, digest = excluded.digest, updated_at = now() \
             RETURNING (xmax = 0) AS inserted",
        )
        .bind(&ids)
        .bind(&sources)
        .bind(pois.iter().map(|p| p.kind.as_str()).collect::<Vec<_>>())
        .bind(pois.iter().map(|p| p.name.as_str()).collect::<Vec<_>>())
        .bind(pois.iter().map(|p| p.description.as_str()).collect::<Vec<_>>())
        .bind(pois.iter().map(|p| p.pos.map(wkb::point)).collect::<Vec<_>>())
        .bind(pois.iter().map(|p| p.ele).collect::<Vec<_>>())
        .bind(pois.iter().map(|p| p.circuit.as_ref().map(CircuitId::as_str)).collect::<Vec<_>>())
        .bind(pois.iter().map(|p| p.commune.as_deref()).collect::<Vec<_>>())
        .bind(pois.iter().map(|p| p.insee.as_ref().map(Insee::as_str)).collect::<Vec<_>>())
        .bind(pois.iter().map(|p| encode_details(&p.details)).collect::<Vec<_>>())
        .bind(pois.iter().map(|p| RecordRef::Poi(p).digest() as i64).collect::<Vec<_>>())
        .fetch_all(&mut *self.tx)
        .await?;
        let inserted = rows
            .iter()
            .filter(|r| r.try_get::<bool, _>("inserted").unwrap_or(false))
            .count() as u64;
        Ok((inserted, rows.len() as u64 - inserted))
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
             geom, start, length_m, ascent_m, descent_m, min_elevation_m, max_elevation_m, \
             duration_min, difficulty, circuit_type, published, practical, translations, intercommunalities, \
             digest) \
             VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9::jsonb, \
             ST_GeomFromWKB($10, 4326), ST_GeomFromWKB($11, 4326), \
             $12, $13, $14, $15, $16, $17, $18, $19, $20, $21::jsonb, $22::jsonb, $23::jsonb, $24) \
             ON CONFLICT (source) DO UPDATE SET id = excluded.id, name = excluded.name, \
             summary = excluded.summary, description = excluded.description, practice = excluded.practice, \
             themes = excluded.themes, communes = excluded.communes, trace = excluded.trace, \
             geom = excluded.geom, start = excluded.start, length_m = excluded.length_m, \
             ascent_m = excluded.ascent_m, descent_m = excluded.descent_m, \
             min_elevation_m = excluded.min_elevation_m, max_elevation_m = excluded.max_elevation_m, \
             duration_min = excluded.duration_min, difficulty = excluded.difficulty, \
             circuit_type = excluded.circuit_type, published = excluded.published, \
             practical = excluded.practical, translations = excluded.translations, \
             intercommunalities = excluded.intercommunalities, digest = excluded.digest, \
             updated_at = now()",
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
        .bind(wkb::multi_line_string(&c.trace))
        .bind(wkb::point(start))
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
        let known: Option<i64> =
            sqlx::query_scalar("SELECT 1::bigint FROM communes WHERE code = $1")
                .bind(c.code.as_str())
                .fetch_optional(&mut *self.tx)
                .await?;
        sqlx::query(
            "INSERT INTO communes (code, name, intercommunality, polygons, geom, digest, \
             intercommunality_code) \
             VALUES ($1, $2, $3, $4::jsonb, ST_GeomFromWKB($5, 4326), $6, $7) \
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, \
             intercommunality = excluded.intercommunality, polygons = excluded.polygons, \
             intercommunality_code = excluded.intercommunality_code, \
             geom = excluded.geom, digest = excluded.digest, updated_at = now()",
        )
        .bind(c.code.as_str())
        .bind(&c.name)
        .bind(c.intercommunality.as_deref())
        .bind(encode_polygons(&c.polygons))
        .bind(wkb::multi_polygon(&c.polygons))
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
            "UPDATE circuits SET communes = $1::jsonb, intercommunalities = $2::jsonb, \
             digest = NULL, updated_at = now() WHERE id = $3",
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
        sqlx::query(
            "INSERT INTO landscapes (id, source, name, description, polygons, geom, digest) \
             VALUES ($1, $2, $3, $4, $5::jsonb, ST_GeomFromWKB($6, 4326), $7) \
             ON CONFLICT (source) DO UPDATE SET id = excluded.id, name = excluded.name, \
             description = excluded.description, polygons = excluded.polygons, geom = excluded.geom, \
             digest = excluded.digest, updated_at = now()",
        )
        .bind(l.id.as_str())
        .bind(&l.source)
        .bind(&l.name)
        .bind(&l.description)
        .bind(encode_polygons(&l.polygons))
        .bind(wkb::multi_polygon(&l.polygons))
        .bind(RecordRef::Landscape(l).digest() as i64)
        .execute(&mut *self.tx)
        .await?;
        Ok(outcome)
    }

    async fn upsert_observations(
        &mut self,
        observations: &[Observation],
    ) -> StoreResult<(u64, u64)> {
        let to_write = self.taxa_written.to_write(observations);
        let (taxa, rows) = observation_rows(observations, &to_write);
        if !to_write.is_empty() {
            sqlx::query(TAXA_UPSERT)
                .bind(&taxa)
                .execute(&mut *self.tx)
                .await?;
            self.taxa_written.remember(&to_write);
        }
        let inserted = sqlx::query(
            "INSERT INTO observations (source, taxon, event_start, event_end, months, geom, cell_x, cell_y, \
             uncertainty_m, count, basis, license, digest) \
             SELECT e->>0, e->>1, e->>2, e->>3, (e->>4)::int, \
             ST_SetSRID(ST_MakePoint((e->>5)::float8, (e->>6)::float8), 4326), (e->>7)::int, (e->>8)::int, \
             (e->>9)::float8, (e->>10)::bigint, e->>11, e->>12, (e->>13)::bigint \
             FROM jsonb_array_elements($1::jsonb) e \
             ON CONFLICT (source) DO UPDATE SET taxon = excluded.taxon, event_start = excluded.event_start, \
             event_end = excluded.event_end, months = excluded.months, geom = excluded.geom, \
             cell_x = excluded.cell_x, cell_y = excluded.cell_y, uncertainty_m = excluded.uncertainty_m, \
             count = excluded.count, basis = excluded.basis, license = excluded.license, \
             digest = excluded.digest \
             RETURNING (xmax = 0) AS inserted",
        )
        .bind(&rows)
        .fetch_all(&mut *self.tx)
        .await?
        .iter()
        .map(|r| r.try_get::<bool, _>("inserted"))
        .collect::<Result<Vec<bool>, _>>()?
        .into_iter()
        .filter(|i| *i)
        .count() as u64;
        if inserted == observations.len() as u64 {
            self.added_species
                .add(observations.iter().map(|o| (o, observation_cell(o))));
        } else {
            self.added_species.spoil();
        }
        Ok((inserted, observations.len() as u64 - inserted))
    }

    async fn upsert_media(&mut self, m: &Media, files: &[(u32, Vec<u8>)]) -> StoreResult<Upsert> {
        let owner_table = match m.owner {
            MediaOwner::Circuit(_) => "circuits",
            MediaOwner::Poi(_) => "pois",
        };
        let exists: Option<i32> =
            sqlx::query_scalar(&format!("SELECT 1 FROM {owner_table} WHERE id = $1"))
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
        let known: Option<i32> = sqlx::query_scalar(
            "SELECT position FROM media WHERE owner_kind = $1 AND owner_id = $2 AND id = $3",
        )
        .bind(m.owner.kind())
        .bind(m.owner.id())
        .bind(&m.id)
        .fetch_optional(&mut *self.tx)
        .await?;
        let position: i32 = match known {
            Some(p) => p,
            None => sqlx::query_scalar(
                "SELECT coalesce(max(position) + 1, 0) FROM media WHERE owner_kind = $1 AND owner_id = $2",
            )
            .bind(m.owner.kind())
            .bind(m.owner.id())
            .fetch_one(&mut *self.tx)
            .await?,
        };
        sqlx::query(
            "INSERT INTO media (id, owner_kind, owner_id, kind, url, title, author, license, alt, width, height, \
             position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
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
        .bind(m.width.map(|w| w as i32))
        .bind(m.height.map(|h| h as i32))
        .bind(position)
        .execute(&mut *self.tx)
        .await?;
        for (width, bytes) in files {
            // Content-addressed: the same photo has the same derivatives.
            sqlx::query("INSERT INTO media_files (media_id, width, bytes) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(&m.id)
                .bind(*width as i32)
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
            "INSERT INTO sensitive_taxa (key, level) \
             SELECT e->>0, max((e->>1)::smallint) FROM jsonb_array_elements($1::jsonb) e GROUP BY 1",
        )
        .bind(serde_json::Value::from(rows).to_string())
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn refresh_species(&mut self) -> StoreResult<()> {
        // The aggregates are read from the store when asked: no catalogue holds them.
        let list = list_of_rows(
            sqlx::query_as("SELECT key, level::bigint FROM sensitive_taxa")
                .fetch_all(&mut *self.tx)
                .await?,
        )?;
        let sql = format!(
            "SELECT {} FROM (SELECT *, sensitivity::bigint AS level FROM taxa) t",
            rows::TAXON_COLUMNS.replace("sensitivity", "level AS sensitivity")
        );
        let taxa = sqlx::query(&sql)
            .fetch_all(&mut *self.tx)
            .await?
            .iter()
            .map(rows::taxon)
            .collect::<StoreResult<Vec<_>>>()?;
        let changes = sensitivity_changes(&list, &taxa);
        for chunk in changes.chunks(KEY_CHUNK) {
            sqlx::query(
                "UPDATE taxa SET sensitivity = (j.e ->> 1)::int \
                 FROM jsonb_array_elements($1::jsonb) AS j(e) WHERE taxa.key = j.e ->> 0",
            )
            .bind(serde_json::to_string(chunk).unwrap_or_default())
            .execute(&mut *self.tx)
            .await?;
        }
        match self.added_species.take() {
            // Every taxon where it was: what was added is added to the aggregates.
            Some(added) if changes.is_empty() => {
                let sql = species_additions(
                    "(SELECT (e->>0)::int AS cell_x, (e->>1)::int AS cell_y, e->>2 AS taxon, \
                     (e->>3)::int AS months, (e->>4)::bigint AS n \
                     FROM jsonb_array_elements($1::jsonb) e) o",
                    "sum(o.n)",
                );
                for chunk in added.chunks(SPECIES_ROWS) {
                    let rows: Vec<_> = (chunk.iter())
                        .map(|((x, y, taxon, months), n)| {
                            serde_json::json!([x, y, taxon.as_str(), months, n])
                        })
                        .collect();
                    sqlx::query(&sql)
                        .bind(serde_json::Value::from(rows).to_string())
                        .execute(&mut *self.tx)
                        .await?;
                }
            }
            _ => {
                sqlx::query("DELETE FROM species_cells")
                    .execute(&mut *self.tx)
                    .await?;
                sqlx::query(&species_additions("observations o", "count(*)"))
                    .execute(&mut *self.tx)
                    .await?;
            }
        }
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
            // What hangs on them first: media, and a circuit's own POIs with theirs.
            let owners = match kind {
                RecordKind::Circuit => Some(
                    "SELECT 'circuit', id FROM circuits WHERE source = ANY($1) \
                     UNION ALL SELECT 'poi', p.id FROM pois p JOIN circuits c ON c.id = p.circuit_id \
                     WHERE c.source = ANY($1)",
                ),
                RecordKind::Poi => Some("SELECT 'poi', id FROM pois WHERE source = ANY($1)"),
                _ => None,
            };
            if let Some(owners) = owners {
                for row in (sqlx::query(owners).bind(chunk))
                    .fetch_all(&mut *self.tx)
                    .await?
                {
                    self.touched.gone(row.try_get(0)?, row.try_get(1)?);
                }
                sqlx::query(&format!(
                    "DELETE FROM media WHERE (owner_kind, owner_id) IN ({owners})"
                ))
                .bind(chunk)
                .execute(&mut *self.tx)
                .await?;
            }
            if kind == RecordKind::Circuit {
                sqlx::query(
                    "DELETE FROM pois WHERE circuit_id IN (SELECT id FROM circuits WHERE source = ANY($1))",
                )
                .bind(chunk)
                .execute(&mut *self.tx)
                .await?;
            }
            deleted += sqlx::query(&format!("DELETE FROM {table} WHERE {key} = ANY($1)"))
                .bind(chunk)
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
        super::edits_postgres::save_edit(&mut self.tx, kind, key, expected_version, entry).await
    }

    async fn append_audit(
        &mut self,
        entries: &[(RecordKind, String, super::AuditEntry)],
    ) -> StoreResult<()> {
        super::edits_postgres::append_audit(&mut self.tx, entries).await
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
        // The notice is delivered only if the transaction commits.
        let revision: i64 = sqlx::query_scalar(
            "WITH bumped AS (UPDATE revision SET value = value + 1 WHERE id = 1 RETURNING value) \
             SELECT value FROM bumped, LATERAL (SELECT pg_notify($1, value::text)) n",
        )
        .bind(CHANGES_CHANNEL)
        .fetch_one(&mut *self.tx)
        .await?;
        sqlx::query(
            "INSERT INTO changes (revision, kind, id) \
             SELECT $1, r->>0, r->>1 FROM jsonb_array_elements($2::jsonb) r",
        )
        .bind(revision)
        .bind(serde_json::to_string(&self.touched.rows()).unwrap_or_default())
        .execute(&mut *self.tx)
        .await?;
        sqlx::query("DELETE FROM changes WHERE revision <= $1")
            .bind(revision - super::changes::KEPT_REVISIONS)
            .execute(&mut *self.tx)
            .await?;
        self.tx.commit().await?;
        Ok(())
    }
}
