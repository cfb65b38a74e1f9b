//! What kept images need (`docs/github-behaviour.md`, "Container images"):
//! starting from every kept version, the registry's manifests are read and
//! every version they need is found:
//!
//! - the children of a kept image index or manifest list (platform and
//!   buildx attestation manifests), and theirs;
//! - cosign signatures, attestations and SBOMs (tags
//!   `sha256-<hex>.sig|.att|.sbom`) and the referrers index (tag
//!   `sha256-<hex>`) of a kept digest;
//! - OCI 1.1 artifacts whose `subject` is a kept digest. ghcr.io has no
//!   referrers API, so the manifests of the versions about to be deleted
//!   are read to find them.
//!
//! This repeats until nothing changes. If a manifest cannot be read, the
//! answer is an error, and nothing in the package may be deleted.
//! Planning runs it on the plan; execution runs it again on the package's
//! current listing before deleting (`verify.rs`).

use std::collections::{BTreeMap, HashMap, HashSet};

use futures::{StreamExt, stream};

use super::registry::Registry;
use super::tags::{Follows, follows};
use crate::manifest::Manifest;
use crate::plan::{Action, PackagePlan, Reason};

/// Manifests read at once.
const FETCHES_AT_ONCE: usize = 8;

/// What the walk is told about one version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// Kept for a reason of its own.
    Kept,
    /// Kept only because no rule deletes it: if a kept image needs it, the
    /// reason says so instead.
    KeptByDefault,
    /// About to be deleted, unless a kept image needs it.
    Candidate,
}

/// One version: its name (a digest), its tags, its role.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Node<'a> {
    pub(crate) name: &'a str,
    pub(crate) tags: &'a [String],
    pub(crate) role: Role,
}

/// Reads manifests of one image through a cache by digest.
pub(crate) struct Reader<'a> {
    pub(crate) registry: &'a Registry,
    /// `owner/name`, lower case.
    pub(crate) image: &'a str,
    pub(crate) manifests: &'a mut BTreeMap<String, Manifest>,
}

