//! The same spatial questions asked of the in-memory index and of PostGIS, at one
//! million POIs, in one run on one machine: 20 nearest within 2 km, and every POI within
//! 200 m of a 16 km trace (the Grand Morin demo circuit).
//!
//! Target: none for PostGIS itself (the server answers these from memory); the figures
//! and their ratio justify that design. Needs a PostgreSQL + PostGIS admin URL:
//! `scripts/with-postgres bash -c 'BALADE_BENCH_POSTGRES=$BALADE_TEST_POSTGRES cargo bench --bench postgis_vs_index'`

use balade_core::index::SpatialIndex;
use balade_core::store::testing::{Lcg, analyze, fresh_postgres_database, synthetic_pois};
use balade_core::store::{self, Store};
use balade_core::{LonLat, PoiPoint, Trace};
use criterion::Criterion;
use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

const POIS: usize = 1_000_000;

fn demo_trace() -> Trace {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/circuits/grand-morin-guerard-coulommiers.gpx");
    let bytes = std::fs::read(&path).expect("demo circuit");
    balade_import::gpx::parse(&path, &bytes, false)
        .expect("valid")
        .circuit
        .trace
}

fn main() {
    let Ok(admin) = std::env::var("BALADE_BENCH_POSTGRES") else {
        eprintln!("BALADE_BENCH_POSTGRES not set: see the header of benches/postgis_vs_index.rs");
        return;
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let pois = synthetic_pois(POIS, 77);
    let (store, index): (Arc<dyn Store>, SpatialIndex) = rt.block_on(async {
        let url = fresh_postgres_database(&admin).await.expect("database");
        let store = store::open(&url).await.expect("open");
        let started = Instant::now();
        let mut tx = store.begin_import().await.expect("begin");
        tx.upsert_pois(&pois).await.expect("load");
        tx.commit().await.expect("commit");
        analyze(&url).await.expect("analyze");
        eprintln!(
            "loaded {POIS} POIs into PostGIS in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let points = store.poi_points().await.expect("points");
        (store, SpatialIndex::build(points, Vec::new()))
    });
    drop(pois);
    let mut rng = Lcg::new(7);
    let queries: Vec<LonLat> = (0..4096).map(|_| rng.position()).collect();
    let trace = demo_trace();

    let mut c = Criterion::default().configure_from_args();
    let mut knn = c.benchmark_group("knn_k20_2km_1M");
    let mut i = 0;
    knn.bench_function("index", |b| {
        b.iter(|| {
            i = (i + 1) % queries.len();
            black_box(index.nearby_pois(queries[i], 2_000.0, 20, &[]).len())
        })
    });
    knn.bench_function("postgis", |b| {
        b.iter(|| {
            i = (i + 1) % queries.len();
            black_box(
                rt.block_on(store.pois_near(queries[i], 2_000.0, 20, &[]))
                    .expect("query")
                    .len(),
            )
        })
    });
    knn.finish();

    let mut corridor = c.benchmark_group("corridor_200m_16km_1M");
    let found: Vec<&PoiPoint> = index
        .pois_along(&trace, 200.0)
        .into_iter()
        .map(|h| h.item)
        .collect();
    eprintln!("{} POIs within 200 m of the trace", found.len());
    corridor.bench_function("index", |b| {
        b.iter(|| black_box(index.pois_along(&trace, 200.0).len()))
    });
    corridor.sample_size(20);
    corridor.bench_function("postgis", |b| {
        b.iter(|| {
            black_box(
                rt.block_on(store.pois_along(&trace, 200.0))
                    .expect("query")
                    .len(),
            )
        })
    });
    corridor.finish();
    c.final_summary();
}
