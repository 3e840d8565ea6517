//! Users aggregated by vendor_data over the application's sessions, with what the
//! integrator sets on them (display name, status, metadata, corrected fields).

use serde_json::{json, Map, Value};
use verifyd_core::ids::AppId;
use verifyd_core::session::Session;
use verifyd_core::users::{status_comment, user_json, UserInput, UserRecord, UserStatus};
use verifyd_core::{CoreError, FieldErrors};
use verifyd_store::sessions::SessionFilter;
use verifyd_store::StoreError;

use crate::{ServiceResult, Services};

/// Most sessions read to aggregate one user.
const SESSIONS_PER_USER: i64 = 500;

impl Services {
    async fn sessions_of(&self, app: AppId, vendor_data: &str) -> ServiceResult<Vec<Session>> {
        let filter = SessionFilter {
            vendor_data: Some(vendor_data.to_owned()),
            ..SessionFilter::default()
        };
        Ok(self
            .store
            .list_sessions(app, &filter, SESSIONS_PER_USER, 0)
            .await?
            .1)
    }

    /// The stored user for `vendor_data`, created on first sight if sessions carry it; 404
    /// when neither a user nor a session has that vendor_data.
    async fn known_user(&self, app: AppId, vendor_data: &str) -> ServiceResult<UserRecord> {
        if let Some(user) = self.store.user_record(app, vendor_data).await? {
            return Ok(user);
        }
        if !self.store.has_sessions_for(app, vendor_data).await? {
            return Err(CoreError::not_found().into());
        }
        Ok(self
            .store
            .ensure_user(app, vendor_data, self.clock.now())
            .await?)
    }

    /// The detail object of one user.
    pub async fn user(&self, app: AppId, vendor_data: &str) -> ServiceResult<Value> {
        let user = self.known_user(app, vendor_data).await?;
        let sessions = self.sessions_of(app, vendor_data).await?;
        Ok(user_json(&user, &sessions, true))
    }

    /// A page of users (most recently seen first): the capped count, the rows, and whether
    /// a next page exists.
    pub async fn users(
        &self,
        app: AppId,
        limit: i64,
        offset: i64,
    ) -> ServiceResult<(i64, Vec<Value>, bool)> {
        let (count, mut names) = self.store.user_page(app, limit, offset).await?;
        let more = i64::try_from(names.len()).unwrap_or(i64::MAX) > limit;
        names.truncate(usize::try_from(limit).unwrap_or(0));
        let mut rows = Vec::with_capacity(names.len());
        for vendor_data in names {
            let user = self
                .store
                .ensure_user(app, &vendor_data, self.clock.now())
                .await?;
            let sessions = self.sessions_of(app, &vendor_data).await?;
            rows.push(user_json(&user, &sessions, false));
        }
        Ok((count, rows, more))
    }

    /// `POST /v3/users/create/` (201 with the detail object).
    pub async fn create_user(&self, app: AppId, body: &Map<String, Value>) -> ServiceResult<Value> {
        let input = UserInput::parse(body, true)?;
        let vendor_data = input.vendor_data.clone().unwrap_or_default();
        let now = self.clock.now();
        let mut user = UserRecord::new(&vendor_data, now);
        input.apply(&mut user, now);
        match self.store.insert_user(app, &user).await {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => {
                return Err(CoreError::field(
                    "vendor_data",
                    "A user with this vendor_data already exists.",
                )
                .into())
            }
            Err(e) => return Err(e.into()),
        }
        self.emit_user_event(app, "user.created", &user, Map::new())
            .await?;
        let sessions = self.sessions_of(app, &vendor_data).await?;
        Ok(user_json(&user, &sessions, true))
    }

    /// `PATCH /v3/users/{vendor_data}/`: sets what the body names (three-state fields).
    /// Like Didit, a status set here records no status-change activity.
    pub async fn update_user(
        &self,
        app: AppId,
        vendor_data: &str,
        body: &Map<String, Value>,
    ) -> ServiceResult<Value> {
        let mut user = self.known_user(app, vendor_data).await?;
        let input = UserInput::parse(body, false)?;
        input.apply(&mut user, self.clock.now());
        self.store.save_user(app, &user).await?;
        let changed: Vec<&str> = USER_FIELDS
            .iter()
            .copied()
            .filter(|f| body.contains_key(*f))
            .collect();
        if !changed.is_empty() {
            let mut extra = Map::new();
            extra.insert("changed_fields".into(), json!(changed));
            self.emit_user_event(app, "user.data.updated", &user, extra)
                .await?;
        }
        self.user(app, vendor_data).await
    }

