//! Settings: per client, overridable per call.

use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use crate::api::{Api, ApiProfile, AuthScheme, ContextHeader};
use crate::client::{Client, Runtime};
use crate::error::{Error, Result};
use crate::exec::{Clock, Sleep, Transport};
use crate::observe::{Hooks, LogLevel, LogSink, Observers};
use crate::secret::Secret;
use crate::validate;

/// How failed attempts are retried.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (default 2, so 3 attempts).
    pub max_retries: u32,
    /// The first backoff (default 0.5 s); it doubles each retry.
    pub initial_backoff: Duration,
    /// The longest backoff (default 8 s).
    pub max_backoff: Duration,
    /// The longest `Retry-After` honoured (default 60 s); a longer one ends the call with a
    /// rate-limited error that carries it.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 2,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

/// Time limits. `None` means no limit, which is only ever set on purpose.
#[derive(Clone, Debug, PartialEq)]
pub struct Timeouts {
    /// Establishing a connection (default 5 s; native transports only).
    pub connect: Option<Duration>,
    /// One attempt, from sending to the whole response (default 60 s).
    pub attempt: Option<Duration>,
    /// The whole call, with its retries and waits (default 180 s).
    pub deadline: Option<Duration>,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Some(Duration::from_secs(5)),
            attempt: Some(Duration::from_secs(60)),
            deadline: Some(Duration::from_secs(180)),
        }
    }
}

/// What a client authenticates with. Its `Debug` shows a key's preview and nothing of a password.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    /// An API key, sent on every call.
    ApiKey(Secret),
    /// An email and password the client logs in with, for APIs with a login flow: it sends the
    /// access token it gets, and refreshes it by itself.
    Login {
        /// The account's email.
        email: String,
        /// Its password.
        password: Secret,
    },
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::ApiKey(key) => f.debug_tuple("ApiKey").field(key).finish(),
            Self::Login { email, .. } => f.debug_struct("Login").field("email", email).field("password", &"…").finish(),
        }
    }
}

impl Credential {
    /// A digest of the key, or of the email, naming the caller where the credential must not show.
    pub fn digest(&self) -> String {
        use sha2::{Digest, Sha256};
        let text = match self {
            Self::ApiKey(key) => key.expose(),
            Self::Login { email, .. } => email.as_str(),
        };
        Sha256::digest(text.as_bytes()).iter().take(8).map(|byte| format!("{byte:02x}")).collect()
    }

    /// What is safe to show: a preview of the key, or the email.
    pub fn preview(&self) -> String {
        match self {
            Self::ApiKey(key) => key.preview(),
            Self::Login { email, .. } => email.clone(),
        }
    }

    /// `text` with the key replaced by its preview, or the password by `…`.
    pub fn redact(&self, text: &str) -> String {
        match self {
            Self::ApiKey(key) => key.redact(text),
            Self::Login { password, .. } if password.expose().len() >= 4 => text.replace(password.expose(), "…"),
            Self::Login { .. } => text.to_owned(),
        }
    }
}

/// A proxy's URL, such as `http://user:password@proxy.internal:3128`. It prints without its password.
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyUrl(Secret);

impl ProxyUrl {
    /// The URL itself, for the transport.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }

    /// The URL with the password of its user info, if any, shown as `…`.
    pub fn shown(&self) -> String {
        let url = self.0.expose();
        let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
        let authority_end = rest.find('/').unwrap_or(rest.len());
        match rest[..authority_end].rsplit_once('@') {
            Some((user_info, host)) => {
                let user = user_info.split_once(':').map_or(user_info, |(user, _)| user);
                format!("{scheme}://{user}:…@{host}{}", &rest[authority_end..])
            }
            None => url.to_owned(),
        }
    }
}

impl std::fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ProxyUrl({})", self.shown())
    }
}

impl std::fmt::Display for ProxyUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown())
    }
}

