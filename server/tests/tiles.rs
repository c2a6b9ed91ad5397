//! Basemap tiles from each kind of source, and in offline packages: a real PMTiles
//! archive, an MBTiles file the test writes over a demo circuit, and an upstream XYZ
//! server on loopback whose cache headers the disk cache must honour.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use balade_app::basemap::{Basemap, covering, tile_of};
use balade_app::{App, Settings};
use balade_core::store::{self, Store};
use balade_import::import_demo;
use balade_server::app;
use balade_server::state::AppState;
use balade_server::web_app::WebApp;
use http_body_util::BodyExt;
use serde_json::Value;
use sqlx::Connection;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tower::ServiceExt;

/// Some bytes that announce themselves as PNG (enough for the server, which never
/// decodes tiles), different per tile.
fn fake_png(z: u8, x: u32, y: u32) -> Vec<u8> {
    let mut b = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    b.extend(format!("{z}/{x}/{y}").bytes());
    b
}

async fn demo_state(dir: &Path) -> (Arc<dyn Store>, App) {
    let url = format!("sqlite://{}", dir.join("tiles.db").display());
    let store: Arc<dyn Store> = store::open(&url).await.expect("open");
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    let report = import_demo(store.as_ref(), &fixtures).await.expect("demo");
    assert_eq!(report.rejected(), 0, "{:?}", report.rejections);
    let services = App::load(store.clone(), Settings::default())
        .await
        .expect("catalogue");
    (store, services)
}

async fn get(app: &Router, uri: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
    let response = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let (status, headers) = (response.status(), response.headers().clone());
    (
        status,
        headers,
        response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec(),
    )
}

#[tokio::test]
async fn pmtiles_archive_serves_its_tiles() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/trails/geotrek-admin/pmtiles/opentopomap-34.pmtiles");
    assert!(path.exists(), "test data missing: {}", path.display());
    let dir = tempfile::tempdir().expect("temp dir");
    let basemap = Basemap::open(path.to_str().expect("utf-8"), dir.path(), 1 << 30)
        .await
        .expect("open");
    assert_eq!((basemap.min_zoom, basemap.max_zoom), (15, 15));
    let [w, s, e, n] = basemap.bounds.expect("bounds");
    let (x, y) = tile_of((w + e) / 2.0, (s + n) / 2.0, 15);
    let (_, mut state) = demo_state(dir.path()).await;
    state.basemap = Some(Arc::new(basemap));
    let app = app(AppState::new(Arc::new(state)), WebApp::None);

    let (status, headers, body) = get(&app, &format!("/tiles/15/{x}/{y}")).await;
    assert_eq!(status, StatusCode::OK);
    let kind = headers[header::CONTENT_TYPE].to_str().expect("ascii");
    assert!(kind.starts_with("image/"), "{kind}");
    assert!(body.len() > 100);
    assert!(
        headers[header::CACHE_CONTROL]
            .to_str()
            .is_ok_and(|c| c.contains("max-age"))
    );
    let (status, _, _) = get(&app, &format!("/tiles/15/{x}/{y}.png")).await;
    assert_eq!(status, StatusCode::OK, "an extension is accepted");
    // Outside the archive, outside its zooms, outside the grid, or not a number.
    assert_eq!(get(&app, "/tiles/15/0/0").await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        get(&app, &format!("/tiles/14/{}/{}", x / 2, y / 2)).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(get(&app, "/tiles/3/8/0").await.0, StatusCode::BAD_REQUEST);
    assert_eq!(get(&app, "/tiles/30/0/0").await.0, StatusCode::BAD_REQUEST);
    assert_eq!(get(&app, "/tiles/a/0/0").await.0, StatusCode::BAD_REQUEST);
    let info: Value = serde_json::from_slice(&get(&app, "/api/v1/basemap").await.2).expect("json");
    assert_eq!(info["tiles"], "/tiles/{z}/{x}/{y}");
    assert_eq!(info["min_zoom"], 15);
}

#[tokio::test]
async fn without_a_basemap_tiles_say_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_, state) = demo_state(dir.path()).await;
    let app = app(AppState::new(Arc::new(state)), WebApp::None);
    let (status, _, body) = get(&app, "/tiles/12/2074/1409").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let error: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(error["error"], "no basemap configured");
    let info: Value = serde_json::from_slice(&get(&app, "/api/v1/basemap").await.2).expect("json");
    assert!(info["tiles"].is_null());
}

