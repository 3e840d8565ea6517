//! IP analysis: where an address is (country, and region/city/coordinates where a database has
//! them), which network it belongs to (AS number, organisation), and whether it hides its user
//! (VPN, proxy, Tor exit, hosting/data-centre range).
//!
//! Sources, each optional, all loaded once into an [`IpIntel`]:
//! - MaxMind DB files (`maxminddb`): MaxMind's GeoIP2/GeoLite2 Country, City, ASN, ISP and
//!   Anonymous-IP formats, and ip-location-db's flat `country`/`city`/`asn` format. The kind is
//!   read from each file's metadata, so an operator just lists files.
//! - CIDR lists of VPN and data-centre ranges, AS-number lists of VPN and hosting networks
//!   (X4BNet's lists), and a Tor exit-address list.
//!
//! What the built-in set covers ([`IpIntel::builtin`]): country (geo-whois-asn-country, CC0),
//! VPN and data-centre ranges; not city, coordinates, ASN or organisation (no such database
//! ships), and no Tor list (a stale one would be wrong both ways). What was not loaded is
//! reported per analysis in [`IpAnalysis::not_loaded`], never silently treated as "clean".
//!
//! [`SharedIpIntel`] holds the current set behind an `ArcSwap`: a scheduled refresh builds a new
//! set off to the side and swaps it in; lookups in flight keep the set they started with.

use std::net::IpAddr;
use std::sync::Arc;

use arc_swap::ArcSwap;
use maxminddb::{geoip2, Reader};
use serde::Deserialize;

use crate::country::{Coordinates, Country};
use crate::error::DataError;
use crate::ranges::{canonical, AsnSet, IpRangeSet};
use crate::warning::{Action, FeatureStatus, Risk, Warning};

const BUILTIN_COUNTRY_DB: &[u8] = include_bytes!("../data/geo-whois-asn-country.mmdb");
const BUILTIN_DATACENTER_RANGES: &str = include_str!("../data/datacenter_ipv4.txt");
const BUILTIN_VPN_RANGES: &str = include_str!("../data/vpn_ipv4.txt");
const BUILTIN_DATACENTER_ASNS: &str = include_str!("../data/datacenter_asn.txt");
const BUILTIN_VPN_ASNS: &str = include_str!("../data/vpn_asn.txt");

/// Database bytes: compiled in, or read from a file.
#[derive(Debug, Clone)]
pub enum DbBytes {
    /// Compiled into the binary.
    Static(&'static [u8]),
    /// Read at run time.
    Owned(Vec<u8>),
}

impl AsRef<[u8]> for DbBytes {
    fn as_ref(&self) -> &[u8] {
        match self {
            Self::Static(b) => b,
            Self::Owned(b) => b,
        }
    }
}

/// What one MaxMind DB file answers, from its `database_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    /// Country only (GeoIP2/GeoLite2-Country, ip-location-db `country`).
    Country,
    /// Country, region, city, coordinates, time zone (GeoIP2/GeoLite2-City, ip-location-db `city`).
    City,
    /// AS number and organisation (GeoLite2-ASN, ip-location-db `asn`).
    Asn,
    /// AS number, organisation and ISP (GeoIP2-ISP).
    Isp,
    /// VPN / proxy / Tor / hosting flags (GeoIP2-Anonymous-IP).
    Anonymous,
}

impl DbKind {
    fn detect(database_type: &str) -> Option<Self> {
        let t = database_type.to_ascii_lowercase();
        let kind = if t.contains("anonymous") {
            Self::Anonymous
        } else if t.contains("isp") {
            Self::Isp
        } else if t.contains("asn") {
            Self::Asn
        } else if t.contains("city") || t.contains("enterprise") {
            Self::City
        } else if t.contains("country") {
            Self::Country
        } else {
            return None;
        };
        Some(kind)
    }
}

