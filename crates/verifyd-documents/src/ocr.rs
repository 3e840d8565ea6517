//! Text detection and recognition with the PaddleOCR ONNX models, run by tract.
//!
//! Detection is DB (differentiable binarisation): the network paints a text-probability map and
//! the boxes come from thresholding it, labelling connected components, fitting a minimum-area
//! rectangle to each and growing it back by the "unclip" margin the network was trained to
//! shrink away. Recognition is a CRNN with a CTC head, decoded greedily. Both models are loaded
//! once; a [`TextEngine`] is immutable after construction and can be shared across threads.
//!
//! The preprocessing constants below come from `shared/models/MANIFEST.md` (section `ocr/`),
//! which was checked element-wise against onnxruntime; they are not tunables.

use std::path::Path;

use image::{GrayImage, Luma, RgbImage};
use imageproc::point::Point;
use tract_onnx::prelude::*;

use crate::DocumentError;

/// Detector input normalisation (MANIFEST `ocr/`: "BGR /255 then mean (0.485,0.456,0.406), std
/// (0.229,0.224,0.225) in that channel order").
const DET_MEAN: [f32; 3] = [0.485, 0.456, 0.406];
const DET_STD: [f32; 3] = [0.229, 0.224, 0.225];
/// Detector input sides must be multiples of 32 (MANIFEST `ocr/`).
const DET_ALIGN: u32 = 32;
/// Detector input aspect buckets (short side / long side); each gets a plan in both
/// orientations and a page is letterboxed into the bucket that wastes least.
const DET_BUCKETS: [(u32, u32); 3] = [(1, 1), (3, 4), (9, 16)];
/// DB post-processing constants (MANIFEST `ocr/`: threshold 0.3, box score ≥ 0.5, unclip ≈ 1.5).
const DB_THRESHOLD: f32 = 0.3;
const DB_BOX_SCORE: f32 = 0.5;
const DB_UNCLIP: f32 = 1.5;
/// Components smaller than this (in probability-map pixels) are noise.
const DB_MIN_PIXELS: usize = 12;
/// A detector side rounded down to the alignment the network needs.
fn aligned_side(side: u32) -> u32 {
    side.max(DET_ALIGN) / DET_ALIGN * DET_ALIGN
}

/// Recogniser input height (MANIFEST `ocr/`: "[1,3,48,W] crop, height 48 keeping aspect,
/// (x/255 − 0.5)/0.5, right-padded with 0").
pub(crate) const REC_HEIGHT: u32 = 48;
/// Longest recogniser input; longer crops are squeezed (an MRZ line at 48 px is ~1100 px).
pub(crate) const REC_MAX_WIDTH: u32 = 1600;
/// Recogniser plans exist for every multiple of this width up to [`REC_MAX_WIDTH`]. Crops are
/// padded up to the next plan and recognition costs ~2 ms per 100 px of input, so a finer
/// step wastes less on padding (80 px: −20 ms per document against 160) at the price of more
/// plans to build at load (~1 s for 20).
const REC_WIDTH_STEP: u32 = 80;

/// Horizontal stretch of MRZ line crops (see [`TextEngine::recognise_mrz`]).
const MRZ_STRETCH: f32 = 1.3;
/// Widest MRZ crop per character: ~4 recogniser steps per character, enough to keep a blank
/// between repeated characters.
const MRZ_PX_PER_CHAR: u32 = 34;

/// The characters an MRZ may hold.
pub(crate) const MRZ_ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<";

type Plan = Arc<TypedRunnableModel>;

fn model_err(what: &str) -> impl Fn(TractError) -> DocumentError + '_ {
    move |e| DocumentError::Model(format!("{what}: {e:#}"))
}

/// A rotated rectangle in image coordinates: centre, size along / across the text, and the
/// direction of the text baseline (unit vector, reading direction).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextBox {
    /// Centre x.
    pub cx: f32,
    /// Centre y.
    pub cy: f32,
    /// Length along the reading direction.
    pub width: f32,
    /// Height across it.
    pub height: f32,
    /// Reading direction, unit vector.
    pub dir: (f32, f32),
    /// Mean text probability inside the box.
    pub score: f32,
}

