//! The face engine: loads every model once and runs the per-image pipeline
//! decode → detect → align → embed (+ quality, liveness, age on demand).

use std::path::Path;

use image::RgbImage;
use serde::{Deserialize, Serialize};

use crate::align::dlib_chip;
use crate::calibration::ScoreCalibration;
use crate::detect::{Detection, Detector, SCORE_THRESHOLD};
use crate::error::{FaceError, Result};
use crate::imaging::{decode_image, warp, warp_antialiased, Affine, DEFAULT_MAX_MEGAPIXELS};
use crate::index::Template;
use crate::models::{self, Plan};
use crate::quality::{assess, FaceQuality};

/// MiniFASNet input side (both models), from the upstream model names `*_80x80`.
const SPOOF_SIZE: u32 = 80;
/// Crop scales about the face box centre, from the upstream file names
/// (`2.7_80x80_MiniFASNetV2`, `4_0_0_80x80_MiniFASNetV1SE`).
const SPOOF_SCALE_V2: f32 = 2.7;
const SPOOF_SCALE_V1SE: f32 = 4.0;
/// faceres input side and crop (MANIFEST: square crop 1.2× the YuNet box).
const FACERES_SIZE: u32 = 224;
const FACERES_CROP: f32 = 1.2;
/// A secondary face counts as "another person" when its box is at least this
/// share of the main face's area; smaller ones are background faces or the
/// ghost portrait printed on many ID cards.
const OTHER_FACE_MIN_AREA: f32 = 1.0 / 16.0;

/// Engine settings; the defaults are the tested ones.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EngineConfig {
    /// Refuse images whose header announces more pixels than this.
    pub max_megapixels: u32,
    /// YuNet confidence floor.
    pub detection_threshold: f32,
    /// Distance → score mapping.
    pub calibration: ScoreCalibration,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            max_megapixels: DEFAULT_MAX_MEGAPIXELS,
            detection_threshold: SCORE_THRESHOLD,
            calibration: ScoreCalibration::default(),
        }
    }
}

/// What to compute besides detection and the template.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyzeOptions {
    /// Run passive liveness on the main face.
    pub liveness: bool,
    /// Estimate age and gender of the main face.
    pub age: bool,
    /// Also try the image turned 90°, 180° and 270° and keep the orientation
    /// with the best detection (the contract's `rotate_image`; 4× detection cost).
    pub rotate: bool,
}

impl AnalyzeOptions {
    /// Everything on (selfies).
    pub fn full() -> Self {
        Self {
            liveness: true,
            age: true,
            rotate: false,
        }
    }
}

/// Passive liveness of one face.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LivenessScore {
    /// 0–100: mean of both models' probability of "real" × 100.
    pub score: f32,
    /// MiniFASNetV2 (crop 2.7×) P(real).
    pub p_real_v2: f32,
    /// MiniFASNetV1SE (crop 4.0×) P(real).
    pub p_real_v1se: f32,
}

/// Age and gender of one face (coarse: see models/README.md).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AgeEstimate {
    /// Expected age, years.
    pub age: f32,
    /// One standard deviation of the age distribution, years: report `age ± band`.
    pub band: f32,
    /// Probability the face is male, 0..1.
    pub p_male: f32,
}

impl AgeEstimate {
    /// `"male"` or `"female"`, as the contract's entity `gender`.
    pub fn gender(&self) -> &'static str {
        if self.p_male >= 0.5 {
            "male"
        } else {
            "female"
        }
    }
}

/// Everything known about the main face of an image.
#[derive(Debug, Clone)]
pub struct FaceDetails {
    /// Where it is.
    pub detection: Detection,
    /// Its biometric template.
    pub template: Template,
    /// Capture quality.
    pub quality: FaceQuality,
    /// Passive liveness, if requested.
    pub liveness: Option<LivenessScore>,
    /// Age and gender, if requested.
    pub age: Option<AgeEstimate>,
}

/// The result of analysing one image.
#[derive(Debug, Clone)]
pub struct FaceAnalysis {
    /// Upright image width (after EXIF orientation and rotation).
    pub width: u32,
    /// Upright image height.
    pub height: u32,
    /// Clockwise rotation applied to find the face: 0, 90, 180 or 270.
    pub best_angle: u16,
    /// Every detected face, largest first.
    pub faces: Vec<Detection>,
    /// The largest face, analysed; `None` when no face was found.
    pub main: Option<FaceDetails>,
}

