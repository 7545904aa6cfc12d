//! Reading a table's rows straight from the pages of a closed or committed SQLite database
//! (docs/decisions.md#d54-grants-indexes-written-as-pages).
//!
//! The grants index keys are read once per sync from the whole grants table; through SQLite
//! that scan is a virtual-machine step and a column decode per row. Here the table B-tree is
//! walked in row id order (interior pages `0x05`, leaf pages `0x0D`, overflow chains as the
//! file format lays them out: sqlite.org/fileformat2.html) and each row's record is handed to
//! the caller. Any page that does not look as the format says ends the walk with a reason, and
//! the caller reads the table through SQLite instead.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use super::index_btree::{io_err, open_with_header, page_size_of};
use super::C1zError;

/// Page type byte of a table B-tree interior page.
pub(crate) const TABLE_INTERIOR: u8 = 0x05;
/// Page type byte of a table B-tree leaf page.
pub(crate) const TABLE_LEAF: u8 = 0x0D;
/// Deeper trees than this are taken as corrupt (a 64 KiB-page table this deep would hold far
/// more rows than any file).
const MAX_DEPTH: usize = 24;

/// Why the walk stopped without visiting every row.
pub(crate) type NotWalked = &'static str;

/// Reads a SQLite varint at the start of `b`: its value and length.
pub(crate) fn varint(b: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for i in 0..8 {
        let byte = *b.get(i)?;
        v = (v << 7) | u64::from(byte & 0x7f);
        if byte & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    Some(((v << 8) | u64::from(*b.get(8)?), 9))
}

/// One column of a record.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Column<'a> {
    /// NULL.
    Null,
    /// An integer.
    Int(i64),
    /// A floating-point value.
    Real(f64),
    /// TEXT bytes.
    Text(&'a [u8]),
    /// A BLOB.
    Blob(&'a [u8]),
}

/// The first `N` columns of a record and how many it has of them (fewer when the record is
/// shorter; the rest are left NULL); `None` when the record is malformed.
pub(crate) fn record_columns<const N: usize>(record: &[u8]) -> Option<([Column<'_>; N], usize)> {
    let mut out = [Column::Null; N];
    let (header_len, mut at) = varint(record)?;
    let header_len = usize::try_from(header_len).ok()?;
    let mut body = header_len;
    let mut count = 0;
    while at < header_len && count < N {
        let (serial, n) = record.get(at..).and_then(varint)?;
        at += n;
        let size = match serial {
            0 | 8 | 9 => 0,
            1..=4 => serial as usize,
            5 => 6,
            6 | 7 => 8,
            10 | 11 => return None,
            n => ((n - 12) / 2) as usize,
        };
        let bytes = record.get(body..body.checked_add(size)?)?;
        body += size;
        out[count] = match serial {
            0 => Column::Null,
            8 => Column::Int(0),
            9 => Column::Int(1),
            1..=6 => {
                // Big-endian two's complement of 1 to 8 bytes.
                let fill = if bytes[0] & 0x80 != 0 { 0xff } else { 0 };
                let mut full = [fill; 8];
                full[8 - size..].copy_from_slice(bytes);
                Column::Int(i64::from_be_bytes(full))
            }
            7 => {
                let mut full = [0; 8];
                full.copy_from_slice(bytes);
                Column::Real(f64::from_be_bytes(full))
            }
            n if n % 2 == 0 => Column::Blob(bytes),
            _ => Column::Text(bytes),
        };
        count += 1;
    }
    Some((out, count))
}

/// The pages of a table B-tree, as a walk found them.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct TableShape {
    /// The root page.
    pub(crate) root: u32,
    /// Leaf pages holding rows, in row id order, each with its largest row id.
    pub(crate) leaves: Vec<(u32, i64)>,
    /// Interior pages, the root among them when it is one.
    pub(crate) interior: Vec<u32>,
}

/// Walks the table B-tree rooted at `root` in the database at `path` and calls `row` with
/// each row id and record, in row id order; returns the tree's pages. The database must not
/// have uncommitted changes. `Ok(Err(why))` when a page is not what the format says (nothing
/// can be concluded about the table then), or when `row` refuses a row.
pub(crate) fn for_each_row(
    path: &Path,
    root: u32,
    mut row: impl FnMut(i64, &[u8]) -> Result<(), NotWalked>,
) -> Result<Result<TableShape, NotWalked>, C1zError> {
    let (file, header, len) = open_with_header(path, File::options().read(true))?;
    let page_size = page_size_of(&header);
    if page_size < 512 || !page_size.is_power_of_two() {
        return Ok(Err("unexpected page size"));
    }
    let usable = page_size - usize::from(header[20]);
    let pages = len / page_size as u64;
    let mut walk = Walk {
        file,
        page_size,
        usable,
        pages,
        levels: Vec::new(),
        overflow: Vec::new(),
        assembled: Vec::new(),
        shape: TableShape {
            root,
            ..TableShape::default()
        },
    };
    match walk.visit(root, 0, &mut row) {
        Ok(done) => Ok(done.map(|()| walk.shape)),
        Err(source) => Err(io_err("read database page", path)(source)),
    }
}

struct Walk {
    file: File,
    page_size: usize,
    usable: usize,
    pages: u64,
    // One page buffer per tree level, so a parent stays readable while its children are read.
    levels: Vec<Vec<u8>>,
    overflow: Vec<u8>,
    assembled: Vec<u8>,
    shape: TableShape,
}

impl Walk {
    fn read(&mut self, no: u32, into: &mut Vec<u8>) -> std::io::Result<bool> {
        if no == 0 || u64::from(no) > self.pages {
            return Ok(false);
        }
        into.resize(self.page_size, 0);
        self.file
            .seek(SeekFrom::Start(u64::from(no - 1) * self.page_size as u64))?;
        self.file.read_exact(into)?;
        Ok(true)
    }

    fn visit(
        &mut self,
        no: u32,
        depth: usize,
        row: &mut impl FnMut(i64, &[u8]) -> Result<(), NotWalked>,
    ) -> std::io::Result<Result<(), NotWalked>> {
        if depth >= MAX_DEPTH {
            return Ok(Err("table tree too deep"));
        }
        if self.levels.len() <= depth {
            self.levels.push(Vec::new());
        }
        let mut page = std::mem::take(&mut self.levels[depth]);
        let result = self.visit_page(no, depth, &mut page, row);
        self.levels[depth] = page;
        result
    }

    fn visit_page(
        &mut self,
        no: u32,
        depth: usize,
        page: &mut Vec<u8>,
        row: &mut impl FnMut(i64, &[u8]) -> Result<(), NotWalked>,
    ) -> std::io::Result<Result<(), NotWalked>> {
        if !self.read(no, page)? {
            return Ok(Err("page number out of range"));
        }
        // Page 1 starts with the 100-byte file header.
        let at = if no == 1 { 100 } else { 0 };
        let kind = page[at];
        let cells = usize::from(u16::from_be_bytes([page[at + 3], page[at + 4]]));
        let pointers = at + if kind == TABLE_INTERIOR { 12 } else { 8 };
        let cell_at = |i: usize| -> Option<usize> {
            let p = page.get(pointers + 2 * i..pointers + 2 * i + 2)?;
            Some(usize::from(u16::from_be_bytes([p[0], p[1]])))
        };
        match kind {
            TABLE_INTERIOR => {
                self.shape.interior.push(no);
                for i in 0..cells {
                    let Some(child) = cell_at(i)
                        .and_then(|c| page.get(c..c + 4))
                        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
                    else {
                        return Ok(Err("malformed interior cell"));
                    };
                    if let Err(why) = self.visit(child, depth + 1, row)? {
                        return Ok(Err(why));
                    }
                }
                let right =
                    u32::from_be_bytes([page[at + 8], page[at + 9], page[at + 10], page[at + 11]]);
                self.visit(right, depth + 1, row)
            }
            TABLE_LEAF => {
                let mut last = None;
                for i in 0..cells {
                    let Some(cell) = cell_at(i).and_then(|c| page.get(c..)) else {
                        return Ok(Err("malformed leaf cell"));
                    };
                    let Some((size, n1)) = varint(cell) else {
                        return Ok(Err("malformed leaf cell"));
                    };
                    let Some((rowid, n2)) = cell.get(n1..).and_then(varint) else {
                        return Ok(Err("malformed leaf cell"));
                    };
                    let Ok(size) = usize::try_from(size) else {
                        return Ok(Err("malformed leaf cell"));
                    };
                    let local = self.local_size(size);
                    let start = n1 + n2;
                    let Some(local_bytes) = cell.get(start..start + local) else {
                        return Ok(Err("malformed leaf cell"));
                    };
                    let id = i64::from_ne_bytes(rowid.to_ne_bytes());
                    last = Some(id);
                    let done = if local == size {
                        row(id, local_bytes)
                    } else {
                        let Some(first) = cell
                            .get(start + local..start + local + 4)
                            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
                        else {
                            return Ok(Err("malformed leaf cell"));
                        };
                        let mut assembled = std::mem::take(&mut self.assembled);
                        assembled.clear();
                        assembled.extend_from_slice(local_bytes);
                        let read = self.read_overflow(first, size, &mut assembled)?;
                        let done = read.and_then(|()| row(id, &assembled));
                        self.assembled = assembled;
                        done
                    };
                    if let Err(why) = done {
                        return Ok(Err(why));
                    }
                }
                if let Some(last) = last {
                    self.shape.leaves.push((no, last));
                }
                Ok(Ok(()))
            }
            _ => Ok(Err("not a table page")),
        }
    }

    /// Bytes of a `size`-byte payload kept on a table leaf page (the rest overflows).
    fn local_size(&self, size: usize) -> usize {
        let u = self.usable;
        let max = u - 35;
        if size <= max {
            return size;
        }
        let min = (u - 12) * 32 / 255 - 23;
        let k = min + (size - min) % (u - 4);
        if k <= max {
            k
        } else {
            min
        }
    }

    /// Appends the overflow chain starting at page `next` to `out` until it holds `size` bytes.
    fn read_overflow(
        &mut self,
        mut next: u32,
        size: usize,
        out: &mut Vec<u8>,
    ) -> std::io::Result<Result<(), NotWalked>> {
        let mut page = std::mem::take(&mut self.overflow);
        let mut hops = 0u64;
        let result = loop {
            if out.len() >= size {
                break Ok(());
            }
            hops += 1;
            if hops > self.pages || !self.read(next, &mut page)? {
                break Err("broken overflow chain");
            }
            let take = (size - out.len()).min(self.usable - 4);
            out.extend_from_slice(&page[4..4 + take]);
            next = u32::from_be_bytes([page[0], page[1], page[2], page[3]]);
        };
        self.overflow = page;
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::{params, Connection};

    use super::*;

    fn root_page(conn: &Connection, name: &str) -> u32 {
        conn.query_row(
            "select rootpage from sqlite_master where name = ?1",
            [name],
            |r| r.get(0),
        )
        .expect("root page")
    }

    #[test]
    fn varints_and_records_decode() {
        assert_eq!(varint(&[0x7f]), Some((0x7f, 1)));
        assert_eq!(varint(&[0x81, 0x00]), Some((0x80, 2)));
        assert_eq!(varint(&[0xff; 9]), Some((u64::MAX, 9)));
        assert_eq!(varint(&[0x81]), None);
        // Header: length 6; NULL, 0, 1, a 2-byte integer, "ab".
        let record = [6, 0, 8, 9, 2, 17, 0xff, 0x7f, b'a', b'b'];
        let (cols, n) = record_columns::<6>(&record).expect("record");
        assert_eq!(n, 5);
        assert_eq!(
            cols,
            [
                Column::Null,
                Column::Int(0),
                Column::Int(1),
                Column::Int(-129),
                Column::Text(b"ab"),
                Column::Null
            ]
        );
        assert_eq!(record_columns::<2>(&record).map(|(_, n)| n), Some(2));
        // A body shorter than its header says.
        assert!(record_columns::<6>(&record[..8]).is_none());
    }

    /// Rows of every size class: small, near a leaf's local limit, and overflowing across
    /// several pages; the walk sees them all, in row id order, with SQLite's values.
    #[test]
    fn walk_matches_sqlite_for_small_and_overflowing_rows() {
        for page_size in [512, 4096, 65536] {
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join("t.db");
            let conn = Connection::open(&path).expect("open");
            conn.execute_batch(&format!(
                "PRAGMA page_size={page_size}; PRAGMA journal_mode=OFF;
                 create table t (id integer primary key, a text, b blob, n integer)"
            ))
            .expect("schema");
            let mut want = Vec::new();
            for i in 0..600i64 {
                let len = match i % 6 {
                    0 => 0,
                    1 => 10,
                    2 => page_size / 2,
                    3 => page_size - 40,
                    4 => page_size * 3 + 7,
                    _ => 33,
                };
                let a = format!("row{i}");
                let b = vec![(i % 251) as u8; len];
                let n = if i % 4 == 0 {
                    None
                } else {
                    Some(i * 1_000_003)
                };
                let id = i * 3 + 1;
                conn.execute(
                    "insert into t values (?1, ?2, ?3, ?4)",
                    params![id, a, b, n],
                )
                .expect("insert");
                want.push((id, a, b, n));
            }
            if page_size == 4096 {
                // Gaps in the row ids.
                conn.execute_batch("delete from t where id % 7 = 0")
                    .expect("delete");
                want.retain(|r| r.0 % 7 != 0);
            }
            let root = root_page(&conn, "t");
            drop(conn);
            let mut got = Vec::new();
            let walked = for_each_row(&path, root, |id, record| {
                let Some((cols, 4)) = record_columns::<4>(record) else {
                    return Err("bad record");
                };
                let text = match cols[1] {
                    Column::Text(t) => String::from_utf8(t.to_vec()).map_err(|_| "utf8")?,
                    _ => return Err("a"),
                };
                let blob = match cols[2] {
                    Column::Blob(b) => b.to_vec(),
                    _ => return Err("b"),
                };
                let n = match cols[3] {
                    Column::Int(n) => Some(n),
                    Column::Null => None,
                    _ => return Err("n"),
                };
                assert_eq!(cols[0], Column::Null, "the row id alias is stored as NULL");
                got.push((id, text, blob, n));
                Ok(())
            })
            .expect("io")
            .expect("walked");
            assert!(got == want, "{page_size}-byte pages: rows differ");
            // The shape: leaves in row order ending at the last row, and the root among the
            // interior pages when the tree has more than one page.
            assert_eq!(walked.root, root);
            assert_eq!(walked.leaves.last().map(|l| l.1), want.last().map(|r| r.0));
            assert!(walked.leaves.windows(2).all(|w| w[0].1 < w[1].1));
            if walked.leaves.len() > 1 {
                assert_eq!(walked.interior.first(), Some(&root));
            }
        }
    }

    #[test]
    fn a_page_that_is_not_a_table_page_stops_the_walk() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.db");
        let conn = Connection::open(&path).expect("open");
        conn.execute_batch(
            "create table t (a text); create index i on t (a); insert into t values ('x')",
        )
        .expect("schema");
        let index_root = root_page(&conn, "i");
        drop(conn);
        let walked = for_each_row(&path, index_root, |_, _| Ok(())).expect("io");
        assert_eq!(walked.map(drop), Err("not a table page"));
        let walked = for_each_row(&path, 999, |_, _| Ok(())).expect("io");
        assert_eq!(walked.map(drop), Err("page number out of range"));
    }
}
