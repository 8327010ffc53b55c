//! The sign-off ledger's rules: what a row holds and how its hash is computed.
//!
//! Every row carries the SHA-256 of its own content and the hash of the row
//! before it (`prev_hash`; the first row links to [`GENESIS_HASH`]). Changing,
//! removing or reordering any past row therefore breaks the chain at that row;
//! the `chain` module's `ChainVerifier` reports the first place it breaks, and
//! the `checkpoint` module's signed checkpoint rows stop a rewritten chain from
//! being re-hashed into a valid one.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// `prev_hash` of the first row.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Marks the hash format, so a future change of fields can be told apart.
const HASH_DOMAIN: &str = "shipshape-ledger-v1";

/// What a ledger row says, before its hash is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryContent {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    /// When, as formatted by [`crate::time::format_ts`].
    pub at: String,
    /// Who: the username of the person who acted.
    pub actor: String,
    pub cluster_id: i64,
    /// The runbook item the row is about.
    pub item_id: String,
    /// What happened, e.g. `done`, `not_applicable`, `revoked`.
    pub action: String,
    pub note: String,
    /// Further facts as a JSON object string (empty for none); reserved for
    /// evidence and outcomes recorded by later row kinds.
    pub details: String,
    pub prev_hash: String,
}

/// A stored row: its content and its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    #[serde(flatten)]
    pub content: EntryContent,
    pub hash: String,
}

impl EntryContent {
    /// SHA-256 (lower-case hex) over every field, each length-prefixed so that
    /// no two different rows can produce the same input.
    pub fn hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(HASH_DOMAIN.as_bytes());
        h.update(b"\n");
        let seq = self.seq.to_string();
        let cluster = self.cluster_id.to_string();
        for (name, value) in [
            ("seq", seq.as_str()),
            ("at", self.at.as_str()),
            ("actor", self.actor.as_str()),
            ("cluster_id", cluster.as_str()),
            ("item_id", self.item_id.as_str()),
            ("action", self.action.as_str()),
            ("note", self.note.as_str()),
            ("details", self.details.as_str()),
            ("prev_hash", self.prev_hash.as_str()),
        ] {
            h.update(format!("{name}:{}:", value.len()).as_bytes());
            h.update(value.as_bytes());
            h.update(b"\n");
        }
        hex::encode(h.finalize())
    }

    pub fn seal(self) -> LedgerEntry {
        let hash = self.hash();
        LedgerEntry {
            content: self,
            hash,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A sealed chain of `n` sign-off rows (for this crate's tests).
    pub(crate) fn chain(n: i64) -> Vec<LedgerEntry> {
        let mut out: Vec<LedgerEntry> = Vec::new();
        for seq in 1..=n {
            let prev = out
                .last()
                .map(|e| e.hash.clone())
                .unwrap_or_else(|| GENESIS_HASH.to_string());
            out.push(
                EntryContent {
                    seq,
                    at: format!("2026-11-22T10:00:{:02}.000000Z", seq % 60),
                    actor: "alice".into(),
                    cluster_id: 1,
                    item_id: "spill".into(),
                    action: if seq % 2 == 0 {
                        "revoked".into()
                    } else {
                        "done".into()
                    },
                    note: format!("note {seq}"),
                    details: String::new(),
                    prev_hash: prev,
                }
                .seal(),
            );
        }
        out
    }

    #[test]
    fn hash_is_stable_and_covers_every_field() {
        let base = chain(1).remove(0).content;
        let h = base.hash();
        assert_eq!(h.len(), 64);
        assert_eq!(h, base.clone().hash(), "deterministic");
        let variants: Vec<EntryContent> = vec![
            EntryContent {
                seq: 2,
                ..base.clone()
            },
            EntryContent {
                at: "2026-11-22T10:00:02.000000Z".into(),
                ..base.clone()
            },
            EntryContent {
                actor: "bob".into(),
                ..base.clone()
            },
            EntryContent {
                cluster_id: 2,
                ..base.clone()
            },
            EntryContent {
                item_id: "tls".into(),
                ..base.clone()
            },
            EntryContent {
                action: "not_applicable".into(),
                ..base.clone()
            },
            EntryContent {
                note: "note 2".into(),
                ..base.clone()
            },
            EntryContent {
                details: "{}".into(),
                ..base.clone()
            },
            EntryContent {
                prev_hash: "1".repeat(64),
                ..base.clone()
            },
        ];
        for v in variants {
            assert_ne!(v.hash(), h, "{v:?}");
        }
    }

    #[test]
    fn field_boundaries_cannot_be_shifted() {
        let a = EntryContent {
            actor: "ab".into(),
            item_id: "c".into(),
            ..chain(1).remove(0).content
        };
        let b = EntryContent {
            actor: "a".into(),
            item_id: "bc".into(),
            ..a.clone()
        };
        assert_ne!(a.hash(), b.hash());
    }
}
