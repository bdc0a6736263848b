//! The accept loop and the per-request frame around the router: CORS, request ids, the journal and
//! injected faults.
//!
//! The loop serves each connection with hyper-util's auto (HTTP/1 and HTTP/2) builder and a service
//! that wraps the axum router. Returning an error from that service makes hyper drop the
//! connection without a response, which is how a `reset` fault is acted out; a `truncated` fault
//! answers with a body stream that fails after its first bytes.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::response::IntoResponse;
use axum::Router;
use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};
use tower::ServiceExt;

use crate::faults::{self, Outcome};
use crate::journal::JournalEntry;
use crate::{cors, ApiError, PeerIp, RequestId, Shared, Target};

/// The largest request body the sandbox reads (512 MiB, room for a large static asset); larger ones
/// get 413.
const MAX_BODY: usize = 512 * 1024 * 1024;
/// How long shutdown waits for requests in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// The header carrying each response's request id.
const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A running accept loop.
pub(crate) struct Running {
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Running {
    /// Stops the loop and waits until every connection is closed.
    pub(crate) async fn shutdown(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// Serves `router` on `listener` in a task of the current runtime, until [`Running::shutdown`] or
/// until the [`Running`] is dropped.
/// With `tls`, connections are HTTPS.
pub(crate) fn spawn(
    listener: TcpListener,
    shared: Arc<Shared>,
    router: Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
) -> Running {
    let (stop, stopped) = oneshot::channel();
    let task = tokio::spawn(accept_loop(listener, shared, router, tls, stopped));
    Running { stop, task }
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    router: Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
    mut stopped: oneshot::Receiver<()>,
) {
    let builder = auto::Builder::new(TokioExecutor::new());
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            // A send or a dropped sender: either way, stop.
            _ = &mut stopped => break,
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(_) => {
                        // Out of descriptors or a connection that died in the backlog: wait a
                        // moment rather than spin.
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let (shared, router) = (shared.clone(), router.clone());
                let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
                    request.extensions_mut().insert(PeerIp(peer.ip()));
                    serve(shared.clone(), router.clone(), request)
                });
                match &tls {
                    None => {
                        let connection = builder.serve_connection(TokioIo::new(stream), service).into_owned();
                        let connection = graceful.watch(connection);
                        connections.spawn(async move {
                            let _ = connection.await;
                        });
                    }
                    Some(acceptor) => {
                        // The handshake runs in the connection's task; a client that refuses the
                        // certificate ends only its own connection.
                        let (acceptor, builder, watcher) = (acceptor.clone(), builder.clone(), graceful.watcher());
                        connections.spawn(async move {
                            let Ok(stream) = acceptor.accept(stream).await else { return };
                            let connection = builder.serve_connection(TokioIo::new(stream), service).into_owned();
                            let _ = watcher.watch(connection).await;
                        });
                    }
                }
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
    connections.shutdown().await;
}

/// The service error that makes hyper close the connection without answering.
#[derive(Debug)]
struct CloseConnection;

impl fmt::Display for CloseConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection closed by the sandbox")
    }
}

impl std::error::Error for CloseConnection {}

/// One request through the frame.
async fn serve(
    shared: Arc<Shared>,
    router: Router,
    mut request: Request<Incoming>,
) -> Result<Response<Body>, CloseConnection> {
    let request_id = shared.next_request_id();
    request.extensions_mut().insert(RequestId(request_id.clone()));
    let mut response =
        if request.method() == Method::OPTIONS { cors::preflight() } else { handle(&shared, router, request).await? };
    let headers = response.headers_mut();
    cors::apply(headers);
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        headers.insert(REQUEST_ID, value);
    }
    Ok(response)
}

/// Reads the body, then: control requests go straight to the router; API requests are journaled
/// and may meet a fault first.
async fn handle(
    shared: &Shared,
    router: Router,
    request: Request<Incoming>,
) -> Result<Response<Body>, CloseConnection> {
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) if error.is::<LengthLimitError>() => {
            let message = format!("request body larger than {MAX_BODY} bytes");
            return Ok(ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, message).into_response());
        }
        // The client went away mid-body.
        Err(_) => return Err(CloseConnection),
    };
    let target = Target::of(parts.uri.path());
    let api = match target {
        Target::Control => return Ok(route(router, parts, body).await),
        Target::Api(name) => name,
        Target::Unknown => "unknown",
    };
    let fault = match target {
        Target::Api(_) => shared.faults.take(parts.method.as_str(), parts.uri.path()),
        _ => None,
    };
    let fault_name = fault.as_ref().map(|f| f.kind.as_str().to_owned());
    let seq = shared.journal.record(JournalEntry::new(api, &parts, body.len(), fault_name));
    let outcome = match &fault {
        Some(fault) => faults::act(fault, &parts.headers).await,
        None => Outcome::Handle,
    };
    let response = match outcome {
        Outcome::Reset => return Err(CloseConnection),
        Outcome::Respond(response) => response,
        Outcome::Handle => route(router, parts, body).await,
        Outcome::Encode(encoding) => faults::encode(route(router, parts, body).await, encoding).await,
    };
    shared.journal.answered(seq, Some(response.status().as_u16()));
    Ok(response)
}

/// Hands the request, body read, to the router.
async fn route(router: Router, parts: http::request::Parts, body: Bytes) -> Response<Body> {
    match router.oneshot(Request::from_parts(parts, Body::from(body))).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}