impl TextBox {
    /// The same box read the other way round (rotated by 180°).
    pub fn flipped(self) -> TextBox {
        TextBox {
            dir: (-self.dir.0, -self.dir.1),
            ..self
        }
    }

    /// "Down" for this box: the reading direction turned clockwise by 90° (image y grows down).
    pub fn down(&self) -> (f32, f32) {
        (-self.dir.1, self.dir.0)
    }

    /// Corners in order top-left, top-right, bottom-right, bottom-left (relative to reading).
    pub fn corners(&self) -> [(f32, f32); 4] {
        let (dx, dy) = self.dir;
        let (nx, ny) = self.down();
        let (hw, hh) = (self.width / 2.0, self.height / 2.0);
        let p = |a: f32, b: f32| (self.cx + a * dx + b * nx, self.cy + a * dy + b * ny);
        [p(-hw, -hh), p(hw, -hh), p(hw, hh), p(-hw, hh)]
    }

    /// Scales all coordinates by `s` (between the detector's and the image's resolution).
    pub fn scaled(self, sx: f32, sy: f32) -> TextBox {
        // Non-uniform scaling changes the angle slightly; recompute from the corners.
        let (dx, dy) = (self.dir.0 * sx, self.dir.1 * sy);
        let n = (dx * dx + dy * dy).sqrt().max(1e-6);
        let (ax, ay) = (-self.dir.1 * sx, self.dir.0 * sy);
        TextBox {
            cx: self.cx * sx,
            cy: self.cy * sy,
            width: self.width * n,
            height: self.height * (ax * ax + ay * ay).sqrt(),
            dir: (dx / n, dy / n),
            score: self.score,
        }
    }
}

/// A recognised line: the text and the mean probability of its characters.
#[derive(Debug, Clone, PartialEq)]
pub struct Recognised {
    /// Decoded text.
    pub text: String,
    /// Mean per-character confidence in 0..1.
    pub confidence: f32,
    /// Per character of `text`, how it was read.
    pub chars: Vec<CharRead>,
    /// Between consecutive characters (index `i` is before `chars[i]`; one more entry than
    /// `chars`): the most probable character at the steps the blank won there, if any. A
    /// character the recogniser dropped usually shows up here.
    pub gaps: Vec<Option<(char, f32)>>,
}

/// One decoded character and the evidence behind it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CharRead {
    /// The character.
    pub ch: char,
    /// Its probability at the step it was emitted.
    pub probability: f32,
    /// Its usual OCR confusion partner (`O`↔`0`, `S`↔`5` …) and that partner's probability at
    /// the same step; read for MRZ lines only.
    pub alternative: Option<(char, f32)>,
    /// The CTC step (output column) it was emitted at. On fixed-pitch text (the MRZ) steps
    /// are evenly spaced, which tells a spurious or a collapsed character from a real one.
    pub step: u16,
    /// How many consecutive steps it won.
    pub run: u16,
}

impl Recognised {
    /// Rebuilds `text` and `confidence` from `chars` (after characters were edited).
    pub fn refresh(&mut self) {
        self.text = self.chars.iter().map(|c| c.ch).collect();
        self.confidence = if self.chars.is_empty() {
            0.0
        } else {
            self.chars.iter().map(|c| c.probability).sum::<f32>() / self.chars.len() as f32
        };
    }
}

/// The character OCR most often confuses `c` with (both directions).
pub fn confusion_partner(c: char) -> Option<char> {
    Some(match c {
        'O' | 'D' | 'Q' => '0',
        '0' => 'O',
        'I' => '1',
        '1' => 'I',
        'Z' => '2',
        '2' => 'Z',
        'S' => '5',
        '5' => 'S',
        'G' => '6',
        '6' => 'G',
        'B' => '8',
        '8' => 'B',
        _ => return None,
    })
}

