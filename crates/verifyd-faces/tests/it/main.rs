//! Integration tests for the face engine (one test binary per crate).
//!
//! Committed fixtures (tests/fixtures/) are public-domain photos: obama.jpg,
//! obama2.jpg, biden.jpg (White House) and astronaut.png (NASA). The shared
//! test faces (press photos, not redistributable) are used when
//! `../shared/testdata/faces` is present and skipped with a note otherwise.

// Test helpers outside #[test] fns are test code too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::io::Cursor;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use image::RgbImage;
use verifyd_faces::report::{ApiStatus, FeatureStatus, Thresholds, WarningCode};
use verifyd_faces::*;

fn models_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../models"))
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures")).join(name))
        .unwrap()
}

fn engine() -> &'static FaceEngine {
    static E: OnceLock<FaceEngine> = OnceLock::new();
    E.get_or_init(|| FaceEngine::load(models_dir()).unwrap())
}

fn shared_faces() -> Option<PathBuf> {
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/testdata/faces"
    ));
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("note: ../shared/testdata/faces is absent; skipping the shared-data part");
        None
    }
}

/// Full analysis of a fixture (or, with a `shared:` prefix, a shared test
/// face), cached: the models are the slow part of this suite.
fn analysis(name: &str) -> Arc<FaceAnalysis> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<FaceAnalysis>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(a) = cache.lock().unwrap().get(name) {
        return a.clone();
    }
    let bytes = match name.strip_prefix("shared:") {
        Some(rel) => std::fs::read(shared_faces().unwrap().join(rel)).unwrap(),
        None => fixture(name),
    };
    let a = Arc::new(engine().analyze(&bytes, AnalyzeOptions::full()).unwrap());
    cache.lock().unwrap().insert(name.to_owned(), a.clone());
    a
}

fn score(a: &str, b: &str) -> f32 {
    engine().compare(&analysis(a), &analysis(b)).unwrap().score
}

fn png(img: &RgbImage) -> Vec<u8> {
    let mut buf = Vec::new();
    img.write_to(&mut Cursor::new(&mut buf), image::ImageFormat::Png)
        .unwrap();
    buf
}

#[test]
fn same_person_scores_above_70() {
    let s = score("obama.jpg", "obama2.jpg");
    assert!(s > 70.0, "obama vs obama2 scored {s}");
    let check = engine().face_match_check(
        &analysis("obama.jpg"),
        Some(&analysis("obama2.jpg")),
        Thresholds::FACE_MATCH,
    );
    assert_eq!(check.status, FeatureStatus::Approved);
    assert!(check
        .warnings
        .iter()
        .all(|w| w.risk != WarningCode::LowFaceMatchSimilarity));

    let Some(_) = shared_faces() else { return };
    for (a, b) in [
        ("obama3.jpg", "obama-480p.jpg"),
        ("biden.jpg", "biden_biden2.jpg"),
        ("kit_harington_john1.jpeg", "test_johnsnow_test1.jpg"),
        ("rose_leslie_img1.jpg", "rose_leslie_img2.jpg"),
        ("alex_lacamoire_img1.jpg", "alex-lacamoire.png"),
    ] {
        let s = score(&format!("shared:{a}"), &format!("shared:{b}"));
        assert!(s > 70.0, "{a} vs {b} scored {s}");
    }
}

#[test]
fn different_people_score_below_50() {
    for (a, b) in [
        ("obama.jpg", "biden.jpg"),
        ("obama2.jpg", "biden.jpg"),
        ("obama.jpg", "astronaut.png"),
        ("biden.jpg", "astronaut.png"),
    ] {
        let s = score(a, b);
        assert!(s < 50.0, "{a} vs {b} scored {s}");
    }
    let r = engine().face_match_result(&analysis("obama.jpg"), &analysis("biden.jpg"), 30.0);
    assert_eq!(r.status, ApiStatus::Declined);
    assert_eq!(r.warnings[0].risk, WarningCode::LowFaceMatchSimilarity);

    let Some(_) = shared_faces() else { return };
    for (a, b) in [
        ("lin-manuel-miranda.png", "alex-lacamoire.png"),
        ("rose_leslie_img1.jpg", "astronaut.png"),
        ("kit_harington_john2.jpeg", "test_alex_lacamoire1.jpg"),
    ] {
        let s = score(&format!("shared:{a}"), &format!("shared:{b}"));
        assert!(s < 50.0, "{a} vs {b} scored {s}");
    }
}

