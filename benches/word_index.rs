//! The list's `q` over a national catalogue: 30,000 circuits with descriptions of about
//! 1,500 characters drawn from a vocabulary of 40,000 words (a national set of real
//! descriptions holds a few tens of thousands of distinct words). The word index
//! against searching every folded text, which is what the list did before it.
//!
//! Target (release, 2-core reference machine): two words ≤ 1 ms.
//! Run: `cargo bench --bench word_index`.

use balade_app::word_index::WordIndex;
use balade_core::store::testing::Lcg;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

const CIRCUITS: usize = 30_000;

fn texts() -> Vec<String> {
    let mut rng = Lcg::new(5);
    let syllables = [
        "mou", "lin", "la", "voir", "e", "gli", "se", "ri", "viè", "re", "bois", "pont",
    ];
    let vocabulary: Vec<String> = (0..40_000)
        .map(|i| {
            let n = 2 + (rng.next_f64() * 3.0) as usize;
            let word: String = (0..n)
                .map(|_| syllables[(rng.next_f64() * syllables.len() as f64) as usize])
                .collect();
            format!("{word}{}", i % 7)
        })
        .collect();
    (0..CIRCUITS)
        .map(|_| {
            let mut text = String::new();
            while text.len() < 1_500 {
                // Common words far more often than rare ones, as in prose.
                let r = rng.next_f64();
                text.push_str(&vocabulary[(r * r * r * vocabulary.len() as f64) as usize]);
                text.push(' ');
            }
            text
        })
        .collect()
}

fn word_index(c: &mut Criterion) {
    let texts = texts();
    let index = WordIndex::of(&texts);
    let q: Vec<String> = ["moulin", "voirpont"].map(str::to_owned).into();
    let held = index.holding_all(&q).expect("words");
    let scanned: Vec<bool> = (texts.iter())
        .map(|t| q.iter().all(|w| t.contains(w.as_str())))
        .collect();
    assert_eq!(held, scanned, "the index finds what a scan finds");
    eprintln!(
        "{} of {CIRCUITS} circuits hold both words",
        held.iter().filter(|h| **h).count()
    );
    let mut group = c.benchmark_group("word_index");
    group.bench_function("two_words_30k_circuits", |b| {
        b.iter(|| black_box(index.holding_all(&q)))
    });
    group.bench_function("two_words_30k_texts_scanned", |b| {
        b.iter(|| {
            black_box(
                (texts.iter())
                    .filter(|t| q.iter().all(|w| t.contains(w.as_str())))
                    .count(),
            )
        })
    });
    group.bench_function("build_30k_circuits", |b| {
        b.iter(|| black_box(WordIndex::of(&texts)))
    });
    group.finish();
}

criterion_group!(benches, word_index);
criterion_main!(benches);
