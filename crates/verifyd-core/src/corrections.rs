//! Reviewer corrections of a session's identity data (`PATCH /v3/session/{id}/update-data/`):
//! which fields may be edited, their formats, and how they are folded into the latest
//! `id_verifications` element (derived fields such as `full_name`, `age` and `country` are
//! kept consistent with the edited ones).

use chrono::{Datelike, NaiveDate};
use serde_json::{json, Map, Value};

use crate::error::FieldErrors;

/// Document type codes accepted by update-data.
pub const DOCUMENT_TYPE_CODES: [&str; 12] = [
    "P", "DL", "ID", "RP", "SSC", "HIC", "WP", "TC", "VISA", "PSC", "BC", "OTHER",
];

const MARITAL_STATUSES: [&str; 5] = ["SINGLE", "MARRIED", "DIVORCED", "WIDOWED", "UNKNOWN"];
const TEXT_FIELDS: [&str; 7] = [
    "document_subtype",
    "document_number",
    "personal_number",
    "first_name",
    "last_name",
    "address",
    "place_of_birth",
];
const DATE_FIELDS: [&str; 3] = ["date_of_birth", "date_of_issue", "expiration_date"];

/// The fields update-data edits and answers with, in the contract's order.
pub const EDITABLE: [&str; 17] = [
    "document_type",
    "document_subtype",
    "document_number",
    "personal_number",
    "date_of_birth",
    "date_of_issue",
    "expiration_date",
    "issuing_state",
    "first_name",
    "last_name",
    "gender",
    "address",
    "place_of_birth",
    "nationality",
    "marital_status",
    "extra_fields",
    "parsed_address",
];

/// The display name of a document type code.
pub fn document_type_name(code: &str) -> &'static str {
    match code {
        "P" => "Passport",
        "ID" => "Identity Card",
        "DL" => "Driver's License",
        "RP" => "Residence Permit",
        "HIC" => "Health Insurance Card",
        "TC" => "Tax Card",
        "SSC" => "Social Security Card",
        "WP" => "Work Permit",
        "VISA" => "Visa",
        "PSC" => "Public Services Card",
        "BC" => "Birth Certificate",
        _ => "Other",
    }
}

/// A validated correction: the fields to set (null clears a field).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IdDataPatch(pub Map<String, Value>);

fn choice(raw: &Value, choices: &[&str], upper: bool) -> Result<String, String> {
    let text = raw
        .as_str()
        .ok_or_else(|| "Not a valid string.".to_owned())?;
    let wanted = if upper {
        text.trim().to_uppercase()
    } else {
        text.trim().to_owned()
    };
    choices
        .iter()
        .find(|c| **c == wanted)
        .map(|c| (*c).to_owned())
        .ok_or_else(|| format!("\"{text}\" is not a valid choice."))
}

