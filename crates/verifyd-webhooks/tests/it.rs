//! verifyd-webhooks against independent oracles: vectors computed by CPython's own `json` and
//! `hmac` (tests/python/vectors.py, committed as vectors.json so this runs without Python), the
//! same script re-run live when `python3` is available, the real `didit-sdk` 0.4.0 verifier when
//! importable, and Node's `JSON.stringify` on the JS-safe subset.
//!
//! Environment: `VERIFYD_PYTHON` picks the interpreter (default `python3`; point it at a venv
//! with `didit-sdk==0.4.0` to run the SDK test). `VERIFYD_REQUIRE_PYTHON=1` /
//! `VERIFYD_REQUIRE_DIDIT_SDK=1` / `VERIFYD_REQUIRE_NODE=1` turn the corresponding skip into a
//! failure, for CI.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use verifyd_webhooks::{
    canonical_json, hmac_sha256_hex, sign_webhook, signature_v2, verify, verify_simple, Scheme,
    VerifyError, VerifyOptions,
};

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn script() -> PathBuf {
    manifest_dir().join("tests/python/vectors.py")
}

fn committed_vectors() -> String {
    std::fs::read_to_string(manifest_dir().join("tests/python/vectors.json")).unwrap()
}

fn required(var: &str) -> bool {
    std::env::var(var).is_ok_and(|v| v == "1")
}

/// Runs a tool, or returns None (after saying so) when it is not installed and not required.
fn run_tool(program: &str, args: &[&std::ffi::OsStr], require_var: &str) -> Option<Output> {
    match Command::new(program).args(args).output() {
        Ok(out) => Some(out),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required(require_var) => {
            eprintln!("SKIPPED: `{program}` not found ({require_var}=1 makes this fail)");
            None
        }
        Err(e) => panic!("running {program}: {e}"),
    }
}

