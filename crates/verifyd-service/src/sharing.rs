//! Sharing a finished session with another application, importing it there, and reviewer
//! corrections of identity data.
//!
//! A share token is an HS256 JWT (as Didit's are) whose claims are sealed with the master
//! key: the token is signed and encrypted, names one receiving application and expires after
//! `ttl_in_seconds`. Its signing key is created once and kept sealed in the database, so every
//! node issues and accepts the same tokens. Each source session can be imported once per
//! receiving application.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::Duration;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use verifyd_core::corrections::IdDataPatch;
use verifyd_core::ids::{AppId, SessionId, WorkflowId};
use verifyd_core::session::{new_session_token, ReviewItem, Session};
use verifyd_core::status::SessionStatus;
use verifyd_core::tenant::Application;
use verifyd_core::{CoreError, FieldErrors};

use crate::sessions::portrait_key;
use crate::{ServiceError, ServiceResult, Services};

const SHARE_KEY_SETTING: &str = "share_token_hs256_key";
/// Default lifetime of a share token.
pub const DEFAULT_SHARE_TTL: i64 = 3600;

/// What a share token carries (sealed inside the JWT).
#[derive(Debug, Serialize, Deserialize)]
struct ShareClaims {
    session_id: SessionId,
    from_application_id: AppId,
    for_application_id: AppId,
    iat: i64,
    exp: i64,
    jti: String,
}

/// The JWT's visible claims: only the sealed payload and the times.
#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    enc: String,
    iat: i64,
    exp: i64,
}

/// A validated share request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShareRequest {
    /// The receiving application.
    pub for_application_id: AppId,
    /// Token lifetime, 60–86400 seconds.
    pub ttl_in_seconds: i64,
}

impl ShareRequest {
    /// Validates the body (`audience` and `expires_in` are accepted as aliases).
    pub fn parse(body: &Map<String, Value>) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let field = |key: &str, alias: &str| {
            body.get(key)
                .filter(|v| !v.is_null())
                .or_else(|| body.get(alias).filter(|v| !v.is_null()))
        };
        let target = match field("for_application_id", "audience") {
            None => {
                errors.add("for_application_id", "This field is required.");
                None
            }
            Some(Value::String(raw)) => raw.parse::<AppId>().ok().or_else(|| {
                errors.add("for_application_id", "Must be a valid UUID.");
                None
            }),
            Some(_) => {
                errors.add("for_application_id", "Must be a valid UUID.");
                None
            }
        };
        let ttl = match field("ttl_in_seconds", "expires_in") {
            None => DEFAULT_SHARE_TTL,
            Some(value) => match value
                .as_i64()
                .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
            {
                Some(ttl) if ttl < 60 => {
                    errors.add(
                        "ttl_in_seconds",
                        "Ensure this value is greater than or equal to 60.",
                    );
                    ttl
                }
                Some(ttl) if ttl > 86_400 => {
                    errors.add(
                        "ttl_in_seconds",
                        "Ensure this value is less than or equal to 86400.",
                    );
                    ttl
                }
                Some(ttl) => ttl,
                None => {
                    errors.add("ttl_in_seconds", "A valid integer is required.");
                    0
                }
            },
        };
        match target {
            Some(for_application_id) if errors.is_empty() => Ok(Self {
                for_application_id,
                ttl_in_seconds: ttl,
            }),
            _ => Err(errors),
        }
    }
}

/// A validated import request.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRequest {
    /// The token from the sharing application.
    pub share_token: String,
    /// Keep the source status (true) or put the copy In Review (false).
    pub trust_review: bool,
    /// The receiver's workflow the copy belongs to.
    pub workflow_id: WorkflowId,
    /// `Some(None)` clears vendor_data, `None` keeps the source's.
    pub vendor_data: Option<Option<String>>,
}

