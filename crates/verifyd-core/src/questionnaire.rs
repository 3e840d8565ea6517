//! Questionnaires: simple linear forms a workflow can show (seven element types, every
//! label translated into each of the questionnaire's languages). Validation errors come back
//! in DRF's nested shape, e.g. `{"form_elements": [{}, {"options": ["This field is required …"]}]}`,
//! so clients can point at the failing element.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::ids::{AppId, QuestionnaireId};
use crate::session::{iso, LANGUAGES};

/// The element types, as sent (lower case) in `form_elements[].element_type`: the seeds'
/// seven first, then the newer ones of Didit's current spec.
pub const ELEMENT_TYPES: [&str; 21] = [
    "short_text",
    "long_text",
    "multiple_choice",
    "checkbox",
    "file_upload",
    "date",
    "number",
    "dropdown",
    "single_choice",
    "image",
    "time",
    "email",
    "address",
    "phone",
    "country",
    "date_picker",
    "consent",
    "section_header",
    "separator",
    "heading",
    "paragraph",
];

/// Whether elements of this type need `options`.
pub fn needs_options(element_type: &str) -> bool {
    matches!(
        element_type,
        "multiple_choice" | "checkbox" | "dropdown" | "single_choice"
    )
}

/// Keys of a graph questionnaire that this (simple) API refuses.
const GRAPH_ONLY: [&str; 3] = ["branches", "required_if", "repeatable_config"];

/// One choice of a multiple_choice or checkbox element.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ElementOption {
    /// The stored answer value.
    pub value: String,
    /// The label per language.
    pub label: Map<String, Value>,
}

/// One question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormElement {
    /// Stable id within the questionnaire.
    pub id: String,
    /// One of [`ELEMENT_TYPES`].
    pub element_type: String,
    /// The question per language.
    pub label: Map<String, Value>,
    /// Help text per language.
    #[serde(default)]
    pub description: Option<Map<String, Value>>,
    /// Placeholder per language.
    #[serde(default)]
    pub placeholder: Option<Map<String, Value>>,
    /// Whether an answer is mandatory.
    pub is_required: bool,
    /// Choices (choice elements only).
    #[serde(default)]
    pub options: Vec<ElementOption>,
    /// Most files a file_upload/image element takes (1–5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_files: Option<u8>,
    /// Answer rules (`pattern`, `min_length`, `max`…), kept as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation: Option<Value>,
}

/// The editable content of a questionnaire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionnaireSpec {
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// Languages every translatable text must cover.
    pub languages: Vec<String>,
    /// The language shown by default.
    pub default_language: String,
    /// Whether workflows may use it.
    pub is_active: bool,
    /// `draft` or `published`.
    #[serde(default = "published")]
    pub status: String,
    /// The questions in display order.
    pub form_elements: Vec<FormElement>,
}

fn published() -> String {
    "published".to_owned()
}

/// A stored questionnaire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Questionnaire {
    /// Its id.
    pub id: QuestionnaireId,
    /// Owning application.
    pub app_id: AppId,
    /// Content.
    pub spec: QuestionnaireSpec,
    /// Incremented on every change.
    pub version: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// Errors keyed by field; values are message lists, or nested objects/lists (DRF's shape).
#[derive(Debug, Default)]
struct Errors(Map<String, Value>);

