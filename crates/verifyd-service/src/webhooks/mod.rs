//! Webhooks: which events exist, the envelope a session event carries (contract §4.2), the
//! destinations a tenant configures (and the legacy single-URL configuration, which edits a
//! default destination), the attempt log and manual resends. Delivery itself is in
//! [`delivery`]; where webhooks may be sent is in [`targets`].
//!
//! Events are built when the change happens — the decision they carry is the one the change
//! produced — and stored in the outbox in the same transaction as the change
//! ([`Services::transition`] for `status.updated`, [`Services::save_session_data_updated`] for
//! `data.updated`). They are signed only when sent, so the signed `timestamp` is fresh.

pub mod delivery;
pub mod targets;

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use uuid::Uuid;
use verifyd_core::ids::{AppId, SessionId};
use verifyd_core::session::{ReviewItem, Session};
use verifyd_core::status::SessionStatus;
use verifyd_core::workflow::Feature;
use verifyd_core::{CoreError, FieldErrors};
use verifyd_store::webhooks::{Attempt, DeliverySummary, Destination, NewEvent};
use verifyd_store::StoreError;

use crate::secrets::new_webhook_secret;
use crate::{ServiceError, ServiceResult, Services};

pub use delivery::{parse_retry_schedule, WebhookRuntime, WorkerHandle};

/// A session's status changed (every change, including Not Started → In Progress).
pub const STATUS_UPDATED: &str = "status.updated";
/// A reviewer edited a session's verified data.
pub const DATA_UPDATED: &str = "data.updated";
/// A user's status changed (carries `previous_status`).
pub const USER_STATUS_UPDATED: &str = "user.status.updated";

/// Every value `subscribed_events` accepts (exact names, no wildcards).
pub const EVENT_TYPES: [&str; 12] = [
    STATUS_UPDATED,
    DATA_UPDATED,
    USER_STATUS_UPDATED,
    "user.data.updated",
    "user.created",
    "business.status.updated",
    "business.data.updated",
    "business.created",
    "activity.created",
    "transaction.created",
    "transaction.status.updated",
    "travel_rule.status.updated",
];

/// Events the legacy single-URL configuration delivers.
const DEFAULT_EVENTS: [&str; 2] = [STATUS_UPDATED, DATA_UPDATED];
const NOT_FOUND: &str = "Webhook destination not found.";
const VERSIONS: [&str; 3] = ["v1", "v2", "v3"];
const CAPTURE_METHODS: [&str; 3] = ["mobile", "desktop", "both"];

/// The envelope of a session event (contract §4.2): integer epoch seconds for `timestamp`
/// (re-stamped at signing) and `created_at`; `vendor_data` and `metadata` only when set;
/// `decision` only for Approved, Declined, In Review and Abandoned; `resubmit_info` for
/// Resubmitted.
pub fn session_envelope(
    session: &Session,
    event_id: Uuid,
    webhook_type: &str,
    at: DateTime<Utc>,
    decision: Option<Value>,
) -> Value {
    let mut m = Map::new();
    m.insert("event_id".into(), json!(event_id));
    m.insert("webhook_type".into(), json!(webhook_type));
    m.insert("timestamp".into(), json!(at.timestamp()));
    m.insert("created_at".into(), json!(at.timestamp()));
    m.insert("application_id".into(), json!(session.app_id));
    m.insert("environment".into(), json!(session.environment));
    m.insert("session_id".into(), json!(session.id));
    m.insert("status".into(), json!(session.status));
    m.insert("workflow_id".into(), json!(session.workflow_id));
    m.insert("workflow_version".into(), json!(session.workflow_version));
    if let Some(vendor) = &session.vendor_data {
        m.insert("vendor_data".into(), json!(vendor));
    }
    if let Some(metadata) = session.metadata.as_ref().filter(|v| !v.is_null()) {
        m.insert("metadata".into(), metadata.clone());
    }
    if session.status.webhook_carries_decision() {
        if let Some(decision) = decision {
            m.insert("decision".into(), decision);
        }
    }
    if session.status == SessionStatus::Resubmitted {
        if let Some(info) = &session.resubmit_info {
            m.insert("resubmit_info".into(), info.clone());
        }
    }
    Value::Object(m)
}

