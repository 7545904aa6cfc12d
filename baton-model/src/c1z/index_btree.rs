//! Writing SQLite index B-trees straight into a closed database file
//! (docs/decisions.md#d54-grants-indexes-written-as-pages).
//!
//! The caller hands over each index's entries already sorted in SQLite's order, encoded as
//! records ([`encode_record`]); [`IndexPages`] packs them bottom-up into leaf and interior
//! pages, appends those to the file, writes each tree's root page in place of the empty root
//! SQLite allocated for the index, and finally updates the page count in the file header.
//! The layout follows the SQLite file format (sqlite.org/fileformat2.html): 8-byte leaf and
//! 12-byte interior page headers, the cell pointer array after them, cell content packed at
//! the end of the usable area, and in index trees every key stored exactly once (an interior
//! cell's key sits between its left child and the next child).

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection};

use super::C1zError;

/// Page type byte of an index B-tree leaf page.
const INDEX_LEAF: u8 = 0x0A;
/// Page type byte of an index B-tree interior page.
const INDEX_INTERIOR: u8 = 0x02;

/// One column value of a record.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Value<'a> {
    /// NULL.
    Null,
    /// A TEXT value (UTF-8 bytes).
    Text(&'a [u8]),
    /// An INTEGER value.
    Int(i64),
    /// A BLOB value.
    Blob(&'a [u8]),
}

impl Value<'_> {
    /// The serial type SQLite (schema format 4) stores this value with.
    fn serial(&self) -> u64 {
        match self {
            Value::Null => 0,
            Value::Text(t) => 2 * t.len() as u64 + 13,
            Value::Int(i) => int_serial(*i).0,
            Value::Blob(b) => 2 * b.len() as u64 + 12,
        }
    }
}

/// Writes `v` as a SQLite varint (big-endian groups of 7 bits; a 9th byte holds 8) into the
/// start of `out`, returning its length.
fn varint_into(out: &mut [u8; 9], v: u64) -> usize {
    if v <= 0x7f {
        out[0] = v as u8;
        return 1;
    }
    if v > 0x00ff_ffff_ffff_ffff {
        let hi = v >> 8;
        for (i, byte) in out.iter_mut().take(8).enumerate() {
            *byte = ((hi >> ((7 - i) * 7)) & 0x7f) as u8 | 0x80;
        }
        out[8] = v as u8;
        return 9;
    }
    let n = varint_len(v);
    for (i, byte) in out.iter_mut().take(n).enumerate() {
        let group = ((v >> ((n - 1 - i) * 7)) & 0x7f) as u8;
        *byte = if i + 1 == n { group } else { group | 0x80 };
    }
    n
}

/// Places a cell made of `parts` on the B-tree page `buf`: its bytes right below the cell
/// content area (which starts at `*content` and moves down), its pointer at `*ptr_end` (which
/// moves up). The caller checked that it fits.
pub(crate) fn place_cell(
    buf: &mut [u8],
    content: &mut usize,
    ptr_end: &mut usize,
    parts: &[&[u8]],
) {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    *content -= len;
    let mut at = *content;
    for part in parts {
        buf[at..at + part.len()].copy_from_slice(part);
        at += part.len();
    }
    // A cell never starts at 65536, so the offset fits.
    let ptr = u16::try_from(*content).unwrap_or(0);
    buf[*ptr_end..*ptr_end + 2].copy_from_slice(&ptr.to_be_bytes());
    *ptr_end += 2;
}

/// Fills in the header at the start of the B-tree page `buf`: its type, no freeblock, `cells`
/// cells, the cell content area starting at `content` (65536 is written as 0), no fragmented
/// bytes, and on interior pages the right child.
pub(crate) fn write_page_header(
    buf: &mut [u8],
    kind: u8,
    cells: usize,
    content: usize,
    right_child: Option<u32>,
) {
    buf[0] = kind;
    buf[1..3].copy_from_slice(&[0, 0]);
    let cells = u16::try_from(cells).unwrap_or(u16::MAX);
    buf[3..5].copy_from_slice(&cells.to_be_bytes());
    let content = u16::try_from(content).unwrap_or(0);
    buf[5..7].copy_from_slice(&content.to_be_bytes());
    buf[7] = 0;
    if let Some(right) = right_child {
        buf[8..12].copy_from_slice(&right.to_be_bytes());
    }
}

/// Appends `v` as a SQLite varint.
pub(crate) fn put_varint(out: &mut Vec<u8>, v: u64) {
    let mut buf = [0u8; 9];
    let n = varint_into(&mut buf, v);
    out.extend_from_slice(&buf[..n]);
}

