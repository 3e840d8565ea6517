//! Users aggregated by vendor_data. A row exists once a user was created, changed or read;
//! until then a user is just the vendor_data of some sessions. The profile is sealed; only
//! vendor_data (already a plain column of sessions) and the status are plain.

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;
use verifyd_core::ids::AppId;
use verifyd_core::users::UserRecord;

use crate::{conflict_on_unique, to_micros, Store, StoreError, StoreResult};

/// The most users `GET /v3/users/` counts (contract: `count` is capped at 100).
pub const USER_COUNT_CAP: i64 = 100;

const KNOWN_USERS: &str = "SELECT vendor_data, MAX(created_at) AS latest FROM ( \
     SELECT vendor_data, created_at FROM sessions WHERE app_id = $1 AND vendor_data IS NOT NULL \
     UNION ALL SELECT vendor_data, created_at FROM vendor_users WHERE app_id = $1 \
     ) known GROUP BY vendor_data";

impl Store {
    fn user_from(&self, row: &AnyRow) -> StoreResult<UserRecord> {
        let sealed: String = row.try_get("body_sealed")?;
        serde_json::from_slice(&self.cipher().open(&sealed)?)
            .map_err(|e| StoreError::Corrupt(format!("user: {e}")))
    }

    fn seal_user(&self, user: &UserRecord) -> StoreResult<String> {
        let body = serde_json::to_vec(user).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.cipher().seal(&body)
    }

    /// The stored user with this vendor_data.
    pub async fn user_record(
        &self,
        app: AppId,
        vendor_data: &str,
    ) -> StoreResult<Option<UserRecord>> {
        let row = sqlx::query(
            "SELECT body_sealed FROM vendor_users WHERE app_id = $1 AND vendor_data = $2",
        )
        .bind(app.to_string())
        .bind(vendor_data)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(|r| self.user_from(r)).transpose()
    }

    /// Stores a new user; an existing vendor_data is a [`StoreError::Conflict`].
    pub async fn insert_user(&self, app: AppId, user: &UserRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO vendor_users (id, app_id, vendor_data, status, body_sealed, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(user.id.to_string())
        .bind(app.to_string())
        .bind(&user.vendor_data)
        .bind(user.status.as_str())
        .bind(self.seal_user(user)?)
        .bind(to_micros(user.created_at))
        .bind(to_micros(user.updated_at))
        .execute(self.pool())
        .await
        .map_err(|e| conflict_on_unique(e, "vendor_data"))?;
        Ok(())
    }

    /// The stored user, created (with nothing set) if it did not exist yet.
    pub async fn ensure_user(
        &self,
        app: AppId,
        vendor_data: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<UserRecord> {
        if let Some(user) = self.user_record(app, vendor_data).await? {
            return Ok(user);
        }
        match self
            .insert_user(app, &UserRecord::new(vendor_data, now))
            .await
        {
            Ok(()) | Err(StoreError::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
        self.user_record(app, vendor_data)
            .await?
            .ok_or_else(|| StoreError::Corrupt("user vanished after insert".to_owned()))
    }

    /// Saves a changed user.
    pub async fn save_user(&self, app: AppId, user: &UserRecord) -> StoreResult<()> {
        sqlx::query(
            "UPDATE vendor_users SET status = $1, body_sealed = $2, updated_at = $3 \
             WHERE app_id = $4 AND id = $5",
        )
        .bind(user.status.as_str())
        .bind(self.seal_user(user)?)
        .bind(to_micros(user.updated_at))
        .bind(app.to_string())
        .bind(user.id.to_string())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Whether any session of the application carries this vendor_data.
    pub async fn has_sessions_for(&self, app: AppId, vendor_data: &str) -> StoreResult<bool> {
        let row =
            sqlx::query("SELECT id FROM sessions WHERE app_id = $1 AND vendor_data = $2 LIMIT 1")
                .bind(app.to_string())
                .bind(vendor_data)
                .fetch_optional(self.pool())
                .await?;
        Ok(row.is_some())
    }

    /// The vendor_data of a page of users (most recently seen first) and how many rows were
    /// found, fetching one more than `limit` so the caller knows whether a next page exists;
    /// plus the user count capped at [`USER_COUNT_CAP`].
    pub async fn user_page(
        &self,
        app: AppId,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(i64, Vec<String>)> {
        let count: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM ({KNOWN_USERS} LIMIT {USER_COUNT_CAP}) capped"
        ))
        .bind(app.to_string())
        .fetch_one(self.pool())
        .await?;
        let rows = sqlx::query(&format!(
            "{KNOWN_USERS} ORDER BY latest DESC, vendor_data LIMIT $2 OFFSET $3"
        ))
        .bind(app.to_string())
        .bind(limit + 1)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        let names = rows
            .iter()
            .map(|r| r.try_get::<String, _>("vendor_data"))
            .collect::<Result<_, _>>()?;
        Ok((count, names))
    }

    /// Every vendor_data of the application (users and sessions).
    pub async fn all_vendor_data(&self, app: AppId) -> StoreResult<Vec<String>> {
        let rows = sqlx::query(KNOWN_USERS)
            .bind(app.to_string())
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| r.try_get::<String, _>("vendor_data").map_err(Into::into))
            .collect()
    }

    /// Deletes the stored user; false when there was none.
    pub async fn delete_user(&self, app: AppId, vendor_data: &str) -> StoreResult<bool> {
        let affected =
            sqlx::query("DELETE FROM vendor_users WHERE app_id = $1 AND vendor_data = $2")
                .bind(app.to_string())
                .bind(vendor_data)
                .execute(self.pool())
                .await?
                .rows_affected();
        Ok(affected == 1)
    }
}
