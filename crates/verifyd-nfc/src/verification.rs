//! One chip read, verified: passive authentication, the data groups read, the reading app's
//! clone-detection results, and the contract's `nfc_verifications[]` element built from them.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::datagroups::{Dg1, Dg11, Dg12, Dg14, Dg15, Dg2, Dg7};
use crate::findings::{ChipProtocol, Finding, NfcWarning, Severity};
use crate::passive::{authenticate, file_extent, CertificateSummary, PassiveAuthentication};
use crate::sod::DataGroup;
use crate::trust::TrustStore;

/// What the reading app says a clone-detection protocol gave. The server cannot observe
/// these protocols (they run between the app and the chip), so it reports them as claimed and
/// never fills them in itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReportedOutcome {
    /// The app did not run it (or said nothing).
    #[default]
    NotPerformed,
    /// The app reports success.
    Succeeded,
    /// The app reports failure.
    Failed,
}

/// The reading app's account of the protocols it ran against the chip.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReaderReport {
    /// Active Authentication (challenge signed with the DG15 key).
    #[serde(default)]
    pub active_authentication: ReportedOutcome,
    /// Chip Authentication (key agreement with the DG14 key).
    #[serde(default)]
    pub chip_authentication: ReportedOutcome,
}

/// The files read from a chip, as uploaded. Its `Debug` shows sizes only: the files hold the
/// holder's MRZ and face.
#[derive(Clone, Default)]
pub struct ChipRead {
    /// EF.SOD.
    pub sod: Vec<u8>,
    /// Data-group files, raw.
    pub data_groups: BTreeMap<DataGroup, Vec<u8>>,
    /// The reading app's clone-detection results.
    pub reader: ReaderReport,
}

impl std::fmt::Debug for ChipRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sizes: BTreeMap<String, usize> = self
            .data_groups
            .iter()
            .map(|(group, bytes)| (group.to_string(), bytes.len()))
            .collect();
        f.debug_struct("ChipRead")
            .field("sod_bytes", &self.sod.len())
            .field("data_groups", &sizes)
            .field("reader", &self.reader)
            .finish()
    }
}

/// The feature status of the element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum NfcStatus {
    /// Every check passed.
    Approved,
    /// A check failed.
    Declined,
    /// A check could not be completed.
    #[serde(rename = "In Review")]
    InReview,
}

/// Everything learnt from one chip read.
#[derive(Debug, Clone)]
pub struct NfcVerification {
    /// Passive authentication.
    pub passive: PassiveAuthentication,
    /// DG1, when supplied and readable.
    pub dg1: Option<Dg1>,
    /// DG2, when supplied and readable.
    pub dg2: Option<Dg2>,
    /// DG7, when supplied and readable.
    pub dg7: Option<Dg7>,
    /// DG11, when supplied and readable.
    pub dg11: Option<Dg11>,
    /// DG12, when supplied and readable.
    pub dg12: Option<Dg12>,
    /// DG14, when supplied and readable.
    pub dg14: Option<Dg14>,
    /// DG15, when supplied and readable.
    pub dg15: Option<Dg15>,
    /// The reading app's clone-detection results, as reported.
    pub reader: ReaderReport,
    /// Every finding: passive authentication's, then the data groups', the document's and the
    /// reader's.
    pub findings: Vec<Finding>,
}

/// Parses one data group if supplied, recording why not if it cannot be read.
fn read_group<T>(
    chip: &ChipRead,
    group: DataGroup,
    parse: impl FnOnce(&[u8]) -> Result<T, crate::NfcError>,
    findings: &mut Vec<Finding>,
) -> Option<T> {
    let bytes = chip.data_groups.get(&group)?;
    match parse(file_extent(bytes)) {
        Ok(value) => Some(value),
        Err(e) => {
            findings.push(Finding::DataGroupUnreadable {
                data_group: group,
                detail: e.to_string(),
            });
            None
        }
    }
}

