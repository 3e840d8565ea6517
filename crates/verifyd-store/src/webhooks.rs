//! Webhook destinations, the event outbox, delivery jobs and the attempt log.
//!
//! Events are written by [`Store::change_session_status`](crate::Store::change_session_status)
//! (and [`Store::save_session_with_events`]) inside the transaction of the change that causes
//! them: a crash can neither lose an event nor leave one for a change that rolled back. Each
//! event fans out to one delivery row per destination; workers claim due rows with a lease
//! (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several nodes share the work without taking
//! the same row), and a lease that runs out — its worker crashed — makes the row claimable
//! again. Completing an attempt is conditional on still holding the lease.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use std::collections::HashMap;
use uuid::Uuid;
use verifyd_core::ids::{AppId, SessionId};

use crate::{
    conflict_on_unique, from_micros, to_micros, uuid_col, Backend, Store, StoreError, StoreResult,
};

/// A webhook destination with its secret opened. `Debug` never shows the secret.
#[derive(Clone)]
pub struct Destination {
    /// Its id (`uuid` on the wire).
    pub id: Uuid,
    /// Owning application.
    pub app_id: AppId,
    /// Display name.
    pub label: String,
    /// Target URL (empty for a default destination whose `webhook_url` was cleared).
    pub url: String,
    /// Paused when false.
    pub enabled: bool,
    /// `v1`, `v2` or `v3`.
    pub webhook_version: String,
    /// The HMAC key (`secret_shared_key`).
    pub secret: String,
    /// Event types delivered here.
    pub subscribed_events: Vec<String>,
    /// The destination edited by the legacy `/v3/webhook/` configuration.
    pub is_default: bool,
    /// Legacy setting `capture_method` (mobile, desktop, both).
    pub capture_method: String,
    /// Legacy setting `data_retention_months`.
    pub data_retention_months: Option<i64>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl std::fmt::Debug for Destination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Destination")
            .field("id", &self.id)
            .field("app_id", &self.app_id)
            .field("url", &self.url)
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

/// Delivery health of a destination, over its lifetime.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliverySummary {
    /// Attempts made.
    pub total: i64,
    /// Attempts that did not get a 2xx.
    pub failed: i64,
    /// Fastest response, ms.
    pub min_ms: Option<i64>,
    /// Mean response time, ms.
    pub avg_ms: Option<i64>,
    /// Slowest response, ms.
    pub max_ms: Option<i64>,
    /// Latest attempt.
    pub last_at: Option<DateTime<Utc>>,
}

/// An event to put in the outbox, with the destinations it fans out to.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// `event_id`: the same for every destination and every retry.
    pub id: Uuid,
    /// Owning application.
    pub app_id: AppId,
    /// The session it is about, if any.
    pub session_id: Option<SessionId>,
    /// `status.updated`, `data.updated`…
    pub webhook_type: String,
    /// The envelope (its `timestamp` is re-stamped when signed).
    pub payload: Value,
    /// When the event happened.
    pub created_at: DateTime<Utc>,
    /// Destinations that receive it.
    pub destinations: Vec<Uuid>,
}

/// A delivery a worker holds the lease of.
#[derive(Debug, Clone)]
pub struct ClaimedDelivery {
    /// The delivery row.
    pub id: Uuid,
    /// Owning application.
    pub app_id: AppId,
    /// The event.
    pub event_id: Uuid,
    /// The destination.
    pub destination_id: Uuid,
    /// Attempts made before this one (since the last resend).
    pub attempts: i64,
    /// Proof of holding the lease.
    pub lease_token: String,
}

/// An event read back from the outbox.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    /// `event_id`.
    pub id: Uuid,
    /// The session, if any.
    pub session_id: Option<SessionId>,
    /// The type.
    pub webhook_type: String,
    /// The envelope.
    pub payload: Value,
}

