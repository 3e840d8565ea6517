//! Integration tests (one binary): every country's published valid and invalid examples, the
//! cross-check against document data, the validator with registries, the contract JSON, and
//! property tests over generated numbers.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::NaiveDate;
use verifyd_idnumbers::{parse, Country, Defect, IdKind, IdNumber};

mod contract;
mod crosscheck;
mod differential;
mod examples;
mod properties;
mod validation;

/// The day every test runs "on", so birth-date rules are deterministic.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Parses a number that must be valid, of the given kind.
#[track_caller]
pub fn valid(country: Country, text: &str, kind: IdKind) -> IdNumber {
    match parse(country, text, today()) {
        Ok(n) => {
            assert_eq!(n.kind, kind, "{text} parsed as another kind");
            n
        }
        Err(r) => panic!("{text} should be a valid {kind}: {}", r.defect),
    }
}

/// Parses a number that must be rejected, returning why.
#[track_caller]
pub fn invalid(country: Country, text: &str) -> Defect {
    match parse(country, text, today()) {
        Ok(n) => panic!("{text} should be invalid, parsed as {:?}", n),
        Err(r) => r.defect,
    }
}
