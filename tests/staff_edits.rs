//! Staff edits end to end, on SQLite and PostGIS: a POI and a circuit read with their
//! ETag, edited under If-Match by whom their role and territory allow, seen in the
//! public API, kept over a re-import of their source, audited field by field, reverted.

mod common;

use common::staff::{Staff, add_user};
use common::{Db, Server, stdout};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, IF_MATCH};
use serde_json::{Value, json};
use std::path::Path;

const REMPARTS: &str = "Les remparts et la tour aux Engins";

/// The Provins loop, under its own file name in `dir`, with `desc` as the remparts'
/// description when given (the source changing).
fn provins(dir: &Path, desc: Option<&str>) -> std::path::PathBuf {
    let text =
        std::fs::read_to_string(common::root().join("fixtures/circuits/provins-remparts.gpx"))
            .expect("fixture");
    let text = match desc {
        Some(d) => text.replace(
            "Le chemin qui suit les anciens fossés offre une vue continue",
            &format!("{d}. Le chemin qui suit les anciens fossés offre une vue continue"),
        ),
        None => text,
    };
    let path = dir.join("provins-remparts.gpx");
    std::fs::write(&path, text).expect("write");
    path
}

/// The id of the POI named `name` in a circuit's public sheet.
async fn poi_id(base: &str, circuit: &str, name: &str) -> String {
    let sheet: Value = reqwest::get(format!("{base}/api/v1/circuits/{circuit}"))
        .await
        .expect("sheet")
        .json()
        .await
        .expect("json");
    fn find(v: &Value, name: &str) -> Option<String> {
        match v {
            Value::Object(o) => {
                if o.get("name").and_then(Value::as_str) == Some(name)
                    && let Some(id) = o.get("id").and_then(Value::as_str)
                {
                    return Some(id.to_owned());
                }
                o.values().find_map(|v| find(v, name))
            }
            Value::Array(a) => a.iter().find_map(|v| find(v, name)),
            _ => None,
        }
    }
    find(&sheet, name).unwrap_or_else(|| panic!("no POI `{name}` in {sheet}"))
}

async fn public_poi(base: &str, id: &str) -> Value {
    reqwest::get(format!("{base}/api/v1/pois/{id}"))
        .await
        .expect("poi")
        .json()
        .await
        .expect("json")
}

