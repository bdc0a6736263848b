//! The `zkit` binary end to end against the sandbox: listings in JSON and as a table, an error's exit
//! code and stderr, a paged `--all` walk, a deploy with plain progress, a wait, and the help of a
//! generated subcommand.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use zkit_sandbox::{credentials, Sandbox};

/// Runs the built `zkit` with `args` against `sandbox` (every API's base URL and key in the
/// environment), off the async threads so the sandbox keeps serving.
async fn zkit(sandbox: &Sandbox, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_zkit"));
    command
        .args(args)
        .env_clear()
        .env("ZEROKIE_BASE_URL", sandbox.base_url("zerokie"))
        .env("ZEROKIE_API_KEY", credentials::ZEROKIE_API_KEY)
        .env("ZENIFRA_BASE_URL", sandbox.base_url("zenifra"))
        .env("ZENIFRA_API_KEY", credentials::ZENIFRA_ORG_KEY)
        .env("ZENIFRA_ORGANIZATION_ID", credentials::ZENIFRA_ORGANIZATION_ID)
        .env("ZYRA_BASE_URL", sandbox.base_url("zyra"))
        .env("ZYRA_API_KEY", credentials::ZYRA_ADMIN_KEY);
    tokio::task::spawn_blocking(move || command.output().expect("zkit runs")).await.unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json(output: &Output) -> Value {
    assert!(output.status.success(), "{}\n{}", stdout(output), stderr(output));
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(output)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listing_in_json_and_as_a_table() {
    let sandbox = Sandbox::start().await.unwrap();
    let created = json(
        &zkit(&sandbox, &["zerokie", "create-app", "--name", "web", "--image", "nginx:alpine", "--port", "80"]).await,
    );
    assert_eq!((created["name"].as_str(), created["port"].as_u64()), (Some("web"), Some(80)));
    let listed = json(&zkit(&sandbox, &["zerokie", "list-apps"]).await);
    assert_eq!(listed.as_array().map(|apps| apps.len()), Some(1), "JSON when stdout is not a terminal");

    let table = zkit(&sandbox, &["zerokie", "list-apps", "--output", "table"]).await;
    let text = stdout(&table);
    let header = text.lines().find(|line| line.contains("name")).unwrap_or_default();
    assert!(header.contains("image") && header.contains("status"), "{text}");
    assert!(text.lines().any(|line| line.contains("web") && line.contains("nginx:alpine")), "{text}");

    let yaml = stdout(&zkit(&sandbox, &["zerokie", "get-app", "--name", "web", "-o", "yaml"]).await);
    assert!(yaml.lines().any(|line| line == "name: web"), "{yaml}");

    // The whole input as JSON, a flag beside it winning.
    let input = r#"{"name": "api", "image": "nginx:1.27", "port": 8080}"#;
    let api = json(&zkit(&sandbox, &["zerokie", "create-app", "--json", input, "--port", "9090"]).await);
    assert_eq!(
        (api["name"].as_str(), api["image"].as_str(), api["port"].as_u64()),
        (Some("api"), Some("nginx:1.27"), Some(9090))
    );
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_has_its_exit_code_and_its_facts_on_stderr() {
    let sandbox = Sandbox::start().await.unwrap();
    let missing = zkit(&sandbox, &["zerokie", "get-app", "--name", "nope"]).await;
    assert_eq!(missing.status.code(), Some(6), "not_found");
    let text = stderr(&missing);
    assert!(text.starts_with("zkit: not_found: app not found"), "{text}");
    assert!(text.contains("status: 404") && text.contains("request id: req_"), "{text}");
    assert!(stdout(&missing).is_empty());

    let refused = zkit(&sandbox, &["zerokie", "add-domain", "--name", "web", "--domain", "example.com"]).await;
    assert_eq!(refused.status.code(), Some(3), "invalid_input: {}", stderr(&refused));
    assert!(stderr(&refused).contains("field: domain"), "{}", stderr(&refused));

    let usage = zkit(&sandbox, &["zerokie", "get-app"]).await;
    assert_eq!(usage.status.code(), Some(2), "a missing required flag is a usage error");
    assert!(stderr(&usage).contains("--name"), "{}", stderr(&usage));

    // A wrong key: refused by the server, and never printed.
    let wrong = "zrk_wrong_0000000000000000000000000000";
    let mut command = Command::new(env!("CARGO_BIN_EXE_zkit"));
    command
        .args(["zerokie", "list-apps", "--api-key-env", "MY_KEY", "--base-url", &sandbox.base_url("zerokie")])
        .env_clear()
        .env("MY_KEY", wrong);
    let denied = tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap();
    assert_eq!(denied.status.code(), Some(5), "{}", stderr(&denied));
    assert!(!stderr(&denied).contains(wrong) && !stdout(&denied).contains(wrong));
    assert!(sandbox.journal().iter().any(|entry| entry.status == Some(401)), "the key from MY_KEY was sent");

    // The key on standard input.
    let mut command = Command::new(env!("CARGO_BIN_EXE_zkit"));
    command
        .args(["zerokie", "list-apps", "--api-key-stdin", "--base-url", &sandbox.base_url("zerokie")])
        .env_clear()
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let piped = tokio::task::spawn_blocking(move || {
        let mut child = command.spawn().unwrap();
        let mut stdin = child.stdin.take().unwrap();
        std::io::Write::write_all(&mut stdin, format!("{}\n", credentials::ZEROKIE_API_KEY).as_bytes()).unwrap();
        drop(stdin);
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    assert_eq!(json(&piped), serde_json::json!([]), "the key from stdin lists the apps");
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_walks_every_page_of_520_devices() {
    let sandbox = Sandbox::start().await.unwrap();
    let devices = json(&zkit(&sandbox, &["zyra", "list-devices", "--limit", "200", "--all"]).await);
    let ids: Vec<&str> = devices.as_array().unwrap().iter().filter_map(|d| d["id"].as_str()).collect();
    assert_eq!(ids.len(), 520);
    assert_eq!((ids[0], ids[519]), ("dev_0001", "dev_0520"));
    let pages = sandbox.journal().iter().filter(|e| e.path.ends_with("/devices")).count();
    assert_eq!(pages, 3, "three pages of 200");

    let one_page = json(&zkit(&sandbox, &["zyra", "list-devices", "--limit", "5"]).await);
    assert_eq!(one_page["items"].as_array().map(Vec::len), Some(5), "without --all: one page, as the API answers");
    sandbox.shutdown().await;
}

fn write(root: &Path, path: &str, text: &str) {
    let file = root.join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, text).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_deploys_with_plain_progress_and_a_redeploy_sends_nothing() {
    let sandbox = Sandbox::start().await.unwrap();
    let root = std::env::temp_dir().join(format!("zkit-cli-deploy-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    write(&root, "index.html", "<h1>hello</h1>");
    write(&root, "assets/café logo.svg", "<svg/>");
    write(&root, ".git/HEAD", "ref: refs/heads/main");
    let dir = root.to_str().unwrap();
    json(&zkit(&sandbox, &["zerokie", "create-app", "--name", "my-site", "--type", "static"]).await);

    let plan = json(&zkit(&sandbox, &["zerokie", "deploy", dir, "--app", "my-site", "--dry-run"]).await);
    assert_eq!((plan["dry_run"].as_bool(), plan["uploaded"].as_array().map(Vec::len)), (Some(true), Some(2)));

    let deployed = zkit(&sandbox, &["zerokie", "deploy", dir, "--app", "my-site", "--concurrency", "2"]).await;
    let report = json(&deployed);
    assert_eq!(report["files_uploaded"], 2);
    assert!(report["deploy_id"].as_str().unwrap_or_default().starts_with("d-"), "{report}");
    let progress = stderr(&deployed);
    let lines: Vec<&str> = progress.lines().collect();
    assert!(lines[0].starts_with("planned: 2 to upload (20 bytes), 0 to delete, 0 unchanged, 1 ignored"), "{progress}");
    assert!(
        lines.contains(&"uploaded index.html (14 bytes)") && lines.contains(&"uploaded assets/café logo.svg (6 bytes)"),
        "{progress}"
    );
    assert_eq!(lines[lines.len() - 2], "finalizing", "{progress}");
    assert!(lines[lines.len() - 1].starts_with("done: 2 uploaded, 0 deleted, 0 unchanged"), "{progress}");

    let again = json(&zkit(&sandbox, &["zerokie", "deploy", dir, "--app", "my-site"]).await);
    assert_eq!((again["files_uploaded"].as_u64(), again["files_unchanged"].as_u64()), (Some(0), Some(2)));

    std::fs::remove_file(root.join("index.html")).unwrap();
    let kept = json(&zkit(&sandbox, &["zerokie", "deploy", dir, "--app", "my-site", "--no-delete"]).await);
    assert_eq!(kept["files_deleted"], 0, "--no-delete keeps it");
    let removed = json(&zkit(&sandbox, &["zerokie", "deploy", dir, "--app", "my-site"]).await);
    assert_eq!(removed["deleted"], serde_json::json!(["index.html"]));
    let _ = std::fs::remove_dir_all(&root);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wait_ends_when_the_state_is_reached_or_times_out_with_the_last_state() {
    let sandbox = Sandbox::start().await.unwrap();
    json(&zkit(&sandbox, &["zerokie", "create-app", "--name", "web", "--image", "nginx:alpine"]).await);
    let late = zkit(
        &sandbox,
        &["zerokie", "wait", "app-running", "--name", "web", "--timeout", "0.3", "--first-delay", "0.05"],
    )
    .await;
    assert_eq!(late.status.code(), Some(9), "timeout: {}", stderr(&late));
    assert!(stderr(&late).contains(r#""last_state":"deploying""#), "{}", stderr(&late));

    sandbox.advance_clock(std::time::Duration::from_secs(10));
    let app =
        json(&zkit(&sandbox, &["zerokie", "wait", "app-running", "--name", "web", "--first-delay", "0.05"]).await);
    assert_eq!(app["status"], "running");

    // Zenifra: an organization setting from the environment, a map field as --set.
    let project = credentials::ZENIFRA_WEB_PROJECT_ID;
    let envs = json(&zkit(&sandbox, &["zenifra", "update-envs", "--id", project, "--set", "LOG_LEVEL=debug"]).await);
    assert!(envs.to_string().contains("LOG_LEVEL"), "{envs}");
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_help_of_a_generated_subcommand_shows_the_field_docs() {
    let sandbox = Sandbox::start().await.unwrap();
    let help = stdout(&zkit(&sandbox, &["zyra", "list-devices", "--help"]).await);
    assert!(help.contains("Lists the compute nodes."), "{help}");
    assert!(help.contains("--limit <N>") && help.contains("Items per page, 1 to 200"), "{help}");
    assert!(help.contains("--all") && help.contains("--json <JSON|@FILE>"), "{help}");
    let top = stdout(&zkit(&sandbox, &["--help"]).await);
    assert!(top.contains("Exit codes:") && top.contains("sandbox"), "{top}");
    let completions = stdout(&zkit(&sandbox, &["completions", "bash"]).await);
    assert!(completions.contains("list-devices"), "the completions know the generated subcommands");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn zkit_log_prints_redacted_records_to_stderr_and_leaves_stdout_clean() {
    let sandbox = Sandbox::start().await.unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_zkit"));
    command
        .args(["zerokie", "list-apps"])
        .env_clear()
        .env("ZEROKIE_BASE_URL", sandbox.base_url("zerokie"))
        .env("ZEROKIE_API_KEY", credentials::ZEROKIE_API_KEY)
        .env("ZKIT_LOG", "debug");
    let output = tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap();
    assert_eq!(json(&output), serde_json::json!([]), "stdout holds the answer alone");
    let text = stderr(&output);
    assert!(text.contains("[debug] zkit: list_apps GET /v1/apps sending attempt=1"), "{text}");
    assert!(text.contains("status=200"), "{text}");
    assert!(!text.contains(credentials::ZEROKIE_API_KEY), "{text}");
}
