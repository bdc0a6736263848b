//! Lazy walks over paged list operations, for every API: `pages()` on a native client starts one,
//! and each `next_page` call fetches one page through the core's `JsonPages` (cycle guard and page
//! cap included). The typed iterators of `zkit._base` drive it.

use std::future::Future;
use std::sync::Arc;

use futures_util::lock::Mutex;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use zkit::{DynamicApi, JsonPages};

use crate::client::{call_options, extract, meta_json};
use crate::convert::{to_json, Json};
use crate::{errors, runtime};

/// A walk in progress. The lock lets a sync and an async caller share one walk without racing: pages
/// come one at a time, in order.
#[pyclass(name = "Pages", module = "zkit._zkit", frozen)]
pub struct NativePages(Arc<Mutex<JsonPages>>);

impl NativePages {
    /// A walk over `operation` from `input`; nothing is sent until the first page is asked for.
    pub fn new<A: DynamicApi>(
        api: A,
        operation: &str,
        input: &Bound<'_, PyAny>,
        options: Option<&Bound<'_, PyDict>>,
        max_pages: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let input = to_json(input, "").map_err(|e| errors::to_py_err(&e))?;
        let mut walk =
            JsonPages::new(api, operation, input, call_options(options)?).map_err(|e| errors::to_py_err(&e))?;
        if let Some(max_pages) = max_pages.filter(|value| !value.is_none()) {
            let max_pages: u32 = extract(max_pages, "max_pages", "a positive integer")?;
            if max_pages == 0 {
                return Err(errors::to_py_err(&zkit::Error::invalid_input("max_pages", "must be at least 1")));
            }
            walk = walk.max_pages(max_pages);
        }
        Ok(Self(Arc::new(Mutex::new(walk))))
    }

    fn next_future(&self) -> impl Future<Output = PyResult<Option<(Json, Json)>>> + Send + 'static {
        let walk = Arc::clone(&self.0);
        async move {
            let page = walk.lock().await.next_page().await.map_err(|e| errors::to_py_err(&e))?;
            Ok(page.map(|response| (Json(response.data), Json(meta_json(&response.meta)))))
        }
    }
}

#[pymethods]
impl NativePages {
    /// The next page as `(data, meta)`, or None once the list is walked; the GIL is released meanwhile.
    fn next_page(&self, py: Python<'_>) -> PyResult<Option<(Json, Json)>> {
        runtime::block_on(py, self.next_future())
    }

    /// The same, as an awaitable on the running asyncio loop.
    fn next_page_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        runtime::guard(|| runtime::awaitable(py, self.next_future()))
    }
}
