//! Signatures that make the ledger and its exports unforgeable by anyone who
//! can only write the database file: Ed25519 with the server's key, which is
//! kept outside the database.
//!
//! Two things are signed, each under its own domain-separation prefix so that
//! a signature over one can never pass for the other:
//!
//! - **checkpoints**: rows of the ledger itself (action [`CHECKPOINT_ACTION`])
//!   whose `details` ([`CheckpointDetails`]) carry the server's signature over
//!   [`checkpoint_message`]`(seq, hash)` of the row right before them. Whoever
//!   re-hashes the chain after changing a signed row cannot make the old
//!   signature match the new hash, nor sign a new one;
//! - **evidence bundle manifests** (see [`crate::bundle`]): the signature
//!   covers [`canonical_json`] of the manifest without its `signature` field.
//!
//! Everything here is pure: key generation (randomness) and key files are the
//! backend's job. A key's **fingerprint** is the first 16 hex digits of the
//! SHA-256 of its 32 public-key bytes.

use crate::ledger::EntryContent;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use zeroize::Zeroizing;

/// The signature algorithm, as the API names it.
pub const ALGORITHM: &str = "ed25519";
/// A checkpoint row's `action`.
pub const CHECKPOINT_ACTION: &str = "checkpoint";
/// A checkpoint row's `actor`: the server itself.
pub const CHECKPOINT_ACTOR: &str = "shipshape";
/// A checkpoint row's `item_id` (no runbook item id starts with `_`).
pub const CHECKPOINT_ITEM: &str = "_checkpoint";
/// Prefix of the message a checkpoint signs.
const CHECKPOINT_DOMAIN: &str = "shipshape-checkpoint-v1";
/// Prefix of the message a bundle manifest's signature covers.
const MANIFEST_DOMAIN: &str = "shipshape-evidence-manifest-v1";

/// Why a key could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("not 64 hexadecimal digits")]
    NotHex,
    #[error("not a valid Ed25519 public key")]
    NotAKey,
}

/// Decodes exactly 32 bytes of hex (either case) into zeroized memory.
fn decode32(text: &str) -> Result<Zeroizing<[u8; 32]>, KeyError> {
    let mut out = Zeroizing::new([0u8; 32]);
    if text.len() != 64 {
        return Err(KeyError::NotHex);
    }
    hex::decode_to_slice(text, out.as_mut_slice()).map_err(|_| KeyError::NotHex)?;
    Ok(out)
}

/// The first 16 hex digits of the SHA-256 of a public key's bytes.
fn fingerprint_of(bytes: &[u8]) -> String {
    let mut digest = hex::encode(Sha256::digest(bytes));
    digest.truncate(16);
    digest
}

/// A public key: what checks signatures. Shown and parsed as 64 hex digits.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    pub fn from_hex(text: &str) -> Result<Self, KeyError> {
        let bytes = decode32(text.trim())?;
        VerifyingKey::from_bytes(&bytes)
            .map(PublicKey)
            .map_err(|_| KeyError::NotAKey)
    }

    /// Lower-case hex of the 32 key bytes.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0.as_bytes())
    }

    /// First 16 hex digits of the SHA-256 of the key bytes.
    pub fn fingerprint(&self) -> String {
        fingerprint_of(self.0.as_bytes())
    }

    /// What the API and the Export page show.
    pub fn info(&self) -> KeyInfo {
        KeyInfo {
            public_key: self.to_hex(),
            fingerprint: self.fingerprint(),
            algorithm: ALGORITHM.to_string(),
        }
    }

    /// Whether `signature_hex` is this key's signature over `message`
    /// (strict verification: no malleable or weak-key signatures).
    pub fn verifies(&self, message: &[u8], signature_hex: &str) -> bool {
        let mut bytes = [0u8; 64];
        if signature_hex.len() != 128 || hex::decode_to_slice(signature_hex, &mut bytes).is_err() {
            return false;
        }
        self.0
            .verify_strict(message, &Signature::from_bytes(&bytes))
            .is_ok()
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.to_hex())
    }
}

