//! Retries, backoff, Retry-After, timeouts, deadlines and the client-side rate limiter, driven by
//! faults the sandbox injects, over real HTTP, on a manual clock wherever waiting is involved.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::UNIX_ORIGIN;
use zkit::exec::manual::ManualClock;
use zkit::zerokie::CreateApp;
use zkit::{Api, ApiProfile, Client, ErrorKind, RateClass, RateLimit, RawRequest};
use zkit_sandbox::{Fault, FaultKind, Sandbox};

fn fault(method: &str, path: &str, kind: FaultKind, times: u32) -> Fault {
    Fault { method: Some(method.into()), path: Some(path.into()), kind, times, ..Fault::default() }
}

fn status_fault(method: &str, path: &str, status: u16, times: u32) -> Fault {
    Fault { status: Some(status), ..fault(method, path, FaultKind::Status, times) }
}

fn requests_to(sandbox: &Sandbox, method: &str, path: &str) -> usize {
    sandbox.journal().iter().filter(|e| e.method == method && e.path == path).count()
}

#[tokio::test]
async fn server_errors_on_idempotent_calls_are_retried_with_jittered_backoff() {
    let sandbox = common::sandbox().await;
    let clock = ManualClock::new(UNIX_ORIGIN);
    let zerokie = common::zerokie_on_manual_clock(&sandbox, &clock);
    sandbox.inject(status_fault("GET", "/zerokie/v1/apps", 503, 2));

    let response = zerokie.list_apps().send_with_meta().await.unwrap();
    assert_eq!(response.meta.attempts, 3);
    assert_eq!(requests_to(&sandbox, "GET", "/zerokie/v1/apps"), 3);
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 2);
    assert!(sleeps[0] >= Duration::from_millis(250) && sleeps[0] <= Duration::from_millis(500), "{sleeps:?}");
    assert!(sleeps[1] >= Duration::from_millis(500) && sleeps[1] <= Duration::from_millis(1000), "{sleeps:?}");

    // The same seed gives the same waits.
    sandbox.reset();
    let clock2 = ManualClock::new(UNIX_ORIGIN);
    let again = common::zerokie_on_manual_clock(&sandbox, &clock2);
    sandbox.inject(status_fault("GET", "/zerokie/v1/apps", 503, 2));
    again.list_apps().await.unwrap();
    assert_eq!(clock2.sleeps(), sleeps);
}

#[tokio::test]
async fn retries_stop_after_the_budget_and_per_call_settings_win() {
    let sandbox = common::sandbox().await;
    let clock = ManualClock::new(UNIX_ORIGIN);
    let zerokie = common::zerokie_on_manual_clock(&sandbox, &clock);
    sandbox.inject(status_fault("GET", "/zerokie/v1/apps", 500, 10));

    let error = zerokie.list_apps().await.unwrap_err();
    assert_eq!((error.kind(), error.status()), (ErrorKind::Server, Some(500)));
    assert!(error.is_retryable());
    assert_eq!(requests_to(&sandbox, "GET", "/zerokie/v1/apps"), 3, "default: 2 retries");

    let error = zerokie.list_apps().max_retries(0).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Server);
    assert_eq!(requests_to(&sandbox, "GET", "/zerokie/v1/apps"), 4, "max_retries(0): one attempt");

    sandbox.reset();
    sandbox.inject(status_fault("GET", "/zerokie/v1/apps", 502, 1));
    let upstream = zerokie.list_apps().max_retries(0).await.unwrap_err();
    assert_eq!((upstream.kind(), upstream.status()), (ErrorKind::Upstream, Some(502)));
}

