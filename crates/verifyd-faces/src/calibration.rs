//! From embedding distance to the contract's 0–100 face match score.
//!
//! The score is a logistic of the Euclidean distance `d` between dlib
//! embeddings: `score = 100 / (1 + exp((d − 0.60) / 0.04))`.
//!
//! - The midpoint is dlib's own trained decision threshold (d < 0.6 = same
//!   person), so score 50 — the contract's default decline threshold — means
//!   what dlib means by "undecided".
//! - The slope was chosen on the shared test faces (7 identities, 18 genuine
//!   and 118 impostor pairs) plus degraded copies (eval::Augmentation: smaller,
//!   tiny, JPEG 25, blur, dark, bright, document-portrait look), 144 genuine
//!   and 944 impostor comparisons in all: original genuine pairs measure
//!   d 0.17–0.55 → score 79–100; degraded genuine pairs up to 0.62 (blur and
//!   document-portrait copies of the hardest identity) → ≥ 38, document
//!   portraits mean 92; impostors d 0.655–1.01 → score ≤ 20. EER 0 on this
//!   (small) set; TAR 100 % at FAR 1 % (threshold 14.8).
//! - Resulting anchors: d 0.566 ↔ 70 (default review threshold), 0.600 ↔ 50
//!   (default decline), 0.634 ↔ 30 (the standalone API's default), 0.5 ↔ 92,
//!   0.4 ↔ 99.3.

use serde::{Deserialize, Serialize};

/// Logistic map from distance to score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScoreCalibration {
    /// Distance that scores exactly 50.
    pub midpoint: f32,
    /// Logistic temperature: smaller = steeper.
    pub scale: f32,
}

impl Default for ScoreCalibration {
    fn default() -> Self {
        // Measured on the shared test faces plus augmentations; see module docs.
        Self {
            midpoint: 0.60,
            scale: 0.04,
        }
    }
}

impl ScoreCalibration {
    /// 0–100 score for a unit-vector distance.
    pub fn score(&self, distance: f32) -> f32 {
        let z = (distance - self.midpoint) / self.scale.max(1e-6);
        (100.0 / (1.0 + z.exp())).clamp(0.0, 100.0)
    }

    /// The distance that maps to `score` (inverse of [`ScoreCalibration::score`]).
    pub fn distance_for_score(&self, score: f32) -> f32 {
        let s = score.clamp(1e-4, 100.0 - 1e-4);
        self.midpoint + self.scale * (100.0 / s - 1.0).ln()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_is_monotone_and_inverts() {
        let c = ScoreCalibration::default();
        assert!((c.score(c.midpoint) - 50.0).abs() < 1e-3);
        assert!(c.score(0.2) > c.score(0.4));
        for s in [10.0, 50.0, 70.0, 95.0] {
            assert!((c.score(c.distance_for_score(s)) - s).abs() < 1e-2);
        }
    }
}
