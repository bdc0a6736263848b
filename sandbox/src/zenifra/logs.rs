//! Zenifra's logs, generated: a line on each 10-second mark while the project runs, and a line for
//! each deployment.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::metrics::{figure, PATHS};
use super::{bad_request, DeploymentRecord, Permission, ProjectCall, ProjectRecord, ProjectType, Reply};
use crate::body::Params;
use crate::clock::rfc3339;

/// Log lines answered when the call asks for no `limit`.
const DEFAULT_LOG_LINES: u32 = 100;
/// The most log lines one call answers.
const MAX_LOG_LINES: u32 = 1000;
/// Seconds between two generated log lines.
const LOG_INTERVAL: u64 = 10;
/// The levels of log lines, as the `level` filter names them.
const LEVELS: [&str; 3] = ["info", "warn", "error"];

/// A log line; a deployment's line names no instance.
#[derive(Debug, PartialEq, Serialize)]
pub(super) struct LogEntry {
    timestamp: String,
    level: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    instance: Option<String>,
}

impl ProjectRecord {
    /// The latest `limit` log lines, of `level` only if given, oldest first.
    fn logs(&self, now: SystemTime, level: Option<&str>, limit: usize) -> Vec<LogEntry> {
        let wanted = |line: &LogEntry| level.is_none_or(|level| line.level == level);
        let first = seconds(self.started_at) / LOG_INTERVAL + 1;
        let last = seconds(self.stopped_at.unwrap_or(now)) / LOG_INTERVAL;
        let mut lines: Vec<LogEntry> = self.deployments.iter().map(DeploymentRecord::log_line).filter(wanted).collect();
        // Newest first: the generated lines left out are older than any taken.
        lines.extend((first..=last).rev().map(|mark| self.traffic_line(mark)).filter(wanted).take(limit));
        // RFC 3339 in UTC to the second: text order is time order. The sort is stable, so a
        // deployment comes before the generated line of its second.
        lines.sort_by(|a, b| a.timestamp.cmp(&b.timestamp));
        lines.split_off(lines.len().saturating_sub(limit))
    }

    /// The generated log line of the `mark`-th 10-second mark since the epoch.
    fn traffic_line(&self, mark: u64) -> LogEntry {
        let instance = format!("{}-{}", self.name, mark % u64::from(self.instances.max(1)) + 1);
        let (path, _, _) = PATHS[(mark % PATHS.len() as u64) as usize];
        let ms = 5 + mark * 7 % 90;
        let http = self.kind == ProjectType::Http;
        let (level, message) = match (mark + figure(&[&self.id])) % 20 {
            7 if http => ("error", format!("GET {path} 500 in {ms} ms: upstream timed out")),
            7 => ("error", format!("job {mark} failed: connection reset by peer")),
            3 | 13 if http => ("warn", format!("GET {path} 200 in {} ms (slow)", ms * 20)),
            3 | 13 => ("warn", format!("job {mark} retried after a timeout")),
            _ if http => ("info", format!("GET {path} 200 in {ms} ms")),
            _ => ("info", format!("job {mark} done in {ms} ms")),
        };
        log_entry(UNIX_EPOCH + Duration::from_secs(mark * LOG_INTERVAL), level, message, Some(instance))
    }
}

impl DeploymentRecord {
    fn log_line(&self) -> LogEntry {
        log_entry(self.created_at, "info", format!("deployment {} started: {}", self.id, self.image), None)
    }
}

fn log_entry(at: SystemTime, level: &'static str, message: String, instance: Option<String>) -> LogEntry {
    LogEntry { timestamp: rfc3339(at), level, message, instance }
}

fn seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |since| since.as_secs())
}

/// `GET /project/{id}/logs?limit=&level=`.
pub(super) async fn get_logs(call: ProjectCall, params: Params) -> Reply<Vec<LogEntry>> {
    call.on(Permission::Read, |project, now| {
        let limit = params.number("limit", DEFAULT_LOG_LINES, 1..=MAX_LOG_LINES)?;
        let level = match params.get("level") {
            Some(level) if !LEVELS.contains(&level) => return Err(bad_request("level: must be info, warn or error")),
            level => level,
        };
        Ok(project.logs(now, level, limit as usize))
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::at;
    use super::super::Store;
    use super::*;

    #[test]
    fn logs_are_the_latest_lines_oldest_first() {
        let store = Store::default();
        let web = &store.projects[0];
        let now = at(3600);
        let lines = web.logs(now, None, 50);
        assert_eq!(lines.len(), 50);
        assert_eq!(lines.last().unwrap().timestamp, rfc3339(now));
        assert!(lines.windows(2).all(|pair| pair[0].timestamp < pair[1].timestamp));
        assert_eq!(web.logs(now, None, 50), lines, "the same lines for the same moment");
        assert!(lines.iter().all(|line| line.instance.as_deref() == Some("web-1")));
        let levels: Vec<&str> = lines.iter().map(|line| line.level).collect();
        assert!(levels.contains(&"warn") && levels.contains(&"error"), "{levels:?}");
        assert!(levels.iter().filter(|level| **level == "info").count() > 35, "mostly info: {levels:?}");

        let errors = web.logs(now, Some("error"), 1000);
        assert!(!errors.is_empty() && errors.iter().all(|line| line.level == "error"));
        // Since the seeding: the first line is the seeded deployment's.
        let all = web.logs(at(60), None, 1000);
        assert_eq!(all[0].message, "deployment dep_1 started: registry.zenifra.dev/web:1.0.0");
        assert_eq!(all.len(), 1 + 6, "the deployment, then a line at 10, 20, … 60 s");
        assert!(store.projects[1].logs(now, None, 100).is_empty(), "the worker never ran");
    }
}
