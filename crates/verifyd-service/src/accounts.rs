//! Console accounts and applications: register, confirm the email, log in with progressive
//! lockout, list organizations and applications, and recognise API keys.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use verifyd_core::account::{
    check_password, generate_otp, locked_for, lockout_after, normalise_otp, Email, OTP_VALIDITY,
};
use verifyd_core::ids::{AccountId, AppId, OrgId};
use verifyd_core::tenant::{Application, Environment};
use verifyd_core::{CoreError, FieldErrors};
use verifyd_store::accounts::{AccountRecord, NewRegistration, OrganizationRecord};
use verifyd_store::apps::{ApplicationCredentials, NewApplication};
use verifyd_store::crypto::lookup_hash;
use verifyd_store::StoreError;

use crate::secrets::{new_api_key, new_client_id, new_webhook_secret};
use crate::tokens::IssuedTokens;
use crate::{ServiceError, ServiceResult, Services};

/// What a confirmed email gives the new user: tokens and the first application's key.
#[derive(Debug)]
pub struct VerifiedAccount {
    /// Console tokens.
    pub tokens: IssuedTokens,
    /// The organization created at registration.
    pub organization: OrganizationRecord,
    /// Its first application with credentials.
    pub application: ApplicationCredentials,
}

const INVALID_CREDENTIALS: &str = "Invalid email or password.";

/// Hashes a password with Argon2id (default parameters) off the async executor.
async fn hash_password(password: String) -> ServiceResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| ServiceError::internal("hashing password", e))
    })
    .await
    .map_err(|e| ServiceError::internal("hash task", e))?
}

