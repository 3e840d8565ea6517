//! Validated runtime settings the use cases read (loaded and checked by the binary).

use std::path::PathBuf;

/// Settings that shape behaviour, as opposed to wiring (database URL, listen address).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Base URL used to build session links, e.g. `https://verify.example.com`.
    pub public_url: String,
    /// Data directory (outbox, models, local blobs).
    pub data_dir: PathBuf,
    /// Registrations allowed per client IP per hour.
    pub register_per_ip_per_hour: u32,
    /// The ONNX models (`face_detection/`, `ocr/`, …), loaded on first use.
    pub models_dir: PathBuf,
    /// Sanctions/PEP list files for AML screening; none loaded when absent.
    pub sanctions_dir: Option<PathBuf>,
    /// Delays before the retries of a failed webhook delivery (contract: 1 min, then 4 min).
    pub webhook_retry_schedule: Vec<std::time::Duration>,
    /// Allow webhook destinations on loopback/private/link-local addresses (development).
    pub webhook_allow_private_targets: bool,
    /// Credits, prices and top-up (off by default).
    pub billing: crate::billing::BillingSettings,
    /// CSP `frame-ancestors` sources of the hosted page (who may embed it in an iframe).
    pub frame_ancestors: String,
}

impl Settings {
    /// Defaults for a data directory, as used by tests.
    pub fn for_data_dir(data_dir: PathBuf, public_url: String) -> Self {
        Self {
            public_url,
            data_dir,
            register_per_ip_per_hour: 5,
            models_dir: PathBuf::from("models"),
            sanctions_dir: None,
            webhook_retry_schedule: vec![
                std::time::Duration::from_secs(60),
                std::time::Duration::from_secs(240),
            ],
            webhook_allow_private_targets: false,
            billing: crate::billing::BillingSettings::default(),
            frame_ancestors: "*".to_owned(),
        }
    }
}
