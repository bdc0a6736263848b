//! The Zerokie emulation over real HTTP: auth, apps, deploys, static files, deploy locks, domains.

mod common;

use std::time::Duration;

use common::{call, is_rfc3339, Env};
use reqwest::Method;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use zkit_sandbox::credentials::ZEROKIE_API_KEY;

const SESSION_A: &str = "550e8400-e29b-41d4-a716-446655440000";
const SESSION_B: &str = "6ba7b810-9dad-41d1-80b4-00c04fd430c8";

#[tokio::test]
async fn requests_without_the_sandbox_key_get_401() {
    let env = Env::start().await;
    let url = "/zerokie/v1/apps";
    let unauthorized = json!({"error": "missing or invalid API key"});
    for request in [
        env.request(Method::GET, url),
        env.request(Method::GET, url).bearer_auth("zrk_wrong_key"),
        env.request(Method::GET, url).header("authorization", format!("Basic {ZEROKIE_API_KEY}")),
        env.request(Method::GET, url).header("x-api-key", ZEROKIE_API_KEY),
        env.request(Method::POST, url).json(&json!({"name": "a", "image": "nginx"})),
    ] {
        assert_eq!(call(request).await, (401, unauthorized.clone()));
    }
    assert_eq!(call(env.zerokie(Method::GET, "/v1/apps")).await, (200, json!([])));
    let lowercase = env.request(Method::GET, url).header("authorization", format!("bearer {ZEROKIE_API_KEY}"));
    assert_eq!(call(lowercase).await.0, 200);
}

#[tokio::test]
async fn apps_are_created_listed_fetched_and_deleted() {
    let env = Env::start().await;
    let body = json!({"name": "my-app", "type": "container", "image": "nginx:alpine", "port": 80,
        "env": {"NODE_ENV": "production"}, "cpu": 512, "memory": 1024,
        "registry_auth": {"username": "deploy-token", "password": "glpat-xxxx", "server_address": "registry.gitlab.com"}});
    let (status, app) = call(env.zerokie(Method::POST, "/v1/apps").json(&body)).await;
    assert_eq!(status, 201);
    assert_eq!(
        app,
        json!({"name": "my-app", "type": "container", "image": "nginx:alpine", "port": 80, "status": "deploying",
            "url": "https://my-app.platform-dev.zerokie.com"})
    );
    let (status, error) = call(env.zerokie(Method::POST, "/v1/apps").json(&body)).await;
    assert_eq!((status, error), (409, json!({"error": "app name already exists"})));

    env.create_static("my-site").await;
    let (status, list) = call(env.zerokie(Method::GET, "/v1/apps")).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["my-app", "my-site"]);
    assert_eq!(
        list[1],
        json!({"name": "my-site", "type": "static", "status": "deploying",
        "url": "https://my-site.platform-dev.zerokie.com"})
    );

    let (status, app) = call(env.zerokie(Method::GET, "/v1/apps/my-app")).await;
    assert_eq!(status, 200);
    assert_eq!(
        (app["instances"].clone(), app["cpu"].clone(), app["memory"].clone()),
        (json!(1), json!(512), json!(1024))
    );
    assert!(is_rfc3339(app["created_at"].as_str().unwrap()), "{app}");
    assert_eq!(app["created_at"], app["updated_at"]);
    assert!(app.get("env").is_none() && app.get("registry_auth").is_none(), "{app}");

    let (_, defaults) =
        call(env.zerokie(Method::POST, "/v1/apps").json(&json!({"name": "plain", "image": "redis"}))).await;
    assert_eq!((defaults["type"].clone(), defaults["port"].clone()), (json!("container"), json!(80)));
    let (_, plain) = call(env.zerokie(Method::GET, "/v1/apps/plain")).await;
    assert_eq!((plain["cpu"].clone(), plain["memory"].clone()), (json!(256), json!(512)));

    assert_eq!(call(env.zerokie(Method::DELETE, "/v1/apps/my-app")).await, (204, Value::Null));
    let not_found = (404, json!({"error": "app not found"}));
    assert_eq!(call(env.zerokie(Method::GET, "/v1/apps/my-app")).await, not_found);
    assert_eq!(call(env.zerokie(Method::DELETE, "/v1/apps/my-app")).await, not_found);
    assert_eq!(call(env.zerokie(Method::POST, "/v1/apps/my-app/deploy")).await, not_found);
}

