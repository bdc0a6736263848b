//! The client-side limiter: a sliding log per budget (a limit's bucket, and the endpoint or scope it
//! is counted per), so no window of the limit's length ever holds more than its number of requests,
//! however the server aligns its windows. Pure: time comes in as an argument.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use crate::api::RateLimit;

/// A budget: the limit's bucket, and what it is counted per (the endpoint, for APIs that limit each
/// endpoint on its own, and the scope, such as a Zenifra project), empty when counted per client.
pub(crate) type BudgetKey = (&'static str, String);

/// The slots taken per budget. Each reservation takes the earliest slot that keeps every window
/// within the limit and returns how long the caller must wait for it, so concurrent callers queue in
/// order instead of failing.
#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    /// Per budget, the times of the slots taken that can still matter, oldest first.
    slots: HashMap<BudgetKey, VecDeque<Duration>>,
}

impl RateLimiter {
    /// Reserves a slot under `limit` in the budget `key` at `now`: returns the slot's time and the
    /// wait before the caller may send.
    pub(crate) fn reserve(&mut self, limit: RateLimit, key: BudgetKey, now: Duration) -> (Duration, Duration) {
        let allowed = limit.requests.max(1) as usize;
        let log = self.slots.entry(key).or_default();
        // A slot a whole window ago shares no window with one taken now.
        while log.front().is_some_and(|&slot| slot + limit.per <= now) {
            log.pop_front();
        }
        // The slot `allowed` places back must be a whole window before this one.
        let slot = match log.len().checked_sub(allowed) {
            Some(index) => (log[index] + limit.per).max(now),
            None => now,
        };
        log.push_back(slot);
        (slot, caller_wait(limit, slot.saturating_sub(now)))
    }

    /// Gives back `slot`, whose call never went out (its deadline ran out while it waited), if no
    /// caller has queued behind it; otherwise it stays taken, which costs a slot but never a window.
    pub(crate) fn release(&mut self, key: &BudgetKey, slot: Duration) {
        if let Some(log) = self.slots.get_mut(key) {
            if log.back() == Some(&slot) {
                log.pop_back();
            }
        }
    }
}

/// How long a caller whose slot under `limit` opens `until_slot` from now waits: nothing for a slot
/// open now, else until the slot and its transit margin.
pub(crate) fn caller_wait(limit: RateLimit, until_slot: Duration) -> Duration {
    match until_slot {
        Duration::ZERO => Duration::ZERO,
        wait => wait + transit_margin(limit.per / limit.requests.max(1)),
    }
}

/// What a caller that must wait for its slot waits on top. The server counts a request when it
/// arrives and the limiter when it leaves, and the first request of a burst (which also opened the
/// connection) takes longer to arrive than those after it; sent right as its slot opened, a request
/// could reach the server just before the server's window did. The margin moves no slot, so the
/// sustained rate stays the documented one.
fn transit_margin(interval: Duration) -> Duration {
    (interval / 10).min(Duration::from_millis(500))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(60);

    fn key(bucket: &'static str) -> BudgetKey {
        (bucket, String::new())
    }

    fn wait(limiter: &mut RateLimiter, limit: RateLimit, key: BudgetKey, now: Duration) -> Duration {
        limiter.reserve(limit, key, now).1
    }

    #[test]
    fn a_full_window_passes_then_the_next_waits_for_the_window_to_slide() {
        let limit = RateLimit { requests: 5, per: MIN, bucket: "create", per_endpoint: false };
        let mut limiter = RateLimiter::default();
        let now = Duration::from_secs(1000);
        for _ in 0..5 {
            assert_eq!(wait(&mut limiter, limit, key("create"), now), Duration::ZERO);
        }
        let margin = Duration::from_millis(500);
        // The sixth and seventh both wait a whole window for the first and second slots to leave it.
        assert_eq!(wait(&mut limiter, limit, key("create"), now), MIN + margin);
        assert_eq!(
            wait(&mut limiter, limit, key("create"), now + Duration::from_secs(1)),
            MIN - Duration::from_secs(1) + margin
        );
        // Other buckets, endpoints and scopes have their own budgets.
        assert_eq!(wait(&mut limiter, limit, key("read"), now), Duration::ZERO);
        assert_eq!(wait(&mut limiter, limit, ("create", "create_device".into()), now), Duration::ZERO);
        assert_eq!(wait(&mut limiter, limit, ("create", "create_device project-b".into()), now), Duration::ZERO);
    }

    #[test]
    fn no_window_of_the_limits_length_ever_holds_more_than_the_limit() {
        // Callers arriving at uneven times, bursts among them, queue into slots; whatever the
        // arrivals, any window of a minute holds at most the limit.
        let limit = RateLimit { requests: 7, per: MIN, bucket: "read", per_endpoint: false };
        let mut limiter = RateLimiter::default();
        let mut now = Duration::from_secs(50);
        let mut slots = Vec::new();
        let mut seed = 0x2545_f491_u64;
        for _ in 0..400 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            now += Duration::from_millis(seed % 9_000 / if seed % 5 == 0 { 1 } else { 40 });
            slots.push(limiter.reserve(limit, key("read"), now).0);
        }
        assert!(slots.windows(2).all(|pair| pair[0] <= pair[1]), "slots are handed out in order");
        for (i, &first) in slots.iter().enumerate() {
            let in_window = slots[i..].iter().take_while(|&&slot| slot < first + MIN).count();
            assert!(in_window <= 7, "{in_window} slots in the minute from {first:?}");
        }
        // And the limiter is no slower than it must be: the 8th slot after any slot is exactly a
        // window after it or taken when its caller came.
        assert!(slots.windows(8).any(|w| w[7] == w[0] + MIN), "callers queued behind full windows");
    }

    #[test]
    fn three_times_the_limit_takes_two_windows() {
        let limit = RateLimit { requests: 30, per: MIN, bucket: "read", per_endpoint: false };
        let mut limiter = RateLimiter::default();
        let t0 = Duration::from_secs(100);
        let last = (0..90).map(|_| limiter.reserve(limit, key("read"), t0).0).last().unwrap();
        assert_eq!(last, t0 + 2 * MIN, "the fastest schedule a window of 30 allows");
    }

    #[test]
    fn the_last_slot_comes_back_on_release_and_old_slots_with_time() {
        let limit = RateLimit { requests: 1, per: MIN, bucket: "read", per_endpoint: false };
        let mut limiter = RateLimiter::default();
        let t0 = Duration::from_secs(100);
        limiter.reserve(limit, key("read"), t0);
        let (second, waits) = limiter.reserve(limit, key("read"), t0);
        assert_eq!((second, waits), (t0 + MIN, MIN + Duration::from_millis(500)));
        limiter.release(&key("read"), second);
        assert_eq!(limiter.reserve(limit, key("read"), t0).0, second, "the released slot is taken again");
        // A slot that another caller queued behind stays taken: giving it back could crowd a window.
        let (third, _) = limiter.reserve(limit, key("read"), t0);
        limiter.release(&key("read"), second);
        assert_eq!(limiter.reserve(limit, key("read"), t0).0, third + MIN);
        assert_eq!(wait(&mut limiter, limit, key("read"), t0 + MIN * 5), Duration::ZERO);
    }
}
