//! The sign-off ledger's rules: what a row holds and how its hash is computed.
//!
//! Every row carries the SHA-256 of its own content and the hash of the row
//! before it (`prev_hash`; the first row links to [`GENESIS_HASH`]). Changing,
//! removing or reordering any past row therefore breaks the chain at that row;
//! the `chain` module's `ChainVerifier` reports the first place it breaks, and
//! the `checkpoint` module's signed checkpoint rows stop a rewritten chain from
//! being re-hashed into a valid one.

use crate::ids::{ClusterId, ItemId, Seq};
use crate::time::Timestamp;
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
    pub seq: Seq,
    /// When; hashed as its text (see [`Timestamp`]).
    pub at: Timestamp,
    /// Who: the username of the person who acted.
    pub actor: String,
    pub cluster_id: ClusterId,
    /// The runbook item the row is about.
    pub item_id: ItemId,
    /// What happened, e.g. `done`, `not_applicable`, `revoked`.
    pub action: String,
    pub note: String,
    /// Further facts as a JSON object string (empty for none); reserved for
    /// evidence and outcomes recorded by later row kinds.
    pub details: String,
    pub prev_hash: String,
}

/// A stored row: its content and its hash, sealed.
///
/// Made by [`EntryContent::seal`] (a new row, hash computed) or by
/// [`LedgerEntry::from_stored`] (a row read back with the hash it was stored
/// with, which the chain verifier compares with the content's own). Neither
/// part can be changed afterwards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    #[serde(flatten)]
    content: EntryContent,
    hash: String,
}

impl LedgerEntry {
    /// A row as stored: its content and the hash stored beside it (not
    /// recomputed, so a tampered row keeps the evidence of its tampering).
    pub fn from_stored(content: EntryContent, hash: String) -> Self {
        Self { content, hash }
    }

    pub fn content(&self) -> &EntryContent {
        &self.content
    }

    /// The hash stored with the row.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    pub fn into_content(self) -> EntryContent {
        self.content
    }

    pub fn into_parts(self) -> (EntryContent, String) {
        (self.content, self.hash)
    }

    /// A copy with its content changed and its stored hash kept: what a
    /// row edited in the database looks like (for the verifiers' tests).
    pub fn tampered(&self, change: impl FnOnce(&mut EntryContent)) -> LedgerEntry {
        let mut content = self.content.clone();
        change(&mut content);
        LedgerEntry::from_stored(content, self.hash.clone())
    }
}

impl EntryContent {
    /// SHA-256 (lower-case hex) over every field, each length-prefixed so that
    /// no two different rows can produce the same input.
    pub fn hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(HASH_DOMAIN.as_bytes());
        h.update(b"\n");
        let seq = self.seq.to_string();
        let at = self.at.to_string();
        let cluster = self.cluster_id.to_string();
        for (name, value) in [
            ("seq", seq.as_str()),
            ("at", at.as_str()),
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
                .map(|e| e.hash().to_string())
                .unwrap_or_else(|| GENESIS_HASH.to_string());
            out.push(
                EntryContent {
                    seq: Seq::new(seq),
                    at: Timestamp::parse(&format!("2026-11-22T10:00:{:02}.000000Z", seq % 60))
                        .unwrap(),
                    actor: "alice".into(),
                    cluster_id: ClusterId::new(1),
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
        let base = chain(1).remove(0).into_content();
        let h = base.hash();
        assert_eq!(h.len(), 64);
        assert_eq!(h, base.clone().hash(), "deterministic");
        let variants: Vec<EntryContent> = vec![
            EntryContent {
                seq: Seq::new(2),
                ..base.clone()
            },
            EntryContent {
                at: Timestamp::parse("2026-11-22T10:00:02.000000Z").unwrap(),
                ..base.clone()
            },
            EntryContent {
                actor: "bob".into(),
                ..base.clone()
            },
            EntryContent {
                cluster_id: ClusterId::new(2),
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
            ..chain(1).remove(0).into_content()
        };
        let b = EntryContent {
            actor: "a".into(),
            item_id: "bc".into(),
            ..a.clone()
        };
        assert_ne!(a.hash(), b.hash());
    }

    #[test]
    fn the_hash_format_is_the_one_every_stored_chain_was_sealed_with() {
        // Computed outside Rust from the v1 rule (length-prefixed fields, the
        // timestamp as its stored text): typed fields must not change it.
        let row = chain(1).remove(0);
        assert_eq!(
            row.hash(),
            "441308542c3003be57fdc556c3b4217e1253375ebf3330911b519f97e409bfb0"
        );
        assert_eq!(row.content().hash(), row.hash());
    }
}
