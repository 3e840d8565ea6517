//! Users: the people behind an application's sessions, identified by the integrator's
//! `vendor_data`. A user's profile is aggregated from its sessions (names, issuing states,
//! approved emails and phones, per-feature outcomes); what the integrator sets explicitly
//! (display name, status, metadata, corrected fields) is stored and wins over the aggregate.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

use crate::error::FieldErrors;
use crate::ids::UserId;
use crate::session::{iso, Session, RESULT_ARRAYS};
use crate::status::SessionStatus;

/// A user's lifecycle status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "UPPERCASE")]
pub enum UserStatus {
    /// Normal.
    #[default]
    Active,
    /// Marked for attention.
    Flagged,
    /// Blocked.
    Blocked,
}

impl UserStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "ACTIVE",
            Self::Flagged => "FLAGGED",
            Self::Blocked => "BLOCKED",
        }
    }

    /// Parses a wire name (exact, as DRF choices are).
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "ACTIVE" => Some(Self::Active),
            "FLAGGED" => Some(Self::Flagged),
            "BLOCKED" => Some(Self::Blocked),
            _ => None,
        }
    }
}

/// The stored part of a user: identity and whatever the integrator set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRecord {
    /// The `didit_internal_id`.
    pub id: UserId,
    /// The integrator's identifier.
    pub vendor_data: String,
    /// Lifecycle status.
    pub status: UserStatus,
    /// Custom display name.
    pub display_name: Option<String>,
    /// Full name set explicitly (else taken from sessions).
    pub full_name: Option<String>,
    /// Date of birth set explicitly (else taken from sessions).
    pub date_of_birth: Option<String>,
    /// Free-form object.
    pub metadata: Option<Value>,
    /// Emails set explicitly (replace the aggregated ones when set).
    pub approved_emails: Option<Vec<String>>,
    /// Phones set explicitly.
    pub approved_phones: Option<Vec<String>>,
    /// Issuing states set explicitly.
    pub issuing_states: Option<Vec<String>>,
    /// Activity: status changes and comments.
    #[serde(default)]
    pub comments: Vec<Value>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl UserRecord {
    /// A fresh user with nothing set.
    pub fn new(vendor_data: &str, now: DateTime<Utc>) -> Self {
        Self {
            id: UserId::new(),
            vendor_data: vendor_data.to_owned(),
            status: UserStatus::Active,
            display_name: None,
            full_name: None,
            date_of_birth: None,
            metadata: None,
            approved_emails: None,
            approved_phones: None,
            issuing_states: None,
            comments: Vec::new(),
            created_at: now,
            updated_at: now,
        }
    }
}

/// A field of a PATCH body: absent, explicitly null, or a value (svix's three states).
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Patch<T> {
    /// Not in the body: leave alone.
    #[default]
    Absent,
    /// `null`: clear.
    Null,
    /// A new value.
    Value(T),
}

impl<T> Patch<T> {
    /// Applies the patch to `slot`.
    pub fn apply(self, slot: &mut Option<T>) {
        match self {
            Self::Absent => {}
            Self::Null => *slot = None,
            Self::Value(v) => *slot = Some(v),
        }
    }
}

/// A validated create (`POST /v3/users/create/`) or update (`PATCH /v3/users/{vd}/`) body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserInput {
    /// Only on create: the identifier.
    pub vendor_data: Option<String>,
    /// Display name.
    pub display_name: Patch<String>,
    /// Full name.
    pub full_name: Patch<String>,
    /// Date of birth (YYYY-MM-DD).
    pub date_of_birth: Patch<String>,
    /// Status (cannot be null).
    pub status: Option<UserStatus>,
    /// Metadata object (replaces the stored one).
    pub metadata: Patch<Value>,
    /// Emails.
    pub approved_emails: Patch<Vec<String>>,
    /// Phones.
    pub approved_phones: Patch<Vec<String>>,
    /// Issuing states.
    pub issuing_states: Patch<Vec<String>>,
}

fn text_patch(
    body: &Map<String, Value>,
    key: &str,
    max: usize,
    errors: &mut FieldErrors,
) -> Patch<String> {
    match body.get(key) {
        None => Patch::Absent,
        Some(Value::Null) => Patch::Null,
        Some(Value::String(s)) if s.chars().count() > max => {
            errors.add(
                key,
                format!("Ensure this field has no more than {max} characters."),
            );
            Patch::Absent
        }
        Some(Value::String(s)) => Patch::Value(s.clone()),
        Some(_) => {
            errors.add(key, "Not a valid string.");
            Patch::Absent
        }
    }
}

