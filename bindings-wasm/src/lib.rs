//! zkit for JavaScript: the core compiled to WebAssembly. One native class per API (`native_client!`)
//! with a generic `call` that returns a Promise, a generic walk over paged lists (`pages`), a raw
//! call, `close` and the API's schema. The typed JavaScript surface and its TypeScript declarations
//! are generated from that schema (`generate.mjs`), so adding an operation (or an API) to the core
//! needs nothing here but the API's `native_client!` line.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

use futures_util::future::{select, Either};
use futures_util::lock::Mutex;
use js_sys::{Promise, Reflect, Uint8Array};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::AbortSignal;
use zkit::{
    Api, CallOptions, ClientBuilder, Credential, DynamicApi, JsonPages, Payload, RawRequest, Response, ResponseMeta,
};

mod convert;
mod deploy;
mod observe;

use convert::{to_js, to_json};

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Remembers a panic's message, so the JavaScript layer can report it as a `ZkitError`.
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        LAST_PANIC.with(|last| *last.borrow_mut() = Some(info.to_string()));
    }));
}

/// Gives the core what Node has and pages lack: `fileSize(path)`, `sha256File(path)` and its own
/// HTTP client `send` (see `zkit::exec::wasm::set_host`). Clients made afterwards send through it,
/// and uploads with `file` stream from disk.
#[wasm_bindgen(js_name = setHost)]
pub fn set_host(file_size: js_sys::Function, sha256_file: js_sys::Function, send: js_sys::Function) {
    #[cfg(target_arch = "wasm32")]
    zkit::exec::wasm::set_host(file_size, sha256_file, send);
    #[cfg(not(target_arch = "wasm32"))]
    let _ = (file_size, sha256_file, send); // a host build (clippy, tests) has no wasm transport to give them to
}

/// The message of the last panic, if one happened (the module cannot be used after it).
#[wasm_bindgen(js_name = takePanicMessage)]
pub fn take_panic_message() -> Option<String> {
    LAST_PANIC.with(|last| last.borrow_mut().take())
}

/// A zkit error as a plain object; the JavaScript layer makes it a `ZkitError` subclass.
fn error_to_js(error: &zkit::Error) -> JsValue {
    to_js(&json!({
        "zkitError": true,
        "kind": error.kind().as_str(),
        "message": error.message(),
        "status": error.status(),
        "code": error.code(),
        "requestId": error.request_id(),
        "details": error.details(),
        "retryAfter": error.retry_after().map(|d| d.as_secs_f64()),
        "field": error.field(),
        "retryable": error.is_retryable(),
    }))
}

fn other_error(kind: &str, message: &str) -> JsValue {
    to_js(&json!({"zkitError": true, "kind": kind, "message": message, "retryable": false}))
}

fn invalid(field: &str, message: &str) -> JsValue {
    error_to_js(&zkit::Error::invalid_input(field, message))
}

fn get(object: &JsValue, key: &str) -> JsValue {
    if object.is_object() {
        Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

/// A limit in milliseconds: `undefined` keeps the default, `null` removes the limit.
fn limit(object: &JsValue, key: &str) -> Result<Option<Option<Duration>>, JsValue> {
    let value = get(object, key);
    if value.is_undefined() {
        return Ok(None);
    }
    if value.is_null() {
        return Ok(Some(None));
    }
    match value.as_f64().map(|ms| Duration::try_from_secs_f64(ms / 1000.0)) {
        Some(Ok(limit)) => Ok(Some(Some(limit))),
        _ => Err(invalid(key, "must be a non-negative number of milliseconds or null")),
    }
}

fn count(object: &JsValue, key: &str) -> Result<Option<u32>, JsValue> {
    let value = get(object, key);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    match value.as_f64() {
        Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= f64::from(u32::MAX) => Ok(Some(n as u32)),
        _ => Err(invalid(key, "must be a non-negative integer")),
    }
}

fn flag(object: &JsValue, key: &str) -> Result<Option<bool>, JsValue> {
    let value = get(object, key);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value.as_bool().map(Some).ok_or_else(|| invalid(key, "must be a boolean"))
}

fn text(object: &JsValue, key: &str) -> Result<Option<String>, JsValue> {
    let value = get(object, key);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value.as_string().map(Some).ok_or_else(|| invalid(key, "must be a string"))
}

/// `organization_id` → `organizationId`: how JavaScript callers spell a setting.
fn camel_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        match c {
            '_' => upper = true,
            c if upper => {
                out.push(c.to_ascii_uppercase());
                upper = false;
            }
            c => out.push(c),
        }
    }
    out
}

