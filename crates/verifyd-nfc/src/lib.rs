//! Verification of ePassport and eID chip data (ICAO Doc 9303 parts 10–12): the engine behind
//! the `nfc_verifications[]` element.
//!
//! A native app reads the chip (browsers cannot: Web NFC speaks NDEF only) and uploads its
//! files: EF.SOD and the data groups. This crate decides what those bytes prove. It is a pure
//! library with no I/O besides loading trust-store files, and time is always passed in.
//!
//! ## What passive authentication proves
//! Every chip carries EF.SOD, a CMS signature by the issuing state's *Document Signer* over a
//! list of hashes, one per data group. [`verify_chip`] checks that
//! 1. the SOD's signature verifies with the Document Signer certificate it carries;
//! 2. that certificate was issued by a CSCA in the operator's [`TrustStore`] (a master list or
//!    a folder of CSCA certificates), both certificates are valid at the given time, and no
//!    configured CRL revokes the Document Signer;
//! 3. each uploaded data group hashes to the value the SOD signs.
//!
//! When all three hold, the data — the MRZ in DG1, the face in DG2, the details in DG11/12 — is
//! exactly what the issuing state wrote, unaltered: no photo of a document can show that.
//!
//! ## What it does not prove
//! Passive authentication authenticates *data*, not the *chip*. The SOD and data groups are
//! readable by anyone holding the document (the MRZ is the access key), so they can be copied
//! byte for byte onto another chip, or replayed by an app that never touched a chip at all: a
//! perfect clone passes. Telling a genuine chip from a copy needs a private key that never
//! leaves the chip — Active Authentication (DG15 key) or Chip Authentication (DG14 key), run
//! by the reading app. The server cannot observe those protocols, so their outcomes are
//! [`ReaderReport`]s: reported as claimed, a reported failure declines, and a success is never
//! invented. Passive authentication also says nothing about who holds the document: that is
//! the face comparison of DG2's portrait ([`NfcVerification::portrait`]) with the selfie, and
//! the [`crosscheck`]s tie the chip to the document in the photo.
//!
//! ## Outcomes
//! Every failure is a distinct [`Finding`] (chain not trusted, DS expired, SOD signature
//! invalid, hash mismatch per data group, unsupported algorithm, malformed SOD, …). The
//! [`NfcVerification::element`] maps them one-to-one onto the contract's element and its
//! warnings; see [`findings`] for codes and severities.
//!
//! ```no_run
//! use verifyd_nfc::{verify_chip, ChipRead, DataGroup, TrustConfig, TrustStore};
//! # fn main() -> Result<(), verifyd_nfc::NfcError> {
//! let trust = TrustStore::load(&TrustConfig {
//!     master_lists: vec!["/etc/verifyd/icao.ml".into()],
//!     ..TrustConfig::default()
//! })?;
//! let mut chip = ChipRead::default();
//! chip.sod = std::fs::read("EF.SOD").unwrap_or_default();
//! chip.data_groups.insert(DataGroup::DG1, std::fs::read("DG1").unwrap_or_default());
//! let verification = verify_chip(&chip, &trust, chrono::Utc::now());
//! let element = verification.element(); // serialises as nfc_verifications[] (minus node_id)
//! # let _ = element;
//! # Ok(())
//! # }
//! ```

pub mod crosscheck;
mod crypto;
mod datagroups;
mod error;
pub mod findings;
mod image;
mod names;
pub mod passive;
mod signed;
mod sod;
mod time;
mod tlv;
mod trust;
mod verification;

pub use crypto::{DigestAlgorithm, EcCurve, KeyDescription};
pub use datagroups::{Dg1, Dg11, Dg12, Dg14, Dg15, Dg2, Dg7, SecurityInfo};
pub use error::NfcError;
pub use findings::{ChipProtocol, Finding, NfcWarning, Severity, UntrustedCause};
pub use image::{ChipImage, ImageFormat, MAX_IMAGE_PIXELS};
pub use passive::{authenticate, CertificateSummary, DataGroupIntegrity, PassiveAuthentication};
pub use sod::{DataGroup, LdsSecurityObject, Sod};
pub use trust::{TrustConfig, TrustStore};
pub use verification::{
    verify_chip, Authenticity, ChipIdentity, ChipRead, NfcElement, NfcStatus, NfcVerification,
    ReaderReport, ReportedOutcome,
};
