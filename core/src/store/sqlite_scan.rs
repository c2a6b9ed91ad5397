//! Reads of many rows from the SQLite file on blocking threads, through connections of
//! their own. The pool's connections hand every row over to the async side one at a
//! time, a thread wake-up each: for the million POI points of a start-up that hand-over
//! cost more than the reading and decoding together.

use super::rows;
use super::{StoreError, StoreResult};
use crate::domain::{Poi, PoiPoint, Sensitivity, SpeciesCell, Taxon};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The file's reading connections, kept between reads.
#[derive(Debug)]
pub(super) struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

/// Idle reading connections kept at most.
const IDLE_READERS: usize = 8;

impl Readers {
    pub(super) fn new(path: PathBuf) -> Arc<Self> {
        Arc::new(Self {
            path,
            idle: Mutex::new(Vec::new()),
        })
    }

    /// `read` on a blocking thread with an idle connection, or a new one.
    async fn read<T: Send + 'static>(
        self: &Arc<Self>,
        read: impl FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let readers = self.clone();
        tokio::task::spawn_blocking(move || {
            let idle = readers.idle.lock().ok().and_then(|mut idle| idle.pop());
            let db = match idle {
                Some(db) => db,
                None => open(&readers.path)?,
            };
            let out = read(&db);
            if let Ok(mut idle) = readers.idle.lock()
                && idle.len() < IDLE_READERS
            {
                idle.push(db);
            }
            out
        })
        .await
        .map_err(|e| StoreError::Corrupt(format!("a read of the file stopped: {e}")))?
    }
}

/// How much of the file a reading connection maps.
const MAPPED_BYTES: i64 = 1 << 30;

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Database(sqlx::Error::AnyDriverError(Box::new(e)))
    }
}

/// Every located POI's point, as [`super::ReadStore::poi_points`] returns them.
pub(super) async fn poi_points(readers: &Arc<Readers>) -> StoreResult<Vec<PoiPoint>> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let path = readers.path.clone();
    tokio::task::spawn_blocking(move || read_poi_points(&path, cores))
        .await
        .map_err(|e| StoreError::Corrupt(format!("reading the POI points stopped: {e}")))?
}

/// The digests `sql` selects (key, digest) for each of `lists` (JSON arrays of keys,
/// its one parameter), as [`super::ImportStore::digests`] returns them.
pub(super) async fn digests(
    readers: &Arc<Readers>,
    sql: String,
    lists: Vec<String>,
) -> StoreResult<Vec<(String, Option<u64>)>> {
    readers
        .read(move |db| {
            let mut out = Vec::new();
            for list in &lists {
                each_row(db, &sql, [list], |found| {
                    let digest: Option<i64> = found.row.get(1)?;
                    out.push((found.row.get(0)?, digest.map(|d| d as u64)));
                    Ok(())
                })?;
            }
            Ok(out)
        })
        .await
}

/// The POIs of the kinds in `kinds` (a JSON array), by id, as
/// [`super::ReadStore::pois_of_kinds`] returns them: all the fauna and flora of a
/// territory when the catalogue weighs them against the sensitivity list.
pub(super) async fn pois_of_kinds(readers: &Arc<Readers>, kinds: String) -> StoreResult<Vec<Poi>> {
    readers
        .read(move |db| {
            let sql = format!(
                "SELECT {} FROM pois WHERE kind IN (SELECT value FROM json_each(?)) ORDER BY id",
                super::sqlite::POI_COLUMNS
            );
            let mut pois = Vec::new();
            each_row(db, &sql, [kinds], |row| {
                pois.push(rows::poi(row)?);
                Ok(())
            })?;
            Ok(pois)
        })
        .await
}

/// Cells per statement: three variables each, well under SQLite's limit.
const CELLS_PER_STATEMENT: usize = 300;

/// Taxa per statement.
const TAXA_PER_STATEMENT: usize = 500;

