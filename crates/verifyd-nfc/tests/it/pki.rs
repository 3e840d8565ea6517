//! A generated ICAO PKI for the tests: keys, CSCA and Document Signer certificates, CRLs,
//! master lists and SODs, all built here with RustCrypto's types so every byte is known.
//! Nothing is committed: each run generates the same material from fixed seeds.

use std::str::FromStr;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, TimeZone, Utc};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use const_oid::ObjectIdentifier as Oid;
use der::asn1::{Any, BitString, OctetString, PrintableString, SetOfVec, UintRef};
use der::{Decode, Encode, Sequence};
use elliptic_curve::sec1::ToEncodedPoint;
use rand::rngs::StdRng;
use rand::SeedableRng;
use sha2::Digest;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::attr::Attribute;
use x509_cert::certificate::{TbsCertificate, Version};
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::ext::pkix::BasicConstraints;
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::Certificate;

pub const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
pub const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
pub const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
pub const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");

/// A hash, as the tests pick them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    pub fn oid(self) -> Oid {
        match self {
            Hash::Sha1 => SHA1,
            Hash::Sha256 => SHA256,
            Hash::Sha384 => SHA384,
            Hash::Sha512 => SHA512,
        }
    }

    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha1 => sha1::Sha1::digest(data).to_vec(),
            Hash::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Hash::Sha384 => sha2::Sha384::digest(data).to_vec(),
            Hash::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }

    fn len(self) -> usize {
        self.digest(b"").len()
    }
}

/// How a test key signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// RSA PKCS#1 v1.5 under `sha*WithRSAEncryption`.
    Pkcs1(Hash),
    /// RSA PKCS#1 v1.5 under `rsaEncryption`, the digest named only by the SignerInfo.
    Pkcs1Bare(Hash),
    /// RSASSA-PSS, salt as long as the hash.
    Pss(Hash),
    /// ECDSA, DER signature.
    Ecdsa(Hash),
    /// ECDSA, BSI plain (r ‖ s) signature.
    EcdsaPlain(Hash),
}

/// A test signing key.
#[derive(Clone)]
pub enum Key {
    Rsa(rsa::RsaPrivateKey),
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    P521(p521::ecdsa::SigningKey),
}

fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// RSA keys are slow to generate, so a few are made once and shared.
pub fn rsa_key(index: usize) -> Key {
    static KEYS: OnceLock<Vec<rsa::RsaPrivateKey>> = OnceLock::new();
    let keys = KEYS.get_or_init(|| {
        (0..3)
            .map(|i| rsa::RsaPrivateKey::new(&mut rng(1000 + i), 2048).unwrap())
            .collect()
    });
    Key::Rsa(keys[index].clone())
}

pub fn p256_key(seed: u64) -> Key {
    Key::P256(p256::ecdsa::SigningKey::random(&mut rng(seed)))
}

pub fn p384_key(seed: u64) -> Key {
    Key::P384(p384::ecdsa::SigningKey::random(&mut rng(seed)))
}

pub fn p521_key(seed: u64) -> Key {
    Key::P521(p521::ecdsa::SigningKey::random(&mut rng(seed)))
}

const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
const PRIME_FIELD: Oid = Oid::new_unwrap("1.2.840.10045.1.1");

/// SEC 1 explicit domain parameters, as ICAO 9303-12 wants them in certificates.
#[derive(Sequence)]
struct EcParameters<'a> {
    version: u8,
    field_id: FieldId<'a>,
    curve: CurveAb,
    base: OctetString,
    order: UintRef<'a>,
    cofactor: u8,
}

#[derive(Sequence)]
struct FieldId<'a> {
    field_type: Oid,
    prime: UintRef<'a>,
}

#[derive(Sequence)]
struct CurveAb {
    a: OctetString,
    b: OctetString,
}

