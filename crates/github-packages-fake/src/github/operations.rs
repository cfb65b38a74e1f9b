//! The nine operations GitHub's packages API has per owner scope, over the
//! model: listings with filters and pages, deletion and restoration, and
//! GitHub's two refusals.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::github::access::Caller;
use crate::github::model::{
    DOWNLOAD_LIMIT, LAST_VERSION, LISTING_DEPTH, Owner, State, TOO_MANY_DOWNLOADS, Version,
    newest_first, restorable,
};
use crate::github::render::{Answer, Failure, window, with_links};
use crate::routes::{Matched, Op, Query, Scope};

/// One request as every operation sees it: who asks, about which owner,
/// what the route names, its query, the fake's time and base URL.
struct Request<'a> {
    caller: Caller<'a>,
    owner: Owner,
    matched: &'a Matched,
    query: &'a Query,
    now: DateTime<Utc>,
    base: &'a str,
}

impl Request<'_> {
    /// Page `page` of `items`, each as `json` shows it, with GitHub's
    /// `Link` header.
    fn page<T>(
        &self,
        items: &[T],
        (page, per_page): (u64, u64),
        json: impl Fn(&T) -> Value,
    ) -> Answer {
        let shown = window(items, page, per_page).iter().map(json).collect();
        let total = items.len() as u64;
        let answer = Answer::json(200, Value::Array(shown));
        with_links(
            answer,
            self.base,
            self.matched,
            self.query,
            page,
            per_page,
            total,
        )
    }
}

impl State {
    /// Answers one REST operation.
    pub(crate) fn handle(
        &mut self,
        now: DateTime<Utc>,
        caller: Caller<'_>,
        matched: &Matched,
        query: &Query,
        base: &str,
    ) -> Answer {
        let route = matched.route;
        match self.authorize(caller, route.op, route.scope, route.method) {
            Ok(()) => {}
            Err(answer) => return answer,
        }
        let owner = match self.owner(caller, matched) {
            Ok(owner) => owner,
            Err(answer) => return answer,
        };
        let request = Request {
            caller,
            owner,
            matched,
            query,
            now,
            base,
        };
        let result = match route.op {
            Op::DockerConflicts => self.docker_conflicts(&request),
            Op::ListPackages => self.list_packages(&request),
            Op::GetPackage => self
                .package(&request)
                .map(|i| Answer::json(200, self.package_json(i, base, true))),
            Op::DeletePackage => self.delete_package(&request),
            Op::RestorePackage => self.restore_package(&request),
            Op::ListVersions => self.list_versions(&request),
            Op::GetVersion => self
                .version(&request)
                .map(|(p, v)| Answer::json(200, self.version_json(p, v, base))),
            Op::DeleteVersion => self.delete_version(&request),
            Op::RestoreVersion => self.restore_version(&request),
        };
        result.unwrap_or_else(|failure| failure)
    }

    fn docker_conflicts(&self, request: &Request<'_>) -> Result<Answer, Failure> {
        let &Request {
            caller,
            ref owner,
            base,
            ..
        } = request;
        let key = owner.login.to_ascii_lowercase();
        let items: Vec<Value> = self
            .packages
            .iter()
            .enumerate()
            .filter(|(_, p)| p.owner == key && p.docker_conflict && p.deleted.is_none())
            .filter(|(_, p)| self.visible(caller, p))
            .map(|(i, _)| self.package_json(i, base, false))
            .collect();
        Ok(Answer::json(200, Value::Array(items)))
    }

