//! The subcommands of one API, derived from its contract (the OpenAPI document): one per operation, one flag per
//! input field (its doc as the help text), and `wait <waiter>` from the API's waiters. Nothing here
//! names an operation; a new operation in the core's tables is a new subcommand.

use clap::{value_parser, Arg, ArgAction, ArgMatches, Command};
use serde_json::{Map, Value};

/// The id of the flag that gives the whole input as JSON.
pub const JSON: &str = "json";

/// How a field's flag reads its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Text,
    Integer,
    Number,
    Bool,
    /// Repeated: `--tag a --tag b`.
    List(Item),
    /// Repeated `KEY=VALUE` pairs.
    Map,
    /// Any other shape, as JSON text.
    Json,
}

/// What a list holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Item {
    Text,
    Integer,
}

/// One input field of an operation.
#[derive(Clone, Debug)]
pub struct Field {
    /// The field's name in the input (`deploy_session_id`).
    pub name: String,
    doc: String,
    kind: Kind,
    required: bool,
}

/// One operation, as the command line offers it.
#[derive(Clone, Debug)]
pub struct Operation {
    /// The snake_case name (`list_devices`).
    pub name: String,
    /// Whether `--all` walks its pages.
    pub paged: bool,
    doc: String,
    method: String,
    path: String,
    /// Its input's fields.
    pub fields: Vec<Field>,
}

/// `list_devices` → `list-devices`.
pub fn kebab(name: &str) -> String {
    name.replace('_', "-")
}

/// Follows a `$ref` into the contract's schemas, and picks `X` out of `anyOf [X, null]`.
fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        if let Some(target) = document["components"]["schemas"].get(name) {
            return resolve(document, target);
        }
    }
    if let Some(options) = schema.get("anyOf").and_then(Value::as_array) {
        let real: Vec<&Value> = options.iter().filter(|o| o.get("type") != Some(&"null".into())).collect();
        if let [only] = real.as_slice() {
            return resolve(document, only);
        }
    }
    schema
}

/// The JSON type a schema names, without `null`.
fn type_name(schema: &Value) -> Option<&str> {
    match schema.get("type") {
        Some(Value::String(name)) => Some(name),
        Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).find(|name| *name != "null"),
        _ => None,
    }
}

fn kind(document: &Value, schema: &Value) -> Kind {
    let schema = resolve(document, schema);
    match type_name(schema) {
        Some("string") => Kind::Text,
        Some("integer") => Kind::Integer,
        Some("number") => Kind::Number,
        Some("boolean") => Kind::Bool,
        Some("array") => match type_name(resolve(document, &schema["items"])) {
            Some("string") => Kind::List(Item::Text),
            Some("integer") => Kind::List(Item::Integer),
            _ => Kind::Json,
        },
        Some("object") if type_name(&schema["additionalProperties"]) == Some("string") => Kind::Map,
        // An enum or a value the schema leaves open: its text.
        None if schema.get("enum").is_some() || schema.get("examples").is_some() => Kind::Text,
        _ => Kind::Json,
    }
}

