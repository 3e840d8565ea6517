//! Sandbox scenarios: scripted outcomes for sandbox applications, so integrators can drive a
//! session through its whole lifecycle before real people and documents are involved.
//!
//! A scenario produces feature elements of the same shape the engines produce; the session's
//! status then comes from the same [`crate::session::aggregate_status`] that decides real
//! sessions, so sandbox and live outcomes cannot drift apart.

use serde_json::{json, Map, Value};

use crate::session::warning;
use crate::workflow::{Feature, WorkflowSpec};

/// The decision array a feature's results go to.
pub fn array_of(feature: Feature) -> &'static str {
    match feature {
        Feature::Ocr => "id_verifications",
        Feature::Nfc => "nfc_verifications",
        Feature::Liveness | Feature::AgeEstimation => "liveness_checks",
        Feature::FaceMatch => "face_matches",
        Feature::ProofOfAddress => "poa_verifications",
        Feature::PhoneVerification => "phone_verifications",
        Feature::EmailVerification => "email_verifications",
        Feature::Aml => "aml_screenings",
        Feature::IpAnalysis => "ip_analyses",
        Feature::DatabaseValidation | Feature::KybRegistry => "database_validations",
        Feature::Questionnaire => "questionnaire_responses",
        Feature::DocumentAi | Feature::KybDocuments | Feature::KybKeyPeople => {
            "document_ai_documents"
        }
    }
}

fn node(feature: Feature) -> String {
    format!("feature_{}", feature.as_str().to_lowercase())
}

/// A passing element for `feature`, with the sandbox's fixed specimen identity.
fn approved(feature: Feature) -> Value {
    let base = json!({"node_id": node(feature), "status": "Approved", "warnings": []});
    let extra = match feature {
        Feature::Ocr => json!({
            "document_type": "Passport", "document_type_code": "P", "document_number": "L898902C3",
            "personal_number": null, "first_name": "ANNA MARIA", "last_name": "ERIKSSON",
            "full_name": "ANNA MARIA ERIKSSON", "date_of_birth": "1974-08-12", "age": 52,
            "expiration_date": "2034-04-15", "date_of_issue": "2024-04-16",
            "issuing_state": "UTO", "issuing_state_name": "Utopia", "country": "UTO",
            "nationality": "UTO", "gender": "F", "place_of_birth": null, "address": null,
        }),
        Feature::Nfc => json!({"chip_authenticated": true, "document_number": "L898902C3"}),
        Feature::Liveness => json!({"method": "PASSIVE", "score": 95.4, "age_estimation": 51.3}),
        Feature::AgeEstimation => {
            json!({"method": "PASSIVE", "score": 95.4, "age_estimation": 31.3})
        }
        Feature::FaceMatch => json!({"score": 96.1, "source_image": null, "target_image": null}),
        Feature::Aml => json!({
            "total_hits": 0, "entity_type": "person", "is_adverse_media_fetched": false,
            "score": 0, "hits": [], "pep_detected": false, "sanctions_detected": false,
            "adverse_media_detected": false,
            "screened_data": {"full_name": "ANNA MARIA ERIKSSON", "date_of_birth": "1974-08-12", "nationality": "UTO"},
        }),
        Feature::IpAnalysis => json!({
            "ip_address": "198.51.100.7", "ip_country": "Spain", "ip_country_code": "ES",
            "is_vpn_or_tor": false, "is_data_center": false, "country_mismatch": false,
        }),
        Feature::ProofOfAddress => json!({
            "document_type": "UTILITY_BILL", "issuing_state": "ESP",
            "poa_address": "Calle Mayor 1, 28013 Madrid", "name_on_document": "ANNA MARIA ERIKSSON",
        }),
        Feature::PhoneVerification => json!({
            "phone_number": "600000000", "full_number": "+34600000000", "country_code": "ES",
            "is_disposable": false, "is_virtual": false, "verification_attempts": 1,
        }),
        Feature::EmailVerification => json!({
            "email": "anna@example.com", "is_breached": false, "breaches": [],
            "is_disposable": false, "is_undeliverable": false, "verification_attempts": 1,
        }),
        Feature::DatabaseValidation | Feature::KybRegistry => {
            json!({"match_type": "full_match", "validations": [], "match_score": 100})
        }
        _ => json!({}),
    };
    merge(base, extra)
}

