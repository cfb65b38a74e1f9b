//! Removing some tags from an image that keeps others. GitHub has no API
//! that removes one tag (`docs/github-behaviour.md`, "Container images"),
//! so, as dataaxiom/ghcr-cleanup-action does it (`performUntagging`), a
//! unique empty image index is pushed under the tag, which moves the tag
//! off the image, and the version that index becomes is deleted through
//! the REST API.
//!
//! Nothing is done on the plan's word: right before, the package is listed
//! again (the version must still carry exactly the tags the plan saw), and
//! right before each push the registry is asked what the tag names (it
//! must still be the image).

use chrono::{SecondsFormat, Utc};
use futures::TryStreamExt;
use github_packages::{BulkOutcome, PackageRef};
use sha2::{Digest as _, Sha256};

use crate::execute::Outcome;
use crate::listing;
use crate::plan::{VersionPlan, short, shown_tags};
use crate::retention::Retention;
use crate::verify::same_tags;

/// The media type of the placeholder pushed under a tag.
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";

/// The annotation that says which tag a placeholder took off which image.
const ANNOTATION: &str = "dev.github-packages-retention.untagged";

/// What became of an untag: its outcome, what happened in words, and the
/// tags that were moved off the image (some, when it failed half way).
pub(crate) struct Untagged {
    pub(crate) outcome: Outcome,
    pub(crate) detail: String,
    pub(crate) removed: Vec<String>,
}

/// Removes `tags` from `version` of `package`, unless `stopped` says the
/// run stopped before a push or a deletion.
pub(crate) async fn untag(
    retention: &Retention,
    package: &PackageRef,
    version: &VersionPlan,
    tags: &[String],
    stopped: impl Fn() -> bool,
) -> Untagged {
    let mut removed: Vec<String> = Vec::new();
    let (outcome, detail) =
        move_tags_off(retention, package, version, tags, &mut removed, stopped).await;
    Untagged {
        outcome,
        detail,
        removed,
    }
}

async fn move_tags_off(
    retention: &Retention,
    package: &PackageRef,
    version: &VersionPlan,
    tags: &[String],
    removed: &mut Vec<String>,
    stopped: impl Fn() -> bool,
) -> (Outcome, String) {
    let registry = retention.registry.as_ref();
    let listing = match listing::read(package, registry).await {
        Ok(listing) => listing,
        Err(e) => {
            let why = format!("its current versions could not be read ({e})");
            return (Outcome::NotAttempted, why);
        }
    };
    if let Some(why) = listing.unsound {
        return (Outcome::NotAttempted, why);
    }
    let (Some(registry), Some(image)) = (registry, listing.image.as_deref()) else {
        let why = "no container registry is known for it, or whose package it is";
        return (Outcome::NotAttempted, why.to_owned());
    };
    let Some(now) = listing.versions.iter().find(|v| v.id() == version.id) else {
        return (Outcome::Changed, "GitHub no longer lists it".to_owned());
    };
    if !same_tags(now.tags(), &version.tags) {
        return (
            Outcome::Changed,
            format!(
                "its tags were [{}] in the plan and are [{}] now",
                shown_tags(&version.tags),
                shown_tags(now.tags())
            ),
        );
    }

    let so_far = |removed: &[String]| match removed {
        [] => String::new(),
        done => format!(" (tags [{}] were removed)", done.join(", ")),
    };
    for tag in tags {
        if stopped() {
            return (
                Outcome::NotAttempted,
                format!("the run stopped{}", so_far(removed)),
            );
        }
        match registry.raw_manifest(image, tag).await {
            Ok((_, digest)) if digest == version.name => {}
            Ok((_, digest)) => {
                return (
                    Outcome::Changed,
                    format!(
                        "tag {} names {} now{}",
                        shown_tags(std::slice::from_ref(tag)),
                        short(&digest),
                        so_far(removed)
                    ),
                );
            }
            Err(why) => {
                return (
                    Outcome::Failed,
                    format!("the tag could not be read ({why}){}", so_far(removed)),
                );
            }
        }
        let placeholder = placeholder(&version.name, tag);
        let digest = format!("sha256:{:x}", Sha256::digest(&placeholder));
        if let Err(why) = registry
            .put_manifest(image, tag, OCI_INDEX, &placeholder)
            .await
        {
            return (
                Outcome::Failed,
                format!(
                    "the registry refused the placeholder ({why}){}",
                    so_far(removed)
                ),
            );
        }
        // From here the tag names the placeholder, an empty index.
        let left = |what: &str| {
            format!(
                "tag {} names an empty placeholder {} that {what}{}",
                shown_tags(std::slice::from_ref(tag)),
                short(&digest),
                so_far(removed)
            )
        };
        let listed: Result<Vec<_>, _> = package.versions().stream().try_collect().await;
        let Some(id) = listed
            .ok()
            .and_then(|versions| versions.into_iter().find(|v| v.name() == digest))
            .map(|v| v.id())
        else {
            return (Outcome::Failed, left("GitHub does not list, so it stays"));
        };
        if stopped() {
            return (
                Outcome::NotAttempted,
                left("was not deleted: the run stopped"),
            );
        }
        let report = package.delete_versions([id]).send().await;
        match report.items.first().map(|item| &item.outcome) {
            Some(BulkOutcome::Done | BulkOutcome::AlreadyGone) => removed.push(tag.clone()),
            Some(BulkOutcome::Refused(e) | BulkOutcome::Failed(e)) => {
                return (
                    Outcome::Failed,
                    left(&format!("could not be deleted ({e})")),
                );
            }
            _ => return (Outcome::Failed, left("was not deleted")),
        }
    }
    (
        Outcome::Untagged,
        format!("tags [{}] were removed", removed.join(", ")),
    )
}

