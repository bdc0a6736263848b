//! Zyra's fleet-wide monitoring alerts: seeded, listed with a status filter.

use std::sync::Arc;

use axum::extract::State;
use serde::Serialize;

use super::{filter, page, Caller, Ids, Read, Reply};
use crate::body::Params;
use crate::clock::rfc3339;
use crate::{lock, Shared};

/// The statuses the list filter takes.
const STATUSES: [&str; 2] = ["open", "resolved"];
/// Seeded alerts; the first [`RESOLVED`] are resolved, the rest open.
const SEEDED: u64 = 12;
const RESOLVED: u64 = 7;
/// What the seeded alerts say, with their severity, in turn.
const MESSAGES: [(&str, &str); 4] = [
    ("critical", "GPU temperature above 90 °C"),
    ("warning", "GPU memory usage above 95%"),
    ("info", "Driver update available"),
    ("warning", "Heartbeat missed for 2 minutes"),
];

/// A monitoring alert.
#[derive(Clone, Debug, Serialize)]
pub(super) struct Alert {
    id: String,
    severity: &'static str,
    device_id: String,
    message: &'static str,
    status: &'static str,
    raised_at: String,
}

/// `alert_0001` … `alert_0012`, raised half an hour apart on seeded devices.
pub(super) fn seeded(ids: &mut Ids) -> Vec<Alert> {
    (1..=SEEDED)
        .map(|n| {
            let (severity, message) = MESSAGES[(n as usize - 1) % MESSAGES.len()];
            Alert {
                id: ids.next("alert_"),
                severity,
                device_id: format!("dev_{:04}", n * 37 % 520 + 1),
                message,
                status: if n <= RESOLVED { "resolved" } else { "open" },
                raised_at: rfc3339(super::seeded_at(n * 1800)),
            }
        })
        .collect()
}

/// `GET /monitoring/alerts?status=open|resolved`.
pub(super) async fn alerts(State(shared): State<Arc<Shared>>, _caller: Caller<Read>, params: Params) -> Reply {
    let status = filter(&params, "status", &STATUSES)?;
    let store = lock(&shared.zyra);
    page(&params, store.alerts.iter().filter(|alert| status.is_none_or(|status| alert.status == status)))
}
