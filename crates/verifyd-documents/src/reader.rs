//! The document reader: decoded pages in, a [`DocumentReading`] out.
//!
//! One detector pass per page finds every text line. The MRZ is searched among them first,
//! because once it is found it fixes everything else: the document's orientation (its reading
//! direction), its scale (the character pitch is fixed by ICAO 9303) and where the portrait and
//! the printed fields sit. Only when no zone is found is the page turned by 90° and detected
//! again, so an upright document costs one detector pass.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use image::{GrayImage, RgbImage};

use crate::checks::{evaluate, DocumentPolicy};
use crate::decode::{decode_image, DEFAULT_MAX_PIXELS};
use crate::ocr::{sample, TextBox, TextEngine};
use crate::rectify::rectify;
use crate::report::{DocumentType, IdVerification};
use crate::visual::{read_visual, VisualFields};
use crate::zone::{find_zone, FoundZone};
use crate::DocumentError;

/// File names of the vendored models inside the model directory (see `models/README.md`).
pub const DET_MODEL: &str = "ppocrv6_tiny/ppocrv6_tiny_det.tract.onnx";
/// Recogniser file name.
pub const REC_MODEL: &str = "ppocrv6_tiny/ppocrv6_tiny_rec.tract.onnx";
/// Dictionary file name.
pub const DICTIONARY: &str = "ppocrv6_tiny/ppocrv6_tiny_dict.txt";
/// Where the models are in a source checkout (`<repo>/models/ocr`).
pub const DEFAULT_MODEL_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../models/ocr");

/// Longest side the detector sees. The MRZ of a passport filling a third of a 640-pixel
/// frame is still ~9 px per character, which the detector finds reliably.
const DET_MAX_SIDE: u32 = 512;
/// Longest side the detector sees on the back of a two-sided document, and on its front once
/// the back gave a valid zone. A TD1 zone's characters are ~3 % of a card's width (a passport
/// zone's ~2 % of its page), so a card's zone is found as well at this size as a passport's
/// at [`DET_MAX_SIDE`]; the front then only needs its printed data, which is printed at about
/// the zone's size.
const DET_CARD_SIDE: u32 = 384;
/// Text-line directions spreading wider than this (degrees) trigger perspective correction.
const MAX_DIRECTION_SPREAD: f32 = 3.0;
/// Pages are reduced to this longest side before anything else (recognition crops are taken
/// from this image, so it must keep small print legible).
const WORK_MAX_SIDE: u32 = 2000;
/// At most this many printed lines are recognised per page.
const MAX_VISUAL_LINES: usize = 20;
/// A sharpness (variance of the Laplacian on 48-pixel-high MRZ crops) below this is blurry.
const BLURRY_MRZ: f32 = 150.0;
/// The same on a whole page reduced to 1000 pixels, used when there is no MRZ.
const BLURRY_PAGE: f32 = 30.0;
/// Fraction of saturated pixels in the document area above which glare is reported.
const GLARE_FRACTION: f32 = 0.08;
/// Above this fraction of saturated pixels the image is a scan on white, not a photo with glare.
const SCAN_FRACTION: f32 = 0.5;

/// How the reader is set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderConfig {
    /// Directory holding the models (`models/ocr` in the repository).
    pub model_dir: PathBuf,
    /// Images above this many pixels are refused before decoding.
    pub max_pixels: u64,
    /// Detector file, relative to `model_dir`.
    pub det_model: PathBuf,
    /// Recogniser file, relative to `model_dir`.
    pub rec_model: PathBuf,
    /// Recogniser dictionary, relative to `model_dir`.
    pub dictionary: PathBuf,
}

impl Default for ReaderConfig {
    fn default() -> Self {
        ReaderConfig {
            model_dir: PathBuf::from(DEFAULT_MODEL_DIR),
            max_pixels: DEFAULT_MAX_PIXELS,
            det_model: PathBuf::from(DET_MODEL),
            rec_model: PathBuf::from(REC_MODEL),
            dictionary: PathBuf::from(DICTIONARY),
        }
    }
}

