//! Verification sessions: the create request's rules, the session record, its hosted URL and
//! the decision document every client reads (contract §2).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, NaiveDate, Utc};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::error::FieldErrors;
use crate::ids::{AppId, SessionId, WorkflowId};
use crate::status::SessionStatus;
use crate::tenant::Environment;

/// UI languages accepted in `language` (contract §1.1, plus the SDK's legacy `eu` and `gl`).
pub const LANGUAGES: [&str; 56] = [
    "en", "ar", "bg", "bn", "bs", "ca", "cnr", "cs", "da", "de", "el", "es", "et", "fa", "fi",
    "fr", "he", "hi", "hr", "hu", "hy", "id", "it", "ja", "ka", "kk", "ko", "ky", "lt", "lv", "mk",
    "mn", "ms", "nl", "no", "pl", "pt-BR", "pt", "ro", "ru", "sk", "sl", "so", "sq", "sr", "sv",
    "th", "tr", "uk", "uz", "vi", "zh-CN", "zh-TW", "zh", "eu", "gl",
];

/// Document type codes accepted in `expected_details.expected_document_types`.
pub const DOCUMENT_TYPES: [&str; 7] = ["P", "ID", "DL", "RP", "HIC", "TC", "SSC"];

/// The sandbox scenario slugs (contract §6).
pub const SANDBOX_SCENARIOS: [&str; 16] = [
    "approve",
    "decline_document_expired",
    "decline_could_not_recognize_document",
    "decline_mrz_validation",
    "decline_minimum_age",
    "decline_face_match_low_similarity",
    "decline_liveness_attack",
    "decline_aml_hit",
    "decline_ip_blocklist",
    "decline_poa_address_mismatch",
    "decline_nfc_chip_not_verified",
    "decline_database_no_match",
    "review_aml_possible_match",
    "review_face_match_borderline",
    "review_poa_partial_match",
    "decline_kyb_registry_mismatch",
];

/// Largest `portrait_image` accepted, decoded (contract §7 #13: 2 MB).
pub const MAX_PORTRAIT_BYTES: usize = 2 * 1024 * 1024;

/// The per-feature arrays of a decision, in the order they are rendered.
pub const RESULT_ARRAYS: [&str; 12] = [
    "id_verifications",
    "nfc_verifications",
    "liveness_checks",
    "face_matches",
    "poa_verifications",
    "phone_verifications",
    "email_verifications",
    "aml_screenings",
    "ip_analyses",
    "database_validations",
    "questionnaire_responses",
    "document_ai_documents",
];

/// Which device follows the callback redirect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum CallbackMethod {
    /// The device that opened the session.
    #[default]
    Initiator,
    /// The device that finished it.
    Completer,
    /// Both.
    Both,
}

/// A validated `POST /v3/session/` body.
#[derive(Debug, Clone, Default)]
pub struct SessionRequest {
    /// The workflow to run.
    pub workflow_id: Option<WorkflowId>,
    /// The integrator's user reference.
    pub vendor_data: Option<String>,
    /// Redirect after completion.
    pub callback: Option<String>,
    /// Which device redirects.
    pub callback_method: CallbackMethod,
    /// Free-form object stored with the session.
    pub metadata: Option<Value>,
    /// UI language.
    pub language: Option<String>,
    /// Contact details object.
    pub contact_details: Option<Value>,
    /// Expected details object (normalised).
    pub expected_details: Option<Value>,
    /// Decoded reference portrait.
    pub portrait_image: Option<Vec<u8>>,
    /// Sandbox scenario slug.
    pub sandbox_scenario: Option<String>,
}

fn string_field(
    body: &Map<String, Value>,
    key: &str,
    max: usize,
    errors: &mut FieldErrors,
) -> Option<String> {
    match body.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.chars().count() > max => {
            errors.add(
                key,
                format!("Ensure this field has no more than {max} characters."),
            );
            None
        }
        Some(Value::String(s)) if s.is_empty() => {
            errors.add(key, "This field may not be blank.");
            None
        }
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errors.add(key, "Not a valid string.");
            None
        }
    }
}

