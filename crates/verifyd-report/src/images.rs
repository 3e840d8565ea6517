//! Turning caller-supplied image bytes into small JPEGs for the PDF.
//!
//! Inputs are untrusted uploads (document photos, selfies), so decoding runs under tight `image`
//! limits and any failure is reported as a reason string for the PDF instead of an error: one bad
//! image must not cost the reviewer the whole report. Images are downscaled because a 12-megapixel
//! phone photo printed in a 170-point box is wasted bytes, and re-encoded as baseline JPEG so the
//! PDF can carry them as `DCTDecode` without another codec.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageReader, Limits, RgbImage};

use crate::layout::Jpeg;

/// Longest side after downscaling: about 2.5 pixels per point in the report's image boxes.
const MAX_SIDE: u32 = 480;
/// Decoder limits: larger than any ID photo, small enough that a crafted header cannot make us
/// allocate gigabytes.
const MAX_DIM: u32 = 12_000;
const MAX_ALLOC: u64 = 256 * 1024 * 1024;
const JPEG_QUALITY: u8 = 82;

/// Decode, downscale and re-encode one image, or say why it could not be used.
pub(crate) fn prepare(bytes: &[u8]) -> Result<Jpeg, String> {
    if bytes.is_empty() {
        return Err("no image data".to_owned());
    }
    // Decoders for untrusted data are fuzzed, but a panic here would take down the request for one
    // photo's sake; treat it like any other undecodable image.
    std::panic::catch_unwind(|| decode_and_shrink(bytes))
        .unwrap_or_else(|_| Err("image decoder failed".to_owned()))
}

fn decode_and_shrink(bytes: &[u8]) -> Result<Jpeg, String> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| format!("unreadable image ({e})"))?;
    if reader.format().is_none() {
        return Err("not a recognised image format".to_owned());
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIM);
    limits.max_image_height = Some(MAX_DIM);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let img = reader
        .decode()
        .map_err(|e| format!("could not decode image ({e})"))?;
    let img = if img.width() > MAX_SIDE || img.height() > MAX_SIDE {
        img.thumbnail(MAX_SIDE, MAX_SIDE)
    } else {
        img
    };
    let rgb = flatten_on_white(&img);
    let (width, height) = rgb.dimensions();
    if width == 0 || height == 0 {
        return Err("empty image".to_owned());
    }
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode_image(&rgb)
        .map_err(|e| format!("could not re-encode image ({e})"))?;
    Ok(Jpeg {
        bytes: out,
        width,
        height,
    })
}

/// JPEG has no alpha: composite transparent pixels onto white rather than black.
fn flatten_on_white(img: &DynamicImage) -> RgbImage {
    if !img.color().has_alpha() {
        return img.to_rgb8();
    }
    let rgba = img.to_rgba8();
    let (w, h) = rgba.dimensions();
    let mut out = RgbImage::new(w, h);
    for (dst, src) in out.pixels_mut().zip(rgba.pixels()) {
        let a = u16::from(src.0[3]);
        for k in 0..3 {
            let v = (u16::from(src.0[k]) * a + 255 * (255 - a)) / 255;
            dst.0[k] = u8::try_from(v).unwrap_or(255);
        }
    }
    out
}
