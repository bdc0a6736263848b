//! Zenifra's environment variables: read them all, or set and unset some at once.

use std::collections::BTreeMap;

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{bad_request, invalid, Permission, ProjectCall, ProjectRecord, Reply};
use crate::body::object;
use crate::checks;

/// A project's variables, name to value.
#[derive(Serialize)]
pub(super) struct EnvVars {
    envs: BTreeMap<String, String>,
}

/// The body of `PATCH …/envs`: variables to add or replace, names to remove; either may be left
/// out, and other fields are ignored.
#[derive(Deserialize)]
struct EnvChange {
    #[serde(default)]
    envs: BTreeMap<String, String>,
    #[serde(default)]
    unset: Vec<String>,
}

impl ProjectRecord {
    fn envs(&self) -> EnvVars {
        EnvVars { envs: self.envs.clone() }
    }
}

/// `GET /project/{id}/envs`.
pub(super) async fn get_envs(call: ProjectCall) -> Reply<EnvVars> {
    call.on(Permission::Read, |project, _| Ok(project.envs()))
}

/// `PATCH /project/{id}/envs {"envs": {name: value}, "unset": [name]}`: sets and removes, answers all.
pub(super) async fn update_envs(call: ProjectCall, body: Bytes) -> Reply<EnvVars> {
    call.on(Permission::Write, |project, now| {
        let map = object(&body).map_err(invalid)?;
        let change: EnvChange =
            serde_json::from_value(Value::Object(map)).map_err(|e| bad_request(format!("envs: {e}")))?;
        for name in change.envs.keys() {
            checks::env_name("envs", name).map_err(invalid)?;
        }
        for name in &change.unset {
            checks::env_name("unset", name).map_err(invalid)?;
        }
        if let Some(name) = change.unset.iter().find(|name| change.envs.contains_key(*name)) {
            return Err(bad_request(format!("unset: {name:?} is also being set")));
        }
        if change.envs.is_empty() && change.unset.is_empty() {
            return Err(bad_request("envs: set or unset at least one variable"));
        }
        for name in &change.unset {
            project.envs.remove(name);
        }
        project.envs.extend(change.envs);
        Ok(project.touch(now).envs())
    })
}
