//! The sandbox's well-known credentials. They open the sandbox and nothing else; the sandbox prints
//! them at start and `GET /__sandbox/` returns them.

/// The API key the Zerokie emulation accepts, as `Authorization: Bearer <key>`.
pub const ZEROKIE_API_KEY: &str = "zrk_sandbox_0c0ffee0c0ffee0c0ffee0c0ffee";

/// Every sandbox key, for redaction: none of them is written to the journal in full.
pub(crate) const ALL: &[&str] = &[ZEROKIE_API_KEY];
