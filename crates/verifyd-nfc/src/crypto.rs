//! The digest and signature algorithms ICAO 9303 part 12 allows, on RustCrypto's
//! implementations: SHA-1/224/256/384/512; RSA PKCS#1 v1.5 and RSASSA-PSS; ECDSA over P-256,
//! P-384 and P-521, with the signature in X9.62 DER or the BSI TR-03111 "plain" encoding.
//!
//! One verification routine serves the SOD, certificates, CRLs and master lists, so every
//! signature in the chain is checked the same way. Everything is verified over a digest we
//! compute ourselves (`verify_prehash`), which lets a SignerInfo name its digest and its
//! signature algorithm separately, as CMS does.
//!
//! ICAO 9303-12 §7.1.2 requires elliptic-curve keys in CSCA and Document Signer certificates to
//! carry *explicit* domain parameters rather than a curve name, so [`EcCurve::from_parameters`]
//! recognises a curve from its parameters: all of p, a, b, G and n must equal those of a curve
//! we implement, taken from the curve crates themselves. Curves we do not implement (the
//! Brainpool family, common in European documents) are reported as unsupported, never guessed.

use const_oid::ObjectIdentifier;
use der::asn1::{AnyRef, BitString, OctetString, OctetStringRef, UintRef};
use der::{Decode, Encode, Sequence};
use ecdsa::signature::hazmat::PrehashVerifier;
use elliptic_curve::sec1::{FromEncodedPoint, ToEncodedPoint};
use rsa::traits::PublicKeyParts;
use serde::Serialize;
use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

/// Object identifiers used across the crate.
pub(crate) mod oid {
    use const_oid::ObjectIdentifier as Oid;

    pub const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
    pub const SHA224: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.4");
    pub const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
    pub const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
    pub const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");

    pub const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
    pub const SHA1_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.5");
    pub const SHA224_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.14");
    pub const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
    pub const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
    pub const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
    pub const RSASSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
    pub const MGF1: Oid = Oid::new_unwrap("1.2.840.113549.1.1.8");

    pub const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
    pub const PRIME_FIELD: Oid = Oid::new_unwrap("1.2.840.10045.1.1");
    pub const ECDSA_SHA1: Oid = Oid::new_unwrap("1.2.840.10045.4.1");
    pub const ECDSA_SHA224: Oid = Oid::new_unwrap("1.2.840.10045.4.3.1");
    pub const ECDSA_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
    pub const ECDSA_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
    pub const ECDSA_SHA512: Oid = Oid::new_unwrap("1.2.840.10045.4.3.4");
    /// BSI TR-03111 ecdsa-plain-signatures (r ‖ s, fixed width): `…4.1.1` SHA-1 … `…4.1.5` SHA-512.
    pub const ECDSA_PLAIN_SHA1: Oid = Oid::new_unwrap("0.4.0.127.0.7.1.1.4.1.1");
    pub const ECDSA_PLAIN_SHA224: Oid = Oid::new_unwrap("0.4.0.127.0.7.1.1.4.1.2");
    pub const ECDSA_PLAIN_SHA256: Oid = Oid::new_unwrap("0.4.0.127.0.7.1.1.4.1.3");
    pub const ECDSA_PLAIN_SHA384: Oid = Oid::new_unwrap("0.4.0.127.0.7.1.1.4.1.4");
    pub const ECDSA_PLAIN_SHA512: Oid = Oid::new_unwrap("0.4.0.127.0.7.1.1.4.1.5");

    pub const SECP256R1: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
    pub const SECP384R1: Oid = Oid::new_unwrap("1.3.132.0.34");
    pub const SECP521R1: Oid = Oid::new_unwrap("1.3.132.0.35");

    pub const CMS_SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
    pub const CMS_CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
    pub const CMS_MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
    pub const ICAO_LDS_SECURITY_OBJECT: Oid = Oid::new_unwrap("2.23.136.1.1.1");
    pub const ICAO_CSCA_MASTER_LIST: Oid = Oid::new_unwrap("2.23.136.1.1.2");
}