/// The length of `v` as a varint.
pub(crate) fn varint_len(v: u64) -> usize {
    match v {
        0..=0x7f => 1,
        0x80..=0x3fff => 2,
        0x4000..=0x001f_ffff => 3,
        0x0020_0000..=0x0fff_ffff => 4,
        0x1000_0000..=0x0007_ffff_ffff => 5,
        0x0008_0000_0000..=0x03ff_ffff_ffff => 6,
        0x0400_0000_0000..=0x0001_ffff_ffff_ffff => 7,
        0x0002_0000_0000_0000..=0x00ff_ffff_ffff_ffff => 8,
        _ => 9,
    }
}

/// Serial type and body length of an integer, as SQLite (schema format 4) picks them.
fn int_serial(v: i64) -> (u64, usize) {
    if v == 0 {
        return (8, 0);
    }
    if v == 1 {
        return (9, 0);
    }
    let u = if v < 0 { !v } else { v } as u64;
    match u {
        0..=0x7f => (1, 1),
        0x80..=0x7fff => (2, 2),
        0x8000..=0x7f_ffff => (3, 3),
        0x80_0000..=0x7fff_ffff => (4, 4),
        0x8000_0000..=0x7fff_ffff_ffff => (5, 6),
        _ => (6, 8),
    }
}

