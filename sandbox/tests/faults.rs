//! Injected faults over real HTTP: every kind, matching, counting and the journal's record of them.

mod common;

use std::time::{Duration, Instant};

use common::{call, read, Env};
use reqwest::Method;
use serde_json::json;
use zkit_sandbox::{Fault, FaultKind};

#[tokio::test]
async fn status_faults_answer_their_status_body_and_retry_after() {
    let env = Env::start().await;
    env.sandbox.inject(Fault::status(503).with_retry_after("2").on_path("/zerokie/v1/apps"));
    let response = env.zerokie(Method::GET, "/v1/apps").send().await.unwrap();
    assert_eq!(response.headers()["retry-after"], "2");
    assert!(response.headers()["x-request-id"].to_str().unwrap().starts_with("req_"));
    assert_eq!(read(response).await, (503, json!({"error": "injected fault"})));
    assert_eq!(call(env.zerokie(Method::GET, "/v1/apps")).await, (200, json!([])), "consumed after one hit");

    env.sandbox.inject(Fault { body: Some(json!({"error": "upstream CDN failure"})), ..Fault::status(502) });
    assert_eq!(call(env.zerokie(Method::GET, "/v1/apps")).await, (502, json!({"error": "upstream CDN failure"})));
    env.sandbox.inject(Fault::default());
    let (status, _) = call(env.zerokie(Method::GET, "/v1/apps")).await;
    assert_eq!(status, 500, "the default fault answers 500");

    let journal = env.sandbox.journal();
    let hits: Vec<(Option<u16>, Option<&str>)> = journal.iter().map(|e| (e.status, e.fault.as_deref())).collect();
    assert_eq!(
        hits,
        [(Some(503), Some("status")), (Some(200), None), (Some(502), Some("status")), (Some(500), Some("status"))]
    );
}

#[tokio::test]
async fn faults_match_by_method_and_path_prefix_and_count_down() {
    let env = Env::start().await;
    env.sandbox.inject(Fault::status(500).on_method("post").on_path("/zerokie/v1/apps").times(2));
    let create = || env.zerokie(Method::POST, "/v1/apps").json(&json!({"name": "web", "image": "nginx"}));
    assert_eq!(call(env.zerokie(Method::GET, "/v1/apps")).await.0, 200, "another method");
    assert_eq!(call(env.request(Method::POST, "/zenifra/v1/projects")).await.0, 404, "another path");
    assert_eq!(call(create()).await.0, 500);
    assert_eq!(call(create()).await.0, 500);
    assert_eq!(call(create()).await.0, 201, "two hits, then the fault is spent");
    // A faulted request is not handled: the app was created once.
    assert_eq!(call(env.zerokie(Method::GET, "/v1/apps")).await.1.as_array().unwrap().len(), 1);

    // Faults never hit the control API, even without a filter.
    env.sandbox.inject(Fault::status(503));
    assert_eq!(call(env.request(Method::GET, "/__sandbox/journal")).await.0, 200);
    assert_eq!(call(env.request(Method::GET, "/zyra/api/v1/devices")).await.0, 503, "any API");
}

#[tokio::test]
async fn reset_faults_close_the_connection_without_a_response() {
    let env = Env::start().await;
    env.sandbox.inject(Fault::reset().on_method("POST"));
    let result = env.zerokie(Method::POST, "/v1/apps").json(&json!({"name": "web", "image": "nginx"})).send().await;
    let error = result.expect_err("no response");
    assert!(error.status().is_none(), "{error:?}");
    assert!(error.is_request() || error.is_connect(), "{error:?}");
    assert_eq!(call(env.zerokie(Method::GET, "/v1/apps")).await, (200, json!([])), "the create was never handled");
    let entry = &env.sandbox.journal()[0];
    assert_eq!((entry.method.as_str(), entry.status, entry.fault.as_deref()), ("POST", None, Some("reset")));
    assert!(entry.body_len > 0);
}

