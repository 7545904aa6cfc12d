//! [`Retention`]: which earlier syncs a c1z keeps when a new sync is added to it — baton-sdk's
//! cleanup policy (docs/c1z.md, "Sync history in one file").

use std::num::NonZeroUsize;

use chrono::{DateTime, Utc};

/// Environment variable with the number of full syncs to keep (a positive integer).
pub const KEEP_SYNC_COUNT_ENV: &str = "BATON_KEEP_SYNC_COUNT";
/// Environment variable that, when true, keeps every sync.
pub const SKIP_CLEANUP_ENV: &str = "BATON_SKIP_CLEANUP";

/// How many finished syncs a c1z keeps after a sync is added to it.
///
/// Unfinished syncs are never removed. Partial syncs (`partial`, `resources_only`) that ended
/// before the oldest kept full sync started go with the removed full syncs. Of more than two
/// diff syncs (`partial_upserts`, `partial_deletions`) only the newest and the sync it links
/// to are kept. Any other type counts as a full sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Retention {
    /// Keep the newest `n` finished full syncs, the one just written included.
    KeepFull(NonZeroUsize),
    /// Keep every sync (`BATON_SKIP_CLEANUP=true`).
    KeepAll,
}

impl Default for Retention {
    /// baton-sdk's default: the newest 2 full syncs, enough for `baton diff`.
    fn default() -> Self {
        Self::KeepFull(NonZeroUsize::MIN.saturating_add(1))
    }
}

impl Retention {
    /// The policy baton-sdk reads from `BATON_SKIP_CLEANUP` and `BATON_KEEP_SYNC_COUNT`.
    pub fn from_env() -> Self {
        Self::from_values(
            std::env::var(SKIP_CLEANUP_ENV).ok().as_deref(),
            std::env::var(KEEP_SYNC_COUNT_ENV).ok().as_deref(),
        )
    }

    /// The policy for these values of `BATON_SKIP_CLEANUP` and `BATON_KEEP_SYNC_COUNT`, read
    /// the way baton-sdk reads them: `skip_cleanup` is a Go boolean (`1`, `t`, `true`, … ;
    /// anything else is false); `keep` counts only when it is a positive integer, otherwise
    /// the default applies.
    pub fn from_values(skip_cleanup: Option<&str>, keep: Option<&str>) -> Self {
        if skip_cleanup.is_some_and(go_parse_bool) {
            return Self::KeepAll;
        }
        match keep.map(|k| k.parse::<usize>()) {
            Some(Ok(n)) => NonZeroUsize::new(n).map_or_else(Self::default, Self::KeepFull),
            Some(Err(_)) => {
                tracing::warn!(value = ?keep, "{KEEP_SYNC_COUNT_ENV} is not a positive integer; keeping the default 2 syncs");
                Self::default()
            }
            None => Self::default(),
        }
    }
}

/// Go's `strconv.ParseBool` true values; everything else (its false values and errors) is false.
fn go_parse_bool(s: &str) -> bool {
    matches!(s, "1" | "t" | "T" | "TRUE" | "true" | "True")
}

/// What the policy needs to know of one sync run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RunInfo {
    pub(crate) sync_id: String,
    pub(crate) started_at: Option<DateTime<Utc>>,
    pub(crate) ended_at: Option<DateTime<Utc>>,
    pub(crate) sync_type: String,
    pub(crate) linked_sync_id: String,
}

