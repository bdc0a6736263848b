//! Zenifra through the Rust client over real HTTP against the in-process sandbox: both credential
//! kinds and how each is sent, the organization header, typed operations end to end, the documented
//! errors as typed errors, and the per-project rate limit on a manual clock.

mod common;

use std::sync::Arc;
use std::time::Duration;

use zkit::zenifra::*;
use zkit::{ErrorKind, RawRequest};
use zkit_sandbox::credentials::{
    ZENIFRA_ORGANIZATION_ID as ORG, ZENIFRA_ORG_KEY, ZENIFRA_OTHER_ORGANIZATION_ID, ZENIFRA_PROJECT_KEY,
    ZENIFRA_READ_ONLY_KEY, ZENIFRA_WEB_PROJECT_ID as WEB, ZENIFRA_WORKER_PROJECT_ID as WORKER,
};
use zkit_sandbox::Sandbox;

fn builder(sandbox: &Sandbox, key: &str) -> zkit::ClientBuilder<Zenifra> {
    Zenifra::builder().api_key(key).base_url(sandbox.base_url("zenifra")).jitter_seed(7)
}

/// The headers of the last request the sandbox received.
fn last_headers(sandbox: &Sandbox) -> std::collections::BTreeMap<String, String> {
    sandbox.journal().last().expect("a request arrived").headers.clone()
}

#[tokio::test]
async fn organization_keys_go_as_bearer_with_the_organization_header() {
    let sandbox = common::sandbox().await;
    let zenifra = builder(&sandbox, ZENIFRA_ORG_KEY).organization_id(ORG).build().unwrap();
    let project = zenifra.get_project(WEB).await.unwrap();
    assert_eq!((project.id.as_str(), project.name.as_str()), (WEB, "web"));
    let headers = last_headers(&sandbox);
    assert!(headers["authorization"].starts_with("Bearer znf_"), "{headers:?}");
    assert!(!headers.contains_key("x-api-key"));
    assert_eq!(headers["x-organization-id"], ORG);
    assert_eq!(zkit::Api::client(&zenifra).config().context("organization_id"), Some(ORG));

    // The same key in x-api-key, when asked for.
    let by_header = builder(&sandbox, ZENIFRA_ORG_KEY).auth_header("x-api-key").build().unwrap();
    by_header.get_project(WEB).await.unwrap();
    let headers = last_headers(&sandbox);
    assert!(headers["x-api-key"].starts_with("znf_") && !headers.contains_key("authorization"), "{headers:?}");
    assert!(!headers.contains_key("x-organization-id"), "no organization set, none sent");
}

#[tokio::test]
async fn project_keys_go_in_x_api_key_and_reach_their_project_only() {
    let sandbox = common::sandbox().await;
    let zenifra = builder(&sandbox, ZENIFRA_PROJECT_KEY).build().unwrap();
    assert_eq!(zenifra.get_project(WEB).await.unwrap().name, "web");
    assert!(last_headers(&sandbox)["x-api-key"].starts_with("zpk_"));
    let other = zenifra.get_project(WORKER).await.unwrap_err();
    assert_eq!((other.kind(), other.status()), (ErrorKind::Forbidden, Some(403)));
    let page = zenifra.list_projects(ListProjects::default()).await.unwrap();
    assert_eq!(page.data.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), [WEB]);
}