macro_rules! explicit_parameters {
    ($curve:ty, $affine:ty) => {{
        use elliptic_curve::bigint::ArrayEncoding;
        use elliptic_curve::ff::PrimeField;
        use elliptic_curve::Curve;
        use primeorder::PrimeCurveParams;
        let modulus = <<$curve as PrimeCurveParams>::FieldElement as PrimeField>::MODULUS;
        let p = hex::decode(modulus.trim_start_matches("0x")).unwrap();
        let order = <$curve as Curve>::ORDER.to_be_byte_array().to_vec();
        EcParameters {
            version: 1,
            field_id: FieldId {
                field_type: PRIME_FIELD,
                prime: UintRef::new(&p).unwrap(),
            },
            curve: CurveAb {
                a: OctetString::new(<$curve as PrimeCurveParams>::EQUATION_A.to_repr().to_vec())
                    .unwrap(),
                b: OctetString::new(<$curve as PrimeCurveParams>::EQUATION_B.to_repr().to_vec())
                    .unwrap(),
            },
            base: OctetString::new(
                <$affine>::GENERATOR
                    .to_encoded_point(false)
                    .as_bytes()
                    .to_vec(),
            )
            .unwrap(),
            order: UintRef::new(&order).unwrap(),
            cofactor: 1,
        }
        .to_der()
        .unwrap()
    }};
}

impl Key {
    /// The public key; EC keys with explicit parameters when `explicit`, else the curve OID.
    pub fn spki(&self, explicit: bool) -> SubjectPublicKeyInfoOwned {
        let ec = |curve: &str, params_der: Vec<u8>, point: Vec<u8>| SubjectPublicKeyInfoOwned {
            algorithm: AlgorithmIdentifierOwned {
                oid: EC_PUBLIC_KEY,
                parameters: Some(if explicit {
                    Any::from_der(&params_der).unwrap()
                } else {
                    Any::encode_from(&Oid::new_unwrap(curve)).unwrap()
                }),
            },
            subject_public_key: BitString::from_bytes(&point).unwrap(),
        };
        match self {
            Key::Rsa(key) => {
                use rsa::pkcs8::EncodePublicKey;
                let der = key.to_public_key().to_public_key_der().unwrap();
                SubjectPublicKeyInfoOwned::from_der(der.as_bytes()).unwrap()
            }
            Key::P256(k) => ec(
                "1.2.840.10045.3.1.7",
                explicit_parameters!(p256::NistP256, p256::AffinePoint),
                p256::ecdsa::VerifyingKey::from(k)
                    .to_encoded_point(false)
                    .as_bytes()
                    .to_vec(),
            ),
            Key::P384(k) => ec(
                "1.3.132.0.34",
                explicit_parameters!(p384::NistP384, p384::AffinePoint),
                p384::ecdsa::VerifyingKey::from(k)
                    .to_encoded_point(false)
                    .as_bytes()
                    .to_vec(),
            ),
            Key::P521(k) => ec(
                "1.3.132.0.35",
                explicit_parameters!(p521::NistP521, p521::AffinePoint),
                p521::ecdsa::VerifyingKey::from(k)
                    .to_encoded_point(false)
                    .as_bytes()
                    .to_vec(),
            ),
        }
    }