/// One opened database.
struct Db {
    name: String,
    kind: DbKind,
    /// MaxMind's nested schema (`country.iso_code`) rather than ip-location-db's flat one.
    geoip2_schema: bool,
    reader: Reader<DbBytes>,
}

impl Db {
    fn open(name: &str, bytes: DbBytes) -> Result<Self, DataError> {
        let reader = Reader::from_source(bytes).map_err(|source| DataError::Mmdb {
            name: name.to_owned(),
            source,
        })?;
        let database_type = reader.metadata().database_type.clone();
        let kind = DbKind::detect(&database_type).ok_or_else(|| DataError::BadEntry {
            list: name.to_owned(),
            line: 0,
            entry: format!("unsupported database_type {database_type:?}"),
        })?;
        let geoip2_schema =
            database_type.starts_with("GeoIP") || database_type.starts_with("GeoLite");
        Ok(Self {
            name: name.to_owned(),
            kind,
            geoip2_schema,
            reader,
        })
    }

    fn location(&self, ip: IpAddr) -> Option<Location> {
        let found = self.reader.lookup(ip).ok()?;
        if self.geoip2_schema {
            let city: geoip2::City = found.decode().ok()??;
            let country = city.country.iso_code.and_then(Country::from_code)?;
            let coordinates = match (city.location.latitude, city.location.longitude) {
                (Some(latitude), Some(longitude)) => Some(Coordinates {
                    latitude,
                    longitude,
                }),
                _ => None,
            };
            Some(Location {
                country,
                state: city
                    .subdivisions
                    .first()
                    .and_then(|s| s.names.english)
                    .map(str::to_owned),
                city: city.city.names.english.map(str::to_owned),
                coordinates,
                time_zone: city.location.time_zone.map(str::to_owned),
            })
        } else {
            let flat: FlatLocation = found.decode().ok()??;
            let country = flat.country_code.as_deref().and_then(Country::from_code)?;
            let coordinates = match (flat.latitude, flat.longitude) {
                (Some(latitude), Some(longitude)) => Some(Coordinates {
                    latitude,
                    longitude,
                }),
                _ => None,
            };
            Some(Location {
                country,
                state: flat.state1,
                city: flat.city,
                coordinates,
                time_zone: flat.timezone,
            })
        }
    }

    fn network(&self, ip: IpAddr) -> Option<NetworkOwner> {
        let found = self.reader.lookup(ip).ok()?;
        let isp: geoip2::Isp = found.decode().ok()??;
        Some(NetworkOwner {
            asn: isp.autonomous_system_number,
            asn_organization: isp.autonomous_system_organization.map(str::to_owned),
            isp: isp.isp.map(str::to_owned),
            organization: isp.organization.map(str::to_owned),
        })
    }

    fn anonymity(&self, ip: IpAddr) -> Option<geoip2::AnonymousIp> {
        self.reader.lookup(ip).ok()?.decode().ok()?
    }
}

/// ip-location-db's flat record.
#[derive(Deserialize)]
struct FlatLocation {
    country_code: Option<String>,
    state1: Option<String>,
    city: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    timezone: Option<String>,
}

struct Location {
    country: Country,
    state: Option<String>,
    city: Option<String>,
    coordinates: Option<Coordinates>,
    time_zone: Option<String>,
}

#[derive(Default)]
struct NetworkOwner {
    asn: Option<u32>,
    asn_organization: Option<String>,
    isp: Option<String>,
    organization: Option<String>,
}

/// A source an analysis could not consult because it was not loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// Any country database.
    CountryDatabase,
    /// A city database (region, city, coordinates, time zone).
    CityDatabase,
    /// An ASN or ISP database (AS number, organisation, ISP; AS-based VPN/hosting lists).
    AsnDatabase,
    /// A Tor exit-address list.
    TorExitList,
    /// VPN ranges.
    VpnRanges,
    /// Data-centre ranges.
    DatacenterRanges,
    /// An anonymous-IP database (commercial; optional).
    AnonymousIpDatabase,
}

