//! The hosted page end to end in real Chromium, driven over WebDriver (chromedriver +
//! fantoccini), with a fake camera fed from real photos converted to Y4M here.
//!
//! * desktop, top-level: the "continue on your phone" screen, an unreadable document that is
//!   refused with a retake message, then a genuine passport (file-upload fallback) and the
//!   camera selfie of the same person → Approved;
//! * mobile viewport, embedded in an iframe the way the web SDK embeds it: another person's
//!   selfie → Declined, with the contract's `didit:*` postMessage events seen by the parent.
//!
//! Screenshots of every step go to `$CARGO_TARGET_DIR/e2e-screenshots/` (else
//! `target/e2e-screenshots/`). Without Chromium the tests are skipped locally and fail under CI
//! (`CI` set), as the PostgreSQL backend does.

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::kyc::{kyc_server, kyc_session};
use crate::kyc_fixtures::{face, not_a_document, passport_photo, repo};
use crate::support::{in_ci, send, Backend, TestServer};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const STEP_TIMEOUT: Duration = Duration::from_secs(120);

fn tool(env: &str, default: &str) -> Option<PathBuf> {
    let path = std::env::var_os(env).map_or_else(|| PathBuf::from(default), PathBuf::from);
    path.exists().then_some(path)
}

/// Chromium and chromedriver, or `None` (a skip) outside CI; under CI their absence fails.
fn browser_tools(test: &str) -> Option<(PathBuf, PathBuf)> {
    match (
        tool("VERIFYD_CHROMIUM", CHROMIUM),
        tool("VERIFYD_CHROMEDRIVER", CHROMEDRIVER),
    ) {
        (Some(c), Some(d)) => Some((c, d)),
        _ if in_ci() => {
            panic!("CI is set but chromium/chromedriver are missing: cannot run {test}")
        }
        _ => {
            eprintln!("SKIP {test}: install chromium and chromium-driver (or set VERIFYD_CHROMIUM / VERIFYD_CHROMEDRIVER)");
            None
        }
    }
}

/// Writes `image` as a YUV4MPEG2 (4:2:0, BT.601 full range) file Chromium's fake camera plays.
fn write_y4m(image_bytes: &[u8], path: &Path) {
    let (w, h) = (1280u32, 960u32);
    let img = image::load_from_memory(image_bytes).unwrap().to_rgb8();
    // Cover the frame (a 4:3 crop from the top, where a portrait photo has the face): no bars,
    // which the liveness models would take for the edge of a printed photo.
    let aspect = w as f32 / h as f32;
    let (cw, ch) = if img.width() as f32 / img.height() as f32 > aspect {
        ((img.height() as f32 * aspect) as u32, img.height())
    } else {
        (img.width(), (img.width() as f32 / aspect) as u32)
    };
    let x0 = (img.width() - cw) / 2;
    let y0 = 0;
    let crop = image::imageops::crop_imm(&img, x0, y0, cw, ch).to_image();
    let frame = image::imageops::resize(&crop, w, h, image::imageops::FilterType::Triangle);
    let mut y = Vec::with_capacity((w * h) as usize);
    let mut u = Vec::with_capacity((w * h / 4) as usize);
    let mut v = Vec::with_capacity((w * h / 4) as usize);
    for p in frame.pixels() {
        let [r, g, b] = p.0.map(f32::from);
        y.push(
            (0.299 * r + 0.587 * g + 0.114 * b)
                .round()
                .clamp(0.0, 255.0) as u8,
        );
    }
    for by in (0..h).step_by(2) {
        for bx in (0..w).step_by(2) {
            let (mut su, mut sv) = (0.0f32, 0.0f32);
            for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                let [r, g, b] = frame.get_pixel(bx + dx, by + dy).0.map(f32::from);
                su += -0.168_736 * r - 0.331_264 * g + 0.5 * b + 128.0;
                sv += 0.5 * r - 0.418_688 * g - 0.081_312 * b + 128.0;
            }
            u.push((su / 4.0).round().clamp(0.0, 255.0) as u8);
            v.push((sv / 4.0).round().clamp(0.0, 255.0) as u8);
        }
    }
    let mut out = format!("YUV4MPEG2 W{w} H{h} F10:1 Ip A1:1 C420jpeg\n").into_bytes();
    for _ in 0..3 {
        out.extend_from_slice(b"FRAME\n");
        out.extend_from_slice(&y);
        out.extend_from_slice(&u);
        out.extend_from_slice(&v);
    }
    std::fs::write(path, out).unwrap();
}

