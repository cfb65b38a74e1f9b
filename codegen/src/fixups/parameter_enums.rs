use serde_json::{Map, Value, json};

use crate::json::component_ref;

/// Which schema each enum-valued parameter's values belong to, by the
/// parameter's wire name, with the schema's description. One schema, hence
/// one Rust type, per concept.
pub const CONCEPTS: &[(&str, &str, &str)] = &[
    (
        "package_type",
        "package-type",
        "The registry a package lives in.",
    ),
    ("visibility", "package-visibility", "Who can see a package."),
    (
        "state",
        "package-version-state",
        "Whether a package version is active or deleted (and restorable).",
    ),
];

/// Hoists each inline enum parameter schema into one named schema per concept.
///
/// Upstream writes the `package_type`, `visibility` and `state` enums inline
/// in every parameter (24 path `package_type`s, 3 query ones, …), and
/// progenitor names a parameter's type after its operation, so the client
/// gets one enum per operation and parameter (≈30 copies of three concepts)
/// that do not convert into each other. After this fixup every such
/// parameter refers to one schema from [`CONCEPTS`].
///
/// A new enum parameter upstream makes this fail loudly rather than silently
/// reintroducing per-operation types: give it a concept name in [`CONCEPTS`].
pub fn hoist_parameter_enums(document: &mut Value) -> Result<(), String> {
    let mut hoisted: Map<String, Value> = Map::new();

    let mut parameter_lists: Vec<(String, &mut Value)> = Vec::new();
    let (components, paths) = split_components_and_paths(document);
    if let Some(parameters) = components
        .and_then(|c| c.get_mut("parameters"))
        .and_then(Value::as_object_mut)
    {
        for (name, parameter) in parameters.iter_mut() {
            parameter_lists.push((format!("components/parameters/{name}"), parameter));
        }
    }
    if let Some(paths) = paths.and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for (key, value) in item.iter_mut() {
                let list = if key == "parameters" {
                    Some(value)
                } else {
                    value.get_mut("parameters")
                };
                if let Some(Value::Array(list)) = list {
                    for parameter in list.iter_mut() {
                        parameter_lists.push((format!("{key} {path}"), parameter));
                    }
                }
            }
        }
    }

    for (location, parameter) in parameter_lists {
        let Some(schema) = parameter.get("schema") else {
            continue;
        };
        if schema.get("enum").is_none() {
            continue;
        }
        let name = parameter
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some((_, concept, description)) = CONCEPTS.iter().find(|(wire, ..)| *wire == name)
        else {
            return Err(format!(
                "parameter `{name}` of {location} has an inline enum but no concept; add it to CONCEPTS in {}",
                file!()
            ));
        };
        let candidate = concept_schema(schema, description);
        match hoisted.get_mut(*concept) {
            None => {
                hoisted.insert((*concept).to_owned(), candidate);
            }
            Some(existing) if existing["enum"] != candidate["enum"] => {
                return Err(format!(
                    "parameter `{name}` of {location} lists {} but another `{name}` lists {}",
                    candidate["enum"], existing["enum"]
                ));
            }
            Some(existing) => {
                if existing.get("default") != candidate.get("default") {
                    existing
                        .as_object_mut()
                        .expect("built as an object")
                        .remove("default");
                }
            }
        }
        parameter["schema"] = json!({ "$ref": component_ref("schemas", concept) });
    }

    if hoisted.is_empty() {
        return Ok(());
    }
    let components = document
        .as_object_mut()
        .ok_or("the document is not an object")?
        .entry("components")
        .or_insert_with(|| json!({}));
    let schemas = components
        .as_object_mut()
        .ok_or("`components` is not an object")?
        .entry("schemas")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .ok_or("`components.schemas` is not an object")?;
    for (concept, schema) in hoisted {
        if schemas.contains_key(&concept) {
            return Err(format!(
                "a schema named `{concept}` already exists; rename the concept"
            ));
        }
        schemas.insert(concept, schema);
    }
    Ok(())
}

/// The type-level part of a parameter's schema (its values and default) with
/// the concept's description instead of the parameter's.
fn concept_schema(schema: &Value, description: &str) -> Value {
    let mut concept = Map::new();
    concept.insert(
        "description".to_owned(),
        Value::String(description.to_owned()),
    );
    for key in ["type", "enum", "default"] {
        if let Some(value) = schema.get(key) {
            concept.insert(key.to_owned(), value.clone());
        }
    }
    Value::Object(concept)
}

fn split_components_and_paths(document: &mut Value) -> (Option<&mut Value>, Option<&mut Value>) {
    let Some(map) = document.as_object_mut() else {
        return (None, None);
    };
    let mut components = None;
    let mut paths = None;
    for (key, value) in map.iter_mut() {
        match key.as_str() {
            "components" => components = Some(value),
            "paths" => paths = Some(value),
            _ => {}
        }
    }
    (components, paths)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixups::testing::{fixed, fixed_except, generate, vendored};

    /// The enums progenitor wrote (not the operation table's `OwnerScope`).
    fn enum_names(code: &str) -> Vec<&str> {
        code.lines()
            .filter_map(|line| line.trim_start().strip_prefix("pub enum "))
            .map(|rest| rest.split([' ', '<']).next().unwrap())
            .filter(|name| *name != "OwnerScope")
            .collect()
    }

    #[test]
    fn the_vendored_spec_writes_the_enums_inline() {
        let operations = vendored().operations();
        let inline_state = operations
            .iter()
            .filter_map(|op| op.value["parameters"].as_array())
            .flatten()
            .filter(|p| p["name"] == "state" && p["schema"].get("enum").is_some())
            .count();
        assert_eq!(inline_state, 2);
    }

    #[test]
    fn without_the_fixup_every_operation_gets_its_own_enums() {
        let code = generate(&fixed_except("hoist_parameter_enums")).unwrap();
        let names = enum_names(&code);
        let count = |suffix: &str| names.iter().filter(|n| n.ends_with(suffix)).count();
        assert_eq!(count("PackageType"), 24, "{names:?}");
        assert_eq!(count("Visibility"), 3, "{names:?}");
        assert_eq!(count("State"), 3, "{names:?}");
        assert_eq!(names.len(), 30, "{names:?}");
    }

    #[test]
    fn after_the_fixup_each_concept_is_one_enum() {
        let code = generate(&fixed()).unwrap();
        let mut names = enum_names(&code);
        names.sort_unstable();
        assert_eq!(
            names,
            ["PackageType", "PackageVersionState", "PackageVisibility"]
        );
        assert!(code.contains("impl ::std::default::Default for PackageVersionState"));
    }

    #[test]
    fn an_enum_parameter_without_a_concept_is_an_error() {
        let mut document = json!({"paths": {"/x": {"get": {"parameters": [
            {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["a", "b"]}}
        ]}}}});
        let err = hoist_parameter_enums(&mut document).unwrap_err();
        assert!(
            err.starts_with("parameter `sort` of get /x has an inline enum but no concept"),
            "{err}"
        );
    }

    #[test]
    fn conflicting_values_for_one_concept_are_an_error() {
        let mut document = json!({"paths": {"/x": {"get": {"parameters": [
            {"name": "state", "in": "query", "schema": {"type": "string", "enum": ["a"]}},
            {"name": "state", "in": "header", "schema": {"type": "string", "enum": ["b"]}}
        ]}}}});
        let err = hoist_parameter_enums(&mut document).unwrap_err();
        assert_eq!(
            err,
            r#"parameter `state` of get /x lists ["b"] but another `state` lists ["a"]"#
        );
    }
}
