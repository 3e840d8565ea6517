//! Trust stores: master lists, folders, CRLs.

use der::Encode;
use verifyd_nfc::{verify_chip, Finding, NfcError, NfcStatus, TrustConfig, TrustStore};

use crate::chip::{genuine, now, Issuer, IssuerSpec};
use crate::pki::{self, CertSpec, Hash, Scheme};

/// A Master List Signer certificate issued by `issuer`'s CSCA.
fn master_list_signer(issuer: &Issuer) -> (x509_cert::Certificate, pki::Key) {
    let key = pki::p256_key(40);
    let cert = pki::issue(
        &CertSpec {
            subject: "CN=Master List Signer,O=Ministry of Travel,C=UT",
            serial: 99,
            not_before: pki::utc(2024, 1, 1),
            not_after: pki::utc(2030, 1, 1),
            ca: false,
            explicit_ec: true,
        },
        &key,
        &issuer.csca.tbs_certificate.subject,
        &issuer.csca_key,
        issuer.csca_key.default_scheme(Hash::Sha256),
    );
    (cert, key)
}

fn other_state() -> Issuer {
    Issuer::new(IssuerSpec {
        csca_name: "CN=CSCA Erewhon,C=EW",
        csca_key: pki::p384_key(41),
        csca_scheme: Scheme::Ecdsa(Hash::Sha384),
        ..IssuerSpec::default()
    })
}

fn scratch_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("verifyd-nfc-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn pem(label: &str, der: &[u8]) -> String {
    der::pem::encode_string(label, der::pem::LineEnding::LF, der).unwrap()
}

#[test]
fn master_list_trust_store() {
    let (issuer, _, read) = genuine();
    let (signer, signer_key) = master_list_signer(&issuer);
    let list = pki::master_list(
        &[other_state().csca, issuer.csca.clone()],
        &signer,
        &signer_key,
    );

    let mut store = TrustStore::new();
    assert_eq!(store.add_master_list(&list, "icao.ml").unwrap(), 2);
    assert_eq!(store.len(), 2);
    let v = verify_chip(&read, &store, now());
    assert_eq!(v.findings, vec![]);
    assert_eq!(v.status(), NfcStatus::Approved);

    // The same list without the genuine CSCA does not vouch for the chip.
    let other = other_state();
    let (signer, signer_key) = master_list_signer(&other);
    let list = pki::master_list(std::slice::from_ref(&other.csca), &signer, &signer_key);
    let mut store = TrustStore::new();
    store.add_master_list(&list, "erewhon.ml").unwrap();
    let v = verify_chip(&read, &store, now());
    assert!(matches!(v.findings[..], [Finding::ChainNotTrusted { .. }]));
}

#[test]
fn tampered_or_self_appointed_master_lists_are_refused() {
    let (issuer, _, _) = genuine();
    let (signer, signer_key) = master_list_signer(&issuer);
    let list = pki::master_list(std::slice::from_ref(&issuer.csca), &signer, &signer_key);

    // One byte of the content (inside a CSCA's public key) changed.
    let mut tampered = list.clone();
    let at = tampered.len() / 3;
    tampered[at] ^= 0x01;
    assert!(TrustStore::new().add_master_list(&tampered, "x").is_err());

    // A list whose signer no CSCA in the list issued: anyone could have written it.
    let outsider = other_state();
    let (rogue_signer, rogue_key) = master_list_signer(&outsider);
    let rogue = pki::master_list(
        std::slice::from_ref(&issuer.csca),
        &rogue_signer,
        &rogue_key,
    );
    let err = TrustStore::new()
        .add_master_list(&rogue, "rogue")
        .unwrap_err();
    assert!(
        matches!(err, NfcError::Trust(ref m) if m.contains("not issued")),
        "{err}"
    );

    // A SOD is not a master list.
    let (_, _, read) = genuine();
    let sod_content_info = &read.sod[4..];
    assert!(TrustStore::new()
        .add_master_list(sod_content_info, "sod")
        .is_err());
}

