//! Credits: amounts in ten-thousandths of a dollar, shown as decimal strings with four
//! decimals (`"142.5000"`), as the billing API does. Integer units avoid float drift in a
//! ledger that is summed forever.

/// Units per dollar.
pub const UNITS_PER_DOLLAR: i64 = 10_000;

/// `12345` → `"1.2345"`, `-500` → `"-0.0500"`.
pub fn format_credits(units: i64) -> String {
    let sign = if units < 0 { "-" } else { "" };
    let abs = units.unsigned_abs();
    let per = UNITS_PER_DOLLAR.unsigned_abs();
    format!("{sign}{}.{:04}", abs / per, abs % per)
}

/// Parses a non-negative decimal amount of dollars with at most four decimals
/// (`"100"`, `"0.15"`, `"2.5000"`).
pub fn parse_credits(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    let (whole, fraction) = raw.split_once('.').unwrap_or((raw, ""));
    if whole.is_empty() && fraction.is_empty()
        || fraction.len() > 4
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let fraction: i64 = format!("{fraction:0<4}").parse().ok()?;
    whole.checked_mul(UNITS_PER_DOLLAR)?.checked_add(fraction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credits_round_trip() {
        assert_eq!(format_credits(1_425_000), "142.5000");
        assert_eq!(format_credits(0), "0.0000");
        assert_eq!(format_credits(-500), "-0.0500");
        assert_eq!(parse_credits("0.15"), Some(1500));
        assert_eq!(parse_credits("100"), Some(1_000_000));
        assert_eq!(parse_credits("2.5000"), Some(25_000));
        for bad in ["", ".", "-1", "1.23456", "abc", "1e3"] {
            assert_eq!(parse_credits(bad), None, "{bad}");
        }
    }
}