/// Extra trust roots, for a corporate proxy that inspects TLS: trusted beside the platform's own,
/// never instead of verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaBundle {
    /// A PEM file of one or more certificates.
    Path(std::path::PathBuf),
    /// PEM text of one or more certificates.
    Pem(Vec<u8>),
}

impl CaBundle {
    /// The PEM text, read from its file if it names one; an error naming `ca_bundle` when it cannot
    /// be read or holds no certificate.
    pub fn pem(&self) -> Result<Vec<u8>> {
        let pem = match self {
            Self::Path(path) => std::fs::read(path)
                .map_err(|e| Error::invalid_input("ca_bundle", format!("cannot read {}: {e}", path.display())))?,
            Self::Pem(pem) => pem.clone(),
        };
        if !String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----") {
            return Err(Error::invalid_input("ca_bundle", "holds no PEM certificate (-----BEGIN CERTIFICATE-----)"));
        }
        Ok(pem)
    }
}

/// A client's settings.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// Where the API lives, without a trailing slash.
    pub base_url: String,
    /// The API key, or the email and password the client logs in with.
    pub credential: Credential,
    /// Retries.
    pub retry: RetryPolicy,
    /// Time limits.
    pub timeouts: Timeouts,
    /// Whether the client-side limiter paces calls to the documented limits (default on).
    pub rate_limit: bool,
    /// A Redis server (`redis://host:port/db`) where the limiter keeps its budgets, shared by every
    /// process that names it (the `redis` feature, native builds); in process when `None`.
    pub rate_limit_store: Option<Secret>,
    /// Raised (or lowered) limits by bucket name, such as `"read"` for Zyra or `"project"` for
    /// Zenifra: requests per the documented window, in place of the documented figure.
    pub rate_limits: BTreeMap<String, u32>,
    /// Seed for backoff jitter; fixed for reproducible tests, drawn from the clock otherwise.
    pub jitter_seed: Option<u64>,
    /// The User-Agent of the native transport (`zkit-rust/<version>` unless a binding names itself).
    pub user_agent: String,
    /// How the key is sent: the API's choice for the key unless the caller picked another.
    pub auth: AuthScheme,
    /// The API's context headers that are set (such as `x-organization-id`), sent on every call.
    pub context: Vec<(&'static ContextHeader, String)>,
    /// The proxy every request goes through (native transport); else `HTTPS_PROXY`, `HTTP_PROXY` and
    /// `NO_PROXY` decide.
    pub proxy: Option<ProxyUrl>,
    /// Trust roots beside the platform's (native transport).
    pub ca_bundle: Option<CaBundle>,
    /// Hooks and the log sink.
    pub observers: Observers,
}

impl ClientConfig {
    /// The value of a context setting, such as Zenifra's `organization_id`.
    pub fn context(&self, setting: &str) -> Option<&str> {
        self.context.iter().find(|(header, _)| header.setting == setting).map(|(_, value)| value.as_str())
    }
}

/// Overrides for one call. Unset fields keep the client's settings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CallOptions {
    /// Retries after the first attempt.
    pub max_retries: Option<u32>,
    /// Per-attempt limit; `Some(None)` removes it.
    pub attempt_timeout: Option<Option<Duration>>,
    /// Whole-call limit; `Some(None)` removes it.
    pub deadline: Option<Option<Duration>>,
    /// Sent as `Idempotency-Key`; makes a retry of a non-idempotent operation safe.
    pub idempotency_key: Option<String>,
    /// Whether the client-side limiter applies.
    pub rate_limit: Option<bool>,
}

impl CallOptions {
    pub(crate) fn retry(&self, config: &ClientConfig) -> RetryPolicy {
        let mut policy = config.retry.clone();
        if let Some(n) = self.max_retries {
            policy.max_retries = n;
        }
        policy
    }

    pub(crate) fn attempt_timeout(&self, config: &ClientConfig) -> Option<Duration> {
        self.attempt_timeout.unwrap_or(config.timeouts.attempt)
    }

