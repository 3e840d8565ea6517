//! The hosted flow over real HTTP against the real binary: a person opens the session link,
//! photographs a document and takes a selfie, and the engines decide.

use reqwest::header::CONTENT_TYPE;
use serde_json::{json, Value};

use crate::kyc_fixtures::{face, not_a_document, passport_photo, png_bomb, repo, NUMBER, SURNAME};
use crate::support::{send, Backend, Response, TestServer};

/// A server with the repository's models (and, optionally, the screening fixtures as lists).
pub async fn kyc_server(backend: &Backend, with_lists: bool) -> TestServer {
    let mut builder = backend
        .server()
        .env("VERIFYD_MODELS_DIR", repo("models").to_str().unwrap())
        // Webhook receivers in these tests listen on 127.0.0.1.
        .env("VERIFYD_WEBHOOK_ALLOW_PRIVATE_TARGETS", "true");
    if with_lists {
        builder = builder.env(
            "VERIFYD_SANCTIONS_DIR",
            repo("crates/verifyd-screening/tests/fixtures")
                .to_str()
                .unwrap(),
        );
    }
    builder.start().await
}

/// A live application's key, a KYC workflow (+ AML) and one session on it: (key, session).
pub async fn kyc_session(server: &TestServer, session: Value) -> (String, Value) {
    let app = server.apps_create("kyc", "live");
    let key = app["api_key"].as_str().unwrap().to_owned();
    let (status, workflow) = send(
        server
            .post_json(
                "/v3/workflows/",
                &json!({"workflow_label": "KYC", "workflow_type": "kyc", "is_aml_enabled": true}),
            )
            .header("x-api-key", &key),
    )
    .await;
    assert_eq!(status, 201, "{workflow}");
    let mut body = session;
    body["workflow_id"] = workflow["uuid"].clone();
    let (status, created) = send(
        server
            .post_json("/v3/session/", &body)
            .header("x-api-key", &key),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    (key, created)
}

/// Calls the flow API of a session token.
pub async fn flow(
    server: &TestServer,
    token: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let url = server.url(&format!("/session/{token}/api/{path}"));
    let request = match body {
        Some(b) => server.http().post(url).json(&b),
        None if path == "state" => server.http().get(url),
        None => server.http().post(url).json(&json!({})),
    };
    send(request).await
}

/// Uploads one capture.
pub async fn upload(server: &TestServer, token: &str, step: &str, bytes: Vec<u8>) -> (u16, Value) {
    send(
        server
            .http()
            .post(server.url(&format!("/session/{token}/api/upload/{step}")))
            .header(CONTENT_TYPE, "image/jpeg")
            .body(bytes),
    )
    .await
}

async fn decision(server: &TestServer, key: &str, id: &str) -> Value {
    let (status, body) = send(
        server
            .get(&format!("/v3/session/{id}/decision/"))
            .header("x-api-key", key),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

fn risks(element: &Value) -> Vec<String> {
    element["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["risk"].as_str().unwrap().to_owned())
        .collect()
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

both_backends!(genuine_document_and_matching_selfie_are_approved, async fn body(backend) {
    let server = kyc_server(&backend, true).await;
    let (key, session) = kyc_session(
        &server,
        json!({"vendor_data": "user-1", "callback": "https://shop.example/done",
               "expected_details": {"first_name": "Oscar", "last_name": "Lindqvist"}}),
    )
    .await;
    let token = session["session_token"].as_str().unwrap();
    let id = session["session_id"].as_str().unwrap();

    // The page itself: server-rendered, with the security headers.
    let page = Response::of(server.http().get(session["url"].as_str().unwrap())).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("<svg"), "QR code missing");
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.contains("frame-ancestors *") && csp.contains("script-src 'self'"), "{csp}");
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));

    let (status, state) = flow(&server, token, "state", None).await;
    assert_eq!(status, 200, "{state}");
    assert_eq!(state["status"], "Not Started");
    assert_eq!(state["steps"], json!(["document_selection", "document_front", "document_back", "face"]));
    let (status, state) = flow(&server, token, "start", None).await;
    assert_eq!((status, state["status"].as_str()), (200, Some("In Progress")), "{state}");
    let (status, state) = flow(&server, token, "document", Some(json!({"document_type": "P"}))).await;
    assert_eq!(status, 200, "{state}");
    assert_eq!(state["steps"], json!(["document_selection", "document_front", "face"]));
    assert_eq!(state["current_step"], "document_front");

    let (status, front) = upload(&server, token, "document_front", passport_photo(today())).await;
    assert_eq!(status, 200, "{front}");
    assert_eq!(front["verdict"]["accepted"], true, "{front}");
    assert_eq!(front["verdict"]["next_step"], "face");
    let (status, selfie) = upload(&server, token, "selfie", face("obama2.jpg")).await;
    assert_eq!(status, 200, "{selfie}");
    assert_eq!(selfie["verdict"]["accepted"], true, "{selfie}");

    let (status, done) = flow(&server, token, "finish", None).await;
    assert_eq!(status, 200, "{done}");
    let d = decision(&server, &key, id).await;
    assert_eq!(done["status"], "Approved", "{d:#}");
    assert_eq!(done["callback"], format!("https://shop.example/done?verificationSessionId={id}&status=Approved"));
    assert_eq!(d["status"], "Approved");
    let doc = &d["id_verifications"][0];
    assert_eq!(doc["node_id"], "feature_ocr");
    assert_eq!(doc["document_number"], NUMBER);
    assert_eq!(doc["last_name"].as_str().unwrap().to_uppercase(), SURNAME);
    assert_eq!(doc["document_type"], "Passport");
    assert_eq!(doc["issuing_state"], "NLD");
    assert_eq!(doc["date_of_birth"], "1984-03-09");
    assert_eq!(d["face_matches"][0]["status"], "Approved", "{d:#}");
    assert!(d["face_matches"][0]["score"].as_f64().unwrap() > 70.0);
    assert_eq!(d["liveness_checks"][0]["status"], "Approved");
    assert_eq!(d["aml_screenings"][0]["status"], "Approved", "{d:#}");
    assert_eq!(d["aml_screenings"][0]["screened_data"]["full_name"].as_str().unwrap().to_uppercase(), "OSCAR EMIL LINDQVIST");

    // The PDF report carries the captures.
    let pdf = Response::of(
        server
            .get(&format!("/v3/session/{id}/generate-pdf"))
            .header("x-api-key", &key),
    )
    .await;
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));

    // Finished: the flow is closed, and a second finish changes nothing.
    let (status, again) = flow(&server, token, "finish", None).await;
    assert_eq!((status, again["status"].as_str()), (200, Some("Approved")));
    let (status, _) = upload(&server, token, "selfie", face("obama2.jpg")).await;
    assert_eq!(status, 400);
});

