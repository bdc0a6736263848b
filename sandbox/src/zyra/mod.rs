//! The Zyra emulation under `/zyra/api/v1`: auth (login, refresh, password reset, SSO), API keys,
//! the organization and its members and settings, devices, virtual servers, ML, fine-tuning and
//! inference jobs, webhook endpoints, invoices (with their PDF), SLA rules and breaches, monitoring
//! alerts and SDK discovery, following Zyra's API guide and the Zyra section of
//! `docs/api-assumptions.md`, which is the contract (routes, shapes, codes, roles, rate classes).
//!
//! Where the contract is silent:
//! - the sandbox holds one organization, `org_sandbox`; every user and resource belongs to it, and
//!   any other organization id answers 404 `not_found`;
//! - checks run in this order: credential (401), rate (429), role (403), resource (404), body or
//!   query (400 `validation_error`), state (409). The auth routes that have no caller yet read the
//!   email from the body (or the query, for SSO) first, so a body without one is a 400 that counts
//!   against no budget; a login with a wrong password counts;
//! - every 400 `validation_error` names its field in `details` (`{"field": "body"}` for a body that
//!   is not a JSON object); an unknown field in a body is refused by name;
//! - bearer credentials: a token starting `zyra_sk_` is an API key, anything else must be an access
//!   JWT (HS256, claims `sub`, `org`, `role`, `typ`, `iat`, `exp` and a `jti` that makes each token
//!   unique). A refresh token used as a bearer is 401 `invalid_token`. Roles are read from the
//!   store at each request, so a role change applies at once to existing tokens and keys; a
//!   removed member's tokens are `invalid_token` and their keys `key_revoked`;
//! - revoking a revoked key answers the row again; a key's `last_used_at` is set by each request it
//!   authenticates;
//! - an empty `PATCH` body changes nothing and answers the resource; `DELETE` answers
//!   `"data": null` except for API keys (the revoked row);
//! - password reset tokens are good for one hour of sandbox time and for one use; a token is mailed
//!   only to an active user; `GET /__sandbox/zyra/outbox` shows every mailed token. Changing the
//!   password leaves issued tokens valid until they expire;
//! - unknown routes under the prefix answer 404 `not_found` and known routes with another method 405
//!   `method_not_allowed`, both in the envelope and before any credential check. `GET /sdk` needs no
//!   credential and counts against no budget;
//! - ids are a prefix and a number from 1 (`dev_0001`, `vs_0003`, …), never reused; lists come in
//!   creation order, which is id order.

mod auth;
mod billing;
mod devices;
mod jobs;
mod jwt;
mod monitoring;
mod organizations;
mod servers;
mod sla;
mod webhooks;

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::body::Body;
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, MethodRouter};
use axum::{Json, Router};
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use http::request::Parts;
use http::{HeaderValue, StatusCode};
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::body::{field_error, Params};
use crate::clock::rfc3339;
use crate::rate::Limiter;
use crate::{lock, ApiError, ErrorReport, RequestId, Shared};

/// Where the emulation is mounted.
pub(crate) const BASE_PATH: &str = "/zyra/api/v1";
/// The largest `limit` of a list.
const MAX_PAGE_LIMIT: u64 = 200;
/// The `limit` of a list that asks for none.
const DEFAULT_PAGE_LIMIT: u64 = 50;
/// When the seeded records were created: 2026-01-15T10:00:00Z, fixed so seeded timestamps are too.
const SEEDED_AT: u64 = 1_768_471_200;
/// The only organization.
const ORGANIZATION_ID: &str = crate::credentials::ZYRA_ORGANIZATION_ID;

/// The seeding moment plus `seconds`.
fn seeded_at(seconds: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(SEEDED_AT + seconds)
}

/// Seconds since 1970 of `time` (0 before).
fn unix_seconds(time: SystemTime) -> u64 {
    time.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// A user's role in the organization.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Role {
    OrgAdmin,
    Member,
}

impl Role {
    fn parse(text: &str) -> Option<Role> {
        match text {
            "org_admin" => Some(Role::OrgAdmin),
            "member" => Some(Role::Member),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Role::OrgAdmin => "org_admin",
            Role::Member => "member",
        }
    }
}

