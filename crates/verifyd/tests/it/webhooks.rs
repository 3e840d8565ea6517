//! Webhook delivery end to end: a real HTTP receiver in the test process records what the
//! real server sends. Signatures are checked three ways (the verifyd-webhooks verifier, HMACs
//! recomputed here with the `hmac` crate, and the Python SDK when `VERIFYD_PYTHON` is set);
//! retries on 500 and on a timeout keep the event_id; other 4xx are final; a SIGKILL while
//! events are pending is followed by exactly one successful delivery of every event.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::{send, TestServer};

/// What the receiver answers.
#[derive(Debug, Clone, Copy)]
enum Mode {
    /// 200.
    Accept,
    /// This status.
    Status(u16),
    /// The first request waits this long (past the sender's timeout), later ones get 200.
    SlowOnce(Duration),
}

/// One request the receiver got.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    answered: u16,
    at: Instant,
}

impl Received {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("webhook body is JSON")
    }

    fn event_id(&self) -> String {
        self.json()["event_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug)]
struct ReceiverState {
    mode: Mode,
    slow_used: bool,
    requests: Vec<Received>,
}

/// An HTTP server on 127.0.0.1 recording every request.
#[derive(Clone)]
pub(crate) struct Receiver {
    addr: std::net::SocketAddr,
    state: Arc<Mutex<ReceiverState>>,
}

async fn receive(
    State(state): State<Arc<Mutex<ReceiverState>>>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    // Recorded on arrival: a request the sender gives up on (timeout) still counts.
    let wait = {
        let mut s = state.lock().unwrap();
        let slow = matches!(s.mode, Mode::SlowOnce(_)) && !s.slow_used;
        if slow {
            s.slow_used = true;
        }
        let (answered, wait) = match s.mode {
            Mode::Accept => (200, None),
            Mode::Status(code) => (code, None),
            Mode::SlowOnce(wait) => (if slow { 0 } else { 200 }, slow.then_some(wait)),
        };
        s.requests.push(Received {
            path: uri.path().to_owned(),
            headers: headers
                .iter()
                .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
                .collect(),
            body: body.to_vec(),
            answered,
            at: Instant::now(),
        });
        (answered, wait)
    };
    let (answered, wait) = wait;
    if let Some(wait) = wait {
        tokio::time::sleep(wait).await;
        return StatusCode::OK;
    }
    StatusCode::from_u16(answered).unwrap()
}

impl Receiver {
    pub(crate) async fn start() -> Self {
        let state = Arc::new(Mutex::new(ReceiverState {
            mode: Mode::Accept,
            slow_used: false,
            requests: Vec::new(),
        }));
        let app = axum::Router::new()
            .fallback(axum::routing::post(receive))
            .with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { addr, state }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn set_mode(&self, mode: Mode) {
        let mut s = self.state.lock().unwrap();
        s.mode = mode;
        s.slow_used = false;
    }

    fn requests(&self) -> Vec<Received> {
        self.state.lock().unwrap().requests.clone()
    }

    /// Waits until `done(requests)` holds (60 s at most).
    pub(crate) async fn wait_for(
        &self,
        what: &str,
        done: impl Fn(&[Received]) -> bool,
    ) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let requests = self.requests();
            if done(&requests) {
                return requests;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; received {} requests: {:?}",
                requests.len(),
                requests
                    .iter()
                    .map(|r| (r.answered, r.json()))
                    .collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn hmac_hex(secret: &str, message: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

/// Recursively key-sorted compact JSON with whole floats as ints, as Python's
/// `json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)` writes it for the
/// values a webhook carries (written here independently of verifyd-webhooks).
fn python_canonical(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let sorted: BTreeMap<&String, &Value> = map.iter().collect();
            let members: Vec<String> = sorted
                .into_iter()
                .map(|(k, v)| format!("{}:{}", Value::String(k.clone()), python_canonical(v)))
                .collect();
            format!("{{{}}}", members.join(","))
        }
        Value::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(python_canonical)
                .collect::<Vec<_>>()
                .join(",")
        ),
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap();
            if f.fract() == 0.0 && f.abs() < 1e16 {
                format!("{}", f as i64)
            } else {
                format!("{f}")
            }
        }
        other => other.to_string(),
    }
}

/// Checks the three signatures of a delivery with `secret`, independently of the server.
pub(crate) fn assert_signed(request: &Received, secret: &str) {
    let body = request.json();
    let timestamp = body["timestamp"].as_i64().expect("integer timestamp");
    let now = chrono::Utc::now().timestamp();
    assert!(
        (now - timestamp).abs() <= 60,
        "timestamp {timestamp} is not the signing time"
    );
    assert_eq!(
        request.header("x-timestamp"),
        Some(timestamp.to_string().as_str())
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.header("user-agent"),
        Some("DiditWebhook/2.0 +https://didit.me")
    );
    // X-Signature: the raw body bytes.
    assert_eq!(
        request.header("x-signature"),
        Some(hmac_hex(secret, &request.body).as_str()),
        "X-Signature"
    );
    // X-Signature-V2: the canonical JSON of the parsed body.
    let canonical = python_canonical(&body);
    assert_eq!(
        request.header("x-signature-v2"),
        Some(hmac_hex(secret, canonical.as_bytes()).as_str()),
        "X-Signature-V2"
    );
    // X-Signature-Simple: timestamp:session_id:status:webhook_type.
    let simple = format!(
        "{timestamp}:{}:{}:{}",
        body["session_id"].as_str().unwrap_or(""),
        body["status"].as_str().unwrap_or(""),
        body["webhook_type"].as_str().unwrap_or("")
    );
    assert_eq!(
        request.header("x-signature-simple"),
        Some(hmac_hex(secret, simple.as_bytes()).as_str()),
        "X-Signature-Simple"
    );
    // The project's own verifier agrees, and refuses another secret.
    verifyd_webhooks::verify(
        &request.body,
        request.headers.as_slice(),
        secret,
        now,
        verifyd_webhooks::VerifyOptions::default(),
    )
    .expect("verifyd-webhooks accepts the delivery");
    assert!(verifyd_webhooks::verify(
        &request.body,
        request.headers.as_slice(),
        "not-the-secret",
        now,
        verifyd_webhooks::VerifyOptions::default(),
    )
    .is_err());
}

/// The Python SDK's verifier on the deliveries (skipped when `VERIFYD_PYTHON` is not set).
fn assert_python_sdk_accepts(requests: &[Received], secret: &str) {
    let Some(python) = std::env::var_os("VERIFYD_PYTHON").filter(|v| !v.is_empty()) else {
        eprintln!("SKIP python webhook verification: VERIFYD_PYTHON is not set");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<Value> = requests
        .iter()
        .map(|r| {
            json!({
                "body": String::from_utf8(r.body.clone()).unwrap(),
                "headers": r.headers.iter().cloned().collect::<BTreeMap<_, _>>(),
            })
        })
        .collect();
    let file = dir.path().join("cases.json");
    std::fs::write(&file, serde_json::to_vec(&cases).unwrap()).unwrap();
    let script = r#"
import json, sys
from didit.webhooks import verify_webhook_signature
from didit import Didit
cases = json.load(open(sys.argv[1], encoding="utf-8"))
client = Didit(api_key="x", webhook_secret=sys.argv[2])
for case in cases:
    raw = case["body"].encode("utf-8")
    assert verify_webhook_signature(raw, case["headers"], sys.argv[2]) is True
    assert verify_webhook_signature(raw, case["headers"], "wrong") is False
    client.parse_webhook(raw, case["headers"])
print("ok", len(cases))
"#;
    let out = std::process::Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(&file)
        .arg(secret)
        .output()
        .expect("running python");
    assert!(
        out.status.success(),
        "python SDK rejected a delivery: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A sandbox application with a published workflow.
struct Tenant {
    key: String,
    webhook_secret: String,
    workflow: String,
}

async fn tenant(server: &TestServer) -> Tenant {
    let app = server.apps_create("webhooks", "sandbox");
    let key = app["api_key"].as_str().unwrap().to_owned();
    let (status, workflow) = send(
        server
            .post_json("/v3/workflows/", &json!({"workflow_type": "kyc"}))
            .header("x-api-key", &key),
    )
    .await;
    assert_eq!(status, 201, "{workflow}");
    Tenant {
        key,
        webhook_secret: app["webhook_secret"].as_str().unwrap().to_owned(),
        workflow: workflow["uuid"].as_str().unwrap().to_owned(),
    }
}

impl Tenant {
    async fn destination(&self, server: &TestServer, url: &str) -> Value {
        let (status, body) = send(
            server
                .post_json(
                    "/v3/webhook/destinations/",
                    &json!({"label": "test", "url": url, "subscribed_events": ["status.updated", "data.updated"]}),
                )
                .header("x-api-key", &self.key),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        body
    }

    async fn sandbox_session(&self, server: &TestServer, scenario: &str, vendor: &str) -> String {
        let (status, body) = send(
            server
                .post_json(
                    "/v3/session/",
                    &json!({"workflow_id": self.workflow, "vendor_data": vendor,
                            "metadata": {"plan": "premium", "score": 95.0}, "sandbox_scenario": scenario}),
                )
                .header("x-api-key", &self.key),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        body["session_id"].as_str().unwrap().to_owned()
    }

    async fn update_status(&self, server: &TestServer, session: &str, new_status: &str) {
        let (status, body) = send(
            server
                .client_patch(&format!("/v3/session/{session}/update-status/"))
                .json(&json!({"new_status": new_status}))
                .header("x-api-key", &self.key),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
}

impl TestServer {
    fn client_patch(&self, path: &str) -> reqwest::RequestBuilder {
        self.http().patch(self.url(path))
    }
}

async fn webhook_server(backend: &crate::support::Backend, schedule: &str) -> TestServer {
    backend
        .server()
        .env("VERIFYD_WEBHOOK_ALLOW_PRIVATE_TARGETS", "true")
        .env("VERIFYD_WEBHOOK_RETRY_SCHEDULE", schedule)
        .start()
        .await
}

both_backends!(webhooks_are_signed_logged_and_resent, async fn body(backend) {
    let server = webhook_server(&backend, "1s,2s").await;
    let receiver = Receiver::start().await;
    let t = tenant(&server).await;
    let destination = t.destination(&server, &receiver.url("/hooks")).await;
    let secret = destination["secret_shared_key"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 43, "{destination}");
    assert!(secret.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    assert_eq!(destination["enabled"], true);
    assert_eq!(destination["webhook_version"], "v3");
    assert_eq!(destination["summary"]["total_deliveries"], 0);

    // Not Started → In Progress → Approved: two status.updated events.
    let session = t.sandbox_session(&server, "approve", "José-日本").await;
    let mut got = receiver.wait_for("two deliveries", |r| r.len() >= 2).await;
    // Deliveries run concurrently: order is not guaranteed (receivers use `timestamp`).
    got.sort_by_key(|r| r.json()["status"] != "In Progress");
    let bodies: Vec<Value> = got.iter().map(Received::json).collect();
    let statuses: Vec<&str> = bodies.iter().map(|b| b["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["In Progress", "Approved"]);
    for (request, body) in got.iter().zip(&bodies) {
        assert_eq!(request.path, "/hooks");
        assert_eq!(request.answered, 200);
        assert_signed(request, &secret);
        assert_eq!(body["webhook_type"], "status.updated");
        assert_eq!(body["session_id"], session.as_str());
        assert_eq!(body["environment"], "sandbox");
        assert_eq!(body["workflow_id"], t.workflow.as_str());
        assert_eq!(body["vendor_data"], "José-日本");
        assert_eq!(body["metadata"], json!({"plan": "premium", "score": 95}));
        assert!(body["created_at"].is_i64() && body["workflow_version"].is_i64(), "{body}");
        assert!(uuid::Uuid::parse_str(body["event_id"].as_str().unwrap()).is_ok());
        assert!(uuid::Uuid::parse_str(body["application_id"].as_str().unwrap()).is_ok());
    }
    // Unicode travels unescaped in the raw body (ensure_ascii=False).
    assert!(String::from_utf8_lossy(&got[0].body).contains("José-日本"));
    assert!(bodies[0].get("decision").is_none(), "In Progress carries no decision");
    assert_eq!(bodies[1]["decision"]["status"], "Approved");
    assert_eq!(bodies[1]["decision"]["session_id"], session.as_str());
    assert_ne!(bodies[0]["event_id"], bodies[1]["event_id"]);

    // A reviewer's change fires one more event, with the decision it produced.
    t.update_status(&server, &session, "Declined").await;
    let got = receiver.wait_for("the Declined delivery", |r| r.len() >= 3).await;
    let declined = got[2].json();
    assert_eq!(declined["status"], "Declined");
    assert_eq!(declined["decision"]["status"], "Declined");
    assert_signed(&got[2], &secret);
    // Declined → Declined is a no-op: no webhook.
    t.update_status(&server, &session, "Declined").await;
    assert_python_sdk_accepts(&got, &secret);

    // The attempt log: JSON-encoded header and body strings, as sent.
    let (status, log) = send(
        server.get(&format!("/v3/session/{session}/webhooks/")).header("x-api-key", &t.key),
    )
    .await;
    assert_eq!(status, 200, "{log}");
    let items = log.as_array().unwrap();
    assert_eq!(items.len(), 3, "{log}");
    for item in items {
        let sent: Value = serde_json::from_str(item["request_body"].as_str().unwrap()).unwrap();
        let headers: Value = serde_json::from_str(item["request_header"].as_str().unwrap()).unwrap();
        let received = got.iter().find(|r| r.event_id() == sent["event_id"].as_str().unwrap()).unwrap();
        assert_eq!(item["request_body"].as_str().unwrap().as_bytes(), received.body.as_slice());
        assert_eq!(headers["X-Signature"].as_str(), received.header("x-signature"));
        assert_eq!(item["response_status"], 200);
        assert_eq!(item["is_success"], true);
        assert!(item["response_time_ms"].is_i64());
        assert_eq!(item["destination_uuid"], destination["uuid"]);
    }
    let first = items[0]["uuid"].as_str().unwrap();
    let (status, one) = send(
        server.get(&format!("/v3/session/{session}/webhook/{first}")).header("x-api-key", &t.key),
    )
    .await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(one["uuid"], first);

    // Resend: the same event again, same event_id, freshly signed.
    let event_id = serde_json::from_str::<Value>(items[0]["request_body"].as_str().unwrap()).unwrap()["event_id"].clone();
    let (status, resent) = send(
        server
            .post_json(&format!("/v3/session/{session}/webhook/{first}/resend"), &json!({}))
            .header("x-api-key", &t.key),
    )
    .await;
    assert_eq!(status, 200, "{resent}");
    assert_eq!(resent["response_status"], 200);
    assert_ne!(resent["uuid"], first);
    let got = receiver.wait_for("the resend", |r| r.len() >= 4).await;
    assert_eq!(got[3].json()["event_id"], event_id);
    assert_signed(&got[3], &secret);

    // The destination's summary counts the attempts.
    let uuid = destination["uuid"].as_str().unwrap();
    let (status, read) = send(
        server.get(&format!("/v3/webhook/destinations/{uuid}/")).header("x-api-key", &t.key),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(read["summary"]["total_deliveries"], 4, "{read}");
    assert_eq!(read["summary"]["failed_deliveries"], 0);
    assert!(read["summary"]["last_delivery_at"].is_string());
    let (status, list) = send(server.get("/v3/webhook/destinations/").header("x-api-key", &t.key)).await;
    assert_eq!(status, 200);
    assert_eq!(list[0]["deliveries_count"], 4, "{list}");
    assert!(list[0].get("secret_shared_key").is_none());

    // Another application sees none of it.
    let other = tenant(&server).await;
    for path in [
        format!("/v3/webhook/destinations/{uuid}/"),
        format!("/v3/session/{session}/webhooks/"),
        format!("/v3/session/{session}/webhook/{first}"),
    ] {
        let (status, body) = send(server.get(&path).header("x-api-key", &other.key)).await;
        assert_eq!(status, 404, "{path}: {body}");
    }
    let (status, _) = send(
        server
            .post_json(&format!("/v3/session/{session}/webhook/{first}/resend"), &json!({}))
            .header("x-api-key", &other.key),
    )
    .await;
    assert_eq!(status, 404);
    let (status, body) = send(server.get("/v3/webhook/destinations/").header("x-api-key", &other.key)).await;
    assert_eq!((status, body), (200, json!([])));

    // The legacy single-URL configuration signs with the application's secret; rotation
    // replaces it at once.
    let (status, legacy) = send(server.get("/v3/webhook/").header("x-api-key", &t.key)).await;
    assert_eq!(status, 200);
    assert_eq!(legacy, json!({"webhook_url": null, "webhook_version": "v3",
        "secret_shared_key": t.webhook_secret, "capture_method": "both", "data_retention_months": null}));
    let (status, legacy) = send(
        server
            .client_patch("/v3/webhook/")
            .json(&json!({"webhook_url": receiver.url("/legacy"), "capture_method": "mobile", "data_retention_months": 12}))
            .header("x-api-key", &t.key),
    )
    .await;
    assert_eq!(status, 200, "{legacy}");
    assert_eq!(legacy["webhook_url"], receiver.url("/legacy").as_str());
    assert_eq!(legacy["secret_shared_key"], t.webhook_secret.as_str());
    assert_eq!(legacy["data_retention_months"], 12);
    let (status, rotated) = send(
        server.client_patch("/v3/webhook/").json(&json!({"rotate_secret_key": true})).header("x-api-key", &t.key),
    )
    .await;
    assert_eq!(status, 200);
    let new_secret = rotated["secret_shared_key"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, t.webhook_secret);
    assert_eq!(rotated["webhook_url"], receiver.url("/legacy").as_str());
    t.update_status(&server, &session, "Approved").await;
    let got = receiver.wait_for("deliveries to both destinations", |r| r.len() >= 6).await;
    let legacy_hit = got[4..].iter().find(|r| r.path == "/legacy").expect("legacy delivery");
    let hooks_hit = got[4..].iter().find(|r| r.path == "/hooks").expect("destination delivery");
    assert_eq!(legacy_hit.event_id(), hooks_hit.event_id(), "one event_id across destinations");
    assert_signed(legacy_hit, &new_secret);
    assert_signed(hooks_hit, &secret);
    assert!(verifyd_webhooks::verify(&legacy_hit.body, legacy_hit.headers.as_slice(), &t.webhook_secret,
        chrono::Utc::now().timestamp(), verifyd_webhooks::VerifyOptions::default()).is_err(),
        "the rotated-out secret still verifies");
    let (_, legacy) = send(server.get("/v3/webhook/").header("x-api-key", &t.key)).await;
    assert_eq!(legacy["secret_shared_key"], new_secret.as_str());

    // Deleting the session deletes its webhook log (it holds the session's data).
    let (status, _) = send(
        server.http().delete(server.url(&format!("/v3/session/{session}/delete/"))).header("x-api-key", &t.key),
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = send(server.get(&format!("/v3/session/{session}/webhooks/")).header("x-api-key", &t.key)).await;
    assert_eq!(status, 404);
    let (status, _) = send(server.get(&format!("/v3/session/{session}/webhook/{first}")).header("x-api-key", &t.key)).await;
    assert_eq!(status, 404);
});

both_backends!(webhooks_retry_on_500_and_timeout_but_not_on_4xx, async fn body(backend) {
    let server = webhook_server(&backend, "1s,2s").await;
    let receiver = Receiver::start().await;
    let t = tenant(&server).await;
    t.destination(&server, &receiver.url("/hooks")).await;

    // 500: the first attempt and two retries (after ~1 s and ~2 s), same event_id, then stop.
    receiver.set_mode(Mode::Status(500));
    let session = t.sandbox_session(&server, "approve", "retry-user").await;
    let got = receiver.wait_for("3 attempts of both events", |r| r.len() >= 6).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let got_after = receiver.requests();
    assert_eq!(got_after.len(), 6, "more than 2 retries: {}", got_after.len());
    let mut by_event: BTreeMap<String, Vec<&Received>> = BTreeMap::new();
    for r in &got {
        by_event.entry(r.event_id()).or_default().push(r);
    }
    assert_eq!(by_event.len(), 2);
    for attempts in by_event.values() {
        assert_eq!(attempts.len(), 3);
        assert!(attempts.iter().all(|r| r.answered == 500));
        let gap1 = attempts[1].at - attempts[0].at;
        let gap2 = attempts[2].at - attempts[1].at;
        assert!(gap1 >= Duration::from_millis(900), "first retry after {gap1:?}");
        assert!(gap2 >= Duration::from_millis(1900), "second retry after {gap2:?}");
        // Each retry is signed afresh.
        assert_signed(attempts[2], &destination_secret(&server, &t).await);
    }
    let (_, log) = send(server.get(&format!("/v3/session/{session}/webhooks/")).header("x-api-key", &t.key)).await;
    let log = log.as_array().unwrap().clone();
    assert_eq!(log.len(), 6, "each retry is logged");
    assert!(log.iter().all(|i| i["response_status"] == 500 && i["is_success"] == false));

    // A timeout (the endpoint takes longer than 5 s) is retried, with the same event_id.
    receiver.set_mode(Mode::SlowOnce(Duration::from_secs(7)));
    let before = receiver.requests().len();
    t.update_status(&server, &session, "Declined").await;
    let got = receiver
        .wait_for("the timed-out attempt and its retry", |r| r.len() >= before + 2)
        .await;
    let (slow, retry) = (&got[before], &got[before + 1]);
    assert_eq!(slow.event_id(), retry.event_id());
    assert!(retry.at - slow.at >= Duration::from_millis(5900), "retry {:?} after the timed-out attempt", retry.at - slow.at);
    assert_eq!(retry.answered, 200);
    let (_, log) = send(server.get(&format!("/v3/session/{session}/webhooks/")).header("x-api-key", &t.key)).await;
    let timed_out = log.as_array().unwrap().iter()
        .find(|i| i["response_status"].is_null())
        .expect("a logged timeout");
    assert!(timed_out["error"].as_str().unwrap().contains("timed out"), "{timed_out}");

    // Other 4xx are final: one attempt, no retry.
    receiver.set_mode(Mode::Status(400));
    let before = receiver.requests().len();
    t.update_status(&server, &session, "Approved").await;
    receiver.wait_for("the 400 attempt", |r| r.len() > before).await;
    tokio::time::sleep(Duration::from_millis(3500)).await;
    assert_eq!(receiver.requests().len(), before + 1, "a 400 was retried");
});

async fn destination_secret(server: &TestServer, t: &Tenant) -> String {
    let (_, list) = send(
        server
            .get("/v3/webhook/destinations/")
            .header("x-api-key", &t.key),
    )
    .await;
    let uuid = list[0]["uuid"].as_str().unwrap().to_owned();
    let (_, d) = send(
        server
            .get(&format!("/v3/webhook/destinations/{uuid}/"))
            .header("x-api-key", &t.key),
    )
    .await;
    d["secret_shared_key"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn destinations_are_validated_and_internal_targets_refused() {
    // The default configuration: private targets refused.
    let server = crate::support::Backend::sqlite().start().await;
    let t = tenant(&server).await;
    let post = |body: Value| {
        let request = server
            .post_json("/v3/webhook/destinations/", &body)
            .header("x-api-key", &t.key);
        async move { send(request).await }
    };
    let (status, body) = post(json!({})).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"label": ["This field is required."], "url": ["This field is required."]})
    );
    let (status, body) = post(json!({"label": "x", "url": "not a url"})).await;
    assert_eq!(
        (status, body),
        (400, json!({"url": ["Enter a valid URL."]}))
    );
    let (status, body) = post(json!({"label": "x", "url": "ftp://example.com/x"})).await;
    assert_eq!(
        (status, body),
        (400, json!({"url": ["Enter a valid URL."]}))
    );
    let (status, body) =
        post(json!({"label": "x", "url": "https://example.com/h", "subscribed_events": []})).await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"subscribed_events": ["At least one subscribed event is required."]})
        )
    );
    let (status, body) = post(json!({"label": "x", "url": "https://example.com/h", "subscribed_events": ["status.updated", "foo.bar"]})).await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"subscribed_events": ["Unsupported webhook events: foo.bar"]})
        )
    );
    let (status, body) =
        post(json!({"label": "x", "url": "https://example.com/h", "webhook_version": "v9"})).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.get("webhook_version").is_some());
    for internal in [
        "http://127.0.0.1:9/hook",
        "http://localhost:9/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/hook",
        "http://192.168.1.10/hook",
        "http://[::1]:8080/hook",
        "http://[fd00::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
    ] {
        let (status, body) = post(json!({"label": "x", "url": internal})).await;
        assert_eq!(status, 400, "{internal} accepted: {body}");
        assert!(
            body["url"][0].as_str().unwrap().contains("not allowed"),
            "{internal}: {body}"
        );
    }
    let (status, body) = send(
        server
            .client_patch("/v3/webhook/")
            .json(&json!({"webhook_url": "http://127.0.0.1:1/x"}))
            .header("x-api-key", &t.key),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body["webhook_url"].is_array(), "{body}");

    // A public URL is fine; the same URL twice is not.
    let (status, created) = post(json!({"label": "prod", "url": "https://example.com/hook", "subscribed_events": ["status.updated"]})).await;
    assert_eq!(status, 201, "{created}");
    let (status, body) = post(json!({"label": "again", "url": "https://example.com/hook"})).await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"url": ["This webhook destination already exists for the application."]})
        )
    );
    // Omitting subscribed_events is allowed (the destination receives nothing).
    let (status, quiet) = post(json!({"label": "quiet", "url": "https://example.com/quiet"})).await;
    assert_eq!(status, 201, "{quiet}");
    assert_eq!(quiet["subscribed_events"], json!([]));

    // PATCH replaces subscribed_events wholesale and keeps the secret.
    let uuid = created["uuid"].as_str().unwrap();
    let (status, patched) = send(
        server
            .client_patch(&format!("/v3/webhook/destinations/{uuid}/"))
            .json(&json!({"subscribed_events": ["data.updated", "user.status.updated"], "enabled": false, "label": "renamed"}))
            .header("x-api-key", &t.key),
    )
    .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(
        patched["subscribed_events"],
        json!(["data.updated", "user.status.updated"])
    );
    assert_eq!(patched["enabled"], false);
    assert_eq!(patched["label"], "renamed");
    assert_eq!(patched["secret_shared_key"], created["secret_shared_key"]);
    let (status, body) = send(
        server
            .client_patch(&format!("/v3/webhook/destinations/{uuid}/"))
            .json(&json!({"url": "http://169.254.169.254/"}))
            .header("x-api-key", &t.key),
    )
    .await;
    assert_eq!(status, 400, "{body}");

    // Delete, then it is gone.
    let (status, _) = send(
        server
            .http()
            .delete(server.url(&format!("/v3/webhook/destinations/{uuid}/")))
            .header("x-api-key", &t.key),
    )
    .await;
    assert_eq!(status, 204);
    for path in [
        format!("/v3/webhook/destinations/{uuid}/"),
        "/v3/webhook/destinations/nope/".to_owned(),
    ] {
        let (status, body) = send(server.get(&path).header("x-api-key", &t.key)).await;
        assert_eq!(
            (status, body),
            (404, json!({"detail": "Webhook destination not found."}))
        );
    }
}

