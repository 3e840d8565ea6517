//! Offline evaluation and benchmark commands: `verifyd eval …` and `verifyd bench …`.
//! Each prints a human-readable report (and JSON where the engine provides one).

use anyhow::Context;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Where models live when not configured: `./models` next to the working directory, or the
/// repository's folder when run from a crate directory.
pub fn default_models_dir() -> PathBuf {
    std::env::var_os("VERIFYD_MODELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("models"))
}

/// `verifyd eval faces`.
pub fn eval_faces(
    models: &Path,
    pairs: &Path,
    images: Option<&Path>,
    augment: bool,
) -> anyhow::Result<()> {
    let engine = verifyd_faces::FaceEngine::load(models).context("loading face models")?;
    let report = verifyd_faces::eval::evaluate_pairs(
        &engine,
        pairs,
        images,
        verifyd_faces::eval::EvalOptions { augment },
    )?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}

/// `verifyd bench faces`.
pub fn bench_faces(
    models: &Path,
    selfie: &Path,
    iterations: usize,
    index_size: usize,
) -> anyhow::Result<()> {
    let engine = verifyd_faces::FaceEngine::load(models).context("loading face models")?;
    let bytes = std::fs::read(selfie).with_context(|| format!("reading {}", selfie.display()))?;
    let report = verifyd_faces::bench::bench(&engine, &bytes, iterations, index_size)?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}

/// `verifyd eval aml`.
pub fn eval_aml(lists: &Path, pairs: &Path) -> anyhow::Result<()> {
    let report = verifyd_screening::eval::evaluate_files(lists, pairs)?;
    println!("{report}");
    Ok(())
}

/// `verifyd bench aml`.
pub fn bench_aml(lists: &Path, names: usize, queries: usize) -> anyhow::Result<()> {
    let entities = verifyd_screening::import::load_path(lists)?;
    let report = verifyd_screening::bench::bench_synthetic(&entities, names, queries);
    println!("{report}");
    Ok(())
}

/// A throwaway server for the HTTP benchmarks: a temporary data dir (SQLite unless
/// `VERIFYD_DATABASE_URL` names a database), no rate limits (they measure throughput, not the
/// limiter), and one application.
pub(crate) struct BenchServer {
    /// `http://addr`.
    pub base: String,
    /// The application's API key.
    pub api_key: String,
    /// The server's services (e.g. to run a webhook worker beside it).
    pub services: verifyd_service::Services,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    dir: PathBuf,
}

impl BenchServer {
    /// Starts the server; `configure` adjusts the configuration first.
    pub async fn start(
        environment: verifyd_core::tenant::Environment,
        configure: impl FnOnce(&mut crate::config::Config),
    ) -> anyhow::Result<Self> {
        let dir = std::env::temp_dir().join(format!("verifyd-bench-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir)?;
        let mut config = crate::config::Config::load(
            None,
            crate::config::Overrides {
                data_dir: Some(dir.clone()),
                listen: Some("127.0.0.1:0".to_owned()),
            },
        )?;
        config.rate_limit_reads_per_minute = u32::MAX;
        config.rate_limit_writes_per_minute = u32::MAX;
        config.rate_limit_session_creates_per_minute = u32::MAX;
        configure(&mut config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let services = crate::bootstrap::services(&config, addr).await?;
        let app = services
            .create_standalone_application("bench", environment)
            .await?;
        let state = crate::bootstrap::http_state(&config, services.clone());
        let server = tokio::spawn(async move {
            axum::serve(
                listener,
                axum::ServiceExt::<axum::extract::Request>::into_make_service_with_connect_info::<
                    std::net::SocketAddr,
                >(verifyd_http::app(state)),
            )
            .await
        });
        Ok(Self {
            base: format!("http://{addr}"),
            api_key: app.api_key,
            services,
            server,
            dir,
        })
    }

    /// Stops the server and removes its data dir.
    pub fn stop(self) {
        self.server.abort();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The `p`-quantile (0–1) of sorted durations, zero when empty.
pub(crate) fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// `verifyd bench api`: starts a server on a temporary SQLite data dir and measures, over
/// real HTTP on loopback, session creation and decision reads with `concurrency` clients.
pub async fn bench_api(requests: usize, concurrency: usize) -> anyhow::Result<()> {
    let bench = BenchServer::start(verifyd_core::tenant::Environment::Live, |_| {}).await?;
    let base = bench.base.clone();
    let client = reqwest::Client::new();
    let workflow: serde_json::Value = client
        .post(format!("{base}/v3/workflows/"))
        .header("x-api-key", &bench.api_key)
        .json(&serde_json::json!({"workflow_type": "kyc"}))
        .send()
        .await?
        .json()
        .await?;
    let workflow_id = workflow["uuid"].as_str().unwrap_or_default().to_owned();

    let run = |kind: &'static str, ids: Vec<String>| {
        let client = client.clone();
        let base = base.clone();
        let key = bench.api_key.clone();
        let workflow_id = workflow_id.clone();
        async move {
            let per_client = requests.div_ceil(concurrency);
            let started = Instant::now();
            let mut tasks = Vec::new();
            for c in 0..concurrency {
                let client = client.clone();
                let base = base.clone();
                let key = key.clone();
                let workflow_id = workflow_id.clone();
                let ids = ids.clone();
                tasks.push(tokio::spawn(async move {
                    let mut latencies = Vec::with_capacity(per_client);
                    let mut created = Vec::new();
                    for i in 0..per_client {
                        let t = Instant::now();
                        let response = if kind == "create" {
                            client
                                .post(format!("{base}/v3/session/"))
                                .header("x-api-key", &key)
                                .json(&serde_json::json!({"workflow_id": workflow_id, "vendor_data": format!("bench-{c}-{i}")}))
                                .send()
                                .await?
                        } else {
                            let id = &ids[(c * per_client + i) % ids.len().max(1)];
                            client
                                .get(format!("{base}/v3/session/{id}/decision/"))
                                .header("x-api-key", &key)
                                .send()
                                .await?
                        };
                        anyhow::ensure!(response.status().is_success(), "{kind}: HTTP {}", response.status());
                        let body: serde_json::Value = response.json().await?;
                        latencies.push(t.elapsed());
                        if let Some(id) = body["session_id"].as_str() {
                            created.push(id.to_owned());
                        }
                    }
                    anyhow::Ok((latencies, created))
                }));
            }
            let mut latencies = Vec::new();
            let mut created = Vec::new();
            for task in tasks {
                let (l, c) = task.await??;
                latencies.extend(l);
                created.extend(c);
            }
            let elapsed = started.elapsed();
            latencies.sort();
            println!(
                "{kind:>8}: {} requests, {concurrency} clients, {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms",
                latencies.len(),
                latencies.len() as f64 / elapsed.as_secs_f64(),
                percentile(&latencies, 0.50).as_secs_f64() * 1e3,
                percentile(&latencies, 0.99).as_secs_f64() * 1e3,
            );
            anyhow::Ok(created)
        }
    };
    let ids = run("create", Vec::new()).await?;
    run("decision", ids).await?;
    bench.stop();
    Ok(())
}

/// `verifyd bench documents`: synthetic clean and degraded documents, plus the real specimens
/// when a folder is given.
pub fn bench_documents(
    models: &Path,
    count: usize,
    specimens: Option<&Path>,
) -> anyhow::Result<()> {
    let reader = verifyd_documents::DocumentReader::from_dir(&models.join("ocr"))
        .context("loading OCR models")?;
    let today = chrono::Utc::now().date_naive();
    let report = verifyd_documents::bench::bench_synthetic(&reader, count, 1, today, true)?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    if let Some(dir) = specimens {
        let report = verifyd_documents::bench::eval_specimens(&reader, dir, today)?;
        println!("{}", serde_json::to_string_pretty(&report)?);
    }
    Ok(())
}

/// Arrival times of webhooks at the bench receiver, keyed by `(session_id, status)`.
type Arrivals =
    std::sync::Arc<std::sync::Mutex<std::collections::HashMap<(String, String), Instant>>>;

/// `verifyd bench webhooks`: starts a server (temporary SQLite data dir, delivery workers on)
/// and a receiver on loopback, then makes `events` reviewer status changes with `concurrency`
/// clients and measures how fast their `status.updated` webhooks arrive: events delivered per
/// second, and the latency from the status change (its API response, i.e. the committed
/// change) to the receiver getting the webhook.
pub async fn bench_webhooks(events: usize, concurrency: usize) -> anyhow::Result<()> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    let arrivals: Arrivals = Arc::new(Mutex::new(HashMap::new()));
    let receiver = {
        let arrivals = Arc::clone(&arrivals);
        axum::Router::new().fallback(axum::routing::post(move |body: axum::body::Bytes| {
            let arrivals = Arc::clone(&arrivals);
            async move {
                let now = Instant::now();
                if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&body) {
                    let key = (
                        v["session_id"].as_str().unwrap_or_default().to_owned(),
                        v["status"].as_str().unwrap_or_default().to_owned(),
                    );
                    if let Ok(mut map) = arrivals.lock() {
                        map.entry(key).or_insert(now);
                    }
                }
                axum::http::StatusCode::OK
            }
        }))
    };
    let receiver_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let receiver_addr = receiver_listener.local_addr()?;
    let receiver_task = tokio::spawn(async move { axum::serve(receiver_listener, receiver).await });

    let bench = BenchServer::start(verifyd_core::tenant::Environment::Sandbox, |config| {
        // The receiver is on loopback.
        config.webhook_allow_private_targets = true;
    })
    .await?;
    let worker = bench.services.spawn_webhook_worker();
    let base = bench.base.clone();
    let client = reqwest::Client::builder().no_proxy().build()?;
    let key = bench.api_key.clone();
    let workflow: serde_json::Value = client
        .post(format!("{base}/v3/workflows/"))
        .header("x-api-key", &key)
        .json(&serde_json::json!({"workflow_type": "kyc"}))
        .send()
        .await?
        .json()
        .await?;
    let workflow_id = workflow["uuid"].as_str().unwrap_or_default().to_owned();

    // Sessions that reached Approved before any destination exists (their events are not
    // measured); each is then flipped Declined and back to Approved: two events per session.
    let sessions = events.div_ceil(2).max(1);
    let mut ids = Vec::with_capacity(sessions);
    for i in 0..sessions {
        let created: serde_json::Value = client
            .post(format!("{base}/v3/session/"))
            .header("x-api-key", &key)
            .json(&serde_json::json!({"workflow_id": workflow_id, "vendor_data": format!("bench-{i}"), "sandbox_scenario": "approve"}))
            .send()
            .await?
            .json()
            .await?;
        ids.push(
            created["session_id"]
                .as_str()
                .context("session create failed")?
                .to_owned(),
        );
    }
    let response = client
        .post(format!("{base}/v3/webhook/destinations/"))
        .header("x-api-key", &key)
        .json(
            &serde_json::json!({"label": "bench", "url": format!("http://{receiver_addr}/hook"),
            "subscribed_events": ["status.updated"]}),
        )
        .send()
        .await?;
    anyhow::ensure!(
        response.status().is_success(),
        "destination: HTTP {}",
        response.status()
    );

    let total = sessions * 2;
    // Live: deliveries run while the changes are made.
    let started = Instant::now();
    let changed = flip_all(&client, &base, &key, &ids, concurrency).await?;
    let changes_took = started.elapsed();
    let (last, latencies) = wait_for_arrivals(&arrivals, &changed, total).await?;
    let elapsed = last.duration_since(started);
    println!(
        "webhooks (live): {total} status changes by {concurrency} clients in {:.2} s ({:.0}/s), \
         all delivered in {:.2} s: {:.0} events/s; status change → delivery p50 {:.2} ms, \
         p99 {:.2} ms, max {:.2} ms",
        changes_took.as_secs_f64(),
        total as f64 / changes_took.as_secs_f64(),
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.50).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
    // Backlog: the same number of events waiting in the outbox, then the worker starts.
    worker.shutdown().await;
    if let Ok(mut map) = arrivals.lock() {
        map.clear();
    }
    flip_all(&client, &base, &key, &ids, concurrency).await?;
    let started = Instant::now();
    let worker = bench.services.spawn_webhook_worker();
    let (last, _) = wait_for_arrivals(&arrivals, &HashMap::new(), total).await?;
    let elapsed = last.duration_since(started);
    println!(
        "webhooks (backlog): {total} queued events delivered in {:.2} s: {:.0} events/s",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
    );
    worker.shutdown().await;
    bench.stop();
    receiver_task.abort();
    Ok(())
}

/// Flips every session Approved → Declined → Approved with `concurrency` clients (each
/// session stays with one client, so its changes are sequential); returns when each change
/// was acknowledged.
async fn flip_all(
    client: &reqwest::Client,
    base: &str,
    key: &str,
    ids: &[String],
    concurrency: usize,
) -> anyhow::Result<std::collections::HashMap<(String, String), Instant>> {
    let mut changed = std::collections::HashMap::new();
    for status in ["Declined", "Approved"] {
        let mut tasks = Vec::new();
        for c in 0..concurrency.max(1) {
            let client = client.clone();
            let base = base.to_owned();
            let key = key.to_owned();
            let mine: Vec<String> = ids
                .iter()
                .skip(c)
                .step_by(concurrency.max(1))
                .cloned()
                .collect();
            tasks.push(tokio::spawn(async move {
                let mut done = Vec::with_capacity(mine.len());
                for id in mine {
                    let response = client
                        .patch(format!("{base}/v3/session/{id}/update-status/"))
                        .header("x-api-key", &key)
                        .json(&serde_json::json!({"new_status": status}))
                        .send()
                        .await?;
                    anyhow::ensure!(
                        response.status().is_success(),
                        "update-status: HTTP {}",
                        response.status()
                    );
                    done.push(((id, status.to_owned()), Instant::now()));
                }
                anyhow::Ok(done)
            }));
        }
        for task in tasks {
            changed.extend(task.await??);
        }
    }
    Ok(changed)
}

/// Waits until `total` webhooks arrived; returns the last arrival and the sorted latencies
/// from each change in `changed` to its webhook.
async fn wait_for_arrivals(
    arrivals: &Arrivals,
    changed: &std::collections::HashMap<(String, String), Instant>,
    total: usize,
) -> anyhow::Result<(Instant, Vec<Duration>)> {
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let arrived = arrivals.lock().map(|m| m.len()).unwrap_or(0);
        if arrived >= total {
            break;
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "only {arrived} of {total} webhooks arrived"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let arrivals = arrivals.lock().map(|m| m.clone()).unwrap_or_default();
    let last = arrivals
        .values()
        .max()
        .copied()
        .unwrap_or_else(Instant::now);
    let mut latencies: Vec<Duration> = changed
        .iter()
        .filter_map(|(key, at)| {
            arrivals
                .get(key)
                .map(|arrived| arrived.saturating_duration_since(*at))
        })
        .collect();
    latencies.sort();
    Ok((last, latencies))
}
