//! [`ContributionStore`] and the contribution moves of [`super::ImportTx`], on both
//! backends: the statements are the same on SQLite and PostgreSQL (both read `$N`
//! placeholders), so they are written once.

use super::rows::contribution;
use super::{ContributionStore, StoreResult};
use crate::contributions::{Contribution, Filter, Kind, LogEntry, Rating, Remembered, Status};
use async_trait::async_trait;

pub(super) const COLUMNS: &str = "id, kind, status, created_at, updated_at, circuit, target, \
     field, rating, name, text, category, lon, lat, commune, email, token_hash, flag_reasons, \
     photos";

/// The `WHERE` of a filter, its placeholders numbered from `$1`, and its values.
fn filter_sql(filter: &Filter) -> (String, Vec<String>) {
    let mut conditions = Vec::new();
    let mut values = Vec::new();
    let mut bind = |column: &str, value: &str, values: &mut Vec<String>| {
        values.push(value.to_owned());
        conditions.push(format!("{column} = ${}", values.len()));
    };
    if let Some(kind) = filter.kind {
        bind("kind", kind.as_str(), &mut values);
    }
    if let Some(c) = &filter.circuit {
        bind("circuit", c, &mut values);
    }
    if let Some(c) = &filter.commune {
        bind("commune", c, &mut values);
    }
    if let Some(c) = &filter.category {
        bind("category", c, &mut values);
    }
    if !filter.statuses.is_empty() {
        let mut list = Vec::new();
        for s in &filter.statuses {
            values.push(s.as_str().to_owned());
            list.push(format!("${}", values.len()));
        }
        conditions.push(format!("status IN ({})", list.join(", ")));
    }
    let sql = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    (sql, values)
}

fn reasons_json(reasons: &[String]) -> String {
    serde_json::to_string(reasons).unwrap_or_else(|_| "[]".into())
}

fn status_of(s: &str) -> StoreResult<Status> {
    Status::parse(s).ok_or_else(|| super::StoreError::Corrupt(format!("status `{s}`")))
}

