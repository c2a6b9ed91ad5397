//! The change log that lets servers follow the store by the records each commit
//! touched (see the `changes` table): what an import transaction collects as it writes,
//! and what a reader gets back for the revisions it missed.

use std::collections::BTreeSet;

/// Revisions whose changes are kept; a server further behind reloads whole.
pub const KEPT_REVISIONS: i64 = 1_000;
/// Records one commit lists at most; beyond, it is a whole reload for everyone.
pub const MAX_ROWS: usize = 20_000;

/// What a transaction changed that the catalogue holds.
#[derive(Debug, Default)]
pub(crate) struct Touched {
    pois: BTreeSet<String>,
    circuits: BTreeSet<String>,
    ratings: bool,
    communes: bool,
    landscapes: bool,
    sensitivity: bool,
    everything: bool,
}

impl Touched {
    pub fn poi(&mut self, id: &str) {
        if !self.everything {
            self.pois.insert(id.to_owned());
            self.cap();
        }
    }

    pub fn circuit(&mut self, id: &str) {
        if !self.everything {
            self.circuits.insert(id.to_owned());
            self.cap();
        }
    }

    /// A record deleted: a `circuit` or a `poi` (the owner kinds of media) by its id.
    pub fn gone(&mut self, kind: &str, id: &str) {
        match kind {
            "circuit" => self.circuit(id),
            _ => self.poi(id),
        }
    }

    /// Past [`MAX_ROWS`] records the change is told as a whole: the ids need not be kept.
    fn cap(&mut self) {
        if self.pois.len() + self.circuits.len() > MAX_ROWS {
            self.everything();
        }
    }

    pub fn ratings(&mut self) {
        self.ratings = true;
    }

    /// Communes written or deleted: few, read again whole.
    pub fn communes(&mut self) {
        self.communes = true;
    }

    /// Landscape units written or deleted: few, read again whole.
    pub fn landscapes(&mut self) {
        self.landscapes = true;
    }

    /// The sensitivity list replaced: which fauna and flora POIs are withheld may move.
    pub fn sensitivity(&mut self) {
        self.sensitivity = true;
    }

    /// Too much for the ids to be worth keeping.
    fn everything(&mut self) {
        self.everything = true;
        self.pois.clear();
        self.circuits.clear();
    }

    /// The rows of the change log: (kind, id).
    pub fn rows(&self) -> Vec<(&'static str, String)> {
        let mut rows = vec![("commit", String::new())];
        if self.everything || self.pois.len() + self.circuits.len() > MAX_ROWS {
            rows.push(("*", String::new()));
            return rows;
        }
        rows.extend(self.pois.iter().map(|id| ("poi", id.clone())));
        rows.extend(self.circuits.iter().map(|id| ("circuit", id.clone())));
        for (changed, kind) in [
            (self.ratings, "ratings"),
            (self.communes, "communes"),
            (self.landscapes, "landscapes"),
            (self.sensitivity, "sensitivity"),
        ] {
            if changed {
                rows.push((kind, String::new()));
            }
        }
        rows
    }
}

/// What the commits after a revision changed, when each of them is known by its records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// POIs written or deleted, by public id.
    pub pois: BTreeSet<String>,
    pub circuits: BTreeSet<String>,
    /// Published reviews moved.
    pub ratings: bool,
    /// Communes written or deleted.
    pub communes: bool,
    /// Landscape units written or deleted.
    pub landscapes: bool,
    /// The sensitivity list replaced.
    pub sensitivity: bool,
}

impl Changes {
    /// The changes of the rows of revisions `after + 1 ..= upto`, or `None` when a
    /// revision is missing (pruned, or older than the log) or one needs a whole reload.
    pub fn of_rows(after: i64, upto: i64, rows: &[(i64, String, String)]) -> Option<Self> {
        if upto <= after || upto - after > KEPT_REVISIONS {
            return None;
        }
        let commits: BTreeSet<i64> = rows
            .iter()
            .filter(|(_, kind, _)| kind == "commit")
            .map(|(r, _, _)| *r)
            .collect();
        if commits.len() as i64 != upto - after {
            return None;
        }
        let mut changes = Changes::default();
        for (_, kind, id) in rows {
            match kind.as_str() {
                "poi" => drop(changes.pois.insert(id.clone())),
                "circuit" => drop(changes.circuits.insert(id.clone())),
                "ratings" => changes.ratings = true,
                "communes" => changes.communes = true,
                "landscapes" => changes.landscapes = true,
                "sensitivity" => changes.sensitivity = true,
                "commit" => {}
                _ => return None,
            }
        }
        Some(changes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(r: i64, kind: &str, id: &str) -> (i64, String, String) {
        (r, kind.to_owned(), id.to_owned())
    }

    #[test]
    fn every_revision_must_be_there_and_none_whole() {
        let rows = [
            row(3, "commit", ""),
            row(3, "poi", "a"),
            row(4, "commit", ""),
            row(4, "ratings", ""),
            row(4, "landscapes", ""),
        ];
        let c = Changes::of_rows(2, 4, &rows).expect("known");
        assert_eq!(c.pois, BTreeSet::from(["a".to_owned()]));
        assert!(c.ratings && c.landscapes);
        assert!(!c.communes && !c.sensitivity);
        assert_eq!(Changes::of_rows(1, 4, &rows), None, "revision 2 missing");
        let whole = [row(3, "commit", ""), row(3, "*", "")];
        assert_eq!(Changes::of_rows(2, 3, &whole), None);
        assert_eq!(Changes::of_rows(4, 4, &rows), None, "nothing to follow");
        let unknown = [row(3, "commit", ""), row(3, "taxa", "")];
        assert_eq!(
            Changes::of_rows(2, 3, &unknown),
            None,
            "a kind this server lacks"
        );
    }

    #[test]
    fn too_many_records_make_one_whole_row() {
        let mut t = Touched::default();
        for i in 0..=MAX_ROWS {
            t.poi(&i.to_string());
        }
        assert_eq!(t.rows().len(), 2);
        let mut t = Touched::default();
        t.sensitivity();
        for i in 0..=MAX_ROWS {
            t.circuit(&i.to_string());
        }
        t.poi("b");
        assert_eq!(
            t.rows(),
            vec![("commit", String::new()), ("*", String::new())]
        );
    }
}
