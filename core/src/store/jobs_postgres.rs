//! [`JobStore`] on PostgreSQL.

use super::postgres::PostgresStore;
use super::{
    JOB_COLUMNS, JobRecordRow, JobRow, JobStore, StoreResult, job_counts_json, job_from_row,
    job_record_from_row,
};
use crate::jobs::{Job, JobRecord, JobRecordFilter};
use async_trait::async_trait;

#[async_trait]
impl JobStore for PostgresStore {
    async fn create_job(&self, j: &Job) -> StoreResult<()> {
        sqlx::query(&format!(
            "INSERT INTO import_jobs ({JOB_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        ))
        .bind(&j.id)
        .bind(&j.kind)
        .bind(&j.file_name)
        .bind(&j.path)
        .bind(&j.created_by)
        .bind(j.created_at)
        .bind(j.status.as_str())
        .bind(j.progress as i64)
        .bind(job_counts_json(&j.counts))
        .bind(&j.error)
        .bind(&j.committed_by)
        .bind(j.committed_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn update_job(&self, j: &Job) -> StoreResult<()> {
        sqlx::query(
            "UPDATE import_jobs SET status = $1, progress = $2, counts = $3, error = $4, \
             committed_by = $5, committed_at = $6 WHERE id = $7",
        )
        .bind(j.status.as_str())
        .bind(j.progress as i64)
        .bind(job_counts_json(&j.counts))
        .bind(&j.error)
        .bind(&j.committed_by)
        .bind(j.committed_at)
        .bind(&j.id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn job(&self, id: &str) -> StoreResult<Option<Job>> {
        sqlx::query_as::<_, JobRow>(&format!(
            "SELECT {JOB_COLUMNS} FROM import_jobs WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .map(job_from_row)
        .transpose()
    }

    async fn jobs(&self, limit: u32) -> StoreResult<Vec<Job>> {
        sqlx::query_as::<_, JobRow>(&format!(
            "SELECT {JOB_COLUMNS} FROM import_jobs ORDER BY created_at DESC, id LIMIT $1"
        ))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(job_from_row)
        .collect()
    }

    async fn set_job_records(&self, id: &str, records: &[JobRecord]) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM import_job_records WHERE job_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        // Column arrays, unnested: one statement per few thousand records.
        for chunk in records.chunks(5_000) {
            sqlx::query(
                "INSERT INTO import_job_records \
                 (job_id, n, key, kind, status, label, commune, lon, lat, detail) \
                 SELECT $1, * FROM UNNEST($2::bigint[], $3::text[], $4::text[], $5::text[], \
                 $6::text[], $7::text[], $8::float8[], $9::float8[], $10::text[])",
            )
            .bind(id)
            .bind(chunk.iter().map(|r| r.n).collect::<Vec<_>>())
            .bind(chunk.iter().map(|r| r.key.clone()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|r| r.kind.clone()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|r| r.status.clone()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|r| r.label.clone()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|r| r.commune.clone()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|r| r.lon).collect::<Vec<_>>())
            .bind(chunk.iter().map(|r| r.lat).collect::<Vec<_>>())
            .bind(
                chunk
                    .iter()
                    .map(|r| r.detail.to_string())
                    .collect::<Vec<_>>(),
            )
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn job_records(
        &self,
        id: &str,
        f: &JobRecordFilter,
    ) -> StoreResult<(u64, Vec<JobRecord>)> {
        let pattern = f.q.as_ref().map(|q| format!("%{}%", q.to_lowercase()));
        let filter = "job_id = $1 AND ($2::text IS NULL OR status = $2) \
                      AND ($3::text IS NULL OR lower(key) LIKE $3 OR lower(label) LIKE $3) \
                      AND ($4::text IS NULL OR commune = $4) AND ($5::text IS NULL OR kind = $5)";
        let total: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM import_job_records WHERE {filter}"
        ))
        .bind(id)
        .bind(&f.status)
        .bind(&pattern)
        .bind(&f.commune)
        .bind(&f.kind)
        .fetch_one(&self.pool)
        .await?;
        let rows = sqlx::query_as::<_, JobRecordRow>(&format!(
            "SELECT n, key, kind, status, label, commune, lon, lat, detail \
             FROM import_job_records WHERE {filter} ORDER BY n LIMIT $6 OFFSET $7"
        ))
        .bind(id)
        .bind(&f.status)
        .bind(&pattern)
        .bind(&f.commune)
        .bind(&f.kind)
        .bind(i64::from(f.limit))
        .bind(i64::from(f.offset))
        .fetch_all(&self.pool)
        .await?;
        let records = rows
            .into_iter()
            .map(job_record_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok((total as u64, records))
    }
}
