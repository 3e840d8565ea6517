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

use crate::ocr::{Recognised, TextBox, TextEngine};
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

/// A name field is left-justified: after three fillers in a row nothing but fillers can follow
/// (`<<` separates surname and given names, `<` words). The recogniser reads long filler runs
/// as stray letters (`<<<S<AA<A`), and names have no check digit, so they are cleared here.
/// The name is line 1 from column 6 in two-line zones and the whole of line 3 in TD1.
fn clean_name_fillers(mut lines: Vec<&str>) -> Vec<String> {
    let (index, start) = if lines.len() == 3 { (2, 0) } else { (0, 5) };
    let mut out: Vec<String> = lines.drain(..).map(str::to_owned).collect();
    if let Some(line) = out.get_mut(index) {
        if let Some(pos) = line.get(start..).and_then(|rest| rest.find("<<<")) {
            let cut = start + pos;
            let tail = line.len() - cut;
            line.truncate(cut);
            line.push_str(&"<".repeat(tail));
        }
    }
    out
}

/// Most single-character flips tried when a zone does not validate.
const MAX_FLIPS: usize = 8;
/// An alternative is only tried if the recogniser gave it at least this probability: a flip
/// must be a plausible misread, never a way to make a forged zone validate.
const MIN_ALTERNATIVE: f32 = 0.05;

/// Parses the lines (tolerant mode); if the zone does not validate, flips single characters to
/// their usual confusion partner (`O`↔`0` …), most probable alternative first, and keeps the
/// first flip that makes every check pass. This breaks the ties the `mrz` crate's own repair
/// refuses to guess (several fixes satisfying a check digit) with the recogniser's evidence.
fn parse_repairing(read: &[Recognised], today: NaiveDate) -> Option<mrz::Mrz> {
    let parse = |texts: Vec<String>| {
        let cleaned = clean_name_fillers(texts.iter().map(String::as_str).collect());
        let strs: Vec<&str> = cleaned.iter().map(String::as_str).collect();
        mrz::parse(&strs, mrz::Mode::Tolerant, today).ok()
    };
    let texts: Vec<String> = read.iter().map(|r| r.text.clone()).collect();
    let first = parse(texts.clone())?;
    if first.is_valid() {
        return Some(first);
    }
    // Candidate flips: (probability of the alternative, line, char index, alternative).
    let mut flips: Vec<(f32, usize, usize, char)> = Vec::new();
    for (line, r) in read.iter().enumerate() {
        for (i, alt) in r.alternatives.iter().enumerate() {
            if let Some((c, p)) = alt {
                if *p > MIN_ALTERNATIVE {
                    flips.push((*p, line, i, *c));
                }
            }
        }
    }
    flips.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (_, line, i, c) in flips.into_iter().take(MAX_FLIPS) {
        let mut variant = texts.clone();
        if let Some(t) = variant.get_mut(line) {
            *t = t
                .chars()
                .enumerate()
                .map(|(j, x)| if j == i { c } else { x })
                .collect();
        }
        if let Some(m) = parse(variant) {
            if m.is_valid() {
                return Some(m);
            }
        }
    }
    Some(first)
}

/// The stack's boxes stretched along their reading direction to the union of their extents.
fn align_stack(boxes: &[TextBox]) -> Vec<TextBox> {
    let Some(first) = boxes.first() else {
        return Vec::new();
    };
    let dir = first.dir;
    let (mut lo, mut hi) = (f32::MAX, f32::MIN);
    for b in boxes {
        let c = dot((b.cx, b.cy), dir);
        lo = lo.min(c - b.width / 2.0);
        hi = hi.max(c + b.width / 2.0);
    }
    boxes
        .iter()
        .map(|b| {
            let c = dot((b.cx, b.cy), dir);
            let shift = (lo + hi) / 2.0 - c;
            TextBox {
                cx: b.cx + shift * dir.0,
                cy: b.cy + shift * dir.1,
                width: hi - lo,
                ..*b
            }
        })
        .collect()
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
        let oriented: Vec<TextBox> = candidates
            .iter()
            .map(|b| if flip { b.flipped() } else { *b })
            .collect();
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
    // Recognition cache keyed by the (rounded) geometry actually read.
    type Key = (i32, i32, i32);
    let mut texts: Vec<(Key, Recognised)> = Vec::new();
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
            // MRZ lines are equally long and left-aligned: give every line of the stack the
            // union of their extents, so a line the detector cut short is read whole.
            let members: Vec<TextBox> = stack
                .iter()
                .filter_map(|k| lines.get(*k).copied())
                .collect();
            let aligned = align_stack(&members);
            let mut read: Vec<Recognised> = Vec::with_capacity(aligned.len());
            for b in &aligned {
                let key = (
                    b.cx.round() as i32,
                    b.cy.round() as i32,
                    b.width.round() as i32,
                );
                let hit = texts
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, v)| v.clone());
                let r = match hit {
                    Some(v) => v,
                    None => {
                        let r = engine.recognise(img, b, true)?;
                        texts.push((key, r.clone()));
                        r
                    }
                };
                read.push(r);
            }
            let raw: Vec<String> = read.iter().map(|r| r.text.clone()).collect();
            let Some(parsed) = parse_repairing(&read, today) else {
                continue;
            };
            let confidence =
                read.iter().map(|r| r.confidence).sum::<f32>() / read.len().max(1) as f32;
            let zone = FoundZone {
                mrz: parsed,
                raw_lines: raw,
                boxes: aligned,
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

#[cfg(test)]
mod tests {
    use super::clean_name_fillers;

    #[test]
    fn stray_letters_in_filler_runs_are_cleared() {
        let l = clean_name_fillers(vec!["P<NLDMEULENDIJK<<LOES<ALBERTINE<<<S<AA<A<A<A", "X"]);
        assert_eq!(l[0], "P<NLDMEULENDIJK<<LOES<ALBERTINE<<<<<<<<<<<<<");
        let l = clean_name_fillers(vec!["A", "B", "NGUYEN<<KARIM<<<<<<<<<A<<<<<<"]);
        assert_eq!(l[2], "NGUYEN<<KARIM<<<<<<<<<<<<<<<<");
        // The document code and state of line 1 are not part of the name.
        let l = clean_name_fillers(vec!["P<<<DERIKSSON", "X"]);
        assert_eq!(l[0], "P<<<DERIKSSON");
    }
}
