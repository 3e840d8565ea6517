//! The CSCA trust store: which Country Signing CAs the operator accepts, and their CRLs.
//!
//! ICAO's PKI has two levels. Each state's CSCA issues Document Signer certificates; a DS signs
//! the SOD of the documents it personalises. There are no intermediate CAs, only *link
//! certificates* (a new CSCA key certified by the old one during a key rollover). Every
//! certificate in the store is therefore an anchor: a DS is trusted when some stored
//! certificate with the DS's issuer name verifies its signature and is valid at the time of
//! checking, which covers self-signed CSCAs and link certificates alike.
//!
//! Sources:
//! * a CSCA **master list** (ICAO 9303-12 §9): CMS SignedData over `CscaMasterList`, signed by
//!   a Master List Signer whose certificate a CSCA *in the list* must have issued. That check
//!   proves the file is intact and self-consistent; it cannot prove that the list's publisher is
//!   who the operator thinks, so master lists must come from a PKD or state channel the
//!   operator trusts.
//! * a **folder** of CSCA certificates (DER or PEM, one or several per file), master lists
//!   (`.ml`) and CRLs (`.crl`).
//! * **CRLs**: accepted only when a stored CSCA signed them; a DS whose serial a CRL of its
//!   issuer lists is revoked.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use der::asn1::SetOfVec;
use der::{Decode, Encode, Sequence};
use x509_cert::crl::CertificateList;
use x509_cert::name::Name;
use x509_cert::Certificate;

use crate::crypto::{oid, verify_signature, SignatureScheme};
use crate::error::NfcError;
use crate::names::same_name;
use crate::signed::{authority_key_identifier, subject_key_identifier, SignedContent};
use crate::time::to_utc;

/// `CscaMasterList ::= SEQUENCE { version CscaMasterListVersion, certList SET OF Certificate }`.
#[derive(Debug, Clone, Sequence)]
struct CscaMasterList {
    version: u8,
    cert_list: SetOfVec<Certificate>,
}

/// A trusted certificate and where it came from (for reports and logs).
#[derive(Debug, Clone)]
pub(crate) struct Anchor {
    pub certificate: Certificate,
    pub source: String,
}

/// A CRL whose signature a stored CSCA verified.
#[derive(Debug, Clone)]
pub(crate) struct RevocationList {
    pub issuer: Name,
    pub next_update: Option<DateTime<Utc>>,
    /// Revoked serial numbers (big-endian bytes) and their revocation dates.
    pub revoked: Vec<(Vec<u8>, DateTime<Utc>)>,
}

/// The files that make up a trust store (the service's configuration maps onto this).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustConfig {
    /// CMS-signed CSCA master lists.
    pub master_lists: Vec<PathBuf>,
    /// Folders of CSCA certificates, master lists and CRLs.
    pub csca_folders: Vec<PathBuf>,
    /// CRL files (DER or PEM).
    pub crls: Vec<PathBuf>,
}

/// CSCA certificates and CRLs.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    pub(crate) anchors: Vec<Anchor>,
    pub(crate) crls: Vec<RevocationList>,
    /// DER of every anchor, so sources that overlap (a folder and a master list) store each
    /// certificate once.
    seen: HashSet<Vec<u8>>,
}

fn read(path: &Path) -> Result<Vec<u8>, NfcError> {
    std::fs::read(path).map_err(|e| NfcError::TrustFile {
        path: path.to_owned(),
        message: e.to_string(),
    })
}

fn in_file(path: &Path) -> impl Fn(NfcError) -> NfcError + '_ {
    move |e| NfcError::TrustFile {
        path: path.to_owned(),
        message: e.to_string(),
    }
}