#[tokio::test]
async fn another_persons_selfie_is_declined_and_bad_captures_are_retaken() {
    let server = kyc_server(&Backend::sqlite(), false).await;
    let (key, session) = kyc_session(&server, json!({"vendor_data": "user-2"})).await;
    let token = session["session_token"].as_str().unwrap();
    let id = session["session_id"].as_str().unwrap();
    flow(&server, token, "start", None).await;
    flow(
        &server,
        token,
        "document",
        Some(json!({"document_type": "P"})),
    )
    .await;

    // Not a document: a retake is asked for, and the session stays open.
    let (status, retake) = upload(&server, token, "document_front", not_a_document()).await;
    assert_eq!(status, 200, "{retake}");
    assert_eq!(retake["verdict"]["accepted"], false, "{retake}");
    assert_eq!(retake["verdict"]["reason"], "no_document");
    assert_eq!(retake["verdict"]["attempts_left"], 2);
    assert_eq!(retake["state"]["status"], "In Progress");
    assert_eq!(retake["state"]["current_step"], "document_front");
    let (status, _) = flow(&server, token, "finish", None).await;
    assert_eq!(status, 400, "finishing with steps left");

    // A selfie with no face is refused the same way.
    let (_, front) = upload(&server, token, "document_front", passport_photo(today())).await;
    assert_eq!(front["verdict"]["accepted"], true, "{front}");
    let (_, noface) = upload(&server, token, "selfie", not_a_document()).await;
    assert_eq!(noface["verdict"]["reason"], "no_face", "{noface}");

    let (_, selfie) = upload(&server, token, "selfie", face("biden.jpg")).await;
    assert_eq!(selfie["verdict"]["accepted"], true, "{selfie}");
    let (status, done) = flow(&server, token, "finish", None).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["status"], "Declined");
    let d = decision(&server, &key, id).await;
    assert_eq!(d["status"], "Declined");
    assert_eq!(d["face_matches"][0]["status"], "Declined");
    assert!(
        risks(&d["face_matches"][0]).contains(&"LOW_FACE_MATCH_SIMILARITY".to_owned()),
        "{d:#}"
    );
    // No lists on this server: AML is never passed.
    assert_eq!(d["aml_screenings"][0]["status"], "In Review");
    assert!(risks(&d["aml_screenings"][0]).contains(&"AML_LISTS_NOT_LOADED".to_owned()));
    assert_eq!(d["id_verifications"][0]["document_number"], NUMBER);

    // A reviewer asks for a new selfie only: the page reopens just that step, the document
    // reading is kept, and AML (not reopened) keeps its result.
    let (status, body) = send(
        server
            .http()
            .patch(server.url(&format!("/v3/session/{id}/update-status/")))
            .header("x-api-key", &key)
            .json(&json!({"new_status": "Resubmitted",
                          "nodes_to_resubmit": [{"node_id": "feature_face_match", "feature": "FACE"}]})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, state) = flow(&server, token, "start", None).await;
    assert_eq!(state["status"], "In Progress", "{state}");
    assert_eq!(state["steps"], json!(["face"]));
    let (_, selfie) = upload(&server, token, "selfie", face("obama2.jpg")).await;
    assert_eq!(selfie["verdict"]["accepted"], true, "{selfie}");
    let (status, done) = flow(&server, token, "finish", None).await;
    assert_eq!(status, 200, "{done}");
    let d = decision(&server, &key, id).await;
    assert_eq!(d["face_matches"][0]["status"], "Approved", "{d:#}");
    assert_eq!(d["face_matches"].as_array().unwrap().len(), 1);
    assert_eq!(d["id_verifications"][0]["document_number"], NUMBER);
    assert_eq!(
        d["status"], "In Review",
        "AML without lists still needs review"
    );
}

