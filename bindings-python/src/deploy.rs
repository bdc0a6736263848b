//! The static-site deploy and the waiters, for Python: the core runs them; this file only turns
//! Python values into their inputs, events into calls of the progress callable, and a Ctrl-C into
//! the end of a blocking deploy.

use std::future::{Future, IntoFuture};
use std::sync::Arc;

use futures_util::future::{self, Either};
use pyo3::exceptions::PyKeyboardInterrupt;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use serde_json::Value;
use zkit::zerokie::{DeployOptions, DeployReport, SiteFile, SiteSource};

use crate::convert::{content_bytes, to_json, to_py, Json};
use crate::errors::to_py_err;

/// A folder path (`str`), or a list of `{"path", "content"}` / `{"path", "file"}` dicts.
fn site_source(source: &Bound<'_, PyAny>) -> Result<SiteSource, zkit::Error> {
    if let Ok(folder) = source.cast::<PyString>() {
        return Ok(SiteSource::Directory(folder.to_string().into()));
    }
    let Ok(entries) = source.cast::<PyList>() else {
        return Err(zkit::Error::invalid_input(
            "source",
            "must be a folder path or a mapping of site paths to contents",
        ));
    };
    let mut files = Vec::with_capacity(entries.len());
    for entry in entries.iter() {
        let entry =
            entry.cast::<PyDict>().map_err(|_| zkit::Error::invalid_input("source", "entries must be dicts"))?;
        let text = |name: &str| -> Result<Option<String>, zkit::Error> {
            match entry.get_item(name).ok().flatten() {
                Some(value) if !value.is_none() => {
                    value.extract().map(Some).map_err(|_| zkit::Error::invalid_input(name, "must be a string"))
                }
                _ => Ok(None),
            }
        };
        let path = text("path")?.ok_or_else(|| zkit::Error::invalid_input("path", "is required"))?;
        let file = match (text("file")?, entry.get_item("content").ok().flatten()) {
            (Some(on_disk), _) => SiteFile::file(path, on_disk),
            (None, Some(content)) if !content.is_none() => SiteFile::bytes(path, content_bytes(&content, "content")?),
            _ => return Err(zkit::Error::invalid_input("content", format!("{path}: give its content or a file"))),
        };
        files.push(file);
    }
    Ok(SiteSource::Files(files))
}

/// A JSON object's fields as `T`, an unknown or mistyped field named in the error.
fn from_fields<T: serde::de::DeserializeOwned>(
    options: Option<&Bound<'_, PyDict>>,
    what: &str,
) -> Result<T, zkit::Error> {
    let fields = match options {
        Some(options) => to_json(options.as_any(), what)?,
        None => Value::Object(Default::default()),
    };
    serde_json::from_value(fields).map_err(|error| zkit::Error::invalid_input(what, error.to_string()))
}

/// The deploy's future: its report as JSON. `progress` is called with each event as a dict.
fn deploy_future(
    zerokie: zkit::Zerokie,
    app: String,
    source: &Bound<'_, PyAny>,
    options: Option<&Bound<'_, PyDict>>,
    progress: Option<Py<PyAny>>,
) -> PyResult<impl Future<Output = PyResult<Json>> + Send + 'static> {
    let source = site_source(source).map_err(|e| to_py_err(&e))?;
    let options: DeployOptions = from_fields(options, "options").map_err(|e| to_py_err(&e))?;
    let mut deploy = zerokie.deploy_site(app, source).options(options);
    if let Some(progress) = progress {
        deploy = deploy.on_progress(Arc::new(move |event| {
            Python::attach(|py| {
                let event = serde_json::to_value(event).unwrap_or_default();
                let outcome = to_py(py, &event).and_then(|event| progress.call1(py, (event,)));
                // A callback that raises must not break the deploy: Python reports it as unraisable.
                if let Err(error) = outcome {
                    error.write_unraisable(py, None);
                }
            })
        }));
    }
    let run = deploy.into_future();
    Ok(async move {
        let report: DeployReport = run.await.map_err(|e| to_py_err(&e))?;
        Ok(Json(serde_json::to_value(report).unwrap_or_default()))
    })
}

/// `deploy_site(client, app, source, options=None, progress=None)`: blocks until the deploy ends, the
/// interpreter detached; Ctrl-C stops it before it finalizes.
#[pyfunction]
#[pyo3(signature = (client, app, source, options=None, progress=None))]
pub fn deploy_site(
    py: Python<'_>,
    client: &crate::client::NativeZerokie,
    app: String,
    source: &Bound<'_, PyAny>,
    options: Option<&Bound<'_, PyDict>>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Json> {
    let session =
        options.and_then(|o| o.get_item("session_id").ok().flatten()).and_then(|s| s.extract::<String>().ok());
    let message = zkit::zerokie::cancelled_message(&app, session.as_deref());
    let run = crate::runtime::guard(|| deploy_future(client.api()?, app, source, options, progress))?;
    crate::runtime::block_on(py, async move {
        match future::select(Box::pin(run), Box::pin(crate::runtime::interrupted())).await {
            Either::Left((report, _)) => report,
            // Dropping the deploy stops its uploads; it never finalizes.
            Either::Right((error, _)) if Python::attach(|py| error.is_instance_of::<PyKeyboardInterrupt>(py)) => {
                Err(PyKeyboardInterrupt::new_err(message))
            }
            Either::Right((error, _)) => Err(error),
        }
    })
}

/// `deploy_site_async(...)`: the same as an asyncio future; cancelling it stops the deploy before it
/// finalizes.
#[pyfunction]
#[pyo3(signature = (client, app, source, options=None, progress=None))]
pub fn deploy_site_async<'py>(
    py: Python<'py>,
    client: &crate::client::NativeZerokie,
    app: String,
    source: &Bound<'py, PyAny>,
    options: Option<&Bound<'py, PyDict>>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let run = crate::runtime::guard(|| deploy_future(client.api()?, app, source, options, progress))?;
    crate::runtime::awaitable(py, run)
}

/// The future of a wait: the last answer as JSON.
pub fn wait_future<A: zkit::wait::Waiters>(
    api: A,
    waiter: String,
    input: &Bound<'_, PyAny>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<impl Future<Output = PyResult<Json>> + Send + 'static> {
    let input = to_json(input, "input").map_err(|e| to_py_err(&e))?;
    let options: zkit::wait::WaitOptions = from_fields(options, "options").map_err(|e| to_py_err(&e))?;
    Ok(async move {
        let last = zkit::wait::wait_until(&api, &waiter, input, options).await.map_err(|e| to_py_err(&e))?;
        Ok(Json(last))
    })
}

/// The cancellation text for Python's side, so both the sync and the async wrappers say the same.
#[pyfunction]
pub fn deploy_cancelled_message(app: &str, session_id: Option<&str>) -> String {
    zkit::zerokie::cancelled_message(app, session_id)
}
