//! What the server acknowledged survives a graceful restart and a SIGKILL.

use crate::support::{send, unique_email, TestServer, PASSWORD};

/// The key authenticates: `GET /v3/workflows/` is not refused.
async fn key_works(server: &TestServer, key: &str) {
    let (status, body) = send(server.get("/v3/workflows/").header("x-api-key", key)).await;
    assert_eq!(status, 200, "api key after restart: {body}");
}

both_backends!(graceful_restart_keeps_accounts_and_keys, async fn body(backend) {
    let mut server = backend.start().await;
    let email = unique_email("restart");
    let verified = server.register_verified(&email).await;
    let api_key = verified["application"]["api_key"].as_str().unwrap_or_default().to_owned();
    let org_id = verified["organization"]["uuid"].as_str().unwrap_or_default().to_owned();
    let offline = server.apps_create("before restart", "live");
    let offline_key = offline["api_key"].as_str().unwrap_or_default().to_owned();
    let old_token = verified["access_token"].as_str().unwrap_or_default().to_owned();
    key_works(&server, &api_key).await;

    let old_url = server.url("/system/healthcheck");
    server.stop().await;
    assert!(
        crate::support::client().get(&old_url).send().await.is_err(),
        "the stopped server still answers"
    );
    server.restart().await;

    let login = server.login(&email, PASSWORD).await;
    assert_eq!(login.status, 200, "login after restart: {}", login.text);
    key_works(&server, &api_key).await;
    key_works(&server, &offline_key).await;
    // Tokens issued before the restart stay valid (the signing key is persistent).
    let (status, orgs) = send(server.get("/auth/v2/organizations/me/").bearer_auth(&old_token)).await;
    assert_eq!(status, 200, "pre-restart token: {orgs}");
    assert_eq!(orgs[0]["uuid"], org_id.as_str());
    // The application list still returns the same key (decrypted with the persisted master key).
    let token = login.json["access_token"].as_str().unwrap_or_default();
    let (status, apps) = send(
        server
            .get(&format!("/auth/v2/organizations/me/{org_id}/applications/"))
            .bearer_auth(token),
    )
    .await;
    assert_eq!(status, 200, "{apps}");
    assert_eq!(apps[0]["api_key"], api_key.as_str());
});

both_backends!(acknowledged_writes_survive_sigkill, async fn body(backend) {
    let mut server = backend.start().await;
    let email = unique_email("crash");

    // Registration acknowledged (201), then the process dies without any shutdown.
    let code = server.register(&email).await;
    server.kill9();
    server.restart().await;
    let (status, verified) = server.verify_email(&email, &code).await;
    assert_eq!(status, 200, "the code of an acknowledged registration was lost: {verified}");
    let api_key = verified["application"]["api_key"].as_str().unwrap_or_default().to_owned();

    // Confirmation acknowledged (200), killed again: the account is verified and the code used.
    server.kill9();
    server.restart().await;
    let login = server.login(&email, PASSWORD).await;
    assert_eq!(login.status, 200, "login after SIGKILL: {}", login.text);
    let (status, body) = server.verify_email(&email, &code).await;
    assert_eq!(status, 400, "the used code works again after SIGKILL: {body}");
    key_works(&server, &api_key).await;

    // An application created offline while the server runs, then SIGKILL.
    let offline = server.apps_create("while running", "live");
    let offline_key = offline["api_key"].as_str().unwrap_or_default().to_owned();
    key_works(&server, &offline_key).await;
    server.kill9();
    server.restart().await;
    key_works(&server, &offline_key).await;

    // A lockout is a write too: it must not be undone by a crash.
    for _ in 0..5 {
        let _ = server.login(&email, "Wrong-password-1").await;
    }
    server.kill9();
    server.restart().await;
    let locked = server.login(&email, PASSWORD).await;
    assert_eq!(locked.status, 429, "lockout lost after SIGKILL: {}", locked.text);
});
