//! Zyra's auth routes and API keys: logins and refreshes that issue JWT pairs, password resets
//! mailed to the sandbox's outbox, SSO discovery, and `zyra_sk_` keys kept as a SHA-256 hash and an
//! 18-character display prefix (the full key is answered once, when it is created).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::extract::{Path, State};
use bytes::Bytes;
use http::StatusCode;
use serde::Serialize;
use serde_json::{json, Value};

use super::{
    body_object, created, jwt, not_found, ok, random_hex, refuse, required_string, sha256_hex, unix_seconds, Caller,
    Class, Create, Done, Ids, MemberStatus, Read, Reply, Role, Store, User, Write, ORGANIZATION_ID,
};
use crate::body::Params;
use crate::clock::rfc3339;
use crate::credentials::{
    ZYRA_ADMIN_EMAIL, ZYRA_ADMIN_KEY, ZYRA_ADMIN_PASSWORD, ZYRA_MEMBER_EMAIL, ZYRA_MEMBER_KEY, ZYRA_MEMBER_PASSWORD,
    ZYRA_OPS_EMAIL, ZYRA_OPS_KEY, ZYRA_OPS_PASSWORD,
};
use crate::{lock, ApiError, Shared};

/// How every API key starts.
const KEY_PREFIX: &str = "zyra_sk_";
/// The characters of a key kept for display.
const DISPLAY_PREFIX_LEN: usize = 18;
/// Active keys a user may hold.
const MAX_ACTIVE_KEYS: usize = 10;
/// How long an access token lives.
const ACCESS_TTL: u64 = 900;
/// How long a refresh token lives: 7 days.
const REFRESH_TTL: u64 = 7 * 86_400;
/// How long a mailed reset token may be used.
const RESET_TTL: Duration = Duration::from_secs(3600);
/// The shortest new password.
const MIN_PASSWORD_CHARS: usize = 12;
/// The longest key name.
const MAX_NAME_CHARS: usize = 100;

/// An API key: its hash and display prefix, never the key.
#[derive(Clone, Debug, Serialize)]
pub(super) struct ApiKey {
    pub(super) id: String,
    #[serde(skip)]
    pub(super) user_id: String,
    pub(super) name: String,
    pub(super) prefix: String,
    #[serde(skip)]
    hash: String,
    pub(super) is_active: bool,
    created_at: String,
    last_used_at: Option<String>,
}

impl ApiKey {
    fn new(id: String, user_id: &str, name: &str, key: &str, now: SystemTime) -> Self {
        Self {
            id,
            user_id: user_id.to_owned(),
            name: name.to_owned(),
            prefix: key.chars().take(DISPLAY_PREFIX_LEN).collect(),
            hash: sha256_hex(key),
            is_active: true,
            created_at: rfc3339(now),
            last_used_at: None,
        }
    }
}

/// A reset token the sandbox "mailed".
#[derive(Clone, Debug)]
pub(super) struct PasswordReset {
    email: String,
    token: String,
    sent_at: SystemTime,
    used: bool,
}

/// Ada (`org_admin`), Max and Ops (`member`s), all active.
pub(super) fn seeded_users(ids: &mut Ids) -> Vec<User> {
    [
        ("Ada Lovelace", ZYRA_ADMIN_EMAIL, ZYRA_ADMIN_PASSWORD, Role::OrgAdmin),
        ("Max Mustermann", ZYRA_MEMBER_EMAIL, ZYRA_MEMBER_PASSWORD, Role::Member),
        ("Ops Automation", ZYRA_OPS_EMAIL, ZYRA_OPS_PASSWORD, Role::Member),
    ]
    .into_iter()
    .map(|(name, email, password, role)| User {
        id: ids.next("usr_"),
        email: email.to_owned(),
        name: name.to_owned(),
        role,
        status: MemberStatus::Active,
        joined_at: Some(rfc3339(super::seeded_at(0))),
        password_hash: Some(sha256_hex(password)),
    })
    .collect()
}

