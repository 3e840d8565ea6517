//! `/v3/questionnaires/…`.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Map, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use verifyd_core::ids::QuestionnaireId;

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiApp, JsonBody};
use crate::routes::workflows::PageQuery;
use crate::routes::{page_links, Page};
use crate::AppState;

pub(crate) fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(list_questionnaires, create_questionnaire))
        .routes(routes!(
            get_questionnaire,
            update_questionnaire,
            delete_questionnaire
        ))
}

fn questionnaire_id(raw: &str) -> ApiResult<QuestionnaireId> {
    raw.parse().map_err(|_| ApiError::not_found())
}

/// Lists questionnaires, newest first.
#[utoipa::path(get, path = "/v3/questionnaires", tag = "questionnaires", params(PageQuery),
    responses((status = 200, description = "A page of questionnaires")), security(("api_key" = [])))]
async fn list_questionnaires(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Query(query): Query<PageQuery>,
) -> ApiResult<Json<Value>> {
    let page = Page::parse(query.limit.as_deref(), query.offset.as_deref())?;
    let (count, items) = state
        .services
        .questionnaires(app.id, page.limit, page.offset)
        .await?;
    let (next, previous) = page_links(
        &state.services.settings.public_url,
        "/v3/questionnaires/",
        &[],
        page,
        count,
    );
    Ok(Json(json!({
        "count": count, "next": next, "previous": previous,
        "results": items.iter().map(|q| q.to_list_json()).collect::<Vec<_>>(),
    })))
}

/// Creates a questionnaire from `form_elements`.
#[utoipa::path(post, path = "/v3/questionnaires", tag = "questionnaires", request_body = Object,
    responses((status = 201, description = "The questionnaire"), (status = 415)),
    security(("api_key" = [])))]
async fn create_questionnaire(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let q = state.services.create_questionnaire(app.id, &body).await?;
    Ok((StatusCode::CREATED, Json(q.to_detail_json())))
}

/// Reads a questionnaire.
#[utoipa::path(get, path = "/v3/questionnaires/{questionnaire_uuid}", tag = "questionnaires",
    params(("questionnaire_uuid" = String, Path)),
    responses((status = 200, description = "The questionnaire")), security(("api_key" = [])))]
async fn get_questionnaire(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let q = state
        .services
        .questionnaire(app.id, questionnaire_id(&id)?)
        .await?;
    Ok(Json(q.to_detail_json()))
}

/// Updates a questionnaire (partial; the result is re-validated as a whole).
#[utoipa::path(patch, path = "/v3/questionnaires/{questionnaire_uuid}", tag = "questionnaires",
    params(("questionnaire_uuid" = String, Path)), request_body = Object,
    responses((status = 200, description = "The questionnaire"), (status = 415)),
    security(("api_key" = [])))]
async fn update_questionnaire(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    let q = state
        .services
        .update_questionnaire(app.id, questionnaire_id(&id)?, &body)
        .await?;
    Ok(Json(q.to_detail_json()))
}

/// Deletes a questionnaire (204).
#[utoipa::path(delete, path = "/v3/questionnaires/{questionnaire_uuid}", tag = "questionnaires",
    params(("questionnaire_uuid" = String, Path)), responses((status = 204)),
    security(("api_key" = [])))]
async fn delete_questionnaire(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .services
        .delete_questionnaire(app.id, questionnaire_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