/// An MBTiles file holding every tile around a circuit at zooms 12 to 16, rows in TMS
/// order as the format wants.
async fn write_mbtiles(path: &Path, tiles: &[(u8, u32, u32)]) {
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let mut db = sqlx::SqliteConnection::connect(&url).await.expect("create");
    sqlx::query("CREATE TABLE metadata (name TEXT, value TEXT)")
        .execute(&mut db)
        .await
        .expect("metadata");
    sqlx::query("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)")
        .execute(&mut db)
        .await
        .expect("tiles");
    for &(z, x, y) in tiles {
        let row = (1i64 << z) - 1 - i64::from(y);
        sqlx::query("INSERT INTO tiles VALUES (?, ?, ?, ?)")
            .bind(i64::from(z))
            .bind(i64::from(x))
            .bind(row)
            .bind(fake_png(z, x, y))
            .execute(&mut db)
            .await
            .expect("insert");
    }
}

#[tokio::test]
async fn mbtiles_tiles_travel_in_the_offline_package() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (store, mut state) = demo_state(dir.path()).await;
    let circuit = store
        .circuit(&"moret-loing".parse().expect("id"))
        .await
        .expect("read")
        .expect("demo");
    let wanted = covering(&circuit.trace, 500.0, 12..=16);
    // Leave one tile out: the package lists what the basemap has, nothing else.
    let missing = wanted[wanted.len() / 2];
    let held: Vec<_> = wanted.iter().copied().filter(|t| *t != missing).collect();
    let file = dir.path().join("base.mbtiles");
    write_mbtiles(&file, &held).await;
    let basemap = Basemap::open(file.to_str().expect("utf-8"), dir.path(), 1 << 30)
        .await
        .expect("open");
    assert_eq!((basemap.min_zoom, basemap.max_zoom), (12, 16));
    state.basemap = Some(Arc::new(basemap));
    let app = app(AppState::new(Arc::new(state)), WebApp::None);

    let manifest: Value =
        serde_json::from_slice(&get(&app, "/api/v1/circuits/moret-loing/offline").await.2)
            .expect("json");
    assert_eq!(manifest["basemap"]["tiles"], "/tiles/{z}/{x}/{y}");
    assert_eq!(
        (
            manifest["basemap"]["min_zoom"].as_u64(),
            manifest["basemap"]["max_zoom"].as_u64()
        ),
        (Some(12), Some(16))
    );
    let tiles: Vec<&Value> = manifest["parts"]
        .as_array()
        .expect("parts")
        .iter()
        .filter(|p| p["kind"] == "tile")
        .collect();
    assert_eq!(tiles.len(), held.len());
    // Every point of the trace has its zoom-16 tile in the package.
    for p in circuit.trace.points() {
        let (x, y) = tile_of(p.pos.lon(), p.pos.lat(), 16);
        let url = format!("/tiles/16/{x}/{y}");
        assert!(
            (16, x, y) == missing || tiles.iter().any(|t| t["url"] == url.as_str()),
            "{url}"
        );
    }
    for t in &tiles {
        let url = t["url"].as_str().expect("url");
        let (status, headers, body) = get(&app, url).await;
        assert_eq!(status, StatusCode::OK, "{url}");
        assert_eq!(headers[header::CONTENT_TYPE], "image/png");
        assert_eq!(t["bytes"].as_u64(), Some(body.len() as u64));
        assert_eq!(
            t["hash"].as_str(),
            Some(balade_core::hash::sha256_hex(&body).as_str())
        );
    }
    let (z, x, y) = missing;
    assert_eq!(
        get(&app, &format!("/tiles/{z}/{x}/{y}")).await.0,
        StatusCode::NOT_FOUND
    );

    // The zip holds the tiles too, as images.
    let (_, _, zip) = get(&app, "/api/v1/circuits/moret-loing/offline?format=zip").await;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).expect("zip");
    let (z, x, y) = held[0];
    let mut file = archive
        .by_name(&format!("tiles/{z}/{x}/{y}.png"))
        .expect("a tile in the zip");
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut file, &mut bytes).expect("read");
    assert_eq!(bytes, fake_png(z, x, y));
}

