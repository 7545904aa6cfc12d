//! [`SeenKeys`]: the stand-in for a table's unique `(external_id, sync_id)` index while the
//! table is bulk-loaded without it. Its memory is bounded by fixed caps, never by the row count.
//!
//! Each external id is reduced to a 64-bit hash mapped to the row holding it, in two tiers:
//!
//! - The first keys go to an in-memory open-addressing table ([`HashSlots`]) of at most
//!   [`MEM_SLOTS`] slots (32 MiB, up to ~1.57 million keys), grown by doubling as needed, so a
//!   typical sync never touches disk.
//! - Once that table is full, new hashes go to a private scratch database on its own
//!   connection (never the c1z database, whose schema must stay exactly Go's), table
//!   `seen(h integer primary key, row integer not null)` (~24 MiB of pages per million keys).
//!   From then on the memory table takes no new keys (a key missing from memory may be on
//!   disk), and lookups check memory first, then disk.
//!
//! A hash hit is only a candidate: the caller confirms it by reading the row's `external_id`
//! back, so a collision can never merge two distinct ids. Distinct ids whose hash another id
//! already owns (about n²/2⁶⁵ of them: none in practice) go, by full key, to the scratch
//! table `seen_collided(external_id text primary key, row integer not null)`, so even crafted
//! collisions cost disk, not memory.
//!
//! The scratch database is opened only when first needed. It is SQLite's private temporary
//! database (opened with an empty file name: created in `SQLITE_TMPDIR`, `TMPDIR` or
//! `/var/tmp`, unlinked at once, only written to once its page cache overflows, gone when the
//! connection closes). It has no rollback journal and one transaction that is never
//! committed, so its pages are written only when evicted — committing it with the c1z
//! database every 50,000 rows would rewrite nearly every page of the randomly probed table
//! each time. After any error from these methods the content is unknown and the caller must
//! stop using it.
//!
//! The hash is foldhash's quality variant with a fixed seed, so a run is reproducible (it was
//! std's SipHash-1-3, which is slower per key). It only has to agree with itself inside one
//! process: everything is thrown away with the writer. A collision costs only speed: a hit is
//! confirmed by reading the row back, and colliding keys go to the scratch table in full.

use std::hash::BuildHasher;

use foldhash::quality::FixedState;

use rusqlite::{params, Connection, OptionalExtension};

use super::hash_slots::HashSlots;
use super::C1zError;

/// Cap of the in-memory tier: 2²¹ slots of 16 bytes = 32 MiB, holding up to 3/4 of that.
pub(super) const MEM_SLOTS: usize = 1 << 21;

/// Outcome of [`SeenKeys::claim`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Claim {
    /// The key is stored in this row.
    Existing(i64),
    /// The key was new; it is now recorded as living in the predicted row. Write the row, then
    /// pass this to [`SeenKeys::confirm`] (or to [`SeenKeys::release`] if writing failed).
    New(Pending),
}

/// Where a claimed key was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tier {
    /// The in-memory table, by hash.
    Memory,
    /// The scratch `seen` table, by hash.
    Disk,
    /// The scratch `seen_collided` table, by full key (its hash belongs to another key).
    Collided,
}

/// A key recorded by [`SeenKeys::claim`] whose row is not written yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Pending {
    // Nonzero (see `SeenKeys::hash`).
    hash: u64,
    row: i64,
    tier: Tier,
}

impl Pending {
    /// The row the key was recorded as living in.
    pub(super) fn row(&self) -> i64 {
        self.row
    }
}

/// External ids of one bulk-loaded table mapped to their row ids (see the module docs).
pub(super) struct SeenKeys<S = FixedState> {
    memory: HashSlots,
    // Set once a key went to the scratch `seen` table: the memory tier then takes no new keys.
    spilled: bool,
    // The scratch database, opened on first need with a `cache_kib` KiB page cache.
    db: Option<Connection>,
    cache_kib: u32,
    hasher: S,
    // The row id SQLite will give the next inserted row (max(id) + 1 while only we insert).
    next_row: i64,
    len: u64,
}

