//! Capture quality gates, measured on the aligned 150×150 chip so that every
//! face is judged at the same scale whatever the photo's resolution.
//! They produce warnings, never errors: a dim or soft document portrait can
//! still match, and the caller decides what a warning costs.

use image::RgbImage;
use serde::{Deserialize, Serialize};

use crate::align::{pose, PoseEstimate, CHIP_SIZE};
use crate::detect::Detection;
use crate::imaging::luma;

/// Faces narrower than this (original pixels between the eyes) carry too
/// little detail for a reliable template: ~ a 60 px wide face.
pub const MIN_EYE_DISTANCE_PX: f32 = 20.0;
/// Mean face luma (0..255) below which the face is too dark.
pub const MIN_LUMA: f32 = 50.0;
/// Mean face luma above which, or share of clipped pixels above
/// [`MAX_CLIPPED_SHARE`], the face is overexposed.
pub const MAX_LUMA: f32 = 215.0;
/// Share of face pixels at ≥ 250 luma that counts as overexposed.
pub const MAX_CLIPPED_SHARE: f32 = 0.25;
/// Variance of the Laplacian on the chip below which the face is blurry.
/// The shared test photos measure 80–1300; the integration test checks that a
/// Gaussian blur of a tenth of the eye distance falls below it.
pub const MIN_SHARPNESS: f32 = 40.0;
/// |yaw ratio| above which the face is turned too far (≈ 30–35°).
pub const MAX_YAW_RATIO: f32 = 0.3;
/// |roll| above which the head is tilted too far, degrees.
pub const MAX_ROLL_DEG: f32 = 30.0;
/// Nose height between eyes and mouth outside this range = strong pitch.
pub const PITCH_RANGE: (f32, f32) = (0.25, 0.75);

/// One failed quality gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum QualityIssue {
    /// The face is too small in the image.
    FaceTooSmall,
    /// The face is underexposed.
    FaceTooDark,
    /// The face is overexposed.
    FaceOverexposed,
    /// The face is out of focus or motion-blurred.
    FaceBlurry,
    /// The head is strongly turned, tilted or pitched.
    FacePoseTooStrong,
}

impl QualityIssue {
    /// The warning code (`risk`).
    pub fn code(self) -> &'static str {
        match self {
            Self::FaceTooSmall => "FACE_TOO_SMALL",
            Self::FaceTooDark => "FACE_TOO_DARK",
            Self::FaceOverexposed => "FACE_OVEREXPOSED",
            Self::FaceBlurry => "FACE_BLURRY",
            Self::FacePoseTooStrong => "FACE_POSE_TOO_STRONG",
        }
    }

    /// A one-line human description.
    pub fn description(self) -> &'static str {
        match self {
            Self::FaceTooSmall => "The face is too small in the image for a reliable comparison.",
            Self::FaceTooDark => "The face is too dark.",
            Self::FaceOverexposed => "The face is overexposed.",
            Self::FaceBlurry => "The face is blurry.",
            Self::FacePoseTooStrong => "The face is not looking at the camera.",
        }
    }
}

/// Quality measurements of one face.
#[derive(Debug, Clone, PartialEq)]
pub struct FaceQuality {
    /// Overall 0–100 (the contract's `face_quality`).
    pub face_quality: f32,
    /// Mean face brightness 0–100 (the contract's `face_luminance`).
    pub face_luminance: f32,
    /// Variance of the Laplacian on the chip.
    pub sharpness: f32,
    /// Distance between the eyes in original pixels.
    pub eye_distance: f32,
    /// Landmark-based pose.
    pub pose: PoseEstimate,
    /// Gates that failed.
    pub issues: Vec<QualityIssue>,
}

/// The inner part of the chip that is face, not background or hair.
const INNER: (u32, u32, u32, u32) = (30, 30, 120, 135);

pub(crate) fn assess(det: &Detection, chip: &RgbImage) -> FaceQuality {
    let gray = luma(chip);
    let w = CHIP_SIZE as usize;
    let (x0, y0, x1, y1) = (
        INNER.0 as usize,
        INNER.1 as usize,
        INNER.2 as usize,
        INNER.3 as usize,
    );
    let mut sum = 0f32;
    let mut clipped = 0usize;
    let mut n = 0usize;
    for y in y0..y1 {
        for x in x0..x1 {
            let v = gray[y * w + x];
            sum += v;
            clipped += usize::from(v >= 250.0);
            n += 1;
        }
    }
    let mean = sum / n.max(1) as f32;
    let clipped_share = clipped as f32 / n.max(1) as f32;

    // Variance of the 4-neighbour Laplacian over the inner region.
    let (mut s1, mut s2, mut m) = (0f64, 0f64, 0f64);
    for y in y0.max(1)..y1.min(w - 1) {
        for x in x0.max(1)..x1.min(w - 1) {
            let l = gray[(y - 1) * w + x]
                + gray[(y + 1) * w + x]
                + gray[y * w + x - 1]
                + gray[y * w + x + 1]
                - 4.0 * gray[y * w + x];
            s1 += f64::from(l);
            s2 += f64::from(l) * f64::from(l);
            m += 1.0;
        }
    }
    let sharpness = if m > 0.0 {
        ((s2 / m) - (s1 / m).powi(2)) as f32
    } else {
        0.0
    };

    let pose = pose(det);
    let eye_distance = det.eye_distance();
    let mut issues = Vec::new();
    if eye_distance < MIN_EYE_DISTANCE_PX {
        issues.push(QualityIssue::FaceTooSmall);
    }
    if mean < MIN_LUMA {
        issues.push(QualityIssue::FaceTooDark);
    } else if mean > MAX_LUMA || clipped_share > MAX_CLIPPED_SHARE {
        issues.push(QualityIssue::FaceOverexposed);
    }
    if sharpness < MIN_SHARPNESS {
        issues.push(QualityIssue::FaceBlurry);
    }
    if pose.yaw_ratio.abs() > MAX_YAW_RATIO
        || pose.roll_deg.abs() > MAX_ROLL_DEG
        || pose.pitch_ratio < PITCH_RANGE.0
        || pose.pitch_ratio > PITCH_RANGE.1
    {
        issues.push(QualityIssue::FacePoseTooStrong);
    }

    // Overall quality: product of soft factors, each 1 when comfortably good.
    let ramp = |v: f32, bad: f32, good: f32| ((v - bad) / (good - bad)).clamp(0.0, 1.0);
    let size_f = ramp(eye_distance, 10.0, 40.0);
    let sharp_f = ramp(sharpness, 10.0, 100.0);
    let expo_f = ramp(mean, 20.0, 80.0).min(ramp(-mean, -250.0, -190.0));
    let pose_f = ramp(-pose.yaw_ratio.abs(), -0.5, -0.1);
    let face_quality =
        100.0 * (0.4 + 0.6 * size_f * sharp_f * expo_f * pose_f) * det.score.min(1.0);

    FaceQuality {
        face_quality,
        face_luminance: mean / 255.0 * 100.0,
        sharpness,
        eye_distance,
        pose,
        issues,
    }
}
