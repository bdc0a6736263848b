//! Runs the cross-language scenario files in `tests/scenarios/` through the Rust client.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;
use zkit::exec::manual::ManualClock;
use zkit::{CallOptions, ClientBuilder, DynamicApi, Zenifra, Zenovay, Zerokie, Zyra};
use zkit_sandbox::{Fault, Sandbox};

/// A key no sandbox API knows, for the built-in `wrong_key` client.
const WRONG_KEY: &str = "zkit_not_a_sandbox_key_0000";

/// One client per name a scenario uses: `default`, `wrong_key`, and those of its `clients` map,
/// each built from settings (`api_key` and any API setting such as `organization_id`).
struct Clients<A> {
    by_name: HashMap<String, A>,
}

impl<A: DynamicApi> Clients<A> {
    fn new(sandbox: &Sandbox, clock: &ManualClock, scenario: &Value) -> Result<Self, String> {
        let default_key = zkit_sandbox::default_key(A::PROFILE.name).ok_or("the sandbox has no key for this API")?;
        let mut settings: Vec<(String, Value)> = vec![
            ("default".into(), serde_json::json!({ "api_key": default_key })),
            ("wrong_key".into(), serde_json::json!({ "api_key": WRONG_KEY })),
        ];
        if let Some(Value::Object(named)) = scenario.get("clients") {
            settings.extend(named.iter().map(|(name, value)| (name.clone(), value.clone())));
        }
        let mut by_name = HashMap::new();
        for (name, values) in settings {
            let mut builder = ClientBuilder::<A>::default()
                .base_url(sandbox.base_url(A::PROFILE.name))
                .jitter_seed(7)
                .time(Arc::new(clock.clone()), Arc::new(clock.sleeper()));
            for (key, value) in values.as_object().ok_or("a client's settings are an object")? {
                let value = value.as_str().ok_or("client settings are strings")?;
                builder = if key == "api_key" { builder.api_key(value) } else { builder.setting(key, value) };
            }
            by_name.insert(name.clone(), builder.build().map_err(|e| format!("client {name}: {e}"))?);
        }
        Ok(Self { by_name })
    }

    fn get(&self, step: &Value) -> Result<&A, String> {
        let name = step.get("client").and_then(Value::as_str).unwrap_or("default");
        self.by_name.get(name).ok_or_else(|| format!("no client named {name}"))
    }
}

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

async fn run_step<A: DynamicApi>(sandbox: &Sandbox, clients: &Clients<A>, step: &Value) -> Result<(), String> {
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
    let client = clients.get(step)?;
    let sent_before = sandbox.journal().len();
    let result = client.call_dynamic(operation, step["input"].clone(), options(step)).await;
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
                "code": error.code(),
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

/// Runs one scenario's steps with clients of API `A`; the first failing step ends it.
async fn run_scenario<A: DynamicApi>(sandbox: &Sandbox, scenario: &Value) -> Result<(), String> {
    let clock = ManualClock::new(common::UNIX_ORIGIN);
    let clients = Clients::<A>::new(sandbox, &clock, scenario)?;
    for (index, step) in scenario["steps"].as_array().ok_or("a scenario has steps")?.iter().enumerate() {
        run_step(sandbox, &clients, step).await.map_err(|message| format!("step {index}: {message}"))?;
    }
    Ok(())
}

#[tokio::test]
async fn every_scenario_passes_through_the_rust_client() {
    let sandbox = common::sandbox().await;
    let files = scenario_files();
    assert!(files.len() >= 5, "scenario files found: {files:?}");
    let mut failures = Vec::new();
    for file in &files {
        let scenario: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        sandbox.reset();
        let outcome = match scenario["api"].as_str() {
            Some("zerokie") => run_scenario::<Zerokie>(&sandbox, &scenario).await,
            Some("zenifra") => run_scenario::<Zenifra>(&sandbox, &scenario).await,
            Some("zenovay") => run_scenario::<Zenovay>(&sandbox, &scenario).await,
            Some("zyra") => run_scenario::<Zyra>(&sandbox, &scenario).await,
            other => Err(format!("unknown api {other:?}")),
        };
        if let Err(message) = outcome {
            failures.push(format!("{}: {message}", file.file_name().unwrap().to_string_lossy()));
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
