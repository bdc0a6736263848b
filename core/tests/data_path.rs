//! Bytes over real HTTP against the in-process sandbox: uploads from memory and streamed from disk
//! arrive byte for byte, downloads come back whole, and a file that is missing or changes size is
//! the caller's error, found before anything is sent or before a corrupt upload lands.

mod common;

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use sha2::{Digest, Sha256};
use zkit::exec::native::ReqwestTransport;
use zkit::exec::BoxFuture;
use zkit::zerokie::*;
use zkit::{Body, ErrorKind, RawRequest, Transport, TransportError};
use zkit_sandbox::{Fault, FaultKind, Sandbox};

const MIB: usize = 1024 * 1024;

/// Bytes that differ from offset to offset, so a shifted or repeated chunk cannot pass.
fn pattern(len: usize) -> Vec<u8> {
    let mut state = 0x2545_f491_u32;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        })
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// What the sandbox's control API says of the file at `path` of `app`.
async fn control_file(sandbox: &Sandbox, app: &str, path: &str) -> serde_json::Value {
    let url = format!("{}/__sandbox/zerokie/apps/{app}/files/{path}", sandbox.url());
    serde_json::from_slice(&common::http().get(url).send().await.unwrap().bytes().await.unwrap()).unwrap()
}

/// What the sandbox holds at `path` of `app`: `(length, sha256)`, from its control API.
async fn stored(sandbox: &Sandbox, app: &str, path: &str) -> (u64, String) {
    let digest = control_file(sandbox, app, path).await;
    (digest["length"].as_u64().unwrap(), digest["sha256"].as_str().unwrap().to_owned())
}

async fn static_site(sandbox: &Sandbox) -> Zerokie {
    let zerokie = common::zerokie(sandbox);
    zerokie.create_app(CreateApp::static_site("my-site")).await.unwrap();
    zerokie
}

fn temp_file(name: &str, content: &[u8]) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("zkit-data-path-{}-{name}", std::process::id()));
    std::fs::write(&path, content).unwrap();
    path
}

