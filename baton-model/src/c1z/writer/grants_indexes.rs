//! The grants indexes at `finish`, written as B-tree pages instead of by SQLite's
//! `CREATE INDEX` (docs/decisions.md#d54-grants-indexes-written-as-pages).
//!
//! `CREATE INDEX` scans the whole grants table once per index (seven times, ~400 MB each on the
//! 20,000-member benchmark) and sorts through SQLite's sorter. Instead one read of the table's
//! pages (`table_pages`; through SQLite when a page is unexpected) collects every row's key
//! columns: the short, much-repeated ones interned, the external ids only when they
//! are not `<entitlement>:<principal type>:<principal>` (baton's grant ids are).
//! The indexes are then created empty ([`create_unbuilt`]), each is sorted in memory, and
//! after the database is closed [`IndexPages`] writes its pages. The records are those SQLite
//! writes (unit tests in `index_btree` compare them byte for byte).
//!
//! Anything this path does not handle falls back to `CREATE INDEX` before the schema changes:
//! a key column that is not TEXT (a hand-made history file), a record too large for one page,
//! a duplicate `(external_id, sync_id)` (SQLite then reports the constraint), or keys needing
//! more than [`MAX_KEY_BYTES`] of memory.

use std::cmp::Ordering;

use foldhash::HashMap;
use rusqlite::types::ValueRef;
use rusqlite::Connection;

use std::path::Path;

use super::grant_spool::GrantSpool;
use crate::c1z::framing::Splice;
use crate::c1z::index_btree::{create_unbuilt, encode_record, max_record, IndexPages, Value};
use crate::c1z::table_pages::{self, record_columns, Column, TableShape};
use crate::c1z::{schema, C1zError};

/// Memory the collected keys may take; past it the indexes are built by SQLite, whose memory
/// is bounded. A grant takes 40 bytes, plus its id when that is not derived (see [`DERIVED`]):
/// about 5 million grants with baton's ids.
const MAX_KEY_BYTES: usize = 192 << 20;

/// Distinct values of one key column, each stored once.
#[derive(Default)]
struct Dict {
    ids: HashMap<Box<[u8]>, u32>,
    values: Vec<Box<[u8]>>,
    // Rows arrive grouped by entitlement, so most values repeat the previous row's.
    last: Option<u32>,
    bytes: usize,
}

impl Dict {
    fn intern(&mut self, value: &[u8]) -> u32 {
        if let Some(last) = self.last {
            if self.get(last) == value {
                return last;
            }
        }
        let id = match self.ids.get(value) {
            Some(&id) => id,
            None => {
                let id = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
                self.values.push(value.into());
                self.ids.insert(value.into(), id);
                self.bytes += 2 * value.len() + 64;
                id
            }
        };
        self.last = Some(id);
        id
    }

    fn get(&self, id: u32) -> &[u8] {
        self.values.get(id as usize).map_or(&[], |v| v)
    }

    /// Each value's position in SQLite's BINARY order (byte-wise, shorter prefix first),
    /// indexed by id: comparing ranks compares the values.
    fn ranks(&self) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.values.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| self.get(a).cmp(self.get(b)));
        ranks_of(order)
    }

    /// Ranks of each value followed by `:`, or `None` when one such string is a prefix of
    /// another (then comparing two ids built of these pieces can run past the piece).
    fn colon_ranks(&self) -> Option<Vec<u32>> {
        let colon = |id: u32| [self.get(id), b":"];
        let mut order: Vec<u32> = (0..self.values.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| cmp_pieces(&colon(a), &colon(b)));
        // If x is a prefix of y, so is it of everything sorted between them: checking
        // neighbours finds every case.
        let prefix = order.windows(2).any(|w| {
            let (a, b) = (self.get(w[0]), self.get(w[1]));
            b.starts_with(a) && b.get(a.len()) == Some(&b':')
        });
        if prefix {
            return None;
        }
        Some(ranks_of(order))
    }
}

