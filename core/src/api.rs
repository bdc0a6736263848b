//! What differs between the four APIs, as data: base URL, environment names, how a key is sent, how
//! errors look, which rate limits apply.

use std::time::Duration;

use bytes::Bytes;

use crate::client::Client;
use crate::config::CallOptions;
use crate::exec::{BoxFuture, MaybeSend};
use crate::operation::{OperationSpec, Prepared};
use crate::response::Response;
use crate::secret::Secret;

/// How an API takes its key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthScheme {
    /// `Authorization: Bearer <key>`.
    Bearer,
    /// The key alone in the named header, such as `x-api-key`.
    Header(&'static str),
}

impl AuthScheme {
    /// The header that carries the key: `authorization` or the named one.
    pub fn header(self) -> &'static str {
        match self {
            Self::Bearer => "authorization",
            Self::Header(name) => name,
        }
    }
}

/// How an API accepts keys: the header it prefers for a key, and every header it accepts, so a
/// caller may pick another (the `auth_header` setting).
#[derive(Clone, Copy, Debug)]
pub struct AuthRule {
    /// The scheme used for `key` unless the caller picks one.
    pub default: fn(key: &str) -> AuthScheme,
    /// Every scheme the API accepts.
    pub accepted: &'static [AuthScheme],
}

/// A value the client sends on every call once it is set, such as Zenifra's organization id:
/// set as `setting` (or from `<API>_<SETTING>` in the environment), sent as `header`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContextHeader {
    /// The setting's snake_case name, the same in every language binding (camelCase in JavaScript
    /// and Kotlin).
    pub setting: &'static str,
    /// The header it is sent as.
    pub header: &'static str,
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

/// A documented limit: at most `requests` in any window of `per`, counted in the named bucket (rate
/// classes that share a bucket share its budget), and for each endpoint on its own when
/// `per_endpoint` is set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// How many requests a window allows.
    pub requests: u32,
    /// The window.
    pub per: Duration,
    /// The budget it draws from, such as `"create"` or `"project"`; also the name a raised limit is
    /// set by (`rate_limits`).
    pub bucket: &'static str,
    /// Whether each endpoint (method and path template) has a budget of its own, as Zyra's
    /// per-endpoint limiters give it.
    pub per_endpoint: bool,
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
    pub auth: AuthRule,
    /// Values sent as headers on every call once set.
    pub context_headers: &'static [ContextHeader],
    /// Reads an error body.
    pub decode_error: fn(&[u8]) -> ErrorBody,
    /// The documented limit of a rate class, if any.
    pub rate_limit: fn(RateClass) -> Option<RateLimit>,
    /// Every operation of the API, so a raw call counts against the endpoint it reaches.
    pub operations: fn() -> &'static [&'static OperationSpec],
    /// What a limit is counted per, from the request path under the base URL: Zenifra counts per
    /// project (`/project/{id}/…` → `id`). `None` counts per client.
    pub rate_scope: fn(path: &str) -> Option<&str>,
    /// Where a success's data sits in a JSON body: the whole body ([`whole_body`]), or inside an
    /// envelope (Zyra's `{"success", "data", "meta"}`).
    pub success_body: fn(&Bytes) -> crate::Result<SuccessBody>,
    /// How a client logs in with an email and password, for APIs that issue short-lived tokens.
    pub login: Option<&'static LoginFlow>,
}

/// A success's data, taken out of its body, and what the body said about the answer.
#[derive(Clone, Debug, PartialEq)]
pub struct SuccessBody {
    /// The bytes the output decodes from (a slice of the body, not a copy).
    pub data: Bytes,
    /// What the body said about the answer besides its data.
    pub meta: BodyMeta,
}

/// What a success's body says about the answer besides its data, such as Zyra's envelope `meta`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BodyMeta {
    /// A request id carried in the body.
    pub request_id: Option<String>,
    /// The server's time of the answer, as it wrote it (Zyra's `meta.timestamp`).
    pub timestamp: Option<String>,
}

/// The whole body is the data.
pub fn whole_body(body: &Bytes) -> crate::Result<SuccessBody> {
    Ok(SuccessBody { data: body.clone(), meta: BodyMeta::default() })
}

/// Access and refresh tokens from a login or a refresh.
#[derive(Clone, Debug)]
pub struct Tokens {
    /// Sent as `Authorization: Bearer`.
    pub access: Secret,
    /// Exchanged for a new access token before or after the old one expires.
    pub refresh: Option<Secret>,
    /// How long the access token lives, if the API says.
    pub expires_in: Option<Duration>,
}

/// An API's login: the requests that turn an email and password, or a refresh token, into
/// [`Tokens`], and how to read them. Pure; the pipeline sends them.
#[derive(Debug)]
pub struct LoginFlow {
    /// The login request.
    pub login: fn(email: &str, password: &Secret, base_url: &str) -> crate::Result<Prepared>,
    /// The refresh request.
    pub refresh: fn(refresh_token: &Secret, base_url: &str) -> crate::Result<Prepared>,
    /// Reads the tokens from the data of a successful login or refresh.
    pub tokens: fn(data: &[u8]) -> crate::Result<Tokens>,
    /// How long before expiry the client refreshes.
    pub refresh_early: Duration,
}

impl ApiProfile {
    /// The scheme a caller names by its header (`authorization` or `bearer` for Bearer, else the
    /// header's name), if the API accepts it.
    pub fn auth_scheme_named(&self, name: &str) -> Option<AuthScheme> {
        let name = name.trim();
        let wanted = if name.eq_ignore_ascii_case("bearer") { "authorization" } else { name };
        self.auth.accepted.iter().copied().find(|scheme| scheme.header().eq_ignore_ascii_case(wanted))
    }
}

