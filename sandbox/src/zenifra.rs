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

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::ops::RangeInclusive;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{FromRequestParts, Path, State};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use bytes::Bytes;
use http::header::RETRY_AFTER;
use http::request::Parts;
use http::StatusCode;
use serde_json::{Map, Value};
use zkit::zenifra::{
    DeployBranch, Deployment, DeploymentStatus, EnvVars, Instances, LatencyMetrics, LogEntry, Metrics, PathTraffic,
    Period, Plan, Project, ProjectPage, ProjectState, ProjectType, RequestMetrics, RequestPoint, StatusCodeMetrics,
    StatusCount, Storage, TopPaths, UpdateEnvs, UpdateImage, UpdateProjectName, MAX_LOG_LINES, MAX_PAGE_LIMIT,
};
use zkit::{validate, Input};

use crate::body::{integer_field, object, string_field, Params};
use crate::clock::rfc3339;
use crate::credentials::{
    ZENIFRA_ALLOWLISTED_KEY, ZENIFRA_ORGANIZATION_ID, ZENIFRA_ORG_KEY, ZENIFRA_OTHER_ORGANIZATION_ID,
    ZENIFRA_OTHER_PROJECT_ID, ZENIFRA_PROJECT_KEY, ZENIFRA_READ_ONLY_KEY, ZENIFRA_WEB_PROJECT_ID,
    ZENIFRA_WORKER_PROJECT_ID, ZENIFRA_WORKER_PROJECT_KEY,
};
use crate::rate::Buckets;
use crate::{lock, presented_key, ApiError, PeerIp, Shared};

/// The path of one project; its operations live below it.
const PROJECT_PATH: &str = "/zenifra/v1/project/{id}";
/// The header that names the active organization.
const ORGANIZATION_HEADER: &str = "x-organization-id";
/// Requests each project (or, for the project list, each key) may make per [`RATE_WINDOW`].
const RATE_LIMIT: usize = 100;
/// The window of the rate limit.
const RATE_WINDOW: Duration = Duration::from_secs(60);
/// How long a deployment builds before it goes live.
const BUILD_TIME: Duration = Duration::from_secs(30);
/// Projects per page when the list asks for no `limit`.
const DEFAULT_PAGE_LIMIT: u32 = 15;
/// Log lines answered when the call asks for no `limit`.
const DEFAULT_LOG_LINES: u32 = 100;
/// Seconds between two generated log lines.
const LOG_INTERVAL: u64 = 10;
/// Slots in a request series.
const SERIES_SLOTS: u32 = 12;
/// When the seeded projects were created: 2026-01-15T10:00:00Z, fixed so seeded timestamps are too.
const SEEDED_AT: u64 = 1_768_471_200;
/// The registry of the seeded images and of branch deploys.
const REGISTRY: &str = "registry.zenifra.dev";
/// The code of every refused body or query.
const INVALID_REQUEST: &str = "invalid_request";
/// The levels of log lines, as the `level` filter names them.
const LEVELS: [&str; 3] = ["info", "warn", "error"];

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

/// What a plan allows.
#[derive(Debug)]
struct PlanCaps {
    plan: Plan,
    instances: u32,
    storage_gb: u32,
}

const PLANS: [PlanCaps; 4] = [
    PlanCaps { plan: Plan::Free, instances: 1, storage_gb: 1 },
    PlanCaps { plan: Plan::Starter, instances: 3, storage_gb: 10 },
    PlanCaps { plan: Plan::Pro, instances: 10, storage_gb: 100 },
    PlanCaps { plan: Plan::Business, instances: 50, storage_gb: 1000 },
];

/// The periods metrics cover, with their length.
const PERIODS: [(Period, Duration); 4] = [
    (Period::Hour, Duration::from_secs(3600)),
    (Period::Day, Duration::from_secs(86_400)),
    (Period::Week, Duration::from_secs(7 * 86_400)),
    (Period::Month, Duration::from_secs(30 * 86_400)),
];

/// The paths of the made-up traffic: each one's share of the requests (percent) and how slow it is
/// next to the median.
const PATHS: [(&str, u64, f64); 5] = [
    ("/", 34, 1.0),
    ("/api/products", 26, 1.6),
    ("/checkout", 18, 2.8),
    ("/login", 12, 1.2),
    ("/static/app.js", 10, 0.3),
];