fn python() -> String {
    std::env::var("VERIFYD_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn temp_file(tag: &str, ext: &str, contents: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "verifyd-webhooks-{tag}-{}-{}.{ext}",
        std::process::id(),
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::write(&path, contents).unwrap();
    path
}

const NO_FRESHNESS: VerifyOptions = VerifyOptions {
    max_age_seconds: 300,
    verify_freshness: false,
};

/// Everything the Python-computed vectors pin down.
fn check_vectors(text: &str) -> usize {
    let v: Value = serde_json::from_str(text).unwrap();
    let secret = v["secret"].as_str().unwrap();
    let mut checked = 0;
    for case in v["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let canonical = case["canonical"].as_str().unwrap();
        let v2 = case["v2"].as_str().unwrap();
        let simple = case["simple"].as_str().unwrap();
        let ts = case["timestamp"].as_i64().unwrap();
        let ts_text = ts.to_string();
        let fits = case["fits_serde_value"].as_bool().unwrap();
        for raw in case["raw"].as_array().unwrap() {
            let (raw, v1) = (raw[0].as_str().unwrap(), raw[1].as_str().unwrap());
            let body = raw.as_bytes();
            assert_eq!(
                hmac_sha256_hex(secret, body),
                v1,
                "{name}: HMAC of raw body"
            );

            // Receiver path: our parser + canonicaliser reproduce Python's V2 message from
            // whatever layout the sender used (escaped or raw Unicode, spaces, key order).
            let headers = [("X-Signature-V2", v2), ("X-Timestamp", ts_text.as_str())];
            let ok = verify(body, &headers, secret, ts, VerifyOptions::default())
                .unwrap_or_else(|e| panic!("{name}: V2 rejected for {raw:?}: {e}"));
            assert_eq!((ok.scheme, ok.timestamp), (Scheme::V2, ts), "{name}");
            let ok = verify(body, &[("x-signature", v1)], secret, ts, NO_FRESHNESS).unwrap();
            assert_eq!(ok.scheme, Scheme::V1, "{name}");
            let ok = verify_simple(
                body,
                &[("X-SIGNATURE-SIMPLE", simple)],
                secret,
                ts,
                NO_FRESHNESS,
            )
            .unwrap_or_else(|e| panic!("{name}: simple rejected: {e}"));
            assert_eq!(ok.scheme, Scheme::Simple);

            // Sender path: serde_json::Value → canonical bytes.
            if fits {
                let value: Value = serde_json::from_str(raw).unwrap();
                assert_eq!(canonical_json(&value), canonical, "{name}: canonical_json");
                assert_eq!(signature_v2(secret, &value), v2, "{name}: signature_v2");
                if value.get("timestamp") == Some(&json!(ts)) {
                    let signed = sign_webhook(&value, secret, ts).unwrap();
                    assert_eq!(
                        signed.body,
                        canonical.as_bytes(),
                        "{name}: sign_webhook body"
                    );
                    assert_eq!(signed.header("X-Signature-V2"), Some(v2));
                    assert_eq!(signed.header("X-Signature-Simple"), Some(simple));
                }
            }
            checked += 1;
        }
    }
    for pair in v["floats"].as_array().unwrap() {
        let bits = u64::from_str_radix(pair[0].as_str().unwrap(), 16).unwrap();
        let want = pair[1].as_str().unwrap();
        let f = f64::from_bits(bits);
        assert_eq!(
            canonical_json(&json!(f)),
            want,
            "float {f:e} (bits {bits:016x})"
        );
        // And the verifier reads Python's text back to the same float.
        let body = format!("{{\"f\":{want},\"timestamp\":1}}");
        let sig = hmac_sha256_hex(secret, body.as_bytes());
        assert!(
            verify(
                body.as_bytes(),
                &[("X-Signature-V2", sig.as_str())],
                secret,
                1,
                NO_FRESHNESS
            )
            .is_ok(),
            "float {want} does not round-trip through the verifier"
        );
        checked += 1;
    }
    checked
}

#[test]
fn committed_python_vectors() {
    let checked = check_vectors(&committed_vectors());
    assert!(checked > 2000, "only {checked} vectors");
}

#[test]
fn live_python_regenerates_the_committed_vectors() {
    let Some(out) = run_tool(
        &python(),
        &[script().as_os_str(), "generate".as_ref()],
        "VERIFYD_REQUIRE_PYTHON",
    ) else {
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fresh = String::from_utf8(out.stdout).unwrap();
    check_vectors(&fresh);
    assert!(
        fresh == committed_vectors(),
        "tests/python/vectors.json is stale: run `python3 tests/python/vectors.py generate > \
         tests/python/vectors.json` in crates/verifyd-webhooks"
    );
}

/// Rust-signed webhooks for the vector payloads that serde_json::Value can hold, in the form
/// vectors.py's `check` and `sdk` modes read.
fn rust_signed_cases(timestamp: Option<i64>) -> (String, usize) {
    let v: Value = serde_json::from_str(&committed_vectors()).unwrap();
    let secret = v["secret"].as_str().unwrap();
    let mut cases = Vec::new();
    for case in v["cases"].as_array().unwrap() {
        if !case["fits_serde_value"].as_bool().unwrap() {
            continue;
        }
        // The insertion-ordered, \u-escaped layout, to show ordering and escapes don't leak.
        let payload_text = case["raw"][1][0].as_str().unwrap();
        let payload: Value = serde_json::from_str(payload_text).unwrap();
        let ts = timestamp.unwrap_or_else(|| case["timestamp"].as_i64().unwrap());
        let signed = sign_webhook(&payload, secret, ts).unwrap();
        let headers: serde_json::Map<String, Value> = signed
            .headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), json!(v)))
            .collect();
        cases.push(json!({
            "name": case["name"],
            "payload": payload_text,
            "timestamp": ts,
            "body": String::from_utf8(signed.body).unwrap(),
            "headers": headers,
        }));
    }
    let n = cases.len();
    (json!({"secret": secret, "cases": cases}).to_string(), n)
}

