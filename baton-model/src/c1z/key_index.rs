//! [`KeyIndex`]: the in-memory stand-in for a unique `(external_id, sync_id)` index while a
//! table is bulk-loaded without it.
//!
//! It maps a 64-bit hash of each external id to the row id holding it (17 bytes per hash-table
//! slot: ~34 MiB at a million grants, briefly ~51 MiB while the table doubles). A hash hit is only a candidate: the caller
//! confirms it by reading the row's `external_id` back, so a collision can never merge two
//! distinct ids. Distinct ids whose hashes collide are kept by full key in a small side map.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};

/// Where a key is, or where it would go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Slot {
    /// The key is stored in this row.
    Existing(i64),
    /// The key is new; pass this to [`KeyIndex::insert`] after writing its row.
    Vacant(Vacant),
}

/// A key known to be absent (from [`KeyIndex::lookup`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Vacant {
    hash: u64,
    // Another key already owns this hash, so the new one goes to the side map.
    collided: bool,
}

/// External ids of one table mapped to their row ids, by hash (see the module docs).
#[derive(Debug)]
pub(super) struct KeyIndex<S = RandomState> {
    hasher: S,
    by_hash: HashMap<u64, i64, BuildHasherDefault<PassThrough>>,
    collided: HashMap<String, i64>,
}

impl KeyIndex {
    /// An empty index with a randomly keyed SipHash.
    pub(super) fn new() -> Self {
        Self::with_hasher(RandomState::new())
    }
}

impl<S: BuildHasher> KeyIndex<S> {
    /// An empty index hashing keys with `hasher`.
    pub(super) fn with_hasher(hasher: S) -> Self {
        Self {
            hasher,
            by_hash: HashMap::default(),
            collided: HashMap::new(),
        }
    }

    /// Finds `key`. `stored_key_is(row)` must tell whether row `row` holds exactly `key`; it is
    /// called only on a hash hit.
    pub(super) fn lookup<E>(
        &self,
        key: &str,
        stored_key_is: impl FnOnce(i64) -> Result<bool, E>,
    ) -> Result<Slot, E> {
        let hash = self.hasher.hash_one(key);
        let Some(&row) = self.by_hash.get(&hash) else {
            return Ok(Slot::Vacant(Vacant {
                hash,
                collided: false,
            }));
        };
        if stored_key_is(row)? {
            return Ok(Slot::Existing(row));
        }
        Ok(match self.collided.get(key) {
            Some(&row) => Slot::Existing(row),
            None => Slot::Vacant(Vacant {
                hash,
                collided: true,
            }),
        })
    }

    /// Records that `key` (looked up as `vacant`) now lives in row `row`.
    pub(super) fn insert(&mut self, vacant: Vacant, key: &str, row: i64) {
        if vacant.collided {
            self.collided.insert(key.to_owned(), row);
        } else {
            self.by_hash.insert(vacant.hash, row);
        }
    }

    /// Number of keys stored.
    pub(super) fn len(&self) -> usize {
        self.by_hash.len() + self.collided.len()
    }
}

/// The map keys are already SipHash outputs; hashing them again would only cost time.
#[derive(Debug, Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys are hashed; fold any other input so the hasher stays total.
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key hashes to 0, so every key after the first is a collision.
    struct Constant;

    struct Zero;

    impl Hasher for Zero {
        fn finish(&self) -> u64 {
            0
        }
        fn write(&mut self, _: &[u8]) {}
    }

    impl BuildHasher for Constant {
        type Hasher = Zero;
        fn build_hasher(&self) -> Zero {
            Zero
        }
    }

    /// Looks `key` up against `rows` (row id = position + 1) and inserts it when absent.
    fn upsert<S: BuildHasher>(idx: &mut KeyIndex<S>, rows: &mut Vec<String>, key: &str) -> i64 {
        let slot = idx
            .lookup(key, |row| {
                Ok::<_, ()>(rows[usize::try_from(row - 1).expect("row")] == key)
            })
            .expect("lookup");
        match slot {
            Slot::Existing(row) => row,
            Slot::Vacant(v) => {
                rows.push(key.to_owned());
                let row = i64::try_from(rows.len()).expect("len");
                idx.insert(v, key, row);
                row
            }
        }
    }

    #[test]
    fn finds_existing_and_adds_new_keys() {
        let mut idx = KeyIndex::new();
        let mut rows = Vec::new();
        assert_eq!(upsert(&mut idx, &mut rows, "a"), 1);
        assert_eq!(upsert(&mut idx, &mut rows, "b"), 2);
        assert_eq!(upsert(&mut idx, &mut rows, "a"), 1);
        assert_eq!(upsert(&mut idx, &mut rows, "b"), 2);
        assert_eq!(idx.len(), 2);
        assert_eq!(rows, ["a", "b"]);
    }

    #[test]
    fn colliding_hashes_never_merge_distinct_keys() {
        let mut idx = KeyIndex::with_hasher(Constant);
        let mut rows = Vec::new();
        for (i, key) in ["x", "y", "z"].iter().enumerate() {
            assert_eq!(
                upsert(&mut idx, &mut rows, key),
                i64::try_from(i + 1).expect("i")
            );
        }
        assert_eq!(upsert(&mut idx, &mut rows, "z"), 3);
        assert_eq!(upsert(&mut idx, &mut rows, "y"), 2);
        assert_eq!(upsert(&mut idx, &mut rows, "x"), 1);
        assert_eq!(idx.len(), 3);
        assert_eq!(idx.collided.len(), 2);
    }

    #[test]
    fn lookup_errors_propagate() {
        let mut idx = KeyIndex::new();
        let Slot::Vacant(v) = idx.lookup("k", |_| Err("unused")).expect("no hit") else {
            panic!("empty index has no keys");
        };
        idx.insert(v, "k", 7);
        assert_eq!(idx.lookup("k", |_| Err("db down")), Err("db down"));
    }
}