#[tokio::test]
async fn uploads_are_limited_and_tokens_scoped() {
    let server = kyc_server(&Backend::sqlite(), false).await;
    let (_, session) = kyc_session(&server, json!({})).await;
    let token = session["session_token"].as_str().unwrap();

    // Unknown tokens: a 404 page and 404 API answers; an API key is never needed or used.
    let missing = Response::of(server.get("/session/AAAAAAAAAAAA")).await;
    assert_eq!(missing.status, 404);
    assert!(missing.text.contains("not valid"), "{}", missing.text);
    let missing = Response::of(server.get("/es/session/AAAAAAAAAAAA")).await;
    assert!(missing.text.contains("no es válido"), "{}", missing.text);
    let (status, _) = flow(&server, "AAAAAAAAAAAA", "state", None).await;
    assert_eq!(status, 404);
    let (status, _) = flow(&server, "../../v3/x", "state", None).await;
    assert_eq!(status, 404);

    // Uploads before the flow has started are refused.
    let (status, _) = upload(&server, token, "selfie", face("obama.jpg")).await;
    assert_eq!(status, 400);
    flow(&server, token, "start", None).await;
    let (status, body) = flow(
        &server,
        token,
        "document",
        Some(json!({"document_type": "XX"})),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    flow(
        &server,
        token,
        "document",
        Some(json!({"document_type": "ID"})),
    )
    .await;
    let (status, _) = upload(&server, token, "document_back", passport_photo(today())).await;
    assert_eq!(status, 400, "the back before the front");

    // Type, size and dimensions.
    let (status, _) = send(
        server
            .http()
            .post(server.url(&format!("/session/{token}/api/upload/selfie")))
            .header(CONTENT_TYPE, "text/plain")
            .body("hello"),
    )
    .await;
    assert_eq!(status, 415);
    let (status, body) = upload(&server, token, "selfie", b"GIF89a not really".to_vec()).await;
    assert_eq!(status, 400, "{body}");
    // Too large: refused from Content-Length alone (raw socket: the server answers before
    // the body is sent and closes the connection, which an HTTP client reports as an error).
    {
        use std::io::{Read, Write};
        let mut socket = std::net::TcpStream::connect(server.addr()).unwrap();
        write!(
            socket,
            "POST /session/{token}/api/upload/selfie HTTP/1.1\r\nHost: x\r\n\
             Content-Type: image/jpeg\r\nContent-Length: {}\r\n\r\n",
            11 * 1024 * 1024
        )
        .unwrap();
        let mut head = [0u8; 12];
        socket.read_exact(&mut head).unwrap();
        assert_eq!(&head, b"HTTP/1.1 413");
    }
    let (status, body) = upload(&server, token, "selfie", png_bomb(60_000)).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["image"][0], "The image has too many pixels.");
    let (status, _) = upload(&server, token, "passport", face("obama.jpg")).await;
    assert_eq!(status, 404);
}

