//! Shared set-up of the integration tests: an in-process sandbox and clients pointed at it.

#![allow(dead_code)]

pub mod relay;

use std::sync::Arc;
use std::time::Duration;

use zkit::exec::manual::ManualClock;
use zkit::{ClientBuilder, Zerokie};
use zkit_sandbox::{credentials, Sandbox};

/// A sandbox on 127.0.0.1:0.
pub async fn sandbox() -> Sandbox {
    Sandbox::start().await.expect("sandbox starts")
}

/// A plain reqwest client for a test's own requests. It shares the core's reqwest build, which
/// carries no crypto provider, so ring is installed first (as the core's own pool does).
pub fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// A builder for a Zerokie client aimed at `sandbox`, with a fixed jitter seed.
pub fn zerokie_builder(sandbox: &Sandbox) -> ClientBuilder<Zerokie> {
    Zerokie::builder().api_key(credentials::ZEROKIE_API_KEY).base_url(sandbox.base_url("zerokie")).jitter_seed(7)
}

/// A Zerokie client with default settings.
pub fn zerokie(sandbox: &Sandbox) -> Zerokie {
    zerokie_builder(sandbox).build().expect("client builds")
}

/// A Zerokie client on a manual clock: waits are recorded instead of slept, attempt timers only fire
/// when the test moves the clock.
pub fn zerokie_on_manual_clock(sandbox: &Sandbox, clock: &ManualClock) -> Zerokie {
    zerokie_builder(sandbox).time(Arc::new(clock.clone()), Arc::new(clock.sleeper())).build().expect("client builds")
}

/// Unix time 2026-01-15T10:30:00Z, the origin of manual clocks in these tests.
pub const UNIX_ORIGIN: Duration = Duration::from_secs(1_768_473_000);

/// A manual clock whose sleeps also move `sandbox`'s clock, so a paced client and the sandbox's
/// rate limits see the same time pass; hand both halves to `ClientBuilder::time`.
pub fn shared_time(sandbox: &Sandbox) -> (ManualClock, Arc<dyn zkit::exec::Sleep>) {
    let clock = ManualClock::new(UNIX_ORIGIN);
    let sleep = SharedSleep { manual: clock.sleeper(), sandbox: sandbox.clock() };
    (clock, Arc::new(sleep))
}

struct SharedSleep {
    manual: zkit::exec::manual::ManualSleep,
    sandbox: zkit_sandbox::SandboxClock,
}

impl zkit::exec::Sleep for SharedSleep {
    fn sleep(&self, duration: Duration) -> zkit::exec::BoxFuture<'static, ()> {
        self.sandbox.advance(duration);
        self.manual.sleep(duration)
    }

    fn timer(&self, duration: Duration) -> zkit::exec::BoxFuture<'static, ()> {
        self.manual.timer(duration)
    }
}
