//! `balade import biodiversity` end to end: the real Darwin Core edge cases of
//! `../shared/data`, the sensitivity list, and what the running server publishes.

mod common;

use common::{Db, Server, block_on, eventually, shared_data, stdout, summary};
use serde_json::Value;
use std::time::Duration;

fn biodiversity(db: &Db, paths: &[&std::path::Path], extra: &[&str]) -> std::process::Output {
    let mut args = vec!["import", "biodiversity"];
    args.extend(extra);
    args.extend(paths.iter().map(|p| p.to_str().expect("utf-8")));
    db.balade(&args)
}

fn observations(db: &Db) -> u64 {
    block_on(async {
        let store = balade_core::store::open(&db.url).await.expect("open");
        store.counts().await.expect("counts").observations
    })
}

#[test]
fn every_darwin_core_case_imports_or_is_refused_precisely() {
    let db = Db::new();
    let dir = shared_data("biodiversity/python-dwca-reader");
    let out = biodiversity(&db, &[&dir], &[]);
    let text = stdout(&out);
    // Never a crash: exit 2 because many cases carry rejections.
    assert_eq!(out.status.code(), Some(2), "{text}");
    // Folders holding meta.xml are read as archives, each named on its own line.
    assert!(
        text.contains("dwca-malformed-descriptor: not imported"),
        "{text}"
    );
    assert!(
        text.contains(
            "dwca-2extensions.zip/meta.xml:2:3: rowType: the core is not an Occurrence core"
        ),
        "{text}"
    );
    assert!(
        text.contains("occurrence.txt:2:1: decimalLatitude: no coordinates"),
        "{text}"
    );
    // Without --partial, every file with a bad row is refused whole: nothing written
    // but the files that were clean.
    assert_eq!(observations(&db), 1, "only dwca-utf8-eol-test.zip is clean");

    let out = biodiversity(&db, &[&dir], &["--partial"]);
    let text = stdout(&out);
    assert!(
        text.contains("gbif-results.zip: 56 observations, 102 rejected"),
        "{text}"
    );
    let stored = observations(&db);
    // The three GBIF archives are the same 56 records; the simple archives share keys.
    assert!(stored > 56, "{stored}");
    // Again: the same records, unchanged, none of them vanished (each file's records
    // are the run's, whichever file holds them).
    let again = biodiversity(&db, &[&dir], &["--partial"]);
    let text = stdout(&again);
    assert_eq!(summary(&again).0, 0, "{text}");
    assert_eq!(summary(&again).1, 0, "{text}");
    assert!(
        text.contains(&format!("unchanged {}, delete 0,", 3 * 56 + 9)),
        "{text}"
    );
    assert_eq!(observations(&db), stored, "re-importing adds no rows");

    // Into an empty store, the first file's records need no lookup; the next files of
    // the same run find them and do not count them created again.
    let fresh = Db::new();
    let first = biodiversity(&fresh, &[&dir], &["--partial"]);
    assert_eq!(observations(&fresh), stored, "{}", stdout(&first));
    assert_eq!(
        summary(&first).0,
        stored,
        "created once each: {}",
        stdout(&first)
    );
}

#[test]
fn a_bad_sensitivity_list_refuses_everything() {
    let db = Db::new();
    let list = db.dir.path().join("sensibles.csv");
    std::fs::write(&list, "scientificName;level\nBubo bubo;9\n").expect("write");
    let fixtures = common::root().join("fixtures/biodiversity/observations.csv");
    let out = biodiversity(
        &db,
        &[&fixtures],
        &["--sensitive", list.to_str().expect("utf-8")],
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("sensibles.csv:2:1: level: `9` is not a level"),
        "{text}"
    );
    assert_eq!(observations(&db), 0, "observations wait for a valid list");
}

async fn json(url: &str) -> Value {
    reqwest::get(url)
        .await
        .expect("request")
        .json()
        .await
        .expect("json")
}

