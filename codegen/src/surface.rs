//! A compact, line-per-fact summary of a description's API surface.
//!
//! The summary is what a reviewer reads when the spec changes: one line per
//! operation, parameter, response and schema field, sorted so that a
//! reordering upstream does not show up as a change.

use std::fmt::Write;

use serde_json::Value;

use crate::json::{deref, split_component_ref};
use crate::spec::operations;

/// The insta snapshot of the vendored spec's surface (`tests/surface.rs`).
pub const SPEC_SNAPSHOT: &str = "tests/snapshots/spec_surface.snap";
/// The insta snapshot of the surface progenitor sees, after the fixups.
pub const FIXED_SNAPSHOT: &str = "tests/snapshots/fixed_spec_surface.snap";

/// A summary as the insta snapshot file `tests/surface.rs` asserts against:
/// insta's metadata header, then the summary. Written by `cargo xtask
/// codegen` so that one command refreshes every file derived from the spec.
pub fn snapshot_file(summary: &str) -> String {
    format!(
        "---\nsource: tests/surface.rs\nexpression: summary\n---\n{}\n",
        summary.trim_end()
    )
}

/// Summarises `document`'s operations and component schemas.
pub fn summarize(document: &Value) -> String {
    let mut out = String::new();
    let version = document["openapi"].as_str().unwrap_or("?");
    let info_version = document["info"]["version"].as_str().unwrap_or("?");
    writeln!(out, "openapi {version}, info.version {info_version}").unwrap();

    let operations = operations(document);
    writeln!(out, "\noperations ({})", operations.len()).unwrap();
    for operation in operations {
        writeln!(
            out,
            "\n{} {}  {}",
            operation.method.to_uppercase(),
            operation.path,
            operation.id()
        )
        .unwrap();
        let mut parameters: Vec<String> = operation
            .value
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|parameter| describe_parameter(document, parameter))
            .collect();
        parameters.sort_by_key(|line| (location_rank(line), line.clone()));
        for line in parameters {
            writeln!(out, "  {line}").unwrap();
        }
        if let Some(Value::Object(responses)) = operation.value.get("responses") {
            let mut statuses: Vec<_> = responses.iter().collect();
            statuses.sort_by(|a, b| a.0.cmp(b.0));
            for (status, response) in statuses {
                writeln!(
                    out,
                    "  -> {status} {}",
                    describe_response(document, response)
                )
                .unwrap();
            }
        }
    }

    let schemas = document
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    writeln!(out, "\nschemas ({})", schemas.map_or(0, |s| s.len())).unwrap();
    if let Some(schemas) = schemas {
        let mut sorted: Vec<_> = schemas.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        for (name, schema) in sorted {
            writeln!(out, "\n{name}: {}", describe(schema)).unwrap();
            fields(&mut out, "", schema);
        }
    }
    out
}

fn location_rank(line: &str) -> usize {
    ["path ", "query ", "header ", "cookie "]
        .iter()
        .position(|prefix| line.starts_with(prefix))
        .unwrap_or(4)
}

fn describe_parameter(document: &Value, parameter: &Value) -> String {
    let resolved = deref(document, parameter);
    let name = resolved["name"].as_str().unwrap_or("?");
    let location = resolved["in"].as_str().unwrap_or("?");
    let schema = resolved.get("schema").unwrap_or(&Value::Null);
    let mut line = format!("{location} {name}: {}", describe(schema));
    if resolved["required"] == Value::Bool(true) {
        line.push_str(", required");
    }
    line
}

fn describe_response(document: &Value, response: &Value) -> String {
    let resolved = deref(document, response);
    let body = match resolved.get("content").and_then(Value::as_object) {
        Some(content) if !content.is_empty() => content
            .iter()
            .map(|(media, body)| {
                format!(
                    "{media} {}",
                    describe(body.get("schema").unwrap_or(&Value::Null))
                )
            })
            .collect::<Vec<_>>()
            .join(" | "),
        _ => "(no body)".to_owned(),
    };
    match response
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(split_component_ref)
    {
        Some((_, name)) => format!("{body}  [{name}]"),
        None => body,
    }
}

