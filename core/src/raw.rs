//! The raw call: any method, path, query and body, with the same auth, retries, errors and redaction
//! as the typed operations, for when the API offers more than the model.

use bytes::Bytes;
use http::header::{HeaderValue, ACCEPT, CONTENT_TYPE};
use http::{HeaderMap, Method};
use serde_json::Value;

use crate::api::{ApiProfile, BodyMeta, RateClass};
use crate::client::Callable;
use crate::error::{Error, Result};
use crate::exec::Body;
use crate::operation::{decode_json, encode, file_body, Prepared};
use crate::validate;

/// A request by hand.
#[derive(Clone, Debug)]
pub struct RawRequest {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    body: Option<(RawBodySource, String)>,
    idempotent: Option<bool>,
}

impl RawRequest {
    /// `method` on `path`, relative to the client's base URL (such as `/v1/apps`).
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Self { method, path: path.into(), query: Vec::new(), body: None, idempotent: None }
    }

    /// Adds a query parameter (encoded for you).
    pub fn query(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((key.into(), value.into()));
        self
    }

    /// Sends `body` as JSON.
    pub fn json(mut self, body: &Value) -> Self {
        self.body = Some((RawBodySource::Bytes(Bytes::from(body.to_string())), "application/json".to_owned()));
        self
    }

    /// Sends `bytes` with `content_type`.
    pub fn bytes(mut self, bytes: impl Into<Bytes>, content_type: impl Into<String>) -> Self {
        self.body = Some((RawBodySource::Bytes(bytes.into()), content_type.into()));
        self
    }

    /// Sends the file at `path` with `content_type`, streamed from disk (native only; the file must
    /// exist when the call is made, and keep its length while it is sent).
    pub fn file(mut self, path: impl Into<std::path::PathBuf>, content_type: impl Into<String>) -> Self {
        self.body = Some((RawBodySource::File(path.into()), content_type.into()));
        self
    }

    /// Declares whether repeating the request is harmless; by default GET, HEAD, PUT, DELETE and
    /// OPTIONS are.
    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = Some(idempotent);
        self
    }
}

/// Where a raw call's body comes from.
#[derive(Clone, Debug)]
enum RawBodySource {
    Bytes(Bytes),
    File(std::path::PathBuf),
}

/// What a raw call returns on success.
#[derive(Clone, Debug)]
pub struct RawResponse {
    /// The HTTP status.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl RawResponse {
    /// The body as JSON (`null` when empty).
    pub fn json(&self) -> Result<Value> {
        decode_json(&self.body)
    }
}

impl Callable for RawRequest {
    type Output = RawResponse;

    fn prepare(&self, base_url: &str) -> Result<Prepared> {
        if !self.path.starts_with('/') {
            return Err(Error::invalid_input("path", "must start with '/'"));
        }
        if self.path.contains(['?', '#']) || self.path.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Error::invalid_input(
                "path",
                "must not contain '?', '#' or whitespace; pass query parameters with .query()",
            ));
        }
        if self.path.split('/').any(|segment| segment == "..") {
            return Err(Error::invalid_input("path", "must not contain '..' segments"));
        }
        let query: Vec<String> = self.query.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect();
        let uri = if query.is_empty() {
            format!("{base_url}{}", self.path)
        } else {
            format!("{base_url}{}?{}", self.path, query.join("&"))
        };
        let mut builder = http::Request::builder()
            .method(self.method.clone())
            .uri(uri)
            .header(ACCEPT, HeaderValue::from_static("application/json"));
        let body = match &self.body {
            Some((bytes, content_type)) => {
                validate::header_value("content_type", content_type)?;
                builder = builder.header(CONTENT_TYPE, content_type.as_str());
                match bytes {
                    RawBodySource::Bytes(bytes) => Body::Bytes(bytes.clone()),
                    RawBodySource::File(path) => file_body("file", path)?,
                }
            }
            None => Body::default(),
        };
        let request = builder.body(body).map_err(|e| Error::invalid_input("path", e.to_string()))?;
        let idempotent = self.idempotent.unwrap_or(matches!(
            self.method,
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
        ));
        let rate_class =
            if self.method == Method::GET || self.method == Method::HEAD { RateClass::Read } else { RateClass::Write };
        Ok(Prepared { request, operation: "raw", idempotent, rate_class })
    }

    fn decode(_: &ApiProfile, response: &http::Response<Bytes>) -> Result<(RawResponse, BodyMeta)> {
        let raw = RawResponse {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: response.body().clone(),
        };
        Ok((raw, BodyMeta::default()))
    }
}