fn merge(mut base: Value, extra: Value) -> Value {
    if let (Some(base), Value::Object(extra)) = (base.as_object_mut(), extra) {
        base.extend(extra);
    }
    base
}

/// How a scenario changes one feature's element.
struct Twist {
    feature: Feature,
    status: &'static str,
    risk: &'static str,
    alias: Option<&'static str>,
    short: &'static str,
    fields: Value,
}

fn twist_of(slug: &str) -> Option<Twist> {
    let t = |feature, status, risk, alias, short, fields| {
        Some(Twist {
            feature,
            status,
            risk,
            alias,
            short,
            fields,
        })
    };
    match slug {
        "decline_document_expired" => t(
            Feature::Ocr,
            "Declined",
            "DOCUMENT_EXPIRED",
            None,
            "The document has expired.",
            json!({"expiration_date": "2020-01-01"}),
        ),
        "decline_could_not_recognize_document" => t(
            Feature::Ocr,
            "Declined",
            "COULD_NOT_RECOGNIZE_DOCUMENT",
            None,
            "The document could not be recognised.",
            json!({"document_number": null, "first_name": null, "last_name": null, "full_name": null}),
        ),
        "decline_mrz_validation" => t(
            Feature::Ocr,
            "Declined",
            "MRZ_VALIDATION_FAILED",
            None,
            "The MRZ check digits do not validate.",
            json!({}),
        ),
        "decline_minimum_age" => t(
            Feature::Ocr,
            "Declined",
            "MINIMUM_AGE_NOT_MET",
            None,
            "The person is below the minimum age.",
            json!({"date_of_birth": "2015-01-01", "age": 11}),
        ),
        "decline_face_match_low_similarity" => t(
            Feature::FaceMatch,
            "Declined",
            "LOW_FACE_MATCH_SIMILARITY",
            None,
            "The selfie does not match the document portrait.",
            json!({"score": 15.0}),
        ),
        "review_face_match_borderline" => t(
            Feature::FaceMatch,
            "In Review",
            "LOW_FACE_MATCH_SIMILARITY",
            None,
            "Face similarity is borderline.",
            json!({"score": 68.0}),
        ),
        "decline_liveness_attack" => t(
            Feature::Liveness,
            "Declined",
            "LIVENESS_FACE_ATTACK",
            None,
            "A presentation attack was detected.",
            json!({"score": 5.0}),
        ),
        "decline_aml_hit" => t(
            Feature::Aml,
            "Declined",
            "AML_MATCH_CONFIRMED",
            Some("POSSIBLE_MATCH_FOUND"),
            "The name matches a sanctions list entry.",
            json!({
                "total_hits": 1, "score": 97, "sanctions_detected": true,
                "hits": [{"id": "sandbox-hit-1", "match_score": 97, "risk_score": 100, "review_status": "Unreviewed",
                          "name": "ANNA MARIA ERIKSSON", "source": "un", "source_id": "SANDBOX-1",
                          "datasets": ["sanctions"], "score_breakdown": {"name": 100, "dob": 100, "country": 0}}]}),
        ),
        "review_aml_possible_match" => t(
            Feature::Aml,
            "In Review",
            "POSSIBLE_MATCH_FOUND",
            None,
            "A possible PEP match needs review.",
            json!({
                "total_hits": 1, "score": 72, "pep_detected": true,
                "hits": [{"id": "sandbox-hit-2", "match_score": 72, "risk_score": 75, "review_status": "Unreviewed",
                          "name": "ANNA M. ERIKSON", "source": "opensanctions", "source_id": "SANDBOX-2",
                          "datasets": ["peps"], "score_breakdown": {"name": 88, "dob": 0, "country": 0}}]}),
        ),
        "decline_ip_blocklist" => t(
            Feature::IpAnalysis,
            "Declined",
            "IP_ADDRESS_IN_BLOCKLIST",
            None,
            "The IP address is on a blocklist.",
            json!({"is_vpn_or_tor": true}),
        ),
        "decline_poa_address_mismatch" => t(
            Feature::ProofOfAddress,
            "Declined",
            "POA_ADDRESS_MISMATCH",
            None,
            "The address does not match the expected one.",
            json!({}),
        ),
        "review_poa_partial_match" => t(
            Feature::ProofOfAddress,
            "In Review",
            "POA_PARTIAL_MATCH",
            None,
            "The address matches only partly.",
            json!({}),
        ),
        "decline_nfc_chip_not_verified" => t(
            Feature::Nfc,
            "Declined",
            "NFC_CHIP_FAILED",
            None,
            "The document chip could not be authenticated.",
            json!({"chip_authenticated": false}),
        ),
        "decline_database_no_match" => t(
            Feature::DatabaseValidation,
            "Declined",
            "DATABASE_VALIDATION_NO_MATCH",
            Some("DATABASE_NO_MATCH"),
            "No government record matches.",
            json!({"match_type": "no_match", "match_score": 0}),
        ),
        "decline_kyb_registry_mismatch" => t(
            Feature::KybRegistry,
            "Declined",
            "REGISTRY_MISMATCH",
            None,
            "The company registry data does not match.",
            json!({"match_type": "no_match"}),
        ),
        _ => None,
    }
}

