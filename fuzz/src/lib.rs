//! What the fuzz targets share: every operation of every API, from the operation tables, as a function
//! that decodes a success body into the operation's output and one that reads a JSON input and builds
//! its request, so a target reaches all of them without a line per operation.

use bytes::Bytes;
use zkit::operation::{build_request, decode_json, input_from_json};
use zkit::ApiProfile;

/// One operation: decode a success's data as its output; read a JSON input and build its request.
pub struct Op {
    pub name: &'static str,
    pub decode: fn(&[u8]),
    pub build: fn(serde_json::Value),
}

/// Every operation of one API, and its profile.
pub struct Api {
    pub profile: &'static ApiProfile,
    pub ops: &'static [Op],
}

macro_rules! ops {
    (
        name: $name_of_list:ident,
        api: $api:ty,
        operations: [ $(
            $(#[doc = $doc:literal])*
            $name:ident ( $input:ty $(= $default:ident)? ) -> $output:ty { $($facts:tt)* }
        ),* $(,)? ]
    ) => {
        const $name_of_list: &[Op] = &[ $( Op {
            name: stringify!($name),
            decode: |data| {
                let _ = decode_json::<$output>(data);
            },
            build: |json| {
                if let Ok(input) = input_from_json::<$input>(json) {
                    let _ = build_request(&input, "https://api.example.com/v1");
                }
            },
        } ),* ];
    };
}

zkit::zerokie_operations!(ops, name: ZEROKIE,);
zkit::zenifra_operations!(ops, name: ZENIFRA,);
zkit::zenovay_operations!(ops, name: ZENOVAY,);
zkit::zyra_operations!(ops, name: ZYRA,);

/// The four APIs.
pub const APIS: [Api; 4] = [
    Api { profile: &zkit::zerokie::PROFILE, ops: ZEROKIE },
    Api { profile: &zkit::zenifra::PROFILE, ops: ZENIFRA },
    Api { profile: &zkit::zenovay::PROFILE, ops: ZENOVAY },
    Api { profile: &zkit::zyra::PROFILE, ops: ZYRA },
];

/// The API and operation the first two bytes pick, and the rest of the input.
pub fn pick(data: &[u8]) -> Option<(&'static Api, &'static Op, &[u8])> {
    let [api, op, rest @ ..] = data else { return None };
    let api = &APIS[usize::from(*api) % APIS.len()];
    Some((api, &api.ops[usize::from(*op) % api.ops.len()], rest))
}

/// A success body as the pipeline opens it: the API's envelope (Zyra's), then the operation's output,
/// and any JSON as a value, as `call_json` reads it.
pub fn decode_success(api: &Api, op: &Op, body: &[u8]) {
    if let Ok(success) = (api.profile.success_body)(&Bytes::copy_from_slice(body)) {
        (op.decode)(&success.data);
        let _ = decode_json::<serde_json::Value>(&success.data);
    }
}
