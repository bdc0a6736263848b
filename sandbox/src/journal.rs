//! The request journal: every API request the sandbox received, in arrival order, with credentials
//! replaced by previews.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

use http::HeaderMap;
use serde::{Deserialize, Serialize};

use crate::{credentials, lock};

/// How many entries the journal keeps; the oldest are dropped past it, so a long-running sandbox
/// does not grow without bound.
pub(crate) const CAPACITY: usize = 10_000;

/// Headers whose values are credentials: only a preview of them is kept.
const SECRET_HEADERS: &[&str] = &["authorization", "proxy-authorization", "x-api-key", "cookie"];

/// One API request as the sandbox received it. Control requests (`/__sandbox/…`) and CORS
/// preflights are not recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// Which API the path belongs to: `zerokie`, `zenifra`, `zyra`, `zenovay`, or `unknown` for a
    /// path under none of them.
    pub api: String,
    /// The HTTP method, such as `POST`.
    pub method: String,
    /// The path as received, still percent-encoded, such as `/zerokie/v1/apps/my-app`.
    pub path: String,
    /// The query string without its `?`, if there was one.
    pub query: Option<String>,
    /// The request headers, names in lowercase, repeated headers joined with `, `. Credentials
    /// (`authorization`, `x-api-key`, …) show as a preview such as `Bearer zrk_…ffee`.
    pub headers: BTreeMap<String, String>,
    /// The length of the request body in bytes.
    pub body_len: usize,
    /// The status answered, or `None` when a fault reset the connection (or the request is still
    /// being answered).
    pub status: Option<u16>,
    /// The kind of the injected fault that hit this request (`status`, `reset`, `malformed`,
    /// `truncated`, `delay`), if any.
    pub fault: Option<String>,
}

impl JournalEntry {
    /// An entry for a request, with credentials redacted, before it is answered.
    pub(crate) fn new(api: &str, parts: &http::request::Parts, body_len: usize, fault: Option<String>) -> Self {
        Self {
            api: api.to_owned(),
            method: parts.method.as_str().to_owned(),
            path: redact(parts.uri.path()),
            query: parts.uri.query().map(redact),
            headers: redact_headers(&parts.headers),
            body_len,
            status: None,
            fault,
        }
    }
}

/// The journal: entries with a sequence number, so an answer can be filled in after the request
/// was recorded.
#[derive(Debug, Default)]
pub(crate) struct Journal {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    next: u64,
    entries: VecDeque<(u64, JournalEntry)>,
}

impl Journal {
    /// Records `entry` and returns its sequence number.
    pub(crate) fn record(&self, entry: JournalEntry) -> u64 {
        let mut inner = lock(&self.inner);
        let seq = inner.next;
        inner.next += 1;
        if inner.entries.len() >= CAPACITY {
            inner.entries.pop_front();
        }
        inner.entries.push_back((seq, entry));
        seq
    }

    /// Sets the status of entry `seq`, if it is still there.
    pub(crate) fn answered(&self, seq: u64, status: Option<u16>) {
        let mut inner = lock(&self.inner);
        if let Some((_, entry)) = inner.entries.iter_mut().rev().find(|(s, _)| *s == seq) {
            entry.status = status;
        }
    }

    /// Every entry, oldest first.
    pub(crate) fn entries(&self) -> Vec<JournalEntry> {
        lock(&self.inner).entries.iter().map(|(_, entry)| entry.clone()).collect()
    }

    /// Forgets every entry.
    pub(crate) fn clear(&self) {
        lock(&self.inner).entries.clear();
    }
}

/// `text` with every sandbox key replaced by its preview.
fn redact(text: &str) -> String {
    credentials::ALL.iter().fold(text.to_owned(), |text, key| text.replace(key, &key_preview(key)))
}

/// What the journal shows of a credential: its first four and last four characters, such as
/// `zrk_…ffee`; of one shorter than 16 characters, only `…`, since eight of them would give away
/// too much. Clients in every language preview keys the same way, and suites compare the two.
fn key_preview(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() < 16 {
        return "…".to_owned();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

/// The headers as a map, credentials previewed.
fn redact_headers(headers: &HeaderMap) -> BTreeMap<String, String> {
    let mut out = BTreeMap::<String, String>::new();
    for (name, value) in headers {
        let name = name.as_str().to_ascii_lowercase();
        let value = String::from_utf8_lossy(value.as_bytes());
        let value = if SECRET_HEADERS.contains(&name.as_str()) { preview(&value) } else { redact(&value) };
        out.entry(name).and_modify(|v| *v = format!("{v}, {value}")).or_insert(value);
    }
    out
}

/// A credential header value as a preview: `Bearer zrk_…ffee`, or `zrk_…ffee` without a scheme.
fn preview(value: &str) -> String {
    match value.trim().split_once(char::is_whitespace) {
        Some((scheme, credential)) => format!("{scheme} {}", key_preview(credential.trim())),
        None => key_preview(value.trim()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use credentials::ZEROKIE_API_KEY;

    #[test]
    fn credentials_become_previews() {
        let request = http::Request::builder()
            .method("POST")
            .uri(format!("/zerokie/v1/apps?key={ZEROKIE_API_KEY}"))
            .header("Authorization", format!("Bearer {ZEROKIE_API_KEY}"))
            .header("X-Api-Key", ZEROKIE_API_KEY)
            .header("x-trace", format!("a {ZEROKIE_API_KEY} b"))
            .header("accept", "a")
            .header("accept", "b")
            .body(())
            .unwrap();
        let (parts, ()) = request.into_parts();
        let entry = JournalEntry::new("zerokie", &parts, 3, None);
        assert_eq!(entry.headers["authorization"], "Bearer zrk_…ffee");
        assert_eq!(entry.headers["x-api-key"], "zrk_…ffee");
        assert_eq!(entry.headers["accept"], "a, b");
        assert_eq!(entry.query.as_deref(), Some("key=zrk_…ffee"));
        let json = serde_json::to_string(&entry).unwrap();
        assert!(!json.contains(ZEROKIE_API_KEY), "{json}");
        assert_eq!(preview("Bearer short"), "Bearer …");
        assert_eq!(preview("Bearer 0123456789abcdef"), "Bearer 0123…cdef", "16 characters are enough");
        assert_eq!(preview("0123456789abcde"), "…", "15 are not");
        assert_eq!(key_preview("ключ_0123456789_ключ"), "ключ…ключ", "characters, not bytes");
    }

    #[test]
    fn answers_fill_in_and_capacity_holds() {
        let journal = Journal::default();
        let (parts, ()) = http::Request::new(()).into_parts();
        for _ in 0..CAPACITY + 5 {
            journal.record(JournalEntry::new("zerokie", &parts, 0, None));
        }
        let last = journal.record(JournalEntry::new("zerokie", &parts, 0, None));
        journal.answered(last, Some(201));
        let entries = journal.entries();
        assert_eq!(entries.len(), CAPACITY);
        assert_eq!(entries.last().unwrap().status, Some(201));
        journal.clear();
        assert!(journal.entries().is_empty());
    }
}