/// Per-call options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadOptions {
    /// Resolves two-digit MRZ years (injected for reproducibility).
    pub today: NaiveDate,
    /// Read the printed text too (names with accents, issue date, cross-checks). Costs one
    /// recognition per printed line.
    pub read_visual_zone: bool,
}

impl ReadOptions {
    /// Everything on, as of `today`.
    pub fn new(today: NaiveDate) -> Self {
        ReadOptions {
            today,
            read_visual_zone: true,
        }
    }
}

/// Image-quality signals.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct ImageQuality {
    /// Variance of the Laplacian (higher is sharper); measured on the MRZ when there is one.
    pub sharpness: f32,
    /// True when `sharpness` is below the threshold for where it was measured.
    pub blurry: bool,
    /// Fraction of saturated pixels in the document area.
    pub saturated_fraction: f32,
    /// True when `saturated_fraction` suggests glare.
    pub glare: bool,
    /// True when the MRZ or the document runs off the image.
    pub cut_off: bool,
}

/// Which image a result came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Side {
    /// The front image.
    Front,
    /// The back image.
    Back,
}

/// Everything read from a document, before the session's checks.
#[derive(Debug, Clone)]
pub struct DocumentReading {
    /// The zone, if found.
    pub zone: Option<FoundZone>,
    /// Which side it was on.
    pub zone_side: Option<Side>,
    /// The printed text.
    pub visual: VisualFields,
    /// Document type from the zone, else from the printed text.
    pub document_type: Option<DocumentType>,
    /// The portrait, JPEG-encoded.
    pub portrait_jpeg: Option<Vec<u8>>,
    /// Quality of the image the zone (or the front) came from.
    pub quality: ImageQuality,
}

impl DocumentReading {
    /// The contract element for this reading under `policy`.
    pub fn evaluate(&self, policy: &DocumentPolicy) -> IdVerification {
        evaluate(self, policy)
    }

    /// The MRZ lines as read and repaired, if any.
    pub fn mrz_lines(&self) -> Option<&[String]> {
        self.zone.as_ref().map(|z| z.mrz.lines.as_slice())
    }
}

/// What one page gave.
struct Page {
    img: RgbImage,
    boxes: Vec<TextBox>,
    zone: Option<FoundZone>,
}

/// Reads identity documents. Load once; `read` is `&self` and the reader is `Send + Sync`, so
/// one instance serves a whole blocking pool.
#[derive(Debug)]
pub struct DocumentReader {
    engine: TextEngine,
    max_pixels: u64,
}

impl DocumentReader {
    /// Loads the models.
    pub fn new(config: &ReaderConfig) -> Result<Self, DocumentError> {
        let p = |f: &Path| config.model_dir.join(f);
        let engine = TextEngine::load(
            &p(&config.det_model),
            &p(&config.rec_model),
            &p(&config.dictionary),
            &[DET_MAX_SIDE, DET_CARD_SIDE],
        )?;
        Ok(DocumentReader {
            engine,
            max_pixels: config.max_pixels,
        })
    }

    /// Loads the models from `model_dir` with default limits.
    pub fn from_dir(model_dir: &Path) -> Result<Self, DocumentError> {
        Self::new(&ReaderConfig {
            model_dir: model_dir.to_owned(),
            ..ReaderConfig::default()
        })
    }

    /// The text engine (for tools that want raw OCR).
    pub fn engine(&self) -> &TextEngine {
        &self.engine
    }

    /// Reads a document from its front image and optionally its back image (encoded bytes).
    ///
    /// Errors are for unusable input (not an image, truncated, too large) and engine failures;
    /// an image without a document gives a reading whose checks report it.
    pub fn read(
        &self,
        front: &[u8],
        back: Option<&[u8]>,
        options: &ReadOptions,
    ) -> Result<DocumentReading, DocumentError> {
        let front = decode_image(front, self.max_pixels)?.to_rgb8();
        let back = match back {
            Some(b) => Some(decode_image(b, self.max_pixels)?.to_rgb8()),
            None => None,
        };
        self.read_images(front, back, options)
    }