/// The second half of a KYC run on an existing workflow: a new session for `vendor`, the
/// passport and `selfie`, finished; returns the decision.
async fn run_kyc(
    server: &TestServer,
    key: &str,
    workflow: &str,
    vendor: &str,
    selfie: &str,
) -> Value {
    let (status, created) = send(
        server
            .post_json(
                "/v3/session/",
                &json!({"workflow_id": workflow, "vendor_data": vendor}),
            )
            .header("x-api-key", key),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let token = created["session_token"].as_str().unwrap();
    let (status, _) = flow(server, token, "start", None).await;
    assert_eq!(status, 200);
    let (status, _) = flow(
        server,
        token,
        "document",
        Some(json!({"document_type": "P"})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, front) = upload(server, token, "document_front", passport_photo(today())).await;
    assert_eq!(status, 200, "{front}");
    let (status, shot) = upload(server, token, "selfie", face(selfie)).await;
    assert_eq!(status, 200, "{shot}");
    let (status, done) = flow(server, token, "finish", None).await;
    assert_eq!(status, 200, "{done}");
    decision(server, key, created["session_id"].as_str().unwrap()).await
}

fn all_risks(decision: &Value) -> Vec<String> {
    ["id_verifications", "liveness_checks", "face_matches"]
        .iter()
        .flat_map(|a| decision[*a].as_array().cloned().unwrap_or_default())
        .flat_map(|e| risks(&e))
        .collect()
}

#[tokio::test]
async fn decisions_are_signed_webhooks_and_see_duplicates_and_blocklists() {
    let server = crate::support::Backend::sqlite()
        .server()
        .env("VERIFYD_MODELS_DIR", repo("models").to_str().unwrap())
        .env("VERIFYD_WEBHOOK_ALLOW_PRIVATE_TARGETS", "true")
        .env(
            "VERIFYD_SANCTIONS_DIR",
            repo("crates/verifyd-screening/tests/fixtures")
                .to_str()
                .unwrap(),
        )
        .start()
        .await;
    let receiver = crate::webhooks::Receiver::start().await;
    let (key, first) = kyc_session(&server, json!({"vendor_data": "user-1"})).await;
    let (status, destination) = send(
        server
            .post_json(
                "/v3/webhook/destinations/",
                &json!({"label": "kyc", "url": receiver.url("/kyc"), "subscribed_events": ["status.updated"]}),
            )
            .header("x-api-key", &key),
    )
    .await;
    assert_eq!(status, 201, "{destination}");
    let secret = destination["secret_shared_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, view) = send(
        server
            .get(&format!(
                "/v3/session/{}/",
                first["session_id"].as_str().unwrap()
            ))
            .header("x-api-key", &key),
    )
    .await;
    let workflow = view["workflow_id"].as_str().unwrap().to_owned();

    // A first person: Approved, and the business hears it by a signed webhook with the decision.
    let d = run_kyc(&server, &key, &workflow, "user-1", "obama2.jpg").await;
    assert_eq!(d["status"], "Approved", "{d:#}");
    let id = d["session_id"].as_str().unwrap().to_owned();
    let got = receiver
        .wait_for("the Approved webhook", |r| {
            r.iter()
                .any(|x| x.json()["session_id"] == id.as_str() && x.json()["status"] == "Approved")
        })
        .await;
    let approved = got
        .iter()
        .find(|x| x.json()["session_id"] == id.as_str() && x.json()["status"] == "Approved")
        .unwrap();
    crate::webhooks::assert_signed(approved, &secret);
    assert_eq!(
        approved.json()["decision"]["id_verifications"][0]["document_number"],
        NUMBER
    );

    // The same face under another vendor_data: a possible duplicated user (information by
    // default, so still Approved).
    let d = run_kyc(&server, &key, &workflow, "user-2", "obama.jpg").await;
    assert!(
        all_risks(&d).contains(&"POSSIBLE_DUPLICATED_USER".to_owned()),
        "{d:#}"
    );
    assert_eq!(d["status"], "Approved", "{d:#}");
    let duplicates = |d: &Value| -> Vec<String> {
        d["id_verifications"][0]["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w["risk"] == "POSSIBLE_DUPLICATED_USER")
            .flat_map(|w| {
                w["additional_data"]["session_ids"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(duplicates(&d), std::slice::from_ref(&id), "{d:#}");
    let second = d["session_id"].as_str().unwrap().to_owned();
    // The same person again under their own vendor_data: only the other vendor's session
    // counts as a duplicate.
    let d = run_kyc(&server, &key, &workflow, "user-1", "obama.jpg").await;
    assert_eq!(duplicates(&d), [second], "{d:#}");

    // The document number blocklisted: the next session with that passport is declined.
    let (status, added) = send(
        server
            .post_json(
                "/v3/blocklist/add/",
                &json!({"session_id": id, "blocklist_document": true}),
            )
            .header("x-api-key", &key),
    )
    .await;
    assert_eq!(status, 200, "{added}");
    let d = run_kyc(&server, &key, &workflow, "user-3", "obama2.jpg").await;
    assert!(
        all_risks(&d).contains(&"ID_DOCUMENT_IN_BLOCKLIST".to_owned()),
        "{d:#}"
    );
    assert_eq!(d["status"], "Declined", "{d:#}");

    // A face in the face blocklist declines whoever shows it.
    let (_, lists) = send(
        server
            .get("/v3/lists/?entry_type=face&list_type=blocklist")
            .header("x-api-key", &key),
    )
    .await;
    let face_list = lists["results"][0]["uuid"].as_str().unwrap().to_owned();
    use base64::Engine as _;
    let image = base64::engine::general_purpose::STANDARD.encode(face("biden.jpg"));
    let (status, entry) = send(
        server
            .post_json(
                &format!("/v3/lists/{face_list}/entries/face-upload/"),
                &json!({"image": image}),
            )
            .header("x-api-key", &key),
    )
    .await;
    assert_eq!(status, 201, "{entry}");
    let (status, _) = send(
        server
            .http()
            .post(server.url("/v3/blocklist/remove/"))
            .json(&json!({"session_id": id, "unblock_document": true}))
            .header("x-api-key", &key),
    )
    .await;
    assert_eq!(status, 200);
    let d = run_kyc(&server, &key, &workflow, "user-4", "biden.jpg").await;
    assert!(
        all_risks(&d).contains(&"FACE_IN_BLOCKLIST".to_owned()),
        "{d:#}"
    );
    assert_eq!(d["status"], "Declined", "{d:#}");
}
