use serde_json::Value;

/// Which of a schema's required fields GitHub is known to leave out.
#[derive(Clone, Copy, Debug)]
pub enum Omitted {
    /// Exactly these fields.
    Fields(&'static [&'static str]),
    /// Every required field but these, which the client relies on.
    AllBut(&'static [&'static str]),
}

/// One row of [`OMITTED`]: a component schema (as named after
/// `nullable_schemas_as_option`), the fields, and where the fact comes from.
#[derive(Clone, Copy, Debug)]
pub struct OmittedRow {
    /// The component schema.
    pub schema: &'static str,
    /// The required fields real answers omit.
    pub fields: Omitted,
    /// Why we believe it, with a reference.
    pub evidence: &'static str,
}

/// Fields the description calls required that GitHub's real answers omit.
pub const OMITTED: &[OmittedRow] = &[
    OmittedRow {
        schema: "package",
        fields: Omitted::Fields(&["version_count"]),
        evidence: "package listings recorded from api.github.com carry no `version_count`; \
                   the single-package GETs do (PyGithub, tests/ReplayData/Package.*)",
    },
    OmittedRow {
        schema: "minimal-repository",
        fields: Omitted::AllBut(&["id", "name", "full_name"]),
        evidence: "a package's `repository` arrives as a reduced repository object, not the \
                   full minimal repository (PyGithub, tests/ReplayData/Package.*); only its \
                   identity is relied on",
    },
];

/// Makes optional the required fields that GitHub's real answers leave out,
/// as listed in [`OMITTED`].
///
/// typify turns every required field into a mandatory struct field, so one
/// answer without it fails to decode, and in a listing one such item fails
/// the whole page. Each row names its evidence; a row whose schema or field
/// no longer exists, or is no longer required, is an error, so the table
/// cannot silently outlive the upstream fact.
///
/// Runs after `nullable_schemas_as_option`, so rows use the merged names
/// (`minimal-repository`, not `nullable-minimal-repository`).
pub fn relax_omitted_required(document: &mut Value) -> Result<(), String> {
    for row in OMITTED {
        let schema = document
            .pointer_mut(&format!("/components/schemas/{}", row.schema))
            .ok_or_else(|| format!("schema `{}` is gone; remove its row", row.schema))?;
        let required: Vec<String> = schema["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        let kept: Vec<&String> = match row.fields {
            Omitted::Fields(fields) => {
                if let Some(field) = fields.iter().find(|f| !required.iter().any(|r| r == *f)) {
                    return Err(format!(
                        "`{}.{field}` is no longer required upstream; remove it from the table",
                        row.schema
                    ));
                }
                required
                    .iter()
                    .filter(|r| !fields.contains(&r.as_str()))
                    .collect()
            }
            Omitted::AllBut(relied_on) => {
                if let Some(field) = relied_on.iter().find(|f| !required.iter().any(|r| r == *f)) {
                    return Err(format!(
                        "`{}.{field}` is relied on but no longer required upstream",
                        row.schema
                    ));
                }
                required
                    .iter()
                    .filter(|r| relied_on.contains(&r.as_str()))
                    .collect()
            }
        };
        let object = schema
            .as_object_mut()
            .ok_or_else(|| format!("schema `{}` is not an object", row.schema))?;
        object.insert(
            "required".to_owned(),
            Value::Array(kept.into_iter().cloned().map(Value::String).collect()),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::fixups::testing::{fixed, fixed_except, generate, type_source, vendored};

    fn required(document: &Value, schema: &str) -> Vec<String> {
        document["components"]["schemas"][schema]["required"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn the_vendored_spec_requires_what_listings_omit() {
        let document = vendored().value();
        assert!(required(document, "package").contains(&"version_count".to_owned()));
        let repository = required(document, "nullable-minimal-repository");
        assert!(repository.len() > 40, "{repository:?}");
        assert!(repository.contains(&"archive_url".to_owned()));
    }

    #[test]
    fn without_the_fixup_the_fields_are_mandatory() {
        let code = generate(&fixed_except("relax_omitted_required")).unwrap();
        let package = type_source(&code, "Package").unwrap();
        assert!(package.contains("pub version_count: i64,"), "{package}");
        let repository = type_source(&code, "MinimalRepository").unwrap();
        assert!(
            repository.contains("pub archive_url: ::std::string::String,"),
            "{repository}"
        );
    }

    #[test]
    fn after_the_fixup_they_are_options_and_the_identity_stays_required() {
        let document = fixed();
        assert!(!required(&document, "package").contains(&"version_count".to_owned()));
        assert_eq!(
            required(&document, "minimal-repository"),
            ["full_name", "id", "name"]
        );
        let code = generate(&document).unwrap();
        let package = type_source(&code, "Package").unwrap();
        assert!(
            package.contains("pub version_count: ::std::option::Option<i64>,"),
            "{package}"
        );
        let repository = type_source(&code, "MinimalRepository").unwrap();
        assert!(
            repository.contains("pub full_name: ::std::string::String,"),
            "{repository}"
        );
        assert!(
            repository.contains("pub archive_url: ::std::option::Option<::std::string::String>,"),
            "{repository}"
        );
    }

    #[test]
    fn a_stale_row_is_an_error() {
        let mut document = json!({"components": {"schemas": {
            "package": {"type": "object", "required": ["id"], "properties": {"id": {}, "version_count": {}}},
            "minimal-repository": {"type": "object", "required": ["id", "name", "full_name"]}
        }}});
        let err = relax_omitted_required(&mut document).unwrap_err();
        assert_eq!(
            err,
            "`package.version_count` is no longer required upstream; remove it from the table"
        );
        let mut document = json!({"components": {"schemas": {}}});
        let err = relax_omitted_required(&mut document).unwrap_err();
        assert_eq!(err, "schema `package` is gone; remove its row");
    }
}
