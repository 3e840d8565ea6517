//! The HTTP surface of verifyd (axum).
//!
//! `routes/` has one module per resource; handlers parse the request, call a use case from
//! `verifyd-service` and render the result. Access rules are extractors ([`extract`]): a
//! handler that takes [`extract::ApiApp`] can only run for a valid API key and only sees that
//! application's data. All errors become the contract's bodies in one place ([`error`]).
//! Every route answers with and without its trailing slash: the router is wrapped in a layer
//! that trims the slash before routing.

pub mod error;
pub mod extract;
pub mod metrics;
pub mod openapi;
pub mod rate_limit;
pub mod routes;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::HeaderName;
use axum::Router;
use std::sync::Arc;
use std::time::Duration;
use tower::Layer;
use tower_http::normalize_path::{NormalizePath, NormalizePathLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use verifyd_service::Services;

pub use rate_limit::{RateLimiter, RateLimits};

/// Largest JSON body accepted (a base64 portrait of 2 MB fits).
pub const JSON_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    /// The use cases.
    pub services: Services,
    /// Per-key and per-IP request budgets.
    pub limiter: Arc<RateLimiter>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}

/// The header carrying the request id, set on every response.
pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Builds the complete HTTP service: routes, request ids, tracing, limits, and slash trimming.
pub fn app(state: AppState) -> NormalizePath<Router> {
    let (router, _api) = openapi::router_with_spec();
    let router = router
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            rate_limit::middleware,
        ))
        .layer(axum::middleware::from_fn(metrics::middleware))
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(120),
        ))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                let request_id = request
                    .headers()
                    .get(&REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!(
                    "request",
                    method = %request.method(),
                    path = %request.uri().path(),
                    request_id = %request_id,
                )
            }),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            error::panic_response,
        ))
        .with_state(state);
    NormalizePathLayer::trim_trailing_slash().layer(router)
}