    fn list_packages(&self, request: &Request<'_>) -> Result<Answer, Failure> {
        let &Request {
            caller,
            ref owner,
            query,
            matched,
            base,
            ..
        } = request;
        let Some(package_type) = query.get("package_type") else {
            return Err(Answer::error(
                422,
                "Invalid request.\n\n\"package_type\" wasn't supplied.",
            ));
        };
        let (page, per_page) = paging(query)?;
        if page.saturating_mul(per_page) > LISTING_DEPTH {
            return Err(Answer::error(
                400,
                "The value of per_page multiplied by page cannot be greater than 10000.",
            ));
        }
        let key = owner.login.to_ascii_lowercase();
        let mut items: Vec<usize> = self
            .packages
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                p.owner == key && p.package_type == package_type && p.deleted.is_none()
            })
            .filter(|(_, p)| query.get("visibility").is_none_or(|v| p.visibility == v))
            .filter(|(_, p)| self.visible(caller, p))
            // Another user's listing shows only what anyone may see; an
            // organization's shows what the caller may see, on either path.
            .filter(|(_, p)| {
                matched.route.scope != Scope::User
                    || owner.members.is_some()
                    || p.visibility == "public"
                    || caller.user() == Some(key.as_str())
            })
            .map(|(i, _)| i)
            .collect();
        items.sort_by(|a, b| self.packages[*a].name.cmp(&self.packages[*b].name));
        Ok(request.page(&items, (page, per_page), |i| {
            self.package_json(*i, base, false)
        }))
    }

    /// The package a route names, if the caller may see it and it is not
    /// deleted.
    fn package(&self, request: &Request<'_>) -> Result<usize, Failure> {
        let &Request {
            caller,
            ref owner,
            matched,
            ..
        } = request;
        let index = self.find_package(owner, matched)?;
        let package = &self.packages[index];
        if package.deleted.is_some() || !self.visible(caller, package) {
            return Err(Answer::error(404, "Package not found."));
        }
        Ok(index)
    }

    fn find_package(&self, owner: &Owner, matched: &Matched) -> Result<usize, Failure> {
        let package_type = matched.param("package_type").unwrap_or_default();
        let name = matched.param("package_name").unwrap_or_default();
        self.position(&owner.login, package_type, name)
            .ok_or_else(|| Answer::error(404, "Package not found."))
    }

    /// Where the package of `owner` (any case) with this type and name is.
    pub(crate) fn position(&self, owner: &str, package_type: &str, name: &str) -> Option<usize> {
        let owner = owner.to_ascii_lowercase();
        self.packages
            .iter()
            .position(|p| p.owner == owner && p.package_type == package_type && p.name == name)
    }

    fn delete_package(&mut self, request: &Request<'_>) -> Result<Answer, Failure> {
        let &Request { caller, now, .. } = request;
        let index = self.package(request)?;
        if !self.may_change(caller, &self.packages[index]) {
            return Err(Answer::error(
                403,
                "You must be an admin of this package to delete it.",
            ));
        }
        self.packages[index].deleted = Some(now);
        Ok(Answer::empty())
    }

    fn restore_package(&mut self, request: &Request<'_>) -> Result<Answer, Failure> {
        let &Request {
            caller,
            ref owner,
            matched,
            now,
            ..
        } = request;
        let index = self.find_package(owner, matched)?;
        let package = &self.packages[index];
        if !restorable(package.deleted, now) || !self.may_change(caller, package) {
            return Err(Answer::error(404, "Package not found."));
        }
        self.packages[index].deleted = None;
        Ok(Answer::empty())
    }

    fn list_versions(&self, request: &Request<'_>) -> Result<Answer, Failure> {
        let &Request {
            query, now, base, ..
        } = request;
        let index = self.package(request)?;
        let (page, per_page) = paging(query)?;
        let deleted = match query.get("state").unwrap_or("active") {
            "active" => false,
            "deleted" => true,
            other => {
                return Err(Answer::error(
                    422,
                    &format!("Invalid request.\n\n\"{other}\" is not a valid state."),
                ));
            }
        };
        let package = &self.packages[index];
        let mut versions: Vec<&Version> = package
            .versions
            .iter()
            .filter(|v| match v.deleted {
                None => !deleted,
                Some(_) => deleted && restorable(v.deleted, now),
            })
            .collect();
        versions.sort_by(|a, b| newest_first(a, b));
        Ok(request.page(&versions, (page, per_page), |v| {
            self.version_json(index, v, base)
        }))
    }

    /// The active version a route names.
    fn version(&self, request: &Request<'_>) -> Result<(usize, &Version), Failure> {
        let &Request { matched, .. } = request;
        let index = self.package(request)?;
        let id = version_id(matched)?;
        self.packages[index]
            .versions
            .iter()
            .find(|v| v.id == id && v.deleted.is_none())
            .map(|v| (index, v))
            .ok_or_else(|| Answer::error(404, "Package version not found."))
    }

    /// Deletes a version; a second delete answers 404
    /// (dataaxiom/ghcr-cleanup-action#74). GitHub refuses to delete a
    /// package's last version and a public version downloaded more than
    /// 5,000 times, with a 400 and these messages.
    fn delete_version(&mut self, request: &Request<'_>) -> Result<Answer, Failure> {
        let &Request { caller, now, .. } = request;
        let (index, version) = self.version(request)?;
        let (id, downloads) = (version.id, version.downloads);
        let package = &self.packages[index];
        if !self.may_change(caller, package) {
            return Err(Answer::error(
                403,
                "You must be an admin of this package to delete its versions.",
            ));
        }
        if package
            .versions
            .iter()
            .filter(|v| v.deleted.is_none())
            .count()
            == 1
        {
            return Err(Answer::error(400, LAST_VERSION));
        }
        if package.visibility == "public" && downloads > DOWNLOAD_LIMIT {
            return Err(Answer::error(400, TOO_MANY_DOWNLOADS));
        }
        let package = &mut self.packages[index];
        if let Some(version) = package.versions.iter_mut().find(|v| v.id == id) {
            version.deleted = Some(now);
        }
        Ok(Answer::empty())
    }

    fn restore_version(&mut self, request: &Request<'_>) -> Result<Answer, Failure> {
        let &Request {
            caller,
            matched,
            now,
            ..
        } = request;
        let index = self.package(request)?;
        let id = version_id(matched)?;
        if !self.may_change(caller, &self.packages[index]) {
            return Err(Answer::error(404, "Package version not found."));
        }
        let version = self.packages[index]
            .versions
            .iter_mut()
            .find(|v| v.id == id)
            .filter(|v| restorable(v.deleted, now))
            .ok_or_else(|| Answer::error(404, "Package version not found."))?;
        version.deleted = None;
        Ok(Answer::empty())
    }
}

