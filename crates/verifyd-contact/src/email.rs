//! Email addresses: syntax (the `email_address` crate, RFC 5321/5322 without display names or
//! domain literals), normalisation, disposable and free-webmail providers (subdomains
//! included), and whether the domain can receive mail at all (DNS, see [`crate::dns`]).
//!
//! Breaches cannot be known offline: no breach corpus ships with verifyd, so every analysis
//! says [`BreachCheck::NotChecked`] and the service must report `is_breached: false`,
//! `breaches: []` *with* that flag, never as a clean result.

use crate::dns::{LookupFailed, MailDomainResolver, MailRoute};
use crate::error::{DataError, EmailError};
use crate::lists::DomainSet;
use crate::warning::{Action, Risk, Warning};

const BUILTIN_DISPOSABLE: &str = include_str!("../data/disposable_email_domains.txt");
const BUILTIN_FREE: &str = include_str!("../data/free_email_domains.txt");

/// A syntactically valid address, normalised: surrounding space trimmed, the domain
/// IDNA-encoded to ASCII, everything lower-cased (local parts are case-insensitive at every
/// provider that matters, and matching must not depend on how a person typed it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress {
    address: String,
    at: usize,
}

impl EmailAddress {
    /// Parses an address.
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let raw = raw.trim();
        if raw.len() > 254 {
            return Err(EmailError::Invalid);
        }
        let options = email_address::Options::default()
            .without_display_text()
            .without_domain_literal()
            .with_required_tld();
        let parsed = email_address::EmailAddress::parse_with_options(raw, options)
            .map_err(|_| EmailError::Invalid)?;
        let domain = idna::domain_to_ascii(parsed.domain()).map_err(|_| EmailError::Invalid)?;
        if domain.is_empty() || !domain.contains('.') {
            return Err(EmailError::Invalid);
        }
        let local = parsed.local_part().to_lowercase();
        let address = format!("{local}@{domain}");
        Ok(Self {
            at: local.len(),
            address,
        })
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.address
    }

    /// The local part (before `@`).
    pub fn local_part(&self) -> &str {
        &self.address[..self.at]
    }

    /// The ASCII domain (after `@`).
    pub fn domain(&self) -> &str {
        &self.address[self.at + 1..]
    }

    /// The form two addresses of one mailbox share, for duplicate checks (`DUPLICATED_EMAIL`):
    /// the `+tag` dropped (sub-addressing, honoured by Gmail, Outlook, iCloud, Proton,
    /// Fastmail…), and for Gmail the dots dropped and `googlemail.com` read as `gmail.com`.
    /// Not for sending: mail goes to [`Self::as_str`].
    pub fn mailbox_key(&self) -> String {
        let local = self.local_part();
        let local = local.split_once('+').map_or(local, |(base, _)| base);
        match self.domain() {
            "gmail.com" | "googlemail.com" => format!("{}@gmail.com", local.replace('.', "")),
            domain => format!("{local}@{domain}"),
        }
    }
}

/// Whether the domain can receive mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deliverability {
    /// DNS names mail hosts for the domain.
    Deliverable {
        /// Most preferred first.
        mail_hosts: Vec<String>,
    },
    /// DNS proves the domain cannot receive mail.
    Undeliverable(MailRoute),
    /// The lookup failed (timeout, server failure): nothing is known.
    Unknown(String),
    /// No lookup was made (no resolver configured).
    NotChecked,
}

impl Deliverability {
    fn from_lookup(result: Result<MailRoute, LookupFailed>) -> Self {
        match result {
            Ok(MailRoute::Hosts { hosts, .. }) => Self::Deliverable { mail_hosts: hosts },
            Ok(route) => Self::Undeliverable(route),
            Err(LookupFailed(why)) => Self::Unknown(why),
        }
    }

    /// `deliverable` in `email_intelligence`: `high`, `none`, or `unknown`.
    pub fn wire(&self) -> &'static str {
        match self {
            Self::Deliverable { .. } => "high",
            Self::Undeliverable(_) => "none",
            Self::Unknown(_) | Self::NotChecked => "unknown",
        }
    }
}

