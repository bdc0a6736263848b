//! Request building and response decoding of every Zerokie operation, without any I/O.

use bytes::Bytes;
use http::Method;
use serde_json::{json, Value};

use super::*;
use crate::api::ApiProfile;
use crate::operation::{build_request, decode_json, Operation, Prepared};
use crate::response::error_from_response;
use crate::{ErrorKind, Secret};

const BASE: &str = "https://api.platform-dev.zerokie.com";
const SESSION: &str = "550e8400-e29b-41d4-a716-446655440000";

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
    assert!(prepared.request.headers().get("authorization").is_none(), "auth is added by the pipeline, not here");
}

fn assert_no_body(prepared: &Prepared) {
    assert!(prepared.request.body().is_empty());
    assert_eq!(content_type(prepared), None);
}

#[test]
fn create_container_app_sends_every_documented_field() {
    let input = CreateApp::container("my-app", "nginx:alpine")
        .port(80)
        .env("NODE_ENV", "production")
        .resources(256, 512)
        .registry_auth(RegistryAuth {
            username: Some("deploy-token".into()),
            password: Some(Secret::new("glpat-xxxx")),
            server_address: Some("registry.gitlab.com".into()),
        });
    let prepared = build(input);
    assert_line(&prepared, Method::POST, "/v1/apps");
    assert_eq!(content_type(&prepared), Some("application/json"));
    assert_eq!(
        body_json(&prepared),
        json!({
            "name": "my-app", "type": "container", "image": "nginx:alpine", "port": 80,
            "env": {"NODE_ENV": "production"}, "cpu": 256, "memory": 512,
            "registry_auth": {"username": "deploy-token", "password": "glpat-xxxx", "server_address": "registry.gitlab.com"}
        })
    );
    assert!(!prepared.idempotent);
}

#[test]
fn create_static_app_and_the_default_type() {
    assert_eq!(body_json(&build(CreateApp::static_site("my-site"))), json!({"name": "my-site", "type": "static"}));
    let untyped = CreateApp { name: "web".into(), image: Some("nginx".into()), ..CreateApp::default() };
    assert_eq!(body_json(&build(untyped)), json!({"name": "web", "image": "nginx"}));
}

#[test]
fn app_reads_and_deletes() {
    let list = build(ListApps::default());
    assert_line(&list, Method::GET, "/v1/apps");
    assert_no_body(&list);
    assert!(list.idempotent);

    let get = build(GetApp::from("my-app"));
    assert_line(&get, Method::GET, "/v1/apps/my-app");
    assert_no_body(&get);

    // Names are percent-encoded as one segment.
    assert_line(&build(GetApp::from("a b/c")), Method::GET, "/v1/apps/a%20b%2Fc");

    let delete = build(DeleteApp::from("my-app"));
    assert_line(&delete, Method::DELETE, "/v1/apps/my-app");
    assert_no_body(&delete);
    assert!(delete.idempotent);
}

#[test]
fn deploy_with_and_without_an_image() {
    let with_image = build(DeployApp::image("my-app", "my-registry.com/my-app:v2").registry_auth(RegistryAuth {
        username: Some("deploy-token".into()),
        password: Some(Secret::new("glpat-xxxx")),
        server_address: None,
    }));
    assert_line(&with_image, Method::POST, "/v1/apps/my-app/deploy");
    assert_eq!(
        body_json(&with_image),
        json!({"image": "my-registry.com/my-app:v2", "registry_auth": {"username": "deploy-token", "password": "glpat-xxxx"}})
    );
    let redeploy = build(DeployApp::from("my-app"));
    assert_eq!(body_json(&redeploy), json!({}));
    assert!(!redeploy.idempotent);
}