/// Encodes `values` as a SQLite record into `out` (cleared first).
pub(crate) fn encode_record(values: &[Value<'_>], out: &mut Vec<u8>) {
    out.clear();
    let types: usize = values.iter().map(|v| varint_len(v.serial())).sum();
    // The header length counts its own varint.
    let mut header = types + 1;
    while types + varint_len(header as u64) != header {
        header = types + varint_len(header as u64);
    }
    put_varint(out, header as u64);
    for v in values {
        put_varint(out, v.serial());
    }
    for v in values {
        match v {
            Value::Null => {}
            Value::Text(t) | Value::Blob(t) => out.extend_from_slice(t),
            Value::Int(i) => {
                let len = int_serial(*i).1;
                out.extend_from_slice(&i.to_be_bytes()[8 - len..]);
            }
        }
    }
}

/// Facts from the database header the page layout depends on.
#[derive(Debug, Clone, Copy)]
struct Geometry {
    page_size: usize,
    usable: usize,
}

impl Geometry {
    /// The largest payload an index cell keeps on its page; larger ones would need overflow
    /// pages, which this writer does not produce. `X = (U-12)*64/255 - 23` in the file format.
    fn max_local(self) -> usize {
        (self.usable - 12) * 64 / 255 - 23
    }
}

/// The largest record an index cell of a database with `page_size` pages (and no reserved
/// bytes) holds without overflow pages, which this writer does not produce.
pub(crate) fn max_record(page_size: usize) -> usize {
    Geometry {
        page_size,
        usable: page_size,
    }
    .max_local()
}

/// Name of the empty table whose root page `table` borrows in [`create_unbuilt`].
const STAND_IN: &str = "c1z_writer_stand_in";

/// Runs `stmts`, which create the indexes of `table` (and may create more schema after them),
/// as if `table` were empty, so SQLite creates each index with an empty root page and does
/// not build it; returns each index of `table` with its root page, for [`IndexPages`] to
/// fill. Until then the indexes do not match the table: nothing may read or write `table`
/// through this connection before it is closed.
///
/// `table` borrows the root page of an empty stand-in table while the statements run
/// (`writable_schema`, reloading the schema after each change); the stand-in is then
/// dropped, so the schema table keeps the creation order of `stmts`.
pub(crate) fn create_unbuilt(
    conn: &Connection,
    table: &str,
    stmts: &[&str],
) -> rusqlite::Result<Vec<(String, u32)>> {
    conn.execute_batch(&format!("create table {STAND_IN} (x)"))?;
    let root_of = |name: &str| -> rusqlite::Result<u32> {
        conn.query_row(
            "select rootpage from sqlite_master where type = 'table' and name = ?1",
            [name],
            |r| r.get(0),
        )
    };
    let (real, empty) = (root_of(table)?, root_of(STAND_IN)?);
    set_root(conn, table, empty)?;
    let created = super::schema::run(conn, stmts);
    set_root(conn, table, real)?;
    created?;
    conn.execute_batch(&format!("drop table {STAND_IN}"))?;
    let mut stmt = conn.prepare(
        "select name, rootpage from sqlite_master where type = 'index' and tbl_name = ?1
         order by rowid",
    )?;
    let roots = stmt
        .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect();
    roots
}

/// Points `table` at the B-tree rooted at `root` and reloads the schema.
fn set_root(conn: &Connection, table: &str, root: u32) -> rusqlite::Result<()> {
    conn.execute_batch("PRAGMA writable_schema=ON")?;
    let updated = conn.execute(
        "update sqlite_master set rootpage = ?1 where type = 'table' and name = ?2",
        params![root, table],
    );
    conn.execute_batch("PRAGMA writable_schema=RESET")?;
    updated.map(drop)
}

/// One page being filled: cells are placed from the end of the usable area downwards, their
/// pointers after the page header, in key order.
struct Page {
    buf: Vec<u8>,
    interior: bool,
    cells: usize,
    content: usize,
    ptr_end: usize,
    // (cell length, payload length) of each cell, to take the last one back out.
    lens: Vec<(usize, usize)>,
    right_child: u32,
}

impl Page {
    fn new(geo: Geometry, interior: bool) -> Self {
        let header = if interior { 12 } else { 8 };
        Self {
            buf: vec![0; geo.page_size],
            interior,
            cells: 0,
            content: geo.usable,
            ptr_end: header,
            lens: Vec::new(),
            right_child: 0,
        }
    }

    fn cell_len(&self, payload: &[u8]) -> usize {
        (if self.interior { 4 } else { 0 }) + varint_len(payload.len() as u64) + payload.len()
    }

    fn fits(&self, payload: &[u8]) -> bool {
        self.ptr_end + 2 + self.cell_len(payload) <= self.content
    }

    /// Adds a cell; the caller checked [`Page::fits`].
    fn push(&mut self, child: u32, payload: &[u8]) {
        let len = self.cell_len(payload);
        let child = child.to_be_bytes();
        let child: &[u8] = if self.interior { &child } else { &[] };
        let mut size = [0u8; 9];
        let n = varint_into(&mut size, payload.len() as u64);
        place_cell(
            &mut self.buf,
            &mut self.content,
            &mut self.ptr_end,
            &[child, &size[..n], payload],
        );
        self.cells += 1;
        self.lens.push((len, payload.len()));
    }

    /// Takes the last cell back out: its left child (interior pages) and payload.
    fn pop(&mut self) -> Option<(u32, Vec<u8>)> {
        let (len, payload_len) = self.lens.pop()?;
        let cell = &self.buf[self.content..self.content + len];
        let child = if self.interior {
            u32::from_be_bytes([cell[0], cell[1], cell[2], cell[3]])
        } else {
            0
        };
        let payload = cell[len - payload_len..].to_vec();
        self.content += len;
        self.ptr_end -= 2;
        self.cells -= 1;
        Some((child, payload))
    }

    /// The page's bytes with its header filled in.
    fn finish(mut self) -> Vec<u8> {
        let (kind, right) = if self.interior {
            (INDEX_INTERIOR, Some(self.right_child))
        } else {
            (INDEX_LEAF, None)
        };
        write_page_header(&mut self.buf, kind, self.cells, self.content, right);
        self.buf
    }
}

/// One level of a tree under construction. A full page is held back (`prev`) until the next
/// page has a cell, so the last page of a level is never left empty: if the entry promoted
/// after `prev` turns out to be the last one, `prev` gives up its last cell instead.
struct Level {
    prev: Option<(Page, Vec<u8>)>,
    cur: Page,
}

/// Appends index B-trees to a closed SQLite database and updates its header at the end.
pub(crate) struct IndexPages {
    path: PathBuf,
    out: BufWriter<File>,
    geo: Geometry,
    next_page: u32,
    // Pages written in place at `finish`: index roots, and pages of a table rewritten in
    // place (`table_append`).
    roots: Vec<(u32, Vec<u8>)>,
    freed: Vec<u32>,
}

impl std::fmt::Debug for IndexPages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexPages")
            .field("path", &self.path)
            .field("next_page", &self.next_page)
            .finish_non_exhaustive()
    }
}

/// The page layout of a database with this header and file length, or what about it this
/// writer does not write pages for.
fn geometry(header: &[u8; 100], len: u64) -> Result<Geometry, &'static str> {
    let page_size = page_size_of(header);
    let word = |at: usize| {
        u32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
    };
    let checks = [
        (page_size < 512 || !page_size.is_power_of_two(), "page size"),
        // The writer's key-size limit (`max_record`) assumes none.
        (header[20] != 0, "reserved bytes"),
        // Non-zero with auto-vacuum, whose pointer-map pages this writer does not maintain.
        (word(52) != 0, "auto-vacuum"),
        // Format 4 writes the integers 0 and 1 as serial types 8 and 9.
        (word(44) != 4, "schema format"),
        (word(56) != 1, "text encoding is not UTF-8"),
        (
            len.checked_rem(page_size as u64) != Some(0),
            "file is not whole pages",
        ),
    ];
    match checks.iter().find(|(bad, _)| *bad) {
        Some((_, what)) => Err(what),
        None => Ok(Geometry {
            page_size,
            usable: page_size,
        }),
    }
}

