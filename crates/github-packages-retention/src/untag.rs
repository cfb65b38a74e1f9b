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

/// Removes `tags` from `version` of `package`, unless `stopped` says the
/// run stopped before a push or a deletion. The outcome, and what happened
/// in words.
pub(crate) async fn untag(
    retention: &Retention,
    package: &PackageRef,
    version: &VersionPlan,
    tags: &[String],
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

    let mut removed: Vec<&str> = Vec::new();
    let so_far = |removed: &[&str]| match removed {
        [] => String::new(),
        done => format!(" (tags [{}] were removed)", done.join(", ")),
    };
    for tag in tags {
        if stopped() {
            return (
                Outcome::NotAttempted,
                format!("the run stopped{}", so_far(&removed)),
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
                        so_far(&removed)
                    ),
                );
            }
            Err(why) => {
                return (
                    Outcome::Failed,
                    format!("the tag could not be read ({why}){}", so_far(&removed)),
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
                    so_far(&removed)
                ),
            );
        }
        // From here the tag names the placeholder, an empty index.
        let left = |what: &str| {
            format!(
                "tag {} names an empty placeholder {} that {what}{}",
                shown_tags(std::slice::from_ref(tag)),
                short(&digest),
                so_far(&removed)
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
            Some(BulkOutcome::Done | BulkOutcome::AlreadyGone) => removed.push(tag),
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
