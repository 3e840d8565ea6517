//! Sessions: creation (with idempotency on vendor_data), reads, deletion, reviewer status
//! changes, and the lapse sweeper. [`Services::transition`] is the single place where a
//! session's status changes; everything that must follow a change hangs off it.

use chrono::Duration;
use serde_json::{json, Map, Value};
use verifyd_core::ids::{AppId, SessionId};
use verifyd_core::sandbox::scenario_results;
use verifyd_core::session::{
    aggregate_status, new_session_token, ReviewItem, Session, SessionRequest,
};
use verifyd_core::status::{ReviewOutcome, SessionStatus};
use verifyd_core::tenant::{Application, Environment};
use verifyd_core::workflow::{Feature, WorkflowSpec, WorkflowType};
use verifyd_core::{CoreError, FieldErrors};
use verifyd_store::sessions::{SessionFilter, StatusChange};

use crate::{ServiceError, ServiceResult, Services};

/// How long a started session may sit idle before it is Abandoned.
pub const ABANDON_AFTER: Duration = Duration::hours(24);

/// Outcome of a create call.
#[derive(Debug)]
pub struct Created {
    /// The session (new or reused).
    pub session: Session,
    /// False when an unfinished session with the same vendor_data was returned.
    pub is_new: bool,
}

/// A reviewer's status change request (`PATCH …/update-status/`).
#[derive(Debug, Clone)]
pub struct StatusUpdate {
    /// Approved, Declined or Resubmitted.
    pub new_status: SessionStatus,
    /// Reviewer's note.
    pub comment: Option<String>,
    /// Steps to redo, as `(node_id, feature)`.
    pub nodes_to_resubmit: Vec<(String, String)>,
}

