//! Printing results: JSON (the default when stdout is not a terminal), a table (when it is), or YAML.

use std::io::IsTerminal;

use comfy_table::{presets, Cell, ContentArrangement, Table};
use serde_json::Value;

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Pretty-printed JSON.
    Json,
    /// A readable table: a row per item of a list (or of a page), a row per field of an object.
    Table,
    /// YAML.
    Yaml,
}

impl Format {
    /// The format asked for, else a table on a terminal and JSON otherwise.
    pub fn pick(asked: Option<Format>) -> Format {
        asked.unwrap_or(if std::io::stdout().is_terminal() { Format::Table } else { Format::Json })
    }
}

/// `value` in `format`, ending with a newline (nothing for a table of `null`).
pub fn render(value: &Value, format: Format) -> String {
    match format {
        Format::Json => format!("{}\n", serde_json::to_string_pretty(value).unwrap_or_default()),
        Format::Yaml => serde_yaml_ng::to_string(value).unwrap_or_default(),
        Format::Table => table(value),
    }
}

/// A cell's text: strings as they are, `null` empty, anything else as compact JSON.
fn cell(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn new_table() -> Table {
    let mut table = Table::new();
    table.load_preset(presets::UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
    table
}

fn table(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Array(items) if items.iter().all(Value::is_object) && !items.is_empty() => rows(items),
        Value::Array(items) => items.iter().map(|item| format!("{}\n", cell(item))).collect(),
        // A page: its items as rows, then where it stands.
        Value::Object(page) if page.get("items").is_some_and(Value::is_array) => {
            let items = page["items"].as_array().map(Vec::as_slice).unwrap_or_default();
            let mut out = if items.is_empty() { "(no items)\n".to_owned() } else { rows(items) };
            let facts: Vec<String> =
                page.iter().filter(|(key, _)| *key != "items").map(|(key, v)| format!("{key}: {}", cell(v))).collect();
            if !facts.is_empty() {
                out += &format!("{}\n", facts.join(", "));
            }
            out
        }
        Value::Object(fields) => {
            let mut table = new_table();
            for (key, field) in fields {
                table.add_row(vec![Cell::new(key), Cell::new(cell(field))]);
            }
            format!("{table}\n")
        }
        scalar => format!("{}\n", cell(scalar)),
    }
}

/// Objects as rows, their keys (in first-seen order) as the columns.
fn rows(items: &[Value]) -> String {
    let mut columns: Vec<&str> = Vec::new();
    for item in items {
        for key in item.as_object().into_iter().flat_map(|fields| fields.keys()) {
            if !columns.contains(&key.as_str()) {
                columns.push(key);
            }
        }
    }
    let mut table = new_table();
    table.set_header(columns.iter().copied());
    for item in items {
        table.add_row(columns.iter().map(|column| cell(item.get(*column).unwrap_or(&Value::Null))));
    }
    format!("{table}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_is_a_table_with_a_column_per_key() {
        let value = serde_json::json!([{"name": "web", "port": 80}, {"name": "api", "env": {"A": "1"}}]);
        let text = render(&value, Format::Table);
        let header = text.lines().find(|l| l.contains("name")).unwrap();
        assert!(header.contains("port") && header.contains("env"), "{text}");
        assert!(text.contains("web") && text.contains(r#"{"A":"1"}"#), "{text}");
        assert_eq!(render(&Value::Null, Format::Table), "");
    }

    #[test]
    fn json_and_yaml_carry_the_value() {
        let value = serde_json::json!({"name": "web", "tags": ["a"]});
        assert_eq!(serde_json::from_str::<Value>(&render(&value, Format::Json)).unwrap(), value);
        assert_eq!(serde_yaml_ng::from_str::<Value>(&render(&value, Format::Yaml)).unwrap(), value);
    }
}
