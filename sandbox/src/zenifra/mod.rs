//! The Zenifra emulation: projects and what the project API manages (name, description, image and
//! branch deploys, environment variables, domain, stop and resume, instances, deployments, metrics,
//! logs, network metrics, plan, storage), under `/zenifra/v1`, following Zenifra's project API and
//! organization API key docs (keys in `x-api-key` or `Authorization: Bearer`, `x-organization-id`,
//! IP allowlists, 100 requests a minute per project, errors `{"error": {"code", "message"}}`).
//!
//! Where the docs are silent:
//! - `x-organization-id` is optional; when sent it must be the key's organization (a project key's is
//!   its project's), else 403 `forbidden`;
//! - organization keys carry permissions: `read` for every GET; `write` for name, description, envs,
//!   domain, stop, resume, instances and storage size; `deploy` for the image and branch deploys;
//!   `billing` for the plan; a missing one is 403 `insufficient_permissions`. Project keys have every
//!   permission on their own project, and any other project id is 403 `forbidden` for them, known or
//!   not; an organization key asking for another organization's project gets 404 `not_found`;
//! - an IP allowlist holds literal IPv4 and IPv6 addresses (an IPv4-mapped IPv6 peer counts as its
//!   IPv4 address); an entry that is not one, such as a CIDR range, matches nothing;
//! - checks run in this order: key (401), IP allowlist (403), organization (403), rate (429), project
//!   (404, or 403 for a project key), permission (403), body or query (400 `invalid_request`), state or
//!   plan (409 `invalid_state`, 402 `plan_limit`);
//! - the rate limit counts every request to `/project/{id}/…` against `id`, known or not, and
//!   `GET /project` against the key, on the sandbox clock: 100 a minute, as a bucket of 100 that
//!   refills evenly over the minute (see `crate::rate`); beyond it, 429 `rate_limited` with
//!   `Retry-After` in whole seconds;
//! - `GET /project` lists the projects the key sees (a project key: its own), in creation order;
//!   `type` is `http` or `worker`, `page` from 1 (default 1), `limit` 1 to 100 (default 15);
//! - an image update or a branch deploy records a deployment `dep_<n>`; it is `building` for 30 seconds
//!   of sandbox time, then `live`, and the live one before it becomes `superseded`; meanwhile the
//!   project is `deploying` (and keeps serving). A branch deploy runs the image
//!   `registry.zenifra.dev/<project name>:<branch>`; an image update keeps the project's branch.
//!   Neither is allowed on a stopped project (409). Stopping a deploying project is allowed;
//! - an empty description clears it: the project then has no `description` field;
//! - a domain is stored lowercase without a trailing dot, and belongs to one project of any
//!   organization at a time (409 otherwise);
//! - a stopped project keeps its instance count (it runs them once resumed); scaling it is allowed;
//! - plans cap instances and storage: free 1 and 1 GB, starter 3 and 10 GB, pro 10 and 100 GB,
//!   business 50 and 1000 GB; scaling past the cap is 402, moving to a plan below the current
//!   instances or storage is 409; storage cannot shrink below what is in use (409), and what is in use
//!   does not change with the size;
//! - metrics and network metrics are made up but deterministic: they follow from the project id, the
//!   period and the running instances only. A stopped project has zero figures (and `instances` 0); a
//!   worker serves no HTTP, so its request figures are zero. The request series has 12 equal slots
//!   ending now; the status codes sum to the requests total;
//! - logs are generated: a line on each 10-second mark of sandbox time after the project was
//!   created or last resumed, until now or until it was stopped, mostly `info` with a
//!   fixed pattern of `warn` and `error`, plus an `info` line for each deployment; `limit` (1 to
//!   1000, default 100) keeps the latest lines, `level` keeps one level; both filters apply
//!   together, and the lines come oldest first;
//! - every change sets the project's `updated_at`; the seeded projects were created at
//!   2026-01-15T10:00:00Z.

mod deploys;
mod envs;
mod logs;
mod metrics;
mod plans;
mod projects;

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::ops::RangeInclusive;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{FromRequestParts, Path};
use axum::routing::{get, patch, post, MethodRouter};
use axum::{Json, Router};
use http::header::RETRY_AFTER;
use http::request::Parts;
use http::StatusCode;