/// A hash function ICAO allows for data-group hashes and signatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum DigestAlgorithm {
    /// SHA-1 (still found on documents issued before ~2012).
    #[serde(rename = "SHA-1")]
    Sha1,
    /// SHA-224.
    #[serde(rename = "SHA-224")]
    Sha224,
    /// SHA-256.
    #[serde(rename = "SHA-256")]
    Sha256,
    /// SHA-384.
    #[serde(rename = "SHA-384")]
    Sha384,
    /// SHA-512.
    #[serde(rename = "SHA-512")]
    Sha512,
}

impl DigestAlgorithm {
    /// The algorithm an OID names, if ICAO allows it.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        Some(match *oid {
            oid::SHA1 => Self::Sha1,
            oid::SHA224 => Self::Sha224,
            oid::SHA256 => Self::Sha256,
            oid::SHA384 => Self::Sha384,
            oid::SHA512 => Self::Sha512,
            _ => return None,
        })
    }

    /// The OID of this algorithm.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            Self::Sha1 => oid::SHA1,
            Self::Sha224 => oid::SHA224,
            Self::Sha256 => oid::SHA256,
            Self::Sha384 => oid::SHA384,
            Self::Sha512 => oid::SHA512,
        }
    }

    /// The digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha1 => Sha1::digest(data).to_vec(),
            Self::Sha224 => Sha224::digest(data).to_vec(),
            Self::Sha256 => Sha256::digest(data).to_vec(),
            Self::Sha384 => Sha384::digest(data).to_vec(),
            Self::Sha512 => Sha512::digest(data).to_vec(),
        }
    }

    /// `"SHA-256"` etc.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA-1",
            Self::Sha224 => "SHA-224",
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
        }
    }
}

/// An elliptic curve we can verify signatures on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum EcCurve {
    /// NIST P-256 (secp256r1).
    #[serde(rename = "P-256")]
    P256,
    /// NIST P-384 (secp384r1).
    #[serde(rename = "P-384")]
    P384,
    /// NIST P-521 (secp521r1).
    #[serde(rename = "P-521")]
    P521,
}

/// SEC 1 `ECParameters` (explicit domain parameters) for prime fields.
#[derive(Debug, Clone, Sequence)]
pub(crate) struct EcParameters<'a> {
    pub version: u8,
    pub field_id: FieldId<'a>,
    pub curve: CurveCoefficients<'a>,
    pub base: OctetStringRef<'a>,
    pub order: UintRef<'a>,
    #[asn1(optional = "true")]
    pub cofactor: Option<UintRef<'a>>,
}

/// SEC 1 `FieldID` (only prime fields occur in ICAO documents).
#[derive(Debug, Clone, Sequence)]
pub(crate) struct FieldId<'a> {
    pub field_type: ObjectIdentifier,
    pub parameters: AnyRef<'a>,
}

/// SEC 1 `Curve`: the coefficients a and b.
#[derive(Debug, Clone, Sequence)]
pub(crate) struct CurveCoefficients<'a> {
    pub a: OctetStringRef<'a>,
    pub b: OctetStringRef<'a>,
    #[asn1(optional = "true")]
    pub seed: Option<BitString>,
}

/// A curve's domain parameters as big-endian integers without leading zeros.
struct DomainParameters {
    p: Vec<u8>,
    a: Vec<u8>,
    b: Vec<u8>,
    generator: Vec<u8>,
    order: Vec<u8>,
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().take_while(|b| **b == 0).count();
    &bytes[start..]
}