impl FaceAnalysis {
    /// Faces other than the main one that are large enough to be another
    /// person in the picture (not a background face or an ID's ghost portrait).
    pub fn other_faces(&self) -> usize {
        let Some(main) = self.faces.first() else {
            return 0;
        };
        self.faces
            .iter()
            .skip(1)
            .filter(|f| f.area() >= main.area() * OTHER_FACE_MIN_AREA)
            .count()
    }
}

/// Outcome of a 1:1 comparison.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MatchScore {
    /// Calibrated 0–100.
    pub score: f32,
    /// Euclidean distance between the unit templates.
    pub distance: f32,
}

/// The loaded models. `Send + Sync`: share one in an `Arc` and call it from a
/// blocking pool; every call is synchronous and CPU-bound.
pub struct FaceEngine {
    detector: Detector,
    embedder: Plan,
    spoof_v2: Plan,
    spoof_v1se: Plan,
    faceres: Plan,
    /// Positions of [gender, age] among faceres outputs.
    faceres_out: Vec<usize>,
    config: EngineConfig,
}

impl std::fmt::Debug for FaceEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaceEngine")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl FaceEngine {
    /// Load all models from `models_dir` (the repository's `models/`) with default settings.
    pub fn load(models_dir: impl AsRef<Path>) -> Result<Self> {
        Self::load_with(models_dir, EngineConfig::default())
    }

    /// Load with explicit settings.
    pub fn load_with(models_dir: impl AsRef<Path>, config: EngineConfig) -> Result<Self> {
        let dir = models_dir.as_ref();
        let detector = Detector::load(dir)?;
        let (embedder, _) = models::load(dir, models::DLIB, &[1, 3, 150, 150], &[])?;
        let (spoof_v2, _) = models::load(dir, models::MINIFAS_V2, &[1, 3, 80, 80], &[])?;
        let (spoof_v1se, _) = models::load(dir, models::MINIFAS_V1SE, &[1, 3, 80, 80], &[])?;
        let (faceres, faceres_out) = models::load(
            dir,
            models::FACERES,
            &[1, 224, 224, 3],
            &["gender_pred/Sigmoid:0", "age_pred/Softmax:0"],
        )?;
        Ok(Self {
            detector,
            embedder,
            spoof_v2,
            spoof_v1se,
            faceres,
            faceres_out,
            config,
        })
    }

    /// The settings in force.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Decode with this engine's pixel budget.
    pub fn decode(&self, bytes: &[u8]) -> Result<RgbImage> {
        decode_image(bytes, self.config.max_megapixels)
    }

    /// Decode and analyse encoded image bytes.
    pub fn analyze(&self, bytes: &[u8], options: AnalyzeOptions) -> Result<FaceAnalysis> {
        let img = self.decode(bytes)?;
        self.analyze_image(&img, options)
    }

    /// Analyse an already decoded, upright image.
    pub fn analyze_image(&self, img: &RgbImage, options: AnalyzeOptions) -> Result<FaceAnalysis> {
        let mut faces = self.detect(img)?;
        let mut best_angle = 0u16;
        let mut rotated: Option<RgbImage> = None;
        if options.rotate {
            // The contract: try 0/90/180/270 and keep the orientation with the
            // best detection. YuNet also fires, more weakly, on sideways faces,
            // so every angle is tried, not only when upright finds nothing.
            let best = |f: &[Detection]| f.iter().map(|d| d.score).fold(0.0, f32::max);
            let mut best_score = best(&faces);
            for angle in [90u16, 180, 270] {
                let r = match angle {
                    90 => image::imageops::rotate90(img),
                    180 => image::imageops::rotate180(img),
                    _ => image::imageops::rotate270(img),
                };
                let f = self.detect(&r)?;
                // A margin keeps upright when it is as good (ties are common).
                if best(&f) > best_score + 0.02 {
                    best_score = best(&f);
                    faces = f;
                    best_angle = angle;
                    rotated = Some(r);
                }
            }
        }
        let img = rotated.as_ref().unwrap_or(img);
        faces.sort_by(|a, b| b.area().total_cmp(&a.area()));
        let main = match faces.first() {
            Some(det) => Some(self.describe(img, det, options)?),
            None => None,
        };
        Ok(FaceAnalysis {
            width: img.width(),
            height: img.height(),
            best_angle,
            faces,
            main,
        })
    }

    /// All faces, best score first.
    pub fn detect(&self, img: &RgbImage) -> Result<Vec<Detection>> {
        self.detector.detect(img, self.config.detection_threshold)
    }

    fn describe(
        &self,
        img: &RgbImage,
        det: &Detection,
        options: AnalyzeOptions,
    ) -> Result<FaceDetails> {
        let chip = dlib_chip(img, det)
            .ok_or_else(|| FaceError::Inference("degenerate landmarks".into()))?;
        let template = self.embed_chip(&chip)?;
        let quality = assess(det, &chip);
        let liveness = if options.liveness {
            Some(self.liveness(img, det)?)
        } else {
            None
        };
        let age = if options.age {
            Some(self.estimate_age(img, det)?)
        } else {
            None
        };
        Ok(FaceDetails {
            detection: *det,
            template,
            quality,
            liveness,
            age,
        })
    }

    /// Template of one detected face.
    pub fn embed(&self, img: &RgbImage, det: &Detection) -> Result<Template> {
        let chip = dlib_chip(img, det)
            .ok_or_else(|| FaceError::Inference("degenerate landmarks".into()))?;
        self.embed_chip(&chip)
    }

    fn embed_chip(&self, chip: &RgbImage) -> Result<Template> {
        // Flat, low-contrast portraits (printed ID photos) embed closer to
        // their owner once stretched: on the shared faces' document-portrait
        // augmentation the worst genuine distance fell from 0.65 to 0.60 and
        // impostors did not move (see calibration.rs). Well-exposed chips
        // already span the range, so for them this is a no-op.
        let chip = &stretch_contrast(chip);
        // MANIFEST: RGB 0..255; mean subtraction and scaling are inside the graph.
        let out = models::run(&self.embedder, models::nchw(chip, false)?)?;
        let v = out
            .first()
            .ok_or_else(|| FaceError::Inference("no embedding output".into()))?;
        Template::from_embedding(v).ok_or_else(|| FaceError::Inference("bad embedding".into()))
    }

    /// Passive liveness of one detected face (MiniFASNet V2 + V1SE).
    pub fn liveness(&self, img: &RgbImage, det: &Detection) -> Result<LivenessScore> {
        let p_v2 = self.spoof_p_real(&self.spoof_v2, img, det, SPOOF_SCALE_V2)?;
        let p_v1se = self.spoof_p_real(&self.spoof_v1se, img, det, SPOOF_SCALE_V1SE)?;
        // Upstream decision: sum both softmaxes; liveness = summed P(real) / 2.
        Ok(LivenessScore {
            score: (p_v2 + p_v1se) / 2.0 * 100.0,
            p_real_v2: p_v2,
            p_real_v1se: p_v1se,
        })
    }

    fn spoof_p_real(
        &self,
        plan: &Plan,
        img: &RgbImage,
        det: &Detection,
        scale: f32,
    ) -> Result<f32> {
        let (l, t, r, b) = spoof_box(img.width(), img.height(), det, scale);
        let (cw, ch) = (r - l + 1.0, b - t + 1.0);
        let (kx, ky) = (cw / SPOOF_SIZE as f32, ch / SPOOF_SIZE as f32);
        // Plain bilinear with pixel-centre alignment, as the upstream
        // `cv2.resize` (INTER_LINEAR) the models were trained behind.
        let to_src = Affine([kx, 0.0, l + 0.5 * kx - 0.5, 0.0, ky, t + 0.5 * ky - 0.5]);
        let crop = warp(img, &to_src, SPOOF_SIZE, SPOOF_SIZE);
        // MANIFEST: BGR, raw 0..255 (no /255).
        let out = models::run(plan, models::nchw(&crop, true)?)?;
        // Outputs: logits, prob (softmax) — class 1 = real.
        let prob = out
            .get(1)
            .or(out.first())
            .ok_or_else(|| FaceError::Inference("no antispoof output".into()))?;
        let p = if out.len() > 1 {
            prob.get(1).copied()
        } else {
            softmax(prob).get(1).copied()
        };
        p.ok_or_else(|| FaceError::Inference("antispoof output shape".into()))
    }

    /// Age and gender of one detected face (faceres).
    pub fn estimate_age(&self, img: &RgbImage, det: &Detection) -> Result<AgeEstimate> {
        let side = det.width().max(det.height()) * FACERES_CROP;
        let cx = (det.bbox[0] + det.bbox[2]) / 2.0;
        let cy = (det.bbox[1] + det.bbox[3]) / 2.0;
        let k = side / FACERES_SIZE as f32;
        let to_src = Affine([
            k,
            0.0,
            cx - side / 2.0 + 0.5 * k - 0.5,
            0.0,
            k,
            cy - side / 2.0 + 0.5 * k - 0.5,
        ]);
        let crop = warp_antialiased(img, &to_src, FACERES_SIZE, FACERES_SIZE);
        // MANIFEST: NHWC RGB 0..255.
        let out = models::run(&self.faceres, models::nhwc_rgb(&crop)?)?;
        let get = |i: usize| {
            self.faceres_out
                .get(i)
                .and_then(|&p| out.get(p))
                .ok_or_else(|| FaceError::Inference("faceres output missing".into()))
        };
        let p_male = get(0)?
            .first()
            .copied()
            .ok_or_else(|| FaceError::Inference("faceres gender shape".into()))?;
        let dist = get(1)?;
        let total: f32 = dist.iter().sum::<f32>().max(1e-6);
        // Age = expectation over the 100 one-year bins; band = its std deviation.
        let age = dist
            .iter()
            .enumerate()
            .map(|(i, p)| i as f32 * p)
            .sum::<f32>()
            / total;
        let var = dist
            .iter()
            .enumerate()
            .map(|(i, p)| (i as f32 - age).powi(2) * p)
            .sum::<f32>()
            / total;
        Ok(AgeEstimate {
            age,
            band: var.sqrt(),
            p_male: p_male.clamp(0.0, 1.0),
        })
    }

    /// Calibrated 1:1 score between two templates.
    pub fn compare_templates(&self, a: &Template, b: &Template) -> MatchScore {
        let distance = a.distance(b);
        MatchScore {
            score: self.config.calibration.score(distance),
            distance,
        }
    }

    /// 1:1 score of the main faces of two analyses; `None` when either has no face.
    pub fn compare(&self, a: &FaceAnalysis, b: &FaceAnalysis) -> Option<MatchScore> {
        let (fa, fb) = (a.main.as_ref()?, b.main.as_ref()?);
        Some(self.compare_templates(&fa.template, &fb.template))
    }
}

