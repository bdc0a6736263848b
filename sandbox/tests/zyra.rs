//! The Zyra emulation over real HTTP: the envelope and request ids, logins, tokens and keys, roles,
//! pagination, each resource's rules, the invoice PDF, rate limits, password resets, SSO and SDK
//! discovery.

mod common;

use std::time::Duration;

use common::{call, is_rfc3339, read, Env};
use reqwest::{Method, RequestBuilder};
use serde_json::{json, Value};
use zkit_sandbox::credentials::{
    ZYRA_ADMIN_EMAIL, ZYRA_ADMIN_KEY, ZYRA_ADMIN_PASSWORD, ZYRA_MEMBER_EMAIL, ZYRA_MEMBER_KEY, ZYRA_MEMBER_PASSWORD,
    ZYRA_OPS_KEY, ZYRA_ORGANIZATION_ID,
};

/// A request to `path` under Zyra's base URL, without credentials.
fn zyra(env: &Env, method: Method, path: &str) -> RequestBuilder {
    env.http.request(method, format!("{}{path}", env.sandbox.base_url("zyra")))
}

/// A request to `path` under Zyra's base URL with `credential` (a key or an access token) as Bearer.
fn with(env: &Env, credential: &str, method: Method, path: &str) -> RequestBuilder {
    zyra(env, method, path).bearer_auth(credential)
}

/// A request as Ada, the org admin, with her key.
fn admin(env: &Env, method: Method, path: &str) -> RequestBuilder {
    with(env, ZYRA_ADMIN_KEY, method, path)
}

/// A request as Max, a member, with his key.
fn member(env: &Env, method: Method, path: &str) -> RequestBuilder {
    with(env, ZYRA_MEMBER_KEY, method, path)
}

/// Sends `request`, checks the envelope says success, and returns the status and `data`.
async fn data(request: RequestBuilder) -> (u16, Value) {
    let (status, body) = call(request).await;
    assert_eq!(body["success"], json!(true), "{status} {body}");
    (status, body["data"].clone())
}

/// Sends `request` and returns the status and the error `code`, after checking the error envelope.
async fn error(request: RequestBuilder) -> (u16, String) {
    let (status, body) = call(request).await;
    assert_eq!(body["success"], json!(false), "{status} {body}");
    assert!(body["error"]["message"].is_string(), "{body}");
    assert!(body["error"].as_object().unwrap().contains_key("details"), "{body}");
    (status, body["error"]["code"].as_str().unwrap_or_default().to_owned())
}

/// The (status, code) of an error answer.
fn refused(status: u16, code: &str) -> (u16, String) {
    (status, code.to_owned())
}

/// The ids of a page's items.
fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|item| item["id"].as_str().unwrap().to_owned()).collect()
}

/// Logs in and returns the token pair's `data`.
async fn login(env: &Env, email: &str, password: &str) -> Value {
    let (status, session) =
        data(zyra(env, Method::POST, "/auth/login").json(&json!({"email": email, "password": password}))).await;
    assert_eq!(status, 200, "{session}");
    session
}

/// The claims of a JWT, decoded without checking it.
fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    let mut bits = 0u32;
    let mut count = 0;
    let mut bytes = Vec::new();
    for c in payload.bytes() {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => panic!("not base64url: {payload}"),
        };
        bits = bits << 6 | u32::from(value);
        count += 6;
        if count >= 8 {
            count -= 8;
            bytes.push((bits >> count) as u8);
        }
    }
    serde_json::from_slice(&bytes).unwrap()
}

async fn advance(env: &Env, seconds: u64) {
    let advanced = env.request(Method::POST, "/__sandbox/clock").json(&json!({"advance_seconds": seconds}));
    assert_eq!(call(advanced).await.0, 200);
}

#[tokio::test]
async fn every_answer_is_in_the_envelope_with_the_request_id_of_its_header() {
    let env = Env::start().await;
    let check_meta = |body: &Value, header: &str| {
        assert_eq!(body["meta"]["request_id"], json!(header), "{body}");
        assert!(header.starts_with("req_"), "{header}");
        assert!(is_rfc3339(body["meta"]["timestamp"].as_str().unwrap()), "{body}");
    };
    let answer = |request: RequestBuilder| async move {
        let response = request.send().await.unwrap();
        let header = response.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert_eq!(response.headers()["content-type"], "application/json");
        let (status, body) = read(response).await;
        (status, body, header)
    };

    let (status, body, header) = answer(admin(&env, Method::GET, "/organizations/org_sandbox")).await;
    assert_eq!((status, &body["success"]), (200, &json!(true)));
    assert_eq!(
        body["data"],
        json!({"id": "org_sandbox", "name": "Sandbox Labs", "slug": "sandbox-labs", "plan": "team",
            "created_at": "2026-01-15T10:00:00Z"})
    );
    check_meta(&body, &header);

    // Errors: a credential error, an unknown route, another method, a body that is not JSON.
    for (request, expected) in [
        (zyra(&env, Method::GET, "/devices"), (401, "missing_bearer")),
        (admin(&env, Method::GET, "/nothing/here"), (404, "not_found")),
        (zyra(&env, Method::GET, "/nothing"), (404, "not_found")),
        (admin(&env, Method::PUT, "/devices"), (405, "method_not_allowed")),
        (admin(&env, Method::POST, "/devices").body("{not json"), (400, "validation_error")),
        (admin(&env, Method::GET, "/devices/dev_9999"), (404, "not_found")),
    ] {
        let (status, body, header) = answer(request).await;
        assert_eq!((status, body["error"]["code"].as_str().unwrap()), expected, "{body}");
        assert_eq!(body["success"], json!(false));
        assert_eq!(body["error"]["request_id"], json!(header), "{body}");
        check_meta(&body, &header);
    }
    let (_, body, _) = answer(admin(&env, Method::POST, "/devices").body("[1]")).await;
    assert_eq!(body["error"]["details"], json!({"field": "body"}), "{body}");
    let (_, body, _) = answer(admin(&env, Method::POST, "/devices").json(&json!({"name": "n", "colour": 1}))).await;
    assert_eq!(body["error"]["details"], json!({"field": "colour"}), "{body}");

    // An operation with nothing to return.
    let (status, body, _) = answer(admin(&env, Method::DELETE, "/devices/dev_0001")).await;
    assert_eq!((status, &body["success"], &body["data"]), (200, &json!(true), &Value::Null), "{body}");
}

