//! Wire shapes of the contract (`face_matches[]`, `liveness_checks[]` and the
//! standalone `face_match`, `liveness` and `age_estimation` objects) and the
//! rules that turn analyses and thresholds into statuses and warnings.
//!
//! The server fills in what only it knows (`node_id`, image URLs, `matches`)
//! and adds blocklist/duplicate warnings from its 1:N search with
//! [`Warning::new`]; everything else is decided here so every endpoint
//! applies the same rules.

use serde::{Deserialize, Serialize};

use crate::engine::{FaceAnalysis, FaceEngine, MatchScore};

/// Per-feature status (the contract's `FeatureStatusChoices`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FeatureStatus {
    /// Passed.
    Approved,
    /// Failed.
    Declined,
    /// Needs a human.
    #[serde(rename = "In Review")]
    InReview,
    /// Not run yet.
    #[serde(rename = "Not Finished")]
    NotFinished,
    /// Resubmission requested.
    #[serde(rename = "Resub Requested")]
    ResubRequested,
}

/// Status of the standalone APIs, which only approve or decline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApiStatus {
    /// Passed.
    Approved,
    /// Failed.
    Declined,
}

/// Warning severity; `error` drives a decline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogType {
    /// Caused a decline.
    Error,
    /// Worth a look; may cause review.
    Warning,
    /// For the record.
    Information,
}

/// The feature a warning belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WarningFeature {
    /// Liveness checks and the standalone liveness / age APIs.
    Liveness,
    /// Face matches.
    Facematch,
}

/// Warning codes this engine (or the server with its face index) emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WarningCode {
    /// Face match score at or below the decline or review threshold.
    LowFaceMatchSimilarity,
    /// No face pair could be compared.
    NoReferenceImage,
    /// Liveness score at or below the decline threshold.
    LivenessFaceAttack,
    /// Liveness score in the review band.
    LowLivenessScore,
    /// No face in the liveness image.
    NoFaceDetected,
    /// More than one person in the picture.
    MultipleFacesDetected,
    /// The face matches a blocklisted face above the decline threshold.
    FaceInBlocklist,
    /// The face resembles a blocklisted face (review band).
    PossibleFaceInBlocklist,
    /// The face matches another approved user's face.
    DuplicatedFace,
    /// The face resembles another user's face (review band).
    PossibleDuplicatedFace,
    /// Age could not be estimated.
    AgeNotDetected,
    /// Estimated age below the minimum.
    AgeBelowMinimum,
    /// Quality gate: face too small.
    FaceTooSmall,
    /// Quality gate: face too dark.
    FaceTooDark,
    /// Quality gate: face overexposed.
    FaceOverexposed,
    /// Quality gate: face blurry.
    FaceBlurry,
    /// Quality gate: head strongly turned.
    FacePoseTooStrong,
}

impl WarningCode {
    fn descriptions(self) -> (&'static str, &'static str) {
        match self {
            Self::LowFaceMatchSimilarity => (
                "Low face match similarity",
                "The facial features of the provided image don't closely match the reference image, suggesting a potential identity mismatch.",
            ),
            Self::NoReferenceImage => (
                "No reference image",
                "A face could not be found in one of the images, so the faces could not be compared.",
            ),
            Self::LivenessFaceAttack => (
                "Possible presentation attack",
                "The face appears to be a presentation attack (a printed photo, a screen or a mask) rather than a live person.",
            ),
            Self::LowLivenessScore => (
                "Low liveness score",
                "The liveness score is low; the capture may not be of a live person.",
            ),
            Self::NoFaceDetected => (
                "No face detected",
                "No face could be found in the image.",
            ),
            Self::MultipleFacesDetected => (
                "Multiple faces detected",
                "More than one face was found in the image; the largest face was used.",
            ),
            Self::FaceInBlocklist => (
                "Face in blocklist",
                "The face matches a face in the application's blocklist.",
            ),
            Self::PossibleFaceInBlocklist => (
                "Possible face in blocklist",
                "The face resembles a face in the application's blocklist.",
            ),
            Self::DuplicatedFace => (
                "Duplicated face",
                "The face matches the face of another user of the application.",
            ),
            Self::PossibleDuplicatedFace => (
                "Possible duplicated face",
                "The face resembles the face of another user of the application.",
            ),
            Self::AgeNotDetected => (
                "Age not detected",
                "The age could not be estimated because no face was found.",
            ),
            Self::AgeBelowMinimum => (
                "Age below minimum",
                "The estimated age is below the minimum age required.",
            ),
            Self::FaceTooSmall => (
                "Face too small",
                "The face is too small in the image for a reliable comparison.",
            ),
            Self::FaceTooDark => ("Face too dark", "The face is underexposed."),
            Self::FaceOverexposed => ("Face overexposed", "The face is overexposed."),
            Self::FaceBlurry => ("Face blurry", "The face is out of focus or motion-blurred."),
            Self::FacePoseTooStrong => (
                "Face not frontal",
                "The head is strongly turned or tilted away from the camera.",
            ),
        }
    }
}

