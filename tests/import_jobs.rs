//! Import jobs from the browser path, on SQLite and PostGIS: a file uploaded (its kind
//! chosen or detected), planned in the background, its plan read and trimmed, then
//! committed in one transaction, and the public API showing the result.

mod common;

use common::staff::{Staff, add_user};
use common::{Db, Server, eventually};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, ORIGIN};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use std::time::Duration;

/// The job once its plan is made.
async fn planned(s: &Staff, id: &str) -> Value {
    let path = format!("/api/v1/admin/imports/{id}");
    let done = eventually(Duration::from_secs(30), || async {
        let status = s.get(&path).await.2["status"].clone();
        status != "queued" && status != "running"
    })
    .await;
    assert!(done, "still planning: {}", s.get(&path).await.2);
    let job = s.get(&path).await.2;
    assert_eq!(job["status"], "planned", "{job}");
    job
}

/// The Provins loop with the remparts' text changed and the rose's waypoint removed.
fn provins_changed() -> Vec<u8> {
    let text =
        std::fs::read_to_string(common::root().join("fixtures/circuits/provins-remparts.gpx"))
            .expect("fixture");
    let start = text.find("  <wpt lat=\"48.558510\"").expect("rose");
    let end = start + text[start..].find("</wpt>").expect("end") + "</wpt>\n".len();
    let mut text = format!("{}{}", &text[..start], &text[end..]);
    text = text.replace(
        "Le chemin qui suit les anciens fossés",
        "Texte revu. Le chemin qui suit les anciens fossés",
    );
    text.into_bytes()
}

const INVENTORY: &str = "REF|TICO|COM|INSEE|ZONE|COOR\n\
PA77000101|Lavoir de la Voulzie|Provins|77379|Lambert93|0728950;6826350\n\
PA77000102|Moulin de la Ruelle|Provins|77379|Lambert93|0729950;6827350\n\
..|Croix du chemin|Provins|77379|Lambert93|0728960;6826360\n";

async fn names_near(base: &str, lon: f64, lat: f64) -> String {
    reqwest::get(format!(
        "{base}/api/v1/pois/nearby?lon={lon}&lat={lat}&radius=50000&limit=200"
    ))
    .await
    .expect("nearby")
    .text()
    .await
    .expect("text")
}

