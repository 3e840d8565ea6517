//! `verifyd bench kyc`: full KYC sessions through the hosted flow API over real HTTP on
//! loopback, against an in-process server on a temporary SQLite data dir, with the real engines.
//!
//! Each session: create (API key) → start → choose an ID card → upload its front and back →
//! upload the selfie → finish (liveness, face match against the card's portrait, AML on the
//! name read from the card). The figure is the time from the start of the last upload (the
//! selfie) to the final decision: the selfie's engines, the face match, screening, the decision
//! builder and the writes. The card is drawn by the synthetic renderer with the portrait taken
//! from `--portrait` (a real face), the selfie is `--selfie`.

use anyhow::{bail, Context};
use chrono::NaiveDate;
use image::{imageops, DynamicImage, Rgb, RgbImage};
use rand::SeedableRng;
use serde_json::{json, Value};
use std::io::Cursor;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::tools::{percentile, BenchServer};

fn jpeg(img: &RgbImage) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(img.clone())
        .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Jpeg)?;
    Ok(out)
}

/// An ID card (front with the portrait's face, back with a TD1 MRZ), photographed flat.
fn id_card(models: &Path, portrait: &[u8], today: NaiveDate) -> anyhow::Result<(Vec<u8>, Vec<u8>)> {
    let engine = verifyd_faces::FaceEngine::load(models).context("loading face models")?;
    let source = engine.decode(portrait)?;
    let analysis = engine.analyze_image(&source, verifyd_faces::AnalyzeOptions::default())?;
    let Some(main) = analysis.main else {
        bail!("no face in the portrait image");
    };
    // A passport-photo framing around the face: 3:4, the face a bit above the middle.
    let [x1, y1, x2, y2] = main.detection.bbox;
    let (cx, cy) = ((x1 + x2) / 2.0, (y1 + y2) / 2.0);
    let h = ((y2 - y1) * 1.9).min(source.height() as f32);
    let w = (h * 0.75).min(source.width() as f32);
    let left = (cx - w / 2.0).clamp(0.0, source.width() as f32 - w) as u32;
    let top = (cy - h * 0.45).clamp(0.0, source.height() as f32 - h) as u32;
    let crop = imageops::crop_imm(&source, left, top, w as u32, h as u32).to_image();

    let fields = mrz::MrzFields {
        format: mrz::Format::Td1,
        document_code: "ID".to_owned(),
        issuing_state: "NLD".to_owned(),
        surname: "LINDQVIST".to_owned(),
        given_names: "OSCAR EMIL".to_owned(),
        document_number: "X4R7Q29K1".to_owned(),
        nationality: "NLD".to_owned(),
        birth_date: NaiveDate::from_ymd_opt(1984, 3, 9),
        sex: mrz::Sex::Male,
        expiry_date: today.checked_add_months(chrono::Months::new(60)),
        optional_data: String::new(),
        optional_data_2: String::new(),
    };
    let ppm = 12.0;
    let renderer = verifyd_documents::synth::Renderer::new()?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    let (mut front, back, _) =
        renderer.draw_pages(&fields, "LINDQVIST", "OSCAR EMIL", ppm, &mut rng)?;
    let back = back.context("an ID card has a back")?;
    // The renderer's card portrait box: 24 × 32 mm at (4, 13) mm.
    let face = imageops::resize(
        &crop,
        (24.0 * ppm) as u32,
        (32.0 * ppm) as u32,
        imageops::FilterType::Triangle,
    );
    imageops::replace(&mut front, &face, (4.0 * ppm) as i64, (13.0 * ppm) as i64);
    let desk = |page: &RgbImage| -> anyhow::Result<Vec<u8>> {
        let mut desk =
            RgbImage::from_pixel(page.width() + 160, page.height() + 160, Rgb([38, 40, 46]));
        imageops::replace(&mut desk, page, 80, 80);
        jpeg(&desk)
    };
    Ok((desk(&front)?, desk(&back)?))
}

