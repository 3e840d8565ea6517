//! The database-validation use case: local rules, then the configured registries, then one
//! result in the contract's `database_validation` shape.
//!
//! Honesty is the point of this module. Every validation names its source: a `verifyd_rules_*`
//! service is a local format/check-digit rule that consulted no database; any other service id is
//! a registry the operator configured. The aggregate says which kind of evidence decided it
//! ([`Assurance`]), a format-only decision carries an information warning saying so, and a
//! registry that was configured but could not answer turns the result In Review instead of
//! silently falling back to the format check.
//!
//! Matching follows Didit's published model: in `one_by_one` a single source with the number and
//! the name matching decides (registries are tried in order until one fully matches); in
//! `two_by_two` two sources must agree. Unlike a registry's date of birth, the birth date and sex
//! a *number* encodes are part of the number, so a local rule that finds them contradicting the
//! document reports `no_match`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{json, Map, Value};
use verifyd_screening::matcher::name_similarity;
use verifyd_screening::normalize::NameKind;

use crate::country::IssuingState;
use crate::crosscheck::{cross_check, Claims, Field, FieldMatch, FieldVerdicts, Gender};
use crate::error::IdNumberError;
use crate::kind::IdKind;
use crate::number::{Flag, IdNumber};
use crate::registry::{
    QueryField, RegistryAnswer, RegistryError, RegistryQuery, RegistryRecord, RegistrySource,
};
use crate::rules::{self, Rejection};

/// Aggregate match result (`match_type`); the same three values as a field verdict.
pub type MatchType = FieldMatch;

/// Prefix of every local-rule service id.
pub const LOCAL_SERVICE_PREFIX: &str = "verifyd_rules_";

/// Name similarity (screening matcher, 0–1) from which a registry's name is a full match.
pub const NAME_FULL_MATCH: f64 = 0.95;
/// Name similarity from which a registry's name is a partial match.
pub const NAME_PARTIAL_MATCH: f64 = 0.80;

/// How many independent sources must agree (`validation_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValidationType {
    /// One source confirming the number and the name is enough.
    #[default]
    OneByOne,
    /// Two sources (or two independent data points) must agree.
    TwoByTwo,
}

impl ValidationType {
    /// Parses `one_by_one` / `two_by_two`.
    pub fn parse(s: &str) -> Result<ValidationType, IdNumberError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "one_by_one" | "1x1" => Ok(ValidationType::OneByOne),
            "two_by_two" | "2x2" => Ok(ValidationType::TwoByTwo),
            _ => Err(IdNumberError::BadValidationType),
        }
    }
}

/// What a partial or failed match does to the status (`partial_match_action`, `no_match_action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MatchAction {
    /// Declined.
    Decline,
    /// In Review.
    Review,
    /// Approved, with the warning kept for the record.
    NoAction,
}

impl MatchAction {
    /// Parses `DECLINE` / `REVIEW` / `NO_ACTION` (case-insensitive) for `field`.
    pub fn parse(s: &str, field: &'static str) -> Result<MatchAction, IdNumberError> {
        match s.trim().to_ascii_uppercase().as_str() {
            "DECLINE" => Ok(MatchAction::Decline),
            "REVIEW" => Ok(MatchAction::Review),
            "NO_ACTION" => Ok(MatchAction::NoAction),
            _ => Err(IdNumberError::BadAction { field }),
        }
    }
}

/// What a decision resting on local rules alone does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormatOnlyPolicy {
    /// Decide on the format evidence (with an information warning saying it was format-only).
    #[default]
    Accept,
    /// Send format-only full matches to review.
    Review,
}

/// The decision rules of one validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// `validation_type`.
    pub validation_type: ValidationType,
    /// `partial_match_action` (Didit's default: no action).
    pub partial_match_action: MatchAction,
    /// `no_match_action` (Didit's default: decline).
    pub no_match_action: MatchAction,
    /// What a format-only full match does.
    pub format_only: FormatOnlyPolicy,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            validation_type: ValidationType::OneByOne,
            partial_match_action: MatchAction::NoAction,
            no_match_action: MatchAction::Decline,
            format_only: FormatOnlyPolicy::Accept,
        }
    }
}

/// One number to validate and the request field it came in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberInput {
    /// The request field.
    pub field: QueryField,
    /// The text as given.
    pub text: String,
}

/// A parsed validation request.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationRequest {
    /// `issuing_state`.
    pub issuing_state: IssuingState,
    /// The numbers given, in field order.
    pub numbers: Vec<NumberInput>,
    /// What the document (or caller) states.
    pub claims: Claims,
    /// `services[]`: restricts the registries consulted (local rules always run).
    pub services: Option<Vec<String>>,
    /// `consent`.
    pub consent: bool,
    /// Decision rules.
    pub policy: Policy,
}

