//! Appending rows to a table B-tree of a closed database as whole pages
//! (docs/decisions.md#d60-expanded-grants-written-as-pages).
//!
//! Rows whose ids are all above the table's are packed into table leaf pages ([`LeafPage`])
//! while the database is still open elsewhere (the grant expansion's output, kept in a spool
//! file of such pages). Once the database is closed, [`extend`] appends those leaves after the
//! table's own and rebuilds the interior levels over all leaves: the root keeps its page
//! number (the schema points at it), the old interior pages are reused for the new levels,
//! and any left over go on the freelist. A table leaf holds no page numbers, so the old and
//! the spooled leaves are used as they are. The layout is the file format's
//! (sqlite.org/fileformat2.html): a leaf cell is the payload length, the row id and the
//! record; an interior cell is the left child's page number and the largest row id under it.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::ops::RangeInclusive;
use std::path::Path;

use super::index_btree::{
    io_err, place_cell, put_varint, varint_len, write_page_header, IndexPages,
};
use super::table_pages::{varint, TableShape, TABLE_INTERIOR, TABLE_LEAF};
use super::C1zError;

/// The largest record a table leaf keeps without overflow pages, which this module does
/// not write: `U - 35` in the file format.
pub(crate) fn max_local(usable: usize) -> usize {
    usable - 35
}

/// A table leaf page being filled with rows in row id order.
#[derive(Debug)]
pub(crate) struct LeafPage {
    buf: Vec<u8>,
    cells: usize,
    content: usize,
    ptr_end: usize,
    last: i64,
    cell: Vec<u8>,
}

impl LeafPage {
    /// An empty leaf of `page_size` bytes (all of them usable).
    pub(crate) fn new(page_size: usize) -> Self {
        Self {
            buf: vec![0; page_size],
            cells: 0,
            content: page_size,
            ptr_end: 8,
            last: 0,
            cell: Vec::with_capacity(32),
        }
    }

    /// Whether the page holds no row.
    pub(crate) fn is_empty(&self) -> bool {
        self.cells == 0
    }

    /// The largest row id on the page.
    pub(crate) fn last_row(&self) -> i64 {
        self.last
    }

    /// Adds a row (above every row on the page) unless the page is too full for it; the
    /// record must be at most [`max_local`] bytes.
    pub(crate) fn push(&mut self, row: i64, record: &[u8]) -> bool {
        self.cell.clear();
        put_varint(&mut self.cell, record.len() as u64);
        put_varint(&mut self.cell, u64::from_ne_bytes(row.to_ne_bytes()));
        if self.ptr_end + 2 + self.cell.len() + record.len() > self.content {
            return false;
        }
        place_cell(
            &mut self.buf,
            &mut self.content,
            &mut self.ptr_end,
            &[&self.cell, record],
        );
        self.cells += 1;
        self.last = row;
        true
    }

    /// The page's bytes with its header filled in; the page is emptied by the next
    /// [`LeafPage::clear`].
    pub(crate) fn finish(&mut self) -> &[u8] {
        write_page_header(&mut self.buf, TABLE_LEAF, self.cells, self.content, None);
        &self.buf
    }

    /// Empties the page.
    pub(crate) fn clear(&mut self) {
        self.buf.fill(0);
        self.cells = 0;
        self.content = self.buf.len();
        self.ptr_end = 8;
        self.last = 0;
    }
}

/// The rows of a leaf page [`LeafPage`] wrote (no overflow), in order; `None` when the page
/// is not such a page.
pub(crate) fn leaf_rows(page: &[u8]) -> Option<Vec<(i64, &[u8])>> {
    if page.first() != Some(&TABLE_LEAF) {
        return None;
    }
    let cells = usize::from(u16::from_be_bytes([*page.get(3)?, *page.get(4)?]));
    let mut rows = Vec::with_capacity(cells);
    for i in 0..cells {
        let p = page.get(8 + 2 * i..10 + 2 * i)?;
        let cell = page.get(usize::from(u16::from_be_bytes([p[0], p[1]]))..)?;
        let (len, n1) = varint(cell)?;
        let (row, n2) = varint(cell.get(n1..)?)?;
        let start = n1 + n2;
        let record = cell.get(start..start.checked_add(usize::try_from(len).ok()?)?)?;
        rows.push((i64::from_ne_bytes(row.to_ne_bytes()), record));
    }
    Some(rows)
}

