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

/// One record of any kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Circuit(Box<Circuit>),
    Poi(Box<Poi>),
    Landscape(Box<Landscape>),
    Commune(Box<Commune>),
    Observation(Box<Observation>),
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
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let num = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
        let named: Vec<(&'static str, String)> = match self {
            Record::Circuit(c) => {
                let s = &c.stats;
                vec![
                    ("id", c.id.to_string()),
                    ("name", c.name.clone()),
                    ("summary", c.summary.clone()),
                    ("description", c.description.clone()),
                    ("practice", c.practice.to_string()),
                    ("themes", c.themes.join(", ")),
                    ("communes", c.communes.join(", ")),
                    ("intercommunalities", c.intercommunalities.join(", ")),
                    ("trace", trace_summary(c)),
                    ("length_m", s.length_m.to_string()),
                    ("ascent_m", s.ascent_m.to_string()),
                    ("descent_m", s.descent_m.to_string()),
                    ("min_elevation_m", num(s.min_elevation_m)),
                    ("max_elevation_m", num(s.max_elevation_m)),
                    ("duration_min", c.duration_min.to_string()),
                    ("difficulty", c.difficulty.to_string()),
                    ("type", c.circuit_type.to_string()),
                    ("published", c.published.to_string()),
                    ("practical", encode_json(&c.practical)),
                    ("translations", encode_json(&c.translations)),
                ]
            }
            Record::Poi(p) => {
                let d = &p.details;
                let mut fields = vec![
                    ("id", p.id.to_string()),
                    ("kind", p.kind.to_string()),
                    ("name", p.name.clone()),
                    ("description", p.description.clone()),
                    (
                        "position",
                        p.pos
                            .map(|q| format!("{}, {}", q.lon(), q.lat()))
                            .unwrap_or_default(),
                    ),
                    ("elevation_m", num(p.ele)),
                    (
                        "circuit",
                        p.circuit
                            .as_ref()
                            .map(ToString::to_string)
                            .unwrap_or_default(),
                    ),
                    ("commune", opt(&p.commune)),
                    (
                        "insee",
                        p.insee
                            .as_ref()
                            .map(|i| i.as_str().to_owned())
                            .unwrap_or_default(),
                    ),
                    ("denomination", opt(&d.denomination)),
                    ("period", opt(&d.period)),
                    ("dates", opt(&d.dates)),
                    ("history", opt(&d.history)),
                    ("protection", opt(&d.protection)),
                    ("status", opt(&d.status)),
                    ("address", opt(&d.address)),
                    ("opening_hours", opt(&d.opening_hours)),
                    ("phone", opt(&d.phone)),
                    ("website", opt(&d.website)),
                    ("wheelchair", opt(&d.wheelchair)),
                    ("translations", encode_json(&d.translations)),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect::<Vec<_>>();
                // The source's own fields one by one: a change names the field it is in.
                fields.extend(
                    d.provenance
                        .iter()
                        .map(|(k, v)| (format!("provenance.{k}"), v.clone())),
                );
                return fields;
            }
            Record::Landscape(l) => vec![
                ("id", l.id.to_string()),
                ("name", l.name.clone()),
                ("description", l.description.clone()),
                ("polygons", shape_summary(&l.polygons)),
            ],
            Record::Commune(c) => vec![
                ("name", c.name.clone()),
                ("intercommunality", opt(&c.intercommunality)),
                ("polygons", shape_summary(&c.polygons)),
            ],
            Record::Observation(o) => {
                let t = &o.taxon;
                vec![
                    ("taxon", t.key.clone()),
                    ("scientific_name", t.scientific_name.clone()),
                    ("vernacular_name", opt(&t.vernacular_name)),
                    ("rank", opt(&t.rank)),
                    (
                        "classification",
                        [
                            &t.kingdom, &t.phylum, &t.class, &t.order, &t.family, &t.genus,
                        ]
                        .iter()
                        .map(|v| opt(v))
                        .collect::<Vec<_>>()
                        .join(" > "),
                    ),
                    ("event_start", opt(&o.event_start)),
                    ("event_end", opt(&o.event_end)),
                    ("months", o.months.to_string()),
                    ("position", format!("{}, {}", o.pos.lon(), o.pos.lat())),
                    ("uncertainty_m", num(o.uncertainty_m)),
                    ("count", o.count.map(|c| c.to_string()).unwrap_or_default()),
                    ("basis_of_record", opt(&o.basis_of_record)),
                    ("license", opt(&o.license)),
                ]
            }
        };
        named.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
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
        let (a, b) = (Record::Circuit(Box::new(a)), Record::Circuit(Box::new(b)));
        let changes = b.changes_from(&a);
        let fields: Vec<_> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["name", "themes"]);
        assert_eq!(changes[0].before, "c");
        assert_eq!(changes[0].after, "Autre nom");
        assert!(a.changes_from(&a).is_empty());
    }
}