/// The contract's warning object (§2.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    /// The code.
    pub risk: WarningCode,
    /// The feature.
    pub feature: WarningFeature,
    /// Structured details, or null.
    pub additional_data: Option<serde_json::Value>,
    /// Severity.
    pub log_type: LogType,
    /// One line.
    pub short_description: String,
    /// One sentence or two.
    pub long_description: String,
}

impl Warning {
    /// A warning with the standard descriptions for `risk`.
    pub fn new(
        risk: WarningCode,
        feature: WarningFeature,
        log_type: LogType,
        additional_data: Option<serde_json::Value>,
    ) -> Self {
        let (short, long) = risk.descriptions();
        Self {
            risk,
            feature,
            additional_data,
            log_type,
            short_description: short.to_owned(),
            long_description: long.to_owned(),
        }
    }
}

/// Thresholds for a 0–100 score: at or below `decline` → Declined, at or
/// below `review` → In Review, above → Approved.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// Decline at or below.
    pub decline: f32,
    /// Review at or below (ignored when not above `decline`).
    pub review: Option<f32>,
}

impl Thresholds {
    /// The contract's session face-match defaults: decline 50, review 70.
    pub const FACE_MATCH: Thresholds = Thresholds {
        decline: 50.0,
        review: Some(70.0),
    };
    /// Session liveness default: decline 50.
    pub const LIVENESS: Thresholds = Thresholds {
        decline: 50.0,
        review: None,
    };

    /// Status for a score.
    pub fn status(&self, score: f32) -> FeatureStatus {
        if score <= self.decline {
            FeatureStatus::Declined
        } else if self.review.is_some_and(|r| score <= r) {
            FeatureStatus::InReview
        } else {
            FeatureStatus::Approved
        }
    }
}

/// One element of a decision's `face_matches[]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaceMatchCheck {
    /// Workflow node (set by the server).
    pub node_id: Option<String>,
    /// Outcome.
    pub status: FeatureStatus,
    /// 0–100, two decimals; null when unscorable.
    pub score: Option<f64>,
    /// URL of the selfie (set by the server).
    pub source_image: Option<String>,
    /// URL of the reference portrait (set by the server).
    pub target_image: Option<String>,
    /// Warnings.
    pub warnings: Vec<Warning>,
}

/// One element of a decision's `liveness_checks[]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LivenessCheck {
    /// Workflow node (set by the server).
    pub node_id: Option<String>,
    /// Outcome.
    pub status: FeatureStatus,
    /// Always `PASSIVE` here.
    pub method: String,
    /// 0–100, two decimals; null when no face.
    pub score: Option<f64>,
    /// URL of the analysed image (set by the server).
    pub reference_image: Option<String>,
    /// Video URL (none for passive).
    pub video_url: Option<String>,
    /// Estimated age, years.
    pub age_estimation: Option<f64>,
    /// 1:N matches (set by the server from its face index).
    pub matches: Vec<serde_json::Value>,
    /// Warnings.
    pub warnings: Vec<Warning>,
    /// 0–100 capture quality.
    pub face_quality: Option<f64>,
    /// 0–100 face brightness.
    pub face_luminance: Option<f64>,
}

/// A face in a standalone API's `user_image` / `ref_image`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaceEntity {
    /// `[x1, y1, x2, y2]` in upright image pixels.
    pub bbox: [i32; 4],
    /// Detector confidence 0..1.
    pub confidence: f64,
    /// Estimated age (main face only).
    pub age: Option<f64>,
    /// `male` / `female` (main face only).
    pub gender: Option<String>,
    /// Never estimated.
    pub race: Option<String>,
}