/// Known images → known numbers. Tolerances allow for tract/CPU float noise,
/// not for a changed preprocessing: a regression there moves these by far more.
#[test]
fn golden_values() {
    let obama = analysis("obama.jpg");
    let main = obama.main.as_ref().unwrap();
    assert_eq!((obama.width, obama.height), (910, 1137));
    let b = main.detection.bbox;
    for (got, want) in b.iter().zip([376.1, 88.6, 605.3, 423.8]) {
        assert!((got - want).abs() < 3.0, "bbox {b:?}");
    }
    let m = engine().compare(&obama, &analysis("obama2.jpg")).unwrap();
    assert!(
        (m.distance - 0.3815).abs() < 0.01,
        "distance {}",
        m.distance
    );
    assert!((m.score - 99.58).abs() < 0.3, "score {}", m.score);
    let live = main.liveness.unwrap().score;
    assert!(live > 95.0, "liveness {live}");
    let age = main.age.unwrap();
    assert!((age.age - 31.18).abs() < 1.0 && age.p_male > 0.8, "{age:?}");
}

#[test]
fn spoofs_score_lower_than_live() {
    let Some(_) = shared_faces() else { return };
    let live = analysis("shared:spoof/image_T1.jpg");
    let l = live.main.as_ref().unwrap().liveness.unwrap().score;
    let check = engine().liveness_check(&live, Thresholds::LIVENESS);
    assert_eq!(check.status, FeatureStatus::Approved, "{check:?}");
    for f in ["shared:spoof/image_F1.jpg", "shared:spoof/image_F2.jpg"] {
        let a = analysis(f);
        let s = a.main.as_ref().unwrap().liveness.unwrap().score;
        assert!(s + 30.0 < l, "{f}: {s} vs live {l}");
        let check = engine().liveness_check(&a, Thresholds::LIVENESS);
        assert_eq!(check.status, FeatureStatus::Declined);
        assert!(check
            .warnings
            .iter()
            .any(|w| w.risk == WarningCode::LivenessFaceAttack));
    }
}

#[test]
fn multiple_faces_warn() {
    // Two public-domain portraits side by side.
    let a = engine().decode(&fixture("obama.jpg")).unwrap();
    let b = engine().decode(&fixture("biden.jpg")).unwrap();
    let b = image::imageops::resize(&b, 480, 1091, image::imageops::FilterType::Triangle);
    let mut canvas = RgbImage::new(a.width() + b.width(), a.height().max(b.height()));
    image::imageops::replace(&mut canvas, &a, 0, 0);
    image::imageops::replace(&mut canvas, &b, i64::from(a.width()), 0);
    let both = engine()
        .analyze(&png(&canvas), AnalyzeOptions::full())
        .unwrap();
    assert_eq!(both.faces.len(), 2);
    assert_eq!(both.other_faces(), 1);
    let check = engine().liveness_check(&both, Thresholds::LIVENESS);
    assert!(check
        .warnings
        .iter()
        .any(|w| w.risk == WarningCode::MultipleFacesDetected));
    assert_ne!(check.status, FeatureStatus::Approved);

    let Some(_) = shared_faces() else { return };
    for f in [
        "two_people.jpg",
        "test_obama_and_biden.jpg",
        "test_kit_with_rose.jpg",
    ] {
        let a = analysis(&format!("shared:{f}"));
        assert!(a.other_faces() >= 1, "{f}");
    }
}

