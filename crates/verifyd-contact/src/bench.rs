//! Latency of each lookup, for `cargo bench -p verifyd-contact` and (later) `verifyd bench
//! contact`: load times of each data set, then per-lookup medians over a fixed set of inputs.

use std::hint::black_box;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use crate::{DeviceParser, DeviceSignals, EmailAddress, EmailAnalyzer, IpIntel, PhoneAnalyzer};

/// One measured operation.
#[derive(Debug, Clone)]
pub struct Measurement {
    /// What was measured.
    pub name: &'static str,
    /// Median time of one call.
    pub median: Duration,
    /// 95th percentile.
    pub p95: Duration,
    /// Calls timed.
    pub samples: usize,
}

impl std::fmt::Display for Measurement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:<28} median {:>10.1?}  p95 {:>10.1?}  (n={})",
            self.name, self.median, self.p95, self.samples
        )
    }
}

/// Times `op` over each input, `rounds` times, and reports per-call quantiles.
pub fn measure<T>(
    name: &'static str,
    inputs: &[T],
    rounds: usize,
    mut op: impl FnMut(&T),
) -> Measurement {
    let mut times = Vec::with_capacity(inputs.len() * rounds);
    for _ in 0..rounds {
        for input in inputs {
            let start = Instant::now();
            op(black_box(input));
            times.push(start.elapsed());
        }
    }
    times.sort_unstable();
    let at = |q: f64| {
        times
            .get(((times.len() as f64 - 1.0) * q) as usize)
            .copied()
            .unwrap_or_default()
    };
    Measurement {
        name,
        median: at(0.5),
        p95: at(0.95),
        samples: times.len(),
    }
}

/// Times one call (a data set's load).
pub fn measure_once<T>(name: &'static str, op: impl FnOnce() -> T) -> (T, Measurement) {
    let start = Instant::now();
    let out = op();
    let elapsed = start.elapsed();
    (
        out,
        Measurement {
            name,
            median: elapsed,
            p95: elapsed,
            samples: 1,
        },
    )
}

/// Fixed inputs: real formats, a mix of hits and misses.
pub const PHONES: &[&str] = &[
    "+14155552671",
    "+447700900123",
    "+34612345678",
    "+4915123456789",
    "+33612345678",
    "+46200231",
    "+5511987654321",
    "+819012345678",
    "+61412345678",
    "+447911123456",
];
/// Addresses over listed, free and unknown domains.
pub const EMAILS: &[&str] = &[
    "ann@example.com",
    "bob@gmail.com",
    "x@mailinator.com",
    "y@sub.yopmail.com",
    "Zoe.Doe+tag@Outlook.com",
    "li@company.co.uk",
    "m@protonmail.com",
    "n@guerrillamail.com",
];
/// Public addresses of both families.
pub const IPS: &[&str] = &[
    "8.8.8.8",
    "1.1.1.1",
    "81.2.69.142",
    "185.220.101.1",
    "2.26.157.5",
    "1.12.0.1",
    "2a02:8010::1",
    "193.0.6.139",
    "41.0.0.1",
    "200.160.2.3",
];
/// Browser, app and bot User-Agents.
pub const USER_AGENTS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
];

/// Loads every built-in data set and times loads and lookups. `rounds` repeats each input.
pub fn run(rounds: usize) -> Result<Vec<Measurement>, crate::DataError> {
    let mut out = Vec::new();
    let (phones, m) = measure_once("load phone list", PhoneAnalyzer::builtin);
    let phones = phones?;
    out.push(m);
    let (emails, m) = measure_once("load email lists", EmailAnalyzer::builtin);
    let emails = emails?;
    out.push(m);
    let (ips, m) = measure_once("load IP sources", IpIntel::builtin);
    let ips = ips?;
    out.push(m);
    let (devices, m) = measure_once("compile UA rules", DeviceParser::builtin);
    let devices = devices?;
    out.push(m);

    out.push(measure("phone parse+analyze", PHONES, rounds, |raw| {
        if let Ok(n) = phones.parse(raw, None) {
            black_box(phones.analyze(&n));
        }
    }));
    out.push(measure("email parse+classify", EMAILS, rounds, |raw| {
        if let Ok(e) = EmailAddress::parse(raw) {
            black_box(emails.classify(&e));
        }
    }));
    let addrs: Vec<IpAddr> = IPS.iter().filter_map(|s| s.parse().ok()).collect();
    let spain = crate::Country::from_code("ES");
    out.push(measure("ip analyze", &addrs, rounds, |ip| {
        black_box(ips.analyze(*ip, spain));
    }));
    out.push(measure("device parse", USER_AGENTS, rounds, |ua| {
        black_box(devices.parse(&DeviceSignals {
            user_agent: Some(ua),
            ..DeviceSignals::default()
        }));
    }));
    Ok(out)
}

/// How two IP sets agree on the country of the same addresses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CountryAgreement {
    /// Public addresses drawn.
    pub addresses: usize,
    /// Both sets give a country.
    pub both_known: usize,
    /// …and it is the same.
    pub same: usize,
    /// Only the first set gives one.
    pub only_first: usize,
    /// Only the second set gives one.
    pub only_second: usize,
}

impl std::fmt::Display for CountryAgreement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pct = |n: usize, d: usize| {
            if d == 0 {
                0.0
            } else {
                100.0 * n as f64 / d as f64
            }
        };
        write!(
            f,
            "{} public IPv4: both known {} ({:.1} %), same country {:.2} % of those; only first {}, only second {}",
            self.addresses,
            self.both_known,
            pct(self.both_known, self.addresses),
            pct(self.same, self.both_known),
            self.only_first,
            self.only_second
        )
    }
}

/// Draws `samples` public IPv4 addresses uniformly (a fixed xorshift sequence from `seed`) and
/// compares the countries two sets give them: a check of the built-in database against an
/// independent one (e.g. iptoasn-country) that neither was tuned on.
pub fn country_agreement(
    first: &IpIntel,
    second: &IpIntel,
    samples: usize,
    seed: u64,
) -> CountryAgreement {
    let mut state = seed.max(1);
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut out = CountryAgreement::default();
    while out.addresses < samples {
        let ip = IpAddr::V4(std::net::Ipv4Addr::from(next() as u32));
        let a = first.analyze(ip, None);
        if !a.is_public {
            continue;
        }
        out.addresses += 1;
        let b = second.analyze(ip, None);
        match (a.country, b.country) {
            (Some(x), Some(y)) => {
                out.both_known += 1;
                out.same += usize::from(x == y);
            }
            (Some(_), None) => out.only_first += 1,
            (None, Some(_)) => out.only_second += 1,
            (None, None) => {}
        }
    }
    out
}