async fn jobs_from_upload_to_commit(db: &Db) {
    let communes = common::root().join("fixtures/communes/seine-et-marne.geojson");
    assert!(
        db.balade(&["import", "communes", communes.to_str().expect("utf-8")])
            .status
            .success()
    );
    let gpx = common::root().join("fixtures/circuits/provins-remparts.gpx");
    assert!(db.import(&[&gpx], &[]).status.success());
    add_user(db, "admin@77.fr", "admin", "");
    add_user(db, "moderation@77.fr", "moderator", "");
    let jobs_dir = tempfile::tempdir().expect("dir");
    let server = Server::start(
        db,
        &[
            "--jobs-dir",
            jobs_dir.path().to_str().expect("utf-8"),
            "--max-upload-mb",
            "1",
        ],
    );
    let base = &server.base;

    // Without a session, or as a moderator: refused.
    let r = reqwest::Client::new()
        .post(format!("{base}/api/v1/admin/imports"))
        .header(ORIGIN, base)
        .multipart(Form::new().part("file", Part::bytes(b"x".to_vec()).file_name("a.gpx")))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let moderator = Staff::login(base, "moderation@77.fr").await;
    assert_eq!(
        moderator.upload("a.gpx", b"x".to_vec(), None).await.0,
        StatusCode::FORBIDDEN
    );

    let admin = Staff::login(base, "admin@77.fr").await;
    // Too large, or of no kind one can tell: refused, nothing kept.
    let (status, _) = admin.upload("big.gpx", vec![b' '; 1_100_000], None).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (status, body) = admin.upload("notes.json", b"{}".to_vec(), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"].as_str().expect("text").contains("choose it"),
        "{body}"
    );
    assert_eq!(
        std::fs::read_dir(jobs_dir.path()).expect("dir").count(),
        0,
        "uploads refused leave nothing"
    );

    // A GPX file, its kind detected: planned, nothing written yet.
    let (status, job) = admin
        .upload("provins-remparts.gpx", provins_changed(), None)
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    assert_eq!(job["kind"], "gpx");
    let id = job["id"].as_str().expect("id").to_owned();
    let job = planned(&admin, &id).await;
    assert_eq!(
        (job["update"].as_u64(), job["delete"].as_u64()),
        (Some(1), Some(1)),
        "{job}"
    );
    assert!(job["unchanged"].as_u64().expect("count") >= 5, "{job}");
    let (_, _, updates) = admin
        .get(&format!("/api/v1/admin/imports/{id}/records?status=update"))
        .await;
    let update = &updates["records"][0];
    assert_eq!(
        update["label"], "Les remparts et la tour aux Engins",
        "{updates}"
    );
    assert_eq!(update["changes"][0]["field"], "description");
    assert!(
        update["changes"][0]["after"]
            .as_str()
            .expect("text")
            .starts_with("Texte revu.")
    );
    let (_, _, vanished) = admin
        .get(&format!("/api/v1/admin/imports/{id}/records?status=delete"))
        .await;
    assert_eq!(vanished["total"], 1);
    let rose_key = vanished["records"][0]["key"]
        .as_str()
        .expect("key")
        .to_owned();
    let sheet_before = reqwest::get(format!("{base}/api/v1/circuits/provins-remparts"))
        .await
        .expect("sheet")
        .text()
        .await
        .expect("text");
    assert!(
        !sheet_before.contains("Texte revu."),
        "a plan writes nothing"
    );

    // A heritage export with a bad line: its rejection told by line and reason.
    let (status, job) = admin
        .upload(
            "inventaire.txt",
            INVENTORY.as_bytes().to_vec(),
            Some("ariane"),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let heritage = job["id"].as_str().expect("id").to_owned();
    let job = planned(&admin, &heritage).await;
    assert_eq!(
        (job["create"].as_u64(), job["rejected"].as_u64()),
        (Some(2), Some(1)),
        "{job}"
    );
    let (_, _, rejected) = admin
        .get(&format!(
            "/api/v1/admin/imports/{heritage}/records?status=rejected"
        ))
        .await;
    assert_eq!(rejected["records"][0]["line"], 4, "{rejected}");
    assert!(
        rejected["records"][0]["reason"]
            .as_str()
            .is_some_and(|r| !r.is_empty())
    );
    let (_, _, found) = admin
        .get(&format!(
            "/api/v1/admin/imports/{heritage}/records?q=moulin"
        ))
        .await;
    assert_eq!(found["total"], 1, "{found}");
    let moulin = found["records"][0]["key"].as_str().expect("key").to_owned();

    // The report: each change field by field, each rejection with its line and reason.
    let r = admin
        .http
        .get(format!("{base}/api/v1/admin/imports/{heritage}/report"))
        .header(COOKIE, &admin.cookie)
        .send()
        .await
        .expect("report");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .expect("text")
            .contains(".csv")
    );
    let csv = r.text().await.expect("text");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "status,kind,key,label,commune,lon,lat,field,before,after,line,reason"
    );
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("rejected,") && l.contains(",4,")),
        "{csv}"
    );
    let r = admin
        .http
        .get(format!("{base}/api/v1/admin/imports/{id}/report"))
        .header(COOKIE, &admin.cookie)
        .send()
        .await
        .expect("report");
    let csv = r.text().await.expect("text");
    assert!(
        csv.lines()
            .any(|l| l.starts_with("update,poi,") && l.contains(",description,")),
        "{csv}"
    );

    // Commit the inventory without the mill: the lavoir is public, the mill is not.
    let (status, done) = admin
        .post(
            &format!("/api/v1/admin/imports/{}/commit", heritage),
            json!({ "exclude": [moulin] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["status"], "committed");
    assert_eq!(done["committed_by"], "admin@77.fr");
    let seen = eventually(Duration::from_secs(10), || async {
        names_near(base, 3.29, 48.56)
            .await
            .contains("Lavoir de la Voulzie")
    })
    .await;
    assert!(seen, "{}", names_near(base, 3.29, 48.56).await);
    assert!(
        !names_near(base, 3.29, 48.56)
            .await
            .contains("Moulin de la Ruelle")
    );

    // Commit the GPX job with the vanished rose ticked: the sheet shows both changes.
    let (status, _) = admin
        .post(
            &format!("/api/v1/admin/imports/{}/commit", id),
            json!({ "delete": [rose_key] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let changed = eventually(Duration::from_secs(10), || async {
        let sheet = reqwest::get(format!("{base}/api/v1/circuits/provins-remparts"))
            .await
            .expect("sheet")
            .text()
            .await
            .expect("text");
        sheet.contains("Texte revu.") && !sheet.contains("La rose de Provins")
    })
    .await;
    assert!(changed, "the sheet did not change");
    assert_eq!(
        admin
            .post(&format!("/api/v1/admin/imports/{}/commit", id), json!({}))
            .await
            .0,
        StatusCode::CONFLICT,
        "committed once"
    );

    // The jobs' history.
    let (_, _, list) = admin.get("/api/v1/admin/imports").await;
    let files: Vec<&str> = list["jobs"]
        .as_array()
        .expect("jobs")
        .iter()
        .map(|j| j["file_name"].as_str().expect("name"))
        .collect();
    assert!(
        files.contains(&"provins-remparts.gpx") && files.contains(&"inventaire.txt"),
        "{files:?}"
    );
    // The command line's imports are in the same history.
    let cli: Vec<&Value> = list["jobs"]
        .as_array()
        .expect("jobs")
        .iter()
        .filter(|j| {
            j["created_by"]
                .as_str()
                .is_some_and(|b| b.starts_with("command line"))
        })
        .collect();
    assert_eq!(cli.len(), 2, "communes and the loop: {list}");
    assert!(cli.iter().all(|j| j["status"] == "committed"));
    let gpx_run = cli
        .iter()
        .find(|j| j["kind"] == "gpx")
        .expect("the loop's import");
    assert!(
        gpx_run["file_name"]
            .as_str()
            .expect("name")
            .ends_with("provins-remparts.gpx")
    );
    assert_eq!(gpx_run["create"].as_u64(), Some(10), "{gpx_run}");
    assert_eq!(
        admin.get("/api/v1/admin/imports/nope").await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn import_jobs_on_sqlite() {
    jobs_from_upload_to_commit(&Db::new()).await;
}

#[tokio::test]
async fn import_jobs_on_postgis() {
    if let Some(db) = Db::postgres() {
        jobs_from_upload_to_commit(&db).await;
    }
}

/// An editor's job writes within their territory only, and boundaries are not theirs.
#[tokio::test]
async fn an_editors_import_stays_within_their_territory() {
    let db = Db::new();
    let communes = common::root().join("fixtures/communes/seine-et-marne.geojson");
    assert!(
        db.balade(&["import", "communes", communes.to_str().expect("utf-8")])
            .status
            .success()
    );
    let gpx = common::root().join("fixtures/circuits/provins-remparts.gpx");
    assert!(db.import(&[&gpx], &[]).status.success());
    add_user(&db, "provins@77.fr", "editor", "77379");
    let jobs_dir = tempfile::tempdir().expect("dir");
    let server = Server::start(
        &db,
        &["--jobs-dir", jobs_dir.path().to_str().expect("utf-8")],
    );
    let base = &server.base;
    let editor = Staff::login(base, "provins@77.fr").await;

    let bounds = std::fs::read(&communes).expect("communes");
    let (status, body) = editor
        .upload("communes.geojson", bounds, Some("communes"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    // The loop changed in Provins, and a waypoint added in Meaux.
    let text = String::from_utf8(provins_changed()).expect("utf-8").replace(
        "</metadata>",
        "</metadata>\n  <wpt lat=\"48.960665\" lon=\"2.878989\"><name>Hors du territoire</name><type>heritage</type></wpt>",
    );
    let (status, job) = editor
        .upload("provins-remparts.gpx", text.into_bytes(), None)
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let id = job["id"].as_str().expect("id").to_owned();
    let job = planned(&editor, &id).await;
    assert_eq!(job["create"], 1, "{job}");
    let (status, done) = editor
        .post(&format!("/api/v1/admin/imports/{id}/commit"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["outside_territory"], 1, "{done}");
    let sheet = reqwest::get(format!("{base}/api/v1/circuits/provins-remparts"))
        .await
        .expect("sheet")
        .text()
        .await
        .expect("text");
    assert!(
        sheet.contains("Texte revu."),
        "the change in Provins is written"
    );
    assert!(
        !sheet.contains("Hors du territoire"),
        "the waypoint in Meaux is not"
    );
}

/// A kept edit shown by the plan, and the source's value taken instead at commit.
#[tokio::test]
async fn a_commit_can_take_the_sources_value_over_a_kept_edit() {
    let db = Db::new();
    let gpx = common::root().join("fixtures/circuits/provins-remparts.gpx");
    assert!(db.import(&[&gpx], &[]).status.success());
    add_user(&db, "admin@77.fr", "admin", "");
    let jobs_dir = tempfile::tempdir().expect("dir");
    let server = Server::start(
        &db,
        &["--jobs-dir", jobs_dir.path().to_str().expect("utf-8")],
    );
    let base = &server.base;
    let admin = Staff::login(base, "admin@77.fr").await;
    let (_, _, found) = admin.get("/api/v1/admin/pois?q=engins").await;
    let id = found["pois"][0]["id"].as_str().expect("id").to_owned();
    let path = format!("/api/v1/admin/pois/{id}");
    let (_, etag, _) = admin.get(&path).await;
    let (status, _) = admin
        .patch(
            &path,
            etag.as_deref(),
            json!({ "description": "Texte du service." }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let (_, job) = admin
        .upload("provins-remparts.gpx", provins_changed(), None)
        .await;
    let job_id = job["id"].as_str().expect("id").to_owned();
    planned(&admin, &job_id).await;
    let (_, _, records) = admin
        .get(&format!("/api/v1/admin/imports/{job_id}/records?q=engins"))
        .await;
    let record = &records["records"][0];
    assert_eq!(record["kept"][0]["field"], "description", "{records}");
    assert_eq!(record["kept"][0]["before"], "Texte du service.");
    assert!(
        record["kept"][0]["after"]
            .as_str()
            .expect("text")
            .starts_with("Texte revu.")
    );
    let key = record["key"].as_str().expect("key").to_owned();

    let commit = format!("/api/v1/admin/imports/{job_id}/commit");
    let (status, body) = admin
        .post(
            &commit,
            json!({ "take_source": [{ "key": key, "field": "name" }] }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "only a kept edit: {body}");
    let (status, body) = admin
        .post(
            &commit,
            json!({ "take_source": [{ "key": key, "field": "description" }] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, _, now) = admin.get(&path).await;
    assert!(
        now["fields"]["description"]
            .as_str()
            .expect("text")
            .starts_with("Texte revu."),
        "{now}"
    );
    assert_eq!(now["edited"], json!({}));
    let (_, _, log) = admin.get(&format!("{path}/history")).await;
    let origins: Vec<&str> = log["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["origin"].as_str().expect("origin"))
        .collect();
    // Created by the command line's import, edited, the edit dropped, the job's update.
    assert_eq!(origins, ["import", "edit", "import", "import"]);
    let last = &log["entries"][3];
    assert_eq!(last["by"], "admin@77.fr");
    assert_eq!(last["changes"][0]["field"], "description", "{log}");
}