/// A chromedriver process on a free port, killed on drop.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    async fn start(chromedriver: &Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting chromedriver");
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let http = crate::support::client();
        loop {
            if let Ok(r) = http.get(format!("{url}/status")).send().await {
                if r.status().is_success() {
                    break;
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "chromedriver did not start"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Self { child, url }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser run: its client, where its screenshots go and how many were taken.
struct Run {
    client: Client,
    name: &'static str,
    shots: PathBuf,
    count: usize,
}

impl Run {
    async fn start(
        driver: &Driver,
        chromium: &Path,
        camera: &Path,
        name: &'static str,
        mobile: bool,
    ) -> Self {
        let mut args = vec![
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--use-fake-device-for-media-stream".to_owned(),
            "--use-fake-ui-for-media-stream".to_owned(),
            format!("--use-file-for-fake-video-capture={}", camera.display()),
        ];
        if !mobile {
            args.push("--window-size=1280,900".to_owned());
        }
        let mut options = json!({"binary": chromium, "args": args});
        if mobile {
            options["mobileEmulation"] = json!({
                "deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 2.0, "touch": true, "mobile": true},
                "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36"
            });
        }
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert("goog:chromeOptions".into(), options);
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&driver.url)
            .await
            .expect("starting a Chromium session");
        let target =
            std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| repo("target"), PathBuf::from);
        let shots = target.join("e2e-screenshots");
        std::fs::create_dir_all(&shots).unwrap();
        Self {
            client,
            name,
            shots,
            count: 0,
        }
    }

    async fn shot(&mut self, what: &str) {
        self.count += 1;
        let png = self.client.screenshot().await.unwrap();
        let path = self
            .shots
            .join(format!("{}-{:02}-{what}.png", self.name, self.count));
        std::fs::write(&path, png).unwrap();
    }

    async fn js(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.unwrap()
    }

    /// Waits until the element `css` is present and not inside a hidden section.
    async fn visible(&self, css: &str) {
        let started = Instant::now();
        let script = format!(
            "var e = document.querySelector({}); return !!e && e.offsetParent !== null;",
            json!(css)
        );
        while self.js(&script).await != json!(true) {
            if started.elapsed() > STEP_TIMEOUT {
                let body = self.js("return document.body.innerText").await;
                panic!(
                    "{}: {css} not visible after {STEP_TIMEOUT:?}; page: {body}",
                    self.name
                );
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Waits until a JavaScript condition holds.
    async fn until(&self, what: &str, condition: &str) {
        let started = Instant::now();
        let script = format!("return !!({condition});");
        while self.js(&script).await != json!(true) {
            if started.elapsed() > STEP_TIMEOUT {
                let body = self.js("return document.body.innerText").await;
                panic!("{}: {what} not reached; page: {body}", self.name);
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    async fn upload_file(&self, path: &Path) {
        self.client
            .find(Locator::Css("#file"))
            .await
            .unwrap()
            .send_keys(&path.display().to_string())
            .await
            .unwrap();
    }

    async fn text(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }
}

async fn status_of(server: &TestServer, key: &str, id: &str) -> Value {
    let (status, body) = send(
        server
            .get(&format!("/v3/session/{id}/decision/"))
            .header("x-api-key", key),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Goes through the capture of the document (file fallback) and the camera selfie.
async fn document_then_selfie(run: &mut Run, document: &Path) {
    run.visible("#s-select").await;
    run.click("#doc-P").await;
    run.shot("document-selection").await;
    run.click("#select-continue").await;
    run.visible("#s-capture").await;
    run.until(
        "document step",
        "document.getElementById('guide').className.includes('doc')",
    )
    .await;
    run.shot("document-front").await;
    run.upload_file(document).await;
    run.until(
        "face step",
        "document.getElementById('guide').className.includes('face')",
    )
    .await;
    run.until(
        "camera running",
        "document.getElementById('video').videoWidth > 0",
    )
    .await;
    run.shot("selfie-camera").await;
    run.click("#shoot").await;
}

#[tokio::test]
async fn browser_genuine_person_is_approved() {
    let Some((chromium, chromedriver)) = browser_tools("browser_genuine_person_is_approved") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let camera = dir.path().join("selfie.y4m");
    write_y4m(&face("obama2.jpg"), &camera);
    let document = dir.path().join("passport.jpg");
    std::fs::write(&document, passport_photo(chrono::Utc::now().date_naive())).unwrap();
    let junk = dir.path().join("not-a-document.jpg");
    std::fs::write(&junk, not_a_document()).unwrap();

    let server = kyc_server(&Backend::sqlite(), true).await;
    let (key, session) = kyc_session(&server, json!({"vendor_data": "browser-1"})).await;
    let id = session["session_id"].as_str().unwrap().to_owned();
    // The business's webhook receiver.
    let receiver = crate::webhooks::Receiver::start().await;
    let (status, destination) = crate::support::send(
        server
            .post_json(
                "/v3/webhook/destinations/",
                &json!({"label": "e2e", "url": receiver.url("/e2e"), "subscribed_events": ["status.updated"]}),
            )
            .header("x-api-key", &key),
    )
    .await;
    assert_eq!(status, 201, "{destination}");
    let secret = destination["secret_shared_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let driver = Driver::start(&chromedriver).await;
    let mut run = Run::start(&driver, &chromium, &camera, "desktop", false).await;

    run.client
        .goto(session["url"].as_str().unwrap())
        .await
        .unwrap();
    run.visible("#start").await;
    run.shot("intro").await;
    run.click("#start").await;
    // A desktop browser is offered the phone hand-off first.
    run.visible("#s-desktop").await;
    run.shot("continue-on-phone").await;
    run.click("#desktop-continue").await;

    run.visible("#s-select").await;
    run.click("#doc-P").await;
    run.shot("document-selection").await;
    run.click("#select-continue").await;
    run.visible("#s-capture").await;
    run.until(
        "document step",
        "document.getElementById('guide').className.includes('doc')",
    )
    .await;
    // An unusable capture: the page asks for a retake and stays on the step.
    run.upload_file(&junk).await;
    run.until(
        "retake message",
        "!document.getElementById('capture-message').hidden && document.getElementById('capture-message').textContent.includes('Attempts left')",
    )
    .await;
    run.shot("document-retake").await;
    assert!(run
        .text("#capture-message")
        .await
        .contains("could not find a document"));
    run.upload_file(&document).await;
    run.until(
        "face step",
        "document.getElementById('guide').className.includes('face')",
    )
    .await;
    run.until(
        "camera running",
        "document.getElementById('video').videoWidth > 0",
    )
    .await;
    run.shot("selfie-camera").await;
    run.click("#shoot").await;

    run.visible("#s-result").await;
    run.shot("result").await;
    let heading = run.text("#result-heading").await;
    let d = status_of(&server, &key, &id).await;
    assert_eq!(d["status"], "Approved", "{heading}: {d:#}");
    assert_eq!(heading, "You are verified");
    assert!(d["id_verifications"][0]["document_number"].is_string());
    run.client.close().await.unwrap();

    // The business learns it from a signed webhook carrying the decision.
    let got = receiver
        .wait_for("the Approved webhook", |r| {
            r.iter().any(|x| x.json()["status"] == "Approved")
        })
        .await;
    let approved = got
        .iter()
        .find(|x| x.json()["status"] == "Approved")
        .unwrap();
    crate::webhooks::assert_signed(approved, &secret);
    let body = approved.json();
    assert_eq!(body["session_id"], id.as_str());
    assert_eq!(
        body["decision"]["id_verifications"][0]["document_number"],
        d["id_verifications"][0]["document_number"]
    );
}

/// A parent page that embeds the session URL like the web SDK does and records its messages.
async fn serve_embedding_page(url: String) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let html = format!(
        "<!doctype html><html><head><meta name=\"viewport\" content=\"width=device-width\"></head>\
         <body style=\"margin:0\"><script>window.__events = [];\
         window.addEventListener('message', function (e) {{ window.__events.push(e.data); }});</script>\
         <iframe id=\"sdk\" src=\"{url}\" allow=\"camera; microphone; fullscreen; autoplay; encrypted-media; geolocation\" \
         style=\"border:0;width:100vw;height:100vh\"></iframe></body></html>"
    );
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let html = html.clone();
            tokio::spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{html}",
                    html.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
            });
        }
    });
    format!("http://localhost:{}/", addr.port())
}

#[tokio::test]
async fn browser_mobile_embedded_other_person_is_declined() {
    let Some((chromium, chromedriver)) =
        browser_tools("browser_mobile_embedded_other_person_is_declined")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let camera = dir.path().join("selfie.y4m");
    write_y4m(&face("biden.jpg"), &camera);
    let document = dir.path().join("passport.jpg");
    std::fs::write(&document, passport_photo(chrono::Utc::now().date_naive())).unwrap();

    let server = kyc_server(&Backend::sqlite(), true).await;
    let (key, session) = kyc_session(
        &server,
        json!({"vendor_data": "browser-2", "language": "es"}),
    )
    .await;
    let id = session["session_id"].as_str().unwrap().to_owned();
    // The SDK adds its camera parameters to the URL.
    let url = format!(
        "{}?document_camera=back&liveness_camera=front&document_camera_switch=true&liveness_camera_switch=false",
        session["url"].as_str().unwrap()
    );
    assert!(url.contains("/es/session/"), "{url}");
    let parent = serve_embedding_page(url).await;
    let driver = Driver::start(&chromedriver).await;
    let mut run = Run::start(&driver, &chromium, &camera, "mobile", true).await;

    run.client.goto(&parent).await.unwrap();
    run.client
        .find(Locator::Css("#sdk"))
        .await
        .unwrap()
        .enter_frame()
        .await
        .unwrap();
    run.visible("#start").await;
    assert_eq!(run.text("#start").await, "Empezar");
    run.shot("intro").await;
    run.click("#start").await;
    document_then_selfie(&mut run, &document).await;
    assert!(
        run.js("return document.getElementById('switch').hidden")
            .await
            == json!(true)
    );
    run.visible("#s-result").await;
    run.shot("result").await;
    assert_eq!(run.text("#result-heading").await, "No pudimos verificarte");

    let d = status_of(&server, &key, &id).await;
    assert_eq!(d["status"], "Declined", "{d:#}");
    let risks: Vec<&str> = d["face_matches"][0]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w["risk"].as_str())
        .collect();
    assert!(risks.contains(&"LOW_FACE_MATCH_SIMILARITY"), "{d:#}");

    // The parent saw the contract's events, in order.
    run.client.enter_parent_frame().await.unwrap();
    let events = run.js("return window.__events").await;
    let types: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["type"].as_str())
        .collect();
    for expected in [
        "didit:ready",
        "didit:started",
        "didit:step_started",
        "didit:document_selected",
        "didit:step_completed",
        "didit:media_started",
        "didit:media_captured",
        "didit:verification_submitted",
        "didit:status_updated",
        "didit:completed",
    ] {
        assert!(
            types.contains(&expected),
            "{expected} missing from {types:?}"
        );
    }
    let ready = events
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "didit:ready")
        .unwrap();
    assert_eq!(ready["data"]["sessionId"], id.as_str());
    let completed = events
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "didit:completed")
        .unwrap();
    assert_eq!(completed["data"]["status"], "Declined");
    assert_eq!(completed["data"]["sessionId"], id.as_str());
    assert_eq!(completed["data"]["documentType"], "P");
    assert_eq!(completed["data"]["country"], "NLD");
    run.client.close().await.unwrap();
}