#[tokio::test]
async fn logins_refreshes_and_token_expiry_follow_the_sandbox_clock() {
    let env = Env::start().await;
    let session = login(&env, ZYRA_ADMIN_EMAIL, ZYRA_ADMIN_PASSWORD).await;
    assert_eq!((&session["token_type"], &session["expires_in"]), (&json!("bearer"), &json!(900)));
    assert_eq!(
        session["user"],
        json!({"id": "usr_0001", "email": ZYRA_ADMIN_EMAIL, "name": "Ada Lovelace", "role": "org_admin",
            "organization_id": ZYRA_ORGANIZATION_ID})
    );
    let access = session["access_token"].as_str().unwrap().to_owned();
    let refresh = session["refresh_token"].as_str().unwrap().to_owned();
    let access_claims = claims(&access);
    assert_eq!((&access_claims["sub"], &access_claims["typ"]), (&json!("usr_0001"), &json!("access")));
    assert_eq!((&access_claims["org"], &access_claims["role"]), (&json!("org_sandbox"), &json!("org_admin")));
    let lifetime = |claims: &Value| claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap();
    assert_eq!(lifetime(&access_claims), 900);
    assert_eq!((lifetime(&claims(&refresh)), &claims(&refresh)["typ"]), (7 * 86_400, &json!("refresh")));

    // The access token works like a key.
    let (status, page) = data(with(&env, &access, Method::GET, "/organizations")).await;
    assert_eq!((status, ids(&page)), (200, vec!["org_sandbox".to_owned()]));

    // Wrong passwords and unknown emails are the same 401; an email is lowercased.
    for (email, password) in [(ZYRA_ADMIN_EMAIL, "wrong-password"), ("nobody@zyra.test", ZYRA_ADMIN_PASSWORD)] {
        let request = zyra(&env, Method::POST, "/auth/login").json(&json!({"email": email, "password": password}));
        assert_eq!(error(request).await, refused(401, "invalid_credentials"));
    }
    login(&env, "ADA@zyra.test", ZYRA_ADMIN_PASSWORD).await;
    let no_password = zyra(&env, Method::POST, "/auth/login").json(&json!({"email": ZYRA_ADMIN_EMAIL}));
    assert_eq!(error(no_password).await, refused(400, "validation_error"));

    // A refresh gives a new pair; an access token is no refresh token.
    let refresh_with = |token: &str| zyra(&env, Method::POST, "/auth/refresh").json(&json!({"refresh_token": token}));
    let (status, renewed) = data(refresh_with(&refresh)).await;
    assert_eq!((status, &renewed["user"]["id"]), (200, &json!("usr_0001")));
    assert_ne!(renewed["access_token"], json!(access));
    assert_eq!(error(refresh_with(&access)).await, refused(401, "invalid_refresh_token"));
    assert_eq!(error(refresh_with("not.a.token")).await, refused(401, "invalid_refresh_token"));

    // 901 s later the access token has expired; the refresh token (7 days) still works.
    advance(&env, 901).await;
    assert_eq!(error(with(&env, &access, Method::GET, "/organizations")).await, refused(401, "token_expired"));
    let (_, later) = data(refresh_with(&refresh)).await;
    let fresh = later["access_token"].as_str().unwrap();
    assert_eq!(data(with(&env, fresh, Method::GET, "/organizations")).await.0, 200);

    advance(&env, 7 * 86_400).await;
    assert_eq!(error(refresh_with(&refresh)).await, refused(401, "invalid_refresh_token"));
}

#[tokio::test]
async fn bearer_credentials_are_checked_before_anything_else() {
    let env = Env::start().await;
    let session = login(&env, ZYRA_MEMBER_EMAIL, ZYRA_MEMBER_PASSWORD).await;
    let access = session["access_token"].as_str().unwrap();
    let refresh = session["refresh_token"].as_str().unwrap();
    let (header, payload, _) = {
        let mut parts = access.split('.');
        (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap())
    };
    let path = "/invoices";
    for (request, expected) in [
        (zyra(&env, Method::GET, path), (401, "missing_bearer")),
        (zyra(&env, Method::GET, path).header("authorization", ZYRA_ADMIN_KEY), (401, "missing_bearer")),
        (
            zyra(&env, Method::GET, path).header("authorization", format!("Basic {ZYRA_ADMIN_KEY}")),
            (401, "missing_bearer"),
        ),
        (zyra(&env, Method::GET, path).header("authorization", "Bearer "), (401, "missing_bearer")),
        (zyra(&env, Method::GET, path).header("x-api-key", ZYRA_ADMIN_KEY), (401, "missing_bearer")),
        (with(&env, "zyra_sk_00000000000000000000000000000000", Method::GET, path), (401, "invalid_api_key")),
        (with(&env, "garbage", Method::GET, path), (401, "invalid_token")),
        (with(&env, &format!("{header}.{payload}.AAAA"), Method::GET, path), (401, "invalid_token")),
        (with(&env, refresh, Method::GET, path), (401, "invalid_token")),
        // The credential before the route's role or body.
        (zyra(&env, Method::POST, "/sla/alert-rules").body("{bad"), (401, "missing_bearer")),
    ] {
        assert_eq!(error(request).await, (expected.0, expected.1.to_owned()));
    }
    let lowercase =
        zyra(&env, Method::GET, "/devices?limit=1").header("authorization", format!("bearer {ZYRA_ADMIN_KEY}"));
    assert_eq!(data(lowercase).await.0, 200);
}

