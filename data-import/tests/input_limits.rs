//! Inputs that would hold the machine: a line that never ends, a quote never closed, a
//! field or a notice far larger than any real one, a way of a million nodes. Each is
//! refused with where and why, the good records around it are read, and a reader stops
//! as soon as its sink says so.

use balade_import::delimited::{MAX_FIELD_BYTES, MAX_RECORD_BYTES};
use balade_import::heritage::{self, HeritageOptions, HeritageRecord};
use balade_import::stream::{Collect, Sink};
use balade_import::{Rejection, dwc, tourism};
use std::path::{Path, PathBuf};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

fn located(r: &Rejection) -> (Option<u64>, Option<&str>, &str) {
    (
        r.position.map(|p| p.0),
        r.field.as_deref(),
        r.reason.as_str(),
    )
}

const TOO_LONG: &str = "record over 1 MiB (a line without end, or a quote never closed?): skipped";

#[test]
fn heritage_tables_skip_overlong_records_and_fields() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut text = b"REF|TICO|HIST\nPA1|Lavoir|court\nPA2|".to_vec();
    text.extend(std::iter::repeat_n(b'x', MAX_RECORD_BYTES + 1));
    text.extend_from_slice(b"|fin\nPA3|Moulin|");
    text.extend(std::iter::repeat_n(b'h', MAX_FIELD_BYTES + 1));
    text.extend_from_slice(b"\nPA4|Croix|\n");
    let path = write(dir.path(), "long.txt", &text);
    let mut sink = Collect::<HeritageRecord>::default();
    heritage::read(&path, &HeritageOptions::default(), &mut sink).expect("read");
    let ids: Vec<&str> = sink.records.iter().map(|r| r.poi.id.as_str()).collect();
    assert_eq!(ids, ["PA1", "PA4"]);
    let found: Vec<_> = sink.rejections.iter().map(located).collect();
    assert_eq!(
        found,
        [
            (Some(3), None, TOO_LONG),
            (
                Some(4),
                Some("HIST"),
                "field of 65 KiB, over the 64 KiB limit"
            ),
        ]
    );

    // A quote never closed: the rest of the file is one record, read past in bounded
    // memory and told once.
    let mut text = b"REF;TICO\nPA1;\"Lavoir\nPA2;".to_vec();
    text.extend(std::iter::repeat_n(b'y', 2 * MAX_RECORD_BYTES));
    let path = write(dir.path(), "quote.csv", &text);
    let mut sink = Collect::<HeritageRecord>::default();
    heritage::read(&path, &HeritageOptions::default(), &mut sink).expect("read");
    assert!(sink.records.is_empty());
    assert_eq!(
        sink.rejections.iter().map(located).collect::<Vec<_>>(),
        [(Some(2), None, TOO_LONG)]
    );

    // A header that never ends refuses the file.
    let path = write(dir.path(), "header.csv", &vec![b';'; MAX_RECORD_BYTES + 1]);
    let e = heritage::read(&path, &HeritageOptions::default(), &mut sink).expect_err("refused");
    assert_eq!(e.reason, format!("header line: {TOO_LONG}"));
}

/// Stops at the first thing it is given.
#[derive(Default)]
struct StopAtOnce(usize);

impl<T> Sink<T> for StopAtOnce {
    fn record(&mut self, _: T) -> bool {
        self.0 += 1;
        false
    }
    fn reject(&mut self, _: Rejection) -> bool {
        self.0 += 1;
        false
    }
}

#[test]
fn darwin_core_tables_and_archives_skip_overlong_rows() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut table =
        b"occurrenceID\tscientificName\tdecimalLatitude\tdecimalLongitude\tlocality\n".to_vec();
    table.extend_from_slice(b"o1\tBufo bufo\t46.2\t6.1\t\n");
    for _ in 0..3 {
        table.extend(std::iter::repeat_n(b'z', MAX_RECORD_BYTES + 1));
        table.push(b'\n');
    }
    // A field kept too long is refused; one not kept is no matter.
    table.extend_from_slice(b"o2\t");
    table.extend(std::iter::repeat_n(b'n', MAX_FIELD_BYTES + 1));
    table.extend_from_slice(b"\t46.2\t6.1\t\no3\tBufo bufo\t46.2\t6.1\t");
    table.extend(std::iter::repeat_n(b'l', MAX_FIELD_BYTES + 1));
    table.push(b'\n');
    let path = write(dir.path(), "occurrences.txt", &table);
    let mut sink = Collect::default();
    dwc::read(&path, &mut sink).expect("read");
    let keys: Vec<&str> = sink.records.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(keys, ["o1", "o3"]);
    let found: Vec<_> = sink.rejections.iter().map(located).collect();
    assert_eq!(
        found,
        [
            (Some(3), None, TOO_LONG),
            (Some(4), None, TOO_LONG),
            (Some(5), None, TOO_LONG),
            (
                Some(6),
                Some("scientificName"),
                "field of 65 KiB, over the 64 KiB limit"
            ),
        ]
    );

    // The sink says stop at the first rejection: the reader stops there.
    let mut stop = StopAtOnce::default();
    let mut rows = b"scientificName\tdecimalLatitude\n".to_vec();
    for _ in 0..5 {
        rows.extend(std::iter::repeat_n(b'z', MAX_RECORD_BYTES + 1));
        rows.push(b'\n');
    }
    let path = write(dir.path(), "stop.txt", &rows);
    dwc::read(&path, &mut stop).expect("read");
    assert_eq!(stop.0, 1);

    // Inside a zip archive, with a descriptor, the same.
    let zipped = dir.path().join("archive.zip");
    {
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&zipped).expect("create"));
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file("meta.xml", options).expect("entry");
        std::io::Write::write_all(
            &mut zip,
            br#"<archive><core rowType="http://rs.tdwg.org/dwc/terms/Occurrence" fieldsTerminatedBy="\t" ignoreHeaderLines="1">
<files><location>occurrence.txt</location></files><id index="0"/>
<field index="1" term="http://rs.tdwg.org/dwc/terms/scientificName"/>
<field index="2" term="http://rs.tdwg.org/dwc/terms/decimalLatitude"/>
<field index="3" term="http://rs.tdwg.org/dwc/terms/decimalLongitude"/></core></archive>"#,
        )
        .expect("write");
        zip.start_file("occurrence.txt", options).expect("entry");
        std::io::Write::write_all(&mut zip, &table).expect("write");
        zip.finish().expect("zip");
    }
    let mut sink = Collect::default();
    dwc::read(&zipped, &mut sink).expect("read");
    assert_eq!(sink.records.len(), 2);
    assert_eq!(sink.rejections.len(), 4);
    assert!(
        sink.rejections[0]
            .path
            .ends_with("archive.zip/occurrence.txt")
    );

    // A descriptor over its limit is refused, not read on.
    let mut meta = b"<archive>".to_vec();
    for _ in 0..(1 << 19) {
        meta.extend_from_slice(b"<x/>");
    }
    let folder = dir.path().join("huge-meta");
    std::fs::create_dir(&folder).expect("mkdir");
    write(&folder, "meta.xml", &meta);
    let e = dwc::read(&folder, &mut sink).expect_err("refused");
    assert_eq!(e.reason, "meta.xml is over 1024 KiB");
}

