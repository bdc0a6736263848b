//! Raw calls and responses with their facts, for Kotlin and Swift: what Python's `raw` and
//! `with_raw_response` and JavaScript's `withResponse` give.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::ZkitError;

/// What a response said besides its data.
#[derive(Clone, Debug, uniffi::Record)]
pub struct ResponseFacts {
    /// The HTTP status.
    pub status: u16,
    /// The headers, names in lowercase (repeated ones joined with `, `).
    pub headers: HashMap<String, String>,
    /// The server's request id.
    pub request_id: Option<String>,
    /// The server's time of the answer, where the body carries it (Zyra's `meta.timestamp`).
    pub timestamp: Option<String>,
    /// How many attempts the call took.
    pub attempts: u32,
}

impl ResponseFacts {
    pub(crate) fn of(meta: &zkit::ResponseMeta) -> Self {
        Self {
            status: meta.status,
            headers: meta
                .headers_text()
                .into_iter()
                .map(|(name, value)| (name, value.as_str().unwrap_or_default().to_owned()))
                .collect(),
            request_id: meta.request_id.clone(),
            timestamp: meta.timestamp.clone(),
            attempts: meta.attempts,
        }
    }
}

/// Catches the facts of a typed call's response: pass one in `CallSettings(capture = …)`, then read
/// `facts()` after the call, beside its typed result.
#[derive(Debug, Default, uniffi::Object)]
pub struct ResponseCapture {
    facts: Mutex<Option<ResponseFacts>>,
}

#[uniffi::export]
impl ResponseCapture {
    /// An empty capture.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// The facts of the last successful call made with this capture, if any.
    pub fn facts(&self) -> Option<ResponseFacts> {
        self.facts.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl ResponseCapture {
    pub(crate) fn keep(&self, meta: &zkit::ResponseMeta) {
        *self.facts.lock().unwrap_or_else(|p| p.into_inner()) = Some(ResponseFacts::of(meta));
    }
}

/// A raw call's answer: its body as sent, and its facts.
#[derive(Clone, Debug, uniffi::Record)]
pub struct RawResponse {
    /// The body.
    pub body: Vec<u8>,
    /// The status, headers, request id and attempts.
    pub facts: ResponseFacts,
}

/// A call by name's JSON output, and its facts.
#[derive(Clone, Debug, uniffi::Record)]
pub struct JsonResponse {
    /// The output, as JSON text.
    pub data: String,
    /// The status, headers, request id and attempts.
    pub facts: ResponseFacts,
}

/// The core's raw request from the foreign arguments; a method that is not one is invalid input.
pub(crate) fn request(
    method: &str,
    path: String,
    query: Option<HashMap<String, String>>,
    body: Option<Vec<u8>>,
    content_type: Option<String>,
) -> Result<zkit::RawRequest, ZkitError> {
    let method = zkit::http::Method::from_bytes(method.to_ascii_uppercase().as_bytes())
        .map_err(|_| ZkitError::from(zkit::Error::invalid_input("method", "is not an HTTP method")))?;
    let mut request = zkit::RawRequest::new(method, path);
    let mut query: Vec<(String, String)> = query.unwrap_or_default().into_iter().collect();
    query.sort();
    for (key, value) in query {
        request = request.query(key, value);
    }
    if let Some(body) = body {
        let content_type = content_type.unwrap_or_else(|| "application/octet-stream".to_owned());
        request = request.bytes(body, content_type);
    }
    Ok(request)
}
