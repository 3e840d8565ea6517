//! The delivery workers. One loop per process claims due deliveries from the outbox (with a
//! lease, so other nodes skip them and a crashed node's claims come back), and runs each in
//! its own task: at most [`MAX_IN_FLIGHT`] at once, and at most [`PER_DESTINATION`] to one
//! destination, so a slow endpoint cannot hold back the others. The loop wakes at once after
//! an enqueue on this node and polls every second for work from other nodes and for retries.
//!
//! Each attempt signs the stored envelope at sending time (the `timestamp` receivers check
//! for freshness is the signing time), posts it with a 5 s timeout, and records the attempt
//! and the delivery's next step in one transaction.

use chrono::{DateTime, Utc};
use rand::Rng;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{watch, Notify, Semaphore};
use tokio::task::{JoinHandle, JoinSet};
use uuid::Uuid;
use verifyd_store::webhooks::{Attempt, ClaimedDelivery, NextStep};

use super::targets::{self, GuardedResolver, RefusedTarget};
use crate::{ServiceError, ServiceResult, Services};

/// How long an endpoint may take to answer.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a claim is held: longer than any attempt, short enough that a crashed node's
/// claims are retried soon.
pub const LEASE: Duration = Duration::from_secs(20);
/// Deliveries in flight per process.
pub const MAX_IN_FLIGHT: usize = 32;
/// Deliveries in flight per destination: one slow endpoint holds at most half the slots.
pub const PER_DESTINATION: usize = MAX_IN_FLIGHT / 2;
/// How often the loop looks for due work without being woken.
const POLL: Duration = Duration::from_secs(1);

/// The webhook machinery shared by the services: the HTTP client and the wake-up signal.
#[derive(Debug)]
pub struct WebhookRuntime {
    wakeup: Notify,
    client: reqwest::Client,
    retry_schedule: Vec<Duration>,
    allow_private: bool,
}

impl WebhookRuntime {
    /// Builds the client (guarded resolver, no proxy, no redirects, 5 s timeout).
    pub fn new(retry_schedule: Vec<Duration>, allow_private: bool) -> ServiceResult<Self> {
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(GuardedResolver { allow_private }))
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(DELIVERY_TIMEOUT)
            .connect_timeout(DELIVERY_TIMEOUT)
            .pool_idle_timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| ServiceError::internal("building the webhook client", e))?;
        Ok(Self {
            wakeup: Notify::new(),
            client,
            retry_schedule,
            allow_private,
        })
    }

    /// Wakes the delivery loop (after an enqueue).
    pub fn wake(&self) {
        self.wakeup.notify_one();
    }

    /// Whether internal addresses are allowed as targets.
    pub fn allow_private(&self) -> bool {
        self.allow_private
    }
}

/// A running delivery loop; [`WorkerHandle::shutdown`] stops it gracefully.
#[derive(Debug)]
pub struct WorkerHandle {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl WorkerHandle {
    /// Stops claiming and waits for the deliveries in flight (each ends within the timeout).
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Parses a retry schedule such as `1m,4m` or `1s, 2s` (units ms, s, m, h, d; a bare number
/// is seconds; an empty string means no retries).
pub fn parse_retry_schedule(raw: &str) -> Result<Vec<Duration>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(Vec::new());
    }
    raw.split(',')
        .map(|item| {
            let item = item.trim();
            let split = item
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(item.len());
            let (number, unit) = item.split_at(split);
            let n: u64 = number
                .parse()
                .map_err(|_| format!("{item:?} is not a duration like 30s, 1m or 2h"))?;
            let secs = match unit.trim() {
                "ms" => return Ok(Duration::from_millis(n)),
                "" | "s" => n,
                "m" => n.saturating_mul(60),
                "h" => n.saturating_mul(3600),
                "d" => n.saturating_mul(86_400),
                _ => {
                    return Err(format!(
                        "{item:?} has an unknown unit (use ms, s, m, h or d)"
                    ))
                }
            };
            Ok(Duration::from_secs(secs))
        })
        .collect()
}

/// `delay` plus up to 10 % (at most 30 s) of random jitter, so retries of many deliveries
/// that failed together do not arrive together.
pub fn with_jitter(delay: Duration, rng: &mut impl Rng) -> Duration {
    let max_extra = (delay / 10).min(Duration::from_secs(30));
    if max_extra.is_zero() {
        return delay;
    }
    delay + max_extra.mul_f64(rng.gen_range(0.0..1.0))
}

/// How an attempt ended, before deciding what comes next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptResult {
    /// The endpoint answered with this status.
    Answered(u16),
    /// Timed out or could not connect: worth retrying.
    Transient(String),
    /// Will never work as configured (refused target, deleted destination…).
    Permanent(String),
}

