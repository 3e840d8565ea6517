//! The data groups (ICAO 9303-10 §4.7) verifyd reads: DG1 (MRZ), DG2 (face), DG7 (displayed
//! signature), DG11 (additional personal details), DG12 (additional document details), DG14
//! (security options for chip authentication and PACE) and DG15 (active authentication key).
//!
//! Parsers take the raw EF content as read from the chip. They never decide whether the data
//! is authentic: that is [`crate::passive`]'s job over the very same bytes.

use chrono::NaiveDate;
use const_oid::ObjectIdentifier;
use der::asn1::AnyRef;
use der::{Decode, Encode, Sequence, Tagged};
use serde::Serialize;
use spki::SubjectPublicKeyInfoOwned;

use crate::crypto::{describe_key, KeyDescription};
use crate::error::NfcError;
use crate::image::ChipImage;
use crate::tlv::Tlv;

/// DG1: the MRZ as the chip stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dg1 {
    /// The zone, parsed strictly by the `mrz` crate.
    pub mrz: mrz::Mrz,
}

/// Splits DG1's run of MRZ characters into lines: 90 (TD1), 72 (TD2/MRV-B) or 88 (TD3/MRV-A).
fn mrz_lines(text: &str) -> Option<Vec<&str>> {
    let width = match text.len() {
        90 => 30,
        72 => 36,
        88 => 44,
        _ => return None,
    };
    (0..text.len())
        .step_by(width)
        .map(|start| text.get(start..start + width))
        .collect()
}

impl Dg1 {
    /// Parses DG1 (`61` › `5F1F`). `today` resolves the MRZ's two-digit years.
    pub fn parse(bytes: &[u8], today: NaiveDate) -> Result<Self, NfcError> {
        let dg = Tlv::expect(bytes, 0x61)?;
        let data = dg.required(0x5F1F)?.value;
        let text = std::str::from_utf8(data).map_err(|_| NfcError::Malformed("MRZ not ASCII"))?;
        let lines = mrz_lines(text).ok_or(NfcError::Malformed("MRZ length is not 72, 88 or 90"))?;
        let mrz = mrz::parse(&lines, mrz::Mode::Strict, today)
            .map_err(|_| NfcError::Malformed("MRZ shape"))?;
        Ok(Self { mrz })
    }
}

/// DG2's first face: the encoded image and what the facial record header says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dg2 {
    /// The face image.
    pub image: ChipImage,
    /// Width the record declares, in pixels.
    pub width: u16,
    /// Height the record declares, in pixels.
    pub height: u16,
    /// How many faces the record holds (the first is used).
    pub faces: u16,
}

/// ISO/IEC 19794-5:2005 facial record: the header's fixed fields.
const FACIAL_HEADER: usize = 14;
const FACIAL_INFORMATION: usize = 20;
const FEATURE_POINT: usize = 8;
const IMAGE_INFORMATION: usize = 12;

fn be16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

impl Dg2 {
    /// Parses DG2: `75` › `7F61` biometric information group › `7F60` template › `5F2E`
    /// biometric data block in ISO/IEC 19794-5 format.
    pub fn parse(bytes: &[u8]) -> Result<Self, NfcError> {
        let dg = Tlv::expect(bytes, 0x75)?;
        let group = dg.required(0x7F61)?;
        let template = group.required(0x7F60)?;
        let block = match template.child(0x5F2E)? {
            Some(block) => block.value,
            None if template.child(0x7F2E)?.is_some() => {
                return Err(NfcError::Image(
                    "ISO/IEC 39794-5 biometric data blocks are not supported".into(),
                ))
            }
            None => {
                return Err(NfcError::MissingTag {
                    tag: 0x5F2E,
                    within: 0x7F60,
                })
            }
        };
        Self::parse_facial_record(block)
    }