    pub(crate) fn deadline(&self, config: &ClientConfig) -> Option<Duration> {
        self.deadline.unwrap_or(config.timeouts.deadline)
    }

    pub(crate) fn rate_limit(&self, config: &ClientConfig) -> bool {
        self.rate_limit.unwrap_or(config.rate_limit)
    }
}

/// Which of the settings that zkit's own variables also set were given by the caller.
#[derive(Clone, Copy, Debug, Default)]
struct Given {
    max_retries: bool,
    timeout: bool,
    log: bool,
    log_bodies: bool,
}

/// Builds an API client. Start from `Zerokie::builder()` (or any API's), or `from_env()`.
pub struct ClientBuilder<A> {
    api_key: Option<Secret>,
    email: Option<String>,
    password: Option<Secret>,
    base_url: Option<String>,
    retry: RetryPolicy,
    timeouts: Timeouts,
    rate_limit: bool,
    rate_limits: BTreeMap<String, u32>,
    rate_limit_store: Option<Secret>,
    jitter_seed: Option<u64>,
    user_agent: String,
    auth_header: Option<String>,
    settings: Vec<(String, String)>,
    proxy: Option<ProxyUrl>,
    ca_bundle: Option<CaBundle>,
    observers: Observers,
    /// The settings given by the caller, which the environment does not override.
    given: Given,
    /// A variable of the environment that could not be read, reported by `build`.
    env_problem: Option<Error>,
    transport: Option<Arc<dyn Transport>>,
    clock: Option<Arc<dyn Clock>>,
    sleep: Option<Arc<dyn Sleep>>,
    api: PhantomData<fn() -> A>,
}

impl<A: Api> Default for ClientBuilder<A> {
    fn default() -> Self {
        Self {
            api_key: None,
            email: None,
            password: None,
            base_url: None,
            retry: RetryPolicy::default(),
            timeouts: Timeouts::default(),
            rate_limit: true,
            rate_limits: BTreeMap::new(),
            rate_limit_store: None,
            jitter_seed: None,
            user_agent: concat!("zkit-rust/", env!("CARGO_PKG_VERSION")).to_owned(),
            auth_header: None,
            settings: Vec::new(),
            proxy: None,
            ca_bundle: None,
            observers: Observers::default(),
            given: Given::default(),
            env_problem: None,
            transport: None,
            clock: None,
            sleep: None,
            api: PhantomData,
        }
    }
}

