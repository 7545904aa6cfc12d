//! Raw access to this sync's grant rows for the in-memory grant expansion (`sync::expand`):
//! sequential scans that need no index (so they do not end the bulk load), and writes of
//! pre-encoded grants through the same path as [`C1zWriter::put_grant`].

use rusqlite::types::Type;
use rusqlite::{params, OptionalExtension, Row};

use super::bulk_load::{
    bulk_put_grant, store_grant_row_in, BulkError, GrantColumns, GrantsSchema, BULK_INSERT_GRANT,
};
use super::{C1zError, C1zWriter, Upsert, ROWS_PER_TRANSACTION};
use crate::c1z::codec::format_now;

/// One grant row as scanned: its key columns and raw blobs, borrowed from SQLite.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ScannedGrant<'a> {
    /// SQLite row id.
    pub(crate) row_id: i64,
    /// The `entitlement_id` column.
    pub(crate) entitlement_id: &'a str,
    /// The `principal_resource_type_id` column.
    pub(crate) principal_type: &'a str,
    /// The `principal_resource_id` column.
    pub(crate) principal_id: &'a str,
    /// The encoded `Grant`.
    pub(crate) data: &'a [u8],
    /// The encoded `GrantExpandable`, if any.
    pub(crate) expansion: Option<&'a [u8]>,
}

/// Key columns of a grant written with [`C1zWriter::put_grants_encoded`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct GrantKeys<'a> {
    /// `entitlement.resource.id.resource_type`.
    pub(crate) resource_type: &'a str,
    /// `entitlement.resource.id.resource`.
    pub(crate) resource: &'a str,
    /// `entitlement.id`.
    pub(crate) entitlement: &'a str,
    /// `principal.id.resource_type`.
    pub(crate) principal_type: &'a str,
    /// `principal.id.resource`.
    pub(crate) principal: &'a str,
}

/// Rows written between two readings of the clock for `discovered_at` (formatting the time
/// per row costs as much as a tenth of the insert; rows of one batch are discovered together).
const ROWS_PER_TIMESTAMP: u64 = 4_096;

fn text<'r>(row: &'r Row<'_>, i: usize) -> rusqlite::Result<&'r str> {
    row.get_ref(i)?
        .as_str()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e)))
}

fn blob<'r>(row: &'r Row<'_>, i: usize) -> rusqlite::Result<Option<&'r [u8]>> {
    row.get_ref(i)?
        .as_blob_or_null()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, Type::Blob, Box::new(e)))
}

