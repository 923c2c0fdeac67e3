//! Rows grouped by a key in order of the key's first appearance: how the text readers (TRACK,
//! TempestExtremes CSV, IBTrACS CSV) gather each track's points when a track's rows may be
//! split or interleaved.

use std::collections::HashMap;
use std::hash::Hash;

/// Groups of values by key, keys in order of first appearance.
#[derive(Debug, Clone)]
pub struct FirstAppearance<K, V> {
    order: Vec<K>,
    groups: HashMap<K, Vec<V>>,
}

impl<K: Eq + Hash + Clone, V> Default for FirstAppearance<K, V> {
    fn default() -> Self {
        FirstAppearance { order: Vec::new(), groups: HashMap::new() }
    }
}

impl<K: Eq + Hash + Clone, V> FirstAppearance<K, V> {
    /// Append `value` to the group of `key`.
    pub fn push(&mut self, key: K, value: V) {
        match self.groups.get_mut(&key) {
            Some(group) => group.push(value),
            None => {
                self.order.push(key.clone());
                self.groups.insert(key, vec![value]);
            }
        }
    }

    /// How many keys.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// The groups, keys in order of first appearance, values in order of pushing.
    pub fn into_groups(mut self) -> Vec<(K, Vec<V>)> {
        self.order.into_iter().map(|k| (k.clone(), self.groups.remove(&k).unwrap_or_default())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interleaved_rows_gather_in_first_appearance_order() {
        let mut g = FirstAppearance::default();
        for (k, v) in [(5, 'a'), (2, 'b'), (5, 'c'), (9, 'd'), (2, 'e')] {
            g.push(k, v);
        }
        assert_eq!(g.len(), 3);
        assert_eq!(g.into_groups(), vec![(5, vec!['a', 'c']), (2, vec!['b', 'e']), (9, vec!['d'])]);
    }
}
