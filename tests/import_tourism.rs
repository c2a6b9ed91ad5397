//! `balade import tourism` end to end on the real OSM and APIDAE files of `../shared/data`.

mod common;

use balade_core::{Poi, PoiKind};
use common::{Db, block_on, shared_data, stdout};

fn pois(db: &Db) -> Vec<Poi> {
    block_on(async {
        let store = balade_core::store::open(&db.url).await.expect("open");
        store.all_pois().await.expect("pois")
    })
}

fn tourism(db: &Db, path: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["import", "tourism"];
    args.extend(extra);
    args.push(path.to_str().expect("utf-8"));
    db.balade(&args)
}

#[test]
fn every_osm_file_imports_or_is_refused_with_a_reason() {
    let db = Db::new();
    let out = tourism(&db, &shared_data("osm"), &[]);
    let text = stdout(&out);
    // Some extracts cut through ways: those files are refused whole, and say why.
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("way-04.xml:6:3: way 225576797: nd: 4 of its 4 nodes are not in the file"),
        "{text}"
    );
    assert!(text.contains("map.osm:204"), "{text}");
    let before = pois(&db);
    // somes.pbf and somes.json are the same 12 places: the second file updates them.
    let somes: Vec<_> = before
        .iter()
        .filter(|p| p.id.as_str().starts_with("osm:node-"))
        .collect();
    assert!(somes.len() >= 12, "{}", somes.len());
    let camp = before
        .iter()
        .find(|p| p.name == "Matiu/Somes Island DOC campsite")
        .expect("campsite");
    assert_eq!(camp.kind, PoiKind::Lodging);
    assert_eq!(
        camp.details.provenance.get("tourism").map(String::as_str),
        Some("camp_site")
    );
    let toilets = before
        .iter()
        .find(|p| p.details.provenance.get("amenity").map(String::as_str) == Some("toilets"))
        .expect("toilets");
    assert_eq!(toilets.name, "Toilettes", "an unnamed place gets its label");
    assert_eq!(toilets.kind, PoiKind::Practical);

    // --partial keeps the good places of the refused files; running it twice adds nothing.
    let out = tourism(&db, &shared_data("osm"), &["--partial"]);
    let after = pois(&db);
    assert!(after.len() >= before.len(), "{}", stdout(&out));
    let again = tourism(&db, &shared_data("osm"), &["--partial"]);
    let summary = stdout(&again);
    assert!(summary.contains("imported 0,"), "{summary}");
    assert_eq!(pois(&db).len(), after.len());
}

#[test]
fn apidae_objects_keep_their_practical_fields_and_bad_geometries_are_named() {
    let db = Db::new();
    let out = tourism(
        &db,
        &shared_data("trails/geotrek-admin/tourism/apidaeContent.json"),
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let all = pois(&db);
    let raft = all.iter().find(|p| p.name == "Quey' Raft").expect("raft");
    assert_eq!(raft.commune.as_deref(), Some("Château-Ville-Vieille"));
    assert_eq!(raft.details.phone.as_deref(), Some("06 10 15 13 28"));
    assert_eq!(
        raft.details.website.as_deref(),
        Some("http://www.queyraft.com")
    );
    assert!(raft.details.opening_hours.is_some());

    let bad = shared_data(
        "trails/geotrek-admin/trekking/apidae_service_parser/services_incorrect_geometries.json",
    );
    let db = Db::new();
    let out = tourism(&db, &bad, &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("apidae 2: localisation.geolocalisation.geoJson.coordinates: missing"),
        "{text}"
    );
    assert!(
        text.contains(
            "apidae 1: localisation.geolocalisation.geoJson.coordinates: 0, 0 is a placeholder"
        ),
        "{text}"
    );
    assert_eq!(db.counts(), (0, 0), "a refused file writes nothing");
    // The good service of the same folder imports beside the bad ones.
    let folder = bad.parent().expect("folder");
    let out = tourism(&db, folder, &["--partial"]);
    assert!(
        stdout(&out).ends_with("imported 1, updated 0, rejected 3\n"),
        "{}",
        stdout(&out)
    );
}