/// Turns ids in sorted order into each id's rank.
fn ranks_of(order: Vec<u32>) -> Vec<u32> {
    let mut ranks = vec![0; order.len()];
    for (rank, id) in order.into_iter().enumerate() {
        ranks[id as usize] = rank as u32;
    }
    ranks
}

/// [`Row::external`] of a grant whose id is `<entitlement>:<principal type>:<principal>`, as
/// baton grant ids are: its bytes are not stored again.
const DERIVED: u32 = u32::MAX;

/// One grant row's index keys: dictionary ids, and its external id (see [`DERIVED`]).
#[derive(Clone, Copy)]
struct Row {
    id: i64,
    resource_type: u32,
    resource: u32,
    entitlement: u32,
    principal_type: u32,
    principal: u32,
    sync: u32,
    // Index into `GrantIndexKeys::external_spans`, or DERIVED.
    external: u32,
    // The partial indexes' conditions, as SQLite evaluated them.
    expansion: bool,
    needs_expansion: bool,
}

/// The grants indexes, in creation order (docs/c1z.md#schema).
#[derive(Clone, Copy)]
enum Index {
    ResourceTypeResource,
    Principal,
    EntitlementPrincipal,
    ExternalSync,
    EntitlementSyncGrant,
    SyncExpansion,
    SyncNeedsExpansion,
}

const INDEXES: [(&str, Index); 7] = [
    (
        "idx_grants_resource_type_id_resource_id_v1",
        Index::ResourceTypeResource,
    ),
    ("idx_grants_principal_id_v1", Index::Principal),
    (
        "idx_grants_entitlement_id_principal_id_v1",
        Index::EntitlementPrincipal,
    ),
    ("idx_grants_external_sync_v1", Index::ExternalSync),
    (
        "idx_grants_entitlement_sync_grant_v1",
        Index::EntitlementSyncGrant,
    ),
    ("idx_grants_sync_expansion_v1", Index::SyncExpansion),
    (
        "idx_grants_sync_needs_expansion_v1",
        Index::SyncNeedsExpansion,
    ),
];

/// The key columns of every grant row, collected by [`collect`].
pub(super) struct GrantIndexKeys {
    rows: Vec<Row>,
    // External ids that are not DERIVED, one after the other, and each one's span.
    external: Vec<u8>,
    external_spans: Vec<(u32, u32)>,
    resource_types: Dict,
    resources: Dict,
    entitlements: Dict,
    principal_types: Dict,
    principals: Dict,
    syncs: Dict,
}

/// Ranks of each dictionary's values (see [`Dict::ranks`]).
struct Ranks {
    resource_types: Vec<u32>,
    resources: Vec<u32>,
    entitlements: Vec<u32>,
    principal_types: Vec<u32>,
    principals: Vec<u32>,
    syncs: Vec<u32>,
    // `Dict::colon_ranks` of the entitlements and principal types.
    entitlements_colon: Option<Vec<u32>>,
    principal_types_colon: Option<Vec<u32>>,
}

/// The grants indexes, created empty, waiting for the database to close.
pub(super) struct PendingIndexes {
    keys: GrantIndexKeys,
    // The external-id index's order, sorted before the schema changed to check uniqueness.
    external_order: Vec<u32>,
    ranks: Ranks,
    roots: Vec<(String, u32)>,
    // Spooled grants to append to the grants table first, and the table's pages.
    tail: Option<(GrantSpool, TableShape)>,
}

fn text_value(value: ValueRef<'_>) -> Option<&[u8]> {
    match value {
        ValueRef::Text(t) => Some(t),
        _ => None,
    }
}

