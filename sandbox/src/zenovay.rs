//! The Zenovay emulation: websites, their settings and their analytics summary, under
//! `/zenovay/api/external/v1`, following Zenovay's authentication guide (credentials in `X-API-Key`
//! or `Authorization: Bearer`, scopes, errors `{"error": {"code", "message"}}`).
//!
//! Where the guide is silent:
//! - every scope may read (list, get, analytics); changing settings takes `write`, `admin` or
//!   `full_access`, else 403 `insufficient_permissions`;
//! - making a dashboard public or private (`public`) is a management action: `admin` or
//!   `full_access` only, so a `write` credential gets 403 for any body that sets `public`;
//! - personal tokens and workspace keys behave alike; a key scoped to a website sees only it, and
//!   other websites answer 404 `not_found` as if they did not exist;
//! - each credential may make 120 requests per minute of sandbox time, whichever header carries
//!   it; beyond that, 429 `rate_limit_exceeded` with `Retry-After` in seconds;
//! - checks run in this order: credential (401), rate (429), website (404), scope (403), body or
//!   query (400, `invalid_request`); a `write` credential's body must be read before `public` can
//!   be refused, so a malformed body is its 400;
//! - `PATCH` takes `name`, `domain`, `timezone` and `public` only, at least one of them; the domain
//!   is stored lowercase without a trailing dot; domains need not be unique;
//! - analytics take `from` and `to` as `YYYY-MM-DD` calendar days, both included, UTC; by default
//!   the 30 days ending today on the sandbox clock; other query parameters are ignored;
//! - analytics figures are made up but deterministic: they follow from the website id and the
//!   number of days only.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{FromRequestParts, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::{Json, Router};
use bytes::Bytes;
use http::header::RETRY_AFTER;
use http::request::Parts;
use http::StatusCode;
use percent_encoding::percent_decode_str;
use serde::Serialize;
use serde_json::Value;

use crate::body::{object, string_field, Params};
use crate::checks;
use crate::clock::Civil;
use crate::credentials::{
    ZENOVAY_ADMIN_TOKEN, ZENOVAY_API_KEY, ZENOVAY_READ_TOKEN, ZENOVAY_SITE_KEY, ZENOVAY_WORKSPACE_KEY,
    ZENOVAY_WRITE_TOKEN,
};
use crate::rate::Limiter;
use crate::{lock, presented_key, ApiError, Shared};

/// The path of the websites collection.
const WEBSITES_PATH: &str = "/zenovay/api/external/v1/websites";
/// Requests each credential may make per [`RATE_WINDOW`].
const RATE_LIMIT: usize = 120;
/// The window of the rate limit.
const RATE_WINDOW: Duration = Duration::from_secs(60);
/// Days in the default analytics range, today included.
const DEFAULT_DAYS: i64 = 30;
const SECONDS_PER_DAY: u64 = 86_400;
/// The code of every refused body or query.
const INVALID_REQUEST: &str = "invalid_request";
/// The settings `PATCH /websites/{id}` accepts.
const SETTINGS: [&str; 4] = ["name", "domain", "timezone", "public"];

/// What a credential may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    FullAccess,
    Read,
    Write,
    Admin,
}

impl Scope {
    /// Whether it may change website settings.
    fn writes(self) -> bool {
        self != Scope::Read
    }

    /// Whether it may take management actions, such as making a dashboard public.
    fn manages(self) -> bool {
        matches!(self, Scope::Admin | Scope::FullAccess)
    }
}

/// A sandbox credential: its scope, and the one website it is limited to, if any.
#[derive(Debug)]
struct Credential {
    key: &'static str,
    scope: Scope,
    website: Option<&'static str>,
}

impl Credential {
    fn sees(&self, website_id: &str) -> bool {
        self.website.is_none_or(|only| only == website_id)
    }
}

/// Every credential the emulation accepts: four personal tokens, then two workspace keys.
const CREDENTIALS: &[Credential] = &[
    Credential { key: ZENOVAY_API_KEY, scope: Scope::FullAccess, website: None },
    Credential { key: ZENOVAY_READ_TOKEN, scope: Scope::Read, website: None },
    Credential { key: ZENOVAY_WRITE_TOKEN, scope: Scope::Write, website: None },
    Credential { key: ZENOVAY_ADMIN_TOKEN, scope: Scope::Admin, website: None },
    Credential { key: ZENOVAY_WORKSPACE_KEY, scope: Scope::FullAccess, website: None },
    Credential { key: ZENOVAY_SITE_KEY, scope: Scope::FullAccess, website: Some("site_blog") },
];

