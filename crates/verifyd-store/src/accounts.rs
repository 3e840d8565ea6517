//! Console accounts, their organizations and emailed one-time codes.

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;
use verifyd_core::ids::{AccountId, OrgId};

use crate::apps::NewApplication;
use crate::{conflict_on_unique, from_micros, to_micros, uuid_col, Store, StoreResult};

/// A stored console account.
#[derive(Clone)]
pub struct AccountRecord {
    /// Account id.
    pub id: AccountId,
    /// The organization it belongs to.
    pub org_id: OrgId,
    /// Normalised email address.
    pub email: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Whether the emailed code was confirmed.
    pub email_verified: bool,
    /// Consecutive failed logins.
    pub failed_logins: u32,
    /// Login refused until this instant.
    pub locked_until: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for AccountRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountRecord")
            .field("id", &self.id)
            .field("org_id", &self.org_id)
            .field("email_verified", &self.email_verified)
            .finish_non_exhaustive()
    }
}

/// A stored organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationRecord {
    /// Organization id.
    pub id: OrgId,
    /// Display name.
    pub name: String,
    /// Where account email goes.
    pub contact_email: String,
}

/// Everything a registration creates, written in one transaction.
#[derive(Debug)]
pub struct NewRegistration {
    /// The account to create.
    pub account_id: AccountId,
    /// Its normalised email.
    pub email: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// The organization to create.
    pub org_id: OrgId,
    /// The organization's name.
    pub org_name: String,
    /// The first application.
    pub application: NewApplication,
}

fn account_from_row(row: &AnyRow) -> StoreResult<AccountRecord> {
    Ok(AccountRecord {
        id: AccountId(uuid_col(row, "id")?),
        org_id: OrgId(uuid_col(row, "org_id")?),
        email: row.try_get("email")?,
        password_hash: row.try_get("password_hash")?,
        email_verified: row.try_get::<i64, _>("email_verified")? != 0,
        failed_logins: u32::try_from(row.try_get::<i64, _>("failed_logins")?).unwrap_or(u32::MAX),
        locked_until: row
            .try_get::<Option<i64>, _>("locked_until")?
            .map(from_micros),
    })
}

impl Store {
    /// Creates an organization, its first account and its first application atomically.
    pub async fn create_registration(
        &self,
        registration: &NewRegistration,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO organizations (id, name, contact_email, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(registration.org_id.to_string())
        .bind(&registration.org_name)
        .bind(&registration.email)
        .bind(to_micros(now))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO accounts (id, org_id, email, password_hash, email_verified, failed_logins, created_at) \
             VALUES ($1, $2, $3, $4, 0, 0, $5)",
        )
        .bind(registration.account_id.to_string())
        .bind(registration.org_id.to_string())
        .bind(&registration.email)
        .bind(&registration.password_hash)
        .bind(to_micros(now))
        .execute(&mut *tx)
        .await
        .map_err(|e| conflict_on_unique(e, "email"))?;
        self.insert_application(&mut tx, &registration.application, now)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The account with this normalised email.
    pub async fn account_by_email(&self, email: &str) -> StoreResult<Option<AccountRecord>> {
        let row = sqlx::query("SELECT * FROM accounts WHERE email = $1")
            .bind(email)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(account_from_row).transpose()
    }

    /// The account with this id.
    pub async fn account(&self, id: AccountId) -> StoreResult<Option<AccountRecord>> {
        let row = sqlx::query("SELECT * FROM accounts WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(account_from_row).transpose()
    }

    /// Replaces the password of a not-yet-verified account (registering again).
    pub async fn set_password_hash(&self, id: AccountId, password_hash: &str) -> StoreResult<()> {
        sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(id.to_string())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Stores a new one-time code (as a hash) and retires the account's earlier codes.
    pub async fn replace_email_code(
        &self,
        account: AccountId,
        code_hash: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "UPDATE email_codes SET used_at = $1 WHERE account_id = $2 AND used_at IS NULL",
        )
        .bind(to_micros(now))
        .bind(account.to_string())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO email_codes (id, account_id, code_hash, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(account.to_string())
        .bind(code_hash)
        .bind(to_micros(expires_at))
        .bind(to_micros(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Uses up a valid, unexpired code and marks the email verified; false when no such code.
    pub async fn consume_email_code(
        &self,
        account: AccountId,
        code_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let mut tx = self.pool().begin().await?;
        let used = sqlx::query(
            "UPDATE email_codes SET used_at = $1 \
             WHERE account_id = $2 AND code_hash = $3 AND used_at IS NULL AND expires_at > $4",
        )
        .bind(to_micros(now))
        .bind(account.to_string())
        .bind(code_hash)
        .bind(to_micros(now))
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if used {
            sqlx::query("UPDATE accounts SET email_verified = 1 WHERE id = $1")
                .bind(account.to_string())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(used)
    }

    /// Records the outcome of a login attempt: the failure count and any lock.
    pub async fn set_login_failures(
        &self,
        account: AccountId,
        failures: u32,
        locked_until: Option<DateTime<Utc>>,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE accounts SET failed_logins = $1, locked_until = $2 WHERE id = $3")
            .bind(i64::from(failures))
            .bind(locked_until.map(to_micros))
            .bind(account.to_string())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The organizations an account belongs to.
    pub async fn organizations_of(
        &self,
        account: AccountId,
    ) -> StoreResult<Vec<OrganizationRecord>> {
        let rows = sqlx::query(
            "SELECT o.id, o.name, o.contact_email FROM organizations o \
             JOIN accounts a ON a.org_id = o.id WHERE a.id = $1 ORDER BY o.created_at",
        )
        .bind(account.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(OrganizationRecord {
                    id: OrgId(uuid_col(row, "id")?),
                    name: row.try_get("name")?,
                    contact_email: row.try_get("contact_email")?,
                })
            })
            .collect()
    }

    /// Creates an organization with no account (the offline `apps create` command).
    pub async fn create_organization(
        &self,
        org: &OrganizationRecord,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO organizations (id, name, contact_email, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(org.id.to_string())
        .bind(&org.name)
        .bind(&org.contact_email)
        .bind(to_micros(now))
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
