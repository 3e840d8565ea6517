//! The one place where errors become HTTP responses in the contract's shapes:
//! `{"detail": "…"}`, DRF field errors `{"field": ["…"]}`, 403 for auth failures, and a
//! generic 500 that names only the request id (the cause goes to the log).

use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use verifyd_core::{CoreError, CreditScope, FieldErrors};
use verifyd_service::ServiceError;

/// The contract's 403 body for missing, malformed or unknown API keys.
pub const PERMISSION_DENIED: &str = "You do not have permission to perform this action.";

/// Insufficient credits on session create (400 `detail`).
pub const NO_CREDITS_SESSION: &str = "You don't have enough credits to create this session. \
     Top up your balance or ask the server's administrator to grant credits.";
/// Insufficient credits on a standalone call (403 `error`, contract §0).
pub const NO_CREDITS_REQUEST: &str = "You don't have enough credits to perform this request. \
     Top up your balance or ask the server's administrator to grant credits.";

/// An error on its way to the client.
#[derive(Debug)]
pub enum ApiError {
    /// 400 with per-field messages.
    Validation(FieldErrors),
    /// 400 with a `detail` string.
    BadRequest(String),
    /// 401 with a `detail` string (only where the contract names 401).
    Unauthorized(String),
    /// 403 with a `detail` string.
    Forbidden(String),
    /// 404 with a `detail` string.
    NotFound(String),
    /// 413: the body is larger than allowed.
    PayloadTooLarge,
    /// 415: the content type is not accepted.
    UnsupportedMediaType(String),
    /// 429 with a detail, `Retry-After` and the contract's `X-RateLimit-*` headers.
    RateLimited {
        /// The message.
        detail: String,
        /// Seconds to wait.
        retry_after: u64,
        /// The budget that ran out, when it is a request-rate limit.
        limit: Option<u32>,
        /// Epoch seconds when the budget frees up.
        reset_at: Option<i64>,
    },
    /// 500: logged with its cause, shown generically.
    Internal(String),
    /// 503: a component the request needs cannot run here; logged with its cause.
    Unavailable(String),
    /// A response already built (e.g. a body of another shape required by one endpoint).
    Custom(StatusCode, Value),
}

impl ApiError {
    /// The contract's 403.
    pub fn permission_denied() -> Self {
        Self::Forbidden(PERMISSION_DENIED.to_owned())
    }

    /// The contract's generic 404.
    pub fn not_found() -> Self {
        Self::NotFound("Not found.".to_owned())
    }

    /// A 400 on one field.
    pub fn field(field: &str, message: &str) -> Self {
        Self::Validation(FieldErrors::single(field, message))
    }
}

