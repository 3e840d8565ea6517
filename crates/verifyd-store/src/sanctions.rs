//! Imported sanctions and PEP lists: one row per published list, replaced whole.

use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::{from_micros, to_micros, Store, StoreResult};

/// One imported list, without its entities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SanctionsListInfo {
    /// The list's slug (`ofac-sdn`, `un`, …).
    pub source: String,
    /// Where it came from: the files or URLs it was read from.
    pub origin: String,
    /// SHA-256 of the files as read, so an unchanged download can be skipped.
    pub content_sha256: String,
    /// How many entities it holds.
    pub entity_count: i64,
    /// When it was imported.
    pub imported_at: DateTime<Utc>,
}

impl Store {
    /// Replaces the stored copy of one list in a single statement: readers see the old list
    /// or the new one, never a mixture.
    pub async fn replace_sanctions_list(
        &self,
        info: &SanctionsListInfo,
        entities_json: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sanctions_lists \
             (source, origin, content_sha256, entity_count, imported_at, entities) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (source) DO UPDATE SET origin = excluded.origin, \
             content_sha256 = excluded.content_sha256, entity_count = excluded.entity_count, \
             imported_at = excluded.imported_at, entities = excluded.entities",
        )
        .bind(&info.source)
        .bind(&info.origin)
        .bind(&info.content_sha256)
        .bind(info.entity_count)
        .bind(to_micros(info.imported_at))
        .bind(entities_json)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Every imported list, without entities, by slug.
    pub async fn sanctions_lists(&self) -> StoreResult<Vec<SanctionsListInfo>> {
        let rows = sqlx::query(
            "SELECT source, origin, content_sha256, entity_count, imported_at \
             FROM sanctions_lists ORDER BY source",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SanctionsListInfo {
                    source: r.try_get("source")?,
                    origin: r.try_get("origin")?,
                    content_sha256: r.try_get("content_sha256")?,
                    entity_count: r.try_get("entity_count")?,
                    imported_at: from_micros(r.try_get("imported_at")?),
                })
            })
            .collect()
    }

    /// The entities (JSON) of every imported list, by slug.
    pub async fn sanctions_list_entities(&self) -> StoreResult<Vec<(String, String)>> {
        let rows = sqlx::query("SELECT source, entities FROM sanctions_lists ORDER BY source")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("source")?, r.try_get("entities")?)))
            .collect()
    }

    /// Removes an imported list; true when there was one.
    pub async fn delete_sanctions_list(&self, source: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM sanctions_lists WHERE source = $1")
            .bind(source)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }
}