#[tokio::test]
async fn members_get_403_for_admin_routes_and_use_the_rest() {
    let env = Env::start().await;
    let session = login(&env, ZYRA_MEMBER_EMAIL, ZYRA_MEMBER_PASSWORD).await;
    let token = session["access_token"].as_str().unwrap().to_owned();
    let forbidden = refused(403, "insufficient_role");
    for credential in [ZYRA_MEMBER_KEY, token.as_str()] {
        for (method, path, body) in [
            (Method::POST, "/organizations/org_sandbox/members", json!({"email": "new@zyra.test", "role": "member"})),
            (Method::PATCH, "/organizations/org_sandbox/members/usr_0003", json!({"role": "org_admin"})),
            (Method::DELETE, "/organizations/org_sandbox/members/usr_0003", Value::Null),
            (Method::PATCH, "/organizations/org_sandbox/settings", json!({"require_sso": true})),
            (Method::POST, "/devices/dev_0518/approve", Value::Null),
            (Method::DELETE, "/devices/dev_0001", Value::Null),
            (Method::GET, "/invoices", Value::Null),
            (Method::GET, "/invoices/inv_0001", Value::Null),
            (Method::GET, "/invoices/inv_0001/pdf", Value::Null),
            (Method::POST, "/sla/alert-rules", json!({})),
            (Method::PATCH, "/sla/alert-rules/rule_0001", json!({"threshold": 1})),
            (Method::DELETE, "/sla/alert-rules/rule_0001", Value::Null),
        ] {
            let request = with(&env, credential, method.clone(), path).json(&body);
            assert_eq!(error(request).await, forbidden, "{method} {path}");
        }
    }
    // The role is checked before the resource: a member learns nothing of unknown ids.
    assert_eq!(error(member(&env, Method::GET, "/invoices/inv_9999")).await, forbidden);
    for path in
        ["/devices", "/organizations/org_sandbox/settings", "/sla/alert-rules", "/organizations/org_sandbox/members"]
    {
        assert_eq!(data(member(&env, Method::GET, path)).await.0, 200, "{path}");
    }
    let (status, settings) = data(admin(&env, Method::GET, "/organizations/org_sandbox/settings")).await;
    assert_eq!((status, &settings["require_sso"]), (200, &json!(false)), "refused changes left nothing");
}

#[tokio::test]
async fn a_new_key_is_shown_once_and_stored_as_a_hash_and_prefix() {
    let env = Env::start().await;
    let (status, key) = data(admin(&env, Method::POST, "/api-keys").json(&json!({"name": "ci-deploy-prod"}))).await;
    assert_eq!(status, 201, "{key}");
    let full = key["key"].as_str().unwrap().to_owned();
    assert!(full.starts_with("zyra_sk_") && full.len() == 40, "{full}");
    assert!(full[8..].bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase()), "{full}");
    assert_eq!(key["prefix"], json!(&full[..18]));
    assert_eq!(
        (&key["name"], &key["is_active"], &key["last_used_at"]),
        (&json!("ci-deploy-prod"), &json!(true), &Value::Null)
    );
    assert!(is_rfc3339(key["created_at"].as_str().unwrap()));

    // The list shows prefixes, never a key.
    let (_, listed) = data(admin(&env, Method::GET, "/api-keys")).await;
    assert_eq!(listed["total"], json!(2), "Ada's seeded key and the new one: {listed}");
    assert!(!listed.to_string().contains(&full), "{listed}");
    assert!(!listed.to_string().contains(ZYRA_ADMIN_KEY), "{listed}");
    assert!(listed["items"].as_array().unwrap().iter().all(|item| item.get("key").is_none()), "{listed}");
    assert_eq!(listed["items"][0]["prefix"], json!(&ZYRA_ADMIN_KEY[..18]));
    assert!(is_rfc3339(listed["items"][0]["last_used_at"].as_str().unwrap()), "the list call used it: {listed}");
    assert_eq!(listed["items"][1], {
        let mut shown = key.clone();
        shown.as_object_mut().unwrap().remove("key");
        shown
    });
    let (_, journal) = call(env.request(Method::GET, "/__sandbox/journal")).await;
    assert!(!journal.to_string().contains(ZYRA_ADMIN_KEY), "{journal}");

    // The new key works; revoking takes effect at once and the row stays listed, inactive.
    let id = key["id"].as_str().unwrap();
    assert_eq!(data(with(&env, &full, Method::GET, "/api-keys")).await.0, 200);
    let (status, revoked) = data(with(&env, &full, Method::DELETE, &format!("/api-keys/{id}"))).await;
    assert_eq!((status, &revoked["is_active"], revoked.get("key")), (200, &json!(false), None));
    assert_eq!(error(with(&env, &full, Method::GET, "/api-keys")).await, refused(401, "key_revoked"));
    let (_, listed) = data(admin(&env, Method::GET, "/api-keys")).await;
    assert_eq!(listed["items"][1]["is_active"], json!(false));
    // Another user's key is not found; a name is required.
    assert_eq!(error(member(&env, Method::DELETE, "/api-keys/key_0001")).await, refused(404, "not_found"));
    assert_eq!(error(admin(&env, Method::POST, "/api-keys").json(&json!({}))).await, refused(400, "validation_error"));
}

