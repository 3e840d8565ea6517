//! Verification cost of one chip read and of loading a master list, over the tests' generated
//! PKI (the builders are shared with tests/it, so the bench signs exactly what the tests do).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

#[path = "../tests/it/chip.rs"]
mod chip;
#[path = "../tests/it/pki.rs"]
mod pki;

use criterion::{criterion_group, criterion_main, Criterion};
use verifyd_nfc::{verify_chip, NfcStatus, TrustStore};

use chip::{now, Document, Issuer, IssuerSpec};
use pki::{CertSpec, Hash, Scheme};

fn verify(c: &mut Criterion) {
    // RSA-2048 CSCA and DS, PKCS#1 v1.5, SHA-256; six data groups.
    let (issuer, _, read) = chip::genuine();
    let trust = issuer.trust();
    assert_eq!(
        verify_chip(&read, &trust, now()).status(),
        NfcStatus::Approved
    );
    c.bench_function("verify_chip_rsa2048", |b| {
        b.iter(|| verify_chip(&read, &trust, now()))
    });

    // P-384 CSCA, P-256 DS, explicit domain parameters as ICAO requires.
    let ec = Issuer::new(IssuerSpec {
        csca_key: pki::p384_key(1),
        ds_key: pki::p256_key(2),
        csca_scheme: Scheme::Ecdsa(Hash::Sha384),
        ..IssuerSpec::default()
    });
    let doc = Document::specimen();
    let read = doc.read(doc.sod(&ec, Hash::Sha256, Scheme::Ecdsa(Hash::Sha256)));
    let trust = ec.trust();
    assert_eq!(
        verify_chip(&read, &trust, now()).status(),
        NfcStatus::Approved
    );
    c.bench_function("verify_chip_ecdsa_p256_explicit", |b| {
        b.iter(|| verify_chip(&read, &trust, now()))
    });

    // A master list the size of a large state's (250 CSCAs).
    let cscas: Vec<_> = (0..250u32)
        .map(|i| {
            let key = pki::p256_key(u64::from(1000 + i));
            let subject = format!("CN=CSCA {i},C=UT");
            pki::issue(
                &CertSpec {
                    subject: &subject,
                    serial: i + 1,
                    not_before: pki::utc(2020, 1, 1),
                    not_after: pki::utc(2036, 1, 1),
                    ca: true,
                    explicit_ec: true,
                },
                &key,
                &pki::name(&subject),
                &key,
                Scheme::Ecdsa(Hash::Sha256),
            )
        })
        .chain([issuer.csca.clone()])
        .collect();
    let signer_key = pki::p256_key(7);
    let signer = pki::issue(
        &CertSpec {
            subject: "CN=ML Signer,C=UT",
            serial: 9,
            not_before: pki::utc(2024, 1, 1),
            not_after: pki::utc(2030, 1, 1),
            ca: false,
            explicit_ec: true,
        },
        &signer_key,
        &issuer.csca.tbs_certificate.subject,
        &issuer.csca_key,
        Scheme::Pkcs1(Hash::Sha256),
    );
    let list = pki::master_list(&cscas, &signer, &signer_key);
    c.bench_function("load_master_list_251", |b| {
        b.iter(|| {
            let mut store = TrustStore::new();
            store.add_master_list(&list, "bench").unwrap()
        })
    });
}

criterion_group!(benches, verify);
criterion_main!(benches);
