//! Walkers' contributions end to end, on SQLite and PostGIS: reviews public only once
//! published and counted in the ratings of the sheet and the list; flags; trail reports
//! whose e-mail never leaves, with photos stripped of their metadata; corrections made
//! audited edits; idempotency keys; rate limits and bounds; retention and erasure.

mod common;

use common::staff::{Staff, add_user};
use common::{Db, Server, stdout};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, ORIGIN};
use serde_json::{Value, json};

const CIRCUIT: &str = "barbizon-apremont";
const EMAIL: &str = "Marcheuse@Exemple.fr";

async fn post(base: &str, path: &str, key: Option<&str>, body: Value) -> (StatusCode, Value) {
    let mut r = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .json(&body);
    if let Some(k) = key {
        r = r.header("Idempotency-Key", k);
    }
    let r = r.send().await.expect("post");
    let status = r.status();
    let text = r.text().await.expect("text");
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {status} {e}: {text}")),
    )
}

async fn get(base: &str, path: &str) -> Value {
    let r = reqwest::get(format!("{base}{path}")).await.expect("get");
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.json().await.expect("json")
}

async fn text(base: &str, path: &str) -> String {
    let r = reqwest::get(format!("{base}{path}")).await.expect("get");
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.text().await.expect("text")
}

fn rating(v: &Value) -> (Option<f64>, u64) {
    (v["average"].as_f64(), v["count"].as_u64().expect("count"))
}

async fn sheet_rating(base: &str) -> (Option<f64>, u64) {
    rating(&get(base, &format!("/api/v1/circuits/{CIRCUIT}")).await["properties"]["rating"])
}

async fn card_rating(base: &str) -> (Option<f64>, u64) {
    let list = get(base, "/api/v1/circuits?limit=500").await;
    let card = list["features"]
        .as_array()
        .expect("features")
        .iter()
        .find(|f| f["id"] == CIRCUIT)
        .expect("card");
    rating(&card["properties"]["rating"])
}

async fn review(base: &str, stars: u8, name: &str) -> String {
    let (status, body) = post(
        base,
        &format!("/api/v1/circuits/{CIRCUIT}/reviews"),
        None,
        json!({ "rating": stars, "text": "Les <script>rochers</script> au soleil", "name": name }),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["status"], "pending");
    body["id"].as_str().expect("id").to_owned()
}