    /// [`DocumentReader::read`] for decoded images.
    pub fn read_images(
        &self,
        front: RgbImage,
        back: Option<RgbImage>,
        options: &ReadOptions,
    ) -> Result<DocumentReading, DocumentError> {
        let today = options.today;
        let valid = |p: &Page| p.zone.as_ref().is_some_and(|z| z.mrz.is_valid());
        // With two images the back is read first, at the card size: an ID card's zone is
        // there. A back without a valid zone is detected again at full size.
        let mut back = match back {
            Some(img) => {
                let page = self.read_page(img, today, DET_CARD_SIDE)?;
                Some(if valid(&page) {
                    page
                } else {
                    self.read_page(page.img, today, DET_MAX_SIDE)?
                })
            }
            None => None,
        };
        // A valid zone on the back says how the card was held; the front was photographed the
        // same way, and is turned upright before its (sideways-shy) detection.
        let back_zone = back
            .as_ref()
            .and_then(|p| p.zone.as_ref().filter(|z| z.mrz.is_valid()));
        let (front, front_side) = match back_zone.and_then(|z| z.boxes.first()) {
            Some(line) => (turn_upright(front, line.dir), DET_CARD_SIDE),
            None => (front, DET_MAX_SIDE),
        };
        let mut front = self.read_page(front, today, front_side)?;
        // Only when neither side gave a valid zone are the pages turned and read again.
        if !valid(&front) && !back.as_ref().is_some_and(valid) {
            front = self.turned_if_better(front, today)?;
            back = match back {
                Some(b) => Some(self.turned_if_better(b, today)?),
                None => None,
            };
        }
        // The zone: the valid one, else the better of the two.
        let rank = |p: &Page| {
            p.zone
                .as_ref()
                .map(|z| (!z.mrz.is_valid(), z.mrz.problems.len()))
        };
        let use_back = match (&back, rank(&front)) {
            (Some(b), Some(f)) => rank(b).is_some_and(|r| r < f),
            (Some(b), None) => b.zone.is_some(),
            _ => false,
        };
        let zone_page = if use_back {
            back.as_ref().unwrap_or(&front)
        } else {
            &front
        };
        let zone = zone_page.zone.clone();
        let zone_side = zone
            .as_ref()
            .map(|_| if use_back { Side::Back } else { Side::Front });

        // Printed text of both sides.
        let mut lines = Vec::new();
        if options.read_visual_zone {
            lines.extend(self.visual_lines(&front)?);
            if let Some(b) = &back {
                lines.extend(self.visual_lines(b)?);
            }
        }
        let visual = read_visual(lines, zone.as_ref().map(|z| &z.mrz), today);
        let document_type = match &zone {
            Some(z) => Some(classify_zone(&z.mrz, visual.document_type)),
            None => visual.document_type,
        };

        // Portrait: relative to a passport-style zone on the same page, else the front's layout.
        let portrait = match (&zone, use_back) {
            (Some(z), false) if z.mrz.format != mrz::Format::Td1 => {
                portrait_from_zone(&front.img, z)
            }
            _ if document_type.is_some() || zone.is_some() => portrait_from_layout(&front),
            _ => None,
        };
        let portrait_jpeg = match portrait {
            Some(p) => Some(encode_jpeg(&p)?),
            None => None,
        };
        let quality = quality(zone_page);
        Ok(DocumentReading {
            zone,
            zone_side,
            visual,
            document_type,
            portrait_jpeg,
            quality,
        })
    }