#[tokio::test]
async fn bad_app_bodies_get_400() {
    let env = Env::start().await;
    let post = |body: &'static str| {
        env.zerokie(Method::POST, "/v1/apps").header("content-type", "application/json").body(body)
    };
    for body in [
        "",
        "{not json",
        "[]",
        r#"{"image": "nginx"}"#,
        r#"{"name": "", "image": "nginx"}"#,
        r#"{"name": "My_App", "image": "nginx"}"#,
        r#"{"name": "a", "type": "vm", "image": "nginx"}"#,
        r#"{"name": "a"}"#,
        r#"{"name": "a", "image": " "}"#,
        r#"{"name": "a", "image": "nginx", "port": 0}"#,
        r#"{"name": "a", "image": "nginx", "port": 70000}"#,
        r#"{"name": "a", "image": "nginx", "cpu": -1}"#,
        r#"{"name": "a", "image": "nginx", "env": {"A": 1}}"#,
        r#"{"name": "a", "image": "nginx", "registry_auth": "x"}"#,
    ] {
        let (status, error) = call(post(body)).await;
        assert_eq!(status, 400, "{body}");
        assert!(error["error"].as_str().is_some_and(|m| !m.is_empty()), "{body}: {error}");
    }
    let (_, error) = call(post(r#"{"name": "My_App", "image": "nginx"}"#)).await;
    assert!(error["error"].as_str().unwrap().starts_with("name: must be 1 to 63"), "{error}");
    // A static app ignores image, port, cpu, memory and registry_auth, whatever they hold.
    let (status, app) = call(post(r#"{"name": "site", "type": "static", "image": 5, "port": "x", "cpu": true}"#)).await;
    assert_eq!(status, 201, "{app}");
    assert!(app.get("image").is_none() && app.get("port").is_none(), "{app}");
    let (_, list) = call(env.zerokie(Method::GET, "/v1/apps")).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "nothing else was created: {list}");
}

#[tokio::test]
async fn status_and_deploys_follow_the_sandbox_clock() {
    let env = Env::start().await;
    env.create_container("web", "nginx:1").await;
    let status = |app: Value| app["status"].as_str().unwrap().to_owned();
    assert_eq!(status(call(env.zerokie(Method::GET, "/v1/apps/web")).await.1), "deploying");
    env.sandbox.advance_clock(Duration::from_secs(6));
    assert_eq!(status(call(env.zerokie(Method::GET, "/v1/apps/web")).await.1), "running");
    assert_eq!(status(call(env.zerokie(Method::GET, "/v1/apps")).await.1[0].clone()), "running");

    let deploy = env.zerokie(Method::POST, "/v1/apps/web/deploy").json(&json!({"image": "nginx:2",
        "registry_auth": {"username": "u", "password": "p"}}));
    assert_eq!(call(deploy).await, (200, json!({"name": "web", "image": "nginx:2", "status": "deploying"})));
    let (_, app) = call(env.zerokie(Method::GET, "/v1/apps/web")).await;
    assert_eq!((status(app.clone()), app["image"].clone()), ("deploying".to_owned(), json!("nginx:2")));
    assert_ne!(app["created_at"], app["updated_at"], "{app}");
    env.sandbox.advance_clock(Duration::from_secs(5));
    assert_eq!(status(call(env.zerokie(Method::GET, "/v1/apps/web")).await.1), "running");

    // No body: a restart with the current image.
    let restart = call(env.zerokie(Method::POST, "/v1/apps/web/deploy")).await;
    assert_eq!(restart, (200, json!({"name": "web", "image": "nginx:2", "status": "deploying"})));
    let bad = call(env.zerokie(Method::POST, "/v1/apps/web/deploy").json(&json!({"image": ""}))).await;
    assert_eq!(bad.0, 400);

    env.create_static("site").await;
    let refused = call(env.zerokie(Method::POST, "/v1/apps/site/deploy")).await;
    assert_eq!(refused, (400, json!({"error": "static apps are deployed by uploading files and finalizing"})));
}

#[tokio::test]
async fn static_files_are_uploaded_listed_read_and_deleted() {
    let env = Env::start().await;
    env.create_static("site").await;
    let put = |path: &str, body: &'static str, content_type: &str| {
        env.zerokie(Method::PUT, &format!("/v1/apps/site/files/{path}")).header("content-type", content_type).body(body)
    };
    let response = put("index.html", "<h1>hi</h1>", "text/html; charset=utf-8").send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.bytes().await.unwrap().is_empty(), "200 with an empty body");
    assert_eq!(call(put("assets/style.css", "body{}", "text/css")).await.0, 200);
    assert_eq!(call(put("docs/a%20b.txt", "spaced", "text/plain")).await.0, 200);
    // Uploading again replaces the file.
    assert_eq!(call(put("index.html", "<h1>hello</h1>", "text/html; charset=utf-8")).await.0, 200);

    let (status, files) = call(env.zerokie(Method::GET, "/v1/apps/site/files")).await;
    assert_eq!(status, 200);
    let listed: Vec<(String, u64)> = files
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap().to_owned(), f["length"].as_u64().unwrap()))
        .collect();
    let expected = [("assets/style.css", 6), ("docs/a b.txt", 6), ("index.html", 14)];
    assert_eq!(listed, expected.map(|(p, l)| (p.to_owned(), l)));
    assert!(is_rfc3339(files[0]["lastModified"].as_str().unwrap()), "{files}");

    let response = env.zerokie(Method::GET, "/v1/apps/site/files/index.html").send().await.unwrap();
    assert_eq!(response.headers()["content-type"], "text/html; charset=utf-8");
    assert_eq!(response.text().await.unwrap(), "<h1>hello</h1>");

    assert_eq!(call(env.zerokie(Method::DELETE, "/v1/apps/site/files/assets/style.css")).await, (204, Value::Null));
    let gone = (404, json!({"error": "file not found"}));
    assert_eq!(call(env.zerokie(Method::DELETE, "/v1/apps/site/files/assets/style.css")).await, gone);
    assert_eq!(call(env.zerokie(Method::GET, "/v1/apps/site/files/assets/style.css")).await, gone);
    assert_eq!(call(env.zerokie(Method::GET, "/v1/apps/site/files")).await.1.as_array().unwrap().len(), 2);

    // Escapes are refused, whether encoded or sent literally.
    for path in ["..%2Fsecret", "a/%2E%2E%2Fb", "a%2F%2Fb", "%2Fetc%2Fpasswd"] {
        let (status, error) = call(put(path, "x", "text/plain")).await;
        assert_eq!(status, 400, "{path}: {error}");
        assert!(error["error"].as_str().unwrap().starts_with("path: "), "{error}");
    }
    assert_eq!(raw_status(&env, "PUT /zerokie/v1/apps/site/files/../escape HTTP/1.1").await, 400);
    assert_eq!(raw_status(&env, "PUT /zerokie/v1/apps/site/files/./x HTTP/1.1").await, 400);
    assert_eq!(call(env.zerokie(Method::GET, "/v1/apps/site/files")).await.1.as_array().unwrap().len(), 2);

    env.create_container("web", "nginx").await;
    let not_static = (400, json!({"error": "app is not a static app"}));
    assert_eq!(call(env.zerokie(Method::GET, "/v1/apps/web/files")).await, not_static);
    let container_put = env.zerokie(Method::PUT, "/v1/apps/web/files/a.txt").body("x");
    assert_eq!(call(container_put).await, not_static);
}

