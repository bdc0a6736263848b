//! Zyra's webhook endpoints: create (with a `whsec_` signing secret, answered that once), list, get,
//! update and delete. The sandbox sends no webhooks; it keeps the endpoints.

use std::sync::Arc;

use axum::extract::{Path, State};
use bytes::Bytes;
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::{
    body_object, bool_field, created, not_found, ok, optional_string, page, random_hex, refuse, required_string,
    strings_field, Caller, Create, Read, Reply, Write,
};
use crate::body::Params;
use crate::clock::rfc3339;
use crate::{lock, ApiError, Shared};

/// The fields an endpoint's create and update take.
const FIELDS: [&str; 4] = ["url", "events", "description", "enabled"];

/// A webhook endpoint.
#[derive(Clone, Debug, Serialize)]
pub(super) struct Endpoint {
    id: String,
    url: String,
    events: Vec<String>,
    description: Option<String>,
    enabled: bool,
    created_at: String,
    updated_at: String,
    #[serde(skip)]
    secret: String,
}

/// A `url` that is `https://`, or `http://` on a loopback host (`localhost`, `127.0.0.1`, `[::1]`).
fn checked_url(url: String) -> Result<String, ApiError> {
    let refused = || refuse("url", "must be an https:// URL (or http:// on loopback)");
    let (secure, rest) = match (url.strip_prefix("https://"), url.strip_prefix("http://")) {
        (Some(rest), _) => (true, rest),
        (None, Some(rest)) => (false, rest),
        (None, None) => return Err(refused()),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().map(|host| format!("[{host}]")).unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default().to_owned(),
    };
    let loopback = ["localhost", "127.0.0.1", "[::1]"].contains(&host.to_ascii_lowercase().as_str());
    if host.is_empty() || url.chars().any(char::is_whitespace) || !(secure || loopback) {
        return Err(refused());
    }
    Ok(url)
}

/// The URL of a body, if it has one.
fn url_field(map: &Map<String, Value>) -> Result<Option<String>, ApiError> {
    optional_string(map, "url")?.map(checked_url).transpose()
}

/// `GET /webhooks/endpoints`.
pub(super) async fn list(State(shared): State<Arc<Shared>>, _caller: Caller<Read>, params: Params) -> Reply {
    page(&params, lock(&shared.zyra).webhooks.iter())
}

/// `GET /webhooks/endpoints/{id}`.
pub(super) async fn get(State(shared): State<Arc<Shared>>, _caller: Caller<Read>, Path(id): Path<String>) -> Reply {
    let store = lock(&shared.zyra);
    ok(store.webhooks.iter().find(|endpoint| endpoint.id == id).ok_or_else(|| not_found("webhook endpoint"))?)
}

/// `POST /webhooks/endpoints {url, events, description?, enabled?}`: 201 with the `secret`.
pub(super) async fn create(State(shared): State<Arc<Shared>>, _caller: Caller<Create>, body: Bytes) -> Reply {
    let map = body_object(&body, &FIELDS)?;
    let url = checked_url(required_string(&map, "url")?)?;
    let events = strings_field(&map, "events", false)?.ok_or_else(|| refuse("events", "is required"))?;
    let description = optional_string(&map, "description")?;
    let enabled = bool_field(&map, "enabled")?.unwrap_or(true);
    let now = rfc3339(shared.clock.now());
    let mut store = lock(&shared.zyra);
    let endpoint = Endpoint {
        id: store.ids.next("whe_"),
        url,
        events,
        description,
        enabled,
        created_at: now.clone(),
        updated_at: now,
        secret: format!("whsec_{}", random_hex(32)),
    };
    let mut view = super::to_json(&endpoint);
    if let Some(map) = view.as_object_mut() {
        map.insert("secret".to_owned(), json!(endpoint.secret));
    }
    store.webhooks.push(endpoint);
    created(view)
}

/// `PATCH /webhooks/endpoints/{id} {url?, events?, description?, enabled?}`.
pub(super) async fn update(
    State(shared): State<Arc<Shared>>,
    _caller: Caller<Write>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    let now = rfc3339(shared.clock.now());
    let mut store = lock(&shared.zyra);
    let endpoint =
        store.webhooks.iter_mut().find(|endpoint| endpoint.id == id).ok_or_else(|| not_found("webhook endpoint"))?;
    let map = body_object(&body, &FIELDS)?;
    // Every field is checked before any is changed.
    let url = url_field(&map)?;
    let events = strings_field(&map, "events", false)?;
    let description = optional_string(&map, "description")?;
    let enabled = bool_field(&map, "enabled")?;
    if let Some(url) = url {
        endpoint.url = url;
    }
    if let Some(events) = events {
        endpoint.events = events;
    }
    if description.is_some() {
        endpoint.description = description;
    }
    if let Some(enabled) = enabled {
        endpoint.enabled = enabled;
    }
    if !map.is_empty() {
        endpoint.updated_at = now;
    }
    ok(&*endpoint)
}

/// `DELETE /webhooks/endpoints/{id}`.
pub(super) async fn remove(State(shared): State<Arc<Shared>>, _caller: Caller<Write>, Path(id): Path<String>) -> Reply {
    let mut store = lock(&shared.zyra);
    let index =
        store.webhooks.iter().position(|endpoint| endpoint.id == id).ok_or_else(|| not_found("webhook endpoint"))?;
    store.webhooks.remove(index);
    ok(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_https_or_loopback_http() {
        for good in [
            "https://hooks.example.com/zyra",
            "https://example.com",
            "http://127.0.0.1:8080/hook",
            "http://localhost/hook",
            "http://[::1]:9/x",
        ] {
            assert_eq!(checked_url(good.to_owned()).ok().as_deref(), Some(good), "{good}");
        }
        for bad in
            ["http://example.com/hook", "ftp://example.com", "https://", "https:///path", "example.com", "https://a b"]
        {
            assert!(checked_url(bad.to_owned()).is_err(), "{bad}");
        }
    }
}
