//! The inputs of Zyra's operations, with their checks. Lists take `offset` and `limit`; `id` is
//! the resource of the path.

use serde::{Deserialize, Serialize};

use super::types::{AlertStatus, DeviceStatus, Role, SlaMetric};
use crate::error::{Error, Result};
use crate::model::path_input;
use crate::operation::Input;
use crate::pages::Paged;
use crate::secret::Secret;
use crate::validate;

/// The most items one page holds.
pub const MAX_PAGE_LIMIT: u32 = 200;

/// Declares the input of a list: its path fields (in parentheses), its optional filters, and
/// `offset` and `limit`, with a setter each and the limit checked.
macro_rules! list_input {
    ($(#[$meta:meta])* $name:ident $(($($path:ident),*))? { $( $(#[$fmeta:meta])* $field:ident: $ty:ty ),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
        pub struct $name {
            $($(
                /// The path's resource id.
                pub $path: String,
            )*)?
            $(
                $(#[$fmeta])*
                #[serde(default, skip_serializing_if = "Option::is_none")]
                #[cfg_attr(feature = "uniffi", uniffi(default = None))]
                pub $field: Option<$ty>,
            )*
            /// Where the page starts (default 0).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[cfg_attr(feature = "uniffi", uniffi(default = None))]
            pub offset: Option<u64>,
            /// Items per page, 1 to 200 (default 50).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[cfg_attr(feature = "uniffi", uniffi(default = None))]
            pub limit: Option<u32>,
        }

        impl $name {
            $(
                /// The list under these path ids.
                pub fn new($($path: impl Into<String>),*) -> Self {
                    Self { $($path: $path.into(),)* ..Self::default() }
                }
            )?

            /// Starts the page at `offset`.
            pub fn offset(mut self, offset: u64) -> Self {
                self.offset = Some(offset);
                self
            }

            /// `limit` items per page (1 to 200).
            pub fn limit(mut self, limit: u32) -> Self {
                self.limit = Some(limit);
                self
            }

            $(
                $(#[$fmeta])*
                pub fn $field(mut self, value: impl Into<$ty>) -> Self {
                    self.$field = Some(value.into());
                    self
                }
            )*
        }

        impl Input for $name {
            fn validate(&self) -> Result<()> {
                check_limit(self.limit)
            }
        }

        impl Paged for $name {
            fn page_offset(&self) -> u64 {
                self.offset.unwrap_or(0)
            }

            fn set_page_offset(&mut self, offset: u64) {
                self.offset = Some(offset);
            }
        }
    };
}

fn check_limit(limit: Option<u32>) -> Result<()> {
    match limit {
        Some(limit) => validate::in_range("limit", limit, 1..=MAX_PAGE_LIMIT),
        None => Ok(()),
    }
}

fn email(field: &str, value: &str) -> Result<()> {
    let (user, domain) = value.split_once('@').unwrap_or_default();
    if user.is_empty() || domain.is_empty() || value.chars().any(char::is_whitespace) {
        return Err(Error::invalid_input(field, "must be an email address"));
    }
    Ok(())
}

fn at_least_one(field: &str, value: Option<u32>) -> Result<()> {
    match value {
        Some(n) => validate::in_range(field, n, 1..=u32::MAX),
        None => Ok(()),
    }
}

/// Declares an input whose fields all go in the body (and the path), with its checks.
macro_rules! body_input {
    (
        $(#[$meta:meta])* $name:ident {
            $( $(#[$fmeta:meta])* $field:ident: $ty:ty $(= $default:ident)? ),* $(,)?
        }
        check($this:ident) $check:block
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
        pub struct $name {
            $(
                $(#[$fmeta])*
                $( #[serde(default, skip_serializing_if = "Option::is_none")]
                   #[cfg_attr(feature = "uniffi", uniffi(default = $default))] )?
                pub $field: $ty,
            )*
        }

        impl Input for $name {
            fn validate(&$this) -> Result<()> $check
        }
    };
}

body_input! {
    /// Input of `login`.
    Login {
        /// The account's email.
        email: String,
        /// Its password.
        password: Secret,
    }
    check(self) {
        email("email", &self.email)?;
        if self.password.is_empty() {
            return Err(Error::invalid_input("password", "must not be empty"));
        }
        Ok(())
    }
}

body_input! {
    /// Input of `refresh_token`.
    RefreshToken {
        /// The refresh token of a login.
        refresh_token: Secret,
    }
    check(self) {
        if self.refresh_token.is_empty() {
            return Err(Error::invalid_input("refresh_token", "must not be empty"));
        }
        Ok(())
    }
}

body_input! {
    /// Input of `request_password_reset`.
    RequestPasswordReset {
        /// The account's email.
        email: String,
    }
    check(self) { email("email", &self.email) }
}

body_input! {
    /// Input of `confirm_password_reset`.
    ConfirmPasswordReset {
        /// The token the reset mail carried.
        token: Secret,
        /// The new password, 12 characters or more.
        new_password: Secret,
    }
    check(self) {
        if self.token.is_empty() {
            return Err(Error::invalid_input("token", "must not be empty"));
        }
        if self.new_password.expose().chars().count() < 12 {
            return Err(Error::invalid_input("new_password", "must have 12 characters or more"));
        }
        Ok(())
    }
}

body_input! {
    /// Input of `get_sso_url`.
    GetSsoUrl {
        /// The email of the user who logs in; its domain picks the organization.
        email: String,
    }
    check(self) { email("email", &self.email) }
}

body_input! {
    /// Input of `create_api_key`.
    CreateApiKey {
        /// A name that says what the key is for, such as `ci-deploy-prod`.
        name: String,
    }
    check(self) { validate::non_empty("name", &self.name) }
}

list_input! {
    /// Input of `list_api_keys`: the caller's keys, revoked ones too.
    ListApiKeys {}
}

path_input! {
    /// Input of `revoke_api_key`.
    RevokeApiKey {
        /// The key's id.
        id
    }
}

list_input! {
    /// Input of `list_organizations`: the caller's organizations.
    ListOrganizations {}
}

path_input! {
    /// Input of `get_organization`.
    GetOrganization {
        /// The organization's id.
        id
    }
}

list_input! {
    /// Input of `list_members`.
    ListMembers(organization_id) {}
}

body_input! {
    /// Input of `invite_member`: an existing user is added, a new email is invited.
    InviteMember {
        /// The organization's id.
        organization_id: String,
        /// Their email.
        email: String,
        /// Their role.
        role: Role,
    }
    check(self) { email("email", &self.email) }
}

body_input! {
    /// Input of `update_member_role`.
    UpdateMemberRole {
        /// The organization's id.
        organization_id: String,
        /// The member's user id.
        user_id: String,
        /// Their new role.
        role: Role,
    }
    check(self) { Ok(()) }
}

body_input! {
    /// Input of `remove_member`.
    RemoveMember {
        /// The organization's id.
        organization_id: String,
        /// The member's user id.
        user_id: String,
    }
    check(self) { Ok(()) }
}

path_input! {
    /// Input of `get_organization_settings`.
    GetOrganizationSettings {
        /// The organization's id.
        organization_id
    }
}

body_input! {
    /// Input of `update_organization_settings`: the settings to change; the others stay.
    UpdateOrganizationSettings {
        /// The organization's id.
        organization_id: String,
        /// Whether members must log in through SSO.
        require_sso: Option<bool> = None,
        /// The role new members get.
        default_role: Option<Role> = None,
        /// Minutes a dashboard session lasts (at least 1).
        session_timeout_minutes: Option<u32> = None,
        /// Email domains members may have; empty allows any.
        allowed_email_domains: Option<Vec<String>> = None,
    }
    check(self) { at_least_one("session_timeout_minutes", self.session_timeout_minutes) }
}

list_input! {
    /// Input of `list_devices`.
    ListDevices {
        /// Only devices in this state.
        status: DeviceStatus,
    }
}

path_input! {
    /// Input of `get_device`.
    GetDevice {
        /// The device's id.
        id
    }
}

body_input! {
    /// Input of `register_device`: the node waits for an Org Admin's approval.
    RegisterDevice {
        /// Its name.
        name: String,
        /// Its GPU model, such as `A100`.
        gpu_model: String,
        /// How many GPUs it has (at least 1).
        gpu_count: u32,
        /// Where it runs, such as `eu-west`.
        region: String,
    }
    check(self) {
        validate::non_empty("name", &self.name)?;
        validate::non_empty("gpu_model", &self.gpu_model)?;
        validate::in_range("gpu_count", self.gpu_count, 1..=u32::MAX)?;
        validate::non_empty("region", &self.region)
    }
}

path_input! {
    /// Input of `approve_device`.
    ApproveDevice {
        /// The device's id.
        id
    }
}

path_input! {
    /// Input of `remove_device`.
    RemoveDevice {
        /// The device's id.
        id
    }
}

list_input! {
    /// Input of `list_virtual_servers`.
    ListVirtualServers {}
}

path_input! {
    /// Input of `get_virtual_server`.
    GetVirtualServer {
        /// The server's id.
        id
    }
}

body_input! {
    /// Input of `create_virtual_server`: it starts running.
    CreateVirtualServer {
        /// Its name.
        name: String,
        /// Its size: `gpu.small`, `gpu.medium`, `gpu.large` or `gpu.xlarge`.
        size: String,
        /// Where it runs.
        region: String,
        /// Its image.
        image: Option<String> = None,
    }
    check(self) {
        validate::non_empty("name", &self.name)?;
        validate::non_empty("size", &self.size)?;
        validate::non_empty("region", &self.region)
    }
}

path_input! {
    /// Input of `start_virtual_server`: a stopped server starts.
    StartVirtualServer {
        /// The server's id.
        id
    }
}

path_input! {
    /// Input of `stop_virtual_server`: a running server stops.
    StopVirtualServer {
        /// The server's id.
        id
    }
}

path_input! {
    /// Input of `terminate_virtual_server`: for good.
    TerminateVirtualServer {
        /// The server's id.
        id
    }
}

body_input! {
    /// Input of `resize_virtual_server`: a stopped server gets a new size.
    ResizeVirtualServer {
        /// The server's id.
        id: String,
        /// The new size.
        size: String,
    }
    check(self) { validate::non_empty("size", &self.size) }
}

body_input! {
    /// Input of `create_ml_job`.
    CreateMlJob {
        /// Its name.
        name: String,
        /// The model to train.
        model: String,
        /// The dataset to read.
        dataset: Option<String> = None,
        /// GPUs to use (at least 1).
        gpu_count: Option<u32> = None,
    }
    check(self) {
        validate::non_empty("name", &self.name)?;
        validate::non_empty("model", &self.model)?;
        at_least_one("gpu_count", self.gpu_count)
    }
}

list_input! {
    /// Input of `list_ml_jobs`.
    ListMlJobs {}
}

path_input! {
    /// Input of `get_ml_job`.
    GetMlJob {
        /// The job's id.
        id
    }
}

path_input! {
    /// Input of `cancel_ml_job`.
    CancelMlJob {
        /// The job's id.
        id
    }
}

body_input! {
    /// Input of `create_inference`.
    CreateInference {
        /// The model to ask.
        model: String,
        /// The prompt.
        input: String,
    }
    check(self) { validate::non_empty("model", &self.model) }
}

list_input! {
    /// Input of `list_inferences`.
    ListInferences {}
}

path_input! {
    /// Input of `get_inference`.
    GetInference {
        /// The request's id.
        id
    }
}

body_input! {
    /// Input of `create_fine_tuning_job`.
    CreateFineTuningJob {
        /// The model to start from.
        base_model: String,
        /// The training data.
        training_file: String,
        /// Appended to the tuned model's name.
        suffix: Option<String> = None,
    }
    check(self) {
        validate::non_empty("base_model", &self.base_model)?;
        validate::non_empty("training_file", &self.training_file)
    }
}

list_input! {
    /// Input of `list_fine_tuning_jobs`.
    ListFineTuningJobs {}
}

path_input! {
    /// Input of `get_fine_tuning_job`.
    GetFineTuningJob {
        /// The job's id.
        id
    }
}

path_input! {
    /// Input of `cancel_fine_tuning_job`.
    CancelFineTuningJob {
        /// The job's id.
        id
    }
}

list_input! {
    /// Input of `list_webhook_endpoints`.
    ListWebhookEndpoints {}
}

path_input! {
    /// Input of `get_webhook_endpoint`.
    GetWebhookEndpoint {
        /// The endpoint's id.
        id
    }
}

/// A webhook URL: `https://`, or `http://` on loopback.
fn webhook_url(url: &str) -> Result<()> {
    let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"];
    let ok = url.starts_with("https://") && url.len() > "https://".len()
        || loopback.iter().any(|prefix| url.starts_with(prefix));
    if !ok || url.chars().any(char::is_whitespace) {
        return Err(Error::invalid_input("url", "must be an https:// URL (http:// on loopback only)"));
    }
    Ok(())
}

body_input! {
    /// Input of `create_webhook_endpoint`.
    CreateWebhookEndpoint {
        /// Where events are posted.
        url: String,
        /// The events to receive (at least one).
        events: Vec<String>,
        /// What it is for.
        description: Option<String> = None,
    }
    check(self) {
        webhook_url(&self.url)?;
        if self.events.is_empty() {
            return Err(Error::invalid_input("events", "must name at least one event"));
        }
        self.events.iter().try_for_each(|event| validate::non_empty("events", event))
    }
}

body_input! {
    /// Input of `update_webhook_endpoint`: what to change; the rest stays.
    UpdateWebhookEndpoint {
        /// The endpoint's id.
        id: String,
        /// A new URL.
        url: Option<String> = None,
        /// New events.
        events: Option<Vec<String>> = None,
        /// A new description.
        description: Option<String> = None,
        /// Turns sending on or off.
        enabled: Option<bool> = None,
    }
    check(self) {
        if let Some(url) = &self.url {
            webhook_url(url)?;
        }
        if self.events.as_ref().is_some_and(Vec::is_empty) {
            return Err(Error::invalid_input("events", "must name at least one event"));
        }
        Ok(())
    }
}

path_input! {
    /// Input of `delete_webhook_endpoint`.
    DeleteWebhookEndpoint {
        /// The endpoint's id.
        id
    }
}

list_input! {
    /// Input of `list_invoices`.
    ListInvoices {}
}

path_input! {
    /// Input of `get_invoice`.
    GetInvoice {
        /// The invoice's id.
        id
    }
}

path_input! {
    /// Input of `download_invoice_pdf`.
    DownloadInvoicePdf {
        /// The invoice's id.
        id
    }
}

list_input! {
    /// Input of `list_sla_alert_rules`.
    ListSlaAlertRules {}
}

fn threshold(value: Option<f64>) -> Result<()> {
    match value {
        Some(v) if !v.is_finite() => Err(Error::invalid_input("threshold", "must be a finite number")),
        _ => Ok(()),
    }
}

body_input! {
    /// Input of `create_sla_alert_rule`.
    CreateSlaAlertRule {
        /// Its name.
        name: String,
        /// What it watches.
        metric: SlaMetric,
        /// The value that breaches it.
        threshold: f64,
        /// Minutes to measure over (at least 1).
        window_minutes: u32,
    }
    check(self) {
        validate::non_empty("name", &self.name)?;
        threshold(Some(self.threshold))?;
        validate::in_range("window_minutes", self.window_minutes, 1..=u32::MAX)
    }
}

// The enums are open (string_enum!), so their default is written out rather than derived.
#[allow(clippy::derivable_impls)]
impl Default for SlaMetric {
    fn default() -> Self {
        Self::UptimePercent
    }
}

#[allow(clippy::derivable_impls)]
impl Default for Role {
    fn default() -> Self {
        Self::Member
    }
}

body_input! {
    /// Input of `update_sla_alert_rule`: what to change; the rest stays.
    UpdateSlaAlertRule {
        /// The rule's id.
        id: String,
        /// A new name.
        name: Option<String> = None,
        /// A new threshold.
        threshold: Option<f64> = None,
        /// A new window (at least 1).
        window_minutes: Option<u32> = None,
    }
    check(self) {
        threshold(self.threshold)?;
        at_least_one("window_minutes", self.window_minutes)
    }
}

path_input! {
    /// Input of `delete_sla_alert_rule`.
    DeleteSlaAlertRule {
        /// The rule's id.
        id
    }
}

list_input! {
    /// Input of `list_sla_breaches`: the breach history.
    ListSlaBreaches {}
}

list_input! {
    /// Input of `list_fleet_alerts`.
    ListFleetAlerts {
        /// Only alerts in this state.
        status: AlertStatus,
    }
}

/// Input of `get_sdk_info`: none.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct GetSdkInfo {}

impl Input for GetSdkInfo {}
