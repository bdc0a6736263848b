//! Settings from the environment: the proxy variables the transport honours, and zkit's own
//! `ZKIT_*` variables beside each API's. Alone in its process, since it changes the environment.

mod common;

use std::time::Duration;

use common::relay::Relay;
use zkit::{Api, ErrorKind, LogLevel};

#[tokio::test]
async fn proxy_variables_and_zkit_settings_come_from_the_environment() {
    let sandbox = common::sandbox().await;
    let relay = Relay::start(sandbox.addr()).await;
    // SAFETY: this test is the only one in its process, and sets the variables before any client
    // (or thread that reads them) exists.
    unsafe {
        std::env::set_var("HTTP_PROXY", relay.url());
        std::env::set_var("ZKIT_MAX_RETRIES", "5");
        std::env::set_var("ZKIT_TIMEOUT", "2.5");
        std::env::set_var("ZKIT_LOG", "debug");
    }
    let zerokie = common::zerokie_builder(&sandbox).from_env().build().unwrap();
    zerokie.list_apps().await.unwrap();
    assert_eq!(relay.request_lines(), [format!("GET {}/v1/apps HTTP/1.1", sandbox.base_url("zerokie"))]);
    let config = zerokie.client().config();
    assert_eq!(config.retry.max_retries, 5);
    assert_eq!(config.timeouts.attempt, Some(Duration::from_millis(2500)));
    assert_eq!(config.observers.level, Some(LogLevel::Debug));

    // What the caller set wins over the environment.
    let set = common::zerokie_builder(&sandbox).max_retries(1).log(None).from_env().build().unwrap();
    assert_eq!((set.client().config().retry.max_retries, set.client().config().observers.level), (1, None));

    // NO_PROXY takes the sandbox out of the proxy's reach.
    unsafe { std::env::set_var("NO_PROXY", "127.0.0.1") };
    common::zerokie_builder(&sandbox).from_env().build().unwrap().list_apps().await.unwrap();
    assert_eq!(relay.request_lines().len(), 1);

    // A variable that cannot be read is an error naming it.
    unsafe { std::env::set_var("ZKIT_TIMEOUT", "soon") };
    let error = common::zerokie_builder(&sandbox).from_env().build().unwrap_err();
    assert_eq!((error.kind(), error.field()), (ErrorKind::InvalidInput, Some("ZKIT_TIMEOUT")));
}
