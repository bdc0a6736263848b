//! One error taxonomy for every API, transport and input check.

use std::fmt;
use std::time::Duration;

use serde_json::Value;

/// The kinds of error, the one list that [`ErrorKind`] and the bindings' error types are made from: it
/// hands its callback macro every kind as `Variant = "snake_case_name"` with its doc comment. Tokens
/// after the callback are passed on in front of the list.
#[macro_export]
macro_rules! error_kinds {
    ($callback:path $(, $($extra:tt)*)?) => {
        $callback! {
            $($($extra)*)?
            /// 400: the server refused the request as invalid or malformed.
            BadRequest = "bad_request",
            /// 401: the credential is missing, invalid, revoked or expired.
            Unauthorized = "unauthorized",
            /// 402: the current plan does not allow the requested feature.
            PaymentRequired = "payment_required",
            /// 403: the credential lacks the permission, scope or role.
            Forbidden = "forbidden",
            /// 404: the resource does not exist.
            NotFound = "not_found",
            /// 409: the resource exists or is in a state that forbids the operation.
            Conflict = "conflict",
            /// 429: too many requests; the error's retry_after says how long to wait.
            RateLimited = "rate_limited",
            /// 5xx other than 502: the server failed.
            Server = "server",
            /// 502: a service behind the API failed.
            Upstream = "upstream",
            /// 3xx: a redirect that was not followed (too many in a row, no usable Location, or a
            /// status such as 304 that is not a redirect to follow).
            Redirect = "redirect",
            /// The attempt or the call's deadline ran out.
            Timeout = "timeout",
            /// The connection could not be made or broke off.
            Connection = "connection",
            /// The response could not be read as the expected type.
            Decode = "decode",
            /// The input was refused before anything was sent; the error's field names it.
            InvalidInput = "invalid_input",
        }
    };
}

macro_rules! declare_error_kind {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal, )*) => {
        /// What went wrong, as one closed set shared by every API and every language binding.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorKind {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl ErrorKind {
            /// The kind's stable snake_case name, the same in every language.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $name, )*
                }
            }

            /// Every kind, in declaration order.
            pub const ALL: &'static [ErrorKind] = &[$( Self::$variant ),*];

            /// What the kind means, as its documentation says (for the bindings' generated error
            /// classes).
            pub fn doc(self) -> &'static str {
                match self {
                    $( Self::$variant => concat!($($doc, "\n"),*), )*
                }
            }
        }
    };
}

error_kinds!(declare_error_kind);

