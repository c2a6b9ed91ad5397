//! The words of the circuits' texts, for the list's `q`. A query word matches a circuit
//! whose folded text contains it anywhere ("moul" finds "moulins"). A word without
//! blank space can only occur inside one word of a text, so each distinct word of all
//! texts is kept once, in one string searched with SIMD, and a word found there gives
//! the circuits holding it: the cost follows the vocabulary, not the length of every
//! description of a national catalogue.

use balade_core::CircuitSummary;
use balade_core::text::fold;
use memchr::memmem;
use std::collections::HashMap;

#[derive(Debug, Default)]
pub struct WordIndex {
    /// Every distinct word, each followed by a space.
    vocabulary: String,
    /// Where each word starts in `vocabulary`, in order.
    starts: Vec<u32>,
    /// The circuits holding each word: word `w`'s are
    /// `circuits[circuits_at[w]..circuits_at[w + 1]]`, ascending.
    circuits: Vec<u32>,
    circuits_at: Vec<u32>,
    len: usize,
}

impl WordIndex {
    /// The index of `texts`, already folded: circuit `i` is `texts[i]`.
    pub fn of<S: AsRef<str>>(texts: impl IntoIterator<Item = S>) -> Self {
        // Owned keys: a lookup compares with a copy packed among the others, not with
        // a word scattered somewhere in the texts.
        let mut ids: HashMap<Box<str>, u32> = HashMap::new();
        let mut vocabulary = String::new();
        let mut starts = Vec::new();
        // (word, circuit), each pair once.
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        let mut seen = Vec::new();
        let mut len = 0;
        // One text at a time: the folded texts of a national catalogue are never all
        // held at once.
        for (circuit, text) in texts.into_iter().enumerate() {
            len = circuit + 1;
            seen.clear();
            for word in text.as_ref().split_whitespace() {
                let id = match ids.get(word) {
                    Some(&id) => id,
                    None => {
                        let id = starts.len() as u32;
                        starts.push(vocabulary.len() as u32);
                        vocabulary.push_str(word);
                        vocabulary.push(' ');
                        ids.insert(word.into(), id);
                        id
                    }
                };
                seen.push(id);
            }
            seen.sort_unstable();
            seen.dedup();
            pairs.extend(seen.iter().map(|&w| (w, circuit as u32)));
        }
        // Grouped by word, circuits ascending within each (a counting sort).
        let mut circuits_at = vec![0u32; starts.len() + 1];
        for &(w, _) in &pairs {
            circuits_at[w as usize + 1] += 1;
        }
        for w in 0..starts.len() {
            circuits_at[w + 1] += circuits_at[w];
        }
        let mut next = circuits_at.clone();
        let mut circuits = vec![0u32; pairs.len()];
        for &(w, c) in &pairs {
            circuits[next[w as usize] as usize] = c;
            next[w as usize] += 1;
        }
        Self {
            vocabulary,
            starts,
            circuits,
            circuits_at,
            len,
        }
    }

    /// Which circuits hold every one of `words` (folded, without blank space) in their
    /// text, by circuit index; `None` when there are no words.
    pub fn holding_all(&self, words: &[String]) -> Option<Vec<bool>> {
        let mut all: Option<Vec<bool>> = None;
        for word in words {
            let found = self.holding(word);
            all = Some(match all {
                None => found,
                Some(mut all) => {
                    all.iter_mut().zip(found).for_each(|(a, f)| *a &= f);
                    all
                }
            });
        }
        all
    }

    fn holding(&self, word: &str) -> Vec<bool> {
        let mut found = vec![false; self.len];
        let bytes = self.vocabulary.as_bytes();
        let finder = memmem::Finder::new(word.as_bytes());
        let mut from = 0;
        // Matches come in order: the word holding each is found by walking forward.
        let mut w = 0;
        while let Some(at) = finder.find(&bytes[from..]).map(|i| from + i) {
            while w + 1 < self.starts.len() && self.starts[w + 1] as usize <= at {
                w += 1;
            }
            let held =
                &self.circuits[self.circuits_at[w] as usize..self.circuits_at[w + 1] as usize];
            held.iter().for_each(|&c| found[c as usize] = true);
            // Once per word of the vocabulary.
            from = self
                .starts
                .get(w + 1)
                .map_or(bytes.len(), |&next| next as usize);
        }
        found
    }
}

/// What `q` searches in a circuit, folded: its name, description, communes,
/// intercommunalities and themes, and its texts in every other language.
pub fn search_text(summary: &CircuitSummary) -> String {
    let translated = (summary.translations.values())
        .flat_map(|t| [&t.name, &t.summary, &t.description])
        .flatten();
    let texts = [&summary.name, &summary.description]
        .into_iter()
        .chain(&summary.communes)
        .chain(&summary.intercommunalities)
        .chain(&summary.themes)
        .chain(translated);
    let mut text = String::new();
    for t in texts {
        text.push_str(&fold(t));
        text.push(' ');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(q: &str) -> Vec<String> {
        fold(q).split_whitespace().map(str::to_owned).collect()
    }

    /// The index agrees with searching each text whole, for every query tried.
    #[test]
    fn finds_what_a_search_of_each_text_finds() {
        let texts = [
            "le moulin de la ville basse lavoir",
            "eglise saint-ayoul   moulins\ten  provins",
            "",
            "lavoir lavoir du moulin",
            "10.5 km par www.seine-et-marne.fr",
        ];
        let index = WordIndex::of(texts);
        for q in [
            "moulin",
            "moul",
            "lin",
            "lavoir moulin",
            "saint-a",
            "t-ay",
            "e",
            "n p",
            "zz",
            "10.5",
            ".fr",
            "www.seine",
            "lavoir lavoir",
            "basse ville",
        ] {
            let q = words(q);
            let expected: Vec<bool> = (texts.iter())
                .map(|t| q.iter().all(|w| t.contains(w.as_str())))
                .collect();
            assert_eq!(index.holding_all(&q), Some(expected), "{q:?}");
        }
        assert_eq!(index.holding_all(&[]), None);
        // Each word once in the vocabulary, each circuit once per word.
        assert_eq!(index.vocabulary.matches("lavoir ").count(), 1);
        let lavoir = index
            .starts
            .iter()
            .position(|&s| index.vocabulary[s as usize..].starts_with("lavoir "));
        let w = lavoir.expect("a word");
        assert_eq!(
            index.circuits[index.circuits_at[w] as usize..index.circuits_at[w + 1] as usize],
            [0, 3]
        );
    }

    #[test]
    fn an_empty_catalogue_finds_nothing() {
        let index = WordIndex::of(Vec::<String>::new());
        assert_eq!(index.holding_all(&words("moulin")), Some(vec![]));
    }
}
