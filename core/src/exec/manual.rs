//! A clock that moves only when told, and a sleep that moves it: retries, backoff, Retry-After and
//! rate limits run in tests without waiting for real time.

use std::future::poll_fn;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Poll, Waker};
use std::time::Duration;

use super::{BoxFuture, Clock, Sleep};

/// A manual clock shared with its [`ManualSleep`]. A sleep is recorded and advances the clock at
/// once; a timer fires only once the clock has been moved past it.
#[derive(Clone, Debug, Default)]
pub struct ManualClock {
    state: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    now: Duration,
    unix_origin: Duration,
    sleeps: Vec<Duration>,
    timers: Vec<Waker>,
}

impl ManualClock {
    /// A clock at monotonic zero whose Unix time starts at `unix_origin`.
    pub fn new(unix_origin: Duration) -> Self {
        let clock = Self::default();
        clock.lock().unix_origin = unix_origin;
        clock
    }

    /// Moves time forward, firing the timers it passes.
    pub fn advance(&self, by: Duration) {
        let wakers = {
            let mut state = self.lock();
            state.now += by;
            std::mem::take(&mut state.timers)
        };
        wakers.into_iter().for_each(Waker::wake);
    }

    /// A [`Sleep`] that advances this clock instead of waiting.
    pub fn sleeper(&self) -> ManualSleep {
        ManualSleep { clock: self.clone() }
    }

    /// Every sleep taken so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.lock().sleeps.clone()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Clock for ManualClock {
    fn monotonic(&self) -> Duration {
        self.lock().now
    }

    fn unix_time(&self) -> Duration {
        let state = self.lock();
        state.unix_origin + state.now
    }
}

/// The sleep half of a [`ManualClock`].
#[derive(Clone, Debug)]
pub struct ManualSleep {
    clock: ManualClock,
}

impl Sleep for ManualSleep {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        self.clock.lock().sleeps.push(duration);
        self.clock.advance(duration);
        Box::pin(std::future::ready(()))
    }

    fn timer(&self, duration: Duration) -> BoxFuture<'static, ()> {
        let clock = self.clock.clone();
        let fires_at = clock.monotonic() + duration;
        Box::pin(poll_fn(move |cx| {
            let mut state = clock.lock();
            if state.now >= fires_at {
                Poll::Ready(())
            } else {
                state.timers.push(cx.waker().clone());
                Poll::Pending
            }
        }))
    }
}