impl<A: Api> ClientBuilder<A> {
    /// The API key.
    pub fn api_key(mut self, key: impl Into<Secret>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Logs in with an email and password instead of an API key, where the API has a login (Zyra):
    /// the client logs in on its first call and refreshes its token by itself.
    pub fn login(mut self, email: impl Into<String>, password: impl Into<Secret>) -> Self {
        self.email = Some(email.into());
        self.password = Some(password.into());
        self
    }

    /// The base URL, such as a sandbox's `http://127.0.0.1:4010/zerokie`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Sends the key in `header` instead of the API's choice: `authorization` (or `bearer`) for
    /// `Authorization: Bearer`, or a header the API accepts, such as `x-api-key`.
    pub fn auth_header(mut self, header: impl Into<String>) -> Self {
        self.auth_header = Some(header.into());
        self
    }

    /// Sets one of the API's own settings by name, such as Zenifra's `organization_id`;
    /// `auth_header`, and `email` and `password` where the API has a login, are accepted too. A name
    /// the API does not know is refused by [`build`](Self::build).
    pub fn setting(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let (name, value) = (name.into(), value.into());
        match name.as_str() {
            "auth_header" => return self.auth_header(value),
            "email" if A::PROFILE.login.is_some() => {
                self.email = Some(value);
                return self;
            }
            "password" if A::PROFILE.login.is_some() => {
                self.password = Some(Secret::new(value));
                return self;
            }
            _ => {}
        }
        self.settings.retain(|(set, _)| *set != name);
        self.settings.push((name, value));
        self
    }

    /// Fills what is still unset from `<API>_API_KEY` (else `<API>_EMAIL` and `<API>_PASSWORD`, where
    /// the API has a login), `<API>_BASE_URL` and the API's own settings (`ZENIFRA_ORGANIZATION_ID`, …).
    pub fn from_env(mut self) -> Self {
        let prefix = A::PROFILE.env_prefix;
        let var = |name: &str| std::env::var(format!("{prefix}_{name}")).ok().filter(|v| !v.is_empty());
        let login_given = self.email.is_some() || self.password.is_some();
        if self.api_key.is_none() && !login_given {
            self.api_key = var("API_KEY").map(Secret::new);
            if self.api_key.is_none() && A::PROFILE.login.is_some() {
                self.email = var("EMAIL");
                self.password = var("PASSWORD").map(Secret::new);
            }
        }
        if self.base_url.is_none() {
            self.base_url = var("BASE_URL");
        }
        for context in A::PROFILE.context_headers {
            if !self.settings.iter().any(|(name, _)| name == context.setting) {
                if let Some(value) = var(&context.setting.to_ascii_uppercase()) {
                    self.settings.push((context.setting.to_owned(), value));
                }
            }
        }
        self.zkit_env()
    }

    /// The settings every API shares, from `ZKIT_*` variables, where the caller left them unset:
    /// `ZKIT_MAX_RETRIES`, `ZKIT_TIMEOUT` (seconds), `ZKIT_LOG`, `ZKIT_LOG_BODIES`, `ZKIT_PROXY` and
    /// `ZKIT_CA_BUNDLE` (a PEM file).
    fn zkit_env(mut self) -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let problem = |name: &str, expected: &str| Error::invalid_input(name, format!("must be {expected}"));
        if let (false, Some(text)) = (self.given.max_retries, var("ZKIT_MAX_RETRIES")) {
            match text.trim().parse() {
                Ok(n) => self.retry.max_retries = n,
                Err(_) => self.env_problem = Some(problem("ZKIT_MAX_RETRIES", "a whole number of retries")),
            }
        }
        if let (false, Some(text)) = (self.given.timeout, var("ZKIT_TIMEOUT")) {
            match text.trim().parse::<f64>().ok().and_then(|s| Duration::try_from_secs_f64(s).ok()) {
                Some(limit) => self.timeouts.attempt = Some(limit),
                None => self.env_problem = Some(problem("ZKIT_TIMEOUT", "a non-negative number of seconds")),
            }
        }
        if let (false, Some(text)) = (self.given.log, var("ZKIT_LOG")) {
            match text.parse::<LogLevel>() {
                Ok(level) => self.observers.level = Some(level),
                Err(_) => self.env_problem = Some(problem("ZKIT_LOG", "debug, info, warn or error")),
            }
        }
        if let (false, Some(text)) = (self.given.log_bodies, var("ZKIT_LOG_BODIES")) {
            self.observers.log_bodies = matches!(text.trim(), "1" | "true" | "yes" | "on");
        }
        if self.proxy.is_none() {
            self.proxy = var("ZKIT_PROXY").map(|url| ProxyUrl(Secret::new(url)));
        }
        if self.ca_bundle.is_none() {
            self.ca_bundle = var("ZKIT_CA_BUNDLE").map(|path| CaBundle::Path(path.into()));
        }
        self
    }

