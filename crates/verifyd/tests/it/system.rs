//! Routes every client meets first: health, unknown paths, body parsing, OpenAPI, metrics.

use serde_json::{json, Value};

use crate::support::{send, unique_ip, Response};

both_backends!(healthcheck_with_and_without_slash, async fn body(backend) {
    let server = backend.start().await;
    for path in ["/system/healthcheck", "/system/healthcheck/"] {
        let response = Response::of(server.get(path)).await;
        assert_eq!(response.status, 200, "{path}: {}", response.text);
        assert_eq!(response.json["status"], "ok", "{path}: {}", response.text);
        let timestamp = response.json["timestamp"].as_str().unwrap_or_default();
        // ISO 8601 with milliseconds and Z (contract §1.2), e.g. 2026-04-21T16:42:50.445Z.
        assert!(
            chrono::DateTime::parse_from_rfc3339(timestamp).is_ok()
                && timestamp.ends_with('Z')
                && timestamp.len() == "2026-04-21T16:42:50.445Z".len(),
            "{path}: timestamp {timestamp:?}"
        );
        assert!(
            response.header("x-request-id").is_some_and(|v| !v.is_empty()),
            "{path}: no x-request-id"
        );
    }
});

both_backends!(unknown_route_is_json_404, async fn body(backend) {
    let server = backend.start().await;
    for path in ["/no/such/route", "/no/such/route/"] {
        let (status, body) = send(server.get(path)).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(body, json!({"detail": "Not found."}), "{path}");
    }
});

both_backends!(request_bodies_are_checked, async fn body(backend) {
    let server = backend.start().await;
    let register = server.url("/auth/v2/programmatic/register/");

    // Malformed JSON: 400 with serde's message after the DRF prefix.
    let response = Response::of(
        server
            .http()
            .post(&register)
            .header("content-type", "application/json")
            .header("x-forwarded-for", unique_ip())
            .body("{\"email\": \"a@example.com\", "),
    )
    .await;
    assert_eq!(response.status, 400, "{}", response.text);
    let detail = response.json["detail"].as_str().unwrap_or_default();
    assert!(
        detail.starts_with("JSON parse error - ") && detail.len() > "JSON parse error - ".len(),
        "{}",
        response.text
    );

    // A JSON endpoint given text/plain: 415.
    let response = Response::of(
        server
            .http()
            .post(&register)
            .header("content-type", "text/plain")
            .header("x-forwarded-for", unique_ip())
            .body(r#"{"email": "a@example.com", "password": "x"}"#),
    )
    .await;
    assert_eq!(response.status, 415, "{}", response.text);
    assert!(response.json["detail"].is_string(), "{}", response.text);

    // More than 4 MiB: 413 with a JSON detail, not a dropped connection.
    let padding = "a".repeat(4 * 1024 * 1024 + 1);
    let big = serde_json::to_vec(&json!({"email": "a@example.com", "password": padding}))
        .expect("serialising");
    let response = Response::of(
        server
            .http()
            .post(&register)
            .header("content-type", "application/json")
            .header("x-forwarded-for", unique_ip())
            .body(big),
    )
    .await;
    assert_eq!(response.status, 413, "{}", response.text);
    assert!(response.json["detail"].is_string(), "{}", response.text);

    // Missing fields are DRF field errors.
    let (status, body) = send(
        server
            .post_json("/auth/v2/programmatic/register/", &json!({"email": "a@example.com"}))
            .header("x-forwarded-for", unique_ip()),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body, json!({"password": ["This field is required."]}));
});

both_backends!(openapi_and_metrics_are_public, async fn body(backend) {
    let server = backend.start().await;
    let response = Response::of(server.get("/v3/openapi.json")).await;
    assert_eq!(response.status, 200, "{}", response.text);
    let paths = response.json["paths"].as_object().cloned().unwrap_or_default();
    assert!(
        paths.contains_key("/auth/v2/programmatic/register/"),
        "paths: {:?}",
        paths.keys().collect::<Vec<_>>()
    );
    assert!(response.json["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    // `verifyd openapi` prints the same document the server serves.
    let out = server.command().arg("openapi").output().expect("verifyd openapi");
    assert!(out.status.success());
    let printed: Value = serde_json::from_slice(&out.stdout).expect("openapi JSON");
    assert_eq!(printed["paths"], response.json["paths"]);

    // Generate one request so the counters have something to show.
    let _ = send(server.get("/system/healthcheck")).await;
    let response = Response::of(server.get("/metrics")).await;
    assert_eq!(response.status, 200);
    assert!(
        response.header("content-type").is_some_and(|v| v.starts_with("text/plain")),
        "{:?}",
        response.header("content-type")
    );
    assert!(
        response.text.contains("# TYPE http_requests_total counter")
            && response.text.contains("http_requests_total{"),
        "not Prometheus text:\n{}",
        response.text
    );
});