    /// The AlgorithmIdentifier of `scheme` and the signature over `message`.
    pub fn sign(&self, scheme: Scheme, message: &[u8]) -> (AlgorithmIdentifierOwned, Vec<u8>) {
        let alg = |oid: &str, parameters: Option<Any>| AlgorithmIdentifierOwned {
            oid: Oid::new_unwrap(oid),
            parameters,
        };
        let null = || Some(Any::null());
        match (self, scheme) {
            (Key::Rsa(key), Scheme::Pkcs1(h) | Scheme::Pkcs1Bare(h)) => {
                let padding = match h {
                    Hash::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
                    Hash::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                    Hash::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                    Hash::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
                };
                let sig = key.sign(padding, &h.digest(message)).unwrap();
                let oid = match (scheme, h) {
                    (Scheme::Pkcs1Bare(_), _) => "1.2.840.113549.1.1.1",
                    (_, Hash::Sha1) => "1.2.840.113549.1.1.5",
                    (_, Hash::Sha256) => "1.2.840.113549.1.1.11",
                    (_, Hash::Sha384) => "1.2.840.113549.1.1.12",
                    (_, Hash::Sha512) => "1.2.840.113549.1.1.13",
                };
                (alg(oid, null()), sig)
            }
            (Key::Rsa(key), Scheme::Pss(h)) => {
                let salt = h.len();
                let padding = match h {
                    Hash::Sha1 => rsa::Pss::new_with_salt::<sha1::Sha1>(salt),
                    Hash::Sha256 => rsa::Pss::new_with_salt::<sha2::Sha256>(salt),
                    Hash::Sha384 => rsa::Pss::new_with_salt::<sha2::Sha384>(salt),
                    Hash::Sha512 => rsa::Pss::new_with_salt::<sha2::Sha512>(salt),
                };
                let sig = key
                    .sign_with_rng(&mut rng(7), padding, &h.digest(message))
                    .unwrap();
                let params = match h {
                    Hash::Sha1 => rsa::pkcs1::RsaPssParams::new::<sha1::Sha1>(salt as u8),
                    Hash::Sha256 => rsa::pkcs1::RsaPssParams::new::<sha2::Sha256>(salt as u8),
                    Hash::Sha384 => rsa::pkcs1::RsaPssParams::new::<sha2::Sha384>(salt as u8),
                    Hash::Sha512 => rsa::pkcs1::RsaPssParams::new::<sha2::Sha512>(salt as u8),
                };
                let params = Any::from_der(&params.to_der().unwrap()).unwrap();
                (alg("1.2.840.113549.1.1.10", Some(params)), sig)
            }
            (_, Scheme::Ecdsa(h) | Scheme::EcdsaPlain(h)) => {
                use ecdsa::signature::hazmat::RandomizedPrehashSigner;
                let hashed = h.digest(message);
                let plain = matches!(scheme, Scheme::EcdsaPlain(_));
                macro_rules! sign {
                    ($k:expr, $sig:ty) => {{
                        let sig: $sig = $k.sign_prehash_with_rng(&mut rng(11), &hashed).unwrap();
                        if plain {
                            sig.to_bytes().to_vec()
                        } else {
                            sig.to_der().as_bytes().to_vec()
                        }
                    }};
                }
                let sig = match self {
                    Key::P256(k) => sign!(k, p256::ecdsa::Signature),
                    Key::P384(k) => sign!(k, p384::ecdsa::Signature),
                    Key::P521(k) => sign!(k, p521::ecdsa::Signature),
                    Key::Rsa(_) => panic!("ECDSA with an RSA key"),
                };
                let oid = match (plain, h) {
                    (false, Hash::Sha1) => "1.2.840.10045.4.1",
                    (false, Hash::Sha256) => "1.2.840.10045.4.3.2",
                    (false, Hash::Sha384) => "1.2.840.10045.4.3.3",
                    (false, Hash::Sha512) => "1.2.840.10045.4.3.4",
                    (true, Hash::Sha1) => "0.4.0.127.0.7.1.1.4.1.1",
                    (true, Hash::Sha256) => "0.4.0.127.0.7.1.1.4.1.3",
                    (true, Hash::Sha384) => "0.4.0.127.0.7.1.1.4.1.4",
                    (true, Hash::Sha512) => "0.4.0.127.0.7.1.1.4.1.5",
                };
                (alg(oid, None), sig)
            }
            (_, scheme) => panic!("{scheme:?} needs an RSA key"),
        }
    }

    /// The natural scheme for this key with `hash`.
    pub fn default_scheme(&self, hash: Hash) -> Scheme {
        match self {
            Key::Rsa(_) => Scheme::Pkcs1(hash),
            _ => Scheme::Ecdsa(hash),
        }
    }
}

pub fn name(s: &str) -> Name {
    Name::from_str(s).unwrap()
}

pub fn utc(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
}

pub fn time(t: DateTime<Utc>) -> Time {
    let system = SystemTime::UNIX_EPOCH + Duration::from_secs(t.timestamp() as u64);
    Time::try_from(system).unwrap()
}

/// One certificate to issue.
pub struct CertSpec<'a> {
    pub subject: &'a str,
    pub serial: u32,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub ca: bool,
    pub explicit_ec: bool,
}

