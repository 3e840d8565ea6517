//! Building MRZ lines from field values (for tests, fixtures and the document renderer).
//!
//! Text is converted the way ICAO 9303 Part 3 §4.6 and §6 describe: upper case, spaces, hyphens
//! and commas become `<`, apostrophes are dropped, common Latin diacritics are transliterated
//! (`Ä`→`AE`, `Ø`→`OE`, `ß`→`SS`, `É`→`E` …) and any other character is omitted. Names longer than
//! the field are cut at the field width; a cut that ends in fillers is shortened to the last
//! letter so a name never ends in a dangling separator.

use crate::check::check_digit;
use crate::dates::yymmdd;
use crate::layout::{Format, Span};
use crate::model::{Field, MrzFields};
use crate::MrzError;

/// ICAO 9303 Part 3 §6 transliteration for the Latin letters most often met; `None` drops the
/// character. Input is already upper-cased.
fn transliterate(c: char) -> Option<&'static str> {
    Some(match c {
        'A'..='Z' | '0'..='9' => return None, // handled by the caller
        'À' | 'Á' | 'Â' | 'Ã' | 'Ą' | 'Ă' | 'Ā' => "A",
        'Ä' | 'Æ' => "AE",
        'Å' => "AA",
        'Ç' | 'Č' | 'Ć' | 'Ĉ' | 'Ċ' => "C",
        'Ď' | 'Đ' | 'Ð' => "D",
        'È' | 'É' | 'Ê' | 'Ë' | 'Ę' | 'Ě' | 'Ē' | 'Ė' => "E",
        'Ğ' | 'Ģ' | 'Ĝ' | 'Ġ' => "G",
        'Ì' | 'Í' | 'Î' | 'Ï' | 'İ' | 'Ī' | 'Į' => "I",
        'Ķ' => "K",
        'Ł' | 'Ľ' | 'Ĺ' | 'Ļ' => "L",
        'Ñ' | 'Ń' | 'Ň' | 'Ņ' => "N",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ő' | 'Ō' => "O",
        'Ö' | 'Ø' | 'Œ' => "OE",
        'Ř' | 'Ŕ' => "R",
        'Š' | 'Ś' | 'Ş' | 'Ș' | 'Ŝ' => "S",
        'ß' => "SS",
        'Ť' | 'Ţ' | 'Ț' => "T",
        'Þ' => "TH",
        'Ù' | 'Ú' | 'Û' | 'Ů' | 'Ű' | 'Ū' | 'Ų' => "U",
        'Ü' => "UE",
        'Ý' | 'Ÿ' => "Y",
        'Ž' | 'Ź' | 'Ż' => "Z",
        _ => return None,
    })
}

/// Converts free text to MRZ characters: separators become single `<`, the result has no leading
/// or trailing fillers.
fn to_mrz_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars().flat_map(char::to_uppercase) {
        match ch {
            'A'..='Z' | '0'..='9' => out.push(ch),
            ' ' | '-' | ',' | '<' | '\t' => out.push('<'),
            '\'' | '’' | '.' => {}
            c => out.push_str(transliterate(c).unwrap_or("")),
        }
    }
    out.split('<')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("<")
}

/// The name field content (without padding): `SURNAME<<GIVEN<NAMES`, truncated to `width`.
pub fn name_field(surname: &str, given_names: &str, width: usize) -> String {
    let surname = to_mrz_text(surname);
    let given = to_mrz_text(given_names);
    let mut name = if given.is_empty() {
        surname
    } else {
        format!("{surname}<<{given}")
    };
    if name.len() > width {
        name.truncate(width);
        let kept = name.trim_end_matches('<').len();
        name.truncate(kept);
    }
    name
}

fn invalid(field: Field, reason: impl Into<String>) -> MrzError {
    MrzError::InvalidField {
        field,
        reason: reason.into(),
    }
}

/// Text for a field that allows letters, digits and fillers (document number, optional data).
fn alphanumeric(field: Field, s: &str) -> Result<String, MrzError> {
    let out: String = s
        .chars()
        .map(|c| {
            if c == ' ' {
                '<'
            } else {
                c.to_ascii_uppercase()
            }
        })
        .collect();
    if out
        .bytes()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'<')
    {
        Ok(out.trim_end_matches('<').to_owned())
    } else {
        Err(invalid(
            field,
            format!("{s:?} has characters outside A-Z 0-9"),
        ))
    }
}

