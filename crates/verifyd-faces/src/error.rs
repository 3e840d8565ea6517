//! The crate's one error type. Callers mostly care about two classes: the
//! input was bad (a 400 for the server) or the engine is broken (a 5xx whose
//! cause goes to the log only); [`FaceError::is_input_error`] tells them apart.

use std::path::PathBuf;

/// Everything that can go wrong in the face engine.
#[derive(Debug, thiserror::Error)]
pub enum FaceError {
    /// The bytes are not an image in a format we read (JPEG, PNG, WebP, TIFF, BMP).
    #[error("not a supported image (JPEG, PNG, WebP, TIFF or BMP expected)")]
    NotAnImage,
    /// The header announces more pixels than we are willing to decode.
    #[error("image too large: {width}x{height} exceeds {max_megapixels} megapixels")]
    TooLarge {
        /// Width from the header.
        width: u32,
        /// Height from the header.
        height: u32,
        /// The configured limit.
        max_megapixels: u32,
    },
    /// The image has zero width or height, or is too small to hold a face.
    #[error("image too small: {width}x{height}")]
    TooSmall {
        /// Decoded width.
        width: u32,
        /// Decoded height.
        height: u32,
    },
    /// The image is recognisable but could not be decoded (truncated, corrupt).
    #[error("image could not be decoded: {0}")]
    Decode(String),
    /// A model file is missing or unreadable at load time.
    #[error("cannot load model {path}: {reason}")]
    ModelLoad {
        /// The model file.
        path: PathBuf,
        /// What tract or the file system said.
        reason: String,
    },
    /// Inference failed at run time (an engine bug, never the caller's fault).
    #[error("inference failed: {0}")]
    Inference(String),
    /// A serialized template or index is malformed.
    #[error("invalid template bytes: {0}")]
    InvalidTemplate(&'static str),
    /// Reading an evaluation file or image failed.
    #[error("i/o error on {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A pairs file line is malformed.
    #[error("pairs file line {line}: {reason}")]
    PairsFormat {
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
}

impl FaceError {
    /// True when the caller sent something unusable (maps to HTTP 400), false
    /// for engine or environment failures (HTTP 500).
    pub fn is_input_error(&self) -> bool {
        matches!(
            self,
            Self::NotAnImage | Self::TooLarge { .. } | Self::TooSmall { .. } | Self::Decode(_)
        )
    }

    pub(crate) fn inference(e: impl std::fmt::Display) -> Self {
        Self::Inference(e.to_string())
    }
}

/// Result alias for this crate.
pub type Result<T, E = FaceError> = std::result::Result<T, E>;
