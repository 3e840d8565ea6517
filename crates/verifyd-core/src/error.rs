//! The domain's error type. The HTTP layer maps it to the contract's bodies in one place.

use std::collections::BTreeMap;

/// Field-level validation messages in the order fields were checked, keyed by field name
/// (DRF's shape: `{"field": ["message", …]}`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub BTreeMap<String, Vec<String>>);

impl FieldErrors {
    /// No errors yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `message` against `field`.
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.entry(field.into()).or_default().push(message.into());
    }

    /// A single error on one field.
    pub fn single(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut errors = Self::new();
        errors.add(field, message);
        errors
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when empty, else the errors as a [`CoreError::Validation`].
    pub fn into_result(self) -> Result<(), CoreError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(CoreError::Validation(self))
        }
    }
}

/// What can go wrong in a domain operation, independent of transport.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// Input failed validation; the messages are per field.
    #[error("validation failed")]
    Validation(FieldErrors),
    /// A request that is well-formed but not allowed in the current state (400 `{"detail": …}`).
    #[error("{0}")]
    Rejected(String),
    /// Input the standalone APIs refuse with 400 `{"error": …}` (e.g. no face in the image).
    #[error("{0}")]
    BadInput(String),
    /// The resource does not exist for this tenant (404). The text is the contract's `detail`.
    #[error("{0}")]
    NotFound(String),
    /// The caller may not do this (403 with the given detail).
    #[error("{0}")]
    Forbidden(String),
    /// Bad or missing credentials on an endpoint that answers 401.
    #[error("{0}")]
    Unauthorized(String),
    /// Input failed validation with errors nested below fields (DRF's shape for lists of
    /// objects, e.g. `{"form_elements": [{}, {"label": ["This field is required."]}]}`).
    #[error("validation failed")]
    InvalidTree(serde_json::Value),
    /// The organization's credits do not cover the request.
    #[error("insufficient credits")]
    InsufficientCredits(CreditScope),
    /// Too many attempts; retry after the given number of seconds.
    #[error("{detail}")]
    TooManyAttempts {
        /// Human-readable reason.
        detail: String,
        /// Seconds until the caller may try again.
        retry_after_secs: u64,
    },
}

/// Where credits ran out: the contract answers differently for sessions and standalone calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreditScope {
    /// `POST /v3/session/` (400).
    Session,
    /// A standalone check (403 `{"error": …}`).
    Standalone,
}

impl From<FieldErrors> for CoreError {
    fn from(errors: FieldErrors) -> Self {
        Self::Validation(errors)
    }
}

impl CoreError {
    /// The contract's generic not-found error.
    pub fn not_found() -> Self {
        Self::NotFound("Not found.".to_owned())
    }

    /// A validation error on one field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(FieldErrors::single(field, message))
    }
}