/// Whether a member has joined or is only invited (invited members cannot log in).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum MemberStatus {
    Active,
    Invited,
}

/// A user of the organization.
#[derive(Clone, Debug)]
struct User {
    id: String,
    email: String,
    name: String,
    role: Role,
    status: MemberStatus,
    joined_at: Option<String>,
    /// The SHA-256 hex of the password; `None` for invited users.
    password_hash: Option<String>,
}

use crate::sha256_hex;

/// `len` lowercase hex characters that nobody can guess from the outside: the SHA-256 of a
/// process-random hasher's output, the time and a counter.
fn random_hex(len: usize) -> String {
    use std::hash::BuildHasher;
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut out = String::new();
    while out.len() < len {
        let count = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let noise = std::collections::hash_map::RandomState::new().hash_one((count, nanos));
        out += &sha256_hex(format!("{noise}:{count}:{nanos}"));
    }
    out.truncate(len);
    out
}

/// The next ids of each kind of record.
#[derive(Debug, Default)]
struct Ids(HashMap<&'static str, u64>);

impl Ids {
    /// The next id with `prefix`, such as `dev_0521`.
    fn next(&mut self, prefix: &'static str) -> String {
        let n = self.0.entry(prefix).or_default();
        *n += 1;
        format!("{prefix}{n:04}")
    }
}

/// Everything the Zyra emulation holds.
#[derive(Debug)]
pub(crate) struct Store {
    users: Vec<User>,
    organization: organizations::Organization,
    settings: organizations::Settings,
    keys: Vec<auth::ApiKey>,
    resets: Vec<auth::PasswordReset>,
    devices: Vec<devices::Device>,
    servers: Vec<servers::Server>,
    ml_jobs: Vec<jobs::MlJob>,
    fine_tuning_jobs: Vec<jobs::FineTuningJob>,
    inferences: Vec<jobs::Inference>,
    webhooks: Vec<webhooks::Endpoint>,
    invoices: Vec<billing::Invoice>,
    rules: Vec<sla::Rule>,
    breaches: Vec<sla::Breach>,
    alerts: Vec<monitoring::Alert>,
    ids: Ids,
    /// Requests per user (or email) and endpoint.
    pub(crate) rate: Limiter,
}

impl Default for Store {
    /// The seeded organization, users, keys, devices, servers, invoices, SLA rules and breaches, and
    /// monitoring alerts.
    fn default() -> Self {
        let mut ids = Ids::default();
        let users = auth::seeded_users(&mut ids);
        let keys = auth::seeded_keys(&mut ids, &users);
        Self {
            organization: organizations::Organization::seeded(),
            settings: organizations::Settings::default(),
            resets: Vec::new(),
            devices: devices::seeded(&mut ids),
            servers: servers::seeded(&mut ids),
            ml_jobs: Vec::new(),
            fine_tuning_jobs: Vec::new(),
            inferences: Vec::new(),
            webhooks: Vec::new(),
            invoices: billing::seeded(&mut ids),
            rules: sla::seeded_rules(&mut ids),
            breaches: sla::seeded_breaches(&mut ids),
            alerts: monitoring::seeded(&mut ids),
            users,
            keys,
            ids,
            rate: Limiter::default(),
        }
    }
}

impl Store {
    /// Counts a request of `subject` (a user id, or `email:<address>`) to `endpoint` (its method and
    /// route), which has a limiter of its own with the figure of `class`; 429 when it is full.
    fn hit(&mut self, subject: &str, class: Class, endpoint: &str, now: SystemTime) -> Result<(), ApiError> {
        let (limit, name) = class.budget();
        self.rate.hit(&format!("{subject} {endpoint}"), now, limit, Duration::from_secs(60)).map_err(|wait| {
            ApiError::coded(StatusCode::TOO_MANY_REQUESTS, "rate_limited", format!("rate limit of {endpoint} reached"))
                .with_header(RETRY_AFTER, wait)
                .with_details(json!({ "class": name, "endpoint": endpoint, "limit_per_minute": limit }))
        })
    }

    fn user(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|user| user.id == id)
    }
}

/// The rate classes of the contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// POSTs that create a resource: 5 a minute.
    Create,
    /// GETs: 30 a minute.
    Read,
    /// Everything else (updates, deletes, actions, auth): 30 a minute.
    Write,
}

