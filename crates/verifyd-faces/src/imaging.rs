//! Image decoding and the few pixel operations the models need.
//!
//! Decoding is the crate's attack surface: uploads come straight from the
//! internet. The header is read first and anything over the pixel budget is
//! refused before a single pixel buffer is allocated; image's own `Limits`
//! cap allocations as a second line. EXIF orientation is applied so a phone
//! selfie stored sideways is seen upright, as the user saw it.

use std::io::Cursor;

use image::{imageops, DynamicImage, ImageDecoder, ImageError, ImageReader, Limits, Rgb, RgbImage};

use crate::error::{FaceError, Result};

/// Default pixel budget: 40 megapixels covers any phone camera and document scanner.
pub const DEFAULT_MAX_MEGAPIXELS: u32 = 40;

/// Smallest side we accept; below this there is no face to find.
const MIN_SIDE: u32 = 16;

/// Decode JPEG/PNG/WebP/TIFF/BMP bytes into upright 8-bit RGB.
///
/// Refuses images whose header announces more than `max_megapixels` before
/// decoding; truncated or corrupt files give [`FaceError::Decode`], never a panic.
pub fn decode_image(bytes: &[u8], max_megapixels: u32) -> Result<RgbImage> {
    let reader = || -> Result<ImageReader<Cursor<&[u8]>>> {
        let r = ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|_| FaceError::NotAnImage)?;
        if r.format().is_none() {
            return Err(FaceError::NotAnImage);
        }
        Ok(r)
    };

    // Header only: dimensions without allocating the pixel buffer.
    let (width, height) = reader()?.into_dimensions().map_err(map_image_error)?;
    let pixels = u64::from(width) * u64::from(height);
    if pixels > u64::from(max_megapixels) * 1_000_000 {
        return Err(FaceError::TooLarge {
            width,
            height,
            max_megapixels,
        });
    }
    if width < MIN_SIDE || height < MIN_SIDE {
        return Err(FaceError::TooSmall { width, height });
    }

    let mut r = reader()?;
    let mut limits = Limits::default();
    // 16-bit RGBA at the pixel budget, plus slack for the decoder's own buffers.
    limits.max_alloc = Some(u64::from(max_megapixels) * 1_000_000 * 8 + (64 << 20));
    r.limits(limits);
    let mut decoder = r.into_decoder().map_err(map_image_error)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(map_image_error)?;
    img.apply_orientation(orientation);
    Ok(img.to_rgb8())
}

fn map_image_error(e: ImageError) -> FaceError {
    match e {
        ImageError::Unsupported(_) => FaceError::NotAnImage,
        ImageError::Limits(_) => FaceError::TooLarge {
            width: 0,
            height: 0,
            max_megapixels: DEFAULT_MAX_MEGAPIXELS,
        },
        other => FaceError::Decode(other.to_string()),
    }
}

/// Resize with anti-aliasing when shrinking (area average) and bilinear when enlarging.
pub(crate) fn resize(img: &RgbImage, w: u32, h: u32) -> RgbImage {
    let (w, h) = (w.max(1), h.max(1));
    if w == img.width() && h == img.height() {
        return img.clone();
    }
    if w <= img.width() && h <= img.height() {
        imageops::thumbnail(img, w, h)
    } else {
        imageops::resize(img, w, h, imageops::FilterType::Triangle)
    }
}

/// A 2×3 affine map `[a, b, c, d, e, f]`: x' = a·x + b·y + c, y' = d·x + e·y + f.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Affine(pub [f32; 6]);

impl Affine {
    pub fn apply(&self, x: f32, y: f32) -> (f32, f32) {
        let m = &self.0;
        (m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5])
    }

    /// Inverse map; `None` when singular.
    pub fn inverse(&self) -> Option<Affine> {
        let [a, b, c, d, e, f] = self.0;
        let det = a * e - b * d;
        if det.abs() < 1e-12 {
            return None;
        }
        let (ia, ib, id, ie) = (e / det, -b / det, -d / det, a / det);
        Some(Affine([
            ia,
            ib,
            -(ia * c + ib * f),
            id,
            ie,
            -(id * c + ie * f),
        ]))
    }

    /// Mean scale factor (square root of the determinant).
    pub fn scale(&self) -> f32 {
        let [a, b, _, d, e, _] = self.0;
        (a * e - b * d).abs().sqrt()
    }
}

