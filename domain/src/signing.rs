//! Signatures that make the ledger and its exports unforgeable by anyone who
//! can only write the database file: Ed25519 with the server's key, which is
//! kept outside the database.
//!
//! Two things are signed, each under its own domain-separation prefix so that
//! a signature over one can never pass for the other:
//!
//! - **checkpoints**: rows of the ledger itself that carry the server's
//!   signature over the hash of the row right before them; their rules are in
//!   [`crate::checkpoint`];
//! - **evidence bundle manifests** (see [`crate::bundle`]): the signature
//!   covers [`canonical_json`] of the manifest without its `signature` field.
//!
//! Everything here is pure: key generation (randomness) and key files are the
//! backend's job. A key's **fingerprint** is the first 16 hex digits of the
//! SHA-256 of its 32 public-key bytes.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use zeroize::Zeroizing;

/// The signature algorithm, as the API names it.
pub const ALGORITHM: &str = "ed25519";
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

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> SecretKey {
        SecretKey::from_bytes(&[n; 32])
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
