//! A chaos run of the Rust client: calls of mixed operations of all four APIs against a sandbox where
//! a share of the requests meets a fault of every kind (500, 502, 503, 429 with and without
//! Retry-After, a reset connection, a truncated or malformed body, a delay past the attempt timeout),
//! then cheap calls without faults for the memory figure. Shared by the suite's short run
//! (`core/tests/chaos.rs`) and the full one (`cargo run --release --example chaos`).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use zkit::zenifra::Zenifra;
use zkit::zenovay::Zenovay;
use zkit::zerokie::{CreateApp, Zerokie};
use zkit::zyra::{ListDevices, Zyra};
use zkit::{Api, ClientBuilder};
use zkit_sandbox::credentials::{
    ZENIFRA_ORGANIZATION_ID, ZENIFRA_ORG_KEY, ZENIFRA_WEB_PROJECT_ID, ZENOVAY_API_KEY, ZEROKIE_API_KEY, ZYRA_ADMIN_KEY,
};
use zkit_sandbox::{Chaos, Sandbox, WindowKind};

/// Each call's deadline; a call that outlives it (with a little slack for scheduling) is late.
pub const DEADLINE: Duration = Duration::from_secs(10);
/// Each attempt's timeout, shorter than the delay fault, which then times attempts out.
const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(800);
/// How long the delay fault holds a request.
const DELAY: Duration = Duration::from_millis(1_200);
/// Calls between two reads of the sandbox's journal (which keeps the last 10 000 requests).
const BATCH: usize = 2_000;

/// What a run measured.
#[derive(Debug, Default)]
pub struct Figures {
    pub calls: usize,
    pub successes: usize,
    /// Typed errors by kind.
    pub typed: BTreeMap<String, usize>,
    /// Panics (the Rust client has no untyped errors).
    pub untyped: usize,
    /// Non-idempotent requests the sandbox acted on more than once for one call.
    pub duplicated: usize,
    /// Calls that took longer than their deadline.
    pub late: usize,
    pub faults_met: usize,
    pub elapsed: Duration,
    /// Resident memory after the warm-up of the cheap calls, and after all of them, in KiB.
    pub rss_warm_kib: u64,
    pub rss_after_kib: u64,
    pub cheap_calls: usize,
}

/// The process's resident memory in KiB (Linux; 0 elsewhere).
pub fn rss_kib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    statm.split_whitespace().nth(1).and_then(|pages| pages.parse::<u64>().ok()).unwrap_or(0) * 4
}

fn client<A: Api>(sandbox: &Sandbox, api: &str, key: &str) -> A {
    ClientBuilder::<A>::default()
        .api_key(key)
        .base_url(sandbox.base_url(api))
        .rate_limit(false)
        .timeout(Some(ATTEMPT_TIMEOUT))
        .deadline(Some(DEADLINE))
        .jitter_seed(11)
        .build()
        .expect("client builds")
}

#[derive(Clone)]
struct Clients {
    zerokie: Zerokie,
    zenifra: Zenifra,
    zenovay: Zenovay,
    zyra: Zyra,
}

impl Clients {
    fn new(sandbox: &Sandbox) -> Self {
        let zenifra = ClientBuilder::<Zenifra>::default()
            .api_key(ZENIFRA_ORG_KEY)
            .organization_id(ZENIFRA_ORGANIZATION_ID)
            .base_url(sandbox.base_url("zenifra"))
            .rate_limit(false)
            .timeout(Some(ATTEMPT_TIMEOUT))
            .deadline(Some(DEADLINE))
            .build()
            .expect("client builds");
        Self {
            zerokie: client(sandbox, "zerokie", ZEROKIE_API_KEY),
            zenifra,
            zenovay: client(sandbox, "zenovay", ZENOVAY_API_KEY),
            zyra: client(sandbox, "zyra", ZYRA_ADMIN_KEY),
        }
    }

    /// Call `n` of the mix: reads of every API, an idempotent write, and two non-idempotent calls
    /// (a create with its own name, and a cancel of a job of its own, which the sandbox answers 404)
    /// whose paths or bodies tell each call's requests apart.
    async fn call(&self, n: usize) -> zkit::Result<()> {
        match n % 9 {
            0 => self.zerokie.list_apps().await.map(drop),
            1 => self.zerokie.create_app(CreateApp::static_site(format!("chaos-{n}"))).await.map(drop),
            2 => self.zenifra.get_project(ZENIFRA_WEB_PROJECT_ID).await.map(drop),
            3 => self.zenifra.get_envs(ZENIFRA_WEB_PROJECT_ID).await.map(drop),
            4 => self.zenovay.list_websites().await.map(drop),
            5 => self.zenovay.get_website("site_shop").await.map(drop),
            6 => self.zyra.list_devices(ListDevices::default().limit(5)).await.map(drop),
            7 => self.zyra.get_device("dev_0001").await.map(drop),
            _ => self.zyra.cancel_ml_job(format!("mlj_chaos_{n}").as_str()).await.map(drop),
        }
    }
}

