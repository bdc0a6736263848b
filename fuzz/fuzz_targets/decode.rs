//! Every operation's success decoding (typed and as JSON, through the API's envelope) and every API's
//! error-body reading, on any bytes: an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zkit_fuzz::{decode_success, pick};

fuzz_target!(|data: &[u8]| {
    if let Some((api, op, body)) = pick(data) {
        decode_success(api, op, body);
        let _ = (api.profile.decode_error)(body);
    }
});
