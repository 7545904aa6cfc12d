//! Timestamps in Go's `2006-01-02 15:04:05.999999999` layout, always UTC.

use std::fmt::Write as _;

use chrono::{DateTime, Datelike, NaiveDateTime, Timelike, Utc};

/// A point in time in UTC, as the reader returns sync times.
pub type UtcTime = DateTime<Utc>;

/// Formats `t` as `YYYY-MM-DD HH:MM:SS[.fraction]`, trailing zeros of the fraction trimmed and no
/// dot when the fraction is zero (what Go's `time.Time` formatting produces).
pub fn format_go(t: &DateTime<Utc>) -> String {
    let mut s = String::with_capacity(29);
    push_go(&mut s, t);
    s
}

/// Appends the wall time of `t` to `buf` in Go's `2006-01-02 15:04:05.999999999` layout: the
/// one implementation of that layout in the workspace (the c1z writer calls it once per row,
/// so it avoids chrono's format machinery; profile strings add Go's zone suffix to it).
/// A leap second's extra nanoseconds are dropped, as Go has no leap seconds.
pub fn push_go<T: Datelike + Timelike>(buf: &mut String, t: &T) {
    // Years beyond four digits, or negative, have no fixed width: `write!` prints them whole.
    match u32::try_from(t.year()) {
        Ok(year) if year <= 9999 => push_digits(buf, year, 4),
        _ => {
            // Writing to a String cannot fail.
            let _ = write!(buf, "{:04}", t.year());
        }
    }
    buf.push('-');
    push_digits(buf, t.month(), 2);
    buf.push('-');
    push_digits(buf, t.day(), 2);
    buf.push(' ');
    push_digits(buf, t.hour(), 2);
    buf.push(':');
    push_digits(buf, t.minute(), 2);
    buf.push(':');
    push_digits(buf, t.second(), 2);
    let nanos = t.nanosecond() % 1_000_000_000;
    if nanos != 0 {
        let mut digits = 9;
        let mut n = nanos;
        while n.is_multiple_of(10) {
            n /= 10;
            digits -= 1;
        }
        buf.push('.');
        push_digits(buf, n, digits);
    }
}

/// Appends the last `width` decimal digits of `n`, zero-padded (digit by digit: `write!` with a
/// width was a tenth of the writer's per-row work).
fn push_digits(buf: &mut String, n: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = (n / 10u32.pow(place)) % 10;
        // A digit is 0..=9, so the sum is an ASCII digit.
        buf.push(char::from(b'0' + u8::try_from(digit).unwrap_or(0)));
    }
}

/// Parses a stored timestamp: the Go layout (naive, taken as UTC), with an optional `T`
/// separator or RFC 3339 zone. Returns `None` for anything else.
pub fn parse_go(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    for layout in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, layout) {
            return Some(t.and_utc());
        }
    }
    // Go's driver can also write a zone suffix like "+00:00" after the space layout.
    if let Ok(t) = DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f%:z") {
        return Some(t.with_timezone(&Utc));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn trims_fraction() {
        let t = Utc
            .with_ymd_and_hms(2026, 3, 3, 9, 45, 13)
            .single()
            .expect("valid test input");
        assert_eq!(format_go(&t), "2026-03-03 09:45:13");
        let t2 = t + chrono::Duration::nanoseconds(60_056_000);
        assert_eq!(format_go(&t2), "2026-03-03 09:45:13.060056");
        let t3 = t + chrono::Duration::nanoseconds(212_981_283);
        assert_eq!(format_go(&t3), "2026-03-03 09:45:13.212981283");
    }

    #[test]
    fn push_go_matches_chrono_formatting() {
        for nanos in [
            0u32,
            1,
            10,
            60_056_000,
            212_981_283,
            999_999_999,
            100_000_000,
        ] {
            let t = DateTime::from_timestamp(1_795_799_387, nanos).expect("valid test input");
            let mut expected = t.format("%Y-%m-%d %H:%M:%S").to_string();
            if nanos != 0 {
                expected.push('.');
                expected.push_str(format!("{nanos:09}").trim_end_matches('0'));
            }
            let mut buf = String::from("x");
            push_go(&mut buf, &t);
            assert_eq!(buf, format!("x{expected}"));
            assert_eq!(format_go(&t), expected);
        }
        // Every digit place of every field, across days, months and years.
        for secs in (0..40).map(|i| 86_399 + i * 2_764_861_i64 * 13) {
            let t = DateTime::from_timestamp(secs, 7).expect("valid test input");
            let expected = t.format("%Y-%m-%d %H:%M:%S.000000007").to_string();
            assert_eq!(format_go(&t), expected);
        }
        let far = DateTime::from_timestamp(253_402_300_800, 0).expect("valid test input");
        assert_eq!(format_go(&far), "10000-01-01 00:00:00");
        let year_one = DateTime::from_timestamp(-62_135_596_800, 5).expect("valid test input");
        assert_eq!(format_go(&year_one), "0001-01-01 00:00:00.000000005");
    }

    #[test]
    fn parses_layouts() {
        let t = parse_go("2026-11-27 17:09:47.212981283").expect("valid test input");
        assert_eq!(t.timestamp(), 1_795_799_387);
        assert_eq!(t.nanosecond(), 212_981_283);
        assert_eq!(
            parse_go("2026-03-03 09:45:13")
                .expect("valid test input")
                .nanosecond(),
            0
        );
        assert_eq!(
            parse_go("2026-03-03T09:45:13Z"),
            parse_go("2026-03-03 09:45:13")
        );
        assert!(parse_go("yesterday").is_none());
        let now = Utc::now();
        assert_eq!(parse_go(&format_go(&now)), Some(now));
    }
}
