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

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// `verifyd bench api`: starts a server on a temporary SQLite data dir and measures, over
/// real HTTP on loopback, session creation and decision reads with `concurrency` clients.
pub async fn bench_api(requests: usize, concurrency: usize) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("verifyd-bench-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir)?;
    let mut config = crate::config::Config::load(
        None,
        crate::config::Overrides {
            data_dir: Some(dir.clone()),
            listen: Some("127.0.0.1:0".to_owned()),
        },
    )?;
    // The benchmark measures throughput, not the rate limiter.
    config.rate_limit_reads_per_minute = u32::MAX;
    config.rate_limit_writes_per_minute = u32::MAX;
    config.rate_limit_session_creates_per_minute = u32::MAX;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let services = crate::bootstrap::services(&config, addr).await?;
    let app = services
        .create_standalone_application("bench", verifyd_core::tenant::Environment::Live)
        .await?;
    let state = crate::bootstrap::http_state(&config, services);
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            axum::ServiceExt::<axum::extract::Request>::into_make_service_with_connect_info::<
                std::net::SocketAddr,
            >(verifyd_http::app(state)),
        )
        .await
    });
    let base = format!("http://{addr}");
    let client = reqwest::Client::new();
    let workflow: serde_json::Value = client
        .post(format!("{base}/v3/workflows/"))
        .header("x-api-key", &app.api_key)
        .json(&serde_json::json!({"workflow_type": "kyc"}))
        .send()
        .await?
        .json()
        .await?;
    let workflow_id = workflow["uuid"].as_str().unwrap_or_default().to_owned();

    let run = |kind: &'static str, ids: Vec<String>| {
        let client = client.clone();
        let base = base.clone();
        let key = app.api_key.clone();
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
    server.abort();
    let _ = std::fs::remove_dir_all(&dir);
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
