//! [`SeenKeys`]: the stand-in for a table's unique `(external_id, sync_id)` index while the
//! table is bulk-loaded without it, kept on disk so memory does not grow with the row count.
//!
//! It lives in a private scratch database on its own connection (never in the c1z database,
//! whose schema must stay exactly Go's) with two tables:
//!
//! - `seen(h integer primary key, row integer not null)` maps a 64-bit hash of each external
//!   id to the row holding it (about 24 MiB of pages per million keys). A hash hit is only a
//!   candidate: the caller confirms it by reading the row's `external_id` back, so a collision
//!   can never merge two distinct ids.
//! - `seen_collided(external_id text primary key, row integer not null)` holds, by full key,
//!   the distinct ids whose hash another id already owns (about n²/2⁶⁵ of them: none in
//!   practice), so even crafted collisions cost disk, not memory.
//!
//! Memory is bounded by the scratch connection's page cache. The scratch database is SQLite's
//! private temporary database (opened with an empty file name: created in `SQLITE_TMPDIR`,
//! `TMPDIR` or `/var/tmp`, unlinked at once, only written to once the cache overflows, gone
//! when the connection closes). It has no rollback journal and one transaction that is never
//! committed, so its pages are written only when evicted — committing it with the c1z
//! database every 50,000 rows would rewrite nearly every page of the randomly probed table
//! each time. After any error from these methods its content is unknown and the caller must
//! stop using it.
//!
//! The hash is `std`'s `DefaultHasher::new()` (currently SipHash-1-3) whose keys are fixed, so
//! a run is reproducible. It only has to agree with itself inside one process: the tables are thrown
//! away with the writer.

use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};

use rusqlite::{params, Connection, OptionalExtension};

use super::C1zError;

/// Outcome of [`SeenKeys::claim`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Claim {
    /// The key is stored in this row.
    Existing(i64),
    /// The key was new; it is now recorded as living in the predicted row. Write the row, then
    /// pass this to [`SeenKeys::confirm`] (or to [`SeenKeys::release`] if writing failed).
    New(Pending),
}

/// A key recorded by [`SeenKeys::claim`] whose row is not written yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Pending {
    hash: i64,
    row: i64,
    // The key went to `seen_collided` (its hash belongs to another key).
    collided: bool,
}

/// External ids of one bulk-loaded table mapped to their row ids (see the module docs).
pub(super) struct SeenKeys<S = BuildHasherDefault<DefaultHasher>> {
    db: Connection,
    hasher: S,
    // The row id SQLite will give the next inserted row (max(id) + 1 while only we insert).
    next_row: i64,
    len: u64,
}

impl<S> std::fmt::Debug for SeenKeys<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeenKeys")
            .field("next_row", &self.next_row)
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl SeenKeys {
    /// Opens a new scratch database with a page cache of `cache_kib` KiB. `next_row` is the
    /// row id the table's next insert will get.
    pub(super) fn open(cache_kib: u32, next_row: i64) -> Result<Self, C1zError> {
        Self::open_with(cache_kib, next_row, BuildHasherDefault::default())
    }
}

impl<S: BuildHasher> SeenKeys<S> {
    /// [`open`](SeenKeys::open) hashing keys with `hasher`.
    pub(super) fn open_with(cache_kib: u32, next_row: i64, hasher: S) -> Result<Self, C1zError> {
        let db = Connection::open("")?;
        db.execute_batch(&format!(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-{cache_kib};
             BEGIN;
             create table seen (h integer primary key, row integer not null);
             create table seen_collided (
               external_id text primary key, row integer not null) without rowid;"
        ))?;
        Ok(Self {
            db,
            hasher,
            next_row,
            len: 0,
        })
    }