impl Class {
    /// Requests a minute, and the name used in bucket keys and messages.
    fn budget(self) -> (usize, &'static str) {
        match self {
            Class::Create => (5, "create"),
            Class::Read => (30, "read"),
            Class::Write => (30, "write"),
        }
    }
}

/// A rate class as a type, so each handler names its class in its signature (`Caller<Create>`).
trait Budget {
    const CLASS: Class;
}

/// See [`Class::Create`].
struct Create;
/// See [`Class::Read`].
struct Read;
/// See [`Class::Write`].
struct Write;

impl Budget for Create {
    const CLASS: Class = Class::Create;
}
impl Budget for Read {
    const CLASS: Class = Class::Read;
}
impl Budget for Write {
    const CLASS: Class = Class::Write;
}

/// The user of a request that passed the credential check (401) and the rate limit of class `C`
/// (429).
struct Caller<C> {
    user_id: String,
    role: Role,
    class: PhantomData<fn() -> C>,
}

impl<C> Caller<C> {
    /// 403 `insufficient_role` unless the caller is an org admin.
    fn require_admin(&self) -> Result<(), ApiError> {
        match self.role {
            Role::OrgAdmin => Ok(()),
            Role::Member => Err(ApiError::coded(
                StatusCode::FORBIDDEN,
                "insufficient_role",
                "this operation needs the org_admin role",
            )),
        }
    }
}

impl<C: Budget> FromRequestParts<Arc<Shared>> for Caller<C> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, shared: &Arc<Shared>) -> Result<Self, ApiError> {
        let token = bearer(&parts.headers)?;
        let now = shared.clock.now();
        let mut store = lock(&shared.zyra);
        let user_id = store.authenticate(token, now)?;
        let role = store.user(&user_id).map_or(Role::Member, |user| user.role);
        let route = parts.extensions.get::<MatchedPath>().map_or(parts.uri.path(), MatchedPath::as_str);
        store.hit(&user_id, C::CLASS, &format!("{} {route}", parts.method), now)?;
        Ok(Caller { user_id, role, class: PhantomData })
    }
}

/// The token of `Authorization: Bearer <token>`; 401 `missing_bearer` without one. Zyra takes no
/// other header (unlike the APIs `crate::presented_key` serves, which also read `x-api-key`).
fn bearer(headers: &http::HeaderMap) -> Result<&str, ApiError> {
    let missing =
        || ApiError::coded(StatusCode::UNAUTHORIZED, "missing_bearer", "send Authorization: Bearer <token or API key>");
    let value = headers.get(http::header::AUTHORIZATION).and_then(|value| value.to_str().ok()).ok_or_else(missing)?;
    let (scheme, token) = value.trim().split_once(' ').ok_or_else(missing)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(missing());
    }
    Ok(token)
}

/// The `data` of a success, in the extensions of its response until [`envelope`] wraps it.
#[derive(Clone, Debug)]
struct Data(Value);

/// A success: its status and the `data` the envelope carries.
struct Done(StatusCode, Value);

impl IntoResponse for Done {
    fn into_response(self) -> Response {
        let mut response = self.0.into_response();
        response.extensions_mut().insert(Data(self.1));
        response
    }
}

type Reply = Result<Done, ApiError>;

/// 200 with `data`.
fn ok(data: impl Serialize) -> Reply {
    Ok(Done(StatusCode::OK, to_json(data)))
}

/// 201 with the created resource.
fn created(data: impl Serialize) -> Reply {
    Ok(Done(StatusCode::CREATED, to_json(data)))
}

fn to_json(data: impl Serialize) -> Value {
    serde_json::to_value(data).unwrap_or(Value::Null)
}

/// 404 `not_found` for a `what` that does not exist.
fn not_found(what: &str) -> ApiError {
    ApiError::coded(StatusCode::NOT_FOUND, "not_found", format!("{what} not found"))
}

/// 409 `invalid_state` with `message`.
fn invalid_state(message: impl Into<String>) -> ApiError {
    ApiError::coded(StatusCode::CONFLICT, "invalid_state", message)
}

