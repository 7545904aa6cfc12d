//! [`C1zWriter`]: builds a c1z v1 file in a temp directory and swaps it into place atomically.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use chrono::Utc;
use rusqlite::{params, Connection};
use tempfile::TempDir;

use super::annotations;
use super::codec::{encode_into, format_now};
use super::history::{self, History, Reuse};
use super::output_lock::OutputLock;
use super::retention::{Retention, RunInfo};
use super::{framing, schema, C1zError, Ksuid};
use crate::model::ids::resource_key;
use crate::proto::{Entitlement, Grant, GrantExpandable, Resource, ResourceId, ResourceType};

mod bulk_load;
mod grant_spool;
mod grants_indexes;
mod queries;
mod raw_grants;

use bulk_load::{store_grant_row, GrantColumns, GrantsSchema};
use grant_spool::SpoolState;
pub use queries::GrantRow;
pub(crate) use raw_grants::GrantKeys;

/// SQLite page size of the database inside the c1z (see `C1zWriter::create`).
const PAGE_SIZE: u32 = 64 * 1024;

/// Rows written per transaction before committing (bounds the rollback journal, keeps speed).
const ROWS_PER_TRANSACTION: usize = 50_000;

/// Options for [`C1zWriter`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WriterOptions {
    /// zstd level, clamped to 1..=19 (window stays <= 8 MiB). Default 1.
    pub level: i32,
    /// SQLite page cache in KiB. Default 32 MiB: holds the hot index pages, bounded RSS
    /// (64 MiB put the 20,000-member benchmark workspace over its 250 MiB budget and expanding
    /// its 360,000 grants was no faster).
    /// Used for resources, entitlements and grant expansion; the grants bulk load and the
    /// grants index build use at most 16 MiB; deduplicating grant ids during the bulk load
    /// adds a fixed 32 MiB in-memory table plus, past ~1.57 million grants, at most 32 MiB
    /// for its scratch database. Writing the grants indexes at finish takes about 40 bytes
    /// per grant for their keys (at most 192 MiB; SQLite builds them beyond that).
    pub cache_kib: u32,
    /// When the output already holds a c1z, add the new sync to it (default, as baton-sdk
    /// does) instead of replacing the file.
    pub append_to_existing: bool,
    /// Which earlier syncs are kept when appending. Default: baton-sdk's 2 full syncs.
    pub retention: Retention,
}

impl Default for WriterOptions {
    fn default() -> Self {
        Self {
            level: framing::DEFAULT_LEVEL,
            cache_kib: 32 * 1024,
            append_to_existing: true,
            retention: Retention::default(),
        }
    }
}

impl WriterOptions {
    /// Sets the zstd level.
    pub fn level(mut self, level: i32) -> Self {
        self.level = level;
        self
    }

    /// Sets the SQLite page cache size in KiB (trades memory for speed on large syncs).
    pub fn cache_kib(mut self, kib: u32) -> Self {
        self.cache_kib = kib;
        self
    }

    /// Whether a sync is added to an existing c1z (`true`) or replaces it.
    pub fn append_to_existing(mut self, append: bool) -> Self {
        self.append_to_existing = append;
        self
    }

    /// Sets the retention policy of earlier syncs.
    pub fn retention(mut self, retention: Retention) -> Self {
        self.retention = retention;
        self
    }
}

/// Whether an upsert created a row or updated the `data` of an existing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Upsert {
    /// A new row.
    Inserted,
    /// A row with the same `(external_id, sync_id)` existed; only its data changed.
    Updated,
}

/// Row counts of a finished c1z.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WriteSummary {
    /// The sync id (KSUID) of the written sync.
    pub sync_id: String,
    /// Size of the compressed file in bytes.
    pub c1z_bytes: u64,
    /// Earlier syncs carried over from the existing file.
    pub kept_syncs: usize,
    /// Earlier syncs the retention policy removed.
    pub removed_syncs: Vec<String>,
    /// Whether the grants indexes were written as B-tree pages from keys sorted in memory
    /// (false: SQLite built them; see docs/c1z.md#grants-indexes).
    pub grants_indexes_as_pages: bool,
}

/// Writes one full sync into a c1z v1 file: a new one, or added to the syncs of an existing one.
///
/// Rows go into a SQLite database in a private temp directory as they arrive (batched in
/// transactions); [`finish`](Self::finish) sets `ended_at`, compresses the database into a
/// uniquely named temporary file beside the output, fsyncs and renames it over `<out>` with
/// mode 0600. Dropping the writer without `finish`, or any failure, leaves an existing `<out>`
/// byte-identical.
///
/// When `<out>` already holds a c1z, its syncs are copied into the new database first and the
/// new sync is added after them; [`WriterOptions::retention`] decides which earlier syncs stay
/// (see `docs/c1z.md`). A file that is not a readable c1z is refused with
/// [`C1zError::Unreadable`], never overwritten.
///
/// One writer per output at a time: `create` takes an advisory lock (`<out>.lock`) held until
/// the writer is finished or dropped, and fails with [`C1zError::Busy`] while another writer
/// holds it. Readers need no lock: they see the previous or the new complete file.
///
/// Grants are bulk-loaded: the grants indexes (and the two tables Go creates after them) are
/// only created when first needed — by a grant query or by `finish` — because building an
/// index by sorting once is far cheaper than updating seven B-trees per row. At `finish` they
/// are sorted in memory and written as B-tree pages (docs/c1z.md#grants-indexes). Until then grant
/// ids are deduplicated by a 64-bit hash per id: in a capped in-memory table (32 MiB) for the
/// first ~1.57 million grants, then in a private scratch database (on disk, with a 32 MiB page
/// cache), and the main page cache is held at 16 MiB, so memory does not
/// grow with the number of grants.
pub struct C1zWriter {
    conn: Option<Connection>,
    // Rows of `v1_assets`/`v1_connector_sessions` still to copy from the previous file, with
    // the syncs removed by retention.
    late_history: Option<(History, Vec<String>)>,
    kept_syncs: usize,
    removed_syncs: Vec<String>,
    // Whether the previous file's database became this one (history::prepare_in_place).
    history_in_place: bool,
    // Row id of this sync's first grant: earlier syncs' grants (copied first) lie below it,
    // so scans of this sync's grants need no index (`scan_grants`).
    first_grant_row: i64,
    // Declared after the connection and the temp dir, so it is released last.
    _lock: OutputLock,
    // Keeps the temp directory (and database) alive until the writer is dropped.
    dir: TempDir,
    db_path: PathBuf,
    out: PathBuf,
    sync_id: String,
    options: WriterOptions,
    rows_in_tx: usize,
    // Interior mutability: the read-only grant queries complete the schema on first use.
    grants_schema: RefCell<GrantsSchema>,
    // The expansion's grants not yet in the database (`grant_spool`).
    spool: RefCell<SpoolState>,
    data_buf: Vec<u8>,
    exp_buf: Vec<u8>,
    ts_buf: String,
}

