//! The domain model. Values that can be wrong are newtypes checked at construction, so a
//! `LonLat` or a `Difficulty` in hand is always valid.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Why a value was refused. The message names the value and the accepted form.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DomainError {
    #[error("longitude {0} is outside -180..180")]
    Longitude(f64),
    #[error("latitude {0} is outside -90..90")]
    Latitude(f64),
    #[error("unknown {what} `{value}` (expected one of: {expected})")]
    UnknownValue {
        what: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("malformed id `{0}` (1 to 128 letters, digits, `-`, `_`, `.` or `:`, not dots alone)")]
    Id(String),
    #[error(
        "malformed INSEE code `{0}` (5 characters: département 01-95, 2A, 2B or 971-976, then the commune)"
    )]
    Insee(String),
}

/// A WGS84 position, longitude first as in GeoJSON.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LonLat {
    lon: f64,
    lat: f64,
}

impl LonLat {
    pub fn new(lon: f64, lat: f64) -> Result<Self, DomainError> {
        if !(-180.0..=180.0).contains(&lon) {
            return Err(DomainError::Longitude(lon));
        }
        if !(-90.0..=90.0).contains(&lat) {
            return Err(DomainError::Latitude(lat));
        }
        Ok(Self { lon, lat })
    }
    pub fn lon(self) -> f64 {
        self.lon
    }
    pub fn lat(self) -> f64 {
        self.lat
    }
    pub fn point(self) -> geo::Point<f64> {
        geo::Point::new(self.lon, self.lat)
    }
}

