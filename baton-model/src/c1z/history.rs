//! Adding a sync to an existing c1z: the earlier syncs of the file come first in the new
//! database, before the new sync's rows, keeping what [`Retention`] keeps.
//!
//! A previous file this writer made (same page size, exactly the same schema, nothing in the
//! tables created at finish) becomes the new database itself: the decompressed file is renamed
//! into place, the removed syncs' rows are deleted and the schema created at finish is dropped
//! ([`prepare_in_place`]). Any other file is copied, by SQLite, into a fresh database
//! ([`History::copy_early`]). Either way this happens when the writer is created, while the
//! grants table has no indexes yet (see the writer's bulk load), so the grants indexes are
//! built once over the old and the new rows together. Old rows keep their row ids and come
//! first, so the new sync's rows and its `v1_sync_runs` row get the highest ids, as in a file
//! Go appended to. The old file itself is only read; it is replaced by the rename that
//! publishes the new file.

use std::path::{Path, PathBuf};

use rusqlite::{params_from_iter, Connection, OpenFlags};

use super::codec::time_column;
use super::retention::{self, Retention, RunInfo};
use super::{framing, index_btree, schema, C1zError};

/// Tables whose rows are copied when the writer is created, in Go's creation order.
const EARLY_TABLES: &[&str] = &[
    "v1_resource_types",
    "v1_resources",
    "v1_entitlements",
    "v1_sync_runs",
    "v1_grants",
];
/// Tables the writer creates only when it finishes (after the grants indexes).
const LATE_TABLES: &[&str] = &["v1_assets", "v1_connector_sessions"];
/// Tables a database must have to be a c1z.
const REQUIRED_TABLES: &[&str] = &[
    "v1_resource_types",
    "v1_resources",
    "v1_entitlements",
    "v1_sync_runs",
    "v1_grants",
];
/// Schema name of the attached previous database.
const SCHEMA: &str = "history";

/// The decompressed previous c1z, kept in the writer's private directory.
#[derive(Debug)]
pub(crate) struct History {
    db: PathBuf,
}

/// Whether [`History::reusable`] found a file the writer can take over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reuse {
    /// The decompressed file becomes the new database ([`History::into_database`]).
    InPlace,
    /// Its rows are copied into a fresh database ([`History::copy_early`]), with the reason.
    Copy(&'static str),
}

/// What [`copy_early`] did.
#[derive(Debug, Default)]
pub(crate) struct Copied {
    /// Sync runs carried over from the previous file.
    pub(crate) kept: usize,
    /// Sync ids dropped by the retention policy.
    pub(crate) removed: Vec<String>,
    /// Whether `v1_assets` or `v1_connector_sessions` have rows to copy at finish.
    pub(crate) late_rows: bool,
}

/// Decompresses the c1z at `out` into `dir` and checks that it is a c1z database. `None` when
/// there is no file, or an empty one (which baton-sdk also treats as a new file). Any other
/// failure is [`C1zError::Unreadable`] naming `out`: the file is never overwritten then.
pub(crate) fn load(out: &Path, dir: &Path, max_decoded: u64) -> Result<Option<History>, C1zError> {
    match std::fs::metadata(out) {
        Ok(meta) if meta.is_file() && meta.len() == 0 => return Ok(None),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(unreadable(
                out,
                C1zError::Io {
                    op: "stat the existing output",
                    path: out.to_path_buf(),
                    source,
                },
            ))
        }
    }
    let db = dir.join("history.db");
    let mut file = std::fs::File::create(&db).map_err(|source| C1zError::Io {
        op: "create temp database",
        path: db.clone(),
        source,
    })?;
    match framing::decompress_to(out, &mut file, max_decoded) {
        Ok(_) => {}
        // The temp disk, not the c1z, failed.
        Err(
            e @ C1zError::Io {
                op: framing::WRITE_TEMP_OP,
                ..
            },
        ) => return Err(e),
        Err(e) => return Err(unreadable(out, e)),
    }
    drop(file);
    check_tables(&db).map_err(|e| unreadable(out, e))?;
    Ok(Some(History { db }))
}

fn unreadable(out: &Path, source: C1zError) -> C1zError {
    C1zError::Unreadable {
        path: out.to_path_buf(),
        source: Box::new(source),
    }
}

fn check_tables(db: &Path) -> Result<(), C1zError> {
    let conn = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    for table in REQUIRED_TABLES {
        let found: bool = conn.query_row(
            "select exists(select 1 from sqlite_master where type = 'table' and name = ?1)",
            [table],
            |r| r.get(0),
        )?;
        if !found {
            return Err(C1zError::MissingTable { table });
        }
    }
    Ok(())
}

