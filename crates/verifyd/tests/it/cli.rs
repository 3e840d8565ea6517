//! Offline subcommands: `verifyd mrz parse` exit codes and output.

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};

use crate::support::BINARY;

const LINE1: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<";
const LINE2: &str = "L898902C36UTO7408122F1204159ZE184226B<<<<<10";

/// Runs `verifyd mrz parse [args]` with `input` on stdin; returns the exit code and JSON output.
fn mrz_parse(input: &str, args: &[&str]) -> (i32, Value) {
    let mut child = Command::new(BINARY)
        .args(["mrz", "parse"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting verifyd mrz parse");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("writing stdin");
    let out = child
        .wait_with_output()
        .expect("waiting for verifyd mrz parse");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "output is not JSON ({e}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().expect("exit code"), json)
}

fn errors(report: &Value) -> Vec<String> {
    report["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn mrz_parse_reads_the_icao_specimen() {
    for args in [&[][..], &["--strict"][..]] {
        let (code, report) = mrz_parse(&format!("{LINE1}\n{LINE2}\n"), args);
        assert_eq!(code, 0, "{args:?}: {report}");
        assert_eq!(report["valid"], true);
        assert_eq!(report["format"], "TD3");
        assert_eq!(report["surname"], "ERIKSSON");
        assert_eq!(report["given_names"], "ANNA MARIA");
        assert_eq!(report["document_number"], "L898902C3");
        assert_eq!(report["nationality"], "UTO");
        assert_eq!(report["birth_date"], "1974-08-12");
        assert_eq!(report["expiry_date"], "2012-04-15");
        assert_eq!(report["sex"], "F");
        assert!(errors(&report).is_empty(), "{report}");
    }
    // Surrounding whitespace and CRLF line ends are tolerated.
    let (code, report) = mrz_parse(&format!("\r\n  {LINE1}\r\n{LINE2}  \r\n"), &[]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["surname"], "ERIKSSON");
}

#[test]
fn mrz_parse_names_a_failed_check_digit() {
    // Birth date 740812 with check digit 3 instead of 2.
    let corrupted = LINE2.replacen("7408122", "7408123", 1);
    for args in [&[][..], &["--strict"][..]] {
        let (code, report) = mrz_parse(&format!("{LINE1}\n{corrupted}\n"), args);
        assert_eq!(code, 1, "{args:?}: {report}");
        assert_eq!(report["valid"], false);
        let errors = errors(&report);
        assert!(
            errors.iter().any(|e| e == "birth_date_check_digit"),
            "{args:?}: the failed check is not named: {errors:?}"
        );
        assert_eq!(report["surname"], "ERIKSSON", "fields are still reported");
    }
}

#[test]
fn mrz_parse_rejects_text_that_is_not_an_mrz() {
    for input in ["hello\n", "", "P<UTO\n"] {
        let (code, report) = mrz_parse(input, &[]);
        assert_eq!(code, 2, "{input:?}: {report}");
        assert_eq!(report["valid"], false);
        assert!(errors(&report).iter().any(|e| e == "not_mrz"), "{report}");
    }
}
