//! Producing the three signatures and the signed request a sender posts.

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::canonical::{write_canonical, Json};

type HmacSha256 = Hmac<Sha256>;

/// `X-Timestamp`: `str(timestamp)` of the envelope.
pub const HEADER_TIMESTAMP: &str = "X-Timestamp";
/// `X-Signature`: HMAC over the raw body bytes.
pub const HEADER_SIGNATURE: &str = "X-Signature";
/// `X-Signature-V2`: HMAC over the canonical JSON of the parsed body.
pub const HEADER_SIGNATURE_V2: &str = "X-Signature-V2";
/// `X-Signature-Simple`: HMAC over `"{timestamp}:{session_id}:{status}:{webhook_type}"`.
pub const HEADER_SIGNATURE_SIMPLE: &str = "X-Signature-Simple";
/// The `User-Agent` Didit's deliveries carry (contract §4.1).
pub const USER_AGENT: &str = "DiditWebhook/2.0 +https://didit.me";

/// Why a webhook could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// An empty secret; every receiver (the Python SDK included) rejects it.
    #[error("webhook secret is empty")]
    EmptySecret,
    /// Webhook payloads are JSON objects.
    #[error("webhook payload is not a JSON object")]
    NotAnObject,
}

/// A webhook ready to POST: the exact body bytes and the headers to send with them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedWebhook {
    /// The canonical JSON of the payload (with `timestamp` set), UTF-8. Because the body *is*
    /// the canonical form, `X-Signature` and `X-Signature-V2` are equal.
    pub body: Vec<u8>,
    /// `X-Timestamp`, `X-Signature`, `X-Signature-V2`, `X-Signature-Simple`, `Content-Type`,
    /// `User-Agent`, in that order.
    pub headers: Vec<(&'static str, String)>,
}