/// The first paragraph of a doc, on one line: what `--help` shows for a flag.
fn first_paragraph(doc: &str) -> String {
    doc.split("\n\n").next().unwrap_or(doc).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every operation of an API's contract (its OpenAPI document), path by path.
pub fn operations(document: &Value) -> Vec<Operation> {
    let Some(paths) = document["paths"].as_object() else { return Vec::new() };
    paths
        .iter()
        .flat_map(|(path, methods)| methods.as_object().into_iter().flatten().map(move |m| (path, m)))
        .map(|(path, (method, op))| {
            let input = resolve(document, &op["x-zkit-input"]);
            let required: Vec<&str> =
                input["required"].as_array().map(|r| r.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
            let fields = input["properties"]
                .as_object()
                .map(|properties| {
                    properties
                        .iter()
                        .map(|(name, schema)| Field {
                            name: name.clone(),
                            doc: first_paragraph(schema["description"].as_str().unwrap_or_default()),
                            kind: kind(document, schema),
                            required: required.contains(&name.as_str()),
                        })
                        .collect()
                })
                .unwrap_or_default();
            Operation {
                name: op["operationId"].as_str().unwrap_or_default().to_owned(),
                paged: op["x-zkit-paged"].as_bool().unwrap_or(false),
                doc: op["description"].as_str().unwrap_or_default().to_owned(),
                method: method.to_ascii_uppercase(),
                path: op["x-zkit-path"].as_str().unwrap_or(path).to_owned(),
                fields,
            }
        })
        .collect()
}

impl Field {
    /// A field a command adds on top of an operation's (a waiter's `find` field).
    pub fn text(name: &str, doc: &str) -> Self {
        Self { name: name.to_owned(), doc: doc.to_owned(), kind: Kind::Text, required: true }
    }

    fn arg(&self) -> Arg {
        let arg = Arg::new(self.name.clone()).long(kebab(&self.name)).help(self.doc.clone());
        let arg = match self.kind {
            Kind::Text => arg.value_name("TEXT"),
            Kind::Integer => arg.value_name("N").value_parser(value_parser!(i64)),
            Kind::Number => arg.value_name("NUMBER").value_parser(value_parser!(f64)),
            Kind::Bool => arg
                .value_name("true|false")
                .value_parser(value_parser!(bool))
                .num_args(0..=1)
                .default_missing_value("true"),
            Kind::List(Item::Text) => arg.value_name("TEXT").action(ArgAction::Append),
            Kind::List(Item::Integer) => arg.value_name("N").value_parser(value_parser!(i64)).action(ArgAction::Append),
            Kind::Map => arg.value_name("KEY=VALUE").action(ArgAction::Append).value_parser(key_value),
            Kind::Json => arg.value_name("JSON").value_parser(json_value),
        };
        if self.required {
            arg.required_unless_present(JSON)
        } else {
            arg
        }
    }

    /// The flag's value as JSON, if it was given.
    fn value(&self, matches: &ArgMatches) -> Option<Value> {
        let id = self.name.as_str();
        match self.kind {
            Kind::Text => matches.get_one::<String>(id).map(|v| Value::String(v.clone())),
            Kind::Integer => matches.get_one::<i64>(id).map(|v| Value::from(*v)),
            Kind::Number => matches.get_one::<f64>(id).map(|v| Value::from(*v)),
            Kind::Bool => matches.get_one::<bool>(id).map(|v| Value::Bool(*v)),
            Kind::List(Item::Text) => {
                matches.get_many::<String>(id).map(|vs| vs.map(|v| Value::String(v.clone())).collect())
            }
            Kind::List(Item::Integer) => matches.get_many::<i64>(id).map(|vs| vs.map(|v| Value::from(*v)).collect()),
            Kind::Map => matches
                .get_many::<(String, String)>(id)
                .map(|pairs| Value::Object(pairs.map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect())),
            Kind::Json => matches.get_one::<Value>(id).cloned(),
        }
    }
}

fn key_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        _ => Err(format!("{text:?} is not KEY=VALUE")),
    }
}

fn json_value(text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))
}

/// The flag that gives the whole input: JSON text, `@file`, or `@-` for standard input.
pub fn json_arg() -> Arg {
    Arg::new(JSON)
        .long(JSON)
        .value_name("JSON|@FILE")
        .help("The whole input as a JSON object, or @file to read it from a file (@- for standard input); flags given beside it override its fields")
}

/// The input from `--json` and the field flags (the flags win).
pub fn input(fields: &[Field], matches: &ArgMatches) -> Result<Value, String> {
    let mut input = match matches.get_one::<String>(JSON) {
        Some(given) => read_json(given)?,
        None => Value::Object(Map::new()),
    };
    let Some(object) = input.as_object_mut() else { return Err("--json: must be a JSON object".into()) };
    for field in fields {
        if let Some(value) = field.value(matches) {
            object.insert(field.name.clone(), value);
        }
    }
    Ok(input)
}

fn read_json(given: &str) -> Result<Value, String> {
    let text = match given.strip_prefix('@') {
        Some("-") => std::io::read_to_string(std::io::stdin()).map_err(|e| format!("--json @-: {e}"))?,
        Some(path) => std::fs::read_to_string(path).map_err(|e| format!("--json @{path}: {e}"))?,
        None => given.to_owned(),
    };
    serde_json::from_str(&text).map_err(|e| format!("--json: not JSON: {e}"))
}

