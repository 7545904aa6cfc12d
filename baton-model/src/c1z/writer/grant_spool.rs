//! The grant expansion's new grants, kept as table leaf pages in a spool file instead of
//! being inserted row by row (docs/decisions.md#d60-expanded-grants-written-as-pages).
//!
//! The expansion writes its grants last, during the bulk load, with row ids above every
//! stored grant. Each row becomes the record SQLite would store, packed into leaf pages of
//! the database's page size; at `finish` the pages are appended to the grants table
//! (`table_append`) and their keys go into the grants indexes with the others. Whatever
//! needs those rows inside SQLite before that (a grant query, another grant write, a row
//! read back by id, a path at `finish` that cannot take pages) first [`drain`]s the spool:
//! its rows are inserted with their row ids, as if the spool had never been.
//!
//! [`drain`]: GrantSpool::drain

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::Connection;

use super::bulk_load::GrantColumns;
use crate::c1z::framing::Splice;
use crate::c1z::index_btree::{encode_record, io_err, Value};
use crate::c1z::table_append::{leaf_rows, max_local, LeafPage, NewLeaves};
use crate::c1z::table_pages::{record_columns, Column};
use crate::c1z::C1zError;

/// Grant rows not yet in the database, as leaf pages (see the module docs).
pub(in crate::c1z) struct GrantSpool {
    path: PathBuf,
    // Unbuffered: each write is a whole page, still hot in the CPU cache when the kernel
    // copies it (through a 1 MiB buffer the expansion took nearly twice the CPU, D60).
    out: File,
    page_size: usize,
    page: LeafPage,
    // The largest row id of each page written to the file.
    lasts: Vec<i64>,
    first: i64,
    next: i64,
    record: Vec<u8>,
}

impl std::fmt::Debug for GrantSpool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GrantSpool")
            .field("path", &self.path)
            .field("first", &self.first)
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

/// The insert of one drained row, taking the row id and the columns in declaration order.
const INSERT: &str = "insert into v1_grants (id, resource_type_id, resource_id, entitlement_id,
   principal_resource_type_id, principal_resource_id, external_id, expansion, needs_expansion,
   data, sync_id, discovered_at)
 values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

impl GrantSpool {
    /// An empty spool in `dir` for rows from `first` on, in pages of `page_size` bytes.
    pub(super) fn create(dir: &Path, first: i64, page_size: usize) -> Result<Self, C1zError> {
        let path = dir.join("expanded-grants.pages");
        let file = File::options()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(io_err("create grant spool", &path))?;
        Ok(Self {
            path,
            out: file,
            page_size,
            page: LeafPage::new(page_size),
            lasts: Vec::new(),
            first,
            next: first,
            record: Vec::with_capacity(1024),
        })
    }

    /// Whether row `row` is in the spool (or would be, being next).
    pub(super) fn holds(&self, row: i64) -> bool {
        row >= self.first
    }

    /// The largest row id in the spool, if any.
    pub(super) fn last_row(&self) -> Option<i64> {
        (self.next > self.first).then_some(self.next - 1)
    }

    /// Adds `row` as row id `id`. `Ok(false)`, with nothing added, when the row cannot be
    /// spooled: its id is not the next one or its record would need overflow pages.
    pub(super) fn push(&mut self, id: i64, row: &GrantColumns<'_>) -> Result<bool, C1zError> {
        if id != self.next {
            return Ok(false);
        }
        encode_record(
            &[
                // The row id alias is stored as NULL.
                Value::Null,
                Value::Text(row.resource_type.as_bytes()),
                Value::Text(row.resource.as_bytes()),
                Value::Text(row.entitlement.as_bytes()),
                Value::Text(row.principal_type.as_bytes()),
                Value::Text(row.principal.as_bytes()),
                Value::Text(row.external_id.as_bytes()),
                row.expansion.map_or(Value::Null, Value::Blob),
                Value::Int(row.needs_expansion),
                Value::Blob(row.data),
                Value::Text(row.sync_id.as_bytes()),
                Value::Text(row.discovered_at.as_bytes()),
            ],
            &mut self.record,
        );
        if self.record.len() > max_local(self.page_size) {
            return Ok(false);
        }
        if !self.page.push(id, &self.record) {
            self.out
                .write_all(self.page.finish())
                .map_err(io_err("write grant spool", &self.path))?;
            self.lasts.push(self.page.last_row());
            self.page.clear();
            if !self.page.push(id, &self.record) {
                return Ok(false);
            }
        }
        self.next += 1;
        Ok(true)
    }

