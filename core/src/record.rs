//! A record as imports see it, whatever its kind: the key it is upserted on, what a
//! person calls it, the fields a change is told by, and the set of records of the same
//! source it belongs to (its scope), from which vanished records are found.
//!
//! Scopes, by key:
//! - POIs of a circuit's own file (`gpx:ID:wpt:…`): that circuit's waypoints;
//! - tourism places (`tourism:PRODUCER:…`): that producer's places (OSM, APIDAE…);
//! - circuits of the national schema (`randonnee:PRODUCER:…`): that producer's;
//! - every other keyed source (`heritage:`, `geotrek:`, `apidae:`, `landscape:`,
//!   `dwc:`, …): everything with that first part;
//! - GPX circuits (one per file: a folder is no complete set) and communes (reference
//!   geography) have none: they never vanish by an import.

use crate::domain::{Circuit, Commune, Landscape, LonLat, Observation, Poi};
use crate::store::codec::{encode_json, encode_polygons, encode_trace};
use std::fmt;

/// The kinds of records imports write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecordKind {
    Circuit,
    Poi,
    Landscape,
    Commune,
    Observation,
}

impl RecordKind {
    pub const ALL: [RecordKind; 5] = [
        RecordKind::Circuit,
        RecordKind::Poi,
        RecordKind::Landscape,
        RecordKind::Commune,
        RecordKind::Observation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Circuit => "circuit",
            RecordKind::Poi => "poi",
            RecordKind::Landscape => "landscape",
            RecordKind::Commune => "commune",
            RecordKind::Observation => "observation",
        }
    }
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One record of any kind. Records move by the thousand in batches, unboxed: a box
/// each would be an allocation (and a free on another thread) per record.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)]
pub enum Record {
    Circuit(Circuit),
    Poi(Poi),
    Landscape(Landscape),
    Commune(Commune),
    Observation(Observation),
}

impl Record {
    pub fn kind(&self) -> RecordKind {
        match self {
            Record::Circuit(_) => RecordKind::Circuit,
            Record::Poi(_) => RecordKind::Poi,
            Record::Landscape(_) => RecordKind::Landscape,
            Record::Commune(_) => RecordKind::Commune,
            Record::Observation(_) => RecordKind::Observation,
        }
    }

    /// The key the store upserts on: the source, or a commune's code.
    pub fn key(&self) -> &str {
        match self {
            Record::Circuit(c) => &c.source,
            Record::Poi(p) => &p.source,
            Record::Landscape(l) => &l.source,
            Record::Commune(c) => c.code.as_str(),
            Record::Observation(o) => &o.source,
        }
    }

    /// The public id, for the kinds that have one besides their key.
    pub fn id(&self) -> Option<&str> {
        match self {
            Record::Circuit(c) => Some(c.id.as_str()),
            Record::Poi(p) => Some(p.id.as_str()),
            Record::Landscape(l) => Some(l.id.as_str()),
            Record::Commune(_) | Record::Observation(_) => None,
        }
    }

    /// What a person calls it.
    pub fn label(&self) -> String {
        match self {
            Record::Circuit(c) => c.name.clone(),
            Record::Poi(p) => p.name.clone(),
            Record::Landscape(l) => l.name.clone(),
            Record::Commune(c) => c.name.clone(),
            Record::Observation(o) => o.taxon.scientific_name.clone(),
        }
    }

    /// Where it is, for maps of a plan: a point's position, a circuit's start.
    pub fn position(&self) -> Option<LonLat> {
        match self {
            Record::Circuit(c) => c.trace.start(),
            Record::Poi(p) => p.pos,
            Record::Observation(o) => Some(o.pos),
            Record::Landscape(_) | Record::Commune(_) => None,
        }
    }

    /// The commune it is said to be in, when it says.
    pub fn commune(&self) -> Option<&str> {
        match self {
            Record::Circuit(c) => c.communes.first().map(String::as_str),
            Record::Poi(p) => p.commune.as_deref(),
            Record::Commune(c) => Some(&c.name),
            Record::Landscape(_) | Record::Observation(_) => None,
        }
    }

    /// The scope of its key (see the module's rules).
    pub fn scope(&self) -> Option<&str> {
        scope(self.kind(), self.key())
    }

    /// Every field a change is told by, as text, in a stable order.
    pub fn fields(&self) -> Vec<(String, String)> {
        self.as_ref().fields()
    }

    /// A checksum of every field: equal digests, equal records (but by chance).
    pub fn digest(&self) -> u64 {
        self.as_ref().digest()
    }

