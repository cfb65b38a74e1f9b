//! How the versions of one image package hang together, once their
//! manifests are read (`docs/github-behaviour.md`, "Container images"): a
//! version is a *part* of another when that one's index lists it, when its
//! tags follow that one's digest (cosign `.sig`/`.att`/`.sbom`, the
//! `sha256-<hex>` referrers index), or when its `subject` is that one's
//! digest. What a part's fate is follows from the versions it is part of:
//!
//! - kept, if any version it is part of is kept (reference counting: one
//!   kept image is enough), at any depth;
//! - deleted with the image, if every version it is part of is deleted
//!   and no rule keeps it for a reason of its own, as
//!   dataaxiom/ghcr-cleanup-action deletes whole images.
//!
//! A version part of nothing is an image of its own: kept by default, it
//! keeps its parts.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use super::tags::{Follows, follows, release_tags};
use crate::manifest::Manifest;
use crate::plan::{Part, Reason};

/// What the settling is told about one version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// Kept for a reason of its own.
    Kept,
    /// Kept only because no rule deletes it: if it is part of a kept
    /// image, or of deleted images only, the reason says so instead.
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

/// The part-of relation among a package's versions.
pub(crate) struct Graph {
    /// For each node, the nodes that are its parts, and how.
    parts: Vec<Vec<(usize, Part)>>,
    /// For each node, whether it is a part of another node.
    is_part: Vec<bool>,
    /// For each node, what is wrong with it, if anything.
    broken: Vec<Option<Reason>>,
}

/// What the graph tells the rules about versions, by name: which are parts
/// of another, and which are broken ([`Reason::Ghost`],
/// [`Reason::Partial`], [`Reason::Orphan`]).
#[derive(Debug, Default)]
pub(crate) struct Facts {
    pub(crate) parts: HashSet<String>,
    pub(crate) broken: HashMap<String, Reason>,
}

impl Graph {
    /// The relation among `nodes`, from their tags and from `manifests`
    /// (by digest; a node whose manifest is missing lists nothing and
    /// refers to nothing).
    pub(crate) fn new(nodes: &[Node<'_>], manifests: &BTreeMap<String, Manifest>) -> Self {
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, node) in nodes.iter().enumerate() {
            by_name.entry(node.name).or_default().push(i);
        }
        let named = |name: &str| by_name.get(name).into_iter().flatten().copied();
        let mut graph = Self {
            parts: vec![Vec::new(); nodes.len()],
            is_part: vec![false; nodes.len()],
            broken: vec![None; nodes.len()],
        };
        for (j, node) in nodes.iter().enumerate() {
            // What it follows or refers to, listed or not.
            let mut targets: Vec<String> = Vec::new();
            if let Some(manifest) = manifests.get(node.name) {
                let (mut platforms, mut missing) = (0, 0);
                for (child, platform) in &manifest.children {
                    if platform.as_deref() != Some("attestation") {
                        platforms += 1;
                        missing += usize::from(named(child).next().is_none());
                    }
                    for i in named(child) {
                        let platform = platform.clone();
                        graph.link(j, i, Part::Child { platform });
                    }
                }
                graph.broken[j] = match missing {
                    0 => None,
                    _ if missing == platforms => Some(Reason::Ghost { platforms }),
                    _ => Some(Reason::Partial { missing, platforms }),
                };
                if let Some(subject) = &manifest.subject {
                    targets.push(subject.clone());
                    for of in named(subject) {
                        let artifact_type = manifest.artifact_type.clone();
                        graph.link(of, j, Part::Referrer { artifact_type });
                    }
                }
            }
            for (digest, how) in node.tags.iter().filter_map(|t| follows(t)) {
                for of in named(&digest) {
                    let part = match how {
                        Follows::Cosign(kind) => Part::Signature {
                            kind: kind.to_owned(),
                        },
                        Follows::Referrers => Part::ReferrersIndex,
                    };
                    graph.link(of, j, part);
                }
                targets.push(digest);
            }
            // Something that only follows others, none of which is listed.
            if !targets.is_empty()
                && release_tags(node.tags).is_empty()
                && targets.iter().all(|t| named(t).next().is_none())
            {
                graph.broken[j] = Some(Reason::Orphan {
                    of: targets.swap_remove(0),
                });
            }
        }
        graph
    }

