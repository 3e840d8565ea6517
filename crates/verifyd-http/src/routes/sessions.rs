//! Sessions: create, read, decision, list, delete, reviewer status changes and reviews.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{json, Map, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use verifyd_core::ids::SessionId;
use verifyd_core::session::{iso, Session, RESULT_ARRAYS};
use verifyd_core::status::SessionStatus;
use verifyd_core::FieldErrors;
use verifyd_service::sessions::{parse_nodes, StatusUpdate};
use verifyd_store::sessions::SessionFilter;

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiApp, JsonBody};
use crate::routes::{page_links, Page};
use crate::AppState;

pub(crate) fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(create_session))
        .routes(routes!(get_session))
        .routes(routes!(get_decision))
        .routes(routes!(list_sessions))
        .routes(routes!(delete_session))
        .routes(routes!(delete_sessions))
        .routes(routes!(update_status))
        .routes(routes!(list_reviews, add_review))
        .routes(routes!(generate_pdf))
}

/// The session report as a PDF.
#[utoipa::path(get, path = "/v3/session/{session_id}/generate-pdf", tag = "sessions",
    params(("session_id" = String, Path)),
    responses((status = 200, description = "PDF bytes", content_type = "application/pdf")),
    security(("api_key" = [])))]
async fn generate_pdf(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Path(id): Path<String>,
) -> ApiResult<impl axum::response::IntoResponse> {
    let id = session_id(&id)?;
    let pdf = state.services.pdf_report(app.id, id).await?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/pdf".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"session-{id}.pdf\""),
            ),
        ],
        pdf,
    ))
}

/// Parses a session id from the path; anything else is simply not found.
pub fn session_id(raw: &str) -> ApiResult<SessionId> {
    raw.parse().map_err(|_| ApiError::not_found())
}

/// Creates a session (201; the same unfinished session again for a repeated vendor_data).
#[utoipa::path(post, path = "/v3/session", tag = "sessions", request_body = Object,
    responses((status = 201, description = "The session")), security(("api_key" = [])))]
async fn create_session(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let created = state.services.create_session(&app, &body).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            created
                .session
                .to_created_json(&state.services.settings.public_url),
        ),
    ))
}

/// Reads a session (the create shape with its current status).
#[utoipa::path(get, path = "/v3/session/{session_id}", tag = "sessions",
    params(("session_id" = String, Path)), responses((status = 200, description = "The session")),
    security(("api_key" = [])))]
async fn get_session(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let session = state.services.session(app.id, session_id(&id)?).await?;
    Ok(Json(
        session.to_created_json(&state.services.settings.public_url),
    ))
}

/// The decision document: every feature array present, `[]` when not run.
#[utoipa::path(get, path = "/v3/session/{session_id}/decision", tag = "sessions",
    params(("session_id" = String, Path)), responses((status = 200, description = "The decision")),
    security(("api_key" = [])))]
async fn get_decision(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        state.services.decision(app.id, session_id(&id)?).await?,
    ))
}

fn document_type_name(code: &str) -> Option<&'static str> {
    Some(match code {
        "P" => "Passport",
        "ID" => "Identity Card",
        "DL" => "Driver's License",
        "RP" => "Residence Permit",
        "HIC" => "Health Insurance Card",
        "TC" => "Tax Card",
        _ => return None,
    })
}

fn feature_status(elements: &[Value]) -> &str {
    elements
        .iter()
        .filter_map(|e| e.get("status").and_then(Value::as_str))
        .find(|s| *s == "Declined")
        .or_else(|| {
            elements
                .iter()
                .find_map(|e| e.get("status").and_then(Value::as_str))
        })
        .unwrap_or("Not Finished")
}

