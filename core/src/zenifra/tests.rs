//! Request building and response decoding of every Zenifra operation, its auth rule, rate scope and
//! error mapping, without any I/O.

use bytes::Bytes;
use http::Method;
use serde_json::{json, Value};

use super::*;
use crate::api::{AuthScheme, RateClass};
use crate::operation::{build_request, decode_json, input_from_json, Operation, Prepared};
use crate::response::error_from_response;
use crate::{ErrorKind, Secret};

const BASE: &str = "https://api.zenifra.com/v1";
const ID: &str = "507f1f77bcf86cd799439011";

fn build<O: Operation>(input: O) -> Prepared {
    build_request(&input, BASE).expect("request builds")
}

fn line(prepared: &Prepared) -> (Method, String) {
    (prepared.request.method().clone(), prepared.request.uri().to_string().replacen(BASE, "", 1))
}

fn body(prepared: &Prepared) -> Value {
    if prepared.request.body().is_empty() {
        return Value::Null;
    }
    assert_eq!(prepared.request.headers()["content-type"], "application/json");
    serde_json::from_slice(prepared.request.body().as_bytes().expect("a body in memory")).expect("body is JSON")
}

fn refused<O: Operation>(input: O, field: &str) {
    let error = build_request(&input, BASE).expect_err("refused before sending");
    assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
    assert_eq!(error.field(), Some(field), "{error}");
}

#[test]
fn every_operation_has_its_documented_method_and_path() {
    let p = |path: &str| format!("/project/{ID}{path}");
    let cases: Vec<(Prepared, Method, String, Value)> = vec![
        (
            build(ListProjects::page(2, 15).kind(ProjectType::Http)),
            Method::GET,
            "/project?type=http&page=2&limit=15".into(),
            Value::Null,
        ),
        (build(ListProjects::default()), Method::GET, "/project".into(), Value::Null),
        (build(GetProject::from(ID)), Method::GET, p(""), Value::Null),
        (build(UpdateProjectName::new(ID, "shop")), Method::PATCH, p("/name"), json!({"name": "shop"})),
        (
            build(UpdateProjectDescription::new(ID, "The shop")),
            Method::PATCH,
            p("/description"),
            json!({"description": "The shop"}),
        ),
        (
            build(UpdateImage::new(ID, "registry.example.com/web:2")),
            Method::PATCH,
            p("/image"),
            json!({"image": "registry.example.com/web:2"}),
        ),
        (build(DeployBranch::new(ID, "main")), Method::POST, p("/deploy"), json!({"branch": "main"})),
        (build(GetEnvs::from(ID)), Method::GET, p("/envs"), Value::Null),
        (
            build(UpdateEnvs::new(ID).set("NODE_ENV", "production").unset("DEBUG")),
            Method::PATCH,
            p("/envs"),
            json!({"envs": {"NODE_ENV": "production"}, "unset": ["DEBUG"]}),
        ),
        (
            build(UpdateDomain::new(ID, "shop.example.com")),
            Method::PATCH,
            p("/domain"),
            json!({"domain": "shop.example.com"}),
        ),
        (build(StopProject::from(ID)), Method::PATCH, p("/stop"), json!({})),
        (build(ResumeProject::from(ID)), Method::PATCH, p("/resume"), json!({})),
        (build(GetInstances::from(ID)), Method::GET, p("/instances"), Value::Null),
        (build(UpdateInstances::new(ID, 3)), Method::PATCH, p("/instances"), json!({"count": 3})),
        (build(ListDeployments::from(ID)), Method::GET, p("/historic/deployments"), Value::Null),
        (build(GetMetrics::from(ID).period(Period::Day)), Method::GET, p("/metrics?period=24h"), Value::Null),
        (
            build(GetLogs { id: ID.into(), limit: Some(50), level: Some("error".into()) }),
            Method::GET,
            p("/logs?limit=50&level=error"),
            Value::Null,
        ),
        (build(GetNetworkRequests::from(ID)), Method::GET, p("/metrics/network/requests"), Value::Null),
        (
            build(GetNetworkStatusCodes::from(ID).period(Period::Week)),
            Method::GET,
            p("/metrics/network/status-codes?period=7d"),
            Value::Null,
        ),
        (build(GetNetworkLatency::from(ID)), Method::GET, p("/metrics/network/latency"), Value::Null),
        (
            build(GetNetworkTopPaths::from(ID).period(Period::Month)),
            Method::GET,
            p("/metrics/network/top-paths?period=30d"),
            Value::Null,
        ),
        (build(ChangePlan::new(ID, Plan::Pro)), Method::PATCH, p("/plan"), json!({"plan": "pro"})),
        (build(UpdateStorageSize::new(ID, 20)), Method::PATCH, p("/storage/size"), json!({"size_gb": 20})),
        (build(GetStorageUsage::from(ID)), Method::GET, p("/storage/usage"), Value::Null),
    ];
    assert_eq!(cases.len(), Zenifra::OPERATIONS.len() + 1, "every operation is covered (list_projects twice)");
    for (prepared, method, path, expected_body) in cases {
        assert_eq!(line(&prepared), (method, path.clone()), "{}", prepared.operation);
        assert_eq!(body(&prepared), expected_body, "{path}");
        assert!(prepared.request.headers().get("x-api-key").is_none(), "auth is the pipeline's, not build_request's");
    }
}

