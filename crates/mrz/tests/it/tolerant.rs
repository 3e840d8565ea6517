//! Tolerant mode repairs OCR noise, and only where the field type and check digits allow.

use mrz::{parse, parse_text, Field, Mode, Problem};

use crate::{today, TD1, TD3};

#[test]
fn whitespace_case_and_length() {
    let text = format!(
        "  {}  \n\n {}»»\n",
        TD3[0].to_lowercase().replace("<<<<<<", "<<<<< "),
        &TD3[1].replace("B<<<<<10", "B<<<<10"),
    );
    let m = parse_text(&text, Mode::Tolerant, today()).unwrap();
    assert_eq!(m.lines, TD3);
    assert!(m.is_valid(), "{:?}", m.problems);
    // The junk at the end of line 2 and its missing filler are line-length repairs.
    assert!(m.corrections.iter().all(|c| c.field == Field::LineLength));
}

#[test]
fn letters_in_dates_and_check_digits() {
    // Birth date 74O8I2 with check digit Z (2 misread), expiry 12O415.
    let l2 = "L898902C36UTO74O8I2ZF12O4159ZE184226B<<<<<10";
    let m = parse(&[TD3[0], l2], Mode::Tolerant, today()).unwrap();
    assert_eq!(m.lines, TD3);
    assert!(m.is_valid(), "{:?}", m.problems);
    let fields: Vec<(usize, usize, &str, &str, Field)> = m
        .corrections
        .iter()
        .map(|c| (c.line, c.column, c.from.as_str(), c.to.as_str(), c.field))
        .collect();
    assert_eq!(
        fields,
        vec![
            (2, 16, "O", "0", Field::BirthDate),
            (2, 18, "I", "1", Field::BirthDate),
            (2, 20, "Z", "2", Field::BirthDateCheckDigit),
            (2, 24, "O", "0", Field::ExpiryDate),
        ]
    );
}

#[test]
fn digits_in_names_and_states() {
    let l1 = "P<UT0ERIK55ON<<ANNA<MAR1A<<<<<<<<<<<<<<<<<<<";
    let m = parse(&[l1, TD3[1]], Mode::Tolerant, today()).unwrap();
    assert_eq!(m.surname, "ERIKSSON");
    assert_eq!(m.given_names, "ANNA MARIA");
    assert_eq!(m.issuing_state, "UTO");
    assert!(m.is_valid());
    assert_eq!(m.corrections.len(), 4);
    assert!(m.corrections.iter().any(|c| c.field == Field::IssuingState));
}

#[test]
fn document_number_uses_check_digit() {
    // L898902C3 read as L8989O2C3: only the O→0 swap satisfies the check digit.
    let l2 = TD3[1].replacen("L898902C3", "L8989O2C3", 1);
    let m = parse(&[TD3[0], &l2], Mode::Tolerant, today()).unwrap();
    assert_eq!(m.document_number, "L898902C3");
    assert_eq!(m.corrections.len(), 1);
    assert_eq!(m.corrections[0].field, Field::DocumentNumber);
    assert!(m.is_valid());
}

#[test]
fn no_correction_without_a_validating_fix() {
    // A wrong digit that is no OCR confusion cannot be repaired: the error stays.
    let l2 = TD3[1].replacen("7408122", "7408132", 1);
    let m = parse(&[TD3[0], &l2], Mode::Tolerant, today()).unwrap();
    assert!(m.corrections.is_empty());
    assert!(m.problems.contains(&Problem::BirthDateCheckDigit));
    // A letter in a date whose check digit is also wrong is left alone (and the date is invalid).
    let l2 = TD3[1].replacen("7408122", "74O8123", 1);
    let m = parse(&[TD3[0], &l2], Mode::Tolerant, today()).unwrap();
    assert!(m.corrections.is_empty());
    assert!(m.problems.contains(&Problem::InvalidBirthDate));
}

#[test]
fn strict_mode_never_corrects() {
    let l2 = "L898902C36UTO74O8122F1204159ZE184226B<<<<<10";
    let m = parse(&[TD3[0], l2], Mode::Strict, today()).unwrap();
    assert!(m.corrections.is_empty());
    assert!(m.problems.contains(&Problem::InvalidBirthDate));
}

#[test]
fn finds_zone_in_page_text() {
    let text = format!(
        "REPUBLIC OF UTOPIA\nIDENTITY CARD\nERIKSSON ANNA MARIA\n{}\n{}\n{}\n",
        TD1[0], TD1[1], TD1[2]
    );
    let m = parse_text(&text, Mode::Tolerant, today()).unwrap();
    assert_eq!(m.lines, TD1);
    assert!(parse_text("hello\nworld", Mode::Tolerant, today()).is_err());
    assert!(parse_text(&text, Mode::Strict, today()).is_err());
}

#[test]
fn composite_repairs_optional_data() {
    // TD1 optional data 2 is protected only by the composite digit.
    let fields = mrz::MrzFields {
        optional_data_2: "AB12".to_owned(),
        ..crate::generate::td1_fields()
    };
    let lines = mrz::generate(&fields).unwrap();
    let damaged = lines[1].replacen("AB12", "A812", 1);
    let m = parse(&[&lines[0], &damaged, &lines[2]], Mode::Tolerant, today()).unwrap();
    assert_eq!(m.optional_data_2, "AB12");
    assert_eq!(m.corrections.len(), 1);
    assert_eq!(m.corrections[0].field, Field::OptionalData2);
}

#[test]
fn composite_does_not_hide_field_errors() {
    // With a birth date that cannot be repaired, the composite digit must not drive changes to
    // the optional data, even if some swap there would satisfy it.
    let fields = mrz::MrzFields {
        optional_data_2: "AB12".to_owned(),
        ..crate::generate::td1_fields()
    };
    let lines = mrz::generate(&fields).unwrap();
    let damaged = lines[1].replacen("7408122", "7408132", 1);
    let m = parse(&[&lines[0], &damaged, &lines[2]], Mode::Tolerant, today()).unwrap();
    assert!(m.corrections.is_empty());
    assert!(m.problems.contains(&Problem::BirthDateCheckDigit));
    assert!(m.problems.contains(&Problem::CompositeCheckDigit));
}
