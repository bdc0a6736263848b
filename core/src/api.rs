//! What differs between the four APIs, as data: base URL, environment names, how a key is sent, how
//! errors look, which rate limits apply.

use std::time::Duration;

use crate::client::Client;
use crate::config::CallOptions;
use crate::exec::{BoxFuture, MaybeSend};
use crate::response::Response;

/// How an API takes its key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthScheme {
    /// `Authorization: Bearer <key>`.
    Bearer,
    /// The key alone in the named header, such as `x-api-key`.
    Header(&'static str),
}

/// The rate-limit bucket an operation draws from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RateClass {
    /// Reads and listings.
    Read,
    /// Operations that create a resource.
    Create,
    /// Updates, deletes and actions.
    Write,
    /// Bulk or high-volume operations.
    HighVolume,
}

/// A documented limit: `requests` per `per`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// How many requests the window allows.
    pub requests: u32,
    /// The window.
    pub per: Duration,
}

/// The fields of an API's error body, whatever its shape.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ErrorBody {
    /// The API's own error code.
    pub code: Option<String>,
    /// The message.
    pub message: Option<String>,
    /// Structured details.
    pub details: Option<serde_json::Value>,
    /// A request id carried in the body.
    pub request_id: Option<String>,
}

/// Everything the pipeline needs to know about one API.
#[derive(Debug)]
pub struct ApiProfile {
    /// Lowercase name: `zerokie`.
    pub name: &'static str,
    /// Prefix of the environment variables: `ZEROKIE` for `ZEROKIE_API_KEY` and `ZEROKIE_BASE_URL`.
    pub env_prefix: &'static str,
    /// The documented production base URL.
    pub default_base_url: &'static str,
    /// How the key is sent.
    pub auth: AuthScheme,
    /// Reads an error body.
    pub decode_error: fn(&[u8]) -> ErrorBody,
    /// The documented limit of a rate class, if any.
    pub rate_limit: fn(RateClass) -> Option<RateLimit>,
}

/// An API client type: a thin typed face over the shared [`Client`].
pub trait Api: Sized {
    /// The API's profile.
    const PROFILE: &'static ApiProfile;
    /// Wraps a configured client.
    fn from_client(client: Client) -> Self;
    /// The shared client underneath.
    fn client(&self) -> &Client;
}

/// An API reached by operation name with JSON in and out, as language bindings and scenario runners
/// use it. Every API's operation table implements it; a binding written against it serves every API.
pub trait DynamicApi: Api + Clone + MaybeSend + 'static {
    /// Calls an operation by its snake_case name with JSON input.
    fn call_dynamic(
        &self,
        operation: &str,
        input: serde_json::Value,
        options: CallOptions,
    ) -> BoxFuture<'_, crate::Result<Response<serde_json::Value>>>;

    /// The JSON Schema of the API's operations.
    #[cfg(feature = "schema")]
    fn schema() -> serde_json::Value;
}