    /// The file, flushed and positioned at its first page.
    fn rewound(&mut self) -> Result<&mut File, C1zError> {
        let file = &mut self.out;
        file.seek(SeekFrom::Start(0))
            .map_err(io_err("read grant spool", &self.path))?;
        Ok(file)
    }

    /// Calls `row` with each row id and record, in order. The spool takes no rows after.
    pub(super) fn for_each_row<E: From<C1zError>>(
        &mut self,
        mut row: impl FnMut(i64, &[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        let pages = self.lasts.len();
        let path = self.path.clone();
        let page_size = self.page_size;
        let file = self.rewound()?;
        let mut buf = vec![0; page_size];
        for _ in 0..pages {
            file.read_exact(&mut buf)
                .map_err(io_err("read grant spool", &path))?;
            for (id, record) in leaf_rows(&buf).ok_or_else(|| corrupt(&path))? {
                row(id, record)?;
            }
        }
        for (id, record) in leaf_rows(self.page.finish()).ok_or_else(|| corrupt(&path))? {
            row(id, record)?;
        }
        Ok(())
    }

    /// Inserts every row into `v1_grants` on `conn`, with its row id; the spool is gone.
    pub(super) fn drain(mut self, conn: &Connection) -> Result<(), C1zError> {
        tracing::debug!(
            rows = self.next - self.first,
            "inserting the spooled grants through SQLite"
        );
        let mut insert = conn.prepare_cached(INSERT)?;
        let path = self.path.clone();
        self.for_each_row(|id, record| {
            let Some((cols, 12)) = record_columns::<12>(record) else {
                return Err(corrupt(&path));
            };
            let id = ToSqlOutput::Borrowed(ValueRef::Integer(id));
            insert.execute(rusqlite::params_from_iter(
                std::iter::once(id).chain(cols[1..].iter().map(|&c| to_sql(c))),
            ))?;
            Ok(())
        })?;
        drop(insert);
        let _ = std::fs::remove_file(&self.path);
        Ok(())
    }

    /// Appends the spooled rows to the table walked as `shape`, through `pages`. The spool
    /// file's pages are not copied into the database: the returned splice says where they go
    /// when the database is compressed (the file stays until the writer's directory goes).
    pub(in crate::c1z) fn append_to(
        mut self,
        pages: &mut crate::c1z::index_btree::IndexPages,
        db: &Path,
        shape: &crate::c1z::table_pages::TableShape,
    ) -> Result<Option<Splice>, C1zError> {
        if pages.usable() != self.page_size {
            return Err(C1zError::Io {
                op: "append spooled grants",
                path: db.to_path_buf(),
                source: std::io::Error::other("page size differs from the spool's"),
            });
        }
        let lasts = std::mem::take(&mut self.lasts);
        let tail_last = self.page.last_row();
        let has_tail = !self.page.is_empty();
        let tail = self.page.finish().to_vec();
        let file = self.rewound()?;
        let hole = crate::c1z::table_append::extend(
            pages,
            db,
            shape,
            NewLeaves {
                file,
                lasts: &lasts,
                tail: has_tail.then_some((tail.as_slice(), tail_last)),
            },
        )?;
        let page_size = self.page_size as u64;
        Ok(hole.map(|first| Splice {
            at: u64::from(first - 1) * page_size,
            len: lasts.len() as u64 * page_size,
            from: self.path.clone(),
        }))
    }
}

/// A stored column as a value to bind.
fn to_sql(c: Column<'_>) -> ToSqlOutput<'_> {
    ToSqlOutput::Borrowed(match c {
        Column::Null => ValueRef::Null,
        Column::Int(i) => ValueRef::Integer(i),
        Column::Real(r) => ValueRef::Real(r),
        Column::Text(t) => ValueRef::Text(t),
        Column::Blob(b) => ValueRef::Blob(b),
    })
}

fn corrupt(path: &Path) -> C1zError {
    C1zError::Io {
        op: "read grant spool",
        path: path.to_path_buf(),
        source: std::io::Error::from(std::io::ErrorKind::InvalidData),
    }
}

/// Whether a writer spools the expansion's grants.
#[derive(Debug, Default)]
pub(super) enum SpoolState {
    /// Not yet: the spool is created by the first grant that can go into it.
    #[default]
    Unused,
    /// Rows are being spooled.
    Active(GrantSpool),
    /// Never again in this writer: the spool was drained, or could not start.
    Off,
}

impl SpoolState {
    /// Inserts the spooled rows into the database (see [`GrantSpool::drain`]); from then on
    /// nothing is spooled.
    pub(super) fn drain(&mut self, conn: &Connection) -> Result<(), C1zError> {
        match self.take() {
            Some(spool) => spool.drain(conn),
            None => Ok(()),
        }
    }

    /// [`SpoolState::drain`] if row `row` is spooled.
    pub(super) fn drain_holding(&mut self, row: i64, conn: &Connection) -> Result<(), C1zError> {
        match self {
            SpoolState::Active(spool) if spool.holds(row) => self.drain(conn),
            _ => Ok(()),
        }
    }

    /// The spool, if rows are being spooled; nothing is spooled after that.
    pub(super) fn take(&mut self) -> Option<GrantSpool> {
        if !matches!(self, SpoolState::Active(_)) {
            return None;
        }
        match std::mem::replace(self, SpoolState::Off) {
            SpoolState::Active(spool) => Some(spool),
            _ => None,
        }
    }

    /// Spools `row` as row id `id` (creating the spool in `dir` on first use); `Ok(false)`
    /// when it must be inserted through SQLite instead (the spool is drained first then).
    pub(super) fn push(
        &mut self,
        conn: &Connection,
        dir: &Path,
        id: i64,
        row: &GrantColumns<'_>,
    ) -> Result<bool, C1zError> {
        if let SpoolState::Unused = self {
            // The pages go after the table's: every stored row must be below.
            let max: i64 =
                conn.query_row("select coalesce(max(id), 0) from v1_grants", [], |r| {
                    r.get(0)
                })?;
            let page_size: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
            let page_size = usize::try_from(page_size).unwrap_or(0);
            if max >= id || page_size < 512 {
                *self = SpoolState::Off;
                return Ok(false);
            }
            *self = SpoolState::Active(GrantSpool::create(dir, id, page_size)?);
        }
        let SpoolState::Active(spool) = self else {
            return Ok(false);
        };
        if spool.push(id, row)? {
            return Ok(true);
        }
        self.drain(conn)?;
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::SpoolState;
    use crate::c1z::writer::tests::entitlement;
    use crate::c1z::writer::{C1zWriter, GrantKeys, WriterOptions};
    use crate::c1z::{framing, C1zError, Upsert};
    use crate::proto::{Entitlement, Grant};

    /// A grant of `ent` to `user`, as the writer's own tests make them.
    fn grant(ent: &Entitlement, user: &str) -> Grant {
        crate::c1z::writer::tests::grant(ent, user, "role")
    }

    /// One step of a sync, done by the writer under test and by the reference writer.
    #[derive(Clone, Copy)]
    enum Step {
        /// `put_grant` of role `.0`'s grants to users `.1..(.1 + .2)`.
        Direct(usize, usize, usize),
        /// The same grants through `put_grants_encoded` (the reference uses `put_grant`).
        Encoded(usize, usize, usize),
        /// A grant query for role `.0` (the grants indexes get built).
        Query(usize),
    }

    fn users(from: usize, n: usize) -> Vec<String> {
        (from..from + n).map(|u| format!("u{u}")).collect()
    }

    fn run(w: &mut C1zWriter, steps: &[Step], reference: bool) {
        for &step in steps {
            match step {
                Step::Direct(role, from, n) | Step::Encoded(role, from, n)
                    if reference || matches!(step, Step::Direct(..)) =>
                {
                    let ent = entitlement(&role.to_string());
                    for user in users(from, n) {
                        w.put_grant(&grant(&ent, &user)).expect("put_grant");
                    }
                }
                Step::Direct(..) => {}
                Step::Encoded(role, from, n) => {
                    let ent = entitlement(&role.to_string());
                    let role = role.to_string();
                    let users = users(from, n);
                    let mut next = users.iter();
                    w.put_grants_encoded(|data, id| {
                        let Some(user) = next.next() else {
                            return Ok::<_, C1zError>(None);
                        };
                        let g = grant(&ent, user);
                        data.clear();
                        g.encode(data).expect("encode");
                        id.clone_from(&g.id);
                        Ok(Some(GrantKeys {
                            resource_type: "role",
                            resource: &role,
                            entitlement: &ent.id,
                            principal_type: "user",
                            principal: user,
                        }))
                    })
                    .expect("put_grants_encoded");
                }
                Step::Query(role) => {
                    w.grants_for_entitlement(&entitlement(&role.to_string()).id, 0, 10)
                        .expect("query");
                }
            }
        }
    }

    type Row = (i64, String, String, String, String, String, String, Vec<u8>);

    /// The grant rows and what `integrity_check` says of the c1z at `out`.
    fn read(out: &std::path::Path) -> (Vec<Row>, String, i64) {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("raw.db");
        let mut file = std::fs::File::create(&db).expect("create");
        framing::decompress_to(out, &mut file, 1 << 31).expect("decompress");
        let conn = rusqlite::Connection::open(db).expect("open");
        let rows = conn
            .prepare(
                "select id, resource_type_id, resource_id, entitlement_id,
                        principal_resource_type_id, principal_resource_id, external_id, data
                 from v1_grants order by id",
            )
            .expect("prepare")
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))
            })
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        let integrity = conn
            .query_row("pragma integrity_check", [], |r| r.get(0))
            .expect("integrity");
        // Every row is reachable through the unique index.
        let indexed = conn
            .query_row(
                "select count(*) from v1_grants indexed by idx_grants_external_sync_v1
                 where external_id > ''",
                [],
                |r| r.get(0),
            )
            .expect("indexed count");
        (rows, integrity, indexed)
    }