/// The warning code the Python SDK's simulator uses for `slug`, where it is not the `risk`.
fn sdk_code(slug: &str) -> Option<&'static str> {
    match slug {
        "decline_database_no_match" => Some("DATABASE_NO_MATCH"),
        _ => None,
    }
}

/// The feature results a scenario produces for a workflow: every enabled feature passes,
/// except the one the scenario targets (added even when the workflow lacks it, so the
/// expected warning is always there). `None` for an unknown slug.
pub fn scenario_results(slug: &str, spec: &WorkflowSpec) -> Option<Map<String, Value>> {
    let twist = twist_of(slug);
    if twist.is_none() && slug != "approve" {
        return None;
    }
    let mut features = spec.feature_list();
    if let Some(twist) = &twist {
        if !features.contains(&twist.feature) {
            features.push(twist.feature);
        }
    }
    let mut results = Map::new();
    for feature in features {
        let mut element = approved(feature);
        if let Some(twist) = twist.as_ref().filter(|t| t.feature == feature) {
            let log_type = if twist.status == "Declined" {
                "error"
            } else {
                "warning"
            };
            let mut w = warning(
                twist.risk,
                feature.decision_name(),
                log_type,
                twist.short,
                twist.short,
            );
            if let (Some(alias), Some(obj)) = (twist.alias, w.as_object_mut()) {
                obj.insert("warning_code".into(), json!(alias));
            }
            // The Python SDK's `has_warning` reads `code`/`risk` (its `warning_code` is a
            // computed property, so the extra key above is invisible to it): carry the SDK
            // simulator's code as `code` where it differs from Didit's `risk`.
            if let (Some(code), Some(obj)) = (sdk_code(slug), w.as_object_mut()) {
                obj.insert("code".into(), json!(code));
            }
            element = merge(element, twist.fields.clone());
            element = merge(element, json!({"status": twist.status, "warnings": [w]}));
        }
        let array = results
            .entry(array_of(feature))
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Some(list) = array.as_array_mut() {
            list.push(element);
        }
    }
    Some(results)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::{aggregate_status, SANDBOX_SCENARIOS};
    use crate::status::SessionStatus;

    #[test]
    fn every_scenario_has_its_outcome_and_warning() {
        let spec = WorkflowSpec::from_create(json!({"workflow_type": "kyc"}).as_object().unwrap())
            .unwrap();
        for slug in SANDBOX_SCENARIOS {
            let results = scenario_results(slug, &spec).unwrap();
            let status = aggregate_status(&results);
            let expected = if slug == "approve" {
                SessionStatus::Approved
            } else if slug.starts_with("review") {
                SessionStatus::InReview
            } else {
                SessionStatus::Declined
            };
            assert_eq!(status, expected, "{slug}");
            let warnings = results
                .values()
                .flat_map(|v| v.as_array().unwrap().clone())
                .flat_map(|e| e["warnings"].as_array().unwrap().clone())
                .count();
            assert_eq!(warnings, usize::from(slug != "approve"), "{slug}");
        }
        let results = scenario_results("decline_database_no_match", &spec).unwrap();
        let w = &results["database_validations"][0]["warnings"][0];
        assert_eq!(w["risk"], "DATABASE_VALIDATION_NO_MATCH");
        assert_eq!(w["code"], "DATABASE_NO_MATCH");
        assert!(scenario_results("nope", &spec).is_none());
    }
}
