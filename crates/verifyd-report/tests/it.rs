//! Integration tests for the session PDF report: structure of the file, the text a reader sees
//! (through poppler's `pdftotext` when installed), and robustness against odd input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Cursor;
use std::path::PathBuf;
use std::process::Command;

use chrono::{TimeZone, Utc};
use image::{ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use serde_json::{json, Value};
use verifyd_report::{render_session_report, ReportImage};

fn full_decision() -> Value {
    serde_json::from_str(include_str!("fixtures/full_decision.json")).unwrap()
}

fn generated_at() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 10, 30, 0).unwrap()
}

/// A card-like test picture: a pale background, a darker "portrait" block and some "text" lines.
fn card(w: u32, h: u32, tint: [u8; 3]) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        let in_portrait = x > w / 16 && x < w / 3 && y > h / 5 && y < h * 4 / 5;
        let in_line = x > w * 2 / 5 && x < w * 9 / 10 && (y * 10 / h) % 2 == 1 && y > h / 5;
        if in_portrait {
            Rgb([tint[0] / 2, tint[1] / 2, tint[2] / 2])
        } else if in_line {
            Rgb([90, 100, 115])
        } else {
            let shade = u8::try_from(230 - (x * 20 / w)).unwrap();
            Rgb([shade.min(tint[0] + 120), shade.min(tint[1] + 120), shade])
        }
    })
}

fn encode(img: &image::DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

fn sample_images() -> Vec<ReportImage> {
    let front = image::DynamicImage::ImageRgb8(card(1600, 1010, [40, 90, 160]));
    let back = image::DynamicImage::ImageRgb8(card(1012, 640, [120, 60, 140]));
    // A portrait PNG with transparency: must come out on white, not black.
    let portrait = image::DynamicImage::ImageRgba8(RgbaImage::from_fn(300, 400, |x, y| {
        let dx = i64::from(x) - 150;
        let dy = i64::from(y) - 170;
        if dx * dx + dy * dy < 110 * 110 {
            Rgba([200, 160, 130, 255])
        } else {
            Rgba([0, 0, 0, 0])
        }
    }));
    let selfie = image::DynamicImage::ImageRgb8(RgbImage::from_fn(480, 640, |x, y| {
        Rgb([
            u8::try_from(120 + x * 100 / 480).unwrap(),
            u8::try_from(100 + y * 80 / 640).unwrap(),
            140,
        ])
    }));
    vec![
        ReportImage {
            label: "Document front".into(),
            bytes: encode(&front, ImageFormat::Jpeg),
        },
        ReportImage {
            label: "Document back".into(),
            bytes: encode(&back, ImageFormat::Png),
        },
        ReportImage {
            label: "Portrait".into(),
            bytes: encode(&portrait, ImageFormat::Png),
        },
        ReportImage {
            label: "Selfie".into(),
            bytes: encode(&selfie, ImageFormat::Jpeg),
        },
    ]
}

/// Checks every PDF must pass: header, trailer, at least one page.
fn assert_pdf_shape(pdf: &[u8]) -> usize {
    assert!(pdf.starts_with(b"%PDF-"), "missing %PDF- header");
    let end = pdf
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    assert!(pdf[..end].ends_with(b"%%EOF"), "missing %%EOF trailer");
    let pages =
        count(pdf, b"/Type /Page\n") + count(pdf, b"/Type /Page\r") + count(pdf, b"/Type /Page ");
    let pages = pages.max(count(pdf, b"/Type /Page>"));
    assert!(pages >= 1, "no pages");
    pages
}

fn count(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).filter(|w| *w == needle).count()
}

