//! `balade serve` over real TCP: the demo loads into an empty database, the API answers,
//! and an import made by another process reaches the running server's index.

mod common;

use common::{Db, Server, eventually};
use serde_json::Value;
use std::time::Duration;

async fn json(url: &str) -> Value {
    reqwest::get(url)
        .await
        .expect("request")
        .json()
        .await
        .expect("json")
}

#[tokio::test]
async fn demo_serves_circuits_and_sees_new_imports() {
    let db = Db::new();
    let server = Server::start(&db, &["--demo"]);
    let list = json(&format!("{}/api/v1/circuits", server.base)).await;
    let before = list["total"].as_u64().expect("total");
    assert!(before >= 6, "{list}");
    let health = reqwest::get(format!("{}/healthz", server.base))
        .await
        .expect("healthz");
    assert_eq!(health.status(), 200);
    // The demo's basemap file is made for the run and gone once open, so that a
    // server killed outright leaves nothing behind; its tiles are still served.
    let scratch =
        std::env::temp_dir().join(format!("balade-demo-basemap-{}.pmtiles", server.child.id()));
    assert!(!scratch.exists(), "{} left behind", scratch.display());
    let basemap = json(&format!("{}/api/v1/basemap", server.base)).await;
    assert_eq!(basemap["kind"], "vector", "{basemap}");
    let tile = reqwest::get(format!("{}/tiles/6/32/22", server.base))
        .await
        .expect("tile");
    assert_eq!(tile.status(), 200);
    assert!(!tile.bytes().await.expect("tile body").is_empty());

    // A new circuit imported by a separate process, while the server runs.
    let file = db.dir.path().join("nouveau-circuit.gpx");
    std::fs::write(
        &file,
        r#"<gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">
<wpt lat="48.8400" lon="2.9900"><name>Lavoir</name><type>heritage</type></wpt>
<trk><name>Nouveau circuit</name><trkseg>
<trkpt lat="48.8400" lon="2.9900"/><trkpt lat="48.8450" lon="2.9950"/><trkpt lat="48.8500" lon="3.0000"/>
</trkseg></trk></gpx>"#,
    )
    .expect("write");
    let out = db.import(&[&file], &[]);
    assert!(out.status.success(), "{}", common::stdout(&out));

    let list_url = format!("{}/api/v1/circuits", server.base);
    let seen = eventually(Duration::from_secs(10), || async {
        json(&list_url).await["total"].as_u64() == Some(before + 1)
    })
    .await;
    assert!(seen, "the new circuit never appeared in the list");
    let nearby = json(&format!(
        "{}/api/v1/pois/nearby?lon=2.99&lat=48.84&radius=100",
        server.base
    ))
    .await;
    assert_eq!(nearby["features"][0]["id"], "nouveau-circuit.lavoir");
}

#[tokio::test]
async fn demo_is_not_loaded_twice() {
    let db = Db::new();
    let first = {
        let server = Server::start(&db, &["--demo"]);
        json(&format!("{}/api/v1/circuits", server.base)).await["total"].as_u64()
    };
    let server = Server::start(&db, &["--demo"]);
    let again = json(&format!("{}/api/v1/circuits", server.base)).await["total"].as_u64();
    assert_eq!(first, again);
    assert_eq!(db.counts().0, first.unwrap_or(0));
}

#[tokio::test]
async fn serves_the_web_app_when_built() {
    let db = Db::new();
    let dist = db.dir.path().join("dist");
    std::fs::create_dir(&dist).expect("mkdir");
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>Balade</title>",
    )
    .expect("write");
    let server = Server::start(&db, &["--pwa-dir", dist.to_str().expect("utf-8")]);
    let page = reqwest::get(format!("{}/", server.base))
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    assert!(
        page.text()
            .await
            .expect("text")
            .contains("<title>Balade</title>")
    );
    let api404 = reqwest::get(format!("{}/api/v1/circuits/none", server.base))
        .await
        .expect("404");
    assert_eq!(api404.status(), 404);
}