/// A TEXT column read from a record, or why it cannot be a key.
fn text(column: Column<'_>) -> Result<&[u8], &'static str> {
    match column {
        Column::Text(t) => Ok(t),
        _ => Err("a key column holds a value that is not text"),
    }
}

const TOO_MUCH_MEMORY: &str = "the grants' keys need more memory than the page path may take";

/// One grant row's key columns as stored: resource type, resource, entitlement, principal
/// type, principal, external id, sync id.
type KeyColumns<'a> = [&'a [u8]; 7];

impl GrantIndexKeys {
    fn with_capacity(rows: usize) -> Self {
        Self {
            rows: Vec::with_capacity(rows),
            external: Vec::new(),
            external_spans: Vec::new(),
            resource_types: Dict::default(),
            resources: Dict::default(),
            entitlements: Dict::default(),
            principal_types: Dict::default(),
            principals: Dict::default(),
            syncs: Dict::default(),
        }
    }

    /// Adds a row after every row added so far (`id` must be greater than theirs), or says why
    /// the page path cannot take it.
    fn push(
        &mut self,
        id: i64,
        cols: KeyColumns<'_>,
        expansion: bool,
        needs_expansion: bool,
    ) -> Result<(), &'static str> {
        let [rt, rid, eid, prt, pid, ext, sync] = cols;
        // The two key columns of the widest record, plus room for a record header and two
        // 8-byte integers.
        let widest = (eid.len() + prt.len() + pid.len())
            .max(ext.len() + sync.len())
            .max(rt.len() + rid.len())
            .max(eid.len() + sync.len());
        if widest + 64 > max_record(super::PAGE_SIZE as usize) {
            return Err("a key is too large for one index page");
        }
        // The sorts break ties by position, which must be row id order.
        if self.rows.last().is_some_and(|prev| prev.id >= id) {
            return Err("the grants are not in row id order");
        }
        let external = if is_derived(ext, eid, prt, pid) {
            DERIVED
        } else {
            let offset = |len: usize| u32::try_from(len).unwrap_or(u32::MAX);
            let start = offset(self.external.len());
            self.external.extend_from_slice(ext);
            self.external_spans
                .push((start, offset(self.external.len())));
            // Below DERIVED: MAX_KEY_BYTES keeps the count far under 2^32.
            offset(self.external_spans.len() - 1)
        };
        let row = Row {
            id,
            resource_type: self.resource_types.intern(rt),
            resource: self.resources.intern(rid),
            entitlement: self.entitlements.intern(eid),
            principal_type: self.principal_types.intern(prt),
            principal: self.principals.intern(pid),
            sync: self.syncs.intern(sync),
            external,
            expansion,
            needs_expansion,
        };
        self.rows.push(row);
        if self.rows.len().is_multiple_of(1024) && self.bytes() > MAX_KEY_BYTES {
            return Err(TOO_MUCH_MEMORY);
        }
        Ok(())
    }

    fn bytes(&self) -> usize {
        self.rows.capacity() * std::mem::size_of::<Row>()
            + self.external.capacity()
            + self.external_spans.capacity() * 8
            + [
                &self.resource_types,
                &self.resources,
                &self.entitlements,
                &self.principal_types,
                &self.principals,
                &self.syncs,
            ]
            .iter()
            .map(|d| d.bytes)
            .sum::<usize>()
    }

    /// Row `i`'s external id, as pieces to be read one after the other.
    fn external(&self, i: u32) -> [&[u8]; 5] {
        let r = &self.rows[i as usize];
        match self.external_spans.get(r.external as usize) {
            Some(&(start, end)) => [
                &self.external[start as usize..end as usize],
                &[],
                &[],
                &[],
                &[],
            ],
            None => [
                self.entitlements.get(r.entitlement),
                b":",
                self.principal_types.get(r.principal_type),
                b":",
                self.principals.get(r.principal),
            ],
        }
    }

    /// Compares the external ids of rows `a` and `b`.
    fn cmp_external(&self, a: u32, b: u32) -> Ordering {
        let (ra, rb) = (&self.rows[a as usize], &self.rows[b as usize]);
        if ra.external == DERIVED
            && rb.external == DERIVED
            && ra.entitlement == rb.entitlement
            && ra.principal_type == rb.principal_type
        {
            return self
                .principals
                .get(ra.principal)
                .cmp(self.principals.get(rb.principal));
        }
        cmp_pieces(&self.external(a), &self.external(b))
    }

    fn ranks(&self) -> Ranks {
        Ranks {
            resource_types: self.resource_types.ranks(),
            resources: self.resources.ranks(),
            entitlements: self.entitlements.ranks(),
            principal_types: self.principal_types.ranks(),
            principals: self.principals.ranks(),
            syncs: self.syncs.ranks(),
            entitlements_colon: self.entitlements.colon_ranks(),
            principal_types_colon: self.principal_types.colon_ranks(),
        }
    }

    /// The rows of `index` (positions in `rows`) in the index's order: its columns compared
    /// with SQLite's BINARY collation, then the row id (rows are in row id order, so a tie is
    /// broken by position).
    fn order(&self, index: Index, ranks: &Ranks) -> Vec<u32> {
        type Part<'r> = (&'r [u32], fn(&Row) -> u32);
        let external_parts: [Part<'_>; 4];
        let all = 0..self.rows.len() as u32;
        let rows = &self.rows;
        let row = |i: u32| &rows[i as usize];
        let mut order: Vec<u32> = match index {
            Index::SyncExpansion => all.filter(|&i| row(i).expansion).collect(),
            Index::SyncNeedsExpansion => all.filter(|&i| row(i).needs_expansion).collect(),
            _ => all.collect(),
        };
        let parts: &[Part<'_>] = match index {
            Index::ResourceTypeResource => &[
                (&ranks.resource_types, |r| r.resource_type),
                (&ranks.resources, |r| r.resource),
            ],
            Index::Principal => &[
                (&ranks.principal_types, |r| r.principal_type),
                (&ranks.principals, |r| r.principal),
            ],
            Index::EntitlementPrincipal => &[
                (&ranks.entitlements, |r| r.entitlement),
                (&ranks.principal_types, |r| r.principal_type),
                (&ranks.principals, |r| r.principal),
            ],
            Index::EntitlementSyncGrant => &[
                (&ranks.entitlements, |r| r.entitlement),
                (&ranks.syncs, |r| r.sync),
            ],
            Index::SyncExpansion | Index::SyncNeedsExpansion => &[(&ranks.syncs, |r| r.sync)],
            // Every id `<entitlement>:<principal type>:<principal>` and no piece with its `:`
            // a prefix of another: the ids compare as those pieces' ranks.
            Index::ExternalSync
                if self.external_spans.is_empty()
                    && ranks.entitlements_colon.is_some()
                    && ranks.principal_types_colon.is_some() =>
            {
                external_parts = [
                    (ranks.entitlements_colon.as_deref().unwrap_or(&[]), |r| {
                        r.entitlement
                    }),
                    (ranks.principal_types_colon.as_deref().unwrap_or(&[]), |r| {
                        r.principal_type
                    }),
                    (&ranks.principals, |r| r.principal),
                    (&ranks.syncs, |r| r.sync),
                ];
                &external_parts
            }
            Index::ExternalSync => {
                order.sort_unstable_by(|&a, &b| {
                    self.cmp_external(a, b)
                        .then_with(|| {
                            let sync = |i: u32| ranks.syncs[row(i).sync as usize];
                            sync(a).cmp(&sync(b))
                        })
                        .then(a.cmp(&b))
                });
                return order;
            }
        };
        let rank = |(ranks, field): &Part<'_>, i: u32| ranks[field(row(i)) as usize];
        // Ranks need few bits: packed into one integer, a sort compares plain pairs.
        let bits =
            |(ranks, _): &Part<'_>| usize::BITS - ranks.len().saturating_sub(1).leading_zeros();
        if parts.iter().map(bits).sum::<u32>() <= 64 {
            let mut keyed: Vec<(u64, u32)> = order
                .iter()
                .map(|&i| {
                    let key = parts.iter().fold(0u64, |key, part| {
                        (key << bits(part)) | u64::from(rank(part, i))
                    });
                    (key, i)
                })
                .collect();
            keyed.sort_unstable();
            return keyed.into_iter().map(|(_, i)| i).collect();
        }
        order.sort_unstable_by(|&a, &b| {
            parts
                .iter()
                .map(|part| rank(part, a).cmp(&rank(part, b)))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
                .then(a.cmp(&b))
        });
        order
    }

    /// The index record of row `i` (its columns, then the row id).
    fn record(&self, index: Index, i: u32, out: &mut Vec<u8>, external_buf: &mut Vec<u8>) {
        let r = &self.rows[i as usize];
        let id = Value::Int(r.id);
        let sync = Value::Text(self.syncs.get(r.sync));
        let entitlement = Value::Text(self.entitlements.get(r.entitlement));
        let principal_type = Value::Text(self.principal_types.get(r.principal_type));
        let principal = Value::Text(self.principals.get(r.principal));
        match index {
            Index::ResourceTypeResource => encode_record(
                &[
                    Value::Text(self.resource_types.get(r.resource_type)),
                    Value::Text(self.resources.get(r.resource)),
                    id,
                ],
                out,
            ),
            Index::Principal => encode_record(&[principal_type, principal, id], out),
            Index::EntitlementPrincipal => {
                encode_record(&[entitlement, principal_type, principal, id], out);
            }
            Index::ExternalSync => {
                let mut external = std::mem::take(external_buf);
                external.clear();
                for piece in self.external(i) {
                    external.extend_from_slice(piece);
                }
                encode_record(&[Value::Text(&external), sync, id], out);
                *external_buf = external;
            }
            // `id` is the table's row id alias: the indexed column and the row id are equal.
            Index::EntitlementSyncGrant => encode_record(&[entitlement, sync, id, id], out),
            Index::SyncExpansion | Index::SyncNeedsExpansion => encode_record(&[sync, id], out),
        }
    }
}