/// The DER documents in `bytes`: every PEM block with `label`, or `bytes` itself if not PEM.
fn der_documents(bytes: &[u8], label: &str) -> Result<Vec<Vec<u8>>, NfcError> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Ok(vec![bytes.to_vec()]);
    };
    if !text.contains("-----BEGIN") {
        return Ok(vec![bytes.to_vec()]);
    }
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(&begin) {
        let Some(stop) = rest[start..].find(&end) else {
            return Err(NfcError::Malformed("PEM block without its END line"));
        };
        let block = &rest[start..start + stop + end.len()];
        let (found, der) =
            der::pem::decode_vec(block.as_bytes()).map_err(|_| NfcError::Malformed("PEM block"))?;
        if found == label {
            out.push(der);
        }
        rest = &rest[start + stop + end.len()..];
    }
    if out.is_empty() {
        return Err(NfcError::Malformed("no PEM block of the expected kind"));
    }
    Ok(out)
}

impl TrustStore {
    /// An empty store: chains cannot be checked and verification says so.
    pub fn new() -> Self {
        Self::default()
    }

    /// Loads every source of `config`: certificates and master lists first, then CRLs (which
    /// must be signed by a loaded CSCA).
    pub fn load(config: &TrustConfig) -> Result<Self, NfcError> {
        let mut store = Self::new();
        let mut crl_files = config.crls.clone();
        for path in &config.master_lists {
            store
                .add_master_list(&read(path)?, &path.display().to_string())
                .map_err(in_file(path))?;
        }
        for folder in &config.csca_folders {
            crl_files.extend(store.add_folder(folder)?);
        }
        for path in &crl_files {
            store.add_crl(&read(path)?).map_err(in_file(path))?;
        }
        Ok(store)
    }

    /// True when no CSCA is configured.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// How many CSCA (and link) certificates the store holds.
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    /// How many CRLs the store holds.
    pub fn crl_count(&self) -> usize {
        self.crls.len()
    }

    /// Adds one DER certificate.
    pub fn add_certificate(&mut self, der: &[u8], source: &str) -> Result<(), NfcError> {
        let certificate = Certificate::from_der(der)?;
        self.push(certificate, source);
        Ok(())
    }

    /// Adds the certificates of a DER file or a PEM file with one or more `CERTIFICATE`
    /// blocks; returns how many.
    pub fn add_certificates(&mut self, bytes: &[u8], source: &str) -> Result<usize, NfcError> {
        let documents = der_documents(bytes, "CERTIFICATE")?;
        for der in &documents {
            self.add_certificate(der, source)?;
        }
        Ok(documents.len())
    }

    fn push(&mut self, certificate: Certificate, source: &str) {
        // A decoded certificate always re-encodes; if one did not, keep it rather than drop it.
        let new = certificate
            .to_der()
            .map_or(true, |der| self.seen.insert(der));
        if new {
            self.anchors.push(Anchor {
                certificate,
                source: source.to_owned(),
            });
        }
    }

    /// Adds the CSCA certificates of a master list after verifying its signature and that its
    /// signer was issued by a CSCA in the list; returns how many certificates it held.
    pub fn add_master_list(&mut self, bytes: &[u8], source: &str) -> Result<usize, NfcError> {
        let signed = SignedContent::parse(bytes)?;
        if signed.content_type != oid::ICAO_CSCA_MASTER_LIST {
            return Err(NfcError::Structure(
                "SignedData content is not a CscaMasterList",
            ));
        }
        let list = CscaMasterList::from_der(&signed.content)?;
        if list.version != 0 {
            return Err(NfcError::Structure("unknown CscaMasterList version"));
        }
        let signer = signed
            .signer_certificate()
            .ok_or_else(|| NfcError::Trust("master list without its signer certificate".into()))?;
        signed
            .verify(signer)
            .map_err(|e| NfcError::Trust(format!("master list signature: {e:?}")))?;
        let certs: Vec<Certificate> = list.cert_list.into_vec();
        let issued_by_list = certs.iter().any(|csca| issued_by(signer, csca).is_ok());
        if !issued_by_list {
            return Err(NfcError::Trust(
                "master list signer was not issued by any CSCA in the list".into(),
            ));
        }
        let count = certs.len();
        for cert in certs {
            self.push(cert, source);
        }
        Ok(count)
    }