/// `user_image` / `ref_image` of the standalone APIs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageFaces {
    /// Faces found, main (largest) first.
    pub entities: Vec<FaceEntity>,
    /// Clockwise rotation that found the face (0 unless `rotate_image`).
    pub best_angle: i32,
}

/// The standalone `/v3/face-match/` `face_match` object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaceMatchResult {
    /// Approved when the score is strictly above the decline threshold.
    pub status: ApiStatus,
    /// 0–100, two decimals; null when unscorable.
    pub score: Option<f64>,
    /// Faces in the user image.
    pub user_image: ImageFaces,
    /// Faces in the reference image.
    pub ref_image: ImageFaces,
    /// Warnings (`LOW_FACE_MATCH_SIMILARITY`, `NO_REFERENCE_IMAGE` only: the
    /// contract's enum for this object).
    pub warnings: Vec<Warning>,
}

/// The standalone `/v3/passive-liveness/` `liveness` object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PassiveLivenessResult {
    /// Approved when the score is strictly above the decline threshold.
    pub status: ApiStatus,
    /// Always `PASSIVE`.
    pub method: String,
    /// 0–100, two decimals; null when no face.
    pub score: Option<f64>,
    /// Faces found.
    pub user_image: ImageFaces,
    /// Warnings.
    pub warnings: Vec<Warning>,
    /// 0–100 capture quality.
    pub face_quality: Option<f64>,
    /// 0–100 face brightness.
    pub face_luminance: Option<f64>,
}

/// The standalone `/v3/age-estimation/` `age_estimation` object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgeEstimationResult {
    /// Declined on a liveness attack, a missing face or an age below the minimum.
    pub status: ApiStatus,
    /// Always `PASSIVE`.
    pub method: String,
    /// Liveness score 0–100.
    pub score: Option<f64>,
    /// Faces found.
    pub user_image: ImageFaces,
    /// Estimated age, years.
    pub age_estimation: Option<f64>,
    /// Warnings.
    pub warnings: Vec<Warning>,
}

fn round2(v: f32) -> f64 {
    (f64::from(v) * 100.0).round() / 100.0
}

/// `user_image` / `ref_image` for an analysis.
pub fn image_faces(a: &FaceAnalysis) -> ImageFaces {
    let entities = a
        .faces
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let age = (i == 0)
                .then(|| a.main.as_ref().and_then(|m| m.age))
                .flatten();
            FaceEntity {
                bbox: f.bbox_i32(a.width, a.height),
                confidence: round2(f.score * 100.0) / 100.0,
                age: age.map(|e| round2(e.age)),
                gender: age.map(|e| e.gender().to_owned()),
                race: None,
            }
        })
        .collect();
    ImageFaces {
        entities,
        best_angle: i32::from(a.best_angle),
    }
}

fn quality_warnings(a: &FaceAnalysis, feature: WarningFeature) -> Vec<Warning> {
    a.main
        .iter()
        .flat_map(|m| m.quality.issues.iter())
        .map(|issue| {
            let code = match issue {
                crate::QualityIssue::FaceTooSmall => WarningCode::FaceTooSmall,
                crate::QualityIssue::FaceTooDark => WarningCode::FaceTooDark,
                crate::QualityIssue::FaceOverexposed => WarningCode::FaceOverexposed,
                crate::QualityIssue::FaceBlurry => WarningCode::FaceBlurry,
                crate::QualityIssue::FacePoseTooStrong => WarningCode::FacePoseTooStrong,
            };
            Warning::new(code, feature, LogType::Information, None)
        })
        .collect()
}

fn multiple_faces(a: &FaceAnalysis) -> Option<Warning> {
    let others = a.other_faces();
    (others > 0).then(|| {
        Warning::new(
            WarningCode::MultipleFacesDetected,
            WarningFeature::Liveness,
            LogType::Warning,
            Some(serde_json::json!({ "faces_detected": others + 1 })),
        )
    })
}

