//! `/v3/billing/…`: the organization's credit balance and top-up checkout.

use axum::extract::State;
use axum::Json;
use serde_json::{Map, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use verifyd_service::billing::TopUp;

use crate::error::ApiResult;
use crate::extract::{ApiApp, JsonBody};
use crate::AppState;

pub(crate) fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router.routes(routes!(balance)).routes(routes!(top_up))
}

/// The organization's credit balance (decimal strings).
#[utoipa::path(get, path = "/v3/billing/balance", tag = "billing",
    responses((status = 200, description = "{balance, auto_refill_enabled, …}")),
    security(("api_key" = [])))]
async fn balance(State(state): State<AppState>, ApiApp(app): ApiApp) -> ApiResult<Json<Value>> {
    Ok(Json(state.services.balance(&app).await?))
}

/// Starts a Stripe checkout for credits (400 when top-up is not configured).
#[utoipa::path(post, path = "/v3/billing/top-up", tag = "billing", request_body = Object,
    responses((status = 200, description = "{checkout_session_id, checkout_session_url}")),
    security(("api_key" = [])))]
async fn top_up(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    let request = TopUp::parse(&body)?;
    Ok(Json(state.services.top_up(&app, request).await?))
}