#[test]
fn heritage_json_refuses_a_notice_too_large_and_stops_there() {
    let dir = tempfile::tempdir().expect("temp dir");
    let huge = "é".repeat(3 << 20);
    let text = format!(
        r#"[{{"REF":"PA1","TICO":"Lavoir"}},{{"REF":"PA2","TICO":"{huge}"}},{{"REF":"PA3","TICO":"Moulin"}}]"#
    );
    let path = write(dir.path(), "notices.json", text.as_bytes());
    let mut sink = Collect::<HeritageRecord>::default();
    heritage::read(&path, &HeritageOptions::default(), &mut sink).expect("read");
    assert_eq!(sink.records.len(), 1);
    assert_eq!(
        sink.rejections.iter().map(located).collect::<Vec<_>>(),
        [(
            None,
            Some("notice 2"),
            "notice over 4 MiB: the file is not read further"
        )]
    );
    // Alone in its file, it refuses the file.
    let text = format!(r#"{{"REF":"PA2","TICO":"{huge}"}}"#);
    let path = write(dir.path(), "one.json", text.as_bytes());
    let e = heritage::read(&path, &HeritageOptions::default(), &mut sink).expect_err("refused");
    assert_eq!(e.field.as_deref(), Some("notice 1"));
}

#[test]
fn osm_xml_refuses_huge_elements_and_values() {
    use balade_import::tourism::osm_xml::MAX_WAY_NODES;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut text = String::from(
        "<osm>\n<node id=\"1\" lat=\"48.5\" lon=\"2.3\"><tag k=\"tourism\" v=\"viewpoint\"/></node>\n<way id=\"2\">",
    );
    for _ in 0..=MAX_WAY_NODES {
        text.push_str("<nd ref=\"1\"/>");
    }
    text.push_str("<tag k=\"tourism\" v=\"hotel\"/></way>\n</osm>\n");
    let path = write(dir.path(), "way.osm", text.as_bytes());
    let mut sink = Collect::default();
    tourism::read(&path, &mut sink).expect("read");
    assert_eq!(sink.records.len(), 1);
    assert_eq!(
        sink.rejections.iter().map(located).collect::<Vec<_>>(),
        [(Some(3), Some("way 2: nd"), "more than 100000 nodes")]
    );

    let text = format!(
        "<osm>\n<node id=\"1\" lat=\"48.5\" lon=\"2.3\"><tag k=\"name\" v=\"{}\"/></node></osm>",
        "v".repeat(100_000)
    );
    let path = write(dir.path(), "value.osm", text.as_bytes());
    let e = tourism::read(&path, &mut sink).expect_err("refused");
    assert_eq!(e.position, Some((2, 35)), "{e}");
    assert_eq!(e.reason, "a value of more than 64 KiB", "{e}");

    // A tag that never ends is refused before the reader holds more than a MiB of it.
    let text = format!(
        "<osm>\n<node id=\"1\" lat=\"48.5\" lon=\"{}",
        "9".repeat(3 << 20)
    );
    let path = write(dir.path(), "endless.osm", text.as_bytes());
    let e = tourism::read(&path, &mut sink).expect_err("refused");
    assert_eq!(e.position, Some((2, 1)), "{e}");
    assert_eq!(
        e.reason, "a tag, text or comment of more than 1024 KiB",
        "{e}"
    );
}

#[test]
fn gpx_files_of_too_many_points_are_refused_as_they_are_scanned() {
    use balade_import::gpx::{MAX_POINTS, parse};
    let mut text = String::from("<gpx version=\"1.1\" creator=\"t\"><trk><trkseg>\n");
    for _ in 0..=MAX_POINTS {
        text.push_str("<trkpt lat=\"1\" lon=\"1\"/>");
    }
    text.push_str("\n</trkseg></trk></gpx>\n");
    let e = parse(Path::new("long.gpx"), text.as_bytes(), false).expect_err("refused");
    assert_eq!(
        located(&e[0]),
        (
            Some(2),
            Some("trkpt"),
            "more than 1000000 points: not one circuit"
        )
    );
}