impl Source {
    /// A stable name for reports and `threat.not_loaded`.
    pub fn name(self) -> &'static str {
        match self {
            Self::CountryDatabase => "country_database",
            Self::CityDatabase => "city_database",
            Self::AsnDatabase => "asn_database",
            Self::TorExitList => "tor_exit_list",
            Self::VpnRanges => "vpn_ranges",
            Self::DatacenterRanges => "datacenter_ranges",
            Self::AnonymousIpDatabase => "anonymous_ip_database",
        }
    }
}

/// Builds an [`IpIntel`] from any mix of sources.
#[derive(Default)]
pub struct IpIntelBuilder {
    dbs: Vec<Db>,
    datacenter_ranges: Option<IpRangeSet>,
    vpn_ranges: Option<IpRangeSet>,
    tor_exits: Option<IpRangeSet>,
    datacenter_asns: Option<AsnSet>,
    vpn_asns: Option<AsnSet>,
}

impl std::fmt::Debug for IpIntelBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IpIntelBuilder")
            .field(
                "databases",
                &self
                    .dbs
                    .iter()
                    .map(|d| (&d.name, d.kind))
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl IpIntelBuilder {
    /// Adds a MaxMind DB; its kind comes from its metadata. Later databases of a kind are asked
    /// first, so a configured file overrides the built-in one.
    pub fn database(mut self, name: &str, bytes: DbBytes) -> Result<Self, DataError> {
        self.dbs.insert(0, Db::open(name, bytes)?);
        Ok(self)
    }

    /// Adds a MaxMind DB from a file.
    pub fn database_file(self, path: &std::path::Path) -> Result<Self, DataError> {
        let bytes = read(path)?;
        self.database(&path.display().to_string(), DbBytes::Owned(bytes))
    }

    /// Sets the data-centre CIDR list.
    pub fn datacenter_ranges(mut self, set: IpRangeSet) -> Self {
        self.datacenter_ranges = Some(set);
        self
    }

    /// Sets the VPN CIDR list.
    pub fn vpn_ranges(mut self, set: IpRangeSet) -> Self {
        self.vpn_ranges = Some(set);
        self
    }

    /// Sets the Tor exit-address list.
    pub fn tor_exits(mut self, set: IpRangeSet) -> Self {
        self.tor_exits = Some(set);
        self
    }

    /// Sets the hosting-network AS list (used with an ASN database).
    pub fn datacenter_asns(mut self, set: AsnSet) -> Self {
        self.datacenter_asns = Some(set);
        self
    }

    /// Sets the VPN-provider AS list (used with an ASN database).
    pub fn vpn_asns(mut self, set: AsnSet) -> Self {
        self.vpn_asns = Some(set);
        self
    }

    /// The finished, immutable set.
    pub fn build(self) -> IpIntel {
        IpIntel {
            dbs: self.dbs,
            datacenter_ranges: self.datacenter_ranges,
            vpn_ranges: self.vpn_ranges,
            tor_exits: self.tor_exits,
            datacenter_asns: self.datacenter_asns,
            vpn_asns: self.vpn_asns,
        }
    }
}

fn read(path: &std::path::Path) -> Result<Vec<u8>, DataError> {
    std::fs::read(path).map_err(|source| DataError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Reads a text list file (for [`IpRangeSet::parse`] / [`AsnSet::parse`]).
pub fn read_list(path: &std::path::Path) -> Result<String, DataError> {
    String::from_utf8(read(path)?).map_err(|_| DataError::BadEntry {
        list: path.display().to_string(),
        line: 0,
        entry: "not UTF-8 text".to_owned(),
    })
}

/// One loaded set of IP sources. Immutable; share it with an `Arc` or [`SharedIpIntel`].
pub struct IpIntel {
    dbs: Vec<Db>,
    datacenter_ranges: Option<IpRangeSet>,
    vpn_ranges: Option<IpRangeSet>,
    tor_exits: Option<IpRangeSet>,
    datacenter_asns: Option<AsnSet>,
    vpn_asns: Option<AsnSet>,
}

impl std::fmt::Debug for IpIntel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IpIntel")
            .field(
                "databases",
                &self
                    .dbs
                    .iter()
                    .map(|d| (&d.name, d.kind))
                    .collect::<Vec<_>>(),
            )
            .field("not_loaded", &self.not_loaded())
            .finish()
    }
}

impl IpIntel {
    /// An empty builder.
    pub fn builder() -> IpIntelBuilder {
        IpIntelBuilder::default()
    }

    /// A builder holding the built-in sources (country database, VPN and data-centre ranges and
    /// AS lists); add configured databases and lists on top.
    pub fn builtin_builder() -> Result<IpIntelBuilder, DataError> {
        Ok(Self::builder()
            .database(
                "geo-whois-asn-country.mmdb (built in)",
                DbBytes::Static(BUILTIN_COUNTRY_DB),
            )?
            .datacenter_ranges(IpRangeSet::parse(
                "datacenter_ipv4.txt",
                BUILTIN_DATACENTER_RANGES,
            )?)
            .vpn_ranges(IpRangeSet::parse("vpn_ipv4.txt", BUILTIN_VPN_RANGES)?)
            .datacenter_asns(AsnSet::parse(
                "datacenter_asn.txt",
                BUILTIN_DATACENTER_ASNS,
            )?)
            .vpn_asns(AsnSet::parse("vpn_asn.txt", BUILTIN_VPN_ASNS)?))
    }

    /// The built-in sources alone.
    pub fn builtin() -> Result<Self, DataError> {
        Ok(Self::builtin_builder()?.build())
    }

    fn has(&self, kinds: &[DbKind]) -> bool {
        self.dbs.iter().any(|d| kinds.contains(&d.kind))
    }

    /// The sources this set lacks.
    pub fn not_loaded(&self) -> Vec<Source> {
        let mut missing = Vec::new();
        if !self.has(&[DbKind::Country, DbKind::City]) {
            missing.push(Source::CountryDatabase);
        }
        if !self.has(&[DbKind::City]) {
            missing.push(Source::CityDatabase);
        }
        if !self.has(&[DbKind::Asn, DbKind::Isp]) {
            missing.push(Source::AsnDatabase);
        }
        if self.tor_exits.is_none() {
            missing.push(Source::TorExitList);
        }
        if self.vpn_ranges.is_none() {
            missing.push(Source::VpnRanges);
        }
        if self.datacenter_ranges.is_none() {
            missing.push(Source::DatacenterRanges);
        }
        if !self.has(&[DbKind::Anonymous]) {
            missing.push(Source::AnonymousIpDatabase);
        }
        missing
    }

    /// Analyses one address. `claimed_country` is the document's issuing country or the
    /// request's `claimed_country`, when there is one.
    pub fn analyze(&self, ip: IpAddr, claimed_country: Option<Country>) -> IpAnalysis {
        let ip = canonical(ip);
        let mut a = IpAnalysis {
            ip,
            is_public: is_public(ip),
            country: None,
            state: None,
            city: None,
            coordinates: None,
            time_zone: None,
            asn: None,
            asn_organization: None,
            isp: None,
            organization: None,
            is_tor: false,
            is_vpn: false,
            is_proxy: false,
            is_data_center: false,
            claimed_country,
            not_loaded: self.not_loaded(),
        };
        if !a.is_public {
            return a;
        }
        // The most precise location first: city databases, then country ones.
        for kind in [DbKind::City, DbKind::Country] {
            if a.country.is_some() {
                break;
            }
            if let Some(loc) = self
                .dbs
                .iter()
                .filter(|d| d.kind == kind)
                .find_map(|d| d.location(ip))
            {
                a.country = Some(loc.country);
                a.state = loc.state;
                a.city = loc.city;
                a.coordinates = loc.coordinates;
                a.time_zone = loc.time_zone;
            }
        }
        let owner = self
            .dbs
            .iter()
            .filter(|d| matches!(d.kind, DbKind::Isp | DbKind::Asn))
            .find_map(|d| d.network(ip))
            .unwrap_or_default();
        a.asn = owner.asn;
        a.asn_organization = owner.asn_organization;
        a.isp = owner.isp;
        a.organization = owner.organization.or_else(|| a.asn_organization.clone());

        let in_ranges = |set: &Option<IpRangeSet>| set.as_ref().is_some_and(|s| s.contains(ip));
        let asn = a.asn;
        let in_asns = |set: &Option<AsnSet>| {
            asn.is_some_and(|asn| set.as_ref().is_some_and(|s| s.contains(asn)))
        };
        a.is_tor = in_ranges(&self.tor_exits);
        a.is_vpn = in_ranges(&self.vpn_ranges) || in_asns(&self.vpn_asns);
        a.is_data_center = in_ranges(&self.datacenter_ranges) || in_asns(&self.datacenter_asns);
        if let Some(anon) = self
            .dbs
            .iter()
            .filter(|d| d.kind == DbKind::Anonymous)
            .find_map(|d| d.anonymity(ip))
        {
            a.is_tor |= anon.is_tor_exit_node == Some(true);
            a.is_vpn |= anon.is_anonymous_vpn == Some(true);
            a.is_proxy |=
                anon.is_public_proxy == Some(true) || anon.is_residential_proxy == Some(true);
            a.is_data_center |= anon.is_hosting_provider == Some(true);
        }
        a
    }
}

/// Addresses that geolocation and reputation lists say nothing about: private, loopback,
/// link-local, documentation, unspecified, multicast and similar ranges.
fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                || o[0] == 0
                || (o[0] == 100 && (o[1] & 0xc0) == 64) // 100.64/10 shared address space
                || o[0] >= 240)
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link local
                || (first == 0x2001 && v6.segments()[1] == 0x0db8)) // documentation
        }
    }
}

