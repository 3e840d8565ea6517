//! Integration tests of `verifyd-nfc` over a PKI generated in the tests (one binary, several
//! modules): a test CSCA, Document Signers, SODs signed over generated data groups, master
//! lists, folders and CRLs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod chip;
mod crosscheck;
mod datagroups;
mod element;
mod passive;
mod pki;
mod seeds;
mod trust;
