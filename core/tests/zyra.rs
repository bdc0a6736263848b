//! Zyra through the Rust client over real HTTP against the in-process sandbox: the envelope, keys
//! and logins (refreshed before expiry and once after a 401, never in a loop), lazy page walks over
//! more than 500 items, the resources' lifecycles, the PDF bytes, typed errors and the per-class
//! rate limits on a manual clock.

mod common;

use std::sync::Arc;
use std::time::Duration;

use futures_util::TryStreamExt;
use zkit::exec::manual::ManualClock;
use zkit::zyra::*;
use zkit::ErrorKind;
use zkit_sandbox::credentials::{
    ZYRA_ADMIN_EMAIL, ZYRA_ADMIN_KEY, ZYRA_ADMIN_PASSWORD, ZYRA_MEMBER_KEY, ZYRA_OPS_KEY, ZYRA_ORGANIZATION_ID as ORG,
};
use zkit_sandbox::{Fault, Sandbox};

fn with_key(sandbox: &Sandbox, key: &str) -> Zyra {
    Zyra::builder().api_key(key).base_url(sandbox.base_url("zyra")).jitter_seed(7).build().unwrap()
}

fn login_builder(sandbox: &Sandbox) -> zkit::ClientBuilder<Zyra> {
    Zyra::builder().login(ZYRA_ADMIN_EMAIL, ZYRA_ADMIN_PASSWORD).base_url(sandbox.base_url("zyra")).jitter_seed(7)
}

/// The paths the sandbox saw, without the base path, with their statuses.
fn seen(sandbox: &Sandbox) -> Vec<(String, Option<u16>)> {
    let entries = sandbox.journal();
    entries.iter().map(|e| (e.path.trim_start_matches("/zyra/api/v1").to_owned(), e.status)).collect()
}

#[tokio::test]
async fn the_envelope_is_opened_and_its_request_id_kept() {
    let sandbox = common::sandbox().await;
    let zyra = with_key(&sandbox, ZYRA_ADMIN_KEY);
    let response = zyra.get_organization(ORG).send_with_meta().await.unwrap();
    assert_eq!(response.data.id, ORG);
    let id = response.meta.request_id.clone().expect("a request id");
    assert_eq!(
        sandbox.journal().last().unwrap().headers.get("authorization").map(|h| h.starts_with("Bearer zyra")),
        Some(true)
    );
    assert!(id.starts_with("req_"), "{id}");
    let timestamp = response.meta.timestamp.clone().expect("the envelope's timestamp");
    assert!(timestamp.starts_with("20") && timestamp.ends_with('Z'), "{timestamp}");

    // The body's request id is the one the docs tell users to log: it wins over the header's.
    let body = serde_json::json!({
        "success": true,
        "data": {"id": ORG, "name": "Sandbox", "slug": "sandbox", "plan": "team", "created_at": "2026-01-15T10:00:00Z"},
        "meta": {"request_id": "req_from_the_body", "timestamp": "2026-12-07T10:00:00Z"},
    });
    sandbox.inject(Fault::status(200).with_body(body));
    let response = zyra.get_organization(ORG).send_with_meta().await.unwrap();
    assert_ne!(response.meta.headers.get("x-request-id").map(|v| v.to_str().unwrap()), Some("req_from_the_body"));
    assert_eq!(response.meta.request_id.as_deref(), Some("req_from_the_body"));
    assert_eq!(response.meta.timestamp.as_deref(), Some("2026-12-07T10:00:00Z"));
    let sdk = zyra.get_sdk_info().await.unwrap();
    assert_eq!(sdk.api_version, "v1");
    assert!(!sdk.sdks.is_empty());
}

#[tokio::test]
async fn pages_walk_more_than_500_devices_lazily() {
    let sandbox = common::sandbox().await;
    let zyra = with_key(&sandbox, ZYRA_ADMIN_KEY);
    let first = zyra.list_devices(ListDevices::default()).await.unwrap();
    assert_eq!((first.offset, first.limit, first.items.len()), (0, 50, 50));
    assert!(first.total > 500, "{}", first.total);

    sandbox.clear_journal();
    let devices: Vec<Device> = zyra.pages(ListDevices::default().limit(200)).items().try_collect().await.unwrap();
    assert_eq!(devices.len() as u64, first.total);
    let mut ids: Vec<&str> = devices.iter().map(|d| d.id.as_str()).collect();
    ids.dedup();
    assert_eq!(ids.len(), devices.len(), "no device twice");
    assert_eq!(sandbox.journal().len(), first.total.div_ceil(200) as usize, "one request a page");

    // Lazy: a walk fetches nothing until asked, and one page at a time.
    sandbox.clear_journal();
    let mut pages = zyra.pages(ListDevices::default().status(DeviceStatus::Pending));
    assert!(sandbox.journal().is_empty());
    let pending = pages.next_page().await.unwrap().unwrap();
    assert!(pending.items.iter().all(|d| d.status == DeviceStatus::Pending) && !pending.items.is_empty());
    assert!(pages.next_page().await.unwrap().is_none());
    assert_eq!(sandbox.journal().len(), 1);
}