/// The page size a database header declares (the value 1 stands for 65536).
pub(crate) fn page_size_of(header: &[u8; 100]) -> usize {
    match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65536,
        n => usize::from(n),
    }
}

/// Opens the database at `path` with `options` and reads its 100-byte header and its length;
/// the file is left positioned after the header.
pub(crate) fn open_with_header(
    path: &Path,
    options: &std::fs::OpenOptions,
) -> Result<(File, [u8; 100], u64), C1zError> {
    let mut file = options.open(path).map_err(io_err("open database", path))?;
    let mut header = [0u8; 100];
    file.read_exact(&mut header)
        .map_err(io_err("read database header", path))?;
    let len = file
        .metadata()
        .map_err(io_err("stat database", path))?
        .len();
    Ok((file, header, len))
}

/// Whether [`IndexPages`] can write pages into the closed database at `path`; if not, why.
pub(crate) fn supports(path: &Path) -> Result<Result<(), &'static str>, C1zError> {
    let (_, header, len) = open_with_header(path, File::options().read(true))?;
    Ok(geometry(&header, len).map(drop))
}

/// Maps an I/O error of `op` on `path` to [`C1zError::Io`].
pub(crate) fn io_err<'a>(
    op: &'static str,
    path: &'a Path,
) -> impl FnOnce(std::io::Error) -> C1zError + 'a {
    move |source| C1zError::Io {
        op,
        path: path.to_path_buf(),
        source,
    }
}

impl IndexPages {
    /// Opens the database at `path` (no connection may have it open) for appending pages.
    pub(crate) fn open(path: &Path) -> Result<Self, C1zError> {
        let (mut file, header, len) =
            open_with_header(path, File::options().read(true).write(true))?;
        let unsupported = |what: &str| C1zError::Io {
            op: "open database for index pages",
            path: path.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("unsupported database header: {what}"),
            ),
        };
        let geo = geometry(&header, len).map_err(unsupported)?;
        let page_size = geo.page_size;
        let pages = u32::try_from(len / page_size as u64).map_err(|_| unsupported("page count"))?;
        file.seek(SeekFrom::End(0))
            .map_err(io_err("seek database end", path))?;
        Ok(Self {
            path: path.to_path_buf(),
            out: BufWriter::with_capacity(1 << 20, file),
            geo,
            next_page: pages + 1,
            roots: Vec::new(),
            freed: Vec::new(),
        })
    }

    /// Starts the tree of the index whose (empty) root page is `root`.
    pub(crate) fn tree(&mut self, root: u32) -> IndexTree<'_> {
        let geo = self.geo;
        IndexTree {
            pages: self,
            root,
            levels: vec![Level {
                prev: None,
                cur: Page::new(geo, false),
            }],
            entries: 0,
        }
    }

    fn append(&mut self, page: Page) -> Result<u32, C1zError> {
        self.append_bytes(&page.finish())
    }

    /// The usable bytes of a page (the page size: reserved bytes are refused at `open`).
    pub(crate) fn usable(&self) -> usize {
        self.geo.usable
    }

    /// Reserves the next `count` page numbers at the end of the file; returns the first.
    fn reserve(&mut self, count: u32) -> Result<u32, C1zError> {
        let no = self.next_page;
        self.next_page = no.checked_add(count).ok_or_else(|| C1zError::Io {
            op: "append database page",
            path: self.path.clone(),
            source: std::io::Error::other("database page count overflow"),
        })?;
        Ok(no)
    }

    /// Appends a finished page (`bytes` is one page long) and returns its number.
    pub(crate) fn append_bytes(&mut self, bytes: &[u8]) -> Result<u32, C1zError> {
        let no = self.reserve(1)?;
        self.out
            .write_all(bytes)
            .map_err(io_err("write database page", &self.path))?;
        Ok(no)
    }

    /// Reserves the next `count` pages without writing them (a hole in the file, whose
    /// bytes the caller keeps elsewhere: `framing::Splice`); returns the number of the first.
    pub(crate) fn skip(&mut self, count: u32) -> Result<u32, C1zError> {
        let first = self.reserve(count)?;
        let bytes = i64::from(count) * self.geo.page_size as i64;
        self.out
            .flush()
            .map_err(io_err("write database page", &self.path))?;
        self.out
            .get_mut()
            .seek(SeekFrom::Current(bytes))
            .map_err(io_err("seek database end", &self.path))?;
        Ok(first)
    }

    /// Has page `no` (inside the file) overwritten with `bytes` at [`IndexPages::finish`].
    pub(crate) fn place(&mut self, no: u32, bytes: Vec<u8>) {
        self.roots.push((no, bytes));
    }

    /// Puts pages `no` (inside the file, no longer used by any tree) on the freelist at
    /// [`IndexPages::finish`].
    pub(crate) fn free(&mut self, no: impl IntoIterator<Item = u32>) {
        self.freed.extend(no);
    }

    /// Writes the pages placed in the file, the freelist and the header's new page count.
    pub(crate) fn finish(mut self) -> Result<(), C1zError> {
        let mut header = [0u8; 100];
        {
            // Appended pages first, so the file is not repositioned under buffered bytes.
            self.out
                .flush()
                .map_err(io_err("write database page", &self.path))?;
            let file = self.out.get_mut();
            file.seek(SeekFrom::Start(0))
                .and_then(|_| file.read_exact(&mut header))
                .map_err(io_err("read database header", &self.path))?;
            file.seek(SeekFrom::End(0))
                .map_err(io_err("seek database end", &self.path))?;
        }
        self.free_pages(&mut header);
        let path = self.path;
        let mut file = self.out.into_inner().map_err(|e| C1zError::Io {
            op: "write index pages",
            path: path.clone(),
            source: e.into_error(),
        })?;
        for (root, bytes) in &self.roots {
            let at = u64::from(root - 1) * self.geo.page_size as u64;
            file.seek(SeekFrom::Start(at))
                .map_err(io_err("seek index root", &path))?;
            file.write_all(bytes)
                .map_err(io_err("write index root", &path))?;
        }
        // A hole at the end (`skip`) is not part of the file until its length says so.
        let want = u64::from(self.next_page - 1) * self.geo.page_size as u64;
        let len = file
            .metadata()
            .map_err(io_err("stat database", &path))?
            .len();
        if len < want {
            file.set_len(want)
                .map_err(io_err("extend database", &path))?;
        }
        // The in-header page count is trusted only while "version-valid-for" equals the change
        // counter, so both move together.
        let counter =
            u32::from_be_bytes([header[24], header[25], header[26], header[27]]).wrapping_add(1);
        header[24..28].copy_from_slice(&counter.to_be_bytes());
        header[28..32].copy_from_slice(&(self.next_page - 1).to_be_bytes());
        header[92..96].copy_from_slice(&counter.to_be_bytes());
        file.seek(SeekFrom::Start(0))
            .map_err(io_err("seek database header", &path))?;
        file.write_all(&header)
            .map_err(io_err("write database header", &path))?;
        file.flush()
            .map_err(io_err("write database header", &path))?;
        Ok(())
    }
}

