//! `tracing` events inside one span per call. Alone in its file: `tracing` caches each callsite's
//! interest globally, so a test on another thread without a subscriber would hide the events.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use zkit_sandbox::{credentials::ZEROKIE_API_KEY, Fault};

/// What a `tracing` subscriber wrote.
#[derive(Clone, Default)]
struct Written(Arc<Mutex<Vec<u8>>>);

impl Write for Written {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn tracing_sees_one_span_per_call_with_its_events() {
    let sandbox = common::sandbox().await;
    let written = Written::default();
    let writer = written.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let zerokie = common::zerokie(&sandbox);
    sandbox.inject(Fault::status(502).with_retry_after("0").on_path("/zerokie/v1/apps/"));
    let _ = zerokie.get_app("traced-app").await;
    let text = String::from_utf8(written.0.lock().unwrap().clone()).unwrap();
    let span = "zkit.call{api=\"zerokie\" operation=\"get_app\" method=GET path=\"/v1/apps/{name}\"}";
    assert!(text.contains(span), "{text}");
    assert!(text.contains("retrying get_app attempt=2") && text.contains("status=404"), "{text}");
    assert!(text.contains("get_app failed kind=not_found"), "{text}");
    assert!(!text.contains(ZEROKIE_API_KEY) && !text.contains("traced-app\""), "no key, no filled path in the span");
}