    /// Adds a folder's files: certificates (`.der`, `.cer`, `.crt`, `.pem`) and master lists
    /// (`.ml`) now; returns the CRL files (`.crl`) for [`TrustStore::add_crl`] once every
    /// folder is loaded. Other files are ignored; unreadable files are errors.
    pub fn add_folder(&mut self, folder: &Path) -> Result<Vec<PathBuf>, NfcError> {
        let entries = std::fs::read_dir(folder).map_err(|e| NfcError::TrustFile {
            path: folder.to_owned(),
            message: e.to_string(),
        })?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        paths.sort();
        let mut crls = Vec::new();
        for path in paths {
            let extension = path
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase);
            let source = path.display().to_string();
            match extension.as_deref() {
                Some("der" | "cer" | "crt" | "pem") => {
                    self.add_certificates(&read(&path)?, &source)
                        .map_err(in_file(&path))?;
                }
                Some("ml") => {
                    self.add_master_list(&read(&path)?, &source)
                        .map_err(in_file(&path))?;
                }
                Some("crl") => crls.push(path),
                _ => {}
            }
        }
        Ok(crls)
    }

    /// Adds a CRL (DER or PEM `X509 CRL`) after verifying that a stored CSCA signed it.
    pub fn add_crl(&mut self, bytes: &[u8]) -> Result<(), NfcError> {
        for der in der_documents(bytes, "X509 CRL")? {
            let crl = CertificateList::from_der(&der)?;
            let tbs = crl.tbs_cert_list.to_der()?;
            let scheme = SignatureScheme::from_algorithm(&crl.signature_algorithm, None)
                .map_err(NfcError::Trust)?;
            let issuer = &crl.tbs_cert_list.issuer;
            let signed_by_anchor = self.anchors.iter().any(|a| {
                same_name(&a.certificate.tbs_certificate.subject, issuer)
                    && verify_signature(
                        &a.certificate.tbs_certificate.subject_public_key_info,
                        scheme,
                        &tbs,
                        crl.signature.raw_bytes(),
                    )
                    .is_ok()
            });
            if !signed_by_anchor {
                return Err(NfcError::Trust(format!(
                    "CRL of {issuer} is not signed by a configured CSCA"
                )));
            }
            let revoked = crl
                .tbs_cert_list
                .revoked_certificates
                .iter()
                .flatten()
                .map(|r| {
                    (
                        r.serial_number.as_bytes().to_vec(),
                        to_utc(r.revocation_date),
                    )
                })
                .collect();
            self.crls.push(RevocationList {
                issuer: issuer.clone(),
                next_update: crl.tbs_cert_list.next_update.map(to_utc),
                revoked,
            });
        }
        Ok(())
    }

    /// Stored certificates that may have issued `cert`: same name, or matching key identifier.
    pub(crate) fn candidates<'a>(
        &'a self,
        cert: &'a Certificate,
    ) -> impl Iterator<Item = &'a Anchor> {
        let aki = authority_key_identifier(cert);
        self.anchors.iter().filter(move |a| {
            let by_name = same_name(
                &a.certificate.tbs_certificate.subject,
                &cert.tbs_certificate.issuer,
            );
            let by_key = match (&aki, subject_key_identifier(&a.certificate)) {
                (Some(aki), Some(ski)) => ski.0.as_bytes() == &aki[..],
                _ => false,
            };
            by_name || by_key
        })
    }

    /// The CRLs `issuer` published.
    pub(crate) fn crls_of<'a>(
        &'a self,
        issuer: &'a Name,
    ) -> impl Iterator<Item = &'a RevocationList> {
        self.crls
            .iter()
            .filter(move |c| same_name(&c.issuer, issuer))
    }
}

/// Verifies that `issuer`'s key signed `cert`.
pub(crate) fn issued_by(
    cert: &Certificate,
    issuer: &Certificate,
) -> Result<(), crate::crypto::SignatureError> {
    let scheme = SignatureScheme::from_algorithm(&cert.signature_algorithm, None)
        .map_err(crate::crypto::SignatureError::Unsupported)?;
    let tbs = cert
        .tbs_certificate
        .to_der()
        .map_err(|e| crate::crypto::SignatureError::Unsupported(e.to_string()))?;
    verify_signature(
        &issuer.tbs_certificate.subject_public_key_info,
        scheme,
        &tbs,
        cert.signature.raw_bytes(),
    )
}
