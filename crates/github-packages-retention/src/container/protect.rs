//! What kept images need, and what goes with deleted ones
//! (`docs/github-behaviour.md`, "Container images"). Manifests are read
//! from the registry, and the versions are related as `graph.rs` says: a
//! part of a kept version (the manifests a kept index lists, at any depth;
//! the cosign signatures, attestations and SBOMs and the referrers index
//! of a kept digest; OCI 1.1 artifacts whose `subject` is kept — ghcr.io
//! has no referrers API, so manifests are read to find them) is kept; a
//! part of deleted images only goes with them.
//!
//! Which manifests are read (`docs/github-behaviour.md`, "Which manifests
//! a plan reads"): every one, but those a read index describes as image
//! manifests (which list nothing) of versions the plan keeps — what such a
//! manifest could add is a `subject`, which makes it a part of something,
//! and a kept version's fate does not change by being a part. Deleting
//! orphans needs every `subject`, so that rule reads them all.
//!
//! If a manifest cannot be read, the answer is an error, and nothing in
//! the package may be deleted. Planning runs this on the plan; execution
//! runs it again on the package's current listing before deleting
//! (`verify.rs`).

use std::collections::{BTreeMap, HashSet};

use futures::{StreamExt, stream};

use super::graph::{Facts, Graph, Node, Role};
use super::registry::Registry;
use crate::decide::keep_what_github_refuses;
use crate::manifest::Manifest;
use crate::plan::{Action, PackagePlan, Reason, VersionPlan};
use crate::progress::PlanProgress;

/// Manifests asked for at once by one package; the registry's own cap
/// ([`Registry`]'s concurrency) bounds what is in flight over all of them.
const FETCHES_AT_ONCE: usize = 64;

/// Rounds of reading a plan makes by the rule before it reads whatever is
/// left: indexes nested deeper than this (none seen in practice) cost the
/// reads of the rest rather than a round a level.
const ROUNDS: usize = 4;

/// Reads manifests of one image through a cache by digest.
pub(crate) struct Reader<'a> {
    pub(crate) registry: &'a Registry,
    /// `owner/name`, lower case.
    pub(crate) image: &'a str,
    pub(crate) manifests: &'a mut BTreeMap<String, Manifest>,
    /// Counts what is wanted and read, when someone watches.
    pub(crate) progress: Option<&'a PlanProgress>,
}

impl Reader<'_> {
    /// Reads the manifests of `digests` not read yet, many at once; the
    /// first failure is the answer.
    async fn fetch(&mut self, digests: &[String]) -> Result<(), String> {
        let mut wanted: Vec<&String> = digests
            .iter()
            .filter(|d| !self.manifests.contains_key(*d))
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        if let Some(progress) = self.progress {
            progress.wanted(wanted.len());
        }
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
            if let Some(progress) = self.progress {
                progress.read();
            }
        }
        Ok(())
    }

    /// For each of `nodes`, the reason the graph gives it, if any
    /// ([`Graph::settle`]), once every manifest that matters is read (all
    /// but those of kept nodes that a read index describes as image
    /// manifests). `also_kept` names digests to treat as kept although no
    /// node lists them.
    pub(crate) async fn needed(
        &mut self,
        nodes: &[Node<'_>],
        also_kept: &[String],
    ) -> Result<Vec<Option<Reason>>, String> {
        let mut nodes = nodes.to_vec();
        let listed = nodes.len();
        for name in also_kept {
            nodes.push(Node {
                name,
                tags: &[],
                role: Role::Kept,
            });
        }
        let leaves = leaves(self.manifests);
        let names: Vec<String> = nodes
            .iter()
            .filter(|n| n.role == Role::Candidate || !leaves.contains(n.name))
            .map(|n| n.name.to_owned())
            .collect();
        drop(leaves);
        self.fetch(&names).await?;
        let mut reasons = Graph::new(&nodes, self.manifests).settle(&nodes);
        reasons.truncate(listed);
        Ok(reasons)
    }
}

impl Registry {
    /// Applies the container safety checks to `plan`, the plan of the
    /// image at `path` (`acme/team/app`): keeps whatever its kept versions
    /// need (children, signatures, referrers), deletes with a deleted
    /// image what only it needs and no rule keeps, or, if a manifest
    /// cannot be read, keeps everything. [`Retention::plan`](crate::Retention::plan)
    /// does this for container packages; this is for plans made otherwise.
    pub async fn protect(&self, path: &str, plan: &mut PackagePlan) {
        if plan.deletions().next().is_none() {
            return;
        }
        match read_all(self, path, plan).await {
            Ok(()) => settle(plan),
            Err(why) => plan.block(why),
        }
    }
}

