use std::collections::BTreeSet;

use serde_json::Value;

use crate::json::{child_schemas_mut, split_component_ref};

/// Turns every enum reachable from a response body into a plain string that
/// lists its documented values in its description.
///
/// typify renders an enum as a closed Rust enum, and one value GitHub did not
/// document fails the whole response: a package listed with
/// `"visibility": "internal"` (the query parameter accepts it, the response
/// schema lists only `private`/`public`), or a registry added after the
/// description was written. A client that cannot read a listing because of
/// one new word is worse than one that hands over the word, so responses keep
/// the string and the ergonomic crate maps it onto an open enum.
///
/// Request-side enums (hoisted by `hoist_parameter_enums`) are not reachable
/// from responses and stay closed: the client should not send values GitHub
/// does not document.
pub fn open_response_enums(document: &mut Value) -> Result<(), String> {
    // Component schemas reachable from any response body.
    let mut reachable = BTreeSet::new();
    let mut pending: Vec<String> = Vec::new();
    let mut note = |reference: &str| {
        if let Some(("schemas", name)) = split_component_ref(reference) {
            pending.push(name);
        }
    };
    for response in responses(document) {
        if let Some(content) = response.get("content") {
            crate::json::visit_refs(content, &mut note);
        }
    }
    while let Some(name) = pending.pop() {
        if !reachable.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = document.pointer(&format!(
            "/components/schemas/{}",
            crate::json::pointer_escape(&name)
        )) {
            crate::json::visit_refs(schema, &mut |reference| {
                if let Some(("schemas", next)) = split_component_ref(reference) {
                    pending.push(next);
                }
            });
        }
    }

    // Inline response schemas first, then the reachable components.
    for response in responses_mut(document) {
        if let Some(Value::Object(content)) = response.get_mut("content") {
            for media in content.values_mut() {
                if let Some(schema) = media.get_mut("schema") {
                    open(schema);
                }
            }
        }
    }
    if let Some(Value::Object(schemas)) = document.pointer_mut("/components/schemas") {
        for (name, schema) in schemas.iter_mut() {
            if reachable.contains(name) {
                open(schema);
            }
        }
    }
    Ok(())
}

fn open(schema: &mut Value) {
    if let Value::Object(map) = schema
        && let Some(Value::Array(values)) = map.remove("enum")
    {
        let listed: Vec<String> = values
            .iter()
            .map(|v| match v {
                Value::String(s) => format!("`{s}`"),
                other => format!("`{other}`"),
            })
            .collect();
        let known = format!("Known values: {}.", listed.join(", "));
        let description = match map.get("description").and_then(Value::as_str) {
            Some(existing) => format!("{existing}\n\n{known}"),
            None => known,
        };
        map.insert("description".to_owned(), Value::String(description));
    }
    for child in child_schemas_mut(schema) {
        open(child);
    }
}

/// Every response object: in operations and in `components.responses`.
fn responses(document: &Value) -> Vec<&Value> {
    let mut found = Vec::new();
    if let Some(Value::Object(shared)) = document.pointer("/components/responses") {
        found.extend(shared.values());
    }
    for operation in crate::spec::operations(document) {
        if let Some(Value::Object(by_status)) = operation.value.get("responses") {
            found.extend(by_status.values());
        }
    }
    found
}

fn responses_mut(document: &mut Value) -> Vec<&mut Value> {
    let mut found = Vec::new();
    let Some(map) = document.as_object_mut() else {
        return found;
    };
    for (key, value) in map.iter_mut() {
        match key.as_str() {
            "components" => {
                if let Some(Value::Object(shared)) = value.get_mut("responses") {
                    found.extend(shared.values_mut());
                }
            }
            "paths" => {
                let Some(paths) = value.as_object_mut() else {
                    continue;
                };
                for item in paths.values_mut() {
                    let Some(item) = item.as_object_mut() else {
                        continue;
                    };
                    for (method, operation) in item.iter_mut() {
                        if !crate::spec::METHODS.contains(&method.as_str()) {
                            continue;
                        }
                        if let Some(Value::Object(by_status)) = operation.get_mut("responses") {
                            found.extend(by_status.values_mut());
                        }
                    }
                }
            }
            _ => {}
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::fixups::testing::{fixed, fixed_except, generate, type_source, vendored};

    #[test]
    fn the_vendored_response_schemas_close_their_enums() {
        let package = &vendored().value()["components"]["schemas"]["package"]["properties"];
        assert_eq!(package["visibility"]["enum"], json!(["private", "public"]));
        assert!(package["package_type"]["enum"].is_array());
    }

    #[test]
    fn without_the_fixup_response_fields_are_closed_enums() {
        let code = generate(&fixed_except("open_response_enums")).unwrap();
        let package = type_source(&code, "Package").unwrap();
        assert!(
            !package.contains("pub visibility: ::std::string::String,"),
            "{package}"
        );
        assert!(code.contains("\"private\" => Ok(Self::Private)"));
        assert!(code.contains("\"enabled\" => Ok(Self::Enabled)"));
    }

    #[test]
    fn after_the_fixup_response_fields_are_strings_that_name_their_values() {
        let document = fixed();
        let visibility = &document["components"]["schemas"]["package"]["properties"]["visibility"];
        assert!(visibility.get("enum").is_none());
        assert_eq!(
            visibility["description"],
            "Known values: `private`, `public`."
        );

        let code = generate(&document).unwrap();
        let package = type_source(&code, "Package").unwrap();
        assert!(
            package.contains("pub visibility: ::std::string::String,"),
            "{package}"
        );
        assert!(
            package.contains("pub package_type: ::std::string::String,"),
            "{package}"
        );
        assert!(!code.contains("\"enabled\" => Ok(Self::Enabled)"));
    }

    #[test]
    fn request_side_enums_stay_closed() {
        let document = fixed();
        assert_eq!(
            document["components"]["schemas"]["package-visibility"]["enum"],
            json!(["public", "private", "internal"])
        );
    }
}
