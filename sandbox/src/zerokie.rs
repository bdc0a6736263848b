//! The Zerokie emulation: container and static apps, deploys, static files, deploy locks and custom
//! domains, under `/zerokie/v1`, following Zerokie's REST API reference.
//!
//! Where the reference is silent:
//! - an app is `deploying` for 5 seconds of sandbox time after its creation or its last deploy
//!   (for static apps, the last finalize), then `running`;
//! - a container app without a `port` listens on 80;
//! - `instances`, `cpu` and `memory` are shown for container apps only;
//! - deploy locks answer `expires_at` beside the documented fields;
//! - a custom domain belongs to one app at a time.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::extract::{FromRequestParts, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, MethodRouter};
use axum::{Json, Router};
use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderValue, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::body::{integer_field, object, optional_object, string_field};
use crate::checks;
use crate::clock::{rfc3339, Civil};
use crate::credentials::ZEROKIE_API_KEY;
use crate::{lock, ApiError, Shared};

/// How long an app stays `deploying` after its creation or a deploy.
const DEPLOYING_FOR: Duration = Duration::from_secs(5);
/// How long a deploy lock lives after its acquisition or its last heartbeat.
const LOCK_TTL: Duration = Duration::from_secs(30 * 60);
/// The domain apps are served under.
const APP_DOMAIN: &str = "platform-dev.zerokie.com";
/// The path of the apps collection.
const APPS_PATH: &str = "/zerokie/v1/apps";
/// CPU units of a container app that asks for none.
const DEFAULT_CPU: u32 = 256;
/// Memory (MiB) of a container app that asks for none.
const DEFAULT_MEMORY: u32 = 512;
/// The port of a container app that names none.
const DEFAULT_PORT: u16 = 80;

/// The kind of an app, fixed at its creation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum AppType {
    Container,
    Static,
}

/// Where an app is: deploying for a while after each deploy, then running.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum AppStatus {
    Deploying,
    Running,
}

/// An app as the API answers it. Static apps have no image or port; fetching one app adds its
/// timestamps, and for a container app its `instances`, `cpu` and `memory`.
#[derive(Debug, Serialize)]
struct App {
    name: String,
    #[serde(rename = "type")]
    kind: AppType,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    port: Option<u16>,
    status: AppStatus,
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    instances: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cpu: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    memory: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    created_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated_at: Option<String>,
}

/// Credentials for pulling a container app's image from a private registry; each field may be
/// left out.
// Kept as the service keeps them; the API never answers them.
#[allow(dead_code)]
#[derive(Deserialize)]
struct RegistryAuth {
    username: Option<String>,
    password: Option<String>,
    server_address: Option<String>,
}

// By hand, so that the password never shows.
impl std::fmt::Debug for RegistryAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryAuth").finish_non_exhaustive()
    }
}

/// A recorded static deployment, as finalize answers it and the control API lists it.
#[derive(Clone, Debug, Serialize)]
struct FinalizedDeploy {
    deploy_id: String,
    timestamp: String,
    cache_purged: bool,
    summary: DeploySummary,
}

/// The counts a finalize declares.
#[derive(Clone, Debug, Serialize)]
struct DeploySummary {
    files_uploaded: u64,
    files_deleted: u64,
    total_bytes: u64,
}

/// Everything the Zerokie emulation holds.
#[derive(Debug, Default)]
pub(crate) struct Store {
    /// Apps in creation order.
    apps: Vec<AppRecord>,
    /// How many deployments were recorded in each second, to keep deploy ids unique.
    deploy_ids: HashMap<String, u32>,
}

/// One app and everything that belongs to it; deleting the app drops it all.
#[derive(Debug)]
struct AppRecord {
    name: String,
    kind: AppType,
    image: Option<String>,
    port: Option<u16>,
    // Kept as the service keeps them; the API never answers them.
    #[allow(dead_code)]
    env: BTreeMap<String, String>,
    #[allow(dead_code)]
    registry_auth: Option<RegistryAuth>,
    cpu: u32,
    memory: u32,
    created_at: SystemTime,
    updated_at: SystemTime,
    /// When the last deploy started; the app is deploying for [`DEPLOYING_FOR`] after it.
    deployed_at: SystemTime,
    files: BTreeMap<String, StoredFile>,
    lock: Option<HeldLock>,
    deployments: Vec<FinalizedDeploy>,
    domains: Vec<String>,
}

