//! The static-site deploy and the waiters, for Kotlin and Swift: the core runs them; this file only
//! declares their foreign shapes (a source, settings, a progress interface) and the typed waiters.
//! Kotlin's `deploySiteEvents` Flow and Swift's `AsyncStream` are written on top of `deploy_site`.

use std::future::IntoFuture;
use std::sync::Arc;
use std::time::Duration;

use zkit::wait::WaitOptions;
use zkit::zerokie::{DeployEvent, DeployOptions, DeployReport, SiteFile, SiteSource};

use crate::{guarded, Zenifra, Zerokie, ZkitError, Zyra};

/// One file of a site: its path on the site and its bytes, or a file on disk streamed when sent.
#[derive(Clone, Debug, uniffi::Record)]
pub struct SiteEntry {
    /// Its path on the site, such as `assets/site.css`.
    pub path: String,
    /// Its bytes (or leave them out and give `file`).
    #[uniffi(default = None)]
    pub content: Option<Vec<u8>>,
    /// A file on disk holding its bytes.
    #[uniffi(default = None)]
    pub file: Option<String>,
    /// The SHA-256 of its bytes (lowercase hex), when known; computed otherwise.
    #[uniffi(default = None)]
    pub sha256: Option<String>,
}

/// What a deploy publishes.
#[derive(Clone, Debug, uniffi::Enum)]
pub enum DeploySource {
    /// Every file under a folder, at its path relative to it.
    Folder {
        /// The folder.
        path: String,
    },
    /// Files with the paths they take on the site.
    Files {
        /// The files.
        files: Vec<SiteEntry>,
    },
}

/// How a deploy runs; unset fields keep their defaults.
#[derive(Clone, Debug, Default, uniffi::Record)]
pub struct DeploySettings {
    /// Plan only: list the site, say what would change, change nothing.
    #[uniffi(default = false)]
    pub dry_run: bool,
    /// Delete files on the site that are gone locally (default true).
    #[uniffi(default = None)]
    pub delete_removed: Option<bool>,
    /// Compare content hashes with the site's manifest, not only lengths (default true).
    #[uniffi(default = None)]
    pub compare_content: Option<bool>,
    /// Globs of paths to leave out, on top of `.git/` and `.DS_Store`.
    #[uniffi(default = [])]
    pub ignore: Vec<String>,
    /// Uploads in flight at once, 1 to 64 (default 8).
    #[uniffi(default = None)]
    pub concurrency: Option<u32>,
    /// The deploy session (a UUID) to resume a deploy that still holds its lock.
    #[uniffi(default = None)]
    pub session_id: Option<String>,
    /// Milliseconds between renewals of the lock (default 180 000).
    #[uniffi(default = None)]
    pub heartbeat_ms: Option<u64>,
}

impl DeploySettings {
    fn options(self) -> DeployOptions {
        let defaults = DeployOptions::default();
        DeployOptions {
            dry_run: self.dry_run,
            delete_removed: self.delete_removed.unwrap_or(defaults.delete_removed),
            compare_content: self.compare_content.unwrap_or(defaults.compare_content),
            ignore: self.ignore,
            concurrency: self.concurrency.unwrap_or(defaults.concurrency),
            session_id: self.session_id,
            heartbeat_every: self.heartbeat_ms.map_or(defaults.heartbeat_every, Duration::from_millis),
        }
    }
}

/// Receives a deploy's events as they happen, on a thread of zkit's; it should return quickly.
#[uniffi::export(with_foreign)]
pub trait DeployProgress: Send + Sync {
    /// One event.
    fn on_event(&self, event: DeployEvent);
}

/// How long a wait lasts and how often it polls; unset fields keep their defaults.
#[derive(Clone, Debug, Default, uniffi::Record)]
pub struct WaitSettings {
    /// Milliseconds to wait in all (default 600 000).
    #[uniffi(default = None)]
    pub timeout_ms: Option<u64>,
    /// The pause after the first poll (default 1 000 ms); each next one is 1.5 times longer.
    #[uniffi(default = None)]
    pub first_delay_ms: Option<u64>,
    /// The longest pause between polls (default 15 000 ms).
    #[uniffi(default = None)]
    pub max_delay_ms: Option<u64>,
}

fn wait_options(settings: Option<WaitSettings>) -> WaitOptions {
    let settings = settings.unwrap_or_default();
    let defaults = WaitOptions::default();
    let millis = |ms: Option<u64>, default: Duration| ms.map_or(default, Duration::from_millis);
    WaitOptions {
        timeout: millis(settings.timeout_ms, defaults.timeout),
        first_delay: millis(settings.first_delay_ms, defaults.first_delay),
        max_delay: millis(settings.max_delay_ms, defaults.max_delay),
    }
}