/// The upstream anti-spoofing crop: the face box scaled about its centre,
/// shrunk if it cannot fit, then shifted to stay inside the image. Returns
/// inclusive pixel bounds (left, top, right, bottom).
fn spoof_box(iw: u32, ih: u32, det: &Detection, scale: f32) -> (f32, f32, f32, f32) {
    let (iw, ih) = (iw as f32, ih as f32);
    let (bw, bh) = (det.width().max(1.0), det.height().max(1.0));
    let scale = scale.min((ih - 1.0) / bh).min((iw - 1.0) / bw);
    let (nw, nh) = (bw * scale, bh * scale);
    let (cx, cy) = (det.bbox[0] + bw / 2.0, det.bbox[1] + bh / 2.0);
    let (mut l, mut t, mut r, mut b) = (cx - nw / 2.0, cy - nh / 2.0, cx + nw / 2.0, cy + nh / 2.0);
    if l < 0.0 {
        r -= l;
        l = 0.0;
    }
    if t < 0.0 {
        b -= t;
        t = 0.0;
    }
    if r > iw - 1.0 {
        l -= r - iw + 1.0;
        r = iw - 1.0;
    }
    if b > ih - 1.0 {
        t -= b - ih + 1.0;
        b = ih - 1.0;
    }
    (l.floor().max(0.0), t.floor().max(0.0), r.floor(), b.floor())
}

