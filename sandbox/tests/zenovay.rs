//! The Zenovay emulation over real HTTP: credentials and their scopes, website-scoped keys, website
//! settings, analytics and the rate limit.

mod common;

use std::time::Duration;

use common::{call, is_rfc3339, Env};
use reqwest::{Method, RequestBuilder};
use serde_json::{json, Value};
use zkit_sandbox::credentials::{
    ZENOVAY_ADMIN_TOKEN, ZENOVAY_API_KEY, ZENOVAY_READ_TOKEN, ZENOVAY_SITE_KEY, ZENOVAY_WORKSPACE_KEY,
    ZENOVAY_WRITE_TOKEN,
};

/// A request to `path` under Zenovay's base URL, with `key` in `X-API-Key`.
fn zenovay(env: &Env, method: Method, path: &str, key: &str) -> RequestBuilder {
    env.http.request(method, format!("{}{path}", env.sandbox.base_url("zenovay"))).header("x-api-key", key)
}

/// `PATCH /websites/{id}` with `body`, as `key`.
fn patch(env: &Env, id: &str, key: &str, body: Value) -> RequestBuilder {
    zenovay(env, Method::PATCH, &format!("/websites/{id}"), key).json(&body)
}

/// The `{"error": {"code", "message"}}` body of a Zenovay error.
fn error(code: &str, message: &str) -> Value {
    json!({"error": {"code": code, "message": message}})
}

fn ids(list: &Value) -> Vec<&str> {
    list.as_array().unwrap().iter().map(|website| website["id"].as_str().unwrap()).collect()
}

/// The sandbox clock's date, `YYYY-MM-DD`.
async fn sandbox_today(env: &Env) -> String {
    let (_, clock) = call(env.request(Method::GET, "/__sandbox/clock")).await;
    clock["now"].as_str().unwrap()[..10].to_owned()
}

#[tokio::test]
async fn requests_without_a_known_key_get_401_invalid_api_key() {
    let env = Env::start().await;
    let url = "/zenovay/api/external/v1/websites";
    let unauthorized = (401, error("invalid_api_key", "The API key is missing or invalid"));
    for request in [
        env.request(Method::GET, url),
        env.request(Method::GET, url).header("x-api-key", "znv_pt_not_a_sandbox_key"),
        env.request(Method::GET, url).bearer_auth("znv_pt_not_a_sandbox_key"),
        env.request(Method::GET, url).header("authorization", format!("Basic {ZENOVAY_API_KEY}")),
        env.request(Method::GET, &format!("{url}/site_shop")),
        env.request(Method::PATCH, &format!("{url}/site_shop")).json(&json!({"name": "x"})),
        env.request(Method::GET, &format!("{url}/site_shop/analytics?from=bad")),
    ] {
        assert_eq!(call(request).await, unauthorized);
    }
}

#[tokio::test]
async fn both_header_styles_carry_every_credential() {
    let env = Env::start().await;
    let url = "/zenovay/api/external/v1/websites";
    for key in [
        ZENOVAY_API_KEY,
        ZENOVAY_READ_TOKEN,
        ZENOVAY_WRITE_TOKEN,
        ZENOVAY_ADMIN_TOKEN,
        ZENOVAY_WORKSPACE_KEY,
        ZENOVAY_SITE_KEY,
    ] {
        let (status, by_header) = call(env.request(Method::GET, url).header("x-api-key", key)).await;
        assert_eq!(status, 200, "{key}");
        let (status, by_bearer) = call(env.request(Method::GET, url).bearer_auth(key)).await;
        assert_eq!((status, &by_bearer), (200, &by_header), "{key}");
    }
    let lowercase = env.request(Method::GET, url).header("authorization", format!("bearer {ZENOVAY_API_KEY}"));
    assert_eq!(call(lowercase).await.0, 200);
}

