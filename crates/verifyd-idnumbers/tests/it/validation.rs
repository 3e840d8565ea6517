//! The validator: local rules, registries, and the honest aggregate.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::json;
use verifyd_idnumbers::validation::{FormatOnlyPolicy, LogType};
use verifyd_idnumbers::{
    Assurance, DatabaseValidation, DatabaseValidationIn, DatabaseValidator, FieldMatch, IdKind,
    IdNumberError, Lookup, MatchAction, RegistryAnswer, RegistryError, RegistryQuery,
    RegistryRecord, RegistrySource, Status, ValidationRequest, ValidationType, WarningCode,
};

use crate::{date, today};

/// A registry that always gives the same answer and counts its lookups.
struct FixedRegistry {
    id: &'static str,
    state: &'static str,
    answer: Result<RegistryAnswer, RegistryError>,
    calls: Arc<AtomicUsize>,
}

impl FixedRegistry {
    fn new(
        id: &'static str,
        state: &'static str,
        answer: Result<RegistryAnswer, RegistryError>,
    ) -> (Box<Self>, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        (
            Box::new(FixedRegistry {
                id,
                state,
                answer,
                calls: calls.clone(),
            }),
            calls,
        )
    }
}

impl RegistrySource for FixedRegistry {
    fn service_id(&self) -> &str {
        self.id
    }
    fn service_name(&self) -> &str {
        "test registry"
    }
    fn covers(&self, issuing_state: &str, _kind: Option<IdKind>) -> bool {
        issuing_state == self.state
    }
    fn lookup<'a>(&'a self, _query: &'a RegistryQuery) -> Lookup<'a> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Box::pin(std::future::ready(self.answer.clone()))
    }
}

fn request(body: serde_json::Value) -> ValidationRequest {
    let wire: DatabaseValidationIn = serde_json::from_value(body).unwrap();
    wire.parse().unwrap()
}

/// Carmen Española Española, the DNI specimen holder.
fn specimen() -> serde_json::Value {
    json!({
        "issuing_state": "ES",
        "identification_number": "99999999R",
        "first_name": "Carmen",
        "last_name": "Española Española",
        "date_of_birth": "1980-01-01",
    })
}

fn found(first: &str, last: &str, dob: Option<chrono::NaiveDate>) -> RegistryAnswer {
    RegistryAnswer::Found {
        record: RegistryRecord {
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            date_of_birth: dob,
            ..RegistryRecord::default()
        },
    }
}

fn risks(v: &DatabaseValidation) -> Vec<WarningCode> {
    v.warnings.iter().map(|w| w.risk).collect()
}

#[test]
fn format_only_pass_is_approved_and_says_so() {
    let v = DatabaseValidator::validate_offline(&request(specimen()), today()).unwrap();
    assert_eq!(v.status, Status::Approved);
    assert_eq!(v.match_type, Some(FieldMatch::FullMatch));
    assert_eq!(v.assurance, Assurance::FormatOnly);
    assert_eq!(v.issuing_state.alpha3(), "ESP");
    assert_eq!(v.services_used, vec!["verifyd_rules_esp_dni".to_owned()]);
    assert_eq!(v.validation_type, ValidationType::OneByOne);
    assert_eq!(risks(&v), vec![WarningCode::DatabaseValidationFormatOnly]);
    assert_eq!(v.warnings[0].log_type, LogType::Information);
    assert!(v.errors.is_empty());
    assert_eq!(v.match_score, 100.0);
    // Operators who want a human to see format-only decisions can ask for that.
    let mut r = request(specimen());
    r.policy.format_only = FormatOnlyPolicy::Review;
    let v = DatabaseValidator::validate_offline(&r, today()).unwrap();
    assert_eq!(v.status, Status::InReview);
}