impl SessionRequest {
    /// Validates a create body; every problem is reported against its field.
    pub fn parse(body: &Map<String, Value>) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut request = Self::default();
        match body.get("workflow_id") {
            None | Some(Value::Null) => errors.add("workflow_id", "This field is required."),
            Some(Value::String(raw)) => match raw.parse() {
                Ok(id) => request.workflow_id = Some(id),
                Err(_) => errors.add("workflow_id", "Must be a valid UUID."),
            },
            Some(_) => errors.add("workflow_id", "Must be a valid UUID."),
        }
        request.vendor_data = string_field(body, "vendor_data", 256, &mut errors);
        request.callback = string_field(body, "callback", 2048, &mut errors);
        if let Some(callback) = &request.callback {
            if !callback.contains("://") {
                errors.add("callback", "Enter a valid URL.");
            }
        }
        if let Some(value) = body.get("callback_method").filter(|v| !v.is_null()) {
            match value
                .as_str()
                .map(str::to_lowercase)
                .and_then(|s| serde_json::from_value(Value::String(s)).ok())
            {
                Some(method) => request.callback_method = method,
                None => errors.add("callback_method", format!("{value} is not a valid choice.")),
            }
        }
        match body.get("metadata") {
            None | Some(Value::Null) => {}
            Some(Value::Object(_)) => request.metadata = body.get("metadata").cloned(),
            // Older documents describe metadata as a JSON string; accept a string holding an object.
            Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
                Ok(obj @ Value::Object(_)) => request.metadata = Some(obj),
                _ => errors.add("metadata", "Must be a JSON object."),
            },
            Some(_) => errors.add("metadata", "Must be a JSON object."),
        }
        if let Some(language) = string_field(body, "language", 10, &mut errors) {
            match LANGUAGES.iter().find(|l| l.eq_ignore_ascii_case(&language)) {
                Some(l) => request.language = Some((*l).to_owned()),
                None => errors.add("language", format!("\"{language}\" is not a valid choice.")),
            }
        }
        match body.get("contact_details") {
            None | Some(Value::Null) => {}
            Some(Value::Object(details)) => {
                if let Some(email) = details.get("email").and_then(Value::as_str) {
                    if !email.contains('@') {
                        errors.add("contact_details", "Enter a valid email address.");
                    }
                }
                if let Some(phone) = details.get("phone").and_then(Value::as_str) {
                    if !phone.starts_with('+') || phone.len() < 8 {
                        errors.add("contact_details", "Phone must be in E.164 format.");
                    }
                }
                request.contact_details = Some(Value::Object(details.clone()));
            }
            Some(_) => errors.add("contact_details", "Must be a JSON object."),
        }
        match body.get("expected_details") {
            None | Some(Value::Null) => {}
            Some(Value::Object(details)) => match normalise_expected(details) {
                Ok(details) => request.expected_details = Some(details),
                Err(message) => errors.add("expected_details", message),
            },
            Some(_) => errors.add("expected_details", "Must be a JSON object."),
        }
        if let Some(encoded) = string_field(body, "portrait_image", 4 * 1024 * 1024, &mut errors) {
            let payload = encoded
                .split_once(";base64,")
                .map_or(encoded.as_str(), |(_, data)| data);
            match STANDARD.decode(payload.trim()) {
                Ok(bytes) if bytes.len() > MAX_PORTRAIT_BYTES => {
                    errors.add("portrait_image", "File size should not exceed 2 MB.")
                }
                Ok(bytes) => request.portrait_image = Some(bytes),
                Err(_) => errors.add("portrait_image", "Invalid base64 image."),
            }
        }
        if let Some(slug) = string_field(body, "sandbox_scenario", 64, &mut errors) {
            if SANDBOX_SCENARIOS.contains(&slug.as_str()) {
                request.sandbox_scenario = Some(slug);
            } else {
                errors.add(
                    "sandbox_scenario",
                    format!("\"{slug}\" is not a valid choice."),
                );
            }
        }
        if errors.is_empty() {
            Ok(request)
        } else {
            Err(errors)
        }
    }
}

fn normalise_expected(details: &Map<String, Value>) -> Result<Value, String> {
    let mut out = details.clone();
    if let Some(dob) = details.get("date_of_birth").and_then(Value::as_str) {
        if NaiveDate::parse_from_str(dob, "%Y-%m-%d").is_err() {
            return Err("date_of_birth must be YYYY-MM-DD.".to_owned());
        }
    }
    if let Some(types) = details.get("expected_document_types") {
        let list = types
            .as_array()
            .ok_or("expected_document_types must be a list.")?;
        let mut codes: Vec<String> = Vec::new();
        for item in list {
            let code = item
                .as_str()
                .map(|s| s.trim().to_uppercase())
                .ok_or("expected_document_types must be a list of strings.")?;
            if !DOCUMENT_TYPES.contains(&code.as_str()) {
                return Err(format!("\"{code}\" is not a valid document type."));
            }
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
        out.insert("expected_document_types".to_owned(), json!(codes));
    }
    Ok(Value::Object(out))
}

/// A 12-character URL-safe token for the hosted link.
pub fn new_session_token(rng: &mut impl Rng) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..12)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect()
}

/// `{public_url}/session/{token}`, or `/{lang}/session/{token}` when a language was chosen.
pub fn session_url(public_url: &str, token: &str, language: Option<&str>) -> String {
    let base = public_url.trim_end_matches('/');
    match language {
        Some(lang) => format!("{base}/{lang}/session/{token}"),
        None => format!("{base}/session/{token}"),
    }
}