/// The row count `v1_grants` can have at most (its row id span), or why the page path cannot
/// take that many.
fn row_span(
    conn: &Connection,
    spooled_last: Option<i64>,
) -> Result<Result<usize, &'static str>, C1zError> {
    // Two subqueries: SQLite looks up a lone min() or max() of the row id in the B-tree, but
    // scans the whole table for both in one select.
    let (first, last): (Option<i64>, Option<i64>) = conn.query_row(
        "select (select min(id) from v1_grants), (select max(id) from v1_grants)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    // Spooled rows lie above the table's.
    let (first, last) = match (first, spooled_last) {
        (None, Some(spooled)) => (Some(spooled), Some(spooled)),
        (first, spooled) => (first, last.max(spooled)),
    };
    // Row ids are dense but for retention's deletions: the span bounds the row count.
    let span = match (first, last) {
        (Some(first), Some(last)) => usize::try_from(last - first + 1).unwrap_or(usize::MAX),
        _ => 0,
    };
    if span.saturating_mul(std::mem::size_of::<Row>()) > MAX_KEY_BYTES {
        return Ok(Err(TOO_MUCH_MEMORY));
    }
    Ok(Ok(span))
}

/// Collects the index keys of every grant by reading the grants table's pages from the file
/// at `db` (`table_pages`), after committing so the file holds every row. Says why when that
/// cannot be done; the caller then reads the table through SQLite ([`collect`]).
fn collect_from_pages(
    conn: &Connection,
    db: &Path,
    spool: Option<&mut GrantSpool>,
) -> Result<Result<(GrantIndexKeys, TableShape), &'static str>, C1zError> {
    let spooled_last = spool.as_ref().and_then(|s| s.last_row());
    let span = match row_span(conn, spooled_last)? {
        Ok(span) => span,
        Err(why) => return Ok(Err(why)),
    };
    conn.execute_batch("COMMIT; BEGIN")?;
    let root: u32 = conn.query_row(
        "select rootpage from sqlite_master where type = 'table' and name = 'v1_grants'",
        [],
        |r| r.get(0),
    )?;
    let mut keys = GrantIndexKeys::with_capacity(span);
    let shape =
        match table_pages::for_each_row(db, root, |id, record| keys.push_record(id, record))? {
            Ok(shape) => shape,
            Err(why) => return Ok(Err(why)),
        };
    if let Some(spool) = spool {
        // Spooled rows come after the table's, as they will be stored.
        let spooled = spool
            .for_each_row(|id, record| keys.push_record(id, record).map_err(SpoolWalk::Refused));
        match spooled {
            Ok(()) => {}
            Err(SpoolWalk::Refused(why)) => return Ok(Err(why)),
            Err(SpoolWalk::Failed(e)) => return Err(e),
        }
    }
    if keys.bytes() > MAX_KEY_BYTES {
        return Ok(Err(TOO_MUCH_MEMORY));
    }
    Ok(Ok((keys, shape)))
}