#[tokio::test]
async fn an_invalid_number_is_declined_without_asking_a_registry() {
    let (registry, calls) =
        FixedRegistry::new("esp_registry", "ESP", Ok(found("Carmen", "Española", None)));
    let validator = DatabaseValidator::new().with_registry(registry);
    let mut body = specimen();
    body["identification_number"] = json!("99999999T");
    let v = validator.validate(&request(body), today()).await.unwrap();
    assert_eq!(v.status, Status::Declined);
    assert_eq!(v.match_type, Some(FieldMatch::NoMatch));
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    let local = &v.validations[0];
    assert_eq!(
        serde_json::to_value(local.outcome_code).unwrap(),
        "INVALID_DOCUMENT_FORMAT"
    );
    assert_eq!(risks(&v), vec![WarningCode::DatabaseValidationNoMatch]);
    assert_eq!(v.warnings[0].log_type, LogType::Error);
    assert_eq!(v.match_score, 0.0);
}

#[test]
fn an_encoded_birth_date_that_contradicts_the_document_is_no_match() {
    // PESEL 44051401359 encodes 14 May 1944; the document says 15 May.
    let mut r = request(json!({
        "issuing_state": "POL",
        "personal_number": "44051401359",
        "date_of_birth": "1944-05-15",
        "gender": "M",
        "no_match_action": "REVIEW",
    }));
    let v = DatabaseValidator::validate_offline(&r, today()).unwrap();
    assert_eq!(v.match_type, Some(FieldMatch::NoMatch));
    assert_eq!(v.status, Status::InReview);
    assert_eq!(v.validations[0].validation.len(), 3);
    r.claims.date_of_birth = Some(date(1944, 5, 14));
    let v = DatabaseValidator::validate_offline(&r, today()).unwrap();
    assert_eq!(v.match_type, Some(FieldMatch::FullMatch));
    assert_eq!(v.status, Status::Approved);
}

#[test]
fn partial_match_follows_the_partial_match_action() {
    let body = json!({"issuing_state": "MX", "tax_number": "VACE460910SX6"});
    let v = DatabaseValidator::validate_offline(&request(body.clone()), today()).unwrap();
    assert_eq!(v.match_type, Some(FieldMatch::PartialMatch));
    // Didit's default for partial matches is no action.
    assert_eq!(v.status, Status::Approved);
    assert!(risks(&v).contains(&WarningCode::DatabaseValidationPartialMatch));
    let mut b = body;
    b["partial_match_action"] = json!("DECLINE");
    let v = DatabaseValidator::validate_offline(&request(b), today()).unwrap();
    assert_eq!(v.status, Status::Declined);
}

#[tokio::test]
async fn a_registry_confirmation_is_recorded_as_such() {
    let (registry, calls) = FixedRegistry::new(
        "esp_registry",
        "ESP",
        Ok(found("Carmen", "Española Española", Some(date(1980, 1, 1)))),
    );
    let validator = DatabaseValidator::new().with_registry(registry);
    let v = validator
        .validate(&request(specimen()), today())
        .await
        .unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(v.status, Status::Approved);
    assert_eq!(v.match_type, Some(FieldMatch::FullMatch));
    assert_eq!(v.assurance, Assurance::Registry { confirmations: 1 });
    assert_eq!(
        v.services_used,
        vec!["verifyd_rules_esp_dni", "esp_registry"]
    );
    assert!(!risks(&v).contains(&WarningCode::DatabaseValidationFormatOnly));
    let reg = &v.validations[1];
    assert_eq!(reg.service_id, "esp_registry");
    assert_eq!(reg.validation.len(), 3);
}

#[tokio::test]
async fn a_registry_that_does_not_know_the_number_wins_over_the_format() {
    let (registry, _) = FixedRegistry::new("esp_registry", "ESP", Ok(RegistryAnswer::NotFound));
    let v = DatabaseValidator::new()
        .with_registry(registry)
        .validate(&request(specimen()), today())
        .await
        .unwrap();
    assert_eq!(v.match_type, Some(FieldMatch::NoMatch));
    assert_eq!(v.status, Status::Declined);
    assert_eq!(
        serde_json::to_value(v.validations[1].outcome_code).unwrap(),
        "DOCUMENT_NOT_FOUND"
    );
}

