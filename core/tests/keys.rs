//! The leak scan: with each API's key, calls meet answers that echo the key back in every place a
//! client reads (the error's message, code, details and request id, and the headers), at every status
//! the taxonomy maps; everything the caller can see of the errors and clients (Display, Debug, each
//! accessor), every debug log record with bodies and every hook's view of the attempts, and everything
//! the sandbox journaled are searched for any key. Goal and assertion: none.

mod common;

use std::sync::{Arc, Mutex};

use zkit::zyra::ListDevices;
use zkit::{Api, ClientBuilder, LogLevel, LogRecord, RequestInfo, ResponseInfo};
use zkit_sandbox::credentials::{
    ZENIFRA_ORGANIZATION_ID, ZENIFRA_ORG_KEY, ZENIFRA_WEB_PROJECT_ID, ZENOVAY_API_KEY, ZEROKIE_API_KEY, ZYRA_ADMIN_KEY,
};
use zkit_sandbox::{Fault, Sandbox};

const STATUSES: [u16; 9] = [400, 401, 402, 403, 404, 409, 429, 500, 502];
const KEYS: [&str; 4] = [ZEROKIE_API_KEY, ZENIFRA_ORG_KEY, ZENOVAY_API_KEY, ZYRA_ADMIN_KEY];

/// Everything a caller can see of `error`.
fn shown(error: &zkit::Error) -> String {
    format!(
        "{error}\n{error:?}\n{}\n{:?}\n{:?}\n{:?}\n{:?}",
        error.message(),
        error.code(),
        error.details().map(|d| d.to_string()),
        error.request_id(),
        error.field()
    )
}

/// Every log record and hook call, written out.
#[derive(Default)]
struct Seen(Mutex<String>);

impl zkit::LogSink for Seen {
    fn log(&self, record: &LogRecord) {
        self.0.lock().unwrap().push_str(&format!("{record:?}\n"));
    }
}

impl zkit::Hooks for Seen {
    fn on_request(&self, request: &RequestInfo) {
        self.0.lock().unwrap().push_str(&format!("{request:?}\n"));
    }

    fn on_response(&self, response: &ResponseInfo) {
        self.0.lock().unwrap().push_str(&format!("{response:?}\n"));
    }
}

fn builder<A: Api>(sandbox: &Sandbox, api: &str, key: &str, logs: &Arc<Seen>) -> ClientBuilder<A> {
    ClientBuilder::<A>::default()
        .api_key(key)
        .base_url(sandbox.base_url(api))
        .rate_limit(false)
        .max_retries(1)
        .log(Some(LogLevel::Debug))
        .log_bodies(true)
        .log_sink(logs.clone())
        .hooks(logs.clone())
}

/// Calls `call` once per status, each meeting an echoing answer; returns what the caller saw.
async fn echoed<F>(sandbox: &Sandbox, client_shown: String, call: F) -> String
where
    F: AsyncFn() -> zkit::Result<()>,
{
    let mut seen = client_shown;
    for status in STATUSES {
        sandbox.clear_faults();
        let fault = Fault { echo_credentials: true, times: 3, retry_after: Some("0".into()), ..Fault::status(status) };
        sandbox.inject(fault);
        let error = call().await.expect_err("an echoing answer is an error");
        assert_eq!(error.status(), Some(status));
        seen.push_str(&shown(&error));
    }
    seen
}

#[tokio::test]
async fn no_key_shows_in_errors_clients_or_the_journal() {
    let sandbox = common::sandbox().await;
    let mut seen = String::new();
    let logs = Arc::new(Seen::default());

    let zerokie = builder::<zkit::Zerokie>(&sandbox, "zerokie", ZEROKIE_API_KEY, &logs).build().unwrap();
    seen += &echoed(&sandbox, format!("{zerokie:?}"), async || zerokie.list_apps().await.map(drop)).await;
    let zenifra = builder::<zkit::Zenifra>(&sandbox, "zenifra", ZENIFRA_ORG_KEY, &logs)
        .organization_id(ZENIFRA_ORGANIZATION_ID)
        .build()
        .unwrap();
    seen +=
        &echoed(&sandbox, format!("{zenifra:?}"), async || zenifra.get_project(ZENIFRA_WEB_PROJECT_ID).await.map(drop))
            .await;
    let zenovay = builder::<zkit::Zenovay>(&sandbox, "zenovay", ZENOVAY_API_KEY, &logs).build().unwrap();
    seen += &echoed(&sandbox, format!("{zenovay:?}"), async || zenovay.list_websites().await.map(drop)).await;
    let zyra = builder::<zkit::Zyra>(&sandbox, "zyra", ZYRA_ADMIN_KEY, &logs).build().unwrap();
    seen += &echoed(&sandbox, format!("{zyra:?}"), async || zyra.list_devices(ListDevices::default()).await.map(drop))
        .await;
    // A raw call sees the same answers.
    seen += &echoed(&sandbox, String::new(), async || {
        zyra.raw(zkit::RawRequest::new(zkit::http::Method::GET, "/devices")).await.map(drop)
    })
    .await;

    let logged = logs.0.lock().unwrap().clone();
    assert!(logged.contains("x-api-key") && logged.contains("[redacted]"), "the hooks saw the headers");
    assert!(logged.contains("you sent"), "the bodies were logged");
    seen += &logged;
    let journal = serde_json::to_string(&sandbox.journal()).unwrap();
    assert!(journal.len() > 1000 && seen.len() > 1000, "the scan saw what it should");
    for key in KEYS {
        assert_eq!(seen.matches(key).count(), 0, "a key shows in what the caller sees:\n{seen}");
        assert_eq!(journal.matches(key).count(), 0, "a key shows in the journal");
    }
    // The answers did carry the keys: the scan is not vacuous.
    assert!(seen.contains("you sent"), "{seen}");
}
