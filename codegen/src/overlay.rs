//! The project's own text for the generated client, merged over the facts
//! (over 500 lines with its tests, a quarter of it).
//!
//! `spec/` holds GitHub's facts without GitHub's prose (`facts.rs`); the
//! words that document the generated client live in `spec/docs.toml`,
//! written by this project, keyed by what they document:
//!
//! ```toml
//! [info]
//! description = "…"                # the generated client's crate docs
//!
//! [operations."packages/list-packages-for-organization"]
//! summary = "…"
//! description = "…"
//!
//! [parameters]                     # by parameter name, wherever it appears
//! per_page = "…"
//!
//! [responses]                      # by component name, or by status code
//! not_found = "…"
//! "204" = "…"
//!
//! [schemas.package]                # by schema name after the fixups
//! description = "…"
//! [schemas.package.fields]         # dotted paths; `*` matches within a name
//! version_count = "…"
//! "metadata.container.tags" = "…"
//! "*_url" = "…"
//! ```
//!
//! `[unused]` holds entries of the same shape for items the vendored
//! description lacks (another flavour has them); they document nothing
//! until `tidy.rs` moves them back.
//!
//! Codegen merges it after the fixups, so keys use the fixed names
//! (`minimal-repository`, the hoisted `package-type`). Items without text
//! are generated without docs and listed by [`undocumented`]: the
//! generated crate is internal, so a missing sentence must not block a
//! maintainer mid-update, but the guard tests keep the checked-in state
//! fully documented and free of entries that document nothing.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde_json::Value;

use crate::json::{deref, field_path};
use crate::spec::operations;

/// Where the overlay lives, relative to the workspace root.
pub const DOCS_PATH: &str = "spec/docs.toml";

/// The overlay, as read from [`DOCS_PATH`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Docs {
    #[serde(default)]
    info: InfoDocs,
    #[serde(default)]
    operations: BTreeMap<String, OperationDocs>,
    #[serde(default)]
    parameters: BTreeMap<String, String>,
    #[serde(default)]
    responses: BTreeMap<String, String>,
    #[serde(default)]
    schemas: BTreeMap<String, SchemaDocs>,
    /// Entries that document nothing in the description vendored now, kept
    /// for a flavour or release that has their items (see `tidy.rs`).
    #[serde(default)]
    unused: Option<Box<Docs>>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct InfoDocs {
    description: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct OperationDocs {
    summary: Option<String>,
    description: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SchemaDocs {
    description: Option<String>,
    #[serde(default)]
    fields: BTreeMap<String, String>,
}

impl Docs {
    /// The entries set aside under `[unused]`, as an overlay of their own.
    pub(crate) fn unused(&self) -> Option<&Docs> {
        self.unused.as_deref()
    }

    /// Parses the overlay's TOML.
    pub fn from_toml(text: &str) -> Result<Self, crate::Error> {
        toml::from_str(text).map_err(|e| {
            crate::Error::Docs(e.message().trim_end_matches('.').to_owned() + &at_line(text, &e))
        })
    }
}

fn at_line(text: &str, error: &toml::de::Error) -> String {
    error
        .span()
        .map(|span| {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!(" (line {line})")
        })
        .unwrap_or_default()
}

/// One entry of the overlay, as the keys that lead to it
/// (`schemas`, `package`, `fields`, `metadata.container.tags`); shown
/// joined by dots.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry(Vec<String>);

impl Entry {
    fn new(keys: &[&str]) -> Self {
        Self(keys.iter().map(|key| (*key).to_owned()).collect())
    }

    /// The keys that lead to the entry, outermost first.
    pub(crate) fn keys(&self) -> &[String] {
        &self.0
    }
}

impl std::fmt::Display for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join("."))
    }
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.to_string())
    }
}

