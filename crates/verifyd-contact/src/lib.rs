//! How a person is reached and where they connect from: phone numbers, email addresses, IP
//! addresses and devices, analysed from data that ships with verifyd or that an operator loads.
//!
//! This crate is an engine: it holds no sessions, sends no messages and knows no HTTP. The
//! service asks it for facts ([`phone::PhoneAnalysis`], [`email::EmailAnalysis`],
//! [`ip::IpAnalysis`], [`device::DeviceInfo`]) and for the contract's warnings under the
//! workflow's actions ([`warning::Action`] → `log_type`), then maps them one-to-one onto
//! `phone_verifications[]`, `email_verifications[]`, `ip_analyses[]` and the `/v3/phone|email|ip`
//! responses. One-time codes are the domain's (`verifyd_core::otp`), not this crate's.
//!
//! Phone, email and IP/device live in one crate because they share the country table, the
//! warning and action types, and the load-once-then-swap pattern for their lists; two crates
//! would have to duplicate those or grow a third, smaller one.
//!
//! Every data set is loaded once: building an analyzer parses its lists (tens of milliseconds)
//! and lookups are then binary searches or hash probes (micro-seconds; see BENCHMARKS.md and
//! [`bench`]). What cannot be known offline is said so, never faked: there is no carrier name
//! (no carrier data ships), no breach corpus (`BreachCheck::NotChecked`), and IP sources that
//! are not loaded are listed in every analysis.

pub mod bench;
pub mod country;
pub mod device;
pub mod dns;
pub mod email;
pub mod error;
pub mod ip;
pub mod lists;
pub mod phone;
pub mod ranges;
pub mod warning;

pub use country::{Coordinates, Country};
pub use device::{DeviceInfo, DeviceParser, DeviceSignals, Platform};
pub use dns::{DnsMailResolver, LookupFailed, MailDomainResolver, MailRoute};
pub use email::{
    BreachCheck, Deliverability, EmailAddress, EmailAnalysis, EmailAnalyzer, EmailPolicy,
};
pub use error::{DataError, EmailError, PhoneError};
pub use ip::{IpAnalysis, IpIntel, IpIntelBuilder, IpPolicy, SharedIpIntel, Source};
pub use phone::{LineType, PhoneAnalysis, PhoneAnalyzer, PhoneNumber, PhonePolicy};
pub use warning::{Action, FeatureStatus, LogType, Risk, Warning};
