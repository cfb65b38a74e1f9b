//! Right before a wave of deletions: the package as it is now, against the
//! plan. A planned deletion goes ahead only if GitHub still lists it with
//! exactly the tags the plan saw and nothing kept now needs it — a version
//! pushed, restored or re-tagged since the plan, or one whose own deletion
//! did not happen. For images, the manifests of versions that are new to
//! the plan are read, as planning reads them (`container::protect`).

use std::collections::{BTreeMap, HashMap, HashSet};

use github_packages::{PackageRef, PackageType, PackageVersion, VersionId};

use crate::container::graph::{Node, Role};
use crate::container::protect::Reader;
use crate::container::registry::Registry;
use crate::listing;
use crate::manifest::Manifest;
use crate::plan::{PackagePlan, Reason, VersionPlan, short, shown_tags};

/// What becomes of one planned deletion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Still as planned: delete it.
    Delete,
    /// GitHub no longer lists it.
    Gone,
    /// It, or what needs it, changed since the plan: kept, and why.
    Changed(String),
    /// A planned deletion it belongs to did not happen: kept, and why.
    Held(String),
}

/// Where one package's run stands before a wave.
pub(crate) struct Standing<'a> {
    pub(crate) plan: &'a PackagePlan,
    /// The deletions still to come, this wave's among them.
    pub(crate) pending: &'a [&'a VersionPlan],
    /// Versions this run deleted (or found already gone).
    pub(crate) deleted: &'a HashSet<VersionId>,
    /// Planned deletions whose deletion did not happen (refused, failed,
    /// not attempted): they stay, and so does everything under them.
    pub(crate) not_done: &'a [&'a VersionPlan],
    /// Planned deletions kept because they changed since the plan.
    pub(crate) changed: &'a [&'a VersionPlan],
}

/// The verdict on every pending deletion, from the package's current
/// listing (and, for an image, its registry through `manifests`, a cache
/// by digest); an error when the current state cannot be read or trusted,
/// in which case nothing more may be deleted.
pub(crate) async fn verify(
    package: &PackageRef,
    registry: Option<&Registry>,
    standing: &Standing<'_>,
    manifests: &mut BTreeMap<String, Manifest>,
) -> Result<HashMap<VersionId, Verdict>, String> {
    let container = *package.package_type() == PackageType::Container;
    let listing = listing::read(package, registry)
        .await
        .map_err(|e| format!("its current versions could not be read ({e})"))?;
    if let Some(unsound) = listing.unsound {
        return Err(unsound);
    }
    let fresh: HashMap<VersionId, &PackageVersion> =
        listing.versions.iter().map(|v| (v.id(), v)).collect();
    let planned: HashMap<VersionId, &VersionPlan> =
        standing.plan.versions.iter().map(|v| (v.id, v)).collect();

    let mut verdicts = HashMap::new();
    let mut candidates: HashSet<VersionId> = HashSet::new();
    for version in standing.pending {
        let verdict = match fresh.get(&version.id) {
            None => Verdict::Gone,
            Some(_) if listing.listed_twice.contains_key(&version.id) => {
                Verdict::Changed("GitHub now lists it twice, with different tags".to_owned())
            }
            Some(now) if now.name() != version.name => Verdict::Changed(format!(
                "its name was {} in the plan and is {} now",
                short(&version.name),
                short(now.name())
            )),
            Some(now) if !same_tags(now.tags(), &version.tags) => Verdict::Changed(format!(
                "its tags were [{}] in the plan and are [{}] now",
                shown_tags(&version.tags),
                shown_tags(now.tags())
            )),
            Some(_) => {
                candidates.insert(version.id);
                continue;
            }
        };
        verdicts.insert(version.id, verdict);
    }

    if container && !candidates.is_empty() {
        let Some(registry) = registry else {
            return Err(
                "no container registry is known for this API, so kept images cannot be checked"
                    .to_owned(),
            );
        };
        let Some(image) = listing.image.as_deref() else {
            return Err(
                "GitHub did not say whose package it is, so its image cannot be found".to_owned(),
            );
        };
        // Everything GitHub lists now is kept, but for the candidates and
        // what this run deleted; the planned deletions that did not happen
        // stay whether or not GitHub still lists them.
        let current: Vec<&PackageVersion> = listing
            .versions
            .iter()
            .filter(|v| !standing.deleted.contains(&v.id()))
            .collect();
        let nodes: Vec<Node<'_>> = current
            .iter()
            .map(|v| Node {
                name: v.name(),
                tags: v.tags(),
                role: if candidates.contains(&v.id()) {
                    Role::Candidate
                } else {
                    Role::Kept
                },
            })
            .collect();
        let not_done: HashSet<&str> = standing.not_done.iter().map(|v| v.name.as_str()).collect();
        let stays: Vec<String> = standing
            .not_done
            .iter()
            .chain(standing.changed)
            .map(|v| v.name.clone())
            .collect();
        let mut reader = Reader {
            registry,
            image,
            manifests,
            progress: None,
        };
        let needs = reader.needed(&nodes, &stays).await?;
        let kept_now: HashSet<&str> = current
            .iter()
            .zip(&needs)
            .filter(|(_, need)| need.is_some())
            .map(|(v, _)| v.name())
            .chain(standing.changed.iter().map(|v| v.name.as_str()))
            .collect();
        for (version, need) in current.iter().zip(needs) {
            let Some(need) = need.filter(|_| candidates.contains(&version.id())) else {
                continue;
            };
            let of = needed_by(&need);
            let verdict = if not_done.contains(of) {
                Verdict::Held(held(&need))
            } else {
                let why = if current
                    .iter()
                    .any(|v| v.name() == of && !planned.contains_key(&v.id()))
                {
                    "which appeared since the plan"
                } else if current.iter().any(|v| {
                    v.name() == of
                        && planned
                            .get(&v.id())
                            .is_some_and(|p| !same_tags(v.tags(), &p.tags))
                }) {
                    "whose tags changed since the plan"
                } else if kept_now.contains(of) {
                    "which is kept now"
                } else {
                    "which the plan keeps"
                };
                Verdict::Changed(format!("{need}, {why}"))
            };
            candidates.remove(&version.id());
            verdicts.insert(version.id(), verdict);
        }
    }
    for id in candidates {
        verdicts.insert(id, Verdict::Delete);
    }
    Ok(verdicts)
}

/// Whether two lists hold the same tags, in any order.
pub(crate) fn same_tags(a: &[String], b: &[String]) -> bool {
    let mut a: Vec<&String> = a.iter().collect();
    let mut b: Vec<&String> = b.iter().collect();
    a.sort_unstable();
    b.sort_unstable();
    a == b
}

/// The digest that needs a version, by the reason it needs it.
fn needed_by(need: &Reason) -> &str {
    match need {
        Reason::Child { index, .. } => index,
        Reason::Signature { of, .. }
        | Reason::ReferrersIndex { of }
        | Reason::Referrer { of, .. } => of,
        _ => "",
    }
}

/// Why a version stays when what it belongs to stays.
fn held(need: &Reason) -> String {
    match need {
        Reason::Child { index, .. } => format!("not deleted: its index {index} is still there"),
        Reason::Referrer { of, .. } => format!("not deleted: its subject {of} is still there"),
        other => format!(
            "not deleted: {}, which it belongs to, is still there",
            needed_by(other)
        ),
    }
}
