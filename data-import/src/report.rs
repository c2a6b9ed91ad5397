//! What an import tells its user: each rejected record with where and why, and a summary.

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
    pub imported: u64,
    pub updated: u64,
    pub rejections: Vec<Rejection>,
    /// Files written, and files whose import was refused as a whole.
    pub files_written: u64,
    pub files_refused: u64,
    /// Records imported without a usable location (inventory notices), counted in
    /// `imported`/`updated` too.
    pub unlocated: u64,
}

impl ImportReport {
    pub fn rejected(&self) -> u64 {
        self.rejections.len() as u64
    }

    /// Adds another run's counts and rejections to this one.
    pub fn absorb(&mut self, other: ImportReport) {
        self.imported += other.imported;
        self.updated += other.updated;
        self.rejections.extend(other.rejections);
        self.files_written += other.files_written;
        self.files_refused += other.files_refused;
        self.unlocated += other.unlocated;
    }

    /// The contract's exit code: 0 when nothing was rejected, 2 otherwise.
    pub fn exit_code(&self) -> u8 {
        if self.rejections.is_empty() { 0 } else { 2 }
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
        report.rejections.push(r);
        assert_eq!(report.exit_code(), 2);
    }
}