/// A tracked website, as every route answers it.
#[derive(Clone, Debug, Serialize)]
struct Website {
    id: String,
    name: String,
    domain: String,
    timezone: String,
    public: bool,
    created_at: String,
}

/// A website's made-up traffic over a range of days.
#[derive(Debug, PartialEq, Serialize)]
struct AnalyticsSummary {
    website_id: String,
    from: String,
    to: String,
    visitors: u64,
    pageviews: u64,
    sessions: u64,
    bounce_rate: f64,
    avg_session_seconds: f64,
    top_pages: Vec<PageViews>,
    top_referrers: Vec<ReferrerVisitors>,
}

#[derive(Debug, PartialEq, Serialize)]
struct PageViews {
    path: String,
    pageviews: u64,
}

#[derive(Debug, PartialEq, Serialize)]
struct ReferrerVisitors {
    referrer: String,
    visitors: u64,
}

/// Everything the Zenovay emulation holds.
#[derive(Debug)]
pub(crate) struct Store {
    /// Websites in creation order.
    websites: Vec<Website>,
    /// Requests per credential, for the rate limit.
    pub(crate) rate: Limiter,
}

impl Default for Store {
    /// The seeded websites `site_shop` and `site_blog`.
    fn default() -> Self {
        let website = |id: &str, name: &str, timezone: &str, public: bool, created_at: &str| Website {
            id: id.to_owned(),
            name: name.to_owned(),
            domain: format!("{}.example.com", name.to_ascii_lowercase()),
            timezone: timezone.to_owned(),
            public,
            created_at: created_at.to_owned(),
        };
        Self {
            websites: vec![
                website("site_shop", "Shop", "Europe/Lisbon", false, "2025-03-14T09:26:53Z"),
                website("site_blog", "Blog", "UTC", true, "2025-06-01T12:00:00Z"),
            ],
            rate: Limiter::default(),
        }
    }
}

impl Store {
    /// The website `id` if `credential` may see it; 404 otherwise.
    fn website(&mut self, credential: &Credential, id: &str) -> Result<&mut Website, ApiError> {
        self.websites
            .iter_mut()
            .find(|website| website.id == id && credential.sees(id))
            .ok_or_else(|| ApiError::coded(StatusCode::NOT_FOUND, "not_found", "website not found"))
    }
}

/// The Zenovay routes: each path the emulation serves, with its methods.
pub(crate) fn routes() -> Vec<(String, MethodRouter<Arc<Shared>>)> {
    vec![
        (WEBSITES_PATH.to_owned(), get(list_websites)),
        (format!("{WEBSITES_PATH}/{{id}}"), get(get_website).patch(update_website)),
        (format!("{WEBSITES_PATH}/{{id}}/analytics"), get(get_analytics)),
    ]
}

/// The Zenovay routes.
pub(crate) fn router() -> Router<Arc<Shared>> {
    crate::route_all(routes())
}

/// The credential of a request that passed the key check (401) and its rate limit (429).
struct Caller(&'static Credential);

impl FromRequestParts<Arc<Shared>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, shared: &Arc<Shared>) -> Result<Self, ApiError> {
        let credential = presented_key(&parts.headers)
            .and_then(|key| CREDENTIALS.iter().find(|credential| credential.key == key))
            .ok_or_else(|| {
                ApiError::coded(StatusCode::UNAUTHORIZED, "invalid_api_key", "The API key is missing or invalid")
            })?;
        let now = shared.clock.now();
        lock(&shared.zenovay).rate.hit(credential.key, now, RATE_LIMIT, RATE_WINDOW).map_err(|wait| {
            ApiError::coded(StatusCode::TOO_MANY_REQUESTS, "rate_limit_exceeded", "Too many requests in a short time")
                .with_header(RETRY_AFTER, wait)
        })?;
        Ok(Caller(credential))
    }
}

/// The website id of the path, percent-decoded; one that is not UTF-8 matches no website (404).
struct WebsiteId(String);

impl<S: Send + Sync> FromRequestParts<S> for WebsiteId {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        let rest = parts.uri.path().strip_prefix(WEBSITES_PATH).unwrap_or_default();
        let segment = rest.trim_start_matches('/').split('/').next().unwrap_or_default();
        Ok(WebsiteId(percent_decode_str(segment).decode_utf8_lossy().into_owned()))
    }
}

type Reply = Result<Response, ApiError>;

