//! Go's `time.Time.String()` layout, for profile time strings.
//!
//! The Go connector stores API timestamps in resource profiles by printing a `time.Time`, whose
//! `String()` layout is `2006-01-02 15:04:05.999999999 -0700 MST`: the fraction has trailing zeros
//! trimmed (no dot at all when it is zero), and the zone name is `UTC` for a zero offset and
//! otherwise, for the fixed zones Go creates when parsing RFC 3339, the numeric offset again
//! (docs/ids.md#display-names-and-profiles). Profiles are display data, but we match them so
//! profiles read the same whichever connector wrote them.

use std::fmt::Write as _;

use baton_model::c1z::timestamp::push_go;
use chrono::{DateTime, FixedOffset, Timelike};

/// Formats an RFC 3339 timestamp from the API (e.g. `2020-05-20T11:54:31.706-07:00`) the way
/// Go prints it (`2020-05-20 11:54:31.706 -0700 -0700`).
///
/// `None` when the input is not valid RFC 3339 (Go's parser would fail as well); callers write
/// `null` into the profile then, where upstream would print Go's zero time.
pub fn go_time_string(rfc3339: &str) -> Option<String> {
    let parsed = DateTime::parse_from_rfc3339(rfc3339.trim()).ok()?;
    format_go_time(&parsed)
}

/// Formats a parsed timestamp in Go's `time.Time.String()` layout.
///
/// `None` for a leap second (`:60`), which Go's RFC 3339 parser rejects and so never prints.
pub fn format_go_time(time: &DateTime<FixedOffset>) -> Option<String> {
    let nanos = time.nanosecond();
    if nanos >= 1_000_000_000 {
        return None;
    }
    // The wall time in the zone of the input, as Go prints it; only the zone suffix is ours.
    let mut out = String::with_capacity(48);
    push_go(&mut out, &time.naive_local());
    let offset = time.offset().local_minus_utc();
    let sign = if offset < 0 { '-' } else { '+' };
    let minutes = offset.unsigned_abs() / 60;
    let numeric = format!("{sign}{:02}{:02}", minutes / 60, minutes % 60);
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        " {numeric} {}",
        if offset == 0 { "UTC" } else { numeric.as_str() }
    );
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_go_for_spec_examples() {
        assert_eq!(
            go_time_string("2020-05-20T11:54:31.706-07:00").as_deref(),
            Some("2020-05-20 11:54:31.706 -0700 -0700")
        );
        // The fixture written by the Go connector.
        assert_eq!(
            go_time_string("2024-01-02T03:04:05Z").as_deref(),
            Some("2024-01-02 03:04:05 +0000 UTC")
        );
    }

    #[test]
    fn fraction_is_trimmed() {
        assert_eq!(
            go_time_string("2024-01-02T03:04:05.000Z").as_deref(),
            Some("2024-01-02 03:04:05 +0000 UTC")
        );
        assert_eq!(
            go_time_string("2024-01-02T03:04:05.120000+00:00").as_deref(),
            Some("2024-01-02 03:04:05.12 +0000 UTC")
        );
        assert_eq!(
            go_time_string("2024-01-02T03:04:05.000000001Z").as_deref(),
            Some("2024-01-02 03:04:05.000000001 +0000 UTC")
        );
    }

    #[test]
    fn offsets_print_twice_unless_zero() {
        assert_eq!(
            go_time_string("2024-12-31T23:59:59+05:30").as_deref(),
            Some("2024-12-31 23:59:59 +0530 +0530")
        );
        assert_eq!(
            go_time_string("2024-06-01T00:00:00-03:30").as_deref(),
            Some("2024-06-01 00:00:00 -0330 -0330")
        );
    }

    #[test]
    fn invalid_input_is_none() {
        assert_eq!(go_time_string(""), None);
        assert_eq!(go_time_string("yesterday"), None);
        assert_eq!(go_time_string("2024-01-02"), None);
        assert_eq!(go_time_string("2024-13-02T03:04:05Z"), None);
        assert_eq!(go_time_string("2024-01-02T23:59:60Z"), None);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = go_time_string(&s);
        }

        #[test]
        fn valid_times_round_trip(
            secs in 0i64..4_000_000_000,
            nanos in 0u32..1_000_000_000,
            offset_min in -720i32..=840,
        ) {
            let offset = FixedOffset::east_opt(offset_min * 60).expect("in range");
            let time = DateTime::from_timestamp(secs, nanos)
                .expect("in range")
                .with_timezone(&offset);
            let go = go_time_string(&time.to_rfc3339()).expect("valid RFC 3339");
            let (rest, zone) = go.rsplit_once(' ').expect("has a zone");
            let back = DateTime::parse_from_str(rest, "%Y-%m-%d %H:%M:%S%.f %z").expect("parses");
            proptest::prop_assert_eq!(back, time);
            proptest::prop_assert_eq!(back.offset(), time.offset());
            let numeric = rest.rsplit_once(' ').expect("has an offset").1;
            proptest::prop_assert_eq!(zone, if offset_min == 0 { "UTC" } else { numeric });
            // Trimmed fraction: never a trailing zero, no dot when zero.
            let clock = rest.split(' ').nth(1).expect("has a clock");
            proptest::prop_assert_eq!(clock.contains('.'), nanos != 0);
            proptest::prop_assert!(!clock.contains('.') || !clock.ends_with('0'));
        }
    }
}
