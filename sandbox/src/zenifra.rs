//! The zenifra emulation (to be written).

use std::sync::Arc;

use axum::Router;

use crate::Shared;

/// Everything the emulation holds.
#[derive(Debug, Default)]
pub(crate) struct Store {}

/// The routes.
pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
}
