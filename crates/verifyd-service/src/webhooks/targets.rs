//! Where webhooks may be sent. A webhook URL is chosen by a tenant, so without care it is a
//! way to make the server call its own network (SSRF): loopback admin ports, the cloud
//! metadata service at 169.254.169.254, private databases. Destinations on such addresses are
//! refused when configured (IP literal, or a name that resolves only to such addresses) and
//! again when delivering: the HTTP client resolves names through [`GuardedResolver`], which
//! drops forbidden addresses, so the connection goes only to an address that was checked
//! (no second lookup an attacker's DNS could answer differently). Proxies and redirects are
//! off for the same reason. `webhook_allow_private_targets` lifts the rule for development.

use reqwest::Url;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

/// A destination on an address webhooks may not reach.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("refused target: {0} is a loopback, private, link-local or otherwise internal address")]
pub struct RefusedTarget(pub String);

/// Why a webhook URL is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// Not an absolute http(s) URL with a host.
    #[error("invalid URL")]
    Invalid,
    /// The host is (or resolves only to) an internal address.
    #[error(transparent)]
    Refused(#[from] RefusedTarget),
}

/// Whether webhooks must not be sent to `ip`: loopback, private (RFC 1918, unique local
/// fc00::/7 — which holds fd00::/8), link-local (169.254/16 with the metadata service,
/// fe80::/10), shared CGNAT space, unspecified, broadcast, multicast, documentation,
/// benchmarking and reserved ranges. IPv4-mapped, IPv4-compatible and NAT64 IPv6 addresses
/// are judged by the IPv4 address inside.
pub fn is_forbidden_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_forbidden_v4(v4),
        IpAddr::V6(v6) => is_forbidden_v6(v6),
    }
}

fn is_forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240 // reserved
}

fn is_forbidden_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_forbidden_v4(v4);
    }
    let segments = ip.segments();
    // IPv4-compatible (::a.b.c.d, deprecated) and NAT64 (64:ff9b::/96) embed an IPv4 address.
    let embedded = Ipv4Addr::new(
        (segments[6] >> 8) as u8,
        segments[6] as u8,
        (segments[7] >> 8) as u8,
        segments[7] as u8,
    );
    if segments[..6] == [0, 0, 0, 0, 0, 0] && !ip.is_loopback() && !ip.is_unspecified() {
        return is_forbidden_v4(embedded);
    }
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return is_forbidden_v4(embedded);
    }
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (segments[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (segments[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (segments[0] & 0xffc0) == 0xfec0 // site-local fec0::/10 (deprecated)
        || (segments[0] == 0x2001 && segments[1] == 0x0db8) // documentation
        || segments[0] == 0x0100 && segments[1..4] == [0, 0, 0] // discard-only 100::/64
}

/// Parses a webhook URL: absolute, http or https, with a host, at most 2048 characters.
pub fn parse_url(raw: &str) -> Result<Url, TargetError> {
    if raw.len() > 2048 {
        return Err(TargetError::Invalid);
    }
    let url = Url::parse(raw.trim()).map_err(|_| TargetError::Invalid)?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(TargetError::Invalid);
    }
    Ok(url)
}

/// The IP address of a URL whose host is an IP literal.
fn literal_ip(url: &Url) -> Option<IpAddr> {
    match url.host()? {
        url::Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
        url::Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
        url::Host::Domain(_) => None,
    }
}

/// The delivery-time check for IP-literal hosts (names are checked by [`GuardedResolver`]).
pub fn check_literal(url: &Url, allow_private: bool) -> Result<(), RefusedTarget> {
    match literal_ip(url) {
        Some(ip) if !allow_private && is_forbidden_ip(ip) => Err(RefusedTarget(ip.to_string())),
        _ => Ok(()),
    }
}

/// The configuration-time check: a valid URL whose host is not an internal IP literal and
/// does not resolve only to internal addresses. A name that does not resolve (yet) is
/// accepted; delivery checks it again.
pub async fn check_configured_url(raw: &str, allow_private: bool) -> Result<Url, TargetError> {
    let url = parse_url(raw)?;
    if allow_private {
        return Ok(url);
    }
    check_literal(&url, false)?;
    if let (None, Some(host)) = (literal_ip(&url), url.host_str()) {
        let port = url.port_or_known_default().unwrap_or(443);
        let lookup = tokio::net::lookup_host((host.to_owned(), port));
        if let Ok(Ok(addrs)) = tokio::time::timeout(Duration::from_secs(3), lookup).await {
            let addrs: Vec<SocketAddr> = addrs.collect();
            if !addrs.is_empty() && addrs.iter().all(|a| is_forbidden_ip(a.ip())) {
                return Err(RefusedTarget(host.to_owned()).into());
            }
        }
    }
    Ok(url)
}

/// The webhook client's DNS resolver: resolves with the system resolver and keeps only
/// allowed addresses, failing with [`RefusedTarget`] when none is left.
#[derive(Debug, Clone, Copy)]
pub struct GuardedResolver {
    /// Keep internal addresses too (development and tests).
    pub allow_private: bool,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = resolved
                .iter()
                .copied()
                .filter(|a| allow_private || !is_forbidden_ip(a.ip()))
                .collect();
            if allowed.is_empty() && !resolved.is_empty() {
                return Err(
                    Box::new(RefusedTarget(host)) as Box<dyn std::error::Error + Send + Sync>
                );
            }
            let addrs: reqwest::dns::Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forbidden(s: &str) -> bool {
        is_forbidden_ip(s.parse().unwrap())
    }

    #[test]
    fn internal_addresses_are_forbidden() {
        for ip in [
            "127.0.0.1",
            "127.8.9.10",
            "0.0.0.0",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "198.18.0.1",
            "192.0.2.1",
            "240.0.0.1",
            "::1",
            "::",
            "fd00::1",
            "fd00:ec2::254",
            "fc00::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2001:db8::1",
        ] {
            assert!(forbidden(ip), "{ip} should be forbidden");
        }
    }

    #[test]
    fn public_addresses_are_allowed() {
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "18.203.201.92",
            "172.32.0.1",
            "100.128.0.1",
            "169.255.0.1",
            "2606:4700:4700::1111",
            "2a00:1450:4001:80b::200e",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(!forbidden(ip), "{ip} should be allowed");
        }
    }

    #[test]
    fn urls_are_parsed_and_literals_checked() {
        assert_eq!(parse_url("ftp://example.com/x"), Err(TargetError::Invalid));
        assert_eq!(parse_url("not a url"), Err(TargetError::Invalid));
        assert_eq!(parse_url("https://"), Err(TargetError::Invalid));
        let url = parse_url("http://169.254.169.254/latest/meta-data").unwrap();
        assert!(check_literal(&url, false).is_err());
        assert!(check_literal(&url, true).is_ok());
        let url = parse_url("http://[fd00::1]:8080/hook").unwrap();
        assert!(check_literal(&url, false).is_err());
        let url = parse_url("https://example.com/hook").unwrap();
        assert!(check_literal(&url, false).is_ok());
    }

    #[tokio::test]
    async fn configured_urls_are_refused_when_internal() {
        assert!(matches!(
            check_configured_url("http://127.0.0.1:9/x", false).await,
            Err(TargetError::Refused(_))
        ));
        assert!(matches!(
            check_configured_url("http://localhost:9/x", false).await,
            Err(TargetError::Refused(_))
        ));
        assert!(check_configured_url("http://127.0.0.1:9/x", true)
            .await
            .is_ok());
    }
}
