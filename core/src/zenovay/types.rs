//! What Zenovay answers.

use serde::{Deserialize, Serialize};

use crate::model::Extra;

/// A tracked website.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Website {
    /// The website's id.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// The domain it tracks, such as `shop.example.com`.
    pub domain: String,
    /// The time zone its reports use, such as `Europe/Lisbon`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub timezone: Option<String>,
    /// Whether its dashboard is public.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub public: Option<bool>,
    /// When it was added (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub created_at: Option<String>,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Views of one page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PageViews {
    /// The page's path.
    pub path: String,
    /// Views in the range.
    pub pageviews: u64,
}

/// Visitors from one referrer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ReferrerVisitors {
    /// The referring host, or `direct`.
    pub referrer: String,
    /// Visitors it sent.
    pub visitors: u64,
}

/// A website's traffic over a date range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct AnalyticsSummary {
    /// The website.
    pub website_id: String,
    /// The first day (YYYY-MM-DD).
    pub from: String,
    /// The last day (YYYY-MM-DD).
    pub to: String,
    /// Unique visitors.
    pub visitors: u64,
    /// Page views.
    pub pageviews: u64,
    /// Sessions.
    pub sessions: u64,
    /// Share of one-page sessions, from 0 to 1.
    pub bounce_rate: f64,
    /// Mean session length in seconds.
    pub avg_session_seconds: f64,
    /// The most viewed pages, most first.
    pub top_pages: Vec<PageViews>,
    /// The referrers sending most visitors, most first.
    pub top_referrers: Vec<ReferrerVisitors>,
    /// Fields this version of zkit does not model.
    #[serde(flatten)]
    pub extra: Extra,
}
