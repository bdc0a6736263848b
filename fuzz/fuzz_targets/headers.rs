//! Error answers of any status, headers and body: Retry-After (seconds or an HTTP date), the request
//! id, each API's error body, and the redaction of the key; an error, never a panic.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use std::time::Duration;
use zkit::response::{error_from_response, retry_after};
use zkit::Secret;
use zkit_fuzz::APIS;

fuzz_target!(|data: &[u8]| {
    let [api, status_high, status_low, split, rest @ ..] = data else { return };
    let (header, body) = rest.split_at(usize::from(*split).min(rest.len()));
    let mut response = http::Response::new(Bytes::copy_from_slice(body));
    *response.status_mut() =
        http::StatusCode::from_u16(400 + u16::from_be_bytes([*status_high, *status_low]) % 200).unwrap_or_default();
    if let Ok(value) = http::HeaderValue::from_bytes(header) {
        response.headers_mut().insert(http::header::RETRY_AFTER, value.clone());
        response.headers_mut().insert("x-request-id", value);
    }
    let now = Duration::from_secs(1_768_473_000);
    let _ = retry_after(response.headers(), now);
    let profile = APIS[usize::from(*api) % APIS.len()].profile;
    let key = Secret::new("zrk_fuzz_0c0ffee0c0ffee");
    let error = error_from_response(profile, &response, now, &key);
    assert!(!error.to_string().contains("zrk_fuzz_0c0ffee0c0ffee"), "the key shows in {error}");
});
