//! Integration tests of the HTTP surface: the app is assembled in-process (as the binary's
//! bootstrap does) and served on a real socket, so requests go through every layer.
//!
//! Two servers are started once per test binary, each on its own thread and runtime so every
//! `#[tokio::test]` can share them (and the engines they load on first use):
//! * [`full`]: the repository's models and the screening fixtures as sanctions lists;
//! * [`bare`]: no models folder and no lists, to check that nothing is approved without them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use reqwest::multipart::{Form, Part};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{mpsc, Arc, OnceLock};
use std::time::Instant;
use verifyd_core::tenant::Environment;
use verifyd_core::SystemClock;
use verifyd_http::{AppState, RateLimiter, RateLimits};
use verifyd_service::mail::Mailer;
use verifyd_service::{Services, Settings};
use verifyd_store::{BlobStore, Cipher, Store};

fn repo(path: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join(path)
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(repo("crates/verifyd-faces/tests/fixtures").join(name)).unwrap()
}

/// A running server and the keys of its two applications.
struct TestApp {
    base: String,
    live_key: String,
    sandbox_key: String,
    /// A live application of its own for the face-search test, whose index no other test
    /// enrolls into.
    search_key: String,
    /// Another, for the face blocklist test.
    blocklist_key: String,
}

impl TestApp {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn post_form(&self, path: &str, key: Option<&str>, form: Form) -> (u16, Value) {
        let mut request = reqwest::Client::new().post(self.url(path)).multipart(form);
        if let Some(key) = key {
            request = request.header("x-api-key", key);
        }
        let started = Instant::now();
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        eprintln!("POST {path} -> {status} in {:?}", started.elapsed());
        (status, body)
    }

    async fn post_json(&self, path: &str, key: &str, body: Value) -> (u16, Value) {
        let started = Instant::now();
        let response = reqwest::Client::new()
            .post(self.url(path))
            .header("x-api-key", key)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        eprintln!("POST {path} -> {status} in {:?}", started.elapsed());
        (status, body)
    }
}

/// Starts a server on its own thread and runtime; it lives as long as the test binary.
fn start(models_dir: PathBuf, sanctions_dir: Option<PathBuf>) -> TestApp {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let dir = tempfile::tempdir().unwrap();
            let cipher = Cipher::from_base64(&Cipher::generate_base64()).unwrap();
            let store = Store::connect(&Store::sqlite_url(dir.path()), cipher.clone())
                .await
                .unwrap();
            let blobs = BlobStore::local(&dir.path().join("blobs"), cipher).unwrap();
            let mailer = Mailer::outbox(dir.path().join("outbox"), "it <it@verifyd.test>".into());
            let mut settings =
                Settings::for_data_dir(dir.path().to_owned(), "http://127.0.0.1".into());
            settings.models_dir = models_dir;
            settings.sanctions_dir = sanctions_dir;
            let services = Services::new(store, blobs, Arc::new(SystemClock), mailer, settings)
                .await
                .unwrap();
            let live = services
                .create_standalone_application("it-live", Environment::Live)
                .await
                .unwrap();
            let sandbox = services
                .create_standalone_application("it-sandbox", Environment::Sandbox)
                .await
                .unwrap();
            let search = services
                .create_standalone_application("it-search", Environment::Live)
                .await
                .unwrap();
            let blocklist = services
                .create_standalone_application("it-blocklist", Environment::Live)
                .await
                .unwrap();
            let state = AppState {
                services,
                limiter: Arc::new(RateLimiter::new(RateLimits::default())),
            };
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            tx.send(TestApp {
                base: format!("http://{addr}"),
                live_key: live.api_key,
                sandbox_key: sandbox.api_key,
                search_key: search.api_key,
                blocklist_key: blocklist.api_key,
            })
            .unwrap();
            let app =
                axum::ServiceExt::<axum::extract::Request>::into_make_service_with_connect_info::<
                    SocketAddr,
                >(verifyd_http::app(state));
            axum::serve(listener, app).await.unwrap();
            drop(dir);
        });
    });
    rx.recv().unwrap()
}

