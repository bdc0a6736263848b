//! zkit: one typed client for the Zenifra, Zyra, Zenovay and Zerokie APIs.
//!
//! Every operation is declared once, in its API's operation table (see [`zerokie_operations!`]):
//! input type, output type, method, path, idempotency and rate class. Building its request and
//! decoding its response are pure functions ([`operation`]); one pipeline ([`Client`]) adds pacing,
//! auth, timeouts, error mapping and retries on top of three small traits ([`Transport`], [`Sleep`],
//! [`Clock`]), so native and wasm32 run the same code.
//!
//! ```no_run
//! # async fn run() -> zkit::Result<()> {
//! let zerokie = zkit::Zerokie::builder().api_key("zrk_…").build()?;
//! for app in zerokie.list_apps().await? {
//!     println!("{} {}", app.name, app.status);
//! }
//! # Ok(()) }
//! ```

#![deny(missing_docs)]
// docs.rs builds with `--cfg docsrs` (Cargo.toml) and marks each feature-gated item with its feature.
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!("zkit");

pub mod api;
pub mod client;
pub mod config;
pub mod error;
pub mod exec;
#[cfg(feature = "uniffi")]
mod ffi;
mod json_path;
pub mod model;
pub mod observe;
pub mod operation;
pub mod pages;
pub mod payload;
pub mod raw;
pub mod redirect;
pub mod response;
#[cfg(feature = "schema")]
pub mod schema;
pub mod secret;
mod session;
pub mod validate;
pub mod wait;
pub mod zenifra;
pub mod zenovay;
pub mod zerokie;
pub mod zyra;

pub use api::{Api, ApiProfile, AuthRule, AuthScheme, BodyMeta, ContextHeader, DynamicApi, RateClass, RateLimit};
pub use client::{Call, Callable, Client};
pub use config::{CaBundle, CallOptions, ClientBuilder, ClientConfig, Credential, ProxyUrl, RetryPolicy, Timeouts};
pub use error::{Error, ErrorKind, Result};
pub use exec::{Body, Clock, FileBody, Sleep, Transport, TransportError};
pub use observe::{Hooks, LogLevel, LogRecord, LogSink, RequestInfo, ResponseInfo};
pub use operation::{Input, Operation, OperationSpec};
pub use pages::{JsonPages, Page, PageInfo, Paged, Pages};
pub use payload::Payload;
pub use raw::{RawRequest, RawResponse};
pub use response::{Response, ResponseMeta};
pub use secret::Secret;
pub use zenifra::Zenifra;
pub use zenovay::Zenovay;
pub use zerokie::Zerokie;
pub use zyra::Zyra;

#[doc(hidden)]
#[cfg(feature = "schema")]
pub use schemars;
#[doc(hidden)]
pub use {bytes, http, serde, serde_json};

/// The crate README's examples, compiled as doctests so the page crates.io shows stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