#[test]
fn rust_signed_webhooks_match_python_stdlib() {
    let (spec, n) = rust_signed_cases(None);
    let path = temp_file("check", "json", &spec);
    let out = run_tool(
        &python(),
        &[script().as_os_str(), "check".as_ref(), path.as_os_str()],
        "VERIFYD_REQUIRE_PYTHON",
    );
    let _ = std::fs::remove_file(&path);
    let Some(out) = out else { return };
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "python check failed:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.trim(), format!("ok {n}"));
}

#[test]
fn didit_sdk_accepts_rust_signatures_and_rust_accepts_sdk_signatures() {
    // Signed now: the SDK enforces its 300 s freshness window against its own clock.
    let (spec, n) = rust_signed_cases(Some(now()));
    let path = temp_file("sdk", "json", &spec);
    let out = run_tool(
        &python(),
        &[script().as_os_str(), "sdk".as_ref(), path.as_os_str()],
        "VERIFYD_REQUIRE_DIDIT_SDK",
    );
    let _ = std::fs::remove_file(&path);
    let Some(out) = out else { return };
    if out.status.code() == Some(77) {
        assert!(
            !required("VERIFYD_REQUIRE_DIDIT_SDK"),
            "didit-sdk is not importable by {}",
            python()
        );
        eprintln!(
            "SKIPPED: didit-sdk not importable by {} (set VERIFYD_PYTHON)",
            python()
        );
        return;
    }
    assert!(
        out.status.success(),
        "didit-sdk rejected a Rust-signed webhook:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["checked"], json!(n));
    let secret = serde_json::from_str::<Value>(&spec).unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let events = report["events"].as_array().unwrap();
    assert!(!events.is_empty());
    for event in events {
        // SDK simulator: `json.dumps(ensure_ascii=False)` body (not canonical), V2 + X-Timestamp.
        let body = event["body"].as_str().unwrap().as_bytes();
        let headers: Vec<(String, String)> = event["headers"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        let at = event["now"].as_i64().unwrap();
        let ok = verify(body, &headers, &secret, at, VerifyOptions::default())
            .unwrap_or_else(|e| panic!("SDK-signed event rejected: {e}\n{}", event["body"]));
        assert_eq!(ok.scheme, Scheme::V2);
        assert_eq!(
            verify(body, &headers, "wrong", at, VerifyOptions::default()).unwrap_err(),
            VerifyError::SignatureMismatch
        );
    }
}

/// A JavaScript receiver that rebuilds the V2 message with JSON.stringify over sorted keys.
const NODE_CANONICAL: &str = r#"
const crypto = require('crypto');
const sort = (v) => Array.isArray(v) ? v.map(sort)
  : (v && typeof v === 'object')
    ? Object.fromEntries(Object.keys(v)
        .sort((a, b) => { const x = [...a].map(c => c.codePointAt(0)), y = [...b].map(c => c.codePointAt(0));
          for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
          return x.length - y.length; })
        .map(k => [k, sort(v[k])]))
    : v;
const input = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
const out = input.cases.map(c => {
  const canon = JSON.stringify(sort(JSON.parse(c.body)));
  return { same_bytes: canon === c.body,
           v2: crypto.createHmac('sha256', Buffer.from(input.secret, 'utf8')).update(canon, 'utf8').digest('hex') };
});
process.stdout.write(JSON.stringify(out));
"#;

#[test]
fn node_json_stringify_agrees_on_the_js_safe_subset() {
    let secret = "whsec_José_🔑_test";
    let ts = 1_763_900_000;
    // Floats in [1e-4, 1e16) or integral, integers within ±2^53, BMP keys: the JS-safe subset.
    let safe = [
        json!({"session_id": "s", "status": "Approved", "score": 95.0, "similarity": 0.87,
               "name": "José 日本 😀", "ctl": "\u{0}\u{1f}\n\"\\/\u{7f}\u{2028}",
               "nested": {"b": [1, -2, 0.5, 123456.78, 0.0001], "a": {}, "é": null, "～": true}}),
        json!({"a": [], "n": 9007199254740991_i64, "neg": -0.25, "t": false}),
    ];
    let bodies: Vec<String> = safe
        .iter()
        .map(|p| String::from_utf8(sign_webhook(p, secret, ts).unwrap().body).unwrap())
        .collect();
    // Where Python's repr and JS differ; documented in the crate docs.
    let unsafe_ = String::from_utf8(
        sign_webhook(&json!({"tiny": 0.00001}), secret, ts)
            .unwrap()
            .body,
    )
    .unwrap();
    let cases: Vec<Value> = bodies
        .iter()
        .chain([&unsafe_])
        .map(|b| json!({"body": b}))
        .collect();
    let path = temp_file(
        "node",
        "json",
        &json!({"secret": secret, "cases": cases}).to_string(),
    );
    let script = temp_file("node-js", "js", NODE_CANONICAL);
    let out = run_tool(
        "node",
        &[script.as_os_str(), path.as_os_str()],
        "VERIFYD_REQUIRE_NODE",
    );
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(&script);
    let Some(out) = out else { return };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    for (body, result) in bodies.iter().zip(&results) {
        assert_eq!(
            result["same_bytes"],
            json!(true),
            "JS canonical differs for {body}"
        );
        assert_eq!(
            result["v2"].as_str(),
            Some(hmac_sha256_hex(secret, body.as_bytes()).as_str())
        );
    }
    assert_eq!(
        results.last().unwrap()["same_bytes"],
        json!(false),
        "JS prints 0.00001 where Python prints 1e-05"
    );
}

#[test]
fn signed_body_has_no_python_incompatible_bytes() {
    // What serde_json would print differently from Python, end to end through sign_webhook.
    let payload = json!({"x": 1e-5, "y": 1.5e16, "z": 1e20, "w": 95.0, "v": -0.0});
    let signed = sign_webhook(&payload, "k", 7).unwrap();
    assert_eq!(
        std::str::from_utf8(&signed.body).unwrap(),
        r#"{"timestamp":7,"v":0,"w":95,"x":1e-05,"y":15000000000000000,"z":100000000000000000000}"#
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|i| json!(i)),
            any::<u64>().prop_map(|u| json!(u)),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(|f| json!(f)),
            (-1_000_000i64..1_000_000, 0u32..4)
                .prop_map(|(m, d)| json!(m as f64 / 10f64.powi(d as i32))),
            any::<String>().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((any::<String>(), inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    /// Reverses every object's insertion order (the workspace's serde_json keeps it).
    fn reversed(v: &Value) -> Value {
        match v {
            Value::Array(a) => Value::Array(a.iter().map(reversed).collect()),
            Value::Object(m) => Value::Object(
                m.iter()
                    .rev()
                    .map(|(k, v)| (k.clone(), reversed(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    proptest! {
        /// Sign → verify round-trips for arbitrary payloads: the verifier's Python-compatible
        /// parser reads the canonical body back to the same canonical bytes, and key order in
        /// the input never matters.
        #[test]
        fn sign_then_verify_round_trips(
            fields in prop::collection::vec((any::<String>(), arb_json()), 0..6),
            ts in 0i64..4_000_000_000,
        ) {
            let payload = Value::Object(fields.into_iter().collect());
            let signed = sign_webhook(&payload, "k", ts).unwrap();
            prop_assert_eq!(&sign_webhook(&reversed(&payload), "k", ts).unwrap(), &signed);
            let body = String::from_utf8(signed.body.clone()).unwrap();
            let v2_only = [("X-Signature-V2", signed.header("X-Signature-V2").unwrap())];
            let ok = verify(&signed.body, &v2_only, "k", ts, VerifyOptions::default());
            prop_assert!(ok.is_ok(), "{:?} for {}", ok, body);
            let ok = ok.unwrap();
            prop_assert_eq!((ok.scheme, ok.timestamp), (Scheme::V2, ts));
            let opts = VerifyOptions::default();
            let simple = verify_simple(&signed.body, &signed.headers, "k", ts, opts);
            prop_assert!(simple.is_ok(), "{:?}", simple);
        }
    }
}