/// Detection plus recognition models and the recogniser's dictionary.
pub struct TextEngine {
    /// Detector plans by input size (width, height).
    det: Vec<((u32, u32), Plan)>,
    /// Recogniser plans by input width, ascending.
    rec: Vec<(u32, Plan)>,
    /// Class index → character; index 0 is the CTC blank ('\0').
    all_classes: Vec<char>,
    /// Classes considered when decoding an MRZ, with the MRZ character each stands for.
    mrz_classes: Vec<(usize, char)>,
}

impl std::fmt::Debug for TextEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextEngine")
            .field("classes", &self.all_classes.len())
            .field(
                "detector_sizes",
                &self.det.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl TextEngine {
    /// Loads the detector, the recogniser and its dictionary (one character per line).
    pub fn load(
        det: &Path,
        rec: &Path,
        dict: &Path,
        det_sides: &[u32],
    ) -> Result<Self, DocumentError> {
        // Input shapes are pinned: the exported graphs leave them fully dynamic, which tract
        // cannot optimise (it cannot prove the FPN's upsampled branches line up, and symbolic
        // widths overflow its shape algebra). So each model gets one plan per input size: the
        // detector per aspect bucket, the recogniser per width bucket; inputs are padded up.
        let parse = |p: &Path, what: &'static str| {
            tract_onnx::onnx()
                .model_for_path(p)
                .map_err(model_err(what))
        };
        let plan = |m: &InferenceModel,
                    what: &'static str,
                    (w, h): (u32, u32)|
         -> Result<Plan, DocumentError> {
            let shape = [1usize, 3, h as usize, w as usize];
            m.clone()
                .with_input_fact(0, InferenceFact::dt_shape(f32::datum_type(), shape))
                .and_then(|m| m.into_optimized())
                .and_then(|m| m.into_runnable())
                .map_err(model_err(what))
        };
        let det_model = parse(det, "text detector")?;
        let mut det_plans = Vec::new();
        for side in det_sides.iter().map(|s| aligned_side(*s)) {
            for (num, den) in DET_BUCKETS {
                let short = (side * num / den / DET_ALIGN).max(1) * DET_ALIGN;
                for size in [(side, short), (short, side)] {
                    if !det_plans.iter().any(|(s, _)| *s == size) {
                        det_plans.push((size, plan(&det_model, "text detector", size)?));
                    }
                }
            }
        }
        let rec_model = parse(rec, "text recogniser")?;
        let mut rec_plans = Vec::new();
        let mut w = REC_WIDTH_STEP;
        while w <= REC_MAX_WIDTH {
            rec_plans.push((w, plan(&rec_model, "text recogniser", (w, REC_HEIGHT))?));
            w += REC_WIDTH_STEP;
        }
        let text = std::fs::read_to_string(dict)
            .map_err(|e| DocumentError::Model(format!("dictionary {}: {e}", dict.display())))?;
        // Classes: blank, then the dictionary lines, then a space (MANIFEST `ocr/`).
        let mut classes = vec!['\0'];
        for line in text.lines() {
            let line = line.trim_end_matches('\r');
            classes.push(line.chars().next().unwrap_or(' '));
        }
        classes.push(' ');
        let mut mrz_classes = vec![(0, '\0')];
        mrz_classes.extend(
            classes
                .iter()
                .enumerate()
                .skip(1)
                .filter_map(|(i, c)| mrz_char_for(*c).map(|m| (i, m))),
        );
        for c in MRZ_ALPHABET.chars() {
            if !mrz_classes.iter().any(|(_, m)| *m == c) {
                return Err(DocumentError::Model(format!(
                    "dictionary lacks MRZ character {c:?}"
                )));
            }
        }
        let all_classes: Vec<char> = classes
            .iter()
            .enumerate()
            .map(|(i, c)| if i == 0 { '\0' } else { *c })
            .collect();
        Ok(TextEngine {
            det: det_plans,
            rec: rec_plans,
            all_classes,
            mrz_classes,
        })
    }

    /// Finds text lines with the detector's input at most `max_side` pixels long (one of the
    /// sides the engine was loaded with). Boxes are in `img` pixel coordinates, reading
    /// direction pointing right (x grows) or, for vertical text, down.
    pub fn detect(&self, img: &RgbImage, max_side: u32) -> Result<Vec<TextBox>, DocumentError> {
        let (w, h) = img.dimensions();
        if w == 0 || h == 0 {
            return Ok(Vec::new());
        }
        // The bucket whose aspect is closest, then scale to fit and pad (right and bottom).
        let aspect = w as f32 / h as f32;
        let side = aligned_side(max_side);
        let plans = self
            .det
            .iter()
            .filter(|((pw, ph), _)| (*pw).max(*ph) == side);
        let Some(((dw, dh), plan)) = plans.min_by(|a, b| {
            let da = (a.0 .0 as f32 / a.0 .1 as f32 / aspect).ln().abs();
            let db = (b.0 .0 as f32 / b.0 .1 as f32 / aspect).ln().abs();
            da.total_cmp(&db)
        }) else {
            return Err(DocumentError::Model(format!(
                "no detector plan for {max_side} px"
            )));
        };
        let (dw, dh) = (*dw, *dh);
        let scale = (dw as f32 / w as f32).min(dh as f32 / h as f32);
        let (sw, sh) = (
            ((w as f32 * scale).round() as u32).clamp(1, dw),
            ((h as f32 * scale).round() as u32).clamp(1, dh),
        );
        let small = image::imageops::resize(img, sw, sh, image::imageops::FilterType::Triangle);
        let plane = (dw * dh) as usize;
        // Padding is 0 after normalisation, i.e. the mean colour.
        let mut data = vec![0f32; 3 * plane];
        for (x, y, p) in small.enumerate_pixels() {
            let i = (y * dw + x) as usize;
            // Channel 0 is blue: BGR order, as the model was trained with OpenCV images.
            for (c, v) in [p[2], p[1], p[0]].into_iter().enumerate() {
                data[c * plane + i] = (f32::from(v) / 255.0 - DET_MEAN[c]) / DET_STD[c];
            }
        }
        let input = Tensor::from_shape(&[1, 3, dh as usize, dw as usize], &data)
            .map_err(model_err("detector input"))?;
        let out = plan
            .run(tvec!(input.into()))
            .map_err(model_err("text detector"))?;
        let map = out
            .first()
            .ok_or_else(|| DocumentError::Model("text detector: no output".into()))?
            .to_plain_array_view::<f32>()
            .map_err(model_err("detector output"))?;
        let shape = map.shape().to_vec();
        let (mh, mw) = match shape.as_slice() {
            [1, 1, mh, mw] => (*mh, *mw),
            other => {
                return Err(DocumentError::Model(format!(
                    "detector output shape {other:?}"
                )))
            }
        };
        let boxes = db_boxes(&contiguous(&map), mw, mh);
        // Map-to-page: the map has the input's size; the page occupies its top-left part.
        let (sx, sy) = (
            w as f32 / (sw as f32 * mw as f32 / dw as f32),
            h as f32 / (sh as f32 * mh as f32 / dh as f32),
        );
        Ok(boxes.into_iter().map(|b| b.scaled(sx, sy)).collect())
    }

    /// Reads the printed text in `b`.
    pub fn recognise(&self, img: &RgbImage, b: &TextBox) -> Result<Recognised, DocumentError> {
        let crop = crop_box(img, b, 1.0, REC_MAX_WIDTH);
        self.recognise_crop(&crop, false)
    }

    /// Reads `b` as an MRZ line of at most `chars` characters: only `A–Z 0–9 <` are decoded.
    ///
    /// MRZ lines are stretched horizontally: more CTC steps per character keep the blank
    /// between the two `<` of a name separator, which the model otherwise tends to merge. The
    /// crop is capped at [`MRZ_PX_PER_CHAR`] per character, so a tall box (a loose detection)
    /// costs no more than a tight one.
    pub fn recognise_mrz(
        &self,
        img: &RgbImage,
        b: &TextBox,
        chars: usize,
    ) -> Result<Recognised, DocumentError> {
        let cap = u32::try_from(chars)
            .unwrap_or(u32::MAX)
            .saturating_mul(MRZ_PX_PER_CHAR);
        let crop = crop_box(img, b, MRZ_STRETCH, cap.min(REC_MAX_WIDTH));
        self.recognise_crop(&crop, true)
    }

    /// Reads a crop that is already upright and [`REC_HEIGHT`] pixels high.
    pub fn recognise_crop(
        &self,
        crop: &RgbImage,
        mrz_only: bool,
    ) -> Result<Recognised, DocumentError> {
        let (w, h) = crop.dimensions();
        // The smallest plan that fits; the rest is padding (0 after normalisation, as trained).
        let Some((pw, plan)) = self.rec.iter().find(|(pw, _)| *pw >= w).or(self.rec.last()) else {
            return Err(DocumentError::Model("no recogniser plan".into()));
        };
        let pw = *pw;
        let w = w.min(pw);
        let plane = (pw * h) as usize;
        let mut data = vec![0f32; 3 * plane];
        for (x, y, p) in crop.enumerate_pixels().filter(|(x, _, _)| *x < w) {
            let i = (y * pw + x) as usize;
            for (c, v) in [p[2], p[1], p[0]].into_iter().enumerate() {
                data[c * plane + i] = (f32::from(v) / 255.0 - 0.5) / 0.5;
            }
        }
        let input = Tensor::from_shape(&[1, 3, h as usize, pw as usize], &data)
            .map_err(model_err("recogniser input"))?;
        let out = plan
            .run(tvec!(input.into()))
            .map_err(model_err("text recogniser"))?;
        let probs = out
            .first()
            .ok_or_else(|| DocumentError::Model("text recogniser: no output".into()))?
            .to_plain_array_view::<f32>()
            .map_err(model_err("recogniser output"))?;
        let shape = probs.shape().to_vec();
        let (steps, n) = match shape.as_slice() {
            [1, t, c] => (*t, *c),
            other => {
                return Err(DocumentError::Model(format!(
                    "recogniser output shape {other:?}"
                )))
            }
        };
        let flat = contiguous(&probs);
        let classes = if mrz_only {
            Classes::Subset(&self.mrz_classes)
        } else {
            Classes::All(&self.all_classes)
        };
        Ok(ctc_greedy(&flat, steps, n, &classes))
    }
}

