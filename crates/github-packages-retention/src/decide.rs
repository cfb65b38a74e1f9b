//! The policy's rules applied to one package's listing: a reason for every
//! version. Container safety comes after (`container::protect`); this
//! reads only what GitHub listed, and which versions are part of another
//! image when the registry was read.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use github_packages::{PackageType, PackageVersion, VersionId};

use crate::container::graph::Facts;
use crate::container::tags::{only_following, release_tags};
use crate::plan::{Action, Reason, VersionPlan};
use crate::policy::{Age, Policy, is_semver};

/// Applies `policy` to one package's versions (any order, no id twice),
/// newest first in the result by the time ages count from. `listed_twice`
/// holds, for each id GitHub listed twice with different tags, the other
/// tags: those are kept. `facts` names the versions that are part of
/// another image (a manifest its index lists, a signature, a referrer),
/// which the untagged rule leaves to the image they go with, and the
/// broken ones.
pub(crate) fn decide(
    policy: &Policy,
    package_type: &PackageType,
    versions: &[PackageVersion],
    listed_twice: &HashMap<VersionId, Vec<String>>,
    facts: &Facts,
    now: DateTime<Utc>,
) -> Vec<VersionPlan> {
    let has_tags = matches!(package_type, PackageType::Container | PackageType::Docker);
    let mut versions: Vec<&PackageVersion> = versions.iter().collect();
    versions.sort_by(|a, b| {
        policy
            .age_from
            .of(b)
            .cmp(&policy.age_from.of(a))
            .then(b.id().cmp(&a.id()))
    });

    let mut ranked = 0;
    let mut plans: Vec<VersionPlan> = versions
        .into_iter()
        .map(|version| {
            let tags = version.tags().to_vec();
            // Tags that name another image (signatures, referrers indexes)
            // are not labels: no pattern selects a version by them.
            let labels: Vec<String> = if has_tags {
                release_tags(&tags)
            } else {
                vec![version.name().to_owned()]
            };
            // Versions that follow another image do not count among the
            // recent tagged versions.
            let rank = (!labels.is_empty()).then(|| {
                ranked += 1;
                ranked
            });
            let judged = Judged {
                name: version.name(),
                labels: &labels,
                rank,
                is_part: facts.parts.contains(version.name()),
                broken: facts.broken.get(version.name()),
                age: now - policy.age_from.of(version),
            };
            let reason = match listed_twice.get(&version.id()) {
                Some(other_tags) => Reason::ListedTwice {
                    other_tags: other_tags.clone(),
                },
                None => judge(policy, &judged),
            };
            VersionPlan {
                id: version.id(),
                name: version.name().to_owned(),
                tags,
                created_at: version.created_at(),
                reason,
            }
        })
        .collect();
    keep_latest_of_each_rule(policy, &mut plans);
    keep_over_the_limit(policy, &mut plans);
    keep_duplicates(&mut plans);
    keep_what_github_refuses(&mut plans, has_tags);
    plans
}

/// What the rules read of one version.
struct Judged<'a> {
    name: &'a str,
    labels: &'a [String],
    /// Its place among the labelled versions, 1 for the newest.
    rank: Option<usize>,
    is_part: bool,
    /// What is wrong with it, if the registry shows something.
    broken: Option<&'a Reason>,
    age: chrono::Duration,
}

