//! The store's contract, as stories any backend must pass: every method of every
//! capability, exercised on an empty database. `core/tests/store.rs` runs each story on
//! SQLite, and on PostGIS when a test server is configured; a new backend runs them too.

use super::{Counts, Store, StoreError, Upsert, copy, testing};
use crate::domain::{
    Circuit, CircuitId, Commune, Insee, Landscape, LandscapeId, LonLat, Media, MediaKind,
    MediaOwner, Observation, Poi, PoiId, PoiKind, Practice, Sensitivity, SpeciesCell, Taxon, Trace,
    TracePoint,
};
use crate::record::{Record, RecordKind};

/// A circuit on a short trace near Fontainebleau, with texts in two languages and
/// practical information: everything a circuit can hold.
pub fn circuit(id: &str, name: &str) -> Circuit {
    let trace = Trace {
        segments: vec![
            (0..20)
                .map(|i| TracePoint {
                    pos: LonLat::new(2.70 + i as f64 * 0.001, 48.40).expect("pos"),
                    ele: Some(60.0 + i as f64),
                })
                .collect(),
        ],
    };
    Circuit {
        source: format!("test:{id}"),
        name: name.into(),
        summary: "Résumé.".into(),
        description: "Résumé. Suite.".into(),
        themes: vec!["forêt".into()],
        communes: vec!["Fontainebleau".into()],
        // Both read back exactly, on both backends.
        practical: crate::Practical {
            parking: Some("Parking de la Croix de Franchard".into()),
            steps: vec![
                "Prendre le sentier bleu.".into(),
                "Tourner à droite au carrefour.".into(),
            ],
            ..Default::default()
        },
        translations: [(
            "en".to_owned(),
            crate::Translation {
                name: Some(format!("{name} (en)")),
                ..Default::default()
            },
        )]
        .into_iter()
        .collect(),
        ..testing::circuit(id, Practice::Walk, trace)
    }
}

/// A POI of `circuit`'s own file, beside its trace.
pub fn poi(circuit: &str, key: &str, kind: PoiKind) -> Poi {
    Poi {
        id: PoiId::new(format!("{circuit}.{key}")).expect("id"),
        source: format!("test:{circuit}:{key}"),
        kind,
        name: format!("Point {key}"),
        description: "Un texte.".into(),
        pos: Some(LonLat::new(2.705, 48.4001).expect("pos")),
        ele: None,
        circuit: Some(CircuitId::new(circuit).expect("id")),
        commune: None,
        insee: None,
        details: Default::default(),
    }
}

/// A landscape unit with a hole.
pub fn landscape(id: &str) -> Landscape {
    let ll = |lon, lat| LonLat::new(lon, lat).expect("pos");
    Landscape {
        id: LandscapeId::new(id).expect("id"),
        source: format!("test:{id}"),
        name: "Plateau de la Brie".into(),
        description: "Un plateau agricole.".into(),
        // An open outer ring (the store must keep it as given) with a closed hole.
        polygons: vec![vec![
            vec![ll(2.6, 48.3), ll(2.8, 48.3), ll(2.8, 48.5), ll(2.6, 48.5)],
            vec![
                ll(2.65, 48.35),
                ll(2.7, 48.35),
                ll(2.7, 48.4),
                ll(2.65, 48.35),
            ],
        ]],
    }
}

/// Circuits, POIs and landscape units: written, read back exactly, updated, refused when
/// an id belongs to another source, never half-written.
pub async fn catalogue(store: &dyn Store) {
    assert_eq!(store.counts().await.expect("counts").circuits, 0);
    let rev0 = store.revision().await.expect("revision");

    // A committed import is visible, and moves the revision.
    let c = circuit("boucle", "La boucle");
    let mut tx = store.begin_import().await.expect("begin");
    assert_eq!(
        tx.upsert_circuit(&c).await.expect("circuit"),
        Upsert::Inserted
    );
    assert_eq!(
        tx.upsert_poi(&poi("boucle", "a", PoiKind::Heritage))
            .await
            .expect("poi"),
        Upsert::Inserted
    );
    assert_eq!(
        tx.upsert_poi(&poi("boucle", "b", PoiKind::Food))
            .await
            .expect("poi"),
        Upsert::Inserted
    );
    tx.commit().await.expect("commit");
    let rev1 = store.revision().await.expect("revision");
    assert!(rev1 > rev0);
    let back = store.circuit(&c.id).await.expect("read").expect("present");
    assert_eq!(back, c, "a circuit reads back exactly as written");
    assert_eq!(store.circuit_pois(&c.id).await.expect("pois").len(), 2);
    let summaries = store.circuit_summaries().await.expect("summaries");
    assert_eq!(summaries.len(), 1);
    assert_eq!(summaries[0].start, c.trace.start().expect("start"));
    assert_eq!(store.poi_points().await.expect("points").len(), 2);
    let food = store.pois_of_kinds(&[PoiKind::Food]).await.expect("kinds");
    assert_eq!(food.len(), 1);
    assert_eq!(food[0].id.as_str(), "boucle.b");

    // A notice without location, with its details, reads back exactly; it stays out of
    // everything spatial, in the bulk path as in the single one.
    let mut notice = poi("boucle", "n", PoiKind::Heritage);
    notice.id = PoiId::new("PA00078014").expect("id");
    notice.source = "heritage:PA00078014".into();
    notice.circuit = None;
    notice.pos = None;
    notice.insee = Some(Insee::new("10003").expect("insee"));
    notice.details.denomination = Some("chapelle".into());
    notice.details.period = Some("15e siècle ; 16e siècle".into());
    notice
        .details
        .provenance
        .insert("PROT".into(), "inscrit MH".into());
    let mut bulk = notice.clone();
    bulk.id = PoiId::new("PA00078015").expect("id");
    bulk.source = "heritage:PA00078015".into();
    bulk.pos = Some(LonLat::new(3.7, 48.2).expect("pos"));
    let mut tx = store.begin_import().await.expect("begin");
    assert_eq!(tx.upsert_poi(&notice).await.expect("poi"), Upsert::Inserted);
    let mut bulk_none = bulk.clone();
    bulk_none.id = PoiId::new("PA00078016").expect("id");
    bulk_none.source = "heritage:PA00078016".into();
    bulk_none.pos = None;
    assert_eq!(
        tx.upsert_pois(&[bulk.clone(), bulk_none.clone()])
            .await
            .expect("pois"),
        (2, 0)
    );
    tx.commit().await.expect("commit");
    for p in [&notice, &bulk, &bulk_none] {
        assert_eq!(&store.poi(&p.id).await.expect("read").expect("present"), p);
    }
    let points = store.poi_points().await.expect("points");
    assert_eq!(points.len(), 3, "only the located notice joins the index");
    assert!(points.iter().any(|p| p.id == bulk.id));
    let near = store
        .pois_near(LonLat::new(3.7, 48.2).expect("pos"), 10_000.0, 50, &[])
        .await
        .expect("near");
    assert_eq!(near.len(), 1);
    let all = store.all_pois().await.expect("all");
    assert_eq!(all.len(), 5);

    // Landscape units read back exactly, and update in place.
    let unit = landscape("brie");
    let mut tx = store.begin_import().await.expect("begin");
    assert_eq!(
        tx.upsert_landscape(&unit).await.expect("landscape"),
        Upsert::Inserted
    );
    tx.commit().await.expect("commit");
    assert_eq!(
        store.landscapes().await.expect("landscapes"),
        std::slice::from_ref(&unit)
    );
    let mut renamed = unit.clone();
    renamed.name = "La Brie".into();
    let mut tx = store.begin_import().await.expect("begin");
    assert_eq!(
        tx.upsert_landscape(&renamed).await.expect("landscape"),
        Upsert::Updated
    );
    tx.commit().await.expect("commit");
    assert_eq!(store.landscapes().await.expect("landscapes"), [renamed]);
    assert_eq!(store.counts().await.expect("counts").landscapes, 1);
    let rev1 = store.revision().await.expect("revision");

    // An import dropped before commit leaves nothing behind.
    let mut tx = store.begin_import().await.expect("begin");
    tx.upsert_circuit(&circuit("fantome", "Fantôme"))
        .await
        .expect("circuit");
    drop(tx);
    assert!(
        store
            .circuit(&CircuitId::new("fantome").expect("id"))
            .await
            .expect("read")
            .is_none()
    );
    assert_eq!(store.revision().await.expect("revision"), rev1);

    // Re-import updates in place; a POI no longer in the source is deleted by key.
    let mut renamed = c.clone();
    renamed.name = "La boucle renommée".into();
    let mut tx = store.begin_import().await.expect("begin");
    assert_eq!(
        tx.upsert_circuit(&renamed).await.expect("circuit"),
        Upsert::Updated
    );
    assert_eq!(
        tx.upsert_poi(&poi("boucle", "a", PoiKind::Viewpoint))
            .await
            .expect("poi"),
        Upsert::Updated
    );
    let deleted = tx
        .delete(RecordKind::Poi, &["test:boucle:b", "test:nothing"])
        .await
        .expect("delete");
    assert_eq!(deleted, 1);
    tx.commit().await.expect("commit");
    let counts = store.counts().await.expect("counts");
    assert_eq!(
        (counts.circuits, counts.pois),
        (1, 4),
        "one circuit POI and the three notices"
    );
    let a = store
        .poi(&PoiId::new("boucle.a").expect("id"))
        .await
        .expect("read")
        .expect("present");
    assert_eq!(a.kind, PoiKind::Viewpoint);
    assert_eq!(
        store
            .circuit(&c.id)
            .await
            .expect("read")
            .expect("present")
            .name,
        "La boucle renommée"
    );

    // An id held by another source is refused, not overwritten.
    let mut other = circuit("boucle", "Intruse");
    other.source = "test:other".into();
    let mut tx = store.begin_import().await.expect("begin");
    match tx.upsert_circuit(&other).await {
        Err(StoreError::Conflict(m)) => assert!(m.contains("boucle"), "{m}"),
        r => panic!("expected a conflict, got {r:?}"),
    }
    drop(tx);
    assert_eq!(
        store
            .circuit(&c.id)
            .await
            .expect("read")
            .expect("present")
            .source,
        "test:boucle"
    );
    store.ping().await.expect("ping");
    assert_eq!(store.all_circuits().await.expect("all").len(), 1);
    let some = store
        .pois(&[
            PoiId::new("boucle.a").expect("id"),
            PoiId::new("PA00078014").expect("id"),
            PoiId::new("absent").expect("id"),
        ])
        .await
        .expect("pois");
    assert_eq!(some.len(), 2, "the ones that exist");

    // Circuits re-read by id: the published ones among the ids, as the whole read
    // gives them; unknown ids are left out.
    let mut hidden = circuit("cachee", "Cachée");
    hidden.published = false;
    let mut tx = store.begin_import().await.expect("begin");
    tx.upsert_circuit(&hidden).await.expect("circuit");
    tx.commit().await.expect("commit");
    let unknown = CircuitId::new("inconnue").expect("id");
    let some = (store.circuit_summaries_of(&[unknown, hidden.id.clone(), c.id.clone()]))
        .await
        .expect("summaries of ids");
    let whole = store.circuit_summaries().await.expect("summaries");
    assert_eq!(whole.len(), 1);
    assert_eq!(some, whole);
}