    /// Reads and checks in one call.
    pub fn verify(
        &self,
        front: &[u8],
        back: Option<&[u8]>,
        policy: &DocumentPolicy,
    ) -> Result<(IdVerification, DocumentReading), DocumentError> {
        let reading = self.read(front, back, &ReadOptions::new(policy.today))?;
        Ok((reading.evaluate(policy), reading))
    }

    fn read_page(
        &self,
        img: RgbImage,
        today: NaiveDate,
        det_side: u32,
    ) -> Result<Page, DocumentError> {
        let img = shrink(img, WORK_MAX_SIDE);
        let boxes = self.engine.detect(&img, det_side)?;
        // Text lines that disagree on their direction are a document seen at an angle: it is
        // squared up and read again (a flat photo never pays for the outline search). The
        // squared page is kept only if its zone validates; an outline that was not the
        // document's cannot spoil a reading the photo as taken would have given.
        if direction_spread(&boxes) > MAX_DIRECTION_SPREAD {
            if let Some(flat) = rectify(&img) {
                let flat_boxes = self.engine.detect(&flat, det_side)?;
                let zone = find_zone(&self.engine, &flat, &flat_boxes, today)?;
                if zone.as_ref().is_some_and(|z| z.mrz.is_valid()) {
                    return Ok(Page {
                        img: flat,
                        boxes: flat_boxes,
                        zone,
                    });
                }
            }
        }
        let zone = find_zone(&self.engine, &img, &boxes, today)?;
        Ok(Page { img, boxes, zone })
    }

    /// Sideways text is detected poorly: turns the page by 90° and keeps whichever reading
    /// found the better zone (or, without any zone, more text).
    fn turned_if_better(&self, page: Page, today: NaiveDate) -> Result<Page, DocumentError> {
        let turned = image::imageops::rotate90(&page.img);
        let turned_boxes = self.engine.detect(&turned, DET_MAX_SIDE)?;
        let turned_zone = find_zone(&self.engine, &turned, &turned_boxes, today)?;
        let better = match (&page.zone, &turned_zone) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(a), Some(b)) => b.mrz.problems.len() < a.mrz.problems.len(),
        };
        if better || (page.zone.is_none() && turned_boxes.len() > page.boxes.len() * 2) {
            Ok(Page {
                img: turned,
                boxes: turned_boxes,
                zone: turned_zone,
            })
        } else {
            Ok(page)
        }
    }

    /// Recognises the printed lines of a page (everything but the zone), top to bottom in the
    /// document's own orientation.
    fn visual_lines(&self, page: &Page) -> Result<Vec<String>, DocumentError> {
        let zone_boxes: &[TextBox] = page
            .zone
            .as_ref()
            .map(|z| z.boxes.as_slice())
            .unwrap_or(&[]);
        let dir = zone_boxes
            .first()
            .map(|b| b.dir)
            .unwrap_or_else(|| dominant_direction(&page.boxes));
        let down = (-dir.1, dir.0);
        let mut lines: Vec<TextBox> = page
            .boxes
            .iter()
            .filter(|b| {
                !zone_boxes
                    .iter()
                    .any(|z| (z.cx - b.cx).abs() < 2.0 && (z.cy - b.cy).abs() < 2.0)
            })
            .filter(|b| b.width >= 1.2 * b.height && b.height > 4.0)
            .map(|b| {
                if b.dir.0 * dir.0 + b.dir.1 * dir.1 < 0.0 {
                    b.flipped()
                } else {
                    *b
                }
            })
            .filter(|b| (b.dir.0 * dir.0 + b.dir.1 * dir.1) > 0.9)
            .collect();
        if let Some(top) = zone_boxes.first() {
            // Only what is above the zone (a zone on the back may share the page with barcodes).
            let limit = top.cx * down.0 + top.cy * down.1;
            lines.retain(|b| b.cx * down.0 + b.cy * down.1 < limit);
        }
        lines.sort_by(|a, b| b.width.total_cmp(&a.width));
        lines.truncate(MAX_VISUAL_LINES);
        lines.sort_by(|a, b| {
            let ka = a.cx * down.0 + a.cy * down.1;
            let kb = b.cx * down.0 + b.cy * down.1;
            ka.total_cmp(&kb)
        });
        let mut read = Vec::with_capacity(lines.len());
        for b in &lines {
            let r = self.engine.recognise(&page.img, b)?;
            if !r.text.trim().is_empty() && r.confidence > 0.5 {
                read.push((*b, r.text));
            }
        }
        Ok(join_fragments(read, dir))
    }
}