impl ImportRequest {
    /// Validates the body.
    pub fn parse(body: &Map<String, Value>) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let token = match body.get("share_token") {
            None | Some(Value::Null) => {
                errors.add("share_token", "This field is required.");
                None
            }
            Some(Value::String(t)) if t.trim().is_empty() => {
                errors.add("share_token", "This field may not be blank.");
                None
            }
            Some(Value::String(t)) => Some(t.trim().to_owned()),
            Some(_) => {
                errors.add("share_token", "Not a valid string.");
                None
            }
        };
        let trust = match body.get("trust_review") {
            None | Some(Value::Null) => {
                errors.add("trust_review", "This field is required.");
                None
            }
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                errors.add("trust_review", "Must be a valid boolean.");
                None
            }
        };
        let workflow = match body.get("workflow_id") {
            None | Some(Value::Null) => {
                errors.add("workflow_id", "This field is required.");
                None
            }
            Some(Value::String(raw)) => raw.parse::<WorkflowId>().ok().or_else(|| {
                errors.add("workflow_id", "Must be a valid UUID.");
                None
            }),
            Some(_) => {
                errors.add("workflow_id", "Must be a valid UUID.");
                None
            }
        };
        let vendor_data = match body.get("vendor_data") {
            None => None,
            Some(Value::Null) => Some(None),
            Some(Value::String(v)) if v.chars().count() <= 256 => Some(Some(v.clone())),
            Some(Value::String(_)) => {
                errors.add(
                    "vendor_data",
                    "Ensure this field has no more than 256 characters.",
                );
                None
            }
            Some(_) => {
                errors.add("vendor_data", "Not a valid string.");
                None
            }
        };
        match (token, trust, workflow) {
            (Some(share_token), Some(trust_review), Some(workflow_id)) if errors.is_empty() => {
                Ok(Self {
                    share_token,
                    trust_review,
                    workflow_id,
                    vendor_data,
                })
            }
            _ => Err(errors),
        }
    }
}

fn token_error(message: &str) -> ServiceError {
    CoreError::field("share_token", message).into()
}

impl Services {
    /// The installation's share-token signing key, created on first use.
    async fn share_key(&self) -> ServiceResult<Vec<u8>> {
        let encoded = match self.store.setting(SHARE_KEY_SETTING).await? {
            Some(key) => key,
            None => {
                let mut key = [0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut key);
                self.store
                    .setting_or_insert(SHARE_KEY_SETTING, &STANDARD.encode(key))
                    .await?
            }
        };
        STANDARD
            .decode(encoded)
            .map_err(|e| ServiceError::internal("share key", e))
    }

    /// `POST /v3/session/{id}/share/`: a token the named application can import once.
    pub async fn share_session(
        &self,
        app: &Application,
        id: SessionId,
        request: ShareRequest,
    ) -> ServiceResult<Value> {
        if request.for_application_id == app.id {
            return Err(CoreError::field(
                "for_application_id",
                "Cannot share a session with the same application.",
            )
            .into());
        }
        let session = self.session(app.id, id).await?;
        if self
            .store
            .application(request.for_application_id)
            .await?
            .is_none()
        {
            return Err(CoreError::field(
                "for_application_id",
                "Target application does not exist.",
            )
            .into());
        }
        if !session.status.is_shareable() {
            return Err(CoreError::InvalidTree(json!({"detail": [
                "Only finished sessions (\"Approved\", \"Declined\", \"In Review\") can be shared."
            ]}))
            .into());
        }
        let now = self.clock.now().timestamp();
        let claims = ShareClaims {
            session_id: session.id,
            from_application_id: app.id,
            for_application_id: request.for_application_id,
            iat: now,
            exp: now + request.ttl_in_seconds,
            jti: uuid::Uuid::new_v4().to_string(),
        };
        let sealed = self.store.cipher().seal(
            &serde_json::to_vec(&claims).map_err(|e| ServiceError::internal("share claims", e))?,
        )?;
        let envelope = Envelope {
            enc: sealed,
            iat: claims.iat,
            exp: claims.exp,
        };
        let token = encode(
            &Header::new(Algorithm::HS256),
            &envelope,
            &EncodingKey::from_secret(&self.share_key().await?),
        )
        .map_err(|e| ServiceError::internal("signing share token", e))?;
        Ok(json!({
            "share_token": token,
            "for_application_id": request.for_application_id,
            "session_kind": "user",
        }))
    }

    fn open_share_token(&self, token: &str, key: &[u8]) -> ServiceResult<ShareClaims> {
        let mut validation = Validation::new(Algorithm::HS256);
        // Expiry is checked against the injected clock, after the claims are opened.
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        let envelope = decode::<Envelope>(token, &DecodingKey::from_secret(key), &validation)
            .map_err(|_| token_error("Invalid share token."))?
            .claims;
        let plain = self
            .store
            .cipher()
            .open(&envelope.enc)
            .map_err(|_| token_error("Invalid share token."))?;
        serde_json::from_slice(&plain).map_err(|_| token_error("Invalid share token."))
    }

