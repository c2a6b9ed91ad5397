//! Species observations from Darwin Core: an archive (zip or folder with `meta.xml`), or a
//! plain occurrence table (CSV, TSV or TXT with a header line).
//!
//! - Streamed: the core file is read row by row through the zip entry or the file, and
//!   each row goes to the [`Sink`] at once.
//! - Terms are matched on the last segment of their URI, case-insensitively
//!   (`http://rs.tdwg.org/dwc/terms/scientificName`, `dwc:scientificName`, `scientificname`).
//! - A row needs `scientificName`, `decimalLatitude` and `decimalLongitude`; anything else
//!   that cannot be read (a date, a count, an uncertainty) is left out, not refused.
//! - A row with fewer columns than the descriptor (or the header) declares is refused:
//!   its columns cannot be trusted to be where the descriptor says.
//! - Without meta.xml, a zip or folder must hold one data file (besides `eml.xml` or
//!   `metadata.xml`); a plain table's delimiter is guessed from its header line, and
//!   `id` or GBIF's `gbifID` column is its row id.
//! - Rejections name the core file (`archive.zip/occurrence.txt` inside a zip) and its
//!   physical line, header lines included.
//! - A `.tgz` archive is read in two passes (meta.xml, then the core), as it has no index.
//! - Limits ([`crate::delimited`]): a row over 1 MiB is rejected with its line and read
//!   past; a kept field over 64 KiB rejects its row; `meta.xml` is at most 1 MiB and
//!   declares no DTD entities ([`meta::MAX_BYTES`]).

mod dates;
pub mod meta;
mod table;

use crate::delimited::{self, Next};
use crate::report::Rejection;
use crate::stream::Sink;
use balade_core::{LonLat, Taxon};
use csv::ByteRecord;
use encoding_rs::{Encoding, UTF_8};
use meta::{Descriptor, Dialect, FieldSpec};
use std::cell::RefCell;
use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

/// One observation of a taxon at a place, as Darwin Core describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Occurrence {
    /// Stable key: `occurrenceID`, else the core row's id column (meta.xml `<id index>`), else `FILE_NAME:LINE`.
    pub key: String,
    /// Its key is the `taxonID` (else GBIF's `taxonKey`, else `speciesKey`), else the
    /// scientific name; every identifier the row gives is in its `ids` (`taxonID`, GBIF
    /// `taxonKey`, `speciesKey`, `acceptedTaxonKey`, TAXREF `CD_NOM`, `CD_REF`: a
    /// sensitivity list may name the taxon by any of them). Rows naming a taxon with
    /// the same fields share it.
    pub taxon: Arc<Taxon>,
    pub event: Option<EventDate>,
    pub pos: LonLat,
    pub uncertainty_m: Option<f64>,
    pub count: Option<u32>,
    pub basis_of_record: Option<String>,
    pub license: Option<String>,
}