#[tokio::test]
async fn the_eleventh_active_key_of_a_user_is_refused() {
    let env = Env::start().await;
    let (_, keys) = data(with(&env, ZYRA_OPS_KEY, Method::GET, "/api-keys")).await;
    let active = keys["items"].as_array().unwrap().iter().filter(|key| key["is_active"] == json!(true)).count();
    assert_eq!((active, &keys["items"][1]["name"]), (9, &json!("ops-seed-1")), "{keys}");

    let create = || with(&env, ZYRA_OPS_KEY, Method::POST, "/api-keys").json(&json!({"name": "tenth"}));
    let (status, tenth) = data(create()).await;
    assert_eq!(status, 201);
    let (status, body) = call(create()).await;
    assert_eq!((status, &body["error"]["code"]), (409, &json!("key_limit_reached")), "{body}");

    // Revoking one makes room again.
    let revoke = with(&env, ZYRA_OPS_KEY, Method::DELETE, &format!("/api-keys/{}", tenth["id"].as_str().unwrap()));
    assert_eq!(data(revoke).await.0, 200);
    assert_eq!(data(create()).await.0, 201);
}

#[tokio::test]
async fn lists_page_by_offset_and_limit() {
    let env = Env::start().await;
    let (status, first) = data(admin(&env, Method::GET, "/devices")).await;
    assert_eq!((status, &first["total"], &first["offset"], &first["limit"]), (200, &json!(520), &json!(0), &json!(50)));
    assert_eq!(ids(&first).len(), 50);
    assert_eq!(ids(&first)[0], "dev_0001");
    let device = &first["items"][0];
    assert_eq!(
        device.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["id", "name", "status", "gpu_model", "gpu_count", "region", "registered_at", "approved_at"]
    );

    for (query, field) in [("limit=201", "limit"), ("limit=0", "limit"), ("limit=x", "limit"), ("offset=-1", "offset")]
    {
        let (status, body) = call(admin(&env, Method::GET, &format!("/devices?{query}"))).await;
        assert_eq!((status, &body["error"]["code"]), (400, &json!("validation_error")), "{query}");
        assert_eq!(body["error"]["details"], json!({"field": field}), "{query}");
    }

    // Walking every page sees each device once, in order.
    let mut seen = Vec::new();
    let mut offset = 0;
    loop {
        let (_, page) = data(admin(&env, Method::GET, &format!("/devices?offset={offset}&limit=200"))).await;
        assert_eq!(page["limit"], json!(200));
        let page_ids = ids(&page);
        if page_ids.is_empty() {
            break;
        }
        offset += page_ids.len();
        seen.extend(page_ids);
    }
    let expected: Vec<String> = (1..=520).map(|n| format!("dev_{n:04}")).collect();
    assert_eq!(seen, expected);

    let (_, pending) = data(admin(&env, Method::GET, "/devices?status=pending")).await;
    assert_eq!(
        (ids(&pending), &pending["total"]),
        (vec!["dev_0518".into(), "dev_0519".into(), "dev_0520".into()], &json!(3))
    );
    let (_, approved) = data(admin(&env, Method::GET, "/devices?status=approved&limit=1&offset=516")).await;
    assert_eq!((ids(&approved), &approved["total"]), (vec!["dev_0517".to_owned()], &json!(517)));
    assert_eq!(error(admin(&env, Method::GET, "/devices?status=lost")).await, refused(400, "validation_error"));
}

#[tokio::test]
async fn devices_are_registered_pending_and_approved_once() {
    let env = Env::start().await;
    let body = json!({"name": "rack-7", "gpu_model": "NVIDIA H100", "gpu_count": 8, "region": "eu-west"});
    let (status, device) = data(member(&env, Method::POST, "/devices").json(&body)).await;
    assert_eq!((status, &device["id"], &device["status"]), (201, &json!("dev_0521"), &json!("pending")));
    assert_eq!((&device["gpu_count"], &device["approved_at"]), (&json!(8), &Value::Null));

    let (status, approved) = data(admin(&env, Method::POST, "/devices/dev_0521/approve")).await;
    assert_eq!((status, &approved["status"]), (200, &json!("approved")));
    assert!(is_rfc3339(approved["approved_at"].as_str().unwrap()));
    assert_eq!(error(admin(&env, Method::POST, "/devices/dev_0521/approve")).await, refused(409, "invalid_state"));
    assert_eq!(error(admin(&env, Method::POST, "/devices/dev_0001/approve")).await, refused(409, "invalid_state"));
    assert_eq!(error(admin(&env, Method::POST, "/devices/dev_0000/approve")).await, refused(404, "not_found"));

    assert_eq!(data(admin(&env, Method::DELETE, "/devices/dev_0521")).await, (200, Value::Null));
    assert_eq!(error(admin(&env, Method::GET, "/devices/dev_0521")).await, refused(404, "not_found"));
    for bad in [json!({"name": "x", "gpu_model": "A", "gpu_count": 0, "region": "r"}), json!({"name": "x"})] {
        assert_eq!(error(admin(&env, Method::POST, "/devices").json(&bad)).await, refused(400, "validation_error"));
    }
}

