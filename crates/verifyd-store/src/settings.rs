//! Installation-wide settings shared by every node (e.g. the token-signing key), so that
//! several stateless verifyd processes agree on them through the database.

use sqlx::Row;

use crate::{Store, StoreResult};

impl Store {
    /// Reads a setting, opening it if it was stored sealed.
    pub async fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| r.try_get::<String, _>("value"))
            .transpose()?
            .map(|sealed| self.cipher().open_str(&sealed))
            .transpose()
    }

    /// Stores `value` sealed under `key` unless a value is already there; returns the value
    /// that won (so concurrent first starts agree).
    pub async fn setting_or_insert(&self, key: &str, value: &str) -> StoreResult<String> {
        let sealed = self.cipher().seal_str(value)?;
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(sealed)
        .execute(self.pool())
        .await?;
        match self.setting(key).await? {
            Some(stored) => Ok(stored),
            None => Ok(value.to_owned()),
        }
    }
}