/// A 1–3 letter state code.
fn state(field: Field, s: &str) -> Result<String, MrzError> {
    let s = s.trim_end_matches('<').to_ascii_uppercase();
    if (1..=3).contains(&s.len()) && s.bytes().all(|c| c.is_ascii_uppercase()) {
        Ok(s)
    } else {
        Err(invalid(field, format!("{s:?} is not a 1-3 letter code")))
    }
}

struct Canvas {
    lines: Vec<Vec<u8>>,
}

impl Canvas {
    /// Writes `text` at the start of `span`; the rest of the span keeps its fillers.
    fn put(&mut self, span: Span, text: &str, field: Field) -> Result<(), MrzError> {
        if text.len() > span.len {
            return Err(invalid(
                field,
                format!("{text:?} is longer than {} characters", span.len),
            ));
        }
        if let Some(line) = self.lines.get_mut(span.line) {
            for (i, c) in text.bytes().enumerate() {
                if let Some(slot) = line.get_mut(span.start + i) {
                    *slot = c;
                }
            }
        }
        Ok(())
    }

    fn get(&self, span: Span) -> Vec<u8> {
        self.lines
            .get(span.line)
            .and_then(|l| l.get(span.start..span.end()))
            .map(<[u8]>::to_vec)
            .unwrap_or_default()
    }

    fn put_check(&mut self, data: &[u8], at: Span, field: Field) -> Result<(), MrzError> {
        let digit = check_digit(data).ok_or_else(|| invalid(field, "unencodable data"))?;
        self.put(at, &char::from(digit).to_string(), field)
    }
}

