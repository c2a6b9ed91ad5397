//! Photos the sources link to, end to end: the shared Geotrek, schema_randonnee and
//! APIDAE samples with their photo URLs pointed at a photo server of the test's own
//! (loopback, port 0), imported with the real binary; the photos land on the public
//! sheets with their credits, derived and stripped; a re-import fetches nothing again;
//! failures are warnings; `--no-photos` and `--dry-run` fetch nothing.

mod common;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use balade_import::media::testing::{photo_jpeg, with_exif};
use common::{Db, Server, shared_data, stdout};
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Requests by path, as the photo server saw them.
type Hits = Arc<Mutex<HashMap<String, usize>>>;

/// A photo server: every `*.jpg`/`*.jpeg` path is a camera photo (EXIF with a GPS
/// position, sent as `application/octet-stream`: the content is what counts), except
/// `missing-*` (404), `huge-*` (a body over the size cap) and `page-*` (HTML sent as
/// `image/jpeg`).
struct PhotoServer {
    base: String,
    hits: Hits,
}

async fn serve_photo(State(hits): State<Hits>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    *hits.lock().expect("hits").entry(path.clone()).or_default() += 1;
    let name = path.rsplit('/').next().unwrap_or_default().to_lowercase();
    if name.starts_with("missing-") {
        return StatusCode::NOT_FOUND.into_response();
    }
    if name.starts_with("huge-") {
        // Over the 20 MiB cap the command line fetches under.
        let body = vec![0u8; 21 << 20];
        return ([(header::CONTENT_TYPE, "image/jpeg")], body).into_response();
    }
    if name.starts_with("page-") {
        return (
            [(header::CONTENT_TYPE, "image/jpeg")],
            "<html><body>Photo introuvable</body></html>",
        )
            .into_response();
    }
    if name.ends_with(".jpg") || name.ends_with(".jpeg") {
        // Small enough for debug builds to derive quickly; sideways, with a GPS tag.
        let photo = with_exif(&photo_jpeg(640, 400), 6);
        return ([(header::CONTENT_TYPE, "application/octet-stream")], photo).into_response();
    }
    StatusCode::NOT_FOUND.into_response()
}

impl PhotoServer {
    fn start() -> Self {
        let hits: Hits = Arc::default();
        let (tx, rx) = std::sync::mpsc::channel();
        let state = hits.clone();
        // A runtime of its own: the test blocks on the `balade` processes meanwhile.
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind");
                tx.send(listener.local_addr().expect("addr")).expect("send");
                let app = Router::new().fallback(serve_photo).with_state(state);
                axum::serve(listener, app).await.expect("serve");
            });
        });
        let addr = rx.recv().expect("photo server address");
        Self {
            base: format!("http://{addr}"),
            hits,
        }
    }

    fn total(&self) -> usize {
        self.hits.lock().expect("hits").values().sum()
    }

    fn hits(&self) -> HashMap<String, usize> {
        self.hits.lock().expect("hits").clone()
    }
}

/// The shared samples with their photo hosts replaced by the photo server, and a few
/// photos renamed to fail, written into `dir`.
fn samples(dir: &std::path::Path, base: &str) -> (PathBuf, PathBuf, PathBuf) {
    let read = |rel: &str| std::fs::read_to_string(shared_data(rel)).expect("sample");
    let geotrek = read("trails/geotrek-admin/trekking/geotrek_parser_v2/trek.json")
        .replace("https://foo.fr/media/", &format!("{base}/geotrek/"))
        .replace("https://upload.wikimedia.org/", &format!("{base}/commons/"))
        // Trek "Foo": a photo gone, and one too large; the Ars cascade: a web page.
        .replace("bocard_deylie_2013_01.JPG", "missing-bocard.jpg")
        .replace("eeaio.jpeg", "huge-eeaio.jpeg")
        .replace("14212843221_3cfb859ec4_o.jpg", "page-14212843221.jpg");
    // This export escapes its slashes (`https:\/\/…`), as JSON allows.
    let schema = read("trails/schema_randonnee/exemple-valide.json").replace(
        r"https:\/\/geotrek-admin.cevennes-parcnational.net\/",
        &format!("{base}/pnc/"),
    );
    let apidae = read("trails/geotrek-admin/tourism/apidaeContent.json").replace(
        "http://static.apidae-tourisme.com/",
        &format!("{base}/apidae/"),
    );
    let paths = (
        dir.join("treks.json"),
        dir.join("itineraires.json"),
        dir.join("apidae.json"),
    );
    std::fs::write(&paths.0, geotrek).expect("write");
    std::fs::write(&paths.1, schema).expect("write");
    std::fs::write(&paths.2, apidae).expect("write");
    paths
}

