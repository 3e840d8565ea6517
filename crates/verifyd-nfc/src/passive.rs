//! Passive authentication (ICAO 9303-11 §5.1): the SOD's signature, the Document Signer's
//! chain to a trusted CSCA at a given time, revocation, and every data group's hash.
//!
//! Each check runs even when an earlier one failed, so a report lists every problem at once
//! (an altered DG1 on a chip with an untrusted signer shows both).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use x509_cert::Certificate;

use crate::crypto::SignatureError;
use crate::findings::{Finding, UntrustedCause};
use crate::signed::SignedContentError;
use crate::sod::{DataGroup, LdsSecurityObject, Sod};
use crate::time::to_utc;
use crate::tlv::Tlv;
use crate::trust::{issued_by, TrustStore};

/// The contract's `certificate_summary`: who signed, who issued, when valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateSummary {
    /// Issuer distinguished name (RFC 4514).
    pub issuer: String,
    /// Subject distinguished name (RFC 4514).
    pub subject: String,
    /// Serial number, upper-case hex.
    pub serial_number: String,
    /// End of validity.
    pub not_valid_after: DateTime<Utc>,
    /// Start of validity.
    pub not_valid_before: DateTime<Utc>,
}

impl CertificateSummary {
    /// Summarises a certificate.
    pub fn of(cert: &Certificate) -> Self {
        let tbs = &cert.tbs_certificate;
        Self {
            issuer: tbs.issuer.to_string(),
            subject: tbs.subject.to_string(),
            serial_number: hex::encode_upper(tbs.serial_number.as_bytes()),
            not_valid_after: to_utc(tbs.validity.not_after),
            not_valid_before: to_utc(tbs.validity.not_before),
        }
    }
}

/// What the hash comparison found for one supplied data group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DataGroupIntegrity {
    /// The hash equals the signed one.
    Intact,
    /// The hash differs from the signed one.
    Altered,
    /// The SOD lists no hash for this group.
    NotInSod,
    /// The SOD's hash algorithm is not one we implement, so nothing was compared.
    Unchecked,
}

/// The outcome of passive authentication.
#[derive(Debug, Clone)]
pub struct PassiveAuthentication {
    /// The SOD's content, when it decoded.
    pub lds: Option<LdsSecurityObject>,
    /// The SOD's signature scheme (e.g. `"RSASSA-PSS/SHA-256"`), when recognised.
    pub signature_algorithm: Option<String>,
    /// The Document Signer certificate.
    pub document_signer: Option<CertificateSummary>,
    /// The CSCA (or link) certificate that issued it.
    pub csca: Option<CertificateSummary>,
    /// Where that CSCA was loaded from (a file or master list), for logs.
    pub csca_source: Option<String>,
    /// The SOD's signature verified with the DS certificate (signed attributes included).
    pub sod_signature_valid: bool,
    /// A configured CSCA verified the DS certificate's signature.
    pub chain_trusted: bool,
    /// Each supplied data group's hash check.
    pub data_groups: BTreeMap<DataGroup, DataGroupIntegrity>,
    /// Every failure, in the order checked.
    pub findings: Vec<Finding>,
}

impl PassiveAuthentication {
    fn failed(finding: Finding) -> Self {
        Self {
            lds: None,
            signature_algorithm: None,
            document_signer: None,
            csca: None,
            csca_source: None,
            sod_signature_valid: false,
            chain_trusted: false,
            data_groups: BTreeMap::new(),
            findings: vec![finding],
        }
    }

    /// The SOD is authentic: signature valid, chain trusted, certificates valid, not revoked.
    pub fn sod_authentic(&self) -> bool {
        self.sod_signature_valid
            && self.chain_trusted
            && !self.findings.iter().any(|f| {
                f.is_passive_authentication()
                    && !matches!(
                        f,
                        Finding::DataGroupHashMismatch { .. } | Finding::DataGroupNotInSod { .. }
                    )
            })
    }

    /// Every supplied data group is listed in the SOD with a matching hash.
    pub fn data_groups_intact(&self) -> bool {
        !self.data_groups.is_empty()
            && self
                .data_groups
                .values()
                .all(|i| *i == DataGroupIntegrity::Intact)
    }

    /// Passive authentication succeeded in full.
    pub fn passed(&self) -> bool {
        self.sod_authentic() && self.data_groups_intact()
    }
}

/// The bytes of a data-group file that are hashed and parsed: its one TLV object, without any
/// padding a reader appended. Unparseable files are hashed whole (and will not match).
pub(crate) fn file_extent(bytes: &[u8]) -> &[u8] {
    Tlv::parse(bytes).map(|(tlv, _)| tlv.raw).unwrap_or(bytes)
}

/// Runs passive authentication of `sod` over `data_groups` (raw EF contents) at time `at`.
pub fn authenticate(
    sod: &[u8],
    data_groups: &BTreeMap<DataGroup, Vec<u8>>,
    trust: &TrustStore,
    at: DateTime<Utc>,
) -> PassiveAuthentication {
    let sod = match Sod::parse(sod) {
        Ok(sod) => sod,
        Err(e) => {
            return PassiveAuthentication::failed(Finding::MalformedSod {
                detail: e.to_string(),
            })
        }
    };
    let mut report = PassiveAuthentication::failed(Finding::TrustStoreEmpty);
    report.findings.clear();
    report.signature_algorithm = sod.signed.scheme().ok().map(|s| s.name());

    match sod.document_signer() {
        None => report.findings.push(Finding::DocumentSignerMissing),
        Some(ds) => {
            report.document_signer = Some(CertificateSummary::of(ds));
            check_sod_signature(&sod, ds, &mut report);
            check_validity(ds, at, &mut report);
            check_chain(ds, trust, at, &mut report);
        }
    }
    check_data_groups(&sod.lds, data_groups, &mut report);
    report.lds = Some(sod.lds);
    report
}