/// The implementation for one backend: its store, its import transaction, and how it
/// opens a write transaction (SQLite takes the write lock at once).
macro_rules! contribution_store {
    ($store:ty, $import:ty, $($begin:tt)+) => {
        #[async_trait]
        impl ContributionStore for $store {
            async fn remembered(&self, key: &str) -> StoreResult<Option<Remembered>> {
                let row: Option<(i64, String)> = sqlx::query_as(
                    "SELECT status, body FROM idempotency WHERE key = $1",
                )
                .bind(key)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(|(status, body)| Remembered {
                    key: key.to_owned(),
                    status: u16::try_from(status).unwrap_or(500),
                    body,
                }))
            }

            async fn add_contribution(
                &self,
                item: &Contribution,
                photos: &[Vec<u8>],
                remember: Option<&Remembered>,
            ) -> StoreResult<Option<Remembered>> {
                let mut tx = self.pool.$($begin)+.await?;
                if let Some(r) = remember {
                    // The key first: a second request with it waits here for the first
                    // to commit, then finds its answer.
                    let taken: Option<String> = sqlx::query_scalar(
                        "INSERT INTO idempotency (key, status, body, at) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (key) DO NOTHING RETURNING key",
                    )
                    .bind(&r.key)
                    .bind(i64::from(r.status))
                    .bind(&r.body)
                    .bind(item.created_at)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if taken.is_none() {
                        drop(tx);
                        return self.remembered(&r.key).await;
                    }
                }
                sqlx::query(&format!(
                    "INSERT INTO contributions ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, \
                     $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)"
                ))
                .bind(&item.id)
                .bind(item.kind.as_str())
                .bind(item.status.as_str())
                .bind(item.created_at)
                .bind(item.updated_at)
                .bind(&item.circuit)
                .bind(&item.target)
                .bind(&item.field)
                .bind(item.rating.map(i64::from))
                .bind(&item.name)
                .bind(&item.text)
                .bind(&item.category)
                .bind(item.lon)
                .bind(item.lat)
                .bind(&item.commune)
                .bind(&item.email)
                .bind(&item.token_hash)
                .bind(reasons_json(&item.flag_reasons))
                .bind(photos.len() as i64)
                .execute(&mut *tx)
                .await?;
                for (n, bytes) in photos.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO contribution_photos (contribution_id, n, bytes) \
                         VALUES ($1, $2, $3)",
                    )
                    .bind(&item.id)
                    .bind(n as i64)
                    .bind(bytes)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(None)
            }

            async fn contribution(&self, id: &str) -> StoreResult<Option<Contribution>> {
                sqlx::query(&format!(
                    "SELECT {COLUMNS} FROM contributions WHERE id = $1"
                ))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .as_ref()
                .map(contribution)
                .transpose()
            }

            async fn contributions(
                &self,
                filter: &Filter,
            ) -> StoreResult<(u64, Vec<Contribution>)> {
                let (conditions, values) = filter_sql(filter);
                let count_sql = format!("SELECT COUNT(*) FROM contributions {conditions}");
                let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
                for v in &values {
                    count = count.bind(v);
                }
                let total = count.fetch_one(&self.pool).await?;
                let list_sql = format!(
                    "SELECT {COLUMNS} FROM contributions {conditions} \
                     ORDER BY created_at DESC, id LIMIT {} OFFSET {}",
                    filter.limit, filter.offset
                );
                let list_sql = (&list_sql);
                let mut list = sqlx::query(&list_sql);
                for v in &values {
                    list = list.bind(v);
                }
                let items = list
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(contribution)
                    .collect::<StoreResult<Vec<_>>>()?;
                Ok((total.max(0) as u64, items))
            }

            async fn contribution_counts(&self) -> StoreResult<Vec<(Kind, Status, u64)>> {
                let rows: Vec<(String, String, i64)> = sqlx::query_as(
                    "SELECT kind, status, COUNT(*) FROM contributions GROUP BY kind, status",
                )
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|(k, s, n)| {
                        let kind = Kind::parse(&k).ok_or_else(|| {
                            super::StoreError::Corrupt(format!("contribution kind `{k}`"))
                        })?;
                        Ok((kind, status_of(&s)?, n.max(0) as u64))
                    })
                    .collect()
            }

            async fn contribution_photo(&self, id: &str, n: u32) -> StoreResult<Option<Vec<u8>>> {
                Ok(sqlx::query_scalar(
                    "SELECT bytes FROM contribution_photos WHERE contribution_id = $1 AND n = $2",
                )
                .bind(id)
                .bind(i64::from(n))
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn contribution_log(&self, id: &str) -> StoreResult<Vec<LogEntry>> {
                let rows: Vec<(i64, String, String, String, String)> = sqlx::query_as(
                    "SELECT at, actor, decision, from_status, to_status FROM contribution_log \
                     WHERE contribution_id = $1 ORDER BY n",
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|(at, actor, decision, from, to)| {
                        Ok(LogEntry {
                            at,
                            actor,
                            decision,
                            from: status_of(&from)?,
                            to: status_of(&to)?,
                        })
                    })
                    .collect()
            }

            async fn ratings(&self) -> StoreResult<Vec<(String, Rating)>> {
                let rows: Vec<(String, i64, i64)> = sqlx::query_as(
                    "SELECT circuit, CAST(SUM(rating) AS BIGINT), COUNT(*) FROM contributions \
                     WHERE kind = 'review' AND status = 'published' AND circuit IS NOT NULL \
                     GROUP BY circuit",
                )
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(c, sum, count)| {
                        (
                            c,
                            Rating {
                                sum: sum.max(0) as u64,
                                count: count.max(0) as u64,
                            },
                        )
                    })
                    .collect())
            }

            async fn erase_email(&self, email: &str) -> StoreResult<u64> {
                Ok(sqlx::query(
                    "UPDATE contributions SET email = NULL WHERE email = $1",
                )
                .bind(email)
                .execute(&self.pool)
                .await?
                .rows_affected())
            }

            async fn purge(&self, emails_before: i64, keys_before: i64) -> StoreResult<(u64, u64)> {
                let emails = sqlx::query(
                    "UPDATE contributions SET email = NULL \
                     WHERE email IS NOT NULL AND created_at <= $1",
                )
                .bind(emails_before)
                .execute(&self.pool)
                .await?
                .rows_affected();
                let keys = sqlx::query("DELETE FROM idempotency WHERE at <= $1")
                    .bind(keys_before)
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                Ok((emails, keys))
            }
        }

        impl $import {
            pub(super) async fn remember_answer(&mut self, r: &Remembered, at: i64) -> StoreResult<bool> {
                let taken: Option<String> = sqlx::query_scalar(
                    "INSERT INTO idempotency (key, status, body, at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (key) DO NOTHING RETURNING key",
                )
                .bind(&r.key)
                .bind(i64::from(r.status))
                .bind(&r.body)
                .bind(at)
                .fetch_optional(&mut *self.tx)
                .await?;
                Ok(taken.is_some())
            }

            pub(super) async fn move_item(
                &mut self,
                id: &str,
                entry: &LogEntry,
                flag_reason: Option<&str>,
            ) -> StoreResult<bool> {
                let reasons: Option<String> = sqlx::query_scalar(
                    "SELECT flag_reasons FROM contributions WHERE id = $1 AND status = $2",
                )
                .bind(id)
                .bind(entry.from.as_str())
                .fetch_optional(&mut *self.tx)
                .await?;
                let Some(reasons) = reasons else {
                    return Ok(false);
                };
                let mut reasons: Vec<String> = serde_json::from_str(&reasons).map_err(|e| {
                    super::StoreError::Corrupt(format!("flag reasons of {id}: {e}"))
                })?;
                if let Some(r) = flag_reason {
                    reasons.push(r.to_owned());
                }
                let moved = sqlx::query(
                    "UPDATE contributions SET status = $1, updated_at = $2, flag_reasons = $3 \
                     WHERE id = $4 AND status = $5",
                )
                .bind(entry.to.as_str())
                .bind(entry.at)
                .bind(reasons_json(&reasons))
                .bind(id)
                .bind(entry.from.as_str())
                .execute(&mut *self.tx)
                .await?
                .rows_affected();
                if moved == 0 {
                    return Ok(false);
                }
                sqlx::query(
                    "INSERT INTO contribution_log \
                     (contribution_id, n, at, actor, decision, from_status, to_status) \
                     SELECT $1, COALESCE(MAX(n), 0) + 1, $2, $3, $4, $5, $6 \
                     FROM contribution_log WHERE contribution_id = $1",
                )
                .bind(id)
                .bind(entry.at)
                .bind(&entry.actor)
                .bind(&entry.decision)
                .bind(entry.from.as_str())
                .bind(entry.to.as_str())
                .execute(&mut *self.tx)
                .await?;
                Ok(true)
            }
        }
    };
}

contribution_store!(
    super::sqlite::SqliteStore,
    super::sqlite::SqliteImport,
    begin_with("BEGIN IMMEDIATE")
);
contribution_store!(
    super::postgres::PostgresStore,
    super::postgres::PostgresImport,
    begin()
);