#[tokio::test]
async fn settings_are_checked_when_the_client_is_built() {
    let sandbox = common::sandbox().await;
    let unknown = builder(&sandbox, ZENIFRA_ORG_KEY).setting("region", "eu").build().unwrap_err();
    assert_eq!((unknown.kind(), unknown.field()), (ErrorKind::InvalidInput, Some("region")));
    let header = builder(&sandbox, ZENIFRA_ORG_KEY).auth_header("cookie").build().unwrap_err();
    assert_eq!(header.field(), Some("auth_header"));
    let injected = builder(&sandbox, ZENIFRA_ORG_KEY).organization_id("org\r\nx-evil: 1").build().unwrap_err();
    assert_eq!(injected.field(), Some("organization_id"));
    assert!(sandbox.journal().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn a_project_from_settings_to_deploys_metrics_and_storage() {
    let sandbox = common::sandbox().await;
    let zenifra = builder(&sandbox, ZENIFRA_ORG_KEY).organization_id(ORG).build().unwrap();

    let renamed = zenifra.update_project_name(UpdateProjectName::new(WEB, "storefront")).await.unwrap();
    assert_eq!(renamed.name, "storefront");
    let described = zenifra.update_project_description(UpdateProjectDescription::new(WEB, "The shop")).await.unwrap();
    assert_eq!(described.description.as_deref(), Some("The shop"));
    let moved = zenifra.update_domain(UpdateDomain::new(WEB, "shop.example.com")).await.unwrap();
    assert_eq!(moved.domain.as_deref(), Some("shop.example.com"));

    let envs = zenifra.update_envs(UpdateEnvs::new(WEB).set("FEATURE_X", "on").unset("LOG_LEVEL")).await.unwrap();
    assert_eq!(envs.envs.get("FEATURE_X").map(String::as_str), Some("on"));
    assert!(!envs.envs.contains_key("LOG_LEVEL"));
    assert_eq!(zenifra.get_envs(WEB).await.unwrap().envs, envs.envs);

    let deployment = zenifra.update_image(UpdateImage::new(WEB, "registry.zenifra.dev/web:2.0.0")).await.unwrap();
    assert_eq!(
        (deployment.status.clone(), deployment.image.as_deref()),
        (DeploymentStatus::Building, Some("registry.zenifra.dev/web:2.0.0"))
    );
    assert_eq!(zenifra.get_project(WEB).await.unwrap().state, ProjectState::Deploying);
    sandbox.advance_clock(Duration::from_secs(60));
    let history = zenifra.list_deployments(WEB).await.unwrap();
    assert_eq!(history[0].id, deployment.id, "newest first");
    assert_eq!(history[0].status, DeploymentStatus::Live);
    assert_eq!(history[1].status, DeploymentStatus::Superseded);
    let branch = zenifra.deploy_branch(DeployBranch::new(WEB, "release/2")).await.unwrap();
    assert_eq!(branch.branch.as_deref(), Some("release/2"));

    let metrics = zenifra.get_metrics(GetMetrics::from(WEB).period(Period::Day)).await.unwrap();
    assert_eq!(metrics.period, Period::Day);
    let requests = zenifra.get_network_requests(GetNetworkRequests::from(WEB).period(Period::Day)).await.unwrap();
    assert_eq!(requests.series.iter().map(|p| p.count).sum::<u64>(), requests.total);
    let codes = zenifra.get_network_status_codes(GetNetworkStatusCodes::from(WEB).period(Period::Day)).await.unwrap();
    assert_eq!(codes.codes.iter().map(|c| c.count).sum::<u64>(), requests.total);
    let latency = zenifra.get_network_latency(GetNetworkLatency::from(WEB)).await.unwrap();
    assert!(latency.p50_ms <= latency.p90_ms && latency.p90_ms <= latency.p99_ms);
    let paths = zenifra.get_network_top_paths(GetNetworkTopPaths::from(WEB)).await.unwrap();
    assert!(paths.paths.windows(2).all(|w| w[0].requests >= w[1].requests));
    let logs = zenifra.get_logs(GetLogs { id: WEB.into(), limit: Some(5), level: None }).await.unwrap();
    assert_eq!(logs.len(), 5);

    let scaled = zenifra.update_instances(UpdateInstances::new(WEB, 3)).await.unwrap();
    assert_eq!((scaled.count, scaled.max), (3, Some(3)));
    let past_plan = zenifra.update_instances(UpdateInstances::new(WEB, 4)).await.unwrap_err();
    assert_eq!(
        (past_plan.kind(), past_plan.status(), past_plan.code()),
        (ErrorKind::PaymentRequired, Some(402), Some("plan_limit"))
    );
    let upgraded = zenifra.change_plan(ChangePlan::new(WEB, Plan::Pro)).await.unwrap();
    assert_eq!(upgraded.plan, Some(Plan::Pro));
    assert_eq!(zenifra.update_instances(UpdateInstances::new(WEB, 4)).await.unwrap().count, 4);
    let storage = zenifra.update_storage_size(UpdateStorageSize::new(WEB, 50)).await.unwrap();
    assert_eq!(storage.size_gb, 50);
    assert_eq!(zenifra.get_storage_usage(WEB).await.unwrap().size_gb, 50);
    assert_eq!(zenifra.get_instances(WEB).await.unwrap().count, 4);
}

#[tokio::test]
async fn stop_and_resume_follow_the_project_state() {
    let sandbox = common::sandbox().await;
    let zenifra = builder(&sandbox, ZENIFRA_ORG_KEY).build().unwrap();
    assert_eq!(zenifra.stop_project(WEB).await.unwrap().state, ProjectState::Stopped);
    let again = zenifra.stop_project(WEB).await.unwrap_err();
    assert_eq!((again.kind(), again.status(), again.code()), (ErrorKind::Conflict, Some(409), Some("invalid_state")));
    assert_eq!(zenifra.resume_project(WEB).await.unwrap().state, ProjectState::Running);
    assert_eq!(zenifra.resume_project(WEB).await.unwrap_err().kind(), ErrorKind::Conflict);
}

#[tokio::test]
async fn the_documented_errors_come_back_typed() {
    let sandbox = common::sandbox().await;
    let wrong = builder(&sandbox, "znf_not_a_sandbox_key_000000").build().unwrap();
    let unauthorized = wrong.get_project(WEB).await.unwrap_err();
    assert_eq!((unauthorized.kind(), unauthorized.status()), (ErrorKind::Unauthorized, Some(401)));
    assert!(unauthorized.request_id().is_some());

    let reader = builder(&sandbox, ZENIFRA_READ_ONLY_KEY).build().unwrap();
    reader.get_project(WEB).await.unwrap();
    let denied = reader.stop_project(WEB).await.unwrap_err();
    assert_eq!((denied.kind(), denied.code()), (ErrorKind::Forbidden, Some("insufficient_permissions")));

    let wrong_org = builder(&sandbox, ZENIFRA_ORG_KEY).organization_id(ZENIFRA_OTHER_ORGANIZATION_ID).build().unwrap();
    assert_eq!(wrong_org.get_project(WEB).await.unwrap_err().status(), Some(403));

    let zenifra = builder(&sandbox, ZENIFRA_ORG_KEY).build().unwrap();
    let missing = zenifra.get_project("000000000000000000000000").await.unwrap_err();
    assert_eq!((missing.kind(), missing.status()), (ErrorKind::NotFound, Some(404)));
    let bad = zenifra
        .raw(
            RawRequest::new(http::Method::PATCH, format!("/project/{WEB}/plan"))
                .json(&serde_json::json!({"plan": "gold"})),
        )
        .await
        .unwrap_err();
    assert_eq!((bad.kind(), bad.status()), (ErrorKind::BadRequest, Some(400)));
}

#[tokio::test]
async fn the_limiter_paces_each_project_at_100_a_minute() {
    let sandbox = common::sandbox().await;
    let (clock, sleep) = common::shared_time(&sandbox);
    let zenifra = builder(&sandbox, ZENIFRA_ORG_KEY).time(Arc::new(clock.clone()), sleep).build().unwrap();
    for _ in 0..100 {
        zenifra.get_instances(WEB).await.unwrap();
    }
    assert!(clock.sleeps().is_empty(), "a full minute's budget passes at once");
    // Another project has its own budget; the 101st call to the first waits for the minute to pass.
    zenifra.get_instances(WORKER).await.unwrap();
    assert!(clock.sleeps().is_empty());
    zenifra.get_instances(WEB).await.unwrap();
    // The window slides past the first call after 60 s; the caller waits a tenth of the 600 ms
    // spacing more, for the request's transit.
    assert_eq!(clock.sleeps(), [Duration::from_millis(60_060)]);

    // Without the limiter the sandbox's own limit answers 429 with Retry-After.
    let unpaced = builder(&sandbox, ZENIFRA_ORG_KEY).rate_limit(false).max_retries(0).build().unwrap();
    let mut outcome = Ok(());
    for _ in 0..100 {
        outcome = unpaced.get_instances(WEB).await.map(drop);
        if outcome.is_err() {
            break;
        }
    }
    let limited = outcome.unwrap_err();
    assert_eq!((limited.kind(), limited.status()), (ErrorKind::RateLimited, Some(429)));
    assert!(limited.retry_after().is_some_and(|wait| wait > Duration::ZERO && wait <= Duration::from_secs(60)));
}
