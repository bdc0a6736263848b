//! Zenifra: project hosting. A project's status and settings, image and branch deploys, environment
//! variables, domain, stop and resume, instances, deploy history, metrics, logs, network metrics, plan
//! and storage.
//!
//! Two kinds of key work: a project key (sent as `x-api-key`, it reaches its own project only) and an
//! organization key (`znf_…`, sent as `Authorization: Bearer`, as Zenifra prefers). The organization
//! id, when known, goes with every call as `x-organization-id`.
//!
//! ```no_run
//! # async fn run() -> zkit::Result<()> {
//! use zkit::zenifra::{UpdateInstances, Zenifra};
//!
//! // ZENIFRA_API_KEY, optional ZENIFRA_ORGANIZATION_ID and ZENIFRA_BASE_URL
//! let zenifra = Zenifra::from_env()?;
//! let project = zenifra.get_project("507f1f77bcf86cd799439011").await?;
//! println!("{} is {}", project.name, project.state);
//! zenifra.update_instances(UpdateInstances::new(&project.id, 3)).await?;
//! # Ok(()) }
//! ```

mod inputs;
mod types;

pub use inputs::*;
pub use types::*;

use std::time::Duration;

use crate::api::{
    decode_error_body, whole_body, ApiProfile, AuthRule, AuthScheme, ContextHeader, RateClass, RateLimit,
};
use crate::config::ClientBuilder;

/// Organization keys start with this; they go as `Authorization: Bearer`.
pub const ORGANIZATION_KEY_PREFIX: &str = "znf_";

/// The Zenifra profile: project keys in `x-api-key`, organization keys as Bearer, `x-organization-id`
/// on every call once set, 100 requests a minute per project.
pub static PROFILE: ApiProfile = ApiProfile {
    name: "zenifra",
    env_prefix: "ZENIFRA",
    default_base_url: "https://api.zenifra.com/v1",
    auth: AuthRule {
        default: |key| {
            if key.starts_with(ORGANIZATION_KEY_PREFIX) {
                AuthScheme::Bearer
            } else {
                AuthScheme::Header("x-api-key")
            }
        },
        accepted: &[AuthScheme::Header("x-api-key"), AuthScheme::Bearer],
    },
    context_headers: &[ContextHeader { setting: "organization_id", header: "x-organization-id" }],
    decode_error: decode_error_body,
    rate_limit,
    operations: || Zenifra::OPERATIONS,
    rate_scope,
    success_body: whole_body,
    login: None,
};

/// Errors are `{"error": {"code", "message"}}`; a success is the data itself.
#[cfg(feature = "schema")]
impl Zenifra {
    pub(crate) const WIRE: crate::schema::Wire =
        crate::schema::Wire { error: crate::schema::coded_error, envelope: None };
}

/// Every call counts against its project's 100 requests a minute, whatever it does.
fn rate_limit(_: RateClass) -> Option<RateLimit> {
    Some(RateLimit { requests: 100, per: Duration::from_secs(60), bucket: "project", per_endpoint: false })
}

/// `/project/{id}/…` counts against project `id`; the project list against the client.
fn rate_scope(path: &str) -> Option<&str> {
    let mut segments = path.trim_start_matches('/').split('/');
    (segments.next() == Some("project")).then(|| segments.next()).flatten().filter(|id| !id.is_empty())
}

crate::api_client! {
    /// A Zenifra client. Cheap to clone; clones share connections and the rate limiter.
    Zenifra, PROFILE, "`ZENIFRA_API_KEY`, `ZENIFRA_ORGANIZATION_ID` and `ZENIFRA_BASE_URL`"
}

impl ClientBuilder<Zenifra> {
    /// The active organization, sent as `x-organization-id` on every call (also read from
    /// `ZENIFRA_ORGANIZATION_ID`).
    pub fn organization_id(self, id: impl Into<String>) -> Self {
        self.setting("organization_id", id)
    }
}