#[test]
fn files_list_upload_and_delete() {
    let list = build(ListFiles::from("my-site"));
    assert_line(&list, Method::GET, "/v1/apps/my-site/files");

    let upload = build(UploadFile::new("my-site", "assets/site v2.css", &b"body{}"[..]));
    assert_line(&upload, Method::PUT, "/v1/apps/my-site/files/assets/site%20v2.css");
    assert_eq!(upload.request.body().as_bytes(), Some(&Bytes::from_static(b"body{}")));
    assert_eq!(content_type(&upload), Some("text/css; charset=utf-8"));
    assert!(upload.idempotent);

    let forced = build(UploadFile::new("my-site", "data.bin", vec![0u8, 1, 2]).content_type("application/x-custom"));
    assert_eq!(content_type(&forced), Some("application/x-custom"));
    assert_eq!(content_type(&build(UploadFile::new("s", "blob", vec![]))), Some("application/octet-stream"));
    assert_eq!(content_type(&build(UploadFile::new("s", "INDEX.HTML", vec![]))), Some("text/html; charset=utf-8"));

    let delete = build(DeleteFile::new("my-site", "index.html"));
    assert_line(&delete, Method::DELETE, "/v1/apps/my-site/files/index.html");
    assert_no_body(&delete);
}

#[test]
fn deploy_lock_heartbeat_and_finalize() {
    let acquire = build(AcquireDeployLock::new("my-site", SESSION));
    assert_line(&acquire, Method::POST, "/v1/apps/my-site/deploy/lock");
    assert_eq!(body_json(&acquire), json!({"deploy_session_id": SESSION}));

    let renew = build(RenewDeployLock::new("my-site", SESSION));
    assert_line(&renew, Method::PUT, "/v1/apps/my-site/deploy/lock");
    assert_eq!(body_json(&renew), json!({"deploy_session_id": SESSION}));

    let finalize = build(FinalizeDeploy {
        name: "my-site".into(),
        deploy_session_id: SESSION.into(),
        files_uploaded: 42,
        files_deleted: 3,
        total_bytes: 1_048_576,
    });
    assert_line(&finalize, Method::POST, "/v1/apps/my-site/deploy/finalize");
    assert_eq!(
        body_json(&finalize),
        json!({"deploy_session_id": SESSION, "files_uploaded": 42, "files_deleted": 3, "total_bytes": 1048576})
    );
}

#[test]
fn domains_add_and_remove() {
    let add = build(AddDomain::new("my-site", "www.example.com"));
    assert_line(&add, Method::POST, "/v1/apps/my-site/domains");
    assert_eq!(body_json(&add), json!({"domain": "www.example.com"}));
    let remove = build(RemoveDomain::new("my-site", "www.example.com"));
    assert_line(&remove, Method::DELETE, "/v1/apps/my-site/domains/www.example.com");
    assert_no_body(&remove);
}

#[test]
fn invalid_inputs_are_refused_naming_the_field() {
    let cases: Vec<(crate::Error, &str)> = vec![
        (build_request(&AddDomain::new("s", "example.com"), BASE).unwrap_err(), "domain"),
        (build_request(&RemoveDomain::new("s", "example.com"), BASE).unwrap_err(), "domain"),
        (build_request(&UploadFile::new("s", "../etc/passwd", vec![]), BASE).unwrap_err(), "path"),
        (build_request(&UploadFile::new("s", "/abs.html", vec![]), BASE).unwrap_err(), "path"),
        (build_request(&UploadFile::new("s", "a\\b.html", vec![]), BASE).unwrap_err(), "path"),
        (build_request(&UploadFile::new("s", "a//b.html", vec![]), BASE).unwrap_err(), "path"),
        (build_request(&DeleteFile::new("s", "a/./b"), BASE).unwrap_err(), "path"),
        (
            build_request(&UploadFile::new("s", "a.txt", vec![]).content_type("text/plain\r\nx: y"), BASE).unwrap_err(),
            "content_type",
        ),
        (build_request(&AcquireDeployLock::new("s", "not-a-uuid"), BASE).unwrap_err(), "deploy_session_id"),
        (build_request(&RenewDeployLock::new("s", ""), BASE).unwrap_err(), "deploy_session_id"),
        (build_request(&GetApp::from(""), BASE).unwrap_err(), "name"),
        (build_request(&CreateApp::container("Bad_Name", "nginx"), BASE).unwrap_err(), "name"),
        (build_request(&CreateApp { name: "web".into(), ..CreateApp::default() }, BASE).unwrap_err(), "image"),
        (build_request(&CreateApp::container("web", "nginx").port(0), BASE).unwrap_err(), "port"),
        (build_request(&DeployApp::image("web", " "), BASE).unwrap_err(), "image"),
    ];
    for (error, field) in cases {
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
        assert_eq!(error.field(), Some(field), "{error}");
    }
}

