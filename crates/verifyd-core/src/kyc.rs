//! The hosted flow's rules and the KYC decision builder.
//!
//! The engines (documents, faces, screening) each judge one feature and return an element in
//! the contract's shape. This module is where those elements become a *session* decision: it
//! gives every element its workflow node id, adds warnings that come from outside the engines
//! (blocklists, duplicate users — see [`ExtraWarning`]), marks workflow features this server
//! cannot run as needing review (never as passed), keeps the untouched nodes of a resubmitted
//! session, and derives the session status with the same
//! [`aggregate_status`](crate::session::aggregate_status) the sandbox scenarios use, so live and
//! sandbox outcomes follow one rule.
//!
//! It is pure: no engine, no store, no clock. The service layer runs the engines and calls
//! [`build_results`]; tests call it with hand-made elements.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::sandbox::array_of;
use crate::session::{aggregate_status, warning};
use crate::status::SessionStatus;
use crate::workflow::{DuplicatedUserAction, Feature, WorkflowSpec};

/// Warning code of a workflow feature the hosted flow cannot run on this server.
pub const FEATURE_NOT_AVAILABLE: &str = "FEATURE_NOT_AVAILABLE";
/// Warning code of a person verified before under another `vendor_data`.
pub const POSSIBLE_DUPLICATED_USER: &str = "POSSIBLE_DUPLICATED_USER";

/// The workflow node id of a feature (`feature_ocr`, `feature_face_match` …), the same ids
/// the sandbox scenarios give their elements.
pub fn node_id(feature: Feature) -> String {
    format!("feature_{}", feature.as_str().to_lowercase())
}

/// A step of the hosted page, in the order the person goes through them. The wire names are
/// the web SDK's step values (contract §1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Choose the document type (and country).
    DocumentSelection,
    /// Photograph the document's front (the data page of a passport).
    DocumentFront,
    /// Photograph the back of a card.
    DocumentBack,
    /// Take a selfie (liveness, face match, age).
    Face,
}

impl Step {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DocumentSelection => "document_selection",
            Self::DocumentFront => "document_front",
            Self::DocumentBack => "document_back",
            Self::Face => "face",
        }
    }
}

/// Features the hosted flow runs itself: document reading, the selfie checks and AML.
pub fn runs(feature: Feature) -> bool {
    matches!(
        feature,
        Feature::Ocr
            | Feature::Liveness
            | Feature::FaceMatch
            | Feature::AgeEstimation
            | Feature::Aml
    )
}

/// Whether a document of type `code` (`P`, `ID`, `DL`, `RP`) has a back to photograph.
pub fn has_back(code: &str) -> bool {
    !matches!(code, "P")
}

/// Which features a resubmission reopens, from the `nodes_to_resubmit` features (contract
/// §1.1: `OCR`, `OCR_BACK`, `FACE`, `LIVENESS`, …) or node ids.
pub fn reopened_features(resubmit_info: &Value) -> Vec<Feature> {
    let mut names: Vec<String> = Vec::new();
    if let Some(items) = resubmit_info
        .get("nodes_to_resubmit")
        .and_then(Value::as_array)
    {
        for item in items {
            if let Some(f) = item.get("feature").and_then(Value::as_str) {
                names.push(f.to_uppercase());
            }
            if let Some(n) = item.get("node_id").and_then(Value::as_str) {
                names.push(n.to_uppercase());
            }
        }
    }
    if let Some(nodes) = resubmit_info.get("nodes").and_then(Value::as_array) {
        names.extend(
            nodes
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_uppercase),
        );
    }
    let mut out = Vec::new();
    let mut add = |f: Feature| {
        if !out.contains(&f) {
            out.push(f);
        }
    };
    for name in names {
        let name = name.trim_start_matches("FEATURE_");
        match name {
            "OCR" | "OCR_BACK" | "ID_VERIFICATION" | "DOCUMENT_AI" => add(Feature::Ocr),
            "FACE" => {
                add(Feature::Liveness);
                add(Feature::FaceMatch);
            }
            other => {
                if let Some(f) = Feature::parse(other) {
                    add(f);
                }
            }
        }
    }
    out
}

/// The page's steps for a workflow. `reopen` limits them to a resubmission's features;
/// `document_type` (once chosen) decides whether there is a back.
pub fn steps(
    spec: &WorkflowSpec,
    reopen: Option<&[Feature]>,
    document_type: Option<&str>,
) -> Vec<Step> {
    let wants = |f: Feature| spec.has(f) && reopen.is_none_or(|r| r.contains(&f));
    let mut out = Vec::new();
    if wants(Feature::Ocr) {
        out.push(Step::DocumentSelection);
        out.push(Step::DocumentFront);
        if document_type.is_none_or(has_back) {
            out.push(Step::DocumentBack);
        }
    }
    // A face match against a re-taken document needs a fresh selfie too.
    let face_match_needs_selfie =
        wants(Feature::FaceMatch) || (wants(Feature::Ocr) && spec.has(Feature::FaceMatch));
    if wants(Feature::Liveness) || wants(Feature::AgeEstimation) || face_match_needs_selfie {
        out.push(Step::Face);
    }
    out
}