/// Zenifra's operation table: the single declaration each operation has. The core feeds it to
/// `declare_operations!`; bindings feed it to their own macros.
#[macro_export]
macro_rules! zenifra_operations {
    ($callback:path $(, $($extra:tt)*)?) => {
        $callback! {
            $($($extra)*)?
            api: $crate::zenifra::Zenifra,
            operations: [
                /// Lists the organization's projects, a page at a time (as the CLI's `projects` does).
                list_projects($crate::zenifra::ListProjects) -> $crate::zenifra::ProjectPage {
                    GET "/project", idempotent: true, rate: Read
                },
                /// Fetches a project: its state, image, domain, plan, instances and storage.
                get_project($crate::zenifra::GetProject) -> $crate::zenifra::Project {
                    GET "/project/{id}", idempotent: true, rate: Read
                },
                /// Renames a project.
                update_project_name($crate::zenifra::UpdateProjectName) -> $crate::zenifra::Project {
                    PATCH "/project/{id}/name", idempotent: true, rate: Write
                },
                /// Changes a project's description.
                update_project_description($crate::zenifra::UpdateProjectDescription) -> $crate::zenifra::Project {
                    PATCH "/project/{id}/description", idempotent: true, rate: Write
                },
                /// Deploys a new image; the deployment is recorded in the project's history.
                update_image($crate::zenifra::UpdateImage) -> $crate::zenifra::Deployment {
                    PATCH "/project/{id}/image", idempotent: false, rate: Write
                },
                /// Deploys a branch of the project's repository (as the CLI's `deploy --branch` does).
                deploy_branch($crate::zenifra::DeployBranch) -> $crate::zenifra::Deployment {
                    POST "/project/{id}/deploy", idempotent: false, rate: Write
                },
                /// Reads a project's environment variables.
                get_envs($crate::zenifra::GetEnvs) -> $crate::zenifra::EnvVars {
                    GET "/project/{id}/envs", idempotent: true, rate: Read
                },
                /// Sets and removes environment variables; the others stay as they are.
                update_envs($crate::zenifra::UpdateEnvs) -> $crate::zenifra::EnvVars {
                    PATCH "/project/{id}/envs", idempotent: true, rate: Write
                },
                /// Changes the project's domain.
                update_domain($crate::zenifra::UpdateDomain) -> $crate::zenifra::Project {
                    PATCH "/project/{id}/domain", idempotent: true, rate: Write
                },
                /// Stops a running project (a conflict if it is stopped already).
                stop_project($crate::zenifra::StopProject) -> $crate::zenifra::Project {
                    PATCH "/project/{id}/stop", idempotent: false, rate: Write
                },
                /// Resumes a stopped project (a conflict if it is running).
                resume_project($crate::zenifra::ResumeProject) -> $crate::zenifra::Project {
                    PATCH "/project/{id}/resume", idempotent: false, rate: Write
                },
                /// Reads how many instances the project runs, and its plan's ceiling.
                get_instances($crate::zenifra::GetInstances) -> $crate::zenifra::Instances {
                    GET "/project/{id}/instances", idempotent: true, rate: Read
                },
                /// Scales the project (payment required past the plan's ceiling).
                update_instances($crate::zenifra::UpdateInstances) -> $crate::zenifra::Instances {
                    PATCH "/project/{id}/instances", idempotent: true, rate: Write
                },
                /// Lists the project's deployments, newest first.
                list_deployments($crate::zenifra::ListDeployments) -> Vec<$crate::zenifra::Deployment> {
                    GET "/project/{id}/historic/deployments", idempotent: true, rate: Read
                },
                /// Reads CPU, memory and request figures over a period.
                get_metrics($crate::zenifra::GetMetrics) -> $crate::zenifra::Metrics {
                    GET "/project/{id}/metrics", idempotent: true, rate: Read
                },
                /// Reads the project's most recent log lines, oldest first.
                get_logs($crate::zenifra::GetLogs) -> Vec<$crate::zenifra::LogEntry> {
                    GET "/project/{id}/logs", idempotent: true, rate: Read
                },
                /// Counts HTTP requests over a period, with a time series.
                get_network_requests($crate::zenifra::GetNetworkRequests) -> $crate::zenifra::RequestMetrics {
                    GET "/project/{id}/metrics/network/requests", idempotent: true, rate: Read
                },
                /// Counts responses by HTTP status over a period.
                get_network_status_codes($crate::zenifra::GetNetworkStatusCodes) -> $crate::zenifra::StatusCodeMetrics {
                    GET "/project/{id}/metrics/network/status-codes", idempotent: true, rate: Read
                },
                /// Reads response-time percentiles over a period.
                get_network_latency($crate::zenifra::GetNetworkLatency) -> $crate::zenifra::LatencyMetrics {
                    GET "/project/{id}/metrics/network/latency", idempotent: true, rate: Read
                },
                /// Lists the most requested paths over a period.
                get_network_top_paths($crate::zenifra::GetNetworkTopPaths) -> $crate::zenifra::TopPaths {
                    GET "/project/{id}/metrics/network/top-paths", idempotent: true, rate: Read
                },
                /// Moves the project to another plan.
                change_plan($crate::zenifra::ChangePlan) -> $crate::zenifra::Project {
                    PATCH "/project/{id}/plan", idempotent: true, rate: Write
                },
                /// Resizes the project's storage (payment required past the plan's ceiling).
                update_storage_size($crate::zenifra::UpdateStorageSize) -> $crate::zenifra::Storage {
                    PATCH "/project/{id}/storage/size", idempotent: true, rate: Write
                },
                /// Reads the storage size and how much of it is used.
                get_storage_usage($crate::zenifra::GetStorageUsage) -> $crate::zenifra::Storage {
                    GET "/project/{id}/storage/usage", idempotent: true, rate: Read
                },
            ]
        }
    };
}

crate::zenifra_operations!(crate::declare_operations);

impl Zenifra {
    /// Polls the project's deployments until `deployment` is `live` (an error if it fails or is
    /// superseded, or after `options.timeout`).
    pub async fn wait_until_deployment_live(
        &self,
        project: &str,
        deployment: &str,
        options: crate::wait::WaitOptions,
    ) -> crate::Result<Deployment> {
        let input = serde_json::json!({ "id": project, "deployment_id": deployment });
        crate::wait::wait_for(self, "deployment_live", input, options).await
    }

    /// Polls the project until it is `running` (an error if it fails or stops, or after
    /// `options.timeout`).
    pub async fn wait_until_project_running(
        &self,
        project: &str,
        options: crate::wait::WaitOptions,
    ) -> crate::Result<Project> {
        crate::wait::wait_for(self, "project_running", serde_json::json!({ "id": project }), options).await
    }
}

impl crate::wait::Waiters for Zenifra {
    fn waiters() -> &'static [crate::wait::Waiter] {
        &[
            crate::wait::Waiter {
                name: "deployment_live",
                doc: "A deployment (an image update or a branch deploy) is live.",
                operation: "list_deployments",
                state: "/status",
                done: &["live"],
                failed: &["failed", "superseded"],
                find: Some(crate::wait::Find {
                    input: "deployment_id",
                    key: "id",
                    doc: "The deployment, as the image update or branch deploy answered it (`dep_...`).",
                }),
            },
            crate::wait::Waiter {
                name: "project_running",
                doc: "The project is running: no deploy is rolling out.",
                operation: "get_project",
                state: "/state",
                done: &["running"],
                failed: &["failed", "stopped"],
                find: None,
            },
        ]
    }
}

#[cfg(test)]
mod tests;