    /// Runs `syncs` (each a list of steps, each sync appended to the file) with the writer
    /// under test and, into another file, with `put_grant` only; the files must hold the same
    /// grant rows. `spooled` says, per sync, whether the spool must hold rows at the end.
    fn check(syncs: &[&[Step]], spooled: &[bool]) {
        let dir = tempfile::tempdir().expect("tempdir");
        let (out, reference) = (dir.path().join("a.c1z"), dir.path().join("b.c1z"));
        for (i, steps) in syncs.iter().enumerate() {
            let options = WriterOptions::default().append_to_existing(i > 0);
            let mut w = C1zWriter::create_with(&out, options.clone()).expect("create");
            run(&mut w, steps, false);
            let active = matches!(&*w.spool.borrow(), SpoolState::Active(_));
            assert_eq!(active, spooled[i], "sync {i}: spool state");
            w.finish().expect("finish");
            let mut r = C1zWriter::create_with(&reference, options).expect("create");
            run(&mut r, steps, true);
            r.finish().expect("finish");
        }
        let (got, integrity, indexed) = read(&out);
        let (want, _, _) = read(&reference);
        assert_eq!(integrity, "ok");
        assert_eq!(indexed, want.len() as i64);
        assert!(
            got == want,
            "the spooled file's grants differ from put_grant's"
        );
    }