fn list_patch(
    body: &Map<String, Value>,
    key: &str,
    errors: &mut FieldErrors,
) -> Patch<Vec<String>> {
    match body.get(key) {
        None => Patch::Absent,
        Some(Value::Null) => Patch::Null,
        Some(Value::Array(items)) => {
            let strings: Option<Vec<String>> = items
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect();
            match strings {
                Some(list) => Patch::Value(list),
                None => {
                    errors.add(key, "Expected a list of strings.");
                    Patch::Absent
                }
            }
        }
        Some(_) => {
            errors.add(key, "Expected a list of items.");
            Patch::Absent
        }
    }
}

impl UserInput {
    /// Validates a body; `create` requires `vendor_data`, updates refuse to change it.
    pub fn parse(body: &Map<String, Value>, create: bool) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut input = Self::default();
        if create {
            match body.get("vendor_data") {
                None | Some(Value::Null) => errors.add("vendor_data", "This field is required."),
                Some(Value::String(s)) if s.trim().is_empty() => {
                    errors.add("vendor_data", "This field may not be blank.")
                }
                Some(Value::String(s)) if s.chars().count() > 256 => errors.add(
                    "vendor_data",
                    "Ensure this field has no more than 256 characters.",
                ),
                Some(Value::String(s)) if s.contains('/') => {
                    errors.add("vendor_data", "vendor_data may not contain \"/\".")
                }
                Some(Value::String(s)) => input.vendor_data = Some(s.clone()),
                Some(_) => errors.add("vendor_data", "Not a valid string."),
            }
        }
        input.display_name = text_patch(body, "display_name", 255, &mut errors);
        input.full_name = text_patch(body, "full_name", 512, &mut errors);
        input.date_of_birth = text_patch(body, "date_of_birth", 10, &mut errors);
        if let Patch::Value(dob) = &input.date_of_birth {
            if NaiveDate::parse_from_str(dob, "%Y-%m-%d").is_err() {
                errors.add(
                    "date_of_birth",
                    "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
                );
            }
        }
        match body.get("status") {
            None => {}
            Some(Value::String(raw)) => match UserStatus::parse(raw) {
                Some(status) => input.status = Some(status),
                None => errors.add("status", format!("\"{raw}\" is not a valid choice.")),
            },
            Some(Value::Null) => errors.add("status", "This field may not be null."),
            Some(other) => errors.add("status", format!("\"{other}\" is not a valid choice.")),
        }
        input.metadata = match body.get("metadata") {
            None => Patch::Absent,
            Some(Value::Null) => Patch::Null,
            Some(obj @ Value::Object(_)) => Patch::Value(obj.clone()),
            Some(_) => {
                errors.add("metadata", "Must be a JSON object.");
                Patch::Absent
            }
        };
        input.approved_emails = list_patch(body, "approved_emails", &mut errors);
        input.approved_phones = list_patch(body, "approved_phones", &mut errors);
        input.issuing_states = list_patch(body, "issuing_states", &mut errors);
        if errors.is_empty() {
            Ok(input)
        } else {
            Err(errors)
        }
    }

    /// Applies the body to a stored user.
    pub fn apply(self, user: &mut UserRecord, now: DateTime<Utc>) {
        self.display_name.apply(&mut user.display_name);
        self.full_name.apply(&mut user.full_name);
        self.date_of_birth.apply(&mut user.date_of_birth);
        if let Some(status) = self.status {
            user.status = status;
        }
        self.metadata.apply(&mut user.metadata);
        self.approved_emails.apply(&mut user.approved_emails);
        self.approved_phones.apply(&mut user.approved_phones);
        self.issuing_states.apply(&mut user.issuing_states);
        user.updated_at = now;
    }
}

const FEATURE_NAMES: [&str; 12] = [
    "ID_VERIFICATION",
    "NFC",
    "LIVENESS",
    "FACE_MATCH",
    "POA",
    "PHONE",
    "EMAIL_VERIFICATION",
    "AML",
    "IP_ANALYSIS",
    "DATABASE_VALIDATION",
    "QUESTIONNAIRE",
    "DOCUMENT_AI",
];

fn push_unique(list: &mut Vec<String>, value: Option<String>) {
    if let Some(v) = value.filter(|v| !v.is_empty()) {
        if !list.contains(&v) {
            list.push(v);
        }
    }
}