    fn parse_facial_record(block: &[u8]) -> Result<Self, NfcError> {
        let short = NfcError::Malformed("ISO/IEC 19794-5 record too short");
        if !block.starts_with(b"FAC\0") {
            return Err(NfcError::Malformed("not an ISO/IEC 19794-5 facial record"));
        }
        let faces = be16(block, 12).ok_or(NfcError::Malformed("facial record header"))?;
        if faces == 0 {
            return Err(NfcError::Malformed("facial record without a face"));
        }
        let info = FACIAL_HEADER;
        let face_len = be32(block, info).ok_or(short.clone())? as usize;
        let points = usize::from(be16(block, info + 4).ok_or(short.clone())?);
        let image_info = info + FACIAL_INFORMATION + points * FEATURE_POINT;
        let width = be16(block, image_info + 2).ok_or(short.clone())?;
        let height = be16(block, image_info + 4).ok_or(short.clone())?;
        let data_start = image_info + IMAGE_INFORMATION;
        let face_end = info
            .checked_add(face_len)
            .filter(|end| *end <= block.len() && *end > data_start)
            .ok_or(NfcError::Malformed("facial record length"))?;
        let image = ChipImage::new(block[data_start..face_end].to_vec())?;
        Ok(Self {
            image,
            width,
            height,
            faces,
        })
    }
}

/// DG7: the holder's displayed signature (`67` › `5F43`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dg7 {
    /// The first signature image.
    pub image: ChipImage,
}

impl Dg7 {
    /// Parses DG7.
    pub fn parse(bytes: &[u8]) -> Result<Self, NfcError> {
        let dg = Tlv::expect(bytes, 0x67)?;
        let image = dg.required(0x5F43)?.value.to_vec();
        Ok(Self {
            image: ChipImage::new(image)?,
        })
    }
}

/// A text field: UTF-8 (LDS 1.7 and later) or, for older chips, Latin-1.
fn text(value: &[u8]) -> String {
    match std::str::from_utf8(value) {
        Ok(s) => s.trim().to_owned(),
        Err(_) => value
            .iter()
            .map(|b| char::from(*b))
            .collect::<String>()
            .trim()
            .to_owned(),
    }
}

/// `<`-separated components (addresses, places) joined for display.
fn components(value: &str) -> String {
    value
        .split('<')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A date `YYYYMMDD`, as ASCII digits or (older chips) packed BCD.
fn full_date(value: &[u8]) -> Option<NaiveDate> {
    let digits: String = match value.len() {
        8 => std::str::from_utf8(value).ok()?.to_owned(),
        4 => value.iter().map(|b| format!("{b:02X}")).collect(),
        _ => return None,
    };
    NaiveDate::parse_from_str(&digits, "%Y%m%d").ok()
}

/// DG11: additional personal details (ICAO 9303-10 §4.7.11). Every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Dg11 {
    /// Full name in national characters, `SURNAME<<GIVEN<NAMES` as stored.
    pub full_name: Option<String>,
    /// Other names.
    pub other_names: Vec<String>,
    /// Personal number.
    pub personal_number: Option<String>,
    /// Full date of birth (the MRZ has only two year digits).
    pub full_date_of_birth: Option<NaiveDate>,
    /// Place of birth, components joined with ", ".
    pub place_of_birth: Option<String>,
    /// Permanent address, components joined with ", ".
    pub permanent_address: Option<String>,
    /// Telephone.
    pub telephone: Option<String>,
    /// Profession.
    pub profession: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Personal summary.
    pub personal_summary: Option<String>,
    /// Other valid travel document numbers.
    pub other_travel_document_numbers: Option<String>,
    /// Custody information.
    pub custody_information: Option<String>,
}

impl Dg11 {
    /// Parses DG11 (`6B`).
    pub fn parse(bytes: &[u8]) -> Result<Self, NfcError> {
        let dg = Tlv::expect(bytes, 0x6B)?;
        let mut out = Dg11::default();
        for field in dg.children() {
            let field = field?;
            let value = || Some(text(field.value)).filter(|s| !s.is_empty());
            match field.tag {
                0x5F0E => out.full_name = value(),
                0x5F0F => out.other_names.extend(value()),
                0xA0 => {
                    for name in field.children() {
                        let name = name?;
                        if name.tag == 0x5F0F {
                            out.other_names.push(text(name.value));
                        }
                    }
                }
                0x5F10 => out.personal_number = value(),
                0x5F2B => out.full_date_of_birth = full_date(field.value),
                0x5F11 => out.place_of_birth = value().map(|v| components(&v)),
                0x5F42 => out.permanent_address = value().map(|v| components(&v)),
                0x5F12 => out.telephone = value(),
                0x5F13 => out.profession = value(),
                0x5F14 => out.title = value(),
                0x5F15 => out.personal_summary = value(),
                0x5F17 => out.other_travel_document_numbers = value(),
                0x5F18 => out.custody_information = value(),
                _ => {}
            }
        }
        Ok(out)
    }

