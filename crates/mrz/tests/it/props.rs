//! Property tests: generate → parse round-trips, OCR confusions are repaired, nothing panics.

use chrono::{Days, NaiveDate};
use mrz::{
    all_states, generate, name_fits, parse, parse_text, Field, Format, Mode, MrzFields, Problem,
    Sex,
};
use proptest::prelude::*;
use proptest::sample::select;

use crate::today;

fn format() -> impl Strategy<Value = Format> {
    select(vec![
        Format::Td1,
        Format::Td2,
        Format::Td3,
        Format::MrvA,
        Format::MrvB,
    ])
}

fn code(format: Format) -> BoxedStrategy<String> {
    let codes: &[&str] = match format {
        Format::Td3 => &["P", "PD", "PO", "PS"],
        Format::MrvA | Format::MrvB => &["V", "VC", "VT"],
        Format::Td1 | Format::Td2 => &["I", "ID", "IR", "A", "AC", "C"],
    };
    select(codes.to_vec()).prop_map(str::to_owned).boxed()
}

fn words(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec("[A-Z]{1,8}", 0..=max).prop_map(|w| w.join(" "))
}

fn state() -> impl Strategy<Value = String> {
    select(all_states().map(|(c, _)| c.to_owned()).collect::<Vec<_>>())
}

fn birth() -> impl Strategy<Value = Option<NaiveDate>> {
    // Strictly less than a hundred years back: older dates are ambiguous in the MRZ.
    proptest::option::weighted(
        0.9,
        (0u64..36_000).prop_map(|d| today().checked_sub_days(Days::new(d))),
    )
    .prop_map(Option::flatten)
}

fn expiry() -> impl Strategy<Value = Option<NaiveDate>> {
    // Inside the ±50-year expiry window, with a margin.
    proptest::option::weighted(
        0.9,
        (-17_500i64..17_500).prop_map(|d| today().checked_add_signed(chrono::Duration::days(d))),
    )
    .prop_map(Option::flatten)
}

/// Field sets that fit their format without truncation, so the round trip is exact.
fn fields() -> impl Strategy<Value = MrzFields> {
    format()
        .prop_flat_map(|format| {
            (
                Just(format),
                code(format),
                state(),
                ("[A-Z]{1,8}", words(2)).prop_map(|(a, b)| {
                    if b.is_empty() {
                        a
                    } else {
                        format!("{a} {b}")
                    }
                }),
                words(3),
                "[A-Z0-9]{1,14}",
                state(),
                birth(),
                select(vec![Sex::Male, Sex::Female, Sex::Unspecified]),
                expiry(),
                "[A-Z0-9]{0,16}",
                "[A-Z0-9]{0,11}",
            )
        })
        .prop_filter_map("does not fit", |t| {
            let (
                format,
                code,
                issuer,
                surname,
                given,
                number,
                nationality,
                birth,
                sex,
                expiry,
                opt,
                opt2,
            ) = t;
            if !name_fits(format, &surname, &given) {
                return None;
            }
            let (number_room, optional_room): (usize, usize) = match format {
                Format::Td1 => (15 + 9 - 2, 15),
                Format::Td2 => (7 + 9 - 2, 7),
                Format::Td3 => (9, 14),
                Format::MrvA => (9, 16),
                Format::MrvB => (9, 8),
            };
            if number.len() > number_room {
                return None;
            }
            // A long number uses its tail, a check digit and a filler of the optional data.
            let used = if number.len() > 9 {
                number.len() - 9 + 2
            } else {
                0
            };
            let opt: String = opt
                .chars()
                .take(optional_room.saturating_sub(used))
                .collect();
            Some(MrzFields {
                format,
                document_code: code,
                issuing_state: issuer,
                surname,
                given_names: given,
                document_number: number,
                nationality,
                birth_date: birth,
                sex,
                expiry_date: expiry,
                optional_data: opt,
                optional_data_2: if format == Format::Td1 {
                    opt2
                } else {
                    String::new()
                },
            })
        })
}

fn as_refs(lines: &[String]) -> Vec<&str> {
    lines.iter().map(String::as_str).collect()
}

/// The letter OCR typically reads for a digit.
fn confusion(d: u8) -> Option<u8> {
    match d {
        b'0' => Some(b'O'),
        b'1' => Some(b'I'),
        b'2' => Some(b'Z'),
        b'5' => Some(b'S'),
        b'6' => Some(b'G'),
        b'8' => Some(b'B'),
        _ => None,
    }
}

