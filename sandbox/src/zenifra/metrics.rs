//! Zenifra's metrics and network metrics: made up, but deterministic, and in agreement with each
//! other, since they all read one [`Activity`] of the project over the period.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::{bad_request, Permission, ProjectCall, ProjectRecord, ProjectType, Reply};
use crate::body::Params;
use crate::clock::rfc3339;
use crate::ApiError;

/// The periods metrics cover, with their length.
const PERIODS: [(&str, Duration); 4] = [
    ("1h", Duration::from_secs(3600)),
    ("24h", Duration::from_secs(86_400)),
    ("7d", Duration::from_secs(7 * 86_400)),
    ("30d", Duration::from_secs(30 * 86_400)),
];
/// The period of a call that names none: the last hour.
const DEFAULT_PERIOD: &str = "1h";
/// Slots in a request series.
const SERIES_SLOTS: u32 = 12;

/// The paths of the made-up traffic: each one's share of the requests (percent) and how slow it is
/// next to the median.
pub(super) const PATHS: [(&str, u64, f64); 5] = [
    ("/", 34, 1.0),
    ("/api/products", 26, 1.6),
    ("/checkout", 18, 2.8),
    ("/login", 12, 1.2),
    ("/static/app.js", 10, 0.3),
];

/// The statuses of the made-up traffic, with their share of the requests (percent); the last takes
/// what rounding leaves.
const STATUSES: [(u16, u64); 4] = [(200, 86), (304, 7), (404, 5), (500, 2)];

/// Resource and traffic figures over a period.
#[derive(Serialize)]
pub(super) struct Metrics {
    period: &'static str,
    cpu_percent: f64,
    memory_mb: f64,
    requests: u64,
    instances: u32,
}

/// HTTP requests over a period, in equal slots, oldest first.
#[derive(Serialize)]
pub(super) struct RequestMetrics {
    period: &'static str,
    total: u64,
    series: Vec<RequestPoint>,
}

/// Requests in the slot that starts at `timestamp`.
#[derive(Serialize)]
struct RequestPoint {
    timestamp: String,
    count: u64,
}

/// Responses by HTTP status over a period, most frequent first.
#[derive(Serialize)]
pub(super) struct StatusCodeMetrics {
    period: &'static str,
    codes: Vec<StatusCount>,
}

#[derive(Serialize)]
struct StatusCount {
    status: u16,
    count: u64,
}

/// Response-time percentiles over a period, in milliseconds.
#[derive(Serialize)]
pub(super) struct LatencyMetrics {
    period: &'static str,
    p50_ms: f64,
    p90_ms: f64,
    p99_ms: f64,
}

/// The most requested paths over a period, most first.
#[derive(Serialize)]
pub(super) struct TopPaths {
    period: &'static str,
    paths: Vec<PathTraffic>,
}

#[derive(Serialize)]
struct PathTraffic {
    path: String,
    requests: u64,
    p50_ms: f64,
}

/// A small, stable hash of `parts` (FNV-1a, each part ended by a zero byte), the seed of made-up
/// figures.
pub(super) fn figure(parts: &[&str]) -> u64 {
    parts
        .iter()
        .flat_map(|part| part.bytes().chain([0]))
        .fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3))
}