impl ErrorKind {
    /// The kind an HTTP error status stands for.
    pub fn from_status(status: u16) -> Self {
        match status {
            400 | 405 | 406 | 410..=418 | 422 => Self::BadRequest,
            401 => Self::Unauthorized,
            402 => Self::PaymentRequired,
            403 => Self::Forbidden,
            404 => Self::NotFound,
            408 => Self::Timeout,
            409 => Self::Conflict,
            429 => Self::RateLimited,
            502 => Self::Upstream,
            300..=399 => Self::Redirect,
            _ if status >= 500 => Self::Server,
            _ => Self::BadRequest,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error from a zkit call: what kind, and everything the server or the client knew about it.
///
/// No credential ever appears in it: messages coming back from a server are redacted before they
/// are stored.
#[derive(Clone, PartialEq)]
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Clone, Debug, PartialEq)]
struct Inner {
    kind: ErrorKind,
    message: String,
    status: Option<u16>,
    code: Option<String>,
    request_id: Option<String>,
    details: Option<Value>,
    retry_after: Option<Duration>,
    field: Option<String>,
    retryable: bool,
}

/// The result of a zkit call.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A new error of `kind` with `message`; the other facts are added with the `with_*` methods.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        let retryable = matches!(
            kind,
            ErrorKind::RateLimited
                | ErrorKind::Server
                | ErrorKind::Upstream
                | ErrorKind::Timeout
                | ErrorKind::Connection
        );
        Self {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                status: None,
                code: None,
                request_id: None,
                details: None,
                retry_after: None,
                field: None,
                retryable,
            }),
        }
    }

    /// Input refused before sending: `field` names what was wrong, `message` says why.
    pub fn invalid_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        let field = field.into();
        let message = format!("{field}: {}", message.into());
        Self::new(ErrorKind::InvalidInput, message).with_field(field)
    }

    /// A response body that could not be read as the expected type.
    pub fn decode(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Decode, message)
    }

    /// Sets the HTTP status.
    pub fn with_status(mut self, status: u16) -> Self {
        self.inner.status = Some(status);
        self
    }

    /// Sets the API's own error code.
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.inner.code = Some(code.into());
        self
    }

    /// Sets the request id the server gave.
    pub fn with_request_id(mut self, request_id: Option<String>) -> Self {
        self.inner.request_id = request_id;
        self
    }

    /// Sets structured details from the server.
    pub fn with_details(mut self, details: Value) -> Self {
        self.inner.details = Some(details);
        self
    }

    /// Sets how long the server asked the client to wait.
    pub fn with_retry_after(mut self, retry_after: Option<Duration>) -> Self {
        self.inner.retry_after = retry_after;
        self
    }

    /// Sets the input field an invalid-input error is about.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.inner.field = Some(field.into());
        self
    }

    /// The error with every trace of `secret` (in its message, code and details) replaced by a
    /// preview.
    pub fn redact(self, secret: &crate::Secret) -> Self {
        self.redact_as(secret, &secret.preview())
    }

    /// The error with every trace of `secret` replaced by `shown` (passwords show nothing of
    /// themselves).
    pub fn redact_as(mut self, secret: &crate::Secret, shown: &str) -> Self {
        let value = secret.expose();
        let clean = |text: &str| {
            if value.len() < 4 {
                text.to_owned()
            } else {
                text.replace(value, shown)
            }
        };
        let inner = &mut *self.inner;
        inner.message = clean(&inner.message);
        inner.code = inner.code.take().map(|code| clean(&code));
        inner.request_id = inner.request_id.take().map(|id| clean(&id));
        if let Some(details) = &mut inner.details {
            redact_value(details, &clean);
        }
        self
    }

    /// Marks whether a retry could succeed.
    pub fn with_retryable(mut self, retryable: bool) -> Self {
        self.inner.retryable = retryable;
        self
    }

    /// What kind of error this is.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// A human-readable description, free of credentials.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }

    /// The API's own error code (`invalid_api_key`, `VALIDATION_ERROR`, …), when it sent one.
    pub fn code(&self) -> Option<&str> {
        self.inner.code.as_deref()
    }

    /// The request id, to quote to the API's support.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }

    /// Structured details the server sent with the error.
    pub fn details(&self) -> Option<&Value> {
        self.inner.details.as_ref()
    }

    /// How long the server asked to wait before trying again.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// The input field an invalid-input error is about.
    pub fn field(&self) -> Option<&str> {
        self.inner.field.as_deref()
    }

    /// Whether the same call could succeed if tried again later.
    pub fn is_retryable(&self) -> bool {
        self.inner.retryable
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        let mut s = f.debug_struct("Error");
        s.field("kind", &i.kind).field("message", &i.message);
        if let Some(status) = i.status {
            s.field("status", &status);
        }
        if let Some(code) = &i.code {
            s.field("code", code);
        }
        if let Some(id) = &i.request_id {
            s.field("request_id", id);
        }
        if let Some(details) = &i.details {
            s.field("details", details);
        }
        if let Some(after) = i.retry_after {
            s.field("retry_after", &after);
        }
        if let Some(field) = &i.field {
            s.field("field", field);
        }
        s.field("retryable", &i.retryable).finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        write!(f, "{}", i.kind)?;
        if let Some(status) = i.status {
            write!(f, " ({status})")?;
        }
        write!(f, ": {}", i.message)?;
        if let Some(id) = &i.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Cleans every string of `value`, object keys included, keeping its shape.
fn redact_value(value: &mut Value, clean: &impl Fn(&str) -> String) {
    match value {
        Value::String(text) => *text = clean(text),
        Value::Array(items) => items.iter_mut().for_each(|item| redact_value(item, clean)),
        Value::Object(fields) => {
            *fields = std::mem::take(fields)
                .into_iter()
                .map(|(key, mut field)| {
                    redact_value(&mut field, clean);
                    (clean(&key), field)
                })
                .collect();
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_kinds() {
        let cases = [
            (400, ErrorKind::BadRequest),
            (401, ErrorKind::Unauthorized),
            (402, ErrorKind::PaymentRequired),
            (403, ErrorKind::Forbidden),
            (404, ErrorKind::NotFound),
            (408, ErrorKind::Timeout),
            (409, ErrorKind::Conflict),
            (422, ErrorKind::BadRequest),
            (429, ErrorKind::RateLimited),
            (500, ErrorKind::Server),
            (502, ErrorKind::Upstream),
            (503, ErrorKind::Server),
        ];
        for (status, kind) in cases {
            assert_eq!(ErrorKind::from_status(status), kind, "status {status}");
        }
    }

    #[test]
    fn invalid_input_names_the_field() {
        let e = Error::invalid_input("domain", "apex domains are not supported");
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert_eq!(e.field(), Some("domain"));
        assert!(e.to_string().contains("domain: apex"));
        assert!(!e.is_retryable());
    }
}