impl Errors {
    fn add(&mut self, key: &str, message: impl Into<String>) {
        let entry = self
            .0
            .entry(key.to_owned())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Some(list) = entry.as_array_mut() {
            list.push(Value::String(message.into()));
        }
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn translations(
    value: Option<&Value>,
    languages: &[String],
    required: bool,
    key: &str,
    errors: &mut Errors,
) -> Option<Map<String, Value>> {
    match value {
        None | Some(Value::Null) => {
            if required {
                errors.add(key, "This field is required.");
            }
            None
        }
        // A bare string is the text in the default (first) language.
        Some(Value::String(text)) if languages.len() == 1 => {
            let mut map = Map::new();
            map.insert(languages[0].clone(), json!(text));
            Some(map)
        }
        Some(Value::Object(map)) => {
            for language in languages {
                match map.get(language) {
                    Some(Value::String(text)) if !text.trim().is_empty() => {}
                    _ => errors.add(key, format!("Missing translation for \"{language}\".")),
                }
            }
            for (language, text) in map {
                if !text.is_string() {
                    errors.add(
                        key,
                        format!("The \"{language}\" translation must be a string."),
                    );
                }
            }
            Some(map.clone())
        }
        Some(_) => {
            errors.add(
                key,
                "Expected an object of translations, e.g. {\"en\": \"…\"}.",
            );
            None
        }
    }
}

fn parse_element(
    raw: &Value,
    index: usize,
    languages: &[String],
) -> Result<FormElement, Map<String, Value>> {
    let mut errors = Errors::default();
    let Some(obj) = raw.as_object() else {
        errors.add("non_field_errors", "Expected an object.");
        return Err(errors.0);
    };
    let element_type = match obj.get("element_type") {
        None | Some(Value::Null) => {
            errors.add("element_type", "This field is required.");
            None
        }
        Some(Value::String(t)) if ELEMENT_TYPES.contains(&t.to_lowercase().as_str()) => {
            Some(t.to_lowercase())
        }
        Some(other) => {
            let shown = other
                .as_str()
                .map_or_else(|| other.to_string(), str::to_owned);
            errors.add(
                "element_type",
                format!("\"{shown}\" is not a valid choice."),
            );
            None
        }
    };
    let id = match obj.get("id") {
        None | Some(Value::Null) => format!("question_{}", index + 1),
        Some(Value::String(id)) if !id.trim().is_empty() && id.len() <= 100 => id.clone(),
        Some(_) => {
            errors.add(
                "id",
                "Must be a non-empty string of at most 100 characters.",
            );
            String::new()
        }
    };
    let label = translations(obj.get("label"), languages, true, "label", &mut errors);
    let description = translations(
        obj.get("description"),
        languages,
        false,
        "description",
        &mut errors,
    );
    let placeholder = translations(
        obj.get("placeholder"),
        languages,
        false,
        "placeholder",
        &mut errors,
    );
    let is_required = match obj.get("is_required") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            errors.add("is_required", "Must be a valid boolean.");
            false
        }
    };
    for key in GRAPH_ONLY {
        if obj.contains_key(key) {
            errors.add(
                key,
                "Not supported by the v3 questionnaire API (simple questionnaires only).",
            );
        }
    }
    let needs_options = element_type.as_deref().is_some_and(needs_options);
    let max_files = match obj.get("max_files") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_u64().filter(|n| (1..=5).contains(n)) {
            Some(n) => u8::try_from(n).ok(),
            None => {
                errors.add("max_files", "Ensure this value is an integer from 1 to 5.");
                None
            }
        },
    };
    let validation = match obj.get("validation") {
        None | Some(Value::Null) => None,
        Some(v @ Value::Object(_)) => Some(v.clone()),
        Some(_) => {
            errors.add("validation", "Must be a JSON object.");
            None
        }
    };
    let mut options = Vec::new();
    match obj.get("options") {
        None | Some(Value::Null) if needs_options => errors.add(
            "options",
            "This field is required for choice elements (multiple_choice, checkbox, dropdown, single_choice).",
        ),
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) if needs_options && items.is_empty() => {
            errors.add("options", "This list may not be empty.")
        }
        Some(Value::Array(items)) if needs_options => {
            let mut nested: Vec<Value> = Vec::with_capacity(items.len());
            let mut failed = false;
            for (n, item) in items.iter().enumerate() {
                let mut option_errors = Errors::default();
                let value = match item.get("value") {
                    None | Some(Value::Null) => format!("option_{}", n + 1),
                    Some(Value::String(v)) if !v.is_empty() => v.clone(),
                    Some(_) => {
                        option_errors.add("value", "Must be a non-empty string.");
                        String::new()
                    }
                };
                let label = translations(
                    item.get("label"),
                    languages,
                    true,
                    "label",
                    &mut option_errors,
                );
                if options.iter().any(|o: &ElementOption| o.value == value) {
                    option_errors.add("value", "Option values must be unique.");
                }
                if option_errors.is_empty() {
                    if let Some(label) = label {
                        options.push(ElementOption { value, label });
                    }
                    nested.push(json!({}));
                } else {
                    failed = true;
                    nested.push(Value::Object(option_errors.0));
                }
            }
            if failed {
                errors.0.insert("options".into(), Value::Array(nested));
            }
        }
        Some(Value::Array(items)) if items.is_empty() => {}
        Some(Value::Array(_)) => errors.add(
            "options",
            "Options are only allowed on choice elements (multiple_choice, checkbox, dropdown, single_choice).",
        ),
        Some(_) => errors.add("options", "Expected a list of items."),
    }
    match (errors.is_empty(), element_type, label) {
        (true, Some(element_type), Some(label)) => Ok(FormElement {
            id,
            element_type,
            label,
            description,
            placeholder,
            is_required,
            options,
            max_files,
            validation,
        }),
        _ => Err(errors.0),
    }
}

