//! Phone numbers through the libphonenumber metadata and the built-in receive-SMS list.

use verifyd_contact::{Action, LineType, LogType, PhoneError, PhonePolicy, Risk};

use crate::phones;

#[test]
fn e164_and_national_forms_parse_to_one_number() {
    let p = phones();
    let a = p.parse("+1 (415) 555-2671", None).unwrap();
    let b = p.parse("415 555 2671", Some("US")).unwrap();
    let c = p.parse("4155552671", Some("usa")).unwrap();
    for n in [&a, &b, &c] {
        assert_eq!(n.e164(), "+14155552671");
    }
    assert_eq!(a.prefix(), "+1");
    assert_eq!(a.national_digits(), "4155552671");
    let us = a.country().unwrap();
    assert_eq!((us.alpha2().as_str(), us.name()), ("US", "United States"));
    assert_eq!(a.national_format(), "(415) 555-2671");
    // Canada shares +1; the plan tells them apart.
    let ca = p.parse("+1 604 555 5555", None).unwrap();
    assert_eq!(ca.country().unwrap().alpha2(), "CA");
}

#[test]
fn bad_numbers_are_refused_with_a_reason() {
    let p = phones();
    assert_eq!(p.parse("hello", None).unwrap_err(), PhoneError::Unparseable);
    // A national number needs a country to be read in.
    assert_eq!(
        p.parse("612345678", None).unwrap_err(),
        PhoneError::Unparseable
    );
    // Parses, but NANP exchanges never start with 1.
    assert_eq!(
        p.parse("+1 415 123 4567", None).unwrap_err(),
        PhoneError::Invalid
    );
    assert!(p.parse("+34 12", None).is_err());
    assert_eq!(
        p.parse("612345678", Some("ZZ")).unwrap_err(),
        PhoneError::UnknownCountry
    );
}

#[test]
fn line_types_come_from_the_numbering_plan() {
    let p = phones();
    let kind = |raw: &str| p.analyze(&p.parse(raw, None).unwrap()).line_type;
    assert_eq!(kind("+34 612 345 678"), LineType::Mobile);
    assert_eq!(kind("+34 915 123 456"), LineType::FixedLine);
    assert_eq!(kind("+44 7911 123456"), LineType::Mobile);
    assert_eq!(kind("+44 800 123 4567"), LineType::TollFree);
    assert_eq!(kind("+44 56 1234 5678"), LineType::Voip);
    assert_eq!(kind("+44 70 1234 5678"), LineType::PersonalNumber);
    assert_eq!(kind("+1 415 555 2671"), LineType::FixedLineOrMobile);
    assert_eq!(LineType::FixedLine.wire(), "landline");
}

#[test]
fn voip_numbers_are_virtual_and_warn_under_the_configured_action() {
    let p = phones();
    let voip = p.analyze(&p.parse("+44 56 1234 5678", None).unwrap());
    assert!(voip.is_virtual());
    assert!(voip.warnings(&PhonePolicy::default())[0].log_type == LogType::Information);
    let policy = PhonePolicy {
        voip_number_action: Action::Decline,
        ..PhonePolicy::default()
    };
    let w = voip.warnings(&policy);
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].risk, Risk::VoipNumberDetected);
    assert_eq!(w[0].log_type, LogType::Error);
    assert_eq!(w[0].to_json()["feature"], "PHONE");

    let mobile = p.analyze(&p.parse("+34 612 345 678", None).unwrap());
    assert!(!mobile.is_virtual() && !mobile.is_disposable);
    assert!(mobile.warnings(&policy).is_empty());
}

#[test]
fn listed_receive_sms_numbers_are_disposable() {
    let p = phones();
    assert!(p.disposable_count() > 90_000);
    let list = include_str!("../../data/disposable_phone_numbers.txt");
    let sample: Vec<String> = list
        .lines()
        .filter(|l| !l.starts_with('#'))
        .step_by(500)
        .map(|digits| format!("+{digits}"))
        .collect();
    let parsed: Vec<_> = sample
        .iter()
        .filter_map(|raw| p.parse(raw, None).ok())
        .collect();
    // Most listed numbers are valid for their plan; every valid one is found in the list.
    assert!(
        parsed.len() * 10 >= sample.len() * 8,
        "{} of {}",
        parsed.len(),
        sample.len()
    );
    assert!(parsed.iter().all(|n| p.analyze(n).is_disposable));

    let policy = PhonePolicy {
        disposable_number_action: Action::Review,
        ..PhonePolicy::default()
    };
    let w = p.analyze(&parsed[0]).warnings(&policy);
    assert!(w
        .iter()
        .any(|w| w.risk == Risk::DisposableNumberDetected && w.log_type == LogType::Warning));
    // A neighbour of a listed number is not listed.
    let mobile = p.analyze(&p.parse("+34 612 345 678", None).unwrap());
    assert!(!mobile.is_disposable);
}
