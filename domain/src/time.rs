//! The one timestamp format Shipshape stores and hashes.
//!
//! Ledger hashes cover the timestamp text, so it must be produced the same way
//! every time: UTC, microsecond precision, `Z` suffix.

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

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

/// An instant in UTC, to the microsecond: what Shipshape stores and hashes.
///
/// Ordered as instants (not as text), shown and stored as [`format_ts`]
/// gives it, so `Timestamp::parse(&t.to_string()) == Ok(t)` always holds and
/// a ledger row's hash, which covers the text, comes out the same on
/// every read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp(DateTime<Utc>);

/// A text that is not an RFC 3339 timestamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an RFC 3339 timestamp: {0:?}")]
pub struct NotATimestamp(pub String);

impl Timestamp {
    /// The instant, cut to whole microseconds (what the stored text holds).
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(at.trunc_subsecs(6))
    }

    pub fn now() -> Self {
        Self::new(Utc::now())
    }

    /// Reads a stored or sent timestamp (any RFC 3339 offset; kept as UTC).
    pub fn parse(text: &str) -> Result<Self, NotATimestamp> {
        parse_ts(text)
            .map(Self::new)
            .ok_or_else(|| NotATimestamp(text.chars().take(64).collect()))
    }

    pub fn instant(self) -> DateTime<Utc> {
        self.0
    }

    /// The calendar day, `2026-11-22`.
    pub fn date_text(self) -> String {
        self.0.format("%Y-%m-%d").to_string()
    }

    /// To the minute, as pages show it: `2026-11-22 19:56 UTC`.
    pub fn minute_text(self) -> String {
        self.0.format("%Y-%m-%d %H:%M UTC").to_string()
    }
}

/// The Unix epoch: a placeholder for a record not yet stored (a blank
/// form's cluster), never a real instant.
impl Default for Timestamp {
    fn default() -> Self {
        Self(DateTime::<Utc>::UNIX_EPOCH)
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(at: DateTime<Utc>) -> Self {
        Self::new(at)
    }
}

/// Unit tests write instants as text; a text that is not one fails the test.
#[cfg(test)]
impl From<&str> for Timestamp {
    fn from(text: &str) -> Self {
        Self::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }
}

impl TryFrom<String> for Timestamp {
    type Error = NotATimestamp;
    fn try_from(text: String) -> Result<Self, NotATimestamp> {
        Self::parse(&text)
    }
}

impl std::str::FromStr for Timestamp {
    type Err = NotATimestamp;
    fn from_str(text: &str) -> Result<Self, NotATimestamp> {
        Self::parse(text)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_ts(self.0))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_timestamp_round_trips_through_its_text_and_orders_as_an_instant() {
        let at = Timestamp::new(
            Utc.with_ymd_and_hms(2026, 1, 31, 23, 59, 58).unwrap()
                + chrono::Duration::nanoseconds(7_123),
        );
        assert_eq!(at.to_string(), "2026-01-31T23:59:58.000007Z");
        assert_eq!(Timestamp::parse(&at.to_string()), Ok(at));
        assert_eq!(at.date_text(), "2026-01-31");
        assert_eq!(at.minute_text(), "2026-01-31 23:59 UTC");
        // Another offset is the same instant, and orders by instant: this
        // text sorts after `at`'s, but the instant is half an hour before.
        let earlier = Timestamp::parse("2026-02-01T00:30:00+01:00").unwrap();
        assert!(earlier < at);
        assert_eq!(earlier.to_string(), "2026-01-31T23:30:00.000000Z");
        assert!(Timestamp::parse("yesterday").is_err());
        let json = serde_json::to_string(&at).unwrap();
        assert_eq!(json, "\"2026-01-31T23:59:58.000007Z\"");
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), at);
        assert!(serde_json::from_str::<Timestamp>("\"soon\"").is_err());
    }

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
