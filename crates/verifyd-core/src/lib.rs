//! The domain of verifyd: what an organization, application, workflow and verification
//! session are, which statuses a session may move between, and the rules that decide them.
//!
//! This crate does no I/O. Storage, HTTP and the verification engines depend on it, never the
//! other way round, so the rules here can be tested without a database or a socket. Time and
//! randomness come in through [`clock::Clock`] so that expiry and lockout are testable.

pub mod account;
pub mod billing;
pub mod clock;
pub mod corrections;
pub mod error;
pub mod ids;
pub mod kyc;
pub mod lists;
pub mod otp;
pub mod questionnaire;
pub mod sandbox;
pub mod session;
pub mod status;
pub mod tenant;
pub mod users;
pub mod workflow;

pub use clock::{Clock, SystemClock};
pub use error::{CoreError, CreditScope, FieldErrors};
