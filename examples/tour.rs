//! The zkit tour: starts a sandbox in this process and walks through every Zerokie, Zenifra and
//! Zenovay operation, and the heart of Zyra.
//!
//!     cargo run --example tour            # against an in-process sandbox
//!     cargo run --example tour -- --live  # against the real APIs, with keys from the environment
//!
//! Live, the Zerokie part needs ZEROKIE_API_KEY; the Zenifra part runs when ZENIFRA_API_KEY and
//! ZENIFRA_PROJECT_ID are set (it changes that project's settings, scales it and deploys to it), the
//! Zenovay part when ZENOVAY_API_KEY is set (read-only), the Zyra part when ZYRA_API_KEY (or ZYRA_EMAIL and
//! ZYRA_PASSWORD) is set (read-only).

use std::time::Duration;

use zkit::zenifra::{
    ChangePlan, DeployBranch, GetLogs, GetMetrics, GetNetworkLatency, GetNetworkRequests, GetNetworkStatusCodes,
    GetNetworkTopPaths, ListProjects, Period, Plan, UpdateDomain, UpdateEnvs, UpdateImage, UpdateInstances,
    UpdateProjectDescription, UpdateProjectName, UpdateStorageSize, Zenifra,
};
use zkit::zenovay::{GetAnalytics, UpdateWebsite, Zenovay};
use zkit::zerokie::{
    new_deploy_session_id, AcquireDeployLock, AddDomain, CreateApp, DeleteFile, DeployApp, FinalizeDeploy,
    RemoveDomain, RenewDeployLock, UploadFile, Zerokie,
};
use zkit::zyra::{CreateVirtualServer, DownloadInvoicePdf, ListDevices, ListFleetAlerts, ListInvoices, Zyra};
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

    let zenifra = match &sandbox {
        Some(sandbox) => Some((
            Zenifra::builder()
                .api_key(credentials::ZENIFRA_ORG_KEY)
                .organization_id(credentials::ZENIFRA_ORGANIZATION_ID)
                .base_url(sandbox.base_url("zenifra"))
                .build()?,
            credentials::ZENIFRA_WEB_PROJECT_ID.to_owned(),
        )),
        None => match std::env::var("ZENIFRA_PROJECT_ID") {
            Ok(project) if std::env::var("ZENIFRA_API_KEY").is_ok() => Some((Zenifra::from_env()?, project)),
            _ => None,
        },
    };
    match zenifra {
        Some((zenifra, project)) => zenifra_tour(&zenifra, &project, sandbox.as_ref()).await?,
        None => println!(
            "
(Zenifra skipped: set ZENIFRA_API_KEY and ZENIFRA_PROJECT_ID)"
        ),
    }
    let zenovay = match &sandbox {
        Some(sandbox) => Some(
            Zenovay::builder().api_key(credentials::ZENOVAY_API_KEY).base_url(sandbox.base_url("zenovay")).build()?,
        ),
        None if std::env::var("ZENOVAY_API_KEY").is_ok() => Some(Zenovay::from_env()?),
        None => None,
    };
    match zenovay {
        Some(zenovay) => zenovay_tour(&zenovay, !live).await?,
        None => println!(
            "
(Zenovay skipped: set ZENOVAY_API_KEY)"
        ),
    }
    let zyra = match &sandbox {
        Some(sandbox) => Some(
            Zyra::builder()
                .login(credentials::ZYRA_ADMIN_EMAIL, credentials::ZYRA_ADMIN_PASSWORD)
                .base_url(sandbox.base_url("zyra"))
                .build()?,
        ),
        None if std::env::var("ZYRA_API_KEY").is_ok() || std::env::var("ZYRA_EMAIL").is_ok() => Some(Zyra::from_env()?),
        None => None,
    };
    match zyra {
        Some(zyra) => zyra_tour(&zyra, !live).await?,
        None => println!(
            "
(Zyra skipped: set ZYRA_API_KEY, or ZYRA_EMAIL and ZYRA_PASSWORD)"
        ),
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

/// Every Zenifra operation on one project.
async fn zenifra_tour(zenifra: &Zenifra, id: &str, sandbox: Option<&Sandbox>) -> zkit::Result<()> {
    section("Zenifra: projects");
    println!("client       {zenifra:?}");
    let page = zenifra.list_projects(ListProjects::default()).await?;
    println!("projects     {} of {} (page {}, {} per page)", page.data.len(), page.total, page.page, page.limit);
    let http = zenifra.list_projects(ListProjects::page(1, 15).kind(zkit::zenifra::ProjectType::Http)).await?;
    println!("http only    {}", http.data.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", "));
    let project = zenifra.get_project(id).await?;
    println!(
        "project      {} ({}) state={} plan={} image={}",
        project.name,
        project.id,
        project.state,
        opt(&project.plan),
        opt(&project.image)
    );
    let renamed = zenifra.update_project_name(UpdateProjectName::new(id, format!("{}-tour", project.name))).await?;
    println!("renamed      {}", renamed.name);
    zenifra.update_project_name(UpdateProjectName::new(id, &project.name)).await?;
    let described =
        zenifra.update_project_description(UpdateProjectDescription::new(id, "Updated by the zkit tour")).await?;
    println!("description  {}", opt(&described.description));
    let envs = zenifra.update_envs(UpdateEnvs::new(id).set("ZKIT_TOUR", "1")).await?;
    println!("envs         {}", envs.envs.keys().cloned().collect::<Vec<_>>().join(", "));
    zenifra.update_envs(UpdateEnvs::new(id).unset("ZKIT_TOUR")).await?;
    println!("envs now     {} variables", zenifra.get_envs(id).await?.envs.len());
    if let Some(domain) = &project.domain {
        let kept = zenifra.update_domain(UpdateDomain::new(id, domain)).await?;
        println!("domain       {}", opt(&kept.domain));
    }

    section("Zenifra: deploys, scaling, plan, storage");
    let image = project.image.clone().unwrap_or_else(|| "registry.zenifra.dev/web:1.0.0".into());
    let deployment = zenifra.update_image(UpdateImage::new(id, &image)).await?;
    println!("image deploy {} {} {}", deployment.id, deployment.status, opt(&deployment.image));
    if let Some(sandbox) = sandbox {
        sandbox.advance_clock(Duration::from_secs(60)); // the rollout takes a while
    }
    let branch = zenifra.deploy_branch(DeployBranch::new(id, "main")).await?;
    println!("branch       {} {} from {}", branch.id, branch.status, opt(&branch.branch));
    for deployment in zenifra.list_deployments(id).await?.iter().take(3) {
        println!("history      {} {:<10} {}", deployment.id, deployment.status.as_str(), deployment.created_at);
    }
    let instances = zenifra.get_instances(id).await?;
    println!("instances    {} (plan allows {})", instances.count, opt(&instances.max));
    match zenifra.update_instances(UpdateInstances::new(id, instances.max.unwrap_or(1) + 1)).await {
        Err(e) if e.kind() == ErrorKind::PaymentRequired => println!("scale up     refused by the plan: {e}"),
        other => println!("scale up     {other:?}"),
    }
    zenifra.update_instances(UpdateInstances::new(id, instances.count)).await?;
    if sandbox.is_some() {
        let plan = zenifra.change_plan(ChangePlan::new(id, Plan::Pro)).await?;
        println!("plan         {}", opt(&plan.plan));
        let storage = zenifra.update_storage_size(UpdateStorageSize::new(id, 20)).await?;
        println!("storage      resized to {} GB", storage.size_gb);
        let stopped = zenifra.stop_project(id).await?;
        println!("stopped      state={}", stopped.state);
        match zenifra.stop_project(id).await {
            Err(e) if e.kind() == ErrorKind::Conflict => println!("stop again   refused: {e}"),
            other => println!("stop again   {other:?}"),
        }
        println!("resumed      state={}", zenifra.resume_project(id).await?.state);
    }
    let usage = zenifra.get_storage_usage(id).await?;
    println!("storage      {:.1} of {} GB used", usage.used_gb, usage.size_gb);

    section("Zenifra: metrics and logs");
    let metrics = zenifra.get_metrics(GetMetrics::from(id).period(Period::Day)).await?;
    println!(
        "metrics 24h  cpu {:.1}% memory {:.0} MB requests {}",
        metrics.cpu_percent, metrics.memory_mb, metrics.requests
    );
    let requests = zenifra.get_network_requests(GetNetworkRequests::from(id)).await?;
    println!("requests 1h  {} in {} slots", requests.total, requests.series.len());
    let codes = zenifra.get_network_status_codes(GetNetworkStatusCodes::from(id)).await?;
    let codes: Vec<String> = codes.codes.iter().map(|c| format!("{}×{}", c.status, c.count)).collect();
    println!("statuses     {}", codes.join(" "));
    let latency = zenifra.get_network_latency(GetNetworkLatency::from(id)).await?;
    println!("latency      p50 {:.0} ms, p90 {:.0} ms, p99 {:.0} ms", latency.p50_ms, latency.p90_ms, latency.p99_ms);
    for path in zenifra.get_network_top_paths(GetNetworkTopPaths::from(id)).await?.paths.iter().take(3) {
        println!("top path     {:<16} {}", path.path, path.requests);
    }
    for line in zenifra.get_logs(GetLogs { id: id.into(), limit: Some(3), level: None }).await? {
        println!("log          {} {:<5} {}", line.timestamp, line.level, line.message);
    }
    Ok(())
}

