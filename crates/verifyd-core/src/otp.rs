//! One-time codes: the rules shared by console accounts (emailed login codes) and end users
//! (the phone and email verification steps and `/v3/{phone,email}/send|check/`).
//!
//! A code is generated from an alphabet, shown to the person once, and stored only as a keyed
//! hash (HMAC-SHA-256 under a key the service derives from its master key) bound to a
//! *subject* — the address or number plus the session or request it was sent for — so a stolen
//! table cannot be brute-forced offline and a code sent to one address never verifies another.
//! [`OtpChallenge`] is the small state the service stores: when it expires, how many wrong tries
//! are left, how many times it was sent. Every decision takes `now`, so expiry and lockout are
//! tested without sleeping.

use chrono::{DateTime, Duration, Utc};
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::error::FieldErrors;

/// The characters a code is drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CodeAlphabet {
    /// `0-9`: what an SMS or the default email code uses (easy to type on a phone keypad).
    Digits,
    /// `A-Z` and `0-9` (`alphanumeric_code: true` on `/v3/email/send/`).
    Alphanumeric,
    /// Upper-case letters and digits without the look-alikes 0/O and 1/I, for codes a person
    /// copies from an email by eye (console accounts).
    Unambiguous,
}

impl CodeAlphabet {
    fn chars(self) -> &'static [u8] {
        match self {
            Self::Digits => b"0123456789",
            Self::Alphanumeric => b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
            Self::Unambiguous => b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789",
        }
    }
}

/// How codes of one kind are made and how long and how often they may be tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodePolicy {
    /// Number of characters.
    pub length: usize,
    /// The characters drawn from.
    pub alphabet: CodeAlphabet,
    /// Time from sending to expiry.
    pub validity_seconds: i64,
    /// Wrong tries allowed; the try that reaches this number voids the code.
    pub max_attempts: u32,
    /// Codes that may be sent for one challenge (the first send included).
    pub max_sends: u32,
    /// Time a person must wait before asking for the code again.
    pub resend_cooldown_seconds: i64,
}

/// Shortest and longest end-user code (`options.code_size`, OpenAPI `minimum: 4, maximum: 8`).
pub const END_USER_CODE_SIZES: std::ops::RangeInclusive<usize> = 4..=8;

impl CodePolicy {
    /// End users' phone and email codes as the contract gives them: 6 digits by default, valid
    /// 5 minutes, 3 attempts; "Retry" resends within the window (3 sends in all: the first and
    /// two resends, Didit's "maximum 2 resend requests"), at most one every 30 seconds.
    pub const END_USER: Self = Self {
        length: 6,
        alphabet: CodeAlphabet::Digits,
        validity_seconds: 5 * 60,
        max_attempts: 3,
        max_sends: 3,
        resend_cooldown_seconds: 30,
    };

    /// Console accounts' emailed codes (contract §5: 10 minutes, 6 unambiguous characters).
    pub const ACCOUNT: Self = Self {
        length: 6,
        alphabet: CodeAlphabet::Unambiguous,
        validity_seconds: 10 * 60,
        max_attempts: 5,
        max_sends: 5,
        resend_cooldown_seconds: 30,
    };

    /// The end-user policy with the caller's `options.code_size` and `alphanumeric_code`.
    pub fn end_user(code_size: Option<i64>, alphanumeric: bool) -> Result<Self, FieldErrors> {
        let mut policy = Self::END_USER;
        if let Some(size) = code_size {
            let size = usize::try_from(size)
                .ok()
                .filter(|s| END_USER_CODE_SIZES.contains(s))
                .ok_or_else(|| {
                    FieldErrors::single(
                        "code_size",
                        "Ensure this value is between 4 and 8 (inclusive).",
                    )
                })?;
            policy.length = size;
        }
        if alphanumeric {
            policy.alphabet = CodeAlphabet::Alphanumeric;
        }
        Ok(policy)
    }

    fn validity(&self) -> Duration {
        Duration::seconds(self.validity_seconds)
    }
}

