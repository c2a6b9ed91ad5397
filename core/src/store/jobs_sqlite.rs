//! [`JobStore`] on SQLite.

use super::sqlite::SqliteStore;
use super::{
    JOB_COLUMNS, JobRecordRow, JobRow, JobStore, StoreResult, job_counts_json, job_from_row,
    job_record_from_row,
};
use crate::jobs::{Job, JobRecord, JobRecordFilter};
use async_trait::async_trait;

#[async_trait]
impl JobStore for SqliteStore {
    async fn create_job(&self, j: &Job) -> StoreResult<()> {
        sqlx::query(&format!(
            "INSERT INTO import_jobs ({JOB_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
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
            "UPDATE import_jobs SET status = ?, progress = ?, counts = ?, error = ?, \
             committed_by = ?, committed_at = ? WHERE id = ?",
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
            "SELECT {JOB_COLUMNS} FROM import_jobs WHERE id = ?"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .map(job_from_row)
        .transpose()
    }

    async fn jobs(&self, limit: u32) -> StoreResult<Vec<Job>> {
        sqlx::query_as::<_, JobRow>(&format!(
            "SELECT {JOB_COLUMNS} FROM import_jobs ORDER BY created_at DESC, id LIMIT ?"
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
        sqlx::query("DELETE FROM import_job_records WHERE job_id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for r in records {
            sqlx::query(
                "INSERT INTO import_job_records \
                 (job_id, n, key, kind, status, label, commune, lon, lat, detail) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(id)
            .bind(r.n)
            .bind(&r.key)
            .bind(&r.kind)
            .bind(&r.status)
            .bind(&r.label)
            .bind(&r.commune)
            .bind(r.lon)
            .bind(r.lat)
            .bind(r.detail.to_string())
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
        let filter = "job_id = ? AND (? IS NULL OR status = ?) \
                      AND (? IS NULL OR lower(key) LIKE ? OR lower(label) LIKE ?) \
                      AND (? IS NULL OR commune = ?) AND (? IS NULL OR kind = ?)";
        let total: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM import_job_records WHERE {filter}"
        ))
        .bind(id)
        .bind(&f.status)
        .bind(&f.status)
        .bind(&pattern)
        .bind(&pattern)
        .bind(&pattern)
        .bind(&f.commune)
        .bind(&f.commune)
        .bind(&f.kind)
        .bind(&f.kind)
        .fetch_one(&self.pool)
        .await?;
        let rows = sqlx::query_as::<_, JobRecordRow>(&format!(
            "SELECT n, key, kind, status, label, commune, lon, lat, detail \
             FROM import_job_records WHERE {filter} ORDER BY n LIMIT ? OFFSET ?"
        ))
        .bind(id)
        .bind(&f.status)
        .bind(&f.status)
        .bind(&pattern)
        .bind(&pattern)
        .bind(&pattern)
        .bind(&f.commune)
        .bind(&f.commune)
        .bind(&f.kind)
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
