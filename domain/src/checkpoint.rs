//! The ledger's checkpoint rows: rows of the ledger itself (action
//! [`CHECKPOINT_ACTION`]) whose `details` ([`CheckpointDetails`]) carry the
//! server's signature over [`checkpoint_message`]`(seq, hash)` of the row
//! right before them. Whoever re-hashes the chain after changing a signed row
//! cannot make the old signature match the new hash, nor sign a new one.
//!
//! The message is signed under its own domain-separation prefix, so that a
//! checkpoint's signature can never pass for an evidence bundle manifest's;
//! keys, signatures and manifests are in [`crate::signing`].
//!
//! Everything here is pure: key generation (randomness), key files and
//! deciding when to write a checkpoint ([`checkpoint_due`]) are the backend's
//! job.

use crate::ids::Seq;
use crate::ledger::EntryContent;
use crate::signing::{fingerprint, PublicKey, SecretKey};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// A checkpoint row's `action`.
pub const CHECKPOINT_ACTION: &str = crate::ledger_action::LedgerAction::Checkpoint.as_str();
/// A checkpoint row's `actor`: the server itself.
pub const CHECKPOINT_ACTOR: &str = "shipshape";
/// A checkpoint row's `item_id` (no runbook item id starts with `_`).
pub const CHECKPOINT_ITEM: &str = "_checkpoint";
/// Prefix of the message a checkpoint signs.
const CHECKPOINT_DOMAIN: &str = "shipshape-checkpoint-v1";

/// What a checkpoint signs: row `signed_seq` has hash `signed_hash`.
pub fn checkpoint_message(signed_seq: Seq, signed_hash: &str) -> String {
    format!("{CHECKPOINT_DOMAIN}\n{signed_seq}\n{signed_hash}")
}

/// A checkpoint row's `details`, as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckpointDetails {
    /// The row signed: always the one right before the checkpoint.
    pub signed_seq: Seq,
    /// That row's hash.
    pub signed_hash: String,
    /// Hex public key of the signer.
    pub public_key: String,
    /// Hex Ed25519 signature over [`checkpoint_message`].
    pub signature: String,
}

impl CheckpointDetails {
    pub fn sign(key: &SecretKey, signed_seq: Seq, signed_hash: &str) -> Self {
        CheckpointDetails {
            signed_seq,
            signed_hash: signed_hash.to_string(),
            public_key: key.public_key().to_hex(),
            signature: key.sign(checkpoint_message(signed_seq, signed_hash).as_bytes()),
        }
    }

    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }
}

/// Whether a row is a checkpoint (by its action; people's rows never carry it).
pub fn is_checkpoint(row: &EntryContent) -> bool {
    row.action == CHECKPOINT_ACTION
}

/// Whether a checkpoint is due: `unsigned_rows` rows were appended since the
/// last checkpoint (or since the start of the ledger), `secs_since_last`
/// seconds ago it was made (or the server started, if there is none).
/// Due after `every_rows` rows, or after `interval_secs` when there is at
/// least one row to sign; never with nothing to sign.
pub fn checkpoint_due(
    unsigned_rows: u64,
    secs_since_last: u64,
    every_rows: u64,
    interval_secs: u64,
) -> bool {
    unsigned_rows > 0 && (unsigned_rows >= every_rows || secs_since_last >= interval_secs)
}

/// Why a checkpoint row does not check out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("its details are not a checkpoint's: {0}")]
    Malformed(String),
    #[error("it signs seq {signed}, not the row right before it (seq {expected})")]
    NotTheRowBefore { signed: Seq, expected: Seq },
    #[error(
        "it was signed by another key (fingerprint {found}), not the trusted key (fingerprint {trusted})"
    )]
    OtherKey { found: String, trusted: String },
    #[error("its signature does not verify with the trusted key (fingerprint {trusted})")]
    BadSignature { trusted: String },
    #[error(
        "the hash it signed for seq {seq} ({signed}) is not that row's recomputed hash ({actual}): rows up to seq {seq} were changed after they were signed"
    )]
    HashMismatch {
        seq: i64,
        signed: String,
        actual: String,
    },
}

