//! Lists and their entries. An entry's value, label, comment and metadata are sealed; its
//! normalised value is kept only as a keyed hash ([`crate::Cipher::keyed_hash`]) so that
//! blocklist lookups work without storing the value in clear.

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;
use verifyd_core::ids::{AppId, ListEntryId, ListId, SessionId};
use verifyd_core::lists::{EntryType, ListEntry, ListRecord, ListType};

use crate::{conflict_on_unique, from_micros, to_micros, uuid_col, Store, StoreError, StoreResult};

const LIST_COLUMNS: &str = "l.id, l.app_id, l.name, l.list_type, l.entry_type, l.description, \
     l.system_key, l.created_at, l.updated_at, \
     (SELECT COUNT(*) FROM list_entries e WHERE e.list_id = l.id) AS entry_count";

fn list_from_row(row: &AnyRow) -> StoreResult<ListRecord> {
    let list_type: String = row.try_get("list_type")?;
    let entry_type: String = row.try_get("entry_type")?;
    let system_key: Option<String> = row.try_get("system_key")?;
    Ok(ListRecord {
        id: ListId(uuid_col(row, "id")?),
        app_id: AppId(uuid_col(row, "app_id")?),
        name: row.try_get("name")?,
        list_type: ListType::parse(&list_type)
            .ok_or_else(|| StoreError::Corrupt(format!("list_type {list_type}")))?,
        entry_type: EntryType::parse(&entry_type)
            .ok_or_else(|| StoreError::Corrupt(format!("entry_type {entry_type}")))?,
        description: row.try_get("description")?,
        is_system: system_key.is_some(),
        entry_count: row.try_get("entry_count")?,
        created_at: from_micros(row.try_get("created_at")?),
        updated_at: from_micros(row.try_get("updated_at")?),
    })
}

/// Which lists to show.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListFilter {
    /// Only this kind.
    pub list_type: Option<ListType>,
    /// Only this entry type.
    pub entry_type: Option<EntryType>,
}

impl Store {
    fn entry_hash(&self, entry_type: EntryType, normalised: &str) -> String {
        self.cipher()
            .keyed_hash(&format!("{}:{normalised}", entry_type.as_str()))
    }

