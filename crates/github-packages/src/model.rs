//! Packages and package versions as GitHub returns them, with typed accessors.
//!
//! Each wraps the generated type, which keeps every field GitHub documents
//! ([`raw`](Package::raw)); the accessors add the open enums and the tag
//! helpers that clean-up and audit tools need.

use chrono::{DateTime, Utc};
use generated::types as raw;
use serde::{Deserialize, Serialize};

use crate::{PackageType, Visibility};

/// A package.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Package(raw::Package);

impl Package {
    /// GitHub's id of the package.
    pub fn id(&self) -> i64 {
        self.0.id
    }

    /// The package's name, e.g. `team/app` for a container image.
    pub fn name(&self) -> &str {
        &self.0.name
    }

    /// The registry it lives in; an undocumented value arrives as `Other`.
    pub fn package_type(&self) -> PackageType {
        PackageType::from(self.0.package_type.as_str())
    }

    /// Who can see it; GitHub also sends `internal`, which its description omits.
    pub fn visibility(&self) -> Visibility {
        Visibility::from(self.0.visibility.as_str())
    }

    /// How many versions it has. GitHub's single-package GETs say; its
    /// listings leave the field out (`None`), although the description
    /// calls it required (see codegen's `relax_omitted_required` fixup).
    pub fn version_count(&self) -> Option<i64> {
        self.0.version_count
    }

    /// The owner's login, when GitHub includes the owner.
    pub fn owner_login(&self) -> Option<&str> {
        self.0.owner.as_ref().map(|owner| owner.login.as_str())
    }

    /// `owner/name` of the linked repository, if there is one.
    pub fn repository_full_name(&self) -> Option<&str> {
        self.0
            .repository
            .as_ref()
            .map(|repo| repo.full_name.as_str())
    }

    /// The package's page on github.com.
    pub fn html_url(&self) -> &str {
        &self.0.html_url
    }

    /// When it was created.
    pub fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it last changed.
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// Every field GitHub sent, as the generated type.
    pub fn raw(&self) -> &raw::Package {
        &self.0
    }

    /// The generated type, by value.
    pub fn into_raw(self) -> raw::Package {
        self.0
    }
}

impl From<raw::Package> for Package {
    fn from(value: raw::Package) -> Self {
        Self(value)
    }
}

/// One version of a package: for a container image, one manifest digest
/// with the tags that point at it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PackageVersion(raw::PackageVersion);

impl PackageVersion {
    /// GitHub's id of the version, as the version operations take it.
    pub fn id(&self) -> i64 {
        self.0.id
    }

    /// The version's name: a version number, or a container image's digest
    /// (`sha256:…`).
    pub fn name(&self) -> &str {
        &self.0.name
    }

    /// The registry, from the version's metadata, when GitHub includes it.
    pub fn package_type(&self) -> Option<PackageType> {
        self.0
            .metadata
            .as_ref()
            .map(|m| PackageType::from(m.package_type.as_str()))
    }

    /// Tags of a container image version (`metadata.container.tags`).
    pub fn container_tags(&self) -> &[String] {
        self.0
            .metadata
            .as_ref()
            .and_then(|m| m.container.as_ref())
            .map_or(&[], |c| c.tags.as_slice())
    }

    /// Tags of an image in the older Docker registry (`metadata.docker.tag`).
    pub fn docker_tags(&self) -> &[String] {
        self.0
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

    /// Whether any tag points at this version. Untagged container versions
    /// are what retention jobs usually delete.
    pub fn is_tagged(&self) -> bool {
        !self.tags().is_empty()
    }

    /// The version's license, when the registry reports one.
    pub fn license(&self) -> Option<&str> {
        self.0.license.as_deref()
    }

    /// The version's description, when the registry reports one (container
    /// images take it from their `org.opencontainers.image.description` label).
    pub fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// The version's page on github.com, when GitHub includes it.
    pub fn html_url(&self) -> Option<&str> {
        self.0.html_url.as_deref()
    }

    /// When it was created.
    pub fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it last changed.
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// When it was deleted, for versions listed with
    /// [`VersionState::Deleted`](crate::VersionState::Deleted).
    pub fn deleted_at(&self) -> Option<DateTime<Utc>> {
        self.0.deleted_at
    }

    /// Every field GitHub sent, as the generated type.
    pub fn raw(&self) -> &raw::PackageVersion {
        &self.0
    }

    /// The generated type, by value.
    pub fn into_raw(self) -> raw::PackageVersion {
        self.0
    }
}

impl From<raw::PackageVersion> for PackageVersion {
    fn from(value: raw::PackageVersion) -> Self {
        Self(value)
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
        assert_eq!(tagged.package_type(), Some(PackageType::Container));

        let untagged = version(json!({"package_type": "container", "container": {"tags": []}}));
        assert!(!untagged.is_tagged());

        let docker = version(json!({"package_type": "docker", "docker": {"tag": ["old"]}}));
        assert_eq!(docker.docker_tags(), ["old"]);
        assert_eq!(docker.tags(), ["old"]);

        let npm = version(json!({"package_type": "npm"}));
        assert!(npm.tags().is_empty());
    }

    #[test]
    fn unknown_enum_values_arrive_as_other() {
        let package: Package = serde_json::from_value(json!({
            "id": 1, "name": "n", "package_type": "cargo", "visibility": "internal", "url": "u",
            "html_url": "h", "version_count": 2, "owner": null,
            "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"
        }))
        .unwrap();
        assert_eq!(
            package.package_type(),
            PackageType::Other("cargo".to_owned())
        );
        assert_eq!(package.visibility(), Visibility::Internal);
        assert_eq!(package.owner_login(), None);
    }
}
