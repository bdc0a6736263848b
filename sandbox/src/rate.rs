//! The server side of rate limits, on the sandbox clock: "N requests per minute" as a bucket of N
//! that refills evenly over the minute (the same rule as the client's limiter, so a paced client is
//! never refused), answering how long a refused caller must wait (the `Retry-After` of its 429).

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

/// Per key, when its bucket is next full (the theoretical arrival time of GCRA).
#[derive(Debug, Default)]
pub(crate) struct Buckets {
    next_free: HashMap<String, SystemTime>,
}

impl Buckets {
    /// Counts a request of `key` at `now` if the bucket of `limit` per `per` has room; otherwise
    /// returns the whole seconds until it has (at least 1).
    pub(crate) fn hit(&mut self, key: &str, now: SystemTime, limit: usize, per: Duration) -> Result<(), u64> {
        let interval = per / u32::try_from(limit.max(1)).unwrap_or(u32::MAX);
        let burst = per.saturating_sub(interval);
        let tat = self.next_free.get(key).copied().filter(|tat| *tat > now).unwrap_or(now);
        let opens_at = tat.checked_sub(burst).unwrap_or(tat);
        if let Ok(wait) = opens_at.duration_since(now) {
            if !wait.is_zero() {
                return Err(wait.as_secs_f64().ceil().max(1.0) as u64);
            }
        }
        self.next_free.insert(key.to_owned(), tat + interval);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    #[test]
    fn a_full_bucket_then_an_even_refill() {
        let mut buckets = Buckets::default();
        let t0 = UNIX_EPOCH + Duration::from_secs(1000);
        let minute = Duration::from_secs(60);
        for _ in 0..3 {
            assert_eq!(buckets.hit("a", t0, 3, minute), Ok(()));
        }
        assert_eq!(buckets.hit("a", t0, 3, minute), Err(20));
        assert_eq!(buckets.hit("b", t0, 3, minute), Ok(()), "keys have their own buckets");
        assert_eq!(buckets.hit("a", t0 + Duration::from_secs(19), 3, minute), Err(1));
        assert_eq!(buckets.hit("a", t0 + Duration::from_secs(20), 3, minute), Ok(()));
        assert_eq!(buckets.hit("a", t0 + Duration::from_secs(20), 3, minute), Err(20));
        assert_eq!(buckets.hit("a", t0 + minute * 2, 3, minute), Ok(()));
    }
}
