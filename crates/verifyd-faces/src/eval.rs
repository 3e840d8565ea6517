//! Verification accuracy on a labelled pairs file, for `verifyd eval faces`.
//!
//! A pairs file has one pair per line: `image_a image_b same|different`
//! (paths relative to the images directory; `#` starts a comment). Each image
//! is analysed once; with augmentation, the second image of every pair is
//! also degraded the ways real captures are (smaller, re-compressed, blurred,
//! darker, brighter, flatter like a printed document portrait) and each
//! degraded copy is scored as an extra pair of the same label.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::{imageops, RgbImage};
use serde::{Deserialize, Serialize};

use crate::engine::{AnalyzeOptions, FaceEngine};
use crate::error::{FaceError, Result};
use crate::imaging::resize;
use crate::index::Template;

/// One labelled pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    /// First image path.
    pub a: PathBuf,
    /// Second image path.
    pub b: PathBuf,
    /// True for `same`.
    pub same: bool,
}

/// Parse a pairs file; relative paths are resolved against `images_dir`
/// (default: the pairs file's directory).
pub fn read_pairs(pairs_file: &Path, images_dir: Option<&Path>) -> Result<Vec<Pair>> {
    let text = std::fs::read_to_string(pairs_file).map_err(|source| FaceError::Io {
        path: pairs_file.to_path_buf(),
        source,
    })?;
    let base = images_dir
        .map(Path::to_path_buf)
        .or_else(|| pairs_file.parent().map(Path::to_path_buf))
        .unwrap_or_default();
    let mut pairs = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split_whitespace().collect();
        let [a, b, label] = parts.as_slice() else {
            return Err(FaceError::PairsFormat {
                line: n + 1,
                reason: "expected `image_a image_b same|different`".into(),
            });
        };
        let same = match *label {
            "same" => true,
            "different" => false,
            other => {
                return Err(FaceError::PairsFormat {
                    line: n + 1,
                    reason: format!("label must be same or different, got {other:?}"),
                })
            }
        };
        pairs.push(Pair {
            a: base.join(a),
            b: base.join(b),
            same,
        });
    }
    Ok(pairs)
}

/// How to evaluate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvalOptions {
    /// Also score degraded copies of each pair's second image.
    pub augment: bool,
}

/// A capture degradation used for augmentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Augmentation {
    /// The image as given.
    Original,
    /// Scaled down so the eyes are 40 px apart (a typical selfie).
    Small,
    /// Scaled down so the eyes are 24 px apart (just above the too-small gate).
    Tiny,
    /// Re-encoded as JPEG quality 25.
    Jpeg25,
    /// Gaussian blur with σ = 1/25 of the eye distance (a soft, out-of-focus capture).
    Blur,
    /// Darkened by 70 levels.
    Dark,
    /// Brightened by 70 levels.
    Bright,
    /// Printed ID portrait look: eyes 30 px apart, contrast −40 %, JPEG 50.
    DocumentPortrait,
}

impl Augmentation {
    /// Every variant, original first.
    pub const ALL: [Augmentation; 8] = [
        Self::Original,
        Self::Small,
        Self::Tiny,
        Self::Jpeg25,
        Self::Blur,
        Self::Dark,
        Self::Bright,
        Self::DocumentPortrait,
    ];

    /// Apply to an image whose main face has `eye_distance` pixels between the eyes.
    pub fn apply(self, img: &RgbImage, eye_distance: f32) -> Result<RgbImage> {
        let eye_distance = eye_distance.max(1.0);
        let fit = |img: &RgbImage, eyes: f32| {
            let k = eyes / eye_distance;
            if k >= 1.0 {
                img.clone()
            } else {
                resize(
                    img,
                    (img.width() as f32 * k).round() as u32,
                    (img.height() as f32 * k).round() as u32,
                )
            }
        };
        Ok(match self {
            Self::Original => img.clone(),
            Self::Small => fit(img, 40.0),
            Self::Tiny => fit(img, 24.0),
            Self::Jpeg25 => jpeg(img, 25)?,
            Self::Blur => imageops::blur(img, eye_distance / 25.0),
            Self::Dark => imageops::brighten(img, -70),
            Self::Bright => imageops::brighten(img, 70),
            Self::DocumentPortrait => jpeg(&imageops::contrast(&fit(img, 30.0), -40.0), 50)?,
        })
    }
}

fn jpeg(img: &RgbImage, quality: u8) -> Result<RgbImage> {
    let mut buf = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(Cursor::new(&mut buf), quality)
        .encode_image(img)
        .map_err(|e| FaceError::Decode(e.to_string()))?;
    image::load_from_memory(&buf)
        .map(|i| i.to_rgb8())
        .map_err(|e| FaceError::Decode(e.to_string()))
}

