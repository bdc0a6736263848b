//! A static-site deploy in one call: plan against the site, take the deploy lock, upload what changed
//! with bounded concurrency while a heartbeat keeps the lock, delete what is gone, finalize.
//!
//! ```no_run
//! # async fn run() -> zkit::Result<()> {
//! let zerokie = zkit::Zerokie::from_env()?;
//! let report = zerokie.deploy_site("my-site", "./dist").concurrency(8).await?;
//! println!("{} uploaded, {} deleted, {} unchanged", report.files_uploaded, report.files_deleted, report.files_unchanged);
//! # Ok(()) }
//! ```

use std::future::IntoFuture;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::future::{self, Either};
use futures_util::stream::{self, Stream, StreamExt, TryStreamExt};
use http::Method;
use serde::{Deserialize, Serialize};

use super::plan::{plan, Manifest, Plan};
use super::site::{self, Ignore, LocalFile, SiteSource, MANIFEST_PATH};
use super::{AcquireDeployLock, DeleteFile, FinalizeDeploy, RenewDeployLock, UploadFile, Zerokie};
use crate::error::{Error, ErrorKind, Result};
use crate::exec::BoxFuture;
use crate::{validate, Api, RawRequest};

/// How long the service keeps a lock after its last heartbeat.
const LOCK_TTL: Duration = Duration::from_secs(30 * 60);

/// What a deploy stopped before it finalized leaves behind, in the words every binding shows: the site
/// is as it was, the lock expires on its own, and the session that resumes it.
pub fn cancelled_message(app: &str, session_id: Option<&str>) -> String {
    let resume = session_id.map(|id| format!(", or deploy again with session id {id} to resume")).unwrap_or_default();
    format!(
        "deploy of {app} cancelled: the site was not finalized; its deploy lock expires on its own 30 minutes \
         after the last heartbeat{resume}"
    )
}

/// How a deploy runs. Every field has a default, so `{}` in JSON is a whole value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeployOptions {
    /// Plan only: list the site, say what would change, change nothing.
    pub dry_run: bool,
    /// Delete files on the site that are gone locally (ignored paths are never deleted).
    pub delete_removed: bool,
    /// Compare content hashes with the site's manifest, not only lengths, to find changed files.
    pub compare_content: bool,
    /// Globs of paths to leave out, on top of `.git/` and `.DS_Store`: `*.map`, `drafts/**`.
    pub ignore: Vec<String>,
    /// Uploads in flight at once (1 to 64).
    pub concurrency: u32,
    /// The deploy session to use, to resume a deploy that still holds its lock; a fresh one otherwise.
    pub session_id: Option<String>,
    /// How often the lock is renewed while the deploy runs (the service drops it after 30 minutes).
    #[serde(with = "crate::model::millis", rename = "heartbeat_ms")]
    pub heartbeat_every: Duration,
}

impl Default for DeployOptions {
    fn default() -> Self {
        Self {
            dry_run: false,
            delete_removed: true,
            compare_content: true,
            ignore: Vec::new(),
            concurrency: 8,
            session_id: None,
            heartbeat_every: Duration::from_secs(3 * 60),
        }
    }
}

impl DeployOptions {
    fn validate(&self) -> Result<()> {
        if !(1..=64).contains(&self.concurrency) {
            return Err(Error::invalid_input("concurrency", "must be between 1 and 64"));
        }
        if self.heartbeat_every.is_zero() || self.heartbeat_every >= LOCK_TTL {
            return Err(Error::invalid_input("heartbeat_ms", "must be above 0 and under 30 minutes"));
        }
        if let Some(session) = &self.session_id {
            validate::uuid("session_id", session)?;
        }
        Ok(())
    }
}

