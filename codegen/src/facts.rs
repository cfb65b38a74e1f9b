//! What `spec import` keeps of GitHub's description: the facts, not the prose.
//!
//! Kept: paths, methods, operationIds, tags' names, parameters (name,
//! location, required, schema), request bodies, status codes, media types,
//! schemas (types, formats, `required`, enums, defaults, nullability,
//! compositions), example payloads and schema `example` values, `servers`,
//! `info.version`, `info.license`, GitHub's plan and release markers, and
//! three extensions judged to be facts:
//!
//! - schema `title`s, because typify names generated types after them
//!   (`Container Metadata` becomes `ContainerMetadata`);
//! - `x-github-breaking-changes`, GitHub's notice of what a later REST API
//!   version changes (shown in the surface snapshot and the import summary);
//! - `x-multi-segment`, which says a path parameter may hold `/`.
//!
//! Dropped: every `description` and `summary`, `externalDocs`, `info`'s
//! description, contact and terms, tags' descriptions, and the `x-github`
//! and `x-octokit` metadata. A response's `description` is required by
//! OpenAPI, so it stays, empty. The project's own text comes from the
//! overlay in `spec/docs.toml` (see `overlay.rs`).

use serde_json::{Map, Value};

use crate::spec::METHODS;

/// Keys of `info` that are facts.
const INFO_FACTS: [&str; 6] = [
    "title",
    "version",
    "license",
    "x-github-plan",
    "x-github-release",
    crate::source::API_VERSION_KEY,
];

/// Strips the prose from a description fragment, in place.
pub fn strip_prose(document: &mut Value) {
    let Some(top) = document.as_object_mut() else {
        return;
    };
    top.remove("externalDocs");
    if let Some(Value::Object(info)) = top.get_mut("info") {
        info.retain(|key, _| INFO_FACTS.contains(&key.as_str()));
        if let Some(Value::Object(license)) = info.get_mut("license") {
            license.retain(|key, _| key == "name" || key == "url");
        }
    }
    if let Some(Value::Array(tags)) = top.get_mut("tags") {
        for tag in tags.iter_mut().filter_map(Value::as_object_mut) {
            tag.retain(|key, _| key == "name");
        }
    }
    if let Some(Value::Array(servers)) = top.get_mut("servers") {
        for server in servers.iter_mut().filter_map(Value::as_object_mut) {
            server.remove("description");
            if let Some(Value::Object(variables)) = server.get_mut("variables") {
                for variable in variables.values_mut().filter_map(Value::as_object_mut) {
                    variable.remove("description");
                }
            }
        }
    }
    if let Some(Value::Object(paths)) = top.get_mut("paths") {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            path_item(item);
        }
    }
    if let Some(Value::Object(components)) = top.get_mut("components") {
        for (kind, entries) in components.iter_mut() {
            let Some(entries) = entries.as_object_mut() else {
                continue;
            };
            for entry in entries.values_mut() {
                match kind.as_str() {
                    "schemas" => schema(entry),
                    "parameters" | "headers" => parameter(entry),
                    "responses" => response(entry),
                    "examples" => example(entry),
                    "requestBodies" => request_body(entry),
                    _ => {
                        if let Some(entry) = entry.as_object_mut() {
                            entry.remove("description");
                        }
                    }
                }
            }
        }
    }
}

fn path_item(item: &mut Map<String, Value>) {
    item.remove("summary");
    item.remove("description");
    for (key, value) in item.iter_mut() {
        if key == "parameters" {
            each(value, parameter);
        } else if METHODS.contains(&key.as_str()) {
            operation(value);
        }
    }
}

fn operation(value: &mut Value) {
    let Some(operation) = value.as_object_mut() else {
        return;
    };
    for prose in [
        "summary",
        "description",
        "externalDocs",
        "x-github",
        "x-octokit",
    ] {
        operation.remove(prose);
    }
    if let Some(parameters) = operation.get_mut("parameters") {
        each(parameters, parameter);
    }
    if let Some(body) = operation.get_mut("requestBody") {
        request_body(body);
    }
    if let Some(Value::Object(responses)) = operation.get_mut("responses") {
        responses.values_mut().for_each(response);
    }
}

fn each(list: &mut Value, f: fn(&mut Value)) {
    if let Value::Array(items) = list {
        items.iter_mut().for_each(f);
    }
}

fn parameter(value: &mut Value) {
    let Some(parameter) = value.as_object_mut() else {
        return;
    };
    parameter.remove("description");
    if let Some(schema_value) = parameter.get_mut("schema") {
        schema(schema_value);
    }
    if let Some(Value::Object(examples)) = parameter.get_mut("examples") {
        examples.values_mut().for_each(example);
    }
}

fn request_body(value: &mut Value) {
    if let Some(body) = value.as_object_mut() {
        body.remove("description");
        if let Some(content) = body.get_mut("content") {
            media_types(content);
        }
    }
}

fn response(value: &mut Value) {
    let Some(response) = value.as_object_mut() else {
        return;
    };
    if response.contains_key("$ref") {
        return;
    }
    // Required by OpenAPI; the overlay gives it text.
    response.insert("description".to_owned(), Value::String(String::new()));
    if let Some(content) = response.get_mut("content") {
        media_types(content);
    }
    if let Some(Value::Object(headers)) = response.get_mut("headers") {
        headers.values_mut().for_each(parameter);
    }
}