    /// Retries after the first attempt (default 2, or `ZKIT_MAX_RETRIES`).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.retry.max_retries = n;
        self.given.max_retries = true;
        self
    }

    /// The whole retry policy.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The per-attempt limit (default 60 s, or `ZKIT_TIMEOUT` seconds); `None` removes it.
    pub fn timeout(mut self, limit: Option<Duration>) -> Self {
        self.timeouts.attempt = limit;
        self.given.timeout = true;
        self
    }

    /// Sends every request through the proxy at `url` (`http://host:port`, with `user:password@`
    /// if it needs them), instead of what `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` say. Native
    /// transport; browsers use their own settings. The password never prints.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(ProxyUrl(Secret::new(url.into())));
        self
    }

    /// Trusts the certificates of `bundle` beside the platform's roots, for a proxy that inspects TLS
    /// (native transport). Verification is never turned off.
    pub fn ca_bundle(mut self, bundle: CaBundle) -> Self {
        self.ca_bundle = Some(bundle);
        self
    }

    /// Sends log records at or above `level` to the log sink (a binding's logger); `ZKIT_LOG` sets it
    /// too. Rust programs see every event through `tracing` whatever this says.
    pub fn log(mut self, level: Option<LogLevel>) -> Self {
        self.observers.level = level;
        self.given.log = true;
        self
    }

    /// Logs request and response bodies too (at debug, redacted, cut at 4 KiB); off by default.
    pub fn log_bodies(mut self, on: bool) -> Self {
        self.observers.log_bodies = on;
        self.given.log_bodies = true;
        self
    }

    /// Where log records go besides `tracing`: how a binding reaches its language's logger.
    pub fn log_sink(mut self, sink: Arc<dyn LogSink>) -> Self {
        self.observers.sink = Some(sink);
        self
    }

    /// Adds observe-only hooks, called for every attempt.
    pub fn hooks(mut self, hooks: Arc<dyn Hooks>) -> Self {
        self.observers.hooks.push(hooks);
        self
    }

    /// The connect limit (default 5 s); `None` removes it.
    pub fn connect_timeout(mut self, limit: Option<Duration>) -> Self {
        self.timeouts.connect = limit;
        self
    }

    /// The whole-call limit (default 180 s); `None` removes it.
    pub fn deadline(mut self, limit: Option<Duration>) -> Self {
        self.timeouts.deadline = limit;
        self
    }

    /// Turns the client-side rate limiter on or off (default on).
    pub fn rate_limit(mut self, on: bool) -> Self {
        self.rate_limit = on;
        self
    }

    /// Keeps the limiter's budgets in the Redis server at `url` (`redis://127.0.0.1:6379`), shared by
    /// every process that names it, so many CI jobs or workers on one key stay within its limits
    /// together. Needs the `redis` feature (native builds). A store that cannot be reached is logged
    /// (a `tracing` warning) and the call is paced in process instead; it never fails the call.
    pub fn rate_limit_store(mut self, url: impl Into<Secret>) -> Self {
        self.rate_limit_store = Some(url.into());
        self
    }

    /// Paces the limit named `bucket` at `requests` per its documented window instead of the
    /// documented figure, for an account whose limit was raised ("for higher limits, contact
    /// support"). The names are the API's buckets: Zyra's `create`, `read`, `write` and
    /// `high_volume`, Zenifra's `project`.
    pub fn raise_rate_limit(mut self, bucket: impl Into<String>, requests: u32) -> Self {
        self.rate_limits.insert(bucket.into(), requests);
        self
    }

    /// Fixes the jitter sequence, for reproducible tests.
    pub fn jitter_seed(mut self, seed: u64) -> Self {
        self.jitter_seed = Some(seed);
        self
    }

    /// Names the client in the User-Agent header (native transport only; browsers set their own).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Sends through this transport instead of the platform's default.
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Tells time with this clock and waits with this sleep instead of the platform's.
    pub fn time(mut self, clock: Arc<dyn Clock>, sleep: Arc<dyn Sleep>) -> Self {
        self.clock = Some(clock);
        self.sleep = Some(sleep);
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<A> {
        if let Some(problem) = self.env_problem {
            return Err(problem);
        }
        let profile = A::PROFILE;
        let credential = credential(profile, self.api_key, self.email, self.password)?;
        let base_url = validate::base_url(self.base_url.as_deref().unwrap_or(profile.default_base_url))?;
        let auth = match &self.auth_header {
            None => match &credential {
                Credential::ApiKey(key) => (profile.auth.default)(key.expose()),
                Credential::Login { .. } => AuthScheme::Bearer,
            },
            Some(name) => profile.auth_scheme_named(name).ok_or_else(|| {
                let accepted: Vec<&str> = profile.auth.accepted.iter().map(|scheme| scheme.header()).collect();
                Error::invalid_input("auth_header", format!("must be one of {}", accepted.join(", ")))
            })?,
        };
        let mut context = Vec::new();
        for (name, value) in self.settings {
            let header = profile.context_headers.iter().find(|header| header.setting == name).ok_or_else(|| {
                Error::invalid_input(name.as_str(), format!("is not a {} client setting", profile.name))
            })?;
            validate::header_value(header.setting, &value)?;
            validate::non_empty(header.setting, &value)?;
            context.push((header, value));
        }
        let config = ClientConfig {
            base_url,
            credential,
            retry: self.retry,
            timeouts: self.timeouts,
            rate_limit: self.rate_limit,
            rate_limits: checked_rate_limits(profile, self.rate_limits)?,
            rate_limit_store: self.rate_limit_store,
            jitter_seed: self.jitter_seed,
            user_agent: self.user_agent,
            auth,
            context,
            proxy: self.proxy,
            ca_bundle: self.ca_bundle,
            observers: self.observers,
        };
        validate::header_value("user_agent", &config.user_agent)?;
        if let Some(proxy) = &config.proxy {
            validate::proxy_url(proxy.expose())?;
        }
        let runtime = Runtime::resolve(self.transport, self.clock, self.sleep, &config)?;
        Ok(A::from_client(Client::new(profile, config, runtime)))
    }
}

