use serde_json::{Map, Value, json};

use crate::json::{component_ref, split_component_ref};

/// Makes a reference to a nullable schema produce a plain `Option<T>`.
///
/// Upstream spells "this object or null" by duplicating a schema under a
/// `nullable-` name with `nullable: true` (`nullable-simple-user` next to
/// `simple-user`, `nullable-minimal-repository` with no plain twin), and marks
/// some shared schemas nullable themselves (`security-and-analysis`). typify
/// turns each such schema into a newtype around an `Option`
/// (`NullableSimpleUser(Option<SimpleUser>)`), and the duplicates share a
/// title with their twins, so callers meet two names for one thing.
///
/// This fixup makes every component schema non-nullable, folds each
/// `nullable-X` into `X` (renaming it when there is no `X`), and moves the
/// nullability to the places that refer to it, as
/// `{"allOf": [{"$ref": X}], "nullable": true}`, which typify renders as
/// `Option<X>` whether or not the property is required.
pub fn nullable_schemas_as_option(document: &mut Value) -> Result<(), String> {
    let Some(schemas) = document
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return Ok(());
    };

    // Old name -> name the references should use from now on.
    let mut targets: Map<String, Value> = Map::new();
    let nullable: Vec<String> = schemas
        .iter()
        .filter(|(_, schema)| schema.get("nullable") == Some(&Value::Bool(true)))
        .map(|(name, _)| name.clone())
        .collect();
    for name in nullable {
        let mut schema = schemas.remove(&name).expect("listed above");
        schema
            .as_object_mut()
            .expect("schema objects")
            .remove("nullable");
        let target = match name.strip_prefix("nullable-") {
            Some(base) => {
                if let Some(twin) = schemas.get(base) {
                    if *twin != schema {
                        return Err(format!(
                            "`{name}` differs from `{base}` by more than `nullable`; decide which to keep"
                        ));
                    }
                } else {
                    schemas.insert(base.to_owned(), schema);
                }
                base.to_owned()
            }
            None => {
                schemas.insert(name.clone(), schema);
                name.clone()
            }
        };
        targets.insert(name, Value::String(target));
    }

    wrap_references(document, &targets);
    Ok(())
}

/// Replaces each `$ref` to a formerly nullable schema with a nullable
/// `allOf` around its new name, without descending into the wrapper.
fn wrap_references(value: &mut Value, targets: &Map<String, Value>) {
    match value {
        Value::Object(object) => {
            let target = object
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(split_component_ref)
                .filter(|(kind, _)| *kind == "schemas")
                .and_then(|(_, name)| targets.get(&name))
                .and_then(Value::as_str)
                .map(str::to_owned);
            match target {
                Some(target) => {
                    object.remove("$ref");
                    object.insert(
                        "allOf".to_owned(),
                        json!([{ "$ref": component_ref("schemas", &target) }]),
                    );
                    object.insert("nullable".to_owned(), Value::Bool(true));
                }
                None => object
                    .values_mut()
                    .for_each(|v| wrap_references(v, targets)),
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| wrap_references(v, targets)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixups::testing::{fixed, fixed_except_all, generate, type_source, vendored};

    #[test]
    fn the_vendored_spec_duplicates_schemas_to_express_null() {
        let schemas = &vendored().value()["components"]["schemas"];
        assert_eq!(schemas["nullable-simple-user"]["nullable"], json!(true));
        assert_eq!(
            schemas["nullable-simple-user"]["title"],
            schemas["simple-user"]["title"]
        );
        assert_eq!(schemas["security-and-analysis"]["nullable"], json!(true));
        assert!(schemas.get("minimal-repository").is_none());
    }

    #[test]
    fn without_the_fixup_typify_emits_option_newtypes_and_twin_types() {
        // The omitted-fields table names the merged schemas, so it is skipped too.
        let code = generate(&fixed_except_all(&[
            "nullable_schemas_as_option",
            "relax_omitted_required",
        ]))
        .unwrap();
        assert!(
            code.contains("pub struct NullableSimpleUser(pub ::std::option::Option<SimpleUser>);")
        );
        assert!(code.contains("pub struct NullableMinimalRepository(pub ::std::option::Option<"));
        assert!(code.contains("pub struct SecurityAndAnalysis(pub ::std::option::Option<"));
        let package = type_source(&code, "Package").unwrap();
        assert!(
            package.contains("pub owner: ::std::option::Option<NullableSimpleUser>,"),
            "{package}"
        );
    }

    #[test]
    fn after_the_fixup_nullable_references_are_plain_options() {
        let document = fixed();
        let schemas = document["components"]["schemas"].as_object().unwrap();
        assert!(
            schemas.keys().all(|name| !name.starts_with("nullable-")),
            "{:?}",
            schemas.keys()
        );
        assert!(schemas.values().all(|s| s.get("nullable").is_none()));

        let code = generate(&document).unwrap();
        assert!(!code.contains("Nullable"));
        let package = type_source(&code, "Package").unwrap();
        assert!(
            package.contains("pub owner: ::std::option::Option<SimpleUser>,"),
            "{package}"
        );
        assert!(
            package.contains("pub repository: ::std::option::Option<MinimalRepository>,"),
            "{package}"
        );
        let repository = type_source(&code, "MinimalRepository").unwrap();
        assert!(
            repository
                .contains("pub security_and_analysis: ::std::option::Option<SecurityAndAnalysis>,"),
            "{repository}"
        );
    }

    #[test]
    fn a_twin_that_differs_is_reported_not_merged() {
        let mut document = json!({"components": {"schemas": {
            "user": {"type": "object", "properties": {"a": {"type": "string"}}},
            "nullable-user": {"type": "object", "nullable": true, "properties": {"b": {"type": "string"}}}
        }}});
        let err = nullable_schemas_as_option(&mut document).unwrap_err();
        assert_eq!(
            err,
            "`nullable-user` differs from `user` by more than `nullable`; decide which to keep"
        );
    }

    #[test]
    fn a_required_nullable_reference_keeps_accepting_null() {
        let mut document = json!({"components": {"schemas": {
            "user": {"type": "object", "nullable": true, "properties": {"a": {"type": "string"}}},
            "holder": {"type": "object", "required": ["u"], "properties": {"u": {"$ref": "#/components/schemas/user"}}}
        }}});
        nullable_schemas_as_option(&mut document).unwrap();
        assert_eq!(
            document["components"]["schemas"]["holder"]["properties"]["u"],
            json!({"allOf": [{"$ref": "#/components/schemas/user"}], "nullable": true})
        );
    }
}
