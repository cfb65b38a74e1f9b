//! The account endpoints clients call before the packages API: whose
//! quota is left (`GET /rate_limit`), whether a login is a user or an
//! organization (`GET /users/{login}`, `GET /orgs/{org}`), and who the
//! token is (`GET /user`). Shapes follow GitHub's `public-user`,
//! `private-user`, `organization-full` and `rate-limit-overview` schemas
//! (docs/github-behaviour.md, "What other clients call first").

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::github::access::Caller;
use crate::github::model::State;
use crate::github::render::Answer;
use crate::seed::TokenKind;

/// An account endpoint a request names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Account {
    /// `GET /rate_limit`.
    RateLimit,
    /// `GET /users/{login}`: a user, or an organization as a user.
    User(String),
    /// `GET /user`: the token's user.
    Me,
    /// `GET /orgs/{org}`.
    Org(String),
}

impl Account {
    /// The account endpoint of a GET to `path`, if it is one.
    pub(crate) fn of(method: &str, path: &str) -> Option<Self> {
        if method != "GET" {
            return None;
        }
        let path = path.trim_end_matches('/');
        let one_segment =
            |rest: &str| (!rest.is_empty() && !rest.contains('/')).then(|| rest.to_owned());
        match path {
            "/rate_limit" => Some(Self::RateLimit),
            "/user" => Some(Self::Me),
            _ => path
                .strip_prefix("/users/")
                .and_then(one_segment)
                .map(Self::User)
                .or_else(|| {
                    path.strip_prefix("/orgs/")
                        .and_then(one_segment)
                        .map(Self::Org)
                }),
        }
    }

    /// The path template, for the rate limits' per-endpoint budget.
    pub(crate) fn template(&self) -> &'static str {
        match self {
            Self::RateLimit => "/rate_limit",
            Self::User(_) => "/users/{username}",
            Self::Me => "/user",
            Self::Org(_) => "/orgs/{org}",
        }
    }
}

/// A caller's primary quota as the limits count it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Quota {
    pub(crate) limit: u64,
    pub(crate) used: u64,
    /// When the window resets, in real epoch seconds.
    pub(crate) reset: i64,
}

/// `GET /rate_limit`: the caller's quota as `core` and `rate`, without
/// counting against it; GitHub Enterprise Server with rate limits off
/// answers 404 (its description documents one for this endpoint).
pub(crate) fn rate_limit(quota: Option<Quota>) -> Answer {
    let Some(Quota { limit, used, reset }) = quota else {
        return Answer::error(404, "Rate limiting is not enabled.");
    };
    let core = json!({
        "limit": limit, "used": used, "remaining": limit.saturating_sub(used), "reset": reset,
    });
    let other = |limit: u64| json!({"limit": limit, "used": 0, "remaining": limit, "reset": reset});
    Answer::json(
        200,
        json!({
            "resources": {
                "core": core,
                "search": other(30),
                "graphql": other(5000),
                "code_search": other(10),
            },
            "rate": core,
        }),
    )
}

impl State {
    /// Answers `GET /users/{login}`, `GET /user` or `GET /orgs/{org}`.
    pub(crate) fn account(
        &self,
        account: &Account,
        caller: Caller<'_>,
        now: DateTime<Utc>,
        base: &str,
    ) -> Answer {
        let found = |login: &str| self.owners.contains_key(&login.to_ascii_lowercase());
        match account {
            Account::RateLimit => Answer::error(404, "Not Found"),
            Account::User(login) if found(login) => Answer::json(
                200,
                self.user_json(&login.to_ascii_lowercase(), now, base, false),
            ),
            Account::Org(login) if self.is_org(login) => {
                Answer::json(200, self.org_json(&login.to_ascii_lowercase(), now, base))
            }
            Account::User(_) | Account::Org(_) => Answer::error(404, "Not Found"),
            Account::Me => match caller {
                Caller::Anonymous => Answer::error(401, "Requires authentication"),
                // A workflow token is no user (docs/github-behaviour.md,
                // "Names and tokens").
                Caller::Token(token) if token.kind == TokenKind::Actions => {
                    Answer::error(403, "Resource not accessible by integration")
                }
                Caller::Token(token) => {
                    Answer::json(200, self.user_json(&token.user, now, base, true))
                }
            },
        }
    }