/// A destination as the API shows it, with its delivery health.
#[derive(Debug, Clone)]
pub struct DestinationView {
    /// The destination.
    pub destination: Destination,
    /// Its delivery health.
    pub summary: DeliverySummary,
}

/// The legacy single-URL configuration (`GET/PATCH /v3/webhook/`).
#[derive(Clone)]
pub struct LegacyConfig {
    /// Where events go; None when not configured.
    pub webhook_url: Option<String>,
    /// Payload version.
    pub webhook_version: String,
    /// The signing secret (the application's).
    pub secret_shared_key: String,
    /// mobile, desktop or both.
    pub capture_method: String,
    /// 1–120, or None for unlimited.
    pub data_retention_months: Option<i64>,
}

impl std::fmt::Debug for LegacyConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LegacyConfig")
            .field("webhook_url", &self.webhook_url)
            .finish_non_exhaustive()
    }
}

fn destination_not_found() -> ServiceError {
    CoreError::NotFound(NOT_FOUND.to_owned()).into()
}

/// Parses `subscribed_events`: a non-empty list of known names (duplicates dropped).
fn parse_events(value: &Value, errors: &mut FieldErrors) -> Option<Vec<String>> {
    let field = "subscribed_events";
    let Some(items) = value.as_array() else {
        errors.add(field, "Expected a list of items.");
        return None;
    };
    if items.is_empty() {
        errors.add(field, "At least one subscribed event is required.");
        return None;
    }
    let mut events = Vec::new();
    let mut unknown = Vec::new();
    for item in items {
        match item.as_str() {
            Some(name) if EVENT_TYPES.contains(&name) => {
                if !events.iter().any(|e| e == name) {
                    events.push(name.to_owned());
                }
            }
            Some(name) => unknown.push(name.to_owned()),
            None => unknown.push(item.to_string()),
        }
    }
    if !unknown.is_empty() {
        errors.add(
            field,
            format!("Unsupported webhook events: {}", unknown.join(", ")),
        );
        return None;
    }
    Some(events)
}

fn parse_choice(
    value: &Value,
    field: &str,
    choices: &[&str],
    errors: &mut FieldErrors,
) -> Option<String> {
    match value.as_str() {
        Some(v) if choices.contains(&v) => Some(v.to_owned()),
        _ => {
            errors.add(
                field,
                format!(
                    "\"{}\" is not a valid choice.",
                    value.as_str().unwrap_or("")
                ),
            );
            None
        }
    }
}

fn parse_bool(value: &Value, field: &str, errors: &mut FieldErrors) -> Option<bool> {
    let parsed = value.as_bool();
    if parsed.is_none() {
        errors.add(field, "Must be a valid boolean.");
    }
    parsed
}

impl Services {
    /// Wakes this node's delivery loop.
    pub fn wake_webhook_workers(&self) {
        self.webhooks.wake();
    }

    /// The events of type `webhook_type` a change to `session` causes, one per event with
    /// every subscribed destination; empty when nobody subscribes. `new_review` is the activity
    /// item written with the change (part of the decision it carries).
    pub async fn session_events(
        &self,
        session: &Session,
        webhook_type: &str,
        new_review: Option<&ReviewItem>,
    ) -> ServiceResult<Vec<NewEvent>> {
        let destinations = self
            .store
            .subscribed_destinations(session.app_id, webhook_type)
            .await?;
        if destinations.is_empty() {
            return Ok(Vec::new());
        }
        let decision = if session.status.webhook_carries_decision() {
            let spec = self.session_spec(session).await?;
            let mut reviews = self.store.reviews(session.app_id, session.id).await?;
            if let Some(item) = new_review {
                reviews.push(item.clone());
            }
            let features: Vec<&str> = spec
                .feature_list()
                .into_iter()
                .map(Feature::decision_name)
                .collect();
            Some(session.decision_json(&self.settings.public_url, &features, &reviews))
        } else {
            None
        };
        let now = self.clock.now();
        let id = Uuid::new_v4();
        Ok(vec![NewEvent {
            id,
            app_id: session.app_id,
            session_id: Some(session.id),
            webhook_type: webhook_type.to_owned(),
            payload: session_envelope(session, id, webhook_type, now, decision),
            created_at: now,
            destinations,
        }])
    }

