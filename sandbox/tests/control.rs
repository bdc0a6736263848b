//! The control API over HTTP, the journal, request ids, shutdown and the binary.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::time::Duration;

use common::{call, is_rfc3339, Env};
use reqwest::Method;
use serde_json::{json, Value};
use zkit_sandbox::credentials::{
    ZENIFRA_ORGANIZATION_ID, ZENIFRA_ORG_KEY, ZENIFRA_PROJECT_KEY, ZENOVAY_SITE_KEY, ZEROKIE_API_KEY, ZYRA_ADMIN_EMAIL,
    ZYRA_ADMIN_KEY, ZYRA_MEMBER_KEY,
};
use zkit_sandbox::Sandbox;

#[tokio::test]
async fn describes_apis_keys_and_control_url() {
    let env = Env::start().await;
    let url = env.sandbox.url();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    for path in ["/__sandbox/", "/__sandbox"] {
        let (status, about) = call(env.request(Method::GET, path)).await;
        assert_eq!(status, 200);
        assert_eq!(
            about["apis"]["zerokie"],
            json!({"base_url": format!("{url}/zerokie"), "api_key": ZEROKIE_API_KEY,
                "credentials": {"api_key": ZEROKIE_API_KEY}})
        );
        let zenifra = &about["apis"]["zenifra"];
        assert_eq!(zenifra["base_url"], json!(format!("{url}/zenifra/v1")));
        assert_eq!(zenifra["api_key"], json!(ZENIFRA_ORG_KEY));
        assert_eq!(zenifra["credentials"]["project_key"], json!(ZENIFRA_PROJECT_KEY));
        assert_eq!(zenifra["credentials"]["organization_id"], json!(ZENIFRA_ORGANIZATION_ID));
        let zenovay = &about["apis"]["zenovay"];
        assert_eq!(zenovay["base_url"], json!(format!("{url}/zenovay/api/external/v1")));
        assert_eq!(zenovay["credentials"]["site_key"], json!(ZENOVAY_SITE_KEY));
        assert_eq!(about["control"], json!(format!("{url}/__sandbox/")));
        let zyra = &about["apis"]["zyra"];
        assert_eq!(zyra["base_url"], json!(format!("{url}/zyra/api/v1")));
        assert_eq!(zyra["api_key"], json!(ZYRA_ADMIN_KEY));
        assert_eq!(zyra["credentials"]["member_key"], json!(ZYRA_MEMBER_KEY));
        assert_eq!(zyra["credentials"]["admin_email"], json!(ZYRA_ADMIN_EMAIL));
        assert_eq!(zyra["credentials"]["organization_id"], json!("org_sandbox"));
        assert_eq!(about["not_yet_emulated"], json!([]), "every API is emulated");
    }
    assert_eq!(env.sandbox.base_url("zenifra"), format!("{url}/zenifra/v1"));
    assert_eq!(env.sandbox.base_url("zyra"), format!("{url}/zyra/api/v1"));
    assert_eq!(env.sandbox.base_url("zenovay"), format!("{url}/zenovay/api/external/v1"));
    assert!(env.sandbox.journal().is_empty(), "control requests are not journaled");
}

#[tokio::test]
async fn the_clock_moves_forward_on_request() {
    let env = Env::start().await;
    let (status, clock) = call(env.request(Method::GET, "/__sandbox/clock")).await;
    assert_eq!((status, clock["offset_seconds"].clone()), (200, json!(0)));
    let before = clock["now"].as_str().unwrap().to_owned();
    assert!(is_rfc3339(&before), "{before}");

    let advance = |body: Value| env.request(Method::POST, "/__sandbox/clock").json(&body);
    let (status, clock) = call(advance(json!({"advance_seconds": 86_400 * 400}))).await;
    assert_eq!((status, clock["offset_seconds"].clone()), (200, json!(86_400 * 400)));
    assert!(clock["now"].as_str().unwrap() > before.as_str(), "{clock}");
    let (_, clock) = call(advance(json!({"advance_seconds": 0.5}))).await;
    assert_eq!(clock["offset_seconds"], json!(86_400.0 * 400.0 + 0.5));
    env.sandbox.advance_clock(Duration::from_millis(500));
    assert_eq!(call(env.request(Method::GET, "/__sandbox/clock")).await.1["offset_seconds"], json!(86_400 * 400 + 1));

    for bad in
        [json!({}), json!({"advance_seconds": -1}), json!({"advance_seconds": "10"}), json!({"advance_seconds": 1e300})]
    {
        assert_eq!(call(advance(bad.clone())).await.0, 400, "{bad}");
    }
}

#[tokio::test]
async fn reset_forgets_state_journal_faults_and_clock() {
    let env = Env::start().await;
    env.create_container("web", "nginx").await;
    env.sandbox.advance_clock(Duration::from_secs(3600));
    env.sandbox.inject(zkit_sandbox::Fault::status(503).on_method("DELETE"));
    assert_eq!(call(env.request(Method::POST, "/__sandbox/reset")).await, (204, Value::Null));
    assert!(env.sandbox.journal().is_empty());
    assert_eq!(call(env.request(Method::GET, "/__sandbox/clock")).await.1["offset_seconds"], json!(0));
    assert_eq!(call(env.request(Method::GET, "/__sandbox/faults")).await.1, json!([]));
    assert_eq!(call(env.zerokie(Method::GET, "/v1/apps")).await, (200, json!([])));

    // The same from Rust.
    env.create_container("web", "nginx").await;
    env.sandbox.reset();
    assert!(env.sandbox.journal().is_empty());
    assert_eq!(call(env.zerokie(Method::GET, "/v1/apps")).await, (200, json!([])));
}