/// One logged delivery attempt. `Debug` leaves out the body (personal data).
#[derive(Clone)]
pub struct Attempt {
    /// Its id (`uuid` of the delivery log item).
    pub id: Uuid,
    /// Owning application.
    pub app_id: AppId,
    /// The delivery job it belongs to.
    pub delivery_id: Uuid,
    /// The event.
    pub event_id: Uuid,
    /// The destination.
    pub destination_id: Uuid,
    /// The session, if any.
    pub session_id: Option<SessionId>,
    /// Event type.
    pub webhook_type: String,
    /// URL posted to.
    pub url: String,
    /// The request headers sent, as a JSON object.
    pub request_headers: Value,
    /// The exact body sent.
    pub request_body: String,
    /// The endpoint's status code, if it answered.
    pub response_status: Option<i64>,
    /// Time to the response or the failure, ms.
    pub latency_ms: i64,
    /// Why it failed (timeout, connection refused, refused target…).
    pub error: Option<String>,
    /// Whether the endpoint answered 2xx.
    pub succeeded: bool,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for Attempt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attempt")
            .field("id", &self.id)
            .field("event_id", &self.event_id)
            .field("response_status", &self.response_status)
            .finish_non_exhaustive()
    }
}

/// What happens to a delivery after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// 2xx: done.
    Delivered,
    /// Try again at this time.
    RetryAt(DateTime<Utc>),
    /// Given up (a final 4xx, a refused target, retries exhausted).
    Failed,
}

const STATE_PENDING: &str = "pending";
const STATE_DELIVERED: &str = "delivered";
const STATE_FAILED: &str = "failed";

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

fn session_col(row: &AnyRow) -> StoreResult<Option<SessionId>> {
    let text: Option<String> = row.try_get("session_id")?;
    text.map(|t| t.parse().map(SessionId).map_err(corrupt))
        .transpose()
}

impl Store {
    fn destination_from(&self, row: &AnyRow) -> StoreResult<Destination> {
        let events: String = row.try_get("subscribed_events")?;
        Ok(Destination {
            id: uuid_col(row, "id")?,
            app_id: AppId(uuid_col(row, "app_id")?),
            label: row.try_get("label")?,
            url: row.try_get("url")?,
            enabled: row.try_get::<i64, _>("enabled")? != 0,
            webhook_version: row.try_get("webhook_version")?,
            secret: self
                .cipher()
                .open_str(&row.try_get::<String, _>("secret_sealed")?)?,
            subscribed_events: serde_json::from_str(&events).map_err(corrupt)?,
            is_default: row.try_get::<i64, _>("is_default")? != 0,
            capture_method: row.try_get("capture_method")?,
            data_retention_months: row.try_get("data_retention_months")?,
            created_at: from_micros(row.try_get("created_at")?),
            updated_at: from_micros(row.try_get("updated_at")?),
        })
    }

