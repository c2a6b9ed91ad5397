//! The embedded backend: one SQLite file (bundled library), WAL journal so that readers
//! never wait for an import, migrations embedded and run at open.

use super::codec::{decode_list, decode_trace, encode_list, encode_trace};
use super::{Counts, ImportTx, Store, StoreError, StoreResult, Upsert};
use crate::domain::{
    Circuit, CircuitId, CircuitSummary, Insee, LonLat, Poi, PoiId, PoiPoint, TraceStats,
};
use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Row, Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    pub async fn open(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // An import in another process holds the write lock for its whole file.
            .busy_timeout(Duration::from_secs(30));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(StoreError::Unavailable)?;
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool })
    }
}

const SUMMARY_COLUMNS: &str = "id, name, summary, description, practice, themes, communes, start_lon, start_lat, \
     length_m, ascent_m, descent_m, min_elevation_m, max_elevation_m, duration_min, difficulty, circuit_type";

const POI_COLUMNS: &str =
    "id, source, kind, name, description, lon, lat, ele, circuit_id, commune, insee";

fn parse<T: FromStr>(row: &SqliteRow, column: &str) -> StoreResult<T>
where
    T::Err: std::fmt::Display,
{
    let text: String = row.try_get(column)?;
    text.parse()
        .map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
}

fn lonlat(row: &SqliteRow, lon: &str, lat: &str) -> StoreResult<LonLat> {
    LonLat::new(row.try_get(lon)?, row.try_get(lat)?)
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn stats(row: &SqliteRow) -> StoreResult<TraceStats> {
    Ok(TraceStats {
        length_m: row.try_get("length_m")?,
        ascent_m: row.try_get("ascent_m")?,
        descent_m: row.try_get("descent_m")?,
        min_elevation_m: row.try_get("min_elevation_m")?,
        max_elevation_m: row.try_get("max_elevation_m")?,
    })
}

fn summary_from_row(row: &SqliteRow) -> StoreResult<CircuitSummary> {
    Ok(CircuitSummary {
        id: parse(row, "id")?,
        name: row.try_get("name")?,
        summary: row.try_get("summary")?,
        description: row.try_get("description")?,
        practice: parse(row, "practice")?,
        themes: decode_list(row.try_get("themes")?)?,
        communes: decode_list(row.try_get("communes")?)?,
        start: lonlat(row, "start_lon", "start_lat")?,
        stats: stats(row)?,
        duration_min: row.try_get::<i64, _>("duration_min")? as u32,
        difficulty: parse(row, "difficulty")?,
        circuit_type: parse(row, "circuit_type")?,
    })
}

fn poi_from_row(row: &SqliteRow) -> StoreResult<Poi> {
    let circuit: Option<String> = row.try_get("circuit_id")?;
    let insee: Option<String> = row.try_get("insee")?;
    Ok(Poi {
        id: parse(row, "id")?,
        source: row.try_get("source")?,
        kind: parse(row, "kind")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        pos: lonlat(row, "lon", "lat")?,
        ele: row.try_get("ele")?,
        circuit: circuit
            .map(CircuitId::new)
            .transpose()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        commune: row.try_get("commune")?,
        insee: insee
            .as_deref()
            .map(Insee::new)
            .transpose()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
    })
}

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

    async fn revision(&self) -> StoreResult<i64> {
        Ok(
            sqlx::query_scalar("SELECT value FROM revision WHERE id = 1")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    async fn counts(&self) -> StoreResult<Counts> {
        let row = sqlx::query(
            "SELECT (SELECT count(*) FROM circuits) AS c, (SELECT count(*) FROM pois) AS p",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(Counts {
            circuits: row.try_get::<i64, _>("c")? as u64,
            pois: row.try_get::<i64, _>("p")? as u64,
        })
    }

    async fn begin_import(&self) -> StoreResult<Box<dyn ImportTx>> {
        // BEGIN IMMEDIATE takes the write lock now, so two importers queue on the busy
        // timeout instead of failing half-way through a file.
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok(Box::new(SqliteImport { tx }))
    }

    async fn circuit_summaries(&self) -> StoreResult<Vec<CircuitSummary>> {
        let sql =
            format!("SELECT {SUMMARY_COLUMNS} FROM circuits WHERE published = 1 ORDER BY name, id");
        sqlx::query(&sql)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(summary_from_row)
            .collect()
    }

    async fn circuit(&self, id: &CircuitId) -> StoreResult<Option<Circuit>> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, source, trace, published FROM circuits WHERE id = ?"
        );
        let Some(row) = sqlx::query(&sql)
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let s = summary_from_row(&row)?;
        Ok(Some(Circuit {
            id: s.id,
            source: row.try_get("source")?,
            name: s.name,
            summary: s.summary,
            description: s.description,
            practice: s.practice,
            themes: s.themes,
            communes: s.communes,
            trace: decode_trace(row.try_get("trace")?)?,
            stats: s.stats,
            duration_min: s.duration_min,
            difficulty: s.difficulty,
            circuit_type: s.circuit_type,
            published: row.try_get("published")?,
        }))
    }

    async fn circuit_pois(&self, id: &CircuitId) -> StoreResult<Vec<Poi>> {
        let sql = format!("SELECT {POI_COLUMNS} FROM pois WHERE circuit_id = ? ORDER BY id");
        sqlx::query(&sql)
            .bind(id.as_str())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(poi_from_row)
            .collect()
    }

    async fn poi(&self, id: &PoiId) -> StoreResult<Option<Poi>> {
        let sql = format!("SELECT {POI_COLUMNS} FROM pois WHERE id = ?");
        sqlx::query(&sql)
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(poi_from_row)
            .transpose()
    }

    async fn poi_points(&self) -> StoreResult<Vec<PoiPoint>> {
        let rows = sqlx::query("SELECT id, kind, name, lon, lat FROM pois")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(PoiPoint {
                    id: parse(row, "id")?,
                    kind: parse(row, "kind")?,
                    name: row.try_get("name")?,
                    pos: lonlat(row, "lon", "lat")?,
                })
            })
            .collect()
    }
}