#[tokio::test]
async fn websites_are_listed_and_fetched() {
    let env = Env::start().await;
    let (status, list) = call(zenovay(&env, Method::GET, "/websites", ZENOVAY_API_KEY)).await;
    assert_eq!(status, 200);
    assert_eq!(ids(&list), ["site_shop", "site_blog"]);
    assert_eq!(
        list[0],
        json!({"id": "site_shop", "name": "Shop", "domain": "shop.example.com", "timezone": "Europe/Lisbon",
            "public": false, "created_at": list[0]["created_at"]})
    );
    assert_eq!(
        (&list[1]["name"], &list[1]["domain"], &list[1]["timezone"], &list[1]["public"]),
        (&json!("Blog"), &json!("blog.example.com"), &json!("UTC"), &json!(true))
    );
    assert!(list.as_array().unwrap().iter().all(|w| is_rfc3339(w["created_at"].as_str().unwrap())), "{list}");

    let (status, shop) = call(zenovay(&env, Method::GET, "/websites/site_shop", ZENOVAY_READ_TOKEN)).await;
    assert_eq!((status, &shop), (200, &list[0]));
    let not_found = (404, error("not_found", "website not found"));
    assert_eq!(call(zenovay(&env, Method::GET, "/websites/site_nope", ZENOVAY_API_KEY)).await, not_found);
    assert_eq!(call(zenovay(&env, Method::GET, "/websites/site_nope/analytics", ZENOVAY_API_KEY)).await, not_found);
    assert_eq!(call(patch(&env, "site_nope", ZENOVAY_API_KEY, json!({"name": "x"}))).await, not_found);
}

#[tokio::test]
async fn scopes_decide_who_reads_renames_and_publishes() {
    let env = Env::start().await;
    let forbidden = (403, error("insufficient_permissions", "The API key lacks required permissions"));

    // read: every read, no write.
    for path in ["/websites", "/websites/site_shop", "/websites/site_shop/analytics"] {
        assert_eq!(call(zenovay(&env, Method::GET, path, ZENOVAY_READ_TOKEN)).await.0, 200, "{path}");
    }
    assert_eq!(call(patch(&env, "site_shop", ZENOVAY_READ_TOKEN, json!({"name": "Read"}))).await, forbidden);
    // The scope is checked before the body.
    assert_eq!(call(patch(&env, "site_shop", ZENOVAY_READ_TOKEN, json!({}))).await, forbidden);

    // write: settings, but not the dashboard's visibility.
    let (status, renamed) =
        call(patch(&env, "site_shop", ZENOVAY_WRITE_TOKEN, json!({"name": "Shop EU", "timezone": "Europe/Paris"})))
            .await;
    assert_eq!(status, 200, "{renamed}");
    assert_eq!((&renamed["name"], &renamed["timezone"]), (&json!("Shop EU"), &json!("Europe/Paris")));
    for body in [json!({"public": true}), json!({"name": "Both", "public": false}), json!({"public": "yes"})] {
        assert_eq!(call(patch(&env, "site_shop", ZENOVAY_WRITE_TOKEN, body.clone())).await, forbidden, "{body}");
    }
    let (_, shop) = call(zenovay(&env, Method::GET, "/websites/site_shop", ZENOVAY_WRITE_TOKEN)).await;
    assert_eq!((&shop["name"], &shop["public"]), (&json!("Shop EU"), &json!(false)), "refused changes left nothing");

    // admin and full_access: the visibility too.
    let (status, public) = call(patch(&env, "site_shop", ZENOVAY_ADMIN_TOKEN, json!({"public": true}))).await;
    assert_eq!((status, &public["public"]), (200, &json!(true)));
    let (status, private) = call(patch(&env, "site_shop", ZENOVAY_WORKSPACE_KEY, json!({"public": false}))).await;
    assert_eq!((status, &private["public"], &private["name"]), (200, &json!(false), &json!("Shop EU")));
}

