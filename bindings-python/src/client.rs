//! The native client classes. Each API gets one class, made by `native_client!` from the API's
//! type; every operation goes through the generic `call`, and every paged list through the generic
//! `pages`, so no operation needs code here.

use std::future::Future;
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde_json::{json, Value};
use zkit::{Api, CallOptions, ClientBuilder, DynamicApi, RawRequest, ResponseMeta};

use crate::convert::{content_bytes, to_json, Json, PayloadOut};
use crate::errors;

fn invalid(field: &str, message: &str) -> PyErr {
    errors::to_py_err(&zkit::Error::invalid_input(field, message))
}

/// A duration in seconds; `None` means no limit.
fn limit(value: &Bound<'_, PyAny>, field: &str) -> PyResult<Option<Duration>> {
    if value.is_none() {
        return Ok(None);
    }
    let seconds: f64 = value.extract().map_err(|_| invalid(field, "must be a number of seconds or None"))?;
    Duration::try_from_secs_f64(seconds)
        .map(Some)
        .map_err(|_| invalid(field, "must be a non-negative number of seconds"))
}

pub(crate) fn extract<'py, T: FromPyObjectOwned<'py>>(
    value: &Bound<'py, PyAny>,
    field: &str,
    expected: &str,
) -> PyResult<T> {
    value.extract().map_err(|_| invalid(field, &format!("must be {expected}")))
}

/// A client builder from the constructor's config dict; what is absent keeps its default or comes
/// from the environment.
pub fn builder<A: Api>(config: &Bound<'_, PyDict>) -> PyResult<ClientBuilder<A>> {
    let mut builder = ClientBuilder::<A>::default().user_agent(concat!("zkit-python/", env!("CARGO_PKG_VERSION")));
    for (key, value) in config.iter() {
        let key: String = key.extract()?;
        builder = match key.as_str() {
            "api_key" if value.is_none() => builder,
            "api_key" => builder.api_key(extract::<String>(&value, "api_key", "a string")?),
            "base_url" if value.is_none() => builder,
            "base_url" => builder.base_url(extract::<String>(&value, "base_url", "a string")?),
            "max_retries" => builder.max_retries(extract(&value, "max_retries", "a non-negative integer")?),
            "timeout" => builder.timeout(limit(&value, "timeout")?),
            "connect_timeout" => builder.connect_timeout(limit(&value, "connect_timeout")?),
            "deadline" => builder.deadline(limit(&value, "deadline")?),
            "rate_limit" => builder.rate_limit(extract(&value, "rate_limit", "a bool")?),
            "rate_limit_store" if value.is_none() => builder,
            "rate_limit_store" => builder.rate_limit_store(extract::<String>(&value, "rate_limit_store", "a string")?),
            "rate_limits" if value.is_none() => builder,
            "rate_limits" => {
                let limits: std::collections::HashMap<String, u32> =
                    extract(&value, "rate_limits", "a dict of limit names to whole numbers of requests")?;
                limits
                    .into_iter()
                    .fold(builder, |builder, (bucket, requests)| builder.raise_rate_limit(bucket, requests))
            }
            "jitter_seed" => builder.jitter_seed(extract(&value, "jitter_seed", "a non-negative integer")?),
            "proxy" if value.is_none() => builder,
            "proxy" => builder.proxy(extract::<String>(&value, "proxy", "a URL string")?),
            "ca_bundle" if value.is_none() => builder,
            "ca_bundle" => match value.extract::<Vec<u8>>() {
                Ok(pem) if value.is_instance_of::<pyo3::types::PyBytes>() => {
                    builder.ca_bundle(zkit::CaBundle::Pem(pem))
                }
                _ => builder.ca_bundle(zkit::CaBundle::Path(
                    extract::<String>(&value, "ca_bundle", "a path to a PEM file, or PEM bytes")?.into(),
                )),
            },
            "log" if value.is_none() => builder,
            "log" => {
                let level: String = extract(&value, "log", "\"debug\", \"info\", \"warn\" or \"error\"")?;
                builder.log(Some(level.parse().map_err(|e: zkit::Error| errors::to_py_err(&e))?))
            }
            "log_bodies" if value.is_none() => builder,
            "log_bodies" => builder.log_bodies(extract(&value, "log_bodies", "a bool")?),
            "hooks" if value.is_none() => builder,
            "hooks" => builder.hooks(std::sync::Arc::new(crate::observe::PythonHooks { dispatch: value.unbind() })),
            // `auth_header` and the API's own settings (Zenifra's `organization_id`); the core refuses
            // a name the API does not know, naming it.
            _ if value.is_none() => builder,
            other => builder.setting(other, extract::<String>(&value, other, "a string")?),
        };
    }
    Ok(builder.log_sink(std::sync::Arc::new(crate::observe::PythonLog)).from_env())
}

