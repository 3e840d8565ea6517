//! `/v3` authentication with `x-api-key` (403, never 401) and the per-key request budgets
//! (contract §0 and §6).

use serde_json::json;

use crate::support::{send, unique_email, Response};

const PERMISSION_DENIED: &str = "You do not have permission to perform this action.";

both_backends!(v3_requires_a_valid_api_key, async fn body(backend) {
    let server = backend.start().await;
    let verified = server.register_verified(&unique_email("keys")).await;
    let console_key = verified["application"]["api_key"].as_str().unwrap_or_default().to_owned();
    let offline = server.apps_create("offline app", "sandbox");
    assert_eq!(offline["environment"], "sandbox", "{offline}");
    for field in ["organization_id", "application_id", "client_id", "api_key", "webhook_secret"] {
        assert!(offline[field].as_str().is_some_and(|v| !v.is_empty()), "{field}: {offline}");
    }
    let offline_key = offline["api_key"].as_str().unwrap_or_default().to_owned();
    assert_ne!(offline_key, console_key);

    let decision = format!("/v3/session/{}/decision/", uuid::Uuid::new_v4());
    let paths = ["/v3/workflows/", "/v3/workflows", decision.as_str()];
    // Near misses of a real key must fail too.
    let truncated = &console_key[..console_key.len() - 1];
    let longer = format!("{console_key}x");
    let upper = console_key.to_uppercase();
    let too_long = "x".repeat(300);
    let bad_keys: Vec<Option<&str>> = vec![
        None,
        Some(""),
        Some("not a key"),
        Some(too_long.as_str()),
        Some("0123456789abcdef0123456789abcdef0123456789abcdef"),
        Some(truncated),
        Some(longer.as_str()),
        Some(upper.as_str()).filter(|u| *u != console_key),
    ];
    for path in paths {
        for key in &bad_keys {
            let mut request = server.get(path);
            if let Some(key) = key {
                request = request.header("x-api-key", *key);
            }
            let (status, body) = send(request).await;
            assert_eq!(status, 403, "GET {path} with key {key:?}: {body}");
            assert_eq!(body, json!({"detail": PERMISSION_DENIED}), "GET {path} with {key:?}");
        }
        // A console bearer token is not an API key.
        let bearer = verified["access_token"].as_str().unwrap_or_default();
        let (status, _) = send(server.get(path).header("x-api-key", bearer)).await;
        assert_eq!(status, 403, "GET {path} with a bearer token as key");
    }
    // Writes are refused the same way.
    let (status, body) = send(server.post_json("/v3/session/", &json!({"workflow_id": uuid::Uuid::new_v4()}))).await;
    assert_eq!(status, 403, "POST /v3/session/ without key: {body}");

    // Both kinds of real key authenticate.
    for key in [&console_key, &offline_key] {
        let response = Response::of(server.get("/v3/workflows/").header("x-api-key", key.as_str())).await;
        assert_eq!(response.status, 200, "GET /v3/workflows/ with a valid key: {}", response.text);
        assert!(response.json["results"].is_array(), "{}", response.text);
        assert!(response.header("x-ratelimit-limit").is_none(), "X-RateLimit-* only on 429s");
        let (status, body) = send(server.get(&decision).header("x-api-key", key.as_str())).await;
        assert_eq!(status, 404, "unknown session with a valid key: {body}");
        assert_eq!(body, json!({"detail": "Not found."}));
    }
});

