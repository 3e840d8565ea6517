//! Lists: blocklists (one system list per entry type, provisioned for every application and
//! immutable), allowlists and custom lists, and their entries. A value is matched through
//! its normalised form, so `+34 600-000-000` and `+34600000000` are the same phone and
//! `Anna@Example.com ` the same email; the store keeps only a keyed hash of that form for
//! lookups and the original sealed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::net::IpAddr;

use crate::error::FieldErrors;
use crate::ids::{AppId, ListEntryId, ListId, SessionId};
use crate::session::{iso, warning, Session};

/// What a list is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ListType {
    /// A hit declines (system lists only).
    Blocklist,
    /// A hit suppresses the matching duplicate warning.
    Allowlist,
    /// Integrator-defined, for monitoring and branching.
    Custom,
}

impl ListType {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Blocklist => "blocklist",
            Self::Allowlist => "allowlist",
            Self::Custom => "custom",
        }
    }

    /// Parses a wire name.
    pub fn parse(raw: &str) -> Option<Self> {
        serde_json::from_value(Value::String(raw.to_owned())).ok()
    }
}

/// What the entries of a list hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryType {
    /// A face template (needs the face engine).
    Face,
    /// An identity document number.
    Document,
    /// A phone number (E.164).
    Phone,
    /// An email address.
    Email,
    /// An IPv4 or IPv6 address.
    IpAddress,
    /// A device fingerprint.
    DeviceFingerprint,
    /// A crypto wallet address.
    WalletAddress,
    /// A bank account number.
    BankAccount,
    /// A user (vendor_data).
    User,
    /// A business.
    Business,
    /// A country (ISO 3166 code).
    Country,
    /// Any other key.
    Key,
}

impl EntryType {
    /// Every entry type.
    pub const ALL: [EntryType; 12] = [
        Self::Face,
        Self::Document,
        Self::Phone,
        Self::Email,
        Self::IpAddress,
        Self::DeviceFingerprint,
        Self::WalletAddress,
        Self::BankAccount,
        Self::User,
        Self::Business,
        Self::Country,
        Self::Key,
    ];

    /// The entry types that have a system blocklist in every application.
    pub const SYSTEM_BLOCKLISTS: [EntryType; 4] =
        [Self::Face, Self::Document, Self::Phone, Self::Email];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Face => "face",
            Self::Document => "document",
            Self::Phone => "phone",
            Self::Email => "email",
            Self::IpAddress => "ip_address",
            Self::DeviceFingerprint => "device_fingerprint",
            Self::WalletAddress => "wallet_address",
            Self::BankAccount => "bank_account",
            Self::User => "user",
            Self::Business => "business",
            Self::Country => "country",
            Self::Key => "key",
        }
    }

    /// Parses a wire name.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == raw)
    }

    /// The name of this type's system blocklist.
    pub fn system_list_name(self) -> String {
        let label = match self {
            Self::Face => "Face",
            Self::Document => "Document",
            Self::Phone => "Phone",
            Self::Email => "Email",
            other => other.as_str(),
        };
        format!("{label} blocklist")
    }

    /// The warning a blocklisted value of this type raises: (risk, feature, short text).
    pub fn blocklist_warning(self) -> Option<(&'static str, &'static str, &'static str)> {
        Some(match self {
            Self::Face => (
                "FACE_IN_BLOCKLIST",
                "LIVENESS",
                "The face is in the blocklist.",
            ),
            Self::Document => (
                "ID_DOCUMENT_IN_BLOCKLIST",
                "ID_VERIFICATION",
                "The document number is in the blocklist.",
            ),
            Self::Phone => (
                "PHONE_NUMBER_IN_BLOCKLIST",
                "PHONE",
                "The phone number is in the blocklist.",
            ),
            Self::Email => (
                "EMAIL_IN_BLOCKLIST",
                "EMAIL_VERIFICATION",
                "The email address is in the blocklist.",
            ),
            _ => return None,
        })
    }
}

/// Why a face cannot be given as a value (or taken from a session through the legacy API):
/// face entries are enrolled from an image with face-upload. Said plainly instead of
/// pretending the entry works.
pub const FACE_NOT_SUPPORTED: &str = "Blocklisting a session's face is not supported yet: add \
     the face from an image with POST /v3/lists/{uuid}/entries/face-upload/.";