/// Zyra: a login that renews itself, a page walk, a server's lifecycle (sandbox only), an invoice's
/// PDF and the fleet's alerts. The scenario files reach every other Zyra operation.
async fn zyra_tour(zyra: &Zyra, change_things: bool) -> zkit::Result<()> {
    use futures_util::TryStreamExt;
    section("Zyra: devices, servers, invoices, alerts");
    println!("client       {zyra:?}");
    let devices: Vec<_> = zyra.pages(ListDevices::default().limit(200)).items().try_collect().await?;
    let pending = devices.iter().filter(|d| d.status == zkit::zyra::DeviceStatus::Pending).count();
    println!("devices      {} walked, 200 a page ({pending} pending approval)", devices.len());
    if change_things {
        let server = zyra
            .create_virtual_server(CreateVirtualServer {
                name: "tour".into(),
                size: "gpu.small".into(),
                region: "eu-west".into(),
                image: None,
            })
            .await?;
        let stopped = zyra.stop_virtual_server(server.id.as_str()).await?;
        let gone = zyra.terminate_virtual_server(server.id.as_str()).await?;
        println!("server       {} {} → {} → {}", server.id, server.status, stopped.status, gone.status);
        match zyra.start_virtual_server(server.id.as_str()).await {
            Err(e) if e.kind() == ErrorKind::Conflict => println!("start again  refused: {e}"),
            other => println!("start again  unexpected: {other:?}"),
        }
    }
    let invoices = zyra.list_invoices(ListInvoices::default()).await?;
    if let Some(invoice) = invoices.items.first() {
        let pdf = zyra.download_invoice_pdf(DownloadInvoicePdf::from(invoice.id.as_str())).await?;
        println!(
            "invoice      {} {} {} cents: {} bytes of {}",
            invoice.number,
            invoice.status,
            invoice.amount_cents,
            pdf.content.len(),
            pdf.content_type
        );
    }
    let alerts = zyra.list_fleet_alerts(ListFleetAlerts::default().status(zkit::zyra::AlertStatus::Open)).await?;
    println!("fleet alerts {} open", alerts.total);
    Ok(())
}

