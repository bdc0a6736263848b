//! One error enum for the foreign side: a variant per kind of the core's taxonomy, each with the same
//! facts, plus `Closed` and `Internal`. Kotlin sees a sealed exception class, Swift an `Error`.

use std::fmt;

use zkit::ErrorKind;

/// Declares the error enum from the core's list of kinds, plus `Internal`, and its conversion.
macro_rules! zkit_error {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal, )*) => {
        /// A failed zkit call: what kind, and everything known about it. Never carries a key.
        #[derive(Debug, Clone, uniffi::Error)]
        #[uniffi::export(Display)]
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
            /// A bug inside zkit, caught at the boundary.
            Internal {
                /// What went wrong.
                reason: String,
                /// Always absent.
                status: Option<u16>,
                /// Always absent.
                code: Option<String>,
                /// Always absent.
                request_id: Option<String>,
                /// Always absent.
                retry_after_seconds: Option<f64>,
                /// Always absent.
                field: Option<String>,
                /// Always absent.
                details: Option<String>,
                /// Always false.
                retryable: bool,
            },
        }

        impl ZkitError {
            fn reason(&self) -> &str {
                match self {
                    $( Self::$variant { reason, .. } => reason, )*
                    Self::Internal { reason, .. } => reason,
                }
            }

            fn status_and_request_id(&self) -> (Option<u16>, Option<&str>) {
                match self {
                    $( Self::$variant { status, request_id, .. } => (*status, request_id.as_deref()), )*
                    Self::Internal { status, request_id, .. } => (*status, request_id.as_deref()),
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
                match error.kind() {
                    $( ErrorKind::$variant => Self::$variant {
                        reason, status, code, request_id, retry_after_seconds, field, details, retryable,
                    }, )*
                    _ => Self::Internal { reason, status, code, request_id, retry_after_seconds, field, details, retryable },
                }
            }
        }
    };
}

zkit::error_kinds!(zkit_error);

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

/// "(404) app not found [request id req_…]": Kotlin's `toString()` and `message`, Swift's
/// `description`.
impl fmt::Display for ZkitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (status, request_id) = self.status_and_request_id();
        if let Some(status) = status {
            write!(f, "({status}) ")?;
        }
        f.write_str(self.reason())?;
        if let Some(id) = request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ZkitError {}