    pub fn as_ref(&self) -> RecordRef<'_> {
        match self {
            Record::Circuit(c) => RecordRef::Circuit(c),
            Record::Poi(p) => RecordRef::Poi(p),
            Record::Landscape(l) => RecordRef::Landscape(l),
            Record::Commune(c) => RecordRef::Commune(c),
            Record::Observation(o) => RecordRef::Observation(o),
        }
    }

    /// The fields whose text differs from `before`'s, in this record's order of
    /// fields (then those only `before` has).
    pub fn changes_from(&self, before: &Record) -> Vec<FieldChange> {
        let mut old: std::collections::BTreeMap<String, String> =
            before.fields().into_iter().collect();
        let mut changes: Vec<FieldChange> = self
            .fields()
            .into_iter()
            .filter_map(|(field, after)| {
                let before = old.remove(&field).unwrap_or_default();
                (before != after).then_some(FieldChange {
                    field,
                    before,
                    after,
                })
            })
            .collect();
        changes.extend(
            old.into_iter()
                .filter(|(_, before)| !before.is_empty())
                .map(|(field, before)| FieldChange {
                    field,
                    before,
                    after: String::new(),
                }),
        );
        changes
    }
}

/// A record borrowed: what the store digests as it writes.
#[derive(Debug, Clone, Copy)]
pub enum RecordRef<'a> {
    Circuit(&'a Circuit),
    Poi(&'a Poi),
    Landscape(&'a Landscape),
    Commune(&'a Commune),
    Observation(&'a Observation),
}

/// A field's name: most are fixed; a source's own fields are named after it.
#[derive(Debug, Clone, Copy)]
enum FieldName<'a> {
    Fixed(&'static str),
    Provenance(&'a str),
}

/// `""` for nothing.
struct Or<'a, T>(&'a Option<T>);

impl<T: fmt::Display> fmt::Display for Or<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(v) => v.fmt(f),
            None => Ok(()),
        }
    }
}

/// A list, comma separated.
struct Joined<'a>(&'a [String]);

impl fmt::Display for Joined<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, item) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(item)?;
        }
        Ok(())
    }
}

/// `lon, lat`, or `""`.
struct Position(Option<LonLat>);

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(p) => write!(f, "{}, {}", p.lon(), p.lat()),
            None => Ok(()),
        }
    }
}

/// A value as compact JSON.
struct Json<'a, T>(&'a T);

impl<T: serde::Serialize> fmt::Display for Json<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&encode_json(self.0))
    }
}

/// FNV-1a over what is written to it.
struct DigestWriter(crate::hash::Fnv);

impl fmt::Write for DigestWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.bytes(s.as_bytes());
        Ok(())
    }
}

/// A field's value: shown as text in diffs, fed to a digest as directly as it can be
/// (texts as bytes, numbers as bits: a million records are digested at each import).
trait FieldValue: fmt::Display {
    fn digest(&self, w: &mut DigestWriter) {
        use std::fmt::Write;
        let _ = write!(w, "{self}");
    }
}

/// Values digested through their text.
macro_rules! digested_as_text {
    ($($t:ty),+) => { $(impl FieldValue for $t {})+ };
}

digested_as_text!(
    crate::domain::CircuitId,
    crate::domain::PoiId,
    crate::domain::LandscapeId,
    crate::domain::Practice,
    crate::domain::Difficulty,
    crate::domain::CircuitType,
    crate::domain::PoiKind,
    fmt::Arguments<'_>,
    Joined<'_>,
    bool
);

impl FieldValue for String {
    fn digest(&self, w: &mut DigestWriter) {
        w.0.bytes(self.as_bytes());
    }
}

impl FieldValue for &str {
    fn digest(&self, w: &mut DigestWriter) {
        w.0.bytes(self.as_bytes());
    }
}

impl FieldValue for f64 {
    fn digest(&self, w: &mut DigestWriter) {
        w.0.bytes(&self.to_bits().to_le_bytes());
    }
}

impl FieldValue for u32 {
    fn digest(&self, w: &mut DigestWriter) {
        w.0.bytes(&self.to_le_bytes());
    }
}

impl FieldValue for u16 {
    fn digest(&self, w: &mut DigestWriter) {
        w.0.bytes(&self.to_le_bytes());
    }
}

impl<T: FieldValue> FieldValue for Or<'_, T> {
    fn digest(&self, w: &mut DigestWriter) {
        match self.0 {
            Some(v) => {
                w.0.bytes(&[1]);
                v.digest(w);
            }
            None => w.0.bytes(&[0]),
        }
    }
}

