//! The sandbox clock: real time plus an offset that only moves forward, and RFC 3339 formatting.
//!
//! Every expiry in the emulated APIs (app status, deploy locks, …) reads this clock, so a test can
//! jump half an hour ahead without waiting.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::lock;

/// Real time shifted by an offset that [`Clock::advance`] grows and [`Clock::reset`] clears.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    offset: Mutex<Duration>,
}

impl Clock {
    /// The sandbox's current time.
    pub(crate) fn now(&self) -> SystemTime {
        let real = SystemTime::now();
        real.checked_add(self.offset()).unwrap_or(real)
    }

    /// How far the clock runs ahead of real time.
    pub(crate) fn offset(&self) -> Duration {
        *lock(&self.offset)
    }

    /// Moves the clock forward by `by`.
    pub(crate) fn advance(&self, by: Duration) {
        let mut offset = lock(&self.offset);
        *offset = offset.saturating_add(by);
    }

    /// Back to real time.
    pub(crate) fn reset(&self) {
        *lock(&self.offset) = Duration::ZERO;
    }
}

/// A moment split into calendar fields (UTC, proleptic Gregorian).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Civil {
    pub(crate) year: i64,
    pub(crate) month: u32,
    pub(crate) day: u32,
    pub(crate) hour: u32,
    pub(crate) minute: u32,
    pub(crate) second: u32,
}

impl Civil {
    /// The calendar fields of `time`, to the second; times before 1970 count as 1970-01-01.
    pub(crate) fn of(time: SystemTime) -> Self {
        let secs = time.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        let days = i64::try_from(secs / 86_400).unwrap_or(i64::MAX / 2);
        let rem = secs % 86_400;
        let (year, month, day) = civil_from_days(days);
        // `rem` is below 86 400, so these fit.
        let rem = rem as u32;
        Self { year, month, day, hour: rem / 3600, minute: rem / 60 % 60, second: rem % 60 }
    }
}

/// `time` as RFC 3339 in UTC to the second, such as `2026-01-15T10:30:00Z`.
pub(crate) fn rfc3339(time: SystemTime) -> String {
    let c = Civil::of(time);
    format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", c.year, c.month, c.day, c.hour, c.minute, c.second)
}

/// Year, month (1-12) and day (1-31) of the day `days` after 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32; // [1, 31]
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32; // [1, 12]
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339(at(0)), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(at(951_782_400)), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(at(1_768_473_000)), "2026-01-15T10:30:00Z");
        assert_eq!(rfc3339(at(1_772_902_800)), "2026-03-07T17:00:00Z");
        assert_eq!(rfc3339(at(4_107_542_399)), "2100-02-28T23:59:59Z");
        assert_eq!(rfc3339(at(4_107_542_400)), "2100-03-01T00:00:00Z");
    }

    #[test]
    fn every_day_follows_the_previous_one() {
        let mut previous = civil_from_days(0);
        for day in 1..200_000 {
            let next = civil_from_days(day);
            let (y, m, d) = previous;
            let ok = next == (y, m, d + 1) || next == (y, m + 1, 1) || next == (y + 1, 1, 1);
            assert!(ok, "{previous:?} -> {next:?}");
            previous = next;
        }
    }

    #[test]
    fn offset_moves_forward_and_resets() {
        let clock = Clock::default();
        let before = clock.now();
        clock.advance(Duration::from_secs(3600));
        assert!(clock.now().duration_since(before).unwrap() >= Duration::from_secs(3600));
        assert_eq!(clock.offset(), Duration::from_secs(3600));
        clock.reset();
        assert_eq!(clock.offset(), Duration::ZERO);
    }
}