/// Joins pieces of one printed line the detector split (`29` and `NOV 1978`): pieces on the
/// same baseline less than two text heights apart become one line, left to right. The result
/// stays top to bottom.
fn join_fragments(mut read: Vec<(TextBox, String)>, dir: (f32, f32)) -> Vec<String> {
    let down = (-dir.1, dir.0);
    let along = |b: &TextBox| b.cx * dir.0 + b.cy * dir.1;
    let across = |b: &TextBox| b.cx * down.0 + b.cy * down.1;
    read.sort_by(|a, b| along(&a.0).total_cmp(&along(&b.0)));
    // Each line: (its last piece, its text); pieces are taken left to right.
    let mut joined: Vec<(TextBox, String)> = Vec::new();
    for (b, text) in read {
        let target = joined.iter_mut().find(|(last, _)| {
            let h = last.height.max(b.height);
            let gap = (along(&b) - b.width / 2.0) - (along(last) + last.width / 2.0);
            (across(&b) - across(last)).abs() < 0.35 * h && gap < 2.0 * h && gap > -0.5 * h
        });
        match target {
            Some((last, line)) => {
                line.push(' ');
                line.push_str(&text);
                *last = b;
            }
            None => joined.push((b, text)),
        }
    }
    joined.sort_by(|a, b| across(&a.0).total_cmp(&across(&b.0)));
    joined.into_iter().map(|(_, t)| t).collect()
}

/// The document type a zone's document code denotes, refined by printed keywords.
pub fn classify_zone(z: &mrz::Mrz, printed: Option<DocumentType>) -> DocumentType {
    let code = z.document_code.trim_end_matches('<');
    match z.category() {
        mrz::DocumentCategory::Passport => DocumentType::Passport,
        mrz::DocumentCategory::Visa => DocumentType::Visa,
        _ if matches!(code, "IR" | "AR" | "CR" | "RP" | "RT") => DocumentType::ResidencePermit,
        _ if printed == Some(DocumentType::ResidencePermit) => DocumentType::ResidencePermit,
        _ if printed == Some(DocumentType::DriversLicense) => DocumentType::DriversLicense,
        mrz::DocumentCategory::IdentityCard => DocumentType::IdentityCard,
        _ if code == "AC" => DocumentType::Other,
        _ => DocumentType::IdentityCard,
    }
}

/// Turns `img` by the quarter turn that makes text read along `dir` read left to right.
fn turn_upright(img: RgbImage, dir: (f32, f32)) -> RgbImage {
    use image::imageops::{rotate180, rotate270, rotate90};
    let quarter = (dir.1.atan2(dir.0) / std::f32::consts::FRAC_PI_2).round() as i32;
    match quarter.rem_euclid(4) {
        1 => rotate270(&img),
        2 => rotate180(&img),
        3 => rotate90(&img),
        _ => img,
    }
}

fn shrink(img: RgbImage, max_side: u32) -> RgbImage {
    let (w, h) = img.dimensions();
    if w.max(h) <= max_side {
        return img;
    }
    let s = max_side as f32 / w.max(h) as f32;
    let (nw, nh) = (
        ((w as f32 * s) as u32).max(1),
        ((h as f32 * s) as u32).max(1),
    );
    image::imageops::resize(&img, nw, nh, image::imageops::FilterType::Triangle)
}

