//! Workflows and their versions. Every change bumps the version and keeps the old spec, so a
//! session decides with the settings it was created under; deletion is soft for the same
//! reason.

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;
use verifyd_core::ids::{AppId, WorkflowId};
use verifyd_core::workflow::WorkflowSpec;

use crate::{from_micros, to_micros, uuid_col, Store, StoreError, StoreResult};

/// A workflow as stored.
#[derive(Debug, Clone)]
pub struct WorkflowRecord {
    /// Its id.
    pub id: WorkflowId,
    /// Current version (1 on creation).
    pub version: i64,
    /// Current settings.
    pub spec: WorkflowSpec,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

fn spec_from(text: &str) -> StoreResult<WorkflowSpec> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("workflow spec: {e}")))
}

fn spec_text(spec: &WorkflowSpec) -> StoreResult<String> {
    serde_json::to_string(spec).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn record_from(row: &AnyRow) -> StoreResult<WorkflowRecord> {
    Ok(WorkflowRecord {
        id: WorkflowId(uuid_col(row, "id")?),
        version: row.try_get("version")?,
        spec: spec_from(&row.try_get::<String, _>("spec")?)?,
        created_at: from_micros(row.try_get("created_at")?),
        updated_at: from_micros(row.try_get("updated_at")?),
    })
}

impl Store {
    /// Creates a workflow at version 1.
    pub async fn create_workflow(
        &self,
        app: AppId,
        id: WorkflowId,
        spec: &WorkflowSpec,
        now: DateTime<Utc>,
    ) -> StoreResult<WorkflowRecord> {
        let text = spec_text(spec)?;
        let mut tx = self.pool().begin().await?;
        if spec.is_default {
            sqlx::query("UPDATE workflows SET is_default = 0 WHERE app_id = $1")
                .bind(app.to_string())
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO workflows (id, app_id, version, is_deleted, is_default, spec, created_at, updated_at) \
             VALUES ($1, $2, 1, 0, $3, $4, $5, $5)",
        )
        .bind(id.to_string())
        .bind(app.to_string())
        .bind(i64::from(spec.is_default))
        .bind(&text)
        .bind(to_micros(now))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO workflow_versions (workflow_id, version, spec, created_at) VALUES ($1, 1, $2, $3)",
        )
        .bind(id.to_string())
        .bind(&text)
        .bind(to_micros(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(WorkflowRecord {
            id,
            version: 1,
            spec: spec.clone(),
            created_at: now,
            updated_at: now,
        })
    }

    /// A page of the application's workflows (oldest first) and the total count.
    pub async fn list_workflows(
        &self,
        app: AppId,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(i64, Vec<WorkflowRecord>)> {
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM workflows WHERE app_id = $1 AND is_deleted = 0",
        )
        .bind(app.to_string())
        .fetch_one(self.pool())
        .await?;
        let rows = sqlx::query(
            "SELECT * FROM workflows WHERE app_id = $1 AND is_deleted = 0 \
             ORDER BY created_at, id LIMIT $2 OFFSET $3",
        )
        .bind(app.to_string())
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        Ok((
            count,
            rows.iter().map(record_from).collect::<StoreResult<_>>()?,
        ))
    }

    /// One live workflow of the application.
    pub async fn workflow(
        &self,
        app: AppId,
        id: WorkflowId,
    ) -> StoreResult<Option<WorkflowRecord>> {
        let row =
            sqlx::query("SELECT * FROM workflows WHERE app_id = $1 AND id = $2 AND is_deleted = 0")
                .bind(app.to_string())
                .bind(id.to_string())
                .fetch_optional(self.pool())
                .await?;
        row.as_ref().map(record_from).transpose()
    }

    /// The settings of one version of a workflow (also of deleted workflows).
    pub async fn workflow_version(
        &self,
        app: AppId,
        id: WorkflowId,
        version: i64,
    ) -> StoreResult<Option<WorkflowSpec>> {
        let row = sqlx::query(
            "SELECT v.spec FROM workflow_versions v JOIN workflows w ON w.id = v.workflow_id \
             WHERE w.app_id = $1 AND v.workflow_id = $2 AND v.version = $3",
        )
        .bind(app.to_string())
        .bind(id.to_string())
        .bind(version)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| spec_from(&r.try_get::<String, _>("spec")?))
            .transpose()
    }

    /// Stores new settings as the next version.
    pub async fn update_workflow(
        &self,
        app: AppId,
        current: &WorkflowRecord,
        spec: &WorkflowSpec,
        now: DateTime<Utc>,
    ) -> StoreResult<WorkflowRecord> {
        let text = spec_text(spec)?;
        let version = current.version + 1;
        let mut tx = self.pool().begin().await?;
        if spec.is_default {
            sqlx::query("UPDATE workflows SET is_default = 0 WHERE app_id = $1")
                .bind(app.to_string())
                .execute(&mut *tx)
                .await?;
        }
        let updated = sqlx::query(
            "UPDATE workflows SET version = $1, spec = $2, is_default = $3, updated_at = $4 \
             WHERE app_id = $5 AND id = $6 AND version = $7",
        )
        .bind(version)
        .bind(&text)
        .bind(i64::from(spec.is_default))
        .bind(to_micros(now))
        .bind(app.to_string())
        .bind(current.id.to_string())
        .bind(current.version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated != 1 {
            return Err(StoreError::Conflict(
                "workflow changed concurrently".to_owned(),
            ));
        }
        sqlx::query(
            "INSERT INTO workflow_versions (workflow_id, version, spec, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(current.id.to_string())
        .bind(version)
        .bind(&text)
        .bind(to_micros(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(WorkflowRecord {
            id: current.id,
            version,
            spec: spec.clone(),
            created_at: current.created_at,
            updated_at: now,
        })
    }

    /// Soft-deletes a workflow; its sessions keep their pinned versions. False when absent.
    pub async fn delete_workflow(&self, app: AppId, id: WorkflowId) -> StoreResult<bool> {
        let affected = sqlx::query(
            "UPDATE workflows SET is_deleted = 1, is_default = 0 WHERE app_id = $1 AND id = $2 AND is_deleted = 0",
        )
        .bind(app.to_string())
        .bind(id.to_string())
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(affected == 1)
    }
}