    #[test]
    fn spooled_grants_are_stored_as_put_grant_stores_them() {
        use Step::*;
        check(&[&[Encoded(1, 0, 1)]], &[true]);
        check(&[&[Direct(1, 0, 1), Encoded(2, 0, 1)]], &[true]);
        check(&[&[Direct(1, 0, 2_000), Encoded(2, 0, 3_000)]], &[true]);
        check(&[&[Encoded(2, 0, 700), Encoded(3, 0, 700)]], &[true]);
    }

    #[test]
    fn a_second_sync_spools_after_the_first() {
        use Step::*;
        check(
            &[
                &[Direct(1, 0, 500), Encoded(2, 0, 4_000)],
                &[Direct(1, 0, 600), Encoded(2, 100, 4_000)],
            ],
            &[true, true],
        );
    }

    #[test]
    fn anything_needing_the_spooled_rows_drains_the_spool() {
        use Step::*;
        // Another grant written, a grant query, a spooled id written again.
        check(&[&[Encoded(2, 0, 900), Direct(3, 0, 10)]], &[false]);
        check(&[&[Encoded(2, 0, 900), Query(2)]], &[false]);
        check(&[&[Encoded(2, 0, 900), Encoded(2, 899, 5)]], &[false]);
        // A second run of new grants goes through SQLite once the spool was drained.
        check(
            &[&[Encoded(2, 0, 900), Query(1), Encoded(3, 0, 900)]],
            &[false],
        );
    }

    #[test]
    fn the_same_id_spooled_twice_is_one_row() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("a.c1z");
        let mut w = C1zWriter::create(&out).expect("create");
        run(&mut w, &[Step::Encoded(1, 0, 3)], false);
        // put_grant sees the spooled row: an update, not a second row.
        let g = grant(&entitlement("1"), "u1");
        assert_eq!(w.put_grant(&g).expect("put"), Upsert::Updated);
        w.finish().expect("finish");
        let (rows, integrity, _) = read(&out);
        assert_eq!(integrity, "ok");
        assert_eq!(rows.len(), 3);
    }
}
