//! `/v3/users/…`: users aggregated by vendor_data.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Map, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiResult;
use crate::extract::{ApiApp, JsonBody};
use crate::routes::workflows::PageQuery;
use crate::routes::{page_links, Page};
use crate::AppState;

pub(crate) fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(list_users))
        .routes(routes!(create_user))
        .routes(routes!(delete_users))
        .routes(routes!(get_user, update_user))
        .routes(routes!(update_user_status))
}

/// Lists users, most recently seen first (`count` is capped at 100).
#[utoipa::path(get, path = "/v3/users", tag = "users", params(PageQuery),
    responses((status = 200, description = "A page of users")), security(("api_key" = [])))]
async fn list_users(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Query(query): Query<PageQuery>,
) -> ApiResult<Json<Value>> {
    let page = Page::parse(query.limit.as_deref(), query.offset.as_deref())?;
    let (count, rows, more) = state
        .services
        .users(app.id, page.limit, page.offset)
        .await?;
    // Links follow whether another row exists, not the capped count.
    let reach = page.offset + page.limit + i64::from(more);
    let (next, previous) = page_links(
        &state.services.settings.public_url,
        "/v3/users/",
        &[],
        page,
        reach,
    );
    Ok(Json(
        json!({"count": count, "next": next, "previous": previous, "results": rows}),
    ))
}

/// Creates a user.
#[utoipa::path(post, path = "/v3/users/create", tag = "users", request_body = Object,
    responses((status = 201, description = "The user")), security(("api_key" = [])))]
async fn create_user(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let user = state.services.create_user(app.id, &body).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

/// Deletes users (and their sessions) by vendor_data, or all.
#[utoipa::path(post, path = "/v3/users/delete", tag = "users", request_body = Object,
    responses((status = 200, description = "{\"deleted\": n}")), security(("api_key" = [])))]
async fn delete_users(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    let deleted = state.services.delete_users(app.id, &body).await?;
    Ok(Json(json!({ "deleted": deleted })))
}

/// Reads a user.
#[utoipa::path(get, path = "/v3/users/{vendor_data}", tag = "users",
    params(("vendor_data" = String, Path)), responses((status = 200, description = "The user")),
    security(("api_key" = [])))]
async fn get_user(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Path(vendor_data): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(state.services.user(app.id, &vendor_data).await?))
}

/// Updates a user's display name, status, metadata or corrected fields.
#[utoipa::path(patch, path = "/v3/users/{vendor_data}", tag = "users",
    params(("vendor_data" = String, Path)), request_body = Object,
    responses((status = 200, description = "The user")), security(("api_key" = [])))]
async fn update_user(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Path(vendor_data): Path<String>,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        state
            .services
            .update_user(app.id, &vendor_data, &body)
            .await?,
    ))
}

/// Changes a user's status (ACTIVE, FLAGGED, BLOCKED) and records it.
#[utoipa::path(patch, path = "/v3/users/{vendor_data}/update-status", tag = "users",
    params(("vendor_data" = String, Path)), request_body = Object,
    responses((status = 200, description = "The user")), security(("api_key" = [])))]
async fn update_user_status(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Path(vendor_data): Path<String>,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        state
            .services
            .update_user_status(app.id, &vendor_data, &body)
            .await?,
    ))
}