fn forbidden() -> ApiError {
    ApiError::coded(StatusCode::FORBIDDEN, "insufficient_permissions", "The API key lacks required permissions")
}

/// 400 `invalid_request` with `message`.
fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::coded(StatusCode::BAD_REQUEST, INVALID_REQUEST, message)
}

/// A body helper's or check's refusal, in Zenovay's shape.
fn invalid(error: ApiError) -> ApiError {
    error.with_code(INVALID_REQUEST)
}

/// Whether `timezone` looks like a time zone of the IANA database (`Area/City`) or is `UTC`.
fn is_time_zone(timezone: &str) -> bool {
    let shaped =
        timezone == "UTC" || timezone.split_once('/').is_some_and(|(area, city)| !area.is_empty() && !city.is_empty());
    shaped && !timezone.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// `GET /websites`: the websites the credential sees.
async fn list_websites(State(shared): State<Arc<Shared>>, Caller(credential): Caller) -> Reply {
    let store = lock(&shared.zenovay);
    let websites: Vec<&Website> = store.websites.iter().filter(|website| credential.sees(&website.id)).collect();
    Ok(Json(websites).into_response())
}

/// `GET /websites/{id}`.
async fn get_website(State(shared): State<Arc<Shared>>, Caller(credential): Caller, WebsiteId(id): WebsiteId) -> Reply {
    let mut store = lock(&shared.zenovay);
    Ok(Json(store.website(credential, &id)?.clone()).into_response())
}

/// `PATCH /websites/{id}`: changes the settings in the body, answers the website.
async fn update_website(
    State(shared): State<Arc<Shared>>,
    Caller(credential): Caller,
    WebsiteId(id): WebsiteId,
    body: Bytes,
) -> Reply {
    let mut store = lock(&shared.zenovay);
    let website = store.website(credential, &id)?;
    if !credential.scope.writes() {
        return Err(forbidden());
    }
    let map = object(&body).map_err(invalid)?;
    let public = match map.get("public") {
        None | Some(Value::Null) => None,
        Some(_) if !credential.scope.manages() => return Err(forbidden()),
        Some(Value::Bool(public)) => Some(*public),
        Some(_) => return Err(bad_request("public: must be true or false")),
    };
    if let Some(key) = map.keys().find(|key| !SETTINGS.contains(&key.as_str())) {
        return Err(bad_request(format!("{key}: is not a website setting")));
    }
    let name = string_field(&map, "name").map_err(invalid)?;
    let domain = string_field(&map, "domain").map_err(invalid)?;
    let timezone = string_field(&map, "timezone").map_err(invalid)?;
    if let Some(name) = &name {
        checks::not_blank("name", name).map_err(invalid)?;
    }
    let domain = domain.map(|domain| checks::domain_name("domain", &domain)).transpose().map_err(invalid)?;
    if timezone.as_deref().is_some_and(|timezone| !is_time_zone(timezone)) {
        return Err(bad_request("timezone: must be a time zone such as Europe/Lisbon or UTC"));
    }
    if name.is_none() && domain.is_none() && timezone.is_none() && public.is_none() {
        return Err(bad_request("input: change at least one of name, domain, timezone, public"));
    }
    if let Some(name) = name {
        website.name = name;
    }
    if let Some(domain) = domain {
        website.domain = domain;
    }
    if let Some(timezone) = timezone {
        website.timezone = timezone;
    }
    if let Some(public) = public {
        website.public = public;
    }
    Ok(Json(website.clone()).into_response())
}

/// `GET /websites/{id}/analytics?from=&to=`: the summary over the range, both days included.
async fn get_analytics(
    State(shared): State<Arc<Shared>>,
    Caller(credential): Caller,
    WebsiteId(id): WebsiteId,
    params: Params,
) -> Reply {
    let today = shared.clock.now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() / SECONDS_PER_DAY) as i64;
    let mut store = lock(&shared.zenovay);
    let website = store.website(credential, &id)?;
    let parameter = |name: &str| -> Result<Option<i64>, ApiError> {
        params.get(name).map(|text| day_number(name, text)).transpose()
    };
    let to = parameter("to")?.unwrap_or(today);
    let from = parameter("from")?.unwrap_or(to - (DEFAULT_DAYS - 1));
    if from > to {
        return Err(bad_request("from: must not be after to"));
    }
    Ok(Json(summary(&website.id, from, to)).into_response())
}

