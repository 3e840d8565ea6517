//! The warnings these engines raise, typed, with the contract's wire names (§2.3).
//!
//! An engine says *what* it found ([`Risk`]); how much it matters is the workflow's or the
//! request's choice ([`Action`]: `NO_ACTION` / `REVIEW` / `DECLINE`), which becomes the
//! warning's `log_type` (`information` / `warning` / `error`) exactly as Didit documents it.
//! Risks Didit always declines ([`Risk::always_declines`]) ignore the action.

use serde::Serialize;
use serde_json::Value;

/// What a workflow or a check request wants done when a risk fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Action {
    /// Record the warning only (`information`); the default everywhere.
    #[default]
    NoAction,
    /// Send the feature to review (`warning`).
    Review,
    /// Decline the feature (`error`).
    Decline,
}

impl Action {
    /// Parses the wire value (`NO_ACTION`, `REVIEW`, `DECLINE`; any case).
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_uppercase().as_str() {
            "NO_ACTION" => Some(Self::NoAction),
            "REVIEW" => Some(Self::Review),
            "DECLINE" => Some(Self::Decline),
            _ => None,
        }
    }

    /// The `log_type` a warning raised under this action carries.
    pub fn log_type(self) -> LogType {
        match self {
            Self::NoAction => LogType::Information,
            Self::Review => LogType::Warning,
            Self::Decline => LogType::Error,
        }
    }
}

/// A warning's severity (`log_type`): `error` declines, `warning` reviews, `information` records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogType {
    /// Recorded only.
    Information,
    /// Sends the feature to review.
    Warning,
    /// Declines the feature.
    Error,
}

impl LogType {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Information => "information",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

/// Every risk the phone, email and IP/device engines can raise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Risk {
    /// VoIP / virtual line (`voip_number_action`).
    VoipNumberDetected,
    /// Receive-SMS / throwaway number (`disposable_number_action`).
    DisposableNumberDetected,
    /// Wrong code entered too often on a phone code (always declines).
    VerificationCodeAttemptsExceeded,
    /// Throwaway mail provider (`disposable_email_action`).
    DisposableEmailDetected,
    /// The domain cannot receive mail: no such domain, a null MX, or no mail host at all
    /// (always declines).
    UndeliverableEmailDetected,
    /// Wrong code entered too often on an email code (always declines).
    EmailCodeAttemptsExceeded,
    /// VPN, proxy or Tor exit (`PRIVATE_NETWORK_DETECTED`; Didit's configurable VPN action).
    PrivateNetworkDetected,
    /// IP country differs from the document's or the claimed country.
    CountryFromDocumentDoesNotMatchCountryFromIp,
}

impl Risk {
    /// The wire code (`risk`).
    pub fn code(self) -> &'static str {
        match self {
            Self::VoipNumberDetected => "VOIP_NUMBER_DETECTED",
            Self::DisposableNumberDetected => "DISPOSABLE_NUMBER_DETECTED",
            Self::VerificationCodeAttemptsExceeded => "VERIFICATION_CODE_ATTEMPTS_EXCEEDED",
            Self::DisposableEmailDetected => "DISPOSABLE_EMAIL_DETECTED",
            Self::UndeliverableEmailDetected => "UNDELIVERABLE_EMAIL_DETECTED",
            Self::EmailCodeAttemptsExceeded => "EMAIL_CODE_ATTEMPTS_EXCEEDED",
            Self::PrivateNetworkDetected => "PRIVATE_NETWORK_DETECTED",
            Self::CountryFromDocumentDoesNotMatchCountryFromIp => {
                "COUNTRY_FROM_DOCUMENT_DOES_NOT_MATCH_COUNTRY_FROM_IP"
            }
        }
    }

    /// The `feature` tag Didit puts on the warning.
    pub fn feature(self) -> &'static str {
        match self {
            Self::VoipNumberDetected
            | Self::DisposableNumberDetected
            | Self::VerificationCodeAttemptsExceeded => "PHONE",
            Self::DisposableEmailDetected
            | Self::UndeliverableEmailDetected
            | Self::EmailCodeAttemptsExceeded => "EMAIL",
            Self::PrivateNetworkDetected | Self::CountryFromDocumentDoesNotMatchCountryFromIp => {
                "LOCATION"
            }
        }
    }

    /// Risks that decline whatever the configured action (Didit's "auto-decline conditions").
    pub fn always_declines(self) -> bool {
        matches!(
            self,
            Self::VerificationCodeAttemptsExceeded
                | Self::UndeliverableEmailDetected
                | Self::EmailCodeAttemptsExceeded
        )
    }

    /// `short_description`.
    pub fn short_description(self) -> &'static str {
        match self {
            Self::VoipNumberDetected => "VoIP number detected",
            Self::DisposableNumberDetected => "Disposable number detected",
            Self::VerificationCodeAttemptsExceeded => "Code attempts exceeded",
            Self::DisposableEmailDetected => "Disposable email detected",
            Self::UndeliverableEmailDetected => "Undeliverable email detected",
            Self::EmailCodeAttemptsExceeded => "Code attempts exceeded",
            Self::PrivateNetworkDetected => "Private network (VPN/Tor) detected",
            Self::CountryFromDocumentDoesNotMatchCountryFromIp => {
                "Document country does not match IP country"
            }
        }
    }

    /// `long_description`.
    pub fn long_description(self) -> &'static str {
        match self {
            Self::VoipNumberDetected => {
                "The number belongs to a VoIP or virtual numbering range rather than a mobile \
                 or fixed line."
            }
            Self::DisposableNumberDetected => {
                "The number is listed as a public receive-SMS number that anyone can read \
                 messages for."
            }
            Self::VerificationCodeAttemptsExceeded => {
                "The user exceeded the maximum number of attempts to enter the correct \
                 verification code."
            }
            Self::DisposableEmailDetected => {
                "The email address belongs to a disposable (throwaway) email provider."
            }
            Self::UndeliverableEmailDetected => {
                "The email domain cannot receive mail: it does not exist or publishes no mail \
                 host."
            }
            Self::EmailCodeAttemptsExceeded => {
                "The user exceeded the maximum number of attempts to enter the correct email \
                 verification code."
            }
            Self::PrivateNetworkDetected => {
                "The connection came through a VPN, a proxy or a Tor exit node, which can hide \
                 the user's real location."
            }
            Self::CountryFromDocumentDoesNotMatchCountryFromIp => {
                "The country of the IP address differs from the country of the user's \
                 document or the claimed country."
            }
        }
    }
}

