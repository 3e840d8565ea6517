//! Applications and their credentials. API keys are found by their SHA-256 and kept sealed so
//! that the credentials endpoint can show them again; webhook secrets are sealed too.

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use verifyd_core::ids::{AppId, OrgId};
use verifyd_core::tenant::{Application, Environment};

use crate::crypto::lookup_hash;
use crate::{to_micros, uuid_col, Store, StoreError, StoreResult};

/// An application about to be created, with its plaintext credentials.
#[derive(Clone)]
pub struct NewApplication {
    /// The application.
    pub app: Application,
    /// The API key (stored sealed and hashed, never in clear).
    pub api_key: String,
    /// The default webhook signing secret (stored sealed).
    pub webhook_secret: String,
}

impl std::fmt::Debug for NewApplication {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewApplication")
            .field("app", &self.app)
            .finish_non_exhaustive()
    }
}

/// An application with its credentials opened.
#[derive(Clone)]
pub struct ApplicationCredentials {
    /// The application.
    pub app: Application,
    /// Its API key.
    pub api_key: String,
    /// Its default webhook secret.
    pub webhook_secret: String,
}

impl std::fmt::Debug for ApplicationCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApplicationCredentials")
            .field("app", &self.app)
            .finish_non_exhaustive()
    }
}

fn app_from_row(row: &AnyRow) -> StoreResult<Application> {
    let environment: String = row.try_get("environment")?;
    Ok(Application {
        id: AppId(uuid_col(row, "id")?),
        org_id: OrgId(uuid_col(row, "org_id")?),
        name: row.try_get("name")?,
        client_id: row.try_get("client_id")?,
        environment: environment
            .parse::<Environment>()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
    })
}

impl Store {
    pub(crate) async fn insert_application(
        &self,
        tx: &mut Transaction<'_, Any>,
        new: &NewApplication,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO applications (id, org_id, name, client_id, environment, api_key_hash, \
             api_key_sealed, webhook_secret_sealed, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(new.app.id.to_string())
        .bind(new.app.org_id.to_string())
        .bind(&new.app.name)
        .bind(&new.app.client_id)
        .bind(new.app.environment.as_str())
        .bind(lookup_hash(&new.api_key))
        .bind(self.cipher().seal_str(&new.api_key)?)
        .bind(self.cipher().seal_str(&new.webhook_secret)?)
        .bind(to_micros(now))
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Creates an application in an existing organization.
    pub async fn create_application(
        &self,
        new: &NewApplication,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.pool().begin().await?;
        self.insert_application(&mut tx, new, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The application whose API key is `api_key`, if any.
    pub async fn application_by_api_key(&self, api_key: &str) -> StoreResult<Option<Application>> {
        let row = sqlx::query("SELECT * FROM applications WHERE api_key_hash = $1")
            .bind(lookup_hash(api_key))
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(app_from_row).transpose()
    }

    /// The application `app` if it exists (any organization); for share targets.
    pub async fn application(&self, app: AppId) -> StoreResult<Option<Application>> {
        let row = sqlx::query("SELECT * FROM applications WHERE id = $1")
            .bind(app.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(app_from_row).transpose()
    }

    fn credentials_from_row(&self, row: &AnyRow) -> StoreResult<ApplicationCredentials> {
        Ok(ApplicationCredentials {
            app: app_from_row(row)?,
            api_key: self
                .cipher()
                .open_str(&row.try_get::<String, _>("api_key_sealed")?)?,
            webhook_secret: self
                .cipher()
                .open_str(&row.try_get::<String, _>("webhook_secret_sealed")?)?,
        })
    }

    /// The applications of an organization, with credentials, oldest first.
    pub async fn applications_of(&self, org: OrgId) -> StoreResult<Vec<ApplicationCredentials>> {
        let rows = sqlx::query("SELECT * FROM applications WHERE org_id = $1 ORDER BY created_at")
            .bind(org.to_string())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|r| self.credentials_from_row(r)).collect()
    }

    /// One application of an organization, with credentials.
    pub async fn application_of(
        &self,
        org: OrgId,
        app: AppId,
    ) -> StoreResult<Option<ApplicationCredentials>> {
        let row = sqlx::query("SELECT * FROM applications WHERE org_id = $1 AND id = $2")
            .bind(org.to_string())
            .bind(app.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref()
            .map(|r| self.credentials_from_row(r))
            .transpose()
    }
}