impl std::fmt::Debug for C1zWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("C1zWriter")
            .field("out", &self.out)
            .field("sync_id", &self.sync_id)
            .field("db_path", &self.db_path)
            .field("history_in_place", &self.history_in_place)
            .finish_non_exhaustive()
    }
}

impl C1zWriter {
    /// Starts a new c1z destined for `out` with default options.
    pub fn create(out: impl AsRef<Path>) -> Result<Self, C1zError> {
        Self::create_with(out, WriterOptions::default())
    }

    /// Starts a new c1z destined for `out`.
    pub fn create_with(out: impl AsRef<Path>, options: WriterOptions) -> Result<Self, C1zError> {
        let out = out.as_ref().to_path_buf();
        let lock = OutputLock::acquire(&out)?;
        // Holding the lock, no other writer of `out` exists: any temp file is a killed one's.
        framing::remove_stale_temps(&out);
        let dir = tempfile::Builder::new()
            .prefix("c1z-writer-")
            .tempdir()
            .map_err(|source| C1zError::Io {
                op: "create temp dir",
                path: std::env::temp_dir(),
                source,
            })?;
        let history = if options.append_to_existing {
            history::load(&out, dir.path(), framing::DEFAULT_MAX_DECODED)?
        } else {
            None
        };
        let db_path = dir.path().join("sync.db");
        let mut history = history;
        let mut in_place = false;
        if let Some(h) = &history {
            match h.reusable(PAGE_SIZE)? {
                Reuse::InPlace => in_place = true,
                Reuse::Copy(why) => {
                    tracing::debug!(
                        reason = why,
                        "copying the earlier syncs into a new database"
                    );
                }
            }
        }
        if in_place {
            if let Some(h) = history.take() {
                h.into_database(&db_path)?;
            }
        }
        let conn = Connection::open(&db_path)?;
        // The database is a private scratch file: durability comes from fsyncing the c1z, so
        // no fsyncs and no file locks. The rollback journal stays (in memory) so a failed
        // statement is still undone. `threads=0`: a helper sort thread shortened the index
        // build's wall time a little but cost ~0.3 s more CPU on the 20,000-member benchmark.
        // 64 KiB pages (Go leaves SQLite's 4 KiB; readers accept any size) cut the page
        // reads, writes and cell parsing of the bulk load and of the table scans
        // (docs/decisions.md#d40-64-kib-sqlite-pages).
        conn.execute_batch(&format!(
            "PRAGMA page_size={PAGE_SIZE}; PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE;
             PRAGMA cache_size=-{}; PRAGMA temp_store=FILE; PRAGMA threads=0;",
            options.cache_kib
        ))?;
        if in_place || history.is_some() {
            // The in-memory rollback journal keeps the original of every page a transaction
            // changes that existed before it. With earlier syncs' rows in the grants indexes
            // nearly every insert changes such a page, and the journal grew by ~50 MiB on the
            // 20,000-member benchmark workspace. This database is private scratch, discarded
            // on any error, so it needs no rollback.
            conn.execute_batch("PRAGMA journal_mode=OFF")?;
        }
        conn.set_prepared_statement_cache_capacity(32);
        // The schema goes into the first batch's transaction: nothing is written until the
        // first commit (with 64 KiB pages the empty schema alone is ~1.5 MiB).
        let sync_id = Ksuid::generate()?.to_string();
        let mut ts_buf = String::new();
        format_now(&mut ts_buf);
        let mut late_history = None;
        let (mut kept_syncs, mut removed_syncs) = (0, Vec::new());
        if in_place || history.is_some() {
            let now = Some(Utc::now());
            let new_run = RunInfo {
                sync_id: sync_id.clone(),
                started_at: now,
                ended_at: now,
                sync_type: "full".into(),
                linked_sync_id: String::new(),
            };
            let copied = match history {
                None => history::prepare_in_place(&conn, &new_run, options.retention)?,
                Some(history) => {
                    schema::run(&conn, schema::split_at_grants_table().0)?;
                    let copied = history.copy_early(&conn, &new_run, options.retention)?;
                    if copied.late_rows {
                        late_history = Some((history, copied.removed.clone()));
                    }
                    copied
                }
            };
            tracing::info!(
                out = %out.display(),
                kept = copied.kept,
                removed = copied.removed.len(),
                in_place,
                "adding the sync to the existing c1z"
            );
            kept_syncs = copied.kept;
            removed_syncs = copied.removed;
            conn.execute_batch("BEGIN")?;
        } else {
            conn.execute_batch("BEGIN")?;
            schema::run(&conn, schema::split_at_grants_table().0)?;
        }
        let first_grant_row: i64 =
            conn.query_row("select coalesce(max(id), 0) + 1 from v1_grants", [], |r| {
                r.get(0)
            })?;
        conn.execute(
            "insert into v1_sync_runs (sync_id, started_at, ended_at, sync_token, sync_type,
               parent_sync_id, linked_sync_id, supports_diff)
             values (?1, ?2, NULL, '', 'full', '', '', 1)",
            params![sync_id, ts_buf],
        )?;
        Ok(Self {
            conn: Some(conn),
            late_history,
            kept_syncs,
            removed_syncs,
            history_in_place: in_place,
            first_grant_row,
            _lock: lock,
            dir,
            db_path,
            out,
            sync_id,
            options,
            rows_in_tx: 0,
            grants_schema: RefCell::new(GrantsSchema::Deferred(None)),
            spool: RefCell::new(SpoolState::Unused),
            data_buf: Vec::with_capacity(1024),
            exp_buf: Vec::with_capacity(256),
            ts_buf,
        })
    }

    /// The KSUID of the sync being written.
    pub fn sync_id(&self) -> &str {
        &self.sync_id
    }

    /// The destination path.
    pub fn out_path(&self) -> &Path {
        &self.out
    }

    /// A handle that aborts whatever SQL statement the writer is running, from another thread:
    /// an abandoned sync stops an index build or a history copy instead of waiting for it.
    pub(crate) fn interrupt_handle(&self) -> Option<rusqlite::InterruptHandle> {
        self.conn.as_ref().map(Connection::get_interrupt_handle)
    }

    fn conn(&self) -> Result<&Connection, C1zError> {
        self.conn.as_ref().ok_or(C1zError::Closed)
    }

    fn row_written(&mut self) -> Result<(), C1zError> {
        self.rows_in_tx += 1;
        if self.rows_in_tx >= ROWS_PER_TRANSACTION {
            self.conn()?.execute_batch("COMMIT; BEGIN")?;
            self.rows_in_tx = 0;
        }
        Ok(())
    }

    /// Finishes an `insert … on conflict do nothing` of a resource type, resource or
    /// entitlement: when nothing was inserted (`inserted == 0`) the row exists, and only its
    /// `data` is replaced (`update_sql`), so the key columns keep the first write
    /// (docs/c1z.md#rows-and-keys).
    fn upsert_tail(
        &mut self,
        inserted: usize,
        update_sql: &'static str,
        external_id: &str,
    ) -> Result<Upsert, C1zError> {
        let result = if inserted == 0 {
            self.conn()?.prepare_cached(update_sql)?.execute(params![
                self.data_buf,
                external_id,
                self.sync_id
            ])?;
            Upsert::Updated
        } else {
            Upsert::Inserted
        };
        self.row_written()?;
        Ok(result)
    }

    /// Stores a resource type (key: `rt.id`).
    pub fn put_resource_type(&mut self, rt: &ResourceType) -> Result<Upsert, C1zError> {
        if rt.id.is_empty() {
            return Err(missing("resource type", "", "id"));
        }
        encode_into(rt, &mut self.data_buf);
        format_now(&mut self.ts_buf);
        let conn = self.conn.as_ref().ok_or(C1zError::Closed)?;
        let n = conn
            .prepare_cached(
                "insert into v1_resource_types (external_id, data, sync_id, discovered_at)
                 values (?1, ?2, ?3, ?4) on conflict (external_id, sync_id) do nothing",
            )?
            .execute(params![rt.id, self.data_buf, self.sync_id, self.ts_buf])?;
        self.upsert_tail(
            n,
            "update v1_resource_types set data = ?1 where external_id = ?2 and sync_id = ?3",
            &rt.id,
        )
    }

    /// Stores a resource (key: `"<type>:<id>"`; parent columns from `parent_resource_id`).
    pub fn put_resource(&mut self, r: &Resource) -> Result<Upsert, C1zError> {
        let external_id = self.insert_resource(r)?;
        let inserted = usize::from(external_id.is_none());
        let key = external_id.unwrap_or_default();
        self.upsert_tail(
            inserted,
            "update v1_resources set data = ?1 where external_id = ?2 and sync_id = ?3",
            &key,
        )
    }

    /// Stores a resource unless one with its id is stored already (the first one written is
    /// kept whole); returns whether it was stored.
    pub fn put_resource_if_new(&mut self, r: &Resource) -> Result<bool, C1zError> {
        let inserted = self.insert_resource(r)?.is_none();
        if inserted {
            self.row_written()?;
        }
        Ok(inserted)
    }

    /// Stores a resource given encoded (`data`), with the id and parent id read from it,
    /// unless one with its id is stored already: the row [`C1zWriter::put_resource_if_new`]
    /// writes for the decoded message. Returns whether it was stored.
    pub(crate) fn put_resource_encoded_if_new(
        &mut self,
        data: &[u8],
        id: Option<&ResourceId>,
        parent: Option<&ResourceId>,
    ) -> Result<bool, C1zError> {
        self.data_buf.clear();
        self.data_buf.extend_from_slice(data);
        let inserted = self.insert_resource_row("", id, parent)?.is_none();
        if inserted {
            self.row_written()?;
        }
        Ok(inserted)
    }

    /// Inserts a resource row unless its key is taken: `None` when inserted, else its key.
    fn insert_resource(&mut self, r: &Resource) -> Result<Option<String>, C1zError> {
        encode_into(r, &mut self.data_buf);
        self.insert_resource_row(
            &r.display_name,
            r.id.as_ref(),
            r.parent_resource_id.as_ref(),
        )
    }

    /// Inserts the resource row of `id` whose encoded message is in `data_buf` unless its key
    /// is taken: `None` when inserted, else its key. `name` names a resource without an id in
    /// the error.
    fn insert_resource_row(
        &mut self,
        name: &str,
        id: Option<&ResourceId>,
        parent: Option<&ResourceId>,
    ) -> Result<Option<String>, C1zError> {
        let id = id
            .filter(|id| !id.resource_type.is_empty() && !id.resource.is_empty())
            .ok_or_else(|| missing("resource", name, "id"))?;
        let external_id = resource_key(id);
        let (prt, pid) = match parent {
            Some(p) => (Some(p.resource_type.as_str()), Some(p.resource.as_str())),
            None => (None, None),
        };
        format_now(&mut self.ts_buf);
        let conn = self.conn.as_ref().ok_or(C1zError::Closed)?;
        let n = conn
            .prepare_cached(
                "insert into v1_resources (resource_type_id, external_id, parent_resource_type_id,
                   parent_resource_id, data, sync_id, discovered_at)
                 values (?1, ?2, ?3, ?4, ?5, ?6, ?7) on conflict (external_id, sync_id) do nothing",
            )?
            .execute(params![
                id.resource_type,
                external_id,
                prt,
                pid,
                self.data_buf,
                self.sync_id,
                self.ts_buf
            ])?;
        Ok((n == 0).then_some(external_id))
    }

    /// Stores an entitlement (key: `ent.id`; resource columns from `ent.resource.id`).
    pub fn put_entitlement(&mut self, e: &Entitlement) -> Result<Upsert, C1zError> {
        encode_into(e, &mut self.data_buf);
        let rid = e.resource.as_ref().and_then(|r| r.id.as_ref());
        self.put_entitlement_row(&e.id, rid)
    }

    /// Stores an entitlement given encoded (`data`), with the id and resource id read from it:
    /// the row [`C1zWriter::put_entitlement`] writes for the decoded message.
    pub(crate) fn put_entitlement_encoded(
        &mut self,
        data: &[u8],
        id: &str,
        rid: &ResourceId,
    ) -> Result<Upsert, C1zError> {
        self.data_buf.clear();
        self.data_buf.extend_from_slice(data);
        self.put_entitlement_row(id, Some(rid))
    }

    /// Upserts the entitlement row of `id` whose encoded message is in `data_buf`; fails on a
    /// blank id, then on a missing resource id.
    fn put_entitlement_row(
        &mut self,
        id: &str,
        rid: Option<&ResourceId>,
    ) -> Result<Upsert, C1zError> {
        if id.is_empty() {
            return Err(missing("entitlement", "", "id"));
        }
        let rid = rid.ok_or_else(|| missing("entitlement", id, "resource.id"))?;
        format_now(&mut self.ts_buf);
        let conn = self.conn.as_ref().ok_or(C1zError::Closed)?;
        let n = conn
            .prepare_cached(
                "insert into v1_entitlements (resource_type_id, resource_id, external_id, data,
                   sync_id, discovered_at)
                 values (?1, ?2, ?3, ?4, ?5, ?6) on conflict (external_id, sync_id) do nothing",
            )?
            .execute(params![
                rid.resource_type,
                rid.resource,
                id,
                self.data_buf,
                self.sync_id,
                self.ts_buf
            ])?;
        self.upsert_tail(
            n,
            "update v1_entitlements set data = ?1 where external_id = ?2 and sync_id = ?3",
            id,
        )
    }

    /// Stores a grant (key: `grant.id`). A `GrantExpandable` annotation with at least one
    /// non-blank entitlement id is removed from the stored data and kept in the `expansion`
    /// column with `needs_expansion = 1`; one with only blank ids is just removed.
    pub fn put_grant(&mut self, g: &Grant) -> Result<Upsert, C1zError> {
        let ent = g
            .entitlement
            .as_ref()
            .ok_or_else(|| missing("grant", &g.id, "entitlement"))?;
        let (erid, pid) = check_grant_keys(
            &g.id,
            &ent.id,
            ent.resource.as_ref().and_then(|r| r.id.as_ref()),
            g.principal.as_ref().and_then(|p| p.id.as_ref()),
        )?;

        let mut expansion: Option<GrantExpandable> = None;
        if annotations::has::<crate::proto::GrantExpandable>(&g.annotations) {
            // Only the rare expandable grant pays for a copy.
            let mut stripped = g.clone();
            expansion = annotations::first::<crate::proto::GrantExpandable>(&g.annotations);
            stripped
                .annotations
                .retain(|a| !crate::proto::is::<crate::proto::GrantExpandable>(a));
            encode_into(&stripped, &mut self.data_buf);
        } else {
            encode_into(g, &mut self.data_buf);
        }
        let expansion =
            expansion.filter(|e| e.entitlement_ids.iter().any(|id| !id.trim().is_empty()));
        let has_expansion = match &expansion {
            Some(e) => {
                encode_into(e, &mut self.exp_buf);
                true
            }
            None => false,
        };
        self.store_grant(&g.id, &ent.id, erid, pid, has_expansion)
    }

    /// Stores a grant given encoded (`data`), with the keys read from it, when it carries no
    /// `GrantExpandable` annotation: the row [`C1zWriter::put_grant`] writes for the decoded
    /// message (the caller checks the annotation; such a grant goes through `put_grant`).
    /// `entitlement` is `None` when the grant has none.
    pub(crate) fn put_grant_encoded(
        &mut self,
        data: &[u8],
        id: &str,
        entitlement: Option<&str>,
        entitlement_resource: Option<&ResourceId>,
        principal: Option<&ResourceId>,
    ) -> Result<Upsert, C1zError> {
        let entitlement = entitlement.ok_or_else(|| missing("grant", id, "entitlement"))?;
        let (erid, pid) = check_grant_keys(id, entitlement, entitlement_resource, principal)?;
        self.data_buf.clear();
        self.data_buf.extend_from_slice(data);
        self.store_grant(id, entitlement, erid, pid, false)
    }

    /// Upserts the grant row whose encoded message is in `data_buf` (and, with
    /// `has_expansion`, its `GrantExpandable` in `exp_buf`); the keys were checked.
    fn store_grant(
        &mut self,
        id: &str,
        entitlement: &str,
        erid: &ResourceId,
        pid: &ResourceId,
        has_expansion: bool,
    ) -> Result<Upsert, C1zError> {
        format_now(&mut self.ts_buf);
        let row = GrantColumns {
            resource_type: &erid.resource_type,
            resource: &erid.resource,
            entitlement,
            principal_type: &pid.resource_type,
            principal: &pid.resource,
            external_id: id,
            expansion: has_expansion.then_some(self.exp_buf.as_slice()),
            needs_expansion: i64::from(has_expansion),
            data: &self.data_buf,
            sync_id: &self.sync_id,
            discovered_at: &self.ts_buf,
        };
        let conn = self.conn.as_ref().ok_or(C1zError::Closed)?;
        self.spool.borrow_mut().drain(conn)?;
        let result = store_grant_row(
            conn,
            &self.grants_schema,
            &self.options,
            self.first_grant_row,
            &row,
        )?;
        self.row_written()?;
        Ok(result)
    }

    /// Replaces only the `data` of the grant in row `row_id` (expansion columns are kept).
    pub fn update_grant_data(&mut self, row_id: i64, g: &Grant) -> Result<(), C1zError> {
        encode_into(g, &mut self.data_buf);
        let conn = self.conn()?;
        self.spool.borrow_mut().drain_holding(row_id, conn)?;
        conn.prepare_cached("update v1_grants set data = ?1 where id = ?2")?
            .execute(params![self.data_buf, row_id])?;
        self.row_written()
    }

    /// Sets `ended_at`, closes the database and atomically writes `<out>` (mode 0600).
    pub fn finish(mut self) -> Result<WriteSummary, C1zError> {
        let indexes = self.complete_schema_at_finish()?;
        let conn = self.conn.take().ok_or(C1zError::Closed)?;
        format_now(&mut self.ts_buf);
        conn.execute_batch("COMMIT")?;
        conn.execute(
            "update v1_sync_runs set ended_at = ?1 where sync_id = ?2",
            params![self.ts_buf, self.sync_id],
        )?;
        if let Some((history, removed)) = self.late_history.take() {
            history.copy_late(&conn, &removed)?;
        }
        conn.close().map_err(|(_, e)| C1zError::Sqlite(e))?;
        let grants_indexes_as_pages = indexes.is_some();
        let splice = match indexes {
            Some(indexes) => indexes.write(&self.db_path)?,
            None => None,
        };
        let started = std::time::Instant::now();
        let c1z_bytes = framing::write_c1z_spliced(
            &self.db_path,
            &self.out,
            self.options.level,
            splice.as_ref(),
        )?;
        tracing::debug!(out = %self.out.display(), c1z_bytes, tmp = %self.dir.path().display(), elapsed_ms = started.elapsed().as_millis(), "c1z written");
        Ok(WriteSummary {
            sync_id: self.sync_id.clone(),
            c1z_bytes,
            kept_syncs: self.kept_syncs,
            removed_syncs: std::mem::take(&mut self.removed_syncs),
            grants_indexes_as_pages,
        })
    }
}

