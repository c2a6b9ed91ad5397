//! Following one edit with a large catalogue: the commit of a moved POI, or of a renamed
//! circuit, then the catalogue brought to the new revision from the change log (what
//! every server does when the store moves), against the whole reload it replaces.
//!
//! Targets (2-core reference machine, release build), commit included:
//! - an edit or a deletion of one POI at 1,000,000 POIs followed in ≤ 10 ms, where a
//!   whole reload takes seconds;
//! - an edit of one circuit at 30,000 circuits (descriptions of about 1,500 characters,
//!   themes and communes) followed in ≤ 50 ms;
//! - a landscape unit written at 1,000,000 POIs followed in ≤ 10 ms; a new sensitivity
//!   list in less than half a whole reload (its fauna and flora POIs are read again).
//!
//! Run: `cargo bench --bench catalogue_follow` (`BALADE_BENCH_POIS`,
//! `BALADE_BENCH_CIRCUITS` to change the sizes).

use balade_app::catalog::{Catalog, SharedCatalog};
use balade_core::record::RecordKind;
use balade_core::store::testing::{Lcg, circuit, synthetic_pois};
use balade_core::store::{self, Store};
use balade_core::{Circuit, LonLat, Practice, Trace, TracePoint};
use criterion::{Criterion, criterion_group, criterion_main};
use std::time::Instant;