/// Min / mean / max of a set of scores.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ScoreRange {
    /// Lowest.
    pub min: f32,
    /// Mean.
    pub mean: f32,
    /// Highest.
    pub max: f32,
}

/// An operating point at a target false accept rate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OperatingPoint {
    /// The target FAR.
    pub target_far: f64,
    /// Score threshold: accept when score > threshold.
    pub threshold: f32,
    /// Measured FAR at that threshold.
    pub far: f64,
    /// True accept rate at that threshold.
    pub tar: f64,
    /// False when there are fewer than 1/target impostor pairs, so the
    /// threshold is just "above every impostor" and the FAR is an upper bound.
    pub resolvable: bool,
}

/// Per-augmentation score ranges.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AugmentationStats {
    /// Which degradation.
    pub augmentation: Augmentation,
    /// Genuine pair scores.
    pub genuine: ScoreRange,
    /// Impostor pair scores.
    pub impostor: ScoreRange,
    /// Genuine distances (min, max).
    pub genuine_distance: (f32, f32),
    /// Impostor distances (min, max).
    pub impostor_distance: (f32, f32),
}

/// Evaluation results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
    /// Genuine comparisons scored (pairs × augmentations).
    pub genuine_pairs: usize,
    /// Impostor comparisons scored.
    pub impostor_pairs: usize,
    /// Comparisons where an image had no face (scored 0: a false reject for genuine pairs).
    pub failed_to_enroll: usize,
    /// Genuine score distribution.
    pub genuine: ScoreRange,
    /// Impostor score distribution.
    pub impostor: ScoreRange,
    /// Genuine distance range (min, max) — the raw metric behind the score.
    pub genuine_distance: (f32, f32),
    /// Impostor distance range (min, max).
    pub impostor_distance: (f32, f32),
    /// TAR at FAR 1e-2.
    pub at_far_1e2: OperatingPoint,
    /// TAR at FAR 1e-3.
    pub at_far_1e3: OperatingPoint,
    /// Equal error rate.
    pub eer: f64,
    /// Score threshold at the EER.
    pub eer_threshold: f32,
    /// Breakdown by augmentation (only with `augment`).
    pub by_augmentation: Vec<AugmentationStats>,
}

/// Evaluate 1:1 verification on a pairs file (see the module docs).
pub fn evaluate_pairs(
    engine: &FaceEngine,
    pairs_file: &Path,
    images_dir: Option<&Path>,
    options: EvalOptions,
) -> Result<EvalReport> {
    let pairs = read_pairs(pairs_file, images_dir)?;
    let augs: &[Augmentation] = if options.augment {
        &Augmentation::ALL
    } else {
        &Augmentation::ALL[..1]
    };
    let mut cache: HashMap<(PathBuf, Augmentation), Option<Template>> = HashMap::new();
    let mut decoded: HashMap<PathBuf, Decoded> = HashMap::new();
    // (augmentation, same, score, distance); distance NaN when unscorable.
    let mut results: Vec<(Augmentation, bool, f32, f32)> = Vec::new();
    for pair in &pairs {
        for &aug in augs {
            let ta = template(
                engine,
                &mut cache,
                &mut decoded,
                &pair.a,
                Augmentation::Original,
            )?;
            let tb = template(engine, &mut cache, &mut decoded, &pair.b, aug)?;
            match (ta, tb) {
                (Some(a), Some(b)) => {
                    let m = engine.compare_templates(&a, &b);
                    results.push((aug, pair.same, m.score, m.distance));
                }
                _ => results.push((aug, pair.same, 0.0, f32::NAN)),
            }
        }
    }
    Ok(summarise(&results, options.augment))
}

/// A decoded image and its main face (template, eye distance), if any.
type Decoded = (RgbImage, Option<(Template, f32)>);

