//! Figures and the table they are printed in.

use std::time::Duration;

/// One line of a table: what was measured, zkit's figure, the peer's, what zkit aims for, and whether
/// it gets there.
#[derive(Clone, Debug)]
pub struct Row {
    /// What was measured, such as `get_app x2000, sequential`.
    pub figure: String,
    /// zkit's figure, formatted.
    pub zkit: String,
    /// The peer's figure, formatted, with the peer's name.
    pub peer: String,
    /// zkit / peer (time or memory), formatted.
    pub ratio: String,
    /// The target, such as `<= 1.1x`; `-` for a row that has none.
    pub goal: String,
    /// Whether the row meets its goal: `yes`, `no`, or `-` (no goal, or a figure missing); see [`meets`].
    pub met: String,
}

/// Prints `rows` as an aligned plain-text table under `title`.
pub fn print_table(title: &str, rows: &[Row]) {
    let header = Row {
        figure: "figure".into(),
        zkit: "zkit".into(),
        peer: "peer".into(),
        ratio: "ratio".into(),
        goal: "goal".into(),
        met: "met".into(),
    };
    let cells = |row: &Row| {
        [row.figure.clone(), row.zkit.clone(), row.peer.clone(), row.ratio.clone(), row.goal.clone(), row.met.clone()]
    };
    let mut widths = [0usize; 6];
    for row in std::iter::once(&header).chain(rows) {
        for (width, cell) in widths.iter_mut().zip(cells(row)) {
            *width = (*width).max(cell.chars().count());
        }
    }
    println!("== {title}");
    let line = |row: &Row| {
        let cells = cells(row);
        let mut out = String::new();
        for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
            let pad = width - cell.chars().count();
            if i == 0 {
                out.push_str(cell);
                out.push_str(&" ".repeat(pad));
            } else {
                out.push_str("  ");
                out.push_str(&" ".repeat(pad));
                out.push_str(cell);
            }
        }
        println!("{}", out.trim_end());
    };
    line(&header);
    println!("{}", "-".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1)));
    for row in rows {
        line(row);
    }
    println!();
}

/// Whether a figure meets its goal: `yes` when `value` (a zkit / peer ratio, or MiB) is at most `limit`,
/// `no` when it is above, `-` when either is unknown (no goal, or the figure failed).
pub fn meets(value: Option<f64>, limit: Option<f64>) -> String {
    match (value, limit) {
        (Some(value), Some(limit)) if value.is_finite() => if value <= limit { "yes" } else { "no" }.into(),
        _ => "-".into(),
    }
}

/// The median of `values` (the mean of the middle two for an even count); 0 when empty.
pub fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}

/// A duration as milliseconds with two decimals.
pub fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1e3)
}

/// Microseconds per call for `total` spent on `calls` calls.
pub fn per_call(total: Duration, calls: u32) -> String {
    format!("{:.1} µs/call", total.as_secs_f64() * 1e6 / f64::from(calls))
}

/// `zkit / peer` as `1.23x`.
pub fn ratio(zkit: f64, peer: f64) -> String {
    if peer > 0.0 {
        format!("{:.2}x", zkit / peer)
    } else {
        "-".into()
    }
}

/// Throughput in MiB/s of `bytes` moved in `seconds`.
pub fn mib_per_s(bytes: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        bytes as f64 / (1024.0 * 1024.0) / seconds
    } else {
        0.0
    }
}

/// The process's peak resident set so far (`VmHWM` in `/proc/self/status`), in KiB; 0 where there is
/// no procfs.
pub fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(&[]), 0.0);
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    }

    #[test]
    fn goals_are_checked() {
        assert_eq!(meets(Some(1.0), Some(1.1)), "yes");
        assert_eq!(meets(Some(1.1), Some(1.1)), "yes");
        assert_eq!(meets(Some(1.2), Some(1.1)), "no");
        assert_eq!(meets(None, Some(1.1)), "-");
        assert_eq!(meets(Some(1.0), None), "-");
    }

    #[test]
    fn peak_rss_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(peak_rss_kib() > 0);
        }
    }
}
