//! Integration tests: synthetic documents, the ICAO specimen (when `shared/` is present), hostile
//! input and the document checks.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::NaiveDate;
use verifyd_documents::checks::codes;
use verifyd_documents::synth::{
    random_fields, with_dates, years_before, Degradation, Renderer, SynthKind,
};
use verifyd_documents::{
    DocumentError, DocumentPolicy, DocumentReader, DocumentType, ExpectedDetails, FeatureStatus,
    ReadOptions, ReaderConfig,
};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
}

fn reader() -> &'static DocumentReader {
    static READER: OnceLock<DocumentReader> = OnceLock::new();
    READER.get_or_init(|| {
        DocumentReader::new(&ReaderConfig::default()).expect("models in models/ocr")
    })
}

fn renderer() -> &'static Renderer {
    static RENDERER: OnceLock<Renderer> = OnceLock::new();
    RENDERER.get_or_init(|| Renderer::new().unwrap())
}

fn shared() -> Option<PathBuf> {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared"));
    p.join("testdata/documents").is_dir().then_some(p)
}

fn risks(v: &verifyd_documents::IdVerification) -> Vec<String> {
    v.warnings.iter().map(|w| w.risk.clone()).collect()
}

#[test]
fn reader_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<DocumentReader>();
}

#[test]
fn clean_synthetic_passport_reads_exactly() {
    let doc = renderer()
        .render(SynthKind::Passport, today(), &Degradation::clean(), 7)
        .unwrap();
    let reading = reader()
        .read(&doc.front, None, &ReadOptions::new(today()))
        .unwrap();
    assert_eq!(reading.mrz_lines(), Some(doc.mrz_lines.as_slice()));
    let v = reading.evaluate(&DocumentPolicy::new(today()));
    assert_eq!(v.document_type, Some(DocumentType::Passport));
    assert_eq!(
        v.document_number.as_deref(),
        Some(doc.fields.document_number.as_str())
    );
    assert_eq!(v.date_of_birth, doc.fields.birth_date);
    assert!(reading.portrait_jpeg.is_some(), "portrait cropped");
    assert_eq!(v.status, FeatureStatus::Approved, "{:?}", v.warnings);
    assert_eq!(v.issuing_state, v.country);
}

#[test]
fn synthetic_id_card_reads_from_the_back() {
    let doc = renderer()
        .render(SynthKind::IdCard, today(), &Degradation::clean(), 11)
        .unwrap();
    let reading = reader()
        .read(&doc.front, doc.back.as_deref(), &ReadOptions::new(today()))
        .unwrap();
    assert_eq!(reading.mrz_lines(), Some(doc.mrz_lines.as_slice()));
    assert_eq!(reading.zone_side, Some(verifyd_documents::Side::Back));
    let v = reading.evaluate(&DocumentPolicy::new(today()));
    assert_eq!(v.document_type, Some(DocumentType::IdentityCard));
    assert_eq!(v.mrz.as_ref().map(|m| m.format.as_str()), Some("TD1"));
}

#[test]
fn degraded_synthetic_documents_read_exactly() {
    let d = Degradation {
        angle_deg: 4.0,
        quarter_turns: 1,
        perspective: 0.02,
        blur_sigma: 0.6,
        noise: 4.0,
        jpeg_quality: 70,
        fill: 0.75,
        px_per_mm: 8.0,
    };
    for (seed, kind) in [(21, SynthKind::Passport), (22, SynthKind::IdCard)] {
        let doc = renderer().render(kind, today(), &d, seed).unwrap();
        let reading = reader()
            .read(
                &doc.front,
                doc.back.as_deref(),
                &ReadOptions {
                    today: today(),
                    read_visual_zone: false,
                },
            )
            .unwrap();
        assert_eq!(
            reading.mrz_lines(),
            Some(doc.mrz_lines.as_slice()),
            "{kind:?}"
        );
    }
}

