//! Native runtime pieces: reqwest with rustls (pooled connections), tokio timers, the system clock.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::{Bytes, BytesMut};
use http::header::CONTENT_LENGTH;
use tokio::io::AsyncReadExt;

use super::{Body, BoxFuture, Clock, FileBody, Sleep, Transport, TransportError};
use crate::error::{Error, ErrorKind, Result};

/// Sends over reqwest (rustls, HTTP/1.1 and HTTP/2, pooled keep-alive connections, gzip, deflate and
/// brotli bodies decoded as they arrive).
///
/// TLS is rustls with *ring* for its cryptography. When the first pool is built and the process has
/// no rustls crypto provider yet, ring is installed as the default; an application that wants another
/// provider installs it before building a client.
///
/// A pooled connection is driven by a task on the runtime that opened it, so a connection opened
/// inside a current-thread runtime (such as the Python binding's blocking calls, which are much
/// faster on one) only makes progress while that runtime runs. The transport therefore keeps one pool
/// per runtime flavor, and a connection never serves a call on the other kind.
#[derive(Clone, Debug)]
pub struct ReqwestTransport {
    multi_thread: reqwest::Client,
    current_thread: std::sync::OnceLock<reqwest::Client>,
    settings: NetworkSettings,
}

/// What the transport's connections are made with.
#[derive(Clone, Debug, Default)]
pub struct NetworkSettings {
    /// The limit on making a connection.
    pub connect_timeout: Option<Duration>,
    /// The User-Agent header.
    pub user_agent: String,
    /// The proxy for every request; `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` decide when `None`.
    pub proxy: Option<crate::config::ProxyUrl>,
    /// PEM certificates trusted beside the platform's roots.
    pub ca_pem: Option<Vec<u8>>,
}

impl NetworkSettings {
    /// The settings of a client's configuration (the CA bundle read now).
    pub fn of(config: &crate::config::ClientConfig) -> Result<Self> {
        Ok(Self {
            connect_timeout: config.timeouts.connect,
            user_agent: config.user_agent.clone(),
            proxy: config.proxy.clone(),
            ca_pem: config.ca_bundle.as_ref().map(crate::config::CaBundle::pem).transpose()?,
        })
    }
}

impl ReqwestTransport {
    /// A transport whose connections are made with `settings`.
    pub fn new(settings: NetworkSettings) -> Result<Self> {
        let multi_thread = pool(&settings)?;
        Ok(Self { multi_thread, current_thread: std::sync::OnceLock::new(), settings })
    }

    /// The pool for the runtime this runs on.
    fn client(&self) -> Result<&reqwest::Client, TransportError> {
        let flavor = tokio::runtime::Handle::try_current().map(|handle| handle.runtime_flavor());
        if !matches!(flavor, Ok(tokio::runtime::RuntimeFlavor::CurrentThread)) {
            return Ok(&self.multi_thread);
        }
        if let Some(client) = self.current_thread.get() {
            return Ok(client);
        }
        let client = pool(&self.settings).map_err(|e| TransportError::connect(e.message().to_owned()))?;
        Ok(self.current_thread.get_or_init(|| client))
    }
}