async fn edits_that_last(db: &Db) {
    let communes = common::root().join("fixtures/communes/seine-et-marne.geojson");
    let out = db.balade(&["import", "communes", communes.to_str().expect("utf-8")]);
    assert!(out.status.success(), "{}", stdout(&out));
    let sources = tempfile::tempdir().expect("dir");
    let gpx = provins(sources.path(), None);
    assert!(db.import(&[&gpx], &[]).status.success());
    add_user(db, "admin@77.fr", "admin", "");
    add_user(db, "provins@77.fr", "editor", "77379");
    add_user(db, "meaux@77.fr", "editor", "77284");
    add_user(db, "moderation@77.fr", "moderator", "");
    let server = Server::start(db, &[]);
    let base = &server.base;
    let id = poi_id(base, "provins-remparts", REMPARTS).await;
    let path = format!("/api/v1/admin/pois/{id}");

    // Without a session, nothing.
    let r = reqwest::get(format!("{base}{path}")).await.expect("get");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    let editor = Staff::login(base, "provins@77.fr").await;
    let (status, etag, record) = editor.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{record}");
    let etag = etag.expect("ETag");
    assert_eq!(record["fields"]["name"], REMPARTS);
    assert_eq!(record["communes"], json!(["77379"]));
    // Version 1: its creation by the command line's import.
    assert_eq!(record["version"], 1);
    let source_text = record["fields"]["description"]
        .as_str()
        .expect("text")
        .to_owned();

    // The rules: If-Match required, this site only, within the territory, by role.
    let fix = json!({ "description": "Fermé pour travaux jusqu'en juin : le chemin des fossés est dévié." });
    assert_eq!(
        editor.patch(&path, None, fix.clone()).await.0,
        StatusCode::PRECONDITION_REQUIRED
    );
    let r = editor
        .http
        .patch(format!("{base}{path}"))
        .header(COOKIE, &editor.cookie)
        .header(IF_MATCH, &etag)
        .json(&fix)
        .send()
        .await
        .expect("patch");
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "no Origin");
    let elsewhere = Staff::login(base, "meaux@77.fr").await;
    let (status, body) = elsewhere.patch(&path, Some(&etag), fix.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["error"]
            .as_str()
            .expect("text")
            .contains("outside your territory"),
        "{body}"
    );
    let moderator = Staff::login(base, "moderation@77.fr").await;
    assert_eq!(
        moderator.patch(&path, Some(&etag), fix.clone()).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, body) = editor
        .patch(&path, Some(&etag), json!({ "lat": 95.0 }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = editor
        .patch(&path, Some(&etag), json!({ "source": "x" }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"]
            .as_str()
            .expect("text")
            .contains("cannot be edited"),
        "{body}"
    );

    // The edit, seen by the public API.
    let (status, saved) = editor.patch(&path, Some(&etag), fix.clone()).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["version"], 2);
    assert_eq!(saved["edited"], fix);
    // At once: the server that took the edit answers with it.
    let public = public_poi(base, &id).await;
    assert!(
        public["properties"]["description"] == fix["description"]
            || public["description"] == fix["description"],
        "public POI: {public}"
    );

    // A second save from the same version is stale: 412 with the record as it is now.
    let (status, body) = editor
        .patch(&path, Some(&etag), json!({ "description": "Autre texte." }))
        .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{body}");
    assert_eq!(body["current"]["fields"]["description"], fix["description"]);

    // The source changes and is imported again: the edit is kept, and the plan says so.
    let gpx = provins(sources.path(), Some("Nouveau texte de la source"));
    let plan = db.import(&[&gpx], &["--dry-run", "--diff"]);
    let plan_text = stdout(&plan);
    assert!(
        plan_text.contains("description: source changed, kept your edit"),
        "{plan_text}"
    );
    assert!(db.import(&[&gpx], &[]).status.success());
    let (_, _, after_import) = editor.get(&path).await;
    assert_eq!(after_import["fields"]["description"], fix["description"]);
    assert!(
        !public_poi(base, &id)
            .await
            .to_string()
            .contains("Nouveau texte de la source")
    );

    // The audit log, field by field.
    let (status, _, log) = editor.get(&format!("{path}/history")).await;
    assert_eq!(status, StatusCode::OK);
    let entries = log["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 2, "{log}");
    assert_eq!(entries[0]["origin"], "import");
    assert!(
        entries[0]["by"]
            .as_str()
            .expect("by")
            .starts_with("command line"),
        "{log}"
    );
    assert_eq!(entries[1]["by"], "provins@77.fr");
    assert_eq!(entries[1]["origin"], "edit");
    assert_eq!(
        entries[1]["changes"],
        json!([{ "field": "description", "before": source_text, "after": fix["description"] }])
    );

    // Revert to version 0: the source's own text (as imported now) comes back at the
    // next import, the edit is no longer kept, and the revert is audited.
    let (status, reverted) = editor
        .post(&format!("{path}/revert"), json!({ "version": 0 }))
        .await;
    assert_eq!(status, StatusCode::OK, "{reverted}");
    assert_eq!(reverted["fields"]["description"], source_text);
    assert_eq!(reverted["edited"], json!({}));
    assert!(db.import(&[&gpx], &[]).status.success());
    let (_, _, now) = editor.get(&path).await;
    assert!(
        now["fields"]["description"]
            .as_str()
            .expect("text")
            .starts_with("Nouveau texte de la source"),
        "{now}"
    );
    let (_, _, log) = editor.get(&format!("{path}/history")).await;
    let origins: Vec<&str> = log["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["origin"].as_str().expect("origin"))
        .collect();
    // The re-import after the revert wrote the source's new text: audited too.
    assert_eq!(origins, ["import", "edit", "revert", "import"]);
    assert_eq!(
        editor
            .post(&format!("{path}/revert"), json!({ "version": 9 }))
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    // An admin unpublishes a circuit: it leaves the public list, not the back-office's.
    let admin = Staff::login(base, "admin@77.fr").await;
    let (_, _, pois) = admin
        .get("/api/v1/admin/circuits/provins-remparts/pois")
        .await;
    assert!(
        pois["pois"]
            .as_array()
            .expect("pois")
            .iter()
            .any(|p| p["id"] == id.as_str()),
        "{pois}"
    );
    let (_, etag, _) = admin.get("/api/v1/admin/circuits/provins-remparts").await;
    let (status, body) = admin
        .patch(
            "/api/v1/admin/circuits/provins-remparts",
            etag.as_deref(),
            json!({ "published": false }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let list: Value = reqwest::get(format!("{base}/api/v1/circuits"))
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert!(
        !list.to_string().contains("provins-remparts"),
        "an unpublished circuit is still listed"
    );
    let (_, _, listed) = admin.get("/api/v1/admin/circuits?q=provins").await;
    assert_eq!(
        listed["circuits"],
        json!([{ "id": "provins-remparts", "name": listed["circuits"][0]["name"], "published": false,
                 "communes": listed["circuits"][0]["communes"] }])
    );
    assert_eq!(
        admin.get("/api/v1/admin/circuits?q=nowhere").await.2["circuits"],
        json!([])
    );
    let (_, _, history) = admin
        .get("/api/v1/admin/circuits/provins-remparts/history")
        .await;
    assert_eq!(history["entries"][1]["changes"][0]["field"], "published");
    assert_eq!(
        admin.get("/api/v1/admin/pois/nope-nope").await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn staff_edits_on_sqlite() {
    edits_that_last(&Db::new()).await;
}

#[tokio::test]
async fn staff_edits_on_postgis() {
    if let Some(db) = Db::postgres() {
        edits_that_last(&db).await;
    }
}

async fn photos_and_search(db: &Db) {
    let communes = common::root().join("fixtures/communes/seine-et-marne.geojson");
    assert!(
        db.balade(&["import", "communes", communes.to_str().expect("utf-8")])
            .status
            .success()
    );
    let gpx = common::root().join("fixtures/circuits/provins-remparts.gpx");
    assert!(db.import(&[&gpx], &[]).status.success());
    add_user(db, "provins@77.fr", "editor", "77379");
    add_user(db, "moderation@77.fr", "moderator", "");
    let server = Server::start(db, &[]);
    let base = &server.base;
    let editor = Staff::login(base, "provins@77.fr").await;

    // The search: every word, a kind, pages; bad parameters named.
    let (status, _, found) = editor.get("/api/v1/admin/pois?q=tour%20engins").await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["total"], 1);
    assert_eq!(found["pois"][0]["name"], REMPARTS);
    let id = found["pois"][0]["id"].as_str().expect("id").to_owned();
    let (_, _, heritage) = editor.get("/api/v1/admin/pois?kind=heritage&limit=2").await;
    assert_eq!(heritage["pois"].as_array().expect("pois").len(), 2);
    assert!(heritage["total"].as_u64().expect("total") > 2);
    assert!(
        heritage["pois"]
            .as_array()
            .expect("pois")
            .iter()
            .all(|p| p["kind"] == "heritage")
    );
    assert_eq!(
        editor.get("/api/v1/admin/pois?kind=castle").await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        reqwest::get(format!("{base}/api/v1/admin/pois"))
            .await
            .expect("get")
            .status(),
        StatusCode::UNAUTHORIZED
    );

    // A photo, with its alternative text, from the back-office.
    let png = std::fs::read(common::root().join("pwa/public/icons/icon-192.png")).expect("png");
    let send = |who: &Staff, photo: Vec<u8>, alt: Option<&str>| {
        let mut form = reqwest::multipart::Form::new()
            .part(
                "photo",
                reqwest::multipart::Part::bytes(photo).file_name("photo.png"),
            )
            .text("author", "Service du patrimoine")
            .text("license", "CC-BY-4.0");
        if let Some(a) = alt {
            form = form.text("alt", a.to_owned());
        }
        who.http
            .post(format!("{base}/api/v1/admin/pois/{id}/media"))
            .header(COOKIE, &who.cookie)
            .header(reqwest::header::ORIGIN, base)
            .multipart(form)
            .send()
    };
    let r = send(&editor, png.clone(), None).await.expect("post");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = send(&editor, b"not an image".to_vec(), Some("x"))
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let moderator = Staff::login(base, "moderation@77.fr").await;
    let r = send(&moderator, png.clone(), Some("x"))
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = send(&editor, png, Some("La tour aux Engins vue des fossés"))
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::CREATED);
    let record: Value = r.json().await.expect("json");
    assert_eq!(
        record["media"][0]["alt"], "La tour aux Engins vue des fossés",
        "{record}"
    );
    assert_eq!(record["media"][0]["author"], "Service du patrimoine");
    let public = public_poi(base, &id).await;
    assert!(
        public
            .to_string()
            .contains("La tour aux Engins vue des fossés"),
        "{public}"
    );
    let (_, _, log) = editor
        .get(&format!("/api/v1/admin/pois/{id}/history"))
        .await;
    assert_eq!(log["entries"][1]["changes"][0]["field"], "media", "{log}");

    // A POI unpublished (a place that closed): gone from every public answer, and kept
    // so over a re-import of its source; published again, it is back.
    let path = format!("/api/v1/admin/pois/{id}");
    let (_, etag, record) = editor.get(&path).await;
    assert_eq!(record["fields"]["published"], true);
    let (status, body) = editor
        .patch(&path, etag.as_deref(), json!({ "published": "no" }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = editor
        .patch(&path, etag.as_deref(), json!({ "published": false }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["fields"]["published"], false);
    let gone = |base: String, id: String| async move {
        let one = reqwest::get(format!("{base}/api/v1/pois/{id}"))
            .await
            .expect("poi")
            .status();
        let near = reqwest::get(format!(
            "{base}/api/v1/pois/nearby?lon=3.281063&lat=48.56498&radius=2000&limit=50"
        ))
        .await
        .expect("nearby")
        .text()
        .await
        .expect("text");
        let sheet = reqwest::get(format!("{base}/api/v1/circuits/provins-remparts"))
            .await
            .expect("sheet")
            .text()
            .await
            .expect("text");
        (
            one == StatusCode::NOT_FOUND,
            !near.contains(&id),
            !sheet.contains(&id),
        )
    };
    assert_eq!(gone(base.clone(), id.clone()).await, (true, true, true));
    let out_file = tempfile::NamedTempFile::new().expect("file");
    let out = db.balade(&[
        "export",
        "geojson",
        "--out",
        out_file.path().to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{}", stdout(&out));
    let exported = std::fs::read_to_string(out_file.path()).expect("export");
    assert!(
        !exported.contains(&id),
        "an unpublished POI is not exported"
    );
    assert!(db.import(&[&gpx], &[]).status.success());
    let (_, etag, record) = editor.get(&path).await;
    assert_eq!(
        record["fields"]["published"], false,
        "kept over a re-import"
    );
    let (status, _) = editor
        .patch(&path, etag.as_deref(), json!({ "published": true }))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(gone(base.clone(), id.clone()).await, (false, false, false));
}

#[tokio::test]
async fn staff_photos_and_search_on_sqlite() {
    photos_and_search(&Db::new()).await;
}

#[tokio::test]
async fn staff_photos_and_search_on_postgis() {
    if let Some(db) = Db::postgres() {
        photos_and_search(&db).await;
    }
}

/// A territory may name an intercommunality by SIREN: its editors edit in every one of
/// its communes, and only there.
#[tokio::test]
async fn an_intercommunality_territory_covers_its_communes() {
    let db = Db::new();
    let text =
        std::fs::read_to_string(common::root().join("fixtures/communes/seine-et-marne.geojson"))
            .expect("communes");
    let mut communes: Value = serde_json::from_str(&text).expect("json");
    for f in communes["features"].as_array_mut().expect("features") {
        let siren = if f["properties"]["code"] == "77379" {
            "247700065"
        } else {
            "200000000"
        };
        f["properties"]["siren_epci"] = json!(siren);
    }
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("communes.geojson");
    std::fs::write(&file, communes.to_string()).expect("write");
    assert!(
        db.balade(&["import", "communes", file.to_str().expect("utf-8")])
            .status
            .success()
    );
    let gpx = common::root().join("fixtures/circuits/provins-remparts.gpx");
    assert!(db.import(&[&gpx], &[]).status.success());
    add_user(&db, "cc-provinois@77.fr", "editor", "247700065");
    add_user(&db, "ailleurs@77.fr", "editor", "200072130");
    let server = Server::start(&db, &[]);
    let base = &server.base;
    let id = poi_id(base, "provins-remparts", REMPARTS).await;
    let path = format!("/api/v1/admin/pois/{id}");
    let inside = Staff::login(base, "cc-provinois@77.fr").await;
    let (_, etag, record) = inside.get(&path).await;
    assert_eq!(
        record["communes"],
        json!(["77379", "247700065"]),
        "{record}"
    );
    let elsewhere = Staff::login(base, "ailleurs@77.fr").await;
    let fix = json!({ "description": "Texte revu par l'intercommunalité." });
    let (status, _) = elsewhere.patch(&path, etag.as_deref(), fix.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = inside.patch(&path, etag.as_deref(), fix).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}
