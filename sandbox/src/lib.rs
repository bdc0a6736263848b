//! zkit-sandbox: a local, stateful emulator of the Zenifra, Zyra, Zenovay and Zerokie APIs, on one
//! port, for tests in every language and for offline development.
//!
//! Each API lives under its own prefix (`/zerokie/v1`, `/zenifra/v1`, `/zyra/api/v1`,
//! `/zenovay/api/external/v1`) and in its own module; the frame around them (accept loop, CORS,
//! request ids, journal, injected faults, clock) is shared. Zyra answers everything, errors and
//! unknown routes included, in its envelope `{"success", "data" | "error", "meta"}`, whose
//! `request_id` is the frame's `x-request-id`.
//!
//! A control API under `/__sandbox/` resets state, moves the clock, returns the journal and injects
//! faults, and shows the password reset mails Zyra sent (`/__sandbox/zyra/outbox`); [`Sandbox`]
//! offers the same from Rust.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use zkit_sandbox::{credentials, Fault, Sandbox};
//!
//! let sandbox = Sandbox::start().await?;
//! let base_url = sandbox.base_url("zerokie"); // point a client here, with credentials::ZEROKIE_API_KEY
//! sandbox.inject(Fault::status(503).with_retry_after("1"));
//! // … run the client …
//! assert!(sandbox.journal().iter().any(|entry| entry.status == Some(503)));
//! sandbox.shutdown().await;
//! # let _ = (base_url, credentials::ZEROKIE_API_KEY); Ok(()) }
//! ```

#![deny(missing_docs)]

mod body;
mod checks;
mod clock;
mod control;
mod cors;
pub mod credentials;
mod faults;
mod journal;
mod rate;
pub mod serve;
mod server;
mod tls;
mod zenifra;
mod zenovay;
mod zerokie;
mod zyra;

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use axum::{Json, Router};
use http::{StatusCode, Uri};

pub use faults::{Chaos, Fault, FaultKind};
pub use journal::JournalEntry;
pub use rate::WindowKind;

/// An API the sandbox answers for: its name, where it lives, and its sandbox credentials if it is
/// emulated.
pub(crate) struct ApiInfo {
    /// The API's name, also the first segment of its paths.
    pub(crate) name: &'static str,
    /// The path of its base URL: the same shape as the API's documented base URL.
    pub(crate) base_path: &'static str,
    /// The key the emulation accepts by default; `None` while the API is not emulated.
    pub(crate) api_key: Option<&'static str>,
    /// Every well-known credential and value of the API, by name, for `GET /__sandbox/`.
    pub(crate) credentials: &'static [(&'static str, &'static str)],
}

/// Every API, in the order the sandbox lists them.
pub(crate) const APIS: &[ApiInfo] = &[
    // Zerokie's documented base URL has no /v1: its paths start with /v1.
    ApiInfo {
        name: "zerokie",
        base_path: "/zerokie",
        api_key: Some(credentials::ZEROKIE_API_KEY),
        credentials: &[("api_key", credentials::ZEROKIE_API_KEY)],
    },
    ApiInfo {
        name: "zenifra",
        base_path: "/zenifra/v1",
        api_key: Some(credentials::ZENIFRA_ORG_KEY),
        credentials: &[
            ("organization_key", credentials::ZENIFRA_ORG_KEY),
            ("read_only_key", credentials::ZENIFRA_READ_ONLY_KEY),
            ("allowlisted_key", credentials::ZENIFRA_ALLOWLISTED_KEY),
            ("project_key", credentials::ZENIFRA_PROJECT_KEY),
            ("worker_project_key", credentials::ZENIFRA_WORKER_PROJECT_KEY),
            ("organization_id", credentials::ZENIFRA_ORGANIZATION_ID),
            ("web_project_id", credentials::ZENIFRA_WEB_PROJECT_ID),
            ("worker_project_id", credentials::ZENIFRA_WORKER_PROJECT_ID),
        ],
    },
    ApiInfo {
        name: "zyra",
        base_path: zyra::BASE_PATH,
        api_key: Some(credentials::ZYRA_ADMIN_KEY),
        credentials: &[
            ("admin_key", credentials::ZYRA_ADMIN_KEY),
            ("member_key", credentials::ZYRA_MEMBER_KEY),
            ("ops_key", credentials::ZYRA_OPS_KEY),
            ("admin_email", credentials::ZYRA_ADMIN_EMAIL),
            ("admin_password", credentials::ZYRA_ADMIN_PASSWORD),
            ("member_email", credentials::ZYRA_MEMBER_EMAIL),
            ("member_password", credentials::ZYRA_MEMBER_PASSWORD),
            ("ops_email", credentials::ZYRA_OPS_EMAIL),
            ("ops_password", credentials::ZYRA_OPS_PASSWORD),
            ("organization_id", credentials::ZYRA_ORGANIZATION_ID),
        ],
    },
    ApiInfo {
        name: "zenovay",
        base_path: "/zenovay/api/external/v1",
        api_key: Some(credentials::ZENOVAY_API_KEY),
        credentials: &[
            ("personal_token", credentials::ZENOVAY_API_KEY),
            ("read_token", credentials::ZENOVAY_READ_TOKEN),
            ("write_token", credentials::ZENOVAY_WRITE_TOKEN),
            ("admin_token", credentials::ZENOVAY_ADMIN_TOKEN),
            ("workspace_key", credentials::ZENOVAY_WORKSPACE_KEY),
            ("site_key", credentials::ZENOVAY_SITE_KEY),
        ],
    },
];

