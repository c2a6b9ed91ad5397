//! The plan of an import: what each record of the source would do to the store before
//! anything is written. A record is created, updated (with each changed field, before
//! and after), unchanged, deleted (a record of the same source that vanished from it) or
//! rejected (file, line, field, reason). `--dry-run` stops at the plan; otherwise the
//! same plan is committed, per file, all or nothing.
//!
//! Plans are told as [`ImportEvent`]s while they are made, so that the command line can
//! draw progress and print the changes, and the back-office can stream them.

use crate::report::Rejection;
use balade_core::LonLat;
use balade_core::record::{FieldChange, RecordKind};
use std::path::Path;

/// What a record does to the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Create,
    Update,
    Unchanged,
    Delete,
    Rejected,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Create => "create",
            Status::Update => "update",
            Status::Unchanged => "unchanged",
            Status::Delete => "delete",
            Status::Rejected => "rejected",
        }
    }
}

impl std::str::FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "create" => Ok(Status::Create),
            "update" => Ok(Status::Update),
            "unchanged" => Ok(Status::Unchanged),
            "delete" => Ok(Status::Delete),
            "rejected" => Ok(Status::Rejected),
            _ => Err(format!(
                "unknown status `{s}` (expected create, update, unchanged, delete or rejected)"
            )),
        }
    }
}

/// One record of a plan that changes something (unchanged records are only counted).
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub kind: RecordKind,
    /// The key the store upserts on (its source, a commune's code).
    pub key: String,
    /// What a person calls it.
    pub label: String,
    pub status: Status,
    /// The fields an update changes.
    pub changes: Vec<FieldChange>,
    /// Fields a person edited whose source value changed: the edit is kept (`before`
    /// the edit kept, `after` what the source now says).
    pub kept: Vec<FieldChange>,
    pub position: Option<LonLat>,
    pub commune: Option<String>,
    /// Whether the commit leaves it out (excluded by the person committing, or a
    /// vanished record not chosen for deletion).
    pub skipped: bool,
}

/// How many records of each status a plan holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlanCounts {
    pub create: u64,
    pub update: u64,
    pub unchanged: u64,
    pub delete: u64,
    pub rejected: u64,
}

impl PlanCounts {
    pub fn add(&mut self, status: Status) {
        match status {
            Status::Create => self.create += 1,
            Status::Update => self.update += 1,
            Status::Unchanged => self.unchanged += 1,
            Status::Delete => self.delete += 1,
            Status::Rejected => self.rejected += 1,
        }
    }

    pub fn absorb(&mut self, other: PlanCounts) {
        self.create += other.create;
        self.update += other.update;
        self.unchanged += other.unchanged;
        self.delete += other.delete;
        self.rejected += other.rejected;
    }

    /// `create N, update M, unchanged U, delete D, rejected K`.
    pub fn line(&self) -> String {
        format!(
            "create {}, update {}, unchanged {}, delete {}, rejected {}",
            self.create, self.update, self.unchanged, self.delete, self.rejected
        )
    }
}

