//! The pipeline every call goes through: prepare, pace, authorize, send (with a timeout), decode or
//! map the error, and retry. Generic over [`Transport`], [`Sleep`] and [`Clock`], so native and
//! wasm32 run this same code.

use std::fmt;
use std::future::IntoFuture;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures_util::future::{select, Either};
use http::header::{HeaderName, HeaderValue, AUTHORIZATION};
use serde_json::Value;

use crate::api::{ApiProfile, AuthScheme, BodyMeta, RateClass, RateLimit};
use crate::config::{CallOptions, ClientConfig, Credential};
use crate::error::{Error, ErrorKind, Result};
use crate::exec::rate_limit::{BudgetKey, RateLimiter};
use crate::exec::retry::{decide, Jitter, Next};
use crate::exec::Body;
use crate::exec::{BoxFuture, Clock, MaybeSend, Sleep, Transport, TransportError};
use crate::observe::{self, LogLevel, RequestInfo, ResponseInfo};
use crate::operation::{build_request, input_from_json, prepare_by_name, Operation, PrepareByName, Prepared};
use crate::payload::{payload_of, Payload, PayloadCall};
use crate::response::{error_from_response, request_id, Response, ResponseMeta};
use crate::secret::Secret;
use crate::session::Session;
use crate::validate;

/// Anything the pipeline can send: every [`Operation`], and [`RawRequest`](crate::RawRequest).
pub trait Callable: MaybeSend {
    /// What a success decodes into.
    type Output: MaybeSend;
    /// Builds the request (pure).
    fn prepare(&self, base_url: &str) -> Result<Prepared>;
    /// Decodes a success of `profile`'s API (pure), with what its body said about the answer.
    fn decode(profile: &ApiProfile, response: &http::Response<Bytes>) -> Result<(Self::Output, BodyMeta)>;
}

impl<O: Operation> Callable for O {
    type Output = O::Output;

    fn prepare(&self, base_url: &str) -> Result<Prepared> {
        build_request(self, base_url)
    }

    fn decode(profile: &ApiProfile, response: &http::Response<Bytes>) -> Result<(O::Output, BodyMeta)> {
        let (payload, meta) = payload_of(profile, response)?;
        Ok((payload.decode()?, meta))
    }
}

/// The error of a call by a name the API `api` has no operation for.
#[doc(hidden)]
pub fn unknown_operation(api: &str, operation: &str) -> Error {
    Error::invalid_input("operation", format!("unknown {api} operation '{operation}'"))
}

/// How a call reads its success: into its output, or as a [`Payload`].
type Decode<T> = fn(&ApiProfile, &http::Response<Bytes>) -> Result<(T, BodyMeta)>;

/// The platform pieces a client runs on.
pub(crate) struct Runtime {
    pub(crate) transport: Arc<dyn Transport>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) sleep: Arc<dyn Sleep>,
    /// Where the limiter keeps budgets shared with other processes, if anywhere.
    #[cfg(all(feature = "redis", not(target_arch = "wasm32")))]
    pub(crate) store: Option<crate::exec::rate_store::RateStore>,
}

impl Runtime {
    /// Fills what the builder left unset with the platform's defaults.
    pub(crate) fn resolve(
        transport: Option<Arc<dyn Transport>>,
        clock: Option<Arc<dyn Clock>>,
        sleep: Option<Arc<dyn Sleep>>,
        config: &ClientConfig,
    ) -> Result<Self> {
        let transport = match transport {
            Some(t) => t,
            None => crate::exec::default_transport(config)?,
        };
        let (default_clock, default_sleep) = crate::exec::default_time();
        #[cfg(all(feature = "redis", not(target_arch = "wasm32")))]
        let store = config.rate_limit_store.as_ref().map(crate::exec::rate_store::RateStore::open).transpose()?;
        #[cfg(not(all(feature = "redis", not(target_arch = "wasm32"))))]
        if config.rate_limit_store.is_some() {
            return Err(Error::invalid_input("rate_limit_store", "this build of zkit has no Redis support"));
        }
        Ok(Self {
            transport,
            clock: clock.or(default_clock).ok_or_else(|| Error::invalid_input("clock", "no default clock here"))?,
            sleep: sleep.or(default_sleep).ok_or_else(|| Error::invalid_input("sleep", "no default sleep here"))?,
            #[cfg(all(feature = "redis", not(target_arch = "wasm32")))]
            store,
        })
    }
}

