//! The inputs of Zenifra's operations, with their checks. `id` is the project id of the path
//! (`/project/:id`); the other fields form the query of a GET or the JSON body of a PATCH or POST.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::types::{Period, Plan, ProjectType};
use crate::error::{Error, Result};
use crate::model::path_input;
use crate::operation::Input;
use crate::validate;

/// The most projects one page of the list holds.
pub const MAX_PAGE_LIMIT: u32 = 100;

/// Input of `list_projects`: an optional type filter and page.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ListProjects {
    /// Only projects of this type.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub kind: Option<ProjectType>,
    /// The page, from 1 (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub page: Option<u32>,
    /// Projects per page, 1 to 100 (the server's default when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub limit: Option<u32>,
}

impl ListProjects {
    /// Page `page` of `limit` projects.
    pub fn page(page: u32, limit: u32) -> Self {
        Self { page: Some(page), limit: Some(limit), ..Self::default() }
    }

    /// Only projects of `kind`.
    pub fn kind(mut self, kind: ProjectType) -> Self {
        self.kind = Some(kind);
        self
    }
}

impl Input for ListProjects {
    fn validate(&self) -> Result<()> {
        if let Some(page) = self.page {
            validate::in_range("page", page, 1..=u32::MAX)?;
        }
        if let Some(limit) = self.limit {
            validate::in_range("limit", limit, 1..=MAX_PAGE_LIMIT)?;
        }
        if let Some(ProjectType::Unknown(kind)) = &self.kind {
            validate::non_empty("type", kind)?;
        }
        Ok(())
    }
}

path_input! {
    /// Input of `get_project`.
    GetProject {
        /// The project's id.
        id
    }
}

path_input! {
    /// Input of `get_envs`.
    GetEnvs {
        /// The project's id.
        id
    }
}

path_input! {
    /// Input of `stop_project`.
    StopProject {
        /// The project's id.
        id
    }
}

path_input! {
    /// Input of `resume_project`.
    ResumeProject {
        /// The project's id.
        id
    }
}

path_input! {
    /// Input of `get_instances`.
    GetInstances {
        /// The project's id.
        id
    }
}

path_input! {
    /// Input of `list_deployments`.
    ListDeployments {
        /// The project's id.
        id
    }
}

path_input! {
    /// Input of `get_storage_usage`.
    GetStorageUsage {
        /// The project's id.
        id
    }
}

/// Declares an input that names a project and one more field, checked by `$check` before sending.
macro_rules! project_and_field_input {
    ($(#[$meta:meta])* $name:ident { $(#[$field_meta:meta])* $field:ident: $ty:ident } checked by $check:expr) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
        pub struct $name {
            /// The project's id.
            pub id: String,
            $(#[$field_meta])*
            pub $field: $ty,
        }

        impl $name {
            #[doc = concat!("For the project and its new `", stringify!($field), "`.")]
            pub fn new(id: impl Into<String>, $field: project_and_field_input!(@arg $ty)) -> Self {
                Self { id: id.into(), $field: $field.into() }
            }
        }

        impl Input for $name {
            fn validate(&self) -> Result<()> {
                ($check)(stringify!($field), &self.$field)
            }
        }
    };
    // Numbers are taken as they are, so a literal such as `3` needs no suffix.
    (@arg u32) => { u32 };
    (@arg $ty:ident) => { impl Into<$ty> };
}

project_and_field_input! {
    /// Input of `update_project_name`.
    UpdateProjectName {
        /// The new name.
        name: String
    } checked by validate::non_empty
}

project_and_field_input! {
    /// Input of `update_project_description`.
    UpdateProjectDescription {
        /// The new description; empty clears it.
        description: String
    } checked by |_: &str, _: &String| Ok(())
}

project_and_field_input! {
    /// Input of `update_image`: deploys the image.
    UpdateImage {
        /// The image, such as `registry.example.com/web:1.4.2`.
        image: String
    } checked by image_reference
}

project_and_field_input! {
    /// Input of `deploy_branch`.
    DeployBranch {
        /// The branch to deploy, such as `main`.
        branch: String
    } checked by branch_name
}

project_and_field_input! {
    /// Input of `update_domain`.
    UpdateDomain {
        /// The domain, such as `app.example.com`.
        domain: String
    } checked by |field, domain: &String| validate::domain_name(field, domain).map(drop)
}

project_and_field_input! {
    /// Input of `update_instances`.
    UpdateInstances {
        /// How many instances to run, from 1 (stop the project to run none).
        count: u32
    } checked by |field, count: &u32| validate::in_range(field, *count, 1..=u32::MAX)
}

project_and_field_input! {
    /// Input of `change_plan`.
    ChangePlan {
        /// The plan to move to.
        plan: Plan
    } checked by |field, plan: &Plan| validate::non_empty(field, plan.as_str())
}

project_and_field_input! {
    /// Input of `update_storage_size`.
    UpdateStorageSize {
        /// The new size in GB, from 1.
        size_gb: u32
    } checked by |field, size: &u32| validate::in_range(field, *size, 1..=u32::MAX)
}

/// An image reference: not empty, no whitespace.
fn image_reference(field: &str, image: &str) -> Result<()> {
    validate::non_empty(field, image)?;
    if image.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid_input(field, "must not contain whitespace"));
    }
    Ok(())
}