/// The document types the page offers: the session's `expected_document_types` if any, else
/// those `documents_allowed` names (an object of ISO-3 country → list of codes), else all.
pub fn offered_document_types(
    spec: &WorkflowSpec,
    expected_details: Option<&Value>,
) -> Vec<String> {
    const ALL: [&str; 4] = ["P", "ID", "DL", "RP"];
    let expected: Vec<String> = expected_details
        .and_then(|d| d.get("expected_document_types"))
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let mut allowed: Vec<String> = Vec::new();
    let mut any_type = false;
    if let Some(map) = spec.documents_allowed.as_object() {
        for codes in map.values() {
            // `[]`, `true` or `"all"` accept every type of that country.
            any_type |= match codes {
                Value::Array(list) => list.is_empty(),
                Value::Bool(on) => *on,
                Value::String(s) => s.eq_ignore_ascii_case("all"),
                _ => false,
            };
            for code in codes
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                let code = code.to_uppercase();
                if !allowed.contains(&code) {
                    allowed.push(code);
                }
            }
        }
    }
    ALL.iter()
        .map(|c| (*c).to_owned())
        .filter(|c| expected.is_empty() || expected.contains(c))
        .filter(|c| any_type || allowed.is_empty() || allowed.contains(c))
        .collect()
}

/// Whether `documents_allowed` accepts a document of `code` issued by `country` (ISO-3).
/// An empty object accepts everything; a country listed with `[]`, `true` or `"all"` accepts
/// every type from it.
pub fn document_allowed(spec: &WorkflowSpec, country: Option<&str>, code: Option<&str>) -> bool {
    let Some(map) = spec.documents_allowed.as_object() else {
        return true;
    };
    if map.is_empty() {
        return true;
    }
    let Some(country) = country else {
        return false;
    };
    let Some(entry) = map
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(country))
        .map(|(_, v)| v)
    else {
        return false;
    };
    match entry {
        Value::Bool(on) => *on,
        Value::String(s) => s.eq_ignore_ascii_case("all"),
        Value::Array(list) if list.is_empty() => true,
        Value::Array(list) => code.is_some_and(|c| {
            list.iter()
                .filter_map(Value::as_str)
                .any(|x| x.eq_ignore_ascii_case(c))
        }),
        _ => false,
    }
}

/// One engine result: the feature it decides and its element in the contract's shape.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureResult {
    /// The workflow feature.
    pub feature: Feature,
    /// The element (`status`, `warnings` and the feature's fields).
    pub element: Value,
}

/// A warning from outside the engines, attached to one feature's element. Its `log_type`
/// decides the effect: `error` declines the feature, `warning` sends it to review,
/// `information` only records it.
///
/// This is the hook for blocklists (`FACE_IN_BLOCKLIST` on the face match,
/// `ID_DOCUMENT_IN_BLOCKLIST` on the document) and duplicate users (see
/// [`duplicated_user_warning`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ExtraWarning {
    /// The feature whose element carries it.
    pub feature: Feature,
    /// The warning object (contract §2.3).
    pub warning: Value,
}

/// The warning for a person already verified under another `vendor_data`, with the severity
/// the workflow's `duplicated_user_action` asks for.
pub fn duplicated_user_warning(
    action: DuplicatedUserAction,
    other_sessions: &[String],
) -> ExtraWarning {
    let log_type = match action {
        DuplicatedUserAction::NoAction => "information",
        DuplicatedUserAction::Review => "warning",
        DuplicatedUserAction::Decline => "error",
    };
    let mut w = warning(
        POSSIBLE_DUPLICATED_USER,
        "ID_VERIFICATION",
        log_type,
        "Possible duplicated user",
        "The same person was verified before under another vendor_data.",
    );
    if let Some(obj) = w.as_object_mut() {
        obj.insert(
            "additional_data".into(),
            json!({ "session_ids": other_sessions }),
        );
    }
    ExtraWarning {
        feature: Feature::Ocr,
        warning: w,
    }
}

/// Adds a warning to an element and lowers its status as the warning's `log_type` demands
/// (never raises it: a Declined element stays Declined).
pub fn apply_warning(element: &mut Value, w: Value) {
    let Some(obj) = element.as_object_mut() else {
        return;
    };
    let current = obj
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or("Approved")
        .to_owned();
    let lowered = match (w.get("log_type").and_then(Value::as_str), current.as_str()) {
        (Some("error"), _) => "Declined",
        (Some("warning"), "Approved" | "Not Finished") => "In Review",
        _ => current.as_str(),
    }
    .to_owned();
    obj.insert("status".into(), Value::String(lowered));
    match obj.get_mut("warnings").and_then(Value::as_array_mut) {
        Some(list) => list.push(w),
        None => {
            obj.insert("warnings".into(), Value::Array(vec![w]));
        }
    }
}

