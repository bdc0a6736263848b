//! An operation, declared once: its input type, output type, method, path template, idempotency and
//! rate class. Turning an input into an HTTP request and an HTTP response into an output are pure
//! functions here; the pipeline in [`crate::client`] does the I/O.

use bytes::Bytes;
use http::header::{HeaderValue, ACCEPT, CONTENT_TYPE};
use http::Method;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::api::RateClass;
use crate::error::{Error, Result};
use crate::exec::{Body, MaybeSend};
use crate::validate;

/// The static facts of an operation, as written in its API's operation table.
#[derive(Clone, Debug)]
pub struct OperationSpec {
    /// The snake_case name, also the method name on the client.
    pub name: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path template under the base URL: `{field}` is one percent-encoded segment taken from the
    /// input's field of that name; `{field*}` is a relative file path, checked and encoded segment by
    /// segment.
    pub path: &'static str,
    /// Whether repeating the operation has no further effect, which makes it safe to retry.
    pub idempotent: bool,
    /// The rate-limit bucket it draws from.
    pub rate_class: RateClass,
    /// Whether it is a paged list (`offset` in, `items`, `offset` and `total` out), which
    /// [`Pages`](crate::pages::Pages) and [`JsonPages`](crate::pages::JsonPages) can walk.
    pub paged: bool,
}

impl OperationSpec {
    /// Whether a request of `method` to `path` (under the base URL, without its query) reaches this
    /// operation: a `{field}` of the template matches any one segment, a `{field*}` the rest.
    pub fn matches(&self, method: &Method, path: &str) -> bool {
        if *method != self.method {
            return false;
        }
        let mut template = self.path.trim_start_matches('/').split('/');
        let mut segments = path.trim_start_matches('/').split('/');
        loop {
            match (template.next(), segments.next()) {
                (None, None) => return true,
                (Some(part), Some(segment)) if part.starts_with('{') && !segment.is_empty() => {
                    if part.ends_with("*}") {
                        return true;
                    }
                }
                (Some(part), Some(segment)) if part == segment => {}
                _ => return false,
            }
        }
    }
}

/// What an operation's input adds to its serialized fields: checks that run before anything is sent,
/// and a body that is not JSON.
pub trait Input {
    /// Refuses bad input with an [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) error
    /// naming the field.
    fn validate(&self) -> Result<()> {
        Ok(())
    }

    /// A non-JSON body, for uploads: bytes, or a file (checked to exist here, before anything is sent).
    fn raw_body(&self) -> Result<Option<RawBody>> {
        Ok(None)
    }

    /// Takes the bytes of a body that travelled beside the JSON fields of a dynamic call (an
    /// upload's `content` from a binding), so they never become JSON. Inputs without such a field
    /// refuse them.
    fn attach_content(&mut self, content: Bytes) -> Result<()> {
        let _ = content;
        Err(Error::invalid_input("content", "is not a field of this operation"))
    }
}

/// A body sent as is rather than as JSON.
#[derive(Clone, Debug)]
pub struct RawBody {
    /// The bytes, or the file that holds them.
    pub body: Body,
    /// Their media type.
    pub content_type: String,
}

/// An operation of an API. Implemented by the operation tables (`declare_operations!`), never by
/// hand: the input type carries the fields, the table the rest.
///
/// The input's serialized fields fill the path template; what remains becomes the query string of a
/// GET or DELETE, or the JSON body of anything else, unless [`Input::raw_body`] supplies a body.
pub trait Operation: Serialize + DeserializeOwned + Input + MaybeSend + 'static {
    /// What a success decodes into.
    type Output: Serialize + DeserializeOwned + MaybeSend + 'static;
    /// The operation's facts.
    const SPEC: OperationSpec;
}

/// A request ready for the pipeline: the HTTP request without credentials, and what the pipeline
/// needs to know to send it.
#[derive(Debug)]
pub struct Prepared {
    /// The request, credentials not yet added.
    pub request: http::Request<Body>,
    /// The operation's name, for errors and logs.
    pub operation: &'static str,
    /// Whether a retry is safe without an idempotency key.
    pub idempotent: bool,
    /// The rate-limit bucket.
    pub rate_class: RateClass,
}