    /// Saves a session whose verified data a reviewer edited, with its `data.updated` event
    /// in the same transaction (for update-data / update-poa-data).
    pub async fn save_session_data_updated(&self, session: &Session) -> ServiceResult<()> {
        let events = self.session_events(session, DATA_UPDATED, None).await?;
        self.store
            .save_session_with_events(session, &events)
            .await?;
        if !events.is_empty() {
            self.wake_webhook_workers();
        }
        Ok(())
    }

    /// Puts an application-level event (e.g. `user.status.updated`) in the outbox for every
    /// subscribed destination; `payload` gets `event_id`, `webhook_type`, `timestamp`,
    /// `created_at` and `application_id`.
    pub async fn emit_app_event(
        &self,
        app: AppId,
        webhook_type: &str,
        mut payload: Map<String, Value>,
    ) -> ServiceResult<()> {
        let destinations = self
            .store
            .subscribed_destinations(app, webhook_type)
            .await?;
        if destinations.is_empty() {
            return Ok(());
        }
        let now = self.clock.now();
        let id = Uuid::new_v4();
        payload.insert("event_id".into(), json!(id));
        payload.insert("webhook_type".into(), json!(webhook_type));
        payload.insert("timestamp".into(), json!(now.timestamp()));
        payload.insert("created_at".into(), json!(now.timestamp()));
        payload.insert("application_id".into(), json!(app));
        self.store
            .enqueue_events(&[NewEvent {
                id,
                app_id: app,
                session_id: None,
                webhook_type: webhook_type.to_owned(),
                payload: Value::Object(payload),
                created_at: now,
                destinations,
            }])
            .await?;
        self.wake_webhook_workers();
        Ok(())
    }

    async fn check_url(&self, raw: &Value, errors: &mut FieldErrors) -> Option<String> {
        let Some(text) = raw.as_str() else {
            errors.add("url", "Enter a valid URL.");
            return None;
        };
        match targets::check_configured_url(text, self.webhooks.allow_private()).await {
            Ok(url) => Some(url.to_string()),
            Err(targets::TargetError::Invalid) => {
                errors.add("url", "Enter a valid URL.");
                None
            }
            Err(targets::TargetError::Refused(_)) => {
                errors.add(
                    "url",
                    "Webhook destinations on loopback, private, link-local or metadata \
                     addresses are not allowed.",
                );
                None
            }
        }
    }

    fn with_summary(
        &self,
        destination: Destination,
        summaries: &std::collections::HashMap<Uuid, DeliverySummary>,
    ) -> DestinationView {
        let summary = summaries.get(&destination.id).cloned().unwrap_or_default();
        DestinationView {
            destination,
            summary,
        }
    }

    /// The application's destinations, oldest first (a cleared legacy URL is not listed).
    pub async fn list_destinations(&self, app: AppId) -> ServiceResult<Vec<DestinationView>> {
        let summaries = self.store.delivery_summaries(app).await?;
        Ok(self
            .store
            .destinations(app)
            .await?
            .into_iter()
            .filter(|d| !d.url.is_empty())
            .map(|d| self.with_summary(d, &summaries))
            .collect())
    }

    /// One destination.
    pub async fn destination(&self, app: AppId, id: Uuid) -> ServiceResult<DestinationView> {
        let destination = self
            .store
            .destination(app, id)
            .await?
            .filter(|d| !d.url.is_empty())
            .ok_or_else(destination_not_found)?;
        let summaries = self.store.delivery_summaries(app).await?;
        Ok(self.with_summary(destination, &summaries))
    }

