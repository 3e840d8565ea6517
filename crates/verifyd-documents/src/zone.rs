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

use crate::ocr::{confusion_partner, CharRead, Recognised, TextBox, TextEngine};
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

/// Two characters emitted closer than this fraction of the pitch are one printed character read
/// twice.
const SPURIOUS_GAP: f32 = 0.6;
/// A gap wider than this many pitches after a character hides a repeat CTC collapsed.
const MERGED_GAP: f32 = 1.6;

/// The line width (characters) of a stack of `lines` read lines: TD1 has three lines of 30;
/// two-line zones are 36 (TD2, MRV-B) or 44 (TD3, MRV-A) wide, whichever the reads are nearer.
fn expected_width(read: &[Recognised]) -> usize {
    if read.len() == 3 {
        return 30;
    }
    let mean = read.iter().map(|r| r.text.chars().count()).sum::<usize>() / read.len().max(1);
    if mean >= 40 {
        44
    } else {
        36
    }
}

/// A character the recogniser dropped is only put back if it had at least this probability
/// at the steps the blank won.
const MIN_DROPPED: f32 = 0.01;

/// Brings a line to `width` characters using where the recogniser emitted each one. MRZ
/// characters sit at a fixed pitch, so after greedy CTC decoding:
///
/// * a character read twice shows up as two emissions much closer than the pitch: the less
///   probable one is dropped;
/// * a repeat CTC collapsed (`<<` read as `<`) shows up as one character winning about two
///   pitches of steps: it is doubled;
/// * a character the blank won shows up as a gap of about two pitches with no character: the
///   most probable character at those steps is put back.
///
/// Only what the evidence points to is touched; a line that does not fit this way is left to
/// the parser, which reports it.
fn fit_to_width(r: &Recognised, width: usize) -> Recognised {
    let mut out = r.clone();
    let (Some(first), Some(last)) = (out.chars.first(), out.chars.last()) else {
        return out;
    };
    if out.chars.len() < 2 || width < 2 || out.gaps.len() != out.chars.len() + 1 {
        return out;
    }
    // The first and last characters anchor the line: the pitch is what a line of `width`
    // characters between them would have.
    let pitch = f32::from(last.step.saturating_sub(first.step)) / (width - 1) as f32;
    if pitch <= 0.0 {
        return out;
    }
    let gap = |c: &[CharRead], i: usize| f32::from(c[i].step.saturating_sub(c[i - 1].step));
    while out.chars.len() > width {
        let Some(i) =
            (1..out.chars.len()).min_by(|&a, &b| gap(&out.chars, a).total_cmp(&gap(&out.chars, b)))
        else {
            break;
        };
        if gap(&out.chars, i) >= SPURIOUS_GAP * pitch {
            break;
        }
        let drop = if out.chars[i].probability < out.chars[i - 1].probability {
            i
        } else {
            i - 1
        };
        out.chars.remove(drop);
        // The gaps either side of the dropped character become one.
        let merged = best_of(out.gaps[drop], out.gaps[drop + 1]);
        out.gaps.remove(drop + 1);
        out.gaps[drop] = merged;
    }
    while out.chars.len() < width {
        let Some(i) =
            (1..out.chars.len()).max_by(|&a, &b| gap(&out.chars, a).total_cmp(&gap(&out.chars, b)))
        else {
            break;
        };
        if gap(&out.chars, i) <= MERGED_GAP * pitch {
            break;
        }
        let before = out.chars[i - 1];
        let step = before.step.saturating_add(pitch.round() as u16);
        let collapsed = f32::from(before.run) >= MERGED_GAP * pitch;
        let inserted = match out.gaps[i] {
            Some((ch, p)) if !collapsed && p >= MIN_DROPPED => CharRead {
                ch,
                probability: p,
                alternative: confusion_partner(ch).map(|a| (a, 0.0)),
                step,
                run: 1,
            },
            _ => CharRead { step, ..before },
        };
        out.chars.insert(i, inserted);
        out.gaps.insert(i, None);
    }
    out.refresh();
    out
}

