//! Helpers for the v3 resource tests: an API client bound to one application's key,
//! workflows and sessions built through the API, and JSON scrubbing for snapshots.

use serde_json::{json, Value};

use crate::support::{send, TestServer};

/// One application's view of a server.
pub struct Api<'a> {
    /// The server.
    pub server: &'a TestServer,
    /// The application's API key.
    pub key: String,
    /// What `apps create` printed (ids, environment).
    pub app: Value,
}

impl<'a> Api<'a> {
    /// Creates an application (live or sandbox) with `verifyd apps create`.
    pub fn create(server: &'a TestServer, name: &str, environment: &str) -> Self {
        let app = server.apps_create(name, environment);
        let key = app["api_key"].as_str().unwrap_or_default().to_owned();
        Self { server, key, app }
    }

    /// The application id.
    pub fn app_id(&self) -> String {
        self.app["application_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The organization id.
    pub fn org_id(&self) -> String {
        self.app["organization_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// GET.
    pub async fn get(&self, path: &str) -> (u16, Value) {
        send(self.server.get(path).header("x-api-key", &self.key)).await
    }

    /// POST with a JSON body.
    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        send(
            self.server
                .post_json(path, body)
                .header("x-api-key", &self.key),
        )
        .await
    }

    /// PATCH with a JSON body.
    pub async fn patch(&self, path: &str, body: &Value) -> (u16, Value) {
        send(
            self.server
                .http()
                .patch(self.server.url(path))
                .json(body)
                .header("x-api-key", &self.key),
        )
        .await
    }

    /// DELETE.
    pub async fn delete(&self, path: &str) -> (u16, Value) {
        send(
            self.server
                .http()
                .delete(self.server.url(path))
                .header("x-api-key", &self.key),
        )
        .await
    }

    /// A published KYC workflow; returns its id.
    pub async fn workflow(&self) -> String {
        let (status, body) = self
            .post("/v3/workflows/", &json!({"workflow_type": "kyc"}))
            .await;
        assert_eq!(status, 201, "{body}");
        body["uuid"].as_str().unwrap_or_default().to_owned()
    }

    /// Creates a session; returns the 201 body.
    pub async fn session(&self, body: Value) -> Value {
        let (status, created) = self.post("/v3/session/", &body).await;
        assert_eq!(status, 201, "{created}");
        created
    }
}

fn looks_like_uuid(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok() && s.len() == 36
}

fn looks_like_time(s: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

/// `text` with every embedded UUID replaced by `[uuid]`.
fn uuids_replaced(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        if rest.len() >= 36 && rest.is_char_boundary(36) && looks_like_uuid(&rest[..36]) {
            out.push_str("[uuid]");
            rest = &rest[36..];
        } else {
            let c = rest.chars().next().unwrap_or_default();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// Replaces ids and timestamps anywhere in `value` with placeholders, so snapshots only
/// change when the shape or the fixed values change.
pub fn scrub(value: &Value) -> Value {
    match value {
        Value::String(s) if looks_like_uuid(s) => json!("[uuid]"),
        Value::String(s) if looks_like_time(s) => json!("[time]"),
        Value::String(s) if s.starts_with("http://127.0.0.1:") => {
            let rest = s.trim_start_matches("http://127.0.0.1:");
            let path = rest.find('/').map_or("", |i| &rest[i..]);
            json!(format!("http://[server]{}", uuids_replaced(path)))
        }
        Value::String(s) => json!(uuids_replaced(s)),
        Value::Array(items) => Value::Array(items.iter().map(scrub).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), scrub(v))).collect())
        }
        other => other.clone(),
    }
}