/// A date or a range, each end as precise as the source gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventDate {
    pub start: PartialDate,
    pub end: PartialDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartialDate {
    pub year: i32,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

/// Reads occurrences from a DwC-A zip, a DwC-A folder or a plain occurrence table.
/// `Err` only when nothing can be read; bad rows go to `sink.reject`, located by line.
pub fn read(path: &Path, sink: &mut dyn Sink<Occurrence>) -> Result<(), Rejection> {
    if path.is_dir() {
        return read_folder(path, sink);
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if name.ends_with(".tgz") || name.ends_with(".tar.gz") {
        return read_tgz(path, sink);
    }
    let mut file = File::open(path).map_err(|e| Rejection::file(path, e.to_string()))?;
    let mut magic = [0u8; 4];
    let is_zip = file.read_exact(&mut magic).is_ok() && magic == *b"PK\x03\x04";
    if is_zip || name.ends_with(".zip") {
        return read_zip(path, sink);
    }
    let file = File::open(path).map_err(|e| Rejection::file(path, e.to_string()))?;
    read_table(path, file, None, sink)
}

fn read_folder(dir: &Path, sink: &mut dyn Sink<Occurrence>) -> Result<(), Rejection> {
    let meta_path = dir.join("meta.xml");
    if meta_path.is_file() {
        let file =
            File::open(&meta_path).map_err(|e| Rejection::file(&meta_path, e.to_string()))?;
        let descriptor = meta::parse(&meta_path, file)?;
        let location = Path::new(&descriptor.location);
        // The core is inside the archive: no absolute path, no way up.
        if location.is_absolute()
            || location
                .components()
                .any(|c| matches!(c, std::path::Component::ParentDir))
        {
            return Err(Rejection::file(
                &meta_path,
                format!("core file {} is outside the archive", descriptor.location),
            ));
        }
        let core = dir.join(location);
        let file = File::open(&core).map_err(|e| {
            Rejection::file(
                &meta_path,
                format!("core file {}: {e}", descriptor.location),
            )
        })?;
        return read_table(&core, file, Some(descriptor), sink);
    }
    let entries = std::fs::read_dir(dir).map_err(|e| Rejection::file(dir, e.to_string()))?;
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let table = single_table(dir, &names)?;
    let path = dir.join(table);
    let file = File::open(&path).map_err(|e| Rejection::file(&path, e.to_string()))?;
    read_table(&path, file, None, sink)
}

/// Without meta.xml, an archive holds one data file, and perhaps its metadata.
fn single_table<'a>(at: &Path, names: &'a [String]) -> Result<&'a str, Rejection> {
    let data: Vec<&String> = names
        .iter()
        .filter(|n| {
            let base = n.rsplit('/').next().unwrap_or(n).to_lowercase();
            !(base == "eml.xml" || base == "metadata.xml" || base.is_empty())
        })
        .collect();
    match data.as_slice() {
        [one] => Ok(one.as_str()),
        [] => Err(Rejection::file(at, "no meta.xml and no data file")),
        many => Err(Rejection::file(
            at,
            format!(
                "no meta.xml, and {} files that could be the core ({}): one data file expected",
                many.len(),
                many.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// What an archive member is, by its name: Mac resource forks and folders are not content.
fn content(name: &str) -> bool {
    !name.ends_with('/')
        && !name.starts_with("__MACOSX/")
        && !name.rsplit('/').next().unwrap_or(name).starts_with("._")
}

/// meta.xml at the root, or in the one folder that holds everything.
fn meta_name(names: &[String]) -> Option<&str> {
    names
        .iter()
        .filter(|n| n.eq_ignore_ascii_case("meta.xml") || n.to_lowercase().ends_with("/meta.xml"))
        .min_by_key(|n| n.matches('/').count())
        .map(String::as_str)
}

/// The archive member of the core, next to meta.xml.
fn core_name(meta_name: &str, location: &str) -> String {
    let folder = meta_name.rfind('/').map_or("", |i| &meta_name[..=i]);
    format!("{folder}{}", location.trim_start_matches("./"))
}

/// A `.tgz` cannot be searched: a first pass reads meta.xml, a second streams the core.
fn read_tgz(path: &Path, sink: &mut dyn Sink<Occurrence>) -> Result<(), Rejection> {
    let unreadable = |e: std::io::Error| Rejection::file(path, format!("unreadable tgz: {e}"));
    let open = || -> Result<tar::Archive<flate2::read::GzDecoder<File>>, Rejection> {
        let file = File::open(path).map_err(|e| Rejection::file(path, e.to_string()))?;
        Ok(tar::Archive::new(flate2::read::GzDecoder::new(file)))
    };
    let member = |entry: &tar::Entry<'_, _>| -> Option<String> {
        let name = entry.path().ok()?.to_string_lossy().into_owned();
        let name = name.trim_start_matches("./").to_owned();
        (entry.header().entry_type().is_file() && content(&name)).then_some(name)
    };
    let mut names = Vec::new();
    let mut descriptor = None;
    let mut archive = open()?;
    for entry in archive.entries().map_err(unreadable)? {
        let entry = entry.map_err(unreadable)?;
        let Some(name) = member(&entry) else { continue };
        if descriptor.is_none() && meta_name(std::slice::from_ref(&name)).is_some() {
            descriptor = Some((meta::parse(&path.join(&name), entry)?, name.clone()));
        }
        names.push(name);
    }
    let (core, descriptor) = match descriptor {
        Some((d, meta)) => (core_name(&meta, &d.location), Some(d)),
        None => (single_table(path, &names)?.to_owned(), None),
    };
    let mut archive = open()?;
    for entry in archive.entries().map_err(unreadable)? {
        let entry = entry.map_err(unreadable)?;
        if member(&entry).as_deref() == Some(core.as_str()) {
            return read_table(&path.join(&core), entry, descriptor, sink);
        }
    }
    Err(Rejection::file(
        path,
        format!("core file {core} is not in the archive"),
    ))
}

fn read_zip(path: &Path, sink: &mut dyn Sink<Occurrence>) -> Result<(), Rejection> {
    let file = File::open(path).map_err(|e| Rejection::file(path, e.to_string()))?;
    let unreadable =
        |e: zip::result::ZipError| Rejection::file(path, format!("unreadable zip: {e}"));
    let mut archive = zip::ZipArchive::new(file).map_err(unreadable)?;
    let names: Vec<String> = archive
        .file_names()
        .filter_map(Result::ok)
        .filter(|n| content(n))
        .map(|n| n.into_owned())
        .collect();
    let Some(meta_name) = meta_name(&names).map(str::to_owned) else {
        let table = single_table(path, &names)?.to_owned();
        let entry = archive.by_name(&table).map_err(unreadable)?;
        return read_table(&path.join(&table), entry, None, sink);
    };
    let meta_path = path.join(&meta_name);
    let descriptor = {
        let entry = archive.by_name(&meta_name).map_err(unreadable)?;
        meta::parse(&meta_path, entry)?
    };
    let core_name = core_name(&meta_name, &descriptor.location);
    let entry = match archive.by_name(&core_name) {
        Ok(entry) => entry,
        Err(zip::result::ZipError::FileNotFound) => {
            return Err(Rejection::file(
                &meta_path,
                format!("core file {} is not in the archive", descriptor.location),
            ));
        }
        Err(e) => return Err(unreadable(e)),
    };
    read_table(&path.join(&core_name), entry, Some(descriptor), sink)
}

/// The terms this reader keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Term {
    OccurrenceId,
    ScientificName,
    VernacularName,
    TaxonRank,
    Kingdom,
    Phylum,
    Class,
    Order,
    Family,
    Genus,
    TaxonId,
    TaxonKey,
    SpeciesKey,
    AcceptedTaxonKey,
    CdNom,
    CdRef,
    EventDate,
    Year,
    Month,
    Day,
    DecimalLatitude,
    DecimalLongitude,
    CoordinateUncertaintyInMeters,
    IndividualCount,
    BasisOfRecord,
    License,
}

const TERMS: [(Term, &str); 28] = [
    (Term::OccurrenceId, "occurrenceID"),
    (Term::ScientificName, "scientificName"),
    (Term::VernacularName, "vernacularName"),
    (Term::TaxonRank, "taxonRank"),
    (Term::Kingdom, "kingdom"),
    (Term::Phylum, "phylum"),
    (Term::Class, "class"),
    (Term::Order, "order"),
    (Term::Family, "family"),
    (Term::Genus, "genus"),
    (Term::TaxonId, "taxonID"),
    (Term::TaxonKey, "taxonKey"),
    (Term::SpeciesKey, "speciesKey"),
    (Term::AcceptedTaxonKey, "acceptedTaxonKey"),
    // TAXREF, as INPN exports name it (`cdNom`) and as its own tables do (`CD_NOM`).
    (Term::CdNom, "cdNom"),
    (Term::CdNom, "cd_nom"),
    (Term::CdRef, "cdRef"),
    (Term::CdRef, "cd_ref"),
    (Term::EventDate, "eventDate"),
    (Term::Year, "year"),
    (Term::Month, "month"),
    (Term::Day, "day"),
    (Term::DecimalLatitude, "decimalLatitude"),
    (Term::DecimalLongitude, "decimalLongitude"),
    (
        Term::CoordinateUncertaintyInMeters,
        "coordinateUncertaintyInMeters",
    ),
    (Term::IndividualCount, "individualCount"),
    (Term::BasisOfRecord, "basisOfRecord"),
    (Term::License, "license"),
];

/// The bare name of a term: `http://rs.tdwg.org/dwc/terms/year`, `dwc:year` → `year`.
fn term_name(s: &str) -> &str {
    let s = s.trim();
    s.rsplit(['/', '#', ':']).next().unwrap_or(s)
}

fn term_of(name: &str) -> Option<Term> {
    let name = term_name(name);
    TERMS
        .iter()
        .find(|(_, n)| n.eq_ignore_ascii_case(name))
        .map(|(t, _)| *t)
}

/// Where each kept term is in a row, worked out once per file.
#[derive(Debug)]
struct Columns {
    index: [Option<usize>; TERMS.len()],
    default: [Option<Box<[u8]>>; TERMS.len()],
    id: Option<usize>,
    /// Columns a row must have, and their names (for rejections).
    width: usize,
    names: Vec<String>,
    encoding: &'static Encoding,
    /// `FILE_NAME` of fallback keys.
    file_name: String,
    taxa: RefCell<KnownTaxa>,
}

/// The taxa a file named, by the bytes of their columns.
#[derive(Debug, Default)]
struct KnownTaxa {
    by_columns: HashMap<Box<[u8]>, Arc<Taxon>>,
    /// The columns of the row at hand.
    scratch: Vec<u8>,
}

/// The columns a taxon is read from besides its identifiers.
const TAXON_NAME_TERMS: [Term; 9] = [
    Term::ScientificName,
    Term::VernacularName,
    Term::TaxonRank,
    Term::Kingdom,
    Term::Phylum,
    Term::Class,
    Term::Order,
    Term::Family,
    Term::Genus,
];

/// The identifiers of a taxon a row may give, in the order its key prefers the first three.
const TAXON_ID_TERMS: [Term; 6] = [
    Term::TaxonId,
    Term::TaxonKey,
    Term::SpeciesKey,
    Term::AcceptedTaxonKey,
    Term::CdNom,
    Term::CdRef,
];

/// Taxa remembered per file; past them the memory starts over (a bound, not a limit).
const MAX_KNOWN_TAXA: usize = 100_000;

impl Columns {
    fn new(encoding: &'static Encoding, file_name: String) -> Self {
        Self {
            index: [None; TERMS.len()],
            default: Default::default(),
            id: None,
            width: 0,
            names: Vec::new(),
            encoding,
            file_name,
            taxa: RefCell::default(),
        }
    }

    fn from_descriptor(d: &Descriptor, file_name: String) -> Self {
        let mut c = Self::new(d.dialect.encoding, file_name);
        c.id = d.id_index;
        let width = d
            .fields
            .iter()
            .filter_map(|f| f.index)
            .chain(d.id_index)
            .max()
            .map_or(0, |m| m + 1);
        c.width = width;
        c.names = vec![String::new(); width];
        if let Some(i) = d.id_index {
            c.names[i] = "id".into();
        }
        for FieldSpec {
            index,
            term,
            default,
        } in &d.fields
        {
            if let Some(i) = *index {
                c.names[i] = term_name(term).to_owned();
            }
            if let Some(t) = term_of(term) {
                let slot = t as usize;
                if c.index[slot].is_none() {
                    c.index[slot] = *index;
                }
                if let Some(v) = default {
                    c.default[slot] = Some(v.as_bytes().into());
                }
            }
        }
        c
    }

    fn from_header(header: &ByteRecord, encoding: &'static Encoding, file_name: String) -> Self {
        let mut c = Self::new(encoding, file_name);
        c.width = header.len();
        for (i, raw) in header.iter().enumerate() {
            let name = table::decode(table::trim(raw), encoding);
            let bare = term_name(&name).to_owned();
            // A plain table's row id: `id` as in archives, or `gbifID` in GBIF downloads.
            if (bare.eq_ignore_ascii_case("id") || bare.eq_ignore_ascii_case("gbifID"))
                && c.id.is_none()
            {
                c.id = Some(i);
            }
            if let Some(t) = term_of(&bare) {
                let slot = t as usize;
                if c.index[slot].is_none() {
                    c.index[slot] = Some(i);
                }
            }
            c.names.push(bare);
        }
        c
    }

    /// A trimmed, non-empty value of a term, else its default.
    fn raw<'r>(&'r self, row: &'r ByteRecord, t: Term) -> Option<&'r [u8]> {
        let slot = t as usize;
        self.index[slot]
            .and_then(|i| row.get(i))
            .map(table::trim)
            .filter(|v| !v.is_empty())
            .or_else(|| self.default[slot].as_deref())
    }

    fn text(&self, row: &ByteRecord, t: Term) -> Option<String> {
        self.raw(row, t)
            .map(|v| table::decode(v, self.encoding).into_owned())
    }

    fn str<'r>(&'r self, row: &'r ByteRecord, t: Term) -> std::borrow::Cow<'r, str> {
        match self.raw(row, t) {
            Some(v) => table::decode(v, self.encoding),
            None => std::borrow::Cow::Borrowed(""),
        }
    }

    fn occurrence(&self, row: &ByteRecord, line: u64) -> Result<Occurrence, (String, String)> {
        for i in self.index.iter().flatten().chain(&self.id) {
            if let Some(reason) = row.get(*i).and_then(delimited::oversized) {
                let name = self
                    .names
                    .get(*i)
                    .filter(|n| !n.is_empty())
                    .cloned()
                    .unwrap_or_else(|| format!("column {}", i + 1));
                return Err((name, reason));
            }
        }
        if row.len() < self.width {
            let missing = self
                .names
                .get(row.len())
                .filter(|n| !n.is_empty())
                .cloned()
                .unwrap_or_else(|| format!("column {}", row.len() + 1));
            return Err((
                missing,
                format!("{} columns where {} are declared", row.len(), self.width),
            ));
        }
        if self.raw(row, Term::ScientificName).is_none() {
            return Err(("scientificName".to_owned(), "no scientific name".to_owned()));
        }
        let pos = self.position(row)?;
        let key = self
            .text(row, Term::OccurrenceId)
            .or_else(|| {
                self.id
                    .and_then(|i| row.get(i))
                    .map(table::trim)
                    .filter(|v| !v.is_empty())
                    .map(|v| table::decode(v, self.encoding).into_owned())
            })
            .unwrap_or_else(|| format!("{}:{line}", self.file_name));
        let event = match self.raw(row, Term::EventDate) {
            // Unreadable dates give no date, and the row is kept (see `dates`).
            Some(v) => dates::parse(&table::decode(v, self.encoding)),
            None => dates::from_parts(
                &self.str(row, Term::Year),
                &self.str(row, Term::Month),
                &self.str(row, Term::Day),
            ),
        };
        Ok(Occurrence {
            key,
            taxon: self.taxon(row),
            event,
            pos,
            uncertainty_m: self
                .raw(row, Term::CoordinateUncertaintyInMeters)
                .and_then(table::number)
                .filter(|m| *m >= 0.0),
            count: self.raw(row, Term::IndividualCount).and_then(count),
            basis_of_record: self.text(row, Term::BasisOfRecord),
            license: self.text(row, Term::License),
        })
    }

    /// The row's taxon: the one of an earlier row whose taxon columns hold the same
    /// bytes, else a new one. A million rows name a few thousand taxa, and each new
    /// taxon costs a dozen strings.
    fn taxon(&self, row: &ByteRecord) -> Arc<Taxon> {
        let mut taxa = self.taxa.borrow_mut();
        let KnownTaxa {
            by_columns: known,
            scratch: key,
        } = &mut *taxa;
        key.clear();
        for &t in TAXON_NAME_TERMS.iter().chain(&TAXON_ID_TERMS) {
            // A field's length first: no two rows' fields run together alike.
            let v = self.raw(row, t).unwrap_or_default();
            key.extend_from_slice(&v.len().to_le_bytes());
            key.extend_from_slice(v);
        }
        if let Some(taxon) = known.get(key.as_slice()) {
            return Arc::clone(taxon);
        }
        let taxon_id = TAXON_ID_TERMS[..3].iter().find_map(|&t| self.text(row, t));
        let scientific_name = self.text(row, Term::ScientificName).unwrap_or_default();
        let taxon = Arc::new(Taxon {
            key: taxon_id.unwrap_or_else(|| scientific_name.clone()),
            scientific_name,
            vernacular_name: self.text(row, Term::VernacularName),
            rank: self.text(row, Term::TaxonRank),
            kingdom: self.text(row, Term::Kingdom),
            phylum: self.text(row, Term::Phylum),
            class: self.text(row, Term::Class),
            order: self.text(row, Term::Order),
            family: self.text(row, Term::Family),
            genus: self.text(row, Term::Genus),
            ids: (TAXON_ID_TERMS.into_iter())
                .filter_map(|t| self.text(row, t))
                .fold(Vec::new(), |mut ids, id| {
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                    ids
                }),
        });
        if known.len() >= MAX_KNOWN_TAXA {
            known.clear();
        }
        known.insert(key.clone().into_boxed_slice(), Arc::clone(&taxon));
        taxon
    }

    fn position(&self, row: &ByteRecord) -> Result<LonLat, (String, String)> {
        let coordinate = |t: Term, name: &str| -> Result<f64, (String, String)> {
            let v = self
                .raw(row, t)
                .ok_or_else(|| (name.to_owned(), "no coordinates".to_owned()))?;
            table::number(v).ok_or_else(|| {
                (
                    name.to_owned(),
                    format!("`{}` is not a number", table::decode(v, self.encoding)),
                )
            })
        };
        let lat = coordinate(Term::DecimalLatitude, "decimalLatitude")?;
        let lon = coordinate(Term::DecimalLongitude, "decimalLongitude")?;
        LonLat::new(lon, lat).map_err(|e| {
            let field = if (-90.0..=90.0).contains(&lat) {
                "decimalLongitude"
            } else {
                "decimalLatitude"
            };
            (field.to_owned(), e.to_string())
        })
    }
}

/// A count of individuals: a whole number (`3`, `3.0`); anything else is no count.
fn count(v: &[u8]) -> Option<u32> {
    let s = std::str::from_utf8(v).ok()?;
    s.parse::<u32>().ok().or_else(|| {
        let f = table::number(v)?;
        (f.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&f)).then_some(f as u32)
    })
}

/// Reads one core table, described by meta.xml or by its own header line.
fn read_table(
    path: &Path,
    source: impl Read,
    descriptor: Option<Descriptor>,
    sink: &mut dyn Sink<Occurrence>,
) -> Result<(), Rejection> {
    let io = |e: std::io::Error| Rejection::file(path, format!("unreadable: {e}"));
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut buffered = table::buffered(source).map_err(io)?;
    let (dialect, mut columns) = match &descriptor {
        Some(d) => (
            d.dialect.clone(),
            Some(Columns::from_descriptor(d, file_name.clone())),
        ),
        None => {
            let delimiter = table::sniff_delimiter(&mut buffered).map_err(io)?;
            let terminator = table::sniff_terminator(&mut buffered).map_err(io)?;
            let dialect = Dialect {
                delimiter,
                quote: Some(b'"'),
                terminator,
                encoding: UTF_8,
                header_lines: 1,
            };
            (dialect, None)
        }
    };
    let mut records = table::records(buffered, &dialect);
    let mut row = ByteRecord::new();
    let mut read_any = false;
    loop {
        let line = match records.next(&mut row) {
            Ok(Next::Record { line }) => line,
            Ok(Next::TooLong { line }) if columns.is_some() || descriptor.is_some() => {
                let rejection = Rejection {
                    position: Some((line, 1)),
                    ..Rejection::file(path, delimited::too_long())
                };
                if !sink.reject(rejection) {
                    return Ok(());
                }
                continue;
            }
            Ok(Next::TooLong { line }) => {
                return Err(Rejection {
                    position: Some((line, 1)),
                    ..Rejection::file(path, format!("header line: {}", delimited::too_long()))
                });
            }
            Ok(Next::End) => break,
            Err(e) => {
                let rejection = Rejection::file(path, format!("unreadable from here on: {e}"));
                if !read_any {
                    return Err(rejection);
                }
                // Past the first rows, a broken stream refuses what is left, not what was read.
                sink.reject(rejection);
                return Ok(());
            }
        };
        read_any = true;
        if table::blank(&row) || descriptor.is_some() && line <= dialect.header_lines {
            continue;
        }
        let Some(columns) = columns.as_ref() else {
            let header = Columns::from_header(&row, dialect.encoding, file_name.clone());
            if header.index[Term::ScientificName as usize].is_none()
                && header.index[Term::DecimalLatitude as usize].is_none()
            {
                return Err(Rejection {
                    position: Some((line, 1)),
                    ..Rejection::file(
                        path,
                        "not an occurrence table: the header has no scientificName nor decimalLatitude",
                    )
                });
            }
            columns = Some(header);
            continue;
        };
        let keep_going = match columns.occurrence(&row, line) {
            Ok(o) => sink.record(o),
            Err((field, reason)) => sink.reject(Rejection {
                path: path.to_owned(),
                position: Some((line, 1)),
                field: Some(field),
                reason,
            }),
        };
        if !keep_going {
            return Ok(());
        }
    }
    if columns.is_none() {
        return Err(Rejection::file(path, "empty file: a header line is needed"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stream::Collect;
    use std::io::Write;
    use std::path::PathBuf;

    fn sample(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/data/biodiversity/python-dwca-reader")
            .join(name)
    }

    fn collect(path: &Path) -> Result<Collect<Occurrence>, Rejection> {
        let mut sink = Collect::default();
        read(path, &mut sink).map(|()| sink)
    }

    fn day(year: i32, month: u8, day: u8) -> Option<EventDate> {
        let d = PartialDate {
            year,
            month: Some(month),
            day: Some(day),
        };
        Some(EventDate { start: d, end: d })
    }

    /// Every row refused for want of coordinates, on these lines.
    fn all_without_coordinates(name: &str, lines: &[u64]) {
        let got = collect(&sample(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(got.records.is_empty(), "{name}");
        let positions: Vec<_> = got.rejections.iter().map(|r| r.position).collect();
        let expected: Vec<_> = lines.iter().map(|&l| Some((l, 1))).collect();
        assert_eq!(positions, expected, "{name}");
        for r in &got.rejections {
            assert_eq!(r.field.as_deref(), Some("decimalLatitude"), "{name}");
            assert_eq!(r.reason, "no coordinates", "{name}");
            assert!(
                r.path.ends_with("occurrence.txt"),
                "{name}: {}",
                r.path.display()
            );
        }
    }

    #[test]
    fn sample_archives_without_coordinates_reject_each_row() {
        for name in [
            "dwca-simple-test-archive.tgz",
            "dwca-simple-test-archive.zip",
            "dwca-simple-test-archive-enclosed.zip",
            "dwca-default-metadata-filename.zip",
            "dwca-nometadata.zip",
            "dwca-simple-subdir.zip",
            "dwca-invalid-lacks-metadata",
            "dwca-csv-quote-dir",
        ] {
            all_without_coordinates(name, &[2, 3]);
        }
        for name in ["dwca-simple-dir", "dwca-metadata-windows1252-encoding"] {
            all_without_coordinates(name, &[2, 3, 4, 5]);
        }
        // No header line, stated (ignoreHeaderLines="0"), implied, or with defaults.
        for name in [
            "dwca-noheaders-1.zip",
            "dwca-noheaders-2.zip",
            "dwca-test-default.zip",
            "dwca-partial-default.zip",
        ] {
            all_without_coordinates(name, &[1, 2]);
        }
        let got = collect(&sample("dwca-simple-subdir.zip")).expect("readable");
        assert!(
            got.rejections[0]
                .path
                .ends_with("dwca-simple-subdir.zip/dwca-simple-folder/occurrence.txt")
        );
    }

    #[test]
    fn sample_cores_that_are_not_occurrences_are_refused() {
        for name in [
            "dwca-star-test-archive.zip",
            "dwca-2extensions.zip",
            "dwca-ids.zip",
            "dwca-orphaned-rows.zip",
            "dwca-missing-extension-details",
        ] {
            let err = collect(&sample(name)).expect_err(name);
            assert!(err.path.ends_with("meta.xml"), "{name}: {err}");
            assert_eq!(err.position, Some((2, 3)), "{name}");
            assert_eq!(err.field.as_deref(), Some("rowType"), "{name}");
            assert_eq!(
                err.reason,
                "the core is not an Occurrence core (rowType http://rs.tdwg.org/dwc/terms/Taxon): only occurrences are read",
                "{name}"
            );
        }
    }

    #[test]
    fn sample_archives_refused_as_a_whole() {
        let err = collect(&sample("dwca-invalid-simple-toomuch.zip")).expect_err("3 files");
        assert_eq!(
            err.reason,
            "no meta.xml, and 2 files that could be the core (0008333-160118175350007.csv, random_file): one data file expected"
        );
        let err = collect(&sample("dwca-invalid-simple-two.zip")).expect_err("2 files");
        assert!(err.reason.starts_with("no meta.xml, and 2 files"), "{err}");
    }

    #[test]
    fn sample_descriptor_wider_than_its_rows() {
        // meta.xml declares 235 columns (0 to 234); the data rows have 234.
        let got = collect(&sample("dwca-malformed-descriptor")).expect("readable");
        assert!(got.records.is_empty());
        assert_eq!(got.rejections.len(), 4);
        for (r, line) in got.rejections.iter().zip(2..) {
            assert_eq!(r.position, Some((line, 1)));
            assert_eq!(r.field.as_deref(), Some("lastCrawled"));
            assert_eq!(r.reason, "234 columns where 235 are declared");
        }
        // Without fieldsTerminatedBy the guide's comma applies: these tab rows are one column.
        let got = collect(&sample("dwca-meta-default-values")).expect("readable");
        assert_eq!(got.rejections.len(), 2);
        assert_eq!(got.rejections[0].field.as_deref(), Some("basisOfRecord"));
        assert_eq!(got.rejections[0].reason, "1 columns where 5 are declared");
    }

    #[test]
    fn sample_simple_csv_without_meta() {
        for name in [
            "dwca-simple-csv.zip",
            "dwca-simple-csv-dos.zip",
            "dwca-simple-csv-eml.zip",
            "dwca-simple-csv-notenclosed.zip",
        ] {
            let got = collect(&sample(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(got.rejections.len(), 1, "{name}");
            assert_eq!(got.rejections[0].position, Some((2, 1)), "{name}");
            assert_eq!(got.rejections[0].reason, "no coordinates", "{name}");
            assert_eq!(got.records.len(), 2, "{name}");
            let a = &got.records[0];
            assert_eq!(a.key, "0f0452b9-970e-40f4-9f22-087817943ce2", "{name}");
            assert_eq!(a.taxon.scientific_name, "Lactoria cornuta (Linnaeus, 1758)");
            assert_eq!((a.pos.lat(), a.pos.lon()), (-31.98333, 115.75));
            assert_eq!(a.event, None, "{name}: no date at all");
            assert_eq!(a.taxon.key, "2408107");
            assert_eq!(a.taxon.rank.as_deref(), Some("SPECIES"));
            assert_eq!(a.taxon.kingdom.as_deref(), Some("Animalia"));
            assert_eq!(a.taxon.family.as_deref(), Some("Ostraciidae"));
            assert_eq!(a.basis_of_record.as_deref(), Some("PRESERVED_SPECIMEN"));
            let b = &got.records[1];
            assert_eq!(b.key, "FJ583620");
            assert_eq!((b.pos.lat(), b.pos.lon()), (14.25, 120.48));
            assert_eq!(b.event, day(2005, 9, 7), "{name}");
            assert_eq!(b.event.map(|e| e.months()), Some(1 << 8));
        }
    }

    #[test]
    fn sample_gbif_downloads() {
        for name in [
            "gbif-results.zip",
            "gbif-results-lacks-s-metadata.zip",
            "gbif-results-whitespace-in-xml.zip",
        ] {
            let got = collect(&sample(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(got.records.len(), 56, "{name}");
            assert_eq!(got.rejections.len(), 102, "{name}");
            assert_eq!(got.rejections[0].position, Some((1, 1)));
            assert!(got.rejections.iter().all(|r| r.reason == "no coordinates"));
            // Line 19: no eventDate, year 1980 and month 2 in their own columns.
            let r = got
                .records
                .iter()
                .find(|r| r.key == "583543563")
                .expect("line 19");
            let feb = PartialDate {
                year: 1980,
                month: Some(2),
                day: None,
            };
            assert_eq!(
                r.event,
                Some(EventDate {
                    start: feb,
                    end: feb
                })
            );
            assert_eq!(
                r.taxon.scientific_name,
                "Chelonodon fluviatilis (Hamilton, 1822)"
            );
            assert_eq!((r.pos.lat(), r.pos.lon()), (10.0, 75.0));
            // Line 60: a Java date, `Sat Jun 26 00:00:00 CET 1976`.
            let r = got
                .records
                .iter()
                .find(|r| r.key == "484903910")
                .expect("line 60");
            assert_eq!(r.event, day(1976, 6, 26));
            assert_eq!((r.pos.lat(), r.pos.lon()), (-1.25, 116.833));
            assert_eq!(r.taxon.key, "5213564");
            assert_eq!(r.taxon.genus.as_deref(), Some("Tetraodon"));
        }
    }

    #[test]
    fn sample_utf8_line_ends() {
        let got = collect(&sample("dwca-utf8-eol-test.zip")).expect("readable");
        assert!(got.rejections.is_empty(), "{:?}", got.rejections);
        assert_eq!(got.records.len(), 1);
        let r = &got.records[0];
        assert_eq!(r.key, "189433446");
        assert_eq!(
            r.taxon.scientific_name,
            "Tetraodon fluviatilis Hamilton, 1822"
        );
        assert_eq!((r.pos.lat(), r.pos.lon()), (22.0, 96.0833));
        assert_eq!(r.event, day(1935, 3, 1));
    }

    const META_1252: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<archive xmlns="http://rs.tdwg.org/dwc/text/" metadata="eml.xml">
  <core encoding="windows-1252" fieldsTerminatedBy=";" linesTerminatedBy="\r\n" fieldsEnclosedBy="&quot;" ignoreHeaderLines="0" rowType="http://rs.tdwg.org/dwc/terms/Occurrence">
    <files><location>data/obs.csv</location></files>
    <id index="0"/>
    <field index="1" term="http://rs.tdwg.org/dwc/terms/scientificName"/>
    <field index="2" term="http://rs.tdwg.org/dwc/terms/vernacularName"/>
    <field index="3" term="http://rs.tdwg.org/dwc/terms/decimalLatitude"/>
    <field index="4" term="http://rs.tdwg.org/dwc/terms/decimalLongitude"/>
    <field index="5" term="http://rs.tdwg.org/dwc/terms/eventDate"/>
    <field index="6" term="http://rs.tdwg.org/dwc/terms/individualCount"/>
    <field index="7" term="http://rs.tdwg.org/dwc/terms/coordinateUncertaintyInMeters"/>
    <field index="8" term="http://rs.tdwg.org/dwc/terms/basisOfRecord" default="HumanObservation"/>
    <field term="http://purl.org/dc/terms/license" default="CC-BY 4.0"/>
    <field term="http://rs.tdwg.org/dwc/terms/kingdom" default="Plantae"/>
  </core>
  <extension rowType="http://rs.gbif.org/terms/1.0/Multimedia"><files><location>media.txt</location></files><coreid index="0"/></extension>
</archive>"#;

    fn zip_with(entries: &[(&str, &[u8])]) -> tempfile::NamedTempFile {
        let mut file = tempfile::Builder::new()
            .suffix(".zip")
            .tempfile()
            .expect("temp file");
        {
            let mut zip = zip::ZipWriter::new(file.as_file_mut());
            for (name, bytes) in entries {
                zip.start_file(*name, zip::write::SimpleFileOptions::default())
                    .expect("zip entry");
                zip.write_all(bytes).expect("zip write");
            }
            zip.finish().expect("zip end");
        }
        file
    }

    #[test]
    fn own_archive_windows_1252_quoted_with_defaults() {
        let mut data = Vec::new();
        // Line 1: all there; a quoted name holding the delimiter, a comma decimal separator.
        data.extend_from_slice(
            b"obs-1;\"Rosa canina; L.\";\"\xC9glantier\";48,85;2,35;2021-05-14T09:30+02:00;3;25;PreservedSpecimen\r\n",
        );
        // Line 2: empty basisOfRecord takes the default; the name spans two lines.
        data.extend_from_slice(
            b"obs-2;\"Viola\r\nodorata\";;43.6;1.44;2021-11/2022-02;two;-5;\r\n",
        );
        // Line 4: no id, a date that does not exist.
        data.extend_from_slice(b";Quercus robur;;45.0;4.0;2021-02-30;;;\r\n");
        // Lines 5 to 8: refused.
        data.extend_from_slice(b"obs-4;;;45.0;4.0;;;;\r\n");
        data.extend_from_slice(b"obs-5;Fagus;;95.0;4.0;;;;\r\n");
        data.extend_from_slice(b"obs-6;Fagus;;45.0;east;;;;\r\n");
        data.extend_from_slice(b"obs-7;Fagus;;45.0\r\n");
        data.extend_from_slice(b"obs-8;Fagus;;;4.0;;;;\r\n");
        let file = zip_with(&[
            ("meta.xml", META_1252.as_bytes()),
            ("eml.xml", b"<eml/>"),
            ("data/obs.csv", &data),
        ]);
        let got = collect(file.path()).expect("readable");
        assert_eq!(got.records.len(), 3, "{:?}", got.rejections);

        let a = &got.records[0];
        assert_eq!(a.key, "obs-1");
        assert_eq!(a.taxon.scientific_name, "Rosa canina; L.");
        assert_eq!(a.taxon.vernacular_name.as_deref(), Some("Églantier"));
        assert_eq!((a.pos.lat(), a.pos.lon()), (48.85, 2.35));
        assert_eq!(a.event, day(2021, 5, 14));
        assert_eq!(a.count, Some(3));
        assert_eq!(a.uncertainty_m, Some(25.0));
        assert_eq!(a.basis_of_record.as_deref(), Some("PreservedSpecimen"));
        assert_eq!(a.license.as_deref(), Some("CC-BY 4.0"));
        assert_eq!(a.taxon.kingdom.as_deref(), Some("Plantae"));
        assert_eq!(a.taxon.phylum, None);

        let b = &got.records[1];
        assert_eq!(b.key, "obs-2");
        assert_eq!(b.taxon.scientific_name, "Viola\r\nodorata");
        assert_eq!(b.taxon.vernacular_name, None);
        assert_eq!(b.basis_of_record.as_deref(), Some("HumanObservation"));
        assert_eq!(b.count, None, "`two` is no count");
        assert_eq!(b.uncertainty_m, None, "a negative uncertainty is none");
        assert_eq!(
            b.event.map(|e| e.months()),
            Some(1 << 10 | 1 << 11 | 1 | 1 << 1)
        );

        let c = &got.records[2];
        assert_eq!(c.key, "obs.csv:4", "no id: file name and line");
        assert_eq!(c.event, None, "30 February is no date, and no refusal");

        let found: Vec<_> = got
            .rejections
            .iter()
            .map(|r| (r.position, r.field.as_deref(), r.reason.as_str()))
            .collect();
        assert_eq!(
            found,
            vec![
                (Some((5, 1)), Some("scientificName"), "no scientific name"),
                (
                    Some((6, 1)),
                    Some("decimalLatitude"),
                    "latitude 95 is outside -90..90"
                ),
                (
                    Some((7, 1)),
                    Some("decimalLongitude"),
                    "`east` is not a number"
                ),
                (
                    Some((8, 1)),
                    Some("decimalLongitude"),
                    "4 columns where 9 are declared"
                ),
                (Some((9, 1)), Some("decimalLatitude"), "no coordinates"),
            ]
        );
        assert!(got.rejections[0].path.ends_with("data/obs.csv"));
    }

    #[test]
    fn own_archive_refusals() {
        let file = zip_with(&[("meta.xml", b"<archive>\n<core rowType='x'>")]);
        let err = collect(file.path()).expect_err("malformed meta.xml");
        assert!(err.path.ends_with("meta.xml"));
        assert!(err.position.is_some(), "{err}");

        let file = zip_with(&[("meta.xml", META_1252.as_bytes())]);
        let err = collect(file.path()).expect_err("no core file");
        assert_eq!(err.reason, "core file data/obs.csv is not in the archive");

        let mut broken = tempfile::Builder::new()
            .suffix(".zip")
            .tempfile()
            .expect("temp file");
        broken.write_all(b"PK\x03\x04 not really").expect("write");
        let err = collect(broken.path()).expect_err("broken zip");
        assert!(err.reason.starts_with("unreadable zip"), "{err}");

        let err = collect(Path::new("/nonexistent/occurrences.csv")).expect_err("no file");
        assert!(err.path.ends_with("occurrences.csv"));
    }

    #[test]
    fn own_folders() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("data")).expect("mkdir");
        std::fs::write(dir.path().join("meta.xml"), META_1252).expect("write");
        std::fs::write(
            dir.path().join("data/obs.csv"),
            b"x;Sorbus aria;Alisier blanc;45,1;5,7;2020-06;;;\n",
        )
        .expect("write");
        let got = collect(dir.path()).expect("readable");
        assert_eq!(got.records.len(), 1);
        assert_eq!(got.records[0].key, "x");
        assert_eq!(got.records[0].event.map(|e| e.months()), Some(1 << 5));

        let outside = META_1252.replace("data/obs.csv", "../obs.csv");
        std::fs::write(dir.path().join("meta.xml"), outside).expect("write");
        let err = collect(dir.path()).expect_err("outside");
        assert_eq!(err.reason, "core file ../obs.csv is outside the archive");

        // No meta.xml: the one table, next to its metadata.
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("eml.xml"), "<eml/>").expect("write");
        std::fs::write(
            dir.path().join("occurrence.txt"),
            "scientificName\tdecimalLatitude\tdecimalLongitude\nLynx lynx\t46\t6\n",
        )
        .expect("write");
        let got = collect(dir.path()).expect("readable");
        assert_eq!(
            got.records[0].key, "occurrence.txt:2",
            "no id: file and line"
        );
        assert_eq!(got.records[0].taxon.scientific_name, "Lynx lynx");
    }

    #[test]
    fn own_tgz_without_meta() {
        let mut file = tempfile::Builder::new()
            .suffix(".tar.gz")
            .tempfile()
            .expect("temp file");
        {
            let gz = flate2::write::GzEncoder::new(file.as_file_mut(), flate2::Compression::fast());
            let mut tar = tar::Builder::new(gz);
            for (name, body) in [
                ("export/eml.xml", &b"<eml/>"[..]),
                (
                    "export/occurrences.csv",
                    &b"occurrenceID,scientificName,decimalLatitude,decimalLongitude\nk1,Apus apus,44.1,3.2\nk2,Apus apus,,\n"[..],
                ),
            ] {
                let mut header = tar::Header::new_gnu();
                header.set_size(body.len() as u64);
                header.set_mode(0o644);
                header.set_cksum();
                tar.append_data(&mut header, name, body).expect("tar entry");
            }
            tar.into_inner()
                .expect("tar end")
                .finish()
                .expect("gzip end");
        }
        let got = collect(file.path()).expect("readable");
        assert_eq!(got.records.len(), 1);
        assert_eq!(got.records[0].key, "k1");
        assert_eq!(got.rejections.len(), 1);
        assert_eq!(got.rejections[0].position, Some((3, 1)));
        assert!(got.rejections[0].path.ends_with("export/occurrences.csv"));
    }

    fn plain(bytes: &[u8], suffix: &str) -> Result<Collect<Occurrence>, Rejection> {
        let mut file = tempfile::Builder::new()
            .suffix(suffix)
            .tempfile()
            .expect("temp file");
        file.write_all(bytes).expect("write");
        collect(file.path())
    }

    #[test]
    fn plain_tables_with_sniffed_delimiters() {
        let csv = "\u{feff}dwc:occurrenceID,http://rs.tdwg.org/dwc/terms/scientificName,decimalLatitude,decimalLongitude,year,month,day,vernacularName\n\
                   a1,Bufo bufo,46.2,6.1,2019,7,,\"Crapaud commun, le\"\n\
                   \n\
                   a2,Bufo bufo,46.2,6.1,2019,,,\n";
        let got = plain(csv.as_bytes(), ".csv").expect("readable");
        assert!(got.rejections.is_empty(), "{:?}", got.rejections);
        assert_eq!(got.records[0].key, "a1");
        assert_eq!(got.records[1].key, "a2");
        assert_eq!(
            got.records[0].taxon.vernacular_name.as_deref(),
            Some("Crapaud commun, le")
        );
        assert_eq!(got.records[0].event.map(|e| e.months()), Some(1 << 6));
        assert_eq!(got.records[1].event.map(|e| e.months()), Some(0));

        // Semicolons, comma decimals, Windows-1252 bytes in a UTF-8-less file.
        let got = plain(
            b"gbifID;scientificName;decimalLatitude;decimalLongitude;eventDate\n42;H\xE9risson;48,5;-1,25;2009-02-20/28\n",
            ".txt",
        )
        .expect("readable");
        let r = &got.records[0];
        assert_eq!(r.taxon.scientific_name, "Hérisson");
        assert_eq!((r.pos.lat(), r.pos.lon()), (48.5, -1.25));
        assert_eq!(r.key, "42", "GBIF's row id");
        assert_eq!(r.event.map(|e| e.end.day), Some(Some(28)));
    }

    #[test]
    fn rows_naming_a_taxon_alike_share_it() {
        let tsv = "occurrenceID\tscientificName\tvernacularName\ttaxonID\tdecimalLatitude\tdecimalLongitude\n\
                   1\tab\tc\t\t48.5\t2.7\n\
                   2\t ab \tc\t\t48.6\t2.8\n\
                   3\ta\tbc\t\t48.5\t2.7\n\
                   4\tab\tc\t77\t48.5\t2.7\n\
                   5\tab\t\t\t48.5\t2.7\n";
        let got = plain(tsv.as_bytes(), ".tsv").expect("readable");
        assert!(got.rejections.is_empty(), "{:?}", got.rejections);
        let t: Vec<&Arc<Taxon>> = got.records.iter().map(|o| &o.taxon).collect();
        assert!(Arc::ptr_eq(t[0], t[1]), "the same fields once trimmed");
        assert_eq!(
            (t[0].key.as_str(), t[0].vernacular_name.as_deref()),
            ("ab", Some("c"))
        );
        // Fields do not run together: "a" + "bc" is not "ab" + "c".
        assert!(!Arc::ptr_eq(t[0], t[2]));
        assert_eq!(
            (
                t[2].scientific_name.as_str(),
                t[2].vernacular_name.as_deref()
            ),
            ("a", Some("bc"))
        );
        assert_eq!(
            (t[3].key.as_str(), t[3].ids.as_slice()),
            ("77", ["77".to_owned()].as_slice())
        );
        assert_eq!(t[4].vernacular_name, None);
        assert!(!Arc::ptr_eq(t[0], t[4]) && !Arc::ptr_eq(t[0], t[3]));
    }

    #[test]
    fn plain_tables_refused() {
        let err = plain(b"", ".csv").expect_err("empty");
        assert_eq!(err.reason, "empty file: a header line is needed");
        let err = plain(b"a,b,c\n1,2,3\n", ".csv").expect_err("not occurrences");
        assert_eq!(err.position, Some((1, 1)));
        assert!(err.reason.starts_with("not an occurrence table"), "{err}");
    }

    /// Stops at once when the sink says so.
    struct Stop(usize);
    impl Sink<Occurrence> for Stop {
        fn record(&mut self, _: Occurrence) -> bool {
            self.0 += 1;
            false
        }
        fn reject(&mut self, _: Rejection) -> bool {
            self.0 += 1;
            false
        }
    }

    #[test]
    fn stops_when_the_sink_says_so() {
        let mut stop = Stop(0);
        read(&sample("gbif-results.zip"), &mut stop).expect("readable");
        assert_eq!(stop.0, 1);
    }

    /// A fixed-seed generator, enough to mangle inputs reproducibly.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self, below: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((self.0 >> 33) % below as u64) as usize
        }
    }

    #[test]
    fn mangled_archives_and_tables_never_panic() {
        let mut rng = Lcg(7);
        let dir = tempfile::tempdir().expect("temp dir");
        let names = [
            "gbif-results.zip",
            "dwca-simple-csv.zip",
            "dwca-test-default.zip",
            "dwca-utf8-eol-test.zip",
            "dwca-simple-test-archive.tgz",
            "dwca-malformed-descriptor/meta.xml",
            "dwca-simple-dir/occurrence.txt",
        ];
        let mut outcomes = [0usize; 2];
        for name in names {
            let original = std::fs::read(sample(name)).expect("sample");
            let ext = name.rsplit('.').next().unwrap_or("bin");
            for round in 0..40 {
                let mut bytes = original.clone();
                if round % 4 == 0 {
                    bytes.truncate(rng.next(bytes.len() + 1));
                } else {
                    for _ in 0..1 + rng.next(8) {
                        let i = rng.next(bytes.len());
                        bytes[i] = [b'\t', b'"', b'\n', b',', b'<', 0xE9, 0xFF, b'9'][rng.next(8)];
                    }
                }
                let path = dir.path().join(format!("mangled.{ext}"));
                std::fs::write(&path, &bytes).expect("write");
                outcomes[usize::from(collect(&path).is_ok())] += 1;
            }
        }
        // Both outcomes happen: some files are refused, others read with rejections.
        assert!(outcomes[0] > 0 && outcomes[1] > 0, "{outcomes:?}");
    }

    #[test]
    fn random_dates_never_panic() {
        let mut rng = Lcg(11);
        let alphabet = [
            "0", "1", "2", "9", "-", "/", "T", ":", " ", "Z", "+", "é", "Jan", "CET", "20", "2009",
        ];
        let mut parsed = 0;
        for _ in 0..50_000 {
            let s: String = (0..rng.next(12))
                .map(|_| alphabet[rng.next(alphabet.len())])
                .collect();
            if let Some(e) = dates::parse(&s) {
                parsed += 1;
                assert!(e.months() < 1 << 12, "{s}");
            }
        }
        assert!(parsed > 0);
    }

    /// Counts, holding nothing.
    #[derive(Default)]
    struct Count(u64, u64);
    impl Sink<Occurrence> for Count {
        fn record(&mut self, o: Occurrence) -> bool {
            self.0 += u64::from(o.event.is_some());
            true
        }
        fn reject(&mut self, _: Rejection) -> bool {
            self.1 += 1;
            true
        }
    }

    /// Reader speed on a generated million-row table; run in release:
    /// `cargo test -p balade-import --release dwc::tests::throughput -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn throughput() {
        let mut file = tempfile::Builder::new()
            .suffix(".csv")
            .tempfile()
            .expect("temp file");
        {
            let mut w = std::io::BufWriter::new(file.as_file_mut());
            writeln!(w, "occurrenceID\tbasisOfRecord\tscientificName\tkingdom\tfamily\tgenus\ttaxonRank\tdecimalLatitude\tdecimalLongitude\tcoordinateUncertaintyInMeters\teventDate\tindividualCount\tlicense\tlocality").expect("write");
            for i in 0..1_000_000u32 {
                writeln!(
                    w,
                    "urn:obs:{i}\tHumanObservation\tQuercus robur L.\tPlantae\tFagaceae\tQuercus\tSPECIES\t{}.{:05}\t{}.{:04}\t{}\t20{:02}-{:02}-{:02}T10:00Z\t{}\tCC-BY 4.0\tBois de la Cambre",
                    42 + i % 8,
                    i % 99_999,
                    i % 7,
                    i % 9_999,
                    i % 500,
                    i % 25,
                    1 + i % 12,
                    1 + i % 28,
                    1 + i % 9
                )
                .expect("write");
            }
        }
        let start = std::time::Instant::now();
        let mut count = Count::default();
        read(file.path(), &mut count).expect("readable");
        let elapsed = start.elapsed().as_secs_f64();
        assert_eq!((count.0, count.1), (1_000_000, 0));
        println!(
            "{} rows in {elapsed:.2} s: {:.0} rows/s",
            count.0,
            count.0 as f64 / elapsed
        );
    }
}