impl<S> std::fmt::Debug for SeenKeys<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeenKeys")
            .field("memory", &self.memory)
            .field("spilled", &self.spilled)
            .field("scratch_open", &self.db.is_some())
            .field("next_row", &self.next_row)
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl SeenKeys {
    /// A new, empty map; a scratch database (page cache `cache_kib` KiB) is opened only if the
    /// memory tier fills up or hashes collide. `next_row` is the row id the table's next
    /// insert will get.
    pub(super) fn open(cache_kib: u32, next_row: i64) -> Self {
        Self::open_with(cache_kib, next_row, FixedState::default(), MEM_SLOTS)
    }
}

impl<S: BuildHasher> SeenKeys<S> {
    /// [`open`](SeenKeys::open) hashing keys with `hasher` and capping the memory tier at
    /// `mem_slots` slots.
    pub(super) fn open_with(cache_kib: u32, next_row: i64, hasher: S, mem_slots: usize) -> Self {
        Self {
            memory: HashSlots::new(mem_slots),
            spilled: false,
            db: None,
            cache_kib,
            hasher,
            next_row,
            len: 0,
        }
    }

    /// The scratch database, opened on first use.
    fn scratch(&mut self) -> Result<&Connection, C1zError> {
        if self.db.is_none() {
            let db = Connection::open("")?;
            db.execute_batch(&format!(
                "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-{};
                 BEGIN;
                 create table seen (h integer primary key, row integer not null);
                 create table seen_collided (
                   external_id text primary key, row integer not null) without rowid;",
                self.cache_kib
            ))?;
            tracing::debug!(
                keys = self.len,
                "grant-id dedupe opened its scratch database"
            );
            self.db = Some(db);
        }
        self.db.as_ref().ok_or(C1zError::Closed)
    }

    /// `key`'s hash, never 0 (the memory tier's empty mark; 0 and 1 share a value, which only
    /// makes them a collision the caller's check resolves).
    fn hash(&self, key: &str) -> u64 {
        self.hasher.hash_one(key).max(1)
    }

    /// Finds `key`, or records it as living in the next row. `stored_key_is(row)` must tell
    /// whether row `row` holds exactly `key` (false when the row does not exist); it is called
    /// only on a hash hit.
    pub(super) fn claim(
        &mut self,
        key: &str,
        stored_key_is: impl FnOnce(i64) -> Result<bool, C1zError>,
    ) -> Result<Claim, C1zError> {
        let hash = self.hash(key);
        let row = self.next_row;
        if let Some(owner) = self.memory.get(hash) {
            if stored_key_is(owner)? {
                return Ok(Claim::Existing(owner));
            }
            return self.claim_collided(key, hash, row);
        }
        if !self.spilled && self.memory.insert_new(hash, row) {
            return Ok(Claim::New(Pending {
                hash,
                row,
                tier: Tier::Memory,
            }));
        }
        self.spilled = true;
        let db_hash = i64::from_ne_bytes(hash.to_ne_bytes());
        let db = self.scratch()?;
        // One statement on the common path: a new key claims its hash slot.
        let added = db
            .prepare_cached("insert into seen (h, row) values (?1, ?2) on conflict (h) do nothing")?
            .execute(params![db_hash, row])?;
        if added == 1 {
            return Ok(Claim::New(Pending {
                hash,
                row,
                tier: Tier::Disk,
            }));
        }
        let owner: i64 = db
            .prepare_cached("select row from seen where h = ?1")?
            .query_row([db_hash], |r| r.get(0))?;
        if stored_key_is(owner)? {
            return Ok(Claim::Existing(owner));
        }
        self.claim_collided(key, hash, row)
    }

