//! Every way a chip read can fail verification, as one typed list, and how each maps onto the
//! contract's warning objects.
//!
//! The contract has one warning code for a chip that does not verify, `NFC_CHIP_FAILED`, so
//! every passive-authentication failure uses it; *which* failure it was travels in
//! `additional_data.reason` (the [`Finding`] variant in SCREAMING_SNAKE_CASE) together with the
//! variant's fields, and in the descriptions. An expired document uses the contract's
//! `DOCUMENT_EXPIRED` and a chip/photo disagreement `DATA_INCONSISTENT`, as for the document
//! step.
//!
//! Severity follows what the finding proves. A forged or altered chip, an untrusted chain or
//! an expired certificate is an `error` (Declined). Where the check could not be completed —
//! no trust store configured, an algorithm we do not implement, a stale CRL, a data group we
//! cannot read — the finding is a `warning` (In Review): it never passes silently and never
//! claims a forgery it has not shown.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::sod::DataGroup;

/// Why a DS certificate could not be tied to a trusted CSCA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UntrustedCause {
    /// No stored CSCA has the DS certificate's issuer name or key identifier.
    UnknownIssuer,
    /// CSCAs with that name exist, but none of their keys signed the DS certificate.
    SignatureMismatch,
}

/// A clone-detection protocol the reading app runs against the chip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ChipProtocol {
    /// Active Authentication (9303-11 §6.1), key in DG15.
    ActiveAuthentication,
    /// Chip Authentication (9303-11 §6.2), key in DG14.
    ChipAuthentication,
}

/// One verification finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Finding {
    /// EF.SOD cannot be decoded as an ICAO Document Security Object.
    MalformedSod {
        /// What was wrong.
        detail: String,
    },
    /// An algorithm, key type or curve we do not implement; the signature was not checked.
    UnsupportedAlgorithm {
        /// Which one, and where.
        detail: String,
    },
    /// The SOD carries no certificate for its signer.
    DocumentSignerMissing,
    /// The signed attributes do not bind the SOD's content (digest or content type differs).
    SignedAttributesInvalid {
        /// Which attribute.
        detail: String,
    },
    /// The SOD's signature does not verify with its Document Signer certificate.
    SodSignatureInvalid,
    /// The DS certificate is not valid yet.
    DocumentSignerNotYetValid {
        /// Start of validity.
        not_before: DateTime<Utc>,
    },
    /// The DS certificate has expired.
    DocumentSignerExpired {
        /// End of validity.
        not_after: DateTime<Utc>,
    },
    /// No CSCA is configured, so the DS certificate's origin cannot be checked.
    TrustStoreEmpty,
    /// No configured CSCA issued the DS certificate.
    ChainNotTrusted {
        /// The DS certificate's issuer (RFC 4514).
        issuer: String,
        /// Why.
        cause: UntrustedCause,
    },
    /// The issuing CSCA certificate is not valid yet.
    CscaNotYetValid {
        /// The CSCA (RFC 4514).
        subject: String,
        /// Start of validity.
        not_before: DateTime<Utc>,
    },
    /// The issuing CSCA certificate has expired.
    CscaExpired {
        /// The CSCA (RFC 4514).
        subject: String,
        /// End of validity.
        not_after: DateTime<Utc>,
    },
    /// A CRL of the issuing CSCA lists the DS certificate.
    DocumentSignerRevoked {
        /// When it was revoked.
        revoked_at: DateTime<Utc>,
    },
    /// The CSCA's CRL is past its next-update time, so revocation is not known to date.
    RevocationListExpired {
        /// The CRL's issuer (RFC 4514).
        issuer: String,
        /// When a newer CRL was due.
        next_update: DateTime<Utc>,
    },
    /// A data group's hash differs from the one the SOD signs: its content was altered.
    DataGroupHashMismatch {
        /// The altered group.
        data_group: DataGroup,
    },
    /// A data group was supplied that the SOD does not list: nothing vouches for it.
    DataGroupNotInSod {
        /// The unlisted group.
        data_group: DataGroup,
    },
    /// A data group every eMRTD carries (DG1, DG2) was not supplied.
    DataGroupMissing {
        /// The absent group.
        data_group: DataGroup,
    },
    /// A data group whose content we cannot read (its hash may still match).
    DataGroupUnreadable {
        /// The group.
        data_group: DataGroup,
        /// Why.
        detail: String,
    },
    /// DG1's date of expiry has passed.
    DocumentExpired {
        /// The date of expiry.
        expiration_date: NaiveDate,
    },
    /// The reading app reports that the chip failed a clone-detection protocol.
    ChipAuthenticationFailed {
        /// Which protocol.
        protocol: ChipProtocol,
    },
}