/// The body of a file upload: the file at `path`, with the length it has now. A missing or unreadable
/// file is refused as invalid input naming `field`, before anything is sent.
pub fn file_body(field: &str, path: impl AsRef<std::path::Path>) -> Result<Body> {
    let path = path.as_ref();
    #[cfg(target_arch = "wasm32")]
    {
        let shown = path.to_string_lossy();
        let len =
            crate::exec::wasm::file_size(&shown).map_err(|e| Error::invalid_input(field, format!("{shown}: {e}")))?;
        Ok(Body::File(crate::exec::FileBody { path: path.to_owned(), len }))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let metadata =
            std::fs::metadata(path).map_err(|e| Error::invalid_input(field, format!("{}: {e}", path.display())))?;
        if !metadata.is_file() {
            return Err(Error::invalid_input(field, format!("{} is not a file", path.display())));
        }
        Ok(Body::File(crate::exec::FileBody { path: path.to_owned(), len: metadata.len() }))
    }
}

/// Everything that is neither a letter nor a digit nor `-._~` is percent-encoded.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Percent-encodes one path segment or query component.
pub fn encode(value: &str) -> String {
    utf8_percent_encode(value, SEGMENT).to_string()
}

/// [`encode`], borrowing `value` when it needs no encoding.
pub(crate) fn encode_cow(value: &str) -> std::borrow::Cow<'_, str> {
    utf8_percent_encode(value, SEGMENT).into()
}

/// Builds the HTTP request of an operation. Pure: validates, serializes, renders the path.
pub fn build_request<O: Operation>(input: &O, base_url: &str) -> Result<Prepared> {
    input.validate()?;
    let fields = serde_json::to_value(input).map_err(unserializable)?;
    request_from_fields(&O::SPEC, fields, input.raw_body()?, base_url)
}

/// The part of [`build_request`] that is the same for every operation, compiled once: the
/// serialized fields fill the path, then become the query or the JSON body, unless `raw` is the body.
fn request_from_fields(spec: &OperationSpec, fields: Value, raw: Option<RawBody>, base_url: &str) -> Result<Prepared> {
    let mut fields = match fields {
        Value::Object(map) => map,
        Value::Null => Map::new(),
        _ => return Err(Error::invalid_input("input", "must serialize to an object")),
    };
    let path = render_path(spec.path, &mut fields)?;
    fields.retain(|_, value| !value.is_null());

    let (uri, body, content_type) = if let Some(raw) = raw {
        validate::header_value("content_type", &raw.content_type)?;
        (format!("{base_url}{path}"), raw.body, Some(raw.content_type))
    } else if matches!(spec.method, Method::GET | Method::DELETE | Method::HEAD) {
        (format!("{base_url}{path}{}", query_string(&fields)?), Body::default(), None)
    } else {
        let json = serde_json::to_vec(&fields).map_err(|e| Error::invalid_input("input", e.to_string()))?;
        (format!("{base_url}{path}"), Body::Bytes(Bytes::from(json)), Some("application/json".to_owned()))
    };

    let mut builder = http::Request::builder()
        .method(spec.method.clone())
        .uri(&uri)
        .header(ACCEPT, HeaderValue::from_static("application/json"));
    if let Some(content_type) = content_type {
        builder = builder.header(CONTENT_TYPE, content_type);
    }
    let request = builder.body(body).map_err(|e| Error::invalid_input("base_url", e.to_string()))?;
    Ok(Prepared { request, operation: spec.name, idempotent: spec.idempotent, rate_class: spec.rate_class })
}