#[test]
fn responses_decode_with_unknown_fields_kept() {
    let app: App = decode_json(
        br#"{"name":"my-app","image":"nginx:alpine","port":80,"status":"running",
            "url":"https://my-app.platform-dev.zerokie.com","instances":1,"cpu":256,"memory":512,
            "created_at":"2026-01-15T10:30:00Z","updated_at":"2026-01-15T10:30:00Z","region":"eu-1"}"#,
    )
    .unwrap();
    assert_eq!(app.status, AppStatus::Running);
    assert_eq!((app.port, app.instances, app.cpu, app.memory), (Some(80), Some(1), Some(256), Some(512)));
    assert_eq!(app.extra["region"], "eu-1");
    assert_eq!(serde_json::to_value(&app).unwrap()["region"], "eu-1", "unknown fields survive a round trip");

    let apps: Vec<App> = decode_json(br#"[{"name":"a","status":"hibernating","url":"u"}]"#).unwrap();
    assert_eq!(apps[0].status, AppStatus::Unknown("hibernating".into()));

    // The heartbeat's answer has no body in the docs: none is no lock, a lock is the lock.
    type Heartbeat = <RenewDeployLock as Operation>::Output;
    assert_eq!(decode_json::<Heartbeat>(b"").unwrap(), None);
    let lock = decode_json::<Heartbeat>(br#"{"locked": true, "deploy_session_id": "s"}"#).unwrap().unwrap();
    assert!(lock.locked && lock.deploy_session_id == "s");

    // Where the docs give no answer, any body or none decodes as `()`.
    for body in [&b""[..], b"{}", b"{\"deleted\": true}", b"OK"] {
        decode_json::<()>(body).unwrap();
    }

    let deploy: Deploy = decode_json(br#"{"name":"my-app","image":"r/a:v2","status":"deploying"}"#).unwrap();
    assert_eq!(deploy.status, AppStatus::Deploying);

    let files: Vec<FileEntry> = decode_json(
        br#"[{"path":"index.html","length":1024,"lastModified":"2026-03-07T17:00:00Z"},
             {"path":"assets/style.css","length":2048,"lastModified":"2026-03-07T17:00:00Z"}]"#,
    )
    .unwrap();
    assert_eq!((files[1].path.as_str(), files[1].length), ("assets/style.css", 2048));

    let lock: DeployLock =
        decode_json(format!(r#"{{"locked":true,"deploy_session_id":"{SESSION}"}}"#).as_bytes()).unwrap();
    assert!(lock.locked);

    let done: FinalizedDeploy = decode_json(
        br#"{"deploy_id":"d-20260307-170000","timestamp":"2026-03-07T17:00:00Z","cache_purged":true,
            "summary":{"files_uploaded":42,"files_deleted":3,"total_bytes":1048576}}"#,
    )
    .unwrap();
    assert_eq!(done.summary, DeploySummary { files_uploaded: 42, files_deleted: 3, total_bytes: 1_048_576 });

    let domain: Domain = decode_json(
        br#"{"domain":"www.example.com","cname_target":"my-site.platform-dev.zerokie.com","tls_status":"pending"}"#,
    )
    .unwrap();
    assert_eq!(domain.tls_status, TlsStatus::Pending);

    let nothing: () = decode_json(b"").unwrap();
    assert_eq!(nothing, ());
}

#[test]
fn bad_bodies_are_decode_errors_naming_the_field() {
    let err = decode_json::<App>(br#"{"name":"a","status":"running","port":"eighty"}"#).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.message().contains("port"), "{err}");
    assert_eq!(decode_json::<App>(b"{\"name\": ").unwrap_err().kind(), ErrorKind::Decode);
}

fn error_response(status: u16, body: &str) -> crate::Error {
    let profile: &ApiProfile = &PROFILE;
    let response = http::Response::builder()
        .status(status)
        .header("x-request-id", "req_7")
        .body(Bytes::from(body.to_owned()))
        .unwrap();
    error_from_response(profile, &response, std::time::Duration::ZERO, &Secret::new("zrk_sandbox_secret_value"))
}

#[test]
fn every_documented_error_maps_into_the_taxonomy() {
    let cases = [
        (400, "name is required", ErrorKind::BadRequest),
        (401, "missing or invalid API key", ErrorKind::Unauthorized),
        (404, "app not found", ErrorKind::NotFound),
        (409, "app name already exists", ErrorKind::Conflict),
        (409, "deploy lock held by another session", ErrorKind::Conflict),
        (500, "internal error", ErrorKind::Server),
        (502, "CDN purge failed", ErrorKind::Upstream),
    ];
    for (status, message, kind) in cases {
        let error = error_response(status, &json!({ "error": message }).to_string());
        assert_eq!((error.kind(), error.status(), error.message()), (kind, Some(status), message));
        assert_eq!(error.request_id(), Some("req_7"));
        assert_eq!(error.is_retryable(), status >= 500);
    }
    let html = error_response(502, "<html>Bad Gateway</html>");
    assert_eq!((html.kind(), html.message()), (ErrorKind::Upstream, "Bad Gateway"));
    let echoed = error_response(401, r#"{"error":"key zrk_sandbox_secret_value is revoked"}"#);
    assert!(!echoed.message().contains("zrk_sandbox_secret_value"), "{echoed}");
}

#[test]
fn the_operation_table_declares_every_endpoint_once() {
    let table: Vec<(&str, Method, &str, bool)> =
        Zerokie::OPERATIONS.iter().map(|s| (s.name, s.method.clone(), s.path, s.idempotent)).collect();
    assert_eq!(table.len(), 13);
    let mut routes: Vec<_> = table.iter().map(|(_, m, p, _)| format!("{m} {p}")).collect();
    routes.sort();
    routes.dedup();
    assert_eq!(routes.len(), 13, "no endpoint declared twice");
    for (name, method, _, idempotent) in &table {
        if *method == Method::GET || *method == Method::DELETE || *method == Method::PUT {
            assert!(idempotent, "{name} should be idempotent");
        }
    }
}

#[test]
fn session_ids_are_version_4_uuids() {
    let a = new_deploy_session_id();
    let b = new_deploy_session_id();
    assert_ne!(a, b);
    crate::validate::uuid("id", &a).unwrap();
    assert_eq!(&a[14..15], "4");
    assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "{a}");
}

#[cfg(feature = "schema")]
#[test]
fn the_contract_describes_every_operation_from_the_table() {
    let contract = Zerokie::openapi();
    let paths = &contract["paths"];
    let create = &paths["/v1/apps"]["post"];
    assert_eq!(create["operationId"], "create_app");
    assert_eq!(create["description"], "Creates a container app (the default) or a static app.");
    assert_eq!(create["x-zkit-input"]["$ref"], "#/components/schemas/CreateApp");
    let body = &create["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(body["required"], json!(["name"]));
    assert!(body["properties"]["registry_auth"].is_object());
    assert_eq!(create["responses"]["2XX"]["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/App");

    // Path fields are parameters, and leave the body; a GET's other fields are its query.
    let deploy = &paths["/v1/apps/{name}/deploy"]["post"];
    assert_eq!(deploy["parameters"][0]["in"], "path");
    assert!(deploy["requestBody"]["content"]["application/json"]["schema"]["properties"].get("name").is_none());
    let get = &paths["/v1/apps/{name}"]["get"];
    assert_eq!((get["x-zkit-idempotent"].as_bool(), get["x-zkit-rate-class"].as_str()), (Some(true), Some("read")));

    // An upload's bytes are the body; `{path*}` keeps its slashes, as zkit's template says.
    let upload = &paths["/v1/apps/{name}/files/{path}"]["put"];
    assert_eq!(upload["x-zkit-path"], "/v1/apps/{name}/files/{path*}");
    assert_eq!(upload["requestBody"]["x-zkit-body-field"], "content");
    assert!(upload["requestBody"]["content"]["application/octet-stream"].is_object());
    assert!(upload["responses"]["2XX"].get("content").is_none());

    let schemas = &contract["components"]["schemas"];
    assert_eq!(schemas["RegistryAuth"]["properties"]["password"]["writeOnly"], true);
    assert_eq!(schemas["App"]["properties"]["status"]["$ref"], "#/components/schemas/AppStatus");
    assert_eq!(schemas["AppStatus"]["examples"], json!(["deploying", "running", "failed", "stopped"]));
    assert_eq!(schemas["Error"]["required"], json!(["error"]));
    assert_eq!(contract["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    assert_eq!(contract["x-zkit"]["login"], false);
}
