//! Container packages: the registry behind them, the tags that name other
//! images, what a kept image needs, and the order deletions go in.

pub(crate) mod challenge;
pub(crate) mod graph;
pub(crate) mod order;
pub(crate) mod protect;
pub(crate) mod registry;
pub(crate) mod tags;

use github_packages::Owner;

/// The image path of package `name`: `owner/name` in lower case, as
/// ghcr.io names `ghcr.io/acme/team/app` (`docs/github-behaviour.md`,
/// "Container images"). For the authenticated user the login is the one
/// GitHub's answer about the package names (`login`); `None` if unknown.
pub(crate) fn image_path(owner: &Owner, name: &str, login: Option<&str>) -> Option<String> {
    let owner = match owner {
        Owner::Org(login) | Owner::User(login) => login.as_str(),
        Owner::AuthenticatedUser => login?,
    };
    Some(format!("{owner}/{name}").to_ascii_lowercase())
}
