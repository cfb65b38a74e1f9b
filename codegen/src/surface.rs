//! A compact, line-per-fact summary of a description's API surface.
//!
//! The summary is what a reviewer reads when the spec changes: where the
//! description comes from, then one line per operation, parameter,
//! response and schema field, sorted so that a reordering upstream does not
//! show up as a change, then the breaking changes GitHub announces. The
//! same [`Surface`] is what `spec import` compares to say which facts
//! changed (`changes.rs`).

use std::collections::BTreeMap;
use std::fmt::{self, Write};

use serde_json::Value;

use crate::json::{deref, split_component_ref};
use crate::source::{self, API_VERSION_KEY, Notice};
use crate::spec::operations;

/// The insta snapshot of the vendored spec's surface (`tests/surface.rs`).
pub const SPEC_SNAPSHOT: &str = "tests/snapshots/spec_surface.snap";
/// The insta snapshot of the surface progenitor sees, after the fixups.
pub const FIXED_SNAPSHOT: &str = "tests/snapshots/fixed_spec_surface.snap";

/// A description's surface: its source, operations, schemas and notices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Surface {
    /// `source: …` and `openapi …` lines.
    pub source: String,
    /// The OpenAPI version line.
    pub openapi: String,
    /// Operations by `METHOD /path`, in path order, then method order.
    pub operations: Vec<Section>,
    /// Component schemas by name, sorted.
    pub schemas: Vec<Section>,
    /// The breaking changes GitHub announces for later API versions.
    pub notices: Vec<Notice>,
}

/// One operation or schema: a title line and one line per fact, each under
/// a key that stays the same when only the fact's details change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// What identifies the section: `GET /path` or a schema name.
    pub key: String,
    /// The title line, e.g. `GET /path  operation-id` or `name: object`.
    pub title: String,
    /// `(key, line)`: `query page` → `query page: integer, default 1`.
    pub items: Vec<(String, String)>,
}

impl Section {
    /// The items by key.
    pub fn by_key(&self) -> BTreeMap<&str, &str> {
        self.items
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }
}

/// A summary as the insta snapshot file `tests/surface.rs` asserts against:
/// insta's metadata header, then the summary. Written by `cargo xtask
/// codegen` so that one command refreshes every file derived from the spec.
pub fn snapshot_file(summary: &str) -> String {
    format!(
        "---\nsource: tests/surface.rs\nexpression: summary\n---\n{}\n",
        summary.trim_end()
    )
}

/// Summarises `document` as text (the snapshot's body).
pub fn summarize(document: &Value) -> String {
    surface(document).to_string()
}

/// The surface of `document`.
pub fn surface(document: &Value) -> Surface {
    let info = &document["info"];
    let api_version = info[API_VERSION_KEY].as_str().unwrap_or("unknown");
    let info_version = info["version"].as_str().unwrap_or("?");
    let source = format!(
        "source: {}, REST API {api_version}, info.version {info_version}",
        source::flavour(document)
    );
    let openapi = format!("openapi {}", document["openapi"].as_str().unwrap_or("?"));

    let operations = operations(document)
        .into_iter()
        .map(|operation| {
            let mut parameters: Vec<(String, String)> = operation
                .value
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|parameter| describe_parameter(document, parameter))
                .collect();
            parameters.sort_by_key(|(key, line)| (location_rank(line), key.clone()));
            let mut items = parameters;
            if let Some(Value::Object(responses)) = operation.value.get("responses") {
                let mut statuses: Vec<_> = responses.iter().collect();
                statuses.sort_by(|a, b| a.0.cmp(b.0));
                for (status, response) in statuses {
                    items.push((
                        format!("-> {status}"),
                        format!("-> {status} {}", describe_response(document, response)),
                    ));
                }
            }
            let key = format!("{} {}", operation.method.to_uppercase(), operation.path);
            Section {
                title: format!("{key}  {}", operation.id()),
                key,
                items,
            }
        })
        .collect();

    let mut schemas: Vec<Section> = document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, schema)| {
            let mut items = Vec::new();
            fields(&mut items, "", schema);
            Section {
                key: name.clone(),
                title: format!("{name}: {}", describe(schema)),
                items,
            }
        })
        .collect();
    schemas.sort_by(|a, b| a.key.cmp(&b.key));

    Surface {
        source,
        openapi,
        operations,
        schemas,
        notices: source::breaking_changes(document),
    }
}

impl fmt::Display for Surface {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.source)?;
        writeln!(f, "{}", self.openapi)?;
        writeln!(f, "\noperations ({})", self.operations.len())?;
        for section in &self.operations {
            write!(f, "\n{section}")?;
        }
        writeln!(f, "\nschemas ({})", self.schemas.len())?;
        for section in &self.schemas {
            write!(f, "\n{section}")?;
        }
        if !self.notices.is_empty() {
            writeln!(f, "\nbreaking changes announced ({})", self.notices.len())?;
            for notice in &self.notices {
                writeln!(f, "  {notice}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.title)?;
        for (_, line) in &self.items {
            writeln!(f, "  {line}")?;
        }
        Ok(())
    }
}

fn location_rank(line: &str) -> usize {
    ["path ", "query ", "header ", "cookie "]
        .iter()
        .position(|prefix| line.starts_with(prefix))
        .unwrap_or(4)
}

fn describe_parameter(document: &Value, parameter: &Value) -> (String, String) {
    let resolved = deref(document, parameter);
    let name = resolved["name"].as_str().unwrap_or("?");
    let location = resolved["in"].as_str().unwrap_or("?");
    let schema = resolved.get("schema").unwrap_or(&Value::Null);
    let mut line = format!("{location} {name}: {}", describe(schema));
    if resolved["required"] == Value::Bool(true) {
        line.push_str(", required");
    }
    (format!("{location} {name}"), line)
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

/// One item per property, nested properties under dotted names.
fn fields(items: &mut Vec<(String, String)>, prefix: &str, schema: &Value) {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        if let Some(element) = schema.get("items")
            && element.get("properties").is_some()
        {
            fields(items, &format!("{prefix}[]"), element);
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
        let path = crate::json::field_path(prefix, name);
        let mut line = format!("{path}: {}", describe(property));
        if required.contains(&name.as_str()) {
            line.push_str(", required");
        }
        items.push((path.clone(), line));
        fields(items, &path, property);
    }
    // Required names that no property declares are upstream mistakes worth seeing.
    for name in required.iter().filter(|n| !properties.contains_key(**n)) {
        let path = crate::json::field_path(prefix, name);
        items.push((path.clone(), format!("{path}: (undeclared), required")));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn summarizes_source_operations_parameters_responses_fields_and_notices() {
        let document = json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1", "x-github-plan": "ghes", "x-github-release": 3.17,
                     "x-rest-api-version": "2022-11-28"},
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
                }, "x-github-breaking-changes": [
                    {"changeset": "drop_kind", "patch": {"properties": {"kind": null}}, "version": "2026-03-10"}
                ]}}
            }
        });
        let expected = "\
source: GHES 3.17, REST API 2022-11-28, info.version 1
openapi 3.0.3

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

breaking changes announced (1)
  2026-03-10 drop_kind: schema thing removes properties.kind
";
        assert_eq!(summarize(&document), expected);
        let surface = surface(&document);
        assert_eq!(surface.operations[0].key, "GET /things/{id}");
        assert_eq!(
            surface.operations[0].by_key()["query verbose"],
            "query verbose: boolean, default false"
        );
    }
}
