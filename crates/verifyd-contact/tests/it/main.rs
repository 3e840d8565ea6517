//! Integration tests (one binary): the built-in data sets through the public API, a real DNS
//! server on loopback for deliverability, MaxMind's test databases for city/ASN/anonymous-IP
//! lookups, and — when `shared/testdata` is present — the vendored lists checked against their
//! originals (under `CI` its absence fails instead of skipping).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::sync::OnceLock;

use verifyd_contact::{DeviceParser, EmailAnalyzer, IpIntel, PhoneAnalyzer};

mod device;
mod dns;
mod email;
mod ip;
mod phone;
mod vendored;

/// A committed fixture.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures")).join(name)
}

/// `shared/testdata/<sub>`: from `VERIFYD_SHARED_DIR`, else `../shared` beside the repository
/// (CI's layout). `None` with a note when absent — except under `CI`, where that is a failure.
pub fn shared(sub: &str) -> Option<PathBuf> {
    let root = std::env::var_os("VERIFYD_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")));
    let dir = root.join("testdata").join(sub);
    if dir.is_dir() {
        return Some(dir);
    }
    let in_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
    assert!(!in_ci, "CI is set but {} is missing", dir.display());
    eprintln!("note: {} not present, skipping", dir.display());
    None
}

pub fn phones() -> &'static PhoneAnalyzer {
    static P: OnceLock<PhoneAnalyzer> = OnceLock::new();
    P.get_or_init(|| PhoneAnalyzer::builtin().unwrap())
}

pub fn emails() -> &'static EmailAnalyzer {
    static E: OnceLock<EmailAnalyzer> = OnceLock::new();
    E.get_or_init(|| EmailAnalyzer::builtin().unwrap())
}

pub fn ips() -> &'static IpIntel {
    static I: OnceLock<IpIntel> = OnceLock::new();
    I.get_or_init(|| IpIntel::builtin().unwrap())
}

pub fn devices() -> &'static DeviceParser {
    static D: OnceLock<DeviceParser> = OnceLock::new();
    D.get_or_init(|| DeviceParser::builtin().unwrap())
}
