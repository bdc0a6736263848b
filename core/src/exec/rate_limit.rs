//! The client-side limiter: one GCRA bucket per limit's bucket name and scope (such as a Zenifra
//! project). Pure: time comes in as an argument.

use std::collections::HashMap;
use std::time::Duration;

use crate::api::RateLimit;

/// Buckets keyed by bucket name and scope. Each reservation takes a slot and returns how long the
/// caller must wait for it, so concurrent callers queue in order instead of failing.
#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    /// Per bucket and scope: the theoretical arrival time of the next request.
    next_free: HashMap<(&'static str, Option<String>), Duration>,
}

impl RateLimiter {
    /// Reserves a slot under `limit` for `scope` at `now`; returns the wait before the slot opens.
    pub(crate) fn reserve(&mut self, limit: RateLimit, scope: Option<&str>, now: Duration) -> Duration {
        let interval = limit.per / limit.requests.max(1);
        let burst = limit.per.saturating_sub(interval);
        let key = (limit.bucket, scope.map(str::to_owned));
        let tat = self.next_free.get(&key).copied().unwrap_or(now).max(now);
        let opens_at = tat.saturating_sub(burst);
        self.next_free.insert(key, tat + interval);
        match opens_at.saturating_sub(now) {
            Duration::ZERO => Duration::ZERO,
            wait => wait + transit_margin(interval),
        }
    }

    /// Gives back a slot whose call never went out (its deadline ran out while it waited).
    pub(crate) fn release(&mut self, limit: RateLimit, scope: Option<&str>) {
        if let Some(tat) = self.next_free.get_mut(&(limit.bucket, scope.map(str::to_owned))) {
            *tat = tat.saturating_sub(limit.per / limit.requests.max(1));
        }
    }
}

/// What a caller that must wait for its slot waits on top. The server counts a request when it
/// arrives and the limiter when it leaves, and the first request of a burst (which also opened the
/// connection) takes longer to arrive than those after it; sent right as its slot opened, a request
/// could reach the server just before the server's slot did. The margin moves no slot, so the
/// sustained rate stays the documented one.
fn transit_margin(interval: Duration) -> Duration {
    (interval / 10).min(Duration::from_millis(500))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(60);

    #[test]
    fn a_full_burst_passes_then_callers_are_spaced() {
        let limit = RateLimit { requests: 5, per: MIN, bucket: "create" };
        let mut limiter = RateLimiter::default();
        let now = Duration::from_secs(1000);
        for _ in 0..5 {
            assert_eq!(limiter.reserve(limit, None, now), Duration::ZERO);
        }
        let margin = Duration::from_millis(500);
        assert_eq!(limiter.reserve(limit, None, now), Duration::from_secs(12) + margin);
        assert_eq!(limiter.reserve(limit, None, now), Duration::from_secs(24) + margin);
        // Other buckets and other scopes have their own budgets.
        assert_eq!(limiter.reserve(RateLimit { bucket: "read", ..limit }, None, now), Duration::ZERO);
        assert_eq!(limiter.reserve(limit, Some("project-b"), now), Duration::ZERO);
    }

    #[test]
    fn scopes_are_counted_apart() {
        let limit = RateLimit { requests: 100, per: MIN, bucket: "project" };
        let mut limiter = RateLimiter::default();
        let now = Duration::from_secs(10);
        for _ in 0..100 {
            assert_eq!(limiter.reserve(limit, Some("a"), now), Duration::ZERO);
            assert_eq!(limiter.reserve(limit, Some("b"), now), Duration::ZERO);
        }
        assert_eq!(limiter.reserve(limit, Some("a"), now), Duration::from_millis(660));
        assert_eq!(limiter.reserve(limit, None, now), Duration::ZERO);
    }

    #[test]
    fn slots_come_back_with_time_and_release() {
        let limit = RateLimit { requests: 2, per: MIN, bucket: "read" };
        let mut limiter = RateLimiter::default();
        let t0 = Duration::from_secs(100);
        limiter.reserve(limit, None, t0);
        limiter.reserve(limit, None, t0);
        let wait = Duration::from_secs(30) + transit_margin(Duration::from_secs(30));
        assert_eq!(limiter.reserve(limit, None, t0), wait);
        limiter.release(limit, None);
        assert_eq!(limiter.reserve(limit, None, t0), wait);
        assert_eq!(limiter.reserve(limit, None, t0 + MIN * 2), Duration::ZERO);
    }

    #[test]
    fn the_margin_delays_a_waiting_caller_but_moves_no_slot() {
        let limit = RateLimit { requests: 30, per: MIN, bucket: "read" };
        let mut limiter = RateLimiter::default();
        let t0 = Duration::from_secs(100);
        for _ in 0..30 {
            limiter.reserve(limit, None, t0);
        }
        let margin = Duration::from_millis(200);
        assert_eq!(limiter.reserve(limit, None, t0), Duration::from_secs(2) + margin);
        // The next slot is two seconds after the last, not after the last caller's margin.
        assert_eq!(limiter.reserve(limit, None, t0 + Duration::from_secs(2)), Duration::from_secs(2) + margin);
        assert_eq!(limiter.reserve(limit, None, t0 + Duration::from_secs(6)), Duration::ZERO);
    }
}
