//! Zyra's organization routes: the organization, its members (invite, change role, remove) and its
//! settings. The sandbox holds the one organization `org_sandbox`.

use std::sync::Arc;

use axum::extract::{Path, State};
use bytes::Bytes;
use http::StatusCode;
use serde::Serialize;
use serde_json::{json, Value};

use super::{
    body_object, bool_field, created, integer_in, invalid_state, not_found, ok, page, required_string, role_field,
    strings_field, Caller, Create, MemberStatus, Read, Reply, Role, Store, User, Write, ORGANIZATION_ID,
};
use crate::body::Params;
use crate::clock::rfc3339;
use crate::{lock, ApiError, Shared};

/// The settings a `PATCH …/settings` may change.
const SETTINGS: [&str; 4] = ["require_sso", "default_role", "session_timeout_minutes", "allowed_email_domains"];

/// The organization.
#[derive(Clone, Debug, Serialize)]
pub(super) struct Organization {
    pub(super) id: String,
    name: String,
    slug: String,
    plan: String,
    created_at: String,
    /// The email domain whose users sign in through SSO.
    #[serde(skip)]
    pub(super) sso_domain: String,
    /// The SSO protocol, such as `saml`.
    #[serde(skip)]
    pub(super) sso_provider: String,
}

impl Organization {
    /// "Sandbox Labs", on the team plan, with SAML SSO for `zyra.test`.
    pub(super) fn seeded() -> Self {
        Self {
            id: ORGANIZATION_ID.to_owned(),
            name: "Sandbox Labs".to_owned(),
            slug: "sandbox-labs".to_owned(),
            plan: "team".to_owned(),
            created_at: rfc3339(super::seeded_at(0)),
            sso_domain: "zyra.test".to_owned(),
            sso_provider: "saml".to_owned(),
        }
    }

    /// Its display name.
    pub(super) fn name(&self) -> &str {
        &self.name
    }
}

/// The organization's settings. The sandbox stores them and answers them; they change nothing
/// else.
#[derive(Clone, Debug, Serialize)]
pub(super) struct Settings {
    require_sso: bool,
    default_role: Role,
    session_timeout_minutes: u64,
    allowed_email_domains: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            require_sso: false,
            default_role: Role::Member,
            session_timeout_minutes: 480,
            allowed_email_domains: vec!["zyra.test".to_owned()],
        }
    }
}

/// A member as the members routes answer it.
fn member_view(user: &User) -> Value {
    json!({
        "user_id": user.id,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "status": user.status,
        "joined_at": user.joined_at,
    })
}

impl Store {
    /// The organization `id`, if it is the caller's (the only one); 404 otherwise.
    fn organization(&self, id: &str) -> Result<&Organization, ApiError> {
        Some(&self.organization).filter(|organization| organization.id == id).ok_or_else(|| not_found("organization"))
    }

    /// The index of member `user_id` of organization `id`.
    fn member(&self, id: &str, user_id: &str) -> Result<usize, ApiError> {
        self.organization(id)?;
        self.users.iter().position(|user| user.id == user_id).ok_or_else(|| not_found("member"))
    }

    /// 409 if the member at `index` is the last active org admin, who may be neither demoted nor
    /// removed.
    fn keep_an_admin(&self, index: usize) -> Result<(), ApiError> {
        let is_admin = |user: &User| user.role == Role::OrgAdmin && user.status == MemberStatus::Active;
        let others = self.users.iter().enumerate().filter(|(i, user)| *i != index && is_admin(user)).count();
        if is_admin(&self.users[index]) && others == 0 {
            return Err(invalid_state("the organization must keep at least one active org_admin"));
        }
        Ok(())
    }
}

/// `GET /organizations`: the caller's organizations.
pub(super) async fn list(State(shared): State<Arc<Shared>>, _caller: Caller<Read>, params: Params) -> Reply {
    page(&params, [&lock(&shared.zyra).organization])
}

/// `GET /organizations/{id}`.
pub(super) async fn get(State(shared): State<Arc<Shared>>, _caller: Caller<Read>, Path(id): Path<String>) -> Reply {
    ok(lock(&shared.zyra).organization(&id)?)
}

