//! `/v3/workflows/`: create (flat or `features[]` form), list, read, update, delete.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use verifyd_core::ids::WorkflowId;
use verifyd_core::session::iso;
use verifyd_core::workflow::Feature;
use verifyd_store::workflows::WorkflowRecord;

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiApp, JsonBody};
use crate::routes::{page_links, Page};
use crate::AppState;

pub(crate) fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(list_workflows, create_workflow))
        .routes(routes!(get_workflow, update_workflow, delete_workflow))
}

/// The workflow as the API shows it: the `features[]` view and the flat flags view.
pub fn workflow_out(record: &WorkflowRecord, public_url: &str) -> Value {
    let spec = &record.spec;
    let mut out = json!({
        "uuid": record.id,
        "workflow_id": record.id,
        "workflow_label": spec.workflow_label,
        "workflow_type": spec.workflow_type.as_str(),
        "is_default": spec.is_default,
        "is_archived": false,
        "status": spec.status,
        "version": record.version,
        "workflow_version": record.version,
        "features": spec.features,
        "total_price": spec.total_price(),
        "workflow_url": format!("{}/u/{}", public_url.trim_end_matches('/'), record.id),
        "face_liveness_method": spec.face_liveness_method,
        "face_liveness_score_decline_threshold": spec.face_liveness_score_decline_threshold,
        "face_match_score_decline_threshold": spec.face_match_score_decline_threshold,
        "face_match_score_review_threshold": spec.face_match_score_review_threshold,
        "aml_decline_threshold": spec.aml_decline_threshold,
        "aml_review_threshold": spec.aml_review_threshold,
        "minimum_age": spec.minimum_age,
        "is_age_restrictions_enabled": spec.is_age_restrictions_enabled,
        "documents_allowed": spec.documents_allowed,
        "duplicated_user_action": spec.duplicated_user_action,
        "max_retry_attempts": spec.max_retry_attempts,
        "retry_window_days": spec.retry_window_days,
        "session_expiration_time": spec.session_expiration_time,
        "is_white_label_enabled": spec.is_white_label_enabled,
        "is_desktop_allowed": spec.is_desktop_allowed,
        "is_simple_workflow": true,
        "is_editable": true,
        "callback": spec.callback,
        "created_at": iso(record.created_at),
        "updated_at": iso(record.updated_at),
    });
    if let Some(obj) = out.as_object_mut() {
        for feature in Feature::ALL {
            if let Some(flag) = feature.flag() {
                obj.insert(flag.to_owned(), json!(spec.has(feature)));
            }
        }
    }
    out
}

fn workflow_id(raw: &str) -> ApiResult<WorkflowId> {
    raw.parse()
        .map_err(|_| ApiError::NotFound("Workflow does not exist for this application.".to_owned()))
}

/// Pagination query.
#[derive(Debug, Deserialize, IntoParams)]
pub struct PageQuery {
    /// Page size (1–100, default 50).
    pub limit: Option<String>,
    /// Items to skip.
    pub offset: Option<String>,
}

/// Lists the application's workflows.
#[utoipa::path(get, path = "/v3/workflows", tag = "workflows", params(PageQuery),
    responses((status = 200, description = "A page of workflows")), security(("api_key" = [])))]
async fn list_workflows(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Query(query): Query<PageQuery>,
) -> ApiResult<Json<Value>> {
    let page = Page::parse(query.limit.as_deref(), query.offset.as_deref())?;
    let (count, records) = state
        .services
        .list_workflows(app.id, page.limit, page.offset)
        .await?;
    let public_url = &state.services.settings.public_url;
    let (next, previous) = page_links(public_url, "/v3/workflows/", &[], page, count);
    Ok(Json(json!({
        "count": count,
        "next": next,
        "previous": previous,
        "results": records.iter().map(|r| workflow_out(r, public_url)).collect::<Vec<_>>(),
    })))
}

/// Creates a workflow.
#[utoipa::path(post, path = "/v3/workflows", tag = "workflows",
    request_body(content = Object, description = "Flat form (workflow_type + is_*_enabled) or features[] form"),
    responses((status = 201, description = "The workflow")), security(("api_key" = [])))]
async fn create_workflow(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let record = state.services.create_workflow(app.id, &body).await?;
    Ok((
        StatusCode::CREATED,
        Json(workflow_out(&record, &state.services.settings.public_url)),
    ))
}

/// Reads a workflow.
#[utoipa::path(get, path = "/v3/workflows/{settings_uuid}", tag = "workflows",
    params(("settings_uuid" = String, Path)), responses((status = 200, description = "The workflow")),
    security(("api_key" = [])))]
async fn get_workflow(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let record = state.services.workflow(app.id, workflow_id(&id)?).await?;
    Ok(Json(workflow_out(
        &record,
        &state.services.settings.public_url,
    )))
}

/// Updates a workflow; a change bumps `workflow_version`.
#[utoipa::path(patch, path = "/v3/workflows/{settings_uuid}", tag = "workflows",
    params(("settings_uuid" = String, Path)), request_body = Object,
    responses((status = 200, description = "The workflow")), security(("api_key" = [])))]
async fn update_workflow(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    let record = state
        .services
        .update_workflow(app.id, workflow_id(&id)?, &body)
        .await?;
    Ok(Json(workflow_out(
        &record,
        &state.services.settings.public_url,
    )))
}

/// Deletes a workflow; existing sessions are kept.
#[utoipa::path(delete, path = "/v3/workflows/{settings_uuid}", tag = "workflows",
    params(("settings_uuid" = String, Path)), responses((status = 204)), security(("api_key" = [])))]
async fn delete_workflow(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .services
        .delete_workflow(app.id, workflow_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
