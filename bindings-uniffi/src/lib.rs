//! zkit for Kotlin and Swift, through uniffi. One object per API whose methods are generated from the
//! API's operation table (`uniffi_methods!`), with the core's model types as records and enums (their
//! uniffi derives live in the core behind the `uniffi` feature). Every method is async (Kotlin
//! `suspend`, Swift `async throws`) on uniffi's tokio runtime; errors become one `ZkitError` enum (a
//! sealed exception hierarchy in Kotlin, an `Error` in Swift), and a panic becomes `ZkitError.Internal`.

// The foreign error carries its facts inline, which is what Kotlin and Swift callers read.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use zkit::{CallOptions, ClientBuilder};

uniffi::setup_scaffolding!("zkit_mobile");

mod deploy;
mod error;
mod observe;
mod raw;

pub use deploy::{DeployProgress, DeploySettings, DeploySource, SiteEntry, WaitSettings};
pub use error::ZkitError;
pub use observe::{CallbackError, LogLevel, RequestInfo, ResponseInfo, ZkitHooks, ZkitLogger};
pub use raw::{JsonResponse, RawResponse, ResponseCapture, ResponseFacts};

/// Client settings; unset fields keep their defaults (5 s connect, 60 s per attempt, 180 s per call,
/// 2 retries, client-side rate limiting on).
#[derive(Clone, Debug, Default, uniffi::Record)]
pub struct ClientSettings {
    /// Where the API lives; the documented URL by default.
    #[uniffi(default = None)]
    pub base_url: Option<String>,
    /// Retries after the first attempt.
    #[uniffi(default = None)]
    pub max_retries: Option<u32>,
    /// Milliseconds one attempt may take.
    #[uniffi(default = None)]
    pub timeout_ms: Option<u64>,
    /// Milliseconds a whole call may take, retries and waits included.
    #[uniffi(default = None)]
    pub deadline_ms: Option<u64>,
    /// Removes the attempt and call limits (only when asked for).
    #[uniffi(default = false)]
    pub no_time_limits: bool,
    /// Whether the client-side limiter paces calls.
    #[uniffi(default = None)]
    pub rate_limit: Option<bool>,
    /// Raised limits, for an account whose limits were raised: requests per the documented window
    /// by limit name (Zyra's `create`, `read`, `write`, `high_volume`; Zenifra's `project`).
    #[uniffi(default = None)]
    pub rate_limits: Option<HashMap<String, u32>>,
    /// A Redis server (`redis://127.0.0.1:6379`) where the limiter keeps its budgets, shared by every
    /// process on the same key; a store that cannot be reached is logged and the call paced in process.
    #[uniffi(default = None)]
    pub rate_limit_store: Option<String>,
    /// Fixes the backoff jitter, for tests.
    #[uniffi(default = None)]
    pub jitter_seed: Option<u64>,
    /// The header that carries the key, where the API accepts more than one: `x-api-key` or
    /// `authorization` (as `Authorization: Bearer`).
    #[uniffi(default = None)]
    pub auth_header: Option<String>,
    /// The API's own settings by their snake_case names, such as Zenifra's `organization_id`
    /// (sent as `x-organization-id`); a name the API does not know is refused.
    #[uniffi(default = None)]
    pub api_settings: Option<HashMap<String, String>>,
    /// Sends every request through this proxy (`http://user:pass@proxy:3128`), in place of the
    /// HTTPS_PROXY / HTTP_PROXY / NO_PROXY variables honoured otherwise. Its password never prints.
    #[uniffi(default = None)]
    pub proxy: Option<String>,
    /// A PEM file of trust roots beside the platform's, for a proxy that inspects TLS; verification
    /// is never turned off.
    #[uniffi(default = None)]
    pub ca_bundle_path: Option<String>,
    /// PEM text of trust roots beside the platform's.
    #[uniffi(default = None)]
    pub ca_bundle_pem: Option<String>,
    /// The least level logged (or `ZKIT_LOG`); off by default.
    #[uniffi(default = None)]
    pub log: Option<LogLevel>,
    /// Logs request and response bodies too, redacted and cut at 4 KiB.
    #[uniffi(default = None)]
    pub log_bodies: Option<bool>,
}