fn list_row(session: &Session, public_url: &str) -> Value {
    let mut features = Vec::new();
    for (array, name) in RESULT_ARRAYS.iter().zip([
        "ID_VERIFICATION",
        "NFC",
        "LIVENESS",
        "FACE_MATCH",
        "POA",
        "PHONE",
        "EMAIL_VERIFICATION",
        "AML",
        "IP_ANALYSIS",
        "DATABASE_VALIDATION",
        "QUESTIONNAIRE",
        "DOCUMENT_AI",
    ]) {
        let elements = session.results_of(array);
        if !elements.is_empty() {
            features.push(json!({"feature": name, "status": feature_status(&elements)}));
        }
    }
    let liveness = session.results_of("liveness_checks");
    let face = session.results_of("face_matches");
    let aml = session.results_of("aml_screenings");
    let additional = if liveness.is_empty() && face.is_empty() && aml.is_empty() {
        Value::Null
    } else {
        json!({
            "aml": aml.first().map(|a| json!({"total_hits": a.get("total_hits"), "entity_type": a.get("entity_type"), "is_adverse_media_fetched": false})),
            "liveness": liveness.first().map(|l| json!({"method": l.get("method"), "score": l.get("score")})),
            "face_match": face.first().map(|f| json!({"score": f.get("score")})),
        })
    };
    json!({
        "session_id": session.id,
        "session_kind": "user",
        "session_number": session.number,
        "session_url": session.url(public_url),
        "session_token": session.token,
        "portrait_image": null,
        "document_type": session.id_field("document_type_code").as_deref().and_then(document_type_name),
        "full_name": session.id_field("full_name"),
        "country": session.id_field("issuing_state"),
        "status": session.status,
        "vendor_data": session.vendor_data,
        "workflow_id": session.workflow_id,
        "didit_internal_id": null,
        "created_at": iso(session.created_at),
        "updated_at": iso(session.updated_at),
        "features": features,
        "phone_number": session.results_of("phone_verifications").first().map(|p| json!({"number": p.get("full_number"), "is_verified": p.get("status") == Some(&json!("Approved"))})),
        "email_address": session.results_of("email_verifications").first().map(|e| json!({"email": e.get("email"), "is_verified": e.get("status") == Some(&json!("Approved"))})),
        "additional_details": additional,
    })
}

fn parse_date(
    field: &str,
    raw: &str,
    end: bool,
    errors: &mut FieldErrors,
) -> Option<DateTime<Utc>> {
    if let Ok(date) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        let day = if end {
            date.succ_opt().unwrap_or(date)
        } else {
            date
        };
        return day.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    }
    match DateTime::parse_from_rfc3339(raw.replace(' ', "+").as_str()) {
        Ok(at) => Some(at.with_timezone(&Utc)),
        Err(_) => {
            errors.add(field, "Enter a valid date.");
            None
        }
    }
}

fn split_list(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Lists sessions, newest first, with the contract's filters.
#[utoipa::path(get, path = "/v3/sessions", tag = "sessions",
    responses((status = 200, description = "A page of sessions")), security(("api_key" = [])))]
async fn list_sessions(
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
    let mut errors = FieldErrors::new();
    let kind = get("session_kind").unwrap_or("user").to_lowercase();
    if !matches!(kind.as_str(), "user" | "business" | "all") {
        return Err(ApiError::Custom(
            StatusCode::BAD_REQUEST,
            json!({"session_kind": "Must be \"user\", \"business\", or \"all\"."}),
        ));
    }
    let page = Page::parse(get("limit"), get("offset"))?;
    let mut filter = SessionFilter {
        statuses: get("status").map(split_list).unwrap_or_default(),
        vendor_data: get("vendor_data").map(str::to_owned),
        countries: get("country")
            .map(|c| split_list(&c.to_uppercase()))
            .unwrap_or_default(),
        document_types: get("document_type")
            .map(|c| split_list(&c.to_uppercase()))
            .unwrap_or_default(),
        search: get("search").filter(|s| !s.is_empty()).map(str::to_owned),
        ..SessionFilter::default()
    };
    if let Some(raw) = get("workflow_id") {
        for id in split_list(raw) {
            match id.parse() {
                Ok(id) => filter.workflow_ids.push(id),
                Err(_) => errors.add("workflow_id", "Enter a valid UUID."),
            }
        }
    }
    if let Some(raw) = get("didit_internal_id") {
        if uuid::Uuid::parse_str(raw).is_err() {
            errors.add("didit_internal_id", "Enter a valid UUID.");
        }
    }
    filter.created_from =
        get("date_from").and_then(|d| parse_date("date_from", d, false, &mut errors));
    filter.created_to = get("date_to").and_then(|d| parse_date("date_to", d, true, &mut errors));
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let public_url = &state.services.settings.public_url;
    let (count, sessions) = if kind == "business" {
        (0, Vec::new())
    } else {
        state
            .services
            .list_sessions(app.id, &filter, page.limit, page.offset)
            .await?
    };
    let (next, previous) = page_links(public_url, "/v3/sessions/", &params, page, count);
    Ok(Json(json!({
        "count": count,
        "next": next,
        "previous": previous,
        "results": sessions.iter().map(|s| list_row(s, public_url)).collect::<Vec<_>>(),
    })))
}

/// Deletes a session and its media (204).
#[utoipa::path(delete, path = "/v3/session/{session_id}/delete", tag = "sessions",
    params(("session_id" = String, Path)), responses((status = 204)), security(("api_key" = [])))]
