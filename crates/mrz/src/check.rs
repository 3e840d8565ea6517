//! ICAO 9303 check digits (Part 3, §4.9).
//!
//! Every character has a numeric value (`0`–`9` → 0–9, `A`–`Z` → 10–35, `<` → 0); the values are
//! multiplied by the repeating weights 7, 3, 1, summed, and the sum modulo 10 is the check digit.

/// The numeric value ICAO 9303 assigns to an MRZ character, or `None` for a character outside the
/// MRZ alphabet (`A`–`Z`, `0`–`9`, `<`).
pub fn char_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        b'<' => Some(0),
        _ => None,
    }
}

/// Computes the check digit (`0`–`9`, as an ASCII byte) of `data`, or `None` if `data` holds a
/// character outside the MRZ alphabet.
pub fn check_digit(data: &[u8]) -> Option<u8> {
    const WEIGHTS: [u32; 3] = [7, 3, 1];
    let mut sum = 0u32;
    for (i, &c) in data.iter().enumerate() {
        sum += char_value(c)? * WEIGHTS[i % 3];
    }
    // `sum % 10` is < 10, so the cast cannot truncate.
    Some(b'0' + (sum % 10) as u8)
}

/// True when `digit` is the check digit of `data`.
///
/// A filler `<` in the check-digit position counts as 0 only when `filler_means_zero` is set: ICAO
/// lets an all-filler optional field carry `<` instead of `0`.
pub(crate) fn verify(data: &[u8], digit: u8, filler_means_zero: bool) -> bool {
    let digit = if digit == b'<' && filler_means_zero {
        b'0'
    } else {
        digit
    };
    check_digit(data) == Some(digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icao_examples() {
        // ICAO 9303 Part 3 §4.9 worked example: date 27 July 1952.
        assert_eq!(check_digit(b"520727"), Some(b'3'));
        // Document number of the TD3 specimen.
        assert_eq!(check_digit(b"L898902C3"), Some(b'6'));
        assert_eq!(check_digit(b"AB2134<<<"), Some(b'5'));
        assert_eq!(check_digit(b"<<<<<<"), Some(b'0'));
        assert_eq!(check_digit(b"ab"), None);
    }

    #[test]
    fn filler_check_digit() {
        assert!(verify(b"<<<<<<<<<<<<<<", b'<', true));
        assert!(verify(b"<<<<<<<<<<<<<<", b'0', true));
        assert!(!verify(b"<<<<<<<<<<<<<<", b'<', false));
    }
}