/// Per-call settings; unset fields keep the client's.
#[derive(Clone, Debug, Default, uniffi::Record)]
pub struct CallSettings {
    /// Retries after the first attempt.
    #[uniffi(default = None)]
    pub max_retries: Option<u32>,
    /// Milliseconds one attempt may take.
    #[uniffi(default = None)]
    pub timeout_ms: Option<u64>,
    /// Milliseconds the whole call may take.
    #[uniffi(default = None)]
    pub deadline_ms: Option<u64>,
    /// Sent as `Idempotency-Key`; makes retrying a non-idempotent operation safe.
    #[uniffi(default = None)]
    pub idempotency_key: Option<String>,
    /// Receives the status, headers, request id and attempts of the response.
    #[uniffi(default = None)]
    pub capture: Option<Arc<ResponseCapture>>,
}

/// The core's call options from the foreign settings.
fn call_options(settings: Option<CallSettings>) -> CallOptions {
    let settings = settings.unwrap_or_default();
    CallOptions {
        max_retries: settings.max_retries,
        attempt_timeout: settings.timeout_ms.map(|ms| Some(Duration::from_millis(ms))),
        deadline: settings.deadline_ms.map(|ms| Some(Duration::from_millis(ms))),
        idempotency_key: settings.idempotency_key,
        rate_limit: None,
    }
}

/// A builder from an optional key (else `<API>_API_KEY`), settings, and the app's logger and hooks.
fn builder<A: zkit::Api>(
    api_key: Option<String>,
    settings: Option<ClientSettings>,
    logger: Option<Arc<dyn ZkitLogger>>,
    hooks: Option<Arc<dyn ZkitHooks>>,
) -> ClientBuilder<A> {
    let settings = settings.unwrap_or_default();
    let mut builder = ClientBuilder::<A>::default().user_agent(concat!("zkit-mobile/", env!("CARGO_PKG_VERSION")));
    if let Some(key) = api_key {
        builder = builder.api_key(key);
    }
    if let Some(url) = settings.base_url {
        builder = builder.base_url(url);
    }
    if let Some(n) = settings.max_retries {
        builder = builder.max_retries(n);
    }
    if let Some(ms) = settings.timeout_ms {
        builder = builder.timeout(Some(Duration::from_millis(ms)));
    }
    if let Some(ms) = settings.deadline_ms {
        builder = builder.deadline(Some(Duration::from_millis(ms)));
    }
    if settings.no_time_limits {
        builder = builder.timeout(None).deadline(None);
    }
    if let Some(on) = settings.rate_limit {
        builder = builder.rate_limit(on);
    }
    for (bucket, requests) in settings.rate_limits.unwrap_or_default() {
        builder = builder.raise_rate_limit(bucket, requests);
    }
    if let Some(url) = settings.rate_limit_store {
        builder = builder.rate_limit_store(url);
    }
    if let Some(seed) = settings.jitter_seed {
        builder = builder.jitter_seed(seed);
    }
    if let Some(header) = settings.auth_header {
        builder = builder.auth_header(header);
    }
    for (name, value) in settings.api_settings.unwrap_or_default() {
        builder = builder.setting(name, value);
    }
    if let Some(proxy) = settings.proxy {
        builder = builder.proxy(proxy);
    }
    if let Some(path) = settings.ca_bundle_path {
        builder = builder.ca_bundle(zkit::CaBundle::Path(path.into()));
    }
    if let Some(pem) = settings.ca_bundle_pem {
        builder = builder.ca_bundle(zkit::CaBundle::Pem(pem.into_bytes()));
    }
    if let Some(level) = settings.log {
        builder = builder.log(Some(level.into()));
    }
    if let Some(on) = settings.log_bodies {
        builder = builder.log_bodies(on);
    }
    let sink: Arc<dyn zkit::LogSink> = match logger {
        Some(logger) => Arc::new(observe::ForeignLog(logger)),
        None => Arc::new(observe::StderrLog),
    };
    if let Some(hooks) = hooks {
        builder = builder.hooks(Arc::new(observe::ForeignHooks { hooks, report: sink.clone() }));
    }
    builder = builder.log_sink(sink);
    builder.from_env()
}

