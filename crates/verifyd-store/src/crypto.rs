//! Sealing of values at rest: AES-256-GCM with a random 96-bit nonce per value, stored as
//! base64 of `nonce ‖ ciphertext ‖ tag`. The master key comes from configuration or from a
//! file generated once in the data directory.

use aes_gcm::aead::{Aead, KeyInit, OsRng};
use aes_gcm::{AeadCore, Aes256Gcm, Key, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::sync::Arc;

use crate::{StoreError, StoreResult};

/// A 256-bit master key. Its `Debug` never shows the key.
#[derive(Clone)]
pub struct Cipher {
    aead: Arc<Aes256Gcm>,
    /// HMAC key for lookups of low-entropy personal values, derived from the master key.
    lookup_key: Arc<[u8; 32]>,
}

impl std::fmt::Debug for Cipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cipher(<redacted>)")
    }
}

impl Cipher {
    /// A cipher from 32 raw key bytes.
    pub fn new(key: &[u8; 32]) -> Self {
        let mut derive = Sha256::new();
        derive.update(b"verifyd lookup key v1\0");
        derive.update(key);
        Self {
            aead: Arc::new(Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key))),
            lookup_key: Arc::new(derive.finalize().into()),
        }
    }

    /// Parses a base64 master key of 32 bytes.
    pub fn from_base64(encoded: &str) -> StoreResult<Self> {
        let bytes = STANDARD
            .decode(encoded.trim())
            .map_err(|_| StoreError::Config("master key is not valid base64".to_owned()))?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| StoreError::Config("master key must be 32 bytes".to_owned()))?;
        Ok(Self::new(&key))
    }

    /// A fresh random key, base64-encoded, for first start.
    pub fn generate_base64() -> String {
        STANDARD.encode(Aes256Gcm::generate_key(OsRng))
    }

    /// Encrypts `plain`; the result is base64 text.
    pub fn seal(&self, plain: &[u8]) -> StoreResult<String> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let sealed = self
            .aead
            .encrypt(&nonce, plain)
            .map_err(|_| StoreError::Corrupt("encryption failed".to_owned()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(STANDARD.encode(out))
    }

    /// Decrypts a value produced by [`Cipher::seal`].
    pub fn open(&self, sealed: &str) -> StoreResult<Vec<u8>> {
        let bytes = STANDARD
            .decode(sealed)
            .map_err(|_| StoreError::Corrupt("sealed value is not base64".to_owned()))?;
        if bytes.len() < 12 {
            return Err(StoreError::Corrupt("sealed value too short".to_owned()));
        }
        let (nonce, body) = bytes.split_at(12);
        self.aead
            .decrypt(Nonce::from_slice(nonce), body)
            .map_err(|_| StoreError::Corrupt("sealed value failed authentication".to_owned()))
    }

    /// Seals a UTF-8 string.
    pub fn seal_str(&self, plain: &str) -> StoreResult<String> {
        self.seal(plain.as_bytes())
    }

    /// Hex SHA-256 of `value` prefixed with a secret derived from the master key: a lookup
    /// handle for personal values (emails, phones, document numbers) that, unlike a plain
    /// hash, cannot be reversed by hashing guesses without the key. (A fixed-length secret
    /// prefix makes this a keyed PRF; length extension does not matter for an equality handle.)
    pub fn keyed_hash(&self, value: &str) -> String {
        let mut hasher = Sha256::new();
        hasher.update(self.lookup_key.as_slice());
        hasher.update(value.as_bytes());
        hex::encode(hasher.finalize())
    }

    /// Opens a sealed UTF-8 string.
    pub fn open_str(&self, sealed: &str) -> StoreResult<String> {
        String::from_utf8(self.open(sealed)?)
            .map_err(|_| StoreError::Corrupt("sealed value is not UTF-8".to_owned()))
    }
}

/// Hex SHA-256, used to look up high-entropy secrets (API keys, tokens) without storing them.
pub fn lookup_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_round_trips_and_detects_tampering() {
        let cipher = Cipher::from_base64(&Cipher::generate_base64()).unwrap();
        let sealed = cipher.seal_str("secret value").unwrap();
        assert_ne!(sealed, "secret value");
        assert_eq!(cipher.open_str(&sealed).unwrap(), "secret value");
        let mut bytes = STANDARD.decode(&sealed).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert!(cipher.open(&STANDARD.encode(bytes)).is_err());
        let other = Cipher::from_base64(&Cipher::generate_base64()).unwrap();
        assert!(other.open(&sealed).is_err());
        assert_eq!(cipher.keyed_hash("a@b.co"), cipher.keyed_hash("a@b.co"));
        assert_ne!(cipher.keyed_hash("a@b.co"), other.keyed_hash("a@b.co"));
        assert_ne!(cipher.keyed_hash("a@b.co"), lookup_hash("a@b.co"));
    }

    #[test]
    fn bad_keys_are_rejected() {
        assert!(Cipher::from_base64("not base64!").is_err());
        assert!(Cipher::from_base64(&STANDARD.encode([0u8; 16])).is_err());
    }
}
