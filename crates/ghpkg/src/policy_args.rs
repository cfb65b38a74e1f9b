//! A retention policy from a TOML file or from flags.

use std::path::PathBuf;

use clap::Args;
use github_packages::PackageType;
use github_packages_retention::{Age, AgeFrom, Digest, Pattern, Policy};

/// A policy: `--policy FILE`, or flags (the same names as the file's keys).
#[derive(Args)]
pub(crate) struct PolicyArgs {
    /// A TOML policy (see the README); no rule flags with it, but --type
    /// and --package replace the file's `type` and `packages`.
    #[arg(long, value_name = "FILE", conflicts_with_all = [
        "keep_latest", "keep_tag", "keep_semver",
        "keep_younger_than", "keep_digest", "delete_untagged_older_than",
        "delete_untagged_keep_latest", "delete_tag", "delete_tags_older_than",
        "delete_tags_keep_latest", "delete_tags_untag", "delete_digest", "delete_ghost_images",
        "delete_partial_images", "delete_orphans", "delete_at_most",
        "allow_untagged_under_an_hour", "age_from",
    ])]
    policy: Option<PathBuf>,
    /// The packages' type.
    #[arg(long = "type", value_name = "TYPE", required_unless_present = "policy")]
    package_type: Option<PackageType>,
    /// Package names to select (wildcards `*` `?`, or `re:…`, `not:…`); all by default.
    #[arg(long = "package", value_name = "PATTERN")]
    packages: Vec<String>,
    /// Keep the N most recent tagged versions.
    #[arg(long, value_name = "N")]
    keep_latest: Option<usize>,
    /// Keep versions with a tag matching PATTERN (repeatable).
    #[arg(long, value_name = "PATTERN")]
    keep_tag: Vec<String>,
    /// Keep versions with a semantic-version tag.
    #[arg(long)]
    keep_semver: bool,
    /// Keep versions younger than AGE (e.g. 7d).
    #[arg(long, value_name = "AGE")]
    keep_younger_than: Option<Age>,
    /// Keep the version with this digest (repeatable).
    #[arg(long, value_name = "DIGEST")]
    keep_digest: Vec<Digest>,
    /// Delete untagged versions at least AGE old …
    #[arg(long, value_name = "AGE")]
    delete_untagged_older_than: Option<Age>,
    /// … but keep the N most recent of them.
    #[arg(long, value_name = "N")]
    delete_untagged_keep_latest: Option<usize>,
    /// Delete versions all of whose tags match PATTERN (repeatable) …
    #[arg(long, value_name = "PATTERN")]
    delete_tag: Vec<String>,
    /// … once at least AGE old …
    #[arg(long, value_name = "AGE")]
    delete_tags_older_than: Option<Age>,
    /// … but keep the N most recent of them.
    #[arg(long, value_name = "N")]
    delete_tags_keep_latest: Option<usize>,
    /// … and from images with other tags too, remove just the matching tags.
    #[arg(long)]
    delete_tags_untag: bool,
    /// Delete the version with this digest (repeatable).
    #[arg(long, value_name = "DIGEST")]
    delete_digest: Vec<Digest>,
    /// Delete image indexes none of whose platform manifests is listed.
    #[arg(long)]
    delete_ghost_images: bool,
    /// Delete image indexes some of whose platform manifests are not listed.
    #[arg(long)]
    delete_partial_images: bool,
    /// Delete signatures, attestations and referrers whose image is gone.
    #[arg(long)]
    delete_orphans: bool,
    /// Of the versions the delete rules select, delete only the N oldest.
    #[arg(long, value_name = "N")]
    delete_at_most: Option<usize>,
    /// Accept --delete-untagged-older-than under an hour, although a
    /// multi-arch push in progress has untagged manifests that young.
    #[arg(long)]
    allow_untagged_under_an_hour: bool,
    /// Count ages from created_at (the default) or updated_at.
    #[arg(long, value_name = "TIME")]
    age_from: Option<AgeFrom>,
}

impl PolicyArgs {
    pub(crate) fn policy(&self) -> Result<Policy, String> {
        if let Some(path) = &self.policy {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let mut policy =
                Policy::from_toml(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            if let Some(package_type) = &self.package_type {
                policy.package_type = package_type.clone();
            }
            if !self.packages.is_empty() {
                policy.packages = self.packages.iter().map(|t| Pattern::new(t)).collect();
            }
            policy.check().map_err(|e| e.to_string())?;
            return Ok(policy);
        }
        let package_type: PackageType = self
            .package_type
            .clone()
            .ok_or("--type or --policy is required")?;
        let patterns = |texts: &[String]| texts.iter().map(|t| Pattern::new(t)).collect();
        let mut policy = Policy::new(package_type);
        if !self.packages.is_empty() {
            policy.packages = patterns(&self.packages);
        }
        policy.keep_latest = self.keep_latest;
        policy.keep_tags = patterns(&self.keep_tag);
        policy.keep_semver = self.keep_semver;
        policy.keep_younger_than = self.keep_younger_than;
        policy.keep_digests = self.keep_digest.clone();
        policy.delete_untagged_older_than = self.delete_untagged_older_than;
        policy.delete_untagged_keep_latest = self.delete_untagged_keep_latest;
        policy.delete_tags = patterns(&self.delete_tag);
        policy.delete_tags_older_than = self.delete_tags_older_than;
        policy.delete_tags_keep_latest = self.delete_tags_keep_latest;
        policy.delete_tags_untag = self.delete_tags_untag;
        policy.delete_digests = self.delete_digest.clone();
        policy.delete_ghost_images = self.delete_ghost_images;
        policy.delete_partial_images = self.delete_partial_images;
        policy.delete_orphans = self.delete_orphans;
        policy.delete_at_most = self.delete_at_most;
        policy.allow_untagged_under_an_hour = self.allow_untagged_under_an_hour;
        policy.age_from = self.age_from.unwrap_or_default();
        policy.check().map_err(|e| e.to_string())?;
        Ok(policy)
    }
}