/// The element of a workflow feature the hosted flow cannot run here: In Review, saying why.
fn not_available(feature: Feature) -> Value {
    json!({
        "node_id": node_id(feature),
        "status": "In Review",
        "warnings": [warning(
            FEATURE_NOT_AVAILABLE,
            feature.decision_name(),
            "warning",
            "Step not available",
            "This verification step cannot run on this server; a reviewer must complete it.",
        )],
    })
}

/// What the decision builder needs.
#[derive(Debug, Clone)]
pub struct DecisionInput<'a> {
    /// The workflow the session runs.
    pub spec: &'a WorkflowSpec,
    /// The session's results so far (kept for nodes a resubmission did not reopen).
    pub previous: &'a Map<String, Value>,
    /// The features a resubmission reopened; `None` on a first run (everything is new).
    pub reopened: Option<&'a [Feature]>,
    /// The engines' elements of this run.
    pub fresh: Vec<FeatureResult>,
    /// Blocklist, duplicate and other warnings from outside the engines.
    pub extra: Vec<ExtraWarning>,
}

/// The outcome: the decision arrays and the session status they add up to.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// `id_verifications`, `liveness_checks` … as stored on the session.
    pub results: Map<String, Value>,
    /// Approved, Declined or In Review.
    pub status: SessionStatus,
}