impl PartialEq<&str> for Entry {
    /// Whether `other` is how the entry shows (keys joined by dots).
    fn eq(&self, other: &&str) -> bool {
        let mut rest = *other;
        for (index, key) in self.0.iter().enumerate() {
            let after_dot = if index == 0 {
                Some(rest)
            } else {
                rest.strip_prefix('.')
            };
            match after_dot.and_then(|r| r.strip_prefix(key.as_str())) {
                Some(after) => rest = after,
                None => return false,
            }
        }
        rest.is_empty()
    }
}

/// Merges `docs` into a fixed description; returns the overlay's entries
/// that documented nothing (`schemas.gone.fields.x`, …).
pub fn merge(document: &mut Value, docs: &Docs) -> Vec<Entry> {
    let mut used: BTreeSet<String> = BTreeSet::new();
    if let Some(description) = &docs.info.description {
        document["info"]["description"] = Value::String(description.clone());
        used.insert("info.description".to_owned());
    }

    let ids: Vec<(String, String, String)> = operations(document)
        .into_iter()
        .map(|op| (op.path.to_owned(), op.method.to_owned(), op.id().to_owned()))
        .collect();
    // Only `get_mut` below: indexing a `Value` mutably inserts `null` for
    // a missing key, which would make the description invalid.
    for (path, method, id) in ids {
        let Some(operation) = document
            .pointer_mut(&format!(
                "/paths/{}/{method}",
                crate::json::pointer_escape(&path)
            ))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        if let Some(text) = docs.operations.get(&id) {
            used.insert(format!("operations.{id}"));
            for (key, value) in [
                ("summary", &text.summary),
                ("description", &text.description),
            ] {
                if let Some(value) = value {
                    operation.insert(key.to_owned(), Value::String(value.clone()));
                }
            }
        }
        for parameter in list_mut(operation.get_mut("parameters")) {
            describe_parameter(parameter, docs, &mut used);
        }
        for (status, response) in map_mut(operation.get_mut("responses")) {
            if response.get("$ref").is_none()
                && let Some(text) = docs.responses.get(status)
            {
                response["description"] = Value::String(text.clone());
                used.insert(format!("responses.{status}"));
            }
        }
    }
    for (_, item) in map_mut(document.get_mut("paths")) {
        for parameter in list_mut(item.get_mut("parameters")) {
            describe_parameter(parameter, docs, &mut used);
        }
    }

    let components = document.get_mut("components");
    let mut components = map_mut(components)
        .map(|(kind, entries)| (kind.as_str(), entries))
        .collect::<BTreeMap<_, _>>();
    for (_, parameter) in map_mut(components.remove("parameters")) {
        describe_parameter(parameter, docs, &mut used);
    }
    for (name, response) in map_mut(components.remove("responses")) {
        if let Some(text) = docs.responses.get(name) {
            response["description"] = Value::String(text.clone());
            used.insert(format!("responses.{name}"));
        }
    }
    for (name, schema) in map_mut(components.remove("schemas")) {
        let Some(text) = docs.schemas.get(name) else {
            continue;
        };
        if let Some(description) = &text.description {
            schema["description"] = Value::String(description.clone());
            used.insert(format!("schemas.{name}.description"));
        }
        for_each_field(schema, "", &mut |path, field| {
            if let Some((key, text)) = field_text(&text.fields, path) {
                field["description"] = Value::String(text.to_owned());
                used.insert(format!("schemas.{name}.fields.{key}"));
            }
        });
    }

    let mut stale = Vec::new();
    let mut note = |keys: &[&str]| {
        let entry = Entry::new(keys);
        if !used.contains(&entry.to_string()) {
            stale.push(entry);
        }
    };
    if docs.info.description.is_some() {
        note(&["info", "description"]);
    }
    docs.operations
        .keys()
        .for_each(|id| note(&["operations", id]));
    docs.parameters
        .keys()
        .for_each(|name| note(&["parameters", name]));
    docs.responses
        .keys()
        .for_each(|key| note(&["responses", key]));
    for (name, text) in &docs.schemas {
        if text.description.is_some() {
            note(&["schemas", name, "description"]);
        }
        text.fields
            .keys()
            .for_each(|key| note(&["schemas", name, "fields", key]));
    }
    stale
}

