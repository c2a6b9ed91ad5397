//! Placing a circuit in the communes its trace crosses ([`Circuit::locate`]): what an
//! import of boundaries does for every circuit, and a circuit import for each of its own.
//!
//! 500 communes of 3.4 km a side tiling a département, each ring 200 vertices (real
//! boundaries are that detailed or more), and a 20 km trace of 2,000 points crossing
//! about ten of them.
//!
//! Target (release, 2-core reference machine): ≤ 1 ms a circuit, so that placing
//! 10,000 circuits after a boundary import takes under 10 s.
//! Run: `cargo bench --bench communes`.

use balade_core::store::testing;
use balade_core::{Circuit, Commune, Insee, LonLat, Practice, Trace, TracePoint};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

const WEST: f64 = 2.4;
const SOUTH: f64 = 48.2;
/// 3.4 km in degrees at 48.5° N.
const DLON: f64 = 0.046;
const DLAT: f64 = 0.0306;
const SIDE: usize = 50;

fn ll(lon: f64, lat: f64) -> LonLat {
    LonLat::new(lon, lat).expect("pos")
}

/// A square cell with `SIDE` vertices on each side.
fn cell(col: usize, row: usize) -> Vec<LonLat> {
    let (w, s) = (WEST + col as f64 * DLON, SOUTH + row as f64 * DLAT);
    let t = |k: usize| k as f64 / SIDE as f64;
    let mut ring = Vec::with_capacity(4 * SIDE + 1);
    ring.extend((0..SIDE).map(|k| ll(w + t(k) * DLON, s)));
    ring.extend((0..SIDE).map(|k| ll(w + DLON, s + t(k) * DLAT)));
    ring.extend((0..SIDE).map(|k| ll(w + DLON - t(k) * DLON, s + DLAT)));
    ring.extend((0..SIDE).map(|k| ll(w, s + DLAT - t(k) * DLAT)));
    ring.push(ring[0]);
    ring
}

fn communes() -> Vec<Commune> {
    (0..500)
        .map(|i| Commune {
            code: Insee::new(&format!("77{:03}", i + 1)).expect("code"),
            name: format!("Commune {i}"),
            intercommunality: Some(format!("Intercommunalité {}", i / 25)),
            intercommunality_code: Some(format!("{:09}", 200_000_000 + i / 25)),
            polygons: vec![vec![cell(i % 25, i / 25)]],
        })
        .collect()
}

/// A 20 km diagonal walk with a gentle wave, 2,000 points.
fn circuit() -> Circuit {
    let n = 2000;
    let points = (0..n)
        .map(|k| {
            let t = k as f64 / n as f64;
            TracePoint {
                pos: ll(
                    WEST + 0.3 + t * 0.19,
                    SOUTH + 0.1 + t * 0.12 + (t * 40.0).sin() * 0.002,
                ),
                ele: None,
            }
        })
        .collect();
    testing::circuit(
        "bench",
        Practice::Walk,
        Trace {
            segments: vec![points],
        },
    )
}

fn locate(c: &mut Criterion) {
    let communes = communes();
    let base = circuit();
    let mut placed = base.clone();
    placed.locate(&communes);
    eprintln!(
        "{:.1} km, {} communes crossed, {} intercommunalities",
        base.stats.length_m / 1000.0,
        placed.communes.len(),
        placed.intercommunalities.len()
    );
    c.bench_function("locate_20km_in_500_communes", |b| {
        b.iter(|| {
            let mut c = base.clone();
            c.locate(black_box(&communes));
            black_box(c.communes.len())
        })
    });
}

criterion_group!(benches, locate);
criterion_main!(benches);
