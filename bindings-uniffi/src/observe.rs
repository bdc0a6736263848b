//! Logs and hooks for Kotlin and Swift: foreign traits the app implements (`ZkitLogger`, `ZkitHooks`),
//! handed to the core as its log sink and hooks. Without a logger, `ZKIT_LOG` writes to stderr (the
//! Xcode console); the Kotlin library ships `JavaLogger` (java.util.logging, which Android routes
//! to logcat).

use std::collections::HashMap;
use std::sync::Arc;

/// How much a client logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum LogLevel {
    /// Every attempt: request, response, waits.
    Debug,
    /// Retries and redirects followed.
    Info,
    /// Calls that failed, and settings that could not be honoured.
    Warn,
    /// Kept for the hosts' scales.
    Error,
}

impl From<LogLevel> for zkit::LogLevel {
    fn from(level: LogLevel) -> Self {
        match level {
            LogLevel::Debug => Self::Debug,
            LogLevel::Info => Self::Info,
            LogLevel::Warn => Self::Warn,
            LogLevel::Error => Self::Error,
        }
    }
}

impl From<zkit::LogLevel> for LogLevel {
    fn from(level: zkit::LogLevel) -> Self {
        match level {
            zkit::LogLevel::Debug => Self::Debug,
            zkit::LogLevel::Info => Self::Info,
            zkit::LogLevel::Warn => Self::Warn,
            zkit::LogLevel::Error => Self::Error,
        }
    }
}

/// What a logger or hook threw: it is reported, and the call goes on.
#[derive(Debug, uniffi::Error)]
pub enum CallbackError {
    /// The foreign code threw.
    Failed {
        /// What it threw.
        reason: String,
    },
}

impl std::fmt::Display for CallbackError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Self::Failed { reason } = self;
        f.write_str(reason)
    }
}

impl From<uniffi::UnexpectedUniFFICallbackError> for CallbackError {
    fn from(error: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::Failed { reason: error.reason }
    }
}

/// Takes a client's log records, credentials already redacted. Called on the call's path: keep it quick.
#[uniffi::export(with_foreign)]
pub trait ZkitLogger: Send + Sync {
    /// One record: its level, its one-line message, and its fields apart.
    fn log(&self, level: LogLevel, message: String, fields: HashMap<String, String>) -> Result<(), CallbackError>;
}

/// One attempt about to be sent; credentials are redacted.
#[derive(Clone, Debug, uniffi::Record)]
pub struct RequestInfo {
    /// The API, such as `zerokie`.
    pub api: String,
    /// The operation, such as `get_app`, or `raw`.
    pub operation: String,
    /// From 1; a redirect followed keeps its attempt's number.
    pub attempt: u32,
    /// The HTTP method.
    pub method: String,
    /// The URL.
    pub url: String,
    /// The headers; credentials show as `[redacted]`.
    pub headers: HashMap<String, String>,
}

/// How an attempt ended: a status, or the error that stopped it.
#[derive(Clone, Debug, uniffi::Record)]
pub struct ResponseInfo {
    /// The attempt it answers.
    pub request: RequestInfo,
    /// The HTTP status, when a response came.
    pub status: Option<u16>,
    /// The response's headers, sensitive ones redacted.
    pub headers: HashMap<String, String>,
    /// The server's request id.
    pub request_id: Option<String>,
    /// Milliseconds from sending to the whole response (or the failure).
    pub duration_ms: f64,
    /// Why no response came.
    pub error: Option<String>,
}

/// Observe-only hooks, called for every attempt (retries and redirects too). What they throw is
/// logged and the call goes on.
#[uniffi::export(with_foreign)]
pub trait ZkitHooks: Send + Sync {
    /// Before an attempt is sent.
    fn on_request(&self, request: RequestInfo) -> Result<(), CallbackError>;
    /// After an attempt got its response, or failed without one.
    fn on_response(&self, response: ResponseInfo) -> Result<(), CallbackError>;
}

fn request_info(request: &zkit::RequestInfo) -> RequestInfo {
    RequestInfo {
        api: request.api.to_owned(),
        operation: request.operation.to_owned(),
        attempt: request.attempt,
        method: request.method.clone(),
        url: request.url.clone(),
        headers: request.headers.iter().cloned().collect(),
    }
}

/// The app's logger as the core's sink.
pub(crate) struct ForeignLog(pub Arc<dyn ZkitLogger>);

impl zkit::LogSink for ForeignLog {
    fn log(&self, record: &zkit::LogRecord) {
        let fields = record.fields.iter().map(|(name, value)| ((*name).to_owned(), value.clone())).collect();
        // A logger that throws has nowhere better to be reported.
        let _ = self.0.log(record.level.into(), record.message.clone(), fields);
    }
}

/// Where records go without a logger: stderr (the Xcode console; Android drops it, so pass
/// `JavaLogger` there).
pub(crate) struct StderrLog;

impl zkit::LogSink for StderrLog {
    fn log(&self, record: &zkit::LogRecord) {
        eprintln!("[zkit {}] {}", record.level, record.message);
    }
}

/// The app's hooks as the core's; what they throw is reported to the client's log sink as a warning.
pub(crate) struct ForeignHooks {
    pub(crate) hooks: Arc<dyn ZkitHooks>,
    pub(crate) report: Arc<dyn zkit::LogSink>,
}

impl ForeignHooks {
    fn reported(&self, which: &str, result: Result<(), CallbackError>) {
        if let Err(error) = result {
            let message = format!("zkit: the {which} hook threw {error}; the call goes on");
            self.report.log(&zkit::LogRecord { level: zkit::LogLevel::Warn, message, fields: Vec::new() });
        }
    }
}

impl zkit::Hooks for ForeignHooks {
    fn on_request(&self, request: &zkit::RequestInfo) {
        self.reported("onRequest", self.hooks.on_request(request_info(request)));
    }

    fn on_response(&self, response: &zkit::ResponseInfo) {
        let result = self.hooks.on_response(ResponseInfo {
            request: request_info(&response.request),
            status: response.status,
            headers: response.headers.iter().cloned().collect(),
            request_id: response.request_id.clone(),
            duration_ms: response.duration.as_secs_f64() * 1000.0,
            error: response.error.clone(),
        });
        self.reported("onResponse", result);
    }
}
