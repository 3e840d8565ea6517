//! The visual inspection zone: the printed text above the MRZ (or the whole page of a document
//! without one).
//!
//! Layouts differ per issuer and labels per language, so nothing here depends on where a field
//! sits. Instead the MRZ, when there is one, says what to look for: a printed name is the text
//! whose ICAO transliteration equals the MRZ name (which recovers the accents the MRZ drops),
//! dates are every date-shaped token, and a printed document number that differs from the MRZ
//! in a way OCR confusions cannot explain is a real inconsistency. Without an MRZ, keywords give
//! the document type and state names the issuing country.

use chrono::NaiveDate;
use serde::Serialize;

use crate::report::DocumentType;

/// What was read from the printed text.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct VisualFields {
    /// Every text line read, top to bottom.
    pub lines: Vec<String>,
    /// Every date found.
    pub dates: Vec<NaiveDate>,
    /// Printed spelling of the MRZ surname (with accents), if found.
    pub surname: Option<String>,
    /// Printed spelling of the MRZ given names, if found.
    pub given_names: Option<String>,
    /// True if the MRZ document number is printed in the visual zone.
    pub document_number_found: bool,
    /// A printed number that looks like the MRZ's but differs beyond OCR confusions.
    pub document_number_conflict: Option<String>,
    /// Document type from keywords.
    pub document_type: Option<DocumentType>,
    /// Issuing state (alpha-3) from state names or codes in the text.
    pub country: Option<String>,
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

/// Latin text in upper case without diacritics, for keyword and name comparison.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_uppercase) {
        if c.is_ascii() {
            out.push(c);
            continue;
        }
        // The MRZ transliteration knows the common Latin letters; keep one letter per letter.
        let t = mrz::name_field(&c.to_string(), "", 8);
        match t.chars().next() {
            Some(first) => out.push(first),
            None => out.push(' '),
        }
    }
    out
}

/// Parses all dates in `text`: `12 AUG 1974`, `12 AUG/AOUT 74`, `12.08.1974`, `12/08/1974`,
/// `1974-08-12`. Two-digit years are placed before `today` for past dates.
pub fn find_dates(text: &str, today: NaiveDate) -> Vec<NaiveDate> {
    // "18FEB2032" → "18 FEB 2032": OCR often drops the spaces of printed dates.
    let mut folded = String::new();
    let mut last: Option<char> = None;
    // The months spelt with an O are often read with a zero.
    let text = fold(text).replace("0CT", "OCT").replace("N0V", "NOV");
    for c in text.chars() {
        if let Some(l) = last {
            if (l.is_ascii_digit() && c.is_ascii_alphabetic())
                || (l.is_ascii_alphabetic() && c.is_ascii_digit())
            {
                folded.push(' ');
            }
        }
        folded.push(c);
        last = Some(c);
    }
    let tokens: Vec<&str> = folded
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .collect();
    let mut out = Vec::new();
    let year = |y: &str| -> Option<i32> {
        let v: i32 = y.parse().ok()?;
        match y.len() {
            4 => Some(v),
            2 => {
                // Centuries: printed expiry dates reach at most ~20 years ahead.
                let base = chrono::Datelike::year(&today);
                let mut full = 2000 + v;
                if full > base + 20 {
                    full -= 100;
                }
                Some(full)
            }
            _ => None,
        }
    };
    let month_of = |m: &str| -> Option<u32> {
        let head: String = m.chars().take(3).collect();
        MONTHS.iter().position(|x| *x == head).map(|i| i as u32 + 1)
    };
    for (i, t) in tokens.iter().enumerate() {
        // Numeric forms in one token.
        for sep in ['.', '/', '-'] {
            let parts: Vec<&str> = t.split(sep).collect();
            if parts.len() == 3
                && parts
                    .iter()
                    .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
            {
                let (a, b, c) = (parts[0], parts[1], parts[2]);
                let date = if a.len() == 4 {
                    NaiveDate::from_ymd_opt(
                        a.parse().unwrap_or(0),
                        b.parse().unwrap_or(0),
                        c.parse().unwrap_or(0),
                    )
                } else {
                    year(c).and_then(|y| {
                        NaiveDate::from_ymd_opt(y, b.parse().unwrap_or(0), a.parse().unwrap_or(0))
                    })
                };
                out.extend(date);
            }
        }
        // Day, month name (possibly bilingual "AUG/AOUT"), year.
        if t.len() <= 2 && t.chars().all(|c| c.is_ascii_digit()) {
            if let (Some(m), Some(y)) = (tokens.get(i + 1), tokens.get(i + 2)) {
                let month = m.split('/').find_map(month_of);
                if let (Some(month), Some(y)) = (month, year(y)) {
                    out.extend(NaiveDate::from_ymd_opt(y, month, t.parse().unwrap_or(0)));
                }
            }
        }
    }
    out
}

/// Words of a name in MRZ form (`"Anna María"` → `["ANNA", "MARIA"]`).
pub fn name_words(s: &str) -> Vec<String> {
    mrz::name_field(s, "", usize::MAX)
        .split('<')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Levenshtein distance on chars.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Similarity in 0..1 from the edit distance.
pub fn similarity(a: &str, b: &str) -> f32 {
    let n = a.chars().count().max(b.chars().count());
    if n == 0 {
        return 1.0;
    }
    1.0 - levenshtein(a, b) as f32 / n as f32
}

/// Maps characters OCR confuses to one representative, so `0`/`O` differences do not count.
fn confusable(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'O' | 'Q' | 'D' => '0',
            'I' | 'L' => '1',
            'Z' => '2',
            'S' => '5',
            'G' => '6',
            'B' => '8',
            c => c,
        })
        .collect()
}

