//! The static-site deploy (`Zerokie::deploy_site`) against the sandbox: planning, the manifest, the
//! lock and its heartbeat, faults, failures, cancellation and dry runs.

mod common;

use std::future::IntoFuture;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use zkit::exec::manual::ManualClock;
use zkit::zerokie::*;
use zkit::ErrorKind;
use zkit_sandbox::{Fault, JournalEntry, Sandbox};

const APP: &str = "my-site";

/// A fresh folder under the system's temp dir, removed when dropped.
struct Folder(PathBuf);

impl Folder {
    fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!("zkit-deploy-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    fn write(&self, relative: &str, content: impl AsRef<[u8]>) {
        let path = self.0.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    fn remove(&self, relative: &str) {
        std::fs::remove_file(self.0.join(relative)).unwrap();
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// 200 files in nested folders, with spaces and non-ASCII names, plus what a deploy leaves out.
fn site_of_200(name: &str) -> Folder {
    let folder = Folder::new(name);
    for i in 0..200 {
        let relative = match i % 4 {
            0 => format!("page {i}.html"),
            1 => format!("assets/css/style-{i}.css"),
            2 => format!("blog/été/naïve café {i}.md"),
            _ => format!("img/日本/{i}.txt"),
        };
        folder.write(&relative, format!("content of file {i}\n").repeat(i + 1));
    }
    folder.write(".git/HEAD", "ref: refs/heads/main\n");
    folder.write(".DS_Store", [0u8; 16]);
    folder.write("assets/.DS_Store", [0u8; 16]);
    folder
}

async fn static_site(sandbox: &Sandbox) -> Zerokie {
    let zerokie = common::zerokie(sandbox);
    zerokie.create_app(CreateApp::static_site(APP)).await.unwrap();
    zerokie
}

fn is_change(entry: &JournalEntry) -> bool {
    entry.method != "GET"
}

fn finalizes(sandbox: &Sandbox) -> usize {
    sandbox.journal().iter().filter(|e| e.path.ends_with("/deploy/finalize")).count()
}

fn deployments(sandbox: &Sandbox) -> Vec<serde_json::Value> {
    sandbox.zerokie_deploys(APP).unwrap()["deployments"].as_array().unwrap().clone()
}

fn lock_holder(sandbox: &Sandbox) -> Option<String> {
    sandbox.zerokie_deploys(APP).unwrap()["lock"]["deploy_session_id"].as_str().map(str::to_owned)
}

#[tokio::test]
async fn a_nested_folder_deploys_then_redeploys_nothing_then_only_what_changed() {
    let sandbox = common::sandbox().await;
    let zerokie = static_site(&sandbox).await;
    let folder = site_of_200("nested");

    let first = zerokie.deploy_site(APP, folder.path()).await.unwrap();
    assert_eq!((first.files_uploaded, first.files_deleted, first.files_unchanged), (200, 0, 0));
    assert_eq!(first.ignored, [".DS_Store", ".git", "assets/.DS_Store"], "a folder is left out whole");
    assert!(first.deploy_id.is_some() && first.cache_purged && !first.dry_run);
    let expected_bytes: u64 = (0..200).map(|i| (format!("content of file {i}\n").len() * (i + 1)) as u64).sum();
    assert_eq!(first.total_bytes, expected_bytes);

    let remote = zerokie.list_files(APP).await.unwrap();
    assert_eq!(remote.len(), 201, "the 200 files and the manifest");
    assert!(remote.iter().any(|f| f.path == "blog/été/naïve café 2.md"));
    assert!(remote.iter().any(|f| f.path == MANIFEST_PATH));
    assert!(!remote.iter().any(|f| f.path.contains(".git") || f.path.contains(".DS_Store")));
    let recorded = deployments(&sandbox);
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0]["summary"]["files_uploaded"], 200, "the manifest is not counted");
    assert_eq!(recorded[0]["summary"]["total_bytes"], expected_bytes);
    assert_eq!(lock_holder(&sandbox), None, "finalizing released the lock");

    // Unchanged: a listing, the manifest read, and nothing else.
    sandbox.clear_journal();
    let again = zerokie.deploy_site(APP, folder.path()).await.unwrap();
    assert_eq!((again.files_uploaded, again.files_deleted, again.files_unchanged), (0, 0, 200));
    assert_eq!(again.deploy_id, None);
    let journal = sandbox.journal();
    assert!(!journal.iter().any(is_change), "{journal:?}");
    assert_eq!(journal.len(), 2);

    // A change of the same length (only the hash tells), an addition, a removal.
    folder.write("page 0.html", "CONTENT OF FILE 0\n");
    folder.write("new/added file.txt", "new");
    folder.remove("img/日本/3.txt");
    sandbox.clear_journal();
    let third = zerokie.deploy_site(APP, folder.path()).await.unwrap();
    assert_eq!(third.uploaded, ["new/added file.txt", "page 0.html"]);
    assert_eq!(third.deleted, ["img/日本/3.txt"]);
    assert_eq!((third.files_uploaded, third.files_deleted, third.files_unchanged), (2, 1, 198));
    let puts: Vec<String> = sandbox
        .journal()
        .iter()
        .filter(|e| e.method == "PUT" && e.path.contains("/files/"))
        .map(|e| e.path.clone())
        .collect();
    assert_eq!(puts.len(), 3, "two files and the manifest: {puts:?}");
    let recorded = deployments(&sandbox);
    assert_eq!(
        (recorded[1]["summary"]["files_uploaded"].as_u64(), recorded[1]["summary"]["files_deleted"].as_u64()),
        (Some(2), Some(1))
    );
    let remote = zerokie.list_files(APP).await.unwrap();
    assert!(!remote.iter().any(|f| f.path == "img/日本/3.txt"));
    assert_eq!(remote.len(), 201);
}

#[tokio::test]
async fn files_given_as_entries_deploy_and_without_content_compare_only_lengths_decide() {
    let sandbox = common::sandbox().await;
    let zerokie = static_site(&sandbox).await;
    let files = vec![SiteFile::bytes("index.html", "<h1>one</h1>"), SiteFile::bytes("css/a b.css", "h1{}")];
    let report = zerokie.deploy_site(APP, files).await.unwrap();
    assert_eq!(report.uploaded, ["css/a b.css", "index.html"]);

    let same_length = vec![SiteFile::bytes("index.html", "<h1>two</h1>"), SiteFile::bytes("css/a b.css", "h1{}")];
    let by_length = zerokie.deploy_site(APP, same_length.clone()).compare_content(false).await.unwrap();
    assert_eq!(by_length.files_uploaded, 0, "lengths agree and content is not compared");
    let by_hash = zerokie.deploy_site(APP, same_length).await.unwrap();
    assert_eq!(by_hash.uploaded, ["index.html"]);

    let kept =
        zerokie.deploy_site(APP, vec![SiteFile::bytes("index.html", "<h1>two</h1>")]).delete_removed(false).await;
    assert_eq!(kept.unwrap().files_deleted, 0);
    assert!(zerokie.list_files(APP).await.unwrap().iter().any(|f| f.path == "css/a b.css"));
}

#[tokio::test]
async fn the_event_stream_runs_the_deploy_in_order() {
    let sandbox = common::sandbox().await;
    let zerokie = static_site(&sandbox).await;
    let files: Vec<SiteFile> = (0..20).map(|i| SiteFile::bytes(format!("f{i}.txt"), vec![b'x'; 100])).collect();
    let events: Vec<DeployEvent> =
        zerokie.deploy_site(APP, files).concurrency(4).events().map(|e| e.unwrap()).collect().await;

    assert!(matches!(events[0], DeployEvent::Planned { uploads: 20, upload_bytes: 2000, deletes: 0, .. }));
    let started = events.iter().filter(|e| matches!(e, DeployEvent::FileStarted { .. })).count();
    let done = events.iter().filter(|e| matches!(e, DeployEvent::FileDone { .. })).count();
    assert_eq!((started, done), (20, 20));
    let last_sent = events.iter().rev().find_map(|e| match e {
        DeployEvent::BytesSent { total_sent, .. } => Some(*total_sent),
        _ => None,
    });
    assert_eq!(last_sent, Some(2000));
    let n = events.len();
    assert_eq!(events[n - 2], DeployEvent::Finalizing);
    let DeployEvent::Done { report } = &events[n - 1] else { panic!("ends with done: {events:?}") };
    assert_eq!(report.files_uploaded, 20);
}

#[tokio::test]
async fn a_dry_run_sends_only_the_listing() {
    let sandbox = common::sandbox().await;
    let zerokie = static_site(&sandbox).await;
    zerokie.upload_file(UploadFile::new(APP, "stale.html", &b"old"[..])).await.unwrap();
    sandbox.clear_journal();

    let plan = zerokie.deploy_site(APP, vec![SiteFile::bytes("index.html", "hi")]).dry_run(true).await.unwrap();
    assert!(plan.dry_run);
    assert_eq!(
        (plan.uploaded.as_slice(), plan.deleted.as_slice()),
        (&["index.html".to_owned()][..], &["stale.html".to_owned()][..])
    );
    assert_eq!((plan.files_uploaded, plan.files_deleted, plan.deploy_session_id), (0, 0, None));
    let journal = sandbox.journal();
    assert_eq!(journal.len(), 1, "{journal:?}");
    assert_eq!((journal[0].method.as_str(), journal[0].path.as_str()), ("GET", "/zerokie/v1/apps/my-site/files"));
}

#[tokio::test]
async fn a_deploy_holding_the_lock_makes_another_fail_with_a_clear_conflict() {
    let sandbox = common::sandbox().await;
    let zerokie = static_site(&sandbox).await;
    let rival = new_deploy_session_id();
    zerokie.acquire_deploy_lock(AcquireDeployLock::new(APP, &rival)).await.unwrap();
    sandbox.clear_journal();

    let error = zerokie.deploy_site(APP, vec![SiteFile::bytes("index.html", "hi")]).await.unwrap_err();
    assert_eq!((error.kind(), error.status()), (ErrorKind::Conflict, Some(409)));
    assert!(error.message().contains("another deploy holds the deploy lock of my-site"), "{}", error.message());
    assert!(!sandbox.journal().iter().any(|e| e.method == "PUT"), "nothing uploaded");
    assert_eq!(lock_holder(&sandbox).as_deref(), Some(rival.as_str()));
}

#[tokio::test]
async fn server_errors_mid_upload_are_retried_and_the_deploy_completes() {
    let sandbox = common::sandbox().await;
    let zerokie = static_site(&sandbox).await;
    let files: Vec<SiteFile> = (0..10).map(|i| SiteFile::bytes(format!("f{i}.txt"), format!("file {i}"))).collect();
    sandbox.inject(Fault::status(503).on_method("PUT").on_path("/zerokie/v1/apps/my-site/files/f").times(3));

    let report = zerokie.deploy_site(APP, files).await.unwrap();
    assert_eq!(report.files_uploaded, 10);
    let journal = sandbox.journal();
    assert_eq!(journal.iter().filter(|e| e.status == Some(503)).count(), 3);
    assert_eq!(zerokie.list_files(APP).await.unwrap().len(), 11);
    assert_eq!(deployments(&sandbox).len(), 1);
}

#[tokio::test]
async fn a_permanent_failure_leaves_the_site_unfinalized_and_says_what_became_of_the_lock() {
    let sandbox = common::sandbox().await;
    let zerokie = static_site(&sandbox).await;
    let files: Vec<SiteFile> = (0..10).map(|i| SiteFile::bytes(format!("f{i}.txt"), format!("file {i}"))).collect();
    sandbox.inject(Fault::status(500).on_method("PUT").on_path("/zerokie/v1/apps/my-site/files/f7.txt").times(100));

    let error = zerokie.deploy_site(APP, files).await.unwrap_err();
    assert_eq!(error.status(), Some(500));
    let details = error.details().unwrap();
    assert_eq!(details["finalized"], false);
    let session = details["deploy_session_id"].as_str().unwrap();
    assert!(details["lock"].as_str().unwrap().contains("30 minutes"));
    assert_eq!(finalizes(&sandbox), 0);
    assert!(deployments(&sandbox).is_empty());
    assert_eq!(lock_holder(&sandbox).as_deref(), Some(session), "the lock stays until it expires");

    // Resuming with the session that holds the lock finishes the deploy. No manifest was written
    // yet, so only lengths can tell what arrived.
    sandbox.clear_faults();
    let files: Vec<SiteFile> = (0..10).map(|i| SiteFile::bytes(format!("f{i}.txt"), format!("file {i}"))).collect();
    let resumed = zerokie.deploy_site(APP, files).session_id(session).compare_content(false).await.unwrap();
    assert_eq!(resumed.deploy_session_id.as_deref(), Some(session));
    assert_eq!(resumed.files_uploaded, 1, "only the file that failed is left: {:?}", resumed.uploaded);
    assert_eq!(deployments(&sandbox).len(), 1);
}

#[tokio::test]
async fn dropping_a_deploy_stops_its_uploads_and_never_finalizes() {
    let sandbox = common::sandbox().await;
    let zerokie = static_site(&sandbox).await;
    let files: Vec<SiteFile> = (0..6).map(|i| SiteFile::bytes(format!("f{i}.txt"), format!("file {i}"))).collect();
    sandbox.inject(Fault::delay(3_000).on_method("PUT").on_path("/zerokie/v1/apps/my-site/files/").times(6));

    let deploy = zerokie.deploy_site(APP, files).concurrency(2).into_future();
    let cut = tokio::time::timeout(Duration::from_millis(400), deploy).await;
    assert!(cut.is_err(), "the deploy was still running");
    tokio::time::sleep(Duration::from_millis(3_500)).await;

    let journal = sandbox.journal();
    let uploads = journal.iter().filter(|e| e.method == "PUT" && e.path.contains("/files/")).count();
    assert_eq!(uploads, 2, "only the uploads in flight when it was dropped: {journal:?}");
    assert_eq!(finalizes(&sandbox), 0);
    assert!(deployments(&sandbox).is_empty());
    assert!(lock_holder(&sandbox).is_some(), "the lock is left to expire");
}

#[tokio::test]
async fn the_heartbeat_renews_the_lock_every_3_minutes_while_a_deploy_runs() {
    let sandbox = common::sandbox().await;
    static_site(&sandbox).await;
    let clock = ManualClock::new(common::UNIX_ORIGIN);
    let zerokie = common::zerokie_builder(&sandbox)
        .time(Arc::new(clock.clone()), Arc::new(clock.sleeper()))
        .timeout(None)
        .deadline(None)
        .build()
        .unwrap();
    sandbox.inject(Fault::delay(1_500).on_method("PUT").on_path("/zerokie/v1/apps/my-site/files/slow"));

    let renewals = Arc::new(Mutex::new(0));
    let counted = renewals.clone();
    let files = vec![SiteFile::bytes("slow.bin", vec![1u8; 1000]), SiteFile::bytes("fast.txt", "x")];
    let deploy = zerokie
        .deploy_site(APP, files)
        .on_progress(Arc::new(move |event| {
            if *event == DeployEvent::LockRenewed {
                *counted.lock().unwrap() += 1;
            }
        }))
        .into_future();
    let running = tokio::spawn(deploy);
    tokio::time::sleep(Duration::from_millis(300)).await;
    clock.advance(Duration::from_secs(179));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(*renewals.lock().unwrap(), 0, "not before 3 minutes");
    clock.advance(Duration::from_secs(1));
    tokio::time::sleep(Duration::from_millis(200)).await;
    clock.advance(Duration::from_secs(180));
    let report = running.await.unwrap().unwrap();

    assert_eq!(*renewals.lock().unwrap(), 2);
    let beats = sandbox.journal().iter().filter(|e| e.method == "PUT" && e.path.ends_with("/deploy/lock")).count();
    assert_eq!(beats, 2);
    assert_eq!(report.files_uploaded, 2);
    // The heartbeat stopped with the deploy.
    clock.advance(Duration::from_secs(600));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let after = sandbox.journal().iter().filter(|e| e.method == "PUT" && e.path.ends_with("/deploy/lock")).count();
    assert_eq!(after, 2);
}

#[tokio::test]
async fn bad_input_is_refused_before_anything_is_sent() {
    let sandbox = common::sandbox().await;
    let zerokie = static_site(&sandbox).await;
    sandbox.clear_journal();

    let error = zerokie.deploy_site(APP, vec![SiteFile::bytes("ok.txt", "x")]).concurrency(0).await.unwrap_err();
    assert_eq!((error.kind(), error.field()), (ErrorKind::InvalidInput, Some("concurrency")));
    let error = zerokie.deploy_site(APP, vec![SiteFile::bytes("../up.txt", "x")]).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    let error = zerokie.deploy_site(APP, vec![SiteFile::bytes("a.txt", "x")]).session_id("nope").await.unwrap_err();
    assert_eq!(error.field(), Some("session_id"));
    let error = zerokie.deploy_site(APP, Path::new("/no/such/folder")).await.unwrap_err();
    assert_eq!(error.field(), Some("source"));

    #[cfg(unix)]
    {
        let folder = Folder::new("symlink");
        folder.write("index.html", "hi");
        std::os::unix::fs::symlink("/etc", folder.path().join("outside")).unwrap();
        let error = zerokie.deploy_site(APP, folder.path()).await.unwrap_err();
        assert_eq!(error.field(), Some("source"));
        assert!(error.message().contains("outside"), "{}", error.message());
    }
    assert!(sandbox.journal().is_empty());
}
