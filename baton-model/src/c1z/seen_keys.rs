//! [`SeenKeys`]: the stand-in for a table's unique `(external_id, sync_id)` index while the
//! table is bulk-loaded without it, kept on disk so memory does not grow with the row count.
//!
//! It lives in a scratch database attached to the writer's connection (never in the c1z
//! database, whose schema must stay exactly Go's) and holds two tables:
//!
//! - `seen(h integer primary key, row integer not null)` maps a 64-bit hash of each external
//!   id to the row holding it (about 24 MiB on disk per million keys). A hash hit is only a
//!   candidate: the caller confirms it by reading the row's `external_id` back, so a collision
//!   can never merge two distinct ids.
//! - `seen_collided(external_id text primary key, row integer not null)` holds, by full key,
//!   the distinct ids whose hash another id already owns (about n²/2⁶⁵ of them: none in
//!   practice), so even crafted collisions cost disk, not memory.
//!
//! Memory is bounded by the scratch database's page cache. The scratch database has no
//! rollback journal (nothing in it is worth a journal's memory): after any error from these
//! methods its content is undefined and the caller must stop using it.
//!
//! The hash is SipHash-1-3 with fixed keys (`std`'s `DefaultHasher::new()`), so a run is
//! reproducible. It only has to agree with itself inside one process: the tables are thrown
//! away when the writer finishes.

use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};

use super::C1zError;

/// Schema name the scratch database is attached under.
const SCHEMA: &str = "seen_scratch";

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
#[derive(Debug)]
pub(super) struct SeenKeys<S = BuildHasherDefault<DefaultHasher>> {
    hasher: S,
    // The row id SQLite will give the next inserted row (max(id) + 1 while only we insert).
    next_row: i64,
    len: u64,
}

impl SeenKeys {
    /// Attaches a new scratch database at `path` with a page cache of `cache_kib` KiB.
    /// `next_row` is the row id the table's next insert will get.
    pub(super) fn attach(
        conn: &Connection,
        path: &Path,
        cache_kib: u32,
        next_row: i64,
    ) -> Result<Self, C1zError> {
        Self::attach_with(
            conn,
            path,
            cache_kib,
            next_row,
            BuildHasherDefault::default(),
        )
    }
}

