//! Workflows: which checks a session runs and the thresholds that decide them.
//!
//! Two creation forms are accepted (contract resolutions): the seeds' flat form
//! (`workflow_type` + `is_*_enabled` flags + thresholds) and the newer `features[]` form.
//! Both become one [`WorkflowSpec`]; responses show both views.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::FieldErrors;

/// A verification step a workflow can include (the `features[].feature` enum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Feature {
    /// Reading the ID document.
    Ocr,
    /// Reading the document's chip.
    Nfc,
    /// Passive liveness on the selfie.
    Liveness,
    /// Selfie vs document portrait.
    FaceMatch,
    /// Proof of address document.
    ProofOfAddress,
    /// A custom questionnaire.
    Questionnaire,
    /// Generic document extraction.
    DocumentAi,
    /// Phone one-time code.
    PhoneVerification,
    /// Email one-time code.
    EmailVerification,
    /// Government database lookup.
    DatabaseValidation,
    /// Sanctions and PEP screening.
    Aml,
    /// IP risk analysis.
    IpAnalysis,
    /// Selfie age estimation.
    AgeEstimation,
    /// Business registry lookup.
    KybRegistry,
    /// Business documents.
    KybDocuments,
    /// Business key people.
    KybKeyPeople,
}

impl Feature {
    /// Every feature.
    pub const ALL: [Feature; 16] = [
        Self::Ocr,
        Self::Nfc,
        Self::Liveness,
        Self::FaceMatch,
        Self::ProofOfAddress,
        Self::Questionnaire,
        Self::DocumentAi,
        Self::PhoneVerification,
        Self::EmailVerification,
        Self::DatabaseValidation,
        Self::Aml,
        Self::IpAnalysis,
        Self::AgeEstimation,
        Self::KybRegistry,
        Self::KybDocuments,
        Self::KybKeyPeople,
    ];

    /// The wire name (`OCR`, `FACE_MATCH`…).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ocr => "OCR",
            Self::Nfc => "NFC",
            Self::Liveness => "LIVENESS",
            Self::FaceMatch => "FACE_MATCH",
            Self::ProofOfAddress => "PROOF_OF_ADDRESS",
            Self::Questionnaire => "QUESTIONNAIRE",
            Self::DocumentAi => "DOCUMENT_AI",
            Self::PhoneVerification => "PHONE_VERIFICATION",
            Self::EmailVerification => "EMAIL_VERIFICATION",
            Self::DatabaseValidation => "DATABASE_VALIDATION",
            Self::Aml => "AML",
            Self::IpAnalysis => "IP_ANALYSIS",
            Self::AgeEstimation => "AGE_ESTIMATION",
            Self::KybRegistry => "KYB_REGISTRY",
            Self::KybDocuments => "KYB_DOCUMENTS",
            Self::KybKeyPeople => "KYB_KEY_PEOPLE",
        }
    }

    /// Parses a wire name, case-insensitively.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(raw.trim()))
    }

    /// The name used in a decision's `features` list and in list rows.
    pub fn decision_name(self) -> &'static str {
        match self {
            Self::Ocr => "ID_VERIFICATION",
            Self::ProofOfAddress => "POA",
            Self::PhoneVerification => "PHONE",
            Self::EmailVerification => "EMAIL_VERIFICATION",
            other => other.as_str(),
        }
    }

    /// The flat-form flag that toggles this feature, if any.
    pub fn flag(self) -> Option<&'static str> {
        Some(match self {
            Self::Ocr => "is_ocr_enabled",
            Self::Nfc => "is_nfc_enabled",
            Self::Liveness => "is_liveness_enabled",
            Self::FaceMatch => "is_face_match_enabled",
            Self::ProofOfAddress => "is_proof_of_address_enabled",
            Self::Questionnaire => "is_questionnaire_enabled",
            Self::PhoneVerification => "is_phone_verification_enabled",
            Self::EmailVerification => "is_email_verification_enabled",
            Self::DatabaseValidation => "is_database_validation_enabled",
            Self::Aml => "is_aml_enabled",
            Self::IpAnalysis => "is_ip_analysis_enabled",
            Self::AgeEstimation => "is_age_estimation_enabled",
            _ => return None,
        })
    }

    /// Default price in USD credits of one run of this feature.
    pub fn default_price(self) -> f64 {
        match self {
            Self::Ocr => 0.20,
            Self::Nfc => 0.10,
            Self::Liveness | Self::FaceMatch => 0.05,
            Self::Aml => 0.20,
            Self::ProofOfAddress | Self::DocumentAi => 0.20,
            Self::DatabaseValidation => 0.30,
            Self::PhoneVerification | Self::EmailVerification => 0.05,
            Self::IpAnalysis | Self::AgeEstimation | Self::Questionnaire => 0.0,
            Self::KybRegistry | Self::KybDocuments | Self::KybKeyPeople => 0.50,
        }
    }
}