/// What a deploy is doing, in order: `planned`, then per file `file_started`, `bytes_sent` and
/// `file_done`, `deleting` per removed file, `lock_renewed` at each heartbeat, `finalizing`, `done`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum DeployEvent {
    /// The plan: what will be uploaded and deleted, and what is left alone.
    Planned {
        /// Files to upload.
        uploads: u64,
        /// Their bytes.
        upload_bytes: u64,
        /// Files to delete.
        deletes: u64,
        /// Files already on the site as they are.
        unchanged: u64,
        /// Paths left out by the ignore rules.
        ignored: u64,
    },
    /// An upload began.
    FileStarted {
        /// Its site path.
        path: String,
        /// Its length.
        length: u64,
    },
    /// Bytes reached the site.
    BytesSent {
        /// The file they belong to.
        path: String,
        /// How many, in this event.
        bytes: u64,
        /// How many in the whole deploy so far.
        total_sent: u64,
    },
    /// An upload finished.
    FileDone {
        /// Its site path.
        path: String,
        /// Its length.
        length: u64,
    },
    /// A removed file is being deleted from the site.
    Deleting {
        /// Its site path.
        path: String,
    },
    /// The heartbeat renewed the deploy lock.
    LockRenewed,
    /// Every change is made; the deploy is being recorded.
    Finalizing,
    /// The deploy is over.
    Done {
        /// What it did.
        report: DeployReport,
    },
}

/// What a deploy did (or, for a dry run, would do).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DeployReport {
    /// The app.
    pub app: String,
    /// The recorded deployment; `None` for a dry run or when nothing changed.
    pub deploy_id: Option<String>,
    /// When it was recorded (RFC 3339).
    pub timestamp: Option<String>,
    /// Whether the CDN cache was purged.
    pub cache_purged: bool,
    /// The deploy session that held the lock.
    pub deploy_session_id: Option<String>,
    /// Files uploaded (the manifest is not counted).
    pub files_uploaded: u64,
    /// Files deleted.
    pub files_deleted: u64,
    /// Bytes uploaded.
    pub total_bytes: u64,
    /// Files already on the site as they are.
    pub files_unchanged: u64,
    /// The paths uploaded (planned, for a dry run).
    pub uploaded: Vec<String>,
    /// The paths deleted (planned, for a dry run).
    pub deleted: Vec<String>,
    /// The paths the ignore rules left out.
    pub ignored: Vec<String>,
    /// A dry run: nothing was changed.
    pub dry_run: bool,
    /// How long the deploy took, in milliseconds.
    pub elapsed_ms: u64,
}

/// How the deploy's steps report an event.
#[cfg(not(target_arch = "wasm32"))]
type Emit<'a> = &'a (dyn Fn(DeployEvent) + Send + Sync);
#[cfg(target_arch = "wasm32")]
type Emit<'a> = &'a dyn Fn(DeployEvent);

/// Receives a deploy's events as they happen.
#[cfg(not(target_arch = "wasm32"))]
pub type ProgressFn = Arc<dyn Fn(&DeployEvent) + Send + Sync>;
/// Receives a deploy's events as they happen.
#[cfg(target_arch = "wasm32")]
pub type ProgressFn = Arc<dyn Fn(&DeployEvent)>;

impl Zerokie {
    /// Deploys a static site: a folder (`"./dist"`) or [`SiteFile`](super::SiteFile)s. Awaiting it
    /// runs the deploy; [`DeploySite::events`] streams its progress instead.
    pub fn deploy_site(&self, app: impl Into<String>, source: impl Into<SiteSource>) -> DeploySite {
        DeploySite {
            zerokie: self.clone(),
            app: app.into(),
            source: source.into(),
            options: DeployOptions::default(),
            progress: None,
        }
    }
}

/// A static-site deploy being set up; await it to run it.
#[must_use = "a deploy does nothing until it is awaited"]
pub struct DeploySite {
    zerokie: Zerokie,
    app: String,
    source: SiteSource,
    options: DeployOptions,
    progress: Option<ProgressFn>,
}

impl DeploySite {
    /// Every option at once.
    pub fn options(mut self, options: DeployOptions) -> Self {
        self.options = options;
        self
    }

    /// Plans only; see [`DeployOptions::dry_run`].
    pub fn dry_run(mut self, on: bool) -> Self {
        self.options.dry_run = on;
        self
    }