/// The core names settings as Rust does; JavaScript callers passed them in camelCase.
fn js_setting_names<A: Api>(error: zkit::Error) -> zkit::Error {
    let settings = ["api_key", "base_url", "auth_header", "rate_limits", "ca_bundle"];
    let rust = match error.field() {
        Some(field) if settings.contains(&field) || A::PROFILE.context_headers.iter().any(|c| c.setting == field) => {
            field.to_owned()
        }
        _ => return error,
    };
    let detail = error.message().strip_prefix(&format!("{rust}: ")).unwrap_or(error.message());
    zkit::Error::invalid_input(camel_case(&rust), detail)
}

/// A client builder from the constructor's settings object.
fn builder<A: Api>(config: &JsValue) -> Result<ClientBuilder<A>, JsValue> {
    let mut builder = ClientBuilder::<A>::default();
    if let Some(key) = text(config, "apiKey")? {
        builder = builder.api_key(key);
    }
    if let Some(url) = text(config, "baseUrl")? {
        builder = builder.base_url(url);
    }
    if let Some(n) = count(config, "maxRetries")? {
        builder = builder.max_retries(n);
    }
    if let Some(l) = limit(config, "timeoutMs")? {
        builder = builder.timeout(l);
    }
    if let Some(l) = limit(config, "deadlineMs")? {
        builder = builder.deadline(l);
    }
    if let Some(on) = flag(config, "rateLimit")? {
        builder = builder.rate_limit(on);
    }
    if let Some(seed) = count(config, "jitterSeed")? {
        builder = builder.jitter_seed(u64::from(seed));
    }
    let limits = get(config, "rateLimits");
    if !limits.is_undefined() && !limits.is_null() {
        let limits = convert::to_json(&limits, "rateLimits").map_err(|e| error_to_js(&e))?;
        let Value::Object(limits) = limits else { return Err(invalid("rateLimits", "must be an object")) };
        for (bucket, requests) in limits {
            let requests = requests
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| invalid("rateLimits", &format!("{bucket}: must be a whole number of requests")))?;
            builder = builder.raise_rate_limit(bucket, requests);
        }
    }
    if let Some(header) = text(config, "authHeader")? {
        builder = builder.auth_header(header);
    }
    if let Some(proxy) = text(config, "proxy")? {
        builder = builder.proxy(proxy);
    }
    if let Some(pem) = text(config, "caBundle")? {
        builder = builder.ca_bundle(zkit::CaBundle::Pem(pem.into_bytes()));
    }
    if let Some(level) = text(config, "log")? {
        builder = builder.log(Some(level.parse().map_err(|_| invalid("log", "must be debug, info, warn or error"))?));
    }
    if let Some(on) = flag(config, "logBodies")? {
        builder = builder.log_bodies(on);
    }
    // The layer's own functions, which reach the user's logger and hooks.
    if let Ok(log) = get(config, "logSink").dyn_into::<js_sys::Function>() {
        builder = builder.log_sink(std::sync::Arc::new(observe::JsLog(log)));
    }
    if let Ok(hook) = get(config, "hooks").dyn_into::<js_sys::Function>() {
        builder = builder.hooks(std::sync::Arc::new(observe::JsHooks(hook)));
    }
    // A login instead of a key; the core refuses these for an API without one.
    for name in ["email", "password"] {
        if let Some(value) = text(config, name)? {
            builder = builder.setting(name, value);
        }
    }
    // The API's own settings, such as Zenifra's `organizationId`.
    for context in A::PROFILE.context_headers {
        if let Some(value) = text(config, &camel_case(context.setting))? {
            builder = builder.setting(context.setting, value);
        }
    }
    Ok(builder)
}

