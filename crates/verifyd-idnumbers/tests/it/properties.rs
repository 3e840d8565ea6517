//! Generated numbers: every generated number validates and keeps its form; one changed digit
//! breaks every scheme whose check detects single-digit errors.

use proptest::prelude::*;
use verifyd_idnumbers::rules::{detects_single_digit_errors, parse_as, sample};
use verifyd_idnumbers::IdKind;

use crate::today;

fn kinds() -> impl Strategy<Value = IdKind> {
    let all: Vec<IdKind> = IdKind::all().collect();
    proptest::sample::select(all)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn any_text_is_answered_without_panicking(text in "\\PC{0,24}", idx in 0usize..26) {
        let country = verifyd_idnumbers::Country::all().nth(idx).unwrap();
        let _ = verifyd_idnumbers::parse(country, &text, today());
    }

    #[test]
    fn number_like_text_is_answered_without_panicking(text in "[0-9A-Z +./ÑÄ-]{0,20}", idx in 0usize..26) {
        let country = verifyd_idnumbers::Country::all().nth(idx).unwrap();
        let _ = verifyd_idnumbers::parse(country, &text, today());
    }

    #[test]
    fn generated_numbers_round_trip(kind in kinds(), seed in any::<u64>()) {
        let text = sample(kind, seed);
        let n = parse_as(kind, &text, today());
        prop_assert!(n.is_ok(), "{kind} {text}: {:?}", n.err());
        let n = n.unwrap();
        prop_assert_eq!(n.kind, kind);
        // Parsing the compact form again gives the same number and data (flags may differ: a
        // German card number's compact form leaves the MRZ check digit out).
        let again = parse_as(kind, &n.compact, today()).unwrap();
        prop_assert_eq!(&again.compact, &n.compact);
        prop_assert_eq!(again.birth_date, n.birth_date);
        prop_assert_eq!(again.sex, n.sex);
        prop_assert_eq!(again.region, n.region);
        prop_assert_eq!(again.name_code, n.name_code);
    }

    #[test]
    fn one_changed_digit_is_caught(kind in kinds(), seed in any::<u64>(), pos in any::<prop::sample::Index>(), delta in 1u8..10) {
        prop_assume!(detects_single_digit_errors(kind));
        let text = sample(kind, seed);
        let digits: Vec<usize> = text.char_indices().filter(|(_, c)| c.is_ascii_digit()).map(|(i, _)| i).collect();
        let i = digits[pos.index(digits.len())];
        let mut bytes = text.clone().into_bytes();
        bytes[i] = b'0' + (bytes[i] - b'0' + delta) % 10;
        let changed = String::from_utf8(bytes).unwrap();
        prop_assert!(parse_as(kind, &changed, today()).is_err(), "{kind}: {text} → {changed} accepted");
    }
}
