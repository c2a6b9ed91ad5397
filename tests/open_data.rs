//! The open data over HTTP: `/api/v1/exports/{format}` for anyone, from any origin,
//! under its licence, with an ETag that follows the data, filtered by commune.

mod common;

use common::{Db, Server};
use reqwest::StatusCode;
use reqwest::header::{ETAG, IF_NONE_MATCH, ORIGIN};
use serde_json::Value;

async fn get(url: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(url)
        .header(ORIGIN, "https://mairie.example")
        .send()
        .await
        .expect("get")
}

fn circuit_ids(v: &Value) -> Vec<String> {
    let mut ids: Vec<String> = v["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter(|f| {
            f["geometry"]["type"] == "LineString" || f["geometry"]["type"] == "MultiLineString"
        })
        .filter_map(|f| {
            f["id"]
                .as_str()
                .or(f["properties"]["id"].as_str())
                .map(str::to_owned)
        })
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn the_open_data_is_served_to_anyone_under_its_licence() {
    let db = Db::new();
    let server = Server::start(&db, &["--demo"]);
    let base = &server.base;

    let r = get(&format!("{base}/api/v1/exports/geojson")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    assert!(
        r.headers()["content-type"]
            .to_str()
            .expect("text")
            .starts_with("application/geo+json")
    );
    assert!(
        r.headers()["link"]
            .to_str()
            .expect("text")
            .contains("rel=\"license\"")
    );
    let tag = r.headers()[ETAG].to_str().expect("text").to_owned();
    let all: Value = r.json().await.expect("json");
    assert!(
        all["licence"]["name"]
            .as_str()
            .expect("licence")
            .contains("Licence Ouverte")
    );
    let every = circuit_ids(&all);
    assert!(every.len() >= 7, "{every:?}");

    // A copy held is current until the data moves.
    let r = reqwest::Client::new()
        .get(format!("{base}/api/v1/exports/geojson"))
        .header(IF_NONE_MATCH, &tag)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);

    // One commune, by code or by name: its circuits and their POIs only.
    for commune in ["77379", "Provins"] {
        let part: Value = get(&format!("{base}/api/v1/exports/geojson?commune={commune}"))
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(circuit_ids(&part), ["provins-remparts"], "{commune}");
        let text = part.to_string();
        assert!(
            text.contains("Tour César") && !text.contains("Cité épiscopale"),
            "{commune}"
        );
    }

    for (format, media) in [
        ("csv", "text/csv"),
        ("gpx", "application/gpx+xml"),
        ("schema-randonnee", "application/geo+json"),
    ] {
        let r = get(&format!("{base}/api/v1/exports/{format}?commune=77379")).await;
        assert_eq!(r.status(), StatusCode::OK, "{format}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .expect("text")
                .starts_with(media),
            "{format}"
        );
        let body = r.text().await.expect("text");
        assert!(
            body.contains("provins-remparts") || body.contains("Provins"),
            "{format}: {body}"
        );
    }
    assert_eq!(
        get(&format!("{base}/api/v1/exports/shapefile"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&format!("{base}/api/v1/exports/csv?town=x"))
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );

    // An import moves the data: the ETag follows.
    let gpx = common::root().join("fixtures/circuits/provins-remparts.gpx");
    let dir = tempfile::tempdir().expect("dir");
    let copy = dir.path().join("provins-remparts.gpx");
    let text = std::fs::read_to_string(&gpx)
        .expect("gpx")
        .replace("Tour César", "Tour César (donjon)");
    std::fs::write(&copy, text).expect("write");
    assert!(db.import(&[&copy], &[]).status.success());
    let r = get(&format!("{base}/api/v1/exports/geojson")).await;
    assert_ne!(r.headers()[ETAG].to_str().expect("text"), tag);
    assert!(
        r.text()
            .await
            .expect("text")
            .contains("Tour César (donjon)")
    );
}

#[tokio::test]
async fn a_data_catalogue_lists_the_exports_under_the_configured_licence() {
    let db = Db::new();
    let server = Server::start(
        &db,
        &[
            "--demo",
            "--data-licence",
            "CC-BY-4.0",
            "--data-licence-url",
            "https://creativecommons.org/licenses/by/4.0/",
        ],
    );
    let base = &server.base;
    let catalogue: Value = get(&format!("{base}/api/v1/exports"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(catalogue["licence"]["name"], "CC-BY-4.0");
    let exports = catalogue["exports"].as_array().expect("exports");
    let formats: Vec<&str> = exports
        .iter()
        .map(|e| e["format"].as_str().expect("format"))
        .collect();
    assert_eq!(formats, ["geojson", "gpx", "csv", "schema-randonnee"]);
    for e in exports {
        let url = format!("{base}{}", e["url"].as_str().expect("url"));
        let r = get(&url).await;
        assert_eq!(r.headers()[ETAG].to_str().expect("etag"), e["etag"], "{e}");
        assert_eq!(
            r.headers()["last-modified"].to_str().expect("date"),
            e["modified"],
            "{e}"
        );
        assert!(
            r.headers()["link"]
                .to_str()
                .expect("link")
                .contains("creativecommons.org")
        );
        assert_eq!(
            r.bytes().await.expect("bytes").len() as u64,
            e["bytes"].as_u64().expect("size"),
            "{e}"
        );
    }
    let geojson: Value = get(&format!("{base}/api/v1/exports/geojson"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        geojson["licence"]["url"],
        "https://creativecommons.org/licenses/by/4.0/"
    );
}

/// The national schema's own JSON Schema accepts the served schema_randonnee export,
/// whole and filtered.
#[tokio::test]
async fn the_served_schema_randonnee_export_is_valid() {
    let schema: Value = serde_json::from_slice(
        &std::fs::read(common::shared_data("trails/schema_randonnee/schema.json")).expect("schema"),
    )
    .expect("json");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles");
    let db = Db::new();
    let server = Server::start(&db, &["--demo"]);
    for query in [
        "",
        "?commune=77379",
        "?intercommunality=Communaut%C3%A9%20de%20communes%20du%20Provinois",
    ] {
        let doc: Value = get(&format!(
            "{}/api/v1/exports/schema-randonnee{query}",
            server.base
        ))
        .await
        .json()
        .await
        .expect("json");
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert_eq!(errors, Vec::<String>::new(), "{query}");
        assert!(
            !doc["features"].as_array().expect("features").is_empty(),
            "{query}"
        );
    }
}