/// Runs `sessions` full KYC sessions and prints the last-upload-to-decision latencies.
pub async fn bench_kyc(
    models: &Path,
    lists: Option<&Path>,
    portrait: &Path,
    selfie: &Path,
    sessions: usize,
) -> anyhow::Result<()> {
    let today = chrono::Utc::now().date_naive();
    let portrait =
        std::fs::read(portrait).with_context(|| format!("reading {}", portrait.display()))?;
    let selfie = std::fs::read(selfie).with_context(|| format!("reading {}", selfie.display()))?;
    let (front, back) = id_card(models, &portrait, today)?;

    let bench = BenchServer::start(verifyd_core::tenant::Environment::Live, |config| {
        config.models_dir = models.to_owned();
        config.sanctions_dir = lists.map(Path::to_owned);
    })
    .await?;
    let base = bench.base.clone();
    let client = reqwest::Client::builder().no_proxy().build()?;
    let workflow: Value = client
        .post(format!("{base}/v3/workflows/"))
        .header("x-api-key", &bench.api_key)
        .json(&json!({"workflow_label": "bench", "workflow_type": "kyc", "is_aml_enabled": true}))
        .send()
        .await?
        .json()
        .await?;
    let workflow_id = workflow["uuid"].as_str().unwrap_or_default().to_owned();

    let post = |path: String, body: Option<Vec<u8>>| {
        let request = client.post(format!("{base}{path}"));
        let request = match body {
            Some(bytes) => request.header("content-type", "image/jpeg").body(bytes),
            None => request.json(&json!({})),
        };
        async move {
            let response = request.send().await?;
            let status = response.status();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            anyhow::ensure!(status.is_success(), "{path}: HTTP {status}: {body}");
            anyhow::Ok(body)
        }
    };

    // One warm-up session loads every engine; it is not counted.
    let mut last_upload = Vec::with_capacity(sessions);
    let mut finish_only = Vec::with_capacity(sessions);
    let mut outcomes: Vec<String> = Vec::new();
    for i in 0..=sessions {
        let created: Value = client
            .post(format!("{base}/v3/session/"))
            .header("x-api-key", &bench.api_key)
            .json(&json!({"workflow_id": workflow_id, "vendor_data": format!("bench-{i}")}))
            .send()
            .await?
            .json()
            .await?;
        let token = created["session_token"]
            .as_str()
            .context("no session token")?;
        let api = format!("/session/{token}/api");
        post(format!("{api}/start"), None).await?;
        client
            .post(format!("{base}{api}/document"))
            .json(&json!({"document_type": "ID"}))
            .send()
            .await?
            .error_for_status()?;
        for (step, bytes) in [("document_front", &front), ("document_back", &back)] {
            let up = post(format!("{api}/upload/{step}"), Some(bytes.clone())).await?;
            anyhow::ensure!(
                up["verdict"]["accepted"] == json!(true),
                "{step} refused: {up}"
            );
        }
        let started = Instant::now();
        let up = post(format!("{api}/upload/selfie"), Some(selfie.clone())).await?;
        anyhow::ensure!(
            up["verdict"]["accepted"] == json!(true),
            "selfie refused: {up}"
        );
        let finishing = Instant::now();
        let done = post(format!("{api}/finish"), None).await?;
        if done["status"] != json!("Approved") && outcomes.is_empty() {
            let id = created["session_id"].as_str().unwrap_or_default();
            let decision: Value = client
                .get(format!("{base}/v3/session/{id}/decision/"))
                .header("x-api-key", &bench.api_key)
                .send()
                .await?
                .json()
                .await?;
            for array in [
                "id_verifications",
                "liveness_checks",
                "face_matches",
                "aml_screenings",
            ] {
                for e in decision[array].as_array().into_iter().flatten() {
                    let risks: Vec<&str> = e["warnings"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|w| w["risk"].as_str())
                        .collect();
                    println!("  {array}: {} score {} {risks:?}", e["status"], e["score"]);
                }
            }
        }
        if i > 0 {
            finish_only.push(finishing.elapsed());
            last_upload.push(started.elapsed());
            outcomes.push(done["status"].as_str().unwrap_or("?").to_owned());
        }
    }
    bench.stop();
    last_upload.sort();
    finish_only.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let approved = outcomes.iter().filter(|s| *s == "Approved").count();
    println!(
        "kyc: {} sessions (ID card front+back, selfie, liveness, face match, AML{}), {approved} Approved",
        last_upload.len(),
        if lists.is_some() { "" } else { " without lists" },
    );
    println!(
        "  last upload -> decision: p50 {:.0} ms, p99 {:.0} ms",
        ms(percentile(&last_upload, 0.5)),
        ms(percentile(&last_upload, 0.99))
    );
    println!(
        "  finish call only:        p50 {:.0} ms, p99 {:.0} ms",
        ms(percentile(&finish_only, 0.5)),
        ms(percentile(&finish_only, 0.99))
    );
    if approved != outcomes.len() {
        println!("  outcomes: {outcomes:?}");
    }
    Ok(())
}
