//! Sessions and their review/activity items. The full record is sealed; status changes are
//! conditional on the status read (`WHERE status = old`), so two concurrent changes cannot
//! both win.

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use verifyd_core::ids::{AppId, SessionId, WorkflowId};
use verifyd_core::session::{ReviewItem, Session};
use verifyd_core::status::SessionStatus;

use crate::webhooks::NewEvent;
use crate::{to_micros, Store, StoreError, StoreResult};

/// Filters of `GET /v3/sessions/` that the database applies.
#[derive(Debug, Clone, Default)]
pub struct SessionFilter {
    /// Any of these statuses.
    pub statuses: Vec<String>,
    /// Exact vendor_data.
    pub vendor_data: Option<String>,
    /// Any of these workflows.
    pub workflow_ids: Vec<WorkflowId>,
    /// Created at or after.
    pub created_from: Option<DateTime<Utc>>,
    /// Created before.
    pub created_to: Option<DateTime<Utc>>,
    /// Any of these ISO-3 countries.
    pub countries: Vec<String>,
    /// Any of these document type codes.
    pub document_types: Vec<String>,
    /// Substring of vendor_data or the session id.
    pub search: Option<String>,
}

/// What a change of status writes besides the session itself.
#[derive(Debug)]
pub struct StatusChange<'a> {
    /// The status the caller read; the change only applies if it is still current.
    pub from: SessionStatus,
    /// The session with its new status and results.
    pub session: &'a Session,
    /// The activity item recording the change.
    pub review: &'a ReviewItem,
    /// Webhook events the change causes: written in the same transaction, and only if the
    /// change applies.
    pub events: &'a [NewEvent],
}

impl Store {
    fn seal_session(&self, session: &Session) -> StoreResult<String> {
        let json = serde_json::to_vec(session).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.cipher().seal(&json)
    }

    fn session_from(&self, row: &AnyRow) -> StoreResult<Session> {
        let sealed: String = row.try_get("body_sealed")?;
        let plain = self.cipher().open(&sealed)?;
        serde_json::from_slice(&plain).map_err(|e| StoreError::Corrupt(format!("session: {e}")))
    }

    /// The next value of a per-application counter (session numbers).
    async fn next_counter(
        tx: &mut Transaction<'_, Any>,
        app: AppId,
        name: &str,
    ) -> StoreResult<i64> {
        let value: i64 = sqlx::query_scalar(
            "INSERT INTO counters (app_id, name, value) VALUES ($1, $2, 1) \
             ON CONFLICT (app_id, name) DO UPDATE SET value = counters.value + 1 RETURNING value",
        )
        .bind(app.to_string())
        .bind(name)
        .fetch_one(&mut **tx)
        .await?;
        Ok(value)
    }