    /// Creates the application's system blocklists (face, document, phone, email) unless
    /// they exist; safe to call concurrently and on every request.
    pub async fn ensure_system_lists(&self, app: AppId, now: DateTime<Utc>) -> StoreResult<()> {
        // A read first, so the common case takes no write lock.
        let existing: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM lists WHERE app_id = $1 AND system_key IS NOT NULL",
        )
        .bind(app.to_string())
        .fetch_one(self.pool())
        .await?;
        if existing >= EntryType::SYSTEM_BLOCKLISTS.len() as i64 {
            return Ok(());
        }
        for entry_type in EntryType::SYSTEM_BLOCKLISTS {
            sqlx::query(
                "INSERT INTO lists (id, app_id, name, list_type, entry_type, description, system_key, \
                 created_at, updated_at) VALUES ($1, $2, $3, 'blocklist', $4, $5, $6, $7, $7) \
                 ON CONFLICT (system_key) DO NOTHING",
            )
            .bind(ListId::new().to_string())
            .bind(app.to_string())
            .bind(entry_type.system_list_name())
            .bind(entry_type.as_str())
            .bind(format!(
                "System blocklist: sessions matching an entry are declined with {}.",
                entry_type.blocklist_warning().map_or("a warning", |w| w.0)
            ))
            .bind(format!("{app}:{}", entry_type.as_str()))
            .bind(to_micros(now))
            .execute(self.pool())
            .await?;
        }
        Ok(())
    }

    /// A page of the application's lists (system lists first, then oldest first) and the
    /// total count.
    pub async fn lists(
        &self,
        app: AppId,
        filter: ListFilter,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(i64, Vec<ListRecord>)> {
        let list_type = filter.list_type.map(|t| t.as_str().to_owned());
        let entry_type = filter.entry_type.map(|t| t.as_str().to_owned());
        let where_sql = "l.app_id = $1 AND ($2 IS NULL OR l.list_type = $2) \
                         AND ($3 IS NULL OR l.entry_type = $3)";
        let count: i64 =
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM lists l WHERE {where_sql}"))
                .bind(app.to_string())
                .bind(list_type.clone())
                .bind(entry_type.clone())
                .fetch_one(self.pool())
                .await?;
        let rows = sqlx::query(&format!(
            "SELECT {LIST_COLUMNS} FROM lists l WHERE {where_sql} \
             ORDER BY CASE WHEN l.system_key IS NULL THEN 1 ELSE 0 END, l.created_at, \
             CASE l.entry_type WHEN 'face' THEN 0 WHEN 'document' THEN 1 WHEN 'phone' THEN 2 \
             WHEN 'email' THEN 3 ELSE 4 END, l.id \
             LIMIT $4 OFFSET $5"
        ))
        .bind(app.to_string())
        .bind(list_type)
        .bind(entry_type)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        let lists = rows.iter().map(list_from_row).collect::<StoreResult<_>>()?;
        Ok((count, lists))
    }

    /// One list of the application.
    pub async fn list(&self, app: AppId, id: ListId) -> StoreResult<Option<ListRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {LIST_COLUMNS} FROM lists l WHERE l.app_id = $1 AND l.id = $2"
        ))
        .bind(app.to_string())
        .bind(id.to_string())
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(list_from_row).transpose()
    }

    /// The application's system blocklist for `entry_type`.
    pub async fn system_list(
        &self,
        app: AppId,
        entry_type: EntryType,
    ) -> StoreResult<Option<ListRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {LIST_COLUMNS} FROM lists l WHERE l.app_id = $1 AND l.system_key = $2"
        ))
        .bind(app.to_string())
        .bind(format!("{app}:{}", entry_type.as_str()))
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(list_from_row).transpose()
    }

    /// Stores a new (non-system) list.
    pub async fn insert_list(&self, app: AppId, list: &ListRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO lists (id, app_id, name, list_type, entry_type, description, system_key, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8)",
        )
        .bind(list.id.to_string())
        .bind(app.to_string())
        .bind(&list.name)
        .bind(list.list_type.as_str())
        .bind(list.entry_type.as_str())
        .bind(list.description.clone())
        .bind(to_micros(list.created_at))
        .bind(to_micros(list.updated_at))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Saves a list's name and description.
    pub async fn update_list(&self, app: AppId, list: &ListRecord) -> StoreResult<()> {
        sqlx::query(
            "UPDATE lists SET name = $1, description = $2, updated_at = $3 \
             WHERE app_id = $4 AND id = $5 AND system_key IS NULL",
        )
        .bind(&list.name)
        .bind(list.description.clone())
        .bind(to_micros(list.updated_at))
        .bind(app.to_string())
        .bind(list.id.to_string())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Deletes a non-system list with its entries; false when absent.
    pub async fn delete_list(&self, app: AppId, id: ListId) -> StoreResult<bool> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM list_entries WHERE app_id = $1 AND list_id = $2")
            .bind(app.to_string())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        let affected =
            sqlx::query("DELETE FROM lists WHERE app_id = $1 AND id = $2 AND system_key IS NULL")
                .bind(app.to_string())
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?
                .rows_affected();
        tx.commit().await?;
        Ok(affected == 1)
    }

    /// Adds an entry; `normalised` is the matching form of its value. A value already in
    /// the list is a [`StoreError::Conflict`].
    pub async fn insert_list_entry(
        &self,
        app: AppId,
        list: &ListRecord,
        entry: &ListEntry,
        normalised: Option<&str>,
    ) -> StoreResult<()> {
        let body = serde_json::to_vec(entry).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query(
            "INSERT INTO list_entries (id, app_id, list_id, entry_type, value_hash, \
             reference_session_id, body_sealed, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(entry.id.to_string())
        .bind(app.to_string())
        .bind(list.id.to_string())
        .bind(list.entry_type.as_str())
        .bind(normalised.map(|n| self.entry_hash(list.entry_type, n)))
        .bind(entry.reference_session_id.map(|s| s.to_string()))
        .bind(self.cipher().seal(&body)?)
        .bind(to_micros(entry.created_at))
        .execute(self.pool())
        .await
        .map_err(|e| conflict_on_unique(e, "list entry"))?;
        Ok(())
    }

    /// Every entry of a list, newest first (opened).
    pub async fn list_entries(&self, app: AppId, list: ListId) -> StoreResult<Vec<ListEntry>> {
        let rows = sqlx::query(
            "SELECT body_sealed FROM list_entries WHERE app_id = $1 AND list_id = $2 \
             ORDER BY created_at DESC, id",
        )
        .bind(app.to_string())
        .bind(list.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let sealed: String = row.try_get("body_sealed")?;
                serde_json::from_slice(&self.cipher().open(&sealed)?)
                    .map_err(|e| StoreError::Corrupt(format!("list entry: {e}")))
            })
            .collect()
    }

    /// Removes one entry; false when absent.
    pub async fn delete_list_entry(
        &self,
        app: AppId,
        list: ListId,
        entry: ListEntryId,
    ) -> StoreResult<bool> {
        let affected =
            sqlx::query("DELETE FROM list_entries WHERE app_id = $1 AND list_id = $2 AND id = $3")
                .bind(app.to_string())
                .bind(list.to_string())
                .bind(entry.to_string())
                .execute(self.pool())
                .await?
                .rows_affected();
        Ok(affected == 1)
    }

    /// Removes the entries of a list whose value is `normalised` or that were taken from
    /// `session`; returns how many.
    pub async fn delete_list_entries_matching(
        &self,
        app: AppId,
        list: &ListRecord,
        normalised: Option<&str>,
        session: SessionId,
    ) -> StoreResult<u64> {
        let affected = sqlx::query(
            "DELETE FROM list_entries WHERE app_id = $1 AND list_id = $2 \
             AND (reference_session_id = $3 OR value_hash = $4)",
        )
        .bind(app.to_string())
        .bind(list.id.to_string())
        .bind(session.to_string())
        .bind(normalised.map(|n| self.entry_hash(list.entry_type, n)))
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(affected)
    }

    /// Which of `lookups` (entry type, normalised value) are in one of the application's
    /// blocklists.
    pub async fn blocklisted(
        &self,
        app: AppId,
        lookups: &[(EntryType, String)],
    ) -> StoreResult<Vec<(EntryType, String)>> {
        let mut hits = Vec::new();
        for (entry_type, value) in lookups {
            let found = sqlx::query(
                "SELECT e.id FROM list_entries e JOIN lists l ON l.id = e.list_id \
                 WHERE e.app_id = $1 AND e.entry_type = $2 AND e.value_hash = $3 \
                 AND l.list_type = 'blocklist' LIMIT 1",
            )
            .bind(app.to_string())
            .bind(entry_type.as_str())
            .bind(self.entry_hash(*entry_type, value))
            .fetch_optional(self.pool())
            .await?;
            if found.is_some() {
                hits.push((*entry_type, value.clone()));
            }
        }
        Ok(hits)
    }
}