    /// See [`DeployOptions::delete_removed`].
    pub fn delete_removed(mut self, on: bool) -> Self {
        self.options.delete_removed = on;
        self
    }

    /// See [`DeployOptions::compare_content`].
    pub fn compare_content(mut self, on: bool) -> Self {
        self.options.compare_content = on;
        self
    }

    /// Leaves out the paths `glob` matches; see [`DeployOptions::ignore`].
    pub fn ignore(mut self, glob: impl Into<String>) -> Self {
        self.options.ignore.push(glob.into());
        self
    }

    /// See [`DeployOptions::concurrency`].
    pub fn concurrency(mut self, uploads: u32) -> Self {
        self.options.concurrency = uploads;
        self
    }

    /// Resumes the deploy session `id`; see [`DeployOptions::session_id`].
    pub fn session_id(mut self, id: impl Into<String>) -> Self {
        self.options.session_id = Some(id.into());
        self
    }

    /// See [`DeployOptions::heartbeat_every`].
    pub fn heartbeat_every(mut self, every: Duration) -> Self {
        self.options.heartbeat_every = every;
        self
    }

    /// Calls `progress` with every event as it happens.
    pub fn on_progress(mut self, progress: ProgressFn) -> Self {
        self.progress = Some(progress);
        self
    }

    /// Runs the deploy as a stream of its events, ending with `done` (or an error).
    pub fn events(self) -> impl Stream<Item = Result<DeployEvent>> {
        let (sender, receiver) = futures_channel::mpsc::unbounded();
        let earlier = self.progress.clone();
        let forward: ProgressFn = Arc::new(move |event: &DeployEvent| {
            if let Some(earlier) = &earlier {
                earlier(event);
            }
            let _ = sender.unbounded_send(event.clone());
        });
        let run = self.on_progress(forward).into_future();
        EventStream { events: receiver, run: Some(run), failure: None }
    }
}

impl IntoFuture for DeploySite {
    type Output = Result<DeployReport>;
    type IntoFuture = BoxFuture<'static, Result<DeployReport>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let DeploySite { zerokie, app, source, options, progress } = self;
            let emit = move |event: DeployEvent| {
                if let Some(progress) = &progress {
                    progress(&event);
                }
            };
            run(&zerokie, app, source, options, &emit).await
        })
    }
}

/// Events as they come, then the run's failure if it failed; ends once both are done.
struct EventStream {
    events: futures_channel::mpsc::UnboundedReceiver<DeployEvent>,
    run: Option<BoxFuture<'static, Result<DeployReport>>>,
    failure: Option<Error>,
}

impl Stream for EventStream {
    type Item = Result<DeployEvent>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Some(run) = self.run.as_mut() {
            if let Poll::Ready(result) = run.as_mut().poll(cx) {
                self.run = None;
                self.failure = result.err();
            }
        }
        match self.events.poll_next_unpin(cx) {
            Poll::Ready(Some(event)) => Poll::Ready(Some(Ok(event))),
            // The sender lives in the run, so the channel ends only once the run is over.
            Poll::Ready(None) => Poll::Ready(self.failure.take().map(Err)),
            Poll::Pending => Poll::Pending,
        }
    }
}

