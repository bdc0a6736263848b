//! Zyra's SLA alert rules (read by members, changed by org admins) and the history of their
//! breaches. Breaches are seeded only; deleting a rule keeps its breaches.

use std::sync::Arc;

use axum::extract::{Path, State};
use bytes::Bytes;
use serde::Serialize;
use serde_json::{Map, Value};

use super::{
    body_object, created, integer_in, not_found, ok, optional_string, page, refuse, required_string, Caller, Create,
    Ids, Read, Reply, Write,
};
use crate::body::Params;
use crate::clock::rfc3339;
use crate::{lock, ApiError, Shared};

/// The metrics a rule may watch.
const METRICS: [&str; 3] = ["uptime_percent", "latency_p95_ms", "error_rate_percent"];
/// The fields of a rule's create and update.
const FIELDS: [&str; 4] = ["name", "metric", "threshold", "window_minutes"];

/// An SLA alert rule.
#[derive(Clone, Debug, Serialize)]
pub(super) struct Rule {
    id: String,
    name: String,
    metric: String,
    threshold: f64,
    window_minutes: u64,
    created_at: String,
    updated_at: String,
}

/// A breach of a rule; `resolved_at` is `null` while it lasts.
#[derive(Clone, Debug, Serialize)]
pub(super) struct Breach {
    id: String,
    rule_id: String,
    metric: &'static str,
    value: f64,
    threshold: f64,
    started_at: String,
    resolved_at: Option<String>,
}

/// `rule_0001` (uptime at least 99.9 % over an hour) and `rule_0002` (p95 latency at most 250 ms over
/// 15 minutes).
pub(super) fn seeded_rules(ids: &mut Ids) -> Vec<Rule> {
    [("Uptime 99.9%", "uptime_percent", 99.9, 60), ("API latency p95", "latency_p95_ms", 250.0, 15)]
        .into_iter()
        .map(|(name, metric, threshold, window_minutes)| Rule {
            id: ids.next("rule_"),
            name: name.to_owned(),
            metric: metric.to_owned(),
            threshold,
            window_minutes,
            created_at: rfc3339(super::seeded_at(0)),
            updated_at: rfc3339(super::seeded_at(0)),
        })
        .collect()
}

/// Four breaches of the seeded rules, the last one still open.
pub(super) fn seeded_breaches(ids: &mut Ids) -> Vec<Breach> {
    [
        ("rule_0001", "uptime_percent", 99.42, 99.9, 3_600, Some(5_400)),
        ("rule_0002", "latency_p95_ms", 412.0, 250.0, 86_400, Some(87_300)),
        ("rule_0002", "latency_p95_ms", 388.5, 250.0, 172_800, Some(173_100)),
        ("rule_0001", "uptime_percent", 99.71, 99.9, 259_200, None),
    ]
    .into_iter()
    .map(|(rule_id, metric, value, threshold, started, resolved)| Breach {
        id: ids.next("breach_"),
        rule_id: rule_id.to_owned(),
        metric,
        value,
        threshold,
        started_at: rfc3339(super::seeded_at(started)),
        resolved_at: resolved.map(|at| rfc3339(super::seeded_at(at))),
    })
    .collect()
}

/// A `metric` field, one of [`METRICS`], if present.
fn metric_field(map: &Map<String, Value>) -> Result<Option<String>, ApiError> {
    match optional_string(map, "metric")? {
        Some(metric) if !METRICS.contains(&metric.as_str()) => {
            Err(refuse("metric", &format!("must be one of {}", METRICS.join(", "))))
        }
        other => Ok(other),
    }
}

/// A `threshold` field, a number of at least 0, if present.
fn threshold_field(map: &Map<String, Value>) -> Result<Option<f64>, ApiError> {
    match map.get("threshold") {
        None | Some(Value::Null) => Ok(None),
        Some(value) => match value.as_f64() {
            Some(threshold) if threshold >= 0.0 => Ok(Some(threshold)),
            _ => Err(refuse("threshold", "must be a number of at least 0")),
        },
    }
}

