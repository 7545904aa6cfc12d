//! The 5-byte magic and the zstd payload around the SQLite file, plus the atomic file swap.

use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::C1zError;

/// Magic of a c1z v1 file: `C1ZF\0`.
pub const MAGIC_V1: [u8; 5] = *b"C1ZF\0";
/// Magic of a c1z v3 file (Pebble-based; not supported).
pub const MAGIC_V3: [u8; 5] = *b"C1Z3\0";

/// Default compression level. Go uses the library default, 3; level 1 compresses a c1z as
/// well (the 20,000-member benchmark file: 24.3 MB at level 1, 24.4 MB at level 3, since its
/// rows repeat whole entitlements) with half the CPU and a smaller window, so less memory.
pub const DEFAULT_LEVEL: i32 = 1;
/// Default cap on the decompressed size (baton-sdk v0.7.27: 3 GiB).
pub const DEFAULT_MAX_DECODED: u64 = 3 * 1024 * 1024 * 1024;
/// zstd worker threads used when writing (the target machines have two cores).
const COMPRESSION_WORKERS: u32 = 2;
/// Largest zstd window the reader accepts: 2^27 = 128 MiB, like Go's decoder.
const MAX_WINDOW_LOG: u32 = 27;

/// The prefix and suffix of the temporary files a write creates beside `out`
/// (`.<name>.<random>.tmp`): unique per writer, so two writers never share one.
fn temp_affixes(out: &Path) -> (String, &'static str) {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    (format!(".{name}."), ".tmp")
}