/// Why reading the spooled rows' keys stopped.
enum SpoolWalk {
    Refused(&'static str),
    Failed(C1zError),
}

impl From<C1zError> for SpoolWalk {
    fn from(e: C1zError) -> Self {
        Self::Failed(e)
    }
}

impl GrantIndexKeys {
    /// [`GrantIndexKeys::push`] of a grant row's record as stored.
    fn push_record(&mut self, id: i64, record: &[u8]) -> Result<(), &'static str> {
        // Columns in declaration order (docs/c1z.md#schema); `id`, the row id alias, is
        // stored as NULL and comes from the cell.
        let Some((cols, 11)) = record_columns::<11>(record) else {
            return Err("a grant record is not as the table declares");
        };
        let key = [
            text(cols[1])?,
            text(cols[2])?,
            text(cols[3])?,
            text(cols[4])?,
            text(cols[5])?,
            text(cols[6])?,
            text(cols[10])?,
        ];
        // `expansion is not null` and `needs_expansion = 1`, as the partial indexes have
        // them; anything but a plain integer is left to SQLite's comparison.
        let expansion = cols[7] != Column::Null;
        let Column::Int(needs) = cols[8] else {
            return Err("needs_expansion is not an integer");
        };
        self.push(id, key, expansion, needs == 1)
    }
}