/// One connection pool: keep-alive, `TCP_NODELAY`, HTTP/2 where the server offers it over TLS, no
/// redirects (the pipeline follows them, the same way on every platform).
fn pool(settings: &NetworkSettings) -> Result<reqwest::Client> {
    // zkit builds rustls with ring alone. A provider the application installed first is kept; once
    // installed, ring stays the process's default, as rustls asks of every library.
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
    let mut builder = reqwest::Client::builder()
        .user_agent(&settings.user_agent)
        .pool_idle_timeout(Duration::from_secs(90))
        .tcp_nodelay(true)
        .redirect(reqwest::redirect::Policy::none());
    if let Some(limit) = settings.connect_timeout {
        builder = builder.connect_timeout(limit);
    }
    if let Some(proxy) = &settings.proxy {
        let proxy = reqwest::Proxy::all(proxy.expose())
            .map_err(|e| Error::invalid_input("proxy", format!("{}: {}", proxy.shown(), chain(&e))))?;
        builder = builder.proxy(proxy);
    }
    let mut extra = Vec::new();
    if let Some(pem) = &settings.ca_pem {
        extra = reqwest::Certificate::from_pem_bundle(pem)
            .map_err(|e| Error::invalid_input("ca_bundle", format!("is not a PEM bundle: {}", chain(&e))))?;
    }
    // Android: the platform verifier needs the app's JNI context, so trust Mozilla's roots (and the
    // bundle) instead of the system's.
    #[cfg(target_os = "android")]
    {
        let mut roots = Vec::with_capacity(webpki_root_certs::TLS_SERVER_ROOT_CERTS.len() + extra.len());
        for der in webpki_root_certs::TLS_SERVER_ROOT_CERTS {
            roots.push(
                reqwest::Certificate::from_der(der.as_ref())
                    .map_err(|e| Error::new(ErrorKind::Connection, chain(&e)))?,
            );
        }
        roots.append(&mut extra);
        builder = builder.tls_certs_only(roots);
    }
    #[cfg(not(target_os = "android"))]
    if !extra.is_empty() {
        builder = builder.tls_certs_merge(extra);
    }
    builder.build().map_err(|e| Error::new(ErrorKind::Connection, chain(&e)))
}

impl Transport for ReqwestTransport {
    fn send(&self, request: http::Request<Body>) -> BoxFuture<'_, Result<http::Response<Bytes>, TransportError>> {
        Box::pin(async move {
            let (mut parts, body) = request.into_parts();
            // Set by a file body that turns out longer or shorter than it was: reqwest reports that
            // as a body error, which must not read as a broken connection.
            let changed = Arc::new(AtomicBool::new(false));
            let body = match body {
                Body::Bytes(bytes) => reqwest::Body::from(bytes),
                Body::File(file) => {
                    parts.headers.insert(CONTENT_LENGTH, file.len.into());
                    file_stream(file, changed.clone()).await?
                }
            };
            let request = reqwest::Request::try_from(http::Request::from_parts(parts, body))
                .map_err(|e| TransportError::connect(chain(&e)))?;
            let failed = |e: reqwest::Error| {
                if changed.load(Ordering::SeqCst) {
                    TransportError::file_changed(chain(&e))
                } else if e.is_connect() {
                    TransportError::connect(chain(&e))
                } else {
                    TransportError::broken(chain(&e))
                }
            };
            let mut response = self.client()?.execute(request).await.map_err(failed)?;
            let mut builder = http::Response::builder().status(response.status()).version(response.version());
            if let Some(headers) = builder.headers_mut() {
                *headers = std::mem::take(response.headers_mut());
            }
            let body = read_body(&mut response).await.map_err(|e| TransportError::broken(chain(&e)))?;
            builder.body(body).map_err(|e| TransportError::broken(e.to_string()))
        })
    }
}