/// (line, first column) of birth date + check digit and expiry date + check digit.
fn date_fields(format: Format) -> [(usize, usize); 2] {
    match format {
        Format::Td1 => [(1, 0), (1, 8)],
        _ => [(1, 13), (1, 21)],
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn generate_parse_round_trip(f in fields()) {
        let lines = generate(&f).unwrap();
        prop_assert_eq!(lines.len(), f.format.lines());
        prop_assert!(lines.iter().all(|l| l.len() == f.format.width()));
        for mode in [Mode::Strict, Mode::Tolerant] {
            let m = parse(&as_refs(&lines), mode, today()).unwrap();
            prop_assert_eq!(&m.problems, &vec![], "{:?}", lines);
            prop_assert!(m.corrections.is_empty(), "{:?} {:?}", lines, m.corrections);
            prop_assert_eq!(m.fields(), f.clone());
        }
    }

    #[test]
    fn tolerant_repairs_one_confusion_in_a_date(f in fields(), pick in any::<prop::sample::Index>()) {
        let lines = generate(&f).unwrap();
        // Every confusable digit in the two dates and their check digits.
        let candidates: Vec<(usize, usize, u8)> = date_fields(f.format)
            .iter()
            .flat_map(|(line, start)| (*start..start + 7).map(move |c| (*line, c)))
            .filter_map(|(line, col)| {
                confusion(lines[line].as_bytes()[col]).map(|letter| (line, col, letter))
            })
            .collect();
        prop_assume!(!candidates.is_empty());
        let (line, col, letter) = candidates[pick.index(candidates.len())];
        let mut damaged = lines.clone();
        let mut bytes = damaged[line].clone().into_bytes();
        let digit = bytes[col];
        bytes[col] = letter;
        damaged[line] = String::from_utf8(bytes).unwrap();

        let strict = parse(&as_refs(&damaged), Mode::Strict, today()).unwrap();
        prop_assert!(!strict.is_valid());

        let m = parse(&as_refs(&damaged), Mode::Tolerant, today()).unwrap();
        prop_assert_eq!(&m.lines, &lines);
        prop_assert!(m.is_valid(), "{:?}", m.problems);
        prop_assert_eq!(m.corrections.len(), 1);
        let c = &m.corrections[0];
        prop_assert_eq!((c.line, c.column), (line + 1, col + 1));
        prop_assert_eq!(c.from.as_bytes(), &[letter]);
        prop_assert_eq!(c.to.as_bytes(), &[digit]);
        prop_assert!(matches!(
            c.field,
            Field::BirthDate | Field::BirthDateCheckDigit | Field::ExpiryDate | Field::ExpiryDateCheckDigit
        ));
        prop_assert_eq!(m.fields(), f);
    }

    #[test]
    fn tolerant_survives_length_noise(f in fields(), extra in 1usize..=3, at_end in any::<bool>()) {
        let lines = generate(&f).unwrap();
        // Lose or gain fillers in the longest filler run of the name line, the usual OCR slip.
        let name_line = if f.format == Format::Td1 { 2 } else { 0 };
        let mut damaged = lines.clone();
        let fill = "<".repeat(extra);
        damaged[name_line] = if at_end {
            format!("{}{fill}", lines[name_line])
        } else {
            let trimmed = lines[name_line].trim_end_matches('<');
            prop_assume!(lines[name_line].len() - trimmed.len() > extra);
            lines[name_line][..lines[name_line].len() - extra].to_owned()
        };
        let m = parse(&as_refs(&damaged), Mode::Tolerant, today()).unwrap();
        prop_assert_eq!(&m.lines, &lines);
        prop_assert!(m.is_valid());
        prop_assert!(m.corrections.iter().all(|c| c.field == Field::LineLength));
    }

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,200}") {
        for mode in [Mode::Strict, Mode::Tolerant] {
            let _ = parse_text(&text, mode, today());
            let _ = mrz::parse_report(&text, mode, today());
        }
    }

    #[test]
    fn mrz_shaped_text_never_panics(
        lines in proptest::collection::vec("[A-Z0-9<oOl| «]{26,48}", 1..=4),
        day in 0u64..80_000,
    ) {
        let today = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap().checked_add_days(Days::new(day)).unwrap();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        for mode in [Mode::Strict, Mode::Tolerant] {
            if let Ok(m) = parse(&refs, mode, today) {
                prop_assert_eq!(m.lines.len(), m.format.lines());
                prop_assert!(m.lines.iter().all(|l| l.len() == m.format.width()));
                // Whatever was read re-encodes into a zone whose check digits all pass.
                if let Ok(lines) = generate(&m.fields()) {
                    let again = parse(&as_refs(&lines), Mode::Strict, today).unwrap();
                    prop_assert!(!again.problems.iter().any(|p| matches!(
                        p,
                        Problem::DocumentNumberCheckDigit
                            | Problem::BirthDateCheckDigit
                            | Problem::ExpiryDateCheckDigit
                            | Problem::PersonalNumberCheckDigit
                            | Problem::CompositeCheckDigit
                    )), "{:?} {:?}", lines, again.problems);
                }
            }
            let _ = parse_text(&lines.join("\n"), mode, today);
        }
    }
}
