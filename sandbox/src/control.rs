//! The control API under `/__sandbox/`, for test suites in any language: reset, clock, journal,
//! faults, and a description of the sandbox. It needs no auth, meets no faults and is not journaled.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use http::StatusCode;
use serde_json::{json, Map, Value};

use crate::clock::rfc3339;
use crate::faults::{Chaos, Fault};
use crate::{ApiError, Shared, WindowKind, APIS, CONTROL_PREFIX};

/// The control routes.
pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route(CONTROL_PREFIX, get(describe))
        .route("/__sandbox/", get(describe))
        .route("/__sandbox/reset", post(reset))
        .route("/__sandbox/clock", get(clock).post(advance_clock))
        .route("/__sandbox/journal", get(journal).delete(clear_journal))
        .route("/__sandbox/faults", get(pending_faults).post(add_fault).delete(clear_faults))
        .route("/__sandbox/rate-window", get(rate_window).post(set_rate_window))
        .route("/__sandbox/chaos", get(chaos).post(set_chaos))
}

/// `GET /__sandbox/`: each emulated API's base URL and key, the others' names, the control URL.
async fn describe(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let mut apis = Map::new();
    let mut not_yet = Vec::new();
    for api in APIS {
        match api.api_key {
            Some(key) => {
                let credentials: Map<String, Value> =
                    api.credentials.iter().map(|(name, value)| ((*name).to_owned(), json!(value))).collect();
                apis.insert(
                    api.name.to_owned(),
                    json!({ "base_url": shared.base_url(api.name), "api_key": key, "credentials": credentials }),
                );
            }
            None => not_yet.push(json!({ "name": api.name, "base_url": shared.base_url(api.name) })),
        }
    }
    Json(json!({
        "url": shared.url,
        "apis": apis,
        "not_yet_emulated": not_yet,
        "control": format!("{}{CONTROL_PREFIX}/", shared.url),
    }))
}

/// `POST /__sandbox/reset`: all state, the journal, the faults and the clock offset.
async fn reset(State(shared): State<Arc<Shared>>) -> StatusCode {
    shared.reset();
    StatusCode::NO_CONTENT
}

/// The clock as `{"now": "<rfc3339>", "offset_seconds": n}`.
fn clock_view(shared: &Shared) -> Json<Value> {
    let offset = shared.clock.offset();
    let offset_seconds = if offset.subsec_nanos() == 0 { json!(offset.as_secs()) } else { json!(offset.as_secs_f64()) };
    Json(json!({ "now": rfc3339(shared.clock.now()), "offset_seconds": offset_seconds }))
}

/// `GET /__sandbox/clock`.
async fn clock(State(shared): State<Arc<Shared>>) -> Json<Value> {
    clock_view(&shared)
}

/// `POST /__sandbox/clock` with `{"advance_seconds": n}`: moves the clock forward.
async fn advance_clock(State(shared): State<Arc<Shared>>, body: Bytes) -> Result<Json<Value>, ApiError> {
    let request: Value =
        serde_json::from_slice(&body).map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))?;
    let seconds = request
        .get("advance_seconds")
        .and_then(Value::as_f64)
        .ok_or_else(|| ApiError::bad_request("advance_seconds: is required and must be a number"))?;
    let by = Duration::try_from_secs_f64(seconds)
        .map_err(|_| ApiError::bad_request("advance_seconds: must be a finite number of seconds, not negative"))?;
    shared.clock.advance(by);
    Ok(clock_view(&shared))
}

/// `GET /__sandbox/rate-window`: `{"kind": "fixed"}`, `{"kind": "sliding"}` or `{"kind": "off"}`.
async fn rate_window(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Json(json!({ "kind": shared.rate_window() }))
}

/// `POST /__sandbox/rate-window` with `{"kind": "fixed" | "sliding" | "off"}`: how every emulated
/// rate limit counts its windows from now on (or that none applies), until a reset.
async fn set_rate_window(State(shared): State<Arc<Shared>>, body: Bytes) -> Result<Json<Value>, ApiError> {
    #[derive(serde::Deserialize)]
    struct Request {
        kind: WindowKind,
    }
    let request: Request = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("kind: must be \"fixed\", \"sliding\" or \"off\" ({e})")))?;
    shared.set_rate_window(request.kind);
    Ok(rate_window(State(shared)).await)
}

/// `GET /__sandbox/journal`.
async fn journal(State(shared): State<Arc<Shared>>) -> Response {
    Json(shared.journal.entries()).into_response()
}

/// `DELETE /__sandbox/journal`.
async fn clear_journal(State(shared): State<Arc<Shared>>) -> StatusCode {
    shared.journal.clear();
    StatusCode::NO_CONTENT
}

/// `GET /__sandbox/faults`: the faults still queued (a convenience beyond the documented control
/// API).
async fn pending_faults(State(shared): State<Arc<Shared>>) -> Response {
    Json(shared.faults.pending()).into_response()
}

/// `POST /__sandbox/faults` with a [`Fault`]: 201 `{"queued": n}`, n faults now queued.
async fn add_fault(State(shared): State<Arc<Shared>>, body: Bytes) -> Result<Response, ApiError> {
    let fault: Fault = if body.iter().all(u8::is_ascii_whitespace) {
        Fault::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| ApiError::bad_request(format!("invalid fault: {e}")))?
    };
    if let Some(problem) = fault.problem() {
        return Err(ApiError::bad_request(problem));
    }
    let queued = shared.faults.push(fault);
    Ok((StatusCode::CREATED, Json(json!({ "queued": queued }))).into_response())
}

/// `GET /__sandbox/chaos`: the chaos settings in force.
async fn chaos(State(shared): State<Arc<Shared>>) -> Json<Chaos> {
    Json(shared.faults.chaos())
}

/// `POST /__sandbox/chaos` with a [`Chaos`]: from now on a share of the API requests meets a fault
/// drawn at random (`{"rate": 0}` or a reset ends it).
async fn set_chaos(State(shared): State<Arc<Shared>>, body: Bytes) -> Result<Json<Chaos>, ApiError> {
    let chaos: Chaos =
        serde_json::from_slice(&body).map_err(|e| ApiError::bad_request(format!("invalid chaos: {e}")))?;
    if let Some(problem) = chaos.problem() {
        return Err(ApiError::bad_request(problem));
    }
    shared.faults.set_chaos(chaos.clone());
    Ok(Json(chaos))
}

/// `DELETE /__sandbox/faults`.
async fn clear_faults(State(shared): State<Arc<Shared>>) -> StatusCode {
    shared.faults.clear();
    StatusCode::NO_CONTENT
}