use crate::body::{integer_field, object, string_field, Params};
use crate::credentials::{
    ZENIFRA_ALLOWLISTED_KEY, ZENIFRA_ORGANIZATION_ID, ZENIFRA_ORG_KEY, ZENIFRA_OTHER_ORGANIZATION_ID,
    ZENIFRA_OTHER_PROJECT_ID, ZENIFRA_PROJECT_KEY, ZENIFRA_READ_ONLY_KEY, ZENIFRA_WEB_PROJECT_ID,
    ZENIFRA_WORKER_PROJECT_ID, ZENIFRA_WORKER_PROJECT_KEY,
};
use crate::rate::Limiter;
use crate::{lock, presented_key, ApiError, PeerIp, Shared};

/// The path of one project; its operations live below it.
const PROJECT_PATH: &str = "/zenifra/v1/project/{id}";
/// The header that names the active organization.
const ORGANIZATION_HEADER: &str = "x-organization-id";
/// Requests each project (or, for the project list, each key) may make per [`RATE_WINDOW`].
const RATE_LIMIT: usize = 100;
/// The window of the rate limit.
const RATE_WINDOW: Duration = Duration::from_secs(60);
/// When the seeded projects were created: 2026-01-15T10:00:00Z, fixed so seeded timestamps are too.
const SEEDED_AT: u64 = 1_768_471_200;
/// The registry of the seeded images and of branch deploys.
const REGISTRY: &str = "registry.zenifra.dev";
/// The code of every refused body or query.
const INVALID_REQUEST: &str = "invalid_request";

/// What an organization key may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Permission {
    Read,
    Write,
    Deploy,
    Billing,
}

impl Permission {
    fn name(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Deploy => "deploy",
            Self::Billing => "billing",
        }
    }
}

const EVERY_PERMISSION: &[Permission] = &[Permission::Read, Permission::Write, Permission::Deploy, Permission::Billing];

/// A sandbox key: its organization, the one project it is limited to (project keys), what it may do
/// and where it may call from (no allowlist: anywhere).
#[derive(Debug)]
struct Key {
    secret: &'static str,
    organization: &'static str,
    project: Option<&'static str>,
    permissions: &'static [Permission],
    allowed_ips: &'static [&'static str],
}

impl Key {
    fn sees(&self, project: &ProjectRecord) -> bool {
        project.organization_id == self.organization && self.project.is_none_or(|own| own == project.id)
    }

    fn require(&self, needs: Permission) -> Result<(), ApiError> {
        if self.permissions.contains(&needs) {
            return Ok(());
        }
        let message = format!("this API key lacks the {} permission", needs.name());
        Err(ApiError::coded(StatusCode::FORBIDDEN, "insufficient_permissions", message))
    }
}

/// Every key the emulation accepts: three organization keys of `org_sandbox`, then the project keys
/// of `web` and `worker` (which belong to their projects' organization).
const KEYS: &[Key] = &[
    Key {
        secret: ZENIFRA_ORG_KEY,
        organization: ZENIFRA_ORGANIZATION_ID,
        project: None,
        permissions: EVERY_PERMISSION,
        allowed_ips: &[],
    },
    Key {
        secret: ZENIFRA_READ_ONLY_KEY,
        organization: ZENIFRA_ORGANIZATION_ID,
        project: None,
        permissions: &[Permission::Read],
        allowed_ips: &[],
    },
    Key {
        secret: ZENIFRA_ALLOWLISTED_KEY,
        organization: ZENIFRA_ORGANIZATION_ID,
        project: None,
        permissions: EVERY_PERMISSION,
        allowed_ips: &["203.0.113.10", "2001:db8::10"],
    },
    Key {
        secret: ZENIFRA_PROJECT_KEY,
        organization: ZENIFRA_ORGANIZATION_ID,
        project: Some(ZENIFRA_WEB_PROJECT_ID),
        permissions: EVERY_PERMISSION,
        allowed_ips: &[],
    },
    Key {
        secret: ZENIFRA_WORKER_PROJECT_KEY,
        organization: ZENIFRA_ORGANIZATION_ID,
        project: Some(ZENIFRA_WORKER_PROJECT_ID),
        permissions: EVERY_PERMISSION,
        allowed_ips: &[],
    },
];

/// Whether `ip` may call with a key whose allowlist is `allowed`: an empty list lets every address
/// through; otherwise `ip` must equal one of its literal addresses.
fn ip_allowed(allowed: &[&str], ip: IpAddr) -> bool {
    let ip = ip.to_canonical();
    allowed.is_empty() || allowed.iter().any(|entry| entry.parse::<IpAddr>().is_ok_and(|listed| listed == ip))
}