#[tokio::test]
async fn a_registry_name_mismatch_is_partial_or_no_match() {
    let (registry, _) = FixedRegistry::new(
        "esp_registry",
        "ESP",
        // The registry knows one surname only: the screening matcher scores 0.88 (partial).
        Ok(found("Carmen", "Española", None)),
    );
    let v = DatabaseValidator::new()
        .with_registry(registry)
        .validate(&request(specimen()), today())
        .await
        .unwrap();
    assert_eq!(
        v.match_type,
        Some(FieldMatch::PartialMatch),
        "{:?}",
        v.validations[1]
    );
    let (registry, _) = FixedRegistry::new(
        "esp_registry",
        "ESP",
        Ok(found("Jorge", "Pérez Ruiz", None)),
    );
    let v = DatabaseValidator::new()
        .with_registry(registry)
        .validate(&request(specimen()), today())
        .await
        .unwrap();
    assert_eq!(v.match_type, Some(FieldMatch::NoMatch));
}

#[tokio::test]
async fn an_unreachable_registry_is_reported_and_sends_the_check_to_review() {
    let (registry, _) = FixedRegistry::new(
        "esp_registry",
        "ESP",
        Err(RegistryError::Unavailable("timed out after 5 s".into())),
    );
    let v = DatabaseValidator::new()
        .with_registry(registry)
        .validate(&request(specimen()), today())
        .await
        .unwrap();
    assert_eq!(v.status, Status::InReview);
    assert_eq!(v.assurance, Assurance::FormatOnly);
    assert_eq!(v.errors.len(), 1);
    assert_eq!(v.errors[0].code, "REGISTRY_UNAVAILABLE");
    assert!(v.errors[0].retryable);
    assert!(risks(&v).contains(&WarningCode::CouldNotPerformDatabaseValidation));
    assert!(risks(&v).contains(&WarningCode::DatabaseValidationFormatOnly));
}

#[tokio::test]
async fn registries_are_a_waterfall_and_two_by_two_needs_two() {
    let good = || Ok(found("Carmen", "Española Española", Some(date(1980, 1, 1))));
    let (a, a_calls) = FixedRegistry::new("first", "ESP", good());
    let (b, b_calls) = FixedRegistry::new("second", "ESP", good());
    let validator = DatabaseValidator::new().with_registry(a).with_registry(b);
    let v = validator
        .validate(&request(specimen()), today())
        .await
        .unwrap();
    assert_eq!(
        (
            a_calls.load(Ordering::SeqCst),
            b_calls.load(Ordering::SeqCst)
        ),
        (1, 0)
    );
    assert_eq!(v.validation_type, ValidationType::OneByOne);

    let mut body = specimen();
    body["validation_type"] = json!("two_by_two");
    let v = validator
        .validate(&request(body.clone()), today())
        .await
        .unwrap();
    assert_eq!(b_calls.load(Ordering::SeqCst), 1);
    assert_eq!(v.match_type, Some(FieldMatch::FullMatch));
    assert_eq!(v.assurance, Assurance::Registry { confirmations: 2 });
    assert_eq!(v.validation_type, ValidationType::TwoByTwo);

    // Only one of two registries confirms: not enough for two by two.
    let (a, _) = FixedRegistry::new("first", "ESP", good());
    let (b, _) = FixedRegistry::new("second", "ESP", Ok(RegistryAnswer::Inconclusive));
    let v = DatabaseValidator::new()
        .with_registry(a)
        .with_registry(b)
        .validate(&request(body.clone()), today())
        .await
        .unwrap();
    assert_eq!(v.match_type, Some(FieldMatch::PartialMatch));

    // `services` restricts the registries consulted.
    let (a, a_calls) = FixedRegistry::new("first", "ESP", good());
    let (b, b_calls) = FixedRegistry::new("second", "ESP", good());
    let mut body = specimen();
    body["services"] = json!(["second"]);
    DatabaseValidator::new()
        .with_registry(a)
        .with_registry(b)
        .validate(&request(body), today())
        .await
        .unwrap();
    assert_eq!(
        (
            a_calls.load(Ordering::SeqCst),
            b_calls.load(Ordering::SeqCst)
        ),
        (0, 1)
    );
}

