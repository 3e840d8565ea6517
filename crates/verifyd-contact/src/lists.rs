//! The line-per-entry lists the engines consult (disposable numbers, disposable and free email
//! domains), parsed once into compact lookup structures.
//!
//! File format: one entry per line; blank lines and lines starting with `#` are ignored, so a
//! list can carry its source and licence in a header. The built-in copies live in `data/`
//! (see `data/README.md`); an operator can load newer files of the same format.

use std::collections::HashSet;

use crate::error::DataError;

/// The entries of a list file: trimmed, comments and blanks dropped.
fn entries(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
}

/// A set of E.164 numbers (digits without `+`) held as sorted integers: 8 bytes a number, a
/// binary search a lookup.
#[derive(Debug, Clone, Default)]
pub struct NumberSet(Vec<u64>);

impl NumberSet {
    /// Parses a list file of E.164 digits (a leading `+` is accepted).
    pub fn parse(name: &str, text: &str) -> Result<Self, DataError> {
        let mut numbers = Vec::new();
        for (line, entry) in entries(text) {
            let digits = entry.strip_prefix('+').unwrap_or(entry);
            let valid =
                (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
            let number = digits
                .parse::<u64>()
                .ok()
                .filter(|_| valid)
                .ok_or_else(|| DataError::BadEntry {
                    list: name.to_owned(),
                    line,
                    entry: entry.to_owned(),
                })?;
            numbers.push(number);
        }
        numbers.sort_unstable();
        numbers.dedup();
        Ok(Self(numbers))
    }

    /// Whether the E.164 number (digits, no `+`) is listed.
    pub fn contains(&self, e164_digits: u64) -> bool {
        self.0.binary_search(&e164_digits).is_ok()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A set of domains matched with their subdomains: `mail.mailinator.com` is in the set when
/// `mailinator.com` is.
#[derive(Debug, Clone, Default)]
pub struct DomainSet(HashSet<Box<str>>);

impl DomainSet {
    /// Parses a list file of domains (lower-cased; a leading `@` or `.` is dropped).
    pub fn parse(name: &str, text: &str) -> Result<Self, DataError> {
        let mut domains = HashSet::new();
        for (line, entry) in entries(text) {
            let domain = entry.trim_start_matches(['@', '.']).to_ascii_lowercase();
            let valid = domain.contains('.')
                && domain
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
            if !valid {
                return Err(DataError::BadEntry {
                    list: name.to_owned(),
                    line,
                    entry: entry.to_owned(),
                });
            }
            domains.insert(domain.into_boxed_str());
        }
        Ok(Self(domains))
    }

    /// The listed domain that `domain` is or is under (ASCII, lower case), if any.
    pub fn matching<'d>(&self, domain: &'d str) -> Option<&'d str> {
        let mut candidate = domain;
        loop {
            if self.0.contains(candidate) {
                return Some(candidate);
            }
            // Stop before a bare TLD: lists never hold one, and "com" must not match.
            match candidate.split_once('.') {
                Some((_, parent)) if parent.contains('.') => candidate = parent,
                _ => return None,
            }
        }
    }

    /// Number of entries.
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

    #[test]
    fn numbers_parse_and_match() {
        let set =
            NumberSet::parse("t", "# header\n\n+447700900123\n14155552671\n14155552671\n").unwrap();
        assert_eq!(set.len(), 2);
        assert!(set.contains(447_700_900_123));
        assert!(!set.contains(447_700_900_124));
        let err = NumberSet::parse("t", "123\n").unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
        assert!(NumberSet::parse("t", "12345678x\n").is_err());
    }

    #[test]
    fn domains_match_with_subdomains_but_not_tlds() {
        let set = DomainSet::parse("t", "mailinator.com\n@Yopmail.FR\n").unwrap();
        assert_eq!(set.matching("mailinator.com"), Some("mailinator.com"));
        assert_eq!(set.matching("a.b.mailinator.com"), Some("mailinator.com"));
        assert_eq!(set.matching("yopmail.fr"), Some("yopmail.fr"));
        assert_eq!(set.matching("notmailinator.com"), None);
        assert_eq!(set.matching("com"), None);
        assert!(DomainSet::parse("t", "no spaces.com\n").is_err());
        assert!(DomainSet::parse("t", "localhost\n").is_err());
    }
}