/// What a project runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ProjectType {
    /// A service answering HTTP.
    Http,
    /// A background worker: it serves no HTTP.
    Worker,
}

impl ProjectType {
    const ALL: [ProjectType; 2] = [ProjectType::Http, ProjectType::Worker];

    /// The wire value, also the list's `type` filter.
    fn as_str(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Worker => "worker",
        }
    }
}

/// A billing plan; it caps instances and storage (see `plans::PLANS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Plan {
    Free,
    Starter,
    Pro,
    Business,
}

impl Plan {
    /// The wire value.
    fn as_str(self) -> &'static str {
        match self {
            Self::Free => "free",
            Self::Starter => "starter",
            Self::Pro => "pro",
            Self::Business => "business",
        }
    }
}

/// Everything the Zenifra emulation holds.
#[derive(Debug)]
pub(crate) struct Store {
    /// Projects in creation order.
    projects: Vec<ProjectRecord>,
    /// Deployments recorded so far, for the ids `dep_<n>`.
    deployments: u64,
    /// Requests per project (or key, for the list), for the rate limit.
    pub(crate) rate: Limiter,
}

/// One project and everything that belongs to it.
#[derive(Debug)]
struct ProjectRecord {
    id: String,
    name: String,
    description: Option<String>,
    kind: ProjectType,
    plan: Plan,
    image: Option<String>,
    branch: Option<String>,
    domain: Option<String>,
    instances: u32,
    storage_gb: u32,
    /// Storage in use: it follows the data, not the size.
    used_gb: f64,
    organization_id: String,
    envs: BTreeMap<String, String>,
    created_at: SystemTime,
    updated_at: SystemTime,
    /// When it was created or last resumed: its logs start there.
    started_at: SystemTime,
    /// When it was stopped, while it is stopped.
    stopped_at: Option<SystemTime>,
    /// Oldest first.
    deployments: Vec<DeploymentRecord>,
}

/// An image update or a branch deploy.
#[derive(Debug)]
struct DeploymentRecord {
    id: String,
    image: String,
    branch: Option<String>,
    created_at: SystemTime,
}

impl Default for Store {
    /// The seeded projects: `web` (running, starter) and `worker` (stopped, free) of `org_sandbox`,
    /// and `billing` (running, pro) of `org_other`.
    fn default() -> Self {
        let seeded = UNIX_EPOCH + Duration::from_secs(SEEDED_AT);
        let image = |name: &str| Some(format!("{REGISTRY}/{name}"));
        let web = ProjectRecord {
            description: Some("The storefront".to_owned()),
            image: image("web:1.0.0"),
            branch: Some("main".to_owned()),
            domain: Some("web.example.com".to_owned()),
            storage_gb: 5,
            used_gb: 1.75,
            envs: [("NODE_ENV", "production"), ("LOG_LEVEL", "info")]
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .into(),
            deployments: vec![DeploymentRecord {
                id: "dep_1".to_owned(),
                image: format!("{REGISTRY}/web:1.0.0"),
                branch: Some("main".to_owned()),
                created_at: seeded,
            }],
            ..ProjectRecord::seeded(ZENIFRA_WEB_PROJECT_ID, "web", ProjectType::Http, Plan::Starter, seeded)
        };
        let worker = ProjectRecord {
            image: image("worker:0.3.1"),
            used_gb: 0.2,
            stopped_at: Some(seeded),
            ..ProjectRecord::seeded(ZENIFRA_WORKER_PROJECT_ID, "worker", ProjectType::Worker, Plan::Free, seeded)
        };
        let billing = ProjectRecord {
            image: image("billing:2.4.0"),
            domain: Some("billing.example.org".to_owned()),
            instances: 2,
            storage_gb: 20,
            used_gb: 12.4,
            organization_id: ZENIFRA_OTHER_ORGANIZATION_ID.to_owned(),
            ..ProjectRecord::seeded(ZENIFRA_OTHER_PROJECT_ID, "billing", ProjectType::Http, Plan::Pro, seeded)
        };
        Self { projects: vec![web, worker, billing], deployments: 1, rate: Limiter::default() }
    }
}

impl Store {
    /// Counts a request against `bucket`; 429 past the limit.
    fn count(&mut self, bucket: &str, now: SystemTime) -> Result<(), ApiError> {
        self.rate.hit(bucket, now, RATE_LIMIT, RATE_WINDOW).map_err(|wait| {
            let message = format!("rate limit of {RATE_LIMIT} requests per minute exceeded");
            ApiError::coded(StatusCode::TOO_MANY_REQUESTS, "rate_limited", message).with_header(RETRY_AFTER, wait)
        })
    }