/// Leaves appended after a table's own rows: the whole pages of `file`, whose largest row
/// ids are `lasts`, then `tail`, a last page and its largest row id.
pub(crate) struct NewLeaves<'a> {
    /// The spool file, positioned at its first page.
    pub(crate) file: &'a mut File,
    /// The largest row id of each page in `file`, in order.
    pub(crate) lasts: &'a [i64],
    /// A last page not in `file`.
    pub(crate) tail: Option<(&'a [u8], i64)>,
}

/// Appends `new` after the rows of the table whose pages are `shape` (walked after the last
/// change to the table) in the closed database at `db`, through `pages`. Every new row id
/// must be above the table's. The pages of `new.file` are not copied: they get page numbers
/// but are left as a hole in the database file, whose bytes are the file's
/// (`framing::Splice`); returns the first of those page numbers when there are any.
pub(crate) fn extend(
    pages: &mut IndexPages,
    db: &Path,
    shape: &TableShape,
    new: NewLeaves<'_>,
) -> Result<Option<u32>, C1zError> {
    let added = new.lasts.len() + usize::from(new.tail.is_some());
    if added == 0 {
        return Ok(None);
    }
    let root = shape.root;
    let root_is_leaf = !shape.interior.contains(&root);
    let mut pool: Vec<u32> = shape
        .interior
        .iter()
        .copied()
        .filter(|&p| p != root)
        .collect();
    // Popped from the end: reuse the old interior pages from the lowest number up.
    pool.sort_unstable_by(|a, b| b.cmp(a));
    let mut leaves = shape.leaves.clone();
    if root_is_leaf {
        if let Some(&(_, last)) = leaves.first() {
            // The root becomes interior: its rows move to a page of their own.
            let bytes = read_page(db, root, pages.usable())?;
            leaves = vec![(pages.append_bytes(&bytes)?, last)];
        } else if added == 1 {
            // An empty table gaining one page: that page is the root.
            let bytes = match new.tail {
                Some((bytes, _)) => bytes.to_vec(),
                None => {
                    let mut bytes = vec![0; pages.usable()];
                    new.file
                        .read_exact(&mut bytes)
                        .map_err(io_err("read spooled page", db))?;
                    bytes
                }
            };
            pages.place(root, bytes);
            return Ok(None);
        }
    }
    let count = u32::try_from(new.lasts.len()).map_err(|_| too_many(db))?;
    let mut hole = None;
    if count > 0 {
        let first = pages.skip(count)?;
        leaves.extend((first..).zip(new.lasts.iter().copied()));
        hole = Some(first);
    }
    if let Some((bytes, last)) = new.tail {
        leaves.push((pages.append_bytes(bytes)?, last));
    }
    let usable = pages.usable();
    let mut level = leaves;
    loop {
        let groups = group(&level, usable);
        if let [only] = groups.as_slice() {
            pages.place(root, interior_page(&level[only.clone()], usable));
            break;
        }
        let mut up = Vec::with_capacity(groups.len());
        for g in groups {
            let last = level[*g.end()].1;
            let bytes = interior_page(&level[g], usable);
            let no = match pool.pop() {
                Some(no) => {
                    pages.place(no, bytes);
                    no
                }
                None => pages.append_bytes(&bytes)?,
            };
            up.push((no, last));
        }
        level = up;
    }
    pages.free(pool);
    Ok(hole)
}

fn too_many(db: &Path) -> C1zError {
    C1zError::Io {
        op: "append table pages",
        path: db.to_path_buf(),
        source: std::io::Error::other("too many pages"),
    }
}