/// The contract's request fields this use case reads (others are ignored, as Didit's registries
/// ignore fields they do not hold).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DatabaseValidationIn {
    /// Alpha-2 or alpha-3.
    pub issuing_state: String,
    /// Service ids to use.
    #[serde(default)]
    pub services: Option<Vec<String>>,
    /// Deprecated in the contract, still honoured.
    #[serde(default)]
    pub validation_type: Option<String>,
    /// Holder consent.
    #[serde(default)]
    pub consent: Option<bool>,
    /// Number fields.
    #[serde(default)]
    pub identification_number: Option<String>,
    /// Number fields.
    #[serde(default)]
    pub personal_number: Option<String>,
    /// Number fields.
    #[serde(default)]
    pub tax_number: Option<String>,
    /// Number fields.
    #[serde(default)]
    pub document_number: Option<String>,
    /// Number fields.
    #[serde(default)]
    pub national_id: Option<String>,
    /// Names.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Names.
    #[serde(default)]
    pub middle_name: Option<String>,
    /// Names.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Names.
    #[serde(default)]
    pub full_name: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub date_of_birth: Option<String>,
    /// `M` / `F` / `X`.
    #[serde(default)]
    pub gender: Option<String>,
    /// `DECLINE` / `REVIEW` / `NO_ACTION`.
    #[serde(default)]
    pub partial_match_action: Option<String>,
    /// `DECLINE` / `REVIEW` / `NO_ACTION`.
    #[serde(default)]
    pub no_match_action: Option<String>,
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

impl DatabaseValidationIn {
    /// Parses the wire form into a typed request (the errors are the 400s).
    pub fn parse(&self) -> Result<ValidationRequest, IdNumberError> {
        let issuing_state = IssuingState::parse(&self.issuing_state)?;
        let numbers = [
            (
                QueryField::IdentificationNumber,
                &self.identification_number,
            ),
            (QueryField::PersonalNumber, &self.personal_number),
            (QueryField::NationalId, &self.national_id),
            (QueryField::TaxNumber, &self.tax_number),
            (QueryField::DocumentNumber, &self.document_number),
        ]
        .into_iter()
        .filter_map(|(field, v)| non_empty(v).map(|text| NumberInput { field, text }))
        .collect();
        let date_of_birth = non_empty(&self.date_of_birth)
            .map(|d| {
                NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| IdNumberError::BadDate {
                    field: "date_of_birth",
                })
            })
            .transpose()?;
        let gender = non_empty(&self.gender)
            .map(|g| Gender::parse(&g).ok_or(IdNumberError::BadGender))
            .transpose()?;
        let mut policy = Policy::default();
        if let Some(t) = non_empty(&self.validation_type) {
            policy.validation_type = ValidationType::parse(&t)?;
        }
        if let Some(a) = non_empty(&self.partial_match_action) {
            policy.partial_match_action = MatchAction::parse(&a, "partial_match_action")?;
        }
        if let Some(a) = non_empty(&self.no_match_action) {
            policy.no_match_action = MatchAction::parse(&a, "no_match_action")?;
        }
        Ok(ValidationRequest {
            issuing_state,
            numbers,
            claims: Claims {
                first_name: non_empty(&self.first_name),
                middle_name: non_empty(&self.middle_name),
                last_name: non_empty(&self.last_name),
                full_name: non_empty(&self.full_name),
                date_of_birth,
                gender,
            },
            services: self.services.clone(),
            consent: self.consent.unwrap_or(false),
            policy,
        })
    }
}

/// `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Status {
    /// Approved.
    Approved,
    /// Declined.
    Declined,
    /// In Review.
    #[serde(rename = "In Review")]
    InReview,
}

/// `validations[].outcome_code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OutcomeCode {
    /// Everything compared matched.
    Match,
    /// Some fields matched partially.
    PartialMatch,
    /// A compared field did not match.
    NoMatch,
    /// The registry has no such number.
    DocumentNotFound,
    /// A local rule rejected the number.
    InvalidDocumentFormat,
    /// The registry refused the input.
    InvalidInput,
    /// The registry does not answer for minors.
    MinorBlocked,
    /// The holder is recorded as deceased.
    Deceased,
    /// The registry could not decide.
    Inconclusive,
    /// The document was replaced.
    DocumentSuperseded,
    /// The registry could not be reached.
    RegistryUnavailable,
    /// The registry failed.
    RegistryError,
}

/// Where a validation's evidence comes from (not serialised: the service id says it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A local format/check-digit rule: no database was consulted.
    LocalRules,
    /// A configured registry.
    Registry,
}

