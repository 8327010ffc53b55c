//! API tokens for automation: what a request may create, and when a stored
//! token still works. The secret itself is made and hashed in the backend;
//! only its SHA-256 is stored, and it is shown once.

use crate::fields::FieldErrors;
use crate::ids::TokenId;
use crate::time::Timestamp;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Every token starts with this, so secret scanners can spot a leaked one.
pub const TOKEN_PREFIX: &str = "shp_";
pub const NAME_MAX: usize = 64;
pub const EXPIRES_MAX_DAYS: i64 = 366;

/// What `POST /api/v1/tokens` asks for.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NewToken {
    pub name: String,
    pub expires_in_days: Option<i64>,
    pub read_only: bool,
}

/// A valid request: a trimmed name and a lifetime in days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidToken {
    name: String,
    days: i64,
    read_only: bool,
}

/// Read-only: a value cannot change after it was validated.
impl ValidToken {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn days(&self) -> i64 {
        self.days
    }

    pub fn read_only(&self) -> bool {
        self.read_only
    }
}

pub fn validate(input: &NewToken) -> Result<ValidToken, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX || name.chars().any(char::is_control) {
        errors.add(
            "name",
            format!("Name the token (1 to {NAME_MAX} characters), e.g. ci-gate."),
        );
    }
    let days = input.expires_in_days.unwrap_or(90);
    if !(1..=EXPIRES_MAX_DAYS).contains(&days) {
        errors.add(
            "expires_in_days",
            format!("A token lives 1 to {EXPIRES_MAX_DAYS} days."),
        );
    }
    if errors.is_empty() {
        Ok(ValidToken {
            name: name.to_string(),
            days,
            read_only: input.read_only,
        })
    } else {
        Err(errors)
    }
}

/// A stored token as its owner sees it (never the secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    pub id: TokenId,
    pub name: String,
    pub read_only: bool,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

impl TokenInfo {
    /// Not revoked and not past its expiry at `now`.
    pub fn usable(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && now < self.expires_at.instant()
    }
}

/// Whether a header value looks like one of our tokens (cheap pre-check).
pub fn looks_like_token(t: &str) -> bool {
    t.starts_with(TOKEN_PREFIX)
        && t.len() == TOKEN_PREFIX.len() + 64
        && t[TOKEN_PREFIX.len()..]
            .bytes()
            .all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn names_and_lifetimes_are_checked() {
        let ok = validate(&NewToken {
            name: " ci-gate ".into(),
            expires_in_days: Some(30),
            read_only: true,
        })
        .unwrap();
        assert_eq!(
            (ok.name.as_str(), ok.days, ok.read_only),
            ("ci-gate", 30, true)
        );
        assert_eq!(
            validate(&NewToken {
                name: "x".into(),
                ..Default::default()
            })
            .unwrap()
            .days,
            90
        );
        let e = validate(&NewToken {
            name: "".into(),
            expires_in_days: Some(0),
            read_only: false,
        })
        .unwrap_err();
        assert!(e.get("name").is_some() && e.get("expires_in_days").is_some());
        assert!(validate(&NewToken {
            name: "x".into(),
            expires_in_days: Some(367),
            read_only: false
        })
        .is_err());
    }

    #[test]
    fn a_token_works_until_revoked_or_expired() {
        let t = TokenInfo {
            id: TokenId::new(1),
            name: "n".into(),
            read_only: false,
            created_at: "2026-12-01T00:00:00.000000Z".into(),
            expires_at: "2026-12-31T00:00:00.000000Z".into(),
            last_used_at: None,
            revoked_at: None,
        };
        let at = |d: u32| Utc.with_ymd_and_hms(2026, 12, d, 0, 0, 0).unwrap();
        assert!(t.usable(at(30)));
        assert!(!t.usable(at(31)), "expired at the stroke of its expiry");
        let revoked = TokenInfo {
            revoked_at: Some("2026-12-02T00:00:00.000000Z".into()),
            ..t
        };
        assert!(!revoked.usable(at(2)));
        assert!(looks_like_token(&format!("shp_{}", "a".repeat(64))));
        assert!(!looks_like_token("shp_short"));
        assert!(!looks_like_token(&format!("xyz_{}", "a".repeat(64))));
    }
}
