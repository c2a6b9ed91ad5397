//! Staff edits on SQLite: a record's overrides and its audit log.

use super::sqlite::SqliteStore;
use super::{AuditEntry, EditStore, PoiListed, StoreError, StoreResult};
use crate::domain::{PoiId, PoiKind};
use crate::record::RecordKind;
use async_trait::async_trait;
use sqlx::{Sqlite, Transaction};

/// Audit entries per statement: 7 bound values each, under SQLite's 32,766.
const AUDIT_ROWS: usize = 2_000;

type Row = (i64, i64, String, String, String, String, String);

fn entry(r: Row) -> StoreResult<AuditEntry> {
    let json = |s: &str| {
        serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("audit entry: {e}")))
    };
    Ok(AuditEntry {
        version: r.0,
        at: r.1,
        actor: r.2,
        origin: r.3,
        changes: json(&r.4)?,
        view: json(&r.5)?,
        overrides: json(&r.6)?,
    })
}

#[async_trait]
impl EditStore for SqliteStore {
    async fn overrides(
        &self,
        kind: RecordKind,
        keys: &[&str],
    ) -> StoreResult<Vec<(String, String)>> {
        let mut out = Vec::new();
        for chunk in keys.chunks(10_000) {
            let rows: Vec<(String, String)> = sqlx::query_as(
                "SELECT key, fields FROM record_edits \
                 WHERE kind = ? AND key IN (SELECT value FROM json_each(?))",
            )
            .bind(kind.as_str())
            .bind(serde_json::to_string(chunk).unwrap_or_default())
            .fetch_all(&self.pool)
            .await?;
            out.extend(rows);
        }
        Ok(out)
    }

    async fn search_pois(
        &self,
        words: &[String],
        kind: Option<PoiKind>,
        limit: u32,
        offset: u32,
    ) -> StoreResult<(u64, Vec<PoiListed>)> {
        // One condition per word, numbered after the kind's placeholder.
        let mut filter = String::from("(?1 IS NULL OR kind = ?1)");
        for n in 0..words.len() {
            filter.push_str(&format!(" AND lower(name) LIKE ?{} ESCAPE '\\'", n + 2));
        }
        let (lim, off) = (words.len() + 2, words.len() + 3);
        // The words are text: LIKE's wildcards in them are escaped.
        let patterns: Vec<String> = words
            .iter()
            .map(|w| {
                let w = w
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                format!("%{w}%")
            })
            .collect();
        let kind = kind.map(|k| k.as_str().to_owned());
        let count_sql = format!("SELECT COUNT(*) FROM pois WHERE {filter}");
        let mut count = sqlx::query_scalar::<_, i64>(&count_sql).bind(kind.clone());
        for p in &patterns {
            count = count.bind(p.clone());
        }
        let total = count.fetch_one(&self.pool).await?;
        let sql = format!(
            "SELECT id, name, kind, commune FROM pois WHERE {filter} ORDER BY name, id \
             LIMIT ?{} OFFSET ?{}",
            lim, off
        );
        let mut page =
            sqlx::query_as::<_, (String, String, String, Option<String>)>(&sql).bind(kind);
        for p in &patterns {
            page = page.bind(p.clone());
        }
        let rows = page
            .bind(i64::from(limit))
            .bind(i64::from(offset))
            .fetch_all(&self.pool)
            .await?;
        Ok((
            total as u64,
            rows.into_iter()
                .map(|(id, name, kind, commune)| PoiListed {
                    id,
                    name,
                    kind,
                    commune,
                })
                .collect(),
        ))
    }

