//! Fuzzes text → MRZ parsing in both modes. Beyond "never panics" it checks the invariants the
//! rest of verifyd relies on: a parsed zone has its format's shape, and whatever fields were read
//! can be re-encoded into a zone whose check digits all pass.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use mrz::{generate, parse, parse_text, Mode, Problem};

const CHECK_DIGITS: [Problem; 5] = [
    Problem::DocumentNumberCheckDigit,
    Problem::BirthDateCheckDigit,
    Problem::ExpiryDateCheckDigit,
    Problem::PersonalNumberCheckDigit,
    Problem::CompositeCheckDigit,
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Some(today) = NaiveDate::from_ymd_opt(2026, 1, 1) else { return };
    for mode in [Mode::Strict, Mode::Tolerant] {
        let _ = mrz::parse_report(text, mode, today);
        let Ok(m) = parse_text(text, mode, today) else { continue };
        assert_eq!(m.lines.len(), m.format.lines());
        assert!(m.lines.iter().all(|l| l.len() == m.format.width()));
        if let Ok(lines) = generate(&m.fields()) {
            let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
            let again = parse(&refs, Mode::Strict, today).expect("generated zone parses");
            assert!(
                !again.problems.iter().any(|p| CHECK_DIGITS.contains(p)),
                "{lines:?}: {:?}",
                again.problems
            );
        }
    }
});