/// A `window_minutes` field, 1 to 1440, if present.
fn window_field(map: &Map<String, Value>) -> Result<Option<u64>, ApiError> {
    integer_in(map, "window_minutes", 1..=1440)
}

/// 400 unless a percentage metric has a threshold of at most 100.
fn check_percent(metric: &str, threshold: f64) -> Result<(), ApiError> {
    if metric.ends_with("_percent") && threshold > 100.0 {
        return Err(refuse("threshold", "must be at most 100 for a percentage"));
    }
    Ok(())
}

/// `GET /sla/alert-rules`.
pub(super) async fn list_rules(State(shared): State<Arc<Shared>>, _caller: Caller<Read>, params: Params) -> Reply {
    page(&params, lock(&shared.zyra).rules.iter())
}

/// `GET /sla/alert-rules/{id}`.
pub(super) async fn get_rule(
    State(shared): State<Arc<Shared>>,
    _caller: Caller<Read>,
    Path(id): Path<String>,
) -> Reply {
    let store = lock(&shared.zyra);
    ok(store.rules.iter().find(|rule| rule.id == id).ok_or_else(|| not_found("SLA alert rule"))?)
}

/// `POST /sla/alert-rules {name, metric, threshold, window_minutes}`: 201.
pub(super) async fn create_rule(State(shared): State<Arc<Shared>>, caller: Caller<Create>, body: Bytes) -> Reply {
    caller.require_admin()?;
    let map = body_object(&body, &FIELDS)?;
    let name = required_string(&map, "name")?;
    let metric = metric_field(&map)?.ok_or_else(|| refuse("metric", "is required"))?;
    let threshold = threshold_field(&map)?.ok_or_else(|| refuse("threshold", "is required"))?;
    let window_minutes = window_field(&map)?.ok_or_else(|| refuse("window_minutes", "is required"))?;
    check_percent(&metric, threshold)?;
    let now = rfc3339(shared.clock.now());
    let mut store = lock(&shared.zyra);
    let rule = Rule {
        id: store.ids.next("rule_"),
        name,
        metric,
        threshold,
        window_minutes,
        created_at: now.clone(),
        updated_at: now,
    };
    store.rules.push(rule.clone());
    created(rule)
}

/// `PATCH /sla/alert-rules/{id} {name?, metric?, threshold?, window_minutes?}`.
pub(super) async fn update_rule(
    State(shared): State<Arc<Shared>>,
    caller: Caller<Write>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    caller.require_admin()?;
    let now = rfc3339(shared.clock.now());
    let mut store = lock(&shared.zyra);
    let rule = store.rules.iter_mut().find(|rule| rule.id == id).ok_or_else(|| not_found("SLA alert rule"))?;
    let map = body_object(&body, &FIELDS)?;
    // Every field is checked before any is changed.
    let name = optional_string(&map, "name")?;
    let metric = metric_field(&map)?;
    let threshold = threshold_field(&map)?;
    let window_minutes = window_field(&map)?;
    check_percent(metric.as_deref().unwrap_or(&rule.metric), threshold.unwrap_or(rule.threshold))?;
    if let Some(name) = name {
        rule.name = name;
    }
    if let Some(metric) = metric {
        rule.metric = metric;
    }
    if let Some(threshold) = threshold {
        rule.threshold = threshold;
    }
    if let Some(window_minutes) = window_minutes {
        rule.window_minutes = window_minutes;
    }
    if !map.is_empty() {
        rule.updated_at = now;
    }
    ok(&*rule)
}

/// `DELETE /sla/alert-rules/{id}`.
pub(super) async fn remove_rule(
    State(shared): State<Arc<Shared>>,
    caller: Caller<Write>,
    Path(id): Path<String>,
) -> Reply {
    caller.require_admin()?;
    let mut store = lock(&shared.zyra);
    let index = store.rules.iter().position(|rule| rule.id == id).ok_or_else(|| not_found("SLA alert rule"))?;
    store.rules.remove(index);
    ok(Value::Null)
}

/// `GET /sla/breaches`.
pub(super) async fn breaches(State(shared): State<Arc<Shared>>, _caller: Caller<Read>, params: Params) -> Reply {
    page(&params, lock(&shared.zyra).breaches.iter())
}