/// The client every API type wraps: configuration, runtime, rate limiter. Cheap to clone; clones share
/// the connection pool and the limiter.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    profile: &'static ApiProfile,
    config: ClientConfig,
    /// A digest of the credential, naming the caller's budgets without showing the credential.
    caller: String,
    runtime: Runtime,
    limiter: Mutex<RateLimiter>,
    jitter: Mutex<Jitter>,
    session: Option<Session>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("api", &self.inner.profile.name)
            .field("base_url", &self.inner.config.base_url)
            .field("credential", &self.inner.config.credential)
            .finish_non_exhaustive()
    }
}

/// The error of a call whose slot under `limit` opens `wait` from now, after its deadline.
fn past_deadline(limit: RateLimit, wait: Duration) -> Error {
    Error::new(
        ErrorKind::RateLimited,
        format!("client-side limit of {} per {:?}: the next slot opens after the deadline", limit.requests, limit.per),
    )
    .with_retry_after(Some(wait))
}

enum Failure {
    Transport(TransportError),
    TimedOut(Duration),
}

impl Client {
    pub(crate) fn new(profile: &'static ApiProfile, config: ClientConfig, runtime: Runtime) -> Self {
        let seed = config.jitter_seed.unwrap_or_else(|| runtime.clock.unix_time().as_nanos() as u64);
        let session = match (&config.credential, profile.login) {
            (Credential::Login { email, password }, Some(flow)) => {
                Some(Session::new(flow, email.clone(), password.clone()))
            }
            _ => None,
        };
        Self {
            inner: Arc::new(Inner {
                profile,
                caller: config.credential.digest(),
                config,
                runtime,
                limiter: Mutex::new(RateLimiter::default()),
                jitter: Mutex::new(Jitter::new(seed)),
                session,
            }),
        }
    }

