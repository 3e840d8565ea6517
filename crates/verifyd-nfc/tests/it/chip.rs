//! Generated chips: an issuer (CSCA + Document Signer), the data groups of a specimen
//! document, and its SOD, each with the knobs the tests turn.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use const_oid::ObjectIdentifier as Oid;
use der::asn1::{Any, SetOfVec};
use der::Encode;
use verifyd_nfc::{ChipRead, DataGroup, TrustStore};
use x509_cert::Certificate;

use crate::pki::{self, concat, tlv, CertSpec, Hash, Key, Scheme, SignOptions};

/// The instant every test verifies at.
pub fn now() -> DateTime<Utc> {
    pki::utc(2026, 6, 1)
}

pub const CSCA_NAME: &str = "CN=CSCA Utopia,O=Ministry of Travel,C=UT";
pub const DS_NAME: &str = "CN=Document Signer 7,O=Ministry of Travel,C=UT";

/// A CSCA and a Document Signer it issued.
#[derive(Clone)]
pub struct Issuer {
    pub csca: Certificate,
    pub csca_key: Key,
    pub ds: Certificate,
    pub ds_key: Key,
}

/// How to build an [`Issuer`].
pub struct IssuerSpec {
    pub csca_name: &'static str,
    pub csca_key: Key,
    pub ds_key: Key,
    /// How the CSCA signs certificates.
    pub csca_scheme: Scheme,
    pub ds_not_before: DateTime<Utc>,
    pub ds_not_after: DateTime<Utc>,
    pub ds_serial: u32,
    pub explicit_ec: bool,
}

impl Default for IssuerSpec {
    fn default() -> Self {
        Self {
            csca_name: CSCA_NAME,
            csca_key: pki::rsa_key(0),
            ds_key: pki::rsa_key(1),
            csca_scheme: Scheme::Pkcs1(Hash::Sha256),
            ds_not_before: pki::utc(2024, 1, 1),
            ds_not_after: pki::utc(2034, 12, 31),
            ds_serial: 0x0DC5,
            explicit_ec: true,
        }
    }
}

impl Issuer {
    pub fn new(spec: IssuerSpec) -> Self {
        let csca_name = pki::name(spec.csca_name);
        let csca = pki::issue(
            &CertSpec {
                subject: spec.csca_name,
                serial: 1,
                not_before: pki::utc(2020, 1, 1),
                not_after: pki::utc(2036, 1, 1),
                ca: true,
                explicit_ec: spec.explicit_ec,
            },
            &spec.csca_key,
            &csca_name,
            &spec.csca_key,
            spec.csca_scheme,
        );
        let ds = pki::issue(
            &CertSpec {
                subject: DS_NAME,
                serial: spec.ds_serial,
                not_before: spec.ds_not_before,
                not_after: spec.ds_not_after,
                ca: false,
                explicit_ec: spec.explicit_ec,
            },
            &spec.ds_key,
            &csca_name,
            &spec.csca_key,
            spec.csca_scheme,
        );
        Self {
            csca,
            csca_key: spec.csca_key,
            ds,
            ds_key: spec.ds_key,
        }
    }

    /// RSA CSCA, RSA Document Signer, PKCS#1 v1.5 with SHA-256.
    pub fn utopia() -> Self {
        Self::new(IssuerSpec::default())
    }

    /// A trust store holding this issuer's CSCA.
    pub fn trust(&self) -> TrustStore {
        let mut store = TrustStore::new();
        store
            .add_certificate(&self.csca.to_der().unwrap(), "test")
            .unwrap();
        store
    }
}

/// The specimen's MRZ fields.
pub fn specimen_mrz() -> mrz::MrzFields {
    mrz::MrzFields {
        format: mrz::Format::Td3,
        document_code: "P".into(),
        issuing_state: "UTO".into(),
        surname: "ERIKSSON".into(),
        given_names: "ANNA MARIA".into(),
        document_number: "L898902C3".into(),
        nationality: "UTO".into(),
        birth_date: NaiveDate::from_ymd_opt(1974, 8, 12),
        sex: mrz::Sex::Female,
        expiry_date: NaiveDate::from_ymd_opt(2034, 4, 15),
        optional_data: "ZE184226B".into(),
        optional_data_2: String::new(),
    }
}