/// Runs a call, turning a panic into `ZkitError.Internal` instead of letting it cross the boundary.
async fn guarded<T>(call: impl std::future::Future<Output = zkit::Result<T>>) -> Result<T, ZkitError> {
    match AssertUnwindSafe(call).catch_unwind().await {
        Ok(result) => result.map_err(ZkitError::from),
        Err(_) => Err(ZkitError::internal("a panic inside zkit was caught; please report it")),
    }
}

/// Sends a typed call with `settings`, handing its response's facts to the settings' capture.
async fn typed<R: zkit::Callable>(
    call: zkit::Call<'_, R>,
    settings: Option<CallSettings>,
) -> Result<R::Output, ZkitError> {
    let capture = settings.as_ref().and_then(|settings| settings.capture.clone());
    let response = guarded(call.options(call_options(settings)).send_with_meta()).await?;
    if let Some(capture) = capture {
        capture.keep(&response.meta);
    }
    Ok(response.data)
}

/// Calls `operation` of `api` with JSON input text; input that is not JSON is invalid input.
async fn call_by_name<A: zkit::DynamicApi>(
    api: &A,
    operation: &str,
    input: &str,
    call: Option<CallSettings>,
) -> Result<zkit::Response<serde_json::Value>, ZkitError> {
    let input =
        serde_json::from_str(input).map_err(|e| ZkitError::from(zkit::Error::invalid_input("input", e.to_string())))?;
    guarded(zkit::DynamicApi::call_dynamic(api, operation, input, call_options(call))).await
}

