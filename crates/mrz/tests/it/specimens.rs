//! The ICAO 9303 specimens parse in strict mode with the documented values.

use mrz::{check_digit, parse, DocumentCategory, Format, Mode, Problem, Sex};

use crate::{date, today, MRVA, MRVB, TD1, TD2, TD3};

#[test]
fn check_digits_of_specimen_fields() {
    assert_eq!(check_digit(b"L898902C3"), Some(b'6'));
    assert_eq!(check_digit(b"740812"), Some(b'2'));
    assert_eq!(check_digit(b"120415"), Some(b'9'));
    assert_eq!(check_digit(b"ZE184226B<<<<<"), Some(b'1'));
    assert_eq!(
        check_digit(b"L898902C3674081221204159ZE184226B<<<<<1"),
        Some(b'0')
    );
    assert_eq!(check_digit(b"D23145890"), Some(b'7'));
}

#[test]
fn td3_specimen() {
    let m = parse(&TD3, Mode::Strict, today()).unwrap();
    assert_eq!(m.problems, vec![]);
    assert_eq!(m.format, Format::Td3);
    assert_eq!(m.document_code, "P<");
    assert_eq!(m.category(), DocumentCategory::Passport);
    assert_eq!(m.issuing_state, "UTO");
    assert_eq!(m.issuing_state_name(), Some("Utopia (ICAO specimen)"));
    assert_eq!(m.surname, "ERIKSSON");
    assert_eq!(m.given_names, "ANNA MARIA");
    assert_eq!(m.document_number, "L898902C3");
    assert_eq!(m.nationality, "UTO");
    assert_eq!(m.birth_date, Some(date(1974, 8, 12)));
    assert_eq!(m.sex, Sex::Female);
    assert_eq!(m.expiry_date, Some(date(2012, 4, 15)));
    assert_eq!(m.optional_data, "ZE184226B");
    assert!(m.is_expired(today()));
    assert!(m.corrections.is_empty());
}

#[test]
fn td1_specimen() {
    let m = parse(&TD1, Mode::Strict, today()).unwrap();
    assert_eq!(m.problems, vec![]);
    assert_eq!(m.format, Format::Td1);
    assert_eq!(m.category(), DocumentCategory::IdentityCard);
    assert_eq!(m.document_number, "D23145890");
    assert_eq!(
        (m.surname.as_str(), m.given_names.as_str()),
        ("ERIKSSON", "ANNA MARIA")
    );
    assert_eq!(m.birth_date, Some(date(1974, 8, 12)));
    assert_eq!(m.expiry_date, Some(date(2012, 4, 15)));
    assert_eq!(m.optional_data, "");
    assert_eq!(m.optional_data_2, "");
}

#[test]
fn td1_long_document_number() {
    // ICAO 9303 Part 5 example of a document number longer than nine characters.
    let lines = [
        "I<UTOD23145890<7349<<<<<<<<<<<",
        "3407127M9507122UTO<<<<<<<<<<<2",
        "STEVENSON<<PETER<JOHN<<<<<<<<<",
    ];
    let m = parse(&lines, Mode::Strict, today()).unwrap();
    assert_eq!(m.problems, vec![]);
    assert_eq!(m.document_number, "D23145890734");
    assert_eq!(m.optional_data, "");
    assert_eq!(m.sex, Sex::Male);
    assert_eq!(m.birth_date, Some(date(1934, 7, 12)));
    assert_eq!(m.expiry_date, Some(date(1995, 7, 12)));
}

#[test]
fn td2_specimen() {
    let m = parse(&TD2, Mode::Strict, today()).unwrap();
    assert_eq!(m.problems, vec![]);
    assert_eq!(m.format, Format::Td2);
    assert_eq!(m.document_number, "D23145890");
    assert_eq!(m.given_names, "ANNA MARIA");
}

#[test]
fn visa_specimens() {
    for (lines, format) in [(MRVA, Format::MrvA), (MRVB, Format::MrvB)] {
        let m = parse(&lines, Mode::Strict, today()).unwrap();
        assert_eq!(m.problems, vec![], "{format}");
        assert_eq!(m.format, format);
        assert_eq!(m.category(), DocumentCategory::Visa);
        assert_eq!(m.document_number, "L8988901C");
        assert_eq!(m.nationality, "XXX");
        assert_eq!(m.birth_date, Some(date(1940, 9, 7)));
        assert_eq!(m.expiry_date, Some(date(1996, 12, 10)));
    }
    let m = parse(&MRVA, Mode::Strict, today()).unwrap();
    assert_eq!(m.optional_data, "6ZE184226B");
}

#[test]
fn each_check_digit_is_verified() {
    let cases = [
        (9, Problem::DocumentNumberCheckDigit),
        (19, Problem::BirthDateCheckDigit),
        (27, Problem::ExpiryDateCheckDigit),
        (42, Problem::PersonalNumberCheckDigit),
    ];
    for (col, problem) in cases {
        let mut line2 = TD3[1].as_bytes().to_vec();
        line2[col] = if line2[col] == b'9' { b'8' } else { b'9' };
        let line2 = String::from_utf8(line2).unwrap();
        let m = parse(&[TD3[0], &line2], Mode::Strict, today()).unwrap();
        // The composite digit covers every one of these, so it fails too.
        assert_eq!(
            m.problems,
            vec![problem, Problem::CompositeCheckDigit],
            "column {col}"
        );
    }
    let line2 = TD3[1].replace("B<<<<<10", "B<<<<<11");
    let m = parse(&[TD3[0], &line2], Mode::Strict, today()).unwrap();
    assert_eq!(m.problems, vec![Problem::CompositeCheckDigit]);
}

#[test]
fn semantic_checks() {
    let l1 = TD3[0].replace("UTO", "ZZZ");
    let l2 = "L898902C36UTO7413122F1204159ZE184226B<<<<<10";
    let m = parse(&[&l1, l2], Mode::Strict, today()).unwrap();
    assert!(m.problems.contains(&Problem::UnknownIssuingState));
    assert!(m.problems.contains(&Problem::InvalidBirthDate));
    assert_eq!(m.birth_date, None);
    assert!(!m.is_valid());
}

#[test]
fn strict_mode_rejects_shape_and_reports_bad_characters() {
    assert!(parse(&[TD3[0]], Mode::Strict, today()).is_err());
    assert!(parse(&[TD3[0], &TD3[1][1..]], Mode::Strict, today()).is_err());
    assert!(parse(&["", ""], Mode::Strict, today()).is_err());
    let lower = TD3[0].to_lowercase();
    let m = parse(&[&lower, TD3[1]], Mode::Strict, today()).unwrap();
    assert!(m.problems.contains(&Problem::InvalidCharacters));
    assert!(m.corrections.is_empty());
}

#[test]
fn unknown_dates_are_fillers() {
    // Birth date unknown: fillers, check digit computed over them (0).
    let lines = [TD3[0], "L898902C36UTO<<<<<<0F1204159ZE184226B<<<<<18"];
    let m = parse(&lines, Mode::Strict, today()).unwrap();
    assert_eq!(m.birth_date, None);
    assert!(!m.problems.contains(&Problem::InvalidBirthDate));
}
