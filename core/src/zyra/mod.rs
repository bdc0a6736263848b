//! Zyra: compute nodes, virtual servers, ML jobs, inference and fine-tuning, with the organization
//! around them (members, settings, API keys, webhooks, invoices, SLA rules, fleet alerts).
//!
//! A client takes a `zyra_sk_…` key, or an email and password: it then logs in on its first call
//! and keeps its access token fresh by itself. Both go as `Authorization: Bearer`. Answers come in
//! an envelope (`{"success", "data", "meta"}`) that the client opens: outputs are the `data`, and
//! the envelope's request id is the response's. Lists are paged by `offset` and `limit`; walk them
//! with [`Zyra::pages`](crate::Zyra::pages).
//!
//! ```no_run
//! # async fn run() -> zkit::Result<()> {
//! use futures_util::TryStreamExt;
//! use zkit::zyra::{ListDevices, Zyra};
//!
//! let zyra = Zyra::builder().login("ada@example.com", "…").build()?;
//! let devices: Vec<_> = zyra.pages(ListDevices::default().limit(200)).items().try_collect().await?;
//! println!("{} devices", devices.len());
//! # Ok(()) }
//! ```

mod inputs;
mod types;

pub use inputs::*;
pub use types::*;

use std::time::Duration;

use bytes::Bytes;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::api::{
    decode_error_body, per_client, ApiProfile, BodyMeta, LoginFlow, RateClass, RateLimit, SuccessBody, Tokens,
    BEARER_ONLY,
};
use crate::error::{Error, Result};
use crate::operation::{build_request, decode_json};

/// The Zyra profile: Bearer keys or login tokens, the envelope, 5/30/100 a minute per class.
pub static PROFILE: ApiProfile = ApiProfile {
    name: "zyra",
    env_prefix: "ZYRA",
    default_base_url: "https://app.getzyra.io/api/v1",
    auth: BEARER_ONLY,
    context_headers: &[],
    decode_error: decode_error_body,
    rate_limit,
    operations: || Zyra::OPERATIONS,
    rate_scope: per_client,
    success_body: envelope,
    login: Some(&LOGIN),
};

/// Both answers travel in the envelope: `{"success": true, "data", "meta"}` and
/// `{"success": false, "error": {"code", "message", "details", "request_id"}, "meta"}`.
#[cfg(feature = "schema")]
impl Zyra {
    pub(crate) const WIRE: crate::schema::Wire = crate::schema::Wire {
        error: || {
            serde_json::json!({
                "type": "object",
                "properties": {
                    "success": { "const": false },
                    "error": crate::schema::coded_error()["properties"]["error"].clone(),
                    "meta": envelope_meta(),
                },
                "required": ["success", "error"],
            })
        },
        envelope: Some(|data| {
            serde_json::json!({
                "type": "object",
                "properties": { "success": { "const": true }, "data": data, "meta": envelope_meta() },
                "required": ["success", "data"],
            })
        }),
    };
}

/// The `meta` of every answer.
#[cfg(feature = "schema")]
fn envelope_meta() -> serde_json::Value {
    serde_json::json!({
        "type": "object",
        "properties": { "request_id": { "type": "string" }, "timestamp": { "type": "string" } },
    })
}

/// The documented limits, each endpoint with its own ("every endpoint has a SlowAPI limiter"):
/// creates 5/min, reads 30/min, high-volume 100/min; other writes are assumed to have the read figure.
fn rate_limit(class: RateClass) -> Option<RateLimit> {
    let (requests, bucket) = match class {
        RateClass::Create => (5, "create"),
        RateClass::Read => (30, "read"),
        RateClass::HighVolume => (100, "high_volume"),
        RateClass::Write => (30, "write"),
    };
    Some(RateLimit { requests, per: Duration::from_secs(60), bucket, per_endpoint: true })
}