impl FaceEngine {
    /// A decision's `face_matches[]` element: `user` is the selfie, `reference`
    /// the document portrait (or another enrolled image); `None` when the
    /// workflow has no reference image. Quality issues of either image are
    /// added as `information` warnings.
    pub fn face_match_check(
        &self,
        user: &FaceAnalysis,
        reference: Option<&FaceAnalysis>,
        thresholds: Thresholds,
    ) -> FaceMatchCheck {
        let score = reference.and_then(|r| self.compare(user, r));
        let (status, warnings) = match_status(score, thresholds);
        let mut warnings = warnings;
        if score.is_some() {
            warnings.extend(quality_warnings(user, WarningFeature::Facematch));
            if let Some(r) = reference {
                warnings.extend(quality_warnings(r, WarningFeature::Facematch));
            }
        }
        FaceMatchCheck {
            node_id: None,
            status,
            score: score.map(|m| round2(m.score)),
            source_image: None,
            target_image: None,
            warnings,
        }
    }

    /// The standalone `face_match` object; `decline_threshold` is
    /// `face_match_score_decline_threshold` (contract default 30).
    pub fn face_match_result(
        &self,
        user: &FaceAnalysis,
        reference: &FaceAnalysis,
        decline_threshold: f32,
    ) -> FaceMatchResult {
        let score = self.compare(user, reference);
        let th = Thresholds {
            decline: decline_threshold,
            review: None,
        };
        let (status, warnings) = match_status(score, th);
        FaceMatchResult {
            status: api_status(status),
            score: score.map(|m| round2(m.score)),
            user_image: image_faces(user),
            ref_image: image_faces(reference),
            warnings,
        }
    }
}

fn api_status(s: FeatureStatus) -> ApiStatus {
    if s == FeatureStatus::Approved {
        ApiStatus::Approved
    } else {
        ApiStatus::Declined
    }
}

fn match_status(score: Option<MatchScore>, th: Thresholds) -> (FeatureStatus, Vec<Warning>) {
    let Some(m) = score else {
        return (
            FeatureStatus::Declined,
            vec![Warning::new(
                WarningCode::NoReferenceImage,
                WarningFeature::Facematch,
                LogType::Error,
                None,
            )],
        );
    };
    let status = th.status(m.score);
    let log_type = match status {
        FeatureStatus::Declined => Some(LogType::Error),
        FeatureStatus::InReview => Some(LogType::Warning),
        _ => None,
    };
    let warnings = log_type
        .map(|lt| {
            Warning::new(
                WarningCode::LowFaceMatchSimilarity,
                WarningFeature::Facematch,
                lt,
                None,
            )
        })
        .into_iter()
        .collect();
    (status, warnings)
}

/// Liveness status and warnings shared by the session check and the standalone APIs.
fn liveness_outcome(
    a: &FaceAnalysis,
    th: Thresholds,
) -> (FeatureStatus, Option<f32>, Vec<Warning>) {
    let Some(main) = a.main.as_ref() else {
        return (
            FeatureStatus::Declined,
            None,
            vec![Warning::new(
                WarningCode::NoFaceDetected,
                WarningFeature::Liveness,
                LogType::Error,
                None,
            )],
        );
    };
    let score = main.liveness.map(|l| l.score);
    let mut warnings = Vec::new();
    let mut status = match score {
        Some(s) => th.status(s),
        None => FeatureStatus::NotFinished,
    };
    match status {
        FeatureStatus::Declined => warnings.push(Warning::new(
            WarningCode::LivenessFaceAttack,
            WarningFeature::Liveness,
            LogType::Error,
            None,
        )),
        FeatureStatus::InReview => warnings.push(Warning::new(
            WarningCode::LowLivenessScore,
            WarningFeature::Liveness,
            LogType::Warning,
            None,
        )),
        _ => {}
    }
    if let Some(w) = multiple_faces(a) {
        // Another person in a selfie needs a human look, never an automatic pass.
        if status == FeatureStatus::Approved {
            status = FeatureStatus::InReview;
        }
        warnings.push(w);
    }
    warnings.extend(quality_warnings(a, WarningFeature::Liveness));
    (status, score, warnings)
}