fn list_mut(value: Option<&mut Value>) -> impl Iterator<Item = &mut Value> {
    value.and_then(Value::as_array_mut).into_iter().flatten()
}

fn map_mut(value: Option<&mut Value>) -> impl Iterator<Item = (&String, &mut Value)> {
    value.and_then(Value::as_object_mut).into_iter().flatten()
}

fn describe_parameter(parameter: &mut Value, docs: &Docs, used: &mut BTreeSet<String>) {
    if parameter.get("$ref").is_some() {
        return;
    }
    let name = parameter["name"].as_str().unwrap_or_default().to_owned();
    if let Some(text) = docs.parameters.get(&name) {
        parameter["description"] = Value::String(text.clone());
        used.insert(format!("parameters.{name}"));
    }
}

/// The text for a field: an exact entry, else the first glob that matches.
fn field_text<'a>(fields: &'a BTreeMap<String, String>, path: &str) -> Option<(&'a str, &'a str)> {
    fields
        .get_key_value(path)
        .or_else(|| {
            fields
                .iter()
                .find(|(key, _)| key.contains('*') && glob(key, path))
        })
        .map(|(key, text)| (key.as_str(), text.as_str()))
}

/// `*` matches any run of characters but `.`.
pub(crate) fn glob(pattern: &str, path: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == path,
        Some((head, tail)) => {
            let Some(rest) = path.strip_prefix(head) else {
                return false;
            };
            (0..=rest.len())
                .filter(|i| rest.is_char_boundary(*i) && !rest[..*i].contains('.'))
                .any(|i| glob(tail, &rest[i..]))
        }
    }
}

/// Calls `f` with every field of a schema that is not a reference (a
/// referenced schema documents itself), nested objects and array items
/// under dotted paths as the surface summary writes them.
fn for_each_field(schema: &mut Value, prefix: &str, f: &mut impl FnMut(&str, &mut Value)) {
    if let Some(Value::Object(properties)) = schema.get_mut("properties") {
        for (name, field) in properties.iter_mut() {
            let path = field_path(prefix, name);
            if field.get("$ref").is_none() {
                f(&path, field);
            }
            for_each_field(field, &path, f);
        }
    } else if let Some(items) = schema.get_mut("items")
        && items.get("properties").is_some()
    {
        for_each_field(items, &format!("{prefix}[]"), f);
    }
}

