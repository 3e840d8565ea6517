//! `/v3/billing/…`, credit checks and `verifyd credits grant`.

use serde_json::{json, Value};

use crate::fixtures::Api;
use crate::support::{send, TestServer};

const NO_CREDITS_SESSION: &str = "You don't have enough credits to create this session. \
     Top up your balance or ask the server's administrator to grant credits.";
const NO_CREDITS_REQUEST: &str = "You don't have enough credits to perform this request. \
     Top up your balance or ask the server's administrator to grant credits.";

fn grant(server: &TestServer, org: &str, amount: &str) -> (bool, Value, String) {
    let out = server
        .command()
        .args(["credits", "grant", "--data-dir"])
        .arg(server.data_dir())
        .args(["--org", org, "--amount", amount])
        .output()
        .expect("running verifyd credits grant");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let json = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or(Value::Null);
    (
        out.status.success(),
        json,
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

both_backends!(billing_off_by_default, async fn body(backend) {
    let server = backend.start().await;
    let api = Api::create(&server, "free", "live");
    let (status, balance) = api.get("/v3/billing/balance/").await;
    assert_eq!(status, 200);
    insta::assert_json_snapshot!("billing_balance_empty", balance);
    // Billing off: live sessions need no credits.
    let workflow = api.workflow().await;
    api.session(json!({"workflow_id": workflow})).await;

    let (status, body) = api.post("/v3/billing/top-up/", &json!({"amount_in_dollars": 10})).await;
    assert_eq!((status, body), (400, json!({
        "amount_in_dollars": ["Ensure this value is greater than or equal to 50."],
        "cancel_url": ["This field is required."],
        "success_url": ["This field is required."],
    })));
    let (status, body) = api.post("/v3/billing/top-up/", &json!({"amount_in_dollars": "many", "success_url": "x", "cancel_url": "https://a.example/c"})).await;
    assert_eq!((status, body), (400, json!({
        "amount_in_dollars": ["A valid number is required."],
        "success_url": ["Enter a valid URL."],
    })));
    let (status, body) = api
        .post("/v3/billing/top-up/", &json!({"amount_in_dollars": 50, "success_url": "https://a.example/ok", "cancel_url": "https://a.example/no"}))
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(body["detail"].as_str().is_some_and(|d| d.starts_with("Top-up is not configured")), "{body}");
    let (status, _) = send(server.get("/v3/billing/balance/")).await;
    assert_eq!(status, 403);
});

both_backends!(billing_checks_credits, async fn body(backend) {
    let server = backend
        .server()
        .env("VERIFYD_BILLING_ENABLED", "true")
        .env("VERIFYD_BILLING_PRICES", "{OCR=\"0.25\"}")
        .start()
        .await;
    let live = Api::create(&server, "paying", "live");
    let sandbox = Api::create(&server, "testing", "sandbox");
    let workflow = live.workflow().await;
    let (status, body) = live.post("/v3/session/", &json!({"workflow_id": workflow})).await;
    assert_eq!((status, body), (400, json!({"detail": NO_CREDITS_SESSION})));
    // Standalone checks answer 403 with `error` before any engine runs.
    let form = reqwest::multipart::Form::new()
        .part("user_image", reqwest::multipart::Part::bytes(vec![1, 2, 3]).file_name("a.jpg"))
        .part("ref_image", reqwest::multipart::Part::bytes(vec![1, 2, 3]).file_name("b.jpg"));
    let (status, body) = send(
        server.http().post(server.url("/v3/face-match/")).header("x-api-key", &live.key).multipart(form),
    )
    .await;
    assert_eq!((status, body), (403, json!({"error": NO_CREDITS_REQUEST})));
    // Sandbox applications are never charged.
    let sandbox_wf = sandbox.workflow().await;
    let session = sandbox.session(json!({"workflow_id": sandbox_wf, "sandbox_scenario": "approve"})).await;
    assert_eq!(session["status"], "Approved");
    let (_, balance) = sandbox.get("/v3/billing/balance/").await;
    assert_eq!(balance["balance"], "0.0000");

    // Credits granted offline make room.
    let (ok, granted, stderr) = grant(&server, &live.org_id(), "1.5");
    assert!(ok, "{stderr}");
    assert_eq!(granted["balance"], "1.5000", "{granted}");
    let (ok, _, stderr) = grant(&server, &uuid::Uuid::new_v4().to_string(), "1");
    assert!(!ok && stderr.contains("does not exist"), "{stderr}");
    let (ok, _, _) = grant(&server, &live.org_id(), "-3");
    assert!(!ok);
    let (_, balance) = live.get("/v3/billing/balance/").await;
    assert_eq!(balance["balance"], "1.5000");
    live.session(json!({"workflow_id": workflow})).await;
});
