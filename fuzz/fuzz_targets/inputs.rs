//! Every operation's input read from any JSON (the dynamic calls of the bindings) and its request
//! built: the path template filled, the path checks, the query and body; and raw calls to any path.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zkit::{Callable, RawRequest};
use zkit_fuzz::pick;

fuzz_target!(|data: &[u8]| {
    let Some((_, op, rest)) = pick(data) else { return };
    if let Ok(json) = serde_json::from_slice::<serde_json::Value>(rest) {
        (op.build)(json);
    }
    if let Ok(path) = std::str::from_utf8(rest) {
        let _ = RawRequest::new(zkit::http::Method::GET, path).query("q", path).prepare("https://api.example.com/v1");
    }
});
