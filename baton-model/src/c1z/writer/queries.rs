//! The reads the sync engine and grant expansion run against the sync being written. Grant
//! queries need the grants indexes, so the first one ends the bulk load.

use rusqlite::{params, OptionalExtension};

use super::{C1zError, C1zWriter};
use crate::c1z::codec::decode;
use crate::model::ids::resource_key;
use crate::proto::{Entitlement, Grant, GrantExpandable, Resource, ResourceId};

/// A stored grant together with its SQLite row id.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct GrantRow {
    /// SQLite row id (ascending = insertion order).
    pub row_id: i64,
    /// The grant decoded from `data` (without its `GrantExpandable`).
    pub grant: Grant,
    /// The stored `GrantExpandable`, when the grant had one.
    pub expansion: Option<GrantExpandable>,
}

impl C1zWriter {
    /// Whether a resource with this id is stored.
    pub fn has_resource(&self, id: &ResourceId) -> Result<bool, C1zError> {
        let key = resource_key(id);
        Ok(self
            .conn()?
            .prepare_cached("select 1 from v1_resources where external_id = ?1 and sync_id = ?2")?
            .query_row(params![key, self.sync_id], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Up to `limit` stored resources with row id greater than `after`, in row order, with
    /// their row ids. Page through with the last row id to keep memory bounded.
    pub fn resources_after(
        &self,
        after: i64,
        limit: usize,
    ) -> Result<Vec<(i64, Resource)>, C1zError> {
        let mut stmt = self.conn()?.prepare_cached(
            "select id, data from v1_resources where sync_id = ?1 and id > ?2 order by id limit ?3",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![self.sync_id, after, limit], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (row_id, data) = row?;
            out.push((row_id, decode("v1_resources", row_id, &data)?));
        }
        Ok(out)
    }

    /// The highest row id of the stored resources (0 when none).
    pub fn max_resource_row(&self) -> Result<i64, C1zError> {
        Ok(self
            .conn()?
            .prepare_cached("select coalesce(max(id), 0) from v1_resources where sync_id = ?1")?
            .query_row(params![self.sync_id], |r| r.get(0))?)
    }

    /// The stored entitlement with this id.
    pub fn entitlement(&self, id: &str) -> Result<Option<Entitlement>, C1zError> {
        let row: Option<(i64, Vec<u8>)> = self
            .conn()?
            .prepare_cached(
                "select id, data from v1_entitlements where external_id = ?1 and sync_id = ?2",
            )?
            .query_row(params![id, self.sync_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        row.map(|(row_id, data)| decode("v1_entitlements", row_id, &data))
            .transpose()
    }

    /// Up to `limit` grants on entitlement `entitlement_id` with row id greater than `after`,
    /// in row order. Page through with the last row id to keep memory bounded.
    pub fn grants_for_entitlement(
        &self,
        entitlement_id: &str,
        after: i64,
        limit: usize,
    ) -> Result<Vec<GrantRow>, C1zError> {
        self.complete_schema()?;
        let mut stmt = self.conn()?.prepare_cached(
            "select id, data, expansion from v1_grants
             where entitlement_id = ?1 and sync_id = ?2 and id > ?3 order by id limit ?4",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![entitlement_id, self.sync_id, after, limit], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        collect_grant_rows(rows)
    }

    /// The grants a principal holds on an entitlement (normally zero or one).
    pub fn grants_of_principal(
        &self,
        entitlement_id: &str,
        principal: &ResourceId,
    ) -> Result<Vec<GrantRow>, C1zError> {
        self.complete_schema()?;
        let mut stmt = self.conn()?.prepare_cached(
            "select id, data, expansion from v1_grants
             where entitlement_id = ?1 and principal_resource_type_id = ?2
               and principal_resource_id = ?3 and sync_id = ?4 order by id",
        )?;
        let rows = stmt.query_map(
            params![
                entitlement_id,
                principal.resource_type,
                principal.resource,
                self.sync_id
            ],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        collect_grant_rows(rows)
    }

    /// Up to `limit` grants that carry a `GrantExpandable`, with row id greater than `after`.
    pub fn expandable_grants(&self, after: i64, limit: usize) -> Result<Vec<GrantRow>, C1zError> {
        self.complete_schema()?;
        let mut stmt = self.conn()?.prepare_cached(
            "select id, data, expansion from v1_grants
             where sync_id = ?1 and expansion is not null and id > ?2 order by id limit ?3",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![self.sync_id, after, limit], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        collect_grant_rows(rows)
    }
}

fn collect_grant_rows(
    rows: impl Iterator<Item = rusqlite::Result<(i64, Vec<u8>, Option<Vec<u8>>)>>,
) -> Result<Vec<GrantRow>, C1zError> {
    let mut out = Vec::new();
    for row in rows {
        let (row_id, data, exp) = row?;
        let grant = decode("v1_grants", row_id, &data)?;
        let expansion = exp
            .map(|e| decode::<GrantExpandable>("v1_grants", row_id, &e))
            .transpose()?;
        out.push(GrantRow {
            row_id,
            grant,
            expansion,
        });
    }
    Ok(out)
}