/// Issues a certificate for `subject_key` signed by `issuer_key` (self-signed when they are
/// the same and `issuer` is the subject).
pub fn issue(
    spec: &CertSpec<'_>,
    subject_key: &Key,
    issuer: &Name,
    issuer_key: &Key,
    scheme: Scheme,
) -> Certificate {
    let extensions = spec.ca.then(|| {
        vec![Extension {
            extn_id: Oid::new_unwrap("2.5.29.19"),
            critical: true,
            extn_value: OctetString::new(
                BasicConstraints {
                    ca: true,
                    path_len_constraint: Some(0),
                }
                .to_der()
                .unwrap(),
            )
            .unwrap(),
        }]
    });
    let mut tbs = TbsCertificate {
        version: Version::V3,
        serial_number: SerialNumber::from(spec.serial),
        signature: AlgorithmIdentifierOwned {
            oid: Oid::new_unwrap("1.2.840.113549.1.1.11"),
            parameters: None,
        },
        issuer: issuer.clone(),
        validity: Validity {
            not_before: time(spec.not_before),
            not_after: time(spec.not_after),
        },
        subject: name(spec.subject),
        subject_public_key_info: subject_key.spki(spec.explicit_ec),
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions,
    };
    // The algorithm inside the TBS must equal the outer one, so sign once to learn it.
    let (algorithm, _) = issuer_key.sign(scheme, b"probe");
    tbs.signature = algorithm.clone();
    let (_, signature) = issuer_key.sign(scheme, &tbs.to_der().unwrap());
    Certificate {
        tbs_certificate: tbs,
        signature_algorithm: algorithm,
        signature: BitString::from_bytes(&signature).unwrap(),
    }
}

/// A CRL of `issuer` revoking `serials`.
pub fn crl(
    issuer: &Certificate,
    issuer_key: &Key,
    serials: &[u32],
    this_update: DateTime<Utc>,
    next_update: DateTime<Utc>,
) -> Vec<u8> {
    let scheme = issuer_key.default_scheme(Hash::Sha256);
    let (algorithm, _) = issuer_key.sign(scheme, b"probe");
    let tbs = TbsCertList {
        version: Version::V2,
        signature: algorithm.clone(),
        issuer: issuer.tbs_certificate.subject.clone(),
        this_update: time(this_update),
        next_update: Some(time(next_update)),
        revoked_certificates: (!serials.is_empty()).then(|| {
            serials
                .iter()
                .map(|s| RevokedCert {
                    serial_number: SerialNumber::from(*s),
                    revocation_date: time(this_update),
                    crl_entry_extensions: None,
                })
                .collect()
        }),
        crl_extensions: None,
    };
    let (_, signature) = issuer_key.sign(scheme, &tbs.to_der().unwrap());
    CertificateList {
        tbs_cert_list: tbs,
        signature_algorithm: algorithm,
        signature: BitString::from_bytes(&signature).unwrap(),
    }
    .to_der()
    .unwrap()
}

/// Everything needed to sign a CMS SignedData the way ICAO producers do.
pub struct SignOptions {
    pub digest: Hash,
    pub scheme: Scheme,
    /// Replace the messageDigest attribute with the digest of this content instead.
    pub digest_of: Option<Vec<u8>>,
}

/// CMS SignedData (ContentInfo DER) over `content` of type `content_type`, by `signer`.
pub fn signed_data(
    content_type: Oid,
    content: &[u8],
    signer: &Certificate,
    signer_key: &Key,
    extra_certificates: &[Certificate],
    options: &SignOptions,
) -> Vec<u8> {
    let digest_alg = AlgorithmIdentifierOwned {
        oid: options.digest.oid(),
        parameters: None,
    };
    let digested = options.digest_of.as_deref().unwrap_or(content);
    let attr = |oid: &str, value: Any| Attribute {
        oid: Oid::new_unwrap(oid),
        values: SetOfVec::try_from(vec![value]).unwrap(),
    };
    let signed_attrs = SetOfVec::try_from(vec![
        attr(
            "1.2.840.113549.1.9.3",
            Any::encode_from(&content_type).unwrap(),
        ),
        attr(
            "1.2.840.113549.1.9.4",
            Any::encode_from(&OctetString::new(options.digest.digest(digested)).unwrap()).unwrap(),
        ),
    ])
    .unwrap();
    let (signature_algorithm, signature) =
        signer_key.sign(options.scheme, &signed_attrs.to_der().unwrap());
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: signer.tbs_certificate.issuer.clone(),
            serial_number: signer.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: digest_alg.clone(),
        signed_attrs: Some(signed_attrs),
        signature_algorithm,
        signature: OctetString::new(signature).unwrap(),
        unsigned_attrs: None,
    };
    let mut certificates = vec![CertificateChoices::Certificate(signer.clone())];
    certificates.extend(
        extra_certificates
            .iter()
            .cloned()
            .map(CertificateChoices::Certificate),
    );
    let signed = SignedData {
        version: CmsVersion::V3,
        digest_algorithms: SetOfVec::try_from(vec![digest_alg]).unwrap(),
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: content_type,
            econtent: Some(Any::encode_from(&OctetString::new(content).unwrap()).unwrap()),
        },
        certificates: Some(CertificateSet(SetOfVec::try_from(certificates).unwrap())),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![signer_info]).unwrap()),
    };
    ContentInfo {
        content_type: Oid::new_unwrap("1.2.840.113549.1.7.2"),
        content: Any::encode_from(&signed).unwrap(),
    }
    .to_der()
    .unwrap()
}