/// Combines the engines' elements into the session's decision arrays and status.
pub fn build_results(input: DecisionInput<'_>) -> Decision {
    let DecisionInput {
        spec,
        previous,
        reopened,
        fresh,
        extra,
    } = input;
    let replaced = |f: Feature| reopened.is_none_or(|r| r.contains(&f));
    // Keep what a resubmission did not reopen, drop the rest (it is recomputed below).
    let mut results: Map<String, Value> = Map::new();
    if reopened.is_some() {
        for (name, list) in previous {
            let kept: Vec<Value> = list
                .as_array()
                .into_iter()
                .flatten()
                .filter(|e| {
                    let node = e.get("node_id").and_then(Value::as_str);
                    !spec
                        .feature_list()
                        .into_iter()
                        .any(|f| replaced(f) && node == Some(node_id(f).as_str()))
                })
                .cloned()
                .collect();
            if !kept.is_empty() {
                results.insert(name.clone(), Value::Array(kept));
            }
        }
    }
    fn push(results: &mut Map<String, Value>, feature: Feature, mut element: Value) {
        if let Some(obj) = element.as_object_mut() {
            obj.insert("node_id".into(), Value::String(node_id(feature)));
            obj.entry("warnings")
                .or_insert_with(|| Value::Array(Vec::new()));
        }
        if let Some(list) = results
            .entry(array_of(feature))
            .or_insert_with(|| Value::Array(Vec::new()))
            .as_array_mut()
        {
            list.push(element);
        }
    }
    let mut done: Vec<Feature> = Vec::new();
    for result in fresh {
        if replaced(result.feature) {
            done.push(result.feature);
            push(&mut results, result.feature, result.element);
        }
    }
    for feature in spec.feature_list() {
        if replaced(feature) && !done.contains(&feature) {
            // A feature no engine answered for is never passed.
            push(&mut results, feature, not_available(feature));
        }
    }
    for extra in extra {
        let node = node_id(extra.feature);
        let target = results
            .get_mut(array_of(extra.feature))
            .and_then(Value::as_array_mut)
            .and_then(|list| {
                list.iter_mut()
                    .find(|e| e.get("node_id").and_then(Value::as_str) == Some(node.as_str()))
            });
        match target {
            Some(element) => apply_warning(element, extra.warning),
            None => {
                let mut element = json!({"status": "Approved", "warnings": []});
                apply_warning(&mut element, extra.warning);
                push(&mut results, extra.feature, element);
            }
        }
    }
    let status = aggregate_status(&results);
    Decision { results, status }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(features: &[&str]) -> WorkflowSpec {
        let body =
            json!({"features": features.iter().map(|f| json!({"feature": f})).collect::<Vec<_>>()});
        WorkflowSpec::from_create(body.as_object().unwrap()).unwrap()
    }

    fn element(status: &str) -> Value {
        json!({"node_id": null, "status": status, "warnings": []})
    }

    #[test]
    fn all_approved_approves_and_gets_node_ids() {
        let spec = spec(&["OCR", "LIVENESS", "FACE_MATCH"]);
        let previous = Map::new();
        let d = build_results(DecisionInput {
            spec: &spec,
            previous: &previous,
            reopened: None,
            fresh: vec![
                FeatureResult {
                    feature: Feature::Ocr,
                    element: element("Approved"),
                },
                FeatureResult {
                    feature: Feature::Liveness,
                    element: element("Approved"),
                },
                FeatureResult {
                    feature: Feature::FaceMatch,
                    element: element("Approved"),
                },
            ],
            extra: vec![],
        });
        assert_eq!(d.status, SessionStatus::Approved);
        assert_eq!(
            d.results["face_matches"][0]["node_id"],
            "feature_face_match"
        );
        assert_eq!(d.results["id_verifications"][0]["node_id"], "feature_ocr");
    }

    #[test]
    fn a_feature_without_result_is_never_passed() {
        let spec = spec(&["OCR", "PHONE_VERIFICATION"]);
        let previous = Map::new();
        let d = build_results(DecisionInput {
            spec: &spec,
            previous: &previous,
            reopened: None,
            fresh: vec![FeatureResult {
                feature: Feature::Ocr,
                element: element("Approved"),
            }],
            extra: vec![],
        });
        assert_eq!(d.status, SessionStatus::InReview);
        assert_eq!(
            d.results["phone_verifications"][0]["warnings"][0]["risk"],
            FEATURE_NOT_AVAILABLE
        );
    }

    #[test]
    fn extra_warnings_lower_the_status() {
        let spec = spec(&["OCR"]);
        let previous = Map::new();
        let run = |action| {
            build_results(DecisionInput {
                spec: &spec,
                previous: &previous,
                reopened: None,
                fresh: vec![FeatureResult {
                    feature: Feature::Ocr,
                    element: element("Approved"),
                }],
                extra: vec![duplicated_user_warning(action, &["s1".to_owned()])],
            })
            .status
        };
        assert_eq!(run(DuplicatedUserAction::NoAction), SessionStatus::Approved);
        assert_eq!(run(DuplicatedUserAction::Review), SessionStatus::InReview);
        assert_eq!(run(DuplicatedUserAction::Decline), SessionStatus::Declined);
    }

    #[test]
    fn resubmission_keeps_untouched_nodes() {
        let spec = spec(&["OCR", "LIVENESS", "FACE_MATCH"]);
        let mut previous = Map::new();
        previous.insert("id_verifications".into(), json!([{"node_id": "feature_ocr", "status": "Approved", "warnings": [], "document_number": "X1"}]));
        previous.insert(
            "liveness_checks".into(),
            json!([{"node_id": "feature_liveness", "status": "Declined", "warnings": []}]),
        );
        previous.insert(
            "face_matches".into(),
            json!([{"node_id": "feature_face_match", "status": "Declined", "warnings": []}]),
        );
        let reopened = reopened_features(
            &json!({"nodes_to_resubmit": [{"node_id": "feature_liveness", "feature": "FACE"}]}),
        );
        assert_eq!(reopened, vec![Feature::Liveness, Feature::FaceMatch]);
        let d = build_results(DecisionInput {
            spec: &spec,
            previous: &previous,
            reopened: Some(&reopened),
            fresh: vec![
                FeatureResult {
                    feature: Feature::Liveness,
                    element: element("Approved"),
                },
                FeatureResult {
                    feature: Feature::FaceMatch,
                    element: element("Approved"),
                },
            ],
            extra: vec![],
        });
        assert_eq!(d.status, SessionStatus::Approved);
        assert_eq!(d.results["id_verifications"][0]["document_number"], "X1");
        assert_eq!(d.results["liveness_checks"].as_array().unwrap().len(), 1);
        assert_eq!(steps(&spec, Some(&reopened), None), vec![Step::Face]);
    }

    #[test]
    fn steps_and_documents() {
        let spec = spec(&["OCR", "LIVENESS", "FACE_MATCH", "AML"]);
        assert_eq!(
            steps(&spec, None, Some("P")),
            vec![Step::DocumentSelection, Step::DocumentFront, Step::Face]
        );
        assert_eq!(steps(&spec, None, Some("ID")).len(), 4);
        let mut s = spec.clone();
        s.documents_allowed = json!({"ESP": ["ID"], "UTO": []});
        assert_eq!(offered_document_types(&s, None).len(), 4);
        assert!(document_allowed(&s, Some("ESP"), Some("ID")));
        assert!(!document_allowed(&s, Some("ESP"), Some("P")));
        assert!(document_allowed(&s, Some("UTO"), Some("P")));
        assert!(!document_allowed(&s, Some("FRA"), Some("P")));
        s.documents_allowed = json!({"ESP": ["ID"]});
        assert_eq!(offered_document_types(&s, None), vec!["ID"]);
        let expected = json!({"expected_document_types": ["P"]});
        assert_eq!(offered_document_types(&spec, Some(&expected)), vec!["P"]);
    }
}
