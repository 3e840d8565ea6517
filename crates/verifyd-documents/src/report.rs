//! The wire shape of one ID-verification result: the contract's `id_verifications[]` element
//! (contract §2.2) and its warning objects (§2.3).
//!
//! These types are the boundary to the server: field names are the contract's, exactly.
//! `portrait_image` (and the other media URLs) are left empty here; the server stores the
//! portrait bytes this crate returns and fills in a URL.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A feature status as the contract spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FeatureStatus {
    /// No warning of level `error` or `warning`.
    Approved,
    /// At least one `error` warning.
    Declined,
    /// At least one `warning`, no `error`.
    #[serde(rename = "In Review")]
    InReview,
}

impl FeatureStatus {
    /// The contract string.
    pub fn as_str(self) -> &'static str {
        match self {
            FeatureStatus::Approved => "Approved",
            FeatureStatus::Declined => "Declined",
            FeatureStatus::InReview => "In Review",
        }
    }
}

/// Kind of identity document, serialised as the contract's codes (`P`, `ID`, `DL` …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DocumentType {
    /// Passport.
    #[serde(rename = "P")]
    Passport,
    /// Identity card.
    #[serde(rename = "ID")]
    IdentityCard,
    /// Driver's licence.
    #[serde(rename = "DL")]
    DriversLicense,
    /// Residence permit.
    #[serde(rename = "RP")]
    ResidencePermit,
    /// Visa.
    #[serde(rename = "VISA")]
    Visa,
    /// Anything else recognised as an identity document.
    #[serde(rename = "OTHER")]
    Other,
}

impl DocumentType {
    /// The code (`"P"`, `"ID"`, `"DL"`, `"RP"`, `"VISA"`, `"OTHER"`).
    pub fn code(self) -> &'static str {
        match self {
            DocumentType::Passport => "P",
            DocumentType::IdentityCard => "ID",
            DocumentType::DriversLicense => "DL",
            DocumentType::ResidencePermit => "RP",
            DocumentType::Visa => "VISA",
            DocumentType::Other => "OTHER",
        }
    }

    /// The display name used in session lists ("Passport", "Identity Card" …).
    pub fn display_name(self) -> &'static str {
        match self {
            DocumentType::Passport => "Passport",
            DocumentType::IdentityCard => "Identity Card",
            DocumentType::DriversLicense => "Driver's License",
            DocumentType::ResidencePermit => "Residence Permit",
            DocumentType::Visa => "Visa",
            DocumentType::Other => "Other",
        }
    }

    /// Parses a code case-insensitively (`"p"`, `"ID"`, `"visa"`).
    pub fn from_code(code: &str) -> Option<DocumentType> {
        Some(match code.trim().to_ascii_uppercase().as_str() {
            "P" | "PASSPORT" => DocumentType::Passport,
            "ID" => DocumentType::IdentityCard,
            "DL" => DocumentType::DriversLicense,
            "RP" => DocumentType::ResidencePermit,
            "VISA" | "V" => DocumentType::Visa,
            "OTHER" => DocumentType::Other,
            _ => return None,
        })
    }
}

/// Sex as the contract spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Gender {
    /// Male.
    M,
    /// Female.
    F,
    /// Unspecified.
    U,
}

/// Severity of a warning; `error` declines, `warning` sends to review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum LogType {
    /// For the record only.
    Information,
    /// Needs a human look (In Review).
    Warning,
    /// Declines the feature.
    Error,
}

/// One warning object (contract §2.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    /// The code, e.g. `DOCUMENT_EXPIRED`.
    pub risk: String,
    /// Always `ID_VERIFICATION` here.
    pub feature: String,
    /// Details (which field, what was found), or null.
    pub additional_data: Option<serde_json::Value>,
    /// Severity.
    pub log_type: LogType,
    /// One line for a reviewer.
    pub short_description: String,
    /// A sentence or two for a reviewer.
    pub long_description: String,
}

/// The zone as read, for `id_verifications[].mrz`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MrzSection {
    /// The zone's lines after OCR repair.
    pub lines: Vec<String>,
    /// The lines exactly as OCR produced them.
    pub raw_lines: Vec<String>,
    /// `"TD1"`, `"TD2"`, `"TD3"`, `"MRVA"` or `"MRVB"`.
    pub format: String,
    /// True when every check digit and code check passed.
    pub valid: bool,
    /// Document code without fillers.
    pub document_code: String,
    /// Issuing state as printed (`"D"` for Germany).
    pub issuing_state: String,
    /// Primary identifier(s).
    pub surname: String,
    /// Secondary identifier(s).
    pub given_names: String,
    /// Document number.
    pub document_number: String,
    /// Nationality as printed.
    pub nationality: String,
    /// Date of birth.
    pub birth_date: Option<NaiveDate>,
    /// Date of expiry.
    pub expiry_date: Option<NaiveDate>,
    /// `M`, `F` or `X`.
    pub sex: String,
    /// Optional data, fillers as spaces.
    pub optional_data: String,
    /// Failed checks (`"composite_check_digit"` …).
    pub errors: Vec<String>,
    /// Number of characters the tolerant parser corrected.
    pub corrections: usize,
}

/// One `id_verifications[]` element (contract §2.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdVerification {
    /// Workflow node id; set by the server.
    pub node_id: Option<String>,
    /// Outcome from the warnings.
    pub status: FeatureStatus,
    /// `P`, `ID`, `DL`, `RP`, `VISA`, `OTHER`.
    pub document_type: Option<DocumentType>,
    /// Document number.
    pub document_number: Option<String>,
    /// Personal number (TD3 optional data), if any.
    pub personal_number: Option<String>,
    /// Given names.
    pub first_name: Option<String>,
    /// Surname(s).
    pub last_name: Option<String>,
    /// Given names then surname.
    pub full_name: Option<String>,
    /// YYYY-MM-DD.
    pub date_of_birth: Option<NaiveDate>,
    /// Whole years at `today`.
    pub age: Option<u32>,
    /// YYYY-MM-DD.
    pub expiration_date: Option<NaiveDate>,
    /// YYYY-MM-DD (from the visual zone; the MRZ has none).
    pub date_of_issue: Option<NaiveDate>,
    /// ISO 3166 alpha-3 (ICAO codes such as `D` are mapped to `DEU`).
    pub issuing_state: Option<String>,
    /// Name of the issuing state.
    pub issuing_state_name: Option<String>,
    /// Same as `issuing_state` (the Python SDK reads this name).
    pub country: Option<String>,
    /// Nationality, alpha-3.
    pub nationality: Option<String>,
    /// `M`, `F` or `U`.
    pub gender: Option<Gender>,
    /// The zone, if one was read.
    pub mrz: Option<MrzSection>,
    /// URL of the portrait crop; filled in by the server.
    pub portrait_image: Option<String>,
    /// Warnings, most severe first.
    pub warnings: Vec<Warning>,
}