impl From<CoreError> for ApiError {
    fn from(err: CoreError) -> Self {
        match err {
            CoreError::Validation(errors) => Self::Validation(errors),
            CoreError::Rejected(detail) => Self::BadRequest(detail),
            CoreError::BadInput(error) => {
                Self::Custom(StatusCode::BAD_REQUEST, json!({ "error": error }))
            }
            CoreError::NotFound(detail) => Self::NotFound(detail),
            CoreError::Forbidden(detail) => Self::Forbidden(detail),
            CoreError::Unauthorized(detail) => Self::Unauthorized(detail),
            CoreError::InvalidTree(body) => Self::Custom(StatusCode::BAD_REQUEST, body),
            CoreError::InsufficientCredits(CreditScope::Session) => {
                Self::BadRequest(NO_CREDITS_SESSION.to_owned())
            }
            CoreError::InsufficientCredits(CreditScope::Standalone) => Self::Custom(
                StatusCode::FORBIDDEN,
                json!({ "error": NO_CREDITS_REQUEST }),
            ),
            CoreError::TooManyAttempts {
                detail,
                retry_after_secs,
            } => Self::RateLimited {
                detail,
                retry_after: retry_after_secs,
                limit: None,
                reset_at: None,
            },
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::Core(core) => core.into(),
            unavailable @ ServiceError::Unavailable { .. } => {
                Self::Unavailable(unavailable.to_string())
            }
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<FieldErrors> for ApiError {
    fn from(errors: FieldErrors) -> Self {
        Self::Validation(errors)
    }
}

fn detail(status: StatusCode, detail: String) -> Response {
    (status, Json(json!({ "detail": detail }))).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            Self::Validation(errors) => {
                (StatusCode::BAD_REQUEST, Json(json!(errors.0))).into_response()
            }
            Self::BadRequest(text) => detail(StatusCode::BAD_REQUEST, text),
            Self::Unauthorized(text) => detail(StatusCode::UNAUTHORIZED, text),
            Self::Forbidden(text) => detail(StatusCode::FORBIDDEN, text),
            Self::NotFound(text) => detail(StatusCode::NOT_FOUND, text),
            Self::PayloadTooLarge => detail(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Request body is too large.".to_owned(),
            ),
            Self::UnsupportedMediaType(media) => detail(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("Unsupported media type \"{media}\" in request."),
            ),
            Self::RateLimited {
                detail: text,
                retry_after,
                limit,
                reset_at,
            } => {
                let mut response = detail(StatusCode::TOO_MANY_REQUESTS, text);
                let headers = response.headers_mut();
                headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
                if let (Some(limit), Some(reset_at)) = (limit, reset_at) {
                    headers.insert("x-ratelimit-limit", HeaderValue::from(limit));
                    headers.insert("x-ratelimit-remaining", HeaderValue::from(0u32));
                    headers.insert("x-ratelimit-reset", HeaderValue::from(reset_at));
                }
                response
            }
            Self::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                detail(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "A server error occurred. Quote the x-request-id header when reporting it."
                        .to_owned(),
                )
            }
            Self::Unavailable(cause) => {
                tracing::error!(%cause, "service unavailable");
                detail(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "This check is temporarily unavailable. Quote the x-request-id header when \
                     reporting it."
                        .to_owned(),
                )
            }
            Self::Custom(status, body) => (status, Json(body)).into_response(),
        }
    }
}

/// Result alias for handlers.
pub type ApiResult<T> = Result<T, ApiError>;

/// Fallback for unknown routes.
pub async fn not_found() -> ApiError {
    ApiError::not_found()
}

/// Fallback for a known path with the wrong method.
pub async fn method_not_allowed(method: Method) -> Response {
    detail(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("Method \"{method}\" not allowed."),
    )
}

/// A panic in a handler becomes a generic 500, never a dropped connection.
pub fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::Internal("handler panicked".to_owned()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn body_of(error: ApiError) -> (StatusCode, Value, axum::http::HeaderMap) {
        let response = error.into_response();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap(), headers)
    }

    #[tokio::test]
    async fn every_error_has_the_contract_shape() {
        let (status, body, _) = body_of(ApiError::permission_denied()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(body, json!({"detail": PERMISSION_DENIED}));

        let (status, body, _) =
            body_of(ApiError::field("workflow_id", "This field is required.")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body, json!({"workflow_id": ["This field is required."]}));

        let (status, body, _) = body_of(CoreError::not_found().into()).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body, json!({"detail": "Not found."}));

        let (status, body, _) = body_of(ApiError::Internal("db password is hunter2".into())).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!body.to_string().contains("hunter2"));

        let (status, _, headers) = body_of(ApiError::RateLimited {
            detail: "slow down".into(),
            retry_after: 7,
            limit: Some(300),
            reset_at: Some(1_800_000_000),
        })
        .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(headers["retry-after"], "7");
        assert_eq!(headers["x-ratelimit-limit"], "300");
        assert_eq!(headers["x-ratelimit-remaining"], "0");

        let (status, body, _) =
            body_of(ServiceError::unavailable("face engine", "models/yunet.onnx missing").into())
                .await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(!body.to_string().contains("yunet"));

        let (status, body, _) =
            body_of(CoreError::InsufficientCredits(CreditScope::Standalone).into()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(body, json!({"error": NO_CREDITS_REQUEST}));
        let (status, body, _) =
            body_of(CoreError::InsufficientCredits(CreditScope::Session).into()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body, json!({"detail": NO_CREDITS_SESSION}));
        let (status, body, _) = body_of(
            CoreError::InvalidTree(json!({"form_elements": [{}, {"label": ["x"]}]})).into(),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["form_elements"][1]["label"][0], "x");

        let service_err = ServiceError::Core(CoreError::Unauthorized("bad token".into()));
        let (status, _, _) = body_of(service_err.into()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
}
