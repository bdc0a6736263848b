//! The inputs of Zenovay's operations, with their checks. `id` is the website id of the path.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::path_input;
use crate::operation::Input;
use crate::validate;

/// Input of `list_websites`: none.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ListWebsites {}

impl Input for ListWebsites {}

path_input! {
    /// Input of `get_website`.
    GetWebsite {
        /// The website's id.
        id
    }
}

/// Input of `update_website`: the settings to change; the others stay.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct UpdateWebsite {
    /// The website's id.
    pub id: String,
    /// A new display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub name: Option<String>,
    /// A new domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub domain: Option<String>,
    /// A new time zone, such as `Europe/Lisbon`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub timezone: Option<String>,
    /// Whether the dashboard is public.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub public: Option<bool>,
}

impl UpdateWebsite {
    /// No change yet for the website; add some with the setters.
    pub fn new(id: impl Into<String>) -> Self {
        Self { id: id.into(), ..Self::default() }
    }

    /// A new display name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// A new domain.
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }

    /// A new time zone.
    pub fn timezone(mut self, timezone: impl Into<String>) -> Self {
        self.timezone = Some(timezone.into());
        self
    }

    /// Makes the dashboard public or private.
    pub fn public(mut self, public: bool) -> Self {
        self.public = Some(public);
        self
    }
}

impl Input for UpdateWebsite {
    fn validate(&self) -> Result<()> {
        if let Some(name) = &self.name {
            validate::non_empty("name", name)?;
        }
        if let Some(domain) = &self.domain {
            validate::domain_name("domain", domain)?;
        }
        if let Some(timezone) = &self.timezone {
            let shaped =
                timezone == "UTC" || timezone.split_once('/').is_some_and(|(a, b)| !a.is_empty() && !b.is_empty());
            if !shaped || timezone.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(Error::invalid_input("timezone", "must be a time zone such as Europe/Lisbon or UTC"));
            }
        }
        if self.name.is_none() && self.domain.is_none() && self.timezone.is_none() && self.public.is_none() {
            return Err(Error::invalid_input("input", "change at least one of name, domain, timezone, public"));
        }
        Ok(())
    }
}

/// Input of `get_analytics`: a website and an optional date range (both days included).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct GetAnalytics {
    /// The website's id.
    pub id: String,
    /// The first day, `YYYY-MM-DD` (default 30 days before `to`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub from: Option<String>,
    /// The last day, `YYYY-MM-DD` (default today).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub to: Option<String>,
}

impl GetAnalytics {
    /// The last 30 days of the website.
    pub fn new(id: impl Into<String>) -> Self {
        Self { id: id.into(), ..Self::default() }
    }

    /// From `from` to `to`, both included.
    pub fn range(mut self, from: impl Into<String>, to: impl Into<String>) -> Self {
        self.from = Some(from.into());
        self.to = Some(to.into());
        self
    }
}

impl<S: Into<String>> From<S> for GetAnalytics {
    fn from(id: S) -> Self {
        Self::new(id)
    }
}

impl Input for GetAnalytics {
    fn validate(&self) -> Result<()> {
        for (field, day) in [("from", &self.from), ("to", &self.to)] {
            if let Some(day) = day {
                validate::date(field, day)?;
            }
        }
        // Same-shaped dates compare as text.
        if let (Some(from), Some(to)) = (&self.from, &self.to) {
            if from > to {
                return Err(Error::invalid_input("from", "must not be after to"));
            }
        }
        Ok(())
    }
}
