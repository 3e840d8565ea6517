//! Sanctions lists in the database: `verifyd lists import` into a running server's store, the
//! server screening against the new list without a restart, and a re-import replacing it.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::support::TestServer;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../verifyd-screening/tests/fixtures")
        .join(name)
}

fn lists(server: &TestServer, args: &[&str]) -> std::process::Output {
    server
        .command()
        .args(["lists", args[0], "--data-dir"])
        .arg(server.data_dir())
        .args(&args[1..])
        .output()
        .expect("running verifyd lists")
}

async fn screen(server: &TestServer, key: &str, name: &str) -> Value {
    let response = server
        .post_json("/v3/aml/", &json!({ "full_name": name }))
        .header("x-api-key", key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json::<Value>().await.unwrap()["aml"].clone()
}

/// Screens until `done` holds for the result, for as long as a node may take to notice an
/// import (a few seconds), and returns the last result.
async fn screen_until(
    server: &TestServer,
    key: &str,
    name: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let aml = screen(server, key, name).await;
        if done(&aml) || Instant::now() > deadline {
            return aml;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

fn has_hit_from(aml: &Value, source_id: &str) -> bool {
    aml["hits"].as_array().is_some_and(|hits| {
        hits.iter()
            .any(|h| h["additional_information"]["source_id"] == source_id)
    })
}

both_backends!(imported_lists_are_screened_without_a_restart, async fn body(backend) {
    let server = backend.start().await;
    let key = server.apps_create("screening", "live")["api_key"]
        .as_str()
        .unwrap()
        .to_owned();

    // Nothing loaded: never a clean pass.
    let before = screen(&server, &key, "Eric Badege").await;
    assert_eq!(before["status"], "In Review", "{before}");
    assert!(before.to_string().contains("AML_LISTS_NOT_LOADED"), "{before}");

    // Import the UN excerpt while the server runs.
    let un = fixture("un_excerpt.xml");
    let out = lists(&server, &["import", "--source", "un", un.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed["source"], "un");
    assert_eq!(printed["changed"], true);
    let count = printed["entities"].as_u64().unwrap();
    assert!(count >= 23, "{printed}");

    let after = screen_until(&server, &key, "Eric Badege", |a| has_hit_from(a, "6907993")).await;
    assert!(has_hit_from(&after, "6907993"), "{after}");
    assert_ne!(after["status"], "Approved", "{after}");
    assert!(!after.to_string().contains("AML_LISTS_NOT_LOADED"), "{after}");

    // The same files again: nothing is written.
    let again = lists(&server, &["import", "--source", "un", un.to_str().unwrap()]);
    let printed: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(printed["changed"], false);

    // A new edition without that person replaces the old one as a whole.
    let edited = server.data_dir().join("un-next.xml");
    let text = std::fs::read_to_string(&un).unwrap();
    let start = text.find("<INDIVIDUAL>").unwrap();
    let end = text.find("</INDIVIDUAL>").unwrap() + "</INDIVIDUAL>".len();
    assert!(text[start..end].contains("6907993"));
    std::fs::write(&edited, format!("{}{}", &text[..start], &text[end..])).unwrap();
    let out = lists(&server, &["import", "--source", "un", edited.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed["entities"], count - 1);
    let replaced = screen_until(&server, &key, "Eric Badege", |a| !has_hit_from(a, "6907993")).await;
    assert!(!has_hit_from(&replaced, "6907993"), "{replaced}");

    // Status lists what is stored.
    let status = lists(&server, &["status"]);
    let line: Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(line["source"], "un");
    assert_eq!(line["entities"], count - 1);

    // Unknown lists and unreadable files are refused and change nothing.
    let bad = lists(&server, &["import", "--source", "interpol", un.to_str().unwrap()]);
    assert!(!bad.status.success());
    let garbage = server.data_dir().join("garbage.xml");
    std::fs::write(&garbage, "<not-a-list/>").unwrap();
    let bad = lists(&server, &["import", "--source", "un", garbage.to_str().unwrap()]);
    assert!(!bad.status.success());
    let status = lists(&server, &["status"]);
    let line: Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(line["entities"], count - 1);
});