fn version_id(matched: &Matched) -> Result<u64, Failure> {
    matched
        .param("package_version_id")
        .and_then(|id| id.parse().ok())
        .ok_or_else(|| Answer::error(404, "Package version not found."))
}

/// `page` (from 1) and `per_page` (1–100, 30 by default; GitHub caps
/// larger values at 100).
fn paging(query: &Query) -> Result<(u64, u64), Failure> {
    let number = |name: &str, default: u64| match query.get(name) {
        None => Ok(default),
        Some(text) => text.parse::<u64>().map_err(|_| {
            Answer::error(
                422,
                &format!("Invalid request.\n\n\"{name}\" must be a number."),
            )
        }),
    };
    let page = number("page", 1)?.max(1);
    let per_page = number("per_page", 30)?.clamp(1, 100);
    Ok((page, per_page))
}

#[cfg(test)]
mod tests {
    //! The operations' rules, straight on the model (the HTTP side is
    //! tested in `tests/fake`).

    use chrono::Duration;

    use super::*;
    use crate::github::model::Token;
    use crate::routes;
    use crate::seed::{PackageSeed, Seed, TokenSeed};

    const ADMIN: &str = "ghp_admin";

    fn world(now: DateTime<Utc>, versions: usize) -> State {
        let seed = Seed::new()
            .org("acme", ["alice"])
            .token(TokenSeed::all_scopes(ADMIN, "alice"))
            .package(PackageSeed::new("acme", "npm", "tool").versions(versions));
        State::from_seed(&seed, now).unwrap()
    }

    fn call(state: &mut State, now: DateTime<Utc>, method: &str, path: &str) -> Answer {
        let token: Token = state.tokens[ADMIN].clone();
        let matched = routes::matched(method, path).unwrap();
        let query = Query::parse(None);
        state.handle(now, Caller::Token(&token), &matched, &query, "http://fake")
    }

    fn message(answer: &Answer) -> &str {
        answer
            .body
            .as_ref()
            .and_then(|b| b["message"].as_str())
            .unwrap_or_default()
    }

    #[test]
    fn the_last_version_is_refused_and_a_second_delete_is_not_found() {
        let now = DateTime::<Utc>::UNIX_EPOCH + Duration::days(1000);
        let mut state = world(now, 2);
        let ids: Vec<u64> = state.packages[0].versions.iter().map(|v| v.id).collect();
        let path = |id: u64| format!("/orgs/acme/packages/npm/tool/versions/{id}");
        assert_eq!(call(&mut state, now, "DELETE", &path(ids[0])).status, 204);
        assert_eq!(call(&mut state, now, "DELETE", &path(ids[0])).status, 404);
        let refused = call(&mut state, now, "DELETE", &path(ids[1]));
        assert_eq!((refused.status, message(&refused)), (400, LAST_VERSION));
    }

    #[test]
    fn a_deleted_version_is_listed_and_restorable_for_the_window_only() {
        let deleted_at = DateTime::<Utc>::UNIX_EPOCH + Duration::days(1000);
        let mut state = world(deleted_at, 3);
        let id = state.packages[0].versions[0].id;
        let path = format!("/orgs/acme/packages/npm/tool/versions/{id}");
        assert_eq!(call(&mut state, deleted_at, "DELETE", &path).status, 204);

        let later = deleted_at + Duration::days(31);
        let listed = |state: &mut State, now| {
            let token: Token = state.tokens[ADMIN].clone();
            let matched = routes::matched("GET", "/orgs/acme/packages/npm/tool/versions").unwrap();
            let query = Query::parse(Some("state=deleted"));
            let answer = state.handle(now, Caller::Token(&token), &matched, &query, "http://fake");
            answer
                .body
                .and_then(|b| b.as_array().map(Vec::len))
                .unwrap_or(0)
        };
        assert_eq!(listed(&mut state, deleted_at + Duration::days(30)), 1);
        assert_eq!(listed(&mut state, later), 0, "past the window");
        let restore = format!("{path}/restore");
        assert_eq!(call(&mut state, later, "POST", &restore).status, 404);
        assert_eq!(
            call(
                &mut state,
                deleted_at + Duration::days(30),
                "POST",
                &restore
            )
            .status,
            204
        );
    }
}
