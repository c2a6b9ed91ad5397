//! Staff edits on SQLite: a record's overrides and its audit log.

use super::sqlite::SqliteStore;
use super::{AuditEntry, EditStore, StoreError, StoreResult};
use crate::record::RecordKind;
use async_trait::async_trait;
use sqlx::{Sqlite, Transaction};

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
