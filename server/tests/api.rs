//! The HTTP API in-process: the real router on a real database loaded with the demo
//! circuits through the real importer, driven with `oneshot`. Every test runs on SQLite
//! and on PostGIS (when a test server is configured): the same answers from both.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use balade_app::catalog::SharedCatalog;
use balade_app::{App, Settings};
use balade_core::store::{self, Store};
use balade_import::plan::Quiet;
use balade_import::{ImportOptions, Source, import, import_demo};
use balade_server::app;
use balade_server::state::AppState;
use balade_server::web_app::WebApp;
use http_body_util::BodyExt;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;
use tower::ServiceExt;

#[derive(Debug, Clone, Copy)]
enum Backend {
    Sqlite,
    Postgres,
}

struct Fixture {
    app: Router,
    store: Arc<dyn Store>,
    catalog: SharedCatalog,
    dir: tempfile::TempDir,
    url: String,
}

/// The demo circuits in a new database of `backend`; `None` when that backend has no
/// test server here.
async fn fixture(backend: Backend) -> Option<Fixture> {
    fixture_with(backend, Settings::default()).await
}

/// [`fixture`] with the installation's settings given.
async fn fixture_with(backend: Backend, settings: Settings) -> Option<Fixture> {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = match backend {
        Backend::Sqlite => format!("sqlite://{}", dir.path().join("api.db").display()),
        Backend::Postgres => {
            let admin = store::testing::postgres_admin_url()?;
            store::testing::fresh_postgres_database(&admin)
                .await
                .expect("database")
        }
    };
    let store: Arc<dyn Store> = store::open(&url).await.expect("open store");
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    let report = import_demo(store.as_ref(), &fixtures).await.expect("demo");
    assert_eq!(report.rejected(), 0, "{:?}", report.rejections);
    let services = App::load(store.clone(), settings).await.expect("catalogue");
    let catalog = services.catalog.clone();
    Some(Fixture {
        app: app(AppState::new(Arc::new(services)), WebApp::None),
        store,
        catalog,
        dir,
        url,
    })
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    fn error(&self) -> String {
        self.json()["error"]
            .as_str()
            .expect("an error message")
            .to_owned()
    }
}

async fn get(app: &Router, uri: &str) -> Answer {
    get_with(app, Request::get(uri).body(Body::empty()).expect("request")).await
}