impl Operation {
    /// The operation's subcommand.
    pub fn command(&self) -> Command {
        let about = first_paragraph(&self.doc);
        let long_about = format!("{}\n\n{} {}", self.doc, self.method, self.path);
        let mut command = Command::new(kebab(&self.name)).about(about).long_about(long_about).arg(json_arg());
        // The one map of an input (an env's variables) is also `--set KEY=VALUE`.
        let maps = self.fields.iter().filter(|f| f.kind == Kind::Map).count();
        let set_is_free = !self.fields.iter().any(|f| f.name == "set");
        for field in &self.fields {
            let arg = field.arg();
            command = command.arg(if maps == 1 && field.kind == Kind::Map && set_is_free {
                arg.visible_alias("set")
            } else {
                arg
            });
        }
        if self.paged {
            command = command
                .arg(
                    Arg::new("all")
                        .long("all")
                        .action(ArgAction::SetTrue)
                        .help("Walk every page from the offset and print all the items"),
                )
                .arg(
                    Arg::new("max_pages")
                        .long("max-pages")
                        .value_name("N")
                        .value_parser(value_parser!(u32).range(1..))
                        .requires("all")
                        .help("With --all: the most pages to fetch (default 1000)"),
                );
        }
        command
    }
}

/// The `wait` subcommand of an API: one subcommand per waiter, taking the polled operation's flags
/// and the waiter's own.
pub fn wait_command(operations: &[Operation], waiters: &[zkit::wait::Waiter]) -> Command {
    let mut wait = Command::new("wait")
        .about("Poll until a resource reaches a state, with growing pauses")
        .subcommand_required(true);
    for waiter in waiters {
        let mut command = Command::new(kebab(waiter.name)).about(waiter.doc).arg(json_arg());
        for field in wait_fields(operations, waiter) {
            command = command.arg(field.arg());
        }
        let seconds = |id: &'static str, long: &'static str, default: &'static str, help: &'static str| {
            Arg::new(id)
                .long(long)
                .value_name("SECONDS")
                .value_parser(value_parser!(f64))
                .default_value(default)
                .help(help)
        };
        command = command
            .arg(seconds("timeout", "timeout", "600", "How long to wait in all"))
            .arg(seconds(
                "first_delay",
                "first-delay",
                "1",
                "The pause after the first poll; each next one is 1.5 times longer",
            ))
            .arg(seconds("max_delay", "max-delay", "15", "The longest pause between polls"));
        wait = wait.subcommand(command);
    }
    wait
}

/// The fields a waiter takes: its operation's, and its `find` field.
pub fn wait_fields(operations: &[Operation], waiter: &zkit::wait::Waiter) -> Vec<Field> {
    let mut fields =
        operations.iter().find(|op| op.name == waiter.operation).map(|op| op.fields.clone()).unwrap_or_default();
    if let Some(find) = waiter.find {
        fields.push(Field::text(find.input, find.doc));
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_kinds_follow_the_schema() {
        let document =
            serde_json::json!({"components": {"schemas": {"Status": {"type": "string", "examples": ["a"]}}}});
        let cases = [
            (serde_json::json!({"type": ["integer", "null"]}), Kind::Integer),
            (serde_json::json!({"anyOf": [{"$ref": "#/components/schemas/Status"}, {"type": "null"}]}), Kind::Text),
            (serde_json::json!({"type": "object", "additionalProperties": {"type": "string"}}), Kind::Map),
            (serde_json::json!({"type": "array", "items": {"type": "string"}}), Kind::List(Item::Text)),
            (serde_json::json!({"type": "array", "items": {"type": "object"}}), Kind::Json),
            (serde_json::json!({"type": ["boolean", "null"]}), Kind::Bool),
        ];
        for (schema, expected) in cases {
            assert_eq!(kind(&document, &schema), expected, "{schema}");
        }
    }

    #[test]
    fn pairs_need_a_key() {
        assert_eq!(key_value("A=b=c").unwrap(), ("A".to_owned(), "b=c".to_owned()));
        assert!(key_value("=x").is_err() && key_value("novalue").is_err());
    }
}