/// Spread (degrees, between the 10th and 90th percentile) of the directions of the long text
/// lines, folded to a half-turn around their dominant direction. Flat photos print parallel
/// lines; perspective makes them converge.
fn direction_spread(boxes: &[TextBox]) -> f32 {
    let dir = dominant_direction(boxes);
    let mut angles: Vec<f32> = boxes
        .iter()
        .filter(|b| b.width > 4.0 * b.height)
        .map(|b| {
            let cross = dir.0 * b.dir.1 - dir.1 * b.dir.0;
            let dot = dir.0 * b.dir.0 + dir.1 * b.dir.1;
            // Folded so a line read the other way round counts as parallel.
            (cross * dot.signum()).atan2(dot.abs()).to_degrees()
        })
        .collect();
    if angles.len() < 4 {
        return 0.0;
    }
    angles.sort_by(f32::total_cmp);
    let at = |p: f32| angles[((angles.len() - 1) as f32 * p).round() as usize];
    at(0.9) - at(0.1)
}

/// The reading direction most text lines agree on (weighted by length); right if none.
fn dominant_direction(boxes: &[TextBox]) -> (f32, f32) {
    // Directions are folded to a half-plane by doubling the angle, averaged, then halved.
    let (mut sx, mut sy) = (0.0f32, 0.0f32);
    for b in boxes.iter().filter(|b| b.width > 2.0 * b.height) {
        let a = b.dir.1.atan2(b.dir.0) * 2.0;
        sx += a.cos() * b.width;
        sy += a.sin() * b.width;
    }
    if sx == 0.0 && sy == 0.0 {
        return (1.0, 0.0);
    }
    let a = sy.atan2(sx) / 2.0;
    (a.cos(), a.sin())
}

/// A frame on the page: origin, unit axes and a length unit in pixels.
#[derive(Debug, Clone, Copy)]
struct Frame {
    origin: (f32, f32),
    x: (f32, f32),
    y: (f32, f32),
    unit: f32,
}

impl Frame {
    fn at(&self, u: f32, v: f32) -> (f32, f32) {
        (
            self.origin.0 + (u * self.x.0 + v * self.y.0) * self.unit,
            self.origin.1 + (u * self.x.1 + v * self.y.1) * self.unit,
        )
    }

    /// Samples the rectangle `[u0,u1]×[v0,v1]` (frame units) upright, `out_h` pixels high.
    fn crop(
        &self,
        img: &RgbImage,
        (u0, v0, u1, v1): (f32, f32, f32, f32),
        out_h: u32,
    ) -> Option<RgbImage> {
        let (w_units, h_units) = (u1 - u0, v1 - v0);
        if w_units <= 0.0 || h_units <= 0.0 {
            return None;
        }
        // Refuse a region mostly outside the image.
        let (iw, ih) = (img.width() as f32, img.height() as f32);
        let corners = [
            self.at(u0, v0),
            self.at(u1, v0),
            self.at(u1, v1),
            self.at(u0, v1),
        ];
        let outside = corners
            .iter()
            .filter(|(x, y)| *x < -0.1 * iw || *y < -0.1 * ih || *x > 1.1 * iw || *y > 1.1 * ih)
            .count();
        if outside > 1 {
            return None;
        }
        let out_w = ((out_h as f32) * w_units / h_units).round().max(1.0) as u32;
        let mut out = RgbImage::new(out_w, out_h);
        for (i, j, px) in out.enumerate_pixels_mut() {
            let u = u0 + (i as f32 + 0.5) / out_w as f32 * w_units;
            let v = v0 + (j as f32 + 0.5) / out_h as f32 * h_units;
            let (x, y) = self.at(u, v);
            *px = sample(img, x - 0.5, y - 0.5);
        }
        Some(out)
    }
}