    /// Creates a destination with a fresh secret.
    pub async fn create_destination(
        &self,
        app: AppId,
        body: &Map<String, Value>,
    ) -> ServiceResult<DestinationView> {
        let mut errors = FieldErrors::new();
        let label = match body.get("label") {
            None | Some(Value::Null) => {
                errors.add("label", "This field is required.");
                None
            }
            Some(v) => parse_label(v, &mut errors),
        };
        let url = match body.get("url") {
            None | Some(Value::Null) => {
                errors.add("url", "This field is required.");
                None
            }
            Some(v) => self.check_url(v, &mut errors).await,
        };
        let enabled = match body.get("enabled") {
            None | Some(Value::Null) => Some(true),
            Some(v) => parse_bool(v, "enabled", &mut errors),
        };
        let version = match body.get("webhook_version") {
            None | Some(Value::Null) => Some("v3".to_owned()),
            Some(v) => parse_choice(v, "webhook_version", &VERSIONS, &mut errors),
        };
        let events = match body.get("subscribed_events") {
            None | Some(Value::Null) => Some(Vec::new()),
            Some(v) => parse_events(v, &mut errors),
        };
        errors.clone().into_result()?;
        let (Some(label), Some(url), Some(enabled), Some(version), Some(events)) =
            (label, url, enabled, version, events)
        else {
            return Err(CoreError::Validation(errors).into());
        };
        let now = self.clock.now();
        let destination = Destination {
            id: Uuid::new_v4(),
            app_id: app,
            label,
            url,
            enabled,
            webhook_version: version,
            secret: new_webhook_secret(),
            subscribed_events: events,
            is_default: false,
            capture_method: "both".to_owned(),
            data_retention_months: None,
            created_at: now,
            updated_at: now,
        };
        self.store
            .insert_destination(&destination)
            .await
            .map_err(duplicate_url)?;
        Ok(DestinationView {
            destination,
            summary: DeliverySummary::default(),
        })
    }

    /// Updates a destination: present fields replace (subscribed_events wholesale); the
    /// secret is kept.
    pub async fn update_destination(
        &self,
        app: AppId,
        id: Uuid,
        body: &Map<String, Value>,
    ) -> ServiceResult<DestinationView> {
        let mut destination = self
            .store
            .destination(app, id)
            .await?
            .filter(|d| !d.url.is_empty())
            .ok_or_else(destination_not_found)?;
        let mut errors = FieldErrors::new();
        if let Some(v) = body.get("label") {
            if let Some(label) = parse_label(v, &mut errors) {
                destination.label = label;
            }
        }
        if let Some(v) = body.get("url") {
            if let Some(url) = self.check_url(v, &mut errors).await {
                destination.url = url;
            }
        }
        if let Some(v) = body.get("enabled") {
            if let Some(enabled) = parse_bool(v, "enabled", &mut errors) {
                destination.enabled = enabled;
            }
        }
        if let Some(v) = body.get("webhook_version") {
            if let Some(version) = parse_choice(v, "webhook_version", &VERSIONS, &mut errors) {
                destination.webhook_version = version;
            }
        }
        if let Some(v) = body.get("subscribed_events") {
            if let Some(events) = parse_events(v, &mut errors) {
                destination.subscribed_events = events;
            }
        }
        errors.into_result()?;
        destination.updated_at = self.clock.now();
        if !self
            .store
            .update_destination(&destination)
            .await
            .map_err(duplicate_url)?
        {
            return Err(destination_not_found());
        }
        self.destination(app, id).await
    }

    /// Deletes a destination.
    pub async fn delete_destination(&self, app: AppId, id: Uuid) -> ServiceResult<()> {
        if !self.store.delete_destination(app, id).await? {
            return Err(destination_not_found());
        }
        Ok(())
    }

    /// The legacy single-URL configuration.
    pub async fn legacy_webhook_config(&self, app: AppId) -> ServiceResult<LegacyConfig> {
        let secret = self
            .store
            .app_webhook_secret(app)
            .await?
            .ok_or_else(|| ServiceError::Internal("application without a secret".to_owned()))?;
        Ok(match self.store.default_destination(app).await? {
            Some(d) => LegacyConfig {
                webhook_url: Some(d.url).filter(|u| !u.is_empty()),
                webhook_version: d.webhook_version,
                secret_shared_key: secret,
                capture_method: d.capture_method,
                data_retention_months: d.data_retention_months,
            },
            None => LegacyConfig {
                webhook_url: None,
                webhook_version: "v3".to_owned(),
                secret_shared_key: secret,
                capture_method: "both".to_owned(),
                data_retention_months: None,
            },
        })
    }

