//! The contract of an API as an OpenAPI 3.1 document (`schema/<api>.openapi.json`), built from the
//! operation table and the serde types themselves, so it cannot drift from them. The files are
//! committed and read by the bindings' generators and the CLI; this module (feature `schema`) is only
//! compiled to write and check them, so no shipped library carries it.
//!
//! Beside the standard parts (paths, parameters, bodies, responses, security schemes) each operation
//! carries zkit's own facts as `x-zkit-*` extensions: the input and output types the clients expose,
//! the path template, idempotency, rate class and limit, and whether it is a paged list. The document's
//! `x-zkit` holds the client settings and the error kinds every binding shares.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{json, Map, Value};

use crate::api::{ApiProfile, AuthScheme, RateClass};
use crate::operation::Operation;

/// How an API's answers are wrapped, as the API's docs say: what every error body looks like, and
/// the envelope a JSON success travels in (if any). Each API module writes its own, beside its profile.
pub struct Wire {
    /// The JSON Schema of the API's error bodies.
    pub error: fn() -> Value,
    /// Wraps the schema of a success's data in the API's envelope; `None` when the body is the data.
    pub envelope: Option<fn(data: Value) -> Value>,
}

/// A generator whose definitions are shared by every operation of a document, kept where OpenAPI
/// keeps them.
pub fn generator() -> SchemaGenerator {
    let mut settings = SchemaSettings::draft2020_12().for_deserialize();
    settings.definitions_path = "/components/schemas".into();
    SchemaGenerator::new(settings)
}

/// One operation of a document, before the document is assembled.
pub struct Entry {
    spec: crate::OperationSpec,
    doc: String,
    input: Schema,
    output: Schema,
}

/// One operation's entry: its spec, doc, and the schemas of its input and output.
pub fn operation<O: Operation + JsonSchema>(generator: &mut SchemaGenerator, doc: &str) -> Entry
where
    O::Output: JsonSchema,
{
    Entry {
        spec: O::SPEC,
        doc: doc.lines().map(str::trim).collect::<Vec<_>>().join("\n").trim().to_owned(),
        input: generator.subschema_for::<O>(),
        output: generator.subschema_for::<O::Output>(),
    }
}

/// The OpenAPI document of one API.
pub fn document(profile: &ApiProfile, wire: &Wire, entries: Vec<Entry>, mut generator: SchemaGenerator) -> Value {
    let mut schemas = generator.take_definitions(true);
    schemas.insert("Error".into(), (wire.error)());
    let mut paths = Map::new();
    for entry in &entries {
        let (path, item) = path_item(profile, wire, entry, &schemas);
        let methods = paths.entry(path).or_insert_with(|| json!({}));
        methods[entry.spec.method.as_str().to_ascii_lowercase()] = item;
    }
    let schemes: Map<String, Value> = profile.auth.accepted.iter().map(|scheme| security_scheme(*scheme)).collect();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": format!("{} API", title(profile.name)),
            "version": env!("CARGO_PKG_VERSION"),
            "description": format!(
                "The {} API as the zkit clients call it. Generated from zkit's operation table by \
                 `scripts/generate-contracts`; do not edit.",
                title(profile.name)
            ),
        },
        "servers": [{ "url": profile.default_base_url }],
        "security": schemes.keys().map(|name| json!({ name: [] })).collect::<Vec<_>>(),
        "paths": paths,
        "components": { "schemas": schemas, "securitySchemes": schemes },
        "x-zkit": {
            "api": profile.name,
            "env_prefix": profile.env_prefix,
            // Which headers may carry the key (the `auth_header` setting).
            "auth_headers": profile.auth.accepted.iter().map(|scheme| scheme.header()).collect::<Vec<_>>(),
            // Whether clients may also be built from an email and password.
            "login": profile.login.is_some(),
            // The API's own settings, each sent as a header on every call once set.
            "settings": profile.context_headers.iter().map(|context| json!({
                "name": context.setting,
                "header": context.header,
                "env": format!("{}_{}", profile.env_prefix, context.setting.to_ascii_uppercase()),
            })).collect::<Vec<_>>(),
            // The kinds of error every zkit client shares, for the bindings' generated error classes.
            "error_kinds": crate::ErrorKind::ALL.iter().map(|kind| json!({
                "name": kind.as_str(),
                "doc": kind.doc().lines().map(str::trim).collect::<Vec<_>>().join(" "),
            })).collect::<Vec<_>>(),
        },
    })
}

/// `{"error": "message"}`.
pub fn message_error() -> Value {
    json!({ "type": "object", "properties": { "error": { "type": "string" } }, "required": ["error"] })
}

/// `{"error": {"code", "message", "details", "request_id"}}`.
pub fn coded_error() -> Value {
    json!({
        "type": "object",
        "properties": { "error": {
            "type": "object",
            "properties": {
                "code": { "type": "string" },
                "message": { "type": "string" },
                "details": {},
                "request_id": { "type": "string" },
            },
            "required": ["code", "message"],
        } },
        "required": ["error"],
    })
}