/// The delivery's next step after attempt number `attempts_before + 1` ended with `result`:
/// 2xx delivered; 5xx, 404, timeouts and connection errors retried while the schedule
/// lasts; anything else final.
pub fn next_step(
    result: &AttemptResult,
    attempts_before: i64,
    schedule: &[Duration],
    now: DateTime<Utc>,
    rng: &mut impl Rng,
) -> NextStep {
    let retryable = match result {
        AttemptResult::Answered(code) if (200..300).contains(code) => return NextStep::Delivered,
        AttemptResult::Answered(code) => *code >= 500 || *code == 404,
        AttemptResult::Transient(_) => true,
        AttemptResult::Permanent(_) => false,
    };
    let index = usize::try_from(attempts_before).unwrap_or(usize::MAX);
    match schedule.get(index) {
        Some(delay) if retryable => {
            let delay = with_jitter(*delay, rng);
            NextStep::RetryAt(now + chrono::Duration::from_std(delay).unwrap_or_default())
        }
        _ => NextStep::Failed,
    }
}

/// The text of an error and its causes (`error sending request: … : connection refused`).
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    text
}

fn is_refusal(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if e.downcast_ref::<RefusedTarget>().is_some() {
            return true;
        }
        current = e.source();
    }
    false
}

impl Services {
    /// Starts the delivery loop on the current runtime.
    pub fn spawn_webhook_worker(&self) -> WorkerHandle {
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(run(self.clone(), stopped));
        WorkerHandle { stop, task }
    }

    /// Makes one attempt of a claimed delivery and records it; returns the attempt (None when
    /// the lease was lost meanwhile and nothing was recorded).
    pub async fn deliver(&self, claim: &ClaimedDelivery) -> ServiceResult<Option<Attempt>> {
        let runtime = &self.webhooks;
        let now = self.clock.now();
        let event = self
            .store
            .webhook_event(claim.app_id, claim.event_id)
            .await?;
        let destination = self
            .store
            .destination(claim.app_id, claim.destination_id)
            .await?;
        let mut attempt = Attempt {
            id: Uuid::new_v4(),
            app_id: claim.app_id,
            delivery_id: claim.id,
            event_id: claim.event_id,
            destination_id: claim.destination_id,
            session_id: event.as_ref().and_then(|e| e.session_id),
            webhook_type: event
                .as_ref()
                .map(|e| e.webhook_type.clone())
                .unwrap_or_default(),
            url: destination
                .as_ref()
                .map(|d| d.url.clone())
                .unwrap_or_default(),
            request_headers: Value::Object(Map::new()),
            request_body: String::new(),
            response_status: None,
            latency_ms: 0,
            error: None,
            succeeded: false,
            created_at: now,
        };
        let result = match (&event, &destination) {
            (None, _) => AttemptResult::Permanent("event no longer exists".to_owned()),
            (_, None) => AttemptResult::Permanent("destination was deleted".to_owned()),
            (_, Some(d)) if !d.enabled || d.url.is_empty() => {
                AttemptResult::Permanent("destination is disabled".to_owned())
            }
            (Some(event), Some(destination)) => {
                match verifyd_webhooks::sign_webhook(
                    &event.payload,
                    &destination.secret,
                    now.timestamp(),
                ) {
                    Err(e) => AttemptResult::Permanent(format!("cannot sign: {e}")),
                    Ok(signed) => {
                        attempt.request_headers = Value::Object(
                            signed
                                .headers
                                .iter()
                                .map(|(k, v)| ((*k).to_owned(), Value::String(v.clone())))
                                .collect(),
                        );
                        attempt.request_body = String::from_utf8_lossy(&signed.body).into_owned();
                        let started = Instant::now();
                        let result = self.post(&destination.url, signed).await;
                        attempt.latency_ms =
                            i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
                        result
                    }
                }
            }
        };
        match &result {
            AttemptResult::Answered(code) => {
                attempt.response_status = Some(i64::from(*code));
                attempt.succeeded = (200..300).contains(code);
                if !attempt.succeeded {
                    attempt.error = Some(format!("endpoint answered {code}"));
                }
            }
            AttemptResult::Transient(e) | AttemptResult::Permanent(e) => {
                attempt.error = Some(e.clone());
            }
        }
        // Retry delays count from the end of the attempt (a timeout takes 5 s).
        let next = next_step(
            &result,
            claim.attempts,
            &runtime.retry_schedule,
            self.clock.now(),
            &mut rand::thread_rng(),
        );
        let recorded = self.store.finish_attempt(claim, &attempt, next).await?;
        if !recorded {
            tracing::warn!(delivery = %claim.id, "webhook lease lost before the attempt was recorded");
            return Ok(None);
        }
        tracing::info!(
            event_id = %attempt.event_id,
            destination = %attempt.destination_id,
            status = ?attempt.response_status,
            error = ?attempt.error,
            latency_ms = attempt.latency_ms,
            next = ?next,
            "webhook attempt"
        );
        Ok(Some(attempt))
    }