#[tokio::test]
async fn virtual_servers_follow_their_state_rules() {
    let env = Env::start().await;
    let (_, seeded) = data(member(&env, Method::GET, "/virtual-servers")).await;
    let statuses: Vec<&Value> = seeded["items"].as_array().unwrap().iter().map(|s| &s["status"]).collect();
    assert_eq!(statuses, [&json!("running"), &json!("stopped")]);

    let body = json!({"name": "trainer", "size": "gpu.medium", "region": "us-east"});
    let (status, server) = data(member(&env, Method::POST, "/virtual-servers").json(&body)).await;
    assert_eq!(
        (status, &server["id"], &server["status"], &server["image"]),
        (201, &json!("vs_0003"), &json!("running"), &Value::Null)
    );
    let action = |name: &str| member(&env, Method::POST, &format!("/virtual-servers/vs_0003/{name}"));
    let resize = |size: &str| action("resize").json(&json!({"size": size}));

    assert_eq!(error(action("start")).await, refused(409, "invalid_state"));
    assert_eq!(error(resize("gpu.large")).await, refused(409, "invalid_state"));
    assert_eq!(data(action("stop")).await.1["status"], json!("stopped"));
    assert_eq!(error(action("stop")).await, refused(409, "invalid_state"));
    assert_eq!(error(resize("gpu.huge")).await, refused(400, "validation_error"));
    assert_eq!(data(resize("gpu.xlarge")).await.1["size"], json!("gpu.xlarge"));
    assert_eq!(data(action("start")).await.1["status"], json!("running"));
    assert_eq!(data(action("terminate")).await.1["status"], json!("terminated"));
    assert_eq!(error(action("start")).await, refused(409, "invalid_state"), "terminated is final");
    assert_eq!(error(action("terminate")).await, refused(409, "invalid_state"));
    let (_, fetched) = data(member(&env, Method::GET, "/virtual-servers/vs_0003")).await;
    assert_eq!((&fetched["status"], &fetched["size"]), (&json!("terminated"), &json!("gpu.xlarge")));
    assert_eq!(error(member(&env, Method::POST, "/virtual-servers/vs_0099/stop")).await, refused(404, "not_found"));
    let bad = json!({"name": "x", "size": "gpu.tiny", "region": "r"});
    assert_eq!(
        error(member(&env, Method::POST, "/virtual-servers").json(&bad)).await,
        refused(400, "validation_error")
    );
}

#[tokio::test]
async fn jobs_move_on_with_the_sandbox_clock() {
    let env = Env::start().await;
    let (status, job) =
        data(member(&env, Method::POST, "/ml/jobs").json(&json!({"name": "resnet", "model": "resnet-50"}))).await;
    assert_eq!(
        (status, &job["status"], &job["gpu_count"], &job["started_at"]),
        (201, &json!("queued"), &json!(1), &Value::Null)
    );
    let body = json!({"base_model": "llama-3-8b", "training_file": "file_1", "suffix": "support"});
    let (_, tuning) = data(member(&env, Method::POST, "/fine-tuning/jobs").json(&body)).await;
    assert_eq!((&tuning["status"], &tuning["fine_tuned_model"]), (&json!("queued"), &Value::Null));
    let (_, doomed) = data(member(&env, Method::POST, "/fine-tuning/jobs").json(&body)).await;
    let get = |path: &str| data(member(&env, Method::GET, path));
    let ml = format!("/ml/jobs/{}", job["id"].as_str().unwrap());
    let ft = format!("/fine-tuning/jobs/{}", tuning["id"].as_str().unwrap());
    let doomed = format!("/fine-tuning/jobs/{}", doomed["id"].as_str().unwrap());

    advance(&env, 10).await;
    let running = get(&ml).await.1;
    assert_eq!(running["status"], json!("running"));
    assert!(is_rfc3339(running["started_at"].as_str().unwrap()));
    assert_eq!(get(&ft).await.1["status"], json!("running"));
    let (status, cancelled) = data(member(&env, Method::POST, &format!("{doomed}/cancel"))).await;
    assert_eq!((status, &cancelled["status"]), (200, &json!("cancelled")));

    advance(&env, 50).await;
    let done = get(&ml).await.1;
    assert_eq!(done["status"], json!("succeeded"));
    assert!(is_rfc3339(done["finished_at"].as_str().unwrap()));
    let tuned = get(&ft).await.1;
    assert_eq!(
        (&tuned["status"], &tuned["fine_tuned_model"]),
        (&json!("succeeded"), &json!(format!("ft:llama-3-8b:support:{}", tuned["id"].as_str().unwrap())))
    );
    assert_eq!(get(&doomed).await.1["status"], json!("cancelled"), "a cancelled job stays cancelled");
    for finished in [ml, ft, doomed] {
        assert_eq!(
            error(member(&env, Method::POST, &format!("{finished}/cancel"))).await,
            refused(409, "invalid_state")
        );
    }
    let (_, listed) = data(member(&env, Method::GET, "/fine-tuning/jobs")).await;
    assert_eq!(listed["total"], json!(2));

    let (status, inference) = data(
        member(&env, Method::POST, "/inference").json(&json!({"model": "llama-3-8b", "input": "hello sandbox world"})),
    )
    .await;
    assert_eq!((status, &inference["status"]), (201, &json!("completed")));
    assert_eq!(inference["output"], json!("[llama-3-8b] world sandbox hello"));
    assert_eq!(inference["usage"], json!({"input_tokens": 3, "output_tokens": 4}));
    let (_, again) =
        data(member(&env, Method::GET, &format!("/inference/{}", inference["id"].as_str().unwrap()))).await;
    assert_eq!(again, inference);
}

#[tokio::test]
async fn invoices_are_listed_and_their_pdf_is_real() {
    let env = Env::start().await;
    let (_, invoices) = data(admin(&env, Method::GET, "/invoices")).await;
    let statuses: Vec<&Value> = invoices["items"].as_array().unwrap().iter().map(|i| &i["status"]).collect();
    assert_eq!(statuses, [&json!("paid"), &json!("paid"), &json!("open")]);
    let (_, invoice) = data(admin(&env, Method::GET, "/invoices/inv_0001")).await;
    assert_eq!(
        (&invoice["number"], &invoice["amount_cents"], &invoice["currency"]),
        (&json!("ZY-2025-0010"), &json!(129_900), &json!("USD"))
    );

    let response = admin(&env, Method::GET, "/invoices/inv_0001/pdf").send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert!(response.headers().contains_key("x-request-id"));
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-1.4"), "{}", String::from_utf8_lossy(&bytes));
    assert!(bytes.ends_with(b"%%EOF"));
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("ZY-2025-0010") && text.contains("1299.00 USD"), "{text}");

    assert_eq!(error(admin(&env, Method::GET, "/invoices/inv_0404/pdf")).await, refused(404, "not_found"));
}

