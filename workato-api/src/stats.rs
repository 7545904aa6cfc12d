//! Request counters, read by the benchmark and by logs at the end of a sync.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::family::Family;

/// A snapshot of a client's counters (shared by all clones of the client).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientStats {
    /// HTTP requests sent (every attempt, retries included), per family.
    pub requests: BTreeMap<Family, u64>,
    /// 429 Too Many Requests responses received.
    pub rate_limited: u64,
    /// Attempts that were retried after a failure.
    pub retries: u64,
}

impl ClientStats {
    /// Requests sent across all families.
    pub fn total_requests(&self) -> u64 {
        self.requests.values().sum()
    }

    /// Requests sent for one family.
    pub fn requests_for(&self, family: Family) -> u64 {
        self.requests.get(&family).copied().unwrap_or(0)
    }
}

/// The live counters behind [`ClientStats`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    requests: [AtomicU64; Family::ALL.len()],
    rate_limited: AtomicU64,
    retries: AtomicU64,
}

impl Counters {
    pub(crate) fn request(&self, family: Family) {
        self.requests[family.index()].fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn rate_limited(&self) {
        self.rate_limited.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn retry(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> ClientStats {
        ClientStats {
            requests: Family::ALL
                .into_iter()
                .map(|f| (f, self.requests[f.index()].load(Ordering::Relaxed)))
                .filter(|(_, n)| *n > 0)
                .collect(),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_counts() {
        let c = Counters::default();
        c.request(Family::Members);
        c.request(Family::Members);
        c.request(Family::Folders);
        c.rate_limited();
        c.retry();
        let s = c.snapshot();
        assert_eq!(s.requests_for(Family::Members), 2);
        assert_eq!(s.requests_for(Family::Roles), 0);
        assert_eq!(s.total_requests(), 3);
        assert_eq!((s.rate_limited, s.retries), (1, 1));
    }
}
