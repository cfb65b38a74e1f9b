//! The 27 packages operations the fake serves, on the paths of `spec/`
//! (the conformance test checks that this table and the spec agree), and
//! a matcher that takes a request path apart.

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

macro_rules! routes {
    ($($method:literal $path:literal $id:literal $op:ident $scope:ident,)*) => {
        /// Every operation the fake serves.
        pub const ROUTES: &[Route] = &[$(Route {
            method: $method, path: $path, operation_id: $id, op: Op::$op, scope: Scope::$scope,
        },)*];
    };
}

routes! {
    "GET" "/orgs/{org}/docker/conflicts" "packages/list-docker-migration-conflicting-packages-for-organization" DockerConflicts Org,
    "GET" "/users/{username}/docker/conflicts" "packages/list-docker-migration-conflicting-packages-for-user" DockerConflicts User,
    "GET" "/user/docker/conflicts" "packages/list-docker-migration-conflicting-packages-for-authenticated-user" DockerConflicts Me,
    "GET" "/orgs/{org}/packages" "packages/list-packages-for-organization" ListPackages Org,
    "GET" "/users/{username}/packages" "packages/list-packages-for-user" ListPackages User,
    "GET" "/user/packages" "packages/list-packages-for-authenticated-user" ListPackages Me,
    "GET" "/orgs/{org}/packages/{package_type}/{package_name}" "packages/get-package-for-organization" GetPackage Org,
    "GET" "/users/{username}/packages/{package_type}/{package_name}" "packages/get-package-for-user" GetPackage User,
    "GET" "/user/packages/{package_type}/{package_name}" "packages/get-package-for-authenticated-user" GetPackage Me,
    "DELETE" "/orgs/{org}/packages/{package_type}/{package_name}" "packages/delete-package-for-org" DeletePackage Org,
    "DELETE" "/users/{username}/packages/{package_type}/{package_name}" "packages/delete-package-for-user" DeletePackage User,
    "DELETE" "/user/packages/{package_type}/{package_name}" "packages/delete-package-for-authenticated-user" DeletePackage Me,
    "POST" "/orgs/{org}/packages/{package_type}/{package_name}/restore" "packages/restore-package-for-org" RestorePackage Org,
    "POST" "/users/{username}/packages/{package_type}/{package_name}/restore" "packages/restore-package-for-user" RestorePackage User,
    "POST" "/user/packages/{package_type}/{package_name}/restore" "packages/restore-package-for-authenticated-user" RestorePackage Me,
    "GET" "/orgs/{org}/packages/{package_type}/{package_name}/versions" "packages/get-all-package-versions-for-package-owned-by-org" ListVersions Org,
    "GET" "/users/{username}/packages/{package_type}/{package_name}/versions" "packages/get-all-package-versions-for-package-owned-by-user" ListVersions User,
    "GET" "/user/packages/{package_type}/{package_name}/versions" "packages/get-all-package-versions-for-package-owned-by-authenticated-user" ListVersions Me,
    "GET" "/orgs/{org}/packages/{package_type}/{package_name}/versions/{package_version_id}" "packages/get-package-version-for-organization" GetVersion Org,
    "GET" "/users/{username}/packages/{package_type}/{package_name}/versions/{package_version_id}" "packages/get-package-version-for-user" GetVersion User,
    "GET" "/user/packages/{package_type}/{package_name}/versions/{package_version_id}" "packages/get-package-version-for-authenticated-user" GetVersion Me,
    "DELETE" "/orgs/{org}/packages/{package_type}/{package_name}/versions/{package_version_id}" "packages/delete-package-version-for-org" DeleteVersion Org,
    "DELETE" "/users/{username}/packages/{package_type}/{package_name}/versions/{package_version_id}" "packages/delete-package-version-for-user" DeleteVersion User,
    "DELETE" "/user/packages/{package_type}/{package_name}/versions/{package_version_id}" "packages/delete-package-version-for-authenticated-user" DeleteVersion Me,
    "POST" "/orgs/{org}/packages/{package_type}/{package_name}/versions/{package_version_id}/restore" "packages/restore-package-version-for-org" RestoreVersion Org,
    "POST" "/users/{username}/packages/{package_type}/{package_name}/versions/{package_version_id}/restore" "packages/restore-package-version-for-user" RestoreVersion User,
    "POST" "/user/packages/{package_type}/{package_name}/versions/{package_version_id}/restore" "packages/restore-package-version-for-authenticated-user" RestoreVersion Me,
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
    for route in ROUTES {
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
    fn there_are_27_distinct_operations() {
        let mut ids: Vec<&str> = ROUTES.iter().map(|r| r.operation_id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 27);
    }
}
