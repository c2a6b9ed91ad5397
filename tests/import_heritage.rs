//! `balade import ariane` end to end on the real inventory exports of `../shared/data`.

mod common;

use balade_core::geometry::distance_m;
use balade_core::projection::{Crs, resolve};
use balade_core::{LonLat, Poi, PoiKind};
use common::{Db, block_on, shared_data, stdout};
use std::io::Write;

fn pois(db: &Db) -> Vec<Poi> {
    block_on(async {
        let store = balade_core::store::open(&db.url).await.expect("open");
        store.all_pois().await.expect("pois")
    })
}

fn ariane(db: &Db, path: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["import", "ariane"];
    args.extend(extra);
    args.push(path.to_str().expect("utf-8"));
    db.balade(&args)
}

#[test]
fn the_gard_notices_land_in_their_communes() {
    let db = Db::new();
    let file = shared_data("heritage/pop-betagouv/GERTRUDE_xmlToMERIMEE_lexicovide.txt");
    let out = ariane(&db, &file, &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("13 notices (1 without usable location)"),
        "{text}"
    );
    assert!(
        text.ends_with("imported 13, updated 0, rejected 0\n"),
        "{text}"
    );
    let all = pois(&db);
    assert_eq!(all.len(), 13);
    assert!(all.iter().all(|p| p.kind == PoiKind::Heritage));
    // The trailing unnamed columns hold the next record's reference: none may leak into
    // a notice's fields.
    for p in &all {
        assert!(p.id.as_str().starts_with("IA300"), "{}", p.id);
        assert!(
            !p.details.provenance.contains_key(""),
            "{:?}",
            p.details.provenance
        );
        assert_eq!(p.insee.as_ref().map(|i| &i.as_str()[..2]), Some("30"));
    }
    // Every located notice is in the Gard; two checked against their commune's centre
    // (within the commune's extent).
    let by_id = |id: &str| all.iter().find(|p| p.id.as_str() == id).expect(id);
    for p in all.iter().filter_map(|p| p.pos) {
        assert!(
            (3.2..4.9).contains(&p.lon()) && (43.4..44.5).contains(&p.lat()),
            "{p:?}"
        );
    }
    let centre = |lon, lat| LonLat::new(lon, lat).expect("pos");
    let gallargues = by_id("IA30001143");
    assert_eq!(
        gallargues.commune.as_deref(),
        Some("Gallargues-le-Montueux")
    );
    assert!(distance_m(gallargues.pos.expect("pos"), centre(4.172, 43.717)) < 3_000.0);
    let beaucaire = by_id("IA30001105");
    assert!(distance_m(beaucaire.pos.expect("pos"), centre(4.644, 43.808)) < 6_000.0);
    // The one notice with an empty COOR is kept for search, without position.
    let unlocated = by_id("IA30001137");
    assert_eq!(unlocated.pos, None);
    assert!(!unlocated.name.is_empty());
    let coop = gallargues.details.denomination.as_deref();
    assert_eq!(coop, Some("coopérative vinicole"));
    assert!(
        gallargues
            .details
            .history
            .as_deref()
            .unwrap_or("")
            .contains("1928")
    );
}

