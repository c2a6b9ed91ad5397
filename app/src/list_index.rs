//! What the circuit list reads for every circuit of a request: one packed row per
//! circuit (start, duration, difficulty, type, practice) and its themes, communes and
//! intercommunalities as ids into the values of each facet. A request walks the rows in
//! order, a cache line each, instead of chasing every circuit's structs and vectors.

use crate::word_index::{WordIndex, search_text};
use balade_core::index::ecef;
use balade_core::text::fold;
use balade_core::{CircuitSummary, CircuitType, Difficulty, LonLat, Practice};
use std::collections::HashMap;
use std::sync::Arc;

/// The rows of the published circuits, in the catalogue's order, and the facet values.
#[derive(Debug, Default)]
pub struct ListIndex {
    pub values: FacetValues,
    /// The words of each row's texts, for `q`.
    pub words: WordIndex,
    rows: Vec<Row>,
    /// Every row's value ids, one row after the other.
    ids: Vec<u32>,
}

/// What the list filters a circuit by.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub start: LonLat,
    /// The start, Earth-centred: `near` and `radius` rule most circuits out by a chord.
    pub start_ecef: [f64; 3],
    pub duration_min: u32,
    pub difficulty: Difficulty,
    pub circuit_type: CircuitType,
    pub practice: Practice,
    /// Its themes are `ids[at[0]..at[1]]`, its communes `ids[at[1]..at[2]]`, its
    /// intercommunalities `ids[at[2]..at[3]]`.
    at: [u32; 4],
}

impl ListIndex {
    pub fn of<'a>(summaries: impl Iterator<Item = &'a CircuitSummary> + Clone) -> Self {
        let words = WordIndex::of(summaries.clone().map(search_text));
        let mut values = Interners::default();
        let mut ids = Vec::new();
        let rows = summaries.map(|s| values.row(s, &mut ids)).collect();
        Self {
            values: values.values(),
            words,
            rows,
            ids,
        }
    }

    /// The index of `summaries` after a change, from this one: circuit `c` here is
    /// `summaries[moved[c]]` now (`None`: gone or re-read); the circuits no `moved`
    /// leads to are new or re-read. The rows of the others are copied; only the new
    /// ones are read, their values looked up among the known ones, their texts split
    /// into words.
    pub fn followed<'a>(
        &self,
        summaries: impl Iterator<Item = &'a CircuitSummary>,
        moved: &[Option<u32>],
    ) -> Self {
        let summaries: Vec<&CircuitSummary> = summaries.collect();
        let mut was = vec![None; summaries.len()];
        for (old, new) in moved.iter().enumerate() {
            if let Some(new) = new {
                was[*new as usize] = Some(old);
            }
        }
        let mut values = Interners::after(&self.values);
        let mut ids = Vec::with_capacity(self.ids.len());
        let rows = (summaries.iter().zip(&was))
            .map(|(s, was)| match was {
                Some(old) => {
                    let row = &self.rows[*old];
                    let (first, shift) = (row.at[0], ids.len() as u32);
                    ids.extend_from_slice(&self.ids[first as usize..row.at[3] as usize]);
                    Row {
                        at: row.at.map(|at| at - first + shift),
                        ..*row
                    }
                }
                None => values.row(s, &mut ids),
            })
            .collect();
        let texts = (was.iter().zip(&summaries).enumerate())
            .filter(|(_, (was, _))| was.is_none())
            .map(|(at, (_, s))| (at as u32, search_text(s)));
        Self {
            values: values.values(),
            words: self.words.followed(moved, texts, summaries.len()),
            rows,
            ids,
        }
    }

    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// The ids of a row's themes in [`FacetValues::themes`], in the summary's order.
    pub fn themes(&self, row: &Row) -> &[u32] {
        &self.ids[row.at[0] as usize..row.at[1] as usize]
    }

    pub fn communes(&self, row: &Row) -> &[u32] {
        &self.ids[row.at[1] as usize..row.at[2] as usize]
    }

    pub fn intercommunalities(&self, row: &Row) -> &[u32] {
        &self.ids[row.at[2] as usize..row.at[3] as usize]
    }
}

/// The themes, communes and intercommunalities circuits name, each once: rows hold
/// their ids, so that filtering and counting facets over every circuit are lookups and
/// increments, not string comparisons. Shared with the index that follows a change
/// naming no new value.
#[derive(Debug, Default)]
pub struct FacetValues {
    pub themes: Arc<Values>,
    pub communes: Arc<Values>,
    pub intercommunalities: Arc<Values>,
}