    /// The index of project `id` once `key` passes the rate limit, may reach the project and holds
    /// `needs`.
    fn admit(&mut self, key: &Key, id: &str, needs: Permission, now: SystemTime) -> Result<usize, ApiError> {
        self.count(&format!("project:{id}"), now)?;
        if key.project.is_some_and(|own| own != id) {
            return Err(forbidden("this API key belongs to another project"));
        }
        let index = self
            .projects
            .iter()
            .position(|project| project.id == id && key.sees(project))
            .ok_or_else(|| ApiError::coded(StatusCode::NOT_FOUND, "not_found", "project not found"))?;
        key.require(needs)?;
        Ok(index)
    }
}

impl ProjectRecord {
    /// A running project with one instance, 1 GB of storage and nothing else, created at `at`.
    fn seeded(id: &str, name: &str, kind: ProjectType, plan: Plan, at: SystemTime) -> Self {
        Self {
            id: id.to_owned(),
            name: name.to_owned(),
            description: None,
            kind,
            plan,
            image: None,
            branch: None,
            domain: None,
            instances: 1,
            storage_gb: 1,
            used_gb: 0.0,
            organization_id: ZENIFRA_ORGANIZATION_ID.to_owned(),
            envs: BTreeMap::new(),
            created_at: at,
            updated_at: at,
            started_at: at,
            stopped_at: None,
            deployments: Vec::new(),
        }
    }

    /// Records a change at `now`.
    fn touch(&mut self, now: SystemTime) -> &mut Self {
        self.updated_at = now;
        self
    }
}

/// The Zenifra routes: each path the emulation serves, with its methods.
pub(crate) fn routes() -> Vec<(String, MethodRouter<Arc<Shared>>)> {
    let path = |rest: &str| format!("{PROJECT_PATH}{rest}");
    vec![
        ("/zenifra/v1/project".to_owned(), get(projects::list_projects)),
        (PROJECT_PATH.to_owned(), get(projects::get_project)),
        (path("/name"), patch(projects::update_name)),
        (path("/description"), patch(projects::update_description)),
        (path("/image"), patch(deploys::update_image)),
        (path("/deploy"), post(deploys::deploy_branch)),
        (path("/envs"), get(envs::get_envs).patch(envs::update_envs)),
        (path("/domain"), patch(projects::update_domain)),
        (path("/stop"), patch(projects::stop_project)),
        (path("/resume"), patch(projects::resume_project)),
        (path("/instances"), get(plans::get_instances).patch(plans::update_instances)),
        (path("/historic/deployments"), get(deploys::list_deployments)),
        (path("/metrics"), get(metrics::get_metrics)),
        (path("/logs"), get(logs::get_logs)),
        (path("/metrics/network/requests"), get(metrics::network_requests)),
        (path("/metrics/network/status-codes"), get(metrics::network_status_codes)),
        (path("/metrics/network/latency"), get(metrics::network_latency)),
        (path("/metrics/network/top-paths"), get(metrics::network_top_paths)),
        (path("/plan"), patch(plans::change_plan)),
        (path("/storage/size"), patch(plans::update_storage_size)),
        (path("/storage/usage"), get(plans::get_storage_usage)),
    ]
}

/// The Zenifra routes.
pub(crate) fn router() -> Router<Arc<Shared>> {
    crate::route_all(routes())
}

/// The key of a request that passed the key (401), IP allowlist (403) and organization (403) checks.
struct Caller(&'static Key);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let key = presented_key(&parts.headers)
            .and_then(|presented| KEYS.iter().find(|key| key.secret == presented))
            .ok_or_else(|| {
            ApiError::coded(StatusCode::UNAUTHORIZED, "unauthorized", "invalid or missing API key")
        })?;
        let peer = parts.extensions.get::<PeerIp>().map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |peer| peer.0);
        if !ip_allowed(key.allowed_ips, peer) {
            return Err(forbidden(format!("source IP {} is not allowed for this API key", peer.to_canonical())));
        }
        let asked = parts.headers.get(ORGANIZATION_HEADER);
        if asked.is_some_and(|asked| asked.to_str().ok().map(str::trim) != Some(key.organization)) {
            return Err(forbidden("x-organization-id does not match the API key's organization"));
        }
        Ok(Caller(key))
    }
}

