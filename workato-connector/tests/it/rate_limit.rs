//! Pacing and retries against the fake's rate limiter and injected faults.
