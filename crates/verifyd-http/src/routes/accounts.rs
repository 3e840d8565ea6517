//! The account API under `/auth/v2` (contract §5): programmatic registration, email
//! confirmation, login, and the organization/application credentials endpoints.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use verifyd_core::ids::{AppId, OrgId};
use verifyd_store::accounts::OrganizationRecord;
use verifyd_store::apps::ApplicationCredentials;

use crate::error::{ApiError, ApiResult};
use crate::extract::{BearerAccount, ClientIp, JsonBody};
use crate::AppState;

pub(crate) fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(register))
        .routes(routes!(verify_email))
        .routes(routes!(resend_otp))
        .routes(routes!(login))
        .routes(routes!(organizations))
        .routes(routes!(applications))
        .routes(routes!(application))
}

/// Counts one unauthenticated account request from `ip` against an hourly budget.
fn throttle_per_ip(
    state: &AppState,
    scope: &'static str,
    ip: &ClientIp,
    limit: u32,
) -> ApiResult<()> {
    state
        .limiter
        .check(scope, &ip.key(), limit, Duration::from_secs(3600))
        .map_err(|exceeded| ApiError::RateLimited {
            detail: format!(
                "Request was throttled. Expected available in {} seconds.",
                exceeded.retry_after
            ),
            retry_after: exceeded.retry_after,
            limit: Some(limit),
            reset_at: Some(exceeded.reset_at),
        })
}

/// Registration request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterIn {
    /// Email address; receives the one-time code.
    pub email: String,
    /// At least 8 characters with upper, lower, digit and special characters.
    pub password: String,
}

/// Registration accepted.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterOut {
    /// Human-readable confirmation.
    pub message: String,
    /// The normalised email.
    pub email: String,
}

/// Registers an account; a 6-character code is emailed (or written to the outbox).
#[utoipa::path(post, path = "/auth/v2/programmatic/register", tag = "accounts",
    request_body = RegisterIn, responses((status = 201, body = RegisterOut)))]
async fn register(
    State(state): State<AppState>,
    ip: ClientIp,
    JsonBody(body): JsonBody<RegisterIn>,
) -> ApiResult<(StatusCode, Json<RegisterOut>)> {
    let limit = state.limiter.limits().registrations_per_hour;
    throttle_per_ip(&state, "register", &ip, limit)?;
    let email = state.services.register(&body.email, &body.password).await?;
    Ok((
        StatusCode::CREATED,
        Json(RegisterOut {
            message: "Registration successful. Check your email for the verification code."
                .to_owned(),
            email,
        }),
    ))
}

/// Email confirmation request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct VerifyEmailIn {
    /// The registered email.
    pub email: String,
    /// The 6-character code from the email.
    pub code: String,
}

/// An organization reference.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationRef {
    /// Organization id.
    pub uuid: String,
    /// Name.
    pub name: String,
}

/// An application with its API credentials.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationOut {
    /// Application id.
    pub uuid: String,
    /// Display name.
    pub name: String,
    /// Public client id.
    pub client_id: String,
    /// The API key for `x-api-key`.
    pub api_key: String,
    /// `live` or `sandbox`.
    pub environment: String,
}

impl From<ApplicationCredentials> for ApplicationOut {
    fn from(creds: ApplicationCredentials) -> Self {
        Self {
            uuid: creds.app.id.to_string(),
            name: creds.app.name,
            client_id: creds.app.client_id,
            api_key: creds.api_key,
            environment: creds.app.environment.to_string(),
        }
    }
}

/// Tokens plus the first organization and application.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyEmailOut {
    /// Bearer token for the account API (RS256 JWT).
    pub access_token: String,
    /// Refresh token.
    pub refresh_token: String,
    /// Access-token lifetime in seconds.
    pub expires_in: i64,
    /// The organization created at registration.
    pub organization: OrganizationRef,
    /// Its first application, with the API key.
    pub application: ApplicationOut,
}

/// Confirms the emailed code and returns credentials.
#[utoipa::path(post, path = "/auth/v2/programmatic/verify-email", tag = "accounts",
    request_body = VerifyEmailIn, responses((status = 200, body = VerifyEmailOut)))]
async fn verify_email(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<VerifyEmailIn>,
) -> ApiResult<Json<VerifyEmailOut>> {
    let verified = state.services.verify_email(&body.email, &body.code).await?;
    Ok(Json(VerifyEmailOut {
        access_token: verified.tokens.access_token,
        refresh_token: verified.tokens.refresh_token,
        expires_in: verified.tokens.expires_in,
        organization: OrganizationRef {
            uuid: verified.organization.id.to_string(),
            name: verified.organization.name,
        },
        application: verified.application.into(),
    }))
}

