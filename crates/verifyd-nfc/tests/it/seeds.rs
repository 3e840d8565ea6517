//! Writes the fuzz target's seed corpus from the generated PKI (run on demand, see
//! fuzz/Cargo.toml): each file is the target's selector byte followed by a real file.

use der::Encode;

use crate::chip::{self, genuine};
use crate::pki::{self, Hash};

#[test]
#[ignore = "writes the fuzz seed corpus; run with VERIFYD_NFC_SEED_DIR set"]
fn fuzz_seed_corpus() {
    let dir = std::path::PathBuf::from(
        std::env::var("VERIFYD_NFC_SEED_DIR").expect("VERIFYD_NFC_SEED_DIR"),
    );
    std::fs::create_dir_all(&dir).unwrap();
    let (issuer, doc, read) = genuine();
    let crl = pki::crl(
        &issuer.csca,
        &issuer.csca_key,
        &[5],
        pki::utc(2026, 1, 1),
        pki::utc(2026, 9, 1),
    );
    let ml_key = pki::p256_key(3);
    let ml_signer = pki::issue(
        &pki::CertSpec {
            subject: "CN=ML Signer,C=UT",
            serial: 9,
            not_before: pki::utc(2024, 1, 1),
            not_after: pki::utc(2030, 1, 1),
            ca: false,
            explicit_ec: true,
        },
        &ml_key,
        &issuer.csca.tbs_certificate.subject,
        &issuer.csca_key,
        issuer.csca_key.default_scheme(Hash::Sha256),
    );
    let ml = pki::master_list(std::slice::from_ref(&issuer.csca), &ml_signer, &ml_key);
    let jp2_dg2 = chip::dg2_with(chip::JP2, 24, 32, 1);
    let seeds: Vec<(&str, u8, Vec<u8>)> = vec![
        ("sod", 0, read.sod.clone()),
        ("dg1", 1, doc.groups[&1].clone()),
        ("dg2-jpeg", 2, doc.groups[&2].clone()),
        ("dg2-jp2", 2, jp2_dg2),
        ("dg11", 3, doc.groups[&11].clone()),
        ("dg12", 3, doc.groups[&12].clone()),
        ("dg14", 4, doc.groups[&14].clone()),
        ("dg15", 4, doc.groups[&15].clone()),
        ("master-list", 5, ml),
        ("csca", 6, issuer.csca.to_der().unwrap()),
        ("crl", 6, crl),
        ("chip", 8, read.sod),
    ];
    for (name, selector, bytes) in seeds {
        let mut file = vec![selector];
        file.extend_from_slice(&bytes);
        std::fs::write(dir.join(name), file).unwrap();
    }
}