impl IndexPages {
    /// Turns the freed pages into freelist trunk pages (placed) listing the others, chained in
    /// front of the existing freelist, and updates `header`'s freelist fields.
    fn free_pages(&mut self, header: &mut [u8; 100]) {
        let word = |at: usize| {
            u32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
        };
        let (mut next_trunk, total) = (word(32), word(36));
        let freed = std::mem::take(&mut self.freed);
        if freed.is_empty() {
            return;
        }
        // SQLite before 3.6.0 used only usable/4 - 8 leaf slots of a trunk; so does this.
        let per_trunk = self.geo.usable / 4 - 8;
        for chunk in freed.chunks(per_trunk + 1) {
            let (trunk, leaves) = (chunk[0], &chunk[1..]);
            let mut page = vec![0u8; self.geo.page_size];
            page[0..4].copy_from_slice(&next_trunk.to_be_bytes());
            let n = u32::try_from(leaves.len()).unwrap_or(u32::MAX);
            page[4..8].copy_from_slice(&n.to_be_bytes());
            for (i, leaf) in leaves.iter().enumerate() {
                page[8 + 4 * i..12 + 4 * i].copy_from_slice(&leaf.to_be_bytes());
            }
            self.roots.push((trunk, page));
            next_trunk = trunk;
        }
        let total = total.saturating_add(u32::try_from(freed.len()).unwrap_or(u32::MAX));
        header[32..36].copy_from_slice(&next_trunk.to_be_bytes());
        header[36..40].copy_from_slice(&total.to_be_bytes());
    }
}

/// The B-tree of one index, fed its records in order.
pub(crate) struct IndexTree<'p> {
    pages: &'p mut IndexPages,
    root: u32,
    levels: Vec<Level>,
    entries: u64,
}

