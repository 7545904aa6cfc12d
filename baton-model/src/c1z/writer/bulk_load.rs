//! The grants bulk load: until the first grant query or `finish`, grants are appended without
//! the grants indexes and deduplicated by [`SeenKeys`]; then the indexes are built by one sort
//! each, and upserts go through SQLite's unique index (docs/c1z.md#grant-dedupe).

use std::cell::RefCell;
use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};

use super::grant_spool::SpoolState;
use super::grants_indexes::{self, PendingIndexes};
use super::{C1zError, C1zWriter, Upsert, WriterOptions};
use crate::c1z::schema;
use crate::c1z::seen_keys::{Claim, SeenKeys};

/// Page cache (KiB) while grants are bulk-loaded and their indexes built. Appending rows needs
/// few cached pages, and SQLite's sorter sizes its in-memory runs after the cache size.
pub(super) const BULK_CACHE_KIB: u32 = 16 * 1024;

/// Page cache (KiB) of the scratch database deduplicating grant ids during the bulk load, used
/// only past the in-memory tier's cap (~1.57 million grants, 32 MiB; see `seen_keys`). Its
/// `seen` table takes ~24 MiB per million grants and is probed at random; beyond the cache,
/// reads go to the OS cache and memory stays flat.
pub(super) const SEEN_CACHE_KIB: u32 = 32 * 1024;

/// Whether the grants indexes exist yet.
#[derive(Debug)]
pub(super) enum GrantsSchema {
    /// Bulk load: the schema ends at the `v1_grants` table and grant ids are deduplicated by
    /// [`SeenKeys`] (created at the first grant).
    Deferred(Option<SeenKeys>),
    /// The full schema exists; SQLite's unique index deduplicates.
    Complete,
    /// Completing the schema failed; the database is not usable.
    Failed,
}

impl C1zWriter {
    /// Creates the deferred part of the schema (grants indexes, then the tables Go creates
    /// after them), in Go's order. Runs once, before the first grant query or at `finish`.
    pub(super) fn complete_schema(&self) -> Result<(), C1zError> {
        if matches!(*self.grants_schema.borrow(), GrantsSchema::Deferred(_)) {
            // The indexes are built from the table: every row must be in it.
            self.spool.borrow_mut().drain(self.conn()?)?;
        }
        let mut schema = self.grants_schema.borrow_mut();
        let seen = match &mut *schema {
            GrantsSchema::Deferred(seen) => seen.take(),
            GrantsSchema::Complete => return Ok(()),
            GrantsSchema::Failed => return Err(C1zError::Closed),
        };
        tracing::debug!(
            grants = seen.as_ref().map_or(0, SeenKeys::len),
            "building the grants indexes"
        );
        // Should building fail, the writer stays unusable rather than silently losing
        // deduplication.
        *schema = GrantsSchema::Failed;
        let conn = self.conn()?;
        // Closing the scratch database frees its cache (and file) before the index sorts need
        // memory.
        drop(seen);
        // SQLite's sorter may hold `cache_size` bytes per thread on top of the page cache, so
        // both stay small while the indexes are built (committing first lets the cache drop
        // its pages), keeping peak RSS within budget.
        let build_kib = self.options.cache_kib.min(BULK_CACHE_KIB);
        conn.execute_batch(&format!("COMMIT; PRAGMA cache_size=-{build_kib}; BEGIN"))?;
        let started = std::time::Instant::now();
        schema::run(conn, schema::split_at_grants_table().1)?;
        tracing::debug!(
            elapsed_ms = started.elapsed().as_millis(),
            "grants indexes built"
        );
        conn.execute_batch(&format!(
            "COMMIT; PRAGMA cache_size=-{}; BEGIN",
            self.options.cache_kib
        ))?;
        *schema = GrantsSchema::Complete;
        Ok(())
    }
}