/// A call on one project: the sandbox, the caller's key and the project id of the path.
struct ProjectCall {
    shared: Arc<Shared>,
    key: &'static Key,
    id: String,
}

impl FromRequestParts<Arc<Shared>> for ProjectCall {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, shared: &Arc<Shared>) -> Result<Self, ApiError> {
        let Caller(key) = Caller::from_request_parts(parts, shared).await?;
        let Path(id) = Path::<String>::from_request_parts(parts, shared)
            .await
            .map_err(|rejection| bad_request(rejection.body_text()))?;
        Ok(Self { shared: shared.clone(), key, id })
    }
}

type Reply<T> = Result<Json<T>, ApiError>;

impl ProjectCall {
    /// Admits the call with `needs`, then runs `act` under the store's lock with the project's index.
    fn on_store<T>(
        &self,
        needs: Permission,
        act: impl FnOnce(&mut Store, usize, SystemTime) -> Result<T, ApiError>,
    ) -> Reply<T> {
        let now = self.shared.clock.now();
        let mut store = lock(&self.shared.zenifra);
        let index = store.admit(self.key, &self.id, needs, now)?;
        act(&mut store, index, now).map(Json)
    }

    /// Admits the call with `needs`, then runs `act` on the project.
    fn on<T>(
        &self,
        needs: Permission,
        act: impl FnOnce(&mut ProjectRecord, SystemTime) -> Result<T, ApiError>,
    ) -> Reply<T> {
        self.on_store(needs, |store, index, now| act(&mut store.projects[index], now))
    }
}

/// What Zenifra reads from a query: page sizes and log limits.
impl Params {
    /// A whole number within `range`, `default` when absent.
    fn number(&self, name: &str, default: u32, range: RangeInclusive<u32>) -> Result<u32, ApiError> {
        let Some(text) = self.get(name) else { return Ok(default) };
        text.parse()
            .ok()
            .filter(|number| range.contains(number))
            .ok_or_else(|| bad_request(format!("{name}: must be between {} and {}", range.start(), range.end())))
    }
}

fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::coded(StatusCode::BAD_REQUEST, INVALID_REQUEST, message)
}

/// A body helper's or check's refusal, in Zenifra's shape.
fn invalid(error: ApiError) -> ApiError {
    error.with_code(INVALID_REQUEST)
}

fn forbidden(message: impl Into<String>) -> ApiError {
    ApiError::coded(StatusCode::FORBIDDEN, "forbidden", message)
}

fn conflict(message: impl Into<String>) -> ApiError {
    ApiError::coded(StatusCode::CONFLICT, "invalid_state", message)
}

/// A string field the body must have (it may be empty).
fn text_field(body: &[u8], field: &str) -> Result<String, ApiError> {
    string_field(&object(body).map_err(invalid)?, field)
        .map_err(invalid)?
        .ok_or_else(|| bad_request(format!("{field}: is required")))
}

/// A whole number the body must have, from 1.
fn count_field(body: &[u8], field: &str) -> Result<u64, ApiError> {
    match integer_field(&object(body).map_err(invalid)?, field).map_err(invalid)? {
        None => Err(bad_request(format!("{field}: is required"))),
        Some(0) => Err(bad_request(format!("{field}: must be at least 1"))),
        Some(count) => Ok(count),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `SEEDED_AT` plus `secs`.
    pub(super) fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(SEEDED_AT + secs)
    }

    /// A deployment of the image `web:{id}`, made `created` seconds after the seeding.
    pub(super) fn deployment(id: &str, created: u64) -> DeploymentRecord {
        DeploymentRecord { id: id.to_owned(), image: format!("web:{id}"), branch: None, created_at: at(created) }
    }

    #[test]
    fn the_allowlist_holds_literal_addresses() {
        let allowed = &["203.0.113.10", "2001:db8::10", "198.51.100.0/24"];
        for ip in ["203.0.113.10", "2001:db8::10", "::ffff:203.0.113.10", "2001:0db8:0:0:0:0:0:0010"] {
            assert!(ip_allowed(allowed, ip.parse().unwrap()), "{ip}");
        }
        for ip in ["127.0.0.1", "::1", "203.0.113.11", "198.51.100.7"] {
            assert!(!ip_allowed(allowed, ip.parse().unwrap()), "{ip}");
        }
        assert!(ip_allowed(&[], "127.0.0.1".parse().unwrap()), "no allowlist: anywhere");
    }
}
