//! The server side of rate limits, on the sandbox clock, counted the way the servers the docs name
//! count them: "N requests per minute" as a fixed window that opens with a caller's first request
//! and holds N (SlowAPI's default strategy, which Zyra names), or as a sliding window holding at
//! most N requests of the last minute. The kind is set for the whole sandbox through the control API,
//! so clients are tested against both. A refused caller learns how long to wait (`Retry-After`).

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

/// How a window is counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowKind {
    /// A window of the limit's length opens with the first request after the last one closed; it
    /// holds the limit, then refuses until it closes.
    #[default]
    Fixed,
    /// Any stretch of the limit's length ending now holds at most the limit.
    Sliding,
    /// No limits at all: for load and chaos runs, whose clients do not pace.
    Off,
}

/// The requests counted per key (a caller and endpoint, a project, …), in windows of one kind.
#[derive(Debug, Default)]
pub(crate) struct Limiter {
    /// How windows are counted from now on.
    pub(crate) kind: WindowKind,
    counts: HashMap<String, Count>,
}

#[derive(Debug)]
enum Count {
    /// The open window: when it opened and how many it holds.
    Fixed { opened: SystemTime, requests: usize },
    /// The times of the requests of the last window, oldest first.
    Sliding(VecDeque<SystemTime>),
}

impl Limiter {
    /// Counts a request of `key` at `now` against `limit` per `per`; if the window is full, returns
    /// the whole seconds until it has room (at least 1) and counts nothing.
    pub(crate) fn hit(&mut self, key: &str, now: SystemTime, limit: usize, per: Duration) -> Result<(), u64> {
        let kind = self.kind;
        let fresh = || match kind {
            WindowKind::Fixed | WindowKind::Off => Count::Fixed { opened: now, requests: 0 },
            WindowKind::Sliding => Count::Sliding(VecDeque::new()),
        };
        if kind == WindowKind::Off {
            return Ok(());
        }
        let count = self.counts.entry(key.to_owned()).or_insert_with(fresh);
        if matches!(
            (&*count, kind),
            (Count::Fixed { .. }, WindowKind::Sliding) | (Count::Sliding(_), WindowKind::Fixed)
        ) {
            *count = fresh();
        }
        let room_at = match count {
            Count::Fixed { opened, requests } => {
                if *opened + per <= now {
                    (*opened, *requests) = (now, 0);
                }
                if *requests < limit {
                    *requests += 1;
                    return Ok(());
                }
                *opened + per
            }
            Count::Sliding(times) => {
                while times.front().is_some_and(|&at| at + per <= now) {
                    times.pop_front();
                }
                if times.len() < limit {
                    times.push_back(now);
                    return Ok(());
                }
                times[times.len() - limit] + per
            }
        };
        let wait = room_at.duration_since(now).unwrap_or_default();
        Err(wait.as_secs_f64().ceil().max(1.0) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    const MINUTE: Duration = Duration::from_secs(60);

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1000 + seconds)
    }

    #[test]
    fn a_fixed_window_holds_the_limit_until_it_closes() {
        let mut limiter = Limiter::default();
        let hit = |limiter: &mut Limiter, key, s| limiter.hit(key, at(s), 3, MINUTE);
        for s in [0, 10, 20] {
            assert_eq!(hit(&mut limiter, "a", s), Ok(()));
        }
        assert_eq!(hit(&mut limiter, "a", 30), Err(30), "full until the window opened at 0 closes");
        assert_eq!(hit(&mut limiter, "b", 30), Ok(()), "keys have their own windows");
        // A new window opens with the first request after 60 and holds three again, however close
        // they come to the last window's.
        for s in [60, 60, 61] {
            assert_eq!(hit(&mut limiter, "a", s), Ok(()));
        }
        assert_eq!(hit(&mut limiter, "a", 119), Err(1));
        assert_eq!(hit(&mut limiter, "a", 121), Ok(()));
    }

    #[test]
    fn a_sliding_window_holds_the_limit_in_any_minute() {
        let mut limiter = Limiter { kind: WindowKind::Sliding, ..Limiter::default() };
        let hit = |limiter: &mut Limiter, s| limiter.hit("a", at(s), 3, MINUTE);
        for s in [0, 10, 20] {
            assert_eq!(hit(&mut limiter, s), Ok(()));
        }
        assert_eq!(hit(&mut limiter, 30), Err(30), "room when the request at 0 leaves the minute");
        assert_eq!(hit(&mut limiter, 60), Ok(()));
        assert_eq!(hit(&mut limiter, 61), Err(9), "10 and 20 and 60 fill the minute before 70");
        assert_eq!(hit(&mut limiter, 70), Ok(()));
    }

    #[test]
    fn changing_the_kind_starts_counting_afresh() {
        let mut limiter = Limiter::default();
        for _ in 0..3 {
            limiter.hit("a", at(0), 3, MINUTE).unwrap();
        }
        assert_eq!(limiter.hit("a", at(1), 3, MINUTE), Err(59));
        limiter.kind = WindowKind::Sliding;
        assert_eq!(limiter.hit("a", at(1), 3, MINUTE), Ok(()));
        limiter.kind = WindowKind::Off;
        assert!((0..100).all(|_| limiter.hit("a", at(1), 3, MINUTE).is_ok()));
    }
}
