//! Document checks: from a [`DocumentReading`] and the session's [`DocumentPolicy`] to the
//! contract's `id_verifications[]` element with its warnings and status.
//!
//! Every check emits a warning object rather than a verdict; the status is derived from the
//! most severe one (`error` → Declined, `warning` → In Review), so the reasoning a reviewer sees
//! and the outcome can never disagree.

use chrono::{Datelike, NaiveDate};
use serde_json::json;

use crate::reader::DocumentReading;
use crate::report::{
    DocumentType, FeatureStatus, Gender, IdVerification, LogType, MrzSection, Warning,
};
use crate::visual::{name_words, similarity};

/// Warning codes this crate emits (contract §2.3, plus the image-quality codes).
pub mod codes {
    /// A zone was read but its check digits or codes do not validate.
    pub const MRZ_VALIDATION_FAILED: &str = "MRZ_VALIDATION_FAILED";
    /// No zone was found.
    pub const MRZ_NOT_DETECTED: &str = "MRZ_NOT_DETECTED";
    /// The printed data contradicts the zone.
    pub const MRZ_AND_DATA_EXTRACTED_FROM_OCR_NOT_SAME: &str =
        "MRZ_AND_DATA_EXTRACTED_FROM_OCR_NOT_SAME";
    /// The expiry date has passed.
    pub const DOCUMENT_EXPIRED: &str = "DOCUMENT_EXPIRED";
    /// The document expires within [`super::EXPIRING_SOON_DAYS`] days.
    pub const DOCUMENT_EXPIRES_SOON: &str = "DOCUMENT_EXPIRES_SOON";
    /// The holder is younger than the workflow's minimum age.
    pub const MINIMUM_AGE_NOT_MET: &str = "MINIMUM_AGE_NOT_MET";
    /// The document type is not accepted by the workflow.
    pub const DOCUMENT_NOT_SUPPORTED_FOR_APPLICATION: &str =
        "DOCUMENT_NOT_SUPPORTED_FOR_APPLICATION";
    /// Nothing that looks like an identity document was found.
    pub const COULD_NOT_RECOGNIZE_DOCUMENT: &str = "COULD_NOT_RECOGNIZE_DOCUMENT";
    /// No portrait could be cropped.
    pub const PORTRAIT_IMAGE_NOT_DETECTED: &str = "PORTRAIT_IMAGE_NOT_DETECTED";
    /// The document data does not match the session's expected details.
    pub const DATA_INCONSISTENT: &str = "DATA_INCONSISTENT";
    /// The image is out of focus.
    pub const DOCUMENT_IMAGE_BLURRY: &str = "DOCUMENT_IMAGE_BLURRY";
    /// A large area of the image is saturated (reflection on a laminate or flash).
    pub const DOCUMENT_IMAGE_GLARE: &str = "DOCUMENT_IMAGE_GLARE";
    /// The document (or its MRZ) runs off the edge of the image.
    pub const DOCUMENT_CUT_OFF: &str = "DOCUMENT_CUT_OFF";
}

/// Days before expiry from which an informational warning is given.
pub const EXPIRING_SOON_DAYS: i64 = 30;
/// Minimum name similarity (0..1, after transliteration and word sorting) for a match.
const NAME_MATCH: f32 = 0.85;

/// What the session expects to see (contract: `expected_details` on session creation).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExpectedDetails {
    /// Given names.
    pub first_name: Option<String>,
    /// Surname.
    pub last_name: Option<String>,
    /// Date of birth.
    pub date_of_birth: Option<NaiveDate>,
    /// `M` or `F`.
    pub gender: Option<Gender>,
    /// Nationality, ISO alpha-3.
    pub nationality: Option<String>,
    /// Issuing country of the document, ISO alpha-3 (`id_country`).
    pub id_country: Option<String>,
    /// Document number or personal number.
    pub identification_number: Option<String>,
}

/// The session's rules for this document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentPolicy {
    /// Minimum age of the holder, if any.
    pub minimum_age: Option<u32>,
    /// Accepted document types; empty accepts all.
    pub expected_document_types: Vec<DocumentType>,
    /// Expected holder data, if the session has any.
    pub expected_details: Option<ExpectedDetails>,
    /// The date checks are made against (injected, never the wall clock).
    pub today: NaiveDate,
}

impl DocumentPolicy {
    /// A policy with no restrictions, as of `today`.
    pub fn new(today: NaiveDate) -> Self {
        DocumentPolicy {
            minimum_age: None,
            expected_document_types: Vec::new(),
            expected_details: None,
            today,
        }
    }
}

