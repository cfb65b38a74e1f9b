//! GitHub's answers as JSON: owners, packages and versions in the shapes
//! GitHub sends, error bodies, and pages with their `Link` header.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::github::model::{Owner, Package, State, Version};
use crate::routes::{Matched, Query};

/// An answer to a REST request, before it becomes HTTP.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: Option<Value>,
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl Answer {
    pub(crate) fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            body: Some(body),
            headers: Vec::new(),
        }
    }

    pub(crate) fn empty() -> Self {
        Self {
            status: 204,
            body: None,
            headers: Vec::new(),
        }
    }

    /// GitHub's error body; `status` as a string, as GitHub sends it.
    pub(crate) fn error(status: u16, message: &str) -> Self {
        Self::json(
            status,
            json!({
                "message": message,
                "documentation_url": "https://docs.github.com/rest/packages/packages",
                "status": status.to_string(),
            }),
        )
    }

    pub(crate) fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// Why an operation did not succeed, as the answer that says so.
pub(crate) type Failure = Answer;

impl State {
    pub(crate) fn owner_json(&self, login_key: &str, base: &str) -> Value {
        let owner = &self.owners[login_key];
        let login = &owner.login;
        let api = format!("{base}/users/{login}");
        json!({
            "login": login, "id": owner.id, "node_id": format!("U_fake{}", owner.id),
            "avatar_url": format!("https://avatars.githubusercontent.com/u/{}?v=4", owner.id),
            "gravatar_id": "", "url": api, "html_url": format!("https://github.com/{login}"),
            "followers_url": format!("{api}/followers"),
            "following_url": format!("{api}/following{{/other_user}}"),
            "gists_url": format!("{api}/gists{{/gist_id}}"),
            "starred_url": format!("{api}/starred{{/owner}}{{/repo}}"),
            "subscriptions_url": format!("{api}/subscriptions"),
            "organizations_url": format!("{api}/orgs"),
            "repos_url": format!("{api}/repos"),
            "events_url": format!("{api}/events{{/privacy}}"),
            "received_events_url": format!("{api}/received_events"),
            "type": if owner.members.is_some() { "Organization" } else { "User" },
            "user_view_type": "public",
            "site_admin": false,
        })
    }

    /// Where the package at `index` lives: the package, its owner, the
    /// owner's URL family (`orgs` or `users`) and its name as one segment.
    fn place(&self, index: usize) -> (&Package, &Owner, &'static str, String) {
        let package = &self.packages[index];
        let owner = &self.owners[&package.owner];
        let scope = if owner.members.is_some() {
            "orgs"
        } else {
            "users"
        };
        (package, owner, scope, encode(&package.name))
    }

    /// A package as GitHub shows it; listings leave out `version_count`
    /// (PyGithub's recorded answers), single GETs include it, and a linked
    /// repository is a reduced object (docs/github-behaviour.md, "Paging and listings").
    pub(crate) fn package_json(&self, index: usize, base: &str, with_count: bool) -> Value {
        let (package, owner, scope, encoded) = self.place(index);
        let mut json = json!({
            "id": package.id,
            "name": package.name,
            "package_type": package.package_type,
            "owner": self.owner_json(&package.owner, base),
            "visibility": package.visibility,
            "url": format!("{base}/{scope}/{}/packages/{}/{encoded}", owner.login, package.package_type),
            "html_url": format!("https://github.com/{scope}/{}/packages/{}/package/{encoded}", owner.login, package.package_type),
            "created_at": package.created.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "updated_at": package.updated.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        });
        if with_count {
            json["version_count"] = json!(
                package
                    .versions
                    .iter()
                    .filter(|v| v.deleted.is_none())
                    .count()
            );
        }
        if let Some(repository) = &package.repository {
            let (repo_owner, name) = repository
                .split_once('/')
                .unwrap_or((&owner.login, repository));
            let owner_key = repo_owner.to_ascii_lowercase();
            let mut repo = json!({
                "id": 700_000 + package.id, "node_id": format!("R_fake{}", package.id),
                "name": name, "full_name": repository,
                "private": package.visibility != "public",
                "html_url": format!("https://github.com/{repository}"),
                "description": null, "fork": false,
                "url": format!("{base}/repos/{repository}"),
            });
            if self.owners.contains_key(&owner_key) {
                repo["owner"] = self.owner_json(&owner_key, base);
            }
            json["repository"] = repo;
        }
        json
    }