async fn delete_session(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .services
        .delete_session(app.id, session_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes sessions by number, or all of them.
#[utoipa::path(post, path = "/v3/sessions/delete", tag = "sessions", request_body = Object,
    responses((status = 200, description = "Deleted sessions")), security(("api_key" = [])))]
async fn delete_sessions(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    let delete_all = body
        .get("delete_all")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let numbers = if delete_all {
        None
    } else {
        let list = match body.get("session_numbers") {
            None | Some(Value::Null) => {
                return Err(ApiError::field(
                    "session_numbers",
                    "This field is required unless delete_all is true.",
                ))
            }
            Some(Value::Array(list)) if list.is_empty() => {
                return Err(ApiError::field(
                    "session_numbers",
                    "This list may not be empty.",
                ))
            }
            Some(Value::Array(list)) => list,
            Some(_) => {
                return Err(ApiError::field(
                    "session_numbers",
                    "Expected a list of items.",
                ))
            }
        };
        let mut numbers = Vec::with_capacity(list.len());
        for item in list {
            let number = match item {
                Value::Number(n) => n.as_i64(),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            };
            match number {
                Some(n) => numbers.push(n),
                None => {
                    return Err(ApiError::field(
                        "session_numbers",
                        "A valid integer is required.",
                    ))
                }
            }
        }
        Some(numbers)
    };
    let deleted = state
        .services
        .delete_sessions(app.id, numbers.as_deref())
        .await?;
    Ok(Json(json!({
        "results": deleted.iter().map(|(id, number)| json!({
            "session_id": id, "session_number": number,
            "face_retention_outcome": "deleted", "biometric_template_uuid": null,
        })).collect::<Vec<_>>()
    })))
}

/// A reviewer's decision: Approved, Declined or Resubmitted.
#[utoipa::path(patch, path = "/v3/session/{session_id}/update-status", tag = "sessions",
    params(("session_id" = String, Path)), request_body = Object,
    responses((status = 200, description = "{\"session_id\": …}")), security(("api_key" = [])))]
async fn update_status(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    let id = session_id(&id)?;
    let new_status = match body.get("new_status") {
        None | Some(Value::Null) => {
            return Err(ApiError::field("new_status", "This field is required."))
        }
        Some(Value::String(raw)) => raw
            .parse::<SessionStatus>()
            .ok()
            .filter(|s| s.is_reviewer_target())
            .ok_or_else(|| {
                ApiError::field("new_status", &format!("\"{raw}\" is not a valid choice."))
            })?,
        Some(_) => return Err(ApiError::field("new_status", "Not a valid string.")),
    };
    if body.get("send_email").and_then(Value::as_bool) == Some(true)
        && body.get("email_address").and_then(Value::as_str).is_none()
    {
        return Err(ApiError::field(
            "email_address",
            "This field is required when send_email is true.",
        ));
    }
    let update = StatusUpdate {
        new_status,
        comment: body
            .get("comment")
            .and_then(Value::as_str)
            .map(str::to_owned),
        nodes_to_resubmit: parse_nodes(body.get("nodes_to_resubmit"))?,
    };
    state.services.update_status(app.id, id, update).await?;
    Ok(Json(json!({ "session_id": id })))
}

/// The review/activity history of a session.
#[utoipa::path(get, path = "/v3/sessions/{session_id}/reviews", tag = "sessions",
    params(("session_id" = String, Path)), responses((status = 200, description = "Review items")),
    security(("api_key" = [])))]
async fn list_reviews(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let items = state.services.reviews(app.id, session_id(&id)?).await?;
    Ok(Json(Value::Array(
        items.iter().map(|i| i.to_json()).collect(),
    )))
}

/// Adds a review comment, optionally changing the status.
#[utoipa::path(post, path = "/v3/sessions/{session_id}/reviews", tag = "sessions",
    params(("session_id" = String, Path)), request_body = Object,
    responses((status = 201, description = "The review item")), security(("api_key" = [])))]
async fn add_review(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let new_status = match body.get("new_status") {
        None | Some(Value::Null) => None,
        Some(Value::String(raw)) => Some(raw.parse::<SessionStatus>().map_err(|_| {
            ApiError::field("new_status", &format!("\"{raw}\" is not a valid choice."))
        })?),
        Some(_) => return Err(ApiError::field("new_status", "Not a valid string.")),
    };
    let comment = body
        .get("comment")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let item = state
        .services
        .add_review(app.id, session_id(&id)?, new_status, comment)
        .await?;
    Ok((StatusCode::CREATED, Json(item.to_json())))
}