/// The elements of a network output in row-major order: borrowed when the array is laid out
/// that way already (tract's outputs are), else copied. The recogniser's output is
/// steps × ~6,900 classes (over a million floats for an MRZ line), and copying it element by
/// element through the array iterator cost ~5 % of a document's reading time.
fn contiguous<'a>(a: &'a tract_ndarray::ArrayViewD<'_, f32>) -> std::borrow::Cow<'a, [f32]> {
    match a.as_slice() {
        Some(s) => std::borrow::Cow::Borrowed(s),
        None => std::borrow::Cow::Owned(a.iter().copied().collect()),
    }
}

/// Which classes greedy decoding considers.
enum Classes<'a> {
    /// Every class; index `i` stands for `chars[i]` ('\0' = blank).
    All(&'a [char]),
    /// Only these (class index, character) pairs; several classes may stand for one character
    /// (look-alikes), and repeats are collapsed on the character.
    Subset(&'a [(usize, char)]),
}

impl Classes<'_> {
    /// The most probable class of a step and its character.
    fn best(&self, row: &[f32]) -> (char, f32) {
        match self {
            Classes::All(chars) => {
                // Two passes (a maximum the compiler vectorises, then its position) beat one
                // branchy arg-max over ~6,900 classes.
                let max = row
                    .chunks(16)
                    .map(|c| c.iter().copied().fold(f32::MIN, f32::max))
                    .fold(f32::MIN, f32::max);
                let k = row.iter().position(|p| *p == max).unwrap_or(0);
                (chars.get(k).copied().unwrap_or('\0'), max)
            }
            Classes::Subset(allowed) => {
                let mut best = ('\0', f32::MIN);
                for &(k, c) in *allowed {
                    if let Some(&p) = row.get(k) {
                        if p > best.1 {
                            best = (c, p);
                        }
                    }
                }
                best
            }
        }
    }

    /// The most probable non-blank character of a step (only asked of a subset).
    fn best_char(&self, row: &[f32]) -> Option<(char, f32)> {
        let Classes::Subset(allowed) = self else {
            return None;
        };
        let mut best: Option<(char, f32)> = None;
        for &(k, c) in *allowed {
            if let Some(&p) = row.get(k) {
                if c != '\0' && best.is_none_or(|(_, q)| p > q) {
                    best = Some((c, p));
                }
            }
        }
        best
    }

    /// The usual confusion partner of `c` and its probability at this step. Only the MRZ
    /// repair uses it, so it is only looked up in a subset (among all ~6,900 classes it cost
    /// a scan of the whole row per printed character).
    fn alternative(&self, row: &[f32], c: char) -> Option<(char, f32)> {
        let Classes::Subset(allowed) = self else {
            return None;
        };
        let partner = confusion_partner(c)?;
        let p = allowed
            .iter()
            .filter(|(_, x)| *x == partner)
            .filter_map(|(k, _)| row.get(*k).copied())
            .fold(0.0, f32::max);
        Some((partner, p))
    }
}