#[tokio::test]
async fn a_limit_over_200_is_refused_before_sending() {
    let sandbox = common::sandbox().await;
    let zyra = with_key(&sandbox, ZYRA_ADMIN_KEY);
    let error = zyra.list_devices(ListDevices::default().limit(201)).await.unwrap_err();
    assert_eq!((error.kind(), error.field()), (ErrorKind::InvalidInput, Some("limit")));
    assert!(sandbox.journal().is_empty());
}

#[tokio::test]
async fn a_page_cap_stops_a_walk_with_items_left() {
    let sandbox = common::sandbox().await;
    let zyra = with_key(&sandbox, ZYRA_ADMIN_KEY);
    let walk: Result<Vec<Device>, _> =
        zyra.pages(ListDevices::default().limit(100)).max_pages(2).items().try_collect().await;
    let error = walk.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert!(error.message().contains("after 2 pages"), "{error}");
    assert_eq!(sandbox.journal().len(), 2);
}

#[tokio::test]
async fn a_login_client_logs_in_once_and_renews_after_a_401() {
    let sandbox = common::sandbox().await;
    let zyra = login_builder(&sandbox).build().unwrap();
    assert!(!format!("{zyra:?}").contains(&ZYRA_ADMIN_PASSWORD[..4]), "nothing of the password shows");
    zyra.get_organization(ORG).await.unwrap();
    zyra.get_organization(ORG).await.unwrap();
    let paths: Vec<String> = seen(&sandbox).into_iter().map(|(path, _)| path).collect();
    assert_eq!(paths, ["/auth/login", "/organizations/org_sandbox", "/organizations/org_sandbox"]);

    // The sandbox's clock moves past the token's life: the next call meets a 401, refreshes once,
    // and goes again.
    sandbox.clear_journal();
    sandbox.advance_clock(Duration::from_secs(901));
    zyra.get_organization(ORG).await.unwrap();
    let expected = [
        ("/organizations/org_sandbox".to_owned(), Some(401)),
        ("/auth/refresh".to_owned(), Some(200)),
        ("/organizations/org_sandbox".to_owned(), Some(200)),
    ];
    assert_eq!(seen(&sandbox), expected);
}

#[tokio::test]
async fn a_login_client_refreshes_before_expiry_on_its_own_clock() {
    let sandbox = common::sandbox().await;
    let clock = ManualClock::new(common::UNIX_ORIGIN);
    let zyra = login_builder(&sandbox).time(Arc::new(clock.clone()), Arc::new(clock.sleeper())).build().unwrap();
    zyra.get_organization(ORG).await.unwrap();
    clock.advance(Duration::from_secs(800));
    zyra.get_organization(ORG).await.unwrap();
    assert_eq!(seen(&sandbox).iter().filter(|(path, _)| path == "/auth/refresh").count(), 0, "still fresh");
    clock.advance(Duration::from_secs(50)); // 850 s: within a minute of the 900 s expiry
    zyra.get_organization(ORG).await.unwrap();
    let statuses: Vec<_> = seen(&sandbox).into_iter().skip(3).collect();
    assert_eq!(
        statuses,
        [("/auth/refresh".to_owned(), Some(200)), ("/organizations/org_sandbox".to_owned(), Some(200))],
        "refreshed first, no 401"
    );
}

#[tokio::test]
async fn a_second_401_is_the_callers_and_nothing_loops() {
    let sandbox = common::sandbox().await;
    let zyra = login_builder(&sandbox).build().unwrap();
    zyra.get_organization(ORG).await.unwrap();
    sandbox.inject(Fault::status(401).on_path("/zyra/api/v1/devices").times(5));
    sandbox.clear_journal();
    let error = zyra.list_devices(ListDevices::default()).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unauthorized);
    let paths: Vec<String> = seen(&sandbox).into_iter().map(|(path, _)| path).collect();
    assert_eq!(paths, ["/devices", "/auth/refresh", "/devices"]);

    let wrong = Zyra::builder().login(ZYRA_ADMIN_EMAIL, "not-the-password").base_url(sandbox.base_url("zyra")).build();
    let error = wrong.unwrap().get_organization(ORG).await.unwrap_err();
    assert_eq!((error.kind(), error.code()), (ErrorKind::Unauthorized, Some("invalid_credentials")));
    assert!(!error.to_string().contains("not-the-password"));
}