/// Per-call options (without the signal: see `abort_signal`).
fn call_options(options: &JsValue) -> Result<CallOptions, JsValue> {
    let mut out = CallOptions { max_retries: count(options, "maxRetries")?, ..CallOptions::default() };
    out.attempt_timeout = limit(options, "timeoutMs")?;
    out.deadline = limit(options, "deadlineMs")?;
    out.idempotency_key = text(options, "idempotencyKey")?;
    out.rate_limit = flag(options, "rateLimit")?;
    Ok(out)
}

/// The `signal` of a call's options.
fn abort_signal(options: &JsValue) -> Result<Option<AbortSignal>, JsValue> {
    let signal = get(options, "signal");
    if signal.is_undefined() || signal.is_null() {
        return Ok(None);
    }
    signal.dyn_into::<AbortSignal>().map(Some).map_err(|_| invalid("signal", "must be an AbortSignal"))
}

/// Runs `call` unless `signal` aborts first; an abort drops the call (and its fetch) and rejects
/// with the signal's reason, as `fetch` does.
async fn abortable(
    call: impl Future<Output = Result<JsValue, JsValue>>,
    signal: Option<AbortSignal>,
) -> Result<JsValue, JsValue> {
    let Some(signal) = signal else { return call.await };
    if signal.aborted() {
        return Err(signal.reason());
    }
    let mut listener = None;
    let abort = JsFuture::from(Promise::new(&mut |resolve, _| {
        let _ = signal.add_event_listener_with_callback("abort", &resolve);
        listener = Some(resolve);
    }));
    let outcome = match select(Box::pin(call), abort).await {
        Either::Left((result, _)) => result,
        Either::Right(_) => Err(signal.reason()),
    };
    // A signal may serve many calls: each takes its listener back.
    if let Some(listener) = listener {
        let _ = signal.remove_event_listener_with_callback("abort", &listener);
    }
    outcome
}

fn meta_json(meta: &ResponseMeta) -> Value {
    json!({
        "status": meta.status,
        "headers": meta.headers_text(),
        "requestId": meta.request_id,
        "timestamp": meta.timestamp,
        "attempts": meta.attempts,
    })
}

/// A call's (or a page's) result as JavaScript: `{data, meta}`.
fn response_js(response: &Response<Value>) -> JsValue {
    to_js(&json!({"data": response.data, "meta": meta_json(&response.meta)}))
}

/// A call's success as JavaScript: `{data, meta}`, the data parsed once by `JSON.parse` from the
/// body's text, or `{content: Uint8Array, content_type}` for a body that is not JSON.
fn payload_js(response: Response<Payload>) -> Result<JsValue, JsValue> {
    let data = match response.data {
        Payload::Json(text) => {
            let parsed = std::str::from_utf8(&text).ok().and_then(|text| js_sys::JSON::parse(text).ok());
            parsed.ok_or_else(|| {
                error_to_js(&response.meta.error_in_body(zkit::Error::decode("response body: not valid JSON")))
            })?
        }
        Payload::Bytes(download) => {
            let out = js_sys::Object::new();
            Reflect::set(&out, &JsValue::from_str("content"), &Uint8Array::from(download.content.as_ref()))?;
            Reflect::set(&out, &JsValue::from_str("content_type"), &JsValue::from_str(&download.content_type))?;
            out.into()
        }
    };
    let out = js_sys::Object::new();
    Reflect::set(&out, &JsValue::from_str("data"), &data)?;
    Reflect::set(&out, &JsValue::from_str("meta"), &to_js(&meta_json(&response.meta)))?;
    Ok(out.into())
}

