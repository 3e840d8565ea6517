//! The hosted verification page and the flow API behind it.
//!
//! * `GET /session/{token}` and `GET /{lang}/session/{token}`: the page, server-rendered from
//!   `assets/page.html` with its texts in the person's language (the path's language, then the
//!   session's `language`, then `Accept-Language`; English and Spanish are translated). A
//!   "continue on your phone" QR code (SVG, rendered here) is part of the page.
//! * `GET /assets/page.js`, `/assets/page.css`: the page's script and styles, embedded in the
//!   binary (no front-end build step).
//! * `/session/{token}/api/…`: the flow API, authorised by the session token alone and scoped
//!   to that session: `GET state`, `POST start`, `POST document`, `POST upload/{step}` (the raw
//!   image as the body), `POST finish`. Rate-limited per token and per client IP.
//!
//! Every response carries a CSP (scripts and styles from this origin only, `frame-ancestors`
//! from the `frame_ancestors` setting so the web SDK can embed the page), `Referrer-Policy:
//! no-referrer` (the token is in the URL), `nosniff` and `Cache-Control: no-store`.

use std::sync::OnceLock;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use utoipa_axum::router::OpenApiRouter;
use verifyd_core::session::LANGUAGES;
use verifyd_service::flow::{Capture, FlowView, MAX_UPLOAD_BYTES};

use crate::error::{ApiError, ApiResult};
use crate::extract::{ClientIp, JsonBody};
use crate::AppState;

const PAGE_HTML: &str = include_str!("../../assets/page.html");
const PAGE_JS: &str = include_str!("../../assets/page.js");
const PAGE_CSS: &str = include_str!("../../assets/page.css");
const I18N: &str = include_str!("../../assets/i18n.json");

/// Languages the page is translated into; others fall back to English.
pub const PAGE_LANGUAGES: [&str; 2] = ["en", "es"];
/// Flow API requests per minute per session token.
pub const FLOW_PER_TOKEN_PER_MINUTE: u32 = 120;
/// Flow API and page requests per minute per client IP.
pub const FLOW_PER_IP_PER_MINUTE: u32 = 600;
/// Uploads per minute per session token.
pub const UPLOADS_PER_TOKEN_PER_MINUTE: u32 = 20;

const MINUTE: Duration = Duration::from_secs(60);

pub(crate) fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    let pages = OpenApiRouter::new()
        .route("/session/{token}", get(page))
        .route("/{lang}/session/{token}", get(page_in))
        .route("/assets/page.js", get(script))
        .route("/assets/page.css", get(styles))
        .route("/session/{token}/api/state", get(api_state))
        .route("/session/{token}/api/start", post(api_start))
        .route("/session/{token}/api/document", post(api_document))
        .route(
            "/session/{token}/api/upload/{capture}",
            post(api_upload)
                .layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT))
                .layer(axum::middleware::from_fn(refuse_large_uploads)),
        )
        .route("/session/{token}/api/finish", post(api_finish))
        .layer(axum::middleware::from_fn(security_headers));
    router.merge(pages)
}

/// Largest upload request body (the image plus slack).
const UPLOAD_BODY_LIMIT: usize = MAX_UPLOAD_BYTES + 4096;

/// Answers 413 from `Content-Length` alone, before a byte of an oversized body is read.
async fn refuse_large_uploads(request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > UPLOAD_BODY_LIMIT) {
        return ApiError::PayloadTooLarge.into_response();
    }
    next.run(request).await
}

/// The page's security headers, on every page, asset and flow API response.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// The Content-Security-Policy of the page.
pub fn content_security_policy(frame_ancestors: &str) -> String {
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
         media-src 'self' blob: mediastream:; connect-src 'self'; form-action 'self'; \
         base-uri 'none'; frame-ancestors {frame_ancestors}"
    )
}

fn translations() -> &'static Map<String, Value> {
    static PARSED: OnceLock<Map<String, Value>> = OnceLock::new();
    PARSED.get_or_init(|| {
        serde_json::from_str::<Value>(I18N)
            .ok()
            .and_then(|v| v.as_object().cloned())
            .unwrap_or_default()
    })
}

/// The texts of one language (English for untranslated ones).
fn texts(lang: &str) -> Map<String, Value> {
    let all = translations();
    let english = all
        .get("en")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut out = english;
    if let Some(own) = all.get(lang).and_then(Value::as_object) {
        out.extend(own.clone());
    }
    out
}