/// A file in a static app's storage zone.
#[derive(Debug)]
struct StoredFile {
    content: Bytes,
    content_type: String,
    modified: SystemTime,
}

/// A deploy lock and when it expires.
#[derive(Debug)]
struct HeldLock {
    session: String,
    expires: SystemTime,
}

impl HeldLock {
    fn held_by(&self, session: &str, now: SystemTime) -> bool {
        self.session == session && now < self.expires
    }
}

impl AppRecord {
    fn is_static(&self) -> bool {
        self.kind == AppType::Static
    }

    fn status(&self, now: SystemTime) -> AppStatus {
        match self.deployed_at.checked_add(DEPLOYING_FOR) {
            Some(end) if now < end => AppStatus::Deploying,
            _ => AppStatus::Running,
        }
    }

    /// The app as created and listed.
    fn summary(&self, now: SystemTime) -> App {
        App {
            name: self.name.clone(),
            kind: self.kind,
            image: self.image.clone(),
            port: self.port,
            status: self.status(now),
            url: format!("https://{}.{APP_DOMAIN}", self.name),
            instances: None,
            cpu: None,
            memory: None,
            created_at: None,
            updated_at: None,
        }
    }

    /// The app as fetched alone.
    fn detail(&self, now: SystemTime) -> App {
        let container = !self.is_static();
        App {
            instances: container.then_some(1),
            cpu: container.then_some(self.cpu),
            memory: container.then_some(self.memory),
            created_at: Some(rfc3339(self.created_at)),
            updated_at: Some(rfc3339(self.updated_at)),
            ..self.summary(now)
        }
    }

    fn deployed(&mut self, now: SystemTime) {
        self.deployed_at = now;
        self.updated_at = now;
    }

    fn require_static(&self) -> Result<(), ApiError> {
        if self.is_static() {
            Ok(())
        } else {
            Err(ApiError::bad_request("app is not a static app"))
        }
    }
}

/// The Zerokie part of the control API: what a stored file holds, without sending it back.
pub(crate) fn control_router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/__sandbox/zerokie/apps/{name}/files/{*path}", get(file_digest))
        .route("/__sandbox/zerokie/apps/{name}/deploys", get(deploys))
}

/// `GET /__sandbox/zerokie/apps/:name/deploys`: the deployments a static app recorded, oldest first
/// (with the counts each finalize declared), and its deploy lock (`null` when free or expired), so
/// a suite can check what a deploy finalized, and that a failed or cancelled one did not.
async fn deploys(State(shared): State<Arc<Shared>>, axum::extract::Path(name): axum::extract::Path<String>) -> Reply {
    Ok(Json(deploys_of(&shared, &name)?).into_response())
}

/// The body of [`deploys`], also served to Rust suites by [`Sandbox::zerokie_deploys`](crate::Sandbox::zerokie_deploys).
pub(crate) fn deploys_of(shared: &Shared, name: &str) -> Result<Value, ApiError> {
    let now = shared.clock.now();
    let mut state = lock(&shared.zerokie);
    let app = find(&mut state.apps, name)?;
    let held = app.lock.as_ref().filter(|held| now < held.expires);
    Ok(json!({
        "deployments": app.deployments,
        "lock": held.map(|held| json!({
            "deploy_session_id": held.session,
            "expires_at": rfc3339(held.expires),
        })),
    }))
}

/// `GET /__sandbox/zerokie/apps/:name/files/{path}`: `{"length", "sha256", "content_type"}` of a
/// stored file, so a suite can check a large upload arrived byte for byte.
async fn file_digest(
    State(shared): State<Arc<Shared>>,
    axum::extract::Path((name, path)): axum::extract::Path<(String, String)>,
) -> Reply {
    let mut state = lock(&shared.zerokie);
    let app = find(&mut state.apps, &name)?;
    let file = app.files.get(&path).ok_or_else(|| not_found("file"))?;
    let digest = json!({
        "length": file.content.len(),
        "sha256": crate::sha256_hex(&file.content),
        "content_type": file.content_type,
    });
    Ok(Json(digest).into_response())
}