#[tokio::test]
async fn a_20_mib_upload_from_memory_and_from_a_file_arrives_byte_for_byte() {
    let sandbox = common::sandbox().await;
    let zerokie = static_site(&sandbox).await;
    let content = pattern(20 * MIB);
    let digest = sha256_hex(&content);

    zerokie.upload_file(UploadFile::new("my-site", "memory.bin", Bytes::from(content.clone()))).await.unwrap();
    assert_eq!(stored(&sandbox, "my-site", "memory.bin").await, (content.len() as u64, digest.clone()));

    let file = temp_file("upload.bin", &content);
    let upload = UploadFile::from_file("my-site", "video/clip.mp4", file.to_str().unwrap());
    zerokie.upload_file(upload).await.unwrap();
    assert_eq!(stored(&sandbox, "my-site", "video/clip.mp4").await, (content.len() as u64, digest));
    let digest = control_file(&sandbox, "my-site", "video/clip.mp4").await;
    assert_eq!(digest["content_type"], "video/mp4", "the type still comes from the path");

    // The sandbox's read-back route answers the bytes as they were stored: a download.
    let back = zerokie.raw(RawRequest::new(http::Method::GET, "/v1/apps/my-site/files/video/clip.mp4")).await.unwrap();
    assert_eq!(back.body.as_ref(), content.as_slice());
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn a_retried_file_upload_reopens_the_file() {
    let sandbox = common::sandbox().await;
    let zerokie = static_site(&sandbox).await;
    let content = pattern(3 * MIB + 17);
    let file = temp_file("retried.bin", &content);
    sandbox.inject(Fault {
        method: Some("PUT".into()),
        kind: FaultKind::Status,
        status: Some(503),
        ..Fault::default()
    });
    let response = zerokie
        .upload_file(UploadFile::from_file("my-site", "retried.bin", file.to_str().unwrap()))
        .send_with_meta()
        .await
        .unwrap();
    assert_eq!(response.meta.attempts, 2);
    assert_eq!(stored(&sandbox, "my-site", "retried.bin").await, (content.len() as u64, sha256_hex(&content)));
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn a_missing_file_is_refused_before_anything_is_sent() {
    let sandbox = common::sandbox().await;
    let zerokie = static_site(&sandbox).await;
    sandbox.clear_journal();
    let missing = std::env::temp_dir().join("zkit-no-such-file.bin");
    let error =
        zerokie.upload_file(UploadFile::from_file("my-site", "a.bin", missing.to_str().unwrap())).await.unwrap_err();
    assert_eq!((error.kind(), error.field()), (ErrorKind::InvalidInput, Some("file")));
    assert!(error.message().contains("zkit-no-such-file.bin"), "{}", error.message());

    let mut both = UploadFile::from_file("my-site", "a.bin", missing.to_str().unwrap());
    both.content = Bytes::from_static(b"x");
    let error = zerokie.upload_file(both).await.unwrap_err();
    assert_eq!((error.kind(), error.field()), (ErrorKind::InvalidInput, Some("file")));

    let error = zerokie.raw(RawRequest::new(http::Method::PUT, "/v1/x").file(&missing, "a/b")).await.unwrap_err();
    assert_eq!((error.kind(), error.field()), (ErrorKind::InvalidInput, Some("file")));
    assert!(sandbox.journal().is_empty(), "nothing reached the sandbox");
}

/// A transport that grows the file of a file body just before each send, as a file still being
/// written would.
struct GrowsTheFile {
    inner: ReqwestTransport,
    sends: AtomicUsize,
}

impl Transport for GrowsTheFile {
    fn send(&self, request: http::Request<Body>) -> BoxFuture<'_, Result<http::Response<Bytes>, TransportError>> {
        self.sends.fetch_add(1, Ordering::SeqCst);
        if let Body::File(file) = request.body() {
            std::fs::OpenOptions::new().append(true).open(&file.path).unwrap().write_all(b"more").unwrap();
        }
        self.inner.send(request)
    }
}

#[tokio::test]
async fn a_file_that_changes_size_is_an_error_and_is_not_retried() {
    let sandbox = common::sandbox().await;
    static_site(&sandbox).await;
    let transport = Arc::new(GrowsTheFile {
        inner: ReqwestTransport::new(zkit::exec::native::NetworkSettings {
            user_agent: "zkit-test".into(),
            ..Default::default()
        })
        .unwrap(),
        sends: 0.into(),
    });
    let zerokie = common::zerokie_builder(&sandbox).transport(transport.clone()).build().unwrap();
    let file = temp_file("growing.bin", &pattern(MIB));
    let error =
        zerokie.upload_file(UploadFile::from_file("my-site", "growing.bin", file.to_str().unwrap())).await.unwrap_err();
    assert_eq!((error.kind(), error.field()), (ErrorKind::InvalidInput, Some("file")));
    assert!(error.message().contains("changed size"), "{}", error.message());
    assert_eq!(transport.sends.load(Ordering::SeqCst), 1, "not retried");
    let files = common::zerokie(&sandbox).list_files("my-site").await.unwrap();
    assert!(files.is_empty(), "nothing was stored");
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn downloads_and_uploads_by_name_keep_bytes_beside_the_json() {
    let sandbox = common::sandbox().await;
    let zerokie = static_site(&sandbox).await;
    let content = Bytes::from(pattern(MIB));
    let input = serde_json::json!({"name": "my-site", "path": "blob.bin"});
    zerokie.call_payload("upload_file", input, Some(content.clone()), Default::default()).await.unwrap();
    assert_eq!(stored(&sandbox, "my-site", "blob.bin").await.1, sha256_hex(&content));

    // Content where an operation has none is refused by name.
    let error = zerokie
        .call_payload("get_app", serde_json::json!({"name": "my-site"}), Some(content), Default::default())
        .await
        .unwrap_err();
    assert_eq!((error.kind(), error.field()), (ErrorKind::InvalidInput, Some("content")));

    // A JSON array of numbers is not content.
    let error = zerokie
        .call_json(
            "upload_file",
            serde_json::json!({"name": "my-site", "path": "a", "content": [1, 2]}),
            Default::default(),
        )
        .await
        .unwrap_err();
    assert_eq!((error.kind(), error.field()), (ErrorKind::InvalidInput, Some("content")));

    let got = zerokie.call_payload("get_app", serde_json::json!({"name": "my-site"}), None, Default::default()).await;
    match got.unwrap().data {
        zkit::Payload::Json(text) => {
            let app: serde_json::Value = serde_json::from_slice(&text).unwrap();
            assert_eq!(app["name"], "my-site");
        }
        other => panic!("expected JSON, got {other:?}"),
    }
}

#[tokio::test]
async fn a_download_is_the_same_bytes_typed_by_name_and_raw() {
    use base64::Engine as _;
    let sandbox = common::sandbox().await;
    let zyra = zkit::Zyra::builder()
        .api_key(zkit_sandbox::credentials::ZYRA_ADMIN_KEY)
        .base_url(sandbox.base_url("zyra"))
        .rate_limit(false)
        .build()
        .unwrap();
    let invoice = zyra.list_invoices(zkit::zyra::ListInvoices::default()).await.unwrap().items.remove(0);
    let typed = zyra.download_invoice_pdf(invoice.id.as_str()).await.unwrap();
    let raw = zyra.raw(RawRequest::new(http::Method::GET, format!("/invoices/{}/pdf", invoice.id))).await.unwrap();
    assert_eq!((typed.content.as_ref(), typed.content_type.as_str()), (raw.body.as_ref(), "application/pdf"));

    let by_name =
        zyra.call_payload("download_invoice_pdf", serde_json::json!({"id": invoice.id}), None, Default::default());
    match by_name.await.unwrap().data {
        zkit::Payload::Bytes(download) => assert_eq!(download, typed),
        other => panic!("expected bytes, got {other:?}"),
    }
    // JSON callers get the bytes as base64 text, never as numbers.
    let json = zyra.call_json("download_invoice_pdf", serde_json::json!({"id": invoice.id}), Default::default());
    let json = json.await.unwrap().data;
    let decoded = base64::engine::general_purpose::STANDARD.decode(json["content_base64"].as_str().unwrap()).unwrap();
    assert_eq!(
        (decoded.as_slice(), json["length"].as_u64()),
        (typed.content.as_ref(), Some(typed.content.len() as u64))
    );
}

/// A connection is driven by a task on the runtime that opened it; one opened by a blocking call on
/// a current-thread runtime must not be handed to a call on another runtime, where nothing would
/// drive it (the Python binding makes blocking calls that way, and asyncio calls on a thread pool).
#[test]
fn one_client_serves_current_thread_and_multi_thread_runtimes_in_turn() {
    let server = tokio::runtime::Runtime::new().unwrap();
    let sandbox = server.block_on(common::sandbox());
    let zerokie = common::zerokie(&sandbox);
    let current = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let multi = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    for round in 0..3 {
        let call = || zerokie.list_apps().timeout(Some(std::time::Duration::from_secs(2))).max_retries(0).send();
        current.block_on(call()).unwrap_or_else(|e| panic!("round {round}, current-thread runtime: {e}"));
        multi.block_on(call()).unwrap_or_else(|e| panic!("round {round}, multi-thread runtime: {e}"));
    }
}
