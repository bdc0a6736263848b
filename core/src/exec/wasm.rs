//! wasm32 runtime pieces: the global `fetch` (browsers, workers and Node 18+ alike), JavaScript
//! timers and `Date.now()`.

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

/// How a host with files (Node) lets the core send one: `size(path)` gives a file's length (throwing
/// when it cannot), `open(path, length)` a `ReadableStream` of exactly that many bytes (erroring if
/// the file ends early). Pages have no files; there, a file upload is refused as invalid input.
struct FileAccess {
    size: Function,
    open: Function,
}

thread_local! {
    static FILES: std::cell::RefCell<Option<FileAccess>> = const { std::cell::RefCell::new(None) };
}

/// Gives the core the host's file access (see the binding's Node entry point).
pub fn set_file_access(size: Function, open: Function) {
    FILES.with(|files| *files.borrow_mut() = Some(FileAccess { size, open }));
}

/// The length of the file at `path`, from the host.
pub(crate) fn file_size(path: &str) -> Result<u64, String> {
    FILES.with(|files| {
        let files = files.borrow();
        let files = files.as_ref().ok_or("reading a file needs Node; pass its bytes as content")?;
        let size = files.size.call1(&JsValue::NULL, &JsValue::from_str(path)).map_err(|e| describe(&e))?;
        size.as_f64().map(|n| n as u64).ok_or_else(|| format!("{path}: no length"))
    })
}

fn open_file(path: &str, len: u64) -> Result<JsValue, String> {
    FILES.with(|files| {
        let files = files.borrow();
        let files = files.as_ref().ok_or("reading a file needs Node")?;
        files
            .open
            .call2(&JsValue::NULL, &JsValue::from_str(path), &JsValue::from_f64(len as f64))
            .map_err(|e| describe(&e))
    })
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
            let file = match &body {
                Body::File(file) => Some((file.path.to_string_lossy().into_owned(), file.len)),
                Body::Bytes(_) => None,
            };
            let request = match &body {
                Body::Bytes(bytes) if bytes.is_empty() => Request::new_with_str_and_init(&uri, &init),
                Body::Bytes(bytes) => {
                    // SAFETY: a view of the module's memory, read (copied) by the Request constructor
                    // right away, before anything can allocate and move that memory.
                    let view = unsafe { Uint8Array::view(bytes) };
                    init.set_body(&view);
                    Request::new_with_str_and_init(&uri, &init)
                }
                Body::File(_) => {
                    let (path, len) = file.as_ref().expect("a file body");
                    let changed = |message: String| TransportError::file_changed(message);
                    let now = file_size(path).map_err(changed)?;
                    if now != *len {
                        return Err(changed(format!(
                            "{path} changed size while it was uploaded ({len} bytes when the call began)"
                        )));
                    }
                    init.set_body(&open_file(path, *len).map_err(changed)?);
                    // A streamed body goes out while the response may already come back.
                    Reflect::set(&init, &JsValue::from_str("duplex"), &JsValue::from_str("half")).map_err(connect)?;
                    Request::new_with_str_and_init(&uri, &init)
                }
            }
            .map_err(connect)?;
            let sent = JsFuture::from(global_fetch(&request).map_err(connect)?).await;
            let response: web_sys::Response = match sent {
                Ok(response) => response.dyn_into().map_err(broken)?,
                // A file that is another length now is why its stream failed.
                Err(error) => match &file {
                    Some((path, len)) if file_size(path).ok() != Some(*len) => {
                        return Err(TransportError::file_changed(format!(
                            "{path} changed size while it was uploaded ({len} bytes when the call began)"
                        )))
                    }
                    _ => return Err(broken(error)),
                },
            };
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
