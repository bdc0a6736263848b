//! The one tokio runtime the package runs on, and the bridge from its futures to asyncio.
//!
//! An awaitable is an asyncio future created on the caller's loop. A finished tokio task does not
//! take the interpreter: it queues its result (still a Rust value) on the loop's `Completions` and,
//! when the queue was empty, writes one byte to a socket pair the loop watches. The loop then wakes
//! once for the whole batch, builds the Python results and settles their futures (a loop that cannot
//! watch a socket gets one `call_soon_threadsafe` per result instead). Cancelling the asyncio future
//! aborts the task, which drops the request. Tasks are counted, and `drain` (registered with `atexit`
//! by the package) waits for them to finish before the interpreter finalizes.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::BoundObject;
use tokio::runtime::Runtime;
use tokio::task::AbortHandle;

use crate::errors;

static RUNTIME: OnceLock<Runtime> = OnceLock::new();
static BLOCKING: OnceLock<Runtime> = OnceLock::new();
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

/// The runtime of blocking calls: a current-thread runtime that the calling thread drives itself, so
/// a call and its connection run on one thread with no hand-over between threads (a round trip on
/// loopback takes a fraction of the time it takes through a multi-threaded runtime). Threads that
/// call at once take turns driving it; the transport keeps its connections apart from the asyncio
/// runtime's.
fn blocking_runtime() -> &'static Runtime {
    BLOCKING.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread().enable_all().build().expect("the zkit blocking runtime starts")
    })
}

/// Blocks on `future` with the interpreter detached, so other Python threads run while this one
/// waits on the network. Ctrl-C ends the wait with `KeyboardInterrupt` within [`SIGNAL_CHECK`] and
/// drops the request (Python runs signal handlers on its main thread; elsewhere the check finds
/// nothing and costs one attach per [`SIGNAL_CHECK`] of a call that takes that long).
pub fn block_on<T: Send>(py: Python<'_>, future: impl Future<Output = PyResult<T>> + Send) -> PyResult<T> {
    py.detach(|| {
        guard(|| {
            blocking_runtime().block_on(async move {
                match futures_util::future::select(std::pin::pin!(future), std::pin::pin!(interrupted())).await {
                    futures_util::future::Either::Left((result, _)) => result,
                    futures_util::future::Either::Right((error, _)) => Err(error),
                }
            })
        })
    })
}

/// How often a blocking call on the main thread asks the interpreter whether a signal came.
const SIGNAL_CHECK: Duration = Duration::from_millis(50);