/// A bird observation.
pub fn observation(source: &str, taxon: &str, lon: f64, lat: f64, months: u16) -> Observation {
    Observation {
        source: source.into(),
        taxon: std::sync::Arc::new(Taxon {
            key: taxon.into(),
            scientific_name: taxon.into(),
            class: Some("Aves".into()),
            ..Taxon::default()
        }),
        event_start: Some("2024-05-02".into()),
        event_end: Some("2024-05-02".into()),
        months,
        pos: LonLat::new(lon, lat).expect("pos"),
        uncertainty_m: Some(30.0),
        count: Some(2),
        basis_of_record: Some("HumanObservation".into()),
        license: None,
    }
}

/// Observations are aggregated into public cells: 1 km, 10 km for strict taxa; the
/// sensitivity list moves a taxon between the two on refresh; re-import updates.
pub async fn species(store: &dyn Store) {
    let mut tx = store.begin_import().await.expect("begin");
    // The owl as GBIF names it: a numeric key and an authored name; the orchid known by
    // its TAXREF number among its ids.
    let mut owl = observation("dwc:3", "2497915", 2.7050, 48.4001, 1 << 1);
    std::sync::Arc::make_mut(&mut owl.taxon).scientific_name = "Bubo bubo (Linnaeus, 1758)".into();
    let mut orchid = observation("dwc:4", "Orchis purpurea", 2.7052, 48.4003, 1 << 5);
    std::sync::Arc::make_mut(&mut orchid.taxon).ids = vec!["5213564".into(), "81271".into()];
    let batch = [
        observation("dwc:1", "Upupa epops", 2.7050, 48.4001, 1 << 4),
        observation("dwc:2", "Upupa epops", 2.7051, 48.4002, 1 << 5),
        owl,
        orchid,
    ];
    assert_eq!(tx.upsert_observations(&batch).await.expect("obs"), (4, 0));
    tx.replace_sensitive_taxa(&[
        ("Bubo bubo".into(), Sensitivity::Strict),
        ("81271".into(), Sensitivity::Sensitive),
    ])
    .await
    .expect("list");
    tx.refresh_species().await.expect("refresh");
    tx.commit().await.expect("commit");
    assert_eq!(store.counts().await.expect("counts").observations, 4);
    let taxa = store.taxa().await.expect("taxa");
    let level = |key: &str| {
        taxa.iter()
            .find(|(t, _)| t.key == key)
            .map(|(_, s)| *s)
            .expect(key)
    };
    assert_eq!(
        level("2497915"),
        Sensitivity::Strict,
        "by its normalised name"
    );
    assert_eq!(
        level("Orchis purpurea"),
        Sensitivity::Sensitive,
        "by one of its ids"
    );
    assert_eq!(level("Upupa epops"), Sensitivity::Normal);
    let orchid_back = taxa
        .iter()
        .find(|(t, _)| t.key == "Orchis purpurea")
        .expect("orchid");
    assert_eq!(orchid_back.0.ids, ["5213564", "81271"], "ids read back");
    let (cells, public_taxa) = store.species().await.expect("species");
    assert!(
        !public_taxa.iter().any(|(t, _)| t.key == "2497915"),
        "the strict taxon is in no public aggregate"
    );
    assert!(!cells.iter().any(|c| c.taxon == "2497915"));
    let sensitive: Vec<_> = cells
        .iter()
        .filter(|c| c.taxon == "Orchis purpurea")
        .collect();
    assert_eq!(sensitive.len(), 1);
    assert_eq!(
        sensitive[0].size_m, 10_000,
        "the sensitive taxon only in a 10 km cell"
    );
    let upupa: Vec<_> = cells.iter().filter(|c| c.taxon == "Upupa epops").collect();
    assert_eq!(upupa.iter().map(|c| c.observations).sum::<u64>(), 2);
    assert!(upupa.iter().all(|c| c.size_m == 1_000));
    assert_eq!(upupa.iter().fold(0, |m, c| m | c.months), 0b11_0000);
    // The same cell's 1 km indices are ten times its 10 km ones.
    assert_eq!(
        (upupa[0].x / 10, upupa[0].y / 10),
        (sensitive[0].x, sensitive[0].y)
    );
    // Read by cells: the hoopoe's cell alone, and one holding nothing.
    let wanted = [(1_000, upupa[0].x, upupa[0].y), (1_000, -5, -5)];
    let (some, some_taxa) = store.species_in(&wanted).await.expect("by cells");
    assert!(!some.is_empty());
    assert!(
        some.iter().all(|c| (c.size_m, c.x, c.y) == wanted[0]),
        "{some:?}"
    );
    let mut expected: Vec<_> = cells
        .iter()
        .filter(|c| (c.size_m, c.x, c.y) == wanted[0])
        .cloned()
        .collect();
    let mut got = some.clone();
    let order = |c: &crate::domain::SpeciesCell| (c.taxon.clone(), c.months);
    expected.sort_by_key(order);
    got.sort_by_key(order);
    assert_eq!(got, expected);
    let mut named: Vec<_> = some.iter().map(|c| c.taxon.as_str()).collect();
    named.sort_unstable();
    named.dedup();
    let keys: Vec<_> = some_taxa.iter().map(|(t, _)| t.key.as_str()).collect();
    assert_eq!(keys, named, "the taxa of those cells, each once");
    assert!(store.species_in(&[]).await.expect("none").0.is_empty());

    // Re-import: updates, no new rows; an emptied list makes the owl ordinary again.
    let mut tx = store.begin_import().await.expect("begin");
    assert_eq!(
        tx.upsert_observations(&batch[..2]).await.expect("obs"),
        (0, 2)
    );
    tx.replace_sensitive_taxa(&[]).await.expect("list");
    tx.refresh_species().await.expect("refresh");
    tx.commit().await.expect("commit");
    let (cells, _) = store.species().await.expect("species");
    assert!(cells.iter().all(|c| c.size_m == 1_000));
    assert!(cells.iter().any(|c| c.taxon == "2497915"));
    assert_eq!(store.counts().await.expect("counts").observations, 4);
    assert!(store.sensitive_taxa().await.expect("list").is_empty());

    // Pages of observations, in the store's order of sources, each once.
    let first = store.observations_page(None, 2).await.expect("page");
    assert_eq!(first.len(), 2);
    let rest = store
        .observations_page(Some(&first[1].source), 2)
        .await
        .expect("page");
    assert_eq!(rest.len(), 2);
    let mut all: Vec<_> = first
        .iter()
        .chain(&rest)
        .map(|o| o.source.clone())
        .collect();
    all.sort();
    assert_eq!(all, ["dwc:1", "dwc:2", "dwc:3", "dwc:4"]);
    assert_eq!(
        rest[1], batch[3],
        "an observation reads back exactly with its taxon and its ids"
    );

    // Observations only added: the aggregates grow by them (a backend may add them to
    // its cells rather than count every observation again), exactly as a recount gives.
    let mut tx = store.begin_import().await.expect("begin");
    tx.replace_sensitive_taxa(&[("Orchis purpurea".into(), Sensitivity::Sensitive)])
        .await
        .expect("list");
    tx.refresh_species().await.expect("refresh");
    tx.commit().await.expect("commit");
    let before = sorted_cells(store).await;
    let added = [
        // The first hoopoe's cell and months: one more there.
        observation("dwc:5", "Upupa epops", 2.7050, 48.4001, 1 << 4),
        // A cell of its own.
        observation("dwc:6", "Upupa epops", 2.9, 48.6, 1 << 4),
        // The sensitive orchid beside the first one: its 10 km cell.
        observation("dwc:7", "Orchis purpurea", 2.7062, 48.4003, 1 << 5),
        // The owl is ordinary again.
        observation("dwc:8", "2497915", 2.7050, 48.4001, 1 << 1),
        // A taxon never seen.
        observation("dwc:9", "Alcedo atthis", 2.7050, 48.4001, 1 << 2),
    ];
    let mut tx = store.begin_import().await.expect("begin");
    assert_eq!(tx.upsert_observations(&added).await.expect("obs"), (5, 0));
    tx.refresh_species().await.expect("refresh");
    tx.commit().await.expect("commit");
    let grown = sorted_cells(store).await;
    let total = |cells: &[SpeciesCell], taxon: &str, size_m: u32| -> u64 {
        (cells.iter())
            .filter(|c| c.taxon == taxon && c.size_m == size_m)
            .map(|c| c.observations)
            .sum()
    };
    assert_eq!(total(&grown, "Upupa epops", 1_000), 4);
    assert_eq!(total(&grown, "Orchis purpurea", 10_000), 2);
    assert_eq!(total(&grown, "Orchis purpurea", 1_000), 0);
    assert_eq!(total(&grown, "Alcedo atthis", 1_000), 1);
    assert_eq!(
        grown.len(),
        before.len() + 2,
        "new rows: the hoopoe's own cell and the kingfisher; {grown:?}"
    );
    // A deletion of nothing: the backend may recount everything; the same cells.
    let mut tx = store.begin_import().await.expect("begin");
    assert_eq!(
        tx.delete(RecordKind::Observation, &["dwc:none"])
            .await
            .expect("delete"),
        0
    );
    tx.refresh_species().await.expect("refresh");
    tx.commit().await.expect("commit");
    assert_eq!(sorted_cells(store).await, grown);

    // Batches over several statements: first all new (added to the cells), then one
    // holding, in its middle, an observation already stored that moved; each time the
    // cells a recount gives.
    let many = |prefix: &str| -> Vec<Observation> {
        (0..1_201)
            .map(|i| {
                let taxon = if i % 2 == 0 {
                    "Upupa epops"
                } else {
                    "Alcedo atthis"
                };
                let (lon, lat) = (
                    2.6 + f64::from(i % 40) * 0.01,
                    48.3 + f64::from(i / 40) * 0.01,
                );
                observation(&format!("dwc:{prefix}{i}"), taxon, lon, lat, 1 << (i % 12))
            })
            .collect()
    };
    let recounted = async || {
        let mut tx = store.begin_import().await.expect("begin");
        tx.delete(RecordKind::Observation, &["dwc:none"])
            .await
            .expect("delete");
        tx.refresh_species().await.expect("refresh");
        tx.commit().await.expect("commit");
        sorted_cells(store).await
    };
    let mut tx = store.begin_import().await.expect("begin");
    assert_eq!(
        tx.upsert_observations(&many("a")).await.expect("obs"),
        (1_201, 0)
    );
    tx.refresh_species().await.expect("refresh");
    tx.commit().await.expect("commit");
    let added = sorted_cells(store).await;
    assert_eq!(total(&added, "Upupa epops", 1_000), 4 + 601);
    assert_eq!(total(&added, "Alcedo atthis", 1_000), 1 + 600);
    assert_eq!(recounted().await, added);
    let mut moved = many("b");
    moved[700] = observation("dwc:6", "Upupa epops", 2.95, 48.65, 1 << 4);
    let mut tx = store.begin_import().await.expect("begin");
    assert_eq!(
        tx.upsert_observations(&moved).await.expect("obs"),
        (1_200, 1)
    );
    tx.refresh_species().await.expect("refresh");
    tx.commit().await.expect("commit");
    let after = sorted_cells(store).await;
    assert_eq!(total(&after, "Upupa epops", 1_000), 4 + 601 + 600);
    assert_eq!(total(&after, "Alcedo atthis", 1_000), 1 + 600 + 600);
    assert_eq!(recounted().await, after);

    // A taxon written twice in one transaction, named better the second time: the
    // second wins; the first again leaves it (an empty field does not erase one).
    let plain = observation("dwc:c1", "Coracias garrulus", 2.8, 48.5, 1 << 6);
    let mut named = observation("dwc:c2", "Coracias garrulus", 2.8, 48.5, 1 << 6);
    std::sync::Arc::make_mut(&mut named.taxon).vernacular_name = Some("Rollier".into());
    let again = observation("dwc:c3", "Coracias garrulus", 2.8, 48.5, 1 << 6);
    let mut tx = store.begin_import().await.expect("begin");
    for batch in [plain, named, again] {
        tx.upsert_observations(std::slice::from_ref(&batch))
            .await
            .expect("obs");
    }
    tx.refresh_species().await.expect("refresh");
    tx.commit().await.expect("commit");
    let taxa = store.taxa().await.expect("taxa");
    let roller = taxa.iter().find(|(t, _)| t.key == "Coracias garrulus");
    assert_eq!(
        roller.and_then(|(t, _)| t.vernacular_name.as_deref()),
        Some("Rollier")
    );
}

