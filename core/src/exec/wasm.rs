//! wasm32 runtime pieces: fetch (through gloo-net), JavaScript timers and `Date.now()`.

use std::time::Duration;

use bytes::Bytes;

use super::{BoxFuture, Clock, Sleep, Transport, TransportError};

/// Sends with the platform's `fetch`. Dropping the future aborts the fetch.
#[derive(Clone, Copy, Debug, Default)]
pub struct FetchTransport;

/// Aborts the fetch when the call is dropped before it completes.
struct AbortOnDrop(Option<web_sys::AbortController>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(controller) = self.0.take() {
            controller.abort();
        }
    }
}

impl Transport for FetchTransport {
    fn send(&self, request: http::Request<Bytes>) -> BoxFuture<'_, Result<http::Response<Bytes>, TransportError>> {
        Box::pin(async move {
            let controller = web_sys::AbortController::new().ok();
            let mut guard = AbortOnDrop(controller);
            let (parts, body) = request.into_parts();
            let mut builder = gloo_net::http::RequestBuilder::new(&parts.uri.to_string())
                .method(parts.method.as_str().parse().map_err(|_| TransportError::connect("unsupported HTTP method"))?);
            for (name, value) in &parts.headers {
                if let Ok(value) = value.to_str() {
                    builder = builder.header(name.as_str(), value);
                }
            }
            if let Some(controller) = &guard.0 {
                builder = builder.abort_signal(Some(&controller.signal()));
            }
            let request =
                if body.is_empty() { builder.build() } else { builder.body(js_sys::Uint8Array::from(body.as_ref())) }
                    .map_err(|e| TransportError::connect(e.to_string()))?;
            // fetch reports every network failure alike, so the request may have gone out.
            let response = request.send().await.map_err(|e| TransportError::broken(e.to_string()))?;
            let mut out = http::Response::builder().status(response.status());
            for (name, value) in response.headers().entries() {
                out = out.header(name, value);
            }
            let bytes = response.binary().await.map_err(|e| TransportError::broken(e.to_string()))?;
            guard.0 = None;
            out.body(Bytes::from(bytes)).map_err(|e| TransportError::broken(e.to_string()))
        })
    }
}

/// Waits with `setTimeout`.
#[derive(Clone, Copy, Debug, Default)]
pub struct JsSleep;

impl Sleep for JsSleep {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        let millis = u32::try_from(duration.as_millis()).unwrap_or(u32::MAX);
        Box::pin(gloo_timers::future::TimeoutFuture::new(millis))
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