    async fn post(&self, raw_url: &str, signed: verifyd_webhooks::SignedWebhook) -> AttemptResult {
        let runtime = &self.webhooks;
        let url = match targets::parse_url(raw_url) {
            Ok(url) => url,
            Err(_) => return AttemptResult::Permanent("invalid URL".to_owned()),
        };
        if let Err(refused) = targets::check_literal(&url, runtime.allow_private) {
            return AttemptResult::Permanent(refused.to_string());
        }
        let mut request = runtime.client.post(url).timeout(DELIVERY_TIMEOUT);
        for (name, value) in &signed.headers {
            request = request.header(*name, value);
        }
        match request.body(signed.body).send().await {
            Ok(response) => AttemptResult::Answered(response.status().as_u16()),
            Err(err) if err.is_timeout() => {
                AttemptResult::Transient(format!("timed out after {DELIVERY_TIMEOUT:?}"))
            }
            Err(err) if is_refusal(&err) => AttemptResult::Permanent(error_chain(&err)),
            Err(err) => AttemptResult::Transient(error_chain(&err)),
        }
    }
}

/// Counts deliveries in flight per destination.
#[derive(Debug, Default)]
struct Busy(Mutex<HashMap<Uuid, usize>>);

impl Busy {
    fn try_take(&self, destination: Uuid) -> bool {
        let Ok(mut map) = self.0.lock() else {
            return true;
        };
        let count = map.entry(destination).or_insert(0);
        if *count >= PER_DESTINATION {
            return false;
        }
        *count += 1;
        true
    }

    /// Destinations with [`PER_DESTINATION`] deliveries in flight.
    fn saturated(&self) -> Vec<Uuid> {
        self.0
            .lock()
            .map(|map| {
                map.iter()
                    .filter(|(_, n)| **n >= PER_DESTINATION)
                    .map(|(d, _)| *d)
                    .collect()
            })
            .unwrap_or_default()
    }

    fn release(&self, destination: Uuid) {
        if let Ok(mut map) = self.0.lock() {
            if let Some(count) = map.get_mut(&destination) {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    map.remove(&destination);
                }
            }
        }
    }
}