fn review(
    action: &str,
    from: Option<SessionStatus>,
    to: Option<SessionStatus>,
    note: Option<String>,
    by: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> ReviewItem {
    ReviewItem {
        id: uuid::Uuid::new_v4().to_string(),
        action: action.to_owned(),
        old_status: from,
        new_status: to,
        note,
        reviewed_by: by.to_owned(),
        created_at: at,
    }
}

impl Services {
    /// Creates a session, or returns the unfinished one with the same vendor_data on the
    /// workflow's current version (with callback and metadata replaced).
    pub async fn create_session(
        &self,
        app: &Application,
        body: &Map<String, Value>,
    ) -> ServiceResult<Created> {
        let request = SessionRequest::parse(body)?;
        let workflow_id = request
            .workflow_id
            .ok_or_else(|| CoreError::field("workflow_id", "This field is required."))?;
        let workflow = self
            .store
            .workflow(app.id, workflow_id)
            .await?
            .ok_or_else(|| {
                CoreError::field(
                    "workflow_id",
                    "Workflow does not exist for this application.",
                )
            })?;
        if workflow.spec.status != "published" {
            return Err(CoreError::field("workflow_id", "The workflow is not published.").into());
        }
        if request.sandbox_scenario.is_some() && app.environment != Environment::Sandbox {
            return Err(CoreError::field(
                "sandbox_scenario",
                "Sandbox scenarios are only available to sandbox applications.",
            )
            .into());
        }
        if workflow.spec.workflow_type == WorkflowType::BiometricAuthentication
            && request.portrait_image.is_none()
        {
            return Err(CoreError::field(
                "portrait_image",
                "This field is required for biometric authentication workflows.",
            )
            .into());
        }
        // Values given up front that are already blocklisted are flagged from the start.
        let early_warnings = self
            .blocklist_warnings(app.id, &creation_probe(&request))
            .await?;
        let now = self.clock.now();
        if let Some(vendor) = &request.vendor_data {
            if let Some(mut existing) = self
                .store
                .reusable_session(app.id, workflow.id, workflow.version, vendor)
                .await?
            {
                existing.callback = request.callback.clone().or(workflow.spec.callback.clone());
                existing.metadata = request.metadata.clone();
                existing.updated_at = now;
                self.store.save_session(&existing).await?;
                return Ok(Created {
                    session: existing,
                    is_new: false,
                });
            }
        }
        // Only a new session needs credits (an idempotent repeat returned above).
        self.require_session_credits(app, &workflow.spec).await?;
        let mut session = Session {
            id: SessionId::new(),
            app_id: app.id,
            number: 0,
            token: new_session_token(&mut rand::thread_rng()),
            workflow_id: workflow.id,
            workflow_version: workflow.version,
            status: SessionStatus::NotStarted,
            environment: app.environment,
            vendor_data: request.vendor_data,
            callback: request.callback.or(workflow.spec.callback.clone()),
            callback_method: request.callback_method,
            metadata: request.metadata,
            language: request.language,
            contact_details: request.contact_details,
            expected_details: request.expected_details,
            sandbox_scenario: request.sandbox_scenario,
            has_portrait: request.portrait_image.is_some(),
            results: Map::new(),
            resubmit_info: None,
            shared_from_session: None,
            session_type: "API".to_owned(),
            warnings: early_warnings,
            created_at: now,
            updated_at: now,
            expires_at: now + Duration::seconds(workflow.spec.session_expiration_time),
        };
        if let Some(portrait) = &request.portrait_image {
            self.blobs.put(&portrait_key(session.id), portrait).await?;
        }
        let created = review(
            "created",
            None,
            Some(SessionStatus::NotStarted),
            None,
            "api",
            now,
        );
        self.store.insert_session(&mut session, &created).await?;
        if let Some(slug) = session.sandbox_scenario.clone() {
            session = self.run_sandbox(session, &workflow.spec, &slug).await?;
        }
        Ok(Created {
            session,
            is_new: true,
        })
    }

    /// Drives a sandbox session through In Progress to the scenario's outcome.
    async fn run_sandbox(
        &self,
        session: Session,
        spec: &WorkflowSpec,
        slug: &str,
    ) -> ServiceResult<Session> {
        let mut results = scenario_results(slug, spec)
            .ok_or_else(|| CoreError::field("sandbox_scenario", "Unknown scenario."))?;
        // The scenario's document, phone and email go through the blocklists like real data.
        self.apply_blocklists(session.app_id, &mut results).await?;
        let session = self
            .transition(
                session,
                SessionStatus::InProgress,
                "status_change",
                None,
                "sandbox",
            )
            .await?;
        let mut session = session;
        let outcome = aggregate_status(&results);
        session.results = results;
        self.transition(
            session,
            outcome,
            "status_change",
            Some(format!("Sandbox scenario {slug}")),
            "sandbox",
        )
        .await
    }

    /// The single place a session's status changes: checks the state machine, writes the
    /// new status with an activity item in one transaction, and fails if the session changed
    /// concurrently.
    pub async fn transition(
        &self,
        mut session: Session,
        to: SessionStatus,
        action: &str,
        note: Option<String>,
        actor: &str,
    ) -> ServiceResult<Session> {
        let from = session.status;
        let now = self.clock.now();
        session.status = to;
        session.updated_at = now;
        if to != SessionStatus::Resubmitted {
            session.resubmit_info = None;
        }
        let item = review(action, Some(from), Some(to), note, actor, now);
        // The webhook events go in the same transaction: no event without the change.
        let events = self
            .session_events(&session, crate::webhooks::STATUS_UPDATED, Some(&item))
            .await?;
        let applied = self
            .store
            .change_session_status(StatusChange {
                from,
                session: &session,
                review: &item,
                events: &events,
            })
            .await?;
        if !applied {
            return Err(CoreError::Rejected(
                "The session changed while this request was processed; try again.".to_owned(),
            )
            .into());
        }
        if !events.is_empty() {
            self.wake_webhook_workers();
        }
        tracing::info!(session_id = %session.id, from = %from, to = %to, "session status changed");
        // A decision is charged once per session; a billing failure never undoes the change.
        if let Err(err) = self.charge_completed_session(&session).await {
            tracing::error!(session_id = %session.id, %err, "charging the session failed");
        }
        Ok(session)
    }

    /// One session of the application.
    pub async fn session(&self, app: AppId, id: SessionId) -> ServiceResult<Session> {
        self.store
            .session(app, id)
            .await?
            .ok_or_else(|| CoreError::not_found().into())
    }

    /// The workflow settings a session was created under.
    pub async fn session_spec(&self, session: &Session) -> ServiceResult<WorkflowSpec> {
        self.store
            .workflow_version(
                session.app_id,
                session.workflow_id,
                session.workflow_version,
            )
            .await?
            .ok_or_else(|| {
                ServiceError::Internal("session without its workflow version".to_owned())
            })
    }

    /// The decision document of a session.
    pub async fn decision(&self, app: AppId, id: SessionId) -> ServiceResult<Value> {
        let session = self.session(app, id).await?;
        self.decision_of(&session).await
    }

    /// The decision document of a loaded session.
    pub async fn decision_of(&self, session: &Session) -> ServiceResult<Value> {
        let spec = self.session_spec(session).await?;
        let reviews = self.store.reviews(session.app_id, session.id).await?;
        let features: Vec<&str> = spec
            .feature_list()
            .into_iter()
            .map(Feature::decision_name)
            .collect();
        Ok(session.decision_json(&self.settings.public_url, &features, &reviews))
    }

    /// A page of sessions.
    pub async fn list_sessions(
        &self,
        app: AppId,
        filter: &SessionFilter,
        limit: i64,
        offset: i64,
    ) -> ServiceResult<(i64, Vec<Session>)> {
        Ok(self.store.list_sessions(app, filter, limit, offset).await?)
    }

    /// Deletes a session with its media.
    pub async fn delete_session(&self, app: AppId, id: SessionId) -> ServiceResult<()> {
        if !self.store.delete_session(app, id).await? {
            return Err(CoreError::not_found().into());
        }
        self.blobs.delete(&portrait_key(id)).await?;
        for key in crate::flow::media_keys(id) {
            self.blobs.delete(&key).await?;
        }
        Ok(())
    }

    /// Deletes sessions by number (or all); unknown numbers are skipped.
    pub async fn delete_sessions(
        &self,
        app: AppId,
        numbers: Option<&[i64]>,
    ) -> ServiceResult<Vec<(SessionId, i64)>> {
        let targets = self.store.sessions_by_numbers(app, numbers).await?;
        for (id, _) in &targets {
            if self.store.delete_session(app, *id).await? {
                self.blobs.delete(&portrait_key(*id)).await?;
                for key in crate::flow::media_keys(*id) {
                    self.blobs.delete(&key).await?;
                }
            }
        }
        Ok(targets)
    }

    /// A reviewer's decision (contract §3 acceptance rules).
    pub async fn update_status(
        &self,
        app: AppId,
        id: SessionId,
        update: StatusUpdate,
    ) -> ServiceResult<()> {
        let mut session = self.session(app, id).await?;
        match session
            .status
            .reviewer_may_set(update.new_status)
            .map_err(CoreError::Rejected)?
        {
            ReviewOutcome::NoOp => return Ok(()),
            ReviewOutcome::Change => {}
        }
        if update.new_status == SessionStatus::Resubmitted {
            if update.nodes_to_resubmit.is_empty() {
                return Err(CoreError::field(
                    "nodes_to_resubmit",
                    "This field is required when new_status is Resubmitted.",
                )
                .into());
            }
            let spec = self.session_spec(&session).await?;
            session.resubmit_info = Some(json!({
                "nodes": update.nodes_to_resubmit.iter().map(|(n, _)| n).collect::<Vec<_>>(),
                "nodes_to_resubmit": update.nodes_to_resubmit.iter()
                    .map(|(node_id, feature)| json!({"node_id": node_id, "feature": feature}))
                    .collect::<Vec<_>>(),
                "available_attempts": spec.max_retry_attempts,
                "max_attempts": spec.max_retry_attempts,
            }));
        }
        self.transition(
            session,
            update.new_status,
            "status_change",
            update.comment,
            "api",
        )
        .await?;
        Ok(())
    }

    /// The review/activity items of a session.
    pub async fn reviews(&self, app: AppId, id: SessionId) -> ServiceResult<Vec<ReviewItem>> {
        self.session(app, id).await?;
        Ok(self.store.reviews(app, id).await?)
    }

    /// Adds a review: a comment, optionally with a reviewer status change.
    pub async fn add_review(
        &self,
        app: AppId,
        id: SessionId,
        new_status: Option<SessionStatus>,
        comment: Option<String>,
    ) -> ServiceResult<ReviewItem> {
        let session = self.session(app, id).await?;
        match new_status {
            Some(to) if to != session.status => {
                if !session.status.can_transition_to(to)
                    && session.status.reviewer_may_set(to).is_err()
                {
                    return Err(CoreError::field(
                        "new_status",
                        format!(
                            "Cannot move a session from \"{}\" to \"{to}\".",
                            session.status
                        ),
                    )
                    .into());
                }
                let changed = self
                    .transition(session, to, "review", comment, "api")
                    .await?;
                let items = self.store.reviews(app, changed.id).await?;
                items
                    .into_iter()
                    .last()
                    .ok_or_else(|| ServiceError::Internal("review not recorded".to_owned()))
            }
            _ => {
                let now = self.clock.now();
                let item = review(
                    "comment",
                    Some(session.status),
                    Some(session.status),
                    comment,
                    "api",
                    now,
                );
                self.store.add_review(app, id, &item).await?;
                Ok(item)
            }
        }
    }

    /// Expires unopened sessions past their deadline and abandons idle started ones.
    /// Returns how many changed.
    pub async fn sweep_lapsed_sessions(&self) -> ServiceResult<usize> {
        let now = self.clock.now();
        let mut changed = 0;
        for session in self
            .store
            .sweep_candidates(now, now - ABANDON_AFTER, 500)
            .await?
        {
            let to = if session.status == SessionStatus::NotStarted {
                SessionStatus::Expired
            } else {
                SessionStatus::Abandoned
            };
            match self
                .transition(session, to, "status_change", None, "system")
                .await
            {
                Ok(_) => changed += 1,
                // Another node or the user changed it first: nothing to do.
                Err(ServiceError::Core(CoreError::Rejected(_))) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(changed)
    }
}

/// What a create request says up front about the person: checked against the blocklists.
fn creation_probe(request: &SessionRequest) -> verifyd_core::lists::BlocklistProbe {
    let text = |object: &Option<Value>, key: &str| {
        object
            .as_ref()
            .and_then(|o| o.get(key))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    verifyd_core::lists::BlocklistProbe {
        document_number: text(&request.expected_details, "identification_number"),
        phone: text(&request.contact_details, "phone"),
        email: text(&request.contact_details, "email"),
    }
}

/// Blob key of a session's reference portrait.
pub fn portrait_key(id: SessionId) -> String {
    format!("sessions/{id}/portrait")
}

/// Validates the contract's `nodes_to_resubmit` (objects or strings) into pairs.
pub fn parse_nodes(value: Option<&Value>) -> Result<Vec<(String, String)>, FieldErrors> {
    const FEATURES: [&str; 24] = [
        "OCR",
        "OCR_BACK",
        "NFC",
        "AML",
        "FACE",
        "LIVENESS",
        "FACE_MATCH",
        "IP_ANALYSIS",
        "AGE_ESTIMATION",
        "PROOF_OF_ADDRESS",
        "PHONE_VERIFICATION",
        "EMAIL_VERIFICATION",
        "FACE_SEARCH",
        "DATABASE_VALIDATION",
        "QUESTIONNAIRE",
        "DOCUMENT_AI",
        "KYB_DOCUMENTS",
        "ID_VERIFICATION",
        "POA",
        "PHONE",
        "EMAIL",
        "KYB_REGISTRY",
        "KYB_KEY_PEOPLE",
        "KYB",
    ];
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(Vec::new());
    };
    let field = "nodes_to_resubmit";
    let items = value
        .as_array()
        .ok_or_else(|| FieldErrors::single(field, "Expected a list of items."))?;
    let mut nodes = Vec::with_capacity(items.len());
    for item in items {
        let (node_id, feature) = match item {
            // MCP sends bare node ids: infer the feature from the node name.
            Value::String(node) => {
                let inferred = node
                    .trim_start_matches("feature_")
                    .split(['_', '-'])
                    .next()
                    .unwrap_or("")
                    .to_uppercase();
                let feature = FEATURES
                    .iter()
                    .find(|f| node.to_uppercase().contains(*f) || **f == inferred)
                    .map_or("OCR", |f| f);
                (node.clone(), feature.to_owned())
            }
            Value::Object(obj) => {
                let node = obj.get("node_id").and_then(Value::as_str);
                let feature = obj.get("feature").and_then(Value::as_str);
                match (node, feature) {
                    (Some(n), Some(f)) => (n.to_owned(), f.to_owned()),
                    _ => {
                        return Err(FieldErrors::single(
                            field,
                            "Each item needs node_id and feature.",
                        ))
                    }
                }
            }
            _ => {
                return Err(FieldErrors::single(
                    field,
                    "Each item must be an object or a node id.",
                ))
            }
        };
        if !FEATURES.contains(&feature.as_str()) {
            return Err(FieldErrors::single(
                field,
                format!("\"{feature}\" is not a valid feature."),
            ));
        }
        if matches!(feature.as_str(), "KYB_REGISTRY" | "KYB_KEY_PEOPLE" | "KYB") {
            return Err(FieldErrors::single(
                field,
                format!("\"{feature}\" cannot be resubmitted."),
            ));
        }
        nodes.push((node_id, feature));
    }
    Ok(nodes)
}

impl Services {
    /// The session's PDF report, with its stored images.
    pub async fn pdf_report(&self, app: AppId, id: SessionId) -> ServiceResult<Vec<u8>> {
        let session = self.session(app, id).await?;
        let decision = self.decision_of(&session).await?;
        let mut images = Vec::new();
        if session.has_portrait {
            if let Some(bytes) = self.blobs.get(&portrait_key(id)).await? {
                images.push(verifyd_report::ReportImage {
                    label: "Reference portrait".to_owned(),
                    bytes,
                });
            }
        }
        // The hosted flow's captures, when the person went through the page.
        for (label, name) in [
            ("Document front", "document_front"),
            ("Document back", "document_back"),
            ("Document portrait", "document_portrait"),
            ("Selfie", "selfie"),
        ] {
            if let Some(bytes) = self.blobs.get(&crate::flow::media_key(id, name)).await? {
                images.push(verifyd_report::ReportImage {
                    label: label.to_owned(),
                    bytes,
                });
            }
        }
        let generated_at = self.clock.now();
        tokio::task::spawn_blocking(move || {
            verifyd_report::render_session_report(&decision, &images, generated_at)
        })
        .await
        .map_err(|e| ServiceError::internal("report task", e))?
        .map_err(|e| ServiceError::internal("rendering report", e))
    }
}
