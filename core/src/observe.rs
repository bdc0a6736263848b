//! Seeing what a client does: `tracing` events and one span per call, observe-only hooks on every
//! attempt, and a log sink through which a binding hands the same records to its language's logger
//! (Python's `logging`, a JavaScript `logger`, a Kotlin or Swift callback). Everything that leaves
//! here is redacted: keys and sensitive headers never show, and bodies only when asked for.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use http::HeaderMap;

use crate::config::Credential;
use crate::error::{Error, Result};
use crate::exec::MaybeSend;

/// How much a client logs through its [`LogSink`]; `tracing` subscribers filter on their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    /// Every attempt: request, response, waits.
    Debug,
    /// Retries and redirects followed, and what was left out.
    Info,
    /// Calls that failed, and settings that could not be honoured.
    Warn,
    /// Nothing the client could not handle is logged at this level; kept for the hosts' scales.
    Error,
}

impl LogLevel {
    /// The level's name, as `ZKIT_LOG` takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Debug => "debug",
            Self::Info => "info",
            Self::Warn => "warn",
            Self::Error => "error",
        }
    }
}

impl fmt::Display for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LogLevel {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "debug" | "trace" => Ok(Self::Debug),
            "info" => Ok(Self::Info),
            "warn" | "warning" => Ok(Self::Warn),
            "error" => Ok(Self::Error),
            _ => Err(Error::invalid_input("log", format!("must be debug, info, warn or error, not {text:?}"))),
        }
    }
}

/// One log record, ready for a host's logger: a level, a one-line message and its fields.
#[derive(Clone, Debug, PartialEq)]
pub struct LogRecord {
    /// How much it matters.
    pub level: LogLevel,
    /// What happened, with its fields, as one line (`zkit: GET /v1/apps/{name} -> 200 …`).
    pub message: String,
    /// The fields apart, for structured loggers: name and value, already redacted.
    pub fields: Vec<(&'static str, String)>,
}

/// Takes a client's log records: how a binding routes them to its language's logger.
pub trait LogSink: MaybeSend {
    /// Handles one record. It must not block for long: it runs on the call's path.
    fn log(&self, record: &LogRecord);
}

/// One attempt about to be sent, as hooks see it.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestInfo {
    /// The API, such as `zerokie`.
    pub api: &'static str,
    /// The operation, such as `get_app`, or `raw`.
    pub operation: &'static str,
    /// The attempt, from 1; a redirect followed keeps its attempt's number.
    pub attempt: u32,
    /// The HTTP method.
    pub method: String,
    /// The URL, with any credential in it replaced by a preview.
    pub url: String,
    /// The headers, with credentials and other sensitive values shown as `[redacted]`.
    pub headers: Vec<(String, String)>,
}

/// One attempt's outcome, as hooks see it: a status, or the error that stopped the attempt.
#[derive(Clone, Debug, PartialEq)]
pub struct ResponseInfo {
    /// The request it answers.
    pub request: RequestInfo,
    /// The HTTP status, when a response came.
    pub status: Option<u16>,
    /// The response's headers (sensitive ones redacted); empty when no response came.
    pub headers: Vec<(String, String)>,
    /// The server's request id, when it sent one.
    pub request_id: Option<String>,
    /// From sending to the whole response (or the failure).
    pub duration: Duration,
    /// Why no response came (a broken connection, the attempt's timeout), redacted.
    pub error: Option<String>,
}

/// Observe-only hooks, called for every attempt (retries and redirects included). They cannot change
/// the request; a hook that panics is logged and the call goes on.
pub trait Hooks: MaybeSend {
    /// Before an attempt is sent.
    fn on_request(&self, request: &RequestInfo) {
        let _ = request;
    }

    /// After an attempt got its response, or failed without one.
    fn on_response(&self, response: &ResponseInfo) {
        let _ = response;
    }
}

/// What a client reports to, beyond `tracing`: hooks, and a sink above a level.
#[derive(Clone, Default)]
pub struct Observers {
    /// Called for every attempt, in order.
    pub hooks: Vec<Arc<dyn Hooks>>,
    /// Takes records at or above `level`.
    pub sink: Option<Arc<dyn LogSink>>,
    /// The least level the sink gets; `None` sends it nothing (the default unless `ZKIT_LOG` or the
    /// `log` setting says otherwise).
    pub level: Option<LogLevel>,
    /// Whether request and response bodies are logged (at debug, redacted, cut at 4 KiB).
    pub log_bodies: bool,
}

impl fmt::Debug for Observers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Observers")
            .field("hooks", &self.hooks.len())
            .field("sink", &self.sink.is_some())
            .field("level", &self.level)
            .field("log_bodies", &self.log_bodies)
            .finish()
    }
}

/// Headers never shown: credentials and cookies, besides any value marked sensitive.
const SENSITIVE: [&str; 7] =
    ["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-auth-token", "api-key"];

/// The longest body a log record shows.
const BODY_SHOWN: usize = 4096;

/// `headers` as name and value, credentials shown as `[redacted]` and any other value cleared of the
/// credential.
pub(crate) fn redacted_headers(headers: &HeaderMap, credential: &Credential) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let shown = if value.is_sensitive() || SENSITIVE.contains(&name.as_str()) {
                "[redacted]".to_owned()
            } else {
                credential.redact(&String::from_utf8_lossy(value.as_bytes()))
            };
            (name.as_str().to_owned(), shown)
        })
        .collect()
}

/// A body for a log record: its text, redacted and cut, or its length when it is not text.
pub(crate) fn shown_body(body: &[u8], credential: &Credential) -> String {
    match std::str::from_utf8(body) {
        Ok(text) if text.len() > BODY_SHOWN => {
            let cut = (0..=BODY_SHOWN).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
            format!("{}… ({} bytes)", credential.redact(&text[..cut]), body.len())
        }
        Ok(text) => credential.redact(text),
        Err(_) => format!("({} bytes, not text)", body.len()),
    }
}

