use serde_json::Value;

use crate::json::deref;

/// The operation GitHub's description leaves without paging parameters.
const USER_VERSIONS: &str = "packages/get-all-package-versions-for-package-owned-by-user";
/// Its organization twin, whose parameters GitHub documents.
const ORG_VERSIONS: &str = "packages/get-all-package-versions-for-package-owned-by-org";
/// The query parameters the user variant accepts although upstream omits them.
const MISSING: [&str; 3] = ["page", "per_page", "state"];

/// Gives a named user's package-version listing the `page`, `per_page` and
/// `state` parameters its organization twin documents.
///
/// Upstream documents no query parameters for
/// `GET /users/{username}/packages/{package_type}/{package_name}/versions`,
/// but GitHub accepts all three and pages the answer like the other owner
/// scopes: github/rest-api-description#1651 (open, labelled inaccuracy);
/// go-github sends them since google/go-github#2251; GitHub's own
/// `actions/delete-package-versions` and `dataaxiom/ghcr-cleanup-action`
/// send them. Without them a client sees only the first 30 versions of a
/// user's package and cannot list deleted ones.
///
/// The parameters are copied from the organization operation, so the two
/// stay identical (and `state` is hoisted into the same enum). A parameter
/// upstream starts documenting is left as upstream writes it.
pub fn page_user_package_versions(document: &mut Value) -> Result<(), String> {
    let template: Vec<(&str, Value)> = {
        let org = find_operation(document, ORG_VERSIONS)
            .ok_or_else(|| format!("`{ORG_VERSIONS}` is gone; there is nothing to copy from"))?;
        let parameters = org["parameters"].as_array().cloned().unwrap_or_default();
        MISSING
            .iter()
            .map(|name| {
                parameters
                    .iter()
                    .find(|p| parameter_name(document, p) == Some(name))
                    .map(|p| (*name, p.clone()))
                    .ok_or_else(|| format!("`{ORG_VERSIONS}` no longer documents `{name}`"))
            })
            .collect::<Result<_, _>>()?
    };
    let present: Vec<String> = {
        let user = find_operation(document, USER_VERSIONS)
            .ok_or_else(|| format!("`{USER_VERSIONS}` is gone; remove this fixup"))?;
        user["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| parameter_name(document, p).map(str::to_owned))
            .collect()
    };
    let user = find_operation_mut(document, USER_VERSIONS).expect("found above");
    let Value::Array(parameters) = user
        .as_object_mut()
        .ok_or("the operation is not an object")?
        .entry("parameters")
        .or_insert_with(|| Value::Array(Vec::new()))
    else {
        return Err(format!("`{USER_VERSIONS}` has non-list parameters"));
    };
    for (name, parameter) in template {
        if !present.iter().any(|p| p == name) {
            parameters.push(parameter);
        }
    }
    Ok(())
}

fn parameter_name<'a>(document: &'a Value, parameter: &'a Value) -> Option<&'a str> {
    deref(document, parameter)
        .get("name")
        .and_then(Value::as_str)
}

fn find_operation<'a>(document: &'a Value, id: &str) -> Option<&'a Value> {
    crate::spec::operations(document)
        .into_iter()
        .find(|op| op.id() == id)
        .map(|op| op.value)
}

fn find_operation_mut<'a>(document: &'a mut Value, id: &str) -> Option<&'a mut Value> {
    let location = crate::spec::operations(document)
        .into_iter()
        .find(|op| op.id() == id)
        .map(|op| (op.path.to_owned(), op.method.to_owned()))?;
    document
        .get_mut("paths")?
        .get_mut(&location.0)?
        .get_mut(&location.1)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::fixups::testing::{fixed, fixed_except, generate, vendored};

    fn query_names(document: &Value, id: &str) -> Vec<String> {
        let operation = find_operation(document, id).unwrap();
        let mut names: Vec<String> = operation["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| deref(document, p))
            .filter(|p| p["in"] == "query")
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect();
        names.sort();
        names
    }

    /// The generated builder's source for an operation, up to its `send`.
    fn builder(code: &str, name: &str) -> String {
        let start = code
            .find(&format!("pub struct {name}<'a>"))
            .unwrap_or_else(|| panic!("no builder {name}"));
        let end = start + code[start..].find("pub async fn send").unwrap();
        code[start..end].to_owned()
    }

    #[test]
    fn the_vendored_user_listing_documents_no_query_parameters() {
        let document = vendored().value();
        assert!(query_names(document, USER_VERSIONS).is_empty());
        assert_eq!(
            query_names(document, ORG_VERSIONS),
            ["page", "per_page", "state"]
        );
    }

    #[test]
    fn without_the_fixup_the_generated_user_builder_cannot_page() {
        let code = generate(&fixed_except("page_user_package_versions")).unwrap();
        let user = builder(&code, "PackagesGetAllPackageVersionsForPackageOwnedByUser");
        for setter in ["pub fn page<", "pub fn per_page<", "pub fn state<"] {
            assert!(!user.contains(setter), "{setter} in {user}");
        }
    }

    #[test]
    fn after_the_fixup_the_user_listing_pages_like_the_org_listing() {
        let document = fixed();
        assert_eq!(
            query_names(&document, USER_VERSIONS),
            query_names(&document, ORG_VERSIONS)
        );
        let code = generate(&document).unwrap();
        let user = builder(&code, "PackagesGetAllPackageVersionsForPackageOwnedByUser");
        for setter in ["pub fn page<", "pub fn per_page<", "pub fn state<"] {
            assert!(user.contains(setter), "{setter} missing in {user}");
        }
        assert!(
            user.contains("state: Result<Option<types::PackageVersionState>, String>"),
            "{user}"
        );
    }

    #[test]
    fn parameters_upstream_starts_documenting_are_not_doubled() {
        let mut document = json!({"paths": {
            "/orgs/{org}/v": {"get": {"operationId": ORG_VERSIONS, "parameters": [
                {"$ref": "#/components/parameters/page"},
                {"$ref": "#/components/parameters/per-page"},
                {"name": "state", "in": "query", "schema": {"type": "string"}}
            ]}},
            "/users/{u}/v": {"get": {"operationId": USER_VERSIONS, "parameters": [
                {"$ref": "#/components/parameters/page"}
            ]}}
        }, "components": {"parameters": {
            "page": {"name": "page", "in": "query"},
            "per-page": {"name": "per_page", "in": "query"}
        }}});
        page_user_package_versions(&mut document).unwrap();
        assert_eq!(
            document["paths"]["/users/{u}/v"]["get"]["parameters"],
            json!([
                {"$ref": "#/components/parameters/page"},
                {"$ref": "#/components/parameters/per-page"},
                {"name": "state", "in": "query", "schema": {"type": "string"}}
            ])
        );
    }

    #[test]
    fn a_missing_operation_is_reported() {
        let mut document = json!({"paths": {}});
        let err = page_user_package_versions(&mut document).unwrap_err();
        assert_eq!(
            err,
            format!("`{ORG_VERSIONS}` is gone; there is nothing to copy from")
        );
    }
}