both_backends!(v3_reads_are_rate_limited_per_key, async fn body(backend) {
    let server = backend
        .server()
        .env("VERIFYD_RATE_LIMIT_READS_PER_MINUTE", "5")
        .start()
        .await;
    let first = server.apps_create("limited", "live");
    let second = server.apps_create("unaffected", "live");
    let first_key = first["api_key"].as_str().unwrap_or_default();
    let second_key = second["api_key"].as_str().unwrap_or_default();

    for n in 1..=5 {
        let response = Response::of(server.get("/v3/workflows/").header("x-api-key", first_key)).await;
        assert_eq!(response.status, 200, "read {n}: {}", response.text);
        assert!(response.header("x-ratelimit-limit").is_none(), "X-RateLimit-* only on 429s");
    }
    let before = chrono::Utc::now().timestamp();
    let refused = Response::of(server.get("/v3/workflows/").header("x-api-key", first_key)).await;
    assert_eq!(refused.status, 429, "6th read: {}", refused.text);
    assert!(refused.json["detail"].as_str().is_some_and(|d| d.contains('5')), "{}", refused.text);
    let retry_after: i64 = refused
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no numeric Retry-After: {:?}", refused.headers));
    assert!((1..=60).contains(&retry_after), "Retry-After {retry_after}");
    assert_eq!(refused.header("x-ratelimit-limit"), Some("5"));
    assert_eq!(refused.header("x-ratelimit-remaining"), Some("0"));
    let reset: i64 = refused
        .header("x-ratelimit-reset")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no numeric X-RateLimit-Reset: {:?}", refused.headers));
    assert!(
        reset >= before && reset <= chrono::Utc::now().timestamp() + 61,
        "X-RateLimit-Reset {reset} is not an epoch second within the next minute"
    );
    // Other reads with the same key are refused too (one shared read budget)…
    let (status, _) = send(
        server
            .get(&format!("/v3/session/{}/decision/", uuid::Uuid::new_v4()))
            .header("x-api-key", first_key),
    )
    .await;
    assert_eq!(status, 429, "another read path with the exhausted key");
    // …but another key is unaffected, and so are unauthenticated public routes.
    let (status, body) = send(server.get("/v3/workflows/").header("x-api-key", second_key)).await;
    assert_eq!(status, 200, "another key: {body}");
    let (status, _) = send(server.get("/system/healthcheck")).await;
    assert_eq!(status, 200);
    let (status, _) = send(server.get("/v3/openapi.json")).await;
    assert_eq!(status, 200);
});

both_backends!(another_applications_ids_are_not_found, async fn body(backend) {
    let server = backend.start().await;
    let owner = server.apps_create("owner", "live");
    let other = server.apps_create("other", "live");
    let owner_key = owner["api_key"].as_str().unwrap_or_default().to_owned();
    let other_key = other["api_key"].as_str().unwrap_or_default().to_owned();
    let (status, workflow) = send(
        server
            .post_json("/v3/workflows/", &json!({"workflow_type": "kyc"}))
            .header("x-api-key", &owner_key),
    )
    .await;
    assert_eq!(status, 201, "{workflow}");
    let workflow_id = workflow["uuid"].as_str().unwrap_or_default().to_owned();
    let (status, session) = send(
        server
            .post_json("/v3/session/", &json!({"workflow_id": workflow_id, "vendor_data": "tenant-a"}))
            .header("x-api-key", &owner_key),
    )
    .await;
    assert_eq!(status, 201, "{session}");
    let session_id = session["session_id"].as_str().unwrap_or_default().to_owned();

    // The other application cannot read, change or delete any of it, nor use the workflow.
    for path in [
        format!("/v3/workflows/{workflow_id}/"),
        format!("/v3/session/{session_id}/"),
        format!("/v3/session/{session_id}/decision/"),
        format!("/v3/sessions/{session_id}/reviews/"),
        format!("/v3/session/{session_id}/generate-pdf"),
    ] {
        let (status, body) = send(server.get(&path).header("x-api-key", &other_key)).await;
        assert_eq!(status, 404, "GET {path} as another application: {body}");
        assert!(!body.to_string().contains("tenant-a"), "{path} leaked data: {body}");
    }
    let (status, list) = send(server.get("/v3/sessions/").header("x-api-key", &other_key)).await;
    assert_eq!((status, list["count"].clone()), (200, json!(0)), "{list}");
    let (status, _) = send(
        server
            .http()
            .patch(server.url(&format!("/v3/session/{session_id}/update-status/")))
            .header("x-api-key", &other_key)
            .json(&json!({"new_status": "Approved"})),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = send(
        server
            .http()
            .delete(server.url(&format!("/v3/session/{session_id}/delete/")))
            .header("x-api-key", &other_key),
    )
    .await;
    assert_eq!(status, 404);
    let (status, body) = send(
        server
            .post_json("/v3/session/", &json!({"workflow_id": workflow_id}))
            .header("x-api-key", &other_key),
    )
    .await;
    assert_eq!(status, 400, "creating a session on another application's workflow: {body}");
    let (status, _) = send(
        server
            .post_json("/v3/sessions/delete/", &json!({"delete_all": true}))
            .header("x-api-key", &other_key),
    )
    .await;
    assert_eq!(status, 200);

    // The owner still has everything.
    let (status, decision) = send(
        server
            .get(&format!("/v3/session/{session_id}/decision/"))
            .header("x-api-key", &owner_key),
    )
    .await;
    assert_eq!(status, 200, "{decision}");
    assert_eq!(decision["vendor_data"], "tenant-a");
});
