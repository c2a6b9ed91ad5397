//! The planning API server-side, through the whole router (query parsing, search,
//! facets, JSON): the circuit list with every filter at 10,000 circuits, the sheet
//! of a 20 km circuit with 300 POIs in its corridor and 2,000 species observed along it,
//! and the 20 POIs nearest a point of that circuit.
//!
//! Targets (release, 2-core reference machine): list ≤ 5 ms, sheet ≤ 10 ms,
//! nearby ≤ 50 µs.
//! Run: `cargo bench --bench api`.

use axum::body::Body;
use axum::http::Request;
use balade_app::{App, Settings};
use balade_core::store::{self, testing, testing::Lcg};
use balade_core::{
    Circuit, LonLat, Observation, Poi, PoiId, PoiKind, Practice, Taxon, Trace, TracePoint,
};
use balade_server::state::AppState;
use balade_server::web_app::WebApp;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::sync::Arc;
use tower::ServiceExt;

const THEMES: [&str; 5] = ["patrimoine", "nature", "forêt", "rivière", "points de vue"];
const COMMUNES: [&str; 6] = [
    "Provins",
    "Meaux",
    "Fontainebleau",
    "Moret-Loing-et-Orvanne",
    "Coulommiers",
    "Larchant",
];

fn circuit(
    id: String,
    name: String,
    points: Vec<LonLat>,
    practice: Practice,
    themes: Vec<String>,
    communes: Vec<String>,
) -> Circuit {
    let trace = Trace {
        segments: vec![
            points
                .into_iter()
                .map(|pos| TracePoint {
                    pos,
                    ele: Some(100.0),
                })
                .collect(),
        ],
    };
    // Two intercommunalities, so that the filter keeps half the communes.
    let intercommunalities = communes
        .iter()
        .map(|c| {
            if c.len() % 2 == 0 {
                "CA du Pays Pair"
            } else {
                "CC du Pays Impair"
            }
            .to_owned()
        })
        .collect();
    Circuit {
        source: format!("bench:{id}"),
        summary: format!("{name}, une boucle pour le banc d'essai"),
        description: "Église romane, lavoir et moulin au bord de la rivière.".into(),
        name,
        themes,
        communes,
        intercommunalities,
        ..testing::circuit(&id, practice, trace)
    }
}

/// 10,000 circuits of 3 to 15 km over the département, every practice, theme and
/// commune represented.
fn many_circuits() -> Vec<Circuit> {
    let mut rng = Lcg::new(11);
    (0..10_000)
        .map(|i| {
            let start = rng.position();
            let km = 3.0 + rng.next_f64() * 12.0;
            let n = 24;
            // A loop: points on a circle whose circumference is the length.
            let r = km * 1000.0 / (2.0 * std::f64::consts::PI);
            let points = (0..=n)
                .map(|k| {
                    let a = k as f64 / n as f64 * std::f64::consts::TAU;
                    LonLat::new(
                        start.lon() + r * a.cos() / 73_700.0 - r / 73_700.0,
                        start.lat() + r * a.sin() / 111_200.0,
                    )
                    .expect("pos")
                })
                .collect();
            let name = if i % 7 == 0 {
                format!("Église et lavoir {i}")
            } else {
                format!("Boucle {i}")
            };
            circuit(
                format!("c{i}"),
                name,
                points,
                Practice::ALL[i % Practice::ALL.len()],
                vec![
                    THEMES[i % THEMES.len()].into(),
                    THEMES[(i / 5) % THEMES.len()].into(),
                ],
                vec![COMMUNES[i % COMMUNES.len()].into()],
            )
        })
        .collect()
}