/// The canonical form a value is matched on, or why it is not a valid value of the type.
pub fn normalise(entry_type: EntryType, raw: &str) -> Result<String, String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err("This field may not be blank.".to_owned());
    }
    if trimmed.chars().count() > 512 {
        return Err("Ensure this field has no more than 512 characters.".to_owned());
    }
    match entry_type {
        EntryType::Face => Err(FACE_NOT_SUPPORTED.to_owned()),
        EntryType::Document => {
            let number: String = trimmed
                .chars()
                .filter(|c| !matches!(c, ' ' | '-' | '.' | '/'))
                .flat_map(char::to_uppercase)
                .collect();
            if number.chars().all(char::is_alphanumeric) {
                Ok(number)
            } else {
                Err("Enter a valid document number.".to_owned())
            }
        }
        EntryType::Phone => {
            let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
            let shape_ok = trimmed.starts_with('+')
                && trimmed
                    .chars()
                    .skip(1)
                    .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '.'));
            if shape_ok && (7..=15).contains(&digits.len()) {
                Ok(format!("+{digits}"))
            } else {
                Err("Enter a valid phone number in E.164 format.".to_owned())
            }
        }
        EntryType::Email => {
            let email = trimmed.to_lowercase();
            match email.split_once('@') {
                Some((local, domain))
                    if !local.is_empty()
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                        && !email.contains(char::is_whitespace) =>
                {
                    Ok(email)
                }
                _ => Err("Enter a valid email address.".to_owned()),
            }
        }
        EntryType::IpAddress => trimmed
            .parse::<IpAddr>()
            .map(|ip| ip.to_string())
            .map_err(|_| "Enter a valid IPv4 or IPv6 address.".to_owned()),
        EntryType::Country => {
            let code = trimmed.to_uppercase();
            if (2..=3).contains(&code.len()) && code.chars().all(|c| c.is_ascii_uppercase()) {
                Ok(code)
            } else {
                Err("Enter an ISO 3166-1 alpha-2 or alpha-3 country code.".to_owned())
            }
        }
        EntryType::WalletAddress
        | EntryType::DeviceFingerprint
        | EntryType::BankAccount
        | EntryType::Key => Ok(trimmed.to_owned()),
        EntryType::User | EntryType::Business => Ok(trimmed.to_owned()),
    }
}

