//! A login that keeps itself fresh. A client built from an email and password logs in on its first
//! call, refreshes its access token shortly before it expires, and renews it once when a call meets
//! a 401. Calls in flight share one login: the first to find the token stale renews it while the
//! others wait for the result.

use std::time::Duration;

use futures_util::lock::Mutex;

use crate::api::{LoginFlow, Tokens};
use crate::client::Client;
use crate::error::{ErrorKind, Result};
use crate::secret::Secret;

/// The tokens of a login, and when to stop using the access token (on the client's monotonic clock).
struct Held {
    tokens: Tokens,
    renew_at: Option<Duration>,
}

/// The login state of one client (shared by its clones).
pub(crate) struct Session {
    flow: &'static LoginFlow,
    email: String,
    password: Secret,
    held: Mutex<Option<Held>>,
}

impl Session {
    pub(crate) fn new(flow: &'static LoginFlow, email: String, password: Secret) -> Self {
        Self { flow, email, password, held: Mutex::new(None) }
    }

    /// The access token to send: the one held, unless there is none yet or it is about to expire.
    pub(crate) async fn token(&self, client: &Client) -> Result<Secret> {
        let mut held = self.held.lock().await;
        if let Some(current) = held.as_ref() {
            if current.renew_at.is_none_or(|at| client.now() < at) {
                return Ok(current.tokens.access.clone());
            }
        }
        let renewed = self.obtain(client, held.take()).await?;
        Ok(held.insert(renewed).tokens.access.clone())
    }

    /// A new access token after the server refused `rejected`, unless another call has renewed it
    /// meanwhile.
    pub(crate) async fn renew(&self, client: &Client, rejected: &Secret) -> Result<Secret> {
        let mut held = self.held.lock().await;
        if let Some(current) = held.as_ref() {
            if current.tokens.access != *rejected {
                return Ok(current.tokens.access.clone());
            }
        }
        let renewed = self.obtain(client, held.take()).await?;
        Ok(held.insert(renewed).tokens.access.clone())
    }

    /// Refreshes with the refresh token if there is one, and logs in again if that is refused.
    async fn obtain(&self, client: &Client, previous: Option<Held>) -> Result<Held> {
        let base_url = &client.config().base_url;
        if let Some(refresh) = previous.and_then(|held| held.tokens.refresh) {
            let request = (self.flow.refresh)(&refresh, base_url)?;
            match client.send_unauthenticated(request, &refresh, &refresh.preview()).await {
                Ok(data) => return self.hold(client, &data),
                Err(e) if matches!(e.kind(), ErrorKind::Unauthorized | ErrorKind::BadRequest) => {}
                Err(e) => return Err(e),
            }
        }
        let request = (self.flow.login)(&self.email, &self.password, base_url)?;
        // A password shows nothing of itself, not even a preview.
        let data = client.send_unauthenticated(request, &self.password, "…").await?;
        self.hold(client, &data)
    }

    fn hold(&self, client: &Client, data: &[u8]) -> Result<Held> {
        let tokens = (self.flow.tokens)(data)?;
        // Renew a little early, but never sooner than halfway through the token's life.
        let renew_at = tokens.expires_in.map(|life| client.now() + life - self.flow.refresh_early.min(life / 2));
        Ok(Held { tokens, renew_at })
    }
}