/// The Promise of one operation call: `{data, meta}`. An upload's `content` (a `Uint8Array`, any
/// `ArrayBuffer` view or `ArrayBuffer`, or a string as UTF-8) travels beside the JSON input.
pub fn call<A: DynamicApi>(api: Result<A, JsValue>, operation: String, input: JsValue, options: JsValue) -> Promise {
    let prepared = api.and_then(|api| {
        let (input, content) = convert::input_and_content(&input).map_err(|e| error_to_js(&e))?;
        Ok((api, input, content, call_options(&options)?, abort_signal(&options)?))
    });
    future_to_promise(async move {
        let (api, input, content, options, signal) = prepared?;
        let call = async {
            let response = api.call_payload(&operation, input, content, options).await.map_err(|e| error_to_js(&e))?;
            payload_js(response)
        };
        abortable(call, signal).await
    })
}

/// A lazy walk over a paged list operation, from a client's `pages`: it fetches nothing until
/// `nextPage`. The typed JavaScript `Pages` drives it.
#[wasm_bindgen]
pub struct NativePages {
    // Shared with the page in flight, so that overlapping `nextPage` calls wait for each other, and
    // `free()` during a fetch leaves that fetch its walk.
    walk: Rc<Mutex<JsonPages>>,
}

#[wasm_bindgen]
impl NativePages {
    /// Fetches the next page: `{data, meta}`, or `null` once the list is walked. `options` may hold
    /// the `signal` that aborts this page.
    #[wasm_bindgen(js_name = nextPage)]
    pub fn next_page(&self, options: JsValue) -> Promise {
        let walk = Rc::clone(&self.walk);
        let signal = abort_signal(&options);
        future_to_promise(async move {
            let page = async {
                let mut walk = walk.lock().await;
                match walk.next_page().await.map_err(|e| error_to_js(&e))? {
                    Some(page) => Ok(response_js(&page)),
                    None => Ok(JsValue::NULL),
                }
            };
            abortable(page, signal?).await
        })
    }
}

/// A walk over `operation` from `input`, with per-call `options` for every page and `maxPages`.
pub fn pages<A: DynamicApi>(
    api: Result<A, JsValue>,
    operation: &str,
    input: &JsValue,
    options: &JsValue,
) -> Result<NativePages, JsValue> {
    let input = to_json(input, "").map_err(|e| error_to_js(&e))?;
    let max_pages = count(options, "maxPages")?;
    if max_pages == Some(0) {
        return Err(invalid("maxPages", "must be at least 1"));
    }
    let walk = JsonPages::new(api?, operation, input, call_options(options)?).map_err(|e| error_to_js(&e))?;
    let walk = match max_pages {
        Some(n) => walk.max_pages(n),
        None => walk,
    };
    Ok(NativePages { walk: Rc::new(Mutex::new(walk)) })
}

