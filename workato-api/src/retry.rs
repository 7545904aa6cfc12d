//! Reactive retry: the policy and a pure classifier deciding whether to try again
//! (docs/workato-api.md#retries).

use std::time::{Duration, SystemTime};

use reqwest::{Method, StatusCode};

/// How failed attempts are retried.
///
/// Defaults follow docs/workato-api.md#retries: backoff starts at 1 s, doubles, is capped at 60 s,
/// and a request is attempted at most 5 times. The sleep before a retry is jittered to between half
/// and all of the computed backoff; a `Retry-After` value is honoured as given (up to
/// `max_retry_after`).
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Total attempts per request, the first one included (1 = never retry).
    pub max_attempts: u32,
    /// Backoff after the first failed attempt.
    pub initial_backoff: Duration,
    /// Upper bound of the exponential backoff.
    pub max_backoff: Duration,
    /// Factor applied to the backoff after each failed attempt.
    pub multiplier: u32,
    /// Upper bound of a server-sent `Retry-After` delay (longer values are clamped).
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
            multiplier: 2,
            max_retry_after: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The un-jittered backoff after failed attempt number `attempt` (1-based).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = self
            .multiplier
            .max(1)
            .saturating_pow(attempt.saturating_sub(1));
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }
}

/// What went wrong with one attempt, as the classifier sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttemptFailure<'a> {
    /// The server answered with a non-success status.
    Status {
        /// The status code.
        status: StatusCode,
        /// The raw `Retry-After` header, if any.
        retry_after: Option<&'a str>,
    },
    /// The attempt timed out, or the connection failed or was reset.
    Transport,
    /// Anything else (e.g. a malformed request); never retried.
    Other,
}

/// The classifier's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryDecision {
    /// Give up and return the error.
    NoRetry,
    /// Retry after this (un-jittered) exponential backoff.
    Retry(Duration),
    /// Retry after the delay the server asked for.
    RetryAfter(Duration),
}

/// Whether a method can be repeated without changing the outcome (GET, PUT, DELETE, HEAD).
pub fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::PUT | Method::DELETE | Method::HEAD | Method::OPTIONS
    )
}

/// Decides whether attempt number `attempt` (1-based), which failed with `failure`, is retried.
///
/// - 429 is retried for every method, POST included: the server did not act.
/// - 5xx other than 501, timeouts and connection failures are retried only for idempotent
///   methods; a POST (e.g. an invitation) may have been carried out.
/// - Other statuses (400, 401, 403, 404, 409, 422, …) are never retried.
///
/// `now` is passed in so that `Retry-After` HTTP dates are resolved without a clock.
pub fn classify(
    policy: &RetryPolicy,
    attempt: u32,
    method: &Method,
    failure: AttemptFailure<'_>,
    now: SystemTime,
) -> RetryDecision {
    if attempt >= policy.max_attempts {
        return RetryDecision::NoRetry;
    }
    let backoff = RetryDecision::Retry(policy.backoff(attempt));
    match failure {
        AttemptFailure::Status {
            status: StatusCode::TOO_MANY_REQUESTS,
            retry_after,
        } => match retry_after.and_then(|value| parse_retry_after(value, now)) {
            Some(delay) => RetryDecision::RetryAfter(delay.min(policy.max_retry_after)),
            None => backoff,
        },
        AttemptFailure::Status { status, .. }
            if status.is_server_error()
                && status != StatusCode::NOT_IMPLEMENTED
                && is_idempotent(method) =>
        {
            backoff
        }
        AttemptFailure::Transport if is_idempotent(method) => backoff,
        _ => RetryDecision::NoRetry,
    }
}

