//! GPX import throughput, on the demo circuits (about 230 KB of GPX).
//!
//! Target: parsing and computing at ≥ 10 MB/s (a 20 km circuit in well under 0.1 s);
//! the full import into SQLite (one transaction per file, all seven files re-imported
//! as updates) reported beside it.
//! Run: `cargo bench --bench gpx_import`.

use balade_core::store;
use balade_import::plan::Quiet;
use balade_import::{ImportOptions, Source, gpx, import};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::PathBuf;

fn fixture_files() -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/circuits");
    let mut files: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "gpx"))
        .map(|p| {
            let bytes = std::fs::read(&p).expect("read");
            (p, bytes)
        })
        .collect();
    files.sort();
    files
}

fn parse(c: &mut Criterion) {
    let files = fixture_files();
    let total: usize = files.iter().map(|(_, b)| b.len()).sum();
    let mut group = c.benchmark_group("gpx");
    group.throughput(Throughput::Bytes(total as u64));
    group.bench_function("parse_and_compute", |b| {
        b.iter(|| {
            for (path, bytes) in &files {
                black_box(
                    gpx::parse(path, bytes, false)
                        .expect("valid")
                        .circuit
                        .stats
                        .length_m,
                );
            }
        })
    });

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let store = rt.block_on(store::open(&url)).expect("store");
    let paths: Vec<PathBuf> = files.iter().map(|(p, _)| p.clone()).collect();
    group.sample_size(20);
    group.bench_function("import_into_sqlite", |b| {
        b.iter(|| {
            let report = rt
                .block_on(import(
                    store.as_ref(),
                    &Source::Gpx,
                    &paths,
                    &ImportOptions::default(),
                    &mut Quiet,
                ))
                .expect("import");
            black_box(report.imported + report.updated)
        })
    });
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
