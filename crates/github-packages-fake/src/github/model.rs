//! The fake's world: owners, tokens, packages and their versions, the
//! registry's manifests, and the rules about time that GitHub applies to
//! them (the restore window, newest first).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Duration, Utc};

use crate::images::Manifest;
use crate::seed::TokenKind;

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
pub(crate) const LISTING_DEPTH: u64 = 10_000;

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
    /// Registry blobs (configs, layers) pushed, by digest.
    pub(crate) blobs: HashMap<String, Vec<u8>>,
}

impl State {
    /// The active container package whose registry path is `name`
    /// (`owner/package`, lower case).
    pub(crate) fn image(&self, name: &str) -> Option<usize> {
        self.packages.iter().position(|p| {
            p.package_type == "container"
                && p.deleted.is_none()
                && image_path(&self.owners[&p.owner].login, &p.name) == name
        })
    }
}

/// Whether something deleted `at` may still be restored `now`: GitHub keeps
/// deleted packages and versions for [`RESTORE_WINDOW_DAYS`]
/// (docs/github-behaviour.md, "Refusals").
pub(crate) fn restorable(deleted: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    deleted.is_some_and(|at| now - at <= Duration::days(RESTORE_WINDOW_DAYS))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_restore_window_is_thirty_days_inclusive() {
        let now = DateTime::<Utc>::UNIX_EPOCH + Duration::days(100);
        assert!(restorable(Some(now - Duration::days(30)), now));
        assert!(!restorable(
            Some(now - Duration::days(30) - Duration::seconds(1)),
            now
        ));
        assert!(!restorable(None, now), "never deleted");
    }
}
