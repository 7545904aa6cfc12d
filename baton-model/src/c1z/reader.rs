//! [`C1zReader`]: opens any c1z v1 file (current and older schemas) for querying.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use prost::Message;
use rusqlite::{params_from_iter, Connection, OpenFlags, OptionalExtension};
use tempfile::NamedTempFile;

use super::codec::{decode, time_column};
use super::{framing, C1zError};
use crate::model::ids::resource_key;
use crate::proto::{Entitlement, Grant, Resource, ResourceId, ResourceType};

/// How long an unfinished sync stays eligible for display (docs/c1z.md#reading-a-c1z).
const UNFINISHED_SYNC_WINDOW_DAYS: i64 = 7;

/// Options for [`C1zReader::open_with`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ReaderOptions {
    /// Refuse files that decompress to more than this many bytes. Default 3 GiB.
    pub max_decoded_bytes: u64,
    /// Show this sync instead of the default choice.
    pub sync_id: Option<String>,
}

impl Default for ReaderOptions {
    fn default() -> Self {
        Self {
            max_decoded_bytes: framing::DEFAULT_MAX_DECODED,
            sync_id: None,
        }
    }
}

impl ReaderOptions {
    /// Selects an explicit sync id.
    pub fn sync_id(mut self, id: impl Into<String>) -> Self {
        self.sync_id = Some(id.into());
        self
    }

    /// Sets the decoded-size cap.
    pub fn max_decoded_bytes(mut self, bytes: u64) -> Self {
        self.max_decoded_bytes = bytes;
        self
    }
}

/// One row of `v1_sync_runs` (missing newer columns read as their defaults).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SyncRun {
    /// The sync's KSUID.
    pub sync_id: String,
    /// Start time (UTC), if parseable.
    pub started_at: Option<DateTime<Utc>>,
    /// End time (UTC); `None` while unfinished.
    pub ended_at: Option<DateTime<Utc>>,
    /// Stored resumable state (`''` when empty).
    pub sync_token: String,
    /// `full`, `partial`, … (`full` in files older than the column).
    pub sync_type: String,
    /// Parent sync of a partial sync (`''` when none).
    pub parent_sync_id: String,
}

/// Filter for [`C1zReader::resources`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ResourceFilter {
    /// Only resources of this type.
    pub resource_type_id: Option<String>,
    /// Only children of this parent.
    pub parent: Option<ResourceId>,
}

impl ResourceFilter {
    /// Resources of one type.
    pub fn of_type(resource_type_id: impl Into<String>) -> Self {
        Self {
            resource_type_id: Some(resource_type_id.into()),
            parent: None,
        }
    }

    /// Children of `parent`.
    pub fn children_of(parent: ResourceId) -> Self {
        Self {
            resource_type_id: None,
            parent: Some(parent),
        }
    }
}

/// Filter for [`C1zReader::grants`]; set fields are combined with AND.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct GrantFilter {
    /// Grants on entitlements of resources of this type.
    pub resource_type_id: Option<String>,
    /// Grants on entitlements of this resource.
    pub resource: Option<ResourceId>,
    /// Grants of this entitlement.
    pub entitlement_id: Option<String>,
    /// Grants held by this principal.
    pub principal: Option<ResourceId>,
}

impl GrantFilter {
    /// Grants of one entitlement.
    pub fn entitlement(id: impl Into<String>) -> Self {
        Self {
            entitlement_id: Some(id.into()),
            ..Self::default()
        }
    }

    /// Grants on one resource's entitlements.
    pub fn resource(id: ResourceId) -> Self {
        Self {
            resource: Some(id),
            ..Self::default()
        }
    }

    /// Grants on entitlements of one resource type.
    pub fn resource_type(id: impl Into<String>) -> Self {
        Self {
            resource_type_id: Some(id.into()),
            ..Self::default()
        }
    }

    /// Grants held by one principal.
    pub fn principal(id: ResourceId) -> Self {
        Self {
            principal: Some(id),
            ..Self::default()
        }
    }
}

/// Counts like `baton stats`: resources per type, plus types, entitlements and grants.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Stats {
    /// Number of resource types.
    pub resource_types: u64,
    /// Resources per resource type id (every stored type listed, zero included).
    pub resources: BTreeMap<String, u64>,
    /// Number of entitlements.
    pub entitlements: u64,
    /// Number of grants.
    pub grants: u64,
}

impl Stats {
    /// `(name, count)` rows sorted by name, as `baton stats` prints them.
    pub fn rows(&self) -> Vec<(String, u64)> {
        let mut rows: Vec<(String, u64)> = self
            .resources
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        rows.push(("resource_types".into(), self.resource_types));
        rows.push(("entitlements".into(), self.entitlements));
        rows.push(("grants".into(), self.grants));
        rows.sort();
        rows
    }
}

/// A decompressed, read-only view of a c1z v1 file.
pub struct C1zReader {
    conn: Connection,
    // The decompressed database; deleted when the reader is dropped.
    _db: NamedTempFile,
    sync: Option<SyncRun>,
}

