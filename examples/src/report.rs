//! The benchmark's result object and the rate-limit bound it is judged against.

use std::collections::BTreeMap;

use serde_json::{json, Value};

/// What one benchmark run measured; [`BenchReport::to_json`] is the object the `bench`
/// binary prints.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchReport {
    /// Requests the client sent (retries included) per endpoint family.
    pub requests: BTreeMap<String, u64>,
    /// 429 responses the client received.
    pub throttled_429: u64,
    /// Attempts the client retried (429s, 5xx, timeouts).
    pub retries: u64,
    /// Wall time of the sync, seconds.
    pub wall_s: f64,
    /// Per-family rate limit used by server and client (0 = unlimited).
    pub rate_per_min: u32,
    /// The per-family limit (`--workato-rate-limit`) the reported bound is computed for.
    pub workato_rate_limit: u32,
    /// Peak resident set size of the syncing process, MiB.
    pub peak_rss_mib: f64,
    /// User + system CPU time of the syncing process, seconds.
    pub cpu_s: f64,
    /// Resource types stored.
    pub resource_types: u64,
    /// Resources stored.
    pub resources: u64,
    /// Entitlements stored.
    pub entitlements: u64,
    /// Grants stored (from the connector plus expanded ones).
    pub grants: u64,
    /// Grants of those created by grant expansion.
    pub expanded_grants: u64,
    /// Size of the written c1z, bytes.
    pub c1z_bytes: u64,
    /// CPU seconds of the syncing process spent in each sync phase (`resources`,
    /// `entitlements`, `grants`, `expansion`, `writing`, ...), from the engine's progress
    /// reports; the connection check and start-up before the first phase are `start`.
    pub cpu_by_phase_s: BTreeMap<String, f64>,
}

impl BenchReport {
    /// Requests across all families.
    pub fn total_requests(&self) -> u64 {
        self.requests.values().sum()
    }

    /// The rate-limit lower bound of the wall time: see [`bound_secs`].
    pub fn bound_s(&self) -> f64 {
        bound_secs(&self.requests, self.rate_per_min)
    }

    /// The family with the most requests and its count (ties: the first by name).
    pub fn busiest_family(&self) -> Option<(&str, u64)> {
        self.requests
            .iter()
            .fold(None, |best: Option<(&str, u64)>, (family, n)| match best {
                Some((_, m)) if m >= *n => best,
                _ => Some((family.as_str(), *n)),
            })
    }

    /// The rate-limit lower bound of the wall time at `workato_rate_limit`, seconds.
    pub fn bound_at_limit_s(&self) -> f64 {
        bound_secs(&self.requests, self.workato_rate_limit)
    }

    /// `wall_s / bound_s`, or `None` when unlimited (no bound).
    pub fn wall_over_bound(&self) -> Option<f64> {
        let bound = self.bound_s();
        (bound > 0.0).then(|| self.wall_s / bound)
    }

    /// The JSON object: `requests`, `total_requests`, `throttled_429`, `wall_s`, `bound_s`,
    /// `wall_over_bound` (`null` when unlimited), `peak_rss_mib`, `cpu_s`, `resources`,
    /// `entitlements`, `grants`, `c1z_bytes`, `cpu_by_phase_s`, plus `rate_per_min`, `retries`,
    /// `resource_types` and `expanded_grants`; and, for the limit a real tenant would impose
    /// (`workato_rate_limit`), `bound_at_limit_s`, `bound_at_limit_min` and the
    /// `busiest_family` with its `busiest_family_requests`.
    pub fn to_json(&self) -> Value {
        let (busiest, busiest_n) = self.busiest_family().unwrap_or(("", 0));
        json!({
            "workato_rate_limit": self.workato_rate_limit,
            "bound_at_limit_s": round3(self.bound_at_limit_s()),
            "bound_at_limit_min": round3(self.bound_at_limit_s() / 60.0),
            "busiest_family": busiest,
            "busiest_family_requests": busiest_n,
            "requests": self.requests,
            "total_requests": self.total_requests(),
            "throttled_429": self.throttled_429,
            "retries": self.retries,
            "rate_per_min": self.rate_per_min,
            "wall_s": round3(self.wall_s),
            "bound_s": round3(self.bound_s()),
            "wall_over_bound": self.wall_over_bound().map(round3),
            "peak_rss_mib": round3(self.peak_rss_mib),
            "cpu_s": round3(self.cpu_s),
            "resource_types": self.resource_types,
            "resources": self.resources,
            "entitlements": self.entitlements,
            "grants": self.grants,
            "expanded_grants": self.expanded_grants,
            "c1z_bytes": self.c1z_bytes,
            "cpu_by_phase_s": self
                .cpu_by_phase_s
                .iter()
                .map(|(phase, s)| (phase.clone(), round3(*s)))
                .collect::<BTreeMap<_, _>>(),
        })
    }
}

/// The shortest time the requests can take under a per-family limit of `per_minute`: the
/// largest, over families, of the family's request count divided by the rate, in seconds.
/// Families are limited independently, so they can progress in parallel. 0 when unlimited.
pub fn bound_secs(requests: &BTreeMap<String, u64>, per_minute: u32) -> f64 {
    if per_minute == 0 {
        return 0.0;
    }
    let busiest = requests.values().copied().max().unwrap_or(0);
    // Counts are far below 2^52: the conversion is exact.
    #[allow(clippy::cast_precision_loss)]
    let busiest = busiest as f64;
    busiest * 60.0 / f64::from(per_minute)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(requests: &[(&str, u64)], rate: u32, wall: f64) -> BenchReport {
        BenchReport {
            requests: requests
                .iter()
                .map(|(k, v)| ((*k).to_owned(), *v))
                .collect(),
            throttled_429: 0,
            retries: 0,
            wall_s: wall,
            rate_per_min: rate,
            workato_rate_limit: 60,
            peak_rss_mib: 12.0,
            cpu_s: 0.5,
            resource_types: 8,
            resources: 10,
            entitlements: 20,
            grants: 30,
            expanded_grants: 0,
            c1z_bytes: 4096,
            cpu_by_phase_s: BTreeMap::new(),
        }
    }

    #[test]
    fn bound_is_the_busiest_family_over_its_rate() {
        let r = report(&[("members", 1), ("folders", 250), ("roles", 3)], 6000, 3.0);
        assert_eq!(r.total_requests(), 254);
        assert!((r.bound_s() - 2.5).abs() < 1e-9);
        assert_eq!(r.wall_over_bound(), Some(1.2));
        let json = r.to_json();
        assert_eq!(json["bound_s"], 2.5);
        assert_eq!(json["wall_over_bound"], 1.2);
        assert_eq!(json["requests"]["folders"], 250);
        assert_eq!(json["total_requests"], 254);
        assert_eq!(json["busiest_family"], "folders");
        assert_eq!(json["busiest_family_requests"], 250);
        // 250 calls at 60 a minute.
        assert_eq!(json["bound_at_limit_s"], 250.0);
        assert_eq!(json["bound_at_limit_min"], 4.167);
    }

    #[test]
    fn unlimited_has_no_bound() {
        let r = report(&[("members", 10)], 0, 1.0);
        assert_eq!(r.bound_s(), 0.0);
        assert_eq!(r.wall_over_bound(), None);
        assert_eq!(r.to_json()["wall_over_bound"], Value::Null);
        assert_eq!(bound_secs(&BTreeMap::new(), 60), 0.0);
    }
}
