//! Following redirects (pure): the request a 3xx answer points to, by the rules browsers' `fetch`
//! follows, so native and wasm builds agree. 307 and 308 repeat the method and body; 303, and 301 or
//! 302 after a POST, turn into a GET without a body. A request that leaves its origin loses its
//! credentials and the API's context headers.

use http::header::{HeaderName, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, COOKIE, LOCATION};
use http::{Method, Request, StatusCode, Uri};

use crate::error::{Error, ErrorKind, Result};
use crate::exec::Body;

/// How many redirects one attempt follows before giving up.
pub const MAX_REDIRECTS: u32 = 10;

/// Whether `status` is a redirect that is followed.
pub fn is_followed(status: StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}

/// The request that follows `request`'s `status` answer with `location`, and whether it leaves the
/// origin. `sensitive` names the headers a request to another origin must not carry (besides
/// `Authorization` and `Cookie`).
pub fn follow(
    request: &Request<Body>,
    status: StatusCode,
    location: Option<&http::HeaderValue>,
    sensitive: &[HeaderName],
) -> Result<(Request<Body>, bool)> {
    let refuse = |why: String| Error::new(ErrorKind::Redirect, why).with_status(status.as_u16());
    let location = location.ok_or_else(|| refuse(format!("({status}) redirect without a Location")))?;
    let text = location.to_str().map_err(|_| refuse(format!("({status}) redirect to a Location that is not ASCII")))?;
    let target = resolve(request.uri(), text).ok_or_else(|| {
        refuse(format!("({status}) redirect to {text:?}, which is not an http(s) URL zkit can follow"))
    })?;
    let method = request.method();
    let to_get = status == StatusCode::SEE_OTHER && *method != Method::HEAD
        || matches!(status.as_u16(), 301 | 302) && *method == Method::POST;
    let left_origin = origin(&target) != origin(request.uri());

    let mut next = Request::new(if to_get { Body::default() } else { request.body().clone() });
    *next.method_mut() = if to_get { Method::GET } else { method.clone() };
    *next.uri_mut() = target;
    *next.headers_mut() = request.headers().clone();
    let headers = next.headers_mut();
    if to_get {
        for name in [CONTENT_TYPE, CONTENT_LENGTH, CONTENT_ENCODING] {
            headers.remove(name);
        }
    }
    if left_origin {
        headers.remove(http::header::AUTHORIZATION);
        headers.remove(COOKIE);
        for name in sensitive {
            headers.remove(name);
        }
    }
    headers.remove(LOCATION);
    Ok((next, left_origin))
}

/// Scheme, host and port, the port filled in from the scheme when absent.
fn origin(uri: &Uri) -> (Option<&str>, Option<&str>, Option<u16>) {
    let scheme = uri.scheme_str();
    let port = uri.port_u16().or(match scheme {
        Some("https") => Some(443),
        Some("http") => Some(80),
        _ => None,
    });
    (scheme, uri.host(), port)
}

/// `location` resolved against `base`: absolute, scheme-relative, absolute-path, query-only or
/// relative to the base's folder. `None` when it is not an http(s) URL.
fn resolve(base: &Uri, location: &str) -> Option<Uri> {
    let scheme = base.scheme_str()?;
    let authority = base.authority()?.as_str();
    let joined = if let Some((target_scheme, rest)) = location.split_once(':').filter(|(s, _)| is_scheme(s)) {
        if !matches!(target_scheme.to_ascii_lowercase().as_str(), "http" | "https") || !rest.starts_with("//") {
            return None;
        }
        location.to_owned()
    } else if location.starts_with("//") {
        format!("{scheme}:{location}")
    } else if location.starts_with('/') {
        format!("{scheme}://{authority}{location}")
    } else if location.starts_with('?') {
        format!("{scheme}://{authority}{}{location}", base.path())
    } else {
        let folder = &base.path()[..=base.path().rfind('/').unwrap_or(0)];
        format!("{scheme}://{authority}{folder}{location}")
    };
    let joined = joined.split('#').next().unwrap_or_default();
    let uri: Uri = joined.parse().ok()?;
    uri.host().filter(|host| !host.is_empty())?;
    Some(uri)
}