#[tokio::test]
async fn the_journal_records_requests_and_never_the_key() {
    let env = Env::start().await;
    let created = env
        .zerokie(Method::POST, "/v1/apps")
        .header("X-Trace", "t1")
        .header("x-api-key", ZEROKIE_API_KEY)
        .json(&json!({"name": "site", "type": "static"}));
    assert_eq!(call(created).await.0, 201);
    let put = env.zerokie(Method::PUT, "/v1/apps/site/files/a%20b.txt?v=1").body("hello");
    assert_eq!(call(put).await.0, 200);
    assert_eq!(call(env.request(Method::GET, "/zerokie/v1/apps")).await.0, 401);
    assert_eq!(call(env.request(Method::GET, "/__sandbox/journal")).await.0, 200);

    let journal = env.sandbox.journal();
    assert_eq!(journal.len(), 3, "{journal:?}");
    let create = &journal[0];
    assert_eq!(
        (create.api.as_str(), create.method.as_str(), create.path.as_str()),
        ("zerokie", "POST", "/zerokie/v1/apps")
    );
    assert_eq!((create.status, create.fault.clone(), create.query.clone()), (Some(201), None, None));
    assert_eq!(create.body_len, r#"{"name":"site","type":"static"}"#.len());
    assert_eq!(create.headers["authorization"], "Bearer zrk_…ffee");
    assert_eq!(create.headers["x-api-key"], "zrk_…ffee");
    assert_eq!(create.headers["x-trace"], "t1");
    let upload = &journal[1];
    assert_eq!(
        (upload.path.as_str(), upload.query.as_deref(), upload.body_len),
        ("/zerokie/v1/apps/site/files/a%20b.txt", Some("v=1"), 5)
    );
    assert_eq!((journal[2].status, journal[2].headers.get("authorization")), (Some(401), None));

    let rust_json = serde_json::to_string(&journal).unwrap();
    let (status, http_journal) = call(env.request(Method::GET, "/__sandbox/journal")).await;
    assert_eq!(status, 200);
    let http_json = http_journal.to_string();
    for text in [&rust_json, &http_json] {
        assert!(!text.contains(ZEROKIE_API_KEY), "the key leaked into the journal: {text}");
        assert!(!text.contains("0c0ffee0c0ffee"), "part of the key leaked into the journal: {text}");
    }
    let from_http: Vec<zkit_sandbox::JournalEntry> = serde_json::from_value(http_journal).unwrap();
    assert_eq!(from_http, journal);

    assert_eq!(call(env.request(Method::DELETE, "/__sandbox/journal")).await, (204, Value::Null));
    assert_eq!(call(env.request(Method::GET, "/__sandbox/journal")).await, (200, json!([])));
}

#[tokio::test]
async fn request_ids_are_distinct() {
    let env = Env::start().await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let response = env.zerokie(Method::GET, "/v1/apps").send().await.unwrap();
        ids.push(response.headers()["x-request-id"].to_str().unwrap().to_owned());
    }
    ids.dedup();
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert!(ids.iter().all(|id| id.strip_prefix("req_").is_some_and(|n| n.parse::<u64>().is_ok())), "{ids:?}");
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    // A port below the ephemeral range, which the other tests' sandboxes (on port 0) never get: the
    // port this one frees cannot be taken by them before it is checked.
    let mut port = 20_000 + (std::process::id() % 5_000) as u16;
    let sandbox = loop {
        match Sandbox::bind(std::net::SocketAddr::from(([127, 0, 0, 1], port))).await {
            Ok(sandbox) => break sandbox,
            Err(_) => port += 1,
        }
    };
    let addr = sandbox.addr();
    let http = common::http();
    assert_eq!(http.get(format!("{}/__sandbox/clock", sandbox.url())).send().await.unwrap().status(), 200);
    sandbox.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "nothing listens any more");

    // A second sandbox can take the same port at once.
    let again = Sandbox::bind(addr).await.unwrap();
    assert_eq!(again.addr(), addr);
    again.shutdown().await;
}

#[test]
fn the_binary_prints_its_url_first_and_stops_on_sigterm() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_zkit-sandbox"))
        .args(["--port", "0"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let url = first.trim_end().strip_prefix("ZKIT_SANDBOX_URL=").unwrap_or_else(|| panic!("{first:?}")).to_owned();
    let addr = url.strip_prefix("http://").unwrap();
    assert!(addr.starts_with("127.0.0.1:"), "{url}");

    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET /__sandbox/ HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains(ZEROKIE_API_KEY), "{response}");

    let mut banner = String::new();
    for _ in 0..6 {
        stdout.read_line(&mut banner).unwrap();
    }
    assert!(banner.contains(&format!("{url}/zerokie")) && banner.contains(ZEROKIE_API_KEY), "{banner}");

    #[cfg(unix)]
    {
        let killed = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
        assert!(killed.success());
        assert!(child.wait().unwrap().success(), "exits cleanly on SIGTERM");
    }
    #[cfg(not(unix))]
    {
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

#[test]
fn the_binary_refuses_remote_hosts_without_allow_remote() {
    let output =
        std::process::Command::new(env!("CARGO_BIN_EXE_zkit-sandbox")).args(["--host", "0.0.0.0"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--allow-remote"));
    assert!(output.stdout.is_empty());
}
