//! Waiters against the sandbox, whose states move on its own clock: each test client sleeps on a
//! manual clock that moves the sandbox clock too, so a wait of minutes runs in milliseconds and
//! meets the states the sandbox would show after that time.

mod common;

use std::sync::Arc;
use std::time::Duration;

use zkit::exec::manual::{ManualClock, ManualSleep};
use zkit::exec::{BoxFuture, Sleep};
use zkit::wait::{wait_until, WaitOptions};
use zkit::{Api, ClientBuilder, ErrorKind};
use zkit_sandbox::credentials::{ZENIFRA_PROJECT_KEY, ZENIFRA_WEB_PROJECT_ID as WEB, ZEROKIE_API_KEY, ZYRA_ADMIN_KEY};
use zkit_sandbox::Sandbox;

/// Sleeps on a manual clock and moves the sandbox's clock by as much.
struct SandboxTime {
    sleep: ManualSleep,
    sandbox: Arc<Sandbox>,
}

impl Sleep for SandboxTime {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        self.sandbox.advance_clock(duration);
        self.sleep.sleep(duration)
    }

    fn timer(&self, duration: Duration) -> BoxFuture<'static, ()> {
        self.sleep.timer(duration)
    }
}

/// A client of `A` whose sleeps move both clocks (or only its own, with `sandbox_follows: false`).
fn on_shared_time<A: Api>(
    builder: ClientBuilder<A>,
    sandbox: &Arc<Sandbox>,
    clock: &ManualClock,
    sandbox_follows: bool,
) -> A {
    let sleep: Arc<dyn Sleep> = if sandbox_follows {
        Arc::new(SandboxTime { sleep: clock.sleeper(), sandbox: sandbox.clone() })
    } else {
        Arc::new(clock.sleeper())
    };
    builder.time(Arc::new(clock.clone()), sleep).build().unwrap()
}

fn polls(sandbox: &Sandbox, path: &str) -> usize {
    sandbox.journal().iter().filter(|e| e.method == "GET" && e.path.ends_with(path)).count()
}

#[tokio::test]
async fn a_zerokie_app_is_waited_for_with_growing_pauses_until_it_runs() {
    let sandbox = Arc::new(common::sandbox().await);
    let clock = ManualClock::new(common::UNIX_ORIGIN);
    let builder = zkit::Zerokie::builder().api_key(ZEROKIE_API_KEY).base_url(sandbox.base_url("zerokie"));
    let zerokie = on_shared_time(builder, &sandbox, &clock, true);
    zerokie.create_app(zkit::zerokie::CreateApp::container("web", "nginx:alpine")).await.unwrap();

    let app = zerokie.wait_until_app_running("web", WaitOptions::default()).await.unwrap();
    assert_eq!(app.status, zkit::zerokie::AppStatus::Running);
    // Deploying for 5 s of sandbox time: polled at 0, 1, 2.5, 4.75 and 8.125 s.
    let secs: Vec<f64> = clock.sleeps().iter().map(Duration::as_secs_f64).collect();
    assert_eq!(secs, [1.0, 1.5, 2.25, 3.375]);
    assert_eq!(polls(&sandbox, "/v1/apps/web"), 5);
}

#[tokio::test]
async fn a_timeout_says_the_last_state_seen() {
    let sandbox = Arc::new(common::sandbox().await);
    let clock = ManualClock::new(common::UNIX_ORIGIN);
    let builder = zkit::Zerokie::builder().api_key(ZEROKIE_API_KEY).base_url(sandbox.base_url("zerokie"));
    let zerokie = on_shared_time(builder, &sandbox, &clock, false);
    zerokie.create_app(zkit::zerokie::CreateApp::container("web", "nginx:alpine")).await.unwrap();

    let options = WaitOptions { timeout: Duration::from_secs(60), ..WaitOptions::default() };
    let error = zerokie.wait_until_app_running("web", options).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert!(error.message().contains("\"deploying\""), "{}", error.message());
    let details = error.details().unwrap();
    assert_eq!((details["waiter"].as_str(), details["last_state"].as_str()), (Some("app_running"), Some("deploying")));
    assert_eq!(details["last"]["name"], "web");
    // The pauses grow to 15 s and the last one ends at the deadline.
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.iter().sum::<Duration>(), Duration::from_secs(60));
    assert!(sleeps.iter().all(|pause| *pause <= Duration::from_secs(15)));
}

