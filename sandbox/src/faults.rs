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
    /// Whether a [`FaultKind::Status`] answer echoes the request's credentials (its `authorization`
    /// and `x-api-key` headers) in every place a client reads: the error's message, details and
    /// request id, and the `x-request-id` and `x-echo` headers, as a careless server might. For leak
    /// scans: a client must show none of it.
    pub echo_credentials: bool,
    /// Where a [`FaultKind::Redirect`] points: an absolute URL, or a path (`/zerokie/v1/apps`) or
    /// relative reference resolved against the request's URL.
    pub location: Option<String>,
    /// How an [`FaultKind::Encode`] answer's body is compressed: `gzip` (the default), `deflate` or
    /// `br`.
    pub encoding: Option<String>,
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
            echo_credentials: false,
            location: None,
            encoding: None,
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
    /// Answers `status` (302 by default) with `Location: location`. The request is not handled.
    Redirect,
    /// Handles the request normally, then sends the answer's body compressed with `encoding`, with
    /// the matching `Content-Encoding`, whatever the request's `Accept-Encoding` said.
    Encode,
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
            Self::Redirect => "redirect",
            Self::Encode => "encode",
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

    /// Answers `status` (a 3xx) pointing at `location`.
    pub fn redirect(status: u16, location: impl Into<String>) -> Self {
        Self { kind: FaultKind::Redirect, status: Some(status), location: Some(location.into()), ..Self::default() }
    }

    /// Handles the request, then compresses the answer's body with `encoding` (`gzip`, `deflate`, `br`).
    pub fn encode(encoding: impl Into<String>) -> Self {
        Self { kind: FaultKind::Encode, encoding: Some(encoding.into()), ..Self::default() }
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
        if self.kind == FaultKind::Redirect {
            match &self.location {
                None => return Some("location: a redirect needs one".to_owned()),
                Some(location) if HeaderValue::from_str(location).is_err() => {
                    return Some("location: is not a valid header value".to_owned())
                }
                Some(_) => {}
            }
        }
        if let Some(encoding) = &self.encoding {
            if !ENCODINGS.contains(&encoding.as_str()) {
                return Some(format!("encoding: must be one of {}, not {encoding:?}", ENCODINGS.join(", ")));
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

/// Faults drawn at random for a share of every API request, for chaos runs: each hit request meets
/// one of [`Chaos::FAULTS`], in turn by a seeded draw, so a run can be repeated.
///
/// Over HTTP it is the JSON body of `POST /__sandbox/chaos`, such as `{"rate": 0.1, "seed": 7}`;
/// `{"rate": 0}` turns it off.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Chaos {
    /// The share of API requests that meet a fault, from 0 (none, the default) to 1 (all).
    pub rate: f64,
    /// Seeds the draws.
    pub seed: u64,
    /// How long a `delay` fault holds a request before handling it (to go past a client's attempt
    /// timeout); 2 000 ms by default.
    pub delay_ms: u64,
}

impl Default for Chaos {
    fn default() -> Self {
        Self { rate: 0.0, seed: 0, delay_ms: 2_000 }
    }
}

impl Chaos {
    /// The faults a chaos run draws from, equally likely: every status a server answers under
    /// strain (429 with and without `Retry-After`), a reset connection, a body cut short, a body
    /// that is not JSON, and a delay.
    pub const FAULTS: [(&'static str, FaultKind, Option<u16>); 9] = [
        ("500", FaultKind::Status, Some(500)),
        ("502", FaultKind::Status, Some(502)),
        ("503", FaultKind::Status, Some(503)),
        ("429 with Retry-After", FaultKind::Status, Some(429)),
        ("429", FaultKind::Status, Some(429)),
        ("reset", FaultKind::Reset, None),
        ("truncated", FaultKind::Truncated, None),
        ("malformed", FaultKind::Malformed, None),
        ("delay", FaultKind::Delay, None),
    ];

    /// Why the control API refuses these settings, if it does.
    pub(crate) fn problem(&self) -> Option<String> {
        (!(0.0..=1.0).contains(&self.rate)).then(|| format!("rate: must be between 0 and 1, not {}", self.rate))
    }

    /// The fault of draw `n`, if it hits: a share `rate` of draws does.
    fn draw(&self, n: u64) -> Option<Fault> {
        // splitmix64: a well-spread draw from the seed and the request's number.
        let mut x = self.seed.wrapping_add(n.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        x ^= x >> 31;
        if (x >> 11) as f64 / (1u64 << 53) as f64 >= self.rate {
            return None;
        }
        let (name, kind, status) = Self::FAULTS[(x % Self::FAULTS.len() as u64) as usize];
        let retry_after = (name == "429 with Retry-After").then(|| "1".to_owned());
        let delay_ms = (kind == FaultKind::Delay).then_some(self.delay_ms);
        Some(Fault { kind, status, retry_after, delay_ms, ..Fault::default() })
    }
}

/// The queue of faults still to hit, and the chaos settings that draw more.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    queue: Mutex<Vec<Fault>>,
    chaos: Mutex<(Chaos, u64)>,
}

impl Faults {
    /// Queues `fault` and returns how many faults are queued.
    pub(crate) fn push(&self, mut fault: Fault) -> usize {
        fault.times = fault.times.max(1);
        let mut queue = lock(&self.queue);
        queue.push(fault);
        queue.len()
    }

    /// Consumes one hit of the first queued fault that matches, if any; else draws one if a chaos
    /// run is on.
    pub(crate) fn take(&self, method: &str, path: &str) -> Option<Fault> {
        let mut queue = lock(&self.queue);
        let Some(index) = queue.iter().position(|f| f.matches(method, path)) else {
            drop(queue);
            let mut chaos = lock(&self.chaos);
            let (settings, drawn) = &mut *chaos;
            if settings.rate <= 0.0 {
                return None;
            }
            *drawn += 1;
            return settings.draw(*drawn);
        };
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

    /// Drops every queued fault and ends a chaos run.
    pub(crate) fn clear(&self) {
        lock(&self.queue).clear();
        *lock(&self.chaos) = (Chaos::default(), 0);
    }

    /// Starts (or with a rate of 0, ends) a chaos run.
    pub(crate) fn set_chaos(&self, chaos: Chaos) {
        *lock(&self.chaos) = (chaos, 0);
    }

    /// The chaos settings in force.
    pub(crate) fn chaos(&self) -> Chaos {
        lock(&self.chaos).0.clone()
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
    /// Handle the request, then compress the answer's body with this encoding.
    Encode(&'static str),
}

/// Acts out `fault` on a request with `headers`: waits its delay, then says what to do.
pub(crate) async fn act(fault: &Fault, headers: &http::HeaderMap) -> Outcome {
    if let Some(ms) = fault.delay_ms.filter(|ms| *ms > 0) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    match fault.kind {
        FaultKind::Status if fault.echo_credentials => Outcome::Respond(echo_response(fault, headers)),
        FaultKind::Status => Outcome::Respond(status_response(fault)),
        FaultKind::Reset => Outcome::Reset,
        FaultKind::Malformed => Outcome::Respond(malformed_response()),
        FaultKind::Truncated => Outcome::Respond(truncated_response()),
        FaultKind::Delay => Outcome::Handle,
        FaultKind::Redirect => Outcome::Respond(redirect_response(fault)),
        FaultKind::Encode => {
            let named = fault.encoding.as_deref().unwrap_or("gzip");
            Outcome::Encode(ENCODINGS.iter().copied().find(|e| *e == named).unwrap_or("gzip"))
        }
    }
}

/// The encodings an [`FaultKind::Encode`] fault compresses with.
pub const ENCODINGS: [&str; 3] = ["gzip", "deflate", "br"];

fn redirect_response(fault: &Fault) -> Response<Body> {
    let status = fault.status.and_then(|s| StatusCode::from_u16(s).ok()).unwrap_or(StatusCode::FOUND);
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    if let Some(value) = fault.location.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
        response.headers_mut().insert(http::header::LOCATION, value);
    }
    response
}

/// `response` with its body compressed by `encoding` and labelled so.
pub(crate) async fn encode(response: Response<Body>, encoding: &str) -> Response<Body> {
    use http_body_util::BodyExt;
    use std::io::Write;
    let (mut parts, body) = response.into_parts();
    let Ok(collected) = body.collect().await else { return Response::from_parts(parts, Body::empty()) };
    let plain = collected.to_bytes();
    let compressed = match encoding {
        "deflate" => {
            let mut writer = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            writer.write_all(&plain).and_then(|()| writer.finish())
        }
        "br" => {
            let mut out = Vec::new();
            let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
            let written = writer.write_all(&plain).and_then(|()| writer.flush());
            drop(writer);
            written.map(|()| out)
        }
        _ => {
            let mut writer = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            writer.write_all(&plain).and_then(|()| writer.finish())
        }
    };
    let compressed = compressed.unwrap_or_default();
    parts.headers.remove(CONTENT_LENGTH);
    parts.headers.insert(
        http::header::CONTENT_ENCODING,
        HeaderValue::from_static(match encoding {
            "deflate" => "deflate",
            "br" => "br",
            _ => "gzip",
        }),
    );
    Response::from_parts(parts, Body::from(compressed))
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

/// A status answer that carries the request's credentials back in its body and headers.
fn echo_response(fault: &Fault, headers: &http::HeaderMap) -> Response<Body> {
    let sent: Vec<&str> =
        ["authorization", "x-api-key"].iter().filter_map(|name| headers.get(*name)?.to_str().ok()).collect();
    let echoed = sent.join(" ");
    let body = serde_json::json!({
        "error": {
            "code": format!("echo {echoed}"),
            "message": format!("you sent {echoed}"),
            "details": { "sent": sent, "note": format!("credential: {echoed}") },
            "request_id": echoed,
        },
        "request_id": echoed,
    });
    let mut response = status_response(&Fault { body: Some(body), ..fault.clone() });
    if let Ok(value) = HeaderValue::from_str(&echoed) {
        response.headers_mut().insert("x-request-id", value.clone());
        response.headers_mut().insert("x-echo", value);
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
    fn chaos_hits_its_share_with_every_kind_and_repeats_with_its_seed() {
        let faults = Faults::default();
        faults.set_chaos(Chaos { rate: 0.1, seed: 7, delay_ms: 50 });
        let run = |faults: &Faults| (0..20_000).map(|_| faults.take("GET", "/zyra/api/v1/devices")).collect::<Vec<_>>();
        let first = run(&faults);
        let hits: Vec<&Fault> = first.iter().flatten().collect();
        assert!((1_700..2_300).contains(&hits.len()), "{} of 20 000 requests hit", hits.len());
        for (name, kind, status) in Chaos::FAULTS {
            let hit = |f: &&&Fault| {
                f.kind == kind && f.status == status && (f.retry_after.is_some() == (name == "429 with Retry-After"))
            };
            assert!(hits.iter().filter(hit).count() > 100, "{name}");
        }
        assert!(hits.iter().filter(|f| f.kind == FaultKind::Delay).all(|f| f.delay_ms == Some(50)));
        // A queued fault goes first; the same seed draws the same run again.
        faults.push(Fault::status(418));
        faults.set_chaos(Chaos { rate: 0.1, seed: 7, delay_ms: 50 });
        assert_eq!(faults.take("GET", "/x").unwrap().status, Some(418));
        faults.set_chaos(Chaos { rate: 0.1, seed: 7, delay_ms: 50 });
        assert_eq!(run(&faults), first);
        faults.clear();
        assert!(faults.take("GET", "/x").is_none() && faults.chaos().rate == 0.0);
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