/// Scans `v1_grants` through SQLite and collects its index keys, or says why the page path
/// cannot be taken (the caller then builds the indexes with SQLite).
fn collect(conn: &Connection) -> Result<Result<GrantIndexKeys, &'static str>, C1zError> {
    let span = match row_span(conn, None)? {
        Ok(span) => span,
        Err(why) => return Ok(Err(why)),
    };
    let mut keys = GrantIndexKeys::with_capacity(span);
    // The partial indexes' conditions are evaluated by SQLite, exactly as in their `where`.
    let mut stmt = conn.prepare(
        "select id, resource_type_id, resource_id, entitlement_id, principal_resource_type_id,
                principal_resource_id, external_id, sync_id, expansion is not null,
                needs_expansion = 1
         from v1_grants",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let mut cols = [&[][..]; 7];
        for (i, col) in cols.iter_mut().enumerate() {
            match text_value(r.get_ref(i + 1)?) {
                Some(t) => *col = t,
                None => return Ok(Err("a key column holds a value that is not text")),
            }
        }
        let flags = (r.get::<_, i64>(8)? != 0, r.get::<_, i64>(9)? != 0);
        if let Err(why) = keys.push(r.get(0)?, cols, flags.0, flags.1) {
            return Ok(Err(why));
        }
    }
    if keys.bytes() > MAX_KEY_BYTES {
        return Ok(Err(TOO_MUCH_MEMORY));
    }
    Ok(Ok(keys))
}