impl FieldValue for Position {
    fn digest(&self, w: &mut DigestWriter) {
        if let Some(p) = self.0 {
            p.lon().digest(w);
            p.lat().digest(w);
        }
    }
}

impl<T: serde::Serialize> FieldValue for Json<'_, T> {}

impl RecordRef<'_> {
    /// Calls `out` with each field's name and value, in a stable order: the one list of
    /// fields that diffs and digests are made of.
    fn visit(&self, out: &mut dyn FnMut(FieldName<'_>, &dyn FieldValue)) {
        use FieldName::Fixed;
        match *self {
            RecordRef::Circuit(c) => {
                let s = &c.stats;
                out(Fixed("id"), &c.id);
                out(Fixed("name"), &c.name);
                out(Fixed("summary"), &c.summary);
                out(Fixed("description"), &c.description);
                out(Fixed("practice"), &c.practice);
                out(Fixed("themes"), &Joined(&c.themes));
                out(Fixed("communes"), &Joined(&c.communes));
                out(Fixed("intercommunalities"), &Joined(&c.intercommunalities));
                out(Fixed("trace"), &trace_summary(c));
                out(Fixed("length_m"), &s.length_m);
                out(Fixed("ascent_m"), &s.ascent_m);
                out(Fixed("descent_m"), &s.descent_m);
                out(Fixed("min_elevation_m"), &Or(&s.min_elevation_m));
                out(Fixed("max_elevation_m"), &Or(&s.max_elevation_m));
                out(Fixed("duration_min"), &c.duration_min);
                out(Fixed("difficulty"), &c.difficulty);
                out(Fixed("type"), &c.circuit_type);
                out(Fixed("published"), &c.published);
                out(Fixed("practical"), &Json(&c.practical));
                out(Fixed("translations"), &Json(&c.translations));
            }
            RecordRef::Poi(p) => {
                let d = &p.details;
                out(Fixed("id"), &p.id);
                out(Fixed("kind"), &p.kind);
                out(Fixed("name"), &p.name);
                out(Fixed("description"), &p.description);
                out(Fixed("position"), &Position(p.pos));
                out(Fixed("elevation_m"), &Or(&p.ele));
                out(Fixed("circuit"), &Or(&p.circuit));
                out(Fixed("commune"), &Or(&p.commune));
                out(Fixed("insee"), &Or(&p.insee.as_ref().map(|i| i.as_str())));
                out(Fixed("denomination"), &Or(&d.denomination));
                out(Fixed("period"), &Or(&d.period));
                out(Fixed("dates"), &Or(&d.dates));
                out(Fixed("history"), &Or(&d.history));
                out(Fixed("protection"), &Or(&d.protection));
                out(Fixed("status"), &Or(&d.status));
                out(Fixed("address"), &Or(&d.address));
                out(Fixed("opening_hours"), &Or(&d.opening_hours));
                out(Fixed("phone"), &Or(&d.phone));
                out(Fixed("website"), &Or(&d.website));
                out(Fixed("wheelchair"), &Or(&d.wheelchair));
                out(Fixed("translations"), &Json(&d.translations));
                // The source's own fields one by one: a change names the field it is in.
                for (k, v) in &d.provenance {
                    out(FieldName::Provenance(k), v);
                }
            }
            RecordRef::Landscape(l) => {
                out(Fixed("id"), &l.id);
                out(Fixed("name"), &l.name);
                out(Fixed("description"), &l.description);
                out(Fixed("polygons"), &shape_summary(&l.polygons));
            }
            RecordRef::Commune(c) => {
                out(Fixed("name"), &c.name);
                out(Fixed("intercommunality"), &Or(&c.intercommunality));
                out(
                    Fixed("intercommunality_code"),
                    &Or(&c.intercommunality_code),
                );
                out(Fixed("polygons"), &shape_summary(&c.polygons));
            }
            RecordRef::Observation(o) => {
                let t = &o.taxon;
                out(Fixed("taxon"), &t.key);
                out(Fixed("scientific_name"), &t.scientific_name);
                out(Fixed("vernacular_name"), &Or(&t.vernacular_name));
                out(Fixed("rank"), &Or(&t.rank));
                out(
                    Fixed("classification"),
                    &format_args!(
                        "{} > {} > {} > {} > {} > {}",
                        Or(&t.kingdom),
                        Or(&t.phylum),
                        Or(&t.class),
                        Or(&t.order),
                        Or(&t.family),
                        Or(&t.genus)
                    ),
                );
                out(Fixed("event_start"), &Or(&o.event_start));
                out(Fixed("event_end"), &Or(&o.event_end));
                out(Fixed("months"), &o.months);
                out(Fixed("position"), &Position(Some(o.pos)));
                out(Fixed("uncertainty_m"), &Or(&o.uncertainty_m));
                out(Fixed("count"), &Or(&o.count));
                out(Fixed("basis_of_record"), &Or(&o.basis_of_record));
                out(Fixed("license"), &Or(&o.license));
            }
        }
    }

    /// Every field a change is told by, as text, in a stable order.
    pub fn fields(&self) -> Vec<(String, String)> {
        let mut fields = Vec::new();
        self.visit(&mut |name, value| {
            let name = match name {
                FieldName::Fixed(n) => n.to_owned(),
                FieldName::Provenance(k) => format!("provenance.{k}"),
            };
            fields.push((name, value.to_string()));
        });
        fields
    }

    /// A checksum of every field, written without allocating a text per field.
    pub fn digest(&self) -> u64 {
        use std::fmt::Write;
        let mut w = DigestWriter(crate::hash::Fnv::new());
        self.visit(&mut |name, value| {
            if let FieldName::Provenance(k) = name {
                let _ = w.write_str(k);
                w.0.bytes(&[0x1e]);
            }
            value.digest(&mut w);
            w.0.bytes(&[0x1f]);
        });
        w.0.finish()
    }
}

