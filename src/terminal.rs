//! How an import shows on the command line: a progress bar on a terminal (plain lines
//! when the output is not one), each rejection as soon as it is known, and with
//! `--diff` each change of the plan with its fields.

use balade_import::plan::diff_text;
use balade_import::{ImportEvent, Observer};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Write;

#[derive(Debug)]
pub struct Terminal {
    bar: Option<ProgressBar>,
    diff: bool,
}

impl Terminal {
    pub fn new(progress_bar: bool, diff: bool) -> Self {
        Self {
            bar: progress_bar.then(ProgressBar::hidden),
            diff,
        }
    }

    /// A line printed above the bar, or on standard output without one.
    fn say(&self, text: &str) {
        match &self.bar {
            Some(bar) if !bar.is_hidden() => bar.println(text),
            _ => {
                let _ = writeln!(std::io::stdout().lock(), "{text}");
            }
        }
    }

    /// Clears the bar once the run is over.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Observer for Terminal {
    fn wants_changes(&self) -> bool {
        self.diff
    }

    fn event(&mut self, event: ImportEvent<'_>) {
        match event {
            ImportEvent::FileStarted { path, index, total } => {
                if let Some(bar) = &mut self.bar {
                    if bar.is_hidden() {
                        let fresh = ProgressBar::new(total as u64);
                        if let Ok(style) =
                            ProgressStyle::with_template("{bar:30} {pos}/{len} files {wide_msg}")
                        {
                            fresh.set_style(style);
                        }
                        *bar = fresh;
                    }
                    bar.set_position(index as u64 - 1);
                    bar.set_message(path.display().to_string());
                }
            }
            ImportEvent::Progress { path, records } => {
                if let Some(bar) = &self.bar {
                    bar.set_message(format!("{}: {records} records", path.display()));
                }
            }
            ImportEvent::Rejected(r) => self.say(&format!("rejected: {r}")),
            ImportEvent::Planned(p) => {
                if self.diff {
                    self.say(&diff_text(p));
                }
            }
            ImportEvent::FileDone { line, .. } => match &self.bar {
                Some(bar) if !bar.is_hidden() => bar.inc(1),
                _ => self.say(line),
            },
            ImportEvent::Note(line) => self.say(line),
        }
    }
}
