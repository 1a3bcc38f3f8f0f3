//! Repeated ids (an order id or a member id that an earlier row already
//! used): the check every row of an orders or members file pays.
//!
//! Exports are usually sorted by id, or by time with ids handed out in
//! sequence, so while every id is larger than the one before (compared as
//! bytes) a repeat is impossible and one compare with the previous id
//! settles it. The first id out of order switches to a set of 64-bit id
//! hashes, filled from the ids the table already holds, and the set answers
//! from then on. The answers are the same either way; a sorted file just
//! never builds the set (16+ MB at a million orders, and a cache miss per row).

use crate::model::id_hash;
use std::collections::HashSet;
use std::hash::BuildHasherDefault;

/// The ids used so far.
#[derive(Default)]
pub struct Seen {
    /// Hashes of the ids used, once they stopped arriving in order.
    hashes: HashSet<u64, BuildHasherDefault<NoHash>>,
    /// The last id used, while every id so far was larger than the one
    /// before; `None` once the hashes are in use.
    last: Option<Vec<u8>>,
}

impl Seen {
    /// A check with no id seen yet.
    pub fn new() -> Seen {
        Seen { hashes: HashSet::default(), last: Some(Vec::new()) }
    }

    /// True when `id` is new; it is then recorded as used. `earlier` lists
    /// every id recorded so far (the table's own column of ids): it is read
    /// once, when the ids first arrive out of order.
    pub fn first_time<I: IntoIterator<Item: AsRef<str>>>(&mut self, id: &str, earlier: impl FnOnce() -> I) -> bool {
        if let Some(last) = &mut self.last {
            // The first id is larger than the empty one.
            if id.as_bytes() > last.as_slice() {
                last.clear();
                last.extend_from_slice(id.as_bytes());
                return true;
            }
            self.last = None;
            self.hashes.extend(earlier().into_iter().map(|id| id_hash(id.as_ref())));
        }
        self.hashes.insert(id_hash(id))
    }
}

/// The set above stores hashes already: use them as they are.
#[derive(Default)]
pub struct NoHash(u64);

impl std::hash::Hasher for NoHash {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `ids` through a [`Seen`] the way the tables do (the earlier ids
    /// are the ones accepted) and returns which were new.
    fn check(ids: &[&str]) -> Vec<bool> {
        let mut seen = Seen::new();
        let mut kept: Vec<&str> = Vec::new();
        ids.iter()
            .map(|&id| {
                let new = seen.first_time(id, || kept.clone());
                if new {
                    kept.push(id);
                }
                new
            })
            .collect()
    }

    #[test]
    fn sorted_ids_never_build_the_set() {
        let mut seen = Seen::new();
        for id in ["D1", "D2", "D3", "E", "订单1"] {
            assert!(seen.first_time(id, || -> Vec<&str> { panic!("the set is not needed") }));
        }
        assert!(seen.hashes.is_empty());
    }

    #[test]
    fn repeats_are_found_in_and_out_of_order() {
        // A repeat of the previous id (not larger) switches to the set.
        assert_eq!(check(&["A", "B", "B", "C"]), [true, true, false, true]);
        // Out of order first, then a repeat of an id from the sorted run.
        assert_eq!(check(&["A", "C", "B", "A", "C", "D", "B"]), [true, true, true, false, false, true, false]);
        // A prefix is smaller than the longer id.
        assert_eq!(check(&["AB", "A", "AB", "A"]), [true, true, false, false]);
    }

    #[test]
    fn same_answers_as_a_plain_set() {
        // Sorted runs broken at random places, with repeats.
        let ids: Vec<String> = (0..5000u64).map(|i| format!("D{:05}", (i * 7919) % 3000 + (i / 1000) * 10)).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let mut plain = std::collections::HashSet::new();
        let want: Vec<bool> = refs.iter().map(|id| plain.insert(*id)).collect();
        assert_eq!(check(&refs), want);
        let sorted: Vec<String> = (0..3000).map(|i| format!("D{i:05}")).chain(["D00007".into()]).collect();
        let refs: Vec<&str> = sorted.iter().map(String::as_str).collect();
        assert_eq!(check(&refs).iter().filter(|&&new| !new).count(), 1);
    }

    #[test]
    fn id_hashes_spread_sequential_ids() {
        // 64 bits make a false repeat unlikely (about 1 in 10^6 at 5 million ids).
        let hashes: HashSet<u64> = (0..200_000).map(|i| id_hash(&format!("D{i:08}"))).collect();
        assert_eq!(hashes.len(), 200_000);
        assert_ne!(id_hash("D00000001"), id_hash("D00000010"));
        assert_ne!(id_hash("ab"), id_hash("ab\0"));
    }
}
