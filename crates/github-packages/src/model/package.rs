//! Packages and package versions as GitHub returns them, with typed accessors.
//!
//! Each wraps the generated type, which keeps every field GitHub documents
//! ([`raw`](Package::raw)); the accessors add typed ids, the open enums and
//! the tag helpers that clean-up and audit tools need. Both serialize and
//! deserialize as GitHub's JSON.

use chrono::{DateTime, Utc};
use generated::types as raw;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::model::enums::{PackageType, Visibility};
use crate::model::ids::{PackageId, VersionId};

/// A package, as listed or fetched.
///
/// ```no_run
/// # async fn example(client: github_packages::Client) -> github_packages::Result<()> {
/// use github_packages::{Owner, PackageType};
///
/// let org = client.packages(Owner::org("acme"));
/// let page = org.list(PackageType::Container).await?;
/// for package in &page.items {
///     // From a listed package to its handle, without repeating type and name.
///     let versions = package.handle(&org).versions().await?;
///     println!("{} {}: {} on this page", package.package_type(), package.name(), versions.items.len());
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Package {
    raw: raw::Package,
    package_type: PackageType,
    visibility: Visibility,
}

impl Package {
    pub(crate) fn from_raw(raw: raw::Package) -> Self {
        Self {
            package_type: PackageType::from(raw.package_type.as_str()),
            visibility: Visibility::from(raw.visibility.as_str()),
            raw,
        }
    }

    /// GitHub's id of the package.
    pub fn id(&self) -> PackageId {
        PackageId::new(self.raw.id)
    }

    /// The package's name, e.g. `team/app` for a container image.
    pub fn name(&self) -> &str {
        &self.raw.name
    }

    /// The registry it lives in; an undocumented value arrives as `Other`.
    pub fn package_type(&self) -> &PackageType {
        &self.package_type
    }

    /// Who can see it; GitHub also sends `internal`, which its description omits.
    pub fn visibility(&self) -> &Visibility {
        &self.visibility
    }

    /// How many versions it has. GitHub's single-package GETs say; its
    /// listings leave the field out (`None`), although the description
    /// calls it required (see codegen's `relax_omitted_required` fixup).
    pub fn version_count(&self) -> Option<i64> {
        self.raw.version_count
    }

    /// The owner's login, when GitHub includes the owner.
    pub fn owner_login(&self) -> Option<&str> {
        self.raw.owner.as_ref().map(|owner| owner.login.as_str())
    }

    /// `owner/name` of the linked repository, if there is one.
    pub fn repository_full_name(&self) -> Option<&str> {
        self.raw
            .repository
            .as_ref()
            .map(|repo| repo.full_name.as_str())
    }

    /// The package's page on github.com.
    pub fn html_url(&self) -> &str {
        &self.raw.html_url
    }

    /// When it was created.
    pub fn created_at(&self) -> DateTime<Utc> {
        self.raw.created_at
    }

    /// When it last changed.
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.raw.updated_at
    }

    /// Every field GitHub sent, as the generated type.
    pub fn raw(&self) -> &raw::Package {
        &self.raw
    }

    /// The generated type, by value.
    pub fn into_raw(self) -> raw::Package {
        self.raw
    }
}

impl Serialize for Package {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.raw.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Package {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        raw::Package::deserialize(deserializer).map(Self::from_raw)
    }
}

/// One version of a package: for a container image, one manifest digest
/// with the tags that point at it.
///
/// ```no_run
/// # async fn example(image: github_packages::PackageRef) -> github_packages::Result<()> {
/// use futures::TryStreamExt;
///
/// let versions: Vec<_> = image.versions().stream().try_collect().await?;
/// for version in versions.iter().filter(|v| !v.is_tagged()) {
///     // From a listed version to its handle.
///     let handle = version.handle(&image);
///     println!("untagged {} ({}), created {}", version.name(), handle.id(), version.created_at());
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct PackageVersion {
    raw: raw::PackageVersion,
    package_type: Option<PackageType>,
}

impl PackageVersion {
    pub(crate) fn from_raw(raw: raw::PackageVersion) -> Self {
        Self {
            package_type: raw
                .metadata
                .as_ref()
                .map(|m| PackageType::from(m.package_type.as_str())),
            raw,
        }
    }

    /// GitHub's id of the version, as the version operations take it.
    pub fn id(&self) -> VersionId {
        VersionId::new(self.raw.id)
    }

    /// The version's name: a version number, or a container image's digest
    /// (`sha256:…`).
    pub fn name(&self) -> &str {
        &self.raw.name
    }

