//! Turning configuration into running services: the master key, the store, blobs, mail.

use anyhow::Context;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use verifyd_core::SystemClock;
use verifyd_http::{AppState, RateLimiter, RateLimits};
use verifyd_service::mail::Mailer;
use verifyd_service::{Services, Settings};
use verifyd_store::{BlobStore, Cipher, Store};

use crate::config::Config;

/// Reads the master key from config, or from `<data_dir>/master.key`, creating that file
/// (mode 0600) with a fresh key on first start.
pub fn master_key(config: &Config) -> anyhow::Result<Cipher> {
    if let Some(key) = &config.master_key {
        return Cipher::from_base64(key).context("master_key");
    }
    let path = config.data_dir.join("master.key");
    if !path.exists() {
        let key = Cipher::generate_base64();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(&path) {
            Ok(mut file) => {
                file.write_all(key.as_bytes())?;
                file.sync_all()?;
                tracing::info!(path = %path.display(), "generated a new master key");
            }
            // Another process created it first; use theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e).context("creating master key file"),
        }
    }
    let key =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Cipher::from_base64(&key).context("master key file")
}

/// Opens storage and assembles the use cases.
pub async fn services(config: &Config, bound: SocketAddr) -> anyhow::Result<Services> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating data dir {}", config.data_dir.display()))?;
    let cipher = master_key(config)?;
    let store = Store::connect(&config.database_url(), cipher.clone())
        .await
        .context("opening the database")?;
    let blobs = match &config.blob_url {
        Some(url) => BlobStore::from_url(url, cipher)?,
        None => BlobStore::local(&config.data_dir.join("blobs"), cipher)?,
    };
    let mailer = match &config.smtp_url {
        Some(url) => Mailer::smtp(url, config.smtp_from.clone())?,
        None => Mailer::outbox(config.data_dir.join("outbox"), config.smtp_from.clone()),
    };
    let settings = Settings {
        public_url: config.public_url(bound),
        data_dir: config.data_dir.clone(),
        register_per_ip_per_hour: config.rate_limit_registrations_per_hour,
        models_dir: config.models_dir.clone(),
        sanctions_dir: config.sanctions_dir.clone(),
        webhook_retry_schedule: config.webhook_retry_schedule()?,
        webhook_allow_private_targets: config.webhook_allow_private_targets,
        billing: config.billing().map_err(anyhow::Error::msg)?,
        frame_ancestors: config.frame_ancestors.clone(),
    };
    Ok(Services::new(store, blobs, Arc::new(SystemClock), mailer, settings).await?)
}

/// The HTTP state for the services.
pub fn http_state(config: &Config, services: Services) -> AppState {
    AppState {
        services,
        limiter: Arc::new(RateLimiter::new(RateLimits {
            reads_per_minute: config.rate_limit_reads_per_minute,
            writes_per_minute: config.rate_limit_writes_per_minute,
            session_creates_per_minute: config.rate_limit_session_creates_per_minute,
            registrations_per_hour: config.rate_limit_registrations_per_hour,
        })),
    }
}
