//! Checking a received webhook the way the Python SDK's `verify_webhook_signature` does
//! (contract §4.4), for Rust receivers and for verifyd's own tests.

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

use hmac::Mac as _;
use serde::de::DeserializeOwned;

use crate::canonical::{write_canonical, Json};
use crate::parse::{parse_body, BodyError, Parsed};
use crate::sign::{mac, simple_field, simple_message};

/// The Python SDK's default freshness window (`DEFAULT_WEBHOOK_MAX_AGE_SECONDS`).
pub const DEFAULT_MAX_AGE_SECONDS: u64 = 300;

/// Header access for the verifier; names are matched ASCII case-insensitively.
///
/// Implemented for slices, arrays and `Vec`s of `(name, value)` pairs and for `HashMap` /
/// `BTreeMap`. When several entries match, the last one wins (the Python SDK lower-cases the
/// headers into a dict). For `http::HeaderMap`, collect
/// `map.iter().filter_map(|(k, v)| Some((k.as_str(), v.to_str().ok()?))).collect::<Vec<_>>()`.
pub trait HeaderLookup {
    /// The value of header `name`, compared ignoring ASCII case.
    fn header(&self, name: &str) -> Option<&str>;
}

fn last_match<'a, K, V>(
    entries: impl Iterator<Item = (&'a K, &'a V)>,
    name: &str,
) -> Option<&'a str>
where
    K: AsRef<str> + 'a + ?Sized,
    V: AsRef<str> + 'a + ?Sized,
{
    entries
        .filter(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
        .last()
        .map(|(_, v)| v.as_ref())
}

impl<K: AsRef<str>, V: AsRef<str>> HeaderLookup for [(K, V)] {
    fn header(&self, name: &str) -> Option<&str> {
        last_match(self.iter().map(|(k, v)| (k, v)), name)
    }
}

impl<K: AsRef<str>, V: AsRef<str>, const N: usize> HeaderLookup for [(K, V); N] {
    fn header(&self, name: &str) -> Option<&str> {
        self.as_slice().header(name)
    }
}

impl<K: AsRef<str>, V: AsRef<str>> HeaderLookup for Vec<(K, V)> {
    fn header(&self, name: &str) -> Option<&str> {
        self.as_slice().header(name)
    }
}

impl<K: AsRef<str>, V: AsRef<str>, S: BuildHasher> HeaderLookup for HashMap<K, V, S> {
    fn header(&self, name: &str) -> Option<&str> {
        last_match(self.iter(), name)
    }
}

impl<K: AsRef<str>, V: AsRef<str>> HeaderLookup for BTreeMap<K, V> {
    fn header(&self, name: &str) -> Option<&str> {
        last_match(self.iter(), name)
    }
}

impl<T: HeaderLookup + ?Sized> HeaderLookup for &T {
    fn header(&self, name: &str) -> Option<&str> {
        (**self).header(name)
    }
}

/// Verifier settings; the defaults are the Python SDK's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Largest accepted `|now - timestamp|`, in seconds. Default 300.
    pub max_age_seconds: u64,
    /// Whether to enforce `max_age_seconds` at all. Default true.
    pub verify_freshness: bool,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        Self {
            max_age_seconds: DEFAULT_MAX_AGE_SECONDS,
            verify_freshness: true,
        }
    }
}

/// Which signature authenticated a webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `X-Signature-V2` (canonical JSON).
    V2,
    /// `X-Signature` (raw body).
    V1,
    /// `X-Signature-Simple` (envelope fields only; see [`verify_simple`]).
    Simple,
}

/// Why a webhook was rejected. Every variant is a rejection the Python SDK also makes
/// (it just returns `False`), checked in the SDK's order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The body is not a UTF-8 JSON object as Python's `json.loads` reads it.
    #[error("invalid webhook body: {0}")]
    InvalidBody(#[from] BodyError),
    /// The configured secret is empty.
    #[error("webhook secret is empty")]
    EmptySecret,
    /// Neither `X-Signature-V2` nor `X-Signature` is present and non-empty (for
    /// [`verify_simple`]: `X-Signature-Simple`).
    #[error("no signature header")]
    MissingSignature,
    /// Body `timestamp` (or, when that is absent or null, `created_at`) is not a JSON integer.
    #[error("body has no integer `timestamp` or `created_at`")]
    InvalidTimestamp,
    /// The signed timestamp is an integer outside `i64`. (Python accepts such a value when
    /// freshness checking is off; no real sender produces one.)
    #[error("signed timestamp is out of range")]
    TimestampOutOfRange,
    /// `|now - timestamp| > max_age_seconds`.
    #[error("webhook timestamp {timestamp} is outside the {max_age_seconds}s window (now {now})")]
    Stale {
        /// The signed timestamp.
        timestamp: i64,
        /// The `now` passed to the verifier.
        now: i64,
        /// The window that was exceeded.
        max_age_seconds: u64,
    },
    /// `X-Timestamp` is present but is not exactly the decimal signed timestamp.
    #[error("X-Timestamp does not match the signed timestamp")]
    TimestampMismatch,
    /// `X-Signature-V2` is present but the body has no canonical form (a lone surrogate escape
    /// or a float literal overflowing to infinity). The SDK rejects outright here, without
    /// falling back to `X-Signature`.
    #[error("body cannot be canonicalised for X-Signature-V2")]
    NotCanonicalizable,
    /// No signature header matched (or none was 64 hex digits).
    #[error("signature mismatch")]
    SignatureMismatch,
}

