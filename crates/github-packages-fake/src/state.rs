//! GitHub's packages semantics over an in-memory model, independent of
//! HTTP: who may see and change what, listings with filters and pages,
//! deletion and 30-day restoration, the two refusals, the answers' shapes.
//! Facts it follows are in `docs/github-behaviour.md`, cited where used.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::images::{self, Manifest};
use crate::routes::{Matched, Op, Scope};
use crate::seed::{Seed, TokenKind};

/// How long GitHub keeps deleted packages and versions restorable.
pub const RESTORE_WINDOW_DAYS: i64 = 30;
/// GitHub refuses to delete public versions downloaded more often.
pub const DOWNLOAD_LIMIT: u64 = 5000;
/// GitHub's refusal to delete a package's last version.
pub const LAST_VERSION: &str =
    "You cannot delete the last version of a package. You must delete the package instead.";
/// GitHub's refusal to delete a popular public version.
pub const TOO_MANY_DOWNLOADS: &str = "Publicly visible package versions with more than 5000 \
     downloads cannot be deleted. Contact GitHub support for further assistance.";
/// GitHub's limit on how deep package listings page.
const LISTING_DEPTH: u64 = 10_000;

/// An organization or a user.
#[derive(Clone, Debug)]
pub(crate) struct Owner {
    pub(crate) login: String,
    pub(crate) id: u64,
    /// Lower-case logins of an organization's members; `None` for a user.
    pub(crate) members: Option<BTreeSet<String>>,
}

/// A token the fake accepts.
#[derive(Clone, Debug)]
pub(crate) struct Token {
    /// How the request log names it (never the secret).
    pub(crate) label: String,
    /// Lower-case login of its user.
    pub(crate) user: String,
    pub(crate) kind: TokenKind,
    pub(crate) scopes: Vec<String>,
    pub(crate) repository: Option<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct Package {
    pub(crate) id: u64,
    /// Lower-case login of the owner.
    pub(crate) owner: String,
    pub(crate) package_type: String,
    pub(crate) name: String,
    pub(crate) visibility: String,
    pub(crate) repository: Option<String>,
    pub(crate) created: DateTime<Utc>,
    pub(crate) updated: DateTime<Utc>,
    pub(crate) docker_conflict: bool,
    pub(crate) deleted: Option<DateTime<Utc>>,
    pub(crate) versions: Vec<Version>,
}

#[derive(Clone, Debug)]
pub(crate) struct Version {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) tags: Vec<String>,
    pub(crate) created: DateTime<Utc>,
    pub(crate) updated: DateTime<Utc>,
    pub(crate) downloads: u64,
    pub(crate) deleted: Option<DateTime<Utc>>,
    pub(crate) license: Option<String>,
    pub(crate) description: Option<String>,
}

/// The fake's whole world.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) owners: BTreeMap<String, Owner>,
    pub(crate) tokens: HashMap<String, Token>,
    pub(crate) packages: Vec<Package>,
    /// Registry manifests by digest.
    pub(crate) manifests: HashMap<String, Manifest>,
}

