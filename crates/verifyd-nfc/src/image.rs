//! Images stored on the chip: the face in DG2 (an ISO/IEC 19794-5 facial record inside a CBEFF
//! biometric template) and the displayed signature in DG7. Both are JPEG or JPEG 2000.
//!
//! JPEG decodes with the workspace's `image` crate. JPEG 2000 decodes with `hayro-jpeg2000`, a
//! pure-Rust, memory-safe decoder (no C library to build or to trust with hostile input, which
//! is what an OpenJPEG binding such as `jpeg2k` would bring) that covers the Part 1 features
//! chip portraits use. Decoding is bounded: the declared size is checked before any pixel
//! buffer is allocated, and a decoder panic on hostile input becomes an error.

use std::io::Cursor;

use serde::Serialize;

use crate::error::NfcError;

/// The most pixels a chip image may have. ICAO portraits are around 480×640 (0.3 MP); this
/// leaves room for high-resolution issuers and refuses decompression bombs.
pub const MAX_IMAGE_PIXELS: u64 = 16_000_000;

/// The encoding of a chip image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ImageFormat {
    /// JPEG (ISO/IEC 10918).
    Jpeg,
    /// JPEG 2000 (ISO/IEC 15444), JP2 file or raw codestream.
    Jpeg2000,
}

impl ImageFormat {
    /// The format these bytes are in, from their signature.
    pub fn sniff(data: &[u8]) -> Option<Self> {
        const JP2: &[u8] = b"\x00\x00\x00\x0C\x6A\x50\x20\x20";
        const J2K: &[u8] = b"\xFF\x4F\xFF\x51";
        if data.starts_with(&[0xFF, 0xD8]) {
            Some(Self::Jpeg)
        } else if data.starts_with(JP2) || data.starts_with(J2K) {
            Some(Self::Jpeg2000)
        } else {
            None
        }
    }

    /// The MIME type, for storing the image.
    pub fn mime_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Jpeg2000 => "image/jp2",
        }
    }
}

/// An encoded image read from the chip.
#[derive(Clone, PartialEq, Eq)]
pub struct ChipImage {
    /// Its encoding.
    pub format: ImageFormat,
    /// The encoded bytes, exactly as on the chip.
    pub data: Vec<u8>,
}

impl std::fmt::Debug for ChipImage {
    // Biometric data: never print the bytes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChipImage")
            .field("format", &self.format)
            .field("bytes", &self.data.len())
            .finish()
    }
}

impl ChipImage {
    /// Wraps encoded bytes, which must be JPEG or JPEG 2000.
    pub fn new(data: Vec<u8>) -> Result<Self, NfcError> {
        let format = ImageFormat::sniff(&data)
            .ok_or_else(|| NfcError::Image("neither JPEG nor JPEG 2000".into()))?;
        Ok(Self { format, data })
    }

    /// Decodes to 8-bit RGB.
    pub fn decode(&self) -> Result<image::RgbImage, NfcError> {
        match self.format {
            ImageFormat::Jpeg => decode_jpeg(&self.data),
            ImageFormat::Jpeg2000 => std::panic::catch_unwind(|| decode_jpeg2000(&self.data))
                .unwrap_or_else(|_| Err(NfcError::Image("JPEG 2000 decoder failed".into()))),
        }
    }
}

fn too_large(width: u32, height: u32) -> bool {
    u64::from(width) * u64::from(height) > MAX_IMAGE_PIXELS
}

fn decode_jpeg(data: &[u8]) -> Result<image::RgbImage, NfcError> {
    let mut reader = image::ImageReader::with_format(Cursor::new(data), image::ImageFormat::Jpeg);
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_IMAGE_PIXELS * 4);
    reader.limits(limits.clone());
    let (width, height) = reader
        .into_dimensions()
        .map_err(|e| NfcError::Image(e.to_string()))?;
    if too_large(width, height) {
        return Err(NfcError::Image(format!("{width}×{height} is too large")));
    }
    let mut reader = image::ImageReader::with_format(Cursor::new(data), image::ImageFormat::Jpeg);
    reader.limits(limits);
    let decoded = reader
        .decode()
        .map_err(|e| NfcError::Image(e.to_string()))?;
    Ok(decoded.to_rgb8())
}

fn decode_jpeg2000(data: &[u8]) -> Result<image::RgbImage, NfcError> {
    use hayro_jpeg2000::{ColorSpace, DecodeSettings, Image};
    let failed = |e: hayro_jpeg2000::DecodeError| NfcError::Image(format!("JPEG 2000: {e:?}"));
    let jp2 = Image::new(data, &DecodeSettings::default()).map_err(failed)?;
    let (width, height) = (jp2.width(), jp2.height());
    if too_large(width, height) {
        return Err(NfcError::Image(format!("{width}×{height} is too large")));
    }
    let channels = usize::from(jp2.color_space().num_channels());
    let stride = channels + usize::from(jp2.has_alpha());
    let is_cmyk = matches!(jp2.color_space(), ColorSpace::CMYK);
    let pixels = jp2.decode().map_err(failed)?;
    let expected = width as usize * height as usize * stride;
    if pixels.len() != expected || stride == 0 {
        return Err(NfcError::Image(
            "JPEG 2000 output of unexpected size".into(),
        ));
    }
    let rgb: Vec<u8> = pixels
        .chunks_exact(stride)
        .flat_map(|px| match (channels, is_cmyk) {
            (4, true) => {
                let k = 255 - u16::from(px[3]);
                let ink = |c: u8| ((255 - u16::from(c)) * k / 255) as u8;
                [ink(px[0]), ink(px[1]), ink(px[2])]
            }
            (c, _) if c >= 3 => [px[0], px[1], px[2]],
            _ => [px[0], px[0], px[0]],
        })
        .collect();
    image::RgbImage::from_raw(width, height, rgb)
        .ok_or_else(|| NfcError::Image("JPEG 2000 output of unexpected size".into()))
}