/// The value of `entry_type` a session holds, for entries created from
/// `reference_session_id` and for the legacy `/v3/blocklist/add/`.
pub fn value_from_session(session: &Session, entry_type: EntryType) -> Option<String> {
    let from_results = |array: &str, key: &str| {
        session
            .results_of(array)
            .iter()
            .rev()
            .find_map(|e| e.get(key).and_then(Value::as_str).map(str::to_owned))
    };
    let contact = |key: &str| {
        session
            .contact_details
            .as_ref()
            .and_then(|c| c.get(key))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    match entry_type {
        EntryType::Document => from_results("id_verifications", "document_number").or_else(|| {
            session
                .expected_details
                .as_ref()
                .and_then(|d| d.get("identification_number"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        }),
        EntryType::Phone => {
            from_results("phone_verifications", "full_number").or_else(|| contact("phone"))
        }
        EntryType::Email => {
            from_results("email_verifications", "email").or_else(|| contact("email"))
        }
        EntryType::IpAddress => from_results("ip_analyses", "ip_address"),
        EntryType::Country => from_results("id_verifications", "issuing_state"),
        EntryType::User => session.vendor_data.clone(),
        _ => None,
    }
    .filter(|v| !v.trim().is_empty())
}

/// A list.
#[derive(Debug, Clone, PartialEq)]
pub struct ListRecord {
    /// Its id.
    pub id: ListId,
    /// Owning application.
    pub app_id: AppId,
    /// Display name.
    pub name: String,
    /// Blocklist, allowlist or custom.
    pub list_type: ListType,
    /// What its entries hold.
    pub entry_type: EntryType,
    /// Free text.
    pub description: Option<String>,
    /// System lists are provisioned automatically and cannot be changed or deleted.
    pub is_system: bool,
    /// How many entries it has.
    pub entry_count: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl ListRecord {
    /// The API object.
    pub fn to_json(&self) -> Value {
        json!({
            "uuid": self.id,
            "name": self.name,
            "list_type": self.list_type.as_str(),
            "entry_type": self.entry_type.as_str(),
            "description": self.description,
            "is_system": self.is_system,
            "is_editable": !self.is_system,
            "entries_count": self.entry_count,
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
        })
    }
}

/// A validated `POST /v3/lists/` body.
#[derive(Debug, Clone, PartialEq)]
pub struct NewList {
    /// Display name.
    pub name: String,
    /// Allowlist or custom.
    pub list_type: ListType,
    /// Entry type.
    pub entry_type: EntryType,
    /// Free text.
    pub description: Option<String>,
}

/// A validated `PATCH /v3/lists/{uuid}/` body: `None` leaves a field alone; the inner
/// `None` of `description` clears it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListPatch {
    /// New name.
    pub name: Option<String>,
    /// New description (`Some(None)` clears it).
    pub description: Option<Option<String>>,
}

fn text(
    body: &Map<String, Value>,
    key: &str,
    max: usize,
    required: bool,
    errors: &mut FieldErrors,
) -> Option<Option<String>> {
    match body.get(key) {
        None if required => {
            errors.add(key, "This field is required.");
            None
        }
        None => None,
        Some(Value::Null) if required => {
            errors.add(key, "This field may not be null.");
            None
        }
        Some(Value::Null) => Some(None),
        Some(Value::String(s)) if s.trim().is_empty() && required => {
            errors.add(key, "This field may not be blank.");
            None
        }
        Some(Value::String(s)) if s.chars().count() > max => {
            errors.add(
                key,
                format!("Ensure this field has no more than {max} characters."),
            );
            None
        }
        Some(Value::String(s)) => Some(Some(s.trim().to_owned())),
        Some(_) => {
            errors.add(key, "Not a valid string.");
            None
        }
    }
}

impl NewList {
    /// Validates a create body.
    pub fn parse(body: &Map<String, Value>) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = text(body, "name", 255, true, &mut errors).flatten();
        let description = text(body, "description", 2000, false, &mut errors).flatten();
        let list_type = match body.get("list_type") {
            None | Some(Value::Null) => {
                errors.add("list_type", "This field is required.");
                None
            }
            Some(Value::String(raw)) => match ListType::parse(raw) {
                Some(ListType::Blocklist) => {
                    errors.add(
                        "list_type",
                        "Blocklists are system lists, provisioned for every entry type; create an allowlist or a custom list.",
                    );
                    None
                }
                Some(t) => Some(t),
                None => {
                    errors.add("list_type", format!("\"{raw}\" is not a valid choice."));
                    None
                }
            },
            Some(_) => {
                errors.add("list_type", "Not a valid string.");
                None
            }
        };
        let entry_type = entry_type_field(body, &mut errors);
        match (name, list_type, entry_type) {
            (Some(name), Some(list_type), Some(entry_type)) if errors.is_empty() => Ok(Self {
                name,
                list_type,
                entry_type,
                description,
            }),
            _ => Err(errors),
        }
    }
}

fn entry_type_field(body: &Map<String, Value>, errors: &mut FieldErrors) -> Option<EntryType> {
    match body.get("entry_type") {
        None | Some(Value::Null) => {
            errors.add("entry_type", "This field is required.");
            None
        }
        Some(Value::String(raw)) => EntryType::parse(raw).or_else(|| {
            errors.add("entry_type", format!("\"{raw}\" is not a valid choice."));
            None
        }),
        Some(_) => {
            errors.add("entry_type", "Not a valid string.");
            None
        }
    }
}

impl ListPatch {
    /// Validates a PATCH body against the list it changes.
    pub fn parse(body: &Map<String, Value>, list: &ListRecord) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut patch = Self::default();
        if body.contains_key("name") {
            patch.name = text(body, "name", 255, true, &mut errors).flatten();
        }
        patch.description = text(body, "description", 2000, false, &mut errors);
        for (key, current) in [
            ("list_type", list.list_type.as_str()),
            ("entry_type", list.entry_type.as_str()),
        ] {
            match body.get(key) {
                None => {}
                Some(Value::String(v)) if v == current => {}
                Some(_) => errors.add(key, "This field cannot be changed after creation."),
            }
        }
        if errors.is_empty() {
            Ok(patch)
        } else {
            Err(errors)
        }
    }
}

/// An entry of a list. Values are personal data: the store keeps them sealed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListEntry {
    /// Its id.
    pub id: ListEntryId,
    /// The list it belongs to.
    pub list_id: ListId,
    /// The value as given (or as taken from the session).
    pub value: Option<String>,
    /// A label shown instead of the value.
    pub display_label: Option<String>,
    /// Why it was added.
    pub comment: Option<String>,
    /// Free-form object.
    pub metadata: Option<Value>,
    /// The session the value was taken from.
    pub reference_session_id: Option<SessionId>,
    /// Another object the entry refers to.
    pub reference_object_uuid: Option<uuid::Uuid>,
    /// Added.
    pub created_at: DateTime<Utc>,
}

