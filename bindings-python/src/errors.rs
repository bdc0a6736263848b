//! zkit errors as Python exceptions: the classes live in `zkit.errors` (Python), chosen by kind.
//! Panics are caught at the boundary and raised as a plain `ZkitError`, never as a crash.

use std::any::Any;

use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Raises `error` as the `zkit.errors` class of its kind.
pub fn to_py_err(error: &zkit::Error) -> PyErr {
    Python::attach(|py| {
        build(py, error.kind().as_str(), error.message(), Some(error)).unwrap_or_else(|failure| failure)
    })
}

/// A `ZkitError` of a kind outside the taxonomy: `closed` for a closed client, `internal` for a bug.
pub fn other(kind: &str, message: &str) -> PyErr {
    Python::attach(|py| build(py, kind, message, None).unwrap_or_else(|failure| failure))
}

/// A caught panic, as an internal error.
pub fn from_panic(payload: Box<dyn Any + Send>) -> PyErr {
    let detail = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    other("internal", &format!("internal error in zkit (please report it): {detail}"))
}

fn build(py: Python<'_>, kind: &str, message: &str, error: Option<&zkit::Error>) -> Result<PyErr, PyErr> {
    let factory = py.import("zkit._error_base")?.getattr("_from_native")?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("kind", kind)?;
    kwargs.set_item("message", message)?;
    kwargs.set_item("status", error.and_then(zkit::Error::status))?;
    kwargs.set_item("code", error.and_then(zkit::Error::code))?;
    kwargs.set_item("request_id", error.and_then(zkit::Error::request_id))?;
    let details = match error.and_then(zkit::Error::details) {
        Some(details) => crate::convert::to_py(py, details)?,
        None => py.None().into_bound(py),
    };
    kwargs.set_item("details", details)?;
    kwargs.set_item("retry_after", error.and_then(zkit::Error::retry_after).map(|d| d.as_secs_f64()))?;
    kwargs.set_item("field", error.and_then(zkit::Error::field))?;
    kwargs.set_item("retryable", error.is_some_and(zkit::Error::is_retryable))?;
    let exception = factory.call((), Some(&kwargs))?;
    Ok(PyErr::from_value(exception))
}
