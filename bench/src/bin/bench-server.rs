//! A fixed-response HTTP/1.1 server for zkit's benchmarks: every client pays the same server cost.
//! Prints `BENCH_URL=http://127.0.0.1:PORT` as its first line, then serves keep-alive connections:
//!
//! - `GET /zerokie/v1/apps/{name}`: one 264-byte app;
//! - `GET /zerokie/v1/apps`: 10,000 apps, built once at start;
//! - `PUT /zerokie/v1/apps/{name}/files/{path...}`: reads and hashes the body as it streams in, 204;
//! - `GET /__bench/last-upload`: `{"length": n, "sha256": "…"}` of the last upload;
//! - `GET /download/{bytes}` (also under `/zerokie`): that many bytes, streamed;
//! - `GET /zyra/api/v1/invoices/{id}/pdf`: `--download-bytes` bytes of `application/pdf`.
//!
//! Authentication headers are ignored.

use std::convert::Infallible;
use std::io::Write;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use clap::Parser;
use http::{header, HeaderValue, Method, Request, Response, StatusCode};
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;

use zkit_bench::fixture::{app_json, app_list_json};

/// The size of the chunk a download repeats.
const CHUNK: usize = 64 * 1024;

/// The server's arguments.
#[derive(Parser, Debug)]
#[command(about = "A fixed-response server for zkit's benchmarks")]
struct Args {
    /// The port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The size of the invoice PDF, in bytes.
    #[arg(long, default_value_t = 100 * 1024 * 1024)]
    download_bytes: u64,
    /// Runtime worker threads (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
}

/// What the server holds: the prebuilt bodies and the last upload's figures.
struct State {
    app: Bytes,
    list: Bytes,
    chunk: Bytes,
    download_bytes: u64,
    last_upload: Mutex<(u64, String)>,
}

/// A response body: bytes held once, or a chunk repeated up to a length, never held whole.
enum Reply {
    Once(Option<Bytes>),
    Repeat { chunk: Bytes, remaining: u64 },
}

impl Body for Reply {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        let data = match this {
            Reply::Once(bytes) => bytes.take(),
            Reply::Repeat { chunk, remaining } => {
                if *remaining == 0 {
                    None
                } else {
                    let n = usize::try_from(*remaining).map_or(chunk.len(), |left| left.min(chunk.len()));
                    *remaining -= n as u64;
                    Some(chunk.slice(..n))
                }
            }
        };
        Poll::Ready(data.map(|bytes| Ok(Frame::data(bytes))))
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Reply::Once(bytes) => bytes.is_none(),
            Reply::Repeat { remaining, .. } => *remaining == 0,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Reply::Once(bytes) => SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64)),
            Reply::Repeat { remaining, .. } => SizeHint::with_exact(*remaining),
        }
    }
}

fn reply(status: StatusCode, content_type: Option<&'static str>, body: Reply) -> Response<Reply> {
    let length = body.size_hint().exact().unwrap_or(0);
    let mut response = Response::new(body);
    *response.status_mut() = status;
    if let Some(content_type) = content_type {
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    if status != StatusCode::NO_CONTENT {
        response.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    }
    response
}

fn json(status: StatusCode, body: impl Into<Bytes>) -> Response<Reply> {
    reply(status, Some("application/json"), Reply::Once(Some(body.into())))
}

fn not_found() -> Response<Reply> {
    json(StatusCode::NOT_FOUND, r#"{"error":"not found"}"#)
}

fn download(state: &State, bytes: u64, content_type: &'static str) -> Response<Reply> {
    reply(StatusCode::OK, Some(content_type), Reply::Repeat { chunk: state.chunk.clone(), remaining: bytes })
}

/// Reads an upload frame by frame, counting and hashing it, and keeps only the figures.
async fn upload(state: &State, mut body: Incoming) -> Response<Reply> {
    let mut hasher = Sha256::new();
    let mut length = 0u64;
    while let Some(frame) = body.frame().await {
        match frame {
            Ok(frame) => {
                if let Some(data) = frame.data_ref() {
                    length += data.len() as u64;
                    hasher.update(data);
                }
            }
            Err(e) => return json(StatusCode::BAD_REQUEST, format!(r#"{{"error":"body: {e}"}}"#)),
        }
    }
    let digest: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    *state.last_upload.lock().unwrap_or_else(|e| e.into_inner()) = (length, digest);
    reply(StatusCode::NO_CONTENT, None, Reply::Once(None))
}

async fn handle(state: Arc<State>, request: Request<Incoming>) -> Result<Response<Reply>, Infallible> {
    let path = request.uri().path().to_owned();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let method = request.method().clone();
    let response = match (&method, segments.as_slice()) {
        (&Method::GET, ["zerokie", "v1", "apps"]) => json(StatusCode::OK, state.list.clone()),
        (&Method::GET, ["zerokie", "v1", "apps", name]) if !name.is_empty() => json(StatusCode::OK, state.app.clone()),
        (&Method::PUT, ["zerokie", "v1", "apps", name, "files", rest @ ..]) if !name.is_empty() && !rest.is_empty() => {
            upload(&state, request.into_body()).await
        }
        (&Method::GET, ["__bench", "last-upload"]) => {
            let (length, sha256) = state.last_upload.lock().unwrap_or_else(|e| e.into_inner()).clone();
            json(StatusCode::OK, format!(r#"{{"length":{length},"sha256":"{sha256}"}}"#))
        }
        (&Method::GET, ["download", bytes] | ["zerokie", "download", bytes]) => match bytes.parse::<u64>() {
            Ok(bytes) => download(&state, bytes, "application/octet-stream"),
            Err(_) => json(StatusCode::BAD_REQUEST, r#"{"error":"the size must be a number of bytes"}"#),
        },
        (&Method::GET, ["zyra", "api", "v1", "invoices", id, "pdf"]) if !id.is_empty() => {
            download(&state, state.download_bytes, "application/pdf")
        }
        _ => not_found(),
    };
    Ok(response)
}

async fn serve(args: Args) -> std::io::Result<()> {
    let state = Arc::new(State {
        app: Bytes::from(app_json(1)),
        list: Bytes::from(app_list_json()),
        chunk: Bytes::from((0..CHUNK).map(|i| (i % 251) as u8).collect::<Vec<u8>>()),
        download_bytes: args.download_bytes,
        last_upload: Mutex::new((0, String::new())),
    });
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], args.port))).await?;
    let mut stdout = std::io::stdout();
    writeln!(stdout, "BENCH_URL=http://{}", listener.local_addr()?)?;
    stdout.flush()?;
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        let state = state.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| handle(state.clone(), request));
            // A client that goes away mid-request is not the server's concern.
            let _ = http1::Builder::new().keep_alive(true).serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(threads) = args.threads {
        runtime.worker_threads(threads.max(1));
    }
    runtime.enable_all().build()?.block_on(serve(args))
}