/// The statuses of the made-up traffic, with their share of the requests (percent); the last takes
/// what rounding leaves.
const STATUSES: [(u16, u64); 4] = [(200, 86), (304, 7), (404, 5), (500, 2)];

/// Everything the Zenifra emulation holds.
#[derive(Debug)]
pub(crate) struct Store {
    /// Projects in creation order.
    projects: Vec<ProjectRecord>,
    /// Deployments recorded so far, for the ids `dep_<n>`.
    deployments: u64,
    /// Requests per project (or key, for the list), for the rate limit.
    rate: Buckets,
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
        Self { projects: vec![web, worker, billing], deployments: 1, rate: Buckets::default() }
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

    /// Records a deployment of `image` (from `branch`, for a branch deploy) on a project that runs.
    fn deploy(
        &mut self,
        index: usize,
        image: String,
        branch: Option<String>,
        now: SystemTime,
    ) -> Result<Deployment, ApiError> {
        let project = &mut self.projects[index];
        if project.stopped_at.is_some() {
            return Err(conflict("project is stopped; resume it first"));
        }
        self.deployments += 1;
        let id = format!("dep_{}", self.deployments);
        project.deployments.push(DeploymentRecord {
            id,
            image: image.clone(),
            branch: branch.clone(),
            created_at: now,
        });
        project.image = Some(image);
        if branch.is_some() {
            project.branch = branch;
        }
        project.touch(now);
        Ok(project.deployment(project.deployments.len() - 1, now))
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

    fn state(&self, now: SystemTime) -> ProjectState {
        if self.stopped_at.is_some() {
            ProjectState::Stopped
        } else if self.deployments.last().is_some_and(|deployment| deployment.building(now)) {
            ProjectState::Deploying
        } else {
            ProjectState::Running
        }
    }

    fn view(&self, now: SystemTime) -> Project {
        Project {
            id: self.id.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            kind: Some(self.kind.clone()),
            state: self.state(now),
            image: self.image.clone(),
            branch: self.branch.clone(),
            domain: self.domain.clone(),
            plan: Some(self.plan.clone()),
            instances: Some(self.instances),
            storage_gb: Some(self.storage_gb),
            organization_id: Some(self.organization_id.clone()),
            created_at: Some(rfc3339(self.created_at)),
            updated_at: Some(rfc3339(self.updated_at)),
            extra: Map::new(),
        }
    }

    /// Records a change at `now`.
    fn touch(&mut self, now: SystemTime) -> &mut Self {
        self.updated_at = now;
        self
    }

    fn caps(&self) -> &'static PlanCaps {
        PLANS.iter().find(|caps| caps.plan == self.plan).unwrap_or(&PLANS[0])
    }

    fn envs(&self) -> EnvVars {
        EnvVars { envs: self.envs.clone(), extra: Map::new() }
    }

    fn instances(&self) -> Instances {
        Instances { count: self.instances, max: Some(self.caps().instances), extra: Map::new() }
    }

    fn storage(&self) -> Storage {
        Storage { size_gb: self.storage_gb, used_gb: self.used_gb, extra: Map::new() }
    }

    fn deployment(&self, index: usize, now: SystemTime) -> Deployment {
        let record = &self.deployments[index];
        Deployment {
            id: record.id.clone(),
            status: deployment_status(&self.deployments, index, now),
            image: Some(record.image.clone()),
            branch: record.branch.clone(),
            created_at: rfc3339(record.created_at),
            extra: Map::new(),
        }
    }

    /// What the project does over `period` (of `length`).
    fn activity(&self, period: Period, length: Duration) -> Activity {
        let seed = figure(&[&self.id, period.as_str()]);
        let instances = if self.stopped_at.is_some() { 0 } else { self.instances };
        let serves_http = instances > 0 && self.kind == ProjectType::Http;
        let slot = length / SERIES_SLOTS;
        let per_slot = if serves_http { u64::from(instances) * (600 + seed % 900) * slot.as_secs() / 3600 } else { 0 };
        // Each slot between 80 % and 120 % of the steady rate.
        let requests = (0..u64::from(SERIES_SLOTS)).map(|i| per_slot * (80 + (seed >> (i * 5)) % 41) / 100).collect();
        Activity { period, length, instances, requests, seed }
    }