/// What one analysis found (the `ip_analyses[]` element's network facts).
#[derive(Debug, Clone, PartialEq)]
pub struct IpAnalysis {
    /// The address (IPv4-mapped IPv6 shown as IPv4).
    pub ip: IpAddr,
    /// `false` for private, loopback and other non-routable addresses, which have no location.
    pub is_public: bool,
    /// Country of the address.
    pub country: Option<Country>,
    /// Region (`ip_state`), with a city database.
    pub state: Option<String>,
    /// City, with a city database.
    pub city: Option<String>,
    /// Coordinates, with a city database.
    pub coordinates: Option<Coordinates>,
    /// IANA time zone, with a city database.
    pub time_zone: Option<String>,
    /// AS number, with an ASN database.
    pub asn: Option<u32>,
    /// AS organisation, with an ASN database.
    pub asn_organization: Option<String>,
    /// ISP, with an ISP database.
    pub isp: Option<String>,
    /// Organisation (the ISP database's, else the AS organisation).
    pub organization: Option<String>,
    /// Listed as a Tor exit.
    pub is_tor: bool,
    /// In a VPN range or a VPN provider's AS.
    pub is_vpn: bool,
    /// A public or residential proxy (anonymous-IP database only).
    pub is_proxy: bool,
    /// In a hosting / data-centre range or AS.
    pub is_data_center: bool,
    /// The country the address was compared with.
    pub claimed_country: Option<Country>,
    /// Sources the analysis lacked: their flags are not known, not "false".
    pub not_loaded: Vec<Source>,
}