/// The public aggregates in a stable order.
async fn sorted_cells(store: &dyn Store) -> Vec<SpeciesCell> {
    let mut cells = store.species().await.expect("species").0;
    cells.sort_by(|a, b| {
        (a.size_m, a.x, a.y, &a.taxon, a.months).cmp(&(b.size_m, b.x, b.y, &b.taxon, b.months))
    });
    cells
}

/// A commune with a square boundary of 0.1° from `west`.
pub fn commune(code: &str, name: &str, intercommunality: Option<&str>) -> Commune {
    let ll = |lon, lat| LonLat::new(lon, lat).expect("pos");
    Commune {
        code: Insee::new(code).expect("code"),
        name: name.into(),
        intercommunality: intercommunality.map(str::to_owned),
        // A SIREN of its own, so that every backend is seen to keep it.
        intercommunality_code: intercommunality.map(|_| format!("2000{code}")),
        polygons: vec![vec![vec![
            ll(2.6, 48.3),
            ll(2.8, 48.3),
            ll(2.8, 48.5),
            ll(2.6, 48.5),
            ll(2.6, 48.3),
        ]]],
    }
}

/// Communes read back exactly and update in place; a circuit's places are set by id.
pub async fn communes(store: &dyn Store) {
    let fontainebleau = commune(
        "77186",
        "Fontainebleau",
        Some("CA du Pays de Fontainebleau"),
    );
    let mut tx = store.begin_import().await.expect("begin");
    assert_eq!(
        tx.upsert_commune(&fontainebleau).await.expect("commune"),
        Upsert::Inserted
    );
    tx.upsert_circuit(&circuit("boucle", "La boucle"))
        .await
        .expect("circuit");
    tx.commit().await.expect("commit");
    assert_eq!(
        store.communes().await.expect("communes"),
        std::slice::from_ref(&fontainebleau)
    );
    let mut renamed = fontainebleau.clone();
    renamed.intercommunality = None;
    let mut tx = store.begin_import().await.expect("begin");
    assert_eq!(
        tx.upsert_commune(&renamed).await.expect("commune"),
        Upsert::Updated
    );
    tx.upsert_commune(&commune("77379", "Provins", None))
        .await
        .expect("commune");
    let id = CircuitId::new("boucle").expect("id");
    tx.set_circuit_places(&id, &["Fontainebleau".into()], &["CA du Pays".into()])
        .await
        .expect("places");
    tx.set_circuit_places(&CircuitId::new("absent").expect("id"), &["X".into()], &[])
        .await
        .expect("an unknown circuit is left alone");
    tx.commit().await.expect("commit");
    let names = store.commune_names().await.expect("names");
    let names: Vec<(&str, &str)> = names
        .iter()
        .map(|(c, n)| (c.as_str(), n.as_str()))
        .collect();
    assert_eq!(names, [("77186", "Fontainebleau"), ("77379", "Provins")]);
    assert_eq!(store.communes().await.expect("communes")[0], renamed);
    let placed = store.circuit(&id).await.expect("read").expect("present");
    assert_eq!(placed.communes, ["Fontainebleau"]);
    assert_eq!(placed.intercommunalities, ["CA du Pays"]);
}

/// A media item of `owner`: a photo with two derivatives when `id` is hexadecimal.
pub fn media(owner: MediaOwner, id: &str, position: u32) -> Media {
    Media {
        id: id.into(),
        owner,
        kind: MediaKind::Photo,
        url: None,
        title: Some("Le chemin".into()),
        author: Some("Camille".into()),
        license: Some("CC-BY-4.0".into()),
        alt: Some("Un chemin sous les arbres".into()),
        width: Some(1600),
        height: Some(1200),
        position,
        files: vec![(320, 11), (800, 22)],
    }
}

/// The derivative files of a media item from [`media`]: bytes as long as its sizes say.
pub fn media_bytes(m: &Media) -> Vec<(u32, Vec<u8>)> {
    m.files
        .iter()
        .map(|(w, n)| (*w, (0..*n).map(|i| (i as u8) ^ (*w as u8)).collect()))
        .collect()
}

