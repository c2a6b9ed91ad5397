//! What an import tells its user: each rejected record with where and why, the plan's
//! counts, what was written, and the contract's summary line.

use crate::plan::PlanCounts;
use crate::remote_photos::PhotoCounts;
use std::fmt;
use std::path::PathBuf;

/// One refused record (or a whole refused file), located as precisely as the source allows.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    pub path: PathBuf,
    /// 1-based line and column, when known.
    pub position: Option<(u64, u64)>,
    /// The element or field at fault, e.g. `wpt` or `lat`.
    pub field: Option<String>,
    pub reason: String,
}

impl Rejection {
    pub fn file(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            position: None,
            field: None,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some((line, column)) = self.position {
            write!(f, ":{line}:{column}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": {field}")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// Counts of a whole run, over every file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportReport {
    /// What the plan said, written or not.
    pub plan: PlanCounts,
    /// Records created, updated and deleted in the store.
    pub imported: u64,
    pub updated: u64,
    pub deleted: u64,
    /// Rejections kept with their text (at most a thousand per file).
    pub rejections: Vec<Rejection>,
    /// Rejections beyond those kept: counted, not told.
    pub rejected_uncounted: u64,
    /// Files written, and files whose import was refused as a whole.
    pub files_written: u64,
    pub files_refused: u64,
    /// Records imported without a usable location (inventory notices), counted in
    /// `imported`/`updated` too.
    pub unlocated: u64,
    /// What did not stop the import: photos that could not be fetched or decoded.
    pub warnings: Vec<Rejection>,
    /// Remote photos fetched, kept (already attached) and failed.
    pub photos: PhotoCounts,
}

impl ImportReport {
    /// Every rejection, told or only counted.
    pub fn rejected(&self) -> u64 {
        self.rejections.len() as u64 + self.rejected_uncounted
    }

    /// A rejection outside any file's plan (a path that does not exist, a refused list).
    pub fn reject(&mut self, r: Rejection) {
        self.plan.rejected += 1;
        self.rejections.push(r);
    }

    /// Adds another run's counts and rejections to this one.
    pub fn absorb(&mut self, other: ImportReport) {
        self.plan.absorb(other.plan);
        self.imported += other.imported;
        self.updated += other.updated;
        self.deleted += other.deleted;
        self.rejections.extend(other.rejections);
        self.rejected_uncounted += other.rejected_uncounted;
        self.files_written += other.files_written;
        self.files_refused += other.files_refused;
        self.unlocated += other.unlocated;
        self.warnings.extend(other.warnings);
        self.photos.absorb(other.photos);
    }

    /// The contract's exit code: 0 when nothing was rejected, 2 otherwise.
    pub fn exit_code(&self) -> u8 {
        if self.rejected() == 0 { 0 } else { 2 }
    }

    /// The contract's last line.
    pub fn summary_line(&self) -> String {
        format!(
            "imported {}, updated {}, rejected {}",
            self.imported,
            self.updated,
            self.rejected()
        )
    }

    /// The plan's counts: `plan: create N, update M, unchanged U, delete D, rejected K`.
    pub fn plan_line(&self) -> String {
        format!("plan: {}", self.plan.line())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejection_display_and_summary() {
        let r = Rejection {
            path: "a/b.gpx".into(),
            position: Some((12, 5)),
            field: Some("wpt".into()),
            reason: "latitude 123 is outside -90..90".into(),
        };
        assert_eq!(
            r.to_string(),
            "a/b.gpx:12:5: wpt: latitude 123 is outside -90..90"
        );
        assert_eq!(
            Rejection::file("x.gpx", "empty file").to_string(),
            "x.gpx: empty file"
        );
        let mut report = ImportReport {
            imported: 3,
            updated: 1,
            ..Default::default()
        };
        assert_eq!(report.summary_line(), "imported 3, updated 1, rejected 0");
        assert_eq!(report.exit_code(), 0);
        report.reject(r);
        report.rejected_uncounted = 4;
        assert_eq!(report.exit_code(), 2);
        assert_eq!(report.summary_line(), "imported 3, updated 1, rejected 5");
        assert_eq!(
            report.plan_line(),
            "plan: create 0, update 0, unchanged 0, delete 0, rejected 1"
        );
    }
}
