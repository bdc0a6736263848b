//! What a call by operation name returns before any host parses it: the success's JSON text, or the
//! bytes of a body that is not JSON. Bindings turn it into their own values in one step (Python
//! objects straight from the text, `JSON.parse` in JavaScript, the host's byte type for bytes), so a
//! response is parsed once and no byte becomes a JSON number.

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::api::{ApiProfile, BodyMeta};
use crate::client::Callable;
use crate::error::{Error, Result};
use crate::model::Download;
use crate::operation::{build_request, decode_json, is_blank, Operation, Prepared};

/// A success as it arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Payload {
    /// The success's JSON text: the whole body, or the data inside an API's envelope (a slice of the
    /// body, not a copy). An empty body reads as `null`.
    Json(Bytes),
    /// A body that is not JSON, such as an invoice's PDF.
    Bytes(Download),
}

impl Payload {
    /// As a JSON value: the text parsed, or bytes as `{"content_type", "length", "content_base64"}`
    /// for callers that speak JSON only.
    pub fn into_json(self) -> Result<Value> {
        match self {
            Payload::Json(text) => decode_json(&text),
            Payload::Bytes(download) => {
                use base64::Engine as _;
                Ok(serde_json::json!({
                    "content_type": download.content_type,
                    "length": download.content.len(),
                    "content_base64": base64::engine::general_purpose::STANDARD.encode(&download.content),
                }))
            }
        }
    }
}

/// An operation whose success is returned as a [`Payload`] rather than decoded into its output type.
pub(crate) struct PayloadCall<O>(pub(crate) O);

impl<O: Operation> Callable for PayloadCall<O> {
    type Output = Payload;

    fn prepare(&self, base_url: &str) -> Result<Prepared> {
        build_request(&self.0, base_url)
    }

    fn decode(profile: &ApiProfile, response: &http::Response<Bytes>) -> Result<(Payload, BodyMeta)> {
        payload_of(profile, response)
    }
}

/// The success of `profile`'s API as it arrived, with what its body said about it (pure).
pub(crate) fn payload_of(profile: &ApiProfile, response: &http::Response<Bytes>) -> Result<(Payload, BodyMeta)> {
    if !is_json(response) {
        let content_type = response.headers().get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
        let content_type = content_type.unwrap_or_default().to_owned();
        return Ok((Payload::Bytes(Download { content: response.body().clone(), content_type }), BodyMeta::default()));
    }
    let body = (profile.success_body)(response.body())?;
    let text = if is_blank(&body.data) { Bytes::from_static(b"null") } else { body.data };
    Ok((Payload::Json(text), body.meta))
}

impl Payload {
    /// Decodes into an operation's output `T`: the JSON text as `T`, or the bytes as a [`Download`],
    /// which is what every operation answered with a body that is not JSON declares (handed over as
    /// it is, not through serde).
    pub(crate) fn decode<T: DeserializeOwned + 'static>(self) -> Result<T> {
        match self {
            Payload::Json(text) => decode_json(&text),
            Payload::Bytes(download) => {
                let content_type = download.content_type.clone();
                let boxed: Box<dyn std::any::Any> = Box::new(download);
                boxed.downcast::<T>().map(|output| *output).map_err(|_| {
                    let shown = if content_type.is_empty() { "no JSON" } else { content_type.as_str() };
                    Error::decode(format!("response body: {shown} where JSON was expected"))
                })
            }
        }
    }
}

/// Whether a success body is JSON (or has no type, which is read as JSON).
fn is_json(response: &http::Response<Bytes>) -> bool {
    match response.headers().get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(media) => {
            let media = media.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
            media == "application/json" || media.ends_with("+json") || media.starts_with("text/json")
        }
    }
}