async fn run(
    zerokie: &Zerokie,
    app: String,
    source: SiteSource,
    options: DeployOptions,
    emit: Emit<'_>,
) -> Result<DeployReport> {
    let started = zerokie.client().now();
    validate::dns_label("app", &app)?;
    options.validate()?;
    let ignore = Ignore::new(&options.ignore)?;
    let (mut local, ignored) = match source {
        #[cfg(not(target_arch = "wasm32"))]
        SiteSource::Directory(root) => site::folder_files(&root, &ignore)?,
        #[cfg(target_arch = "wasm32")]
        SiteSource::Directory(_) => {
            return Err(Error::invalid_input("source", "a folder is read on native platforms; give the files"))
        }
        SiteSource::Files(files) => site::given_files(files, &ignore)?,
    };

    let remote = zerokie.list_files(app.as_str()).await?;
    // Read even when content is not compared, so the hashes of files left alone carry over.
    let previous =
        if remote.iter().any(|f| f.path == MANIFEST_PATH) { read_manifest(zerokie, &app).await? } else { None };
    if options.compare_content {
        for file in local.iter_mut().filter(|file| file.sha256.is_none()) {
            file.sha256 = Some(site::hash(file).await?);
        }
    }
    let plan = plan(&local, &remote, previous.as_ref(), options.compare_content, options.delete_removed, &ignore);
    let uploads: Vec<&LocalFile> = plan.upload.iter().map(|&i| &local[i]).collect();
    let mut report = DeployReport {
        app: app.clone(),
        files_unchanged: plan.unchanged.len() as u64,
        uploaded: uploads.iter().map(|f| f.path.clone()).collect(),
        deleted: plan.delete.clone(),
        ignored,
        dry_run: options.dry_run,
        ..DeployReport::default()
    };
    emit(DeployEvent::Planned {
        uploads: uploads.len() as u64,
        upload_bytes: uploads.iter().map(|f| f.length).sum(),
        deletes: plan.delete.len() as u64,
        unchanged: report.files_unchanged,
        ignored: report.ignored.len() as u64,
    });
    let nothing_to_do = uploads.is_empty() && plan.delete.is_empty() && plan.manifest.is_none();
    if options.dry_run || nothing_to_do {
        report.elapsed_ms = elapsed_ms(zerokie, started);
        emit(DeployEvent::Done { report: report.clone() });
        return Ok(report);
    }

    let session = options.session_id.clone().unwrap_or_else(super::new_deploy_session_id);
    acquire(zerokie, &app, &session).await?;
    report.deploy_session_id = Some(session.clone());
    let changes = apply(zerokie, &app, &uploads, &plan, options.concurrency as usize, emit);
    let heartbeat = heartbeat(zerokie, &app, &session, options.heartbeat_every, emit);
    let (files_uploaded, total_bytes) = match future::select(Box::pin(changes), Box::pin(heartbeat)).await {
        Either::Left((result, _)) => result.map_err(|error| unfinished(error, &session))?,
        Either::Right((error, _)) => return Err(unfinished(error, &session)),
    };

    emit(DeployEvent::Finalizing);
    let summary = FinalizeDeploy {
        name: app.clone(),
        deploy_session_id: session.clone(),
        files_uploaded,
        files_deleted: plan.delete.len() as u64,
        total_bytes,
    };
    let finalized = zerokie.finalize_deploy(summary).await.map_err(|error| unfinished(error, &session))?;
    report.deploy_id = Some(finalized.deploy_id);
    report.timestamp = Some(finalized.timestamp);
    report.cache_purged = finalized.cache_purged;
    report.files_uploaded = files_uploaded;
    report.files_deleted = plan.delete.len() as u64;
    report.total_bytes = total_bytes;
    report.elapsed_ms = elapsed_ms(zerokie, started);
    emit(DeployEvent::Done { report: report.clone() });
    Ok(report)
}

fn elapsed_ms(zerokie: &Zerokie, started: Duration) -> u64 {
    zerokie.client().now().saturating_sub(started).as_millis() as u64
}

/// The previous deploy's manifest, read from the site's storage zone; one that cannot be read as
/// a manifest counts as none.
async fn read_manifest(zerokie: &Zerokie, app: &str) -> Result<Option<Manifest>> {
    let path = format!("/v1/apps/{}/files/{MANIFEST_PATH}", crate::operation::encode(app));
    match zerokie.raw(RawRequest::new(Method::GET, path)).await {
        Ok(response) => Ok(Manifest::parse(&response.body)),
        Err(error) if matches!(error.kind(), ErrorKind::NotFound | ErrorKind::BadRequest) => Ok(None),
        Err(error) => Err(error),
    }
}