/// The aggregates of `cells` and the taxa they name, as
/// [`super::SpeciesStore::species_in`] returns them: a sheet's species along its trace.
pub(super) async fn species_in(
    readers: &Arc<Readers>,
    cells: Vec<(u32, i32, i32)>,
) -> StoreResult<(Vec<SpeciesCell>, Vec<(Taxon, Sensitivity)>)> {
    readers
        .read(move |db| {
            let mut found = Vec::new();
            for chunk in cells.chunks(CELLS_PER_STATEMENT) {
                let values = (chunk.iter())
                    .flat_map(|&(size, x, y)| [i64::from(size), i64::from(x), i64::from(y)]);
                let sql = super::sqlite::species_in_sql(chunk.len());
                each_row(db, &sql, values, |row| {
                    found.push(rows::species_cell(row)?);
                    Ok(())
                })?;
            }
            let keys: std::collections::BTreeSet<&str> =
                found.iter().map(|c| c.taxon.as_str()).collect();
            let keys: Vec<&str> = keys.into_iter().collect();
            let mut taxa = Vec::new();
            for chunk in keys.chunks(TAXA_PER_STATEMENT) {
                let sql = super::sqlite::taxa_in_sql(chunk.len());
                each_row(db, &sql, chunk.iter(), |row| {
                    taxa.push(rows::taxon(row)?);
                    Ok(())
                })?;
            }
            Ok((found, taxa))
        })
        .await
}

