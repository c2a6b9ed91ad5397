//! Support for tests and benchmarks that run on every backend: each test gets a database
//! of its own so that suites run in parallel.

use super::{StoreError, StoreResult};
use crate::domain::{Circuit, CircuitId, LonLat, Poi, PoiId, PoiKind, Practice, Trace};
use crate::geometry::{Figures, GivenFigures};
use sqlx::Connection;
use sqlx::postgres::PgConnection;
use std::sync::atomic::{AtomicU32, Ordering};

/// The environment variable naming an admin URL of a PostgreSQL + PostGIS server for
/// tests (set by `scripts/with-postgres`).
pub const POSTGRES_ENV: &str = "BALADE_TEST_POSTGRES";

/// Set (to anything) where a PostGIS run must not be skipped: `make test` sets it.
pub const REQUIRE_POSTGRES_ENV: &str = "BALADE_REQUIRE_POSTGRES";

/// The test server's admin URL, or `None` when none is configured. A skip is never
/// silent: the first one of a test binary writes a banner straight to the terminal
/// (past the test harness's capture); in CI, or where [`REQUIRE_POSTGRES_ENV`] is set,
/// a missing server is a failure.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var(POSTGRES_ENV) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some()
            || std::env::var_os(REQUIRE_POSTGRES_ENV).is_some() =>
        {
            panic!("{POSTGRES_ENV} must be set: PostGIS tests are required here")
        }
        _ => {
            static WARNED: std::sync::Once = std::sync::Once::new();
            WARNED.call_once(|| {
                use std::io::Write;
                let binary = std::env::args().next().unwrap_or_default();
                let _ = writeln!(
                    std::io::stderr().lock(),
                    "\n*** WARNING: {POSTGRES_ENV} is not set: every PostGIS test of {binary} is SKIPPED \
                     (run the tests through scripts/with-postgres, as `make test` does) ***\n"
                );
            });
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

/// Seine-et-Marne's bounding box, where synthetic data is spread.
pub const SEINE_ET_MARNE: ([f64; 2], [f64; 2]) = ([2.39, 48.12], [3.56, 49.12]);

/// A deterministic stream of numbers in [0, 1): a 64-bit linear congruential generator,
/// so tests and benchmarks see the same data on every machine.
#[derive(Debug, Clone)]
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x2545_f491_4f6c_dd1d)
    }
    pub fn next_f64(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    /// A position in the Seine-et-Marne box.
    pub fn position(&mut self) -> LonLat {
        let ([w, s], [e, n]) = SEINE_ET_MARNE;
        let lon = w + self.next_f64() * (e - w);
        let lat = s + self.next_f64() * (n - s);
        LonLat::new(lon, lat).unwrap_or_else(|_| unreachable!("inside the box"))
    }
}

/// `n` POIs spread over Seine-et-Marne, every kind in turn, ids `syn-0`…
pub fn synthetic_pois(n: usize, seed: u64) -> Vec<Poi> {
    let mut rng = Lcg::new(seed);
    (0..n)
        .map(|i| Poi {
            id: PoiId::new(format!("syn-{i}")).unwrap_or_else(|_| unreachable!("a valid id")),
            source: format!("synthetic:{i}"),
            kind: PoiKind::ALL[i % PoiKind::ALL.len()],
            name: format!("Point {i}"),
            description: String::new(),
            pos: Some(rng.position()),
            ele: None,
            circuit: None,
            commune: None,
            insee: None,
            details: Default::default(),
        })
        .collect()
}

/// A published circuit `id` on `trace`, its figures (length, relief, duration,
/// difficulty, type) computed by the import rules, its texts empty but for the name
/// (the id): what tests and benchmarks start from.
pub fn circuit(id: &str, practice: Practice, trace: Trace) -> Circuit {
    let figures = Figures::of(&trace, practice, &GivenFigures::default());
    Circuit {
        id: CircuitId::new(id).unwrap_or_else(|e| panic!("test circuit id: {e}")),
        source: format!("test:{id}"),
        name: id.to_owned(),
        summary: String::new(),
        description: String::new(),
        practice,
        themes: Vec::new(),
        communes: Vec::new(),
        intercommunalities: Vec::new(),
        duration_min: figures.duration_min,
        difficulty: figures.difficulty,
        circuit_type: figures.circuit_type,
        published: true,
        stats: figures.stats,
        trace,
        practical: Default::default(),
        translations: Default::default(),
    }
}

/// Refreshes the planner's statistics after a bulk load (PostgreSQL; a no-op elsewhere).
pub async fn analyze(url: &str) -> StoreResult<()> {
    if url.starts_with("postgres") {
        let mut db = PgConnection::connect(url)
            .await
            .map_err(StoreError::Unavailable)?;
        sqlx::query("ANALYZE").execute(&mut db).await?;
    }
    Ok(())
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