/// Whether the address was looked up in a breach corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreachCheck {
    /// No breach source is available to verifyd; `is_breached` is not known.
    NotChecked,
}

/// Everything the engine can tell about an address (the `email` element's facts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAnalysis {
    /// The normalised address.
    pub email: EmailAddress,
    /// The disposable-provider domain it is at or under (`mail.yopmail.com` → `yopmail.com`).
    pub disposable_domain: Option<String>,
    /// A free webmail provider (Gmail, Outlook…) that is not disposable.
    pub is_free_domain: bool,
    /// What DNS says.
    pub deliverability: Deliverability,
    /// Always [`BreachCheck::NotChecked`] (see the module documentation).
    pub breach_check: BreachCheck,
}

impl EmailAnalysis {
    /// `is_disposable`.
    pub fn is_disposable(&self) -> bool {
        self.disposable_domain.is_some()
    }

    /// `is_undeliverable`: only when DNS proved it (a failed lookup is not a proof).
    pub fn is_undeliverable(&self) -> bool {
        matches!(self.deliverability, Deliverability::Undeliverable(_))
    }

    /// The warnings these facts raise under the workflow's or request's actions.
    pub fn warnings(&self, policy: &EmailPolicy) -> Vec<Warning> {
        let mut warnings = Vec::new();
        if let Some(domain) = &self.disposable_domain {
            warnings.push(
                Warning::new(
                    Risk::DisposableEmailDetected,
                    policy.disposable_email_action,
                )
                .with_data(serde_json::json!({ "domain": domain })),
            );
        }
        if let Deliverability::Undeliverable(route) = &self.deliverability {
            let reason = match route {
                MailRoute::NoSuchDomain => "no_such_domain",
                MailRoute::NullMx => "null_mx",
                _ => "no_mail_host",
            };
            warnings.push(
                Warning::new(Risk::UndeliverableEmailDetected, Action::Decline)
                    .with_data(serde_json::json!({ "reason": reason })),
            );
        }
        warnings
    }
}

/// What to do about a disposable address (`disposable_email_action`, default `NO_ACTION`).
/// Undeliverable addresses always decline (Didit's rule); breaches are never known here.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EmailPolicy {
    /// For `DISPOSABLE_EMAIL_DETECTED`.
    pub disposable_email_action: Action,
}

/// Classifies addresses. Build it once and share it.
#[derive(Debug, Clone)]
pub struct EmailAnalyzer {
    disposable: DomainSet,
    free: DomainSet,
}

impl EmailAnalyzer {
    /// With the built-in disposable and free-webmail lists.
    pub fn builtin() -> Result<Self, DataError> {
        Ok(Self::new(
            DomainSet::parse("disposable_email_domains.txt", BUILTIN_DISPOSABLE)?,
            DomainSet::parse("free_email_domains.txt", BUILTIN_FREE)?,
        ))
    }

    /// With other lists.
    pub fn new(disposable: DomainSet, free: DomainSet) -> Self {
        Self { disposable, free }
    }

    /// The list facts, without DNS ([`Deliverability::NotChecked`]).
    pub fn classify(&self, email: &EmailAddress) -> EmailAnalysis {
        let disposable_domain = self.disposable.matching(email.domain()).map(str::to_owned);
        // The free-webmail list also carries most disposable domains; "free" here means a
        // real provider, so a disposable domain is never also free.
        let is_free_domain =
            disposable_domain.is_none() && self.free.matching(email.domain()).is_some();
        EmailAnalysis {
            email: email.clone(),
            disposable_domain,
            is_free_domain,
            deliverability: Deliverability::NotChecked,
            breach_check: BreachCheck::NotChecked,
        }
    }

    /// The list facts and the domain's deliverability (one DNS question, cached by the
    /// resolver for the record's TTL).
    pub async fn analyze(
        &self,
        email: &EmailAddress,
        resolver: &impl MailDomainResolver,
    ) -> EmailAnalysis {
        let mut analysis = self.classify(email);
        analysis.deliverability =
            Deliverability::from_lookup(resolver.mail_route(email.domain()).await);
        analysis
    }
}