/// The fingerprint of a key given as hex, or `None` when it is no key.
pub fn fingerprint(public_key_hex: &str) -> Option<String> {
    PublicKey::from_hex(public_key_hex)
        .ok()
        .map(|k| k.fingerprint())
}

/// A public key as `GET /api/v1/ledger/key` and the Export page show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyInfo {
    /// 64 hex digits.
    pub public_key: String,
    /// First 16 hex digits of the SHA-256 of the key bytes.
    pub fingerprint: String,
    /// Always [`ALGORITHM`].
    pub algorithm: String,
}

/// The server's signing key. Never printed: `Debug` shows the public key's
/// fingerprint only, and the secret bytes are wiped when it is dropped.
#[derive(Clone)]
pub struct SecretKey(SigningKey);

impl SecretKey {
    /// From 32 secret bytes (the backend draws them from the OS).
    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        SecretKey(SigningKey::from_bytes(bytes))
    }

    /// From 64 hex digits, surrounding whitespace ignored.
    pub fn from_hex(text: &str) -> Result<Self, KeyError> {
        let bytes = decode32(text.trim())?;
        Ok(SecretKey(SigningKey::from_bytes(&bytes)))
    }

    /// The secret as 64 hex digits, for the key file; wiped when dropped.
    pub fn to_hex(&self) -> Zeroizing<String> {
        let bytes = Zeroizing::new(self.0.to_bytes());
        Zeroizing::new(hex::encode(bytes.as_slice()))
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    /// Lower-case hex of the 64-byte signature over `message`.
    pub fn sign(&self, message: &[u8]) -> String {
        hex::encode(self.0.sign(message).to_bytes())
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretKey")
            .field("fingerprint", &self.public_key().fingerprint())
            .finish_non_exhaustive()
    }
}

/// What a checkpoint signs: row `signed_seq` has hash `signed_hash`.
pub fn checkpoint_message(signed_seq: i64, signed_hash: &str) -> String {
    format!("{CHECKPOINT_DOMAIN}\n{signed_seq}\n{signed_hash}")
}

/// A checkpoint row's `details`, as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckpointDetails {
    /// The row signed: always the one right before the checkpoint.
    pub signed_seq: i64,
    /// That row's hash.
    pub signed_hash: String,
    /// Hex public key of the signer.
    pub public_key: String,
    /// Hex Ed25519 signature over [`checkpoint_message`].
    pub signature: String,
}