/// Greedy CTC: best class per step, repeats collapsed, blanks dropped. With a subset of
/// classes (the MRZ), the most probable character where the blank won is kept too (see
/// [`Recognised::gaps`]).
fn ctc_greedy(probs: &[f32], steps: usize, n: usize, classes: &Classes<'_>) -> Recognised {
    let mut chars: Vec<CharRead> = Vec::new();
    let mut gaps: Vec<Option<(char, f32)>> = vec![None];
    let mut previous = '\0';
    for t in 0..steps {
        let Some(row) = probs.get(t * n..(t + 1) * n) else {
            break;
        };
        let best = classes.best(row);
        let step = u16::try_from(t).unwrap_or(u16::MAX);
        if best.0 == '\0' {
            if let (Some(gap), Some(candidate)) = (gaps.last_mut(), classes.best_char(row)) {
                if gap.is_none_or(|(_, p)| candidate.1 > p) {
                    *gap = Some(candidate);
                }
            }
        } else if best.0 == previous {
            if let Some(last) = chars.last_mut() {
                last.run = last.run.saturating_add(1);
            }
        } else {
            let alternative = classes.alternative(row, best.0);
            chars.push(CharRead {
                ch: best.0,
                probability: best.1,
                alternative,
                step,
                run: 1,
            });
            gaps.push(None);
        }
        previous = best.0;
    }
    let mut r = Recognised {
        text: String::new(),
        confidence: 0.0,
        chars,
        gaps,
    };
    r.refresh();
    r
}