pub fn dg1(fields: &mrz::MrzFields) -> Vec<u8> {
    let lines = mrz::generate(fields).unwrap();
    tlv(0x61, &tlv(0x5F1F, lines.concat().as_bytes()))
}

/// A small JPEG face stand-in (a gradient), encoded by the `image` crate.
pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 3) as u8, 90])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&img)
        .unwrap();
    out
}

/// The committed 24×32 JPEG 2000 gradient (see fixtures/README.md).
pub const JP2: &[u8] = include_bytes!("fixtures/gradient-24x32.jp2");

/// An ISO/IEC 19794-5 facial record holding `image`.
pub fn facial_record(image: &[u8], width: u16, height: u16, image_type: u8) -> Vec<u8> {
    let feature_points: u16 = 1;
    let face_len = (20 + 8 * usize::from(feature_points) + 12 + image.len()) as u32;
    let mut face = Vec::new();
    face.extend_from_slice(&face_len.to_be_bytes());
    face.extend_from_slice(&feature_points.to_be_bytes());
    face.extend_from_slice(&[2, 0, 0]); // gender F, eye and hair colour unspecified
    face.extend_from_slice(&[0; 11]); // feature mask, expression, pose angles, uncertainty
    face.extend_from_slice(&[1, 0x0C, 0x00, 0x10, 0x00, 0x20, 0, 0]); // one feature point
    face.push(1); // full frontal
    face.push(image_type);
    face.extend_from_slice(&width.to_be_bytes());
    face.extend_from_slice(&height.to_be_bytes());
    face.extend_from_slice(&[1, 2, 0, 0, 0, 0]);
    face.extend_from_slice(image);
    let total = (14 + face.len()) as u32;
    concat(&[
        b"FAC\x00010\x00",
        &total.to_be_bytes(),
        &1u16.to_be_bytes(),
        &face,
    ])
}

/// DG2 with one face in the ISO/IEC 19794-5 format.
pub fn dg2_with(image: &[u8], width: u16, height: u16, image_type: u8) -> Vec<u8> {
    let header = concat(&[&tlv(0x80, &[1, 1]), &tlv(0x81, &[2]), &tlv(0x87, &[1, 1])]);
    let template = tlv(
        0x7F60,
        &concat(&[
            &tlv(0xA1, &header),
            &tlv(0x5F2E, &facial_record(image, width, height, image_type)),
        ]),
    );
    tlv(0x75, &tlv(0x7F61, &concat(&[&tlv(0x02, &[1]), &template])))
}

pub fn dg2() -> Vec<u8> {
    dg2_with(&jpeg(40, 50), 40, 50, 0)
}

pub fn dg11() -> Vec<u8> {
    let fields = concat(&[
        &tlv(
            0x5C,
            &[0x5F, 0x0E, 0x5F, 0x2B, 0x5F, 0x11, 0x5F, 0x42, 0x5F, 0x10],
        ),
        &tlv(0x5F0E, "ERIKSSON<<ANNA<MARIA".as_bytes()),
        &tlv(0x5F10, b"ZE184226B"),
        &tlv(0x5F2B, b"19740812"),
        &tlv(0x5F11, "ZENITH<UTOPIA".as_bytes()),
        &tlv(0x5F42, "12 RUE DES ÉCOLES<ZENITH<UTOPIA".as_bytes()),
        &tlv(
            0xA0,
            &concat(&[&tlv(0x02, &[1]), &tlv(0x5F0F, b"ANNA<<ERIKSDOTTIR")]),
        ),
    ]);
    tlv(0x6B, &fields)
}

pub fn dg12() -> Vec<u8> {
    let fields = concat(&[
        &tlv(0x5C, &[0x5F, 0x19, 0x5F, 0x26, 0x5F, 0x55]),
        &tlv(0x5F19, b"PASSPORT OFFICE ZENITH"),
        &tlv(0x5F26, &[0x20, 0x24, 0x04, 0x16]), // BCD, as older chips store it
        &tlv(0x5F55, b"20240416093000"),
    ]);
    tlv(0x6C, &fields)
}

