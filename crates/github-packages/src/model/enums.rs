//! The package type, visibility and version state enums.
//!
//! [`PackageType`] and [`Visibility`] are read from GitHub's answers as well
//! as sent, so they are open: a value GitHub adds later arrives as `Other`
//! instead of failing the whole response. Parsing user input with
//! [`FromStr`] is strict, so a typo is an error rather than an `Other`.

use std::fmt;
use std::str::FromStr;

use generated::types as raw;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A value that is not one of an enum's documented values.
///
/// ```
/// use github_packages::PackageType;
///
/// let error = "cargo".parse::<PackageType>().unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     "unknown package type `cargo`; expected one of: npm, maven, rubygems, docker, nuget, container"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{value}`; expected one of: {expected}")]
pub struct ParseEnumError {
    what: &'static str,
    value: String,
    expected: String,
}

impl ParseEnumError {
    fn new<'a>(what: &'static str, value: &str, known: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            what,
            value: value.to_owned(),
            expected: known.into_iter().collect::<Vec<_>>().join(", "),
        }
    }
}

macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal, $raw:ty {
            $($(#[$variant_meta:meta])* $variant:ident = $wire:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$variant_meta])* $variant,)+
            /// A value GitHub sent that this crate does not know yet.
            Other(String),
        }

        impl $name {
            /// Every documented value, in GitHub's order.
            pub const ALL: &[$name] = &[$($name::$variant),+];

            /// The value as GitHub spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)+
                    $name::Other(value) => value,
                }
            }

            /// Maps GitHub's spelling onto a variant, keeping unknown values.
            fn from_wire(value: &str) -> Self {
                match value {
                    $($wire => $name::$variant,)+
                    other => $name::Other(other.to_owned()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// Parses a documented value, ignoring ASCII case; anything else is
        /// an error (use `Other` to name an undocumented value on purpose).
        impl FromStr for $name {
            type Err = ParseEnumError;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .iter()
                    .find(|known| known.as_str().eq_ignore_ascii_case(value.trim()))
                    .cloned()
                    .ok_or_else(|| ParseEnumError::new($what, value, Self::ALL.iter().map(Self::as_str)))
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        /// Lenient: GitHub's answers may carry values added after this crate.
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = String::deserialize(deserializer)?;
                Ok(Self::from_wire(&value))
            }
        }

        impl From<&str> for $name {
            /// Keeps unknown values as `Other` (what a response would hold).
            fn from(value: &str) -> Self {
                Self::from_wire(value)
            }
        }

        impl $name {
            /// The generated type the client sends; fails for `Other`, as
            /// the generated client only sends documented values.
            pub(crate) fn to_raw(&self) -> Result<$raw, ParseEnumError> {
                self.as_str()
                    .parse()
                    .map_err(|_| ParseEnumError::new($what, self.as_str(), $name::ALL.iter().map($name::as_str)))
            }
        }
    };
}

open_enum! {
    /// The registry a package lives in.
    ///
    /// Images in the Container registry (`ghcr.io`) are [`Container`](Self::Container);
    /// [`Docker`](Self::Docker) finds images pushed to the older Docker
    /// registry, and Gradle packages are [`Maven`](Self::Maven).
    ///
    /// ```
    /// use github_packages::PackageType;
    ///
    /// assert_eq!("Container".parse::<PackageType>()?, PackageType::Container);
    /// assert_eq!(PackageType::Container.to_string(), "container");
    /// // A value GitHub adds later still arrives, as `Other`.
    /// let new: PackageType = serde_json::from_str(r#""cargo""#)?;
    /// assert_eq!(new, PackageType::Other("cargo".into()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    PackageType, "package type", raw::PackageType {
        /// npm packages.
        Npm = "npm",
        /// Maven and Gradle packages.
        Maven = "maven",
        /// RubyGems.
        Rubygems = "rubygems",
        /// Images in the older Docker registry (`docker.pkg.github.com`).
        Docker = "docker",
        /// NuGet packages.
        Nuget = "nuget",
        /// Images in the Container registry (`ghcr.io`).
        Container = "container",
    }
}

