//! The order deletions go in, outermost first: an index before the
//! manifests it lists (at any depth), an image before its cosign tags, its
//! referrers index and its referrers. A run that stops half-way then never
//! leaves a tag that does not pull, nor an image that lost its signature
//! while it stays.

use std::collections::{BTreeMap, HashMap};

use super::tags::follows;
use crate::manifest::Manifest;
use crate::plan::VersionPlan;

/// The first wave of `deletions`: those no other of them lists, signs or
/// refers to, as far as `manifests` (by digest) and tags show. Without
/// manifests (other package types) that is all of them.
pub(crate) fn outermost<'a>(
    deletions: &[&'a VersionPlan],
    manifests: &BTreeMap<String, Manifest>,
) -> Vec<&'a VersionPlan> {
    waves(deletions, manifests)
        .into_iter()
        .next()
        .unwrap_or_default()
}

/// `deletions` in waves: each wave only holds versions whose parents
/// among the deletions are in earlier waves.
fn waves<'a>(
    deletions: &[&'a VersionPlan],
    manifests: &BTreeMap<String, Manifest>,
) -> Vec<Vec<&'a VersionPlan>> {
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, version) in deletions.iter().enumerate() {
        by_name.entry(version.name.as_str()).or_default().push(i);
    }
    // parent → children, among the deletions.
    let mut edges: Vec<(usize, usize)> = Vec::new();
    for (parent, version) in deletions.iter().enumerate() {
        if let Some(manifest) = manifests.get(&version.name) {
            for (child, _) in &manifest.children {
                for &c in by_name.get(child.as_str()).into_iter().flatten() {
                    edges.push((parent, c));
                }
            }
            if let Some(subject) = &manifest.subject {
                for &s in by_name.get(subject.as_str()).into_iter().flatten() {
                    edges.push((s, parent));
                }
            }
        }
        for (target, _) in version.tags.iter().filter_map(|t| follows(t)) {
            for &t in by_name.get(target.as_str()).into_iter().flatten() {
                edges.push((t, parent));
            }
        }
    }
    // Longest path from a root, found by relaxing every edge at most once
    // per version: content-addressed references cannot form a cycle, and
    // a cycle of tags (a hostile listing) stops at that bound.
    let mut depth = vec![0usize; deletions.len()];
    for _ in 0..deletions.len() {
        let mut changed = false;
        for &(parent, child) in &edges {
            if parent != child && depth[child] <= depth[parent] {
                depth[child] = depth[parent] + 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let levels = depth.iter().copied().max().map_or(0, |d| d + 1);
    let mut waves: Vec<Vec<&VersionPlan>> = vec![Vec::new(); levels];
    for (i, version) in deletions.iter().enumerate() {
        waves[depth[i]].push(version);
    }
    waves.retain(|wave| !wave.is_empty());
    waves
}
