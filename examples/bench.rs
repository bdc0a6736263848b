//! Prints figures for the core's hot paths: pure request building and decoding, and whole calls
//! through the pipeline against an in-process sandbox. A benchmark, not a test: it asserts nothing.
//!
//!     cargo run --release --example bench

use std::time::{Duration, Instant};

use futures_util::TryStreamExt;

use zkit::operation::{build_request, decode_json};
use zkit::zenifra::{GetMetrics, Period, ProjectPage, UpdateEnvs, Zenifra};
use zkit::zerokie::{App, CreateApp, UploadFile, Zerokie};
use zkit::zyra::{DevicePage, ListDevices, Zyra};
use zkit_sandbox::{credentials, Sandbox};

fn per_op(label: &str, iterations: u32, mut f: impl FnMut()) {
    for _ in 0..iterations / 10 {
        f();
    }
    let started = Instant::now();
    for _ in 0..iterations {
        f();
    }
    let each = started.elapsed() / iterations;
    println!("{label:<48} {:>10.2} µs/op", each.as_secs_f64() * 1e6);
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1e6
}

#[tokio::main]
async fn main() {
    println!("== pure request building and decoding (no I/O)");
    let create = CreateApp::container("my-app", "nginx:alpine").port(80).env("NODE_ENV", "production");
    per_op("build_request(create_app)", 200_000, || {
        std::hint::black_box(build_request(&create, "https://api.platform-dev.zerokie.com").unwrap());
    });
    let upload = UploadFile::new("my-site", "assets/css/site v2.css", vec![b'x'; 64 * 1024]);
    per_op("build_request(upload_file, 64 KiB)", 200_000, || {
        std::hint::black_box(build_request(&upload, "https://api.platform-dev.zerokie.com").unwrap());
    });
    let list: Vec<u8> = serde_json::to_vec(
        &(0..100)
            .map(|i| {
                serde_json::json!({"name": format!("app-{i}"), "image": "nginx:alpine", "port": 80,
                "status": "running", "url": format!("https://app-{i}.platform-dev.zerokie.com")})
            })
            .collect::<Vec<_>>(),
    )
    .unwrap();
    per_op("decode_json(Vec<App>, 100 apps)", 20_000, || {
        std::hint::black_box(decode_json::<Vec<App>>(&list).unwrap());
    });

    let envs = UpdateEnvs::new("507f1f77bcf86cd799439011").set("NODE_ENV", "production").unset("DEBUG");
    per_op("build_request(zenifra update_envs)", 200_000, || {
        std::hint::black_box(build_request(&envs, "https://api.zenifra.com/v1").unwrap());
    });
    let metrics = GetMetrics::from("507f1f77bcf86cd799439011").period(Period::Day);
    per_op("build_request(zenifra get_metrics, query)", 200_000, || {
        std::hint::black_box(build_request(&metrics, "https://api.zenifra.com/v1").unwrap());
    });
    let page: Vec<u8> = serde_json::to_vec(&serde_json::json!({
        "data": (0..100).map(|i| serde_json::json!({"id": format!("{i:024x}"), "name": format!("project-{i}"),
            "type": "http", "state": "running", "plan": "pro", "instances": 3, "storage_gb": 10,
            "organization_id": "org_1", "created_at": "2026-01-15T10:00:00Z"})).collect::<Vec<_>>(),
        "page": 1, "limit": 100, "total": 100
    }))
    .unwrap();
    per_op("decode_json(ProjectPage, 100 projects)", 20_000, || {
        std::hint::black_box(decode_json::<ProjectPage>(&page).unwrap());
    });

    let devices = bytes::Bytes::from(
        serde_json::to_vec(&serde_json::json!({
            "success": true,
            "data": {
                "items": (0..200).map(|i| serde_json::json!({"id": format!("dev_{i:04}"), "name": format!("node-{i}"),
                    "status": "approved", "gpu_model": "A100", "gpu_count": 8, "region": "eu-west", "registered_at": "2026-01-15T10:00:00Z"}))
                    .collect::<Vec<_>>(),
                "offset": 0, "limit": 200, "total": 520
            },
            "meta": {"request_id": "req_1", "timestamp": "2026-01-15T10:00:00Z"}
        }))
        .unwrap(),
    );
    per_op("zyra envelope + decode_json(DevicePage, 200)", 5_000, || {
        let opened = (zkit::zyra::PROFILE.success_body)(&devices).unwrap();
        std::hint::black_box(decode_json::<DevicePage>(&opened.data).unwrap());
    });

    println!("\n== whole calls through the pipeline, in-process sandbox on 127.0.0.1");
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let zerokie = Zerokie::builder()
        .api_key(credentials::ZEROKIE_API_KEY)
        .base_url(sandbox.base_url("zerokie"))
        .build()
        .expect("client builds");
    zerokie.create_app(CreateApp::static_site("bench")).await.unwrap();
    for _ in 0..200 {
        zerokie.get_app("bench").await.unwrap();
    }
    let mut latencies = Vec::with_capacity(2_000);
    let started = Instant::now();
    for _ in 0..2_000 {
        let t = Instant::now();
        zerokie.get_app("bench").await.unwrap();
        latencies.push(t.elapsed());
    }
    let elapsed = started.elapsed();
    latencies.sort();
    println!(
        "{:<48} p50 {:.0} µs, p99 {:.0} µs, {:.0} calls/s",
        "get_app, sequential (2000 calls)",
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        2_000.0 / elapsed.as_secs_f64()
    );
    let started = Instant::now();
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let zerokie = zerokie.clone();
            tokio::spawn(async move {
                for _ in 0..100 {
                    zerokie.get_app("bench").await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    println!(
        "{:<48} {:.0} calls/s",
        "get_app, 32 concurrent tasks (3200 calls)",
        3_200.0 / started.elapsed().as_secs_f64()
    );

    // Zenifra allows 100 calls a minute per project: the sandbox's clock moves 0.6 s before each call
    // so that its limit never answers 429, and the client's limiter is off so that nothing waits.
    let zenifra = Zenifra::builder()
        .api_key(credentials::ZENIFRA_ORG_KEY)
        .organization_id(credentials::ZENIFRA_ORGANIZATION_ID)
        .base_url(sandbox.base_url("zenifra"))
        .rate_limit(false)
        .build()
        .expect("client builds");
    let mut latencies = Vec::with_capacity(2_000);
    for _ in 0..2_000 {
        sandbox.advance_clock(Duration::from_millis(600));
        let t = Instant::now();
        zenifra.get_project(credentials::ZENIFRA_WEB_PROJECT_ID).await.unwrap();
        latencies.push(t.elapsed());
    }
    latencies.sort();
    println!(
        "{:<48} p50 {:.0} µs, p99 {:.0} µs",
        "zenifra get_project, sequential (2000 calls)",
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99)
    );

    // Zyra allows 30 reads a minute: the clock moves a minute before each walk of 3 pages, and the
    // client's limiter is off so that nothing waits.
    let zyra = Zyra::builder()
        .api_key(credentials::ZYRA_ADMIN_KEY)
        .base_url(sandbox.base_url("zyra"))
        .rate_limit(false)
        .build()
        .expect("client builds");
    let (mut walks, mut walked) = (Vec::with_capacity(50), 0);
    for _ in 0..50 {
        sandbox.advance_clock(Duration::from_secs(60));
        let t = Instant::now();
        let items: Vec<_> = zyra.pages(ListDevices::default().limit(200)).items().try_collect().await.unwrap();
        walks.push(t.elapsed());
        walked = items.len();
    }
    walks.sort();
    println!(
        "{:<48} p50 {:.0} µs, p99 {:.0} µs",
        format!("zyra walk of {walked} devices, 3 pages (50 walks)"),
        percentile(&walks, 0.50),
        percentile(&walks, 0.99)
    );
    sandbox.shutdown().await;
}