#[test]
fn toulouse_is_imported_record_by_record_with_its_projections_resolved() {
    let db = Db::new();
    let file = shared_data("heritage/merimee_toulouse_rzine/base-merimee.geojson");
    // One notice holds a reference in its INSEE field: without --partial the file is
    // refused and nothing is written.
    let out = ariane(&db, &file, &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("notice 438: INSEE: malformed INSEE code `IA311`"),
        "{text}"
    );
    assert_eq!(db.counts(), (0, 0));

    let out = ariane(&db, &file, &["--partial"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.ends_with("imported 3173, updated 0, rejected 1\n"),
        "{text}"
    );
    let all = pois(&db);
    assert_eq!(all.len(), 3173);
    // Positions come from the inventory's projected fields: NTF Lambert III for most,
    // the mislabelled "Lambert 93" field (in fact CC43) where COOR is a placeholder.
    // They must agree with the WGS84 point the portal computed for the same record,
    // except for the few records whose own two projected fields disagree.
    let portal = |p: &Poi| {
        let text = p
            .details
            .provenance
            .get("geo_point_2d")
            .expect("portal point");
        let (lat, lon) = text.split_once(" ; ").expect("lat ; lon");
        LonLat::new(lon.parse().expect("lon"), lat.parse().expect("lat")).expect("pos")
    };
    let far = all
        .iter()
        .filter(|p| distance_m(p.pos.expect("every Toulouse record is located"), portal(p)) > 15.0)
        .count();
    assert!(
        far <= 10,
        "{far} records more than 15 m from the portal's point"
    );
    // The field labelled Lambert 93 is resolved as CC43 on every record, and lands
    // within a few metres of the portal's point but for a handful of noisy records.
    let (mut resolved, mut off) = (0, 0);
    for p in &all {
        let Some(text) = p.details.provenance.get("chpcoorlb93") else {
            continue;
        };
        let (x, y) = text.split_once(" ; ").expect("x ; y");
        let (crs, pos) = resolve(
            Some(Crs::Lambert93),
            x.parse().expect("x"),
            y.parse().expect("y"),
        )
        .expect("resolved");
        assert_eq!(crs, Crs::Cc(43));
        off += usize::from(distance_m(pos, portal(p)) > 5.0);
        resolved += 1;
    }
    assert!(
        resolved > 3_100 && off <= 10,
        "{resolved} resolved, {off} off"
    );

    // Importing again changes nothing, and says so: every record unchanged.
    let out = ariane(&db, &file, &["--partial"]);
    let text = stdout(&out);
    assert!(text.contains("unchanged 3173"), "{text}");
    assert!(
        text.ends_with("imported 0, updated 0, rejected 1\n"),
        "{text}"
    );
    assert_eq!(pois(&db).len(), 3173);
}

fn fingerprint(db: &Db) -> balade_core::store::copy::Fingerprint {
    block_on(async {
        let store = balade_core::store::open(&db.url).await.expect("open");
        balade_core::store::copy::fingerprint(store.as_ref())
            .await
            .expect("fingerprint")
    })
}

#[test]
fn the_plan_of_the_toulouse_export_writes_nothing_and_names_the_field_edited() {
    let db = Db::new();
    let file = shared_data("heritage/merimee_toulouse_rzine/base-merimee.geojson");
    let empty = fingerprint(&db);
    let out = ariane(&db, &file, &["--dry-run", "--partial"]);
    let text = stdout(&out);
    assert!(
        text.contains("plan: create 3173, update 0, unchanged 0, delete 0, rejected 1"),
        "{text}"
    );
    assert!(text.ends_with("dry run: nothing written\n"), "{text}");
    assert!(!text.contains("imported"), "{text}");
    assert_eq!(fingerprint(&db), empty, "a dry run writes nothing");

    // After the real import, a second plan finds everything unchanged.
    assert_eq!(ariane(&db, &file, &["--partial"]).status.code(), Some(2));
    let imported = fingerprint(&db);
    let text = stdout(&ariane(&db, &file, &["--dry-run", "--partial"]));
    assert!(
        text.contains("plan: create 0, update 0, unchanged 3173, delete 0, rejected 1"),
        "{text}"
    );
    assert_eq!(fingerprint(&db), imported);

    // One field of one notice edited in a copy: exactly one update, naming that field.
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).expect("read")).expect("json");
    let props = &mut doc["features"][0]["properties"];
    let old = props["chphist"].as_str().expect("history").to_owned();
    props["chphist"] = serde_json::Value::from(format!("{old} Restauré en 2025."));
    let copy = db.dir.path().join("base-merimee-revue.geojson");
    std::fs::write(&copy, doc.to_string()).expect("write");
    let text = stdout(&ariane(&db, &copy, &["--dry-run", "--diff", "--partial"]));
    assert!(
        text.contains("plan: create 0, update 1, unchanged 3172, delete 0, rejected 1"),
        "{text}"
    );
    let updates: Vec<&str> = text.lines().filter(|l| l.starts_with("update ")).collect();
    assert_eq!(updates.len(), 1, "{text}");
    assert!(
        text.contains("    history: ") && text.contains("Restauré en 2025.\""),
        "{text}"
    );
    let fields: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("    "))
        .map(|l| l.trim_start().split(':').next().unwrap_or(""))
        .collect();
    assert_eq!(fields, ["history", "provenance.chphist"], "{text}");
    assert_eq!(fingerprint(&db), imported);
}

#[test]
fn the_pop_notice_without_coordinates_is_kept_unlocated() {
    let db = Db::new();
    let file = shared_data("heritage/pop-betagouv/pop-notice-PA00078014.json");
    let out = ariane(&db, &file, &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("1 records without usable location"), "{text}");
    let all = pois(&db);
    let p = &all[0];
    assert_eq!(p.id.as_str(), "PA00078014");
    assert_eq!(p.name, "Chapelle Saint-Avit");
    assert_eq!(p.pos, None, "0/0 and empty points are no location");
    assert_eq!(p.commune.as_deref(), Some("Aix-en-Othe"));
    assert_eq!(p.details.period.as_deref(), Some("15e siècle ; 16e siècle"));
    assert_eq!(
        p.details.protection.as_deref(),
        Some("1975/01/28 : inscrit MH")
    );
}