/// Builds the lines of a zone from its fields.
///
/// Fails with [`MrzError::InvalidField`] when a value cannot be encoded: characters outside
/// `A–Z 0–9` in codes and numbers, a value longer than its field (names are truncated instead),
/// a visa code (`V…`) in a non-visa format or the reverse.
pub fn generate(f: &MrzFields) -> Result<Vec<String>, MrzError> {
    let l = f.format.layout();
    let mut c = Canvas {
        lines: vec![vec![b'<'; f.format.width()]; f.format.lines()],
    };

    let code = f.document_code.trim_end_matches('<').to_ascii_uppercase();
    let valid_code = matches!(code.len(), 1 | 2)
        && code.bytes().next().is_some_and(|b| b.is_ascii_uppercase())
        && code.bytes().all(|b| b.is_ascii_uppercase());
    if !valid_code {
        return Err(invalid(
            Field::DocumentCode,
            format!("{code:?} is not a 1-2 letter code"),
        ));
    }
    if code.starts_with('V') != f.format.is_visa() {
        return Err(invalid(
            Field::DocumentCode,
            format!("{code:?} does not fit format {}", f.format),
        ));
    }
    c.put(l.document_code, &code, Field::DocumentCode)?;
    c.put(
        l.issuing_state,
        &state(Field::IssuingState, &f.issuing_state)?,
        Field::IssuingState,
    )?;
    let name = name_field(&f.surname, &f.given_names, l.name.len);
    if to_mrz_text(&f.surname).is_empty() {
        return Err(invalid(Field::Name, "the surname is empty"));
    }
    c.put(l.name, &name, Field::Name)?;

    // Document number, continuing into the optional data when longer than nine characters.
    let number = alphanumeric(Field::DocumentNumber, &f.document_number)?;
    if number.is_empty() {
        return Err(invalid(
            Field::DocumentNumber,
            "the document number is empty",
        ));
    }
    let number_check = check_digit(number.as_bytes())
        .map(char::from)
        .ok_or_else(|| invalid(Field::DocumentNumber, "unencodable"))?;
    let mut optional = String::new();
    if number.len() <= l.document_number.len {
        c.put(l.document_number, &number, Field::DocumentNumber)?;
        c.put(
            l.document_number_check,
            &number_check.to_string(),
            Field::DocumentNumber,
        )?;
    } else if l.long_document_number && !number.contains('<') {
        let (head, tail) = number.split_at(l.document_number.len);
        c.put(l.document_number, head, Field::DocumentNumber)?;
        optional = format!("{tail}{number_check}");
        if !f.optional_data.is_empty() {
            optional.push('<');
        }
    } else {
        return Err(invalid(
            Field::DocumentNumber,
            format!(
                "{number:?} is longer than {} characters",
                l.document_number.len
            ),
        ));
    }
    let extra = alphanumeric(Field::OptionalData, &f.optional_data)?;
    if !optional.is_empty() && extra.starts_with('<') {
        return Err(invalid(
            Field::OptionalData,
            "must not start with a filler after a long number",
        ));
    }
    optional.push_str(&extra);
    c.put(l.optional_data, &optional, Field::OptionalData)?;

    c.put(
        l.nationality,
        &state(Field::Nationality, &f.nationality)?,
        Field::Nationality,
    )?;
    for (date, span, check, field) in [
        (
            f.birth_date,
            l.birth_date,
            l.birth_date_check,
            Field::BirthDate,
        ),
        (
            f.expiry_date,
            l.expiry_date,
            l.expiry_date_check,
            Field::ExpiryDate,
        ),
    ] {
        let text = date.map_or_else(|| "<<<<<<".to_owned(), yymmdd);
        c.put(span, &text, field)?;
        c.put_check(text.as_bytes(), check, field)?;
    }
    c.put(l.sex, &f.sex.mrz_char().to_string(), Field::Sex)?;

    if let Some(check) = l.optional_data_check {
        let data = c.get(l.optional_data);
        if data.iter().any(|b| *b != b'<') {
            c.put_check(&data, check, Field::OptionalData)?;
        }
    }
    match l.optional_data_2 {
        Some(span) => {
            let text = alphanumeric(Field::OptionalData2, &f.optional_data_2)?;
            c.put(span, &text, Field::OptionalData2)?;
        }
        None if !f.optional_data_2.is_empty() => {
            return Err(invalid(
                Field::OptionalData2,
                "only TD1 has a second optional data field",
            ));
        }
        None => {}
    }
    if let Some((spans, check)) = l.composite {
        let data: Vec<u8> = spans.iter().flat_map(|s| c.get(*s)).collect();
        c.put_check(&data, check, Field::CompositeCheckDigit)?;
    }
    Ok(c.lines
        .into_iter()
        .map(|l| String::from_utf8_lossy(&l).into_owned())
        .collect())
}

/// Whether `format` can hold a field set without truncation: useful to callers that want to
/// know if [`generate`] will shorten the name.
pub fn name_fits(format: Format, surname: &str, given_names: &str) -> bool {
    let width = format.layout().name.len;
    let full = name_field(surname, given_names, usize::MAX);
    full.len() <= width
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_conversion() {
        assert_eq!(to_mrz_text("Anna María"), "ANNA<MARIA");
        assert_eq!(to_mrz_text("  O'Brien-Smith "), "OBRIEN<SMITH");
        assert_eq!(to_mrz_text("Müller"), "MUELLER");
        assert_eq!(to_mrz_text("Åström"), "AASTROEM");
    }

    #[test]
    fn truncation() {
        assert_eq!(
            name_field("ERIKSSON", "ANNA MARIA", 39),
            "ERIKSSON<<ANNA<MARIA"
        );
        // Cut inside the given names.
        assert_eq!(
            name_field("ERIKSSON", "ANNA MARIA", 17),
            "ERIKSSON<<ANNA<MA"
        );
        // A cut landing on a separator drops the dangling filler.
        assert_eq!(name_field("ERIKSSON", "ANNA MARIA", 15), "ERIKSSON<<ANNA");
        assert_eq!(name_field("ERIKSSON", "ANNA", 9), "ERIKSSON");
        assert_eq!(name_field("ERIKSSON", "ANNA", 5), "ERIKS");
        assert!(!name_fits(
            Format::Td1,
            "A VERY LONG SURNAME INDEED",
            "AND GIVEN NAMES"
        ));
    }
}