/// Photos and links attach to circuits and POIs, read back in order with their files,
/// and go with their owner.
pub async fn media_items(store: &dyn Store) {
    let mut tx = store.begin_import().await.expect("begin");
    tx.upsert_circuit(&circuit("boucle", "La boucle"))
        .await
        .expect("circuit");
    tx.upsert_poi(&poi("boucle", "a", PoiKind::Heritage))
        .await
        .expect("poi");
    tx.upsert_poi(&poi("boucle", "b", PoiKind::Food))
        .await
        .expect("poi");
    let circuit_owner = MediaOwner::Circuit(CircuitId::new("boucle").expect("id"));
    let a = MediaOwner::Poi(PoiId::new("boucle.a").expect("id"));
    let b = MediaOwner::Poi(PoiId::new("boucle.b").expect("id"));
    let first = media(circuit_owner.clone(), "aa01", 0);
    let video = Media {
        kind: MediaKind::Video,
        url: Some("https://example.org/v.mp4".into()),
        files: Vec::new(),
        width: None,
        height: None,
        ..media(circuit_owner.clone(), "bb02", 1)
    };
    let on_a = media(a.clone(), "cc03", 0);
    let on_b = media(b.clone(), "dd04", 0);
    for m in [&first, &video, &on_a, &on_b] {
        assert_eq!(
            tx.upsert_media(m, &media_bytes(m)).await.expect("media"),
            Upsert::Inserted
        );
    }
    let missing = media(
        MediaOwner::Poi(PoiId::new("absent").expect("id")),
        "ee05",
        0,
    );
    assert!(
        tx.upsert_media(&missing, &media_bytes(&missing))
            .await
            .is_err(),
        "the owner must exist"
    );
    tx.commit().await.expect("commit");

    assert_eq!(
        store.media_of(&circuit_owner).await.expect("media"),
        [first.clone(), video.clone()]
    );
    let of_pois = store
        .media_of_pois(&[
            PoiId::new("boucle.a").expect("id"),
            PoiId::new("boucle.b").expect("id"),
        ])
        .await
        .expect("media");
    assert_eq!(of_pois, [on_a.clone(), on_b.clone()]);
    assert_eq!(store.all_media().await.expect("all").len(), 4);
    for (width, bytes) in media_bytes(&first) {
        assert_eq!(
            store.media_file("aa01", width).await.expect("file"),
            Some(bytes)
        );
    }
    assert_eq!(store.media_file("aa01", 1600).await.expect("file"), None);

    // The same photo again updates its texts, not its files.
    let mut retitled = first.clone();
    retitled.title = Some("Le sentier".into());
    let mut tx = store.begin_import().await.expect("begin");
    assert_eq!(
        tx.upsert_media(&retitled, &media_bytes(&retitled))
            .await
            .expect("media"),
        Upsert::Updated
    );
    // A POI deleted takes its media, and its files when no one else shows them.
    assert_eq!(
        tx.delete(RecordKind::Poi, &["test:boucle:b"])
            .await
            .expect("delete"),
        1
    );
    tx.commit().await.expect("commit");
    assert_eq!(
        store.media_of(&circuit_owner).await.expect("media")[0],
        retitled
    );
    assert!(store.media_of(&b).await.expect("media").is_empty());
    assert_eq!(store.media_file("dd04", 320).await.expect("file"), None);

    // A circuit deleted takes its own POIs and every media item of them.
    let mut tx = store.begin_import().await.expect("begin");
    assert_eq!(
        tx.delete(RecordKind::Circuit, &["test:boucle"])
            .await
            .expect("delete"),
        1
    );
    tx.commit().await.expect("commit");
    let counts = store.counts().await.expect("counts");
    assert_eq!((counts.circuits, counts.pois), (0, 0));
    assert!(store.all_media().await.expect("all").is_empty());
    assert_eq!(store.media_file("cc03", 800).await.expect("file"), None);
}

/// What imports read to plan: records by key of every kind, the keys of a scope, the
/// keys behind public ids; and deletion by key of every kind.
pub async fn planning(store: &dyn Store) {
    let mut tx = store.begin_import().await.expect("begin");
    let c = circuit("boucle", "La boucle");
    tx.upsert_circuit(&c).await.expect("circuit");
    let pois = [
        poi("boucle", "a", PoiKind::Heritage),
        poi("boucle", "b", PoiKind::Food),
    ];
    for p in &pois {
        tx.upsert_poi(p).await.expect("poi");
    }
    let unit = landscape("brie");
    tx.upsert_landscape(&unit).await.expect("landscape");
    let place = commune("77186", "Fontainebleau", None);
    tx.upsert_commune(&place).await.expect("commune");
    let seen = observation("dwc:urn:x:1", "Upupa epops", 2.705, 48.4, 1 << 4);
    tx.upsert_observations(std::slice::from_ref(&seen))
        .await
        .expect("obs");
    tx.commit().await.expect("commit");

    let wanted = [
        (
            RecordKind::Circuit,
            "test:boucle",
            Record::Circuit(c.clone()),
        ),
        (
            RecordKind::Poi,
            "test:boucle:a",
            Record::Poi(pois[0].clone()),
        ),
        (
            RecordKind::Landscape,
            "test:brie",
            Record::Landscape(unit.clone()),
        ),
        (RecordKind::Commune, "77186", Record::Commune(place.clone())),
        (
            RecordKind::Observation,
            "dwc:urn:x:1",
            Record::Observation(seen.clone()),
        ),
    ];
    for (kind, key, record) in &wanted {
        let found = store
            .existing(*kind, &[key, "absent"])
            .await
            .expect("existing");
        assert_eq!(found, std::slice::from_ref(record), "{kind}");
        assert_eq!(found[0].key(), *key);
    }
    // Each import keeps the digest of what it wrote; a change made otherwise forgets it.
    for (kind, key, record) in &wanted {
        let digests = store
            .digests(*kind, &[key, "absent"])
            .await
            .expect("digests");
        assert_eq!(
            digests,
            [((*key).to_owned(), Some(record.digest()))],
            "{kind}"
        );
    }
    let mut tx = store.begin_import().await.expect("begin");
    tx.set_circuit_places(&c.id, &["Fontainebleau".into()], &[])
        .await
        .expect("places");
    tx.commit().await.expect("commit");
    assert_eq!(
        store
            .digests(RecordKind::Circuit, &["test:boucle"])
            .await
            .expect("digests"),
        [("test:boucle".to_owned(), None)]
    );
    let mut keys = Vec::new();
    store
        .scan_keys(RecordKind::Poi, "test:boucle:", &mut |k| {
            keys.push(k.to_owned())
        })
        .await
        .expect("scan");
    assert_eq!(keys, ["test:boucle:a", "test:boucle:b"]);
    let mut none = 0;
    store
        .scan_keys(RecordKind::Observation, "dwc:urn:y", &mut |_| none += 1)
        .await
        .expect("scan");
    assert_eq!(none, 0);
    for (kind, prefix, any) in [
        (RecordKind::Poi, "test:boucle:", true),
        (RecordKind::Poi, "test:boucle:b", true),
        (RecordKind::Poi, "test:boucle:c", false),
        (RecordKind::Circuit, "test:boucle:", false),
        (RecordKind::Observation, "dwc:urn:y", false),
    ] {
        assert_eq!(
            store.any_key(kind, prefix).await.expect("any key"),
            any,
            "{prefix}"
        );
    }
    assert_eq!(
        store
            .id_keys(RecordKind::Poi, &["boucle.b", "absent"])
            .await
            .expect("ids"),
        [("boucle.b".to_owned(), "test:boucle:b".to_owned())]
    );
    assert_eq!(
        store
            .id_keys(RecordKind::Circuit, &["boucle"])
            .await
            .expect("ids"),
        [("boucle".to_owned(), "test:boucle".to_owned())]
    );

    let mut tx = store.begin_import().await.expect("begin");
    // The POI before its circuit, which would take it along.
    for (kind, key, _) in wanted.iter().rev() {
        assert_eq!(tx.delete(*kind, &[key]).await.expect("delete"), 1, "{kind}");
    }
    tx.refresh_species().await.expect("refresh");
    tx.commit().await.expect("commit");
    let counts = store.counts().await.expect("counts");
    assert_eq!(counts, Counts::default(), "the circuit took its other POI");
    assert!(store.communes().await.expect("communes").is_empty());
    assert!(store.species().await.expect("species").0.is_empty());
}

/// A backend with change notices tells commits, and only them.
pub async fn notices(store: &dyn Store) {
    let Some(mut feed) = store.subscribe().await.expect("subscribe") else {
        assert_eq!(
            store.backend(),
            "sqlite",
            "only SQLite goes without notices"
        );
        return;
    };
    // A rolled-back import says nothing; the next commit does.
    let mut tx = store.begin_import().await.expect("begin");
    tx.upsert_circuit(&circuit("annule", "Annulé"))
        .await
        .expect("circuit");
    drop(tx);
    let mut tx = store.begin_import().await.expect("begin");
    tx.upsert_circuit(&circuit("garde", "Gardé"))
        .await
        .expect("circuit");
    tx.commit().await.expect("commit");
    tokio::time::timeout(std::time::Duration::from_secs(30), feed.changed())
        .await
        .expect("a notice")
        .expect("ok");
    assert_eq!(store.counts().await.expect("counts").circuits, 1);
}