fn media_types(content: &mut Value) {
    for media in content
        .as_object_mut()
        .into_iter()
        .flat_map(|m| m.values_mut())
    {
        let Some(media) = media.as_object_mut() else {
            continue;
        };
        if let Some(schema_value) = media.get_mut("schema") {
            schema(schema_value);
        }
        if let Some(Value::Object(examples)) = media.get_mut("examples") {
            examples.values_mut().for_each(example);
        }
    }
}

/// An example object: its payload (`value`) is a fact; its words are not.
fn example(value: &mut Value) {
    if let Some(example) = value.as_object_mut() {
        example.remove("summary");
        example.remove("description");
    }
}

/// A schema: its `description` goes; `example`, `default` and `enum`
/// values and breaking-change notices stay as they are.
fn schema(value: &mut Value) {
    let Some(schema) = value.as_object_mut() else {
        return;
    };
    schema.remove("description");
    schema.remove("externalDocs");
    for (key, child) in schema.iter_mut() {
        match key.as_str() {
            "properties" => {
                if let Value::Object(properties) = child {
                    properties.values_mut().for_each(self::schema);
                }
            }
            "items" | "not" => self::schema(child),
            "additionalProperties" if child.is_object() => self::schema(child),
            "allOf" | "anyOf" | "oneOf" => each(child, self::schema),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn prose_goes_and_facts_stay() {
        let mut document = json!({
            "openapi": "3.0.3",
            "info": {"title": "T", "version": "1", "description": "words", "contact": {"name": "x"},
                     "license": {"name": "MIT", "url": "u", "x-extra": 1}, "x-github-plan": "ghes", "x-github-release": 3.17},
            "tags": [{"name": "packages", "description": "words"}],
            "externalDocs": {"url": "https://docs"},
            "servers": [{"url": "{protocol}://{hostname}/api/v3", "variables": {"hostname": {"default": "HOSTNAME", "description": "words"}}}],
            "paths": {"/x/{id}": {
                "summary": "words",
                "parameters": [{"name": "id", "in": "path", "required": true, "description": "words", "schema": {"type": "integer", "description": "words"}}],
                "get": {
                    "summary": "words", "description": "words", "operationId": "x/get", "tags": ["packages"],
                    "externalDocs": {"url": "https://docs"}, "x-github": {"category": "x"}, "x-octokit": {}, "deprecated": true,
                    "responses": {
                        "200": {"description": "Response", "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/thing"},
                            "examples": {"default": {"summary": "words", "value": {"description": "a payload field"}}}
                        }}},
                        "404": {"$ref": "#/components/responses/not_found"}
                    }
                }
            }},
            "components": {
                "schemas": {"thing": {
                    "type": "object", "title": "Thing", "description": "words", "required": ["description"],
                    "properties": {
                        "description": {"type": "string", "description": "words", "example": "kept"},
                        "kind": {"type": "string", "enum": ["a"], "default": "a", "description": "words"},
                        "nested": {"type": "array", "items": {"type": "object", "description": "words",
                                   "properties": {"n": {"type": "integer", "description": "words"}}}}
                    },
                    "x-github-breaking-changes": [{"changeset": "c", "patch": {"properties": {"kind": null}}, "version": "2026-03-10"}]
                }},
                "responses": {"not_found": {"description": "Resource not found", "content": {"application/json": {"schema": {"type": "object"}}}}},
                "examples": {"thing": {"summary": "words", "value": {"description": "payload"}}},
                "parameters": {"page": {"name": "page", "in": "query", "description": "words", "schema": {"type": "integer", "default": 1}}}
            }
        });
        strip_prose(&mut document);
        let expected = json!({
            "openapi": "3.0.3",
            "info": {"title": "T", "version": "1", "license": {"name": "MIT", "url": "u"}, "x-github-plan": "ghes", "x-github-release": 3.17},
            "tags": [{"name": "packages"}],
            "servers": [{"url": "{protocol}://{hostname}/api/v3", "variables": {"hostname": {"default": "HOSTNAME"}}}],
            "paths": {"/x/{id}": {
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                "get": {
                    "operationId": "x/get", "tags": ["packages"], "deprecated": true,
                    "responses": {
                        "200": {"description": "", "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/thing"},
                            "examples": {"default": {"value": {"description": "a payload field"}}}
                        }}},
                        "404": {"$ref": "#/components/responses/not_found"}
                    }
                }
            }},
            "components": {
                "schemas": {"thing": {
                    "type": "object", "title": "Thing", "required": ["description"],
                    "properties": {
                        "description": {"type": "string", "example": "kept"},
                        "kind": {"type": "string", "enum": ["a"], "default": "a"},
                        "nested": {"type": "array", "items": {"type": "object",
                                   "properties": {"n": {"type": "integer"}}}}
                    },
                    "x-github-breaking-changes": [{"changeset": "c", "patch": {"properties": {"kind": null}}, "version": "2026-03-10"}]
                }},
                "responses": {"not_found": {"description": "", "content": {"application/json": {"schema": {"type": "object"}}}}},
                "examples": {"thing": {"value": {"description": "payload"}}},
                "parameters": {"page": {"name": "page", "in": "query", "schema": {"type": "integer", "default": 1}}}
            }
        });
        assert_eq!(document, expected);
    }
}
