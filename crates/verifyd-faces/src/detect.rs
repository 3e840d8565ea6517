//! Face detection with YuNet (libfacedetection.train, Apache-2.0).
//!
//! The image is letterboxed (scaled, padded right and bottom with black) into
//! one of three pinned input shapes so tract can fully optimise each plan; the
//! shape with the least padding for the image's aspect ratio is chosen.
//! Decoding follows models/README.md (from the shared MANIFEST): per stride s,
//! score = sqrt(cls·obj), box centre = (col + b0, row + b1)·s, size = exp(b2,b3)·s,
//! landmark j = (col + k2j, row + k2j+1)·s, then NMS at IoU 0.3.

use std::path::Path;

use image::RgbImage;
use serde::{Deserialize, Serialize};

use crate::error::{FaceError, Result};
use crate::imaging::resize;
use crate::models::{self, Plan};

/// Pinned letterbox sizes (width, height); multiples of 32 as YuNet needs.
const SHAPES: [(u32, u32); 3] = [(640, 640), (640, 480), (480, 640)];
/// Output names in MANIFEST order; looked up by name, not position.
const OUTPUTS: [&str; 12] = [
    "cls_8", "cls_16", "cls_32", "obj_8", "obj_16", "obj_32", "bbox_8", "bbox_16", "bbox_32",
    "kps_8", "kps_16", "kps_32",
];
const STRIDES: [u32; 3] = [8, 16, 32];
/// MANIFEST: keep detections scoring ≥ 0.6, suppress overlaps above IoU 0.3.
pub(crate) const SCORE_THRESHOLD: f32 = 0.6;
const NMS_IOU: f32 = 0.3;
/// Small images (document portraits) are enlarged at most this much; beyond
/// it the face would exceed the sizes YuNet's anchors were trained on.
const MAX_UPSCALE: f32 = 3.0;

/// One detected face in original-image pixel coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Detection {
    /// `[x1, y1, x2, y2]`.
    pub bbox: [f32; 4],
    /// Detector confidence 0..1.
    pub score: f32,
    /// Right eye, left eye (image left to right), nose tip, right and left mouth corners.
    pub landmarks: [[f32; 2]; 5],
}

impl Detection {
    /// Box width.
    pub fn width(&self) -> f32 {
        self.bbox[2] - self.bbox[0]
    }
    /// Box height.
    pub fn height(&self) -> f32 {
        self.bbox[3] - self.bbox[1]
    }
    /// Box area.
    pub fn area(&self) -> f32 {
        self.width().max(0.0) * self.height().max(0.0)
    }
    /// Distance between the eye landmarks.
    pub fn eye_distance(&self) -> f32 {
        let [a, b] = [self.landmarks[0], self.landmarks[1]];
        ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
    }
    /// `[x1, y1, x2, y2]` rounded and clipped to the image, as the wire wants.
    pub fn bbox_i32(&self, width: u32, height: u32) -> [i32; 4] {
        let clip = |v: f32, max: u32| v.round().clamp(0.0, max as f32) as i32;
        [
            clip(self.bbox[0], width),
            clip(self.bbox[1], height),
            clip(self.bbox[2], width),
            clip(self.bbox[3], height),
        ]
    }
}

pub(crate) struct Detector {
    plans: Vec<((u32, u32), Plan, Vec<usize>)>,
}

impl Detector {
    pub fn load(dir: &Path) -> Result<Self> {
        let mut plans = Vec::with_capacity(SHAPES.len());
        for (w, h) in SHAPES {
            let (plan, pos) = models::load(
                dir,
                models::YUNET,
                &[1, 3, h as usize, w as usize],
                &OUTPUTS,
            )?;
            plans.push(((w, h), plan, pos));
        }
        Ok(Self { plans })
    }

