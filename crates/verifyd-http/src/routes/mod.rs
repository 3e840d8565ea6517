//! One module per resource. [`register`] adds them all to the router and the OpenAPI document.

pub mod accounts;
pub mod system;

use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

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
    accounts::routes(router)
}
