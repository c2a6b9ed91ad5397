//! DTD entities: what xml-rs 0.8 does with them, and every XML reader refusing them.
//!
//! `fixtures/xml/` holds the attacks, small files that ask for gigabytes: the classic
//! "billion laughs" (nested general entities), parameter entities that xml-rs expands
//! as they are declared (`parameter-entities.osm` asks for 10 GB), and a Darwin Core
//! descriptor with the billion laughs in its core's location.

use balade_import::stream::Collect;
use balade_import::xml_guard::REASON;
use std::path::{Path, PathBuf};
use xml::reader::{EventReader, XmlEvent};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/xml")
        .join(name)
}

/// The text and attribute values of a document as xml-rs gives them, or its error.
fn xml_rs_text(doc: &str) -> Result<String, String> {
    let mut out = String::new();
    for event in EventReader::new(doc.as_bytes()) {
        match event.map_err(|e| e.to_string())? {
            XmlEvent::Characters(t) => out.push_str(&t),
            XmlEvent::StartElement { attributes, .. } => {
                attributes.iter().for_each(|a| out.push_str(&a.value));
            }
            _ => {}
        }
    }
    Ok(out)
}

#[test]
fn xml_rs_expands_the_entities_a_dtd_declares() {
    // Declared entities are expanded in text.
    let text = xml_rs_text("<!DOCTYPE x [<!ENTITY a \"abc\">]><x>&a;&a;</x>").expect("parsed");
    assert_eq!(text, "abcabc");

    // Its limits stop the classic billion laughs in text...
    let laughs = std::fs::read_to_string(fixture("billion-laughs.gpx")).expect("fixture");
    let e = xml_rs_text(&laughs).expect_err("too big for xml-rs");
    assert!(e.contains("Entity too big"), "{e}");

    // ...but not one entity used many times in an attribute: 5 KB of document, 1 MB of
    // value here; 1 MB of document asks for 2 GB the same way.
    let big = "x".repeat(1_000);
    let doc = format!(
        "<!DOCTYPE x [<!ENTITY a \"{big}\">]><x v=\"{}\"/>",
        "&a;".repeat(1_000)
    );
    let text = xml_rs_text(&doc).expect("parsed");
    assert!(doc.len() < 6_000 && text.len() == 1_000_000);

    // Nor parameter entities, expanded when declared: each level multiplies by ten,
    // whatever the nesting limit (four levels here: 100 KB from 400 bytes).
    let mut dtd = String::from("<!ENTITY % a0 \"xxxxxxxxxx\">");
    for i in 1..5 {
        dtd += &format!(
            "<!ENTITY % a{i} \"{}\">",
            format!("%a{};", i - 1).repeat(10)
        );
    }
    let doc = format!("<!DOCTYPE x [{dtd}<!ENTITY big \"%a4;\">]><x>&big;</x>");
    let text = xml_rs_text(&doc).expect("parsed");
    assert!(doc.len() < 400 && text.len() == 100_000, "{}", doc.len());
}

fn assert_refused(r: &balade_import::Rejection, path: &Path) {
    assert_eq!(r.reason, REASON, "{r}");
    assert!(r.path.starts_with(path), "{r}");
}

#[test]
fn gpx_files_with_entities_are_refused() {
    let path = fixture("billion-laughs.gpx");
    let bytes = std::fs::read(&path).expect("fixture");
    let e = balade_import::gpx::parse(&path, &bytes, true).expect_err("refused");
    assert_refused(&e[0], &path);
    assert_eq!(e[0].position, Some((3, 3)), "{}", e[0]);
    assert_eq!(
        e[0].to_string(),
        format!("{}:3:3: {REASON}", path.display())
    );

    // The same file in UTF-16, with and without its byte-order mark.
    let text = String::from_utf8(bytes)
        .expect("UTF-8")
        .replace("UTF-8", "UTF-16");
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let e = balade_import::gpx::parse(&path, &utf16, false).expect_err("refused");
    assert_refused(&e[0], &path);
    let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let e = balade_import::gpx::parse(&path, &be, false).expect_err("refused");
    assert_refused(&e[0], &path);

    // A DOCTYPE without entities is no reason to refuse.
    let plain = "<?xml version=\"1.0\"?>\n<!DOCTYPE gpx>\n<gpx version=\"1.1\" creator=\"t\"><trk><trkseg>\
                 <trkpt lat=\"48.1\" lon=\"2.1\"/><trkpt lat=\"48.2\" lon=\"2.2\"/></trkseg></trk></gpx>";
    balade_import::gpx::parse(Path::new("plain.gpx"), plain.as_bytes(), false).expect("read");
}

#[test]
fn osm_xml_files_with_entities_are_refused() {
    let path = fixture("parameter-entities.osm");
    let mut sink = Collect::default();
    let e = balade_import::tourism::read(&path, &mut sink).expect_err("refused");
    assert_refused(&e, &path);
    assert!(e.position.is_some(), "{e}");
    assert!(sink.records.is_empty());
}

#[test]
fn darwin_core_descriptors_with_entities_are_refused() {
    let folder = fixture("dwca-entities");
    let mut sink = Collect::default();
    let e = balade_import::dwc::read(&folder, &mut sink).expect_err("refused");
    assert_refused(&e, &folder.join("meta.xml"));

    // The same archive zipped: meta.xml is streamed from the archive.
    let dir = tempfile::tempdir().expect("temp dir");
    let zipped = dir.path().join("entities.zip");
    {
        let file = std::fs::File::create(&zipped).expect("create");
        let mut zip = zip::ZipWriter::new(file);
        for name in ["meta.xml", "occurrence.txt"] {
            zip.start_file(name, zip::write::SimpleFileOptions::default())
                .expect("entry");
            std::io::copy(
                &mut std::fs::File::open(folder.join(name)).expect("fixture"),
                &mut zip,
            )
            .expect("write");
        }
        zip.finish().expect("zip");
    }
    let e = balade_import::dwc::read(&zipped, &mut sink).expect_err("refused");
    assert_refused(&e, &zipped.join("meta.xml"));
    assert!(sink.records.is_empty());
}
