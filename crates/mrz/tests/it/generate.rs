//! The generator reproduces the ICAO specimens and round-trips through the parser.

use mrz::{generate, parse, Field, Format, Mode, MrzError, MrzFields, Sex};

use crate::{date, today, MRVA, MRVB, TD1, TD2, TD3};

pub fn td1_fields() -> MrzFields {
    MrzFields {
        format: Format::Td1,
        document_code: "I".to_owned(),
        issuing_state: "UTO".to_owned(),
        surname: "Eriksson".to_owned(),
        given_names: "Anna María".to_owned(),
        document_number: "D23145890".to_owned(),
        nationality: "UTO".to_owned(),
        birth_date: Some(date(1974, 8, 12)),
        sex: Sex::Female,
        expiry_date: Some(date(2012, 4, 15)),
        optional_data: String::new(),
        optional_data_2: String::new(),
    }
}

#[test]
fn reproduces_specimens() {
    let td1 = td1_fields();
    assert_eq!(generate(&td1).unwrap(), TD1);
    let td2 = MrzFields {
        format: Format::Td2,
        ..td1.clone()
    };
    assert_eq!(generate(&td2).unwrap(), TD2);
    let td3 = MrzFields {
        format: Format::Td3,
        document_code: "P".to_owned(),
        document_number: "L898902C3".to_owned(),
        optional_data: "ZE184226B".to_owned(),
        ..td1.clone()
    };
    assert_eq!(generate(&td3).unwrap(), TD3);
    let mrva = MrzFields {
        format: Format::MrvA,
        document_code: "V".to_owned(),
        document_number: "L8988901C".to_owned(),
        nationality: "XXX".to_owned(),
        birth_date: Some(date(1940, 9, 7)),
        expiry_date: Some(date(1996, 12, 10)),
        optional_data: "6ZE184226B".to_owned(),
        ..td1.clone()
    };
    assert_eq!(generate(&mrva).unwrap(), MRVA);
    let mrvb = MrzFields {
        format: Format::MrvB,
        optional_data: String::new(),
        ..mrva
    };
    assert_eq!(generate(&mrvb).unwrap(), MRVB);
}

#[test]
fn long_document_number() {
    let f = MrzFields {
        document_number: "D23145890734".to_owned(),
        surname: "Stevenson".to_owned(),
        given_names: "Peter John".to_owned(),
        sex: Sex::Male,
        birth_date: Some(date(1934, 7, 12)),
        expiry_date: Some(date(1995, 7, 12)),
        ..td1_fields()
    };
    let lines = generate(&f).unwrap();
    assert_eq!(lines[0], "I<UTOD23145890<7349<<<<<<<<<<<");
    assert_eq!(lines[1], "3407127M9507122UTO<<<<<<<<<<<2");
    let with_optional = MrzFields {
        optional_data: "XY".to_owned(),
        ..f.clone()
    };
    let lines = generate(&with_optional).unwrap();
    assert_eq!(lines[0], "I<UTOD23145890<7349<XY<<<<<<<<");
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let m = parse(&refs, Mode::Strict, today()).unwrap();
    assert!(m.is_valid());
    assert_eq!(
        m.fields(),
        MrzFields {
            given_names: "PETER JOHN".into(),
            surname: "STEVENSON".into(),
            ..with_optional
        }
    );
    // TD3 has no continuation.
    let td3 = MrzFields {
        format: Format::Td3,
        document_code: "P".into(),
        ..f
    };
    assert!(matches!(
        generate(&td3),
        Err(MrzError::InvalidField {
            field: Field::DocumentNumber,
            ..
        })
    ));
}

#[test]
fn truncates_long_names() {
    let f = MrzFields {
        surname: "Rodríguez de la Fuente".to_owned(),
        given_names: "María Guadalupe Inmaculada".to_owned(),
        ..td1_fields()
    };
    let lines = generate(&f).unwrap();
    assert_eq!(lines[2], "RODRIGUEZ<DE<LA<FUENTE<<MARIA<");
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let m = parse(&refs, Mode::Strict, today()).unwrap();
    assert_eq!(m.surname, "RODRIGUEZ DE LA FUENTE");
    assert_eq!(m.given_names, "MARIA");
    assert!(m.is_valid());
}

#[test]
fn rejects_unencodable_fields() {
    let bad = |f: MrzFields| generate(&f).unwrap_err();
    assert!(matches!(
        bad(MrzFields {
            document_code: "V".into(),
            ..td1_fields()
        }),
        MrzError::InvalidField {
            field: Field::DocumentCode,
            ..
        }
    ));
    assert!(matches!(
        bad(MrzFields {
            issuing_state: "U1O".into(),
            ..td1_fields()
        }),
        MrzError::InvalidField {
            field: Field::IssuingState,
            ..
        }
    ));
    assert!(matches!(
        bad(MrzFields {
            optional_data_2: "X".into(),
            format: Format::Td3,
            document_code: "P".into(),
            ..td1_fields()
        }),
        MrzError::InvalidField {
            field: Field::OptionalData2,
            ..
        }
    ));
    assert!(matches!(
        bad(MrzFields {
            surname: "---".into(),
            ..td1_fields()
        }),
        MrzError::InvalidField {
            field: Field::Name,
            ..
        }
    ));
}