/// Checks a checkpoint row against `signed_row_hash`, the recomputed hash of
/// the row right before it, and a trusted public key (never the key the row
/// names, which anyone can write).
pub fn verify_checkpoint(
    row: &EntryContent,
    signed_row_hash: &str,
    trusted: &PublicKey,
) -> Result<CheckpointDetails, CheckpointError> {
    let d: CheckpointDetails = serde_json::from_str(&row.details)
        .map_err(|e| CheckpointError::Malformed(e.to_string()))?;
    if d.signed_seq != row.seq.prev() {
        return Err(CheckpointError::NotTheRowBefore {
            signed: d.signed_seq,
            expected: row.seq.prev(),
        });
    }
    let trusted_hex = trusted.to_hex();
    if !d.public_key.eq_ignore_ascii_case(&trusted_hex) {
        return Err(CheckpointError::OtherKey {
            found: fingerprint(&d.public_key).unwrap_or_else(|| "(no valid key)".to_string()),
            trusted: trusted.fingerprint(),
        });
    }
    let message = checkpoint_message(d.signed_seq, &d.signed_hash);
    if !trusted.verifies(message.as_bytes(), &d.signature) {
        return Err(CheckpointError::BadSignature {
            trusted: trusted.fingerprint(),
        });
    }
    if d.signed_hash != signed_row_hash {
        return Err(CheckpointError::HashMismatch {
            seq: d.signed_seq.into(),
            signed: d.signed_hash,
            actual: signed_row_hash.to_string(),
        });
    }
    Ok(d)
}