    /// The full name as (surname, given names), split at `<<`.
    pub fn name_parts(&self) -> Option<(String, String)> {
        let full = self.full_name.as_deref()?;
        let (surname, given) = full.split_once("<<").unwrap_or((full, ""));
        let clean = |s: &str| {
            s.replace('<', " ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        Some((clean(surname), clean(given)))
    }
}

/// DG12: additional document details (ICAO 9303-10 §4.7.12). Every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Dg12 {
    /// Issuing authority.
    pub issuing_authority: Option<String>,
    /// Date of issue.
    pub date_of_issue: Option<NaiveDate>,
    /// Endorsements and observations.
    pub endorsements: Option<String>,
    /// Tax or exit requirements.
    pub tax_exit_requirements: Option<String>,
    /// Date and time of personalisation, `YYYYMMDDhhmmss` as stored.
    pub personalization_time: Option<String>,
    /// Serial number of the personalisation system.
    pub personalization_system_serial: Option<String>,
    /// Whether images of the document's front and rear are stored.
    pub has_document_images: bool,
}

impl Dg12 {
    /// Parses DG12 (`6C`).
    pub fn parse(bytes: &[u8]) -> Result<Self, NfcError> {
        let dg = Tlv::expect(bytes, 0x6C)?;
        let mut out = Dg12::default();
        for field in dg.children() {
            let field = field?;
            let value = || Some(text(field.value)).filter(|s| !s.is_empty());
            match field.tag {
                0x5F19 => out.issuing_authority = value(),
                0x5F26 => out.date_of_issue = full_date(field.value),
                0x5F1B => out.endorsements = value(),
                0x5F1C => out.tax_exit_requirements = value(),
                0x5F55 => {
                    out.personalization_time = match field.value.len() {
                        7 => Some(field.value.iter().map(|b| format!("{b:02X}")).collect()),
                        _ => value(),
                    }
                }
                0x5F56 => out.personalization_system_serial = value(),
                0x5F1D | 0x5F1E => out.has_document_images = true,
                _ => {}
            }
        }
        Ok(out)
    }
}

/// One `SecurityInfo` of DG14 (ICAO 9303-11 §9.2; BSI TR-03110).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SecurityInfo {
    /// The chip's static key for Chip Authentication.
    ChipAuthenticationPublicKey {
        /// Protocol OID (`id-PK-DH` / `id-PK-ECDH`).
        protocol: String,
        /// The key.
        key: KeyDescription,
        /// Key identifier, when the chip has several.
        key_id: Option<u64>,
    },
    /// Chip Authentication protocol parameters.
    ChipAuthentication {
        /// Protocol OID (`id-CA-…`).
        protocol: String,
        /// Protocol version.
        version: u64,
        /// Key identifier.
        key_id: Option<u64>,
    },
    /// PACE parameters.
    Pace {
        /// Protocol OID (`id-PACE-…`).
        protocol: String,
        /// Protocol version.
        version: u64,
        /// Standardised domain parameter id.
        parameter_id: Option<u64>,
    },
    /// Terminal Authentication (extended access control).
    TerminalAuthentication {
        /// Protocol version.
        version: u64,
    },
    /// Active Authentication with an ECDSA key: the signature algorithm it uses.
    ActiveAuthentication {
        /// Protocol version.
        version: u64,
        /// Signature algorithm OID.
        signature_algorithm: String,
    },
    /// Any other protocol.
    Other {
        /// Protocol OID.
        protocol: String,
    },
}

#[derive(Sequence)]
struct SecurityInfoAsn1<'a> {
    protocol: ObjectIdentifier,
    required_data: AnyRef<'a>,
    #[asn1(optional = "true")]
    optional_data: Option<AnyRef<'a>>,
}