/// The media of circuit `id`'s public sheet.
async fn sheet_media(base: &str, id: &str) -> Vec<Value> {
    let sheet: Value = reqwest::get(format!("{base}/api/v1/circuits/{id}"))
        .await
        .expect("sheet")
        .json()
        .await
        .expect("json");
    let media = sheet["properties"]["media"].as_array().expect("media");
    media.clone()
}

fn utf8(p: &std::path::Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn output(o: &std::process::Output) -> String {
    format!("{}{}", stdout(o), String::from_utf8_lossy(&o.stderr))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photos_are_fetched_once_credited_derived_and_failures_are_warnings() {
    fetched_once_credited_derived(Db::new()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photos_are_fetched_once_on_postgis() {
    if let Some(db) = Db::postgres() {
        fetched_once_credited_derived(db).await;
    }
}

async fn fetched_once_credited_derived(db: Db) {
    let photos = PhotoServer::start();
    let (geotrek, schema, apidae) = samples(db.dir.path(), &photos.base);
    let args = [
        "import",
        "circuits",
        "--partial",
        utf8(&geotrek),
        utf8(&schema),
    ];
    let out = db.balade(&args);
    let text = output(&out);
    assert!(db.counts().0 >= 5, "circuits imported: {text}");
    // Failures are warnings, each with its file, record, URL and reason.
    for (url, reason) in [
        ("missing-bocard.jpg", "answered 404"),
        ("huge-eeaio.jpeg", "over the 20 MiB limit"),
        ("page-14212843221.jpg", "not a JPEG, PNG or WebP"),
    ] {
        assert!(
            text.lines().any(|l| l.starts_with("warning: ")
                && l.contains("treks.json")
                && l.contains(url)
                && l.contains(reason)),
            "{url}: {text}"
        );
    }
    let first = photos.hits();
    assert!(
        first.values().all(|&n| n == 1),
        "each photo fetched once: {first:?}"
    );
    assert!(
        first.keys().any(|p| p.starts_with("/pnc/")),
        "schema_randonnee photos fetched: {first:?}"
    );
    let videos_or_files = first
        .keys()
        .any(|p| p.ends_with(".mp3") || p.ends_with(".PDF") || p.contains("youtube"));
    assert!(!videos_or_files, "only photos are fetched: {first:?}");

    let tourism = db.balade(&["import", "tourism", "--partial", utf8(&apidae)]);
    assert!(
        photos.hits().keys().any(|p| p.starts_with("/apidae/")),
        "APIDAE illustrations fetched: {}",
        output(&tourism)
    );

    // Re-importing fetches no attached photo again; only the failed ones are tried
    // again (a photo missing today may be there tomorrow).
    let failed = |p: &str| ["missing-", "huge-", "page-"].iter().any(|f| p.contains(f));
    let before = photos.hits();
    let again = db.balade(&args);
    let after = photos.hits();
    for (path, n) in &after {
        let expected = before.get(path).copied().unwrap_or(0) + usize::from(failed(path));
        assert_eq!(*n, expected, "{path}: {}", output(&again));
    }
    assert!(
        stdout(&again).contains("fetched 0, already attached 22, failed 3"),
        "{}",
        output(&again)
    );

    // On the public sheet, with the source's credits; derivatives served, EXIF gone.
    let server = Server::start(&db, &[]);
    let media = sheet_media(&server.base, "geotrek-9e70b294-1134-4c50-9c56-d722720cacf1").await;
    assert_eq!(
        media.len(),
        1,
        "the photo only, no video nor file: {media:?}"
    );
    let photo = &media[0];
    assert_eq!(photo["kind"], "photo");
    assert_eq!(photo["author"], "Grégory Tonon");
    assert_eq!(photo["license"], "License");
    assert_eq!(
        photo["alt"],
        "Vue sur la chaîne des Pyrénées, depuis le pics des 3 Seigneurs"
    );
    // Upright: the sideways 640 × 400 sensor image stands 400 wide.
    assert_eq!(
        (photo["width"].as_u64(), photo["height"].as_u64()),
        (Some(400), Some(640))
    );
    let url = format!("{}{}", server.base, photo["url"].as_str().expect("url"));
    let bytes = reqwest::get(&url)
        .await
        .expect("photo")
        .bytes()
        .await
        .expect("bytes");
    let decoded = image::load_from_memory(&bytes).expect("a JPEG");
    assert_eq!(decoded.width(), 400);
    assert!(!bytes.windows(4).any(|w| w == b"Exif"), "metadata stripped");

    // A schema_randonnee itinerary's photo, credited as the file says.
    let media = sheet_media(&server.base, "sivom-sources-du-tarn-et-mont-lozere-37959").await;
    assert_eq!(media.len(), 1, "{media:?}");
    assert_eq!(media[0]["author"], "© Laurent Bélier");
    assert_eq!(media[0]["license"], "CC-BY-SA-ND");
    assert_eq!(media[0]["title"], "Paysage Château de Coudoulous");
}

#[test]
fn no_photos_and_dry_runs_fetch_nothing() {
    let photos = PhotoServer::start();
    let db = Db::new();
    let (geotrek, schema, apidae) = samples(db.dir.path(), &photos.base);
    let dry = db.balade(&[
        "import",
        "circuits",
        "--partial",
        "--dry-run",
        utf8(&geotrek),
    ]);
    assert!(stdout(&dry).contains("dry run"), "{}", output(&dry));
    let none = db.balade(&[
        "import",
        "circuits",
        "--partial",
        "--no-photos",
        utf8(&geotrek),
        utf8(&schema),
    ]);
    assert!(db.counts().0 >= 5, "circuits imported: {}", output(&none));
    let places = db.balade(&[
        "import",
        "tourism",
        "--no-photos",
        "--partial",
        utf8(&apidae),
    ]);
    assert!(db.counts().1 > 0, "places imported: {}", output(&places));
    assert_eq!(photos.total(), 0, "nothing fetched: {:?}", photos.hits());
    let media = common::block_on(async {
        let store = balade_core::store::open(&db.url).await.expect("open");
        store.all_media().await.expect("media")
    });
    assert!(media.is_empty(), "{media:?}");
}

/// The back-office path: a job's commit fetches the photos its file names, apart from
/// the commit, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_back_office_commit_attaches_the_photos_of_its_file() {
    use common::staff::{Staff, add_user};

    let photos = PhotoServer::start();
    let db = Db::new();
    let (_, schema, _) = samples(db.dir.path(), &photos.base);
    add_user(&db, "import@example.org", "admin", "");
    let server = Server::start(&db, &["--jobs-dir", utf8(&db.dir.path().join("jobs"))]);
    let admin = Staff::login(&server.base, "import@example.org").await;
    let (status, uploaded) = admin
        .upload(
            "itineraires.json",
            std::fs::read(&schema).expect("sample"),
            Some("circuits"),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::ACCEPTED, "{uploaded}");
    let id = uploaded["id"].as_str().expect("job id").to_owned();
    let job = format!("/api/v1/admin/imports/{id}");
    let planned = common::eventually(std::time::Duration::from_secs(60), || async {
        admin.get(&job).await.2["status"] == "planned"
    })
    .await;
    assert!(planned, "{}", admin.get(&job).await.2);
    assert_eq!(photos.total(), 0, "planning fetches nothing");
    let (status, answer) = admin
        .post(&format!("{job}/commit"), serde_json::json!({}))
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{answer}");

    let media = || sheet_media(&server.base, "sivom-sources-du-tarn-et-mont-lozere-37959");
    let attached = common::eventually(std::time::Duration::from_secs(60), || async {
        !media().await.is_empty()
    })
    .await;
    assert!(attached, "the photo reaches the sheet: {:?}", photos.hits());
    let media = media().await;
    assert_eq!(media[0]["author"], "© Laurent Bélier");
    assert_eq!(media[0]["license"], "CC-BY-SA-ND");
    let hits = photos.hits();
    assert!(
        hits.iter().all(|(p, &n)| p.starts_with("/pnc/") && n == 1),
        "{hits:?}"
    );
}
