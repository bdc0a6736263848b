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
        opens_at.saturating_sub(now)
    }

    /// Gives back a slot whose call never went out (its deadline ran out while it waited).
    pub(crate) fn release(&mut self, limit: RateLimit, scope: Option<&str>) {
        if let Some(tat) = self.next_free.get_mut(&(limit.bucket, scope.map(str::to_owned))) {
            *tat = tat.saturating_sub(limit.per / limit.requests.max(1));
        }
    }
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
        assert_eq!(limiter.reserve(limit, None, now), Duration::from_secs(12));
        assert_eq!(limiter.reserve(limit, None, now), Duration::from_secs(24));
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
        assert_eq!(limiter.reserve(limit, Some("a"), now), Duration::from_millis(600));
        assert_eq!(limiter.reserve(limit, None, now), Duration::ZERO);
    }

    #[test]
    fn slots_come_back_with_time_and_release() {
        let limit = RateLimit { requests: 2, per: MIN, bucket: "read" };
        let mut limiter = RateLimiter::default();
        let t0 = Duration::from_secs(100);
        limiter.reserve(limit, None, t0);
        limiter.reserve(limit, None, t0);
        assert_eq!(limiter.reserve(limit, None, t0), Duration::from_secs(30));
        limiter.release(limit, None);
        assert_eq!(limiter.reserve(limit, None, t0), Duration::from_secs(30));
        assert_eq!(limiter.reserve(limit, None, t0 + MIN * 2), Duration::ZERO);
    }
}
