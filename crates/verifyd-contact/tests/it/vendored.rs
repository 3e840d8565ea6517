//! The vendored lists hold exactly the entries of their originals in `shared/testdata`.

use std::collections::BTreeSet;

use crate::shared;

fn data(name: &str) -> BTreeSet<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(name);
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn phone_and_email_lists_match_their_sources() {
    let Some(phone) = shared("phone") else { return };
    let numbers: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&std::fs::read(phone.join("disposable_numbers.json")).unwrap())
            .unwrap();
    // E.164 has at most 15 digits; longer source entries are left out.
    let valid: BTreeSet<String> = numbers.keys().filter(|k| k.len() <= 15).cloned().collect();
    assert!(numbers.len() - valid.len() <= 1);
    assert_eq!(data("disposable_phone_numbers.txt"), valid);

    let Some(email) = shared("email") else { return };
    let disposable: BTreeSet<String> =
        std::fs::read_to_string(email.join("disposable_domains.txt"))
            .unwrap()
            .lines()
            .map(|l| l.trim().to_lowercase())
            .filter(|l| !l.is_empty())
            .collect();
    assert_eq!(data("disposable_email_domains.txt"), disposable);
    let free: Vec<String> =
        serde_json::from_slice(&std::fs::read(email.join("free_email_domains.json")).unwrap())
            .unwrap();
    assert_eq!(
        data("free_email_domains.txt"),
        free.iter().map(|d| d.to_lowercase()).collect()
    );
}

#[test]
fn ip_files_are_byte_copies() {
    let Some(ip) = shared("ip") else { return };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    for (ours, theirs) in [
        ("geo-whois-asn-country.mmdb", "geo-whois-asn-country.mmdb"),
        ("datacenter_ipv4.txt", "output_datacenter_ipv4.txt"),
        ("vpn_ipv4.txt", "output_vpn_ipv4.txt"),
        ("datacenter_asn.txt", "input_datacenter_ASN.txt"),
        ("vpn_asn.txt", "input_vpn_ASN.txt"),
    ] {
        assert_eq!(
            std::fs::read(dir.join(ours)).unwrap(),
            std::fs::read(ip.join(theirs)).unwrap(),
            "{ours}"
        );
    }
}
