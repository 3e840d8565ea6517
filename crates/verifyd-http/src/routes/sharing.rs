//! Session sharing between applications, import of a shared session, and reviewer
//! corrections of identity data.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{Map, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use verifyd_service::sharing::{ImportRequest, ShareRequest};

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiApp, JsonBody};
use crate::routes::sessions::session_id;
use crate::AppState;

/// The contract's 401 for share requests without valid credentials.
pub const SHARE_UNAUTHORIZED: &str = "Authentication credentials were not provided or are invalid.";

pub(crate) fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(share_session))
        .routes(routes!(import_shared))
        .routes(routes!(update_data))
}

/// A token another application can use once to import this finished session. Unlike the
/// rest of `/v3`, missing or bad credentials answer 401 here (contract §0).
#[utoipa::path(post, path = "/v3/session/{session_id}/share", tag = "sessions",
    params(("session_id" = String, Path)), request_body = Object,
    responses((status = 200, description = "{share_token, for_application_id, session_kind}"),
        (status = 401, description = "Bad credentials")),
    security(("api_key" = [])))]
async fn share_session(
    State(state): State<AppState>,
    app: Result<ApiApp, ApiError>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    let ApiApp(app) = app.map_err(|_| ApiError::Unauthorized(SHARE_UNAUTHORIZED.to_owned()))?;
    let request = ShareRequest::parse(&body)?;
    let id = session_id(&id)?;
    Ok(Json(state.services.share_session(&app, id, request).await?))
}

/// Imports a shared session as a new session of one of the caller's workflows; 201 with
/// the new session's decision.
#[utoipa::path(post, path = "/v3/session/import-shared", tag = "sessions", request_body = Object,
    responses((status = 201, description = "The new session's decision")),
    security(("api_key" = [])))]
async fn import_shared(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let request = ImportRequest::parse(&body)?;
    let decision = state.services.import_shared(&app, request).await?;
    Ok((StatusCode::CREATED, Json(decision)))
}

/// `update-data` query.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct UpdateDataQuery {
    /// The `id_verifications` element to edit (the latest when absent).
    pub node_id: Option<String>,
}

/// A reviewer's correction of the session's identity data; answers with the edited fields.
#[utoipa::path(patch, path = "/v3/session/{session_id}/update-data", tag = "sessions",
    params(("session_id" = String, Path), UpdateDataQuery), request_body = Object,
    responses((status = 200, description = "The identity fields after the edit")),
    security(("api_key" = [])))]
async fn update_data(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Path(id): Path<String>,
    Query(query): Query<UpdateDataQuery>,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    let id = session_id(&id)?;
    let node = query.node_id.as_deref().filter(|n| !n.is_empty());
    Ok(Json(
        state
            .services
            .update_session_data(app.id, id, node, &body)
            .await?,
    ))
}
