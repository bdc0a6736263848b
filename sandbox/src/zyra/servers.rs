//! Zyra's virtual servers and their lifecycle: created `running`; start needs `stopped`, stop needs
//! `running`, resize needs `stopped`, terminate anything but `terminated` (which is final); any
//! other move is 409 `invalid_state`. Terminated servers stay listed.

use std::sync::Arc;

use axum::extract::{Path, State};
use bytes::Bytes;
use serde::Serialize;
use serde_json::{Map, Value};

use super::{
    body_object, created, invalid_state, not_found, ok, optional_string, page, refuse, required_string, Caller, Create,
    Ids, Read, Reply, Write,
};
use crate::body::Params;
use crate::clock::rfc3339;
use crate::{lock, ApiError, Shared};

/// The sizes a server may have.
const SIZES: [&str; 4] = ["gpu.small", "gpu.medium", "gpu.large", "gpu.xlarge"];

/// A server's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Status {
    Running,
    Stopped,
    Terminated,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Stopped => "stopped",
            Status::Terminated => "terminated",
        }
    }
}

/// A virtual server.
#[derive(Clone, Debug, Serialize)]
pub(super) struct Server {
    id: String,
    name: String,
    status: Status,
    size: String,
    region: String,
    image: Option<String>,
    created_at: String,
    updated_at: String,
}

/// `vs_0001` (`train-box`, running) and `vs_0002` (`dev-box`, stopped).
pub(super) fn seeded(ids: &mut Ids) -> Vec<Server> {
    let server = |ids: &mut Ids, name: &str, status, size: &str, region: &str| Server {
        id: ids.next("vs_"),
        name: name.to_owned(),
        status,
        size: size.to_owned(),
        region: region.to_owned(),
        image: Some("ubuntu-22.04-cuda-12".to_owned()),
        created_at: rfc3339(super::seeded_at(0)),
        updated_at: rfc3339(super::seeded_at(0)),
    };
    vec![
        server(ids, "train-box", Status::Running, "gpu.large", "eu-west"),
        server(ids, "dev-box", Status::Stopped, "gpu.small", "us-east"),
    ]
}

/// A `size` field, which must be one of [`SIZES`].
fn size_field(map: &Map<String, Value>) -> Result<String, ApiError> {
    let size = required_string(map, "size")?;
    if !SIZES.contains(&size.as_str()) {
        return Err(refuse("size", &format!("must be one of {}", SIZES.join(", "))));
    }
    Ok(size)
}

/// `GET /virtual-servers`.
pub(super) async fn list(State(shared): State<Arc<Shared>>, _caller: Caller<Read>, params: Params) -> Reply {
    page(&params, lock(&shared.zyra).servers.iter())
}

/// `GET /virtual-servers/{id}`.
pub(super) async fn get(State(shared): State<Arc<Shared>>, _caller: Caller<Read>, Path(id): Path<String>) -> Reply {
    let store = lock(&shared.zyra);
    ok(store.servers.iter().find(|server| server.id == id).ok_or_else(|| not_found("virtual server"))?)
}

/// `POST /virtual-servers {name, size, region, image?}`: 201, `running`.
pub(super) async fn create(State(shared): State<Arc<Shared>>, _caller: Caller<Create>, body: Bytes) -> Reply {
    let map = body_object(&body, &["name", "size", "region", "image"])?;
    let name = required_string(&map, "name")?;
    let size = size_field(&map)?;
    let region = required_string(&map, "region")?;
    let image = optional_string(&map, "image")?;
    let now = rfc3339(shared.clock.now());
    let mut store = lock(&shared.zyra);
    let server = Server {
        id: store.ids.next("vs_"),
        name,
        status: Status::Running,
        size,
        region,
        image,
        created_at: now.clone(),
        updated_at: now,
    };
    store.servers.push(server.clone());
    created(server)
}

/// Moves server `id` from one of the states in `from` by `change`, and answers it.
fn transition(shared: &Shared, id: &str, action: &str, from: &[Status], change: impl FnOnce(&mut Server)) -> Reply {
    let now = shared.clock.now();
    let mut store = lock(&shared.zyra);
    let server = store.servers.iter_mut().find(|server| server.id == id).ok_or_else(|| not_found("virtual server"))?;
    if !from.contains(&server.status) {
        return Err(invalid_state(format!("cannot {action} a virtual server that is {}", server.status.as_str())));
    }
    change(server);
    server.updated_at = rfc3339(now);
    ok(&*server)
}

/// `POST /virtual-servers/{id}/start`: `stopped` → `running`.
pub(super) async fn start(State(shared): State<Arc<Shared>>, _caller: Caller<Write>, Path(id): Path<String>) -> Reply {
    transition(&shared, &id, "start", &[Status::Stopped], |server| server.status = Status::Running)
}

/// `POST /virtual-servers/{id}/stop`: `running` → `stopped`.
pub(super) async fn stop(State(shared): State<Arc<Shared>>, _caller: Caller<Write>, Path(id): Path<String>) -> Reply {
    transition(&shared, &id, "stop", &[Status::Running], |server| server.status = Status::Stopped)
}

/// `POST /virtual-servers/{id}/terminate`: anything but `terminated` → `terminated`, for good.
pub(super) async fn terminate(
    State(shared): State<Arc<Shared>>,
    _caller: Caller<Write>,
    Path(id): Path<String>,
) -> Reply {
    let from = [Status::Running, Status::Stopped];
    transition(&shared, &id, "terminate", &from, |server| server.status = Status::Terminated)
}

/// `POST /virtual-servers/{id}/resize {size}`: a `stopped` server only.
pub(super) async fn resize(
    State(shared): State<Arc<Shared>>,
    _caller: Caller<Write>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    {
        // The server must exist before its body is judged.
        let store = lock(&shared.zyra);
        store.servers.iter().find(|server| server.id == id).ok_or_else(|| not_found("virtual server"))?;
    }
    let map = body_object(&body, &["size"])?;
    let size = size_field(&map)?;
    transition(&shared, &id, "resize", &[Status::Stopped], |server| server.size = size)
}
