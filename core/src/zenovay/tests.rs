//! Request building and response decoding of every Zenovay operation, without any I/O.

use bytes::Bytes;
use http::Method;
use serde_json::{json, Value};

use super::*;
use crate::api::ApiProfile;
use crate::operation::{build_request, decode_json, Operation, Prepared};
use crate::response::error_from_response;
use crate::{ErrorKind, Secret};

const BASE: &str = "https://api.zenovay.com/api/external/v1";

fn build<O: Operation>(input: O) -> Prepared {
    build_request(&input, BASE).expect("request builds")
}

fn body_json(prepared: &Prepared) -> Value {
    serde_json::from_slice(prepared.request.body().as_bytes().expect("a body in memory")).expect("body is JSON")
}

fn content_type(prepared: &Prepared) -> Option<&str> {
    prepared.request.headers().get("content-type").map(|v| v.to_str().unwrap())
}

fn assert_line(prepared: &Prepared, method: Method, path: &str) {
    assert_eq!(prepared.request.method(), method);
    assert_eq!(prepared.request.uri().to_string(), format!("{BASE}{path}"));
    assert_eq!(prepared.request.headers()["accept"], "application/json");
    for header in ["x-api-key", "authorization"] {
        assert!(prepared.request.headers().get(header).is_none(), "{header} is added by the pipeline, not here");
    }
}

/// Asserts the request goes to `path` with exactly the `query` pairs, in any order (the core does
/// not promise one).
fn assert_query(prepared: &Prepared, path: &str, query: &[&str]) {
    let uri = prepared.request.uri();
    assert_eq!(
        format!("{}://{}{}", uri.scheme_str().unwrap(), uri.authority().unwrap(), uri.path()),
        format!("{BASE}{path}")
    );
    let mut pairs: Vec<&str> = uri.query().unwrap_or_default().split('&').collect();
    pairs.sort_unstable();
    assert_eq!(pairs, query, "{uri}");
}

fn assert_no_body(prepared: &Prepared) {
    assert!(prepared.request.body().is_empty());
    assert_eq!(content_type(prepared), None);
}

#[test]
fn website_reads() {
    let list = build(ListWebsites::default());
    assert_line(&list, Method::GET, "/websites");
    assert_no_body(&list);
    assert!(list.idempotent);
    assert_eq!(list.operation, "list_websites");

    let get = build(GetWebsite::from("site_shop"));
    assert_line(&get, Method::GET, "/websites/site_shop");
    assert_no_body(&get);
    assert!(get.idempotent);

    // Ids are percent-encoded as one segment.
    assert_line(&build(GetWebsite::from("a b/c")), Method::GET, "/websites/a%20b%2Fc");
}

#[test]
fn update_website_sends_only_the_changes() {
    let every = build(
        UpdateWebsite::new("site_shop").name("Shop EU").domain("shop.example.eu").timezone("Europe/Paris").public(true),
    );
    assert_line(&every, Method::PATCH, "/websites/site_shop");
    assert_eq!(content_type(&every), Some("application/json"));
    assert_eq!(
        body_json(&every),
        json!({"name": "Shop EU", "domain": "shop.example.eu", "timezone": "Europe/Paris", "public": true})
    );
    assert!(every.idempotent);
    assert_eq!(every.operation, "update_website");

    assert_eq!(body_json(&build(UpdateWebsite::new("site_shop").public(false))), json!({"public": false}));
    assert_eq!(body_json(&build(UpdateWebsite::new("site_shop").timezone("UTC"))), json!({"timezone": "UTC"}));
}

#[test]
fn get_analytics_with_and_without_a_range() {
    let default = build(GetAnalytics::new("site_shop"));
    assert_line(&default, Method::GET, "/websites/site_shop/analytics");
    assert_no_body(&default);
    assert!(default.idempotent);

    let ranged = build(GetAnalytics::new("site_shop").range("2026-11-01", "2026-11-30"));
    assert_eq!(ranged.request.method(), Method::GET);
    assert_query(&ranged, "/websites/site_shop/analytics", &["from=2026-11-01", "to=2026-11-30"]);
    assert_no_body(&ranged);

    let until = build(GetAnalytics { to: Some("2026-11-30".into()), ..GetAnalytics::new("site_blog") });
    assert_line(&until, Method::GET, "/websites/site_blog/analytics?to=2026-11-30");
    // The same day on both ends is a one-day range.
    build(GetAnalytics::new("site_blog").range("2026-11-30", "2026-11-30"));
}