fn full() -> &'static TestApp {
    static APP: OnceLock<TestApp> = OnceLock::new();
    APP.get_or_init(|| {
        start(
            repo("models"),
            Some(repo("crates/verifyd-screening/tests/fixtures")),
        )
    })
}

fn bare() -> &'static TestApp {
    static APP: OnceLock<TestApp> = OnceLock::new();
    APP.get_or_init(|| start(repo("no-such-models"), None))
}

fn image(name: &str, bytes: Vec<u8>) -> Part {
    Part::bytes(bytes)
        .file_name(name.to_owned())
        .mime_str("image/jpeg")
        .unwrap()
}

fn risks(object: &Value) -> Vec<String> {
    object["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["risk"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn face_match_approves_the_same_person() {
    let app = full();
    let form = Form::new()
        .part("user_image", image("obama.jpg", fixture("obama.jpg")))
        .part("ref_image", image("obama2.jpg", fixture("obama2.jpg")))
        .text("vendor_data", "user-42")
        .text("metadata", r#"{"order": 7}"#);
    let (status, body) = app
        .post_form("/v3/face-match/", Some(&app.live_key), form)
        .await;
    assert_eq!(status, 200, "{body}");
    let face_match = &body["face_match"];
    assert_eq!(face_match["status"], "Approved", "{body}");
    assert!(face_match["score"].as_f64().unwrap() > 70.0, "{body}");
    assert_eq!(
        face_match["user_image"]["entities"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(body["vendor_data"], "user-42");
    assert_eq!(body["metadata"], json!({"order": 7}));
    assert!(uuid::Uuid::parse_str(body["request_id"].as_str().unwrap()).is_ok());
    assert!(body["created_at"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn face_match_declines_another_person() {
    let app = full();
    let form = Form::new()
        .part("user_image", image("obama.jpg", fixture("obama.jpg")))
        .part("ref_image", image("biden.jpg", fixture("biden.jpg")));
    let (status, body) = app
        .post_form("/v3/face-match", Some(&app.live_key), form)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["face_match"]["status"], "Declined", "{body}");
    assert_eq!(risks(&body["face_match"]), ["LOW_FACE_MATCH_SIMILARITY"]);
    assert_eq!(body["vendor_data"], Value::Null);
}

#[tokio::test]
async fn passive_liveness_scores_a_selfie() {
    let app = full();
    let form = Form::new().part("user_image", image("obama.jpg", fixture("obama.jpg")));
    let (status, body) = app
        .post_form("/v3/passive-liveness/", Some(&app.live_key), form)
        .await;
    assert_eq!(status, 200, "{body}");
    let score = body["liveness"]["score"].as_f64().unwrap();
    assert!((0.0..=100.0).contains(&score), "{body}");
    assert_eq!(body["liveness"]["method"], "PASSIVE");
    assert!(matches!(
        body["liveness"]["status"].as_str(),
        Some("Approved" | "Declined")
    ));
}

#[tokio::test]
async fn age_estimation_estimates_an_adult() {
    let app = full();
    let form = Form::new()
        .part("user_image", image("obama.jpg", fixture("obama.jpg")))
        .text("face_liveness_score_decline_threshold", "0");
    let (status, body) = app
        .post_form("/v3/age-estimation/", Some(&app.live_key), form)
        .await;
    assert_eq!(status, 200, "{body}");
    let age = body["age_estimation"]["age_estimation"].as_f64().unwrap();
    assert!(age > 25.0, "{body}");
}

#[tokio::test]
async fn bad_uploads_are_field_errors() {
    let app = full();
    let form = Form::new().part("ref_image", image("obama.jpg", fixture("obama.jpg")));
    let (status, body) = app
        .post_form("/v3/face-match/", Some(&app.live_key), form)
        .await;
    assert_eq!(status, 400);
    assert_eq!(body, json!({"user_image": ["No file was submitted."]}));

    let form = Form::new().part(
        "user_image",
        image("x.jpg", b"definitely not a jpeg".to_vec()),
    );
    let (status, body) = app
        .post_form("/v3/passive-liveness/", Some(&app.live_key), form)
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["user_image"][0]
            .as_str()
            .unwrap()
            .contains("valid image"),
        "{body}"
    );

    let big = vec![0u8; 5 * 1024 * 1024 + 1];
    let form = Form::new().part("user_image", image("big.jpg", big));
    let (status, body) = app
        .post_form("/v3/passive-liveness/", Some(&app.live_key), form)
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        body,
        json!({"user_image": ["File size should not exceed 5 MB"]})
    );

    let form = Form::new()
        .part("user_image", image("obama.jpg", fixture("obama.jpg")))
        .text("face_liveness_score_decline_threshold", "101");
    let (status, body) = app
        .post_form("/v3/passive-liveness/", Some(&app.live_key), form)
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["face_liveness_score_decline_threshold"].is_array(),
        "{body}"
    );

    let response = reqwest::Client::new()
        .post(app.url("/v3/face-match/"))
        .header("x-api-key", &app.live_key)
        .json(&json!({"user_image": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 415);
}

#[tokio::test]
async fn checks_need_an_api_key() {
    let app = full();
    for path in [
        "/v3/face-match/",
        "/v3/passive-liveness/",
        "/v3/age-estimation/",
        "/v3/id-verification/",
    ] {
        // A small body: the server answers before reading it.
        let form = Form::new().part("user_image", image("x.jpg", b"x".to_vec()));
        let (status, body) = app.post_form(path, None, form).await;
        assert_eq!(status, 403, "{path}");
        assert_eq!(
            body,
            json!({"detail": "You do not have permission to perform this action."})
        );
    }
    let (status, _) = app
        .post_json("/v3/aml/", "not-a-key", json!({"full_name": "Savo Krunic"}))
        .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn id_verification_reads_a_synthetic_passport() {
    use verifyd_documents::synth::{Degradation, Renderer, SynthKind};
    let app = full();
    let today = chrono::Utc::now().date_naive();
    let doc = Renderer::new()
        .unwrap()
        .render(SynthKind::Passport, today, &Degradation::clean(), 7)
        .unwrap();
    let form = Form::new()
        .part("front_image", image("passport.jpg", doc.front.clone()))
        .text("vendor_data", "doc-1");
    let (status, body) = app
        .post_form("/v3/id-verification/", Some(&app.live_key), form)
        .await;
    assert_eq!(status, 200, "{body}");
    let id = &body["id_verification"];
    assert_eq!(id["document_type"], "P", "{body}");
    assert_eq!(
        id["document_number"],
        doc.fields.document_number.as_str(),
        "{body}"
    );
    assert_eq!(
        id["date_of_birth"],
        doc.fields
            .birth_date
            .unwrap()
            .format("%Y-%m-%d")
            .to_string()
    );
    assert_eq!(id["status"], "Approved", "{body}");
    assert!(id.get("node_id").is_none());
    assert_eq!(body["vendor_data"], "doc-1");

    let form = Form::new().part("back_image", image("back.jpg", doc.front));
    let (status, body) = app
        .post_form("/v3/id-verification/", Some(&app.live_key), form)
        .await;
    assert_eq!(status, 400);
    assert_eq!(body, json!({"front_image": ["No file was submitted."]}));
}

#[tokio::test]
async fn aml_finds_a_listed_person() {
    let app = full();
    let (status, body) = app
        .post_json(
            "/v3/aml/",
            &app.live_key,
            json!({"full_name": "Savo Krunic", "date_of_birth": "1958-01-27", "vendor_data": "aml-1"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let aml = &body["aml"];
    assert!(aml["total_hits"].as_u64().unwrap() >= 1, "{body}");
    assert_ne!(aml["status"], "Approved", "{body}");
    assert_eq!(aml["entity_type"], "person");
    assert_eq!(body["vendor_data"], "aml-1");

    let (status, body) = app
        .post_json(
            "/v3/aml/",
            &app.live_key,
            json!({"full_name": "Zyxw Qvvtrplm"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["aml"]["status"], "Approved", "{body}");

    let (status, body) = app
        .post_json("/v3/aml/", &app.live_key, json!({"entity_type": "alien"}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["full_name"], json!(["This field is required."]));
}

#[tokio::test]
async fn without_lists_or_models_nothing_is_approved() {
    let app = bare();
    let (status, body) = app
        .post_json(
            "/v3/aml/",
            &app.live_key,
            json!({"full_name": "Savo Krunic"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["aml"]["status"], "In Review", "{body}");
    assert_eq!(risks(&body["aml"]), ["AML_LISTS_NOT_LOADED"]);

    let form = Form::new()
        .part("user_image", image("obama.jpg", fixture("obama.jpg")))
        .part("ref_image", image("obama2.jpg", fixture("obama2.jpg")));
    let (status, body) = app
        .post_form("/v3/face-match/", Some(&app.live_key), form)
        .await;
    assert_eq!(status, 503, "{body}");
    assert!(!body.to_string().contains("no-such-models"), "{body}");
}

#[tokio::test]
async fn sandbox_keys_get_static_approvals() {
    let app = bare();
    let form = Form::new()
        .part("user_image", image("x.jpg", b"any bytes".to_vec()))
        .part("ref_image", image("y.jpg", b"any bytes".to_vec()));
    let (status, body) = app
        .post_form("/v3/face-match/", Some(&app.sandbox_key), form)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["face_match"]["status"], "Approved");

    let form = Form::new().part("front_image", image("x.jpg", b"any".to_vec()));
    let (status, body) = app
        .post_form("/v3/id-verification/", Some(&app.sandbox_key), form)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id_verification"]["status"], "Approved");

    let (status, body) = app
        .post_json(
            "/v3/aml/",
            &app.sandbox_key,
            json!({"full_name": "Savo Krunic"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["aml"]["status"], "Approved");
}

#[test]
fn openapi_documents_the_checks() {
    let spec = verifyd_http::openapi::document();
    for path in [
        "/v3/face-match/",
        "/v3/passive-liveness/",
        "/v3/age-estimation/",
        "/v3/id-verification/",
        "/v3/aml/",
    ] {
        assert!(spec["paths"][path]["post"].is_object(), "{path} missing");
    }
}

#[tokio::test]
async fn face_search_finds_enrolled_faces_but_not_earlier_searches() {
    let app = full();
    let key = app.search_key.as_str();
    let search = |name: &'static str, save: bool| {
        let form = Form::new()
            .part("user_image", image(name, fixture(name)))
            .text("save_api_request", save.to_string())
            .text("vendor_data", "probe");
        app.post_form("/v3/face-search/", Some(key), form)
    };

    // An empty index: Approved, no match, the probe's face described.
    let (status, body) = search("obama.jpg", true).await;
    assert_eq!(status, 200, "{body}");
    let result = &body["face_search"];
    assert_eq!(result["status"], "Approved", "{body}");
    assert_eq!(result["total_matches"], 0, "{body}");
    assert_eq!(
        result["user_image"]["entities"].as_array().unwrap().len(),
        1
    );

    // Face-search probes never match later searches.
    let (_, body) = search("obama2.jpg", true).await;
    assert_eq!(body["face_search"]["total_matches"], 0, "{body}");

    // A saved liveness check enrolls its selfie.
    let form = Form::new()
        .part("user_image", image("obama.jpg", fixture("obama.jpg")))
        .text("vendor_data", "user-obama");
    let (status, _) = app
        .post_form("/v3/passive-liveness/", Some(key), form)
        .await;
    assert_eq!(status, 200);

    // Another photo of the same person finds it: a duplicate, which informs but never declines.
    let (status, body) = search("obama2.jpg", false).await;
    assert_eq!(status, 200, "{body}");
    let result = &body["face_search"];
    assert_eq!(result["status"], "Approved", "{body}");
    assert_eq!(result["total_matches"], 1, "{body}");
    let found = &result["matches"][0];
    assert!(
        found["similarity_percentage"].as_f64().unwrap() >= 70.0,
        "{body}"
    );
    assert_eq!(found["vendor_data"], "user-obama");
    assert_eq!(found["api_service"], "PASSIVE_LIVENESS");
    assert_eq!(found["is_blocklisted"], false);
    assert!(found["biometric_template_id"].is_string(), "{body}");
    assert_eq!(risks(result), ["DUPLICATED_FACE"]);
    assert_eq!(result["warnings"][0]["log_type"], "information");

    // Someone else finds nothing; restricted to approved or listed faces, the duplicate only
    // counts when its check was approved.
    let (_, body) = search("biden.jpg", false).await;
    assert_eq!(body["face_search"]["total_matches"], 0, "{body}");

    // Bad input: no face is the contract's `error` body, a wrong search type a field error.
    let mut blank = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_pixel(320, 240, image::Rgb([128, 128, 128]))
        .write_to(&mut blank, image::ImageFormat::Png)
        .unwrap();
    let form = Form::new().part("user_image", image("blank.png", blank.into_inner()));
    let (status, body) = app.post_form("/v3/face-search/", Some(key), form).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body, json!({"error": "No face detected in the image"}));
    let form = Form::new()
        .part("user_image", image("obama.jpg", fixture("obama.jpg")))
        .text("search_type", "everything");
    let (status, body) = app.post_form("/v3/face-search/", Some(key), form).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"search_type": ["\"everything\" is not a valid choice."]})
    );
    let (status, body) = app
        .post_form(
            "/v3/face-search/",
            Some(key),
            Form::new().text("vendor_data", "x"),
        )
        .await;
    assert_eq!(status, 400);
    assert!(body["user_image"].is_array(), "{body}");

    // Sandbox keys get the static approval.
    let form = Form::new().part("user_image", image("biden.jpg", fixture("biden.jpg")));
    let (status, body) = app
        .post_form("/v3/face-search/", Some(&app.sandbox_key), form)
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["face_search"]["status"], "Approved");
}

#[tokio::test]
async fn a_face_in_the_blocklist_declines_face_searches() {
    use base64::Engine as _;
    let app = full();
    // An application of its own, so other tests' enrolments do not interfere.
    let key = app.blocklist_key.as_str();
    let client = reqwest::Client::new();
    let lists: Value = client
        .get(app.url("/v3/lists/?list_type=blocklist&entry_type=face"))
        .header("x-api-key", key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let face_list = lists["results"][0]["uuid"].as_str().unwrap().to_owned();
    let upload = app.url(&format!("/v3/lists/{face_list}/entries/face-upload/"));
    let encoded = base64::engine::general_purpose::STANDARD.encode(fixture("obama.jpg"));
    let response = client
        .post(&upload)
        .header("x-api-key", key)
        .json(&json!({"image": encoded, "display_label": "fraudster"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let entry: Value = response.json().await.unwrap();
    assert_eq!(entry["display_label"], "fraudster");

    // Without a face the upload is refused.
    let mut blank = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_pixel(200, 200, image::Rgb([90, 90, 90]))
        .write_to(&mut blank, image::ImageFormat::Png)
        .unwrap();
    let blank = base64::engine::general_purpose::STANDARD.encode(blank.into_inner());
    let response = client
        .post(&upload)
        .header("x-api-key", key)
        .json(&json!({"image": blank}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"image": ["No face detected in the image."]})
    );

    // Another photo of the blocklisted person is declined; someone else is not.
    let search = |name: &'static str| {
        let form = Form::new()
            .part("user_image", image(name, fixture(name)))
            .text("save_api_request", "false");
        app.post_form("/v3/face-search/", Some(key), form)
    };
    let (status, body) = search("obama2.jpg").await;
    assert_eq!(status, 200, "{body}");
    let result = &body["face_search"];
    assert_eq!(result["status"], "Declined", "{body}");
    assert_eq!(result["matches"][0]["is_blocklisted"], true, "{body}");
    assert_eq!(result["matches"][0]["source"], "list_entry", "{body}");
    assert_eq!(risks(result), ["FACE_IN_BLOCKLIST"]);
    assert_eq!(result["warnings"][0]["log_type"], "error");
    let (_, body) = search("biden.jpg").await;
    assert_eq!(body["face_search"]["status"], "Approved", "{body}");
    assert_eq!(body["face_search"]["total_matches"], 0, "{body}");

    // Removing the entry removes the face from the index.
    let entry_id = entry["uuid"].as_str().unwrap();
    let response = client
        .delete(app.url(&format!("/v3/lists/{face_list}/entries/{entry_id}/")))
        .header("x-api-key", key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let (_, body) = search("obama2.jpg").await;
    assert_eq!(body["face_search"]["status"], "Approved", "{body}");
    assert_eq!(body["face_search"]["total_matches"], 0, "{body}");
}