/// The domain parameters of a curve crate, read from the crate's own constants.
macro_rules! domain_parameters {
    ($curve:ty, $affine:ty) => {{
        use elliptic_curve::bigint::ArrayEncoding;
        use elliptic_curve::ff::PrimeField;
        use elliptic_curve::Curve;
        use primeorder::PrimeCurveParams;
        let modulus = <<$curve as PrimeCurveParams>::FieldElement as PrimeField>::MODULUS;
        DomainParameters {
            p: hex::decode(modulus.trim_start_matches("0x")).unwrap_or_default(),
            a: <$curve as PrimeCurveParams>::EQUATION_A.to_repr().to_vec(),
            b: <$curve as PrimeCurveParams>::EQUATION_B.to_repr().to_vec(),
            generator: <$affine>::GENERATOR
                .to_encoded_point(false)
                .as_bytes()
                .to_vec(),
            order: <$curve as Curve>::ORDER.to_be_byte_array().to_vec(),
        }
    }};
}

/// The uncompressed form of an encoded point on `curve`, if it is one.
fn uncompressed(curve: EcCurve, point: &[u8]) -> Option<Vec<u8>> {
    macro_rules! decode {
        ($m:ident) => {{
            let encoded = $m::EncodedPoint::from_bytes(point).ok()?;
            let affine: Option<$m::AffinePoint> =
                $m::AffinePoint::from_encoded_point(&encoded).into();
            Some(affine?.to_encoded_point(false).as_bytes().to_vec())
        }};
    }
    match curve {
        EcCurve::P256 => decode!(p256),
        EcCurve::P384 => decode!(p384),
        EcCurve::P521 => decode!(p521),
    }
}

impl EcCurve {
    const ALL: [EcCurve; 3] = [EcCurve::P256, EcCurve::P384, EcCurve::P521];

    /// The curve a named-curve OID designates.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        Some(match *oid {
            oid::SECP256R1 => Self::P256,
            oid::SECP384R1 => Self::P384,
            oid::SECP521R1 => Self::P521,
            _ => return None,
        })
    }

    /// The curve whose explicit domain parameters these are (all of p, a, b, G, n compared).
    pub(crate) fn from_parameters(params: &EcParameters<'_>) -> Option<Self> {
        if params.field_id.field_type != oid::PRIME_FIELD {
            return None;
        }
        let p = params.field_id.parameters.decode_as::<UintRef<'_>>().ok()?;
        Self::ALL.into_iter().find(|curve| {
            let known = curve.domain_parameters();
            strip_zeros(p.as_bytes()) == strip_zeros(&known.p)
                && strip_zeros(params.curve.a.as_bytes()) == strip_zeros(&known.a)
                && strip_zeros(params.curve.b.as_bytes()) == strip_zeros(&known.b)
                && strip_zeros(params.order.as_bytes()) == strip_zeros(&known.order)
                && uncompressed(*curve, params.base.as_bytes()).as_deref()
                    == Some(&known.generator[..])
        })
    }

    fn domain_parameters(self) -> DomainParameters {
        match self {
            EcCurve::P256 => domain_parameters!(p256::NistP256, p256::AffinePoint),
            EcCurve::P384 => domain_parameters!(p384::NistP384, p384::AffinePoint),
            EcCurve::P521 => domain_parameters!(p521::NistP521, p521::AffinePoint),
        }
    }

    /// `"P-256"` etc.
    pub fn name(self) -> &'static str {
        match self {
            EcCurve::P256 => "P-256",
            EcCurve::P384 => "P-384",
            EcCurve::P521 => "P-521",
        }
    }
}

/// A public key we can verify with.
#[derive(Debug, Clone)]
pub(crate) enum PublicKey {
    Rsa(rsa::RsaPublicKey),
    Ec { curve: EcCurve, point: Vec<u8> },
}

/// The largest RSA modulus accepted; CSCA keys of 4096 bits are common, 8192 exists.
const MAX_RSA_BITS: usize = 8192;