#[tokio::test]
async fn a_website_scoped_key_sees_only_its_website() {
    let env = Env::start().await;
    let (status, list) = call(zenovay(&env, Method::GET, "/websites", ZENOVAY_SITE_KEY)).await;
    assert_eq!((status, ids(&list)), (200, vec!["site_blog"]));
    assert_eq!(call(zenovay(&env, Method::GET, "/websites/site_blog", ZENOVAY_SITE_KEY)).await.0, 200);
    let (status, blog) = call(patch(&env, "site_blog", ZENOVAY_SITE_KEY, json!({"name": "Notes"}))).await;
    assert_eq!((status, &blog["name"]), (200, &json!("Notes")));

    let not_found = (404, error("not_found", "website not found"));
    for request in [
        zenovay(&env, Method::GET, "/websites/site_shop", ZENOVAY_SITE_KEY),
        zenovay(&env, Method::GET, "/websites/site_shop/analytics", ZENOVAY_SITE_KEY),
        patch(&env, "site_shop", ZENOVAY_SITE_KEY, json!({"name": "Mine"})),
    ] {
        assert_eq!(call(request).await, not_found);
    }
    let (_, shop) = call(zenovay(&env, Method::GET, "/websites/site_shop", ZENOVAY_API_KEY)).await;
    assert_eq!(shop["name"], "Shop");
}

#[tokio::test]
async fn settings_are_changed_and_kept() {
    let env = Env::start().await;
    let body = json!({"name": "Store", "domain": "Store.Example.COM.", "timezone": "America/New_York", "public": true});
    let (status, website) = call(patch(&env, "site_shop", ZENOVAY_API_KEY, body)).await;
    assert_eq!(status, 200, "{website}");
    let expected = json!({"id": "site_shop", "name": "Store", "domain": "store.example.com",
        "timezone": "America/New_York", "public": true, "created_at": website["created_at"]});
    assert_eq!(website, expected);
    assert_eq!(call(zenovay(&env, Method::GET, "/websites/site_shop", ZENOVAY_API_KEY)).await, (200, expected));
    // Only what the body names changes; null counts as absent.
    let (_, website) = call(patch(&env, "site_shop", ZENOVAY_API_KEY, json!({"timezone": "UTC", "name": null}))).await;
    assert_eq!((&website["timezone"], &website["name"]), (&json!("UTC"), &json!("Store")));
    let (_, blog) = call(zenovay(&env, Method::GET, "/websites/site_blog", ZENOVAY_API_KEY)).await;
    assert_eq!(blog["name"], "Blog", "other websites are untouched");

    env.sandbox.reset();
    let (_, shop) = call(zenovay(&env, Method::GET, "/websites/site_shop", ZENOVAY_API_KEY)).await;
    assert_eq!(shop["name"], "Shop", "a reset restores the seeded websites");
}