/// The whole body. A body that arrives in one chunk is kept as it came; a longer one is gathered into
/// one buffer sized from Content-Length, so a large download costs its own size and little more.
async fn read_body(response: &mut reqwest::Response) -> reqwest::Result<Bytes> {
    let Some(first) = response.chunk().await? else { return Ok(Bytes::new()) };
    let Some(second) = response.chunk().await? else { return Ok(first) };
    let announced = response.content_length().and_then(|n| usize::try_from(n).ok()).unwrap_or(0);
    // A server's Content-Length is a hint, never an allocation it can force beyond what it sends.
    let capacity = announced.clamp(first.len() + second.len(), 1 << 30);
    let mut body = BytesMut::with_capacity(capacity);
    body.extend_from_slice(&first);
    body.extend_from_slice(&second);
    while let Some(chunk) = response.chunk().await? {
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// How much of a file is read at a time.
const FILE_CHUNK: usize = 256 * 1024;

/// A file as a streamed body of exactly `file.len` bytes: opened now (each attempt opens it anew), an
/// error if it is another length now or turns out to be while it is read; `changed` records that.
async fn file_stream(file: FileBody, changed: Arc<AtomicBool>) -> Result<reqwest::Body, TransportError> {
    let FileBody { path, len: expected } = file;
    let shown = path.display().to_string();
    let refuse = |changed: &AtomicBool, message: String| {
        changed.store(true, Ordering::SeqCst);
        TransportError::file_changed(message)
    };
    let handle = tokio::fs::File::open(&path).await.map_err(|e| refuse(&changed, format!("{shown}: {e}")))?;
    let now = handle.metadata().await.map_err(|e| refuse(&changed, format!("{shown}: {e}")))?.len();
    if now != expected {
        return Err(refuse(&changed, changed_size(&shown, expected)));
    }
    Ok(reqwest::Body::wrap_stream(chunks(handle, expected, changed, shown)))
}

/// The chunks of an open file that must hold `expected` bytes; an error (and `changed` set) as soon
/// as it proves longer or ends short.
fn chunks(
    handle: tokio::fs::File,
    expected: u64,
    changed: Arc<AtomicBool>,
    shown: String,
) -> impl futures_util::TryStream<Ok = Bytes, Error = std::io::Error> + Send + 'static {
    futures_util::stream::try_unfold((handle, 0u64), move |(mut handle, sent)| {
        let changed = changed.clone();
        let shown = shown.clone();
        async move {
            let mut chunk = BytesMut::with_capacity(FILE_CHUNK);
            let read = handle.read_buf(&mut chunk).await? as u64;
            let too_long = read > 0 && sent + read > expected;
            if too_long || (read == 0 && sent != expected) {
                changed.store(true, Ordering::SeqCst);
                return Err(std::io::Error::other(changed_size(&shown, expected)));
            }
            Ok((read > 0).then(|| (chunk.freeze(), (handle, sent + read))))
        }
    })
}

fn changed_size(shown: &str, expected: u64) -> String {
    format!("{shown} changed size while it was uploaded (it was {expected} bytes when the call began)")
}

/// An error and its causes on one line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Waits with tokio's timer; needs a tokio runtime with time enabled.
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioSleep;

impl Sleep for TokioSleep {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// The system's monotonic and wall clocks.
#[derive(Clone, Copy, Debug)]
pub struct SystemClock {
    origin: Instant,
}

impl SystemClock {
    /// A clock whose monotonic origin is now.
    pub fn new() -> Self {
        Self { origin: Instant::now() }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    fn monotonic(&self) -> Duration {
        self.origin.elapsed()
    }

    fn unix_time(&self) -> Duration {
        SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use futures_util::TryStreamExt;

    use super::*;

    async fn read_all(path: &std::path::Path, expected: u64) -> (std::io::Result<Vec<Bytes>>, bool) {
        let changed = Arc::new(AtomicBool::new(false));
        let handle = tokio::fs::File::open(path).await.unwrap();
        let result = chunks(handle, expected, changed.clone(), "f".into()).try_collect().await;
        (result, changed.load(Ordering::SeqCst))
    }

    #[tokio::test]
    async fn a_file_body_is_exactly_the_length_it_was_prepared_with() {
        let path = std::env::temp_dir().join(format!("zkit-chunks-{}", std::process::id()));
        std::fs::write(&path, vec![7u8; FILE_CHUNK * 2 + 5]).unwrap();
        let (whole, changed) = read_all(&path, (FILE_CHUNK * 2 + 5) as u64).await;
        assert_eq!(whole.unwrap().iter().map(Bytes::len).sum::<usize>(), FILE_CHUNK * 2 + 5);
        assert!(!changed);
        // Grown since it was measured: refused once the extra bytes show, not sent whole.
        let (grown, changed) = read_all(&path, FILE_CHUNK as u64).await;
        assert!(grown.unwrap_err().to_string().contains("changed size") && changed);
        // Shrunk: refused at its early end rather than sent short.
        let (shrunk, changed) = read_all(&path, (FILE_CHUNK * 3) as u64).await;
        assert!(shrunk.is_err() && changed);
        std::fs::remove_file(path).unwrap();
    }
}
