//! Proactive rate limiting: one token bucket per [`Family`], awaited before every attempt.

use std::num::NonZeroU32;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

use crate::family::Family;

/// Documented quota of every family (docs/workato-api.md#rate-limits).
pub(crate) const DEFAULT_PER_MINUTE: u32 = 60;
/// Requests allowed back to back before the steady rate applies; small, so a burst cannot
/// exhaust a workspace-wide quota shared with other API clients.
pub(crate) const BURST: u32 = 5;

/// One optional bucket per family; `None` means unlimited.
#[derive(Debug)]
pub(crate) struct Limiters {
    buckets: Vec<Option<DefaultDirectRateLimiter>>,
}

impl Limiters {
    /// Builds the buckets from per-minute quotas indexed like [`Family::ALL`] (0 = unlimited).
    pub(crate) fn new(per_minute: &[u32; Family::ALL.len()]) -> Self {
        let buckets = per_minute
            .iter()
            .map(|&rate| {
                let rate = NonZeroU32::new(rate)?;
                let burst = NonZeroU32::new(BURST.min(rate.get())).unwrap_or(NonZeroU32::MIN);
                Some(RateLimiter::direct(
                    Quota::per_minute(rate).allow_burst(burst),
                ))
            })
            .collect();
        Self { buckets }
    }

    /// Waits until the family's bucket allows one more request.
    pub(crate) async fn acquire(&self, family: Family) {
        if let Some(Some(bucket)) = self.buckets.get(family.index()) {
            bucket.until_ready().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_runtime::block_on;

    #[test]
    fn unlimited_and_burst_pass_without_waiting() {
        block_on(async {
            let mut rates = [0; Family::ALL.len()];
            rates[Family::Members.index()] = 60;
            let limiters = Limiters::new(&rates);
            // An unlimited family never waits; a 60/min family allows its burst immediately.
            for _ in 0..100 {
                limiters.acquire(Family::Roles).await;
            }
            for _ in 0..BURST {
                limiters.acquire(Family::Members).await;
            }
            let members = limiters.buckets[Family::Members.index()]
                .as_ref()
                .expect("members is limited");
            assert!(members.check().is_err(), "burst exhausted");
            assert!(limiters.buckets[Family::Roles.index()].is_none());
        })
    }
}