#[tokio::test]
async fn non_idempotent_calls_retry_only_with_an_idempotency_key() {
    let sandbox = common::sandbox().await;
    let clock = ManualClock::new(UNIX_ORIGIN);
    let zerokie = common::zerokie_on_manual_clock(&sandbox, &clock);

    sandbox.inject(status_fault("POST", "/zerokie/v1/apps", 503, 1));
    let error = zerokie.create_app(CreateApp::static_site("site")).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Server);
    assert_eq!(requests_to(&sandbox, "POST", "/zerokie/v1/apps"), 1, "a POST is not replayed blindly");

    sandbox.inject(status_fault("POST", "/zerokie/v1/apps", 503, 1));
    let app = zerokie.create_app(CreateApp::static_site("site")).idempotency_key("create-site-1").await.unwrap();
    assert_eq!(app.name, "site");
    let posts: Vec<_> = sandbox.journal().into_iter().filter(|e| e.method == "POST").collect();
    assert_eq!(posts.len(), 3);
    assert!(posts[1..].iter().all(|e| e.headers.get("idempotency-key").map(String::as_str) == Some("create-site-1")));

    let smuggled = zerokie.list_apps().idempotency_key("k\r\nx-evil: 1").await.unwrap_err();
    assert_eq!(smuggled.field(), Some("idempotency_key"));
}

#[tokio::test]
async fn retry_after_is_honoured_in_seconds_and_as_an_http_date() {
    let sandbox = common::sandbox().await;
    let clock = ManualClock::new(UNIX_ORIGIN);
    let zerokie = common::zerokie_on_manual_clock(&sandbox, &clock);

    sandbox.inject(Fault { retry_after: Some("7".into()), ..status_fault("GET", "/zerokie/v1/apps", 429, 1) });
    zerokie.list_apps().await.unwrap();
    assert_eq!(clock.sleeps(), [Duration::from_secs(7)]);

    // An HTTP date 12 s after the client's current time.
    let at = std::time::UNIX_EPOCH + zkit::Clock::unix_time(&clock) + Duration::from_secs(12);
    sandbox.inject(Fault {
        retry_after: Some(httpdate::fmt_http_date(at)),
        ..status_fault("GET", "/zerokie/v1/apps", 429, 1)
    });
    zerokie.list_apps().await.unwrap();
    assert_eq!(clock.sleeps()[1], Duration::from_secs(12));

    // A 429 is retried even for a POST: the server did not act on it.
    sandbox.inject(Fault { retry_after: Some("1".into()), ..status_fault("POST", "/zerokie/v1/apps", 429, 1) });
    zerokie.create_app(CreateApp::static_site("site")).await.unwrap();
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_or_the_deadline_is_returned_not_slept() {
    let sandbox = common::sandbox().await;
    let clock = ManualClock::new(UNIX_ORIGIN);
    let zerokie = common::zerokie_on_manual_clock(&sandbox, &clock);

    sandbox.inject(Fault { retry_after: Some("120".into()), ..status_fault("GET", "/zerokie/v1/apps", 429, 1) });
    let error = zerokie.list_apps().await.unwrap_err();
    assert_eq!((error.kind(), error.status()), (ErrorKind::RateLimited, Some(429)));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(120)));
    assert!(clock.sleeps().is_empty());

    sandbox.inject(Fault { retry_after: Some("30".into()), ..status_fault("GET", "/zerokie/v1/apps", 429, 1) });
    let error = zerokie.list_apps().deadline(Some(Duration::from_secs(10))).await.unwrap_err();
    assert_eq!(error.retry_after(), Some(Duration::from_secs(30)));
    assert!(clock.sleeps().is_empty());
}

