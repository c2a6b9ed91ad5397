//! Building a circuit's offline package, uncached: the 16 km Grand Morin demo circuit,
//! with 100,000 synthetic POIs over the département (about a hundred end up in its
//! corridor), on SQLite.
//!
//! Target: ≤ 50 ms per package without tiles, release build, 2-core reference machine.
//! Run: `cargo bench --bench offline_package`.

use balade_app::{App, Settings};
use balade_core::store::{self, testing};
use balade_import::import_demo;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::PathBuf;

fn package(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let state = rt.block_on(async {
        let store = store::open(&url).await.expect("store");
        let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        import_demo(store.as_ref(), &fixtures).await.expect("demo");
        let mut tx = store.begin_import().await.expect("begin");
        tx.upsert_pois(&testing::synthetic_pois(100_000, 5))
            .await
            .expect("pois");
        tx.commit().await.expect("commit");
        App::load(store, Settings::default())
            .await
            .expect("catalogue")
    });
    let parts = rt
        .block_on(state.package("grand-morin-guerard-coulommiers", "fr"))
        .expect("package")
        .manifest
        .parts
        .len();
    eprintln!("{parts} parts in the package");
    c.bench_function("offline_package_grand_morin_uncached", |b| {
        b.iter(|| {
            // A fresh cache each time: the cost of a first request after a change.
            state.forget_answers();
            let built = rt
                .block_on(state.package("grand-morin-guerard-coulommiers", "fr"))
                .expect("package");
            black_box(built.manifest.total_bytes)
        })
    });
    c.bench_function("offline_package_grand_morin_cached", |b| {
        b.iter(|| {
            black_box(
                rt.block_on(state.package("grand-morin-guerard-coulommiers", "fr"))
                    .expect("package")
                    .manifest
                    .total_bytes,
            )
        })
    });
}

criterion_group!(benches, package);
criterion_main!(benches);
