//! The traits the pipeline runs on: a [`Transport`] that sends one request, a [`Sleep`] that waits, a
//! [`Clock`] that tells time. The pipeline itself never opens a socket or reads a clock; native and
//! wasm32 differ only in which implementations they plug in.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;

pub mod manual;
#[cfg(all(feature = "native", not(target_arch = "wasm32")))]
pub mod native;
pub(crate) mod rate_limit;
#[cfg(all(feature = "redis", not(target_arch = "wasm32")))]
pub(crate) mod rate_store;
pub(crate) mod retry;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

/// Marker for what may cross threads: `Send + Sync` on native, nothing on wasm32, where JavaScript
/// values are bound to their thread.
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSend: Send + Sync {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Send + Sync + ?Sized> MaybeSend for T {}

/// Marker for what may cross threads: `Send + Sync` on native, nothing on wasm32, where JavaScript
/// values are bound to their thread.
#[cfg(target_arch = "wasm32")]
pub trait MaybeSend {}
#[cfg(target_arch = "wasm32")]
impl<T: ?Sized> MaybeSend for T {}

/// A boxed future: `Send` on native, not on wasm32.
#[cfg(not(target_arch = "wasm32"))]
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A boxed future: `Send` on native, not on wasm32.
#[cfg(target_arch = "wasm32")]
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// A request body: bytes in memory, or a file the transport streams from disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// Bytes held in memory (shared, so a retry costs no copy).
    Bytes(Bytes),
    /// A file read in chunks while it is sent, reopened for each attempt.
    File(FileBody),
}

/// A file to send as a body: where it is, and the length it had when the call was prepared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileBody {
    /// The file on disk.
    pub path: std::path::PathBuf,
    /// Its length when the request was built; a file that is longer or shorter when it is sent is
    /// refused rather than sent cut or padded.
    pub len: u64,
}

impl Body {
    /// The number of bytes the body holds.
    pub fn len(&self) -> u64 {
        match self {
            Body::Bytes(bytes) => bytes.len() as u64,
            Body::File(file) => file.len,
        }
    }

    /// Whether the body holds no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes of a body held in memory; `None` for a file.
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match self {
            Body::Bytes(bytes) => Some(bytes),
            Body::File(_) => None,
        }
    }
}

impl Default for Body {
    fn default() -> Self {
        Body::Bytes(Bytes::new())
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Self {
        Body::Bytes(bytes)
    }
}

/// Why a request got no HTTP response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransportError {
    /// Whether any of the request may have reached the server. When false, a retry is always safe.
    pub maybe_sent: bool,
    /// What happened, free of credentials.
    pub message: String,
    /// Whether the body's file changed size while it was sent: the caller's input is at fault, and
    /// a retry would not help.
    pub file_changed: bool,
}

impl TransportError {
    /// The connection could not be made: nothing was sent.
    pub fn connect(message: impl Into<String>) -> Self {
        Self { maybe_sent: false, message: message.into(), file_changed: false }
    }

    /// The connection broke after the request may have gone out.
    pub fn broken(message: impl Into<String>) -> Self {
        Self { maybe_sent: true, message: message.into(), file_changed: false }
    }

    /// The body's file was not the length it had when the call was prepared.
    pub fn file_changed(message: impl Into<String>) -> Self {
        Self { maybe_sent: true, message: message.into(), file_changed: true }
    }
}

/// Sends one HTTP request and returns the whole response. Retries, timeouts and auth are not its
/// concern; it is the only place bytes meet a socket.
pub trait Transport: MaybeSend {
    /// Sends `request`. Dropping the future abandons the request.
    fn send(&self, request: http::Request<Body>) -> BoxFuture<'_, Result<http::Response<Bytes>, TransportError>>;
}

/// Waits.
pub trait Sleep: MaybeSend {
    /// A wait the pipeline chose to take (backoff, Retry-After, rate limit): completes after `duration`.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;

    /// A timer raced against a request (attempt timeout, deadline): completes after `duration`. A
    /// simulated clock skips [`Sleep::sleep`] at once but lets a timer fire only when time passes.
    fn timer(&self, duration: Duration) -> BoxFuture<'static, ()> {
        self.sleep(duration)
    }
}

/// Tells time.
pub trait Clock: MaybeSend {
    /// Time on a monotonic scale with an arbitrary origin, for deadlines and rate limits.
    fn monotonic(&self) -> Duration;
    /// Time since the Unix epoch, for HTTP dates in `Retry-After`.
    fn unix_time(&self) -> Duration;
}

/// The platform's transport: reqwest on native; on wasm32 the host's HTTP client where it lends one
/// (Node), else fetch.
pub(crate) fn default_transport(config: &crate::config::ClientConfig) -> crate::Result<std::sync::Arc<dyn Transport>> {
    #[cfg(all(feature = "native", not(target_arch = "wasm32")))]
    return Ok(std::sync::Arc::new(native::ReqwestTransport::new(native::NetworkSettings::of(config)?)?));
    #[cfg(target_arch = "wasm32")]
    return {
        if wasm::has_host() {
            let ca = config.ca_bundle.as_ref().map(crate::config::CaBundle::pem).transpose()?;
            let ca = ca.map(|pem| String::from_utf8_lossy(&pem).into_owned());
            let proxy = config.proxy.as_ref().map(crate::config::ProxyUrl::expose);
            Ok(std::sync::Arc::new(wasm::HostTransport::new(proxy, ca.as_deref())))
        } else if config.proxy.is_some() || config.ca_bundle.is_some() {
            let field = if config.proxy.is_some() { "proxy" } else { "ca_bundle" };
            Err(crate::Error::invalid_input(field, "a browser uses its own proxy and trust settings"))
        } else {
            Ok(std::sync::Arc::new(wasm::FetchTransport))
        }
    };
    #[cfg(not(any(feature = "native", target_arch = "wasm32")))]
    return {
        let _ = config;
        Err(crate::Error::invalid_input("transport", "no default transport: enable the `native` feature or pass one"))
    };
}

type TimePair = (Option<std::sync::Arc<dyn Clock>>, Option<std::sync::Arc<dyn Sleep>>);

/// The platform's clock and sleep, where it has them.
pub(crate) fn default_time() -> TimePair {
    #[cfg(all(feature = "native", not(target_arch = "wasm32")))]
    return (Some(std::sync::Arc::new(native::SystemClock::new())), Some(std::sync::Arc::new(native::TokioSleep)));
    #[cfg(target_arch = "wasm32")]
    return (Some(std::sync::Arc::new(wasm::JsClock)), Some(std::sync::Arc::new(wasm::JsSleep)));
    #[cfg(not(any(feature = "native", target_arch = "wasm32")))]
    return (None, None);
}

/// 64 bits that differ between calls and processes: for identifiers, not for secrets.
pub fn unique_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    #[cfg(not(target_arch = "wasm32"))]
    hasher
        .write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos());
    #[cfg(target_arch = "wasm32")]
    hasher.write_u64((js_sys::Math::random() * 9_007_199_254_740_992.0) as u64 ^ (js_sys::Date::now() as u64));
    hasher.finish()
}