/// `value` rounded to a tenth.
fn tenths(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

impl ProjectRecord {
    /// What the project does over `period` (of `length`).
    fn activity(&self, period: &'static str, length: Duration) -> Activity {
        let seed = figure(&[&self.id, period]);
        let instances = if self.stopped_at.is_some() { 0 } else { self.instances };
        let serves_http = instances > 0 && self.kind == ProjectType::Http;
        let slot = length / SERIES_SLOTS;
        let per_slot = if serves_http { u64::from(instances) * (600 + seed % 900) * slot.as_secs() / 3600 } else { 0 };
        // Each slot between 80 % and 120 % of the steady rate.
        let requests = (0..u64::from(SERIES_SLOTS)).map(|i| per_slot * (80 + (seed >> (i * 5)) % 41) / 100).collect();
        Activity { period, length, instances, requests, seed }
    }
}

/// A project's made-up activity over a period, which every metric reads, so they agree.
struct Activity {
    period: &'static str,
    length: Duration,
    /// Instances running: 0 while stopped.
    instances: u32,
    /// Requests in each slot of the period, oldest first.
    requests: Vec<u64>,
    /// The seed of the other figures.
    seed: u64,
}

impl Activity {
    fn total(&self) -> u64 {
        self.requests.iter().sum()
    }

    /// The median response time, 18 to 57 ms; 0 without traffic.
    fn median_ms(&self) -> f64 {
        if self.total() == 0 {
            return 0.0;
        }
        (18 + self.seed % 40) as f64
    }

    fn metrics(&self) -> Metrics {
        let running = self.instances > 0;
        Metrics {
            period: self.period,
            cpu_percent: if running { tenths(8.0 + (self.seed % 500) as f64 / 10.0) } else { 0.0 },
            memory_mb: f64::from(self.instances) * (192 + self.seed / 7 % 320) as f64,
            requests: self.total(),
            instances: self.instances,
        }
    }

    fn requests(&self, now: SystemTime) -> RequestMetrics {
        let start = now.checked_sub(self.length).unwrap_or(UNIX_EPOCH);
        let slot = self.length / SERIES_SLOTS;
        let series = (0..SERIES_SLOTS)
            .zip(&self.requests)
            .map(|(i, count)| RequestPoint { timestamp: rfc3339(start + slot * i), count: *count })
            .collect();
        RequestMetrics { period: self.period, total: self.total(), series }
    }

    fn status_codes(&self) -> StatusCodeMetrics {
        let total = self.total();
        let mut left = total;
        let mut codes: Vec<StatusCount> = STATUSES
            .iter()
            .enumerate()
            .map(|(i, (status, percent))| {
                let count = if i + 1 == STATUSES.len() { left } else { total * percent / 100 };
                left -= count;
                StatusCount { status: *status, count }
            })
            .filter(|code| code.count > 0)
            .collect();
        codes.sort_by_key(|code| std::cmp::Reverse(code.count));
        StatusCodeMetrics { period: self.period, codes }
    }

    fn latency(&self) -> LatencyMetrics {
        let median = self.median_ms();
        LatencyMetrics {
            period: self.period,
            p50_ms: median,
            p90_ms: tenths(median * 2.4),
            p99_ms: tenths(median * 5.5),
        }
    }

    fn top_paths(&self) -> TopPaths {
        let (total, median) = (self.total(), self.median_ms());
        let paths = PATHS
            .iter()
            .map(|(path, percent, slowness)| PathTraffic {
                path: (*path).to_owned(),
                requests: total * percent / 100,
                p50_ms: tenths(median * slowness),
            })
            .filter(|path| path.requests > 0)
            .collect();
        TopPaths { period: self.period, paths }
    }
}

/// What metrics read from a query.
impl Params {
    /// `period` with its length: the last hour when absent.
    fn period(&self) -> Result<(&'static str, Duration), ApiError> {
        let text = self.get("period").unwrap_or(DEFAULT_PERIOD);
        PERIODS
            .into_iter()
            .find(|(period, _)| *period == text)
            .ok_or_else(|| bad_request(format!("period: must be 1h, 24h, 7d or 30d, not {text:?}")))
    }
}

/// Answers what `read` takes from the project's activity over the query's period.
fn over_period<T>(call: &ProjectCall, params: &Params, read: impl FnOnce(&Activity, SystemTime) -> T) -> Reply<T> {
    call.on(Permission::Read, |project, now| {
        let (period, length) = params.period()?;
        Ok(read(&project.activity(period, length), now))
    })
}

/// `GET /project/{id}/metrics?period=`.
pub(super) async fn get_metrics(call: ProjectCall, params: Params) -> Reply<Metrics> {
    over_period(&call, &params, |activity, _| activity.metrics())
}

/// `GET /project/{id}/metrics/network/requests?period=`.
pub(super) async fn network_requests(call: ProjectCall, params: Params) -> Reply<RequestMetrics> {
    over_period(&call, &params, Activity::requests)
}

/// `GET /project/{id}/metrics/network/status-codes?period=`.
pub(super) async fn network_status_codes(call: ProjectCall, params: Params) -> Reply<StatusCodeMetrics> {
    over_period(&call, &params, |activity, _| activity.status_codes())
}

/// `GET /project/{id}/metrics/network/latency?period=`.
pub(super) async fn network_latency(call: ProjectCall, params: Params) -> Reply<LatencyMetrics> {
    over_period(&call, &params, |activity, _| activity.latency())
}

/// `GET /project/{id}/metrics/network/top-paths?period=`.
pub(super) async fn network_top_paths(call: ProjectCall, params: Params) -> Reply<TopPaths> {
    over_period(&call, &params, |activity, _| activity.top_paths())
}

#[cfg(test)]
mod tests {
    use super::super::tests::at;
    use super::super::Store;
    use super::*;

    #[test]
    fn metrics_agree_with_each_other() {
        let store = Store::default();
        let web = &store.projects[0];
        for (period, length) in PERIODS {
            let activity = web.activity(period, length);
            let total = activity.total();
            assert!(total > 0);
            assert_eq!(activity.metrics().requests, total);
            let codes = activity.status_codes().codes;
            assert_eq!(codes.iter().map(|code| code.count).sum::<u64>(), total);
            assert!(codes.windows(2).all(|pair| pair[0].count >= pair[1].count));
            let latency = activity.latency();
            assert!(latency.p50_ms <= latency.p90_ms && latency.p90_ms <= latency.p99_ms);
            let paths = activity.top_paths().paths;
            assert!(paths.windows(2).all(|pair| pair[0].requests >= pair[1].requests));
            assert!(paths.iter().map(|path| path.requests).sum::<u64>() <= total);
            assert_eq!(activity.requests(at(0)).series.len(), SERIES_SLOTS as usize);
        }
        let (hour, length) = PERIODS[0];
        let stopped = store.projects[1].activity(hour, length);
        assert_eq!((stopped.total(), stopped.metrics().cpu_percent, stopped.instances), (0, 0.0, 0));
        assert!(stopped.status_codes().codes.is_empty() && stopped.top_paths().paths.is_empty());
    }
}
