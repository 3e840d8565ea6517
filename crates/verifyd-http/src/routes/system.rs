//! Health and metrics; no authentication, no rate limit.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

/// Health status.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthOut {
    /// `ok`, or `unhealthy` when the database does not answer.
    pub status: &'static str,
    /// Server time, ISO 8601 with milliseconds.
    pub timestamp: String,
}

pub(crate) fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(healthcheck))
        .route("/metrics", get(metrics))
}

/// Liveness and readiness: 200 when the database answers, 503 otherwise.
#[utoipa::path(get, path = "/system/healthcheck", tag = "system",
    responses((status = 200, body = HealthOut), (status = 503, body = HealthOut)))]
async fn healthcheck(State(state): State<AppState>) -> impl IntoResponse {
    let timestamp = state
        .services
        .clock
        .now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    match state.services.store.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(HealthOut {
                status: "ok",
                timestamp,
            }),
        ),
        Err(err) => {
            tracing::error!(%err, "healthcheck: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(HealthOut {
                    status: "unhealthy",
                    timestamp,
                }),
            )
        }
    }
}

async fn metrics() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        crate::metrics::render(),
    )
}
