//! Runs the cross-language scenario files in `tests/scenarios/` through the Rust client.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use zkit::exec::manual::ManualClock;
use zkit::{CallOptions, Zerokie};
use zkit_sandbox::{Fault, Sandbox};

fn scenario_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/scenarios exists")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
}

/// Whether `actual` matches `expected`: objects by expected keys, arrays by length and element.
fn matches(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => e.iter().all(|(k, v)| a.get(k).is_some_and(|av| matches(v, av))),
        (Value::Array(e), Value::Array(a)) => e.len() == a.len() && e.iter().zip(a).all(|(ev, av)| matches(ev, av)),
        (Value::Number(e), Value::Number(a)) => e.as_f64() == a.as_f64(),
        _ => expected == actual,
    }
}

fn options(step: &Value) -> CallOptions {
    let mut options = CallOptions::default();
    if let Some(n) = step.pointer("/options/max_retries").and_then(Value::as_u64) {
        options.max_retries = Some(n as u32);
    }
    if let Some(ms) = step.pointer("/options/timeout_ms").and_then(Value::as_u64) {
        options.attempt_timeout = Some(Some(Duration::from_millis(ms)));
    }
    options
}

async fn run_step(sandbox: &Sandbox, clients: &(Zerokie, Zerokie), step: &Value) -> Result<(), String> {
    if let Some(seconds) = step.get("advance_clock_seconds").and_then(Value::as_f64) {
        sandbox.advance_clock(Duration::from_secs_f64(seconds));
        return Ok(());
    }
    if let Some(fault) = step.get("fault") {
        let mut fault: Fault = serde_json::from_value(fault.clone()).map_err(|e| format!("bad fault: {e}"))?;
        fault.times = fault.times.max(1);
        sandbox.inject(fault);
        return Ok(());
    }
    let operation = step["call"].as_str().ok_or("a step needs call, fault or advance_clock_seconds")?;
    let client = if step.get("client").and_then(Value::as_str) == Some("wrong_key") { &clients.1 } else { &clients.0 };
    let sent_before = sandbox.journal().len();
    let result = client.call_json(operation, step["input"].clone(), options(step)).await;
    match (result, step.get("expect_error")) {
        (Ok(response), None) => {
            let expected = step.get("expect").cloned().unwrap_or(Value::Null);
            if !matches(&expected, &response.data) {
                return Err(format!("{operation}: expected {expected}, got {}", response.data));
            }
            if let Some(attempts) = step.get("expect_attempts").and_then(Value::as_u64) {
                if u64::from(response.meta.attempts) != attempts {
                    return Err(format!("{operation}: expected {attempts} attempts, took {}", response.meta.attempts));
                }
            }
            Ok(())
        }
        (Ok(response), Some(expected)) => Err(format!("{operation}: expected error {expected}, got {}", response.data)),
        (Err(error), None) => Err(format!("{operation}: unexpected error {error}")),
        (Err(error), Some(expected)) => {
            let actual = serde_json::json!({
                "kind": error.kind().as_str(),
                "status": error.status(),
                "message": error.message(),
                "field": error.field(),
                "retry_after_seconds": error.retry_after().map(|d| d.as_secs_f64()),
            });
            if !matches(expected, &actual) {
                return Err(format!("{operation}: expected error {expected}, got {actual}"));
            }
            if error.kind() == zkit::ErrorKind::InvalidInput && sandbox.journal().len() != sent_before {
                return Err(format!("{operation}: invalid input reached the sandbox"));
            }
            Ok(())
        }
    }
}

#[tokio::test]
async fn every_scenario_passes_through_the_rust_client() {
    let sandbox = common::sandbox().await;
    let files = scenario_files();
    assert!(files.len() >= 5, "scenario files found: {files:?}");
    let mut failures = Vec::new();
    for file in &files {
        let scenario: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        assert_eq!(scenario["api"], "zerokie", "{}: only Zerokie scenarios exist so far", file.display());
        sandbox.reset();
        let clock = ManualClock::new(common::UNIX_ORIGIN);
        let clients = (
            common::zerokie_on_manual_clock(&sandbox, &clock),
            common::zerokie_builder(&sandbox).api_key("zrk_not_a_sandbox_key_0000").build().unwrap(),
        );
        for (index, step) in scenario["steps"].as_array().expect("steps").iter().enumerate() {
            if let Err(message) = run_step(&sandbox, &clients, step).await {
                failures.push(format!("{} step {index}: {message}", file.file_name().unwrap().to_string_lossy()));
                break;
            }
        }
    }
    assert!(failures.is_empty(), "scenario failures:\n{}", failures.join("\n"));
}

#[test]
fn partial_matching_rules() {
    use serde_json::json;
    assert!(matches(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
    assert!(!matches(&json!({"a": 1, "c": 3}), &json!({"a": 1, "b": 2})));
    assert!(!matches(&json!([{"a": 1}]), &json!([{"a": 1}, {"a": 2}])));
    assert!(matches(&json!(null), &json!(null)));
    assert!(!matches(&json!(null), &json!([])));
    assert!(matches(&json!(1), &json!(1.0)));
}