    /// Creates a destination; `Conflict("url")` when the application already has this URL.
    pub async fn insert_destination(&self, d: &Destination) -> StoreResult<()> {
        let mut tx = self.pool().begin().await?;
        self.insert_destination_tx(&mut tx, d).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn insert_destination_tx(
        &self,
        tx: &mut Transaction<'_, Any>,
        d: &Destination,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO webhook_destinations (id, app_id, label, url, enabled, webhook_version, \
             secret_sealed, subscribed_events, is_default, capture_method, data_retention_months, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(d.id.to_string())
        .bind(d.app_id.to_string())
        .bind(&d.label)
        .bind(&d.url)
        .bind(i64::from(d.enabled))
        .bind(&d.webhook_version)
        .bind(self.cipher().seal_str(&d.secret)?)
        .bind(serde_json::to_string(&d.subscribed_events).map_err(corrupt)?)
        .bind(i64::from(d.is_default))
        .bind(&d.capture_method)
        .bind(d.data_retention_months)
        .bind(to_micros(d.created_at))
        .bind(to_micros(d.updated_at))
        .execute(&mut **tx)
        .await
        .map_err(|e| conflict_on_unique(e, "url"))?;
        Ok(())
    }

    async fn update_destination_tx(
        &self,
        tx: &mut Transaction<'_, Any>,
        d: &Destination,
    ) -> StoreResult<bool> {
        let affected = sqlx::query(
            "UPDATE webhook_destinations SET label = $1, url = $2, enabled = $3, webhook_version = $4, \
             secret_sealed = $5, subscribed_events = $6, capture_method = $7, \
             data_retention_months = $8, updated_at = $9 WHERE app_id = $10 AND id = $11",
        )
        .bind(&d.label)
        .bind(&d.url)
        .bind(i64::from(d.enabled))
        .bind(&d.webhook_version)
        .bind(self.cipher().seal_str(&d.secret)?)
        .bind(serde_json::to_string(&d.subscribed_events).map_err(corrupt)?)
        .bind(&d.capture_method)
        .bind(d.data_retention_months)
        .bind(to_micros(d.updated_at))
        .bind(d.app_id.to_string())
        .bind(d.id.to_string())
        .execute(&mut **tx)
        .await
        .map_err(|e| conflict_on_unique(e, "url"))?
        .rows_affected();
        Ok(affected == 1)
    }

    /// Rewrites a destination; false when it does not exist for the application.
    pub async fn update_destination(&self, d: &Destination) -> StoreResult<bool> {
        let mut tx = self.pool().begin().await?;
        let updated = self.update_destination_tx(&mut tx, d).await?;
        tx.commit().await?;
        Ok(updated)
    }

    /// Creates or rewrites the application's default destination and keeps the application's
    /// webhook secret equal to its secret, in one transaction (so a rotation takes effect
    /// everywhere at once).
    pub async fn save_default_destination(&self, d: &Destination) -> StoreResult<()> {
        let mut tx = self.pool().begin().await?;
        if !self.update_destination_tx(&mut tx, d).await? {
            self.insert_destination_tx(&mut tx, d).await?;
        }
        sqlx::query("UPDATE applications SET webhook_secret_sealed = $1 WHERE id = $2")
            .bind(self.cipher().seal_str(&d.secret)?)
            .bind(d.app_id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The application's webhook secret (the legacy single-URL secret).
    pub async fn app_webhook_secret(&self, app: AppId) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT webhook_secret_sealed FROM applications WHERE id = $1")
            .bind(app.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| r.try_get::<String, _>("webhook_secret_sealed"))
            .transpose()?
            .map(|sealed| self.cipher().open_str(&sealed))
            .transpose()
    }

    /// The application's destinations, oldest first (including the default one).
    pub async fn destinations(&self, app: AppId) -> StoreResult<Vec<Destination>> {
        let rows = sqlx::query(
            "SELECT * FROM webhook_destinations WHERE app_id = $1 ORDER BY created_at, id",
        )
        .bind(app.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| self.destination_from(r)).collect()
    }

    /// One destination of the application.
    pub async fn destination(&self, app: AppId, id: Uuid) -> StoreResult<Option<Destination>> {
        let row = sqlx::query("SELECT * FROM webhook_destinations WHERE app_id = $1 AND id = $2")
            .bind(app.to_string())
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(|r| self.destination_from(r)).transpose()
    }

    /// The application's default (legacy `/v3/webhook/`) destination.
    pub async fn default_destination(&self, app: AppId) -> StoreResult<Option<Destination>> {
        let row = sqlx::query(
            "SELECT * FROM webhook_destinations WHERE app_id = $1 AND is_default = 1 LIMIT 1",
        )
        .bind(app.to_string())
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(|r| self.destination_from(r)).transpose()
    }

    /// Deletes a destination; false when absent. Its pending deliveries end as failed (their
    /// logged attempts stay readable).
    pub async fn delete_destination(&self, app: AppId, id: Uuid) -> StoreResult<bool> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "UPDATE webhook_deliveries SET state = 'failed', lease_token = NULL, lease_until = NULL \
             WHERE app_id = $1 AND destination_id = $2 AND state = 'pending'",
        )
        .bind(app.to_string())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
        let affected =
            sqlx::query("DELETE FROM webhook_destinations WHERE app_id = $1 AND id = $2")
                .bind(app.to_string())
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?
                .rows_affected();
        tx.commit().await?;
        Ok(affected == 1)
    }

    /// Enabled destinations of the application with a URL that subscribe to `event`.
    pub async fn subscribed_destinations(&self, app: AppId, event: &str) -> StoreResult<Vec<Uuid>> {
        let rows = sqlx::query(
            "SELECT id, subscribed_events FROM webhook_destinations \
             WHERE app_id = $1 AND enabled = 1 AND url <> ''",
        )
        .bind(app.to_string())
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::new();
        for row in rows {
            let events: String = row.try_get("subscribed_events")?;
            let events: Vec<String> = serde_json::from_str(&events).map_err(corrupt)?;
            if events.iter().any(|e| e == event) {
                out.push(uuid_col(&row, "id")?);
            }
        }
        Ok(out)
    }

    /// Delivery health per destination of the application.
    pub async fn delivery_summaries(
        &self,
        app: AppId,
    ) -> StoreResult<HashMap<Uuid, DeliverySummary>> {
        let rows = sqlx::query(
            "SELECT destination_id, COUNT(*) AS total, CAST(SUM(1 - succeeded) AS BIGINT) AS failed, \
             MIN(latency_ms) AS min_ms, CAST(AVG(latency_ms) AS BIGINT) AS avg_ms, \
             MAX(latency_ms) AS max_ms, MAX(created_at) AS last_at \
             FROM webhook_attempts WHERE app_id = $1 GROUP BY destination_id",
        )
        .bind(app.to_string())
        .fetch_all(self.pool())
        .await?;
        let mut out = HashMap::new();
        for row in rows {
            out.insert(
                uuid_col(&row, "destination_id")?,
                DeliverySummary {
                    total: row.try_get("total")?,
                    failed: row.try_get::<Option<i64>, _>("failed")?.unwrap_or(0),
                    min_ms: row.try_get("min_ms")?,
                    avg_ms: row.try_get("avg_ms")?,
                    max_ms: row.try_get("max_ms")?,
                    last_at: row.try_get::<Option<i64>, _>("last_at")?.map(from_micros),
                },
            );
        }
        Ok(out)
    }

    /// Writes events and their deliveries inside `tx` (the outbox half of a change).
    pub(crate) async fn insert_events(
        &self,
        tx: &mut Transaction<'_, Any>,
        events: &[NewEvent],
    ) -> StoreResult<()> {
        for event in events {
            let payload = serde_json::to_vec(&event.payload).map_err(corrupt)?;
            sqlx::query(
                "INSERT INTO webhook_events (id, app_id, session_id, webhook_type, payload_sealed, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(event.id.to_string())
            .bind(event.app_id.to_string())
            .bind(event.session_id.map(|s| s.to_string()))
            .bind(&event.webhook_type)
            .bind(self.cipher().seal(&payload)?)
            .bind(to_micros(event.created_at))
            .execute(&mut **tx)
            .await?;
            for destination in &event.destinations {
                sqlx::query(
                    "INSERT INTO webhook_deliveries (id, app_id, event_id, destination_id, state, attempts, \
                     next_attempt_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 0, $6, $6, $6)",
                )
                .bind(Uuid::new_v4().to_string())
                .bind(event.app_id.to_string())
                .bind(event.id.to_string())
                .bind(destination.to_string())
                .bind(STATE_PENDING)
                .bind(to_micros(event.created_at))
                .execute(&mut **tx)
                .await?;
            }
        }
        Ok(())
    }

    /// Puts events in the outbox on their own (no other change to make atomically).
    pub async fn enqueue_events(&self, events: &[NewEvent]) -> StoreResult<()> {
        let mut tx = self.pool().begin().await?;
        self.insert_events(&mut tx, events).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Claims up to `limit` due deliveries of any application until `lease_until`, leaving
    /// out the destinations in `skip` (those with enough in flight already). Rows another
    /// worker holds a live lease on are skipped.
    pub async fn claim_due_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
        skip: &[Uuid],
    ) -> StoreResult<Vec<ClaimedDelivery>> {
        let token = Uuid::new_v4().to_string();
        let lock = match self.backend() {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let skip_sql = if skip.is_empty() {
            String::new()
        } else {
            let placeholders: Vec<String> =
                (0..skip.len()).map(|i| format!("${}", i + 5)).collect();
            format!(" AND destination_id NOT IN ({})", placeholders.join(", "))
        };
        let sql = format!(
            "UPDATE webhook_deliveries SET lease_token = $1, lease_until = $2 WHERE id IN (\
             SELECT id FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= $3 \
             AND (lease_until IS NULL OR lease_until <= $3){skip_sql} ORDER BY next_attempt_at \
             LIMIT $4{lock}) RETURNING id, app_id, event_id, destination_id, attempts"
        );
        let mut query = sqlx::query(&sql)
            .bind(&token)
            .bind(to_micros(lease_until))
            .bind(to_micros(now))
            .bind(limit);
        for destination in skip {
            query = query.bind(destination.to_string());
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter()
            .map(|row| {
                Ok(ClaimedDelivery {
                    id: uuid_col(row, "id")?,
                    app_id: AppId(uuid_col(row, "app_id")?),
                    event_id: uuid_col(row, "event_id")?,
                    destination_id: uuid_col(row, "destination_id")?,
                    attempts: row.try_get("attempts")?,
                    lease_token: token.clone(),
                })
            })
            .collect()
    }

    /// Makes a delivery due now again with a fresh retry budget and claims it for the
    /// caller (manual resend). None when unknown or when a worker holds it right now.
    pub async fn claim_for_resend(
        &self,
        app: AppId,
        delivery: Uuid,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<Option<ClaimedDelivery>> {
        let token = Uuid::new_v4().to_string();
        let row = sqlx::query(
            "UPDATE webhook_deliveries SET state = 'pending', attempts = 0, next_attempt_at = $1, \
             lease_token = $2, lease_until = $3, updated_at = $1 \
             WHERE app_id = $4 AND id = $5 AND (lease_until IS NULL OR lease_until <= $1) \
             RETURNING id, app_id, event_id, destination_id, attempts",
        )
        .bind(to_micros(now))
        .bind(&token)
        .bind(to_micros(lease_until))
        .bind(app.to_string())
        .bind(delivery.to_string())
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(ClaimedDelivery {
                id: uuid_col(&row, "id")?,
                app_id: AppId(uuid_col(&row, "app_id")?),
                event_id: uuid_col(&row, "event_id")?,
                destination_id: uuid_col(&row, "destination_id")?,
                attempts: row.try_get("attempts")?,
                lease_token: token.clone(),
            })
        })
        .transpose()
    }

    /// An event of the application.
    pub async fn webhook_event(&self, app: AppId, id: Uuid) -> StoreResult<Option<StoredEvent>> {
        let row = sqlx::query(
            "SELECT id, session_id, webhook_type, payload_sealed FROM webhook_events \
             WHERE app_id = $1 AND id = $2",
        )
        .bind(app.to_string())
        .bind(id.to_string())
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            let sealed: String = row.try_get("payload_sealed")?;
            Ok(StoredEvent {
                id: uuid_col(&row, "id")?,
                session_id: session_col(&row)?,
                webhook_type: row.try_get("webhook_type")?,
                payload: serde_json::from_slice(&self.cipher().open(&sealed)?).map_err(corrupt)?,
            })
        })
        .transpose()
    }

    /// Records an attempt and moves the delivery on, atomically, provided the caller still
    /// holds the lease; false (nothing written) when the lease was lost.
    pub async fn finish_attempt(
        &self,
        claim: &ClaimedDelivery,
        attempt: &Attempt,
        next: NextStep,
    ) -> StoreResult<bool> {
        let mut tx = self.pool().begin().await?;
        let (state, next_at) = match next {
            NextStep::Delivered => (STATE_DELIVERED, attempt.created_at),
            NextStep::RetryAt(at) => (STATE_PENDING, at),
            NextStep::Failed => (STATE_FAILED, attempt.created_at),
        };
        let affected = sqlx::query(
            "UPDATE webhook_deliveries SET state = $1, attempts = attempts + 1, next_attempt_at = $2, \
             lease_token = NULL, lease_until = NULL, updated_at = $3 \
             WHERE id = $4 AND lease_token = $5",
        )
        .bind(state)
        .bind(to_micros(next_at))
        .bind(to_micros(attempt.created_at))
        .bind(claim.id.to_string())
        .bind(&claim.lease_token)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if affected != 1 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO webhook_attempts (id, app_id, delivery_id, event_id, destination_id, session_id, \
             webhook_type, url, request_headers, request_body_sealed, response_status, latency_ms, error, \
             succeeded, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(attempt.id.to_string())
        .bind(attempt.app_id.to_string())
        .bind(attempt.delivery_id.to_string())
        .bind(attempt.event_id.to_string())
        .bind(attempt.destination_id.to_string())
        .bind(attempt.session_id.map(|s| s.to_string()))
        .bind(&attempt.webhook_type)
        .bind(&attempt.url)
        .bind(attempt.request_headers.to_string())
        .bind(self.cipher().seal_str(&attempt.request_body)?)
        .bind(attempt.response_status)
        .bind(attempt.latency_ms)
        .bind(attempt.error.clone())
        .bind(i64::from(attempt.succeeded))
        .bind(to_micros(attempt.created_at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Hands claimed deliveries back untouched, without an attempt (back-pressure).
    pub async fn release_deliveries(&self, claims: &[ClaimedDelivery]) -> StoreResult<()> {
        for claim in claims {
            self.release_delivery(claim).await?;
        }
        Ok(())
    }

    async fn release_delivery(&self, claim: &ClaimedDelivery) -> StoreResult<()> {
        sqlx::query(
            "UPDATE webhook_deliveries SET lease_token = NULL, lease_until = NULL \
             WHERE id = $1 AND lease_token = $2",
        )
        .bind(claim.id.to_string())
        .bind(&claim.lease_token)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    fn attempt_from(&self, row: &AnyRow) -> StoreResult<Attempt> {
        let headers: String = row.try_get("request_headers")?;
        let sealed: String = row.try_get("request_body_sealed")?;
        Ok(Attempt {
            id: uuid_col(row, "id")?,
            app_id: AppId(uuid_col(row, "app_id")?),
            delivery_id: uuid_col(row, "delivery_id")?,
            event_id: uuid_col(row, "event_id")?,
            destination_id: uuid_col(row, "destination_id")?,
            session_id: session_col(row)?,
            webhook_type: row.try_get("webhook_type")?,
            url: row.try_get("url")?,
            request_headers: serde_json::from_str(&headers).map_err(corrupt)?,
            request_body: self.cipher().open_str(&sealed)?,
            response_status: row.try_get("response_status")?,
            latency_ms: row.try_get("latency_ms")?,
            error: row.try_get("error")?,
            succeeded: row.try_get::<i64, _>("succeeded")? != 0,
            created_at: from_micros(row.try_get("created_at")?),
        })
    }

    /// The delivery attempts of a session, newest first.
    pub async fn session_attempts(
        &self,
        app: AppId,
        session: SessionId,
    ) -> StoreResult<Vec<Attempt>> {
        let rows = sqlx::query(
            "SELECT * FROM webhook_attempts WHERE app_id = $1 AND session_id = $2 \
             ORDER BY created_at DESC, id",
        )
        .bind(app.to_string())
        .bind(session.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| self.attempt_from(r)).collect()
    }

    /// One attempt of a session.
    pub async fn session_attempt(
        &self,
        app: AppId,
        session: SessionId,
        id: Uuid,
    ) -> StoreResult<Option<Attempt>> {
        let row = sqlx::query(
            "SELECT * FROM webhook_attempts WHERE app_id = $1 AND session_id = $2 AND id = $3",
        )
        .bind(app.to_string())
        .bind(session.to_string())
        .bind(id.to_string())
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(|r| self.attempt_from(r)).transpose()
    }

    /// One attempt by id (any session of the application).
    pub async fn attempt(&self, app: AppId, id: Uuid) -> StoreResult<Option<Attempt>> {
        let row = sqlx::query("SELECT * FROM webhook_attempts WHERE app_id = $1 AND id = $2")
            .bind(app.to_string())
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(|r| self.attempt_from(r)).transpose()
    }

    /// Deliveries still waiting (pending) across all applications; for tests and benches.
    pub async fn pending_delivery_count(&self) -> StoreResult<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'pending'")
                .fetch_one(self.pool())
                .await?,
        )
    }
}