    /// Edits the legacy configuration (its default destination). `rotate_secret_key`
    /// replaces the secret at once: later deliveries, retries included, use the new one.
    pub async fn update_legacy_webhook_config(
        &self,
        app: AppId,
        body: &Map<String, Value>,
    ) -> ServiceResult<LegacyConfig> {
        let now = self.clock.now();
        let secret = self
            .store
            .app_webhook_secret(app)
            .await?
            .ok_or_else(|| ServiceError::Internal("application without a secret".to_owned()))?;
        let mut destination = match self.store.default_destination(app).await? {
            Some(d) => d,
            None => Destination {
                id: Uuid::new_v4(),
                app_id: app,
                label: "Default webhook".to_owned(),
                url: String::new(),
                enabled: false,
                webhook_version: "v3".to_owned(),
                secret,
                subscribed_events: DEFAULT_EVENTS.iter().map(|e| (*e).to_owned()).collect(),
                is_default: true,
                capture_method: "both".to_owned(),
                data_retention_months: None,
                created_at: now,
                updated_at: now,
            },
        };
        let mut errors = FieldErrors::new();
        match body.get("webhook_url") {
            None => {}
            Some(Value::Null) => destination.url = String::new(),
            Some(Value::String(s)) if s.is_empty() => destination.url = String::new(),
            Some(v) => {
                let mut url_errors = FieldErrors::new();
                match self.check_url(v, &mut url_errors).await {
                    Some(url) => destination.url = url,
                    None => {
                        for message in url_errors.0.into_values().flatten() {
                            errors.add("webhook_url", message);
                        }
                    }
                }
            }
        }
        destination.enabled = !destination.url.is_empty();
        if let Some(v) = body.get("webhook_version") {
            if let Some(version) = parse_choice(v, "webhook_version", &VERSIONS, &mut errors) {
                destination.webhook_version = version;
            }
        }
        if let Some(v) = body.get("capture_method") {
            if let Some(method) = parse_choice(v, "capture_method", &CAPTURE_METHODS, &mut errors) {
                destination.capture_method = method;
            }
        }
        match body.get("data_retention_months") {
            None => {}
            Some(Value::Null) => destination.data_retention_months = None,
            Some(v) => match v.as_i64().filter(|m| (1..=120).contains(m)) {
                Some(months) => destination.data_retention_months = Some(months),
                None => errors.add(
                    "data_retention_months",
                    "Ensure this value is an integer between 1 and 120.",
                ),
            },
        }
        if let Some(v) = body.get("rotate_secret_key") {
            if parse_bool(v, "rotate_secret_key", &mut errors) == Some(true) {
                destination.secret = new_webhook_secret();
            }
        }
        errors.into_result()?;
        destination.updated_at = now;
        self.store
            .save_default_destination(&destination)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => CoreError::field(
                    "webhook_url",
                    "This webhook destination already exists for the application.",
                )
                .into(),
                other => ServiceError::from(other),
            })?;
        self.legacy_webhook_config(app).await
    }

    /// The delivery attempts of a session, newest first.
    pub async fn session_webhook_log(
        &self,
        app: AppId,
        session: SessionId,
    ) -> ServiceResult<Vec<Attempt>> {
        self.session(app, session).await?;
        Ok(self.store.session_attempts(app, session).await?)
    }

    /// One delivery attempt of a session.
    pub async fn session_webhook_attempt(
        &self,
        app: AppId,
        session: SessionId,
        id: Uuid,
    ) -> ServiceResult<Attempt> {
        self.store
            .session_attempt(app, session, id)
            .await?
            .ok_or_else(|| CoreError::not_found().into())
    }

    /// Sends the event of a logged attempt again, now, to the same destination with the same
    /// `event_id`, and returns the new attempt. If it fails, the delivery retries on the
    /// usual schedule.
    pub async fn resend_webhook(
        &self,
        app: AppId,
        session: SessionId,
        id: Uuid,
    ) -> ServiceResult<Attempt> {
        let attempt = self.session_webhook_attempt(app, session, id).await?;
        let now = self.clock.now();
        let lease = chrono::Duration::from_std(delivery::LEASE).unwrap_or_default();
        let claim = self
            .store
            .claim_for_resend(app, attempt.delivery_id, now, now + lease)
            .await?
            .ok_or_else(|| {
                CoreError::Rejected("This webhook is being delivered right now; try again.".into())
            })?;
        self.deliver(&claim).await?.ok_or_else(|| {
            CoreError::Rejected("This webhook is being delivered right now; try again.".into())
                .into()
        })
    }
}

fn parse_label(value: &Value, errors: &mut FieldErrors) -> Option<String> {
    match value.as_str().map(str::trim) {
        Some("") => errors.add("label", "This field may not be blank."),
        Some(label) if label.chars().count() > 255 => {
            errors.add(
                "label",
                "Ensure this field has no more than 255 characters.",
            );
        }
        Some(label) => return Some(label.to_owned()),
        None => errors.add("label", "Not a valid string."),
    }
    None
}