async fn get_with(app: &Router, request: Request<Body>) -> Answer {
    let response = app.clone().oneshot(request).await.expect("response");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

fn features(v: &Value) -> &Vec<Value> {
    v["features"].as_array().expect("features")
}

fn ids(v: &Value) -> Vec<String> {
    features(v)
        .iter()
        .map(|f| f["id"].as_str().expect("id").to_owned())
        .collect()
}

async fn health_and_openapi(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let a = get(&f.app, "/healthz").await;
    assert_eq!(
        (a.status, a.body.as_slice()),
        (StatusCode::OK, b"ok".as_slice())
    );
    let doc = get(&f.app, "/api/v1/openapi.json").await.json();
    let paths = doc["paths"].as_object().expect("paths");
    for p in [
        "/api/v1/circuits",
        "/api/v1/circuits/{id}",
        "/api/v1/circuits/{id}/profile",
        "/api/v1/circuits/{id}/download",
        "/api/v1/pois/nearby",
        "/api/v1/pois/{id}",
    ] {
        assert!(
            paths.contains_key(p),
            "{p} missing from the OpenAPI document"
        );
    }
    let params = doc["paths"]["/api/v1/circuits"]["get"]["parameters"]
        .as_array()
        .expect("parameters");
    let names: Vec<&str> = params.iter().filter_map(|p| p["name"].as_str()).collect();
    for n in [
        "q",
        "difficulty",
        "type",
        "practice",
        "theme",
        "near",
        "radius",
        "limit",
        "offset",
        "duration_min",
        "duration_max",
    ] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
}

async fn list_holds_every_demo_circuit_with_its_figures(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let list = get(&f.app, "/api/v1/circuits").await.json();
    assert_eq!(list["type"], "FeatureCollection");
    let n = features(&list).len();
    assert!(n >= 6, "{n} circuits");
    assert_eq!(list["total"], n);
    for c in features(&list) {
        let p = &c["properties"];
        assert_eq!(c["geometry"]["type"], "Point");
        let km = p["length_m"].as_f64().expect("length") / 1000.0;
        assert!((3.0..=20.0).contains(&km), "{} is {km} km", p["id"]);
        assert!(p["duration_min"].as_u64().expect("duration") >= 45);
        assert!(
            ["easy", "medium", "hard", "very_hard"]
                .contains(&p["difficulty"].as_str().expect("difficulty"))
        );
        assert!(["loop", "return", "one_way"].contains(&p["type"].as_str().expect("type")));
    }
    let types: Vec<&str> = features(&list)
        .iter()
        .filter_map(|c| c["properties"]["type"].as_str())
        .collect();
    assert!(
        types.contains(&"loop") && types.contains(&"one_way"),
        "{types:?}"
    );
}

async fn filters_agree_with_the_unfiltered_list(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let all = get(&f.app, "/api/v1/circuits").await.json();
    let expect = |pred: &dyn Fn(&Value) -> bool| -> Vec<String> {
        features(&all)
            .iter()
            .filter(|c| pred(&c["properties"]))
            .map(|c| c["id"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    let one_way = get(&f.app, "/api/v1/circuits?type=one_way").await.json();
    assert_eq!(ids(&one_way), expect(&|p| p["type"] == "one_way"));
    assert!(!ids(&one_way).is_empty());

    let short = get(&f.app, "/api/v1/circuits?duration_max=120")
        .await
        .json();
    assert_eq!(
        ids(&short),
        expect(&|p| p["duration_min"].as_u64().is_some_and(|d| d <= 120))
    );

    let both = get(&f.app, "/api/v1/circuits?difficulty=easy&difficulty=medium")
        .await
        .json();
    assert_eq!(
        ids(&both),
        expect(&|p| p["difficulty"] == "easy" || p["difficulty"] == "medium")
    );

    let comma = get(&f.app, "/api/v1/circuits?difficulty=easy,medium")
        .await
        .json();
    assert_eq!(ids(&comma), ids(&both));

    let water = get(&f.app, "/api/v1/circuits?theme=eau&type=loop")
        .await
        .json();
    assert_eq!(
        ids(&water),
        expect(&|p| p["type"] == "loop"
            && p["themes"]
                .as_array()
                .is_some_and(|t| t.iter().any(|x| x == "eau")))
    );

    let walk = get(&f.app, "/api/v1/circuits?practice=walk").await.json();
    assert_eq!(features(&walk).len(), features(&all).len());
    let horse = get(&f.app, "/api/v1/circuits?practice=horse").await.json();
    assert_eq!(horse["total"], 0);

    let page = get(&f.app, "/api/v1/circuits?limit=2&offset=1")
        .await
        .json();
    assert_eq!(ids(&page), ids(&all)[1..3]);
    assert_eq!(page["total"], all["total"]);
}

async fn text_search_ignores_case_and_accents(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let a = get(&f.app, "/api/v1/circuits?q=EPISCOPALE").await.json();
    let b = get(&f.app, "/api/v1/circuits?q=%C3%A9piscopale")
        .await
        .json();
    assert_eq!(ids(&a), ["meaux-cite-episcopale"]);
    assert_eq!(ids(&a), ids(&b));
    let none = get(&f.app, "/api/v1/circuits?q=zzzz").await.json();
    assert_eq!(none["total"], 0);
    // Words in the name rank before words found only in descriptions.
    let forest = get(&f.app, "/api/v1/circuits?q=foret").await.json();
    let first = &features(&forest)[0]["properties"]["name"];
    assert!(
        first
            .as_str()
            .is_some_and(|n| n.to_lowercase().contains("forêt")),
        "{first}"
    );
}

async fn near_sorts_by_distance_and_radius_limits(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    // The Tour César in Provins.
    let near = get(&f.app, "/api/v1/circuits?near=3.2887,48.5606")
        .await
        .json();
    let d: Vec<f64> = features(&near)
        .iter()
        .map(|c| c["properties"]["distance_m"].as_f64().expect("distance"))
        .collect();
    assert!(d.windows(2).all(|w| w[0] <= w[1]), "{d:?}");
    assert_eq!(ids(&near)[0], "provins-remparts");
    assert!(d[0] < 2_000.0, "{d:?}");
    let close = get(&f.app, "/api/v1/circuits?near=3.2887,48.5606&radius=5000")
        .await
        .json();
    assert_eq!(ids(&close), ["provins-remparts"]);
}

async fn bad_parameters_are_400_with_a_reason(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    for (uri, needle) in [
        ("/api/v1/circuits?difficulty=extreme", "difficulty"),
        ("/api/v1/circuits?type=circle", "type"),
        ("/api/v1/circuits?near=3.2,123", "latitude 123"),
        ("/api/v1/circuits?near=abc", "near"),
        ("/api/v1/circuits?radius=100", "near"),
        ("/api/v1/circuits?limit=0", "limit"),
        ("/api/v1/circuits?duration_max=-4", "duration_max"),
        ("/api/v1/circuits?colour=red", "unknown parameter `colour`"),
        ("/api/v1/circuits?bbox=3.4,48.5,3.2,48.6", "bbox"),
        ("/api/v1/circuits?bbox=1,2,3", "bbox"),
        ("/api/v1/circuits?bbox=0,95,1,96", "latitude 95"),
        ("/api/v1/pois/nearby?lon=3.29&lat=123", "latitude 123"),
        ("/api/v1/pois/nearby?lon=3.29", "`lat` is required"),
        ("/api/v1/pois/nearby?lon=3.29&lat=48.5&radius=1e9", "radius"),
        ("/api/v1/pois/nearby?lon=3.29&lat=48.5&kind=dragon", "kind"),
        ("/api/v1/circuits/bad%20id", "malformed id"),
        ("/api/v1/pois/%3Cscript%3E", "malformed id"),
        (
            "/api/v1/circuits/provins-remparts/download?format=pdf",
            "format",
        ),
    ] {
        let a = get(&f.app, uri).await;
        assert_eq!(
            a.status,
            StatusCode::BAD_REQUEST,
            "{uri}: {}",
            String::from_utf8_lossy(&a.body)
        );
        assert!(a.error().contains(needle), "{uri}: {}", a.error());
    }
}

async fn unknown_ids_are_404(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    for uri in [
        "/api/v1/circuits/nowhere",
        "/api/v1/circuits/nowhere/profile",
        "/api/v1/circuits/nowhere/download",
        "/api/v1/pois/nowhere",
    ] {
        let a = get(&f.app, uri).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(a.error().contains("nowhere"), "{uri}: {}", a.error());
    }
}

async fn sheet_has_trace_figures_and_pois_in_walking_order(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let sheet = get(&f.app, "/api/v1/circuits/grand-morin-guerard-coulommiers")
        .await
        .json();
    assert_eq!(sheet["type"], "Feature");
    let p = &sheet["properties"];
    // The Grand Morin file has two segments: the trace keeps them apart.
    assert_eq!(sheet["geometry"]["type"], "MultiLineString");
    assert_eq!(
        sheet["geometry"]["coordinates"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(p["type"], "one_way");
    assert!(!p["description"].as_str().unwrap_or("").is_empty());
    let min = p["min_elevation_m"].as_f64().expect("min");
    let max = p["max_elevation_m"].as_f64().expect("max");
    assert!(min < max);
    let along = p["pois_along"].as_array().expect("pois_along");
    assert!(along.len() >= 6);
    let d: Vec<f64> = along
        .iter()
        .map(|x| x["distance_m"].as_f64().expect("distance"))
        .collect();
    assert!(d.windows(2).all(|w| w[0] <= w[1]), "{d:?}");
    assert!(
        d.last()
            .is_some_and(|&l| l <= p["length_m"].as_f64().unwrap_or(0.0) + 1.0)
    );
    let pois: Vec<&str> = p["pois"]
        .as_array()
        .expect("pois")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let along_ids: Vec<&str> = along.iter().filter_map(|x| x["id"].as_str()).collect();
    assert_eq!(pois, along_ids);
    for x in along {
        assert!(x["offset_m"].as_f64().is_some_and(|o| o < 150.0), "{x}");
    }
    // A POI's own page agrees.
    let poi = get(&f.app, &format!("/api/v1/pois/{}", pois[0]))
        .await
        .json();
    assert_eq!(
        poi["properties"]["circuit"],
        "grand-morin-guerard-coulommiers"
    );
    assert_eq!(poi["properties"]["name"], along[0]["name"]);
}

async fn profile_runs_from_zero_to_the_length(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let sheet = get(&f.app, "/api/v1/circuits/franchard-gorges")
        .await
        .json();
    let profile = get(&f.app, "/api/v1/circuits/franchard-gorges/profile")
        .await
        .json();
    let pts = profile.as_array().expect("array");
    assert!(pts.len() > 50);
    assert_eq!(pts[0][0], 0.0);
    let last = pts[pts.len() - 1][0].as_f64().expect("distance");
    let length = sheet["properties"]["length_m"].as_f64().expect("length");
    assert!((last - length).abs() <= 1.0, "{last} vs {length}");
    let max = pts
        .iter()
        .filter_map(|p| p[1].as_f64())
        .fold(f64::MIN, f64::max);
    assert_eq!(
        max,
        sheet["properties"]["max_elevation_m"]
            .as_f64()
            .expect("max")
    );
}

async fn downloads_parse_back(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let sheet = get(&f.app, "/api/v1/circuits/moret-loing").await.json();
    let line = sheet["geometry"]["coordinates"].as_array().expect("line");
    let n_pois = sheet["properties"]["pois"].as_array().map_or(0, Vec::len);

    let a = get(&f.app, "/api/v1/circuits/moret-loing/download?format=gpx").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.headers[header::CONTENT_TYPE], "application/gpx+xml");
    let disposition = a.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .expect("ascii");
    assert!(
        disposition
            .starts_with("attachment; filename=\"moret-sur-loing-sur-les-pas-de-sisley.gpx\""),
        "{disposition}"
    );
    let doc = gpx::read(a.body.as_slice()).expect("valid GPX");
    assert_eq!(doc.version, gpx::GpxVersion::Gpx11);
    assert_eq!(doc.tracks[0].segments[0].points.len(), line.len());
    assert_eq!(doc.waypoints.len(), n_pois);
    let first = doc.tracks[0].segments[0].points[0].point();
    assert_eq!(
        [first.x(), first.y()],
        [
            line[0][0].as_f64().unwrap_or(0.0),
            line[0][1].as_f64().unwrap_or(0.0)
        ]
    );

    let a = get(
        &f.app,
        "/api/v1/circuits/moret-loing/download?format=geojson",
    )
    .await;
    let fc = a.json();
    assert_eq!(fc["features"][0]["geometry"], sheet["geometry"]);
    assert_eq!(features(&fc).len(), 1 + n_pois);

    let a = get(&f.app, "/api/v1/circuits/moret-loing/download?format=kml").await;
    let kml = String::from_utf8(a.body).expect("utf-8");
    assert!(kml.contains("<kml xmlns=\"http://www.opengis.net/kml/2.2\">"));
    assert_eq!(kml.matches("<Placemark>").count(), 1 + n_pois);
}

async fn nearby_pois_nearest_first(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let sheet = get(&f.app, "/api/v1/circuits/provins-remparts")
        .await
        .json();
    let first = &sheet["properties"]["pois_along"][0];
    let (lon, lat) = (
        first["lon"].as_f64().expect("lon"),
        first["lat"].as_f64().expect("lat"),
    );
    let near = get(
        &f.app,
        &format!("/api/v1/pois/nearby?lon={lon}&lat={lat}&radius=3000&limit=5"),
    )
    .await
    .json();
    let hits = features(&near);
    assert!(!hits.is_empty() && hits.len() <= 5);
    assert_eq!(hits[0]["id"], first["id"]);
    assert!(
        hits[0]["properties"]["distance_m"]
            .as_f64()
            .is_some_and(|d| d < 0.5)
    );
    let d: Vec<f64> = hits
        .iter()
        .map(|h| h["properties"]["distance_m"].as_f64().expect("distance"))
        .collect();
    assert!(
        d.windows(2).all(|w| w[0] <= w[1]) && d.iter().all(|&x| x <= 3000.0),
        "{d:?}"
    );

    let food = get(
        &f.app,
        &format!("/api/v1/pois/nearby?lon={lon}&lat={lat}&radius=50000&kind=food"),
    )
    .await
    .json();
    assert!(!features(&food).is_empty());
    assert!(
        features(&food)
            .iter()
            .all(|h| h["properties"]["kind"] == "food")
    );
}

async fn answers_are_compressed_and_open_to_other_origins(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let request = Request::get("/api/v1/circuits/franchard-gorges")
        .header(header::ACCEPT_ENCODING, "gzip")
        .header(header::ORIGIN, "https://commune.example")
        .body(Body::empty())
        .expect("request");
    let a = get_with(&f.app, request).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.headers[header::CONTENT_ENCODING], "gzip");
    assert_eq!(a.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert_eq!(&a.body[..2], &[0x1f, 0x8b], "a gzip stream");

    // A sheet goes to a client that takes brotli as it was compressed when rendered:
    // the same JSON, the first time and from the cache alike.
    let url = "/api/v1/circuits/franchard-gorges";
    let plain = get(&f.app, url).await;
    assert!(plain.headers.get(header::CONTENT_ENCODING).is_none());
    serde_json::from_slice::<Value>(&plain.body).expect("plain JSON");
    for accepted in ["gzip, deflate, br, zstd", "br;q=0.5", "*"] {
        let request = Request::get(url)
            .header(header::ACCEPT_ENCODING, accepted)
            .body(Body::empty())
            .expect("request");
        let a = get_with(&f.app, request).await;
        assert_eq!(a.status, StatusCode::OK);
        assert_eq!(a.headers[header::CONTENT_ENCODING], "br", "{accepted}");
        assert_eq!(a.headers[header::CONTENT_TYPE], "application/json");
        // Sent whole with its length, not compressed as it streams.
        assert_eq!(
            a.headers[header::CONTENT_LENGTH],
            a.body.len().to_string().as_str()
        );
        assert!(
            (a.headers.get_all(header::VARY).iter())
                .any(|v| v.to_str().is_ok_and(|v| v.contains("accept-encoding"))),
            "{:?}",
            a.headers
        );
        let mut json = Vec::new();
        std::io::Read::read_to_end(&mut brotli::Decompressor::new(&a.body[..], 4096), &mut json)
            .expect("a brotli stream");
        assert_eq!(json, plain.body, "{accepted}");
    }
    // Refused by weight: the compression layer's gzip instead.
    let request = Request::get(url)
        .header(header::ACCEPT_ENCODING, "br;q=0, gzip")
        .body(Body::empty())
        .expect("request");
    let a = get_with(&f.app, request).await;
    assert_eq!(a.headers[header::CONTENT_ENCODING], "gzip");
}

async fn offline_manifest_lists_every_part_with_its_true_size(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let m = get(&f.app, "/api/v1/circuits/provins-remparts/offline").await;
    assert_eq!(m.status, StatusCode::OK);
    let manifest = m.json();
    let version = manifest["version"].as_str().expect("version").to_owned();
    assert_eq!(m.headers[header::ETAG], format!("\"{version}\""));
    let parts = manifest["parts"].as_array().expect("parts");
    let kinds: Vec<&str> = parts.iter().filter_map(|p| p["kind"].as_str()).collect();
    for k in ["sheet", "profile", "guide"] {
        assert_eq!(kinds.iter().filter(|x| **x == k).count(), 1, "{k}");
    }
    // Every POI guidance needs travels with the package, and every POI of the circuit.
    let guide = get(&f.app, "/api/v1/circuits/provins-remparts/guide")
        .await
        .json();
    let guide_pois: Vec<&str> = guide["pois"]
        .as_array()
        .expect("pois")
        .iter()
        .filter_map(|p| p["id"].as_str())
        .collect();
    let part_pois: Vec<&str> = parts
        .iter()
        .filter(|p| p["kind"] == "poi")
        .filter_map(|p| p["id"].as_str())
        .collect();
    assert_eq!(guide_pois, part_pois);
    let sheet = get(&f.app, "/api/v1/circuits/provins-remparts")
        .await
        .json();
    for id in sheet["properties"]["pois"]
        .as_array()
        .expect("pois")
        .iter()
        .filter_map(Value::as_str)
    {
        assert!(part_pois.contains(&id), "{id} missing from the package");
    }
    assert_eq!(guide["segments"].as_array().map(Vec::len), Some(1));
    // Sizes and hashes are those of what the phone will fetch.
    let mut total = 0;
    for p in parts {
        let url = p["url"].as_str().expect("url");
        let a = get(&f.app, url).await;
        assert_eq!(a.status, StatusCode::OK, "{url}");
        assert_eq!(p["bytes"].as_u64(), Some(a.body.len() as u64), "{url}");
        assert_eq!(
            p["hash"].as_str(),
            Some(balade_core::hash::sha256_hex(&a.body).as_str()),
            "{url}"
        );
        total += a.body.len() as u64;
    }
    assert_eq!(manifest["total_bytes"].as_u64(), Some(total));
    assert!(manifest["basemap"].is_null());

    // Asking again with the version held: nothing changed.
    let request = Request::get("/api/v1/circuits/provins-remparts/offline")
        .header(header::IF_NONE_MATCH, format!("\"{version}\""))
        .body(Body::empty())
        .expect("request");
    assert_eq!(
        get_with(&f.app, request).await.status,
        StatusCode::NOT_MODIFIED
    );
    assert_eq!(
        get(&f.app, "/api/v1/circuits/nowhere/offline").await.status,
        StatusCode::NOT_FOUND
    );
}

async fn offline_version_follows_a_changed_poi(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let before = get(&f.app, "/api/v1/circuits/provins-remparts/offline")
        .await
        .json();
    // The same file with one waypoint's text edited, re-imported.
    let original =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/circuits/provins-remparts.gpx");
    let text = std::fs::read_to_string(&original).expect("read");
    let at = text.find("<desc>").expect("a description") + "<desc>".len();
    let edited = format!("{}Texte revu. {}", &text[..at], &text[at..]);
    let edited_path = f.dir.path().join("provins-remparts.gpx");
    std::fs::write(&edited_path, edited).expect("write");
    import(
        f.store.as_ref(),
        &Source::Gpx,
        &[edited_path],
        &ImportOptions::default(),
        &mut Quiet,
    )
    .await
    .expect("import");
    assert!(f.catalog.refresh(f.store.as_ref()).await.expect("refresh"));
    let after = get(&f.app, "/api/v1/circuits/provins-remparts/offline")
        .await
        .json();
    assert_ne!(before["version"], after["version"]);
    // Only the parts whose content changed have new hashes.
    let hashes = |m: &Value| -> Vec<(String, String)> {
        m["parts"]
            .as_array()
            .expect("parts")
            .iter()
            .map(|p| {
                (
                    p["url"].as_str().unwrap_or("").to_owned(),
                    p["hash"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect()
    };
    let (b, a) = (hashes(&before), hashes(&after));
    assert_eq!(b.len(), a.len());
    let changed: Vec<&str> = b
        .iter()
        .zip(&a)
        .filter(|(x, y)| x != y)
        .map(|(x, _)| x.0.as_str())
        .collect();
    assert!(
        !changed.is_empty() && changed.len() < b.len(),
        "{changed:?}"
    );
    // Another circuit's package is untouched.
    let other = get(&f.app, "/api/v1/circuits/meaux-cite-episcopale/offline")
        .await
        .json();
    let again = get(&f.app, "/api/v1/circuits/meaux-cite-episcopale/offline")
        .await
        .json();
    assert_eq!(other["version"], again["version"]);
}

async fn offline_zip_holds_the_same_content(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let manifest = get(&f.app, "/api/v1/circuits/moret-loing/offline")
        .await
        .json();
    let a = get(&f.app, "/api/v1/circuits/moret-loing/offline?format=zip").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.headers[header::CONTENT_TYPE], "application/zip");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(a.body)).expect("a zip archive");
    let mut read = |name: &str| -> Vec<u8> {
        let mut file = archive
            .by_name(name)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut out).expect("read");
        out
    };
    let zipped: Value = serde_json::from_slice(&read("manifest.json")).expect("manifest");
    assert_eq!(zipped, manifest);
    let parts = manifest["parts"].as_array().expect("parts");
    // The demo circuit's photo travels too, as the JPEG it is.
    assert!(parts.iter().any(|p| p["kind"] == "media"), "{parts:?}");
    for p in parts {
        let url = p["url"].as_str().expect("url");
        let path = url.split('?').next().unwrap_or(url).trim_start_matches('/');
        let name = if path.starts_with("media/") {
            path.to_owned()
        } else {
            format!("{path}.json")
        };
        let body = read(&name);
        assert_eq!(body, get(&f.app, url).await.body, "{url}");
    }
    let bad = get(&f.app, "/api/v1/circuits/moret-loing/offline?format=tar").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

async fn landscape_units_along_a_circuit(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    // Provins lies in the Provinois unit: the sheet names it, guidance gets its ring,
    // the package carries it.
    let sheet = get(&f.app, "/api/v1/circuits/provins-remparts")
        .await
        .json();
    assert_eq!(
        sheet["properties"]["landscapes"],
        serde_json::json!([{ "id": "provinois", "name": "Provinois" }])
    );
    let guide = get(&f.app, "/api/v1/circuits/provins-remparts/guide")
        .await
        .json();
    let units = guide["landscapes"].as_array().expect("landscapes");
    assert_eq!(units.len(), 1);
    assert_eq!(units[0]["id"], "provinois");
    assert!(units[0]["polygon"].as_array().is_some_and(|r| r.len() >= 4));
    let manifest = get(&f.app, "/api/v1/circuits/provins-remparts/offline")
        .await
        .json();
    let part = manifest["parts"]
        .as_array()
        .expect("parts")
        .iter()
        .find(|p| p["kind"] == "landscape")
        .expect("a landscape part");
    assert_eq!(part["url"], "/api/v1/landscapes/provinois");
    let unit = get(&f.app, "/api/v1/landscapes/provinois").await;
    assert_eq!(part["bytes"].as_u64(), Some(unit.body.len() as u64));
    let unit = unit.json();
    assert_eq!(unit["geometry"]["type"], "MultiPolygon");
    assert!(
        unit["properties"]["description"]
            .as_str()
            .is_some_and(|d| !d.is_empty())
    );

    // Which unit a place lies in; every unit without a place.
    let here = get(&f.app, "/api/v1/landscapes?lon=3.2887&lat=48.5606")
        .await
        .json();
    assert_eq!(ids(&here), ["provinois"]);
    let nowhere = get(&f.app, "/api/v1/landscapes?lon=5.0&lat=45.0")
        .await
        .json();
    assert!(features(&nowhere).is_empty());
    assert_eq!(
        features(&get(&f.app, "/api/v1/landscapes").await.json()).len(),
        6
    );
    assert_eq!(
        get(&f.app, "/api/v1/landscapes?lon=3.2").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        get(&f.app, "/api/v1/landscapes/nowhere").await.status,
        StatusCode::NOT_FOUND
    );
}

/// POIs of `kind` beside `circuit`'s trace, one per range of distance to it, with
/// their true distance as the index measures it: candidates north and south of a few
/// trace points are measured until one falls in the range.
async fn placed_beside(
    store: &dyn Store,
    circuit: &str,
    kind: balade_core::PoiKind,
    ranges_m: &[(f64, f64)],
) -> Vec<(balade_core::Poi, f64)> {
    let circuit = store
        .circuit(&circuit.parse().expect("id"))
        .await
        .expect("read")
        .expect("circuit");
    let points: Vec<_> = circuit.trace.points().map(|p| p.pos).collect();
    let mut candidates = Vec::new();
    for at in [points.len() / 2, points.len() / 3, points.len() / 4] {
        for step in 1..200 {
            for sign in [1.0, -1.0] {
                let p = points[at];
                let lat = p.lat() + sign * f64::from(step) * 5.0 / 111_320.0;
                candidates.push(balade_core::LonLat::new(p.lon(), lat).expect("position"));
            }
        }
    }
    let template = store::testing::synthetic_pois(1, 7).remove(0);
    let poi = |i: usize, pos| balade_core::Poi {
        id: format!("beside-{}-{i}", kind.as_str()).parse().expect("id"),
        source: format!("test:beside:{}:{i}", kind.as_str()),
        kind,
        pos: Some(pos),
        ..template.clone()
    };
    let index = balade_core::index::SpatialIndex::build(
        candidates
            .iter()
            .enumerate()
            .filter_map(|(i, p)| poi(i, *p).point())
            .collect(),
        Vec::new(),
    );
    let measured = index.pois_along(&circuit.trace, 5_000.0);
    ranges_m
        .iter()
        .enumerate()
        .map(|(n, (low, high))| {
            let hit = measured
                .iter()
                .find(|h| h.distance_m > *low && h.distance_m < *high)
                .unwrap_or_else(|| panic!("no place at {low}..{high} m"));
            let mut p = poi(n, hit.item.pos);
            p.id = format!("beside-{}-{n}", kind.as_str()).parse().expect("id");
            (p, hit.distance_m)
        })
        .collect()
}

async fn write_pois(store: &dyn Store, pois: &[balade_core::Poi]) {
    let mut tx = store.begin_import().await.expect("begin");
    tx.upsert_pois(pois).await.expect("pois");
    tx.commit().await.expect("commit");
}

/// The ids of the POIs along a circuit as the sheet, the offline package and the
/// guidance input give them.
async fn along_everywhere(app: &Router, circuit: &str) -> [Vec<String>; 3] {
    let strings = |v: &Value, key: &str| -> Vec<String> {
        let mut out: Vec<String> = v
            .as_array()
            .expect("array")
            .iter()
            .filter_map(|x| x[key].as_str().map(str::to_owned))
            .collect();
        out.sort();
        out
    };
    let sheet = get(app, &format!("/api/v1/circuits/{circuit}"))
        .await
        .json();
    let manifest = get(app, &format!("/api/v1/circuits/{circuit}/offline"))
        .await
        .json();
    let guide = get(app, &format!("/api/v1/circuits/{circuit}/guide"))
        .await
        .json();
    let poi_parts: Vec<Value> = manifest["parts"]
        .as_array()
        .expect("parts")
        .iter()
        .filter(|p| p["kind"] == "poi")
        .cloned()
        .collect();
    [
        strings(&sheet["properties"]["pois_along"], "id"),
        strings(&Value::Array(poi_parts), "id"),
        strings(&guide["pois"], "id"),
    ]
}

async fn sheet_package_and_guide_agree_on_the_corridors(backend: Backend) {
    use balade_core::PoiKind;
    let corridors = balade_core::corridor::Corridors::default()
        .with(PoiKind::Food, 400.0)
        .with(PoiKind::Heritage, 60.0);
    let settings = Settings {
        corridors,
        ..Settings::default()
    };
    let Some(f) = fixture_with(backend, settings).await else {
        return;
    };
    let circuit = "grand-morin-guerard-coulommiers";
    // Inside a widened corridor, outside it; inside a narrowed one, outside it (but
    // within the default 150 m).
    let store = f.store.as_ref();
    let food = placed_beside(
        store,
        circuit,
        PoiKind::Food,
        &[(200.0, 380.0), (420.0, 700.0)],
    )
    .await;
    let heritage = placed_beside(
        store,
        circuit,
        PoiKind::Heritage,
        &[(5.0, 50.0), (70.0, 140.0)],
    )
    .await;
    let all: Vec<_> = food
        .iter()
        .chain(&heritage)
        .map(|(p, _)| p.clone())
        .collect();
    write_pois(f.store.as_ref(), &all).await;

    let [sheet, package, guide] = along_everywhere(&f.app, circuit).await;
    assert_eq!(sheet, package, "the sheet and the package");
    assert_eq!(sheet, guide, "the sheet and the guidance input");
    let has = |p: &balade_core::Poi| sheet.contains(&p.id.to_string());
    assert!(has(&food[0].0), "food at {:.0} m is along", food[0].1);
    assert!(!has(&food[1].0), "food at {:.0} m is not", food[1].1);
    assert!(
        has(&heritage[0].0),
        "heritage at {:.0} m is along",
        heritage[0].1
    );
    assert!(
        !has(&heritage[1].0),
        "heritage at {:.0} m is not",
        heritage[1].1
    );
}

async fn a_sheet_viewed_right_after_an_import_shows_the_new_data(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let circuit = "provins-remparts";
    let url = format!("/api/v1/circuits/{circuit}");
    let before = get(&f.app, &url).await.json();
    let (reloads, follows) = (f.catalog.reloads(), f.catalog.follows());
    let beside = placed_beside(
        f.store.as_ref(),
        circuit,
        balade_core::PoiKind::Heritage,
        &[(10.0, 40.0)],
    )
    .await;
    let new_id = beside[0].0.id.to_string();
    assert!(
        !before["properties"]["pois"]
            .as_array()
            .expect("pois")
            .iter()
            .any(|p| p == &new_id)
    );
    // Written by another process: nothing tells this server but the store itself.
    write_pois(f.store.as_ref(), &[beside[0].0.clone()]).await;
    let after = get(&f.app, &url).await.json();
    assert!(
        after["properties"]["pois"]
            .as_array()
            .expect("pois")
            .iter()
            .any(|p| p == &new_id),
        "the new POI is on the sheet at once"
    );
    assert_eq!(
        f.catalog.follows(),
        follows + 1,
        "the change followed, once"
    );
    assert_eq!(f.catalog.reloads(), reloads, "followed, not reloaded");
    let package = get(&f.app, &format!("{url}/offline")).await.json();
    assert!(
        package["parts"]
            .as_array()
            .expect("parts")
            .iter()
            .any(|p| p["id"] == new_id.as_str())
    );
    assert_eq!(f.catalog.reloads(), reloads, "no reload");
}

/// One test per backend for each story above.
macro_rules! on_every_backend {
    ($($story:ident),+ $(,)?) => {
        $(mod $story {
            #[tokio::test]
            async fn sqlite() {
                super::$story(super::Backend::Sqlite).await
            }
            #[tokio::test]
            async fn postgres() {
                super::$story(super::Backend::Postgres).await
            }
        })+
    };
}

on_every_backend!(
    health_and_openapi,
    list_holds_every_demo_circuit_with_its_figures,
    filters_agree_with_the_unfiltered_list,
    text_search_ignores_case_and_accents,
    near_sorts_by_distance_and_radius_limits,
    bad_parameters_are_400_with_a_reason,
    unknown_ids_are_404,
    sheet_has_trace_figures_and_pois_in_walking_order,
    profile_runs_from_zero_to_the_length,
    downloads_parse_back,
    nearby_pois_nearest_first,
    answers_are_compressed_and_open_to_other_origins,
    offline_manifest_lists_every_part_with_its_true_size,
    offline_version_follows_a_changed_poi,
    offline_zip_holds_the_same_content,
    landscape_units_along_a_circuit,
    sheet_package_and_guide_agree_on_the_corridors,
    a_sheet_viewed_right_after_an_import_shows_the_new_data,
    an_edit_reaches_a_second_server_without_a_reload,
    a_loop_meets_the_pois_of_its_start_first,
    circuit_changes_list_as_a_whole_load_would,
    places_and_the_sensitivity_list_are_followed,
);

/// A published circuit `id` named `name` along a short line starting at `start`.
fn line_circuit(id: &str, name: &str, start: (f64, f64)) -> balade_core::Circuit {
    use balade_core::{LonLat, Trace, TracePoint};
    let point = |k: f64| TracePoint {
        pos: LonLat::new(start.0 + k * 0.002, start.1 + k * 0.001).expect("in range"),
        ele: None,
    };
    let trace = Trace {
        segments: vec![(0..4).map(|k| point(k as f64)).collect()],
    };
    let mut c = store::testing::circuit(id, balade_core::Practice::Walk, trace);
    c.name = name.to_owned();
    c
}

async fn write_circuits(store: &dyn Store, circuits: &[&balade_core::Circuit]) {
    let mut tx = store.begin_import().await.expect("tx");
    for c in circuits {
        tx.upsert_circuit(c).await.expect("circuit");
    }
    tx.commit().await.expect("commit");
}

/// Circuits renamed, withdrawn, added, and given other texts, themes and communes are
/// followed record by record, and the list then answers exactly as a catalogue loaded
/// whole from the same database: order, words searched, filters and facets.
async fn circuit_changes_list_as_a_whole_load_would(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    // Enough circuits that a few changed are re-read alone.
    let mut copies: Vec<balade_core::Circuit> = (0..30)
        .map(|i| {
            let mut c = line_circuit(
                &format!("copie-{i}"),
                &format!("Copie {i:02}"),
                (2.8 + i as f64 * 0.01, 48.5),
            );
            c.description = format!("Boucle {i} par la peupleraie{} et le moulin", i % 3);
            c.themes = vec![format!("Thème {}", i % 4)];
            c.communes = vec![format!("Commune {}", i % 5)];
            c
        })
        .collect();
    write_circuits(f.store.as_ref(), &copies.iter().collect::<Vec<_>>()).await;
    f.catalog.refresh(f.store.as_ref()).await.expect("refresh");

    // First commit: one renamed to the head of the list, with new words, a new theme
    // and a new commune; one withdrawn; one new.
    copies[3].name = "Aaa première".into();
    copies[3].description = "Par la saulaie inédite".into();
    copies[3].themes = vec!["Zoologie".into(), "Thème 1".into()];
    copies[3].communes = vec!["Nouvelleville".into()];
    copies[7].published = false;
    let mut new = line_circuit("copie-neuve", "Mmm nouvelle", (3.1, 48.7));
    new.description = "Saulaie et moulin".into();
    new.themes = vec!["Thème 2".into()];
    write_circuits(f.store.as_ref(), &[&copies[3], &copies[7], &new]).await;
    // Second commit: a word that only one text held goes, one text changes again.
    copies[9].description = "Boucle sans arbres".into();
    copies[3].description = "Par la saulaie revue".into();
    write_circuits(f.store.as_ref(), &[&copies[9], &copies[3]]).await;

    let (reloads, follows) = (f.catalog.reloads(), f.catalog.follows());
    f.catalog.refresh(f.store.as_ref()).await.expect("refresh");
    assert_eq!(f.catalog.reloads(), reloads, "followed, not reloaded");
    assert_eq!(
        f.catalog.follows(),
        follows + 1,
        "one follow for both commits"
    );

    let whole = App::load(f.store.clone(), Settings::default())
        .await
        .expect("catalogue");
    let whole = app(AppState::new(Arc::new(whole)), WebApp::None);
    for query in [
        "",
        "q=saulaie",
        "q=inedite",
        "q=revue",
        "q=peupleraie0",
        "q=moulin copie",
        "theme=Zoologie",
        "theme=theme 1",
        "commune=Nouvelleville",
        "commune=Commune 2",
        "sort=name",
        "sort=duration",
        "near=2.9,48.5&radius=5000",
        "difficulty=easy&theme=Thème 0",
    ] {
        let uri = format!("/api/v1/circuits?limit=100&{}", query.replace(' ', "%20"));
        let followed = get(&f.app, &uri).await.json();
        assert_eq!(followed, get(&whole, &uri).await.json(), "{query}");
    }
    let all = listed(&f.app, "").await;
    assert_eq!(all[0], "copie-3", "renamed to the head");
    assert!(!all.contains(&"copie-7".to_owned()), "withdrawn");
    assert!(all.contains(&"copie-neuve".to_owned()), "added");
    assert_eq!(
        listed(&f.app, "q=saulaie").await,
        ["copie-3", "copie-neuve"]
    );
    assert!(
        listed(&f.app, "q=inedite").await.is_empty(),
        "a word replaced"
    );
    assert_eq!(
        listed(&f.app, "q=peupleraie0").await.len(),
        8,
        "copies 0, 3, 6, …, 27 but 3 and 9"
    );
    assert_eq!(listed(&f.app, "commune=Nouvelleville").await, ["copie-3"]);
    let sheet = get(&f.app, "/api/v1/circuits/copie-7").await;
    assert_eq!(
        sheet.status,
        StatusCode::NOT_FOUND,
        "a withdrawn circuit's sheet"
    );
    let sheet = get(&f.app, "/api/v1/circuits/copie-neuve").await;
    assert_eq!(sheet.status, StatusCode::OK, "a new circuit's sheet");
}

/// Communes, landscape units and the sensitivity list, written then deleted, are
/// followed by their kinds, without a whole reload, and every answer that reads them is
/// that of a catalogue loaded whole from the same database.
async fn places_and_the_sensitivity_list_are_followed(backend: Backend) {
    use balade_core::record::RecordKind;
    use balade_core::store::conformance::{commune, landscape, poi};
    use balade_core::{PoiKind, Sensitivity};
    let Some(f) = fixture(backend).await else {
        return;
    };
    let alone = |key: &str, kind, name: &str| {
        let mut p = poi("test", key, kind);
        (p.circuit, p.source, p.name) = (None, format!("test:{key}"), name.to_owned());
        p
    };
    let orchid = alone("ophrys", PoiKind::Flora, "Ophrys apifera");
    let beetle = alone("lucane", PoiKind::Fauna, "Lucanus cervus");
    write_pois(f.store.as_ref(), &[orchid.clone(), beetle.clone()]).await;
    let mut far = line_circuit("aux-confins", "Aux confins", (2.7, 48.4));
    far.communes = vec!["Nouvelleville".into()];
    write_circuits(f.store.as_ref(), &[&far]).await;
    f.catalog.refresh(f.store.as_ref()).await.expect("refresh");
    let at = orchid.pos.expect("placed");
    let nearby = format!(
        "/api/v1/pois/nearby?lon={}&lat={}&radius=50",
        at.lon(),
        at.lat()
    );
    let queries = [
        "/api/v1/circuits?commune=77999".to_owned(),
        "/api/v1/circuits?commune=Nouvelleville".to_owned(),
        "/api/v1/landscapes".to_owned(),
        format!("/api/v1/landscapes?lon={}&lat={}", at.lon(), at.lat()),
        "/api/v1/landscapes/etang".to_owned(),
        nearby.clone(),
        format!("/api/v1/pois/{}", orchid.id),
        "/api/v1/circuits/aux-confins".to_owned(),
    ];
    let nearby_ids = |answer: Value| -> Vec<String> {
        (answer["features"].as_array().expect("features").iter())
            .map(|f| f["id"].as_str().expect("id").to_owned())
            .collect()
    };
    assert!(nearby_ids(get(&f.app, &nearby).await.json()).contains(&orchid.id.to_string()));
    assert!(listed(&f.app, "commune=77999").await.is_empty());
    let followed_as_whole = |step: &'static str| {
        let (f, queries) = (&f, &queries);
        async move {
            let whole = App::load(f.store.clone(), Settings::default())
                .await
                .expect("catalogue");
            let whole = app(AppState::new(Arc::new(whole)), WebApp::None);
            for uri in queries {
                let (ours, theirs) = (get(&f.app, uri).await, get(&whole, uri).await);
                assert_eq!(ours.status, theirs.status, "{step}: {uri}");
                assert_eq!(ours.json(), theirs.json(), "{step}: {uri}");
            }
        }
    };

    // One commit: a landscape unit and a commune written, the orchid made sensitive
    // (and the demo's list replaced).
    let mut tx = f.store.begin_import().await.expect("tx");
    tx.upsert_landscape(&landscape("etang"))
        .await
        .expect("unit");
    tx.upsert_commune(&commune("77999", "Nouvelleville", None))
        .await
        .expect("commune");
    tx.replace_sensitive_taxa(&[("Ophrys apifera".into(), Sensitivity::Sensitive)])
        .await
        .expect("list");
    tx.commit().await.expect("commit");
    let (reloads, follows) = (f.catalog.reloads(), f.catalog.follows());
    f.catalog.refresh(f.store.as_ref()).await.expect("refresh");
    assert_eq!(f.catalog.reloads(), reloads, "followed, not reloaded");
    assert_eq!(f.catalog.follows(), follows + 1);
    followed_as_whole("written").await;
    let ids = nearby_ids(get(&f.app, &nearby).await.json());
    assert!(!ids.contains(&orchid.id.to_string()), "withheld: {ids:?}");
    assert!(ids.contains(&beetle.id.to_string()), "{ids:?}");
    assert_eq!(listed(&f.app, "commune=77999").await, ["aux-confins"]);
    let units = get(&f.app, &queries[3]).await.json();
    assert_eq!(units["features"][0]["id"], "etang", "{units}");

    // Another: both deleted, the list emptied.
    let mut tx = f.store.begin_import().await.expect("tx");
    tx.delete(RecordKind::Commune, &["77999"])
        .await
        .expect("commune");
    tx.delete(RecordKind::Landscape, &["test:etang"])
        .await
        .expect("unit");
    tx.replace_sensitive_taxa(&[]).await.expect("list");
    tx.commit().await.expect("commit");
    f.catalog.refresh(f.store.as_ref()).await.expect("refresh");
    assert_eq!(f.catalog.reloads(), reloads, "still not reloaded");
    assert_eq!(f.catalog.follows(), follows + 2);
    followed_as_whole("deleted").await;
    assert!(nearby_ids(get(&f.app, &nearby).await.json()).contains(&orchid.id.to_string()));
    assert!(listed(&f.app, "commune=77999").await.is_empty());
    let unit = get(&f.app, "/api/v1/landscapes/etang").await;
    assert_eq!(unit.status, StatusCode::NOT_FOUND);
}

async fn listed(app: &Router, query: &str) -> Vec<String> {
    ids(&get(app, &format!("/api/v1/circuits?limit=100&{query}"))
        .await
        .json())
}

/// On a loop the POIs at the start come first, at 0 m, though the returning leg runs
/// as close to them; the rest keep their walking order.
async fn a_loop_meets_the_pois_of_its_start_first(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let sheet = get(&f.app, "/api/v1/circuits/moret-loing").await.json();
    assert_eq!(sheet["properties"]["type"], "loop");
    let along = sheet["properties"]["pois_along"].as_array().expect("pois");
    assert_eq!(along[0]["name"], "Place de Samois");
    assert_eq!(along[0]["distance_m"], 0.0);
    let distances: Vec<f64> = along
        .iter()
        .map(|p| p["distance_m"].as_f64().expect("distance"))
        .collect();
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");
    assert!(distances[1] > 0.0, "only the start's POIs at 0 m");
}

/// The nearby ids around `at` from `app`.
async fn nearby_ids(app: &Router, at: (f64, f64)) -> Vec<String> {
    let answer = get(
        app,
        &format!(
            "/api/v1/pois/nearby?lon={}&lat={}&radius=30&limit=50",
            at.0, at.1
        ),
    )
    .await
    .json();
    answer["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["id"].as_str().expect("id").to_owned())
        .collect()
}

/// Two servers on one database with a large catalogue: a staff edit moving one POI
/// on the first reaches the second's nearby answer by the change log, without a whole
/// reload; a commit of more records than the log lists reloads whole.
async fn an_edit_reaches_a_second_server_without_a_reload(backend: Backend) {
    use balade_app::curation::{self, Target};
    use balade_app::staff::Staff;
    let Some(f) = fixture(backend).await else {
        return;
    };
    let many = store::conformance::scattered_pois(60_000);
    write_pois(f.store.as_ref(), &many).await;
    let second_store = store::open(&f.url).await.expect("open");
    let second = App::load(second_store.clone(), Settings::default())
        .await
        .expect("catalogue");
    let second_catalog = second.catalog.clone();
    let second_app = app(AppState::new(Arc::new(second)), WebApp::None);
    // The first server follows the bulk commit: more than the log lists, a reload.
    let reloads = f.catalog.reloads();
    f.catalog.refresh(f.store.as_ref()).await.expect("refresh");
    assert_eq!(
        f.catalog.reloads(),
        reloads + 1,
        "60,000 records: a whole reload"
    );

    let moved = &many[123];
    let from = moved.pos.expect("placed");
    let to = (from.lon() + 0.01, from.lat() + 0.01);
    assert!(
        nearby_ids(&second_app, (from.lon(), from.lat()))
            .await
            .contains(&moved.id.to_string())
    );
    let admin = Staff {
        id: 0,
        email: "admin@77.fr".into(),
        role: balade_core::accounts::Role::Admin,
        territory: Vec::new(),
    };
    let target = Target::Poi(moved.id.clone());
    let before = curation::read(f.store.as_ref(), &target)
        .await
        .expect("read");
    curation::patch(
        f.store.as_ref(),
        &admin,
        &target,
        &before.etag,
        &serde_json::json!({ "lon": to.0, "lat": to.1 }),
    )
    .await
    .expect("edit");

    let (reloads, follows) = (second_catalog.reloads(), second_catalog.follows());
    let started = std::time::Instant::now();
    second_catalog
        .refresh(second_store.as_ref())
        .await
        .expect("refresh");
    let took = started.elapsed();
    assert_eq!(second_catalog.reloads(), reloads, "no whole reload");
    assert_eq!(second_catalog.follows(), follows + 1, "the change followed");
    eprintln!("an edit followed at {} POIs in {took:?}", 60_000);
    let id = moved.id.to_string();
    assert!(
        nearby_ids(&second_app, to).await.contains(&id),
        "at its new place"
    );
    assert!(
        !nearby_ids(&second_app, (from.lon(), from.lat()))
            .await
            .contains(&id),
        "gone from the old one"
    );

    // A deletion is followed by the id gone too.
    let mut tx = f.store.begin_import().await.expect("tx");
    let deleted = tx
        .delete(
            balade_core::record::RecordKind::Poi,
            &[moved.source.as_str()],
        )
        .await
        .expect("delete");
    assert_eq!(deleted, 1);
    tx.commit().await.expect("commit");
    second_catalog
        .refresh(second_store.as_ref())
        .await
        .expect("refresh");
    assert_eq!(second_catalog.reloads(), reloads, "still no whole reload");
    assert_eq!(
        second_catalog.follows(),
        follows + 2,
        "the deletion followed"
    );
    assert!(
        !nearby_ids(&second_app, to).await.contains(&id),
        "deleted, gone from nearby"
    );
}

/// How many of the listed circuits hold each value of `field` (a string or a list).
fn distribution(list: &Value, field: &str) -> std::collections::BTreeMap<String, u64> {
    let mut out = std::collections::BTreeMap::new();
    for f in features(list) {
        let v = &f["properties"][field];
        let values: Vec<&Value> = match v.as_array() {
            Some(a) => a.iter().collect(),
            None => vec![v],
        };
        for v in values {
            *out.entry(v.as_str().expect("text").to_owned()).or_default() += 1;
        }
    }
    out
}

fn counts(facets: &Value) -> std::collections::BTreeMap<String, u64> {
    facets
        .as_object()
        .expect("counts")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().expect("count")))
        .collect()
}

/// Each facet counts the circuits under every filter but its own: recounted here from
/// the lists the other filters alone give.
#[tokio::test]
async fn facets_count_under_every_filter_but_their_own() {
    let f = fixture(Backend::Sqlite).await.expect("sqlite");
    let all = get(&f.app, "/api/v1/circuits?limit=100").await.json();
    let theme = distribution(&all, "themes")
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .expect("a theme")
        .0;
    let both = get(
        &f.app,
        &format!("/api/v1/circuits?limit=100&difficulty=easy&theme={theme}"),
    )
    .await
    .json();
    let by_theme = get(&f.app, &format!("/api/v1/circuits?limit=100&theme={theme}"))
        .await
        .json();
    let easy = get(&f.app, "/api/v1/circuits?limit=100&difficulty=easy")
        .await
        .json();
    assert_eq!(
        counts(&both["facets"]["difficulty"]),
        distribution(&by_theme, "difficulty")
    );
    assert_eq!(
        counts(&both["facets"]["theme"]),
        distribution(&easy, "themes")
    );
    for (facet, field) in [
        ("commune", "communes"),
        ("type", "type"),
        ("practice", "practice"),
        ("intercommunality", "intercommunalities"),
    ] {
        assert_eq!(
            counts(&both["facets"][facet]),
            distribution(&both, field),
            "{facet}"
        );
        assert_eq!(
            counts(&all["facets"][facet]),
            distribution(&all, field),
            "{facet} unfiltered"
        );
    }
    assert!(counts(&all["facets"]["commune"]).len() > 3);
}

/// `near` with `radius` keeps exactly the circuits whose start is within the radius
/// by the geodesic the answers show, whatever shortcut the pass takes.
#[tokio::test]
async fn a_radius_keeps_exactly_the_starts_within_it() {
    let f = fixture(Backend::Sqlite).await.expect("sqlite");
    let near = "2.7,48.4";
    let all = get(&f.app, &format!("/api/v1/circuits?limit=100&near={near}"))
        .await
        .json();
    let mut distances: Vec<(String, f64)> = features(&all)
        .iter()
        .map(|c| {
            (
                c["id"].as_str().expect("id").to_owned(),
                c["properties"]["distance_m"].as_f64().expect("distance"),
            )
        })
        .collect();
    distances.sort_by(|a, b| a.1.total_cmp(&b.1));
    assert!(distances.len() >= 4);
    for pair in distances.windows(2) {
        // A radius between two successive starts: the nearer ones only.
        let radius = (pair[0].1 + pair[1].1) / 2.0;
        let within = get(
            &f.app,
            &format!("/api/v1/circuits?limit=100&near={near}&radius={radius}"),
        )
        .await
        .json();
        let mut got = ids(&within);
        got.sort();
        let mut expected: Vec<String> = distances
            .iter()
            .filter(|(_, d)| *d <= radius)
            .map(|(id, _)| id.clone())
            .collect();
        expected.sort();
        assert_eq!(got, expected, "radius {radius}");
    }
}