#[test]
fn icao_specimen_reads_as_eriksson() {
    let Some(shared) = shared() else {
        eprintln!("shared/ absent: skipping the ICAO specimen");
        return;
    };
    let bytes = std::fs::read(shared.join("testdata/documents/tests_passport-td3.jpg")).unwrap();
    let (v, reading) = reader()
        .verify(&bytes, None, &DocumentPolicy::new(today()))
        .unwrap();
    let zone = reading.zone.expect("zone found");
    assert_eq!(zone.mrz.surname, "ERIKSSON");
    assert_eq!(zone.mrz.given_names, "ANNA MARIA");
    assert!(
        zone.mrz.is_valid(),
        "{:?} {:?}",
        zone.mrz.lines,
        zone.mrz.problems
    );
    assert_eq!(
        v.last_name.as_deref().map(str::to_uppercase).as_deref(),
        Some("ERIKSSON")
    );
    assert_eq!(v.document_type, Some(DocumentType::Passport));
    assert_eq!(v.issuing_state.as_deref(), Some("UTO"));
    // The specimen expired in 2012.
    assert!(risks(&v).contains(&codes::DOCUMENT_EXPIRED.to_owned()));
    assert_eq!(v.status, FeatureStatus::Declined);
}

#[test]
fn bad_input_is_a_clear_error() {
    let r = reader();
    let opts = ReadOptions::new(today());
    assert!(matches!(
        r.read(b"definitely not an image", None, &opts),
        Err(DocumentError::UnsupportedFormat)
    ));
    assert!(matches!(
        r.read(b"", None, &opts),
        Err(DocumentError::UnsupportedFormat)
    ));

    // A truncated JPEG: an error or an unreadable document, never a panic.
    let doc = renderer()
        .render(SynthKind::Passport, today(), &Degradation::clean(), 3)
        .unwrap();
    let cut = &doc.front[..doc.front.len() / 3];
    match r.read(cut, None, &opts) {
        Err(DocumentError::Decode(_)) => {}
        Ok(reading) => assert_ne!(reading.mrz_lines(), Some(doc.mrz_lines.as_slice())),
        Err(other) => panic!("unexpected error {other}"),
    }

    // A header claiming 20000×20000 pixels is refused before decoding.
    let mut png = Vec::new();
    png.extend_from_slice(b"\x89PNG\r\n\x1a\n");
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&20_000u32.to_be_bytes());
    ihdr.extend_from_slice(&20_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(b"IHDR");
    png.extend_from_slice(&ihdr);
    png.extend_from_slice(&crc32(b"IHDR", &ihdr).to_be_bytes());
    // A few bytes of (incomplete) image data, then the end: a 60-byte file.
    let idat = [0x78, 0x9c, 0x63, 0x00, 0x00];
    png.extend_from_slice(&(idat.len() as u32).to_be_bytes());
    png.extend_from_slice(b"IDAT");
    png.extend_from_slice(&idat);
    png.extend_from_slice(&crc32(b"IDAT", &idat).to_be_bytes());
    png.extend_from_slice(&0u32.to_be_bytes());
    png.extend_from_slice(b"IEND");
    png.extend_from_slice(&crc32(b"IEND", &[]).to_be_bytes());
    let result = r.read(&png, None, &opts);
    assert!(
        matches!(result, Err(DocumentError::TooLarge { width: 20_000, .. })),
        "{result:?}"
    );

    // A real decompression bomb: 7000×7000 black pixels compress to a few tens of kilobytes.
    let bomb = image::GrayImage::new(7000, 7000);
    let mut bytes = Vec::new();
    image::DynamicImage::ImageLuma8(bomb)
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .unwrap();
    assert!(bytes.len() < 1_000_000);
    assert!(matches!(
        r.read(&bytes, None, &opts),
        Err(DocumentError::TooLarge { .. })
    ));
}