async fn run(services: Services, mut stopped: watch::Receiver<bool>) {
    let slots = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    let busy = Arc::new(Busy::default());
    let mut tasks = JoinSet::new();
    let lease = chrono::Duration::from_std(LEASE).unwrap_or_default();
    loop {
        if *stopped.borrow() {
            break;
        }
        while tasks.try_join_next().is_some() {}
        let free = slots.available_permits();
        let mut full_batch = false;
        if free > 0 {
            let now = services.clock.now();
            // At most one destination's share per claim, so a backlog for one destination
            // is not claimed only to be handed back.
            let batch = free.min(PER_DESTINATION);
            let limit = i64::try_from(batch).unwrap_or(1);
            let saturated = busy.saturated();
            match services
                .store
                .claim_due_deliveries(now, now + lease, limit, &saturated)
                .await
            {
                Ok(claims) => {
                    full_batch = claims.len() == batch;
                    let mut over = Vec::new();
                    for claim in claims {
                        // A destination with enough in flight gets the rest handed back; the
                        // next claims leave it out until one of its deliveries ends.
                        if !busy.try_take(claim.destination_id) {
                            over.push(claim);
                            continue;
                        }
                        let Ok(permit) = Arc::clone(&slots).try_acquire_owned() else {
                            busy.release(claim.destination_id);
                            over.push(claim);
                            continue;
                        };
                        let services = services.clone();
                        let busy = Arc::clone(&busy);
                        tasks.spawn(async move {
                            if let Err(err) = services.deliver(&claim).await {
                                tracing::warn!(%err, delivery = %claim.id, "webhook delivery failed to run");
                            }
                            busy.release(claim.destination_id);
                            drop(permit);
                            services.webhooks.wake();
                        });
                    }
                    if !over.is_empty() {
                        full_batch = false;
                        if let Err(err) = services.store.release_deliveries(&over).await {
                            tracing::warn!(%err, "could not release webhook deliveries");
                        }
                    }
                }
                Err(err) => tracing::warn!(%err, "claiming webhook deliveries failed"),
            }
        }
        if full_batch {
            continue;
        }
        tokio::select! {
            () = services.webhooks.wakeup.notified() => {}
            () = tokio::time::sleep(POLL) => {}
            _ = stopped.changed() => {}
        }
    }
    while tasks.join_next().await.is_some() {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// The delivery-time guard: a name that resolves to loopback is refused after DNS
    /// resolution, before any connection; allowed when private targets are enabled.
    #[tokio::test]
    async fn delivery_refuses_names_resolving_to_internal_addresses() {
        let guarded = WebhookRuntime::new(Vec::new(), false).unwrap();
        let err = guarded
            .client
            .post("http://localhost:9/hook")
            .send()
            .await
            .unwrap_err();
        assert!(is_refusal(&err), "{}", error_chain(&err));
        assert!(error_chain(&err).contains("refused target"));
        let open = WebhookRuntime::new(Vec::new(), true).unwrap();
        let err = open
            .client
            .post("http://localhost:9/hook")
            .send()
            .await
            .unwrap_err();
        assert!(!is_refusal(&err), "{}", error_chain(&err));
    }

    #[test]
    fn schedules_parse() {
        assert_eq!(
            parse_retry_schedule("1m,4m").unwrap(),
            vec![Duration::from_secs(60), Duration::from_secs(240)]
        );
        assert_eq!(
            parse_retry_schedule(" 1s, 2s ").unwrap(),
            vec![Duration::from_secs(1), Duration::from_secs(2)]
        );
        assert_eq!(
            parse_retry_schedule("250ms,30,2h,1d").unwrap(),
            vec![
                Duration::from_millis(250),
                Duration::from_secs(30),
                Duration::from_secs(7200),
                Duration::from_secs(86_400)
            ]
        );
        assert_eq!(parse_retry_schedule("").unwrap(), Vec::<Duration>::new());
        assert!(parse_retry_schedule("1x").is_err());
        assert!(parse_retry_schedule("m").is_err());
        assert!(parse_retry_schedule("1m,,2m").is_err());
        assert!(parse_retry_schedule("-1s").is_err());
    }

    #[test]
    fn jitter_is_small_and_positive() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..100 {
            let d = with_jitter(Duration::from_secs(60), &mut rng);
            assert!(
                d >= Duration::from_secs(60) && d <= Duration::from_secs(66),
                "{d:?}"
            );
        }
        assert_eq!(with_jitter(Duration::ZERO, &mut rng), Duration::ZERO);
    }

    #[test]
    fn retry_rules_follow_the_contract() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let schedule = [Duration::from_secs(60), Duration::from_secs(240)];
        let now = Utc::now();
        let step = |r: AttemptResult, before: i64, rng: &mut rand::rngs::StdRng| {
            next_step(&r, before, &schedule, now, rng)
        };
        assert_eq!(
            step(AttemptResult::Answered(200), 0, &mut rng),
            NextStep::Delivered
        );
        assert_eq!(
            step(AttemptResult::Answered(204), 2, &mut rng),
            NextStep::Delivered
        );
        for retryable in [
            AttemptResult::Answered(500),
            AttemptResult::Answered(503),
            AttemptResult::Answered(404),
            AttemptResult::Transient("timeout".into()),
        ] {
            match step(retryable.clone(), 0, &mut rng) {
                NextStep::RetryAt(at) => {
                    let wait = at - now;
                    assert!(
                        wait >= chrono::Duration::seconds(60)
                            && wait <= chrono::Duration::seconds(66)
                    );
                }
                other => panic!("{retryable:?} -> {other:?}"),
            }
            assert!(matches!(
                step(retryable.clone(), 1, &mut rng),
                NextStep::RetryAt(_)
            ));
            assert_eq!(step(retryable, 2, &mut rng), NextStep::Failed);
        }
        for final_ in [
            AttemptResult::Answered(400),
            AttemptResult::Answered(401),
            AttemptResult::Answered(410),
            AttemptResult::Answered(302),
            AttemptResult::Permanent("refused".into()),
        ] {
            assert_eq!(step(final_, 0, &mut rng), NextStep::Failed);
        }
    }
}