#[test]
fn invalid_inputs_are_refused_naming_the_field() {
    let cases: Vec<(crate::Error, &str)> = vec![
        (build_request(&GetWebsite::from(""), BASE).unwrap_err(), "id"),
        (build_request(&GetWebsite::from("  "), BASE).unwrap_err(), "id"),
        (build_request(&GetAnalytics::new(""), BASE).unwrap_err(), "id"),
        (build_request(&UpdateWebsite::new("").name("x"), BASE).unwrap_err(), "id"),
        (build_request(&GetAnalytics::new("s").range("2026-13-01", "2026-12-31"), BASE).unwrap_err(), "from"),
        (build_request(&GetAnalytics::new("s").range("2026-11-01", "30/11/2026"), BASE).unwrap_err(), "to"),
        (
            build_request(&GetAnalytics { from: Some("2026-1-1".into()), ..GetAnalytics::new("s") }, BASE).unwrap_err(),
            "from",
        ),
        (build_request(&GetAnalytics::new("s").range("2026-11-30", "2026-11-01"), BASE).unwrap_err(), "from"),
        (build_request(&UpdateWebsite::new("s"), BASE).unwrap_err(), "input"),
        (build_request(&UpdateWebsite::new("s").timezone("Mars"), BASE).unwrap_err(), "timezone"),
        (build_request(&UpdateWebsite::new("s").timezone("Europe/"), BASE).unwrap_err(), "timezone"),
        (build_request(&UpdateWebsite::new("s").timezone("Europe/ Lisbon"), BASE).unwrap_err(), "timezone"),
        (build_request(&UpdateWebsite::new("s").name(" "), BASE).unwrap_err(), "name"),
        (build_request(&UpdateWebsite::new("s").domain("localhost"), BASE).unwrap_err(), "domain"),
        (build_request(&UpdateWebsite::new("s").domain("bad_domain.com"), BASE).unwrap_err(), "domain"),
    ];
    for (error, field) in cases {
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
        assert_eq!(error.field(), Some(field), "{error}");
        assert!(error.message().starts_with(&format!("{field}: ")), "{error}");
    }
    let error = build_request(&GetAnalytics::new("s").range("2026-11-30", "2026-11-01"), BASE).unwrap_err();
    assert_eq!(error.message(), "from: must not be after to");
}

#[test]
fn inputs_read_from_json_name_the_field() {
    let input: UpdateWebsite = crate::operation::input_from_json(json!({"id": "s", "public": true})).unwrap();
    assert_eq!(input, UpdateWebsite::new("s").public(true));
    let error = crate::operation::input_from_json::<UpdateWebsite>(json!({"id": "s", "public": "yes"})).unwrap_err();
    assert_eq!((error.kind(), error.field()), (ErrorKind::InvalidInput, Some("public")));
    let error = crate::operation::input_from_json::<GetWebsite>(json!({})).unwrap_err();
    assert_eq!(error.field(), Some("id"));
}

#[test]
fn responses_decode_with_unknown_fields_kept() {
    let website: Website = decode_json(
        br#"{"id":"site_shop","name":"Shop","domain":"shop.example.com","timezone":"Europe/Lisbon",
            "public":false,"created_at":"2025-03-14T09:26:53Z","team_id":"team_1"}"#,
    )
    .unwrap();
    assert_eq!(
        (website.id.as_str(), website.timezone.as_deref(), website.public),
        ("site_shop", Some("Europe/Lisbon"), Some(false))
    );
    assert_eq!(website.created_at.as_deref(), Some("2025-03-14T09:26:53Z"));
    assert_eq!(website.extra["team_id"], "team_1");
    assert_eq!(serde_json::to_value(&website).unwrap()["team_id"], "team_1", "unknown fields survive a round trip");

    let list: Vec<Website> = decode_json(br#"[{"id":"site_blog","name":"Blog","domain":"blog.example.com"}]"#).unwrap();
    assert_eq!((list[0].timezone.clone(), list[0].public, list[0].created_at.clone()), (None, None, None));
    assert!(list[0].extra.is_empty());

    let summary: AnalyticsSummary = decode_json(
        br#"{"website_id":"site_shop","from":"2026-11-01","to":"2026-11-30","visitors":3000,"pageviews":9000,
            "sessions":4500,"bounce_rate":0.42,"avg_session_seconds":95.5,
            "top_pages":[{"path":"/","pageviews":3600},{"path":"/pricing","pageviews":1800}],
            "top_referrers":[{"referrer":"direct","visitors":1350},{"referrer":"google.com","visitors":900}],
            "countries":[{"country":"PT","visitors":1200}]}"#,
    )
    .unwrap();
    assert_eq!((summary.visitors, summary.pageviews, summary.sessions), (3000, 9000, 4500));
    assert_eq!((summary.bounce_rate, summary.avg_session_seconds), (0.42, 95.5));
    assert_eq!(summary.top_pages[1], PageViews { path: "/pricing".into(), pageviews: 1800 });
    assert_eq!(summary.top_referrers[0], ReferrerVisitors { referrer: "direct".into(), visitors: 1350 });
    assert_eq!(summary.extra["countries"][0]["country"], "PT");
}

