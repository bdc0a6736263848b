//! The one tokio runtime the package runs on, and the bridge from its futures to asyncio.
//!
//! An awaitable is an asyncio future created on the caller's loop; the tokio task settles it through
//! `loop.call_soon_threadsafe`. Cancelling the asyncio future aborts the task, which drops the
//! request. Tasks are counted, and `drain` (registered with `atexit` by the package) waits for them
//! to leave the interpreter before it finalizes, so no worker thread touches Python during shutdown.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use pyo3::prelude::*;
use pyo3::BoundObject;
use tokio::runtime::Runtime;
use tokio::task::AbortHandle;

use crate::errors;

static RUNTIME: OnceLock<Runtime> = OnceLock::new();
static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

/// The shared multi-threaded runtime, started on first use.
pub fn runtime() -> &'static Runtime {
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("zkit-io")
            .enable_all()
            .build()
            .expect("the zkit runtime starts")
    })
}

/// Runs `f`, turning a panic into a `ZkitError` instead of letting it cross into Python.
pub fn guard<T>(f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    std::panic::catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| Err(errors::from_panic(payload)))
}

/// Blocks on `future` with the interpreter detached, so other Python threads run while this one
/// waits on the network.
pub fn block_on<T: Send>(py: Python<'_>, future: impl Future<Output = PyResult<T>> + Send) -> PyResult<T> {
    py.detach(|| guard(|| runtime().block_on(future)))
}

/// Counts a task from its spawn until it is dropped, whether it finished or was aborted.
struct InFlight;

impl InFlight {
    fn enter() -> Self {
        IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
        InFlight
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Wraps `future` as an asyncio future on the running loop.
pub fn awaitable<'py, T>(
    py: Python<'py>,
    future: impl Future<Output = PyResult<T>> + Send + 'static,
) -> PyResult<Bound<'py, PyAny>>
where
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    let event_loop = py.import("asyncio")?.call_method0("get_running_loop")?;
    let py_future = event_loop.call_method0("create_future")?;
    let (event_loop_ref, future_ref) = (event_loop.unbind(), py_future.clone().unbind());
    let settle = wrap_pyfunction!(settle, py)?.unbind();
    let in_flight = InFlight::enter();
    let task = runtime().spawn(async move {
        let _in_flight = in_flight;
        let result =
            AssertUnwindSafe(future).catch_unwind().await.unwrap_or_else(|payload| Err(errors::from_panic(payload)));
        Python::attach(|py| {
            let outcome = result.and_then(|value| Ok(value.into_pyobject(py).map_err(Into::into)?.into_any().unbind()));
            let (ok, value) = match outcome {
                Ok(value) => (true, value),
                Err(error) => (false, error.into_value(py).into_any()),
            };
            // A closed loop means nobody awaits any more: the result has nowhere to go.
            let _ = event_loop_ref.bind(py).call_method1("call_soon_threadsafe", (settle, future_ref, ok, value));
        });
    });
    py_future.call_method1("add_done_callback", (Canceller(task.abort_handle()),))?;
    Ok(py_future)
}

/// Settles an asyncio future on its loop's thread, unless it was cancelled meanwhile.
#[pyfunction]
fn settle(future: &Bound<'_, PyAny>, ok: bool, value: &Bound<'_, PyAny>) -> PyResult<()> {
    if future.call_method0("done")?.is_truthy()? {
        return Ok(());
    }
    if ok {
        future.call_method1("set_result", (value,))?;
    } else {
        future.call_method1("set_exception", (value,))?;
    }
    Ok(())
}

/// Aborts the tokio task of an asyncio future that was cancelled.
#[pyclass(frozen)]
struct Canceller(AbortHandle);

#[pymethods]
impl Canceller {
    fn __call__(&self, future: &Bound<'_, PyAny>) -> PyResult<()> {
        if future.call_method0("cancelled")?.is_truthy()? {
            self.0.abort();
        }
        Ok(())
    }
}

/// Waits, with the interpreter detached, until no task is in flight or `timeout` seconds have passed;
/// returns how many are still running.
#[pyfunction]
pub fn drain(py: Python<'_>, timeout: f64) -> usize {
    let until = Instant::now() + Duration::from_secs_f64(timeout.clamp(0.0, 60.0));
    py.detach(|| loop {
        let running = IN_FLIGHT.load(Ordering::SeqCst);
        if running == 0 || Instant::now() >= until {
            return running;
        }
        std::thread::sleep(Duration::from_millis(2));
    })
}