/// A git branch name: not empty, no whitespace, no `..`, not starting with `-` or `/`.
fn branch_name(field: &str, branch: &str) -> Result<()> {
    validate::non_empty(field, branch)?;
    let bad_char = branch.chars().any(|c| c.is_whitespace() || c.is_control() || "~^:?*[\\".contains(c));
    if bad_char || branch.contains("..") || branch.starts_with(['-', '/']) || branch.ends_with('/') {
        return Err(Error::invalid_input(field, format!("{branch:?} is not a valid branch name")));
    }
    Ok(())
}

/// Input of `update_envs`: variables to set and names to remove; the others stay.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct UpdateEnvs {
    /// The project's id.
    pub id: String,
    /// Name to value, added or replaced.
    #[serde(default)]
    pub envs: BTreeMap<String, String>,
    /// Names to remove.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unset: Vec<String>,
}

impl UpdateEnvs {
    /// No change yet for the project; add some with [`set`](Self::set) and [`unset`](Self::unset).
    pub fn new(id: impl Into<String>) -> Self {
        Self { id: id.into(), ..Self::default() }
    }

    /// Sets a variable.
    pub fn set(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.envs.insert(name.into(), value.into());
        self
    }

    /// Removes a variable.
    pub fn unset(mut self, name: impl Into<String>) -> Self {
        self.unset.push(name.into());
        self
    }
}

impl Input for UpdateEnvs {
    fn validate(&self) -> Result<()> {
        validate::env_names("envs", self.envs.keys())?;
        validate::env_names("unset", &self.unset)?;
        if let Some(name) = self.unset.iter().find(|name| self.envs.contains_key(*name)) {
            return Err(Error::invalid_input("unset", format!("{name:?} is also being set")));
        }
        if self.envs.is_empty() && self.unset.is_empty() {
            return Err(Error::invalid_input("envs", "set or unset at least one variable"));
        }
        Ok(())
    }
}

/// The most log lines one call returns.
pub const MAX_LOG_LINES: u32 = 1000;

/// Input of `get_logs`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct GetLogs {
    /// The project's id.
    pub id: String,
    /// How many of the latest lines, 1 to 1000 (default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub limit: Option<u32>,
    /// Only lines of this level: `info`, `warn` or `error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub level: Option<String>,
}

impl<S: Into<String>> From<S> for GetLogs {
    fn from(id: S) -> Self {
        Self { id: id.into(), ..Self::default() }
    }
}

impl Input for GetLogs {
    fn validate(&self) -> Result<()> {
        if let Some(limit) = self.limit {
            validate::in_range("limit", limit, 1..=MAX_LOG_LINES)?;
        }
        if let Some(level) = &self.level {
            validate::non_empty("level", level)?;
        }
        Ok(())
    }
}

/// Declares an input that names a project and an optional period (default the last hour).
macro_rules! period_input {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
        pub struct $name {
            /// The project's id.
            pub id: String,
            /// The window: `1h` (default), `24h`, `7d` or `30d`.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[cfg_attr(feature = "uniffi", uniffi(default = None))]
            pub period: Option<Period>,
        }

        impl $name {
            /// Over `period` instead of the last hour.
            pub fn period(mut self, period: Period) -> Self {
                self.period = Some(period);
                self
            }
        }

        impl<S: Into<String>> From<S> for $name {
            fn from(id: S) -> Self {
                Self { id: id.into(), period: None }
            }
        }

        impl Input for $name {
            fn validate(&self) -> Result<()> {
                known_period(&self.period)
            }
        }
    };
}

/// Periods are a closed set on the server: anything else is refused before sending.
fn known_period(period: &Option<Period>) -> Result<()> {
    match period {
        Some(Period::Unknown(other)) => {
            Err(Error::invalid_input("period", format!("must be 1h, 24h, 7d or 30d, not {other:?}")))
        }
        _ => Ok(()),
    }
}

period_input! {
    /// Input of `get_metrics`.
    GetMetrics
}

period_input! {
    /// Input of `get_network_requests`.
    GetNetworkRequests
}

period_input! {
    /// Input of `get_network_status_codes`.
    GetNetworkStatusCodes
}

period_input! {
    /// Input of `get_network_latency`.
    GetNetworkLatency
}

period_input! {
    /// Input of `get_network_top_paths`.
    GetNetworkTopPaths
}
