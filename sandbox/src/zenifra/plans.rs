//! Zenifra's plans and what they cap: a project's instances and storage, and the move to another
//! plan.

use bytes::Bytes;
use http::StatusCode;
use serde::Serialize;

use super::projects::Project;
use super::{bad_request, conflict, count_field, text_field, Permission, Plan, ProjectCall, ProjectRecord, Reply};
use crate::ApiError;

/// What a plan allows.
#[derive(Debug)]
struct PlanCaps {
    plan: Plan,
    instances: u32,
    storage_gb: u32,
}

const PLANS: [PlanCaps; 4] = [
    PlanCaps { plan: Plan::Free, instances: 1, storage_gb: 1 },
    PlanCaps { plan: Plan::Starter, instances: 3, storage_gb: 10 },
    PlanCaps { plan: Plan::Pro, instances: 10, storage_gb: 100 },
    PlanCaps { plan: Plan::Business, instances: 50, storage_gb: 1000 },
];

/// How many instances a project runs (or will run once resumed), and the most its plan allows.
#[derive(Serialize)]
pub(super) struct Instances {
    count: u32,
    max: u32,
}

/// A project's storage: its size and how much of it is in use.
#[derive(Serialize)]
pub(super) struct Storage {
    size_gb: u32,
    used_gb: f64,
}

impl ProjectRecord {
    fn caps(&self) -> &'static PlanCaps {
        PLANS.iter().find(|caps| caps.plan == self.plan).unwrap_or(&PLANS[0])
    }

    fn instances(&self) -> Instances {
        Instances { count: self.instances, max: self.caps().instances }
    }

    fn storage(&self) -> Storage {
        Storage { size_gb: self.storage_gb, used_gb: self.used_gb }
    }
}

/// `value` if the plan allows it (`cap` at most), else 402 with `message`.
fn within_plan(value: u64, cap: u32, message: String) -> Result<u32, ApiError> {
    u32::try_from(value)
        .ok()
        .filter(|value| *value <= cap)
        .ok_or_else(|| ApiError::coded(StatusCode::PAYMENT_REQUIRED, "plan_limit", message))
}

/// `GET /project/{id}/instances`.
pub(super) async fn get_instances(call: ProjectCall) -> Reply<Instances> {
    call.on(Permission::Read, |project, _| Ok(project.instances()))
}

/// `PATCH /project/{id}/instances {"count"}`.
pub(super) async fn update_instances(call: ProjectCall, body: Bytes) -> Reply<Instances> {
    call.on(Permission::Write, |project, now| {
        let count = count_field(&body, "count")?;
        let caps = project.caps();
        let plural = if caps.instances == 1 { "" } else { "s" };
        let refusal = format!("the {} plan allows at most {} instance{plural}", caps.plan.as_str(), caps.instances);
        project.instances = within_plan(count, caps.instances, refusal)?;
        Ok(project.touch(now).instances())
    })
}

/// `PATCH /project/{id}/plan {"plan"}`.
pub(super) async fn change_plan(call: ProjectCall, body: Bytes) -> Reply<Project> {
    call.on(Permission::Billing, |project, now| {
        let name = text_field(&body, "plan")?;
        let caps = PLANS
            .iter()
            .find(|caps| caps.plan.as_str() == name)
            .ok_or_else(|| bad_request("plan: must be free, starter, pro or business"))?;
        let plan = caps.plan.as_str();
        if project.instances > caps.instances {
            return Err(conflict(format!(
                "scale instances to at most {} before moving to the {plan} plan",
                caps.instances
            )));
        }
        if project.storage_gb > caps.storage_gb {
            return Err(conflict(format!(
                "shrink storage to at most {} GB before moving to the {plan} plan",
                caps.storage_gb
            )));
        }
        project.plan = caps.plan;
        Ok(project.touch(now).view(now))
    })
}

/// `PATCH /project/{id}/storage/size {"size_gb"}`.
pub(super) async fn update_storage_size(call: ProjectCall, body: Bytes) -> Reply<Storage> {
    call.on(Permission::Write, |project, now| {
        let size = count_field(&body, "size_gb")?;
        let caps = project.caps();
        let refusal = format!("the {} plan allows at most {} GB of storage", caps.plan.as_str(), caps.storage_gb);
        let size = within_plan(size, caps.storage_gb, refusal)?;
        if f64::from(size) < project.used_gb {
            return Err(conflict(format!("{} GB of storage is in use; the size cannot go below it", project.used_gb)));
        }
        project.storage_gb = size;
        Ok(project.touch(now).storage())
    })
}

/// `GET /project/{id}/storage/usage`.
pub(super) async fn get_storage_usage(call: ProjectCall) -> Reply<Storage> {
    call.on(Permission::Read, |project, _| Ok(project.storage()))
}
