//! Persistence for verifyd.
//!
//! One query set serves both backends through sqlx's `Any` driver: SQLite (WAL, foreign keys
//! on, full fsync) in the data directory by default, PostgreSQL when `VERIFYD_DATABASE_URL`
//! says so. Schemas live in `migrations/sqlite` and `migrations/postgres` and are applied on
//! start. Every tenant-scoped method takes the application id first; there is no unscoped
//! read of tenant data.
//!
//! Secrets that must be shown again (API keys, webhook secrets) and personal data are sealed
//! with AES-256-GCM under the master key ([`crypto::Cipher`]); lookups go through hashes.

pub mod accounts;
pub mod apps;
pub mod blobs;
pub mod crypto;
pub mod extras;
pub mod faces;
pub mod lists;
pub mod sanctions;
pub mod sessions;
pub mod settings;
pub mod users;
pub mod webhooks;
pub mod workflows;

use chrono::{DateTime, Utc};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor};
use std::time::Duration;

pub use blobs::BlobStore;
pub use crypto::Cipher;

/// What can go wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed or was unreachable.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Applying migrations failed.
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A uniqueness constraint was hit (the value names the constraint's subject).
    #[error("already exists: {0}")]
    Conflict(String),
    /// Stored data could not be decrypted or decoded.
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
    /// The blob store failed.
    #[error("blob store error: {0}")]
    Blob(#[from] object_store::Error),
    /// The configuration of the store is unusable.
    #[error("storage configuration: {0}")]
    Config(String),
}

/// Result alias for storage calls.
pub type StoreResult<T> = Result<T, StoreError>;

/// Which SQL engine is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite, one file in the data directory.
    Sqlite,
    /// PostgreSQL, shared by any number of verifyd nodes.
    Postgres,
}

/// The database handle shared by every request: a connection pool and the sealing key.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    cipher: Cipher,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Connects to `database_url` (`sqlite://…` or `postgres://…`) and applies migrations.
    pub async fn connect(database_url: &str, cipher: Cipher) -> StoreResult<Self> {
        sqlx::any::install_default_drivers();
        let backend = if database_url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if database_url.starts_with("postgres:") || database_url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::Config(
                "database URL must start with sqlite: or postgres:".to_owned(),
            ));
        };
        let options = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run beside the writer; FULL makes every commit
                        // durable before it is acknowledged; foreign keys keep rows consistent.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            });
        let pool = options.connect(database_url).await?;
        match backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&pool).await?,
        }
        Ok(Self {
            pool,
            backend,
            cipher,
        })
    }

    /// The SQLite URL for a database file inside `data_dir`, created if missing.
    pub fn sqlite_url(data_dir: &std::path::Path) -> String {
        format!(
            "sqlite://{}?mode=rwc",
            data_dir.join("verifyd.db").display()
        )
    }

    /// Which engine this store runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The sealing key, for values that are encrypted at rest.
    pub fn cipher(&self) -> &Cipher {
        &self.cipher
    }

    /// A cheap round trip to the database, for the healthcheck.
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes every connection (graceful shutdown).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

/// Microseconds since the epoch, the stored form of every timestamp.
pub(crate) fn to_micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

/// The inverse of [`to_micros`].
pub(crate) fn from_micros(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

/// Maps a unique-constraint violation to [`StoreError::Conflict`].
pub(crate) fn conflict_on_unique(err: sqlx::Error, what: &str) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(what.to_owned())
        }
        _ => StoreError::Database(err),
    }
}

/// Reads a UUID stored as text.
pub(crate) fn uuid_col(row: &AnyRow, column: &str) -> StoreResult<uuid::Uuid> {
    use sqlx::Row;
    let text: String = row.try_get(column)?;
    uuid::Uuid::parse_str(&text).map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
}