both_backends!(pending_webhooks_are_delivered_exactly_once_after_sigkill, async fn body(backend) {
    // Enough retries that nothing gives up while the receiver fails.
    let mut server = webhook_server(&backend, "1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s").await;
    let receiver = Receiver::start().await;
    let t = tenant(&server).await;
    t.destination(&server, &receiver.url("/hooks")).await;
    receiver.set_mode(Mode::Status(503));
    let sessions = 5;
    for i in 0..sessions {
        t.sandbox_session(&server, "approve", &format!("crash-{i}")).await;
    }
    let expected = sessions * 2;
    // Every event has been tried (and failed) at least once.
    receiver
        .wait_for("a failed attempt of every event", |r| {
            r.iter().map(Received::event_id).collect::<HashSet<_>>().len() >= expected
        })
        .await;
    server.kill9();
    let seen: HashSet<String> = receiver.requests().iter().map(Received::event_id).collect();
    assert_eq!(seen.len(), expected);
    receiver.set_mode(Mode::Accept);
    server.restart().await;
    let accepted = |r: &[Received]| {
        r.iter().filter(|x| x.answered == 200).map(Received::event_id).collect::<HashSet<_>>()
    };
    receiver.wait_for("every event accepted", |r| accepted(r).len() >= expected).await;
    // Give a duplicate the chance to show up.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let requests = receiver.requests();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for r in requests.iter().filter(|r| r.answered == 200) {
        *counts.entry(r.event_id()).or_default() += 1;
    }
    assert_eq!(counts.keys().cloned().collect::<HashSet<_>>(), seen, "delivered events differ from the pending ones");
    assert!(counts.values().all(|n| *n == 1), "an event was delivered twice: {counts:?}");
});