/// Verifies a chip read at time `at` against `trust`.
pub fn verify_chip(chip: &ChipRead, trust: &TrustStore, at: DateTime<Utc>) -> NfcVerification {
    let passive = authenticate(&chip.sod, &chip.data_groups, trust, at);
    let mut findings = passive.findings.clone();
    let today = at.date_naive();

    for required in [DataGroup::DG1, DataGroup::DG2] {
        if !chip.data_groups.contains_key(&required) {
            findings.push(Finding::DataGroupMissing {
                data_group: required,
            });
        }
    }
    let dg1 = read_group(
        chip,
        DataGroup::DG1,
        |b| Dg1::parse(b, today),
        &mut findings,
    );
    let dg2 = read_group(chip, DataGroup::DG2, Dg2::parse, &mut findings);
    let dg7 = read_group(chip, DataGroup::DG7, Dg7::parse, &mut findings);
    let dg11 = read_group(chip, DataGroup::DG11, Dg11::parse, &mut findings);
    let dg12 = read_group(chip, DataGroup::DG12, Dg12::parse, &mut findings);
    let dg14 = read_group(chip, DataGroup::DG14, Dg14::parse, &mut findings);
    let dg15 = read_group(chip, DataGroup::DG15, Dg15::parse, &mut findings);

    if let Some(expiration_date) = dg1
        .as_ref()
        .and_then(|d| d.mrz.expiry_date)
        .filter(|d| *d < today)
    {
        findings.push(Finding::DocumentExpired { expiration_date });
    }
    for (outcome, protocol) in [
        (
            chip.reader.active_authentication,
            ChipProtocol::ActiveAuthentication,
        ),
        (
            chip.reader.chip_authentication,
            ChipProtocol::ChipAuthentication,
        ),
    ] {
        if outcome == ReportedOutcome::Failed {
            findings.push(Finding::ChipAuthenticationFailed { protocol });
        }
    }
    NfcVerification {
        passive,
        dg1,
        dg2,
        dg7,
        dg11,
        dg12,
        dg14,
        dg15,
        reader: chip.reader,
        findings,
    }
}

/// The contract's `chip_data`: the MRZ-derived identity of DG1 (names transliterated as in the
/// MRZ, so they compare with the document step's), completed from DG11.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ChipIdentity {
    /// `"Passport"`, `"Identity Card"`, … (the names list rows use).
    pub document_type: Option<&'static str>,
    /// Issuing state, ICAO code.
    pub issuing_country: Option<String>,
    /// Document number.
    pub document_number: Option<String>,
    /// Date of expiry.
    pub expiration_date: Option<NaiveDate>,
    /// Given names.
    pub first_name: Option<String>,
    /// Surname.
    pub last_name: Option<String>,
    /// Date of birth (DG11's full date when present).
    pub birth_date: Option<NaiveDate>,
    /// `M`, `F` or `U`.
    pub gender: Option<&'static str>,
    /// Nationality, ICAO code.
    pub nationality: Option<String>,
    /// Permanent address (DG11).
    pub address: Option<String>,
    /// Place of birth (DG11).
    pub place_of_birth: Option<String>,
}

/// The contract's `authenticity`, plus whether the chain reached a trusted CSCA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Authenticity {
    /// The SOD is signed by a trusted, valid, unrevoked Document Signer.
    pub sod_integrity: bool,
    /// Every supplied data group matches its signed hash.
    pub dg_integrity: bool,
    /// A configured CSCA issued the Document Signer certificate.
    pub chain_trusted: bool,
}

/// The `nfc_verifications[]` element without what only the service knows (`node_id`, and the
/// URLs of the stored `portrait_image` and `signature_image`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NfcElement {
    /// Feature status.
    pub status: NfcStatus,
    /// Chip data was supplied and verified, so never skipped here.
    pub is_nfc_skipped: bool,
    /// Always `null` for a verified read.
    pub skip_reason: Option<&'static str>,
    /// Passive authentication passed and the reader reported no failed clone detection.
    pub chip_authenticated: bool,
    /// Identity from the chip.
    pub chip_data: ChipIdentity,
    /// The integrity checks.
    pub authenticity: Authenticity,
    /// The Document Signer certificate.
    pub certificate_summary: Option<CertificateSummary>,
    /// Active Authentication as the reader reported it.
    pub active_authentication: ReportedOutcome,
    /// Chip Authentication as the reader reported it.
    pub chip_authentication: ReportedOutcome,
    /// The warnings.
    pub warnings: Vec<NfcWarning>,
}

