//! The flat, serialisable verdict that `verifyd mrz parse` prints and the API can embed.

use chrono::NaiveDate;
use serde::Serialize;

use crate::layout::Format;
use crate::model::{Correction, Mode, Mrz, Problem, Sex};
use crate::parse::parse_text;
use crate::MrzError;

/// The result of parsing a zone, with exactly the keys of the CLI's JSON output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// True when no check failed.
    pub valid: bool,
    /// `"TD1"`, `"TD2"`, `"TD3"`, `"MRVA"` or `"MRVB"`.
    pub format: Format,
    /// Document code without fillers (`"P"`, `"ID"`, `"V"`).
    pub document_code: String,
    /// Issuing state code (`"UTO"`, `"D"`).
    pub issuing_state: String,
    /// Primary identifier(s).
    pub surname: String,
    /// Secondary identifier(s).
    pub given_names: String,
    /// Document number, including any continuation.
    pub document_number: String,
    /// Nationality code.
    pub nationality: String,
    /// `YYYY-MM-DD`, or null if unknown or not a date.
    pub birth_date: Option<NaiveDate>,
    /// `YYYY-MM-DD`, or null if absent or not a date.
    pub expiry_date: Option<NaiveDate>,
    /// `"M"`, `"F"` or `"X"`.
    pub sex: Sex,
    /// Optional data with fillers shown as spaces; on TD1 both optional fields, space-separated.
    pub optional_data: String,
    /// Changes made by tolerant parsing.
    pub corrections: Vec<Correction>,
    /// Names of the failed checks (`"composite_check_digit"`, `"unknown_issuing_state"` …).
    pub errors: Vec<Problem>,
}

impl From<&Mrz> for Report {
    fn from(m: &Mrz) -> Report {
        let readable = |s: &str| s.replace('<', " ").trim().to_owned();
        let optional_data = [readable(&m.optional_data), readable(&m.optional_data_2)]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        Report {
            valid: m.is_valid(),
            format: m.format,
            document_code: m.document_code.trim_end_matches('<').to_owned(),
            issuing_state: m.issuing_state.clone(),
            surname: m.surname.clone(),
            given_names: m.given_names.clone(),
            document_number: m.document_number.clone(),
            nationality: m.nationality.clone(),
            birth_date: m.birth_date,
            expiry_date: m.expiry_date,
            sex: m.sex,
            optional_data,
            corrections: m.corrections.clone(),
            errors: m.problems.clone(),
        }
    }
}

/// Parses text holding a zone (one MRZ line per text line) into a [`Report`].
///
/// For the CLI: `Err` (always [`MrzError::NotMrz`]) means the text is not an MRZ at all (exit 2);
/// `Ok` with `valid == false` means a damaged or forged zone (exit 1); `valid == true` exit 0.
pub fn parse_report(text: &str, mode: Mode, today: NaiveDate) -> Result<Report, MrzError> {
    parse_text(text, mode, today).map(|m| Report::from(&m))
}