/// The day number (days since 1970-01-01) of a `YYYY-MM-DD` date of the calendar, from 1970 on.
fn day_number(field: &str, text: &str) -> Result<i64, ApiError> {
    let refused = || bad_request(format!("{field}: must be a date such as 2026-12-02"));
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, byte)| match i {
            4 | 7 => byte == b'-',
            _ => byte.is_ascii_digit(),
        });
    if !shaped {
        return Err(refused());
    }
    let part = |range: std::ops::Range<usize>| text[range].parse::<u32>().unwrap_or(0);
    let (year, month, day) = (i64::from(part(0..4)), part(5..7), part(8..10));
    let number = days_from_civil(year, month, day);
    // 2026-02-30 (or 2026-13-01) has a day number, but it names another day: refused.
    let civil = Civil::of(day_start(number));
    if number < 0 || (civil.year, civil.month, civil.day) != (year, month, day) {
        return Err(refused());
    }
    Ok(number)
}

/// Days from 1970-01-01 to the date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400; // [0, 399]
    let month = i64::from(month);
    let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// The first moment of day `number`.
fn day_start(number: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(u64::try_from(number).unwrap_or(0) * SECONDS_PER_DAY)
}

/// Day `number` as `YYYY-MM-DD`.
fn day_text(number: i64) -> String {
    let c = Civil::of(day_start(number));
    format!("{:04}-{:02}-{:02}", c.year, c.month, c.day)
}

/// A small, stable hash of the website id (FNV-1a), the seed of its made-up figures.
fn seed(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3))
}

/// The pages and referrers of every summary, with their share (percent) of page views or visitors.
const PAGES: [(&str, u64); 5] = [("/", 40), ("/pricing", 20), ("/blog", 15), ("/about", 10), ("/contact", 5)];
const REFERRERS: [(&str, u64); 4] =
    [("direct", 45), ("google.com", 30), ("news.ycombinator.com", 15), ("github.com", 10)];

/// Made-up, deterministic figures of website `id` from day `from` to day `to`: a steady number of
/// visitors per day, 2.5 to 4.4 page views per visitor, sessions in between.
fn summary(id: &str, from: i64, to: i64) -> AnalyticsSummary {
    let seed = seed(id);
    let days = u64::try_from(to - from + 1).unwrap_or(1);
    let visitors = (40 + seed % 160) * days;
    let pageviews = visitors * (25 + seed / 7 % 20) / 10;
    let sessions = visitors + (pageviews - visitors) / 4;
    let share = |total: u64, percent: u64| total * percent / 100;
    AnalyticsSummary {
        website_id: id.to_owned(),
        from: day_text(from),
        to: day_text(to),
        visitors,
        pageviews,
        sessions,
        bounce_rate: (30 + seed / 11 % 40) as f64 / 100.0,
        avg_session_seconds: (600 + seed / 13 % 2400) as f64 / 10.0,
        top_pages: PAGES
            .iter()
            .map(|(path, percent)| PageViews { path: (*path).to_owned(), pageviews: share(pageviews, *percent) })
            .collect(),
        top_referrers: REFERRERS
            .iter()
            .map(|(referrer, percent)| ReferrerVisitors {
                referrer: (*referrer).to_owned(),
                visitors: share(visitors, *percent),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_follow_the_calendar() {
        assert_eq!(day_number("from", "1970-01-01").unwrap(), 0);
        assert_eq!(day_number("from", "2026-03-07").unwrap(), 20_519);
        assert_eq!(day_text(20_519), "2026-03-07");
        assert_eq!(day_number("to", "2024-02-29").unwrap() + 1, day_number("to", "2024-03-01").unwrap());
        for bad in ["2026-02-30", "2025-02-29", "2026-04-31", "1969-12-31", "2026-13-01", "26-01-01"] {
            assert!(day_number("from", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn figures_are_consistent() {
        for id in ["site_shop", "site_blog", "x"] {
            let s = summary(id, 100, 129);
            assert_eq!(s, summary(id, 100, 129));
            assert!(s.visitors < s.sessions && s.sessions < s.pageviews, "{s:?}");
            assert!((0.0..=1.0).contains(&s.bounce_rate));
            assert!(s.top_pages.windows(2).all(|w| w[0].pageviews >= w[1].pageviews));
            assert!(s.top_pages.iter().map(|p| p.pageviews).sum::<u64>() <= s.pageviews);
            assert!(s.top_referrers.iter().map(|r| r.visitors).sum::<u64>() <= s.visitors);
            assert_eq!(summary(id, 100, 159).visitors, 2 * s.visitors);
        }
    }
}