/// `each` for every row `sql` selects with `values` bound in order; the statement is
/// kept prepared by the connection for the next read.
fn each_row<V: rusqlite::ToSql>(
    db: &Connection,
    sql: &str,
    values: impl IntoIterator<Item = V>,
    mut each: impl FnMut(&rows::NamedRow<'_>) -> StoreResult<()>,
) -> StoreResult<()> {
    let mut statement = db.prepare_cached(sql)?;
    let names: Vec<String> = statement
        .column_names()
        .into_iter()
        .map(String::from)
        .collect();
    let mut found = statement.query(rusqlite::params_from_iter(values))?;
    while let Some(row) = found.next()? {
        each(&rows::NamedRow { row, names: &names })?;
    }
    Ok(())
}

/// The points are read in `parts` ranges of rowid (one per core), each by its own
/// connection and thread, each part in one read transaction. Parts read at slightly
/// different moments are fine: a commit landing meanwhile moves the revision the
/// catalogue was loaded at, so its records are read again when the catalogue follows it.
fn read_poi_points(path: &Path, parts: usize) -> StoreResult<Vec<PoiPoint>> {
    let db = open_mapped(path)?;
    let (first, last): (Option<i64>, Option<i64>) =
        db.query_row("SELECT min(rowid), max(rowid) FROM pois", [], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?;
    let (Some(first), Some(last)) = (first, last) else {
        return Ok(Vec::new());
    };
    let ranges = rowid_ranges(first, last, parts);
    let parts: Vec<StoreResult<Vec<PoiPoint>>> = std::thread::scope(|scope| {
        let others: Vec<_> = (ranges[1..].iter())
            .map(|&range| scope.spawn(move || read_points_in(&open_mapped(path)?, range)))
            .collect();
        let mut parts = vec![read_points_in(&db, ranges[0])];
        for other in others {
            parts.push(other.join().unwrap_or_else(|_| {
                Err(StoreError::Corrupt("reading the POI points stopped".into()))
            }));
        }
        parts
    });
    let mut points = Vec::new();
    for part in parts {
        let part = part?;
        if points.is_empty() {
            points = part;
        } else {
            points.extend(part);
        }
    }
    points.shrink_to_fit();
    Ok(points)
}

/// `[first, last]` cut into at most `parts` ranges of rowid, in order, the last one
/// open-ended so that rows added since the bounds were read are not left out.
fn rowid_ranges(first: i64, last: i64, parts: usize) -> Vec<(i64, i64)> {
    let span = (last - first).saturating_add(1).max(1);
    let parts = (parts.max(1) as i64).min(span);
    let step = (span - 1) / parts + 1;
    (0..parts)
        .map(|i| {
            let from = first.saturating_add(i * step);
            let to = if i + 1 == parts {
                i64::MAX
            } else {
                from.saturating_add(step - 1)
            };
            (if i == 0 { i64::MIN } else { from }, to)
        })
        .collect()
}

fn read_points_in(db: &Connection, (from, to): (i64, i64)) -> StoreResult<Vec<PoiPoint>> {
    let mut points = Vec::new();
    each_row(db, super::sqlite::POI_POINTS_SELECT, [from, to], |row| {
        points.push(rows::poi_point(row)?);
        Ok(())
    })?;
    Ok(points)
}

/// A connection that only reads (a replica's file may be read-only), on a file the
/// pool has opened and migrated: it does not create one, and waits out a writer's
/// checkpoint like the pool does.
fn open(path: &Path) -> StoreResult<Connection> {
    let db = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    db.busy_timeout(Duration::from_secs(30))?;
    Ok(db)
}

/// [`open`], the file's pages mapped rather than copied into the connection's own
/// cache: for a read of the whole table, by a connection closed right after (a kept
/// one would keep every page it touched mapped).
fn open_mapped(path: &Path) -> StoreResult<Connection> {
    let db = open(path)?;
    db.pragma_update(None, "mmap_size", MAPPED_BYTES)?;
    Ok(db)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{PoiId, Translation};
    use crate::store::sqlite::SqliteStore;
    use crate::store::{ImportStore, OpenOptions, testing};

    #[test]
    fn rowid_ranges_cover_every_rowid_once_in_order() {
        assert_eq!(
            rowid_ranges(1, 10, 3),
            [(i64::MIN, 4), (5, 8), (9, i64::MAX)]
        );
        assert_eq!(rowid_ranges(7, 7, 4), [(i64::MIN, i64::MAX)]);
        assert_eq!(rowid_ranges(1, 3, 8).len(), 3, "no more parts than rows");
        assert_eq!(rowid_ranges(1, 3, 0), [(i64::MIN, i64::MAX)]);
    }

    #[tokio::test]
    async fn every_split_reads_the_points_the_pool_reads() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("scan.db");
        let url = format!("sqlite://{}", path.display());
        let store = SqliteStore::open(&url, OpenOptions { migrate: true })
            .await
            .expect("open");
        let mut pois = testing::synthetic_pois(40, 7);
        pois[3].pos = None;
        pois[5].details.translations.insert(
            "en".into(),
            Translation {
                name: Some("The \"mill\"".into()),
                ..Default::default()
            },
        );
        let mut tx = store.begin_import().await.expect("begin");
        tx.upsert_pois(&pois).await.expect("pois");
        tx.commit().await.expect("commit");
        // Holes in the rowids, as deletions leave them.
        sqlx::query("DELETE FROM pois WHERE rowid IN (1, 2, 20)")
            .execute(&store.pool)
            .await
            .expect("delete");
        let by_pool = rows::poi_points(
            sqlx::query(crate::store::sqlite::POI_POINTS_SELECT)
                .bind(i64::MIN)
                .bind(i64::MAX)
                .fetch(&store.pool),
        )
        .await
        .expect("pool");
        assert_eq!(
            by_pool.len(),
            36,
            "40 POIs, one without position, three deleted"
        );
        assert!(
            by_pool
                .iter()
                .any(|p| p.names == [("en".into(), "The \"mill\"".into())])
        );
        for parts in [1, 2, 3, 7, 100] {
            let read = read_poi_points(&path, parts).expect("read");
            assert_eq!(read, by_pool, "{parts} parts");
        }
        let mut ids: Vec<&PoiId> = by_pool.iter().map(|p| &p.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 36);
    }

    #[tokio::test]
    async fn an_empty_table_has_no_points_and_a_missing_file_is_an_error() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("empty.db");
        let url = format!("sqlite://{}", path.display());
        SqliteStore::open(&url, OpenOptions { migrate: true })
            .await
            .expect("open");
        assert_eq!(read_poi_points(&path, 2).expect("read"), []);
        let missing = dir.path().join("missing.db");
        assert!(read_poi_points(&missing, 2).is_err());
        assert!(!missing.exists(), "a read does not create the file");
    }
}