/// Opens `{"success": true, "data": …, "meta": {"request_id", "timestamp"}}`: the data, without a copy.
fn envelope(body: &Bytes) -> Result<SuccessBody> {
    #[derive(Deserialize)]
    struct Envelope<'a> {
        success: Option<bool>,
        #[serde(borrow)]
        data: Option<&'a RawValue>,
        meta: Option<Meta>,
    }
    #[derive(Deserialize)]
    struct Meta {
        request_id: Option<String>,
        timestamp: Option<String>,
    }
    let opened: Envelope<'_> =
        serde_json::from_slice(body).map_err(|e| Error::decode(format!("response envelope: {e}")))?;
    if opened.success == Some(false) {
        let error = decode_error_body(body);
        let message = error.message.unwrap_or_else(|| "no message".to_owned());
        return Err(Error::decode(format!("a success status with \"success\": false: {message}")));
    }
    let data = match opened.data {
        Some(raw) => body.slice_ref(raw.get().as_bytes()),
        None => Bytes::from_static(b"null"),
    };
    let meta = opened.meta.map(|meta| BodyMeta { request_id: meta.request_id, timestamp: meta.timestamp });
    Ok(SuccessBody { data, meta: meta.unwrap_or_default() })
}

/// The login and refresh of `/auth`.
static LOGIN: LoginFlow = LoginFlow {
    login: |email, password, base_url| {
        build_request(&Login { email: email.to_owned(), password: password.clone() }, base_url)
    },
    refresh: |refresh_token, base_url| build_request(&RefreshToken { refresh_token: refresh_token.clone() }, base_url),
    tokens: |data| {
        let session: Session = decode_json(data)?;
        Ok(Tokens {
            access: session.access_token,
            refresh: Some(session.refresh_token),
            expires_in: Some(Duration::from_secs(session.expires_in)),
        })
    },
    refresh_early: Duration::from_secs(60),
};

crate::api_client! {
    /// A Zyra client. Cheap to clone; clones share connections, the rate limiter and the login.
    Zyra, PROFILE, "`ZYRA_API_KEY` (or `ZYRA_EMAIL` and `ZYRA_PASSWORD`) and `ZYRA_BASE_URL`"
}

