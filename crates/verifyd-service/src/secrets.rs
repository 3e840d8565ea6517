//! Generation of credentials: API keys, webhook secrets, client ids.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;

/// `bytes` random bytes as URL-safe base64 without padding.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// A new API key: 256 bits of entropy, 43 URL-safe characters.
pub fn new_api_key() -> String {
    random_token(32)
}

/// A new webhook signing secret (43-char URL-safe token, as the contract shows).
pub fn new_webhook_secret() -> String {
    random_token(32)
}

/// A new public client id.
pub fn new_client_id() -> String {
    random_token(12)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_long_and_distinct() {
        let a = new_api_key();
        let b = new_api_key();
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }
}
