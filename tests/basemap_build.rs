//! `balade basemap build`: a vector basemap of the territory from the database's own
//! data, refused with a clear message when there is nothing to draw.

mod common;

use common::{Db, root, stdout};

#[test]
fn a_territory_basemap_is_written_from_the_circuits_and_refused_without_data() {
    let db = Db::new();
    let out = db.dir.path().join("territory.pmtiles");
    let out_arg = out.to_str().expect("utf-8");

    let empty = db.balade(&["basemap", "build", out_arg]);
    assert_eq!(empty.status.code(), Some(1));
    let said = String::from_utf8_lossy(&empty.stderr);
    assert!(said.contains("nothing to draw"), "{said}");
    assert!(!out.exists(), "no file written");

    let gpx = root().join("fixtures/circuits/provins-remparts.gpx");
    assert!(db.import(&[&gpx], &[]).status.success());
    let built = db.balade(&["basemap", "build", out_arg]);
    let text = stdout(&built);
    assert!(built.status.success(), "{text}");
    assert!(
        text.contains("vector tiles") && text.contains("zooms 6-14"),
        "{text}"
    );
    let bytes = std::fs::read(&out).expect("written");
    // A PMTiles archive of version 3, its tiles Mapbox Vector Tiles (type 1).
    assert_eq!(&bytes[..7], b"PMTiles");
    assert_eq!(bytes[7], 3);
    assert_eq!(bytes[99], 1, "tile type");
    assert!(!out.with_extension("partial").exists());
}