fn best_of(a: Option<(char, f32)>, b: Option<(char, f32)>) -> Option<(char, f32)> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if y.1 > x.1 { y } else { x }),
        (x, y) => x.or(y),
    }
}

/// Most single-character flips tried.
const MAX_FLIPS: usize = 8;
/// Pairs of flips are formed among this many most probable ones.
const MAX_PAIR_FLIPS: usize = 6;
/// An alternative is only tried if the recogniser gave it at least this probability: a flip
/// must be a plausible misread, never a way to make a forged zone validate.
const MIN_ALTERNATIVE: f32 = 1e-3;
/// The weight of a repair the recogniser has no evidence for.
const UNSUPPORTED: f32 = 1e-6;

/// How believable a parsed zone is under the recogniser's evidence: the product, over the
/// `mrz` crate's repairs in fields where letters and digits are both allowed (document number,
/// optional data), of the probability the recogniser gave the repaired character. Repairs the
/// field type forces (a `0` in a name, an `O` in a date) cost nothing.
fn plausibility(m: &mrz::Mrz, read: &[Recognised]) -> f32 {
    use mrz::Field;
    let mut p = 1.0f32;
    for c in &m.corrections {
        if !matches!(
            c.field,
            Field::DocumentNumber | Field::OptionalData | Field::OptionalData2
        ) {
            continue;
        }
        let to = c.to.chars().next();
        let evidence = read
            .get(c.line.wrapping_sub(1))
            .and_then(|r| r.chars.get(c.column.wrapping_sub(1)))
            .and_then(|ch| ch.alternative)
            .filter(|(alt, _)| Some(*alt) == to)
            .map_or(UNSUPPORTED, |(_, q)| q.max(UNSUPPORTED));
        p *= evidence;
    }
    p
}