/// The well-known key of each user, then Ops's eight more (`ops-seed-1` … `ops-seed-8`, whose
/// full keys are published nowhere), so Ops holds 9 active keys.
pub(super) fn seeded_keys(ids: &mut Ids, users: &[User]) -> Vec<ApiKey> {
    let user_id = |email: &str| users.iter().find(|user| user.email == email).map_or("", |user| user.id.as_str());
    let ops = user_id(ZYRA_OPS_EMAIL).to_owned();
    let at = super::seeded_at(0);
    let mut keys: Vec<ApiKey> = [
        ("sandbox-admin", ZYRA_ADMIN_EMAIL, ZYRA_ADMIN_KEY),
        ("sandbox-member", ZYRA_MEMBER_EMAIL, ZYRA_MEMBER_KEY),
        ("sandbox-ops", ZYRA_OPS_EMAIL, ZYRA_OPS_KEY),
    ]
    .into_iter()
    .map(|(name, email, key)| ApiKey::new(ids.next("key_"), user_id(email), name, key, at))
    .collect();
    for n in 1..=8 {
        let name = format!("ops-seed-{n}");
        let key = format!("{KEY_PREFIX}{}", &sha256_hex(&name)[..32]);
        keys.push(ApiKey::new(ids.next("key_"), &ops, &name, &key, at));
    }
    keys
}

fn unauthorized(code: &'static str, message: &str) -> ApiError {
    ApiError::coded(StatusCode::UNAUTHORIZED, code, message)
}

impl Store {
    /// The user a bearer credential stands for: a `zyra_sk_` key (401 `invalid_api_key`,
    /// `key_revoked`) or an access token (401 `invalid_token`, `token_expired`).
    pub(super) fn authenticate(&mut self, token: &str, now: SystemTime) -> Result<String, ApiError> {
        if token.starts_with(KEY_PREFIX) {
            let hash = sha256_hex(token);
            let key = self
                .keys
                .iter_mut()
                .find(|key| key.hash == hash)
                .ok_or_else(|| unauthorized("invalid_api_key", "the API key is not valid"))?;
            if !key.is_active {
                return Err(unauthorized("key_revoked", "the API key has been revoked"));
            }
            key.last_used_at = Some(rfc3339(now));
            return Ok(key.user_id.clone());
        }
        let invalid = || unauthorized("invalid_token", "the access token is not valid");
        let claims = jwt::verify(token).filter(|claims| claims.typ == "access").ok_or_else(invalid)?;
        if unix_seconds(now) >= claims.exp {
            return Err(unauthorized("token_expired", "the access token has expired"));
        }
        match self.user(&claims.sub) {
            Some(user) if user.status == MemberStatus::Active => Ok(claims.sub),
            _ => Err(invalid()),
        }
    }

    /// A new access and refresh token for `user`, with the user, as login and refresh answer them.
    fn session(&self, user: &User, now: SystemTime) -> Value {
        let iat = unix_seconds(now);
        let token = |typ: &str, ttl: u64| {
            jwt::sign(&jwt::Claims {
                sub: user.id.clone(),
                org: ORGANIZATION_ID.to_owned(),
                role: user.role.as_str().to_owned(),
                typ: typ.to_owned(),
                iat,
                exp: iat + ttl,
                jti: random_hex(16),
            })
        };
        json!({
            "access_token": token("access", ACCESS_TTL),
            "refresh_token": token("refresh", REFRESH_TTL),
            "token_type": "bearer",
            "expires_in": ACCESS_TTL,
            "user": {
                "id": user.id,
                "email": user.email,
                "name": user.name,
                "role": user.role,
                "organization_id": ORGANIZATION_ID,
            },
        })
    }

    /// The active user with `email`.
    fn active_user(&self, email: &str) -> Option<&User> {
        self.users.iter().find(|user| user.email == email && user.status == MemberStatus::Active)
    }
}