/// The directory `out` is written in (`.` for a bare file name).
fn parent_dir(out: &Path) -> &Path {
    match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Whether `name` is one of the temporary files a write of `out` creates (or, from older
/// versions, `<name>.tmp`).
pub fn is_temp_of(out: &Path, name: &str) -> bool {
    let (prefix, suffix) = temp_affixes(out);
    let legacy = format!(
        "{}.tmp",
        prefix.trim_start_matches('.').trim_end_matches('.')
    );
    name == legacy
        || (name.len() > prefix.len() + suffix.len()
            && name.starts_with(&prefix)
            && name.ends_with(suffix))
}

/// Removes temporary files a killed writer of `out` left behind. Only call it while holding
/// the output's lock: then no other writer of `out` can own one of them. Best effort.
pub(crate) fn remove_stale_temps(out: &Path) {
    let Ok(entries) = fs::read_dir(parent_dir(out)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if is_temp_of(out, &name.to_string_lossy()) {
            match fs::remove_file(entry.path()) {
                Ok(()) => {
                    tracing::info!(file = %entry.path().display(), "removed a temporary file left by an interrupted write")
                }
                Err(e) => {
                    tracing::debug!(file = %entry.path().display(), error = %e, "cannot remove a stale temporary file")
                }
            }
        }
    }
}

/// Compresses the SQLite file `db` into `out` atomically: a new temporary file beside `out`
/// (unique name, mode 0600) receives the magic and one zstd frame with a checksum, is fsynced,
/// then renamed over `out`. On any failure the temp file is removed and `out` is left as it was;
/// a reader that opened `out` before the rename keeps reading the complete previous file.
pub fn write_c1z(db: &Path, out: &Path, level: i32) -> Result<u64, C1zError> {
    write_c1z_spliced(db, out, level, None)
}

/// Bytes of a database file kept in another file: the database's `len` bytes from offset
/// `at` are a hole, and are the first `len` bytes of `from` (the grant pages the writer
/// spooled, docs/decisions.md#d60-expanded-grants-written-as-pages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Splice {
    /// Offset of the hole in the database file.
    pub(crate) at: u64,
    /// Its length.
    pub(crate) len: u64,
    /// The file holding its bytes.
    pub(crate) from: PathBuf,
}

/// [`write_c1z`] of the database `db` with `splice`'s bytes in its hole.
pub(crate) fn write_c1z_spliced(
    db: &Path,
    out: &Path,
    level: i32,
    splice: Option<&Splice>,
) -> Result<u64, C1zError> {
    let dir = parent_dir(out);
    let (prefix, suffix) = temp_affixes(out);
    // Created with mode 0600 and O_EXCL; deleted on drop unless persisted.
    let tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(suffix)
        .tempfile_in(dir)
        .map_err(|source| C1zError::Io {
            op: "create temp c1z",
            path: out.to_path_buf(),
            source,
        })?;
    let written = write_tmp(db, splice, tmp.as_file(), tmp.path(), level)?;
    tmp.persist(out).map_err(|e| C1zError::Io {
        op: "rename temp c1z over output",
        path: out.to_path_buf(),
        source: e.error,
    })?;
    // Persist the rename itself; best effort, a directory fsync is not possible everywhere.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(written)
}

fn write_tmp(
    db: &Path,
    splice: Option<&Splice>,
    file: &File,
    tmp: &Path,
    level: i32,
) -> Result<u64, C1zError> {
    let io_err = |op: &'static str, path: &Path| {
        let path = path.to_path_buf();
        move |source| C1zError::Io { op, path, source }
    };
    let mut input = File::open(db).map_err(io_err("open temp database", db))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    out.write_all(&MAGIC_V1)
        .map_err(io_err("write c1z magic", tmp))?;
    // Levels 1..=19 keep the window <= 8 MiB; ultra levels and long mode are never used.
    let mut enc = zstd::stream::Encoder::new(&mut out, level.clamp(1, 19))
        .map_err(io_err("start zstd encoder", tmp))?;
    enc.include_checksum(true)
        .map_err(io_err("configure zstd", tmp))?;
    // Never on at these levels, but Go's reader caps the window, so say so
    // (docs/c1z.md#compression).
    enc.long_distance_matching(false)
        .map_err(io_err("configure zstd", tmp))?;
    // Worker threads compress independent jobs of the same single frame, so the stream and
    // its window are those of the single-threaded encoder (baton-sdk accepts either).
    enc.multithread(COMPRESSION_WORKERS)
        .map_err(io_err("configure zstd workers", tmp))?;
    let db_len = input
        .metadata()
        .map_err(io_err("stat temp database", db))?
        .len();
    // Pledging the size is allowed and lets the frame header carry it.
    let _ = enc.set_pledged_src_size(Some(db_len));
    let copied = match splice {
        None => copy_in_large_chunks(&mut input, &mut enc),
        Some(splice) => {
            let spliced =
                File::open(&splice.from).map_err(io_err("open spliced pages", &splice.from))?;
            let mut rest = File::open(db).map_err(io_err("open temp database", db))?;
            rest.seek(SeekFrom::Start(splice.at + splice.len))
                .map_err(io_err("seek temp database", db))?;
            let mut reader = (&mut input)
                .take(splice.at)
                .chain(spliced.take(splice.len))
                .chain(rest);
            copy_in_large_chunks(&mut reader, &mut enc)
        }
    }
    .map_err(io_err("compress database", tmp))?;
    if copied != db_len {
        return Err(C1zError::Io {
            op: "compress database",
            path: db.to_path_buf(),
            source: io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "database shorter than its length",
            ),
        });
    }
    enc.finish().map_err(io_err("finish zstd stream", tmp))?;
    let file = out.into_inner().map_err(|e| C1zError::Io {
        op: "flush temp c1z",
        path: tmp.to_path_buf(),
        source: e.into_error(),
    })?;
    let file: &File = file;
    file.sync_all().map_err(io_err("fsync temp c1z", tmp))?;
    let len = file.metadata().map_err(io_err("stat temp c1z", tmp))?.len();
    Ok(len)
}

/// Reads the magic of `path` and streams the zstd payload into `dest`, refusing more than
/// `max_decoded` bytes. Multiple frames, skippable frames and frames without checksum are fine.
pub fn decompress_to(path: &Path, dest: &mut File, max_decoded: u64) -> Result<u64, C1zError> {
    let file = File::open(path).map_err(|source| C1zError::Io {
        op: "open c1z",
        path: path.to_path_buf(),
        source,
    })?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len == 0 {
        return Err(C1zError::Empty);
    }
    let mut input = BufReader::with_capacity(1 << 20, file);
    let mut magic = [0u8; 5];
    input
        .read_exact(&mut magic)
        .map_err(|_| C1zError::BadMagic)?;
    if magic == MAGIC_V3 {
        return Err(C1zError::UnsupportedV3);
    }
    if magic != MAGIC_V1 {
        return Err(C1zError::BadMagic);
    }
    let mut dec = zstd::stream::read::Decoder::with_buffer(input).map_err(C1zError::Decompress)?;
    dec.window_log_max(MAX_WINDOW_LOG)
        .map_err(C1zError::Decompress)?;
    // Read one byte more than allowed so an oversized payload is detected, not truncated.
    let mut limited = dec.take(max_decoded.saturating_add(1));
    let mut out = BufWriter::with_capacity(
        1 << 20,
        WriteSide {
            inner: &mut *dest,
            failed: false,
        },
    );
    // A failing write (a full temp disk) is a local I/O error, not a fault of the c1z.
    let write_err = |source| C1zError::Io {
        op: WRITE_TEMP_OP,
        path: path.to_path_buf(),
        source,
    };
    let copied = copy_in_large_chunks(&mut limited, &mut out);
    let n = match copied {
        Ok(n) => n,
        Err(e) if out.get_ref().failed => return Err(write_err(e)),
        Err(e) => return Err(C1zError::Decompress(e)),
    };
    out.flush().map_err(write_err)?;
    if n > max_decoded {
        return Err(C1zError::TooLarge { limit: max_decoded });
    }
    Ok(n)
}