#[tokio::test]
async fn a_zenifra_deployment_goes_live_and_the_project_runs() {
    let sandbox = Arc::new(common::sandbox().await);
    let clock = ManualClock::new(common::UNIX_ORIGIN);
    let builder = zkit::Zenifra::builder().api_key(ZENIFRA_PROJECT_KEY).base_url(sandbox.base_url("zenifra"));
    let zenifra = on_shared_time(builder, &sandbox, &clock, true);
    let deployment =
        zenifra.update_image(zkit::zenifra::UpdateImage::new(WEB, "registry.zenifra.dev/web:2.0.0")).await.unwrap();

    let live = zenifra.wait_until_deployment_live(WEB, &deployment.id, WaitOptions::default()).await.unwrap();
    assert_eq!((live.id.as_str(), &live.status), (deployment.id.as_str(), &zkit::zenifra::DeploymentStatus::Live));
    assert!(clock.sleeps().iter().sum::<Duration>() >= Duration::from_secs(30), "it built for 30 s");
    let project = zenifra.wait_until_project_running(WEB, WaitOptions::default()).await.unwrap();
    assert_eq!(project.state, zkit::zenifra::ProjectState::Running);

    let missing = wait_until(&zenifra, "deployment_live", serde_json::json!({"id": WEB}), WaitOptions::default()).await;
    assert_eq!(missing.unwrap_err().field(), Some("deployment_id"));
}

#[tokio::test]
async fn zyra_jobs_are_waited_to_their_end_and_a_terminated_server_ends_a_wait_at_once() {
    let sandbox = Arc::new(common::sandbox().await);
    let clock = ManualClock::new(common::UNIX_ORIGIN);
    let builder = zkit::Zyra::builder().api_key(ZYRA_ADMIN_KEY).base_url(sandbox.base_url("zyra")).rate_limit(false);
    let zyra = on_shared_time(builder, &sandbox, &clock, true);
    let job = zkit::zyra::CreateMlJob { name: "bert".into(), model: "bert-base".into(), ..Default::default() };
    let job = zyra.create_ml_job(job).await.unwrap();
    let ended = zyra.wait_until_ml_job_finished(&job.id, WaitOptions::default()).await.unwrap();
    assert_eq!(ended.status, zkit::zyra::JobStatus::Succeeded);

    let create = zkit::zyra::CreateVirtualServer {
        name: "trainer".into(),
        size: "gpu.small".into(),
        region: "eu-west".into(),
        image: None,
    };
    let server = zyra.create_virtual_server(create).await.unwrap();
    zyra.stop_virtual_server(server.id.as_str()).await.unwrap();
    let stopped = zyra.wait_until_virtual_server(&server.id, false, WaitOptions::default()).await.unwrap();
    assert_eq!(stopped.status, zkit::zyra::ServerStatus::Stopped);
    zyra.terminate_virtual_server(server.id.as_str()).await.unwrap();
    sandbox.clear_journal();
    let error = zyra.wait_until_virtual_server(&server.id, true, WaitOptions::default()).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Conflict);
    assert_eq!(error.details().unwrap()["last_state"], "terminated");
    assert_eq!(sandbox.journal().len(), 1, "one poll: terminated never runs again");

    let unknown = wait_until(&zyra, "server_up", serde_json::json!({}), WaitOptions::default()).await.unwrap_err();
    assert_eq!(unknown.field(), Some("waiter"));
    assert!(unknown.message().contains("virtual_server_running"), "{}", unknown.message());
}