    /// Finds or records `key` by full key, its hash being owned by another key.
    fn claim_collided(&mut self, key: &str, hash: u64, row: i64) -> Result<Claim, C1zError> {
        let db = self.scratch()?;
        let existing: Option<i64> = db
            .prepare_cached("select row from seen_collided where external_id = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?;
        if let Some(existing) = existing {
            return Ok(Claim::Existing(existing));
        }
        db.prepare_cached("insert into seen_collided (external_id, row) values (?1, ?2)")?
            .execute(params![key, row])?;
        tracing::debug!(
            key,
            "64-bit hash collision between two distinct external ids"
        );
        Ok(Claim::New(Pending {
            hash,
            row,
            tier: Tier::Collided,
        }))
    }

    /// Records that the row for `pending` (claimed under `key`) was written as row `row`.
    pub(super) fn confirm(
        &mut self,
        pending: Pending,
        key: &str,
        row: i64,
    ) -> Result<(), C1zError> {
        if row != pending.row {
            // SQLite picked another row id than predicted (only if someone else inserted):
            // point the entry at the real row.
            match pending.tier {
                Tier::Memory => {
                    self.memory.set(pending.hash, row);
                }
                Tier::Disk => {
                    let db_hash = i64::from_ne_bytes(pending.hash.to_ne_bytes());
                    self.scratch()?
                        .prepare_cached("update seen set row = ?1 where h = ?2")?
                        .execute(params![row, db_hash])?;
                }
                Tier::Collided => {
                    self.scratch()?
                        .prepare_cached("update seen_collided set row = ?1 where external_id = ?2")?
                        .execute(params![row, key])?;
                }
            }
        }
        self.next_row = row.saturating_add(1);
        self.len += 1;
        Ok(())
    }

    /// Forgets `pending` (claimed under `key`) because its row could not be written, so every
    /// entry keeps pointing at a row that holds its key.
    pub(super) fn release(&mut self, pending: Pending, key: &str) -> Result<(), C1zError> {
        match pending.tier {
            Tier::Memory => {
                self.memory.remove(pending.hash);
            }
            Tier::Disk => {
                let db_hash = i64::from_ne_bytes(pending.hash.to_ne_bytes());
                self.scratch()?
                    .prepare_cached("delete from seen where h = ?1")?
                    .execute([db_hash])?;
            }
            Tier::Collided => {
                self.scratch()?
                    .prepare_cached("delete from seen_collided where external_id = ?1")?
                    .execute([key])?;
            }
        }
        Ok(())
    }

    /// Number of keys stored.
    pub(super) fn len(&self) -> u64 {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use std::hash::Hasher;

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

    /// The table being deduplicated.
    struct Rows(Connection);

    impl Rows {
        fn new() -> Self {
            let conn = Connection::open_in_memory().expect("open");
            conn.execute_batch("create table rows (id integer primary key, key text not null)")
                .expect("table");
            Self(conn)
        }

        fn key_at(&self, row: i64) -> Result<Option<String>, C1zError> {
            Ok(self
                .0
                .query_row("select key from rows where id = ?1", [row], |r| r.get(0))
                .optional()?)
        }

        /// Looks `key` up and inserts a row for it when absent; returns its row id.
        fn upsert<S: BuildHasher>(&self, seen: &mut SeenKeys<S>, key: &str) -> i64 {
            let claim = seen
                .claim(key, |row| Ok(self.key_at(row)?.as_deref() == Some(key)))
                .expect("claim");
            match claim {
                Claim::Existing(row) => row,
                Claim::New(pending) => {
                    self.0
                        .execute("insert into rows (key) values (?1)", [key])
                        .expect("insert");
                    let row = self.0.last_insert_rowid();
                    seen.confirm(pending, key, row).expect("confirm");
                    row
                }
            }
        }

        fn keys(&self) -> Vec<String> {
            self.0
                .prepare("select key from rows order by id")
                .expect("prepare")
                .query_map([], |r| r.get(0))
                .expect("query")
                .collect::<Result<_, _>>()
                .expect("rows")
        }
    }

    /// Rows in a scratch table (0 while the scratch database is not open).
    fn count(seen: &SeenKeys<impl BuildHasher>, table: &str) -> i64 {
        seen.db.as_ref().map_or(0, |db| {
            db.query_row(&format!("select count(*) from {table}"), [], |r| r.get(0))
                .expect("count")
        })
    }

    #[test]
    fn finds_existing_and_adds_new_keys() {
        let rows = Rows::new();
        let mut seen = SeenKeys::open(1024, 1);
        assert_eq!(rows.upsert(&mut seen, "a"), 1);
        assert_eq!(rows.upsert(&mut seen, "b"), 2);
        assert_eq!(rows.upsert(&mut seen, "a"), 1);
        assert_eq!(rows.upsert(&mut seen, "b"), 2);
        assert_eq!(seen.len(), 2);
        assert_eq!(rows.keys(), ["a", "b"]);
        // All in memory: no scratch database at all.
        assert_eq!(seen.memory.len(), 2);
        assert!(seen.db.is_none());
    }

    #[test]
    fn hash_is_fixed_across_instances() {
        let a = SeenKeys::open(1024, 1);
        let b = SeenKeys::open(1024, 1);
        let key = "role:1:member:user:7";
        assert_eq!(a.hasher.hash_one(key), b.hasher.hash_one(key));
        assert_ne!(
            a.hasher.hash_one(key),
            a.hasher.hash_one("role:1:member:user:8")
        );
    }

    #[test]
    fn colliding_hashes_never_merge_distinct_keys() {
        let rows = Rows::new();
        let mut seen = SeenKeys::open_with(1024, 1, Constant, MEM_SLOTS);
        for (i, key) in ["x", "y", "z"].iter().enumerate() {
            assert_eq!(
                rows.upsert(&mut seen, key),
                i64::try_from(i + 1).expect("i")
            );
        }
        assert_eq!(rows.upsert(&mut seen, "z"), 3);
        assert_eq!(rows.upsert(&mut seen, "y"), 2);
        assert_eq!(rows.upsert(&mut seen, "x"), 1);
        assert_eq!(seen.len(), 3);
        assert_eq!(rows.keys(), ["x", "y", "z"]);
        assert_eq!(seen.memory.len(), 1);
        assert_eq!(count(&seen, "seen"), 0);
        assert_eq!(count(&seen, "seen_collided"), 2);
    }

    #[test]
    fn wrong_prediction_is_corrected_and_release_forgets() {
        let rows = Rows::new();
        // Row 5 is predicted, but the table is empty, so SQLite uses row 1.
        let mut seen = SeenKeys::open_with(1024, 5, Constant, MEM_SLOTS);
        assert_eq!(rows.upsert(&mut seen, "a"), 1);
        assert_eq!(rows.upsert(&mut seen, "a"), 1);
        // A collided key whose row could not be written is forgotten, then claimed again.
        let claim = seen
            .claim("b", |row| Ok(rows.key_at(row)?.as_deref() == Some("b")))
            .expect("claim");
        let Claim::New(pending) = claim else {
            panic!("b is new: {claim:?}");
        };
        assert_eq!(pending.tier, Tier::Collided);
        assert_eq!(pending.row, 2);
        seen.release(pending, "b").expect("release");
        assert_eq!(count(&seen, "seen_collided"), 0);
        assert_eq!(rows.upsert(&mut seen, "b"), 2);
        assert_eq!(rows.upsert(&mut seen, "b"), 2);
        assert_eq!(rows.keys(), ["a", "b"]);
        // And a plain (non-collided) release.
        let mut seen = SeenKeys::open(1024, 3);
        let Claim::New(pending) = seen.claim("c", |_| Ok(false)).expect("claim") else {
            panic!("c is new");
        };
        assert_eq!(pending.tier, Tier::Memory);
        seen.release(pending, "c").expect("release");
        assert_eq!(seen.memory.len(), 0);
    }

    /// Keys `k0..k{n}`.
    fn keys(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("k{i}")).collect()
    }

    #[test]
    fn keys_past_the_memory_cap_spill_to_disk() {
        let rows = Rows::new();
        // 4 slots: 3 keys in memory, the rest on disk.
        let mut seen = SeenKeys::open_with(1024, 1, FixedState::default(), 4);
        let all = keys(10);
        for (i, key) in all.iter().enumerate() {
            assert_eq!(
                rows.upsert(&mut seen, key),
                i64::try_from(i + 1).expect("i")
            );
        }
        assert_eq!(seen.memory.len(), 3);
        assert!(seen.spilled);
        assert_eq!(count(&seen, "seen"), 7);
        // Every key, from either tier, maps back to its own row.
        for (i, key) in all.iter().enumerate().rev() {
            assert_eq!(
                rows.upsert(&mut seen, key),
                i64::try_from(i + 1).expect("i")
            );
        }
        assert_eq!(seen.len(), 10);
        assert_eq!(rows.keys(), all);
        assert_eq!(count(&seen, "seen"), 7);
        assert_eq!(count(&seen, "seen_collided"), 0);
    }

    #[test]
    fn after_spilling_a_freed_memory_slot_is_not_reused() {
        let rows = Rows::new();
        let mut seen = SeenKeys::open_with(1024, 1, FixedState::default(), 4);
        for key in keys(5) {
            rows.upsert(&mut seen, &key);
        }
        // A memory key is released after the spill (its row failed)...
        let before = seen.memory.len();
        let Claim::Existing(_) = seen
            .claim("k0", |row| Ok(rows.key_at(row)?.as_deref() == Some("k0")))
            .expect("claim")
        else {
            panic!("k0 exists");
        };
        let pending = Pending {
            hash: seen.hash("k0"),
            row: 1,
            tier: Tier::Memory,
        };
        seen.release(pending, "k0").expect("release");
        assert_eq!(seen.memory.len(), before - 1);
        // ...and a disk key is still found on disk, not re-added to the freed memory slot.
        assert_eq!(rows.upsert(&mut seen, "k4"), 5);
        assert_eq!(seen.memory.len(), before - 1);
        // New keys keep going to disk.
        assert_eq!(rows.upsert(&mut seen, "new"), 6);
        assert_eq!(seen.memory.len(), before - 1);
        assert_eq!(count(&seen, "seen"), 3);
    }

    #[test]
    fn disk_tier_corrects_predictions_and_releases() {
        let rows = Rows::new();
        // Cap 4 slots = 3 memory keys; predicting row 9 on an empty table is wrong every time.
        let mut seen = SeenKeys::open_with(1024, 9, FixedState::default(), 4);
        for key in keys(3) {
            rows.upsert(&mut seen, &key);
        }
        assert_eq!(rows.upsert(&mut seen, "k3"), 4);
        assert_eq!(rows.upsert(&mut seen, "k3"), 4);
        let Claim::New(pending) = seen.claim("k4", |_| Ok(false)).expect("claim") else {
            panic!("k4 is new");
        };
        assert_eq!(pending.tier, Tier::Disk);
        seen.release(pending, "k4").expect("release");
        assert_eq!(count(&seen, "seen"), 1);
        assert_eq!(rows.upsert(&mut seen, "k4"), 5);
        assert_eq!(rows.keys(), keys(5));
    }

    #[test]
    fn collisions_after_the_spill_stay_distinct() {
        let rows = Rows::new();
        // Every hash is equal: one key in memory, every other key by full key on disk.
        let mut seen = SeenKeys::open_with(1024, 1, Constant, 4);
        let all = keys(6);
        for _ in 0..2 {
            for (i, key) in all.iter().enumerate() {
                assert_eq!(
                    rows.upsert(&mut seen, key),
                    i64::try_from(i + 1).expect("i")
                );
            }
        }
        assert_eq!(seen.memory.len(), 1);
        assert_eq!(count(&seen, "seen_collided"), 5);
        assert_eq!(rows.keys(), all);
    }

    #[test]
    fn lookup_errors_propagate() {
        let rows = Rows::new();
        let mut seen = SeenKeys::open(1024, 1);
        assert_eq!(rows.upsert(&mut seen, "k"), 1);
        let err = seen
            .claim("k", |_| Err(C1zError::Closed))
            .expect_err("stored_key_is fails");
        assert!(matches!(err, C1zError::Closed), "{err:?}");
    }
}
