//! Extractors that state a handler's access rule and parse its input in the contract's way.

use axum::extract::{ConnectInfo, FromRef, FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use bytes::Bytes;
use serde::de::DeserializeOwned;
use std::net::{IpAddr, SocketAddr};
use verifyd_core::ids::AccountId;
use verifyd_core::tenant::Application;
use verifyd_core::FieldErrors;

use crate::error::ApiError;
use crate::AppState;

/// The application whose `x-api-key` authenticated the request. Missing, malformed or
/// unknown keys answer 403 (never 401), as the contract requires.
#[derive(Debug, Clone)]
pub struct ApiApp(pub Application);

impl<S> FromRequestParts<S> for ApiApp
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(app) = parts.extensions.get::<Application>() {
            return Ok(Self(app.clone()));
        }
        let state = AppState::from_ref(state);
        let key = parts
            .headers
            .get("x-api-key")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|k| !k.is_empty() && k.len() <= 256)
            .ok_or_else(ApiError::permission_denied)?;
        let app = state
            .services
            .application_for_key(key)
            .await?
            .ok_or_else(ApiError::permission_denied)?;
        parts.extensions.insert(app.clone());
        Ok(Self(app))
    }
}

/// The console account behind `Authorization: Bearer <access token>` (401 otherwise).
#[derive(Debug, Clone, Copy)]
pub struct BearerAccount(pub AccountId);

impl<S> FromRequestParts<S> for BearerAccount
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| {
                ApiError::Unauthorized("Authentication credentials were not provided.".to_owned())
            })?;
        Ok(Self(state.services.account_for_token(token).await?))
    }
}

/// The client's address: the first `X-Forwarded-For` hop when present, else the peer.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub Option<IpAddr>);

impl ClientIp {
    /// Reads the client address from request parts.
    pub fn from_parts(parts: &Parts) -> Self {
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok());
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        Self(forwarded.or(peer))
    }

    /// A stable text form for rate-limit keys.
    pub fn key(&self) -> String {
        self.0
            .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::from_parts(parts))
    }
}

/// A JSON body parsed the contract's way: 415 for other content types, 400
/// `{"detail": "JSON parse error - …"}` for malformed JSON, and DRF-style field errors
/// (`{"field": ["This field is required."]}`) when the shape is wrong.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::BadRequest("Could not read the request body.".to_owned())
            }
        })?;
        let essence = content_type.split(';').next().unwrap_or("").trim();
        if bytes.is_empty() && content_type.is_empty() {
            // An empty body with no content type is an empty object, as DRF treats it.
            return parse_json(b"{}").map(Self);
        }
        if !(essence.eq_ignore_ascii_case("application/json") || essence.ends_with("+json")) {
            return Err(ApiError::UnsupportedMediaType(essence.to_owned()));
        }
        parse_json(&bytes).map(Self)
    }
}

/// Parses JSON bytes into `T`, mapping errors as [`JsonBody`] does.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::BadRequest(format!("JSON parse error - {e}")))?;
    from_value(value)
}

/// Converts a parsed JSON value into `T`, reporting the failing field DRF-style.
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner().to_string();
        let (field, message) = if let Some(rest) = inner.strip_prefix("missing field `") {
            let name = rest.split('`').next().unwrap_or("non_field_errors");
            let field = if path == "." {
                name.to_owned()
            } else {
                format!("{path}.{name}")
            };
            (field, "This field is required.".to_owned())
        } else {
            let field = if path == "." {
                "non_field_errors".to_owned()
            } else {
                path
            };
            (field, describe_serde_error(&inner))
        };
        ApiError::Validation(FieldErrors::single(field, message))
    })
}

/// Turns serde's messages into short DRF-like sentences.
fn describe_serde_error(message: &str) -> String {
    let message = message.split(" at line ").next().unwrap_or(message);
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let expected = rest.split("expected ").nth(1).unwrap_or("another type");
        format!("Invalid type: expected {expected}.")
    } else if let Some(rest) = message.strip_prefix("unknown variant ") {
        let got = rest.split(',').next().unwrap_or(rest).replace('`', "\"");
        format!("{got} is not a valid choice.")
    } else {
        let mut text = message.to_owned();
        if !text.ends_with('.') {
            text.push('.');
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Probe {
        workflow_id: String,
        limit: Option<u32>,
    }

    #[test]
    fn missing_and_mistyped_fields_become_field_errors() {
        let err = parse_json::<Probe>(br#"{"limit": 3}"#).unwrap_err();
        match err {
            ApiError::Validation(errors) => {
                assert_eq!(errors.0["workflow_id"], vec!["This field is required."])
            }
            other => panic!("unexpected {other:?}"),
        }
        let err = parse_json::<Probe>(br#"{"workflow_id": "x", "limit": "many"}"#).unwrap_err();
        match err {
            ApiError::Validation(errors) => assert!(errors.0.contains_key("limit")),
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(
            parse_json::<Probe>(b"{not json"),
            Err(ApiError::BadRequest(_))
        ));
    }
}
