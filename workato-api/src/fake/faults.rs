//! Injected faults ([`Fault`]) and the per-family rate limiter.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// A misbehaviour applied to the next `count` matching requests.
///
/// Faults are consumed in injection order, one fault per request: the first injected fault
/// that matches the request (route filter, and for [`Fault::RepeatPage`] a paged route)
/// applies and its count drops by one. Faults apply only to authenticated requests.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer `status` with `body` (sent as-is, `application/json`).
    Status {
        /// HTTP status code (e.g. 500, 503, 403).
        status: u16,
        /// Response body.
        body: String,
        /// How many requests get it.
        count: u32,
    },
    /// Delay the (otherwise normal) response by `delay`.
    Latency {
        /// Extra delay.
        delay: Duration,
        /// How many requests get it.
        count: u32,
    },
    /// Answer 200 with a body that is not JSON.
    MalformedJson {
        /// How many requests get it.
        count: u32,
    },
    /// Answer 200 with the first half of the real JSON body.
    TruncatedJson {
        /// How many requests get it.
        count: u32,
    },
    /// Paged endpoints answer page 1 whatever page was asked (a server that loops).
    RepeatPage {
        /// How many requests get it.
        count: u32,
    },
    /// Send the headers and a few body bytes, then break the connection.
    DropConnection {
        /// How many requests get it.
        count: u32,
    },
    /// Answer 429 `{"message":"Too many requests"}`, with `Retry-After: <secs>` if given.
    RateLimitBurst {
        /// How many requests get it.
        count: u32,
        /// `Retry-After` seconds; `None` sends no header.
        retry_after: Option<u64>,
    },
}

impl Fault {
    fn count(&self) -> u32 {
        match self {
            Fault::Status { count, .. }
            | Fault::Latency { count, .. }
            | Fault::MalformedJson { count }
            | Fault::TruncatedJson { count }
            | Fault::RepeatPage { count }
            | Fault::DropConnection { count }
            | Fault::RateLimitBurst { count, .. } => *count,
        }
    }
}

/// An injected fault with its remaining budget and optional route filter.
#[derive(Debug)]
struct Slot {
    fault: Fault,
    remaining: u32,
    route: Option<String>,
}

/// Pending faults, in injection order.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    slots: Vec<Slot>,
}

impl Faults {
    pub(crate) fn push(&mut self, fault: Fault, route: Option<String>) {
        let remaining = fault.count();
        if remaining > 0 {
            self.slots.push(Slot {
                fault,
                remaining,
                route,
            });
        }
    }

    pub(crate) fn clear(&mut self) {
        self.slots.clear();
    }

    /// Consume one use of the first fault matching `route` (a `"GET /api/roles"`-style
    /// template). A filter matches the whole template or just its path part.
    pub(crate) fn take(&mut self, route: &str, paged: bool) -> Option<Fault> {
        let path = route.split_once(' ').map_or(route, |(_, p)| p);
        let pos = self.slots.iter().position(|s| {
            let route_ok = s.route.as_deref().is_none_or(|r| r == route || r == path);
            let kind_ok = paged || !matches!(s.fault, Fault::RepeatPage { .. });
            route_ok && kind_ok
        })?;
        let slot = self.slots.get_mut(pos)?;
        slot.remaining -= 1;
        let fault = slot.fault.clone();
        if slot.remaining == 0 {
            self.slots.remove(pos);
        }
        Some(fault)
    }
}

/// Token buckets, one per endpoint family: capacity `per_minute`, refilled continuously at
/// `per_minute / 60` tokens a second, so a burst of `per_minute` passes and the next request
/// is refused until a token has refilled.
#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    per_minute: u32,
    send_retry_after: bool,
    buckets: BTreeMap<&'static str, (f64, Instant)>,
}

impl RateLimiter {
    pub(crate) fn new() -> Self {
        RateLimiter {
            per_minute: 0,
            send_retry_after: true,
            buckets: BTreeMap::new(),
        }
    }

    pub(crate) fn set_rate(&mut self, per_minute: u32) {
        self.per_minute = per_minute;
        self.buckets.clear();
    }

    pub(crate) fn set_send_retry_after(&mut self, send: bool) {
        self.send_retry_after = send;
    }

    /// `Ok(())` = pass; `Err(retry_after)` = refuse, with the `Retry-After` seconds to send
    /// (`None` when the header is switched off).
    pub(crate) fn check(&mut self, family: &'static str, now: Instant) -> Result<(), Option<u64>> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let rate = capacity / 60.0;
        let (tokens, last) = self.buckets.entry(family).or_insert((capacity, now));
        let elapsed = now.saturating_duration_since(*last).as_secs_f64();
        *tokens = (*tokens + elapsed * rate).min(capacity);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            return Ok(());
        }
        let wait = ((1.0 - *tokens) / rate).ceil().max(1.0);
        // `wait` is at most 60 s times a small factor: the cast cannot truncate meaningfully.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let secs = wait as u64;
        Err(self.send_retry_after.then_some(secs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_consumed_count_wise_in_order() {
        let mut f = Faults::default();
        f.push(Fault::MalformedJson { count: 2 }, None);
        f.push(Fault::TruncatedJson { count: 1 }, None);
        assert_eq!(
            f.take("GET /api/roles", true),
            Some(Fault::MalformedJson { count: 2 })
        );
        assert_eq!(
            f.take("GET /api/roles", true),
            Some(Fault::MalformedJson { count: 2 })
        );
        assert_eq!(
            f.take("GET /api/roles", true),
            Some(Fault::TruncatedJson { count: 1 })
        );
        assert_eq!(f.take("GET /api/roles", true), None);
    }

    #[test]
    fn route_filter_matches_template_or_path() {
        let mut f = Faults::default();
        f.push(
            Fault::DropConnection { count: 1 },
            Some("/api/roles".to_owned()),
        );
        assert_eq!(f.take("GET /api/members", false), None);
        assert!(f.take("GET /api/roles", true).is_some());
    }

    #[test]
    fn repeat_page_skips_unpaged_routes() {
        let mut f = Faults::default();
        f.push(Fault::RepeatPage { count: 1 }, None);
        assert_eq!(f.take("GET /api/members", false), None);
        assert!(f.take("GET /api/projects", true).is_some());
    }

    #[test]
    fn bucket_allows_a_burst_then_refuses_per_family() {
        let mut rl = RateLimiter::new();
        rl.set_rate(60);
        let t0 = Instant::now();
        for _ in 0..60 {
            assert_eq!(rl.check("members", t0), Ok(()));
        }
        assert_eq!(rl.check("members", t0), Err(Some(1)));
        assert_eq!(rl.check("roles", t0), Ok(()));
        // One second refills one token at 60/min.
        assert_eq!(rl.check("members", t0 + Duration::from_secs(1)), Ok(()));
        rl.set_send_retry_after(false);
        assert_eq!(rl.check("members", t0 + Duration::from_secs(1)), Err(None));
    }

    #[test]
    fn zero_rate_means_unlimited() {
        let mut rl = RateLimiter::new();
        let t0 = Instant::now();
        for _ in 0..1000 {
            assert_eq!(rl.check("members", t0), Ok(()));
        }
    }
}
