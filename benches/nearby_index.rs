//! Nearest POIs from the in-memory index at one million POIs.
//!
//! Target: ≤ 10 µs per query (k = 20 within 2 km, and k = 20 with the API's largest
//! radius), on the 2-core reference machine, release build.
//! Run: `cargo bench --bench nearby_index`.

use balade_core::index::SpatialIndex;
use balade_core::store::testing::{Lcg, synthetic_pois};
use balade_core::{LonLat, PoiKind};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn synthetic_index(n: usize) -> SpatialIndex {
    let points = synthetic_pois(n, 77)
        .into_iter()
        .filter_map(|p| p.point())
        .collect();
    SpatialIndex::build(points, Vec::new())
}

fn nearby(c: &mut Criterion) {
    let index = synthetic_index(1_000_000);
    let mut rng = Lcg::new(7);
    let queries: Vec<LonLat> = (0..4096).map(|_| rng.position()).collect();
    let mut group = c.benchmark_group("nearby_1M");
    for (name, radius, kinds) in [
        ("k20_within_2km", 2_000.0, &[][..]),
        ("k20_within_50km", 50_000.0, &[][..]),
        ("k20_within_2km_kind_food", 2_000.0, &[PoiKind::Food][..]),
    ] {
        let mut i = 0;
        group.bench_function(name, |b| {
            b.iter(|| {
                i = (i + 1) % queries.len();
                black_box(index.nearby_pois(queries[i], radius, 20, kinds).len())
            })
        });
    }
    group.finish();
}

fn build(c: &mut Criterion) {
    let mut group = c.benchmark_group("index_build");
    group.sample_size(10);
    group.bench_function("bulk_load_100k", |b| {
        b.iter(|| black_box(synthetic_index(100_000).poi_count()))
    });
    group.finish();
}

criterion_group!(benches, nearby, build);
criterion_main!(benches);