#[tokio::test]
async fn a_country_without_rules_needs_a_registry() {
    let body = json!({"issuing_state": "PA", "identification_number": "8-123-456"});
    let v = DatabaseValidator::validate_offline(&request(body.clone()), today()).unwrap();
    assert_eq!(v.status, Status::InReview);
    assert_eq!(v.match_type, None);
    assert_eq!(v.errors[0].code, "UNSUPPORTED_COUNTRY");
    assert_eq!(
        risks(&v),
        vec![WarningCode::CouldNotPerformDatabaseValidation]
    );

    let (registry, _) = FixedRegistry::new(
        "pan_te",
        "PAN",
        Ok(RegistryAnswer::Found {
            record: RegistryRecord::default(),
        }),
    );
    let v = DatabaseValidator::new()
        .with_registry(registry)
        .validate(&request(body), today())
        .await
        .unwrap();
    assert_eq!(v.match_type, Some(FieldMatch::FullMatch));
    assert_eq!(v.services_used, vec!["pan_te"]);
    assert!(v.errors.is_empty());
}

#[test]
fn nothing_to_check_is_in_review() {
    let v = DatabaseValidator::validate_offline(
        &request(json!({"issuing_state": "ESP", "first_name": "Ana"})),
        today(),
    )
    .unwrap();
    assert_eq!(v.status, Status::InReview);
    assert_eq!(v.match_type, None);
    assert_eq!(
        risks(&v),
        vec![WarningCode::CouldNotPerformDatabaseValidation]
    );
}

#[test]
fn bad_input_is_an_error_not_a_result() {
    let parse = |body: serde_json::Value| {
        serde_json::from_value::<DatabaseValidationIn>(body)
            .unwrap()
            .parse()
    };
    assert_eq!(
        parse(json!({"issuing_state": "XX"})).unwrap_err(),
        IdNumberError::UnknownIssuingState("XX".into())
    );
    assert!(matches!(
        parse(json!({"issuing_state": "ES", "date_of_birth": "01/02/1980"})),
        Err(IdNumberError::BadDate { .. })
    ));
    assert_eq!(
        parse(json!({"issuing_state": "ES", "gender": "Q"})).unwrap_err(),
        IdNumberError::BadGender
    );
    assert!(matches!(
        parse(json!({"issuing_state": "ES", "no_match_action": "IGNORE"})),
        Err(IdNumberError::BadAction {
            field: "no_match_action"
        })
    ));
    assert_eq!(
        parse(json!({"issuing_state": "ES", "validation_type": "three"})).unwrap_err(),
        IdNumberError::BadValidationType
    );
    let mut r = request(specimen());
    r.services = Some(vec!["nope".into()]);
    assert_eq!(
        DatabaseValidator::validate_offline(&r, today()).unwrap_err(),
        IdNumberError::UnknownService("nope".into())
    );
    r.services = Some(vec!["verifyd_rules_esp_dni".into()]);
    assert!(DatabaseValidator::validate_offline(&r, today()).is_ok());
    // Alpha-2 and alpha-3 are the same state; so is lower case.
    let a = request(json!({"issuing_state": "es"}));
    let b = request(json!({"issuing_state": "ESP"}));
    assert_eq!(a.issuing_state, b.issuing_state);
    assert_eq!(
        MatchAction::parse("review", "x").unwrap(),
        MatchAction::Review
    );
}