/// Every Zenovay operation; settings are changed only against the sandbox.
async fn zenovay_tour(zenovay: &Zenovay, change_settings: bool) -> zkit::Result<()> {
    section("Zenovay: websites and analytics");
    println!("client       {zenovay:?}");
    let websites = zenovay.list_websites().await?;
    for website in &websites {
        println!("website      {} {} ({})", website.id, website.domain, opt(&website.timezone));
    }
    let Some(first) = websites.first() else { return Ok(()) };
    let website = zenovay.get_website(first.id.as_str()).await?;
    println!("fetched      {} public={}", website.name, opt(&website.public));
    if change_settings {
        let updated = zenovay.update_website(UpdateWebsite::new(&website.id).timezone("Europe/Berlin")).await?;
        println!("updated      timezone {}", opt(&updated.timezone));
    }
    let summary = zenovay.get_analytics(GetAnalytics::new(&website.id).range("2026-11-01", "2026-11-30")).await?;
    println!(
        "analytics    {}..{}: {} visitors, {} pageviews, bounce {:.0}%",
        summary.from,
        summary.to,
        summary.visitors,
        summary.pageviews,
        summary.bounce_rate * 100.0
    );
    match zenovay.get_analytics(GetAnalytics::new(&website.id).range("2026-12-01", "2026-11-01")).await {
        Err(e) => println!("bad range    refused before sending: {e}"),
        Ok(_) => println!("bad range    unexpectedly accepted"),
    }
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