/// The seven workflow templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum WorkflowType {
    /// Document + selfie.
    #[default]
    Kyc,
    /// Age estimation with ID fallback.
    AdaptiveAgeVerification,
    /// Returning-user selfie against a stored portrait.
    BiometricAuthentication,
    /// Proof of address.
    AddressVerification,
    /// A questionnaire.
    QuestionnaireVerification,
    /// Email one-time code.
    EmailVerification,
    /// Phone one-time code.
    PhoneVerification,
}

impl WorkflowType {
    /// Every template.
    pub const ALL: [WorkflowType; 7] = [
        Self::Kyc,
        Self::AdaptiveAgeVerification,
        Self::BiometricAuthentication,
        Self::AddressVerification,
        Self::QuestionnaireVerification,
        Self::EmailVerification,
        Self::PhoneVerification,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Kyc => "kyc",
            Self::AdaptiveAgeVerification => "adaptive_age_verification",
            Self::BiometricAuthentication => "biometric_authentication",
            Self::AddressVerification => "address_verification",
            Self::QuestionnaireVerification => "questionnaire_verification",
            Self::EmailVerification => "email_verification",
            Self::PhoneVerification => "phone_verification",
        }
    }

    /// Parses a wire name.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == raw)
    }

    /// The features the template starts with.
    pub fn default_features(self) -> &'static [Feature] {
        match self {
            Self::Kyc => &[Feature::Ocr, Feature::Liveness, Feature::FaceMatch],
            Self::AdaptiveAgeVerification => &[Feature::AgeEstimation, Feature::Liveness],
            Self::BiometricAuthentication => &[Feature::Liveness, Feature::FaceMatch],
            Self::AddressVerification => &[Feature::ProofOfAddress],
            Self::QuestionnaireVerification => &[Feature::Questionnaire],
            Self::EmailVerification => &[Feature::EmailVerification],
            Self::PhoneVerification => &[Feature::PhoneVerification],
        }
    }

    /// The template a feature set most resembles (for the `features[]` form).
    pub fn infer(features: &[Feature]) -> Self {
        let has = |f| features.contains(&f);
        if has(Feature::Ocr) || has(Feature::Nfc) {
            Self::Kyc
        } else if has(Feature::AgeEstimation) {
            Self::AdaptiveAgeVerification
        } else if has(Feature::FaceMatch) || has(Feature::Liveness) {
            Self::BiometricAuthentication
        } else if has(Feature::ProofOfAddress) {
            Self::AddressVerification
        } else if has(Feature::Questionnaire) {
            Self::QuestionnaireVerification
        } else if has(Feature::EmailVerification) {
            Self::EmailVerification
        } else if has(Feature::PhoneVerification) {
            Self::PhoneVerification
        } else {
            Self::Kyc
        }
    }
}

/// One enabled step with its configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureConfig {
    /// Which step.
    pub feature: Feature,
    /// Step options as given (free-form, echoed back).
    #[serde(default)]
    pub config: Map<String, Value>,
    /// Optional display label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// What happens when the person was verified before under another vendor_data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DuplicatedUserAction {
    /// Record it only.
    #[default]
    NoAction,
    /// Send the session to review.
    Review,
    /// Decline the session.
    Decline,
}