/// One version's fate under the policy: keep rules first, then delete
/// rules, else keep.
fn judge(policy: &Policy, version: &Judged<'_>) -> Reason {
    let (labels, age) = (version.labels, version.age);
    let age_days = age.num_days();
    let older_than =
        |limit: Age| chrono::Duration::from_std(limit.duration()).is_ok_and(|limit| age >= limit);
    if let Some(limit) = policy.keep_younger_than
        && !older_than(limit)
    {
        return Reason::Young { age_days, limit };
    }
    if policy.keep_digests.iter().any(|d| d.names(version.name)) {
        return Reason::KeepDigest;
    }
    for label in labels {
        if let Some(pattern) = policy.keep_tags.iter().find(|p| p.matches(label)) {
            return Reason::KeepTag {
                tag: label.clone(),
                pattern: pattern.to_string(),
            };
        }
    }
    if policy.keep_semver
        && let Some(tag) = labels.iter().find(|l| is_semver(l))
    {
        return Reason::Semver { tag: tag.clone() };
    }
    if let (Some(of), Some(rank)) = (policy.keep_latest, version.rank)
        && rank <= of
    {
        return Reason::Latest { rank, of };
    }
    if policy.delete_digests.iter().any(|d| d.names(version.name)) {
        return Reason::DeleteDigest;
    }
    if let Some(broken) = version.broken.filter(|b| policy.deletes_as(b)) {
        return broken.clone();
    }
    if labels.is_empty() {
        if let Some(limit) = policy.delete_untagged_older_than
            && older_than(limit)
            && !version.is_part
        {
            return Reason::Untagged { age_days };
        }
        return Reason::NoRule;
    }
    if let Some(limit) = policy.delete_tags_older_than
        && older_than(limit)
    {
        // Each label `delete_tags` matches, with the pattern that matches it.
        let matched: Vec<(&String, &crate::policy::Pattern)> = labels
            .iter()
            .filter_map(|l| Some((l, policy.delete_tags.iter().find(|p| p.matches(l))?)))
            .collect();
        if let Some((_, first)) = matched.first() {
            let all = matched.len() == labels.len();
            if all || policy.delete_tags_untag {
                let tags = matched.iter().map(|(l, _)| (*l).clone()).collect();
                let pattern = first.to_string();
                return if all {
                    Reason::DeleteTags {
                        tags,
                        pattern,
                        age_days,
                    }
                } else {
                    Reason::Untag {
                        tags,
                        pattern,
                        age_days,
                    }
                };
            }
        }
    }
    Reason::NoRule
}

/// `delete_untagged_keep_latest` and `delete_tags_keep_latest`: of the
/// versions each rule selects (`plans` newest first), the newest so many
/// stay.
fn keep_latest_of_each_rule(policy: &Policy, plans: &mut [VersionPlan]) {
    let (mut untagged, mut tagged) = (0, 0);
    for plan in plans.iter_mut() {
        match plan.reason {
            Reason::Untagged { .. } => {
                if let Some(of) = policy
                    .delete_untagged_keep_latest
                    .filter(|of| untagged < *of)
                {
                    untagged += 1;
                    plan.reason = Reason::LatestUntagged { rank: untagged, of };
                }
            }
            Reason::DeleteTags { .. } => {
                if let Some(of) = policy.delete_tags_keep_latest.filter(|of| tagged < *of) {
                    tagged += 1;
                    plan.reason = Reason::LatestOfDeleteTags { rank: tagged, of };
                }
            }
            _ => {}
        }
    }
}

/// `delete_at_most`: of the versions the rules delete (`plans` newest
/// first), only the oldest so many go.
fn keep_over_the_limit(policy: &Policy, plans: &mut [VersionPlan]) {
    let Some(at_most) = policy.delete_at_most else {
        return;
    };
    let mut deleted = 0;
    for plan in plans.iter_mut().rev() {
        if plan.action() == Action::Delete {
            if deleted < at_most {
                deleted += 1;
            } else {
                plan.reason = Reason::OverDeleteLimit { at_most };
            }
        }
    }
}

/// A name (an image's digest) listed under two ids gets the more
/// protective decision for both: deleting one could take the manifest the
/// other needs.
fn keep_duplicates(plans: &mut [VersionPlan]) {
    let mut kept: HashMap<&str, VersionId> = HashMap::new();
    for plan in plans.iter().filter(|p| p.action() == Action::Keep) {
        kept.entry(plan.name.as_str()).or_insert(plan.id);
    }
    let duplicates: Vec<(usize, VersionId)> = plans
        .iter()
        .enumerate()
        .filter(|(_, p)| p.action() == Action::Delete)
        .filter_map(|(i, p)| kept.get(p.name.as_str()).map(|of| (i, *of)))
        .collect();
    for (i, of) in duplicates {
        plans[i].reason = Reason::Duplicate { of };
    }
}

/// GitHub refuses to delete a package's last version (and, it is reported,
/// its last tagged one): the newest of those the plan would delete stays.
pub(crate) fn keep_what_github_refuses(plans: &mut [VersionPlan], has_tags: bool) {
    if !plans.is_empty() && plans.iter().all(|v| v.action() == Action::Delete) {
        plans[0].reason = Reason::LastVersion;
    }
    if has_tags {
        let tagged = |v: &VersionPlan| !v.tags.is_empty() && !only_following(&v.tags);
        let any_tagged = plans.iter().any(tagged);
        let all_deleted = plans
            .iter()
            .filter(|v| tagged(v))
            .all(|v| v.action() == Action::Delete);
        if any_tagged
            && all_deleted
            && let Some(newest) = plans.iter_mut().find(|v| tagged(v))
        {
            newest.reason = Reason::LastTagged;
        }
    }
}
