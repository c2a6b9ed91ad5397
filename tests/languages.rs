//! Content in French and English: Geotrek treks bring their English texts and practical
//! information; `?lang=` and `Accept-Language` choose, French fills what is missing.

mod common;

use common::{Db, Server, shared_data, stdout};
use serde_json::Value;

async fn get(url: &str, accept: Option<&str>) -> Value {
    let mut req = reqwest::Client::new().get(url);
    if let Some(a) = accept {
        req = req.header("accept-language", a);
    }
    let r = req.send().await.expect("get");
    assert!(r.status().is_success(), "{url}: {}", r.status());
    r.json().await.expect("json")
}

#[tokio::test]
async fn texts_follow_the_language_asked_with_french_as_fallback() {
    let db = Db::new();
    let page = shared_data("trails/geotrek-admin/trekking/geotrek_parser_v2/trek.json");
    let out = db.balade(&["import", "circuits", page.to_str().expect("utf-8")]);
    assert!(out.status.success(), "{}", stdout(&out));
    let server = Server::start(&db, &[]);
    let base = &server.base;
    let list = get(&format!("{base}/api/v1/circuits?lang=fr"), None).await;
    let id = list["features"]
        .as_array()
        .expect("features")
        .iter()
        .find(|f| f["properties"]["name"] == "Boucle du Pic des Trois Seigneurs")
        .and_then(|f| f["id"].as_str())
        .expect("the trek")
        .to_owned();
    let sheet = format!("{base}/api/v1/circuits/{id}");
    let fr = get(&sheet, None).await;
    assert_eq!(fr["properties"]["lang"], "fr");
    assert_eq!(
        fr["properties"]["name"],
        "Boucle du Pic des Trois Seigneurs"
    );
    // Practical information comes with the trek, as plain text.
    assert_eq!(
        fr["properties"]["practical"]["parking"],
        "Avant le Port de Lers"
    );
    let advice = fr["properties"]["practical"]["recommendations"]
        .as_str()
        .expect("advice");
    assert!(
        advice.contains("orage") && !advice.contains('<'),
        "{advice}"
    );

    for en in [
        get(&format!("{sheet}?lang=en"), None).await,
        get(&sheet, Some("en-GB,en;q=0.9")).await,
    ] {
        assert_eq!(en["properties"]["lang"], "en");
        let name = en["properties"]["name"].as_str().expect("name");
        assert!(name.starts_with("Loop of the pic"), "{name}");
        // No English description in the source: the French one stands in, and the
        // sheet says so.
        assert_eq!(
            en["properties"]["description"],
            fr["properties"]["description"]
        );
        assert_eq!(en["properties"]["content_lang"], "fr");
    }
    let en_list = get(&format!("{base}/api/v1/circuits"), Some("en")).await;
    assert!(
        en_list["features"]
            .as_array()
            .expect("features")
            .iter()
            .any(|f| f["properties"]["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("Loop of the pic"))),
        "{en_list}"
    );
    // Search covers the English texts too.
    let found = get(&format!("{base}/api/v1/circuits?q=lords"), None).await;
    assert_eq!(found["total"], 1, "{found}");
    let bad = reqwest::get(format!("{sheet}?lang=de")).await.expect("get");
    assert_eq!(bad.status(), 400);
    // Offline packages are built in the language asked.
    let manifest = get(&format!("{sheet}/offline?lang=en"), None).await;
    assert_eq!(manifest["lang"], "en");
}

#[tokio::test]
async fn poi_texts_follow_the_language_asked() {
    let db = Db::new();
    let file = shared_data("trails/geotrek-admin/trekking/apidae_poi_parser/a_poi.json");
    let out = db.balade(&["import", "tourism", file.to_str().expect("utf-8")]);
    assert!(out.status.success(), "{}", stdout(&out));
    let server = Server::start(&db, &[]);
    let base = &server.base;
    let near = "lon=3.372365&lat=45.392244&radius=50";
    let fr = get(&format!("{base}/api/v1/pois/nearby?{near}"), None).await;
    let hit = &fr["features"][0];
    assert_eq!(hit["properties"]["name"], "Un point d'intérêt", "{fr}");
    let en = get(&format!("{base}/api/v1/pois/nearby?{near}"), Some("en")).await;
    assert_eq!(
        en["features"][0]["properties"]["name"],
        "A point of interest"
    );

    let id = hit["id"].as_str().expect("id");
    let one = format!("{base}/api/v1/pois/{id}");
    let fr = get(&one, None).await;
    assert_eq!(
        fr["properties"]["description"],
        "La description courte en français."
    );
    for en in [
        get(&format!("{one}?lang=en"), None).await,
        get(&one, Some("en-US")).await,
    ] {
        assert_eq!(en["properties"]["name"], "A point of interest");
        assert_eq!(
            en["properties"]["description"],
            "The short description in english."
        );
        // The answer is in one language: the other texts are not repeated.
        assert!(en["properties"]["details"].get("translations").is_none());
    }
    let bad = reqwest::get(format!("{one}?lang=xx")).await.expect("get");
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn an_apidae_trek_brings_its_season_and_english_texts() {
    let db = Db::new();
    let file = shared_data("trails/geotrek-admin/trekking/apidae_trek_parser/a_trek.json");
    let out = db.balade(&["import", "circuits", file.to_str().expect("utf-8")]);
    assert!(out.status.success(), "{}", stdout(&out));
    let server = Server::start(&db, &[]);
    let sheet = format!("{}/api/v1/circuits/apidae-123123", server.base);
    let fr = get(&sheet, None).await;
    let season = fr["properties"]["practical"]["best_season"]
        .as_str()
        .expect("best season");
    assert!(season.starts_with("Ouvert toute l'année"), "{season}");
    assert_eq!(fr["properties"]["type"], "loop");
    let en = get(&sheet, Some("en")).await;
    assert_eq!(en["properties"]["name"], "A great hike to test");
    // Practical information in English where the source has it, French where not.
    let practical = &en["properties"]["practical"];
    let season = practical["best_season"].as_str().expect("best season");
    assert!(season.starts_with("Open all year long"), "{season}");
    assert_eq!(practical["recommendations"], "Avoid after heavy rain.");
    assert_eq!(
        practical["parking"],
        fr["properties"]["practical"]["parking"]
    );
    assert_eq!(practical["parking"], "Parking sur la place du village");
}
