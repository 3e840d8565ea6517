//! The crate's one error type: requests that cannot be validated at all (a malformed country
//! code, a service nobody configured). An invalid *number* is not an error but a result — a
//! [`crate::Defect`] inside a `no_match` validation — because the decision must report it.

/// Why a validation request could not be run (the HTTP layer maps these to 400s).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    /// `issuing_state` is neither an ISO 3166-1 alpha-2 nor alpha-3 code.
    #[error("`{0}` is not an ISO 3166-1 alpha-2 or alpha-3 country code")]
    UnknownIssuingState(String),
    /// `services[]` names a service that is neither a local rule nor a configured registry.
    #[error("unknown database validation service `{0}`")]
    UnknownService(String),
    /// A date field is not `YYYY-MM-DD`.
    #[error("`{field}` is not a date in YYYY-MM-DD form")]
    BadDate {
        /// The request field.
        field: &'static str,
    },
    /// `gender` is not M, F or X.
    #[error("`gender` must be M, F or X")]
    BadGender,
    /// An action is not DECLINE, REVIEW or NO_ACTION.
    #[error("`{field}` must be DECLINE, REVIEW or NO_ACTION")]
    BadAction {
        /// The request field.
        field: &'static str,
    },
    /// `validation_type` is not one_by_one or two_by_two.
    #[error("`validation_type` must be one_by_one or two_by_two")]
    BadValidationType,
}