async fn decide(staff: &Staff, id: &str, decision: &str) -> Value {
    let (status, item) = staff
        .post(
            &format!("/api/v1/admin/moderation/{id}"),
            json!({ "decision": decision }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{decision} {id}: {item}");
    item
}

fn moderated(db: &Db) -> (Server, String) {
    add_user(db, "moderatrice@77.fr", "moderator", "");
    let server = Server::start(db, &["--demo"]);
    let base = server.base.clone();
    (server, base)
}

async fn reviews_and_ratings(db: &Db) {
    let (_server, base) = moderated(db);
    let staff = Staff::login(&base, "moderatrice@77.fr").await;
    let first = review(&base, 5, "Anne").await;
    let second = review(&base, 2, "Bruno").await;
    let public = format!("/api/v1/circuits/{CIRCUIT}/reviews");
    // Pending: in no public answer.
    let list = get(&base, &public).await;
    assert_eq!(
        (list["total"].as_u64(), rating(&list["rating"])),
        (Some(0), (None, 0))
    );
    assert_eq!(sheet_rating(&base).await, (None, 0));
    let (status, _) = post(
        &base,
        &format!("/api/v1/reviews/{first}/flag"),
        None,
        json!({}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a pending review cannot be flagged"
    );

    let published = decide(&staff, &first, "publish").await;
    assert_eq!(published["status"], "published");
    assert_eq!(published["log"][0]["actor"], "moderatrice@77.fr");
    let list = get(&base, &public).await;
    assert_eq!(rating(&list["rating"]), (Some(5.0), 1));
    assert_eq!(list["reviews"][0]["id"], first.as_str());
    assert_eq!(
        list["reviews"][0]["text"], "Les <script>rochers</script> au soleil",
        "kept as the walker wrote it, to be shown as text"
    );
    decide(&staff, &second, "publish").await;
    assert_eq!(sheet_rating(&base).await, (Some(3.5), 2));
    assert_eq!(card_rating(&base).await, (Some(3.5), 2));
    let by_rating = get(&base, "/api/v1/circuits?sort=rating").await;
    assert_eq!(
        by_rating["features"][0]["id"], CIRCUIT,
        "the only rated circuit first"
    );

    // A flag takes the review out of public answers until it is published again.
    let (status, body) = post(
        &base,
        &format!("/api/v1/reviews/{first}/flag"),
        None,
        json!({ "reason": "hors sujet" }),
    )
    .await;
    assert_eq!(
        (status, &body["status"]),
        (StatusCode::ACCEPTED, &json!("flagged"))
    );
    assert_eq!(sheet_rating(&base).await, (Some(2.0), 1));
    let list = get(&base, &public).await;
    assert!(
        list["reviews"]
            .as_array()
            .expect("reviews")
            .iter()
            .all(|r| r["id"] != first.as_str())
    );
    let (_, _, queue) = staff.get("/api/v1/admin/moderation?kind=review").await;
    let flagged = queue["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["id"] == first.as_str())
        .expect("back in the queue");
    assert_eq!(flagged["status"], "flagged");
    assert_eq!(flagged["flag_reasons"], json!(["hors sujet"]));
    assert_eq!(queue["counts"]["review"]["flagged"], 1);
    decide(&staff, &first, "publish").await;
    assert_eq!(sheet_rating(&base).await, (Some(3.5), 2));
    // A flag without a reason counts too.
    let r = reqwest::Client::new()
        .post(format!("{base}/api/v1/reviews/{second}/flag"))
        .send()
        .await
        .expect("flag");
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let (_, _, item) = staff
        .get(&format!("/api/v1/admin/moderation/{second}"))
        .await;
    assert_eq!(
        (&item["flags"], &item["flag_reasons"]),
        (&json!(1), &json!([]))
    );
    let decisions: Vec<&str> = item["log"]
        .as_array()
        .expect("log")
        .iter()
        .map(|e| e["decision"].as_str().expect("decision"))
        .collect();
    assert_eq!(decisions, ["publish", "flag"], "in the order taken");
    decide(&staff, &second, "publish").await;
    let (status, body) = staff
        .post(
            &format!("/api/v1/admin/moderation/{first}"),
            json!({ "decision": "publish" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, _) = staff
        .post(
            &format!("/api/v1/admin/moderation/{first}"),
            json!({ "decision": "resolved" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "a review is not resolved");
}

#[tokio::test]
async fn reviews_and_ratings_on_sqlite() {
    reviews_and_ratings(&Db::new()).await;
}

#[tokio::test]
async fn reviews_and_ratings_on_postgis() {
    if let Some(db) = Db::postgres() {
        reviews_and_ratings(&db).await;
    }
}

async fn queue_total(staff: &Staff, kind: &str) -> u64 {
    let (_, _, q) = staff
        .get(&format!("/api/v1/admin/moderation?kind={kind}&status=all"))
        .await;
    q["total"].as_u64().expect("total")
}

async fn idempotency(db: &Db) {
    let (_server, base) = moderated(db);
    let staff = Staff::login(&base, "moderatrice@77.fr").await;
    let path = format!("/api/v1/circuits/{CIRCUIT}/reviews");
    let body = json!({ "rating": 4, "name": "Anne" });
    let first = post(&base, &path, Some("7d1f-aa"), body.clone()).await;
    let again = post(
        &base,
        &path,
        Some("7d1f-aa"),
        json!({ "rating": 1, "name": "Autre" }),
    )
    .await;
    assert_eq!(first.0, StatusCode::ACCEPTED);
    assert_eq!(again, first, "the first answer, whatever the repeat says");
    // Two at once with one key: one review.
    let (a, b) = tokio::join!(
        post(&base, &path, Some("k-together"), body.clone()),
        post(&base, &path, Some("k-together"), body.clone())
    );
    assert_eq!(a, b);
    assert_eq!(queue_total(&staff, "review").await, 2);
    // Keys are per action: the same key on a report is another submission.
    let report = json!({ "lon": 2.6, "lat": 48.43, "category": "litter", "message": "Sacs" });
    let r1 = post(&base, "/api/v1/reports", Some("7d1f-aa"), report.clone()).await;
    let r2 = post(&base, "/api/v1/reports", Some("7d1f-aa"), report).await;
    assert_eq!((r1.0, &r1), (StatusCode::ACCEPTED, &r2));
    assert!(r1.1["follow"].as_str().is_some());
    assert_eq!(queue_total(&staff, "report").await, 1);
    let (status, _) = post(&base, &path, Some("not a key"), body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn idempotency_on_sqlite() {
    idempotency(&Db::new()).await;
}

#[tokio::test]
async fn idempotency_on_postgis() {
    if let Some(db) = Db::postgres() {
        idempotency(&db).await;
    }
}

/// A JPEG as a phone writes it: an EXIF block with a GPS position.
fn camera_photo() -> Vec<u8> {
    use balade_import::media::testing::{photo_jpeg, with_exif};
    with_exif(&photo_jpeg(64, 48), 1)
}

fn has_exif(jpeg: &[u8]) -> bool {
    jpeg.windows(6).any(|w| w == b"Exif\0\0")
}

async fn reports_keep_emails_private(db: &Db) {
    let (_server, base) = moderated(db);
    let staff = Staff::login(&base, "moderatrice@77.fr").await;
    let photo = camera_photo();
    assert!(has_exif(&photo));
    let form = reqwest::multipart::Form::new()
        .text("lon", "2.6131")
        .text("lat", "48.4321")
        .text("category", "fallen_tree")
        .text("message", "Un chêne en travers du sentier")
        .text("email", EMAIL)
        .text("circuit", CIRCUIT)
        .part(
            "photo",
            reqwest::multipart::Part::bytes(photo).file_name("IMG_0001.jpg"),
        );
    let r = reqwest::Client::new()
        .post(format!("{base}/api/v1/reports"))
        .multipart(form)
        .send()
        .await
        .expect("report");
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let answer: Value = r.json().await.expect("json");
    let id = answer["id"].as_str().expect("id").to_owned();
    let follow = answer["follow"].as_str().expect("follow").to_owned();
    let followed = get(&base, &follow).await;
    assert_eq!(
        (&followed["status"], &followed["category"]),
        (&json!("new"), &json!("fallen_tree"))
    );
    let wrong = reqwest::get(format!("{base}/api/v1/reports/{id}?token=0000"))
        .await
        .expect("get");
    assert_eq!(wrong.status(), StatusCode::NOT_FOUND);

    // The photo: for staff only, re-encoded without its metadata.
    let (_, _, item) = staff.get(&format!("/api/v1/admin/moderation/{id}")).await;
    assert_eq!(item["contact"], true);
    assert_eq!(item["commune"], "77022", "Barbizon, from the position");
    let url = item["photos"][0].as_str().expect("photo url").to_owned();
    let anonymous = reqwest::get(format!("{base}{url}")).await.expect("get");
    assert_eq!(anonymous.status(), StatusCode::NOT_FOUND);
    let bytes = staff
        .http
        .get(format!("{base}{url}"))
        .header(COOKIE, &staff.cookie)
        .send()
        .await
        .expect("photo")
        .bytes()
        .await
        .expect("bytes");
    assert!(bytes.starts_with(&[0xFF, 0xD8]), "a JPEG");
    assert!(!has_exif(&bytes), "no EXIF block left");

    decide(&staff, &id, "in_progress").await;
    assert_eq!(get(&base, &follow).await["status"], "in_progress");

    // The address in no answer, public or staff, nor any export.
    let needle = EMAIL.to_lowercase();
    let mut seen = Vec::new();
    for path in [
        follow.clone(),
        format!("/api/v1/circuits/{CIRCUIT}"),
        format!("/api/v1/circuits/{CIRCUIT}/reviews"),
        "/api/v1/circuits".to_owned(),
        "/api/v1/exports/geojson".to_owned(),
        "/api/v1/exports/csv".to_owned(),
    ] {
        seen.push((path.clone(), text(&base, &path).await));
    }
    for path in [
        "/api/v1/admin/moderation?status=all".to_owned(),
        format!("/api/v1/admin/moderation/{id}"),
        "/api/v1/admin/reports/export?format=geojson".to_owned(),
        "/api/v1/admin/reports/export?format=csv".to_owned(),
    ] {
        let r = staff
            .http
            .get(format!("{base}{path}"))
            .header(COOKIE, &staff.cookie)
            .send()
            .await
            .expect("get");
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        seen.push((path, r.text().await.expect("text")));
    }
    for (path, body) in &seen {
        assert!(
            !body.to_lowercase().contains(&needle),
            "{path} shows the e-mail"
        );
    }
    let geojson: Value = serde_json::from_str(&seen[8].1).expect("geojson");
    assert_eq!(geojson["features"][0]["id"], id.as_str());
    assert_eq!(
        geojson["features"][0]["geometry"]["coordinates"],
        json!([2.6131, 48.4321])
    );
    assert!(seen[9].1.contains("Un chêne en travers du sentier"));

    // Erasure on request: the command says what it erased.
    let out = db.balade(&["privacy", "erase", EMAIL]);
    assert!(out.status.success());
    assert!(
        stdout(&out).contains("erased from 1 contribution"),
        "{}",
        stdout(&out)
    );
    let (_, _, item) = staff.get(&format!("/api/v1/admin/moderation/{id}")).await;
    assert_eq!(item["contact"], false);
}

#[tokio::test]
async fn reports_keep_emails_private_on_sqlite() {
    reports_keep_emails_private(&Db::new()).await;
}

#[tokio::test]
async fn reports_keep_emails_private_on_postgis() {
    if let Some(db) = Db::postgres() {
        reports_keep_emails_private(&db).await;
    }
}

async fn retention(db: &Db) {
    let (server, base) = moderated(db);
    let report = |email: &str| json!({ "lon": 2.6, "lat": 48.43, "category": "signage", "message": "Balise absente", "email": email });
    let (_, kept) = post(&base, "/api/v1/reports", None, report("a@exemple.fr")).await;
    let kept = kept["id"].as_str().expect("id").to_owned();
    let contact = |id: String| {
        let base = base.clone();
        async move {
            let staff = Staff::login(&base, "moderatrice@77.fr").await;
            let (_, _, item) = staff.get(&format!("/api/v1/admin/moderation/{id}")).await;
            item["contact"].as_bool().expect("contact")
        }
    };
    // Within the period: kept.
    let out = db.balade(&["privacy", "purge", "--retention-days", "30"]);
    assert!(stdout(&out).contains("erased 0 e-mail"), "{}", stdout(&out));
    assert!(contact(kept.clone()).await);
    // Past it (a period of 0 days): erased.
    let out = db.balade(&["privacy", "purge", "--retention-days", "0"]);
    assert!(stdout(&out).contains("erased 1 e-mail"), "{}", stdout(&out));
    assert!(!contact(kept).await);
    // A server purges at start with its own period.
    let (_, later) = post(&base, "/api/v1/reports", None, report("b@exemple.fr")).await;
    let later = later["id"].as_str().expect("id").to_owned();
    assert!(contact(later.clone()).await);
    drop(server);
    let server = Server::start(db, &["--retention-days", "0"]);
    let base = server.base.clone();
    let erased = common::eventually(std::time::Duration::from_secs(20), || {
        let (base, id) = (base.clone(), later.clone());
        async move {
            let staff = Staff::login(&base, "moderatrice@77.fr").await;
            let (_, _, item) = staff.get(&format!("/api/v1/admin/moderation/{id}")).await;
            item["contact"] == false
        }
    })
    .await;
    assert!(erased, "the server's purge erased the address");
}

#[tokio::test]
async fn retention_on_sqlite() {
    retention(&Db::new()).await;
}

#[tokio::test]
async fn retention_on_postgis() {
    if let Some(db) = Db::postgres() {
        retention(&db).await;
    }
}

async fn corrections(db: &Db) {
    add_user(db, "editrice@77.fr", "editor", "77186");
    let (_server, base) = moderated(db);
    let staff = Staff::login(&base, "moderatrice@77.fr").await;
    let sheet = get(&base, &format!("/api/v1/circuits/{CIRCUIT}")).await;
    let poi = sheet["properties"]["pois"][0]
        .as_str()
        .expect("a POI")
        .to_owned();
    let (status, body) = post(
        &base,
        "/api/v1/corrections",
        None,
        json!({ "target": format!("poi:{poi}"), "field": "description", "text": "Texte corrigé par un marcheur." }),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let id = body["id"].as_str().expect("id").to_owned();
    let (_, _, item) = staff.get(&format!("/api/v1/admin/moderation/{id}")).await;
    assert_eq!(
        (&item["target"], &item["field"]),
        (&json!(format!("poi:{poi}")), &json!("description"))
    );
    assert_ne!(item["current"], "Texte corrigé par un marcheur.");
    let accepted = decide(&staff, &id, "publish").await;
    assert_eq!(accepted["status"], "accepted");
    let public = get(&base, &format!("/api/v1/pois/{poi}")).await;
    assert_eq!(
        public["properties"]["description"],
        "Texte corrigé par un marcheur."
    );
    let (_, _, history) = staff
        .get(&format!("/api/v1/admin/pois/{poi}/history"))
        .await;
    let last = history["entries"]
        .as_array()
        .and_then(|h| h.last())
        .cloned()
        .expect("entries");
    assert_eq!(
        (&last["origin"], &last["by"]),
        (&json!("contribution"), &json!("moderatrice@77.fr"))
    );
    let (status, _) = staff
        .post(
            &format!("/api/v1/admin/moderation/{id}"),
            json!({ "decision": "reject" }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "an accepted correction is an edit now"
    );

    // Bad targets and fields, and an editor in the queue.
    for (body, want) in [
        (
            json!({ "target": "poi:nope-404", "field": "name", "text": "x" }),
            StatusCode::NOT_FOUND,
        ),
        (
            json!({ "target": format!("circuit:{CIRCUIT}"), "field": "kind", "text": "x" }),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({ "target": "commune:77186", "field": "name", "text": "x" }),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({ "target": format!("circuit:{CIRCUIT}"), "field": "name", "text": " " }),
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let (status, answer) = post(&base, "/api/v1/corrections", None, body.clone()).await;
        assert_eq!(status, want, "{body} → {answer}");
        assert!(answer["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
    let editor = Staff::login(&base, "editrice@77.fr").await;
    let (status, _, _) = editor.get("/api/v1/admin/moderation").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = editor
        .post(
            &format!("/api/v1/admin/moderation/{id}"),
            json!({ "decision": "reject" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let cross = reqwest::Client::new()
        .post(format!("{base}/api/v1/admin/moderation/{id}"))
        .header(COOKIE, &staff.cookie)
        .header(ORIGIN, "https://ailleurs.example")
        .json(&json!({ "decision": "reject" }))
        .send()
        .await
        .expect("post");
    assert_eq!(cross.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn corrections_on_sqlite() {
    corrections(&Db::new()).await;
}

#[tokio::test]
async fn corrections_on_postgis() {
    if let Some(db) = Db::postgres() {
        corrections(&db).await;
    }
}

/// Robots, oversized inputs and floods: a clear refusal, nothing stored.
#[tokio::test]
async fn public_writes_are_bounded() {
    let db = Db::new();
    let (_server, base) = moderated(&db);
    let staff = Staff::login(&base, "moderatrice@77.fr").await;
    let path = format!("/api/v1/circuits/{CIRCUIT}/reviews");
    let (status, _) = post(
        &base,
        &path,
        None,
        json!({ "rating": 5, "name": "Bot", "website": "http://spam.example" }),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "a robot is not told");
    for (body, field) in [
        (json!({ "rating": 6, "name": "A" }), "rating"),
        (json!({ "rating": 3 }), "name"),
        (
            json!({ "rating": 3, "name": "A", "text": "x".repeat(2_001) }),
            "text",
        ),
        (json!({ "rating": "trois", "name": "A" }), "rating"),
    ] {
        let (status, answer) = post(&base, &path, None, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(
            answer["error"].as_str().is_some_and(|e| e.contains(field)),
            "{answer}"
        );
    }
    let mut form = reqwest::multipart::Form::new()
        .text("rating", "4")
        .text("name", "A");
    for _ in 0..4 {
        form = form.part("photo", reqwest::multipart::Part::bytes(camera_photo()));
    }
    let r = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .multipart(form)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "four photos");
    let form = reqwest::multipart::Form::new()
        .text("rating", "4")
        .text("name", "A")
        .part(
            "photo",
            reqwest::multipart::Part::bytes(b"not an image".to_vec()),
        );
    let r = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .multipart(form)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.expect("text").contains("photo 1"));
    let huge = vec![b'x'; 11 << 20];
    let form = reqwest::multipart::Form::new()
        .text("rating", "4")
        .text("name", "A")
        .part("photo", reqwest::multipart::Part::bytes(huge));
    let r = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .multipart(form)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(queue_total(&staff, "review").await, 0, "nothing stored");

    // A flood from one address: refused with Retry-After once the burst is spent.
    let mut refused = None;
    for n in 0..40 {
        let r = reqwest::Client::new()
            .post(format!("{base}/api/v1/corrections"))
            .json(&json!({ "target": format!("circuit:{CIRCUIT}"), "field": "name", "text": format!("Nom {n}") }))
            .send()
            .await
            .expect("post");
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            refused = Some((n, r.headers().get("retry-after").is_some()));
            break;
        }
    }
    let (after, retry) = refused.expect("429 within 40 writes");
    assert!(retry, "Retry-After");
    assert!(after >= 5, "the first writes pass ({after})");
}

/// The walker who left an address is told, by the installation's mail command, when
/// their report is resolved; not before.
#[tokio::test]
async fn reporters_are_told_when_their_report_is_handled() {
    let db = Db::new();
    add_user(&db, "moderatrice@77.fr", "moderator", "");
    let outbox = db.dir.path().join("mail.txt");
    let command = format!("cat >> '{}'", outbox.display());
    let server = Server::start(&db, &["--demo", "--mail-command", &command]);
    let base = server.base.clone();
    let staff = Staff::login(&base, "moderatrice@77.fr").await;
    let (_, body) = post(
        &base,
        "/api/v1/reports",
        None,
        json!({ "lon": 2.6, "lat": 48.43, "category": "flooding", "message": "Gué impraticable",
                "email": EMAIL, "circuit": CIRCUIT }),
    )
    .await;
    let id = body["id"].as_str().expect("id").to_owned();
    decide(&staff, &id, "in_progress").await;
    assert!(!outbox.exists(), "nothing to tell while in progress");
    decide(&staff, &id, "resolved").await;
    let mail = std::fs::read_to_string(&outbox).expect("a message was sent");
    assert!(mail.starts_with("To: marcheuse@exemple.fr\r\n"), "{mail}");
    assert!(
        mail.contains("(inondation) a été traité : le problème est résolu"),
        "{mail}"
    );
    assert!(mail.contains("De Barbizon aux gorges"), "{mail}");
}