/// Checks a password against a PHC string off the async executor.
async fn password_matches(password: String, phc: String) -> ServiceResult<bool> {
    tokio::task::spawn_blocking(move || {
        let parsed =
            PasswordHash::new(&phc).map_err(|e| ServiceError::internal("stored hash", e))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(|e| ServiceError::internal("verify task", e))?
}

fn code_hash(account: AccountId, code: &str) -> String {
    lookup_hash(&format!("{account}:{}", normalise_otp(code)))
}

impl Services {
    /// Registers an account (or re-sends the code to a not-yet-confirmed one) and emails a
    /// one-time code. Returns the normalised email.
    pub async fn register(&self, email: &str, password: &str) -> ServiceResult<String> {
        let mut errors = FieldErrors::new();
        let email = Email::parse(email).map_err(|e| errors.0.extend(e.0)).ok();
        if let Err(e) = check_password(password) {
            errors.0.extend(e.0);
        }
        errors.into_result()?;
        let Some(email) = email else {
            return Err(CoreError::field("email", "Enter a valid email address.").into());
        };
        let now = self.clock.now();
        let password_hash = hash_password(password.to_owned()).await?;
        let account_id = match self.store.account_by_email(email.as_str()).await? {
            Some(existing) if existing.email_verified => {
                return Err(
                    CoreError::field("email", "A user with this email already exists.").into(),
                )
            }
            Some(existing) => {
                self.store
                    .set_password_hash(existing.id, &password_hash)
                    .await?;
                existing.id
            }
            None => {
                let org_id = OrgId::new();
                let registration = NewRegistration {
                    account_id: AccountId::new(),
                    email: email.as_str().to_owned(),
                    password_hash,
                    org_id,
                    org_name: email.as_str().to_owned(),
                    application: new_application(org_id, "Default application", Environment::Live),
                };
                match self.store.create_registration(&registration, now).await {
                    Ok(()) => registration.account_id,
                    Err(StoreError::Conflict(_)) => {
                        return Err(CoreError::field(
                            "email",
                            "A user with this email already exists.",
                        )
                        .into())
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        };
        self.send_code(account_id, email.as_str()).await?;
        Ok(email.as_str().to_owned())
    }

    async fn send_code(&self, account: AccountId, email: &str) -> ServiceResult<()> {
        let now = self.clock.now();
        let code = generate_otp(&mut rand::thread_rng());
        self.store
            .replace_email_code(account, &code_hash(account, &code), now + OTP_VALIDITY, now)
            .await?;
        let body = format!(
            "Your verifyd verification code is: {code}\n\nIt expires in 10 minutes. \
             If you did not ask for it, ignore this message.\n"
        );
        self.mailer
            .send(email, "Your verifyd verification code", &body)
            .await
    }

    /// Confirms the emailed code; returns tokens and the first application's credentials.
    pub async fn verify_email(&self, email: &str, code: &str) -> ServiceResult<VerifiedAccount> {
        let invalid = || CoreError::field("code", "Invalid or expired verification code.");
        let email = Email::parse(email)?;
        let account = self
            .store
            .account_by_email(email.as_str())
            .await?
            .ok_or_else(invalid)?;
        let now = self.clock.now();
        if !self
            .store
            .consume_email_code(account.id, &code_hash(account.id, code), now)
            .await?
        {
            return Err(invalid().into());
        }
        let organization = self
            .store
            .organizations_of(account.id)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| ServiceError::Internal("account without organization".to_owned()))?;
        let application = self
            .store
            .applications_of(organization.id)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| ServiceError::Internal("organization without application".to_owned()))?;
        Ok(VerifiedAccount {
            tokens: self.tokens.issue(account.id, now)?,
            organization,
            application,
        })
    }

    /// Sends a fresh code to an unconfirmed account. Answers the same whether or not the
    /// account exists, so the endpoint cannot be used to probe for addresses.
    pub async fn resend_code(&self, email: &str) -> ServiceResult<()> {
        let email = Email::parse(email)?;
        if let Some(account) = self.store.account_by_email(email.as_str()).await? {
            if !account.email_verified {
                self.send_code(account.id, email.as_str()).await?;
            }
        }
        Ok(())
    }

    /// Logs in with email and password, enforcing progressive lockout.
    pub async fn login(&self, email: &str, password: &str) -> ServiceResult<IssuedTokens> {
        let now = self.clock.now();
        let account = match Email::parse(email) {
            Ok(email) => self.store.account_by_email(email.as_str()).await?,
            Err(_) => None,
        };
        let Some(account) = account else {
            // Spend the same time as a real check so timing does not reveal accounts.
            let _ = hash_password(password.to_owned()).await;
            return Err(CoreError::Unauthorized(INVALID_CREDENTIALS.to_owned()).into());
        };
        if let Some(seconds) = locked_for(account.locked_until, now) {
            return Err(locked(seconds).into());
        }
        if !password_matches(password.to_owned(), account.password_hash.clone()).await? {
            return Err(self.record_failure(&account).await?.into());
        }
        if !account.email_verified {
            return Err(CoreError::Forbidden("Email address is not verified.".to_owned()).into());
        }
        if account.failed_logins > 0 {
            self.store.set_login_failures(account.id, 0, None).await?;
        }
        self.tokens.issue(account.id, now)
    }

    async fn record_failure(&self, account: &AccountRecord) -> ServiceResult<CoreError> {
        let now = self.clock.now();
        let failures = account.failed_logins.saturating_add(1);
        let lock = lockout_after(failures);
        self.store
            .set_login_failures(account.id, failures, lock.map(|d| now + d))
            .await?;
        Ok(match lock {
            Some(duration) => locked(u64::try_from(duration.num_seconds()).unwrap_or(0)),
            None => CoreError::Unauthorized(INVALID_CREDENTIALS.to_owned()),
        })
    }

    /// The account behind a bearer access token.
    pub async fn account_for_token(&self, token: &str) -> ServiceResult<AccountId> {
        let unauthorized = || {
            CoreError::Unauthorized(
                "Authentication credentials were not provided or are invalid.".to_owned(),
            )
        };
        let id = self
            .tokens
            .verify_access(token, self.clock.now())
            .ok_or_else(unauthorized)?;
        self.store.account(id).await?.ok_or_else(unauthorized)?;
        Ok(id)
    }

    /// The organizations of an account.
    pub async fn organizations(
        &self,
        account: AccountId,
    ) -> ServiceResult<Vec<OrganizationRecord>> {
        Ok(self.store.organizations_of(account).await?)
    }

    async fn member_org(&self, account: AccountId, org: OrgId) -> ServiceResult<()> {
        let orgs = self.store.organizations_of(account).await?;
        if orgs.iter().any(|o| o.id == org) {
            Ok(())
        } else {
            Err(CoreError::not_found().into())
        }
    }

    /// The applications of one of the account's organizations.
    pub async fn applications(
        &self,
        account: AccountId,
        org: OrgId,
    ) -> ServiceResult<Vec<ApplicationCredentials>> {
        self.member_org(account, org).await?;
        Ok(self.store.applications_of(org).await?)
    }

    /// One application of one of the account's organizations.
    pub async fn application_credentials(
        &self,
        account: AccountId,
        org: OrgId,
        app: AppId,
    ) -> ServiceResult<ApplicationCredentials> {
        self.member_org(account, org).await?;
        self.store
            .application_of(org, app)
            .await?
            .ok_or_else(|| CoreError::not_found().into())
    }

    /// The application an API key belongs to, if the key is genuine.
    pub async fn application_for_key(&self, api_key: &str) -> ServiceResult<Option<Application>> {
        Ok(self.store.application_by_api_key(api_key).await?)
    }

    /// Creates an organization and an application without an account (self-hosters'
    /// offline `verifyd apps create`).
    pub async fn create_standalone_application(
        &self,
        name: &str,
        environment: Environment,
    ) -> ServiceResult<ApplicationCredentials> {
        let now = self.clock.now();
        let org = OrganizationRecord {
            id: OrgId::new(),
            name: name.to_owned(),
            contact_email: String::new(),
        };
        self.store.create_organization(&org, now).await?;
        let new = new_application(org.id, name, environment);
        self.store.create_application(&new, now).await?;
        Ok(ApplicationCredentials {
            app: new.app,
            api_key: new.api_key,
            webhook_secret: new.webhook_secret,
        })
    }
}

fn locked(seconds: u64) -> CoreError {
    CoreError::TooManyAttempts {
        detail: format!(
            "Too many failed login attempts. Try again in {} seconds.",
            seconds.max(1)
        ),
        retry_after_secs: seconds.max(1),
    }
}

fn new_application(org_id: OrgId, name: &str, environment: Environment) -> NewApplication {
    NewApplication {
        app: Application {
            id: AppId::new(),
            org_id,
            name: name.to_owned(),
            client_id: new_client_id(),
            environment,
        },
        api_key: new_api_key(),
        webhook_secret: new_webhook_secret(),
    }
}
