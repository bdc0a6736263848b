//! A forwarding HTTP proxy for tests: it passes every byte to one target and keeps what the client
//! sent, so a test can see which requests went through it (a proxied request names its whole URL).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A running relay: where it listens, and what clients sent through it.
pub struct Relay {
    pub addr: SocketAddr,
    sent: Arc<Mutex<Vec<u8>>>,
}

impl Relay {
    /// Starts a relay to `target` on 127.0.0.1.
    pub async fn start(target: SocketAddr) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let sent = Arc::new(Mutex::new(Vec::new()));
        let kept = sent.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect(target).await else { continue };
                let kept = kept.clone();
                tokio::spawn(async move {
                    let (mut client_read, mut client_write) = client.into_split();
                    let (mut server_read, mut server_write) = server.into_split();
                    tokio::spawn(async move { tokio::io::copy(&mut server_read, &mut client_write).await });
                    let mut buffer = vec![0; 64 * 1024];
                    while let Ok(n @ 1..) = client_read.read(&mut buffer).await {
                        kept.lock().unwrap().extend_from_slice(&buffer[..n]);
                        if server_write.write_all(&buffer[..n]).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        Relay { addr, sent }
    }

    /// The proxy URL to give a client.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The request lines clients sent through it, such as `GET http://127.0.0.1:4010/zerokie/v1/apps HTTP/1.1`.
    pub fn request_lines(&self) -> Vec<String> {
        let sent = String::from_utf8_lossy(&self.sent.lock().unwrap()).into_owned();
        sent.lines().filter(|line| line.ends_with(" HTTP/1.1")).map(str::to_owned).collect()
    }
}