/// DG14 with a Chip Authentication key (ECDH, P-256) and its ChipAuthenticationInfo.
pub fn dg14() -> Vec<u8> {
    let ca_key = pki::p256_key(77).spki(false);
    let pk_info = concat(&[
        &Oid::new_unwrap("0.4.0.127.0.7.2.2.1.2").to_der().unwrap(),
        &ca_key.to_der().unwrap(),
    ]);
    let ca_info = concat(&[
        &Oid::new_unwrap("0.4.0.127.0.7.2.2.3.2.2").to_der().unwrap(),
        &1u8.to_der().unwrap(),
    ]);
    let infos = SetOfVec::try_from(vec![
        Any::new(der::Tag::Sequence, pk_info).unwrap(),
        Any::new(der::Tag::Sequence, ca_info).unwrap(),
    ])
    .unwrap();
    tlv(0x6E, &infos.to_der().unwrap())
}

/// DG15 with an RSA Active Authentication key.
pub fn dg15() -> Vec<u8> {
    tlv(0x6F, &pki::rsa_key(2).spki(false).to_der().unwrap())
}

/// The data groups of a document, as files.
#[derive(Clone)]
pub struct Document {
    pub groups: BTreeMap<u8, Vec<u8>>,
}

impl Document {
    /// DG1, DG2, DG11, DG12, DG14 and DG15 of the specimen.
    pub fn specimen() -> Self {
        let groups = BTreeMap::from([
            (1, dg1(&specimen_mrz())),
            (2, dg2()),
            (11, dg11()),
            (12, dg12()),
            (14, dg14()),
            (15, dg15()),
        ]);
        Self { groups }
    }

    /// The document with only DG1 and DG2.
    pub fn minimal() -> Self {
        let mut doc = Self::specimen();
        doc.groups.retain(|n, _| *n <= 2);
        doc
    }

    /// The LDS security object over every group.
    pub fn lds(&self, hash: Hash) -> Vec<u8> {
        let groups: Vec<(u8, &[u8])> = self.groups.iter().map(|(n, b)| (*n, &b[..])).collect();
        pki::lds_security_object(hash, &groups)
    }

    /// EF.SOD (with its `77` wrapper) signed by `issuer`'s DS.
    pub fn sod(&self, issuer: &Issuer, hash: Hash, scheme: Scheme) -> Vec<u8> {
        self.sod_over(&self.lds(hash), issuer, hash, scheme, None)
    }

    /// EF.SOD over a given LDS object; `digest_of` replaces what messageDigest covers.
    pub fn sod_over(
        &self,
        lds: &[u8],
        issuer: &Issuer,
        hash: Hash,
        scheme: Scheme,
        digest_of: Option<Vec<u8>>,
    ) -> Vec<u8> {
        let content_info = pki::signed_data(
            Oid::new_unwrap("2.23.136.1.1.1"),
            lds,
            &issuer.ds,
            &issuer.ds_key,
            &[],
            &SignOptions {
                digest: hash,
                scheme,
                digest_of,
            },
        );
        tlv(0x77, &content_info)
    }

    /// The upload for `sod`.
    pub fn read(&self, sod: Vec<u8>) -> ChipRead {
        ChipRead {
            sod,
            data_groups: self
                .groups
                .iter()
                .map(|(n, b)| (DataGroup::new(*n).unwrap(), b.clone()))
                .collect(),
            reader: Default::default(),
        }
    }
}

/// The specimen signed by the Utopia issuer with SHA-256: the passing case.
pub fn genuine() -> (Issuer, Document, ChipRead) {
    let issuer = Issuer::utopia();
    let doc = Document::specimen();
    let sod = doc.sod(&issuer, Hash::Sha256, Scheme::Pkcs1(Hash::Sha256));
    let read = doc.read(sod);
    (issuer, doc, read)
}
