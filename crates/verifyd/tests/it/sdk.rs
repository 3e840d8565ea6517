//! The Python client `didit-sdk==0.4.0` against a real `verifyd serve`:
//! runs `tests/sdk/conformance.py` (repository root) with this build's binary.
//!
//! Python: `VERIFYD_PYTHON` when set (it must already have didit-sdk 0.4.0), otherwise a
//! virtualenv at `$CARGO_TARGET_TMPDIR/sdk-venv`, created with `python3 -m venv` and
//! `pip install didit-sdk==0.4.0` on first use and reused afterwards. Without Python or pip
//! (or without network for pip) the test prints a skip note — unless `CI` is set, where it
//! fails instead.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

const SDK_REQUIREMENT: &str = "didit-sdk==0.4.0";
const SDK_VERSION: &str = "0.4.0";
/// Upper bound for one conformance run (server start, ~60 requests, 16 polled scenarios).
const RUN_TIMEOUT: Duration = Duration::from_secs(600);

fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "0" && v != "false")
}

fn script_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/sdk/conformance.py")
}

/// True when `python` imports didit at the expected version.
fn has_sdk(python: &Path) -> bool {
    let probe =
        format!("import didit, sys; sys.exit(0 if didit.__version__ == '{SDK_VERSION}' else 1)");
    Command::new(python)
        .args(["-c", &probe])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn run_quiet(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(15).collect();
        Err(format!(
            "{cmd:?} exited {}: {}",
            out.status,
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        ))
    }
}

/// A Python with didit-sdk, or why there is none (`Err` = unavailable, not a test failure
/// outside CI).
fn python_with_sdk() -> Result<PathBuf, String> {
    if let Some(explicit) = std::env::var_os("VERIFYD_PYTHON").filter(|v| !v.is_empty()) {
        let python = PathBuf::from(explicit);
        assert!(
            has_sdk(&python),
            "VERIFYD_PYTHON={} cannot import didit {SDK_VERSION} (pip install {SDK_REQUIREMENT})",
            python.display()
        );
        return Ok(python);
    }
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sdk-venv");
    let python = venv.join("bin").join("python");
    if python.exists() && has_sdk(&python) {
        return Ok(python);
    }
    let system =
        std::env::var_os("PYTHON3").map_or_else(|| PathBuf::from("python3"), PathBuf::from);
    run_quiet(Command::new(&system).arg("--version")).map_err(|e| format!("no python3: {e}"))?;
    if !python.exists() {
        run_quiet(Command::new(&system).args(["-m", "venv"]).arg(&venv))
            .map_err(|e| format!("python3 -m venv failed: {e}"))?;
    }
    run_quiet(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                SDK_REQUIREMENT,
            ])
            .env("PIP_NO_INPUT", "1"),
    )
    .map_err(|e| format!("pip install {SDK_REQUIREMENT} failed: {e}"))?;
    if has_sdk(&python) {
        Ok(python)
    } else {
        Err(format!(
            "{} still cannot import didit after pip install",
            python.display()
        ))
    }
}

/// Copies a child's stream line by line to the test output, keeping the lines.
fn pump<R: std::io::Read + Send + 'static>(
    reader: R,
    lines: Arc<Mutex<Vec<String>>>,
    to_stderr: bool,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        for line in BufReader::new(reader).lines().map_while(Result::ok) {
            if to_stderr {
                eprintln!("    {line}");
            } else {
                println!("    {line}");
            }
            if let Ok(mut kept) = lines.lock() {
                kept.push(line);
            }
        }
    })
}

#[test]
fn python_sdk_conformance() {
    let python = match python_with_sdk() {
        Ok(python) => python,
        Err(why) if in_ci() => panic!("CI is set but the Python SDK is unavailable: {why}"),
        Err(why) => {
            eprintln!("SKIP python_sdk_conformance: {why} (set VERIFYD_PYTHON to a Python with {SDK_REQUIREMENT})");
            return;
        }
    };
    let script = script_path();
    assert!(script.exists(), "missing {}", script.display());
    let binary = env!("CARGO_BIN_EXE_verifyd");
    println!("running {} {} {binary}", python.display(), script.display());

    let mut child = Command::new(&python)
        .arg("-u")
        .arg(&script)
        .arg(binary)
        .env("PYTHONUNBUFFERED", "1")
        // verifyd reads every VERIFYD_* variable as configuration and rejects unknown keys.
        .env_remove("VERIFYD_PYTHON")
        .env_remove("DIDIT_API_KEY")
        .env_remove("DIDIT_BASE_URL")
        .env_remove("DIDIT_MAX_RETRIES")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting the conformance script");
    let out_lines = Arc::new(Mutex::new(Vec::new()));
    let err_lines = Arc::new(Mutex::new(Vec::new()));
    let out = pump(
        child.stdout.take().expect("stdout"),
        Arc::clone(&out_lines),
        false,
    );
    let err = pump(
        child.stderr.take().expect("stderr"),
        Arc::clone(&err_lines),
        true,
    );

    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for the script") {
            break status;
        }
        if started.elapsed() > RUN_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("conformance script still running after {RUN_TIMEOUT:?}; killed");
        }
        thread::sleep(Duration::from_millis(100));
    };
    let _ = out.join();
    let _ = err.join();

    let lines = out_lines.lock().map(|l| l.clone()).unwrap_or_default();
    let failures: Vec<&String> = lines.iter().filter(|l| l.starts_with("FAIL ")).collect();
    let summary = lines
        .iter()
        .rev()
        .find(|l| l.contains(" passed, ") && l.ends_with(" failed"))
        .cloned()
        .unwrap_or_else(|| "no summary line".to_owned());
    assert!(
        status.success() && failures.is_empty(),
        "SDK conformance failed ({status}; {summary}):\n{}",
        failures
            .iter()
            .map(|l| format!("  {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
