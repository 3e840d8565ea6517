//! Rendering the full fixture decision (every feature, 48 AML hits, four images) end to end:
//! JSON walk, layout, image decode/downscale/re-encode, PDF serialisation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Cursor;

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use verifyd_report::{render_session_report, ReportImage};

fn photo(w: u32, h: u32, format: ImageFormat) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| {
        Rgb([(x % 256) as u8, (y % 256) as u8, ((x ^ y) % 256) as u8])
    });
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(img)
        .write_to(&mut out, format)
        .unwrap();
    out.into_inner()
}

fn bench(c: &mut Criterion) {
    let decision: serde_json::Value =
        serde_json::from_str(include_str!("../tests/fixtures/full_decision.json")).unwrap();
    let at = Utc.with_ymd_and_hms(2026, 11, 23, 10, 30, 0).unwrap();
    // Phone-camera-sized document photos and a selfie, as the hosted flow uploads them.
    let images = vec![
        ReportImage {
            label: "Document front".into(),
            bytes: photo(1600, 1010, ImageFormat::Jpeg),
        },
        ReportImage {
            label: "Document back".into(),
            bytes: photo(1600, 1010, ImageFormat::Jpeg),
        },
        ReportImage {
            label: "Portrait".into(),
            bytes: photo(400, 500, ImageFormat::Png),
        },
        ReportImage {
            label: "Selfie".into(),
            bytes: photo(720, 960, ImageFormat::Jpeg),
        },
    ];
    let mut group = c.benchmark_group("report");
    group.sample_size(20);
    group.bench_function("full_decision_with_images", |b| {
        b.iter(|| render_session_report(&decision, &images, at).unwrap())
    });
    group.bench_function("full_decision_no_images", |b| {
        b.iter(|| render_session_report(&decision, &[], at).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