impl Drop for History {
    // The decompressed file is as large as the whole previous database: once its rows are
    // copied it is removed at once rather than with the writer's temp directory, which frees
    // the temp disk (and spares the kernel writing it back) for the rest of the sync.
    fn drop(&mut self) {
        match std::fs::remove_file(&self.db) {
            Ok(()) => {}
            // Renamed into place (`into_database`).
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                tracing::debug!(path = %self.db.display(), error = %e, "could not remove the decompressed previous c1z");
            }
        }
    }
}

impl History {
    /// Whether the decompressed file has exactly the layout the writer creates (`page_size`,
    /// the schema of `schema::DDL` in its order) and no rows in the tables created at finish,
    /// so it can become the new database instead of being copied.
    pub(crate) fn reusable(&self, page_size: u32) -> Result<Reuse, C1zError> {
        let conn = Connection::open_with_flags(
            &self.db,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let size: u32 = conn.query_row("pragma page_size", [], |r| r.get(0))?;
        if size != page_size {
            return Ok(Reuse::Copy("its page size differs"));
        }
        // The grants indexes will be written as pages into this file (auto-vacuum, reserved
        // bytes, another encoding or schema format would not take them).
        if let Err(why) = index_btree::supports(&self.db)? {
            return Ok(Reuse::Copy(why));
        }
        let fresh = Connection::open_in_memory()?;
        schema::create(&fresh)?;
        if master(&conn)? != master(&fresh)? {
            return Ok(Reuse::Copy("its schema differs"));
        }
        for table in LATE_TABLES {
            if has_rows(&conn, "main", table, &[])? {
                return Ok(Reuse::Copy("it has rows in tables created at finish"));
            }
        }
        Ok(Reuse::InPlace)
    }

    /// Renames the decompressed file to `db`, the new database's path (same directory).
    pub(crate) fn into_database(self, db: &Path) -> Result<(), C1zError> {
        std::fs::rename(&self.db, db).map_err(|source| C1zError::Io {
            op: "rename the previous c1z's database",
            path: self.db.clone(),
            source,
        })
        // `self` drops here; its file is gone already, which `Drop` tolerates.
    }

    fn attach(&self, conn: &Connection) -> Result<(), C1zError> {
        let path = self.db.to_str().ok_or_else(|| C1zError::Io {
            op: "attach the previous c1z",
            path: self.db.clone(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "temp path is not UTF-8"),
        })?;
        conn.execute(&format!("attach database ?1 as {SCHEMA}"), [path])?;
        Ok(())
    }

    /// Copies the rows of the syncs `retention` keeps into `conn`'s tables that exist now
    /// (before the new sync's rows), given the new sync as the last run. `conn` must be in
    /// autocommit mode; the copy is one transaction.
    pub(crate) fn copy_early(
        &self,
        conn: &Connection,
        new_run: &RunInfo,
        retention: Retention,
    ) -> Result<Copied, C1zError> {
        self.attach(conn)?;
        let result = (|| {
            let mut runs = runs(conn, SCHEMA)?;
            let before = runs.len();
            runs.push(new_run.clone());
            let removed = retention::to_remove(&runs, retention);
            conn.execute_batch("BEGIN")?;
            for table in EARLY_TABLES {
                copy_table(conn, table, &removed)?;
            }
            conn.execute_batch("COMMIT")?;
            let mut late_rows = false;
            for table in LATE_TABLES {
                late_rows |= has_rows(conn, SCHEMA, table, &removed)?;
            }
            Ok(Copied {
                kept: before.saturating_sub(removed.len()),
                removed,
                late_rows,
            })
        })();
        if result.is_err() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        conn.execute_batch(&format!("DETACH DATABASE {SCHEMA}"))?;
        result
    }

    /// Copies the rows of the tables created last (`v1_assets`, `v1_connector_sessions`) of
    /// the kept syncs. `conn` must be in autocommit mode.
    pub(crate) fn copy_late(&self, conn: &Connection, removed: &[String]) -> Result<(), C1zError> {
        self.attach(conn)?;
        let result = (|| {
            conn.execute_batch("BEGIN")?;
            for table in LATE_TABLES {
                copy_table(conn, table, removed)?;
            }
            conn.execute_batch("COMMIT")?;
            Ok(())
        })();
        if result.is_err() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        conn.execute_batch(&format!("DETACH DATABASE {SCHEMA}"))?;
        result
    }
}

/// The runs of the database `schema`, oldest first (by row id, as baton-sdk lists them).
fn runs(conn: &Connection, schema: &str) -> Result<Vec<RunInfo>, C1zError> {
    let cols = columns(conn, schema, "v1_sync_runs")?;
    let opt = |name: &str, default: &str| {
        if cols.iter().any(|c| c == name) {
            name.to_string()
        } else {
            format!("'{default}'")
        }
    };
    let sql = format!(
        "select sync_id, started_at, ended_at, {}, {} from {schema}.v1_sync_runs order by id",
        opt("sync_type", "full"),
        opt("linked_sync_id", "")
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([], |r| {
        Ok(RunInfo {
            sync_id: r.get(0)?,
            started_at: time_column(r.get_ref(1)?),
            ended_at: time_column(r.get_ref(2)?),
            sync_type: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
            linked_sync_id: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Column names of `schema.table` in declaration order (empty when the table does not exist).
fn columns(conn: &Connection, schema: &str, table: &str) -> Result<Vec<String>, C1zError> {
    let mut stmt = conn.prepare("select name from pragma_table_info(?1, ?2) order by cid")?;
    let names = stmt
        .query_map([table, schema], |r| r.get::<_, String>(0))?
        .collect::<Result<_, _>>()?;
    Ok(names)
}

/// `where sync_id not in (?, …)`, or nothing when no sync is removed.
fn not_removed(removed: &[String]) -> String {
    if removed.is_empty() {
        String::new()
    } else {
        format!(
            " where sync_id not in ({})",
            vec!["?"; removed.len()].join(", ")
        )
    }
}

/// Copies the rows of `table` not belonging to a removed sync, with the columns both schemas
/// have: columns an older file lacks take their defaults, columns a newer file has are
/// dropped (this file keeps baton-sdk v0.7.27's column set).
fn copy_table(conn: &Connection, table: &str, removed: &[String]) -> Result<(), C1zError> {
    let old = columns(conn, SCHEMA, table)?;
    if old.is_empty() {
        return Ok(());
    }
    let new = columns(conn, "main", table)?;
    let common: Vec<&str> = new
        .iter()
        .filter(|c| old.contains(c))
        .map(String::as_str)
        .collect();
    let sql = if removed.is_empty() && old == new {
        // Same columns, every row kept: SQLite's transfer optimisation copies the records
        // as they are (row ids included) instead of decoding and re-encoding each one.
        format!("insert into main.{table} select * from {SCHEMA}.{table}")
    } else {
        let list = common.join(", ");
        format!(
            "insert into main.{table} ({list}) select {list} from {SCHEMA}.{table}{} order by id",
            not_removed(removed)
        )
    };
    let n = conn.execute(&sql, params_from_iter(removed))?;
    tracing::debug!(table, rows = n, "copied rows of earlier syncs");
    Ok(())
}

fn has_rows(
    conn: &Connection,
    schema: &str,
    table: &str,
    removed: &[String],
) -> Result<bool, C1zError> {
    if columns(conn, schema, table)?.is_empty() {
        return Ok(false);
    }
    let sql = format!(
        "select exists(select 1 from {schema}.{table}{})",
        not_removed(removed)
    );
    Ok(conn.query_row(&sql, params_from_iter(removed), |r| r.get(0))?)
}

/// `(type, name, tbl_name, sql)` of every schema object, in creation order.
fn master(conn: &Connection) -> Result<Vec<[Option<String>; 4]>, C1zError> {
    let mut stmt =
        conn.prepare("select type, name, tbl_name, sql from sqlite_master order by rowid")?;
    let rows = stmt
        .query_map([], |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?]))?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Turns a previous database renamed into place ([`History::into_database`]) into the start
/// of the new one, given the new sync as the last run: drops what the writer creates at finish
/// (the grants indexes, `v1_assets`, `v1_connector_sessions`), so the schema again ends at the
/// grants table as in a fresh database, and deletes the rows of the syncs `retention` removes.
/// `conn` must be in autocommit mode; this is one transaction.
pub(crate) fn prepare_in_place(
    conn: &Connection,
    new_run: &RunInfo,
    retention: Retention,
) -> Result<Copied, C1zError> {
    let mut runs = runs(conn, "main")?;
    let before = runs.len();
    runs.push(new_run.clone());
    let removed = retention::to_remove(&runs, retention);
    let result = (|| {
        conn.execute_batch("BEGIN")?;
        let late: Vec<(String, String)> = {
            let mut stmt = conn.prepare(
                "select type, name from sqlite_master
                 where rowid > (select rowid from sqlite_master
                                where type = 'table' and name = 'v1_grants')
                 order by rowid desc",
            )?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            rows
        };
        for (kind, name) in &late {
            let kind = if kind == "index" { "index" } else { "table" };
            conn.execute_batch(&format!(
                "drop {kind} if exists \"{}\"",
                name.replace('"', "\"\"")
            ))?;
        }
        if !removed.is_empty() {
            let marks = vec!["?"; removed.len()].join(", ");
            for table in EARLY_TABLES {
                let n = conn.execute(
                    &format!("delete from {table} where sync_id in ({marks})"),
                    params_from_iter(&removed),
                )?;
                tracing::debug!(table, rows = n, "deleted rows of removed syncs");
            }
        }
        conn.execute_batch("COMMIT")?;
        Ok(Copied {
            kept: before.saturating_sub(removed.len()),
            removed,
            late_rows: false,
        })
    })();
    if result.is_err() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    result
}