/// One field of a record that a change moves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// A trace told by its size and a checksum of its points: a change of any point shows.
fn trace_summary(c: &Circuit) -> String {
    format!(
        "{} points, {:.0} m, #{}",
        c.trace.point_count(),
        c.stats.length_m,
        &crate::hash::hex(encode_trace(&c.trace).as_bytes())[..8]
    )
}

/// Polygons told by their size and a checksum of their vertices.
fn shape_summary(polygons: &[Vec<Vec<LonLat>>]) -> String {
    let vertices: usize = polygons.iter().flatten().map(Vec::len).sum();
    format!(
        "{} polygons, {vertices} vertices, #{}",
        polygons.len(),
        &crate::hash::hex(encode_polygons(polygons).as_bytes())[..8]
    )
}

/// The scope of a key of `kind` (see the module's rules).
pub fn scope(kind: RecordKind, key: &str) -> Option<&str> {
    let upto = |n: usize| -> Option<&str> {
        // The end of the n-th `:`-separated part, separator included.
        let mut end = 0;
        for _ in 0..n {
            end += key[end..].find(':')? + 1;
        }
        Some(&key[..end])
    };
    match kind {
        RecordKind::Commune => None,
        RecordKind::Circuit if key.starts_with("gpx:") => None,
        RecordKind::Poi if key.starts_with("gpx:") => {
            key.find(":wpt:").map(|at| &key[..at + ":wpt:".len()])
        }
        _ if key.starts_with("tourism:") || key.starts_with("randonnee:") => upto(2),
        _ => upto(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Practice, Trace};
    use crate::store::testing;

    #[test]
    fn scopes_by_key() {
        use RecordKind::*;
        assert_eq!(scope(Poi, "gpx:provins:wpt:3"), Some("gpx:provins:wpt:"));
        assert_eq!(scope(Poi, "tourism:osm:node/123"), Some("tourism:osm:"));
        assert_eq!(scope(Poi, "heritage:IA77000123"), Some("heritage:"));
        assert_eq!(scope(Circuit, "randonnee:cd77:12"), Some("randonnee:cd77:"));
        assert_eq!(scope(Circuit, "gpx:provins"), None);
        assert_eq!(scope(Circuit, "geotrek:12"), Some("geotrek:"));
        assert_eq!(
            scope(Observation, "dwc:urn:catalog:MNHN:1"),
            Some("dwc:"),
            "only the first part: occurrence ids hold colons"
        );
        assert_eq!(scope(Commune, "77379"), None);
        assert_eq!(scope(Poi, "nokey"), None);
    }

    #[test]
    fn changes_name_the_fields_that_moved() {
        let a = testing::circuit("c", Practice::Walk, Trace::default());
        let mut b = a.clone();
        b.name = "Autre nom".into();
        b.themes = vec!["eau".into()];
        let (a, b) = (Record::Circuit(a), Record::Circuit(b));
        let changes = b.changes_from(&a);
        let fields: Vec<_> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["name", "themes"]);
        assert_eq!(changes[0].before, "c");
        assert_eq!(changes[0].after, "Autre nom");
        assert!(a.changes_from(&a).is_empty());
    }
}
