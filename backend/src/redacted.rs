//! A setting that is a secret, kept out of `Debug` output and logs. Its own
//! module: the configuration and the directories that read secrets from it
//! both use it without depending on each other.

use serde::{Deserialize, Serialize};

/// A setting that is a secret (a webhook URL carries its token): shown as
/// `[redacted]` in `Debug` and logs.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Redacted(String);

impl Redacted {
    pub fn new(value: impl Into<String>) -> Redacted {
        Redacted(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}
