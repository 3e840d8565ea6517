//! The crate's one error type.

/// Why a document image could not be read at all.
///
/// A readable image that shows no document is not an error: it gives a reading whose checks
/// carry `COULD_NOT_RECOGNIZE_DOCUMENT`. Errors are for input that is not a usable image and
/// for engine failures.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// The bytes are not an image in a supported format (JPEG, PNG, WebP, TIFF, BMP). HEIC is
    /// not decoded: browsers hand web pages JPEG from the camera and the photo library, and a
    /// HEVC decoder would bring a system library with patent-encumbered codecs.
    #[error(
        "unsupported or unrecognised image format (send JPEG, PNG or WebP; HEIC is not accepted)"
    )]
    UnsupportedFormat,
    /// The image is corrupt or truncated.
    #[error("the image could not be decoded: {0}")]
    Decode(String),
    /// The image is larger than the limit (checked from the header, before decoding).
    #[error("the image is too large: {width}x{height} pixels (limit {limit_pixels} pixels)")]
    TooLarge {
        /// Width from the header.
        width: u32,
        /// Height from the header.
        height: u32,
        /// The configured pixel limit.
        limit_pixels: u64,
    },
    /// The image has no pixels, or is too small to hold a document.
    #[error("the image is too small: {width}x{height} pixels")]
    TooSmall {
        /// Width.
        width: u32,
        /// Height.
        height: u32,
    },
    /// A model failed to load or run (an installation problem, not a user error).
    #[error("OCR engine failure: {0}")]
    Model(String),
}