fn duplicate_url(err: StoreError) -> ServiceError {
    match err {
        StoreError::Conflict(_) => CoreError::field(
            "url",
            "This webhook destination already exists for the application.",
        )
        .into(),
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use verifyd_core::clock::{Clock, ManualClock};
    use verifyd_core::tenant::Environment;
    use verifyd_store::webhooks::{Attempt, NextStep};
    use verifyd_store::{BlobStore, Cipher, Store};

    async fn services(dir: &std::path::Path) -> (Services, Arc<ManualClock>) {
        let cipher = Cipher::from_base64(&Cipher::generate_base64()).unwrap();
        let store = Store::connect(&Store::sqlite_url(dir), cipher.clone())
            .await
            .unwrap();
        let blobs = BlobStore::local(&dir.join("blobs"), cipher).unwrap();
        let mailer = crate::mail::Mailer::outbox(dir.join("outbox"), "t <t@example.com>".into());
        let mut settings =
            crate::Settings::for_data_dir(dir.to_path_buf(), "http://verifyd.test".into());
        settings.webhook_allow_private_targets = true;
        let clock = Arc::new(ManualClock::new(Utc::now()));
        let services = Services::new(store, blobs, clock.clone(), mailer, settings)
            .await
            .unwrap();
        (services, clock)
    }

    fn attempt_for(claim: &verifyd_store::webhooks::ClaimedDelivery, at: DateTime<Utc>) -> Attempt {
        Attempt {
            id: Uuid::new_v4(),
            app_id: claim.app_id,
            delivery_id: claim.id,
            event_id: claim.event_id,
            destination_id: claim.destination_id,
            session_id: None,
            webhook_type: STATUS_UPDATED.into(),
            url: "http://127.0.0.1:9/".into(),
            request_headers: json!({}),
            request_body: "{}".into(),
            response_status: Some(500),
            latency_ms: 1,
            error: None,
            succeeded: false,
            created_at: at,
        }
    }

    /// The outbox half of a status change: events only when the change applies, fanned out
    /// to subscribed destinations, claimed under a lease that comes back when it runs out.
    #[tokio::test]
    async fn outbox_follows_the_status_change_and_leases_expire() {
        let dir = tempfile::tempdir().unwrap();
        let (services, clock) = services(dir.path()).await;
        let app = services
            .create_standalone_application("t", Environment::Sandbox)
            .await
            .unwrap()
            .app;
        let workflow = services
            .create_workflow(app.id, json!({"workflow_type": "kyc"}).as_object().unwrap())
            .await
            .unwrap();
        // Nobody subscribes yet: a change writes no event.
        let created = services
            .create_session(
                &app,
                json!({"workflow_id": workflow.id, "sandbox_scenario": "approve"})
                    .as_object()
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(services.store.pending_delivery_count().await.unwrap(), 0);
        let body = json!({"label": "a", "url": "http://127.0.0.1:9/a", "subscribed_events": ["status.updated"]});
        services
            .create_destination(app.id, body.as_object().unwrap())
            .await
            .unwrap();
        let body = json!({"label": "b", "url": "http://127.0.0.1:9/b", "subscribed_events": ["data.updated"]});
        services
            .create_destination(app.id, body.as_object().unwrap())
            .await
            .unwrap();

        // A change that lost a race (the status read is stale) writes nothing.
        let mut stale = created.session.clone();
        stale.status = SessionStatus::InReview;
        let err = services
            .transition(
                stale,
                SessionStatus::Approved,
                "status_change",
                None,
                "test",
            )
            .await
            .unwrap_err();
        assert!(matches!(err, ServiceError::Core(CoreError::Rejected(_))));
        assert_eq!(services.store.pending_delivery_count().await.unwrap(), 0);

        // A change that applies writes one event for the one subscribed destination.
        let declined = services
            .transition(
                created.session,
                SessionStatus::Declined,
                "status_change",
                None,
                "test",
            )
            .await
            .unwrap();
        assert_eq!(services.store.pending_delivery_count().await.unwrap(), 1);
        // data.updated goes to the other destination only.
        services.save_session_data_updated(&declined).await.unwrap();
        assert_eq!(services.store.pending_delivery_count().await.unwrap(), 2);

        let now = clock.now();
        let lease = chrono::Duration::seconds(20);
        let claims = services
            .store
            .claim_due_deliveries(now, now + lease, 10, &[])
            .await
            .unwrap();
        assert_eq!(claims.len(), 2);
        let event = services
            .store
            .webhook_event(app.id, claims[0].event_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(event.payload["session_id"], json!(declined.id));
        // Leased: nobody else gets them.
        assert!(services
            .store
            .claim_due_deliveries(now, now + lease, 10, &[])
            .await
            .unwrap()
            .is_empty());
        // The holder "crashes"; after the lease the rows come back, under a new lease.
        let later = now + lease + chrono::Duration::seconds(1);
        let again = services
            .store
            .claim_due_deliveries(later, later + lease, 10, &[])
            .await
            .unwrap();
        assert_eq!(again.len(), 2);
        // The old holder can no longer record anything.
        assert!(!services
            .store
            .finish_attempt(
                &claims[0],
                &attempt_for(&claims[0], later),
                NextStep::Failed
            )
            .await
            .unwrap());
        // The new holder schedules a retry: not due before its time.
        let retry_at = later + chrono::Duration::seconds(60);
        assert!(services
            .store
            .finish_attempt(
                &again[0],
                &attempt_for(&again[0], later),
                NextStep::RetryAt(retry_at)
            )
            .await
            .unwrap());
        assert!(services
            .store
            .finish_attempt(
                &again[1],
                &attempt_for(&again[1], later),
                NextStep::Delivered
            )
            .await
            .unwrap());
        assert!(services
            .store
            .claim_due_deliveries(later, later + lease, 10, &[])
            .await
            .unwrap()
            .is_empty());
        let due = services
            .store
            .claim_due_deliveries(retry_at, retry_at + lease, 10, &[])
            .await
            .unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].event_id, again[0].event_id);
        assert_eq!(due[0].attempts, 1);
        // Skipping a saturated destination leaves its rows alone.
        services.store.release_deliveries(&due).await.unwrap();
        assert!(services
            .store
            .claim_due_deliveries(retry_at, retry_at + lease, 10, &[due[0].destination_id])
            .await
            .unwrap()
            .is_empty());
    }

    #[test]
    fn envelope_follows_the_contract() {
        let mut session: Session = serde_json::from_value(json!({
            "id": Uuid::new_v4(), "app_id": Uuid::new_v4(), "number": 1, "token": "t",
            "workflow_id": Uuid::new_v4(), "workflow_version": 2, "status": "Resubmitted",
            "environment": "live", "vendor_data": null, "callback": null,
            "callback_method": "initiator", "metadata": null, "language": null,
            "contact_details": null, "expected_details": null, "sandbox_scenario": null,
            "has_portrait": false, "results": {}, "resubmit_info": {"nodes": ["feature_ocr"]},
            "shared_from_session": null, "session_type": "API",
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
            "expires_at": "2026-01-08T00:00:00Z"
        }))
        .unwrap();
        let at = Utc::now();
        let id = Uuid::new_v4();
        let e = session_envelope(&session, id, STATUS_UPDATED, at, Some(json!({"x": 1})));
        assert_eq!(e["resubmit_info"], json!({"nodes": ["feature_ocr"]}));
        assert!(e.get("decision").is_none() && e.get("vendor_data").is_none());
        assert!(e.get("metadata").is_none());
        assert_eq!(e["timestamp"], json!(at.timestamp()));
        assert_eq!(e["created_at"], json!(at.timestamp()));
        assert_eq!(e["event_id"], json!(id));
        session.status = SessionStatus::Abandoned;
        session.vendor_data = Some("u1".into());
        session.metadata = Some(json!({"k": "v"}));
        let e = session_envelope(&session, id, STATUS_UPDATED, at, Some(json!({"x": 1})));
        assert_eq!(e["decision"], json!({"x": 1}));
        assert!(e.get("resubmit_info").is_none());
        assert_eq!(e["vendor_data"], "u1");
        assert_eq!(e["metadata"], json!({"k": "v"}));
        session.status = SessionStatus::InProgress;
        let e = session_envelope(&session, id, STATUS_UPDATED, at, Some(json!({"x": 1})));
        assert!(e.get("decision").is_none());
    }
}