    async fn unpublished_pois(&self) -> StoreResult<Vec<PoiId>> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT p.id FROM record_edits e JOIN pois p ON p.source = e.key \
             WHERE e.kind = 'poi' AND json_extract(e.fields, '$.published') = 0",
        )
        .fetch_all(&self.pool)
        .await?;
        ids.into_iter()
            .map(|id| PoiId::new(&id).map_err(|e| StoreError::Corrupt(e.to_string())))
            .collect()
    }

    async fn history(&self, kind: RecordKind, key: &str) -> StoreResult<Vec<AuditEntry>> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT version, at, actor, origin, changes, view, overrides FROM audit_log \
             WHERE kind = ? AND key = ? ORDER BY version",
        )
        .bind(kind.as_str())
        .bind(key)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(entry).collect()
    }
}

/// [`super::ImportTx::save_edit`] in an SQLite transaction (which holds the write lock
/// since its `BEGIN IMMEDIATE`: the version read is the last).
pub(super) async fn save_edit(
    tx: &mut Transaction<'static, Sqlite>,
    kind: RecordKind,
    key: &str,
    expected_version: i64,
    e: &AuditEntry,
) -> StoreResult<i64> {
    let last: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(version), 0) FROM audit_log WHERE kind = ? AND key = ?",
    )
    .bind(kind.as_str())
    .bind(key)
    .fetch_one(&mut **tx)
    .await?;
    if last != expected_version {
        return Err(StoreError::Conflict(format!(
            "{kind} `{key}` was edited meanwhile (version {last})"
        )));
    }
    let overrides = e.overrides.to_string();
    if e.overrides.as_object().is_none_or(|o| o.is_empty()) {
        sqlx::query("DELETE FROM record_edits WHERE kind = ? AND key = ?")
            .bind(kind.as_str())
            .bind(key)
            .execute(&mut **tx)
            .await?;
    } else {
        sqlx::query(
            "INSERT INTO record_edits (kind, key, fields) VALUES (?, ?, ?) \
             ON CONFLICT (kind, key) DO UPDATE SET fields = excluded.fields",
        )
        .bind(kind.as_str())
        .bind(key)
        .bind(&overrides)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query(
        "INSERT INTO audit_log (kind, key, version, at, actor, origin, changes, view, overrides) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(kind.as_str())
    .bind(key)
    .bind(last + 1)
    .bind(e.at)
    .bind(&e.actor)
    .bind(&e.origin)
    .bind(e.changes.to_string())
    .bind(e.view.to_string())
    .bind(&overrides)
    .execute(&mut **tx)
    .await?;
    Ok(last + 1)
}

/// [`super::ImportTx::append_audit`] in an SQLite transaction: the entries as one JSON
/// array a statement, a few thousand at a time (a statement per entry cost seconds at
/// 100,000 records).
pub(super) async fn append_audit(
    tx: &mut Transaction<'static, Sqlite>,
    entries: &[(RecordKind, String, AuditEntry)],
) -> StoreResult<()> {
    // Bound rows, not one JSON array: SQLite's `json_extract` parses the whole text again
    // for every field, and an import job writes an entry per record it creates.
    for chunk in entries.chunks(AUDIT_ROWS) {
        let sql = format!(
            "INSERT INTO audit_log (kind, key, version, at, actor, origin, changes, view, overrides) \
             SELECT u.column1, u.column2, \
               COALESCE((SELECT MAX(a.version) FROM audit_log a WHERE a.kind = u.column1 AND a.key = u.column2), 0) + 1, \
               u.column3, u.column4, u.column5, u.column6, u.column7, \
               COALESCE((SELECT e.fields FROM record_edits e WHERE e.kind = u.column1 AND e.key = u.column2), '{{}}') \
             FROM (VALUES {}) AS u",
            super::sqlite::placeholders(chunk.len(), 7)
        );
        let mut q = sqlx::query(&sql);
        for (kind, key, e) in chunk {
            q = q
                .bind(kind.as_str())
                .bind(key.as_str())
                .bind(e.at)
                .bind(e.actor.as_str())
                .bind(e.origin.as_str())
                .bind(e.changes.to_string())
                .bind(e.view.to_string());
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}