fn check_sod_signature(sod: &Sod, ds: &Certificate, report: &mut PassiveAuthentication) {
    match sod.signed.verify(ds) {
        Ok(()) => report.sod_signature_valid = true,
        Err(SignedContentError::Unsupported(detail)) => {
            report.findings.push(Finding::UnsupportedAlgorithm {
                detail: format!("{detail} (SOD signature)"),
            })
        }
        Err(SignedContentError::MessageDigestMismatch) => {
            report.findings.push(Finding::SignedAttributesInvalid {
                detail: "messageDigest".into(),
            })
        }
        Err(SignedContentError::ContentTypeMismatch) => {
            report.findings.push(Finding::SignedAttributesInvalid {
                detail: "contentType".into(),
            })
        }
        Err(SignedContentError::SignatureInvalid) => {
            report.findings.push(Finding::SodSignatureInvalid)
        }
    }
}

fn check_validity(ds: &Certificate, at: DateTime<Utc>, report: &mut PassiveAuthentication) {
    let validity = &ds.tbs_certificate.validity;
    let (not_before, not_after) = (to_utc(validity.not_before), to_utc(validity.not_after));
    if at < not_before {
        report
            .findings
            .push(Finding::DocumentSignerNotYetValid { not_before });
    } else if at > not_after {
        report
            .findings
            .push(Finding::DocumentSignerExpired { not_after });
    }
}

fn check_chain(
    ds: &Certificate,
    trust: &TrustStore,
    at: DateTime<Utc>,
    report: &mut PassiveAuthentication,
) {
    if trust.is_empty() {
        report.findings.push(Finding::TrustStoreEmpty);
        return;
    }
    let mut unsupported = None;
    let mut candidates = 0;
    let mut issuer = None;
    for anchor in trust.candidates(ds) {
        candidates += 1;
        match issued_by(ds, &anchor.certificate) {
            Ok(()) => {
                issuer = Some(anchor);
                break;
            }
            Err(SignatureError::Unsupported(detail)) => unsupported = Some(detail),
            Err(SignatureError::Invalid) => {}
        }
    }
    let Some(anchor) = issuer else {
        let finding = match unsupported {
            Some(detail) => Finding::UnsupportedAlgorithm {
                detail: format!("{detail} (DS certificate signature)"),
            },
            None => Finding::ChainNotTrusted {
                issuer: ds.tbs_certificate.issuer.to_string(),
                cause: if candidates == 0 {
                    UntrustedCause::UnknownIssuer
                } else {
                    UntrustedCause::SignatureMismatch
                },
            },
        };
        report.findings.push(finding);
        return;
    };
    report.chain_trusted = true;
    report.csca_source = Some(anchor.source.clone());
    let csca = &anchor.certificate;
    let summary = CertificateSummary::of(csca);
    if at < summary.not_valid_before {
        report.findings.push(Finding::CscaNotYetValid {
            subject: summary.subject.clone(),
            not_before: summary.not_valid_before,
        });
    } else if at > summary.not_valid_after {
        report.findings.push(Finding::CscaExpired {
            subject: summary.subject.clone(),
            not_after: summary.not_valid_after,
        });
    }
    report.csca = Some(summary);

    let serial = ds.tbs_certificate.serial_number.as_bytes();
    for crl in trust.crls_of(&csca.tbs_certificate.subject) {
        if let Some((_, revoked_at)) = crl.revoked.iter().find(|(s, _)| s[..] == *serial) {
            report.findings.push(Finding::DocumentSignerRevoked {
                revoked_at: *revoked_at,
            });
        }
        if let Some(next_update) = crl.next_update.filter(|next| *next < at) {
            report.findings.push(Finding::RevocationListExpired {
                issuer: crl.issuer.to_string(),
                next_update,
            });
        }
    }
}

fn check_data_groups(
    lds: &LdsSecurityObject,
    data_groups: &BTreeMap<DataGroup, Vec<u8>>,
    report: &mut PassiveAuthentication,
) {
    let Some(algorithm) = lds.hash_algorithm() else {
        report.findings.push(Finding::UnsupportedAlgorithm {
            detail: format!(
                "hash algorithm {} (data group hashes)",
                lds.hash_algorithm_oid
            ),
        });
        for group in data_groups.keys() {
            report
                .data_groups
                .insert(*group, DataGroupIntegrity::Unchecked);
        }
        return;
    };
    for (group, bytes) in data_groups {
        let integrity = match lds.data_group_hashes.get(group) {
            None => {
                report
                    .findings
                    .push(Finding::DataGroupNotInSod { data_group: *group });
                DataGroupIntegrity::NotInSod
            }
            Some(signed) if *signed == algorithm.digest(file_extent(bytes)) => {
                DataGroupIntegrity::Intact
            }
            Some(_) => {
                report
                    .findings
                    .push(Finding::DataGroupHashMismatch { data_group: *group });
                DataGroupIntegrity::Altered
            }
        };
        report.data_groups.insert(*group, integrity);
    }
}
