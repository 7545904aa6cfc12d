//! c1z v1 files: a zstd-compressed SQLite database behind the `C1ZF\0` magic
//! (docs/c1z.md). [`C1zWriter`] builds one atomically; [`C1zReader`] opens any v1 file,
//! including the older schema baton-sdk v0.2.61 wrote.

use std::path::PathBuf;

use thiserror::Error;

pub(crate) mod annotations;
mod codec;
pub mod diff;
pub mod framing;
mod hash_slots;
mod history;
mod index_btree;
pub mod ksuid;
mod output_lock;
mod reader;
pub mod retention;
pub mod schema;
mod seen_keys;
mod table_append;
mod table_pages;
pub mod timestamp;
mod writer;

pub(crate) use codec::decode;
pub use diff::{diff, Changes, SyncDiff};
pub use ksuid::{Ksuid, KsuidError};
pub use output_lock::lock_path;
pub use reader::{C1zReader, GrantFilter, ReaderOptions, ResourceFilter, Stats, SyncRun};
pub use retention::Retention;
pub(crate) use writer::GrantKeys;
pub use writer::{C1zWriter, GrantRow, Upsert, WriteSummary, WriterOptions};

/// Errors reading or writing a c1z file.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum C1zError {
    /// A file-system operation failed.
    #[error("{op} ({path}): I/O error")]
    Io {
        /// What was being done.
        op: &'static str,
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The SQLite database reported an error.
    #[error("sqlite error")]
    Sqlite(#[from] rusqlite::Error),
    /// A stored `data` blob is not the protobuf message it should be.
    #[error("corrupt {table} row {row_id}: data is not a valid protobuf message")]
    Decode {
        /// Table of the row.
        table: &'static str,
        /// SQLite row id.
        row_id: i64,
        /// The decoding error.
        #[source]
        source: prost::DecodeError,
    },
    /// The file is zero bytes long (Go treats it as a new, empty database).
    #[error("empty c1z: the file has no content and therefore no syncs")]
    Empty,
    /// The file is a c1z v3 (Pebble) file.
    #[error("unsupported c1z v3: only v1 (C1ZF) files can be read")]
    UnsupportedV3,
    /// The file does not start with a c1z magic.
    #[error("not a c1z file: bad magic")]
    BadMagic,
    /// The zstd payload could not be decompressed.
    #[error("cannot decompress c1z payload")]
    Decompress(#[source] std::io::Error),
    /// The decompressed payload exceeds the configured cap.
    #[error("decompressed c1z exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The cap in bytes.
        limit: u64,
    },
    /// A KSUID could not be generated.
    #[error("cannot create a sync id")]
    Ksuid(#[from] KsuidError),
    /// The requested sync id is not in the file.
    #[error("sync {0:?} not found in c1z")]
    SyncNotFound(String),
    /// An object lacks a field the table keys need.
    #[error("{kind} {id:?} has no {field}; it cannot be stored")]
    MissingKey {
        /// Object kind (`resource`, `entitlement`, `grant`, …).
        kind: &'static str,
        /// The object's id as far as known.
        id: String,
        /// The missing field.
        field: &'static str,
    },
    /// Another writer holds the output's lock.
    #[error("{path} is being written by another sync (it holds the lock {lock}); wait for that sync to finish, or write to another file")]
    Busy {
        /// The c1z being written.
        path: PathBuf,
        /// Its lock file.
        lock: PathBuf,
    },
    /// The output exists but is not a c1z the new sync can be added to.
    #[error("{path} exists but is not a readable c1z, so the sync cannot be added to it; the file was left untouched (delete or move it to start a new file)")]
    Unreadable {
        /// The existing file.
        path: PathBuf,
        /// Why it cannot be read.
        #[source]
        source: Box<C1zError>,
    },
    /// A database lacks a table every c1z has.
    #[error("not a c1z database: it has no {table} table")]
    MissingTable {
        /// The missing table.
        table: &'static str,
    },
    /// The writer was already finished or failed.
    #[error("the c1z writer is closed")]
    Closed,
}