impl C1zWriter {
    /// Completes the schema for `finish`: when the grants indexes do not exist yet, they are
    /// created empty and returned, to be written as pages once the database is closed
    /// (`grants_indexes`); when that path cannot be taken, SQLite builds them as in
    /// [`C1zWriter::complete_schema`].
    pub(super) fn complete_schema_at_finish(&self) -> Result<Option<PendingIndexes>, C1zError> {
        {
            let mut schema = self.grants_schema.borrow_mut();
            let GrantsSchema::Deferred(seen) = &mut *schema else {
                drop(schema);
                return self.complete_schema().map(|()| None);
            };
            // The deduplication state is no longer needed: free it before collecting keys.
            drop(seen.take());
        }
        let conn = self.conn()?;
        let spool = self.spool.borrow_mut().take();
        let created = match grants_indexes::create_empty(conn, &self.db_path, spool)? {
            Err((why, Some(spool))) => {
                // Without pages for the spooled rows, they go in through SQLite first.
                tracing::debug!(reason = why, "spooled grants not written as pages");
                spool.drain(conn)?;
                grants_indexes::create_empty(conn, &self.db_path, None)?
            }
            other => other,
        };
        match created {
            Ok(pending) => {
                *self.grants_schema.borrow_mut() = GrantsSchema::Complete;
                Ok(Some(pending))
            }
            Err((why, _)) => {
                tracing::info!(reason = why, "building the grants indexes with SQLite");
                self.complete_schema().map(|()| None)
            }
        }
    }
}

/// The column values of one grant row.
pub(super) struct GrantColumns<'a> {
    pub(super) resource_type: &'a str,
    pub(super) resource: &'a str,
    pub(super) entitlement: &'a str,
    pub(super) principal_type: &'a str,
    pub(super) principal: &'a str,
    pub(super) external_id: &'a str,
    pub(super) expansion: Option<&'a [u8]>,
    pub(super) needs_expansion: i64,
    pub(super) data: &'a [u8],
    pub(super) sync_id: &'a str,
    pub(super) discovered_at: &'a str,
}

/// The bulk-load insert of one grant row, taking [`GrantColumns`] as `?1..?11`.
pub(super) const BULK_INSERT_GRANT: &str = "insert into v1_grants (resource_type_id, resource_id,
   entitlement_id, principal_resource_type_id, principal_resource_id, external_id, expansion,
   needs_expansion, data, sync_id, discovered_at)
 values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";

impl GrantColumns<'_> {
    /// Runs `sql`, an insert taking the columns in declaration order as `?1..?11`.
    fn insert(&self, conn: &Connection, sql: &str) -> rusqlite::Result<usize> {
        self.execute(&mut *conn.prepare_cached(sql)?)
    }

    /// Runs `stmt`, an insert taking the columns in declaration order as `?1..?11`.
    fn execute(&self, stmt: &mut rusqlite::Statement<'_>) -> rusqlite::Result<usize> {
        stmt.execute(params![
            self.resource_type,
            self.resource,
            self.entitlement,
            self.principal_type,
            self.principal,
            self.external_id,
            self.expansion,
            self.needs_expansion,
            self.data,
            self.sync_id,
            self.discovered_at
        ])
    }
}

/// Upserts one grant row through the deferred-index bulk path or, once the grants indexes
/// exist, through the unique index (callers then count the row towards the transaction).
/// `first_row` is the row id of this sync's first grant (`C1zWriter::first_grant_row`).
pub(super) fn store_grant_row(
    conn: &Connection,
    schema: &RefCell<GrantsSchema>,
    options: &WriterOptions,
    first_row: i64,
    row: &GrantColumns<'_>,
) -> Result<Upsert, C1zError> {
    store_grant_row_in(conn, &mut schema.borrow_mut(), options, first_row, row)
}

/// [`store_grant_row`] with the schema state already borrowed.
pub(super) fn store_grant_row_in(
    conn: &Connection,
    schema: &mut GrantsSchema,
    options: &WriterOptions,
    first_row: i64,
    row: &GrantColumns<'_>,
) -> Result<Upsert, C1zError> {
    let result = match schema {
        GrantsSchema::Deferred(seen) => {
            let mut insert = conn.prepare_cached(BULK_INSERT_GRANT)?;
            match bulk_put_grant(conn, seen, options, first_row, row, &mut insert, None) {
                Ok(result) => result,
                Err(BulkError::Row(e)) => return Err(e),
                Err(BulkError::Scratch(e)) => {
                    // The deduplication state is unknown: refuse further writes rather
                    // than risk duplicate grants.
                    *schema = GrantsSchema::Failed;
                    return Err(e);
                }
            }
        }
        GrantsSchema::Complete => {
            let n = row.insert(
                conn,
                "insert into v1_grants (resource_type_id, resource_id, entitlement_id,
                       principal_resource_type_id, principal_resource_id, external_id,
                       expansion, needs_expansion, data, sync_id, discovered_at)
                     values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                     on conflict (external_id, sync_id) do nothing",
            )?;
            if n == 0 {
                conn.prepare_cached(
                    "update v1_grants set data = ?1, expansion = ?2, needs_expansion = ?3
                         where external_id = ?4 and sync_id = ?5",
                )?
                .execute(params![
                    row.data,
                    row.expansion,
                    row.needs_expansion,
                    row.external_id,
                    row.sync_id
                ])?;
                Upsert::Updated
            } else {
                Upsert::Inserted
            }
        }
        GrantsSchema::Failed => return Err(C1zError::Closed),
    };
    Ok(result)
}