fn title(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map(|first| first.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}

fn security_scheme(scheme: AuthScheme) -> (String, Value) {
    match scheme {
        AuthScheme::Bearer => ("bearer".into(), json!({ "type": "http", "scheme": "bearer" })),
        AuthScheme::Header(header) => (header.into(), json!({ "type": "apiKey", "in": "header", "name": header })),
    }
}

/// The path (OpenAPI's template: `{path*}` becomes `{path}`) and the operation object of one entry.
fn path_item(profile: &ApiProfile, wire: &Wire, entry: &Entry, schemas: &Map<String, Value>) -> (String, Value) {
    let spec = &entry.spec;
    let input = resolve(entry.input.as_value(), schemas);
    let required: Vec<&str> = input["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    let mut rest: Map<String, Value> = input["properties"].as_object().cloned().unwrap_or_default();

    let mut parameters = Vec::new();
    let mut path = String::new();
    for segment in spec.path.split('/').skip(1) {
        path.push('/');
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(placeholder) => {
                let field = placeholder.trim_end_matches('*');
                let schema = rest.shift_remove(field).unwrap_or_else(|| json!({ "type": "string" }));
                parameters.push(parameter(field, "path", true, schema));
                path.push_str(&format!("{{{field}}}"));
            }
            None => path.push_str(segment),
        }
    }

    let raw = rest.iter().find(|(_, schema)| schema["format"] == "binary").map(|(name, _)| name.clone());
    let mut body = None;
    if let Some(content) = raw {
        // An upload: the bytes are the body; the other fields only shape it on the client's side.
        body = Some(json!({
            "required": true,
            "content": { "application/octet-stream": { "schema": { "type": "string", "format": "binary" } } },
            "x-zkit-body-field": content,
        }));
    } else if matches!(spec.method.as_str(), "GET" | "DELETE" | "HEAD") {
        for (name, schema) in rest {
            let required = required.contains(&name.as_str());
            parameters.push(parameter(&name, "query", required, schema));
        }
    } else {
        let body_required: Vec<&str> = required.iter().copied().filter(|name| rest.contains_key(*name)).collect();
        body = Some(json!({
            "required": !body_required.is_empty(),
            "content": { "application/json": { "schema": {
                "type": "object",
                "properties": rest,
                "required": body_required,
            } } },
        }));
    }

    let mut operation = json!({
        "operationId": spec.name,
        "summary": entry.doc.split("\n\n").next().unwrap_or_default().replace('\n', " "),
        "description": entry.doc,
        "parameters": parameters,
        "requestBody": body,
        "responses": {
            "2XX": success(wire, entry.output.as_value()),
            "default": {
                "description": "An error, in the API's error body.",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } },
            },
        },
        "x-zkit-input": entry.input,
        "x-zkit-output": entry.output,
        "x-zkit-idempotent": spec.idempotent,
        "x-zkit-rate-class": rate_class(spec.rate_class),
        "x-zkit-paged": spec.paged,
    });
    if operation["requestBody"].is_null() {
        operation.as_object_mut().map(|operation| operation.shift_remove("requestBody"));
    }
    if spec.path.contains('*') {
        // The client's template: `{path*}` is a relative file path, its slashes kept.
        operation["x-zkit-path"] = spec.path.into();
    }
    if let Some(limit) = (profile.rate_limit)(spec.rate_class) {
        operation["x-zkit-rate-limit"] = json!({
            "requests": limit.requests,
            "per_seconds": limit.per.as_secs(),
            "bucket": limit.bucket,
            "per_endpoint": limit.per_endpoint,
        });
    }
    (path, operation)
}

fn parameter(name: &str, place: &str, required: bool, mut schema: Value) -> Value {
    let description = schema.as_object_mut().and_then(|schema| schema.remove("description"));
    let mut parameter = json!({ "name": name, "in": place, "required": required, "schema": schema });
    if let Some(description) = description {
        parameter["description"] = description;
    }
    parameter
}

/// The success response: nothing for `()`, bytes for a download, else the output's JSON (in the
/// API's envelope).
fn success(wire: &Wire, output: &Value) -> Value {
    let description = "Success.";
    if output["type"] == "null" {
        return json!({ "description": description });
    }
    if output["$ref"] == "#/components/schemas/Download" {
        return json!({ "description": description, "content": { "*/*": { "schema": { "type": "string", "format": "binary" } } } });
    }
    let schema = match wire.envelope {
        Some(envelope) => envelope(output.clone()),
        None => output.clone(),
    };
    json!({ "description": description, "content": { "application/json": { "schema": schema } } })
}

fn rate_class(class: RateClass) -> &'static str {
    match class {
        RateClass::Read => "read",
        RateClass::Create => "create",
        RateClass::Write => "write",
        RateClass::HighVolume => "high_volume",
    }
}

/// Follows a `$ref` into the document's schemas.
fn resolve<'a>(schema: &'a Value, schemas: &'a Map<String, Value>) -> &'a Value {
    schema["$ref"]
        .as_str()
        .and_then(|reference| reference.rsplit('/').next())
        .and_then(|name| schemas.get(name))
        .unwrap_or(schema)
}