/// A fresh code of `length` characters from `alphabet`, uniformly drawn.
pub fn generate(rng: &mut impl Rng, alphabet: CodeAlphabet, length: usize) -> String {
    let chars = alphabet.chars();
    (0..length)
        .map(|_| char::from(chars[rng.gen_range(0..chars.len())]))
        .collect()
}

/// A typed code as it is compared: trimmed, inner spaces and dashes dropped (people type
/// "123 456"), upper-cased (codes are case-insensitive).
pub fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

/// The key codes are hashed under. The service derives it from its master key, so every node
/// verifies codes any node sent. `Debug` never shows it.
#[derive(Clone)]
pub struct OtpKey([u8; 32]);

impl OtpKey {
    /// Wraps 32 key bytes.
    pub fn new(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    fn mac(&self, subject: &str, code: &str) -> Hmac<Sha256> {
        // HMAC zero-pads keys shorter than the hash's 64-byte block, so this is HMAC under the
        // 32-byte key, without the fallible variable-length constructor.
        let mut block = [0u8; 64];
        block[..32].copy_from_slice(&self.0);
        let mut mac = <Hmac<Sha256> as KeyInit>::new(&block.into());
        // Length-prefixed so ("ab", "c") and ("a", "bc") never collide.
        mac.update(&(subject.len() as u64).to_be_bytes());
        mac.update(subject.as_bytes());
        mac.update(normalise(code).as_bytes());
        mac
    }

    fn digest(&self, subject: &str, code: &str) -> String {
        hex::encode(self.mac(subject, code).finalize().into_bytes())
    }

    fn matches(&self, subject: &str, code: &str, stored_hex: &str) -> bool {
        match hex::decode(stored_hex) {
            // Constant-time comparison.
            Ok(stored) => self.mac(subject, code).verify_slice(&stored).is_ok(),
            Err(_) => false,
        }
    }
}

impl std::fmt::Debug for OtpKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OtpKey(<redacted>)")
    }
}

/// A code in clear, to hand to the mailer or SMS provider once. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct PlainCode(String);

impl PlainCode {
    /// The code, for the message to the person.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for PlainCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PlainCode(<redacted>)")
    }
}

/// What checking a typed code gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtpOutcome {
    /// The code is right; the challenge is now used up.
    Accepted,
    /// Wrong code; `remaining` tries are left.
    Rejected {
        /// Tries left before the code is void.
        remaining: u32,
    },
    /// Wrong code and no try is left (this one included): the code is void
    /// (`EMAIL_CODE_ATTEMPTS_EXCEEDED` / `VERIFICATION_CODE_ATTEMPTS_EXCEEDED`).
    AttemptsExceeded,
    /// The code expired, was voided by wrong tries, or was already used ("Expired or Not Found").
    NotPending,
}

/// Why a code cannot be sent again yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResendRefused {
    /// Too soon after the previous send; try again after this many seconds.
    Cooldown {
        /// Seconds to wait.
        retry_after_seconds: i64,
    },
    /// Every send this challenge allows was used.
    SendsExhausted,
}

/// One code in flight for one subject: what the service stores between send and check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtpChallenge {
    /// Hex HMAC of the subject and the code.
    code_hash: String,
    policy: CodePolicy,
    sent_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    /// Wrong tries so far on the current code.
    attempts: u32,
    /// Codes sent so far (1 after the first send).
    sends: u32,
    /// Right code entered (the challenge can never verify again).
    verified_at: Option<DateTime<Utc>>,
    /// Tries exhausted on the current code.
    voided: bool,
}

impl OtpChallenge {
    /// Makes a new code for `subject` and the state to store; the code goes to the person.
    pub fn issue(
        key: &OtpKey,
        subject: &str,
        policy: CodePolicy,
        rng: &mut impl Rng,
        now: DateTime<Utc>,
    ) -> (Self, PlainCode) {
        let code = generate(rng, policy.alphabet, policy.length);
        let challenge = Self {
            code_hash: key.digest(subject, &code),
            policy,
            sent_at: now,
            expires_at: now + policy.validity(),
            attempts: 0,
            sends: 1,
            verified_at: None,
            voided: false,
        };
        (challenge, PlainCode(code))
    }

