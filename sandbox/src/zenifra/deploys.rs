//! Zenifra's deployments: image updates and branch deploys, which build for 30 seconds and then go
//! live, and the deployment history.

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use serde::Serialize;

use super::{
    conflict, invalid, text_field, DeploymentRecord, Permission, ProjectCall, ProjectRecord, Reply, Store, REGISTRY,
};
use crate::body::field_error;
use crate::checks;
use crate::clock::rfc3339;
use crate::ApiError;

/// How long a deployment builds before it goes live.
const BUILD_TIME: Duration = Duration::from_secs(30);

/// Where a deployment is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DeploymentStatus {
    Building,
    Live,
    /// A later deployment went live.
    Superseded,
}

impl DeploymentStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Building => "building",
            Self::Live => "live",
            Self::Superseded => "superseded",
        }
    }
}

/// A deployment as the API answers it; one that is not a branch deploy has no `branch`.
#[derive(Serialize)]
pub(super) struct Deployment {
    id: String,
    status: &'static str,
    image: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    branch: Option<String>,
    created_at: String,
}

impl DeploymentRecord {
    pub(super) fn building(&self, now: SystemTime) -> bool {
        now.duration_since(self.created_at).unwrap_or_default() < BUILD_TIME
    }
}

/// The status of deployment `index` of `deployments` (oldest first): building for [`BUILD_TIME`];
/// then the newest of those built is live and the others superseded.
fn deployment_status(deployments: &[DeploymentRecord], index: usize, now: SystemTime) -> DeploymentStatus {
    if deployments[index].building(now) {
        DeploymentStatus::Building
    } else if deployments[index + 1..].iter().any(|later| !later.building(now)) {
        DeploymentStatus::Superseded
    } else {
        DeploymentStatus::Live
    }
}

impl ProjectRecord {
    fn deployment(&self, index: usize, now: SystemTime) -> Deployment {
        let record = &self.deployments[index];
        Deployment {
            id: record.id.clone(),
            status: deployment_status(&self.deployments, index, now).as_str(),
            image: record.image.clone(),
            branch: record.branch.clone(),
            created_at: rfc3339(record.created_at),
        }
    }
}

impl Store {
    /// Records a deployment of `image` (from `branch`, for a branch deploy) on a project that runs.
    fn deploy(
        &mut self,
        index: usize,
        image: String,
        branch: Option<String>,
        now: SystemTime,
    ) -> Result<Deployment, ApiError> {
        let project = &mut self.projects[index];
        if project.stopped_at.is_some() {
            return Err(conflict("project is stopped; resume it first"));
        }
        self.deployments += 1;
        let id = format!("dep_{}", self.deployments);
        project.deployments.push(DeploymentRecord {
            id,
            image: image.clone(),
            branch: branch.clone(),
            created_at: now,
        });
        project.image = Some(image);
        if branch.is_some() {
            project.branch = branch;
        }
        project.touch(now);
        Ok(project.deployment(project.deployments.len() - 1, now))
    }
}

/// An image reference, such as `registry.example.com/web:1.4.2`: not blank, no whitespace.
fn image_reference(field: &str, image: &str) -> Result<(), ApiError> {
    checks::not_blank(field, image)?;
    if image.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(field_error(field, "must not contain whitespace"));
    }
    Ok(())
}

/// A git branch name: not blank, without whitespace or the characters git refuses in a ref, no
/// `..`, not starting with `-` or `/` and not ending with `/`.
fn branch_name(field: &str, branch: &str) -> Result<(), ApiError> {
    checks::not_blank(field, branch)?;
    let bad_char = branch.chars().any(|c| c.is_whitespace() || c.is_control() || "~^:?*[\\".contains(c));
    if bad_char || branch.contains("..") || branch.starts_with(['-', '/']) || branch.ends_with('/') {
        return Err(field_error(field, &format!("{branch:?} is not a valid branch name")));
    }
    Ok(())
}

/// `PATCH /project/{id}/image {"image"}`: deploys the image.
pub(super) async fn update_image(call: ProjectCall, body: Bytes) -> Reply<Deployment> {
    call.on_store(Permission::Deploy, |store, index, now| {
        let image = text_field(&body, "image")?;
        image_reference("image", &image).map_err(invalid)?;
        store.deploy(index, image, None, now)
    })
}

/// `POST /project/{id}/deploy {"branch"}`: deploys the branch's image.
pub(super) async fn deploy_branch(call: ProjectCall, body: Bytes) -> Reply<Deployment> {
    call.on_store(Permission::Deploy, |store, index, now| {
        let branch = text_field(&body, "branch")?;
        branch_name("branch", &branch).map_err(invalid)?;
        let image = format!("{REGISTRY}/{}:{branch}", store.projects[index].name);
        store.deploy(index, image, Some(branch), now)
    })
}

/// `GET /project/{id}/historic/deployments`: newest first.
pub(super) async fn list_deployments(call: ProjectCall) -> Reply<Vec<Deployment>> {
    call.on(Permission::Read, |project, now| {
        Ok((0..project.deployments.len()).rev().map(|index| project.deployment(index, now)).collect())
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{at, deployment};
    use super::*;

    #[test]
    fn deployments_build_then_go_live_and_are_superseded() {
        let deployments = [deployment("dep_1", 0), deployment("dep_2", 100)];
        let statuses = |now: u64| -> Vec<DeploymentStatus> {
            (0..deployments.len()).map(|i| deployment_status(&deployments, i, at(now))).collect()
        };
        use DeploymentStatus::{Building, Live, Superseded};
        assert_eq!(statuses(10), [Building, Building]);
        assert_eq!(statuses(30), [Live, Building]);
        assert_eq!(statuses(129), [Live, Building], "the old one serves while the new one builds");
        assert_eq!(statuses(130), [Superseded, Live]);
        assert_eq!(statuses(100_000), [Superseded, Live]);
    }

    #[test]
    fn images_and_branches_are_checked() {
        let message = |result: Result<(), ApiError>| {
            let response = axum::response::IntoResponse::into_response(result.expect_err("should be refused"));
            response.extensions().get::<crate::ErrorReport>().map(|report| report.message.clone()).unwrap_or_default()
        };
        assert!(image_reference("image", "registry.example.com/web:1.4.2").is_ok());
        assert_eq!(message(image_reference("image", " ")), "image: must not be empty");
        assert_eq!(message(image_reference("image", "web 2")), "image: must not contain whitespace");
        assert!(branch_name("branch", "feature/login-v2").is_ok());
        for bad in ["a b", "a..b", "-x", "/x", "x/", "a~1", "a^", "a:b", "a?", "a*", "a[b", "a\\b"] {
            assert_eq!(message(branch_name("branch", bad)), format!("branch: {bad:?} is not a valid branch name"));
        }
    }
}