/// Two verifyd processes on one PostgreSQL database deliver a shared outbox: every event
/// exactly once (row locks with SKIP LOCKED keep them off each other's claims).
#[tokio::test]
async fn two_nodes_share_the_outbox_without_double_delivery() {
    let Some(backend) = crate::support::Backend::postgres("two_nodes_share_the_outbox") else {
        return;
    };
    let key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    let a = backend
        .server()
        .env("VERIFYD_MASTER_KEY", key)
        .env("VERIFYD_WEBHOOK_ALLOW_PRIVATE_TARGETS", "true")
        .start()
        .await;
    let b = crate::support::Backend::sqlite()
        .server()
        .env("VERIFYD_MASTER_KEY", key)
        .env("VERIFYD_WEBHOOK_ALLOW_PRIVATE_TARGETS", "true")
        .env("VERIFYD_DATABASE_URL", &a.database_url().unwrap())
        .start()
        .await;
    let receiver = Receiver::start().await;
    let t = tenant(&a).await;
    t.destination(&a, &receiver.url("/hooks")).await;
    let sessions = 20;
    for i in 0..sessions {
        let node = if i % 2 == 0 { &a } else { &b };
        t.sandbox_session(node, "approve", &format!("node-{i}"))
            .await;
    }
    let expected = sessions * 2;
    receiver
        .wait_for("every event", |r| {
            r.iter()
                .map(Received::event_id)
                .collect::<HashSet<_>>()
                .len()
                >= expected
        })
        .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let requests = receiver.requests();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for r in &requests {
        *counts.entry(r.event_id()).or_default() += 1;
    }
    assert_eq!(counts.len(), expected);
    assert!(
        counts.values().all(|n| *n == 1),
        "double delivery: {counts:?}"
    );
    let attempts = |s: &TestServer| s.log().matches("webhook attempt").count();
    eprintln!("attempts by node: a={} b={}", attempts(&a), attempts(&b));
    assert_eq!(attempts(&a) + attempts(&b), expected);
}