/// The key the sandbox accepts by default for `api` (`zerokie`, `zenifra`, `zyra`, `zenovay`), if it
/// is emulated: the one `GET /__sandbox/` lists as its `api_key`.
pub fn default_key(api: &str) -> Option<&'static str> {
    APIS.iter().find(|info| info.name == api).and_then(|info| info.api_key)
}

/// The control API's prefix.
pub(crate) const CONTROL_PREFIX: &str = "/__sandbox";

/// What a request path addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// The control API: no faults, no journal.
    Control,
    /// One of the APIs, by name.
    Api(&'static str),
    /// Nothing the sandbox knows.
    Unknown,
}

impl Target {
    /// Classifies a path by its first segment.
    pub(crate) fn of(path: &str) -> Self {
        let first = path.trim_start_matches('/').split('/').next().unwrap_or_default();
        if first == &CONTROL_PREFIX[1..] {
            return Self::Control;
        }
        APIS.iter().find(|api| api.name == first).map_or(Self::Unknown, |api| Self::Api(api.name))
    }
}

/// The SHA-256 of `bytes`, in lowercase hex (how Zyra's keys and passwords are stored, and how a
/// stored Zerokie file is described to the control API).
pub(crate) fn sha256_hex(bytes: impl AsRef<[u8]>) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Locks `mutex`, carrying on if a thread panicked while holding it: the state stays usable.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Everything the frame and the emulations share.
pub(crate) struct Shared {
    /// `http://127.0.0.1:PORT`.
    pub(crate) url: String,
    /// The sandbox clock.
    pub(crate) clock: clock::Clock,
    /// The request journal.
    pub(crate) journal: journal::Journal,
    /// Faults still to inject.
    pub(crate) faults: faults::Faults,
    /// Zerokie's state.
    pub(crate) zerokie: Mutex<zerokie::Store>,
    /// Zenifra's state.
    pub(crate) zenifra: Mutex<zenifra::Store>,
    /// Zenovay's state.
    pub(crate) zenovay: Mutex<zenovay::Store>,
    /// Zyra's state.
    pub(crate) zyra: Mutex<zyra::Store>,
    request_ids: AtomicU64,
}

impl Shared {
    fn new(url: String) -> Self {
        Self {
            url,
            clock: clock::Clock::default(),
            journal: journal::Journal::default(),
            faults: faults::Faults::default(),
            zerokie: Mutex::new(zerokie::Store::default()),
            zenifra: Mutex::new(zenifra::Store::default()),
            zenovay: Mutex::new(zenovay::Store::default()),
            zyra: Mutex::new(zyra::Store::default()),
            request_ids: AtomicU64::new(0),
        }
    }

    /// The next request id, `req_1`, `req_2`, … (never reset, so ids stay unique per process).
    pub(crate) fn next_request_id(&self) -> String {
        format!("req_{}", self.request_ids.fetch_add(1, Ordering::Relaxed) + 1)
    }

    /// The base URL of `api`.
    pub(crate) fn base_url(&self, api: &str) -> String {
        match APIS.iter().find(|info| info.name == api) {
            Some(info) => format!("{}{}", self.url, info.base_path),
            None => format!("{}/{api}", self.url),
        }
    }

    /// How every emulated rate limit counts its windows from now on (until a reset).
    pub(crate) fn set_rate_window(&self, kind: WindowKind) {
        lock(&self.zenifra).rate.kind = kind;
        lock(&self.zenovay).rate.kind = kind;
        lock(&self.zyra).rate.kind = kind;
    }