/// Fills `{field}` and `{field*}` placeholders from `fields`, removing the fields it uses.
fn render_path(template: &str, fields: &mut Map<String, Value>) -> Result<String> {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').map(|i| open + i).expect("operation table path templates are balanced");
        let placeholder = &rest[open + 1..close];
        let (field, is_file_path) = match placeholder.strip_suffix('*') {
            Some(field) => (field, true),
            None => (placeholder, false),
        };
        // shift_remove keeps the other fields in declaration order, so the query reads as declared.
        let value = match fields.shift_remove(field) {
            Some(Value::String(s)) => s,
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::Null) | None => return Err(Error::invalid_input(field, "is required")),
            Some(_) => return Err(Error::invalid_input(field, "must be a string")),
        };
        if is_file_path {
            validate::file_path(field, &value)?;
            let encoded: Vec<String> = value.split('/').map(encode).collect();
            out.push_str(&encoded.join("/"));
        } else {
            validate::non_empty(field, &value)?;
            out.push_str(&encode(&value));
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `?a=1&b=x` from the remaining fields of a GET or DELETE; arrays repeat the key.
fn query_string(fields: &Map<String, Value>) -> Result<String> {
    let mut pairs = Vec::new();
    for (key, value) in fields {
        let values = match value {
            Value::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        for value in values {
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => return Err(Error::invalid_input(key, "must be a string, number or boolean")),
            };
            pairs.push(format!("{}={}", encode(key), encode(&text)));
        }
    }
    Ok(if pairs.is_empty() { String::new() } else { format!("?{}", pairs.join("&")) })
}

/// Whether a body holds no JSON at all (nothing, or whitespace): it reads as `null`.
pub(crate) fn is_blank(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

/// Decodes a success body; an empty body reads as JSON `null`, which is what `()` expects.
pub fn decode_json<T: DeserializeOwned + 'static>(body: &[u8]) -> Result<T> {
    // An operation that declares no answer (`()`) takes whatever body the server sends, or none.
    let body: &[u8] =
        if is_blank(body) || std::any::TypeId::of::<T>() == std::any::TypeId::of::<()>() { b"null" } else { body };
    serde_json::from_slice(body).map_err(|e| output_error(body, &e))
}

/// Why a response body could not be read as the operation's output, naming the field.
fn output_error(body: &[u8], error: &serde_json::Error) -> Error {
    match located(body, error) {
        (path, message) if path.is_empty() => Error::decode(format!("response body: {message}")),
        (path, message) => Error::decode(format!("response field {path}: {message}")),
    }
}

/// An operation's own step of a call by name: its input read from JSON (an upload's bytes attached),
/// checked and built into a request. The rest of the call is the same for every operation.
pub type PrepareByName = fn(input: Value, content: Option<Bytes>, base_url: &str) -> Result<Prepared>;

/// [`PrepareByName`] for operation `O`.
pub fn prepare_by_name<O: Operation>(input: Value, content: Option<Bytes>, base_url: &str) -> Result<Prepared> {
    let mut input: O = input_from_json(input)?;
    if let Some(content) = content {
        input.attach_content(content)?;
    }
    build_request(&input, base_url)
}

/// Reads an operation's input from JSON, naming the field at fault. A field the operation does not
/// have is refused too (inputs deny unknown fields), rather than dropped: a misspelt option must not
/// pass unnoticed.
///
/// The value is read from its JSON text, the one deserializer every input and output goes through,
/// so each type's decoding is compiled once; the text also tells where a failure happened.
pub fn input_from_json<O: Operation>(input: Value) -> Result<O> {
    // Only the decoding itself is per operation; the rest is compiled once.
    let text = serde_json::to_vec(&input).map_err(unserializable)?;
    serde_json::from_slice(&text).map_err(|e| input_error(&text, &e, O::SPEC.name))
}

/// Why an input could not be read as operation `operation`'s, naming the field.
fn input_error(text: &[u8], error: &serde_json::Error, operation: &str) -> Error {
    let (path, message) = located(text, error);
    if message.starts_with("unknown field `") {
        return Error::invalid_input(path, format!("is not a field of {operation}"));
    }
    let field = match missing_field(&message) {
        Some(name) if path.is_empty() => name.to_owned(),
        Some(name) => format!("{path}.{name}"),
        None if path.is_empty() => "input".to_owned(),
        None => path,
    };
    Error::invalid_input(field, message)
}

/// An input that serde_json cannot write (a map with non-string keys, say).
fn unserializable(error: serde_json::Error) -> Error {
    Error::invalid_input("input", error.to_string())
}

/// The path of the field where decoding `text` failed, and the error's message without its position.
fn located(text: &[u8], error: &serde_json::Error) -> (String, String) {
    let path = crate::json_path::at(text, error.line(), error.column());
    let message = error.to_string();
    let message = match message.rsplit_once(" at line ") {
        Some((message, _)) => message.to_owned(),
        None => message,
    };
    (path, message)
}

fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.split('`').next()
}