/// What an import tells while it runs.
#[derive(Debug)]
pub enum ImportEvent<'a> {
    /// A file's turn: the `index`-th (from 1) of `total`.
    FileStarted {
        path: &'a Path,
        index: usize,
        total: usize,
    },
    /// Records read so far from the current file.
    Progress { path: &'a Path, records: u64 },
    /// A record or a file refused, with where and why.
    Rejected(&'a Rejection),
    /// A change the plan holds.
    Planned(&'a Planned),
    /// A file done, told in one line.
    FileDone { path: &'a Path, line: &'a str },
    /// Something worth telling that is no record (a sensitivity list loaded…).
    Note(&'a str),
}

/// Whoever follows an import: the command line's terminal, a back-office job, a test.
pub trait Observer: Send {
    fn event(&mut self, event: ImportEvent<'_>);
    /// Whether it wants each change ([`ImportEvent::Planned`]), or only the counts:
    /// a million records planned for nobody cost a million allocations.
    fn wants_changes(&self) -> bool {
        true
    }
}

/// Follows nothing.
#[derive(Debug, Default)]
pub struct Quiet;

impl Observer for Quiet {
    fn event(&mut self, _: ImportEvent<'_>) {}
    fn wants_changes(&self) -> bool {
        false
    }
}

/// Writes the files' lines and the rejections as text (no progress bar): what an import
/// prints when its output is not a terminal.
pub struct Lines<'w>(pub &'w mut (dyn std::io::Write + Send));

impl std::fmt::Debug for Lines<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Lines")
    }
}

impl Observer for Lines<'_> {
    fn wants_changes(&self) -> bool {
        false
    }

    fn event(&mut self, event: ImportEvent<'_>) {
        let _ = match event {
            ImportEvent::Rejected(r) => writeln!(self.0, "rejected: {r}"),
            ImportEvent::FileDone { line, .. } | ImportEvent::Note(line) => {
                writeln!(self.0, "{line}")
            }
            _ => Ok(()),
        };
    }
}

/// A planned change as `--diff` prints it: a head line, then one line per field.
pub fn diff_text(p: &Planned) -> String {
    let mut out = format!("{} {} {} \"{}\"", p.status.as_str(), p.kind, p.key, p.label);
    if p.skipped {
        out.push_str(" (not applied)");
    }
    for c in &p.changes {
        let (before, after) = around_the_change(&c.before, &c.after);
        out.push_str(&format!(
            "\n    {}: {} → {}",
            c.field,
            shorten(&before),
            shorten(&after)
        ));
    }
    for k in &p.kept {
        out.push_str(&format!(
            "\n    {}: source changed, kept your edit \"{}\" (the source says \"{}\")",
            k.field,
            shorten(&k.before),
            shorten(&k.after)
        ));
    }
    out
}

/// Long texts that start alike, cut to a little before where they differ (`…` marks
/// the cut): a sentence added to a history shows.
fn around_the_change(before: &str, after: &str) -> (String, String) {
    const CONTEXT: usize = 40;
    let common = before
        .chars()
        .zip(after.chars())
        .take_while(|(a, b)| a == b)
        .count();
    if common <= CONTEXT * 2 {
        return (before.to_owned(), after.to_owned());
    }
    let cut = |text: &str| {
        format!(
            "…{}",
            text.chars().skip(common - CONTEXT).collect::<String>()
        )
    };
    (cut(before), cut(after))
}

/// A value on one line, at most 160 characters.
fn shorten(text: &str) -> String {
    const MAX: usize = 160;
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.is_empty() {
        return "∅".to_owned();
    }
    match one_line.char_indices().nth(MAX) {
        Some((at, _)) => format!("\"{}…\"", &one_line[..at]),
        None => format!("\"{one_line}\""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_lines_and_counts() {
        let p = Planned {
            kept: Vec::new(),
            kind: RecordKind::Poi,
            key: "heritage:IA1".into(),
            label: "Lavoir".into(),
            status: Status::Update,
            changes: vec![FieldChange {
                field: "description".into(),
                before: String::new(),
                after: "Un lavoir\ncouvert".into(),
            }],
            position: None,
            commune: None,
            skipped: false,
        };
        assert_eq!(
            diff_text(&p),
            "update poi heritage:IA1 \"Lavoir\"\n    description: ∅ → \"Un lavoir couvert\""
        );
        let mut counts = PlanCounts::default();
        for s in [
            Status::Create,
            Status::Update,
            Status::Update,
            Status::Rejected,
        ] {
            counts.add(s);
        }
        assert_eq!(
            counts.line(),
            "create 1, update 2, unchanged 0, delete 0, rejected 1"
        );
        let long = "Le bâti situé en bordure de la route d'Albi date de la 2e moitié du 19e siècle. \
            Une maison a été édifiée dans les années 1920/1940 à l'arrière de la parcelle.";
        let revised = Planned {
            changes: vec![FieldChange {
                field: "history".into(),
                before: long.into(),
                after: format!("{long} Restauré en 2025."),
            }],
            ..p.clone()
        };
        let text = diff_text(&revised);
        assert!(
            text.ends_with("\"…es 1920/1940 à l'arrière de la parcelle. Restauré en 2025.\""),
            "{text}"
        );
        assert!(
            text.contains("history: \"…es 1920/1940 à l'arrière de la parcelle.\" → "),
            "{text}"
        );
        assert_eq!("delete".parse(), Ok(Status::Delete));
        assert!("gone".parse::<Status>().is_err());
    }
}