/// One `validations[]` element.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceValidation {
    /// `verifyd_rules_<kind>` for local rules, the registry's id otherwise.
    pub service_id: String,
    /// Human name.
    pub service_name: String,
    /// Per-field verdicts.
    pub validation: FieldVerdicts,
    /// Outcome.
    pub outcome_code: OutcomeCode,
    /// Why, in words.
    pub outcome_detail: Option<String>,
    /// What the source returned (decoded number data for local rules).
    pub source_data: Option<Map<String, Value>>,
    /// Local rule or registry.
    #[serde(skip)]
    pub source: Source,
    /// This validation's own match result, when it produced one.
    #[serde(skip)]
    pub match_type: Option<MatchType>,
}

/// One `errors[]` element: a registry that did not answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceError {
    /// The registry.
    pub service_id: String,
    /// `REGISTRY_UNAVAILABLE`, `INVALID_INPUT`, `REGISTRY_ERROR` or `UNSUPPORTED_COUNTRY`.
    pub code: &'static str,
    /// What happened.
    pub message: String,
    /// Whether trying again may help.
    pub retryable: bool,
}

/// Warning risk codes of this feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WarningCode {
    /// Nothing could be checked (no number, no rule and no registry, registry down).
    CouldNotPerformDatabaseValidation,
    /// The aggregate is a partial match.
    DatabaseValidationPartialMatch,
    /// The aggregate is no match.
    DatabaseValidationNoMatch,
    /// The decision rests on local format rules only — verifyd's addition, so a reviewer never
    /// mistakes a check-digit pass for a registry confirmation.
    DatabaseValidationFormatOnly,
}

/// `log_type` of a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogType {
    /// Drives Declined.
    Error,
    /// Drives In Review.
    Warning,
    /// For the record.
    Information,
}

/// One `warnings[]` element (the contract's warning object, feature `DATABASE_VALIDATION`).
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    /// Risk code.
    pub risk: WarningCode,
    /// Severity.
    pub log_type: LogType,
    /// One line.
    pub short_description: String,
    /// Explanation.
    pub long_description: String,
    /// Extra data.
    pub additional_data: Option<Value>,
}

impl Serialize for Warning {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        json!({
            "feature": "DATABASE_VALIDATION",
            "risk": self.risk,
            "additional_data": self.additional_data,
            "log_type": self.log_type,
            "short_description": self.short_description,
            "long_description": self.long_description,
        })
        .serialize(s)
    }
}

/// Which evidence decided the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Assurance {
    /// Nothing could be checked.
    NotPerformed,
    /// Local format and check-digit rules only; no registry was consulted or none answered.
    FormatOnly,
    /// At least one registry answered conclusively.
    Registry {
        /// How many registries fully matched.
        confirmations: usize,
    },
}

/// The contract's `database_validation` object (also a `database_validations[]` element).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatabaseValidation {
    /// Approved / Declined / In Review.
    pub status: Status,
    /// Alpha-3.
    pub issuing_state: IssuingState,
    /// `one_by_one` / `two_by_two`.
    pub validation_type: ValidationType,
    /// The input that was screened.
    pub screened_data: Map<String, Value>,
    /// Aggregate result; `null` when nothing could be checked.
    pub match_type: Option<MatchType>,
    /// Per-source results.
    pub validations: Vec<ServiceValidation>,
    /// Warnings.
    pub warnings: Vec<Warning>,
    /// Registries that did not answer.
    pub errors: Vec<ServiceError>,
    /// Every service that ran, local rules first.
    pub services_used: Vec<String>,
    /// 0–100: share of compared fields that matched (partial counts half).
    pub match_score: f64,
    /// Which evidence decided (not a contract field; the service ids and warnings carry it on
    /// the wire).
    #[serde(skip)]
    pub assurance: Assurance,
}

/// Runs database validations against the local rules and the configured registries.
#[derive(Default)]
pub struct DatabaseValidator {
    registries: Vec<Box<dyn RegistrySource>>,
}

impl std::fmt::Debug for DatabaseValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.registries.iter().map(|r| r.service_id()).collect();
        f.debug_struct("DatabaseValidator")
            .field("registries", &ids)
            .finish()
    }
}

/// The local-rule phase of one number.
struct LocalResult {
    input: NumberInput,
    parsed: Option<IdNumber>,
    validation: Option<ServiceValidation>,
}

impl DatabaseValidator {
    /// A validator with local rules only.
    pub fn new() -> DatabaseValidator {
        DatabaseValidator::default()
    }

    /// Adds a registry; registries are consulted in the order added (Didit's waterfall).
    pub fn with_registry(mut self, registry: Box<dyn RegistrySource>) -> DatabaseValidator {
        self.registries.push(registry);
        self
    }