/// The page language: the path's, the session's, the browser's, else English.
fn page_language(path: Option<&str>, session: Option<&str>, headers: &HeaderMap) -> String {
    let translated = |l: &str| {
        let base = l.split(['-', '_']).next().unwrap_or(l).to_lowercase();
        PAGE_LANGUAGES.contains(&base.as_str()).then_some(base)
    };
    if let Some(l) = path
        .and_then(translated)
        .or_else(|| session.and_then(translated))
    {
        return l;
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut ranked: Vec<(f32, &str)> = accept
        .split(',')
        .filter_map(|part| {
            let mut bits = part.trim().split(';');
            let tag = bits.next()?.trim();
            let q = bits
                .find_map(|b| b.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            (!tag.is_empty()).then_some((q, tag))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    ranked
        .into_iter()
        .find_map(|(_, tag)| translated(tag))
        .unwrap_or_else(|| "en".to_owned())
}

fn escape_html(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Fills `{{t:key}}` with escaped texts.
fn fill_texts(template: &str, texts: &Map<String, Value>) -> String {
    let mut out = String::with_capacity(template.len() + 1024);
    let mut rest = template;
    while let Some(start) = rest.find("{{t:") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 4..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let key = &after[..end];
        let text = texts.get(key).and_then(Value::as_str).unwrap_or(key);
        out.push_str(&escape_html(text));
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// An SVG QR code of `url`, for inline use.
fn qr_svg(url: &str) -> String {
    match qrcode::QrCode::new(url.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build();
            // Inline SVG: drop the XML declaration.
            svg.find("<svg")
                .map_or(svg.clone(), |at| svg[at..].to_owned())
        }
        Err(e) => {
            tracing::warn!(error = %e, "QR code not rendered");
            String::new()
        }
    }
}

fn html_response(status: StatusCode, body: String, frame_ancestors: &str) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(csp) = HeaderValue::from_str(&content_security_policy(frame_ancestors)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    response
}

/// The page for an unknown, mistyped or lapsed link.
fn not_found_page(lang: &str, frame_ancestors: &str) -> Response {
    let t = texts(lang);
    let text = |k: &str| escape_html(t.get(k).and_then(Value::as_str).unwrap_or(k));
    let body = format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>{title}</title>\
         <link rel=\"stylesheet\" href=\"/assets/page.css\"></head><body>\
         <header class=\"bar\"><span class=\"brand\">{title}</span></header>\
         <main><section><h1>{heading}</h1><p>{text}</p></section></main></body></html>",
        title = text("title"),
        heading = text("not_found_heading"),
        text = text("not_found_text"),
    );
    html_response(StatusCode::NOT_FOUND, body, frame_ancestors)
}

fn check_rate(state: &AppState, scope: &'static str, key: &str, limit: u32) -> ApiResult<()> {
    state
        .limiter
        .check(scope, key, limit, MINUTE)
        .map_err(|exceeded| ApiError::RateLimited {
            detail: "Too many requests. Please wait a minute and try again.".to_owned(),
            retry_after: exceeded.retry_after,
            limit: Some(limit),
            reset_at: Some(exceeded.reset_at),
        })
}

fn limit_flow(state: &AppState, token: &str, ip: &ClientIp) -> ApiResult<()> {
    check_rate(state, "flow-ip", &ip.key(), FLOW_PER_IP_PER_MINUTE)?;
    check_rate(state, "flow-token", token, FLOW_PER_TOKEN_PER_MINUTE)
}

async fn render_page(
    state: &AppState,
    token: &str,
    path_lang: Option<&str>,
    headers: &HeaderMap,
) -> Response {
    let settings = &state.services.settings;
    let frame_ancestors = settings.frame_ancestors.as_str();
    let view = match state.services.flow(token).await {
        Ok(view) => view,
        Err(e) => {
            let lang = page_language(path_lang, None, headers);
            let api: ApiError = e.into();
            return match api {
                ApiError::NotFound(_) => not_found_page(&lang, frame_ancestors),
                other => other.into_response(),
            };
        }
    };
    let lang = page_language(path_lang, view.session.language.as_deref(), headers);
    let t = texts(&lang);
    let base = settings.public_url.trim_end_matches('/');
    let handoff = match path_lang {
        Some(l) => format!("{base}/{l}/session/{token}?handoff=1"),
        None => format!("{base}/session/{token}?handoff=1"),
    };
    let config = json!({
        "sessionId": view.session.id,
        "api": format!("/session/{token}/api"),
        "lang": lang,
        "i18n": t,
    });
    // `<` escaped so the JSON cannot close its script element.
    let config = config.to_string().replace('<', "\\u003c");
    let html = fill_texts(PAGE_HTML, &t)
        .replace("{{lang}}", &lang)
        .replace("{{qr}}", &qr_svg(&handoff))
        .replace("{{config}}", &config);
    html_response(StatusCode::OK, html, frame_ancestors)
}

async fn page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ip: ClientIp,
    headers: HeaderMap,
) -> ApiResult<Response> {
    check_rate(&state, "flow-ip", &ip.key(), FLOW_PER_IP_PER_MINUTE)?;
    Ok(render_page(&state, &token, None, &headers).await)
}

async fn page_in(
    State(state): State<AppState>,
    Path((lang, token)): Path<(String, String)>,
    ip: ClientIp,
    headers: HeaderMap,
) -> ApiResult<Response> {
    check_rate(&state, "flow-ip", &ip.key(), FLOW_PER_IP_PER_MINUTE)?;
    let Some(lang) = LANGUAGES.iter().find(|l| l.eq_ignore_ascii_case(&lang)) else {
        let lang = page_language(None, None, &headers);
        return Ok(not_found_page(
            &lang,
            &state.services.settings.frame_ancestors,
        ));
    };
    Ok(render_page(&state, &token, Some(lang), &headers).await)
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}

async fn script() -> Response {
    asset("text/javascript; charset=utf-8", PAGE_JS)
}

async fn styles() -> Response {
    asset("text/css; charset=utf-8", PAGE_CSS)
}

fn state_json(view: &FlowView) -> Json<Value> {
    Json(view.to_json())
}

async fn api_state(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ip: ClientIp,
) -> ApiResult<Json<Value>> {
    limit_flow(&state, &token, &ip)?;
    Ok(state_json(&state.services.flow(&token).await?))
}

async fn api_start(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ip: ClientIp,
) -> ApiResult<Json<Value>> {
    limit_flow(&state, &token, &ip)?;
    Ok(state_json(&state.services.flow_start(&token).await?))
}

/// `POST /session/{token}/api/document` body.
#[derive(Debug, Deserialize)]
struct DocumentChoice {
    document_type: String,
    #[serde(default)]
    country: Option<String>,
}

async fn api_document(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ip: ClientIp,
    JsonBody(choice): JsonBody<DocumentChoice>,
) -> ApiResult<Json<Value>> {
    limit_flow(&state, &token, &ip)?;
    let view = state
        .services
        .flow_select_document(&token, &choice.document_type, choice.country.as_deref())
        .await?;
    Ok(state_json(&view))
}

async fn api_upload(
    State(state): State<AppState>,
    Path((token, capture)): Path<(String, String)>,
    ip: ClientIp,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<Value>> {
    limit_flow(&state, &token, &ip)?;
    check_rate(&state, "flow-upload", &token, UPLOADS_PER_TOKEN_PER_MINUTE)?;
    let capture = Capture::parse(&capture).ok_or_else(ApiError::not_found)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if !matches!(
        content_type.as_str(),
        "image/jpeg" | "image/png" | "image/webp" | "application/octet-stream"
    ) {
        return Err(ApiError::UnsupportedMediaType(content_type));
    }
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge
        } else {
            ApiError::BadRequest("The upload could not be read.".to_owned())
        }
    })?;
    let (view, verdict) = state
        .services
        .flow_upload(&token, capture, body.to_vec())
        .await?;
    Ok(Json(json!({"verdict": verdict, "state": view.to_json()})))
}

async fn api_finish(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ip: ClientIp,
) -> ApiResult<Json<Value>> {
    limit_flow(&state, &token, &ip)?;
    Ok(state_json(&state.services.flow_finish(&token).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_falls_back_in_order() {
        let mut headers = HeaderMap::new();
        assert_eq!(page_language(Some("es"), Some("en"), &headers), "es");
        assert_eq!(page_language(Some("fr"), Some("es"), &headers), "es");
        assert_eq!(page_language(None, None, &headers), "en");
        headers.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("fr-FR;q=0.9, es-MX;q=0.8, en;q=0.5"),
        );
        assert_eq!(page_language(None, None, &headers), "es");
    }

    #[test]
    fn every_text_is_translated_and_the_template_is_filled() {
        let all = translations();
        let en = all["en"].as_object().unwrap();
        let es = all["es"].as_object().unwrap();
        let mut missing: Vec<&String> = en.keys().filter(|k| !es.contains_key(*k)).collect();
        missing.extend(es.keys().filter(|k| !en.contains_key(*k)));
        assert!(missing.is_empty(), "{missing:?}");
        let html = fill_texts(PAGE_HTML, &texts("es"));
        assert!(!html.contains("{{t:"), "unfilled text");
        assert!(html.contains("Verifica tu identidad"));
        assert_eq!(
            escape_html("<a href=\"x\">"),
            "&lt;a href=&quot;x&quot;&gt;"
        );
    }

    #[test]
    fn qr_is_inline_svg() {
        let svg = qr_svg("https://verify.example/session/AbCdEfGhIjKl?handoff=1");
        assert!(svg.starts_with("<svg"), "{svg}");
    }

    #[test]
    fn csp_names_frame_ancestors() {
        let csp = content_security_policy("'self' https://shop.example");
        assert!(csp.contains("frame-ancestors 'self' https://shop.example"));
        assert!(csp.contains("script-src 'self'"));
    }
}