impl Reader<'_> {
    /// Reads the manifests of `digests` not read yet, a few at once; the
    /// first failure is the answer.
    async fn fetch(&mut self, digests: &[String]) -> Result<(), String> {
        let mut wanted: Vec<&String> = digests
            .iter()
            .filter(|d| !self.manifests.contains_key(*d))
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        let (registry, image) = (self.registry, self.image);
        let mut results = stream::iter(wanted)
            .map(|digest| async move { (digest.clone(), registry.manifest(image, digest).await) })
            .buffer_unordered(FETCHES_AT_ONCE);
        while let Some((digest, result)) = results.next().await {
            let manifest = result.map_err(|error| {
                format!(
                    "the manifest of {} could not be read from {} ({error})",
                    crate::plan::short(&digest),
                    registry.url()
                )
            })?;
            self.manifests.insert(digest, manifest);
        }
        Ok(())
    }

    /// For each of `nodes`, the reason a kept version needs it, if one
    /// does. `also_kept` names digests to treat as kept although no node
    /// lists them.
    pub(crate) async fn needed(
        &mut self,
        nodes: &[Node<'_>],
        also_kept: &[String],
    ) -> Result<Vec<Option<Reason>>, String> {
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, node) in nodes.iter().enumerate() {
            by_name.entry(node.name).or_default().push(i);
        }
        let mut needs: Vec<Option<Reason>> = vec![None; nodes.len()];
        let mut kept: HashSet<String> = HashSet::new();
        let mut expand: Vec<String> = Vec::new();
        let roots = nodes
            .iter()
            .filter(|n| n.role != Role::Candidate)
            .map(|n| n.name.to_owned())
            .chain(also_kept.iter().cloned());
        for root in roots {
            if kept.insert(root.clone()) {
                expand.push(root);
            }
        }
        // Whether node `i` may be given a reason: not kept for its own,
        // and not given one yet.
        let open =
            |needs: &[Option<Reason>], i: usize| nodes[i].role != Role::Kept && needs[i].is_none();

        loop {
            // The children of everything kept, and theirs.
            while !expand.is_empty() {
                let digests = std::mem::take(&mut expand);
                self.fetch(&digests).await?;
                for digest in digests {
                    for (child, platform) in &self.manifests[&digest].children {
                        for &i in by_name.get(child.as_str()).into_iter().flatten() {
                            if open(&needs, i) {
                                needs[i] = Some(Reason::Child {
                                    index: digest.clone(),
                                    platform: platform.clone(),
                                });
                            }
                        }
                        if by_name.contains_key(child.as_str()) && kept.insert(child.clone()) {
                            expand.push(child.clone());
                        }
                    }
                }
            }

            // What follows a kept digest by its tags.
            for (i, node) in nodes.iter().enumerate() {
                if !open(&needs, i) {
                    continue;
                }
                let target = node
                    .tags
                    .iter()
                    .filter_map(|t| follows(t))
                    .find(|(digest, _)| kept.contains(digest));
                if let Some((of, how)) = target {
                    needs[i] = Some(match how {
                        Follows::Cosign(kind) => Reason::Signature {
                            of,
                            kind: kind.to_owned(),
                        },
                        Follows::Referrers => Reason::ReferrersIndex { of },
                    });
                    if kept.insert(node.name.to_owned()) {
                        expand.push(node.name.to_owned());
                    }
                }
            }

            // Artifacts that refer to what is kept: read what would go.
            let candidates: Vec<String> = nodes
                .iter()
                .enumerate()
                .filter(|(i, n)| n.role == Role::Candidate && needs[*i].is_none())
                .map(|(_, n)| n.name.to_owned())
                .collect();
            self.fetch(&candidates).await?;
            for (i, node) in nodes.iter().enumerate() {
                if !open(&needs, i) {
                    continue;
                }
                // Kept by default: said only when its manifest was read.
                let Some(manifest) = self.manifests.get(node.name) else {
                    continue;
                };
                if let Some(subject) = manifest.subject.as_ref().filter(|s| kept.contains(*s)) {
                    needs[i] = Some(Reason::Referrer {
                        of: subject.clone(),
                        artifact_type: manifest.artifact_type.clone(),
                    });
                    if kept.insert(node.name.to_owned()) {
                        expand.push(node.name.to_owned());
                    }
                }
            }

            if expand.is_empty() {
                return Ok(needs);
            }
        }
    }
}

impl Registry {
    /// Applies the container safety checks to `plan`, the plan of the
    /// image at `path` (`acme/team/app`): keeps whatever its kept versions
    /// need (children, signatures, referrers), or, if a manifest cannot be
    /// read, everything. [`Retention::plan`](crate::Retention::plan) does
    /// this for container packages; this is for plans made otherwise.
    pub async fn protect(&self, path: &str, plan: &mut PackagePlan) {
        protect(Some(self), path, plan).await;
    }
}

/// Applies the safety checks to `plan`, the plan of the image at `image`
/// (`owner/name`, lower case).
pub(crate) async fn protect(registry: Option<&Registry>, image: &str, plan: &mut PackagePlan) {
    if plan.deletions().next().is_none() {
        return;
    }
    let Some(registry) = registry else {
        plan.block(
            "no container registry is known for this API, so kept images cannot be checked; name one"
                .to_owned(),
        );
        return;
    };
    let nodes: Vec<Node<'_>> = plan
        .versions
        .iter()
        .map(|v| Node {
            name: &v.name,
            tags: &v.tags,
            role: match v.reason {
                _ if v.action() == Action::Delete => Role::Candidate,
                Reason::NoRule => Role::KeptByDefault,
                _ => Role::Kept,
            },
        })
        .collect();
    let mut manifests = std::mem::take(&mut plan.manifests);
    let mut reader = Reader {
        registry,
        image,
        manifests: &mut manifests,
    };
    let needs = reader.needed(&nodes, &[]).await;
    drop(nodes);
    plan.manifests = manifests;
    match needs {
        Ok(needs) => {
            for (version, need) in plan.versions.iter_mut().zip(needs) {
                if let Some(reason) = need {
                    version.reason = reason;
                }
            }
        }
        Err(why) => plan.block(why),
    }
}