/// A webhook whose signature and freshness checked out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifiedPayload<'a> {
    /// The body exactly as received.
    pub raw_body: &'a [u8],
    /// The signed timestamp (Unix seconds).
    pub timestamp: i64,
    /// The signature that matched.
    pub scheme: Scheme,
}

impl VerifiedPayload<'_> {
    /// Deserialises the verified body, e.g. into `serde_json::Value` or a typed envelope.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(self.raw_body)
    }
}

/// Verifies a received webhook exactly as `didit.webhooks.verify_webhook_signature` does.
///
/// `headers` is looked up case-insensitively, `secret` is the destination's shared secret and
/// `now` the receiver's clock in Unix seconds. In order, the rules are:
///
/// 1. the body is a UTF-8 JSON object (Python's `json.loads`; `NaN`/`Infinity` rejected);
/// 2. the secret is non-empty;
/// 3. `X-Signature-V2` or `X-Signature` is present and non-empty;
/// 4. the signed timestamp is body `timestamp`, or `created_at` when `timestamp` is absent or
///    `null`, and must be a JSON integer (not a float, bool or string);
/// 5. if `verify_freshness`, `|now - timestamp| <= max_age_seconds`;
/// 6. if `X-Timestamp` is present it equals the decimal timestamp exactly;
/// 7. `X-Signature-V2` is checked against the canonical JSON of the parsed body, then
///    `X-Signature` against the raw bytes; a signature header must be exactly 64 hex digits
///    (either case) and is compared in constant time. Either match accepts.
///
/// `X-Signature-Simple` is ignored here (the SDK does not accept it alone); see
/// [`verify_simple`].
pub fn verify<'a, H: HeaderLookup + ?Sized>(
    raw_body: &'a [u8],
    headers: &H,
    secret: &str,
    now: i64,
    options: VerifyOptions,
) -> Result<VerifiedPayload<'a>, VerifyError> {
    let body = parse_body(raw_body)?;
    if secret.is_empty() {
        return Err(VerifyError::EmptySecret);
    }
    // The SDK treats an empty header value like a missing one (`if not signature_v2`).
    let non_empty = |name: &str| headers.header(name).filter(|v| !v.is_empty());
    let v2 = non_empty("x-signature-v2");
    let v1 = non_empty("x-signature");
    if v2.is_none() && v1.is_none() {
        return Err(VerifyError::MissingSignature);
    }
    let timestamp = check_timestamp(&body, headers, now, options)?;
    let verified = |scheme| VerifiedPayload {
        raw_body,
        timestamp,
        scheme,
    };

    if let Some(supplied) = v2 {
        if body.lone_surrogate {
            return Err(VerifyError::NotCanonicalizable);
        }
        let mut canonical = String::new();
        write_canonical(&Json::Object(body.members), &mut canonical)
            .map_err(|_| VerifyError::NotCanonicalizable)?;
        if signature_matches(secret, canonical.as_bytes(), supplied) {
            return Ok(verified(Scheme::V2));
        }
    }
    if let Some(supplied) = v1 {
        if signature_matches(secret, raw_body, supplied) {
            return Ok(verified(Scheme::V1));
        }
    }
    Err(VerifyError::SignatureMismatch)
}

/// Verifies `X-Signature-Simple`: an HMAC over
/// `"{timestamp}:{session_id}:{status}:{webhook_type}"` taken from the body.
///
/// For receivers whose framework re-serialises JSON before they see it. This scheme signs the
/// envelope only — **`decision`, `metadata` and every other field are unauthenticated** — so
/// prefer [`verify`]. The body must still be a JSON object, and the timestamp rules (4–6 of
/// [`verify`]) apply unchanged. A field that is absent or `null` enters the message as `""`.
pub fn verify_simple<'a, H: HeaderLookup + ?Sized>(
    raw_body: &'a [u8],
    headers: &H,
    secret: &str,
    now: i64,
    options: VerifyOptions,
) -> Result<VerifiedPayload<'a>, VerifyError> {
    let body = parse_body(raw_body)?;
    if secret.is_empty() {
        return Err(VerifyError::EmptySecret);
    }
    let Some(supplied) = headers
        .header("x-signature-simple")
        .filter(|v| !v.is_empty())
    else {
        return Err(VerifyError::MissingSignature);
    };
    let timestamp = check_timestamp(&body, headers, now, options)?;
    if body.lone_surrogate {
        // The message would not be valid UTF-8 for any sender.
        return Err(VerifyError::SignatureMismatch);
    }
    let message = simple_message(
        timestamp,
        &simple_field(body.get("session_id")),
        &simple_field(body.get("status")),
        &simple_field(body.get("webhook_type")),
    );
    if signature_matches(secret, message.as_bytes(), supplied) {
        Ok(VerifiedPayload {
            raw_body,
            timestamp,
            scheme: Scheme::Simple,
        })
    } else {
        Err(VerifyError::SignatureMismatch)
    }
}