/// The frame of a zone: origin at the top-left of its first line, unit = one character pitch.
fn zone_frame(z: &FoundZone) -> Option<Frame> {
    let first = z.boxes.first()?;
    let chars = z.mrz.format.width() as f32;
    // The box includes the unclip margin (about one text height on each end).
    let unit = (first.width - first.height).max(1.0) / chars;
    let [tl, ..] = first.corners();
    let origin = (
        tl.0 + first.dir.0 * first.height * 0.5,
        tl.1 + first.dir.1 * first.height * 0.5,
    );
    Some(Frame {
        origin,
        x: first.dir,
        y: first.down(),
        unit,
    })
}

/// Portrait region of a passport-style page, in character pitches from the zone's top-left
/// (ICAO 9303-4 places zone V at the left, above the MRZ; the pitch is 2.54 mm).
const TD3_PORTRAIT: (f32, f32, f32, f32) = (-2.0, -21.5, 13.5, -3.0);

fn portrait_from_zone(img: &RgbImage, z: &FoundZone) -> Option<RgbImage> {
    let frame = zone_frame(z)?;
    let region = match z.mrz.format {
        mrz::Format::Td3 | mrz::Format::MrvA => TD3_PORTRAIT,
        // TD2 and MRV-B pages are smaller; the portrait is proportionally placed.
        _ => (-1.5, -17.0, 11.0, -2.5),
    };
    frame.crop(img, region, 320).filter(has_detail)
}

/// Portrait of a card front without a zone: left part of the card, estimated from where the
/// text lines are (ID-1 cards put the photo left of the data).
fn portrait_from_layout(page: &Page) -> Option<RgbImage> {
    let dir = dominant_direction(&page.boxes);
    let down = (-dir.1, dir.0);
    let lines: Vec<&TextBox> = page
        .boxes
        .iter()
        .filter(|b| b.width > 2.0 * b.height)
        .collect();
    if lines.len() < 3 {
        return None;
    }
    let (mut u0, mut u1, mut v0, mut v1) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
    for b in &lines {
        for (x, y) in b.corners() {
            let u = x * dir.0 + y * dir.1;
            let v = x * down.0 + y * down.1;
            u0 = u0.min(u);
            u1 = u1.max(u);
            v0 = v0.min(v);
            v1 = v1.max(v);
        }
    }
    let card_h = (v1 - v0) * 1.1;
    let card_w = (card_h * 1.585).max(u1 - u0);
    let left = u1 - card_w;
    let frame = Frame {
        origin: (0.0, 0.0),
        x: dir,
        y: down,
        unit: 1.0,
    };
    let region = (
        left + 0.03 * card_w,
        v0 + 0.18 * card_h,
        left + 0.33 * card_w,
        v0 + 0.88 * card_h,
    );
    // Frame origin (0,0) with axes dir/down: coordinates are projections, so map back.
    frame.crop(&page.img, region, 320).filter(has_detail)
}

/// A blank or flat region is no portrait.
fn has_detail(img: &RgbImage) -> bool {
    let n = (img.width() * img.height()) as f64;
    if n == 0.0 {
        return false;
    }
    let (mut s, mut s2) = (0.0f64, 0.0f64);
    for p in img.pixels() {
        let l = f64::from(p[0]) * 0.299 + f64::from(p[1]) * 0.587 + f64::from(p[2]) * 0.114;
        s += l;
        s2 += l * l;
    }
    let var = s2 / n - (s / n).powi(2);
    var.sqrt() > 12.0
}

fn encode_jpeg(img: &RgbImage) -> Result<Vec<u8>, DocumentError> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(img)
        .map_err(|e| DocumentError::Decode(format!("portrait encoding: {e}")))?;
    Ok(out)
}

/// Variance of the 4-neighbour Laplacian.
pub fn laplacian_variance(g: &GrayImage) -> f32 {
    let (w, h) = g.dimensions();
    if w < 3 || h < 3 {
        return 0.0;
    }
    let (mut s, mut s2, mut n) = (0.0f64, 0.0f64, 0.0f64);
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            let c = f64::from(g.get_pixel(x, y)[0]);
            let l = f64::from(g.get_pixel(x - 1, y)[0])
                + f64::from(g.get_pixel(x + 1, y)[0])
                + f64::from(g.get_pixel(x, y - 1)[0])
                + f64::from(g.get_pixel(x, y + 1)[0])
                - 4.0 * c;
            s += l;
            s2 += l * l;
            n += 1.0;
        }
    }
    (s2 / n - (s / n).powi(2)) as f32
}