/// Sample `src` through `dst_to_src` into a `w`×`h` image with bilinear
/// interpolation; pixels that fall outside the source are black (as dlib's
/// chip extraction does).
pub(crate) fn warp(src: &RgbImage, dst_to_src: &Affine, w: u32, h: u32) -> RgbImage {
    let mut out = RgbImage::new(w, h);
    let (sw, sh) = (src.width() as i64, src.height() as i64);
    let px = |x: i64, y: i64| -> [f32; 3] {
        if x < 0 || y < 0 || x >= sw || y >= sh {
            [0.0; 3]
        } else {
            let p = src.get_pixel(x as u32, y as u32).0;
            [f32::from(p[0]), f32::from(p[1]), f32::from(p[2])]
        }
    };
    for (x, y, pixel) in out.enumerate_pixels_mut() {
        let (sx, sy) = dst_to_src.apply(x as f32, y as f32);
        let (x0, y0) = (sx.floor(), sy.floor());
        let (fx, fy) = (sx - x0, sy - y0);
        let (x0, y0) = (x0 as i64, y0 as i64);
        let (p00, p10, p01, p11) = (
            px(x0, y0),
            px(x0 + 1, y0),
            px(x0, y0 + 1),
            px(x0 + 1, y0 + 1),
        );
        let mut v = [0u8; 3];
        for c in 0..3 {
            let top = p00[c] + (p10[c] - p00[c]) * fx;
            let bottom = p01[c] + (p11[c] - p01[c]) * fx;
            v[c] = (top + (bottom - top) * fy).round().clamp(0.0, 255.0) as u8;
        }
        *pixel = Rgb(v);
    }
    out
}

/// Like [`warp`], but when the map shrinks the source by more than 1.5× the
/// region of interest is first area-averaged down, so the chip is not aliased
/// (dlib's chip extractor does the same with an image pyramid).
pub(crate) fn warp_antialiased(src: &RgbImage, dst_to_src: &Affine, w: u32, h: u32) -> RgbImage {
    let k = dst_to_src.scale(); // source pixels per destination pixel
    if k <= 1.5 {
        return warp(src, dst_to_src, w, h);
    }
    // Bounding box of the destination rectangle in source coordinates.
    let corners = [
        dst_to_src.apply(0.0, 0.0),
        dst_to_src.apply(w as f32, 0.0),
        dst_to_src.apply(0.0, h as f32),
        dst_to_src.apply(w as f32, h as f32),
    ];
    let min_x = corners.iter().map(|c| c.0).fold(f32::MAX, f32::min).floor() - 2.0;
    let min_y = corners.iter().map(|c| c.1).fold(f32::MAX, f32::min).floor() - 2.0;
    let max_x = corners.iter().map(|c| c.0).fold(f32::MIN, f32::max).ceil() + 2.0;
    let max_y = corners.iter().map(|c| c.1).fold(f32::MIN, f32::max).ceil() + 2.0;
    let x0 = min_x.max(0.0) as u32;
    let y0 = min_y.max(0.0) as u32;
    let x1 = (max_x.max(0.0) as u32).min(src.width());
    let y1 = (max_y.max(0.0) as u32).min(src.height());
    if x1 <= x0 + 1 || y1 <= y0 + 1 {
        return warp(src, dst_to_src, w, h);
    }
    let crop = imageops::crop_imm(src, x0, y0, x1 - x0, y1 - y0).to_image();
    let cw = (((x1 - x0) as f32 / k).round() as u32).max(1);
    let ch = (((y1 - y0) as f32 / k).round() as u32).max(1);
    let small = resize(&crop, cw, ch);
    let sx = cw as f32 / (x1 - x0) as f32;
    let sy = ch as f32 / (y1 - y0) as f32;
    // dst → src → crop → small (the +0.5/−0.5 keeps pixel centres aligned).
    let m = dst_to_src.0;
    let adj = Affine([
        m[0] * sx,
        m[1] * sx,
        (m[2] - x0 as f32 + 0.5) * sx - 0.5,
        m[3] * sy,
        m[4] * sy,
        (m[5] - y0 as f32 + 0.5) * sy - 0.5,
    ]);
    warp(&small, &adj, w, h)
}

/// Luma (BT.601) as f32 0..255.
pub(crate) fn luma(img: &RgbImage) -> Vec<f32> {
    img.pixels()
        .map(|p| 0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affine_inverse_round_trips() {
        let m = Affine([0.8, -0.3, 12.0, 0.3, 0.8, -4.0]);
        let inv = m.inverse().unwrap();
        let (x, y) = m.apply(10.0, 20.0);
        let (bx, by) = inv.apply(x, y);
        assert!((bx - 10.0).abs() < 1e-4 && (by - 20.0).abs() < 1e-4);
    }

    #[test]
    fn rejects_garbage() {
        assert!(matches!(
            decode_image(b"hello world", 40),
            Err(FaceError::NotAnImage)
        ));
    }
}
