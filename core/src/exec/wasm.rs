//! wasm32 runtime pieces: the global `fetch` (browsers and workers), the host's own HTTP client where
//! it lends one (Node), JavaScript timers and `Date.now()`.

use std::time::Duration;

use bytes::Bytes;
use js_sys::{Array, Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, Request, RequestInit};

use super::{Body, BoxFuture, Clock, Sleep, Transport, TransportError};

/// Sends with the global `fetch`, looked up on `globalThis` so that pages, workers and Node all
/// work. Dropping the future aborts the fetch.
#[derive(Clone, Copy, Debug, Default)]
pub struct FetchTransport;

/// Aborts the fetch when the call is dropped before it completes.
struct AbortOnDrop(Option<AbortController>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(controller) = self.0.take() {
            controller.abort();
        }
    }
}

/// A JavaScript exception as text.
fn describe(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}

fn global_fetch(request: &Request) -> Result<Promise, JsValue> {
    let global = js_sys::global();
    let fetch: Function = Reflect::get(&global, &JsValue::from_str("fetch"))?.dyn_into()?;
    fetch.call1(&global, request)?.dyn_into()
}

/// What a host beyond the browser (Node) lends the core: `fileSize(path)`, a file's length (throwing
/// when it cannot be read), `sha256File(path)`, a Promise of its SHA-256 in lowercase hex (read
/// in chunks, for a deploy's comparison), and `send(method, url, headers, body, signal)`, its own HTTP client, which
/// resolves to `{status, headers: [name, value, …], body: Uint8Array}`. `body` is a `Uint8Array`, a
/// file as `{path, length}` (streamed from disk), or `undefined`; a rejection carries `sent: false`
/// when nothing left the machine and `fileChanged: true` when a file was not its length.
struct Host {
    file_size: Function,
    sha256_file: Function,
    send: Function,
}

thread_local! {
    static HOST: std::cell::RefCell<Option<Host>> = const { std::cell::RefCell::new(None) };
}

/// Gives the core the host's files and HTTP client (the npm package's Node entry does, at load);
/// clients built afterwards send through [`HostTransport`].
pub fn set_host(file_size: Function, sha256_file: Function, send: Function) {
    HOST.with(|host| *host.borrow_mut() = Some(Host { file_size, sha256_file, send }));
}

/// Whether a host gave its HTTP client.
pub(crate) fn has_host() -> bool {
    HOST.with(|host| host.borrow().is_some())
}

/// The length of the file at `path`, from the host.
pub(crate) fn file_size(path: &str) -> Result<u64, String> {
    HOST.with(|host| {
        let host = host.borrow();
        let host = host.as_ref().ok_or("reading a file needs Node; pass its bytes as content")?;
        let size = host.file_size.call1(&JsValue::NULL, &JsValue::from_str(path)).map_err(|e| describe(&e))?;
        size.as_f64().map(|n| n as u64).ok_or_else(|| format!("{path}: no length"))
    })
}

/// The SHA-256 (lowercase hex) of the file at `path`, from the host.
pub(crate) async fn file_sha256(path: &str) -> Result<String, String> {
    let promise = HOST.with(|host| {
        let host = host.borrow();
        let host = host.as_ref().ok_or("hashing a file needs Node; pass its bytes as content, or its sha256")?;
        let promise = host.sha256_file.call1(&JsValue::NULL, &JsValue::from_str(path)).map_err(|e| describe(&e))?;
        promise.dyn_into::<Promise>().map_err(|_| format!("{path}: sha256File did not return a Promise"))
    })?;
    let digest = JsFuture::from(promise).await.map_err(|e| describe(&e))?;
    digest.as_string().ok_or_else(|| format!("{path}: sha256File gave no text"))
}

/// Sends through the host's own HTTP client (Node's `http` module, with keep-alive): faster than
/// Node's fetch for small calls, and it streams a file body under backpressure, where fetch holds a
/// streamed body in memory. Dropping the future aborts the request.
///
/// The client's proxy and extra trust roots go to the host with each request, as one object made
/// when the client is (the host keys its connection pools by it), which the host applies (and,
/// without a proxy setting, the host's proxy variables).
#[derive(Clone, Debug, Default)]
pub struct HostTransport {
    /// `{proxy, ca}`, or `undefined` for a client with neither.
    network: JsValue,
}

