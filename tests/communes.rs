//! Commune boundaries: circuits are placed in the communes their traces cross, whichever
//! comes first (boundaries or circuits), and grouped and filtered by commune or
//! intercommunality; a bad boundary file changes nothing. On SQLite and PostGIS.

mod common;

use common::{Db, Server, root, stdout};
use serde_json::Value;
use std::path::Path;

async fn get(url: &str) -> Value {
    let r = reqwest::get(url).await.expect("get");
    assert!(r.status().is_success(), "{url}: {}", r.status());
    r.json().await.expect("json")
}

fn import(db: &Db, what: &str, path: &Path) {
    let out = db.balade(&["import", what, path.to_str().expect("utf-8")]);
    assert!(out.status.success(), "{what}: {}", stdout(&out));
}

/// (communes, intercommunalities) of a sheet.
fn places(sheet: &Value) -> (Vec<String>, Vec<String>) {
    let list = |key: &str| -> Vec<String> {
        sheet["properties"][key]
            .as_array()
            .unwrap_or_else(|| panic!("{key}: {sheet}"))
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    };
    (list("communes"), list("intercommunalities"))
}

fn ids(list: &Value) -> Vec<String> {
    let mut ids: Vec<String> = list["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter_map(|f| f["id"].as_str().map(str::to_owned))
        .collect();
    ids.sort();
    ids
}

async fn placed_whatever_the_order(db: Db, communes_first: bool) {
    let circuits = root().join("fixtures/circuits");
    let communes = root().join("fixtures/communes");
    if communes_first {
        import(&db, "communes", &communes);
        import(&db, "gpx", &circuits);
    } else {
        import(&db, "gpx", &circuits);
        import(&db, "communes", &communes);
    }
    let server = Server::start(&db, &[]);
    let base = &server.base;
    let sheet = get(&format!(
        "{base}/api/v1/circuits/grand-morin-guerard-coulommiers"
    ))
    .await;
    // Walking order, from Guérard down the Grand Morin to Coulommiers.
    assert_eq!(
        places(&sheet),
        (
            vec!["Guérard".into(), "Pommeuse".into(), "Coulommiers".into()],
            vec!["Communauté d'agglomération Coulommiers Pays de Brie".into()]
        )
    );
    let provins = get(&format!("{base}/api/v1/circuits/provins-remparts")).await;
    assert_eq!(places(&provins).0, ["Provins"]);

    // One intercommunality groups circuits of several communes.
    let fontainebleau = "Communauté d'agglomération du Pays de Fontainebleau";
    let list = get(&format!("{base}/api/v1/circuits")).await;
    assert_eq!(
        list["facets"]["intercommunality"][fontainebleau], 3,
        "{list}"
    );
    assert_eq!(list["facets"]["commune"]["Barbizon"], 2, "{list}");
    let group = get(&format!(
        "{base}/api/v1/circuits?intercommunality=communaute%20d%27agglomeration%20du%20pays%20de%20fontainebleau"
    ))
    .await;
    assert_eq!(
        ids(&group),
        ["barbizon-apremont", "franchard-gorges", "moret-loing"]
    );
    // The commune facet counts under the intercommunality filter, and not under its own.
    assert_eq!(
        group["facets"]["commune"].as_object().map(|m| m.len()),
        Some(3)
    );
    assert_eq!(
        group["facets"]["intercommunality"]
            .as_object()
            .map(|m| m.len()),
        Some(5)
    );
    // A commune by INSEE code or by name: what a commune's own site asks.
    let by_code = get(&format!("{base}/api/v1/circuits?commune=77379")).await;
    assert_eq!(ids(&by_code), ["provins-remparts"]);
    let by_name = get(&format!("{base}/api/v1/circuits?commune=guerard")).await;
    assert_eq!(ids(&by_name), ["grand-morin-guerard-coulommiers"]);
    // Search covers intercommunalities.
    let found = get(&format!("{base}/api/v1/circuits?q=provinois")).await;
    assert_eq!(ids(&found), ["provins-remparts"]);
}

#[tokio::test]
async fn circuits_are_placed_whatever_comes_first_sqlite() {
    placed_whatever_the_order(Db::new(), true).await;
    placed_whatever_the_order(Db::new(), false).await;
}

#[tokio::test]
async fn circuits_are_placed_whatever_comes_first_postgres() {
    let (Some(a), Some(b)) = (Db::postgres(), Db::postgres()) else {
        return;
    };
    placed_whatever_the_order(a, true).await;
    placed_whatever_the_order(b, false).await;
}

#[test]
fn a_bad_boundary_file_changes_nothing() {
    let db = Db::new();
    let circuits = root().join("fixtures/circuits");
    let out = db.balade(&["import", "gpx", circuits.to_str().expect("utf-8")]);
    assert!(out.status.success());
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("communes.geojson");
    let good = std::fs::read_to_string(root().join("fixtures/communes/seine-et-marne.geojson"))
        .expect("fixture");
    // The last commune's code broken: the whole file is refused.
    std::fs::write(&file, good.replace("\"77333\"", "\"7733\"")).expect("write");
    let out = db.balade(&["import", "communes", file.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
    let text = stdout(&out);
    assert!(text.contains("feature 10: code"), "{text}");
    let store = common::block_on(async {
        let store = balade_core::store::open(&db.url).await.expect("open");
        let communes = store.communes().await.expect("communes");
        let id = balade_core::CircuitId::new("provins-remparts").expect("id");
        let circuit = store.circuit(&id).await.expect("read").expect("circuit");
        (communes.len(), circuit.intercommunalities)
    });
    assert_eq!(store, (0, Vec::<String>::new()));
    // With --partial, the nine good communes are kept and the circuits placed.
    let out = db.balade(&[
        "import",
        "communes",
        "--partial",
        file.to_str().expect("utf-8"),
    ]);
    // Exit code 2: something was rejected, the rest written.
    assert_eq!(out.status.code(), Some(2));
    // The nine communes created, the seven circuits placed in them.
    assert!(
        stdout(&out).contains("imported 9, updated 7, rejected 1"),
        "{}",
        stdout(&out)
    );
    let placed = common::block_on(async {
        let store = balade_core::store::open(&db.url).await.expect("open");
        let id = balade_core::CircuitId::new("larchant-dame-jouanne").expect("id");
        store
            .circuit(&id)
            .await
            .expect("read")
            .expect("circuit")
            .communes
    });
    assert_eq!(placed, ["Larchant"]);
}

#[tokio::test]
async fn a_sheet_already_shown_follows_a_later_import() {
    let db = Db::new();
    import(
        &db,
        "gpx",
        &root().join("fixtures/circuits/provins-remparts.gpx"),
    );
    let server = Server::start(&db, &[]);
    let sheet = format!("{}/api/v1/circuits/provins-remparts", server.base);
    // Shown twice: the second answer comes from the rendered sheets.
    assert_eq!(get(&sheet).await, get(&sheet).await);
    assert_eq!(places(&get(&sheet).await).1, Vec::<String>::new());
    import(&db, "communes", &root().join("fixtures/communes"));
    let placed = common::eventually(std::time::Duration::from_secs(10), || async {
        places(&get(&sheet).await).1 == ["Communauté de communes du Provinois"]
    })
    .await;
    assert!(placed, "{}", get(&sheet).await);
}