    /// All faces scoring ≥ `threshold`, best first.
    pub fn detect(&self, img: &RgbImage, threshold: f32) -> Result<Vec<Detection>> {
        let (iw, ih) = (img.width() as f32, img.height() as f32);
        let aspect = iw / ih;
        let idx = if aspect > 1.15 {
            1
        } else if aspect < 0.87 {
            2
        } else {
            0
        };
        let Some(((w, h), plan, pos)) = self.plans.get(idx) else {
            return Err(FaceError::Inference("detector plan missing".into()));
        };
        let scale = (*w as f32 / iw).min(*h as f32 / ih).min(MAX_UPSCALE);
        let sw = ((iw * scale).round() as u32).clamp(1, *w);
        let sh = ((ih * scale).round() as u32).clamp(1, *h);
        let mut canvas = RgbImage::new(*w, *h);
        image::imageops::replace(&mut canvas, &resize(img, sw, sh), 0, 0);
        // MANIFEST: BGR, raw 0..255, no mean/std.
        let input = models::nchw(&canvas, true)?;
        let outputs = models::run(plan, input)?;
        let get = |i: usize| -> Result<&[f32]> {
            pos.get(i)
                .and_then(|&p| outputs.get(p))
                .map(Vec::as_slice)
                .ok_or_else(|| FaceError::Inference("detector output missing".into()))
        };
        // Letterbox scale back to original pixels (sx, sy differ by rounding only).
        let (fx, fy) = (iw / sw as f32, ih / sh as f32);
        let mut found = Vec::new();
        for (si, &s) in STRIDES.iter().enumerate() {
            let (cls, obj, bbox, kps) = (get(si)?, get(3 + si)?, get(6 + si)?, get(9 + si)?);
            let cols = (*w / s) as usize;
            let rows = (*h / s) as usize;
            let n = rows * cols;
            if cls.len() < n || obj.len() < n || bbox.len() < 4 * n || kps.len() < 10 * n {
                return Err(FaceError::Inference("detector output shape".into()));
            }
            let s = s as f32;
            for i in 0..n {
                let score = (cls[i].clamp(0.0, 1.0) * obj[i].clamp(0.0, 1.0)).sqrt();
                if score < threshold {
                    continue;
                }
                let (col, row) = ((i % cols) as f32, (i / cols) as f32);
                let b = &bbox[4 * i..4 * i + 4];
                let cx = (col + b[0]) * s;
                let cy = (row + b[1]) * s;
                let bw = b[2].exp() * s;
                let bh = b[3].exp() * s;
                let k = &kps[10 * i..10 * i + 10];
                let mut landmarks = [[0f32; 2]; 5];
                for (j, l) in landmarks.iter_mut().enumerate() {
                    *l = [(col + k[2 * j]) * s * fx, (row + k[2 * j + 1]) * s * fy];
                }
                found.push(Detection {
                    bbox: [
                        (cx - bw / 2.0) * fx,
                        (cy - bh / 2.0) * fy,
                        (cx + bw / 2.0) * fx,
                        (cy + bh / 2.0) * fy,
                    ],
                    score,
                    landmarks,
                });
            }
        }
        Ok(nms(found, NMS_IOU))
    }
}

fn iou(a: &Detection, b: &Detection) -> f32 {
    let ix = (a.bbox[2].min(b.bbox[2]) - a.bbox[0].max(b.bbox[0])).max(0.0);
    let iy = (a.bbox[3].min(b.bbox[3]) - a.bbox[1].max(b.bbox[1])).max(0.0);
    let inter = ix * iy;
    let union = a.area() + b.area() - inter;
    if union <= 0.0 {
        0.0
    } else {
        inter / union
    }
}

/// Greedy non-maximum suppression, highest score first.
fn nms(mut dets: Vec<Detection>, threshold: f32) -> Vec<Detection> {
    dets.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut keep: Vec<Detection> = Vec::new();
    for d in dets {
        if keep.iter().all(|k| iou(k, &d) <= threshold) {
            keep.push(d);
        }
    }
    keep
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det(x: f32, score: f32) -> Detection {
        Detection {
            bbox: [x, 0.0, x + 10.0, 10.0],
            score,
            landmarks: [[0.0; 2]; 5],
        }
    }

    #[test]
    fn nms_keeps_best_of_overlaps() {
        let kept = nms(vec![det(0.0, 0.7), det(1.0, 0.9), det(50.0, 0.8)], 0.3);
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[0].score, 0.9);
        assert_eq!(kept[1].score, 0.8);
    }
}
