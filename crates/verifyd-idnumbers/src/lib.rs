//! National identification numbers: the rules, the cross-check and the registry port behind
//! database validation (`/v3/database-validation/`, `database_validations[]`) — a pure library.
//!
//! Three layers, each usable alone:
//!
//! * [`rules`] turn text into an [`IdNumber`] for 26 countries (31 schemes): format, check
//!   digits, and the birth date, sex, region and name letters the number encodes. Each
//!   [`IdKind`] carries a one-line note of the published rule it implements
//!   ([`KindInfo::source`]); the crate README tabulates them.
//! * [`cross_check`] compares a number with what the document read says and gives the contract's
//!   per-field `full_match` / `partial_match` / `no_match`.
//! * [`DatabaseValidator`] runs the local rules and then the [`RegistrySource`]s an operator
//!   configured, and returns a [`DatabaseValidation`] that serialises to the contract's
//!   `database_validation` object. It says honestly what confirmed what: local rules are
//!   `verifyd_rules_*` services that consult no database, and a decision resting on them alone
//!   carries a `DATABASE_VALIDATION_FORMAT_ONLY` warning.
//!
//! Nothing here does I/O: registries are a trait the service implements, and "today" is a
//! parameter so the rules are deterministic under test.

pub(crate) mod checksum;
pub mod country;
pub mod crosscheck;
pub mod error;
pub mod kind;
mod names;
pub mod number;
pub mod registry;
pub mod rules;
pub mod validation;

pub use country::{Country, IssuingState};
pub use crosscheck::{cross_check, Claims, Field, FieldMatch, FieldVerdicts, Gender};
pub use error::IdNumberError;
pub use kind::{markdown_table, IdKind, KindInfo, Role};
pub use number::{Defect, EncodedDate, Flag, IdNumber, NameCode, Region, Sex, Year};
pub use registry::{
    Lookup, QueryField, RegistryAnswer, RegistryError, RegistryQuery, RegistryRecord,
    RegistrySource,
};
pub use rules::{parse, parse_as, Rejection};
pub use validation::{
    match_type_of, Assurance, DatabaseValidation, DatabaseValidationIn, DatabaseValidator,
    MatchAction, MatchType, NumberInput, Policy, ServiceValidation, Status, ValidationRequest,
    ValidationType, WarningCode,
};