    /// Sends a new code for the same challenge ("Retry"): a fresh code, a fresh validity window
    /// and fresh tries, unless the cooldown or the send budget says no. A verified challenge is
    /// never reissued.
    pub fn reissue(
        &mut self,
        key: &OtpKey,
        subject: &str,
        rng: &mut impl Rng,
        now: DateTime<Utc>,
    ) -> Result<PlainCode, ResendRefused> {
        if self.verified_at.is_some() || self.sends >= self.policy.max_sends {
            return Err(ResendRefused::SendsExhausted);
        }
        let ready_at = self.sent_at + Duration::seconds(self.policy.resend_cooldown_seconds);
        if now < ready_at {
            return Err(ResendRefused::Cooldown {
                retry_after_seconds: (ready_at - now).num_seconds().max(1),
            });
        }
        let code = generate(rng, self.policy.alphabet, self.policy.length);
        self.code_hash = key.digest(subject, &code);
        self.sent_at = now;
        self.expires_at = now + self.policy.validity();
        self.attempts = 0;
        self.sends += 1;
        self.voided = false;
        Ok(PlainCode(code))
    }

    /// Checks a typed code. Every wrong try counts, the last allowed one voids the code, and a
    /// right code works once.
    pub fn verify(
        &mut self,
        key: &OtpKey,
        subject: &str,
        typed: &str,
        now: DateTime<Utc>,
    ) -> OtpOutcome {
        if !self.is_pending(now) {
            return OtpOutcome::NotPending;
        }
        if key.matches(subject, typed, &self.code_hash) {
            self.verified_at = Some(now);
            return OtpOutcome::Accepted;
        }
        self.attempts += 1;
        if self.attempts >= self.policy.max_attempts {
            self.voided = true;
            OtpOutcome::AttemptsExceeded
        } else {
            OtpOutcome::Rejected {
                remaining: self.policy.max_attempts - self.attempts,
            }
        }
    }

    /// Whether the current code can still be checked at `now`.
    pub fn is_pending(&self, now: DateTime<Utc>) -> bool {
        self.verified_at.is_none() && !self.voided && now < self.expires_at
    }

    /// Wrong tries on the current code (`verification_attempts` counts these plus the right one).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Codes sent so far.
    pub fn sends(&self) -> u32 {
        self.sends
    }

    /// When the right code was entered.
    pub fn verified_at(&self) -> Option<DateTime<Utc>> {
        self.verified_at
    }