#[test]
fn a_windows_1252_semicolon_export_with_hostile_html_imports_cleanly() {
    let db = Db::new();
    let mut f = tempfile::Builder::new()
        .suffix(".csv")
        .tempfile()
        .expect("temp");
    let text = "REF;TICO;COM;INSEE;ZONE;COOR;HIST\n\
        PA77000001;Église Saint-Ayoul;Provins;77379;Lambert93;\"0728950;6826350\";<img src=x onerror=alert(1)>Fondée au <b>XIe</b> siècle\n\
        PA77000002;Lavoir;Provins;77379;Lambert93;X ; Y;\n";
    let (latin, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    f.write_all(&latin).expect("write");
    let out = ariane(&db, f.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let all = pois(&db);
    let church = all
        .iter()
        .find(|p| p.id.as_str() == "PA77000001")
        .expect("church");
    assert_eq!(church.name, "Église Saint-Ayoul");
    let history = church.details.history.as_deref().expect("history");
    assert!(history.contains("XIe siècle") && !history.contains('<') && !history.contains("alert"));
    let lavoir = all
        .iter()
        .find(|p| p.id.as_str() == "PA77000002")
        .expect("lavoir");
    assert_eq!(lavoir.pos, None);
}

#[tokio::test]
async fn sheets_list_the_notices_within_their_kind_corridor() {
    let db = Db::new();
    let fixtures = common::root().join("fixtures/circuits");
    assert!(db.import(&[&fixtures], &[]).status.success());
    // Three notices near the Provins loop: about 77 m, 224 m and 305 m from the trace.
    let file = db.dir.path().join("provins.csv");
    std::fs::write(
        &file,
        "REF;TICO;COM;INSEE;ZONE;COOR\n\
         PA77000101;Grange aux dîmes;Provins;77379;WGS84;\"48.5622;3.2790\"\n\
         PA77000102;Lavoir du Durteint;Provins;77379;WGS84;\"48.5612;3.2736\"\n\
         PA77000103;Moulin de la Ruelle;Provins;77379;WGS84;\"48.5612;3.2722\"\n",
    )
    .expect("write");
    let out = ariane(&db, &file, &["--delimiter", ";"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let listed = |server: &common::Server| {
        let url = format!("{}/api/v1/circuits/provins-remparts", server.base);
        async move {
            let sheet: serde_json::Value = reqwest::get(url)
                .await
                .expect("get")
                .json()
                .await
                .expect("json");
            let along = sheet["properties"]["pois_along"]
                .as_array()
                .expect("pois_along")
                .clone();
            let names: Vec<String> = along
                .iter()
                .filter(|p| {
                    p["kind"] == "heritage"
                        && p["id"].as_str().is_some_and(|i| i.starts_with("PA77"))
                })
                .map(|p| p["name"].as_str().unwrap_or_default().to_owned())
                .collect();
            (names, along)
        }
    };
    // The default corridor is 150 m: only the barn.
    let server = common::Server::start(&db, &[]);
    let (names, along) = listed(&server).await;
    assert_eq!(names, ["Grange aux dîmes"]);
    let barn = along
        .iter()
        .find(|p| p["name"] == "Grange aux dîmes")
        .expect("barn");
    let offset = barn["offset_m"].as_f64().expect("offset");
    assert!((60.0..95.0).contains(&offset), "{offset}");
    // Still in walking order with the circuit's own waypoints.
    let distances: Vec<f64> = along
        .iter()
        .filter_map(|p| p["distance_m"].as_f64())
        .collect();
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");
    drop(server);
    // A wider heritage corridor takes the wash-house too, not the mill.
    let server = common::Server::start(&db, &["--corridor", "heritage=250"]);
    let (names, _) = listed(&server).await;
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&"Lavoir du Durteint".to_owned()));
}

#[test]
fn hostile_names_reach_no_spreadsheet_as_formulas_and_dotted_ids_are_refused() {
    let db = Db::new();
    let file = db.dir.path().join("inventaire.txt");
    std::fs::write(
        &file,
        "REF|TICO|COM|INSEE|ZONE|COOR\n\
         PA77000001|=HYPERLINK(\"http://evil.example\",\"Cliquez\")|Provins|77379|Lambert93|0728950;6826350\n\
         ..|Lavoir|Provins|77379|Lambert93|0728960;6826360\n",
    )
    .expect("write");
    let out = ariane(&db, &file, &["--partial"]);
    let text = stdout(&out);
    assert!(text.contains("REF: malformed id `..`"), "{text}");
    assert_eq!(pois(&db).len(), 1);
    let csv = db.dir.path().join("all.csv");
    let out = db.balade(&["export", "csv", "--out", csv.to_str().expect("utf-8")]);
    assert!(out.status.success(), "{}", stdout(&out));
    let written = std::fs::read_to_string(&csv).expect("csv");
    assert!(
        written.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Cliquez\"\")\""),
        "{written}"
    );
    assert!(
        !written.contains(",=HYPERLINK") && !written.contains(",\"=HYPERLINK"),
        "{written}"
    );
}