    /// `POST /v3/session/import-shared/`: copies the shared session into a new session of
    /// the caller's workflow; 201 body is the new session's decision.
    pub async fn import_shared(
        &self,
        app: &Application,
        request: ImportRequest,
    ) -> ServiceResult<Value> {
        let claims = self.open_share_token(&request.share_token, &self.share_key().await?)?;
        let now = self.clock.now();
        if claims.exp <= now.timestamp() {
            return Err(token_error("Share token has expired."));
        }
        if claims.for_application_id != app.id {
            return Err(token_error("This token is not valid for this application."));
        }
        let workflow = self
            .store
            .workflow(app.id, request.workflow_id)
            .await?
            .ok_or_else(|| {
                CoreError::NotFound("Workflow does not exist for this application.".to_owned())
            })?;
        let source = self
            .store
            .session(claims.from_application_id, claims.session_id)
            .await?
            .ok_or_else(|| token_error("Original session does not exist."))?;
        let new_id = SessionId::new();
        if !self
            .store
            .claim_shared_import(app.id, source.id, new_id, now)
            .await?
        {
            return Err(CoreError::Forbidden(
                "This session has already been shared with your application.".to_owned(),
            )
            .into());
        }
        let status = if request.trust_review {
            source.status
        } else {
            SessionStatus::InReview
        };
        let mut session = Session {
            id: new_id,
            app_id: app.id,
            number: 0,
            token: new_session_token(&mut rand::thread_rng()),
            workflow_id: workflow.id,
            workflow_version: workflow.version,
            status,
            environment: app.environment,
            vendor_data: request.vendor_data.unwrap_or(source.vendor_data.clone()),
            callback: None,
            callback_method: source.callback_method,
            metadata: source.metadata.clone(),
            language: None,
            contact_details: source.contact_details.clone(),
            expected_details: source.expected_details.clone(),
            sandbox_scenario: None,
            has_portrait: source.has_portrait,
            results: source.results.clone(),
            resubmit_info: None,
            shared_from_session: Some(source.id),
            session_type: "API".to_owned(),
            warnings: source.warnings.clone(),
            created_at: now,
            updated_at: now,
            expires_at: now + Duration::seconds(workflow.spec.session_expiration_time),
        };
        let item = ReviewItem {
            id: uuid::Uuid::new_v4().to_string(),
            action: "imported".to_owned(),
            old_status: None,
            new_status: Some(status),
            note: Some(format!("Imported from shared session {}", source.id)),
            reviewed_by: "api".to_owned(),
            created_at: now,
        };
        let copied = async {
            if source.has_portrait {
                if let Some(bytes) = self.blobs.get(&portrait_key(source.id)).await? {
                    self.blobs.put(&portrait_key(session.id), &bytes).await?;
                }
            }
            self.store.insert_session(&mut session, &item).await?;
            ServiceResult::Ok(())
        }
        .await;
        if let Err(err) = copied {
            self.store.release_shared_import(app.id, source.id).await?;
            return Err(err);
        }
        // The import's own status change: the new session appears in its status.
        let events = self
            .session_events(&session, crate::webhooks::STATUS_UPDATED, None)
            .await?;
        if !events.is_empty() {
            self.store.enqueue_events(&events).await?;
            self.wake_webhook_workers();
        }
        self.decision_of(&session).await
    }