/// Zyra's operation table: the single declaration each operation has. The core feeds it to
/// `declare_operations!`; bindings feed it to their own macros.
#[macro_export]
macro_rules! zyra_operations {
    ($callback:path $(, $($extra:tt)*)?) => {
        $callback! {
            $($($extra)*)?
            api: $crate::zyra::Zyra,
            operations: [
                /// Logs in with an email and password: a JWT access token and a refresh token. A client
                /// built from an email and password does this by itself.
                login($crate::zyra::Login) -> $crate::zyra::Session {
                    POST "/auth/login", idempotent: false, rate: Write
                },
                /// Exchanges a refresh token for a new pair of tokens.
                refresh_token($crate::zyra::RefreshToken) -> $crate::zyra::Session {
                    POST "/auth/refresh", idempotent: false, rate: Write
                },
                /// Mails a password reset link, if the email is known (the answer does not say).
                request_password_reset($crate::zyra::RequestPasswordReset) -> $crate::zyra::ResetRequested {
                    POST "/auth/password-reset", idempotent: true, rate: Write
                },
                /// Sets a new password with the token of a reset mail.
                confirm_password_reset($crate::zyra::ConfirmPasswordReset) -> $crate::zyra::ResetConfirmed {
                    POST "/auth/password-reset/confirm", idempotent: false, rate: Write
                },
                /// The URL where an SSO login starts, for an email of an organization with SSO.
                get_sso_url($crate::zyra::GetSsoUrl) -> $crate::zyra::SsoEntry {
                    GET "/auth/sso", idempotent: true, rate: Read
                },
                /// Creates an API key. The answer is the only one that holds the whole key.
                create_api_key($crate::zyra::CreateApiKey) -> $crate::zyra::NewApiKey {
                    POST "/api-keys", idempotent: false, rate: Create
                },
                /// Lists the caller's API keys by their prefixes, revoked ones too.
                list_api_keys($crate::zyra::ListApiKeys) -> $crate::zyra::ApiKeyPage {
                    GET "/api-keys", idempotent: true, rate: Read, paged: true
                },
                /// Revokes an API key, at once.
                revoke_api_key($crate::zyra::RevokeApiKey) -> $crate::zyra::ApiKey {
                    DELETE "/api-keys/{id}", idempotent: true, rate: Write
                },
                /// Lists the caller's organizations.
                list_organizations($crate::zyra::ListOrganizations) -> $crate::zyra::OrganizationPage {
                    GET "/organizations", idempotent: true, rate: Read, paged: true
                },
                /// Fetches an organization's profile.
                get_organization($crate::zyra::GetOrganization) -> $crate::zyra::Organization {
                    GET "/organizations/{id}", idempotent: true, rate: Read
                },
                /// Lists an organization's members.
                list_members($crate::zyra::ListMembers) -> $crate::zyra::MemberPage {
                    GET "/organizations/{organization_id}/members", idempotent: true, rate: Read, paged: true
                },
                /// Adds or invites a member (Org Admin).
                invite_member($crate::zyra::InviteMember) -> $crate::zyra::Member {
                    POST "/organizations/{organization_id}/members", idempotent: false, rate: Create
                },
                /// Changes a member's role (Org Admin).
                update_member_role($crate::zyra::UpdateMemberRole) -> $crate::zyra::Member {
                    PATCH "/organizations/{organization_id}/members/{user_id}", idempotent: true, rate: Write
                },
                /// Removes a member (Org Admin).
                remove_member($crate::zyra::RemoveMember) -> () {
                    DELETE "/organizations/{organization_id}/members/{user_id}", idempotent: true, rate: Write
                },
                /// Reads an organization's settings.
                get_organization_settings($crate::zyra::GetOrganizationSettings) -> $crate::zyra::OrganizationSettings {
                    GET "/organizations/{organization_id}/settings", idempotent: true, rate: Read
                },
                /// Changes an organization's settings (Org Admin).
                update_organization_settings($crate::zyra::UpdateOrganizationSettings) -> $crate::zyra::OrganizationSettings {
                    PATCH "/organizations/{organization_id}/settings", idempotent: true, rate: Write
                },
                /// Lists the compute nodes.
                list_devices($crate::zyra::ListDevices) -> $crate::zyra::DevicePage {
                    GET "/devices", idempotent: true, rate: Read, paged: true
                },
                /// Fetches a compute node.
                get_device($crate::zyra::GetDevice) -> $crate::zyra::Device {
                    GET "/devices/{id}", idempotent: true, rate: Read
                },
                /// Registers a compute node; it waits for approval.
                register_device($crate::zyra::RegisterDevice) -> $crate::zyra::Device {
                    POST "/devices", idempotent: false, rate: Create
                },
                /// Approves a pending compute node (Org Admin).
                approve_device($crate::zyra::ApproveDevice) -> $crate::zyra::Device {
                    POST "/devices/{id}/approve", idempotent: false, rate: Write
                },
                /// Removes a compute node (Org Admin).
                remove_device($crate::zyra::RemoveDevice) -> () {
                    DELETE "/devices/{id}", idempotent: true, rate: Write
                },
                /// Lists the virtual servers.
                list_virtual_servers($crate::zyra::ListVirtualServers) -> $crate::zyra::VirtualServerPage {
                    GET "/virtual-servers", idempotent: true, rate: Read, paged: true
                },
                /// Fetches a virtual server.
                get_virtual_server($crate::zyra::GetVirtualServer) -> $crate::zyra::VirtualServer {
                    GET "/virtual-servers/{id}", idempotent: true, rate: Read
                },
                /// Creates a virtual server, running.
                create_virtual_server($crate::zyra::CreateVirtualServer) -> $crate::zyra::VirtualServer {
                    POST "/virtual-servers", idempotent: false, rate: Create
                },
                /// Starts a stopped virtual server.
                start_virtual_server($crate::zyra::StartVirtualServer) -> $crate::zyra::VirtualServer {
                    POST "/virtual-servers/{id}/start", idempotent: false, rate: Write
                },
                /// Stops a running virtual server.
                stop_virtual_server($crate::zyra::StopVirtualServer) -> $crate::zyra::VirtualServer {
                    POST "/virtual-servers/{id}/stop", idempotent: false, rate: Write
                },
                /// Resizes a stopped virtual server.
                resize_virtual_server($crate::zyra::ResizeVirtualServer) -> $crate::zyra::VirtualServer {
                    POST "/virtual-servers/{id}/resize", idempotent: true, rate: Write
                },
                /// Terminates a virtual server, for good.
                terminate_virtual_server($crate::zyra::TerminateVirtualServer) -> $crate::zyra::VirtualServer {
                    POST "/virtual-servers/{id}/terminate", idempotent: false, rate: Write
                },
                /// Starts an ML training job.
                create_ml_job($crate::zyra::CreateMlJob) -> $crate::zyra::MlJob {
                    POST "/ml/jobs", idempotent: false, rate: Create
                },
                /// Lists the ML jobs.
                list_ml_jobs($crate::zyra::ListMlJobs) -> $crate::zyra::MlJobPage {
                    GET "/ml/jobs", idempotent: true, rate: Read, paged: true
                },
                /// Fetches an ML job.
                get_ml_job($crate::zyra::GetMlJob) -> $crate::zyra::MlJob {
                    GET "/ml/jobs/{id}", idempotent: true, rate: Read
                },
                /// Cancels an ML job that has not finished.
                cancel_ml_job($crate::zyra::CancelMlJob) -> $crate::zyra::MlJob {
                    POST "/ml/jobs/{id}/cancel", idempotent: false, rate: Write
                },
                /// Asks a model.
                create_inference($crate::zyra::CreateInference) -> $crate::zyra::Inference {
                    POST "/inference", idempotent: false, rate: Create
                },
                /// Lists the inference requests.
                list_inferences($crate::zyra::ListInferences) -> $crate::zyra::InferencePage {
                    GET "/inference", idempotent: true, rate: Read, paged: true
                },
                /// Fetches an inference request.
                get_inference($crate::zyra::GetInference) -> $crate::zyra::Inference {
                    GET "/inference/{id}", idempotent: true, rate: Read
                },
                /// Starts a fine-tuning job.
                create_fine_tuning_job($crate::zyra::CreateFineTuningJob) -> $crate::zyra::FineTuningJob {
                    POST "/fine-tuning/jobs", idempotent: false, rate: Create
                },
                /// Lists the fine-tuning jobs.
                list_fine_tuning_jobs($crate::zyra::ListFineTuningJobs) -> $crate::zyra::FineTuningJobPage {
                    GET "/fine-tuning/jobs", idempotent: true, rate: Read, paged: true
                },
                /// Fetches a fine-tuning job.
                get_fine_tuning_job($crate::zyra::GetFineTuningJob) -> $crate::zyra::FineTuningJob {
                    GET "/fine-tuning/jobs/{id}", idempotent: true, rate: Read
                },
                /// Cancels a fine-tuning job that has not finished.
                cancel_fine_tuning_job($crate::zyra::CancelFineTuningJob) -> $crate::zyra::FineTuningJob {
                    POST "/fine-tuning/jobs/{id}/cancel", idempotent: false, rate: Write
                },
                /// Lists the webhook endpoints.
                list_webhook_endpoints($crate::zyra::ListWebhookEndpoints) -> $crate::zyra::WebhookEndpointPage {
                    GET "/webhooks/endpoints", idempotent: true, rate: Read, paged: true
                },
                /// Fetches a webhook endpoint.
                get_webhook_endpoint($crate::zyra::GetWebhookEndpoint) -> $crate::zyra::WebhookEndpoint {
                    GET "/webhooks/endpoints/{id}", idempotent: true, rate: Read
                },
                /// Creates a webhook endpoint; the answer holds its signing secret.
                create_webhook_endpoint($crate::zyra::CreateWebhookEndpoint) -> $crate::zyra::WebhookEndpoint {
                    POST "/webhooks/endpoints", idempotent: false, rate: Create
                },
                /// Changes a webhook endpoint.
                update_webhook_endpoint($crate::zyra::UpdateWebhookEndpoint) -> $crate::zyra::WebhookEndpoint {
                    PATCH "/webhooks/endpoints/{id}", idempotent: true, rate: Write
                },
                /// Deletes a webhook endpoint.
                delete_webhook_endpoint($crate::zyra::DeleteWebhookEndpoint) -> () {
                    DELETE "/webhooks/endpoints/{id}", idempotent: true, rate: Write
                },
                /// Lists the invoices (Org Admin).
                list_invoices($crate::zyra::ListInvoices) -> $crate::zyra::InvoicePage {
                    GET "/invoices", idempotent: true, rate: Read, paged: true
                },
                /// Fetches an invoice (Org Admin).
                get_invoice($crate::zyra::GetInvoice) -> $crate::zyra::Invoice {
                    GET "/invoices/{id}", idempotent: true, rate: Read
                },
                /// Downloads an invoice as PDF bytes (Org Admin).
                download_invoice_pdf($crate::zyra::DownloadInvoicePdf) -> $crate::model::Download {
                    GET "/invoices/{id}/pdf", idempotent: true, rate: Read
                },
                /// Lists the SLA alert rules.
                list_sla_alert_rules($crate::zyra::ListSlaAlertRules) -> $crate::zyra::SlaAlertRulePage {
                    GET "/sla/alert-rules", idempotent: true, rate: Read, paged: true
                },
                /// Creates an SLA alert rule (Org Admin).
                create_sla_alert_rule($crate::zyra::CreateSlaAlertRule) -> $crate::zyra::SlaAlertRule {
                    POST "/sla/alert-rules", idempotent: false, rate: Create
                },
                /// Changes an SLA alert rule (Org Admin).
                update_sla_alert_rule($crate::zyra::UpdateSlaAlertRule) -> $crate::zyra::SlaAlertRule {
                    PATCH "/sla/alert-rules/{id}", idempotent: true, rate: Write
                },
                /// Deletes an SLA alert rule (Org Admin).
                delete_sla_alert_rule($crate::zyra::DeleteSlaAlertRule) -> () {
                    DELETE "/sla/alert-rules/{id}", idempotent: true, rate: Write
                },
                /// Lists the SLA breach history.
                list_sla_breaches($crate::zyra::ListSlaBreaches) -> $crate::zyra::SlaBreachPage {
                    GET "/sla/breaches", idempotent: true, rate: Read, paged: true
                },
                /// Lists the fleet-wide monitoring alerts.
                list_fleet_alerts($crate::zyra::ListFleetAlerts) -> $crate::zyra::FleetAlertPage {
                    GET "/monitoring/alerts", idempotent: true, rate: Read, paged: true
                },
                /// What the API tells about itself and its SDKs; needs no credential.
                get_sdk_info($crate::zyra::GetSdkInfo = default) -> $crate::zyra::SdkInfo {
                    GET "/sdk", idempotent: true, rate: Read
                },
            ]
        }
    };
}

