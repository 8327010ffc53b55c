//! The one timestamp format Shipshape stores and hashes.
//!
//! Ledger hashes cover the timestamp text, so it must be produced the same way
//! every time: UTC, microsecond precision, `Z` suffix.

use chrono::{DateTime, SecondsFormat, Utc};

/// Formats an instant as stored: `2026-11-22T19:56:01.123456Z`.
pub fn format_ts(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Parses a stored timestamp back; `None` if it is not RFC 3339.
pub fn parse_ts(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn round_trips_with_microseconds() {
        let at = Utc.with_ymd_and_hms(2026, 1, 31, 23, 59, 58).unwrap()
            + chrono::Duration::microseconds(7);
        let text = format_ts(at);
        assert_eq!(text, "2026-01-31T23:59:58.000007Z");
        assert_eq!(parse_ts(&text), Some(at));
        assert_eq!(parse_ts("yesterday"), None);
    }
}
