//! Webhooks: destinations (`/v3/webhook/destinations/`), the legacy single-URL configuration
//! (`/v3/webhook/`), and a session's delivery log with manual resend.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Map, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;
use verifyd_core::session::iso;
use verifyd_service::webhooks::{DestinationView, LegacyConfig};
use verifyd_store::webhooks::{Attempt, DeliverySummary};

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiApp, JsonBody};
use crate::routes::sessions::session_id;
use crate::AppState;

pub(crate) fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(list_destinations, create_destination))
        .routes(routes!(
            get_destination,
            update_destination,
            delete_destination
        ))
        .routes(routes!(get_legacy_config, update_legacy_config))
        .routes(routes!(session_webhooks))
        .routes(routes!(session_webhook))
        .routes(routes!(resend_webhook))
}

fn destination_id(raw: &str) -> ApiResult<Uuid> {
    raw.parse()
        .map_err(|_| ApiError::NotFound("Webhook destination not found.".to_owned()))
}

fn error_rate(summary: &DeliverySummary) -> i64 {
    if summary.total == 0 {
        0
    } else {
        (summary.failed * 100 + summary.total / 2) / summary.total
    }
}

/// The destination object of the contract (§1.4), with its secret and delivery summary.
pub fn destination_out(view: &DestinationView) -> Value {
    let d = &view.destination;
    let s = &view.summary;
    json!({
        "uuid": d.id,
        "label": d.label,
        "url": d.url,
        "enabled": d.enabled,
        "webhook_version": d.webhook_version,
        "secret_shared_key": d.secret,
        "subscribed_events": d.subscribed_events,
        "created_at": iso(d.created_at),
        "updated_at": iso(d.updated_at),
        "summary": {
            "total_deliveries": s.total,
            "failed_deliveries": s.failed,
            "error_rate_percentage": error_rate(s),
            "min_response_time_ms": s.min_ms,
            "avg_response_time_ms": s.avg_ms,
            "max_response_time_ms": s.max_ms,
            "last_delivery_at": s.last_at.map(iso),
        },
    })
}

/// A row of the destination list (no secret, flat counters).
fn destination_row(view: &DestinationView) -> Value {
    let d = &view.destination;
    let s = &view.summary;
    json!({
        "uuid": d.id,
        "label": d.label,
        "url": d.url,
        "enabled": d.enabled,
        "webhook_version": d.webhook_version,
        "subscribed_events": d.subscribed_events,
        "subscribed_events_count": d.subscribed_events.len(),
        "deliveries_count": s.total,
        "failed_deliveries_count": s.failed,
        "average_response_time_ms": s.avg_ms,
        "error_rate_percentage": error_rate(s),
        "last_delivery_at": s.last_at.map(iso),
        "created_at": iso(d.created_at),
        "updated_at": iso(d.updated_at),
    })
}

fn legacy_out(config: &LegacyConfig) -> Value {
    json!({
        "webhook_url": config.webhook_url,
        "webhook_version": config.webhook_version,
        "secret_shared_key": config.secret_shared_key,
        "capture_method": config.capture_method,
        "data_retention_months": config.data_retention_months,
    })
}

/// A delivery log item: `request_header` and `request_body` are JSON-encoded strings, as sent.
pub fn attempt_out(attempt: &Attempt) -> Value {
    json!({
        "uuid": attempt.id,
        "session_id": attempt.session_id,
        "event_id": attempt.event_id,
        "webhook_type": attempt.webhook_type,
        "destination_uuid": attempt.destination_id,
        "url": attempt.url,
        "request_header": attempt.request_headers.to_string(),
        "request_body": attempt.request_body,
        "response_status": attempt.response_status,
        "response_time_ms": attempt.latency_ms,
        "is_success": attempt.succeeded,
        "error": attempt.error,
        "created_at": iso(attempt.created_at),
    })
}

/// Lists the application's webhook destinations (oldest first, not paginated).
#[utoipa::path(get, path = "/v3/webhook/destinations", tag = "webhooks",
    responses((status = 200, description = "The destinations")), security(("api_key" = [])))]
async fn list_destinations(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
) -> ApiResult<Json<Value>> {
    let views = state.services.list_destinations(app.id).await?;
    Ok(Json(Value::Array(
        views.iter().map(destination_row).collect(),
    )))
}

/// Creates a webhook destination with its own signing secret.
#[utoipa::path(post, path = "/v3/webhook/destinations", tag = "webhooks",
    request_body(content = Object, description = "label, url (required); enabled, webhook_version, subscribed_events"),
    responses((status = 201, description = "The destination"), (status = 400, description = "Field errors")),
    security(("api_key" = [])))]