/// The sync ids to remove from `runs` (oldest first, the new sync last) under `retention`.
pub(crate) fn to_remove(runs: &[RunInfo], retention: Retention) -> Vec<String> {
    let Retention::KeepFull(keep) = retention else {
        return Vec::new();
    };
    let keep = keep.get();
    let finished = runs.iter().filter(|r| r.ended_at.is_some());
    let (mut full, mut partial, mut diff) = (Vec::new(), Vec::new(), Vec::new());
    for run in finished {
        match run.sync_type.as_str() {
            "partial" | "resources_only" => partial.push(run),
            "partial_upserts" | "partial_deletions" => diff.push(run),
            _ => full.push(run),
        }
    }
    let mut remove = Vec::new();
    if full.len() > keep {
        let overflow = full.len() - keep;
        remove.extend(full[..overflow].iter().map(|r| r.sync_id.clone()));
        if let Some(cutoff) = full[overflow].started_at {
            remove.extend(
                partial
                    .iter()
                    .filter(|p| p.ended_at.is_some_and(|e| e < cutoff))
                    .map(|p| p.sync_id.clone()),
            );
        }
    }
    if diff.len() > 2 {
        if let Some(latest) = diff.last() {
            let linked = &latest.linked_sync_id;
            remove.extend(
                diff.iter()
                    .filter(|d| d.sync_id != latest.sync_id)
                    .filter(|d| linked.is_empty() || &d.sync_id != linked)
                    .map(|d| d.sync_id.clone()),
            );
        }
    }
    remove
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: i64) -> Option<DateTime<Utc>> {
        DateTime::from_timestamp(1_800_000_000 + minute * 60, 0)
    }

    fn run(id: &str, kind: &str, start: i64, end: Option<i64>) -> RunInfo {
        RunInfo {
            sync_id: id.into(),
            started_at: at(start),
            ended_at: end.and_then(at),
            sync_type: kind.into(),
            linked_sync_id: String::new(),
        }
    }

    fn keep(n: usize) -> Retention {
        Retention::KeepFull(NonZeroUsize::new(n).expect("positive"))
    }

    #[test]
    fn default_keeps_the_newest_two_full_syncs() {
        let runs = [
            run("a", "full", 0, Some(1)),
            run("b", "full", 2, Some(3)),
            run("c", "full", 4, Some(5)),
        ];
        assert_eq!(to_remove(&runs, Retention::default()), ["a"]);
        assert!(to_remove(&runs[..2], Retention::default()).is_empty());
        assert!(to_remove(&runs, keep(3)).is_empty());
        assert_eq!(to_remove(&runs, keep(1)), ["a", "b"]);
        assert!(to_remove(&runs, Retention::KeepAll).is_empty());
    }

    #[test]
    fn unfinished_syncs_are_never_removed_nor_counted() {
        let runs = [
            run("old-running", "full", 0, None),
            run("a", "full", 1, Some(2)),
            run("b", "full", 3, Some(4)),
            run("c", "full", 5, Some(6)),
        ];
        assert_eq!(to_remove(&runs, Retention::default()), ["a"]);
    }

    #[test]
    fn partials_older_than_the_oldest_kept_full_sync_go_with_it() {
        let runs = [
            run("a", "full", 0, Some(1)),
            run("p-old", "partial", 2, Some(3)),
            run("b", "full", 4, Some(5)),
            run("p-new", "resources_only", 6, Some(7)),
            run("c", "full", 8, Some(9)),
        ];
        assert_eq!(to_remove(&runs, Retention::default()), ["a", "p-old"]);
        // Nothing overflows: partials stay whatever their age.
        assert!(to_remove(&runs, keep(3)).is_empty());
    }

    #[test]
    fn of_many_diff_syncs_the_newest_and_its_link_stay() {
        let mut runs = vec![
            run("d1", "partial_upserts", 0, Some(1)),
            run("d2", "partial_deletions", 2, Some(3)),
            run("d3", "partial_upserts", 4, Some(5)),
            run("d4", "partial_deletions", 6, Some(7)),
        ];
        runs[3].linked_sync_id = "d3".into();
        assert_eq!(to_remove(&runs, Retention::default()), ["d1", "d2"]);
        assert!(to_remove(&runs[..2], Retention::default()).is_empty());
    }

    #[test]
    fn environment_values_are_read_like_baton_sdk() {
        assert_eq!(Retention::from_values(None, None), keep(2));
        assert_eq!(Retention::from_values(None, Some("3")), keep(3));
        assert_eq!(Retention::from_values(None, Some("0")), keep(2));
        assert_eq!(Retention::from_values(None, Some("-1")), keep(2));
        assert_eq!(Retention::from_values(None, Some("three")), keep(2));
        for t in ["1", "t", "T", "true", "TRUE", "True"] {
            assert_eq!(
                Retention::from_values(Some(t), Some("3")),
                Retention::KeepAll
            );
        }
        for f in ["0", "false", "no", "yes", ""] {
            assert_eq!(Retention::from_values(Some(f), None), keep(2), "{f:?}");
        }
    }
}