/// An email field, trimmed and lowercased; 400 unless it looks like `local@domain`.
pub(super) fn email(text: &str) -> Result<String, ApiError> {
    let email = text.trim().to_ascii_lowercase();
    match email.split_once('@') {
        Some((local, domain)) if !local.is_empty() && !domain.is_empty() && !domain.contains('@') => Ok(email),
        _ => Err(refuse("email", "must be an email address")),
    }
}

/// The budget key of an auth route that has no user yet.
fn by_email(email: &str) -> String {
    format!("email:{email}")
}

/// `POST /auth/login {email, password}`: a token pair; 401 `invalid_credentials` for a wrong email
/// or password (or an invited user, who has none).
pub(super) async fn login(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let map = body_object(&body, &["email", "password"])?;
    let email = email(&required_string(&map, "email")?)?;
    let password = required_string(&map, "password")?;
    let now = shared.clock.now();
    let mut store = lock(&shared.zyra);
    store.hit(&by_email(&email), Class::Write, "POST /auth/login", now)?;
    let hash = sha256_hex(&password);
    let user = store
        .active_user(&email)
        .filter(|user| user.password_hash.as_deref() == Some(hash.as_str()))
        .ok_or_else(|| unauthorized("invalid_credentials", "the email or password is wrong"))?;
    ok(store.session(user, now))
}

/// `POST /auth/refresh {refresh_token}`: a new pair; the old refresh token stays valid until it
/// expires. An access token, an expired or a bad token is 401 `invalid_refresh_token`.
pub(super) async fn refresh(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let map = body_object(&body, &["refresh_token"])?;
    let token = required_string(&map, "refresh_token")?;
    let now = shared.clock.now();
    let mut store = lock(&shared.zyra);
    let refused = || unauthorized("invalid_refresh_token", "the refresh token is not valid or has expired");
    let claims = jwt::verify(token.trim())
        .filter(|claims| claims.typ == "refresh" && unix_seconds(now) < claims.exp)
        .ok_or_else(refused)?;
    let user = store.user(&claims.sub).filter(|user| user.status == MemberStatus::Active).ok_or_else(refused)?.clone();
    store.hit(&user.id, Class::Write, "POST /auth/refresh", now)?;
    ok(store.session(&user, now))
}

/// `POST /auth/password-reset {email}`: 202 `{"sent": true}` for any email; an active user's gets a
/// token in the outbox.
pub(super) async fn request_reset(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let map = body_object(&body, &["email"])?;
    let email = email(&required_string(&map, "email")?)?;
    let now = shared.clock.now();
    let mut store = lock(&shared.zyra);
    store.hit(&by_email(&email), Class::Write, "POST /auth/password-reset", now)?;
    if store.active_user(&email).is_some() {
        let token = format!("rst_{}", random_hex(32));
        store.resets.push(PasswordReset { email, token, sent_at: now, used: false });
    }
    Ok(Done(StatusCode::ACCEPTED, json!({ "sent": true })))
}

/// `POST /auth/password-reset/confirm {token, new_password}`: sets the password and uses the
/// token up; a bad, used or expired token is 400 `invalid_reset_token`.
pub(super) async fn confirm_reset(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let map = body_object(&body, &["token", "new_password"])?;
    let token = required_string(&map, "token")?;
    let new_password = required_string(&map, "new_password")?;
    let now = shared.clock.now();
    let mut store = lock(&shared.zyra);
    let bad_token = || {
        ApiError::coded(StatusCode::BAD_REQUEST, "invalid_reset_token", "the reset token is not valid")
            .with_details(json!({ "field": "token" }))
    };
    let index = store
        .resets
        .iter()
        .position(|reset| reset.token == token && !reset.used && now < reset.sent_at + RESET_TTL)
        .ok_or_else(bad_token)?;
    let email = store.resets[index].email.clone();
    store.hit(&by_email(&email), Class::Write, "POST /auth/password-reset/confirm", now)?;
    if new_password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(refuse("new_password", &format!("must have at least {MIN_PASSWORD_CHARS} characters")));
    }
    let user = store
        .users
        .iter_mut()
        .find(|user| user.email == email && user.status == MemberStatus::Active)
        .ok_or_else(bad_token)?;
    user.password_hash = Some(sha256_hex(&new_password));
    store.resets[index].used = true;
    ok(json!({ "reset": true }))
}

