//! Test images for the hosted flow: synthetic passports (drawn by `verifyd_documents::synth`
//! with the OCR-B font and a real MRZ) carrying a real, public-domain face as their portrait,
//! photographed on a dark desk. Only committed images are used (`verifyd-faces/tests/fixtures`).

use chrono::NaiveDate;
use image::{imageops, DynamicImage, Rgb, RgbImage};
use rand::SeedableRng;
use std::io::Cursor;
use std::path::PathBuf;

/// The repository root.
pub fn repo(path: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join(path)
}

/// A committed face photo (public domain).
pub fn face(name: &str) -> Vec<u8> {
    std::fs::read(repo("crates/verifyd-faces/tests/fixtures").join(name)).unwrap()
}

/// JPEG bytes of an image.
pub fn jpeg(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(img.clone())
        .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Jpeg)
        .unwrap();
    out
}

/// The holder printed on the test passport.
pub const SURNAME: &str = "LINDQVIST";
/// Given names on the test passport.
pub const GIVEN: &str = "OSCAR EMIL";
/// Its document number.
pub const NUMBER: &str = "X4R7Q29K1";

/// A passport data page whose portrait is the face in `obama.jpg` (its bounding box is pinned
/// by the face engine's golden test: [376, 88, 605, 423] in 910×1137), photographed flat on a
/// dark surface.
pub fn passport_photo(today: NaiveDate) -> Vec<u8> {
    let fields = mrz::MrzFields {
        format: mrz::Format::Td3,
        document_code: "P".to_owned(),
        issuing_state: "NLD".to_owned(),
        surname: SURNAME.to_owned(),
        given_names: GIVEN.to_owned(),
        document_number: NUMBER.to_owned(),
        nationality: "NLD".to_owned(),
        birth_date: NaiveDate::from_ymd_opt(1984, 3, 9),
        sex: mrz::Sex::Male,
        expiry_date: today.checked_add_months(chrono::Months::new(60)),
        optional_data: String::new(),
        optional_data_2: String::new(),
    };
    let ppm = 8.0;
    let renderer = verifyd_documents::synth::Renderer::new().unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let (mut page, _, _) = renderer
        .draw_pages(&fields, SURNAME, GIVEN, ppm, &mut rng)
        .unwrap();
    // The synth layout's portrait box: 32 × 44 mm at (6, 20) mm.
    let source = image::load_from_memory(&face("obama.jpg"))
        .unwrap()
        .to_rgb8();
    let crop = imageops::crop_imm(&source, 258, 0, 465, 640).to_image();
    let (w, h) = ((32.0 * ppm) as u32, (44.0 * ppm) as u32);
    let portrait = imageops::resize(&crop, w, h, imageops::FilterType::Triangle);
    imageops::replace(
        &mut page,
        &portrait,
        (6.0 * ppm) as i64,
        (20.0 * ppm) as i64,
    );
    let mut desk = RgbImage::from_pixel(page.width() + 200, page.height() + 200, Rgb([38, 40, 46]));
    imageops::replace(&mut desk, &page, 100, 100);
    jpeg(&desk)
}

/// A photo with no document in it (a plain landscape-like gradient).
pub fn not_a_document() -> Vec<u8> {
    let img = RgbImage::from_fn(960, 720, |x, y| {
        Rgb([(x / 4) as u8, (y / 3) as u8, ((x + y) / 8) as u8])
    });
    jpeg(&img)
}

/// CRC-32 (PNG chunks), for forging a header.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
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

/// A valid PNG whose header claims `side` × `side` pixels (a decompression bomb's header).
pub fn png_bomb(side: u32) -> Vec<u8> {
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(image::RgbImage::new(400, 300))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    png[16..20].copy_from_slice(&side.to_be_bytes());
    png[20..24].copy_from_slice(&side.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}