impl IndexTree<'_> {
    /// Adds the next record (greater than every earlier one in the index's order).
    pub(crate) fn push(&mut self, record: &[u8]) -> Result<(), C1zError> {
        if record.len() > self.pages.geo.max_local() {
            return Err(C1zError::Io {
                op: "write index page",
                path: self.pages.path.clone(),
                source: std::io::Error::other("index record too large for one page"),
            });
        }
        self.entries += 1;
        self.push_at(0, 0, record)
    }

    /// Adds a cell (`child` is its left child on interior levels) to `level`.
    fn push_at(&mut self, level: usize, child: u32, payload: &[u8]) -> Result<(), C1zError> {
        let geo = self.pages.geo;
        let lv = &mut self.levels[level];
        if lv.cur.fits(payload) {
            lv.cur.push(child, payload);
            return Ok(());
        }
        // The page is full: `payload` becomes the key between it and the next page, and on an
        // interior level the child it came with becomes the full page's right child.
        let interior = lv.cur.interior;
        let mut full = std::mem::replace(&mut lv.cur, Page::new(geo, interior));
        full.right_child = child;
        let held = lv.prev.replace((full, payload.to_vec()));
        if let Some((page, key)) = held {
            self.flush(level, page, &key)?;
        }
        Ok(())
    }

    /// Writes a finished page of `level` and adds it, with the key after it, one level up.
    fn flush(&mut self, level: usize, page: Page, key: &[u8]) -> Result<(), C1zError> {
        let no = self.pages.append(page)?;
        if self.levels.len() == level + 1 {
            let geo = self.pages.geo;
            self.levels.push(Level {
                prev: None,
                cur: Page::new(geo, true),
            });
        }
        self.push_at(level + 1, no, key)
    }

    /// Closes every level bottom-up and records the root page; returns the number of entries.
    pub(crate) fn finish(mut self) -> Result<u64, C1zError> {
        let mut level = 0;
        let mut right_child = 0;
        loop {
            let lv = &mut self.levels[level];
            if let (0, Some((prev, key))) = (lv.cur.cells, lv.prev.as_mut()) {
                // The last key was promoted with nothing after it: `prev` gives up its last
                // cell, which becomes the key, and the old key moves into the last page.
                let (child, last) = prev.pop().ok_or_else(|| internal(&self.pages.path))?;
                if prev.cells == 0 {
                    return Err(internal(&self.pages.path));
                }
                let old_key = std::mem::replace(key, last);
                let old_right = prev.right_child;
                prev.right_child = child;
                lv.cur.push(old_right, &old_key);
            }
            lv.cur.right_child = right_child;
            let top = self.levels.len() == level + 1;
            let lv = &mut self.levels[level];
            let held = lv.prev.take();
            let geo = self.pages.geo;
            let interior = lv.cur.interior;
            let last = std::mem::replace(&mut lv.cur, Page::new(geo, interior));
            match held {
                Some((page, key)) => {
                    self.flush(level, page, &key)?;
                    right_child = self.pages.append(last)?;
                }
                None if top => {
                    self.pages.roots.push((self.root, last.finish()));
                    return Ok(self.entries);
                }
                None => right_child = self.pages.append(last)?,
            }
            level += 1;
        }
    }
}

fn internal(path: &Path) -> C1zError {
    C1zError::Io {
        op: "write index page",
        path: path.to_path_buf(),
        source: std::io::Error::other("index page layout invariant broken"),
    }
}

