//! Injected faults: queued by the control API or [`Sandbox::inject`](crate::Sandbox::inject), each
//! consumed by the next API requests it matches, so retries and error paths meet real failures.

use std::sync::Mutex;
use std::time::Duration;

use axum::body::Body;
use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use http::{HeaderValue, Response, StatusCode};
use http_body_util::StreamBody;
use serde::{Deserialize, Serialize};

use crate::lock;

/// A fault to inject into the next matching API request(s).
///
/// Over HTTP it is the JSON body of `POST /__sandbox/faults`, such as
/// `{"kind": "status", "status": 503, "retry_after": "2", "path": "/zerokie/v1/apps"}`; every field
/// may be left out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Fault {
    /// Only requests with this method (any case); all methods when `None`.
    pub method: Option<String>,
    /// Only requests whose full path (still percent-encoded, without the query) starts with this,
    /// such as `/zerokie/v1/apps`; all API requests when `None`.
    pub path: Option<String>,
    /// How many matching requests the fault hits; 1 by default, and 0 counts as 1.
    pub times: u32,
    /// What happens to a matching request.
    pub kind: FaultKind,
    /// The status a [`FaultKind::Status`] fault answers; 500 when `None`.
    pub status: Option<u16>,
    /// The JSON body a [`FaultKind::Status`] fault answers; `{"error": "injected fault"}` when `None`.
    pub body: Option<serde_json::Value>,
    /// The `Retry-After` header a [`FaultKind::Status`] fault sends, such as `"2"` or an HTTP date.
    pub retry_after: Option<String>,
    /// A wait before the fault acts, whatever its kind.
    pub delay_ms: Option<u64>,
}

impl Default for Fault {
    fn default() -> Self {
        Self {
            method: None,
            path: None,
            times: 1,
            kind: FaultKind::Status,
            status: None,
            body: None,
            retry_after: None,
            delay_ms: None,
        }
    }
}

/// What an injected fault does to the request it hits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Answers `status` (500 by default) with `body` (`{"error": "injected fault"}` by default) and
    /// `Retry-After` when `retry_after` is set. The request is not handled.
    #[default]
    Status,
    /// Closes the connection without any response. The request is not handled.
    Reset,
    /// Answers 200 with `Content-Type: application/json` and a body that is not JSON. The request
    /// is not handled.
    Malformed,
    /// Answers 200 with a `Content-Length` larger than the bytes sent, then closes the connection.
    /// The request is not handled.
    Truncated,
    /// Waits `delay_ms`, then handles the request normally.
    Delay,
}

impl FaultKind {
    /// The wire name, as the journal shows it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::Reset => "reset",
            Self::Malformed => "malformed",
            Self::Truncated => "truncated",
            Self::Delay => "delay",
        }
    }
}

impl Fault {
    /// Answers `status` (with the default body).
    pub fn status(status: u16) -> Self {
        Self { kind: FaultKind::Status, status: Some(status), ..Self::default() }
    }

    /// Closes the connection without a response.
    pub fn reset() -> Self {
        Self { kind: FaultKind::Reset, ..Self::default() }
    }

    /// Answers 200 with a body that is not JSON.
    pub fn malformed() -> Self {
        Self { kind: FaultKind::Malformed, ..Self::default() }
    }

    /// Answers 200 with a body cut short.
    pub fn truncated() -> Self {
        Self { kind: FaultKind::Truncated, ..Self::default() }
    }

    /// Waits `ms` milliseconds, then handles the request normally.
    pub fn delay(ms: u64) -> Self {
        Self { kind: FaultKind::Delay, delay_ms: Some(ms), ..Self::default() }
    }

    /// Only for requests with `method`.
    pub fn on_method(mut self, method: impl Into<String>) -> Self {
        self.method = Some(method.into());
        self
    }

    /// Only for requests whose path starts with `prefix`.
    pub fn on_path(mut self, prefix: impl Into<String>) -> Self {
        self.path = Some(prefix.into());
        self
    }

    /// Hits the next `times` matching requests.
    pub fn times(mut self, times: u32) -> Self {
        self.times = times;
        self
    }

    /// Sends `Retry-After: value` (status faults).
    pub fn with_retry_after(mut self, value: impl Into<String>) -> Self {
        self.retry_after = Some(value.into());
        self
    }

    /// Answers `body` (status faults).
    pub fn with_body(mut self, body: serde_json::Value) -> Self {
        self.body = Some(body);
        self
    }

    /// Waits `ms` milliseconds before acting.
    pub fn with_delay_ms(mut self, ms: u64) -> Self {
        self.delay_ms = Some(ms);
        self
    }

    /// Why the control API refuses this fault, if it does.
    pub(crate) fn problem(&self) -> Option<String> {
        if let Some(status) = self.status {
            if !(200..=599).contains(&status) {
                return Some(format!("status: must be between 200 and 599, not {status}"));
            }
        }
        if let Some(value) = &self.retry_after {
            if HeaderValue::from_str(value).is_err() {
                return Some("retry_after: is not a valid header value".to_owned());
            }
        }
        if let Some(method) = &self.method {
            if http::Method::from_bytes(method.as_bytes()).is_err() {
                return Some("method: is not an HTTP method".to_owned());
            }
        }
        None
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.method.as_ref().is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self.path.as_ref().is_none_or(|p| path.starts_with(p.as_str()))
    }
}

/// The queue of faults still to hit.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    queue: Mutex<Vec<Fault>>,
}

