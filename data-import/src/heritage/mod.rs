//! The heritage inventory (Mérimée / POP / Ariane exports): each notice becomes a
//! `heritage` POI.
//!
//! Sources read, each streamed record by record:
//! - delimited text with a header of field codes (`REF|TICO|…`, `;`, `,` or tab), the
//!   delimiter and the encoding (UTF-8 with or without BOM, else Windows-1252) detected
//!   or given ([`table`]);
//! - POP JSON notices (one object or an array) and GeoJSON exports whose properties are
//!   field codes or the old `chp*` names ([`json`]).
//!
//! Rules, in one place each:
//! - **Key**: `REF` when present (`heritage:IA30001143`, id `IA30001143`). A source
//!   without references (the Toulouse GeoJSON) gets a key hashed from the fields that
//!   say which building it is ([`IDENTITY`]: commune code, cadastral parcel, address,
//!   denomination, coordinates as written), so that a notice whose texts are revised
//!   keeps its key and is planned as an update; a notice with none of them is keyed by
//!   all its fields.
//! - **Location**: see [`location`]; a notice without usable coordinates is imported
//!   without position (kept for search, never on the map) and counted as non-located.
//! - **Texts**: every field is reduced to plain text (HTML removed).
//! - **Details**: denomination `DENO`, period `SCLE`, dates `DATE`, history `HIST`,
//!   protection `PROT` with `DPRO`, status `STAT`, address `ADRS`/`LIEU`; all the
//!   notice's non-empty fields are kept under `provenance`.

pub mod json;
pub mod location;
pub mod table;

use crate::report::Rejection;
use crate::stream::Sink;
use balade_core::hash::Fnv;
use balade_core::text::plain_text;
use balade_core::{Insee, Poi, PoiDetails, PoiId, PoiKind};
use location::Location;
use std::path::Path;

/// How to read a delimited export when detection is not wanted.
#[derive(Debug, Clone, Copy, Default)]
pub struct HeritageOptions {
    /// Field separator; detected from the header line when `None`.
    pub delimiter: Option<u8>,
    /// Text encoding; detected (BOM, valid UTF-8, else Windows-1252) when `None`.
    pub encoding: Option<&'static encoding_rs::Encoding>,
}

/// One notice as read: field codes (upper case, `chp` prefix removed) with their text,
/// and the WGS84 positions the source states outside its fields (GeoJSON geometry, POP
/// point), in the source's order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Notice {
    pub fields: Vec<(String, String)>,
    /// `(where, lon, lat)`.
    pub wgs84: Vec<(&'static str, f64, f64)>,
    /// The source's own names of the fields, for provenance.
    pub original_names: Vec<String>,
}

