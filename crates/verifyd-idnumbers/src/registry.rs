//! The port to government and commercial registries an operator configures.
//!
//! Local rules can only say a number is well formed and agrees with the document; a registry can
//! say the number exists and belongs to this person. [`RegistrySource`] is the seam: the service
//! layer implements it over HTTP (or anything else) and hands it to [`crate::DatabaseValidator`],
//! which records which checks a registry confirmed and which were format-only. The trait returns
//! a boxed `Send` future so it works with any executor and stays object-safe; a synchronous
//! source returns `Box::pin(std::future::ready(…))`.
//!
//! [`RegistryQuery`] and [`RegistryAnswer`] are serde types on purpose: a generic HTTP registry
//! can post the query as JSON and read the answer back without a mapping layer.

use std::future::Future;
use std::pin::Pin;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::crosscheck::{Field, FieldMatch, Gender};
use crate::kind::IdKind;
use crate::number::Sex;

/// The future a lookup returns.
pub type Lookup<'a> =
    Pin<Box<dyn Future<Output = Result<RegistryAnswer, RegistryError>> + Send + 'a>>;

/// A registry the operator configured (a civil register, tax authority or data vendor).
pub trait RegistrySource: Send + Sync {
    /// Stable id used in `service_id` and `services_used` (`"esp_dni_registry"`).
    fn service_id(&self) -> &str;

    /// Human name for `service_name`.
    fn service_name(&self) -> &str;

    /// Whether it answers for numbers of this issuing state (alpha-3) and, when the crate has a
    /// rule for the number, of this kind.
    fn covers(&self, issuing_state: &str, kind: Option<IdKind>) -> bool;

    /// Looks the number up.
    fn lookup<'a>(&'a self, query: &'a RegistryQuery) -> Lookup<'a>;
}

/// What is sent to a registry: the number and the claims it can confirm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryQuery {
    /// Alpha-3 issuing state.
    pub issuing_state: String,
    /// The scheme, when a local rule recognised it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<IdKind>,
    /// The request field the number came in.
    pub field: QueryField,
    /// The number, compacted when a rule recognised it, as given otherwise.
    pub number: String,
    /// Given names as stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Surnames as stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Whole name as stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    /// Date of birth as stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<NaiveDate>,
    /// Gender as stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    /// Whether the holder consented to the lookup (some registries require it).
    pub consent: bool,
}

/// The request field of a queried number (serialised as its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueryField {
    /// `identification_number`.
    IdentificationNumber,
    /// `personal_number`.
    PersonalNumber,
    /// `tax_number`.
    TaxNumber,
    /// `document_number`.
    DocumentNumber,
    /// `national_id`.
    NationalId,
}

impl QueryField {
    /// The matching validation key.
    pub fn field(self) -> Field {
        match self {
            QueryField::IdentificationNumber => Field::IdentificationNumber,
            QueryField::PersonalNumber => Field::PersonalNumber,
            QueryField::TaxNumber => Field::TaxNumber,
            QueryField::DocumentNumber => Field::DocumentNumber,
            QueryField::NationalId => Field::NationalId,
        }
    }
}

/// A registry's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum RegistryAnswer {
    /// The number is registered; the record is compared with the claims.
    Found {
        /// What the registry holds (names, birth date, sex) and/or its own verdicts.
        record: RegistryRecord,
    },
    /// The registry has no such number.
    NotFound,
    /// The holder is recorded as deceased.
    Deceased,
    /// The document was replaced by a newer one.
    Superseded,
    /// The registry does not answer for minors.
    MinorBlocked,
    /// The registry answered but could not decide.
    Inconclusive,
}

/// What a registry holds for a number.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RegistryRecord {
    /// Given names on record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Surnames on record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Whole name on record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    /// Date of birth on record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<NaiveDate>,
    /// Sex on record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<RecordSex>,
    /// The registry's own per-field verdicts (registries that only confirm, like Turkey's KPS);
    /// they take precedence over comparing the record.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub verdicts: std::collections::BTreeMap<VerdictField, FieldMatch>,
    /// Anything else the registry returned, passed through as `source_data`.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// Sex as a registry records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecordSex {
    /// Male.
    #[serde(rename = "M")]
    Male,
    /// Female.
    #[serde(rename = "F")]
    Female,
}

impl From<RecordSex> for Sex {
    fn from(s: RecordSex) -> Sex {
        match s {
            RecordSex::Male => Sex::Male,
            RecordSex::Female => Sex::Female,
        }
    }
}

/// Fields a registry may give a verdict on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictField {
    /// The number itself.
    IdentificationNumber,
    /// Given names.
    FirstName,
    /// Surnames.
    LastName,
    /// Whole name.
    FullName,
    /// Date of birth.
    DateOfBirth,
    /// Gender.
    Gender,
}

impl VerdictField {
    /// The validation key, with the number mapped to the field it came in.
    pub fn field(self, number_field: Field) -> Field {
        match self {
            VerdictField::IdentificationNumber => number_field,
            VerdictField::FirstName => Field::FirstName,
            VerdictField::LastName => Field::LastName,
            VerdictField::FullName => Field::FullName,
            VerdictField::DateOfBirth => Field::DateOfBirth,
            VerdictField::Gender => Field::Gender,
        }
    }
}

/// A lookup that did not produce an answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "error", content = "message", rename_all = "snake_case")]
pub enum RegistryError {
    /// Unreachable, timed out, rate-limited: worth retrying later.
    #[error("registry unavailable: {0}")]
    Unavailable(String),
    /// The registry refused the input (missing consent, a field it requires).
    #[error("registry rejected the input: {0}")]
    InvalidInput(String),
    /// Anything else (bad credentials, an unreadable answer).
    #[error("registry error: {0}")]
    Failed(String),
}

impl RegistryError {
    /// The contract's `errors[].code` / `outcome_code`.
    pub fn code(&self) -> &'static str {
        match self {
            RegistryError::Unavailable(_) => "REGISTRY_UNAVAILABLE",
            RegistryError::InvalidInput(_) => "INVALID_INPUT",
            RegistryError::Failed(_) => "REGISTRY_ERROR",
        }
    }

    /// Whether the same lookup may succeed later.
    pub fn retryable(&self) -> bool {
        matches!(self, RegistryError::Unavailable(_))
    }
}
