//! Passive authentication: each case gives its own typed finding and the matching status.

use verifyd_nfc::{
    verify_chip, DataGroup, DataGroupIntegrity, Finding, NfcStatus, TrustStore, UntrustedCause,
};

use crate::chip::{genuine, now, Document, Issuer, IssuerSpec, CSCA_NAME};
use crate::pki::{self, Hash, Scheme};

fn reasons(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|f| {
            serde_json::to_value(f).unwrap()["reason"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[test]
fn genuine_chip_passes_every_check() {
    let (issuer, _, read) = genuine();
    let v = verify_chip(&read, &issuer.trust(), now());
    assert_eq!(v.findings, vec![], "{:?}", reasons(&v.findings));
    assert!(v.passive.passed());
    assert!(v.passive.sod_signature_valid && v.passive.chain_trusted);
    assert_eq!(v.passive.data_groups.len(), 6);
    assert!(v
        .passive
        .data_groups
        .values()
        .all(|i| *i == DataGroupIntegrity::Intact));
    assert_eq!(v.status(), NfcStatus::Approved);
    assert!(v.chip_authenticated());
    assert_eq!(
        v.passive.signature_algorithm.as_deref(),
        Some("RSA-PKCS1v1.5/SHA-256")
    );
    let csca = v.passive.csca.as_ref().unwrap();
    assert_eq!(csca.subject, CSCA_NAME);
    let lds = v.passive.lds.as_ref().unwrap();
    assert_eq!(lds.lds_version.as_deref(), Some("0108"));
}

#[test]
fn wrong_csca_of_the_same_name_is_a_signature_mismatch() {
    let (_, _, read) = genuine();
    // Another CSCA with the genuine one's name: a forger's attempt at a look-alike.
    let impostor = Issuer::new(IssuerSpec {
        csca_key: pki::p256_key(5),
        csca_scheme: Scheme::Ecdsa(Hash::Sha256),
        ..IssuerSpec::default()
    });
    let v = verify_chip(&read, &impostor.trust(), now());
    assert_eq!(
        v.findings,
        vec![Finding::ChainNotTrusted {
            issuer: CSCA_NAME.into(),
            cause: UntrustedCause::SignatureMismatch
        }]
    );
    assert!(v.passive.sod_signature_valid && !v.passive.chain_trusted);
    assert_eq!(v.status(), NfcStatus::Declined);
    assert!(!v.chip_authenticated());
}

#[test]
fn csca_of_another_state_is_an_unknown_issuer() {
    let (_, _, read) = genuine();
    let other = Issuer::new(IssuerSpec {
        csca_name: "CN=CSCA Erewhon,C=EW",
        csca_key: pki::p256_key(6),
        csca_scheme: Scheme::Ecdsa(Hash::Sha256),
        ..IssuerSpec::default()
    });
    let v = verify_chip(&read, &other.trust(), now());
    assert_eq!(
        v.findings,
        vec![Finding::ChainNotTrusted {
            issuer: CSCA_NAME.into(),
            cause: UntrustedCause::UnknownIssuer
        }]
    );
    assert_eq!(v.status(), NfcStatus::Declined);
}

#[test]
fn forged_sod_signed_by_an_untrusted_ds_is_declined() {
    // The forger builds a whole PKI of their own and signs the genuine data.
    let (genuine_issuer, doc, _) = genuine();
    let forger = Issuer::new(IssuerSpec {
        csca_key: pki::p384_key(9),
        ds_key: pki::p256_key(10),
        csca_scheme: Scheme::Ecdsa(Hash::Sha384),
        ..IssuerSpec::default()
    });
    let sod = doc.sod(&forger, Hash::Sha256, Scheme::Ecdsa(Hash::Sha256));
    let v = verify_chip(&doc.read(sod), &genuine_issuer.trust(), now());
    assert!(v.passive.sod_signature_valid);
    assert!(matches!(
        v.findings[..],
        [Finding::ChainNotTrusted {
            cause: UntrustedCause::SignatureMismatch,
            ..
        }]
    ));
    assert_eq!(v.status(), NfcStatus::Declined);
}

#[test]
fn expired_document_signer() {
    let issuer = Issuer::new(IssuerSpec {
        ds_not_before: pki::utc(2014, 1, 1),
        ds_not_after: pki::utc(2025, 1, 1),
        ..IssuerSpec::default()
    });
    let doc = Document::specimen();
    let sod = doc.sod(&issuer, Hash::Sha256, Scheme::Pkcs1(Hash::Sha256));
    let v = verify_chip(&doc.read(sod), &issuer.trust(), now());
    assert_eq!(
        v.findings,
        vec![Finding::DocumentSignerExpired {
            not_after: pki::utc(2025, 1, 1)
        }]
    );
    assert_eq!(v.status(), NfcStatus::Declined);
    // The same chip checked while the DS was valid passes: the clock is the caller's.
    let then = verify_chip(
        &doc.read(doc.sod(&issuer, Hash::Sha256, Scheme::Pkcs1(Hash::Sha256))),
        &issuer.trust(),
        pki::utc(2024, 6, 1),
    );
    assert_eq!(then.findings, vec![]);
}

#[test]
fn document_signer_not_yet_valid() {
    let issuer = Issuer::new(IssuerSpec {
        ds_not_before: pki::utc(2027, 1, 1),
        ..IssuerSpec::default()
    });
    let doc = Document::specimen();
    let sod = doc.sod(&issuer, Hash::Sha256, Scheme::Pkcs1(Hash::Sha256));
    let v = verify_chip(&doc.read(sod), &issuer.trust(), now());
    assert_eq!(reasons(&v.findings), ["DOCUMENT_SIGNER_NOT_YET_VALID"]);
}

#[test]
fn expired_csca() {
    let (issuer, _, read) = genuine();
    let v = verify_chip(&read, &issuer.trust(), pki::utc(2036, 6, 1));
    // The DS expired too, and so did the document.
    assert_eq!(
        reasons(&v.findings),
        [
            "DOCUMENT_SIGNER_EXPIRED",
            "CSCA_EXPIRED",
            "DOCUMENT_EXPIRED"
        ]
    );
}

#[test]
fn altered_dg1_is_a_hash_mismatch_of_dg1_only() {
    let (issuer, doc, mut read) = genuine();
    let mut fields = crate::chip::specimen_mrz();
    fields.birth_date = chrono::NaiveDate::from_ymd_opt(1994, 8, 12);
    read.data_groups
        .insert(DataGroup::DG1, crate::chip::dg1(&fields));
    let v = verify_chip(&read, &issuer.trust(), now());
    assert_eq!(
        v.findings,
        vec![Finding::DataGroupHashMismatch {
            data_group: DataGroup::DG1
        }]
    );
    assert_eq!(
        v.passive.data_groups[&DataGroup::DG1],
        DataGroupIntegrity::Altered
    );
    assert_eq!(
        v.passive.data_groups[&DataGroup::DG2],
        DataGroupIntegrity::Intact
    );
    assert!(v.passive.sod_authentic() && !v.passive.data_groups_intact());
    assert_eq!(v.status(), NfcStatus::Declined);
    drop(doc);
}

#[test]
fn altered_dg2_single_byte() {
    let (issuer, _, mut read) = genuine();
    let dg2 = read.data_groups.get_mut(&DataGroup::DG2).unwrap();
    let last = dg2.len() - 3;
    dg2[last] ^= 0x01;
    let v = verify_chip(&read, &issuer.trust(), now());
    assert_eq!(
        v.findings,
        vec![Finding::DataGroupHashMismatch {
            data_group: DataGroup::DG2
        }]
    );
    assert_eq!(v.status(), NfcStatus::Declined);
}

#[test]
fn recomputed_hashes_break_the_signed_message_digest() {
    // A forger alters DG1 and rewrites the LDS object to match, keeping the signature.
    let (issuer, mut doc, _) = genuine();
    let genuine_lds = doc.lds(Hash::Sha256);
    let mut fields = crate::chip::specimen_mrz();
    fields.surname = "MALLORY".into();
    doc.groups.insert(1, crate::chip::dg1(&fields));
    let forged_lds = doc.lds(Hash::Sha256);
    let sod = doc.sod_over(
        &forged_lds,
        &issuer,
        Hash::Sha256,
        Scheme::Pkcs1(Hash::Sha256),
        Some(genuine_lds),
    );
    let v = verify_chip(&doc.read(sod), &issuer.trust(), now());
    assert_eq!(
        v.findings,
        vec![Finding::SignedAttributesInvalid {
            detail: "messageDigest".into()
        }]
    );
    assert!(!v.passive.sod_signature_valid);
    assert_eq!(v.status(), NfcStatus::Declined);
}

#[test]
fn flipped_signature_bit_is_an_invalid_sod_signature() {
    let (issuer, doc, _) = genuine();
    let mut sod = doc.sod(&issuer, Hash::Sha256, Scheme::Pkcs1(Hash::Sha256));
    // The RSA signature is the SOD's last 256 bytes (no unsigned attributes).
    let at = sod.len() - 100;
    sod[at] ^= 0x80;
    let v = verify_chip(&doc.read(sod), &issuer.trust(), now());
    assert_eq!(v.findings, vec![Finding::SodSignatureInvalid]);
    assert_eq!(v.status(), NfcStatus::Declined);
}

#[test]
fn truncated_sod_is_malformed() {
    let (issuer, doc, _) = genuine();
    let sod = doc.sod(&issuer, Hash::Sha256, Scheme::Pkcs1(Hash::Sha256));
    for cut in [0, 1, 10, sod.len() / 2, sod.len() - 1] {
        let v = verify_chip(&doc.read(sod[..cut].to_vec()), &issuer.trust(), now());
        assert!(
            matches!(v.findings[..], [Finding::MalformedSod { .. }]),
            "cut at {cut}: {:?}",
            v.findings
        );
        assert_eq!(v.status(), NfcStatus::Declined);
        assert!(v.passive.data_groups.is_empty());
    }
}

#[test]
fn hash_and_signature_algorithm_variants() {
    struct Case {
        label: &'static str,
        csca_key: pki::Key,
        ds_key: pki::Key,
        hash: Hash,
        scheme: Scheme,
        expected: &'static str,
    }
    let cases = [
        Case {
            label: "RSA/SHA-384",
            csca_key: pki::rsa_key(0),
            ds_key: pki::rsa_key(1),
            hash: Hash::Sha384,
            scheme: Scheme::Pkcs1(Hash::Sha384),
            expected: "RSA-PKCS1v1.5/SHA-384",
        },
        Case {
            label: "RSA/SHA-512",
            csca_key: pki::rsa_key(0),
            ds_key: pki::rsa_key(1),
            hash: Hash::Sha512,
            scheme: Scheme::Pkcs1(Hash::Sha512),
            expected: "RSA-PKCS1v1.5/SHA-512",
        },
        Case {
            label: "RSA/SHA-1",
            csca_key: pki::rsa_key(0),
            ds_key: pki::rsa_key(1),
            hash: Hash::Sha1,
            scheme: Scheme::Pkcs1(Hash::Sha1),
            expected: "RSA-PKCS1v1.5/SHA-1",
        },
        Case {
            label: "rsaEncryption + SHA-256",
            csca_key: pki::rsa_key(0),
            ds_key: pki::rsa_key(1),
            hash: Hash::Sha256,
            scheme: Scheme::Pkcs1Bare(Hash::Sha256),
            expected: "RSA-PKCS1v1.5/SHA-256",
        },
        Case {
            label: "PSS/SHA-256",
            csca_key: pki::rsa_key(0),
            ds_key: pki::rsa_key(1),
            hash: Hash::Sha256,
            scheme: Scheme::Pss(Hash::Sha256),
            expected: "RSASSA-PSS/SHA-256",
        },
        Case {
            label: "PSS/SHA-384",
            csca_key: pki::rsa_key(0),
            ds_key: pki::rsa_key(1),
            hash: Hash::Sha384,
            scheme: Scheme::Pss(Hash::Sha384),
            expected: "RSASSA-PSS/SHA-384",
        },
        Case {
            label: "PSS/SHA-512",
            csca_key: pki::rsa_key(0),
            ds_key: pki::rsa_key(1),
            hash: Hash::Sha512,
            scheme: Scheme::Pss(Hash::Sha512),
            expected: "RSASSA-PSS/SHA-512",
        },
        Case {
            label: "ECDSA P-256",
            csca_key: pki::p384_key(1),
            ds_key: pki::p256_key(2),
            hash: Hash::Sha256,
            scheme: Scheme::Ecdsa(Hash::Sha256),
            expected: "ECDSA/SHA-256",
        },
        Case {
            label: "ECDSA P-384",
            csca_key: pki::p384_key(1),
            ds_key: pki::p384_key(3),
            hash: Hash::Sha384,
            scheme: Scheme::Ecdsa(Hash::Sha384),
            expected: "ECDSA/SHA-384",
        },
        Case {
            label: "ECDSA P-521",
            csca_key: pki::p521_key(1),
            ds_key: pki::p521_key(4),
            hash: Hash::Sha512,
            scheme: Scheme::Ecdsa(Hash::Sha512),
            expected: "ECDSA/SHA-512",
        },
        Case {
            label: "ECDSA plain P-256",
            csca_key: pki::p256_key(1),
            ds_key: pki::p256_key(5),
            hash: Hash::Sha256,
            scheme: Scheme::EcdsaPlain(Hash::Sha256),
            expected: "ECDSA-plain/SHA-256",
        },
        Case {
            label: "ECDSA P-256 over SHA-512",
            csca_key: pki::rsa_key(0),
            ds_key: pki::p256_key(6),
            hash: Hash::Sha512,
            scheme: Scheme::Ecdsa(Hash::Sha512),
            expected: "ECDSA/SHA-512",
        },
    ];
    for case in cases {
        for explicit_ec in [true, false] {
            let csca_scheme = case.csca_key.default_scheme(Hash::Sha384);
            let issuer = Issuer::new(IssuerSpec {
                csca_key: case.csca_key.clone(),
                ds_key: case.ds_key.clone(),
                csca_scheme,
                explicit_ec,
                ..IssuerSpec::default()
            });
            let doc = Document::minimal();
            let sod = doc.sod(&issuer, case.hash, case.scheme);
            let v = verify_chip(&doc.read(sod.clone()), &issuer.trust(), now());
            assert_eq!(v.findings, vec![], "{} explicit={explicit_ec}", case.label);
            assert_eq!(v.status(), NfcStatus::Approved, "{}", case.label);
            assert_eq!(
                v.passive.signature_algorithm.as_deref(),
                Some(case.expected)
            );
            let lds = v.passive.lds.as_ref().unwrap();
            assert_eq!(
                lds.hash_algorithm().unwrap().name(),
                format!("{:?}", case.hash).replace("Sha", "SHA-")
            );

            // And each variant still catches an altered DG1.
            let mut altered = doc.read(sod);
            altered.data_groups.get_mut(&DataGroup::DG1).unwrap()[10] ^= 1;
            let v = verify_chip(&altered, &issuer.trust(), now());
            assert_eq!(
                reasons(&v.findings)[0],
                "DATA_GROUP_HASH_MISMATCH",
                "{}",
                case.label
            );
        }
    }
}

#[test]
fn empty_trust_store_cannot_approve() {
    let (_, _, read) = genuine();
    let v = verify_chip(&read, &TrustStore::new(), now());
    assert_eq!(v.findings, vec![Finding::TrustStoreEmpty]);
    assert_eq!(v.status(), NfcStatus::InReview);
    assert!(!v.chip_authenticated());
}

#[test]
fn data_group_not_listed_in_the_sod() {
    let (issuer, mut doc, _) = genuine();
    let dg11 = doc.groups.remove(&11).unwrap();
    let sod = doc.sod(&issuer, Hash::Sha256, Scheme::Pkcs1(Hash::Sha256));
    let mut read = doc.read(sod);
    read.data_groups.insert(DataGroup::DG11, dg11);
    let v = verify_chip(&read, &issuer.trust(), now());
    assert_eq!(
        v.findings,
        vec![Finding::DataGroupNotInSod {
            data_group: DataGroup::DG11
        }]
    );
    assert_eq!(v.status(), NfcStatus::Declined);
}

#[test]
fn missing_dg1_declines_and_missing_dg2_goes_to_review() {
    let (issuer, _, read) = genuine();
    let mut no_dg1 = read.clone();
    no_dg1.data_groups.remove(&DataGroup::DG1);
    let v = verify_chip(&no_dg1, &issuer.trust(), now());
    assert_eq!(reasons(&v.findings), ["DATA_GROUP_MISSING"]);
    assert_eq!(v.status(), NfcStatus::Declined);

    let mut no_dg2 = read;
    no_dg2.data_groups.remove(&DataGroup::DG2);
    let v = verify_chip(&no_dg2, &issuer.trust(), now());
    assert_eq!(reasons(&v.findings), ["DATA_GROUP_MISSING"]);
    assert_eq!(v.status(), NfcStatus::InReview);
}

#[test]
fn reader_reported_clone_detection() {
    use verifyd_nfc::{ChipProtocol, ReportedOutcome};
    let (issuer, _, mut read) = genuine();
    read.reader.chip_authentication = ReportedOutcome::Succeeded;
    let v = verify_chip(&read, &issuer.trust(), now());
    assert_eq!(v.status(), NfcStatus::Approved);
    assert!(v.chip_authenticated());

    read.reader.active_authentication = ReportedOutcome::Failed;
    let v = verify_chip(&read, &issuer.trust(), now());
    assert_eq!(
        v.findings,
        vec![Finding::ChipAuthenticationFailed {
            protocol: ChipProtocol::ActiveAuthentication
        }]
    );
    // The data is authentic, the chip is not.
    assert!(v.passive.passed());
    assert!(!v.chip_authenticated());
    assert_eq!(v.status(), NfcStatus::Declined);
}

#[test]
fn expired_document_per_dg1() {
    let issuer = Issuer::utopia();
    let mut doc = Document::minimal();
    let mut fields = crate::chip::specimen_mrz();
    fields.expiry_date = chrono::NaiveDate::from_ymd_opt(2026, 5, 31);
    doc.groups.insert(1, crate::chip::dg1(&fields));
    let sod = doc.sod(&issuer, Hash::Sha256, Scheme::Pkcs1(Hash::Sha256));
    let v = verify_chip(&doc.read(sod), &issuer.trust(), now());
    assert_eq!(
        v.findings,
        vec![Finding::DocumentExpired {
            expiration_date: chrono::NaiveDate::from_ymd_opt(2026, 5, 31).unwrap()
        }]
    );
    assert!(v.passive.passed());
    assert_eq!(v.status(), NfcStatus::Declined);
}

#[test]
fn unsupported_curve_goes_to_review_not_approval() {
    // A DS key on brainpoolP256r1 (named), which we do not implement: the SOD cannot be checked.
    let (issuer, doc, _) = genuine();
    let mut ds = issuer.ds.clone();
    let spki = &mut ds.tbs_certificate.subject_public_key_info;
    spki.algorithm = spki::AlgorithmIdentifierOwned {
        oid: const_oid::ObjectIdentifier::new_unwrap("1.2.840.10045.2.1"),
        parameters: Some(
            der::asn1::Any::encode_from(&const_oid::ObjectIdentifier::new_unwrap(
                "1.3.36.3.3.2.8.1.1.7",
            ))
            .unwrap(),
        ),
    };
    spki.subject_public_key = der::asn1::BitString::from_bytes(&[4; 65]).unwrap();
    let ds = pki::resign(ds, &issuer.csca_key, Scheme::Pkcs1(Hash::Sha256));
    let brainpool = Issuer {
        ds,
        ..issuer.clone()
    };
    let sod = doc.sod(&brainpool, Hash::Sha256, Scheme::Pkcs1(Hash::Sha256));
    let v = verify_chip(&doc.read(sod), &issuer.trust(), now());
    let first = &v.findings[0];
    assert!(
        matches!(first, Finding::UnsupportedAlgorithm { detail } if detail.contains("1.3.36.3.3.2.8.1.1.7")),
        "{first:?}"
    );
    assert_eq!(v.findings.len(), 1, "{:?}", v.findings);
    assert!(!v.passive.sod_signature_valid && v.passive.chain_trusted);
    assert_eq!(v.status(), NfcStatus::InReview);
}