/// An answer to a REST request, before it becomes HTTP.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: Option<Value>,
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl Answer {
    fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            body: Some(body),
            headers: Vec::new(),
        }
    }

    fn empty() -> Self {
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

    fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// Who is asking.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Caller<'a> {
    Anonymous,
    Token(&'a Token),
}

impl Caller<'_> {
    fn user(&self) -> Option<&str> {
        match self {
            Self::Token(token) if token.kind == TokenKind::Classic => Some(&token.user),
            _ => None,
        }
    }
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

type Failure = Answer;

impl State {
    /// The world a seed describes.
    pub(crate) fn from_seed(seed: &Seed, now: DateTime<Utc>) -> Result<Self, String> {
        let mut state = Self::default();
        let mut next_owner = 1000;
        let mut add_owner = |state: &mut Self, login: &str, members: Option<BTreeSet<String>>| {
            let key = login.to_ascii_lowercase();
            match state.owners.get_mut(&key) {
                Some(existing) if members.is_some() => existing.members = members,
                Some(_) => {}
                None => {
                    next_owner += 1;
                    state.owners.insert(
                        key,
                        Owner {
                            login: login.to_owned(),
                            id: next_owner,
                            members,
                        },
                    );
                }
            }
        };
        for org in &seed.orgs {
            for member in &org.members {
                add_owner(&mut state, member, None);
            }
            let members = org.members.iter().map(|m| m.to_ascii_lowercase()).collect();
            add_owner(&mut state, &org.login, Some(members));
        }
        for user in &seed.users {
            add_owner(&mut state, &user.login, None);
        }
        for (number, token) in seed.tokens.iter().enumerate() {
            if token.kind == TokenKind::Classic {
                add_owner(&mut state, &token.user, None);
            }
            if token.kind == TokenKind::Actions && token.repository.is_none() {
                return Err(format!("Actions token #{} needs a repository", number + 1));
            }
            let label = match token.kind {
                TokenKind::Classic => format!("{} (classic token #{})", token.user, number + 1),
                TokenKind::Actions => format!(
                    "GITHUB_TOKEN of {} (token #{})",
                    token.repository.as_deref().unwrap_or("?"),
                    number + 1
                ),
            };
            state.tokens.insert(
                token.token.clone(),
                Token {
                    label,
                    user: token.user.to_ascii_lowercase(),
                    kind: token.kind,
                    scopes: token.scopes.clone(),
                    repository: token.repository.clone(),
                },
            );
        }

        let mut next_version = 100_000;
        for (number, seed) in seed.packages.iter().enumerate() {
            let owner = seed.owner.to_ascii_lowercase();
            if !state.owners.contains_key(&owner) {
                return Err(format!(
                    "the owner `{}` of package `{}` is neither an org nor a user of the seed",
                    seed.owner, seed.name
                ));
            }
            if !["public", "private", "internal"].contains(&seed.visibility.as_str()) {
                return Err(format!(
                    "package `{}` has visibility `{}`; use public, private or internal",
                    seed.name, seed.visibility
                ));
            }
            let count = seed.versions.len() + seed.images.len();
            let spaced = |i: usize| now - Duration::hours((count - i) as i64);
            let mut versions = Vec::new();
            let mut new_version =
                |name: String, tags, created, downloads, license, description, deleted| {
                    next_version += 1;
                    Version {
                        id: next_version,
                        name,
                        tags,
                        created,
                        updated: created,
                        downloads,
                        deleted,
                        license,
                        description,
                    }
                };
            for (i, version) in seed.versions.iter().enumerate() {
                let created = version.created.unwrap_or_else(|| spaced(i));
                versions.push(new_version(
                    version.name.clone(),
                    version.tags.clone(),
                    created,
                    version.downloads,
                    version.license.clone(),
                    version.description.clone(),
                    version.deleted,
                ));
            }
            let path = image_path(&seed.owner, &seed.name);
            for (i, image) in seed.images.iter().enumerate() {
                let created = image
                    .created
                    .unwrap_or_else(|| spaced(seed.versions.len() + i));
                let built = images::build(&path, i, image, created);
                for version in built.versions {
                    versions.push(new_version(
                        version.digest,
                        version.tags,
                        version.created,
                        version.downloads,
                        None,
                        None,
                        None,
                    ));
                }
                for manifest in built.manifests {
                    state.manifests.insert(manifest.digest.clone(), manifest);
                }
            }
            let created = seed
                .created
                .or_else(|| versions.iter().map(|v| v.created).min())
                .unwrap_or(now);
            let updated = versions.iter().map(|v| v.created).max().unwrap_or(created);
            state.packages.push(Package {
                id: 5000 + number as u64,
                owner,
                package_type: seed.package_type.clone(),
                name: seed.name.clone(),
                visibility: seed.visibility.clone(),
                repository: seed.repository.clone(),
                created,
                updated,
                docker_conflict: seed.docker_conflict,
                deleted: seed.deleted,
                versions,
            });
        }
        Ok(state)
    }

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
        let result = match route.op {
            Op::DockerConflicts => self.docker_conflicts(caller, &owner, base),
            Op::ListPackages => self.list_packages(caller, &owner, query, matched, base),
            Op::GetPackage => self
                .package(caller, &owner, matched, now)
                .map(|i| Answer::json(200, self.package_json(i, base, true))),
            Op::DeletePackage => self.delete_package(caller, &owner, matched, now),
            Op::RestorePackage => self.restore_package(caller, &owner, matched, now),
            Op::ListVersions => self.list_versions(caller, &owner, matched, query, now, base),
            Op::GetVersion => self
                .version(caller, &owner, matched, now)
                .map(|(p, v)| Answer::json(200, self.version_json(p, v, base))),
            Op::DeleteVersion => self.delete_version(caller, &owner, matched, now),
            Op::RestoreVersion => self.restore_version(caller, &owner, matched, now),
        };
        result.unwrap_or_else(|failure| failure)
    }

    /// Token and scope checks. Operations that document a 401 in GitHub's
    /// description need a token; the single-package GETs (which document
    /// none) serve public packages anonymously. Classic tokens need
    /// `read:packages`, plus `delete:packages` to delete and
    /// `write:packages` to restore; GitHub names what the token has and
    /// what the operation accepts in `X-OAuth-Scopes` and
    /// `X-Accepted-OAuth-Scopes`.
    fn authorize(
        &self,
        caller: Caller<'_>,
        op: Op,
        scope: Scope,
        method: &str,
    ) -> Result<(), Failure> {
        let accepted = match method {
            "DELETE" => "delete:packages, read:packages",
            "POST" => "read:packages, write:packages",
            _ => "read:packages",
        };
        let token = match caller {
            Caller::Token(token) => token,
            Caller::Anonymous
                if scope != Scope::Me && matches!(op, Op::GetPackage | Op::GetVersion) =>
            {
                return Ok(());
            }
            Caller::Anonymous => {
                return Err(Answer::error(401, "Requires authentication"));
            }
        };
        match token.kind {
            TokenKind::Classic => {
                let has = |scope: &str| token.scopes.iter().any(|s| s == scope);
                let needed = match method {
                    "DELETE" => vec!["read:packages", "delete:packages"],
                    "POST" => vec!["read:packages", "write:packages"],
                    _ => vec!["read:packages"],
                };
                if needed.iter().all(|s| has(s)) {
                    Ok(())
                } else {
                    Err(
                        Answer::error(403, "Resource not accessible by personal access token")
                            .with_header("x-oauth-scopes", token.scopes.join(", "))
                            .with_header("x-accepted-oauth-scopes", accepted),
                    )
                }
            }
            // A workflow token cannot list an owner's packages; tools fetch
            // each package by name (docs/github-behaviour.md, "Names and tokens").
            TokenKind::Actions
                if matches!(op, Op::ListPackages | Op::DockerConflicts) || scope == Scope::Me =>
            {
                Err(Answer::error(403, "Resource not accessible by integration"))
            }
            TokenKind::Actions => Ok(()),
        }
    }

    /// The owner a route names (`/user` means the token's user).
    fn owner(&self, caller: Caller<'_>, matched: &Matched) -> Result<Owner, Failure> {
        let (login, want_org) = match matched.route.scope {
            Scope::Org => (
                matched.param("org").unwrap_or_default().to_owned(),
                Some(true),
            ),
            Scope::User => (
                matched.param("username").unwrap_or_default().to_owned(),
                Some(false),
            ),
            Scope::Me => match caller {
                Caller::Token(token) => (token.user.clone(), None),
                Caller::Anonymous => return Err(Answer::error(401, "Requires authentication")),
            },
        };
        let owner = self
            .owners
            .get(&login.to_ascii_lowercase())
            .filter(|o| want_org.is_none_or(|org| o.members.is_some() == org))
            .ok_or_else(|| Answer::error(404, "Not Found"))?;
        Ok(owner.clone())
    }

    /// Whether `caller` may see the package at `index`.
    pub(crate) fn visible_to(&self, caller: Caller<'_>, index: usize) -> bool {
        self.visible(caller, &self.packages[index])
    }

    /// Whether `caller` may see `package`: public ones, or private and
    /// internal ones of the caller's own account or organizations, or of
    /// an Actions token's repository.
    fn visible(&self, caller: Caller<'_>, package: &Package) -> bool {
        if package.visibility == "public" {
            return true;
        }
        match caller {
            Caller::Anonymous => false,
            Caller::Token(token) if token.kind == TokenKind::Actions => {
                package.repository.is_some() && package.repository == token.repository
            }
            Caller::Token(token) => self.may_administer(token, package),
        }
    }

    /// Whether a classic token's user owns the package or belongs to its
    /// organization (the fake treats members as admins).
    fn may_administer(&self, token: &Token, package: &Package) -> bool {
        match self
            .owners
            .get(&package.owner)
            .and_then(|o| o.members.as_ref())
        {
            Some(members) => members.contains(&token.user),
            None => package.owner == token.user,
        }
    }

    /// Whether `caller` may delete or restore `package`.
    fn may_change(&self, caller: Caller<'_>, package: &Package) -> bool {
        match caller {
            Caller::Anonymous => false,
            Caller::Token(token) if token.kind == TokenKind::Actions => {
                package.repository.is_some() && package.repository == token.repository
            }
            Caller::Token(token) => self.may_administer(token, package),
        }
    }

    fn docker_conflicts(
        &self,
        caller: Caller<'_>,
        owner: &Owner,
        base: &str,
    ) -> Result<Answer, Failure> {
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

    fn list_packages(
        &self,
        caller: Caller<'_>,
        owner: &Owner,
        query: &Query,
        matched: &Matched,
        base: &str,
    ) -> Result<Answer, Failure> {
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
            // The named user's listing shows only what anyone may see.
            .filter(|(_, p)| {
                matched.route.scope != Scope::User
                    || p.visibility == "public"
                    || caller.user() == Some(key.as_str())
            })
            .map(|(i, _)| i)
            .collect();
        items.sort_by(|a, b| self.packages[*a].name.cmp(&self.packages[*b].name));
        let total = items.len() as u64;
        let shown: Vec<Value> = window(&items, page, per_page)
            .iter()
            .map(|i| self.package_json(*i, base, false))
            .collect();
        Ok(with_links(
            Answer::json(200, Value::Array(shown)),
            base,
            matched,
            query,
            page,
            per_page,
            total,
        ))
    }

    /// The package a route names, if the caller may see it and it is not
    /// deleted.
    fn package(
        &self,
        caller: Caller<'_>,
        owner: &Owner,
        matched: &Matched,
        _now: DateTime<Utc>,
    ) -> Result<usize, Failure> {
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

    fn delete_package(
        &mut self,
        caller: Caller<'_>,
        owner: &Owner,
        matched: &Matched,
        now: DateTime<Utc>,
    ) -> Result<Answer, Failure> {
        let index = self.package(caller, owner, matched, now)?;
        if !self.may_change(caller, &self.packages[index]) {
            return Err(Answer::error(
                403,
                "You must be an admin of this package to delete it.",
            ));
        }
        self.packages[index].deleted = Some(now);
        Ok(Answer::empty())
    }

    fn restore_package(
        &mut self,
        caller: Caller<'_>,
        owner: &Owner,
        matched: &Matched,
        now: DateTime<Utc>,
    ) -> Result<Answer, Failure> {
        let index = self.find_package(owner, matched)?;
        let package = &self.packages[index];
        let restorable = package
            .deleted
            .is_some_and(|at| now - at <= Duration::days(RESTORE_WINDOW_DAYS));
        if !restorable || !self.may_change(caller, package) {
            return Err(Answer::error(404, "Package not found."));
        }
        self.packages[index].deleted = None;
        Ok(Answer::empty())
    }

    fn list_versions(
        &self,
        caller: Caller<'_>,
        owner: &Owner,
        matched: &Matched,
        query: &Query,
        now: DateTime<Utc>,
        base: &str,
    ) -> Result<Answer, Failure> {
        let index = self.package(caller, owner, matched, now)?;
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
                Some(at) => deleted && now - at <= Duration::days(RESTORE_WINDOW_DAYS),
            })
            .collect();
        versions.sort_by(|a, b| newest_first(a, b));
        let total = versions.len() as u64;
        let shown: Vec<Value> = window(&versions, page, per_page)
            .iter()
            .map(|v| self.version_json(index, v, base))
            .collect();
        Ok(with_links(
            Answer::json(200, Value::Array(shown)),
            base,
            matched,
            query,
            page,
            per_page,
            total,
        ))
    }

    /// The active version a route names.
    fn version(
        &self,
        caller: Caller<'_>,
        owner: &Owner,
        matched: &Matched,
        now: DateTime<Utc>,
    ) -> Result<(usize, &Version), Failure> {
        let index = self.package(caller, owner, matched, now)?;
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
    fn delete_version(
        &mut self,
        caller: Caller<'_>,
        owner: &Owner,
        matched: &Matched,
        now: DateTime<Utc>,
    ) -> Result<Answer, Failure> {
        let (index, version) = self.version(caller, owner, matched, now)?;
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

    fn restore_version(
        &mut self,
        caller: Caller<'_>,
        owner: &Owner,
        matched: &Matched,
        now: DateTime<Utc>,
    ) -> Result<Answer, Failure> {
        let index = self.package(caller, owner, matched, now)?;
        let id = version_id(matched)?;
        if !self.may_change(caller, &self.packages[index]) {
            return Err(Answer::error(404, "Package version not found."));
        }
        let version = self.packages[index]
            .versions
            .iter_mut()
            .find(|v| v.id == id)
            .filter(|v| {
                v.deleted
                    .is_some_and(|at| now - at <= Duration::days(RESTORE_WINDOW_DAYS))
            })
            .ok_or_else(|| Answer::error(404, "Package version not found."))?;
        version.deleted = None;
        Ok(Answer::empty())
    }

    fn owner_json(&self, login_key: &str, base: &str) -> Value {
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

    /// A package as GitHub shows it; listings leave out `version_count`
    /// (PyGithub's recorded answers), single GETs include it, and a linked
    /// repository is a reduced object (docs/github-behaviour.md, "Paging and listings").
    pub(crate) fn package_json(&self, index: usize, base: &str, with_count: bool) -> Value {
        let package = &self.packages[index];
        let owner = &self.owners[&package.owner];
        let scope = if owner.members.is_some() {
            "orgs"
        } else {
            "users"
        };
        let encoded = encode(&package.name);
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
        let package = &self.packages[index];
        let owner = &self.owners[&package.owner];
        let scope = if owner.members.is_some() {
            "orgs"
        } else {
            "users"
        };
        let encoded = encode(&package.name);
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

/// GitHub lists versions newest first.
pub(crate) fn newest_first(a: &Version, b: &Version) -> std::cmp::Ordering {
    b.created.cmp(&a.created).then(b.id.cmp(&a.id))
}

/// The registry path of a package: `owner/name`, lower case, as ghcr.io
/// names `ghcr.io/acme/team/app` (docs/github-behaviour.md, "Container images").
pub(crate) fn image_path(owner: &str, name: &str) -> String {
    format!("{owner}/{name}").to_ascii_lowercase()
}

/// A name as one path segment.
fn encode(name: &str) -> String {
    percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC)
        .to_string()
        .replace("%2D", "-")
        .replace("%2E", ".")
        .replace("%5F", "_")
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

fn window<T>(items: &[T], page: u64, per_page: u64) -> &[T] {
    let start = (page - 1).saturating_mul(per_page).min(items.len() as u64) as usize;
    let end = start.saturating_add(per_page as usize).min(items.len());
    &items[start..end]
}

/// GitHub's `Link` header: `first`, `prev`, `next`, `last`, each keeping the
/// request's other query parameters. A page past the end still gets
/// `first`, `prev` and `last`.
fn with_links(
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
