//! Warnings raised while reading a workspace, each logged once.

use std::collections::BTreeSet;
use std::sync::Mutex;

/// Collects warnings about the workspace (skipped roles, unknown privileges, missing API
/// permissions…). Each distinct message is logged once through `tracing` and kept so callers
/// (and tests) can report them.
#[derive(Debug, Default)]
pub struct Warnings {
    seen: Mutex<BTreeSet<String>>,
}

impl Warnings {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `message`; logs it at WARN level the first time only.
    pub fn warn(&self, message: impl Into<String>) {
        let message = message.into();
        let mut seen = match self.seen.lock() {
            Ok(guard) => guard,
            // A panic while holding the lock cannot leave the set inconsistent (insert is
            // atomic from our point of view), so keep using it.
            Err(poisoned) => poisoned.into_inner(),
        };
        if seen.insert(message.clone()) {
            tracing::warn!("{message}");
        }
    }

    /// Every distinct warning so far, sorted.
    pub fn all(&self) -> Vec<String> {
        match self.seen.lock() {
            Ok(guard) => guard.iter().cloned().collect(),
            Err(poisoned) => poisoned.into_inner().iter().cloned().collect(),
        }
    }

    /// Whether some warning contains `needle`.
    pub fn contains(&self, needle: &str) -> bool {
        self.all().iter().any(|w| w.contains(needle))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedupes() {
        let w = Warnings::new();
        w.warn("a");
        w.warn("a");
        w.warn(String::from("b"));
        assert_eq!(w.all(), ["a", "b"]);
        assert!(w.contains("b"));
        assert!(!w.contains("c"));
    }
}