/// Declares the operations of one API from its operation table: the [`Operation`] impls, the typed
/// client methods, [`call_json`](crate::client::Client::call_json) dispatch and the `OPERATIONS`
/// list. Bindings feed the same table to macros of their own.
#[doc(hidden)]
#[macro_export]
macro_rules! declare_operations {
    (
        api: $api:ty,
        operations: [ $(
            $(#[doc = $doc:literal])*
            $name:ident ( $input:ty $(= $default:ident)? ) -> $output:ty {
                $method:ident $path:literal, idempotent: $idempotent:literal, rate: $rate:ident
                $(, paged: $paged:literal)?
            }
        ),* $(,)? ]
    ) => {
        $(
            impl $crate::Operation for $input {
                type Output = $output;
                const SPEC: $crate::OperationSpec = $crate::OperationSpec {
                    name: stringify!($name),
                    method: $crate::http::Method::$method,
                    path: $path,
                    idempotent: $idempotent,
                    rate_class: $crate::RateClass::$rate,
                    paged: false $(|| $paged)?,
                };
            }
        )*

        impl $api {
            $( $crate::__operation_method!($(#[doc = $doc])* $name, $input $(, $default)?); )*

            /// This API's contract, the OpenAPI document committed as `schema/<api>.openapi.json`.
            #[cfg(feature = "schema")]
            pub fn openapi() -> $crate::serde_json::Value {
                let mut generator = $crate::schema::generator();
                let operations = vec![ $(
                    $crate::schema::operation::<$input>(&mut generator, concat!($($doc, "\n"),*)),
                )* ];
                $crate::schema::document(<$api as $crate::Api>::PROFILE, &<$api>::WIRE, operations, generator)
            }

            /// Every operation of this API, in table order.
            pub const OPERATIONS: &'static [&'static $crate::OperationSpec] =
                &[ $( &<$input as $crate::Operation>::SPEC ),* ];

            /// Calls an operation by its snake_case name with JSON input and returns JSON output: the
            /// dynamic face of the typed methods, for scenario files and language bindings.
            pub async fn call_json(
                &self,
                operation: &str,
                input: $crate::serde_json::Value,
                options: $crate::CallOptions,
            ) -> $crate::Result<$crate::Response<$crate::serde_json::Value>> {
                let client = $crate::Api::client(self);
                match operation {
                    $( stringify!($name) => client.call_json::<$input>(input, options).await, )*
                    other => Err($crate::client::unknown_operation(<$api as $crate::Api>::PROFILE.name, other)),
                }
            }
        }

        impl $api {
            /// Calls an operation by its snake_case name with JSON input and an upload's bytes
            /// beside it, and returns the success as it arrived, for a host to parse once.
            pub async fn call_payload(
                &self,
                operation: &str,
                input: $crate::serde_json::Value,
                content: Option<$crate::bytes::Bytes>,
                options: $crate::CallOptions,
            ) -> $crate::Result<$crate::Response<$crate::Payload>> {
                let prepare: Option<$crate::operation::PrepareByName> = match operation {
                    $( stringify!($name) => Some($crate::operation::prepare_by_name::<$input>), )*
                    _ => None,
                };
                $crate::Api::client(self).call_by_name(operation, prepare, input, content, options).await
            }
        }

        impl $crate::DynamicApi for $api {
            fn call_payload(
                &self,
                operation: &str,
                input: $crate::serde_json::Value,
                content: Option<$crate::bytes::Bytes>,
                options: $crate::CallOptions,
            ) -> $crate::exec::BoxFuture<'_, $crate::Result<$crate::Response<$crate::Payload>>> {
                let operation = operation.to_owned();
                Box::pin(async move { <$api>::call_payload(self, &operation, input, content, options).await })
            }

            fn call_dynamic(
                &self,
                operation: &str,
                input: $crate::serde_json::Value,
                options: $crate::CallOptions,
            ) -> $crate::exec::BoxFuture<'_, $crate::Result<$crate::Response<$crate::serde_json::Value>>> {
                let operation = operation.to_owned();
                Box::pin(async move {
                    let response = <$api>::call_payload(self, &operation, input, None, options).await?;
                    Ok($crate::Response { data: response.data.into_json()?, meta: response.meta })
                })
            }

            fn operations() -> &'static [&'static $crate::OperationSpec] {
                <$api>::OPERATIONS
            }

            #[cfg(feature = "schema")]
            fn openapi() -> $crate::serde_json::Value {
                <$api>::openapi()
            }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __operation_method {
    ($(#[$attr:meta])* $name:ident, $input:ty) => {
        $(#[$attr])*
        pub fn $name(&self, input: impl Into<$input>) -> $crate::Call<'_, $input> {
            $crate::Api::client(self).call(input.into())
        }
    };
    ($(#[$attr:meta])* $name:ident, $input:ty, default) => {
        $(#[$attr])*
        pub fn $name(&self) -> $crate::Call<'_, $input> {
            $crate::Api::client(self).call(<$input as Default>::default())
        }
    };
}