/// The user object of the API: `detail` adds metadata, comments and `updated_at`.
/// `sessions` are the user's sessions, newest first.
pub fn user_json(user: &UserRecord, sessions: &[Session], detail: bool) -> Value {
    let newest_id_field = |key: &str| sessions.iter().find_map(|s| s.id_field(key));
    let full_name = user
        .full_name
        .clone()
        .or_else(|| newest_id_field("full_name"));
    let date_of_birth = user
        .date_of_birth
        .clone()
        .or_else(|| newest_id_field("date_of_birth"));
    let count = |status: SessionStatus| sessions.iter().filter(|s| s.status == status).count();
    let mut issuing_states = Vec::new();
    let mut emails = Vec::new();
    let mut phones = Vec::new();
    // Per feature, the status in the newest session that ran it.
    let mut features: BTreeMap<&str, String> = BTreeMap::new();
    for session in sessions {
        for element in session.results_of("id_verifications") {
            push_unique(
                &mut issuing_states,
                element
                    .get("issuing_state")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            );
        }
        for element in session.results_of("email_verifications") {
            if element.get("status").and_then(Value::as_str) == Some("Approved") {
                push_unique(
                    &mut emails,
                    element
                        .get("email")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                );
            }
        }
        for element in session.results_of("phone_verifications") {
            if element.get("status").and_then(Value::as_str) == Some("Approved") {
                push_unique(
                    &mut phones,
                    element
                        .get("full_number")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                );
            }
        }
        for (array, name) in RESULT_ARRAYS.iter().zip(FEATURE_NAMES) {
            if features.contains_key(name) {
                continue;
            }
            if let Some(status) = session
                .results_of(array)
                .last()
                .and_then(|e| e.get("status").and_then(Value::as_str).map(str::to_owned))
            {
                features.insert(name, status);
            }
        }
    }
    let issuing_states = user.issuing_states.clone().unwrap_or(issuing_states);
    let emails = user.approved_emails.clone().unwrap_or(emails);
    let phones = user.approved_phones.clone().unwrap_or(phones);
    let features_list: Vec<Value> = FEATURE_NAMES
        .iter()
        .filter_map(|name| {
            features
                .get(name)
                .map(|status| json!({"feature": name, "status": status}))
        })
        .collect();
    let last_session_at = sessions.iter().map(|s| s.created_at).max();
    let first_session_at = sessions.iter().map(|s| s.created_at).min();
    let last_activity_at = sessions
        .iter()
        .map(|s| s.updated_at)
        .chain([user.updated_at])
        .max();
    let mut out = json!({
        "didit_internal_id": user.id,
        "vendor_data": user.vendor_data,
        "display_name": user.display_name,
        "full_name": full_name,
        "date_of_birth": date_of_birth,
        "effective_name": user.display_name.clone().or(full_name),
        "status": user.status.as_str(),
        "portrait_image_url": null,
        "session_count": sessions.len(),
        "approved_count": count(SessionStatus::Approved),
        "declined_count": count(SessionStatus::Declined),
        "in_review_count": count(SessionStatus::InReview),
        "issuing_states": issuing_states,
        "approved_emails": emails,
        "approved_phones": phones,
        "features": features,
        "features_list": features_list,
        "last_session_at": last_session_at.map(iso),
        "last_activity_at": last_activity_at.map(iso),
        "first_session_at": first_session_at.map(iso),
        "tags": [],
        "created_at": iso(first_session_at.map_or(user.created_at, |f| f.min(user.created_at))),
    });
    if let (true, Some(obj)) = (detail, out.as_object_mut()) {
        obj.insert("metadata".into(), json!(user.metadata));
        obj.insert("comments".into(), Value::Array(user.comments.clone()));
        obj.insert("updated_at".into(), json!(iso(user.updated_at)));
    }
    out
}

/// An activity item recording a status change (the `comments[]` shape).
pub fn status_comment(
    previous: UserStatus,
    new: UserStatus,
    comment: Option<String>,
    at: DateTime<Utc>,
) -> Value {
    json!({
        "uuid": uuid::Uuid::new_v4(),
        "comment_type": "STATUS_CHANGED",
        "comment": comment,
        "actor_email": null,
        "actor_name": "api",
        "previous_status": previous.as_str(),
        "new_status": new.as_str(),
        "previous_value": null,
        "new_value": null,
        "changed_fields": [],
        "metadata": null,
        "mentioned_emails": [],
        "created_at": iso(at),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn patch_distinguishes_absent_null_and_value() {
        let now = Utc::now();
        let mut user = UserRecord::new("u-1", now);
        UserInput::parse(
            &obj(json!({"display_name": "Ann", "metadata": {"a": 1}})),
            false,
        )
        .unwrap()
        .apply(&mut user, now);
        assert_eq!(user.display_name.as_deref(), Some("Ann"));
        UserInput::parse(&obj(json!({"metadata": null})), false)
            .unwrap()
            .apply(&mut user, now);
        assert_eq!(user.display_name.as_deref(), Some("Ann"));
        assert_eq!(user.metadata, None);
    }

    #[test]
    fn bad_bodies_name_their_fields() {
        let errors = UserInput::parse(
            &obj(json!({"status": "INVALID", "date_of_birth": "15/05/1990", "metadata": 3})),
            false,
        )
        .unwrap_err();
        assert_eq!(
            errors.0["status"],
            vec!["\"INVALID\" is not a valid choice."]
        );
        assert_eq!(
            errors.0["date_of_birth"],
            vec!["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]
        );
        assert!(errors.0.contains_key("metadata"));
        let errors = UserInput::parse(&obj(json!({})), true).unwrap_err();
        assert_eq!(errors.0["vendor_data"], vec!["This field is required."]);
    }
}