#[tokio::test]
async fn broken_connections_and_bodies() {
    let sandbox = common::sandbox().await;
    let clock = ManualClock::new(UNIX_ORIGIN);
    let zerokie = common::zerokie_on_manual_clock(&sandbox, &clock);

    // A reset on an idempotent call is retried.
    sandbox.inject(fault("GET", "/zerokie/v1/apps", FaultKind::Reset, 1));
    assert_eq!(zerokie.list_apps().send_with_meta().await.unwrap().meta.attempts, 2);

    // A reset on a POST may have been acted on: it is reported, not replayed.
    sandbox.inject(fault("POST", "/zerokie/v1/apps", FaultKind::Reset, 1));
    let error = zerokie.create_app(CreateApp::static_site("site")).await.unwrap_err();
    assert_eq!((error.kind(), error.status()), (ErrorKind::Connection, None));

    // A truncated body is a broken connection too.
    sandbox.inject(fault("GET", "/zerokie/v1/apps", FaultKind::Truncated, 1));
    assert_eq!(zerokie.list_apps().send_with_meta().await.unwrap().meta.attempts, 2);

    // A malformed body is a decode error, and retrying would not fix it.
    sandbox.inject(fault("GET", "/zerokie/v1/apps", FaultKind::Malformed, 1));
    let error = zerokie.list_apps().await.unwrap_err();
    assert_eq!((error.kind(), error.status()), (ErrorKind::Decode, Some(200)));
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn a_connection_that_was_never_made_is_retried_for_any_operation() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let clock = ManualClock::new(UNIX_ORIGIN);
    let zerokie = zkit::Zerokie::builder()
        .api_key("zrk_test_key_for_a_closed_port")
        .base_url(format!("http://127.0.0.1:{port}"))
        .time(Arc::new(clock.clone()), Arc::new(clock.sleeper()))
        .jitter_seed(1)
        .build()
        .unwrap();
    let error = zerokie.create_app(CreateApp::static_site("site")).await.unwrap_err();
    assert_eq!((error.kind(), error.status()), (ErrorKind::Connection, None));
    assert_eq!(clock.sleeps().len(), 2, "refused connections are retried even for a POST");
    assert!(!error.to_string().contains("zrk_test_key_for_a_closed_port"));
}

#[tokio::test]
async fn an_attempt_that_outlives_its_timeout_is_cut_and_retried() {
    let sandbox = common::sandbox().await;
    let zerokie = common::zerokie_builder(&sandbox).timeout(Some(Duration::from_millis(100))).build().unwrap();
    sandbox.inject(Fault { delay_ms: Some(1_000), ..fault("GET", "/zerokie/v1/apps", FaultKind::Delay, 1) });
    let started = Instant::now();
    let response = zerokie.list_apps().send_with_meta().await.unwrap();
    assert_eq!(response.meta.attempts, 2);
    assert!(started.elapsed() < Duration::from_millis(900), "the slow attempt was abandoned");

    sandbox.inject(Fault { delay_ms: Some(1_000), ..fault("GET", "/zerokie/v1/apps", FaultKind::Delay, 1) });
    let error = zerokie.list_apps().max_retries(0).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert!(error.message().contains("attempt timed out"), "{error}");
}

#[tokio::test]
async fn the_deadline_bounds_the_whole_call() {
    let sandbox = common::sandbox().await;
    let zerokie =
        common::zerokie_builder(&sandbox).timeout(None).deadline(Some(Duration::from_millis(150))).build().unwrap();
    sandbox.inject(Fault { delay_ms: Some(1_000), ..fault("GET", "/zerokie/v1/apps", FaultKind::Delay, 5) });
    let started = Instant::now();
    let error = zerokie.list_apps().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert!(error.message().contains("deadline"), "{error}");
    assert!(started.elapsed() < Duration::from_millis(900));
}

