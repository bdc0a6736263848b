//! The core's log records and hooks, handed to Python: records go to the standard `logging` logger
//! `zkit`; hooks to the package's dispatcher, which calls the user's `on_request` / `on_response`
//! with a `RequestInfo` / `ResponseInfo`. A hook that raises is logged as a warning and the call goes
//! on.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;
use zkit::{LogLevel, LogRecord, RequestInfo, ResponseInfo};

/// `logging`'s number for `level`.
fn levelno(level: LogLevel) -> u8 {
    match level {
        LogLevel::Debug => 10,
        LogLevel::Info => 20,
        LogLevel::Warn => 30,
        LogLevel::Error => 40,
    }
}

/// `logging.getLogger("zkit")`, looked up once: `logging` hands out the same logger every time.
static LOGGER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Logs `message` on the `zkit` logger; a logger that fails is left alone.
fn log(py: Python<'_>, level: LogLevel, message: &str, fields: Option<&[(&'static str, String)]>) {
    let record = || -> PyResult<()> {
        let logger = LOGGER
            .get_or_try_init(py, || {
                Ok::<_, PyErr>(py.import("logging")?.call_method1("getLogger", ("zkit",))?.unbind())
            })?
            .bind(py);
        let kwargs = PyDict::new(py);
        if let Some(fields) = fields {
            let extra = PyDict::new(py);
            extra.set_item("zkit", fields.iter().cloned().collect::<std::collections::HashMap<_, _>>())?;
            kwargs.set_item("extra", extra)?;
        }
        logger.call_method("log", (levelno(level), "%s", message), Some(&kwargs))?;
        Ok(())
    };
    let _ = record();
}

/// Sends the core's records to `logging.getLogger("zkit")`, with their fields as `record.zkit`.
pub struct PythonLog;

impl zkit::LogSink for PythonLog {
    fn log(&self, record: &LogRecord) {
        Python::attach(|py| log(py, record.level, &record.message, Some(&record.fields)));
    }
}

/// Calls the package's hook dispatcher, `dispatch(event, info)`, with `"request"` or `"response"`
/// and a dict of the attempt's facts.
pub struct PythonHooks {
    pub dispatch: Py<PyAny>,
}

fn request_dict<'py>(py: Python<'py>, request: &RequestInfo) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("api", request.api)?;
    dict.set_item("operation", request.operation)?;
    dict.set_item("attempt", request.attempt)?;
    dict.set_item("method", &request.method)?;
    dict.set_item("url", &request.url)?;
    dict.set_item("headers", request.headers.clone())?;
    Ok(dict)
}

impl PythonHooks {
    fn call(&self, event: &str, info: impl FnOnce(Python<'_>) -> PyResult<Bound<'_, PyDict>>) {
        Python::attach(|py| {
            let called = info(py).and_then(|info| self.dispatch.bind(py).call1((event, info)));
            if let Err(error) = called {
                let message = format!("zkit: the on_{event} hook raised {error}; the call goes on");
                log(py, LogLevel::Warn, &message, None);
            }
        });
    }
}

impl zkit::Hooks for PythonHooks {
    fn on_request(&self, request: &RequestInfo) {
        self.call("request", |py| request_dict(py, request));
    }

    fn on_response(&self, response: &ResponseInfo) {
        self.call("response", |py| {
            let dict = PyDict::new(py);
            dict.set_item("request", request_dict(py, &response.request)?)?;
            dict.set_item("status", response.status)?;
            dict.set_item("headers", response.headers.clone())?;
            dict.set_item("request_id", &response.request_id)?;
            dict.set_item("duration", response.duration.as_secs_f64())?;
            dict.set_item("error", &response.error)?;
            Ok(dict)
        });
    }
}