const ID_PK: &str = "0.4.0.127.0.7.2.2.1.";
const ID_TA: &str = "0.4.0.127.0.7.2.2.2";
const ID_CA: &str = "0.4.0.127.0.7.2.2.3.";
const ID_PACE: &str = "0.4.0.127.0.7.2.2.4.";
const ID_AA: &str = "2.23.136.1.1.5";

fn small_integer(any: AnyRef<'_>) -> Option<u64> {
    any.decode_as::<u64>().ok()
}

impl SecurityInfo {
    fn from_asn1(info: &SecurityInfoAsn1<'_>) -> Self {
        let protocol = info.protocol.to_string();
        let version = small_integer(info.required_data).unwrap_or_default();
        let optional = info.optional_data.and_then(small_integer);
        if protocol.starts_with(ID_PK) {
            let key = info
                .required_data
                .to_der()
                .ok()
                .and_then(|der| SubjectPublicKeyInfoOwned::from_der(&der).ok())
                .map(|spki| describe_key(&spki))
                .unwrap_or(KeyDescription::Unsupported {
                    detail: "unreadable SubjectPublicKeyInfo".into(),
                });
            SecurityInfo::ChipAuthenticationPublicKey {
                protocol,
                key,
                key_id: optional,
            }
        } else if protocol.starts_with(ID_CA) {
            SecurityInfo::ChipAuthentication {
                protocol,
                version,
                key_id: optional,
            }
        } else if protocol.starts_with(ID_PACE) {
            SecurityInfo::Pace {
                protocol,
                version,
                parameter_id: optional,
            }
        } else if protocol == ID_TA {
            SecurityInfo::TerminalAuthentication { version }
        } else if protocol == ID_AA {
            let signature_algorithm = info
                .optional_data
                .and_then(|a| a.decode_as::<ObjectIdentifier>().ok())
                .map(|o| o.to_string())
                .unwrap_or_default();
            SecurityInfo::ActiveAuthentication {
                version,
                signature_algorithm,
            }
        } else {
            SecurityInfo::Other { protocol }
        }
    }
}

/// DG14: the chip's security options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dg14 {
    /// Every SecurityInfo.
    pub security_infos: Vec<SecurityInfo>,
}

impl Dg14 {
    /// Parses DG14 (`6E` › SET OF SecurityInfo).
    pub fn parse(bytes: &[u8]) -> Result<Self, NfcError> {
        let dg = Tlv::expect(bytes, 0x6E)?;
        let set = AnyRef::from_der(dg.value)?;
        if set.tag() != der::Tag::Set {
            return Err(NfcError::Structure("DG14 is not a SET OF SecurityInfo"));
        }
        let mut reader = der::SliceReader::new(set.value())?;
        let mut security_infos = Vec::new();
        while !der::Reader::is_finished(&reader) {
            let info: SecurityInfoAsn1<'_> = der::Reader::decode(&mut reader)?;
            security_infos.push(SecurityInfo::from_asn1(&info));
        }
        Ok(Self { security_infos })
    }

    /// True when the chip offers Chip Authentication.
    pub fn supports_chip_authentication(&self) -> bool {
        self.security_infos
            .iter()
            .any(|i| matches!(i, SecurityInfo::ChipAuthenticationPublicKey { .. }))
    }
}

/// DG15: the Active Authentication public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dg15 {
    /// The key.
    pub key: KeyDescription,
    /// Its SubjectPublicKeyInfo DER, for a later server-side Active Authentication.
    #[serde(skip)]
    pub subject_public_key_info: Vec<u8>,
}

impl Dg15 {
    /// Parses DG15 (`6F` › SubjectPublicKeyInfo).
    pub fn parse(bytes: &[u8]) -> Result<Self, NfcError> {
        let dg = Tlv::expect(bytes, 0x6F)?;
        let spki = SubjectPublicKeyInfoOwned::from_der(dg.value)?;
        Ok(Self {
            key: describe_key(&spki),
            subject_public_key_info: dg.value.to_vec(),
        })
    }
}