#[tokio::test]
async fn keys_are_shown_once_listed_by_prefix_capped_at_ten_and_revoked_at_once() {
    let sandbox = common::sandbox().await;
    let ops = with_key(&sandbox, ZYRA_OPS_KEY);
    let created = ops.create_api_key(CreateApiKey { name: "ci-deploy".into() }).await.unwrap();
    let key = created.key.expose().to_owned();
    assert!(key.starts_with("zyra_sk_"));
    assert_eq!(created.prefix, key[..18]);
    assert!(!format!("{created:?}").contains(&key), "a new key prints as a preview");

    let listed: Vec<ApiKey> = ops.pages(ListApiKeys::default()).items().try_collect().await.unwrap();
    assert!(listed.iter().any(|k| k.id == created.id && k.prefix == created.prefix && k.is_active));
    assert!(!serde_json::to_string(&listed).unwrap().contains(&key));

    let eleventh = ops.create_api_key(CreateApiKey { name: "one-too-many".into() }).await.unwrap_err();
    assert_eq!((eleventh.kind(), eleventh.code()), (ErrorKind::Conflict, Some("key_limit_reached")));

    let fresh = with_key(&sandbox, &key);
    fresh.get_organization(ORG).await.unwrap();
    let revoked = ops.revoke_api_key(created.id.as_str()).await.unwrap();
    assert!(!revoked.is_active);
    let refused = fresh.get_organization(ORG).await.unwrap_err();
    assert_eq!((refused.kind(), refused.code()), (ErrorKind::Unauthorized, Some("key_revoked")));
}

#[tokio::test]
async fn roles_and_credentials_fail_typed() {
    let sandbox = common::sandbox().await;
    let member = with_key(&sandbox, ZYRA_MEMBER_KEY);
    let error = member.list_invoices(ListInvoices::default()).await.unwrap_err();
    assert_eq!((error.kind(), error.code()), (ErrorKind::Forbidden, Some("insufficient_role")));
    assert!(error.request_id().is_some());
    let unknown = with_key(&sandbox, "zyra_sk_notakey0000000000000000000000").get_organization(ORG).await.unwrap_err();
    assert_eq!((unknown.kind(), unknown.code()), (ErrorKind::Unauthorized, Some("invalid_api_key")));
}

