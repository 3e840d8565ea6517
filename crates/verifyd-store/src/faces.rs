//! The face templates of each application's 1:N index, sealed at rest.

use chrono::{DateTime, Utc};
use sqlx::Row;
use uuid::Uuid;
use verifyd_core::ids::AppId;

use crate::{from_micros, to_micros, uuid_col, Store, StoreResult};

/// One enrolled face. `template` is the engine's serialised template (opaque here).
#[derive(Clone, PartialEq, Eq)]
pub struct FaceTemplateRow {
    /// The biometric template id.
    pub id: Uuid,
    /// The session (or saved API request) the face came from.
    pub session_id: Option<Uuid>,
    /// The list entry, for faces enrolled into a list.
    pub list_entry_id: Option<Uuid>,
    /// `session`, `list_entry` or `face_search`.
    pub source: String,
    /// `blocklist` or `allowlist` for list entries.
    pub list_kind: Option<String>,
    /// The standalone check of a saved API call (`PASSIVE_LIVENESS` …).
    pub api_service: Option<String>,
    /// The status of the session or check the face came from.
    pub status: Option<String>,
    /// The integrator's reference of that session.
    pub vendor_data: Option<String>,
    /// The serialised template.
    pub template: Vec<u8>,
    /// When it was enrolled.
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for FaceTemplateRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaceTemplateRow")
            .field("id", &self.id)
            .field("session_id", &self.session_id)
            .field("source", &self.source)
            .field("template", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Enrolls a face (sealing the template and vendor_data).
    pub async fn insert_face_template(&self, app: AppId, row: &FaceTemplateRow) -> StoreResult<()> {
        let cipher = self.cipher();
        let vendor = row
            .vendor_data
            .as_deref()
            .map(|v| cipher.seal_str(v))
            .transpose()?;
        sqlx::query(
            "INSERT INTO face_templates (id, app_id, session_id, list_entry_id, source, list_kind, \
             api_service, status, vendor_data_sealed, template_sealed, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(row.id.to_string())
        .bind(app.to_string())
        .bind(row.session_id.map(|id| id.to_string()))
        .bind(row.list_entry_id.map(|id| id.to_string()))
        .bind(&row.source)
        .bind(row.list_kind.as_deref())
        .bind(row.api_service.as_deref())
        .bind(row.status.as_deref())
        .bind(vendor)
        .bind(cipher.seal(&row.template)?)
        .bind(to_micros(row.created_at))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Searchable templates (every source but `face_search`, whose probes are never results)
    /// enrolled at or after `since` (all when `None`), oldest first.
    pub async fn searchable_face_templates_since(
        &self,
        app: AppId,
        since: Option<DateTime<Utc>>,
    ) -> StoreResult<Vec<FaceTemplateRow>> {
        let rows = sqlx::query(
            "SELECT id, session_id, list_entry_id, source, list_kind, api_service, status, \
             vendor_data_sealed, template_sealed, created_at FROM face_templates \
             WHERE app_id = $1 AND created_at >= $2 AND source <> 'face_search' ORDER BY created_at",
        )
        .bind(app.to_string())
        .bind(since.map_or(i64::MIN, to_micros))
        .fetch_all(self.pool())
        .await?;
        let cipher = self.cipher();
        rows.iter()
            .map(|r| {
                let optional_uuid = |col: &str| -> StoreResult<Option<Uuid>> {
                    match r.try_get::<Option<String>, _>(col)? {
                        Some(_) => uuid_col(r, col).map(Some),
                        None => Ok(None),
                    }
                };
                Ok(FaceTemplateRow {
                    id: uuid_col(r, "id")?,
                    session_id: optional_uuid("session_id")?,
                    list_entry_id: optional_uuid("list_entry_id")?,
                    source: r.try_get("source")?,
                    list_kind: r.try_get("list_kind")?,
                    api_service: r.try_get("api_service")?,
                    status: r.try_get("status")?,
                    vendor_data: r
                        .try_get::<Option<String>, _>("vendor_data_sealed")?
                        .map(|v| cipher.open_str(&v))
                        .transpose()?,
                    template: cipher.open(&r.try_get::<String, _>("template_sealed")?)?,
                    created_at: from_micros(r.try_get("created_at")?),
                })
            })
            .collect()
    }

    /// How many searchable templates the application has (a node compares it with its cached
    /// index to notice deletions made elsewhere).
    pub async fn searchable_face_template_count(&self, app: AppId) -> StoreResult<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM face_templates \
             WHERE app_id = $1 AND source <> 'face_search'",
        )
        .bind(app.to_string())
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get("n")?)
    }

    /// Removes the templates of a list entry; how many went.
    pub async fn delete_list_entry_faces(&self, app: AppId, entry: Uuid) -> StoreResult<u64> {
        let done =
            sqlx::query("DELETE FROM face_templates WHERE app_id = $1 AND list_entry_id = $2")
                .bind(app.to_string())
                .bind(entry.to_string())
                .execute(self.pool())
                .await?;
        Ok(done.rows_affected())
    }
}