#[tokio::test]
async fn bad_settings_get_400_invalid_request() {
    let env = Env::start().await;
    let send = |body: &'static str| {
        zenovay(&env, Method::PATCH, "/websites/site_shop", ZENOVAY_API_KEY)
            .header("content-type", "application/json")
            .body(body)
    };
    for (body, starts) in [
        ("", "invalid JSON body"),
        ("{not json", "invalid JSON body"),
        ("[]", "request body must be a JSON object"),
        ("{}", "input: change at least one"),
        (r#"{"name": null}"#, "input: change at least one"),
        (r#"{"name": "  "}"#, "name: must not be empty"),
        (r#"{"name": 5}"#, "name: must be a string"),
        (r#"{"domain": "localhost"}"#, "domain: 'localhost' is not a valid domain name"),
        (r#"{"domain": "bad_domain.com"}"#, "domain:"),
        (r#"{"timezone": "Mars"}"#, "timezone: must be a time zone"),
        (r#"{"timezone": "Europe/ Lisbon"}"#, "timezone: must be a time zone"),
        (r#"{"public": "yes"}"#, "public: must be true or false"),
        (r#"{"name": "Shop", "colour": "red"}"#, "colour: is not a website setting"),
        (r#"{"id": "site_blog"}"#, "id: is not a website setting"),
    ] {
        let (status, body_out) = call(send(body)).await;
        assert_eq!((status, &body_out["error"]["code"]), (400, &json!("invalid_request")), "{body}: {body_out}");
        let message = body_out["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(starts), "{body}: {message}");
    }
    let (_, shop) = call(zenovay(&env, Method::GET, "/websites/site_shop", ZENOVAY_API_KEY)).await;
    assert_eq!((&shop["name"], &shop["public"]), (&json!("Shop"), &json!(false)), "nothing changed");
}

#[tokio::test]
async fn analytics_cover_the_last_30_days_by_default() {
    let env = Env::start().await;
    let analytics = |query: &str| {
        call(zenovay(&env, Method::GET, &format!("/websites/site_shop/analytics{query}"), ZENOVAY_API_KEY))
    };
    let (status, summary) = analytics("").await;
    assert_eq!(status, 200, "{summary}");
    let today = sandbox_today(&env).await;
    assert_eq!((&summary["website_id"], summary["to"].as_str().unwrap()), (&json!("site_shop"), today.as_str()));
    // The default `from` is 29 days before `to`, as with `to` alone.
    let (_, ending_today) = analytics(&format!("?to={today}")).await;
    assert_eq!(ending_today, summary);
    let (_, ending) = analytics("?to=2026-03-01").await;
    assert_eq!((&ending["from"], &ending["to"]), (&json!("2026-01-31"), &json!("2026-03-01")));
    let (_, leap) = analytics("?to=2028-03-01").await;
    assert_eq!(leap["from"], "2028-02-01");
    assert_eq!(ending["visitors"], summary["visitors"], "30 days both");
    let (_, explicit) = analytics(&format!("?from={}&to={today}", summary["from"].as_str().unwrap())).await;
    assert_eq!(explicit, summary);

    // `from` alone runs until today.
    let (_, since) = analytics("?from=2026-01-01").await;
    assert_eq!((&since["from"], since["to"].as_str().unwrap()), (&json!("2026-01-01"), today.as_str()));

    // The sandbox clock moves the default range.
    env.sandbox.advance_clock(Duration::from_secs(86_400));
    let (_, tomorrow) = analytics("").await;
    assert_eq!(tomorrow["to"].as_str().unwrap(), sandbox_today(&env).await);
    assert_ne!(tomorrow["to"], summary["to"]);
    assert_eq!(tomorrow["visitors"], summary["visitors"]);
}

#[tokio::test]
async fn analytics_are_deterministic_and_consistent() {
    let env = Env::start().await;
    let get = |id: &str, from: &str, to: &str| {
        call(zenovay(&env, Method::GET, &format!("/websites/{id}/analytics?from={from}&to={to}"), ZENOVAY_API_KEY))
    };
    let (status, november) = get("site_shop", "2026-11-01", "2026-11-30").await;
    assert_eq!(status, 200, "{november}");
    assert_eq!((&november["from"], &november["to"]), (&json!("2026-11-01"), &json!("2026-11-30")));
    assert_eq!(get("site_shop", "2026-11-01", "2026-11-30").await.1, november, "same range, same figures");
    assert_eq!(get("site_shop", "2025-04-01", "2025-04-30").await.1["visitors"], november["visitors"], "same length");

    let number = |summary: &Value, field: &str| summary[field].as_u64().unwrap();
    let (visitors, pageviews, sessions) =
        (number(&november, "visitors"), number(&november, "pageviews"), number(&november, "sessions"));
    assert!(visitors > 0 && visitors < sessions && sessions < pageviews, "{november}");
    assert!((0.0..=1.0).contains(&november["bounce_rate"].as_f64().unwrap()), "{november}");
    assert!(november["avg_session_seconds"].as_f64().unwrap() > 0.0, "{november}");
    let pages: Vec<u64> = november["top_pages"].as_array().unwrap().iter().map(|p| number(p, "pageviews")).collect();
    assert!(!pages.is_empty() && pages.windows(2).all(|w| w[0] >= w[1]), "most first: {pages:?}");
    assert!(pages.iter().sum::<u64>() <= pageviews, "{pages:?}");
    assert_eq!(november["top_pages"][0]["path"], "/");
    let referrers: Vec<u64> =
        november["top_referrers"].as_array().unwrap().iter().map(|r| number(r, "visitors")).collect();
    assert!(!referrers.is_empty() && referrers.windows(2).all(|w| w[0] >= w[1]), "{referrers:?}");
    assert!(referrers.iter().sum::<u64>() <= visitors);

    // Figures scale with the number of days, and differ between websites.
    let (_, day) = get("site_shop", "2026-11-01", "2026-11-01").await;
    assert_eq!(number(&day, "visitors") * 30, visitors);
    let (_, blog) = get("site_blog", "2026-11-01", "2026-11-30").await;
    assert_ne!(blog["visitors"], november["visitors"]);
    assert_eq!(blog["website_id"], "site_blog");
}

#[tokio::test]
async fn bad_dates_get_400_invalid_request() {
    let env = Env::start().await;
    for (query, field) in [
        ("from=2026-13-01", "from"),
        ("from=2026-02-30", "from"),
        ("from=", "from"),
        ("from=01/11/2026", "from"),
        ("to=2026-1-5", "to"),
        ("to=tomorrow", "to"),
        ("from=2026-11-30&to=2026-11-01", "from"),
    ] {
        let path = format!("/websites/site_shop/analytics?{query}");
        let (status, body) = call(zenovay(&env, Method::GET, &path, ZENOVAY_API_KEY)).await;
        assert_eq!((status, &body["error"]["code"]), (400, &json!("invalid_request")), "{query}: {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(&format!("{field}: ")), "{query}: {message}");
    }
    // Unknown parameters are ignored.
    let path = "/websites/site_shop/analytics?from=2026-11-01&to=2026-11-02&interval=day";
    assert_eq!(call(zenovay(&env, Method::GET, path, ZENOVAY_API_KEY)).await.0, 200);
}

#[tokio::test]
async fn the_121st_request_in_a_minute_gets_429_until_the_window_moves() {
    let env = Env::start().await;
    for _ in 0..60 {
        assert_eq!(call(zenovay(&env, Method::GET, "/websites", ZENOVAY_READ_TOKEN)).await.0, 200);
    }
    // Either header counts against the same credential, and every route too.
    for _ in 0..60 {
        let request =
            env.request(Method::GET, "/zenovay/api/external/v1/websites/site_shop").bearer_auth(ZENOVAY_READ_TOKEN);
        assert_eq!(call(request).await.0, 200);
    }
    let response = zenovay(&env, Method::GET, "/websites", ZENOVAY_READ_TOKEN).send().await.unwrap();
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(common::read(response).await, (429, error("rate_limit_exceeded", "Too many requests in a short time")));
    // The refusal comes before anything else: a missing website, a forbidden change.
    let (status, body) = call(patch(&env, "site_nope", ZENOVAY_READ_TOKEN, json!({}))).await;
    assert_eq!((status, &body["error"]["code"]), (429, &json!("rate_limit_exceeded")));

    // Other credentials have windows of their own; unknown keys still get 401.
    assert_eq!(call(zenovay(&env, Method::GET, "/websites", ZENOVAY_API_KEY)).await.0, 200);
    assert_eq!(call(zenovay(&env, Method::GET, "/websites", "znv_nope")).await.0, 401);

    env.sandbox.advance_clock(Duration::from_secs(60));
    assert_eq!(call(zenovay(&env, Method::GET, "/websites", ZENOVAY_READ_TOKEN)).await.0, 200);
}
