//! The typed results of parsing: the zone's fields, the corrections made, the checks that failed.

use chrono::NaiveDate;
use serde::Serialize;

use crate::layout::Format;

/// How forgiving the parser is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// The input must be a well-formed MRZ: exact line lengths, MRZ alphabet only, no corrections.
    Strict,
    /// The input is OCR output: whitespace and case are normalised, line lengths off by up to
    /// [`crate::LENGTH_TOLERANCE`] are repaired, and character confusions are corrected where the
    /// field type and the check digits allow it. Every change is reported as a [`Correction`].
    #[default]
    Tolerant,
}

/// The holder's sex as printed in the MRZ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Sex {
    /// `M`.
    #[serde(rename = "M")]
    Male,
    /// `F`.
    #[serde(rename = "F")]
    Female,
    /// `<` or `X`: unspecified.
    #[serde(rename = "X")]
    Unspecified,
}

impl Sex {
    /// The MRZ character for this value (`M`, `F` or `<`).
    pub fn mrz_char(self) -> char {
        match self {
            Sex::Male => 'M',
            Sex::Female => 'F',
            Sex::Unspecified => '<',
        }
    }

    /// `"M"`, `"F"` or `"X"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "M",
            Sex::Female => "F",
            Sex::Unspecified => "X",
        }
    }
}

/// The kind of document, from the first character of the document code.
///
/// ICAO 9303 fixes `P` (passport) and `V` (visa); for TD1/TD2 cards it allows `I`, `A` and `C`,
/// leaving their meaning to the issuer (`I` is used for identity cards, `AC` for crew member
/// certificates, `IR`/`AR`/`CR` for residence permits in various states).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentCategory {
    /// `P…`
    Passport,
    /// `I…`
    IdentityCard,
    /// `A…`: an official travel document at the issuer's discretion.
    TypeA,
    /// `C…`: an official travel document at the issuer's discretion.
    TypeC,
    /// `V…`
    Visa,
    /// Any other first character (not allowed by ICAO 9303, but printed by some issuers).
    Other,
}

impl DocumentCategory {
    /// Category of a raw document code such as `"P<"`, `"ID"` or `"VC"`.
    pub fn from_code(code: &str) -> DocumentCategory {
        match code.as_bytes().first() {
            Some(b'P') => DocumentCategory::Passport,
            Some(b'I') => DocumentCategory::IdentityCard,
            Some(b'A') => DocumentCategory::TypeA,
            Some(b'C') => DocumentCategory::TypeC,
            Some(b'V') => DocumentCategory::Visa,
            _ => DocumentCategory::Other,
        }
    }
}

/// A field of the zone, used to say where a correction was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// Columns 1–2 of line 1.
    DocumentCode,
    /// Issuing state or organisation.
    IssuingState,
    /// Primary and secondary identifiers.
    Name,
    /// Document number, including a TD1/TD2 continuation in the optional data.
    DocumentNumber,
    /// Check digit of the document number.
    DocumentNumberCheckDigit,
    /// Nationality.
    Nationality,
    /// Date of birth.
    BirthDate,
    /// Check digit of the date of birth.
    BirthDateCheckDigit,
    /// Sex.
    Sex,
    /// Date of expiry.
    ExpiryDate,
    /// Check digit of the date of expiry.
    ExpiryDateCheckDigit,
    /// Optional data (the personal number on TD3; optional data 1 on TD1).
    OptionalData,
    /// Check digit of the TD3 personal number.
    PersonalNumberCheckDigit,
    /// TD1 optional data 2 (line 2).
    OptionalData2,
    /// Composite check digit.
    CompositeCheckDigit,
    /// A whole line: characters inserted or removed to repair its length.
    LineLength,
}

/// One change the tolerant parser made to its input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Correction {
    /// 1-based line number within the zone.
    pub line: usize,
    /// 1-based column, counted in the repaired line.
    pub column: usize,
    /// What was read (empty for an inserted filler).
    pub from: String,
    /// What it became (empty for a removed character).
    pub to: String,
    /// The field the column belongs to.
    pub field: Field,
}

/// A failed check. Serialised as the snake_case names the CLI and API report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// A character outside `A–Z 0–9 <` (strict mode; tolerant mode replaces them).
    InvalidCharacters,
    /// The document code does not start with a letter.
    InvalidDocumentCode,
    /// The issuing state is not a known ICAO code.
    UnknownIssuingState,
    /// The name field holds no primary identifier.
    MissingSurname,
    /// The document number is empty.
    MissingDocumentNumber,
    /// The document number check digit does not match.
    DocumentNumberCheckDigit,
    /// The nationality is not a known ICAO code.
    UnknownNationality,
    /// The date of birth is not a calendar date.
    InvalidBirthDate,
    /// The date of birth check digit does not match.
    BirthDateCheckDigit,
    /// The sex is not `M`, `F`, `X` or `<`.
    InvalidSex,
    /// The date of expiry is not a calendar date.
    InvalidExpiryDate,
    /// The date of expiry check digit does not match.
    ExpiryDateCheckDigit,
    /// The TD3 personal number check digit does not match.
    PersonalNumberCheckDigit,
    /// The composite check digit does not match.
    CompositeCheckDigit,
}

