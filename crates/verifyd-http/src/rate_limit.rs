//! Request budgets (contract §6): a 60-second sliding window per identifier and scope.
//! The identifier is the API key (hashed, never kept in clear), else the client IP. Reads
//! share `generic-get`, writes share `generic-write`, and session creation also counts
//! against `session-v2-create`; the first exhausted scope answers 429.
//!
//! Budgets are kept per process. Behind a load balancer with several nodes each node
//! enforces its share; see the README for sizing.

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::error::ApiError;
use crate::extract::ClientIp;
use crate::AppState;

/// Configured budgets per minute.
#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    /// GET/HEAD requests per minute per key.
    pub reads_per_minute: u32,
    /// POST/PATCH/PUT/DELETE requests per minute per key.
    pub writes_per_minute: u32,
    /// `POST /v3/session/` per minute per key.
    pub session_creates_per_minute: u32,
    /// Registrations per hour per client IP.
    pub registrations_per_hour: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            reads_per_minute: 600,
            writes_per_minute: 300,
            session_creates_per_minute: 600,
            registrations_per_hour: 5,
        }
    }
}

/// A refused request: how long to wait and when the window frees up.
#[derive(Debug, Clone, Copy)]
pub struct Exceeded {
    /// Seconds until one more request fits.
    pub retry_after: u64,
    /// Epoch seconds of that moment.
    pub reset_at: i64,
}

/// Sliding-window counters keyed by (scope, identifier).
#[derive(Debug)]
pub struct RateLimiter {
    limits: RateLimits,
    windows: Mutex<HashMap<(&'static str, String), VecDeque<Instant>>>,
}

impl RateLimiter {
    /// A limiter with the given budgets.
    pub fn new(limits: RateLimits) -> Self {
        Self {
            limits,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// The configured budgets.
    pub fn limits(&self) -> RateLimits {
        self.limits
    }

    /// Counts one request in `scope` for `identifier`; refuses it when `limit` requests were
    /// already counted within `window`.
    pub fn check(
        &self,
        scope: &'static str,
        identifier: &str,
        limit: u32,
        window: Duration,
    ) -> Result<(), Exceeded> {
        let now = Instant::now();
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if windows.len() > 100_000 {
            windows.retain(|_, hits| hits.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        let hits = windows.entry((scope, identifier.to_owned())).or_default();
        while hits
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            hits.pop_front();
        }
        if hits.len() >= limit as usize {
            let oldest = hits.front().copied().unwrap_or(now);
            let wait = window.saturating_sub(now.duration_since(oldest));
            let retry_after = wait.as_secs().max(1);
            let epoch = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            return Err(Exceeded {
                retry_after,
                reset_at: i64::try_from(epoch + retry_after).unwrap_or(i64::MAX),
            });
        }
        hits.push_back(now);
        Ok(())
    }
}

const MINUTE: Duration = Duration::from_secs(60);

/// Applies the per-key budgets to every `/v3` request.
pub async fn middleware(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if !path.starts_with("/v3/") || path.starts_with("/v3/openapi") {
        return next.run(request).await;
    }
    let identifier = match request
        .headers()
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
    {
        Some(key) => hex::encode(Sha256::digest(key.as_bytes())),
        None => {
            let (parts, body) = request.into_parts();
            let ip = ClientIp::from_parts(&parts).key();
            let request = Request::from_parts(parts, body);
            return limited(&state, request, next, &ip).await;
        }
    };
    limited(&state, request, next, &identifier).await
}

async fn limited(state: &AppState, request: Request, next: Next, identifier: &str) -> Response {
    let limits = state.limiter.limits();
    let is_read = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let path = request.uri().path().trim_end_matches('/');
    let mut scopes: Vec<(&'static str, u32, &'static str)> = Vec::with_capacity(2);
    if is_read {
        scopes.push(("generic-get", limits.reads_per_minute, "Read"));
    } else {
        scopes.push(("generic-write", limits.writes_per_minute, "Write"));
        if request.method() == Method::POST && path == "/v3/session" {
            scopes.push((
                "session-v2-create",
                limits.session_creates_per_minute,
                "Session creation",
            ));
        }
    }
    for (scope, limit, label) in scopes {
        if let Err(exceeded) = state.limiter.check(scope, identifier, limit, MINUTE) {
            return ApiError::RateLimited {
                detail: format!(
                    "{label} request rate limit exceeded. You can make up to {limit} requests per minute."
                ),
                retry_after: exceeded.retry_after,
                limit: Some(limit),
                reset_at: Some(exceeded.reset_at),
            }
            .into_response();
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_refuses_past_the_limit_per_identifier() {
        let limiter = RateLimiter::new(RateLimits::default());
        for _ in 0..3 {
            assert!(limiter.check("s", "a", 3, MINUTE).is_ok());
        }
        let exceeded = limiter.check("s", "a", 3, MINUTE).unwrap_err();
        assert!(exceeded.retry_after >= 1 && exceeded.retry_after <= 60);
        assert!(limiter.check("s", "b", 3, MINUTE).is_ok());
        assert!(limiter.check("other", "a", 3, MINUTE).is_ok());
    }

    #[test]
    fn window_slides() {
        let limiter = RateLimiter::new(RateLimits::default());
        let window = Duration::from_millis(50);
        assert!(limiter.check("s", "a", 1, window).is_ok());
        assert!(limiter.check("s", "a", 1, window).is_err());
        std::thread::sleep(Duration::from_millis(60));
        assert!(limiter.check("s", "a", 1, window).is_ok());
    }
}
