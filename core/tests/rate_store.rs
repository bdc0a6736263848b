//! The limiter's budgets in a real Redis server, shared across processes: four processes on one Zyra
//! key send no more than the endpoint's 30 reads a minute together, so the sandbox's fixed window
//! refuses none of them; and a store that is down or goes away is logged and never fails a call. The
//! suite starts and stops its own `redis-server` (Debian's package) on 127.0.0.1.
#![cfg(feature = "redis")]

mod common;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use zkit::zyra::Zyra;
use zkit::ErrorKind;
use zkit_sandbox::credentials::{ZYRA_ADMIN_KEY, ZYRA_ORGANIZATION_ID as ORG};

/// A `redis-server` on a free port of 127.0.0.1, stopped when dropped.
struct Redis {
    child: Child,
    url: String,
}

impl Redis {
    fn start() -> Redis {
        let port = free_port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server runs (Debian's redis-server package; scripts/test installs it)");
        let redis = Redis { child, url: format!("redis://127.0.0.1:{port}") };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return redis;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("redis-server did not start on {port}");
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn zyra(base_url: &str, store: &str) -> Zyra {
    Zyra::builder().api_key(ZYRA_ADMIN_KEY).base_url(base_url).rate_limit_store(store).max_retries(0).build().unwrap()
}

/// One of the processes of the shared-budget test (run by it, with `--ignored`): ten reads of one
/// endpoint, each allowed 3 s, printing how many were sent and how many the limiter held back.
#[tokio::test]
#[ignore = "a child process of four_processes_on_one_key_stay_within_the_limit_together"]
async fn one_process_of_the_shared_budget() {
    let (base_url, store) = (std::env::var("ZKIT_CHILD_BASE_URL").unwrap(), std::env::var("ZKIT_CHILD_STORE").unwrap());
    let zyra = zyra(&base_url, &store);
    let (mut sent, mut held) = (0, 0);
    for _ in 0..10 {
        match zyra.get_organization(ORG).deadline(Some(Duration::from_secs(3))).await {
            Ok(_) => sent += 1,
            Err(error) if error.kind() == ErrorKind::RateLimited && error.status().is_none() => held += 1,
            Err(error) => panic!("{error}"),
        }
    }
    println!("SHARED sent={sent} held={held}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_processes_on_one_key_stay_within_the_limit_together() {
    let redis = Redis::start();
    let sandbox = common::sandbox().await;
    let children: Vec<_> = (0..4)
        .map(|_| {
            Command::new(std::env::current_exe().unwrap())
                .args(["--ignored", "--exact", "one_process_of_the_shared_budget", "--nocapture"])
                .env("ZKIT_CHILD_BASE_URL", sandbox.base_url("zyra"))
                .env("ZKIT_CHILD_STORE", &redis.url)
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let (mut sent, mut held) = (0, 0);
    for child in children {
        let output = tokio::task::spawn_blocking(move || child.wait_with_output()).await.unwrap().unwrap();
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{text}");
        let line = text.lines().find_map(|line| line.strip_prefix("SHARED ")).expect("the child's figures");
        let figure = |name: &str| -> u32 {
            line.split(' ').find_map(|pair| pair.strip_prefix(name)?.strip_prefix('=')?.parse().ok()).unwrap()
        };
        sent += figure("sent");
        held += figure("held");
    }
    assert_eq!((sent, held), (30, 10), "the endpoint's 30 a minute, shared by the four processes");
    let journal = sandbox.journal();
    assert_eq!(journal.iter().filter(|entry| entry.status == Some(429)).count(), 0, "no 429 from the fixed window");
    assert_eq!(journal.len(), 30, "the held calls were never sent");
}

/// Collects the messages of `tracing` warnings.
#[derive(Clone, Default)]
struct Warnings(Arc<Mutex<Vec<String>>>);

impl tracing::Subscriber for Warnings {
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        *metadata.level() <= tracing::Level::WARN
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        struct Text<'a>(&'a mut String);
        impl tracing::field::Visit for Text<'_> {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                self.0.push_str(&format!("{}={value:?} ", field.name()));
            }
        }
        let mut text = String::new();
        event.record(&mut Text(&mut text));
        self.0.lock().unwrap().push(text);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test]
async fn a_store_that_is_down_or_goes_away_is_logged_and_never_fails_a_call() {
    let warnings = Warnings::default();
    let _guard = tracing::subscriber::set_default(warnings.clone());
    let sandbox = common::sandbox().await;
    let base_url = sandbox.base_url("zyra");

    // Down from the start: every call goes through, paced in process.
    let down = zyra(&base_url, &format!("redis://:s3cret@127.0.0.1:{}", free_port()));
    for _ in 0..3 {
        down.get_organization(ORG).await.unwrap();
    }
    let logged = warnings.0.lock().unwrap().join("\n");
    assert!(logged.contains("rate-limit store unreachable"), "{logged}");
    assert!(!logged.contains("s3cret"), "the store's password shows: {logged}");

    // Up, then gone: the calls before use it, the calls after go on without it.
    let redis = Redis::start();
    let client = zyra(&base_url, &redis.url);
    warnings.0.lock().unwrap().clear();
    client.get_organization(ORG).await.unwrap();
    assert!(warnings.0.lock().unwrap().is_empty(), "a reachable store is used quietly");
    drop(redis);
    client.get_organization(ORG).await.unwrap();
    assert!(warnings.0.lock().unwrap().iter().any(|w| w.contains("rate-limit store unreachable")));
    // The limiter's own budget went on counting in process: a lowered limit still holds.
    let lowered = Zyra::builder()
        .api_key(ZYRA_ADMIN_KEY)
        .base_url(&base_url)
        .rate_limit_store(format!("redis://127.0.0.1:{}", free_port()))
        .raise_rate_limit("read", 1)
        .build()
        .unwrap();
    lowered.get_organization(ORG).await.unwrap();
    let held = lowered.get_organization(ORG).deadline(Some(Duration::from_secs(2))).await;
    assert_eq!(held.unwrap_err().kind(), ErrorKind::RateLimited);
}

#[test]
fn a_store_url_that_is_not_redis_is_refused_naming_the_setting() {
    let error = Zyra::builder().api_key(ZYRA_ADMIN_KEY).rate_limit_store("http://127.0.0.1:6379").build().unwrap_err();
    assert_eq!((error.kind(), error.field()), (ErrorKind::InvalidInput, Some("rate_limit_store")));
}