impl C1zWriter {
    /// Calls `visit` for every grant row of this sync, in row order; with `expandable_only`,
    /// only for rows that carry an expansion. Earlier syncs' rows (copied in below
    /// `first_grant_row`) are skipped by row id, not read.
    pub(crate) fn scan_grants<E: From<C1zError>>(
        &self,
        expandable_only: bool,
        mut visit: impl FnMut(ScannedGrant<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        let sql = if expandable_only {
            "select id, entitlement_id, principal_resource_type_id, principal_resource_id, data,
               expansion from v1_grants where id >= ?2 and sync_id = ?1 and expansion is not null
               order by id"
        } else {
            "select id, entitlement_id, principal_resource_type_id, principal_resource_id, data,
               expansion from v1_grants where id >= ?2 and sync_id = ?1 order by id"
        };
        let conn = self.conn()?;
        self.spool.borrow_mut().drain(conn)?;
        let mut stmt = conn.prepare(sql).map_err(C1zError::from)?;
        let mut rows = stmt
            .query(params![self.sync_id, self.first_grant_row])
            .map_err(C1zError::from)?;
        while let Some(row) = rows.next().map_err(C1zError::from)? {
            let scanned = (|| {
                Ok::<_, rusqlite::Error>(ScannedGrant {
                    row_id: row.get(0)?,
                    entitlement_id: text(row, 1)?,
                    principal_type: text(row, 2)?,
                    principal_id: text(row, 3)?,
                    data: blob(row, 4)?.unwrap_or_default(),
                    expansion: blob(row, 5)?,
                })
            })()
            .map_err(C1zError::from)?;
            visit(scanned)?;
        }
        Ok(())
    }

    /// Upserts the grants `next` produces until it returns `None`: each call fills the
    /// buffers with the grant's encoded `data` and id and returns its key columns. Stored as
    /// [`C1zWriter::put_grant`] would store the decoded grant (no `GrantExpandable`:
    /// `expansion = NULL`, `needs_expansion = 0`), but with one prepared statement for the
    /// whole run. Returns how many were new.
    pub(crate) fn put_grants_encoded<'k, E: From<C1zError>>(
        &mut self,
        mut next: impl FnMut(&mut Vec<u8>, &mut String) -> Result<Option<GrantKeys<'k>>, E>,
    ) -> Result<u64, E> {
        let mut data = Vec::with_capacity(1024);
        let mut id = String::new();
        let mut inserted = 0u64;
        let mut until_stamp = 0u64;
        let conn = self.conn.as_ref().ok_or(C1zError::Closed)?;
        let mut schema = self.grants_schema.borrow_mut();
        let mut spool = self.spool.borrow_mut();
        let mut insert = conn
            .prepare_cached(BULK_INSERT_GRANT)
            .map_err(C1zError::from)?;
        while let Some(keys) = next(&mut data, &mut id)? {
            if until_stamp == 0 {
                format_now(&mut self.ts_buf);
                until_stamp = ROWS_PER_TIMESTAMP;
            }
            until_stamp -= 1;
            let row = GrantColumns {
                resource_type: keys.resource_type,
                resource: keys.resource,
                entitlement: keys.entitlement,
                principal_type: keys.principal_type,
                principal: keys.principal,
                external_id: &id,
                expansion: None,
                needs_expansion: 0,
                data: &data,
                sync_id: &self.sync_id,
                discovered_at: &self.ts_buf,
            };
            let result = match &mut *schema {
                GrantsSchema::Deferred(seen) => {
                    match bulk_put_grant(
                        conn,
                        seen,
                        &self.options,
                        self.first_grant_row,
                        &row,
                        &mut insert,
                        Some((&mut spool, self.dir.path())),
                    ) {
                        Ok(result) => result,
                        Err(BulkError::Row(e)) => return Err(e.into()),
                        Err(BulkError::Scratch(e)) => {
                            // As in `store_grant_row`: deduplication can no longer be trusted.
                            *schema = GrantsSchema::Failed;
                            return Err(e.into());
                        }
                    }
                }
                // Indexes already built (a grant query ran first): the indexed upsert.
                _ => store_grant_row_in(
                    conn,
                    &mut schema,
                    &self.options,
                    self.first_grant_row,
                    &row,
                )?,
            };
            if result == Upsert::Inserted {
                inserted += 1;
            }
            self.rows_in_tx += 1;
            if self.rows_in_tx >= ROWS_PER_TRANSACTION {
                conn.execute_batch("COMMIT; BEGIN")
                    .map_err(C1zError::from)?;
                self.rows_in_tx = 0;
            }
        }
        Ok(inserted)
    }

    /// The encoded `data` of grant row `row_id`.
    pub(crate) fn grant_data(&self, row_id: i64) -> Result<Option<Vec<u8>>, C1zError> {
        let conn = self.conn()?;
        self.spool.borrow_mut().drain_holding(row_id, conn)?;
        Ok(conn
            .prepare_cached("select data from v1_grants where id = ?1")?
            .query_row([row_id], |r| r.get(0))
            .optional()?)
    }

    /// Replaces only the `data` of grant row `row_id` (expansion columns are kept).
    pub(crate) fn set_grant_data(&mut self, row_id: i64, data: &[u8]) -> Result<(), C1zError> {
        let conn = self.conn()?;
        self.spool.borrow_mut().drain_holding(row_id, conn)?;
        conn.prepare_cached("update v1_grants set data = ?1 where id = ?2")?
            .execute(params![data, row_id])?;
        self.row_written()
    }
}