/// Every operation, parameter, response, schema and field of a merged
/// description that has no text, as `operation packages/…`,
/// `field package.version_count`, ….
pub fn undocumented(document: &Value) -> Vec<String> {
    let mut missing = BTreeSet::new();
    let blank = |value: &Value| value.as_str().is_none_or(|s| s.trim().is_empty());
    if blank(&document["info"]["description"]) {
        missing.insert("info description".to_owned());
    }
    for operation in operations(document) {
        if blank(&operation.value["summary"]) && blank(&operation.value["description"]) {
            missing.insert(format!("operation {}", operation.id()));
        }
        for parameter in operation.value["parameters"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let parameter = deref(document, parameter);
            if blank(&parameter["description"]) {
                missing.insert(format!(
                    "parameter {}",
                    parameter["name"].as_str().unwrap_or("?")
                ));
            }
        }
        for (status, response) in operation.value["responses"]
            .as_object()
            .into_iter()
            .flatten()
        {
            if blank(&deref(document, response)["description"]) {
                // Documented by component name when shared, by status when inline.
                let name = response["$ref"]
                    .as_str()
                    .and_then(|r| r.rsplit('/').next())
                    .unwrap_or(status);
                missing.insert(format!("response {name}"));
            }
        }
    }
    let mut schemas = document["components"]["schemas"].clone();
    for (name, schema) in schemas.as_object_mut().into_iter().flatten() {
        if blank(&schema["description"]) {
            missing.insert(format!("schema {name}"));
        }
        for_each_field(schema, "", &mut |path, field| {
            if blank(&field["description"]) {
                missing.insert(format!("field {name}.{path}"));
            }
        });
    }
    missing.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn document() -> Value {
        json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/things": {"get": {
                "operationId": "things/list",
                "parameters": [{"$ref": "#/components/parameters/page"},
                               {"name": "kind", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/thing"}}}},
                              "404": {"$ref": "#/components/responses/missing"}}
            }}},
            "components": {
                "parameters": {"page": {"name": "page", "in": "query", "schema": {"type": "integer"}}},
                "responses": {"missing": {"description": ""}},
                "schemas": {
                    "thing": {"type": "object", "properties": {
                        "id": {"type": "integer"},
                        "html_url": {"type": "string"},
                        "owner": {"$ref": "#/components/schemas/user"},
                        "meta": {"type": "object", "properties": {"tags": {"type": "array", "items": {"type": "string"}}}},
                        "rows": {"type": "array", "items": {"type": "object", "properties": {"n": {"type": "integer"}}}}
                    }},
                    "user": {"type": "object", "properties": {"login": {"type": "string"}}}
                }
            }
        })
    }

    #[test]
    fn text_lands_where_its_key_says_and_leftovers_are_named() {
        let docs = Docs::from_toml(
            r#"
            [info]
            description = "Things."
            [operations."things/list"]
            summary = "List things"
            [operations."things/gone"]
            summary = "Nothing to document"
            [parameters]
            page = "Which page."
            kind = "Which kind."
            [responses]
            "200" = "The things."
            missing = "No such thing."
            [schemas.thing]
            description = "A thing."
            [schemas.thing.fields]
            id = "Its id."
            "*_url" = "A link."
            meta = "Metadata."
            "meta.tags" = "Labels."
            rows = "Rows."
            "rows[].n" = "A number."
            owner = "Never used: references document themselves."
            [schemas.user]
            description = "A user."
            fields = { login = "The login." }
            "#,
        )
        .unwrap();
        let mut document = document();
        let stale = merge(&mut document, &docs);
        assert_eq!(
            stale,
            ["operations.things/gone", "schemas.thing.fields.owner"]
        );
        let thing = &document["components"]["schemas"]["thing"]["properties"];
        assert_eq!(thing["html_url"]["description"], "A link.");
        assert_eq!(
            thing["meta"]["properties"]["tags"]["description"],
            "Labels."
        );
        assert_eq!(
            thing["rows"]["items"]["properties"]["n"]["description"],
            "A number."
        );
        assert!(thing["owner"].get("description").is_none());
        assert_eq!(
            document["components"]["parameters"]["page"]["description"],
            "Which page."
        );
        assert_eq!(
            document["paths"]["/things"]["get"]["summary"],
            "List things"
        );
        assert_eq!(undocumented(&document), Vec::<String>::new());
    }

    #[test]
    fn what_has_no_text_is_listed() {
        let mut document = document();
        merge(&mut document, &Docs::default());
        assert_eq!(
            undocumented(&document),
            [
                "field thing.html_url",
                "field thing.id",
                "field thing.meta",
                "field thing.meta.tags",
                "field thing.rows",
                "field thing.rows[].n",
                "field user.login",
                "info description",
                "operation things/list",
                "parameter kind",
                "parameter page",
                "response 200",
                "response missing",
                "schema thing",
                "schema user",
            ]
        );
    }

    #[test]
    fn globs_stay_within_one_name() {
        assert!(glob("*_url", "html_url"));
        assert!(!glob("*_url", "owner.html_url"));
        assert!(glob("owner.*", "owner.login"));
        assert!(!glob("*_url", "urls"));
    }

    #[test]
    fn bad_overlays_are_one_line_errors() {
        let err = Docs::from_toml("[operations.x]\nsumary = \"typo\"\n").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("spec/docs.toml: unknown field `sumary`"),
            "{err}"
        );
        assert!(err.to_string().ends_with("(line 2)"), "{err}");
    }
}
