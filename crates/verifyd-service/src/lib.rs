//! The use cases of verifyd: what happens when someone registers, logs in, creates a session
//! or submits a check. Each function here loads what it needs from the store, applies the
//! domain's rules from `verifyd-core`, writes the result and returns a domain value. The HTTP
//! crate only parses requests, calls these, and renders results.

pub mod accounts;
pub mod billing;
pub mod checks;
pub mod error;
pub mod faces;
pub mod flow;
pub mod lists;
pub mod mail;
pub mod questionnaires;
pub mod screening;
pub mod secrets;
pub mod sessions;
pub mod settings;
pub mod sharing;
pub mod tokens;
pub mod users;
pub mod webhooks;
pub mod workflows;

use std::sync::Arc;
use verifyd_core::Clock;
use verifyd_store::{BlobStore, Store};

pub use error::{ServiceError, ServiceResult};
pub use settings::Settings;

/// Everything a use case needs, shared by all requests.
#[derive(Clone)]
pub struct Services {
    /// The database.
    pub store: Store,
    /// Sealed object storage.
    pub blobs: BlobStore,
    /// The injected clock.
    pub clock: Arc<dyn Clock>,
    /// Outgoing email.
    pub mailer: mail::Mailer,
    /// Access-token signing and checking.
    pub tokens: tokens::TokenKeys,
    /// Validated configuration.
    pub settings: Arc<Settings>,
    /// The check engines (faces, documents, screening), loaded on first use.
    pub engines: Arc<checks::Engines>,
    /// This node's cached 1:N face indexes, one per application.
    pub face_indexes: Arc<faces::FaceIndexes>,
    /// Webhook delivery: the HTTP client and the delivery loop's wake-up signal.
    pub webhooks: Arc<webhooks::WebhookRuntime>,
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Services").finish_non_exhaustive()
    }
}

impl Services {
    /// Assembles the services; loads (or creates once) the token-signing key from the store.
    pub async fn new(
        store: Store,
        blobs: BlobStore,
        clock: Arc<dyn Clock>,
        mailer: mail::Mailer,
        settings: Settings,
    ) -> ServiceResult<Self> {
        let tokens = tokens::TokenKeys::load_or_create(&store).await?;
        let engines = checks::Engines::new(
            settings.models_dir.clone(),
            screening::ScreeningLists::new(store.clone(), settings.sanctions_dir.clone()),
        );
        let webhooks = webhooks::WebhookRuntime::new(
            settings.webhook_retry_schedule.clone(),
            settings.webhook_allow_private_targets,
        )?;
        Ok(Self {
            webhooks: Arc::new(webhooks),
            store,
            blobs,
            clock,
            mailer,
            tokens,
            settings: Arc::new(settings),
            engines: Arc::new(engines),
            face_indexes: Arc::default(),
        })
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Services on a temporary SQLite database, for use-case tests.

    use std::sync::Arc;
    use verifyd_core::Clock;
    use verifyd_store::{BlobStore, Cipher, Store};

    use crate::billing::BillingSettings;
    use crate::{Services, Settings};

    /// Services in `dir` (reusing its master key file so a second call is another "node").
    pub async fn services(
        dir: &std::path::Path,
        billing: BillingSettings,
        clock: Option<Arc<dyn Clock>>,
    ) -> Services {
        let key_file = dir.join("master.key");
        let key = std::fs::read_to_string(&key_file).unwrap_or_else(|_| {
            let key = Cipher::generate_base64();
            std::fs::write(&key_file, &key).unwrap();
            key
        });
        let cipher = Cipher::from_base64(&key).unwrap();
        let store = Store::connect(&Store::sqlite_url(dir), cipher.clone())
            .await
            .unwrap();
        let blobs = BlobStore::local(&dir.join("blobs"), cipher).unwrap();
        let mailer = crate::mail::Mailer::outbox(dir.join("outbox"), "t <t@t.t>".into());
        let mut settings = Settings::for_data_dir(dir.to_owned(), "http://h".into());
        settings.billing = billing;
        let clock = clock.unwrap_or_else(|| Arc::new(verifyd_core::SystemClock));
        Services::new(store, blobs, clock, mailer, settings)
            .await
            .unwrap()
    }
}