/// One key sent as `Authorization: Bearer`, the only scheme the API accepts.
pub const BEARER_ONLY: AuthRule = AuthRule { default: |_| AuthScheme::Bearer, accepted: &[AuthScheme::Bearer] };

/// Limits counted per client.
pub fn per_client(_path: &str) -> Option<&str> {
    None
}

/// No documented limits: the client paces nothing.
pub fn no_rate_limit(_: RateClass) -> Option<RateLimit> {
    None
}

/// Every rate class, for walking an API's limits.
pub const RATE_CLASSES: [RateClass; 4] = [RateClass::Read, RateClass::Create, RateClass::Write, RateClass::HighVolume];

impl ApiProfile {
    /// The names of the API's limits (its buckets), in class order without repeats: the names
    /// `rate_limits` takes.
    pub fn rate_buckets(&self) -> Vec<&'static str> {
        let mut buckets = Vec::new();
        for limit in RATE_CLASSES.into_iter().filter_map(self.rate_limit) {
            if !buckets.contains(&limit.bucket) {
                buckets.push(limit.bucket);
            }
        }
        buckets
    }
}

/// Reads the error bodies the APIs send, whichever of the common shapes they take:
/// `{"error": "message"}`, `{"error": "code", "message": "..."}`,
/// `{"error": {"code", "message", "details", "request_id"}}` or `{"code", "message", "details"}`.
/// A body of another shape is kept whole as details.
pub fn decode_error_body(body: &[u8]) -> ErrorBody {
    use serde_json::Value;
    let text = |value: Option<&Value>| value.and_then(Value::as_str).map(str::to_owned);
    let Ok(Value::Object(top)) = serde_json::from_slice::<Value>(body) else {
        return ErrorBody { details: serde_json::from_slice(body).ok(), ..ErrorBody::default() };
    };
    let fields = match top.get("error") {
        Some(Value::Object(inner)) => inner,
        _ => &top,
    };
    let mut out = ErrorBody {
        code: text(fields.get("code")),
        message: text(fields.get("message")),
        details: fields.get("details").filter(|d| !d.is_null()).cloned(),
        request_id: text(fields.get("request_id")).or_else(|| text(top.get("request_id"))),
    };
    if let Some(Value::String(error)) = top.get("error") {
        // `{"error": "message"}` alone, or `{"error": "code", "message": "..."}`.
        if out.message.is_none() {
            out.message = Some(error.clone());
        } else if out.code.is_none() {
            out.code = Some(error.clone());
        }
    }
    if out.code.is_none() && out.message.is_none() {
        out.details = Some(Value::Object(top));
    }
    out
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
    /// Calls an operation by its snake_case name with JSON input; the answer is the success's JSON
    /// as it arrived (not read into the output type first), or a download as
    /// [`Payload::into_json`](crate::Payload::into_json) writes it.
    fn call_dynamic(
        &self,
        operation: &str,
        input: serde_json::Value,
        options: CallOptions,
    ) -> BoxFuture<'_, crate::Result<Response<serde_json::Value>>>;

    /// Calls an operation by its snake_case name with JSON input and an upload's bytes beside it;
    /// returns the success as it arrived ([`Payload`](crate::Payload)), for a host to parse once.
    fn call_payload(
        &self,
        operation: &str,
        input: serde_json::Value,
        content: Option<bytes::Bytes>,
        options: CallOptions,
    ) -> BoxFuture<'_, crate::Result<Response<crate::Payload>>>;

    /// Every operation of the API, in table order.
    fn operations() -> &'static [&'static OperationSpec];

    /// The API's contract as an OpenAPI document (`schema/<api>.openapi.json`).
    #[cfg(feature = "schema")]
    fn openapi() -> serde_json::Value;
}

/// Declares an API's client type over the shared [`Client`]: the struct, its [`Api`] impl, and the
/// constructors every API has (`builder`, `new`, `from_env`, `raw`).
#[doc(hidden)]
#[macro_export]
macro_rules! api_client {
    ($(#[$meta:meta])* $name:ident, $profile:path, $env:literal) => {
        $(#[$meta])*
        #[derive(Clone, Debug)]
        pub struct $name {
            client: $crate::Client,
        }

        impl $crate::Api for $name {
            const PROFILE: &'static $crate::ApiProfile = &$profile;

            fn from_client(client: $crate::Client) -> Self {
                Self { client }
            }

            fn client(&self) -> &$crate::Client {
                &self.client
            }
        }

        impl $name {
            /// A builder, to set the key, base URL, retries, timeouts and more.
            pub fn builder() -> $crate::ClientBuilder<Self> {
                $crate::ClientBuilder::default()
            }

            /// A client with `api_key` and every other setting at its default or from the environment.
            pub fn new(api_key: impl Into<$crate::Secret>) -> $crate::Result<Self> {
                Self::builder().api_key(api_key).from_env().build()
            }

            /// Walks the pages of a list operation lazily, from the input's offset on: see
            /// [`Pages`]($crate::pages::Pages).
            pub fn pages<O: $crate::pages::Paged>(&self, input: O) -> $crate::pages::Pages<O> {
                $crate::pages::Pages::new(self.client.clone(), input)
            }

            #[doc = concat!("A client configured from ", $env, ".")]
            pub fn from_env() -> $crate::Result<Self> {
                Self::builder().from_env().build()
            }

            /// Sends any request with this client's auth, retries and error handling.
            pub fn raw(&self, request: $crate::RawRequest) -> $crate::Call<'_, $crate::RawRequest> {
                self.client.call(request)
            }
        }
    };
}
