//! Answers built from the catalogue, kept while its revision stands: any import moves the
//! revision, and every entry built before it is dropped at the next insertion.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

/// At most `cap` answers by key, each tagged with the revision it was built from.
#[derive(Debug)]
pub struct RevisionCache<K, V> {
    entries: Arc<Mutex<HashMap<K, (i64, V)>>>,
    cap: usize,
}

impl<K, V> Clone for RevisionCache<K, V> {
    fn clone(&self) -> Self {
        Self {
            entries: self.entries.clone(),
            cap: self.cap,
        }
    }
}

impl<K: Eq + Hash + Clone, V: Clone> RevisionCache<K, V> {
    pub fn new(cap: usize) -> Self {
        Self {
            entries: Arc::default(),
            cap: cap.max(1),
        }
    }

    /// The answer built for `key` at `revision`, if any.
    pub fn get(&self, key: &K, revision: i64) -> Option<V> {
        let map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        map.get(key)
            .filter(|(r, _)| *r == revision)
            .map(|(_, v)| v.clone())
    }

    pub fn put(&self, key: K, revision: i64, value: V) {
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        // Stale entries go with the next change; past the cap, any entry makes room
        // (a rebuild costs milliseconds).
        map.retain(|_, (r, _)| *r == revision);
        if map.len() >= self.cap
            && let Some(victim) = map.keys().next().cloned()
        {
            map.remove(&victim);
        }
        map.insert(key, (revision, value));
    }

    /// Forgets every answer (benchmarks measure the building).
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

    #[test]
    fn answers_last_while_the_revision_stands_and_within_the_cap() {
        let cache: RevisionCache<&str, u32> = RevisionCache::new(2);
        cache.put("a", 1, 10);
        assert_eq!(cache.get(&"a", 1), Some(10));
        assert_eq!(cache.get(&"a", 2), None, "a newer revision misses");
        cache.put("b", 1, 20);
        cache.put("c", 1, 30);
        let kept = ["a", "b", "c"]
            .iter()
            .filter(|k| cache.get(k, 1).is_some())
            .count();
        assert_eq!(kept, 2, "the cap holds");
        assert_eq!(cache.get(&"c", 1), Some(30), "the newest is kept");
        cache.put("d", 2, 40);
        assert_eq!(cache.get(&"c", 1), None, "older revisions are dropped");
        assert_eq!(cache.get(&"d", 2), Some(40));
    }
}