#[tokio::test]
async fn rate_limits_count_per_user_and_endpoint_in_fixed_windows() {
    let env = Env::start().await;
    let create = |credential: &str, n: usize| {
        with(&env, credential, Method::POST, "/webhooks/endpoints")
            .json(&json!({"url": format!("https://hooks.example.com/{n}"), "events": ["device.approved"]}))
    };
    for n in 0..5 {
        assert_eq!(data(create(ZYRA_ADMIN_KEY, n)).await.0, 201, "create {n}");
    }
    let response = create(ZYRA_ADMIN_KEY, 5).send().await.unwrap();
    assert_eq!(response.status(), 429);
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((58..=60).contains(&retry_after), "the window opened with the first create: {retry_after}");
    let (_, body) = read(response).await;
    assert_eq!((&body["success"], &body["error"]["code"]), (&json!(false), &json!("rate_limited")), "{body}");

    // A token of the same user shares the budget; other endpoints and other users have their own.
    let session = login(&env, ZYRA_ADMIN_EMAIL, ZYRA_ADMIN_PASSWORD).await;
    let token = session["access_token"].as_str().unwrap();
    assert_eq!(error(create(token, 6)).await, refused(429, "rate_limited"));
    assert_eq!(data(admin(&env, Method::GET, "/webhooks/endpoints")).await.1["total"], json!(5));
    assert_eq!(
        data(admin(&env, Method::PATCH, "/webhooks/endpoints/whe_0001").json(&json!({"enabled": false}))).await.0,
        200
    );
    assert_eq!(data(create(ZYRA_MEMBER_KEY, 7)).await.0, 201);

    // When the window closes, a new one holds five again.
    advance(&env, retry_after).await;
    for n in 8..13 {
        assert_eq!(data(create(ZYRA_ADMIN_KEY, n)).await.0, 201, "create {n}");
    }
    assert_eq!(error(create(ZYRA_ADMIN_KEY, 13)).await, refused(429, "rate_limited"));

    // Reads: 30 a minute on each endpoint; the monitoring alerts and SLA breaches are reads too.
    for path in ["/devices?limit=1", "/monitoring/alerts?limit=1", "/sla/breaches"] {
        for n in 0..30 {
            assert_eq!(data(member(&env, Method::GET, path)).await.0, 200, "{path}: read {n}");
        }
        let (status, body) = call(member(&env, Method::GET, path)).await;
        assert_eq!((status, &body["error"]["details"]["limit_per_minute"]), (429, &json!(30)), "{body}");
    }
    assert_eq!(data(member(&env, Method::GET, "/devices/dev_0001")).await.0, 200, "an endpoint of its own");
    // A refused request is still a 401 first.
    assert_eq!(error(zyra(&env, Method::GET, "/devices")).await, refused(401, "missing_bearer"));
}

#[tokio::test]
async fn logins_count_per_email() {
    let env = Env::start().await;
    let attempt = |email: &str| {
        zyra(&env, Method::POST, "/auth/login").json(&json!({"email": email, "password": "wrong-password"}))
    };
    for _ in 0..30 {
        assert_eq!(error(attempt(ZYRA_MEMBER_EMAIL)).await, refused(401, "invalid_credentials"));
    }
    assert_eq!(error(attempt(ZYRA_MEMBER_EMAIL)).await, refused(429, "rate_limited"));
    assert_eq!(error(attempt(ZYRA_ADMIN_EMAIL)).await, refused(401, "invalid_credentials"));
}

#[tokio::test]
async fn a_password_reset_goes_through_the_outbox() {
    let env = Env::start().await;
    let reset = |email: &str| zyra(&env, Method::POST, "/auth/password-reset").json(&json!({"email": email}));
    assert_eq!(data(reset(ZYRA_MEMBER_EMAIL)).await, (202, json!({"sent": true})));
    assert_eq!(data(reset("nobody@zyra.test")).await, (202, json!({"sent": true})), "unknown emails look the same");

    let (status, outbox) = call(env.request(Method::GET, "/__sandbox/zyra/outbox")).await;
    assert_eq!(status, 200);
    let mails = outbox["password_resets"].as_array().unwrap();
    assert_eq!(mails.len(), 1, "{outbox}");
    assert_eq!(mails[0]["email"], json!(ZYRA_MEMBER_EMAIL));
    assert!(is_rfc3339(mails[0]["sent_at"].as_str().unwrap()));
    let token = mails[0]["token"].as_str().unwrap();

    let confirm = |token: &str, password: &str| {
        zyra(&env, Method::POST, "/auth/password-reset/confirm")
            .json(&json!({"token": token, "new_password": password}))
    };
    let (status, body) = call(confirm(token, "short")).await;
    assert_eq!(
        (status, &body["error"]["code"], &body["error"]["details"]),
        (400, &json!("validation_error"), &json!({"field": "new_password"}))
    );
    assert_eq!(data(confirm(token, "a-brand-new-password")).await, (200, json!({"reset": true})));
    assert_eq!(error(confirm(token, "another-new-password")).await, refused(400, "invalid_reset_token"), "single use");
    assert_eq!(error(confirm("rst_nope", "another-new-password")).await, refused(400, "invalid_reset_token"));

    let old = zyra(&env, Method::POST, "/auth/login")
        .json(&json!({"email": ZYRA_MEMBER_EMAIL, "password": ZYRA_MEMBER_PASSWORD}));
    assert_eq!(error(old).await, refused(401, "invalid_credentials"));
    login(&env, ZYRA_MEMBER_EMAIL, "a-brand-new-password").await;
    assert!(env.sandbox.journal().iter().all(|entry| !entry.path.contains("__sandbox")), "the outbox is not journaled");

    // Tokens last an hour; a reset forgets the outbox.
    assert_eq!(data(reset(ZYRA_MEMBER_EMAIL)).await.0, 202);
    let (_, outbox) = call(env.request(Method::GET, "/__sandbox/zyra/outbox")).await;
    let late = outbox["password_resets"][1]["token"].as_str().unwrap().to_owned();
    advance(&env, 3601).await;
    assert_eq!(error(confirm(&late, "a-third-new-password")).await, refused(400, "invalid_reset_token"));
    env.sandbox.reset();
    let (_, outbox) = call(env.request(Method::GET, "/__sandbox/zyra/outbox")).await;
    assert_eq!(outbox, json!({"password_resets": []}));
    login(&env, ZYRA_MEMBER_EMAIL, ZYRA_MEMBER_PASSWORD).await;
}