/// The values of one facet dimension, by id.
#[derive(Debug, Default)]
pub struct Values {
    names: Vec<String>,
    /// The ids in the names' byte order.
    by_name: Vec<u32>,
    /// Each id's place among the names in byte order: facets break ties by name
    /// without comparing strings.
    rank_by_name: Vec<u32>,
    /// (folded name, id), sorted: the ids a filter's folded value picks.
    folded: Vec<(Box<str>, u32)>,
}

impl Values {
    pub fn of(names: Vec<String>) -> Self {
        let mut by_name: Vec<u32> = (0..names.len() as u32).collect();
        by_name.sort_unstable_by(|&a, &b| names[a as usize].cmp(&names[b as usize]));
        let mut rank_by_name = vec![0; names.len()];
        for (rank, &id) in by_name.iter().enumerate() {
            rank_by_name[id as usize] = rank as u32;
        }
        let mut folded: Vec<(Box<str>, u32)> = (names.iter().enumerate())
            .map(|(id, n)| (fold(n).into_boxed_str(), id as u32))
            .collect();
        folded.sort_unstable();
        Self {
            names,
            by_name,
            rank_by_name,
            folded,
        }
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn name(&self, id: usize) -> &str {
        &self.names[id]
    }

    /// The id of the value named exactly `name`.
    fn id_of(&self, name: &str) -> Option<u32> {
        let names = &self.names;
        (self.by_name)
            .binary_search_by(|&id| names[id as usize].as_str().cmp(name))
            .ok()
            .map(|at| self.by_name[at])
    }

    pub fn rank_by_name(&self, id: usize) -> u32 {
        self.rank_by_name[id]
    }

    /// The ids of the values `folded` names: "Église" and "eglise" are one filter.
    pub fn folded_as<'a>(&'a self, folded: &'a str) -> impl Iterator<Item = usize> + 'a {
        let first = self.folded.partition_point(|(f, _)| **f < *folded);
        self.folded[first..]
            .iter()
            .take_while(move |(f, _)| **f == *folded)
            .map(|&(_, id)| id as usize)
    }
}

/// The values of the three dimensions as rows are built.
#[derive(Default)]
struct Interners<'a> {
    themes: Interner<'a>,
    communes: Interner<'a>,
    intercommunalities: Interner<'a>,
}

impl<'a> Interners<'a> {
    /// Going on from the values of an index.
    fn after(values: &'a FacetValues) -> Self {
        let after = |known| Interner {
            known: Some(known),
            ..Interner::default()
        };
        Self {
            themes: after(&values.themes),
            communes: after(&values.communes),
            intercommunalities: after(&values.intercommunalities),
        }
    }

    /// The row of `s`, its value ids pushed on `ids`.
    fn row(&mut self, s: &CircuitSummary, ids: &mut Vec<u32>) -> Row {
        let at = |ids: &Vec<u32>| u32::try_from(ids.len()).expect("fewer than 2³² ids");
        let t = at(ids);
        self.themes.push_ids(&s.themes, ids);
        let c = at(ids);
        self.communes.push_ids(&s.communes, ids);
        let i = at(ids);
        self.intercommunalities.push_ids(&s.intercommunalities, ids);
        Row {
            start: s.start,
            start_ecef: ecef(s.start),
            duration_min: s.duration_min,
            difficulty: s.difficulty,
            circuit_type: s.circuit_type,
            practice: s.practice,
            at: [t, c, i, at(ids)],
        }
    }

    fn values(self) -> FacetValues {
        FacetValues {
            themes: self.themes.values(),
            communes: self.communes.values(),
            intercommunalities: self.intercommunalities.values(),
        }
    }
}

/// Ids of values: those `known` already keep theirs, others are numbered after them
/// in the order they are first met.
#[derive(Default)]
struct Interner<'a> {
    known: Option<&'a Arc<Values>>,
    values: Vec<String>,
    index: HashMap<String, u32>,
}