#[tokio::test]
async fn timers_on_a_manual_clock_fire_only_when_time_moves() {
    let sandbox = common::sandbox().await;
    let clock = ManualClock::new(UNIX_ORIGIN);
    let zerokie = common::zerokie_on_manual_clock(&sandbox, &clock);
    sandbox.inject(Fault { delay_ms: Some(150), ..fault("GET", "/zerokie/v1/apps", FaultKind::Delay, 1) });
    // The 60 s attempt timer never fires on its own: the slow response still arrives.
    assert_eq!(zerokie.list_apps().send_with_meta().await.unwrap().meta.attempts, 1);

    sandbox.inject(Fault { delay_ms: Some(1_000), ..fault("GET", "/zerokie/v1/apps", FaultKind::Delay, 1) });
    let call = tokio::spawn({
        let zerokie = zerokie.clone();
        async move { zerokie.list_apps().max_retries(0).await }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    clock.advance(Duration::from_secs(61));
    let error = call.await.unwrap().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
}

/// An API type with a documented limit of 2 requests a minute, pointed at the sandbox's Zerokie.
#[derive(Clone, Debug)]
struct Limited(Client);

static LIMITED: ApiProfile = ApiProfile {
    name: "limited",
    env_prefix: "LIMITED",
    default_base_url: "http://127.0.0.1:9",
    auth: zkit::api::BEARER_ONLY,
    context_headers: &[],
    decode_error: |_| Default::default(),
    rate_limit: |class| {
        (class == RateClass::Read).then_some(RateLimit {
            requests: 2,
            per: Duration::from_secs(60),
            bucket: "read",
            per_endpoint: false,
        })
    },
    operations: || &[],
    rate_scope: zkit::api::per_client,
    success_body: zkit::api::whole_body,
    login: None,
};

impl Api for Limited {
    const PROFILE: &'static ApiProfile = &LIMITED;
    fn from_client(client: Client) -> Self {
        Self(client)
    }
    fn client(&self) -> &Client {
        &self.0
    }
}

#[tokio::test]
async fn the_client_side_limiter_waits_instead_of_failing() {
    let sandbox = common::sandbox().await;
    let clock = ManualClock::new(UNIX_ORIGIN);
    let limited = zkit::ClientBuilder::<Limited>::default()
        .api_key(zkit_sandbox::credentials::ZEROKIE_API_KEY)
        .base_url(sandbox.base_url("zerokie"))
        .time(Arc::new(clock.clone()), Arc::new(clock.sleeper()))
        .build()
        .unwrap();
    let get = || limited.0.call(RawRequest::new(zkit::http::Method::GET, "/v1/apps"));
    for _ in 0..5 {
        get().await.unwrap();
    }
    // Two at once fill the minute; the third waits for the window to slide past them, and half a
    // second more (the transit margin, which moves no slot). By then the window that ends holds
    // only the third, so the fourth goes at once, and the fifth waits for the third's window.
    let (window, late) = (Duration::from_secs(60), Duration::from_millis(500));
    assert_eq!(clock.sleeps(), [window + late, window]);
    assert_eq!(sandbox.journal().len(), 5);

    // Writes draw from another bucket, which has no limit here.
    limited
        .0
        .call(
            RawRequest::new(zkit::http::Method::POST, "/v1/apps")
                .json(&serde_json::json!({"name": "s", "type": "static"})),
        )
        .await
        .unwrap();
    assert_eq!(clock.sleeps().len(), 2);

    // A wait past the deadline fails at once as rate limited, carrying the wait; nothing is sent.
    get().await.unwrap();
    let error = get().deadline(Some(Duration::from_secs(5))).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::RateLimited);
    assert_eq!(error.retry_after(), Some(window));
    assert_eq!(sandbox.journal().len(), 7);

    // Turned off per call, it does not pace.
    get().rate_limit(false).await.unwrap();
    assert_eq!(clock.sleeps().len(), 2);
}

#[tokio::test]
async fn a_request_that_would_carry_the_key_in_its_url_is_refused_before_sending() {
    let sandbox = common::sandbox().await;
    let key = zkit_sandbox::credentials::ZEROKIE_API_KEY;
    let zerokie = common::zerokie(&sandbox);
    for request in [
        RawRequest::new(http::Method::GET, format!("/v1/apps/{key}")),
        RawRequest::new(http::Method::GET, "/v1/apps").query("token", key),
    ] {
        let error = zerokie.raw(request).await.unwrap_err();
        assert_eq!((error.kind(), error.field()), (ErrorKind::InvalidInput, Some("path")));
        assert!(!error.to_string().contains(key), "the refusal does not show the key: {error}");
    }
    assert!(sandbox.journal().is_empty(), "nothing was sent");
}
