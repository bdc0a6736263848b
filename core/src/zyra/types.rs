//! What Zyra's operations return, as the `data` of its envelope. Fields the contract leaves
//! optional are `Option`s, and fields this version of zkit does not name are kept in `extra`.

use serde::{Deserialize, Serialize};

use crate::model::Extra;
use crate::pages::{Page, PageInfo};
use crate::secret::Secret;

crate::string_enum! {
    /// A member's role in an organization.
    Role {
        /// An Org Admin: manages members, settings, devices, invoices and SLA rules.
        OrgAdmin = "org_admin",
        /// A member.
        Member = "member",
    }
}

crate::string_enum! {
    /// Whether a member has joined.
    MemberStatus {
        /// Joined.
        Active = "active",
        /// Invited, not joined yet.
        Invited = "invited",
    }
}

crate::string_enum! {
    /// Where a compute node stands.
    DeviceStatus {
        /// Registered, waiting for an Org Admin's approval.
        Pending = "pending",
        /// Approved: it takes work.
        Approved = "approved",
    }
}

crate::string_enum! {
    /// A virtual server's state: `running` ⇄ `stopped`, and `terminated` for good.
    ServerStatus {
        /// Running.
        Running = "running",
        /// Stopped; it can be resized or started.
        Stopped = "stopped",
        /// Terminated; it cannot start again.
        Terminated = "terminated",
    }
}

crate::string_enum! {
    /// A job's state.
    JobStatus {
        /// Waiting for a node.
        Queued = "queued",
        /// Running.
        Running = "running",
        /// Finished well.
        Succeeded = "succeeded",
        /// Finished badly.
        Failed = "failed",
        /// Cancelled before it finished.
        Cancelled = "cancelled",
        /// Done at once (inference requests).
        Completed = "completed",
    }
}

crate::string_enum! {
    /// Whether an invoice is settled.
    InvoiceStatus {
        /// Paid.
        Paid = "paid",
        /// Not paid yet.
        Open = "open",
    }
}

crate::string_enum! {
    /// What an SLA alert rule watches.
    SlaMetric {
        /// Uptime, in percent.
        UptimePercent = "uptime_percent",
        /// 95th-percentile latency, in milliseconds.
        LatencyP95Ms = "latency_p95_ms",
        /// Errors, in percent of requests.
        ErrorRatePercent = "error_rate_percent",
    }
}

crate::string_enum! {
    /// Whether a fleet alert still stands.
    AlertStatus {
        /// Still standing.
        Open = "open",
        /// Resolved.
        Resolved = "resolved",
    }
}

/// The tokens of a login or a refresh. Both tokens are secrets: they print as previews.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Session {
    /// The JWT sent as `Authorization: Bearer`.
    pub access_token: Secret,
    /// Exchanged for a new pair with `refresh_token`.
    pub refresh_token: Secret,
    /// Always `bearer`.
    #[serde(default)]
    pub token_type: String,
    /// Seconds the access token lives.
    pub expires_in: u64,
    /// Who logged in.
    #[serde(default)]
    pub user: Option<User>,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct User {
    /// The user's id.
    pub id: String,
    /// Their email.
    pub email: String,
    /// Their name.
    #[serde(default)]
    pub name: Option<String>,
    /// Their role in their organization.
    pub role: Role,
    /// Their organization.
    #[serde(default)]
    pub organization_id: Option<String>,
}

/// A password reset was asked for; the mail goes out if the email is known.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ResetRequested {
    /// Always true: the answer does not tell whether the email is known.
    pub sent: bool,
}

/// The password was changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ResetConfirmed {
    /// True once the new password is set.
    pub reset: bool,
}

/// Where an SSO login starts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SsoEntry {
    /// Open this URL to log in.
    pub url: String,
    /// The organization whose identity provider it is.
    pub organization_id: String,
    /// Its kind, such as `saml`.
    #[serde(default)]
    pub provider: Option<String>,
}