/// Rules 4–6 of [`verify`]; returns the signed timestamp.
fn check_timestamp<H: HeaderLookup + ?Sized>(
    body: &Parsed,
    headers: &H,
    now: i64,
    options: VerifyOptions,
) -> Result<i64, VerifyError> {
    let signed = match body.get("timestamp") {
        None | Some(Json::Null) => body.get("created_at"),
        other => other,
    };
    let Some(Json::Int(digits)) = signed else {
        return Err(VerifyError::InvalidTimestamp);
    };
    let timestamp: i64 = digits
        .parse()
        .map_err(|_| VerifyError::TimestampOutOfRange)?;
    if options.verify_freshness {
        let age = (i128::from(now) - i128::from(timestamp)).unsigned_abs();
        if age > u128::from(options.max_age_seconds) {
            return Err(VerifyError::Stale {
                timestamp,
                now,
                max_age_seconds: options.max_age_seconds,
            });
        }
    }
    if let Some(header) = headers.header("x-timestamp") {
        if header != timestamp.to_string() {
            return Err(VerifyError::TimestampMismatch);
        }
    }
    Ok(timestamp)
}

/// `^[0-9a-fA-F]{64}$`, then a constant-time comparison of the decoded bytes.
fn signature_matches(secret: &str, message: &[u8], supplied: &str) -> bool {
    if supplied.len() != 64 {
        return false;
    }
    let mut expected = [0u8; 32];
    if hex::decode_to_slice(supplied, &mut expected).is_err() {
        return false;
    }
    let mut m = mac(secret);
    m.update(message);
    m.verify_slice(&expected).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::{hmac_sha256_hex, sign_webhook};
    use serde_json::json;

    const NOW: i64 = 1_700_000_000;

    fn signed() -> crate::SignedWebhook {
        sign_webhook(
            &json!({"session_id": "s", "status": "Approved", "webhook_type": "status.updated"}),
            "secret",
            NOW,
        )
        .unwrap()
    }

    #[test]
    fn accepts_own_signature_and_reports_scheme() {
        let s = signed();
        let ok = verify(
            &s.body,
            &s.headers,
            "secret",
            NOW + 300,
            VerifyOptions::default(),
        )
        .unwrap();
        assert_eq!((ok.timestamp, ok.scheme), (NOW, Scheme::V2));
        let v1_only = [("x-signature", s.header("X-Signature").unwrap())];
        let ok = verify(&s.body, &v1_only, "secret", NOW, VerifyOptions::default()).unwrap();
        assert_eq!(ok.scheme, Scheme::V1);
        let ok =
            verify_simple(&s.body, &s.headers, "secret", NOW, VerifyOptions::default()).unwrap();
        assert_eq!(ok.scheme, Scheme::Simple);
        let value: serde_json::Value = ok.json().unwrap();
        assert_eq!(value["status"], "Approved");
    }

    #[test]
    fn rejections_follow_the_sdk() {
        let s = signed();
        let opts = VerifyOptions::default();
        let err = |body: &[u8], headers: &[(&str, &str)], now| {
            verify(body, headers, "secret", now, opts).unwrap_err()
        };
        let sig = s.header("X-Signature-V2").unwrap();
        assert_eq!(
            verify(&s.body, &s.headers, "", NOW, opts).unwrap_err(),
            VerifyError::EmptySecret
        );
        assert_eq!(err(&s.body, &[], NOW), VerifyError::MissingSignature);
        assert_eq!(
            err(&s.body, &[("X-Signature-V2", ""), ("X-Signature", "")], NOW),
            VerifyError::MissingSignature
        );
        assert_eq!(
            err(&s.body, &[("X-Signature-V2", sig)], NOW + 301),
            VerifyError::Stale {
                timestamp: NOW,
                now: NOW + 301,
                max_age_seconds: 300
            }
        );
        assert_eq!(
            err(&s.body, &[("X-Signature-V2", sig)], NOW - 301),
            VerifyError::Stale {
                timestamp: NOW,
                now: NOW - 301,
                max_age_seconds: 300
            }
        );
        let no_fresh = VerifyOptions {
            verify_freshness: false,
            ..opts
        };
        assert!(verify(&s.body, &[("X-Signature-V2", sig)], "secret", 0, no_fresh).is_ok());
        for bad_ts in [" 1700000000", "01700000000", "1700000000.0", ""] {
            assert_eq!(
                err(
                    &s.body,
                    &[("X-Signature-V2", sig), ("x-timestamp", bad_ts)],
                    NOW
                ),
                VerifyError::TimestampMismatch,
                "{bad_ts:?}"
            );
        }
        let upper = sig.to_uppercase();
        assert!(verify(
            &s.body,
            &[("X-SIGNATURE-V2", upper.as_str())],
            "secret",
            NOW,
            opts
        )
        .is_ok());
        for bad in [
            &sig[..63],
            &format!("{sig}0"),
            &format!("{}g", &sig[..63]),
            &format!("{sig}\n"),
        ] {
            assert_eq!(
                err(&s.body, &[("X-Signature-V2", bad)], NOW),
                VerifyError::SignatureMismatch
            );
        }
        assert_eq!(
            verify(&s.body, &s.headers, "other", NOW, opts).unwrap_err(),
            VerifyError::SignatureMismatch
        );
        // A malformed V2 falls through to a valid V1.
        assert_eq!(
            verify(
                &s.body,
                &[("X-Signature-V2", "zz"), ("X-Signature", sig)],
                "secret",
                NOW,
                opts
            )
            .unwrap()
            .scheme,
            Scheme::V1
        );
    }

    #[test]
    fn timestamp_rules() {
        let opts = VerifyOptions::default();
        let check = |body: &str| {
            let sig = hmac_sha256_hex("k", body.as_bytes());
            verify(
                body.as_bytes(),
                &[("X-Signature", sig.as_str())],
                "k",
                NOW,
                opts,
            )
            .map(|v| v.timestamp)
        };
        assert!(check(&format!("{{\"created_at\":{NOW}}}")).is_ok());
        assert!(check(&format!("{{\"timestamp\":null,\"created_at\":{NOW}}}")).is_ok());
        assert!(check(&format!("{{\"timestamp\":{NOW},\"created_at\":\"x\"}}")).is_ok());
        for bad in [
            "{}".to_owned(),
            format!("{{\"timestamp\":{NOW}.0}}"),
            format!("{{\"timestamp\":\"{NOW}\"}}"),
            "{\"timestamp\":true}".to_owned(),
            format!("{{\"timestamp\":false,\"created_at\":{NOW}}}"),
            format!("{{\"timestamp\":1.7e9,\"created_at\":{NOW}}}"),
        ] {
            assert_eq!(
                check(&bad).unwrap_err(),
                VerifyError::InvalidTimestamp,
                "{bad}"
            );
        }
        assert_eq!(
            check("{\"timestamp\":99999999999999999999}").unwrap_err(),
            VerifyError::TimestampOutOfRange
        );
    }

    #[test]
    fn v2_needs_a_canonical_body() {
        let opts = VerifyOptions::default();
        for body in [
            format!("{{\"timestamp\":{NOW},\"a\":\"\\ud800\"}}"),
            format!("{{\"timestamp\":{NOW},\"a\":1e400}}"),
        ] {
            let v1 = hmac_sha256_hex("k", body.as_bytes());
            let headers = [
                ("X-Signature-V2", v1.as_str()),
                ("X-Signature", v1.as_str()),
            ];
            assert_eq!(
                verify(body.as_bytes(), &headers, "k", NOW, opts).unwrap_err(),
                VerifyError::NotCanonicalizable
            );
            // Without a V2 header the raw-body signature is enough (as in the SDK).
            assert!(verify(body.as_bytes(), &headers[1..], "k", NOW, opts).is_ok());
        }
    }

    #[test]
    fn header_lookup_impls() {
        let mut map = HashMap::new();
        map.insert("X-Timestamp".to_owned(), "1".to_owned());
        assert_eq!(map.header("x-timestamp"), Some("1"));
        let tree: BTreeMap<&str, &str> = [("x-TIMESTAMP", "2")].into_iter().collect();
        assert_eq!(tree.header("X-Timestamp"), Some("2"));
        let pairs = vec![("X-A", "1"), ("x-a", "2")];
        assert_eq!(
            pairs.header("X-A"),
            Some("2"),
            "last one wins, as in the SDK's dict"
        );
        fn by_value<H: HeaderLookup>(h: H) -> Option<String> {
            h.header("x-a").map(str::to_owned)
        }
        assert_eq!(by_value(&pairs).as_deref(), Some("2"));
        let dynamic: &dyn HeaderLookup = &map;
        assert_eq!(dynamic.header("x-b"), None);
    }
}
