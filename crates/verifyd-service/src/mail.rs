//! Outgoing email. With `VERIFYD_SMTP_URL` set, mail goes out over SMTP (lettre); otherwise
//! every message is written as an `.eml` file under `<data-dir>/outbox/` and logged, so a
//! self-hoster (and a test) can read one-time codes without a mail server.

use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;

use crate::{ServiceError, ServiceResult};

/// Where mail goes.
#[derive(Clone)]
pub enum Mailer {
    /// An SMTP relay.
    Smtp {
        /// The transport.
        transport: AsyncSmtpTransport<Tokio1Executor>,
        /// The From address.
        from: String,
    },
    /// Files in a folder.
    Outbox {
        /// The folder.
        dir: PathBuf,
        /// The From address.
        from: String,
    },
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Smtp { .. } => f.write_str("Mailer::Smtp"),
            Self::Outbox { dir, .. } => write!(f, "Mailer::Outbox({})", dir.display()),
        }
    }
}

impl Mailer {
    /// SMTP from a URL such as `smtps://user:pass@mail.example.com` or `smtp://localhost:25`.
    pub fn smtp(url: &str, from: String) -> ServiceResult<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| ServiceError::internal("SMTP URL", e))?
            .build();
        Ok(Self::Smtp { transport, from })
    }

    /// Writes messages into `dir` (created on first use).
    pub fn outbox(dir: PathBuf, from: String) -> Self {
        Self::Outbox { dir, from }
    }

    /// Sends a plain-text message.
    pub async fn send(&self, to: &str, subject: &str, body: &str) -> ServiceResult<()> {
        let from = match self {
            Self::Smtp { from, .. } | Self::Outbox { from, .. } => from,
        };
        let message = Message::builder()
            .from(
                from.parse()
                    .map_err(|e| ServiceError::internal("From address", e))?,
            )
            .to(to
                .parse()
                .map_err(|e| ServiceError::internal("To address", e))?)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned())
            .map_err(|e| ServiceError::internal("building email", e))?;
        match self {
            Self::Smtp { transport, .. } => {
                transport
                    .send(message)
                    .await
                    .map_err(|e| ServiceError::internal("SMTP send", e))?;
            }
            Self::Outbox { dir, .. } => {
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| ServiceError::internal("creating outbox", e))?;
                let name = format!(
                    "{}-{}.eml",
                    chrono::Utc::now().format("%Y%m%dT%H%M%S%.6f"),
                    uuid::Uuid::new_v4().simple()
                );
                let path = dir.join(name);
                tokio::fs::write(&path, message.formatted())
                    .await
                    .map_err(|e| ServiceError::internal("writing outbox", e))?;
                tracing::info!(path = %path.display(), subject, "email written to outbox");
            }
        }
        Ok(())
    }
}
