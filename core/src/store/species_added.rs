//! The observations an import transaction added, kept by 1 km cell, taxon and months
//! while it has only added some: the species aggregates then grow by them instead of
//! being counted again from every observation (seconds at a million).

use crate::domain::{Observation, Taxon};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// A 1 km cell (x, y), a taxon and a months mask.
pub(super) type CellKey = (i32, i32, TaxonKey, i64);

/// A taxon known by its key, shared with the observations that name it: no key is
/// copied per observation.
#[derive(Debug, Clone)]
pub(super) struct TaxonKey(Arc<Taxon>);

impl TaxonKey {
    pub(super) fn as_str(&self) -> &str {
        &self.0.key
    }
}

impl PartialEq for TaxonKey {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for TaxonKey {}

impl Hash for TaxonKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialOrd for TaxonKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for TaxonKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

/// Past this many added aggregates, the import counts every observation again rather
/// than keep them: a bound on its memory (about 100 bytes each), and a first import
/// of millions gains nothing from adding them one by one.
const KEPT_AT_MOST: usize = 250_000;

#[derive(Debug)]
pub(super) struct AddedSpecies(Option<HashMap<CellKey, i64>>);

impl Default for AddedSpecies {
    fn default() -> Self {
        Self(Some(HashMap::new()))
    }
}

impl AddedSpecies {
    /// Counts new observations, each with its 1 km cell (not even read once spoiled).
    pub(super) fn add<'a>(
        &mut self,
        added: impl IntoIterator<Item = (&'a Observation, (i32, i32))>,
    ) {
        let Some(cells) = self.0.as_mut() else {
            return;
        };
        for (o, (x, y)) in added {
            *cells
                .entry((x, y, TaxonKey(Arc::clone(&o.taxon)), i64::from(o.months)))
                .or_default() += 1;
        }
        if cells.len() > KEPT_AT_MOST {
            self.0 = None;
        }
    }

    /// An observation was replaced or deleted: the next refresh counts them all again.
    pub(super) fn spoil(&mut self) {
        self.0 = None;
    }

    /// The aggregates added since they were last right, in key order, or `None` when
    /// they must be counted again; either way the count starts over (the refresh makes
    /// them right).
    pub(super) fn take(&mut self) -> Option<Vec<(CellKey, i64)>> {
        let mut added: Vec<_> = std::mem::take(self).0?.into_iter().collect();
        added.sort_unstable();
        Some(added)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::conformance::observation;

    #[test]
    fn counts_by_cell_taxon_and_months_until_spoiled_or_too_many() {
        let mut added = AddedSpecies::default();
        let hoopoe = observation("dwc:1", "Upupa epops", 2.7, 48.4, 1 << 4);
        let owl = observation("dwc:2", "Bubo bubo", 2.7, 48.4, 1 << 4);
        added.add([&hoopoe, &hoopoe, &owl].map(|o| (o, (16, 7))));
        let named = |added: Option<Vec<(CellKey, i64)>>| {
            added.map(|cells| {
                (cells.into_iter())
                    .map(|((x, y, t, m), n)| ((x, y, t.as_str().to_owned(), m), n))
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(
            named(added.take()),
            Some(vec![
                ((16, 7, "Bubo bubo".into(), 16), 1),
                ((16, 7, "Upupa epops".into(), 16), 2),
            ])
        );
        assert_eq!(added.take(), Some(vec![]), "started over");
        added.add([(&owl, (0, 0))]);
        added.spoil();
        added.add([(&owl, (0, 0))]);
        assert_eq!(added.take(), None);
        assert_eq!(added.take(), Some(vec![]), "right again after a recount");
        added.add((0..=KEPT_AT_MOST as i32).map(|x| (&hoopoe, (x, 0))));
        assert_eq!(added.take(), None, "too many to keep");
    }
}