#[test]
fn project_ids_are_one_encoded_segment() {
    let prepared = build(GetProject::from("a/b c"));
    assert_eq!(line(&prepared).1, "/project/a%2Fb%20c");
}

#[test]
fn bad_input_is_refused_naming_the_field() {
    refused(GetProject::from(""), "id");
    refused(ListProjects::page(1, 101), "limit");
    refused(ListProjects::page(0, 10), "page");
    refused(UpdateProjectName::new(ID, "  "), "name");
    refused(UpdateImage::new(ID, ""), "image");
    refused(UpdateImage::new(ID, "web: latest"), "image");
    refused(DeployBranch::new(ID, "feature..x"), "branch");
    refused(DeployBranch::new(ID, "-rf"), "branch");
    refused(UpdateEnvs::new(ID), "envs");
    refused(UpdateEnvs::new(ID).set("A=B", "1"), "envs");
    refused(UpdateEnvs::new(ID).unset(""), "unset");
    refused(UpdateEnvs::new(ID).set("A", "1").unset("A"), "unset");
    refused(UpdateDomain::new(ID, "not a domain"), "domain");
    refused(UpdateDomain::new(ID, "localhost"), "domain");
    refused(UpdateInstances::new(ID, 0), "count");
    refused(UpdateStorageSize::new(ID, 0), "size_gb");
    refused(ChangePlan::new(ID, ""), "plan");
    refused(GetMetrics::from(ID).period(Period::from("2h")), "period");
    refused(GetLogs { id: ID.into(), limit: Some(1001), level: None }, "limit");
    let error = input_from_json::<UpdateInstances>(json!({"id": ID, "count": "three"})).unwrap_err();
    assert_eq!(error.field(), Some("count"));
}

