//! The use cases of verifyd: what happens when someone registers, logs in, creates a session
//! or submits a check. Each function here loads what it needs from the store, applies the
//! domain's rules from `verifyd-core`, writes the result and returns a domain value. The HTTP
//! crate only parses requests, calls these, and renders results.

pub mod accounts;
pub mod checks;
pub mod error;
pub mod flow;
pub mod mail;
pub mod secrets;
pub mod sessions;
pub mod settings;
pub mod tokens;
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
        let engines =
            checks::Engines::new(settings.models_dir.clone(), settings.sanctions_dir.clone());
        Ok(Self {
            store,
            blobs,
            clock,
            mailer,
            tokens,
            settings: Arc::new(settings),
            engines: Arc::new(engines),
        })
    }
}
