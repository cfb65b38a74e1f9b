//! The world changing while a client runs: pushes, re-tags, deletions and
//! restores as another actor (a CI build, a colleague) makes them, with
//! the registry and the REST side kept consistent as GitHub keeps them. A
//! test changes the world between two calls ([`Fake::change`]) or at an
//! exact point of a client's run ([`Fake::on_request`]).
//!
//! [`Fake::change`]: crate::Fake::change
//! [`Fake::on_request`]: crate::Fake::on_request

use chrono::{DateTime, Utc};

use crate::github::model::{State, Version, image_path};
use crate::images::{self, Manifest};
use crate::seed::{ImageSeed, VersionSeed};

/// The fake's packages and registry, open to change. Packages are named
/// by owner login, type and name; container versions by digest.
pub struct World<'a> {
    pub(crate) state: &'a mut State,
    pub(crate) now: DateTime<Utc>,
}

impl World<'_> {
    /// The fake's time now.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    fn package(&mut self, owner: &str, package_type: &str, name: &str) -> Result<usize, String> {
        self.state
            .position(owner, package_type, name)
            .ok_or_else(|| format!("no {package_type} package {owner}/{name}"))
    }

    /// The active version named `version` of a package, to change.
    fn active(
        &mut self,
        owner: &str,
        package_type: &str,
        name: &str,
        version: &str,
    ) -> Result<&mut Version, String> {
        let index = self.package(owner, package_type, name)?;
        self.state.packages[index]
            .versions
            .iter_mut()
            .find(|v| v.deleted.is_none() && v.name == version)
            .ok_or_else(|| format!("{owner}/{name} has no active version {version}"))
    }

    /// The active versions of a package, if there is one.
    fn listed(
        &self,
        owner: &str,
        package_type: &str,
        name: &str,
    ) -> impl Iterator<Item = &Version> {
        self.state
            .position(owner, package_type, name)
            .into_iter()
            .flat_map(|index| &self.state.packages[index].versions)
            .filter(|v| v.deleted.is_none())
    }

    fn next_id(&self) -> u64 {
        self.state
            .packages
            .iter()
            .flat_map(|p| &p.versions)
            .map(|v| v.id)
            .max()
            .unwrap_or(100_000)
            + 1
    }

    /// Adds a version as `docker push` or a package publish would: a new
    /// id, created now, its tags taken off any other version of the
    /// package (a tag names one manifest). Returns the new id.
    fn add(&mut self, index: usize, name: String, tags: Vec<String>) -> u64 {
        let id = self.next_id();
        let now = self.now;
        let package = &mut self.state.packages[index];
        for version in package.versions.iter_mut().filter(|v| v.deleted.is_none()) {
            if version.tags.iter().any(|t| tags.contains(t)) {
                version.tags.retain(|t| !tags.contains(t));
                version.updated = now;
            }
        }
        package.versions.push(Version {
            id,
            name,
            tags,
            created: now,
            updated: now,
            downloads: 0,
            deleted: None,
            license: None,
            description: None,
        });
        package.updated = now;
        id
    }

    /// Pushes an image to container package `owner/name` now, as a build
    /// would: its manifests (platforms, attestations, signatures,
    /// referrers, as `image` says) become new versions, its tags move to
    /// it. Returns the digest of its top manifest (the index of a
    /// multi-arch image).
    pub fn push_image(
        &mut self,
        owner: &str,
        name: &str,
        image: &ImageSeed,
    ) -> Result<String, String> {
        let index = self.package(owner, "container", name)?;
        let number = usize::try_from(self.next_id()).unwrap_or(usize::MAX);
        let built = images::build(&image_path(owner, name), number, image, self.now);
        let top = built.top.clone();
        for manifest in built.manifests {
            self.state
                .manifests
                .insert(manifest.digest.clone(), manifest);
        }
        for version in built.versions {
            self.add(index, version.digest, version.tags);
        }
        Ok(top)
    }

    /// Pushes an OCI image index that lists manifests already in the
    /// registry (a multi-arch build reusing platform manifests), tagged
    /// `tags`. Returns its digest.
    pub fn push_index(
        &mut self,
        owner: &str,
        name: &str,
        tags: &[&str],
        children: &[&str],
    ) -> Result<String, String> {
        let index = self.package(owner, "container", name)?;
        let listed: Vec<&Manifest> = children
            .iter()
            .map(|digest| {
                self.state
                    .manifests
                    .get(*digest)
                    .ok_or_else(|| format!("the registry has no manifest {digest}"))
            })
            .collect::<Result<_, _>>()?;
        let manifest = images::index_of(&listed);
        let digest = manifest.digest.clone();
        self.state.manifests.insert(digest.clone(), manifest);
        self.add(
            index,
            digest.clone(),
            tags.iter().map(|t| (*t).to_owned()).collect(),
        );
        Ok(digest)
    }

    /// Points `tag` of container package `owner/name` at the active
    /// version named `digest`, taking it off the version that had it.
    pub fn move_tag(
        &mut self,
        owner: &str,
        name: &str,
        tag: &str,
        digest: &str,
    ) -> Result<(), String> {
        let index = self.package(owner, "container", name)?;
        let now = self.now;
        let package = &mut self.state.packages[index];
        if !package
            .versions
            .iter()
            .any(|v| v.deleted.is_none() && v.name == digest)
        {
            return Err(format!("{owner}/{name} has no active version {digest}"));
        }
        for version in package.versions.iter_mut().filter(|v| v.deleted.is_none()) {
            let had = version.tags.iter().any(|t| t == tag);
            if version.name == digest && !had {
                version.tags.push(tag.to_owned());
                version.updated = now;
            } else if version.name != digest && had {
                version.tags.retain(|t| t != tag);
                version.updated = now;
            }
        }
        Ok(())
    }

    /// Stores `manifest` as a registry push does, and keeps the REST side
    /// consistent as ghcr.io does: the container package `owner/name` is
    /// created (private) by its first push, a digest not listed yet becomes
    /// a new version, and `tag`, if given, moves to it from the version
    /// that had it (which stays, untagged). Returns the digest.
    pub fn put_manifest(
        &mut self,
        owner: &str,
        name: &str,
        manifest: Manifest,
        tag: Option<&str>,
    ) -> Result<String, String> {
        let key = owner.to_ascii_lowercase();
        if !self.state.owners.contains_key(&key) {
            return Err(format!("no owner {owner}"));
        }
        let index = match self.state.position(owner, "container", name) {
            Some(index) => index,
            None => self.create_container(&key, name),
        };
        let digest = manifest.digest.clone();
        self.state.manifests.insert(digest.clone(), manifest);
        let listed = self.state.packages[index]
            .versions
            .iter()
            .any(|v| v.deleted.is_none() && v.name == digest);
        if !listed {
            self.add(index, digest.clone(), Vec::new());
        }
        if let Some(tag) = tag {
            self.move_tag(owner, name, tag, &digest)?;
        }
        Ok(digest)
    }

    /// Signs the active version `digest` of container package `owner/name`
    /// as `cosign sign` does later: a new version tagged
    /// `sha256-<hex>.sig` (a re-signature takes the tag over). Returns the
    /// signature's digest.
    pub fn sign(&mut self, owner: &str, name: &str, digest: &str) -> Result<String, String> {
        let subject = self.subject(owner, name, digest)?;
        let (signature, tag) = images::signature_of(&subject, self.next_id());
        self.put_manifest(owner, name, signature, Some(&tag))
    }

    /// Adds an OCI 1.1 referrer (an attestation, an SBOM) naming the
    /// active version `digest` as its subject: a new untagged version.
    /// Returns the referrer's digest.
    pub fn add_referrer(
        &mut self,
        owner: &str,
        name: &str,
        digest: &str,
    ) -> Result<String, String> {
        let subject = self.subject(owner, name, digest)?;
        let referrer = images::referrer_of(&subject, self.next_id());
        self.put_manifest(owner, name, referrer, None)
    }

    /// The manifest of the active version `digest` of `owner/name`.
    fn subject(&mut self, owner: &str, name: &str, digest: &str) -> Result<Manifest, String> {
        self.active(owner, "container", name, digest)?;
        self.state
            .manifests
            .get(digest)
            .cloned()
            .ok_or_else(|| format!("{owner}/{name} has no manifest {digest}"))
    }

    /// A new private container package of the owner `key`, as a first push
    /// makes it.
    fn create_container(&mut self, key: &str, name: &str) -> usize {
        let id = self
            .state
            .packages
            .iter()
            .map(|p| p.id)
            .max()
            .unwrap_or(5000)
            + 1;
        self.state.packages.push(crate::github::model::Package {
            id,
            owner: key.to_owned(),
            package_type: "container".to_owned(),
            name: name.to_owned(),
            visibility: "private".to_owned(),
            repository: None,
            created: self.now,
            updated: self.now,
            docker_conflict: false,
            deleted: None,
            versions: Vec::new(),
        });
        self.state.packages.len() - 1
    }

    /// Deletes the active version named `version` (a digest, or a version
    /// number), as a DELETE through the API would.
    pub fn delete_version(
        &mut self,
        owner: &str,
        package_type: &str,
        name: &str,
        version: &str,
    ) -> Result<(), String> {
        let now = self.now;
        self.active(owner, package_type, name, version)?.deleted = Some(now);
        Ok(())
    }

    /// Restores the most recently deleted version named `version`.
    pub fn restore_version(
        &mut self,
        owner: &str,
        package_type: &str,
        name: &str,
        version: &str,
    ) -> Result<(), String> {
        let index = self.package(owner, package_type, name)?;
        let found = self.state.packages[index]
            .versions
            .iter_mut()
            .filter(|v| v.deleted.is_some() && v.name == version)
            .max_by_key(|v| v.deleted)
            .ok_or_else(|| format!("{owner}/{name} has no deleted version {version}"))?;
        found.deleted = None;
        Ok(())
    }

    /// Sets how often the active version named `version` was downloaded
    /// (GitHub refuses to delete a public one downloaded too often).
    pub fn set_downloads(
        &mut self,
        owner: &str,
        package_type: &str,
        name: &str,
        version: &str,
        downloads: u64,
    ) -> Result<(), String> {
        self.active(owner, package_type, name, version)?.downloads = downloads;
        Ok(())
    }

    /// Adds a version to any package as GitHub would list it, without a
    /// manifest (for listings that do not add up). Returns its id.
    pub fn add_version(
        &mut self,
        owner: &str,
        package_type: &str,
        name: &str,
        version: &VersionSeed,
    ) -> Result<u64, String> {
        let index = self.package(owner, package_type, name)?;
        Ok(self.add(index, version.name.clone(), version.tags.clone()))
    }

    /// The name (digest) of the active version tagged `tag`.
    pub fn digest_tagged(
        &self,
        owner: &str,
        package_type: &str,
        name: &str,
        tag: &str,
    ) -> Option<String> {
        self.listed(owner, package_type, name)
            .find(|v| v.tags.iter().any(|t| t == tag))
            .map(|v| v.name.clone())
    }

    /// The name of the newest active version, as GitHub lists it first.
    pub fn newest_version(&self, owner: &str, package_type: &str, name: &str) -> Option<String> {
        self.listed(owner, package_type, name)
            .min_by(|a, b| crate::github::model::newest_first(a, b))
            .map(|v| v.name.clone())
    }
}