/// Raised limits, each naming one of the API's buckets and allowing at least one request.
fn checked_rate_limits(profile: &ApiProfile, limits: BTreeMap<String, u32>) -> Result<BTreeMap<String, u32>> {
    let buckets = profile.rate_buckets();
    for (bucket, &requests) in &limits {
        if !buckets.contains(&bucket.as_str()) {
            let known = if buckets.is_empty() { "none".to_owned() } else { buckets.join(", ") };
            return Err(Error::invalid_input(
                "rate_limits",
                format!("{} has no limit named '{bucket}' (its limits: {known})", profile.name),
            ));
        }
        if requests == 0 {
            return Err(Error::invalid_input("rate_limits", format!("'{bucket}' must allow at least 1 request")));
        }
    }
    Ok(limits)
}

/// The credential from what was given: a key, or an email and password where the API has a login.
fn credential(
    profile: &ApiProfile,
    api_key: Option<Secret>,
    email: Option<String>,
    password: Option<Secret>,
) -> Result<Credential> {
    let prefix = profile.env_prefix;
    match (api_key, email, password) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            Err(Error::invalid_input("api_key", "give an API key or an email and password, not both"))
        }
        (Some(key), None, None) => {
            validate::header_value("api_key", key.expose())?;
            if key.is_empty() {
                return Err(Error::invalid_input("api_key", "must not be empty"));
            }
            Ok(Credential::ApiKey(key))
        }
        (None, Some(_), None) => {
            Err(Error::invalid_input("password", format!("missing: pass one with the email or set {prefix}_PASSWORD")))
        }
        (None, None, Some(_)) => {
            Err(Error::invalid_input("email", format!("missing: pass one with the password or set {prefix}_EMAIL")))
        }
        (None, Some(email), Some(password)) => {
            validate::non_empty("email", &email)?;
            if password.is_empty() {
                return Err(Error::invalid_input("password", "must not be empty"));
            }
            Ok(Credential::Login { email, password })
        }
        (None, None, None) if profile.login.is_some() => Err(Error::invalid_input(
            "api_key",
            format!("missing: pass an API key or an email and password, or set {prefix}_API_KEY"),
        )),
        (None, None, None) => {
            Err(Error::invalid_input("api_key", format!("missing: pass one or set {prefix}_API_KEY")))
        }
    }
}
