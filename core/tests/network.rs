//! Network settings: a proxy set on the client carries every call (and never prints its password),
//! and extra trust roots make a server signed by a private authority reachable, which is refused
//! without them. (The proxy variables of the environment are in `environment.rs`, alone in their
//! process.)

mod common;

use std::net::{Ipv4Addr, SocketAddr};

use common::relay::Relay;
use zkit::{Api, CaBundle, ErrorKind, Zerokie};
use zkit_sandbox::{credentials::ZEROKIE_API_KEY, Sandbox};

#[tokio::test]
async fn a_proxy_setting_carries_every_call() {
    let sandbox = common::sandbox().await;
    let relay = Relay::start(sandbox.addr()).await;
    let proxied = common::zerokie_builder(&sandbox).proxy(relay.url()).build().unwrap();
    proxied.list_apps().await.unwrap();
    proxied.get_app("nowhere").await.unwrap_err();
    let expected = [
        format!("GET {}/v1/apps HTTP/1.1", sandbox.base_url("zerokie")),
        format!("GET {}/v1/apps/nowhere HTTP/1.1", sandbox.base_url("zerokie")),
    ];
    assert_eq!(relay.request_lines(), expected);
    // A client without the setting goes straight to the server.
    common::zerokie(&sandbox).list_apps().await.unwrap();
    assert_eq!(relay.request_lines().len(), 2);
}

#[tokio::test]
async fn a_proxy_password_never_prints_and_a_bad_proxy_is_refused() {
    let sandbox = common::sandbox().await;
    let client = common::zerokie_builder(&sandbox).proxy("http://me:hunter2-secret@127.0.0.1:3128").build().unwrap();
    let shown = format!("{:?} {}", client.client().config(), client.client().config().proxy.as_ref().unwrap());
    assert!(!shown.contains("hunter2-secret") && shown.contains("http://me:…@127.0.0.1:3128"), "{shown}");
    for bad in ["socks5://127.0.0.1:1080", "http://", "127.0.0.1:3128"] {
        let error = common::zerokie_builder(&sandbox).proxy(bad).build().unwrap_err();
        assert_eq!((error.kind(), error.field()), (ErrorKind::InvalidInput, Some("proxy")), "{bad}: {error}");
    }
}

#[tokio::test]
async fn a_private_authority_is_trusted_only_through_ca_bundle() {
    let sandbox = Sandbox::bind_tls(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
    let pem = sandbox.ca_pem().unwrap().to_owned();
    let builder = || Zerokie::builder().api_key(ZEROKIE_API_KEY).base_url(sandbox.base_url("zerokie")).max_retries(0);
    assert!(sandbox.base_url("zerokie").starts_with("https://127.0.0.1:"));

    let refused = builder().build().unwrap().list_apps().await.unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Connection, "{refused}");
    assert!(refused.message().to_lowercase().contains("certificate"), "{refused}");

    builder().ca_bundle(CaBundle::Pem(pem.clone().into_bytes())).build().unwrap().list_apps().await.unwrap();
    let file = std::env::temp_dir().join(format!("zkit-network-ca-{}.pem", std::process::id()));
    std::fs::write(&file, &pem).unwrap();
    builder().ca_bundle(CaBundle::Path(file.clone())).build().unwrap().list_apps().await.unwrap();
    std::fs::remove_file(&file).unwrap();

    for bad in [CaBundle::Pem(b"not a certificate".to_vec()), CaBundle::Path(file)] {
        let error = builder().ca_bundle(bad).build().unwrap_err();
        assert_eq!((error.kind(), error.field()), (ErrorKind::InvalidInput, Some("ca_bundle")), "{error}");
    }
}