/// A loopback XYZ server: `/{z}/{x}/{y}.png` with a one-hour max-age, except zoom 3
/// (`no-store`) and zoom 4 (missing). Counts requests and remembers the User-Agent.
async fn upstream() -> (String, Arc<AtomicUsize>, Arc<std::sync::Mutex<String>>) {
    use axum::extract::{Path as UrlPath, State};
    let hits = Arc::new(AtomicUsize::new(0));
    let agent = Arc::new(std::sync::Mutex::new(String::new()));
    let state = (hits.clone(), agent.clone());
    async fn serve(
        State((hits, agent)): State<(Arc<AtomicUsize>, Arc<std::sync::Mutex<String>>)>,
        UrlPath((z, x, y)): UrlPath<(u8, u32, String)>,
        headers: HeaderMap,
    ) -> axum::response::Response {
        use axum::response::IntoResponse;
        hits.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut a) = agent.lock() {
            *a = headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
        }
        let y: u32 = y.trim_end_matches(".png").parse().unwrap_or(0);
        match z {
            4 => StatusCode::NOT_FOUND.into_response(),
            5 => (
                [(header::CACHE_CONTROL, "max-age=60")],
                "<html>quota exceeded</html>",
            )
                .into_response(),
            3 => ([(header::CACHE_CONTROL, "no-store")], fake_png(z, x, y)).into_response(),
            _ => (
                [(header::CACHE_CONTROL, "public, max-age=3600")],
                fake_png(z, x, y),
            )
                .into_response(),
        }
    }
    let router = Router::new()
        .route("/{z}/{x}/{y}", axum::routing::get(serve))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("http://{addr}/{{z}}/{{x}}/{{y}}.png"), hits, agent)
}

