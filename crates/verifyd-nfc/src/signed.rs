//! CMS SignedData as ICAO uses it: one signer, the signer's certificate inside, signed
//! attributes binding the content type and digest. EF.SOD and CSCA master lists are both this
//! shape, so both are read and verified here.
//!
//! The signature covers the DER of the signed attributes *as they were sent*. The `cms` crate
//! sorts SET OF elements while decoding, which would silently change those bytes for a producer
//! that did not sort them, so the original bytes are located with a raw DER walk and kept.

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use const_oid::ObjectIdentifier;
use der::asn1::{AnyRef, ObjectIdentifier as Oid};
use der::{Decode, Encode, Reader, SliceReader, Tag, TagNumber, Tagged};
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, SubjectKeyIdentifier};
use x509_cert::Certificate;

use crate::crypto::{
    self, oid, verify_signature, DigestAlgorithm, SignatureError, SignatureScheme,
};
use crate::error::NfcError;

/// A decoded single-signer CMS SignedData.
#[derive(Debug, Clone)]
pub(crate) struct SignedContent {
    /// The encapsulated content (the OCTET STRING's bytes).
    pub content: Vec<u8>,
    /// The content type the SignedData declares.
    pub content_type: ObjectIdentifier,
    /// The one SignerInfo.
    pub signer: SignerInfo,
    /// The signed attributes exactly as encoded, re-tagged as SET (`31`), when present.
    signed_attributes: Option<Vec<u8>>,
    /// Every certificate the SignedData carries.
    pub certificates: Vec<Certificate>,
}

/// Why a signed content does not verify with a given signer certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SignedContentError {
    /// An algorithm we do not implement.
    Unsupported(String),
    /// The `messageDigest` attribute is not the content's digest.
    MessageDigestMismatch,
    /// The `contentType` attribute is absent or differs from the encapsulated type.
    ContentTypeMismatch,
    /// The signature does not verify.
    SignatureInvalid,
}

impl SignedContent {
    /// Decodes a DER ContentInfo holding SignedData.
    pub fn parse(content_info: &[u8]) -> Result<Self, NfcError> {
        let info = ContentInfo::from_der(content_info)?;
        if info.content_type != oid::CMS_SIGNED_DATA {
            return Err(NfcError::Structure("ContentInfo is not SignedData"));
        }
        let signed: SignedData = info.content.decode_as()?;
        let mut signers = signed.signer_infos.0.iter();
        let signer = match (signers.next(), signers.next()) {
            (Some(one), None) => one.clone(),
            (None, _) => return Err(NfcError::Structure("SignedData has no signer")),
            (Some(_), Some(_)) => {
                return Err(NfcError::Structure("SignedData has more than one signer"))
            }
        };
        let content = signed
            .encap_content_info
            .econtent
            .as_ref()
            .and_then(crypto::octet_string_value)
            .ok_or(NfcError::Structure(
                "SignedData without encapsulated content",
            ))?;
        let certificates = signed
            .certificates
            .iter()
            .flat_map(|set| set.0.iter())
            .filter_map(|choice| match choice {
                CertificateChoices::Certificate(cert) => Some(cert.clone()),
                CertificateChoices::Other(_) => None,
            })
            .collect();
        let signed_attributes = if signer.signed_attrs.is_some() {
            Some(raw_signed_attributes(content_info)?)
        } else {
            None
        };
        Ok(Self {
            content,
            content_type: signed.encap_content_info.econtent_type,
            signer,
            signed_attributes,
            certificates,
        })
    }

    /// The carried certificate the SignerInfo names (by issuer and serial, or key identifier).
    pub fn signer_certificate(&self) -> Option<&Certificate> {
        self.certificates
            .iter()
            .find(|cert| identifies(&self.signer.sid, cert))
    }

    /// The signature scheme the SignerInfo uses.
    pub fn scheme(&self) -> Result<SignatureScheme, String> {
        let digest = DigestAlgorithm::from_oid(&self.signer.digest_alg.oid);
        SignatureScheme::from_algorithm(&self.signer.signature_algorithm, digest)
    }

    /// Verifies the signed attributes and the signature with `signer`'s key.
    pub fn verify(&self, signer: &Certificate) -> Result<(), SignedContentError> {
        let scheme = self.scheme().map_err(SignedContentError::Unsupported)?;
        let message: &[u8] = match &self.signed_attributes {
            Some(raw) => {
                self.check_signed_attributes()?;
                raw
            }
            None => &self.content,
        };
        let spki = &signer.tbs_certificate.subject_public_key_info;
        verify_signature(spki, scheme, message, self.signer.signature.as_bytes()).map_err(|e| {
            match e {
                SignatureError::Unsupported(what) => SignedContentError::Unsupported(what),
                SignatureError::Invalid => SignedContentError::SignatureInvalid,
            }
        })
    }

