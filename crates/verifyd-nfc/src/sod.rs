//! EF.SOD, the Document Security Object (ICAO 9303-10 §4.6.2, 9303-11 §5.1): a CMS SignedData
//! whose content is an `LDSSecurityObject` listing a hash of every data group on the chip,
//! signed by the issuing state's Document Signer.

use std::collections::BTreeMap;
use std::fmt;

use const_oid::ObjectIdentifier;
use der::asn1::{OctetString, PrintableString};
use der::{Decode, Sequence};
use serde::Serialize;
use spki::AlgorithmIdentifierOwned;

use crate::crypto::{oid, DigestAlgorithm};
use crate::error::NfcError;
use crate::signed::SignedContent;
use crate::tlv::Tlv;

/// A data group number, 1 to 16 (ICAO 9303-10 §4.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DataGroup(u8);

impl DataGroup {
    /// DG1, the MRZ.
    pub const DG1: DataGroup = DataGroup(1);
    /// DG2, the encoded face.
    pub const DG2: DataGroup = DataGroup(2);
    /// DG7, the displayed signature.
    pub const DG7: DataGroup = DataGroup(7);
    /// DG11, additional personal details.
    pub const DG11: DataGroup = DataGroup(11);
    /// DG12, additional document details.
    pub const DG12: DataGroup = DataGroup(12);
    /// DG14, security options (chip authentication, PACE).
    pub const DG14: DataGroup = DataGroup(14);
    /// DG15, the active authentication public key.
    pub const DG15: DataGroup = DataGroup(15);

    /// The data group with this number, if ICAO defines one.
    pub fn new(number: u8) -> Option<DataGroup> {
        (1..=16).contains(&number).then_some(DataGroup(number))
    }

    /// The data group named `"DG1"`, `"dg14"`, `"1"` …
    pub fn parse(name: &str) -> Option<DataGroup> {
        let digits = name
            .strip_prefix("DG")
            .or_else(|| name.strip_prefix("dg"))
            .unwrap_or(name);
        digits.parse().ok().and_then(DataGroup::new)
    }

    /// The number.
    pub fn number(self) -> u8 {
        self.0
    }
}

impl fmt::Display for DataGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DG{}", self.0)
    }
}

impl Serialize for DataGroup {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// `LDSSecurityObject` (9303-10 Appendix D): version 0, or 1 with `ldsVersionInfo`.
#[derive(Debug, Clone, Sequence)]
struct LdsSecurityObjectAsn1 {
    version: u8,
    hash_algorithm: AlgorithmIdentifierOwned,
    data_group_hash_values: Vec<DataGroupHashAsn1>,
    #[asn1(optional = "true")]
    lds_version_info: Option<LdsVersionInfoAsn1>,
}

#[derive(Debug, Clone, Sequence)]
struct DataGroupHashAsn1 {
    data_group_number: u8,
    data_group_hash_value: OctetString,
}

#[derive(Debug, Clone, Sequence)]
struct LdsVersionInfoAsn1 {
    lds_version: PrintableString,
    unicode_version: PrintableString,
}

/// The signed content of EF.SOD: which data groups exist and their hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LdsSecurityObject {
    /// The hash algorithm OID, kept even when we do not implement it.
    pub hash_algorithm_oid: ObjectIdentifier,
    /// The hash of each data group, as signed.
    pub data_group_hashes: BTreeMap<DataGroup, Vec<u8>>,
    /// LDS version (`"0108"` …) for version-1 objects.
    pub lds_version: Option<String>,
    /// Unicode version for version-1 objects.
    pub unicode_version: Option<String>,
}

impl LdsSecurityObject {
    /// The hash algorithm, if it is one ICAO allows.
    pub fn hash_algorithm(&self) -> Option<DigestAlgorithm> {
        DigestAlgorithm::from_oid(&self.hash_algorithm_oid)
    }

    fn parse(der: &[u8]) -> Result<Self, NfcError> {
        let raw = LdsSecurityObjectAsn1::from_der(der)?;
        if raw.version > 1 {
            return Err(NfcError::Structure("unknown LDSSecurityObject version"));
        }
        let mut data_group_hashes = BTreeMap::new();
        for entry in raw.data_group_hash_values {
            let group = DataGroup::new(entry.data_group_number)
                .ok_or(NfcError::Structure("data group number outside 1–16"))?;
            let hash = entry.data_group_hash_value.as_bytes().to_vec();
            if data_group_hashes.insert(group, hash).is_some() {
                return Err(NfcError::Structure("data group hashed twice"));
            }
        }
        let (lds_version, unicode_version) = match raw.lds_version_info {
            Some(info) => (
                Some(info.lds_version.to_string()),
                Some(info.unicode_version.to_string()),
            ),
            None => (None, None),
        };
        Ok(Self {
            hash_algorithm_oid: raw.hash_algorithm.oid,
            data_group_hashes,
            lds_version,
            unicode_version,
        })
    }
}

/// A parsed EF.SOD.
#[derive(Debug, Clone)]
pub struct Sod {
    pub(crate) signed: SignedContent,
    /// The data-group hashes it signs.
    pub lds: LdsSecurityObject,
}

/// ICAO 9303-10 §4.6.2: EF.SOD is the SignedData under application tag `77`.
const SOD_TAG: u32 = 0x77;

impl Sod {
    /// Reads EF.SOD as read from the chip (with its `77` wrapper) or the bare ContentInfo.
    pub fn parse(bytes: &[u8]) -> Result<Self, NfcError> {
        let content_info = match bytes.first() {
            Some(0x77) => Tlv::expect(bytes, SOD_TAG)?.value,
            _ => bytes,
        };
        let signed = SignedContent::parse(content_info)?;
        if signed.content_type != oid::ICAO_LDS_SECURITY_OBJECT {
            return Err(NfcError::Structure(
                "SignedData content is not an LDSSecurityObject",
            ));
        }
        let lds = LdsSecurityObject::parse(&signed.content)?;
        Ok(Self { signed, lds })
    }

    /// The Document Signer certificate the SOD carries, if any.
    pub fn document_signer(&self) -> Option<&x509_cert::Certificate> {
        self.signed.signer_certificate()
    }
}