/// Takes the lock; a 409 says plainly that another deploy holds it.
async fn acquire(zerokie: &Zerokie, app: &str, session: &str) -> Result<()> {
    match zerokie.acquire_deploy_lock(AcquireDeployLock::new(app, session)).await {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == ErrorKind::Conflict => Err(Error::new(
            ErrorKind::Conflict,
            format!(
                "another deploy holds the deploy lock of {app}; it is released when that deploy \
                 finalizes, or 30 minutes after its last heartbeat ({})",
                error.message()
            ),
        )
        .with_status(409)
        .with_request_id(error.request_id().map(str::to_owned))),
        Err(error) => Err(error),
    }
}

/// Uploads (at most `concurrency` at once), then deletions, then the manifest; returns the files
/// and bytes uploaded.
async fn apply(
    zerokie: &Zerokie,
    app: &str,
    uploads: &[&LocalFile],
    plan: &Plan,
    concurrency: usize,
    emit: Emit<'_>,
) -> Result<(u64, u64)> {
    let sent = AtomicU64::new(0);
    let uploading: Vec<_> = uploads.iter().map(|file| upload(zerokie, app, file, &sent, emit)).collect();
    stream::iter(uploading).buffer_unordered(concurrency).try_collect::<()>().await?;
    let deleting: Vec<_> = plan.delete.iter().map(|path| delete(zerokie, app, path, emit)).collect();
    stream::iter(deleting).buffer_unordered(concurrency).try_collect::<()>().await?;
    if let Some(manifest) = &plan.manifest {
        let body = serde_json::to_vec_pretty(manifest).map_err(|e| Error::new(ErrorKind::Decode, e.to_string()))?;
        zerokie.upload_file(UploadFile::new(app, MANIFEST_PATH, body)).await?;
    }
    Ok((uploads.len() as u64, uploads.iter().map(|f| f.length).sum()))
}

async fn upload(zerokie: &Zerokie, app: &str, file: &LocalFile, sent: &AtomicU64, emit: Emit<'_>) -> Result<()> {
    emit(DeployEvent::FileStarted { path: file.path.clone(), length: file.length });
    let input = match &file.file {
        Some(on_disk) => UploadFile::from_file(app, file.path.clone(), on_disk.clone()),
        None => UploadFile::new(app, file.path.clone(), file.content.clone()),
    };
    zerokie.upload_file(input).await?;
    let total_sent = sent.fetch_add(file.length, Ordering::Relaxed) + file.length;
    emit(DeployEvent::BytesSent { path: file.path.clone(), bytes: file.length, total_sent });
    emit(DeployEvent::FileDone { path: file.path.clone(), length: file.length });
    Ok(())
}

async fn delete(zerokie: &Zerokie, app: &str, path: &str, emit: Emit<'_>) -> Result<()> {
    emit(DeployEvent::Deleting { path: path.to_owned() });
    match zerokie.delete_file(DeleteFile::new(app, path)).await {
        // Gone already (a retried delete, or a resumed deploy): what was asked for holds.
        Err(error) if error.kind() != ErrorKind::NotFound => Err(error),
        _ => Ok(()),
    }
}

/// Renews the lock every `every` until the deploy ends (by dropping this future); returns only if
/// the lock is lost.
async fn heartbeat(zerokie: &Zerokie, app: &str, session: &str, every: Duration, emit: Emit<'_>) -> Error {
    let sleep = zerokie.client().sleep();
    loop {
        sleep.timer(every).await;
        match zerokie.renew_deploy_lock(RenewDeployLock::new(app, session)).await {
            Ok(_) => emit(DeployEvent::LockRenewed),
            Err(error) if error.kind() == ErrorKind::Conflict => return error,
            // A heartbeat that failed after its retries is tried again at the next beat; the lock
            // has most of its 30 minutes left.
            Err(_) => {}
        }
    }
}

/// An error that ended a deploy before it was finalized, saying what became of the lock.
fn unfinished(error: Error, session: &str) -> Error {
    let details = serde_json::json!({
        "deploy_session_id": session,
        "finalized": false,
        "lock": "held until it expires, 30 minutes after the last heartbeat; deploy again with this session_id to resume",
    });
    if error.details().is_some() {
        return error;
    }
    error.with_details(details)
}