/// `db copy` carries everything (circuits, POIs, landscape units, communes, media with
/// their files, observations, the sensitivity list) from an empty `origin` filled here
/// into an empty `target`, and the fingerprint tells any difference.
pub async fn copy(origin: &dyn Store, target: &dyn Store) {
    let mut tx = origin.begin_import().await.expect("begin");
    for (i, name) in ["Une", "Deux", "Trois"].iter().enumerate() {
        let id = format!("c{i}");
        tx.upsert_circuit(&circuit(&id, name))
            .await
            .expect("circuit");
        tx.upsert_poi(&poi(&id, "a", PoiKind::Heritage))
            .await
            .expect("poi");
    }
    // More observations than a copy page, with a sensitive taxon and a strict one.
    let observations: Vec<Observation> = (0..10_050)
        .map(|i| {
            let taxon = ["Upupa epops", "Bubo bubo", "Orchis purpurea"][i % 3];
            let mut o = observation(
                &format!("dwc:{i}"),
                taxon,
                2.6 + (i % 97) as f64 * 1e-3,
                48.4 + (i % 89) as f64 * 1e-3,
                1 << (i % 12),
            );
            o.count = (i % 2 == 0).then_some(i as u32);
            o
        })
        .collect();
    tx.upsert_observations(&observations)
        .await
        .expect("observations");
    tx.replace_sensitive_taxa(&[
        ("Bubo bubo".into(), Sensitivity::Strict),
        ("Orchis purpurea".into(), Sensitivity::Sensitive),
    ])
    .await
    .expect("list");
    tx.refresh_species().await.expect("refresh");
    tx.upsert_landscape(&landscape("brie"))
        .await
        .expect("landscape");
    tx.upsert_commune(&commune(
        "77186",
        "Fontainebleau",
        Some("CA du Pays de Fontainebleau"),
    ))
    .await
    .expect("commune");
    let photo = media(
        MediaOwner::Circuit(CircuitId::new("c0").expect("id")),
        "abc123",
        0,
    );
    tx.upsert_media(&photo, &media_bytes(&photo))
        .await
        .expect("media");
    let shared = media(
        MediaOwner::Poi(PoiId::new("c1.a").expect("id")),
        "abc123",
        0,
    );
    tx.upsert_media(&shared, &media_bytes(&shared))
        .await
        .expect("media");
    tx.commit().await.expect("commit");
    let source = copy::fingerprint(origin).await.expect("fingerprint");
    assert_eq!((source.circuits, source.pois), (3, 3));
    assert_eq!(source.observations, 10_050);
    assert_eq!((source.landscapes, source.communes), (1, 1));
    assert_eq!(
        (source.media, source.media_files),
        (2, 2),
        "one photo on two owners"
    );
    let (origin_cells, _) = origin.species().await.expect("species");
    {
        let copied = copy::copy(origin, target).await.expect("copy");
        assert_eq!(copied, source);
        assert_eq!(
            copy::fingerprint(target).await.expect("fingerprint"),
            source,
            "{}",
            target.backend()
        );
        for (width, bytes) in media_bytes(&photo) {
            assert_eq!(
                target.media_file("abc123", width).await.expect("file"),
                Some(bytes),
                "the photo's bytes crossed"
            );
        }
        // The public aggregates are rebuilt the same on the other side.
        let (mut cells, _) = target.species().await.expect("species");
        let mut expected = origin_cells.clone();
        let key = |c: &SpeciesCell| (c.size_m, c.x, c.y, c.taxon.clone(), c.months);
        cells.sort_by_key(key);
        expected.sort_by_key(key);
        assert_eq!(cells, expected, "{}", target.backend());
        // A change on one side shows in the checksum.
        let mut tx = target.begin_import().await.expect("begin");
        tx.upsert_poi(&poi("c0", "a", PoiKind::Food))
            .await
            .expect("poi");
        tx.commit().await.expect("commit");
        let changed = copy::fingerprint(target).await.expect("fingerprint");
        assert_eq!((changed.circuits, changed.pois), (3, 3));
        assert_ne!(changed.checksum, source.checksum);
    }
}

/// Deterministic pseudo-random POIs around Fontainebleau (a linear congruential
/// generator: no dependency, same points on every run).
pub fn scattered_pois(n: usize) -> Vec<Poi> {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|i| {
            let mut p = poi("x", &i.to_string(), PoiKind::ALL[i % PoiKind::ALL.len()]);
            p.id = PoiId::new(format!("s{i}")).expect("id");
            p.source = format!("scatter:{i}");
            p.circuit = None;
            p.pos = Some(LonLat::new(2.60 + next() * 0.12, 48.36 + next() * 0.08).expect("pos"));
            p
        })
        .collect()
}

/// Two answers agree: same distances in the same order (within 0.5 m), and the same
/// POIs except within 0.5 % of the cut-off, where either side may legitimately fall
/// either way (PostGIS orders and pre-filters on the sphere, whose distances differ
/// from the ellipsoid's by up to 0.3 %).
fn assert_agree(what: &str, a: &[(String, f64)], b: &[(String, f64)], cutoff: f64) {
    let edge = |d: f64| (d - cutoff).abs() < 0.5 + cutoff * 0.005;
    let (a_in, b_in): (Vec<_>, Vec<_>) = (
        a.iter().filter(|x| !edge(x.1)).collect(),
        b.iter().filter(|x| !edge(x.1)).collect(),
    );
    assert_eq!(a_in.len(), b_in.len(), "{what}: {a:?}\n vs {b:?}");
    for (x, y) in a_in.iter().zip(&b_in) {
        assert!((x.1 - y.1).abs() < 0.5, "{what}: {x:?} vs {y:?}");
    }
    let ids = |v: &[&(String, f64)]| {
        v.iter()
            .map(|x| x.0.clone())
            .collect::<std::collections::BTreeSet<_>>()
    };
    assert_eq!(ids(&a_in), ids(&b_in), "{what}");
}

