//! Per-key async locks: provisioning calls that touch the same collaborator (or project, or
//! email) run one at a time; calls for different keys run in parallel.
//!
//! Why: grant and revoke are read-check-write sequences (read the member's role in an
//! environment, decide, PUT). Two such sequences for one member interleaved in one process
//! could both read the old state and both act on it: a grant's "superseded" report could name
//! a role a concurrent grant already replaced, or a revoke could reset an environment right
//! after a concurrent grant set it. Serializing per member makes each sequence see the result
//! of the previous one. It does not protect against other writers (another process, the
//! Workato UI), which no client-side lock can.
//!
//! Entries are removed when their last user releases them, so the map holds only keys in use.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

/// A map of async mutexes created on demand.
#[derive(Debug, Default)]
pub(crate) struct KeyedLocks {
    map: Mutex<HashMap<String, Arc<AsyncMutex<()>>>>,
}

impl KeyedLocks {
    /// Waits for, then holds, the lock of `key` until the guard is dropped.
    pub async fn lock(&self, key: String) -> KeyGuard<'_> {
        let mutex = {
            let mut map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(map.entry(key.clone()).or_default())
        };
        let guard = Arc::clone(&mutex).lock_owned().await;
        KeyGuard {
            locks: self,
            key,
            mutex,
            guard: Some(guard),
        }
    }

    /// Number of keys currently locked or waited for.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.map
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

/// Holds one key's lock.
#[derive(Debug)]
pub(crate) struct KeyGuard<'a> {
    locks: &'a KeyedLocks,
    key: String,
    mutex: Arc<AsyncMutex<()>>,
    guard: Option<OwnedMutexGuard<()>>,
}

impl Drop for KeyGuard<'_> {
    fn drop(&mut self) {
        // Release first so a waiter can proceed, then forget the entry if nobody else holds
        // a handle to it: the map's handle and ours make two. Waiters hold their own handle,
        // and new handles are only taken under the map lock held here, so the count is exact.
        drop(self.guard.take());
        let mut map = self
            .locks
            .map
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if Arc::strong_count(&self.mutex) == 2 {
            map.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn same_key_is_exclusive_and_entries_are_cleaned_up() {
        let locks = KeyedLocks::default();
        let inside = AtomicUsize::new(0);
        let max_inside = AtomicUsize::new(0);
        let work = |_: u32| async {
            let _g = locks.lock("member:1".into()).await;
            let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
            max_inside.fetch_max(now, Ordering::SeqCst);
            tokio::task::yield_now().await;
            tokio::task::yield_now().await;
            inside.fetch_sub(1, Ordering::SeqCst);
        };
        futures::future::join_all((0..8).map(work)).await;
        assert_eq!(max_inside.load(Ordering::SeqCst), 1);
        assert_eq!(locks.len(), 0);
    }

    #[tokio::test]
    async fn different_keys_do_not_wait_for_each_other() {
        let locks = KeyedLocks::default();
        let a = locks.lock("member:1".into()).await;
        // Would never complete if keys shared a lock.
        let b = locks.lock("member:2".into()).await;
        assert_eq!(locks.len(), 2);
        drop(a);
        assert_eq!(locks.len(), 1);
        drop(b);
        assert_eq!(locks.len(), 0);
    }
}