/// A body helper's or check's 400, in Zyra's code.
fn invalid(error: ApiError) -> ApiError {
    error.with_code("validation_error")
}

/// 400 `validation_error` naming `field`.
fn refuse(field: &str, problem: &str) -> ApiError {
    invalid(field_error(field, problem))
}

/// The JSON object of a body, refusing any field not in `allowed` (400 naming it).
fn body_object(body: &[u8], allowed: &[&str]) -> Result<Map<String, Value>, ApiError> {
    let map = crate::body::object(body).map_err(invalid)?;
    match map.keys().find(|key| !allowed.contains(&key.as_str())) {
        Some(key) => Err(refuse(key, "is not a field of this operation")),
        None => Ok(map),
    }
}

/// A string field that must be there and not blank.
fn required_string(map: &Map<String, Value>, field: &str) -> Result<String, ApiError> {
    match crate::body::string_field(map, field).map_err(invalid)? {
        Some(text) if !text.trim().is_empty() => Ok(text),
        Some(_) => Err(refuse(field, "must not be blank")),
        None => Err(refuse(field, "is required")),
    }
}

/// A string field that may be absent, but not blank.
fn optional_string(map: &Map<String, Value>, field: &str) -> Result<Option<String>, ApiError> {
    match crate::body::string_field(map, field).map_err(invalid)? {
        Some(text) if text.trim().is_empty() => Err(refuse(field, "must not be blank")),
        other => Ok(other),
    }
}

/// An integer field in `range`, if present.
fn integer_in(
    map: &Map<String, Value>,
    field: &str,
    range: std::ops::RangeInclusive<u64>,
) -> Result<Option<u64>, ApiError> {
    match crate::body::integer_field(map, field).map_err(invalid)? {
        Some(n) if !range.contains(&n) => {
            Err(refuse(field, &format!("must be between {} and {}", range.start(), range.end())))
        }
        other => Ok(other),
    }
}

/// A role field, if present.
fn role_field(map: &Map<String, Value>, field: &str) -> Result<Option<Role>, ApiError> {
    crate::body::string_field(map, field)
        .map_err(invalid)?
        .map(|text| Role::parse(&text).ok_or_else(|| refuse(field, "must be org_admin or member")))
        .transpose()
}

/// A boolean field, if present.
fn bool_field(map: &Map<String, Value>, field: &str) -> Result<Option<bool>, ApiError> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(value)) => Ok(Some(*value)),
        Some(_) => Err(refuse(field, "must be true or false")),
    }
}

/// A list of non-blank strings, if present; it must not be empty unless `may_be_empty`.
fn strings_field(map: &Map<String, Value>, field: &str, may_be_empty: bool) -> Result<Option<Vec<String>>, ApiError> {
    let items = match map.get(field) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(refuse(field, "must be a list of strings")),
    };
    if items.is_empty() && !may_be_empty {
        return Err(refuse(field, "must not be empty"));
    }
    items
        .iter()
        .map(|item| match item {
            Value::String(text) if !text.trim().is_empty() => Ok(text.clone()),
            _ => Err(refuse(field, "must be a list of non-blank strings")),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// A query filter that must be one of `allowed`, if given.
fn filter<'a>(params: &'a Params, name: &str, allowed: &[&str]) -> Result<Option<&'a str>, ApiError> {
    match params.get(name) {
        Some(value) if !allowed.contains(&value) => {
            Err(refuse(name, &format!("must be one of {}", allowed.join(", "))))
        }
        other => Ok(other),
    }
}

/// One page of `items` as `{"items", "total", "offset", "limit"}`, from the `offset` (default 0)
/// and `limit` (1 to 200, default 50) of the query.
fn page<T: Serialize>(params: &Params, items: impl IntoIterator<Item = T>) -> Reply {
    let number = |name: &str, default: u64| -> Result<u64, ApiError> {
        params.get(name).map_or(Ok(default), |text| {
            text.trim().parse::<u64>().map_err(|_| refuse(name, "must be a non-negative integer"))
        })
    };
    let offset = number("offset", 0)?;
    let limit = number("limit", DEFAULT_PAGE_LIMIT)?;
    if !(1..=MAX_PAGE_LIMIT).contains(&limit) {
        return Err(refuse("limit", &format!("must be between 1 and {MAX_PAGE_LIMIT}")));
    }
    let items: Vec<T> = items.into_iter().collect();
    let total = items.len();
    let start = usize::try_from(offset).unwrap_or(usize::MAX).min(total);
    let end = start.saturating_add(usize::try_from(limit).unwrap_or(usize::MAX)).min(total);
    let shown: Vec<Value> = items[start..end].iter().map(to_json).collect();
    ok(json!({ "items": shown, "total": total, "offset": offset, "limit": limit }))
}