    /// The registry, from the version's metadata, when GitHub includes it.
    pub fn package_type(&self) -> Option<&PackageType> {
        self.package_type.as_ref()
    }

    /// Tags of a container image version (`metadata.container.tags`).
    pub fn container_tags(&self) -> &[String] {
        self.raw
            .metadata
            .as_ref()
            .and_then(|m| m.container.as_ref())
            .map_or(&[], |c| c.tags.as_slice())
    }

    /// Tags of an image in the older Docker registry (`metadata.docker.tag`).
    pub fn docker_tags(&self) -> &[String] {
        self.raw
            .metadata
            .as_ref()
            .and_then(|m| m.docker.as_ref())
            .map_or(&[], |d| d.tag.as_slice())
    }

    /// The version's tags, whichever registry it is in (empty for
    /// registries without tags).
    pub fn tags(&self) -> &[String] {
        match self.container_tags() {
            [] => self.docker_tags(),
            tags => tags,
        }
    }

    /// Whether any tag points at this version. An untagged container
    /// version may still be in use: the platform manifests of a multi-arch
    /// image are listed untagged.
    pub fn is_tagged(&self) -> bool {
        !self.tags().is_empty()
    }

    /// The version's license, when the registry reports one.
    pub fn license(&self) -> Option<&str> {
        self.raw.license.as_deref()
    }

    /// The version's description, when the registry reports one (container
    /// images take it from their `org.opencontainers.image.description` label).
    pub fn description(&self) -> Option<&str> {
        self.raw.description.as_deref()
    }

    /// The version's page on github.com, when GitHub includes it.
    pub fn html_url(&self) -> Option<&str> {
        self.raw.html_url.as_deref()
    }

    /// When it was created.
    pub fn created_at(&self) -> DateTime<Utc> {
        self.raw.created_at
    }

    /// When it last changed.
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.raw.updated_at
    }

    /// When it was deleted, for versions listed with
    /// [`VersionState::Deleted`](crate::VersionState::Deleted).
    pub fn deleted_at(&self) -> Option<DateTime<Utc>> {
        self.raw.deleted_at
    }

    /// Every field GitHub sent, as the generated type.
    pub fn raw(&self) -> &raw::PackageVersion {
        &self.raw
    }

    /// The generated type, by value.
    pub fn into_raw(self) -> raw::PackageVersion {
        self.raw
    }
}

impl Serialize for PackageVersion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.raw.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for PackageVersion {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        raw::PackageVersion::deserialize(deserializer).map(Self::from_raw)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn version(metadata: serde_json::Value) -> PackageVersion {
        serde_json::from_value(json!({
            "id": 1, "name": "sha256:abc", "url": "u", "package_html_url": "p",
            "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z",
            "metadata": metadata
        }))
        .unwrap()
    }

    #[test]
    fn container_and_docker_tags_are_typed_and_untagged_is_detectable() {
        let tagged =
            version(json!({"package_type": "container", "container": {"tags": ["latest", "v1"]}}));
        assert_eq!(tagged.tags(), ["latest", "v1"]);
        assert!(tagged.is_tagged());
        assert_eq!(tagged.package_type(), Some(&PackageType::Container));
        assert_eq!(tagged.id(), VersionId::new(1));

        let untagged = version(json!({"package_type": "container", "container": {"tags": []}}));
        assert!(!untagged.is_tagged());

        let docker = version(json!({"package_type": "docker", "docker": {"tag": ["old"]}}));
        assert_eq!(docker.docker_tags(), ["old"]);
        assert_eq!(docker.tags(), ["old"]);

        let npm = version(json!({"package_type": "npm"}));
        assert!(npm.tags().is_empty());
    }

    #[test]
    fn unknown_enum_values_arrive_as_other_and_round_trip() {
        let json = json!({
            "id": 1, "name": "n", "package_type": "cargo", "visibility": "internal", "url": "u",
            "html_url": "h", "version_count": 2, "owner": null,
            "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"
        });
        let package: Package = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(
            package.package_type(),
            &PackageType::Other("cargo".to_owned())
        );
        assert_eq!(package.visibility(), &Visibility::Internal);
        assert_eq!(package.owner_login(), None);
        assert_eq!(package.id(), PackageId::new(1));
        let back = serde_json::to_value(&package).unwrap();
        assert_eq!(back["package_type"], "cargo");
        assert_eq!(back["version_count"], 2);
    }
}
