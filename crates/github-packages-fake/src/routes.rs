//! The 27 packages operations the fake serves, built from the generated
//! operation table, and a matcher that takes a request path apart.

use std::sync::LazyLock;

/// What an operation does; the owner scope is the route's [`Scope`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// Packages whose Docker migration conflicted.
    DockerConflicts,
    /// A listing of packages.
    ListPackages,
    /// One package.
    GetPackage,
    /// Delete a package.
    DeletePackage,
    /// Restore a package.
    RestorePackage,
    /// A listing of versions.
    ListVersions,
    /// One version.
    GetVersion,
    /// Delete a version.
    DeleteVersion,
    /// Restore a version.
    RestoreVersion,
}

/// Whose packages a route is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// `/orgs/{org}`.
    Org,
    /// `/users/{username}`.
    User,
    /// `/user`: the token's user.
    Me,
}

/// One operation: method, path template (as in the spec), operationId.
#[derive(Clone, Copy, Debug)]
pub struct Route {
    /// `GET`, `DELETE` or `POST`.
    pub method: &'static str,
    /// The spec's path template.
    pub path: &'static str,
    /// GitHub's operationId.
    pub operation_id: &'static str,
    /// What it does.
    pub op: Op,
    /// Whose packages.
    pub scope: Scope,
}

/// Every operation the fake serves: the rows of the generated operation
/// table (`generated::OPERATIONS`, the one list of them), each with what
/// it does.
pub static ROUTES: LazyLock<Vec<Route>> =
    LazyLock::new(|| generated::OPERATIONS.iter().filter_map(Route::of).collect());

impl Route {
    /// The route of a table row, by its method and the shape of its path;
    /// `None` for an operation the fake does not know (a test fails then).
    fn of(row: &generated::Operation) -> Option<Self> {
        let path = row.path;
        let op = match (row.method, path.rsplit('/').next()?) {
            ("GET", "conflicts") if path.ends_with("/docker/conflicts") => Op::DockerConflicts,
            ("GET", "packages") => Op::ListPackages,
            ("GET", "{package_name}") => Op::GetPackage,
            ("DELETE", "{package_name}") => Op::DeletePackage,
            ("POST", "restore") if path.ends_with("{package_name}/restore") => Op::RestorePackage,
            ("GET", "versions") => Op::ListVersions,
            ("GET", "{package_version_id}") => Op::GetVersion,
            ("DELETE", "{package_version_id}") => Op::DeleteVersion,
            ("POST", "restore") if path.ends_with("{package_version_id}/restore") => {
                Op::RestoreVersion
            }
            _ => return None,
        };
        let scope = match row.scope {
            generated::OwnerScope::Org => Scope::Org,
            generated::OwnerScope::User => Scope::User,
            generated::OwnerScope::AuthenticatedUser => Scope::Me,
        };
        Some(Self {
            method: row.method,
            path,
            operation_id: row.id,
            op,
            scope,
        })
    }
}

/// A request path matched against a route: the route and its parameters,
/// percent-decoded (`team%2Fapp` arrives as one segment and is `team/app`).
#[derive(Clone, Debug)]
pub struct Matched {
    /// The route.
    pub route: &'static Route,
    /// `(name, value)` of each path parameter, in order.
    pub params: Vec<(&'static str, String)>,
}

impl Matched {
    /// A parameter's value.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The route for `method` and raw `path`; `Err(true)` when the path exists
/// for another method (405), `Err(false)` when it does not (404).
pub fn matched(method: &str, path: &str) -> Result<Matched, bool> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let mut other_method = false;
    for route in ROUTES.iter() {
        let Some(params) = match_template(route.path, &segments) else {
            continue;
        };
        if route.method == method {
            return Ok(Matched { route, params });
        }
        other_method = true;
    }
    Err(other_method)
}

fn match_template(
    template: &'static str,
    segments: &[&str],
) -> Option<Vec<(&'static str, String)>> {
    let parts: Vec<&'static str> = template.split('/').collect();
    if parts.len() != segments.len() {
        return None;
    }
    let mut params = Vec::new();
    for (part, segment) in parts.into_iter().zip(segments) {
        match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            Some(name) => {
                if segment.is_empty() {
                    return None;
                }
                let value = percent_encoding::percent_decode_str(segment)
                    .decode_utf8()
                    .ok()?
                    .into_owned();
                params.push((name, value));
            }
            None if part == *segment => {}
            None => return None,
        }
    }
    Some(params)
}

/// The query parameters the operations read.
#[derive(Debug, Default)]
pub(crate) struct Query {
    pub(crate) pairs: Vec<(String, String)>,
}

impl Query {
    pub(crate) fn parse(raw: Option<&str>) -> Self {
        Self {
            pairs: form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        }
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_slashes_arrive_as_one_encoded_segment() {
        let m = matched("GET", "/orgs/acme/packages/container/team%2Fapp/versions").unwrap();
        assert_eq!(m.route.op, Op::ListVersions);
        assert_eq!(m.param("package_name"), Some("team/app"));
        assert_eq!(m.param("org"), Some("acme"));
        // Unencoded, the extra segment matches nothing.
        assert!(matched("GET", "/orgs/acme/packages/container/team/app").is_err());
    }

    #[test]
    fn methods_and_unknown_paths_are_told_apart() {
        assert!(matches!(matched("PUT", "/user/packages"), Err(true)));
        assert!(matches!(matched("GET", "/nope"), Err(false)));
        let m = matched("POST", "/user/packages/npm/p/versions/7/restore").unwrap();
        assert_eq!(m.route.scope, Scope::Me);
        assert_eq!(m.param("package_version_id"), Some("7"));
    }

    #[test]
    fn every_row_of_the_operation_table_is_served() {
        assert_eq!(
            ROUTES.len(),
            generated::OPERATIONS.len(),
            "an operation the fake does not know"
        );
        let mut ids: Vec<&str> = ROUTES.iter().map(|r| r.operation_id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 27);
        let ops: std::collections::BTreeSet<String> = ROUTES
            .iter()
            .map(|r| format!("{:?} {:?}", r.op, r.scope))
            .collect();
        assert_eq!(
            ops.len(),
            27,
            "each of the nine operations in each of the three scopes"
        );
    }
}
