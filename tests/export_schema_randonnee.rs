//! `balade export schema-randonnee`: a file the national schema's own JSON Schema accepts,
//! and that `balade import circuits` reads back to the same circuits.

mod common;

use common::{Db, block_on, shared_data, stdout, summary};
use serde_json::{Value, json};
use std::path::Path;

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("read")).expect("json")
}

/// The official schema, formats checked too (uuid, date, uri, email).
fn validator() -> jsonschema::Validator {
    let schema = read_json(&shared_data("trails/schema_randonnee/schema.json"));
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles")
}

fn errors(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// The demo circuits imported, then exported; the file's path and its content.
fn export(db: &Db) -> (std::path::PathBuf, Value) {
    let imported = db.import(&[&common::root().join("fixtures/circuits")], &[]);
    assert!(imported.status.success(), "{}", stdout(&imported));
    let file = db.dir.path().join("itineraires.geojson");
    let out = db.balade(&[
        "export",
        "schema-randonnee",
        "--out",
        file.to_str().expect("utf-8"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let circuits = db.counts().0;
    assert!(
        stdout(&out).contains(&format!("{circuits} circuits, 0 POIs")),
        "{}",
        stdout(&out)
    );
    let doc = read_json(&file);
    (file, doc)
}

#[test]
fn the_validator_accepts_the_official_example_and_refuses_a_broken_feature() {
    let v = validator();
    let mut example = read_json(&shared_data("trails/schema_randonnee/exemple-valide.json"));
    assert_eq!(errors(&v, &example), Vec::<String>::new());

    let props = example["features"][0]["properties"]
        .as_object_mut()
        .expect("properties");
    props.remove("depart");
    props.insert("pratique".into(), json!("marche"));
    let found = errors(&v, &example);
    assert!(
        found.iter().any(|e| e.contains("depart")),
        "a missing required field is refused: {found:?}"
    );
    assert!(
        found.iter().any(|e| e.contains("/pratique")),
        "a value outside the enum is refused: {found:?}"
    );
}

#[test]
fn the_exported_catalogue_is_valid_schema_randonnee() {
    let db = Db::new();
    let (_, doc) = export(&db);
    let features = doc["features"].as_array().expect("features");
    assert_eq!(features.len() as u64, db.counts().0);
    assert!(features.len() >= 6);
    let found = errors(&validator(), &doc);
    assert!(
        found.is_empty(),
        "{} errors:\n{}",
        found.len(),
        found.join("\n")
    );

    // Every feature carries what Balade knows, not just what the schema requires.
    for f in features {
        let p = &f["properties"];
        for key in [
            "uuid",
            "type_itineraire",
            "duree",
            "longueur",
            "difficulte",
            "denivele_positif",
            "presentation",
        ] {
            assert!(!p[key].is_null(), "{key} missing in {p}");
        }
    }
    // Two trkseg in the GPX: one LineString with every point.
    let morin = features
        .iter()
        .find(|f| f["properties"]["id_local"] == "grand-morin-guerard-coulommiers")
        .expect("the Grand Morin circuit");
    assert_eq!(morin["geometry"]["type"], "LineString");
}

#[test]
fn an_export_imports_back_to_the_same_circuits() {
    let db = Db::new();
    let (file, _) = export(&db);
    let fresh = Db::new();
    let out = fresh.balade(&["import", "circuits", file.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let (before, after) = block_on(async {
        let all = |url: String| async move {
            let store = balade_core::store::open(&url).await.expect("open");
            let mut c = store.all_circuits().await.expect("circuits");
            c.sort_by(|a, b| a.name.cmp(&b.name));
            c
        };
        (all(db.url.clone()).await, all(fresh.url.clone()).await)
    });
    assert_eq!(summary(&out), (before.len() as u64, 0, 0));
    assert_eq!(before.len(), after.len());
    for (a, b) in before.iter().zip(&after) {
        // The importer keys a circuit by producer and `id_local`.
        assert_eq!(b.id.as_str(), format!("balade-{}", a.id), "{}", a.name);
        assert_eq!(b.source, format!("randonnee:balade:{}", a.id));
        assert_eq!(b.name, a.name);
        let ratio = b.stats.length_m / a.stats.length_m;
        assert!(
            (0.99..=1.01).contains(&ratio),
            "{}: {} m, then {} m",
            a.id,
            a.stats.length_m,
            b.stats.length_m
        );
        assert_eq!(
            (b.difficulty, b.circuit_type, b.practice),
            (a.difficulty, a.circuit_type, a.practice),
            "{}",
            a.id
        );
        assert_eq!(b.duration_min, a.duration_min, "{}", a.id);
        assert_eq!(
            (b.themes.clone(), b.description.clone(), b.summary.clone()),
            (a.themes.clone(), a.description.clone(), a.summary.clone()),
            "{}",
            a.id
        );
    }
}
