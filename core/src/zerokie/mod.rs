//! Zerokie: container and static apps, deploys, static files, deploy locks and custom domains.
//!
//! ```no_run
//! # async fn run() -> zkit::Result<()> {
//! use zkit::zerokie::{CreateApp, Zerokie};
//!
//! let zerokie = Zerokie::from_env()?; // ZEROKIE_API_KEY, optional ZEROKIE_BASE_URL
//! let app = zerokie.create_app(CreateApp::container("my-app", "nginx:alpine").port(80)).await?;
//! println!("{} is {}", app.name, app.status);
//! # Ok(()) }
//! ```

mod deploy;
mod inputs;
mod plan;
mod site;
mod types;

pub use deploy::{cancelled_message, DeployEvent, DeployOptions, DeployReport, DeploySite, ProgressFn};
pub use inputs::*;
pub use site::{SiteFile, SiteSource, MANIFEST_PATH};
pub use types::*;

use crate::api::{decode_error_body, no_rate_limit, per_client, whole_body, ApiProfile, BEARER_ONLY};

/// The Zerokie profile: Bearer auth, `{"error": "..."}` bodies, no documented rate limits.
pub static PROFILE: ApiProfile = ApiProfile {
    name: "zerokie",
    env_prefix: "ZEROKIE",
    default_base_url: "https://api.platform-dev.zerokie.com",
    auth: BEARER_ONLY,
    context_headers: &[],
    decode_error: decode_error_body,
    // Zerokie documents no rate limits, so the client paces nothing.
    rate_limit: no_rate_limit,
    operations: || Zerokie::OPERATIONS,
    rate_scope: per_client,
    success_body: whole_body,
    login: None,
};

/// Errors are `{"error": "message"}`; a success is the data itself.
#[cfg(feature = "schema")]
impl Zerokie {
    pub(crate) const WIRE: crate::schema::Wire =
        crate::schema::Wire { error: crate::schema::message_error, envelope: None };
}

crate::api_client! {
    /// A Zerokie client. Cheap to clone; clones share connections.
    Zerokie, PROFILE, "`ZEROKIE_API_KEY` and `ZEROKIE_BASE_URL`"
}

/// A fresh deploy session id (a version 4 UUID) for the deploy lock.
pub fn new_deploy_session_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Zerokie's operation table: the single declaration each operation has. The core feeds it to
/// `declare_operations!`; bindings feed it to their own macros. Tokens after the callback are passed
/// on in front of the table, for the callback's own parameters.
#[macro_export]
macro_rules! zerokie_operations {
    ($callback:path $(, $($extra:tt)*)?) => {
        $callback! {
            $($($extra)*)?
            api: $crate::zerokie::Zerokie,
            operations: [
                /// Creates a container app (the default) or a static app.
                create_app($crate::zerokie::CreateApp) -> $crate::zerokie::App {
                    POST "/v1/apps", idempotent: false, rate: Create
                },
                /// Lists every app.
                list_apps($crate::zerokie::ListApps = default) -> Vec<$crate::zerokie::App> {
                    GET "/v1/apps", idempotent: true, rate: Read
                },
                /// Fetches one app with its instances, resources and timestamps.
                get_app($crate::zerokie::GetApp) -> $crate::zerokie::App {
                    GET "/v1/apps/{name}", idempotent: true, rate: Read
                },
                /// Deletes an app.
                delete_app($crate::zerokie::DeleteApp) -> () {
                    DELETE "/v1/apps/{name}", idempotent: true, rate: Write
                },
                /// Deploys a new image, or re-pulls and restarts the current one.
                deploy_app($crate::zerokie::DeployApp) -> $crate::zerokie::Deploy {
                    POST "/v1/apps/{name}/deploy", idempotent: false, rate: Write
                },
                /// Lists every file in a static app's storage zone.
                list_files($crate::zerokie::ListFiles) -> Vec<$crate::zerokie::FileEntry> {
                    GET "/v1/apps/{name}/files", idempotent: true, rate: Read
                },
                /// Uploads one file to a static app's storage zone.
                upload_file($crate::zerokie::UploadFile) -> () {
                    PUT "/v1/apps/{name}/files/{path*}", idempotent: true, rate: Write
                },
                /// Deletes one file from a static app's storage zone.
                delete_file($crate::zerokie::DeleteFile) -> () {
                    DELETE "/v1/apps/{name}/files/{path*}", idempotent: true, rate: Write
                },
                /// Acquires the deploy lock for a session; a conflict if another session holds it.
                acquire_deploy_lock($crate::zerokie::AcquireDeployLock) -> $crate::zerokie::DeployLock {
                    POST "/v1/apps/{name}/deploy/lock", idempotent: true, rate: Write
                },
                /// Keeps the deploy lock alive (30 minutes from each heartbeat); the lock, if the answer holds it.
                renew_deploy_lock($crate::zerokie::RenewDeployLock) -> Option<$crate::zerokie::DeployLock> {
                    PUT "/v1/apps/{name}/deploy/lock", idempotent: true, rate: Write
                },
                /// Purges the CDN cache, records the deploy and releases the lock.
                finalize_deploy($crate::zerokie::FinalizeDeploy) -> $crate::zerokie::FinalizedDeploy {
                    POST "/v1/apps/{name}/deploy/finalize", idempotent: false, rate: Write
                },
                /// Adds a custom domain (not an apex) to a static app.
                add_domain($crate::zerokie::AddDomain) -> $crate::zerokie::Domain {
                    POST "/v1/apps/{name}/domains", idempotent: false, rate: Create
                },
                /// Removes a custom domain from a static app.
                remove_domain($crate::zerokie::RemoveDomain) -> () {
                    DELETE "/v1/apps/{name}/domains/{domain}", idempotent: true, rate: Write
                },
            ]
        }
    };
}

crate::zerokie_operations!(crate::declare_operations);

impl Zerokie {
    /// Polls the app until it is `running` (an error if it fails or stops, or after `options.timeout`).
    pub async fn wait_until_app_running(&self, name: &str, options: crate::wait::WaitOptions) -> crate::Result<App> {
        crate::wait::wait_for(self, "app_running", serde_json::json!({ "name": name }), options).await
    }
}

impl crate::wait::Waiters for Zerokie {
    fn waiters() -> &'static [crate::wait::Waiter] {
        &[crate::wait::Waiter {
            name: "app_running",
            doc: "The app is running: its deploy rolled out.",
            operation: "get_app",
            state: "/status",
            done: &["running"],
            failed: &["failed", "stopped"],
            find: None,
        }]
    }
}

#[cfg(test)]
mod tests;