/// Resend request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ResendIn {
    /// The registered email.
    pub email: String,
}

/// A plain acknowledgement.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageOut {
    /// Human-readable text.
    pub message: String,
}

/// Sends a new code to an unconfirmed account (same answer whether or not it exists).
#[utoipa::path(post, path = "/auth/v2/programmatic/resend-otp", tag = "accounts",
    request_body = ResendIn, responses((status = 200, body = MessageOut)))]
async fn resend_otp(
    State(state): State<AppState>,
    ip: ClientIp,
    JsonBody(body): JsonBody<ResendIn>,
) -> ApiResult<Json<MessageOut>> {
    let limit = state.limiter.limits().registrations_per_hour * 2;
    throttle_per_ip(&state, "resend-otp", &ip, limit)?;
    state.services.resend_code(&body.email).await?;
    Ok(Json(MessageOut {
        message: "If the account exists and is not verified, a new code has been sent.".to_owned(),
    }))
}

/// Login request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginIn {
    /// Email.
    pub email: String,
    /// Password.
    pub password: String,
}

/// Login tokens.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginOut {
    /// Bearer token (RS256 JWT).
    pub access_token: String,
    /// Refresh token.
    pub refresh_token: String,
    /// Access-token lifetime in seconds.
    pub expires_in: i64,
}

/// Logs in. Repeated failures lock the account: 5 → 15 min, 10 → 1 h, 20 → 24 h.
#[utoipa::path(post, path = "/auth/v2/programmatic/login", tag = "accounts",
    request_body = LoginIn, responses((status = 200, body = LoginOut)))]
async fn login(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<LoginIn>,
) -> ApiResult<Json<LoginOut>> {
    let tokens = state.services.login(&body.email, &body.password).await?;
    Ok(Json(LoginOut {
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
        expires_in: tokens.expires_in,
    }))
}

/// An organization of the logged-in account.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationOut {
    /// Organization id.
    pub uuid: String,
    /// Name.
    pub name: String,
    /// Contact address.
    pub contact_email: String,
}

impl From<OrganizationRecord> for OrganizationOut {
    fn from(org: OrganizationRecord) -> Self {
        Self {
            uuid: org.id.to_string(),
            name: org.name,
            contact_email: org.contact_email,
        }
    }
}

/// The organizations of the logged-in account.
#[utoipa::path(get, path = "/auth/v2/organizations/me", tag = "accounts",
    responses((status = 200, body = [OrganizationOut])), security(("bearer" = [])))]
async fn organizations(
    State(state): State<AppState>,
    BearerAccount(account): BearerAccount,
) -> ApiResult<Json<Vec<OrganizationOut>>> {
    let orgs = state.services.organizations(account).await?;
    Ok(Json(orgs.into_iter().map(Into::into).collect()))
}

fn parse_id<T: std::str::FromStr>(raw: &str) -> ApiResult<T> {
    raw.parse().map_err(|_| ApiError::not_found())
}

/// The applications of one organization, with credentials.
#[utoipa::path(get, path = "/auth/v2/organizations/me/{org_id}/applications", tag = "accounts",
    params(("org_id" = String, Path)), responses((status = 200, body = [ApplicationOut])))]
async fn applications(
    State(state): State<AppState>,
    BearerAccount(account): BearerAccount,
    Path(org_id): Path<String>,
) -> ApiResult<Json<Vec<ApplicationOut>>> {
    let org: OrgId = parse_id(&org_id)?;
    let apps = state.services.applications(account, org).await?;
    Ok(Json(apps.into_iter().map(Into::into).collect()))
}

/// One application's credentials.
#[utoipa::path(get, path = "/auth/v2/organizations/me/{org_id}/applications/{app_id}", tag = "accounts",
    params(("org_id" = String, Path), ("app_id" = String, Path)),
    responses((status = 200, body = ApplicationOut)))]
async fn application(
    State(state): State<AppState>,
    BearerAccount(account): BearerAccount,
    Path((org_id, app_id)): Path<(String, String)>,
) -> ApiResult<Json<ApplicationOut>> {
    let org: OrgId = parse_id(&org_id)?;
    let app: AppId = parse_id(&app_id)?;
    let creds = state
        .services
        .application_credentials(account, org, app)
        .await?;
    Ok(Json(creds.into()))
}