    /// The API this client speaks.
    pub fn profile(&self) -> &'static ApiProfile {
        self.inner.profile
    }

    /// The client's settings.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// Starts a call; set per-call options on the returned [`Call`], then `.await` it.
    pub fn call<R: Callable>(&self, request: R) -> Call<'_, R> {
        Call { client: self, request, options: CallOptions::default() }
    }

    /// Calls operation `O` with JSON input and returns its output as JSON, checked against the output
    /// type on the way (a body that is not JSON comes as [`Payload::into_json`] writes it).
    pub async fn call_json<O: Operation>(&self, input: Value, options: CallOptions) -> Result<Response<Value>> {
        let input: O = input_from_json(input)?;
        let response = self.call(PayloadCall(input)).options(options).send_with_meta().await?;
        let data = match response.data {
            json @ Payload::Json(_) => {
                serde_json::to_value(json.decode::<O::Output>()?).map_err(|e| Error::decode(e.to_string()))?
            }
            bytes => bytes.into_json()?,
        };
        Ok(Response { data, meta: response.meta })
    }

    /// Calls operation `O` with JSON input, and `content` (an upload's bytes) beside it, and returns
    /// the success as it arrived, for a host to parse once into its own values.
    pub async fn call_payload<O: Operation>(
        &self,
        input: Value,
        content: Option<Bytes>,
        options: CallOptions,
    ) -> Result<Response<Payload>> {
        self.call_by_name(O::SPEC.name, Some(prepare_by_name::<O>), input, content, options).await
    }

    /// The one pipeline every call by name goes through, whatever its operation: `prepare` (the
    /// operation's own step, `None` for a name the API lacks) builds the request; the rest is shared,
    /// so each operation adds only its input's reading and serializing, not a pipeline of its own.
    pub(crate) async fn call_by_name(
        &self,
        operation: &str,
        prepare: Option<PrepareByName>,
        input: Value,
        content: Option<Bytes>,
        options: CallOptions,
    ) -> Result<Response<Payload>> {
        let prepare = prepare.ok_or_else(|| unknown_operation(self.inner.profile.name, operation))?;
        let prepared = prepare(input, content, &self.inner.config.base_url)?;
        self.respond(prepared, &options, payload_of).await
    }

    /// Now, on the client's monotonic clock.
    pub(crate) fn now(&self) -> Duration {
        self.inner.runtime.clock.monotonic()
    }

    /// The client's timers, for work that waits beside its calls (a deploy's heartbeat, a waiter).
    pub(crate) fn sleep(&self) -> Arc<dyn Sleep> {
        self.inner.runtime.sleep.clone()
    }

    /// Runs a prepared request with the client's credential: its key, or the access token of its
    /// login (renewed once if the server refuses it with a 401).
    async fn execute(&self, prepared: Prepared, options: &CallOptions) -> Result<(http::Response<Bytes>, u32)> {
        let token = match (&self.inner.session, &self.inner.config.credential) {
            (Some(session), _) => session.token(self).await?,
            (None, Credential::ApiKey(key)) => key.clone(),
            (None, Credential::Login { .. }) => {
                return Err(Error::invalid_input("email", format!("{} has no login", self.inner.profile.name)))
            }
        };
        self.run(prepared, options, Some(token)).await
    }

    /// Runs a prepared request and decodes its success with `decode`, with the response's status,
    /// headers, request id and attempts.
    async fn respond<T>(&self, prepared: Prepared, options: &CallOptions, decode: Decode<T>) -> Result<Response<T>> {
        let (response, attempts) = self.execute(prepared, options).await?;
        let (data, body) = decode(self.inner.profile, &response)
            .map_err(|e| e.with_status(response.status().as_u16()).with_request_id(request_id(response.headers())))?;
        let meta = ResponseMeta {
            status: response.status().as_u16(),
            request_id: body.request_id.or_else(|| request_id(response.headers())),
            timestamp: body.timestamp,
            headers: response.headers().clone(),
            attempts,
        };
        Ok(Response { data, meta })
    }

    /// Sends a login or refresh request, which carries its own secret in its body (`secret`, shown
    /// as `shown` in errors); returns the data of its success body.
    pub(crate) fn send_unauthenticated<'a>(
        &'a self,
        prepared: Prepared,
        secret: &'a Secret,
        shown: &'a str,
    ) -> BoxFuture<'a, Result<Bytes>> {
        Box::pin(async move {
            let result = self.run(prepared, &CallOptions::default(), None).await;
            let (response, _) = result.map_err(|e| e.redact_as(secret, shown))?;
            Ok((self.inner.profile.success_body)(response.body())?.data)
        })
    }

    /// Runs a prepared request through pacing, auth, sending, redirects and retries, inside the
    /// call's `tracing` span; returns the successful response and the number of attempts. `token` is
    /// the credential to send, if any.
    async fn run(
        &self,
        prepared: Prepared,
        options: &CallOptions,
        token: Option<Secret>,
    ) -> Result<(http::Response<Bytes>, u32)> {
        use tracing::Instrument;
        // Looked up only when someone listens: it walks the operation table.
        let listening = self.inner.config.observers.listening(LogLevel::Debug);
        let template = if listening { self.template(prepared.operation, &prepared.request) } else { "" };
        let span = tracing::debug_span!(
            "zkit.call",
            api = self.inner.profile.name,
            operation = prepared.operation,
            method = %prepared.request.method(),
            path = template,
        );
        self.attempts(prepared, template, options, token).instrument(span).await
    }

    /// The path template an operation's request fills (a raw call's, when it reaches an operation),
    /// which logs show instead of the filled path.
    fn template(&self, operation: &'static str, request: &http::Request<Body>) -> &'static str {
        let specs = (self.inner.profile.operations)();
        let relative = self.relative_path(request.uri().path());
        specs
            .iter()
            .find(|spec| spec.name == operation || operation == "raw" && spec.matches(request.method(), relative))
            .map_or("(raw path)", |spec| spec.path)
    }

    async fn attempts(
        &self,
        prepared: Prepared,
        template: &'static str,
        options: &CallOptions,
        mut token: Option<Secret>,
    ) -> Result<(http::Response<Bytes>, u32)> {
        let Inner { profile, config, runtime, .. } = &*self.inner;
        let observers = &config.observers;
        let policy = options.retry(config);
        let deadline = options.deadline(config).map(|limit| runtime.clock.monotonic() + limit);
        let time_left = || deadline.map(|at| at.saturating_sub(runtime.clock.monotonic()));
        let replay_safe = prepared.idempotent || options.idempotency_key.is_some();
        let mut request = self.authorize(prepared.request, token.as_ref(), options)?;
        let no_secret = Secret::new("");
        let mut renewed = false;
        let (mut redirects, mut left_origin) = (0, false);

        let mut attempt = 0;
        loop {
            if options.rate_limit(config) {
                let (method, path) = (request.method(), request.uri().path());
                self.pace(prepared.operation, prepared.rate_class, method, path, time_left()).await?;
            }
            let limit = match (options.attempt_timeout(config), time_left()) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let secret = token.as_ref().unwrap_or(&no_secret);
            let seen = observers
                .listening(LogLevel::Debug)
                .then(|| self.request_info(prepared.operation, attempt + 1, &request));
            if let Some(info) = &seen {
                observers.on_request(info);
                self.log_request(info, template, &request);
            }
            let started = runtime.clock.monotonic();
            let outcome = self.send_once(clone_request(&request), limit).await;
            if let Some(info) = seen {
                self.report(info, template, &outcome, runtime.clock.monotonic().saturating_sub(started));
            }
            let (error, maybe_sent) = match outcome {
                Ok(response) if response.status().is_success() => return Ok((response, attempt + 1)),
                Ok(response) if crate::redirect::is_followed(response.status()) => {
                    match self.redirect(&request, &response, &mut redirects) {
                        Ok((next, left)) => {
                            observers.event(LogLevel::Info, || {
                                let fields = vec![
                                    ("status", response.status().as_u16().to_string()),
                                    ("to", config.credential.redact(&next.uri().to_string())),
                                ];
                                ("following a redirect".to_owned(), fields)
                            });
                            request = next;
                            left_origin |= left;
                            continue;
                        }
                        Err(error) => (error, true),
                    }
                }
                Ok(response) => {
                    let error = error_from_response(profile, &response, runtime.clock.unix_time(), secret);
                    if let (Some(session), Some(rejected), false) =
                        (&self.inner.session, &token, renewed || left_origin)
                    {
                        if error.kind() == ErrorKind::Unauthorized {
                            // Once per call: a second 401 is the caller's to see.
                            renewed = true;
                            let fresh = session.renew(self, rejected).await?;
                            request = self.authorize(request, Some(&fresh), options)?;
                            token = Some(fresh);
                            continue;
                        }
                    }
                    (error, true)
                }
                Err(Failure::Transport(e)) if e.file_changed => {
                    return Err(Error::invalid_input("file", secret.redact(&e.message)));
                }
                Err(Failure::Transport(e)) => {
                    (Error::new(ErrorKind::Connection, secret.redact(&e.message)), e.maybe_sent)
                }
                Err(Failure::TimedOut(after)) => {
                    let cut_by_deadline = time_left() == Some(Duration::ZERO);
                    let what = if cut_by_deadline { "the call's deadline ran out" } else { "the attempt timed out" };
                    (Error::new(ErrorKind::Timeout, format!("{}: {what} after {after:?}", prepared.operation)), true)
                }
            };
            let next = {
                let mut jitter = self.inner.jitter.lock().unwrap_or_else(|p| p.into_inner());
                decide(&policy, attempt, &error, replay_safe, maybe_sent, time_left(), &mut jitter)
            };
            match next {
                Next::GiveUp => {
                    observers.event(LogLevel::Warn, || {
                        let fields = vec![
                            ("kind", error.kind().to_string()),
                            ("status", shown_status(&error)),
                            ("attempts", (attempt + 1).to_string()),
                            ("request_id", error.request_id().unwrap_or("-").to_owned()),
                        ];
                        (format!("{} failed", prepared.operation), fields)
                    });
                    return Err(error);
                }
                Next::RetryAfter(wait) => {
                    observers.event(LogLevel::Info, || {
                        let fields = vec![
                            ("attempt", (attempt + 2).to_string()),
                            ("after", format!("{wait:?}")),
                            ("because", error.kind().to_string()),
                            ("status", shown_status(&error)),
                        ];
                        (format!("retrying {}", prepared.operation), fields)
                    });
                    if !wait.is_zero() {
                        runtime.sleep.sleep(wait).await;
                    }
                    attempt += 1;
                }
            }
        }
    }

    /// The request a redirect answer points to, counted against [`MAX_REDIRECTS`](crate::redirect::MAX_REDIRECTS).
    fn redirect(
        &self,
        request: &http::Request<Body>,
        response: &http::Response<Bytes>,
        redirects: &mut u32,
    ) -> Result<(http::Request<Body>, bool)> {
        let status = response.status();
        let location = response.headers().get(http::header::LOCATION);
        if *redirects >= crate::redirect::MAX_REDIRECTS {
            let to = location.and_then(|l| l.to_str().ok()).unwrap_or("-");
            let message =
                format!("({status}) stopped after {} redirects in a row; the last pointed to {to}", *redirects);
            return Err(Error::new(ErrorKind::Redirect, message).with_status(status.as_u16()));
        }
        *redirects += 1;
        let config = &self.inner.config;
        let mut sensitive: Vec<HeaderName> =
            config.context.iter().map(|(header, _)| HeaderName::from_static(header.header)).collect();
        if let AuthScheme::Header(name) = config.auth {
            sensitive.push(HeaderName::from_static(name));
        }
        crate::redirect::follow(request, status, location, &sensitive)
    }

    /// An attempt as hooks and logs see it, redacted.
    fn request_info(&self, operation: &'static str, attempt: u32, request: &http::Request<Body>) -> RequestInfo {
        let credential = &self.inner.config.credential;
        RequestInfo {
            api: self.inner.profile.name,
            operation,
            attempt,
            method: request.method().to_string(),
            url: credential.redact(&request.uri().to_string()),
            headers: observe::redacted_headers(request.headers(), credential),
        }
    }

    fn log_request(&self, info: &RequestInfo, template: &'static str, request: &http::Request<Body>) {
        let observers = &self.inner.config.observers;
        observers.event(LogLevel::Debug, || {
            let mut fields = vec![("attempt", info.attempt.to_string())];
            if observers.log_bodies {
                let body = match request.body() {
                    Body::Bytes(bytes) => observe::shown_body(bytes, &self.inner.config.credential),
                    Body::File(file) => format!("(file {}, {} bytes)", file.path.display(), file.len),
                };
                fields.push(("body", body));
            }
            (format!("{} {} {template} sending", info.operation, info.method), fields)
        });
    }

    /// Tells the hooks and the logs how an attempt ended.
    fn report(
        &self,
        request: RequestInfo,
        template: &'static str,
        outcome: &Result<http::Response<Bytes>, Failure>,
        duration: Duration,
    ) {
        let observers = &self.inner.config.observers;
        let credential = &self.inner.config.credential;
        let mut info =
            ResponseInfo { request, status: None, headers: Vec::new(), request_id: None, duration, error: None };
        match outcome {
            Ok(response) => {
                info.status = Some(response.status().as_u16());
                info.headers = observe::redacted_headers(response.headers(), credential);
                info.request_id = request_id(response.headers()).map(|id| credential.redact(&id));
            }
            Err(Failure::Transport(e)) => info.error = Some(credential.redact(&e.message)),
            Err(Failure::TimedOut(after)) => info.error = Some(format!("the attempt timed out after {after:?}")),
        }
        observers.event(LogLevel::Debug, || {
            let mut fields = vec![("attempt", info.request.attempt.to_string())];
            if let Some(status) = info.status {
                fields.push(("status", status.to_string()));
                fields.push(("request_id", info.request_id.clone().unwrap_or_else(|| "-".to_owned())));
            }
            if let Some(error) = &info.error {
                fields.push(("error", error.clone()));
            }
            fields.push(("duration_ms", format!("{:.1}", duration.as_secs_f64() * 1000.0)));
            if let (true, Ok(response)) = (observers.log_bodies, outcome) {
                fields.push(("body", observe::shown_body(response.body(), credential)));
            }
            (format!("{} {} {template} answered", info.request.operation, info.request.method), fields)
        });
        observers.on_response(&info);
    }

    /// Waits for a slot in the shared store; `None` when the store could not be reached, after a
    /// warning, so the caller paces in process instead and the call goes on.
    #[cfg(all(feature = "redis", not(target_arch = "wasm32")))]
    async fn pace_shared(
        &self,
        store: &crate::exec::rate_store::RateStore,
        limit: RateLimit,
        (bucket, per): &BudgetKey,
        time_left: Option<Duration>,
    ) -> Option<Result<()>> {
        let runtime = &self.inner.runtime;
        let key = format!("{}:{bucket}:{per}", self.inner.profile.name);
        let slot = match store.reserve(limit, &key, runtime.sleep.as_ref()).await {
            Ok(slot) => slot,
            Err(problem) => {
                tracing::warn!(api = self.inner.profile.name, %problem, "rate-limit store unreachable; pacing in this process");
                return None;
            }
        };
        let wait = crate::exec::rate_limit::caller_wait(limit, slot.wait);
        if time_left.is_some_and(|left| wait > left) {
            let _ = store.release(&key, slot, runtime.sleep.as_ref()).await;
            return Some(Err(past_deadline(limit, wait)));
        }
        if !wait.is_zero() {
            runtime.sleep.sleep(wait).await;
        }
        Some(Ok(()))
    }

    /// Adds the credential `token` (and idempotency key) as the API expects them.
    fn authorize(
        &self,
        mut request: http::Request<Body>,
        token: Option<&Secret>,
        options: &CallOptions,
    ) -> Result<http::Request<Body>> {
        let config = &self.inner.config;
        if let Some(token) = token {
            let key = token.expose();
            let uri = request.uri();
            let target = uri.path_and_query().map(|p| p.as_str()).unwrap_or_default();
            let encoded = crate::operation::encode_cow(key);
            if [uri.host().unwrap_or_default(), target]
                .iter()
                .any(|part| part.contains(key) || part.contains(&*encoded))
            {
                return Err(Error::invalid_input("path", "must not carry the API key; keys travel in headers only"));
            }
            let (name, value) = match config.auth {
                AuthScheme::Bearer => (AUTHORIZATION, format!("Bearer {key}")),
                AuthScheme::Header(name) => (HeaderName::from_static(name), key.to_owned()),
            };
            let mut value = HeaderValue::from_str(&value)
                .map_err(|_| Error::invalid_input("api_key", "is not a valid header value"))?;
            value.set_sensitive(true);
            request.headers_mut().insert(name, value);
        }
        for (header, value) in &config.context {
            let value = HeaderValue::from_str(value)
                .map_err(|_| Error::invalid_input(header.setting, "is not a valid header value"))?;
            request.headers_mut().insert(HeaderName::from_static(header.header), value);
        }
        if let Some(idempotency_key) = &options.idempotency_key {
            validate::header_value("idempotency_key", idempotency_key)?;
            let value = HeaderValue::from_str(idempotency_key)
                .map_err(|_| Error::invalid_input("idempotency_key", "is not a valid header value"))?;
            request.headers_mut().insert("idempotency-key", value);
        }
        Ok(request)
    }

    /// The path of a request to `path` under the base URL (the base URL's own path removed).
    fn relative_path<'p>(&self, path: &'p str) -> &'p str {
        let base_path = self.inner.config.base_url.splitn(4, '/').nth(3).unwrap_or_default();
        match base_path {
            "" => path,
            base => path.strip_prefix('/').and_then(|p| p.strip_prefix(base)).unwrap_or(path),
        }
    }

    /// The budget a request to `path` draws from under `limit`: the limit's bucket, the endpoint for
    /// per-endpoint limits (a raw call counts against the operation it reaches), and what the API
    /// counts its limits per (Zenifra's project).
    fn budget(&self, limit: RateLimit, operation: &'static str, method: &http::Method, path: &str) -> BudgetKey {
        let profile = self.inner.profile;
        let relative = self.relative_path(path);
        let mut per = String::new();
        if limit.per_endpoint {
            let endpoint = match operation {
                "raw" => {
                    (profile.operations)().iter().find(|spec| spec.matches(method, relative)).map(|spec| spec.name)
                }
                name => Some(name),
            };
            per = endpoint.map_or_else(|| format!("{method} {relative}"), str::to_owned);
        }
        // What the API counts per: its scope (Zenifra's project), else the caller, known by a digest of
        // the credential (budgets of several clients may meet in a shared store).
        per.push(' ');
        match (profile.rate_scope)(relative) {
            Some(scope) => per.push_str(scope),
            None => per.push_str(&self.inner.caller),
        }
        (limit.bucket, per)
    }

    /// Waits for a slot under the API's limit for `class`, in the budget a request of `operation`
    /// with `method` to `path` draws from, if the API has such a limit.
    async fn pace(
        &self,
        operation: &'static str,
        class: RateClass,
        method: &http::Method,
        path: &str,
        time_left: Option<Duration>,
    ) -> Result<()> {
        let Some(mut limit) = (self.inner.profile.rate_limit)(class) else { return Ok(()) };
        if let Some(&raised) = self.inner.config.rate_limits.get(limit.bucket) {
            limit.requests = raised;
        }
        let key = self.budget(limit, operation, method, path);
        #[cfg(all(feature = "redis", not(target_arch = "wasm32")))]
        if let Some(store) = &self.inner.runtime.store {
            if let Some(result) = self.pace_shared(store, limit, &key, time_left).await {
                return result;
            }
        }
        let runtime = &self.inner.runtime;
        let wait = {
            let mut limiter = self.inner.limiter.lock().unwrap_or_else(|p| p.into_inner());
            let (slot, wait) = limiter.reserve(limit, key.clone(), runtime.clock.monotonic());
            if time_left.is_some_and(|left| wait > left) {
                limiter.release(&key, slot);
                return Err(past_deadline(limit, wait));
            }
            wait
        };
        if !wait.is_zero() {
            self.inner.config.observers.event(LogLevel::Debug, || {
                let fields =
                    vec![("limit", format!("{} per {:?}", limit.requests, limit.per)), ("wait", format!("{wait:?}"))];
                (format!("{operation} waits for the rate limit"), fields)
            });
            runtime.sleep.sleep(wait).await;
        }
        Ok(())
    }

    async fn send_once(
        &self,
        request: http::Request<Body>,
        limit: Option<Duration>,
    ) -> Result<http::Response<Bytes>, Failure> {
        let runtime = &self.inner.runtime;
        let send = runtime.transport.send(request);
        match limit {
            None => send.await.map_err(Failure::Transport),
            Some(limit) => match select(send, runtime.sleep.timer(limit)).await {
                Either::Left((result, _)) => result.map_err(Failure::Transport),
                Either::Right(_) => Err(Failure::TimedOut(limit)),
            },
        }
    }
}

