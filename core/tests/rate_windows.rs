//! The client's limiter against servers that count their windows either way: for each documented
//! limit, three times the limit of calls, paced by the client, meet no 429 from the sandbox's fixed
//! windows (SlowAPI's default) nor from its sliding ones, and finish within 10% of the fastest
//! schedule the limit allows (two whole windows), on a clock shared by the client and the sandbox.

mod common;

use std::sync::Arc;
use std::time::Duration;

use zkit::exec::manual::ManualClock;
use zkit::zenifra::Zenifra;
use zkit::zyra::*;
use zkit::{Api, ClientBuilder, Clock};
use zkit_sandbox::credentials::{ZENIFRA_ORG_KEY, ZENIFRA_WEB_PROJECT_ID as WEB, ZYRA_ADMIN_KEY};
use zkit_sandbox::{Sandbox, WindowKind};

const WINDOW: Duration = Duration::from_secs(60);

/// A client of `A` on `sandbox`, paced, on a clock the sandbox shares, that never retries (so a 429
/// would fail the call).
fn paced<A: Api>(sandbox: &Sandbox, key: &str, api: &str) -> (A, ManualClock) {
    let (clock, sleep) = common::shared_time(sandbox);
    let client = ClientBuilder::<A>::default()
        .api_key(key)
        .base_url(sandbox.base_url(api))
        .time(Arc::new(clock.clone()), sleep)
        .max_retries(0)
        .build()
        .unwrap();
    (client, clock)
}

/// Runs `calls` calls of `call` against a fresh sandbox counting windows of `kind`; checks that none
/// met a 429 and that they took at most 10% more than two windows.
async fn three_limits<A: Api, F>(kind: WindowKind, key: &str, api: &str, calls: usize, call: F)
where
    F: AsyncFn(&A, usize) -> zkit::Result<()>,
{
    let sandbox = common::sandbox().await;
    sandbox.set_rate_window(kind);
    let (client, clock) = paced::<A>(&sandbox, key, api);
    for n in 0..calls {
        if let Err(error) = call(&client, n).await {
            panic!("{api}, {kind:?} windows, call {n} of {calls}: {error}");
        }
    }
    let refused = sandbox.journal().iter().filter(|entry| entry.status == Some(429)).count();
    assert_eq!(refused, 0, "{api}, {kind:?} windows: 429s");
    let took = clock.monotonic();
    let fastest = 2 * WINDOW;
    println!(
        "{api}, {kind:?} windows: {calls} calls in {:.1} s (fastest schedule {} s), no 429",
        took.as_secs_f64(),
        fastest.as_secs()
    );
    assert!(took >= fastest, "{api}, {kind:?}: {took:?} is faster than the limit allows");
    assert!(took <= fastest + fastest / 10, "{api}, {kind:?}: {took:?} for {calls} calls");
}

#[tokio::test]
async fn zenifra_300_calls_to_one_project() {
    for kind in [WindowKind::Fixed, WindowKind::Sliding] {
        three_limits::<Zenifra, _>(kind, ZENIFRA_ORG_KEY, "zenifra", 300, async |zenifra, _| {
            zenifra.get_instances(WEB).await.map(drop)
        })
        .await;
    }
}

#[tokio::test]
async fn zyra_90_reads_of_one_endpoint() {
    for kind in [WindowKind::Fixed, WindowKind::Sliding] {
        three_limits::<Zyra, _>(kind, ZYRA_ADMIN_KEY, "zyra", 90, async |zyra, _| {
            zyra.list_devices(ListDevices::default().limit(1)).await.map(drop)
        })
        .await;
    }
}

#[tokio::test]
async fn zyra_15_creates() {
    for kind in [WindowKind::Fixed, WindowKind::Sliding] {
        three_limits::<Zyra, _>(kind, ZYRA_ADMIN_KEY, "zyra", 15, async |zyra, n| {
            let hook = CreateWebhookEndpoint {
                url: format!("https://hooks.example.com/{n}"),
                events: vec!["job.succeeded".into()],
                description: None,
            };
            zyra.create_webhook_endpoint(hook).await.map(drop)
        })
        .await;
    }
}

#[tokio::test]
async fn zyra_90_updates() {
    for kind in [WindowKind::Fixed, WindowKind::Sliding] {
        three_limits::<Zyra, _>(kind, ZYRA_ADMIN_KEY, "zyra", 90, async |zyra, n| {
            let change = UpdateSlaAlertRule {
                id: "rule_0001".into(),
                threshold: Some(90.0 + (n % 9) as f64),
                ..Default::default()
            };
            zyra.update_sla_alert_rule(change).await.map(drop)
        })
        .await;
    }
}
