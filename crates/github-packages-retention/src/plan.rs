//! A plan: every version of every selected package, with what happens to it
//! and the rule that decided it.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use github_packages::{Owner, PackageType, PackageVersion, VersionId};
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::policy::{Age, Policy, is_semver};

/// What happens to a version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// It stays.
    Keep,
    /// It is deleted (restorable for 30 days).
    Delete,
}

/// Why a version is kept or deleted. The JSON form names the rule
/// (`"rule": "child"`) and its facts; `Display` says it in words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Reason {
    /// Kept: younger than `keep_younger_than`.
    Young {
        /// Its age in whole days.
        age_days: i64,
        /// The policy's limit.
        limit: Age,
    },
    /// Kept: a label matches `keep_tags`.
    KeepTag {
        /// The label.
        tag: String,
        /// The pattern it matches.
        pattern: String,
    },
    /// Kept: a label reads as a semantic version (`keep_semver`).
    Semver {
        /// The label.
        tag: String,
    },
    /// Kept: one of the `keep_latest` most recent labelled versions.
    Latest {
        /// Its place, 1 for the most recent.
        rank: usize,
        /// The policy's number.
        of: usize,
    },
    /// Kept: no delete rule matches it.
    NoRule,
    /// Kept: a platform or attestation manifest of a kept image index.
    Child {
        /// The index's digest.
        index: String,
        /// The platform, as `os/arch[/variant]`, when the index names one.
        platform: Option<String>,
    },
    /// Kept: a cosign signature, attestation or SBOM (tag
    /// `sha256-<hex>.sig|.att|.sbom`) of a kept digest.
    Signature {
        /// The digest it belongs to.
        of: String,
        /// `sig`, `att` or `sbom`.
        kind: String,
    },
    /// Kept: an OCI 1.1 artifact whose `subject` is a kept digest.
    Referrer {
        /// The subject's digest.
        of: String,
        /// Its `artifactType`, if it has one.
        artifact_type: Option<String>,
    },
    /// Kept: the package's last version, which GitHub refuses to delete.
    LastVersion,
    /// Kept: the package's last tagged version, which GitHub is reported to
    /// refuse to delete too.
    LastTagged,
    /// Kept: the registry could not be read, so nothing in the package is
    /// deleted.
    RegistryUnavailable {
        /// What went wrong.
        error: String,
    },
    /// Deleted: untagged and older than `delete_untagged_older_than`.
    Untagged {
        /// Its age in whole days.
        age_days: i64,
    },
    /// Deleted: every label matches `delete_tags`, and it is older than
    /// `delete_tags_older_than`.
    DeleteTags {
        /// Its labels.
        tags: Vec<String>,
        /// The pattern the first label matches.
        pattern: String,
        /// Its age in whole days.
        age_days: i64,
    },
}

impl Reason {
    /// What the reason decides.
    pub fn action(&self) -> Action {
        match self {
            Self::Untagged { .. } | Self::DeleteTags { .. } => Action::Delete,
            _ => Action::Keep,
        }
    }

    /// Whether the version is kept by the container safety checks rather
    /// than by the policy.
    pub fn is_protection(&self) -> bool {
        matches!(
            self,
            Self::Child { .. } | Self::Signature { .. } | Self::Referrer { .. }
        )
    }
}

/// A digest shortened for people: `sha256:` and 12 hex digits.
pub(crate) fn short(digest: &str) -> &str {
    let end = digest.find(':').map_or(0, |colon| colon + 1) + 12;
    digest.get(..end).unwrap_or(digest)
}

