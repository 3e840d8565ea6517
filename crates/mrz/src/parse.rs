//! Reading a zone: normalisation, format detection, OCR repair (tolerant mode) and field
//! extraction with all ICAO checks.
//!
//! Tolerant mode only changes a character when the field's type demands it (a letter in a
//! digits-only field, a digit in a letters-only field) and, where the field has a check digit,
//! only when the changed field then validates. Alphanumeric fields (document number, optional
//! data) are ambiguous by nature (`0`/`O` are both legal), so there every combination of the
//! usual OCR confusions is tried and the unique smallest set of changes that satisfies the check
//! digit wins; if the smallest fix is not unique nothing is changed.

use chrono::NaiveDate;

use crate::check::verify;
use crate::dates::{self, MrzDate};
use crate::layout::{Format, Layout, Span};
use crate::model::{Correction, Field, Mode, Mrz, Problem, Sex};
use crate::states::is_known_state;
use crate::MrzError;

/// How far (in characters) a tolerant-mode line may be from its format's width.
pub const LENGTH_TOLERANCE: usize = 3;

/// Alphanumeric fields with more ambiguous characters than this are not searched (2^12 checks).
const MAX_TOGGLES: usize = 12;

/// Stand-in for characters that are not ASCII, so columns stay one byte each.
const NOT_ASCII: u8 = b'?';

type Pos = (usize, usize);

fn is_mrz_char(c: u8) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'<'
}

/// The digit a letter is commonly misread for (O/D/Q→0, I→1, Z→2, S→5, G→6, B→8).
fn letter_to_digit(c: u8) -> Option<u8> {
    match c {
        b'O' | b'D' | b'Q' => Some(b'0'),
        b'I' => Some(b'1'),
        b'Z' => Some(b'2'),
        b'S' => Some(b'5'),
        b'G' => Some(b'6'),
        b'B' => Some(b'8'),
        _ => None,
    }
}

/// The letter a digit is commonly misread for (inverse of [`letter_to_digit`], 0→O).
fn digit_to_letter(c: u8) -> Option<u8> {
    match c {
        b'0' => Some(b'O'),
        b'1' => Some(b'I'),
        b'2' => Some(b'Z'),
        b'5' => Some(b'S'),
        b'6' => Some(b'G'),
        b'8' => Some(b'B'),
        _ => None,
    }
}

/// Normalises one input line. Strict mode only trims surrounding whitespace; tolerant mode also
/// drops inner whitespace, upper-cases and reads guillemets as fillers. These normalisations are
/// not reported as corrections: they never change what a character means.
fn normalize(line: &str, mode: Mode) -> Vec<u8> {
    let mut out = Vec::with_capacity(line.len());
    match mode {
        Mode::Strict => {
            for ch in line.trim().chars() {
                out.push(if ch.is_ascii() { ch as u8 } else { NOT_ASCII });
            }
        }
        Mode::Tolerant => {
            for ch in line.chars().filter(|c| !c.is_whitespace()) {
                match ch {
                    '«' => out.extend_from_slice(b"<<"),
                    '‹' => out.push(b'<'),
                    c if c.is_ascii() => out.push(c.to_ascii_uppercase() as u8),
                    _ => out.push(NOT_ASCII),
                }
            }
        }
    }
    out
}

/// The width a tolerant (or strict) zone of these lines should have.
fn detect_width(lines: &[Vec<u8>], mode: Mode) -> Option<usize> {
    let widths: &[usize] = match lines.len() {
        3 => &[30],
        2 => &[36, 44],
        _ => return None,
    };
    let tolerance = if mode == Mode::Strict {
        0
    } else {
        LENGTH_TOLERANCE
    };
    widths
        .iter()
        .copied()
        .filter(|w| lines.iter().all(|l| l.len().abs_diff(*w) <= tolerance))
        .min_by_key(|w| lines.iter().map(|l| l.len().abs_diff(*w)).sum::<usize>())
}

/// The zone being repaired, with the field each column belongs to.
struct Zone {
    lines: Vec<Vec<u8>>,
    fields: Vec<Vec<Field>>,
    corrections: Vec<Correction>,
}

impl Zone {
    fn get(&self, (line, col): Pos) -> u8 {
        self.lines
            .get(line)
            .and_then(|l| l.get(col))
            .copied()
            .unwrap_or(NOT_ASCII)
    }

    fn bytes(&self, positions: &[Pos]) -> Vec<u8> {
        positions.iter().map(|p| self.get(*p)).collect()
    }