fn out_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("verifyd-report-it-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Text of the PDF via poppler's `pdftotext`, or `None` when it is not installed.
fn pdftotext(pdf: &[u8], name: &str) -> Option<String> {
    let path = out_dir().join(format!("{name}.pdf"));
    std::fs::write(&path, pdf).unwrap();
    // Keep a copy for a human to look at when asked to.
    if let Ok(dir) = std::env::var("VERIFYD_REPORT_OUT") {
        std::fs::write(PathBuf::from(dir).join(format!("{name}.pdf")), pdf).unwrap();
    }
    let out = match Command::new("pdftotext").arg(&path).arg("-").output() {
        Ok(out) => out,
        Err(_) => {
            eprintln!("pdftotext not installed (Debian poppler-utils): text checks skipped");
            return None;
        }
    };
    assert!(
        out.status.success(),
        "pdftotext rejected the PDF: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap())
}

/// pdftotext wraps at layout boundaries; compare with whitespace collapsed.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn full_decision_renders_every_section() {
    let pdf = render_session_report(&full_decision(), &sample_images(), generated_at()).unwrap();
    let pages = assert_pdf_shape(&pdf);
    assert!(
        pages >= 3,
        "expected the long AML list to break pages, got {pages}"
    );
    assert_eq!(
        count(&pdf, b"/Subtype /Image"),
        4,
        "all four images embedded"
    );

    let Some(text) = pdftotext(&pdf, "full") else {
        return;
    };
    let text = squash(&text);
    for needle in [
        // identity
        "3f2b9c1e-8d4a-4b7e-9f61-2c5d7a9e0b13",
        "48213",
        "customer-7781-eu",
        "9a7c2e10-4b3d-4f8e-a1c2-6d5e4f3a2b10",
        "2026-11-20 09:14 UTC",
        "Declined",
        // document
        "Identity Card",
        "CAA000000",
        "José",
        "Müller García",
        "1987-04-12",
        "2031-06-01",
        "ESP",
        // liveness, face match
        "PASSIVE",
        "95.4",
        "61.7",
        // AML
        "48 hits",
        "José Müller",
        "EU Financial Sanctions",
        "Confirmed Match",
        // phone, email, IP, PoA, DB, questionnaire
        "+34612345678",
        "Telefónica Móviles España",
        "jose.muller@example.com",
        "Canva",
        "83.56.112.7",
        "Iberdrola Clientes S.A.U.",
        "Dirección General de la Policía",
        "Source of funds",
        "Salary",
        // a feature the report has no special code for
        "Signatures",
        "Terms of service v7",
        // warnings
        "POA_ADDRESS_MISMATCH",
        "LOW_FACE_MATCH_SIMILARITY",
        "ERROR",
        "Address does not match",
        // review history
        "Confirmed EU sanctions match; onboarding refused.",
        "In Review -> Declined",
        "ana.compliance@example.com",
        // images and footer
        "Document front",
        "Selfie",
        "Generated 2026-11-23 10:30 UTC",
        "Page 1 of",
        // CJK cannot be shown in Helvetica: replaced, and the report says so
        "transliterated or shown as '?'",
    ] {
        assert!(
            text.contains(needle),
            "{needle:?} missing from the report text"
        );
    }
    assert!(!text.contains("日本"));
    assert!(
        !text.contains("https://media.example.invalid"),
        "presigned media URLs are not printed"
    );
}

#[test]
fn minimal_decision_renders() {
    let decision = json!({
        "session_id": "0d0c5a8e-1111-4222-8333-944455556666",
        "status": "Not Started",
        "id_verifications": [], "liveness_checks": [], "face_matches": [], "aml_screenings": [],
        "phone_verifications": [], "email_verifications": [], "poa_verifications": [],
        "ip_analyses": [], "database_validations": [], "nfc_verifications": [],
        "questionnaire_responses": [], "reviews": []
    });
    let pdf = render_session_report(&decision, &[], generated_at()).unwrap();
    assert_eq!(assert_pdf_shape(&pdf), 1);
    if let Some(text) = pdftotext(&pdf, "minimal") {
        let text = squash(&text);
        assert!(text.contains("0d0c5a8e-1111-4222-8333-944455556666"));
        assert!(text.contains("Not Started"));
        assert!(text.contains("No checks have run for this session."));
        assert!(text.contains("No warnings were raised."));
        assert!(text.contains("No review activity recorded."));
    }
}

#[test]
fn bad_image_bytes_are_skipped_with_a_note() {
    let mut images = sample_images();
    images.truncate(1);
    images.push(ReportImage {
        label: "Selfie".into(),
        bytes: b"definitely not a JPEG".to_vec(),
    });
    images.push(ReportImage {
        label: "Portrait".into(),
        // A PNG signature followed by junk: recognised, then fails to decode.
        bytes: b"\x89PNG\r\n\x1a\n\0\0\0\rIHDRjunkjunkjunk".to_vec(),
    });
    images.push(ReportImage {
        label: "Back".into(),
        bytes: Vec::new(),
    });
    let pdf = render_session_report(&full_decision(), &images, generated_at()).unwrap();
    assert_pdf_shape(&pdf);
    assert_eq!(count(&pdf, b"/Subtype /Image"), 1);
    if let Some(text) = pdftotext(&pdf, "bad-images") {
        let text = squash(&text);
        assert!(text.contains("Selfie: not shown"), "{text}");
        assert!(text.contains("Portrait: not shown"));
        assert!(text.contains("Back: not shown, no image data."));
    }
}

#[test]
fn odd_json_never_fails() {
    let odd = [
        Value::Null,
        json!([1, 2, 3]),
        json!("a string"),
        json!({}),
        json!({
            "session_id": 12,
            "session_number": "not a number",
            "status": {"nested": true},
            "created_at": "yesterday",
            "features": "ID_VERIFICATION",
            "metadata": [1, 2],
            "id_verifications": "oops",
            "liveness_checks": [null, 3, "x", {"score": "high", "status": 7}],
            "face_matches": [{"score": 1e300, "warnings": "none"}],
            "aml_screenings": [{"hits": [null, {"match_score": "x"}, {"caption": ""}, 5], "total_hits": -1}],
            "warnings": [3, "BARE_CODE", {"risk": null}, {"code": "ALT_CODE", "log_type": 9}],
            "reviews": [{}, null, {"new_status": "Approved"}],
            "brand_new_feature_checks": [{"node_id": "n1", "status": "Approved", "deep": {"deeper": {"deepest": 1}}, "list": [{"a": 1}]}],
            "signatures": [{"signer_name": "\u{0}\u{7}\u{1b}[31m ( unbalanced \\ ) ) ("}]
        }),
    ];
    for (i, d) in odd.iter().enumerate() {
        let pdf = render_session_report(d, &[], generated_at())
            .unwrap_or_else(|e| panic!("case {i} failed: {e}"));
        assert_pdf_shape(&pdf);
        // poppler must be able to read it back, whatever went in.
        let _ = pdftotext(&pdf, &format!("odd-{i}"));
    }
}

#[test]
fn unknown_features_and_non_latin_text_are_listed() {
    let decision = json!({
        "session_id": "5e5e5e5e-0000-4000-8000-000000000001",
        "status": "In Review",
        "brand_new_feature_checks": [{"node_id": "feature_new", "status": "In Review", "provider": "Acme", "confidence": 0.87}],
        "id_verifications": [{"status": "In Review", "full_name": "Łukasz Wałęsa", "last_name": "Жанна Щукина", "first_name": "山田"}]
    });
    let pdf = render_session_report(&decision, &[], generated_at()).unwrap();
    assert_pdf_shape(&pdf);
    if let Some(text) = pdftotext(&pdf, "unknown") {
        let text = squash(&text);
        assert!(text.contains("Brand new feature checks"));
        assert!(text.contains("Acme"));
        assert!(text.contains("0.87"));
        assert!(text.contains("Lukasz Walesa"));
        assert!(text.contains("Zhanna Shchukina"));
        assert!(text.contains("??"));
    }
}

#[test]
fn output_is_deterministic() {
    let a = render_session_report(&full_decision(), &sample_images(), generated_at()).unwrap();
    let b = render_session_report(&full_decision(), &sample_images(), generated_at()).unwrap();
    assert_eq!(a, b);
}

#[test]
fn huge_aml_list_is_capped() {
    let mut d = full_decision();
    let hit = d["aml_screenings"][0]["hits"][0].clone();
    d["aml_screenings"][0]["hits"] = Value::Array(vec![hit; 5000]);
    let pdf = render_session_report(&d, &[], generated_at()).unwrap();
    let pages = assert_pdf_shape(&pdf);
    assert!(
        pages < 20,
        "capped hit list should stay short, got {pages} pages"
    );
    if let Some(text) = pdftotext(&pdf, "huge") {
        assert!(squash(&text).contains("4900 lower-scoring hits are not listed"));
    }
}

#[test]
fn oversized_values_are_cut_not_lost_off_the_page() {
    let long = "word ".repeat(20_000);
    let decision = json!({
        "session_id": "7a7a7a7a-0000-4000-8000-000000000002",
        "status": "Approved",
        "vendor_data": long,
        "reviews": [{"created_at": "2026-11-20T09:19:05Z", "new_status": "Approved", "comment": long}],
        "warnings": [{"risk": "X".repeat(5000), "log_type": "warning"}]
    });
    let pdf = render_session_report(&decision, &[], generated_at()).unwrap();
    let pages = assert_pdf_shape(&pdf);
    assert!(pages <= 4, "got {pages} pages");
}