impl IdDataPatch {
    /// Validates the body; unknown keys are ignored (as DRF serializers do), a body with no
    /// known key is refused.
    pub fn parse(body: &Map<String, Value>) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut out = Map::new();
        for (key, value) in body {
            let key = key.as_str();
            let result: Result<Value, String> = match (key, value) {
                (_, Value::Null)
                    if TEXT_FIELDS.contains(&key)
                        || DATE_FIELDS.contains(&key)
                        || matches!(
                            key,
                            "document_type"
                                | "gender"
                                | "issuing_state"
                                | "nationality"
                                | "extra_fields"
                                | "parsed_address"
                        ) =>
                {
                    Ok(Value::Null)
                }
                ("document_type", v) => choice(v, &DOCUMENT_TYPE_CODES, true).map(Value::String),
                ("gender", v) => choice(v, &["M", "F", "U"], true).map(Value::String),
                ("marital_status", v) => choice(v, &MARITAL_STATUSES, true).map(Value::String),
                ("issuing_state" | "nationality", Value::String(s)) => {
                    let code = s.trim().to_uppercase();
                    if (2..=3).contains(&code.len()) && code.chars().all(|c| c.is_ascii_uppercase())
                    {
                        Ok(Value::String(code))
                    } else {
                        Err("Enter an ISO 3166-1 alpha-2 or alpha-3 country code.".to_owned())
                    }
                }
                (k, Value::String(s)) if DATE_FIELDS.contains(&k) => {
                    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                        .map(|d| json!(d.format("%Y-%m-%d").to_string()))
                        .map_err(|_| {
                            "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."
                                .to_owned()
                        })
                }
                (k, Value::String(s)) if TEXT_FIELDS.contains(&k) => {
                    let max = if k == "document_subtype" { 128 } else { 255 };
                    if s.chars().count() > max {
                        Err(format!(
                            "Ensure this field has no more than {max} characters."
                        ))
                    } else {
                        Ok(Value::String(s.trim().to_owned()))
                    }
                }
                ("extra_fields" | "parsed_address", obj @ Value::Object(_)) => Ok(obj.clone()),
                ("extra_fields" | "parsed_address", _) => Err("Must be a JSON object.".to_owned()),
                (k, _)
                    if TEXT_FIELDS.contains(&k)
                        || DATE_FIELDS.contains(&k)
                        || matches!(k, "issuing_state" | "nationality") =>
                {
                    Err("Not a valid string.".to_owned())
                }
                _ => continue,
            };
            match result {
                Ok(v) => {
                    out.insert(key.to_owned(), v);
                }
                Err(message) => errors.add(key, message),
            }
        }
        if errors.is_empty() && out.is_empty() {
            errors.add("non_field_errors", "No editable field was given.");
        }
        if errors.is_empty() {
            Ok(Self(out))
        } else {
            Err(errors)
        }
    }

    /// The editable fields of an element, as update-data answers them (`document_type` is
    /// the code).
    pub fn response_view(element: &Map<String, Value>) -> Value {
        let mut out = Map::new();
        for key in EDITABLE {
            let value = match key {
                "document_type" => element.get("document_type_code"),
                other => element.get(other),
            };
            out.insert(key.to_owned(), value.cloned().unwrap_or(Value::Null));
        }
        Value::Object(out)
    }

    /// Folds the correction into `element`, keeping derived fields consistent. `today`
    /// computes `age`.
    pub fn apply(&self, element: &mut Map<String, Value>, today: NaiveDate) {
        for (key, value) in &self.0 {
            if key == "document_type" {
                match value.as_str() {
                    Some(code) => {
                        element.insert("document_type_code".into(), json!(code));
                        element.insert("document_type".into(), json!(document_type_name(code)));
                    }
                    None => {
                        element.insert("document_type_code".into(), Value::Null);
                        element.insert("document_type".into(), Value::Null);
                    }
                }
            } else {
                element.insert(key.clone(), value.clone());
            }
        }
        if self.0.contains_key("issuing_state") {
            element.insert("country".into(), self.0["issuing_state"].clone());
        }
        if self.0.contains_key("first_name") || self.0.contains_key("last_name") {
            let part = |k: &str| {
                element
                    .get(k)
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
            };
            let full: Vec<String> = [part("first_name"), part("last_name")]
                .into_iter()
                .flatten()
                .collect();
            let full = if full.is_empty() {
                Value::Null
            } else {
                json!(full.join(" "))
            };
            element.insert("full_name".into(), full);
        }
        if let Some(dob) = self.0.get("date_of_birth") {
            let age = dob
                .as_str()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .map(|d| {
                    let mut years = today.year() - d.year();
                    if (today.month(), today.day()) < (d.month(), d.day()) {
                        years -= 1;
                    }
                    json!(years)
                })
                .unwrap_or(Value::Null);
            element.insert("age".into(), age);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn corrections_validate_and_derive() {
        let patch = IdDataPatch::parse(&obj(json!({
            "first_name": "Anna", "last_name": "Maria", "date_of_birth": "1990-05-15",
            "document_type": "p", "issuing_state": "esp", "unknown": 1
        })))
        .unwrap();
        let mut element = obj(json!({"first_name": "X", "status": "Approved"}));
        patch.apply(&mut element, NaiveDate::from_ymd_opt(2026, 5, 14).unwrap());
        assert_eq!(element["full_name"], "Anna Maria");
        assert_eq!(element["age"], 35);
        assert_eq!(element["document_type"], "Passport");
        assert_eq!(element["document_type_code"], "P");
        assert_eq!(element["country"], "ESP");
        let errors = IdDataPatch::parse(&obj(json!({
            "gender": "X", "date_of_birth": "15/05/1990", "marital_status": "complicated",
            "issuing_state": "Spain", "extra_fields": [1], "document_number": 5
        })))
        .unwrap_err();
        for field in [
            "gender",
            "date_of_birth",
            "marital_status",
            "issuing_state",
            "extra_fields",
            "document_number",
        ] {
            assert!(errors.0.contains_key(field), "{field}");
        }
        assert!(IdDataPatch::parse(&obj(json!({"nope": 1}))).is_err());
    }
}
