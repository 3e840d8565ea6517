//! The one error type of this crate: input that cannot be read at all.
//!
//! Verification *findings* (a bad signature, an untrusted chain, a hash mismatch) are not
//! errors: they are typed [`crate::Finding`]s in a result, because the caller wants every one of
//! them and the data that was read. `NfcError` is for bytes that are not what they claim to be
//! and for trust-store configuration that cannot be loaded.

use std::path::PathBuf;

/// Why chip data or trust material could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NfcError {
    /// A length runs past the end of the input.
    #[error("truncated input")]
    Truncated,
    /// The bytes do not follow the encoding they claim.
    #[error("malformed input: {0}")]
    Malformed(&'static str),
    /// A data group does not start with its ICAO tag.
    #[error("expected tag {expected:#X}, found {found:#X}")]
    UnexpectedTag {
        /// The tag ICAO 9303 assigns.
        expected: u32,
        /// The tag found.
        found: u32,
    },
    /// A mandatory element is absent.
    #[error("tag {tag:#X} missing inside {within:#X}")]
    MissingTag {
        /// The absent tag.
        tag: u32,
        /// The object it should be in.
        within: u32,
    },
    /// DER/ASN.1 decoding failed (CMS, X.509, DG14, DG15).
    #[error("ASN.1: {0}")]
    Asn1(String),
    /// The structure decodes but is not what ICAO 9303 prescribes.
    #[error("{0}")]
    Structure(&'static str),
    /// The image inside DG2/DG7 is not JPEG or JPEG 2000, or is not decodable.
    #[error("image: {0}")]
    Image(String),
    /// A trust-store file or folder could not be read.
    #[error("{path}: {message}")]
    TrustFile {
        /// The file or folder.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// Trust material that reads but cannot be accepted (bad master-list signature, a CRL no
    /// configured CSCA signed).
    #[error("trust store: {0}")]
    Trust(String),
}

impl From<der::Error> for NfcError {
    fn from(e: der::Error) -> Self {
        NfcError::Asn1(e.to_string())
    }
}