fn size(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn follow_poi(c: &mut Criterion) {
    let n = size("BALADE_BENCH_POIS", 1_000_000);
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
    let mut deleted = 0usize;
    c.bench_function(&format!("catalogue_follow/one_poi_deletion_{n}"), |b| {
        b.iter(|| {
            // From the other end of the list: each time a POI still there.
            deleted += 1;
            let poi = &pois[n - 1 - (deleted * 7919) % n];
            rt.block_on(async {
                let mut tx = store.begin_import().await.expect("tx");
                tx.delete(RecordKind::Poi, &[poi.source.as_str()])
                    .await
                    .expect("delete");
                tx.commit().await.expect("commit");
                shared.refresh(store.as_ref()).await.expect("refresh");
            });
        })
    });
    let mut unit = balade_core::store::conformance::landscape("plateau");
    let mut k = 0usize;
    c.bench_function(&format!("catalogue_follow/one_landscape_unit_{n}"), |b| {
        b.iter(|| {
            k += 1;
            unit.description = format!("Un plateau agricole, relu {k} fois.");
            rt.block_on(async {
                let mut tx = store.begin_import().await.expect("tx");
                tx.upsert_landscape(&unit).await.expect("unit");
                tx.commit().await.expect("commit");
                shared.refresh(store.as_ref()).await.expect("refresh");
            });
        })
    });
    // Every other list names one POI; each time all fauna and flora POIs are weighed.
    let lists = [
        vec![("Point 1".to_owned(), balade_core::Sensitivity::Sensitive)],
        Vec::new(),
    ];
    c.bench_function(
        &format!("catalogue_follow/sensitivity_list_replaced_{n}"),
        |b| {
            b.iter(|| {
                k += 1;
                rt.block_on(async {
                    let mut tx = store.begin_import().await.expect("tx");
                    tx.replace_sensitive_taxa(&lists[k % 2])
                        .await
                        .expect("list");
                    tx.commit().await.expect("commit");
                    shared.refresh(store.as_ref()).await.expect("refresh");
                });
            })
        },
    );
    assert_eq!(
        shared.reloads(),
        0,
        "every edit, deletion, unit and list followed, none reloaded"
    );
    // What a new list cost before: a whole load, which weighs the fauna and flora too.
    rt.block_on(async {
        let mut tx = store.begin_import().await.expect("tx");
        tx.replace_sensitive_taxa(&lists[0]).await.expect("list");
        tx.commit().await.expect("commit");
    });
    let started = Instant::now();
    rt.block_on(Catalog::load(store.as_ref()))
        .expect("catalogue");
    eprintln!(
        "whole load of {n} POIs with a sensitivity list: {:.2} s",
        started.elapsed().as_secs_f64()
    );
}

/// `n` circuits with the texts and places of real ones: a description of about 1,500
/// characters from a 20,000-word vocabulary, two or three of 30 themes, one or two of
/// 5,000 communes.
fn synthetic_circuits(n: usize) -> Vec<Circuit> {
    let mut rng = Lcg::new(11);
    let mut pick = |k: usize| (rng.next_f64() * k as f64) as usize;
    let syllables = [
        "mou", "lin", "la", "voir", "e", "gli", "se", "ri", "bois", "pont",
    ];
    let vocabulary: Vec<String> = (0..20_000)
        .map(|i| {
            let word: String = (0..2 + i % 3).map(|_| syllables[pick(10)]).collect();
            format!("{word}{}", i % 7)
        })
        .collect();
    (0..n)
        .map(|i| {
            let mut rng = Lcg::new(i as u64);
            let start = rng.position();
            let trace = Trace {
                segments: vec![
                    (0..3)
                        .map(|k| TracePoint {
                            pos: LonLat::new(start.lon() + k as f64 * 1e-3, start.lat())
                                .expect("inside"),
                            ele: None,
                        })
                        .collect(),
                ],
            };
            let mut c = circuit(&format!("c{i}"), Practice::Walk, trace);
            c.name = format!("Circuit {}", vocabulary[(i * 7919) % vocabulary.len()]);
            while c.description.len() < 1_500 {
                let r = rng.next_f64();
                c.description += &vocabulary[(r * r * r * vocabulary.len() as f64) as usize];
                c.description.push(' ');
            }
            let mut pick = |k: usize| (rng.next_f64() * k as f64) as usize;
            c.themes = (0..2 + i % 2)
                .map(|_| format!("thème {}", pick(30)))
                .collect();
            c.communes = (0..1 + i % 2)
                .map(|_| format!("Commune {}", pick(5_000)))
                .collect();
            c
        })
        .collect()
}

fn follow_circuit(c: &mut Criterion) {
    let n = size("BALADE_BENCH_CIRCUITS", 30_000);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("circuits.db").display());
    let mut circuits = synthetic_circuits(n);
    let store = rt.block_on(async {
        let store: std::sync::Arc<dyn Store> = store::open(&url).await.expect("open");
        let mut tx = store.begin_import().await.expect("tx");
        for circuit in &circuits {
            tx.upsert_circuit(circuit).await.expect("circuit");
        }
        tx.commit().await.expect("commit");
        store
    });
    let started = Instant::now();
    let catalog = rt
        .block_on(Catalog::load(store.as_ref()))
        .expect("catalogue");
    eprintln!(
        "whole load of {n} circuits: {:.2} s",
        started.elapsed().as_secs_f64()
    );
    let shared = SharedCatalog::new(catalog);
    let mut i = 0usize;
    c.bench_function(&format!("catalogue_follow/one_circuit_edit_{n}"), |b| {
        b.iter(|| {
            i += 1;
            // A new name moves the circuit in the list's order; a new word and a new
            // theme are new values to index.
            let circuit = &mut circuits[(i * 7919) % n];
            circuit.name = format!("Aa renamed {i}");
            circuit.description.push_str(&format!(" edit{i}"));
            circuit.themes.push(format!("new theme {i}"));
            rt.block_on(async {
                let mut tx = store.begin_import().await.expect("tx");
                tx.upsert_circuit(circuit).await.expect("circuit");
                tx.commit().await.expect("commit");
                shared.refresh(store.as_ref()).await.expect("refresh");
            });
        })
    });
    let catalog = shared.current();
    assert_eq!(catalog.circuits.len(), n, "every circuit still listed");
    assert_eq!(shared.reloads(), 0, "every edit followed, none reloaded");
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = follow_poi, follow_circuit
}
criterion_main!(benches);
