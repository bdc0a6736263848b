//! Reading what came back: request ids, `Retry-After`, and error responses mapped into the taxonomy.
//! Pure: the current time comes in as an argument.

use std::time::{Duration, UNIX_EPOCH};

use bytes::Bytes;
use http::header::RETRY_AFTER;
use http::HeaderMap;

use crate::api::ApiProfile;
use crate::error::{Error, ErrorKind};
use crate::secret::Secret;

/// The facts of a response besides its decoded body.
#[derive(Clone, Debug)]
pub struct ResponseMeta {
    /// The HTTP status.
    pub status: u16,
    /// The response headers.
    pub headers: HeaderMap,
    /// The request id, from the API's envelope (Zyra's `meta.request_id`, which its docs tell users to
    /// log) or else the `x-request-id` header.
    pub request_id: Option<String>,
    /// The server's time of the answer, where the body carries it (Zyra's `meta.timestamp`).
    pub timestamp: Option<String>,
    /// How many attempts the call took.
    pub attempts: u32,
}

impl ResponseMeta {
    /// `error`, found in this response's body by a host that parsed it, with the response's status
    /// and request id.
    pub fn error_in_body(&self, error: Error) -> Error {
        error.with_status(self.status).with_request_id(self.request_id.clone())
    }

    /// The headers as text, repeated headers joined with `, `; values that are not text are left out.
    pub fn headers_text(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut out = serde_json::Map::new();
        for (name, value) in &self.headers {
            let Ok(value) = value.to_str() else { continue };
            match out.get_mut(name.as_str()) {
                Some(serde_json::Value::String(joined)) => {
                    joined.push_str(", ");
                    joined.push_str(value);
                }
                _ => {
                    out.insert(name.as_str().to_owned(), value.into());
                }
            }
        }
        out
    }
}

/// A decoded result with its response facts.
#[derive(Clone, Debug)]
pub struct Response<T> {
    /// The decoded body.
    pub data: T,
    /// Status, headers, request id.
    pub meta: ResponseMeta,
}

/// The request id from the `x-request-id` header.
pub fn request_id(headers: &HeaderMap) -> Option<String> {
    headers.get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned)
}

/// `Retry-After` as a wait from `now_unix`: delta-seconds or an HTTP date (a date in the past waits
/// zero).
pub fn retry_after(headers: &HeaderMap, now_unix: Duration) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(1e9)));
    }
    let at = httpdate::parse_http_date(value).ok()?.duration_since(UNIX_EPOCH).ok()?;
    Some(at.saturating_sub(now_unix))
}

/// Maps an error response into the taxonomy. Anything the key could have leaked into is redacted.
pub fn error_from_response(
    profile: &ApiProfile,
    response: &http::Response<Bytes>,
    now_unix: Duration,
    key: &Secret,
) -> Error {
    let status = response.status();
    let body = (profile.decode_error)(response.body());
    let message = body
        .message
        .or_else(|| status.canonical_reason().map(str::to_owned))
        .unwrap_or_else(|| format!("HTTP {}", status.as_u16()));
    let mut error = Error::new(ErrorKind::from_status(status.as_u16()), message)
        .with_status(status.as_u16())
        .with_request_id(body.request_id.or_else(|| request_id(response.headers())))
        .with_retry_after(retry_after(response.headers(), now_unix));
    if let Some(code) = body.code {
        error = error.with_code(code);
    }
    if let Some(details) = body.details {
        error = error.with_details(details);
    }
    error = error.redact(key);
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(retry_after: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, retry_after.parse().unwrap());
        h
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = Duration::from_secs(1_445_412_480); // Wed, 21 Oct 2015 07:28:00 GMT
        assert_eq!(retry_after(&headers("7"), now), Some(Duration::from_secs(7)));
        assert_eq!(retry_after(&headers("1.5"), now), Some(Duration::from_millis(1500)));
        assert_eq!(retry_after(&headers("Wed, 21 Oct 2015 07:28:30 GMT"), now), Some(Duration::from_secs(30)));
        assert_eq!(retry_after(&headers("Wed, 21 Oct 2015 07:00:00 GMT"), now), Some(Duration::ZERO));
        assert_eq!(retry_after(&headers("soon"), now), None);
        assert_eq!(retry_after(&headers("-3"), now), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }
}