    /// Service ids a request may name in `services[]`.
    pub fn service_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = IdKind::all().map(local_service_id).collect();
        ids.extend(self.registries.iter().map(|r| r.service_id().to_owned()));
        ids
    }

    /// Validates without consulting registries (what [`Self::validate`] does when none is
    /// configured), synchronously.
    pub fn validate_offline(
        request: &ValidationRequest,
        today: NaiveDate,
    ) -> Result<DatabaseValidation, IdNumberError> {
        let validator = DatabaseValidator::new();
        validator.check_services(request)?;
        let locals = local_phase(request, today);
        Ok(assemble(request, locals, Vec::new(), false))
    }

    /// Validates `request` on `today`: local rules, then the covering registries in order until
    /// the validation type is satisfied, then the decision.
    pub async fn validate(
        &self,
        request: &ValidationRequest,
        today: NaiveDate,
    ) -> Result<DatabaseValidation, IdNumberError> {
        self.check_services(request)?;
        let locals = local_phase(request, today);
        let mut registry_results = Vec::new();
        let mut registry_expected = false;
        let needed = match request.policy.validation_type {
            ValidationType::OneByOne => 1,
            ValidationType::TwoByTwo => 2,
        };
        for local in &locals {
            // A number a rule rejected is not worth a paid lookup.
            if local.validation.as_ref().and_then(|v| v.match_type) == Some(FieldMatch::NoMatch) {
                continue;
            }
            let kind = local.parsed.as_ref().map(|n| n.kind);
            let query = RegistryQuery {
                issuing_state: request.issuing_state.alpha3().to_owned(),
                kind,
                field: local.input.field,
                number: local
                    .parsed
                    .as_ref()
                    .map_or_else(|| local.input.text.clone(), |n| n.compact.clone()),
                first_name: join_given(&request.claims),
                last_name: request.claims.last_name.clone(),
                full_name: request.claims.full_name.clone(),
                date_of_birth: request.claims.date_of_birth,
                gender: request.claims.gender,
                consent: request.consent,
            };
            let mut full = 0;
            for registry in self.covering(request, kind) {
                registry_expected = true;
                let outcome = registry.lookup(&query).await;
                let result = registry_validation(registry, &query, &request.claims, outcome);
                if matches!(&result, RegistryResult::Answered(v) if v.match_type == Some(FieldMatch::FullMatch))
                {
                    full += 1;
                }
                registry_results.push(result);
                if full >= needed {
                    break;
                }
            }
        }
        Ok(assemble(
            request,
            locals,
            registry_results,
            registry_expected,
        ))
    }

    fn check_services(&self, request: &ValidationRequest) -> Result<(), IdNumberError> {
        let Some(services) = &request.services else {
            return Ok(());
        };
        for id in services {
            let known = id
                .strip_prefix(LOCAL_SERVICE_PREFIX)
                .is_some_and(|code| IdKind::from_code(code).is_some())
                || self.registries.iter().any(|r| r.service_id() == id);
            if !known {
                return Err(IdNumberError::UnknownService(id.clone()));
            }
        }
        Ok(())
    }

    fn covering<'a>(
        &'a self,
        request: &'a ValidationRequest,
        kind: Option<IdKind>,
    ) -> impl Iterator<Item = &'a dyn RegistrySource> + 'a {
        self.registries
            .iter()
            .map(|r| r.as_ref())
            .filter(move |r| r.covers(request.issuing_state.alpha3(), kind))
            .filter(move |r| {
                request
                    .services
                    .as_ref()
                    .is_none_or(|s| s.iter().any(|id| id == r.service_id()))
            })
    }
}

/// The service id of a local rule.
pub fn local_service_id(kind: IdKind) -> String {
    format!("{LOCAL_SERVICE_PREFIX}{}", kind.code())
}