/// The Zerokie routes: each path the emulation serves, with its methods.
pub(crate) fn routes() -> Vec<(String, MethodRouter<Arc<Shared>>)> {
    let path = |rest: &str| format!("/zerokie/v1/apps/{{name}}{rest}");
    vec![
        (APPS_PATH.to_owned(), get(list_apps).post(create_app)),
        (path(""), get(get_app).delete(delete_app)),
        (path("/deploy"), post(deploy_app)),
        (path("/files"), get(list_files)),
        (path("/files/{*path}"), get(read_file).put(upload_file).delete(delete_file)),
        (path("/deploy/lock"), post(acquire_lock).put(renew_lock)),
        (path("/deploy/finalize"), post(finalize_deploy)),
        (path("/domains"), post(add_domain)),
        (path("/domains/{domain}"), delete(remove_domain)),
    ]
}

/// The Zerokie routes, behind the API key check.
pub(crate) fn router() -> Router<Arc<Shared>> {
    crate::route_all(routes()).route_layer(middleware::from_fn(authorize))
}

/// Lets through requests with `Authorization: Bearer <ZEROKIE_API_KEY>`; 401 for anything else.
async fn authorize(request: Request, next: Next) -> Response {
    let authorized = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().split_once(' '))
        .is_some_and(|(scheme, key)| scheme.eq_ignore_ascii_case("bearer") && key.trim() == ZEROKIE_API_KEY);
    if authorized {
        return next.run(request).await;
    }
    let mut response = ApiError::new(StatusCode::UNAUTHORIZED, "missing or invalid API key").into_response();
    response.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// The path segments after `/zerokie/v1/apps/`, each percent-decoded on its own: the app name, then
/// `files` and the file path, `domains` and the domain, …
struct Segments(Vec<String>);

impl Segments {
    fn name(&self) -> &str {
        self.0.first().map_or("", String::as_str)
    }

    /// The segments from `index` on, joined with `/`.
    fn rest(&self, index: usize) -> String {
        self.0.get(index..).unwrap_or_default().join("/")
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Segments {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut http::request::Parts, _: &S) -> Result<Self, ApiError> {
        let rest = parts.uri.path().strip_prefix(APPS_PATH).unwrap_or_default();
        let rest = rest.strip_prefix('/').unwrap_or(rest);
        rest.split('/')
            .map(|segment| {
                percent_encoding::percent_decode_str(segment)
                    .decode_utf8()
                    .map(|s| s.into_owned())
                    .map_err(|_| ApiError::bad_request("path: is not valid UTF-8 once percent-decoded"))
            })
            .collect::<Result<_, _>>()
            .map(Segments)
    }
}

type Reply = Result<Response, ApiError>;

fn not_found(what: &str) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, format!("{what} not found"))
}

fn conflict(message: &str) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, message)
}

fn find<'a>(apps: &'a mut [AppRecord], name: &str) -> Result<&'a mut AppRecord, ApiError> {
    apps.iter_mut().find(|app| app.name == name).ok_or_else(|| not_found("app"))
}

/// A positive 32-bit integer field with a default.
fn resource_field(map: &Map<String, Value>, field: &str, default: u32) -> Result<u32, ApiError> {
    match integer_field(map, field)? {
        None => Ok(default),
        Some(n) => u32::try_from(n)
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| ApiError::bad_request(format!("{field}: must be a positive integer"))),
    }
}

fn registry_auth_field(map: &Map<String, Value>) -> Result<Option<RegistryAuth>, ApiError> {
    match map.get("registry_auth") {
        None | Some(Value::Null) => Ok(None),
        Some(value @ Value::Object(_)) => serde_json::from_value(value.clone())
            .map(Some)
            .map_err(|e| ApiError::bad_request(format!("registry_auth: {e}"))),
        Some(_) => Err(ApiError::bad_request("registry_auth: must be an object")),
    }
}

fn env_field(map: &Map<String, Value>) -> Result<BTreeMap<String, String>, ApiError> {
    let object = match map.get("env") {
        None | Some(Value::Null) => return Ok(BTreeMap::new()),
        Some(Value::Object(object)) => object,
        Some(_) => return Err(ApiError::bad_request("env: must be an object of strings")),
    };
    let mut env = BTreeMap::new();
    for (key, value) in object {
        checks::env_name("env", key)?;
        let Value::String(value) = value else {
            return Err(ApiError::bad_request(format!("env: the value of {key:?} must be a string")));
        };
        env.insert(key.clone(), value.clone());
    }
    Ok(env)
}