/// The `op` of a [`C1zError::Io`] from writing the decompressed database.
pub(crate) const WRITE_TEMP_OP: &str = "decompress the c1z into a temp file";

/// Bytes moved per read in [`copy_in_large_chunks`].
const COPY_CHUNK: usize = 1 << 20;

/// `io::copy` with a 1 MiB buffer instead of its 8 KiB one: moving a database of hundreds of
/// megabytes through zstd in 8 KiB steps cost a read call and a codec call per step.
fn copy_in_large_chunks(from: &mut impl Read, to: &mut impl Write) -> io::Result<u64> {
    let mut buf = vec![0u8; COPY_CHUNK];
    let mut total = 0u64;
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        to.write_all(&buf[..n])?;
        total += n as u64;
    }
}

/// A writer that remembers whether it failed, to tell write errors from read errors after
/// [`copy_in_large_chunks`].
struct WriteSide<W> {
    inner: W,
    failed: bool,
}

impl<W: Write> Write for WriteSide<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let r = self.inner.write(buf);
        self.failed |= r.is_err();
        r
    }

    fn flush(&mut self) -> io::Result<()> {
        let r = self.inner.flush();
        self.failed |= r.is_err();
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_chunk_copy_moves_every_byte() {
        // Two and a half chunks, so the copy loops and ends on a short read.
        let data: Vec<u8> = (0..COPY_CHUNK * 5 / 2).map(|i| (i % 251) as u8).collect();
        let mut out = Vec::new();
        let n = copy_in_large_chunks(&mut data.as_slice(), &mut out).expect("copy");
        assert_eq!(n, data.len() as u64);
        assert_eq!(out, data);
    }

    /// Window size announced by a zstd frame header (RFC 8878, section 3.1.1.1).
    fn frame_window(frame: &[u8]) -> u64 {
        let fhd = frame[4];
        let single_segment = fhd & 0b10_0000 != 0;
        if single_segment {
            // The window is the content size; read it from the header.
            let fcs_len = [1usize, 2, 4, 8][usize::from(fhd >> 6)];
            let dict_len = [0usize, 1, 2, 4][usize::from(fhd & 0b11)];
            let start = 5 + dict_len;
            let mut fcs = [0u8; 8];
            fcs[..fcs_len].copy_from_slice(&frame[start..start + fcs_len]);
            let v = u64::from_le_bytes(fcs);
            return if fcs_len == 2 { v + 256 } else { v };
        }
        let wd = frame[5];
        let base = 1u64 << (10 + (wd >> 3));
        base + base / 8 * u64::from(wd & 0b111)
    }

    #[test]
    fn multithreaded_output_is_one_checksummed_frame_with_small_window() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("db");
        // 12 MiB of compressible, non-repeating rows: more than one compression job.
        let mut input = Vec::with_capacity(12 << 20);
        let mut i = 0u64;
        while input.len() < 12 << 20 {
            input.extend_from_slice(
                format!(
                    "row {i} value {}\n",
                    i.wrapping_mul(2_654_435_761) % 100_003
                )
                .as_bytes(),
            );
            i += 1;
        }
        fs::write(&db, &input).expect("write db");
        let out = dir.path().join("out.c1z");
        let len = write_c1z(&db, &out, DEFAULT_LEVEL).expect("write c1z");
        let bytes = fs::read(&out).expect("read");
        assert_eq!(u64::try_from(bytes.len()).expect("len"), len);
        assert_eq!(&bytes[..5], &MAGIC_V1);
        let frame = &bytes[5..];
        assert_eq!(
            zstd::zstd_safe::find_frame_compressed_size(frame).expect("frame"),
            frame.len(),
            "exactly one frame"
        );
        assert_ne!(frame[4] & 0b100, 0, "content checksum");
        assert!(
            frame_window(frame) <= 8 << 20,
            "window {}",
            frame_window(frame)
        );
        assert_eq!(zstd::decode_all(frame).expect("decode"), input);
    }
}
