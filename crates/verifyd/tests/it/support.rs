//! Running the real `verifyd` binary for tests: [`TestServer`] starts `verifyd serve` on port 0
//! with a fresh data directory, learns the bound address from the line it prints on stdout,
//! and kills the process when dropped. It can be stopped gracefully (SIGTERM), killed hard
//! (SIGKILL) and restarted on the same data directory and database, which is what the
//! durability tests need.
//!
//! [`Backend`] is the database a server runs on. [`both_backends!`] turns one async test body
//! into `<name>_sqlite` and `<name>_postgres`; the PostgreSQL variant creates a database of its
//! own (`verifyd_test_<random>`, dropped afterwards) on the server named by
//! `VERIFYD_TEST_POSTGRES_URL`, using the `psql` CLI so the tests need no database driver.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// The binary under test.
pub const BINARY: &str = env!("CARGO_BIN_EXE_verifyd");

/// How long a server may take to print its address (migrations on a cold PostgreSQL included).
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a graceful shutdown may take.
const STOP_TIMEOUT: Duration = Duration::from_secs(30);
/// How long to wait for an email to appear in the outbox.
const MAIL_TIMEOUT: Duration = Duration::from_secs(10);

/// A password that satisfies the contract's rules.
pub const PASSWORD: &str = "Correct-Horse-9-battery";

/// Environment variable naming an admin URL of a PostgreSQL server for the `_postgres` tests.
pub const POSTGRES_ENV: &str = "VERIFYD_TEST_POSTGRES_URL";

/// True when running under CI, where skipping a backend is a failure.
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// Generates `<name>_sqlite` and `<name>_postgres` tests from one body that receives a
/// [`Backend`]:
///
/// ```ignore
/// both_backends!(healthcheck, async fn body(backend) {
///     let server = backend.start().await;
///     // …
/// });
/// ```
macro_rules! both_backends {
    ($name:ident, async fn body($backend:ident) $body:block) => {
        ::paste::paste! {
            async fn [<$name _body>]($backend: $crate::support::Backend) $body

            #[tokio::test]
            async fn [<$name _sqlite>]() {
                [<$name _body>]($crate::support::Backend::sqlite()).await;
            }

            #[tokio::test]
            async fn [<$name _postgres>]() {
                if let Some(backend) = $crate::support::Backend::postgres(stringify!($name)) {
                    [<$name _body>](backend).await;
                }
            }
        }
    };
}

/// Where a server keeps its data.
#[derive(Debug, Clone)]
pub enum Backend {
    /// SQLite inside the data directory (the default).
    Sqlite,
    /// A fresh database on the PostgreSQL server behind this admin URL.
    Postgres {
        /// `postgres://user:password@host:port/db` with rights to create databases.
        admin_url: String,
    },
}

impl Backend {
    /// SQLite.
    pub fn sqlite() -> Self {
        Self::Sqlite
    }

    /// PostgreSQL when `VERIFYD_TEST_POSTGRES_URL` is set. Otherwise prints a skip note and
    /// returns `None` — or panics when `CI` is set, so CI cannot silently lose a backend.
    pub fn postgres(test: &str) -> Option<Self> {
        match std::env::var(POSTGRES_ENV) {
            Ok(url) if !url.trim().is_empty() => Some(Self::Postgres {
                admin_url: url.trim().to_owned(),
            }),
            _ if in_ci() => {
                panic!("CI is set but {POSTGRES_ENV} is not: cannot run {test}_postgres")
            }
            _ => {
                eprintln!("SKIP {test}_postgres: set {POSTGRES_ENV}=postgres://… to run it");
                None
            }
        }
    }

    /// A server builder on this backend.
    pub fn server(&self) -> ServerBuilder {
        ServerBuilder {
            backend: self.clone(),
            env: Vec::new(),
        }
    }

    /// Starts a server with the default configuration.
    pub async fn start(&self) -> TestServer {
        self.server().start().await
    }
}

/// Configures a [`TestServer`] before it starts.
#[derive(Debug)]
pub struct ServerBuilder {
    backend: Backend,
    env: Vec<(String, String)>,
}

