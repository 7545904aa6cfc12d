//! Conversions to `google.protobuf.Timestamp` (e.g. `UserTrait.created_at` from an API's
//! RFC 3339 time).

use chrono::{DateTime, TimeZone};

use crate::proto::Timestamp;

use super::error::ModelError;

/// Converts any chrono date-time to a `Timestamp` (UTC instant).
pub fn timestamp_from_datetime<Tz: TimeZone>(at: &DateTime<Tz>) -> Timestamp {
    // `timestamp_subsec_nanos` is < 2e9 (leap second representation); fold a leap second into
    // the last nanosecond of the second so the value stays a valid protobuf Timestamp.
    let nanos = at.timestamp_subsec_nanos().min(999_999_999);
    Timestamp {
        seconds: at.timestamp(),
        nanos: i32::try_from(nanos).unwrap_or(999_999_999),
    }
}

/// Parses an RFC 3339 time such as `2024-01-02T03:04:05.706-07:00`.
///
/// # Errors
/// [`ModelError::InvalidTime`] when the text is not RFC 3339.
pub fn timestamp_from_rfc3339(text: &str) -> Result<Timestamp, ModelError> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| timestamp_from_datetime(&at))
        .map_err(|source| ModelError::InvalidTime {
            value: text.to_string(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_offsets_and_fractions() {
        assert_eq!(
            timestamp_from_rfc3339("2024-01-02T03:04:05Z").expect("valid"),
            Timestamp {
                seconds: 1_704_164_645,
                nanos: 0
            }
        );
        assert_eq!(
            timestamp_from_rfc3339("2020-05-20T11:54:31.706-07:00").expect("valid"),
            Timestamp {
                seconds: 1_590_000_871,
                nanos: 706_000_000
            }
        );
        let err = timestamp_from_rfc3339("yesterday").expect_err("invalid");
        assert!(matches!(err, ModelError::InvalidTime { ref value, .. } if value == "yesterday"));
        assert!(std::error::Error::source(&err).is_some());
    }
}