    /// `PATCH /v3/session/{id}/update-data/`: a reviewer's correction of the identity data,
    /// folded into the `id_verifications` element with `node_id` (else the latest one,
    /// created when none exists) and re-checked against the document blocklist. Returns the
    /// edited fields (the contract's response).
    pub async fn update_session_data(
        &self,
        app: AppId,
        id: SessionId,
        node_id: Option<&str>,
        body: &Map<String, Value>,
    ) -> ServiceResult<Value> {
        let patch = IdDataPatch::parse(body)?;
        let mut session = self.session(app, id).await?;
        let now = self.clock.now();
        let elements = session
            .results
            .entry("id_verifications")
            .or_insert_with(|| Value::Array(Vec::new()));
        let Some(list) = elements.as_array_mut() else {
            return Err(ServiceError::Internal(
                "id_verifications is not an array".to_owned(),
            ));
        };
        let index = match node_id {
            Some(node) => list
                .iter()
                .position(|e| e.get("node_id").and_then(Value::as_str) == Some(node))
                .ok_or_else(|| {
                    CoreError::field("node_id", "No id verification has this node_id.")
                })?,
            None => {
                if list.is_empty() {
                    list.push(json!({
                        "node_id": "id_verification_manual",
                        "status": "Not Finished",
                        "warnings": [],
                    }));
                }
                list.len() - 1
            }
        };
        if let Some(Value::Object(element)) = list.get_mut(index) {
            patch.apply(element, now.date_naive());
        }
        if patch.0.contains_key("document_number") {
            self.apply_blocklists(app, &mut session.results).await?;
        }
        session.updated_at = now;
        // Saved together with its `data.updated` events (the outbox).
        self.save_session_data_updated(&session).await?;
        let fields: Vec<&str> = patch.0.keys().map(String::as_str).collect();
        let item = ReviewItem {
            id: uuid::Uuid::new_v4().to_string(),
            action: "data_updated".to_owned(),
            old_status: Some(session.status),
            new_status: Some(session.status),
            note: Some(format!("Updated: {}", fields.join(", "))),
            reviewed_by: "api".to_owned(),
            created_at: now,
        };
        self.store.add_review(app, id, &item).await?;
        let element = session
            .results_of("id_verifications")
            .get(index)
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        Ok(IdDataPatch::response_view(&element))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn share_bodies_and_aliases() {
        let target = uuid::Uuid::new_v4().to_string();
        let ok = ShareRequest::parse(&obj(json!({"audience": target, "expires_in": 120}))).unwrap();
        assert_eq!(ok.ttl_in_seconds, 120);
        let ok = ShareRequest::parse(&obj(json!({"for_application_id": target}))).unwrap();
        assert_eq!(ok.ttl_in_seconds, DEFAULT_SHARE_TTL);
        let errors = ShareRequest::parse(&obj(
            json!({"for_application_id": target, "ttl_in_seconds": 30}),
        ))
        .unwrap_err();
        assert_eq!(
            errors.0["ttl_in_seconds"],
            vec!["Ensure this value is greater than or equal to 60."]
        );
        assert!(ShareRequest::parse(&obj(json!({"ttl_in_seconds": 90000}))).is_err());
    }

    #[tokio::test]
    async fn tokens_expire_and_work_on_every_node() {
        use crate::test_support::services;
        use std::sync::Arc;
        use verifyd_core::clock::ManualClock;
        use verifyd_core::tenant::Environment;

        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
        let node_a = services(dir.path(), Default::default(), Some(clock.clone())).await;
        let source = node_a
            .create_standalone_application("source", Environment::Sandbox)
            .await
            .unwrap()
            .app;
        let receiver = node_a
            .create_standalone_application("receiver", Environment::Live)
            .await
            .unwrap()
            .app;
        let body = obj(json!({"workflow_type": "kyc"}));
        let source_wf = node_a.create_workflow(source.id, &body).await.unwrap();
        let receiver_wf = node_a.create_workflow(receiver.id, &body).await.unwrap();
        let session = node_a
            .create_session(
                &source,
                &obj(json!({"workflow_id": source_wf.id, "sandbox_scenario": "approve"})),
            )
            .await
            .unwrap()
            .session;
        let share = |ttl: i64| ShareRequest {
            for_application_id: receiver.id,
            ttl_in_seconds: ttl,
        };
        let import = |token: &Value| ImportRequest {
            share_token: token.as_str().unwrap().to_owned(),
            trust_review: true,
            workflow_id: receiver_wf.id,
            vendor_data: None,
        };
        let expiring = node_a
            .share_session(&source, session.id, share(60))
            .await
            .unwrap();
        clock.advance(Duration::seconds(61));
        let err = node_a
            .import_shared(&receiver, import(&expiring["share_token"]))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, ServiceError::Core(CoreError::Validation(e)) if e.0["share_token"] == vec!["Share token has expired."]),
            "{err:?}"
        );
        // Another node on the same database accepts a token this one issued.
        let token = node_a
            .share_session(&source, session.id, share(600))
            .await
            .unwrap();
        let node_b = services(dir.path(), Default::default(), Some(clock.clone())).await;
        let decision = node_b
            .import_shared(&receiver, import(&token["share_token"]))
            .await
            .unwrap();
        assert_eq!(decision["status"], "Approved");
        assert_eq!(decision["shared_from_session"], json!(session.id));
    }

    #[test]
    fn import_bodies() {
        let errors = ImportRequest::parse(&obj(json!({"trust_review": "yes"}))).unwrap_err();
        assert_eq!(errors.0["share_token"], vec!["This field is required."]);
        assert_eq!(errors.0["trust_review"], vec!["Must be a valid boolean."]);
        assert_eq!(errors.0["workflow_id"], vec!["This field is required."]);
    }
}