#[derive(Sequence)]
struct LdsSecurityObject {
    version: u8,
    hash_algorithm: AlgorithmIdentifierOwned,
    data_group_hash_values: Vec<DataGroupHash>,
    #[asn1(optional = "true")]
    lds_version_info: Option<LdsVersionInfo>,
}

#[derive(Sequence)]
struct DataGroupHash {
    number: u8,
    hash: OctetString,
}

#[derive(Sequence)]
struct LdsVersionInfo {
    lds_version: PrintableString,
    unicode_version: PrintableString,
}

/// The DER LDSSecurityObject (version 1) listing `groups` hashed with `hash`.
pub fn lds_security_object(hash: Hash, groups: &[(u8, &[u8])]) -> Vec<u8> {
    LdsSecurityObject {
        version: 1,
        hash_algorithm: AlgorithmIdentifierOwned {
            oid: hash.oid(),
            parameters: None,
        },
        data_group_hash_values: groups
            .iter()
            .map(|(n, bytes)| DataGroupHash {
                number: *n,
                hash: OctetString::new(hash.digest(bytes)).unwrap(),
            })
            .collect(),
        lds_version_info: Some(LdsVersionInfo {
            lds_version: PrintableString::new("0108").unwrap(),
            unicode_version: PrintableString::new("040000").unwrap(),
        }),
    }
    .to_der()
    .unwrap()
}

#[derive(Sequence)]
struct CscaMasterList {
    version: u8,
    cert_list: SetOfVec<Certificate>,
}

/// A CMS-signed CSCA master list of `cscas`, signed by `signer`.
pub fn master_list(cscas: &[Certificate], signer: &Certificate, signer_key: &Key) -> Vec<u8> {
    let content = CscaMasterList {
        version: 0,
        cert_list: SetOfVec::try_from(cscas.to_vec()).unwrap(),
    }
    .to_der()
    .unwrap();
    signed_data(
        Oid::new_unwrap("2.23.136.1.1.2"),
        &content,
        signer,
        signer_key,
        &[],
        &SignOptions {
            digest: Hash::Sha256,
            scheme: signer_key.default_scheme(Hash::Sha256),
            digest_of: None,
        },
    )
}

/// ISO 7816-4 BER-TLV.
pub fn tlv(tag: u32, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let tag_bytes = tag.to_be_bytes();
    let skip = tag_bytes.iter().take_while(|b| **b == 0).count().min(3);
    out.extend_from_slice(&tag_bytes[skip..]);
    let len = value.len();
    if len < 0x80 {
        out.push(len as u8);
    } else if len <= 0xFF {
        out.extend_from_slice(&[0x81, len as u8]);
    } else if len <= 0xFFFF {
        out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]);
    } else {
        out.extend_from_slice(&[0x83, (len >> 16) as u8, (len >> 8) as u8, len as u8]);
    }
    out.extend_from_slice(value);
    out
}

pub fn concat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// Signs `cert`'s (edited) TBS again with `issuer_key`.
pub fn resign(mut cert: Certificate, issuer_key: &Key, scheme: Scheme) -> Certificate {
    let (algorithm, _) = issuer_key.sign(scheme, b"probe");
    cert.tbs_certificate.signature = algorithm.clone();
    let (_, signature) = issuer_key.sign(scheme, &cert.tbs_certificate.to_der().unwrap());
    cert.signature_algorithm = algorithm;
    cert.signature = BitString::from_bytes(&signature).unwrap();
    cert
}