struct SqliteImport {
    tx: Transaction<'static, Sqlite>,
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
    async fn upsert_circuit(&mut self, c: &Circuit) -> StoreResult<Upsert> {
        let outcome = self.existing("circuits", c.id.as_str(), &c.source).await?;
        let start = c
            .trace
            .start()
            .ok_or_else(|| StoreError::Conflict("a circuit needs a trace".into()))?;
        sqlx::query(
            "INSERT INTO circuits (id, source, name, summary, description, practice, themes, communes, trace, \
             start_lon, start_lat, length_m, ascent_m, descent_m, min_elevation_m, max_elevation_m, \
             duration_min, difficulty, circuit_type, published) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (source) DO UPDATE SET id = excluded.id, name = excluded.name, \
             summary = excluded.summary, description = excluded.description, practice = excluded.practice, \
             themes = excluded.themes, communes = excluded.communes, trace = excluded.trace, \
             start_lon = excluded.start_lon, start_lat = excluded.start_lat, length_m = excluded.length_m, \
             ascent_m = excluded.ascent_m, descent_m = excluded.descent_m, \
             min_elevation_m = excluded.min_elevation_m, max_elevation_m = excluded.max_elevation_m, \
             duration_min = excluded.duration_min, difficulty = excluded.difficulty, \
             circuit_type = excluded.circuit_type, published = excluded.published, \
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
        .execute(&mut *self.tx)
        .await?;
        Ok(outcome)
    }

    async fn upsert_poi(&mut self, p: &Poi) -> StoreResult<Upsert> {
        let outcome = self.existing("pois", p.id.as_str(), &p.source).await?;
        sqlx::query(
            "INSERT INTO pois (id, source, kind, name, description, lon, lat, ele, circuit_id, commune, insee) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (source) DO UPDATE SET id = excluded.id, kind = excluded.kind, name = excluded.name, \
             description = excluded.description, lon = excluded.lon, lat = excluded.lat, ele = excluded.ele, \
             circuit_id = excluded.circuit_id, commune = excluded.commune, insee = excluded.insee, \
             updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        )
        .bind(p.id.as_str())
        .bind(&p.source)
        .bind(p.kind.as_str())
        .bind(&p.name)
        .bind(&p.description)
        .bind(p.pos.lon())
        .bind(p.pos.lat())
        .bind(p.ele)
        .bind(p.circuit.as_ref().map(CircuitId::as_str))
        .bind(p.commune.as_deref())
        .bind(p.insee.as_ref().map(Insee::as_str))
        .execute(&mut *self.tx)
        .await?;
        Ok(outcome)
    }

    async fn prune_circuit_pois(
        &mut self,
        circuit: &CircuitId,
        keep: &[PoiId],
    ) -> StoreResult<u64> {
        let keep: Vec<&str> = keep.iter().map(PoiId::as_str).collect();
        let result = sqlx::query(
            "DELETE FROM pois WHERE circuit_id = ? AND id NOT IN (SELECT value FROM json_each(?))",
        )
        .bind(circuit.as_str())
        .bind(serde_json::Value::from(keep).to_string())
        .execute(&mut *self.tx)
        .await?;
        Ok(result.rows_affected())
    }

    async fn commit(mut self: Box<Self>) -> StoreResult<()> {
        sqlx::query("UPDATE revision SET value = value + 1 WHERE id = 1")
            .execute(&mut *self.tx)
            .await?;
        self.tx.commit().await?;
        Ok(())
    }
}