/// The Zyra routes, relative to [`BASE_PATH`]: each path the emulation serves, with its methods.
pub(crate) fn routes() -> Vec<(&'static str, MethodRouter<Arc<Shared>>)> {
    vec![
        ("/auth/login", post(auth::login)),
        ("/auth/refresh", post(auth::refresh)),
        ("/auth/password-reset", post(auth::request_reset)),
        ("/auth/password-reset/confirm", post(auth::confirm_reset)),
        ("/auth/sso", get(auth::sso)),
        ("/api-keys", get(auth::list_keys).post(auth::create_key)),
        ("/api-keys/{id}", delete(auth::revoke_key)),
        ("/organizations", get(organizations::list)),
        ("/organizations/{id}", get(organizations::get)),
        ("/organizations/{id}/members", get(organizations::members).post(organizations::invite)),
        (
            "/organizations/{id}/members/{user_id}",
            axum::routing::patch(organizations::change_role).delete(organizations::remove),
        ),
        ("/organizations/{id}/settings", get(organizations::settings).patch(organizations::update_settings)),
        ("/devices", get(devices::list).post(devices::register)),
        ("/devices/{id}", get(devices::get).delete(devices::remove)),
        ("/devices/{id}/approve", post(devices::approve)),
        ("/virtual-servers", get(servers::list).post(servers::create)),
        ("/virtual-servers/{id}", get(servers::get)),
        ("/virtual-servers/{id}/start", post(servers::start)),
        ("/virtual-servers/{id}/stop", post(servers::stop)),
        ("/virtual-servers/{id}/terminate", post(servers::terminate)),
        ("/virtual-servers/{id}/resize", post(servers::resize)),
        ("/ml/jobs", get(jobs::list_ml).post(jobs::create_ml)),
        ("/ml/jobs/{id}", get(jobs::get_ml)),
        ("/ml/jobs/{id}/cancel", post(jobs::cancel_ml)),
        ("/fine-tuning/jobs", get(jobs::list_fine_tuning).post(jobs::create_fine_tuning)),
        ("/fine-tuning/jobs/{id}", get(jobs::get_fine_tuning)),
        ("/fine-tuning/jobs/{id}/cancel", post(jobs::cancel_fine_tuning)),
        ("/inference", get(jobs::list_inference).post(jobs::create_inference)),
        ("/inference/{id}", get(jobs::get_inference)),
        ("/webhooks/endpoints", get(webhooks::list).post(webhooks::create)),
        ("/webhooks/endpoints/{id}", get(webhooks::get).patch(webhooks::update).delete(webhooks::remove)),
        ("/invoices", get(billing::list)),
        ("/invoices/{id}", get(billing::get)),
        ("/invoices/{id}/pdf", get(billing::pdf)),
        ("/sla/alert-rules", get(sla::list_rules).post(sla::create_rule)),
        ("/sla/alert-rules/{id}", get(sla::get_rule).patch(sla::update_rule).delete(sla::remove_rule)),
        ("/sla/breaches", get(sla::breaches)),
        ("/monitoring/alerts", get(monitoring::alerts)),
        ("/sdk", get(sdk)),
    ]
}

/// The Zyra routes under [`BASE_PATH`], in the envelope.
pub(crate) fn router(shared: Arc<Shared>) -> Router<Arc<Shared>> {
    routes()
        .into_iter()
        .fold(Router::new(), |router, (path, methods)| router.route(path, methods))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(unknown_route)
        .layer(middleware::from_fn_with_state(shared, envelope))
}

/// The control route of the emulation: `GET /__sandbox/zyra/outbox`, the password reset mails.
pub(crate) fn control_router() -> Router<Arc<Shared>> {
    Router::new().route("/__sandbox/zyra/outbox", get(outbox))
}