/// Test support: reads an index B-tree back from the raw pages.
#[cfg(test)]
/// The payloads of the index rooted at `root`, in key order, read from the raw pages.
pub(crate) fn index_payloads(path: &Path, root: u32) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(path).expect("read db");
    let header: &[u8; 100] = bytes[..100].try_into().expect("header");
    let page_size = page_size_of(header);
    fn walk(bytes: &[u8], page_size: usize, no: u32, out: &mut Vec<Vec<u8>>) {
        let page = &bytes[(no as usize - 1) * page_size..no as usize * page_size];
        let interior = match page[0] {
            INDEX_INTERIOR => true,
            INDEX_LEAF => false,
            other => panic!("page {no} has type {other:#x}"),
        };
        let cells = usize::from(u16::from_be_bytes([page[3], page[4]]));
        let header = if interior { 12 } else { 8 };
        for i in 0..cells {
            let at = usize::from(u16::from_be_bytes([
                page[header + 2 * i],
                page[header + 2 * i + 1],
            ]));
            let mut cell = &page[at..];
            if interior {
                walk(
                    bytes,
                    page_size,
                    u32::from_be_bytes([cell[0], cell[1], cell[2], cell[3]]),
                    out,
                );
                cell = &cell[4..];
            }
            let (len, n) = super::table_pages::varint(cell).expect("cell size");
            out.push(cell[n..n + len as usize].to_vec());
        }
        if interior {
            walk(
                bytes,
                page_size,
                u32::from_be_bytes([page[8], page[9], page[10], page[11]]),
                out,
            );
        }
    }
    let mut out = Vec::new();
    walk(&bytes, page_size, root, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn varint(v: u64) -> Vec<u8> {
        let mut out = Vec::new();
        put_varint(&mut out, v);
        out
    }

    #[test]
    fn varints_match_the_file_format() {
        assert_eq!(varint(0), [0]);
        assert_eq!(varint(0x7f), [0x7f]);
        assert_eq!(varint(0x80), [0x81, 0x00]);
        assert_eq!(varint(300), [0x82, 0x2c]);
        assert_eq!(varint(0x3fff), [0xff, 0x7f]);
        assert_eq!(varint(0x4000), [0x81, 0x80, 0x00]);
        assert_eq!(varint(u64::MAX), [0xff; 9]);
        assert_eq!(
            varint(1 << 56),
            [0x80, 0xc0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]
        );
        for shift in 0..64 {
            for v in [(1u64 << shift) - 1, 1u64 << shift] {
                assert_eq!(varint(v).len(), varint_len(v), "{v:#x}");
            }
        }
    }

    #[test]
    fn integers_take_sqlites_serial_types() {
        let cases: &[(i64, &[u8])] = &[
            (0, &[2, 8]),
            (1, &[2, 9]),
            (2, &[2, 1, 2]),
            (-1, &[2, 1, 0xff]),
            (128, &[2, 2, 0, 128]),
            (-129, &[2, 2, 0xff, 0x7f]),
            (1 << 23, &[2, 4, 0, 0x80, 0, 0]),
            (1 << 40, &[2, 5, 1, 0, 0, 0, 0, 0]),
            (
                i64::MAX,
                &[2, 6, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            ),
        ];
        let mut out = Vec::new();
        for (v, want) in cases {
            encode_record(&[Value::Int(*v)], &mut out);
            assert_eq!(out, *want, "{v}");
        }
        encode_record(&[Value::Text(b"ab"), Value::Int(7)], &mut out);
        assert_eq!(out, [3, 17, 1, b'a', b'b', 7]);
        // A header past 127 bytes takes a two-byte length that counts itself.
        let long = vec![b'x'; 60];
        let values: Vec<Value<'_>> = (0..64).map(|_| Value::Text(&long)).collect();
        encode_record(&values, &mut out);
        assert_eq!(&out[..2], &[0x81, 0x02]);
    }

    const TABLE: &str = "create table t (id integer primary key, a text not null, b text not null, n integer not null)";
    const INDEXES: &[&str] = &[
        "create index i_ab on t (a, b)",
        "create unique index i_b on t (b, id)",
        "create index i_n on t (n, id)",
        "create index i_part on t (a) where n = 1",
        "create table after (x)",
    ];

    /// Deterministic rows: `a` repeats and shares prefixes, `b` is unique, `n` spans the
    /// integer serial types, and `a_len` sets the size of the `a` values.
    fn rows(count: usize, a_len: usize) -> Vec<(i64, String, String, i64)> {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        (0..count)
            .map(|i| {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let a = match seed >> 61 {
                    0 => String::new(),
                    k => format!("{:x}", seed >> 40).repeat(a_len / 6 + 1)
                        [..a_len.min(k as usize * a_len / 7)]
                        .to_string(),
                };
                let n = match i % 5 {
                    0 => 1,
                    1 => 0,
                    2 => -(seed as i64 >> 20),
                    3 => seed as i64 >> 50,
                    _ => seed as i64,
                };
                (i as i64 * 3 + 1, a, format!("b{}é{i}", seed >> 33), n)
            })
            .collect()
    }

    fn open(path: &Path, page_size: usize) -> Connection {
        let conn = Connection::open(path).expect("open");
        conn.execute_batch(&format!(
            "PRAGMA page_size={page_size}; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; {TABLE}"
        ))
        .expect("schema");
        conn
    }

    fn insert(conn: &Connection, rows: &[(i64, String, String, i64)]) {
        let mut stmt = conn
            .prepare("insert into t values (?1, ?2, ?3, ?4)")
            .expect("prepare");
        for (id, a, b, n) in rows {
            stmt.execute(params![id, a, b, n]).expect("insert");
        }
    }

    /// Builds the indexes of `INDEXES` with the page writer; returns their roots.
    fn build_with_pages(
        path: &Path,
        page_size: usize,
        rows: &[(i64, String, String, i64)],
    ) -> Vec<(String, u32)> {
        let conn = open(path, page_size);
        insert(&conn, rows);
        conn.execute_batch("BEGIN").expect("begin");
        let roots = create_unbuilt(&conn, "t", INDEXES).expect("create unbuilt");
        // `not indexed`: SQLite would count the smallest index, which is still empty.
        let count: i64 = conn
            .query_row("select count(*) from t not indexed", [], |r| r.get(0))
            .expect("count");
        assert_eq!(count as usize, rows.len(), "the table keeps its rows");
        conn.execute_batch("COMMIT").expect("commit");
        conn.close().expect("close");
        let mut pages = IndexPages::open(path).expect("open pages");
        let mut buf = Vec::new();
        for (name, root) in &roots {
            let mut sorted: Vec<&(i64, String, String, i64)> = match name.as_str() {
                "i_part" => rows.iter().filter(|r| r.3 == 1).collect(),
                _ => rows.iter().collect(),
            };
            match name.as_str() {
                "i_ab" => sorted.sort_by(|x, y| (&x.1, &x.2, x.0).cmp(&(&y.1, &y.2, y.0))),
                "i_b" => sorted.sort_by(|x, y| (&x.2, x.0).cmp(&(&y.2, y.0))),
                "i_n" => sorted.sort_by_key(|x| (x.3, x.0)),
                _ => sorted.sort_by(|x, y| (&x.1, x.0).cmp(&(&y.1, y.0))),
            }
            let mut tree = pages.tree(*root);
            for (id, a, b, n) in sorted {
                let values = match name.as_str() {
                    "i_ab" => vec![
                        Value::Text(a.as_bytes()),
                        Value::Text(b.as_bytes()),
                        Value::Int(*id),
                    ],
                    "i_b" => vec![Value::Text(b.as_bytes()), Value::Int(*id), Value::Int(*id)],
                    "i_n" => vec![Value::Int(*n), Value::Int(*id), Value::Int(*id)],
                    _ => vec![Value::Text(a.as_bytes()), Value::Int(*id)],
                };
                encode_record(&values, &mut buf);
                tree.push(&buf).expect("push");
            }
            tree.finish().expect("finish tree");
        }
        pages.finish().expect("finish pages");
        roots
    }

    fn check(page_size: usize, count: usize, a_len: usize) {
        let dir = tempfile::tempdir().expect("tempdir");
        let ours = dir.path().join("ours.db");
        let rows = rows(count, a_len);
        let roots = build_with_pages(&ours, page_size, &rows);
        assert_eq!(
            roots.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
            ["i_ab", "i_b", "i_n", "i_part"]
        );
        let conn = Connection::open(&ours).expect("reopen");
        let check: String = conn
            .query_row("pragma integrity_check", [], |r| r.get(0))
            .expect("check");
        assert_eq!(check, "ok", "{count} rows, {page_size}-byte pages");
        let names: Vec<String> = conn
            .prepare("select name from sqlite_master order by rowid")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .expect("names");
        assert_eq!(names, ["t", "i_ab", "i_b", "i_n", "i_part", "after"]);
        drop(conn);
        // SQLite builds the same indexes over the same rows: in key order, every record is
        // byte for byte the same.
        let reference = dir.path().join("sqlite.db");
        let conn = open(&reference, page_size);
        insert(&conn, &rows);
        for stmt in INDEXES {
            conn.execute_batch(stmt).expect("index");
        }
        let sqlite_roots: Vec<(String, u32)> = conn
            .prepare("select name, rootpage from sqlite_master where type = 'index' order by rowid")
            .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .expect("roots");
        conn.close().expect("close");
        for ((name, root), (_, sqlite_root)) in roots.iter().zip(&sqlite_roots) {
            let (got, want) = (
                index_payloads(&ours, *root),
                index_payloads(&reference, *sqlite_root),
            );
            assert_eq!(got.len(), want.len(), "{name}: entries");
            assert!(got == want, "{name}: records differ from SQLite's");
        }
    }

    #[test]
    fn small_pages_every_count_up_to_three_levels() {
        // With 512-byte pages a leaf holds a handful of these records, so counts 0..=150 cross
        // every leaf boundary, including a last entry promoted with nothing after it.
        for count in 0..=150 {
            check(512, count, 12);
        }
        check(512, 2_000, 12);
        check(1024, 5_000, 40);
    }

    #[test]
    fn large_pages_and_large_records() {
        check(65536, 20_000, 20);
        // Records close to the largest a 512-byte page keeps without overflow.
        let mut buf = Vec::new();
        let largest = rows(300, 75)
            .iter()
            .map(|(id, a, b, _)| {
                encode_record(
                    &[
                        Value::Text(a.as_bytes()),
                        Value::Text(b.as_bytes()),
                        Value::Int(*id),
                    ],
                    &mut buf,
                );
                buf.len()
            })
            .max();
        assert!(
            largest.is_some_and(|l| l <= max_record(512) && l + 12 > max_record(512)),
            "{largest:?}"
        );
        check(512, 300, 75);
    }

    #[test]
    fn a_header_it_cannot_write_pages_for_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("bad.db");
        let mut header = vec![0u8; 4096];
        header[..16].copy_from_slice(b"SQLite format 3\0");
        // Page size 0 and schema format 0.
        std::fs::write(&path, &header).expect("write");
        let err = IndexPages::open(&path).expect_err("bad header");
        assert!(
            format!("{:?}", err).contains("unsupported database header"),
            "{err:?}"
        );
    }
}