/// The `deploy_session_id` of a lock or finalize body: required, a UUID.
fn session_field(map: &Map<String, Value>) -> Result<String, ApiError> {
    let session = string_field(map, "deploy_session_id")?
        .ok_or_else(|| ApiError::bad_request("deploy_session_id: is required"))?;
    checks::uuid("deploy_session_id", &session)?;
    Ok(session)
}

/// `POST /v1/apps`.
async fn create_app(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let map = object(&body)?;
    let name = string_field(&map, "name")?.ok_or_else(|| ApiError::bad_request("name: is required"))?;
    checks::dns_label("name", &name)?;
    let kind = match string_field(&map, "type")?.as_deref() {
        None | Some("container") => AppType::Container,
        Some("static") => AppType::Static,
        Some(other) => {
            return Err(ApiError::bad_request(format!("type: must be \"container\" or \"static\", not {other:?}")))
        }
    };
    let env = env_field(&map)?;
    // Static apps ignore image, port, cpu, memory and registry_auth.
    let (image, port, cpu, memory, registry_auth) = if kind == AppType::Static {
        (None, None, DEFAULT_CPU, DEFAULT_MEMORY, None)
    } else {
        let image = string_field(&map, "image")?
            .filter(|image| !image.trim().is_empty())
            .ok_or_else(|| ApiError::bad_request("image: is required for container apps"))?;
        let port = match integer_field(&map, "port")? {
            None => DEFAULT_PORT,
            Some(port) => u16::try_from(port)
                .ok()
                .filter(|port| *port > 0)
                .ok_or_else(|| ApiError::bad_request("port: must be between 1 and 65535"))?,
        };
        let cpu = resource_field(&map, "cpu", DEFAULT_CPU)?;
        let memory = resource_field(&map, "memory", DEFAULT_MEMORY)?;
        (Some(image), Some(port), cpu, memory, registry_auth_field(&map)?)
    };
    let now = shared.clock.now();
    let mut state = lock(&shared.zerokie);
    if state.apps.iter().any(|app| app.name == name) {
        return Err(conflict("app name already exists"));
    }
    let app = AppRecord {
        name,
        kind,
        image,
        port,
        env,
        registry_auth,
        cpu,
        memory,
        created_at: now,
        updated_at: now,
        deployed_at: now,
        files: BTreeMap::new(),
        lock: None,
        deployments: Vec::new(),
        domains: Vec::new(),
    };
    let answer = app.summary(now);
    state.apps.push(app);
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// `GET /v1/apps`.
async fn list_apps(State(shared): State<Arc<Shared>>) -> Reply {
    let now = shared.clock.now();
    let state = lock(&shared.zerokie);
    let apps: Vec<App> = state.apps.iter().map(|app| app.summary(now)).collect();
    Ok(Json(apps).into_response())
}

/// `GET /v1/apps/:name`.
async fn get_app(State(shared): State<Arc<Shared>>, segments: Segments) -> Reply {
    let now = shared.clock.now();
    let mut state = lock(&shared.zerokie);
    let app = find(&mut state.apps, segments.name())?;
    Ok(Json(app.detail(now)).into_response())
}

/// `DELETE /v1/apps/:name`: the app, its files, lock, deployments and domains.
async fn delete_app(State(shared): State<Arc<Shared>>, segments: Segments) -> Reply {
    let mut state = lock(&shared.zerokie);
    let before = state.apps.len();
    state.apps.retain(|app| app.name != segments.name());
    if state.apps.len() == before {
        return Err(not_found("app"));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /v1/apps/:name/deploy`: a new image, or a restart with the current one.
async fn deploy_app(State(shared): State<Arc<Shared>>, segments: Segments, body: Bytes) -> Reply {
    let now = shared.clock.now();
    let mut state = lock(&shared.zerokie);
    let app = find(&mut state.apps, segments.name())?;
    if app.is_static() {
        return Err(ApiError::bad_request("static apps are deployed by uploading files and finalizing"));
    }
    let map = optional_object(&body)?;
    let image = string_field(&map, "image")?;
    if image.as_ref().is_some_and(|image| image.trim().is_empty()) {
        return Err(ApiError::bad_request("image: must not be empty"));
    }
    let registry_auth = registry_auth_field(&map)?;
    if let Some(image) = image {
        app.image = Some(image);
    }
    if registry_auth.is_some() {
        app.registry_auth = registry_auth;
    }
    app.deployed(now);
    // Never null: a container app always has an image.
    let deploy = json!({ "name": app.name, "image": app.image, "status": app.status(now) });
    Ok(Json(deploy).into_response())
}

/// `GET /v1/apps/:name/files`: every file, sorted by path.
async fn list_files(State(shared): State<Arc<Shared>>, segments: Segments) -> Reply {
    let mut state = lock(&shared.zerokie);
    let app = find(&mut state.apps, segments.name())?;
    app.require_static()?;
    let files: Vec<Value> = app
        .files
        .iter()
        .map(|(path, file)| {
            json!({ "path": path, "length": file.content.len(), "lastModified": rfc3339(file.modified) })
        })
        .collect();
    Ok(Json(files).into_response())
}

/// The file path of a `/v1/apps/:name/files/{path}` request, checked.
fn file_path(segments: &Segments) -> Result<String, ApiError> {
    let path = segments.rest(2);
    checks::file_path("path", &path)?;
    Ok(path)
}

/// `PUT /v1/apps/:name/files/{path}`: stores the raw body with its Content-Type.
async fn upload_file(State(shared): State<Arc<Shared>>, segments: Segments, headers: HeaderMap, body: Bytes) -> Reply {
    let now = shared.clock.now();
    let mut state = lock(&shared.zerokie);
    let app = find(&mut state.apps, segments.name())?;
    app.require_static()?;
    let path = file_path(&segments)?;
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_owned();
    app.files.insert(path, StoredFile { content: body, content_type, modified: now });
    Ok(StatusCode::OK.into_response())
}

/// `GET /v1/apps/:name/files/{path}`: a sandbox extra, not in Zerokie's reference, so tests can
/// read back what they uploaded. Answers the bytes with their Content-Type.
async fn read_file(State(shared): State<Arc<Shared>>, segments: Segments) -> Reply {
    let mut state = lock(&shared.zerokie);
    let app = find(&mut state.apps, segments.name())?;
    app.require_static()?;
    let path = file_path(&segments)?;
    let file = app.files.get(&path).ok_or_else(|| not_found("file"))?;
    let content_type = HeaderValue::from_str(&file.content_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    Ok(([(CONTENT_TYPE, content_type)], file.content.clone()).into_response())
}

/// `DELETE /v1/apps/:name/files/{path}`.
async fn delete_file(State(shared): State<Arc<Shared>>, segments: Segments) -> Reply {
    let mut state = lock(&shared.zerokie);
    let app = find(&mut state.apps, segments.name())?;
    app.require_static()?;
    let path = file_path(&segments)?;
    app.files.remove(&path).ok_or_else(|| not_found("file"))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn lock_view(lock: &HeldLock) -> Response {
    let view = json!({ "locked": true, "deploy_session_id": lock.session, "expires_at": rfc3339(lock.expires) });
    Json(view).into_response()
}

fn expiry(now: SystemTime) -> SystemTime {
    now.checked_add(LOCK_TTL).unwrap_or(now)
}

/// `POST /v1/apps/:name/deploy/lock`: acquires the lock, or refreshes it for the same session.
async fn acquire_lock(State(shared): State<Arc<Shared>>, segments: Segments, body: Bytes) -> Reply {
    let now = shared.clock.now();
    let mut state = lock(&shared.zerokie);
    let app = find(&mut state.apps, segments.name())?;
    app.require_static()?;
    let session = session_field(&object(&body)?)?;
    if let Some(held) = &app.lock {
        if held.session != session && now < held.expires {
            return Err(conflict("deploy lock held by another session"));
        }
    }
    let held = app.lock.insert(HeldLock { session, expires: expiry(now) });
    Ok(lock_view(held))
}

/// `PUT /v1/apps/:name/deploy/lock`: the heartbeat, another 30 minutes for the holder.
async fn renew_lock(State(shared): State<Arc<Shared>>, segments: Segments, body: Bytes) -> Reply {
    let now = shared.clock.now();
    let mut state = lock(&shared.zerokie);
    let app = find(&mut state.apps, segments.name())?;
    app.require_static()?;
    let session = session_field(&object(&body)?)?;
    match &mut app.lock {
        Some(held) if held.held_by(&session, now) => {
            held.expires = expiry(now);
            Ok(lock_view(held))
        }
        _ => Err(conflict("deploy lock not held by this session")),
    }
}

/// The next deploy id for `now`: `d-YYYYMMDD-HHMMSS`, then `-2`, `-3`, … within one second.
fn next_deploy_id(ids: &mut HashMap<String, u32>, now: SystemTime) -> String {
    let c = Civil::of(now);
    let base = format!("d-{:04}{:02}{:02}-{:02}{:02}{:02}", c.year, c.month, c.day, c.hour, c.minute, c.second);
    let count = ids.entry(base.clone()).or_insert(0);
    *count += 1;
    if *count == 1 {
        base
    } else {
        format!("{base}-{count}")
    }
}

/// `POST /v1/apps/:name/deploy/finalize`: records the deployment, purges the cache, releases the lock.
async fn finalize_deploy(State(shared): State<Arc<Shared>>, segments: Segments, body: Bytes) -> Reply {
    let now = shared.clock.now();
    let mut guard = lock(&shared.zerokie);
    let Store { apps, deploy_ids } = &mut *guard;
    let app = find(apps, segments.name())?;
    app.require_static()?;
    let map = object(&body)?;
    let session = session_field(&map)?;
    let count =
        |field: &str| integer_field(&map, field)?.ok_or_else(|| ApiError::bad_request(format!("{field}: is required")));
    let summary = DeploySummary {
        files_uploaded: count("files_uploaded")?,
        files_deleted: count("files_deleted")?,
        total_bytes: count("total_bytes")?,
    };
    if !app.lock.as_ref().is_some_and(|held| held.held_by(&session, now)) {
        return Err(conflict("deploy lock not held by this session"));
    }
    let deploy = FinalizedDeploy {
        deploy_id: next_deploy_id(deploy_ids, now),
        timestamp: rfc3339(now),
        cache_purged: true,
        summary,
    };
    app.deployments.push(deploy.clone());
    app.lock = None;
    app.deployed(now);
    Ok(Json(deploy).into_response())
}

/// A domain as stored and compared: lowercase, without a trailing dot.
fn normalize_domain(domain: &str) -> String {
    domain.strip_suffix('.').unwrap_or(domain).to_ascii_lowercase()
}

/// `POST /v1/apps/:name/domains`: a subdomain, never an apex.
async fn add_domain(State(shared): State<Arc<Shared>>, segments: Segments, body: Bytes) -> Reply {
    let mut state = lock(&shared.zerokie);
    find(&mut state.apps, segments.name())?.require_static()?;
    let map = object(&body)?;
    let domain = string_field(&map, "domain")?.ok_or_else(|| ApiError::bad_request("domain: is required"))?;
    let domain = checks::domain_name("domain", &domain)?;
    // An apex (`example.com`) cannot take the CNAME a custom domain needs.
    if domain.split('.').count() < 3 {
        return Err(ApiError::bad_request("apex domains are not supported"));
    }
    if let Some(owner) = state.apps.iter().find(|app| app.domains.contains(&domain)) {
        if owner.name == segments.name() {
            return Err(conflict("domain already added to this app"));
        }
        return Err(conflict("domain is already used by another app"));
    }
    let app = find(&mut state.apps, segments.name())?;
    app.domains.push(domain.clone());
    // The sandbox issues no certificate: a domain stays pending.
    let answer =
        json!({ "domain": domain, "cname_target": format!("{}.{APP_DOMAIN}", app.name), "tls_status": "pending" });
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// `DELETE /v1/apps/:name/domains/:domain`.
async fn remove_domain(State(shared): State<Arc<Shared>>, segments: Segments) -> Reply {
    let mut state = lock(&shared.zerokie);
    let app = find(&mut state.apps, segments.name())?;
    app.require_static()?;
    let domain = normalize_domain(&segments.rest(2));
    let before = app.domains.len();
    app.domains.retain(|d| *d != domain);
    if app.domains.len() == before {
        return Err(not_found("domain"));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    #[test]
    fn deploy_ids_stay_unique_within_a_second() {
        let mut ids = HashMap::new();
        let at = UNIX_EPOCH + Duration::from_secs(1_772_902_800);
        assert_eq!(next_deploy_id(&mut ids, at), "d-20260307-170000");
        assert_eq!(next_deploy_id(&mut ids, at), "d-20260307-170000-2");
        assert_eq!(next_deploy_id(&mut ids, at + Duration::from_millis(999)), "d-20260307-170000-3");
        assert_eq!(next_deploy_id(&mut ids, at + Duration::from_secs(1)), "d-20260307-170001");
    }
}
