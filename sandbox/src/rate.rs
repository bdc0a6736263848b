//! The server side of rate limits: a sliding window per key on the sandbox clock, answering how
//! long a refused caller must wait (the `Retry-After` of its 429).

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, SystemTime};

/// Requests seen per key within the window.
#[derive(Debug, Default)]
pub(crate) struct Windows {
    seen: HashMap<String, VecDeque<SystemTime>>,
}

impl Windows {
    /// Counts a request of `key` at `now` if fewer than `limit` fell in the last `per`; otherwise
    /// returns the whole seconds until the oldest of them leaves the window (at least 1).
    pub(crate) fn hit(&mut self, key: &str, now: SystemTime, limit: usize, per: Duration) -> Result<(), u64> {
        let seen = self.seen.entry(key.to_owned()).or_default();
        while seen.front().is_some_and(|at| now.duration_since(*at).unwrap_or_default() >= per) {
            seen.pop_front();
        }
        if seen.len() < limit {
            seen.push_back(now);
            return Ok(());
        }
        let oldest = seen.front().copied().unwrap_or(now);
        let wait = per.saturating_sub(now.duration_since(oldest).unwrap_or_default());
        Err(wait.as_secs_f64().ceil().max(1.0) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    #[test]
    fn the_window_slides() {
        let mut windows = Windows::default();
        let t0 = UNIX_EPOCH + Duration::from_secs(1000);
        let minute = Duration::from_secs(60);
        for i in 0..3 {
            assert_eq!(windows.hit("a", t0 + Duration::from_secs(i * 10), 3, minute), Ok(()));
        }
        assert_eq!(windows.hit("a", t0 + Duration::from_secs(30), 3, minute), Err(30));
        assert_eq!(windows.hit("b", t0 + Duration::from_secs(30), 3, minute), Ok(()));
        assert_eq!(windows.hit("a", t0 + Duration::from_secs(60), 3, minute), Ok(()));
    }
}