#[tokio::test]
async fn sso_discovery_and_the_sdk_list() {
    let env = Env::start().await;
    let (status, sso) = data(zyra(&env, Method::GET, "/auth/sso?email=Max%40zyra.test")).await;
    assert_eq!(
        (status, &sso["organization_id"], &sso["provider"]),
        (200, &json!(ZYRA_ORGANIZATION_ID), &json!("saml"))
    );
    assert!(sso["url"].as_str().unwrap().starts_with("https://"), "{sso}");
    assert_eq!(
        error(zyra(&env, Method::GET, "/auth/sso?email=someone%40example.com")).await,
        refused(404, "not_found")
    );
    assert_eq!(error(zyra(&env, Method::GET, "/auth/sso")).await, refused(400, "validation_error"));
    assert_eq!(error(zyra(&env, Method::GET, "/auth/sso?email=nobody")).await, refused(400, "validation_error"));

    let (status, sdk) = data(zyra(&env, Method::GET, "/sdk")).await;
    assert_eq!((status, &sdk["api_version"]), (200, &json!("v1")));
    assert_eq!(sdk["openapi_url"], json!("https://app.getzyra.io/openapi.json"));
    let sdks = sdk["sdks"].as_array().unwrap();
    assert!(sdks.iter().any(|s| s["language"] == json!("python")), "{sdk}");
    assert!(sdks.iter().all(|s| s["package"].is_string() && s["version"].is_string() && s["docs_url"].is_string()));
}

#[tokio::test]
async fn organization_members_and_settings() {
    let env = Env::start().await;
    let org = "/organizations/org_sandbox";
    let (_, members) = data(admin(&env, Method::GET, &format!("{org}/members"))).await;
    assert_eq!(members["total"], json!(3));
    assert_eq!(
        members["items"][1],
        json!({"user_id": "usr_0002", "email": ZYRA_MEMBER_EMAIL, "name": "Max Mustermann", "role": "member",
            "status": "active", "joined_at": "2026-01-15T10:00:00Z"})
    );
    assert_eq!(error(admin(&env, Method::GET, "/organizations/org_other")).await, refused(404, "not_found"));
    assert_eq!(error(admin(&env, Method::GET, "/organizations/org_other/members")).await, refused(404, "not_found"));

    let invite = |email: &str| {
        admin(&env, Method::POST, &format!("{org}/members")).json(&json!({"email": email, "role": "member"}))
    };
    let (status, invited) = data(invite("grace@zyra.test")).await;
    assert_eq!((status, &invited["status"], &invited["joined_at"]), (201, &json!("invited"), &Value::Null));
    assert_eq!(error(invite("grace@zyra.test")).await, refused(409, "already_exists"));
    assert_eq!(error(invite("not-an-email")).await, refused(400, "validation_error"));

    let role = |user: &str, role: &str| {
        admin(&env, Method::PATCH, &format!("{org}/members/{user}")).json(&json!({"role": role}))
    };
    assert_eq!(error(role("usr_0001", "member")).await, refused(409, "invalid_state"), "the last admin stays");
    assert_eq!(error(role("usr_0002", "owner")).await, refused(400, "validation_error"));
    assert_eq!(data(role("usr_0002", "org_admin")).await.1["role"], json!("org_admin"));
    // The role counts at once, for keys and tokens alike.
    assert_eq!(data(member(&env, Method::GET, "/invoices")).await.0, 200);
    assert_eq!(data(role("usr_0002", "member")).await.1["role"], json!("member"));
    assert_eq!(error(member(&env, Method::GET, "/invoices")).await, refused(403, "insufficient_role"));

    // A removed member's key is revoked and their tokens refused.
    let session = login(&env, ZYRA_MEMBER_EMAIL, ZYRA_MEMBER_PASSWORD).await;
    let token = session["access_token"].as_str().unwrap();
    assert_eq!(data(admin(&env, Method::DELETE, &format!("{org}/members/usr_0002"))).await, (200, Value::Null));
    assert_eq!(error(member(&env, Method::GET, "/devices")).await, refused(401, "key_revoked"));
    assert_eq!(error(with(&env, token, Method::GET, "/devices")).await, refused(401, "invalid_token"));
    assert_eq!(error(admin(&env, Method::DELETE, &format!("{org}/members/usr_0002"))).await, refused(404, "not_found"));

    let (_, settings) = data(admin(&env, Method::GET, &format!("{org}/settings"))).await;
    assert_eq!(
        settings,
        json!({"require_sso": false, "default_role": "member", "session_timeout_minutes": 480,
            "allowed_email_domains": ["zyra.test"]})
    );
    let patch = |body: Value| admin(&env, Method::PATCH, &format!("{org}/settings")).json(&body);
    let (_, changed) =
        data(patch(json!({"require_sso": true, "allowed_email_domains": ["zyra.test", "Labs.Example"]}))).await;
    assert_eq!(
        (&changed["require_sso"], &changed["allowed_email_domains"]),
        (&json!(true), &json!(["zyra.test", "labs.example"]))
    );
    for bad in [json!({"session_timeout_minutes": 1}), json!({"require_sso": "yes"}), json!({"theme": "dark"})] {
        assert_eq!(error(patch(bad.clone())).await, refused(400, "validation_error"), "{bad}");
    }
    assert_eq!(data(patch(json!({}))).await.1, changed, "an empty patch changes nothing");
}