/// What a public key is, for reports (DG15, certificate summaries).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "algorithm")]
pub enum KeyDescription {
    /// An RSA key and its modulus size.
    #[serde(rename = "RSA")]
    Rsa {
        /// Modulus length in bits.
        bits: usize,
    },
    /// An elliptic-curve key on a curve we implement.
    #[serde(rename = "EC")]
    Ec {
        /// The curve.
        curve: EcCurve,
    },
    /// A key we read but cannot use: its algorithm or curve OID (or `explicit` parameters).
    #[serde(rename = "UNSUPPORTED")]
    Unsupported {
        /// The algorithm OID and, for EC keys, the curve.
        detail: String,
    },
}

impl PublicKey {
    /// Reads a SubjectPublicKeyInfo; `Err` says which algorithm or curve we do not implement.
    pub(crate) fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Result<Self, String> {
        let key_bytes = spki.subject_public_key.raw_bytes();
        match spki.algorithm.oid {
            oid::RSA_ENCRYPTION | oid::RSASSA_PSS => {
                let key = rsa::pkcs1::RsaPublicKey::from_der(key_bytes)
                    .map_err(|e| format!("RSA key: {e}"))?;
                let n = rsa::BigUint::from_bytes_be(key.modulus.as_bytes());
                let e = rsa::BigUint::from_bytes_be(key.public_exponent.as_bytes());
                rsa::RsaPublicKey::new_with_max_size(n, e, MAX_RSA_BITS)
                    .map(PublicKey::Rsa)
                    .map_err(|e| format!("RSA key: {e}"))
            }
            oid::EC_PUBLIC_KEY => {
                let params = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .ok_or("EC key without domain parameters")?;
                let curve = if let Ok(named) = params.decode_as::<ObjectIdentifier>() {
                    EcCurve::from_oid(&named).ok_or_else(|| format!("EC curve {named}"))?
                } else {
                    let der = params.to_der().map_err(|e| e.to_string())?;
                    let explicit =
                        EcParameters::from_der(&der).map_err(|e| format!("EC parameters: {e}"))?;
                    EcCurve::from_parameters(&explicit)
                        .ok_or("EC curve given by explicit parameters of an unsupported curve")?
                };
                uncompressed(curve, key_bytes).ok_or("EC point not on its curve")?;
                Ok(PublicKey::Ec {
                    curve,
                    point: key_bytes.to_vec(),
                })
            }
            other => Err(format!("key algorithm {other}")),
        }
    }

    fn description(&self) -> KeyDescription {
        match self {
            PublicKey::Rsa(key) => KeyDescription::Rsa {
                bits: key.n().bits(),
            },
            PublicKey::Ec { curve, .. } => KeyDescription::Ec { curve: *curve },
        }
    }
}

/// Describes a key for a report, including keys we cannot use.
pub fn describe_key(spki: &SubjectPublicKeyInfoOwned) -> KeyDescription {
    match PublicKey::from_spki(spki) {
        Ok(key) => key.description(),
        Err(detail) => KeyDescription::Unsupported { detail },
    }
}

/// How a signature is computed: padding or curve encoding, and digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignatureScheme {
    RsaPkcs1v15(DigestAlgorithm),
    RsaPss {
        digest: DigestAlgorithm,
        salt_len: usize,
    },
    Ecdsa {
        digest: DigestAlgorithm,
        plain: bool,
    },
}

