//! Configuration: embedded defaults (`config.default.toml`, every key documented there) →
//! an optional TOML file → `VERIFYD_*` environment variables → command-line flags.

use anyhow::{bail, Context};
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The documented defaults, compiled in.
pub const DEFAULTS: &str = include_str!("../../../config.default.toml");

/// Every configuration key (kept equal to the fields of [`Config`] by a test).
const KEYS: [&str; 23] = [
    "data_dir",
    "listen",
    "public_url",
    "database_url",
    "blob_url",
    "master_key",
    "smtp_url",
    "smtp_from",
    "rate_limit_reads_per_minute",
    "rate_limit_writes_per_minute",
    "rate_limit_session_creates_per_minute",
    "rate_limit_registrations_per_hour",
    "log_format",
    "models_dir",
    "sanctions_dir",
    "lists_sources",
    "lists_refresh_hours",
    "webhook_retry_schedule",
    "webhook_allow_private_targets",
    "billing_enabled",
    "billing_prices",
    "stripe_secret_key",
    "frame_ancestors",
];

/// Raw configuration as read from the layers.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where SQLite, local blobs, the outbox and the master key live.
    pub data_dir: PathBuf,
    /// Address to listen on.
    pub listen: String,
    /// Base URL for session links; defaults to `http://{listen}`.
    pub public_url: Option<String>,
    /// `postgres://…`; SQLite in the data dir when absent.
    pub database_url: Option<String>,
    /// `s3://bucket/prefix` for blobs; a local folder when absent.
    pub blob_url: Option<String>,
    /// Base64 32-byte master key; generated into the data dir when absent.
    pub master_key: Option<String>,
    /// SMTP relay URL; the outbox folder when absent.
    pub smtp_url: Option<String>,
    /// From address of outgoing email.
    pub smtp_from: String,
    /// Reads per minute per API key.
    pub rate_limit_reads_per_minute: u32,
    /// Writes per minute per API key.
    pub rate_limit_writes_per_minute: u32,
    /// Session creations per minute per API key.
    pub rate_limit_session_creates_per_minute: u32,
    /// Registrations per hour per client IP.
    pub rate_limit_registrations_per_hour: u32,
    /// `text` or `json` logs.
    pub log_format: String,
    /// The ONNX models folder (the repository's `models/`).
    pub models_dir: PathBuf,
    /// Sanctions/PEP list files for `/v3/aml/`; AML results say no lists are loaded when absent.
    pub sanctions_dir: Option<PathBuf>,
    /// Lists downloaded on a schedule: `"<list>=<url> [<url> …]"` each.
    pub lists_sources: Vec<String>,
    /// Hours between two downloads of `lists_sources`.
    pub lists_refresh_hours: u64,
    /// Delays before webhook retries, e.g. `1m,4m`.
    pub webhook_retry_schedule: String,
    /// Allow webhook destinations on loopback/private/link-local addresses.
    pub webhook_allow_private_targets: bool,
    /// Check and charge credits for live sessions and standalone calls.
    pub billing_enabled: bool,
    /// Price per feature (`OCR`, `FACE_MATCH`…) as a decimal string of dollars.
    pub billing_prices: std::collections::BTreeMap<String, String>,
    /// Stripe secret key for `POST /v3/billing/top-up/`; top-up answers 400 when absent.
    pub stripe_secret_key: Option<String>,
    /// CSP `frame-ancestors` of the hosted page: who may embed it (the web SDK's iframe).
    pub frame_ancestors: String,
}

/// Command-line overrides (highest precedence).
#[derive(Debug, Default, Serialize)]
pub struct Overrides {
    /// `--data-dir`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    /// `--listen`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
}

impl Config {
    /// Loads the layers in order; `file` is `--config` (or `VERIFYD_CONFIG`).
    pub fn load(file: Option<&Path>, overrides: Overrides) -> anyhow::Result<Self> {
        let mut figment = Figment::from(Toml::string(DEFAULTS));
        if let Some(file) = file {
            if !file.exists() {
                bail!("config file {} does not exist", file.display());
            }
            figment = figment.merge(Toml::file(file));
        }
        let config: Config = figment
            .merge(Env::prefixed("VERIFYD_").filter(|key| Self::is_key(key.as_str())))
            .merge(Serialized::defaults(overrides))
            .extract()
            .context("invalid configuration")?;
        config.validate()?;
        Ok(config)
    }

    /// Whether `key` (lower-case, without the `VERIFYD_` prefix) is a configuration key, so
    /// that unrelated `VERIFYD_*` variables (test harness settings, say) are not taken for
    /// unknown configuration.
    fn is_key(key: &str) -> bool {
        KEYS.iter().any(|known| known.eq_ignore_ascii_case(key))
    }

    fn validate(&self) -> anyhow::Result<()> {
        self.listen_addr()?;
        if let Some(url) = &self.public_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                bail!("public_url must start with http:// or https://");
            }
        }
        if self.frame_ancestors.trim().is_empty()
            || self
                .frame_ancestors
                .chars()
                .any(|c| matches!(c, ';' | ',' | '\n' | '\r'))
        {
            bail!("frame_ancestors must be a space-separated list of CSP sources, e.g. \"*\" or \"'self' https://shop.example\"");
        }
        if !matches!(self.log_format.as_str(), "text" | "json") {
            bail!("log_format must be text or json");
        }
        self.refresh_sources()?;
        if self.lists_refresh_hours == 0 {
            bail!("lists_refresh_hours must be at least 1");
        }
        self.webhook_retry_schedule()?;
        self.billing().map_err(anyhow::Error::msg)?;
        Ok(())
    }

    /// The parsed listen address.
    pub fn listen_addr(&self) -> anyhow::Result<SocketAddr> {
        self.listen
            .parse()
            .with_context(|| format!("listen address {:?} is not host:port", self.listen))
    }

    /// The parsed `lists_sources`.
    pub fn refresh_sources(&self) -> anyhow::Result<Vec<crate::lists::RefreshSource>> {
        self.lists_sources
            .iter()
            .map(|spec| crate::lists::RefreshSource::parse(spec))
            .collect()
    }

    /// The parsed webhook retry schedule.
    pub fn webhook_retry_schedule(&self) -> anyhow::Result<Vec<std::time::Duration>> {
        verifyd_service::webhooks::parse_retry_schedule(&self.webhook_retry_schedule)
            .map_err(|e| anyhow::anyhow!("webhook_retry_schedule: {e}"))
    }

    /// The database URL in effect.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| verifyd_store::Store::sqlite_url(&self.data_dir))
    }

    /// The billing settings in effect (configured prices over the defaults).
    pub fn billing(&self) -> Result<verifyd_service::billing::BillingSettings, String> {
        let mut billing = verifyd_service::billing::BillingSettings::default()
            .with_prices(&self.billing_prices)?;
        billing.enabled = self.billing_enabled;
        billing.stripe_secret_key = self.stripe_secret_key.clone().filter(|k| !k.is_empty());
        Ok(billing)
    }

    /// The public base URL in effect, without a trailing slash.
    pub fn public_url(&self, bound: SocketAddr) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{bound}"))
            .trim_end_matches('/')
            .to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_list_matches_the_fields() {
        let config: Config = Figment::from(Toml::string(DEFAULTS)).extract().unwrap();
        let value = serde_json::to_value(config).unwrap();
        let mut fields: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert!(Config::is_key("RATE_LIMIT_READS_PER_MINUTE"));
        assert!(!Config::is_key("PYTHON"));
        let mut keys = KEYS.to_vec();
        fields.sort_unstable();
        keys.sort_unstable();
        assert_eq!(fields, keys);
    }
}