    fn span(&self, s: Span) -> Vec<u8> {
        self.lines
            .get(s.line)
            .and_then(|l| l.get(s.start..s.end()))
            .map(<[u8]>::to_vec)
            .unwrap_or_default()
    }

    fn field_at(&self, (line, col): Pos) -> Field {
        self.fields
            .get(line)
            .and_then(|l| l.get(col))
            .copied()
            .unwrap_or(Field::LineLength)
    }

    /// Replaces one character and records the correction.
    fn set(&mut self, pos: Pos, to: u8) {
        let from = self.get(pos);
        if from == to {
            return;
        }
        if let Some(c) = self.lines.get_mut(pos.0).and_then(|l| l.get_mut(pos.1)) {
            *c = to;
            self.corrections.push(Correction {
                line: pos.0 + 1,
                column: pos.1 + 1,
                from: char::from(from).to_string(),
                to: char::from(to).to_string(),
                field: self.field_at(pos),
            });
        }
    }
}

/// Field map of a layout, before the document-number continuation is known.
fn field_grid(format: Format, l: &Layout) -> Vec<Vec<Field>> {
    let mut spans = vec![
        (l.document_code, Field::DocumentCode),
        (l.issuing_state, Field::IssuingState),
        (l.name, Field::Name),
        (l.document_number, Field::DocumentNumber),
        (l.document_number_check, Field::DocumentNumberCheckDigit),
        (l.nationality, Field::Nationality),
        (l.birth_date, Field::BirthDate),
        (l.birth_date_check, Field::BirthDateCheckDigit),
        (l.sex, Field::Sex),
        (l.expiry_date, Field::ExpiryDate),
        (l.expiry_date_check, Field::ExpiryDateCheckDigit),
        (l.optional_data, Field::OptionalData),
    ];
    spans.extend(
        l.optional_data_check
            .map(|s| (s, Field::PersonalNumberCheckDigit)),
    );
    spans.extend(l.optional_data_2.map(|s| (s, Field::OptionalData2)));
    spans.extend(l.composite.map(|(_, s)| (s, Field::CompositeCheckDigit)));
    let mut grid = vec![vec![Field::LineLength; format.width()]; format.lines()];
    for (span, field) in spans {
        for (line, col) in span.positions() {
            if let Some(f) = grid.get_mut(line).and_then(|r| r.get_mut(col)) {
                *f = field;
            }
        }
    }
    grid
}

/// Brings a tolerant-mode line to `width`. Junk at the ends goes first; a line ending in fillers
/// is padded or trimmed there (the names line ends in a filler run, other lines end in data);
/// beyond that, missing or extra characters are most likely in the longest run of
/// fillers (a run of twenty `<` is where OCR loses count), so that run is stretched or shrunk;
/// without fillers the end of the line is padded or cut.
fn repair_length(line: &mut Vec<u8>, width: usize, line_no: usize, out: &mut Vec<Correction>) {
    let record = |out: &mut Vec<Correction>, col: usize, from: &[u8], to: &[u8]| {
        out.push(Correction {
            line: line_no + 1,
            column: col + 1,
            from: String::from_utf8_lossy(from).into_owned(),
            to: String::from_utf8_lossy(to).into_owned(),
            field: Field::LineLength,
        });
    };
    if line.len() == width {
        return;
    }
    // Junk that is not even an MRZ character at either end goes first (OCR reads the edge of the
    // zone as `»`, `|`, `.` …).
    while line.last().is_some_and(|c| !is_mrz_char(*c)) {
        let c = line.pop().unwrap_or(NOT_ASCII);
        record(out, line.len(), &[c], b"");
    }
    while line.first().is_some_and(|c| !is_mrz_char(*c)) {
        let c = line.remove(0);
        record(out, 0, &[c], b"");
    }
    // Surplus fillers at the end of the line are the first to go: the names line ends in a filler
    // run anyway, and the other lines end in data.
    while line.len() > width && line.last() == Some(&b'<') {
        line.pop();
        record(out, line.len(), b"<", b"");
    }
    if line.len() == width {
        return;
    }
    // Longest run of fillers (the later one on ties): (start, len).
    let mut best = (0usize, 0usize);
    let mut i = 0;
    while i < line.len() {
        if line[i] == b'<' {
            let start = i;
            while i < line.len() && line[i] == b'<' {
                i += 1;
            }
            if i - start >= best.1 {
                best = (start, i - start);
            }
        } else {
            i += 1;
        }
    }
    if line.len() < width {
        let missing = width - line.len();
        // A line ending in fillers gets its trailing run extended, as for surplus above.
        let at = if best.1 > 0 && line.last() != Some(&b'<') {
            best.0 + best.1
        } else {
            line.len()
        };
        for k in 0..missing {
            line.insert(at + k, b'<');
            record(out, at + k, b"", b"<");
        }
    } else {
        let extra = line.len() - width;
        if best.1 > extra {
            let at = best.0 + best.1 - extra;
            for _ in 0..extra {
                line.remove(at);
                record(out, at, b"<", b"");
            }
        } else {
            while line.len() > width {
                let c = line.pop().unwrap_or(NOT_ASCII);
                record(out, line.len(), &[c], b"");
            }
        }
    }
}