/// Whether a `tracing` subscriber takes events of `level` here.
fn traced(level: LogLevel) -> bool {
    match level {
        LogLevel::Debug => tracing::enabled!(tracing::Level::DEBUG),
        LogLevel::Info => tracing::enabled!(tracing::Level::INFO),
        LogLevel::Warn => tracing::enabled!(tracing::Level::WARN),
        LogLevel::Error => tracing::enabled!(tracing::Level::ERROR),
    }
}

impl Observers {
    /// Whether the sink takes records of `level`.
    pub(crate) fn logs(&self, level: LogLevel) -> bool {
        self.sink.is_some() && self.level.is_some_and(|least| level >= least)
    }

    /// Reports a record to `tracing` and, at or above its level, to the sink. `record` gives the
    /// message and its fields; it runs only when one of them listens, so a quiet client formats nothing.
    pub(crate) fn event(&self, level: LogLevel, record: impl FnOnce() -> (String, Vec<(&'static str, String)>)) {
        let (traced, logged) = (traced(level), self.logs(level));
        if !traced && !logged {
            return;
        }
        let (message, fields) = record();
        let mut line = format!("zkit: {message}");
        for (name, value) in &fields {
            line.push_str(&format!(" {name}={value}"));
        }
        if traced {
            match level {
                LogLevel::Debug => tracing::debug!("{line}"),
                LogLevel::Info => tracing::info!("{line}"),
                LogLevel::Warn => tracing::warn!("{line}"),
                LogLevel::Error => tracing::error!("{line}"),
            }
        }
        if let (true, Some(sink)) = (logged, &self.sink) {
            sink.log(&LogRecord { level, message: line, fields });
        }
    }

    /// Whether anything wants to hear of attempts at `level`: a subscriber, the sink, or a hook.
    pub(crate) fn listening(&self, level: LogLevel) -> bool {
        traced(level) || self.logs(level) || !self.hooks.is_empty()
    }

    /// Calls every hook with `request`; a hook that panics is logged, and the others still run.
    pub(crate) fn on_request(&self, request: &RequestInfo) {
        for hook in &self.hooks {
            self.guarded("on_request", || hook.on_request(request));
        }
    }

    /// Calls every hook with `response`; a hook that panics is logged, and the others still run.
    pub(crate) fn on_response(&self, response: &ResponseInfo) {
        for hook in &self.hooks {
            self.guarded("on_response", || hook.on_response(response));
        }
    }

    fn guarded(&self, which: &str, hook: impl FnOnce()) {
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(hook)).is_err() {
            self.event(LogLevel::Warn, || (format!("a hook's {which} failed; the call goes on"), Vec::new()));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::secret::Secret;

    #[derive(Default)]
    struct Kept(Mutex<Vec<LogRecord>>);

    impl LogSink for Kept {
        fn log(&self, record: &LogRecord) {
            self.0.lock().unwrap().push(record.clone());
        }
    }

    #[test]
    fn the_sink_gets_records_at_or_above_its_level_only() {
        let kept = Arc::new(Kept::default());
        let observers = Observers { sink: Some(kept.clone()), level: Some(LogLevel::Info), ..Observers::default() };
        observers.event(LogLevel::Debug, || ("quiet".into(), Vec::new()));
        observers.event(LogLevel::Warn, || ("loud".into(), vec![("status", "503".into())]));
        let records = kept.0.lock().unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].message, "zkit: loud status=503");
        let silent = Observers { sink: Some(kept.clone()), level: None, ..Observers::default() };
        assert!(!silent.logs(LogLevel::Error));
    }

    #[test]
    fn headers_and_bodies_never_show_the_key() {
        let credential = Credential::ApiKey(Secret::new("zrk_live_0123456789abcdef"));
        let mut headers = HeaderMap::new();
        headers.insert("x-api-key", "zrk_live_0123456789abcdef".parse().unwrap());
        headers.insert("x-echo", "you sent zrk_live_0123456789abcdef".parse().unwrap());
        let shown = redacted_headers(&headers, &credential);
        assert!(shown.contains(&("x-api-key".into(), "[redacted]".into())));
        assert!(shown.iter().all(|(_, value)| !value.contains("0123456789abcdef")));
        assert_eq!(shown_body(b"{\"key\":\"zrk_live_0123456789abcdef\"}", &credential), "{\"key\":\"zrk_…cdef\"}");
        assert!(shown_body(&vec![b'a'; 5000], &credential).ends_with("(5000 bytes)"));
        assert_eq!(shown_body(&[0xff, 0xfe], &credential), "(2 bytes, not text)");
    }

    #[test]
    fn a_panicking_hook_does_not_stop_the_others() {
        struct Panics;
        impl Hooks for Panics {
            fn on_request(&self, _: &RequestInfo) {
                panic!("hook failed");
            }
        }
        #[derive(Default)]
        struct Counts(Mutex<u32>);
        impl Hooks for Counts {
            fn on_request(&self, _: &RequestInfo) {
                *self.0.lock().unwrap() += 1;
            }
        }
        let counts = Arc::new(Counts::default());
        let observers = Observers { hooks: vec![Arc::new(Panics), counts.clone()], ..Observers::default() };
        let request = RequestInfo {
            api: "zerokie",
            operation: "get_app",
            attempt: 1,
            method: "GET".into(),
            url: "http://127.0.0.1/".into(),
            headers: Vec::new(),
        };
        observers.on_request(&request);
        assert_eq!(*counts.0.lock().unwrap(), 1);
    }
}
