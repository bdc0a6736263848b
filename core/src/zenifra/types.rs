//! What Zenifra answers, and the values shared by inputs and outputs.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::Extra;
use crate::string_enum;

string_enum! {
    /// What a project runs, as the CLI's `--type` names it.
    ProjectType {
        /// A service answering HTTP.
        Http = "http",
        /// A background worker.
        Worker = "worker",
    }
}

string_enum! {
    /// Whether a project serves.
    ProjectState {
        /// Serving.
        Running = "running",
        /// Stopped; resume it to serve again.
        Stopped = "stopped",
        /// A deploy is rolling out.
        Deploying = "deploying",
        /// The last deploy failed.
        Failed = "failed",
    }
}

string_enum! {
    /// A billing plan; it caps instances and storage.
    Plan {
        /// One instance, 1 GB of storage.
        Free = "free",
        /// Up to 3 instances and 10 GB.
        Starter = "starter",
        /// Up to 10 instances and 100 GB.
        Pro = "pro",
        /// Up to 50 instances and 1000 GB.
        Business = "business",
    }
}

string_enum! {
    /// Where a deployment is.
    DeploymentStatus {
        /// Building or rolling out.
        Building = "building",
        /// Serving now.
        Live = "live",
        /// Replaced by a later deployment.
        Superseded = "superseded",
        /// Did not go live.
        Failed = "failed",
    }
}

string_enum! {
    /// The window a metric covers.
    Period {
        /// The last hour.
        Hour = "1h",
        /// The last 24 hours.
        Day = "24h",
        /// The last 7 days.
        Week = "7d",
        /// The last 30 days.
        Month = "30d",
    }
}

/// A project.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Project {
    /// The project's id, as in `/project/:id`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub description: Option<String>,
    /// HTTP service or worker.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub kind: Option<ProjectType>,
    /// Running, stopped, …
    pub state: ProjectState,
    /// The image it runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub image: Option<String>,
    /// The branch it was last deployed from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub branch: Option<String>,
    /// Its domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub domain: Option<String>,
    /// Its plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub plan: Option<Plan>,
    /// Instances it runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub instances: Option<u32>,
    /// Storage size in GB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub storage_gb: Option<u32>,
    /// The organization it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub organization_id: Option<String>,
    /// When it was created (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub created_at: Option<String>,
    /// When it last changed (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub updated_at: Option<String>,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One page of the project list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ProjectPage {
    /// The projects on this page.
    pub data: Vec<Project>,
    /// The page number, from 1.
    pub page: u32,
    /// Projects per page.
    pub limit: u32,
    /// Projects in all pages.
    pub total: u64,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A project's environment variables.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct EnvVars {
    /// Name to value.
    pub envs: BTreeMap<String, String>,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// How many instances a project runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Instances {
    /// Instances running (or to run, once resumed).
    pub count: u32,
    /// The most the plan allows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub max: Option<u32>,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A deployment: an image update or a branch deploy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Deployment {
    /// The deployment's id.
    pub id: String,
    /// Building, live, …
    pub status: DeploymentStatus,
    /// The image deployed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub image: Option<String>,
    /// The branch deployed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub branch: Option<String>,
    /// When it started (RFC 3339).
    pub created_at: String,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Resource and traffic figures of a project over a period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Metrics {
    /// The window, such as `1h`.
    pub period: Period,
    /// Average CPU use, in percent of what the instances have.
    pub cpu_percent: f64,
    /// Average memory in use, in MB.
    pub memory_mb: f64,
    /// Requests served.
    pub requests: u64,
    /// Instances running.
    pub instances: u32,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A log line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct LogEntry {
    /// When it was written (RFC 3339).
    pub timestamp: String,
    /// `info`, `warn`, `error`, …
    pub level: String,
    /// The line.
    pub message: String,
    /// The instance that wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub instance: Option<String>,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Requests in one slot of a time series.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RequestPoint {
    /// The slot's start (RFC 3339).
    pub timestamp: String,
    /// Requests in the slot.
    pub count: u64,
}

/// HTTP requests over a period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RequestMetrics {
    /// The window.
    pub period: Period,
    /// Requests in the window.
    pub total: u64,
    /// The window in equal slots, oldest first.
    pub series: Vec<RequestPoint>,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Responses with one status.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct StatusCount {
    /// The HTTP status.
    pub status: u16,
    /// Responses with it.
    pub count: u64,
}

/// Responses by HTTP status over a period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct StatusCodeMetrics {
    /// The window.
    pub period: Period,
    /// One entry per status seen, most frequent first.
    pub codes: Vec<StatusCount>,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Response-time percentiles over a period, in milliseconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct LatencyMetrics {
    /// The window.
    pub period: Period,
    /// The median.
    pub p50_ms: f64,
    /// The 90th percentile.
    pub p90_ms: f64,
    /// The 99th percentile.
    pub p99_ms: f64,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One path's traffic.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PathTraffic {
    /// The request path, such as `/api/orders`.
    pub path: String,
    /// Requests to it.
    pub requests: u64,
    /// Its median response time, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub p50_ms: Option<f64>,
}

/// The most requested paths over a period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TopPaths {
    /// The window.
    pub period: Period,
    /// The paths, most requested first.
    pub paths: Vec<PathTraffic>,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A project's storage: its size and how much is used.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Storage {
    /// The size, in GB.
    pub size_gb: u32,
    /// In use, in GB.
    pub used_gb: f64,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}