impl<S: BuildHasher> SeenKeys<S> {
    /// [`attach`](SeenKeys::attach) hashing keys with `hasher`.
    pub(super) fn attach_with(
        conn: &Connection,
        path: &Path,
        cache_kib: u32,
        next_row: i64,
        hasher: S,
    ) -> Result<Self, C1zError> {
        let path = path.to_str().ok_or_else(|| C1zError::Io {
            op: "attach scratch database",
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "path is not UTF-8"),
        })?;
        conn.execute("attach database ?1 as seen_scratch", [path])?;
        // No journal and no syncs: the file is thrown away with the writer. `synchronous=OFF`
        // also keeps commits spanning both databases on SQLite's single-file path (no
        // super-journal).
        conn.execute_batch(&format!(
            "PRAGMA {SCHEMA}.journal_mode=OFF; PRAGMA {SCHEMA}.synchronous=OFF;
             PRAGMA {SCHEMA}.locking_mode=EXCLUSIVE; PRAGMA {SCHEMA}.cache_size=-{cache_kib};
             create table {SCHEMA}.seen (h integer primary key, row integer not null);
             create table {SCHEMA}.seen_collided (
               external_id text primary key, row integer not null) without rowid;"
        ))?;
        Ok(Self {
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
        conn: &Connection,
        key: &str,
        stored_key_is: impl FnOnce(i64) -> Result<bool, C1zError>,
    ) -> Result<Claim, C1zError> {
        let hash = i64::from_ne_bytes(self.hasher.hash_one(key).to_ne_bytes());
        let row = self.next_row;
        // One statement on the common path: a new key claims its hash slot.
        let added = conn
            .prepare_cached(
                "insert into seen_scratch.seen (h, row) values (?1, ?2) on conflict (h) do nothing",
            )?
            .execute(params![hash, row])?;
        if added == 1 {
            return Ok(Claim::New(Pending {
                hash,
                row,
                collided: false,
            }));
        }
        let owner: i64 = conn
            .prepare_cached("select row from seen_scratch.seen where h = ?1")?
            .query_row([hash], |r| r.get(0))?;
        if stored_key_is(owner)? {
            return Ok(Claim::Existing(owner));
        }
        let existing: Option<i64> = conn
            .prepare_cached("select row from seen_scratch.seen_collided where external_id = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?;
        if let Some(existing) = existing {
            return Ok(Claim::Existing(existing));
        }
        conn.prepare_cached(
            "insert into seen_scratch.seen_collided (external_id, row) values (?1, ?2)",
        )?
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
        conn: &Connection,
        pending: Pending,
        key: &str,
        row: i64,
    ) -> Result<(), C1zError> {
        if row != pending.row {
            // SQLite picked another row id than predicted (only if someone else inserted):
            // point the entry at the real row.
            if pending.collided {
                conn.prepare_cached(
                    "update seen_scratch.seen_collided set row = ?1 where external_id = ?2",
                )?
                .execute(params![row, key])?;
            } else {
                conn.prepare_cached("update seen_scratch.seen set row = ?1 where h = ?2")?
                    .execute(params![row, pending.hash])?;
            }
        }
        self.next_row = row.saturating_add(1);
        self.len += 1;
        Ok(())
    }

    /// Forgets `pending` (claimed under `key`) because its row could not be written, so every
    /// entry keeps pointing at a row that holds its key.
    pub(super) fn release(
        &mut self,
        conn: &Connection,
        pending: Pending,
        key: &str,
    ) -> Result<(), C1zError> {
        if pending.collided {
            conn.prepare_cached("delete from seen_scratch.seen_collided where external_id = ?1")?
                .execute([key])?;
        } else {
            conn.prepare_cached("delete from seen_scratch.seen where h = ?1")?
                .execute([pending.hash])?;
        }
        Ok(())
    }

    /// Number of keys stored.
    pub(super) fn len(&self) -> u64 {
        self.len
    }

    /// Detaches the scratch database (no transaction may be open) and deletes its file.
    pub(super) fn detach(self, conn: &Connection, path: &Path) -> Result<(), C1zError> {
        // Cached statements name the scratch tables; drop them with it.
        conn.flush_prepared_statement_cache();
        conn.execute_batch(&format!("detach database {SCHEMA}"))?;
        if let Err(error) = std::fs::remove_file(path) {
            // The temp directory removes it later anyway; this only frees the disk earlier.
            tracing::debug!(path = %path.display(), %error, "cannot delete the scratch database");
        }
        Ok(())
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

    struct Fixture {
        dir: tempfile::TempDir,
        conn: Connection,
    }

    impl Fixture {
        fn new() -> Self {
            let dir = tempfile::tempdir().expect("tempdir");
            let conn = Connection::open(dir.path().join("main.db")).expect("open");
            conn.execute_batch("create table rows (id integer primary key, key text not null)")
                .expect("table");
            Self { dir, conn }
        }

        fn scratch(&self) -> std::path::PathBuf {
            self.dir.path().join("seen.db")
        }

        fn key_at(&self, row: i64) -> Result<Option<String>, C1zError> {
            Ok(self
                .conn
                .query_row("select key from rows where id = ?1", [row], |r| r.get(0))
                .optional()?)
        }

        /// Looks `key` up and inserts a row for it when absent; returns its row id.
        fn upsert<S: BuildHasher>(&self, seen: &mut SeenKeys<S>, key: &str) -> i64 {
            let claim = seen
                .claim(&self.conn, key, |row| {
                    Ok(self.key_at(row)?.as_deref() == Some(key))
                })
                .expect("claim");
            match claim {
                Claim::Existing(row) => row,
                Claim::New(pending) => {
                    self.conn
                        .execute("insert into rows (key) values (?1)", [key])
                        .expect("insert");
                    let row = self.conn.last_insert_rowid();
                    seen.confirm(&self.conn, pending, key, row)
                        .expect("confirm");
                    row
                }
            }
        }

        fn rows(&self) -> Vec<String> {
            self.conn
                .prepare("select key from rows order by id")
                .expect("prepare")
                .query_map([], |r| r.get(0))
                .expect("query")
                .collect::<Result<_, _>>()
                .expect("rows")
        }
    }

    #[test]
    fn finds_existing_and_adds_new_keys() {
        let f = Fixture::new();
        let mut seen = SeenKeys::attach(&f.conn, &f.scratch(), 1024, 1).expect("attach");
        assert_eq!(f.upsert(&mut seen, "a"), 1);
        assert_eq!(f.upsert(&mut seen, "b"), 2);
        assert_eq!(f.upsert(&mut seen, "a"), 1);
        assert_eq!(f.upsert(&mut seen, "b"), 2);
        assert_eq!(seen.len(), 2);
        assert_eq!(f.rows(), ["a", "b"]);
    }

    #[test]
    fn colliding_hashes_never_merge_distinct_keys() {
        let f = Fixture::new();
        let mut seen =
            SeenKeys::attach_with(&f.conn, &f.scratch(), 1024, 1, Constant).expect("attach");
        for (i, key) in ["x", "y", "z"].iter().enumerate() {
            assert_eq!(f.upsert(&mut seen, key), i64::try_from(i + 1).expect("i"));
        }
        assert_eq!(f.upsert(&mut seen, "z"), 3);
        assert_eq!(f.upsert(&mut seen, "y"), 2);
        assert_eq!(f.upsert(&mut seen, "x"), 1);
        assert_eq!(seen.len(), 3);
        assert_eq!(f.rows(), ["x", "y", "z"]);
        let collided: i64 = f
            .conn
            .query_row("select count(*) from seen_scratch.seen_collided", [], |r| {
                r.get(0)
            })
            .expect("count");
        assert_eq!(collided, 2);
    }

    #[test]
    fn wrong_prediction_is_corrected_and_release_forgets() {
        let f = Fixture::new();
        // Row 5 is predicted, but the table is empty, so SQLite uses row 1.
        let mut seen =
            SeenKeys::attach_with(&f.conn, &f.scratch(), 1024, 5, Constant).expect("attach");
        assert_eq!(f.upsert(&mut seen, "a"), 1);
        assert_eq!(f.upsert(&mut seen, "a"), 1);
        // A collided key whose row could not be written is forgotten, then claimed again.
        let claim = seen
            .claim(&f.conn, "b", |row| {
                Ok(f.key_at(row)?.as_deref() == Some("b"))
            })
            .expect("claim");
        let Claim::New(pending) = claim else {
            panic!("b is new: {claim:?}");
        };
        assert!(pending.collided);
        assert_eq!(pending.row, 2);
        seen.release(&f.conn, pending, "b").expect("release");
        assert_eq!(f.upsert(&mut seen, "b"), 2);
        assert_eq!(f.upsert(&mut seen, "b"), 2);
        assert_eq!(f.rows(), ["a", "b"]);
    }

    #[test]
    fn lookup_errors_propagate_and_detach_removes_the_file() {
        let f = Fixture::new();
        let mut seen = SeenKeys::attach(&f.conn, &f.scratch(), 1024, 1).expect("attach");
        assert_eq!(f.upsert(&mut seen, "k"), 1);
        let err = seen
            .claim(&f.conn, "k", |_| Err(C1zError::Closed))
            .expect_err("stored_key_is fails");
        assert!(matches!(err, C1zError::Closed), "{err:?}");
        assert!(f.scratch().exists());
        seen.detach(&f.conn, &f.scratch()).expect("detach");
        assert!(!f.scratch().exists());
        let schemas: Vec<String> = f
            .conn
            .prepare("select name from pragma_database_list order by seq")
            .expect("prepare")
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert_eq!(schemas, ["main"]);
    }
}