/// The generic waiter of every API object: by name, with JSON input, answering JSON.
pub(crate) async fn wait_json<A: zkit::wait::Waiters>(
    api: &A,
    waiter: &str,
    input: &str,
    settings: Option<WaitSettings>,
) -> Result<String, ZkitError> {
    let input =
        serde_json::from_str(input).map_err(|e| ZkitError::from(zkit::Error::invalid_input("input", e.to_string())))?;
    let last = guarded(zkit::wait::wait_until(api, waiter, input, wait_options(settings))).await?;
    Ok(last.to_string())
}

/// The names of the API's waiters with what each waits for, as JSON.
pub(crate) fn waiters_json<A: zkit::wait::Waiters>() -> String {
    zkit::wait::describe::<A>().to_string()
}

#[uniffi::export(async_runtime = "tokio")]
impl Zerokie {
    /// Deploys a static site: uploads what is new or changed (by length and content hash against
    /// the manifest the last deploy left), deletes what is gone, leaves out `.git/`, `.DS_Store` and
    /// `ignore`, while a heartbeat keeps the deploy lock; then finalizes. `progress` gets each event.
    /// Cancelling the call stops it before it finalizes (the lock expires after 30 minutes).
    #[uniffi::method(default(settings = None, progress = None))]
    pub async fn deploy_site(
        &self,
        app: String,
        source: DeploySource,
        settings: Option<DeploySettings>,
        progress: Option<Arc<dyn DeployProgress>>,
    ) -> Result<DeployReport, ZkitError> {
        let source = match source {
            DeploySource::Folder { path } => SiteSource::Directory(path.into()),
            DeploySource::Files { files } => SiteSource::Files(files.into_iter().map(site_file).collect()),
        };
        let mut deploy = self.api.deploy_site(app, source).options(settings.unwrap_or_default().options());
        if let Some(progress) = progress {
            deploy = deploy.on_progress(Arc::new(move |event: &DeployEvent| progress.on_event(event.clone())));
        }
        guarded(deploy.into_future()).await
    }

    /// Polls the app until it is `running`; a timeout error (with the last state in `details`)
    /// after `wait.timeout_ms`.
    #[uniffi::method(default(wait = None))]
    pub async fn wait_until_app_running(
        &self,
        name: String,
        wait: Option<WaitSettings>,
    ) -> Result<zkit::zerokie::App, ZkitError> {
        guarded(self.api.wait_until_app_running(&name, wait_options(wait))).await
    }
}

fn site_file(entry: SiteEntry) -> SiteFile {
    let mut file = match (entry.file, entry.content) {
        (Some(on_disk), None) => SiteFile::file(entry.path, on_disk),
        (on_disk, content) => SiteFile { file: on_disk, ..SiteFile::bytes(entry.path, content.unwrap_or_default()) },
    };
    file.sha256 = entry.sha256;
    file
}

#[uniffi::export(async_runtime = "tokio")]
impl Zenifra {
    /// Polls the project's deployments until `deployment_id` is `live`.
    #[uniffi::method(default(wait = None))]
    pub async fn wait_until_deployment_live(
        &self,
        project_id: String,
        deployment_id: String,
        wait: Option<WaitSettings>,
    ) -> Result<zkit::zenifra::Deployment, ZkitError> {
        guarded(self.api.wait_until_deployment_live(&project_id, &deployment_id, wait_options(wait))).await
    }

    /// Polls the project until it is `running`.
    #[uniffi::method(default(wait = None))]
    pub async fn wait_until_project_running(
        &self,
        project_id: String,
        wait: Option<WaitSettings>,
    ) -> Result<zkit::zenifra::Project, ZkitError> {
        guarded(self.api.wait_until_project_running(&project_id, wait_options(wait))).await
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl Zyra {
    /// Polls the virtual server until it is `running` (or, with `running = false`, `stopped`).
    #[uniffi::method(default(running = true, wait = None))]
    pub async fn wait_until_virtual_server(
        &self,
        id: String,
        running: bool,
        wait: Option<WaitSettings>,
    ) -> Result<zkit::zyra::VirtualServer, ZkitError> {
        guarded(self.api.wait_until_virtual_server(&id, running, wait_options(wait))).await
    }

    /// Polls the ML job until it has ended.
    #[uniffi::method(default(wait = None))]
    pub async fn wait_until_ml_job_finished(
        &self,
        id: String,
        wait: Option<WaitSettings>,
    ) -> Result<zkit::zyra::MlJob, ZkitError> {
        guarded(self.api.wait_until_ml_job_finished(&id, wait_options(wait))).await
    }

    /// Polls the fine-tuning job until it has ended.
    #[uniffi::method(default(wait = None))]
    pub async fn wait_until_fine_tuning_job_finished(
        &self,
        id: String,
        wait: Option<WaitSettings>,
    ) -> Result<zkit::zyra::FineTuningJob, ZkitError> {
        guarded(self.api.wait_until_fine_tuning_job_finished(&id, wait_options(wait))).await
    }
}

/// What a deploy stopped before it finalized leaves behind, in the core's words.
#[uniffi::export]
pub fn deploy_cancelled_message(app: String, session_id: Option<String>) -> String {
    zkit::zerokie::cancelled_message(&app, session_id.as_deref())
}