impl ListEntry {
    /// The API object.
    pub fn to_json(&self) -> Value {
        json!({
            "uuid": self.id,
            "list_uuid": self.list_id,
            "value": self.value,
            "display_label": self.display_label,
            "comment": self.comment,
            "metadata": self.metadata,
            "reference_session_id": self.reference_session_id,
            "reference_object_uuid": self.reference_object_uuid,
            "created_at": iso(self.created_at),
        })
    }
}

/// A validated `POST /v3/lists/{uuid}/entries/` body, before the value is resolved.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EntryInput {
    /// An explicit value.
    pub value: Option<String>,
    /// Or the session to take it from.
    pub reference_session_id: Option<SessionId>,
    /// Another object the entry refers to.
    pub reference_object_uuid: Option<uuid::Uuid>,
    /// Label.
    pub display_label: Option<String>,
    /// Comment.
    pub comment: Option<String>,
    /// Free-form object.
    pub metadata: Option<Value>,
}

impl EntryInput {
    /// Validates an entry body (shape only; the value is checked against the list's type
    /// with [`normalise`]).
    pub fn parse(body: &Map<String, Value>) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut input = Self {
            value: text(body, "value", 512, false, &mut errors).flatten(),
            display_label: text(body, "display_label", 255, false, &mut errors).flatten(),
            comment: text(body, "comment", 2000, false, &mut errors).flatten(),
            ..Self::default()
        };
        for key in ["reference_session_id", "reference_object_uuid"] {
            match body.get(key) {
                None | Some(Value::Null) => {}
                Some(Value::String(raw)) => match uuid::Uuid::parse_str(raw) {
                    Ok(id) if key == "reference_session_id" => {
                        input.reference_session_id = Some(SessionId(id))
                    }
                    Ok(id) => input.reference_object_uuid = Some(id),
                    Err(_) => errors.add(key, "Must be a valid UUID."),
                },
                Some(_) => errors.add(key, "Must be a valid UUID."),
            }
        }
        match body.get("metadata") {
            None | Some(Value::Null) => {}
            Some(obj @ Value::Object(_)) => input.metadata = Some(obj.clone()),
            Some(_) => errors.add("metadata", "Must be a JSON object."),
        }
        if errors.is_empty() && input.value.is_none() && input.reference_session_id.is_none() {
            errors.add(
                "non_field_errors",
                "Provide either value or reference_session_id.",
            );
        }
        if errors.is_empty() {
            Ok(input)
        } else {
            Err(errors)
        }
    }
}

/// The values of a session or request that blocklists are checked against.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlocklistProbe {
    /// A document number.
    pub document_number: Option<String>,
    /// A phone number.
    pub phone: Option<String>,
    /// An email address.
    pub email: Option<String>,
}

impl BlocklistProbe {
    /// The `(entry type, normalised value)` pairs to look up; unusable values are skipped.
    pub fn lookups(&self) -> Vec<(EntryType, String)> {
        [
            (EntryType::Document, &self.document_number),
            (EntryType::Phone, &self.phone),
            (EntryType::Email, &self.email),
        ]
        .into_iter()
        .filter_map(|(t, v)| {
            v.as_deref()
                .and_then(|v| normalise(t, v).ok())
                .map(|n| (t, n))
        })
        .collect()
    }

    /// True when there is nothing to look up.
    pub fn is_empty(&self) -> bool {
        self.lookups().is_empty()
    }
}

/// The contract's warning for a blocklisted value of `entry_type` (log type `error`: a
/// blocklist hit declines).
pub fn blocklist_warning(entry_type: EntryType) -> Option<Value> {
    let (risk, feature, short) = entry_type.blocklist_warning()?;
    Some(warning(
        risk,
        feature,
        "error",
        short,
        &format!(
            "{short} Sessions matching an entry of the application's blocklists are declined."
        ),
    ))
}