/// Reads from `registry` the manifests `plan`, the plan of the image at
/// `image`, needs, and settles it: after each round of reads the rules
/// decide again (`decide`, given what the graph shows so far) and the
/// graph settles, until every unread manifest is one that cannot matter
/// (see the module's comment); `read_all` reads every one. Or says why it
/// cannot be done.
pub(crate) async fn plan_image(
    registry: Option<&Registry>,
    image: Option<&str>,
    plan: &mut PackagePlan,
    read_all: bool,
    decide: impl Fn(&Facts) -> Vec<VersionPlan>,
    progress: Option<&PlanProgress>,
) -> Result<(), String> {
    let (registry, image) = match (registry, image) {
        (None, _) => {
            return Err(
                "no container registry is known for this API, so kept images cannot be \
                 checked; name one"
                    .to_owned(),
            );
        }
        (_, None) => {
            return Err(
                "GitHub did not say whose package it is, so its image cannot be found".to_owned(),
            );
        }
        (Some(registry), Some(image)) => (registry, image),
    };
    // First the tagged versions (images, signatures, referrers indexes):
    // the indexes among them describe most of the rest.
    let mut wanted: Vec<String> = plan
        .versions
        .iter()
        .filter(|v| read_all || !v.tags.is_empty())
        .map(|v| v.name.clone())
        .collect();
    for round in 1.. {
        Reader {
            registry,
            image,
            manifests: &mut plan.manifests,
            progress,
        }
        .fetch(&wanted)
        .await?;
        plan.versions = decide(&facts(plan));
        settle(plan);
        wanted = unread(plan, round >= ROUNDS);
        if wanted.is_empty() {
            break;
        }
    }
    Ok(())
}

/// The digests every manifest in `manifests` describes as an image
/// manifest.
fn leaves(manifests: &BTreeMap<String, Manifest>) -> HashSet<&str> {
    manifests
        .values()
        .flat_map(|m| m.leaves.iter().map(String::as_str))
        .collect()
}

/// The versions of `plan` whose manifests are unread and may matter:
/// all (`all`), or all but those a read index describes as image
/// manifests and the plan keeps.
fn unread(plan: &PackagePlan, all: bool) -> Vec<String> {
    let leaves = leaves(&plan.manifests);
    plan.versions
        .iter()
        .filter(|v| !plan.manifests.contains_key(&v.name))
        .filter(|v| all || v.action() == Action::Delete || !leaves.contains(v.name.as_str()))
        .map(|v| v.name.clone())
        .collect()
}

/// Reads the manifest of every version of `plan`, the plan of the image at
/// `image` (`owner/name`, lower case), that was not read yet.
async fn read_all(registry: &Registry, image: &str, plan: &mut PackagePlan) -> Result<(), String> {
    let names: Vec<String> = plan.versions.iter().map(|v| v.name.clone()).collect();
    Reader {
        registry,
        image,
        manifests: &mut plan.manifests,
        progress: None,
    }
    .fetch(&names)
    .await
}

/// The versions of `plan` as the graph sees them, by their reasons.
fn nodes<'a>(plan: &'a PackagePlan, reasons: &[Reason]) -> Vec<Node<'a>> {
    plan.versions
        .iter()
        .zip(reasons)
        .map(|(v, reason)| Node {
            name: &v.name,
            tags: &v.tags,
            role: match reason {
                _ if reason.action() == Action::Delete => Role::Candidate,
                Reason::NoRule => Role::KeptByDefault,
                _ => Role::Kept,
            },
        })
        .collect()
}

/// What the graph of `plan`'s versions tells the rules, as far as the
/// manifests read show.
pub(crate) fn facts(plan: &PackagePlan) -> Facts {
    let reasons: Vec<Reason> = plan.versions.iter().map(|v| v.reason.clone()).collect();
    let nodes = nodes(plan, &reasons);
    Graph::new(&nodes, &plan.manifests).facts(&nodes)
}

/// Gives every version of `plan` (whose manifests are read) the reason the
/// graph gives it, then keeps what GitHub refuses to delete; if that keeps
/// a version the graph had deleted, its parts are settled again.
pub(crate) fn settle(plan: &mut PackagePlan) {
    let mut decided: Vec<Reason> = plan.versions.iter().map(|v| v.reason.clone()).collect();
    // Each round keeps one more version for GitHub, after which no round
    // can delete everything: two rounds settle it, three bound a mistake.
    for _ in 0..3 {
        let nodes = nodes(plan, &decided);
        let reasons = Graph::new(&nodes, &plan.manifests).settle(&nodes);
        drop(nodes);
        for ((version, decided), reason) in plan.versions.iter_mut().zip(&decided).zip(reasons) {
            version.reason = reason.unwrap_or_else(|| decided.clone());
        }
        keep_what_github_refuses(&mut plan.versions, true);
        let mut again = false;
        for (version, decided) in plan.versions.iter().zip(&mut decided) {
            if matches!(version.reason, Reason::LastVersion | Reason::LastTagged)
                && *decided != version.reason
            {
                *decided = version.reason.clone();
                again = true;
            }
        }
        if !again {
            return;
        }
    }
}