/// The keys every grant row needs, checked in [`C1zWriter::put_grant`]'s order: its id, its
/// entitlement's id, that entitlement's resource id, the principal's id. Returns the two ids.
fn check_grant_keys<'a>(
    id: &str,
    entitlement: &str,
    entitlement_resource: Option<&'a ResourceId>,
    principal: Option<&'a ResourceId>,
) -> Result<(&'a ResourceId, &'a ResourceId), C1zError> {
    if id.is_empty() {
        return Err(missing("grant", "", "id"));
    }
    if entitlement.is_empty() {
        return Err(missing("grant", id, "entitlement.id"));
    }
    let erid =
        entitlement_resource.ok_or_else(|| missing("grant", id, "entitlement.resource.id"))?;
    let pid = principal.ok_or_else(|| missing("grant", id, "principal.id"))?;
    Ok((erid, pid))
}

fn missing(kind: &'static str, id: &str, field: &'static str) -> C1zError {
    C1zError::MissingKey {
        kind,
        id: id.to_string(),
        field,
    }
}

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::*;
    use crate::model::ids::{entitlement_id, grant_id, resource_id};
    use crate::proto::pack;

    pub(super) fn entitlement(role: &str) -> Entitlement {
        let rid = resource_id("role", role);
        Entitlement {
            id: entitlement_id(&rid, "member"),
            resource: Some(Resource {
                id: Some(rid),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    pub(super) fn grant(ent: &Entitlement, user: &str, role_type: &str) -> Grant {
        let mut ent = ent.clone();
        // Same grant id, other key columns: lets a test see which write's columns are kept.
        if let Some(id) = ent.resource.as_mut().and_then(|r| r.id.as_mut()) {
            id.resource_type = role_type.into();
        }
        let principal = resource_id("user", user);
        Grant {
            id: grant_id(&ent.id, &principal),
            entitlement: Some(ent),
            principal: Some(Resource {
                id: Some(principal),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    /// Decompresses a finished c1z into `dir` and opens the database.
    fn open_raw(out: &Path, dir: &Path) -> Connection {
        let db = dir.join("raw.db");
        let mut file = std::fs::File::create(&db).expect("create");
        framing::decompress_to(out, &mut file, 1 << 30).expect("decompress");
        Connection::open(db).expect("open")
    }

    fn master(conn: &Connection) -> Vec<(String, String, String, Option<String>)> {
        conn.prepare("select type, name, tbl_name, sql from sqlite_master order by rowid")
            .expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    }

    /// What `pragma integrity_check` says of the database.
    fn integrity(conn: &Connection) -> String {
        conn.query_row("pragma integrity_check", [], |r| r.get(0))
            .expect("integrity_check")
    }

    fn grant_rows(conn: &Connection) -> Vec<(String, String, Vec<u8>)> {
        conn.prepare("select external_id, resource_type_id, data from v1_grants order by id")
            .expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    }

    #[test]
    fn deferred_indexes_keep_go_creation_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out.c1z");
        let mut w = C1zWriter::create(&out).expect("create");
        let ent = entitlement("1");
        w.put_entitlement(&ent).expect("ent");
        for u in 0..50 {
            w.put_grant(&grant(&ent, &u.to_string(), "role"))
                .expect("grant");
        }
        w.finish().expect("finish");

        let fresh = Connection::open_in_memory().expect("memory db");
        schema::create(&fresh).expect("ddl");
        let conn = open_raw(&out, dir.path());
        let written = master(&conn);
        let expected = master(&fresh);
        assert_eq!(written.len(), 23, "7 tables and 16 indexes");
        assert_eq!(written, expected);
        assert_eq!(integrity(&conn), "ok");
        let plan: String = conn
            .query_row(
                "explain query plan select id from v1_grants where principal_resource_type_id = 'user' and principal_resource_id = '7'",
                [],
                |r| r.get(3),
            )
            .expect("plan");
        assert!(plan.contains("idx_grants_principal_id_v1"), "{plan}");
    }

    #[test]
    fn grant_upserts_dedupe_before_and_after_the_indexes_exist() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out.c1z");
        let mut w = C1zWriter::create(&out).expect("create");
        let ent = entitlement("1");
        w.put_entitlement(&ent).expect("ent");
        let first = grant(&ent, "a", "role");
        let mut second = grant(&ent, "a", "other");
        second.annotations.push(pack(&GrantExpandable {
            entitlement_ids: vec!["role:2:member".into()],
            ..Default::default()
        }));
        // Bulk phase: deduplicated through the scratch table.
        assert_eq!(w.put_grant(&first).expect("put"), Upsert::Inserted);
        assert_eq!(w.put_grant(&second).expect("put"), Upsert::Updated);
        assert_eq!(
            w.put_grant(&grant(&ent, "b", "role")).expect("put"),
            Upsert::Inserted
        );
        // A grant query builds the indexes; upserts then go through the unique index.
        let rows = w.grants_for_entitlement(&ent.id, 0, 10).expect("query");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].grant.id, first.id);
        assert!(rows[0].expansion.is_some(), "second write set expansion");
        assert_eq!(
            w.grants_of_principal(&ent.id, &resource_id("user", "b"))
                .expect("query")
                .len(),
            1
        );
        assert_eq!(w.expandable_grants(0, 10).expect("query").len(), 1);
        assert_eq!(w.put_grant(&first).expect("put"), Upsert::Updated);
        assert_eq!(
            w.put_grant(&grant(&ent, "c", "role")).expect("put"),
            Upsert::Inserted
        );
        w.finish().expect("finish");

        let conn = open_raw(&out, dir.path());
        let rows = grant_rows(&conn);
        let ids: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(
            ids,
            [
                first.id.as_str(),
                "role:1:member:user:b",
                "role:1:member:user:c"
            ]
        );
        // Key columns keep the first write; data is the last write.
        assert_eq!(rows[0].1, "role");
        assert_eq!(rows[0].2, first.encode_to_vec());
        let (exp, needs): (Option<Vec<u8>>, i64) = conn
            .query_row(
                "select expansion, needs_expansion from v1_grants where external_id = ?1",
                [&first.id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("row");
        assert_eq!((exp, needs), (None, 0), "last write had no expansion");
    }

    #[test]
    fn scratch_database_lives_only_during_the_bulk_load() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out.c1z");
        let mut w = C1zWriter::create(&out).expect("create");
        let ent = entitlement("1");
        w.put_entitlement(&ent).expect("ent");
        let scratch_open = |w: &C1zWriter| match &*w.grants_schema.borrow() {
            GrantsSchema::Deferred(seen) => seen.is_some(),
            other => panic!("unexpected state {other:?}"),
        };
        assert!(!scratch_open(&w), "opened at the first grant only");
        w.put_grant(&grant(&ent, "a", "role")).expect("grant");
        w.put_grant(&grant(&ent, "b", "role")).expect("grant");
        assert!(scratch_open(&w));
        assert_eq!(w.expandable_grants(0, 10).expect("query").len(), 0);
        assert!(matches!(&*w.grants_schema.borrow(), GrantsSchema::Complete));
        assert_eq!(
            w.put_grant(&grant(&ent, "a", "role")).expect("grant"),
            Upsert::Updated
        );
        w.finish().expect("finish");
        let conn = open_raw(&out, dir.path());
        assert_eq!(grant_rows(&conn).len(), 2);
    }

    #[test]
    fn decompressed_history_is_removed_once_copied() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out.c1z");
        let ent = entitlement("1");
        let mut w = C1zWriter::create(&out).expect("create");
        w.put_entitlement(&ent).expect("ent");
        w.put_grant(&grant(&ent, "a", "role")).expect("grant");
        w.finish().expect("finish");

        let w = C1zWriter::create(&out).expect("append");
        assert_eq!(w.kept_syncs, 1);
        let leftovers: Vec<_> = std::fs::read_dir(w.dir.path())
            .expect("read temp dir")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with("history"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn database_uses_64_kib_pages() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out.c1z");
        let mut w = C1zWriter::create(&out).expect("create");
        let ent = entitlement("1");
        w.put_entitlement(&ent).expect("ent");
        w.put_grant(&grant(&ent, "a", "role")).expect("grant");
        w.finish().expect("finish");
        let conn = open_raw(&out, dir.path());
        let size: i64 = conn
            .query_row("pragma page_size", [], |r| r.get(0))
            .expect("page_size");
        assert_eq!(size, 65_536);
        assert_eq!(integrity(&conn), "ok");
    }

    /// The in-order records of every grants index in the database at `db`.
    fn grants_index_records(db: &Path) -> Vec<(String, Vec<Vec<u8>>)> {
        let conn = Connection::open(db).expect("open");
        let roots: Vec<(String, u32)> = conn
            .prepare("select name, rootpage from sqlite_master where type = 'index' and tbl_name = 'v1_grants' order by rowid")
            .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .expect("roots");
        drop(conn);
        roots
            .into_iter()
            .map(|(name, root)| (name, super::super::index_btree::index_payloads(db, root)))
            .collect()
    }

    /// How the grants of [`write_sync`] are shaped.
    #[derive(Clone, Copy)]
    struct Shape {
        /// Each role also has an entitlement whose id is the first one's plus `:admin`.
        extended_entitlements: bool,
        /// Some grants have ids of their own instead of `<entitlement>:<principal>`.
        own_ids: bool,
    }

    const REGULAR: Shape = Shape {
        extended_entitlements: false,
        own_ids: false,
    };

    /// Writes one sync of grants over `roles` roles, some expandable, into `out`.
    fn write_sync(out: &Path, roles: usize, users: usize, shape: Shape) -> WriteSummary {
        let mut w = C1zWriter::create(out).expect("create");
        for role in 0..roles {
            let member = entitlement(&role.to_string());
            let mut admin = member.clone();
            admin.id = format!("{}:admin", member.id);
            let ents = if shape.extended_entitlements {
                vec![member, admin]
            } else {
                vec![member]
            };
            for ent in ents {
                w.put_entitlement(&ent).expect("ent");
                for u in 0..users {
                    let mut g = grant(&ent, &format!("u{}", (u * 7 + role) % (users + 3)), "role");
                    if u % 5 == 0 {
                        g.annotations.push(pack(&GrantExpandable {
                            entitlement_ids: vec![format!("role:{}:member", role + 1)],
                            ..Default::default()
                        }));
                    }
                    if shape.own_ids && u % 11 == 3 {
                        g.id = format!("custom:{role}:{u}");
                    }
                    w.put_grant(&g).expect("grant");
                }
                // Written again: the first loses its expansion, the second gains one.
                for u in [0, 1] {
                    let mut g = grant(&ent, &format!("u{}", (u * 7 + role) % (users + 3)), "role");
                    if u == 1 {
                        g.annotations.push(pack(&GrantExpandable {
                            entitlement_ids: vec![format!("role:{}:member", role + 2)],
                            ..Default::default()
                        }));
                    }
                    assert_eq!(w.put_grant(&g).expect("grant"), Upsert::Updated);
                }
            }
        }
        w.finish().expect("finish")
    }

    /// Two syncs into one file: the grants indexes, written as pages over both syncs' grants,
    /// hold exactly the records SQLite's `REINDEX` writes, in the same order.
    fn check_two_syncs(shape: Shape) {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out.c1z");
        assert!(write_sync(&out, 40, 300, shape).grants_indexes_as_pages);
        assert!(write_sync(&out, 45, 280, shape).grants_indexes_as_pages);
        let conn = open_raw(&out, dir.path());
        assert_eq!(integrity(&conn), "ok");
        let syncs: i64 = conn
            .query_row("select count(distinct sync_id) from v1_grants", [], |r| {
                r.get(0)
            })
            .expect("syncs");
        assert_eq!(syncs, 2);
        assert_eq!(master(&conn), {
            let fresh = Connection::open_in_memory().expect("memory db");
            schema::create(&fresh).expect("ddl");
            master(&fresh)
        });
        drop(conn);
        let ours = dir.path().join("raw.db");
        let rebuilt = dir.path().join("reindexed.db");
        std::fs::copy(&ours, &rebuilt).expect("copy");
        Connection::open(&rebuilt)
            .and_then(|c| c.execute_batch("REINDEX v1_grants"))
            .expect("reindex");
        let (got, want) = (grants_index_records(&ours), grants_index_records(&rebuilt));
        assert_eq!(got.len(), 7);
        for ((name, records), (_, sqlite)) in got.iter().zip(&want) {
            assert!(sqlite.len() > 1000, "{name} has entries");
            assert_eq!(records.len(), sqlite.len(), "{name}");
            assert!(records == sqlite, "{name}: records differ from SQLite's");
        }
    }

    #[test]
    fn grants_indexes_written_as_pages_equal_sqlites_own() {
        // Grant ids all `<entitlement>:<principal>`: the external ids sort by their pieces.
        check_two_syncs(REGULAR);
        // Entitlement ids that extend others, then also ids of grants' own: the external ids
        // are compared byte by byte.
        check_two_syncs(Shape {
            extended_entitlements: true,
            own_ids: false,
        });
        check_two_syncs(Shape {
            extended_entitlements: true,
            own_ids: true,
        });
    }

    #[test]
    fn history_with_non_text_keys_gets_indexes_built_by_sqlite() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out.c1z");
        write_sync(&out, 3, 20, REGULAR);
        // A file from another writer may hold a key as a blob, which sorts after all text:
        // the page path leaves such files to SQLite.
        let db = dir.path().join("raw.db");
        open_raw(&out, dir.path())
            .execute_batch("update v1_grants set resource_id = x'35' where id = 2")
            .expect("blob key");
        framing::write_c1z(&db, &out, 1).expect("recompress");
        assert!(!write_sync(&out, 3, 20, REGULAR).grants_indexes_as_pages);
        std::fs::remove_file(&db).expect("remove");
        let conn = open_raw(&out, dir.path());
        assert_eq!(integrity(&conn), "ok");
        let blobs: i64 = conn
            .query_row("select count(*) from v1_grants indexed by idx_grants_resource_type_id_resource_id_v1 where resource_type_id = 'role' and resource_id = x'35'", [], |r| r.get(0))
            .expect("blob row");
        assert_eq!(blobs, 1);
    }

    /// The sync ids in the file's `v1_sync_runs`, oldest first, and its distinct grant syncs.
    fn syncs(conn: &Connection) -> (Vec<String>, i64) {
        let runs = conn
            .prepare("select sync_id from v1_sync_runs order by id")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .expect("runs");
        let grant_syncs = conn
            .query_row("select count(distinct sync_id) from v1_grants", [], |r| {
                r.get(0)
            })
            .expect("grant syncs");
        (runs, grant_syncs)
    }

    #[test]
    fn a_file_this_writer_made_becomes_the_next_database() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out.c1z");
        let mut ids = Vec::new();
        for roles in [5, 6, 7] {
            let w = C1zWriter::create(&out).expect("create");
            assert_eq!(w.history_in_place, !ids.is_empty());
            drop(w);
            ids.push(write_sync(&out, roles, 30, REGULAR).sync_id);
        }
        // Default retention keeps two full syncs: the first one's rows were deleted in place.
        let conn = open_raw(&out, dir.path());
        assert_eq!(integrity(&conn), "ok");
        assert_eq!(syncs(&conn), (ids[1..].to_vec(), 2));
        let stale: i64 = conn
            .query_row(
                "select (select count(*) from v1_resources where sync_id = ?1)
                      + (select count(*) from v1_entitlements where sync_id = ?1)
                      + (select count(*) from v1_grants where sync_id = ?1)",
                [&ids[0]],
                |r| r.get(0),
            )
            .expect("stale rows");
        assert_eq!(stale, 0);
        assert_eq!(master(&conn), {
            let fresh = Connection::open_in_memory().expect("memory db");
            schema::create(&fresh).expect("ddl");
            master(&fresh)
        });
    }

    #[test]
    fn a_file_with_other_pages_is_copied() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out.c1z");
        let first = write_sync(&out, 4, 20, REGULAR).sync_id;
        // Go leaves SQLite's 4 KiB pages.
        copy_path_for(&out, dir.path(), "PRAGMA page_size=4096; VACUUM", &first);
    }

    #[test]
    fn a_file_with_auto_vacuum_is_copied() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out.c1z");
        let first = write_sync(&out, 4, 20, REGULAR).sync_id;
        copy_path_for(&out, dir.path(), "PRAGMA auto_vacuum=FULL; VACUUM", &first);
    }

    /// Rewrites the database in `out` with `sql`, then checks that the next sync copies the
    /// earlier one (`first`) into a fresh database with the writer's layout.
    fn copy_path_for(out: &Path, dir: &Path, sql: &str, first: &str) {
        let db = dir.join("raw.db");
        open_raw(out, dir).execute_batch(sql).expect("rewrite");
        framing::write_c1z(&db, out, 1).expect("recompress");
        std::fs::remove_file(&db).expect("remove");
        let w = C1zWriter::create(out).expect("create");
        assert!(!w.history_in_place);
        drop(w);
        let second = write_sync(out, 5, 20, REGULAR).sync_id;
        let conn = open_raw(out, dir);
        assert_eq!(syncs(&conn), (vec![first.to_string(), second], 2));
        let layout: (i64, i64, String) = conn
            .query_row(
                "select (select page_size from pragma_page_size()),
                        (select auto_vacuum from pragma_auto_vacuum()),
                        (select integrity_check from pragma_integrity_check())",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .expect("layout");
        assert_eq!(layout, (65_536, 0, "ok".to_string()));
    }

    #[test]
    fn rows_in_tables_created_at_finish_are_copied_over() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out.c1z");
        let first = write_sync(&out, 2, 10, REGULAR).sync_id;
        // baton-sdk connectors may keep session state; this writer never adds any.
        let db = dir.path().join("raw.db");
        open_raw(&out, dir.path())
            .execute(
                "insert into v1_connector_sessions (sync_id, key, value) values (?1, 'k', x'01')",
                [&first],
            )
            .expect("session row");
        framing::write_c1z(&db, &out, 1).expect("recompress");
        std::fs::remove_file(&db).expect("remove");
        let w = C1zWriter::create(&out).expect("create");
        assert!(!w.history_in_place);
        drop(w);
        write_sync(&out, 2, 10, REGULAR);
        let conn = open_raw(&out, dir.path());
        let kept: String = conn
            .query_row("select sync_id from v1_connector_sessions", [], |r| {
                r.get(0)
            })
            .expect("session row kept");
        assert_eq!(kept, first);
    }

    #[test]
    fn put_resource_if_new_keeps_the_first_write() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out.c1z");
        let mut w = C1zWriter::create(&out).expect("create");
        let mut r = Resource {
            id: Some(resource_id("user", "a")),
            display_name: "first".into(),
            ..Default::default()
        };
        assert!(w.put_resource_if_new(&r).expect("put"));
        r.display_name = "second".into();
        assert!(!w.put_resource_if_new(&r).expect("put"));
        assert!(w.has_resource(&resource_id("user", "a")).expect("has"));
        r.id = Some(resource_id("user", ""));
        assert!(matches!(
            w.put_resource_if_new(&r),
            Err(C1zError::MissingKey { .. })
        ));
        w.finish().expect("finish");
        let conn = open_raw(&out, dir.path());
        let data: Vec<Vec<u8>> = conn
            .prepare("select data from v1_resources")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .expect("rows");
        assert_eq!(data.len(), 1);
        let stored = Resource::decode(data[0].as_slice()).expect("decode");
        assert_eq!(stored.display_name, "first");
    }

    /// `v1_resources`' type, key, parent type, parent id and data.
    type ResourceRow = (String, String, Option<String>, Option<String>, Vec<u8>);

    #[test]
    fn an_encoded_resource_is_stored_as_the_decoded_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let r = Resource {
            id: Some(resource_id("folder", "7")),
            parent_resource_id: Some(resource_id("project", "3")),
            display_name: "Folder".into(),
            ..Default::default()
        };
        let mut rows = Vec::new();
        for (name, encoded) in [("decoded.c1z", false), ("encoded.c1z", true)] {
            let out = dir.path().join(name);
            let mut w = C1zWriter::create(&out).expect("create");
            let put = |w: &mut C1zWriter, r: &Resource| {
                if encoded {
                    w.put_resource_encoded_if_new(
                        &r.encode_to_vec(),
                        r.id.as_ref(),
                        r.parent_resource_id.as_ref(),
                    )
                } else {
                    w.put_resource_if_new(r)
                }
            };
            assert!(put(&mut w, &r).expect("put"));
            let mut again = r.clone();
            again.display_name = "Second".into();
            assert!(!put(&mut w, &again).expect("put"), "{name}: kept the first");
            let mut blank = r.clone();
            blank.id = Some(resource_id("folder", ""));
            assert!(matches!(
                put(&mut w, &blank),
                Err(C1zError::MissingKey { .. })
            ));
            w.finish().expect("finish");
            let conn = open_raw(&out, dir.path());
            let row: Vec<ResourceRow> = conn
                .prepare(
                    "select resource_type_id, external_id, parent_resource_type_id,
                       parent_resource_id, data from v1_resources",
                )
                .and_then(|mut s| {
                    s.query_map([], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                    })?
                    .collect()
                })
                .expect("rows");
            rows.push(row);
        }
        assert_eq!(rows[0], rows[1]);
        assert_eq!(
            (rows[0][0].1.as_str(), rows[0][0].3.as_deref()),
            ("folder:7", Some("3"))
        );
        assert_eq!(rows[0][0].4, r.encode_to_vec());
    }

    #[test]
    fn a_key_too_large_for_an_index_page_leaves_the_indexes_to_sqlite() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out.c1z");
        let mut w = C1zWriter::create(&out).expect("create");
        let ent = entitlement("1");
        w.put_entitlement(&ent).expect("ent");
        w.put_grant(&grant(&ent, "a", "role")).expect("grant");
        w.put_grant(&grant(&ent, &"x".repeat(20_000), "role"))
            .expect("grant");
        assert!(!w.finish().expect("finish").grants_indexes_as_pages);
        let conn = open_raw(&out, dir.path());
        assert_eq!(integrity(&conn), "ok");
        assert_eq!(grant_rows(&conn).len(), 2);
    }
}