impl SignedWebhook {
    /// The value of header `name` (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// An HMAC-SHA256 keyed with `secret`'s UTF-8 bytes.
///
/// RFC 2104 allows keys of any length; building the block-sized key here (hash if longer than
/// the block, then zero-pad) lets us use the infallible fixed-size constructor instead of
/// handling an error `new_from_slice` never returns.
pub(crate) fn mac(secret: &str) -> HmacSha256 {
    let key = secret.as_bytes();
    let mut block = hmac::digest::Key::<HmacSha256>::default();
    if key.len() > block.len() {
        let digest = Sha256::digest(key);
        block[..digest.len()].copy_from_slice(&digest);
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    <HmacSha256 as KeyInit>::new(&block)
}

/// Lowercase hex HMAC-SHA256 of `message` keyed with `secret` (UTF-8).
pub fn hmac_sha256_hex(secret: &str, message: &[u8]) -> String {
    let mut m = mac(secret);
    m.update(message);
    hex::encode(m.finalize().into_bytes())
}

/// `X-Signature`: HMAC of the exact raw body bytes.
pub fn signature_v1(secret: &str, raw_body: &[u8]) -> String {
    hmac_sha256_hex(secret, raw_body)
}

/// `X-Signature-V2`: HMAC of [`canonical_json`](crate::canonical_json)`(body)`.
pub fn signature_v2(secret: &str, body: &Value) -> String {
    hmac_sha256_hex(secret, crate::canonical_json(body).as_bytes())
}

/// The `X-Signature-Simple` message: `"{timestamp}:{session_id}:{status}:{webhook_type}"`.
///
/// Pass `""` for an envelope field that is absent.
pub fn simple_message(
    timestamp: i64,
    session_id: &str,
    status: &str,
    webhook_type: &str,
) -> String {
    format!("{timestamp}:{session_id}:{status}:{webhook_type}")
}

/// `X-Signature-Simple`: HMAC of [`simple_message`].
pub fn signature_simple(
    secret: &str,
    timestamp: i64,
    session_id: &str,
    status: &str,
    webhook_type: &str,
) -> String {
    hmac_sha256_hex(
        secret,
        simple_message(timestamp, session_id, status, webhook_type).as_bytes(),
    )
}

/// How an envelope field enters the simple message: a string as is, absent or `null` as `""`,
/// anything else as its canonical JSON (verifyd's choice; Didit only sends strings there).
pub(crate) fn simple_field(value: Option<&Json>) -> String {
    match value {
        None | Some(Json::Null) => String::new(),
        Some(Json::Str(s)) => s.clone(),
        Some(other) => {
            let mut out = String::new();
            let _ = write_canonical(other, &mut out);
            out
        }
    }
}

/// Signs a webhook envelope for delivery.
///
/// Sets the payload's top-level `timestamp` to `timestamp` (the signing time, Unix seconds —
/// it is re-stamped on every delivery attempt so retries stay inside receivers' freshness
/// window), serialises it canonically as the body, and computes all three signatures.
/// `X-Signature-Simple` uses the envelope's `session_id`, `status` and `webhook_type`.
///
/// ```
/// use serde_json::json;
/// use verifyd_webhooks::{sign_webhook, canonical_json};
///
/// let payload = json!({"session_id": "s1", "status": "Approved", "webhook_type": "status.updated"});
/// let signed = sign_webhook(&payload, "whsec", 1_700_000_000)?;
/// assert_eq!(
///     signed.body,
///     br#"{"session_id":"s1","status":"Approved","timestamp":1700000000,"webhook_type":"status.updated"}"#
/// );
/// assert_eq!(signed.header("x-timestamp"), Some("1700000000"));
/// assert_eq!(signed.header("X-Signature"), signed.header("X-Signature-V2"));
/// # Ok::<(), verifyd_webhooks::SignError>(())
/// ```
pub fn sign_webhook(
    payload: &Value,
    secret: &str,
    timestamp: i64,
) -> Result<SignedWebhook, SignError> {
    if secret.is_empty() {
        return Err(SignError::EmptySecret);
    }
    let Json::Object(mut members) = Json::from(payload) else {
        return Err(SignError::NotAnObject);
    };
    let stamped = Json::Int(timestamp.to_string());
    match members.iter_mut().find(|(k, _)| k == "timestamp") {
        Some(slot) => slot.1 = stamped,
        None => members.push(("timestamp".to_owned(), stamped)),
    }
    let get = |key: &str| members.iter().find(|(k, _)| k == key).map(|(_, v)| v);
    let simple = simple_message(
        timestamp,
        &simple_field(get("session_id")),
        &simple_field(get("status")),
        &simple_field(get("webhook_type")),
    );
    let envelope = Json::Object(members);
    let mut body = String::new();
    // Built from a serde_json::Value and an integer: always finite, always canonical.
    let _ = write_canonical(&envelope, &mut body);
    let signature = hmac_sha256_hex(secret, body.as_bytes());
    let headers = vec![
        (HEADER_TIMESTAMP, timestamp.to_string()),
        (HEADER_SIGNATURE, signature.clone()),
        (HEADER_SIGNATURE_V2, signature),
        (
            HEADER_SIGNATURE_SIMPLE,
            hmac_sha256_hex(secret, simple.as_bytes()),
        ),
        ("Content-Type", "application/json".to_owned()),
        ("User-Agent", USER_AGENT.to_owned()),
    ];
    Ok(SignedWebhook {
        body: body.into_bytes(),
        headers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// RFC 4231 test case 2, plus keys longer than the block and empty.
    #[test]
    fn hmac_matches_rfc_4231() {
        assert_eq!(
            hmac_sha256_hex("Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // RFC 4231's long-key case uses non-UTF-8 bytes; check the hash-then-pad path (and the
        // empty key) against the crate's variable-length constructor instead.
        let mut m = mac(&"a".repeat(131));
        m.update(b"x");
        let ours = hex::encode(m.finalize().into_bytes());
        let mut reference =
            <HmacSha256 as Mac>::new_from_slice("a".repeat(131).as_bytes()).unwrap();
        reference.update(b"x");
        assert_eq!(ours, hex::encode(reference.finalize().into_bytes()));
        let mut reference = <HmacSha256 as Mac>::new_from_slice(b"").unwrap();
        reference.update(b"x");
        assert_eq!(
            hmac_sha256_hex("", b"x"),
            hex::encode(reference.finalize().into_bytes())
        );
    }

    #[test]
    fn sign_webhook_stamps_and_signs() {
        let payload = json!({"timestamp": 1, "status": "Approved", "session_id": "abc", "n": 1.0});
        let s = sign_webhook(&payload, "k", 1_700_000_123).unwrap();
        let body = std::str::from_utf8(&s.body).unwrap();
        assert_eq!(
            body,
            r#"{"n":1,"session_id":"abc","status":"Approved","timestamp":1700000123}"#
        );
        assert_eq!(
            s.header("X-Signature"),
            Some(signature_v1("k", &s.body).as_str())
        );
        let reparsed: Value = serde_json::from_slice(&s.body).unwrap();
        assert_eq!(
            s.header("x-signature-v2"),
            Some(signature_v2("k", &reparsed).as_str())
        );
        assert_eq!(
            s.header("X-SIGNATURE-SIMPLE"),
            Some(signature_simple("k", 1_700_000_123, "abc", "Approved", "").as_str())
        );
        assert_eq!(s.header("content-type"), Some("application/json"));
        assert_eq!(s.header("user-agent"), Some(USER_AGENT));
        assert_eq!(s.headers.len(), 6);
    }

    #[test]
    fn sign_webhook_rejects_bad_input() {
        assert_eq!(
            sign_webhook(&json!({}), "", 1).err(),
            Some(SignError::EmptySecret)
        );
        assert_eq!(
            sign_webhook(&json!([1]), "k", 1).err(),
            Some(SignError::NotAnObject)
        );
    }
}