both_backends!(user_and_data_events_are_delivered, async fn body(backend) {
    let server = webhook_server(&backend, "1s,2s").await;
    let receiver = Receiver::start().await;
    let t = tenant(&server).await;
    let (status, destination) = send(
        server
            .post_json(
                "/v3/webhook/destinations/",
                &json!({"label": "users", "url": receiver.url("/users"),
                        "subscribed_events": ["user.created", "user.status.updated",
                                              "user.data.updated", "data.updated"]}),
            )
            .header("x-api-key", &t.key),
    )
    .await;
    assert_eq!(status, 201, "{destination}");
    let secret = destination["secret_shared_key"].as_str().unwrap().to_owned();

    let (status, body) = send(
        server
            .post_json("/v3/users/create/", &json!({"vendor_data": "user-7"}))
            .header("x-api-key", &t.key),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = send(
        server
            .client_patch("/v3/users/user-7/")
            .json(&json!({"display_name": "Seven"}))
            .header("x-api-key", &t.key),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = send(
        server
            .client_patch("/v3/users/user-7/update-status/")
            .json(&json!({"status": "FLAGGED"}))
            .header("x-api-key", &t.key),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // A reviewer's correction of a finished session: data.updated with the decision.
    let session = t.sandbox_session(&server, "approve", "user-7").await;
    let (status, body) = send(
        server
            .client_patch(&format!("/v3/session/{session}/update-data/"))
            .json(&json!({"first_name": "Ana"}))
            .header("x-api-key", &t.key),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let got = receiver.wait_for("four events", |r| r.len() >= 4).await;
    let by_type = |kind: &str| {
        got.iter()
            .map(Received::json)
            .find(|b| b["webhook_type"] == kind)
            .unwrap_or_else(|| panic!("no {kind} among {:?}", got.iter().map(Received::json).collect::<Vec<_>>()))
    };
    let created = by_type("user.created");
    assert_eq!(created["vendor_data"], "user-7");
    assert_eq!(by_type("user.data.updated")["changed_fields"], json!(["display_name"]));
    let status_event = by_type("user.status.updated");
    assert_eq!(status_event["status"], "FLAGGED");
    assert_eq!(status_event["previous_status"], "ACTIVE");
    let data = by_type("data.updated");
    assert_eq!(data["session_id"], session.as_str());
    assert_eq!(data["status"], "Approved");
    assert_eq!(
        data["decision"]["id_verifications"][0]["first_name"], "Ana",
        "{data}"
    );
    for request in &got {
        assert_signed(request, &secret);
    }
});
