//! OSM XML (`.osm`, and Overpass XML answers), streamed with `quick-xml` (see
//! [`crate::xml_pull`]).
//!
//! - Pass 1 places the tagged nodes, and the tagged ways that carry a `<center>`
//!   (Overpass `out center`) or located `<nd>`s (`out geom`); the other tagged ways keep
//!   their tags and node refs.
//! - Pass 2, only when such ways exist, reads the file again for just their nodes.
//! - No other node is kept: memory grows with the interesting ways, not the file.
//! - `visible="false"` elements are skipped; relations are skipped (see [`super`]).
//! - An Overpass `<remark>` starting with `runtime error` refuses the file: the answer
//!   was cut short.
//! - Limits: no entity declarations, values up to 64 KiB, 256 attributes, a tag or text
//!   up to 1 MiB (see [`crate::xml_guard`] and [`crate::xml_pull`]); a way of more than
//!   [`MAX_WAY_NODES`] nodes or an element of more than [`MAX_TAGS`] tags is refused,
//!   and memory stays bounded.
//! - UTF-8 only, as OSM XML always is: a UTF-16 file is refused by name.

use super::{
    Held, Latest, PendingWay, Place, WayIndex, centroid, element_rejection, number, point, tags,
};
use crate::report::Rejection;
use crate::stream::Sink;
use crate::xml_pull;
use quick_xml::events::Event;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// A node or way as read, its values still text.
#[derive(Debug, Default)]
struct Element {
    is_way: bool,
    id: String,
    lat: Option<String>,
    lon: Option<String>,
    center: Option<(Option<String>, Option<String>)>,
    visible: bool,
    tags: BTreeMap<String, String>,
    refs: Vec<String>,
    /// `<nd>` locations, given by Overpass `out geom`.
    nd_locations: Vec<Option<(String, String)>>,
    position: (u64, u64),
    /// Over a limit: the field at fault and why; the element is refused.
    too_big: Option<(&'static str, String)>,
}

/// Most nodes kept for one way: the OSM API allows 2,000.
pub const MAX_WAY_NODES: usize = 100_000;
/// Most tags kept for one element: real ones have tens.
pub const MAX_TAGS: usize = 10_000;
/// The start of an Overpass `<remark>` kept: enough to tell a runtime error.
const MAX_REMARK_BYTES: usize = 4096;

/// Reads the places of an OSM XML file into `sink`.
pub fn read(path: &Path, sink: &mut dyn Sink<Place>) -> Result<(), Rejection> {
    let mut index = WayIndex::default();
    let mut latest = Latest::default();
    let go_on = scan(path, &mut |e| {
        let key = format!("{}/{}", if e.is_way { "way" } else { "node" }, e.id);
        let held = first_pass(path, e);
        latest.offer(key, held, sink, &mut index)
    })?;
    if !go_on || !latest.flush(sink, &mut index) || index.is_empty() {
        return Ok(());
    }
    scan(path, &mut |e| {
        if !e.is_way
            && let (Ok(id), Some(lat), Some(lon)) = (e.id.trim().parse::<i64>(), e.lat, e.lon)
            && let (Ok(lat), Ok(lon)) = (lat.trim().parse(), lon.trim().parse())
        {
            index.node(id, lon, lat, e.visible);
        }
        true
    })?;
    index.finish(path, sink);
    Ok(())
}

/// What one element is worth in the first pass.
fn first_pass(path: &Path, e: Element) -> Held {
    if !e.visible || tags::kind(&e.tags).is_none() {
        return Held::Nothing;
    }
    let what = if e.is_way { "way" } else { "node" };
    let reject = |field: &str, reason: String| {
        Held::Reject(element_rejection(
            path,
            Some(e.position),
            format!("{what} {}: {field}", e.id),
            reason,
        ))
    };
    if let Some((field, reason)) = &e.too_big {
        return reject(field, reason.clone());
    }
    let Ok(id) = e.id.trim().parse::<i64>() else {
        return reject("id", format!("`{}` is not an OSM id", e.id));
    };
    let (lat, lon, field_prefix) = match (&e.center, e.is_way) {
        (Some((lat, lon)), true) => (lat.as_deref(), lon.as_deref(), "center "),
        (None, true) => {
            let mut refs = Vec::with_capacity(e.refs.len());
            for r in &e.refs {
                match r.trim().parse::<i64>() {
                    Ok(r) => refs.push(r),
                    Err(_) => return reject("nd", format!("`{r}` is not a node id")),
                }
            }
            let located: Option<Vec<(i64, f64, f64)>> = refs
                .iter()
                .zip(&e.nd_locations)
                .map(|(r, l)| {
                    let (lat, lon) = l.as_ref()?;
                    Some((*r, lon.trim().parse().ok()?, lat.trim().parse().ok()?))
                })
                .collect();
            if let Some(nodes) = located.filter(|n| !n.is_empty() && n.len() == refs.len()) {
                return match centroid(&nodes) {
                    Ok(pos) => tags::place(&format!("osm:way/{id}"), &e.tags, pos)
                        .map_or(Held::Nothing, Held::Place),
                    Err(reason) => reject("nd", reason),
                };
            }
            return Held::Way(PendingWay {
                id,
                tags: e.tags,
                refs,
                position: Some(e.position),
            });
        }
        (_, false) => (e.lat.as_deref(), e.lon.as_deref(), ""),
    };
    let pos = number("lat", lat)
        .and_then(|lat| Ok((lat, number("lon", lon)?)))
        .and_then(|(lat, lon)| point(lon, lat));
    match pos {
        Ok(pos) => tags::place(&format!("osm:{what}/{id}"), &e.tags, pos)
            .map_or(Held::Nothing, Held::Place),
        Err((field, reason)) => reject(&format!("{field_prefix}{field}"), reason),
    }
}

/// Walks the file once, handing each node and way to `f`; `Ok(false)` when `f` asked to
/// stop.
fn scan(path: &Path, f: &mut dyn FnMut(Element) -> bool) -> Result<bool, Rejection> {
    let cannot_read =
        |e: std::io::Error| Rejection::file(path, format!("cannot read the file: {e}"));
    let mut file = File::open(path).map_err(cannot_read)?;
    let mut head = [0u8; 4];
    let n = file.read(&mut head).map_err(cannot_read)?;
    if xml_pull::is_utf16(&head[..n]) {
        return Err(Rejection::file(
            path,
            "OSM XML must be UTF-8: this file is UTF-16",
        ));
    }
    file.seek(SeekFrom::Start(0)).map_err(cannot_read)?;
    let mut reader = xml_pull::reader(file);
    let mut buf = Vec::with_capacity(1024);
    let mut scanning = Scanning::default();
    let refuse = |at, reason: String| Rejection {
        path: path.to_owned(),
        position: Some(at),
        field: None,
        reason,
    };
    let malformed = |at, e: &dyn std::fmt::Display| refuse(at, format!("malformed XML: {e}"));
    loop {
        buf.clear();
        let at = xml_pull::mark(&mut reader);
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| refuse(at, xml_pull::reason(&e)))?;
        let empty = matches!(event, Event::Empty(_));
        let go_on = match event {
            Event::Start(tag) | Event::Empty(tag) if !scanning.root => {
                let name = tag.local_name();
                let local = String::from_utf8_lossy(name.as_ref());
                if local != "osm" {
                    return Err(refuse(
                        at,
                        format!("not an OSM XML file: the root element is <{local}>, not <osm>"),
                    ));
                }
                scanning.root = true;
                scanning.depth = usize::from(!empty);
                true
            }
            Event::Start(tag) | Event::Empty(tag) => {
                if scanning.depth == 0 {
                    return Err(refuse(
                        at,
                        "malformed XML: an element after the end of <osm>".to_owned(),
                    ));
                }
                let name = tag.local_name();
                let local = std::str::from_utf8(name.as_ref()).map_err(|e| malformed(at, &e))?;
                let attributes = xml_pull::attributes(&tag).map_err(|reason| refuse(at, reason))?;
                scanning.start(local, &attributes, at);
                !empty || scanning.end(path, at, f)?
            }
            Event::End(_) => scanning.end(path, at, f)?,
            Event::Text(text) => {
                scanning.remark_text(&text.decode().map_err(|e| malformed(at, &e))?);
                true
            }
            Event::CData(text) => {
                scanning.remark_text(&text.decode().map_err(|e| malformed(at, &e))?);
                true
            }
            Event::GeneralRef(entity) => {
                let name = entity.decode().map_err(|e| malformed(at, &e))?;
                let text = match entity.resolve_char_ref().map_err(|e| malformed(at, &e))? {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::resolve_predefined_entity(&name)
                        .ok_or_else(|| malformed(at, &format!("unknown entity `&{name};`")))?
                        .to_owned(),
                };
                scanning.remark_text(&text);
                true
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => true,
        };
        if !go_on {
            return Ok(false);
        }
    }
    if !scanning.root {
        return Err(Rejection::file(
            path,
            "not an OSM XML file: no root element",
        ));
    }
    if scanning.depth > 0 {
        let at = xml_pull::mark(&mut reader);
        return Err(malformed(at, &"the file ends before <osm> is closed"));
    }
    Ok(true)
}

/// Where [`scan`] is in the document.
#[derive(Default)]
struct Scanning {
    root: bool,
    /// Open elements, the root's included.
    depth: usize,
    /// The node or way being read.
    current: Option<Element>,
    /// Open elements inside a relation (or another element whose children are not ours).
    skipping: usize,
    /// The text of an Overpass `<remark>`, while in one.
    remark: Option<String>,
}

impl Scanning {
    /// An element opens, inside the root.
    fn start(&mut self, local: &str, attributes: &[(&str, Cow<'_, str>)], at: (u64, u64)) {
        self.depth += 1;
        if self.skipping > 0 {
            self.skipping += 1;
            return;
        }
        let attr = |key: &str| {
            attributes
                .iter()
                .find(|(name, _)| *name == key)
                .map(|(_, value)| value.as_ref().to_owned())
        };
        match (local, self.current.as_mut()) {
            ("node" | "way", None) => {
                self.current = Some(Element {
                    is_way: local == "way",
                    id: attr("id").unwrap_or_default(),
                    lat: attr("lat"),
                    lon: attr("lon"),
                    visible: attr("visible").is_none_or(|v| v != "false"),
                    position: at,
                    ..Element::default()
                });
            }
            ("tag", Some(e)) => {
                if let Some(k) = attr("k") {
                    if e.tags.len() < MAX_TAGS || e.tags.contains_key(&k) {
                        e.tags.insert(k, attr("v").unwrap_or_default());
                    } else {
                        e.too_big = Some(("tag", format!("more than {MAX_TAGS} tags")));
                    }
                }
            }
            ("nd", Some(e)) if e.refs.len() >= MAX_WAY_NODES => {
                e.too_big = Some(("nd", format!("more than {MAX_WAY_NODES} nodes")));
            }
            ("nd", Some(e)) => {
                e.refs.push(attr("ref").unwrap_or_default());
                e.nd_locations.push(attr("lat").zip(attr("lon")));
            }
            // An empty `<center/>` says nothing: the nodes will place the way.
            ("center", Some(e)) if attr("lat").is_some() || attr("lon").is_some() => {
                e.center = Some((attr("lat"), attr("lon")));
            }
            ("remark", None) => self.remark = Some(String::new()),
            // Relations, notes, metadata, bounds: nothing of ours inside.
            (_, None) => self.skipping = 1,
            _ => {}
        }
    }

    /// The last open element closes: a node or a way goes to `f`; `Ok(false)` when `f`
    /// asked to stop.
    fn end(
        &mut self,
        path: &Path,
        at: (u64, u64),
        f: &mut dyn FnMut(Element) -> bool,
    ) -> Result<bool, Rejection> {
        // quick-xml checks that the end tag names the open element.
        self.depth = self.depth.saturating_sub(1);
        if self.skipping > 0 {
            self.skipping -= 1;
            return Ok(true);
        }
        if let Some(text) = self.remark.take() {
            let text = text.trim();
            if text.starts_with("runtime error") {
                return Err(Rejection {
                    path: path.to_owned(),
                    position: Some(at),
                    field: Some("remark".to_owned()),
                    reason: format!("the Overpass query failed, its answer is incomplete: {text}"),
                });
            }
            return Ok(true);
        }
        // A node's or way's children (`tag`, `nd`, `center`) close inside it.
        if self.depth == 1
            && let Some(e) = self.current.take()
        {
            return Ok(f(e));
        }
        Ok(true)
    }

    fn remark_text(&mut self, text: &str) {
        if let Some(r) = self.remark.as_mut().filter(|r| r.len() < MAX_REMARK_BYTES) {
            r.push_str(text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{StopAfter, data, near, place, read_all};
    use super::*;
    use balade_core::PoiKind;

    fn write(xml: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        super::super::tests::write_temp("t.osm", xml)
    }

    #[test]
    fn the_josm_triangle_becomes_a_place_at_its_centroid_when_tagged() {
        // test.osm as shipped: a `building=yes` triangle, no place.
        let sink = read_all(&data("osm/crate-osmpbf-0.3.8/test.osm")).unwrap();
        assert_eq!((sink.records.len(), sink.rejections.len()), (0, 0));
        // The same file with the triangle made a hut: its closed ring repeats node 105,
        // which must count once.
        let text = std::fs::read_to_string(data("osm/crate-osmpbf-0.3.8/test.osm")).unwrap();
        let (_dir, path) =
            write(&text.replace("k='building' v='yes'", "k='tourism' v='alpine_hut'"));
        let sink = read_all(&path).unwrap();
        assert_eq!(sink.records.len(), 1, "{:?}", sink.rejections);
        let hut = place(&sink, "osm:way/107");
        assert_eq!(
            (hut.kind, hut.name.as_str()),
            (PoiKind::Lodging, "triangle")
        );
        assert!(
            near(hut.pos, 11.628355245866667, 52.12074195255667),
            "{:?}",
            hut.pos
        );
    }

    #[test]
    fn a_way_cut_by_the_extract_is_rejected_with_its_id_and_line() {
        let sink = read_all(&data("osm/npm-osmtogeojson-2.2.12/map.osm")).unwrap();
        // Its only place-like objects: a parking whose ring lies mostly outside the extract;
        // a fountain, a church and a school are not places.
        assert_eq!(sink.records.len(), 0);
        assert_eq!(sink.rejections.len(), 1);
        let r = &sink.rejections[0];
        assert_eq!(r.field.as_deref(), Some("way 33052937: nd"));
        assert_eq!(r.position.map(|p| p.0), Some(204));
        assert!(r.reason.starts_with("10 of its 14 nodes"), "{}", r.reason);
    }

    #[test]
    fn overpass_xml_centers_and_remarks() {
        let dir = "osm/pypi-overpy-0.7/xml/";
        let sink = read_all(&data(&format!("{dir}way-03.xml"))).unwrap();
        let kiosk = place(&sink, "osm:way/225576797");
        assert_eq!(
            (kiosk.kind, kiosk.name.as_str()),
            (PoiKind::Practical, "Commerce")
        );
        assert!(near(kiosk.pos, 12.5032265, 41.8954998));
        // The same way with an empty <center/> and without its nodes.
        let sink = read_all(&data(&format!("{dir}way-04.xml"))).unwrap();
        assert_eq!(sink.records.len(), 0);
        assert_eq!(
            sink.rejections[0].field.as_deref(),
            Some("way 225576797: nd")
        );
        assert!(sink.rejections[0].reason.starts_with("4 of its 4 nodes"));
        let e = read_all(&data(&format!("{dir}remark-runtime-error-01.xml"))).unwrap_err();
        assert!(e.reason.contains("Query timed out"), "{e}");
        assert_eq!(e.position.map(|p| p.0), Some(6));
        for quiet in [
            "area-01",
            "node-01",
            "relation-01",
            "relation-02",
            "relation-03",
            "relation-04",
            "remark-runtime-remark-01",
            "remark-unknown-01",
            "way-01",
            "way-02",
        ] {
            let sink = read_all(&data(&format!("{dir}{quiet}.xml"))).unwrap();
            assert_eq!(
                (sink.records.len(), sink.rejections.len()),
                (0, 0),
                "{quiet}"
            );
        }
    }

    #[test]
    fn untagged_osmtogeojson_files_read_empty() {
        for f in ["empty.osm", "node.osm", "way.osm", "relation.osm"] {
            let sink = read_all(&data(&format!("osm/npm-osmtogeojson-2.2.12/{f}"))).unwrap();
            assert_eq!((sink.records.len(), sink.rejections.len()), (0, 0), "{f}");
        }
    }

    #[test]
    fn other_xml_is_refused() {
        let e = read_all(&data("trails/geotrek-admin/tourism/LEIContent.xml")).unwrap_err();
        assert!(e.reason.contains("root element is <LEI>"), "{e}");
        let (_dir, path) = write("<osm>\n<node id='1' lat='1' lon='2'>\n</osm>");
        let e = read_all(&path).unwrap_err();
        assert!(e.reason.starts_with("malformed XML"), "{e}");
        assert_eq!(e.position.map(|p| p.0), Some(3));
    }

    #[test]
    fn utf16_unclosed_and_escaped_documents() {
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend("<osm></osm>".encode_utf16().flat_map(u16::to_le_bytes));
        let (_dir, path) = super::super::tests::write_temp("u.osm", "");
        std::fs::write(&path, utf16).unwrap();
        let e = read_all(&path).unwrap_err();
        assert_eq!(e.reason, "OSM XML must be UTF-8: this file is UTF-16");

        let (_dir, path) = write(
            "\u{FEFF}<?xml version='1.0' encoding='UTF-8'?>\n<!DOCTYPE osm>\n<osm>\
             <node id='1' lat='48.5' lon='2.3'><tag k='amenity' v='atm'/></node></osm>",
        );
        let sink = read_all(&path).unwrap();
        assert_eq!(
            sink.records.len(),
            1,
            "a BOM, a declaration and a DOCTYPE are read past"
        );

        let (_dir, path) = write("<osm>\n<node id='1' lat='48.5' lon='2.3'/>\n");
        let e = read_all(&path).unwrap_err();
        assert!(e.reason.starts_with("malformed XML"), "{e}");
        assert_eq!(e.position.map(|p| p.0), Some(3), "{e}");

        let (_dir, path) = write("<osm></osm>\n<node id='1' lat='48.5' lon='2.3'/>");
        let e = read_all(&path).unwrap_err();
        assert!(e.reason.contains("after the end of <osm>"), "{e}");

        let (_dir, path) = write(
            "<osm><node id='1' lat='48.5' lon='2.3'>\
             <tag k='tourism' v='hotel'/><tag k='name' v='H&#244;tel &amp; Caf&#xE9; &lt;3&gt;'/>\
             </node></osm>",
        );
        let sink = read_all(&path).unwrap();
        assert_eq!(place(&sink, "osm:node/1").name, "Hôtel & Café <3>");

        let (_dir, path) =
            write("<osm><node id='1' lat='48.5' lon='2.3'><tag k='name' v='&nbsp;'/></node></osm>");
        let e = read_all(&path).unwrap_err();
        assert!(e.reason.starts_with("malformed XML"), "{e}");

        let (_dir, path) =
            write("<osm><remark>runtime error: Query timed out &amp; stopped</remark></osm>");
        let e = read_all(&path).unwrap_err();
        assert!(e.reason.ends_with("Query timed out & stopped"), "{e}");
    }

    const TRAPS: &str = r#"<?xml version="1.0"?>
<osm version="0.6">
  <way id="50">
    <nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="1"/>
    <tag k="tourism" v="camp_site"/>
  </way>
  <way id="51">
    <nd ref="1"/><nd ref="99"/>
    <tag k="amenity" v="parking"/>
  </way>
  <node id="1" lat="48.0" lon="2.0"/>
  <node id="2" lat="48.0" lon="2.4"/>
  <node id="3" lat="48.2" lon="2.4"/>
  <node id="4" lat="48.2" lon="2.0"/>
  <node id="5" lat="48.1" lon="2.1" visible="false"><tag k="amenity" v="atm"/></node>
  <node id="6" lat="48.1" lon="2.1" version="1"><tag k="amenity" v="toilets"/></node>
  <node id="6" lat="48.1" lon="2.1" version="2" visible="false"/>
  <node id="7" lat="48.1" lon="2.1" version="1"><tag k="amenity" v="atm"/></node>
  <node id="7" lat="48.3" lon="2.3" version="2"><tag k="amenity" v="atm"/></node>
  <node id="8" lat="north" lon="2.1"><tag k="shop" v="bakery"/></node>
  <node id="9" lat="2.1" lon="148.3"><tag k="historic" v="castle"/></node>
  <node id="10" lat="91.5" lon="2.1"><tag k="historic" v="castle"/></node>
  <way id="52">
    <nd ref="80" lat="45.0" lon="3.0"/><nd ref="81" lat="45.4" lon="3.2"/>
    <tag k="tourism" v="viewpoint"/>
  </way>
  <relation id="70"><member type="way" ref="50" role="outer"/><tag k="tourism" v="hotel"/></relation>
</osm>
"#;

    #[test]
    fn traps_deleted_versions_centroids_and_bad_coordinates() {
        let (_dir, path) = write(TRAPS);
        let sink = read_all(&path).unwrap();
        let keys: Vec<&str> = sink.records.iter().map(|p| p.key.as_str()).collect();
        // Node 5 is deleted, node 6's last version is deleted, the relation is skipped.
        assert_eq!(
            keys,
            ["osm:node/7", "osm:node/9", "osm:way/52", "osm:way/50"],
            "{:?}",
            sink.rejections
        );
        // Placed from its `out geom` locations: nodes 80 and 81 are not in the file.
        assert!(near(place(&sink, "osm:way/52").pos, 3.1, 45.2));
        let atm = place(&sink, "osm:node/7");
        assert_eq!(atm.name, "Distributeur de billets");
        assert!(near(atm.pos, 2.3, 48.3), "the last version counts");
        let camp = place(&sink, "osm:way/50");
        assert!(near(camp.pos, 2.2, 48.1), "{:?}", camp.pos);
        let rejected: Vec<(Option<&str>, Option<u64>)> = sink
            .rejections
            .iter()
            .map(|r| (r.field.as_deref(), r.position.map(|p| p.0)))
            .collect();
        assert_eq!(
            rejected,
            [
                (Some("node 8: lat"), Some(20)),
                (Some("node 10: lat"), Some(22)),
                (Some("way 51: nd"), Some(7)),
            ]
        );
        assert!(sink.rejections[2].reason.contains("99"));
        assert!(sink.rejections[1].reason.contains("swapped"));
    }

    #[test]
    fn a_sink_that_stops_stops_the_reader() {
        let (_dir, path) = write(TRAPS);
        let mut sink = StopAfter {
            n: 1,
            ..Default::default()
        };
        read(&path, &mut sink).unwrap();
        assert_eq!(sink.records.len(), 1);
    }
}
