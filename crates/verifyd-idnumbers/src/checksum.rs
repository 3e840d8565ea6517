//! Check-digit systems shared by several schemes.
//!
//! The generic, standardised ones come from kept crates: Luhn (`luhn3`), Verhoeff (`verhoeff`),
//! ISO/IEC 7064 (`iso-7064`) and the ICAO 9303 7-3-1 digit (this workspace's `mrz` crate). What
//! is written here has no crate because it is not a standard: the per-country weighted sums
//! ("weights 2..7, 11 − r") that each registry defines with its own remainder rules.

use verhoeff::Verhoeff;

/// Decimal value of an ASCII digit.
pub(crate) fn digit(b: u8) -> Option<u32> {
    b.is_ascii_digit().then(|| u32::from(b - b'0'))
}

/// Decimal values of an all-digit string, or `None`.
pub(crate) fn digits(s: &str) -> Option<Vec<u32>> {
    s.bytes().map(digit).collect()
}

/// The number an all-digit string spells (`None` on a non-digit or overflow).
pub(crate) fn number(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Σ weightᵢ · digitᵢ over the shorter of the two.
pub(crate) fn weighted_sum(digits: &[u32], weights: &[u32]) -> u32 {
    digits.iter().zip(weights).map(|(d, w)| d * w).sum()
}

/// Luhn (ISO/IEC 7812-1 Annex B) over an all-digit string whose last digit is the check digit.
pub(crate) fn luhn_valid(s: &str) -> bool {
    luhn3::decimal::valid(s.as_bytes())
}

/// The Luhn check digit (`0`–`9`) to append to an all-digit `body`.
pub(crate) fn luhn_check_digit(body: &str) -> Option<char> {
    luhn3::decimal::checksum(body.as_bytes()).map(char::from)
}

/// Verhoeff (dihedral group D5) over an all-digit string whose last digit is the check digit.
pub(crate) fn verhoeff_valid(s: &str) -> bool {
    s.validate_verhoeff_check_digit()
}

/// The Verhoeff check digit to append to an all-digit `body`.
pub(crate) fn verhoeff_check_digit(body: &str) -> Option<char> {
    // The crate panics on a non-digit, so refuse those first.
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    char::from_digit(u32::from(body.calculate_verhoeff_check_digit()), 10)
}

/// ISO/IEC 7064 MOD 11-2 over digits with a final `0`–`9`/`X` check character.
pub(crate) fn mod11_2_valid(s: &str) -> bool {
    iso_7064::MOD11_2.verify(s).unwrap_or(false)
}

/// The ISO/IEC 7064 MOD 11-2 check character for `body`.
pub(crate) fn mod11_2_check(body: &str) -> Option<char> {
    iso_7064::MOD11_2.compute(body).ok().map(|[c]| c)
}

/// ISO/IEC 7064 MOD 11,10 over digits with a final check digit.
pub(crate) fn mod11_10_valid(s: &str) -> bool {
    iso_7064::MOD11_10.verify(s).unwrap_or(false)
}

/// The ISO/IEC 7064 MOD 11,10 check digit for `body`.
pub(crate) fn mod11_10_check(body: &str) -> Option<char> {
    iso_7064::MOD11_10.compute(body).ok().map(|[c]| c)
}

/// The ICAO 9303 7-3-1 check digit of MRZ characters (`0-9`, `A-Z`, `<`).
pub(crate) fn icao_check_digit(s: &str) -> Option<char> {
    mrz::check_digit(s.as_bytes()).map(char::from)
}

/// `97 − (n mod 97)`, the key of the French NIR and the Belgian national number.
pub(crate) fn key97(n: u64) -> u64 {
    97 - n % 97
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrappers_agree_with_the_standards_examples() {
        // Luhn: the ISO/IEC 7812 worked example 7992739871 → 3.
        assert_eq!(luhn_check_digit("7992739871"), Some('3'));
        assert!(luhn_valid("79927398713"));
        assert!(!luhn_valid("79927398710"));
        // Verhoeff: the worked example in Verhoeff (1969) / Wikipedia, 236 → 3.
        assert_eq!(verhoeff_check_digit("236"), Some('3'));
        assert!(verhoeff_valid("2363"));
        assert_eq!(verhoeff_check_digit("23a"), None);
        // ISO 7064 MOD 11-2: the standard's example 079 → X.
        assert_eq!(mod11_2_check("079"), Some('X'));
        assert!(mod11_2_valid("079X"));
        // ICAO 9303 Part 3 example: document number L898902C3 → 6.
        assert_eq!(icao_check_digit("L898902C3"), Some('6'));
        assert_eq!(key97(2_550_814_168_025), 38);
    }
}
