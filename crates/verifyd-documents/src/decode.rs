//! Turning untrusted upload bytes into pixels, safely.
//!
//! Uploads are hostile by default: a 30 kB PNG can declare 50 000 × 50 000 pixels and ask for
//! gigabytes. The header is read first and anything above the pixel limit is refused before a
//! single pixel is decoded; the decoder then runs under `image::Limits` as a second fence (some
//! formats only reveal sizes of inner frames while decoding). EXIF orientation is applied so a
//! phone photo taken sideways reaches the reader upright.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageReader, Limits};

use crate::DocumentError;

/// Default pixel limit: 40 megapixels.
pub const DEFAULT_MAX_PIXELS: u64 = 40_000_000;
/// Smallest side of an image that can hold a readable document.
const MIN_SIDE: u32 = 32;

/// Decodes `bytes` (JPEG, PNG, WebP, TIFF or BMP), refusing images above `max_pixels`, and
/// applies the EXIF orientation.
pub fn decode_image(bytes: &[u8], max_pixels: u64) -> Result<DynamicImage, DocumentError> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| DocumentError::Decode(e.to_string()))?;
    if reader.format().is_none() {
        return Err(DocumentError::UnsupportedFormat);
    }
    // Header only: no pixel data is touched here.
    // Decoders allocate no pixel buffer until asked to decode, so the header can be read
    // without limits (with them, a huge header would fail as a generic limit error).
    let mut header = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| DocumentError::Decode(e.to_string()))?;
    header.no_limits();
    let (width, height) = header.into_dimensions().map_err(map_image_error)?;
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(DocumentError::TooLarge {
            width,
            height,
            limit_pixels: max_pixels,
        });
    }
    if width < MIN_SIDE || height < MIN_SIDE {
        return Err(DocumentError::TooSmall { width, height });
    }
    let mut limits = Limits::default();
    let side = u32::try_from(max_pixels).unwrap_or(u32::MAX);
    limits.max_image_width = Some(side);
    limits.max_image_height = Some(side);
    // RGBA at 16 bits per channel is the largest buffer a decoder may legitimately need.
    limits.max_alloc = Some(max_pixels.saturating_mul(8));
    let mut reader = reader;
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(map_image_error)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(map_image_error)?;
    img.apply_orientation(orientation);
    Ok(img)
}

fn map_image_error(e: image::ImageError) -> DocumentError {
    match e {
        image::ImageError::Unsupported(_) => DocumentError::UnsupportedFormat,
        image::ImageError::Limits(l) => DocumentError::Decode(format!("limits exceeded: {l}")),
        other => DocumentError::Decode(other.to_string()),
    }
}
