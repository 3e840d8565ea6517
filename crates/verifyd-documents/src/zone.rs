//! Finding and reading the machine-readable zone among detected text lines.
//!
//! The MRZ is found by shape before it is read: two or three long, parallel lines of equal
//! length stacked tightly. Every plausible stack is read with the recogniser restricted to the
//! MRZ alphabet and handed to the `mrz` crate's tolerant parser; the stack whose check digits
//! agree wins. Orientation comes for free: the detector returns rotated boxes, and a zone that
//! does not validate is read again the other way round (180°), so a document photographed
//! upside down or sideways is read without a separate orientation classifier.

use chrono::NaiveDate;
use image::RgbImage;

use crate::ocr::{TextBox, TextEngine};
use crate::DocumentError;

/// Lines at least this many times longer than high may be MRZ lines (a TD1 line of 30
/// characters is ~17 heights long after unclipping; a cut or cramped line less).
const MIN_ASPECT: f32 = 8.0;
/// Most candidate lines read per orientation (keeps a page full of long lines bounded).
const MAX_CANDIDATES: usize = 12;

/// A zone found on a page.
#[derive(Debug, Clone)]
pub struct FoundZone {
    /// The parsed zone.
    pub mrz: mrz::Mrz,
    /// The OCR output, line by line.
    pub raw_lines: Vec<String>,
    /// The boxes of the lines, in zone order, oriented in reading direction.
    pub boxes: Vec<TextBox>,
    /// Mean recognition confidence.
    pub confidence: f32,
}

impl FoundZone {
    /// Ranking key: fewer failed checks first, then fewer corrections, then confidence.
    fn rank(&self) -> (usize, usize, i64) {
        (
            self.mrz.problems.len(),
            self.mrz.corrections.len(),
            -((self.confidence * 1000.0) as i64),
        )
    }
}

fn dot(a: (f32, f32), b: (f32, f32)) -> f32 {
    a.0 * b.0 + a.1 * b.1
}

/// Looks for a zone among `boxes` (detected on `img`).
pub fn find_zone(
    engine: &TextEngine,
    img: &RgbImage,
    boxes: &[TextBox],
    today: NaiveDate,
) -> Result<Option<FoundZone>, DocumentError> {
    let mut candidates: Vec<TextBox> = boxes
        .iter()
        .filter(|b| b.height > 3.0 && b.width / b.height >= MIN_ASPECT)
        .copied()
        .collect();
    if candidates.is_empty() {
        return Ok(None);
    }
    // The longest lines first: MRZ lines are the longest text on almost every document.
    candidates.sort_by(|a, b| b.width.total_cmp(&a.width));
    candidates.truncate(MAX_CANDIDATES);

    let mut best: Option<FoundZone> = None;
    for flip in [false, true] {
        let oriented: Vec<TextBox> =
            candidates.iter().map(|b| if flip { b.flipped() } else { *b }).collect();
        let found = best_stack(engine, img, &oriented, today)?;
        if let Some(f) = found {
            let better = best.as_ref().is_none_or(|b| f.rank() < b.rank());
            if better {
                best = Some(f);
            }
        }
        if best.as_ref().is_some_and(|b| b.mrz.is_valid()) {
            break;
        }
    }
    Ok(best)
}

/// Tries every stack of 2 and 3 adjacent, parallel, similar-length lines in one orientation.
fn best_stack(
    engine: &TextEngine,
    img: &RgbImage,
    lines: &[TextBox],
    today: NaiveDate,
) -> Result<Option<FoundZone>, DocumentError> {
    let mut texts: Vec<Option<(String, f32)>> = vec![None; lines.len()];
    let mut best: Option<FoundZone> = None;
    // Stacks: for each seed line, its neighbours below in the seed's own frame.
    for (i, seed) in lines.iter().enumerate() {
        let down = seed.down();
        let mut below: Vec<(usize, f32)> = lines
            .iter()
            .enumerate()
            .filter(|(j, b)| {
                *j != i
                    && dot(b.dir, seed.dir) > 0.97
                    && (b.width / seed.width - 1.0).abs() < 0.25
                    && dot((b.cx - seed.cx, b.cy - seed.cy), seed.dir).abs() < 0.2 * seed.width
            })
            .map(|(j, b)| (j, dot((b.cx - seed.cx, b.cy - seed.cy), down)))
            .filter(|(_, d)| *d > 0.5 * seed.height && *d < 3.5 * seed.height)
            .collect();
        below.sort_by(|a, b| a.1.total_cmp(&b.1));
        let mut stacks: Vec<Vec<usize>> = Vec::new();
        if let Some(&(j, dj)) = below.first() {
            stacks.push(vec![i, j]);
            if let Some(&(k, dk)) = below.get(1) {
                // Evenly spaced third line: a TD1 zone.
                if (dk - 2.0 * dj).abs() < 0.6 * dj {
                    stacks.push(vec![i, j, k]);
                }
            }
        }
        for stack in stacks {
            for &k in &stack {
                if texts.get(k).is_some_and(Option::is_none) {
                    if let Some(b) = lines.get(k) {
                        let r = engine.recognise(img, b, true)?;
                        texts[k] = Some((r.text, r.confidence));
                    }
                }
            }
            let read: Vec<(String, f32)> = stack.iter().filter_map(|k| texts[*k].clone()).collect();
            let strs: Vec<&str> = read.iter().map(|(t, _)| t.as_str()).collect();
            let Ok(parsed) = mrz::parse(&strs, mrz::Mode::Tolerant, today) else { continue };
            let confidence = read.iter().map(|(_, c)| c).sum::<f32>() / read.len().max(1) as f32;
            let zone = FoundZone {
                mrz: parsed,
                raw_lines: read.into_iter().map(|(t, _)| t).collect(),
                boxes: stack.iter().filter_map(|k| lines.get(*k).copied()).collect(),
                confidence,
            };
            if best.as_ref().is_none_or(|b| zone.rank() < b.rank()) {
                best = Some(zone);
            }
        }
        if best.as_ref().is_some_and(|b| b.mrz.is_valid()) {
            break;
        }
    }
    Ok(best)
}
