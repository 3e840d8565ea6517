//! The serialised result has the contract's `database_validation` shape.

use serde_json::{json, Value};
use verifyd_idnumbers::{DatabaseValidationIn, DatabaseValidator};

use crate::today;

fn validate(body: Value) -> Value {
    let wire: DatabaseValidationIn = serde_json::from_value(body).unwrap();
    let v = DatabaseValidator::validate_offline(&wire.parse().unwrap(), today()).unwrap();
    serde_json::to_value(&v).unwrap()
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

#[test]
fn database_validation_object_has_the_contract_keys() {
    // The OpenAPI example's shape: issuing_state given as alpha-3, a CPF (python-stdnum example).
    let v = validate(json!({
        "issuing_state": "BRA",
        "identification_number": "390.533.447-05",
        "full_name": "Maria Silva",
        "date_of_birth": "1990-05-01",
    }));
    assert_eq!(
        keys(&v),
        [
            "errors",
            "issuing_state",
            "match_score",
            "match_type",
            "screened_data",
            "services_used",
            "status",
            "validation_type",
            "validations",
            "warnings"
        ]
    );
    assert_eq!(v["status"], "Approved");
    assert_eq!(v["issuing_state"], "BRA");
    assert_eq!(v["validation_type"], "one_by_one");
    assert_eq!(v["match_type"], "full_match");
    assert_eq!(v["match_score"], 100.0);
    assert_eq!(
        v["screened_data"]["identification_number"],
        "390.533.447-05"
    );
    assert_eq!(v["services_used"], json!(["verifyd_rules_bra_cpf"]));
    let val = &v["validations"][0];
    assert_eq!(
        keys(val),
        [
            "outcome_code",
            "outcome_detail",
            "service_id",
            "service_name",
            "source_data",
            "validation"
        ]
    );
    assert_eq!(val["outcome_code"], "MATCH");
    assert_eq!(
        val["validation"],
        json!({"identification_number": "full_match"})
    );
    assert_eq!(val["source_data"]["registry_consulted"], false);
    assert_eq!(val["source_data"]["region"]["name"], "ES, RJ");
    let w = &v["warnings"][0];
    assert_eq!(
        keys(w),
        [
            "additional_data",
            "feature",
            "log_type",
            "long_description",
            "risk",
            "short_description"
        ]
    );
    assert_eq!(w["feature"], "DATABASE_VALIDATION");
    assert_eq!(w["risk"], "DATABASE_VALIDATION_FORMAT_ONLY");
    assert_eq!(w["log_type"], "information");
}

#[test]
fn decoded_data_and_verdicts_serialise_with_contract_names() {
    // PESEL (python-stdnum) with a wrong birth date and alpha-2 issuing state.
    let v = validate(json!({
        "issuing_state": "PL",
        "personal_number": "44051401359",
        "date_of_birth": "1944-05-15",
        "gender": "M",
    }));
    assert_eq!(v["issuing_state"], "POL");
    assert_eq!(v["status"], "Declined");
    assert_eq!(v["match_type"], "no_match");
    let val = &v["validations"][0];
    assert_eq!(
        val["validation"],
        json!({"personal_number": "full_match", "date_of_birth": "no_match", "gender": "full_match"})
    );
    assert_eq!(val["outcome_code"], "NO_MATCH");
    assert_eq!(val["source_data"]["birth_date"], "1944-05-14");
    assert_eq!(val["source_data"]["sex"], "M");
    assert_eq!(val["source_data"]["kind"], "pol_pesel");
    assert_eq!(v["warnings"][0]["risk"], "DATABASE_VALIDATION_NO_MATCH");
    assert_eq!(v["warnings"][0]["log_type"], "error");
    // Two of three fields matched.
    assert_eq!(v["match_score"], 66.67);
}

#[test]
fn nothing_checked_gives_a_null_match_type() {
    let v = validate(json!({"issuing_state": "PAN", "identification_number": "8-123-456"}));
    assert_eq!(v["match_type"], Value::Null);
    assert_eq!(v["status"], "In Review");
    assert_eq!(v["errors"][0]["code"], "UNSUPPORTED_COUNTRY");
    assert_eq!(v["errors"][0]["retryable"], false);
    assert_eq!(
        v["warnings"][0]["risk"],
        "COULD_NOT_PERFORM_DATABASE_VALIDATION"
    );
}
