//! The operation table codegen writes into the generated crate: every
//! operation's id, method, path template, owner scope and parameters, as
//! data. It is the one list of the operations: the client's dispatch and the
//! fake's routes are checked against it or built from it, and `xtask`'s
//! guard compares it with a new description.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use crate::Error;
use crate::json::deref;
use crate::spec::operations;

/// One operation of a fixed description, as the table holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The operationId.
    pub id: String,
    /// `GET`, `DELETE` or `POST`.
    pub method: String,
    /// The path template, e.g. `/orgs/{org}/packages`.
    pub path: String,
    /// `Org`, `User` or `AuthenticatedUser`, from the path's first segment.
    pub scope: &'static str,
    /// The names of its path and query parameters, sorted.
    pub parameters: Vec<String>,
}

/// Every operation of `document`, in path and method order; fails on a
/// path whose owner scope cannot be told.
pub fn rows(document: &Value) -> Result<Vec<Row>, Error> {
    let mut rows = Vec::new();
    for operation in operations(document) {
        let scope = scope(operation.path).ok_or_else(|| {
            Error::Structure(format!(
                "the path {} is not under /orgs/{{org}}, /users/{{username}} or /user",
                operation.path
            ))
        })?;
        let shared = &document["paths"][operation.path]["parameters"];
        let mut parameters: Vec<String> = [shared, &operation.value["parameters"]]
            .into_iter()
            .filter_map(Value::as_array)
            .flatten()
            .filter_map(|parameter| deref(document, parameter)["name"].as_str())
            .map(str::to_owned)
            .collect();
        parameters.sort();
        parameters.dedup();
        rows.push(Row {
            id: operation.id().to_owned(),
            method: operation.method.to_ascii_uppercase(),
            path: operation.path.to_owned(),
            scope,
            parameters,
        });
    }
    rows.sort_by(|a, b| (&a.path, &a.method).cmp(&(&b.path, &b.method)));
    Ok(rows)
}

fn scope(path: &str) -> Option<&'static str> {
    if path.starts_with("/orgs/{org}/") {
        Some("Org")
    } else if path.starts_with("/users/{username}/") {
        Some("User")
    } else if path.starts_with("/user/") {
        Some("AuthenticatedUser")
    } else {
        None
    }
}

/// The items appended to the generated file: the types and the table.
pub(crate) fn items(document: &Value) -> Result<TokenStream, Error> {
    let rows = rows(document)?.into_iter().map(|row| {
        let Row {
            id,
            method,
            path,
            scope,
            parameters,
        } = row;
        let scope: TokenStream = scope.parse().expect("a scope is an identifier");
        quote! {
            Operation {
                id: #id,
                method: #method,
                path: #path,
                scope: OwnerScope::#scope,
                parameters: &[#(#parameters),*],
            }
        }
    });
    Ok(quote! {
        /// Whose packages an operation is about, by its path.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum OwnerScope {
            /// `/orgs/{org}/…`
            Org,
            /// `/users/{username}/…`
            User,
            /// `/user/…`: the token's own user.
            AuthenticatedUser,
        }

        /// One operation of the description.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct Operation {
            /// The operationId.
            pub id: &'static str,
            /// `GET`, `DELETE` or `POST`.
            pub method: &'static str,
            /// The path template, e.g. `/orgs/{org}/packages`.
            pub path: &'static str,
            /// Whose packages it is about.
            pub scope: OwnerScope,
            /// Its path and query parameters, by name, sorted.
            pub parameters: &'static [&'static str],
        }

        /// Every operation of the description (after the fixups), in path
        /// and method order: the one list the client's dispatch, the fake's
        /// routes and the maintainer's guard are held against.
        pub const OPERATIONS: &[Operation] = &[#(#rows),*];
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn rows_carry_the_scope_and_every_parameter() {
        let document = json!({
            "paths": {
                "/user/packages/{package_type}/{package_name}": {
                    "parameters": [{"$ref": "#/components/parameters/package-type"}],
                    "delete": {"operationId": "packages/delete-mine", "parameters": [
                        {"name": "package_name", "in": "path"}
                    ]}
                },
                "/orgs/{org}/packages": {"get": {"operationId": "packages/list", "parameters": [
                    {"name": "per_page", "in": "query"}, {"name": "org", "in": "path"}
                ]}}
            },
            "components": {"parameters": {"package-type": {"name": "package_type", "in": "path"}}}
        });
        let rows = rows(&document).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].id, "packages/list");
        assert_eq!(rows[0].scope, "Org");
        assert_eq!(rows[0].parameters, ["org", "per_page"]);
        assert_eq!(rows[1].method, "DELETE");
        assert_eq!(rows[1].scope, "AuthenticatedUser");
        assert_eq!(rows[1].parameters, ["package_name", "package_type"]);

        let stray = json!({"paths": {"/repos/{owner}/{repo}": {"get": {"operationId": "x"}}}});
        assert!(rows_error(&stray).contains("/repos/{owner}/{repo}"));
    }

    fn rows_error(document: &Value) -> String {
        rows(document).unwrap_err().to_string()
    }
}