impl QuestionnaireSpec {
    /// Validates a full body (create), or the merge of a PATCH body over `base` (update).
    /// On failure the value is the 400 body.
    pub fn parse(body: &Map<String, Value>, base: Option<&Self>) -> Result<Self, Value> {
        let mut errors = Errors::default();
        if body.contains_key("graph") {
            let mut tree = Map::new();
            tree.insert(
                "graph".into(),
                json!("The v3 questionnaire API only accepts simple `form_elements`, not `graph`."),
            );
            return Err(Value::Object(tree));
        }
        let title = match body.get("title") {
            None => base.map(|b| b.title.clone()).or_else(|| {
                errors.add("title", "This field is required.");
                None
            }),
            Some(Value::String(t)) if t.trim().is_empty() => {
                errors.add("title", "This field may not be blank.");
                None
            }
            Some(Value::String(t)) if t.chars().count() > 255 => {
                errors.add(
                    "title",
                    "Ensure this field has no more than 255 characters.",
                );
                None
            }
            Some(Value::String(t)) => Some(t.clone()),
            Some(Value::Null) => {
                errors.add("title", "This field may not be null.");
                None
            }
            Some(_) => {
                errors.add("title", "Not a valid string.");
                None
            }
        };
        let description = match body.get("description") {
            None => base.and_then(|b| b.description.clone()),
            Some(Value::Null) => None,
            Some(Value::String(d)) => Some(d.clone()),
            Some(_) => {
                errors.add("description", "Not a valid string.");
                None
            }
        };
        let languages: Vec<String> = match body.get("languages") {
            None => base.map_or_else(|| vec!["en".to_owned()], |b| b.languages.clone()),
            Some(Value::Array(items)) if items.is_empty() => {
                errors.add("languages", "This list may not be empty.");
                Vec::new()
            }
            Some(Value::Array(items)) => {
                let mut out: Vec<String> = Vec::new();
                for item in items {
                    match item
                        .as_str()
                        .and_then(|l| LANGUAGES.iter().find(|k| k.eq_ignore_ascii_case(l)))
                    {
                        Some(language) if !out.iter().any(|o| o == language) => {
                            out.push((*language).to_owned())
                        }
                        Some(_) => {}
                        None => {
                            let shown = item
                                .as_str()
                                .map_or_else(|| item.to_string(), str::to_owned);
                            errors.add("languages", format!("\"{shown}\" is not a valid choice."))
                        }
                    }
                }
                if !out.is_empty() && !out.iter().any(|l| l == "en") {
                    errors.add(
                        "languages",
                        "English (\"en\") must be one of the languages.",
                    );
                }
                out
            }
            Some(_) => {
                errors.add("languages", "Expected a list of items.");
                Vec::new()
            }
        };
        let default_language = match body.get("default_language") {
            None | Some(Value::Null) => base
                .map(|b| b.default_language.clone())
                .filter(|d| languages.contains(d))
                .unwrap_or_else(|| {
                    if languages.iter().any(|l| l == "en") {
                        "en".to_owned()
                    } else {
                        languages
                            .first()
                            .cloned()
                            .unwrap_or_else(|| "en".to_owned())
                    }
                }),
            Some(Value::String(d)) => {
                if !languages.is_empty() && !languages.iter().any(|l| l.eq_ignore_ascii_case(d)) {
                    errors.add(
                        "default_language",
                        "The default language must be one of the languages.",
                    );
                }
                d.clone()
            }
            Some(_) => {
                errors.add("default_language", "Not a valid string.");
                String::new()
            }
        };
        let is_active = match body.get("is_active") {
            None | Some(Value::Null) => base.is_none_or(|b| b.is_active),
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                errors.add("is_active", "Must be a valid boolean.");
                true
            }
        };
        let status = match body.get("status") {
            None | Some(Value::Null) => base.map_or_else(published, |b| b.status.clone()),
            Some(Value::String(s)) if s == "draft" || s == "published" => s.clone(),
            Some(other) => {
                let shown = other
                    .as_str()
                    .map_or_else(|| other.to_string(), str::to_owned);
                errors.add("status", format!("\"{shown}\" is not a valid choice."));
                published()
            }
        };
        let mut form_elements = Vec::new();
        // When languages change on a PATCH, the stored elements are re-checked against them.
        let raw_elements: Option<Value> = match body.get("form_elements") {
            Some(v) => Some(v.clone()),
            None => base.map(|b| json!(b.form_elements)),
        };
        match raw_elements {
            None | Some(Value::Null) => errors.add("form_elements", "This field is required."),
            Some(Value::Array(items)) if items.is_empty() => {
                errors.add("form_elements", "This list may not be empty.")
            }
            Some(Value::Array(items)) => {
                let mut nested = Vec::with_capacity(items.len());
                let mut failed = false;
                for (index, item) in items.iter().enumerate() {
                    match parse_element(item, index, &languages) {
                        Ok(element) => {
                            if form_elements
                                .iter()
                                .any(|e: &FormElement| e.id == element.id)
                            {
                                failed = true;
                                nested.push(json!({"id": ["Element ids must be unique."]}));
                            } else {
                                nested.push(json!({}));
                            }
                            form_elements.push(element);
                        }
                        Err(element_errors) => {
                            failed = true;
                            nested.push(Value::Object(element_errors));
                        }
                    }
                }
                if failed {
                    errors
                        .0
                        .insert("form_elements".into(), Value::Array(nested));
                }
            }
            Some(_) => errors.add("form_elements", "Expected a list of items."),
        }
        match title {
            Some(title) if errors.is_empty() => Ok(Self {
                title,
                description,
                languages,
                default_language,
                is_active,
                status,
                form_elements,
            }),
            _ => Err(Value::Object(errors.0)),
        }
    }
}