/// Finds the printed spelling of an MRZ name: the run of words on one line whose transliteration
/// equals it.
fn printed_name(lines: &[String], mrz_name: &str) -> Option<String> {
    let target: Vec<&str> = mrz_name.split(' ').filter(|w| !w.is_empty()).collect();
    if target.is_empty() {
        return None;
    }
    for line in lines {
        let words: Vec<&str> = line.split_whitespace().collect();
        for start in 0..words.len() {
            let end = start + target.len();
            let Some(run) = words.get(start..end) else {
                break;
            };
            let joined = run.join(" ");
            if name_words(&joined) == target {
                return Some(joined);
            }
        }
    }
    None
}

/// Keywords that name a document type, in the languages most often met.
const TYPE_KEYWORDS: [(&str, DocumentType); 20] = [
    ("DRIVING LICENCE", DocumentType::DriversLicense),
    ("DRIVER LICENSE", DocumentType::DriversLicense),
    ("DRIVERS LICENSE", DocumentType::DriversLicense),
    ("DRIVER'S LICENSE", DocumentType::DriversLicense),
    ("FUHRERSCHEIN", DocumentType::DriversLicense),
    ("PERMIS DE CONDUIRE", DocumentType::DriversLicense),
    ("RESIDENCE PERMIT", DocumentType::ResidencePermit),
    ("AUFENTHALTSTITEL", DocumentType::ResidencePermit),
    ("TITRE DE SEJOUR", DocumentType::ResidencePermit),
    ("PASSPORT", DocumentType::Passport),
    ("PASSEPORT", DocumentType::Passport),
    ("PASAPORTE", DocumentType::Passport),
    ("REISEPASS", DocumentType::Passport),
    ("IDENTITY CARD", DocumentType::IdentityCard),
    ("IDENTITY", DocumentType::IdentityCard),
    ("PERSONALAUSWEIS", DocumentType::IdentityCard),
    ("IDENTITE", DocumentType::IdentityCard),
    ("IDENTIDAD", DocumentType::IdentityCard),
    ("ID CARD", DocumentType::IdentityCard),
    ("VISA", DocumentType::Visa),
];

/// Reads the printed fields from `lines` (top to bottom), guided by the MRZ when there is one.
pub fn read_visual(lines: Vec<String>, zone: Option<&mrz::Mrz>, today: NaiveDate) -> VisualFields {
    let mut v = VisualFields {
        lines,
        ..VisualFields::default()
    };
    for line in &v.lines {
        v.dates.extend(find_dates(line, today));
    }
    let folded: Vec<String> = v.lines.iter().map(|l| fold(l)).collect();
    let all = folded.join(" \n ");
    v.document_type = TYPE_KEYWORDS
        .iter()
        .find(|(k, _)| all.contains(k))
        .map(|(_, t)| *t);
    // The longest state name mentioned wins ("NIGERIA" must not win over "NIGER" the other way).
    v.country = mrz::all_states()
        .filter(|(code, name)| code.len() == 3 && name.len() >= 4 && all.contains(&fold(name)))
        .max_by_key(|(_, name)| name.len())
        .map(|(code, _)| code.to_owned());
    if let Some(z) = zone {
        v.surname = printed_name(&v.lines, &z.surname);
        v.given_names = printed_name(&v.lines, &z.given_names);
        let number = z.document_number.as_str();
        if number.len() >= 5 {
            let tokens: Vec<String> = folded
                .iter()
                .flat_map(|l| {
                    l.split(|c: char| !c.is_ascii_alphanumeric())
                        .map(str::to_owned)
                        .collect::<Vec<_>>()
                })
                .filter(|t| t.len() >= 5)
                .collect();
            v.document_number_found = tokens.iter().any(|t| confusable(t) == confusable(number));
            if !v.document_number_found {
                v.document_number_conflict = tokens
                    .iter()
                    .find(|t| {
                        t.len() == number.len()
                            && t.chars().any(|c| c.is_ascii_digit())
                            && levenshtein(&confusable(t), &confusable(number)) == 1
                    })
                    .cloned();
            }
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates_in_common_forms() {
        let today = d(2026, 1, 1);
        assert_eq!(find_dates("12 AUG/AOÛT 74", today), vec![d(1974, 8, 12)]);
        assert_eq!(
            find_dates("Date of birth 12.08.1974", today),
            vec![d(1974, 8, 12)]
        );
        assert_eq!(
            find_dates("1974-08-12 and 15/04/2032", today),
            vec![d(1974, 8, 12), d(2032, 4, 15)]
        );
        assert!(find_dates("no date 12 34 56", today).is_empty());
        assert_eq!(find_dates("18FEB 2032", today), vec![d(2032, 2, 18)]);
        assert_eq!(find_dates("15 0CT 2035", today), vec![d(2035, 10, 15)]);
    }

    #[test]
    fn printed_names_recover_accents() {
        let lines = vec!["Nom / Surname".to_owned(), "MÜLLER GÓMEZ".to_owned()];
        assert_eq!(
            printed_name(&lines, "MUELLER GOMEZ").as_deref(),
            Some("MÜLLER GÓMEZ")
        );
    }

    #[test]
    fn similarity_is_edit_based() {
        assert_eq!(levenshtein("KITTEN", "SITTING"), 3);
        assert!(similarity("ERIKSSON", "ERIKSON") > 0.85);
    }
}