/// The one-line type of a schema: a component name, `[item]`, a scalar with
/// its format and values, or `object`.
fn describe(schema: &Value) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return split_component_ref(reference)
            .map_or_else(|| reference.to_owned(), |(_, name)| name);
    }
    let mut text = String::new();
    for combinator in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(parts)) = schema.get(combinator) {
            let parts: Vec<String> = parts.iter().map(describe).collect();
            text = format!("{combinator}({})", parts.join(", "));
        }
    }
    if text.is_empty() {
        text = match schema.get("type").and_then(Value::as_str) {
            Some("array") => format!(
                "[{}]",
                describe(schema.get("items").unwrap_or(&Value::Null))
            ),
            Some("object") | None if schema.get("properties").is_some() => "object".to_owned(),
            Some("object") => match schema.get("additionalProperties") {
                Some(Value::Bool(true)) | Some(Value::Object(_)) => "map".to_owned(),
                _ => "object".to_owned(),
            },
            Some(scalar) => scalar.to_owned(),
            None => "any".to_owned(),
        };
    }
    if let Some(format) = schema.get("format").and_then(Value::as_str) {
        write!(text, "({format})").unwrap();
    }
    if let Some(Value::Array(values)) = schema.get("enum") {
        let values: Vec<String> = values
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .collect();
        write!(text, " enum({})", values.join("|")).unwrap();
    }
    if schema.get("nullable") == Some(&Value::Bool(true)) {
        text.push_str(", nullable");
    }
    if let Some(default) = schema.get("default") {
        write!(text, ", default {default}").unwrap();
    }
    text
}

/// One line per property, nested properties under dotted names.
fn fields(out: &mut String, prefix: &str, schema: &Value) {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        if let Some(items) = schema.get("items")
            && items.get("properties").is_some()
        {
            fields(out, &format!("{prefix}[]"), items);
        }
        return;
    };
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut sorted: Vec<_> = properties.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    for (name, property) in sorted {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        let mut line = format!("  {path}: {}", describe(property));
        if required.contains(&name.as_str()) {
            line.push_str(", required");
        }
        writeln!(out, "{line}").unwrap();
        fields(out, &path, property);
    }
    // Required names that no property declares are upstream mistakes worth seeing.
    for name in required.iter().filter(|n| !properties.contains_key(**n)) {
        let path = if prefix.is_empty() {
            (*name).to_owned()
        } else {
            format!("{prefix}.{name}")
        };
        writeln!(out, "  {path}: (undeclared), required").unwrap();
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn summarizes_operations_parameters_responses_and_fields() {
        let document = json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/things/{id}": {"get": {
                "operationId": "things/get",
                "parameters": [
                    {"name": "verbose", "in": "query", "schema": {"type": "boolean", "default": false}},
                    {"$ref": "#/components/parameters/id"}
                ],
                "responses": {
                    "404": {"$ref": "#/components/responses/missing"},
                    "200": {"description": "ok", "content": {"application/json": {"schema": {
                        "type": "array", "items": {"$ref": "#/components/schemas/thing"}}}}}
                }
            }}},
            "components": {
                "parameters": {"id": {"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}},
                "responses": {"missing": {"description": "gone"}},
                "schemas": {"thing": {"type": "object", "required": ["id", "ghost"], "properties": {
                    "id": {"type": "integer", "format": "int64"},
                    "kind": {"type": "string", "enum": ["a", "b"], "nullable": true},
                    "meta": {"type": "object", "properties": {"tags": {"type": "array", "items": {"type": "string"}}}}
                }}}
            }
        });
        let expected = "\
openapi 3.0.3, info.version 1

operations (1)

GET /things/{id}  things/get
  path id: integer, required
  query verbose: boolean, default false
  -> 200 application/json [thing]
  -> 404 (no body)  [missing]

schemas (1)

thing: object
  id: integer(int64), required
  kind: string enum(a|b), nullable
  meta: object
  meta.tags: [string]
  ghost: (undeclared), required
";
        assert_eq!(summarize(&document), expected);
    }
}