fn quality(page: &Page) -> ImageQuality {
    let img = &page.img;
    let (w, h) = (img.width() as f32, img.height() as f32);
    let mut q = ImageQuality::default();
    match &page.zone {
        Some(z) => {
            let vars: Vec<f32> = z
                .boxes
                .iter()
                .map(|b| {
                    laplacian_variance(
                        &image::DynamicImage::ImageRgb8(crate::ocr::crop_box(
                            img,
                            b,
                            1.0,
                            crate::ocr::REC_MAX_WIDTH,
                        ))
                        .to_luma8(),
                    )
                })
                .collect();
            q.sharpness = vars.iter().sum::<f32>() / vars.len().max(1) as f32;
            q.blurry = q.sharpness < BLURRY_MRZ;
            let margin = 2.0;
            q.cut_off = z
                .boxes
                .iter()
                .flat_map(|b| b.corners())
                .any(|(x, y)| x < margin || y < margin || x > w - margin || y > h - margin);
        }
        None => {
            let small = shrink(img.clone(), 1000);
            q.sharpness = laplacian_variance(&image::DynamicImage::ImageRgb8(small).to_luma8());
            q.blurry = q.sharpness < BLURRY_PAGE;
        }
    }
    // Saturation over the page, sampled on a grid for speed.
    let step = ((w * h / 250_000.0).sqrt().max(1.0)) as usize;
    let (mut sat, mut total) = (0usize, 0usize);
    for y in (0..img.height()).step_by(step) {
        for x in (0..img.width()).step_by(step) {
            let p = img.get_pixel(x, y);
            total += 1;
            if p[0] >= 250 && p[1] >= 250 && p[2] >= 250 {
                sat += 1;
            }
        }
    }
    q.saturated_fraction = sat as f32 / total.max(1) as f32;
    // Glare is a local wash-out; a page that is mostly pure white is a scan, not glare.
    q.glare = q.saturated_fraction > GLARE_FRACTION && q.saturated_fraction < SCAN_FRACTION;
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(cx: f32, cy: f32, width: f32, text: &str) -> (TextBox, String) {
        let b = TextBox {
            cx,
            cy,
            width,
            height: 10.0,
            dir: (1.0, 0.0),
            score: 0.9,
        };
        (b, text.to_owned())
    }

    #[test]
    fn split_lines_are_joined_left_to_right() {
        let read = vec![
            line(80.0, 50.0, 80.0, "NOV 1978"),
            line(20.0, 51.0, 20.0, "29"),
            line(40.0, 20.0, 60.0, "DATE OF BIRTH"),
            // Same baseline but far away: another field.
            line(300.0, 50.0, 30.0, "SEX"),
        ];
        assert_eq!(
            join_fragments(read, (1.0, 0.0)),
            vec!["DATE OF BIRTH", "29 NOV 1978", "SEX"]
        );
    }

    #[test]
    fn converging_lines_have_a_spread() {
        let at = |angle: f32| TextBox {
            cx: 0.0,
            cy: 0.0,
            width: 100.0,
            height: 10.0,
            dir: (angle.to_radians().cos(), angle.to_radians().sin()),
            score: 0.9,
        };
        let flat: Vec<TextBox> = [0.1, -0.2, 0.0, 0.2, 180.1].map(at).to_vec();
        assert!(direction_spread(&flat) < 1.0);
        let tilted: Vec<TextBox> = [-4.0, -2.0, 0.0, 2.0, 4.0, 178.0].map(at).to_vec();
        assert!(direction_spread(&tilted) > MAX_DIRECTION_SPREAD);
    }
}
