//! The machine-readable description of an API's operations, from which bindings generate their
//! typed surface (Python stubs, TypeScript declarations). Built from the operation tables and the
//! serde types themselves, so it cannot drift from them.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{json, Value};

use crate::api::ApiProfile;
use crate::operation::Operation;

/// A generator whose definitions are shared by every operation of a document.
pub fn generator() -> SchemaGenerator {
    SchemaGenerator::new(SchemaSettings::draft2020_12().for_deserialize())
}

/// One operation's entry: its spec, doc, and the schemas of its input and output.
pub fn operation<O: Operation + JsonSchema>(generator: &mut SchemaGenerator, doc: &str) -> Value
where
    O::Output: JsonSchema,
{
    let spec = &O::SPEC;
    let input: Schema = generator.subschema_for::<O>();
    let output: Schema = generator.subschema_for::<O::Output>();
    json!({
        "name": spec.name,
        "doc": doc.lines().map(str::trim).collect::<Vec<_>>().join("\n").trim(),
        "method": spec.method.as_str(),
        "path": spec.path,
        "idempotent": spec.idempotent,
        "rate_class": format!("{:?}", spec.rate_class),
        "paged": spec.paged,
        "input": input,
        "output": output,
    })
}

/// The whole document of one API.
pub fn document(profile: &ApiProfile, operations: Vec<Value>, mut generator: SchemaGenerator) -> Value {
    json!({
        "api": profile.name,
        "env_prefix": profile.env_prefix,
        "default_base_url": profile.default_base_url,
        // Which headers may carry the key (the `auth_header` setting), and the API's own settings.
        "auth_headers": profile.auth.accepted.iter().map(|scheme| scheme.header()).collect::<Vec<_>>(),
        "settings": profile.context_headers.iter().map(|context| json!({
            "name": context.setting,
            "header": context.header,
            "env": format!("{}_{}", profile.env_prefix, context.setting.to_ascii_uppercase()),
        })).collect::<Vec<_>>(),
        "operations": operations,
        // The kinds of error every zkit client shares, for the bindings' generated error classes.
        "error_kinds": crate::ErrorKind::ALL.iter().map(|kind| json!({
            "name": kind.as_str(),
            "doc": kind.doc().lines().map(str::trim).collect::<Vec<_>>().join(" "),
        })).collect::<Vec<_>>(),
        "$defs": generator.take_definitions(true),
    })
}
