//! Identifiers that say what they name.
//!
//! Clusters, ledger positions, accounts and API tokens are numbered by the
//! database; runbook items are named by the runbook. Each has its own type so
//! that a cluster's id cannot be passed where a ledger position or an account
//! is meant. The numbers convert to and from `i64` only at the edges (SQL
//! binds and rows, URL segments, the JSON API, which keeps its plain numbers
//! through `serde(transparent)`).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! numeric_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            pub const fn new(value: i64) -> Self {
                Self(value)
            }

            /// The number as stored and as shown in URLs.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl From<i64> for $name {
            fn from(value: i64) -> Self {
                Self(value)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }

        // Compared with a plain number where one is read back (a row's
        // seq in a test, a count): never with another kind of id.
        impl PartialEq<i64> for $name {
            fn eq(&self, other: &i64) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<$name> for i64 {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                text.parse().map(Self)
            }
        }
    };
}

numeric_id!(
    /// A cluster, as numbered by the database.
    ClusterId
);
numeric_id!(
    /// A ledger row's position in the chain, from 1, without gaps.
    Seq
);
numeric_id!(
    /// A local account (or a directory user's first-login record).
    UserId
);
impl Seq {
    /// The row after this one.
    pub const fn next(self) -> Seq {
        Seq(self.0 + 1)
    }

    /// The row before this one (0 before the first).
    pub const fn prev(self) -> Seq {
        Seq(self.0 - 1)
    }
}

numeric_id!(
    /// An API token.
    TokenId
);

/// A runbook item's id, e.g. `coordinator-isolation`, as named in the runbook.
///
/// It reads as a `&str` (URLs, SQL binds, messages) but a plain string is not
/// an item id until it is made one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ItemId(String);

impl ItemId {
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::ops::Deref for ItemId {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for ItemId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for ItemId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<String> for ItemId {
    fn from(id: String) -> Self {
        Self(id)
    }
}

impl From<&str> for ItemId {
    fn from(id: &str) -> Self {
        Self(id.to_string())
    }
}

impl From<ItemId> for String {
    fn from(id: ItemId) -> String {
        id.0
    }
}

impl PartialEq<str> for ItemId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<String> for ItemId {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl PartialEq<&str> for ItemId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl fmt::Display for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_keep_their_numbers_in_json_and_urls() {
        let id = ClusterId::new(42);
        assert_eq!(serde_json::to_string(&id).unwrap(), "42");
        assert_eq!(serde_json::from_str::<ClusterId>("42").unwrap(), id);
        assert_eq!(id.to_string(), "42");
        assert_eq!("42".parse::<ClusterId>().unwrap(), id);
        assert!("4x".parse::<ClusterId>().is_err());
        assert_eq!(i64::from(Seq::new(7)), 7);
    }

    #[test]
    fn an_item_id_reads_as_its_text() {
        let id = ItemId::new("coordinator-isolation");
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            "\"coordinator-isolation\""
        );
        assert!(id.starts_with("coordinator"));
        assert_eq!(id, "coordinator-isolation");
        assert_eq!(id.as_str(), "coordinator-isolation");
    }
}