/// Linear stretch of the chip so its 1st..99th luma percentiles span 0..255
/// (with the gain capped), for flat, low-contrast document portraits.
fn stretch_contrast(chip: &RgbImage) -> RgbImage {
    let mut l = crate::imaging::luma(chip);
    l.sort_by(f32::total_cmp);
    let n = l.len();
    if n == 0 {
        return chip.clone();
    }
    let lo = l[n / 100];
    let hi = l[n - 1 - n / 100];
    let gain = (255.0 / (hi - lo).max(1.0)).min(2.5);
    if gain <= 1.05 {
        return chip.clone();
    }
    let mut out = chip.clone();
    for p in out.pixels_mut() {
        for c in p.0.iter_mut() {
            *c = ((f32::from(*c) - lo) * gain).round().clamp(0.0, 255.0) as u8;
        }
    }
    out
}

fn softmax(v: &[f32]) -> Vec<f32> {
    let m = v.iter().copied().fold(f32::MIN, f32::max);
    let e: Vec<f32> = v.iter().map(|x| (x - m).exp()).collect();
    let s: f32 = e.iter().sum::<f32>().max(1e-12);
    e.into_iter().map(|x| x / s).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn engine_is_send_sync() {
        assert_send_sync::<FaceEngine>();
    }

    #[test]
    fn spoof_box_stays_inside() {
        let det = Detection {
            bbox: [5.0, 5.0, 55.0, 65.0],
            score: 0.9,
            landmarks: [[0.0; 2]; 5],
        };
        let (l, t, r, b) = spoof_box(100, 100, &det, 4.0);
        assert!(l >= 0.0 && t >= 0.0 && r <= 99.0 && b <= 99.0);
    }
}