/// Parses the lines (tolerant mode) and picks the most believable valid reading among the
/// lines as read and the lines with one or two characters flipped to their usual confusion
/// partner (`O`↔`0` …). Check digits alone cannot choose between several repairs that satisfy
/// them, and the `mrz` crate repairs by field type without seeing the image; the recogniser's
/// own probabilities break those ties (see [`plausibility`]). Every flip and repair is
/// reported in the zone's corrections.
fn parse_repairing(read: &[Recognised], today: NaiveDate) -> Option<mrz::Mrz> {
    let parse = |texts: Vec<String>| {
        let cleaned = clean_name_fillers(texts.iter().map(String::as_str).collect());
        let strs: Vec<&str> = cleaned.iter().map(String::as_str).collect();
        mrz::parse(&strs, mrz::Mode::Tolerant, today).ok()
    };
    let width = expected_width(read);
    let fitted: Vec<Recognised> = read.iter().map(|r| fit_to_width(r, width)).collect();
    let read = fitted.as_slice();
    let texts: Vec<String> = read.iter().map(|r| r.text.clone()).collect();
    let first = parse(texts.clone())?;
    let mut best: Option<(f32, mrz::Mrz)> = None;
    if first.is_valid() {
        let p = plausibility(&first, read);
        if p >= 1.0 {
            return Some(first);
        }
        best = Some((p, first.clone()));
    }
    // Candidate flips: (probability of the alternative, line, char index, alternative).
    let mut flips: Vec<(f32, usize, usize, char)> = Vec::new();
    for (line, r) in read.iter().enumerate() {
        for (i, c) in r.chars.iter().enumerate() {
            if let Some((alt, p)) = c.alternative {
                if p > MIN_ALTERNATIVE {
                    flips.push((p, line, i, alt));
                }
            }
        }
    }
    flips.sort_by(|a, b| b.0.total_cmp(&a.0));
    flips.truncate(MAX_FLIPS);
    let mut sets: Vec<Vec<usize>> = (0..flips.len()).map(|a| vec![a]).collect();
    for a in 0..flips.len().min(MAX_PAIR_FLIPS) {
        for b in a + 1..flips.len().min(MAX_PAIR_FLIPS) {
            sets.push(vec![a, b]);
        }
    }
    for set in sets {
        let mut variant = texts.clone();
        let mut p = 1.0f32;
        for &k in &set {
            let (q, line, i, c) = flips[k];
            p *= q;
            if let Some(t) = variant.get_mut(line) {
                *t = t
                    .chars()
                    .enumerate()
                    .map(|(j, x)| if j == i { c } else { x })
                    .collect();
            }
        }
        if best.as_ref().is_some_and(|(b, _)| p <= *b) {
            continue;
        }
        let Some(m) = parse(variant).filter(mrz::Mrz::is_valid) else {
            continue;
        };
        let p = p * plausibility(&m, read);
        if best.as_ref().is_none_or(|(b, _)| p > *b) {
            best = Some((p, m));
        }
    }
    Some(best.map_or(first, |(_, m)| m))
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
        // A TD1 zone (evenly spaced third line) is tried before the two-line stack it
        // contains: reading the pair first would read its lines twice, once per alignment.
        let mut stacks: Vec<Vec<usize>> = Vec::new();
        if let Some(&(j, dj)) = below.first() {
            if let Some(&(k, dk)) = below.get(1) {
                if (dk - 2.0 * dj).abs() < 0.6 * dj {
                    stacks.push(vec![i, j, k]);
                }
            }
            stacks.push(vec![i, j]);
        }
        for stack in stacks {
            // MRZ lines are equally long and left-aligned: give every line of the stack the
            // union of their extents, so a line the detector cut short is read whole.
            let members: Vec<TextBox> = stack
                .iter()
                .filter_map(|k| lines.get(*k).copied())
                .collect();
            let aligned = align_stack(&members);
            let max_chars = if aligned.len() == 3 { 30 } else { 44 };
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
                        let r = engine.recognise_mrz(img, b, max_chars)?;
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
            if best.as_ref().is_some_and(|b| b.mrz.is_valid()) {
                break;
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
    use super::{clean_name_fillers, fit_to_width};
    use crate::ocr::{CharRead, Recognised};

    /// A read line from (character, step, run) triples and the gap candidates.
    fn read(chars: &[(char, u16, u16)], gaps: Vec<Option<(char, f32)>>) -> Recognised {
        let mut r = Recognised {
            text: String::new(),
            confidence: 0.0,
            chars: chars
                .iter()
                .map(|&(ch, step, run)| CharRead {
                    ch,
                    probability: if ch == '0' { 0.6 } else { 0.9 },
                    alternative: None,
                    step,
                    run,
                })
                .collect(),
            gaps,
        };
        r.refresh();
        r
    }

    #[test]
    fn lines_are_fitted_to_the_zone_width_by_pitch() {
        // A character read twice: `O` and `0` one step apart on a 4-step pitch; the less
        // probable one goes.
        let r = read(
            &[
                ('A', 0, 1),
                ('O', 4, 1),
                ('0', 5, 1),
                ('B', 8, 1),
                ('C', 12, 1),
            ],
            vec![None; 6],
        );
        assert_eq!(fit_to_width(&r, 4).text, "AOBC");
        // A repeat CTC collapsed: `<` winning two pitches of steps is doubled.
        let r = read(&[('A', 0, 1), ('<', 4, 8), ('B', 12, 1)], vec![None; 4]);
        assert_eq!(fit_to_width(&r, 4).text, "A<<B");
        // A dropped character: a gap of two pitches with `K` most probable under the blank.
        let mut gaps = vec![None; 4];
        gaps[2] = Some(('K', 0.2));
        let r = read(&[('B', 0, 1), ('A', 4, 1), ('E', 12, 1)], gaps);
        assert_eq!(fit_to_width(&r, 4).text, "BAKE");
        // Evenly spaced lines of the right length are left alone, and so is a short line
        // without evidence of where its missing character went.
        let r = read(&[('A', 0, 1), ('B', 4, 1), ('C', 8, 1)], vec![None; 4]);
        assert_eq!(fit_to_width(&r, 3).text, "ABC");
        let r = read(&[('A', 0, 1), ('B', 6, 1), ('C', 12, 1)], vec![None; 4]);
        assert_eq!(fit_to_width(&r, 4).text, "ABC");
    }

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