#[tokio::test]
async fn upstream_tiles_are_fetched_once_and_cached_as_allowed() {
    let (template, hits, agent) = upstream().await;
    let cache = tempfile::tempdir().expect("temp dir");
    let basemap = Basemap::open(&template, cache.path(), 1 << 30)
        .await
        .expect("open");

    let first = basemap
        .tile(12, 2074, 1409)
        .await
        .expect("fetch")
        .expect("a tile");
    assert_eq!(first, fake_png(12, 2074, 1409));
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    assert!(
        agent
            .lock()
            .map(|a| a.starts_with("Balade/"))
            .unwrap_or(false),
        "a proper User-Agent"
    );
    assert!(
        cache.path().join("12/2074/1409.tile").is_file(),
        "kept on disk"
    );
    // Fresh for an hour: served from disk, even by a new server process.
    let again = Basemap::open(&template, cache.path(), 1 << 30)
        .await
        .expect("reopen");
    assert_eq!(
        again.tile(12, 2074, 1409).await.expect("cached"),
        Some(first)
    );
    assert_eq!(hits.load(Ordering::SeqCst), 1, "no second fetch");

    // no-store: asked for every time, never written.
    basemap.tile(3, 4, 2).await.expect("fetch");
    basemap.tile(3, 4, 2).await.expect("fetch");
    assert_eq!(hits.load(Ordering::SeqCst), 3);
    assert!(!cache.path().join("3/4/2.tile").exists());
    // Missing upstream: no tile, no error.
    assert_eq!(basemap.tile(4, 1, 1).await.expect("answer"), None);
    // Something that is not an image is refused, and not cached.
    assert!(basemap.tile(5, 1, 1).await.is_err());
    assert!(!cache.path().join("5/1/1.tile").exists());
    // A template without placeholders is refused at start.
    assert!(
        Basemap::open("http://127.0.0.1:9/tiles.png", cache.path(), 1 << 30)
            .await
            .is_err()
    );
    assert!(
        Basemap::open("/nonexistent/base.mbtiles", cache.path(), 1 << 30)
            .await
            .is_err()
    );
    assert!(
        Basemap::open("base.shp", cache.path(), 1 << 30)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn an_upstream_is_asked_only_for_the_territory_each_tile_once_at_a_time() {
    let (template, hits, _) = upstream().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (_, mut services) = demo_state(dir.path()).await;
    let cache = dir.path().join("tiles");
    services.basemap = Some(Arc::new(
        Basemap::open(&template, &cache, 1 << 30)
            .await
            .expect("open"),
    ));
    let services = Arc::new(services);
    let app = app(AppState::new(services.clone()), WebApp::None);
    // Provins at the deepest offline zoom: fetched.
    let (px, py) = tile_of(3.2887, 48.5606, 16);
    let (status, _, _) = get(&app, &format!("/tiles/16/{px}/{py}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    // Deeper than any offline package, or far from every circuit: never asked for.
    let (dx, dy) = tile_of(3.2887, 48.5606, 17);
    let (mx, my) = tile_of(5.3698, 43.2965, 16);
    for path in [
        format!("/tiles/17/{dx}/{dy}"),
        format!("/tiles/16/{mx}/{my}"),
    ] {
        let (status, _, _) = get(&app, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "the upstream was left alone"
    );
    // Twenty walkers opening the same new tile at once: one upstream request.
    let (nx, ny) = tile_of(3.30, 48.56, 15);
    let mut asks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let services = services.clone();
        asks.spawn(async move { services.tile(15, nx, ny).await });
    }
    for answer in asks.join_all().await {
        assert_eq!(
            answer.expect("tile").map(|t| t.0),
            Some(fake_png(15, nx, ny))
        );
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        2,
        "one fetch for twenty askers"
    );
}

/// The layer names of a vector tile (its `layers`, field 3, each named by field 1).
fn layer_names(tile: &[u8]) -> Vec<String> {
    fn varint(bytes: &[u8], at: &mut usize) -> u64 {
        let (mut v, mut shift) = (0u64, 0);
        loop {
            let b = bytes[*at];
            *at += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return v;
            }
            shift += 7;
        }
    }
    /// (field, payload) of the length-delimited fields; others skipped.
    fn fields(bytes: &[u8]) -> Vec<(u64, &[u8])> {
        let (mut at, mut out) = (0, Vec::new());
        while at < bytes.len() {
            let key = varint(bytes, &mut at);
            match key & 7 {
                0 => {
                    varint(bytes, &mut at);
                }
                2 => {
                    let len = varint(bytes, &mut at) as usize;
                    out.push((key >> 3, &bytes[at..at + len]));
                    at += len;
                }
                other => panic!("unexpected wire type {other}"),
            }
        }
        out
    }
    fields(tile)
        .into_iter()
        .filter(|(f, _)| *f == 3)
        .map(|(_, layer)| {
            let name = fields(layer)
                .into_iter()
                .find(|(f, _)| *f == 1)
                .expect("name")
                .1;
            String::from_utf8(name.to_vec()).expect("utf-8")
        })
        .collect()
}

#[tokio::test]
async fn a_vector_basemap_of_the_territory_is_served_and_packaged() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (store, mut state) = demo_state(dir.path()).await;
    let file = dir.path().join("territory.pmtiles");
    let built = balade_app::basemap::territory::build(store.as_ref(), &file)
        .await
        .expect("built");
    assert!(built.tiles > 100, "{built:?}");
    assert_eq!(built.bytes, std::fs::metadata(&file).expect("file").len());
    assert!(!file.with_extension("partial").exists());
    let basemap = Basemap::open(file.to_str().expect("utf-8"), dir.path(), 1 << 30)
        .await
        .expect("open");
    state.basemap = Some(Arc::new(basemap));
    let app = app(AppState::new(Arc::new(state)), WebApp::None);

    let info: Value = serde_json::from_slice(&get(&app, "/api/v1/basemap").await.2).expect("json");
    assert_eq!(info["kind"], "vector");
    assert_eq!(info["prefetch"], true);
    assert_eq!(
        info["attribution"],
        balade_app::basemap::territory::attribution()
    );

    // Around Provins, tiles hold the land, commune limits, and one of them the
    // commune's name.
    let (x, y) = tile_of(3.2995, 48.5594, 11);
    let (status, headers, body) = get(&app, &format!("/tiles/11/{x}/{y}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::CONTENT_TYPE],
        balade_app::basemap::VECTOR_TILE_TYPE
    );
    assert!(layer_names(&body).iter().any(|n| n == "earth"));
    let (mut named, mut limits) = (0, 0);
    for (dx, dy) in (-1..=1).flat_map(|dx| (-1..=1).map(move |dy| (dx, dy))) {
        let (tx, ty) = (x.wrapping_add_signed(dx), y.wrapping_add_signed(dy));
        let (_, _, body) = get(&app, &format!("/tiles/11/{tx}/{ty}")).await;
        let names = layer_names(&body);
        if names.iter().any(|n| n == "places")
            && body.windows(b"Provins".len()).any(|w| w == b"Provins")
        {
            named += 1;
        }
        limits += usize::from(names.iter().any(|n| n == "boundaries"));
    }
    assert!(limits > 0, "commune limits around Provins");
    assert_eq!(named, 1, "the commune's name is on one tile");
    // Far from the territory there is nothing.
    let (x, y) = tile_of(-4.48, 48.39, 11);
    assert_eq!(
        get(&app, &format!("/tiles/11/{x}/{y}")).await.0,
        StatusCode::NOT_FOUND
    );

    // The package carries the vector tiles along the circuit, with its paths.
    let manifest: Value =
        serde_json::from_slice(&get(&app, "/api/v1/circuits/moret-loing/offline").await.2)
            .expect("json");
    assert_eq!(manifest["basemap"]["kind"], "vector");
    // Drawn at 512 px one zoom below the map's: offline zooms 12–16 take vector tiles
    // 10–15, here up to the basemap's deepest, 14.
    assert_eq!(manifest["basemap"]["min_zoom"], 10);
    assert_eq!(manifest["basemap"]["max_zoom"], 14);
    let tiles: Vec<&Value> = manifest["parts"]
        .as_array()
        .expect("parts")
        .iter()
        .filter(|p| p["kind"] == "tile")
        .collect();
    let circuit = store
        .circuit(&"moret-loing".parse().expect("id"))
        .await
        .expect("read")
        .expect("demo");
    let start = circuit.trace.points().next().expect("a point").pos;
    let (x, y) = tile_of(start.lon(), start.lat(), 14);
    let url = format!("/tiles/14/{x}/{y}");
    let at_start = tiles
        .iter()
        .find(|t| t["url"] == url.as_str())
        .expect("the start's tile");
    let (_, _, body) = get(&app, &url).await;
    assert_eq!(at_start["bytes"].as_u64(), Some(body.len() as u64));
    assert!(
        layer_names(&body).iter().any(|n| n == "roads"),
        "the circuit's path"
    );
    let (_, _, zip) = get(&app, "/api/v1/circuits/moret-loing/offline?format=zip").await;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).expect("zip");
    assert!(archive.by_name(&format!("tiles/14/{x}/{y}.mvt")).is_ok());
}

#[tokio::test]
async fn a_provider_whose_terms_forbid_prefetch_stays_out_of_packages() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_, mut state) = demo_state(dir.path()).await;
    let basemap = Basemap::open("osm", dir.path(), 1 << 30)
        .await
        .expect("preset");
    state.basemap = Some(Arc::new(basemap));
    let app = app(AppState::new(Arc::new(state)), WebApp::None);
    let info: Value = serde_json::from_slice(&get(&app, "/api/v1/basemap").await.2).expect("json");
    assert_eq!(info["kind"], "raster");
    assert_eq!(info["name"], "osm");
    assert_eq!(info["prefetch"], false);
    assert!(
        info["attribution"]
            .as_str()
            .expect("credit")
            .contains("OpenStreetMap")
    );
    assert!(
        info["terms"]
            .as_str()
            .expect("terms")
            .starts_with("https://operations.osmfoundation.org/")
    );
    // No tile is asked for (there is no network here: a fetch would fail the package).
    let (status, _, body) = get(&app, "/api/v1/circuits/moret-loing/offline").await;
    assert_eq!(status, StatusCode::OK);
    let manifest: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(manifest["basemap"]["prefetch"], false);
    assert!(
        !manifest["parts"]
            .as_array()
            .expect("parts")
            .iter()
            .any(|p| p["kind"] == "tile")
    );

    // IGN's Plan is the advised preset and may be prefetched; a name Balade does not
    // know is refused with the list of those it knows.
    let ign = Basemap::open("ign-plan", dir.path(), 1 << 30)
        .await
        .expect("preset");
    assert!(ign.prefetch);
    assert_eq!(ign.attribution.as_deref(), Some("© IGN – Plan IGN v2"));
    let err = Basemap::open("ign-plann", dir.path(), 1 << 30)
        .await
        .expect_err("unknown");
    assert!(
        err.to_string().contains("ign-plan, ign-ortho, osm"),
        "{err}"
    );
}