fn template(
    engine: &FaceEngine,
    cache: &mut HashMap<(PathBuf, Augmentation), Option<Template>>,
    decoded: &mut HashMap<PathBuf, Decoded>,
    path: &Path,
    aug: Augmentation,
) -> Result<Option<Template>> {
    let key = (path.to_path_buf(), aug);
    if let Some(t) = cache.get(&key) {
        return Ok(t.clone());
    }
    if !decoded.contains_key(path) {
        let bytes = std::fs::read(path).map_err(|source| FaceError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let img = engine.decode(&bytes)?;
        let main = engine
            .analyze_image(&img, AnalyzeOptions::default())?
            .main
            .map(|m| (m.template, m.quality.eye_distance));
        decoded.insert(path.to_path_buf(), (img, main));
    }
    let t = match decoded.get(path) {
        Some((_, None)) | None => None,
        Some((_, Some((t, _)))) if aug == Augmentation::Original => Some(t.clone()),
        Some((img, Some((_, eyes)))) => {
            let img = aug.apply(img, *eyes)?;
            engine
                .analyze_image(&img, AnalyzeOptions::default())?
                .main
                .map(|m| m.template)
        }
    };
    cache.insert(key, t.clone());
    Ok(t)
}

fn range(v: &[f32]) -> ScoreRange {
    if v.is_empty() {
        return ScoreRange::default();
    }
    ScoreRange {
        min: v.iter().copied().fold(f32::INFINITY, f32::min),
        mean: v.iter().sum::<f32>() / v.len() as f32,
        max: v.iter().copied().fold(f32::NEG_INFINITY, f32::max),
    }
}

fn operating_point(genuine: &[f32], impostor_desc: &[f32], target: f64) -> OperatingPoint {
    let n_imp = impostor_desc.len();
    // Allowed false accepts; accept means score > threshold.
    let allowed = (target * n_imp as f64).floor() as usize;
    let threshold = impostor_desc.get(allowed).copied().unwrap_or(0.0);
    let fa = impostor_desc.iter().filter(|&&s| s > threshold).count();
    let ta = genuine.iter().filter(|&&s| s > threshold).count();
    OperatingPoint {
        target_far: target,
        threshold,
        far: fa as f64 / n_imp.max(1) as f64,
        tar: ta as f64 / genuine.len().max(1) as f64,
        resolvable: n_imp as f64 >= 1.0 / target,
    }
}

fn summarise(results: &[(Augmentation, bool, f32, f32)], by_aug: bool) -> EvalReport {
    let pick = |same: bool, aug: Option<Augmentation>| -> Vec<f32> {
        results
            .iter()
            .filter(|r| r.1 == same && aug.is_none_or(|a| a == r.0))
            .map(|r| r.2)
            .collect()
    };
    let dist = |same: bool, aug: Option<Augmentation>| -> (f32, f32) {
        let d: Vec<f32> = results
            .iter()
            .filter(|r| r.1 == same && r.3.is_finite() && aug.is_none_or(|a| a == r.0))
            .map(|r| r.3)
            .collect();
        let r = range(&d);
        (r.min, r.max)
    };
    let genuine = pick(true, None);
    let mut impostor = pick(false, None);
    impostor.sort_by(|a, b| b.total_cmp(a));

    // EER: sweep every observed score as a threshold.
    let (mut eer, mut eer_threshold, mut best_gap) = (1.0f64, 0.0f32, f64::INFINITY);
    let mut candidates: Vec<f32> = genuine.iter().chain(&impostor).copied().collect();
    candidates.sort_by(f32::total_cmp);
    candidates.dedup();
    for &t in &candidates {
        let frr = genuine.iter().filter(|&&s| s <= t).count() as f64 / genuine.len().max(1) as f64;
        let far = impostor.iter().filter(|&&s| s > t).count() as f64 / impostor.len().max(1) as f64;
        if (far - frr).abs() < best_gap {
            best_gap = (far - frr).abs();
            eer = (far + frr) / 2.0;
            eer_threshold = t;
        }
    }

    let by_augmentation = if by_aug {
        Augmentation::ALL
            .iter()
            .map(|&a| AugmentationStats {
                augmentation: a,
                genuine: range(&pick(true, Some(a))),
                impostor: range(&pick(false, Some(a))),
                genuine_distance: dist(true, Some(a)),
                impostor_distance: dist(false, Some(a)),
            })
            .collect()
    } else {
        Vec::new()
    };

    EvalReport {
        genuine_pairs: genuine.len(),
        impostor_pairs: impostor.len(),
        failed_to_enroll: results.iter().filter(|r| r.3.is_nan()).count(),
        genuine: range(&genuine),
        impostor: range(&impostor),
        genuine_distance: dist(true, None),
        impostor_distance: dist(false, None),
        at_far_1e2: operating_point(&genuine, &impostor, 1e-2),
        at_far_1e3: operating_point(&genuine, &impostor, 1e-3),
        eer,
        eer_threshold,
        by_augmentation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_on_separable_scores() {
        let mut r = Vec::new();
        for s in [80.0, 90.0, 95.0] {
            r.push((Augmentation::Original, true, s, 0.3));
        }
        for s in [5.0, 10.0, 20.0, 30.0] {
            r.push((Augmentation::Original, false, s, 0.9));
        }
        let rep = summarise(&r, false);
        assert_eq!(rep.eer, 0.0);
        assert_eq!(rep.at_far_1e2.tar, 1.0);
        assert_eq!(rep.at_far_1e2.threshold, 30.0);
        assert!(!rep.at_far_1e2.resolvable);
        assert_eq!(rep.genuine.min, 80.0);
    }
}