/// The Promise of one raw call: `{status, headers, body, requestId, attempts}`.
pub fn raw<A: DynamicApi>(
    api: Result<A, JsValue>,
    method: String,
    path: String,
    query: JsValue,
    body: Option<Uint8Array>,
    content_type: Option<String>,
    options: JsValue,
) -> Promise {
    let prepared = api.and_then(|api| {
        let method = http::Method::from_bytes(method.to_ascii_uppercase().as_bytes())
            .map_err(|_| invalid("method", "is not an HTTP method"))?;
        let mut request = RawRequest::new(method, path);
        if let Value::Object(pairs) = to_json(&query, "query").map_err(|e| error_to_js(&e))? {
            for (key, value) in pairs {
                let value = match value {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                request = request.query(key, value);
            }
        }
        if let Some(body) = body {
            request = request.bytes(body.to_vec(), content_type.unwrap_or_else(|| "application/octet-stream".into()));
        }
        Ok((api, request, call_options(&options)?, abort_signal(&options)?))
    });
    future_to_promise(async move {
        let (api, request, options, signal) = prepared?;
        let call = async {
            let response =
                api.client().call(request).options(options).send_with_meta().await.map_err(|e| error_to_js(&e))?;
            let out = to_js(&meta_json(&response.meta));
            Reflect::set(&out, &JsValue::from_str("body"), &Uint8Array::from(response.data.body.as_ref()))?;
            Ok(out)
        };
        abortable(call, signal).await
    })
}

/// Declares the native class of one API.
macro_rules! native_client {
    ($class:ident, $name:literal, $api:ty) => {
        #[doc = concat!("The native ", $name, " client; the typed JavaScript class wraps it.")]
        #[wasm_bindgen]
        pub struct $class {
            client: RefCell<Option<$api>>,
        }

        #[wasm_bindgen]
        impl $class {
            /// A client from settings: `apiKey`, `baseUrl`, `maxRetries`, `timeoutMs`, `deadlineMs`
            /// (`null` removes a limit), `rateLimit`, `jitterSeed`, `authHeader` and the API's own
            /// settings in camelCase (`organizationId`).
            #[wasm_bindgen(constructor)]
            pub fn new(config: JsValue) -> Result<$class, JsValue> {
                let api = builder::<$api>(&config)?.build().map_err(|e| error_to_js(&js_setting_names::<$api>(e)))?;
                Ok(Self { client: RefCell::new(Some(api)) })
            }

            fn api(&self) -> Result<$api, JsValue> {
                self.client.borrow().clone().ok_or_else(|| other_error("closed", "the client is closed"))
            }

            /// Calls an operation by name; resolves to `{data, meta}`.
            pub fn call(&self, operation: String, input: JsValue, options: JsValue) -> Promise {
                call(self.api(), operation, input, options)
            }

            /// A lazy walk over a paged list operation; `options` are each page's, and `maxPages`.
            pub fn pages(&self, operation: String, input: JsValue, options: JsValue) -> Result<NativePages, JsValue> {
                pages(self.api(), &operation, &input, &options)
            }

            /// Sends any request with this client's auth, retries and errors.
            pub fn raw(
                &self,
                method: String,
                path: String,
                query: JsValue,
                body: Option<Uint8Array>,
                content_type: Option<String>,
                options: JsValue,
            ) -> Promise {
                raw(self.api(), method, path, query, body, content_type, options)
            }

            /// Closes the client; calls in flight finish.
            pub fn close(&self) {
                self.client.borrow_mut().take();
            }

            /// Polls until the waiter's state is reached; resolves to the last answer. `options` are
            /// `{timeout_ms, first_delay_ms, max_delay_ms}`; `callOptions.signal` stops the wait.
            #[wasm_bindgen(js_name = waitUntil)]
            pub fn wait_until(
                &self,
                waiter: String,
                input: JsValue,
                options: JsValue,
                call_options: JsValue,
            ) -> Promise {
                deploy::wait_until(self.api(), waiter, &input, &options, &call_options)
            }

            /// The API's waiters by name: `doc`, `operation`, `find`, `done`, `failed`.
            pub fn waiters() -> JsValue {
                to_js(&zkit::wait::describe::<$api>())
            }

            /// A description without the key or password: a key's preview, or a login's email.
            pub fn describe(&self) -> String {
                match self.client.borrow().as_ref() {
                    Some(api) => {
                        let config = api.client().config();
                        let name = match config.credential {
                            Credential::ApiKey(_) => "apiKey",
                            Credential::Login { .. } => "email",
                        };
                        format!("{}(baseUrl={:?}, {name}={:?})", $name, config.base_url, config.credential.preview())
                    }
                    None => format!("{}(closed)", $name),
                }
            }
        }
    };
}

native_client!(NativeZerokie, "Zerokie", zkit::Zerokie);
native_client!(NativeZenifra, "Zenifra", zkit::Zenifra);
native_client!(NativeZenovay, "Zenovay", zkit::Zenovay);
native_client!(NativeZyra, "Zyra", zkit::Zyra);
