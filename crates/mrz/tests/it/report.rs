//! The CLI report: exact keys and values.

use mrz::{parse_report, Mode};
use serde_json::json;

use crate::{today, TD1, TD3};

#[test]
fn valid_report_json() {
    let report = parse_report(&TD3.join("\n"), Mode::Strict, today()).unwrap();
    assert_eq!(
        serde_json::to_value(&report).unwrap(),
        json!({
            "valid": true,
            "format": "TD3",
            "document_code": "P",
            "issuing_state": "UTO",
            "surname": "ERIKSSON",
            "given_names": "ANNA MARIA",
            "document_number": "L898902C3",
            "nationality": "UTO",
            "birth_date": "1974-08-12",
            "expiry_date": "2012-04-15",
            "sex": "F",
            "optional_data": "ZE184226B",
            "corrections": [],
            "errors": [],
        })
    );
}

#[test]
fn invalid_report_json() {
    let text = format!(
        "{}\n{}\n{}",
        TD1[0],
        TD1[1].replacen("740812", "741312", 1),
        TD1[2]
    );
    let report = parse_report(&text, Mode::Tolerant, today()).unwrap();
    let v = serde_json::to_value(&report).unwrap();
    assert_eq!(v["valid"], json!(false));
    assert_eq!(v["birth_date"], json!(null));
    assert_eq!(v["format"], json!("TD1"));
    assert_eq!(
        v["errors"],
        json!([
            "invalid_birth_date",
            "birth_date_check_digit",
            "composite_check_digit"
        ])
    );
}

#[test]
fn corrections_in_report() {
    let text = format!("{}\n{}", TD3[0], TD3[1].replacen("7408122", "74O8122", 1));
    let report = parse_report(&text, Mode::Tolerant, today()).unwrap();
    let v = serde_json::to_value(&report).unwrap();
    assert_eq!(v["valid"], json!(true));
    assert_eq!(
        v["corrections"],
        json!([{"line": 2, "column": 16, "from": "O", "to": "0", "field": "birth_date"}])
    );
}

#[test]
fn not_an_mrz() {
    assert!(parse_report("", Mode::Tolerant, today()).is_err());
    assert!(parse_report("just some text", Mode::Strict, today()).is_err());
}