    /// How the emulated rate limits count their windows.
    pub(crate) fn rate_window(&self) -> WindowKind {
        lock(&self.zyra).rate.kind
    }

    /// Forgets all state, the journal, the faults and the clock offset.
    pub(crate) fn reset(&self) {
        *lock(&self.zerokie) = zerokie::Store::default();
        *lock(&self.zenifra) = zenifra::Store::default();
        *lock(&self.zenovay) = zenovay::Store::default();
        *lock(&self.zyra) = zyra::Store::default();
        self.journal.clear();
        self.faults.clear();
        self.clock.reset();
    }
}

/// An error answer: `status` with `{"error": message}` (Zerokie's shape), or with a code
/// `{"error": {"code": code, "message": message}}` (Zenifra's and Zenovay's), and any headers it needs
/// (`Retry-After`, `WWW-Authenticate`).
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    message: String,
    code: Option<&'static str>,
    /// Boxed, so that the `Err` of every handler stays small.
    details: Option<Box<serde_json::Value>>,
    headers: Vec<(http::HeaderName, http::HeaderValue)>,
}

/// What an [`ApiError`] said, kept in the extensions of its response so that an API answering in
/// an envelope (Zyra) can say it again in its own shape.
#[derive(Clone, Debug)]
pub(crate) struct ErrorReport {
    /// The API's error code, if the error has one.
    pub(crate) code: Option<&'static str>,
    /// The message.
    pub(crate) message: String,
    /// Structured details, such as `{"field": "name"}` for a refused body field.
    pub(crate) details: Option<serde_json::Value>,
}

impl ApiError {
    /// An error with `status` and `message`.
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self { status, message: message.into(), code: None, details: None, headers: Vec::new() }
    }

    /// An error with `status`, the API's `code` and `message`.
    pub(crate) fn coded(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { code: Some(code), ..Self::new(status, message) }
    }

    /// The same error, with its code replaced (a shared check's refusal answered in an API's shape).
    pub(crate) fn with_code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }

    /// The same error, with structured details (only APIs with an envelope answer them).
    pub(crate) fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(Box::new(details));
        self
    }

    /// The same error, with a header.
    pub(crate) fn with_header(mut self, name: http::HeaderName, value: impl std::fmt::Display) -> Self {
        if let Ok(value) = http::HeaderValue::from_str(&value.to_string()) {
            self.headers.push((name, value));
        }
        self
    }

    /// Marks an answer to a method and path that no route serves (see [`UNROUTED_HEADER`]).
    pub(crate) fn unrouted(self) -> Self {
        self.with_header(http::HeaderName::from_static(UNROUTED_HEADER), "true")
    }

    /// 400 with `message`.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = match self.code {
            Some(code) => serde_json::json!({ "error": { "code": code, "message": self.message } }),
            None => serde_json::json!({ "error": self.message }),
        };
        let mut response = (self.status, Json(body)).into_response();
        response.headers_mut().extend(self.headers);
        response.extensions_mut().insert(ErrorReport {
            code: self.code,
            message: self.message,
            details: self.details.map(|details| *details),
        });
        response
    }
}

/// The key a request presents: the value of `x-api-key`, else the token of `Authorization: Bearer`.
pub(crate) fn presented_key(headers: &http::HeaderMap) -> Option<&str> {
    let text = |name: http::header::HeaderName| headers.get(name).and_then(|value| value.to_str().ok());
    if let Some(key) = text(http::HeaderName::from_static("x-api-key")) {
        return Some(key.trim());
    }
    let (scheme, token) = text(http::header::AUTHORIZATION)?.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The id the frame gives a request and answers as `x-request-id`, put in its extensions for the
/// APIs whose bodies carry it too (Zyra's envelope).
#[derive(Clone, Debug)]
pub(crate) struct RequestId(pub(crate) String);

/// The address a request came from, put in its extensions by the frame (for IP allowlists).
#[derive(Clone, Copy, Debug)]
pub(crate) struct PeerIp(pub(crate) std::net::IpAddr);

/// The router of every API and the control API, with the 404 and 405 answers.
fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .merge(control::router())
        .merge(zerokie::router())
        .merge(zenifra::router())
        .merge(zenovay::router())
        .merge(zyra::control_router())
        .merge(zerokie::control_router())
        .nest(zyra::BASE_PATH, zyra::router(shared.clone()))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        // The frame has read the body already, within its own limit.
        .layer(DefaultBodyLimit::disable())
        .with_state(shared)
}