fn days(age_days: i64) -> String {
    match age_days {
        1 => "1 day old".to_owned(),
        n => format!("{n} days old"),
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Young { age_days, limit } => {
                write!(f, "younger than {limit} ({})", days(*age_days))
            }
            Self::KeepTag { tag, pattern } => write!(f, "tag {tag} matches `{pattern}`"),
            Self::Semver { tag } => write!(f, "tag {tag} is a semantic version"),
            Self::Latest { rank, of } => {
                write!(f, "one of the {of} most recent tagged versions (#{rank})")
            }
            Self::NoRule => f.write_str("no rule deletes it"),
            Self::Child { index, platform } => {
                write!(f, "child of kept index {}", short(index))?;
                match platform {
                    Some(platform) => write!(f, " ({platform})"),
                    None => Ok(()),
                }
            }
            Self::Signature { of, kind } => write!(f, "cosign .{kind} of kept {}", short(of)),
            Self::Referrer { of, artifact_type } => {
                write!(f, "refers to kept {}", short(of))?;
                match artifact_type {
                    Some(kind) => write!(f, " ({kind})"),
                    None => Ok(()),
                }
            }
            Self::LastVersion => {
                f.write_str("the package's last version; GitHub refuses to delete it")
            }
            Self::LastTagged => {
                f.write_str("the package's last tagged version; GitHub refuses to delete it")
            }
            Self::RegistryUnavailable { error } => {
                write!(f, "nothing in this package is deleted: {error}")
            }
            Self::Untagged { age_days } => write!(f, "untagged, {}", days(*age_days)),
            Self::DeleteTags {
                tags,
                pattern,
                age_days,
            } => write!(
                f,
                "{} {} `{pattern}`, {}",
                if tags.len() == 1 { "tag" } else { "tags" },
                tags.join(", ")
                    + if tags.len() == 1 {
                        " matches"
                    } else {
                        " match"
                    },
                days(*age_days)
            ),
        }
    }
}

/// One version and its fate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionPlan {
    /// Its id.
    pub id: VersionId,
    /// Its name: a version number, or a container image's digest.
    pub name: String,
    /// Its tags (container and Docker packages).
    pub tags: Vec<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Why it is kept or deleted; [`Reason::action`] says which.
    pub reason: Reason,
}

impl VersionPlan {
    /// Keep or delete.
    pub fn action(&self) -> Action {
        self.reason.action()
    }
}

/// `delete sha256:0123456789ab [pr-7]: tag pr-7 matches `pr-*`, 80 days old`.
impl fmt::Display for VersionPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let action = match self.action() {
            Action::Keep => "keep",
            Action::Delete => "delete",
        };
        write!(f, "{action} {}", short(&self.name))?;
        if !self.tags.is_empty() {
            write!(f, " [{}]", self.tags.join(", "))?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// `{"id", "name", "tags", "created_at", "action", "rule", …facts, "why"}`.
impl Serialize for VersionPlan {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Flat<'a> {
            id: VersionId,
            name: &'a str,
            tags: &'a [String],
            created_at: DateTime<Utc>,
            action: Action,
            #[serde(flatten)]
            reason: &'a Reason,
            why: String,
        }
        Flat {
            id: self.id,
            name: &self.name,
            tags: &self.tags,
            created_at: self.created_at,
            action: self.action(),
            reason: &self.reason,
            why: self.reason.to_string(),
        }
        .serialize(serializer)
    }
}

/// One package and the fate of each of its versions, newest first.
#[derive(Clone, Debug)]
pub struct PackagePlan {
    /// Whose package.
    pub owner: Owner,
    /// Its type.
    pub package_type: PackageType,
    /// Its name.
    pub name: String,
    /// Its versions, newest first.
    pub versions: Vec<VersionPlan>,
    /// Why nothing in it is deleted, when the registry could not be read.
    pub blocked: Option<String>,
    /// Digests known to be image indexes, with the digests of their
    /// children: deleted before the rest, so that an interrupted or failed
    /// run never leaves an index whose children are gone.
    pub(crate) indexes: BTreeMap<String, Vec<String>>,
}

impl PackagePlan {
    /// A plan made by hand (or by another tool), for
    /// [`Registry::protect`](crate::Registry::protect) to check.
    pub fn new(
        owner: Owner,
        package_type: PackageType,
        name: impl Into<String>,
        versions: Vec<VersionPlan>,
    ) -> Self {
        Self {
            owner,
            package_type,
            name: name.into(),
            versions,
            blocked: None,
            indexes: BTreeMap::new(),
        }
    }

    /// The versions to delete.
    pub fn deletions(&self) -> impl Iterator<Item = &VersionPlan> {
        self.versions
            .iter()
            .filter(|v| v.action() == Action::Delete)
    }

    /// Whether the registry showed the version named `digest` to be an
    /// image index (container packages whose manifests were read).
    pub fn is_index(&self, digest: &str) -> bool {
        self.indexes.contains_key(digest)
    }

