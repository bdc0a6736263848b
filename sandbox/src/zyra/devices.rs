//! Zyra's devices (the fleet's compute nodes): register (`pending`), approve (`approved`), list with
//! a status filter, get and remove. 520 are seeded, `dev_0001` … `dev_0520`, the last 3 pending.

use std::sync::Arc;

use axum::extract::{Path, State};
use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;

use super::{
    body_object, created, filter, integer_in, invalid_state, not_found, ok, page, refuse, required_string, Caller,
    Create, Ids, Read, Reply, Write,
};
use crate::body::Params;
use crate::clock::rfc3339;
use crate::{lock, Shared};

/// Seeded devices, and how many of the last ones are still pending.
const SEEDED: u64 = 520;
const SEEDED_PENDING: u64 = 3;
/// The GPU models, regions and GPU counts the seeded devices cycle through.
const GPU_MODELS: [&str; 4] = ["NVIDIA A100", "NVIDIA H100", "NVIDIA L40S", "NVIDIA RTX 4090"];
const REGIONS: [&str; 3] = ["eu-west", "us-east", "ap-southeast"];
const GPU_COUNTS: [u64; 4] = [1, 2, 4, 8];
/// The statuses the list filter takes.
const STATUSES: [&str; 2] = ["pending", "approved"];

/// A device.
#[derive(Clone, Debug, Serialize)]
pub(super) struct Device {
    id: String,
    name: String,
    status: &'static str,
    gpu_model: String,
    gpu_count: u64,
    region: String,
    registered_at: String,
    approved_at: Option<String>,
}

/// `dev_0001` … `dev_0520`, registered a minute apart; all approved ten minutes after registering
/// but the last three.
pub(super) fn seeded(ids: &mut Ids) -> Vec<Device> {
    (1..=SEEDED)
        .map(|n| {
            let i = n as usize;
            let approved = n <= SEEDED - SEEDED_PENDING;
            Device {
                id: ids.next("dev_"),
                name: format!("node-{n:04}"),
                status: if approved { "approved" } else { "pending" },
                gpu_model: GPU_MODELS[i % GPU_MODELS.len()].to_owned(),
                gpu_count: GPU_COUNTS[i / 3 % GPU_COUNTS.len()],
                region: REGIONS[i % REGIONS.len()].to_owned(),
                registered_at: rfc3339(super::seeded_at(n * 60)),
                approved_at: approved.then(|| rfc3339(super::seeded_at(n * 60 + 600))),
            }
        })
        .collect()
}

/// `GET /devices?status=pending|approved`.
pub(super) async fn list(State(shared): State<Arc<Shared>>, _caller: Caller<Read>, params: Params) -> Reply {
    let status = filter(&params, "status", &STATUSES)?;
    let store = lock(&shared.zyra);
    page(&params, store.devices.iter().filter(|device| status.is_none_or(|status| device.status == status)))
}

/// `GET /devices/{id}`.
pub(super) async fn get(State(shared): State<Arc<Shared>>, _caller: Caller<Read>, Path(id): Path<String>) -> Reply {
    let store = lock(&shared.zyra);
    ok(store.devices.iter().find(|device| device.id == id).ok_or_else(|| not_found("device"))?)
}

/// `POST /devices {name, gpu_model, gpu_count, region}`: 201, `pending` until an admin approves it.
pub(super) async fn register(State(shared): State<Arc<Shared>>, _caller: Caller<Create>, body: Bytes) -> Reply {
    let map = body_object(&body, &["name", "gpu_model", "gpu_count", "region"])?;
    let name = required_string(&map, "name")?;
    let gpu_model = required_string(&map, "gpu_model")?;
    let gpu_count = integer_in(&map, "gpu_count", 1..=16)?.ok_or_else(|| refuse("gpu_count", "is required"))?;
    let region = required_string(&map, "region")?;
    let now = shared.clock.now();
    let mut store = lock(&shared.zyra);
    let device = Device {
        id: store.ids.next("dev_"),
        name,
        status: "pending",
        gpu_model,
        gpu_count,
        region,
        registered_at: rfc3339(now),
        approved_at: None,
    };
    store.devices.push(device.clone());
    created(device)
}

/// `POST /devices/{id}/approve`: `approved` now; a device approved already is 409.
pub(super) async fn approve(State(shared): State<Arc<Shared>>, caller: Caller<Write>, Path(id): Path<String>) -> Reply {
    caller.require_admin()?;
    let now = shared.clock.now();
    let mut store = lock(&shared.zyra);
    let device = store.devices.iter_mut().find(|device| device.id == id).ok_or_else(|| not_found("device"))?;
    if device.status == "approved" {
        return Err(invalid_state("the device is approved already"));
    }
    device.status = "approved";
    device.approved_at = Some(rfc3339(now));
    ok(&*device)
}

/// `DELETE /devices/{id}`.
pub(super) async fn remove(State(shared): State<Arc<Shared>>, caller: Caller<Write>, Path(id): Path<String>) -> Reply {
    caller.require_admin()?;
    let mut store = lock(&shared.zyra);
    let index = store.devices.iter().position(|device| device.id == id).ok_or_else(|| not_found("device"))?;
    store.devices.remove(index);
    ok(Value::Null)
}