#[tokio::test]
async fn malformed_faults_answer_a_body_that_is_not_json() {
    let env = Env::start().await;
    env.sandbox.inject(Fault::malformed());
    let response = env.zerokie(Method::GET, "/v1/apps").send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let body = response.bytes().await.unwrap();
    assert!(!body.is_empty());
    assert!(serde_json::from_slice::<serde_json::Value>(&body).is_err(), "{body:?}");
    assert_eq!(env.sandbox.journal()[0].fault.as_deref(), Some("malformed"));
}

#[tokio::test]
async fn truncated_faults_break_off_the_body() {
    let env = Env::start().await;
    env.sandbox.inject(Fault::truncated());
    let response = env.zerokie(Method::GET, "/v1/apps").send().await.unwrap();
    assert_eq!(response.status(), 200);
    let promised: u64 = response.headers()["content-length"].to_str().unwrap().parse().unwrap();
    assert!(promised > 0);
    let error = response.bytes().await.expect_err("the body is cut short");
    assert!(error.is_body() || error.is_decode() || error.is_request(), "{error:?}");
    let entry = &env.sandbox.journal()[0];
    assert_eq!((entry.status, entry.fault.as_deref()), (Some(200), Some("truncated")));
    assert_eq!(call(env.zerokie(Method::GET, "/v1/apps")).await, (200, json!([])), "the next request is whole");
}

#[tokio::test]
async fn delay_faults_wait_then_handle_the_request() {
    let env = Env::start().await;
    env.sandbox.inject(Fault::delay(150));
    let started = Instant::now();
    let created = call(env.zerokie(Method::POST, "/v1/apps").json(&json!({"name": "web", "image": "nginx"}))).await;
    assert!(started.elapsed() >= Duration::from_millis(150), "{:?}", started.elapsed());
    assert_eq!(created.0, 201, "handled normally after the wait");
    assert_eq!(env.sandbox.journal()[0].fault.as_deref(), Some("delay"));

    // delay_ms applies before any kind.
    env.sandbox.inject(Fault { kind: FaultKind::Status, status: Some(504), delay_ms: Some(100), ..Fault::default() });
    let started = Instant::now();
    assert_eq!(call(env.zerokie(Method::GET, "/v1/apps")).await.0, 504);
    assert!(started.elapsed() >= Duration::from_millis(100));
}

#[tokio::test]
async fn faults_are_queued_listed_and_cleared_over_http() {
    let env = Env::start().await;
    let add = |body: serde_json::Value| env.request(Method::POST, "/__sandbox/faults").json(&body);
    let fault = json!({"kind": "status", "status": 429, "retry_after": "1", "path": "/zerokie/v1/apps", "times": 2});
    assert_eq!(call(add(fault)).await, (201, json!({"queued": 1})));
    assert_eq!(call(add(json!({"kind": "reset", "method": "DELETE"}))).await, (201, json!({"queued": 2})));
    let (status, pending) = call(env.request(Method::GET, "/__sandbox/faults")).await;
    assert_eq!((status, pending[0]["times"].clone(), pending[1]["times"].clone()), (200, json!(2), json!(1)));

    let response = env.zerokie(Method::GET, "/v1/apps").send().await.unwrap();
    assert_eq!((response.status().as_u16(), response.headers()["retry-after"].to_str().unwrap()), (429, "1"));
    assert_eq!(call(env.request(Method::DELETE, "/__sandbox/faults")).await, (204, serde_json::Value::Null));
    assert_eq!(call(env.zerokie(Method::GET, "/v1/apps")).await.0, 200, "cleared");

    for bad in [
        json!({"kind": "explode"}),
        json!({"status": 42}),
        json!({"retry_after": "1\r\nx-evil: 1"}),
        json!({"retryAfter": "1"}),
        json!({"times": -1}),
    ] {
        let (status, error) = call(add(bad.clone())).await;
        assert_eq!(status, 400, "{bad}");
        assert!(error["error"].is_string(), "{error}");
    }
    assert_eq!(call(env.request(Method::GET, "/__sandbox/faults")).await.1, json!([]));
}