    /// Versions kept, deleted, and kept by the container safety checks.
    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for version in &self.versions {
            match version.action() {
                Action::Keep => counts.keep += 1,
                Action::Delete => counts.delete += 1,
            }
            if version.reason.is_protection() {
                counts.protected += 1;
            }
        }
        counts
    }

    /// The deletions in two waves: image indexes, then everything else.
    pub(crate) fn deletion_waves(&self) -> [Vec<&VersionPlan>; 2] {
        let (indexes, rest) = self
            .deletions()
            .partition(|v| self.indexes.contains_key(&v.name));
        [indexes, rest]
    }

    /// The children of the index named `digest`, as far as the registry
    /// showed them.
    pub(crate) fn children_of(&self, digest: &str) -> &[String] {
        self.indexes.get(digest).map_or(&[], Vec::as_slice)
    }
}

impl Serialize for PackagePlan {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let counts = self.counts();
        let mut out = serializer.serialize_struct("PackagePlan", 8)?;
        out.serialize_field("owner", &self.owner.to_string())?;
        out.serialize_field("package_type", &self.package_type.to_string())?;
        out.serialize_field("name", &self.name)?;
        out.serialize_field("keep", &counts.keep)?;
        out.serialize_field("delete", &counts.delete)?;
        out.serialize_field("protected", &counts.protected)?;
        out.serialize_field("blocked", &self.blocked)?;
        out.serialize_field("versions", &self.versions)?;
        out.end()
    }
}

/// How many versions a plan keeps, deletes, and keeps only because the
/// container safety checks protect them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Kept.
    pub keep: usize,
    /// Deleted.
    pub delete: usize,
    /// Kept by the safety checks (children, signatures, referrers).
    pub protected: usize,
}

/// Every selected package of an owner and the fate of each version.
#[derive(Clone, Debug, Serialize)]
pub struct Plan {
    /// When the plan was made; ages count to this moment.
    pub made_at: DateTime<Utc>,
    /// The packages, in the order GitHub lists them.
    pub packages: Vec<PackagePlan>,
}

impl Plan {
    /// The totals over all packages.
    pub fn counts(&self) -> Counts {
        self.packages.iter().fold(Counts::default(), |total, p| {
            let c = p.counts();
            Counts {
                keep: total.keep + c.keep,
                delete: total.delete + c.delete,
                protected: total.protected + c.protected,
            }
        })
    }
}

/// The cosign tag suffixes, and what they mark.
const COSIGN: [&str; 3] = ["sig", "att", "sbom"];

/// The digest and kind a cosign-style tag (`sha256-<hex>.sig`) names.
pub(crate) fn cosign_target(tag: &str) -> Option<(String, &str)> {
    let (name, kind) = tag.rsplit_once('.')?;
    let kind = COSIGN.into_iter().find(|k| *k == kind)?;
    let (algorithm, hex) = name.split_once('-')?;
    let valid =
        !algorithm.is_empty() && !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit());
    valid.then(|| (format!("{algorithm}:{hex}"), kind))
}

/// Whether a version's tags are all cosign tags: it is a signature,
/// attestation or SBOM, which follows what it belongs to.
pub(crate) fn is_cosign(tags: &[String]) -> bool {
    !tags.is_empty() && tags.iter().all(|t| cosign_target(t).is_some())
}

/// Whether a version with these tags (or, for other package types, this
/// name) is a tagged version in its own right, not a signature.
fn is_tagged(labels: &[String]) -> bool {
    !labels.is_empty() && !is_cosign(labels)
}