impl IpAnalysis {
    /// `is_vpn_or_tor`: VPN, proxy or Tor (Didit's "private network").
    pub fn is_vpn_or_tor(&self) -> bool {
        self.is_vpn || self.is_tor || self.is_proxy
    }

    /// `country_mismatch`: `None` when either side is unknown.
    pub fn country_mismatch(&self) -> Option<bool> {
        Some(self.country? != self.claimed_country?)
    }

    /// Great-circle km from the address's location to the claimed country's centre; only with
    /// a city database (a country-level location has no point to measure from).
    pub fn distance_to_claimed_country_km(&self) -> Option<f64> {
        Some(
            self.coordinates?
                .distance_km(self.claimed_country?.centre()),
        )
    }

    /// `proxy_type`: `TOR`, `VPN`, `PROXY` or `None`.
    pub fn proxy_type(&self) -> Option<&'static str> {
        if self.is_tor {
            Some("TOR")
        } else if self.is_vpn {
            Some("VPN")
        } else if self.is_proxy {
            Some("PROXY")
        } else {
            None
        }
    }

    /// The warnings under the workflow's actions.
    pub fn warnings(&self, policy: &IpPolicy) -> Vec<Warning> {
        let mut warnings = Vec::new();
        if self.is_vpn_or_tor() {
            warnings.push(Warning::new(
                Risk::PrivateNetworkDetected,
                policy.private_network_action,
            ));
        }
        if let (Some(true), Some(ip_country), Some(claimed)) =
            (self.country_mismatch(), self.country, self.claimed_country)
        {
            warnings.push(
                Warning::new(
                    Risk::CountryFromDocumentDoesNotMatchCountryFromIp,
                    policy.country_mismatch_action,
                )
                .with_data(serde_json::json!({
                    "document_country_code": claimed.alpha3(),
                    "ip_country_code": ip_country.alpha3(),
                })),
            );
        }
        warnings
    }

    /// The standalone `/v3/ip/risk/` status: `In Review` on a country mismatch or a VPN, Tor,
    /// proxy or data-centre address, otherwise `Approved` (the OpenAPI's rule).
    pub fn risk_status(&self) -> FeatureStatus {
        if self.country_mismatch() == Some(true) || self.is_vpn_or_tor() || self.is_data_center {
            FeatureStatus::InReview
        } else {
            FeatureStatus::Approved
        }
    }

    /// The `threat` object: each flag and the sources that could not be consulted.
    pub fn threat_json(&self) -> serde_json::Value {
        serde_json::json!({
            "is_tor": self.is_tor,
            "is_vpn": self.is_vpn,
            "is_proxy": self.is_proxy,
            "is_data_center": self.is_data_center,
            "not_loaded": self.not_loaded.iter().map(|s| s.name()).collect::<Vec<_>>(),
        })
    }
}

/// What to do about a private network or a country mismatch (`NO_ACTION` by default, as on
/// Didit; the workflow's IP-analysis settings override it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IpPolicy {
    /// For `PRIVATE_NETWORK_DETECTED`.
    pub private_network_action: Action,
    /// For `COUNTRY_FROM_DOCUMENT_DOES_NOT_MATCH_COUNTRY_FROM_IP`.
    pub country_mismatch_action: Action,
}

/// The current [`IpIntel`], swappable while lookups run (a scheduled refresh).
pub struct SharedIpIntel(ArcSwap<IpIntel>);

impl SharedIpIntel {
    /// Starts with `intel`.
    pub fn new(intel: IpIntel) -> Self {
        Self(ArcSwap::from_pointee(intel))
    }

    /// The current set (cheap; hold it for one request).
    pub fn current(&self) -> Arc<IpIntel> {
        self.0.load_full()
    }

    /// Replaces the set; lookups already holding the old one finish with it.
    pub fn replace(&self, intel: IpIntel) {
        self.0.store(Arc::new(intel));
    }
}

impl std::fmt::Debug for SharedIpIntel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.current().fmt(f)
    }
}