    /// `PATCH /v3/users/{vendor_data}/update-status/`: changes the status and records it.
    pub async fn update_user_status(
        &self,
        app: AppId,
        vendor_data: &str,
        body: &Map<String, Value>,
    ) -> ServiceResult<Value> {
        let status = match body.get("status") {
            None | Some(Value::Null) => {
                return Err(CoreError::field("status", "This field is required.").into())
            }
            Some(Value::String(raw)) => UserStatus::parse(raw).ok_or_else(|| {
                CoreError::field("status", format!("\"{raw}\" is not a valid choice."))
            })?,
            Some(other) => {
                return Err(CoreError::field(
                    "status",
                    format!("\"{other}\" is not a valid choice."),
                )
                .into())
            }
        };
        let comment = body
            .get("comment")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let mut user = self.known_user(app, vendor_data).await?;
        let previous = user.status;
        if previous != status {
            let now = self.clock.now();
            user.status = status;
            user.updated_at = now;
            user.comments
                .push(status_comment(previous, status, comment, now));
            self.store.save_user(app, &user).await?;
            let mut extra = Map::new();
            extra.insert("previous_status".into(), json!(previous.as_str()));
            self.emit_user_event(app, crate::webhooks::USER_STATUS_UPDATED, &user, extra)
                .await?;
            tracing::info!(user_id = %user.id, from = previous.as_str(), to = status.as_str(), "user status changed");
        }
        self.user(app, vendor_data).await
    }

    /// `POST /v3/users/delete/`: deletes users and their sessions (with media); returns how
    /// many users were deleted.
    pub async fn delete_users(&self, app: AppId, body: &Map<String, Value>) -> ServiceResult<i64> {
        let delete_all = match body.get("delete_all") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                return Err(CoreError::field("delete_all", "Must be a valid boolean.").into())
            }
        };
        let targets: Vec<String> = if delete_all {
            self.store.all_vendor_data(app).await?
        } else {
            let mut errors = FieldErrors::new();
            let mut targets = Vec::new();
            match body.get("vendor_data_list") {
                None | Some(Value::Null) if !body.contains_key("didit_internal_id_list") => errors
                    .add(
                        "vendor_data_list",
                        "This field is required unless delete_all is true.",
                    ),
                None | Some(Value::Null) => {}
                Some(Value::Array(items)) if items.is_empty() => {
                    errors.add("vendor_data_list", "This list may not be empty.")
                }
                Some(Value::Array(items)) => {
                    for item in items {
                        match item.as_str() {
                            Some(v) => targets.push(v.to_owned()),
                            None => errors.add("vendor_data_list", "Expected a list of strings."),
                        }
                    }
                }
                Some(_) => errors.add("vendor_data_list", "Expected a list of items."),
            }
            if let Some(ids) = body.get("didit_internal_id_list").filter(|v| !v.is_null()) {
                let Some(ids) = ids.as_array() else {
                    return Err(CoreError::field(
                        "didit_internal_id_list",
                        "Expected a list of items.",
                    )
                    .into());
                };
                let wanted: Vec<String> = ids
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect();
                if wanted.len() != ids.len() {
                    errors.add("didit_internal_id_list", "Expected a list of UUID strings.");
                }
                for vendor_data in self.store.all_vendor_data(app).await? {
                    if let Some(user) = self.store.user_record(app, &vendor_data).await? {
                        if wanted.contains(&user.id.to_string()) {
                            targets.push(vendor_data);
                        }
                    }
                }
            }
            if !errors.is_empty() {
                return Err(errors.into());
            }
            targets
        };
        let mut deleted = 0;
        for vendor_data in targets {
            let had_user = self.store.delete_user(app, &vendor_data).await?;
            let sessions = self.sessions_of(app, &vendor_data).await?;
            for session in &sessions {
                self.delete_session(app, session.id).await?;
            }
            if had_user || !sessions.is_empty() {
                deleted += 1;
            }
        }
        Ok(deleted)
    }
}

/// The user fields a PATCH may change (reported as `changed_fields`).
const USER_FIELDS: [&str; 8] = [
    "display_name",
    "full_name",
    "date_of_birth",
    "status",
    "metadata",
    "approved_emails",
    "approved_phones",
    "issuing_states",
];

impl Services {
    /// Puts a `user.*` event in the outbox: `vendor_data` and `status` of the user plus
    /// `extra` (`previous_status`, `changed_fields`).
    async fn emit_user_event(
        &self,
        app: AppId,
        webhook_type: &str,
        user: &UserRecord,
        mut extra: Map<String, Value>,
    ) -> ServiceResult<()> {
        extra.insert("vendor_data".into(), json!(user.vendor_data));
        extra.insert("status".into(), json!(user.status.as_str()));
        self.emit_app_event(app, webhook_type, extra).await
    }
}