/// One raised warning: the risk, its severity after the action, and details.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    /// What was found.
    pub risk: Risk,
    /// How much it matters here.
    pub log_type: LogType,
    /// `additional_data` (e.g. both country codes of a mismatch), or `None` for `null`.
    pub additional_data: Option<Value>,
}

impl Warning {
    /// A warning for `risk` under `action` (ignored for the risks that always decline).
    pub fn new(risk: Risk, action: Action) -> Self {
        let log_type = if risk.always_declines() {
            LogType::Error
        } else {
            action.log_type()
        };
        Self {
            risk,
            log_type,
            additional_data: None,
        }
    }

    /// The same warning with `additional_data`.
    pub fn with_data(mut self, data: Value) -> Self {
        self.additional_data = Some(data);
        self
    }

    /// The contract's warning object (`risk`, `feature`, `additional_data`, `log_type`,
    /// `short_description`, `long_description`).
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "risk": self.risk.code(),
            "feature": self.risk.feature(),
            "additional_data": self.additional_data,
            "log_type": self.log_type.as_str(),
            "short_description": self.risk.short_description(),
            "long_description": self.risk.long_description(),
        })
    }
}

/// The feature status the warnings add up to: any `error` declines, any `warning` reviews.
pub fn status_for(warnings: &[Warning]) -> FeatureStatus {
    match warnings.iter().map(|w| w.log_type).max() {
        Some(LogType::Error) => FeatureStatus::Declined,
        Some(LogType::Warning) => FeatureStatus::InReview,
        _ => FeatureStatus::Approved,
    }
}

/// A feature element's status as these engines can decide it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FeatureStatus {
    /// Nothing worse than information.
    Approved,
    /// A warning asks for a person to look.
    #[serde(rename = "In Review")]
    InReview,
    /// An error.
    Declined,
}

impl FeatureStatus {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approved => "Approved",
            Self::InReview => "In Review",
            Self::Declined => "Declined",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_sets_severity_except_for_hard_declines() {
        let w = Warning::new(Risk::VoipNumberDetected, Action::Review);
        assert_eq!(w.log_type, LogType::Warning);
        let hard = Warning::new(Risk::UndeliverableEmailDetected, Action::NoAction);
        assert_eq!(hard.log_type, LogType::Error);
        assert_eq!(
            status_for(std::slice::from_ref(&w)),
            FeatureStatus::InReview
        );
        assert_eq!(status_for(&[w, hard]), FeatureStatus::Declined);
        assert_eq!(
            status_for(&[Warning::new(
                Risk::DisposableEmailDetected,
                Action::NoAction
            )]),
            FeatureStatus::Approved
        );
        assert_eq!(Action::parse("decline"), Some(Action::Decline));
        assert_eq!(Action::parse("later"), None);
    }

    #[test]
    fn wire_shape() {
        let json = Warning::new(Risk::PrivateNetworkDetected, Action::Decline).to_json();
        assert_eq!(json["risk"], "PRIVATE_NETWORK_DETECTED");
        assert_eq!(json["feature"], "LOCATION");
        assert_eq!(json["log_type"], "error");
        assert!(json["additional_data"].is_null());
        assert!(json["long_description"].as_str().unwrap().len() > 20);
    }
}