impl Interner<'_> {
    fn push_ids(&mut self, names: &[String], ids: &mut Vec<u32>) {
        let first = self.known.map_or(0, |k| k.len()) as u32;
        ids.extend(names.iter().map(|n| {
            if let Some(id) = self.known.and_then(|k| k.id_of(n)) {
                return id;
            }
            match self.index.get(n) {
                Some(&i) => i,
                None => {
                    let i = first + self.values.len() as u32;
                    self.values.push(n.clone());
                    self.index.insert(n.clone(), i);
                    i
                }
            }
        }));
    }

    /// The values: the known ones shared when none came.
    fn values(self) -> Arc<Values> {
        match self.known {
            Some(known) if self.values.is_empty() => known.clone(),
            Some(known) => {
                let mut names = known.names.clone();
                names.extend(self.values);
                Arc::new(Values::of(names))
            }
            None => Arc::new(Values::of(self.values)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use balade_core::CircuitId;

    fn summary(id: &str, themes: &[&str], communes: &[&str]) -> CircuitSummary {
        CircuitSummary {
            id: CircuitId::new(id).expect("valid"),
            name: id.to_owned(),
            summary: String::new(),
            description: String::new(),
            practice: Practice::Walk,
            themes: themes.iter().map(|t| t.to_string()).collect(),
            communes: communes.iter().map(|t| t.to_string()).collect(),
            intercommunalities: Vec::new(),
            start: LonLat::new(3.29, 48.56 + communes.len() as f64 / 100.0).expect("valid"),
            stats: Default::default(),
            duration_min: 60 * themes.len() as u32,
            difficulty: Difficulty::Easy,
            circuit_type: CircuitType::Loop,
            translations: Default::default(),
        }
    }

    #[test]
    fn rows_name_their_values_by_id() {
        let a = summary("a", &["eau", "forêt"], &["Provins"]);
        let b = summary("b", &[], &["Jouy", "Provins", "Sancy"]);
        let c = summary("c", &["forêt"], &[]);
        let list = ListIndex::of([&a, &b, &c].into_iter());
        let names = |values: &Values, ids: &[u32]| -> Vec<String> {
            ids.iter()
                .map(|&i| values.name(i as usize).to_owned())
                .collect()
        };
        let v = &list.values;
        let rows = list.rows();
        assert_eq!(rows.len(), 3);
        for (row, s) in rows.iter().zip([&a, &b, &c]) {
            assert_eq!(names(&v.themes, list.themes(row)), s.themes);
            assert_eq!(names(&v.communes, list.communes(row)), s.communes);
            assert!(list.intercommunalities(row).is_empty());
            assert_eq!(row.start, s.start);
            assert_eq!(row.duration_min, s.duration_min);
        }
        // Each value once.
        assert_eq!((v.themes.len(), v.communes.len()), (2, 3));
        // Ranks follow the names' byte order, whatever the order met.
        let rank = |name: &str| {
            let id = (0..v.communes.len()).find(|&i| v.communes.name(i) == name);
            v.communes.rank_by_name(id.expect("known"))
        };
        assert_eq!([rank("Jouy"), rank("Provins"), rank("Sancy")], [0, 1, 2]);
    }

    /// After a change the rows name the same values as rows built anew would: kept rows
    /// copied, changed and new ones read, new values ranked among the others.
    #[test]
    fn followed_rows_name_what_new_rows_name() {
        let a = summary("a", &["eau", "forêt"], &["Provins"]);
        let b = summary("b", &[], &["Jouy", "Provins", "Sancy"]);
        let c = summary("c", &["forêt"], &[]);
        let list = ListIndex::of([&a, &b, &c].into_iter());
        // b goes; a is re-read with a new commune; d comes first; c stays.
        let a2 = summary("a", &["eau"], &["Dammarie", "Provins"]);
        let d = summary("d", &["patrimoine"], &["Jouy"]);
        let after = [&d, &a2, &c];
        let followed = list.followed(after.into_iter(), &[None, None, Some(2)]);
        let names = |values: &Values, ids: &[u32]| -> Vec<String> {
            ids.iter()
                .map(|&i| values.name(i as usize).to_owned())
                .collect()
        };
        let v = &followed.values;
        assert_eq!(followed.rows().len(), 3);
        for (row, s) in followed.rows().iter().zip(after) {
            assert_eq!(names(&v.themes, followed.themes(row)), s.themes);
            assert_eq!(names(&v.communes, followed.communes(row)), s.communes);
            assert_eq!(row.duration_min, s.duration_min);
        }
        // No new intercommunality: the values are shared, not copied.
        assert!(Arc::ptr_eq(
            &v.intercommunalities,
            &list.values.intercommunalities
        ));
        let rank = |name: &str| {
            let id = (0..v.communes.len()).find(|&i| v.communes.name(i) == name);
            v.communes.rank_by_name(id.expect("known"))
        };
        assert_eq!(
            [
                rank("Dammarie"),
                rank("Jouy"),
                rank("Provins"),
                rank("Sancy")
            ],
            [0, 1, 2, 3]
        );
        assert_eq!(v.communes.folded_as("dammarie").count(), 1);
    }
}
