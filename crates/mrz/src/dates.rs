//! Two-digit MRZ years resolved against a supplied "today".
//!
//! The MRZ stores `YYMMDD`; the century must be inferred. Rules (both deterministic given
//! `today`, which is injected so results do not depend on the wall clock):
//!
//! * **Birth date**: the latest date with those digits that is not after `today`. A person born
//!   on `000101` is taken to be born in 2000 when read in 2026, but a `300101` is 1930. This fails
//!   only for people over 100, whom the MRZ cannot represent anyway.
//! * **Expiry date**: the year in the 100-year window `[today.year − 50, today.year + 50)`. Validity
//!   periods are at most a few decades, and documents read years after they expired are common, so
//!   a symmetric window classifies both correctly; the half-open end keeps the mapping a bijection.

use chrono::{Datelike, NaiveDate};

/// What a `YYMMDD` field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MrzDate {
    /// A real calendar date.
    Date(NaiveDate),
    /// Filler characters: ICAO's way of writing "unknown" (wholly or in part).
    Unknown,
    /// Digits that form no date (month 13, 31 April, letters …).
    Invalid,
}

impl MrzDate {
    pub fn date(self) -> Option<NaiveDate> {
        match self {
            MrzDate::Date(d) => Some(d),
            _ => None,
        }
    }
}

/// Splits `YYMMDD` into numbers; `Err(true)` if fillers mark it unknown, `Err(false)` if invalid.
fn split(raw: &[u8]) -> Result<(i32, u32, u32), bool> {
    if raw.len() != 6 {
        return Err(false);
    }
    if raw.contains(&b'<') {
        return Err(raw.iter().all(|c| *c == b'<' || c.is_ascii_digit()));
    }
    if !raw.iter().all(u8::is_ascii_digit) {
        return Err(false);
    }
    let n = |i: usize| u32::from(raw[i] - b'0') * 10 + u32::from(raw[i + 1] - b'0');
    // `n(0)` is at most 99, so it fits in i32.
    Ok((n(0) as i32, n(2), n(4)))
}

fn classify(raw: &[u8], pick_year: impl Fn(i32, u32, u32) -> Option<NaiveDate>) -> MrzDate {
    match split(raw) {
        Ok((yy, mm, dd)) => pick_year(yy, mm, dd).map_or(MrzDate::Invalid, MrzDate::Date),
        Err(true) => MrzDate::Unknown,
        Err(false) => MrzDate::Invalid,
    }
}

/// Resolves a birth date: the latest matching date not after `today`.
pub(crate) fn birth_date(raw: &[u8], today: NaiveDate) -> MrzDate {
    classify(raw, |yy, mm, dd| {
        let century = today.year().div_euclid(100) * 100;
        // Try this century, then the previous one (the first one not in the future wins).
        [century + yy, century + yy - 100]
            .into_iter()
            .filter_map(|y| NaiveDate::from_ymd_opt(y, mm, dd))
            .find(|d| *d <= today)
    })
}

/// Resolves an expiry date into the window `[today.year − 50, today.year + 50)`.
pub(crate) fn expiry_date(raw: &[u8], today: NaiveDate) -> MrzDate {
    classify(raw, |yy, mm, dd| {
        let base = today.year() - 50;
        let year = base + (yy - base).rem_euclid(100);
        NaiveDate::from_ymd_opt(year, mm, dd)
    })
}

/// `YYMMDD` of a date, as ASCII bytes.
pub(crate) fn yymmdd(d: NaiveDate) -> String {
    format!(
        "{:02}{:02}{:02}",
        d.year().rem_euclid(100),
        d.month(),
        d.day()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn birth_dates() {
        let today = d(2026, 11, 23);
        assert_eq!(birth_date(b"740812", today), MrzDate::Date(d(1974, 8, 12)));
        assert_eq!(birth_date(b"261123", today), MrzDate::Date(d(2026, 11, 23)));
        assert_eq!(birth_date(b"261124", today), MrzDate::Date(d(1926, 11, 24)));
        assert_eq!(birth_date(b"000229", today), MrzDate::Date(d(2000, 2, 29)));
        assert_eq!(birth_date(b"741312", today), MrzDate::Invalid);
        assert_eq!(birth_date(b"74<<<<", today), MrzDate::Unknown);
        assert_eq!(birth_date(b"7408I2", today), MrzDate::Invalid);
    }

    #[test]
    fn expiry_dates() {
        let today = d(2026, 11, 23);
        assert_eq!(expiry_date(b"120415", today), MrzDate::Date(d(2012, 4, 15)));
        assert_eq!(expiry_date(b"750101", today), MrzDate::Date(d(2075, 1, 1)));
        assert_eq!(expiry_date(b"760101", today), MrzDate::Date(d(1976, 1, 1)));
        assert_eq!(expiry_date(b"990101", today), MrzDate::Date(d(1999, 1, 1)));
        assert_eq!(expiry_date(b"<<<<<<", today), MrzDate::Unknown);
    }
}
