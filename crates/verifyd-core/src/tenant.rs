//! Organizations and applications: who owns what. Every API resource belongs to exactly one
//! application, and an application's API key only ever reaches that application's data.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::ids::{AppId, OrgId};

/// Whether an application verifies real people or runs scripted sandbox scenarios.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// Real verifications, real engines, billing applies.
    #[default]
    Live,
    /// Test traffic: `sandbox_scenario` drives outcomes, no billing.
    Sandbox,
}

impl Environment {
    /// The wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Live => "live",
            Self::Sandbox => "sandbox",
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text was neither `live` nor `sandbox`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("environment must be live or sandbox")]
pub struct UnknownEnvironment;

impl FromStr for Environment {
    type Err = UnknownEnvironment;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "live" => Ok(Self::Live),
            "sandbox" => Ok(Self::Sandbox),
            _ => Err(UnknownEnvironment),
        }
    }
}

/// An application as the rest of the system sees it once its API key was recognised.
#[derive(Clone, PartialEq, Eq)]
pub struct Application {
    /// Its id (the tenant key of every resource).
    pub id: AppId,
    /// The organization owning it.
    pub org_id: OrgId,
    /// Display name.
    pub name: String,
    /// Public client identifier.
    pub client_id: String,
    /// Live or sandbox.
    pub environment: Environment,
}

impl fmt::Debug for Application {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Application")
            .field("id", &self.id)
            .field("org_id", &self.org_id)
            .field("environment", &self.environment)
            .finish_non_exhaustive()
    }
}
