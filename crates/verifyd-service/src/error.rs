//! The service layer's error: a domain error to show the caller, or an internal failure
//! whose cause goes to the log only.

use verifyd_core::CoreError;
use verifyd_store::StoreError;

/// A use case failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The caller's fault or a refused operation; safe to describe to the caller.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A component this request needs (an engine, its models) cannot run on this server; the
    /// cause goes to the log, the caller learns only that the check is unavailable (503).
    #[error("{what} unavailable: {cause}")]
    Unavailable {
        /// What is missing, e.g. `face engine`.
        what: &'static str,
        /// Why (for the log).
        cause: String,
    },
    /// Anything else internal (mail transport, hashing, signing…).
    #[error("{0}")]
    Internal(String),
}

impl From<verifyd_core::FieldErrors> for ServiceError {
    fn from(errors: verifyd_core::FieldErrors) -> Self {
        Self::Core(CoreError::Validation(errors))
    }
}

/// Result alias for use cases.
pub type ServiceResult<T> = Result<T, ServiceError>;

impl ServiceError {
    /// Wraps an internal failure with context.
    pub fn internal(context: &str, err: impl std::fmt::Display) -> Self {
        Self::Internal(format!("{context}: {err}"))
    }

    /// A component that cannot run (503).
    pub fn unavailable(what: &'static str, cause: impl std::fmt::Display) -> Self {
        Self::Unavailable {
            what,
            cause: cause.to_string(),
        }
    }
}