/// A stored session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    /// Its id.
    pub id: SessionId,
    /// Owning application.
    pub app_id: AppId,
    /// Sequential number within the application.
    pub number: i64,
    /// Hosted-link token.
    pub token: String,
    /// Workflow it runs.
    pub workflow_id: WorkflowId,
    /// Version of the workflow it was created on.
    pub workflow_version: i64,
    /// Current status.
    pub status: SessionStatus,
    /// Environment of the owning application.
    pub environment: Environment,
    /// Integrator's user reference.
    pub vendor_data: Option<String>,
    /// Redirect URL.
    pub callback: Option<String>,
    /// Which device redirects.
    pub callback_method: CallbackMethod,
    /// Free-form object.
    pub metadata: Option<Value>,
    /// UI language.
    pub language: Option<String>,
    /// Contact details.
    pub contact_details: Option<Value>,
    /// Expected details.
    pub expected_details: Option<Value>,
    /// Sandbox scenario driving the outcome.
    pub sandbox_scenario: Option<String>,
    /// Whether a reference portrait was uploaded.
    pub has_portrait: bool,
    /// Results per feature array (`id_verifications`…).
    pub results: Map<String, Value>,
    /// Resubmission details while Resubmitted.
    pub resubmit_info: Option<Value>,
    /// Source session of an imported one.
    pub shared_from_session: Option<SessionId>,
    /// `API`, `HOSTED` or `MIGRATED`.
    pub session_type: String,
    /// Session-level warnings raised before any feature ran (e.g. a blocklisted email or
    /// document number given at creation); shown in the decision's top-level `warnings`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Value>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// When an unopened session expires.
    pub expires_at: DateTime<Utc>,
}

/// An activity or review item of a session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReviewItem {
    /// Item id.
    pub id: String,
    /// `status_change`, `comment`…
    pub action: String,
    /// Status before.
    pub old_status: Option<SessionStatus>,
    /// Status after.
    pub new_status: Option<SessionStatus>,
    /// Free text.
    pub note: Option<String>,
    /// Who acted: `system`, `api`, `user`…
    pub reviewed_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl ReviewItem {
    /// The contract's JSON item (DOCS fields plus the SDK's `reviewed_by`/`decision_reason`).
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "action": self.action,
            "old_status": self.old_status,
            "new_status": self.new_status,
            "note": self.note,
            "reviewed_by": self.reviewed_by,
            "decision_reason": self.note,
            "created_at": iso(self.created_at),
        })
    }
}

