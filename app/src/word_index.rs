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

    /// The index after circuits moved, left or came: circuit `c` of this index is now
    /// `moved[c]` (`None`: gone or re-read), and each of `added` is (new place, folded
    /// text). `moved` keeps the order of what it keeps, so a word's circuits stay
    /// ascending, merged with the added ones that hold it. Words no circuit holds
    /// any more stay in the vocabulary, holding nothing, until the next whole build.
    pub fn followed<S: AsRef<str>>(
        &self,
        moved: &[Option<u32>],
        added: impl IntoIterator<Item = (u32, S)>,
        len: usize,
    ) -> Self {
        let mut vocabulary = self.vocabulary.clone();
        let mut starts = self.starts.clone();
        let mut ids: HashMap<&str, u32> = HashMap::new();
        // (word, new place) of the added texts, each pair once.
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        // Words no text held before, numbered after the others and added as met.
        let mut new_words: HashMap<Box<str>, u32> = HashMap::new();
        let mut added = added.into_iter().peekable();
        if added.peek().is_some() {
            ids = (self.words().enumerate())
                .map(|(id, word)| (word, id as u32))
                .collect();
        }
        for (place, text) in added {
            for word in text.as_ref().split_whitespace() {
                let id = match ids.get(word) {
                    Some(&id) => id,
                    None => *new_words.entry(word.into()).or_insert_with(|| {
                        starts.push(vocabulary.len() as u32);
                        vocabulary.push_str(word);
                        vocabulary.push(' ');
                        (starts.len() - 1) as u32
                    }),
                };
                pairs.push((id, place));
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        const GONE: u32 = u32::MAX;
        let moved: Vec<u32> = moved.iter().map(|m| m.unwrap_or(GONE)).collect();
        let mut circuits = vec![0u32; self.circuits.len() + pairs.len()];
        let mut end = 0;
        let mut circuits_at = Vec::with_capacity(starts.len() + 1);
        circuits_at.push(0);
        let mut pairs = pairs.as_slice();
        for w in 0..starts.len() {
            let held = match self.circuits_at.get(w + 1) {
                Some(&last) => &self.circuits[self.circuits_at[w] as usize..last as usize],
                None => &[],
            };
            let n = pairs.partition_point(|&(pw, _)| pw as usize == w);
            if n == 0 {
                // Written whatever it is, kept only when not gone: no branch to mispredict
                // over millions of entries.
                for &c in held {
                    let place = moved[c as usize];
                    circuits[end] = place;
                    end += usize::from(place != GONE);
                }
            } else {
                // Both ascending: merged.
                let mut kept = (held.iter().map(|&c| moved[c as usize]))
                    .filter(|&p| p != GONE)
                    .peekable();
                for &(_, place) in &pairs[..n] {
                    while let Some(k) = kept.next_if(|&k| k < place) {
                        circuits[end] = k;
                        end += 1;
                    }
                    circuits[end] = place;
                    end += 1;
                }
                for k in kept {
                    circuits[end] = k;
                    end += 1;
                }
                pairs = &pairs[n..];
            }
            circuits_at.push(end as u32);
        }
        circuits.truncate(end);
        Self {
            vocabulary,
            starts,
            circuits,
            circuits_at,
            len,
        }
    }

    /// The words of the vocabulary, by id.
    fn words(&self) -> impl Iterator<Item = &str> {
        (self.starts.iter().enumerate()).map(|(w, &start)| {
            let end = self
                .starts
                .get(w + 1)
                .map_or(self.vocabulary.len(), |&next| next as usize);
            // Without the space that follows it.
            &self.vocabulary[start as usize..end - 1]
        })
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

    /// Followed through a change, the index finds what one built from the new texts
    /// finds.
    #[test]
    fn a_followed_index_finds_what_a_new_one_finds() {
        let before = [
            "moulin de la ville",
            "lavoir",
            "pont du moulin",
            "eglise",
            "bois",
        ];
        // "lavoir" (1) goes, "pont du moulin" (2) is re-read with other words, two
        // texts come, one ahead of all; the others keep their order.
        let after = [
            "aaa tout neuf saulaie",
            "moulin de la ville",
            "pont refait saulaies",
            "eglise",
            "bois",
            "lavoir",
        ];
        let moved = [Some(1), None, None, Some(3), Some(4)];
        let added = [(0, after[0]), (2, after[2]), (5, after[5])];
        let followed = WordIndex::of(before).followed(&moved, added, after.len());
        let fresh = WordIndex::of(after);
        for q in [
            "moulin",
            "saulaie",
            "saul",
            "pont",
            "du",
            "lavoir",
            "neuf ville",
            "e",
            "zz",
        ] {
            let q = words(q);
            assert_eq!(followed.holding_all(&q), fresh.holding_all(&q), "{q:?}");
        }
        assert_eq!(
            followed.holding_all(&words("du")),
            Some(vec![false; 6]),
            "a word no text holds any more"
        );
        // Known words are not added twice; new ones once.
        assert_eq!(followed.vocabulary.matches("moulin ").count(), 1);
        assert_eq!(followed.vocabulary.matches("saulaie ").count(), 1);
        // Each word's circuits ascending.
        for w in 0..followed.starts.len() {
            let held = &followed.circuits
                [followed.circuits_at[w] as usize..followed.circuits_at[w + 1] as usize];
            assert!(held.windows(2).all(|p| p[0] < p[1]), "{held:?}");
        }
    }

    #[test]
    fn an_empty_catalogue_finds_nothing() {
        let index = WordIndex::of(Vec::<String>::new());
        assert_eq!(index.holding_all(&words("moulin")), Some(vec![]));
    }
}