/// Where the document number lives: its positions and its check digit's position.
struct DocumentNumber {
    data: Vec<Pos>,
    check: Option<Pos>,
    /// Characters of the optional data used by the continuation (including check digit and the
    /// filler after it), so the remaining optional data starts after them.
    optional_used: usize,
}

/// Locates the document number, following ICAO 9303's continuation rule for TD1/TD2: a `<` in
/// the check-digit position means the number goes on in the optional data up to the next `<`,
/// whose last character is the check digit.
fn locate_document_number(zone: &Zone, l: &Layout) -> DocumentNumber {
    let check_pos = (l.document_number_check.line, l.document_number_check.start);
    let mut data: Vec<Pos> = l.document_number.positions().collect();
    if !(l.long_document_number && zone.get(check_pos) == b'<') {
        return DocumentNumber {
            data,
            check: Some(check_pos),
            optional_used: 0,
        };
    }
    let ext: Vec<Pos> = l
        .optional_data
        .positions()
        .take_while(|p| zone.get(*p) != b'<')
        .collect();
    match ext.split_last() {
        Some((check, rest)) => {
            data.extend_from_slice(rest);
            let used = (ext.len() + 1).min(l.optional_data.len);
            DocumentNumber {
                data,
                check: Some(*check),
                optional_used: used,
            }
        }
        None => DocumentNumber {
            data,
            check: None,
            optional_used: 0,
        },
    }
}

/// A field protected by a check digit, as the corrector sees it.
struct Checked<'a> {
    data: &'a [Pos],
    /// Data positions that must be digits (letters there are forced to their look-alike digit).
    numeric: &'a [Pos],
    /// Positions whose look-alike may be tried (alphanumeric fields).
    toggles: &'a [Pos],
    check: Pos,
}

/// The alternative for a confusable character in an alphanumeric field.
fn toggle(c: u8) -> Option<u8> {
    letter_to_digit(c).or_else(|| digit_to_letter(c))
}

/// Repairs a checked field if (and only if) some set of type-driven corrections makes its check
/// digit pass. Returns true if the field validates afterwards.
fn correct_checked(zone: &mut Zone, f: &Checked<'_>) -> bool {
    let mut candidate = zone.bytes(f.data);
    let mut forced: Vec<(Pos, u8)> = Vec::new();
    for (i, pos) in f.data.iter().enumerate() {
        if f.numeric.contains(pos) {
            if let Some(d) = letter_to_digit(candidate[i]) {
                candidate[i] = d;
                forced.push((*pos, d));
            }
        }
    }
    let mut check = zone.get(f.check);
    if let Some(d) = letter_to_digit(check) {
        check = d;
        forced.push((f.check, d));
    }
    let filler_zero = candidate.iter().all(|c| *c == b'<');
    let apply = |zone: &mut Zone, changes: &[(Pos, u8)]| {
        for (pos, c) in changes {
            zone.set(*pos, *c);
        }
    };
    if verify(&candidate, check, filler_zero) {
        apply(zone, &forced);
        return true;
    }
    // Alphanumeric search: smallest unique set of look-alike swaps.
    let toggles: Vec<(usize, Pos, u8)> = f
        .data
        .iter()
        .enumerate()
        .filter(|(_, p)| f.toggles.contains(p))
        .filter_map(|(i, p)| toggle(candidate[i]).map(|alt| (i, *p, alt)))
        .collect();
    if toggles.is_empty() || toggles.len() > MAX_TOGGLES {
        return false;
    }
    let n = toggles.len();
    for size in 1..=n {
        let mut found: Option<u32> = None;
        let mut ambiguous = false;
        for mask in 0u32..(1 << n) {
            if mask.count_ones() as usize != size {
                continue;
            }
            let mut trial = candidate.clone();
            for (bit, (i, _, alt)) in toggles.iter().enumerate() {
                if mask & (1 << bit) != 0 {
                    trial[*i] = *alt;
                }
            }
            if verify(&trial, check, false) {
                if found.is_some() {
                    ambiguous = true;
                    break;
                }
                found = Some(mask);
            }
        }
        if ambiguous {
            return false;
        }
        if let Some(mask) = found {
            let mut changes = forced;
            for (bit, (_, pos, alt)) in toggles.iter().enumerate() {
                if mask & (1 << bit) != 0 {
                    changes.push((*pos, *alt));
                }
            }
            apply(zone, &changes);
            return true;
        }
    }
    false
}

