//! Replays the fuzz corpus on stable Rust: every file of `fuzz/corpus/TARGET/`, the
//! regression inputs of `tests/fixtures/fuzz/TARGET/` (each a crash once), any crash the
//! fuzzers left in `fuzz/artifacts/TARGET/`, and the third-party seeds `fuzz/seeds.txt`
//! names in `../shared/data`, each through its target's reader (see `targets`), which
//! must return records or rejections, never panic.

mod targets;

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The files of `dir/TARGET/` for every target (none when `dir` does not exist).
fn inputs_under(dir: &Path) -> Vec<(&'static str, PathBuf)> {
    let mut out = Vec::new();
    for (target, _) in targets::TARGETS {
        let Ok(entries) = std::fs::read_dir(dir.join(target)) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        out.extend(files.into_iter().map(|f| (*target, f)));
    }
    out
}

/// The shared seeds of `fuzz/seeds.txt`: `TARGET PATH` lines, paths under `../shared/data`.
fn shared_seeds() -> Vec<(&'static str, PathBuf)> {
    let list = std::fs::read_to_string(root().join("fuzz/seeds.txt")).expect("fuzz/seeds.txt");
    let data = root().join("../shared/data");
    list.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|line| {
            let (target, rel) = line.split_once(char::is_whitespace).expect("TARGET PATH");
            let target = targets::TARGETS
                .iter()
                .map(|(t, _)| *t)
                .find(|t| *t == target)
                .unwrap_or_else(|| panic!("seeds.txt: no target `{target}`"));
            (target, data.join(rel.trim()))
        })
        .collect()
}

/// Runs every input, and tells what became of each (`--nocapture` shows it).
fn replay(inputs: &[(&str, PathBuf)]) {
    for (target, file) in inputs {
        let bytes = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let outcome = std::panic::catch_unwind(|| targets::run(target, &bytes));
        let Ok(outcome) = outcome else {
            panic!("{target} panicked on {}", file.display());
        };
        println!(
            "{target:>14} {:>5} records {:>5} rejections{} {}",
            outcome.records,
            outcome.rejections,
            if outcome.refused { ", refused" } else { "" },
            file.display()
        );
    }
}

#[test]
fn the_corpus_and_every_regression_input_are_read_without_panic() {
    let corpus = inputs_under(&root().join("fuzz/corpus"));
    for (target, _) in targets::TARGETS {
        assert!(
            corpus.iter().any(|(t, _)| t == target),
            "no corpus for {target}"
        );
    }
    replay(&corpus);
    replay(&inputs_under(
        &root().join("data-import/tests/fixtures/fuzz"),
    ));
    replay(&inputs_under(&root().join("fuzz/artifacts")));
}

#[test]
fn the_shared_seeds_are_read_without_panic() {
    let seeds = shared_seeds();
    assert!(seeds.len() > 30, "{} seeds", seeds.len());
    for (_, file) in &seeds {
        assert!(file.is_file(), "seeds.txt: {} is missing", file.display());
    }
    replay(&seeds);
}