    /// Inserts a new session, assigning its number; returns the number.
    pub async fn insert_session(
        &self,
        session: &mut Session,
        review: &ReviewItem,
    ) -> StoreResult<()> {
        let mut tx = self.pool().begin().await?;
        session.number = Self::next_counter(&mut tx, session.app_id, "session").await?;
        sqlx::query(
            "INSERT INTO sessions (id, app_id, session_number, token, workflow_id, workflow_version, status, \
             vendor_data, country, document_type, created_at, updated_at, expires_at, body_sealed) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(session.id.to_string())
        .bind(session.app_id.to_string())
        .bind(session.number)
        .bind(&session.token)
        .bind(session.workflow_id.to_string())
        .bind(session.workflow_version)
        .bind(session.status.as_str())
        .bind(session.vendor_data.clone())
        .bind(session.id_field("issuing_state"))
        .bind(session.id_field("document_type_code"))
        .bind(to_micros(session.created_at))
        .bind(to_micros(session.updated_at))
        .bind(to_micros(session.expires_at))
        .bind(self.seal_session(session)?)
        .execute(&mut *tx)
        .await?;
        Self::insert_review(&mut tx, session.app_id, session.id, review).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn insert_review(
        tx: &mut Transaction<'_, Any>,
        app: AppId,
        session: SessionId,
        review: &ReviewItem,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO session_reviews (id, app_id, session_id, body, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&review.id)
        .bind(app.to_string())
        .bind(session.to_string())
        .bind(serde_json::to_string(review).map_err(|e| StoreError::Corrupt(e.to_string()))?)
        .bind(to_micros(review.created_at))
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// One session of the application.
    pub async fn session(&self, app: AppId, id: SessionId) -> StoreResult<Option<Session>> {
        let row = sqlx::query("SELECT body_sealed FROM sessions WHERE app_id = $1 AND id = $2")
            .bind(app.to_string())
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(|r| self.session_from(r)).transpose()
    }

    /// The session a hosted-page token opens (the token is the credential).
    pub async fn session_by_token(&self, token: &str) -> StoreResult<Option<Session>> {
        let row = sqlx::query("SELECT body_sealed FROM sessions WHERE token = $1")
            .bind(token)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(|r| self.session_from(r)).transpose()
    }

    /// The newest unfinished session with this vendor_data on this workflow version
    /// (idempotent creation, contract §6).
    pub async fn reusable_session(
        &self,
        app: AppId,
        workflow: WorkflowId,
        version: i64,
        vendor_data: &str,
    ) -> StoreResult<Option<Session>> {
        let row = sqlx::query(
            "SELECT body_sealed FROM sessions WHERE app_id = $1 AND workflow_id = $2 AND workflow_version = $3 \
             AND vendor_data = $4 AND status IN ('Not Started', 'In Progress', 'Resubmitted', 'Awaiting User') \
             ORDER BY session_number DESC LIMIT 1",
        )
        .bind(app.to_string())
        .bind(workflow.to_string())
        .bind(version)
        .bind(vendor_data)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(|r| self.session_from(r)).transpose()
    }

    /// Rewrites a session's record without changing its status.
    pub async fn save_session(&self, session: &Session) -> StoreResult<()> {
        sqlx::query(
            "UPDATE sessions SET body_sealed = $1, updated_at = $2, country = $3, document_type = $4 \
             WHERE app_id = $5 AND id = $6",
        )
        .bind(self.seal_session(session)?)
        .bind(to_micros(session.updated_at))
        .bind(session.id_field("issuing_state"))
        .bind(session.id_field("document_type_code"))
        .bind(session.app_id.to_string())
        .bind(session.id.to_string())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Rewrites a session's record (no status change) and puts `events` (e.g. `data.updated`)
    /// in the webhook outbox, in one transaction.
    pub async fn save_session_with_events(
        &self,
        session: &Session,
        events: &[NewEvent],
    ) -> StoreResult<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "UPDATE sessions SET body_sealed = $1, updated_at = $2, country = $3, document_type = $4 \
             WHERE app_id = $5 AND id = $6",
        )
        .bind(self.seal_session(session)?)
        .bind(to_micros(session.updated_at))
        .bind(session.id_field("issuing_state"))
        .bind(session.id_field("document_type_code"))
        .bind(session.app_id.to_string())
        .bind(session.id.to_string())
        .execute(&mut *tx)
        .await?;
        self.insert_events(&mut tx, events).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Applies a status change and records it, atomically; false when the session's status
    /// was no longer `change.from` (someone else changed it first).
    pub async fn change_session_status(&self, change: StatusChange<'_>) -> StoreResult<bool> {
        let session = change.session;
        let mut tx = self.pool().begin().await?;
        let affected = sqlx::query(
            "UPDATE sessions SET status = $1, body_sealed = $2, updated_at = $3, country = $4, document_type = $5 \
             WHERE app_id = $6 AND id = $7 AND status = $8",
        )
        .bind(session.status.as_str())
        .bind(self.seal_session(session)?)
        .bind(to_micros(session.updated_at))
        .bind(session.id_field("issuing_state"))
        .bind(session.id_field("document_type_code"))
        .bind(session.app_id.to_string())
        .bind(session.id.to_string())
        .bind(change.from.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if affected != 1 {
            return Ok(false);
        }
        Self::insert_review(&mut tx, session.app_id, session.id, change.review).await?;
        self.insert_events(&mut tx, change.events).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Records a review item without a status change.
    pub async fn add_review(
        &self,
        app: AppId,
        session: SessionId,
        review: &ReviewItem,
    ) -> StoreResult<()> {
        let mut tx = self.pool().begin().await?;
        Self::insert_review(&mut tx, app, session, review).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The review/activity items of a session, oldest first.
    pub async fn reviews(&self, app: AppId, session: SessionId) -> StoreResult<Vec<ReviewItem>> {
        let rows = sqlx::query(
            "SELECT body FROM session_reviews WHERE app_id = $1 AND session_id = $2 ORDER BY created_at, id",
        )
        .bind(app.to_string())
        .bind(session.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let body: String = r.try_get("body")?;
                serde_json::from_str(&body).map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .collect()
    }

    /// A page of sessions matching `filter`, newest first, and the total count.
    pub async fn list_sessions(
        &self,
        app: AppId,
        filter: &SessionFilter,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(i64, Vec<Session>)> {
        let mut clauses = vec!["app_id = $1".to_owned()];
        let mut binds: Vec<BindValue> = vec![BindValue::Text(app.to_string())];
        let push_in = |column: &str,
                       values: Vec<String>,
                       clauses: &mut Vec<String>,
                       binds: &mut Vec<BindValue>| {
            if values.is_empty() {
                return;
            }
            let placeholders: Vec<String> = values
                .into_iter()
                .map(|v| {
                    binds.push(BindValue::Text(v));
                    format!("${}", binds.len())
                })
                .collect();
            clauses.push(format!("{column} IN ({})", placeholders.join(", ")));
        };
        push_in("status", filter.statuses.clone(), &mut clauses, &mut binds);
        push_in(
            "workflow_id",
            filter
                .workflow_ids
                .iter()
                .map(ToString::to_string)
                .collect(),
            &mut clauses,
            &mut binds,
        );
        push_in(
            "country",
            filter.countries.clone(),
            &mut clauses,
            &mut binds,
        );
        push_in(
            "document_type",
            filter.document_types.clone(),
            &mut clauses,
            &mut binds,
        );
        if let Some(vendor) = &filter.vendor_data {
            binds.push(BindValue::Text(vendor.clone()));
            clauses.push(format!("vendor_data = ${}", binds.len()));
        }
        if let Some(from) = filter.created_from {
            binds.push(BindValue::Int(to_micros(from)));
            clauses.push(format!("created_at >= ${}", binds.len()));
        }
        if let Some(to) = filter.created_to {
            binds.push(BindValue::Int(to_micros(to)));
            clauses.push(format!("created_at < ${}", binds.len()));
        }
        if let Some(search) = &filter.search {
            let pattern = format!("%{}%", search.replace(['%', '_'], ""));
            binds.push(BindValue::Text(pattern));
            let n = binds.len();
            clauses.push(format!("(vendor_data LIKE ${n} OR id LIKE ${n})"));
        }
        let where_sql = clauses.join(" AND ");
        let count_sql = format!("SELECT COUNT(*) FROM sessions WHERE {where_sql}");
        let mut count_query = sqlx::query_scalar::<_, i64>(&count_sql);
        for bind in &binds {
            count_query = bind.apply_scalar(count_query);
        }
        let count = count_query.fetch_one(self.pool()).await?;
        let page_sql = format!(
            "SELECT body_sealed FROM sessions WHERE {where_sql} ORDER BY session_number DESC LIMIT ${} OFFSET ${}",
            binds.len() + 1,
            binds.len() + 2
        );
        let mut page_query = sqlx::query(&page_sql);
        for bind in &binds {
            page_query = bind.apply(page_query);
        }
        let rows = page_query
            .bind(limit)
            .bind(offset)
            .fetch_all(self.pool())
            .await?;
        let sessions = rows
            .iter()
            .map(|r| self.session_from(r))
            .collect::<StoreResult<Vec<_>>>()?;
        Ok((count, sessions))
    }

    /// Deletes a session, its review items and its webhook events (with their pending
    /// deliveries and logged attempts, which hold its data); false when absent.
    pub async fn delete_session(&self, app: AppId, id: SessionId) -> StoreResult<bool> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM face_templates WHERE app_id = $1 AND session_id = $2")
            .bind(app.to_string())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM webhook_events WHERE app_id = $1 AND session_id = $2")
            .bind(app.to_string())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM session_reviews WHERE app_id = $1 AND session_id = $2")
            .bind(app.to_string())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        let affected = sqlx::query("DELETE FROM sessions WHERE app_id = $1 AND id = $2")
            .bind(app.to_string())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(affected == 1)
    }

    /// The ids of the application's sessions with these numbers (all when `numbers` is None).
    pub async fn sessions_by_numbers(
        &self,
        app: AppId,
        numbers: Option<&[i64]>,
    ) -> StoreResult<Vec<(SessionId, i64)>> {
        let rows = sqlx::query(
            "SELECT id, session_number FROM sessions WHERE app_id = $1 ORDER BY session_number",
        )
        .bind(app.to_string())
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::new();
        for row in rows {
            let number: i64 = row.try_get("session_number")?;
            if numbers.is_none_or(|wanted| wanted.contains(&number)) {
                out.push((SessionId(crate::uuid_col(&row, "id")?), number));
            }
        }
        Ok(out)
    }

    /// Sessions of any application whose status may lapse by `now`: unopened ones past
    /// their expiry, and started ones idle since before `idle_before`. For the sweeper only.
    pub async fn sweep_candidates(
        &self,
        now: DateTime<Utc>,
        idle_before: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<Session>> {
        let rows = sqlx::query(
            "SELECT body_sealed FROM sessions WHERE (status = 'Not Started' AND expires_at <= $1) \
             OR (status IN ('In Progress', 'Resubmitted') AND updated_at <= $2) LIMIT $3",
        )
        .bind(to_micros(now))
        .bind(to_micros(idle_before))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| self.session_from(r)).collect()
    }
}

impl Store {
    /// Approved sessions of any application, by id, after `after` (exclusive); a page of at
    /// most `limit`. For the AML ongoing-monitoring job only.
    pub async fn approved_sessions_after(
        &self,
        after: Option<SessionId>,
        limit: i64,
    ) -> StoreResult<Vec<Session>> {
        let rows = sqlx::query(
            "SELECT body_sealed FROM sessions WHERE status = 'Approved' AND id > $1 \
             ORDER BY id LIMIT $2",
        )
        .bind(after.map_or_else(String::new, |id| id.to_string()))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| self.session_from(r)).collect()
    }
}

/// A dynamically bound parameter of a built query.
#[derive(Debug, Clone)]
enum BindValue {
    Text(String),
    Int(i64),
}

type AnyQuery<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>;
type AnyScalar<'q, T> = sqlx::query::QueryScalar<'q, Any, T, sqlx::any::AnyArguments<'q>>;

impl BindValue {
    fn apply<'q>(&self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        match self {
            Self::Text(v) => query.bind(v.clone()),
            Self::Int(v) => query.bind(*v),
        }
    }

    fn apply_scalar<'q, T>(&self, query: AnyScalar<'q, T>) -> AnyScalar<'q, T> {
        match self {
            Self::Text(v) => query.bind(v.clone()),
            Self::Int(v) => query.bind(*v),
        }
    }
}