impl HostTransport {
    /// A transport sending through `proxy`, trusting the PEM certificates `ca` beside the host's roots.
    pub fn new(proxy: Option<&str>, ca: Option<&str>) -> Self {
        if proxy.is_none() && ca.is_none() {
            return Self::default();
        }
        let network = js_sys::Object::new();
        for (key, value) in [("proxy", proxy), ("ca", ca)] {
            if let Some(value) = value {
                // Setting a property of a fresh plain object cannot fail.
                let _ = Reflect::set(&network, &JsValue::from_str(key), &JsValue::from_str(value));
            }
        }
        Self { network: network.into() }
    }
}

impl Transport for HostTransport {
    fn send(&self, request: http::Request<Body>) -> BoxFuture<'_, Result<http::Response<Bytes>, TransportError>> {
        Box::pin(async move {
            let connect = |e: JsValue| TransportError::connect(describe(&e));
            let mut guard = AbortOnDrop(AbortController::new().ok());
            let (mut parts, body) = request.into_parts();
            let body = match body {
                Body::Bytes(bytes) if bytes.is_empty() => JsValue::UNDEFINED,
                // A copy: the host writes it out after this call returns, when module memory may move.
                Body::Bytes(bytes) => Uint8Array::from(bytes.as_ref()).into(),
                Body::File(file) => {
                    parts.headers.insert(http::header::CONTENT_LENGTH, file.len.into());
                    let described = js_sys::Object::new();
                    let path = JsValue::from_str(&file.path.to_string_lossy());
                    Reflect::set(&described, &JsValue::from_str("path"), &path).map_err(connect)?;
                    Reflect::set(&described, &JsValue::from_str("length"), &JsValue::from_f64(file.len as f64))
                        .map_err(connect)?;
                    described.into()
                }
            };
            let headers = js_sys::Object::new();
            for name in parts.headers.keys() {
                let values: Vec<&str> = parts.headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).collect();
                let joined = JsValue::from_str(&values.join(", "));
                Reflect::set(&headers, &JsValue::from_str(name.as_str()), &joined).map_err(connect)?;
            }
            let signal = guard.0.as_ref().map(|c| JsValue::from(c.signal())).unwrap_or(JsValue::UNDEFINED);
            let args = Array::new();
            for arg in [
                JsValue::from_str(parts.method.as_str()),
                JsValue::from_str(&parts.uri.to_string()),
                headers.into(),
                body,
                signal,
                self.network.clone(),
            ] {
                args.push(&arg);
            }
            let promise = HOST
                .with(|host| host.borrow().as_ref().map(|host| Reflect::apply(&host.send, &JsValue::NULL, &args)))
                .ok_or_else(|| TransportError::connect("no host HTTP client"))?
                .map_err(connect)?;
            let answer = JsFuture::from(Promise::from(promise)).await.map_err(|e| host_error(&e))?;
            let read = |key: &str| Reflect::get(&answer, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
            let status = read("status").as_f64().unwrap_or(0.0) as u16;
            let mut out = http::Response::builder().status(status);
            let raw = Array::from(&read("headers"));
            for pair in 0..raw.length() / 2 {
                if let (Some(name), Some(value)) = (raw.get(pair * 2).as_string(), raw.get(pair * 2 + 1).as_string()) {
                    out = out.header(name, value);
                }
            }
            let body = read("body").dyn_into::<Uint8Array>().map(|b| b.to_vec()).unwrap_or_default();
            guard.0 = None; // done: nothing to abort
            out.body(Bytes::from(body)).map_err(|e| TransportError::broken(e.to_string()))
        })
    }
}