    /// Finds `key`, or records it as living in the next row. `stored_key_is(row)` must tell
    /// whether row `row` holds exactly `key` (false when the row does not exist); it is called
    /// only on a hash hit.
    pub(super) fn claim(
        &mut self,
        key: &str,
        stored_key_is: impl FnOnce(i64) -> Result<bool, C1zError>,
    ) -> Result<Claim, C1zError> {
        let hash = i64::from_ne_bytes(self.hasher.hash_one(key).to_ne_bytes());
        let row = self.next_row;
        // One statement on the common path: a new key claims its hash slot.
        let added = self
            .db
            .prepare_cached("insert into seen (h, row) values (?1, ?2) on conflict (h) do nothing")?
            .execute(params![hash, row])?;
        if added == 1 {
            return Ok(Claim::New(Pending {
                hash,
                row,
                collided: false,
            }));
        }
        let owner: i64 = self
            .db
            .prepare_cached("select row from seen where h = ?1")?
            .query_row([hash], |r| r.get(0))?;
        if stored_key_is(owner)? {
            return Ok(Claim::Existing(owner));
        }
        let existing: Option<i64> = self
            .db
            .prepare_cached("select row from seen_collided where external_id = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?;
        if let Some(existing) = existing {
            return Ok(Claim::Existing(existing));
        }
        self.db
            .prepare_cached("insert into seen_collided (external_id, row) values (?1, ?2)")?
            .execute(params![key, row])?;
        tracing::debug!(
            key,
            "64-bit hash collision between two distinct external ids"
        );
        Ok(Claim::New(Pending {
            hash,
            row,
            collided: true,
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
            if pending.collided {
                self.db
                    .prepare_cached("update seen_collided set row = ?1 where external_id = ?2")?
                    .execute(params![row, key])?;
            } else {
                self.db
                    .prepare_cached("update seen set row = ?1 where h = ?2")?
                    .execute(params![row, pending.hash])?;
            }
        }
        self.next_row = row.saturating_add(1);
        self.len += 1;
        Ok(())
    }

    /// Forgets `pending` (claimed under `key`) because its row could not be written, so every
    /// entry keeps pointing at a row that holds its key.
    pub(super) fn release(&mut self, pending: Pending, key: &str) -> Result<(), C1zError> {
        if pending.collided {
            self.db
                .prepare_cached("delete from seen_collided where external_id = ?1")?
                .execute([key])?;
        } else {
            self.db
                .prepare_cached("delete from seen where h = ?1")?
                .execute([pending.hash])?;
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

    fn count(seen: &SeenKeys<impl BuildHasher>, table: &str) -> i64 {
        seen.db
            .query_row(&format!("select count(*) from {table}"), [], |r| r.get(0))
            .expect("count")
    }

    #[test]
    fn finds_existing_and_adds_new_keys() {
        let rows = Rows::new();
        let mut seen = SeenKeys::open(1024, 1).expect("open");
        assert_eq!(rows.upsert(&mut seen, "a"), 1);
        assert_eq!(rows.upsert(&mut seen, "b"), 2);
        assert_eq!(rows.upsert(&mut seen, "a"), 1);
        assert_eq!(rows.upsert(&mut seen, "b"), 2);
        assert_eq!(seen.len(), 2);
        assert_eq!(rows.keys(), ["a", "b"]);
        assert_eq!(count(&seen, "seen"), 2);
        assert_eq!(count(&seen, "seen_collided"), 0);
    }

    #[test]
    fn hash_is_fixed_across_instances() {
        let a = SeenKeys::open(1024, 1).expect("open");
        let b = SeenKeys::open(1024, 1).expect("open");
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
        let mut seen = SeenKeys::open_with(1024, 1, Constant).expect("open");
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
        assert_eq!(count(&seen, "seen"), 1);
        assert_eq!(count(&seen, "seen_collided"), 2);
    }

    #[test]
    fn wrong_prediction_is_corrected_and_release_forgets() {
        let rows = Rows::new();
        // Row 5 is predicted, but the table is empty, so SQLite uses row 1.
        let mut seen = SeenKeys::open_with(1024, 5, Constant).expect("open");
        assert_eq!(rows.upsert(&mut seen, "a"), 1);
        assert_eq!(rows.upsert(&mut seen, "a"), 1);
        // A collided key whose row could not be written is forgotten, then claimed again.
        let claim = seen
            .claim("b", |row| Ok(rows.key_at(row)?.as_deref() == Some("b")))
            .expect("claim");
        let Claim::New(pending) = claim else {
            panic!("b is new: {claim:?}");
        };
        assert!(pending.collided);
        assert_eq!(pending.row, 2);
        seen.release(pending, "b").expect("release");
        assert_eq!(count(&seen, "seen_collided"), 0);
        assert_eq!(rows.upsert(&mut seen, "b"), 2);
        assert_eq!(rows.upsert(&mut seen, "b"), 2);
        assert_eq!(rows.keys(), ["a", "b"]);
        // And a plain (non-collided) release.
        let mut seen = SeenKeys::open(1024, 3).expect("open");
        let Claim::New(pending) = seen.claim("c", |_| Ok(false)).expect("claim") else {
            panic!("c is new");
        };
        seen.release(pending, "c").expect("release");
        assert_eq!(count(&seen, "seen"), 0);
    }

    #[test]
    fn lookup_errors_propagate() {
        let rows = Rows::new();
        let mut seen = SeenKeys::open(1024, 1).expect("open");
        assert_eq!(rows.upsert(&mut seen, "k"), 1);
        let err = seen
            .claim("k", |_| Err(C1zError::Closed))
            .expect_err("stored_key_is fails");
        assert!(matches!(err, C1zError::Closed), "{err:?}");
    }
}
