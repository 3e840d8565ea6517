//! The `verifyd` binary: `serve` runs the server; the other subcommands are offline admin
//! tools that work on the same data directory.

mod bench_kyc;
mod bootstrap;
mod config;
mod lists;
mod tools;

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use tracing_subscriber::EnvFilter;
use verifyd_core::tenant::Environment;

use crate::config::{Config, Overrides};

#[derive(Debug, Parser)]
#[command(
    name = "verifyd",
    version,
    about = "Self-hosted identity verification (KYC) server"
)]
struct Cli {
    /// TOML configuration file (see config.default.toml).
    #[arg(long, global = true, env = "VERIFYD_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP server.
    Serve {
        /// Data directory (SQLite, blobs, outbox, master key).
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Address to listen on, e.g. 127.0.0.1:8080 (port 0 picks a free port).
        #[arg(long)]
        listen: Option<String>,
    },
    /// Apply database migrations and exit.
    Migrate {
        /// Data directory.
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// Manage applications offline.
    Apps {
        #[command(subcommand)]
        command: AppsCommand,
    },
    /// Sanctions and PEP lists in the database.
    Lists {
        #[command(subcommand)]
        command: ListsCommand,
    },
    /// Manage organizations' credits offline.
    Credits {
        #[command(subcommand)]
        command: CreditsCommand,
    },
    /// Machine-readable zone tools.
    Mrz {
        #[command(subcommand)]
        command: MrzCommand,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Measure an engine or the API (figures for BENCHMARKS.md).
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// Evaluate an engine's accuracy on labelled data.
    Eval {
        #[command(subcommand)]
        command: EvalCommand,
    },
}

#[derive(Debug, Subcommand)]
enum BenchCommand {
    /// Session creation and decision reads over HTTP on a temporary SQLite server.
    Api {
        /// Requests per phase.
        #[arg(long, default_value_t = 2000)]
        requests: usize,
        /// Concurrent clients.
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
    },
    /// Webhook delivery: events/s and status-change → delivery latency to a local receiver.
    Webhooks {
        /// Status changes (each one `status.updated` webhook).
        #[arg(long, default_value_t = 2000)]
        events: usize,
        /// Concurrent API clients making the changes.
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
    },
    /// Face detection + embedding latency and 1:N search time.
    Faces {
        /// Models folder.
        #[arg(long, default_value_os_t = tools::default_models_dir())]
        models: PathBuf,
        /// A selfie (resized to 640×480).
        #[arg(long)]
        selfie: PathBuf,
        /// Repetitions.
        #[arg(long, default_value_t = 20)]
        iterations: usize,
        /// Templates in the search index.
        #[arg(long, default_value_t = 100_000)]
        index_size: usize,
    },
    /// Exact-MRZ read rate and time per document on rendered documents.
    Documents {
        /// Models folder.
        #[arg(long, default_value_os_t = tools::default_models_dir())]
        models: PathBuf,
        /// Documents per kind (clean and degraded).
        #[arg(long, default_value_t = 40)]
        count: usize,
        /// Also read the real specimens in this folder.
        #[arg(long)]
        specimens: Option<PathBuf>,
    },
    /// Full KYC sessions through the hosted flow: last upload to decision, p50/p99.
    Kyc {
        /// Models folder.
        #[arg(long, default_value_os_t = tools::default_models_dir())]
        models: PathBuf,
        /// Sanctions lists (AML reports AML_LISTS_NOT_LOADED without them).
        #[arg(long)]
        lists: Option<PathBuf>,
        /// Photo whose face is printed on the synthetic ID card.
        #[arg(long, default_value = "crates/verifyd-faces/tests/fixtures/obama.jpg")]
        portrait: PathBuf,
        /// The selfie (the same person, another photo).
        #[arg(long, default_value = "crates/verifyd-faces/tests/fixtures/obama2.jpg")]
        selfie: PathBuf,
        /// Sessions timed (after one warm-up session).
        #[arg(long, default_value_t = 20)]
        sessions: usize,
    },
    /// Screening latency over a synthetic index grown from real lists.
    Aml {
        /// A list file or a folder of list files.
        #[arg(long)]
        lists: PathBuf,
        /// Names in the index.
        #[arg(long, default_value_t = 60_000)]
        names: usize,
        /// Queries timed.
        #[arg(long, default_value_t = 2000)]
        queries: usize,
    },
}

#[derive(Debug, Subcommand)]
enum EvalCommand {
    /// 1:1 face verification on a pairs file (`image_a image_b same|different`).
    Faces {
        /// Models folder.
        #[arg(long, default_value_os_t = tools::default_models_dir())]
        models: PathBuf,
        /// Pairs file.
        #[arg(long)]
        pairs: PathBuf,
        /// Folder the pair paths are relative to.
        #[arg(long)]
        images: Option<PathBuf>,
        /// Also score degraded copies.
        #[arg(long)]
        augment: bool,
    },
    /// Screening recall and precision on labelled name pairs.
    Aml {
        /// A list file or a folder of list files.
        #[arg(long)]
        lists: PathBuf,
        /// Labelled pairs CSV.
        #[arg(long)]
        pairs: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum AppsCommand {
    /// Create an organization and an application; prints its credentials as JSON.
    Create {
        /// Data directory.
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Application name.
        #[arg(long)]
        name: String,
        /// live or sandbox.
        #[arg(long, default_value = "live")]
        environment: String,
    },
}

#[derive(Debug, Subcommand)]
enum ListsCommand {
    /// Import one published list from files, replacing the stored copy at once; running
    /// servers screen against it within seconds.
    Import {
        /// Data directory.
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// ofac-sdn, ofac-cons, un, eu, uk or opensanctions.
        #[arg(long)]
        source: String,
        /// The list's files (OFAC CSV: sdn.csv, then alt.csv and add.csv).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print the imported lists.
    Status {
        /// Data directory.
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// Download and import the configured `lists_sources` now.
    Refresh {
        /// Data directory.
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum CreditsCommand {
    /// Add credits to an organization; prints the new balance as JSON.
    Grant {
        /// Data directory.
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// The organization's id.
        #[arg(long)]
        org: uuid::Uuid,
        /// Dollars of credit, e.g. 100 or 12.5 (at most 4 decimals).
        #[arg(long)]
        amount: String,
    },
}

#[derive(Debug, Subcommand)]
enum MrzCommand {
    /// Parse MRZ lines from stdin; prints JSON. Exit 0 valid, 1 failed checks, 2 not an MRZ.
    Parse {
        /// Refuse OCR corrections.
        #[arg(long)]
        strict: bool,
    },
}

fn init_tracing(config: &Config) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let exit = match cli.command {
        Command::Serve { data_dir, listen } => {
            let config = Config::load(cli.config.as_deref(), Overrides { data_dir, listen })?;
            init_tracing(&config);
            runtime()?.block_on(serve(config))?;
            0
        }
        Command::Migrate { data_dir } => {
            let config = Config::load(
                cli.config.as_deref(),
                Overrides {
                    data_dir,
                    listen: None,
                },
            )?;
            init_tracing(&config);
            runtime()?.block_on(async {
                let addr = config.listen_addr()?;
                bootstrap::services(&config, addr).await.map(|_| ())
            })?;
            0
        }
        Command::Apps {
            command:
                AppsCommand::Create {
                    data_dir,
                    name,
                    environment,
                },
        } => {
            let config = Config::load(
                cli.config.as_deref(),
                Overrides {
                    data_dir,
                    listen: None,
                },
            )?;
            let environment: Environment = environment
                .parse()
                .map_err(|_| anyhow::anyhow!("--environment must be live or sandbox"))?;
            let creds = runtime()?.block_on(async {
                let services = bootstrap::services(&config, config.listen_addr()?).await?;
                let creds = services
                    .create_standalone_application(&name, environment)
                    .await?;
                services.store.close().await;
                anyhow::Ok(creds)
            })?;
            println!(
                "{}",
                serde_json::json!({
                    "organization_id": creds.app.org_id.to_string(),
                    "application_id": creds.app.id.to_string(),
                    "client_id": creds.app.client_id,
                    "environment": creds.app.environment.as_str(),
                    "api_key": creds.api_key,
                    "webhook_secret": creds.webhook_secret,
                })
            );
            0
        }
        Command::Lists { command } => {
            let data_dir = match &command {
                ListsCommand::Import { data_dir, .. }
                | ListsCommand::Status { data_dir }
                | ListsCommand::Refresh { data_dir } => data_dir.clone(),
            };
            let config = Config::load(
                cli.config.as_deref(),
                Overrides {
                    data_dir,
                    listen: None,
                },
            )?;
            init_tracing(&config);
            runtime()?.block_on(async {
                let services = bootstrap::services(&config, config.listen_addr()?).await?;
                let done = match command {
                    ListsCommand::Import { source, files, .. } => {
                        lists::import_files(&services, &source, &files).await
                    }
                    ListsCommand::Status { .. } => lists::print_status(&services).await,
                    ListsCommand::Refresh { .. } => {
                        let sources = config.refresh_sources()?;
                        if sources.is_empty() {
                            anyhow::bail!("no lists_sources configured");
                        }
                        lists::refresh(&services, &sources).await.map(|changed| {
                            println!("{changed} list(s) changed");
                        })
                    }
                };
                services.store.close().await;
                done
            })?;
            0
        }
        Command::Credits {
            command:
                CreditsCommand::Grant {
                    data_dir,
                    org,
                    amount,
                },
        } => {
            let config = Config::load(
                cli.config.as_deref(),
                Overrides {
                    data_dir,
                    listen: None,
                },
            )?;
            let units = verifyd_core::billing::parse_credits(&amount)
                .filter(|u| *u > 0)
                .ok_or_else(|| anyhow::anyhow!("--amount must be a positive amount of dollars"))?;
            let balance = runtime()?.block_on(async {
                let services = bootstrap::services(&config, config.listen_addr()?).await?;
                let balance = services
                    .grant_credits(verifyd_core::ids::OrgId(org), units)
                    .await;
                services.store.close().await;
                balance.map_err(|e| anyhow::anyhow!("{e}"))
            })?;
            println!(
                "{}",
                serde_json::json!({
                    "organization_id": org.to_string(),
                    "granted": verifyd_core::billing::format_credits(units),
                    "balance": verifyd_core::billing::format_credits(balance),
                })
            );
            0
        }
        Command::Mrz {
            command: MrzCommand::Parse { strict },
        } => mrz_parse(strict)?,
        Command::Bench { command } => {
            match command {
                BenchCommand::Api {
                    requests,
                    concurrency,
                } => runtime()?.block_on(tools::bench_api(requests, concurrency))?,
                BenchCommand::Webhooks {
                    events,
                    concurrency,
                } => runtime()?.block_on(tools::bench_webhooks(events, concurrency))?,
                BenchCommand::Faces {
                    models,
                    selfie,
                    iterations,
                    index_size,
                } => tools::bench_faces(&models, &selfie, iterations, index_size)?,
                BenchCommand::Documents {
                    models,
                    count,
                    specimens,
                } => tools::bench_documents(&models, count, specimens.as_deref())?,
                BenchCommand::Aml {
                    lists,
                    names,
                    queries,
                } => tools::bench_aml(&lists, names, queries)?,
                BenchCommand::Kyc {
                    models,
                    lists,
                    portrait,
                    selfie,
                    sessions,
                } => runtime()?.block_on(bench_kyc::bench_kyc(
                    &models,
                    lists.as_deref(),
                    &portrait,
                    &selfie,
                    sessions,
                ))?,
            }
            0
        }
        Command::Eval { command } => {
            match command {
                EvalCommand::Faces {
                    models,
                    pairs,
                    images,
                    augment,
                } => tools::eval_faces(&models, &pairs, images.as_deref(), augment)?,
                EvalCommand::Aml { lists, pairs } => tools::eval_aml(&lists, &pairs)?,
            }
            0
        }
        Command::Openapi => {
            println!(
                "{}",
                serde_json::to_string_pretty(&verifyd_http::openapi::document())?
            );
            0
        }
    };
    std::process::exit(exit)
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.listen_addr()?)
        .await
        .with_context(|| format!("binding {}", config.listen))?;
    let bound = listener.local_addr()?;
    let services = bootstrap::services(&config, bound).await?;
    let store = services.store.clone();
    let sweeper = tokio::spawn(sweep_forever(services.clone()));
    let sources = config.refresh_sources()?;
    let refresher = (!sources.is_empty()).then(|| {
        let every = std::time::Duration::from_secs(config.lists_refresh_hours * 3600);
        tokio::spawn(lists::refresh_forever(services.clone(), sources, every))
    });
    let webhook_worker = services.spawn_webhook_worker();
    let state = bootstrap::http_state(&config, services);
    let app = verifyd_http::app(state);
    tracing::info!(address = %bound, data_dir = %config.data_dir.display(), "verifyd listening");
    // A line on stdout that scripts and tests can wait for.
    println!("verifyd listening on http://{bound}");
    axum::serve(
        listener,
        axum::ServiceExt::<axum::extract::Request>::into_make_service_with_connect_info::<
            SocketAddr,
        >(app),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("server error")?;
    tracing::info!("shutting down");
    sweeper.abort();
    if let Some(refresher) = refresher {
        refresher.abort();
    }
    // Deliveries in flight finish (each within its timeout); unsent ones stay in the outbox.
    webhook_worker.shutdown().await;
    store.close().await;
    Ok(())
}

/// Expires unopened sessions and abandons idle ones, once a minute. Safe on several nodes:
/// each change is conditional on the status it read.
async fn sweep_forever(services: verifyd_service::Services) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tick.tick().await;
        match services.sweep_lapsed_sessions().await {
            Ok(0) => {}
            Ok(changed) => tracing::info!(changed, "lapsed sessions swept"),
            Err(err) => tracing::warn!(%err, "session sweep failed"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

fn mrz_parse(strict: bool) -> anyhow::Result<i32> {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input)?;
    let mode = if strict {
        mrz::Mode::Strict
    } else {
        mrz::Mode::Tolerant
    };
    let today = chrono::Utc::now().date_naive();
    match mrz::parse_report(&input, mode, today) {
        Ok(report) => {
            println!("{}", serde_json::to_string(&report)?);
            Ok(if report.valid { 0 } else { 1 })
        }
        Err(err) => {
            println!(
                "{}",
                serde_json::json!({"valid": false, "errors": ["not_mrz"], "detail": err.to_string()})
            );
            Ok(2)
        }
    }
}
