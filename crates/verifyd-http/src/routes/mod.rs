//! One module per resource. [`register`] adds them all to the router and the OpenAPI document.

pub mod accounts;
pub mod billing;
pub mod checks;
pub mod lists;
pub mod page;
pub mod questionnaires;
pub mod sessions;
pub mod sharing;
pub mod system;
pub mod users;
pub mod webhooks;
pub mod workflows;

use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// The contract's error body: `{"detail": "…"}` (field errors are `{"field": ["…"]}`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub detail: String,
}

/// Adds every route.
pub fn register(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    let router = system::routes(router);
    let router = accounts::routes(router);
    let router = workflows::routes(router);
    let router = checks::routes(router);
    let router = webhooks::routes(router);
    let router = lists::routes(router);
    let router = users::routes(router);
    let router = questionnaires::routes(router);
    let router = billing::routes(router);
    let router = sharing::routes(router);
    let router = page::routes(router);
    sessions::routes(router)
}

/// A validated `limit`/`offset` pair.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    /// Page size, 1–100.
    pub limit: i64,
    /// Items skipped.
    pub offset: i64,
}

impl Page {
    /// Parses the query values (default 50 / 0) with DRF-style errors.
    pub fn parse(limit: Option<&str>, offset: Option<&str>) -> ApiResult<Self> {
        let limit = match limit {
            None | Some("") => 50,
            Some(raw) => raw
                .parse::<i64>()
                .ok()
                .filter(|l| *l >= 1)
                .map(|l| l.min(100))
                .ok_or_else(|| {
                    ApiError::field("limit", "A valid integer greater than 0 is required.")
                })?,
        };
        let offset = match offset {
            None | Some("") => 0,
            Some(raw) => raw.parse::<i64>().ok().filter(|o| *o >= 0).ok_or_else(|| {
                ApiError::field("offset", "A valid non-negative integer is required.")
            })?,
        };
        Ok(Self { limit, offset })
    }
}

/// Absolute `next`/`previous` URLs for a page, keeping the other query parameters.
pub fn page_links(
    public_url: &str,
    path: &str,
    params: &[(String, String)],
    page: Page,
    count: i64,
) -> (Option<String>, Option<String>) {
    let link = |offset: i64| {
        let mut query: Vec<String> = params
            .iter()
            .filter(|(k, _)| k != "limit" && k != "offset")
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        query.insert(0, format!("limit={}&offset={offset}", page.limit));
        format!(
            "{}{path}?{}",
            public_url.trim_end_matches('/'),
            query.join("&")
        )
    };
    let next = (page.offset + page.limit < count).then(|| link(page.offset + page.limit));
    let previous = (page.offset > 0).then(|| link((page.offset - page.limit).max(0)));
    (next, previous)
}

fn encode(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
