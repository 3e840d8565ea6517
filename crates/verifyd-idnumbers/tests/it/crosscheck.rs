//! Cross-checking numbers against what the document states.

use verifyd_idnumbers::{cross_check, Claims, Country, Field, FieldMatch, Gender, IdKind};

use crate::{date, valid};

fn claims(first: &str, last: &str) -> Claims {
    Claims {
        first_name: Some(first.into()),
        last_name: Some(last.into()),
        ..Claims::default()
    }
}

#[test]
fn curp_names_birth_date_and_sex_agree_with_the_person() {
    // python-stdnum tests/test_mx_curp.doctest: Gloria Hernández García, female, 1956-04-27.
    let n = valid(Country::Mx, "HEGG560427MVZRRL04", IdKind::MxCurp);
    let mut c = claims("Gloria", "Hernández García");
    c.date_of_birth = Some(date(1956, 4, 27));
    c.gender = Some(Gender::Female);
    let v = cross_check(&n, Field::IdentificationNumber, &c);
    assert_eq!(v[&Field::IdentificationNumber], FieldMatch::FullMatch);
    assert_eq!(v[&Field::FirstName], FieldMatch::FullMatch);
    assert_eq!(v[&Field::LastName], FieldMatch::FullMatch);
    assert_eq!(v[&Field::DateOfBirth], FieldMatch::FullMatch);
    assert_eq!(v[&Field::Gender], FieldMatch::FullMatch);

    // Luis Raúl Bello Mena (same source): accents and a second given name change nothing.
    let n = valid(Country::Mx, "BEML920313HMCLNS09", IdKind::MxCurp);
    let v = cross_check(
        &n,
        Field::IdentificationNumber,
        &claims("Luis Raúl", "Bello Mena"),
    );
    assert_eq!(v[&Field::FirstName], FieldMatch::FullMatch);
    assert_eq!(v[&Field::LastName], FieldMatch::FullMatch);

    // Only the full name given: every split is tried.
    let c = Claims {
        full_name: Some("GLORIA HERNANDEZ GARCIA".into()),
        ..Claims::default()
    };
    let n = valid(Country::Mx, "HEGG560427MVZRRL04", IdKind::MxCurp);
    assert_eq!(
        cross_check(&n, Field::IdentificationNumber, &c)[&Field::FullName],
        FieldMatch::FullMatch
    );
}

#[test]
fn curp_detects_another_persons_name_and_data() {
    let n = valid(Country::Mx, "HEGG560427MVZRRL04", IdKind::MxCurp);
    let mut c = claims("Gloria", "Hernández López");
    c.date_of_birth = Some(date(1956, 4, 28));
    c.gender = Some(Gender::Male);
    let v = cross_check(&n, Field::IdentificationNumber, &c);
    // Second surname López: G ≠ L and R ≠ P, three of five surname positions agree.
    assert_eq!(v[&Field::LastName], FieldMatch::PartialMatch);
    assert_eq!(v[&Field::FirstName], FieldMatch::FullMatch);
    assert_eq!(v[&Field::DateOfBirth], FieldMatch::NoMatch);
    assert_eq!(v[&Field::Gender], FieldMatch::NoMatch);
    let v = cross_check(
        &n,
        Field::IdentificationNumber,
        &claims("Pedro", "Martínez Ruiz"),
    );
    assert_eq!(v[&Field::LastName], FieldMatch::NoMatch);
    assert_eq!(v[&Field::FirstName], FieldMatch::NoMatch);
}

#[test]
fn rfc_name_letters_and_birth_date() {
    // python-stdnum stdnum/mx/rfc.py: GODE561231GR8 — the SAT example Emma Gómez Díaz.
    let n = valid(Country::Mx, "GODE561231GR8", IdKind::MxRfc);
    let mut c = claims("Emma", "Gómez Díaz");
    c.date_of_birth = Some(date(1956, 12, 31));
    let v = cross_check(&n, Field::TaxNumber, &c);
    assert_eq!(v[&Field::TaxNumber], FieldMatch::FullMatch);
    assert_eq!(v[&Field::LastName], FieldMatch::FullMatch);
    assert_eq!(v[&Field::FirstName], FieldMatch::FullMatch);
    assert_eq!(v[&Field::DateOfBirth], FieldMatch::FullMatch);
    // The RFC with a check character SAT is known to have mis-issued stays a partial match.
    let n = valid(Country::Mx, "VACE460910SX6", IdKind::MxRfc);
    assert_eq!(
        cross_check(&n, Field::TaxNumber, &Claims::default())[&Field::TaxNumber],
        FieldMatch::PartialMatch
    );
}

#[test]
fn codice_fiscale_letters_and_dates() {
    // Italian Wikipedia: Mario Rossi, male, 10 Dec 1985.
    let n = valid(Country::It, "RSSMRA85T10A562S", IdKind::ItCodiceFiscale);
    let mut c = claims("Mario", "Rossi");
    c.date_of_birth = Some(date(1985, 12, 10));
    c.gender = Some(Gender::Male);
    let v = cross_check(&n, Field::TaxNumber, &c);
    assert!(v.values().all(|m| *m == FieldMatch::FullMatch), "{v:?}");
    // Marco Rossi born a day later: name letters MRC against MRA, two of three agree.
    let mut c = claims("Marco", "Rossi");
    c.date_of_birth = Some(date(1985, 12, 11));
    let v = cross_check(&n, Field::TaxNumber, &c);
    assert_eq!(v[&Field::LastName], FieldMatch::FullMatch);
    assert_eq!(v[&Field::FirstName], FieldMatch::PartialMatch);
    assert_eq!(v[&Field::DateOfBirth], FieldMatch::NoMatch);
}

#[test]
fn partial_dates_compare_on_what_they_encode() {
    // NIR of a woman born in August 1955 (French Wikipedia): any day of that month agrees.
    let n = valid(Country::Fr, "255081416802538", IdKind::FrNir);
    let c = Claims {
        date_of_birth: Some(date(1955, 8, 30)),
        gender: Some(Gender::Female),
        ..Claims::default()
    };
    let v = cross_check(&n, Field::IdentificationNumber, &c);
    assert_eq!(v[&Field::DateOfBirth], FieldMatch::FullMatch);
    let c = Claims {
        date_of_birth: Some(date(1955, 9, 1)),
        ..Claims::default()
    };
    assert_eq!(
        cross_check(&n, Field::IdentificationNumber, &c)[&Field::DateOfBirth],
        FieldMatch::NoMatch
    );
}

#[test]
fn gender_x_is_not_compared() {
    // PESEL of a man (python-stdnum): a document stating X is not contradicted.
    let n = valid(Country::Pl, "44051401359", IdKind::PlPesel);
    let c = Claims {
        gender: Some(Gender::Unspecified),
        ..Claims::default()
    };
    let v = cross_check(&n, Field::IdentificationNumber, &c);
    assert!(!v.contains_key(&Field::Gender));
}
