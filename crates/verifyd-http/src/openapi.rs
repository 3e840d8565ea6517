//! The OpenAPI 3 document, generated from the handlers' annotations: every route registered
//! through [`router_with_spec`] appears in it, so the document cannot drift from the router.
//! Served at `/v3/openapi.json` without authentication.

use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::{routes, AppState};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "verifyd",
        description = "Self-hosted identity verification, wire-compatible with the Didit v3 API.",
        license(name = "Apache-2.0")
    ),
    components(schemas(crate::routes::ErrorBody)),
    modifiers(&ApiKeyScheme)
)]
struct ApiDoc;

struct ApiKeyScheme;

impl utoipa::Modify for ApiKeyScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("x-api-key"))),
        );
    }
}

/// Paths served in their canonical form without a trailing slash (contract §0).
const NO_SLASH: [&str; 4] = [
    "/system/healthcheck",
    "/generate-pdf",
    "/webhook/{webhook_uuid}",
    "/webhook/{webhook_uuid}/resend",
];

/// Builds every route together with the OpenAPI document describing them.
pub fn router_with_spec() -> (Router<AppState>, Value) {
    let (router, api) =
        routes::register(OpenApiRouter::with_openapi(ApiDoc::openapi())).split_for_parts();
    let mut spec = serde_json::to_value(&api).unwrap_or(Value::Null);
    canonicalise_paths(&mut spec);
    let served = Arc::new(spec.clone());
    let router = router.route(
        "/v3/openapi.json",
        get(move || {
            let served = Arc::clone(&served);
            async move { Json((*served).clone()) }
        }),
    );
    (router, spec)
}

/// Routes are registered without trailing slashes (a layer trims them before routing); the
/// published document shows the contract's canonical slashed paths.
fn canonicalise_paths(spec: &mut Value) {
    let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    let entries: Vec<(String, Value)> = std::mem::take(paths).into_iter().collect();
    for (path, item) in entries {
        let keep = NO_SLASH.iter().any(|suffix| path.ends_with(suffix));
        let canonical = if keep { path } else { format!("{path}/") };
        paths.insert(canonical, item);
    }
}

/// The OpenAPI document as JSON (for tests and `verifyd openapi`).
pub fn document() -> Value {
    router_with_spec().1
}