fn is_scheme(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use http::HeaderValue;

    use super::*;

    fn post(uri: &str) -> Request<Body> {
        let mut request = Request::new(Body::Bytes(Bytes::from_static(b"{\"name\":\"a\"}")));
        *request.method_mut() = Method::POST;
        *request.uri_mut() = uri.parse().unwrap();
        let headers = request.headers_mut();
        headers.insert("x-api-key", HeaderValue::from_static("zrk_secret_key_0123"));
        headers.insert("x-organization-id", HeaderValue::from_static("org_1"));
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        request
    }

    fn go(request: &Request<Body>, status: u16, location: &str) -> Result<(Request<Body>, bool)> {
        let sensitive = [HeaderName::from_static("x-api-key"), HeaderName::from_static("x-organization-id")];
        follow(
            request,
            StatusCode::from_u16(status).unwrap(),
            Some(&HeaderValue::from_str(location).unwrap()),
            &sensitive,
        )
    }

    #[test]
    fn locations_resolve_against_the_request() {
        let base: Uri = "http://127.0.0.1:4010/zerokie/v1/apps?offset=2".parse().unwrap();
        let cases = [
            ("/zerokie/v1/apps/", "http://127.0.0.1:4010/zerokie/v1/apps/"),
            ("apps/a", "http://127.0.0.1:4010/zerokie/v1/apps/a"),
            ("?offset=3", "http://127.0.0.1:4010/zerokie/v1/apps?offset=3"),
            ("//localhost:4010/x", "http://localhost:4010/x"),
            ("https://api.example.test/v1#frag", "https://api.example.test/v1"),
        ];
        for (location, expected) in cases {
            assert_eq!(resolve(&base, location).unwrap().to_string(), expected, "{location}");
        }
        assert!(resolve(&base, "ftp://files.example.test/x").is_none());
        assert!(resolve(&base, "mailto:someone@example.test").is_none());
    }

    #[test]
    fn temporary_and_permanent_redirects_keep_the_method_and_body() {
        for status in [307, 308] {
            let (next, left) = go(&post("http://127.0.0.1:1/a"), status, "/b").unwrap();
            assert_eq!((next.method(), next.uri().path(), left), (&Method::POST, "/b", false));
            assert_eq!(next.body().as_bytes().unwrap().as_ref(), b"{\"name\":\"a\"}");
            assert!(next.headers().contains_key("x-api-key"));
        }
    }

    #[test]
    fn see_other_and_a_moved_post_become_a_get_without_a_body() {
        for status in [301, 302, 303] {
            let (next, _) = go(&post("http://127.0.0.1:1/a"), status, "/b").unwrap();
            assert_eq!(next.method(), Method::GET);
            assert!(next.body().is_empty() && !next.headers().contains_key(CONTENT_TYPE));
        }
        let mut put = post("http://127.0.0.1:1/a");
        *put.method_mut() = Method::PUT;
        assert_eq!(go(&put, 302, "/b").unwrap().0.method(), Method::PUT);
    }

    #[test]
    fn leaving_the_origin_drops_the_credentials_and_context() {
        let (next, left) = go(&post("http://127.0.0.1:1/a"), 307, "http://localhost:1/a").unwrap();
        assert!(left);
        assert!(!next.headers().contains_key("x-api-key") && !next.headers().contains_key("x-organization-id"));
        assert!(next.headers().contains_key(CONTENT_TYPE));
        let (_, left) = go(&post("http://127.0.0.1/a"), 307, "http://127.0.0.1:80/b").unwrap();
        assert!(!left, "the default port is the same origin");
        let (_, left) = go(&post("http://127.0.0.1/a"), 307, "https://127.0.0.1/b").unwrap();
        assert!(left, "another scheme is another origin");
    }

    #[test]
    fn a_redirect_that_cannot_be_followed_is_a_redirect_error() {
        let request = post("http://127.0.0.1:1/a");
        let error = follow(&request, StatusCode::FOUND, None, &[]).unwrap_err();
        assert_eq!((error.kind(), error.status()), (ErrorKind::Redirect, Some(302)));
        assert_eq!(go(&request, 301, "ftp://x/y").unwrap_err().kind(), ErrorKind::Redirect);
    }
}
