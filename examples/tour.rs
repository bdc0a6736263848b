//! The zkit tour: starts a sandbox in this process and walks through every Zerokie operation.
//!
//!     cargo run --example tour            # against an in-process sandbox
//!     cargo run --example tour -- --live  # against the real API, with ZEROKIE_API_KEY from the environment

use std::time::Duration;

use zkit::zerokie::{
    new_deploy_session_id, AcquireDeployLock, AddDomain, CreateApp, DeleteFile, DeployApp, FinalizeDeploy,
    RemoveDomain, RenewDeployLock, UploadFile, Zerokie,
};
use zkit::{ErrorKind, RawRequest};
use zkit_sandbox::{credentials, Sandbox};

#[tokio::main]
async fn main() {
    if let Err(error) = run().await {
        eprintln!("\ntour stopped: {error}");
        std::process::exit(1);
    }
}

async fn run() -> zkit::Result<()> {
    let live = std::env::args().any(|arg| arg == "--live");
    let sandbox = if live { None } else { Some(Sandbox::start().await.expect("the sandbox starts on 127.0.0.1")) };
    let zerokie = match &sandbox {
        Some(sandbox) => {
            println!("sandbox running at {}", sandbox.url());
            Zerokie::builder().api_key(credentials::ZEROKIE_API_KEY).base_url(sandbox.base_url("zerokie")).build()?
        }
        None => {
            println!("live mode: using ZEROKIE_API_KEY and ZEROKIE_BASE_URL from the environment");
            Zerokie::from_env()?
        }
    };
    println!("client: {zerokie:?}\n");
    let suffix = if live { format!("-{:x}", zkit::exec::unique_u64() & 0xffff) } else { String::new() };
    let (api, site) = (format!("tour-api{suffix}"), format!("tour-site{suffix}"));

    section("Container apps");
    let app =
        zerokie.create_app(CreateApp::container(&api, "nginx:alpine").port(80).env("NODE_ENV", "production")).await?;
    println!(
        "created      {} ({}) image={} status={} url={}",
        app.name,
        kind(&app.kind),
        opt(&app.image),
        app.status,
        opt(&app.url)
    );
    if let Some(sandbox) = &sandbox {
        sandbox.advance_clock(Duration::from_secs(10)); // the rollout takes a few seconds
    }
    let app = zerokie.get_app(api.as_str()).await?;
    println!(
        "fetched      {} status={} instances={} cpu={} memory={} created_at={}",
        app.name,
        app.status,
        opt(&app.instances),
        opt(&app.cpu),
        opt(&app.memory),
        opt(&app.created_at)
    );
    let deploy = zerokie.deploy_app(DeployApp::image(api.as_str(), "nginx:1.27-alpine")).await?;
    println!("deployed     {} image={} status={}", deploy.name, opt(&deploy.image), deploy.status);
    match zerokie.create_app(CreateApp::container(&api, "nginx:alpine")).await {
        Err(e) if e.kind() == ErrorKind::Conflict => println!("duplicate    refused: {e}"),
        other => println!("duplicate    unexpected: {other:?}"),
    }

    section("Static apps: files, deploy lock, finalize");
    let created = zerokie.create_app(CreateApp::static_site(&site)).await?;
    println!("created      {} ({}) status={}", created.name, kind(&created.kind), created.status);
    let session = new_deploy_session_id();
    let lock = zerokie.acquire_deploy_lock(AcquireDeployLock::new(&site, &session)).await?;
    println!("locked       session {} locked={}", lock.deploy_session_id, lock.locked);
    let other = new_deploy_session_id();
    match zerokie.acquire_deploy_lock(AcquireDeployLock::new(&site, &other)).await {
        Err(e) if e.kind() == ErrorKind::Conflict => println!("second lock  refused: {e}"),
        other => println!("second lock  unexpected: {other:?}"),
    }
    let files: [(&str, &[u8]); 3] = [
        ("index.html", b"<!doctype html><h1>Hello from zkit</h1>"),
        ("assets/site.css", b"h1 { color: teal }"),
        ("old.txt", b"to be removed"),
    ];
    let mut total_bytes = 0;
    for (path, content) in files {
        let upload = UploadFile::new(&site, path, content);
        println!("upload       {path} ({} bytes, {})", content.len(), upload.effective_content_type());
        zerokie.upload_file(upload).await?;
        total_bytes += content.len() as u64;
    }
    zerokie.delete_file(DeleteFile::new(&site, "old.txt")).await?;
    println!("deleted      old.txt");
    zerokie.renew_deploy_lock(RenewDeployLock::new(&site, &session)).await?;
    println!("heartbeat    lock kept alive");
    for file in zerokie.list_files(site.as_str()).await? {
        println!("file         {:<18} {:>5} bytes  modified {}", file.path, file.length, file.last_modified);
    }
    let done = zerokie
        .finalize_deploy(FinalizeDeploy {
            name: site.clone(),
            deploy_session_id: session.clone(),
            files_uploaded: 3,
            files_deleted: 1,
            total_bytes,
        })
        .await?;
    println!(
        "finalized    {} at {} cache_purged={} summary={:?}",
        done.deploy_id, done.timestamp, done.cache_purged, done.summary
    );

    section("Custom domains");
    let domain = zerokie.add_domain(AddDomain::new(&site, format!("www.{site}.example.com"))).await?;
    println!("added        {} -> CNAME {} (tls {})", domain.domain, domain.cname_target, domain.tls_status);
    match zerokie.add_domain(AddDomain::new(&site, "example.com")).await {
        Err(e) => println!("apex         refused before sending: {e}"),
        Ok(d) => println!("apex         unexpectedly added: {}", d.domain),
    }
    zerokie.remove_domain(RemoveDomain::new(&site, &domain.domain)).await?;
    println!("removed      {}", domain.domain);

    section("Errors, raw calls and response facts");
    match zerokie.get_app("no-such-app").await {
        Err(e) => println!("missing app  {:?} status={:?} request_id={:?}", e.kind(), e.status(), e.request_id()),
        Ok(_) => println!("missing app  unexpectedly found"),
    }
    match zerokie.upload_file(UploadFile::new(&site, "../escape.html", &b""[..])).await {
        Err(e) => println!("bad path     {:?} on field {:?}: {}", e.kind(), e.field().unwrap_or("?"), e.message()),
        Ok(()) => println!("bad path     unexpectedly accepted"),
    }
    let listed = zerokie.list_apps().send_with_meta().await?;
    println!(
        "list         {} apps, status {}, request id {}, {} attempt(s)",
        listed.data.len(),
        listed.meta.status,
        listed.meta.request_id.as_deref().unwrap_or("-"),
        listed.meta.attempts
    );
    let raw = zerokie.raw(RawRequest::new(zkit::http::Method::GET, format!("/v1/apps/{api}"))).await?;
    println!("raw GET      {} -> {}", raw.status, raw.json()?);

    section("Clean up");
    for name in [&api, &site] {
        zerokie.delete_app(name.as_str()).await?;
        println!("deleted      {name}");
    }
    if let Some(sandbox) = sandbox {
        println!("\nthe sandbox saw {} requests; none carried the key in clear:", sandbox.journal().len());
        if let Some(entry) = sandbox.journal().first() {
            println!(
                "  {} {} authorization: {}",
                entry.method,
                entry.path,
                entry.headers.get("authorization").map_or("-", String::as_str)
            );
        }
        sandbox.shutdown().await;
    }
    println!("\ntour complete");
    Ok(())
}

fn section(title: &str) {
    println!("\n== {title}");
}

fn kind(kind: &Option<zkit::zerokie::AppType>) -> String {
    kind.as_ref().map_or("?".into(), ToString::to_string)
}

fn opt<T: std::fmt::Display>(value: &Option<T>) -> String {
    value.as_ref().map_or("-".into(), ToString::to_string)
}
