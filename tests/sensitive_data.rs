//! The sensitivity list end to end: a strict owl and a sensitive orchid brought by every
//! importer that can carry a taxon (Darwin Core occurrences, GBIF- and TAXREF-keyed; GPX
//! waypoints; Geotrek POIs), then every public output read as a stranger would (API,
//! sheet, offline manifest, its parts and its zip, downloads, guidance input, push, open
//! data exports). The test fails if any holds a position closer than the level allows
//! (anything within 100 m of where the owl or the orchid was seen or placed), a grid cell
//! of theirs, or the owl at all.
//!
//! Controls keep the test honest: a roe deer waypoint and a hoopoe, not listed, must be
//! found by the same checks.

mod common;

use balade_core::LonLat;
use balade_core::projection::to_lambert93;
use balade_core::species::{cell_code, cell_of};
use common::{Db, Server, stdout};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use std::io::Read;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

/// Where the owl and the orchid were seen, and where the POIs naming them stand.
const OWL_SEEN: [(f64, f64); 2] = [(2.70012, 48.44160), (2.70095, 48.44171)];
const ORCHID_SEEN: (f64, f64) = (2.71523, 48.43853);
const OWL_WAYPOINT: (f64, f64) = (2.70533, 48.44128);
const ORCHID_WAYPOINT: (f64, f64) = (2.72034, 48.43870);
const OWL_GEOTREK: (f64, f64) = (2.69531, 48.44122);
const ORCHID_GEOTREK: (f64, f64) = (2.73521, 48.43880);
/// Controls, not on the list.
const ROE_WAYPOINT: (f64, f64) = (2.71012, 48.44127);
const HOOPOE_SEEN: (f64, f64) = (2.73012, 48.44290);
/// The trace runs along this parallel, 130 m or more from every sensitive position.
const TRACE_LAT: f64 = 48.4400;

/// Closer than this to a sensitive position is a leak.
const LEAK_M: f64 = 100.0;

fn sensitive_positions() -> Vec<(f64, f64)> {
    let mut all = OWL_SEEN.to_vec();
    all.extend([
        ORCHID_SEEN,
        OWL_WAYPOINT,
        ORCHID_WAYPOINT,
        OWL_GEOTREK,
        ORCHID_GEOTREK,
    ]);
    all
}

fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let dy = (a.1 - b.1) * 111_195.0;
    let dx = (a.0 - b.0) * 111_195.0 * a.1.to_radians().cos();
    dx.hypot(dy)
}

/// Every pair of consecutive decimal numbers in `body` (in either order) that lies
/// within `LEAK_M` of one of `positions`.
fn positions_near(body: &str, positions: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut numbers = Vec::new();
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
            i += 1;
        }
        if i > start {
            if let Ok(n) = body[start..i].parse::<f64>() {
                numbers.push(n);
            }
        } else {
            i += 1;
        }
    }
    let mut found = Vec::new();
    for w in numbers.windows(2) {
        for candidate in [(w[0], w[1]), (w[1], w[0])] {
            if positions.iter().any(|p| distance_m(candidate, *p) < LEAK_M) {
                found.push(candidate);
            }
        }
    }
    found
}

/// The 1 km and 10 km cells of a position.
fn cells(p: (f64, f64)) -> [String; 2] {
    let (x, y) = to_lambert93(LonLat::new(p.0, p.1).expect("pos")).expect("lambert");
    [1_000, 10_000].map(|size| {
        let (cx, cy) = cell_of(x, y, size);
        cell_code(size, cx, cy)
    })
}

fn write(db: &Db, name: &str, text: &str) -> std::path::PathBuf {
    let path = db.dir.path().join(name);
    std::fs::write(&path, text).expect("write");
    path
}