/// A rejection of the host's `send` as a transport error.
fn host_error(error: &JsValue) -> TransportError {
    let flag = |key: &str| Reflect::get(error, &JsValue::from_str(key)).ok().and_then(|v| v.as_bool());
    let message = describe(error);
    if flag("fileChanged") == Some(true) {
        TransportError::file_changed(message)
    } else if flag("sent") == Some(false) {
        TransportError::connect(message)
    } else {
        TransportError::broken(message)
    }
}

impl Transport for FetchTransport {
    fn send(&self, request: http::Request<Body>) -> BoxFuture<'_, Result<http::Response<Bytes>, TransportError>> {
        Box::pin(async move {
            let connect = |e: JsValue| TransportError::connect(describe(&e));
            // fetch reports every network failure alike, so once called the request may have gone out.
            let broken = |e: JsValue| TransportError::broken(describe(&e));
            let mut guard = AbortOnDrop(AbortController::new().ok());
            let (parts, body) = request.into_parts();
            let headers = Headers::new().map_err(connect)?;
            for (name, value) in &parts.headers {
                if let Ok(value) = value.to_str() {
                    headers.append(name.as_str(), value).map_err(connect)?;
                }
            }
            let init = RequestInit::new();
            init.set_method(parts.method.as_str());
            init.set_headers(&headers);
            if let Some(controller) = &guard.0 {
                init.set_signal(Some(&controller.signal()));
            }
            let uri = parts.uri.to_string();
            let request = match &body {
                Body::Bytes(bytes) if bytes.is_empty() => Request::new_with_str_and_init(&uri, &init),
                Body::Bytes(bytes) => {
                    // SAFETY: a view of the module's memory, read (copied) by the Request constructor
                    // right away, before anything can allocate and move that memory.
                    let view = unsafe { Uint8Array::view(bytes) };
                    init.set_body(&view);
                    Request::new_with_str_and_init(&uri, &init)
                }
                // Refused when the call is prepared: only a host with files (Node) makes file bodies,
                // and it sends them itself.
                Body::File(file) => {
                    return Err(TransportError::connect(format!(
                        "{}: files need the host transport",
                        file.path.display()
                    )))
                }
            }
            .map_err(connect)?;
            let response: web_sys::Response = JsFuture::from(global_fetch(&request).map_err(connect)?)
                .await
                .map_err(broken)?
                .dyn_into()
                .map_err(broken)?;
            let mut out = http::Response::builder().status(response.status());
            if let Ok(Some(entries)) = js_sys::try_iter(&response.headers()) {
                for entry in entries.flatten() {
                    let pair = Array::from(&entry);
                    if let (Some(name), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                        out = out.header(name, value);
                    }
                }
            }
            let buffer = JsFuture::from(response.array_buffer().map_err(broken)?).await.map_err(broken)?;
            let bytes = Uint8Array::new(&buffer).to_vec();
            guard.0 = None;
            out.body(Bytes::from(bytes)).map_err(|e| TransportError::broken(e.to_string()))
        })
    }
}

/// Waits with `setTimeout`.
#[derive(Clone, Copy, Debug, Default)]
pub struct JsSleep;

/// The longest delay `setTimeout` honours (2^31 - 1 ms); a longer one fires at once.
const MAX_TIMEOUT_MS: u128 = i32::MAX as u128;

impl Sleep for JsSleep {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(async move {
            // Whole milliseconds, rounded up: a wait cut short would reach a rate limit early.
            let mut left = duration.as_nanos().div_ceil(1_000_000);
            loop {
                let step = left.min(MAX_TIMEOUT_MS);
                gloo_timers::future::TimeoutFuture::new(step as u32).await;
                left -= step;
                if left == 0 {
                    break;
                }
            }
        })
    }
}

/// `Date.now()`, for both scales (the browser has no monotonic clock that works everywhere).
#[derive(Clone, Copy, Debug, Default)]
pub struct JsClock;

impl Clock for JsClock {
    fn monotonic(&self) -> Duration {
        self.unix_time()
    }

    fn unix_time(&self) -> Duration {
        Duration::from_secs_f64(js_sys::Date::now().max(0.0) / 1000.0)
    }
}