/// Sends one request line with the key over a raw socket (so nothing normalizes the path) and
/// returns the status.
async fn raw_status(env: &Env, request_line: &str) -> u16 {
    let mut stream = tokio::net::TcpStream::connect(env.sandbox.addr()).await.unwrap();
    let request = format!(
        "{request_line}\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {ZEROKIE_API_KEY}\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    response.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("no status in {response:?}"))
}

#[tokio::test]
async fn deploy_locks_expire_heartbeat_and_finalize() {
    let env = Env::start().await;
    env.create_static("site").await;
    let lock = |method: Method, session: &str| {
        env.zerokie(method, "/v1/apps/site/deploy/lock").json(&json!({"deploy_session_id": session}))
    };
    let (status, held) = call(lock(Method::POST, SESSION_A)).await;
    assert_eq!(status, 200);
    assert_eq!((held["locked"].clone(), held["deploy_session_id"].clone()), (json!(true), json!(SESSION_A)));
    assert!(is_rfc3339(held["expires_at"].as_str().unwrap()), "{held}");
    // The same session acquiring again refreshes; another session conflicts.
    assert_eq!(call(lock(Method::POST, SESSION_A)).await.0, 200);
    let busy = (409, json!({"error": "deploy lock held by another session"}));
    assert_eq!(call(lock(Method::POST, SESSION_B)).await, busy);
    let not_held = (409, json!({"error": "deploy lock not held by this session"}));
    assert_eq!(call(lock(Method::PUT, SESSION_B)).await, not_held);

    // Heartbeats keep the lock past 30 minutes.
    env.sandbox.advance_clock(Duration::from_secs(29 * 60));
    assert_eq!(call(lock(Method::PUT, SESSION_A)).await.0, 200);
    env.sandbox.advance_clock(Duration::from_secs(29 * 60));
    assert_eq!(call(lock(Method::POST, SESSION_B)).await, busy);
    // Without one, it expires: the heartbeat is refused and another session may take it.
    env.sandbox.advance_clock(Duration::from_secs(2 * 60));
    assert_eq!(call(lock(Method::PUT, SESSION_A)).await, not_held);
    assert_eq!(call(lock(Method::POST, SESSION_B)).await.0, 200);

    let finalize = |session: &str| {
        env.zerokie(Method::POST, "/v1/apps/site/deploy/finalize").json(&json!({"deploy_session_id": session,
            "files_uploaded": 42, "files_deleted": 3, "total_bytes": 1_048_576}))
    };
    assert_eq!(call(finalize(SESSION_A)).await, not_held);
    let (status, done) = call(finalize(SESSION_B)).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["cache_purged"], json!(true));
    assert_eq!(done["summary"], json!({"files_uploaded": 42, "files_deleted": 3, "total_bytes": 1_048_576}));
    let id = done["deploy_id"].as_str().unwrap();
    let timestamp = done["timestamp"].as_str().unwrap();
    assert!(is_rfc3339(timestamp));
    let expected_id = format!("d-{}-{}", timestamp[..10].replace('-', ""), timestamp[11..19].replace(':', ""));
    assert_eq!(id, expected_id);
    // Finalizing released the lock: it is not held any more, and anyone may take it.
    assert_eq!(call(finalize(SESSION_B)).await, not_held);
    assert_eq!(call(lock(Method::POST, SESSION_A)).await.0, 200);
    let (_, again) = call(finalize(SESSION_A)).await;
    let second = again["deploy_id"].as_str().unwrap();
    assert_ne!(second, id, "deploy ids are unique");
    assert!(second.starts_with("d-"), "{second}");
}