/// What a class stands for when reading an MRZ: the MRZ characters themselves and the
/// look-alikes the general-purpose recogniser prefers for them (it reads OCR-B `<` as `Λ` or
/// `«`, and knows Greek and Cyrillic capitals that are drawn like Latin ones).
fn mrz_char_for(c: char) -> Option<char> {
    Some(match c {
        'A'..='Z' | '0'..='9' | '<' => c,
        'Λ' | '‹' | '«' | 'く' | '〈' | '＜' | '﹤' | '≺' | '∠' => '<',
        'Α' | 'А' => 'A',
        'Β' | 'В' => 'B',
        'С' => 'C',
        'Ε' | 'Е' => 'E',
        'Η' | 'Н' => 'H',
        'Ι' | 'І' => 'I',
        'Κ' | 'К' => 'K',
        'Μ' | 'М' => 'M',
        'Ν' => 'N',
        'Ο' | 'О' => 'O',
        'Ρ' | 'Р' => 'P',
        'Τ' | 'Т' => 'T',
        'Υ' | 'У' => 'Y',
        'Χ' | 'Х' => 'X',
        'Ζ' => 'Z',
        'Ａ'..='Ｚ' | '０'..='９' => char::from_u32(u32::from(c) - 0xFEE0)?,
        _ => return None,
    })
}