impl SignatureScheme {
    /// The scheme a signature AlgorithmIdentifier names. `digest_hint` is the CMS SignerInfo's
    /// digest algorithm, used when the signature OID names only the key type
    /// (`rsaEncryption`, `id-ecPublicKey`), as many SODs do.
    pub(crate) fn from_algorithm(
        algorithm: &AlgorithmIdentifierOwned,
        digest_hint: Option<DigestAlgorithm>,
    ) -> Result<Self, String> {
        use DigestAlgorithm as D;
        let unsupported = || format!("signature algorithm {}", algorithm.oid);
        let hinted = || digest_hint.ok_or_else(unsupported);
        Ok(match algorithm.oid {
            oid::SHA1_WITH_RSA => Self::RsaPkcs1v15(D::Sha1),
            oid::SHA224_WITH_RSA => Self::RsaPkcs1v15(D::Sha224),
            oid::SHA256_WITH_RSA => Self::RsaPkcs1v15(D::Sha256),
            oid::SHA384_WITH_RSA => Self::RsaPkcs1v15(D::Sha384),
            oid::SHA512_WITH_RSA => Self::RsaPkcs1v15(D::Sha512),
            oid::RSA_ENCRYPTION => Self::RsaPkcs1v15(hinted()?),
            oid::RSASSA_PSS => Self::pss(algorithm)?,
            oid::ECDSA_SHA1 => Self::ecdsa(D::Sha1, false),
            oid::ECDSA_SHA224 => Self::ecdsa(D::Sha224, false),
            oid::ECDSA_SHA256 => Self::ecdsa(D::Sha256, false),
            oid::ECDSA_SHA384 => Self::ecdsa(D::Sha384, false),
            oid::ECDSA_SHA512 => Self::ecdsa(D::Sha512, false),
            oid::EC_PUBLIC_KEY => Self::ecdsa(hinted()?, false),
            oid::ECDSA_PLAIN_SHA1 => Self::ecdsa(D::Sha1, true),
            oid::ECDSA_PLAIN_SHA224 => Self::ecdsa(D::Sha224, true),
            oid::ECDSA_PLAIN_SHA256 => Self::ecdsa(D::Sha256, true),
            oid::ECDSA_PLAIN_SHA384 => Self::ecdsa(D::Sha384, true),
            oid::ECDSA_PLAIN_SHA512 => Self::ecdsa(D::Sha512, true),
            _ => return Err(unsupported()),
        })
    }

    fn ecdsa(digest: DigestAlgorithm, plain: bool) -> Self {
        Self::Ecdsa { digest, plain }
    }

    /// RSASSA-PSS parameters (RFC 4055): the hash, MGF1 with the same hash, the salt length,
    /// trailer field 1. Absent parameters mean the SHA-1 defaults.
    fn pss(algorithm: &AlgorithmIdentifierOwned) -> Result<Self, String> {
        let params = match &algorithm.parameters {
            Some(any) => {
                let der = any.to_der().map_err(|e| e.to_string())?;
                let params = rsa::pkcs1::RsaPssParams::from_der(&der)
                    .map_err(|e| format!("RSASSA-PSS parameters: {e}"))?;
                let digest = DigestAlgorithm::from_oid(&params.hash.oid)
                    .ok_or_else(|| format!("RSASSA-PSS hash {}", params.hash.oid))?;
                let mgf_digest = params
                    .mask_gen
                    .parameters
                    .as_ref()
                    .and_then(|p| DigestAlgorithm::from_oid(&p.oid));
                if params.mask_gen.oid != oid::MGF1 || mgf_digest != Some(digest) {
                    return Err(
                        "RSASSA-PSS with a mask generation other than MGF1 over the \
                                signature hash"
                            .to_owned(),
                    );
                }
                if params.trailer_field != rsa::pkcs1::TrailerField::BC {
                    return Err("RSASSA-PSS trailer field other than 1".to_owned());
                }
                (digest, usize::from(params.salt_len))
            }
            None => (DigestAlgorithm::Sha1, 20),
        };
        Ok(Self::RsaPss {
            digest: params.0,
            salt_len: params.1,
        })
    }

    /// The digest this scheme signs.
    pub(crate) fn digest(self) -> DigestAlgorithm {
        match self {
            Self::RsaPkcs1v15(d) => d,
            Self::RsaPss { digest, .. } | Self::Ecdsa { digest, .. } => digest,
        }
    }

    /// A short name for reports, e.g. `"RSASSA-PSS/SHA-256"`.
    pub(crate) fn name(self) -> String {
        match self {
            Self::RsaPkcs1v15(d) => format!("RSA-PKCS1v1.5/{}", d.name()),
            Self::RsaPss { digest, .. } => format!("RSASSA-PSS/{}", digest.name()),
            Self::Ecdsa { digest, plain } => {
                let suffix = if plain { "-plain" } else { "" };
                format!("ECDSA{suffix}/{}", digest.name())
            }
        }
    }
}