crate::zyra_operations!(crate::declare_operations);

impl Zyra {
    /// Polls the virtual server until it is `running` (or `stopped`, with `running: false`); an
    /// error if it is terminated, or after `options.timeout`.
    pub async fn wait_until_virtual_server(
        &self,
        id: &str,
        running: bool,
        options: crate::wait::WaitOptions,
    ) -> crate::Result<VirtualServer> {
        let waiter = if running { "virtual_server_running" } else { "virtual_server_stopped" };
        crate::wait::wait_for(self, waiter, serde_json::json!({ "id": id }), options).await
    }

    /// Polls the ML job until it has ended (succeeded, failed or cancelled), or `options.timeout`.
    pub async fn wait_until_ml_job_finished(
        &self,
        id: &str,
        options: crate::wait::WaitOptions,
    ) -> crate::Result<MlJob> {
        crate::wait::wait_for(self, "ml_job_finished", serde_json::json!({ "id": id }), options).await
    }

    /// Polls the fine-tuning job until it has ended, or `options.timeout`.
    pub async fn wait_until_fine_tuning_job_finished(
        &self,
        id: &str,
        options: crate::wait::WaitOptions,
    ) -> crate::Result<FineTuningJob> {
        crate::wait::wait_for(self, "fine_tuning_job_finished", serde_json::json!({ "id": id }), options).await
    }
}

impl crate::wait::Waiters for Zyra {
    fn waiters() -> &'static [crate::wait::Waiter] {
        use crate::wait::Waiter;
        const JOB_ENDS: &[&str] = &["succeeded", "failed", "cancelled", "completed"];
        &[
            Waiter {
                name: "virtual_server_running",
                doc: "The virtual server is running.",
                operation: "get_virtual_server",
                state: "/status",
                done: &["running"],
                failed: &["terminated"],
                find: None,
            },
            Waiter {
                name: "virtual_server_stopped",
                doc: "The virtual server is stopped.",
                operation: "get_virtual_server",
                state: "/status",
                done: &["stopped"],
                failed: &["terminated"],
                find: None,
            },
            Waiter {
                name: "ml_job_finished",
                doc: "The ML job has ended: succeeded, failed or cancelled.",
                operation: "get_ml_job",
                state: "/status",
                done: JOB_ENDS,
                failed: &[],
                find: None,
            },
            Waiter {
                name: "fine_tuning_job_finished",
                doc: "The fine-tuning job has ended: succeeded, failed or cancelled.",
                operation: "get_fine_tuning_job",
                state: "/status",
                done: JOB_ENDS,
                failed: &[],
                find: None,
            },
        ]
    }
}