#[tokio::test]
async fn servers_devices_jobs_and_invoices_follow_their_lifecycles() {
    let sandbox = common::sandbox().await;
    let zyra = with_key(&sandbox, ZYRA_ADMIN_KEY);
    let create =
        CreateVirtualServer { name: "trainer".into(), size: "gpu.small".into(), region: "eu-west".into(), image: None };
    let server = zyra.create_virtual_server(create).await.unwrap();
    assert_eq!(server.status, ServerStatus::Running);
    let stopped = zyra.stop_virtual_server(server.id.as_str()).await.unwrap();
    assert_eq!(stopped.status, ServerStatus::Stopped);
    let resized = zyra
        .resize_virtual_server(ResizeVirtualServer { id: server.id.clone(), size: "gpu.large".into() })
        .await
        .unwrap();
    assert_eq!(resized.size, "gpu.large");
    zyra.start_virtual_server(server.id.as_str()).await.unwrap();
    let gone = zyra.terminate_virtual_server(server.id.as_str()).await.unwrap();
    assert_eq!(gone.status, ServerStatus::Terminated);
    let error = zyra.start_virtual_server(server.id.as_str()).await.unwrap_err();
    assert_eq!((error.kind(), error.code()), (ErrorKind::Conflict, Some("invalid_state")));

    let device =
        RegisterDevice { name: "rack-9".into(), gpu_model: "A100".into(), gpu_count: 8, region: "eu-west".into() };
    let device = zyra.register_device(device).await.unwrap();
    assert_eq!(device.status, DeviceStatus::Pending);
    assert_eq!(zyra.approve_device(device.id.as_str()).await.unwrap().status, DeviceStatus::Approved);
    assert_eq!(zyra.approve_device(device.id.as_str()).await.unwrap_err().kind(), ErrorKind::Conflict);
    zyra.remove_device(device.id.as_str()).await.unwrap();
    assert_eq!(zyra.get_device(device.id.as_str()).await.unwrap_err().kind(), ErrorKind::NotFound);

    let job = zyra
        .create_ml_job(CreateMlJob { name: "bert".into(), model: "bert-base".into(), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(job.status, JobStatus::Queued);
    sandbox.advance_clock(Duration::from_secs(61));
    assert_eq!(zyra.get_ml_job(job.id.as_str()).await.unwrap().status, JobStatus::Succeeded);
    assert_eq!(zyra.cancel_ml_job(job.id.as_str()).await.unwrap_err().kind(), ErrorKind::Conflict);

    let invoices = zyra.list_invoices(ListInvoices::default()).await.unwrap();
    let pdf = zyra.download_invoice_pdf(invoices.items[0].id.as_str()).await.unwrap();
    assert_eq!(pdf.content_type, "application/pdf");
    assert!(pdf.content.starts_with(b"%PDF-") && pdf.content.ends_with(b"%%EOF\n") || pdf.content.ends_with(b"%%EOF"));
}

#[tokio::test]
async fn each_endpoint_is_paced_on_its_own_and_creates_at_5_a_minute() {
    let sandbox = common::sandbox().await;
    let (clock, sleep) = common::shared_time(&sandbox);
    let zyra = Zyra::builder()
        .api_key(ZYRA_ADMIN_KEY)
        .base_url(sandbox.base_url("zyra"))
        .time(Arc::new(clock.clone()), sleep)
        .max_retries(0)
        .build()
        .unwrap();
    let hook = |n: usize| CreateWebhookEndpoint {
        url: format!("https://hooks.example.com/{n}"),
        events: vec!["job.succeeded".into()],
        description: None,
    };
    for n in 0..5 {
        zyra.create_webhook_endpoint(hook(n)).await.unwrap();
    }
    // Each read endpoint has 30 a minute of its own, whatever the others spent.
    for _ in 0..30 {
        zyra.list_webhook_endpoints(ListWebhookEndpoints::default()).await.unwrap();
        zyra.list_devices(ListDevices::default().limit(1)).await.unwrap();
    }
    // A raw call counts against the endpoint it reaches.
    zyra.raw(zkit::RawRequest::new(zkit::http::Method::GET, "/webhooks/endpoints/whe_0001")).await.unwrap();
    zyra.get_webhook_endpoint("whe_0002").await.unwrap();
    assert!(clock.sleeps().is_empty(), "five creates and 30 reads of each endpoint pass at once");
    zyra.create_webhook_endpoint(hook(5)).await.unwrap();
    // The sixth create waits for the minute to pass, and half a second more for its transit.
    assert_eq!(clock.sleeps(), [Duration::from_millis(60_500)], "the sixth create waits for its window");

    let unpaced = Zyra::builder()
        .api_key(ZYRA_ADMIN_KEY)
        .base_url(sandbox.base_url("zyra"))
        .rate_limit(false)
        .max_retries(0)
        .build()
        .unwrap();
    let mut outcome = Ok(());
    for n in 6..12 {
        outcome = unpaced.create_webhook_endpoint(hook(n)).await.map(drop);
        if outcome.is_err() {
            break;
        }
    }
    let limited = outcome.unwrap_err();
    assert_eq!((limited.kind(), limited.code()), (ErrorKind::RateLimited, Some("rate_limited")));
    assert!(limited.retry_after().is_some_and(|wait| wait > Duration::ZERO && wait <= Duration::from_secs(60)));
    assert_eq!(
        sandbox.journal().iter().filter(|e| e.status == Some(429)).count(),
        1,
        "only the unpaced client met one"
    );
}

#[tokio::test]
async fn a_raised_limit_replaces_the_documented_one_and_unknown_names_are_refused() {
    let sandbox = common::sandbox().await;
    let (clock, sleep) = common::shared_time(&sandbox);
    let builder = || {
        Zyra::builder()
            .api_key(ZYRA_ADMIN_KEY)
            .base_url(sandbox.base_url("zyra"))
            .time(Arc::new(clock.clone()), sleep.clone())
    };
    // Lowered here, so the sandbox (which allows the documented 30) has the last word on nothing.
    let zyra = builder().raise_rate_limit("read", 3).build().unwrap();
    for _ in 0..3 {
        zyra.list_devices(ListDevices::default().limit(1)).await.unwrap();
    }
    assert!(clock.sleeps().is_empty());
    let error =
        zyra.list_devices(ListDevices::default().limit(1)).deadline(Some(Duration::from_secs(5))).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::RateLimited, "{error}");
    assert!(error.message().contains("limit of 3 per"), "{error}");
    // The names a raised limit takes.
    assert_eq!(zkit::Api::client(&zyra).profile().rate_buckets(), ["read", "create", "write", "high_volume"]);

    let error = builder().raise_rate_limit("reads", 300).build().unwrap_err();
    assert_eq!((error.kind(), error.field()), (ErrorKind::InvalidInput, Some("rate_limits")));
    assert!(error.message().contains("read, create, write, high_volume"), "{error}");
    let error = builder().raise_rate_limit("read", 0).build().unwrap_err();
    assert_eq!(error.field(), Some("rate_limits"));
}