    pub(crate) fn version_json(&self, index: usize, version: &Version, base: &str) -> Value {
        let (package, owner, scope, encoded) = self.place(index);
        let time = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let mut metadata = json!({"package_type": package.package_type});
        match package.package_type.as_str() {
            "container" => metadata["container"] = json!({"tags": version.tags}),
            "docker" => metadata["docker"] = json!({"tag": version.tags}),
            _ => {}
        }
        let mut json = json!({
            "id": version.id,
            "name": version.name,
            "url": format!("{base}/{scope}/{}/packages/{}/{encoded}/versions/{}", owner.login, package.package_type, version.id),
            "package_html_url": format!("https://github.com/{scope}/{}/packages/{}/package/{encoded}", owner.login, package.package_type),
            "html_url": format!("https://github.com/{scope}/{}/packages/{}/{encoded}/{}", owner.login, package.package_type, version.id),
            "created_at": time(version.created),
            "updated_at": time(version.updated),
            "metadata": metadata,
        });
        if let Some(at) = version.deleted {
            json["deleted_at"] = json!(time(at));
        }
        if let Some(license) = &version.license {
            json["license"] = json!(license);
        }
        if let Some(description) = &version.description {
            json["description"] = json!(description);
        }
        json
    }
}

/// A name as one path segment.
pub(crate) fn encode(name: &str) -> String {
    percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC)
        .to_string()
        .replace("%2D", "-")
        .replace("%2E", ".")
        .replace("%5F", "_")
}

pub(crate) fn window<T>(items: &[T], page: u64, per_page: u64) -> &[T] {
    let start = (page - 1).saturating_mul(per_page).min(items.len() as u64) as usize;
    let end = start.saturating_add(per_page as usize).min(items.len());
    &items[start..end]
}

/// GitHub's `Link` header: `first`, `prev`, `next`, `last`, each keeping the
/// request's other query parameters. A page past the end still gets
/// `first`, `prev` and `last`.
pub(crate) fn with_links(
    answer: Answer,
    base: &str,
    matched: &Matched,
    query: &Query,
    page: u64,
    per_page: u64,
    total: u64,
) -> Answer {
    let last = total.div_ceil(per_page).max(1);
    let path = matched
        .route
        .path
        .split('/')
        .map(
            |part| match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                Some(name) => encode(matched.param(name).unwrap_or_default()),
                None => part.to_owned(),
            },
        )
        .collect::<Vec<_>>()
        .join("/");
    let link = |page: u64, rel: &str| {
        let mut pairs = form_urlencoded::Serializer::new(String::new());
        for (k, v) in query
            .pairs
            .iter()
            .filter(|(k, _)| k != "page" && k != "per_page")
        {
            pairs.append_pair(k, v);
        }
        pairs.append_pair("per_page", &per_page.to_string());
        pairs.append_pair("page", &page.to_string());
        format!("<{base}{path}?{}>; rel=\"{rel}\"", pairs.finish())
    };
    let mut links = Vec::new();
    if page < last {
        links.push(link(page + 1, "next"));
        links.push(link(last, "last"));
    }
    if page > 1 {
        links.push(link(1, "first"));
        links.push(link((page - 1).min(last), "prev"));
        if page >= last {
            links.push(link(last, "last"));
        }
    }
    if links.is_empty() {
        answer
    } else {
        answer.with_header("link", links.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes;

    fn links(page: u64, total: u64) -> Option<String> {
        let matched =
            routes::matched("GET", "/orgs/acme/packages/npm/team%2Fapp/versions").unwrap();
        let query = Query::parse(Some(&format!("state=active&page={page}")));
        let answer = with_links(
            Answer::empty(),
            "http://fake",
            &matched,
            &query,
            page,
            10,
            total,
        );
        answer
            .headers
            .into_iter()
            .find(|(name, _)| *name == "link")
            .map(|(_, value)| value)
    }

    #[test]
    fn links_keep_the_query_and_a_page_past_the_end_still_points_back() {
        let first = links(1, 25).unwrap();
        assert_eq!(
            first,
            "<http://fake/orgs/acme/packages/npm/team%2Fapp/versions?state=active&per_page=10&page=2>; rel=\"next\", \
             <http://fake/orgs/acme/packages/npm/team%2Fapp/versions?state=active&per_page=10&page=3>; rel=\"last\""
        );
        let past = links(9, 25).unwrap();
        assert!(!past.contains("rel=\"next\""), "{past}");
        assert!(past.contains("page=1>; rel=\"first\""), "{past}");
        assert!(past.contains("page=3>; rel=\"prev\""), "{past}");
        assert!(past.contains("page=3>; rel=\"last\""), "{past}");
        assert_eq!(links(1, 5), None, "one page: no Link header");
    }

    #[test]
    fn pages_are_windows_of_the_listing() {
        let items: Vec<u32> = (0..25).collect();
        assert_eq!(window(&items, 3, 10), &items[20..25]);
        assert!(window(&items, 4, 10).is_empty());
    }
}