/// Splits a level's entries (child page, largest row id) into interior pages: each page
/// holds a cell per entry but its last, which is its right child. Pages are filled in order;
/// the last one is given two entries when it would have one (a page needs a cell).
fn group(level: &[(u32, i64)], usable: usize) -> Vec<RangeInclusive<usize>> {
    let mut groups = Vec::new();
    let mut start = 0;
    while start < level.len() {
        let mut used = 12;
        let mut end = start;
        while end + 1 < level.len() {
            let cell = 4 + varint_len(u64::from_ne_bytes(level[end].1.to_ne_bytes())) + 2;
            if used + cell > usable {
                break;
            }
            used += cell;
            end += 1;
        }
        groups.push(start..=end);
        start = end + 1;
    }
    let n = groups.len();
    if n >= 2 && groups[n - 1].start() == groups[n - 1].end() {
        // The page before has at least two cells' room: it gives up its right child.
        let (prev, last) = (groups[n - 2].clone(), *groups[n - 1].end());
        groups[n - 2] = *prev.start()..=*prev.end() - 1;
        groups[n - 1] = *prev.end()..=last;
    }
    groups
}

/// An interior page over `entries`: a cell for each but the last, the last as right child.
fn interior_page(entries: &[(u32, i64)], usable: usize) -> Vec<u8> {
    let mut buf = vec![0u8; usable];
    let (mut content, mut ptr_end) = (usable, 12);
    let mut key = Vec::with_capacity(9);
    let (cells, right) = entries.split_at(entries.len().saturating_sub(1));
    for &(child, last) in cells {
        key.clear();
        put_varint(&mut key, u64::from_ne_bytes(last.to_ne_bytes()));
        place_cell(
            &mut buf,
            &mut content,
            &mut ptr_end,
            &[&child.to_be_bytes(), &key],
        );
    }
    let right = right.first().map_or(0, |r| r.0);
    write_page_header(&mut buf, TABLE_INTERIOR, cells.len(), content, Some(right));
    buf
}