open_enum! {
    /// Who can see a package.
    ///
    /// `internal` exists only in registries with granular permissions; GitHub
    /// treats it as `private` elsewhere.
    ///
    /// ```
    /// use github_packages::Visibility;
    ///
    /// assert_eq!("public".parse::<Visibility>()?, Visibility::Public);
    /// assert_eq!(Visibility::ALL.len(), 3);
    /// # Ok::<(), github_packages::ParseEnumError>(())
    /// ```
    Visibility, "visibility", raw::PackageVisibility {
        /// Anyone.
        Public = "public",
        /// People with access.
        Private = "private",
        /// Members of the enterprise.
        Internal = "internal",
    }
}

/// Which versions of a package to list: active ones, or deleted ones that can
/// still be restored.
///
/// GitHub never sends this value back (a deleted version has `deleted_at`),
/// so unlike [`PackageType`] it has no `Other`.
///
/// ```
/// use github_packages::VersionState;
///
/// assert_eq!("deleted".parse::<VersionState>()?, VersionState::Deleted);
/// assert_eq!(VersionState::default(), VersionState::Active);
/// # Ok::<(), github_packages::ParseEnumError>(())
/// ```
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum VersionState {
    /// Versions in use (GitHub's default).
    #[default]
    Active,
    /// Versions deleted in the last 30 days.
    Deleted,
}

impl VersionState {
    /// The value as GitHub spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Deleted => "deleted",
        }
    }
}

impl fmt::Display for VersionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for VersionState {
    type Err = ParseEnumError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        [Self::Active, Self::Deleted]
            .into_iter()
            .find(|known| known.as_str().eq_ignore_ascii_case(value.trim()))
            .ok_or_else(|| ParseEnumError::new("version state", value, ["active", "deleted"]))
    }
}

impl VersionState {
    /// The generated type the client sends.
    pub(crate) fn to_raw(self) -> raw::PackageVersionState {
        match self {
            Self::Active => raw::PackageVersionState::Active,
            Self::Deleted => raw::PackageVersionState::Deleted,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_from_str_round_trip_every_documented_value() {
        for value in PackageType::ALL {
            assert_eq!(value.to_string().parse::<PackageType>().as_ref(), Ok(value));
        }
        for value in Visibility::ALL {
            assert_eq!(value.to_string().parse::<Visibility>().as_ref(), Ok(value));
        }
        for value in [VersionState::Active, VersionState::Deleted] {
            assert_eq!(value.to_string().parse::<VersionState>(), Ok(value));
        }
    }

    #[test]
    fn from_str_ignores_case_and_rejects_unknown_values_clearly() {
        assert_eq!(
            "Container".parse::<PackageType>(),
            Ok(PackageType::Container)
        );
        let err = "cargo".parse::<PackageType>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown package type `cargo`; expected one of: npm, maven, rubygems, docker, nuget, container"
        );
        assert_eq!(
            "hidden".parse::<Visibility>().unwrap_err().to_string(),
            "unknown visibility `hidden`; expected one of: public, private, internal"
        );
        assert!("gone".parse::<VersionState>().is_err());
    }

    #[test]
    fn deserializing_keeps_unknown_values() {
        let value: PackageType = serde_json::from_str(r#""cargo""#).unwrap();
        assert_eq!(value, PackageType::Other("cargo".to_owned()));
        assert_eq!(serde_json::to_string(&value).unwrap(), r#""cargo""#);
        let value: Visibility = serde_json::from_str(r#""internal""#).unwrap();
        assert_eq!(value, Visibility::Internal);
    }

    #[test]
    fn converts_to_the_generated_types() {
        for value in PackageType::ALL {
            assert_eq!(value.to_raw().unwrap().to_string(), value.as_str());
        }
        assert!(PackageType::Other("cargo".into()).to_raw().is_err());
        assert_eq!(
            Visibility::Internal.to_raw().unwrap(),
            raw::PackageVisibility::Internal
        );
        assert_eq!(
            VersionState::Deleted.to_raw(),
            raw::PackageVersionState::Deleted
        );
    }
}
