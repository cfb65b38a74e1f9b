use serde_json::Value;

/// Removes `required` entries that name no declared property.
///
/// Upstream's `package-version.metadata.docker` declares the property `tag`
/// but requires `tags`. typify turns the phantom name into a mandatory
/// `tags: serde_json::Value` field, so every docker metadata object GitHub
/// sends (`{"tag": [...]}`) fails to decode. A name that is not declared
/// cannot be relied on, so it is dropped; the declared `tag` stays optional.
///
/// Only object schemas that declare `properties` are touched: in `allOf`
/// compositions `required` may legitimately name a sibling's property.
pub fn drop_undeclared_required(document: &mut Value) -> Result<(), String> {
    walk(document);
    Ok(())
}

fn walk(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let (Some(Value::Object(properties)), Some(Value::Array(required))) =
                (map.get("properties"), map.get("required"))
            {
                let kept: Vec<Value> = required
                    .iter()
                    .filter(|name| name.as_str().is_some_and(|n| properties.contains_key(n)))
                    .cloned()
                    .collect();
                if kept.is_empty() {
                    map.remove("required");
                } else {
                    map.insert("required".to_owned(), Value::Array(kept));
                }
            }
            map.values_mut().for_each(walk);
        }
        Value::Array(items) => items.iter_mut().for_each(walk),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::fixups::testing::{fixed, fixed_except, generate, type_source, vendored};

    fn docker_metadata(document: &Value) -> &Value {
        &document["components"]["schemas"]["package-version"]["properties"]["metadata"]["properties"]
            ["docker"]
    }

    #[test]
    fn the_vendored_docker_metadata_requires_an_undeclared_property() {
        let docker = docker_metadata(vendored().value());
        assert_eq!(docker["required"], json!(["tags"]));
        assert!(docker["properties"].get("tags").is_none());
        assert!(docker["properties"].get("tag").is_some());
    }

    #[test]
    fn typify_makes_the_phantom_property_a_mandatory_field() {
        let code = generate(&fixed_except("drop_undeclared_required")).unwrap();
        let docker = type_source(&code, "DockerMetadata").unwrap();
        assert!(
            docker.contains("pub tags: ::serde_json::Value,"),
            "{docker}"
        );
    }

    #[test]
    fn after_the_fixup_docker_metadata_has_only_the_optional_tag_list() {
        let document = fixed();
        let docker = docker_metadata(&document);
        assert!(docker.get("required").is_none(), "{docker}");

        let code = generate(&document).unwrap();
        let docker = type_source(&code, "DockerMetadata").unwrap();
        assert!(!docker.contains("pub tags:"), "{docker}");
        assert!(
            docker.contains("pub tag: ::std::vec::Vec<::std::string::String>,"),
            "{docker}"
        );
    }

    #[test]
    fn declared_required_properties_are_kept() {
        let mut document =
            json!({"type": "object", "properties": {"a": {}, "b": {}}, "required": ["a", "c"]});
        drop_undeclared_required(&mut document).unwrap();
        assert_eq!(document["required"], json!(["a"]));
    }
}
