//! [`OutputLock`]: one writer per c1z at a time.
//!
//! The lock is an advisory `flock` on a sidecar file `<out>.lock`, not on the c1z itself: the
//! c1z is replaced by a rename on every write, and a lock on the old inode would not stop a
//! writer that opens the new one. The sidecar is never deleted (deleting a lock file races
//! with a writer that has just opened it); it is empty and harmless. Readers take no lock: a
//! rename is atomic, so they see the old or the new complete file.

use std::fs::{File, OpenOptions, TryLockError};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use super::C1zError;

/// Held by a writer from `create` until it is finished or dropped; the OS releases it when the
/// process dies, so a killed writer never leaves the output locked.
#[derive(Debug)]
pub(crate) struct OutputLock {
    // Closing the file releases the lock.
    _file: File,
}

/// The sidecar lock file of `out` (`<out>.lock`).
pub fn lock_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

impl OutputLock {
    /// Takes the lock of `out` without waiting: a second writer fails at once with
    /// [`C1zError::Busy`] instead of syncing for minutes and then queueing behind the first.
    pub(crate) fn acquire(out: &Path) -> Result<Self, C1zError> {
        let path = lock_path(out);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            .map_err(|source| C1zError::Io {
                op: "open the output's lock file",
                path: path.clone(),
                source,
            })?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file }),
            Err(TryLockError::WouldBlock) => Err(C1zError::Busy {
                path: out.to_path_buf(),
                lock: path,
            }),
            Err(TryLockError::Error(source)) => Err(C1zError::Io {
                op: "lock the output",
                path,
                source,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_output_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("sync.c1z");
        let first = OutputLock::acquire(&out).expect("first");
        let err = OutputLock::acquire(&out).expect_err("second");
        assert!(matches!(err, C1zError::Busy { .. }), "{err:?}");
        let text = err.to_string();
        assert!(
            text.contains("sync.c1z") && text.contains("sync.c1z.lock"),
            "{text}"
        );
        // Another output in the same directory is independent.
        let _other = OutputLock::acquire(&dir.path().join("other.c1z")).expect("other");
        drop(first);
        let _again = OutputLock::acquire(&out).expect("after release");
        assert!(!out.exists(), "locking never creates the output");
    }
}