/// An API key as listed: its display prefix, never the key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ApiKey {
    /// The key's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The key's first 18 characters, to tell keys apart.
    pub prefix: String,
    /// False once revoked.
    pub is_active: bool,
    /// When it was made.
    #[serde(default)]
    pub created_at: Option<String>,
    /// When it was last used.
    #[serde(default)]
    pub last_used_at: Option<String>,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A new API key: the only answer that holds the whole key. Keep it now; it is never shown again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NewApiKey {
    /// The key's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The key's first 18 characters.
    pub prefix: String,
    /// The key itself, `zyra_sk_…` (prints as a preview).
    pub key: Secret,
    /// True.
    #[serde(default = "yes")]
    pub is_active: bool,
    /// When it was made.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

fn yes() -> bool {
    true
}

/// An organization's profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Organization {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its URL name.
    #[serde(default)]
    pub slug: Option<String>,
    /// Its plan.
    #[serde(default)]
    pub plan: Option<String>,
    /// When it was made.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A member of an organization.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Member {
    /// The user's id.
    pub user_id: String,
    /// Their email.
    pub email: String,
    /// Their name.
    #[serde(default)]
    pub name: Option<String>,
    /// Their role.
    pub role: Role,
    /// Whether they have joined.
    pub status: MemberStatus,
    /// When they joined.
    #[serde(default)]
    pub joined_at: Option<String>,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An organization's settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct OrganizationSettings {
    /// Whether members must log in through SSO.
    pub require_sso: bool,
    /// The role new members get.
    pub default_role: Role,
    /// Minutes a dashboard session lasts.
    pub session_timeout_minutes: u32,
    /// Email domains members may have; empty allows any.
    #[serde(default)]
    pub allowed_email_domains: Vec<String>,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A compute node.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Device {
    /// Its id, `dev_…`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Pending or approved.
    pub status: DeviceStatus,
    /// Its GPU model.
    #[serde(default)]
    pub gpu_model: Option<String>,
    /// How many GPUs it has.
    #[serde(default)]
    pub gpu_count: Option<u32>,
    /// Where it runs.
    #[serde(default)]
    pub region: Option<String>,
    /// When it was registered.
    #[serde(default)]
    pub registered_at: Option<String>,
    /// When it was approved.
    #[serde(default)]
    pub approved_at: Option<String>,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A virtual server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct VirtualServer {
    /// Its id, `vs_…`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Running, stopped or terminated.
    pub status: ServerStatus,
    /// Its size, such as `gpu.small`.
    pub size: String,
    /// Where it runs.
    #[serde(default)]
    pub region: Option<String>,
    /// Its image.
    #[serde(default)]
    pub image: Option<String>,
    /// When it was made.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An ML training job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct MlJob {
    /// Its id.
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// The model it trains.
    #[serde(default)]
    pub model: Option<String>,
    /// The dataset it reads.
    #[serde(default)]
    pub dataset: Option<String>,
    /// GPUs it uses.
    #[serde(default)]
    pub gpu_count: Option<u32>,
    /// Its state.
    pub status: JobStatus,
    /// When it was made.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An inference request and its answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Inference {
    /// Its id.
    pub id: String,
    /// The model asked.
    pub model: String,
    /// `completed`.
    pub status: JobStatus,
    /// What was asked.
    #[serde(default)]
    pub input: Option<String>,
    /// The model's answer.
    #[serde(default)]
    pub output: Option<String>,
    /// Tokens used.
    #[serde(default)]
    pub usage: Option<Usage>,
    /// When it was made.
    #[serde(default)]
    pub created_at: Option<String>,
}

/// Tokens an inference used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Usage {
    /// Tokens read.
    pub input_tokens: u64,
    /// Tokens written.
    pub output_tokens: u64,
}

/// A fine-tuning job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct FineTuningJob {
    /// Its id.
    pub id: String,
    /// The model it starts from.
    pub base_model: String,
    /// The training data.
    #[serde(default)]
    pub training_file: Option<String>,
    /// Appended to the tuned model's name.
    #[serde(default)]
    pub suffix: Option<String>,
    /// Its state.
    pub status: JobStatus,
    /// The tuned model, once it has succeeded.
    #[serde(default)]
    pub fine_tuned_model: Option<String>,
    /// When it was made.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A webhook endpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct WebhookEndpoint {
    /// Its id.
    pub id: String,
    /// Where events are posted.
    pub url: String,
    /// The events it receives.
    #[serde(default)]
    pub events: Vec<String>,
    /// What it is for.
    #[serde(default)]
    pub description: Option<String>,
    /// Whether events are sent.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// The signing secret, `whsec_…`, in the answer that creates the endpoint only.
    #[serde(default)]
    pub secret: Option<Secret>,
    /// When it was made.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An invoice.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Invoice {
    /// Its id, `inv_…`.
    pub id: String,
    /// Its number.
    pub number: String,
    /// Paid or open.
    pub status: InvoiceStatus,
    /// The amount, in cents.
    pub amount_cents: u64,
    /// Its currency, such as `usd`.
    pub currency: String,
    /// The first day billed.
    #[serde(default)]
    pub period_start: Option<String>,
    /// The last day billed.
    #[serde(default)]
    pub period_end: Option<String>,
    /// When it was issued.
    #[serde(default)]
    pub issued_at: Option<String>,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An SLA alert rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SlaAlertRule {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// What it watches.
    pub metric: SlaMetric,
    /// The value that breaches it.
    pub threshold: f64,
    /// Minutes the metric is measured over.
    pub window_minutes: u32,
    /// When it was made.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A breach of an SLA alert rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SlaBreach {
    /// Its id.
    pub id: String,
    /// The rule breached.
    pub rule_id: String,
    /// What was measured.
    pub metric: SlaMetric,
    /// The value measured.
    pub value: f64,
    /// The rule's threshold.
    pub threshold: f64,
    /// When it started.
    pub started_at: String,
    /// When it ended, if it has.
    #[serde(default)]
    pub resolved_at: Option<String>,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A fleet-wide monitoring alert.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct FleetAlert {
    /// Its id.
    pub id: String,
    /// `info`, `warning` or `critical`.
    pub severity: String,
    /// The device it is about, if one.
    #[serde(default)]
    pub device_id: Option<String>,
    /// What happened.
    pub message: String,
    /// Open or resolved.
    pub status: AlertStatus,
    /// When it was raised.
    #[serde(default)]
    pub raised_at: Option<String>,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// What `/sdk` tells about the API and its SDKs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SdkInfo {
    /// The API's version, such as `v1`.
    pub api_version: String,
    /// Where its OpenAPI document is.
    #[serde(default)]
    pub openapi_url: Option<String>,
    /// The SDKs it knows of.
    #[serde(default)]
    pub sdks: Vec<SdkEntry>,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One SDK `/sdk` lists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SdkEntry {
    /// Its language.
    pub language: String,
    /// Its package name.
    pub package: String,
    /// Its version.
    #[serde(default)]
    pub version: Option<String>,
    /// Its documentation.
    #[serde(default)]
    pub docs_url: Option<String>,
}

/// Declares the page type of a list: `items`, `total`, `offset` and `limit`.
macro_rules! page {
    ($(#[$meta:meta])* $name:ident of $item:ty) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
        pub struct $name {
            /// The items of this page.
            pub items: Vec<$item>,
            /// Items in the whole list.
            pub total: u64,
            /// The offset of this page's first item.
            pub offset: u64,
            /// Items per page asked for.
            pub limit: u32,
        }

        impl Page for $name {
            type Item = $item;

            fn info(&self) -> PageInfo {
                PageInfo { offset: self.offset, count: self.items.len() as u64, total: self.total }
            }

            fn into_items(self) -> Vec<$item> {
                self.items
            }
        }
    };
}

page!(/** A page of API keys. */ ApiKeyPage of ApiKey);
page!(/** A page of organizations. */ OrganizationPage of Organization);
page!(/** A page of members. */ MemberPage of Member);
page!(/** A page of devices. */ DevicePage of Device);
page!(/** A page of virtual servers. */ VirtualServerPage of VirtualServer);
page!(/** A page of ML jobs. */ MlJobPage of MlJob);
page!(/** A page of inference requests. */ InferencePage of Inference);
page!(/** A page of fine-tuning jobs. */ FineTuningJobPage of FineTuningJob);
page!(/** A page of webhook endpoints. */ WebhookEndpointPage of WebhookEndpoint);
page!(/** A page of invoices. */ InvoicePage of Invoice);
page!(/** A page of SLA alert rules. */ SlaAlertRulePage of SlaAlertRule);
page!(/** A page of SLA breaches. */ SlaBreachPage of SlaBreach);
page!(/** A page of fleet alerts. */ FleetAlertPage of FleetAlert);