impl FaceEngine {
    /// A decision's `liveness_checks[]` element for a selfie analysed with
    /// `liveness` (and `age`, for `age_estimation`) on.
    pub fn liveness_check(&self, selfie: &FaceAnalysis, thresholds: Thresholds) -> LivenessCheck {
        let (status, score, warnings) = liveness_outcome(selfie, thresholds);
        let main = selfie.main.as_ref();
        LivenessCheck {
            node_id: None,
            status,
            method: "PASSIVE".to_owned(),
            score: score.map(round2),
            reference_image: None,
            video_url: None,
            age_estimation: main.and_then(|m| m.age).map(|a| round2(a.age)),
            matches: Vec::new(),
            warnings,
            face_quality: main.map(|m| round2(m.quality.face_quality)),
            face_luminance: main.map(|m| round2(m.quality.face_luminance)),
        }
    }

    /// The standalone `liveness` object (`face_liveness_score_decline_threshold`,
    /// contract default 30).
    pub fn passive_liveness_result(
        &self,
        selfie: &FaceAnalysis,
        decline_threshold: f32,
    ) -> PassiveLivenessResult {
        let th = Thresholds {
            decline: decline_threshold,
            review: None,
        };
        let (status, score, warnings) = liveness_outcome(selfie, th);
        let main = selfie.main.as_ref();
        PassiveLivenessResult {
            status: api_status(status),
            method: "PASSIVE".to_owned(),
            score: score.map(round2),
            user_image: image_faces(selfie),
            warnings,
            face_quality: main.map(|m| round2(m.quality.face_quality)),
            face_luminance: main.map(|m| round2(m.quality.face_luminance)),
        }
    }

    /// The standalone `age_estimation` object (`face_liveness_score_decline_threshold`
    /// default 30, `age_estimation_decline_threshold` default 18). Only the
    /// codes of that endpoint's enum are emitted.
    pub fn age_estimation_result(
        &self,
        selfie: &FaceAnalysis,
        liveness_decline_threshold: f32,
        minimum_age: f32,
    ) -> AgeEstimationResult {
        let th = Thresholds {
            decline: liveness_decline_threshold,
            review: None,
        };
        let (status, score, mut warnings) = liveness_outcome(selfie, th);
        warnings.retain(|w| {
            matches!(
                w.risk,
                WarningCode::NoFaceDetected
                    | WarningCode::LowLivenessScore
                    | WarningCode::LivenessFaceAttack
            )
        });
        let mut status = api_status(status);
        let age = selfie.main.as_ref().and_then(|m| m.age);
        match age {
            None => {
                status = ApiStatus::Declined;
                warnings.push(Warning::new(
                    WarningCode::AgeNotDetected,
                    WarningFeature::Liveness,
                    LogType::Error,
                    None,
                ));
            }
            Some(a) if a.age < minimum_age => {
                status = ApiStatus::Declined;
                warnings.push(Warning::new(
                    WarningCode::AgeBelowMinimum,
                    WarningFeature::Liveness,
                    LogType::Error,
                    Some(serde_json::json!({
                        "estimated_age": round2(a.age),
                        "age_band": round2(a.band),
                        "minimum_age": minimum_age,
                    })),
                ));
            }
            Some(_) => {}
        }
        AgeEstimationResult {
            status,
            method: "PASSIVE".to_owned(),
            score: score.map(round2),
            user_image: image_faces(selfie),
            age_estimation: age.map(|a| round2(a.age)),
            warnings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_inclusive_declines() {
        let t = Thresholds::FACE_MATCH;
        assert_eq!(t.status(50.0), FeatureStatus::Declined);
        assert_eq!(t.status(50.01), FeatureStatus::InReview);
        assert_eq!(t.status(70.0), FeatureStatus::InReview);
        assert_eq!(t.status(70.5), FeatureStatus::Approved);
    }

    #[test]
    fn warning_serialises_as_the_contract() {
        let w = Warning::new(
            WarningCode::LowFaceMatchSimilarity,
            WarningFeature::Facematch,
            LogType::Error,
            None,
        );
        let v = serde_json::to_value(&w).unwrap();
        assert_eq!(v["risk"], "LOW_FACE_MATCH_SIMILARITY");
        assert_eq!(v["feature"], "FACEMATCH");
        assert_eq!(v["log_type"], "error");
        assert!(v["additional_data"].is_null());
        assert_eq!(
            serde_json::to_value(FeatureStatus::InReview).unwrap(),
            "In Review"
        );
    }
}
