//! Support for tests and benchmarks that run on every backend: each test gets a database
//! of its own so that suites run in parallel.

use super::{StoreError, StoreResult};
use sqlx::Connection;
use sqlx::postgres::PgConnection;
use std::sync::atomic::{AtomicU32, Ordering};

/// The environment variable naming an admin URL of a PostgreSQL + PostGIS server for
/// tests (set by `scripts/with-postgres`).
pub const POSTGRES_ENV: &str = "BALADE_TEST_POSTGRES";

/// The test server's admin URL, or `None` when none is configured. In CI a missing
/// server is a failure, not a silent skip.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var(POSTGRES_ENV) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => panic!("{POSTGRES_ENV} must be set in CI"),
        _ => {
            eprintln!("{POSTGRES_ENV} not set: PostgreSQL tests skipped");
            None
        }
    }
}

/// Creates an empty database with PostGIS on the server of `admin_url` and returns its
/// URL. Uses the `balade_template` database when the server has one (fast), else
/// creates the extension itself (needs a superuser).
pub async fn fresh_postgres_database(admin_url: &str) -> StoreResult<String> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let name = format!(
        "balade_t_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin = PgConnection::connect(admin_url)
        .await
        .map_err(StoreError::Unavailable)?;
    let from_template = sqlx::query(&format!("CREATE DATABASE {name} TEMPLATE balade_template"))
        .execute(&mut admin)
        .await;
    let url = with_database(admin_url, &name);
    if from_template.is_err() {
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await?;
        let mut db = PgConnection::connect(&url)
            .await
            .map_err(StoreError::Unavailable)?;
        sqlx::query("CREATE EXTENSION IF NOT EXISTS postgis")
            .execute(&mut db)
            .await?;
    }
    Ok(url)
}

/// `url` with its database name replaced.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let cut = base
        .rfind('/')
        .filter(|&i| i > "postgres://".len())
        .unwrap_or(base.len());
    let mut out = format!("{}/{name}", &base[..cut]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn with_database_replaces_the_name() {
        assert_eq!(
            super::with_database("postgres://u@h:5/postgres", "x"),
            "postgres://u@h:5/x"
        );
        assert_eq!(
            super::with_database("postgres://u@h:5/p?sslmode=disable", "x"),
            "postgres://u@h:5/x?sslmode=disable"
        );
        assert_eq!(
            super::with_database("postgres://u@h:5", "x"),
            "postgres://u@h:5/x"
        );
    }
}