fn join_given(claims: &Claims) -> Option<String> {
    let parts: Vec<&str> = [&claims.first_name, &claims.middle_name]
        .iter()
        .filter_map(|p| p.as_deref())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

fn local_phase(request: &ValidationRequest, today: NaiveDate) -> Vec<LocalResult> {
    request
        .numbers
        .iter()
        .map(|input| {
            let Some(country) = request.issuing_state.country() else {
                return LocalResult {
                    input: input.clone(),
                    parsed: None,
                    validation: None,
                };
            };
            let field = input.field.field();
            match rules::parse(country, &input.text, today) {
                Ok(number) => {
                    let validation = local_validation(&number, field, request);
                    LocalResult {
                        input: input.clone(),
                        parsed: Some(number),
                        validation: Some(validation),
                    }
                }
                Err(rejection) => LocalResult {
                    input: input.clone(),
                    parsed: None,
                    validation: Some(rejected_validation(country, &rejection, field)),
                },
            }
        })
        .collect()
}

/// The match type of one source's verdicts under a validation type (what the cross-check's
/// verdicts add up to): a number or name category `no_match`, or any other compared field
/// `no_match`, is `no_match`; a partial number or name is `partial_match`; otherwise
/// `full_match` — for `two_by_two` only with two fully matched data points.
pub fn match_type_of(verdicts: &FieldVerdicts, validation_type: ValidationType) -> MatchType {
    let mut number = None;
    let mut names = Vec::new();
    let mut others = Vec::new();
    for (field, v) in verdicts {
        if field.is_number() {
            number = Some(number.map_or(*v, |n: FieldMatch| n.min(*v)));
        } else if field.is_name() {
            names.push(*v);
        } else {
            others.push(*v);
        }
    }
    let name = name_category(&names);
    if number == Some(FieldMatch::NoMatch)
        || name == Some(FieldMatch::NoMatch)
        || others.contains(&FieldMatch::NoMatch)
    {
        return FieldMatch::NoMatch;
    }
    let partial =
        number == Some(FieldMatch::PartialMatch) || name == Some(FieldMatch::PartialMatch);
    if partial {
        return FieldMatch::PartialMatch;
    }
    let full_points = usize::from(number == Some(FieldMatch::FullMatch))
        + usize::from(name == Some(FieldMatch::FullMatch))
        + others
            .iter()
            .filter(|v| **v == FieldMatch::FullMatch)
            .count();
    match validation_type {
        ValidationType::OneByOne if full_points >= 1 => FieldMatch::FullMatch,
        // Two by two needs two independent data points; a single one is not enough.
        ValidationType::TwoByTwo if full_points >= 2 => FieldMatch::FullMatch,
        _ => FieldMatch::PartialMatch,
    }
}

/// Didit's name category: all name fields full → full, all no → no, mixed → partial.
fn name_category(names: &[FieldMatch]) -> Option<FieldMatch> {
    if names.is_empty() {
        return None;
    }
    if names.iter().all(|v| *v == FieldMatch::FullMatch) {
        Some(FieldMatch::FullMatch)
    } else if names.iter().all(|v| *v == FieldMatch::NoMatch) {
        Some(FieldMatch::NoMatch)
    } else {
        Some(FieldMatch::PartialMatch)
    }
}

fn outcome_of(m: MatchType) -> OutcomeCode {
    match m {
        FieldMatch::FullMatch => OutcomeCode::Match,
        FieldMatch::PartialMatch => OutcomeCode::PartialMatch,
        FieldMatch::NoMatch => OutcomeCode::NoMatch,
    }
}

fn local_validation(
    number: &IdNumber,
    field: Field,
    request: &ValidationRequest,
) -> ServiceValidation {
    let info = number.kind.info();
    let verdicts = cross_check(number, field, &request.claims);
    let m = match_type_of(&verdicts, request.policy.validation_type);
    let mut source = Map::new();
    source.insert("source".into(), json!("local_rules"));
    source.insert("registry_consulted".into(), json!(false));
    source.insert("rule".into(), json!(info.source));
    if let Ok(Value::Object(decoded)) = serde_json::to_value(number) {
        source.extend(decoded);
    }
    ServiceValidation {
        service_id: local_service_id(number.kind),
        service_name: format!(
            "{}: published format and check rules (no registry)",
            info.label
        ),
        outcome_code: outcome_of(m),
        outcome_detail: Some(local_detail(number, &verdicts)),
        validation: verdicts,
        source_data: Some(source),
        source: Source::LocalRules,
        match_type: Some(m),
    }
}

fn local_detail(number: &IdNumber, verdicts: &FieldVerdicts) -> String {
    let mut parts = vec![if number.flags.contains(&Flag::WithoutCheckDigit) {
        "format valid (no check character given, so none verified)".to_owned()
    } else if number.flags.contains(&Flag::CheckDigitMismatch) {
        "format valid but the check character does not match".to_owned()
    } else {
        "format and check digits valid".to_owned()
    }];
    let mismatched: Vec<&str> = verdicts
        .iter()
        .filter(|(f, v)| !f.is_number() && **v != FieldMatch::FullMatch)
        .map(|(f, _)| f.as_str())
        .collect();
    let agreed: Vec<&str> = verdicts
        .iter()
        .filter(|(f, v)| !f.is_number() && **v == FieldMatch::FullMatch)
        .map(|(f, _)| f.as_str())
        .collect();
    if !agreed.is_empty() {
        parts.push(format!(
            "encoded {} agree with the document",
            agreed.join(", ")
        ));
    }
    if !mismatched.is_empty() {
        parts.push(format!(
            "encoded {} do not agree with the document",
            mismatched.join(", ")
        ));
    }
    parts.push("no registry consulted".to_owned());
    parts.join("; ")
}

fn rejected_validation(
    country: crate::Country,
    rejection: &Rejection,
    field: Field,
) -> ServiceValidation {
    let (service_id, label) = match rejection.kind {
        Some(kind) => (local_service_id(kind), kind.info().label.to_owned()),
        None => (
            format!(
                "{LOCAL_SERVICE_PREFIX}{}",
                country.alpha3().to_ascii_lowercase()
            ),
            format!("{} national numbers", country.name()),
        ),
    };
    let mut source = Map::new();
    source.insert("source".into(), json!("local_rules"));
    source.insert("registry_consulted".into(), json!(false));
    if let Ok(Value::Object(d)) = serde_json::to_value(&rejection.defect) {
        source.extend(d);
    }
    let mut verdicts = FieldVerdicts::new();
    verdicts.insert(field, FieldMatch::NoMatch);
    ServiceValidation {
        service_id,
        service_name: format!("{label}: published format and check rules (no registry)"),
        validation: verdicts,
        outcome_code: OutcomeCode::InvalidDocumentFormat,
        outcome_detail: Some(rejection.defect.to_string()),
        source_data: Some(source),
        source: Source::LocalRules,
        match_type: Some(FieldMatch::NoMatch),
    }
}

/// A registry's contribution: an answer (a validation) or an error.
enum RegistryResult {
    Answered(ServiceValidation),
    Failed(ServiceError),
}

fn registry_validation(
    registry: &dyn RegistrySource,
    query: &RegistryQuery,
    claims: &Claims,
    outcome: Result<RegistryAnswer, RegistryError>,
) -> RegistryResult {
    let field = query.field.field();
    let base = |code: OutcomeCode, detail: &str, verdicts: FieldVerdicts, m: Option<MatchType>| {
        let mut source = Map::new();
        source.insert("source".into(), json!("registry"));
        ServiceValidation {
            service_id: registry.service_id().to_owned(),
            service_name: registry.service_name().to_owned(),
            validation: verdicts,
            outcome_code: code,
            outcome_detail: Some(detail.to_owned()),
            source_data: Some(source),
            source: Source::Registry,
            match_type: m,
        }
    };
    let no = |f: Field| -> FieldVerdicts { [(f, FieldMatch::NoMatch)].into_iter().collect() };
    let answer = match outcome {
        Ok(a) => a,
        Err(e) => {
            return RegistryResult::Failed(ServiceError {
                service_id: registry.service_id().to_owned(),
                code: e.code(),
                message: e.to_string(),
                retryable: e.retryable(),
            })
        }
    };
    RegistryResult::Answered(match answer {
        RegistryAnswer::Found { record } => {
            let verdicts = compare_record(&record, field, claims);
            // Registries only ever confirm; the type is decided like any other source.
            let m = match_type_of(&verdicts, ValidationType::OneByOne);
            let mut v = base(
                outcome_of(m),
                "the registry holds this number",
                verdicts,
                Some(m),
            );
            if let Some(src) = v.source_data.as_mut() {
                if let Ok(Value::Object(r)) = serde_json::to_value(&record) {
                    src.extend(r);
                }
            }
            v
        }
        RegistryAnswer::NotFound => base(
            OutcomeCode::DocumentNotFound,
            "the registry has no such number",
            no(field),
            Some(FieldMatch::NoMatch),
        ),
        RegistryAnswer::Deceased => base(
            OutcomeCode::Deceased,
            "the registry records the holder as deceased",
            no(field),
            Some(FieldMatch::NoMatch),
        ),
        RegistryAnswer::Superseded => base(
            OutcomeCode::DocumentSuperseded,
            "the registry records a newer document",
            no(field),
            Some(FieldMatch::NoMatch),
        ),
        RegistryAnswer::MinorBlocked => base(
            OutcomeCode::MinorBlocked,
            "the registry does not answer for minors",
            FieldVerdicts::new(),
            None,
        ),
        RegistryAnswer::Inconclusive => base(
            OutcomeCode::Inconclusive,
            "the registry could not decide",
            FieldVerdicts::new(),
            None,
        ),
    })
}

/// Compares a registry record with the claims (the registry's own verdicts win).
fn compare_record(record: &RegistryRecord, number_field: Field, claims: &Claims) -> FieldVerdicts {
    let mut out = FieldVerdicts::new();
    out.insert(number_field, FieldMatch::FullMatch);
    let record_name = record.full_name.clone().or_else(|| {
        let parts: Vec<&str> = [&record.first_name, &record.last_name]
            .iter()
            .filter_map(|p| p.as_deref())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    });
    if let (Some(on_record), Some(stated)) = (record_name, claims.display_name()) {
        out.insert(Field::FullName, compare_names(&on_record, &stated));
    }
    if let (Some(r), Some(c)) = (record.date_of_birth, claims.date_of_birth) {
        out.insert(
            Field::DateOfBirth,
            if r == c {
                FieldMatch::FullMatch
            } else {
                FieldMatch::NoMatch
            },
        );
    }
    if let (Some(r), Some(c)) = (record.sex, claims.gender.and_then(Gender::sex)) {
        out.insert(
            Field::Gender,
            if crate::Sex::from(r) == c {
                FieldMatch::FullMatch
            } else {
                FieldMatch::NoMatch
            },
        );
    }
    // A registry that judged the name itself replaces the matcher's opinion of it.
    for (f, v) in &record.verdicts {
        let key = f.field(number_field);
        if key.is_name() {
            out.remove(&Field::FullName);
        }
        out.insert(key, *v);
    }
    out
}

/// Full / partial / no from the screening crate's name matcher.
pub fn compare_names(a: &str, b: &str) -> FieldMatch {
    let s = name_similarity(a, b, NameKind::Person);
    if s >= NAME_FULL_MATCH {
        FieldMatch::FullMatch
    } else if s >= NAME_PARTIAL_MATCH {
        FieldMatch::PartialMatch
    } else {
        FieldMatch::NoMatch
    }
}

fn screened(request: &ValidationRequest) -> Map<String, Value> {
    let mut m = Map::new();
    for n in &request.numbers {
        m.insert(n.field.field().as_str().to_owned(), json!(n.text));
    }
    let c = &request.claims;
    for (k, v) in [
        ("first_name", &c.first_name),
        ("middle_name", &c.middle_name),
        ("last_name", &c.last_name),
        ("full_name", &c.full_name),
    ] {
        if let Some(v) = v {
            m.insert(k.to_owned(), json!(v));
        }
    }
    if let Some(d) = c.date_of_birth {
        m.insert(
            "date_of_birth".into(),
            json!(d.format("%Y-%m-%d").to_string()),
        );
    }
    if let Some(g) = c.gender {
        m.insert("gender".into(), json!(g));
    }
    m
}

fn combine_locals(matches: &[MatchType]) -> Option<MatchType> {
    matches.iter().copied().min()
}

fn assemble(
    request: &ValidationRequest,
    locals: Vec<LocalResult>,
    registry_results: Vec<RegistryResult>,
    registry_expected: bool,
) -> DatabaseValidation {
    let policy = request.policy;
    let mut validations = Vec::new();
    let mut errors = Vec::new();
    let mut services_used = Vec::new();
    let mut local_matches = Vec::new();
    let mut unchecked_numbers = 0;
    for l in locals {
        match l.validation {
            Some(v) => {
                if let Some(m) = v.match_type {
                    local_matches.push(m);
                }
                if !services_used.contains(&v.service_id) {
                    services_used.push(v.service_id.clone());
                }
                validations.push(v);
            }
            None => unchecked_numbers += 1,
        }
    }
    let mut registry_matches = Vec::new();
    for r in registry_results {
        match r {
            RegistryResult::Answered(v) => {
                if let Some(m) = v.match_type {
                    registry_matches.push(m);
                }
                if !services_used.contains(&v.service_id) {
                    services_used.push(v.service_id.clone());
                }
                validations.push(v);
            }
            RegistryResult::Failed(e) => {
                if !services_used.contains(&e.service_id) {
                    services_used.push(e.service_id.clone());
                }
                errors.push(e);
            }
        }
    }
    if let (None, true) = (request.issuing_state.country(), unchecked_numbers > 0) {
        if registry_matches.is_empty() && errors.is_empty() {
            errors.push(ServiceError {
                service_id: format!(
                    "{LOCAL_SERVICE_PREFIX}{}",
                    request.issuing_state.alpha3().to_ascii_lowercase()
                ),
                code: "UNSUPPORTED_COUNTRY",
                message: format!(
                    "verifyd has no number rules for {} and no registry covering it is configured",
                    request.issuing_state.alpha3()
                ),
                retryable: false,
            });
        }
    }

    let local_match = combine_locals(&local_matches);
    let registry_match = if registry_matches.is_empty() {
        None
    } else {
        let full = registry_matches
            .iter()
            .filter(|m| **m == FieldMatch::FullMatch)
            .count();
        Some(match policy.validation_type {
            ValidationType::OneByOne => registry_matches
                .iter()
                .copied()
                .max()
                .unwrap_or(FieldMatch::NoMatch),
            ValidationType::TwoByTwo if full >= 2 => FieldMatch::FullMatch,
            ValidationType::TwoByTwo
                if full == 1 || registry_matches.contains(&FieldMatch::PartialMatch) =>
            {
                FieldMatch::PartialMatch
            }
            ValidationType::TwoByTwo => FieldMatch::NoMatch,
        })
    };
    // A local rejection stands whatever a registry said (none is asked for a rejected number).
    let (match_type, assurance) = match (local_match, registry_match) {
        (Some(FieldMatch::NoMatch), _) => (Some(FieldMatch::NoMatch), Assurance::FormatOnly),
        (_, Some(r)) => (
            Some(r),
            Assurance::Registry {
                confirmations: registry_matches
                    .iter()
                    .filter(|m| **m == FieldMatch::FullMatch)
                    .count(),
            },
        ),
        (Some(l), None) => (Some(l), Assurance::FormatOnly),
        (None, None) => (None, Assurance::NotPerformed),
    };
    let registry_missing = registry_expected && registry_match.is_none();

    let deciding: Vec<&ServiceValidation> = validations
        .iter()
        .filter(|v| match assurance {
            Assurance::Registry { .. } => v.source == Source::Registry,
            _ => v.source == Source::LocalRules,
        })
        .collect();
    let compared: Vec<f64> = deciding
        .iter()
        .flat_map(|v| v.validation.values().map(|m| m.score()))
        .collect();
    let match_score = if compared.is_empty() || match_type.is_none() {
        0.0
    } else {
        let mean = compared.iter().sum::<f64>() / compared.len() as f64;
        (mean * 10_000.0).round() / 100.0
    };

    let mut warnings = Vec::new();
    let status = match match_type {
        None => {
            warnings.push(could_not_perform(request, &errors));
            Status::InReview
        }
        Some(m) => {
            let mut status = match m {
                FieldMatch::FullMatch => Status::Approved,
                FieldMatch::PartialMatch => {
                    let (s, w) = act(
                        policy.partial_match_action,
                        WarningCode::DatabaseValidationPartialMatch,
                    );
                    warnings.push(w);
                    s
                }
                FieldMatch::NoMatch => {
                    let (s, w) = act(
                        policy.no_match_action,
                        WarningCode::DatabaseValidationNoMatch,
                    );
                    warnings.push(w);
                    s
                }
            };
            if assurance == Assurance::FormatOnly && m != FieldMatch::NoMatch {
                if registry_missing {
                    warnings.push(could_not_perform(request, &errors));
                    status = Status::InReview;
                } else if policy.format_only == FormatOnlyPolicy::Review
                    && status == Status::Approved
                {
                    status = Status::InReview;
                }
                warnings.push(format_only_warning(status));
            }
            status
        }
    };

    DatabaseValidation {
        status,
        issuing_state: request.issuing_state,
        validation_type: policy.validation_type,
        screened_data: screened(request),
        match_type,
        validations,
        warnings,
        errors,
        services_used,
        match_score,
        assurance,
    }
}

fn act(action: MatchAction, risk: WarningCode) -> (Status, Warning) {
    let (status, log_type) = match action {
        MatchAction::Decline => (Status::Declined, LogType::Error),
        MatchAction::Review => (Status::InReview, LogType::Warning),
        MatchAction::NoAction => (Status::Approved, LogType::Information),
    };
    let (short, long) = match risk {
        WarningCode::DatabaseValidationPartialMatch => (
            "Partial match in database validation",
            "Some of the data could only be partially matched: a name close to but not equal to \
             the one the number or registry holds, or a number whose check character does not match \
             in a scheme known to have issued such numbers.",
        ),
        _ => (
            "No match in database validation",
            "The identification number is invalid, or what it encodes or what the registry holds \
             contradicts the document (birth date, sex or name).",
        ),
    };
    (
        status,
        Warning {
            risk,
            log_type,
            short_description: short.to_owned(),
            long_description: long.to_owned(),
            additional_data: None,
        },
    )
}

fn could_not_perform(request: &ValidationRequest, errors: &[ServiceError]) -> Warning {
    let reason = if request.numbers.is_empty() {
        "no identification number was given".to_owned()
    } else if !errors.is_empty() {
        errors
            .iter()
            .map(|e| format!("{}: {}", e.service_id, e.message))
            .collect::<Vec<_>>()
            .join("; ")
    } else {
        "no rule or registry could check the number".to_owned()
    };
    Warning {
        risk: WarningCode::CouldNotPerformDatabaseValidation,
        log_type: LogType::Warning,
        short_description: "Database validation could not be performed".to_owned(),
        long_description: format!("The database validation could not be completed: {reason}."),
        additional_data: Some(json!({ "reason": reason })),
    }
}

fn format_only_warning(status: Status) -> Warning {
    Warning {
        risk: WarningCode::DatabaseValidationFormatOnly,
        log_type: if status == Status::Approved {
            LogType::Information
        } else {
            LogType::Warning
        },
        short_description: "Checked against format rules only".to_owned(),
        long_description: "The number's format, check digits and encoded data were checked with \
                           published rules; no government or commercial registry confirmed that \
                           it exists or belongs to this person."
            .to_owned(),
        additional_data: None,
    }
}
