//! [`AccountStore`] on SQLite.

use super::sqlite::SqliteStore;
use super::{AccountStore, StoreError, StoreResult, account_from_row};
use crate::accounts::{Account, NewAccount, territory_to_text};
use async_trait::async_trait;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

const COLUMNS: &str = "id, email, role, territory, password_hash, disabled";

fn account(row: &SqliteRow) -> StoreResult<Account> {
    account_from_row(
        row.try_get(0)?,
        row.try_get(1)?,
        row.try_get::<&str, _>(2)?,
        row.try_get::<&str, _>(3)?,
        row.try_get(4)?,
        row.try_get(5)?,
    )
}

#[async_trait]
impl AccountStore for SqliteStore {
    async fn add_account(&self, new: &NewAccount) -> StoreResult<Account> {
        let row = sqlx::query(&format!(
            "INSERT INTO accounts (email, role, territory, password_hash) \
             VALUES (?, ?, ?, ?) ON CONFLICT (email) DO NOTHING RETURNING {COLUMNS}"
        ))
        .bind(&new.email)
        .bind(new.role.as_str())
        .bind(territory_to_text(&new.territory))
        .bind(&new.password_hash)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(row) => account(&row),
            None => Err(StoreError::Conflict(format!(
                "an account already has the e-mail {}",
                new.email
            ))),
        }
    }

    async fn account_by_email(&self, email: &str) -> StoreResult<Option<Account>> {
        sqlx::query(&format!("SELECT {COLUMNS} FROM accounts WHERE email = ?"))
            .bind(email)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(account)
            .transpose()
    }

    async fn accounts(&self) -> StoreResult<Vec<Account>> {
        sqlx::query(&format!("SELECT {COLUMNS} FROM accounts ORDER BY email"))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(account)
            .collect()
    }

    async fn set_password(&self, email: &str, password_hash: &str) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "UPDATE accounts SET password_hash = ? WHERE email = ? RETURNING id",
        )
        .bind(password_hash)
        .bind(email)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(id) = id {
            sqlx::query("DELETE FROM sessions WHERE account_id = ?")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(id.is_some())
    }

    async fn disable_account(&self, email: &str) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let id: Option<i64> =
            sqlx::query_scalar("UPDATE accounts SET disabled = 1 WHERE email = ? RETURNING id")
                .bind(email)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(id) = id {
            sqlx::query("DELETE FROM sessions WHERE account_id = ?")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(id.is_some())
    }

    async fn create_session(
        &self,
        token_hash: &str,
        account_id: i64,
        expires_at: i64,
    ) -> StoreResult<()> {
        sqlx::query("INSERT INTO sessions (token_hash, account_id, expires_at) VALUES (?, ?, ?)")
            .bind(token_hash)
            .bind(account_id)
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn session_account(&self, token_hash: &str, now: i64) -> StoreResult<Option<Account>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM sessions s JOIN accounts a ON a.id = s.account_id \
             WHERE s.token_hash = ? AND s.expires_at > ? AND a.disabled = 0"
        ))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(account)
        .transpose()
    }

    async fn end_session(&self, token_hash: &str, now: i64) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ? OR expires_at <= ?")
            .bind(token_hash)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
