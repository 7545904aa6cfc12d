//! Raw access to this sync's grant rows for the in-memory grant expansion (`sync::expand`):
//! sequential scans that need no index (so they do not end the bulk load), and writes of
//! pre-encoded grants through the same path as [`C1zWriter::put_grant`].

use rusqlite::types::Type;
use rusqlite::{params, OptionalExtension, Row};

use super::{format_now, store_grant_row, C1zError, C1zWriter, GrantColumns, Upsert};

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

/// Key columns of a grant written with [`C1zWriter::put_grant_encoded`].
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
    /// `grant.id`.
    pub(crate) external_id: &'a str,
}

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
    /// only for rows that carry an expansion.
    pub(crate) fn scan_grants<E: From<C1zError>>(
        &self,
        expandable_only: bool,
        mut visit: impl FnMut(ScannedGrant<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        let sql = if expandable_only {
            "select id, entitlement_id, principal_resource_type_id, principal_resource_id, data,
               expansion from v1_grants where sync_id = ?1 and expansion is not null order by id"
        } else {
            "select id, entitlement_id, principal_resource_type_id, principal_resource_id, data,
               expansion from v1_grants where sync_id = ?1 order by id"
        };
        let conn = self.conn()?;
        let mut stmt = conn.prepare(sql).map_err(C1zError::from)?;
        let mut rows = stmt.query([&self.sync_id]).map_err(C1zError::from)?;
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

    /// Upserts a grant whose `data` is already encoded (no `GrantExpandable`: the row gets
    /// `expansion = NULL`, `needs_expansion = 0`), exactly as [`C1zWriter::put_grant`] would
    /// store the decoded grant.
    pub(crate) fn put_grant_encoded(
        &mut self,
        keys: &GrantKeys<'_>,
        data: &[u8],
    ) -> Result<Upsert, C1zError> {
        format_now(&mut self.ts_buf);
        let row = GrantColumns {
            resource_type: keys.resource_type,
            resource: keys.resource,
            entitlement: keys.entitlement,
            principal_type: keys.principal_type,
            principal: keys.principal,
            external_id: keys.external_id,
            expansion: None,
            needs_expansion: 0,
            data,
            sync_id: &self.sync_id,
            discovered_at: &self.ts_buf,
        };
        let conn = self.conn.as_ref().ok_or(C1zError::Closed)?;
        let result = store_grant_row(conn, &self.grants_schema, &self.options, &row)?;
        self.row_written()?;
        Ok(result)
    }

    /// The encoded `data` of grant row `row_id`.
    pub(crate) fn grant_data(&self, row_id: i64) -> Result<Option<Vec<u8>>, C1zError> {
        Ok(self
            .conn()?
            .prepare_cached("select data from v1_grants where id = ?1")?
            .query_row([row_id], |r| r.get(0))
            .optional()?)
    }

    /// Replaces only the `data` of grant row `row_id` (expansion columns are kept).
    pub(crate) fn set_grant_data(&mut self, row_id: i64, data: &[u8]) -> Result<(), C1zError> {
        self.conn()?
            .prepare_cached("update v1_grants set data = ?1 where id = ?2")?
            .execute(params![data, row_id])?;
        self.row_written()
    }
}