#[test]
fn bad_input_is_an_error_or_warning_never_a_panic() {
    let e = engine();
    assert!(matches!(
        e.analyze(b"definitely not an image", AnalyzeOptions::full()),
        Err(FaceError::NotAnImage)
    ));
    assert!(matches!(
        e.analyze(b"", AnalyzeOptions::full()),
        Err(FaceError::NotAnImage)
    ));

    // Truncated JPEG: an error (or, if the decoder pads it, an analysis), never a panic.
    let jpg = fixture("obama.jpg");
    for cut in [20, 600, jpg.len() / 3] {
        match e.analyze(&jpg[..cut], AnalyzeOptions::full()) {
            Ok(_) => {}
            Err(err) => assert!(err.is_input_error(), "{err}"),
        }
    }

    // A 20000×20000 PNG header with nothing behind it: refused before decoding.
    let huge = png_header(20_000, 20_000);
    match e.analyze(&huge, AnalyzeOptions::full()) {
        Err(FaceError::TooLarge { width, height, .. }) => {
            assert_eq!((width, height), (20_000, 20_000))
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }

    // A valid image without a face: analysis succeeds, with warnings downstream.
    let blank = RgbImage::from_fn(640, 480, |x, y| {
        image::Rgb([(x / 3) as u8, (y / 2) as u8, 128])
    });
    let none = e.analyze(&png(&blank), AnalyzeOptions::full()).unwrap();
    assert!(none.main.is_none() && none.faces.is_empty());
    let live = e.liveness_check(&none, Thresholds::LIVENESS);
    assert_eq!(live.status, FeatureStatus::Declined);
    assert_eq!(live.warnings[0].risk, WarningCode::NoFaceDetected);
    let fm = e.face_match_result(&analysis("obama.jpg"), &none, 30.0);
    assert_eq!(fm.status, ApiStatus::Declined);
    assert_eq!(fm.score, None);
    assert_eq!(fm.warnings[0].risk, WarningCode::NoReferenceImage);
    let check = e.face_match_check(&analysis("obama.jpg"), None, Thresholds::FACE_MATCH);
    assert_eq!(check.warnings[0].risk, WarningCode::NoReferenceImage);

    // Tiny image.
    let tiny = RgbImage::new(8, 8);
    assert!(matches!(
        e.analyze(&png(&tiny), AnalyzeOptions::full()),
        Err(FaceError::TooSmall { .. })
    ));
}

/// A PNG announcing `w`×`h` RGB whose only image data is a tiny zlib stream
/// (a decompression-bomb shape: the header lies about what follows).
fn png_header(w: u32, h: u32) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let mut out = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    let mut push = |kind: &[u8], data: &[u8]| {
        let mut chunk = kind.to_vec();
        chunk.extend_from_slice(data);
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend_from_slice(&chunk);
        out.extend_from_slice(&crc32(&chunk).to_be_bytes());
    };
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    push(b"IHDR", &ihdr);
    push(b"IDAT", &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    push(b"IEND", &[]);
    out
}

#[test]
fn rotated_upload_is_found_with_rotate_image() {
    let img = engine().decode(&fixture("obama2.jpg")).unwrap();
    let sideways = png(&image::imageops::rotate90(&img));
    let plain = engine()
        .analyze(&sideways, AnalyzeOptions::default())
        .unwrap();
    let turned = engine()
        .analyze(
            &sideways,
            AnalyzeOptions {
                rotate: true,
                ..AnalyzeOptions::default()
            },
        )
        .unwrap();
    let main = turned.main.as_ref().unwrap();
    assert_eq!(turned.best_angle, 270);
    let _ = plain;
    let s = engine()
        .compare_templates(
            &main.template,
            &analysis("obama.jpg").main.as_ref().unwrap().template,
        )
        .score;
    assert!(s > 70.0, "{s}");
}

#[test]
fn wire_shapes_match_the_contract() {
    let r = engine().face_match_result(&analysis("obama.jpg"), &analysis("obama2.jpg"), 30.0);
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["status"], "Approved");
    assert!(v["score"].as_f64().unwrap() > 70.0);
    let ent = &v["user_image"]["entities"][0];
    assert_eq!(ent["bbox"].as_array().unwrap().len(), 4);
    assert_eq!(ent["gender"], "male");
    assert!(ent["race"].is_null());
    assert_eq!(v["user_image"]["best_angle"], 0);
    assert_eq!(v["warnings"], serde_json::json!([]));

    let live = engine().liveness_check(&analysis("obama.jpg"), Thresholds::LIVENESS);
    let v = serde_json::to_value(&live).unwrap();
    assert_eq!(v["method"], "PASSIVE");
    assert_eq!(v["status"], "Approved");
    assert!(v["age_estimation"].as_f64().unwrap() > 18.0);
    for key in [
        "node_id",
        "score",
        "warnings",
        "face_quality",
        "face_luminance",
    ] {
        assert!(v.get(key).is_some(), "{key}");
    }

    let age = engine().age_estimation_result(&analysis("obama.jpg"), 30.0, 18.0);
    assert_eq!(age.status, ApiStatus::Approved);
    let age = engine().age_estimation_result(&analysis("obama.jpg"), 30.0, 70.0);
    assert_eq!(age.status, ApiStatus::Declined);
    assert_eq!(age.warnings[0].risk, WarningCode::AgeBelowMinimum);
}