/// 404: an unknown route, or an API that is not emulated yet.
async fn not_found(uri: Uri) -> ApiError {
    let error = match Target::of(uri.path()) {
        Target::Api(name) if APIS.iter().any(|api| api.name == name && api.api_key.is_none()) => {
            ApiError::new(StatusCode::NOT_FOUND, format!("{name} is not emulated by this sandbox yet"))
        }
        _ => ApiError::new(StatusCode::NOT_FOUND, "not found"),
    };
    error.unrouted()
}

/// 405: a known route with another method.
async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method not allowed").unrouted()
}

/// A router serving `routes`.
fn route_all<P: AsRef<str>>(routes: Vec<(P, MethodRouter<Arc<Shared>>)>) -> Router<Arc<Shared>> {
    routes.into_iter().fold(Router::new(), |router, (path, methods)| router.route(path.as_ref(), methods))
}

/// The header the sandbox adds to the 404 and 405 it answers for a method and path that no route
/// serves, so a suite can tell them from a route's own 404 (an unknown app, say).
pub const UNROUTED_HEADER: &str = "x-sandbox-unrouted";

/// Every path template the sandbox serves for the four APIs (axum's syntax: `{name}`, `{*path}`),
/// full paths from the root; the control API is not among them. Which methods each takes is told by
/// asking: a method no route serves is answered with [`UNROUTED_HEADER`].
pub fn api_routes() -> Vec<String> {
    let mut paths: Vec<String> = zerokie::routes().into_iter().map(|(path, _)| path).collect();
    paths.extend(zenifra::routes().into_iter().map(|(path, _)| path));
    paths.extend(zenovay::routes().into_iter().map(|(path, _)| path));
    paths.extend(zyra::routes().into_iter().map(|(path, _)| format!("{}{path}", zyra::BASE_PATH)));
    paths
}

/// A running sandbox: a server on one port emulating every API, with its state, journal, fault
/// queue and clock. Dropping it stops the server; [`Sandbox::shutdown`] also waits for it.
pub struct Sandbox {
    shared: Arc<Shared>,
    addr: SocketAddr,
    server: server::Running,
    ca_pem: Option<String>,
}

impl Sandbox {
    /// Starts a sandbox on `127.0.0.1` and a free port, served by a task of the current tokio runtime.
    pub async fn start() -> std::io::Result<Sandbox> {
        Self::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await
    }

    /// Starts a sandbox on `addr` (port 0 picks a free one), served by a task of the current tokio
    /// runtime.
    pub async fn bind(addr: SocketAddr) -> std::io::Result<Sandbox> {
        Self::serve(addr, None).await
    }

    /// Starts a sandbox that speaks HTTPS on `addr`, with a certificate signed by an authority made
    /// now; [`Sandbox::ca_pem`] gives the authority's certificate, which a client must be told to
    /// trust.
    pub async fn bind_tls(addr: SocketAddr) -> std::io::Result<Sandbox> {
        Self::serve(addr, Some(tls::Tls::generate()?)).await
    }