    /// The latest `limit` log lines, of `level` only if given, oldest first.
    fn logs(&self, now: SystemTime, level: Option<&str>, limit: usize) -> Vec<LogEntry> {
        let wanted = |line: &LogEntry| level.is_none_or(|level| line.level == level);
        let first = seconds(self.started_at) / LOG_INTERVAL + 1;
        let last = seconds(self.stopped_at.unwrap_or(now)) / LOG_INTERVAL;
        let mut lines: Vec<LogEntry> = self.deployments.iter().map(DeploymentRecord::log_line).filter(wanted).collect();
        // Newest first: the generated lines left out are older than any taken.
        lines.extend((first..=last).rev().map(|mark| self.traffic_line(mark)).filter(wanted).take(limit));
        // RFC 3339 in UTC to the second: text order is time order. The sort is stable, so a
        // deployment comes before the generated line of its second.
        lines.sort_by(|a, b| a.timestamp.cmp(&b.timestamp));
        lines.split_off(lines.len().saturating_sub(limit))
    }

    /// The generated log line of the `mark`-th 10-second mark since the epoch.
    fn traffic_line(&self, mark: u64) -> LogEntry {
        let instance = format!("{}-{}", self.name, mark % u64::from(self.instances.max(1)) + 1);
        let (path, _, _) = PATHS[(mark % PATHS.len() as u64) as usize];
        let ms = 5 + mark * 7 % 90;
        let http = self.kind == ProjectType::Http;
        let (level, message) = match (mark + figure(&[&self.id])) % 20 {
            7 if http => ("error", format!("GET {path} 500 in {ms} ms: upstream timed out")),
            7 => ("error", format!("job {mark} failed: connection reset by peer")),
            3 | 13 if http => ("warn", format!("GET {path} 200 in {} ms (slow)", ms * 20)),
            3 | 13 => ("warn", format!("job {mark} retried after a timeout")),
            _ if http => ("info", format!("GET {path} 200 in {ms} ms")),
            _ => ("info", format!("job {mark} done in {ms} ms")),
        };
        log_entry(UNIX_EPOCH + Duration::from_secs(mark * LOG_INTERVAL), level, message, Some(instance))
    }
}

impl DeploymentRecord {
    fn building(&self, now: SystemTime) -> bool {
        now.duration_since(self.created_at).unwrap_or_default() < BUILD_TIME
    }

    fn log_line(&self) -> LogEntry {
        log_entry(self.created_at, "info", format!("deployment {} started: {}", self.id, self.image), None)
    }
}

/// The status of deployment `index` of `deployments` (oldest first): building for [`BUILD_TIME`];
/// then the newest of those built is live and the others superseded.
fn deployment_status(deployments: &[DeploymentRecord], index: usize, now: SystemTime) -> DeploymentStatus {
    if deployments[index].building(now) {
        DeploymentStatus::Building
    } else if deployments[index + 1..].iter().any(|later| !later.building(now)) {
        DeploymentStatus::Superseded
    } else {
        DeploymentStatus::Live
    }
}

fn log_entry(at: SystemTime, level: &str, message: String, instance: Option<String>) -> LogEntry {
    LogEntry { timestamp: rfc3339(at), level: level.to_owned(), message, instance, extra: Map::new() }
}

fn seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |since| since.as_secs())
}

/// A small, stable hash of `parts` (FNV-1a, each part ended by a zero byte), the seed of made-up
/// figures.
fn figure(parts: &[&str]) -> u64 {
    parts
        .iter()
        .flat_map(|part| part.bytes().chain([0]))
        .fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3))
}

