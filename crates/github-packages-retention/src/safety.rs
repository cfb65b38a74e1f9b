//! Container safety: before anything in a container package is deleted,
//! the manifests of what is kept are read from the registry, and every
//! version they need is kept too (docs/github-behaviour.md, "Container images:
//! untagged does not mean unused"):
//!
//! - the children of a kept image index or manifest list (platform and
//!   buildx attestation manifests), and theirs;
//! - cosign signatures, attestations and SBOMs (tags
//!   `sha256-<hex>.sig|.att|.sbom`) of a kept digest;
//! - OCI 1.1 artifacts whose `subject` is a kept digest. ghcr.io has no
//!   referrers API, so the manifests of the versions about to be deleted
//!   are read to find them.
//!
//! This repeats until nothing changes. If a manifest cannot be read,
//! nothing in the package is deleted, and the plan says why.

use std::collections::{HashMap, HashSet, VecDeque};

use futures::{StreamExt, stream};

use crate::plan::{Action, PackagePlan, Reason, cosign_target, is_cosign};
use crate::registry::{Manifest, Registry};

/// Manifests read at once.
const FETCHES_AT_ONCE: usize = 8;

/// Applies the safety checks to `plan`, the plan of the image at `image`
/// (`owner/name`, lower case).
pub(crate) async fn protect(registry: Option<&Registry>, image: &str, plan: &mut PackagePlan) {
    if plan.deletions().next().is_none() {
        return;
    }
    let Some(registry) = registry else {
        block(
            plan,
            "no container registry is known for this API, so kept images cannot be checked; name one".to_owned(),
        );
        return;
    };
    if let Err(error) = walk(registry, image, plan).await {
        block(plan, error);
    }
}

/// Whether a reason gives way to "needed by a kept image": a deletion, or a
/// version kept only because no rule deletes it (which then says what it
/// belongs to).
fn weak(reason: &Reason) -> bool {
    reason.action() == Action::Delete || *reason == Reason::NoRule
}

/// Keeps everything in the package, saying why.
pub(crate) fn block(plan: &mut PackagePlan, error: String) {
    for version in &mut plan.versions {
        if version.action() == Action::Delete {
            version.reason = Reason::RegistryUnavailable {
                error: error.clone(),
            };
        }
    }
    plan.blocked = Some(error);
}

async fn walk(registry: &Registry, image: &str, plan: &mut PackagePlan) -> Result<(), String> {
    let position: HashMap<String, usize> = plan
        .versions
        .iter()
        .enumerate()
        .map(|(i, v)| (v.name.clone(), i))
        .collect();
    let mut manifests: HashMap<String, Manifest> = HashMap::new();
    let mut protected: HashSet<String> = HashSet::new();
    let mut expand: VecDeque<String> = VecDeque::new();
    for version in &plan.versions {
        if version.action() == Action::Keep {
            protected.insert(version.name.clone());
            expand.push_back(version.name.clone());
        }
    }

    loop {
        // The children of everything kept, and theirs.
        while !expand.is_empty() {
            let digests: Vec<String> = expand.drain(..).collect();
            fetch(registry, image, &digests, &mut manifests).await?;
            for digest in digests {
                let manifest = &manifests[&digest];
                for (child, platform) in &manifest.children {
                    if let Some(&i) = position.get(child)
                        && weak(&plan.versions[i].reason)
                    {
                        plan.versions[i].reason = Reason::Child {
                            index: digest.clone(),
                            platform: platform.clone(),
                        };
                        protected.insert(child.clone());
                        expand.push_back(child.clone());
                    }
                }
            }
        }

        // Signatures of what is kept.
        for version in &mut plan.versions {
            if !weak(&version.reason) || !is_cosign(&version.tags) {
                continue;
            }
            let target = version
                .tags
                .iter()
                .filter_map(|t| cosign_target(t))
                .find(|(digest, _)| protected.contains(digest));
            if let Some((of, kind)) = target {
                version.reason = Reason::Signature {
                    of,
                    kind: kind.to_owned(),
                };
                protected.insert(version.name.clone());
                expand.push_back(version.name.clone());
            }
        }

        // Artifacts that refer to what is kept: read what would go.
        let candidates: Vec<String> = plan.deletions().map(|v| v.name.clone()).collect();
        fetch(registry, image, &candidates, &mut manifests).await?;
        for digest in candidates {
            let manifest = &manifests[&digest];
            if let Some(subject) = manifest.subject.as_ref().filter(|s| protected.contains(*s)) {
                plan.versions[position[&digest]].reason = Reason::Referrer {
                    of: subject.clone(),
                    artifact_type: manifest.artifact_type.clone(),
                };
                protected.insert(digest.clone());
                expand.push_back(digest);
            }
        }

        if expand.is_empty() {
            break;
        }
    }
    // Kept anyway, but say what they belong to.
    for version in &mut plan.versions {
        if version.reason == Reason::NoRule
            && let Some(manifest) = manifests.get(&version.name)
            && let Some(subject) = manifest.subject.as_ref().filter(|s| protected.contains(*s))
        {
            version.reason = Reason::Referrer {
                of: subject.clone(),
                artifact_type: manifest.artifact_type.clone(),
            };
        }
    }
    plan.indexes = manifests
        .into_iter()
        .filter(|(_, m)| m.is_index)
        .map(|(digest, m)| (digest, m.children.into_iter().map(|(c, _)| c).collect()))
        .collect();
    Ok(())
}

/// Reads the manifests of `digests` not read yet, a few at once; the first
/// failure is the answer.
async fn fetch(
    registry: &Registry,
    image: &str,
    digests: &[String],
    manifests: &mut HashMap<String, Manifest>,
) -> Result<(), String> {
    let wanted: Vec<&String> = digests
        .iter()
        .filter(|d| !manifests.contains_key(*d))
        .collect();
    let mut results = stream::iter(wanted)
        .map(|digest| async move {
            let manifest = registry.manifest(image, digest).await;
            (digest.clone(), manifest)
        })
        .buffer_unordered(FETCHES_AT_ONCE);
    while let Some((digest, result)) = results.next().await {
        let manifest = result.map_err(|error| {
            format!(
                "the manifest of {digest} could not be read from {} ({error})",
                registry.url()
            )
        })?;
        manifests.insert(digest, manifest);
    }
    Ok(())
}
