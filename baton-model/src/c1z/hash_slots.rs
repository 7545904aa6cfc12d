//! [`HashSlots`]: a fixed-cap, open-addressing map from a nonzero 64-bit hash to a row id, the
//! in-memory first tier of [`SeenKeys`](super::seen_keys::SeenKeys).
//!
//! It grows by doubling up to `max_slots` slots of 16 bytes (so its memory is bounded by the
//! cap, never by the number of rows) and refuses inserts beyond 3/4 of that; the caller then
//! spills to disk. Linear probing on the low bits of the hash (a foldhash quality output, already well
//! mixed); slot hash 0 means empty, so callers must pass nonzero hashes. Removal shifts the
//! following run back instead of leaving tombstones, so lookups never degrade.

/// Slots of a new table (grown by doubling up to the cap).
const INITIAL_SLOTS: usize = 1024;

/// See the module docs.
pub(super) struct HashSlots {
    // (hash, row); hash 0 = empty. Length is a power of two.
    slots: Vec<(u64, i64)>,
    len: usize,
    max_slots: usize,
}

impl std::fmt::Debug for HashSlots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HashSlots")
            .field("len", &self.len)
            .field("slots", &self.slots.len())
            .field("max_slots", &self.max_slots)
            .finish()
    }
}

impl HashSlots {
    /// An empty table that will never hold more than `max_slots` slots (rounded up to a power
    /// of two, at least 4).
    pub(super) fn new(max_slots: usize) -> Self {
        let max_slots = max_slots.max(4).next_power_of_two();
        Self {
            slots: vec![(0, 0); INITIAL_SLOTS.min(max_slots)],
            len: 0,
            max_slots,
        }
    }

    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    // Truncation is intended: the low bits of the hash pick the home slot.
    #[allow(clippy::cast_possible_truncation)]
    fn home(&self, hash: u64) -> usize {
        (hash as usize) & self.mask()
    }

    /// Index of `hash`'s slot, or of the empty slot ending its probe run.
    fn probe(&self, hash: u64) -> usize {
        let mask = self.mask();
        let mut i = self.home(hash);
        loop {
            let h = self.slots[i].0;
            if h == hash || h == 0 {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    /// The row stored under `hash`.
    pub(super) fn get(&self, hash: u64) -> Option<i64> {
        debug_assert_ne!(hash, 0);
        let (h, row) = self.slots[self.probe(hash)];
        (h == hash).then_some(row)
    }

    /// Stores `hash -> row` for a hash not present yet; false (nothing stored) when the table
    /// is at its cap.
    pub(super) fn insert_new(&mut self, hash: u64, row: i64) -> bool {
        debug_assert_ne!(hash, 0);
        // Keep the load factor <= 3/4 so probe runs stay short.
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            if self.slots.len() >= self.max_slots {
                return false;
            }
            self.grow();
        }
        let i = self.probe(hash);
        debug_assert_eq!(self.slots[i].0, 0, "insert_new of a present hash");
        self.slots[i] = (hash, row);
        self.len += 1;
        true
    }

    fn grow(&mut self) {
        let doubled = vec![(0, 0); self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, doubled);
        for (h, row) in old {
            if h != 0 {
                let i = self.probe(h);
                self.slots[i] = (h, row);
            }
        }
    }

    /// Points `hash` at `row`; false when `hash` is absent.
    pub(super) fn set(&mut self, hash: u64, row: i64) -> bool {
        let i = self.probe(hash);
        if self.slots[i].0 != hash {
            return false;
        }
        self.slots[i].1 = row;
        true
    }

    /// Removes `hash`; false when it was absent.
    pub(super) fn remove(&mut self, hash: u64) -> bool {
        let mask = self.mask();
        let mut hole = self.probe(hash);
        if self.slots[hole].0 != hash {
            return false;
        }
        self.slots[hole] = (0, 0);
        self.len -= 1;
        // Backward-shift: move later entries of the run into the hole when their home slot
        // does not lie cyclically in (hole, j].
        let mut j = (hole + 1) & mask;
        while self.slots[j].0 != 0 {
            let home = self.home(self.slots[j].0);
            let dist_home = j.wrapping_sub(home) & mask;
            let dist_hole = j.wrapping_sub(hole) & mask;
            if dist_home >= dist_hole {
                self.slots[hole] = self.slots[j];
                self.slots[j] = (0, 0);
                hole = j;
            }
            j = (j + 1) & mask;
        }
        true
    }

    /// Number of entries.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_to_the_cap_then_refuses() {
        let mut t = HashSlots::new(4096);
        for h in 1..=3072u64 {
            assert!(t.insert_new(
                h.wrapping_mul(0x9E37_79B9_7F4A_7C15),
                i64::try_from(h).expect("h")
            ));
        }
        assert_eq!(t.slots.len(), 4096);
        assert!(!t.insert_new(7 << 40, 1));
        assert_eq!(t.len(), 3072);
        for h in 1..=3072u64 {
            assert_eq!(
                t.get(h.wrapping_mul(0x9E37_79B9_7F4A_7C15)),
                Some(i64::try_from(h).expect("h"))
            );
        }
        assert_eq!(t.get(7 << 40), None);
    }

    #[test]
    fn remove_keeps_colliding_runs_reachable() {
        // All in home slot 1 of a 4-slot table (cap 3), plus wrap-around.
        let mut t = HashSlots::new(4);
        assert!(t.insert_new(1, 10));
        assert!(t.insert_new(5, 50));
        assert!(t.insert_new(3, 30));
        assert!(!t.insert_new(9, 90));
        // Slots: [ -, 1, 5, 3 ]; removing 1 must shift 5 back, 3 stays home.
        assert!(t.remove(1));
        assert!(!t.remove(1));
        assert_eq!(t.get(5), Some(50));
        assert_eq!(t.get(3), Some(30));
        assert_eq!(t.get(1), None);
        assert!(t.set(5, 55));
        assert!(!t.set(1, 11));
        assert_eq!(t.get(5), Some(55));
        // Wrap: 7 and 11 have home 3, so 11 lands in slot 0.
        assert!(t.remove(3));
        assert!(t.insert_new(7, 70));
        assert!(t.insert_new(11, 110));
        assert!(t.remove(7));
        assert_eq!(t.get(11), Some(110));
        assert_eq!(t.get(5), Some(55));
        assert_eq!(t.len(), 2);
    }
}