    /// When the current code stops working.
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }

    /// The rules this challenge follows.
    pub fn policy(&self) -> &CodePolicy {
        &self.policy
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn key() -> OtpKey {
        OtpKey::new([7; 32])
    }

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn codes_follow_the_policy_alphabet_and_length() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        for size in END_USER_CODE_SIZES {
            let policy = CodePolicy::end_user(Some(size as i64), false).unwrap();
            let code = generate(&mut rng, policy.alphabet, policy.length);
            assert_eq!(code.len(), size);
            assert!(code.chars().all(|c| c.is_ascii_digit()), "{code}");
        }
        let alnum = CodePolicy::end_user(None, true).unwrap();
        let codes: String = (0..200)
            .map(|_| generate(&mut rng, alnum.alphabet, alnum.length))
            .collect();
        assert!(codes.chars().any(|c| c.is_ascii_uppercase()));
        assert!(codes.chars().all(|c| c.is_ascii_alphanumeric()));
        for bad in [3, 9, -1] {
            assert!(CodePolicy::end_user(Some(bad), false).is_err());
        }
    }

    #[test]
    fn right_code_is_accepted_once_and_case_insensitively() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(2);
        let policy = CodePolicy::end_user(None, true).unwrap();
        let (mut c, code) = OtpChallenge::issue(&key(), "a@b.co", policy, &mut rng, t0());
        let typed = format!(" {} ", code.expose().to_lowercase());
        assert_eq!(
            c.verify(&key(), "a@b.co", &typed, t0()),
            OtpOutcome::Accepted
        );
        assert_eq!(c.verified_at(), Some(t0()));
        assert_eq!(
            c.verify(&key(), "a@b.co", code.expose(), t0()),
            OtpOutcome::NotPending
        );
    }

    #[test]
    fn a_code_is_bound_to_its_subject_and_key() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let (c, code) =
            OtpChallenge::issue(&key(), "+14155552671", CodePolicy::END_USER, &mut rng, t0());
        assert!(!c.code_hash.contains(code.expose()));
        let mut other_subject = c.clone();
        assert!(matches!(
            other_subject.verify(&key(), "+14155552672", code.expose(), t0()),
            OtpOutcome::Rejected { .. }
        ));
        let mut other_key = c.clone();
        assert!(matches!(
            other_key.verify(&OtpKey::new([8; 32]), "+14155552671", code.expose(), t0()),
            OtpOutcome::Rejected { .. }
        ));
        assert_eq!(
            format!("{code:?} {:?}", key()),
            "PlainCode(<redacted>) OtpKey(<redacted>)"
        );
    }

    #[test]
    fn third_wrong_try_voids_the_code() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(4);
        let (mut c, code) = OtpChallenge::issue(&key(), "s", CodePolicy::END_USER, &mut rng, t0());
        let wrong = if code.expose() == "000000" {
            "111111"
        } else {
            "000000"
        };
        assert_eq!(
            c.verify(&key(), "s", wrong, t0()),
            OtpOutcome::Rejected { remaining: 2 }
        );
        assert_eq!(
            c.verify(&key(), "s", wrong, t0()),
            OtpOutcome::Rejected { remaining: 1 }
        );
        assert_eq!(
            c.verify(&key(), "s", wrong, t0()),
            OtpOutcome::AttemptsExceeded
        );
        // Even the right code no longer works.
        assert_eq!(
            c.verify(&key(), "s", code.expose(), t0()),
            OtpOutcome::NotPending
        );
        assert_eq!(c.attempts(), 3);
    }

    #[test]
    fn codes_expire_and_resends_respect_cooldown_and_budget() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        let (mut c, first) = OtpChallenge::issue(&key(), "s", CodePolicy::END_USER, &mut rng, t0());
        let late = t0() + Duration::minutes(5);
        assert_eq!(
            c.verify(&key(), "s", first.expose(), late),
            OtpOutcome::NotPending
        );

        let mut r = c.clone();
        assert_eq!(
            r.reissue(&key(), "s", &mut rng, t0() + Duration::seconds(10)),
            Err(ResendRefused::Cooldown {
                retry_after_seconds: 20
            })
        );
        let second = c.reissue(&key(), "s", &mut rng, late).unwrap();
        assert_eq!(c.sends(), 2);
        assert_eq!(c.expires_at(), late + Duration::minutes(5));
        // The old code no longer works; the new one does.
        if first != second {
            assert!(matches!(
                c.clone().verify(&key(), "s", first.expose(), late),
                OtpOutcome::Rejected { .. }
            ));
        }
        let later = late + Duration::minutes(1);
        c.reissue(&key(), "s", &mut rng, later).unwrap();
        assert_eq!(
            c.reissue(&key(), "s", &mut rng, later + Duration::minutes(1)),
            Err(ResendRefused::SendsExhausted)
        );
    }

    #[test]
    fn challenge_round_trips_through_storage() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(6);
        let (c, code) = OtpChallenge::issue(&key(), "s", CodePolicy::ACCOUNT, &mut rng, t0());
        let stored = serde_json::to_string(&c).unwrap();
        assert!(!stored.contains(code.expose()));
        let mut back: OtpChallenge = serde_json::from_str(&stored).unwrap();
        assert_eq!(
            back.verify(&key(), "s", code.expose(), t0()),
            OtpOutcome::Accepted
        );
    }

    #[test]
    fn normalising_drops_spaces_dashes_and_case() {
        assert_eq!(normalise(" ab3-4 5 "), "AB345");
    }
}