/// How much a finding weighs, as the contract's `log_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Shown, changes nothing.
    Information,
    /// Sends the session to review.
    Warning,
    /// Declines.
    Error,
}

/// A warning object in the contract's shape (`feature` is always `NFC`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NfcWarning {
    /// The contract's warning code.
    pub risk: &'static str,
    /// Always `"NFC"`.
    pub feature: &'static str,
    /// The finding's reason and fields.
    pub additional_data: Option<Value>,
    /// `error`, `warning` or `information`.
    pub log_type: Severity,
    /// One line.
    pub short_description: String,
    /// A sentence for the reviewer.
    pub long_description: String,
}

/// The contract's code for a chip that fails verification.
pub const NFC_CHIP_FAILED: &str = "NFC_CHIP_FAILED";
/// The contract's code for an expired document.
pub const DOCUMENT_EXPIRED: &str = "DOCUMENT_EXPIRED";
/// The contract's code for data that disagrees between sources.
pub const DATA_INCONSISTENT: &str = "DATA_INCONSISTENT";

impl NfcWarning {
    /// A warning of the NFC feature.
    pub fn new(
        risk: &'static str,
        log_type: Severity,
        short_description: impl Into<String>,
        long_description: impl Into<String>,
        additional_data: Option<Value>,
    ) -> Self {
        Self {
            risk,
            feature: "NFC",
            additional_data,
            log_type,
            short_description: short_description.into(),
            long_description: long_description.into(),
        }
    }
}

impl Finding {
    /// How much this finding weighs.
    pub fn severity(&self) -> Severity {
        match self {
            Finding::TrustStoreEmpty
            | Finding::UnsupportedAlgorithm { .. }
            | Finding::RevocationListExpired { .. }
            | Finding::DataGroupUnreadable { .. } => Severity::Warning,
            Finding::DataGroupMissing { data_group } if *data_group != DataGroup::DG1 => {
                Severity::Warning
            }
            _ => Severity::Error,
        }
    }

    /// True for findings of passive authentication (the SOD, its certificates, the hashes).
    pub fn is_passive_authentication(&self) -> bool {
        !matches!(
            self,
            Finding::DocumentExpired { .. }
                | Finding::ChipAuthenticationFailed { .. }
                | Finding::DataGroupUnreadable { .. }
                | Finding::DataGroupMissing { .. }
        )
    }

