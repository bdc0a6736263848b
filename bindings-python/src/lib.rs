//! `zkit._zkit`: the native half of the Python package. One class per API, each with a generic
//! `call` (sync, the interpreter detached while it waits) and `call_async` (an asyncio future settled
//! from one shared tokio runtime), a raw call, lazy page walks (`pages`, one generic `Pages` class)
//! and the API's schema. The typed Python surface is generated from that schema (see `generate.py`),
//! so adding an operation to the core needs nothing here.

use pyo3::prelude::*;

mod client;
mod convert;
mod deploy;
mod errors;
mod observe;
mod pages;
mod runtime;

#[pymodule]
fn _zkit(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<client::NativeZerokie>()?;
    module.add_class::<client::NativeZenifra>()?;
    module.add_class::<client::NativeZenovay>()?;
    module.add_class::<client::NativeZyra>()?;
    module.add_class::<pages::NativePages>()?;
    module.add_function(wrap_pyfunction!(runtime::drain, module)?)?;
    module.add_function(wrap_pyfunction!(deploy::deploy_site, module)?)?;
    module.add_function(wrap_pyfunction!(deploy::deploy_site_async, module)?)?;
    module.add_function(wrap_pyfunction!(deploy::deploy_cancelled_message, module)?)?;
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