/// Runs `calls` calls with `concurrency` at a time, a share `fault_rate` of the requests meeting a
/// fault, then `cheap_calls` calls without faults (the first tenth a warm-up) for the memory figure.
pub async fn run(sandbox: &Sandbox, calls: usize, concurrency: usize, fault_rate: f64, cheap_calls: usize) -> Figures {
    sandbox.set_rate_window(WindowKind::Off);
    sandbox.set_chaos(Chaos { rate: fault_rate, seed: 2026, delay_ms: DELAY.as_millis() as u64 });
    let clients = Clients::new(sandbox);
    let figures = Arc::new(Mutex::new(Figures::default()));
    let started = Instant::now();
    let mut first = 0;
    while first < calls {
        let last = (first + BATCH).min(calls);
        sandbox.clear_journal();
        let next = Arc::new(AtomicUsize::new(first));
        let workers: Vec<_> = (0..concurrency)
            .map(|_| {
                let (clients, next, figures) = (clients.clone(), next.clone(), figures.clone());
                tokio::spawn(async move {
                    loop {
                        let n = next.fetch_add(1, Ordering::Relaxed);
                        if n >= last {
                            break;
                        }
                        let began = Instant::now();
                        let outcome = tokio::spawn({
                            let clients = clients.clone();
                            async move { clients.call(n).await }
                        })
                        .await;
                        let took = began.elapsed();
                        let mut figures = figures.lock().unwrap();
                        figures.calls += 1;
                        figures.late += usize::from(took > DEADLINE + Duration::from_millis(500));
                        match outcome {
                            Ok(Ok(())) => figures.successes += 1,
                            Ok(Err(error)) => *figures.typed.entry(error.kind().as_str().to_owned()).or_default() += 1,
                            Err(_panic) => figures.untyped += 1,
                        }
                    }
                })
            })
            .collect();
        for worker in workers {
            worker.await.expect("worker ends");
        }
        let journal = sandbox.journal();
        let mut figures = figures.lock().unwrap();
        figures.faults_met += journal.iter().filter(|entry| entry.fault.is_some()).count();
        figures.duplicated += duplicated(&journal);
        first = last;
    }
    sandbox.set_chaos(Chaos::default());
    figures.lock().unwrap().elapsed = started.elapsed();

    // Memory: cheap calls without faults; the first tenth warms up.
    let warm_up = cheap_calls / 10;
    cheap(&clients, warm_up, concurrency).await;
    let rss_warm = rss_kib();
    cheap(&clients, cheap_calls - warm_up, concurrency).await;
    let mut figures = Arc::try_unwrap(figures).expect("workers ended").into_inner().unwrap();
    (figures.rss_warm_kib, figures.rss_after_kib, figures.cheap_calls) = (rss_warm, rss_kib(), cheap_calls);
    figures
}

/// The non-idempotent requests the sandbox acted on more than once for one call: each call of the mix
/// cancels a job of its own, so a path handled twice is a request acted on twice. A request a fault
/// stopped (a status, a reset, a body cut short or not JSON) was not acted on, and retrying it after a
/// 429 is safe; a delayed one was. (A create acted on twice would show as a conflict among the typed
/// errors, its name being taken by the first.)
fn duplicated(journal: &[zkit_sandbox::JournalEntry]) -> usize {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let acted_on = |entry: &&zkit_sandbox::JournalEntry| entry.fault.as_deref().is_none_or(|fault| fault == "delay");
    for entry in journal
        .iter()
        .filter(acted_on)
        .filter(|entry| entry.method == "POST" && entry.path.contains("/ml/jobs/mlj_chaos_"))
    {
        *seen.entry(entry.path.as_str()).or_default() += 1;
    }
    seen.values().filter(|&&times| times > 1).count()
}

/// `calls` cheap calls (Zyra's SDK discovery), `concurrency` at a time.
async fn cheap(clients: &Clients, calls: usize, concurrency: usize) {
    let next = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (zyra, next) = (clients.zyra.clone(), next.clone());
            tokio::spawn(async move {
                while next.fetch_add(1, Ordering::Relaxed) < calls {
                    zyra.get_sdk_info().await.expect("a cheap call without faults succeeds");
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.expect("worker ends");
    }
}

impl Figures {
    /// The figures as a table, one row per figure.
    pub fn table(&self, language: &str) -> String {
        let typed: usize = self.typed.values().sum();
        let kinds: Vec<String> = self.typed.iter().map(|(kind, n)| format!("{kind} {n}")).collect();
        let rows = [
            ("calls", self.calls.to_string()),
            ("faults met (requests)", self.faults_met.to_string()),
            ("successes", self.successes.to_string()),
            ("typed errors", format!("{typed} ({})", kinds.join(", "))),
            ("untyped errors or crashes (goal 0)", self.untyped.to_string()),
            ("non-idempotent requests acted on twice (goal 0)", self.duplicated.to_string()),
            ("calls past their deadline (goal 0)", self.late.to_string()),
            ("time", format!("{:.1} s", self.elapsed.as_secs_f64())),
            (
                "RSS after warm-up / after cheap calls",
                format!("{} / {} KiB ({} calls)", self.rss_warm_kib, self.rss_after_kib, self.cheap_calls),
            ),
        ];
        let mut out = format!("| {language} | |\n|---|---|\n");
        for (name, value) in rows {
            out.push_str(&format!("| {name} | {value} |\n"));
        }
        out
    }
}