    /// The contract's warning code.
    pub fn risk(&self) -> &'static str {
        match self {
            Finding::DocumentExpired { .. } => DOCUMENT_EXPIRED,
            _ => NFC_CHIP_FAILED,
        }
    }

    /// One line for the warning's `short_description`.
    pub fn short_description(&self) -> String {
        match self {
            Finding::MalformedSod { .. } => "Chip security object unreadable".into(),
            Finding::UnsupportedAlgorithm { .. } => "Chip signature algorithm not supported".into(),
            Finding::DocumentSignerMissing => "Document signer certificate missing".into(),
            Finding::SignedAttributesInvalid { .. } | Finding::SodSignatureInvalid => {
                "Chip signature invalid".into()
            }
            Finding::DocumentSignerNotYetValid { .. } => {
                "Document signer certificate not yet valid".into()
            }
            Finding::DocumentSignerExpired { .. } => "Document signer certificate expired".into(),
            Finding::TrustStoreEmpty => "No CSCA trust store configured".into(),
            Finding::ChainNotTrusted { .. } => "Document signer not trusted".into(),
            Finding::CscaNotYetValid { .. } => "CSCA certificate not yet valid".into(),
            Finding::CscaExpired { .. } => "CSCA certificate expired".into(),
            Finding::DocumentSignerRevoked { .. } => "Document signer certificate revoked".into(),
            Finding::RevocationListExpired { .. } => "CSCA revocation list out of date".into(),
            Finding::DataGroupHashMismatch { data_group } => {
                format!("{data_group} altered")
            }
            Finding::DataGroupNotInSod { data_group } => {
                format!("{data_group} not signed")
            }
            Finding::DataGroupMissing { data_group } => format!("{data_group} missing"),
            Finding::DataGroupUnreadable { data_group, .. } => {
                format!("{data_group} unreadable")
            }
            Finding::DocumentExpired { .. } => "Document expired".into(),
            Finding::ChipAuthenticationFailed { .. } => "Chip authentication failed".into(),
        }
    }

    /// A sentence for the warning's `long_description`.
    pub fn long_description(&self) -> String {
        match self {
            Finding::MalformedSod { detail } => {
                format!(
                    "The chip's Document Security Object (EF.SOD) could not be decoded: {detail}."
                )
            }
            Finding::UnsupportedAlgorithm { detail } => format!(
                "The chip data uses {detail}, which this server cannot verify; a reviewer must \
                 check the document."
            ),
            Finding::DocumentSignerMissing => "The Document Security Object does not contain \
                 the certificate of the Document Signer that signed it."
                .into(),
            Finding::SignedAttributesInvalid { detail } => format!(
                "The signed attributes of the Document Security Object do not match its \
                 content ({detail})."
            ),
            Finding::SodSignatureInvalid => "The signature of the Document Security Object \
                 does not verify with its Document Signer certificate."
                .into(),
            Finding::DocumentSignerNotYetValid { not_before } => format!(
                "The Document Signer certificate is valid only from {}.",
                not_before.to_rfc3339()
            ),
            Finding::DocumentSignerExpired { not_after } => format!(
                "The Document Signer certificate expired on {}.",
                not_after.to_rfc3339()
            ),
            Finding::TrustStoreEmpty => "No CSCA certificates or master list are configured, \
                 so the origin of the chip's signature cannot be checked."
                .into(),
            Finding::ChainNotTrusted { issuer, cause } => match cause {
                UntrustedCause::UnknownIssuer => format!(
                    "The Document Signer certificate was issued by {issuer}, which is not a \
                     configured CSCA."
                ),
                UntrustedCause::SignatureMismatch => format!(
                    "The Document Signer certificate names {issuer} as issuer, but no \
                     configured CSCA of that name signed it."
                ),
            },
            Finding::CscaNotYetValid {
                subject,
                not_before,
            } => format!(
                "The CSCA certificate {subject} is valid only from {}.",
                not_before.to_rfc3339()
            ),
            Finding::CscaExpired { subject, not_after } => format!(
                "The CSCA certificate {subject} expired on {}.",
                not_after.to_rfc3339()
            ),
            Finding::DocumentSignerRevoked { revoked_at } => format!(
                "The issuing CSCA revoked the Document Signer certificate on {}.",
                revoked_at.to_rfc3339()
            ),
            Finding::RevocationListExpired {
                issuer,
                next_update,
            } => format!(
                "The configured CRL of {issuer} was due for renewal on {}; revocations since \
                 then are unknown.",
                next_update.to_rfc3339()
            ),
            Finding::DataGroupHashMismatch { data_group } => format!(
                "The hash of {data_group} differs from the one the issuer signed: the chip data \
                 was altered."
            ),
            Finding::DataGroupNotInSod { data_group } => format!(
                "{data_group} was supplied but the Document Security Object does not list it, \
                 so nothing vouches for its content."
            ),
            Finding::DataGroupMissing { data_group } => {
                format!("{data_group}, present on every ICAO chip, was not supplied.")
            }
            Finding::DataGroupUnreadable { data_group, detail } => {
                format!("{data_group} could not be read: {detail}.")
            }
            Finding::DocumentExpired { expiration_date } => {
                format!("The chip's MRZ gives a date of expiry of {expiration_date}.")
            }
            Finding::ChipAuthenticationFailed { protocol } => match protocol {
                ChipProtocol::ActiveAuthentication => "The reading app reports that the chip \
                     failed Active Authentication: it may be a copy."
                    .into(),
                ChipProtocol::ChipAuthentication => "The reading app reports that the chip \
                     failed Chip Authentication: it may be a copy."
                    .into(),
            },
        }
    }

    /// The contract's warning object for this finding.
    pub fn warning(&self) -> NfcWarning {
        NfcWarning::new(
            self.risk(),
            self.severity(),
            self.short_description(),
            self.long_description(),
            serde_json::to_value(self).ok(),
        )
    }
}
