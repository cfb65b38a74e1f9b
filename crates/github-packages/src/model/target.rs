//! What a request is about: an owner, one of its packages, one version.
//!
//! Handles hold a [`Target`] and every error from a request carries it, so a
//! failure in a loop over many packages says which one failed.

use std::fmt;
use std::sync::Arc;

use crate::model::enums::PackageType;
use crate::model::ids::VersionId;
use crate::model::owner::Owner;

/// The owner, package and version a request was about. Cheap to clone.
///
/// Every error from a request carries one ([`Error::target`](crate::Error::target)),
/// and so does every handle:
///
/// ```
/// use github_packages::{Client, Owner, PackageType};
///
/// let client = Client::builder().build()?;
/// let version = client
///     .packages(Owner::org("acme"))
///     .package(PackageType::Container, "team/app")
///     .version(42);
/// let target = version.target();
/// assert_eq!(target.to_string(), "org acme, container package team/app, version 42");
/// assert_eq!(target.package_name(), Some("team/app"));
/// # Ok::<(), github_packages::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Target(Arc<Parts>);

#[derive(PartialEq, Eq, Hash)]
struct Parts {
    owner: Owner,
    package: Option<(PackageType, String)>,
    version: Option<VersionId>,
}

impl Target {
    /// All of an owner's packages.
    pub(crate) fn for_owner(owner: Owner) -> Self {
        Self(Arc::new(Parts {
            owner,
            package: None,
            version: None,
        }))
    }

    /// One package of this target's owner.
    pub(crate) fn package(&self, package_type: PackageType, name: String) -> Self {
        Self(Arc::new(Parts {
            owner: self.0.owner.clone(),
            package: Some((package_type, name)),
            version: None,
        }))
    }

    /// One version of this target's package.
    pub(crate) fn version(&self, id: VersionId) -> Self {
        Self(Arc::new(Parts {
            owner: self.0.owner.clone(),
            package: self.0.package.clone(),
            version: Some(id),
        }))
    }

    /// Whose packages.
    pub fn owner(&self) -> &Owner {
        &self.0.owner
    }

    /// The package's type, if the request was about one package.
    pub fn package_type(&self) -> Option<&PackageType> {
        self.0.package.as_ref().map(|(ty, _)| ty)
    }

    /// The package's name, if the request was about one package.
    pub fn package_name(&self) -> Option<&str> {
        self.0.package.as_ref().map(|(_, name)| name.as_str())
    }

    /// The version's id, if the request was about one version.
    pub fn version_id(&self) -> Option<VersionId> {
        self.0.version
    }

    /// "org acme has no container package team/app", for a 404.
    pub(crate) fn not_found(&self) -> String {
        let owner = OwnerPhrase(&self.0.owner);
        match (&self.0.package, self.0.version) {
            (Some((ty, name)), Some(id)) => {
                format!("{ty} package {name} of {owner} has no version {id}")
            }
            (Some((ty, name)), None) => format!("{owner} has no {ty} package {name}"),
            (None, _) => format!("{owner} was not found"),
        }
    }
}

/// `org acme, container package team/app, version 42`.
impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", OwnerPhrase(&self.0.owner))?;
        if let Some((ty, name)) = &self.0.package {
            write!(f, ", {ty} package {name}")?;
        }
        if let Some(id) = self.0.version {
            write!(f, ", version {id}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Target({self})")
    }
}

/// An owner as prose: `org acme`, `user octocat`, `the authenticated user`.
struct OwnerPhrase<'a>(&'a Owner);

impl fmt::Display for OwnerPhrase<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Owner::Org(login) => write!(f, "org {login}"),
            Owner::User(login) => write!(f, "user {login}"),
            Owner::AuthenticatedUser => f.write_str("the authenticated user"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_read_as_prose() {
        let org = Target::for_owner(Owner::org("acme"));
        let app = org.package(PackageType::Container, "team/app".to_owned());
        let version = app.version(VersionId::new(42));
        assert_eq!(org.to_string(), "org acme");
        assert_eq!(app.to_string(), "org acme, container package team/app");
        assert_eq!(
            version.to_string(),
            "org acme, container package team/app, version 42"
        );
        assert_eq!(org.not_found(), "org acme was not found");
        assert_eq!(
            app.not_found(),
            "org acme has no container package team/app"
        );
        assert_eq!(
            version.not_found(),
            "container package team/app of org acme has no version 42"
        );
        let mine =
            Target::for_owner(Owner::AuthenticatedUser).package(PackageType::Npm, "p".into());
        assert_eq!(
            mine.not_found(),
            "the authenticated user has no npm package p"
        );
        assert_eq!(format!("{version:?}"), format!("Target({version})"));
        assert_eq!(version.version_id(), Some(VersionId::new(42)));
        assert_eq!(version.package_name(), Some("team/app"));
        assert_eq!(version.owner(), &Owner::org("acme"));
    }
}