/// The checkpoint row that signs `signed` (the row right before it), made
/// at `at`. Its `details` name the signed row and carry the signature.
pub fn checkpoint_row(
    key: &SecretKey,
    signed: &crate::ledger::LedgerEntry,
    at: Timestamp,
) -> Result<crate::ledger::LedgerEntry, serde_json::Error> {
    Ok(EntryContent {
        seq: signed.content().seq.next(),
        at,
        actor: CHECKPOINT_ACTOR.into(),
        cluster_id: signed.content().cluster_id,
        item_id: CHECKPOINT_ITEM.into(),
        action: CHECKPOINT_ACTION.into(),
        note: String::new(),
        details: CheckpointDetails::sign(key, signed.content().seq, signed.hash()).to_json()?,
        prev_hash: signed.hash().to_string(),
    }
    .seal())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{EntryContent, LedgerEntry, GENESIS_HASH};
    use crate::signing::manifest_message;

    fn key(n: u8) -> SecretKey {
        SecretKey::from_bytes(&[n; 32])
    }

    fn row(seq: i64, prev_hash: &str) -> LedgerEntry {
        EntryContent {
            seq: seq.into(),
            at: crate::time::Timestamp::parse("2026-12-01T10:00:00.000000Z").unwrap(),
            actor: "ada".into(),
            cluster_id: crate::ids::ClusterId::new(1),
            item_id: "spill".into(),
            action: "done".into(),
            note: String::new(),
            details: String::new(),
            prev_hash: prev_hash.into(),
        }
        .seal()
    }

    fn checkpoint(key: &SecretKey, signed: &LedgerEntry) -> LedgerEntry {
        checkpoint_row(
            key,
            signed,
            Timestamp::parse("2026-12-01T11:00:00.000000Z").unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn the_checkpoint_message_is_domain_separated() {
        assert_eq!(
            checkpoint_message(Seq::new(42), "ab"),
            "shipshape-checkpoint-v1\n42\nab"
        );
        let d = CheckpointDetails::sign(&key(1), Seq::new(42), "ab");
        let v: serde_json::Value = serde_json::from_str(&d.to_json().unwrap()).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys.len(),
            4,
            "signed_seq, signed_hash, public_key, signature"
        );
        assert_eq!(v["signed_seq"], 42);
        // A manifest signature can never pass for a checkpoint's.
        let m = manifest_message(&serde_json::json!({"a": 1}));
        assert!(m.starts_with("shipshape-evidence-manifest-v1\n"));
        assert!(!key(1).public_key().verifies(m.as_bytes(), &d.signature));
    }

    #[test]
    fn a_genuine_checkpoint_verifies() {
        let k = key(3);
        let first = row(1, GENESIS_HASH);
        let cp = checkpoint(&k, &first);
        assert!(is_checkpoint(cp.content()));
        assert!(!is_checkpoint(first.content()));
        let d = verify_checkpoint(cp.content(), first.hash(), &k.public_key()).unwrap();
        assert_eq!(d.signed_seq, Seq::new(1));
        assert_eq!(d.signed_hash, first.hash());
    }

    #[test]
    fn a_rehashed_row_no_longer_matches_its_checkpoint() {
        let k = key(3);
        let first = row(1, GENESIS_HASH);
        let cp = checkpoint(&k, &first);
        let mut forged = first.content().clone();
        forged.note = "rewritten".into();
        let forged = forged.seal();
        let e = verify_checkpoint(cp.content(), forged.hash(), &k.public_key()).unwrap_err();
        assert!(
            matches!(e, CheckpointError::HashMismatch { seq, .. } if seq == Seq::new(1)),
            "{e}"
        );
        assert!(e.to_string().contains("changed after they were signed"));
    }

    #[test]
    fn another_key_or_an_edited_detail_fails() {
        let (k, other) = (key(3), key(4));
        let first = row(1, GENESIS_HASH);
        let forged = checkpoint(&other, &first);
        let e = verify_checkpoint(forged.content(), first.hash(), &k.public_key()).unwrap_err();
        assert!(matches!(e, CheckpointError::OtherKey { .. }), "{e}");
        let text = e.to_string();
        assert!(text.contains(&other.public_key().fingerprint()), "{text}");
        assert!(text.contains(&k.public_key().fingerprint()), "{text}");

        // The trusted key named, but the signature is someone else's.
        let mut d: CheckpointDetails = serde_json::from_str(&forged.content().details).unwrap();
        d.public_key = k.public_key().to_hex();
        let mut c = forged.content().clone();
        c.details = d.to_json().unwrap();
        let e = verify_checkpoint(&c, first.hash(), &k.public_key()).unwrap_err();
        assert!(matches!(e, CheckpointError::BadSignature { .. }), "{e}");

        // The signed hash edited to the forged row's: the signature breaks.
        let good = checkpoint(&k, &first);
        let mut d: CheckpointDetails = serde_json::from_str(&good.content().details).unwrap();
        d.signed_hash = "1".repeat(64);
        let mut c = good.content().clone();
        c.details = d.to_json().unwrap();
        let e = verify_checkpoint(&c, &"1".repeat(64), &k.public_key()).unwrap_err();
        assert!(matches!(e, CheckpointError::BadSignature { .. }), "{e}");

        // Not the row right before, or not a checkpoint's details at all.
        let mut c = good.content().clone();
        c.seq = Seq::new(5);
        let e = verify_checkpoint(&c, first.hash(), &k.public_key()).unwrap_err();
        assert!(matches!(
            e,
            CheckpointError::NotTheRowBefore { signed, expected }
                if signed == Seq::new(1) && expected == Seq::new(4)
        ));
        let mut c = good.content().clone();
        c.details = "{\"signed_seq\": 1}".into();
        let e = verify_checkpoint(&c, first.hash(), &k.public_key()).unwrap_err();
        assert!(matches!(e, CheckpointError::Malformed(_)), "{e}");
    }

    #[test]
    fn checkpoints_are_due_by_rows_or_by_time_with_something_to_sign() {
        assert!(!checkpoint_due(0, 999_999, 1000, 3600), "nothing to sign");
        assert!(!checkpoint_due(999, 3599, 1000, 3600));
        assert!(checkpoint_due(1000, 0, 1000, 3600));
        assert!(checkpoint_due(1, 3600, 1000, 3600));
        assert!(checkpoint_due(5000, 0, 1000, 3600));
    }
}