/// Whether `ext` is `<eid>:<prt>:<pid>`.
fn is_derived(ext: &[u8], eid: &[u8], prt: &[u8], pid: &[u8]) -> bool {
    ext.len() == eid.len() + prt.len() + pid.len() + 2
        && ext.starts_with(eid)
        && ext[eid.len()] == b':'
        && ext[eid.len() + 1..].starts_with(prt)
        && ext[eid.len() + 1 + prt.len()] == b':'
        && ext.ends_with(pid)
}

/// Compares two byte strings each given as consecutive pieces, as one byte string each.
fn cmp_pieces(a: &[&[u8]], b: &[&[u8]]) -> Ordering {
    let (mut a, mut b) = (a.iter().copied(), b.iter().copied());
    let (mut x, mut y): (&[u8], &[u8]) = (&[], &[]);
    loop {
        while x.is_empty() {
            match a.next() {
                Some(next) => x = next,
                None => break,
            }
        }
        while y.is_empty() {
            match b.next() {
                Some(next) => y = next,
                None => break,
            }
        }
        if x.is_empty() || y.is_empty() {
            return x.len().cmp(&y.len());
        }
        let n = x.len().min(y.len());
        match x[..n].cmp(&y[..n]) {
            Ordering::Equal => (x, y) = (&x[n..], &y[n..]),
            other => return other,
        }
    }
}

/// Creates the deferred schema with the grants indexes empty, to be written as pages once
/// the database is closed ([`PendingIndexes::write`]), after `spool`'s rows are appended to
/// the grants table as pages; or, when the page path cannot be taken, returns why (and the
/// spool) without changing anything.
pub(super) fn create_empty(
    conn: &Connection,
    db: &Path,
    mut spool: Option<GrantSpool>,
) -> Result<Result<PendingIndexes, (&'static str, Option<GrantSpool>)>, C1zError> {
    let started = std::time::Instant::now();
    let (keys, tail) = match collect_from_pages(conn, db, spool.as_mut())? {
        Ok((keys, shape)) => (keys, spool.map(|spool| (spool, shape))),
        // The spooled rows can only be read from their pages.
        Err(why) if spool.is_some() => return Ok(Err((why, spool))),
        Err(why) => {
            tracing::debug!(reason = why, "reading the grants' keys through SQLite");
            match collect(conn)? {
                Ok(keys) => (keys, None),
                Err(why) => return Ok(Err((why, None))),
            }
        }
    };
    let ranks = keys.ranks();
    let external_order = keys.order(Index::ExternalSync, &ranks);
    let duplicate = external_order.windows(2).any(|w| {
        keys.rows[w[0] as usize].sync == keys.rows[w[1] as usize].sync
            && keys.cmp_external(w[0], w[1]) == Ordering::Equal
    });
    if duplicate {
        let why = "two grants share an external id and sync id";
        return Ok(Err((why, tail.map(|(spool, _)| spool))));
    }
    let roots = create_unbuilt(conn, "v1_grants", schema::split_at_grants_table().1)?;
    tracing::debug!(
        grants = keys.rows.len(),
        key_mib = keys.bytes() >> 20,
        elapsed_ms = started.elapsed().as_millis(),
        "grants index keys collected"
    );
    Ok(Ok(PendingIndexes {
        keys,
        external_order,
        ranks,
        roots,
        tail,
    }))
}

