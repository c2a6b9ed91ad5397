//! The store's conformance suite (`balade_core::store::conformance`) on real databases:
//! every story on a fresh SQLite file, and on a fresh PostGIS database when a test
//! server is configured (`scripts/with-postgres`); a skipped PostGIS run says so on the
//! terminal, and fails where `BALADE_REQUIRE_POSTGRES` is set.

use balade_core::store::{self, Store, conformance, testing};
use std::sync::Arc;

async fn sqlite() -> (Arc<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("store.db").display());
    (store::open(&url).await.expect("open"), dir)
}

async fn postgres() -> Option<Arc<dyn Store>> {
    let admin = testing::postgres_admin_url()?;
    let url = testing::fresh_postgres_database(&admin)
        .await
        .expect("database");
    let store = store::open(&url).await.expect("open");
    assert_eq!(store.backend(), "postgres");
    Some(store)
}

/// One test per backend for each story.
macro_rules! on_every_backend {
    ($($story:ident),+ $(,)?) => {
        $(mod $story {
            #[tokio::test]
            async fn sqlite() {
                let (store, _dir) = super::sqlite().await;
                assert_eq!(store.backend(), "sqlite");
                super::conformance::$story(store.as_ref()).await
            }
            #[tokio::test]
            async fn postgres() {
                if let Some(store) = super::postgres().await {
                    super::conformance::$story(store.as_ref()).await
                }
            }
        })+
    };
}

on_every_backend!(
    catalogue,
    species,
    communes,
    media_items,
    planning,
    notices,
    index_and_database_agree,
    accounts,
    import_jobs,
    edits,
    poi_search,
    contributions,
    change_log,
);

#[tokio::test]
async fn copy_from_sqlite_to_sqlite() {
    let (origin, _a) = sqlite().await;
    let (target, _b) = sqlite().await;
    conformance::copy(origin.as_ref(), target.as_ref()).await;
}

#[tokio::test]
async fn copy_from_sqlite_to_postgres() {
    let (origin, _a) = sqlite().await;
    if let Some(target) = postgres().await {
        conformance::copy(origin.as_ref(), target.as_ref()).await;
    }
}

#[tokio::test]
async fn copy_from_postgres_to_sqlite() {
    let Some(origin) = postgres().await else {
        return;
    };
    let (target, _b) = sqlite().await;
    conformance::copy(origin.as_ref(), target.as_ref()).await;
}

#[tokio::test]
async fn sqlite_file_survives_reopen_and_uses_wal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("persist.db");
    let url = format!("sqlite://{}", path.display());
    {
        let store = store::open(&url).await.expect("open");
        let mut tx = store.begin_import().await.expect("begin");
        tx.upsert_circuit(&conformance::circuit("garde", "Gardée"))
            .await
            .expect("circuit");
        tx.commit().await.expect("commit");
    }
    let store = store::open(&url).await.expect("reopen");
    assert_eq!(store.counts().await.expect("counts").circuits, 1);
    assert!(
        dir.path().join("persist.db-wal").exists(),
        "WAL journal in use"
    );
    // Precise observations live there: the owner alone reads the file and its journal.
    #[cfg(unix)]
    for name in ["persist.db", "persist.db-wal"] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join(name))
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "{name} is {mode:o}");
    }
}

#[tokio::test]
async fn unknown_schemes_are_refused() {
    let e = store::open("mysql://u:pw@h/db").await.expect_err("refused");
    let m = e.to_string();
    assert!(m.contains("unsupported") && !m.contains("pw"), "{m}");
}
