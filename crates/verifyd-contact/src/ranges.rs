//! Address ranges (VPN and data-centre CIDR lists, Tor exit addresses) and AS-number lists,
//! parsed once into sorted, merged intervals: a lookup is a binary search.

use std::net::IpAddr;

use ipnet::IpNet;

use crate::error::DataError;

fn entries(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().filter_map(|(i, line)| {
        // `AS123 # comment` and `1.2.3.0/24 # comment` alike.
        let entry = line.split('#').next().unwrap_or_default().trim();
        (!entry.is_empty()).then_some((i + 1, entry))
    })
}

fn merge<T: Ord + Copy>(mut spans: Vec<(T, T)>, next: impl Fn(T) -> Option<T>) -> Vec<(T, T)> {
    spans.sort_unstable();
    let mut merged: Vec<(T, T)> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match merged.last_mut() {
            // Overlapping or adjacent (end + 1 == start) spans join.
            Some(last) if next(last.1).is_none_or(|after| start <= after) => {
                last.1 = last.1.max(end);
            }
            _ => merged.push((start, end)),
        }
    }
    merged
}

fn find<T: Ord + Copy>(spans: &[(T, T)], x: T) -> bool {
    let i = spans.partition_point(|(start, _)| *start <= x);
    i > 0 && spans[i - 1].1 >= x
}

/// A set of IPv4 and IPv6 ranges from CIDR lines or bare addresses.
#[derive(Debug, Clone, Default)]
pub struct IpRangeSet {
    v4: Vec<(u32, u32)>,
    v6: Vec<(u128, u128)>,
    entries: usize,
}

impl IpRangeSet {
    /// Parses one CIDR (`1.2.3.0/24`, `2001:db8::/32`) or address per line; `#` starts a comment.
    pub fn parse(name: &str, text: &str) -> Result<Self, DataError> {
        let (mut v4, mut v6, mut count) = (Vec::new(), Vec::new(), 0);
        for (line, entry) in entries(text) {
            let net = entry
                .parse::<IpNet>()
                .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| DataError::BadEntry {
                    list: name.to_owned(),
                    line,
                    entry: entry.to_owned(),
                })?;
            match net {
                IpNet::V4(n) => v4.push((u32::from(n.network()), u32::from(n.broadcast()))),
                IpNet::V6(n) => v6.push((u128::from(n.network()), u128::from(n.broadcast()))),
            }
            count += 1;
        }
        Ok(Self {
            v4: merge(v4, |x: u32| x.checked_add(1)),
            v6: merge(v6, |x: u128| x.checked_add(1)),
            entries: count,
        })
    }

    /// Whether `ip` is in one of the ranges (an IPv4-mapped IPv6 address counts as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match canonical(ip) {
            IpAddr::V4(v4) => find(&self.v4, u32::from(v4)),
            IpAddr::V6(v6) => find(&self.v6, u128::from(v6)),
        }
    }

    /// Lines read (before merging).
    pub fn entries(&self) -> usize {
        self.entries
    }
}

/// `::ffff:1.2.3.4` as `1.2.3.4`, so lists and databases see one form.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// A set of autonomous-system numbers from `AS123` (or `123`) lines.
#[derive(Debug, Clone, Default)]
pub struct AsnSet(Vec<u32>);

impl AsnSet {
    /// Parses one AS number per line; `#` starts a comment.
    pub fn parse(name: &str, text: &str) -> Result<Self, DataError> {
        let mut asns = Vec::new();
        for (line, entry) in entries(text) {
            let digits = entry
                .strip_prefix("AS")
                .or_else(|| entry.strip_prefix("as"))
                .unwrap_or(entry);
            let asn = digits.parse::<u32>().map_err(|_| DataError::BadEntry {
                list: name.to_owned(),
                line,
                entry: entry.to_owned(),
            })?;
            asns.push(asn);
        }
        asns.sort_unstable();
        asns.dedup();
        Ok(Self(asns))
    }

    /// Whether the AS is listed.
    pub fn contains(&self, asn: u32) -> bool {
        self.0.binary_search(&asn).is_ok()
    }

    /// Number of AS numbers.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ranges_merge_and_match_both_families() {
        let set = IpRangeSet::parse(
            "t",
            "10.0.0.0/24\n10.0.1.0/24 # adjacent\n10.0.0.128/25\n192.0.2.7\n2001:db8::/32\n",
        )
        .unwrap();
        assert_eq!(set.entries(), 5);
        assert_eq!(set.v4.len(), 2, "{:?}", set.v4);
        for inside in [
            "10.0.0.0",
            "10.0.1.255",
            "192.0.2.7",
            "2001:db8::1",
            "::ffff:10.0.0.5",
        ] {
            assert!(set.contains(ip(inside)), "{inside}");
        }
        for outside in ["10.0.2.0", "9.255.255.255", "192.0.2.8", "2001:db9::"] {
            assert!(!set.contains(ip(outside)), "{outside}");
        }
        assert!(IpRangeSet::parse("t", "10.0.0.0/33\n").is_err());
        let full = IpRangeSet::parse("t", "0.0.0.0/0\n").unwrap();
        assert!(full.contains(ip("255.255.255.255")));
    }

    #[test]
    fn asn_lists_parse_with_comments() {
        let set = AsnSet::parse("t", "AS9009 # M247\n209854\n\n# c\n").unwrap();
        assert!(set.contains(9009) && set.contains(209_854) && !set.contains(1));
        assert!(AsnSet::parse("t", "ASX\n").is_err());
    }
}