impl Problem {
    /// The snake_case name, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Problem::InvalidCharacters => "invalid_characters",
            Problem::InvalidDocumentCode => "invalid_document_code",
            Problem::UnknownIssuingState => "unknown_issuing_state",
            Problem::MissingSurname => "missing_surname",
            Problem::MissingDocumentNumber => "missing_document_number",
            Problem::DocumentNumberCheckDigit => "document_number_check_digit",
            Problem::UnknownNationality => "unknown_nationality",
            Problem::InvalidBirthDate => "invalid_birth_date",
            Problem::BirthDateCheckDigit => "birth_date_check_digit",
            Problem::InvalidSex => "invalid_sex",
            Problem::InvalidExpiryDate => "invalid_expiry_date",
            Problem::ExpiryDateCheckDigit => "expiry_date_check_digit",
            Problem::PersonalNumberCheckDigit => "personal_number_check_digit",
            Problem::CompositeCheckDigit => "composite_check_digit",
        }
    }
}

/// The data of a zone, without its check digits: the generator's input and what
/// [`Mrz::fields`] returns, so `parse(generate(f)).fields() == f` for any field set that fits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MrzFields {
    /// Layout to produce.
    pub format: Format,
    /// Document code, 1–2 characters (`"P"`, `"ID"`, `"V"`, `"AC"` …); padded with `<`.
    pub document_code: String,
    /// Issuing state or organisation (`"UTO"`, `"D"` …).
    pub issuing_state: String,
    /// Primary identifier(s), words separated by spaces.
    pub surname: String,
    /// Secondary identifier(s), words separated by spaces; may be empty.
    pub given_names: String,
    /// Document number. Up to 9 characters; TD1 and TD2 allow longer numbers, which continue in
    /// the optional data as ICAO 9303 describes.
    pub document_number: String,
    /// Nationality code.
    pub nationality: String,
    /// Date of birth; `None` writes fillers (unknown).
    pub birth_date: Option<NaiveDate>,
    /// Sex.
    pub sex: Sex,
    /// Date of expiry; `None` writes fillers (no expiry).
    pub expiry_date: Option<NaiveDate>,
    /// Optional data (TD3: personal number; TD1: optional data 1 after any number continuation).
    pub optional_data: String,
    /// TD1 optional data 2; must be empty for other formats.
    pub optional_data_2: String,
}

/// A parsed machine-readable zone.
///
/// Parsing succeeds for anything shaped like an MRZ; failed checks are listed in
/// [`Mrz::problems`] rather than returned as errors, because callers (document checks, the CLI)
/// want both the data and the verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mrz {
    /// Layout.
    pub format: Format,
    /// The zone's lines after normalisation and corrections.
    pub lines: Vec<String>,
    /// Raw 2-character document code (`"P<"`, `"ID"`, `"V<"` …).
    pub document_code: String,
    /// Issuing state with trailing fillers removed (`"UTO"`, `"D"`).
    pub issuing_state: String,
    /// Primary identifier(s), `<` turned into spaces.
    pub surname: String,
    /// Secondary identifier(s), `<` turned into spaces.
    pub given_names: String,
    /// Document number without fillers, including a TD1/TD2 continuation.
    pub document_number: String,
    /// Nationality with trailing fillers removed.
    pub nationality: String,
    /// Date of birth (century resolved against `today`); `None` if unknown or invalid.
    pub birth_date: Option<NaiveDate>,
    /// The raw `YYMMDD` of the date of birth.
    pub birth_date_raw: String,
    /// Sex.
    pub sex: Sex,
    /// Date of expiry (century resolved against `today`); `None` if absent or invalid.
    pub expiry_date: Option<NaiveDate>,
    /// The raw `YYMMDD` of the date of expiry.
    pub expiry_date_raw: String,
    /// Optional data with trailing fillers removed (after any document-number continuation).
    pub optional_data: String,
    /// TD1 optional data 2 with trailing fillers removed; empty for other formats.
    pub optional_data_2: String,
    /// Changes made by the tolerant parser, in the order they were made.
    pub corrections: Vec<Correction>,
    /// Failed checks; empty means the zone is valid.
    pub problems: Vec<Problem>,
}

impl Mrz {
    /// True when every check passed.
    pub fn is_valid(&self) -> bool {
        self.problems.is_empty()
    }

    /// The document category from the document code.
    pub fn category(&self) -> DocumentCategory {
        DocumentCategory::from_code(&self.document_code)
    }

    /// The name of the issuing state, if the code is known.
    pub fn issuing_state_name(&self) -> Option<&'static str> {
        crate::states::state_name(&self.issuing_state)
    }

    /// The name of the nationality, if the code is known.
    pub fn nationality_name(&self) -> Option<&'static str> {
        crate::states::state_name(&self.nationality)
    }

    /// True if the document has an expiry date before `today`.
    pub fn is_expired(&self, today: NaiveDate) -> bool {
        self.expiry_date.is_some_and(|d| d < today)
    }

    /// The zone's data as generator input.
    pub fn fields(&self) -> MrzFields {
        MrzFields {
            format: self.format,
            document_code: self.document_code.trim_end_matches('<').to_owned(),
            issuing_state: self.issuing_state.clone(),
            surname: self.surname.clone(),
            given_names: self.given_names.clone(),
            document_number: self.document_number.clone(),
            nationality: self.nationality.clone(),
            birth_date: self.birth_date,
            sex: self.sex,
            expiry_date: self.expiry_date,
            optional_data: self.optional_data.clone(),
            optional_data_2: self.optional_data_2.clone(),
        }
    }
}