/// A workflow's settings: everything except identity and version bookkeeping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowSpec {
    /// Display name (≤ 50 characters).
    pub workflow_label: String,
    /// Template.
    pub workflow_type: WorkflowType,
    /// Whether sessions without a workflow use it.
    pub is_default: bool,
    /// `draft` or `published`; sessions need a published workflow.
    pub status: String,
    /// Enabled steps in order.
    pub features: Vec<FeatureConfig>,
    /// `passive`, `active_3d` or `flashing`.
    pub face_liveness_method: String,
    /// Liveness below this declines.
    pub face_liveness_score_decline_threshold: f64,
    /// Face match below this declines.
    pub face_match_score_decline_threshold: f64,
    /// Face match below this goes to review.
    pub face_match_score_review_threshold: f64,
    /// AML score above this declines.
    pub aml_decline_threshold: f64,
    /// AML score above this goes to review.
    pub aml_review_threshold: f64,
    /// Minimum age on the document, if any.
    pub minimum_age: Option<u32>,
    /// Per-country age restrictions are on.
    pub is_age_restrictions_enabled: bool,
    /// Accepted countries and document types (`{}` = all).
    pub documents_allowed: Value,
    /// Reaction to a person verified before under another vendor_data.
    pub duplicated_user_action: DuplicatedUserAction,
    /// Retries per failed step.
    pub max_retry_attempts: u32,
    /// Days within which retries are allowed.
    pub retry_window_days: Option<u32>,
    /// Seconds before an unopened session expires.
    pub session_expiration_time: i64,
    /// White-label hosted page.
    pub is_white_label_enabled: bool,
    /// Whether desktop capture is allowed.
    pub is_desktop_allowed: bool,
    /// Default callback URL for sessions.
    pub callback: Option<String>,
}

impl Default for WorkflowSpec {
    fn default() -> Self {
        Self {
            workflow_label: "ID Verification".to_owned(),
            workflow_type: WorkflowType::Kyc,
            is_default: false,
            status: "published".to_owned(),
            features: Vec::new(),
            face_liveness_method: "passive".to_owned(),
            face_liveness_score_decline_threshold: 50.0,
            face_match_score_decline_threshold: 50.0,
            face_match_score_review_threshold: 70.0,
            aml_decline_threshold: 80.0,
            aml_review_threshold: 60.0,
            minimum_age: None,
            is_age_restrictions_enabled: false,
            documents_allowed: Value::Object(Map::new()),
            duplicated_user_action: DuplicatedUserAction::NoAction,
            max_retry_attempts: 3,
            retry_window_days: Some(7),
            session_expiration_time: 604_800,
            is_white_label_enabled: false,
            is_desktop_allowed: true,
            callback: None,
        }
    }
}

impl WorkflowSpec {
    /// Whether `feature` is enabled.
    pub fn has(&self, feature: Feature) -> bool {
        self.features.iter().any(|f| f.feature == feature)
    }

    /// Enabled features in order.
    pub fn feature_list(&self) -> Vec<Feature> {
        self.features.iter().map(|f| f.feature).collect()
    }

    /// Sum of the default prices of the enabled features.
    pub fn total_price(&self) -> f64 {
        let cents: f64 = self
            .features
            .iter()
            .map(|f| f.feature.default_price())
            .sum();
        (cents * 100.0).round() / 100.0
    }

    fn set_feature(&mut self, feature: Feature, enabled: bool) {
        let present = self.has(feature);
        if enabled && !present {
            self.features.push(FeatureConfig {
                feature,
                config: Map::new(),
                label: None,
            });
        } else if !enabled && present {
            self.features.retain(|f| f.feature != feature);
        }
    }