#[tokio::test]
async fn lock_and_finalize_bodies_are_checked() {
    let env = Env::start().await;
    env.create_static("site").await;
    let post = |path: &str, body: Value| env.zerokie(Method::POST, &format!("/v1/apps/site/deploy/{path}")).json(&body);
    for body in [json!({}), json!({"deploy_session_id": "not-a-uuid"}), json!({"deploy_session_id": 5})] {
        assert_eq!(call(post("lock", body.clone())).await.0, 400, "{body}");
    }
    let (_, error) = call(post("lock", json!({"deploy_session_id": "x"}))).await;
    assert!(error["error"].as_str().unwrap().starts_with("deploy_session_id: must be a UUID"), "{error}");
    let no_counts = json!({"deploy_session_id": SESSION_A});
    assert_eq!(call(post("finalize", no_counts)).await, (400, json!({"error": "files_uploaded: is required"})));
    let negative = json!({"deploy_session_id": SESSION_A, "files_uploaded": -1, "files_deleted": 0, "total_bytes": 0});
    assert_eq!(call(post("finalize", negative)).await.0, 400);

    env.create_container("web", "nginx").await;
    let not_static = (400, json!({"error": "app is not a static app"}));
    let lock = env.zerokie(Method::POST, "/v1/apps/web/deploy/lock").json(&json!({"deploy_session_id": SESSION_A}));
    assert_eq!(call(lock).await, not_static);
    let finalize =
        env.zerokie(Method::POST, "/v1/apps/web/deploy/finalize").json(&json!({"deploy_session_id": SESSION_A,
        "files_uploaded": 0, "files_deleted": 0, "total_bytes": 0}));
    assert_eq!(call(finalize).await, not_static);
}

#[tokio::test]
async fn custom_domains_are_added_and_removed() {
    let env = Env::start().await;
    env.create_static("my-site").await;
    env.create_static("other").await;
    let add = |app: &str, domain: &str| {
        env.zerokie(Method::POST, &format!("/v1/apps/{app}/domains")).json(&json!({"domain": domain}))
    };
    assert_eq!(call(add("my-site", "example.com")).await, (400, json!({"error": "apex domains are not supported"})));
    assert_eq!(call(add("my-site", "www..example.com")).await.0, 400);
    assert_eq!(call(env.zerokie(Method::POST, "/v1/apps/my-site/domains").json(&json!({}))).await.0, 400);
    let (status, domain) = call(add("my-site", "www.example.com")).await;
    assert_eq!(status, 201);
    assert_eq!(
        domain,
        json!({"domain": "www.example.com", "cname_target": "my-site.platform-dev.zerokie.com", "tls_status": "pending"})
    );
    assert_eq!(call(add("my-site", "WWW.example.com")).await.0, 409);
    assert_eq!(call(add("other", "www.example.com")).await.0, 409);

    let remove = |domain: &str| env.zerokie(Method::DELETE, &format!("/v1/apps/my-site/domains/{domain}"));
    assert_eq!(call(remove("www.example.com")).await, (204, Value::Null));
    assert_eq!(call(remove("www.example.com")).await, (404, json!({"error": "domain not found"})));
    assert_eq!(call(add("other", "www.example.com")).await.0, 201);

    env.create_container("web", "nginx").await;
    assert_eq!(call(add("web", "api.example.com")).await, (400, json!({"error": "app is not a static app"})));
    assert_eq!(call(add("missing", "api.example.com")).await, (404, json!({"error": "app not found"})));
}

