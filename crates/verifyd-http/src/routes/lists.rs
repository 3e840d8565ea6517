//! `/v3/lists/…` (lists and entries) and the seeds' legacy `/v3/blocklist/…` over the
//! system blocklists.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use verifyd_core::ids::{ListEntryId, ListId};
use verifyd_service::lists::{parse_entry_type, parse_list_type};
use verifyd_store::lists::ListFilter;

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiApp, JsonBody};
use crate::routes::{page_links, Page};
use crate::AppState;

pub(crate) fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(list_lists, create_list))
        .routes(routes!(get_list, update_list, delete_list))
        .routes(routes!(list_entries, add_entry))
        .routes(routes!(face_upload))
        .routes(routes!(delete_entry))
        .routes(routes!(legacy_add))
        .routes(routes!(legacy_remove))
        .routes(routes!(legacy_list))
}

fn list_id(raw: &str) -> ApiResult<ListId> {
    raw.parse()
        .map_err(|_| ApiError::NotFound("List not found.".to_owned()))
}

/// `GET /v3/lists/` query.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ListsQuery {
    /// blocklist, allowlist or custom.
    pub list_type: Option<String>,
    /// face, document, phone, email, …
    pub entry_type: Option<String>,
    /// Page size (1–100, default 50).
    pub limit: Option<String>,
    /// Items to skip.
    pub offset: Option<String>,
}

/// Lists the application's lists (the system blocklists always exist).
#[utoipa::path(get, path = "/v3/lists", tag = "lists", params(ListsQuery),
    responses((status = 200, description = "A page of lists")), security(("api_key" = [])))]
async fn list_lists(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Query(params): Query<Vec<(String, String)>>,
) -> ApiResult<Json<Value>> {
    let get = |key: &str| {
        params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let page = Page::parse(get("limit"), get("offset"))?;
    let filter = ListFilter {
        list_type: get("list_type")
            .filter(|s| !s.is_empty())
            .map(parse_list_type)
            .transpose()?,
        entry_type: get("entry_type")
            .filter(|s| !s.is_empty())
            .map(parse_entry_type)
            .transpose()?,
    };
    let (count, lists) = state
        .services
        .lists(app.id, filter, page.limit, page.offset)
        .await?;
    let (next, previous) = page_links(
        &state.services.settings.public_url,
        "/v3/lists/",
        &params,
        page,
        count,
    );
    Ok(Json(json!({
        "count": count, "next": next, "previous": previous,
        "results": lists.iter().map(|l| l.to_json()).collect::<Vec<_>>(),
    })))
}

/// Creates an allowlist or custom list.
#[utoipa::path(post, path = "/v3/lists", tag = "lists", request_body = Object,
    responses((status = 201, description = "The list")), security(("api_key" = [])))]
async fn create_list(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let list = state.services.create_list(app.id, &body).await?;
    Ok((StatusCode::CREATED, Json(list.to_json())))
}

/// Reads a list.
#[utoipa::path(get, path = "/v3/lists/{list_uuid}", tag = "lists",
    params(("list_uuid" = String, Path)), responses((status = 200, description = "The list")),
    security(("api_key" = [])))]
async fn get_list(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        state.services.list(app.id, list_id(&id)?).await?.to_json(),
    ))
}

/// Renames or re-describes a list (403 for system blocklists).
#[utoipa::path(patch, path = "/v3/lists/{list_uuid}", tag = "lists",
    params(("list_uuid" = String, Path)), request_body = Object,
    responses((status = 200, description = "The list")), security(("api_key" = [])))]
async fn update_list(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    let list = state
        .services
        .update_list(app.id, list_id(&id)?, &body)
        .await?;
    Ok(Json(list.to_json()))
}

/// Deletes a list and its entries (403 for system blocklists).
#[utoipa::path(delete, path = "/v3/lists/{list_uuid}", tag = "lists",
    params(("list_uuid" = String, Path)), responses((status = 204)), security(("api_key" = [])))]
async fn delete_list(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.services.delete_list(app.id, list_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lists a list's entries (search in value, label and comment).
#[utoipa::path(get, path = "/v3/lists/{list_uuid}/entries", tag = "lists",
    params(("list_uuid" = String, Path)), responses((status = 200, description = "A page of entries")),
    security(("api_key" = [])))]
