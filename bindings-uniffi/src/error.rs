//! One error enum for the foreign side: a variant per kind of the core's taxonomy, each with the same
//! facts, plus `Closed` and `Internal`. Kotlin sees a sealed exception class, Swift an `Error`.

use std::fmt;

use zkit::ErrorKind;

/// Declares the error enum with one variant per kind.
macro_rules! zkit_error {
    ($($(#[doc = $doc:literal])* $variant:ident),* $(,)?) => {
        /// A failed zkit call: what kind, and everything known about it. Never carries a key.
        #[derive(Debug, Clone, uniffi::Error)]
        pub enum ZkitError {
            $(
                $(#[doc = $doc])*
                $variant {
                    /// What went wrong.
                    reason: String,
                    /// The HTTP status, when the server answered.
                    status: Option<u16>,
                    /// The API's own error code.
                    code: Option<String>,
                    /// The request id, for the API's support.
                    request_id: Option<String>,
                    /// Seconds the server asked to wait before trying again.
                    retry_after_seconds: Option<f64>,
                    /// The input field an invalid-input error is about.
                    field: Option<String>,
                    /// Structured details from the server, as JSON.
                    details: Option<String>,
                    /// Whether trying again later could succeed.
                    retryable: bool,
                },
            )*
        }

        impl ZkitError {
            fn reason(&self) -> &str {
                match self { $( Self::$variant { reason, .. } => reason, )* }
            }
        }
    };
}

zkit_error! {
    /// 400: the server refused the request as invalid.
    BadRequest,
    /// 401: the key is missing, invalid or revoked.
    Unauthorized,
    /// 402: the plan does not allow it.
    PaymentRequired,
    /// 403: the key lacks the permission.
    Forbidden,
    /// 404: no such resource.
    NotFound,
    /// 409: it exists, or its state forbids the operation.
    Conflict,
    /// 429: too many requests.
    RateLimited,
    /// 5xx: the server failed.
    Server,
    /// 502: a service behind the API failed.
    Upstream,
    /// A time limit ran out.
    Timeout,
    /// The connection failed.
    Connection,
    /// The response could not be read.
    Decode,
    /// The input was refused before anything was sent.
    InvalidInput,
    /// A bug inside zkit, caught at the boundary.
    Internal,
}

impl ZkitError {
    /// An internal error with `reason`.
    pub(crate) fn internal(reason: &str) -> Self {
        Self::Internal {
            reason: reason.to_owned(),
            status: None,
            code: None,
            request_id: None,
            retry_after_seconds: None,
            field: None,
            details: None,
            retryable: false,
        }
    }
}

impl From<zkit::Error> for ZkitError {
    fn from(error: zkit::Error) -> Self {
        let reason = error.message().to_owned();
        let status = error.status();
        let code = error.code().map(str::to_owned);
        let request_id = error.request_id().map(str::to_owned);
        let retry_after_seconds = error.retry_after().map(|d| d.as_secs_f64());
        let field = error.field().map(str::to_owned);
        let details = error.details().map(|d| d.to_string());
        let retryable = error.is_retryable();
        macro_rules! build {
            ($variant:ident) => {
                Self::$variant { reason, status, code, request_id, retry_after_seconds, field, details, retryable }
            };
        }
        match error.kind() {
            ErrorKind::BadRequest => build!(BadRequest),
            ErrorKind::Unauthorized => build!(Unauthorized),
            ErrorKind::PaymentRequired => build!(PaymentRequired),
            ErrorKind::Forbidden => build!(Forbidden),
            ErrorKind::NotFound => build!(NotFound),
            ErrorKind::Conflict => build!(Conflict),
            ErrorKind::RateLimited => build!(RateLimited),
            ErrorKind::Server => build!(Server),
            ErrorKind::Upstream => build!(Upstream),
            ErrorKind::Timeout => build!(Timeout),
            ErrorKind::Connection => build!(Connection),
            ErrorKind::Decode => build!(Decode),
            ErrorKind::InvalidInput => build!(InvalidInput),
            _ => build!(Internal),
        }
    }
}

impl fmt::Display for ZkitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason())
    }
}

impl std::error::Error for ZkitError {}