#[test]
fn folder_trust_store_with_pem_der_master_list_and_crl() {
    let (issuer, _, read) = genuine();
    let other = other_state();
    let dir = scratch_dir("folder");
    // A PEM bundle with two CSCAs, one DER CSCA, an unrelated file.
    let bundle = pem("CERTIFICATE", &other.csca.to_der().unwrap())
        + &pem("CERTIFICATE", &issuer.csca.to_der().unwrap());
    std::fs::write(dir.join("cscas.pem"), bundle).unwrap();
    std::fs::write(dir.join("erewhon.cer"), other.csca.to_der().unwrap()).unwrap();
    std::fs::write(dir.join("README.txt"), "not a certificate").unwrap();

    let store = TrustStore::load(&TrustConfig {
        csca_folders: vec![dir.clone()],
        ..TrustConfig::default()
    })
    .unwrap();
    assert_eq!(store.len(), 2, "duplicates are stored once");
    let v = verify_chip(&read, &store, now());
    assert_eq!(v.findings, vec![]);

    // A CRL in the folder that revokes the DS is loaded after the certificates.
    let crl = pki::crl(
        &issuer.csca,
        &issuer.csca_key,
        &[0x0DC5],
        pki::utc(2026, 5, 1),
        pki::utc(2026, 8, 1),
    );
    std::fs::write(dir.join("utopia.crl"), pem("X509 CRL", &crl)).unwrap();
    let store = TrustStore::load(&TrustConfig {
        csca_folders: vec![dir.clone()],
        ..TrustConfig::default()
    })
    .unwrap();
    assert_eq!(store.crl_count(), 1);
    let v = verify_chip(&read, &store, now());
    assert_eq!(
        v.findings,
        vec![Finding::DocumentSignerRevoked {
            revoked_at: pki::utc(2026, 5, 1)
        }]
    );

    // A corrupt certificate file is a configuration error naming the file.
    std::fs::write(dir.join("broken.der"), [0x30, 0x03, 0x02]).unwrap();
    let err = TrustStore::load(&TrustConfig {
        csca_folders: vec![dir.clone()],
        ..TrustConfig::default()
    })
    .unwrap_err();
    assert!(matches!(&err, NfcError::TrustFile { path, .. } if path.ends_with("broken.der")));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn master_list_file_and_crl_file_from_config() {
    let (issuer, _, read) = genuine();
    let dir = scratch_dir("config");
    let (signer, signer_key) = master_list_signer(&issuer);
    std::fs::write(
        dir.join("icao.ml"),
        pki::master_list(std::slice::from_ref(&issuer.csca), &signer, &signer_key),
    )
    .unwrap();
    std::fs::write(
        dir.join("utopia.crl"),
        pki::crl(
            &issuer.csca,
            &issuer.csca_key,
            &[7, 8],
            pki::utc(2026, 5, 1),
            pki::utc(2026, 8, 1),
        ),
    )
    .unwrap();
    let store = TrustStore::load(&TrustConfig {
        master_lists: vec![dir.join("icao.ml")],
        crls: vec![dir.join("utopia.crl")],
        ..TrustConfig::default()
    })
    .unwrap();
    // The CRL lists other serials: the DS is not revoked.
    let v = verify_chip(&read, &store, now());
    assert_eq!(v.findings, vec![]);
    assert_eq!(v.status(), NfcStatus::Approved);

    let missing = TrustStore::load(&TrustConfig {
        master_lists: vec![dir.join("absent.ml")],
        ..TrustConfig::default()
    });
    assert!(matches!(missing, Err(NfcError::TrustFile { .. })));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn crl_revoking_the_document_signer() {
    let (issuer, _, read) = genuine();
    let mut store = issuer.trust();
    store
        .add_crl(&pki::crl(
            &issuer.csca,
            &issuer.csca_key,
            &[3, 0x0DC5],
            pki::utc(2026, 3, 1),
            pki::utc(2026, 9, 1),
        ))
        .unwrap();
    let v = verify_chip(&read, &store, now());
    assert_eq!(
        v.findings,
        vec![Finding::DocumentSignerRevoked {
            revoked_at: pki::utc(2026, 3, 1)
        }]
    );
    assert!(!v.passive.sod_authentic());
    assert_eq!(v.status(), NfcStatus::Declined);
}

#[test]
fn stale_crl_sends_to_review() {
    let (issuer, _, read) = genuine();
    let mut store = issuer.trust();
    store
        .add_crl(&pki::crl(
            &issuer.csca,
            &issuer.csca_key,
            &[],
            pki::utc(2025, 1, 1),
            pki::utc(2025, 4, 1),
        ))
        .unwrap();
    let v = verify_chip(&read, &store, now());
    assert!(matches!(
        v.findings[..],
        [Finding::RevocationListExpired { .. }]
    ));
    assert_eq!(v.status(), NfcStatus::InReview);
}

#[test]
fn crl_not_signed_by_a_configured_csca_is_refused() {
    let (issuer, _, _) = genuine();
    let other = other_state();
    let mut store = issuer.trust();
    let foreign = pki::crl(
        &other.csca,
        &other.csca_key,
        &[1],
        pki::utc(2026, 1, 1),
        pki::utc(2026, 9, 1),
    );
    assert!(matches!(store.add_crl(&foreign), Err(NfcError::Trust(_))));
    // A CRL claiming the genuine CSCA's name, signed by another key.
    let mut forged_issuer = other.csca.clone();
    forged_issuer.tbs_certificate.subject = issuer.csca.tbs_certificate.subject.clone();
    let forged = pki::crl(
        &forged_issuer,
        &other.csca_key,
        &[0x0DC5],
        pki::utc(2026, 1, 1),
        pki::utc(2026, 9, 1),
    );
    assert!(store.add_crl(&forged).is_err());
    assert_eq!(store.crl_count(), 0);
}

#[test]
fn link_certificate_after_a_csca_key_rollover() {
    // The DS was issued under the new CSCA key; the store holds the old self-signed CSCA and
    // the link certificate (new key, signed by the old one), as master lists carry them.
    let old = Issuer::utopia();
    let new_key = pki::p256_key(50);
    let csca_name = old.csca.tbs_certificate.subject.clone();
    let link = pki::issue(
        &CertSpec {
            subject: crate::chip::CSCA_NAME,
            serial: 2,
            not_before: pki::utc(2024, 1, 1),
            not_after: pki::utc(2036, 1, 1),
            ca: true,
            explicit_ec: true,
        },
        &new_key,
        &csca_name,
        &old.csca_key,
        Scheme::Pkcs1(Hash::Sha256),
    );
    let issuer = Issuer::new(IssuerSpec {
        csca_key: new_key,
        csca_scheme: Scheme::Ecdsa(Hash::Sha256),
        ..IssuerSpec::default()
    });
    let doc = crate::chip::Document::minimal();
    let sod = doc.sod(&issuer, Hash::Sha256, Scheme::Pkcs1(Hash::Sha256));
    let mut store = old.trust();
    let v = verify_chip(&doc.read(sod.clone()), &store, now());
    assert!(matches!(v.findings[..], [Finding::ChainNotTrusted { .. }]));
    store
        .add_certificate(&link.to_der().unwrap(), "link")
        .unwrap();
    let v = verify_chip(&doc.read(sod), &store, now());
    assert_eq!(v.findings, vec![]);
    assert_eq!(v.passive.csca.as_ref().unwrap().serial_number, "02");
}