/// A failed bulk-load upsert: whether the deduplication state is still trustworthy.
pub(super) enum BulkError {
    /// Writing the grant failed; the scratch database is consistent.
    Row(C1zError),
    /// The scratch database failed; its content is unknown.
    Scratch(C1zError),
}

impl<E: Into<C1zError>> From<E> for BulkError {
    fn from(e: E) -> Self {
        Self::Row(e.into())
    }
}

/// Upserts a grant while the grants indexes do not exist, deduplicating through `seen`
/// (opened at the first grant, whose row id is `first_row`); `insert` is
/// [`BULK_INSERT_GRANT`] prepared on `conn`. With `spool` (its state and the directory for
/// its file), a new grant goes into the spool when it can (`grant_spool`); a hit on a
/// spooled row drains the spool first, so it is read and updated through SQLite.
pub(super) fn bulk_put_grant(
    conn: &Connection,
    seen: &mut Option<SeenKeys>,
    options: &WriterOptions,
    first_row: i64,
    row: &GrantColumns<'_>,
    insert: &mut rusqlite::Statement<'_>,
    mut spool: Option<(&mut SpoolState, &Path)>,
) -> Result<Upsert, BulkError> {
    let seen = match seen {
        Some(seen) => seen,
        None => {
            // First grant: from here on rows are appended (see `BULK_CACHE_KIB`).
            let kib = options.cache_kib.min(BULK_CACHE_KIB);
            conn.execute_batch(&format!("PRAGMA cache_size=-{kib}"))?;
            // No grant of this sync is stored before the first one opens `seen`, so the next
            // row id is still the one the writer noted at creation.
            let opened = SeenKeys::open(options.cache_kib.min(SEEN_CACHE_KIB), first_row);
            seen.insert(opened)
        }
    };
    let claim = seen
        .claim(row.external_id, |at| {
            if let Some((state, _)) = spool.as_mut() {
                state.drain_holding(at, conn)?;
            }
            Ok(conn
                .prepare_cached("select external_id from v1_grants where id = ?1")?
                .query_row([at], |r| {
                    Ok(r.get_ref(0)?.as_str().is_ok_and(|s| s == row.external_id))
                })
                .optional()?
                .unwrap_or(false))
        })
        .map_err(BulkError::Scratch)?;
    match claim {
        Claim::Existing(at) => {
            if let Some((state, _)) = spool.as_mut() {
                state.drain_holding(at, conn)?;
            }
            conn.prepare_cached(
                "update v1_grants set data = ?1, expansion = ?2, needs_expansion = ?3
                 where id = ?4",
            )?
            .execute(params![row.data, row.expansion, row.needs_expansion, at])?;
            Ok(Upsert::Updated)
        }
        Claim::New(pending) => {
            if let Some((state, dir)) = spool {
                match state.push(conn, dir, pending.row(), row) {
                    Ok(true) => {
                        seen.confirm(pending, row.external_id, pending.row())
                            .map_err(BulkError::Scratch)?;
                        return Ok(Upsert::Inserted);
                    }
                    Ok(false) => {}
                    Err(e) => {
                        seen.release(pending, row.external_id)
                            .map_err(BulkError::Scratch)?;
                        return Err(BulkError::Row(e));
                    }
                }
            }
            let inserted = row.execute(insert);
            if let Err(e) = inserted {
                seen.release(pending, row.external_id)
                    .map_err(BulkError::Scratch)?;
                return Err(BulkError::Row(e.into()));
            }
            seen.confirm(pending, row.external_id, conn.last_insert_rowid())
                .map_err(BulkError::Scratch)?;
            Ok(Upsert::Inserted)
        }
    }
}
