//! `balade media add` end to end: photos derived, stripped and served with long cache
//! headers; links attached; hostile files refused with the database untouched.

mod common;

use balade_import::media::testing::{photo_jpeg, with_exif};
use common::{Db, Server, stdout};
use serde_json::Value;

fn add(db: &Db, args: &[&str]) -> std::process::Output {
    let mut all = vec!["media", "add"];
    all.extend(args);
    db.balade(&all)
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[tokio::test]
async fn photos_are_derived_stripped_served_and_packaged() {
    let db = Db::new();
    let fixtures = common::root().join("fixtures/circuits");
    assert!(db.import(&[&fixtures], &[]).status.success());
    // A camera photo taken sideways (EXIF orientation 6), with a GPS position.
    let photo = db.dir.path().join("remparts.jpg");
    std::fs::write(&photo, with_exif(&photo_jpeg(2000, 1000), 6)).expect("write");
    let path = photo.to_str().expect("utf-8");
    let args = [
        "--circuit",
        "provins-remparts",
        path,
        "--alt",
        "Les remparts de Provins et la tour aux Engins",
        "--author",
        "Office de tourisme",
        "--license",
        "CC-BY-4.0",
    ];
    let out = add(&db, &args);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("320 px"), "{}", stdout(&out));
    // Attaching it again changes nothing but its texts.
    assert!(add(&db, &args).status.success());

    // Refusals: each with its reason, none writing anything.
    let corrupt = db.dir.path().join("coupee.jpg");
    let good = photo_jpeg(400, 300);
    std::fs::write(&corrupt, &good[..good.len() / 2]).expect("write");
    let text = db.dir.path().join("notes.jpg");
    std::fs::write(&text, "<script>alert(1)</script>").expect("write");
    for (args, reason) in [
        (
            vec![
                "--circuit",
                "provins-remparts",
                corrupt.to_str().expect("utf-8"),
                "--alt",
                "x",
            ],
            "truncated",
        ),
        (
            vec![
                "--circuit",
                "provins-remparts",
                text.to_str().expect("utf-8"),
                "--alt",
                "x",
            ],
            "not a JPEG, PNG or WebP",
        ),
        (vec!["--circuit", "provins-remparts", path], "needs --alt"),
        (
            vec!["--circuit", "nulle-part", path, "--alt", "x"],
            "no circuit `nulle-part`",
        ),
        (
            vec![
                "--circuit",
                "provins-remparts",
                "--video",
                "javascript:alert(1)",
            ],
            "not an http(s) link",
        ),
    ] {
        let out = add(&db, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stdout(&out));
        assert!(stderr(&out).contains(reason), "{args:?}: {}", stderr(&out));
    }
    let video = add(
        &db,
        &[
            "--circuit",
            "provins-remparts",
            "--video",
            "https://video.example/provins.mp4",
            "--title",
            "Visite",
        ],
    );
    assert!(video.status.success(), "{}", stderr(&video));

    let server = Server::start(&db, &[]);
    let sheet: Value = reqwest::get(format!("{}/api/v1/circuits/provins-remparts", server.base))
        .await
        .expect("sheet")
        .json()
        .await
        .expect("json");
    let media = sheet["properties"]["media"].as_array().expect("media");
    assert_eq!(media.len(), 2, "{media:?}");
    let photo = &media[0];
    assert_eq!(photo["kind"], "photo");
    assert_eq!(
        photo["alt"],
        "Les remparts de Provins et la tour aux Engins"
    );
    assert_eq!(photo["license"], "CC-BY-4.0");
    // Upright: the 2000 × 1000 sensor image stands 1000 wide, 2000 high.
    assert_eq!(
        (photo["width"].as_u64(), photo["height"].as_u64()),
        (Some(1000), Some(2000))
    );
    let widths: Vec<u64> = photo["sizes"]
        .as_array()
        .expect("sizes")
        .iter()
        .filter_map(|s| s["width"].as_u64())
        .collect();
    assert_eq!(widths, [320, 800, 1000]);
    assert_eq!(media[1]["kind"], "video");
    assert_eq!(media[1]["url"], "https://video.example/provins.mp4");

    let url = format!("{}{}", server.base, photo["url"].as_str().expect("url"));
    assert!(url.ends_with("/800.jpg"), "{url}");
    let response = reqwest::get(&url).await.expect("photo");
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "image/jpeg");
    assert!(
        headers["cache-control"]
            .to_str()
            .expect("ascii")
            .contains("immutable")
    );
    let etag = headers["etag"].to_str().expect("ascii").to_owned();
    let bytes = response.bytes().await.expect("bytes");
    let decoded = image::load_from_memory(&bytes).expect("a JPEG");
    assert_eq!((decoded.width(), decoded.height()), (800, 1600));
    assert!(!bytes.windows(4).any(|w| w == b"Exif"), "metadata stripped");
    let again = reqwest::Client::new()
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("conditional");
    assert_eq!(again.status(), 304);
    let missing = reqwest::get(format!("{}/media/m0000/800.jpg", server.base))
        .await
        .expect("get");
    assert_eq!(missing.status(), 404);

    // The offline package carries the phone-size photo, with its exact size.
    let manifest: Value = reqwest::get(format!(
        "{}/api/v1/circuits/provins-remparts/offline",
        server.base
    ))
    .await
    .expect("manifest")
    .json()
    .await
    .expect("json");
    let part = manifest["parts"]
        .as_array()
        .expect("parts")
        .iter()
        .find(|p| p["kind"] == "media")
        .expect("a media part");
    assert_eq!(part["url"], photo["url"]);
    assert_eq!(part["bytes"].as_u64(), Some(bytes.len() as u64));
}
