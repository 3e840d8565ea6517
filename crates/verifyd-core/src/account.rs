//! Console accounts: password policy, email one-time codes and progressive login lockout.

use crate::error::FieldErrors;
use crate::otp;
use chrono::{DateTime, Duration, Utc};
use rand::Rng;

/// How long an emailed one-time code stays valid (contract §5: 10 minutes).
pub const OTP_VALIDITY: Duration = Duration::minutes(10);

/// Length of the emailed one-time code.
pub const OTP_LENGTH: usize = 6;

/// Lifetime of an access token in seconds (contract §5).
pub const ACCESS_TOKEN_SECONDS: i64 = 86_400;

/// Lifetime of a refresh token in seconds (30 days).
pub const REFRESH_TOKEN_SECONDS: i64 = 30 * 86_400;

/// An email address that passed basic syntax checks, trimmed and lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Parses an address; errors are reported against the `email` field.
    pub fn parse(raw: &str) -> Result<Self, FieldErrors> {
        let email = raw.trim().to_lowercase();
        let valid = email.len() <= 254
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && domain.contains('.')
                    && !email.contains(char::is_whitespace)
                    && email.matches('@').count() == 1
            });
        if valid {
            Ok(Self(email))
        } else {
            Err(FieldErrors::single("email", "Enter a valid email address."))
        }
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Checks the password rules: at least 8 characters with an upper-case letter, a lower-case
/// letter, a digit and a special character. All failures are reported, each as its own message.
pub fn check_password(password: &str) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::new();
    if password.chars().count() < 8 {
        errors.add(
            "password",
            "This password is too short. It must contain at least 8 characters.",
        );
    }
    if !password.chars().any(char::is_uppercase) {
        errors.add(
            "password",
            "The password must contain at least one uppercase letter.",
        );
    }
    if !password.chars().any(char::is_lowercase) {
        errors.add(
            "password",
            "The password must contain at least one lowercase letter.",
        );
    }
    if !password.chars().any(|c| c.is_ascii_digit()) {
        errors.add("password", "The password must contain at least one digit.");
    }
    if !password
        .chars()
        .any(|c| !c.is_alphanumeric() && !c.is_whitespace())
    {
        errors.add(
            "password",
            "The password must contain at least one special character.",
        );
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// A fresh 6-character one-time code of upper-case letters and digits, avoiding the
/// look-alikes 0/O and 1/I so that a person can type it from an email without mistakes.
pub fn generate_otp(rng: &mut impl Rng) -> String {
    otp::generate(rng, otp::CodeAlphabet::Unambiguous, OTP_LENGTH)
}

/// Normalises a typed code for comparison (see [`otp::normalise`]).
pub fn normalise_otp(code: &str) -> String {
    otp::normalise(code)
}

/// How long an account is locked after its `failures`-th consecutive failed login
/// (contract §5: 5 → 15 min, 10 → 1 h, 20 → 24 h), or `None` when this failure does not lock.
pub fn lockout_after(failures: u32) -> Option<Duration> {
    match failures {
        5 => Some(Duration::minutes(15)),
        10 => Some(Duration::hours(1)),
        20.. => Some(Duration::hours(24)),
        _ => None,
    }
}

/// Seconds the account is still locked at `now`, if it is.
pub fn locked_for(locked_until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<u64> {
    locked_until
        .filter(|until| *until > now)
        .map(|until| u64::try_from((until - now).num_seconds().max(1)).unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_rules_report_each_failure() {
        assert!(check_password("Str0ng!pass").is_ok());
        let errors = check_password("weak").unwrap_err();
        assert_eq!(errors.0["password"].len(), 4);
        assert!(check_password("NoDigits!!").is_err());
        assert!(check_password("nouppercase1!").is_err());
        assert!(check_password("NoSpecial123").is_err());
    }

    #[test]
    fn lockout_is_progressive() {
        assert_eq!(lockout_after(4), None);
        assert_eq!(lockout_after(5), Some(Duration::minutes(15)));
        assert_eq!(lockout_after(6), None);
        assert_eq!(lockout_after(10), Some(Duration::hours(1)));
        assert_eq!(lockout_after(11), None);
        assert_eq!(lockout_after(20), Some(Duration::hours(24)));
        assert_eq!(lockout_after(21), Some(Duration::hours(24)));
    }

    #[test]
    fn otp_has_six_unambiguous_characters() {
        let mut rng = rand::thread_rng();
        for _ in 0..100 {
            let code = generate_otp(&mut rng);
            assert_eq!(code.len(), OTP_LENGTH);
            assert!(!code.contains(['0', 'O', '1', 'I']));
        }
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse(" Ann@Example.COM ").unwrap().as_str(),
            "ann@example.com"
        );
        assert!(Email::parse("no-at-sign").is_err());
        assert!(Email::parse("a@b").is_err());
        assert!(Email::parse("a@@b.com").is_err());
    }
}
