//! The memory a 100 MiB upload costs, alone in its own test binary so no other test moves the
//! process's high-water mark: streamed from a file it stays within a few MiB, from memory it adds no
//! copy of the content. The server here reads and discards, so only the client's memory counts.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use zkit::zerokie::{UploadFile, Zerokie};

const MIB: u64 = 1024 * 1024;

/// The process's peak resident set so far (Linux), in bytes.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse::<u64>().ok().map(|kib| kib * 1024)
}

/// An HTTP/1.1 server on 127.0.0.1 that reads each request's body by its Content-Length (which zkit
/// sends for bytes and files alike), drops it, and answers 204. Returns its URL.
async fn draining_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut reader = BufReader::new(socket);
                loop {
                    let mut length = 0u64;
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        let lower = line.to_ascii_lowercase();
                        if let Some(value) = lower.strip_prefix("content-length:") {
                            length = value.trim().parse().unwrap_or(0);
                        }
                        if line == "\r\n" {
                            break;
                        }
                    }
                    let mut chunk = vec![0u8; 64 * 1024];
                    while length > 0 {
                        let n = reader.read(&mut chunk[..length.min(64 * 1024) as usize]).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        length -= n as u64;
                    }
                    let answer = b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n";
                    if reader.get_mut().write_all(answer).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}

#[tokio::test]
async fn a_100_mib_upload_costs_memory_of_its_chunks_from_a_file_and_no_copy_from_memory() {
    let Some(_) = peak_rss() else { return }; // no /proc: nothing to measure on this platform
    let url = draining_server().await;
    let zerokie =
        Zerokie::builder().api_key("zrk_memory_test_0000000000").base_url(url).rate_limit(false).build().unwrap();
    let path = std::env::temp_dir().join(format!("zkit-upload-memory-{}.bin", std::process::id()));
    {
        use std::io::Write;
        let mut file = std::fs::File::create(&path).unwrap();
        let chunk = vec![0x5au8; MIB as usize];
        for _ in 0..100 {
            file.write_all(&chunk).unwrap();
        }
    }
    zerokie.upload_file(UploadFile::new("site", "warm.bin", "x")).await.unwrap(); // runtime and pool warm

    let before = peak_rss().unwrap();
    let upload = UploadFile::from_file("site", "big.bin", path.to_str().unwrap());
    zerokie.upload_file(upload).timeout(Some(Duration::from_secs(60))).await.unwrap();
    let from_file = peak_rss().unwrap().saturating_sub(before);
    std::fs::remove_file(&path).unwrap();

    let content = bytes::Bytes::from(vec![0xa5u8; 100 * MIB as usize]);
    let before = peak_rss().unwrap();
    zerokie.upload_file(UploadFile::new("site", "big.bin", content)).await.unwrap();
    let from_memory = peak_rss().unwrap().saturating_sub(before);

    // Generous bounds: a copy of the content (or one JSON number per byte) is far above them.
    assert!(from_file < 32 * MIB, "streaming 100 MiB from a file raised the peak by {} MiB", from_file / MIB);
    assert!(from_memory < 32 * MIB, "sending 100 MiB from memory raised the peak by {} MiB", from_memory / MIB);
}