    async fn serve(addr: SocketAddr, tls: Option<tls::Tls>) -> std::io::Result<Sandbox> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let url = match &tls {
            None => url_of(addr),
            Some(_) => url_of(addr).replacen("http://", "https://", 1),
        };
        let shared = Arc::new(Shared::new(url));
        let ca_pem = tls.as_ref().map(|tls| tls.ca_pem.clone());
        let server = server::spawn(listener, shared.clone(), router(shared.clone()), tls.map(|tls| tls.acceptor));
        Ok(Sandbox { shared, addr, server, ca_pem })
    }

    /// The PEM certificate of the authority that signed an HTTPS sandbox's certificate; `None` for
    /// plain HTTP.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// The address the sandbox listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The sandbox's root URL, such as `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        self.shared.url.clone()
    }

    /// The base URL of an API in the sandbox, the same shape as its documented base URL:
    /// `zerokie` → `…/zerokie`, `zenifra` → `…/zenifra/v1`, `zyra` → `…/zyra/api/v1`,
    /// `zenovay` → `…/zenovay/api/external/v1`. Any other name gives `…/<name>`.
    pub fn base_url(&self, api: &str) -> String {
        self.shared.base_url(api)
    }

    /// Forgets all state of every API, the journal, the queued faults and the clock offset.
    pub fn reset(&self) {
        self.shared.reset();
    }

    /// Moves the sandbox clock forward by `by`: expiries and statuses follow at once.
    pub fn advance_clock(&self, by: Duration) {
        self.shared.clock.advance(by);
    }

    /// A handle on the sandbox clock that outlives this borrow, for a test's sleep that moves the
    /// sandbox's time with its own.
    pub fn clock(&self) -> SandboxClock {
        SandboxClock { shared: self.shared.clone() }
    }

    /// Counts every emulated rate limit in windows of `kind` from now on (fixed by default, and
    /// again after a reset).
    pub fn set_rate_window(&self, kind: WindowKind) {
        self.shared.set_rate_window(kind);
    }

    /// Every API request received since the start or the last reset, oldest first (at most the
    /// last 10 000).
    pub fn journal(&self) -> Vec<JournalEntry> {
        self.shared.journal.entries()
    }

    /// Forgets the requests journaled so far.
    pub fn clear_journal(&self) {
        self.shared.journal.clear();
    }

    /// A Zerokie static app's recorded deployments and current deploy lock, as
    /// `GET /__sandbox/zerokie/apps/:name/deploys` answers them; `None` for an unknown app.
    pub fn zerokie_deploys(&self, app: &str) -> Option<serde_json::Value> {
        zerokie::deploys_of(&self.shared, app).ok()
    }

    /// Queues `fault` for the next matching API request(s).
    pub fn inject(&self, fault: Fault) {
        self.shared.faults.push(fault);
    }

    /// Starts a chaos run (a share of the API requests meets a random fault), or ends it with a
    /// rate of 0.
    pub fn set_chaos(&self, chaos: Chaos) {
        self.shared.faults.set_chaos(chaos);
    }

    /// Drops the faults still queued and ends a chaos run.
    pub fn clear_faults(&self) {
        self.shared.faults.clear();
    }

    /// Stops accepting connections, lets requests in flight finish (for up to 5 seconds), and
    /// returns when the server has stopped.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

/// The clock of a running sandbox, from [`Sandbox::clock`].
#[derive(Clone)]
pub struct SandboxClock {
    shared: Arc<Shared>,
}

impl SandboxClock {
    /// Moves the sandbox clock forward by `by`, as [`Sandbox::advance_clock`] does.
    pub fn advance(&self, by: Duration) {
        self.shared.clock.advance(by);
    }
}

impl fmt::Debug for SandboxClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxClock").field("offset", &self.shared.clock.offset()).finish()
    }
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox").field("url", &self.shared.url).finish_non_exhaustive()
    }
}

/// The URL clients use for `addr`: an unspecified address (`0.0.0.0`, `::`) is reached through
/// the loopback of its family.
fn url_of(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        ip if !ip.is_unspecified() => ip,
        std::net::IpAddr::V4(_) => Ipv4Addr::LOCALHOST.into(),
        std::net::IpAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_classified_by_their_first_segment() {
        assert_eq!(Target::of("/__sandbox/reset"), Target::Control);
        assert_eq!(Target::of("/__sandbox"), Target::Control);
        assert_eq!(Target::of("/zerokie/v1/apps"), Target::Api("zerokie"));
        assert_eq!(Target::of("/zyra/api/v1/devices"), Target::Api("zyra"));
        assert_eq!(Target::of("/zerokiex/v1"), Target::Unknown);
        assert_eq!(Target::of("/"), Target::Unknown);
    }

    #[test]
    fn urls() {
        assert_eq!(url_of("127.0.0.1:80".parse().unwrap()), "http://127.0.0.1:80");
        assert_eq!(url_of("0.0.0.0:80".parse().unwrap()), "http://127.0.0.1:80");
        assert_eq!(url_of("[::]:80".parse().unwrap()), "http://[::1]:80");
        let shared = Shared::new("http://127.0.0.1:9".into());
        assert_eq!(shared.base_url("zerokie"), "http://127.0.0.1:9/zerokie");
        assert_eq!(shared.base_url("zenifra"), "http://127.0.0.1:9/zenifra/v1");
        assert_eq!(shared.base_url("zyra"), "http://127.0.0.1:9/zyra/api/v1");
        assert_eq!(shared.base_url("zenovay"), "http://127.0.0.1:9/zenovay/api/external/v1");
        assert_eq!(shared.next_request_id(), "req_1");
        assert_eq!(shared.next_request_id(), "req_2");
    }
}

/// The crate README's examples, compiled as doctests so the page crates.io shows stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
