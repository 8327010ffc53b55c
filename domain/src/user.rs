//! Users: who may log in, and the rules for names and passwords.

use crate::fields::FieldErrors;
use crate::ids::UserId;
use crate::role::Role;
use serde::{Deserialize, Serialize};

/// Where an account's password (and, for directories, its role) is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A password Shipshape stores (the break-glass admin, small teams).
    #[default]
    Local,
    /// An LDAP directory; the role follows its groups at each login.
    Ldap,
    /// An OpenID Connect provider; the role follows a claim at each login.
    Oidc,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Local => "local",
            Source::Ldap => "ldap",
            Source::Oidc => "oidc",
        }
    }

    pub fn parse(text: &str) -> Option<Source> {
        [Source::Local, Source::Ldap, Source::Oidc]
            .into_iter()
            .find(|s| s.as_str() == text)
    }

    /// The actor named on ledger rows this source writes itself (a new
    /// account at its first login, a role that followed the directory).
    pub fn actor(self) -> &'static str {
        match self {
            Source::Local => "shipshape",
            Source::Ldap => "ldap",
            Source::Oidc => "oidc",
        }
    }
}

pub const USERNAME_MAX: usize = 64;
pub const PASSWORD_MIN: usize = 10;
/// Argon2 hashes anything, but an unbounded input is a denial-of-service lever.
pub const PASSWORD_MAX: usize = 1024;

/// A user as shown to the application (never with a password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub role: Role,
    pub created_at: String,
    /// Disabled by an admin: no login, no session, no token works.
    #[serde(default)]
    pub disabled: bool,
    /// Where the password (and for directories, the role) is kept.
    #[serde(default)]
    pub source: Source,
}

impl User {
    /// Whether Shipshape keeps this account's password and role (a
    /// directory account's follow the directory).
    pub fn managed_here(&self) -> bool {
        self.source == Source::Local
    }
}

/// Names the server itself writes as ledger actors (the checker and
/// checkpoints, the directories, first-run setup, the operator's CLI). No
/// account may take one, or its rows would read like the system's own.
pub const RESERVED_NAMES: [&str; 5] = ["shipshape", "ldap", "oidc", "setup", "cli"];

/// Whether `name` is one of [`RESERVED_NAMES`] (case-insensitively).
pub fn is_reserved_name(name: &str) -> bool {
    RESERVED_NAMES
        .iter()
        .any(|r| r.eq_ignore_ascii_case(name.trim()))
}

/// Checks a new account's name and password; returns the trimmed name.
pub fn validate_new_user(username: &str, password: &str) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = username.trim();
    if name.is_empty() {
        errors.add("username", "Choose a user name.");
    } else if name.chars().count() > USERNAME_MAX
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
    {
        errors.add(
            "username",
            format!("Use up to {USERNAME_MAX} letters, digits and . _ - @"),
        );
    } else if is_reserved_name(name) {
        errors.add(
            "username",
            format!("{name:?} is a name Shipshape writes on its own ledger rows: choose another."),
        );
    }
    if let Some(message) = password_problem(password) {
        errors.add("password", message);
    }
    errors.into_result(name.to_string())
}

pub fn password_problem(password: &str) -> Option<String> {
    let n = password.chars().count();
    if n < PASSWORD_MIN {
        Some(format!("Use at least {PASSWORD_MIN} characters."))
    } else if password.len() > PASSWORD_MAX {
        Some(format!("Use at most {PASSWORD_MAX} bytes."))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn system_actor_names_are_reserved() {
        for n in super::RESERVED_NAMES {
            assert!(super::validate_new_user(n, "long-enough-1").is_err());
            assert!(super::validate_new_user(&n.to_uppercase(), "long-enough-1").is_err());
        }
        assert!(super::validate_new_user("cli-bot", "long-enough-1").is_ok());
    }

    use super::*;

    #[test]
    fn names_and_passwords_follow_the_rules() {
        assert_eq!(validate_new_user(" ada ", "correct horse").unwrap(), "ada");
        let e = validate_new_user("", "short").unwrap_err();
        assert!(e.get("username").is_some() && e.get("password").is_some());
        assert!(validate_new_user("a b", "long enough pw")
            .unwrap_err()
            .get("username")
            .is_some());
        assert!(validate_new_user("ada", &"x".repeat(PASSWORD_MAX + 1)).is_err());
        assert!(validate_new_user("sre.bob@corp", "0123456789").is_ok());
    }
}
