//! [`diff`]: what changed between two syncs — in one c1z or in two — as `baton diff` reports
//! it: resources, entitlements and grants created, deleted or modified.
//!
//! The comparison runs in SQLite, keyed by `external_id` through the unique
//! `(external_id, sync_id)` indexes, so only changed rows are decoded: memory grows with the
//! size of the change, not of the workspace.

use prost::Message;
use rusqlite::Connection;

use super::codec::decode;
use super::reader::C1zReader;
use super::C1zError;
use crate::proto::{Entitlement, Grant, Resource};

/// Schema name under which the base file is attached when two files are compared.
const BASE_SCHEMA: &str = "diff_base";

/// The objects of one kind that differ between two syncs.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Changes<T> {
    /// In the applied sync only, in its stored order.
    pub created: Vec<T>,
    /// In the base sync only, in its stored order.
    pub deleted: Vec<T>,
    /// In both with different content; the applied sync's version.
    pub modified: Vec<T>,
}

impl<T> Default for Changes<T> {
    fn default() -> Self {
        Self {
            created: Vec::new(),
            deleted: Vec::new(),
            modified: Vec::new(),
        }
    }
}

impl<T> Changes<T> {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.created.is_empty() && self.deleted.is_empty() && self.modified.is_empty()
    }
}

/// The differences from a base sync to an applied (newer) sync.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SyncDiff {
    /// The base (older) sync id.
    pub base_sync_id: String,
    /// The applied (newer) sync id.
    pub applied_sync_id: String,
    /// Resources, keyed by `"<type>:<id>"`.
    pub resources: Changes<Resource>,
    /// Entitlements, keyed by id.
    pub entitlements: Changes<Entitlement>,
    /// Grants, keyed by id.
    pub grants: Changes<Grant>,
}

impl SyncDiff {
    /// Whether the two syncs hold the same objects.
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty() && self.entitlements.is_empty() && self.grants.is_empty()
    }
}

/// Compares sync `base_sync` of `base` with sync `applied_sync` of `applied` (the same reader
/// for two syncs of one file). Both syncs must exist in their files.
pub fn diff(
    base: &C1zReader,
    base_sync: &str,
    applied: &C1zReader,
    applied_sync: &str,
) -> Result<SyncDiff, C1zError> {
    for (reader, id) in [(base, base_sync), (applied, applied_sync)] {
        if !reader.syncs()?.iter().any(|s| s.sync_id == id) {
            return Err(C1zError::SyncNotFound(id.to_string()));
        }
    }
    let conn = applied.connection();
    let same_file = std::ptr::eq(base, applied);
    let base_schema = if same_file {
        "main"
    } else {
        let path = base.database_path().to_str().ok_or_else(|| C1zError::Io {
            op: "attach the base c1z",
            path: base.database_path().to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "temp path is not UTF-8"),
        })?;
        conn.execute(&format!("attach database ?1 as {BASE_SCHEMA}"), [path])?;
        BASE_SCHEMA
    };
    let sides = Sides {
        conn,
        base: base_schema,
        base_sync,
        applied_sync,
    };
    let result = (|| {
        Ok(SyncDiff {
            base_sync_id: base_sync.to_string(),
            applied_sync_id: applied_sync.to_string(),
            resources: sides.changes("v1_resources")?,
            entitlements: sides.changes("v1_entitlements")?,
            grants: sides.changes("v1_grants")?,
        })
    })();
    if !same_file {
        conn.execute_batch(&format!("DETACH DATABASE {BASE_SCHEMA}"))?;
    }
    result
}

struct Sides<'a> {
    conn: &'a Connection,
    base: &'a str,
    base_sync: &'a str,
    applied_sync: &'a str,
}

impl Sides<'_> {
    fn changes<M: Message + Default + PartialEq>(
        &self,
        table: &'static str,
    ) -> Result<Changes<M>, C1zError> {
        let base = self.base;
        let only_in = |from: &str, from_sync: &str, other: &str, other_sync: &str| {
            let sql = format!(
                "select n.id, n.data from {from}.{table} n
                 where n.sync_id = ?1 and not exists (
                   select 1 from {other}.{table} o
                   where o.external_id = n.external_id and o.sync_id = ?2)
                 order by n.id"
            );
            rows::<M>(self.conn, &sql, table, from_sync, other_sync)
        };
        let created = only_in("main", self.applied_sync, base, self.base_sync)?;
        let deleted = only_in(base, self.base_sync, "main", self.applied_sync)?;
        // Byte-different rows are decoded and compared as messages: files written by other
        // tools may encode equal messages differently.
        let sql = format!(
            "select n.id, n.data, o.id, o.data from main.{table} n
             join {base}.{table} o on o.external_id = n.external_id and o.sync_id = ?2
             where n.sync_id = ?1 and n.data != o.data
             order by n.id"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut found = stmt.query([self.applied_sync, self.base_sync])?;
        let mut modified = Vec::new();
        while let Some(row) = found.next()? {
            let (new_id, old_id): (i64, i64) = (row.get(0)?, row.get(2)?);
            let new: M = decode(table, new_id, &row.get::<_, Vec<u8>>(1)?)?;
            let old: M = decode(table, old_id, &row.get::<_, Vec<u8>>(3)?)?;
            if new != old {
                modified.push(new);
            }
        }
        Ok(Changes {
            created,
            deleted,
            modified,
        })
    }
}

fn rows<M: Message + Default>(
    conn: &Connection,
    sql: &str,
    table: &'static str,
    sync: &str,
    other_sync: &str,
) -> Result<Vec<M>, C1zError> {
    let mut stmt = conn.prepare(sql)?;
    let mut found = stmt.query([sync, other_sync])?;
    let mut out = Vec::new();
    while let Some(row) = found.next()? {
        let id: i64 = row.get(0)?;
        out.push(decode(table, id, &row.get::<_, Vec<u8>>(1)?)?);
    }
    Ok(out)
}

/// The two newest finished full syncs of `reader`, oldest first (`None` with fewer than two).
pub fn latest_two_full_syncs(reader: &C1zReader) -> Result<Option<(String, String)>, C1zError> {
    let mut full: Vec<_> = reader
        .syncs()?
        .into_iter()
        .filter(|s| s.sync_type == "full")
        .filter_map(|s| s.ended_at.map(|e| (e, s.sync_id)))
        .collect();
    // Stable: equal end times keep row order, so the later row counts as newer.
    full.sort_by_key(|(e, _)| *e);
    let mut newest = full.into_iter().rev().map(|(_, id)| id);
    Ok(match (newest.next(), newest.next()) {
        (Some(applied), Some(base)) => Some((base, applied)),
        _ => None,
    })
}