#[test]
fn outputs_decode_and_keep_unknown_fields() {
    let project: Project = decode_json(
        br#"{"id":"507f1f77bcf86cd799439011","name":"web","type":"http","state":"running","plan":"starter",
            "instances":1,"storage_gb":5,"organization_id":"org_1","region":"eu-west"}"#,
    )
    .unwrap();
    assert_eq!(project.state, ProjectState::Running);
    assert_eq!(project.kind, Some(ProjectType::Http));
    assert_eq!(project.plan, Some(Plan::Starter));
    assert_eq!(project.extra["region"], "eu-west");

    let page: ProjectPage = decode_json(br#"{"data":[],"page":1,"limit":15,"total":0}"#).unwrap();
    assert_eq!((page.page, page.limit, page.total), (1, 15, 0));
    let envs: EnvVars = decode_json(br#"{"envs":{"A":"1"}}"#).unwrap();
    assert_eq!(envs.envs["A"], "1");
    let deployment: Deployment =
        decode_json(br#"{"id":"dep_1","status":"queued","created_at":"2026-01-15T10:00:00Z"}"#).unwrap();
    assert_eq!(deployment.status, DeploymentStatus::Unknown("queued".into()), "new statuses do not fail decoding");
    let metrics: Metrics =
        decode_json(br#"{"period":"1h","cpu_percent":12.5,"memory_mb":300,"requests":90,"instances":2}"#).unwrap();
    assert_eq!(metrics.period, Period::Hour);
    let codes: StatusCodeMetrics =
        decode_json(br#"{"period":"24h","codes":[{"status":200,"count":9},{"status":500,"count":1}]}"#).unwrap();
    assert_eq!(codes.codes[1], StatusCount { status: 500, count: 1 });
    let paths: TopPaths = decode_json(br#"{"period":"1h","paths":[{"path":"/","requests":5}]}"#).unwrap();
    assert_eq!(paths.paths[0].p50_ms, None);
    let storage: Storage = decode_json(br#"{"size_gb":10,"used_gb":3.5}"#).unwrap();
    assert_eq!(storage.used_gb, 3.5);
    let error = decode_json::<Instances>(br#"{"count":"two"}"#).unwrap_err();
    assert!(error.message().contains("count"), "{error}");
}

#[test]
fn organization_keys_go_as_bearer_and_project_keys_as_x_api_key() {
    assert_eq!((PROFILE.auth.default)("znf_0123456789abcdef"), AuthScheme::Bearer);
    assert_eq!((PROFILE.auth.default)("project-key-0123456789"), AuthScheme::Header("x-api-key"));
    assert_eq!(PROFILE.auth_scheme_named("Authorization"), Some(AuthScheme::Bearer));
    assert_eq!(PROFILE.auth_scheme_named("bearer"), Some(AuthScheme::Bearer));
    assert_eq!(PROFILE.auth_scheme_named("X-API-Key"), Some(AuthScheme::Header("x-api-key")));
    assert_eq!(PROFILE.auth_scheme_named("cookie"), None);
}

#[test]
fn the_limit_is_100_a_minute_counted_per_project() {
    for class in [RateClass::Read, RateClass::Write, RateClass::Create, RateClass::HighVolume] {
        let limit = (PROFILE.rate_limit)(class).expect("every call is limited");
        assert_eq!((limit.requests, limit.per.as_secs(), limit.bucket), (100, 60, "project"));
    }
    assert_eq!((PROFILE.rate_scope)("/project/abc/metrics/network/latency"), Some("abc"));
    assert_eq!((PROFILE.rate_scope)("/project/abc"), Some("abc"));
    assert_eq!((PROFILE.rate_scope)("/project"), None);
    assert_eq!((PROFILE.rate_scope)("/projects/abc"), None);
}

fn error(status: u16, body: &str) -> crate::Error {
    let response = http::Response::builder()
        .status(status)
        .header("x-request-id", "req_9")
        .header("retry-after", "12")
        .body(Bytes::from(body.to_owned()))
        .unwrap();
    error_from_response(&PROFILE, &response, std::time::Duration::ZERO, &Secret::new("znf_secret_key_0123456789"))
}

#[test]
fn every_documented_status_maps_into_the_taxonomy() {
    let cases = [
        (400, ErrorKind::BadRequest),
        (401, ErrorKind::Unauthorized),
        (402, ErrorKind::PaymentRequired),
        (403, ErrorKind::Forbidden),
        (404, ErrorKind::NotFound),
        (409, ErrorKind::Conflict),
        (429, ErrorKind::RateLimited),
        (500, ErrorKind::Server),
    ];
    for (status, kind) in cases {
        let e =
            error(status, r#"{"error":{"code":"plan_limit","message":"the free plan allows at most 1 instances"}}"#);
        assert_eq!((e.kind(), e.status()), (kind, Some(status)));
        assert_eq!(e.code(), Some("plan_limit"));
        assert_eq!(e.message(), "the free plan allows at most 1 instances");
        assert_eq!(e.request_id(), Some("req_9"));
    }
    assert_eq!(error(429, "{}").retry_after(), Some(std::time::Duration::from_secs(12)));
    let echoed = error(401, r#"{"message":"bad key znf_secret_key_0123456789"}"#);
    assert!(!echoed.message().contains("znf_secret_key_0123456789"), "{}", echoed.message());
}
