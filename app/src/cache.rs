//! Answers kept while everything they were built from stands: the store's revision (the
//! circuit, its POIs and media are read from it) and the catalogue's (the index says
//! which POIs are along). Any import moves the store's revision, the refresh then the
//! catalogue's; every entry built before is dropped at the next insertion.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

/// What a cached answer was built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Revisions {
    /// The store's revision read before building.
    pub store: i64,
    /// The revision the catalogue was loaded at.
    pub catalog: i64,
}

/// What an answer weighs in memory.
pub trait Weigh {
    fn bytes(&self) -> usize;
}

impl Weigh for Arc<[u8]> {
    fn bytes(&self) -> usize {
        self.len()
    }
}

/// At most `budget` bytes of answers by key, each tagged with the revisions it was
/// built from.
#[derive(Debug)]
pub struct RevisionCache<K, V> {
    entries: Arc<Mutex<HashMap<K, (Revisions, V)>>>,
    budget: usize,
}

impl<K, V> Clone for RevisionCache<K, V> {
    fn clone(&self) -> Self {
        Self {
            entries: self.entries.clone(),
            budget: self.budget,
        }
    }
}

impl<K: Eq + Hash + Clone, V: Clone + Weigh> RevisionCache<K, V> {
    /// A cache holding at most `budget` bytes (an answer bigger than that is not kept).
    pub fn new(budget: usize) -> Self {
        Self {
            entries: Arc::default(),
            budget,
        }
    }

    /// The answer built for `key` at exactly `revisions`, if any.
    pub fn get(&self, key: &K, revisions: Revisions) -> Option<V> {
        let map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        map.get(key)
            .filter(|(r, _)| *r == revisions)
            .map(|(_, v)| v.clone())
    }

    pub fn put(&self, key: K, revisions: Revisions, value: V) {
        let size = value.bytes();
        if size > self.budget {
            return;
        }
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        // Stale entries go with the next change; past the budget, any entry makes room
        // (a rebuild costs milliseconds).
        map.retain(|_, (r, _)| *r == revisions);
        map.remove(&key);
        let mut held: usize = map.values().map(|(_, v)| v.bytes()).sum();
        while held + size > self.budget {
            let Some(victim) = map.keys().next().cloned() else {
                break;
            };
            if let Some((_, v)) = map.remove(&victim) {
                held -= v.bytes();
            }
        }
        map.insert(key, (revisions, value));
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        let map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        map.values().map(|(_, v)| v.bytes()).sum()
    }

    /// Forgets every answer.
    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(store: i64, catalog: i64) -> Revisions {
        Revisions { store, catalog }
    }

    impl Weigh for u32 {
        fn bytes(&self) -> usize {
            100
        }
    }

    #[test]
    fn answers_last_while_both_revisions_stand_and_within_the_budget() {
        let cache: RevisionCache<&str, u32> = RevisionCache::new(250);
        cache.put("a", at(1, 1), 10);
        assert_eq!(cache.get(&"a", at(1, 1)), Some(10));
        assert_eq!(cache.get(&"a", at(2, 1)), None, "the store moved");
        assert_eq!(cache.get(&"a", at(1, 2)), None, "the catalogue moved");
        cache.put("b", at(1, 1), 20);
        cache.put("c", at(1, 1), 30);
        let kept = ["a", "b", "c"]
            .iter()
            .filter(|k| cache.get(k, at(1, 1)).is_some())
            .count();
        assert_eq!(kept, 2, "the budget holds");
        assert_eq!(cache.bytes(), 200);
        assert_eq!(cache.get(&"c", at(1, 1)), Some(30), "the newest is kept");
        cache.put("d", at(2, 2), 40);
        assert_eq!(
            cache.get(&"c", at(1, 1)),
            None,
            "older revisions are dropped"
        );
        assert_eq!(cache.get(&"d", at(2, 2)), Some(40));
    }
}