/// Resolves with the error of a signal's handler (`KeyboardInterrupt` for Ctrl-C) once one came.
pub async fn interrupted() -> PyErr {
    loop {
        tokio::time::sleep(SIGNAL_CHECK).await;
        if let Err(error) = Python::attach(|py| py.check_signals()) {
            return error;
        }
    }
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

/// What makes a finished call's Python result, once the loop's thread holds the interpreter.
type MakeResult = Box<dyn FnOnce(Python<'_>) -> PyResult<Py<PyAny>> + Send>;

/// A finished call, waiting for its loop: its asyncio future and what makes its result.
struct Completion {
    future: Py<PyAny>,
    result: MakeResult,
}

impl Completion {
    /// Sets the result on the future, unless it was cancelled meanwhile. Runs on the loop's thread.
    fn settle(self, py: Python<'_>) -> PyResult<()> {
        let future = self.future.bind(py);
        if future.call_method0("done")?.is_truthy()? {
            return Ok(());
        }
        let result = guard(|| (self.result)(py));
        match result {
            Ok(value) => future.call_method1("set_result", (value,))?,
            Err(error) => future.call_method1("set_exception", (error.into_value(py),))?,
        };
        Ok(())
    }
}

/// The results finished for one event loop, and the end of its socket pair that wakes it.
#[cfg(unix)]
struct Queue {
    pending: Mutex<Vec<Completion>>,
    wake: std::os::unix::net::UnixStream,
}

#[cfg(unix)]
impl Queue {
    /// Queues a result; the first of a batch wakes the loop.
    fn push(&self, completion: Completion) {
        let first = {
            let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            pending.push(completion);
            pending.len() == 1
        };
        if first {
            use std::io::Write;
            // A full socket already holds a wake-up the loop has yet to read.
            let _ = (&self.wake).write(&[1]);
        }
    }
}

/// The completion queue of one asyncio loop, which watches its socket (`loop.add_reader`).
#[cfg(unix)]
#[pyclass(frozen, module = "zkit._zkit")]
pub struct Completions {
    queue: Arc<Queue>,
    readable: std::os::unix::net::UnixStream,
}

#[cfg(unix)]
#[pymethods]
impl Completions {
    /// Settles every result queued so far; the loop calls it when the socket is readable.
    fn drain(&self, py: Python<'_>) {
        use std::io::Read;
        let mut bytes = [0u8; 256];
        while matches!((&self.readable).read(&mut bytes), Ok(n) if n > 0) {}
        let batch = std::mem::take(&mut *self.queue.pending.lock().unwrap_or_else(|p| p.into_inner()));
        for completion in batch {
            // A future that cannot be settled (its loop is closing) leaves the others theirs.
            let _ = completion.settle(py);
        }
    }
}

#[cfg(unix)]
impl Completions {
    /// A new queue and the descriptor of the end the loop watches.
    fn new() -> std::io::Result<(Self, i32)> {
        use std::os::fd::AsRawFd;
        let (readable, wake) = std::os::unix::net::UnixStream::pair()?;
        readable.set_nonblocking(true)?;
        wake.set_nonblocking(true)?;
        let fd = readable.as_raw_fd();
        Ok((Self { queue: Arc::new(Queue { pending: Mutex::new(Vec::new()), wake }), readable }, fd))
    }
}

/// Each loop's `Completions`, or `None` for a loop that cannot watch a socket; held weakly by loop,
/// so a loop that is gone takes its queue and sockets with it.
#[cfg(unix)]
static LOOPS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The completion queue of `event_loop`, made and watched on first use; `None` where the loop cannot
/// watch a socket (then each result is handed over with `call_soon_threadsafe`).
#[cfg(unix)]
fn queue_of(event_loop: &Bound<'_, PyAny>) -> PyResult<Option<Arc<Queue>>> {
    let py = event_loop.py();
    let loops = LOOPS
        .get_or_try_init(py, || Ok::<_, PyErr>(py.import("weakref")?.call_method0("WeakKeyDictionary")?.unbind()))?;
    let loops = loops.bind(py);
    if loops.contains(event_loop)? {
        let known = loops.get_item(event_loop)?;
        return Ok(known.cast::<Completions>().ok().map(|c| c.get().queue.clone()));
    }
    let (completions, fd) = Completions::new().map_err(|e| errors::other("internal", &e.to_string()))?;
    let completions = Bound::new(py, completions)?;
    if event_loop.call_method1("add_reader", (fd, completions.getattr("drain")?)).is_ok() {
        let queue = completions.get().queue.clone();
        loops.set_item(event_loop, completions)?;
        return Ok(Some(queue));
    }
    loops.set_item(event_loop, py.None())?;
    Ok(None)
}

/// Without Unix sockets, every result is handed over with `call_soon_threadsafe`.
#[cfg(not(unix))]
struct Queue;

#[cfg(not(unix))]
impl Queue {
    fn push(&self, _: Completion) {}
}

#[cfg(not(unix))]
fn queue_of(_: &Bound<'_, PyAny>) -> PyResult<Option<Arc<Queue>>> {
    Ok(None)
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
    let queue = queue_of(&event_loop)?;
    let (event_loop_ref, future_ref) = (event_loop.unbind(), py_future.clone().unbind());
    let in_flight = InFlight::enter();
    let task = runtime().spawn(async move {
        let _in_flight = in_flight;
        let outcome =
            AssertUnwindSafe(future).catch_unwind().await.unwrap_or_else(|payload| Err(errors::from_panic(payload)));
        let result: MakeResult =
            Box::new(move |py| Ok(outcome?.into_pyobject(py).map_err(Into::into)?.into_any().unbind()));
        let completion = Completion { future: future_ref, result };
        match queue {
            Some(queue) => queue.push(completion),
            None => Python::attach(|py| {
                let settle = OneShot(Mutex::new(Some(completion)));
                // A closed loop means nobody awaits any more: the result has nowhere to go.
                let _ = event_loop_ref.bind(py).call_method1("call_soon_threadsafe", (settle,));
            }),
        }
    });
    py_future.call_method1("add_done_callback", (Canceller(task.abort_handle()),))?;
    Ok(py_future)
}

/// One completion, settled when its loop calls it (for loops that cannot watch a socket).
#[pyclass(frozen)]
struct OneShot(Mutex<Option<Completion>>);

#[pymethods]
impl OneShot {
    fn __call__(&self, py: Python<'_>) -> PyResult<()> {
        match self.0.lock().unwrap_or_else(|p| p.into_inner()).take() {
            Some(completion) => completion.settle(py),
            None => Ok(()),
        }
    }
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
