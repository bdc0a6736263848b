//! CORS, so a page in a browser can call the sandbox: every response allows any origin, and every
//! `OPTIONS` request is a preflight answered here, before auth, faults or the journal.

use http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE,
};
use http::{HeaderMap, HeaderValue, StatusCode};

/// The methods a page may use.
const ALLOW_METHODS: &str = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
/// The request headers a page may send.
const ALLOW_HEADERS: &str = "authorization, content-type, x-api-key, x-organization-id, idempotency-key";
/// The response headers a page may read.
const EXPOSE_HEADERS: &str = "x-request-id, retry-after";

/// Adds the CORS headers every response carries.
pub(crate) fn apply(headers: &mut HeaderMap) {
    headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    headers.insert(ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static(ALLOW_METHODS));
    headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static(ALLOW_HEADERS));
    headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static(EXPOSE_HEADERS));
}

/// The answer to a preflight: 204 with the CORS headers (added by [`apply`]) and how long a
/// browser may cache it.
pub(crate) fn preflight() -> http::Response<axum::body::Body> {
    let mut response = http::Response::new(axum::body::Body::empty());
    *response.status_mut() = StatusCode::NO_CONTENT;
    response.headers_mut().insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    response
}
