//! JSON helpers shared by the loader, the fixups and the fragment cutter.

use serde_json::Value;

/// Writes `value` with object keys sorted, two-space indentation and a final
/// newline.
///
/// This is the only form `spec/` is written in, so an import of the same
/// upstream content is byte-identical and a real change diffs cleanly. The
/// keys are sorted here rather than trusting `serde_json`'s map order, which
/// a dependency enabling `preserve_order` would silently change.
pub fn to_canonical(value: &Value) -> String {
    let mut text =
        serde_json::to_string_pretty(&sorted(value)).expect("JSON values always serialize");
    text.push('\n');
    text
}

fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<_> = map.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sorted(&map[k])))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// Calls `f` with every `$ref` string in `value`, depth first.
pub fn visit_refs(value: &Value, f: &mut impl FnMut(&str)) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                f(reference);
            }
            map.values().for_each(|v| visit_refs(v, f));
        }
        Value::Array(items) => items.iter().for_each(|v| visit_refs(v, f)),
        _ => {}
    }
}

/// Looks up a local `$ref` (`#/components/...`) in `document`.
pub fn resolve<'a>(document: &'a Value, reference: &str) -> Option<&'a Value> {
    document.pointer(reference.strip_prefix('#')?)
}

/// Follows `$ref`s from `value` until it reaches an object that is not one.
pub fn deref<'a>(document: &'a Value, mut value: &'a Value) -> &'a Value {
    // A cycle of pure references is malformed; stop rather than spin.
    for _ in 0..32 {
        match value
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| resolve(document, r))
        {
            Some(target) => value = target,
            None => break,
        }
    }
    value
}

/// The `$ref` string for a named component.
pub fn component_ref(kind: &str, name: &str) -> String {
    format!("#/components/{kind}/{}", pointer_escape(name))
}

/// Splits `#/components/<kind>/<name>` into its kind and (unescaped) name.
pub fn split_component_ref(reference: &str) -> Option<(&str, String)> {
    let rest = reference.strip_prefix("#/components/")?;
    let (kind, name) = rest.split_once('/')?;
    Some((kind, name.replace("~1", "/").replace("~0", "~")))
}

/// Escapes a name for a JSON pointer (`/` → `~1`, `~` → `~0`).
pub fn pointer_escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// The dotted path of a schema field: `name`, `parent.name`, `list[].name`.
pub fn field_path(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

/// The child schemas of a schema object: properties, items, compositions.
pub fn child_schemas_mut(schema: &mut Value) -> Vec<&mut Value> {
    let Value::Object(map) = schema else {
        return Vec::new();
    };
    let mut children = Vec::new();
    for (key, value) in map.iter_mut() {
        match key.as_str() {
            "properties" => {
                if let Value::Object(props) = value {
                    children.extend(props.values_mut());
                }
            }
            "items" | "not" => children.push(value),
            "additionalProperties" if value.is_object() => children.push(value),
            "allOf" | "anyOf" | "oneOf" => {
                if let Value::Array(items) = value {
                    children.extend(items.iter_mut());
                }
            }
            _ => {}
        }
    }
    children
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_form_sorts_keys_at_every_level() {
        let value = json!({"b": {"z": 1, "a": [{"y": 1, "x": 2}]}, "a": true});
        assert_eq!(
            to_canonical(&value),
            "{\n  \"a\": true,\n  \"b\": {\n    \"a\": [\n      {\n        \"x\": 2,\n        \"y\": 1\n      }\n    ],\n    \"z\": 1\n  }\n}\n"
        );
    }

    #[test]
    fn component_refs_round_trip_escaped_names() {
        let reference = component_ref("schemas", "a/b~c");
        assert_eq!(reference, "#/components/schemas/a~1b~0c");
        assert_eq!(
            split_component_ref(&reference),
            Some(("schemas", "a/b~c".to_owned()))
        );
    }

    #[test]
    fn deref_follows_chains_and_stops_on_cycles() {
        let doc = json!({"components": {"schemas": {
            "a": {"$ref": "#/components/schemas/b"},
            "b": {"type": "string"},
            "c": {"$ref": "#/components/schemas/c"}
        }}});
        assert_eq!(
            deref(&doc, &doc["components"]["schemas"]["a"]),
            &json!({"type": "string"})
        );
        let cyclic = &doc["components"]["schemas"]["c"];
        assert_eq!(deref(&doc, cyclic), cyclic);
    }
}
