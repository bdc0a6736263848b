//! The client-side limiter: one GCRA bucket per rate class. Pure: time comes in as an argument.

use std::collections::HashMap;
use std::time::Duration;

use crate::api::{RateClass, RateLimit};

/// Buckets keyed by rate class. Each reservation takes a slot and returns how long the caller must
/// wait for it, so concurrent callers queue in order instead of failing.
#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    /// Per class: the theoretical arrival time of the next request.
    next_free: HashMap<RateClass, Duration>,
}

impl RateLimiter {
    /// Reserves a slot in `class` at `now`; returns the wait before the slot opens.
    pub(crate) fn reserve(&mut self, class: RateClass, limit: RateLimit, now: Duration) -> Duration {
        let interval = limit.per / limit.requests.max(1);
        let burst = limit.per.saturating_sub(interval);
        let tat = self.next_free.get(&class).copied().unwrap_or(now).max(now);
        let opens_at = tat.saturating_sub(burst);
        self.next_free.insert(class, tat + interval);
        opens_at.saturating_sub(now)
    }

    /// Gives back a slot whose call never went out (its deadline ran out while it waited).
    pub(crate) fn release(&mut self, class: RateClass, limit: RateLimit) {
        if let Some(tat) = self.next_free.get_mut(&class) {
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
        let limit = RateLimit { requests: 5, per: MIN };
        let mut limiter = RateLimiter::default();
        let now = Duration::from_secs(1000);
        for _ in 0..5 {
            assert_eq!(limiter.reserve(RateClass::Create, limit, now), Duration::ZERO);
        }
        assert_eq!(limiter.reserve(RateClass::Create, limit, now), Duration::from_secs(12));
        assert_eq!(limiter.reserve(RateClass::Create, limit, now), Duration::from_secs(24));
        // Other classes have their own buckets.
        assert_eq!(limiter.reserve(RateClass::Read, limit, now), Duration::ZERO);
    }

    #[test]
    fn slots_come_back_with_time_and_release() {
        let limit = RateLimit { requests: 2, per: MIN };
        let mut limiter = RateLimiter::default();
        let t0 = Duration::from_secs(100);
        limiter.reserve(RateClass::Read, limit, t0);
        limiter.reserve(RateClass::Read, limit, t0);
        assert_eq!(limiter.reserve(RateClass::Read, limit, t0), Duration::from_secs(30));
        limiter.release(RateClass::Read, limit);
        assert_eq!(limiter.reserve(RateClass::Read, limit, t0), Duration::from_secs(30));
        assert_eq!(limiter.reserve(RateClass::Read, limit, t0 + MIN * 2), Duration::ZERO);
    }
}