/// Declares the typed methods of an API object from the API's operation table, one exported impl
/// block per operation (uniffi reads each block's functions as written, so no macro may sit inside).
macro_rules! uniffi_methods {
    (
        object: $object:ident,
        api: $api:ty,
        operations: [ $(
            $(#[doc = $doc:literal])*
            $name:ident ( $input:ty $(= $default:ident)? ) -> $output:ty {
                $method:ident $path:literal, idempotent: $idempotent:literal, rate: $rate:ident
                // A `tt`, not a `literal`: only a `tt` can still match `true` in the arm below.
                $(, paged: $paged:tt)?
            }
        ),* $(,)? ]
    ) => {
        $( uniffi_methods!(@method $object, $(#[doc = $doc])* $name, $input $(, $default)? => $output); )*
        $( $( uniffi_methods!(@pages $paged, $object, $name, $input => $output); )? )*
    };
    // A paged list also gets `<name>_pages(input)`: a walk object whose `next_page()` fetches one
    // page at a time (Kotlin's generated `pages()`/`items()` extensions turn it into a Flow).
    (@pages true, $object:ident, $name:ident, $input:ty => $output:ty) => {
        paste::paste! {
            /// A lazy walk over the pages of a list: each `next_page` fetches one page.
            #[derive(uniffi::Object)]
            pub struct [<$name:camel Pages>] {
                walk: futures_util::lock::Mutex<zkit::Pages<$input>>,
            }

            #[uniffi::export(async_runtime = "tokio")]
            impl [<$name:camel Pages>] {
                /// The next page, or null once the list is walked.
                pub async fn next_page(&self) -> Result<Option<$output>, ZkitError> {
                    guarded(async { self.walk.lock().await.next_page().await }).await
                }
            }

            #[uniffi::export]
            impl $object {
                /// Walks the pages of the list from the input's offset, lazily; `max_pages` caps the walk.
                #[uniffi::method(default(call = None, max_pages = None))]
                pub fn [<$name _pages>](
                    &self,
                    input: $input,
                    call: Option<CallSettings>,
                    max_pages: Option<u32>,
                ) -> Arc<[<$name:camel Pages>]> {
                    let client = zkit::Api::client(&self.api).clone();
                    let mut pages = zkit::Pages::new(client, input).options(call_options(call));
                    if let Some(max) = max_pages {
                        pages = pages.max_pages(max);
                    }
                    Arc::new([<$name:camel Pages>] { walk: futures_util::lock::Mutex::new(pages) })
                }
            }
        }
    };
    (@pages $other:tt, $($rest:tt)*) => {};
    (@method $object:ident, $(#[doc = $doc:literal])* $name:ident, $input:ty => $output:ty) => {
        #[uniffi::export(async_runtime = "tokio")]
        impl $object {
            $(#[doc = $doc])*
            #[uniffi::method(default(call = None))]
            pub async fn $name(&self, input: $input, call: Option<CallSettings>) -> Result<$output, ZkitError> {
                typed(zkit::Api::client(&self.api).call(input), call).await
            }
        }
    };
    (@method $object:ident, $(#[doc = $doc:literal])* $name:ident, $input:ty, default => $output:ty) => {
        #[uniffi::export(async_runtime = "tokio")]
        impl $object {
            $(#[doc = $doc])*
            #[uniffi::method(default(call = None))]
            pub async fn $name(&self, call: Option<CallSettings>) -> Result<$output, ZkitError> {
                typed(zkit::Api::client(&self.api).call(<$input>::default()), call).await
            }
        }
    };
}

/// Declares the object of one API: its constructor (with a typed parameter for each of the API's own
/// settings named in `settings`), the dynamic `call_json`, `describe`, and (from the API's operation
/// table) one method per operation.
macro_rules! api_object {
    ($(#[doc = $doc:literal])* $object:ident, $api:ty, $table:path $(, settings: [$($setting:ident),*])?) => {
        $(#[doc = $doc])*
        #[derive(uniffi::Object)]
        #[uniffi::export(Display)]
        pub struct $object {
            api: $api,
        }

        /// The base URL and a preview of the key, never the key (Kotlin's `toString()`, Swift's
        /// `description`).
        impl std::fmt::Display for $object {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.describe())
            }
        }

        #[uniffi::export(async_runtime = "tokio")]
        impl $object {
            /// A client with `api_key` (else the API's `<API>_API_KEY`), `settings`, the API's own
            /// settings (else their environment variables, such as `ZENIFRA_ORGANIZATION_ID`), a
            /// `logger` for its records (at `settings.log` or `ZKIT_LOG`; stderr without one) and
            /// `hooks` called for every attempt.
            #[uniffi::constructor(default(api_key = None, settings = None $($(, $setting = None)*)?, logger = None, hooks = None))]
            pub fn new(
                api_key: Option<String>,
                settings: Option<ClientSettings>,
                $($($setting: Option<String>,)*)?
                logger: Option<Arc<dyn ZkitLogger>>,
                hooks: Option<Arc<dyn ZkitHooks>>,
            ) -> Result<Arc<Self>, ZkitError> {
                #[allow(unused_mut)]
                let mut builder = builder::<$api>(api_key, settings, logger, hooks);
                $($(if let Some(value) = $setting {
                    builder = builder.setting(stringify!($setting), value);
                })*)?
                Ok(Arc::new(Self { api: builder.build()? }))
            }

            /// Calls an operation by its snake_case name with JSON input; returns the JSON output.
            #[uniffi::method(default(call = None))]
            pub async fn call_json(
                &self,
                operation: String,
                input: String,
                call: Option<CallSettings>,
            ) -> Result<String, ZkitError> {
                Ok(call_by_name(&self.api, &operation, &input, call).await?.data.to_string())
            }

            /// `call_json`, with the status, headers, request id, server timestamp and attempts of the
            /// response.
            #[uniffi::method(default(call = None))]
            pub async fn call_json_with_response(
                &self,
                operation: String,
                input: String,
                call: Option<CallSettings>,
            ) -> Result<JsonResponse, ZkitError> {
                let response = call_by_name(&self.api, &operation, &input, call).await?;
                Ok(JsonResponse { data: response.data.to_string(), facts: ResponseFacts::of(&response.meta) })
            }

            /// Sends any request, relative to the base URL (such as `/v1/apps`), with this client's
            /// auth, retries, redirects and errors, for what the typed methods do not cover; an error
            /// status throws as any call does.
            #[uniffi::method(default(query = None, body = None, content_type = None, call = None))]
            pub async fn raw(
                &self,
                method: String,
                path: String,
                query: Option<HashMap<String, String>>,
                body: Option<Vec<u8>>,
                content_type: Option<String>,
                call: Option<CallSettings>,
            ) -> Result<RawResponse, ZkitError> {
                let request = raw::request(&method, path, query, body, content_type)?;
                let client = zkit::Api::client(&self.api);
                let response = guarded(client.call(request).options(call_options(call)).send_with_meta()).await?;
                Ok(RawResponse { body: response.data.body.to_vec(), facts: ResponseFacts::of(&response.meta) })
            }

            /// Polls until the waiter's state is reached (see `waiters`) with JSON input (the polled
            /// operation's, and the waiter's `find` field); returns the last answer as JSON. A
            /// timeout or a state that cannot lead there carries `last_state` in `details`.
            #[uniffi::method(default(wait = None))]
            pub async fn wait_until(
                &self,
                waiter: String,
                input: String,
                wait: Option<WaitSettings>,
            ) -> Result<String, ZkitError> {
                deploy::wait_json(&self.api, &waiter, &input, wait).await
            }
        }

        #[uniffi::export]
        impl $object {
            /// The base URL and a preview of the key, never the key.
            pub fn describe(&self) -> String {
                let config = zkit::Api::client(&self.api).config();
                format!("{}(baseUrl={}, apiKey={})", stringify!($object), config.base_url, config.credential.preview())
            }

            /// The API's waiters by name, as JSON: each one's `doc`, `operation`, `find`, `done`, `failed`.
            pub fn waiters(&self) -> String {
                deploy::waiters_json::<$api>()
            }
        }

        $table!(uniffi_methods, object: $object,);
    };
}

api_object! {
    /// A Zerokie client: container and static apps, deploys, files, deploy locks, custom domains.
    Zerokie, zkit::Zerokie, zkit::zerokie_operations
}

api_object! {
    /// A Zenifra client: projects, deploys, environment variables, scaling, metrics, logs, plans, storage.
    Zenifra, zkit::Zenifra, zkit::zenifra_operations, settings: [organization_id]
}

api_object! {
    /// A Zenovay client: websites, their settings and analytics.
    Zenovay, zkit::Zenovay, zkit::zenovay_operations
}

api_object! {
    /// A Zyra client: compute nodes, virtual servers, ML, inference and fine-tuning jobs, the organization,
    /// API keys, webhooks, invoices, SLA rules and fleet alerts. Built from a key, or an email and password.
    Zyra, zkit::Zyra, zkit::zyra_operations, settings: [email, password]
}

/// The version of this library: that of every zkit artifact of the same release (the Rust crates,
/// the wheel, the npm package, the jar and the Swift package).
#[uniffi::export]
pub fn zkit_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// A fresh deploy session id (a version 4 UUID) for Zerokie's deploy lock.
#[uniffi::export]
pub fn new_deploy_session_id() -> String {
    zkit::zerokie::new_deploy_session_id()
}
