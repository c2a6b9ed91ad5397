//! Heritage inventory import throughput: a synthetic 100,000-notice pipe-delimited
//! export (Mérimée field codes, Lambert 93 coordinates over Seine-et-Marne, one notice
//! in ten without location), read, reprojected and written into SQLite in one
//! transaction; then the plan of the same file against a store that holds it (a dry
//! run: every notice read back and compared, nothing written), and the same import
//! again (everything unchanged: nothing written).
//!
//! Targets: ≥ 50,000 notices/s into SQLite (a whole département's inventory, tens of
//! thousands of notices, in about a second); the plan no dearer than 1.3× the import.
//! Run: `cargo bench --bench heritage_import`.

use balade_core::store;
use balade_import::heritage::HeritageOptions;
use balade_import::plan::Quiet;
use balade_import::{ImportOptions, Source, import};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::io::Write;

const NOTICES: u64 = 100_000;

fn write_export(path: &std::path::Path) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    writeln!(
        out,
        "REF|TICO|DENO|COM|INSEE|ZONE|COOR|SCLE|DATE|HIST|PROT|STAT|"
    )
    .expect("write");
    let mut rng = balade_core::store::testing::Lcg::new(77);
    let mut next = move |n: u64| (rng.next_f64() * n as f64) as u64;
    for i in 0..NOTICES {
        let coor = if i % 10 == 9 {
            "X ; Y".to_owned()
        } else {
            format!(
                "\"0{};{}\"",
                640_000 + next(90_000),
                6_780_000 + next(110_000)
            )
        };
        writeln!(
            out,
            "PA77{i:06}|Église Saint-{i}|église|Provins|77379|Lambert93|{coor}|{}e siècle|{}|\
             Construite au {}e siècle, remaniée ensuite ; <b>clocher</b> refait en {}.|inscrit MH|propriété de la commune|",
            11 + next(8),
            1100 + next(800),
            11 + next(8),
            1800 + next(200)
        )
        .expect("write");
    }
}

fn heritage(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("inventaire.txt");
    write_export(&file);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut group = c.benchmark_group("heritage");
    group.throughput(Throughput::Elements(NOTICES));
    group.sample_size(10);
    let mut fresh = 0;
    group.bench_function("import_100k_into_sqlite", |b| {
        b.iter_with_setup(
            || {
                fresh += 1;
                let url = format!(
                    "sqlite://{}",
                    dir.path().join(format!("fresh{fresh}.db")).display()
                );
                rt.block_on(store::open(&url)).expect("store")
            },
            |store| {
                let report = rt
                    .block_on(import(
                        store.as_ref(),
                        &Source::Heritage(HeritageOptions::default()),
                        std::slice::from_ref(&file),
                        &ImportOptions::default(),
                        &mut Quiet,
                    ))
                    .expect("import");
                assert_eq!(report.imported, NOTICES);
                black_box(report.unlocated)
            },
        )
    });
    let url = format!("sqlite://{}", dir.path().join("again.db").display());
    let store = rt.block_on(store::open(&url)).expect("store");
    let run = |options: &ImportOptions| {
        rt.block_on(import(
            store.as_ref(),
            &Source::Heritage(HeritageOptions::default()),
            std::slice::from_ref(&file),
            options,
            &mut Quiet,
        ))
        .expect("import")
    };
    assert_eq!(run(&ImportOptions::default()).imported, NOTICES);
    let dry_run = ImportOptions {
        dry_run: true,
        ..ImportOptions::default()
    };
    group.bench_function("plan_100k_against_the_same", |b| {
        b.iter(|| {
            let report = run(&dry_run);
            assert_eq!(report.plan.unchanged, NOTICES);
            black_box(report.plan.unchanged)
        })
    });
    group.bench_function("reimport_100k_unchanged", |b| {
        b.iter(|| {
            let report = run(&ImportOptions::default());
            assert_eq!((report.imported, report.updated), (0, 0));
            black_box(report.plan.unchanged)
        })
    });
    group.finish();
}

criterion_group!(benches, heritage);
criterion_main!(benches);