/// CRC-32 (IEEE) of a PNG chunk's type and data.
fn crc32(kind: &[u8], data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for b in kind.iter().chain(data) {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn an_image_without_a_document_is_not_recognised() {
    let img = image::RgbImage::from_fn(640, 480, |x, y| {
        image::Rgb([(x % 200) as u8, (y % 150) as u8, 90])
    });
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .unwrap();
    let (v, _) = reader()
        .verify(&bytes, None, &DocumentPolicy::new(today()))
        .unwrap();
    assert!(
        risks(&v).contains(&codes::COULD_NOT_RECOGNIZE_DOCUMENT.to_owned()),
        "{:?}",
        risks(&v)
    );
    assert_eq!(v.status, FeatureStatus::Declined);
}

#[test]
fn expired_and_under_age_documents_are_declined() {
    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(5);
    let (fields, surname, given) = random_fields(&mut rng, SynthKind::Passport, today());
    // Expired last year, holder 16 years old.
    let fields = with_dates(fields, years_before(today(), 16), years_before(today(), 1));
    let doc = renderer()
        .render_fields(&fields, &surname, &given, &Degradation::clean(), 5)
        .unwrap();
    let reading = reader()
        .read(&doc.front, None, &ReadOptions::new(today()))
        .unwrap();
    assert_eq!(reading.mrz_lines(), Some(doc.mrz_lines.as_slice()));

    let mut policy = DocumentPolicy::new(today());
    policy.minimum_age = Some(18);
    let v = reading.evaluate(&policy);
    let r = risks(&v);
    assert!(r.contains(&codes::DOCUMENT_EXPIRED.to_owned()), "{r:?}");
    assert!(r.contains(&codes::MINIMUM_AGE_NOT_MET.to_owned()), "{r:?}");
    assert_eq!(v.age, Some(16));
    assert_eq!(v.status, FeatureStatus::Declined);

    // The same reading against other policies: type not accepted, expected details differ.
    let mut policy = DocumentPolicy::new(today());
    policy.expected_document_types = vec![DocumentType::IdentityCard];
    policy.expected_details = Some(ExpectedDetails {
        first_name: Some("Somebody".into()),
        last_name: Some(surname.to_lowercase()),
        date_of_birth: fields.birth_date,
        ..ExpectedDetails::default()
    });
    let r = risks(&reading.evaluate(&policy));
    assert!(
        r.contains(&codes::DOCUMENT_NOT_SUPPORTED_FOR_APPLICATION.to_owned()),
        "{r:?}"
    );
    assert!(r.contains(&codes::DATA_INCONSISTENT.to_owned()), "{r:?}");

    // Matching details (accent-, case- and order-insensitive) raise nothing.
    let mut policy = DocumentPolicy::new(today());
    policy.expected_details = Some(ExpectedDetails {
        first_name: Some(given.to_lowercase()),
        last_name: Some(surname.clone()),
        date_of_birth: fields.birth_date,
        ..ExpectedDetails::default()
    });
    let r = risks(&reading.evaluate(&policy));
    assert!(!r.contains(&codes::DATA_INCONSISTENT.to_owned()), "{r:?}");
}

#[test]
fn the_result_serialises_to_the_contract_shape() {
    let doc = renderer()
        .render(SynthKind::Passport, today(), &Degradation::clean(), 9)
        .unwrap();
    let (v, _) = reader()
        .verify(&doc.front, None, &DocumentPolicy::new(today()))
        .unwrap();
    let json = serde_json::to_value(&v).unwrap();
    for key in [
        "node_id",
        "status",
        "document_type",
        "document_number",
        "personal_number",
        "first_name",
        "last_name",
        "full_name",
        "date_of_birth",
        "age",
        "expiration_date",
        "date_of_issue",
        "issuing_state",
        "issuing_state_name",
        "country",
        "nationality",
        "gender",
        "mrz",
        "portrait_image",
        "warnings",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    assert_eq!(json["document_type"], "P");
    let back: verifyd_documents::IdVerification = serde_json::from_value(json).unwrap();
    assert_eq!(back, v);
}

/// `cargo test -p verifyd-documents --release -- --ignored --nocapture bench` prints the figures.
#[test]
#[ignore = "slow: the benchmark"]
fn bench_figures() {
    let n: usize = std::env::var("DOCS_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let report = verifyd_documents::bench::bench_synthetic(reader(), n, 1, today(), true).unwrap();
    println!("{}", serde_json::to_string_pretty(&report).unwrap());
    if let Some(shared) = shared() {
        let s = verifyd_documents::bench::eval_specimens(
            reader(),
            &shared.join("testdata/documents"),
            today(),
        )
        .unwrap();
        println!("{}", serde_json::to_string_pretty(&s).unwrap());
    }
}
