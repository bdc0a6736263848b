//! Seeing a call: hooks on every attempt (retries and redirects too), log records through a sink at
//! the level asked for (`tracing` has its own file: its callsites are global, so its test runs alone).

mod common;

use std::sync::{Arc, Mutex};

use zkit::{Hooks, LogLevel, LogRecord, LogSink, RequestInfo, ResponseInfo};
use zkit_sandbox::{credentials::ZEROKIE_API_KEY, Fault};

#[derive(Default)]
struct Record {
    requests: Mutex<Vec<RequestInfo>>,
    responses: Mutex<Vec<ResponseInfo>>,
    logs: Mutex<Vec<LogRecord>>,
}

impl Hooks for Record {
    fn on_request(&self, request: &RequestInfo) {
        self.requests.lock().unwrap().push(request.clone());
    }

    fn on_response(&self, response: &ResponseInfo) {
        self.responses.lock().unwrap().push(response.clone());
    }
}

impl LogSink for Record {
    fn log(&self, record: &LogRecord) {
        self.logs.lock().unwrap().push(record.clone());
    }
}

#[tokio::test]
async fn hooks_see_every_attempt_and_logs_follow_the_level() {
    let sandbox = common::sandbox().await;
    let record = Arc::new(Record::default());
    let zerokie = common::zerokie_builder(&sandbox)
        .hooks(record.clone())
        .log_sink(record.clone())
        .log(Some(LogLevel::Info))
        .build()
        .unwrap();
    sandbox.inject(Fault::status(503).with_retry_after("0").on_path("/zerokie/v1/apps"));
    sandbox.inject(Fault::redirect(307, "/zerokie/v1/apps").on_path("/zerokie/v1/apps"));
    zerokie.list_apps().await.unwrap();

    let requests = record.requests.lock().unwrap().clone();
    let responses = record.responses.lock().unwrap().clone();
    let statuses: Vec<_> = responses.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [Some(503), Some(307), Some(200)]);
    let attempts: Vec<_> = requests.iter().map(|r| r.attempt).collect();
    assert_eq!(attempts, [1, 2, 2], "a redirect keeps its attempt's number");
    let first = &requests[0];
    assert_eq!((first.api, first.operation, first.method.as_str()), ("zerokie", "list_apps", "GET"));
    assert_eq!(first.url, format!("{}/v1/apps", sandbox.base_url("zerokie")));
    let auth = first.headers.iter().find(|(name, _)| name == "authorization").expect("the credential header");
    assert_eq!(auth.1, "[redacted]");
    assert!(responses.iter().all(|r| r.request_id.is_some()), "the sandbox names every answer");

    // At info: the retry and the redirect, not the attempts themselves.
    let logs = record.logs.lock().unwrap().clone();
    let messages: Vec<_> = logs.iter().map(|r| r.message.as_str()).collect();
    assert_eq!(logs.len(), 2, "{messages:#?}");
    assert!(messages[0].starts_with("zkit: retrying list_apps attempt=2") && messages[0].contains("status=503"));
    assert!(messages[1].starts_with("zkit: following a redirect status=307"));
    assert!(logs.iter().all(|r| r.level == LogLevel::Info));
    assert!(!format!("{logs:?}{requests:?}{responses:?}").contains(ZEROKIE_API_KEY));
}

#[tokio::test]
async fn debug_logs_show_each_attempt_and_bodies_only_when_asked() {
    let sandbox = common::sandbox().await;
    for bodies in [false, true] {
        let record = Arc::new(Record::default());
        let zerokie = common::zerokie_builder(&sandbox)
            .log_sink(record.clone())
            .log(Some(LogLevel::Debug))
            .log_bodies(bodies)
            .build()
            .unwrap();
        zerokie.create_app(zkit::zerokie::CreateApp::container(format!("logged-{bodies}"), "nginx")).await.unwrap();
        let logs = record.logs.lock().unwrap().clone();
        let messages: Vec<_> = logs.iter().map(|r| r.message.clone()).collect();
        assert_eq!(logs.len(), 2, "{messages:#?}");
        assert!(messages[0].starts_with("zkit: create_app POST /v1/apps sending attempt=1"), "{messages:#?}");
        assert!(messages[1].contains("answered attempt=1 status=201 request_id="), "{messages:#?}");
        assert!(logs[1].fields.iter().any(|(name, _)| *name == "duration_ms"));
        assert_eq!(messages.iter().any(|m| m.contains("nginx")), bodies, "{messages:#?}");
    }
    // Nothing reaches a sink without a level.
    let record = Arc::new(Record::default());
    let quiet = common::zerokie_builder(&sandbox).log_sink(record.clone()).log(None).build().unwrap();
    quiet.list_apps().await.unwrap();
    assert!(record.logs.lock().unwrap().is_empty());
}
