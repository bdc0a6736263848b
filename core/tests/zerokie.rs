//! Every Zerokie operation through the Rust client, over real HTTP against the in-process sandbox.

mod common;

use std::time::Duration;

use zkit::zerokie::*;
use zkit::{ErrorKind, RawRequest};

#[tokio::test]
async fn container_app_lifecycle() {
    let sandbox = common::sandbox().await;
    let zerokie = common::zerokie(&sandbox);

    let created = zerokie
        .create_app(CreateApp::container("my-app", "nginx:alpine").port(80).env("NODE_ENV", "production"))
        .await
        .unwrap();
    assert_eq!(created.name, "my-app");
    assert_eq!(created.image.as_deref(), Some("nginx:alpine"));
    assert_eq!(created.port, Some(80));
    assert_eq!(created.status, AppStatus::Deploying);
    assert_eq!(created.url.as_deref(), Some("https://my-app.platform-dev.zerokie.com"));

    let duplicate = zerokie.create_app(CreateApp::container("my-app", "nginx:alpine")).await.unwrap_err();
    assert_eq!((duplicate.kind(), duplicate.status()), (ErrorKind::Conflict, Some(409)));
    assert_eq!(duplicate.message(), "app name already exists");

    sandbox.advance_clock(Duration::from_secs(10));
    let fetched = zerokie.get_app("my-app").await.unwrap();
    assert_eq!(fetched.status, AppStatus::Running);
    assert_eq!((fetched.instances, fetched.cpu, fetched.memory), (Some(1), Some(256), Some(512)));
    assert!(fetched.created_at.is_some() && fetched.updated_at.is_some());

    let deploy = zerokie.deploy_app(DeployApp::image("my-app", "nginx:1.27")).await.unwrap();
    assert_eq!((deploy.image.as_deref(), &deploy.status), (Some("nginx:1.27"), &AppStatus::Deploying));
    let redeploy = zerokie.deploy_app("my-app").await.unwrap();
    assert_eq!(redeploy.image.as_deref(), Some("nginx:1.27"), "no image re-pulls the current one");

    let listed = zerokie.list_apps().await.unwrap();
    assert_eq!(listed.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["my-app"]);

    zerokie.delete_app("my-app").await.unwrap();
    let gone = zerokie.get_app("my-app").await.unwrap_err();
    assert_eq!((gone.kind(), gone.status(), gone.message()), (ErrorKind::NotFound, Some(404), "app not found"));
    assert!(gone.request_id().is_some());
    assert_eq!(zerokie.delete_app("my-app").await.unwrap_err().kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn static_site_deploy_with_lock_files_and_finalize() {
    let sandbox = common::sandbox().await;
    let zerokie = common::zerokie(&sandbox);
    let site = zerokie.create_app(CreateApp::static_site("my-site")).await.unwrap();
    assert_eq!((site.kind, site.image), (Some(AppType::Static), None));

    let session = new_deploy_session_id();
    let lock = zerokie.acquire_deploy_lock(AcquireDeployLock::new("my-site", &session)).await.unwrap();
    assert!(lock.locked);
    assert_eq!(lock.deploy_session_id, session);
    let rival =
        zerokie.acquire_deploy_lock(AcquireDeployLock::new("my-site", new_deploy_session_id())).await.unwrap_err();
    assert_eq!((rival.kind(), rival.status()), (ErrorKind::Conflict, Some(409)));

    zerokie.upload_file(UploadFile::new("my-site", "index.html", &b"<h1>hi</h1>"[..])).await.unwrap();
    zerokie.upload_file(UploadFile::new("my-site", "assets/site v2.css", &b"h1{}"[..])).await.unwrap();
    zerokie.upload_file(UploadFile::new("my-site", "old.txt", &b"bye"[..])).await.unwrap();
    zerokie.delete_file(DeleteFile::new("my-site", "old.txt")).await.unwrap();
    let missing = zerokie.delete_file(DeleteFile::new("my-site", "old.txt")).await.unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::NotFound);

    let files = zerokie.list_files("my-site").await.unwrap();
    let listed: Vec<(&str, u64)> = files.iter().map(|f| (f.path.as_str(), f.length)).collect();
    assert_eq!(listed, [("assets/site v2.css", 4), ("index.html", 11)]);

    // The upload went out as raw bytes with a Content-Type from the extension.
    let journal = sandbox.journal();
    let css = journal.iter().find(|e| e.method == "PUT" && e.path.ends_with(".css")).unwrap();
    assert_eq!(css.path, "/zerokie/v1/apps/my-site/files/assets/site%20v2.css");
    assert_eq!(css.headers["content-type"], "text/css; charset=utf-8");
    assert_eq!(css.body_len, 4);

    // 29 minutes in, a heartbeat keeps the lock for another 30.
    sandbox.advance_clock(Duration::from_secs(29 * 60));
    zerokie.renew_deploy_lock(RenewDeployLock::new("my-site", &session)).await.unwrap();
    sandbox.advance_clock(Duration::from_secs(29 * 60));
    let done = zerokie
        .finalize_deploy(FinalizeDeploy {
            name: "my-site".into(),
            deploy_session_id: session.clone(),
            files_uploaded: 2,
            files_deleted: 1,
            total_bytes: 15,
        })
        .await
        .unwrap();
    assert!(done.cache_purged);
    assert!(done.deploy_id.starts_with("d-"), "{}", done.deploy_id);
    assert_eq!(done.summary, DeploySummary { files_uploaded: 2, files_deleted: 1, total_bytes: 15 });

    // Finalize released the lock: a new session may take it.
    let next = new_deploy_session_id();
    zerokie.acquire_deploy_lock(AcquireDeployLock::new("my-site", &next)).await.unwrap();
    // Without a heartbeat it expires after 30 minutes; the heartbeat then fails and another session wins.
    sandbox.advance_clock(Duration::from_secs(31 * 60));
    let expired = zerokie.renew_deploy_lock(RenewDeployLock::new("my-site", &next)).await.unwrap_err();
    assert_eq!(expired.kind(), ErrorKind::Conflict);
    zerokie.acquire_deploy_lock(AcquireDeployLock::new("my-site", new_deploy_session_id())).await.unwrap();
}

#[tokio::test]
async fn custom_domains() {
    let sandbox = common::sandbox().await;
    let zerokie = common::zerokie(&sandbox);
    zerokie.create_app(CreateApp::static_site("my-site")).await.unwrap();

    let domain = zerokie.add_domain(AddDomain::new("my-site", "www.example.com")).await.unwrap();
    assert_eq!(domain.domain, "www.example.com");
    assert_eq!(domain.cname_target, "my-site.platform-dev.zerokie.com");
    assert_eq!(domain.tls_status, TlsStatus::Pending);
    let twice = zerokie.add_domain(AddDomain::new("my-site", "www.example.com")).await.unwrap_err();
    assert_eq!(twice.kind(), ErrorKind::Conflict);

    zerokie.remove_domain(RemoveDomain::new("my-site", "www.example.com")).await.unwrap();
    let again = zerokie.remove_domain(RemoveDomain::new("my-site", "www.example.com")).await.unwrap_err();
    assert_eq!(again.kind(), ErrorKind::NotFound);

    // The sandbox refuses apex domains too, for clients that skip the check (the raw call does).
    let apex = zerokie
        .raw(
            RawRequest::new(zkit::http::Method::POST, "/v1/apps/my-site/domains")
                .json(&serde_json::json!({"domain": "example.com"})),
        )
        .await
        .unwrap_err();
    assert_eq!((apex.kind(), apex.status()), (ErrorKind::BadRequest, Some(400)));
}

#[tokio::test]
async fn invalid_input_never_reaches_the_server() {
    let sandbox = common::sandbox().await;
    let zerokie = common::zerokie(&sandbox);
    let session = new_deploy_session_id();
    let refusals = [
        (zerokie.add_domain(AddDomain::new("my-site", "example.com")).await.unwrap_err(), "domain"),
        (zerokie.upload_file(UploadFile::new("my-site", "../x.html", &b""[..])).await.unwrap_err(), "path"),
        (zerokie.upload_file(UploadFile::new("my-site", "/x.html", &b""[..])).await.unwrap_err(), "path"),
        (zerokie.upload_file(UploadFile::new("my-site", "a\\x.html", &b""[..])).await.unwrap_err(), "path"),
        (zerokie.delete_file(DeleteFile::new("my-site", "a//x.html")).await.unwrap_err(), "path"),
        (
            zerokie.acquire_deploy_lock(AcquireDeployLock::new("my-site", "lock-1")).await.unwrap_err(),
            "deploy_session_id",
        ),
        (zerokie.renew_deploy_lock(RenewDeployLock::new("", &session)).await.unwrap_err(), "name"),
        (zerokie.create_app(CreateApp::container("", "nginx")).await.unwrap_err(), "name"),
        (zerokie.get_app("").await.unwrap_err(), "name"),
        (
            zerokie
                .raw(
                    RawRequest::new(zkit::http::Method::GET, "/v1/apps")
                        .query("key", zkit_sandbox::credentials::ZEROKIE_API_KEY),
                )
                .await
                .unwrap_err(),
            "path",
        ),
    ];
    for (error, field) in refusals {
        assert_eq!((error.kind(), error.field()), (ErrorKind::InvalidInput, Some(field)), "{error}");
        assert_eq!(error.status(), None);
    }
    assert!(sandbox.journal().is_empty(), "nothing was sent: {:?}", sandbox.journal());
}

#[tokio::test]
async fn files_and_domains_belong_to_static_apps() {
    let sandbox = common::sandbox().await;
    let zerokie = common::zerokie(&sandbox);
    zerokie.create_app(CreateApp::container("api", "nginx")).await.unwrap();
    let files = zerokie.list_files("api").await.unwrap_err();
    assert_eq!((files.kind(), files.status()), (ErrorKind::BadRequest, Some(400)));
    let domain = zerokie.add_domain(AddDomain::new("api", "www.example.com")).await.unwrap_err();
    assert_eq!(domain.kind(), ErrorKind::BadRequest);
}

#[tokio::test]
async fn wrong_key_is_unauthorized_and_never_echoed() {
    let sandbox = common::sandbox().await;
    let key = "zrk_wrong_key_that_must_stay_secret";
    let zerokie = zkit::Zerokie::builder().api_key(key).base_url(sandbox.base_url("zerokie")).build().unwrap();
    let error = zerokie.list_apps().await.unwrap_err();
    assert_eq!((error.kind(), error.status()), (ErrorKind::Unauthorized, Some(401)));
    for text in [error.to_string(), format!("{error:?}"), format!("{zerokie:?}")] {
        assert!(!text.contains(key), "key leaked into {text}");
    }
    assert!(format!("{zerokie:?}").contains("zrk_…cret"));
    let journal = serde_json::to_string(&sandbox.journal()).unwrap();
    assert!(!journal.contains(key), "key leaked into the journal");
}

#[tokio::test]
async fn raw_calls_and_response_facts() {
    let sandbox = common::sandbox().await;
    let zerokie = common::zerokie(&sandbox);
    zerokie.create_app(CreateApp::static_site("site")).await.unwrap();

    let raw = zerokie.raw(RawRequest::new(zkit::http::Method::GET, "/v1/apps/site")).await.unwrap();
    assert_eq!(raw.status, 200);
    assert_eq!(raw.json().unwrap()["name"], "site");

    let listed = zerokie.list_apps().send_with_meta().await.unwrap();
    assert_eq!((listed.meta.status, listed.meta.attempts, listed.data.len()), (200, 1, 1));
    assert!(listed.meta.request_id.as_deref().is_some_and(|id| id.starts_with("req_")));

    let missing = zerokie.raw(RawRequest::new(zkit::http::Method::GET, "/v1/apps/none")).await.unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::NotFound);
    let escape = zerokie.raw(RawRequest::new(zkit::http::Method::GET, "/v1/../admin")).await.unwrap_err();
    assert_eq!(escape.field(), Some("path"));

    let json = zerokie.call_json("get_app", serde_json::json!({"name": "site"}), Default::default()).await.unwrap();
    assert_eq!(json.data["type"], "static");
    let unknown = zerokie.call_json("launch_rocket", serde_json::json!({}), Default::default()).await.unwrap_err();
    assert_eq!(unknown.field(), Some("operation"));
    let missing_field = zerokie.call_json("get_app", serde_json::json!({}), Default::default()).await.unwrap_err();
    assert_eq!(missing_field.field(), Some("name"));
}

#[tokio::test]
async fn concurrent_calls_share_one_client() {
    let sandbox = common::sandbox().await;
    let zerokie = common::zerokie(&sandbox);
    let creates = (0..16).map(|i| {
        let zerokie = zerokie.clone();
        tokio::spawn(async move { zerokie.create_app(CreateApp::static_site(format!("site-{i}"))).await })
    });
    for handle in creates {
        handle.await.unwrap().unwrap();
    }
    assert_eq!(zerokie.list_apps().await.unwrap().len(), 16);
}