/// `GET /organizations/{id}/members`, invited members too.
pub(super) async fn members(
    State(shared): State<Arc<Shared>>,
    _caller: Caller<Read>,
    Path(id): Path<String>,
    params: Params,
) -> Reply {
    let store = lock(&shared.zyra);
    store.organization(&id)?;
    page(&params, store.users.iter().map(member_view))
}

/// `POST /organizations/{id}/members {email, role}`: 201, the new member `invited`; an email that is
/// already a member is 409 `already_exists`.
pub(super) async fn invite(
    State(shared): State<Arc<Shared>>,
    caller: Caller<Create>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    caller.require_admin()?;
    let mut store = lock(&shared.zyra);
    store.organization(&id)?;
    let map = body_object(&body, &["email", "role"])?;
    let email = super::auth::email(&required_string(&map, "email")?)?;
    let role = role_field(&map, "role")?.ok_or_else(|| super::refuse("role", "is required"))?;
    if store.users.iter().any(|user| user.email == email) {
        return Err(ApiError::coded(StatusCode::CONFLICT, "already_exists", format!("{email} is already a member")));
    }
    let user = User {
        id: store.ids.next("usr_"),
        name: email.split('@').next().unwrap_or_default().to_owned(),
        email,
        role,
        status: MemberStatus::Invited,
        joined_at: None,
        password_hash: None,
    };
    let view = member_view(&user);
    store.users.push(user);
    created(view)
}

/// `PATCH /organizations/{id}/members/{user_id} {role}`.
pub(super) async fn change_role(
    State(shared): State<Arc<Shared>>,
    caller: Caller<Write>,
    Path((id, user_id)): Path<(String, String)>,
    body: Bytes,
) -> Reply {
    caller.require_admin()?;
    let mut store = lock(&shared.zyra);
    let index = store.member(&id, &user_id)?;
    let map = body_object(&body, &["role"])?;
    let role = role_field(&map, "role")?.ok_or_else(|| super::refuse("role", "is required"))?;
    if role != Role::OrgAdmin {
        store.keep_an_admin(index)?;
    }
    store.users[index].role = role;
    ok(member_view(&store.users[index]))
}

/// `DELETE /organizations/{id}/members/{user_id}`: the member goes, and their keys are revoked.
pub(super) async fn remove(
    State(shared): State<Arc<Shared>>,
    caller: Caller<Write>,
    Path((id, user_id)): Path<(String, String)>,
) -> Reply {
    caller.require_admin()?;
    let mut store = lock(&shared.zyra);
    let index = store.member(&id, &user_id)?;
    store.keep_an_admin(index)?;
    store.users.remove(index);
    store.keys.iter_mut().filter(|key| key.user_id == user_id).for_each(|key| key.is_active = false);
    ok(Value::Null)
}

/// `GET /organizations/{id}/settings`.
pub(super) async fn settings(
    State(shared): State<Arc<Shared>>,
    _caller: Caller<Read>,
    Path(id): Path<String>,
) -> Reply {
    let store = lock(&shared.zyra);
    store.organization(&id)?;
    ok(&store.settings)
}

/// `PATCH /organizations/{id}/settings`: any of the settings; the whole set is answered.
pub(super) async fn update_settings(
    State(shared): State<Arc<Shared>>,
    caller: Caller<Write>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    caller.require_admin()?;
    let mut store = lock(&shared.zyra);
    store.organization(&id)?;
    let map = body_object(&body, &SETTINGS)?;
    // Every field is checked before any is changed.
    let require_sso = bool_field(&map, "require_sso")?;
    let default_role = role_field(&map, "default_role")?;
    let timeout = integer_in(&map, "session_timeout_minutes", 5..=1440)?;
    let domains = strings_field(&map, "allowed_email_domains", true)?;
    let settings = &mut store.settings;
    if let Some(require_sso) = require_sso {
        settings.require_sso = require_sso;
    }
    if let Some(default_role) = default_role {
        settings.default_role = default_role;
    }
    if let Some(timeout) = timeout {
        settings.session_timeout_minutes = timeout;
    }
    if let Some(domains) = domains {
        settings.allowed_email_domains = domains.iter().map(|domain| domain.trim().to_ascii_lowercase()).collect();
    }
    ok(&store.settings)
}