fn import(db: &Db, args: &[&str]) {
    let out = db.balade(args);
    assert!(
        out.status.success(),
        "{args:?}: {}{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The data, as each source would give it.
fn import_everything(db: &Db) {
    let list = write(db, "sensibles.csv", "taxon;level\nBubo bubo;2\n110987;1\n");
    // A GBIF download: the name carries its authorship, the keys are GBIF's.
    let gbif = write(
        db,
        "gbif.csv",
        &format!(
            "gbifID\toccurrenceID\tscientificName\ttaxonKey\tspeciesKey\tkingdom\tclass\teventDate\tdecimalLatitude\tdecimalLongitude\n\
             1\tgbif-1\tBubo bubo (Linnaeus, 1758)\t2497915\t2497915\tAnimalia\tAves\t2025-03-02\t{}\t{}\n\
             2\tgbif-2\tUpupa epops Linnaeus, 1758\t2498124\t2498124\tAnimalia\tAves\t2025-05-10\t{}\t{}\n",
            OWL_SEEN[0].1, OWL_SEEN[0].0, HOOPOE_SEEN.1, HOOPOE_SEEN.0
        ),
    );
    // A naturalists' atlas: TAXREF numbers, names in capitals, French names.
    let atlas = write(
        db,
        "atlas.csv",
        &format!(
            "occurrenceID,scientificName,vernacularName,cd_nom,cd_ref,kingdom,class,eventDate,decimalLatitude,decimalLongitude\n\
             atlas-1,BUBO BUBO,Grand-duc d'Europe,3493,3493,Animalia,Aves,2024-02-11,{},{}\n\
             atlas-2,Orchis purpurea Huds.,Orchis pourpre,110987,110987,Plantae,Liliopsida,2024-05-20,{},{}\n",
            OWL_SEEN[1].1, OWL_SEEN[1].0, ORCHID_SEEN.1, ORCHID_SEEN.0
        ),
    );
    import(
        db,
        &[
            "import",
            "biodiversity",
            "--sensitive",
            list.to_str().expect("utf-8"),
            gbif.to_str().expect("utf-8"),
            atlas.to_str().expect("utf-8"),
        ],
    );
    // A circuit whose waypoints name the animals by their French names only.
    let wpt = |p: (f64, f64), kind: &str, name: &str, desc: &str| {
        format!(
            "<wpt lat=\"{}\" lon=\"{}\"><ele>110</ele><name>{name}</name><desc>{desc}</desc><type>{kind}</type></wpt>\n",
            p.1, p.0
        )
    };
    let track: String = (0..=10)
        .map(|i| {
            format!(
                "<trkpt lat=\"{TRACE_LAT:.4}\" lon=\"{:.4}\"><ele>{}</ele></trkpt>\n",
                2.6900 + 0.005 * f64::from(i),
                100 + i
            )
        })
        .collect();
    let gpx = write(
        db,
        "sensible.gpx",
        &format!(
            "<?xml version=\"1.0\"?>\n<gpx version=\"1.1\" creator=\"t\" xmlns=\"http://www.topografix.com/GPX/1/1\">\n\
             <metadata><name>Falaises et pelouses</name><desc>Une boucle entre rochers et pelouses calcaires.</desc></metadata>\n\
             {}{}{}<trk><name>Falaises</name><trkseg>\n{track}</trkseg></trk>\n</gpx>\n",
            wpt(
                OWL_WAYPOINT,
                "faune",
                "Grand-duc d'Europe",
                "Un couple niche dans la falaise."
            ),
            wpt(
                ORCHID_WAYPOINT,
                "flore",
                "Orchis pourpre",
                "Une station sur la pelouse."
            ),
            wpt(
                ROE_WAYPOINT,
                "faune",
                "Chevreuils",
                "Ils traversent souvent ici au crépuscule."
            ),
        ),
    );
    import(db, &["import", "gpx", gpx.to_str().expect("utf-8")]);
    // A park's Geotrek POIs, naming the taxa by their scientific names.
    let geotrek_poi = |id: u32, p: (f64, f64), label: &str, name: &str| {
        serde_json::json!({
            "id": id, "uuid": format!("poi-{id}"),
            "name": {"fr": name}, "description": {"fr": "<p>À observer de loin.</p>"},
            "type_label": {"fr": label}, "published": {"fr": true},
            "geometry": {"type": "Point", "coordinates": [p.0, p.1, 110.0]}
        })
    };
    let page = serde_json::json!({ "count": 2, "results": [
        geotrek_poi(1, OWL_GEOTREK, "Faune", "Aire de Bubo bubo"),
        geotrek_poi(2, ORCHID_GEOTREK, "Flore", "Orchis purpurea"),
    ]});
    let geotrek = write(db, "poi.json", &page.to_string());
    import(db, &["import", "tourism", geotrek.to_str().expect("utf-8")]);
}

async fn get(url: &str) -> (u16, Vec<u8>) {
    let r = reqwest::get(url).await.expect("request");
    let status = r.status().as_u16();
    (status, r.bytes().await.expect("body").to_vec())
}

async fn text(url: &str) -> String {
    let (status, body) = get(url).await;
    assert_eq!(status, 200, "{url}");
    String::from_utf8(body).expect("utf-8")
}

/// What a stranger can read, as (what, body) pairs.
async fn public_outputs(
    db: &Db,
    base: &str,
    circuit: &str,
    poi_ids: &[String],
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut read = |what: String, body: String| out.push((what, body));
    read(
        "list".into(),
        text(&format!("{base}/api/v1/circuits")).await,
    );
    for path in ["", "/species", "/profile", "/guide"] {
        let url = format!("{base}/api/v1/circuits/{circuit}{path}");
        read(url.clone(), text(&url).await);
    }
    for format in ["gpx", "kml", "geojson"] {
        let url = format!("{base}/api/v1/circuits/{circuit}/download?format={format}");
        read(url.clone(), text(&url).await);
    }
    let manifest_url = format!("{base}/api/v1/circuits/{circuit}/offline");
    let manifest = text(&manifest_url).await;
    let parts: Value = serde_json::from_str(&manifest).expect("manifest");
    read(manifest_url.clone(), manifest);
    for part in parts["parts"].as_array().expect("parts") {
        let url = format!("{base}{}", part["url"].as_str().expect("url"));
        let (status, body) = get(&url).await;
        assert_eq!(status, 200, "{url}");
        read(url, String::from_utf8_lossy(&body).into_owned());
    }
    let (status, zipped) = get(&format!("{manifest_url}?format=zip")).await;
    assert_eq!(status, 200);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(zipped)).expect("zip");
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).expect("entry");
        let mut body = Vec::new();
        entry.read_to_end(&mut body).expect("read");
        read(
            format!("zip:{}", entry.name().expect("name")),
            String::from_utf8_lossy(&body).into_owned(),
        );
    }
    for p in sensitive_positions() {
        for url in [
            format!(
                "{base}/api/v1/pois/nearby?lon={}&lat={}&radius=3000",
                p.0, p.1
            ),
            format!("{base}/api/v1/species?near={},{}&radius=3000", p.0, p.1),
        ] {
            read(url.clone(), text(&url).await);
        }
    }
    for id in poi_ids {
        let url = format!("{base}/api/v1/pois/{id}");
        let (status, body) = get(&url).await;
        read(
            format!("{url} ({status})"),
            String::from_utf8_lossy(&body).into_owned(),
        );
    }
    for format in ["geojson", "gpx", "csv", "schema-randonnee"] {
        let file = db.dir.path().join(format!("export.{format}"));
        import(
            db,
            &["export", format, "--out", file.to_str().expect("utf-8")],
        );
        read(
            format!("export {format}"),
            std::fs::read_to_string(&file).expect("export"),
        );
    }
    out
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Sends `message` and gathers what comes back within a moment.
async fn exchange(socket: &mut Socket, message: Value, into: &mut Vec<String>) {
    socket
        .send(Message::text(message.to_string()))
        .await
        .expect("send");
    // Fixes are rate-limited: one every 300 ms is well within the limit.
    tokio::time::sleep(Duration::from_millis(300)).await;
    while let Ok(Some(Ok(Message::Text(m)))) =
        tokio::time::timeout(Duration::from_millis(200), socket.next()).await
    {
        into.push(m.to_string());
    }
}