#[tokio::test]
async fn webhook_endpoints_sla_rules_and_alerts() {
    let env = Env::start().await;
    let body = json!({"url": "https://hooks.example.com/zyra", "events": ["device.approved"], "description": "ops"});
    let (status, endpoint) = data(member(&env, Method::POST, "/webhooks/endpoints").json(&body)).await;
    assert_eq!((status, &endpoint["enabled"]), (201, &json!(true)));
    let secret = endpoint["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_") && secret.len() > 20, "{secret}");
    let path = format!("/webhooks/endpoints/{}", endpoint["id"].as_str().unwrap());
    let (_, fetched) = data(member(&env, Method::GET, &path)).await;
    assert_eq!((&fetched["url"], fetched.get("secret")), (&body["url"], None));
    let (_, patched) =
        data(member(&env, Method::PATCH, &path).json(&json!({"enabled": false, "events": ["a", "b"]}))).await;
    assert_eq!((&patched["enabled"], &patched["events"]), (&json!(false), &json!(["a", "b"])));
    for bad in [json!({"url": "http://hooks.example.com"}), json!({"events": []}), json!({"enabled": 1})] {
        assert_eq!(
            error(member(&env, Method::PATCH, &path).json(&bad)).await,
            refused(400, "validation_error"),
            "{bad}"
        );
    }
    let local = json!({"url": "http://127.0.0.1:9999/hook", "events": ["x"]});
    assert_eq!(data(member(&env, Method::POST, "/webhooks/endpoints").json(&local)).await.0, 201);
    assert_eq!(data(member(&env, Method::DELETE, &path)).await, (200, Value::Null));
    assert_eq!(error(member(&env, Method::GET, &path)).await, refused(404, "not_found"));

    let (_, rules) = data(member(&env, Method::GET, "/sla/alert-rules")).await;
    assert_eq!(
        (ids(&rules), &rules["items"][0]["metric"]),
        (vec!["rule_0001".into(), "rule_0002".into()], &json!("uptime_percent"))
    );
    let rule = json!({"name": "Errors", "metric": "error_rate_percent", "threshold": 1.5, "window_minutes": 30});
    let (status, created) = data(admin(&env, Method::POST, "/sla/alert-rules").json(&rule)).await;
    assert_eq!((status, &created["id"], &created["threshold"]), (201, &json!("rule_0003"), &json!(1.5)));
    let (_, updated) =
        data(admin(&env, Method::PATCH, "/sla/alert-rules/rule_0003").json(&json!({"window_minutes": 5}))).await;
    assert_eq!(updated["window_minutes"], json!(5));
    let too_much = admin(&env, Method::PATCH, "/sla/alert-rules/rule_0003").json(&json!({"threshold": 150}));
    assert_eq!(error(too_much).await, refused(400, "validation_error"));
    let unknown_metric = json!({"name": "x", "metric": "cpu", "threshold": 1, "window_minutes": 1});
    assert_eq!(
        error(admin(&env, Method::POST, "/sla/alert-rules").json(&unknown_metric)).await,
        refused(400, "validation_error")
    );
    assert_eq!(data(admin(&env, Method::DELETE, "/sla/alert-rules/rule_0003")).await, (200, Value::Null));
    assert_eq!(error(admin(&env, Method::GET, "/sla/alert-rules/rule_0003")).await, refused(404, "not_found"));

    let (_, breaches) = data(member(&env, Method::GET, "/sla/breaches")).await;
    assert_eq!(breaches["total"], json!(4));
    assert_eq!(breaches["items"][3]["resolved_at"], Value::Null, "the last breach lasts");
    let (_, alerts) = data(member(&env, Method::GET, "/monitoring/alerts")).await;
    let (_, open) = data(member(&env, Method::GET, "/monitoring/alerts?status=open")).await;
    let (_, resolved) = data(member(&env, Method::GET, "/monitoring/alerts?status=resolved")).await;
    assert_eq!((&alerts["total"], &open["total"], &resolved["total"]), (&json!(12), &json!(5), &json!(7)));
    assert!(open["items"].as_array().unwrap().iter().all(|alert| alert["status"] == json!("open")));
}

#[tokio::test]
async fn a_reset_brings_the_seeds_back() {
    let env = Env::start().await;
    assert_eq!(data(admin(&env, Method::DELETE, "/devices/dev_0001")).await.0, 200);
    assert_eq!(data(admin(&env, Method::POST, "/api-keys").json(&json!({"name": "temp"}))).await.0, 201);
    env.sandbox.advance_clock(Duration::from_secs(60));
    env.sandbox.reset();
    assert_eq!(data(admin(&env, Method::GET, "/devices?limit=1")).await.1["items"][0]["id"], json!("dev_0001"));
    assert_eq!(data(admin(&env, Method::GET, "/api-keys")).await.1["total"], json!(1));
}