#[test]
fn index_finds_enrolled_faces() {
    let mut index: FaceIndex<&str> = FaceIndex::new();
    for f in ["obama.jpg", "biden.jpg", "astronaut.png"] {
        let t = analysis(f).main.as_ref().unwrap().template.clone();
        // Through the storage format, as the server will do.
        index.insert(f, &Template::from_bytes(&t.to_bytes()).unwrap());
    }
    let q = analysis("obama2.jpg")
        .main
        .as_ref()
        .unwrap()
        .template
        .clone();
    let cal = engine().config().calibration;
    let hits = index.search(&q, 2, 0.0, &cal);
    assert_eq!(hits[0].id, "obama.jpg");
    assert!(hits[0].score > 70.0 && hits[1].score < 50.0, "{hits:?}");
    assert_eq!(index.search(&q, 5, 50.0, &cal).len(), 1);
}

#[test]
fn eval_on_shared_pairs_separates_perfectly() {
    let Some(dir) = shared_faces() else { return };
    let pairs = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/testdata_faces.pairs"
    ));
    let r =
        eval::evaluate_pairs(engine(), &pairs, Some(&dir), eval::EvalOptions::default()).unwrap();
    assert_eq!((r.genuine_pairs, r.impostor_pairs), (18, 118));
    assert_eq!(r.failed_to_enroll, 0);
    assert_eq!(r.eer, 0.0);
    assert_eq!(r.at_far_1e2.tar, 1.0);
    assert!(r.genuine.min > 70.0 && r.impostor.max < 50.0, "{r:?}");
}

/// Calibration run with augmentations (slow): `cargo test -p verifyd-faces
/// --release -- --ignored calibrate --nocapture`.
#[test]
#[ignore]
fn calibrate() {
    let Some(dir) = shared_faces() else { return };
    let pairs = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/testdata_faces.pairs"
    ));
    let r = eval::evaluate_pairs(
        engine(),
        &pairs,
        Some(&dir),
        eval::EvalOptions { augment: true },
    )
    .unwrap();
    println!("{}", serde_json::to_string_pretty(&r).unwrap());
}

/// Latency: `cargo test -p verifyd-faces --release -- --ignored bench_run --nocapture`.
#[test]
#[ignore]
fn bench_run() {
    let r = bench::bench(engine(), &fixture("obama.jpg"), 10, 100_000).unwrap();
    println!("{}", serde_json::to_string_pretty(&r).unwrap());
}