fn warning(
    risk: &str,
    log_type: LogType,
    short: &str,
    long: &str,
    data: Option<serde_json::Value>,
) -> Warning {
    Warning {
        risk: risk.to_owned(),
        feature: "ID_VERIFICATION".to_owned(),
        additional_data: data,
        log_type,
        short_description: short.to_owned(),
        long_description: long.to_owned(),
    }
}

/// Whole years between `birth` and `today`.
pub fn age_at(birth: NaiveDate, today: NaiveDate) -> Option<u32> {
    let mut years = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    u32::try_from(years).ok()
}

/// ISO 3166 alpha-3 for an ICAO code: ICAO uses `D` for Germany; the rest already agree.
pub fn iso_alpha3(code: &str) -> String {
    match code {
        "D" => "DEU".to_owned(),
        other => other.to_owned(),
    }
}

/// Title case for names read in capitals (`"ANNA MARIA"` → `"Anna Maria"`).
fn title_case(s: &str) -> String {
    s.split(' ')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(f) => f
                    .to_uppercase()
                    .chain(cs.flat_map(char::to_lowercase))
                    .collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// True when two names agree, ignoring case, accents, word order and small spelling differences.
pub fn names_match(expected: &str, actual: &str) -> bool {
    let mut a = name_words(expected);
    let mut b = name_words(actual);
    if a.is_empty() || b.is_empty() {
        return false;
    }
    a.sort();
    b.sort();
    if similarity(&a.join(" "), &b.join(" ")) >= NAME_MATCH {
        return true;
    }
    // Every expected word found in the document (a middle name the session did not give).
    a.iter()
        .all(|w| b.iter().any(|x| similarity(w, x) >= NAME_MATCH))
}

/// Builds the contract element and its warnings.
pub fn evaluate(reading: &DocumentReading, policy: &DocumentPolicy) -> IdVerification {
    let today = policy.today;
    let zone = reading.zone.as_ref().map(|z| &z.mrz);
    let visual = &reading.visual;
    let mut w: Vec<Warning> = Vec::new();

    // Identity fields: the zone first; printed spellings where they transliterate to it.
    let last_name = zone
        .map(|z| {
            visual
                .surname
                .clone()
                .unwrap_or_else(|| title_case(&z.surname))
        })
        .filter(|s| !s.is_empty());
    let first_name = zone
        .map(|z| {
            visual
                .given_names
                .clone()
                .unwrap_or_else(|| title_case(&z.given_names))
        })
        .filter(|s| !s.is_empty());
    let full_name = match (&first_name, &last_name) {
        (Some(f), Some(l)) => Some(format!("{f} {l}")),
        (None, Some(l)) => Some(l.clone()),
        (Some(f), None) => Some(f.clone()),
        (None, None) => None,
    };
    let date_of_birth = zone.and_then(|z| z.birth_date);
    let expiration_date = zone.and_then(|z| z.expiry_date);
    let age = date_of_birth.and_then(|b| age_at(b, today));
    let date_of_issue = {
        let mut issue: Vec<NaiveDate> = visual
            .dates
            .iter()
            .copied()
            .filter(|d| Some(*d) != date_of_birth && Some(*d) != expiration_date && *d <= today)
            .filter(|d| date_of_birth.is_none_or(|b| *d > b))
            .collect();
        issue.sort();
        issue.last().copied()
    };
    let issuing_state = zone
        .map(|z| iso_alpha3(&z.issuing_state))
        .or_else(|| visual.country.clone())
        .filter(|s| !s.is_empty());
    let issuing_state_name = issuing_state
        .as_deref()
        .and_then(mrz::state_name)
        .map(str::to_owned);
    let nationality = zone
        .map(|z| iso_alpha3(&z.nationality))
        .filter(|s| !s.is_empty());
    let gender = zone.map(|z| match z.sex {
        mrz::Sex::Male => Gender::M,
        mrz::Sex::Female => Gender::F,
        mrz::Sex::Unspecified => Gender::U,
    });
    let document_number = zone
        .map(|z| z.document_number.clone())
        .filter(|s| !s.is_empty());
    let personal_number = zone
        .filter(|z| z.format == mrz::Format::Td3)
        .map(|z| z.optional_data.replace('<', " ").trim().to_owned())
        .filter(|s| !s.is_empty());
    let document_type = reading.document_type;

    // Recognition.
    match (zone, document_type) {
        (None, None) => w.push(warning(
            codes::COULD_NOT_RECOGNIZE_DOCUMENT,
            LogType::Error,
            "Document not recognised",
            "No machine-readable zone and no identity-document text were found in the image.",
            None,
        )),
        (None, Some(t)) => {
            // Passports and visas always carry a zone; other types may not.
            let severity = if matches!(t, DocumentType::Passport | DocumentType::Visa) {
                LogType::Error
            } else {
                LogType::Warning
            };
            w.push(warning(
                codes::MRZ_NOT_DETECTED,
                severity,
                "MRZ not detected",
                "The machine-readable zone could not be found or read; the data could not be verified \
                 against its check digits.",
                None,
            ));
        }
        (Some(z), _) if !z.is_valid() => w.push(warning(
            codes::MRZ_VALIDATION_FAILED,
            LogType::Error,
            "MRZ validation failed",
            "The machine-readable zone was read but its check digits or codes do not validate: \
             the document may be damaged, misread or altered.",
            Some(json!({ "errors": z.problems.iter().map(|p| p.as_str()).collect::<Vec<_>>() })),
        )),
        _ => {}
    }

    if let Some(conflict) = &visual.document_number_conflict {
        w.push(warning(
            codes::MRZ_AND_DATA_EXTRACTED_FROM_OCR_NOT_SAME,
            LogType::Warning,
            "MRZ and printed data differ",
            "A document number printed in the visual zone differs from the one in the MRZ.",
            Some(json!({ "field": "document_number", "visual": conflict, "mrz": document_number })),
        ));
    }

    if let Some(exp) = expiration_date {
        if exp < today {
            w.push(warning(
                codes::DOCUMENT_EXPIRED,
                LogType::Error,
                "Document expired",
                "The document's expiry date has passed.",
                Some(json!({ "expiration_date": exp })),
            ));
        } else if (exp - today).num_days() <= EXPIRING_SOON_DAYS {
            w.push(warning(
                codes::DOCUMENT_EXPIRES_SOON,
                LogType::Information,
                "Document expires soon",
                "The document expires within 30 days.",
                Some(json!({ "expiration_date": exp })),
            ));
        }
    }

    if let Some(min) = policy.minimum_age {
        match age {
            Some(a) if a < min => w.push(warning(
                codes::MINIMUM_AGE_NOT_MET,
                LogType::Error,
                "Minimum age not met",
                "The holder is younger than the minimum age this workflow requires.",
                Some(json!({ "age": a, "minimum_age": min })),
            )),
            Some(_) => {}
            None => w.push(warning(
                codes::MINIMUM_AGE_NOT_MET,
                LogType::Warning,
                "Age could not be determined",
                "The date of birth could not be read, so the minimum age could not be checked.",
                Some(json!({ "minimum_age": min })),
            )),
        }
    }

    if let Some(t) = document_type {
        if !policy.expected_document_types.is_empty()
            && !policy.expected_document_types.contains(&t)
        {
            w.push(warning(
                codes::DOCUMENT_NOT_SUPPORTED_FOR_APPLICATION,
                LogType::Error,
                "Document type not accepted",
                "This type of document is not accepted by the workflow.",
                Some(json!({
                    "document_type": t,
                    "expected_document_types": policy.expected_document_types,
                })),
            ));
        }
    }

    if let Some(expected) = &policy.expected_details {
        let mut mismatches = Vec::new();
        let mut compare_name = |field: &str, exp: &Option<String>, got: Option<String>| {
            if let (Some(e), Some(g)) = (exp, got) {
                if !names_match(e, &g) {
                    mismatches.push(json!({ "field": field, "expected": e, "document": g }));
                }
            }
        };
        compare_name(
            "first_name",
            &expected.first_name,
            zone.map(|z| z.given_names.clone()),
        );
        compare_name(
            "last_name",
            &expected.last_name,
            zone.map(|z| z.surname.clone()),
        );
        if let (Some(e), Some(g)) = (expected.date_of_birth, date_of_birth) {
            if e != g {
                mismatches.push(json!({ "field": "date_of_birth", "expected": e, "document": g }));
            }
        }
        if let (Some(e), Some(g)) = (expected.gender, gender) {
            if g != Gender::U && e != g {
                mismatches.push(json!({ "field": "gender", "expected": e, "document": g }));
            }
        }
        for (field, e, g) in [
            ("nationality", &expected.nationality, &nationality),
            ("id_country", &expected.id_country, &issuing_state),
        ] {
            if let (Some(e), Some(g)) = (e, g) {
                if !e.eq_ignore_ascii_case(g) {
                    mismatches.push(json!({ "field": field, "expected": e, "document": g }));
                }
            }
        }
        if let Some(e) = &expected.identification_number {
            let norm = |s: &str| -> String {
                s.chars()
                    .filter(char::is_ascii_alphanumeric)
                    .map(|c| c.to_ascii_uppercase())
                    .collect()
            };
            let candidates: Vec<String> = [&document_number, &personal_number]
                .into_iter()
                .flatten()
                .map(|s| norm(s))
                .collect();
            if !candidates.is_empty() && !candidates.contains(&norm(e)) {
                mismatches.push(json!({ "field": "identification_number", "expected": e }));
            }
        }
        if !mismatches.is_empty() {
            w.push(warning(
                codes::DATA_INCONSISTENT,
                LogType::Warning,
                "Data inconsistent with expected details",
                "The document data does not match the details provided when the session was created.",
                Some(json!({ "mismatches": mismatches })),
            ));
        }
    }

    let recognised = zone.is_some() || document_type.is_some();
    if recognised && reading.portrait_jpeg.is_none() {
        w.push(warning(
            codes::PORTRAIT_IMAGE_NOT_DETECTED,
            LogType::Warning,
            "Portrait not detected",
            "No portrait could be extracted from the document.",
            None,
        ));
    }

    // Quality: informative when the zone still validated, a reason for review otherwise.
    let zone_ok = zone.is_some_and(mrz::Mrz::is_valid);
    let quality_level = if zone_ok {
        LogType::Information
    } else {
        LogType::Warning
    };
    let q = &reading.quality;
    if q.blurry {
        w.push(warning(
            codes::DOCUMENT_IMAGE_BLURRY,
            quality_level,
            "Blurry image",
            "The document image is out of focus; text may be misread.",
            Some(json!({ "sharpness": q.sharpness })),
        ));
    }
    if q.glare {
        w.push(warning(
            codes::DOCUMENT_IMAGE_GLARE,
            LogType::Information,
            "Glare",
            "Part of the document is washed out by reflections.",
            Some(json!({ "saturated_fraction": q.saturated_fraction })),
        ));
    }
    if q.cut_off {
        w.push(warning(
            codes::DOCUMENT_CUT_OFF,
            quality_level,
            "Document cut off",
            "The document runs off the edge of the image.",
            None,
        ));
    }

    w.sort_by_key(|x| std::cmp::Reverse(x.log_type));
    let status = match w.first().map(|x| x.log_type) {
        Some(LogType::Error) => FeatureStatus::Declined,
        Some(LogType::Warning) => FeatureStatus::InReview,
        _ => FeatureStatus::Approved,
    };

    let mrz = reading.zone.as_ref().map(|z| MrzSection {
        lines: z.mrz.lines.clone(),
        raw_lines: z.raw_lines.clone(),
        format: z.mrz.format.as_str().to_owned(),
        valid: z.mrz.is_valid(),
        document_code: z.mrz.document_code.trim_end_matches('<').to_owned(),
        issuing_state: z.mrz.issuing_state.clone(),
        surname: z.mrz.surname.clone(),
        given_names: z.mrz.given_names.clone(),
        document_number: z.mrz.document_number.clone(),
        nationality: z.mrz.nationality.clone(),
        birth_date: z.mrz.birth_date,
        expiry_date: z.mrz.expiry_date,
        sex: z.mrz.sex.as_str().to_owned(),
        optional_data: z.mrz.optional_data.replace('<', " ").trim().to_owned(),
        errors: z
            .mrz
            .problems
            .iter()
            .map(|p| p.as_str().to_owned())
            .collect(),
        corrections: z.mrz.corrections.len(),
    });

    IdVerification {
        node_id: None,
        status,
        document_type,
        document_number,
        personal_number,
        first_name,
        last_name,
        full_name,
        date_of_birth,
        age,
        expiration_date,
        date_of_issue,
        issuing_state: issuing_state.clone(),
        issuing_state_name,
        country: issuing_state,
        nationality,
        gender,
        mrz,
        portrait_image: None,
        warnings: w,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_ignoring_accents_and_order() {
        assert!(names_match("María José", "MARIA JOSE"));
        assert!(names_match("Anna Maria Eriksson", "ERIKSSON ANNA MARIA"));
        assert!(names_match("Anna", "ANNA MARIA"));
        assert!(names_match("Erikson", "ERIKSSON"));
        assert!(!names_match("John", "ANNA MARIA"));
    }

    #[test]
    fn age_counts_whole_years() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(age_at(d(2000, 6, 15), d(2018, 6, 14)), Some(17));
        assert_eq!(age_at(d(2000, 6, 15), d(2018, 6, 15)), Some(18));
    }
}