/// An empty image index, unique to `tag` on `image` and to this moment.
fn placeholder(image: &str, tag: &str) -> Vec<u8> {
    let created = Utc::now().to_rfc3339_opts(SecondsFormat::Nanos, true);
    let index = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [],
        "annotations": {
            "org.opencontainers.image.created": created,
            ANNOTATION: format!("{tag} on {image}"),
        },
    });
    serde_json::to_vec(&index).unwrap_or_default()
}

/// What became of one tag put back on an image (the undo of an untag).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TagRestore {
    /// Pushed: the tag names the image again.
    Restored,
    /// A dry run: the tag would be pushed.
    WouldRestore,
    /// The tag already names the image.
    AlreadyThere,
    /// Left alone: the tag names something else now (not a placeholder of
    /// an untag), which is not overwritten.
    Changed(String),
    /// Could not be done; why.
    Failed(String),
}

impl Retention {
    /// Puts `tags` back on the image `digest` of the container package
    /// `package`, undoing an untag ([`Entry::removed_tags`] of a journal
    /// says which): the image's manifest is pushed again under each tag,
    /// so the tag names the same version as before. A tag that names
    /// another image by now is left alone; one that names an untag's
    /// placeholder is taken back. With `execute` false nothing is pushed.
    ///
    /// [`Entry::removed_tags`]: crate::Entry::removed_tags
    pub async fn restore_tags(
        &self,
        package: &PackageRef,
        digest: &str,
        tags: &[String],
        execute: bool,
    ) -> Vec<(String, TagRestore)> {
        let all = |outcome: TagRestore| tags.iter().map(|t| (t.clone(), outcome.clone())).collect();
        let registry = self.registry.as_ref();
        let listing = match listing::read(package, registry).await {
            Ok(listing) => listing,
            Err(e) => {
                return all(TagRestore::Failed(format!(
                    "the package could not be read ({e})"
                )));
            }
        };
        let (Some(registry), Some(image)) = (registry, listing.image.as_deref()) else {
            return all(TagRestore::Failed(
                "no container registry is known for it, or whose package it is".to_owned(),
            ));
        };
        if !listing.versions.iter().any(|v| v.name() == digest) {
            return all(TagRestore::Failed(format!(
                "GitHub does not list {}; restore it first",
                short(digest)
            )));
        }
        let manifest = match registry.raw_manifest(image, digest).await {
            Ok((bytes, _)) => bytes,
            Err(why) => {
                return all(TagRestore::Failed(format!(
                    "the image could not be read ({why})"
                )));
            }
        };
        let Some(media_type) = media_type(&manifest) else {
            return all(TagRestore::Failed(
                "the image's manifest names no media type".to_owned(),
            ));
        };
        let existing = match registry.tags(image).await {
            Ok(existing) => existing,
            Err(why) => {
                return all(TagRestore::Failed(format!(
                    "the tags could not be read ({why})"
                )));
            }
        };
        let mut done = Vec::new();
        for tag in tags {
            let outcome = if existing.contains(tag) {
                match registry.raw_manifest(image, tag).await {
                    Ok((_, now)) if now == digest => TagRestore::AlreadyThere,
                    Ok((bytes, _)) if is_placeholder(&bytes) => {
                        push(registry, image, tag, media_type, &manifest, execute).await
                    }
                    Ok((_, now)) => TagRestore::Changed(format!("it names {} now", short(&now))),
                    Err(why) => TagRestore::Failed(format!("the tag could not be read ({why})")),
                }
            } else {
                push(registry, image, tag, media_type, &manifest, execute).await
            };
            done.push((tag.clone(), outcome));
        }
        done
    }
}

async fn push(
    registry: &crate::Registry,
    image: &str,
    tag: &str,
    media_type: &str,
    manifest: &[u8],
    execute: bool,
) -> TagRestore {
    if !execute {
        return TagRestore::WouldRestore;
    }
    match registry
        .put_manifest(image, tag, media_type, manifest)
        .await
    {
        Ok(()) => TagRestore::Restored,
        Err(why) => TagRestore::Failed(format!("the registry refused the push ({why})")),
    }
}

/// The media type a manifest declares, or the OCI one its shape implies
/// (`mediaType` is optional in OCI manifests).
fn media_type(manifest: &[u8]) -> Option<&'static str> {
    let value: serde_json::Value = serde_json::from_slice(manifest).ok()?;
    const KNOWN: [&str; 4] = [
        OCI_INDEX,
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ];
    match value.get("mediaType").and_then(|m| m.as_str()) {
        Some(declared) => KNOWN.into_iter().find(|k| *k == declared),
        None if value.get("manifests").is_some() => Some(KNOWN[0]),
        None if value.get("layers").is_some() => Some(KNOWN[1]),
        None => None,
    }
}

/// Whether `bytes` is a placeholder an untag pushed: an empty index with
/// our annotation.
fn is_placeholder(bytes: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(bytes).is_ok_and(|index| {
        index["manifests"].as_array().is_some_and(Vec::is_empty)
            && index["annotations"][ANNOTATION].is_string()
    })
}