impl PendingIndexes {
    /// Writes the grants indexes into the closed database at `db`.
    pub(super) fn write(self, db: &std::path::Path) -> Result<Option<Splice>, C1zError> {
        let started = std::time::Instant::now();
        let Self {
            keys,
            mut external_order,
            ranks,
            roots,
            tail,
        } = self;
        let mut pages = IndexPages::open(db)?;
        let splice = match tail {
            Some((spool, shape)) => spool.append_to(&mut pages, db, &shape)?,
            None => None,
        };
        let (mut buf, mut external_buf) = (Vec::with_capacity(256), Vec::with_capacity(256));
        for (name, index) in INDEXES {
            let root = roots
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, root)| *root)
                .ok_or(C1zError::MissingTable { table: name })?;
            let order = match index {
                Index::ExternalSync => std::mem::take(&mut external_order),
                _ => keys.order(index, &ranks),
            };
            let mut tree = pages.tree(root);
            for i in order {
                keys.record(index, i, &mut buf, &mut external_buf);
                tree.push(&buf)?;
            }
            tree.finish()?;
        }
        pages.finish()?;
        tracing::debug!(
            elapsed_ms = started.elapsed().as_millis(),
            "grants indexes written"
        );
        Ok(splice)
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::params;

    use super::*;

    /// Every collected row as (row id, its seven key columns, the partial indexes' flags).
    fn rows(keys: &GrantIndexKeys) -> Vec<(i64, Vec<Vec<u8>>, bool, bool)> {
        (0..keys.rows.len() as u32)
            .map(|i| {
                let r = &keys.rows[i as usize];
                let external: Vec<u8> = keys.external(i).concat();
                let cols = vec![
                    keys.resource_types.get(r.resource_type).to_vec(),
                    keys.resources.get(r.resource).to_vec(),
                    keys.entitlements.get(r.entitlement).to_vec(),
                    keys.principal_types.get(r.principal_type).to_vec(),
                    keys.principals.get(r.principal).to_vec(),
                    external,
                    keys.syncs.get(r.sync).to_vec(),
                ];
                (r.id, cols, r.expansion, r.needs_expansion)
            })
            .collect()
    }

    #[test]
    fn reading_the_pages_collects_what_sqlite_reads() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("g.db");
        let conn = Connection::open(&db).expect("open");
        conn.execute_batch("PRAGMA page_size=65536; PRAGMA journal_mode=MEMORY; BEGIN")
            .expect("pragmas");
        schema::run(&conn, schema::split_at_grants_table().0).expect("schema");
        let mut insert = conn
            .prepare(
                "insert into v1_grants (id, resource_type_id, resource_id, entitlement_id,
                   principal_resource_type_id, principal_resource_id, external_id, expansion,
                   needs_expansion, data, sync_id, discovered_at)
                 values (?1, 'role', ?2, ?3, 'user', ?4, ?5, ?6, ?7, ?8, ?9, '2026-01-01')",
            )
            .expect("prepare");
        for i in 0..3_000i64 {
            let ent = format!("role:{}:member", i % 17);
            let user = format!("u{i}");
            // Some ids of their own; some expandable; every 500th row's data overflows.
            let ext = if i % 9 == 0 {
                format!("own:{i}")
            } else {
                format!("{ent}:user:{user}")
            };
            let expansion = (i % 4 == 0).then(|| vec![1u8, 2, 3]);
            let data = vec![7u8; if i % 500 == 0 { 200_000 } else { 600 }];
            let sync = if i < 1_000 { "sync-a" } else { "sync-b" };
            insert
                .execute(params![
                    i * 2 + 5,
                    (i % 17).to_string(),
                    ent,
                    user,
                    ext,
                    expansion,
                    i64::from(i % 3 == 0),
                    data,
                    sync
                ])
                .expect("insert");
        }
        drop(insert);
        let (from_pages, _) = collect_from_pages(&conn, &db, None)
            .expect("io")
            .expect("pages readable");
        let through_sqlite = collect(&conn).expect("io").expect("sqlite scan");
        assert_eq!(from_pages.rows.len(), 3_000);
        assert!(
            rows(&from_pages) == rows(&through_sqlite),
            "the two scans differ"
        );
        assert!(from_pages.rows.iter().any(|r| r.needs_expansion));
        assert!(from_pages.rows.iter().any(|r| !r.expansion));
    }
}
