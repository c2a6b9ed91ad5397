//! Following one edit with a large catalogue: the commit of a moved POI, then the
//! catalogue brought to the new revision from the change log (what every server does
//! when the store moves), against the whole reload it replaces.
//!
//! Target: an edit of one POI at 1,000,000 POIs followed in ≤ 10 ms (commit included),
//! where a whole reload takes seconds; on the 2-core reference machine, release build.
//! Run: `cargo bench --bench catalogue_follow` (`BALADE_BENCH_POIS` to change the size).

use balade_app::catalog::{Catalog, SharedCatalog};
use balade_core::LonLat;
use balade_core::store::testing::synthetic_pois;
use balade_core::store::{self, Store};
use criterion::{Criterion, criterion_group, criterion_main};
use std::time::Instant;

fn follow(c: &mut Criterion) {
    let n: usize = std::env::var("BALADE_BENCH_POIS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("follow.db").display());
    let (store, mut pois) = rt.block_on(async {
        let store: std::sync::Arc<dyn Store> = store::open(&url).await.expect("open");
        let pois = synthetic_pois(n, 77);
        let mut tx = store.begin_import().await.expect("tx");
        tx.upsert_pois(&pois).await.expect("pois");
        tx.commit().await.expect("commit");
        (store, pois)
    });
    let started = Instant::now();
    let catalog = rt
        .block_on(Catalog::load(store.as_ref()))
        .expect("catalogue");
    eprintln!(
        "whole load of {n} POIs: {:.2} s",
        started.elapsed().as_secs_f64()
    );
    let shared = SharedCatalog::new(catalog);
    let mut i = 0usize;
    c.bench_function(&format!("catalogue_follow/one_poi_edit_{n}"), |b| {
        b.iter(|| {
            i += 1;
            let poi = &mut pois[(i * 7919) % n];
            let pos = poi.pos.expect("placed");
            poi.pos = Some(LonLat::new(pos.lon(), pos.lat() + 1e-5).expect("pos"));
            rt.block_on(async {
                let mut tx = store.begin_import().await.expect("tx");
                tx.upsert_poi(poi).await.expect("poi");
                tx.commit().await.expect("commit");
                shared.refresh(store.as_ref()).await.expect("refresh");
            });
        })
    });
    assert_eq!(shared.reloads(), 0, "every edit followed, none reloaded");
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = follow
}
criterion_main!(benches);