impl Questionnaire {
    /// The element types used, upper case (the list view's `question_types`).
    fn question_types(&self) -> Vec<String> {
        let mut types: Vec<String> = Vec::new();
        for element in &self.spec.form_elements {
            let upper = element.element_type.to_uppercase();
            if !types.contains(&upper) {
                types.push(upper);
            }
        }
        types
    }

    /// The list view.
    pub fn to_list_json(&self) -> Value {
        json!({
            "uuid": self.id,
            "questionnaire_id": self.id,
            "title": self.spec.title,
            "description": self.spec.description,
            "languages": self.spec.languages,
            "default_language": self.spec.default_language,
            "is_active": self.spec.is_active,
            "is_simple_questionnaire": true,
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
            "question_types": self.question_types(),
            "workflow_names": [],
            "questionnaire_group_id": self.id,
            "version": self.version,
            "status": self.spec.status,
            "published_at": (self.spec.status == "published").then(|| iso(self.created_at)),
            "is_editable": true,
        })
    }

    /// The detail view: the list fields plus the submitted `form_elements` and the
    /// equivalent linear `graph`.
    pub fn to_detail_json(&self) -> Value {
        let elements = &self.spec.form_elements;
        let mut nodes = Map::new();
        for (i, element) in elements.iter().enumerate() {
            let mut node = json!({
                "element_type": element.element_type.to_uppercase(),
                "is_required": element.is_required,
                "title": element.label,
                "next": elements.get(i + 1).map(|e| e.id.clone()),
            });
            if let Some(obj) = node.as_object_mut() {
                if let Some(description) = &element.description {
                    obj.insert("description".into(), json!(description));
                }
                if let Some(placeholder) = &element.placeholder {
                    obj.insert("placeholder".into(), json!(placeholder));
                }
                if !element.options.is_empty() {
                    obj.insert("choices".into(), json!(element.options));
                }
            }
            nodes.insert(element.id.clone(), node);
        }
        let mut out = self.to_list_json();
        if let Some(obj) = out.as_object_mut() {
            obj.insert("form_elements".into(), json!(elements));
            obj.insert(
                "graph".into(),
                json!({"start_node": elements.first().map(|e| e.id.clone()), "nodes": nodes}),
            );
            obj.insert("sections".into(), json!([]));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    fn element(kind: &str) -> Value {
        json!({"element_type": kind, "label": {"en": "Q?", "es": "¿P?"}})
    }

    #[test]
    fn every_element_type_is_accepted() {
        let mut elements: Vec<Value> = ELEMENT_TYPES.iter().map(|t| element(t)).collect();
        for e in &mut elements {
            if needs_options(e["element_type"].as_str().unwrap_or_default()) {
                e["options"] = json!([{"label": {"en": "A", "es": "A"}}, {"value": "b", "label": {"en": "B", "es": "B"}}]);
            }
        }
        let spec = QuestionnaireSpec::parse(
            &obj(json!({"title": "T", "languages": ["en", "es"], "form_elements": elements})),
            None,
        )
        .unwrap();
        assert_eq!(spec.form_elements.len(), ELEMENT_TYPES.len());
        assert_eq!(spec.default_language, "en");
        assert_eq!(spec.form_elements[2].options[0].value, "option_1");
        assert_eq!(spec.form_elements[0].id, "question_1");
    }

    #[test]
    fn errors_nest_under_the_failing_element() {
        let errors = QuestionnaireSpec::parse(
            &obj(json!({"title": "T", "languages": ["en", "es"], "form_elements": [
                element("short_text"),
                {"element_type": "multiple_choice", "label": {"en": "Q?"}},
                {"element_type": "essay", "label": {"en": "Q?", "es": "P"}},
                {"element_type": "checkbox", "label": {"en": "Q", "es": "P"}, "options": [{"label": {"en": "A"}}]},
            ]})),
            None,
        )
        .unwrap_err();
        assert_eq!(errors["form_elements"][0], json!({}));
        assert_eq!(
            errors["form_elements"][1]["label"],
            json!(["Missing translation for \"es\"."])
        );
        assert!(errors["form_elements"][1]["options"][0]
            .as_str()
            .unwrap()
            .contains("required"));
        assert_eq!(
            errors["form_elements"][2]["element_type"],
            json!(["\"essay\" is not a valid choice."])
        );
        assert_eq!(
            errors["form_elements"][3]["options"][0]["label"],
            json!(["Missing translation for \"es\"."])
        );
    }

    #[test]
    fn top_level_rules() {
        let errors = QuestionnaireSpec::parse(&obj(json!({})), None).unwrap_err();
        assert_eq!(errors["title"], json!(["This field is required."]));
        assert_eq!(errors["form_elements"], json!(["This field is required."]));
        let errors = QuestionnaireSpec::parse(&obj(json!({"graph": {}})), None).unwrap_err();
        assert!(errors["graph"].is_string());
        let errors = QuestionnaireSpec::parse(
            &obj(
                json!({"title": "T", "languages": ["es"], "default_language": "fr",
                "form_elements": [element("date")]}),
            ),
            None,
        )
        .unwrap_err();
        assert!(errors.get("languages").is_some());
        assert!(errors.get("default_language").is_some());
    }

    #[test]
    fn patches_merge_over_the_stored_spec() {
        let base = QuestionnaireSpec::parse(
            &obj(json!({"title": "T", "form_elements": [{"element_type": "number", "label": {"en": "Age"}}]})),
            None,
        )
        .unwrap();
        let patched = QuestionnaireSpec::parse(
            &obj(json!({"title": "New", "is_active": false})),
            Some(&base),
        )
        .unwrap();
        assert_eq!(patched.title, "New");
        assert!(!patched.is_active);
        assert_eq!(patched.form_elements, base.form_elements);
        // Adding a language requires the stored elements to be translated.
        assert!(
            QuestionnaireSpec::parse(&obj(json!({"languages": ["en", "es"]})), Some(&base))
                .is_err()
        );
    }
}