fn document_type(code: &str) -> &'static str {
    match mrz::DocumentCategory::from_code(code) {
        mrz::DocumentCategory::Passport => "Passport",
        mrz::DocumentCategory::IdentityCard => "Identity Card",
        mrz::DocumentCategory::Visa => "Visa",
        _ if code.starts_with("AR") || code.starts_with("IR") || code.starts_with("CR") => {
            "Residence Permit"
        }
        _ => "Other",
    }
}

fn non_empty(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

impl NfcVerification {
    /// Declined on any error, In Review on any warning, else Approved.
    pub fn status(&self) -> NfcStatus {
        match self.findings.iter().map(Finding::severity).max() {
            Some(Severity::Error) => NfcStatus::Declined,
            Some(Severity::Warning) => NfcStatus::InReview,
            _ if self.passive.passed() => NfcStatus::Approved,
            // Defensive: a passive authentication that did not pass always leaves a finding.
            _ => NfcStatus::InReview,
        }
    }

    /// The chip's data is authentic and nothing suggests the chip is a copy.
    pub fn chip_authenticated(&self) -> bool {
        self.passive.passed()
            && self.reader.active_authentication != ReportedOutcome::Failed
            && self.reader.chip_authentication != ReportedOutcome::Failed
    }

    /// The face image from DG2.
    pub fn portrait(&self) -> Option<&crate::ChipImage> {
        self.dg2.as_ref().map(|d| &d.image)
    }

    /// The displayed signature from DG7.
    pub fn signature(&self) -> Option<&crate::ChipImage> {
        self.dg7.as_ref().map(|d| &d.image)
    }

    /// The warnings, in the contract's shape.
    pub fn warnings(&self) -> Vec<NfcWarning> {
        self.findings.iter().map(Finding::warning).collect()
    }

    /// The identity the chip states.
    pub fn chip_identity(&self) -> ChipIdentity {
        let mut id = ChipIdentity::default();
        if let Some(mrz) = self.dg1.as_ref().map(|d| &d.mrz) {
            id.document_type = Some(document_type(&mrz.document_code));
            id.issuing_country = non_empty(&mrz.issuing_state);
            id.document_number = non_empty(&mrz.document_number);
            id.expiration_date = mrz.expiry_date;
            id.first_name = non_empty(&mrz.given_names);
            id.last_name = non_empty(&mrz.surname);
            id.birth_date = mrz.birth_date;
            id.gender = Some(match mrz.sex {
                mrz::Sex::Male => "M",
                mrz::Sex::Female => "F",
                mrz::Sex::Unspecified => "U",
            });
            id.nationality = non_empty(&mrz.nationality);
        }
        if let Some(dg11) = &self.dg11 {
            id.birth_date = dg11.full_date_of_birth.or(id.birth_date);
            id.address = dg11.permanent_address.clone();
            id.place_of_birth = dg11.place_of_birth.clone();
        }
        id
    }

    /// The contract element.
    pub fn element(&self) -> NfcElement {
        NfcElement {
            status: self.status(),
            is_nfc_skipped: false,
            skip_reason: None,
            chip_authenticated: self.chip_authenticated(),
            chip_data: self.chip_identity(),
            authenticity: Authenticity {
                sod_integrity: self.passive.sod_authentic(),
                dg_integrity: self.passive.data_groups_intact(),
                chain_trusted: self.passive.chain_trusted,
            },
            certificate_summary: self.passive.document_signer.clone(),
            active_authentication: self.reader.active_authentication,
            chip_authentication: self.reader.chip_authentication,
            warnings: self.warnings(),
        }
    }
}