/// `value` rounded to a tenth.
fn tenths(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// A project's made-up activity over a period, which every metric reads, so they agree.
struct Activity {
    period: Period,
    length: Duration,
    /// Instances running: 0 while stopped.
    instances: u32,
    /// Requests in each slot of the period, oldest first.
    requests: Vec<u64>,
    /// The seed of the other figures.
    seed: u64,
}

impl Activity {
    fn total(&self) -> u64 {
        self.requests.iter().sum()
    }

    /// The median response time, 18 to 57 ms; 0 without traffic.
    fn median_ms(&self) -> f64 {
        if self.total() == 0 {
            return 0.0;
        }
        (18 + self.seed % 40) as f64
    }

    fn metrics(&self) -> Metrics {
        let running = self.instances > 0;
        Metrics {
            period: self.period.clone(),
            cpu_percent: if running { tenths(8.0 + (self.seed % 500) as f64 / 10.0) } else { 0.0 },
            memory_mb: f64::from(self.instances) * (192 + self.seed / 7 % 320) as f64,
            requests: self.total(),
            instances: self.instances,
            extra: Map::new(),
        }
    }

    fn requests(&self, now: SystemTime) -> RequestMetrics {
        let start = now.checked_sub(self.length).unwrap_or(UNIX_EPOCH);
        let slot = self.length / SERIES_SLOTS;
        let series = (0..SERIES_SLOTS)
            .zip(&self.requests)
            .map(|(i, count)| RequestPoint { timestamp: rfc3339(start + slot * i), count: *count })
            .collect();
        RequestMetrics { period: self.period.clone(), total: self.total(), series, extra: Map::new() }
    }

    fn status_codes(&self) -> StatusCodeMetrics {
        let total = self.total();
        let mut left = total;
        let mut codes: Vec<StatusCount> = STATUSES
            .iter()
            .enumerate()
            .map(|(i, (status, percent))| {
                let count = if i + 1 == STATUSES.len() { left } else { total * percent / 100 };
                left -= count;
                StatusCount { status: *status, count }
            })
            .filter(|code| code.count > 0)
            .collect();
        codes.sort_by_key(|code| std::cmp::Reverse(code.count));
        StatusCodeMetrics { period: self.period.clone(), codes, extra: Map::new() }
    }

    fn latency(&self) -> LatencyMetrics {
        let median = self.median_ms();
        LatencyMetrics {
            period: self.period.clone(),
            p50_ms: median,
            p90_ms: tenths(median * 2.4),
            p99_ms: tenths(median * 5.5),
            extra: Map::new(),
        }
    }

    fn top_paths(&self) -> TopPaths {
        let (total, median) = (self.total(), self.median_ms());
        let paths = PATHS
            .iter()
            .map(|(path, percent, slowness)| PathTraffic {
                path: (*path).to_owned(),
                requests: total * percent / 100,
                p50_ms: Some(tenths(median * slowness)),
            })
            .filter(|path| path.requests > 0)
            .collect();
        TopPaths { period: self.period.clone(), paths, extra: Map::new() }
    }
}

/// The Zenifra routes.
pub(crate) fn router() -> Router<Arc<Shared>> {
    let path = |rest: &str| format!("{PROJECT_PATH}{rest}");
    Router::new()
        .route("/zenifra/v1/project", get(list_projects))
        .route(PROJECT_PATH, get(get_project))
        .route(&path("/name"), patch(update_name))
        .route(&path("/description"), patch(update_description))
        .route(&path("/image"), patch(update_image))
        .route(&path("/deploy"), post(deploy_branch))
        .route(&path("/envs"), get(get_envs).patch(update_envs))
        .route(&path("/domain"), patch(update_domain))
        .route(&path("/stop"), patch(stop_project))
        .route(&path("/resume"), patch(resume_project))
        .route(&path("/instances"), get(get_instances).patch(update_instances))
        .route(&path("/historic/deployments"), get(list_deployments))
        .route(&path("/metrics"), get(get_metrics))
        .route(&path("/logs"), get(get_logs))
        .route(&path("/metrics/network/requests"), get(network_requests))
        .route(&path("/metrics/network/status-codes"), get(network_status_codes))
        .route(&path("/metrics/network/latency"), get(network_latency))
        .route(&path("/metrics/network/top-paths"), get(network_top_paths))
        .route(&path("/plan"), patch(change_plan))
        .route(&path("/storage/size"), patch(update_storage_size))
        .route(&path("/storage/usage"), get(get_storage_usage))
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

/// What Zenifra reads from a query: page sizes and log limits, periods.
impl Params {
    /// A whole number within `range`, `default` when absent.
    fn number(&self, name: &str, default: u32, range: RangeInclusive<u32>) -> Result<u32, ApiError> {
        let Some(text) = self.get(name) else { return Ok(default) };
        text.parse()
            .ok()
            .filter(|number| range.contains(number))
            .ok_or_else(|| bad_request(format!("{name}: must be between {} and {}", range.start(), range.end())))
    }

    /// `period` with its length: the last hour when absent.
    fn period(&self) -> Result<(Period, Duration), ApiError> {
        let text = self.get("period").unwrap_or(Period::Hour.as_str());
        PERIODS
            .iter()
            .find(|(period, _)| period.as_str() == text)
            .cloned()
            .ok_or_else(|| bad_request(format!("period: must be 1h, 24h, 7d or 30d, not {text:?}")))
    }
}

fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::coded(StatusCode::BAD_REQUEST, INVALID_REQUEST, message)
}

/// A body helper's or core check's refusal, in Zenifra's shape.
fn invalid(error: impl Into<ApiError>) -> ApiError {
    error.into().with_code(INVALID_REQUEST)
}

fn forbidden(message: impl Into<String>) -> ApiError {
    ApiError::coded(StatusCode::FORBIDDEN, "forbidden", message)
}

fn conflict(message: impl Into<String>) -> ApiError {
    ApiError::coded(StatusCode::CONFLICT, "invalid_state", message)
}

/// `value` if the plan allows it (`cap` at most), else 402 with `message`.
fn within_plan(value: u64, cap: u32, message: String) -> Result<u32, ApiError> {
    u32::try_from(value)
        .ok()
        .filter(|value| *value <= cap)
        .ok_or_else(|| ApiError::coded(StatusCode::PAYMENT_REQUIRED, "plan_limit", message))
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

/// `input` if it passes the core's own checks (the same the clients run before sending).
fn checked<I: Input>(input: I) -> Result<I, ApiError> {
    input.validate().map_err(invalid)?;
    Ok(input)
}

/// `GET /project?type=&page=&limit=`: a page of the projects the key sees.
async fn list_projects(State(shared): State<Arc<Shared>>, Caller(key): Caller, params: Params) -> Reply<ProjectPage> {
    let now = shared.clock.now();
    let mut store = lock(&shared.zenifra);
    store.count(&format!("key:{}", key.secret), now)?;
    key.require(Permission::Read)?;
    let kind = match params.get("type") {
        None => None,
        Some(text) => Some(
            [ProjectType::Http, ProjectType::Worker]
                .into_iter()
                .find(|kind| kind.as_str() == text)
                .ok_or_else(|| bad_request("type: must be http or worker"))?,
        ),
    };
    let page = params.number("page", 1, 1..=u32::MAX)?;
    let limit = params.number("limit", DEFAULT_PAGE_LIMIT, 1..=MAX_PAGE_LIMIT)?;
    let matching: Vec<&ProjectRecord> = store
        .projects
        .iter()
        .filter(|project| key.sees(project) && kind.as_ref().is_none_or(|kind| project.kind == *kind))
        .collect();
    let skipped = (page as usize - 1).saturating_mul(limit as usize);
    let data = matching.iter().skip(skipped).take(limit as usize).map(|project| project.view(now)).collect();
    Ok(Json(ProjectPage { data, page, limit, total: matching.len() as u64, extra: Map::new() }))
}

/// `GET /project/{id}`.
async fn get_project(call: ProjectCall) -> Reply<Project> {
    call.on(Permission::Read, |project, now| Ok(project.view(now)))
}

/// `PATCH /project/{id}/name {"name"}`.
async fn update_name(call: ProjectCall, body: Bytes) -> Reply<Project> {
    call.on(Permission::Write, |project, now| {
        project.name = checked(UpdateProjectName::new(&project.id, text_field(&body, "name")?))?.name;
        Ok(project.touch(now).view(now))
    })
}

/// `PATCH /project/{id}/description {"description"}`: an empty one clears it.
async fn update_description(call: ProjectCall, body: Bytes) -> Reply<Project> {
    call.on(Permission::Write, |project, now| {
        let description = text_field(&body, "description")?;
        project.description = Some(description).filter(|description| !description.is_empty());
        Ok(project.touch(now).view(now))
    })
}

/// `PATCH /project/{id}/image {"image"}`: deploys the image.
async fn update_image(call: ProjectCall, body: Bytes) -> Reply<Deployment> {
    call.on_store(Permission::Deploy, |store, index, now| {
        let image = checked(UpdateImage::new(&call.id, text_field(&body, "image")?))?.image;
        store.deploy(index, image, None, now)
    })
}

/// `POST /project/{id}/deploy {"branch"}`: deploys the branch's image.
async fn deploy_branch(call: ProjectCall, body: Bytes) -> Reply<Deployment> {
    call.on_store(Permission::Deploy, |store, index, now| {
        let branch = checked(DeployBranch::new(&call.id, text_field(&body, "branch")?))?.branch;
        let image = format!("{REGISTRY}/{}:{branch}", store.projects[index].name);
        store.deploy(index, image, Some(branch), now)
    })
}

/// `GET /project/{id}/envs`.
async fn get_envs(call: ProjectCall) -> Reply<EnvVars> {
    call.on(Permission::Read, |project, _| Ok(project.envs()))
}

/// `PATCH /project/{id}/envs {"envs": {name: value}, "unset": [name]}`: sets and removes, answers all.
async fn update_envs(call: ProjectCall, body: Bytes) -> Reply<EnvVars> {
    call.on(Permission::Write, |project, now| {
        let mut map = object(&body).map_err(invalid)?;
        map.insert("id".to_owned(), Value::String(project.id.clone()));
        let change: UpdateEnvs =
            serde_json::from_value(Value::Object(map)).map_err(|e| bad_request(format!("envs: {e}")))?;
        let change = checked(change)?;
        for name in &change.unset {
            project.envs.remove(name);
        }
        project.envs.extend(change.envs);
        Ok(project.touch(now).envs())
    })
}

/// `PATCH /project/{id}/domain {"domain"}`.
async fn update_domain(call: ProjectCall, body: Bytes) -> Reply<Project> {
    call.on_store(Permission::Write, |store, index, now| {
        let domain = validate::domain_name("domain", &text_field(&body, "domain")?).map_err(invalid)?.join(".");
        let taken =
            store.projects.iter().enumerate().any(|(i, other)| i != index && other.domain.as_ref() == Some(&domain));
        if taken {
            return Err(conflict("domain is already used by another project"));
        }
        let project = &mut store.projects[index];
        project.domain = Some(domain);
        Ok(project.touch(now).view(now))
    })
}

/// `PATCH /project/{id}/stop`: any body is ignored.
async fn stop_project(call: ProjectCall) -> Reply<Project> {
    call.on(Permission::Write, |project, now| {
        if project.stopped_at.is_some() {
            return Err(conflict("project is already stopped"));
        }
        project.stopped_at = Some(now);
        Ok(project.touch(now).view(now))
    })
}

/// `PATCH /project/{id}/resume`: any body is ignored.
async fn resume_project(call: ProjectCall) -> Reply<Project> {
    call.on(Permission::Write, |project, now| {
        if project.stopped_at.is_none() {
            return Err(conflict("project is already running"));
        }
        project.stopped_at = None;
        project.started_at = now;
        Ok(project.touch(now).view(now))
    })
}

/// `GET /project/{id}/instances`.
async fn get_instances(call: ProjectCall) -> Reply<Instances> {
    call.on(Permission::Read, |project, _| Ok(project.instances()))
}

/// `PATCH /project/{id}/instances {"count"}`.
async fn update_instances(call: ProjectCall, body: Bytes) -> Reply<Instances> {
    call.on(Permission::Write, |project, now| {
        let count = count_field(&body, "count")?;
        let caps = project.caps();
        let plural = if caps.instances == 1 { "" } else { "s" };
        let refusal = format!("the {} plan allows at most {} instance{plural}", caps.plan, caps.instances);
        project.instances = within_plan(count, caps.instances, refusal)?;
        Ok(project.touch(now).instances())
    })
}

/// `GET /project/{id}/historic/deployments`: newest first.
async fn list_deployments(call: ProjectCall) -> Reply<Vec<Deployment>> {
    call.on(Permission::Read, |project, now| {
        Ok((0..project.deployments.len()).rev().map(|index| project.deployment(index, now)).collect())
    })
}

/// Answers what `read` takes from the project's activity over the query's period.
fn over_period<T>(call: &ProjectCall, params: &Params, read: impl FnOnce(&Activity, SystemTime) -> T) -> Reply<T> {
    call.on(Permission::Read, |project, now| {
        let (period, length) = params.period()?;
        Ok(read(&project.activity(period, length), now))
    })
}

/// `GET /project/{id}/metrics?period=`.
async fn get_metrics(call: ProjectCall, params: Params) -> Reply<Metrics> {
    over_period(&call, &params, |activity, _| activity.metrics())
}

/// `GET /project/{id}/logs?limit=&level=`.
async fn get_logs(call: ProjectCall, params: Params) -> Reply<Vec<LogEntry>> {
    call.on(Permission::Read, |project, now| {
        let limit = params.number("limit", DEFAULT_LOG_LINES, 1..=MAX_LOG_LINES)?;
        let level = match params.get("level") {
            Some(level) if !LEVELS.contains(&level) => return Err(bad_request("level: must be info, warn or error")),
            level => level,
        };
        Ok(project.logs(now, level, limit as usize))
    })
}

/// `GET /project/{id}/metrics/network/requests?period=`.
async fn network_requests(call: ProjectCall, params: Params) -> Reply<RequestMetrics> {
    over_period(&call, &params, Activity::requests)
}

/// `GET /project/{id}/metrics/network/status-codes?period=`.
async fn network_status_codes(call: ProjectCall, params: Params) -> Reply<StatusCodeMetrics> {
    over_period(&call, &params, |activity, _| activity.status_codes())
}

/// `GET /project/{id}/metrics/network/latency?period=`.
async fn network_latency(call: ProjectCall, params: Params) -> Reply<LatencyMetrics> {
    over_period(&call, &params, |activity, _| activity.latency())
}

/// `GET /project/{id}/metrics/network/top-paths?period=`.
async fn network_top_paths(call: ProjectCall, params: Params) -> Reply<TopPaths> {
    over_period(&call, &params, |activity, _| activity.top_paths())
}

/// `PATCH /project/{id}/plan {"plan"}`.
async fn change_plan(call: ProjectCall, body: Bytes) -> Reply<Project> {
    call.on(Permission::Billing, |project, now| {
        let name = text_field(&body, "plan")?;
        let caps = PLANS
            .iter()
            .find(|caps| caps.plan.as_str() == name)
            .ok_or_else(|| bad_request("plan: must be free, starter, pro or business"))?;
        if project.instances > caps.instances {
            return Err(conflict(format!(
                "scale instances to at most {} before moving to the {} plan",
                caps.instances, caps.plan
            )));
        }
        if project.storage_gb > caps.storage_gb {
            return Err(conflict(format!(
                "shrink storage to at most {} GB before moving to the {} plan",
                caps.storage_gb, caps.plan
            )));
        }
        project.plan = caps.plan.clone();
        Ok(project.touch(now).view(now))
    })
}

/// `PATCH /project/{id}/storage/size {"size_gb"}`.
async fn update_storage_size(call: ProjectCall, body: Bytes) -> Reply<Storage> {
    call.on(Permission::Write, |project, now| {
        let size = count_field(&body, "size_gb")?;
        let caps = project.caps();
        let refusal = format!("the {} plan allows at most {} GB of storage", caps.plan, caps.storage_gb);
        let size = within_plan(size, caps.storage_gb, refusal)?;
        if f64::from(size) < project.used_gb {
            return Err(conflict(format!("{} GB of storage is in use; the size cannot go below it", project.used_gb)));
        }
        project.storage_gb = size;
        Ok(project.touch(now).storage())
    })
}

/// `GET /project/{id}/storage/usage`.
async fn get_storage_usage(call: ProjectCall) -> Reply<Storage> {
    call.on(Permission::Read, |project, _| Ok(project.storage()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(SEEDED_AT + secs)
    }

    fn deployment(id: &str, created: u64) -> DeploymentRecord {
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

    #[test]
    fn deployments_build_then_go_live_and_are_superseded() {
        let deployments = [deployment("dep_1", 0), deployment("dep_2", 100)];
        let statuses = |now: u64| -> Vec<DeploymentStatus> {
            (0..deployments.len()).map(|i| deployment_status(&deployments, i, at(now))).collect()
        };
        use DeploymentStatus::{Building, Live, Superseded};
        assert_eq!(statuses(10), [Building, Building]);
        assert_eq!(statuses(30), [Live, Building]);
        assert_eq!(statuses(129), [Live, Building], "the old one serves while the new one builds");
        assert_eq!(statuses(130), [Superseded, Live]);
        assert_eq!(statuses(100_000), [Superseded, Live]);
    }

    #[test]
    fn state_follows_the_last_deployment_and_stops() {
        let mut store = Store::default();
        let web = &mut store.projects[0];
        assert_eq!(web.state(at(1)), ProjectState::Deploying);
        assert_eq!(web.state(at(30)), ProjectState::Running);
        web.deployments.push(deployment("dep_2", 100));
        assert_eq!(web.state(at(110)), ProjectState::Deploying);
        web.stopped_at = Some(at(120));
        assert_eq!(web.state(at(125)), ProjectState::Stopped);
        assert_eq!(store.projects[1].state(at(0)), ProjectState::Stopped);
    }

    #[test]
    fn logs_are_the_latest_lines_oldest_first() {
        let store = Store::default();
        let web = &store.projects[0];
        let now = at(3600);
        let lines = web.logs(now, None, 50);
        assert_eq!(lines.len(), 50);
        assert_eq!(lines.last().unwrap().timestamp, rfc3339(now));
        assert!(lines.windows(2).all(|pair| pair[0].timestamp < pair[1].timestamp));
        assert_eq!(web.logs(now, None, 50), lines, "the same lines for the same moment");
        assert!(lines.iter().all(|line| line.instance.as_deref() == Some("web-1")));
        let levels: Vec<&str> = lines.iter().map(|line| line.level.as_str()).collect();
        assert!(levels.contains(&"warn") && levels.contains(&"error"), "{levels:?}");
        assert!(levels.iter().filter(|level| **level == "info").count() > 35, "mostly info: {levels:?}");

        let errors = web.logs(now, Some("error"), 1000);
        assert!(!errors.is_empty() && errors.iter().all(|line| line.level == "error"));
        // Since the seeding: the first line is the seeded deployment's.
        let all = web.logs(at(60), None, 1000);
        assert_eq!(all[0].message, "deployment dep_1 started: registry.zenifra.dev/web:1.0.0");
        assert_eq!(all.len(), 1 + 6, "the deployment, then a line at 10, 20, … 60 s");
        assert!(store.projects[1].logs(now, None, 100).is_empty(), "the worker never ran");
    }

    #[test]
    fn metrics_agree_with_each_other() {
        let store = Store::default();
        let web = &store.projects[0];
        for (period, length) in PERIODS {
            let activity = web.activity(period.clone(), length);
            let total = activity.total();
            assert!(total > 0);
            assert_eq!(activity.metrics().requests, total);
            let codes = activity.status_codes().codes;
            assert_eq!(codes.iter().map(|code| code.count).sum::<u64>(), total);
            assert!(codes.windows(2).all(|pair| pair[0].count >= pair[1].count));
            let latency = activity.latency();
            assert!(latency.p50_ms <= latency.p90_ms && latency.p90_ms <= latency.p99_ms);
            let paths = activity.top_paths().paths;
            assert!(paths.windows(2).all(|pair| pair[0].requests >= pair[1].requests));
            assert!(paths.iter().map(|path| path.requests).sum::<u64>() <= total);
            assert_eq!(activity.requests(at(0)).series.len(), SERIES_SLOTS as usize);
        }
        let stopped = store.projects[1].activity(Period::Hour, PERIODS[0].1);
        assert_eq!((stopped.total(), stopped.metrics().cpu_percent, stopped.instances), (0, 0.0, 0));
        assert!(stopped.status_codes().codes.is_empty() && stopped.top_paths().paths.is_empty());
    }
}
