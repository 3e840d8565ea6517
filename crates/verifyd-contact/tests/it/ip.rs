//! IP analysis over the built-in country database and lists, MaxMind's test databases, and the
//! Tor exit-list fixture.

use std::net::IpAddr;

use verifyd_contact::ip::{read_list, DbBytes};
use verifyd_contact::ranges::IpRangeSet;
use verifyd_contact::{
    Action, Country, FeatureStatus, IpIntel, IpPolicy, LogType, Risk, SharedIpIntel, Source,
};

use crate::{fixture, ips};

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn country(code: &str) -> Option<Country> {
    Country::from_code(code)
}

fn tor_list() -> IpRangeSet {
    let text = read_list(&fixture("tor_exit_nodes_2024-02.txt")).unwrap();
    IpRangeSet::parse("tor", &text).unwrap()
}

fn maxmind(name: &str) -> DbBytes {
    DbBytes::Owned(std::fs::read(fixture("maxmind").join(name)).unwrap())
}

#[test]
fn builtin_country_database_locates_public_addresses() {
    let a = ips().analyze(ip("8.8.8.8"), None);
    assert!(a.is_public);
    assert_eq!(a.country.unwrap().alpha2(), "US");
    // Country-level data: no city or coordinates are invented.
    assert_eq!((a.city.as_deref(), a.coordinates), (None, None));
    assert_eq!(a.distance_to_claimed_country_km(), None);
    let v6 = ips().analyze(ip("2a00:1450:4001:80b::200e"), None);
    assert!(v6.country.is_some(), "IPv6 is covered");
    // IPv4-mapped IPv6 is the same address.
    assert_eq!(ips().analyze(ip("::ffff:8.8.8.8"), None).country, a.country);
}

#[test]
fn private_addresses_have_no_location_and_no_mismatch() {
    for private in [
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.10",
        "100.64.0.1",
        "::1",
        "fd00::1",
    ] {
        let a = ips().analyze(ip(private), country("ES"));
        assert!(!a.is_public, "{private}");
        assert_eq!(a.country, None);
        assert_eq!(a.country_mismatch(), None);
        assert!(a.warnings(&IpPolicy::default()).is_empty());
    }
}

#[test]
fn country_mismatch_carries_both_iso3_codes() {
    let policy = IpPolicy {
        country_mismatch_action: Action::Review,
        ..IpPolicy::default()
    };
    let a = ips().analyze(ip("8.8.8.8"), country("ESP"));
    assert_eq!(a.country_mismatch(), Some(true));
    let w = a.warnings(&policy);
    let mismatch = w
        .iter()
        .find(|w| w.risk == Risk::CountryFromDocumentDoesNotMatchCountryFromIp)
        .unwrap();
    assert_eq!(mismatch.log_type, LogType::Warning);
    let json = mismatch.to_json();
    assert_eq!(json["additional_data"]["document_country_code"], "ESP");
    assert_eq!(json["additional_data"]["ip_country_code"], "USA");
    assert_eq!(json["feature"], "LOCATION");
    assert_eq!(
        ips()
            .analyze(ip("8.8.8.8"), country("US"))
            .country_mismatch(),
        Some(false)
    );
}

#[test]
fn vpn_and_data_centre_ranges_flag_addresses() {
    let vpn = ips().analyze(ip("2.26.157.5"), None);
    assert!(vpn.is_vpn && vpn.is_vpn_or_tor());
    assert_eq!(vpn.proxy_type(), Some("VPN"));
    let dc = ips().analyze(ip("8.8.8.8"), None);
    assert!(dc.is_data_center && !dc.is_vpn_or_tor());
    assert_eq!(dc.risk_status(), FeatureStatus::InReview);
    let w = vpn.warnings(&IpPolicy {
        private_network_action: Action::Decline,
        ..IpPolicy::default()
    });
    assert_eq!(w[0].risk, Risk::PrivateNetworkDetected);
    assert_eq!(w[0].log_type, LogType::Error);
}