    /// RFC 5652 §5.4: when signed attributes are present they must contain the content type and
    /// the digest of the content, computed with the SignerInfo's digest algorithm.
    fn check_signed_attributes(&self) -> Result<(), SignedContentError> {
        let digest = DigestAlgorithm::from_oid(&self.signer.digest_alg.oid).ok_or_else(|| {
            SignedContentError::Unsupported(format!(
                "digest algorithm {}",
                self.signer.digest_alg.oid
            ))
        })?;
        let attrs = self.signer.signed_attrs.iter().flat_map(|a| a.iter());
        let mut content_type_ok = false;
        let mut digest_ok = false;
        for attr in attrs {
            let mut values = attr.values.iter();
            let (Some(value), None) = (values.next(), values.next()) else {
                continue;
            };
            if attr.oid == oid::CMS_CONTENT_TYPE {
                content_type_ok = value.decode_as::<Oid>().ok() == Some(self.content_type);
            } else if attr.oid == oid::CMS_MESSAGE_DIGEST {
                digest_ok = crypto::octet_string_value(value).as_deref()
                    == Some(&digest.digest(&self.content)[..]);
            }
        }
        if !content_type_ok {
            return Err(SignedContentError::ContentTypeMismatch);
        }
        if !digest_ok {
            return Err(SignedContentError::MessageDigestMismatch);
        }
        Ok(())
    }
}

/// Does `sid` designate `cert`?
fn identifies(sid: &SignerIdentifier, cert: &Certificate) -> bool {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => {
            ias.serial_number == cert.tbs_certificate.serial_number
                && crate::names::same_name(&ias.issuer, &cert.tbs_certificate.issuer)
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            subject_key_identifier(cert).as_ref() == Some(ski)
        }
    }
}

/// The certificate's SubjectKeyIdentifier extension.
pub(crate) fn subject_key_identifier(cert: &Certificate) -> Option<SubjectKeyIdentifier> {
    extension(cert, const_oid::db::rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER)
}

/// The key identifier of the certificate's AuthorityKeyIdentifier extension.
pub(crate) fn authority_key_identifier(cert: &Certificate) -> Option<Vec<u8>> {
    extension::<AuthorityKeyIdentifier>(
        cert,
        const_oid::db::rfc5280::ID_CE_AUTHORITY_KEY_IDENTIFIER,
    )
    .and_then(|aki| aki.key_identifier)
    .map(|k| k.as_bytes().to_vec())
}

fn extension<'a, T: Decode<'a>>(cert: &'a Certificate, id: ObjectIdentifier) -> Option<T> {
    cert.tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id == id)
        .and_then(|e| T::from_der(e.extn_value.as_bytes()).ok())
}

/// The children of a constructed DER value.
fn children(value: &[u8]) -> Result<Vec<AnyRef<'_>>, NfcError> {
    let mut reader = SliceReader::new(value)?;
    let mut out = Vec::new();
    while !reader.is_finished() {
        out.push(reader.decode::<AnyRef<'_>>()?);
    }
    Ok(out)
}

/// The first SignerInfo's `[0] IMPLICIT SignedAttributes`, as the SET the signature covers.
///
/// ContentInfo = SEQUENCE { contentType, [0] EXPLICIT SignedData }, SignedData = SEQUENCE {
/// …, signerInfos SET } with signerInfos last, SignerInfo = SEQUENCE { version, sid,
/// digestAlgorithm, [0] signedAttrs, … }.
fn raw_signed_attributes(content_info: &[u8]) -> Result<Vec<u8>, NfcError> {
    let malformed = || NfcError::Structure("SignedData layout");
    let info = AnyRef::from_der(content_info)?;
    let explicit = children(info.value())?
        .get(1)
        .copied()
        .ok_or_else(malformed)?;
    let signed_data = AnyRef::from_der(explicit.value())?;
    let signer_infos = children(signed_data.value())?
        .last()
        .copied()
        .ok_or_else(malformed)?;
    let signer_info = children(signer_infos.value())?
        .first()
        .copied()
        .ok_or_else(malformed)?;
    let attrs_tag = Tag::ContextSpecific {
        constructed: true,
        number: TagNumber::N0,
    };
    let attrs = children(signer_info.value())?
        .into_iter()
        .find(|child| child.tag() == attrs_tag)
        .ok_or_else(malformed)?;
    Ok(AnyRef::new(Tag::Set, attrs.value())?.to_der()?)
}