async fn list_entries(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Path(id): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
) -> ApiResult<Json<Value>> {
    let get = |key: &str| {
        params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let page = Page::parse(get("limit"), get("offset"))?;
    let (count, entries) = state
        .services
        .list_entries(
            app.id,
            list_id(&id)?,
            get("search"),
            page.limit,
            page.offset,
        )
        .await?;
    let path = format!("/v3/lists/{id}/entries/");
    let (next, previous) = page_links(
        &state.services.settings.public_url,
        &path,
        &params,
        page,
        count,
    );
    Ok(Json(json!({
        "count": count, "next": next, "previous": previous,
        "results": entries.iter().map(|e| e.to_json()).collect::<Vec<_>>(),
    })))
}

/// Adds an entry from `value` or from `reference_session_id`.
#[utoipa::path(post, path = "/v3/lists/{list_uuid}/entries", tag = "lists",
    params(("list_uuid" = String, Path)), request_body = Object,
    responses((status = 201, description = "The entry")), security(("api_key" = [])))]
async fn add_entry(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let entry = state
        .services
        .add_list_entry(app.id, list_id(&id)?, &body)
        .await?;
    Ok((StatusCode::CREATED, Json(entry.to_json())))
}

/// Adds a face entry from a base64 image (`image`, `display_label`, `comment`): the largest
/// face is enrolled into the application's face index, so sessions and face searches match it.
#[utoipa::path(post, path = "/v3/lists/{list_uuid}/entries/face-upload", tag = "lists",
    params(("list_uuid" = String, Path)), request_body = Object,
    responses((status = 201, description = "The entry"),
        (status = 400, description = "Not a face list, no face in the image, bad image"),
        (status = 503, description = "Face engine not installed")),
    security(("api_key" = [])))]
async fn face_upload(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let entry = state
        .services
        .add_face_list_entry(app.id, list_id(&id)?, &body)
        .await?;
    Ok((StatusCode::CREATED, Json(entry.to_json())))
}

/// Removes an entry.
#[utoipa::path(delete, path = "/v3/lists/{list_uuid}/entries/{entry_uuid}", tag = "lists",
    params(("list_uuid" = String, Path), ("entry_uuid" = String, Path)),
    responses((status = 204)), security(("api_key" = [])))]
async fn delete_entry(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Path((id, entry)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let entry: ListEntryId = entry
        .parse()
        .map_err(|_| ApiError::NotFound("List entry not found.".to_owned()))?;
    state
        .services
        .delete_list_entry(app.id, list_id(&id)?, entry)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Legacy: blocklists a session's document, phone and/or email.
#[utoipa::path(post, path = "/v3/blocklist/add", tag = "lists", request_body = Object,
    responses((status = 200, description = "What was blocklisted")), security(("api_key" = [])))]
async fn legacy_add(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        state.services.legacy_blocklist(app.id, &body, true).await?,
    ))
}

/// Legacy: removes a session's values from the blocklists.
#[utoipa::path(post, path = "/v3/blocklist/remove", tag = "lists", request_body = Object,
    responses((status = 200, description = "What was removed")), security(("api_key" = [])))]
async fn legacy_remove(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        state
            .services
            .legacy_blocklist(app.id, &body, false)
            .await?,
    ))
}

/// `GET /v3/blocklist/` query.
#[derive(Debug, Deserialize, IntoParams)]
pub struct LegacyQuery {
    /// face, document, phone or email; all when absent.
    pub item_type: Option<String>,
}

/// Legacy: the blocklisted items.
#[utoipa::path(get, path = "/v3/blocklist", tag = "lists", params(LegacyQuery),
    responses((status = 200, description = "Blocklisted items")), security(("api_key" = [])))]
async fn legacy_list(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Query(query): Query<LegacyQuery>,
) -> ApiResult<Json<Value>> {
    let items = state
        .services
        .legacy_blocklist_items(app.id, query.item_type.as_deref())
        .await?;
    Ok(Json(json!({"count": items.len(), "results": items})))
}
