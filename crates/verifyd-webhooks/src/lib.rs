//! Webhook payload canonicalisation, signing and verification, wire-compatible with Didit v3
//! (contract §4.3–§4.4). Pure: no I/O, no clock — the caller passes `now`.
//!
//! Didit sends every webhook with three HMAC-SHA256 signatures (key: the destination's
//! `secret_shared_key` as UTF-8; value: lowercase hex), because receivers differ in what they
//! can see of a request:
//!
//! * **`X-Signature`** — over the exact raw body bytes. The strongest and simplest, but only
//!   usable by a receiver that gets the bytes before any JSON parsing.
//! * **`X-Signature-V2`** — over the *canonical JSON* of the parsed body (see
//!   [`canonical_json`]: Python's `json.dumps(sort_keys=True, separators=(",", ":"),
//!   ensure_ascii=False)` after turning integral floats into ints). Survives a proxy or framework
//!   that re-serialises the body, as long as it keeps the values. The Python SDK tries it first.
//! * **`X-Signature-Simple`** — over `"{timestamp}:{session_id}:{status}:{webhook_type}"`.
//!   Authenticates the envelope only, not `decision`; the Python SDK does not accept it alone.
//!
//! Replay protection comes from the body's integer `timestamp` (signing time, also sent as
//! `X-Timestamp`), which receivers require to be within 300 s of their clock.
//!
//! verifyd sends the canonical form *as* the body ([`sign_webhook`]), so `X-Signature` and
//! `X-Signature-V2` are equal by construction and no receiver depends on which one it checks.
//! The canonicaliser reproduces CPython byte for byte, including float `repr`
//! (`1e-05`, not serde_json's `1e-5`); the integration tests compare it with Python itself.
//!
//! # Receiving a webhook in Rust
//!
//! ```
//! use verifyd_webhooks::{sign_webhook, verify, Scheme, VerifyOptions};
//! use serde_json::json;
//!
//! # let now = 1_700_000_000;
//! # let signed = sign_webhook(
//! #     &json!({"session_id": "11111111-2222-3333-4444-555555555555", "status": "Approved",
//! #             "webhook_type": "status.updated", "event_id": "e1"}),
//! #     "whsec_test", now)?;
//! # let (raw_body, headers): (&[u8], Vec<(&str, String)>) = (&signed.body, signed.headers.clone());
//! // `raw_body`: the request body bytes, untouched; `headers`: any (name, value) collection.
//! let webhook = verify(raw_body, &headers, "whsec_test", now, VerifyOptions::default())?;
//! assert_eq!(webhook.scheme, Scheme::V2);
//! let body: serde_json::Value = webhook.json()?;
//! assert_eq!(body["status"], "Approved");
//! // Deduplicate on body["event_id"]: it is the same across retries and destinations.
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Interoperability with JavaScript receivers
//!
//! A Node receiver that re-creates the V2 message with `JSON.stringify` over recursively
//! key-sorted objects gets the same bytes as Python **only** when: every float is either
//! integral or has magnitude in `[1e-4, 1e16)` (JavaScript prints `0.00001` where Python prints
//! `1e-05`, and integral values ≥ 1e21 as `1e+21` where Python prints all digits); every integer
//! is within ±2^53 (`JSON.parse` rounds larger ones); keys are sorted by code point (the default
//! `Array.prototype.sort` compares UTF-16 units, which differs for keys outside the BMP). String
//! escaping agrees.
//!
//! **Rule for code that builds payloads** (so Python, Node and Rust receivers all agree): emit
//! floats only when integral or with magnitude in `[1e-4, 1e16)`, rounded to at most two
//! decimals (scores, similarities); keep integers within ±2^53; use only BMP characters in
//! object keys. A JS receiver that can read the raw body should simply check `X-Signature`.

mod canonical;
mod parse;
mod sign;
mod verify;

pub use canonical::canonical_json;
pub use parse::BodyError;
pub use sign::{
    hmac_sha256_hex, sign_webhook, signature_simple, signature_v1, signature_v2, simple_message,
    SignError, SignedWebhook, HEADER_SIGNATURE, HEADER_SIGNATURE_SIMPLE, HEADER_SIGNATURE_V2,
    HEADER_TIMESTAMP, USER_AGENT,
};
pub use verify::{
    verify, verify_simple, HeaderLookup, Scheme, VerifiedPayload, VerifyError, VerifyOptions,
    DEFAULT_MAX_AGE_SECONDS,
};