/// Samples the rotated box `b` into an upright crop [`REC_HEIGHT`] pixels high (bilinear).
pub(crate) fn crop_box(img: &RgbImage, b: &TextBox, stretch: f32, max_width: u32) -> RgbImage {
    let h = REC_HEIGHT;
    let aspect = if b.height > 0.5 {
        stretch * b.width / b.height
    } else {
        1.0
    };
    let w = ((h as f32 * aspect).round() as u32).clamp(8, max_width.max(8));
    let (sx, sy) = (b.width / w as f32, b.height / h as f32);
    let (dx, dy) = b.dir;
    let (nx, ny) = b.down();
    let mut out = RgbImage::new(w, h);
    for (u, v, px) in out.enumerate_pixels_mut() {
        let a = (u as f32 + 0.5) * sx - b.width / 2.0;
        let c = (v as f32 + 0.5) * sy - b.height / 2.0;
        let x = b.cx + a * dx + c * nx - 0.5;
        let y = b.cy + a * dy + c * ny - 0.5;
        *px = sample(img, x, y);
    }
    out
}

/// Bilinear sample with edge clamping.
pub(crate) fn sample(img: &RgbImage, x: f32, y: f32) -> image::Rgb<u8> {
    let (w, h) = img.dimensions();
    let x = x.clamp(0.0, (w - 1) as f32);
    let y = y.clamp(0.0, (h - 1) as f32);
    // Both are non-negative here, so truncation is `floor` (without a libm call: this runs
    // for every pixel of every recognition crop).
    let (x0, y0) = (x as u32, y as u32);
    let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    // Straight from the raw buffer: `get_pixel` re-checks bounds and builds a slice per call,
    // which dominated this function (it runs for every pixel of every crop).
    let raw: &[u8] = img.as_raw();
    let p = |xx: u32, yy: u32| -> [u8; 3] {
        let i = (yy as usize * w as usize + xx as usize) * 3;
        match raw.get(i..i + 3) {
            Some(&[r, g, b]) => [r, g, b],
            _ => [0; 3],
        }
    };
    let (a, b, c, d) = (p(x0, y0), p(x1, y0), p(x0, y1), p(x1, y1));
    let mut out = [0u8; 3];
    for k in 0..3 {
        let top = f32::from(a[k]) * (1.0 - fx) + f32::from(b[k]) * fx;
        let bottom = f32::from(c[k]) * (1.0 - fx) + f32::from(d[k]) * fx;
        // Round half up; the float-to-int cast saturates to 0..=255.
        out[k] = (top * (1.0 - fy) + bottom * fy + 0.5) as u8;
    }
    image::Rgb(out)
}

/// DB post-processing of a probability map (row-major `w`×`h`).
fn db_boxes(prob: &[f32], w: usize, h: usize) -> Vec<TextBox> {
    let mut bitmap = GrayImage::new(w as u32, h as u32);
    for (i, p) in prob.iter().enumerate() {
        if *p > DB_THRESHOLD {
            bitmap.put_pixel((i % w) as u32, (i / w) as u32, Luma([255]));
        }
    }
    let labels = imageproc::region_labelling::connected_components(
        &bitmap,
        imageproc::region_labelling::Connectivity::Eight,
        Luma([0u8]),
    );
    // Gather each component's pixels.
    let mut comps: Vec<Vec<Point<i32>>> = Vec::new();
    let mut sums: Vec<f32> = Vec::new();
    for (x, y, l) in labels.enumerate_pixels() {
        let l = l[0] as usize;
        if l == 0 {
            continue;
        }
        if comps.len() < l {
            comps.resize_with(l, Vec::new);
            sums.resize(l, 0.0);
        }
        if let (Some(c), Some(s)) = (comps.get_mut(l - 1), sums.get_mut(l - 1)) {
            c.push(Point::new(x as i32, y as i32));
            *s += prob
                .get(y as usize * w + x as usize)
                .copied()
                .unwrap_or(0.0);
        }
    }
    let mut out = Vec::new();
    for (pixels, sum) in comps.iter().zip(sums) {
        if pixels.len() < DB_MIN_PIXELS {
            continue;
        }
        let score = sum / pixels.len() as f32;
        if score < DB_BOX_SCORE {
            continue;
        }
        // Fit on pixel corners so one-pixel-high lines keep a height.
        let mut pts = Vec::with_capacity(pixels.len() * 2);
        for p in pixels {
            pts.push(Point::new(p.x, p.y));
            pts.push(Point::new(p.x + 1, p.y + 1));
        }
        let hull = imageproc::geometry::convex_hull(pts);
        let rect = imageproc::geometry::min_area_rect(&hull);
        if let Some(b) = rect_to_box(&rect, score) {
            out.push(unclip(b));
        }
    }
    out
}