/// Page `no` of the database at `db`.
fn read_page(db: &Path, no: u32, page_size: usize) -> Result<Vec<u8>, C1zError> {
    let mut file = File::open(db).map_err(io_err("open database", db))?;
    let mut bytes = vec![0; page_size];
    file.seek(SeekFrom::Start(u64::from(no - 1) * page_size as u64))
        .and_then(|_| file.read_exact(&mut bytes))
        .map_err(io_err("read database page", db))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use rusqlite::{params, Connection};

    use super::*;
    use crate::c1z::index_btree::{encode_record, Value};
    use crate::c1z::table_pages::for_each_row;

    type Row = (i64, String, Vec<u8>);

    fn row(id: i64) -> Row {
        let len = (id * 7 % 60) as usize;
        (id, format!("row {id}"), vec![(id % 251) as u8; len])
    }

    /// Builds table `t` with rows `1..=before` (another table's pages interleaved), appends
    /// rows up to `before + added` as pages, and checks what SQLite reads back.
    fn check(page_size: usize, before: i64, added: i64) {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("t.db");
        let conn = Connection::open(&db).expect("open");
        conn.execute_batch(&format!(
            "PRAGMA page_size={page_size}; create table t (id integer primary key, a text, b blob);
             create table other (x); BEGIN"
        ))
        .expect("schema");
        for id in 1..=before {
            let (id, a, b) = row(id);
            conn.execute("insert into t values (?1, ?2, ?3)", params![id, a, b])
                .expect("insert");
            if id % 97 == 0 {
                conn.execute("insert into other values (zeroblob(?1))", [page_size])
                    .expect("insert other");
            }
        }
        conn.execute_batch("COMMIT").expect("commit");
        let root: u32 = conn
            .query_row(
                "select rootpage from sqlite_master where name = 't'",
                [],
                |r| r.get(0),
            )
            .expect("root");
        drop(conn);
        let shape = for_each_row(&db, root, |_, _| Ok(()))
            .expect("io")
            .expect("walk");

        // The spool: full pages in a file, the last one apart.
        let spool_path = dir.path().join("spool");
        let mut spool = File::create(&spool_path).expect("spool");
        let (mut page, mut lasts, mut record) = (LeafPage::new(page_size), Vec::new(), Vec::new());
        for id in before + 1..=before + added {
            let (id, a, b) = row(id);
            encode_record(
                &[Value::Null, Value::Text(a.as_bytes()), Value::Blob(&b)],
                &mut record,
            );
            assert!(record.len() <= max_local(page_size));
            if !page.push(id, &record) {
                spool.write_all(page.finish()).expect("write spool");
                lasts.push(page.last_row());
                page.clear();
                assert!(page.push(id, &record));
            }
        }
        drop(spool);
        let mut file = File::open(&spool_path).expect("spool");
        let tail_last = page.last_row();
        let has_tail = !page.is_empty();
        let tail = page.finish().to_vec();
        let mut pages = IndexPages::open(&db).expect("pages");
        let hole = extend(
            &mut pages,
            &db,
            &shape,
            NewLeaves {
                file: &mut file,
                lasts: &lasts,
                tail: has_tail.then_some((tail.as_slice(), tail_last)),
            },
        )
        .expect("extend");
        pages.finish().expect("finish");
        if let Some(first) = hole {
            // What compressing through a splice does: the spool's bytes fill the hole.
            let bytes = std::fs::read(&spool_path).expect("read spool");
            let mut out = File::options().write(true).open(&db).expect("db");
            out.seek(SeekFrom::Start(u64::from(first - 1) * page_size as u64))
                .expect("seek");
            out.write_all(&bytes).expect("fill hole");
        }

        let conn = Connection::open(&db).expect("reopen");
        let integrity: String = conn
            .query_row("pragma integrity_check", [], |r| r.get(0))
            .expect("integrity");
        let case = format!("{page_size}-byte pages, {before} + {added} rows");
        assert_eq!(integrity, "ok", "{case}");
        let got: Vec<Row> = conn
            .prepare("select id, a, b from t order by id")
            .expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        let want: Vec<Row> = (1..=before + added).map(row).collect();
        assert!(got == want, "{case}: rows differ");
        // Looked up by row id through the new interior pages, and still writable.
        let mid = (before + added + 1) / 2;
        let a: String = conn
            .query_row("select a from t where id = ?1", [mid], |r| r.get(0))
            .expect("lookup");
        assert_eq!(a, row(mid).1, "{case}");
        conn.execute_batch("insert into t (a) values ('after'); insert into other values (1)")
            .expect("write after");
        let integrity: String = conn
            .query_row("pragma integrity_check", [], |r| r.get(0))
            .expect("integrity");
        assert_eq!(integrity, "ok", "{case}: after a write");
    }

    #[test]
    fn empty_table_gains_one_page_or_many() {
        check(512, 0, 1);
        check(512, 0, 400);
    }

    #[test]
    fn a_leaf_root_moves_down() {
        check(512, 1, 1);
        check(512, 3, 2_000);
    }

    #[test]
    fn deep_trees_reuse_or_free_their_interior_pages() {
        // A few rows onto a three-level tree (interior pages left over: freelist), many rows
        // onto it (reused, then appended), and larger pages.
        check(512, 6_000, 1);
        check(512, 6_000, 9_000);
        check(4_096, 20_000, 700);
        check(65_536, 500, 3_000);
    }

    #[test]
    fn nothing_to_add_changes_nothing() {
        check(512, 300, 0);
    }

    #[test]
    fn interior_groups_never_leave_a_page_without_cells() {
        for n in 2..400 {
            let level: Vec<(u32, i64)> = (0..n).map(|i| (i as u32 + 2, i as i64 * 1_000)).collect();
            let groups = group(&level, 512);
            assert_eq!(groups.first().map(|g| *g.start()), Some(0));
            assert_eq!(groups.last().map(|g| *g.end()), Some(n - 1));
            for w in groups.windows(2) {
                assert_eq!(*w[0].end() + 1, *w[1].start());
            }
            assert!(groups.iter().all(|g| g.end() > g.start()), "{n} entries");
        }
    }
}