/// The database's spatial answers (near a place, along a trace) agree with the index's.
pub async fn index_and_database_agree(store: &dyn Store) {
    let pois = scattered_pois(3_000);
    let mut tx = store.begin_import().await.expect("begin");
    assert_eq!(tx.upsert_pois(&pois).await.expect("bulk"), (3_000, 0));
    tx.commit().await.expect("commit");
    let mut tx = store.begin_import().await.expect("begin");
    assert_eq!(
        tx.upsert_pois(&pois[..10]).await.expect("bulk"),
        (0, 10),
        "re-import updates"
    );
    tx.commit().await.expect("commit");
    // An id held by another source, deep in a batch of several statements: refused, and
    // nothing of the transaction lands.
    let mut intruders = scattered_pois(5_000)[3_000..].to_vec();
    intruders[1_500].id = pois[5].id.clone();
    let mut tx = store.begin_import().await.expect("begin");
    match tx.upsert_pois(&intruders).await {
        Err(StoreError::Conflict(m)) => assert!(m.contains("`s5`"), "{m}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    drop(tx);
    assert!(store.poi(&intruders[0].id).await.expect("read").is_none());
    assert_eq!(
        store
            .poi(&pois[5].id)
            .await
            .expect("read")
            .map(|p| p.source),
        Some(pois[5].source.clone())
    );

    let index =
        crate::index::SpatialIndex::build(store.poi_points().await.expect("points"), Vec::new());
    for (i, (lon, lat)) in [(2.65, 48.40), (2.70, 48.42), (2.61, 48.37), (2.719, 48.439)]
        .into_iter()
        .enumerate()
    {
        let at = LonLat::new(lon, lat).expect("pos");
        for (radius, limit, kinds) in [
            (500.0, 1_000, &[][..]),
            (2_000.0, 20, &[][..]),
            (1_500.0, 50, &[PoiKind::Food][..]),
        ] {
            let from_db: Vec<(String, f64)> = store
                .pois_near(at, radius, limit, kinds)
                .await
                .expect("near")
                .into_iter()
                .map(|(p, d)| (p.id.to_string(), d))
                .collect();
            let from_index: Vec<(String, f64)> = index
                .nearby_pois(at, radius, limit, kinds)
                .into_iter()
                .map(|h| (h.item.id.to_string(), h.distance_m))
                .collect();
            assert!(!from_db.is_empty(), "query {i} finds something");
            let cutoff = if from_db.len() == limit {
                from_db[limit - 1].1
            } else {
                radius
            };
            assert_agree(
                &format!("{} near #{i} r={radius}", store.backend()),
                &from_db,
                &from_index,
                cutoff,
            );
        }
    }
    let trace = circuit("t", "T").trace;
    let from_db: Vec<(String, f64)> = store
        .pois_along(&trace, 200.0)
        .await
        .expect("along")
        .into_iter()
        .map(|(p, d)| (p.id.to_string(), d))
        .collect();
    let from_index: Vec<(String, f64)> = index
        .pois_along(&trace, 200.0)
        .into_iter()
        .map(|h| (h.item.id.to_string(), h.distance_m))
        .collect();
    assert!(from_db.len() > 5, "{from_db:?}");
    assert_agree(
        &format!("{} along", store.backend()),
        &from_db,
        &from_index,
        200.0,
    );
}

/// Accounts and sessions: e-mails are unique, a session finds its enabled account until
/// it expires, a new password or a disabled account ends every session.
pub async fn accounts(store: &dyn Store) {
    use crate::accounts::{NewAccount, Role, parse_territory};
    let new = |email: &str, role: Role, territory: &str| NewAccount {
        email: email.to_owned(),
        role,
        territory: parse_territory(territory).expect("codes"),
        password_hash: format!("hash-of-{email}"),
    };
    let editor = store
        .add_account(&new("editrice@77.fr", Role::Editor, "77379,200072130"))
        .await
        .expect("add");
    assert_eq!(editor.role, Role::Editor);
    assert_eq!(
        editor.territory,
        parse_territory("200072130,77379").expect("codes")
    );
    assert!(!editor.disabled);
    let admin = store
        .add_account(&new("admin@77.fr", Role::Admin, ""))
        .await
        .expect("add");
    assert_ne!(admin.id, editor.id);
    match store
        .add_account(&new("admin@77.fr", Role::Moderator, ""))
        .await
    {
        Err(StoreError::Conflict(m)) => assert!(m.contains("admin@77.fr"), "{m}"),
        other => panic!("a second account with one e-mail: {other:?}"),
    }
    let all = store.accounts().await.expect("list");
    let emails: Vec<&str> = all.iter().map(|a| a.email.as_str()).collect();
    assert_eq!(emails, ["admin@77.fr", "editrice@77.fr"]);
    assert_eq!(
        store
            .account_by_email("editrice@77.fr")
            .await
            .expect("read"),
        Some(editor.clone())
    );
    assert_eq!(
        store.account_by_email("nobody@77.fr").await.expect("read"),
        None
    );

    let now = 1_800_000_000;
    store
        .create_session("s1", editor.id, now + 60)
        .await
        .expect("session");
    store
        .create_session("s2", editor.id, now + 60)
        .await
        .expect("session");
    store
        .create_session("old", admin.id, now - 1)
        .await
        .expect("session");
    let found = store.session_account("s1", now).await.expect("read");
    assert_eq!(found.map(|a| a.email), Some("editrice@77.fr".to_owned()));
    assert_eq!(
        store.session_account("s1", now + 60).await.expect("read"),
        None,
        "expired"
    );
    assert_eq!(store.session_account("old", now).await.expect("read"), None);
    assert_eq!(
        store.session_account("nope", now).await.expect("read"),
        None
    );

    store.end_session("s1", now).await.expect("end");
    assert_eq!(store.session_account("s1", now).await.expect("read"), None);
    assert!(
        store
            .session_account("s2", now)
            .await
            .expect("read")
            .is_some()
    );

    assert!(
        store
            .set_password("editrice@77.fr", "new-hash")
            .await
            .expect("passwd")
    );
    assert_eq!(
        store.session_account("s2", now).await.expect("read"),
        None,
        "ended"
    );
    let changed = store
        .account_by_email("editrice@77.fr")
        .await
        .expect("read")
        .expect("account");
    assert_eq!(changed.password_hash, "new-hash");
    assert!(
        !store
            .set_password("nobody@77.fr", "x")
            .await
            .expect("passwd")
    );

    store
        .create_session("s3", admin.id, now + 60)
        .await
        .expect("session");
    assert!(store.disable_account("admin@77.fr").await.expect("disable"));
    assert_eq!(store.session_account("s3", now).await.expect("read"), None);
    store
        .create_session("s4", admin.id, now + 60)
        .await
        .expect("session");
    assert_eq!(
        store.session_account("s4", now).await.expect("read"),
        None,
        "a disabled account opens no session"
    );
    assert!(
        store
            .account_by_email("admin@77.fr")
            .await
            .expect("read")
            .expect("kept")
            .disabled
    );
    assert!(
        !store
            .disable_account("nobody@77.fr")
            .await
            .expect("disable")
    );
}

/// Import jobs: stored, moved on, listed newest first; their plans' records replaced
/// whole and read filtered and paged.
pub async fn import_jobs(store: &dyn Store) {
    use crate::jobs::{Job, JobCounts, JobRecord, JobRecordFilter, JobStatus};
    let job = |id: &str, at: i64| Job {
        id: id.to_owned(),
        kind: "gpx".into(),
        file_name: "boucle.gpx".into(),
        path: format!("/jobs/{id}/boucle.gpx"),
        created_by: "admin@77.fr".into(),
        created_at: at,
        status: JobStatus::Queued,
        progress: 0,
        counts: JobCounts::default(),
        error: None,
        committed_by: None,
        committed_at: None,
    };
    store.create_job(&job("a", 100)).await.expect("create");
    store.create_job(&job("b", 200)).await.expect("create");
    let mut a = store.job("a").await.expect("read").expect("job");
    assert_eq!(a, job("a", 100));
    a.status = JobStatus::Committed;
    a.progress = 12;
    a.counts = JobCounts {
        create: 3,
        update: 2,
        unchanged: 5,
        delete: 1,
        rejected: 1,
    };
    a.committed_by = Some("editrice@77.fr".into());
    a.committed_at = Some(300);
    store.update_job(&a).await.expect("update");
    assert_eq!(store.job("a").await.expect("read"), Some(a.clone()));
    assert_eq!(store.job("zz").await.expect("read"), None);
    let ids: Vec<String> = store
        .jobs(10)
        .await
        .expect("list")
        .into_iter()
        .map(|j| j.id)
        .collect();
    assert_eq!(ids, ["b", "a"]);
    assert_eq!(store.jobs(1).await.expect("list").len(), 1);

    let record = |n: i64, status: &str, label: &str, commune: Option<&str>| JobRecord {
        n,
        key: format!("heritage:PA{n}"),
        kind: "poi".into(),
        status: status.into(),
        label: label.into(),
        commune: commune.map(str::to_owned),
        lon: Some(2.7),
        lat: Some(48.4),
        detail: serde_json::json!({ "changes": [{ "field": "name", "before": "x", "after": label }] }),
    };
    store
        .set_job_records("a", &[record(0, "create", "Old", None)])
        .await
        .expect("records");
    let plan = [
        record(0, "create", "Lavoir de la Voulzie", Some("Provins")),
        record(1, "update", "Moulin de la Ruelle", Some("Provins")),
        record(2, "create", "Église Saint-Ayoul", Some("Meaux")),
        JobRecord {
            lon: None,
            lat: None,
            commune: None,
            ..record(3, "rejected", "REF", None)
        },
    ];
    store.set_job_records("a", &plan).await.expect("records");
    let read = |f: JobRecordFilter| async move { store.job_records("a", &f).await.expect("read") };
    let all = read(JobRecordFilter {
        limit: 10,
        ..Default::default()
    })
    .await;
    assert_eq!(all, (4, plan.to_vec()), "replaced whole, in plan order");
    let creates = read(JobRecordFilter {
        status: Some("create".into()),
        limit: 10,
        ..Default::default()
    })
    .await;
    assert_eq!(creates.0, 2);
    let found = read(JobRecordFilter {
        q: Some("MOULIN".into()),
        limit: 10,
        ..Default::default()
    })
    .await;
    assert_eq!(found.1, vec![plan[1].clone()]);
    let in_meaux = read(JobRecordFilter {
        commune: Some("Meaux".into()),
        limit: 10,
        ..Default::default()
    })
    .await;
    assert_eq!(in_meaux.1, vec![plan[2].clone()]);
    let page = read(JobRecordFilter {
        limit: 2,
        offset: 1,
        ..Default::default()
    })
    .await;
    assert_eq!((page.0, page.1.len(), page.1[0].n), (4, 2, 1));
    assert_eq!(
        store
            .job_records(
                "b",
                &JobRecordFilter {
                    limit: 10,
                    ..Default::default()
                }
            )
            .await
            .expect("read")
            .0,
        0
    );
    let of_kind = |kind: &str| JobRecordFilter {
        kind: Some(kind.to_owned()),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(read(of_kind("poi")).await.0, 4);
    assert_eq!(read(of_kind("circuit")).await.0, 0);
}

/// Staff edits: overrides and audit entries written with the record in one
/// transaction, numbered one after the other; a save from a stale version refused;
/// empty overrides removed.
pub async fn edits(store: &dyn Store) {
    use super::AuditEntry;
    let c = circuit("boucle", "Boucle");
    let entry = |overrides: serde_json::Value| AuditEntry {
        version: 0,
        at: 1_800_000_000,
        actor: "editrice@77.fr".into(),
        origin: "edit".into(),
        changes: serde_json::json!([{ "field": "name", "before": "Boucle", "after": "Boucle du Loing" }]),
        view: serde_json::json!({ "name": "Boucle du Loing" }),
        overrides,
    };
    let save = |expected: i64, overrides: serde_json::Value| {
        let c = c.clone();
        let e = entry(overrides);
        async move {
            let mut tx = store.begin_import().await.expect("begin");
            tx.upsert_circuit(&c).await.expect("upsert");
            let saved = tx
                .save_edit(RecordKind::Circuit, &c.source, expected, &e)
                .await;
            if saved.is_ok() {
                tx.commit().await.expect("commit");
            }
            saved
        }
    };
    let before = store.revision().await.expect("revision");
    assert_eq!(
        save(0, serde_json::json!({ "name": "Boucle du Loing" }))
            .await
            .expect("save"),
        1
    );
    assert!(
        store.revision().await.expect("revision") > before,
        "an edit moves the revision"
    );
    assert_eq!(
        save(
            1,
            serde_json::json!({ "name": "Boucle du Loing", "summary": null })
        )
        .await
        .expect("save"),
        2
    );
    match save(1, serde_json::json!({})).await {
        Err(StoreError::Conflict(m)) => assert!(m.contains("edited meanwhile"), "{m}"),
        other => panic!("a stale save: {other:?}"),
    }
    let log = store
        .history(RecordKind::Circuit, &c.source)
        .await
        .expect("history");
    assert_eq!(log.iter().map(|e| e.version).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(
        log[1].overrides,
        serde_json::json!({ "name": "Boucle du Loing", "summary": null })
    );
    assert_eq!(log[0].actor, "editrice@77.fr");
    let keys = [c.source.as_str(), "gpx:other"];
    let found = store
        .overrides(RecordKind::Circuit, &keys)
        .await
        .expect("overrides");
    assert_eq!(found.len(), 1);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&found[0].1).expect("json"),
        serde_json::json!({ "name": "Boucle du Loing", "summary": null })
    );
    assert_eq!(save(2, serde_json::json!({})).await.expect("save"), 3);
    assert!(
        store
            .overrides(RecordKind::Circuit, &keys)
            .await
            .expect("overrides")
            .is_empty()
    );
    assert!(
        store
            .history(RecordKind::Poi, &c.source)
            .await
            .expect("history")
            .is_empty()
    );

    // An import's entries, over several statements: each numbered after its record's
    // last, the second run's after the first's.
    let imported = |n: usize| -> Vec<(RecordKind, String, AuditEntry)> {
        (0..n)
            .map(|i| {
                let mut e = entry(serde_json::Value::Null);
                e.origin = "import".into();
                e.view = serde_json::json!({ "name": format!("Lieu {i}") });
                (RecordKind::Poi, format!("osm:node/{i}"), e)
            })
            .collect()
    };
    for n in [6_000, 2_100] {
        let mut tx = store.begin_import().await.expect("begin");
        tx.append_audit(&imported(n)).await.expect("audit");
        tx.commit().await.expect("commit");
    }
    for (key, versions) in [
        ("osm:node/0", &[1, 2][..]),
        ("osm:node/2099", &[1, 2]),
        ("osm:node/5999", &[1]),
    ] {
        let log = store.history(RecordKind::Poi, key).await.expect("history");
        assert_eq!(
            log.iter().map(|e| e.version).collect::<Vec<_>>(),
            versions,
            "{key}"
        );
        let name = format!("Lieu {}", &key["osm:node/".len()..]);
        assert_eq!(log[0].view, serde_json::json!({ "name": name }), "{key}");
        assert_eq!(log[0].overrides, serde_json::json!({}), "{key}");
    }
}

/// The back-office's POI search: every word in the name, a kind, pages.
pub async fn poi_search(store: &dyn Store) {
    let mut tx = store.begin_import().await.expect("begin");
    tx.upsert_circuit(&circuit("boucle", "Boucle"))
        .await
        .expect("circuit");
    for (key, kind, name) in [
        ("lavoir", PoiKind::Heritage, "Lavoir de la Voulzie"),
        ("moulin", PoiKind::Heritage, "Moulin de la Voulzie"),
        ("gite", PoiKind::Lodging, "Gîte du Moulin"),
    ] {
        let mut p = poi("boucle", key, kind);
        p.name = name.into();
        tx.upsert_poi(&p).await.expect("poi");
    }
    tx.commit().await.expect("commit");
    let search = |words: &[&str], kind: Option<PoiKind>, limit: u32, offset: u32| {
        let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        async move {
            store
                .search_pois(&words, kind, limit, offset)
                .await
                .expect("search")
        }
    };
    let names = |found: &(u64, Vec<super::PoiListed>)| -> Vec<String> {
        found.1.iter().map(|p| p.name.clone()).collect()
    };
    let moulin = search(&["moulin"], None, 10, 0).await;
    assert_eq!(names(&moulin), ["Gîte du Moulin", "Moulin de la Voulzie"]);
    assert_eq!(moulin.0, 2);
    let both = search(&["moulin", "voulzie"], None, 10, 0).await;
    assert_eq!(names(&both), ["Moulin de la Voulzie"]);
    let lodging = search(&["moulin"], Some(PoiKind::Lodging), 10, 0).await;
    assert_eq!(names(&lodging), ["Gîte du Moulin"]);
    assert_eq!(lodging.1[0].kind, "lodging");
    let page = search(&[], Some(PoiKind::Heritage), 1, 1).await;
    assert_eq!(
        (page.0, names(&page)),
        (2, vec!["Moulin de la Voulzie".to_owned()])
    );
    assert_eq!(
        search(&["%"], None, 10, 0).await.0,
        0,
        "a percent sign is no wildcard"
    );
}

/// Contributions: stored with their photos and, for a request with a key, its answer
/// (a repeat of the key writes nothing and gets the first answer); listed by kind,
/// status, circuit, commune and category, newest first; moved by decisions only from
/// the status they were in, each logged; published ratings summed by circuit; e-mails
/// erased on request and after the retention period.
pub async fn contributions(store: &dyn Store) {
    use crate::contributions::{Contribution, Filter, Kind, LogEntry, Rating, Remembered, Status};
    let review = |id: &str, circuit: &str, rating: u8, at: i64| {
        let mut c = Contribution::new(id.to_owned(), Kind::Review, at);
        c.circuit = Some(circuit.to_owned());
        c.rating = Some(rating);
        c.name = Some("Anne".into());
        c.text = "Belle <b>vue</b>".into();
        c
    };
    let answer = |key: &str, id: &str| Remembered {
        key: key.to_owned(),
        status: 202,
        body: format!(r#"{{"id":"{id}"}}"#),
    };
    let first = review("r1", "boucle", 4, 1_000);
    assert_eq!(
        store
            .add_contribution(
                &first,
                &[vec![0xFF, 0xD8, 1], vec![0xFF, 0xD8, 2]],
                Some(&answer("k1", "r1"))
            )
            .await
            .expect("add"),
        None
    );
    // The same key again: nothing written, the first answer back.
    let again = review("r1-again", "boucle", 1, 1_001);
    assert_eq!(
        store
            .add_contribution(&again, &[], Some(&answer("k1", "r1-again")))
            .await
            .expect("repeat"),
        Some(answer("k1", "r1"))
    );
    assert_eq!(store.contribution("r1-again").await.expect("read"), None);
    assert_eq!(
        store.remembered("k1").await.expect("read"),
        Some(answer("k1", "r1"))
    );
    assert_eq!(store.remembered("k2").await.expect("read"), None);
    let stored = store.contribution("r1").await.expect("read").expect("r1");
    assert_eq!(
        stored,
        Contribution {
            photos: 2,
            ..first.clone()
        }
    );
    assert_eq!(
        store.contribution_photo("r1", 1).await.expect("photo"),
        Some(vec![0xFF, 0xD8, 2])
    );
    assert_eq!(
        store.contribution_photo("r1", 2).await.expect("photo"),
        None
    );

    store
        .add_contribution(&review("r2", "boucle", 2, 2_000), &[], None)
        .await
        .expect("add");
    store
        .add_contribution(&review("r3", "autre", 5, 3_000), &[], None)
        .await
        .expect("add");
    let mut report = Contribution::new("p1".into(), Kind::Report, 1_500);
    report.lon = Some(2.7);
    report.lat = Some(48.4);
    report.category = Some("fallen_tree".into());
    report.commune = Some("77316".into());
    report.email = Some("marche@exemple.fr".into());
    report.token_hash = Some("ab".repeat(32));
    report.text = "Un arbre en travers".into();
    store
        .add_contribution(&report, &[], None)
        .await
        .expect("add");
    let mut late = report.clone();
    late.id = "p2".into();
    late.created_at = 9_000;
    late.updated_at = 9_000;
    late.email = Some("autre@exemple.fr".into());
    store.add_contribution(&late, &[], None).await.expect("add");

    let ids = |items: &[Contribution]| items.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
    let page = |filter: Filter| async move { store.contributions(&filter).await.expect("list") };
    let all = Filter {
        limit: 10,
        ..Filter::default()
    };
    let (total, items) = page(all.clone()).await;
    assert_eq!(
        (total, ids(&items)),
        (
            5,
            vec![
                "p2".into(),
                "r3".into(),
                "r2".into(),
                "p1".into(),
                "r1".into()
            ]
        )
    );
    let (total, items) = page(Filter {
        kind: Some(Kind::Review),
        circuit: Some("boucle".into()),
        limit: 1,
        offset: 1,
        ..all.clone()
    })
    .await;
    assert_eq!((total, ids(&items)), (2, vec!["r1".to_owned()]));
    let (total, _) = page(Filter {
        commune: Some("77316".into()),
        category: Some("fallen_tree".into()),
        statuses: vec![Status::New, Status::InProgress],
        ..all.clone()
    })
    .await;
    assert_eq!(total, 2);

    // Decisions: from the status the item is in, logged, and moving the revision.
    let entry = |from, to, at| LogEntry {
        at,
        actor: "moderatrice@77.fr".into(),
        decision: "publish".into(),
        from,
        to,
    };
    let revision = store.revision().await.expect("revision");
    let mut tx = store.begin_import().await.expect("tx");
    assert!(
        tx.move_contribution(
            "r1",
            &entry(Status::Pending, Status::Published, 5_000),
            None
        )
        .await
        .expect("move")
    );
    assert!(
        tx.move_contribution(
            "r2",
            &entry(Status::Pending, Status::Published, 5_001),
            None
        )
        .await
        .expect("move")
    );
    assert!(
        tx.move_contribution(
            "r3",
            &entry(Status::Pending, Status::Published, 5_002),
            None
        )
        .await
        .expect("move")
    );
    // Stale: r1 is no longer pending.
    assert!(
        !tx.move_contribution("r1", &entry(Status::Pending, Status::Rejected, 5_003), None)
            .await
            .expect("move")
    );
    tx.commit().await.expect("commit");
    assert!(store.revision().await.expect("revision") > revision);
    let mut ratings = store.ratings().await.expect("ratings");
    ratings.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        ratings,
        vec![
            ("autre".to_owned(), Rating { sum: 5, count: 1 }),
            ("boucle".to_owned(), Rating { sum: 6, count: 2 })
        ]
    );
    // A flag: the review leaves the ratings, with its reason kept; its key remembered
    // with the move, or nothing when the key was taken.
    let mut tx = store.begin_import().await.expect("tx");
    assert!(
        tx.remember(&answer("f1", "r2"), 6_000)
            .await
            .expect("remember")
    );
    let flag = LogEntry {
        actor: "public".into(),
        decision: "flag".into(),
        ..entry(Status::Published, Status::Flagged, 6_000)
    };
    assert!(
        tx.move_contribution("r2", &flag, Some("insultant"))
            .await
            .expect("flag")
    );
    tx.commit().await.expect("commit");
    let mut tx = store.begin_import().await.expect("tx");
    assert!(
        !tx.remember(&answer("f1", "r2"), 6_001)
            .await
            .expect("remember")
    );
    drop(tx);
    let flagged = store.contribution("r2").await.expect("read").expect("r2");
    assert_eq!(
        (flagged.status, flagged.flag_reasons.clone()),
        (Status::Flagged, vec!["insultant".to_owned()])
    );
    assert_eq!(flagged.updated_at, 6_000);
    let boucle = store
        .ratings()
        .await
        .expect("ratings")
        .into_iter()
        .find(|r| r.0 == "boucle");
    assert_eq!(
        boucle,
        Some(("boucle".to_owned(), Rating { sum: 4, count: 1 }))
    );
    let log = store.contribution_log("r2").await.expect("log");
    assert_eq!(
        log,
        vec![entry(Status::Pending, Status::Published, 5_001), flag]
    );

    let mut counts = store.contribution_counts().await.expect("counts");
    counts.sort_by_key(|(k, s, _)| (k.as_str(), s.as_str()));
    assert_eq!(
        counts,
        vec![
            (Kind::Report, Status::New, 2),
            (Kind::Review, Status::Flagged, 1),
            (Kind::Review, Status::Published, 2),
        ]
    );

    // Privacy: erased on request, and past the retention period.
    assert_eq!(
        store.erase_email("marche@exemple.fr").await.expect("erase"),
        1
    );
    assert_eq!(
        store
            .contribution("p1")
            .await
            .expect("read")
            .expect("p1")
            .email,
        None
    );
    assert_eq!(
        store.erase_email("marche@exemple.fr").await.expect("erase"),
        0
    );
    assert_eq!(store.purge(8_999, 0).await.expect("purge"), (0, 0));
    assert_eq!(store.purge(9_000, 6_000).await.expect("purge"), (1, 2));
    assert_eq!(
        store
            .contribution("p2")
            .await
            .expect("read")
            .expect("p2")
            .email,
        None
    );
    assert_eq!(store.remembered("k1").await.expect("read"), None);
}

/// The change log: each commit lists the POIs and circuits it wrote or deleted, and
/// whether ratings, communes, landscape units or the sensitivity list moved; revisions
/// no longer in the log give no changes.
pub async fn change_log(store: &dyn Store) {
    use crate::contributions::{LogEntry, Status};
    let start = store.revision().await.expect("revision");
    let c = circuit("tour-du-lac", "Tour du lac");
    let p = poi("tour-du-lac", "lavoir", PoiKind::Heritage);
    let mut tx = store.begin_import().await.expect("tx");
    tx.upsert_circuit(&c).await.expect("circuit");
    tx.upsert_poi(&p).await.expect("poi");
    tx.commit().await.expect("commit");
    let first = store.revision().await.expect("revision");
    let changes = store
        .changes(start, first)
        .await
        .expect("changes")
        .expect("known");
    assert_eq!(changes.pois.iter().collect::<Vec<_>>(), [p.id.as_str()]);
    assert_eq!(changes.circuits.iter().collect::<Vec<_>>(), [c.id.as_str()]);
    assert!(!changes.ratings);

    // A decision on a review (even one that finds nothing to move) moves the ratings.
    let mut tx = store.begin_import().await.expect("tx");
    let entry = LogEntry {
        at: 1,
        actor: "m@77.fr".into(),
        decision: "publish".into(),
        from: Status::Pending,
        to: Status::Published,
    };
    assert!(
        !tx.move_contribution("none", &entry, None)
            .await
            .expect("move")
    );
    tx.commit().await.expect("commit");
    let second = store.revision().await.expect("revision");
    let changes = store
        .changes(first, second)
        .await
        .expect("changes")
        .expect("known");
    assert!(changes.ratings && changes.pois.is_empty());
    let both = store
        .changes(start, second)
        .await
        .expect("changes")
        .expect("known");
    assert!(both.ratings && both.pois.len() == 1 && both.circuits.len() == 1);

    // Communes, landscape units and the sensitivity list are told by their kind alone,
    // written or deleted.
    let kinds = |c: &super::changes::Changes| {
        let told = [c.ratings, c.communes, c.landscapes, c.sensitivity];
        (told, c.pois.len() + c.circuits.len())
    };
    let mut tx = store.begin_import().await.expect("tx");
    tx.upsert_landscape(&landscape("etang"))
        .await
        .expect("landscape");
    tx.commit().await.expect("commit");
    let third = store.revision().await.expect("revision");
    let told = |after, upto| async move {
        let c = store.changes(after, upto).await.expect("changes");
        kinds(&c.expect("known by their kinds"))
    };
    assert_eq!(told(second, third).await, ([false, false, true, false], 0));
    let mut tx = store.begin_import().await.expect("tx");
    tx.upsert_commune(&commune("77379", "Provins", None))
        .await
        .expect("commune");
    tx.replace_sensitive_taxa(&[("Orchis purpurea".into(), Sensitivity::Sensitive)])
        .await
        .expect("list");
    tx.commit().await.expect("commit");
    let written = store.revision().await.expect("revision");
    assert_eq!(told(third, written).await, ([false, true, false, true], 0));
    let mut tx = store.begin_import().await.expect("tx");
    assert_eq!(
        tx.delete(RecordKind::Commune, &["77379"])
            .await
            .expect("delete"),
        1
    );
    assert_eq!(
        tx.delete(RecordKind::Landscape, &["test:etang"])
            .await
            .expect("delete"),
        1
    );
    tx.commit().await.expect("commit");
    let deleted = store.revision().await.expect("revision");
    assert_eq!(
        told(written, deleted).await,
        ([false, true, true, false], 0)
    );
    assert_eq!(
        told(start, deleted).await,
        ([true, true, true, true], 2),
        "the commits in between, together"
    );
    assert_eq!(
        store.changes(start - 1, first).await.expect("changes"),
        None,
        "before the log"
    );
    assert_eq!(
        store.changes(deleted, deleted).await.expect("changes"),
        None,
        "nothing to follow"
    );

    // Deletions are told by the ids gone: a POI's, and a circuit's with its own POIs'.
    let other = poi("tour-du-lac", "moulin", PoiKind::Heritage);
    let mut alone = poi("tour-du-lac", "croix", PoiKind::Heritage);
    alone.circuit = None;
    alone.source = "test:croix".into();
    let mut tx = store.begin_import().await.expect("tx");
    tx.upsert_poi(&other).await.expect("poi");
    tx.upsert_poi(&alone).await.expect("poi");
    tx.commit().await.expect("commit");
    let fourth = store.revision().await.expect("revision");
    let mut tx = store.begin_import().await.expect("tx");
    assert_eq!(
        tx.delete(RecordKind::Poi, &[alone.source.as_str()])
            .await
            .expect("delete"),
        1
    );
    assert_eq!(
        tx.delete(RecordKind::Circuit, &[c.source.as_str(), "test:none"])
            .await
            .expect("delete"),
        1
    );
    tx.commit().await.expect("commit");
    let fifth = store.revision().await.expect("revision");
    let gone = store
        .changes(fourth, fifth)
        .await
        .expect("changes")
        .expect("known by their ids");
    let mut pois: Vec<&str> = gone.pois.iter().map(String::as_str).collect();
    pois.sort_unstable();
    let mut expected = [p.id.as_str(), other.id.as_str(), alone.id.as_str()];
    expected.sort_unstable();
    assert_eq!(pois, expected);
    assert_eq!(gone.circuits.iter().collect::<Vec<_>>(), [c.id.as_str()]);
    assert!(store.circuit(&c.id).await.expect("read").is_none());
}