/// Parses `Retry-After` as delta-seconds or an HTTP date (a past date means "now").
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Spreads a backoff over `[backoff/2, backoff]` so that parallel callers do not retry in step.
pub(crate) fn jitter(backoff: Duration) -> Duration {
    let half = backoff / 2;
    let spread = u64::try_from(half.as_millis()).unwrap_or(u64::MAX);
    half + Duration::from_millis(fastrand::u64(0..=spread))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16) -> AttemptFailure<'static> {
        AttemptFailure::Status {
            status: StatusCode::from_u16(code).expect("valid status"),
            retry_after: None,
        }
    }

    fn now() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
    }

    #[test]
    fn backoff_doubles_and_caps() {
        let policy = RetryPolicy::default();
        let secs: Vec<u64> = (1..=8).map(|a| policy.backoff(a).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 32, 60, 60]);
    }

    #[test]
    fn table_of_decisions() {
        let p = RetryPolicy::default();
        let get = Method::GET;
        let post = Method::POST;
        let cases: Vec<(AttemptFailure<'_>, &Method, RetryDecision)> = vec![
            (
                status(429),
                &get,
                RetryDecision::Retry(Duration::from_secs(1)),
            ),
            (
                status(429),
                &post,
                RetryDecision::Retry(Duration::from_secs(1)),
            ),
            (
                status(500),
                &get,
                RetryDecision::Retry(Duration::from_secs(1)),
            ),
            (
                status(503),
                &Method::PUT,
                RetryDecision::Retry(Duration::from_secs(1)),
            ),
            (
                status(504),
                &Method::DELETE,
                RetryDecision::Retry(Duration::from_secs(1)),
            ),
            (status(503), &post, RetryDecision::NoRetry),
            (status(501), &get, RetryDecision::NoRetry),
            (status(400), &get, RetryDecision::NoRetry),
            (status(401), &get, RetryDecision::NoRetry),
            (status(403), &get, RetryDecision::NoRetry),
            (status(404), &get, RetryDecision::NoRetry),
            (status(409), &Method::PUT, RetryDecision::NoRetry),
            (status(422), &get, RetryDecision::NoRetry),
            (
                AttemptFailure::Transport,
                &get,
                RetryDecision::Retry(Duration::from_secs(1)),
            ),
            (AttemptFailure::Transport, &post, RetryDecision::NoRetry),
            (AttemptFailure::Other, &get, RetryDecision::NoRetry),
        ];
        for (failure, method, expected) in cases {
            assert_eq!(
                classify(&p, 1, method, failure, now()),
                expected,
                "{failure:?} {method}"
            );
        }
    }

    #[test]
    fn stops_after_max_attempts() {
        let p = RetryPolicy::default();
        assert_eq!(
            classify(&p, 4, &Method::GET, status(503), now()),
            RetryDecision::Retry(Duration::from_secs(8))
        );
        assert_eq!(
            classify(&p, 5, &Method::GET, status(503), now()),
            RetryDecision::NoRetry
        );
        assert_eq!(
            classify(&RetryPolicy::none(), 1, &Method::GET, status(429), now()),
            RetryDecision::NoRetry
        );
    }

    #[test]
    fn retry_after_seconds_and_http_date() {
        let p = RetryPolicy::default();
        let in_seconds = AttemptFailure::Status {
            status: StatusCode::TOO_MANY_REQUESTS,
            retry_after: Some("7"),
        };
        assert_eq!(
            classify(&p, 1, &Method::POST, in_seconds, now()),
            RetryDecision::RetryAfter(Duration::from_secs(7))
        );
        let date = httpdate::fmt_http_date(now() + Duration::from_secs(30));
        let as_date = AttemptFailure::Status {
            status: StatusCode::TOO_MANY_REQUESTS,
            retry_after: Some(&date),
        };
        assert_eq!(
            classify(&p, 1, &Method::GET, as_date, now()),
            RetryDecision::RetryAfter(Duration::from_secs(30))
        );
        let huge = AttemptFailure::Status {
            status: StatusCode::TOO_MANY_REQUESTS,
            retry_after: Some("86400"),
        };
        assert_eq!(
            classify(&p, 1, &Method::GET, huge, now()),
            RetryDecision::RetryAfter(Duration::from_secs(120))
        );
        let junk = AttemptFailure::Status {
            status: StatusCode::TOO_MANY_REQUESTS,
            retry_after: Some("soon"),
        };
        assert_eq!(
            classify(&p, 2, &Method::GET, junk, now()),
            RetryDecision::Retry(Duration::from_secs(2))
        );
    }

    #[test]
    fn past_http_date_means_now() {
        let past = httpdate::fmt_http_date(now() - Duration::from_secs(30));
        assert_eq!(parse_retry_after(&past, now()), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after(" 3 ", now()),
            Some(Duration::from_secs(3))
        );
        assert_eq!(parse_retry_after("-1", now()), None);
    }

    #[test]
    fn jitter_stays_within_half_and_full() {
        let backoff = Duration::from_millis(1000);
        for _ in 0..100 {
            let d = jitter(backoff);
            assert!(d >= Duration::from_millis(500) && d <= backoff, "{d:?}");
        }
        assert_eq!(jitter(Duration::ZERO), Duration::ZERO);
    }
}