#[test]
fn bad_bodies_are_decode_errors_naming_the_field() {
    let err = decode_json::<Website>(br#"{"id":"s","name":"n","domain":"d","public":"yes"}"#).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.message().contains("public"), "{err}");
    let err = decode_json::<AnalyticsSummary>(br#"{"website_id":"s","from":"a","to":"b"}"#).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.message().contains("visitors"), "{err}");
}

fn error_response(status: u16, body: &Value, retry_after: Option<&str>) -> crate::Error {
    let profile: &ApiProfile = &PROFILE;
    let mut builder = http::Response::builder().status(status).header("x-request-id", "req_9");
    if let Some(seconds) = retry_after {
        builder = builder.header("retry-after", seconds);
    }
    let response = builder.body(Bytes::from(body.to_string())).unwrap();
    error_from_response(profile, &response, std::time::Duration::ZERO, &Secret::new("znv_pt_secret_value"))
}

fn zenovay_error(code: &str, message: &str) -> Value {
    json!({"error": {"code": code, "message": message}})
}

#[test]
fn the_documented_errors_map_into_the_taxonomy() {
    let cases = [
        (401, "invalid_api_key", "The API key is missing or invalid", ErrorKind::Unauthorized),
        (403, "insufficient_permissions", "The API key lacks required permissions", ErrorKind::Forbidden),
        (404, "not_found", "website not found", ErrorKind::NotFound),
        (400, "invalid_request", "from: must not be after to", ErrorKind::BadRequest),
    ];
    for (status, code, message, kind) in cases {
        let error = error_response(status, &zenovay_error(code, message), None);
        assert_eq!(
            (error.kind(), error.status(), error.code(), error.message()),
            (kind, Some(status), Some(code), message)
        );
        assert_eq!(error.request_id(), Some("req_9"));
        assert!(!error.is_retryable(), "{error}");
        assert_eq!(error.retry_after(), None);
    }

    let limited =
        error_response(429, &zenovay_error("rate_limit_exceeded", "Too many requests in a short time"), Some("30"));
    assert_eq!(
        (limited.kind(), limited.status(), limited.code()),
        (ErrorKind::RateLimited, Some(429), Some("rate_limit_exceeded"))
    );
    assert_eq!(limited.message(), "Too many requests in a short time");
    assert_eq!(limited.retry_after(), Some(std::time::Duration::from_secs(30)));
    assert!(limited.is_retryable());

    let echoed = error_response(401, &zenovay_error("invalid_api_key", "key znv_pt_secret_value was revoked"), None);
    assert!(!echoed.message().contains("znv_pt_secret_value"), "{echoed}");
}

#[test]
fn the_key_goes_in_x_api_key_unless_bearer_is_asked_for() {
    for key in ["znv_pt_sandbox_full_x", "znv_wk_sandbox_blog_x"] {
        assert_eq!((PROFILE.auth.default)(key), crate::AuthScheme::Header("x-api-key"), "{key}");
    }
    assert!(PROFILE.auth.accepted.contains(&crate::AuthScheme::Bearer));
    assert_eq!(PROFILE.default_base_url, BASE);
}

#[test]
fn the_operation_table_declares_every_endpoint_once() {
    let table: Vec<(&str, Method, &str, bool)> =
        Zenovay::OPERATIONS.iter().map(|s| (s.name, s.method.clone(), s.path, s.idempotent)).collect();
    assert_eq!(
        table,
        [
            ("list_websites", Method::GET, "/websites", true),
            ("get_website", Method::GET, "/websites/{id}", true),
            ("update_website", Method::PATCH, "/websites/{id}", true),
            ("get_analytics", Method::GET, "/websites/{id}/analytics", true),
        ]
    );
}

#[test]
fn unknown_fields_in_json_input_are_refused_by_name() {
    use crate::operation::input_from_json;
    let error = input_from_json::<UpdateWebsite>(json!({"id": "site_shop", "colour": "red"})).unwrap_err();
    assert_eq!((error.kind(), error.field()), (ErrorKind::InvalidInput, Some("colour")));
    assert!(error.message().contains("update_website"), "{error}");
    let nested = input_from_json::<crate::zerokie::CreateApp>(
        json!({"name": "a", "image": "nginx", "registry_auth": {"user": "me"}}),
    )
    .unwrap_err();
    assert_eq!(nested.field(), Some("registry_auth.user"));
    let known = input_from_json::<UpdateWebsite>(json!({"id": "site_shop", "name": "Shop", "public": null})).unwrap();
    assert_eq!(known.name.as_deref(), Some("Shop"));
}