    /// Builds a spec from a create body (either form) over the defaults.
    pub fn from_create(body: &Map<String, Value>) -> Result<Self, FieldErrors> {
        let mut spec = Self::default();
        let mut errors = FieldErrors::new();
        let workflow_type = match body.get("workflow_type") {
            None | Some(Value::Null) => None,
            Some(Value::String(raw)) => match WorkflowType::parse(raw) {
                Some(t) => Some(t),
                None => {
                    errors.add("workflow_type", format!("\"{raw}\" is not a valid choice."));
                    None
                }
            },
            Some(_) => {
                errors.add("workflow_type", "Not a valid string.");
                None
            }
        };
        if body.contains_key("features") {
            if let Some(t) = workflow_type {
                spec.workflow_type = t;
            }
        } else {
            let t = workflow_type.unwrap_or_default();
            spec.workflow_type = t;
            for feature in t.default_features() {
                spec.set_feature(*feature, true);
            }
        }
        spec.apply(body, &mut errors);
        if spec.features.is_empty() {
            errors.add("features", "This list may not be empty.");
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        if !body.contains_key("features") && workflow_type.is_none() {
            spec.workflow_type = WorkflowType::infer(&spec.feature_list());
        }
        Ok(spec)
    }

    /// Applies a PATCH body; absent keys keep their values.
    pub fn patch(&self, body: &Map<String, Value>) -> Result<Self, FieldErrors> {
        let mut spec = self.clone();
        let mut errors = FieldErrors::new();
        if let Some(value) = body.get("workflow_type") {
            match value.as_str().and_then(WorkflowType::parse) {
                Some(t) => spec.workflow_type = t,
                None => errors.add("workflow_type", "Not a valid choice."),
            }
        }
        spec.apply(body, &mut errors);
        if spec.features.is_empty() {
            errors.add("features", "This list may not be empty.");
        }
        if errors.is_empty() {
            Ok(spec)
        } else {
            Err(errors)
        }
    }

    fn apply(&mut self, body: &Map<String, Value>, errors: &mut FieldErrors) {
        if let Some(value) = body.get("features") {
            match parse_features(value) {
                Ok(features) => {
                    self.features = features;
                    self.apply_feature_configs();
                }
                Err(message) => errors.add("features", message),
            }
        }
        for feature in Feature::ALL {
            let Some(flag) = feature.flag() else { continue };
            match body.get(flag) {
                None | Some(Value::Null) => {}
                Some(Value::Bool(on)) => self.set_feature(feature, *on),
                Some(_) => errors.add(flag, "Must be a valid boolean."),
            }
        }
        if let Some(value) = body.get("workflow_label") {
            match value.as_str() {
                Some(label) if label.chars().count() <= 50 && !label.trim().is_empty() => {
                    self.workflow_label = label.to_owned()
                }
                Some(label) if label.trim().is_empty() => {
                    errors.add("workflow_label", "This field may not be blank.")
                }
                Some(_) => errors.add(
                    "workflow_label",
                    "Ensure this field has no more than 50 characters.",
                ),
                None => errors.add("workflow_label", "Not a valid string."),
            }
        }
        bool_field(body, "is_default", &mut self.is_default, errors);
        bool_field(
            body,
            "is_white_label_enabled",
            &mut self.is_white_label_enabled,
            errors,
        );
        bool_field(
            body,
            "is_desktop_allowed",
            &mut self.is_desktop_allowed,
            errors,
        );
        bool_field(
            body,
            "is_age_restrictions_enabled",
            &mut self.is_age_restrictions_enabled,
            errors,
        );
        if let Some(value) = body.get("status") {
            match value.as_str() {
                Some(s @ ("draft" | "published")) => self.status = s.to_owned(),
                _ => errors.add("status", "\"draft\" or \"published\" expected."),
            }
        }
        if let Some(value) = body.get("face_liveness_method") {
            match value.as_str() {
                Some(m @ ("passive" | "active_3d" | "flashing")) => {
                    self.face_liveness_method = m.to_owned()
                }
                _ => errors.add(
                    "face_liveness_method",
                    "\"passive\", \"active_3d\" or \"flashing\" expected.",
                ),
            }
        }
        score_field(
            body,
            "face_liveness_score_decline_threshold",
            &mut self.face_liveness_score_decline_threshold,
            errors,
        );
        score_field(
            body,
            "face_match_score_decline_threshold",
            &mut self.face_match_score_decline_threshold,
            errors,
        );
        score_field(
            body,
            "face_match_score_review_threshold",
            &mut self.face_match_score_review_threshold,
            errors,
        );
        score_field(
            body,
            "aml_decline_threshold",
            &mut self.aml_decline_threshold,
            errors,
        );
        score_field(
            body,
            "aml_review_threshold",
            &mut self.aml_review_threshold,
            errors,
        );
        if let Some(value) = body.get("minimum_age") {
            match value {
                Value::Null => self.minimum_age = None,
                v => match v.as_u64().filter(|a| (1..=120).contains(a)) {
                    Some(age) => self.minimum_age = u32::try_from(age).ok(),
                    None => errors.add("minimum_age", "Ensure this value is between 1 and 120."),
                },
            }
        }
        if let Some(value) = body.get("max_retry_attempts") {
            match value.as_u64().filter(|n| *n <= 10) {
                Some(n) => self.max_retry_attempts = u32::try_from(n).unwrap_or(3),
                None => errors.add(
                    "max_retry_attempts",
                    "Ensure this value is between 0 and 10.",
                ),
            }
        }
        if let Some(value) = body.get("retry_window_days") {
            match value {
                Value::Null => self.retry_window_days = None,
                v => match v.as_u64().filter(|n| (1..=365).contains(n)) {
                    Some(n) => self.retry_window_days = u32::try_from(n).ok(),
                    None => errors.add(
                        "retry_window_days",
                        "Ensure this value is between 1 and 365.",
                    ),
                },
            }
        }
        if let Some(value) = body.get("session_expiration_time") {
            match value.as_i64().filter(|n| (3600..=2_419_200).contains(n)) {
                Some(n) => self.session_expiration_time = n,
                None => errors.add(
                    "session_expiration_time",
                    "Ensure this value is between 3600 and 2419200.",
                ),
            }
        }
        if let Some(value) = body.get("documents_allowed") {
            match value {
                Value::Object(_) => self.documents_allowed = value.clone(),
                Value::Null => self.documents_allowed = Value::Object(Map::new()),
                _ => errors.add("documents_allowed", "Expected an object."),
            }
        }
        if let Some(value) = body.get("duplicated_user_action") {
            match value
                .as_str()
                .and_then(|s| serde_json::from_value(Value::String(s.to_owned())).ok())
            {
                Some(action) => self.duplicated_user_action = action,
                None => errors.add(
                    "duplicated_user_action",
                    "\"no_action\", \"review\" or \"decline\" expected.",
                ),
            }
        }
        if let Some(value) = body.get("callback") {
            match value {
                Value::Null => self.callback = None,
                Value::String(url) => self.callback = Some(url.clone()),
                _ => errors.add("callback", "Not a valid string."),
            }
        }
        if self.face_match_score_review_threshold < self.face_match_score_decline_threshold {
            errors.add(
                "face_match_score_review_threshold",
                "Must be greater than or equal to face_match_score_decline_threshold.",
            );
        }
    }

    /// Thresholds given inside `features[].config` override the flat ones.
    fn apply_feature_configs(&mut self) {
        let configs: Vec<(Feature, Map<String, Value>)> = self
            .features
            .iter()
            .map(|f| (f.feature, f.config.clone()))
            .collect();
        for (feature, config) in configs {
            let number = |keys: &[&str]| {
                keys.iter()
                    .find_map(|k| config.get(*k).and_then(Value::as_f64))
                    .filter(|v| (0.0..=100.0).contains(v))
            };
            match feature {
                Feature::FaceMatch => {
                    if let Some(v) = number(&[
                        "score_decline_threshold",
                        "face_match_score_decline_threshold",
                        "decline_threshold",
                    ]) {
                        self.face_match_score_decline_threshold = v;
                    }
                    if let Some(v) = number(&[
                        "score_review_threshold",
                        "face_match_score_review_threshold",
                        "review_threshold",
                    ]) {
                        self.face_match_score_review_threshold = v;
                    }
                }
                Feature::Liveness => {
                    if let Some(v) = number(&[
                        "score_decline_threshold",
                        "face_liveness_score_decline_threshold",
                        "decline_threshold",
                    ]) {
                        self.face_liveness_score_decline_threshold = v;
                    }
                    if let Some(m) = config.get("method").and_then(Value::as_str) {
                        self.face_liveness_method = m.to_lowercase();
                    }
                }
                Feature::Aml => {
                    if let Some(v) = number(&["decline_threshold", "aml_decline_threshold"]) {
                        self.aml_decline_threshold = v;
                    }
                    if let Some(v) = number(&["review_threshold", "aml_review_threshold"]) {
                        self.aml_review_threshold = v;
                    }
                }
                Feature::Ocr => {
                    if let Some(age) = config.get("minimum_age").and_then(Value::as_u64) {
                        self.minimum_age = u32::try_from(age).ok();
                    }
                }
                _ => {}
            }
        }
    }
}

fn bool_field(body: &Map<String, Value>, key: &str, slot: &mut bool, errors: &mut FieldErrors) {
    match body.get(key) {
        None | Some(Value::Null) => {}
        Some(Value::Bool(v)) => *slot = *v,
        Some(_) => errors.add(key, "Must be a valid boolean."),
    }
}

fn score_field(body: &Map<String, Value>, key: &str, slot: &mut f64, errors: &mut FieldErrors) {
    match body.get(key) {
        None | Some(Value::Null) => {}
        Some(v) => match v.as_f64().filter(|s| (0.0..=100.0).contains(s)) {
            Some(score) => *slot = score,
            None => errors.add(key, "Ensure this value is between 0 and 100."),
        },
    }
}

fn parse_features(value: &Value) -> Result<Vec<FeatureConfig>, String> {
    let items = value.as_array().ok_or("Expected a list of items.")?;
    if items.is_empty() {
        return Err("This list may not be empty.".to_owned());
    }
    let mut features: Vec<FeatureConfig> = Vec::with_capacity(items.len());
    for item in items {
        let (name, config, label) = match item {
            Value::String(name) => (name.as_str(), Map::new(), None),
            Value::Object(obj) => (
                obj.get("feature")
                    .and_then(Value::as_str)
                    .ok_or("Each item needs a \"feature\".")?,
                obj.get("config")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default(),
                obj.get("label").and_then(Value::as_str).map(str::to_owned),
            ),
            _ => return Err("Each item must be an object.".to_owned()),
        };
        let feature = Feature::parse(name).ok_or(format!("\"{name}\" is not a valid choice."))?;
        if features.iter().any(|f| f.feature == feature) {
            return Err(format!("Duplicate feature \"{name}\"."));
        }
        features.push(FeatureConfig {
            feature,
            config,
            label,
        });
    }
    Ok(features)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn flat_form_starts_from_the_template() {
        let spec = WorkflowSpec::from_create(&obj(json!({
            "workflow_label": "KYC + AML", "workflow_type": "kyc", "is_aml_enabled": true
        })))
        .unwrap();
        assert_eq!(
            spec.feature_list(),
            vec![
                Feature::Ocr,
                Feature::Liveness,
                Feature::FaceMatch,
                Feature::Aml
            ]
        );
        assert_eq!(spec.face_match_score_decline_threshold, 50.0);
        assert_eq!(spec.face_match_score_review_threshold, 70.0);
        assert_eq!(spec.max_retry_attempts, 3);
        let spec = WorkflowSpec::from_create(&obj(json!({
            "workflow_type": "kyc", "is_liveness_enabled": false
        })))
        .unwrap();
        assert!(!spec.has(Feature::Liveness));
    }

    #[test]
    fn features_form_and_configs() {
        let spec = WorkflowSpec::from_create(&obj(json!({
            "features": [{"feature": "OCR"}, {"feature": "face_match", "config": {"score_decline_threshold": 40}}]
        })))
        .unwrap();
        assert_eq!(spec.workflow_type, WorkflowType::Kyc);
        assert_eq!(spec.face_match_score_decline_threshold, 40.0);
        let errors =
            WorkflowSpec::from_create(&obj(json!({"features": [{"feature": "X"}]}))).unwrap_err();
        assert!(errors.0.contains_key("features"));
        let errors = WorkflowSpec::from_create(&obj(json!({"workflow_type": "nope"}))).unwrap_err();
        assert!(errors.0.contains_key("workflow_type"));
    }

    #[test]
    fn every_template_has_features() {
        for t in WorkflowType::ALL {
            let spec =
                WorkflowSpec::from_create(&obj(json!({"workflow_type": t.as_str()}))).unwrap();
            assert!(!spec.features.is_empty());
            assert_eq!(spec.workflow_type, t);
        }
    }

    #[test]
    fn patch_validates_ranges() {
        let spec = WorkflowSpec::from_create(&obj(json!({"workflow_type": "kyc"}))).unwrap();
        assert!(spec
            .patch(&obj(json!({"face_match_score_decline_threshold": 101})))
            .is_err());
        let patched = spec.patch(&obj(json!({"max_retry_attempts": 5}))).unwrap();
        assert_eq!(patched.max_retry_attempts, 5);
    }
}
