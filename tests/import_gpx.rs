//! `balade import gpx` end to end: the real binary, real files, a real SQLite file.

mod common;

use common::{Db, shared_data, stdout, summary};
use std::path::{Path, PathBuf};

fn gpx_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            out.extend(gpx_files(&p));
        } else if p.extension().is_some_and(|x| x == "gpx" || x == "xml") {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn every_real_gpx_file_imports_or_is_refused_with_a_reason() {
    let files = gpx_files(&shared_data("gpx"));
    assert!(files.len() > 50, "{} files", files.len());
    for file in &files {
        let db = Db::new();
        let out = db.import(&[file], &[]);
        let code = out.status.code();
        assert!(
            matches!(code, Some(0) | Some(2)),
            "{}: exit {code:?}\n{}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let (imported, updated, rejected) = summary(&out);
        assert_eq!(updated, 0);
        let text = stdout(&out);
        if rejected == 0 {
            assert_eq!(code, Some(0));
            assert!(imported >= 1, "{}: nothing imported", file.display());
            assert_eq!(db.counts().0, 1, "{}: one circuit per file", file.display());
        } else {
            assert_eq!(code, Some(2));
            let name = file.to_str().expect("utf-8");
            let line = text
                .lines()
                .find(|l| l.starts_with("rejected: "))
                .expect("a rejection line");
            assert!(line.contains(name), "{line}");
            assert!(
                line.len() > "rejected: ".len() + name.len() + 5,
                "a reason: {line}"
            );
            assert_eq!(
                db.counts(),
                (0, 0),
                "{}: a refused file writes nothing",
                file.display()
            );
        }
    }
}

#[test]
fn the_malformed_file_is_located() {
    let db = Db::new();
    let out = db.import(
        &[&shared_data("gpx/crate-gpx-0.10.0/badcharacter.xml")],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let text = stdout(&out);
    assert!(
        text.contains("badcharacter.xml:1:5: malformed XML"),
        "{text}"
    );
}

#[test]
fn folder_import_is_idempotent() {
    let db = Db::new();
    let fixtures = common::root().join("fixtures/circuits");
    let first = db.import(&[&fixtures], &[]);
    assert_eq!(first.status.code(), Some(0), "{}", stdout(&first));
    let (imported, updated, rejected) = summary(&first);
    let counts = db.counts();
    assert_eq!(imported, counts.0 + counts.1);
    assert_eq!((updated, rejected), (0, 0));
    assert!(counts.0 >= 6 && counts.1 >= 40, "{counts:?}");

    // The same files again: every record is unchanged, and nothing is written.
    let second = db.import(&[&fixtures], &[]);
    assert_eq!(summary(&second), (0, 0, 0));
    assert!(
        stdout(&second).contains(&format!(
            "plan: create 0, update 0, unchanged {imported}, delete 0, rejected 0"
        )),
        "{}",
        stdout(&second)
    );
    assert_eq!(db.counts(), counts, "re-import duplicates nothing");
}

const GOOD_TRACK: &str = r#"<trk><name>Test</name><trkseg>
<trkpt lat="48.40" lon="2.70"><ele>60</ele></trkpt>
<trkpt lat="48.41" lon="2.71"><ele>70</ele></trkpt>
</trkseg></trk>"#;

fn write_gpx(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    let text = format!(
        "<?xml version=\"1.0\"?>\n<gpx version=\"1.1\" creator=\"t\" xmlns=\"http://www.topografix.com/GPX/1/1\">\n{body}\n</gpx>\n"
    );
    std::fs::write(&path, text).expect("write");
    path
}

#[test]
fn bad_waypoint_refuses_the_file_unless_partial() {
    let db = Db::new();
    let body = format!(
        "<wpt lat=\"48.405\" lon=\"2.705\"><name>Bon</name></wpt>\n<wpt lat=\"123\" lon=\"2.7\"><name>Mauvais</name></wpt>\n{GOOD_TRACK}"
    );
    let file = write_gpx(db.dir.path(), "mixte.gpx", &body);

    let out = db.import(&[&file], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(summary(&out), (0, 0, 1));
    assert!(
        stdout(&out).contains("mixte.gpx:4:1: wpt: `lat` 123 is outside -90..90"),
        "{}",
        stdout(&out)
    );
    assert_eq!(db.counts(), (0, 0));

    let out = db.import(&[&file], &["--partial"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a rejection still gives exit code 2"
    );
    assert_eq!(summary(&out), (2, 0, 1));
    assert_eq!(db.counts(), (1, 1));
}

#[test]
fn a_bad_file_among_good_ones_leaves_the_good_ones_and_the_database_intact() {
    let db = Db::new();
    let good = write_gpx(db.dir.path(), "bonne.gpx", GOOD_TRACK);
    let first = db.import(&[&good], &[]);
    assert_eq!(first.status.code(), Some(0));
    let before = db.counts();

    // The same file, now broken: the stored circuit must survive untouched.
    std::fs::write(
        &good,
        "<gpx version=\"1.1\"><trk><trkseg><trkpt lat=\"1\" lon=\"1\"></trk>",
    )
    .expect("write");
    let empty = db.dir.path().join("vide.gpx");
    std::fs::write(&empty, "").expect("write");
    let out = db.import(&[&good, &empty, Path::new("/nonexistent/x.gpx")], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(summary(&out).2, 3);
    let text = stdout(&out);
    assert!(text.contains("vide.gpx: empty file"), "{text}");
    assert!(
        text.contains("/nonexistent/x.gpx: no such file or folder"),
        "{text}"
    );
    assert!(text.contains("bonne.gpx:1:"), "{text}");
    assert_eq!(db.counts(), before);
}

#[test]
fn two_files_with_the_same_id_in_one_run_do_not_overwrite_each_other() {
    let db = Db::new();
    for year in ["2023", "2024"] {
        std::fs::create_dir_all(db.dir.path().join(year)).expect("mkdir");
        write_gpx(&db.dir.path().join(year), "boucle.gpx", GOOD_TRACK);
    }
    let out = db.import(&[db.dir.path()], &[]);
    assert_eq!(out.status.code(), Some(2));
    let text = stdout(&out);
    assert!(
        text.contains("2024/boucle.gpx: same circuit id `boucle`"),
        "{text}"
    );
    assert_eq!(db.counts().0, 1);
}

#[test]
fn help_explains_every_command() {
    let db = Db::new();
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["import", "--help"],
        &["import", "gpx", "--help"],
    ] {
        let out = db.balade(args);
        assert!(out.status.success(), "{args:?}");
        let text = stdout(&out);
        assert!(text.contains("Usage: balade"), "{args:?}: {text}");
        assert!(text.contains("--db"), "{args:?}: --db is global");
    }
    let out = db.balade(&["import", "gpx"]);
    assert_eq!(out.status.code(), Some(2), "clap's usage error");
    let out = db.balade(&["--db", "ftp://x", "import", "gpx", "x.gpx"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unsupported database URL"));
}

#[test]
fn the_catalogue_exports_in_every_format() {
    let db = Db::new();
    assert!(
        db.import(&[&common::root().join("fixtures/circuits")], &[])
            .status
            .success()
    );
    let (circuits, pois) = db.counts();
    let dir = db.dir.path();

    let out = db.balade(&[
        "export",
        "gpx",
        "--out",
        dir.join("all.gpx").to_str().expect("utf-8"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc =
        gpx::read(std::fs::File::open(dir.join("all.gpx")).expect("file")).expect("valid GPX");
    assert_eq!(doc.tracks.len() as u64, circuits);
    assert_eq!(doc.waypoints.len() as u64, pois);

    let out = db.balade(&[
        "export",
        "geojson",
        "--out",
        dir.join("all.geojson").to_str().expect("utf-8"),
    ]);
    assert!(out.status.success());
    let fc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("all.geojson")).expect("file"))
            .expect("json");
    let features = fc["features"].as_array().expect("features");
    assert_eq!(features.len() as u64, circuits + pois);
    assert!(
        features
            .iter()
            .filter(|f| f["geometry"]["type"] == "Point")
            .all(|f| f["properties"]["kind"].is_string())
    );

    let out = db.balade(&[
        "export",
        "csv",
        "--out",
        dir.join("all.csv").to_str().expect("utf-8"),
    ]);
    assert!(out.status.success());
    let text = std::fs::read_to_string(dir.join("all.csv")).expect("file");
    assert!(text.starts_with("record,id,name,"));
    assert_eq!(text.matches("\r\ncircuit,").count() as u64, circuits);
    assert_eq!(text.matches("\r\npoi,").count() as u64, pois);

    let out = db.balade(&[
        "export",
        "shp",
        "--out",
        dir.join("x").to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(2), "clap refuses an unknown format");
    let out = db.balade(&["export", "csv", "--out", "/nonexistent/dir/all.csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write /nonexistent/dir/all.csv"));
}

#[test]
fn the_national_trail_schema_imports_185_real_treks() {
    let db = Db::new();
    let file = shared_data("trails/schema_randonnee/geotrek-treks-pnc.geojson");
    let out = db.balade(&["import", "circuits", file.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(summary(&out), (185, 0, 0));
    assert_eq!(db.counts().0, 185);
    // The schema's own valid example too, and a second run only updates.
    let example = shared_data("trails/schema_randonnee/exemple-valide.json");
    let out = db.balade(&["import", "circuits", example.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = db.balade(&["import", "circuits", file.to_str().expect("utf-8")]);
    assert_eq!(
        summary(&out),
        (0, 0, 0),
        "the same treks again change nothing"
    );
    assert!(stdout(&out).contains("unchanged 185"), "{}", stdout(&out));

    // Served like any circuit, texts without HTML.
    let geojson = db.dir.path().join("all.geojson");
    assert!(
        db.balade(&[
            "export",
            "geojson",
            "--out",
            geojson.to_str().expect("utf-8")
        ])
        .status
        .success()
    );
    let fc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&geojson).expect("file")).expect("json");
    let roquette = fc["features"]
        .as_array()
        .expect("features")
        .iter()
        .find(|f| f["properties"]["name"] == "Mas cévenol de La Roquette")
        .expect("a known trek");
    let description = roquette["properties"]["description"]
        .as_str()
        .expect("text");
    assert!(
        !description.contains('<')
            && !description.contains("&eacute;")
            && description.contains('é'),
        "{description}"
    );
    assert_eq!(roquette["properties"]["type"], "loop");
    assert_eq!(roquette["properties"]["duration_min"], 120);
}

#[test]
fn geotrek_api_v2_trek_pages_import() {
    let db = Db::new();
    let dir = shared_data("trails/geotrek-admin/trekking/geotrek_parser_v2");
    let out = db.balade(&[
        "import",
        "circuits",
        dir.join("trek.json").to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(summary(&out), (5, 0, 0));
    // The same trek in a later page updates it.
    let out = db.balade(&[
        "import",
        "circuits",
        dir.join("trek_2.json").to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = db.balade(&[
        "import",
        "circuits",
        dir.join("trek_2_after.json").to_str().expect("utf-8"),
    ]);
    assert_eq!(summary(&out), (0, 1, 0));
    // A page of practices, not treks: refused with the reason.
    let out = db.balade(&[
        "import",
        "circuits",
        dir.join("trek_practice.json").to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).contains("not a trek"), "{}", stdout(&out));
    let geojson = db.dir.path().join("all.geojson");
    assert!(
        db.balade(&[
            "export",
            "geojson",
            "--out",
            geojson.to_str().expect("utf-8")
        ])
        .status
        .success()
    );
    let fc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&geojson).expect("file")).expect("json");
    let pic = fc["features"]
        .as_array()
        .expect("features")
        .iter()
        .find(|f| f["properties"]["name"] == "Boucle du Pic des Trois Seigneurs")
        .expect("the French name");
    assert_eq!(pic["properties"]["duration_min"], 1440, "24 h as given");
    assert!(
        pic["properties"]["ascent_m"]
            .as_f64()
            .is_some_and(|a| a > 100.0),
        "computed from the 3-D trace"
    );
}

#[test]
fn a_waypoint_removed_from_its_file_is_planned_and_deleted_only_when_asked() {
    let db = Db::new();
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("provins-remparts.gpx");
    let text =
        std::fs::read_to_string(common::root().join("fixtures/circuits/provins-remparts.gpx"))
            .expect("fixture");
    std::fs::write(&file, &text).expect("write");
    assert_eq!(db.import(&[&file], &[]).status.code(), Some(0));
    let (circuits, pois) = db.counts();
    // The last waypoint taken out of the file.
    let at = text.rfind("<wpt").expect("a waypoint");
    let end = text[at..].find("</wpt>").expect("its end") + at + "</wpt>".len();
    std::fs::write(&file, format!("{}{}", &text[..at], &text[end..])).expect("write");

    let kept = db.import(&[&file], &[]);
    let out = stdout(&kept);
    assert_eq!(kept.status.code(), Some(0), "{out}");
    assert!(out.contains("delete 1,"), "{out}");
    assert!(
        out.contains("1 records vanished from the source: kept"),
        "{out}"
    );
    assert_eq!(db.counts(), (circuits, pois), "listed, not deleted");

    let planned = db.import(&[&file], &["--dry-run", "--delete-missing", "--diff"]);
    let out = stdout(&planned);
    assert!(
        out.lines()
            .any(|l| l.starts_with("delete poi gpx:provins-remparts:wpt:")),
        "{out}"
    );
    assert_eq!(db.counts(), (circuits, pois), "a dry run deletes nothing");

    let deleted = db.import(&[&file], &["--delete-missing"]);
    let out = stdout(&deleted);
    assert!(out.contains("deleted 1\n"), "{out}");
    assert_eq!(db.counts(), (circuits, pois - 1));
}