#[tokio::test]
async fn deleting_an_app_drops_its_files_lock_and_domains() {
    let env = Env::start().await;
    env.create_static("site").await;
    let put = env.zerokie(Method::PUT, "/v1/apps/site/files/index.html").body("hi");
    assert_eq!(call(put).await.0, 200);
    let lock = |session: &str| {
        env.zerokie(Method::POST, "/v1/apps/site/deploy/lock").json(&json!({"deploy_session_id": session}))
    };
    assert_eq!(call(lock(SESSION_A)).await.0, 200);
    let add = || env.zerokie(Method::POST, "/v1/apps/site/domains").json(&json!({"domain": "www.example.com"}));
    assert_eq!(call(add()).await.0, 201);

    assert_eq!(call(env.zerokie(Method::DELETE, "/v1/apps/site")).await.0, 204);
    env.create_static("site").await;
    assert_eq!(call(env.zerokie(Method::GET, "/v1/apps/site/files")).await, (200, json!([])));
    assert_eq!(call(lock(SESSION_B)).await.0, 200);
    assert_eq!(call(add()).await.0, 201);
}

#[tokio::test]
async fn unknown_routes_and_methods_get_json_errors() {
    let env = Env::start().await;
    assert_eq!(call(env.zerokie(Method::GET, "/v1/nothing")).await, (404, json!({"error": "not found"})));
    assert_eq!(call(env.zerokie(Method::GET, "/v2/apps")).await, (404, json!({"error": "not found"})));
    assert_eq!(call(env.request(Method::GET, "/")).await, (404, json!({"error": "not found"})));
    let not_allowed = (405, json!({"error": "method not allowed"}));
    assert_eq!(call(env.zerokie(Method::PATCH, "/v1/apps")).await, not_allowed);
    assert_eq!(call(env.zerokie(Method::PUT, "/v1/apps/x/deploy")).await, not_allowed);
}

#[tokio::test]
async fn the_zyra_prefix_is_answered_by_zyra_in_its_envelope() {
    let env = Env::start().await;
    for (method, path) in [(Method::GET, "/zyra/api/v1/devices"), (Method::POST, "/zyra/api/v1/api-keys")] {
        let (status, body) = call(env.request(method, path).body("{}")).await;
        assert_eq!((status, &body["success"], &body["error"]["code"]), (401, &json!(false), &json!("missing_bearer")));
        let url = format!("{}{path}", env.sandbox.url());
        assert!(url.starts_with(&format!("{}/", env.sandbox.base_url("zyra"))), "{url}");
    }
    // Outside the base URL, the frame's own 404.
    assert_eq!(call(env.request(Method::GET, "/zyra/api/v2/devices")).await, (404, json!({"error": "not found"})));
}

#[tokio::test]
async fn cors_preflights_and_headers() {
    let env = Env::start().await;
    let preflight = env
        .request(Method::OPTIONS, "/zerokie/v1/apps")
        .header("origin", "http://localhost:3000")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "authorization, content-type")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 204);
    let headers = preflight.headers();
    assert_eq!(headers["access-control-allow-origin"], "*");
    for method in ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] {
        assert!(headers["access-control-allow-methods"].to_str().unwrap().contains(method));
    }
    let allowed = headers["access-control-allow-headers"].to_str().unwrap();
    for header in ["authorization", "content-type", "x-api-key", "x-organization-id", "idempotency-key"] {
        assert!(allowed.contains(header), "{allowed}");
    }
    assert!(env.sandbox.journal().is_empty(), "preflights are not journaled");

    for response in [
        env.zerokie(Method::GET, "/v1/apps").send().await.unwrap(),
        env.request(Method::GET, "/zerokie/v1/apps").send().await.unwrap(),
        env.request(Method::GET, "/__sandbox/clock").send().await.unwrap(),
    ] {
        let headers = response.headers();
        assert_eq!(headers["access-control-allow-origin"], "*");
        let exposed = headers["access-control-expose-headers"].to_str().unwrap();
        assert!(exposed.contains("x-request-id") && exposed.contains("retry-after"), "{exposed}");
        assert!(headers["x-request-id"].to_str().unwrap().starts_with("req_"));
    }
}