/// Declares a closed set of values with their wire names, parsing and display.
macro_rules! closed_set {
    ($(#[$meta:meta])* $name:ident, $what:literal, { $($variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }
        }

        impl FromStr for $name {
            type Err = DomainError;
            fn from_str(s: &str) -> Result<Self, DomainError> {
                match s {
                    $($wire => Ok($name::$variant),)+
                    _ => Err(DomainError::UnknownValue {
                        what: $what,
                        value: s.to_owned(),
                        expected: concat!($($wire, " "),+),
                    }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

closed_set!(
    /// How demanding a circuit is.
    Difficulty, "difficulty", {
    Easy => "easy", Medium => "medium", Hard => "hard", VeryHard => "very_hard",
});

closed_set!(
    /// The shape of a circuit: back at the start, out and back on the same path, or A to B.
    CircuitType, "type", {
    Loop => "loop", Return => "return", OneWay => "one_way",
});

closed_set!(
    /// How the circuit is travelled.
    Practice, "practice", {
    Walk => "walk", Mtb => "mtb", Bike => "bike", Horse => "horse",
});

closed_set!(
    /// What a point of interest is.
    PoiKind, "kind", {
    Heritage => "heritage", Fauna => "fauna", Flora => "flora", Landscape => "landscape",
    Viewpoint => "viewpoint", Lodging => "lodging", Food => "food", Practical => "practical",
});

closed_set!(
    /// What a media item is: a photo stored with its derivatives, or a link to a video
    /// or an audio file hosted elsewhere.
    MediaKind, "media kind", {
    Photo => "photo", Video => "video", Audio => "audio",
});

/// Declares a string id newtype, checked on construction.
macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(s: impl Into<String>) -> Result<Self, DomainError> {
                let s = s.into();
                if valid_id(&s) { Ok(Self(s)) } else { Err(DomainError::Id(s)) }
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = DomainError;
            fn from_str(s: &str) -> Result<Self, DomainError> {
                Self::new(s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

/// Ids are path segments of URLs and of files (offline packages, zips): dots alone
/// (`.`, `..`) would name a folder, not a record.
fn valid_id(s: &str) -> bool {
    (1..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
        && !s.bytes().all(|b| b == b'.')
}

string_id!(
    /// A circuit's public id, stable across re-imports.
    CircuitId
);
string_id!(
    /// A POI's public id, stable across re-imports.
    PoiId
);
string_id!(
    /// A landscape unit's public id, stable across re-imports.
    LandscapeId
);

/// A French commune code (code officiel géographique), e.g. `77379` for Provins.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Insee(String);

impl Insee {
    pub fn new(s: &str) -> Result<Self, DomainError> {
        let s = s.trim();
        let b = s.as_bytes();
        let digits = |r: &[u8]| r.iter().all(u8::is_ascii_digit);
        let ok = b.len() == 5
            && match &b[..2] {
                b"2A" | b"2B" => digits(&b[2..]),
                b"97" => matches!(b[2], b'1'..=b'6') && digits(&b[3..]),
                d => digits(d) && d != b"00" && d != b"20" && d <= &b"95"[..] && digits(&b[2..]),
            };
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(DomainError::Insee(s.to_owned()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One point of a trace, with its elevation when the source gives one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TracePoint {
    pub pos: LonLat,
    pub ele: Option<f64>,
}

/// A trace: one or more segments, each a sequence of points. Gaps between segments are
/// not walked, so they count in no length.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Trace {
    pub segments: Vec<Vec<TracePoint>>,
}

impl Trace {
    pub fn points(&self) -> impl Iterator<Item = &TracePoint> {
        self.segments.iter().flatten()
    }
    pub fn start(&self) -> Option<LonLat> {
        self.points().next().map(|p| p.pos)
    }
    pub fn end(&self) -> Option<LonLat> {
        self.segments
            .iter()
            .rev()
            .flat_map(|s| s.last())
            .next()
            .map(|p| p.pos)
    }
    pub fn point_count(&self) -> usize {
        self.segments.iter().map(Vec::len).sum()
    }
}

/// Figures computed from a trace (see [`crate::geometry`] for the rules).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct TraceStats {
    pub length_m: f64,
    pub ascent_m: f64,
    pub descent_m: f64,
    pub min_elevation_m: Option<f64>,
    pub max_elevation_m: Option<f64>,
}

/// A circuit as stored: its texts, its trace and the figures computed from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Circuit {
    pub id: CircuitId,
    /// The key the importer upserts on, e.g. `gpx:provins-remparts`.
    pub source: String,
    pub name: String,
    pub summary: String,
    pub description: String,
    pub practice: Practice,
    pub themes: Vec<String>,
    /// Communes crossed, in walking order: computed from the trace where commune
    /// boundaries are known ([`Circuit::locate`]), else as the source gives them.
    pub communes: Vec<String>,
    /// Intercommunalities of the communes crossed (empty without boundaries).
    pub intercommunalities: Vec<String>,
    pub trace: Trace,
    pub stats: TraceStats,
    pub duration_min: u32,
    pub difficulty: Difficulty,
    pub circuit_type: CircuitType,
    pub published: bool,
    /// Access, parking, transport, season, advice, accessibility, directions.
    pub practical: Practical,
    /// Texts in languages other than French, by language code (`en`).
    pub translations: Translations,
}

/// Texts of a circuit or a POI in other languages than French: language code → texts.
pub type Translations = std::collections::BTreeMap<String, Translation>;

/// A circuit's texts in one other language; a missing text falls back to French.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Translation {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A circuit's practical information in this language, field by field.
    #[serde(skip_serializing_if = "Practical::is_empty")]
    pub practical: Practical,
}

/// What a walker needs to know before leaving, as plain texts; all optional.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Practical {
    /// How to get to the start by road.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parking: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_transport: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub best_season: Option<String>,
    /// Difficult passages, safety, equipment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommendations: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accessibility: Option<String>,
    /// Step-by-step directions, in walking order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<String>,
}

impl Practical {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// These texts, each missing one taken from `fallback` (steps as a whole).
    pub fn or(&self, fallback: &Practical) -> Practical {
        let pick = |a: &Option<String>, b: &Option<String>| a.clone().or_else(|| b.clone());
        Practical {
            access: pick(&self.access, &fallback.access),
            parking: pick(&self.parking, &fallback.parking),
            public_transport: pick(&self.public_transport, &fallback.public_transport),
            best_season: pick(&self.best_season, &fallback.best_season),
            recommendations: pick(&self.recommendations, &fallback.recommendations),
            accessibility: pick(&self.accessibility, &fallback.accessibility),
            steps: if self.steps.is_empty() {
                fallback.steps.clone()
            } else {
                self.steps.clone()
            },
        }
    }
}

/// What the catalogue needs of a circuit, without its trace.
#[derive(Debug, Clone, PartialEq)]
pub struct CircuitSummary {
    pub id: CircuitId,
    pub name: String,
    pub summary: String,
    pub description: String,
    pub practice: Practice,
    pub themes: Vec<String>,
    pub communes: Vec<String>,
    pub intercommunalities: Vec<String>,
    pub start: LonLat,
    pub stats: TraceStats,
    pub duration_min: u32,
    pub difficulty: Difficulty,
    pub circuit_type: CircuitType,
    pub translations: Translations,
}

/// A point of interest.
#[derive(Debug, Clone, PartialEq)]
pub struct Poi {
    pub id: PoiId,
    pub source: String,
    pub kind: PoiKind,
    pub name: String,
    pub description: String,
    /// `None` for a record whose source gives no usable location (an inventory notice
    /// with empty or placeholder coordinates): kept for search, never on the map.
    pub pos: Option<LonLat>,
    pub ele: Option<f64>,
    /// The circuit whose file brought this POI, if any.
    pub circuit: Option<CircuitId>,
    pub commune: Option<String>,
    pub insee: Option<Insee>,
    pub details: PoiDetails,
}

/// What a POI says beyond its name and text, as its source gives it. Every field is
/// optional plain text; `provenance` keeps the source's own fields as read.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PoiDetails {
    /// What the building is: "chapelle", "coopérative vinicole".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub denomination: Option<String>,
    /// Centuries, as the inventory writes them: "2e quart 20e siècle".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// Years: "1928 ; 1939".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dates: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<String>,
    /// Legal protection: "inscrit MH", with its date when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protection: Option<String>,
    /// Ownership: "propriété de la commune".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opening_hours: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wheelchair: Option<String>,
    /// The source's fields as read (code → value), for provenance.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub provenance: std::collections::BTreeMap<String, String>,
    /// The POI's name and description in other languages than French (`summary` unused).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub translations: Translations,
}

impl PoiDetails {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A landscape unit of an Atlas des Paysages: "the Brie plateau", "the Loing valley".
#[derive(Debug, Clone, PartialEq)]
pub struct Landscape {
    pub id: LandscapeId,
    /// The key the importer upserts on, e.g. `landscape:vallee-du-loing`.
    pub source: String,
    pub name: String,
    pub description: String,
    /// Polygons, each an outer ring then its holes; rings are closed or not.
    pub polygons: Vec<Vec<Vec<LonLat>>>,
}

/// Something drawn on the map as polygons with holes: a landscape unit, a commune.
pub trait Area {
    /// Polygons, each an outer ring then its holes; rings are closed or not.
    fn polygons(&self) -> &[Vec<Vec<LonLat>>];

    /// Whether `p` lies inside: inside an outer ring and outside its holes (ray casting
    /// on lon/lat, as the guidance rules do).
    fn contains(&self, p: LonLat) -> bool {
        self.polygons().iter().any(|rings| {
            rings.first().is_some_and(|outer| in_ring(p, outer))
                && !rings[1..].iter().any(|hole| in_ring(p, hole))
        })
    }

    /// `[west, south, east, north]`.
    fn bbox(&self) -> [f64; 4] {
        let mut b = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for p in self.polygons().iter().flatten().flatten() {
            b = [
                b[0].min(p.lon()),
                b[1].min(p.lat()),
                b[2].max(p.lon()),
                b[3].max(p.lat()),
            ];
        }
        b
    }
}

impl Area for Landscape {
    fn polygons(&self) -> &[Vec<Vec<LonLat>>] {
        &self.polygons
    }
}

/// The areas a trace passes through, in the order it enters them. Areas whose box
/// misses the trace's box are never tested point by point, and the area the last point
/// fell in is tried first: consecutive points mostly share one.
pub fn areas_crossed<'a, A: Area>(areas: &'a [A], trace: &Trace) -> Vec<&'a A> {
    let mut tb = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for p in trace.points() {
        let (x, y) = (p.pos.lon(), p.pos.lat());
        tb = [tb[0].min(x), tb[1].min(y), tb[2].max(x), tb[3].max(y)];
    }
    let near: Vec<(usize, [f64; 4])> = areas
        .iter()
        .enumerate()
        .map(|(i, a)| (i, a.bbox()))
        .filter(|(_, b)| b[0] <= tb[2] && b[2] >= tb[0] && b[1] <= tb[3] && b[3] >= tb[1])
        .collect();
    let mut crossed: Vec<usize> = Vec::new();
    for p in trace.points() {
        let (x, y) = (p.pos.lon(), p.pos.lat());
        for (i, b) in &near {
            let in_box = b[0] <= x && x <= b[2] && b[1] <= y && y <= b[3];
            if in_box && !crossed.contains(i) && areas[*i].contains(p.pos) {
                crossed.push(*i);
            }
        }
    }
    crossed.into_iter().map(|i| &areas[i]).collect()
}

/// A commune (municipality) with its boundary and the intercommunality (EPCI) it
/// belongs to: what places circuits in the territory's administrative map.
#[derive(Debug, Clone, PartialEq)]
pub struct Commune {
    pub code: Insee,
    pub name: String,
    /// The intercommunality by name: "Communauté d'agglomération du Pays de Fontainebleau".
    pub intercommunality: Option<String>,
    /// The intercommunality's SIREN, when the source gives it: what a staff territory
    /// may name.
    pub intercommunality_code: Option<String>,
    pub polygons: Vec<Vec<Vec<LonLat>>>,
}

impl Area for Commune {
    fn polygons(&self) -> &[Vec<Vec<LonLat>>] {
        &self.polygons
    }
}

impl Circuit {
    /// Sets the communes the trace crosses and their intercommunalities, in walking
    /// order, from `communes`. Where no commune holds any point of the trace (no
    /// boundaries for that territory), the communes the source gave stay.
    pub fn locate(&mut self, communes: &[Commune]) {
        let crossed = areas_crossed(communes, &self.trace);
        if crossed.is_empty() {
            return;
        }
        self.communes = crossed.iter().map(|c| c.name.clone()).collect();
        self.intercommunalities.clear();
        for i in crossed.iter().filter_map(|c| c.intercommunality.as_ref()) {
            if !self.intercommunalities.contains(i) {
                self.intercommunalities.push(i.clone());
            }
        }
    }
}

fn in_ring(p: LonLat, ring: &[LonLat]) -> bool {
    let (x, y) = (p.lon(), p.lat());
    let mut inside = false;
    let mut j = ring.len().wrapping_sub(1);
    for i in 0..ring.len() {
        let (xi, yi, xj, yj) = (ring[i].lon(), ring[i].lat(), ring[j].lon(), ring[j].lat());
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

/// A taxon as observations name it: the key is the source's taxon id when given, else
/// the scientific name.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Taxon {
    pub key: String,
    pub scientific_name: String,
    pub vernacular_name: Option<String>,
    pub rank: Option<String>,
    pub kingdom: Option<String>,
    pub phylum: Option<String>,
    pub class: Option<String>,
    pub order: Option<String>,
    pub family: Option<String>,
    pub genus: Option<String>,
    /// Every other identifier the source gives it (GBIF `taxonKey`, `speciesKey`,
    /// TAXREF `CD_NOM`, `CD_REF`…): the sensitivity list may name it by any.
    pub ids: Vec<String>,
}

impl Taxon {
    /// The group a walker understands, from the classification: birds, mammals,
    /// reptiles, amphibians, fish, insects, spiders, molluscs, other animals, plants,
    /// mosses, fungi, lichens, or other.
    pub fn group(&self) -> &'static str {
        let is = |v: &Option<String>, names: &[&str]| {
            v.as_deref()
                .is_some_and(|v| names.iter().any(|n| v.eq_ignore_ascii_case(n)))
        };
        if is(&self.class, &["Aves"]) {
            "birds"
        } else if is(&self.class, &["Mammalia"]) {
            "mammals"
        } else if is(&self.class, &["Reptilia", "Squamata", "Testudines"]) {
            "reptiles"
        } else if is(&self.class, &["Amphibia"]) {
            "amphibians"
        } else if is(
            &self.class,
            &[
                "Actinopterygii",
                "Actinopteri",
                "Petromyzonti",
                "Elasmobranchii",
            ],
        ) {
            "fish"
        } else if is(&self.class, &["Insecta"]) {
            "insects"
        } else if is(&self.class, &["Arachnida"]) {
            "spiders"
        } else if is(&self.phylum, &["Mollusca"]) {
            "molluscs"
        } else if is(&self.class, &["Lecanoromycetes", "Arthoniomycetes"]) {
            "lichens"
        } else if is(
            &self.phylum,
            &["Bryophyta", "Marchantiophyta", "Anthocerotophyta"],
        ) {
            "mosses"
        } else if is(&self.kingdom, &["Plantae"]) {
            "plants"
        } else if is(&self.kingdom, &["Fungi"]) {
            "fungi"
        } else if is(&self.kingdom, &["Animalia"]) {
            "other_animals"
        } else {
            "other"
        }
    }
}

/// One observation of a taxon, stored precisely; public outputs only ever give grid
/// cells (see [`crate::species`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// The key the importer upserts on: `dwc:` and the occurrence's id.
    pub source: String,
    /// Shared by the observations of one taxon a reader met.
    pub taxon: std::sync::Arc<Taxon>,
    /// ISO 8601 (partial) dates of the start and end of the event, when known.
    pub event_start: Option<String>,
    pub event_end: Option<String>,
    /// Months the observation may fall in, bit 0 = January; 0 when unknown.
    pub months: u16,
    pub pos: LonLat,
    pub uncertainty_m: Option<f64>,
    pub count: Option<u32>,
    pub basis_of_record: Option<String>,
    pub license: Option<String>,
}

/// How much a taxon's observations are blurred in public outputs (the rule is in
/// [`crate::sensitivity`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Sensitivity {
    /// Counted in 1 km cells, cells named.
    Normal,
    /// Listed as sensitive: counted in 10 km cells, no cell named.
    Sensitive,
    /// The strongest level: hidden from every public output.
    Strict,
}

impl Sensitivity {
    /// Level numbers of the sensitivity list: 0, 1, 2.
    pub fn from_level(level: u8) -> Option<Self> {
        match level {
            0 => Some(Self::Normal),
            1 => Some(Self::Sensitive),
            2 => Some(Self::Strict),
            _ => None,
        }
    }
    pub fn level(self) -> u8 {
        match self {
            Self::Normal => 0,
            Self::Sensitive => 1,
            Self::Strict => 2,
        }
    }
    /// The side of the public grid cells, in metres of Lambert 93.
    pub fn cell_m(self) -> u32 {
        match self {
            Self::Strict => 10_000,
            _ => 1_000,
        }
    }
}

/// Public aggregate: how many observations of a taxon fall in one Lambert 93 grid cell,
/// and in which months.
#[derive(Debug, Clone, PartialEq)]
pub struct SpeciesCell {
    /// Cell side in metres (1,000 or 10,000).
    pub size_m: u32,
    /// Cell indices: the south-west corner is (x × size, y × size) in Lambert 93.
    pub x: i32,
    pub y: i32,
    pub taxon: String,
    pub months: u16,
    pub observations: u64,
}

/// What a media item illustrates.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MediaOwner {
    Circuit(CircuitId),
    Poi(PoiId),
}

impl MediaOwner {
    /// `circuit` or `poi`, as stored.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Circuit(_) => "circuit",
            Self::Poi(_) => "poi",
        }
    }
    pub fn id(&self) -> &str {
        match self {
            Self::Circuit(c) => c.as_str(),
            Self::Poi(p) => p.as_str(),
        }
    }
}

/// A photo, video or audio item attached to a circuit or a POI, with its credits.
#[derive(Debug, Clone, PartialEq)]
pub struct Media {
    /// Content-derived: the hash of a photo's original bytes, or of a link's URL.
    pub id: String,
    pub owner: MediaOwner,
    pub kind: MediaKind,
    /// Where a video or an audio file is; `None` for photos, served by Balade.
    pub url: Option<String>,
    pub title: Option<String>,
    pub author: Option<String>,
    pub license: Option<String>,
    /// Alternative text, for screen readers.
    pub alt: Option<String>,
    /// Pixel size of the largest derivative (photos).
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Order among the owner's media.
    pub position: u32,
    /// Stored derivatives of a photo: width in pixels and size in bytes.
    pub files: Vec<(u32, u64)>,
}

/// What the spatial index needs of a POI.
#[derive(Debug, Clone, PartialEq)]
pub struct PoiPoint {
    pub id: PoiId,
    pub kind: PoiKind,
    /// The French name.
    pub name: String,
    pub pos: LonLat,
    /// The name in other languages (language code, name); usually empty.
    pub names: Vec<(String, String)>,
}

impl PoiPoint {
    /// The translated names of `translations`, as [`PoiPoint::names`] holds them.
    pub fn names_of(translations: Translations) -> Vec<(String, String)> {
        translations
            .into_iter()
            .filter_map(|(lang, t)| Some((lang, t.name?)))
            .collect()
    }

    /// The name in `lang`, or the French one.
    pub fn name_in(&self, lang: &str) -> &str {
        self.names
            .iter()
            .find(|(l, _)| l == lang)
            .map_or(&self.name, |(_, n)| n)
    }
}

impl Poi {
    /// What the spatial index holds of the POI; `None` when it has no position.
    pub fn point(&self) -> Option<PoiPoint> {
        Some(PoiPoint {
            id: self.id.clone(),
            kind: self.kind,
            name: self.name.clone(),
            pos: self.pos?,
            names: PoiPoint::names_of(self.details.translations.clone()),
        })
    }

    /// The POI with its name and description in `lang` where it has them (French stays
    /// for a missing text), and no other translations: what an answer in `lang` shows.
    pub fn in_language(mut self, lang: &str) -> Self {
        if let Some(t) = self.details.translations.remove(lang) {
            if let Some(name) = t.name {
                self.name = name;
            }
            if let Some(description) = t.description {
                self.description = description;
            }
        }
        self.details.translations.clear();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lonlat_rejects_out_of_range() {
        assert!(LonLat::new(2.9, 48.5).is_ok());
        assert!(LonLat::new(-180.0, 90.0).is_ok());
        assert_eq!(LonLat::new(2.9, 123.0), Err(DomainError::Latitude(123.0)));
        assert_eq!(LonLat::new(181.0, 0.0), Err(DomainError::Longitude(181.0)));
        assert!(LonLat::new(f64::NAN, 0.0).is_err());
    }

    #[test]
    fn closed_sets_parse_their_wire_names_only() {
        assert_eq!("very_hard".parse::<Difficulty>(), Ok(Difficulty::VeryHard));
        assert_eq!("one_way".parse::<CircuitType>(), Ok(CircuitType::OneWay));
        let err = "extreme".parse::<Difficulty>().unwrap_err().to_string();
        assert!(
            err.contains("extreme") && err.contains("very_hard"),
            "{err}"
        );
        for k in PoiKind::ALL {
            assert_eq!(k.as_str().parse::<PoiKind>().as_ref(), Ok(k));
        }
    }

    #[test]
    fn ids_are_checked() {
        assert!(CircuitId::new("provins-remparts").is_ok());
        assert!(PoiId::new("gpx:provins-remparts:3").is_ok());
        assert!(CircuitId::new("").is_err());
        assert!(CircuitId::new("a b").is_err());
        assert!(CircuitId::new("../etc").is_err());
        assert!(CircuitId::new(".").is_err());
        assert!(PoiId::new("..").is_err());
        assert!(PoiId::new("...").is_err());
        assert!(PoiId::new("a.b").is_ok());
        assert!(CircuitId::new("x".repeat(129)).is_err());
    }

    #[test]
    fn insee_codes() {
        for ok in ["77379", "2A004", "2B033", "97411", "01001"] {
            assert!(Insee::new(ok).is_ok(), "{ok}");
        }
        for bad in [
            "7737", "773790", "00123", "20123", "96001", "97701", "2C004", "77A79",
        ] {
            assert!(Insee::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn landscape_contains_respects_holes() {
        let ll = |lon, lat| LonLat::new(lon, lat).unwrap();
        let square =
            |w: f64, s: f64, e: f64, n: f64| vec![ll(w, s), ll(e, s), ll(e, n), ll(w, n), ll(w, s)];
        let l = Landscape {
            id: LandscapeId::new("x").unwrap(),
            source: "t".into(),
            name: "X".into(),
            description: String::new(),
            polygons: vec![
                vec![square(0.0, 0.0, 4.0, 4.0), square(1.0, 1.0, 2.0, 2.0)],
                vec![square(10.0, 10.0, 11.0, 11.0)],
            ],
        };
        assert!(l.contains(ll(0.5, 0.5)));
        assert!(!l.contains(ll(1.5, 1.5)), "in the hole");
        assert!(l.contains(ll(10.5, 10.2)), "second polygon");
        assert!(!l.contains(ll(5.0, 5.0)));
        assert_eq!(l.bbox(), [0.0, 0.0, 11.0, 11.0]);
    }

    #[test]
    fn a_circuit_is_placed_in_the_communes_its_trace_crosses_in_walking_order() {
        let ll = |lon, lat| LonLat::new(lon, lat).unwrap();
        let commune = |code: &str, name: &str, w: f64, epci: Option<&str>| Commune {
            code: Insee::new(code).unwrap(),
            name: name.into(),
            intercommunality: epci.map(str::to_owned),
            intercommunality_code: None,
            polygons: vec![vec![vec![
                ll(w, 48.0),
                ll(w + 1.0, 48.0),
                ll(w + 1.0, 49.0),
                ll(w, 49.0),
            ]]],
        };
        let communes = [
            commune("77001", "Est", 2.0, Some("CC Deux")),
            commune("77002", "Ouest", 0.0, Some("CC Un")),
            commune("77003", "Centre", 1.0, Some("CC Un")),
            commune("77004", "Loin", 9.0, None),
        ];
        let walk = |lons: &[f64]| Trace {
            segments: vec![
                lons.iter()
                    .map(|&lon| TracePoint {
                        pos: ll(lon, 48.5),
                        ele: None,
                    })
                    .collect(),
            ],
        };
        let mut c = Circuit {
            communes: vec!["Donnée".into()],
            ..crate::store::testing::circuit("c", Practice::Walk, walk(&[0.5, 1.5, 2.5, 1.2]))
        };
        c.locate(&communes);
        assert_eq!(c.communes, ["Ouest", "Centre", "Est"]);
        assert_eq!(c.intercommunalities, ["CC Un", "CC Deux"]);
        // A trace outside every known commune keeps what the source said.
        c.trace = walk(&[20.0, 20.5]);
        c.communes = vec!["Donnée".into()];
        c.intercommunalities.clear();
        c.locate(&communes);
        assert_eq!(c.communes, ["Donnée"]);
        assert!(c.intercommunalities.is_empty());
    }

    #[test]
    fn trace_start_and_end_skip_empty_segments() {
        let p = |lon| TracePoint {
            pos: LonLat::new(lon, 48.0).unwrap(),
            ele: None,
        };
        let t = Trace {
            segments: vec![vec![], vec![p(1.0), p(2.0)], vec![]],
        };
        assert_eq!(t.start().map(LonLat::lon), Some(1.0));
        assert_eq!(t.end().map(LonLat::lon), Some(2.0));
        assert_eq!(t.point_count(), 2);
    }
}