/// Converts four rectangle corners into a [`TextBox`] whose reading direction is the long side,
/// pointing right (or down for vertical boxes).
fn rect_to_box(rect: &[Point<i32>; 4], score: f32) -> Option<TextBox> {
    let f = |p: &Point<i32>| (p.x as f32, p.y as f32);
    let [a, b, c, _] = [f(&rect[0]), f(&rect[1]), f(&rect[2]), f(&rect[3])];
    let e1 = (b.0 - a.0, b.1 - a.1);
    let e2 = (c.0 - b.0, c.1 - b.1);
    let l1 = (e1.0 * e1.0 + e1.1 * e1.1).sqrt();
    let l2 = (e2.0 * e2.0 + e2.1 * e2.1).sqrt();
    if l1 < 1.0 || l2 < 1.0 {
        return None;
    }
    let (width, height, mut dir) = if l1 >= l2 {
        (l1, l2, (e1.0 / l1, e1.1 / l1))
    } else {
        (l2, l1, (e2.0 / l2, e2.1 / l2))
    };
    // Point right; for (near-)vertical text point down.
    if dir.0 < -1e-3 || (dir.0.abs() <= 1e-3 && dir.1 < 0.0) {
        dir = (-dir.0, -dir.1);
    }
    let cx = (a.0 + c.0) / 2.0;
    let cy = (a.1 + c.1) / 2.0;
    Some(TextBox {
        cx,
        cy,
        width,
        height,
        dir,
        score,
    })
}

/// Grows a box by the DB unclip distance `area · ratio / perimeter` on every side.
fn unclip(b: TextBox) -> TextBox {
    let d = b.width * b.height * DB_UNCLIP / (2.0 * (b.width + b.height));
    TextBox {
        width: b.width + 2.0 * d,
        height: b.height + 2.0 * d,
        ..b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctc_collapses_repeats_and_blanks() {
        let all = ['\0', 'A', 'Λ'];
        // steps: A A blank A Λ
        let probs = [
            0.1, 0.8, 0.1, //
            0.1, 0.8, 0.1, //
            0.9, 0.05, 0.05, //
            0.1, 0.8, 0.1, //
            0.1, 0.1, 0.8,
        ];
        assert_eq!(ctc_greedy(&probs, 5, 3, &Classes::All(&all)).text, "AAΛ");
        // Read as an MRZ, Λ stands for '<'; without A the A steps become blanks.
        let mrz = [(0, '\0'), (2, '<')];
        assert_eq!(ctc_greedy(&probs, 5, 3, &Classes::Subset(&mrz)).text, "<");
        assert_eq!(mrz_char_for('Λ'), Some('<'));
        assert_eq!(mrz_char_for('Ｋ'), Some('K'));
    }

    #[test]
    fn box_corners_follow_direction() {
        let b = TextBox {
            cx: 10.0,
            cy: 10.0,
            width: 20.0,
            height: 4.0,
            dir: (1.0, 0.0),
            score: 1.0,
        };
        assert_eq!(b.corners()[0], (0.0, 8.0));
        let f = b.flipped();
        assert_eq!(f.corners()[0], (20.0, 12.0));
    }
}
