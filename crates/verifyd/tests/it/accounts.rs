//! The account API (contract §5): registration, email codes, login and lockout, and the
//! bearer-token endpoints that hand out API keys.

use serde_json::json;

use crate::support::{send, unique_email, unique_ip, Response, PASSWORD};

both_backends!(register_verify_login_and_credentials, async fn body(backend) {
    let server = backend.start().await;
    let email = unique_email("owner");

    // A weak password names every rule it breaks under `password`; nothing is sent.
    let (status, body) = send(
        server
            .post_json(
                "/auth/v2/programmatic/register/",
                &json!({"email": email, "password": "short"}),
            )
            .header("x-forwarded-for", unique_ip()),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let messages = body["password"].as_array().cloned().unwrap_or_default();
    assert!(messages.len() >= 2, "expected several password errors: {body}");
    assert!(messages.iter().all(serde_json::Value::is_string), "{body}");
    assert!(server.codes_for(&email).is_empty(), "a code was sent for a refused registration");

    // An invalid email is a field error too.
    let (status, body) = send(
        server
            .post_json(
                "/auth/v2/programmatic/register/",
                &json!({"email": "not-an-email", "password": PASSWORD}),
            )
            .header("x-forwarded-for", unique_ip()),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body["email"].is_array(), "{body}");

    // A good registration: 201 and a 6-character code in the outbox.
    let response = Response::of(
        server
            .post_json(
                "/auth/v2/programmatic/register/",
                &json!({"email": email, "password": PASSWORD}),
            )
            .header("x-forwarded-for", unique_ip()),
    )
    .await;
    assert_eq!(response.status, 201, "{}", response.text);
    assert_eq!(response.json["email"], email.as_str());
    assert!(response.json["message"].is_string());
    let code = server.wait_for_code(&email, 0).await;
    assert!(code.chars().all(|c| c.is_ascii_alphanumeric()) && code.len() == 6);

    // Login before confirmation does not hand out tokens.
    let login = server.login(&email, PASSWORD).await;
    assert!(login.json.get("access_token").is_none(), "unverified login: {}", login.text);
    assert!(login.status >= 400, "unverified login: {}", login.status);

    // A wrong code: 400.
    let wrong = if code == "AAAAAA" { "BBBBBB" } else { "AAAAAA" };
    let (status, body) = server.verify_email(&email, wrong).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["code"].is_array() || body["detail"].is_string(), "{body}");

    // Resend: a new code arrives and the old one stops working.
    let (status, body) = send(
        server
            .post_json("/auth/v2/programmatic/resend-otp/", &json!({"email": email}))
            .header("x-forwarded-for", unique_ip()),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let new_code = server.wait_for_code(&email, 1).await;
    let (status, body) = server.verify_email(&email, &code).await;
    assert_eq!(status, 400, "the replaced code still works: {body}");
    if new_code == code {
        // One chance in 32^6 that the fresh code equals the old one; nothing more to test.
        return;
    }

    // The right code: tokens, the organization and its first application's key.
    let (status, verified) = server.verify_email(&email, &new_code.to_lowercase()).await;
    assert_eq!(status, 200, "verify-email with the new code (typed lower-case): {verified}");
    let access = verified["access_token"].as_str().unwrap_or_default().to_owned();
    assert_eq!(access.split('.').count(), 3, "access token is not a JWT: {verified}");
    assert!(verified["refresh_token"].as_str().is_some_and(|t| !t.is_empty()), "{verified}");
    assert_eq!(verified["expires_in"], 86_400, "{verified}");
    let org_id = verified["organization"]["uuid"].as_str().unwrap_or_default().to_owned();
    assert!(uuid::Uuid::parse_str(&org_id).is_ok(), "{verified}");
    let app_id = verified["application"]["uuid"].as_str().unwrap_or_default().to_owned();
    assert!(uuid::Uuid::parse_str(&app_id).is_ok(), "{verified}");
    let api_key = verified["application"]["api_key"].as_str().unwrap_or_default().to_owned();
    assert!(api_key.len() >= 20, "{verified}");
    assert!(verified["application"]["client_id"].as_str().is_some_and(|c| !c.is_empty()));

    // The code is single-use.
    let (status, body) = server.verify_email(&email, &new_code).await;
    assert_eq!(status, 400, "a used code works again: {body}");

    // Login.
    let login = server.login(&email, PASSWORD).await;
    assert_eq!(login.status, 200, "{}", login.text);
    assert_eq!(login.json["expires_in"], 86_400);
    let token = login.json["access_token"].as_str().unwrap_or_default().to_owned();
    assert!(!token.is_empty());
    assert!(login.json["refresh_token"].is_string());

    // Both the verify-email token and the login token open the console endpoints.
    for bearer in [&access, &token] {
        let (status, orgs) = send(
            server.get("/auth/v2/organizations/me/").bearer_auth(bearer),
        )
        .await;
        assert_eq!(status, 200, "{orgs}");
        let orgs = orgs.as_array().cloned().unwrap_or_default();
        assert_eq!(orgs.len(), 1, "{orgs:?}");
        assert_eq!(orgs[0]["uuid"], org_id.as_str());
        assert!(orgs[0]["name"].is_string());
        assert_eq!(orgs[0]["contact_email"], email.as_str());
    }

    let (status, apps) = send(
        server
            .get(&format!("/auth/v2/organizations/me/{org_id}/applications/"))
            .bearer_auth(&token),
    )
    .await;
    assert_eq!(status, 200, "{apps}");
    let apps = apps.as_array().cloned().unwrap_or_default();
    assert_eq!(apps.len(), 1, "{apps:?}");
    assert_eq!(apps[0]["uuid"], app_id.as_str());
    assert_eq!(apps[0]["api_key"], api_key.as_str());

    for path in [
        format!("/auth/v2/organizations/me/{org_id}/applications/{app_id}/"),
        format!("/auth/v2/organizations/me/{org_id}/applications/{app_id}"),
    ] {
        let (status, app) = send(server.get(&path).bearer_auth(&token)).await;
        assert_eq!(status, 200, "{path}: {app}");
        assert_eq!(app["uuid"], app_id.as_str());
        assert_eq!(app["api_key"], api_key.as_str());
        assert!(app["client_id"].is_string());
    }

    // Registering a confirmed address again is refused.
    let (status, body) = send(
        server
            .post_json(
                "/auth/v2/programmatic/register/",
                &json!({"email": email, "password": PASSWORD}),
            )
            .header("x-forwarded-for", unique_ip()),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body["email"].is_array(), "{body}");
});

both_backends!(console_endpoints_are_scoped_to_the_account, async fn body(backend) {
    let server = backend.start().await;
    let alice = server.register_verified(&unique_email("alice")).await;
    let bob = server.register_verified(&unique_email("bob")).await;
    let alice_token = alice["access_token"].as_str().unwrap_or_default();
    let bob_org = bob["organization"]["uuid"].as_str().unwrap_or_default();
    let bob_app = bob["application"]["uuid"].as_str().unwrap_or_default();
    let alice_org = alice["organization"]["uuid"].as_str().unwrap_or_default();

    // Another account's organization looks like it does not exist.
    for path in [
        format!("/auth/v2/organizations/me/{bob_org}/applications/"),
        format!("/auth/v2/organizations/me/{bob_org}/applications/{bob_app}/"),
        // Alice's org with Bob's app.
        format!("/auth/v2/organizations/me/{alice_org}/applications/{bob_app}/"),
        format!("/auth/v2/organizations/me/{}/applications/", uuid::Uuid::new_v4()),
        "/auth/v2/organizations/me/not-a-uuid/applications/".to_owned(),
    ] {
        let (status, body) = send(server.get(&path).bearer_auth(alice_token)).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert_eq!(body, json!({"detail": "Not found."}), "{path}");
        assert!(!body.to_string().contains(bob["application"]["api_key"].as_str().unwrap_or("-")));
    }

    // Alice sees only her own organization.
    let (status, orgs) = send(server.get("/auth/v2/organizations/me/").bearer_auth(alice_token)).await;
    assert_eq!(status, 200);
    assert_eq!(orgs.as_array().map(Vec::len), Some(1), "{orgs}");
    assert_eq!(orgs[0]["uuid"], alice_org);

    // No bearer, a garbage bearer, an API key used as a bearer, a tampered token: 401.
    let api_key = alice["application"]["api_key"].as_str().unwrap_or_default();
    let mut tampered = alice_token.to_owned();
    tampered.pop();
    tampered.push(if alice_token.ends_with('A') { 'B' } else { 'A' });
    let (status, body) = send(server.get("/auth/v2/organizations/me/")).await;
    assert_eq!(status, 401, "no bearer: {body}");
    assert!(body["detail"].is_string(), "{body}");
    for bad in ["garbage", "a.b.c", api_key, tampered.as_str()] {
        let (status, body) = send(server.get("/auth/v2/organizations/me/").bearer_auth(bad)).await;
        assert_eq!(status, 401, "bearer {bad:?}: {body}");
        assert!(body["detail"].is_string(), "{body}");
    }
    let (status, _) = send(
        server
            .get(&format!("/auth/v2/organizations/me/{alice_org}/applications/"))
            .header("authorization", format!("Token {alice_token}")),
    )
    .await;
    assert_eq!(status, 401, "a non-Bearer scheme was accepted");
});

both_backends!(progressive_lockout_after_five_failures, async fn body(backend) {
    let server = backend.start().await;
    let email = unique_email("lockout");
    server.register_verified(&email).await;

    for attempt in 1..=4 {
        let login = server.login(&email, "Wrong-password-1").await;
        assert_eq!(login.status, 401, "attempt {attempt}: {}", login.text);
        assert!(login.json["detail"].is_string(), "{}", login.text);
    }
    // The fifth failure locks the account (it may already say so).
    let fifth = server.login(&email, "Wrong-password-1").await;
    assert!(matches!(fifth.status, 401 | 429), "attempt 5: {}", fifth.text);

    // Now even the right password is refused for ~15 minutes.
    let locked = server.login(&email, PASSWORD).await;
    assert_eq!(locked.status, 429, "right password during lockout: {}", locked.text);
    assert!(locked.json.get("access_token").is_none());
    assert!(locked.json["detail"].is_string(), "{}", locked.text);
    let retry_after: u64 = locked
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no numeric Retry-After: {:?}", locked.headers));
    assert!(
        (840..=900).contains(&retry_after),
        "Retry-After {retry_after}, expected about 900"
    );

    // Another account is not affected.
    let other = unique_email("unlocked");
    server.register_verified(&other).await;
    assert_eq!(server.login(&other, PASSWORD).await.status, 200);
});

both_backends!(registration_is_limited_per_client_ip, async fn body(backend) {
    let server = backend.start().await;
    let ip = unique_ip();
    for n in 1..=5 {
        let (status, body) = send(
            server
                .post_json(
                    "/auth/v2/programmatic/register/",
                    &json!({"email": unique_email(&format!("burst{n}")), "password": PASSWORD}),
                )
                .header("x-forwarded-for", &ip),
        )
        .await;
        assert_eq!(status, 201, "registration {n}: {body}");
    }
    let refused_email = unique_email("burst6");
    let response = Response::of(
        server
            .post_json(
                "/auth/v2/programmatic/register/",
                &json!({"email": refused_email, "password": PASSWORD}),
            )
            // The first hop counts, whatever proxies follow.
            .header("x-forwarded-for", format!("{ip}, 10.0.0.1")),
    )
    .await;
    assert_eq!(response.status, 429, "6th registration from {ip}: {}", response.text);
    assert!(response.json["detail"].is_string(), "{}", response.text);
    let retry_after: u64 = response
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no numeric Retry-After: {:?}", response.headers));
    assert!((1..=3600).contains(&retry_after), "Retry-After {retry_after}");
    assert!(server.codes_for(&refused_email).is_empty(), "a throttled registration sent mail");

    // Another client address still registers.
    let (status, body) = send(
        server
            .post_json(
                "/auth/v2/programmatic/register/",
                &json!({"email": unique_email("elsewhere"), "password": PASSWORD}),
            )
            .header("x-forwarded-for", unique_ip()),
    )
    .await;
    assert_eq!(status, 201, "{body}");
});