/// `GET /__sandbox/zyra/outbox`: `{"password_resets": [{email, token, sent_at}]}`, oldest first,
/// used tokens included. Plain JSON, like the rest of the control API.
async fn outbox(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Json(json!({ "password_resets": auth::outbox(&lock(&shared.zyra)) }))
}

/// 404 for a path under the prefix that names no route.
async fn unknown_route() -> ApiError {
    not_found("route").unrouted()
}

/// 405 for a known route with another method.
async fn method_not_allowed() -> ApiError {
    ApiError::coded(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "method not allowed on this route").unrouted()
}

/// The code of an error answered without one of its own (a body helper's 400, an extractor's
/// refusal).
fn default_code(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "validation_error",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        status if status.is_server_error() => "internal_error",
        _ => "error",
    }
}

/// Wraps every answer of the emulation in the envelope, with the request id the frame sends as
/// `x-request-id` and the sandbox time: a [`Done`] becomes `{"success": true, "data", "meta"}`, any
/// error `{"success": false, "error": {"code", "message", "details", "request_id"}, "meta"}`. Other
/// successes (the invoice PDF) pass as they are.
async fn envelope(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let request_id = request.extensions().get::<RequestId>().map(|id| id.0.clone()).unwrap_or_default();
    let response = next.run(request).await;
    let (mut parts, body) = response.into_parts();
    let meta = json!({ "request_id": request_id, "timestamp": rfc3339(shared.clock.now()) });
    let envelope = if let Some(Data(data)) = parts.extensions.remove::<Data>() {
        json!({ "success": true, "data": data, "meta": meta })
    } else if parts.status.is_client_error() || parts.status.is_server_error() {
        let (code, message, details) = match parts.extensions.remove::<ErrorReport>() {
            Some(report) => (report.code.unwrap_or(default_code(parts.status)), report.message, report.details),
            None => {
                // An axum extractor's refusal, in plain text.
                let text = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
                (default_code(parts.status), String::from_utf8_lossy(&text).into_owned(), None)
            }
        };
        let error = json!({ "code": code, "message": message, "details": details, "request_id": request_id });
        json!({ "success": false, "error": error, "meta": meta })
    } else {
        return Response::from_parts(parts, body);
    };
    parts.headers.remove(CONTENT_LENGTH);
    parts.headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Response::from_parts(parts, Body::from(envelope.to_string()))
}

/// `GET /sdk`: where the OpenAPI document is and which SDKs speak the API. No credential.
async fn sdk() -> Reply {
    let version = env!("CARGO_PKG_VERSION");
    let docs = "https://github.com/zkit-sdk/zkit";
    let sdk = |language: &str, package: &str| json!({ "language": language, "package": package, "version": version, "docs_url": docs });
    ok(json!({
        "api_version": "v1",
        "openapi_url": "https://app.getzyra.io/openapi.json",
        "sdks": [sdk("rust", "zkit"), sdk("python", "zkit"), sdk("javascript", "zkit-wasm"), sdk("kotlin", "dev.zkit:zkit")],
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_and_random_hex() {
        assert_eq!(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        let (a, b) = (random_hex(32), random_hex(32));
        assert_eq!((a.len(), b.len()), (32, 32));
        assert_ne!(a, b);
        assert!(a.bytes().all(|byte| byte.is_ascii_hexdigit() && !byte.is_ascii_uppercase()), "{a}");
    }

    #[test]
    fn ids_count_per_prefix() {
        let mut ids = Ids::default();
        assert_eq!(ids.next("dev_"), "dev_0001");
        assert_eq!(ids.next("dev_"), "dev_0002");
        assert_eq!(ids.next("vs_"), "vs_0001");
    }

    #[test]
    fn the_store_is_seeded() {
        let store = Store::default();
        assert_eq!(store.users.len(), 3);
        assert_eq!(store.devices.len(), 520);
        assert_eq!(store.keys.iter().filter(|key| key.is_active).count(), 11);
        assert_eq!((store.servers.len(), store.invoices.len(), store.alerts.len()), (2, 3, 12));
        assert_eq!((store.rules.len(), store.breaches.len()), (2, 4));
    }
}