#[test]
fn what_is_not_loaded_is_said() {
    let a = ips().analyze(ip("8.8.8.8"), None);
    for missing in [
        Source::TorExitList,
        Source::CityDatabase,
        Source::AsnDatabase,
    ] {
        assert!(a.not_loaded.contains(&missing), "{missing:?}");
    }
    assert!(!a.not_loaded.contains(&Source::CountryDatabase));
    assert_eq!(a.threat_json()["not_loaded"][0], "city_database");
    let empty = IpIntel::builder()
        .build()
        .analyze(ip("8.8.8.8"), country("ES"));
    assert_eq!((empty.country, empty.country_mismatch()), (None, None));
    assert!(empty.not_loaded.contains(&Source::CountryDatabase));
    assert_eq!(empty.risk_status(), FeatureStatus::Approved);
}

#[test]
fn tor_exits_are_flagged_and_sets_swap_atomically() {
    let shared = SharedIpIntel::new(IpIntel::builtin().unwrap());
    let before = shared.current();
    assert!(!before.analyze(ip("185.220.100.240"), None).is_tor);
    shared.replace(
        IpIntel::builtin_builder()
            .unwrap()
            .tor_exits(tor_list())
            .build(),
    );
    let tor = shared.current().analyze(ip("185.220.100.240"), None);
    assert!(tor.is_tor && tor.is_vpn_or_tor());
    assert_eq!(tor.proxy_type(), Some("TOR"));
    assert!(!tor.not_loaded.contains(&Source::TorExitList));
    let w = tor.warnings(&IpPolicy::default());
    assert_eq!(
        (w[0].risk, w[0].log_type),
        (Risk::PrivateNetworkDetected, LogType::Information)
    );
    // A lookup that started before the swap keeps its set.
    assert!(!before.analyze(ip("185.220.100.240"), None).is_tor);
}

#[test]
fn city_asn_and_anonymous_databases_fill_their_fields() {
    let intel = IpIntel::builtin_builder()
        .unwrap()
        .database("city", maxmind("GeoIP2-City-Test.mmdb"))
        .unwrap()
        .database("asn", maxmind("GeoLite2-ASN-Test.mmdb"))
        .unwrap()
        .database("anonymous", maxmind("GeoIP2-Anonymous-IP-Test.mmdb"))
        .unwrap()
        .build();
    let london = intel.analyze(ip("81.2.69.142"), country("ESP"));
    assert_eq!(london.country.unwrap().alpha2(), "GB");
    assert_eq!(london.city.as_deref(), Some("London"));
    assert_eq!(london.state.as_deref(), Some("England"));
    assert_eq!(london.time_zone.as_deref(), Some("Europe/London"));
    let c = london.coordinates.unwrap();
    assert!((c.latitude - 51.5142).abs() < 1e-6 && (c.longitude + 0.0931).abs() < 1e-6);
    let km = london.distance_to_claimed_country_km().unwrap();
    assert!(
        (1100.0..1500.0).contains(&km),
        "London to Spain's centre: {km}"
    );
    // The anonymous-IP test data marks this block as VPN, proxy, hosting and Tor.
    assert!(london.is_tor && london.is_vpn && london.is_proxy && london.is_data_center);

    let telstra = intel.analyze(ip("1.128.0.1"), None);
    assert_eq!(telstra.asn, Some(1221));
    assert_eq!(telstra.organization.as_deref(), Some("Telstra Pty Ltd"));
    assert!(!intel
        .analyze(ip("1.128.0.1"), None)
        .not_loaded
        .contains(&Source::AsnDatabase));

    // ASN-based lists apply once an ASN database is loaded (Google's AS is a hosting network).
    let google = intel.analyze(ip("1.0.0.1"), None);
    assert_eq!(google.asn, Some(15169));
    assert!(google.is_data_center);
}

#[test]
fn unreadable_databases_are_errors_not_empty_sets() {
    let err = IpIntel::builder()
        .database("junk", DbBytes::Owned(b"not a database".to_vec()))
        .unwrap_err();
    assert!(err.to_string().contains("junk"), "{err}");
    assert!(IpIntel::builder()
        .database_file(std::path::Path::new("/nonexistent/x.mmdb"))
        .is_err());
}