/// An error's status for a log record, or `-` when it had none.
fn shown_status(error: &Error) -> String {
    error.status().map_or_else(|| "-".to_owned(), |status| status.to_string())
}

fn clone_request(request: &http::Request<Body>) -> http::Request<Body> {
    let mut copy = http::Request::new(request.body().clone());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.headers_mut() = request.headers().clone();
    copy
}

/// One call in the making: set per-call options, then `.await` it for the output, or call
/// [`Call::send_with_meta`] for the status, headers and request id too.
#[must_use = "a call does nothing until it is awaited"]
pub struct Call<'a, R> {
    client: &'a Client,
    request: R,
    options: CallOptions,
}

impl<'a, R: Callable + 'a> Call<'a, R> {
    /// Replaces all per-call options.
    pub fn options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// Retries after the first attempt, for this call.
    pub fn max_retries(mut self, n: u32) -> Self {
        self.options.max_retries = Some(n);
        self
    }

    /// The per-attempt limit for this call; `None` removes it.
    pub fn timeout(mut self, limit: Option<Duration>) -> Self {
        self.options.attempt_timeout = Some(limit);
        self
    }

    /// The whole-call limit for this call; `None` removes it.
    pub fn deadline(mut self, limit: Option<Duration>) -> Self {
        self.options.deadline = Some(limit);
        self
    }

    /// Sends `Idempotency-Key`, which makes retrying a non-idempotent operation safe.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.options.idempotency_key = Some(key.into());
        self
    }

    /// Turns the client-side rate limiter on or off for this call.
    pub fn rate_limit(mut self, on: bool) -> Self {
        self.options.rate_limit = Some(on);
        self
    }

    /// Sends the call; returns the output with the response's status, headers and request id.
    pub async fn send_with_meta(self) -> Result<Response<R::Output>> {
        let prepared = self.request.prepare(&self.client.inner.config.base_url)?;
        self.client.respond(prepared, &self.options, R::decode).await
    }

    /// Sends the call; returns the output.
    pub async fn send(self) -> Result<R::Output> {
        self.send_with_meta().await.map(|response| response.data)
    }
}

impl<'a, R: Callable + 'a> IntoFuture for Call<'a, R> {
    type Output = Result<R::Output>;
    type IntoFuture = BoxFuture<'a, Result<R::Output>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
