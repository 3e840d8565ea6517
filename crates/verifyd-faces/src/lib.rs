//! Face engine: detection, alignment, embedding, liveness, age and 1:N search.
//!
//! A pure, synchronous CPU library on `tract-onnx`: the server runs it on a
//! bounded blocking pool and only wires its results into the contract. It
//! owns everything between "bytes of an uploaded image" and "a scored,
//! contract-shaped result":
//!
//! 1. [`decode_image`] — JPEG/PNG/WebP/TIFF/BMP, EXIF orientation applied,
//!    pixel budget checked from the header before any pixel is decoded.
//! 2. Detection (YuNet, letterboxed into pinned shapes) → the largest face is
//!    the main face; every face is kept for multi-face warnings.
//! 3. Alignment (similarity transform of 5 landmarks onto the dlib template),
//!    embedding (dlib ResNet, 128-d [`Template`]) and quality gates
//!    ([`QualityIssue`]: size, exposure, blur, pose) on the aligned chip.
//! 4. On request, passive liveness (MiniFASNet V2 + V1SE) and age/gender (faceres).
//! 5. 1:1 scores through a documented calibration ([`ScoreCalibration`]),
//!    1:N through an exact, contiguous [`FaceIndex`].
//! 6. [`report`] turns analyses and thresholds into the contract's
//!    `face_matches[]`, `liveness_checks[]` and standalone-API objects.
//!
//! [`eval`] measures verification accuracy on a pairs file and [`bench`]
//! measures latency; both back `verifyd eval faces` / `verifyd bench`.
//!
//! ```no_run
//! use verifyd_faces::{AnalyzeOptions, FaceEngine, report::Thresholds};
//! # fn main() -> Result<(), verifyd_faces::FaceError> {
//! let engine = FaceEngine::load("models")?; // once, shared in an Arc
//! let selfie = engine.analyze(&std::fs::read("selfie.jpg").unwrap_or_default(), AnalyzeOptions::full())?;
//! let portrait = engine.analyze(&std::fs::read("portrait.jpg").unwrap_or_default(), AnalyzeOptions::default())?;
//! let face_match = engine.face_match_check(&selfie, Some(&portrait), Thresholds::FACE_MATCH);
//! let liveness = engine.liveness_check(&selfie, Thresholds::LIVENESS);
//! # let _ = (face_match, liveness); Ok(()) }
//! ```

mod align;
mod calibration;
mod detect;
mod engine;
mod error;
mod imaging;
mod index;
mod models;
mod quality;

pub mod bench;
pub mod eval;
pub mod report;

pub use align::PoseEstimate;
pub use calibration::ScoreCalibration;
pub use detect::Detection;
pub use engine::{
    AgeEstimate, AnalyzeOptions, EngineConfig, FaceAnalysis, FaceDetails, FaceEngine,
    LivenessScore, MatchScore,
};
pub use error::{FaceError, Result};
pub use imaging::{decode_image, DEFAULT_MAX_MEGAPIXELS};
pub use index::{FaceIndex, SearchHit, Template, TEMPLATE_BYTES, TEMPLATE_DIM};
pub use quality::{FaceQuality, QualityIssue};