impl Notice {
    /// The trimmed, non-empty value of a field.
    pub fn get(&self, code: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    pub fn push(&mut self, original: &str, value: String) {
        self.fields.push((code_of(original), value));
        self.original_names.push(original.to_owned());
    }
}

/// The Mérimée code of a source's field name: `chptico` → `TICO`, `ref` → `REF`.
pub fn code_of(name: &str) -> String {
    let name = name.trim();
    let bare = name
        .get(..3)
        .filter(|p| p.eq_ignore_ascii_case("chp"))
        .map_or(name, |_| &name[3..]);
    bare.to_ascii_uppercase()
}

/// What became of a notice.
#[derive(Debug, Clone, PartialEq)]
pub struct HeritageRecord {
    pub poi: Poi,
    /// Where the notice is in its file: `line 12`, `notice 3`.
    pub place: String,
    /// How it was placed (for counts and reports).
    pub location: Location,
}

/// Reads the heritage export at `path`, sending each notice's POI (or its rejection) to
/// `sink`. `Err` when the file cannot be read at all.
pub fn read(
    path: &Path,
    options: &HeritageOptions,
    sink: &mut dyn Sink<HeritageRecord>,
) -> Result<(), Rejection> {
    let mut head = [0u8; 64];
    let n = {
        use std::io::Read;
        let mut f = std::fs::File::open(path)
            .map_err(|e| Rejection::file(path, format!("cannot read: {e}")))?;
        f.read(&mut head)
            .map_err(|e| Rejection::file(path, format!("cannot read: {e}")))?
    };
    let head = &head[..n];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    match head.iter().find(|b| !b.is_ascii_whitespace()) {
        None => Err(Rejection::file(path, "empty file")),
        Some(b'{' | b'[') => json::read(path, sink),
        Some(_) => table::read(path, options, sink),
    }
}

/// The fields that say which building a notice without `REF` is: they make its key.
pub const IDENTITY: &[&str] = &[
    "INSEE",
    "CADA",
    "ADRS",
    "DENO",
    "COOR",
    "COORLB93",
    "COORWGS84",
];

/// Turns a notice into its POI; `place` says where it is in its file. Errors name the
/// field at fault.
pub fn notice_to_record(
    notice: &Notice,
    place: String,
) -> Result<HeritageRecord, (String, String)> {
    let location = location::locate(notice)?;
    let text = |code: &str| notice.get(code).map(plain_text).filter(|t| !t.is_empty());
    let (id, source) = match notice.get("REF") {
        Some(r) => {
            let id = PoiId::new(r).map_err(|e| ("REF".to_owned(), e.to_string()))?;
            (id, format!("heritage:{r}"))
        }
        None => {
            let mut h = Fnv::new();
            let identity: Vec<&(String, String)> = notice
                .fields
                .iter()
                .filter(|(code, _)| IDENTITY.contains(&code.as_str()))
                .collect();
            let fields = if identity.is_empty() {
                notice.fields.iter().collect()
            } else {
                identity
            };
            for (code, value) in fields {
                h.field(code);
                h.field(value);
            }
            let key = format!("merimee-{:016x}", h.finish());
            let id = PoiId::new(key.clone()).map_err(|e| ("REF".to_owned(), e.to_string()))?;
            (id, format!("heritage:{key}"))
        }
    };
    let commune = text("COM").or_else(|| text("WCOM"));
    let insee = notice
        .get("INSEE")
        .map(Insee::new)
        .transpose()
        .map_err(|e| ("INSEE".to_owned(), e.to_string()))?;
    let denomination = text("DENO");
    let name = text("TICO")
        .or_else(|| {
            denomination.as_ref().map(|d| {
                capitalised(d)
                    + &commune
                        .as_ref()
                        .map(|c| format!(" ({c})"))
                        .unwrap_or_default()
            })
        })
        .unwrap_or_else(|| id.to_string());
    let protection = match (text("PROT"), text("DPRO")) {
        // DPRO dates the protection and usually repeats it: "1975/01/28 : inscrit MH".
        (Some(p), Some(d)) if d.contains(&p) => Some(d),
        (Some(p), Some(d)) => Some(format!("{p} ({d})")),
        (p, d) => p.or(d),
    };
    let address = match (text("ADRS"), text("LIEU")) {
        (Some(a), Some(l)) => Some(format!("{a}, {l}")),
        (a, l) => a.or(l),
    };
    let details = PoiDetails {
        denomination,
        period: text("SCLE"),
        dates: text("DATE"),
        history: text("HIST"),
        protection,
        status: text("STAT"),
        address,
        provenance: notice
            .original_names
            .iter()
            .zip(&notice.fields)
            .filter(|(_, (_, v))| !v.trim().is_empty())
            .map(|(name, (_, v))| (name.clone(), v.trim().to_owned()))
            .collect(),
        ..PoiDetails::default()
    };
    Ok(HeritageRecord {
        poi: Poi {
            id,
            source,
            kind: PoiKind::Heritage,
            name,
            description: text("DESC").unwrap_or_default(),
            pos: location.position(),
            ele: None,
            circuit: None,
            commune,
            insee,
            details,
        },
        place,
        location,
    })
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(fields: &[(&str, &str)]) -> Notice {
        let mut n = Notice::default();
        for (k, v) in fields {
            n.push(k, (*v).to_owned());
        }
        n
    }

    #[test]
    fn codes_come_from_old_and_new_names() {
        assert_eq!(code_of("chptico"), "TICO");
        assert_eq!(code_of(" REF "), "REF");
        assert_eq!(code_of("chpcoorlb93"), "COORLB93");
        assert_eq!(code_of("geo_point_2d"), "GEO_POINT_2D");
    }

    #[test]
    fn a_notice_becomes_a_heritage_poi() {
        let n = notice(&[
            ("REF", "IA30001143"),
            ("TICO", "coopérative <b>vinicole</b>"),
            ("DENO", "coopérative vinicole"),
            ("COM", "Gallargues-le-Montueux"),
            ("INSEE", "30123"),
            ("ZONE", "Lambert93"),
            ("COOR", "\"0794409;6291409\""),
            ("SCLE", "2e quart 20e siècle"),
            ("PROT", "inscrit MH"),
            ("DPRO", "1975/01/28 : inscrit MH"),
            (
                "HIST",
                "<p>Cave construite en 1928.</p><script>x()</script>",
            ),
            ("STAT", ""),
        ]);
        let r = notice_to_record(&n, String::new()).expect("record");
        let p = r.poi;
        assert_eq!(p.id.as_str(), "IA30001143");
        assert_eq!(p.source, "heritage:IA30001143");
        assert_eq!(p.kind, PoiKind::Heritage);
        assert_eq!(p.name, "coopérative vinicole");
        assert_eq!(p.insee.as_ref().map(Insee::as_str), Some("30123"));
        assert_eq!(p.details.period.as_deref(), Some("2e quart 20e siècle"));
        assert_eq!(
            p.details.protection.as_deref(),
            Some("1975/01/28 : inscrit MH")
        );
        let history = p.details.history.expect("history");
        assert!(history.contains("1928") && !history.contains('<') && !history.contains("x()"));
        assert!(p.details.status.is_none(), "empty fields are left out");
        assert_eq!(
            p.details.provenance.get("COOR").map(String::as_str),
            Some("\"0794409;6291409\"")
        );
        assert!(!p.details.provenance.contains_key("STAT"));
        let pos = p.pos.expect("located");
        assert!(
            (4.0..4.4).contains(&pos.lon()) && (43.6..43.9).contains(&pos.lat()),
            "{pos:?}"
        );
    }

    #[test]
    fn a_notice_without_reference_gets_a_key_from_what_building_it_is() {
        let a = notice(&[
            ("chptico", "immeuble"),
            ("chpinsee", "31555"),
            ("chpadrs", "Albi (route d') 104"),
            ("chpcoor", "X ; Y"),
        ]);
        // Its texts revised: the same notice.
        let b = notice(&[
            ("chptico", "immeuble de rapport"),
            ("chphist", "Construit vers 1890."),
            ("chpinsee", "31555"),
            ("chpadrs", "Albi (route d') 104"),
            ("chpcoor", "X ; Y"),
        ]);
        // Another address: another building.
        let c = notice(&[
            ("chptico", "immeuble"),
            ("chpinsee", "31555"),
            ("chpadrs", "Albi (route d') 106"),
            ("chpcoor", "X ; Y"),
        ]);
        let (ra, rb, rc) = (
            notice_to_record(&a, String::new()).expect("a"),
            notice_to_record(&b, String::new()).expect("b"),
            notice_to_record(&c, String::new()).expect("c"),
        );
        assert_eq!(ra.poi.id, rb.poi.id);
        assert_ne!(ra.poi.id, rc.poi.id);
        assert!(ra.poi.id.as_str().starts_with("merimee-"));
        assert_eq!(ra.poi.pos, None, "a placeholder is no location");
        assert_eq!(ra.location, Location::None);
    }

    #[test]
    fn a_bad_insee_code_names_its_field() {
        let n = notice(&[("REF", "PA1"), ("TICO", "x"), ("INSEE", "3O123")]);
        let (field, reason) = notice_to_record(&n, String::new()).expect_err("bad insee");
        assert_eq!(field, "INSEE");
        assert!(reason.contains("3O123"), "{reason}");
    }

    #[test]
    fn name_falls_back_to_denomination_and_commune() {
        let n = notice(&[("REF", "PA2"), ("DENO", "chapelle"), ("COM", "Aix-en-Othe")]);
        assert_eq!(
            notice_to_record(&n, String::new()).expect("r").poi.name,
            "Chapelle (Aix-en-Othe)"
        );
    }
}