/// Per-call options from a dict.
pub fn call_options(options: Option<&Bound<'_, PyDict>>) -> PyResult<CallOptions> {
    let mut out = CallOptions::default();
    for (key, value) in options.into_iter().flat_map(|o| o.iter()) {
        let key: String = key.extract()?;
        match key.as_str() {
            "max_retries" => out.max_retries = Some(extract(&value, "max_retries", "a non-negative integer")?),
            "timeout" => out.attempt_timeout = Some(limit(&value, "timeout")?),
            "deadline" => out.deadline = Some(limit(&value, "deadline")?),
            "idempotency_key" => out.idempotency_key = Some(extract(&value, "idempotency_key", "a string")?),
            "rate_limit" => out.rate_limit = Some(extract(&value, "rate_limit", "a bool")?),
            other => return Err(invalid(other, "is not a call option")),
        }
    }
    Ok(out)
}

pub(crate) fn meta_json(meta: &ResponseMeta) -> Value {
    json!({
        "status": meta.status,
        "headers": meta.headers_text(),
        "request_id": meta.request_id,
        "timestamp": meta.timestamp,
        "attempts": meta.attempts,
    })
}

/// An operation's input as JSON, with an upload's `content` taken out as bytes: it travels beside the
/// JSON and never becomes part of it.
fn input_and_content(input: &Bound<'_, PyAny>) -> Result<(Value, Option<bytes::Bytes>), zkit::Error> {
    let Ok(dict) = input.cast::<PyDict>() else { return Ok((to_json(input, "")?, None)) };
    let mut fields = serde_json::Map::new();
    let mut content = None;
    for (key, value) in dict.iter() {
        let key: String = key.extract().map_err(|_| zkit::Error::invalid_input("input", "keys must be strings"))?;
        if key == "content" && !value.is_none() {
            content = Some(content_bytes(&value, "content")?);
        } else {
            let field = to_json(&value, &key)?;
            fields.insert(key, field);
        }
    }
    Ok((Value::Object(fields), content))
}