/// ISO 8601 with microseconds and `Z`.
pub fn iso(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

impl Session {
    /// The hosted URL.
    pub fn url(&self, public_url: &str) -> String {
        session_url(public_url, &self.token, self.language.as_deref())
    }

    /// The create/get response (contract §1.1).
    pub fn to_created_json(&self, public_url: &str) -> Value {
        json!({
            "session_id": self.id,
            "session_number": self.number,
            "session_token": self.token,
            "url": self.url(public_url),
            "vendor_data": self.vendor_data,
            "metadata": self.metadata,
            "status": self.status,
            "callback": self.callback,
            "callback_method": self.callback_method,
            "workflow_id": self.workflow_id,
            "workflow_version": self.workflow_version,
            "session_kind": "user",
            "environment": self.environment,
            "language": self.language,
            "created_at": iso(self.created_at),
            "resubmit_info": self.resubmit_info,
        })
    }

    /// The feature array named `name` (empty when the feature has not run).
    pub fn results_of(&self, name: &str) -> Vec<Value> {
        self.results
            .get(name)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    }

    /// The decision document (contract §2): every feature array present, `[]` when not run.
    pub fn decision_json(
        &self,
        public_url: &str,
        features: &[&str],
        reviews: &[ReviewItem],
    ) -> Value {
        let mut doc = Map::new();
        doc.insert("session_id".into(), json!(self.id));
        doc.insert("session_number".into(), json!(self.number));
        doc.insert("session_kind".into(), json!("user"));
        // Imported sessions have no hosted flow of their own (contract §1.1 import-shared).
        let session_url = match self.shared_from_session {
            Some(_) => Value::Null,
            None => json!(self.url(public_url)),
        };
        doc.insert("session_url".into(), session_url);
        doc.insert("status".into(), json!(self.status));
        doc.insert("environment".into(), json!(self.environment));
        doc.insert("workflow_id".into(), json!(self.workflow_id));
        doc.insert("workflow_version".into(), json!(self.workflow_version));
        doc.insert("features".into(), json!(features));
        doc.insert("vendor_data".into(), json!(self.vendor_data));
        doc.insert("metadata".into(), json!(self.metadata));
        doc.insert("callback".into(), json!(self.callback));
        doc.insert("expected_details".into(), json!(self.expected_details));
        doc.insert("contact_details".into(), json!(self.contact_details));
        doc.insert("created_at".into(), json!(iso(self.created_at)));
        doc.insert("expires_at".into(), json!(iso(self.expires_at)));
        doc.insert("resubmit_info".into(), json!(self.resubmit_info));
        if let Some(source) = self.shared_from_session {
            doc.insert("shared_from_session".into(), json!(source));
        }
        for name in RESULT_ARRAYS {
            doc.insert(name.into(), Value::Array(self.results_of(name)));
        }
        doc.insert(
            "reviews".into(),
            Value::Array(reviews.iter().map(ReviewItem::to_json).collect()),
        );
        doc.insert("warnings".into(), Value::Array(self.all_warnings()));
        Value::Object(doc)
    }

    /// Every warning of every feature element, flattened, then the session-level ones.
    pub fn all_warnings(&self) -> Vec<Value> {
        let mut all: Vec<Value> = RESULT_ARRAYS
            .iter()
            .flat_map(|name| self.results_of(name))
            .flat_map(|element| {
                element
                    .get("warnings")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
            })
            .collect();
        for warning in &self.warnings {
            if !all.iter().any(|w| w.get("risk") == warning.get("risk")) {
                all.push(warning.clone());
            }
        }
        all
    }

    /// The first value of `field` among the ID verification results.
    pub fn id_field(&self, field: &str) -> Option<String> {
        self.results_of("id_verifications")
            .iter()
            .find_map(|e| e.get(field).and_then(Value::as_str).map(str::to_owned))
    }
}

/// The session status the feature results add up to: any Declined element declines, any
/// In Review element sends it to review, otherwise it is approved.
pub fn aggregate_status(results: &Map<String, Value>) -> SessionStatus {
    let statuses: Vec<&str> = results
        .values()
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|e| e.get("status").and_then(Value::as_str))
        .collect();
    if statuses.contains(&"Declined") {
        SessionStatus::Declined
    } else if statuses.contains(&"In Review") {
        SessionStatus::InReview
    } else {
        SessionStatus::Approved
    }
}

/// A warning object in the contract's shape (§2.3).
pub fn warning(risk: &str, feature: &str, log_type: &str, short: &str, long: &str) -> Value {
    json!({
        "risk": risk,
        "feature": feature,
        "additional_data": null,
        "log_type": log_type,
        "short_description": short,
        "long_description": long,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn create_body_rules() {
        let errors = SessionRequest::parse(&obj(json!({"vendor_data": "x"}))).unwrap_err();
        assert_eq!(errors.0["workflow_id"], vec!["This field is required."]);
        let wf = "11111111-2222-3333-4444-555555555555";
        let ok = SessionRequest::parse(&obj(json!({
            "workflow_id": wf, "language": "ES", "metadata": "{\"a\":1}",
            "expected_details": {"expected_document_types": ["p", "id", "P"]}
        })))
        .unwrap();
        assert_eq!(ok.language.as_deref(), Some("es"));
        assert_eq!(ok.metadata, Some(json!({"a": 1})));
        assert_eq!(
            ok.expected_details.unwrap()["expected_document_types"],
            json!(["P", "ID"])
        );
        for bad in [
            json!({"workflow_id": wf, "metadata": [1]}),
            json!({"workflow_id": wf, "callback_method": "nobody"}),
            json!({"workflow_id": wf, "expected_details": {"expected_document_types": ["XX"]}}),
            json!({"workflow_id": wf, "sandbox_scenario": "fly"}),
            json!({"workflow_id": "nope"}),
            json!({"workflow_id": wf, "vendor_data": ""}),
        ] {
            assert!(SessionRequest::parse(&obj(bad)).is_err());
        }
    }

    #[test]
    fn urls_and_tokens() {
        let token = new_session_token(&mut rand::thread_rng());
        assert_eq!(token.len(), 12);
        assert_eq!(
            session_url("http://h/", "abc", None),
            "http://h/session/abc"
        );
        assert_eq!(
            session_url("http://h", "abc", Some("es")),
            "http://h/es/session/abc"
        );
    }

    #[test]
    fn aggregation() {
        let mut results = Map::new();
        results.insert("liveness_checks".into(), json!([{"status": "Approved"}]));
        assert_eq!(aggregate_status(&results), SessionStatus::Approved);
        results.insert("face_matches".into(), json!([{"status": "In Review"}]));
        assert_eq!(aggregate_status(&results), SessionStatus::InReview);
        results.insert("aml_screenings".into(), json!([{"status": "Declined"}]));
        assert_eq!(aggregate_status(&results), SessionStatus::Declined);
    }
}
