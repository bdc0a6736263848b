//! Native runtime pieces: reqwest with rustls (pooled connections), tokio timers, the system clock.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;

use super::{BoxFuture, Clock, Sleep, Transport, TransportError};
use crate::error::{Error, ErrorKind, Result};

/// Sends over reqwest (rustls, HTTP/1.1 and HTTP/2, a connection pool per client).
#[derive(Clone, Debug)]
pub struct ReqwestTransport {
    client: reqwest::Client,
}

impl ReqwestTransport {
    /// A transport whose connections must be made within `connect_timeout`, naming itself
    /// `user_agent`.
    pub fn new(connect_timeout: Option<Duration>, user_agent: &str) -> Result<Self> {
        let mut builder = reqwest::Client::builder()
            .user_agent(user_agent)
            .pool_idle_timeout(Duration::from_secs(90))
            .redirect(reqwest::redirect::Policy::none());
        if let Some(limit) = connect_timeout {
            builder = builder.connect_timeout(limit);
        }
        let client = builder.build().map_err(|e| Error::new(ErrorKind::Connection, chain(&e)))?;
        Ok(Self { client })
    }
}

impl Transport for ReqwestTransport {
    fn send(&self, request: http::Request<Bytes>) -> BoxFuture<'_, Result<http::Response<Bytes>, TransportError>> {
        Box::pin(async move {
            let request = reqwest::Request::try_from(request).map_err(|e| TransportError::connect(chain(&e)))?;
            let response = self.client.execute(request).await.map_err(|e| {
                if e.is_connect() {
                    TransportError::connect(chain(&e))
                } else {
                    TransportError::broken(chain(&e))
                }
            })?;
            let mut builder = http::Response::builder().status(response.status()).version(response.version());
            if let Some(headers) = builder.headers_mut() {
                *headers = response.headers().clone();
            }
            let body = response.bytes().await.map_err(|e| TransportError::broken(chain(&e)))?;
            builder.body(body).map_err(|e| TransportError::broken(e.to_string()))
        })
    }
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