/// Applies `policy` to one package's versions (any order), newest first in
/// the result. Container safety comes later; this reads only GitHub's
/// listing.
pub(crate) fn decide(
    policy: &Policy,
    package_type: &PackageType,
    versions: &[PackageVersion],
    now: DateTime<Utc>,
) -> Vec<VersionPlan> {
    let has_tags = matches!(package_type, PackageType::Container | PackageType::Docker);
    let mut versions: Vec<&PackageVersion> = versions.iter().collect();
    versions.sort_by(|a, b| {
        b.created_at()
            .cmp(&a.created_at())
            .then(b.id().cmp(&a.id()))
    });

    let mut labelled = 0;
    let mut plans: Vec<VersionPlan> = versions
        .into_iter()
        .map(|version| {
            let tags = version.tags().to_vec();
            let labels: Vec<String> = if has_tags {
                tags.clone()
            } else {
                vec![version.name().to_owned()]
            };
            // Signatures do not count among the recent tagged versions:
            // they follow what they sign.
            let rank = is_tagged(&labels).then(|| {
                labelled += 1;
                labelled
            });
            let age = now - version.created_at();
            let reason = judge(policy, &labels, rank, age);
            VersionPlan {
                id: version.id(),
                name: version.name().to_owned(),
                tags,
                created_at: version.created_at(),
                reason,
            }
        })
        .collect();
    keep_what_github_refuses(&mut plans, has_tags);
    plans
}

/// One version's fate under the policy: keep rules first, then delete
/// rules, else keep.
fn judge(policy: &Policy, labels: &[String], rank: Option<usize>, age: chrono::Duration) -> Reason {
    let age_days = age.num_days();
    let older_than =
        |limit: Age| chrono::Duration::from_std(limit.duration()).is_ok_and(|limit| age >= limit);
    if let Some(limit) = policy.keep_younger_than
        && !older_than(limit)
    {
        return Reason::Young { age_days, limit };
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
    if let (Some(of), Some(rank)) = (policy.keep_latest, rank)
        && rank <= of
    {
        return Reason::Latest { rank, of };
    }
    let untagged = labels.is_empty() || is_cosign(labels);
    if untagged {
        if let Some(limit) = policy.delete_untagged_older_than
            && older_than(limit)
        {
            return Reason::Untagged { age_days };
        }
        return Reason::NoRule;
    }
    if let Some(limit) = policy.delete_tags_older_than
        && older_than(limit)
    {
        let patterns: Option<Vec<&crate::Pattern>> = labels
            .iter()
            .map(|l| policy.delete_tags.iter().find(|p| p.matches(l)))
            .collect();
        if let Some(first) = patterns.and_then(|p| p.first().copied()) {
            return Reason::DeleteTags {
                tags: labels.to_vec(),
                pattern: first.to_string(),
                age_days,
            };
        }
    }
    Reason::NoRule
}

/// GitHub refuses to delete a package's last version (and, it is reported,
/// its last tagged one): the newest of those the plan would delete stays.
pub(crate) fn keep_what_github_refuses(plans: &mut [VersionPlan], has_tags: bool) {
    if !plans.is_empty() && plans.iter().all(|v| v.action() == Action::Delete) {
        plans[0].reason = Reason::LastVersion;
    }
    if has_tags {
        let tagged = |v: &VersionPlan| is_tagged(&v.tags);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosign_tags_name_their_digest() {
        assert_eq!(
            cosign_target("sha256-abc123.sig"),
            Some(("sha256:abc123".to_owned(), "sig"))
        );
        assert_eq!(
            cosign_target("sha256-0f.sbom"),
            Some(("sha256:0f".to_owned(), "sbom"))
        );
        for not in [
            "v1.2.3",
            "sha256-xyz.sig",
            "sha256-abc.txt",
            "latest",
            "-abc.sig",
        ] {
            assert_eq!(cosign_target(not), None, "{not}");
        }
    }

    #[test]
    fn reasons_read_as_sentences() {
        let digest = "sha256:0123456789abcdef0123";
        let cases = [
            (
                Reason::Child {
                    index: digest.to_owned(),
                    platform: Some("linux/arm64".to_owned()),
                },
                "child of kept index sha256:0123456789ab (linux/arm64)",
            ),
            (Reason::Untagged { age_days: 41 }, "untagged, 41 days old"),
            (
                Reason::DeleteTags {
                    tags: vec!["pr-1".to_owned(), "pr-2".to_owned()],
                    pattern: "pr-*".to_owned(),
                    age_days: 1,
                },
                "tags pr-1, pr-2 match `pr-*`, 1 day old",
            ),
            (
                Reason::Signature {
                    of: digest.to_owned(),
                    kind: "sig".to_owned(),
                },
                "cosign .sig of kept sha256:0123456789ab",
            ),
        ];
        for (reason, text) in cases {
            assert_eq!(reason.to_string(), text);
        }
    }
}
