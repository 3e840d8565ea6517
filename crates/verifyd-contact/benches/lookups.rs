//! `cargo bench -p verifyd-contact`: load times and per-lookup latency of every built-in data
//! set (the figures `verifyd_contact::bench::run` gives), then, when `shared/testdata` is there
//! (`VERIFYD_SHARED_DIR` or `../shared`), checks on data the engine was not tuned on: the
//! built-in country database against iptoasn-country, and what libphonenumber's plan says of
//! the receive-SMS list.

use std::collections::BTreeMap;
use std::path::PathBuf;

use verifyd_contact::ip::DbBytes;
use verifyd_contact::{bench, IpIntel, PhoneAnalyzer};

fn shared() -> Option<PathBuf> {
    let root = std::env::var_os("VERIFYD_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")));
    let dir = root.join("testdata");
    dir.is_dir().then_some(dir)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for m in bench::run(200)? {
        println!("{m}");
    }
    let Some(shared) = shared() else {
        println!("shared/testdata absent: evaluations skipped");
        return Ok(());
    };
    let ours = IpIntel::builtin()?;
    let other = IpIntel::builder()
        .database(
            "iptoasn-country.mmdb",
            DbBytes::Owned(std::fs::read(shared.join("ip/iptoasn-country.mmdb"))?),
        )?
        .build();
    println!(
        "country agreement (geo-whois-asn-country vs iptoasn-country): {}",
        bench::country_agreement(&ours, &other, 200_000, 0x5eed)
    );

    let phones = PhoneAnalyzer::builtin()?;
    let list = include_str!("../data/disposable_phone_numbers.txt");
    let (mut total, mut valid) = (0usize, 0usize);
    let started = std::time::Instant::now();
    let mut types: BTreeMap<&str, usize> = BTreeMap::new();
    let mut countries = std::collections::BTreeSet::<String>::new();
    for digits in list.lines().filter(|l| !l.starts_with('#')) {
        total += 1;
        if let Ok(n) = phones.parse(&format!("+{digits}"), None) {
            valid += 1;
            *types
                .entry(phones.analyze(&n).line_type.wire())
                .or_default() += 1;
            countries.extend(n.country().map(|c| c.alpha2()));
        }
    }
    let per_number = started.elapsed() / u32::try_from(total.max(1)).unwrap_or(u32::MAX);
    println!(
        "receive-SMS list ({per_number:?} a number, {} countries' plans): {total} numbers, {valid} valid ({:.1} %) for libphonenumber; line types {types:?}",
        countries.len(),
        100.0 * valid as f64 / total as f64
    );
    if let Ok(statm) = std::fs::read_to_string("/proc/self/statm") {
        let pages: u64 = statm
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        println!(
            "resident memory after the runs: {} MiB",
            pages * 4096 / (1 << 20)
        );
    }
    Ok(())
}