/// What the push channel tells a walker standing at each sensitive position (and at
/// the roe deer's), without a circuit; then following the circuit along its trace.
async fn pushed(base: &str, circuit: &str) -> Vec<String> {
    let ws = base.replacen("http", "ws", 1);
    let (mut socket, _) = tokio_tungstenite::connect_async(format!("{ws}/api/v1/push"))
        .await
        .expect("websocket");
    let mut messages = Vec::new();
    let mut walk: Vec<(f64, f64)> = sensitive_positions();
    walk.push(ROE_WAYPOINT);
    for p in walk {
        let fix = serde_json::json!({"lon": p.0, "lat": p.1, "accuracy": 5.0});
        exchange(&mut socket, fix, &mut messages).await;
    }
    let follow = serde_json::json!({ "circuit": circuit });
    exchange(&mut socket, follow, &mut messages).await;
    for i in 0..=10 {
        let fix = serde_json::json!({
            "lon": 2.69 + 0.005 * f64::from(i), "lat": TRACE_LAT, "accuracy": 5.0,
            "t": f64::from(i) * 60.0
        });
        exchange(&mut socket, fix, &mut messages).await;
    }
    messages
}

#[tokio::test]
async fn no_public_output_places_a_sensitive_taxon_closer_than_its_level_allows() {
    let db = Db::new();
    import_everything(&db);
    let store = balade_core::store::open(&db.url).await.expect("open");
    let pois = store.all_pois().await.expect("pois");
    let id_of = |name: &str| {
        pois.iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("{name} not imported"))
            .id
            .to_string()
    };
    let owl_ids = [id_of("Grand-duc d'Europe"), id_of("Aire de Bubo bubo")];
    let orchid_ids = [id_of("Orchis pourpre"), id_of("Orchis purpurea")];
    let roe = id_of("Chevreuils");
    let poi_ids: Vec<String> = pois.iter().map(|p| p.id.to_string()).collect();

    let server = Server::start(&db, &[]);
    let base = &server.base;
    let circuits: Value =
        serde_json::from_str(&text(&format!("{base}/api/v1/circuits")).await).expect("circuits");
    let circuit = circuits["features"][0]["id"]
        .as_str()
        .expect("the circuit is published")
        .to_owned();
    let outputs = public_outputs(&db, base, &circuit, &poi_ids).await;
    let messages = pushed(base, &circuit).await;

    // No position within 100 m of the owl or the orchid, anywhere.
    let sensitive = sensitive_positions();
    for (what, body) in &outputs {
        let near = positions_near(body, &sensitive);
        assert!(near.is_empty(), "{what} places a sensitive taxon: {near:?}");
    }
    // No cell of theirs is named, at any size.
    let secret_cells: Vec<String> = [OWL_SEEN[0], OWL_SEEN[1], ORCHID_SEEN]
        .into_iter()
        .flat_map(cells)
        .collect();
    for (what, body) in &outputs {
        for cell in &secret_cells {
            assert!(!body.contains(cell.as_str()), "{what} names cell {cell}");
        }
    }
    // The strict owl is nowhere: not by its names, not by its POIs' ids.
    for (what, body) in &outputs {
        for name in ["Bubo", "BUBO", "Grand-duc"] {
            assert!(!body.contains(name), "{what} shows the strict owl ({name})");
        }
        for id in &owl_ids {
            assert!(
                !body.contains(&format!("\"{id}\"")),
                "{what} shows the strict owl's POI {id}"
            );
        }
    }
    for m in &messages {
        for id in owl_ids.iter().chain(&orchid_ids) {
            assert!(!m.contains(&format!("\"{id}\"")), "push told {m}");
        }
        assert!(positions_near(m, &sensitive).is_empty(), "push placed: {m}");
    }
    // The owl's POIs are answered as unknown; the orchid's keep their text, no position.
    for id in &owl_ids {
        let (status, _) = get(&format!("{base}/api/v1/pois/{id}")).await;
        assert_eq!(status, 404, "strict POI {id}");
    }
    for id in &orchid_ids {
        let poi: Value =
            serde_json::from_str(&text(&format!("{base}/api/v1/pois/{id}")).await).expect("poi");
        assert!(poi["geometry"].is_null(), "{poi}");
        assert!(poi["properties"]["name"].as_str().is_some(), "{poi}");
    }
    // The orchid is listed around where it grows, as sensitive, with no cell.
    let around: Value = serde_json::from_str(
        &text(&format!(
            "{base}/api/v1/species?near={},{}&radius=500",
            ORCHID_SEEN.0, ORCHID_SEEN.1
        ))
        .await,
    )
    .expect("species");
    let orchid = around["species"]
        .as_array()
        .expect("species")
        .iter()
        .find(|s| s["scientific_name"] == "Orchis purpurea Huds.")
        .unwrap_or_else(|| panic!("orchid not listed: {around}"));
    assert_eq!(orchid["sensitive"], true);
    assert_eq!(orchid["cells"], serde_json::json!([]));

    // Controls: the same checks find what is not sensitive.
    let sheet = &outputs
        .iter()
        .find(|(what, _)| what.ends_with(&format!("/circuits/{circuit}")))
        .expect("sheet")
        .1;
    assert!(
        !positions_near(sheet, &[ROE_WAYPOINT]).is_empty(),
        "the roe deer is on the sheet at its place"
    );
    assert!(
        sheet.contains(&format!("\"{roe}\"")),
        "the roe deer is along the circuit"
    );
    assert!(
        messages.iter().any(|m| m.contains(&format!("\"{roe}\""))),
        "push tells the roe deer: {messages:?}"
    );
    let [hoopoe_km, _] = cells(HOOPOE_SEEN);
    let hoopoe_seen = outputs.iter().any(|(_, body)| body.contains(&hoopoe_km));
    assert!(hoopoe_seen, "the hoopoe's 1 km cell {hoopoe_km} is public");
}
