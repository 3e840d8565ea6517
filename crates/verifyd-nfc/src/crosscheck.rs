//! Cross-checks of the chip against the physical document: DG1's MRZ against the MRZ read from
//! the photo, and DG11/DG12 against the printed (visual-zone) fields.
//!
//! Passive authentication proves the chip's data is the issuer's; these checks prove the chip
//! belongs to the document in the photo. A genuine chip from one passport next to a photo of
//! another document passes passive authentication and fails here.

use chrono::NaiveDate;
use serde::Serialize;

use crate::datagroups::{Dg11, Dg12};
use crate::findings::{NfcWarning, Severity, DATA_INCONSISTENT};

/// A field compared between the chip and the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ComparedField {
    /// MRZ document code.
    DocumentCode,
    /// MRZ issuing state.
    IssuingState,
    /// Surname (MRZ primary identifier, or DG11 vs printed).
    Surname,
    /// Given names.
    GivenNames,
    /// Document number.
    DocumentNumber,
    /// Nationality.
    Nationality,
    /// Date of birth.
    BirthDate,
    /// Sex.
    Sex,
    /// Date of expiry.
    ExpiryDate,
    /// MRZ optional data (personal number on TD3).
    OptionalData,
    /// TD1 optional data 2.
    OptionalData2,
    /// Personal number (DG11 vs printed).
    PersonalNumber,
    /// Place of birth (DG11 vs printed).
    PlaceOfBirth,
    /// Address (DG11 vs printed).
    Address,
    /// Date of issue (DG12 vs printed).
    DateOfIssue,
    /// Issuing authority (DG12 vs printed).
    IssuingAuthority,
}

/// A field whose values differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldDifference {
    /// Which field.
    pub field: ComparedField,
    /// The chip's value.
    pub chip: String,
    /// The document's value.
    pub document: String,
}

/// Compares DG1's MRZ with the MRZ read from the photo, field by field (the raw date digits,
/// so an unresolvable century cannot hide a difference).
pub fn compare_mrz(chip: &mrz::Mrz, photo: &mrz::Mrz) -> Vec<FieldDifference> {
    let pairs = [
        (
            ComparedField::DocumentCode,
            &chip.document_code,
            &photo.document_code,
        ),
        (
            ComparedField::IssuingState,
            &chip.issuing_state,
            &photo.issuing_state,
        ),
        (ComparedField::Surname, &chip.surname, &photo.surname),
        (
            ComparedField::GivenNames,
            &chip.given_names,
            &photo.given_names,
        ),
        (
            ComparedField::DocumentNumber,
            &chip.document_number,
            &photo.document_number,
        ),
        (
            ComparedField::Nationality,
            &chip.nationality,
            &photo.nationality,
        ),
        (
            ComparedField::BirthDate,
            &chip.birth_date_raw,
            &photo.birth_date_raw,
        ),
        (
            ComparedField::ExpiryDate,
            &chip.expiry_date_raw,
            &photo.expiry_date_raw,
        ),
        (
            ComparedField::OptionalData,
            &chip.optional_data,
            &photo.optional_data,
        ),
        (
            ComparedField::OptionalData2,
            &chip.optional_data_2,
            &photo.optional_data_2,
        ),
    ];
    let mut out: Vec<FieldDifference> = pairs
        .into_iter()
        .filter(|(_, a, b)| a != b)
        .map(|(field, a, b)| FieldDifference {
            field,
            chip: a.clone(),
            document: b.clone(),
        })
        .collect();
    if chip.sex != photo.sex {
        out.push(FieldDifference {
            field: ComparedField::Sex,
            chip: chip.sex.as_str().to_owned(),
            document: photo.sex.as_str().to_owned(),
        });
    }
    out
}

/// Fields read from the document's visual zone; `None` means not read (not compared).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrintedFields {
    /// Surname as printed.
    pub surname: Option<String>,
    /// Given names as printed.
    pub given_names: Option<String>,
    /// Personal number.
    pub personal_number: Option<String>,
    /// Date of birth.
    pub date_of_birth: Option<NaiveDate>,
    /// Place of birth.
    pub place_of_birth: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Date of issue.
    pub date_of_issue: Option<NaiveDate>,
    /// Issuing authority.
    pub issuing_authority: Option<String>,
}

/// Text reduced to what OCR and the chip reliably agree on: ASCII letters and digits
/// (diacritics transliterated), upper case, single spaces.
fn folded(text: &str) -> String {
    deunicode::deunicode(text)
        .to_uppercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Compares DG11/DG12 with the printed fields. Only fields present on both sides are compared.
pub fn compare_printed(
    dg11: Option<&Dg11>,
    dg12: Option<&Dg12>,
    printed: &PrintedFields,
) -> Vec<FieldDifference> {
    let mut out = Vec::new();
    let mut text = |field, chip: Option<&str>, document: Option<&str>| {
        if let (Some(chip), Some(document)) = (chip, document) {
            if folded(chip) != folded(document) {
                out.push(FieldDifference {
                    field,
                    chip: chip.to_owned(),
                    document: document.to_owned(),
                });
            }
        }
    };
    let names = dg11.and_then(Dg11::name_parts);
    text(
        ComparedField::Surname,
        names.as_ref().map(|n| n.0.as_str()),
        printed.surname.as_deref(),
    );
    text(
        ComparedField::GivenNames,
        names.as_ref().map(|n| n.1.as_str()),
        printed.given_names.as_deref(),
    );
    text(
        ComparedField::PersonalNumber,
        dg11.and_then(|d| d.personal_number.as_deref()),
        printed.personal_number.as_deref(),
    );
    text(
        ComparedField::PlaceOfBirth,
        dg11.and_then(|d| d.place_of_birth.as_deref()),
        printed.place_of_birth.as_deref(),
    );
    text(
        ComparedField::Address,
        dg11.and_then(|d| d.permanent_address.as_deref()),
        printed.address.as_deref(),
    );
    text(
        ComparedField::IssuingAuthority,
        dg12.and_then(|d| d.issuing_authority.as_deref()),
        printed.issuing_authority.as_deref(),
    );
    let mut date = |field, chip: Option<NaiveDate>, document: Option<NaiveDate>| {
        if let (Some(chip), Some(document)) = (chip, document) {
            if chip != document {
                out.push(FieldDifference {
                    field,
                    chip: chip.to_string(),
                    document: document.to_string(),
                });
            }
        }
    };
    date(
        ComparedField::BirthDate,
        dg11.and_then(|d| d.full_date_of_birth),
        printed.date_of_birth,
    );
    date(
        ComparedField::DateOfIssue,
        dg12.and_then(|d| d.date_of_issue),
        printed.date_of_issue,
    );
    out
}

/// The contract's `DATA_INCONSISTENT` warning for differences, if there are any: the chip and
/// the document in the photo disagree, so they are not the same document.
pub fn inconsistency_warning(differences: &[FieldDifference]) -> Option<NfcWarning> {
    if differences.is_empty() {
        return None;
    }
    let fields: Vec<String> = differences
        .iter()
        .filter_map(|d| serde_json::to_value(d.field).ok())
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    Some(NfcWarning::new(
        DATA_INCONSISTENT,
        Severity::Error,
        "Chip and document disagree",
        format!(
            "The chip's data differs from the document in the photo ({}).",
            fields.join(", ")
        ),
        Some(serde_json::json!({ "differences": differences })),
    ))
}