/// A 20 km line across the Brie, with 300 POIs within 140 m of it and 2,000 species
/// observed within 400 m.
fn long_circuit() -> (Circuit, Vec<Poi>, Vec<Observation>) {
    let (a, b) = ((2.75, 48.60), (3.02, 48.60)); // about 20 km
    let points: Vec<LonLat> = (0..=2000)
        .map(|k| {
            let t = f64::from(k) / 2000.0;
            LonLat::new(a.0 + (b.0 - a.0) * t, a.1 + 0.002 * (t * 40.0).sin()).expect("pos")
        })
        .collect();
    let mut rng = Lcg::new(3);
    let along = |rng: &mut Lcg, max_m: f64| {
        let p = points[(rng.next_f64() * 2000.0) as usize];
        LonLat::new(
            p.lon(),
            p.lat() + (rng.next_f64() - 0.5) * 2.0 * max_m / 111_200.0,
        )
        .expect("pos")
    };
    let pois = (0..300)
        .map(|i| Poi {
            id: PoiId::new(format!("long-{i}")).expect("id"),
            source: format!("bench:long:{i}"),
            kind: PoiKind::ALL[i % PoiKind::ALL.len()],
            name: format!("Point {i}"),
            description: "Un lavoir du XIXe siècle, restauré par la commune.".into(),
            pos: Some(along(&mut rng, 140.0)),
            ele: None,
            circuit: None,
            commune: Some("Provins".into()),
            insee: None,
            details: Default::default(),
        })
        .collect();
    let observations = (0..2000)
        .map(|i| Observation {
            source: format!("dwc:long:{i}"),
            taxon: Taxon {
                key: format!("taxon-{i}"),
                scientific_name: format!("Species number{i}"),
                vernacular_name: Some(format!("Espèce {i}")),
                class: Some(if i % 2 == 0 { "Aves" } else { "Insecta" }.into()),
                ..Taxon::default()
            }
            .into(),
            event_start: Some("2024-05-02".into()),
            event_end: Some("2024-05-02".into()),
            months: 1 << (i % 12),
            pos: along(&mut rng, 400.0),
            uncertainty_m: None,
            count: Some(1),
            basis_of_record: None,
            license: None,
        })
        .collect();
    let long = circuit(
        "long-brie".into(),
        "Traversée de la Brie".into(),
        points,
        Practice::Walk,
        vec!["patrimoine".into()],
        vec!["Provins".into()],
    );
    (long, pois, observations)
}

async fn get(app: &axum::Router, uri: &str) -> usize {
    let response = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).expect("request"))
        .await
        .expect("response");
    assert!(
        response.status().is_success(),
        "{uri}: {}",
        response.status()
    );
    axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body")
        .len()
}

fn api(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let (state, near) = rt.block_on(async {
        let store = store::open(&url).await.expect("store");
        let mut tx = store.begin_import().await.expect("begin");
        for c in many_circuits() {
            tx.upsert_circuit(&c).await.expect("circuit");
        }
        let (long, pois, observations) = long_circuit();
        let near = pois[150].pos.expect("placed");
        tx.upsert_circuit(&long).await.expect("long");
        tx.upsert_pois(&pois).await.expect("pois");
        tx.upsert_observations(&observations)
            .await
            .expect("observations");
        tx.refresh_species().await.expect("species");
        tx.commit().await.expect("commit");
        let app = App::load(store, Settings::default())
            .await
            .expect("catalogue");
        (AppState::new(Arc::new(app)), near)
    });
    let app = balade_server::app(state.clone(), WebApp::None);
    let list = "/api/v1/circuits?q=eglise&difficulty=easy,medium&type=loop&practice=walk,bike&theme=patrimoine\
        &commune=Provins&intercommunality=cc%20du%20pays%20impair&duration_min=30&duration_max=300&near=2.9,48.6&radius=40000&limit=20";
    let bbox = "/api/v1/circuits?difficulty=medium&bbox=2.6,48.3,3.2,48.8&limit=50";
    let sheet = "/api/v1/circuits/long-brie";
    let nearby = format!(
        "/api/v1/pois/nearby?lon={}&lat={}&radius=2000&limit=20",
        near.lon(),
        near.lat()
    );
    let bytes = rt.block_on(get(&app, sheet));
    let sheet_json: serde_json::Value = rt.block_on(async {
        let r = app
            .clone()
            .oneshot(Request::get(sheet).body(Body::empty()).expect("req"))
            .await
            .expect("resp");
        serde_json::from_slice(
            &axum::body::to_bytes(r.into_body(), usize::MAX)
                .await
                .expect("body"),
        )
        .expect("json")
    });
    eprintln!(
        "sheet: {bytes} bytes, {} POIs along, {} species along",
        sheet_json["properties"]["pois_along"]
            .as_array()
            .map_or(0, Vec::len),
        sheet_json["properties"]["species_along"]
            .as_array()
            .map_or(0, Vec::len)
    );
    let mut group = c.benchmark_group("api");
    group.bench_function("list_every_filter_10k", |b| {
        b.iter(|| black_box(rt.block_on(get(&app, list))))
    });
    group.bench_function("list_bbox_10k", |b| {
        b.iter(|| black_box(rt.block_on(get(&app, bbox))))
    });
    group.bench_function("sheet_20km_300_pois_2000_species", |b| {
        b.iter(|| {
            // Built each time: what the first view after an import costs.
            state.app.forget_answers();
            black_box(rt.block_on(get(&app, sheet)))
        })
    });
    group.bench_function("nearby_20_within_2km", |b| {
        b.iter(|| black_box(rt.block_on(get(&app, &nearby))))
    });
    group.bench_function("sheet_cached", |b| {
        b.iter(|| black_box(rt.block_on(get(&app, sheet))))
    });
    group.finish();
}

criterion_group!(benches, api);
criterion_main!(benches);