impl CheckpointDetails {
    pub fn sign(key: &SecretKey, signed_seq: i64, signed_hash: &str) -> Self {
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
    NotTheRowBefore { signed: i64, expected: i64 },
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
    if d.signed_seq != row.seq - 1 {
        return Err(CheckpointError::NotTheRowBefore {
            signed: d.signed_seq,
            expected: row.seq - 1,
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
            seq: d.signed_seq,
            signed: d.signed_hash,
            actual: signed_row_hash.to_string(),
        });
    }
    Ok(d)
}

/// JSON with no whitespace and every object's keys in byte order, whatever
/// order they were read or built in: the same value always gives the same
/// text, so a signature over it survives reformatting and reordering.
pub fn canonical_json(value: &serde_json::Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::Array(items) => {
            out.push('[');
            for (n, v) in items.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                write_canonical(v, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (n, k) in keys.into_iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                out.push_str(&Value::from(k.as_str()).to_string());
                out.push(':');
                if let Some(v) = map.get(k) {
                    write_canonical(v, out);
                }
            }
            out.push('}');
        }
        // Scalars as serde_json writes them (strings escaped, numbers exact).
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// What a bundle manifest's signature covers: the manifest as JSON, its
/// `signature` field left out, in [`canonical_json`] form, after a
/// domain-separation line.
pub fn manifest_message(manifest: &serde_json::Value) -> String {
    let mut unsigned = manifest.clone();
    if let Some(map) = unsigned.as_object_mut() {
        map.remove("signature");
    }
    format!("{MANIFEST_DOMAIN}\n{}", canonical_json(&unsigned))
}

/// The checkpoint row that signs `signed` (the row right before it), made
/// at `at`. Its `details` name the signed row and carry the signature.
pub fn checkpoint_row(
    key: &SecretKey,
    signed: &crate::ledger::LedgerEntry,
    at: &str,
) -> Result<crate::ledger::LedgerEntry, serde_json::Error> {
    Ok(EntryContent {
        seq: signed.content.seq + 1,
        at: at.to_string(),
        actor: CHECKPOINT_ACTOR.into(),
        cluster_id: signed.content.cluster_id,
        item_id: CHECKPOINT_ITEM.into(),
        action: CHECKPOINT_ACTION.into(),
        note: String::new(),
        details: CheckpointDetails::sign(key, signed.content.seq, &signed.hash).to_json()?,
        prev_hash: signed.hash.clone(),
    }
    .seal())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{EntryContent, LedgerEntry, GENESIS_HASH};

    fn key(n: u8) -> SecretKey {
        SecretKey::from_bytes(&[n; 32])
    }

    fn row(seq: i64, prev_hash: &str) -> LedgerEntry {
        EntryContent {
            seq,
            at: "2026-12-01T10:00:00.000000Z".into(),
            actor: "ada".into(),
            cluster_id: 1,
            item_id: "spill".into(),
            action: "done".into(),
            note: String::new(),
            details: String::new(),
            prev_hash: prev_hash.into(),
        }
        .seal()
    }

    fn checkpoint(key: &SecretKey, signed: &LedgerEntry) -> LedgerEntry {
        checkpoint_row(key, signed, "2026-12-01T11:00:00.000000Z").unwrap()
    }

    #[test]
    fn keys_round_trip_and_never_show_the_secret() {
        let k = key(7);
        let hex_secret = k.to_hex();
        assert_eq!(hex_secret.len(), 64);
        let again = SecretKey::from_hex(&format!("  {}\n", hex_secret.as_str())).unwrap();
        assert_eq!(again.public_key(), k.public_key());
        let pk = k.public_key();
        assert_eq!(PublicKey::from_hex(&pk.to_hex()).unwrap(), pk);
        assert_eq!(
            PublicKey::from_hex(&pk.to_hex().to_uppercase()).unwrap(),
            pk
        );
        assert_eq!(pk.fingerprint().len(), 16);
        assert_eq!(
            pk.fingerprint(),
            hex::encode(Sha256::digest(hex::decode(pk.to_hex()).unwrap()))[..16]
        );
        assert_eq!(fingerprint(&pk.to_hex()), Some(pk.fingerprint()));
        let shown = format!("{k:?}");
        assert!(!shown.contains(hex_secret.as_str()), "{shown}");
        assert!(shown.contains(&pk.fingerprint()), "{shown}");
        assert_eq!(pk.info().algorithm, "ed25519");

        assert_eq!(SecretKey::from_hex("abc").unwrap_err(), KeyError::NotHex);
        assert_eq!(
            SecretKey::from_hex(&"g".repeat(64)).unwrap_err(),
            KeyError::NotHex
        );
        assert!(PublicKey::from_hex(&"zz".repeat(32)).is_err());
        assert_eq!(fingerprint("not a key"), None);
    }

    #[test]
    fn signatures_verify_only_for_their_message_and_key() {
        let k = key(1);
        let sig = k.sign(b"hello");
        assert!(k.public_key().verifies(b"hello", &sig));
        assert!(!k.public_key().verifies(b"hellO", &sig));
        assert!(!key(2).public_key().verifies(b"hello", &sig));
        assert!(!k.public_key().verifies(b"hello", "00"));
        assert!(!k.public_key().verifies(b"hello", &"x".repeat(128)));
        let mut flipped = hex::decode(&sig).unwrap();
        flipped[3] ^= 1;
        assert!(!k.public_key().verifies(b"hello", &hex::encode(flipped)));
    }

    #[test]
    fn the_checkpoint_message_is_domain_separated() {
        assert_eq!(
            checkpoint_message(42, "ab"),
            "shipshape-checkpoint-v1\n42\nab"
        );
        let d = CheckpointDetails::sign(&key(1), 42, "ab");
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
        assert!(is_checkpoint(&cp.content));
        assert!(!is_checkpoint(&first.content));
        let d = verify_checkpoint(&cp.content, &first.hash, &k.public_key()).unwrap();
        assert_eq!(d.signed_seq, 1);
        assert_eq!(d.signed_hash, first.hash);
    }

    #[test]
    fn a_rehashed_row_no_longer_matches_its_checkpoint() {
        let k = key(3);
        let first = row(1, GENESIS_HASH);
        let cp = checkpoint(&k, &first);
        let mut forged = first.content.clone();
        forged.note = "rewritten".into();
        let forged = forged.seal();
        let e = verify_checkpoint(&cp.content, &forged.hash, &k.public_key()).unwrap_err();
        assert!(
            matches!(e, CheckpointError::HashMismatch { seq: 1, .. }),
            "{e}"
        );
        assert!(e.to_string().contains("changed after they were signed"));
    }

    #[test]
    fn another_key_or_an_edited_detail_fails() {
        let (k, other) = (key(3), key(4));
        let first = row(1, GENESIS_HASH);
        let forged = checkpoint(&other, &first);
        let e = verify_checkpoint(&forged.content, &first.hash, &k.public_key()).unwrap_err();
        assert!(matches!(e, CheckpointError::OtherKey { .. }), "{e}");
        let text = e.to_string();
        assert!(text.contains(&other.public_key().fingerprint()), "{text}");
        assert!(text.contains(&k.public_key().fingerprint()), "{text}");

        // The trusted key named, but the signature is someone else's.
        let mut d: CheckpointDetails = serde_json::from_str(&forged.content.details).unwrap();
        d.public_key = k.public_key().to_hex();
        let mut c = forged.content.clone();
        c.details = d.to_json().unwrap();
        let e = verify_checkpoint(&c, &first.hash, &k.public_key()).unwrap_err();
        assert!(matches!(e, CheckpointError::BadSignature { .. }), "{e}");

        // The signed hash edited to the forged row's: the signature breaks.
        let good = checkpoint(&k, &first);
        let mut d: CheckpointDetails = serde_json::from_str(&good.content.details).unwrap();
        d.signed_hash = "1".repeat(64);
        let mut c = good.content.clone();
        c.details = d.to_json().unwrap();
        let e = verify_checkpoint(&c, &"1".repeat(64), &k.public_key()).unwrap_err();
        assert!(matches!(e, CheckpointError::BadSignature { .. }), "{e}");

        // Not the row right before, or not a checkpoint's details at all.
        let mut c = good.content.clone();
        c.seq = 5;
        let e = verify_checkpoint(&c, &first.hash, &k.public_key()).unwrap_err();
        assert!(matches!(
            e,
            CheckpointError::NotTheRowBefore {
                signed: 1,
                expected: 4
            }
        ));
        let mut c = good.content.clone();
        c.details = "{\"signed_seq\": 1}".into();
        let e = verify_checkpoint(&c, &first.hash, &k.public_key()).unwrap_err();
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

    #[test]
    fn canonical_json_ignores_key_order_and_whitespace() {
        let a: serde_json::Value =
            serde_json::from_str("{\"b\": [1, {\"y\": null, \"x\": \"é\\n\"}], \"a\": true}")
                .unwrap();
        let b: serde_json::Value =
            serde_json::from_str("{\"a\":true,\"b\":[1,{\"x\":\"é\\n\",\"y\":null}]}").unwrap();
        assert_eq!(canonical_json(&a), canonical_json(&b));
        assert_eq!(
            canonical_json(&a),
            "{\"a\":true,\"b\":[1,{\"x\":\"é\\n\",\"y\":null}]}"
        );
        let signed = serde_json::json!({"z": 1, "signature": "ab"});
        let unsigned = serde_json::json!({"z": 1});
        assert_eq!(manifest_message(&signed), manifest_message(&unsigned));
        assert_ne!(
            manifest_message(&unsigned),
            manifest_message(&serde_json::json!({"z": 2}))
        );
    }
}