/// Runs every tolerant-mode repair on a zone whose lines already have the right length.
fn repair_characters(zone: &mut Zone, l: &Layout) {
    // Characters outside the MRZ alphabet become fillers: nothing else could stand there.
    for line in 0..zone.lines.len() {
        for col in 0..zone.lines[line].len() {
            if !is_mrz_char(zone.get((line, col))) {
                zone.set((line, col), b'<');
            }
        }
    }
    // Letters-only fields: no check digit protects them, the type alone decides.
    for span in [l.document_code, l.issuing_state, l.nationality, l.name] {
        for pos in span.positions() {
            if let Some(c) = digit_to_letter(zone.get(pos)) {
                zone.set(pos, c);
            }
        }
    }
    let number = locate_document_number(zone, l);
    // Whether every field with its own check digit validates (after repair).
    let mut fields_ok = number.check.is_some();
    for p in &number.data {
        if let Some(f) = zone.fields.get_mut(p.0).and_then(|r| r.get_mut(p.1)) {
            *f = Field::DocumentNumber;
        }
    }
    if let Some(check) = number.check {
        if let Some(f) = zone
            .fields
            .get_mut(check.0)
            .and_then(|r| r.get_mut(check.1))
        {
            *f = Field::DocumentNumberCheckDigit;
        }
        fields_ok &= correct_checked(
            zone,
            &Checked {
                data: &number.data,
                numeric: &[],
                toggles: &number.data,
                check,
            },
        );
    }
    for (date, check) in [
        (l.birth_date, l.birth_date_check),
        (l.expiry_date, l.expiry_date_check),
    ] {
        let data: Vec<Pos> = date.positions().collect();
        let check = (check.line, check.start);
        fields_ok &= correct_checked(
            zone,
            &Checked {
                data: &data,
                numeric: &data,
                toggles: &[],
                check,
            },
        );
    }
    if let Some(check) = l.optional_data_check {
        let data: Vec<Pos> = l.optional_data.positions().collect();
        let check = (check.line, check.start);
        fields_ok &= correct_checked(
            zone,
            &Checked {
                data: &data,
                numeric: &[],
                toggles: &data,
                check,
            },
        );
    }
    // The composite digit may only steer repairs of the unprotected optional data when every
    // other check passes: otherwise its failure is explained by a field error, and "fixing" the
    // optional data to satisfy it would hide that error behind an invented change.
    if let (true, Some((spans, check))) = (fields_ok, l.composite) {
        let data: Vec<Pos> = spans.iter().flat_map(|s| s.positions()).collect();
        // Only optional data not covered by a check digit of its own may be changed here.
        let mut free: Vec<Pos> = Vec::new();
        if l.optional_data_check.is_none() {
            free.extend(l.optional_data.positions().skip(number.optional_used));
        }
        if let Some(s) = l.optional_data_2 {
            free.extend(s.positions());
        }
        let check = (check.line, check.start);
        correct_checked(
            zone,
            &Checked {
                data: &data,
                numeric: &[],
                toggles: &free,
                check,
            },
        );
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn trim_fillers(bytes: &[u8]) -> String {
    text(bytes).trim_end_matches('<').to_owned()
}

/// Splits the name field on the first `<<`; single `<` separate words.
fn parse_name(field: &[u8]) -> (String, String) {
    let s = trim_fillers(field);
    let (surname, given) = match s.find("<<") {
        Some(i) => (&s[..i], &s[i + 2..]),
        None => (s.as_str(), ""),
    };
    let words = |s: &str| {
        s.split('<')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    (words(surname), words(given))
}

/// Reads every field and runs every check.
fn read(zone: Zone, format: Format, l: &Layout, today: NaiveDate) -> Mrz {
    let mut problems = Vec::new();
    if zone.lines.iter().flatten().any(|c| !is_mrz_char(*c)) {
        problems.push(Problem::InvalidCharacters);
    }

    let document_code = text(&zone.span(l.document_code));
    if !document_code
        .as_bytes()
        .first()
        .is_some_and(u8::is_ascii_uppercase)
    {
        problems.push(Problem::InvalidDocumentCode);
    }
    let issuing_state = trim_fillers(&zone.span(l.issuing_state));
    if !is_known_state(&issuing_state) {
        problems.push(Problem::UnknownIssuingState);
    }
    let (surname, given_names) = parse_name(&zone.span(l.name));
    if surname.is_empty() {
        problems.push(Problem::MissingSurname);
    }

    let number = locate_document_number(&zone, l);
    let number_bytes = zone.bytes(&number.data);
    let document_number = trim_fillers(&number_bytes);
    if document_number.is_empty() {
        problems.push(Problem::MissingDocumentNumber);
    }
    if !number
        .check
        .is_some_and(|c| verify(&number_bytes, zone.get(c), false))
    {
        problems.push(Problem::DocumentNumberCheckDigit);
    }

    let nationality = trim_fillers(&zone.span(l.nationality));
    if !is_known_state(&nationality) {
        problems.push(Problem::UnknownNationality);
    }

    let checked = |span: Span, check: Span| {
        let data = zone.span(span);
        let filler_zero = data.iter().all(|c| *c == b'<');
        verify(&data, zone.get((check.line, check.start)), filler_zero)
    };

    let birth_raw = zone.span(l.birth_date);
    let birth = dates::birth_date(&birth_raw, today);
    if birth == MrzDate::Invalid {
        problems.push(Problem::InvalidBirthDate);
    }
    if !checked(l.birth_date, l.birth_date_check) {
        problems.push(Problem::BirthDateCheckDigit);
    }

    let sex = match zone.get((l.sex.line, l.sex.start)) {
        b'M' => Sex::Male,
        b'F' => Sex::Female,
        b'<' | b'X' => Sex::Unspecified,
        _ => {
            problems.push(Problem::InvalidSex);
            Sex::Unspecified
        }
    };

    let expiry_raw = zone.span(l.expiry_date);
    let expiry = dates::expiry_date(&expiry_raw, today);
    if expiry == MrzDate::Invalid {
        problems.push(Problem::InvalidExpiryDate);
    }
    if !checked(l.expiry_date, l.expiry_date_check) {
        problems.push(Problem::ExpiryDateCheckDigit);
    }

    let optional = zone.span(l.optional_data);
    let optional_data = trim_fillers(optional.get(number.optional_used..).unwrap_or_default());
    if let Some(check) = l.optional_data_check {
        if !checked(l.optional_data, check) {
            problems.push(Problem::PersonalNumberCheckDigit);
        }
    }
    let optional_data_2 = l
        .optional_data_2
        .map(|s| trim_fillers(&zone.span(s)))
        .unwrap_or_default();

    if let Some((spans, check)) = l.composite {
        let data: Vec<u8> = spans.iter().flat_map(|s| zone.span(*s)).collect();
        if !verify(&data, zone.get((check.line, check.start)), false) {
            problems.push(Problem::CompositeCheckDigit);
        }
    }

    Mrz {
        format,
        lines: zone.lines.iter().map(|l| text(l)).collect(),
        document_code,
        issuing_state,
        surname,
        given_names,
        document_number,
        nationality,
        birth_date: birth.date(),
        birth_date_raw: text(&birth_raw),
        sex,
        expiry_date: expiry.date(),
        expiry_date_raw: text(&expiry_raw),
        optional_data,
        optional_data_2,
        corrections: zone.corrections,
        problems,
    }
}

/// Parses the lines of one zone.
///
/// `lines` are the zone's lines in order (blank entries are ignored). `today` resolves two-digit
/// years (see the [`crate`] docs). Returns [`MrzError::NotMrz`] only when the input does not have
/// the shape of any MRZ format; failed checks are reported in [`Mrz::problems`].
pub fn parse(lines: &[&str], mode: Mode, today: NaiveDate) -> Result<Mrz, MrzError> {
    let mut lines: Vec<Vec<u8>> = lines
        .iter()
        .map(|l| normalize(l, mode))
        .filter(|l| !l.is_empty())
        .collect();
    let width = detect_width(&lines, mode).ok_or_else(|| {
        let lengths: Vec<String> = lines.iter().map(|l| l.len().to_string()).collect();
        MrzError::NotMrz(format!(
            "{} line(s) of length {} match no MRZ format",
            lines.len(),
            lengths.join(", ")
        ))
    })?;
    let first = lines
        .first()
        .and_then(|l| l.first())
        .copied()
        .unwrap_or(b'<');
    let format = Format::from_shape(lines.len(), width, first)
        .ok_or_else(|| MrzError::NotMrz("no MRZ format has this shape".to_owned()))?;
    let layout = format.layout();
    let mut corrections = Vec::new();
    if mode == Mode::Tolerant {
        for (i, line) in lines.iter_mut().enumerate() {
            repair_length(line, width, i, &mut corrections);
        }
    }
    let mut zone = Zone {
        lines,
        fields: field_grid(format, &layout),
        corrections,
    };
    if mode == Mode::Tolerant {
        repair_characters(&mut zone, &layout);
    }
    Ok(read(zone, format, &layout, today))
}

/// Finds and parses a zone in free text (one MRZ line per text line).
///
/// In strict mode the text must be exactly the zone (surrounding blank lines and whitespace
/// aside). In tolerant mode the text may hold other lines, as OCR output of a whole page does:
/// the consecutive lines that best fit an MRZ shape and contain at least one filler are used,
/// the lowest such block on ties (the MRZ is at the bottom of the page).
pub fn parse_text(text: &str, mode: Mode, today: NaiveDate) -> Result<Mrz, MrzError> {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if mode == Mode::Strict {
        return parse(&lines, mode, today);
    }
    let normalized: Vec<Vec<u8>> = lines.iter().map(|l| normalize(l, mode)).collect();
    let mut best: Option<(usize, usize, usize)> = None; // (score, start, count)
    for count in [2, 3] {
        for start in 0..lines.len().saturating_sub(count - 1) {
            let window = &normalized[start..start + count];
            if !window.iter().flatten().any(|c| *c == b'<') {
                continue;
            }
            if let Some(w) = detect_width(window, mode) {
                let score: usize = window.iter().map(|l| l.len().abs_diff(w)).sum();
                if best.is_none_or(|(s, b, _)| score < s || (score == s && start >= b)) {
                    best = Some((score, start, count));
                }
            }
        }
    }
    match best {
        Some((_, start, count)) => parse(&lines[start..start + count], mode, today),
        None => Err(MrzError::NotMrz(
            "no lines with the shape of an MRZ".to_owned(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            parse_name(b"ERIKSSON<<ANNA<MARIA<<<<<<<<<<"),
            ("ERIKSSON".to_owned(), "ANNA MARIA".to_owned())
        );
        assert_eq!(
            parse_name(b"VAN<DER<BERG<<<<"),
            ("VAN DER BERG".to_owned(), String::new())
        );
        assert_eq!(parse_name(b"<<<<"), (String::new(), String::new()));
    }

    #[test]
    fn length_repair_uses_longest_filler_run() {
        let mut out = Vec::new();
        let mut line = b"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<".to_vec();
        repair_length(&mut line, 44, 0, &mut out);
        assert_eq!(line.len(), 44);
        assert_eq!(out.len(), 2);
        let mut line = b"L898902C36UTO7408122F1204159ZE184226B<<<<<<<<10".to_vec();
        repair_length(&mut line, 44, 1, &mut out);
        assert_eq!(
            line,
            b"L898902C36UTO7408122F1204159ZE184226B<<<<<10".to_vec()
        );
    }

    #[test]
    fn ambiguous_search_prefers_unique_smallest_fix() {
        // "L898902C3" with its 0 misread as O still validates after one swap.
        let mut zone = Zone {
            lines: vec![b"L8989O2C36".to_vec()],
            fields: vec![vec![Field::DocumentNumber; 10]],
            corrections: Vec::new(),
        };
        let data: Vec<Pos> = (0..9).map(|c| (0, c)).collect();
        assert!(correct_checked(
            &mut zone,
            &Checked {
                data: &data,
                numeric: &[],
                toggles: &data,
                check: (0, 9)
            }
        ));
        assert_eq!(zone.lines[0], b"L898902C36".to_vec());
        assert_eq!(zone.corrections.len(), 1);
    }
}
