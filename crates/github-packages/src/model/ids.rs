//! Typed ids, so a package id cannot be passed where a version id is wanted.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Text that is not a positive id.
///
/// ```
/// let error = "latest".parse::<github_packages::VersionId>().unwrap_err();
/// assert_eq!(error.to_string(), "`latest` is not a package version id; ids are positive integers");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a {what} id; ids are positive integers")]
pub struct ParseIdError {
    what: &'static str,
    value: String,
}

macro_rules! id {
    ($(#[$meta:meta])* $name:ident, $what:literal) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            /// The id GitHub gave.
            pub const fn new(id: i64) -> Self {
                Self(id)
            }

            /// The number, as GitHub's API takes it.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl From<i64> for $name {
            fn from(id: i64) -> Self {
                Self(id)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        /// The number alone, as GitHub shows it in URLs.
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        /// Parses a positive number, as a command line would take the id.
        impl FromStr for $name {
            type Err = ParseIdError;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                text.trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|id| *id > 0)
                    .map(Self)
                    .ok_or_else(|| ParseIdError {
                        what: $what,
                        value: text.to_owned(),
                    })
            }
        }
    };
}

id! {
    /// GitHub's id of a package ([`Package::id`](crate::Package::id)).
    ///
    /// ```
    /// use github_packages::PackageId;
    ///
    /// let id: PackageId = "197".parse()?;
    /// assert_eq!(id, PackageId::new(197));
    /// assert_eq!(i64::from(id), 197);
    /// assert_eq!(id.to_string(), "197");
    /// assert_eq!(serde_json::to_string(&id)?, "197");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    PackageId, "package"
}

id! {
    /// GitHub's id of a package version ([`PackageVersion::id`](crate::PackageVersion::id)),
    /// as [`PackageRef::version`](crate::PackageRef::version) takes it.
    ///
    /// A [`PackageId`] is a different type, so it cannot be passed by mistake:
    ///
    /// ```compile_fail
    /// # fn f(image: github_packages::PackageRef, package: github_packages::Package) {
    /// image.version(package.id()); // a PackageId is not a VersionId
    /// # }
    /// ```
    ///
    /// ```
    /// use github_packages::VersionId;
    ///
    /// let id: VersionId = "786068".parse()?;
    /// assert_eq!(id.get(), 786068);
    /// assert!("0".parse::<VersionId>().is_err());
    /// assert!("sha256:abc".parse::<VersionId>().is_err());
    /// # Ok::<(), github_packages::ParseIdError>(())
    /// ```
    VersionId, "package version"
}