impl std::fmt::Debug for C1zReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("C1zReader")
            .field("sync", &self.sync)
            .finish_non_exhaustive()
    }
}

impl C1zReader {
    /// Opens `path` with default options.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, C1zError> {
        Self::open_with(path, ReaderOptions::default())
    }

    /// Opens `path`: checks the magic, streams the zstd payload into a temp file (capped),
    /// opens it read-only and resolves the sync to show (docs/c1z.md#reading-a-c1z).
    pub fn open_with(path: impl AsRef<Path>, options: ReaderOptions) -> Result<Self, C1zError> {
        let path = path.as_ref();
        let mut db = tempfile::Builder::new()
            .prefix("c1z-reader-")
            .suffix(".db")
            .tempfile()
            .map_err(|source| C1zError::Io {
                op: "create temp file",
                path: std::env::temp_dir(),
                source,
            })?;
        framing::decompress_to(path, db.as_file_mut(), options.max_decoded_bytes)?;
        // Read-only: files left in WAL mode by Go open fine without a -wal file.
        let conn = Connection::open_with_flags(
            db.path(),
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let mut reader = Self {
            conn,
            _db: db,
            sync: None,
        };
        reader.sync = reader.resolve_sync(options.sync_id.as_deref())?;
        Ok(reader)
    }

    /// The connection to the decompressed database.
    pub(super) fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The decompressed database file.
    pub(super) fn database_path(&self) -> &Path {
        self._db.path()
    }

    /// The sync whose rows this reader shows (`None`: no sync filter, rule 4).
    pub fn current_sync(&self) -> Option<&SyncRun> {
        self.sync.as_ref()
    }

    fn columns(&self, table: &str) -> Result<HashSet<String>, C1zError> {
        let mut stmt = self
            .conn
            .prepare("select name from pragma_table_info(?1)")?;
        let names = stmt
            .query_map([table], |r| r.get::<_, String>(0))?
            .collect::<Result<HashSet<_>, _>>()?;
        Ok(names)
    }

    /// Every sync run, oldest first.
    pub fn syncs(&self) -> Result<Vec<SyncRun>, C1zError> {
        let cols = self.columns("v1_sync_runs")?;
        let opt = |name: &str, default: &str| {
            if cols.contains(name) {
                name.to_string()
            } else {
                format!("'{default}'")
            }
        };
        let sql = format!(
            "select sync_id, started_at, ended_at, sync_token, {}, {} from v1_sync_runs order by id",
            opt("sync_type", "full"),
            opt("parent_sync_id", "")
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], |r| {
            Ok(SyncRun {
                sync_id: r.get(0)?,
                started_at: time_column(r.get_ref(1)?),
                ended_at: time_column(r.get_ref(2)?),
                sync_token: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                sync_type: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                parent_sync_id: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn resolve_sync(&self, explicit: Option<&str>) -> Result<Option<SyncRun>, C1zError> {
        let syncs = self.syncs()?;
        if let Some(id) = explicit {
            return syncs
                .into_iter()
                .find(|s| s.sync_id == id)
                .map(Some)
                .ok_or_else(|| C1zError::SyncNotFound(id.to_string()));
        }
        // Newest finished full sync by ended_at; ties keep the later row.
        let finished = syncs
            .iter()
            .filter(|s| s.sync_type == "full")
            .filter_map(|s| s.ended_at.map(|e| (e, s)))
            .max_by_key(|(e, _)| *e)
            .map(|(_, s)| s.clone());
        if finished.is_some() {
            return Ok(finished);
        }
        let cutoff = Utc::now() - chrono::Duration::days(UNFINISHED_SYNC_WINDOW_DAYS);
        Ok(syncs
            .iter()
            .filter(|s| s.ended_at.is_none())
            .filter_map(|s| s.started_at.filter(|t| *t >= cutoff).map(|t| (t, s)))
            .max_by_key(|(t, _)| *t)
            .map(|(_, s)| s.clone()))
    }

    /// Runs `select id, data from <table> where <conds> [and sync_id = ?] order by id`.
    fn query<M: Message + Default>(
        &self,
        table: &'static str,
        conds: &[(&str, &str)],
    ) -> Result<Vec<M>, C1zError> {
        let mut sql = format!("select id, data from {table} where 1 = 1");
        let mut args: Vec<&str> = Vec::with_capacity(conds.len() + 1);
        for (col, val) in conds {
            sql.push_str(&format!(" and {col} = ?"));
            args.push(val);
        }
        if let Some(sync) = &self.sync {
            sql.push_str(" and sync_id = ?");
            args.push(&sync.sync_id);
        }
        sql.push_str(" order by id");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(args), |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (row_id, data) = row?;
            out.push(decode(table, row_id, &data)?);
        }
        Ok(out)
    }

    fn first<M: Message + Default>(
        &self,
        table: &'static str,
        external_id: &str,
    ) -> Result<Option<M>, C1zError> {
        let mut sql = format!("select id, data from {table} where external_id = ?1");
        if self.sync.is_some() {
            sql.push_str(" and sync_id = ?2");
        }
        sql.push_str(" order by id limit 1");
        let mut stmt = self.conn.prepare(&sql)?;
        let map = |r: &rusqlite::Row<'_>| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?));
        let row = match &self.sync {
            Some(s) => stmt.query_row([external_id, s.sync_id.as_str()], map),
            None => stmt.query_row([external_id], map),
        }
        .optional()?;
        row.map(|(id, data)| decode(table, id, &data)).transpose()
    }

    /// All resource types of the sync, in stored order.
    pub fn resource_types(&self) -> Result<Vec<ResourceType>, C1zError> {
        self.query("v1_resource_types", &[])
    }

    /// One resource type by id.
    pub fn resource_type(&self, id: &str) -> Result<Option<ResourceType>, C1zError> {
        self.first("v1_resource_types", id)
    }

    /// Resources, optionally filtered by type and/or parent.
    pub fn resources(&self, filter: &ResourceFilter) -> Result<Vec<Resource>, C1zError> {
        let mut conds = Vec::new();
        if let Some(rt) = &filter.resource_type_id {
            conds.push(("resource_type_id", rt.as_str()));
        }
        if let Some(p) = &filter.parent {
            conds.push(("parent_resource_type_id", p.resource_type.as_str()));
            conds.push(("parent_resource_id", p.resource.as_str()));
        }
        self.query("v1_resources", &conds)
    }

    /// One resource by id.
    pub fn resource(&self, id: &ResourceId) -> Result<Option<Resource>, C1zError> {
        self.first("v1_resources", &resource_key(id))
    }

    /// One resource by id as sync `sync_id` stored it (any sync of the file, not only the
    /// one this reader shows).
    pub fn resource_in_sync(
        &self,
        sync_id: &str,
        id: &ResourceId,
    ) -> Result<Option<Resource>, C1zError> {
        let row: Option<(i64, Vec<u8>)> = self
            .conn
            .prepare_cached(
                "select id, data from v1_resources where external_id = ?1 and sync_id = ?2
                 order by id limit 1",
            )?
            .query_row([resource_key(id).as_str(), sync_id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        row.map(|(row_id, data)| decode("v1_resources", row_id, &data))
            .transpose()
    }

    /// Entitlements, optionally only those of one resource.
    pub fn entitlements(
        &self,
        resource: Option<&ResourceId>,
    ) -> Result<Vec<Entitlement>, C1zError> {
        match resource {
            Some(r) => self.query(
                "v1_entitlements",
                &[
                    ("resource_type_id", r.resource_type.as_str()),
                    ("resource_id", r.resource.as_str()),
                ],
            ),
            None => self.query("v1_entitlements", &[]),
        }
    }

    /// One entitlement by id.
    pub fn entitlement(&self, id: &str) -> Result<Option<Entitlement>, C1zError> {
        self.first("v1_entitlements", id)
    }

    /// Grants matching `filter`.
    pub fn grants(&self, filter: &GrantFilter) -> Result<Vec<Grant>, C1zError> {
        let mut conds = Vec::new();
        if let Some(rt) = &filter.resource_type_id {
            conds.push(("resource_type_id", rt.as_str()));
        }
        if let Some(r) = &filter.resource {
            conds.push(("resource_type_id", r.resource_type.as_str()));
            conds.push(("resource_id", r.resource.as_str()));
        }
        if let Some(e) = &filter.entitlement_id {
            conds.push(("entitlement_id", e.as_str()));
        }
        if let Some(p) = &filter.principal {
            conds.push(("principal_resource_type_id", p.resource_type.as_str()));
            conds.push(("principal_resource_id", p.resource.as_str()));
        }
        self.query("v1_grants", &conds)
    }

    /// One grant by id.
    pub fn grant(&self, id: &str) -> Result<Option<Grant>, C1zError> {
        self.first("v1_grants", id)
    }

    fn count(&self, table: &str, conds: &[(&str, &str)]) -> Result<u64, C1zError> {
        let mut sql = format!("select count(*) from {table} where 1 = 1");
        let mut args: Vec<&str> = Vec::new();
        for (col, val) in conds {
            sql.push_str(&format!(" and {col} = ?"));
            args.push(val);
        }
        if let Some(sync) = &self.sync {
            sql.push_str(" and sync_id = ?");
            args.push(&sync.sync_id);
        }
        let n: i64 = self
            .conn
            .query_row(&sql, params_from_iter(args), |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Row counts of the shown sync.
    pub fn stats(&self) -> Result<Stats, C1zError> {
        let mut stats = Stats {
            resource_types: self.count("v1_resource_types", &[])?,
            entitlements: self.count("v1_entitlements", &[])?,
            grants: self.count("v1_grants", &[])?,
            ..Stats::default()
        };
        for rt in self.resource_types()? {
            let n = self.count("v1_resources", &[("resource_type_id", rt.id.as_str())])?;
            stats.resources.insert(rt.id, n);
        }
        Ok(stats)
    }
}