/// Marks the elements of a decision's feature arrays whose document number, phone or email
/// is in `hits` (normalised values per type): each gets the blocklist warning (once) and is
/// Declined. Returns true when anything changed.
pub fn mark_blocklisted(results: &mut Map<String, Value>, hits: &[(EntryType, String)]) -> bool {
    let mut changed = false;
    for (array, key, entry_type) in [
        ("id_verifications", "document_number", EntryType::Document),
        ("nfc_verifications", "document_number", EntryType::Document),
        ("phone_verifications", "full_number", EntryType::Phone),
        ("email_verifications", "email", EntryType::Email),
    ] {
        let Some(elements) = results.get_mut(array).and_then(Value::as_array_mut) else {
            continue;
        };
        for element in elements.iter_mut() {
            let Some(raw) = element.get(key).and_then(Value::as_str) else {
                continue;
            };
            let Ok(normalised) = normalise(entry_type, raw) else {
                continue;
            };
            if !hits.contains(&(entry_type, normalised)) {
                continue;
            }
            let Some(warning) = blocklist_warning(entry_type) else {
                continue;
            };
            let Some(obj) = element.as_object_mut() else {
                continue;
            };
            let warnings = obj
                .entry("warnings")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Some(list) = warnings.as_array_mut() {
                if !list.iter().any(|w| w.get("risk") == warning.get("risk")) {
                    list.push(warning);
                }
            }
            obj.insert("status".into(), json!("Declined"));
            changed = true;
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_normalise_per_type() {
        assert_eq!(
            normalise(EntryType::Phone, "+34 600-000-000").unwrap(),
            "+34600000000"
        );
        assert!(normalise(EntryType::Phone, "600000000").is_err());
        assert_eq!(
            normalise(EntryType::Email, " Anna@Example.COM ").unwrap(),
            "anna@example.com"
        );
        assert!(normalise(EntryType::Email, "anna@localhost").is_err());
        assert_eq!(
            normalise(EntryType::Document, "l898-902 c3").unwrap(),
            "L898902C3"
        );
        assert!(normalise(EntryType::Document, "L89#").is_err());
        assert_eq!(normalise(EntryType::Country, "esp").unwrap(), "ESP");
        assert!(normalise(EntryType::IpAddress, "1.2.3").is_err());
        assert!(normalise(EntryType::Face, "anything").is_err());
        assert!(normalise(EntryType::Key, "  ").is_err());
    }

    #[test]
    fn create_and_patch_rules() {
        let ok = |v: Value| v.as_object().cloned().unwrap();
        let list = NewList::parse(&ok(
            json!({"name": "VIP", "list_type": "allowlist", "entry_type": "email"}),
        ))
        .unwrap();
        assert_eq!(list.entry_type, EntryType::Email);
        let errors = NewList::parse(&ok(json!({"list_type": "blocklist", "entry_type": "eye"})))
            .unwrap_err();
        assert_eq!(errors.0["name"], vec!["This field is required."]);
        assert!(errors.0["list_type"][0].contains("system lists"));
        assert_eq!(
            errors.0["entry_type"],
            vec!["\"eye\" is not a valid choice."]
        );
        let record = ListRecord {
            id: ListId::new(),
            app_id: AppId::new(),
            name: "VIP".into(),
            list_type: ListType::Custom,
            entry_type: EntryType::Email,
            description: None,
            is_system: false,
            entry_count: 0,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        let patch = ListPatch::parse(&ok(json!({"description": null})), &record).unwrap();
        assert_eq!(patch.description, Some(None));
        assert!(ListPatch::parse(&ok(json!({"entry_type": "phone"})), &record).is_err());
        assert!(ListPatch::parse(&ok(json!({"name": ""})), &record).is_err());
    }

    #[test]
    fn entries_need_a_value_or_a_session() {
        let ok = |v: Value| v.as_object().cloned().unwrap();
        let errors = EntryInput::parse(&ok(json!({"comment": "x"}))).unwrap_err();
        assert!(errors.0.contains_key("non_field_errors"));
        assert!(EntryInput::parse(&ok(json!({"reference_session_id": "nope"}))).is_err());
        assert!(EntryInput::parse(&ok(json!({"value": "a@b.co", "metadata": [1]}))).is_err());
        assert!(EntryInput::parse(&ok(json!({"value": "a@b.co", "metadata": {"k": 1}}))).is_ok());
    }

    #[test]
    fn blocklisted_elements_are_declined_once() {
        let mut results = Map::new();
        results.insert(
            "id_verifications".into(),
            json!([{"status": "Approved", "document_number": "L898902C3", "warnings": []}]),
        );
        results.insert(
            "email_verifications".into(),
            json!([{"status": "Approved", "email": "ok@example.com", "warnings": []}]),
        );
        let hits = vec![(EntryType::Document, "L898902C3".to_owned())];
        assert!(mark_blocklisted(&mut results, &hits));
        assert!(mark_blocklisted(&mut results, &hits));
        let id = &results["id_verifications"][0];
        assert_eq!(id["status"], "Declined");
        assert_eq!(id["warnings"].as_array().unwrap().len(), 1);
        assert_eq!(id["warnings"][0]["risk"], "ID_DOCUMENT_IN_BLOCKLIST");
        assert_eq!(results["email_verifications"][0]["status"], "Approved");
    }
}