async fn create_destination(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let view = state.services.create_destination(app.id, &body).await?;
    Ok((StatusCode::CREATED, Json(destination_out(&view))))
}

/// Reads a webhook destination with its secret and delivery summary.
#[utoipa::path(get, path = "/v3/webhook/destinations/{destination_uuid}", tag = "webhooks",
    params(("destination_uuid" = String, Path)),
    responses((status = 200, description = "The destination"), (status = 404, description = "Not found")),
    security(("api_key" = [])))]
async fn get_destination(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let view = state
        .services
        .destination(app.id, destination_id(&id)?)
        .await?;
    Ok(Json(destination_out(&view)))
}

/// Updates a webhook destination (`subscribed_events` is replaced wholesale; the secret is kept).
#[utoipa::path(patch, path = "/v3/webhook/destinations/{destination_uuid}", tag = "webhooks",
    params(("destination_uuid" = String, Path)), request_body = Object,
    responses((status = 200, description = "The destination"), (status = 400, description = "Field errors"),
        (status = 404, description = "Not found")),
    security(("api_key" = [])))]
async fn update_destination(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    let view = state
        .services
        .update_destination(app.id, destination_id(&id)?, &body)
        .await?;
    Ok(Json(destination_out(&view)))
}

/// Deletes a webhook destination; its pending deliveries are dropped.
#[utoipa::path(delete, path = "/v3/webhook/destinations/{destination_uuid}", tag = "webhooks",
    params(("destination_uuid" = String, Path)),
    responses((status = 204), (status = 404, description = "Not found")), security(("api_key" = [])))]
async fn delete_destination(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .services
        .delete_destination(app.id, destination_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The single-URL webhook configuration (edits the application's default destination).
#[utoipa::path(get, path = "/v3/webhook", tag = "webhooks",
    responses((status = 200, description = "webhook_url, webhook_version, secret_shared_key, capture_method, data_retention_months")),
    security(("api_key" = [])))]
async fn get_legacy_config(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
) -> ApiResult<Json<Value>> {
    let config = state.services.legacy_webhook_config(app.id).await?;
    Ok(Json(legacy_out(&config)))
}

/// Updates the single-URL configuration; `rotate_secret_key: true` replaces the secret at once.
#[utoipa::path(patch, path = "/v3/webhook", tag = "webhooks",
    request_body(content = Object, description = "webhook_url (null disables), webhook_version, rotate_secret_key, capture_method, data_retention_months"),
    responses((status = 200, description = "The configuration"), (status = 400, description = "Field errors")),
    security(("api_key" = [])))]
async fn update_legacy_config(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    let config = state
        .services
        .update_legacy_webhook_config(app.id, &body)
        .await?;
    Ok(Json(legacy_out(&config)))
}

/// The webhook delivery attempts of a session, newest first (each retry is its own item).
#[utoipa::path(get, path = "/v3/session/{session_id}/webhooks", tag = "webhooks",
    params(("session_id" = String, Path)),
    responses((status = 200, description = "Delivery log items"), (status = 404, description = "Not found")),
    security(("api_key" = [])))]
async fn session_webhooks(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let attempts = state
        .services
        .session_webhook_log(app.id, session_id(&id)?)
        .await?;
    Ok(Json(Value::Array(
        attempts.iter().map(attempt_out).collect(),
    )))
}

/// One webhook delivery attempt of a session.
#[utoipa::path(get, path = "/v3/session/{session_id}/webhook/{webhook_uuid}", tag = "webhooks",
    params(("session_id" = String, Path), ("webhook_uuid" = String, Path)),
    responses((status = 200, description = "The delivery log item"), (status = 404, description = "Not found")),
    security(("api_key" = [])))]
async fn session_webhook(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Path((id, webhook)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let webhook: Uuid = webhook.parse().map_err(|_| ApiError::not_found())?;
    let attempt = state
        .services
        .session_webhook_attempt(app.id, session_id(&id)?, webhook)
        .await?;
    Ok(Json(attempt_out(&attempt)))
}

/// Sends the event of a delivery log item again, now, with the same `event_id`; answers the
/// new attempt. A failed resend is retried on the usual schedule.
#[utoipa::path(post, path = "/v3/session/{session_id}/webhook/{webhook_uuid}/resend", tag = "webhooks",
    params(("session_id" = String, Path), ("webhook_uuid" = String, Path)),
    responses((status = 200, description = "The new delivery log item"), (status = 404, description = "Not found")),
    security(("api_key" = [])))]
async fn resend_webhook(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Path((id, webhook)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let webhook: Uuid = webhook.parse().map_err(|_| ApiError::not_found())?;
    let attempt = state
        .services
        .resend_webhook(app.id, session_id(&id)?, webhook)
        .await?;
    Ok(Json(attempt_out(&attempt)))
}
