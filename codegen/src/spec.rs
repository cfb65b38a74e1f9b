//! Loading and validating an OpenAPI description.

use serde_json::Value;

use crate::{Error, json};

/// The HTTP methods an OpenAPI path item may hold, in the order they are listed.
pub(crate) const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// An OpenAPI 3.0 description that parsed and passed the structural checks.
///
/// Holding the raw JSON (rather than `openapiv3` types) lets fixups and the
/// fragment cutter rewrite it freely and write it back without loss.
#[derive(Clone, Debug, PartialEq)]
pub struct Spec(Value);

/// One operation of a description, borrowed from it.
#[derive(Clone, Copy, Debug)]
pub struct Operation<'a> {
    /// Lower-case HTTP method, e.g. `get`.
    pub method: &'a str,
    /// The path template, e.g. `/orgs/{org}/packages`.
    pub path: &'a str,
    /// The operation object.
    pub value: &'a Value,
}

impl<'a> Operation<'a> {
    /// The operation's `operationId`, or `""` when it has none.
    pub fn id(&self) -> &'a str {
        self.value
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// Whether the operation carries `tag`.
    pub fn has_tag(&self, tag: &str) -> bool {
        self.value
            .get("tags")
            .and_then(Value::as_array)
            .is_some_and(|tags| tags.iter().any(|t| t.as_str() == Some(tag)))
    }
}

impl Spec {
    /// Parses and validates JSON text.
    pub fn from_json(text: &str) -> Result<Self, Error> {
        let value = serde_json::from_str(text).map_err(Error::Json)?;
        Self::from_value(value)
    }

    /// Validates a parsed document: OpenAPI 3.0.x, the shape `openapiv3`
    /// expects, and no `$ref` pointing at nothing.
    pub fn from_value(value: Value) -> Result<Self, Error> {
        check_version(&value)?;
        serde_json::from_value::<openapiv3::OpenAPI>(value.clone())
            .map_err(|e| Error::Structure(e.to_string()))?;
        let mut dangling = None;
        json::visit_refs(&value, &mut |reference| {
            if dangling.is_none() && json::resolve(&value, reference).is_none() {
                dangling = Some(reference.to_owned());
            }
        });
        match dangling {
            Some(reference) => Err(Error::DanglingRef(reference)),
            None => Ok(Self(value)),
        }
    }

    /// The document as JSON.
    pub fn value(&self) -> &Value {
        &self.0
    }

    /// The document as JSON, by value.
    pub fn into_value(self) -> Value {
        self.0
    }

    /// Every operation, in path order and then method order.
    pub fn operations(&self) -> Vec<Operation<'_>> {
        operations(&self.0)
    }

    /// Canonical JSON text of the document (see [`json::to_canonical`]).
    pub fn to_canonical(&self) -> String {
        json::to_canonical(&self.0)
    }
}

/// Checks that `document` is OpenAPI 3.0.x, without looking further.
pub(crate) fn check_version(document: &Value) -> Result<(), Error> {
    let version = document
        .get("openapi")
        .and_then(Value::as_str)
        .ok_or(Error::NotOpenApi)?;
    if version.starts_with("3.0.") {
        Ok(())
    } else {
        Err(Error::Version(version.to_owned()))
    }
}

/// Every operation of `document`, in path order and then method order.
pub fn operations(document: &Value) -> Vec<Operation<'_>> {
    let Some(paths) = document.get("paths").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut sorted: Vec<_> = paths.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    sorted
        .into_iter()
        .flat_map(|(path, item)| {
            METHODS.iter().filter_map(move |method| {
                item.get(*method).map(|value| Operation {
                    method,
                    path,
                    value,
                })
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_openapi_3_1() {
        let err =
            Spec::from_json(r#"{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{}}"#)
                .unwrap_err();
        assert_eq!(
            err.to_string(),
            "OpenAPI 3.1.0 is not supported: progenitor reads OpenAPI 3.0.x only"
        );
    }

    #[test]
    fn rejects_a_dangling_ref() {
        let text = r##"{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/x":{"get":{
            "operationId":"x","responses":{"200":{"$ref":"#/components/responses/gone"}}}}}}"##;
        let err = Spec::from_json(text).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`$ref` #/components/responses/gone points at nothing in the document"
        );
    }

    #[test]
    fn rejects_a_document_without_version() {
        let err = Spec::from_json(r#"{"swagger":"2.0"}"#).unwrap_err();
        assert!(matches!(err, Error::NotOpenApi));
    }

    #[test]
    fn rejects_a_malformed_structure() {
        let err = Spec::from_json(r#"{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/x":{"get":{"responses":7}}}}"#)
            .unwrap_err();
        assert!(matches!(err, Error::Structure(_)), "{err}");
    }
}