    fn is_org(&self, login: &str) -> bool {
        self.owners
            .get(&login.to_ascii_lowercase())
            .is_some_and(|owner| owner.members.is_some())
    }

    /// `public-user` (or `private-user`, for the token's own account): the
    /// owner as packages show it, and the profile fields GitHub requires.
    fn user_json(&self, key: &str, now: DateTime<Utc>, base: &str, private: bool) -> Value {
        let mut json = self.owner_json(key, base);
        let created = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        for (field, value) in [
            ("name", Value::Null),
            ("company", Value::Null),
            ("blog", json!("")),
            ("location", Value::Null),
            ("email", Value::Null),
            ("hireable", Value::Null),
            ("bio", Value::Null),
            ("public_repos", json!(0)),
            ("public_gists", json!(0)),
            ("followers", json!(0)),
            ("following", json!(0)),
            ("created_at", json!(created)),
            ("updated_at", json!(created)),
        ] {
            json[field] = value;
        }
        if private {
            json["user_view_type"] = json!("private");
            for field in [
                "collaborators",
                "disk_usage",
                "owned_private_repos",
                "private_gists",
                "total_private_repos",
            ] {
                json[field] = json!(0);
            }
            json["two_factor_authentication"] = json!(true);
        }
        json
    }

    /// `organization-full`, with what the fake knows of an organization.
    fn org_json(&self, key: &str, now: DateTime<Utc>, base: &str) -> Value {
        let owner = &self.owners[key];
        let login = &owner.login;
        let api = format!("{base}/orgs/{login}");
        let created = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        json!({
            "login": login, "id": owner.id, "node_id": format!("O_fake{}", owner.id),
            "url": api, "repos_url": format!("{api}/repos"), "events_url": format!("{api}/events"),
            "hooks_url": format!("{api}/hooks"), "issues_url": format!("{api}/issues"),
            "members_url": format!("{api}/members{{/member}}"),
            "public_members_url": format!("{api}/public_members{{/member}}"),
            "avatar_url": format!("https://avatars.githubusercontent.com/u/{}?v=4", owner.id),
            "description": null, "html_url": format!("https://github.com/{login}"),
            "has_organization_projects": true, "has_repository_projects": true,
            "public_repos": 0, "public_gists": 0, "followers": 0, "following": 0,
            "type": "Organization", "created_at": created, "updated_at": created,
            "archived_at": null,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_paths_are_told_from_others() {
        assert_eq!(Account::of("GET", "/rate_limit"), Some(Account::RateLimit));
        assert_eq!(Account::of("GET", "/user"), Some(Account::Me));
        assert_eq!(
            Account::of("GET", "/users/octocat"),
            Some(Account::User("octocat".into()))
        );
        assert_eq!(
            Account::of("GET", "/orgs/acme/"),
            Some(Account::Org("acme".into()))
        );
        for other in [
            "/users/octocat/packages",
            "/user/packages",
            "/orgs/",
            "/v2/",
        ] {
            assert_eq!(Account::of("GET", other), None, "{other}");
        }
        assert_eq!(Account::of("DELETE", "/user"), None);
    }

    #[test]
    fn the_quota_is_core_and_rate_and_off_is_not_found() {
        let quota = Quota {
            limit: 5000,
            used: 12,
            reset: 1_700_000_000,
        };
        let answer = rate_limit(Some(quota));
        let body = answer.body.unwrap();
        assert_eq!(body["rate"], body["resources"]["core"]);
        assert_eq!(body["rate"]["remaining"], 4988);
        assert_eq!(rate_limit(None).status, 404);
    }
}