/// Why a signature did not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SignatureError {
    /// The algorithm, key type or curve is one we do not implement.
    Unsupported(String),
    /// The signature does not verify with this key.
    Invalid,
}

/// Verifies `signature` over `message` with the key of `spki` under `scheme`.
pub(crate) fn verify_signature(
    spki: &SubjectPublicKeyInfoOwned,
    scheme: SignatureScheme,
    message: &[u8],
    signature: &[u8],
) -> Result<(), SignatureError> {
    let key = PublicKey::from_spki(spki).map_err(SignatureError::Unsupported)?;
    let hashed = scheme.digest().digest(message);
    verify_prehashed(&key, scheme, &hashed, signature)
}

fn verify_prehashed(
    key: &PublicKey,
    scheme: SignatureScheme,
    hashed: &[u8],
    signature: &[u8],
) -> Result<(), SignatureError> {
    use DigestAlgorithm as D;
    let ok = match (key, scheme) {
        (PublicKey::Rsa(key), SignatureScheme::RsaPkcs1v15(digest)) => {
            let padding = match digest {
                D::Sha1 => rsa::Pkcs1v15Sign::new::<Sha1>(),
                D::Sha224 => rsa::Pkcs1v15Sign::new::<Sha224>(),
                D::Sha256 => rsa::Pkcs1v15Sign::new::<Sha256>(),
                D::Sha384 => rsa::Pkcs1v15Sign::new::<Sha384>(),
                D::Sha512 => rsa::Pkcs1v15Sign::new::<Sha512>(),
            };
            key.verify(padding, hashed, signature).is_ok()
        }
        (PublicKey::Rsa(key), SignatureScheme::RsaPss { digest, salt_len }) => {
            let padding = match digest {
                D::Sha1 => rsa::Pss::new_with_salt::<Sha1>(salt_len),
                D::Sha224 => rsa::Pss::new_with_salt::<Sha224>(salt_len),
                D::Sha256 => rsa::Pss::new_with_salt::<Sha256>(salt_len),
                D::Sha384 => rsa::Pss::new_with_salt::<Sha384>(salt_len),
                D::Sha512 => rsa::Pss::new_with_salt::<Sha512>(salt_len),
            };
            key.verify(padding, hashed, signature).is_ok()
        }
        (PublicKey::Ec { curve, point }, SignatureScheme::Ecdsa { plain, .. }) => {
            macro_rules! ecdsa_verify {
                ($m:ident) => {{
                    let key = $m::ecdsa::VerifyingKey::from_sec1_bytes(point)
                        .map_err(|_| SignatureError::Invalid)?;
                    let sig = if plain {
                        $m::ecdsa::Signature::from_slice(signature)
                    } else {
                        $m::ecdsa::Signature::from_der(signature)
                    }
                    .map_err(|_| SignatureError::Invalid)?;
                    key.verify_prehash(hashed, &sig).is_ok()
                }};
            }
            match curve {
                EcCurve::P256 => ecdsa_verify!(p256),
                EcCurve::P384 => ecdsa_verify!(p384),
                EcCurve::P521 => ecdsa_verify!(p521),
            }
        }
        // A key of the other family cannot have made this signature.
        (PublicKey::Rsa(_), SignatureScheme::Ecdsa { .. }) | (PublicKey::Ec { .. }, _) => false,
    };
    if ok {
        Ok(())
    } else {
        Err(SignatureError::Invalid)
    }
}

/// An `OCTET STRING`'s content, for attributes that carry one.
pub(crate) fn octet_string_value(any: &der::Any) -> Option<Vec<u8>> {
    any.decode_as::<OctetString>()
        .ok()
        .map(|o| o.as_bytes().to_vec())
}