/// The future of one operation call: `(data, meta)`, built into Python objects once the interpreter
/// is attached.
pub fn call_future<A: DynamicApi>(
    api: A,
    operation: String,
    input: &Bound<'_, PyAny>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<impl Future<Output = PyResult<(PayloadOut, Json)>> + Send + 'static> {
    let (input, content) = input_and_content(input).map_err(|e| errors::to_py_err(&e))?;
    let options = call_options(options)?;
    Ok(async move {
        let response =
            api.call_payload(&operation, input, content, options).await.map_err(|e| errors::to_py_err(&e))?;
        let meta = Json(meta_json(&response.meta));
        Ok((PayloadOut(response), meta))
    })
}

/// The future of one raw call: `{status, headers, body, request_id, attempts}`.
#[allow(clippy::too_many_arguments)]
pub fn raw_future<A: DynamicApi>(
    api: A,
    method: &str,
    path: String,
    query: Option<&Bound<'_, PyDict>>,
    body: Option<&Bound<'_, PyAny>>,
    content_type: Option<String>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<impl Future<Output = PyResult<RawOut>> + Send + 'static> {
    let method = http::Method::from_bytes(method.to_ascii_uppercase().as_bytes())
        .map_err(|_| invalid("method", "is not an HTTP method"))?;
    let mut request = RawRequest::new(method, path);
    for (key, value) in query.into_iter().flat_map(|q| q.iter()) {
        let key: String = key.extract().map_err(|_| invalid("query", "keys must be strings"))?;
        let value: String = match value.extract::<String>() {
            Ok(s) => s,
            Err(_) => value.str()?.to_string(),
        };
        request = request.query(key, value);
    }
    if let Some(body) = body.filter(|body| !body.is_none()) {
        let body = content_bytes(body, "content").map_err(|e| errors::to_py_err(&e))?;
        request = request.bytes(body, content_type.unwrap_or_else(|| "application/octet-stream".into()));
    }
    let options = call_options(options)?;
    Ok(async move {
        let response =
            api.client().call(request).options(options).send_with_meta().await.map_err(|e| errors::to_py_err(&e))?;
        Ok(RawOut { body: response.data.body, meta: meta_json(&response.meta) })
    })
}

/// A raw response on its way to Python, as a dict with `body` as bytes.
pub struct RawOut {
    body: bytes::Bytes,
    meta: Value,
}

impl<'py> IntoPyObject<'py> for RawOut {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let dict = crate::convert::to_py(py, &self.meta)?;
        dict.set_item("body", pyo3::types::PyBytes::new(py, &self.body))?;
        Ok(dict)
    }
}

