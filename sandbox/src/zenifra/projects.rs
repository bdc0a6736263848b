//! Zenifra's projects: the list, a project, its name, description and domain, stop and resume.

use std::sync::Arc;
use std::time::SystemTime;

use axum::extract::State;
use axum::Json;
use bytes::Bytes;
use serde::Serialize;

use super::{
    bad_request, conflict, invalid, text_field, Caller, Permission, ProjectCall, ProjectRecord, ProjectType, Reply,
};
use crate::body::Params;
use crate::checks;
use crate::clock::rfc3339;
use crate::{lock, Shared};

/// Projects per page when the list asks for no `limit`.
const DEFAULT_PAGE_LIMIT: u32 = 15;
/// The most projects one page holds.
const MAX_PAGE_LIMIT: u32 = 100;

/// Whether a project serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ProjectState {
    Running,
    Stopped,
    /// A deployment is building; the project keeps serving meanwhile.
    Deploying,
}

impl ProjectState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Stopped => "stopped",
            Self::Deploying => "deploying",
        }
    }
}

/// A project as the API answers it; a description, image, branch or domain it lacks is left out.
#[derive(Serialize)]
pub(super) struct Project {
    id: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(rename = "type")]
    kind: &'static str,
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    branch: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    domain: Option<String>,
    plan: &'static str,
    instances: u32,
    storage_gb: u32,
    organization_id: String,
    created_at: String,
    updated_at: String,
}

/// A page of the project list.
#[derive(Serialize)]
pub(super) struct ProjectPage {
    data: Vec<Project>,
    page: u32,
    limit: u32,
    total: u64,
}

impl ProjectRecord {
    fn state(&self, now: SystemTime) -> ProjectState {
        if self.stopped_at.is_some() {
            ProjectState::Stopped
        } else if self.deployments.last().is_some_and(|deployment| deployment.building(now)) {
            ProjectState::Deploying
        } else {
            ProjectState::Running
        }
    }

    pub(super) fn view(&self, now: SystemTime) -> Project {
        Project {
            id: self.id.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            kind: self.kind.as_str(),
            state: self.state(now).as_str(),
            image: self.image.clone(),
            branch: self.branch.clone(),
            domain: self.domain.clone(),
            plan: self.plan.as_str(),
            instances: self.instances,
            storage_gb: self.storage_gb,
            organization_id: self.organization_id.clone(),
            created_at: rfc3339(self.created_at),
            updated_at: rfc3339(self.updated_at),
        }
    }
}

/// `GET /project?type=&page=&limit=`: a page of the projects the key sees.
pub(super) async fn list_projects(
    State(shared): State<Arc<Shared>>,
    Caller(key): Caller,
    params: Params,
) -> Reply<ProjectPage> {
    let now = shared.clock.now();
    let mut store = lock(&shared.zenifra);
    store.count(&format!("key:{}", key.secret), now)?;
    key.require(Permission::Read)?;
    let kind = match params.get("type") {
        None => None,
        Some(text) => Some(
            ProjectType::ALL
                .into_iter()
                .find(|kind| kind.as_str() == text)
                .ok_or_else(|| bad_request("type: must be http or worker"))?,
        ),
    };
    let page = params.number("page", 1, 1..=u32::MAX)?;
    let limit = params.number("limit", DEFAULT_PAGE_LIMIT, 1..=MAX_PAGE_LIMIT)?;
    let matching: Vec<&ProjectRecord> = store
        .projects
        .iter()
        .filter(|project| key.sees(project) && kind.is_none_or(|kind| project.kind == kind))
        .collect();
    let skipped = (page as usize - 1).saturating_mul(limit as usize);
    let data = matching.iter().skip(skipped).take(limit as usize).map(|project| project.view(now)).collect();
    Ok(Json(ProjectPage { data, page, limit, total: matching.len() as u64 }))
}

/// `GET /project/{id}`.
pub(super) async fn get_project(call: ProjectCall) -> Reply<Project> {
    call.on(Permission::Read, |project, now| Ok(project.view(now)))
}

/// `PATCH /project/{id}/name {"name"}`.
pub(super) async fn update_name(call: ProjectCall, body: Bytes) -> Reply<Project> {
    call.on(Permission::Write, |project, now| {
        let name = text_field(&body, "name")?;
        checks::not_blank("name", &name).map_err(invalid)?;
        project.name = name;
        Ok(project.touch(now).view(now))
    })
}

/// `PATCH /project/{id}/description {"description"}`: an empty one clears it.
pub(super) async fn update_description(call: ProjectCall, body: Bytes) -> Reply<Project> {
    call.on(Permission::Write, |project, now| {
        let description = text_field(&body, "description")?;
        project.description = Some(description).filter(|description| !description.is_empty());
        Ok(project.touch(now).view(now))
    })
}

/// `PATCH /project/{id}/domain {"domain"}`.
pub(super) async fn update_domain(call: ProjectCall, body: Bytes) -> Reply<Project> {
    call.on_store(Permission::Write, |store, index, now| {
        let domain = checks::domain_name("domain", &text_field(&body, "domain")?).map_err(invalid)?;
        let taken =
            store.projects.iter().enumerate().any(|(i, other)| i != index && other.domain.as_ref() == Some(&domain));
        if taken {
            return Err(conflict("domain is already used by another project"));
        }
        let project = &mut store.projects[index];
        project.domain = Some(domain);
        Ok(project.touch(now).view(now))
    })
}

/// `PATCH /project/{id}/stop`: any body is ignored.
pub(super) async fn stop_project(call: ProjectCall) -> Reply<Project> {
    call.on(Permission::Write, |project, now| {
        if project.stopped_at.is_some() {
            return Err(conflict("project is already stopped"));
        }
        project.stopped_at = Some(now);
        Ok(project.touch(now).view(now))
    })
}

/// `PATCH /project/{id}/resume`: any body is ignored.
pub(super) async fn resume_project(call: ProjectCall) -> Reply<Project> {
    call.on(Permission::Write, |project, now| {
        if project.stopped_at.is_none() {
            return Err(conflict("project is already running"));
        }
        project.stopped_at = None;
        project.started_at = now;
        Ok(project.touch(now).view(now))
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{at, deployment};
    use super::super::Store;
    use super::*;

    #[test]
    fn state_follows_the_last_deployment_and_stops() {
        let mut store = Store::default();
        let web = &mut store.projects[0];
        assert_eq!(web.state(at(1)), ProjectState::Deploying);
        assert_eq!(web.state(at(30)), ProjectState::Running);
        web.deployments.push(deployment("dep_2", 100));
        assert_eq!(web.state(at(110)), ProjectState::Deploying);
        web.stopped_at = Some(at(120));
        assert_eq!(web.state(at(125)), ProjectState::Stopped);
        assert_eq!(store.projects[1].state(at(0)), ProjectState::Stopped);
    }
}
