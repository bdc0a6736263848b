//! Reading requests the way every emulation does: the body as a JSON object and typed fields, each
//! failure a 400 naming the field (in its message, and as `{"field": …}` details for the APIs that
//! answer details), and the query string as decoded parameters.

use std::collections::HashMap;
use std::convert::Infallible;

use axum::extract::FromRequestParts;
use http::request::Parts;
use percent_encoding::percent_decode_str;
use serde_json::{json, Map, Value};

use crate::ApiError;

/// The query parameters of a request, percent-decoded (`+` as a space); of a repeated name, the
/// last counts.
pub(crate) struct Params(HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        let decode = |text: &str| percent_decode_str(&text.replace('+', " ")).decode_utf8_lossy().into_owned();
        let pairs = parts.uri.query().unwrap_or_default().split('&').filter(|pair| !pair.is_empty());
        Ok(Params(
            pairs
                .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
                .map(|(name, value)| (decode(name), decode(value)))
                .collect(),
        ))
    }
}

impl Params {
    /// The value of parameter `name`, if it was given.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

/// 400 `{field}: {problem}`, with `{"field": field}` as its details.
pub(crate) fn field_error(field: &str, problem: &str) -> ApiError {
    ApiError::bad_request(format!("{field}: {problem}")).with_details(json!({ "field": field }))
}

/// The body as a JSON object; a refusal's details name the field `body`.
pub(crate) fn object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    let refused = |message: String| ApiError::bad_request(message).with_details(json!({ "field": "body" }));
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(refused("request body must be a JSON object".to_owned())),
        Err(e) => Err(refused(format!("invalid JSON body: {e}"))),
    }
}

/// The body as a JSON object, an empty body counting as `{}`.
pub(crate) fn optional_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    object(body)
}

/// A string field; `null` counts as absent.
pub(crate) fn string_field(map: &Map<String, Value>, field: &str) -> Result<Option<String>, ApiError> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(field_error(field, "must be a string")),
    }
}

/// A non-negative integer field; `null` counts as absent.
pub(crate) fn integer_field(map: &Map<String, Value>, field: &str) -> Result<Option<u64>, ApiError> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value.as_u64().map(Some).ok_or_else(|| field_error(field, "must be a non-negative integer")),
    }
}
