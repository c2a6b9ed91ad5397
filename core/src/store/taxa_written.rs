//! The taxa an import transaction has written, on either backend: a batch of
//! observations names hundreds of taxa, nearly all met in the batches before, and writing
//! the same fields again changes nothing.

use crate::domain::{Observation, Taxon};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Taxa remembered by one transaction; past them it starts over (a bound on memory:
/// writing a taxon again is only slower).
const AT_MOST: usize = 100_000;

#[derive(Debug, Default)]
pub(super) struct TaxaWritten(HashMap<String, Arc<Taxon>>);

impl TaxaWritten {
    /// The taxa of `observations` to write: each key once (its first version in the
    /// batch), and none this transaction already wrote as it is.
    pub(super) fn to_write<'a>(&self, observations: &'a [Observation]) -> Vec<&'a Arc<Taxon>> {
        let mut seen = HashSet::new();
        observations
            .iter()
            .map(|o| &o.taxon)
            .filter(|t| seen.insert(t.key.as_str()))
            .filter(|t| {
                !self
                    .0
                    .get(&t.key)
                    .is_some_and(|w| Arc::ptr_eq(w, t) || **w == ***t)
            })
            .collect()
    }

    /// Remembers `taxa` as written.
    pub(super) fn remember(&mut self, taxa: &[&Arc<Taxon>]) {
        if self.0.len() + taxa.len() > AT_MOST {
            self.0.clear();
        }
        (self.0).extend(taxa.iter().map(|t| (t.key.clone(), Arc::clone(t))));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::conformance::observation;

    #[test]
    fn a_taxon_is_written_again_only_when_it_differs() {
        let a = observation("a", "Bufo bufo", 2.7, 48.4, 1);
        let mut b = observation("b", "Bufo bufo", 2.7, 48.4, 1);
        let c = observation("c", "Rana temporaria", 2.7, 48.4, 1);
        let mut written = TaxaWritten::default();
        let batch = [a.clone(), b.clone(), c.clone()];
        let first: Vec<&str> = written
            .to_write(&batch)
            .iter()
            .map(|t| t.key.as_str())
            .collect();
        assert_eq!(
            first,
            [a.taxon.key.as_str(), c.taxon.key.as_str()],
            "each key once"
        );
        written.remember(&written.to_write(&batch));
        assert!(written.to_write(&batch).is_empty(), "nothing new");
        // The same fields in another allocation: still nothing to write.
        b.taxon = Arc::new((*b.taxon).clone());
        assert!(written.to_write(std::slice::from_ref(&b)).is_empty());
        // Named better: written again.
        let mut better = (*b.taxon).clone();
        better.vernacular_name = Some("Crapaud commun".into());
        b.taxon = Arc::new(better);
        assert_eq!(written.to_write(std::slice::from_ref(&b)).len(), 1);
    }
}
