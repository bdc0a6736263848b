//! What Zerokie answers, and the values shared by inputs and outputs.

use serde::{Deserialize, Serialize};

use crate::model::Extra;
use crate::secret::Secret;
use crate::string_enum;

string_enum! {
    /// The kind of app, fixed at creation.
    AppType {
        /// Runs a container image.
        Container = "container",
        /// Serves files from a storage zone behind a CDN.
        Static = "static",
    }
}

string_enum! {
    /// Where an app is in its life.
    AppStatus {
        /// A deploy is rolling out.
        Deploying = "deploying",
        /// Serving.
        Running = "running",
        /// The last deploy failed.
        Failed = "failed",
        /// Not serving.
        Stopped = "stopped",
    }
}

string_enum! {
    /// The certificate state of a custom domain.
    TlsStatus {
        /// Waiting for the CNAME and the certificate.
        Pending = "pending",
        /// Serving over TLS.
        Active = "active",
        /// The certificate could not be issued.
        Failed = "failed",
    }
}

/// Credentials for pulling from a private registry. The password never shows in `Debug`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RegistryAuth {
    /// Registry username or deploy token name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub username: Option<String>,
    /// Registry password or deploy token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub password: Option<Secret>,
    /// Registry server, such as `registry.gitlab.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub server_address: Option<String>,
}

/// An app, as created, listed or fetched. Fields the listing leaves out are `None`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct App {
    /// The app's name, unique per account; also its subdomain.
    pub name: String,
    /// Container or static.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<AppType>,
    /// The container image (container apps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub image: Option<String>,
    /// The port the container listens on (container apps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub port: Option<u16>,
    /// Deploying, running, …
    pub status: AppStatus,
    /// Where the app is served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub url: Option<String>,
    /// Running instances.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub instances: Option<u32>,
    /// CPU units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub cpu: Option<u32>,
    /// Memory in MiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub memory: Option<u32>,
    /// When the app was created (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub created_at: Option<String>,
    /// When the app last changed (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub updated_at: Option<String>,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A deploy that has started.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Deploy {
    /// The app.
    pub name: String,
    /// The image being rolled out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub image: Option<String>,
    /// Normally `deploying`.
    pub status: AppStatus,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A file in a static app's storage zone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct FileEntry {
    /// Path relative to the zone's root.
    pub path: String,
    /// Size in bytes.
    pub length: u64,
    /// Last change (RFC 3339).
    #[serde(rename = "lastModified")]
    pub last_modified: String,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A held deploy lock.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DeployLock {
    /// Whether the lock is held.
    pub locked: bool,
    /// The session holding it.
    pub deploy_session_id: String,
    /// Fields this version of zkit does not model (the sandbox adds `expires_at`).
    #[serde(flatten)]
    pub extra: Extra,
}

/// What a static deploy changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DeploySummary {
    /// Files uploaded.
    pub files_uploaded: u64,
    /// Files deleted.
    pub files_deleted: u64,
    /// Bytes uploaded.
    pub total_bytes: u64,
}

/// A recorded static deployment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct FinalizedDeploy {
    /// The deployment's id, such as `d-20260307-170000`.
    pub deploy_id: String,
    /// When it was recorded (RFC 3339).
    pub timestamp: String,
    /// Whether the CDN cache was purged.
    pub cache_purged: bool,
    /// What the deploy changed.
    pub summary: DeploySummary,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A custom domain of a static app.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Domain {
    /// The domain, such as `www.example.com`.
    pub domain: String,
    /// Where its CNAME must point.
    pub cname_target: String,
    /// The certificate state.
    pub tls_status: TlsStatus,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}