/// Declares the native class of one API.
macro_rules! native_client {
    ($class:ident, $name:literal, $api:ty) => {
        #[doc = concat!("The native ", $name, " client; the typed Python classes wrap it.")]
        #[pyclass(name = $name, module = "zkit._zkit", frozen)]
        pub struct $class {
            client: std::sync::RwLock<Option<$api>>,
        }

        impl $class {
            pub(crate) fn api(&self) -> PyResult<$api> {
                let client = self.client.read().unwrap_or_else(|p| p.into_inner());
                client.clone().ok_or_else(|| $crate::errors::other("closed", "the client is closed"))
            }
        }

        #[pymethods]
        impl $class {
            #[new]
            fn new(config: &Bound<'_, PyDict>) -> PyResult<Self> {
                $crate::runtime::guard(|| {
                    let api =
                        $crate::client::builder::<$api>(config)?.build().map_err(|e| $crate::errors::to_py_err(&e))?;
                    Ok(Self { client: std::sync::RwLock::new(Some(api)) })
                })
            }

            #[pyo3(signature = (operation, input, options=None))]
            fn call(
                &self,
                py: Python<'_>,
                operation: String,
                input: &Bound<'_, PyAny>,
                options: Option<&Bound<'_, PyDict>>,
            ) -> PyResult<($crate::convert::PayloadOut, Json)> {
                let future =
                    $crate::runtime::guard(|| $crate::client::call_future(self.api()?, operation, input, options))?;
                $crate::runtime::block_on(py, future)
            }

            #[pyo3(signature = (operation, input, options=None))]
            fn call_async<'py>(
                &self,
                py: Python<'py>,
                operation: String,
                input: &Bound<'py, PyAny>,
                options: Option<&Bound<'py, PyDict>>,
            ) -> PyResult<Bound<'py, PyAny>> {
                let future =
                    $crate::runtime::guard(|| $crate::client::call_future(self.api()?, operation, input, options))?;
                $crate::runtime::awaitable(py, future)
            }

            /// A lazy walk over the pages of a paged list operation: nothing is sent until a page
            /// is asked for.
            #[pyo3(signature = (operation, input, options=None, max_pages=None))]
            fn pages(
                &self,
                operation: String,
                input: &Bound<'_, PyAny>,
                options: Option<&Bound<'_, PyDict>>,
                max_pages: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<$crate::pages::NativePages> {
                $crate::runtime::guard(|| {
                    $crate::pages::NativePages::new(self.api()?, &operation, input, options, max_pages)
                })
            }

            #[allow(clippy::too_many_arguments)]
            #[pyo3(signature = (method, path, query=None, body=None, content_type=None, options=None))]
            fn raw(
                &self,
                py: Python<'_>,
                method: &str,
                path: String,
                query: Option<&Bound<'_, PyDict>>,
                body: Option<&Bound<'_, PyAny>>,
                content_type: Option<String>,
                options: Option<&Bound<'_, PyDict>>,
            ) -> PyResult<$crate::client::RawOut> {
                let future = $crate::runtime::guard(|| {
                    $crate::client::raw_future(self.api()?, method, path, query, body, content_type, options)
                })?;
                $crate::runtime::block_on(py, future)
            }

            #[allow(clippy::too_many_arguments)]
            #[pyo3(signature = (method, path, query=None, body=None, content_type=None, options=None))]
            fn raw_async<'py>(
                &self,
                py: Python<'py>,
                method: &str,
                path: String,
                query: Option<&Bound<'py, PyDict>>,
                body: Option<&Bound<'py, PyAny>>,
                content_type: Option<String>,
                options: Option<&Bound<'py, PyDict>>,
            ) -> PyResult<Bound<'py, PyAny>> {
                let future = $crate::runtime::guard(|| {
                    $crate::client::raw_future(self.api()?, method, path, query, body, content_type, options)
                })?;
                $crate::runtime::awaitable(py, future)
            }

            /// Polls with backoff until the waiter's state is reached (see `zkit::wait`).
            #[pyo3(signature = (waiter, input, options=None))]
            fn wait_until(
                &self,
                py: Python<'_>,
                waiter: String,
                input: &Bound<'_, PyAny>,
                options: Option<&Bound<'_, PyDict>>,
            ) -> PyResult<Json> {
                let future =
                    $crate::runtime::guard(|| $crate::deploy::wait_future(self.api()?, waiter, input, options))?;
                $crate::runtime::block_on(py, future)
            }

            #[pyo3(signature = (waiter, input, options=None))]
            fn wait_until_async<'py>(
                &self,
                py: Python<'py>,
                waiter: String,
                input: &Bound<'py, PyAny>,
                options: Option<&Bound<'py, PyDict>>,
            ) -> PyResult<Bound<'py, PyAny>> {
                let future =
                    $crate::runtime::guard(|| $crate::deploy::wait_future(self.api()?, waiter, input, options))?;
                $crate::runtime::awaitable(py, future)
            }

            /// The API's waiters: `{name: {"doc", "operation", "find"}}`.
            #[staticmethod]
            fn waiters(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
                $crate::convert::to_py(py, &zkit::wait::describe::<$api>())
            }

            /// Closes the client: its connections are released once calls in flight finish.
            fn close(&self) {
                *self.client.write().unwrap_or_else(|p| p.into_inner()) = None;
            }

            fn __repr__(&self) -> String {
                match self.client.read().unwrap_or_else(|p| p.into_inner()).as_ref() {
                    Some(api) => {
                        let config = zkit::Api::client(api).config();
                        // A preview of the key, or the email of a login; never the password.
                        let shown = match &config.credential {
                            zkit::Credential::ApiKey(_) => "api_key",
                            zkit::Credential::Login { .. } => "email",
                        };
                        format!(
                            "<zkit.{} base_url={:?} {}={:?}>",
                            $name,
                            config.base_url,
                            shown,
                            config.credential.preview()
                        )
                    }
                    None => format!("<zkit.{} closed>", $name),
                }
            }
        }
    };
}

native_client!(NativeZerokie, "Zerokie", zkit::Zerokie);
native_client!(NativeZenifra, "Zenifra", zkit::Zenifra);
native_client!(NativeZenovay, "Zenovay", zkit::Zenovay);
native_client!(NativeZyra, "Zyra", zkit::Zyra);
