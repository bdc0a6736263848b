//! Zenovay: web analytics. Websites, their settings and their analytics summary.
//!
//! Personal tokens and workspace keys authenticate alike: in `X-API-Key` (the default) or, with the
//! `auth_header` setting set to `authorization`, as `Authorization: Bearer`. What a credential may do
//! depends on its scope (`full_access`, `read`, `write`, `admin`); a workspace key may be scoped to one
//! website.
//!
//! ```no_run
//! # async fn run() -> zkit::Result<()> {
//! use zkit::zenovay::{GetAnalytics, Zenovay};
//!
//! let zenovay = Zenovay::from_env()?; // ZENOVAY_API_KEY, optional ZENOVAY_BASE_URL
//! for website in zenovay.list_websites().await? {
//!     let summary = zenovay.get_analytics(GetAnalytics::new(&website.id).range("2026-11-01", "2026-11-30")).await?;
//!     println!("{}: {} visitors", website.domain, summary.visitors);
//! }
//! # Ok(()) }
//! ```

mod inputs;
mod types;

pub use inputs::*;
pub use types::*;

use crate::api::{decode_error_body, no_rate_limit, per_client, whole_body, ApiProfile, AuthRule, AuthScheme};

/// The Zenovay profile: the key in `X-API-Key` (or as Bearer, on request), `{"error": {"code",
/// "message"}}` bodies, no documented numbers for its rate limits.
pub static PROFILE: ApiProfile = ApiProfile {
    name: "zenovay",
    env_prefix: "ZENOVAY",
    default_base_url: "https://api.zenovay.com/api/external/v1",
    auth: AuthRule {
        default: |_| AuthScheme::Header("x-api-key"),
        accepted: &[AuthScheme::Header("x-api-key"), AuthScheme::Bearer],
    },
    context_headers: &[],
    decode_error: decode_error_body,
    // The docs name rate limits without their numbers: the client paces nothing and honours the
    // server's 429 and Retry-After.
    rate_limit: no_rate_limit,
    operations: || Zenovay::OPERATIONS,
    rate_scope: per_client,
    success_body: whole_body,
    login: None,
};

/// Errors are `{"error": {"code", "message"}}`; a success is the data itself.
#[cfg(feature = "schema")]
impl Zenovay {
    pub(crate) const WIRE: crate::schema::Wire =
        crate::schema::Wire { error: crate::schema::coded_error, envelope: None };
}

crate::api_client! {
    /// A Zenovay client. Cheap to clone; clones share connections.
    Zenovay, PROFILE, "`ZENOVAY_API_KEY` and `ZENOVAY_BASE_URL`"
}

/// Zenovay's operation table: the single declaration each operation has. The core feeds it to
/// `declare_operations!`; bindings feed it to their own macros.
#[macro_export]
macro_rules! zenovay_operations {
    ($callback:path $(, $($extra:tt)*)?) => {
        $callback! {
            $($($extra)*)?
            api: $crate::zenovay::Zenovay,
            operations: [
                /// Lists the websites the credential can see.
                list_websites($crate::zenovay::ListWebsites = default) -> Vec<$crate::zenovay::Website> {
                    GET "/websites", idempotent: true, rate: Read
                },
                /// Fetches one website and its settings.
                get_website($crate::zenovay::GetWebsite) -> $crate::zenovay::Website {
                    GET "/websites/{id}", idempotent: true, rate: Read
                },
                /// Changes a website's settings (a `write`, `admin` or `full_access` credential).
                update_website($crate::zenovay::UpdateWebsite) -> $crate::zenovay::Website {
                    PATCH "/websites/{id}", idempotent: true, rate: Write
                },
                /// Reads a website's analytics summary over a date range (the last 30 days by default).
                get_analytics($crate::zenovay::GetAnalytics) -> $crate::zenovay::AnalyticsSummary {
                    GET "/websites/{id}/analytics", idempotent: true, rate: Read
                },
            ]
        }
    };
}

crate::zenovay_operations!(crate::declare_operations);

impl crate::wait::Waiters for Zenovay {
    /// Zenovay's resources change only when asked; there is nothing to wait for.
    fn waiters() -> &'static [crate::wait::Waiter] {
        &[]
    }
}

#[cfg(test)]
mod tests;