impl ServerBuilder {
    /// Sets a `VERIFYD_*` (or other) environment variable for the server process.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Creates the data directory (and database) and starts the server.
    pub async fn start(self) -> TestServer {
        let data_dir = tempfile::Builder::new()
            .prefix("verifyd-it-")
            .tempdir()
            .expect("creating a temporary data dir");
        let logs = tempfile::Builder::new()
            .prefix("verifyd-it-logs-")
            .tempdir()
            .expect("creating a temporary log dir");
        let database = match &self.backend {
            Backend::Sqlite => None,
            Backend::Postgres { admin_url } => Some(TestDatabase::create(admin_url)),
        };
        let mut env = self.env;
        if let Some(db) = &database {
            env.push(("VERIFYD_DATABASE_URL".to_owned(), db.url.clone()));
        }
        let mut server = TestServer {
            child: None,
            addr: None,
            client: client(),
            env,
            starts: 0,
            logs,
            database,
            data_dir,
        };
        server.spawn();
        server
    }
}

/// An HTTP client that ignores proxy settings of the machine running the tests.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("building the HTTP client")
}

/// A database of its own on a PostgreSQL server, dropped with the guard.
#[derive(Debug)]
struct TestDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl TestDatabase {
    fn create(admin_url: &str) -> Self {
        let name = format!("verifyd_test_{}", uuid::Uuid::new_v4().simple());
        psql(admin_url, &format!("CREATE DATABASE {name}"));
        Self {
            admin_url: admin_url.to_owned(),
            url: with_database(admin_url, &name),
            name,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // Best effort: a leftover database is litter, not a test failure.
        let _ = Command::new("psql")
            .args([
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                &self.admin_url,
                "-c",
            ])
            .arg(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// Runs one SQL statement with `psql` on `url`, panicking with psql's message on failure.
fn psql(url: &str, sql: &str) {
    let out = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql])
        .output()
        .unwrap_or_else(|e| panic!("running psql (is the PostgreSQL client installed?): {e}"));
    assert!(
        out.status.success(),
        "psql -c {sql:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `url` with its database name replaced by `database` (query parameters kept).
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let root = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{root}/{database}?{query}"),
        None => format!("{root}/{database}"),
    }
}

/// A running (or stopped, restartable) `verifyd serve`.
pub struct TestServer {
    child: Option<Child>,
    addr: Option<SocketAddr>,
    client: reqwest::Client,
    env: Vec<(String, String)>,
    starts: u32,
    logs: TempDir,
    // Dropped after the process is gone (see `Drop`): the database, then the data directory.
    // Held so the PostgreSQL test database is dropped with the server.
    #[allow(dead_code)]
    database: Option<TestDatabase>,
    data_dir: TempDir,
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer")
            .field("addr", &self.addr)
            .field("data_dir", &self.data_dir.path())
            .finish_non_exhaustive()
    }
}

impl TestServer {
    /// A `verifyd` command with this server's environment: inherited `VERIFYD_*` variables
    /// are removed so the developer's shell cannot change what is tested.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(BINARY);
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("VERIFYD_") {
                cmd.env_remove(key);
            }
        }
        cmd.env(
            "RUST_LOG",
            std::env::var("RUST_LOG").unwrap_or_else(|_| "info".to_owned()),
        );
        cmd.envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        cmd
    }

    fn log_path(&self, start: u32) -> PathBuf {
        self.logs.path().join(format!("serve-{start}.log"))
    }

    /// The server's stderr from its latest start.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path(self.starts)).unwrap_or_default()
    }

    fn spawn(&mut self) {
        assert!(self.child.is_none(), "the server is already running");
        self.starts += 1;
        let log = std::fs::File::create(self.log_path(self.starts)).expect("creating the log file");
        let mut child = self
            .command()
            .arg("serve")
            .arg("--data-dir")
            .arg(self.data_dir.path())
            .args(["--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("starting verifyd serve");
        let stdout = child.stdout.take().expect("child stdout");
        let (tx, rx) = mpsc::channel();
        // Reads the address line, then keeps draining stdout so the server never blocks on it.
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.trim().strip_prefix("verifyd listening on http://") {
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(rest.parse::<SocketAddr>());
                    }
                }
            }
        });
        let addr = match rx.recv_timeout(START_TIMEOUT) {
            Ok(Ok(addr)) => addr,
            Ok(Err(e)) => {
                let _ = child.kill();
                panic!("unparsable listening line ({e}); log:\n{}", self.log());
            }
            Err(_) => {
                let _ = child.kill();
                let status = child.wait().ok();
                panic!(
                    "verifyd serve did not report its address within {START_TIMEOUT:?} \
                     (exit status {status:?}); log:\n{}",
                    self.log()
                );
            }
        };
        self.child = Some(child);
        self.addr = Some(addr);
    }

    /// The bound address of the running server.
    pub fn addr(&self) -> SocketAddr {
        self.addr.expect("the server is not running")
    }

    /// `http://addr{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr())
    }

    /// The data directory (for offline admin commands).
    pub fn data_dir(&self) -> &std::path::Path {
        self.data_dir.path()
    }

    /// The shared HTTP client.
    pub fn http(&self) -> &reqwest::Client {
        &self.client
    }

    /// A GET request.
    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.get(self.url(path))
    }

    /// A POST request with a JSON body.
    pub fn post_json(&self, path: &str, body: &Value) -> reqwest::RequestBuilder {
        self.client.post(self.url(path)).json(body)
    }

    /// The process id of the running server.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("the server is not running").id()
    }

    /// Stops the server with SIGTERM and waits for a clean exit (status 0).
    pub async fn stop(&mut self) {
        let pid = self.pid().to_string();
        let status = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("running kill -TERM");
        assert!(status.success(), "kill -TERM {pid} failed");
        let exit = self.wait_for_exit(STOP_TIMEOUT).await;
        assert!(
            exit.success(),
            "graceful shutdown exited with {exit}; log:\n{}",
            self.log()
        );
    }

    /// Kills the server with SIGKILL (no chance to flush or close anything).
    pub fn kill9(&mut self) {
        let mut child = self.child.take().expect("the server is not running");
        // `Child::kill` is SIGKILL on Unix.
        child.kill().expect("SIGKILL");
        child.wait().expect("reaping the killed server");
        self.addr = None;
    }

    async fn wait_for_exit(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            let child = self.child.as_mut().expect("the server is not running");
            if let Some(status) = child.try_wait().expect("waiting for the server") {
                self.child = None;
                self.addr = None;
                return status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!(
                    "server did not exit within {timeout:?}; log:\n{}",
                    self.log()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Starts the server again on the same data directory and database (new port).
    pub async fn restart(&mut self) {
        self.spawn();
    }

    /// Runs `verifyd apps create` on this server's data directory and database.
    pub fn apps_create(&self, name: &str, environment: &str) -> Value {
        let out = self
            .command()
            .args(["apps", "create", "--data-dir"])
            .arg(self.data_dir.path())
            .args(["--name", name, "--environment", environment])
            .output()
            .expect("running verifyd apps create");
        assert!(
            out.status.success(),
            "apps create failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let line = stdout
            .lines()
            .rev()
            .find(|l| l.trim_start().starts_with('{'));
        serde_json::from_str(line.unwrap_or_default())
            .unwrap_or_else(|e| panic!("apps create printed no JSON ({e}): {stdout}"))
    }

    /// The verification codes emailed to `email`, oldest first.
    pub fn codes_for(&self, email: &str) -> Vec<String> {
        let dir = self.data_dir.path().join("outbox");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|ext| ext == "eml"))
            .collect();
        // Names start with a microsecond timestamp, so name order is sending order.
        files.sort();
        files
            .iter()
            .filter_map(|path| {
                let mut text = String::new();
                std::fs::File::open(path)
                    .ok()?
                    .read_to_string(&mut text)
                    .ok()?;
                let to_matches = text.lines().any(|l| {
                    l.to_ascii_lowercase().starts_with("to:")
                        && l.to_ascii_lowercase().contains(&email.to_ascii_lowercase())
                });
                to_matches.then(|| extract_code(&text)).flatten()
            })
            .collect()
    }

    /// Waits until `email` has received more than `already` codes; returns the newest.
    pub async fn wait_for_code(&self, email: &str, already: usize) -> String {
        let deadline = Instant::now() + MAIL_TIMEOUT;
        loop {
            let codes = self.codes_for(email);
            if codes.len() > already {
                return codes.last().cloned().unwrap_or_default();
            }
            assert!(
                Instant::now() < deadline,
                "no new code for {email} in {} within {MAIL_TIMEOUT:?} ({} seen)",
                self.data_dir.path().join("outbox").display(),
                codes.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Registers `email` (from a client address of its own, so the per-IP registration
    /// budget never interferes) and returns the emailed code.
    pub async fn register(&self, email: &str) -> String {
        let already = self.codes_for(email).len();
        let response = self
            .post_json(
                "/auth/v2/programmatic/register/",
                &json!({"email": email, "password": PASSWORD}),
            )
            .header("x-forwarded-for", unique_ip())
            .send()
            .await
            .expect("register request");
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        assert_eq!(status, 201, "register {email}: {body}");
        self.wait_for_code(email, already).await
    }

    /// Registers and confirms `email`; returns the verify-email response.
    pub async fn register_verified(&self, email: &str) -> Value {
        let code = self.register(email).await;
        let (status, body) = self.verify_email(email, &code).await;
        assert_eq!(status, 200, "verify-email {email}: {body}");
        body
    }

    /// POSTs the verify-email request.
    pub async fn verify_email(&self, email: &str, code: &str) -> (u16, Value) {
        send(self.post_json(
            "/auth/v2/programmatic/verify-email/",
            &json!({"email": email, "code": code}),
        ))
        .await
    }

    /// POSTs the login request.
    pub async fn login(&self, email: &str, password: &str) -> Response {
        Response::of(self.post_json(
            "/auth/v2/programmatic/login/",
            &json!({"email": email, "password": password}),
        ))
        .await
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if std::thread::panicking() {
            let log = self.log();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            eprintln!(
                "---- verifyd log (last {} lines, start #{}) ----\n{}",
                tail.len(),
                self.starts,
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
    }
}

/// Pulls the code out of an outbox message.
fn extract_code(message: &str) -> Option<String> {
    const MARKER: &str = "verification code is: ";
    let start = message.find(MARKER)? + MARKER.len();
    let code: String = message[start..]
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    (code.len() == 6).then_some(code)
}

/// A client address no other request in the test run uses (from 198.18.0.0/15, reserved
/// for benchmarking).
pub fn unique_ip() -> String {
    let n = uuid::Uuid::new_v4().as_u128();
    format!(
        "198.{}.{}.{}",
        18 + (n % 2),
        (n >> 8) % 256,
        (n >> 16) % 254 + 1
    )
}

/// An email address no other test uses.
pub fn unique_email(tag: &str) -> String {
    format!("{tag}-{}@example.com", uuid::Uuid::new_v4().simple())
}

/// Sends a request and returns its status and JSON body (`Value::Null` when not JSON).
pub async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = Response::of(request).await;
    (response.status, response.json)
}

/// A response read to the end: status, headers, raw body and the body as JSON.
#[derive(Debug)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: reqwest::header::HeaderMap,
    /// Raw body.
    pub text: String,
    /// Body as JSON, `Value::Null` when it is not JSON.
    pub json: Value,
}

impl Response {
    /// Sends `request` and reads the whole response.
    pub async fn of(request: reqwest::RequestBuilder) -> Self {
        let response = request.send().await.expect("sending the request");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("reading the response body");
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Self {
            status,
            headers,
            text,
            json,
        }
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[test]
fn database_urls_are_rewritten() {
    assert_eq!(
        with_database("postgres://u:p@h:5432/postgres", "x"),
        "postgres://u:p@h:5432/x"
    );
    assert_eq!(
        with_database("postgres://u:p@h:5432/postgres?sslmode=disable", "x"),
        "postgres://u:p@h:5432/x?sslmode=disable"
    );
    assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
    assert_eq!(
        extract_code("Subject: x\r\n\r\nYour verifyd verification code is: AB3DE9\r\n"),
        Some("AB3DE9".to_owned())
    );
}