/// `GET /auth/sso?email=…`: where to sign in for an email whose domain has SSO; 404 otherwise.
pub(super) async fn sso(State(shared): State<Arc<Shared>>, params: Params) -> Reply {
    let email = email(params.get("email").filter(|email| !email.trim().is_empty()).ok_or_else(|| {
        // Said apart from a malformed address, like a missing body field.
        refuse("email", "is required")
    })?)?;
    let domain = email.rsplit_once('@').map_or("", |(_, domain)| domain).to_owned();
    let now = shared.clock.now();
    let mut store = lock(&shared.zyra);
    store.hit(&by_email(&email), Class::Read, "GET /auth/sso", now)?;
    let organization = &store.organization;
    if organization.sso_domain != domain {
        return Err(not_found("SSO configuration for this email domain"));
    }
    ok(json!({
        "url": format!("https://sso.{}/{}/{}", organization.sso_domain, organization.sso_provider, organization.id),
        "organization_id": organization.id,
        "provider": organization.sso_provider,
    }))
}

/// A key as lists and revocations answer it, with `key` when it was just created.
fn key_view(key: &ApiKey, full_key: Option<&str>) -> Value {
    let mut view = super::to_json(key);
    if let (Some(full_key), Some(map)) = (full_key, view.as_object_mut()) {
        map.insert("key".to_owned(), json!(full_key));
    }
    view
}

/// `POST /api-keys {name}`: 201 with the full key, shown this once; the 11th active key of a user is
/// 409 `key_limit_reached`.
pub(super) async fn create_key(State(shared): State<Arc<Shared>>, caller: Caller<Create>, body: Bytes) -> Reply {
    let map = body_object(&body, &["name"])?;
    let name = required_string(&map, "name")?;
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(refuse("name", &format!("must have at most {MAX_NAME_CHARS} characters")));
    }
    let now = shared.clock.now();
    let mut store = lock(&shared.zyra);
    let active = store.keys.iter().filter(|key| key.user_id == caller.user_id && key.is_active).count();
    if active >= MAX_ACTIVE_KEYS {
        let message = format!("a user may hold {MAX_ACTIVE_KEYS} active API keys; revoke one first");
        return Err(ApiError::coded(StatusCode::CONFLICT, "key_limit_reached", message)
            .with_details(json!({ "limit": MAX_ACTIVE_KEYS })));
    }
    let full_key = format!("{KEY_PREFIX}{}", random_hex(32));
    let id = store.ids.next("key_");
    let key = ApiKey::new(id, &caller.user_id, &name, &full_key, now);
    let view = key_view(&key, Some(&full_key));
    store.keys.push(key);
    created(view)
}

/// `GET /api-keys`: the caller's keys, revoked ones too, without the key.
pub(super) async fn list_keys(State(shared): State<Arc<Shared>>, caller: Caller<Read>, params: Params) -> Reply {
    let store = lock(&shared.zyra);
    super::page(&params, store.keys.iter().filter(|key| key.user_id == caller.user_id).map(|key| key_view(key, None)))
}

/// `DELETE /api-keys/{id}`: revokes one of the caller's keys at once; answers the row.
pub(super) async fn revoke_key(
    State(shared): State<Arc<Shared>>,
    caller: Caller<Write>,
    Path(id): Path<String>,
) -> Reply {
    let mut store = lock(&shared.zyra);
    let key = store
        .keys
        .iter_mut()
        .find(|key| key.id == id && key.user_id == caller.user_id)
        .ok_or_else(|| not_found("API key"))?;
    key.is_active = false;
    ok(key_view(key, None))
}

/// The outbox's password reset mails, oldest first.
pub(super) fn outbox(store: &Store) -> Vec<Value> {
    store
        .resets
        .iter()
        .map(|reset| json!({ "email": reset.email, "token": reset.token, "sent_at": rfc3339(reset.sent_at) }))
        .collect()
}