/// The positions of the demo observations of `taxon`, as written in the fixture file.
fn fixture_positions(taxon: &str) -> Vec<(String, String)> {
    let text =
        std::fs::read_to_string(common::root().join("fixtures/biodiversity/observations.csv"))
            .expect("fixture");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let (name, lat, lon) = (
        col("scientificName"),
        col("decimalLatitude"),
        col("decimalLongitude"),
    );
    lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|c| c[name] == taxon)
        .map(|c| (c[lat].to_owned(), c[lon].to_owned()))
        .collect()
}

#[tokio::test]
async fn public_outputs_never_reveal_a_sensitive_observation() {
    let db = Db::new();
    let server = Server::start(&db, &["--demo"]);
    let base = &server.base;
    let owls = fixture_positions("Bubo bubo");
    assert!(!owls.is_empty(), "the demo has strict observations");
    let orchids = fixture_positions("Orchis purpurea");
    assert!(!orchids.is_empty(), "the demo has level-1 observations");
    let species_near = |lat: &str, lon: &str| {
        let url = format!("{base}/api/v1/species?near={lon},{lat}&radius=200");
        async move {
            json(&url).await["species"]
                .as_array()
                .expect("species")
                .clone()
        }
    };
    // Level 2 (the owl) is never published, not even near its own observations.
    for (lat, lon) in &owls {
        let near = species_near(lat, lon).await;
        assert!(
            near.iter().all(|s| s["scientific_name"] != "Bubo bubo"),
            "strict taxon published near {lon},{lat}: {near:?}"
        );
    }
    // Level 1 (the orchid) is found through its 10 km cell, flagged, and names no cell.
    for (lat, lon) in &orchids {
        let near = species_near(lat, lon).await;
        let orchid = near
            .iter()
            .find(|s| s["scientific_name"] == "Orchis purpurea")
            .unwrap_or_else(|| panic!("orchid missing near {lon},{lat}: {near:?}"));
        assert_eq!(orchid["sensitive"], true);
        assert_eq!(orchid["cells"], serde_json::json!([]), "{orchid}");
    }
    // No public output holds any observation's coordinates, in any form.
    let circuits = json(&format!("{base}/api/v1/circuits")).await;
    let mut bodies = Vec::new();
    for c in circuits["features"].as_array().expect("features") {
        let id = c["id"].as_str().expect("id");
        for path in ["", "/species", "/offline"] {
            bodies.push(
                reqwest::get(format!("{base}/api/v1/circuits/{id}{path}"))
                    .await
                    .expect("get")
                    .text()
                    .await
                    .expect("text"),
            );
        }
    }
    let sheets_with_species = bodies
        .iter()
        .filter(|b| b.contains("\"species_along\":[{"))
        .count();
    assert!(sheets_with_species >= 5, "demo sheets list species along");
    for taxon in [
        "Bubo bubo",
        "Orchis purpurea",
        "Pulsatilla vulgaris",
        "Upupa epops",
    ] {
        for (lat, lon) in fixture_positions(taxon) {
            for body in &bodies {
                assert!(
                    !body.contains(&lat) && !body.contains(&lon),
                    "{taxon} at {lat},{lon} leaked"
                );
            }
        }
    }

    // A new observation imported by another process shows up without a restart.
    let file = db.dir.path().join("nouvelle.csv");
    std::fs::write(
        &file,
        "occurrenceID,scientificName,vernacularName,class,kingdom,eventDate,decimalLatitude,decimalLongitude\n\
         t-1,Ciconia nigra,Cigogne noire,Aves,Animalia,2025-04-12,48.9000,2.9000\n",
    )
    .expect("write");
    let out = biodiversity(&db, &[&file], &[]);
    assert!(out.status.success(), "{}", stdout(&out));
    let url = format!("{base}/api/v1/species?near=2.9,48.9&radius=500");
    let seen = eventually(Duration::from_secs(10), || async {
        json(&url).await["species"][0]["scientific_name"] == "Ciconia nigra"
    })
    .await;
    assert!(seen, "the new observation never appeared");
    let v = json(&url).await;
    assert_eq!(v["species"][0]["months"], serde_json::json!([4]));
    let bad = reqwest::get(format!("{base}/api/v1/species?near=2.9"))
        .await
        .expect("get");
    assert_eq!(bad.status(), 400);
}
