//! The row codec shared by the writer, the reader, the history copy and the diff: the
//! protobuf `data`/`expansion` blobs and the Go-layout timestamp columns
//! (docs/c1z.md#messages-and-annotations, docs/c1z.md#timestamps-and-sync-ids).

use chrono::{DateTime, Utc};
use prost::Message;
use rusqlite::types::ValueRef;

use super::timestamp::{parse_go, push_go};
use super::C1zError;

/// Decodes the `data` (or `expansion`) blob of row `row_id` of `table`.
pub(crate) fn decode<M: Message + Default>(
    table: &'static str,
    row_id: i64,
    data: &[u8],
) -> Result<M, C1zError> {
    M::decode(data).map_err(|source| C1zError::Decode {
        table,
        row_id,
        source,
    })
}

pub(super) fn encode_into<M: Message>(msg: &M, buf: &mut Vec<u8>) {
    buf.clear();
    buf.reserve(msg.encoded_len());
    // A Vec grows on demand, so encoding into it cannot fail for lack of space.
    let _ = msg.encode(buf);
}

/// Writes the current UTC time in Go's layout into `buf` (this runs once per row).
pub(super) fn format_now(buf: &mut String) {
    buf.clear();
    push_go(buf, &Utc::now());
}

/// Reads a timestamp column (`started_at`, `ended_at`); NULL, non-text or unparsable values
/// are `None`, as files written by other tools may hold them.
pub(super) fn time_column(v: ValueRef<'_>) -> Option<DateTime<Utc>> {
    match v {
        ValueRef::Text(t) => std::str::from_utf8(t).ok().and_then(parse_go),
        _ => None,
    }
}