#[test]
fn exif_orientation_is_honoured() {
    // Store obama2 turned 90° counter-clockwise with EXIF orientation 6
    // ("rotate 90° clockwise to display"), as phones do.
    let upright = engine().decode(&fixture("obama2.jpg")).unwrap();
    let stored = image::imageops::rotate270(&upright);
    let mut jpg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpg, 90)
        .encode_image(&stored)
        .unwrap();
    // APP1 "Exif": little-endian TIFF header, one IFD entry 0x0112 SHORT = 6.
    let mut tiff = b"II*\0".to_vec();
    tiff.extend_from_slice(&8u32.to_le_bytes());
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&0x0112u16.to_le_bytes());
    tiff.extend_from_slice(&3u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&[6, 0, 0, 0]);
    tiff.extend_from_slice(&0u32.to_le_bytes());
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut with_exif = jpg[..2].to_vec();
    with_exif.extend_from_slice(&[0xFF, 0xE1]);
    with_exif.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    with_exif.extend_from_slice(&app1);
    with_exif.extend_from_slice(&jpg[2..]);

    let a = engine()
        .analyze(&with_exif, AnalyzeOptions::default())
        .unwrap();
    assert_eq!((a.width, a.height), (upright.width(), upright.height()));
    let main = a.main.as_ref().unwrap();
    assert!(main.quality.pose.roll_deg.abs() < 20.0);
    let s = engine()
        .compare_templates(
            &main.template,
            &analysis("obama2.jpg").main.as_ref().unwrap().template,
        )
        .score;
    assert!(s > 95.0, "{s}");
}

#[test]
fn quality_gates_flag_blur_and_darkness() {
    let a = analysis("obama.jpg");
    let main = a.main.as_ref().unwrap();
    assert!(main.quality.issues.is_empty(), "{:?}", main.quality);
    let img = engine().decode(&fixture("obama.jpg")).unwrap();
    let eyes = main.quality.eye_distance;

    let blurred = image::imageops::blur(&img, eyes / 10.0);
    let b = engine()
        .analyze_image(&blurred, AnalyzeOptions::default())
        .unwrap();
    let q = &b.main.as_ref().unwrap().quality;
    assert!(q.issues.contains(&QualityIssue::FaceBlurry), "{q:?}");
    assert!(q.face_quality < main.quality.face_quality);

    let dark = image::imageops::brighten(&img, -110);
    let d = engine()
        .analyze_image(&dark, AnalyzeOptions::default())
        .unwrap();
    if let Some(m) = d.main.as_ref() {
        assert!(
            m.quality.issues.contains(&QualityIssue::FaceTooDark),
            "{:?}",
            m.quality
        );
    }

    let small = image::imageops::thumbnail(&img, img.width() / 8, img.height() / 8);
    let s = engine()
        .analyze_image(&small, AnalyzeOptions::default())
        .unwrap();
    if let Some(m) = s.main.as_ref() {
        assert!(
            m.quality.issues.contains(&QualityIssue::FaceTooSmall),
            "{:?}",
            m.quality
        );
    }
}

#[test]
fn selfie_matches_a_small_flat_document_portrait() {
    let img = engine().decode(&fixture("obama2.jpg")).unwrap();
    let eyes = analysis("obama2.jpg")
        .main
        .as_ref()
        .unwrap()
        .quality
        .eye_distance;
    let portrait = eval::Augmentation::DocumentPortrait
        .apply(&img, eyes)
        .unwrap();
    let p = engine()
        .analyze_image(&portrait, AnalyzeOptions::default())
        .unwrap();
    let check = engine().face_match_check(&analysis("obama.jpg"), Some(&p), Thresholds::FACE_MATCH);
    assert_eq!(check.status, FeatureStatus::Approved, "{check:?}");
    let other = engine().face_match_check(&analysis("biden.jpg"), Some(&p), Thresholds::FACE_MATCH);
    assert_eq!(other.status, FeatureStatus::Declined, "{other:?}");
}
