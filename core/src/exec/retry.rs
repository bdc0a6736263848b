//! When to try again and how long to wait first. Pure: the caller passes the attempt, the error and
//! the time left.

use std::time::Duration;

use crate::config::RetryPolicy;
use crate::error::{Error, ErrorKind};

/// A small seedable generator (SplitMix64) for jitter, so tests can fix the sequence.
#[derive(Clone, Debug)]
pub(crate) struct Jitter(u64);

impl Jitter {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// A factor in [0.5, 1].
    pub(crate) fn factor(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        let unit = (z >> 11) as f64 / (1u64 << 53) as f64;
        0.5 + unit * 0.5
    }
}

/// `min(initial * 2^attempt, max)`, scaled by a jitter factor in [0.5, 1].
pub(crate) fn backoff(policy: &RetryPolicy, attempt: u32, jitter: &mut Jitter) -> Duration {
    let exp = policy.initial_backoff.saturating_mul(1u32 << attempt.min(20));
    exp.min(policy.max_backoff).mul_f64(jitter.factor())
}

/// What the pipeline does after a failed attempt.
#[derive(Debug, PartialEq)]
pub(crate) enum Next {
    /// Wait this long, then try again.
    RetryAfter(Duration),
    /// Give up with the error as it stands.
    GiveUp,
}

/// Decides about a failed attempt.
///
/// `attempt` counts from 0; `replay_safe` is true for idempotent operations and for calls carrying an
/// idempotency key; `maybe_sent` is false when the request provably never reached the server;
/// `time_left` is what remains of the call's deadline.
pub(crate) fn decide(
    policy: &RetryPolicy,
    attempt: u32,
    error: &Error,
    replay_safe: bool,
    maybe_sent: bool,
    time_left: Option<Duration>,
    jitter: &mut Jitter,
) -> Next {
    if attempt >= policy.max_retries || !error.is_retryable() {
        return Next::GiveUp;
    }
    // A 429 and a connection never made mean the server did nothing: any operation may go again.
    // Anything else may have had an effect, so only replay-safe calls retry.
    let not_processed = error.kind() == ErrorKind::RateLimited || !maybe_sent;
    if !(not_processed || replay_safe) {
        return Next::GiveUp;
    }
    let wait = match error.retry_after() {
        Some(after) if after > policy.max_retry_after => return Next::GiveUp,
        Some(after) => after,
        None => backoff(policy, attempt, jitter),
    };
    match time_left {
        Some(left) if wait >= left => Next::GiveUp,
        _ => Next::RetryAfter(wait),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy::default()
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter_in_range() {
        let mut jitter = Jitter::new(7);
        for attempt in 0..8 {
            let base = Duration::from_millis(500).saturating_mul(1 << attempt).min(Duration::from_secs(8));
            let wait = backoff(&policy(), attempt, &mut jitter);
            assert!(wait >= base / 2 && wait <= base, "attempt {attempt}: {wait:?} outside [{:?}, {base:?}]", base / 2);
        }
    }

    #[test]
    fn same_seed_same_waits() {
        let (mut a, mut b) = (Jitter::new(42), Jitter::new(42));
        let wa: Vec<_> = (0..5).map(|n| backoff(&policy(), n, &mut a)).collect();
        let wb: Vec<_> = (0..5).map(|n| backoff(&policy(), n, &mut b)).collect();
        assert_eq!(wa, wb);
    }

    #[test]
    fn server_errors_retry_only_when_replay_safe() {
        let err = Error::new(ErrorKind::Server, "boom").with_status(503);
        let mut j = Jitter::new(1);
        assert!(matches!(decide(&policy(), 0, &err, true, true, None, &mut j), Next::RetryAfter(_)));
        assert_eq!(decide(&policy(), 0, &err, false, true, None, &mut j), Next::GiveUp);
        assert_eq!(decide(&policy(), 2, &err, true, true, None, &mut j), Next::GiveUp);
    }

    #[test]
    fn unsent_requests_and_429_retry_even_when_not_idempotent() {
        let mut j = Jitter::new(1);
        let refused = Error::new(ErrorKind::Connection, "refused");
        assert!(matches!(decide(&policy(), 0, &refused, false, false, None, &mut j), Next::RetryAfter(_)));
        let limited = Error::new(ErrorKind::RateLimited, "slow down").with_retry_after(Some(Duration::from_secs(3)));
        assert_eq!(decide(&policy(), 0, &limited, false, true, None, &mut j), Next::RetryAfter(Duration::from_secs(3)));
    }

    #[test]
    fn retry_after_past_the_cap_or_the_deadline_gives_up() {
        let mut j = Jitter::new(1);
        let long = Error::new(ErrorKind::RateLimited, "later").with_retry_after(Some(Duration::from_secs(61)));
        assert_eq!(decide(&policy(), 0, &long, true, true, None, &mut j), Next::GiveUp);
        let short = Error::new(ErrorKind::RateLimited, "soon").with_retry_after(Some(Duration::from_secs(5)));
        assert_eq!(decide(&policy(), 0, &short, true, true, Some(Duration::from_secs(4)), &mut j), Next::GiveUp);
    }

    #[test]
    fn client_errors_never_retry() {
        let mut j = Jitter::new(1);
        let err = Error::new(ErrorKind::Conflict, "taken").with_status(409);
        assert_eq!(decide(&policy(), 0, &err, true, true, None, &mut j), Next::GiveUp);
    }
}
