//! What a call by operation name returns before any host parses it: the success's JSON text, or the
//! bytes of a body that is not JSON. Bindings turn it into their own values in one step (Python
//! objects straight from the text, `JSON.parse` in JavaScript, the host's byte type for bytes), so a
//! response is parsed once and no byte becomes a JSON number.

use bytes::Bytes;
use serde_json::Value;

use crate::api::ApiProfile;
use crate::client::{is_json, Callable};
use crate::error::{Error, Result};
use crate::model::Download;
use crate::operation::{build_request, Operation, Prepared};

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
            Payload::Json(text) => crate::operation::decode_json(&text),
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

    fn decode(profile: &ApiProfile, response: &http::Response<Bytes>) -> Result<(Payload, Option<String>)> {
        if !is_json(response) {
            return Ok((Payload::Bytes(download(response)), None));
        }
        let body = (profile.success_body)(response.body())?;
        let text = if body.data.iter().all(u8::is_ascii_whitespace) { Bytes::from_static(b"null") } else { body.data };
        Ok((Payload::Json(text), body.request_id))
    }
}

/// The body of a response that is not JSON, with its media type (the body is shared, not copied).
pub(crate) fn download(response: &http::Response<Bytes>) -> Download {
    let content_type = response.headers().get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    Download { content: response.body().clone(), content_type: content_type.unwrap_or_default().to_owned() }
}

/// A non-JSON body as the output `T`, which must be [`Download`]: no operation declares another output
/// for such a body.
pub(crate) fn decode_download<T: 'static>(response: &http::Response<Bytes>) -> Result<T> {
    let boxed: Box<dyn std::any::Any> = Box::new(download(response));
    boxed.downcast::<T>().map(|output| *output).map_err(|_| {
        let content_type = response.headers().get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
        Error::decode(format!("response body: {} where JSON was expected", content_type.unwrap_or("no JSON")))
    })
}