    /// What the rules need to know of `nodes` (the ones the graph was made
    /// from).
    pub(crate) fn facts(&self, nodes: &[Node<'_>]) -> Facts {
        let mut facts = Facts::default();
        for (i, node) in nodes.iter().enumerate() {
            if self.is_part[i] {
                facts.parts.insert(node.name.to_owned());
            }
            if let Some(broken) = &self.broken[i] {
                facts.broken.insert(node.name.to_owned(), broken.clone());
            }
        }
        facts
    }

    fn link(&mut self, whole: usize, part: usize, how: Part) {
        if whole != part {
            self.parts[whole].push((part, how));
            self.is_part[part] = true;
        }
    }

    /// For each of `nodes` (the ones the graph was made from), the reason
    /// the graph gives it, if any: a protection reason (child, signature,
    /// referrers index, referrer) for a part of a kept version that is
    /// not kept for a reason of its own, and [`Reason::WithImage`] for a
    /// version kept by default whose every whole is deleted.
    pub(crate) fn settle(&self, nodes: &[Node<'_>]) -> Vec<Option<Reason>> {
        let mut reasons: Vec<Option<Reason>> = vec![None; nodes.len()];
        let mut kept = vec![false; nodes.len()];
        let mut queue: VecDeque<usize> = (0..nodes.len())
            .filter(|&i| match nodes[i].role {
                Role::Kept => true,
                Role::KeptByDefault => !self.is_part[i],
                Role::Candidate => false,
            })
            .collect();
        for &i in &queue {
            kept[i] = true;
        }
        while let Some(whole) = queue.pop_front() {
            for (i, part) in &self.parts[whole] {
                if !kept[*i] {
                    kept[*i] = true;
                    queue.push_back(*i);
                    if nodes[*i].role != Role::Kept {
                        reasons[*i] = Some(part.kept_with(nodes[whole].name));
                    }
                }
            }
        }

        // The image each deleted version goes with: the outermost first,
        // so that its parts name it.
        let mut image: Vec<Option<usize>> = vec![None; nodes.len()];
        let mut deleted: Vec<usize> = (0..nodes.len())
            .filter(|&i| nodes[i].role == Role::Candidate && !kept[i])
            .collect();
        deleted.sort_by_key(|&i| self.is_part[i]);
        for &i in &deleted {
            image[i] = Some(i);
        }
        let mut queue = VecDeque::from(deleted);
        while let Some(whole) = queue.pop_front() {
            let Some(of) = image[whole] else { continue };
            for (i, part) in &self.parts[whole] {
                if kept[*i] || image[*i].is_some() || nodes[*i].role != Role::KeptByDefault {
                    continue;
                }
                image[*i] = Some(of);
                reasons[*i] = Some(Reason::WithImage {
                    image: nodes[of].name.to_owned(),
                    image_tags: nodes[of].tags.to_vec(),
                    part: part.clone(),
                });
                queue.push_back(*i);
            }
        }
        reasons
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(c: char) -> String {
        format!("sha256:{}", c.to_string().repeat(64))
    }

    fn index(children: &[&str]) -> Manifest {
        Manifest {
            children: children
                .iter()
                .map(|c| (c.to_string(), Some("linux/amd64".to_owned())))
                .collect(),
            is_index: true,
            ..Manifest::default()
        }
    }

    #[test]
    fn shared_parts_stay_with_the_kept_image_and_go_with_deleted_ones() {
        let [kept, gone, shared, own, nested, deep] = ['a', 'b', 'c', 'd', 'e', 'f'].map(digest);
        let signature = format!("sha256-{}.sig", "b".repeat(64));
        let manifests = BTreeMap::from([
            (kept.clone(), index(&[&shared])),
            (gone.clone(), index(&[&shared, &own, &nested])),
            (nested.clone(), index(&[&deep])),
            (shared.clone(), Manifest::default()),
            (own.clone(), Manifest::default()),
            (deep.clone(), Manifest::default()),
            (digest('9'), Manifest::default()),
        ]);
        let sig_tags = [signature];
        let names = [&kept, &gone, &shared, &own, &nested, &deep, &digest('9')];
        let roles = [
            Role::Kept,
            Role::Candidate,
            Role::KeptByDefault,
            Role::KeptByDefault,
            Role::KeptByDefault,
            Role::KeptByDefault,
            Role::KeptByDefault,
        ];
        let mut nodes: Vec<Node<'_>> = names
            .iter()
            .zip(roles)
            .map(|(name, role)| Node {
                name,
                tags: &[],
                role,
            })
            .collect();
        nodes[6].tags = &sig_tags;
        let graph = Graph::new(&nodes, &manifests);
        let reasons = graph.settle(&nodes);
        assert!(
            matches!(&reasons[2], Some(Reason::Child { index, .. }) if *index == kept),
            "one kept whole is enough: {:?}",
            reasons[2]
        );
        for i in [3, 4, 5, 6] {
            assert!(
                matches!(&reasons[i], Some(Reason::WithImage { image, .. }) if *image == gone),
                "{i}: {:?}",
                reasons[i]
            );
        }
        assert_eq!(reasons[0], None);
        assert_eq!(reasons[1], None);
    }

    #[test]
    fn a_cycle_of_tags_ends_and_keeps_what_it_cannot_place() {
        let [a, b] = ['a', 'b'].map(digest);
        let tags_a = [format!("sha256-{}.sig", "b".repeat(64))];
        let tags_b = [format!("sha256-{}.sig", "a".repeat(64))];
        let nodes = [
            Node {
                name: &a,
                tags: &tags_a,
                role: Role::KeptByDefault,
            },
            Node {
                name: &b,
                tags: &tags_b,
                role: Role::KeptByDefault,
            },
        ];
        let graph = Graph::new(&nodes, &BTreeMap::new());
        assert_eq!(graph.settle(&nodes), [None, None]);
    }
}