impl Faults {
    /// Queues `fault` and returns how many faults are queued.
    pub(crate) fn push(&self, mut fault: Fault) -> usize {
        fault.times = fault.times.max(1);
        let mut queue = lock(&self.queue);
        queue.push(fault);
        queue.len()
    }

    /// Consumes one hit of the first queued fault that matches, if any.
    pub(crate) fn take(&self, method: &str, path: &str) -> Option<Fault> {
        let mut queue = lock(&self.queue);
        let index = queue.iter().position(|f| f.matches(method, path))?;
        let fault = queue[index].clone();
        queue[index].times -= 1;
        if queue[index].times == 0 {
            queue.remove(index);
        }
        Some(fault)
    }

    /// The faults still queued, with the hits they have left.
    pub(crate) fn pending(&self) -> Vec<Fault> {
        lock(&self.queue).clone()
    }

    /// Drops every queued fault.
    pub(crate) fn clear(&self) {
        lock(&self.queue).clear();
    }
}

/// What the frame does with a request a fault hit.
pub(crate) enum Outcome {
    /// Send this response instead of handling the request.
    Respond(Response<Body>),
    /// Close the connection without a response.
    Reset,
    /// Handle the request normally.
    Handle,
}

/// Acts out `fault`: waits its delay, then says what to do.
pub(crate) async fn act(fault: &Fault) -> Outcome {
    if let Some(ms) = fault.delay_ms.filter(|ms| *ms > 0) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    match fault.kind {
        FaultKind::Status => Outcome::Respond(status_response(fault)),
        FaultKind::Reset => Outcome::Reset,
        FaultKind::Malformed => Outcome::Respond(malformed_response()),
        FaultKind::Truncated => Outcome::Respond(truncated_response()),
        FaultKind::Delay => Outcome::Handle,
    }
}

fn json_response(status: StatusCode, body: Body) -> Response<Body> {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn status_response(fault: &Fault) -> Response<Body> {
    let status = fault.status.and_then(|s| StatusCode::from_u16(s).ok()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = fault.body.clone().unwrap_or_else(|| serde_json::json!({"error": "injected fault"}));
    let mut response = json_response(status, Body::from(body.to_string()));
    if let Some(value) = fault.retry_after.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
        response.headers_mut().insert(RETRY_AFTER, value);
    }
    response
}

/// The body a malformed fault answers: it starts like JSON and is not.
pub(crate) const MALFORMED_BODY: &str = "{\"name\": \"malformed\", \"status\": <not json>";

fn malformed_response() -> Response<Body> {
    json_response(StatusCode::OK, Body::from(MALFORMED_BODY))
}

/// The body a truncated fault promises; only its first [`TRUNCATED_SENT`] bytes are sent.
const TRUNCATED_BODY: &str = "{\"name\": \"truncated\", \"status\": \"running\", \"note\": \"the rest never arrives\"}";
/// How many bytes of [`TRUNCATED_BODY`] a truncated fault sends before closing the connection.
pub(crate) const TRUNCATED_SENT: usize = 20;
/// How long a truncated fault waits between the bytes it sends and closing the connection.
const TRUNCATED_PAUSE: Duration = Duration::from_millis(20);

fn truncated_response() -> Response<Body> {
    use futures_util::StreamExt;
    let sent = Bytes::from_static(&TRUNCATED_BODY.as_bytes()[..TRUNCATED_SENT]);
    let first = futures_util::stream::once(async move { Ok::<_, std::io::Error>(hyper::body::Frame::data(sent)) });
    // The pause lets hyper flush the head and the first bytes before the failure closes the
    // connection; without it both would be dropped together and no response would be seen.
    let failure = futures_util::stream::once(async {
        tokio::time::sleep(TRUNCATED_PAUSE).await;
        Err(std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "injected truncated body"))
    });
    let body = Body::new(StreamBody::new(first.chain(failure)));
    let mut response = json_response(StatusCode::OK, body);
    response.headers_mut().insert(CONTENT_LENGTH, HeaderValue::from(TRUNCATED_BODY.len()));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_match_is_consumed_times_over() {
        let faults = Faults::default();
        faults.push(Fault::status(503).on_method("post").on_path("/zerokie/v1/apps").times(2));
        assert_eq!(faults.push(Fault::reset().times(0)), 2);
        assert_eq!(faults.take("GET", "/zerokie/v1/apps").unwrap().kind, FaultKind::Reset);
        assert_eq!(faults.take("POST", "/zerokie/v1/apps/x").unwrap().status, Some(503));
        assert_eq!(faults.take("POST", "/zerokie/v1/apps").unwrap().status, Some(503));
        assert!(faults.take("POST", "/zerokie/v1/apps").is_none());
        assert!(faults.pending().is_empty());
    }

    #[test]
    fn json_defaults_and_checks() {
        let fault: Fault = serde_json::from_str(r#"{"kind": "truncated"}"#).unwrap();
        assert_eq!(fault.times, 1);
        assert_eq!(fault.kind, FaultKind::Truncated);
        assert!(serde_json::from_str::<Fault>(r#"{"kind": "explode"}"#).is_err());
        assert!(serde_json::from_str::<Fault>(r#"{"retryAfter": "1"}"#).is_err());
        assert!(Fault::status(99).problem().is_some());
        assert!(Fault::status(503).with_retry_after("1\r\nx: y").problem().is_some());
        assert!(Fault::status(503).with_retry_after("2").problem().is_none());
    }
}
