//! Questionnaires, share-token imports and the credits ledger.

use chrono::{DateTime, Utc};
use sqlx::Row;
use verifyd_core::ids::{AppId, OrgId, QuestionnaireId, SessionId};
use verifyd_core::questionnaire::Questionnaire;

use crate::{to_micros, Store, StoreError, StoreResult};

impl Store {
    /// Stores a new questionnaire.
    pub async fn insert_questionnaire(&self, app: AppId, q: &Questionnaire) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO questionnaires (id, app_id, body, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(q.id.to_string())
        .bind(app.to_string())
        .bind(serde_json::to_string(q).map_err(|e| StoreError::Corrupt(e.to_string()))?)
        .bind(to_micros(q.created_at))
        .bind(to_micros(q.updated_at))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Saves a changed questionnaire.
    pub async fn save_questionnaire(&self, app: AppId, q: &Questionnaire) -> StoreResult<()> {
        sqlx::query(
            "UPDATE questionnaires SET body = $1, updated_at = $2 WHERE app_id = $3 AND id = $4",
        )
        .bind(serde_json::to_string(q).map_err(|e| StoreError::Corrupt(e.to_string()))?)
        .bind(to_micros(q.updated_at))
        .bind(app.to_string())
        .bind(q.id.to_string())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// One questionnaire of the application.
    pub async fn questionnaire(
        &self,
        app: AppId,
        id: QuestionnaireId,
    ) -> StoreResult<Option<Questionnaire>> {
        let row = sqlx::query("SELECT body FROM questionnaires WHERE app_id = $1 AND id = $2")
            .bind(app.to_string())
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| {
            let body: String = r.try_get("body")?;
            serde_json::from_str(&body)
                .map_err(|e| StoreError::Corrupt(format!("questionnaire: {e}")))
        })
        .transpose()
    }

    /// A page of questionnaires, newest first, and the total.
    pub async fn questionnaires(
        &self,
        app: AppId,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(i64, Vec<Questionnaire>)> {
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM questionnaires WHERE app_id = $1")
                .bind(app.to_string())
                .fetch_one(self.pool())
                .await?;
        let rows = sqlx::query(
            "SELECT body FROM questionnaires WHERE app_id = $1 ORDER BY created_at DESC, id LIMIT $2 OFFSET $3",
        )
        .bind(app.to_string())
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        let list = rows
            .iter()
            .map(|r| {
                let body: String = r.try_get("body")?;
                serde_json::from_str(&body)
                    .map_err(|e| StoreError::Corrupt(format!("questionnaire: {e}")))
            })
            .collect::<StoreResult<_>>()?;
        Ok((count, list))
    }

    /// Deletes a questionnaire; false when absent.
    pub async fn delete_questionnaire(&self, app: AppId, id: QuestionnaireId) -> StoreResult<bool> {
        let affected = sqlx::query("DELETE FROM questionnaires WHERE app_id = $1 AND id = $2")
            .bind(app.to_string())
            .bind(id.to_string())
            .execute(self.pool())
            .await?
            .rows_affected();
        Ok(affected == 1)
    }

    /// Claims the one import of `source` by `receiver`; false when it was already imported.
    pub async fn claim_shared_import(
        &self,
        receiver: AppId,
        source: SessionId,
        imported: SessionId,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let affected = sqlx::query(
            "INSERT INTO shared_imports (source_session_id, receiver_app_id, imported_session_id, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (source_session_id, receiver_app_id) DO NOTHING",
        )
        .bind(source.to_string())
        .bind(receiver.to_string())
        .bind(imported.to_string())
        .bind(to_micros(now))
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(affected == 1)
    }

    /// Gives a claim back when the import failed after claiming.
    pub async fn release_shared_import(
        &self,
        receiver: AppId,
        source: SessionId,
    ) -> StoreResult<()> {
        sqlx::query(
            "DELETE FROM shared_imports WHERE source_session_id = $1 AND receiver_app_id = $2",
        )
        .bind(source.to_string())
        .bind(receiver.to_string())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Whether the organization exists (for admin grants).
    pub async fn organization_exists(&self, org: OrgId) -> StoreResult<bool> {
        let row = sqlx::query("SELECT id FROM organizations WHERE id = $1")
            .bind(org.to_string())
            .fetch_optional(self.pool())
            .await?;
        Ok(row.is_some())
    }

    /// The organization's balance in ten-thousandths of a dollar.
    pub async fn credit_balance(&self, org: OrgId) -> StoreResult<i64> {
        // SUM of BIGINT is NUMERIC on PostgreSQL: cast back so both backends return an i64.
        let balance: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM credit_ledger WHERE org_id = $1",
        )
        .bind(org.to_string())
        .fetch_one(self.pool())
        .await?;
        Ok(balance)
    }

    /// Appends a ledger line (positive: credit, negative: charge). With a `reference`, the
    /// same (reason, reference) is recorded once: false when it already was.
    pub async fn add_credits(
        &self,
        org: OrgId,
        amount: i64,
        reason: &str,
        reference: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let affected = sqlx::query(
            "INSERT INTO credit_ledger (id, org_id, amount, reason, reference, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (org_id, reason, reference) DO NOTHING",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(org.to_string())
        .bind(amount)
        .bind(reason)
        .bind(reference.map(str::to_owned))
        .bind(to_micros(now))
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(affected == 1)
    }
}
