//! A plan: every version of every selected package, with what happens to it
//! and the rule that decided it. The types and their words; the rules that
//! fill them are in `decide.rs` and `container/`. (Over 500 lines: the plan
//! is what users read and serialize, so each type carries its words and
//! its JSON shape here; a seventh is tests.)

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use github_packages::text::inert;
use github_packages::{Owner, PackageType, VersionId};
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::manifest::Manifest;
use crate::policy::Age;

/// What happens to a version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// It stays.
    Keep,
    /// It is deleted (restorable for 30 days).
    Delete,
    /// It stays, and loses some of its tags.
    Untag,
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
    /// Kept: the referrers index of a kept digest (tag `sha256-<hex>`, the
    /// OCI distribution spec's fallback for registries without a
    /// referrers API), which lists its signatures and attestations.
    ReferrersIndex {
        /// The digest it belongs to.
        of: String,
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
    /// Kept: the registry could not be read, or GitHub's listing did not
    /// add up, so nothing in the package is deleted.
    RegistryUnavailable {
        /// What went wrong.
        error: String,
    },
    /// Kept: GitHub listed this version twice, with different tags (the
    /// listing shifted while it was read); which is true is unknown.
    ListedTwice {
        /// The tags of the other listing.
        other_tags: Vec<String>,
    },
    /// Kept: the same name (for images, the same digest) is listed under
    /// another version id that is kept, and deleting one could take the
    /// other's manifest with it.
    Duplicate {
        /// The kept version's id.
        of: VersionId,
    },
    /// Kept: named in `keep_digests`.
    KeepDigest,
    /// Kept: one of the `delete_untagged_keep_latest` most recent of the
    /// untagged versions `delete_untagged_older_than` selects.
    LatestUntagged {
        /// Its place, 1 for the most recent.
        rank: usize,
        /// The policy's number.
        of: usize,
    },
    /// Kept: one of the `delete_tags_keep_latest` most recent of the
    /// versions `delete_tags` selects.
    LatestOfDeleteTags {
        /// Its place, 1 for the most recent.
        rank: usize,
        /// The policy's number.
        of: usize,
    },
    /// Kept: the rules select more than `delete_at_most` versions, and
    /// only the oldest that many are deleted.
    OverDeleteLimit {
        /// The policy's number.
        at_most: usize,
    },
    /// Deleted: untagged and older than `delete_untagged_older_than`.
    Untagged {
        /// Its age in whole days.
        age_days: i64,
    },
    /// Deleted: named in `delete_digests`.
    DeleteDigest,
    /// Untagged (`delete_tags_untag`): some of its labels match
    /// `delete_tags` and it is older than `delete_tags_older_than`; those
    /// tags are removed, and the image stays with its others.
    Untag {
        /// The tags removed.
        tags: Vec<String>,
        /// The pattern the first of them matches.
        pattern: String,
        /// Its age in whole days.
        age_days: i64,
    },
    /// Deleted (`delete_ghost_images`): an image index none of whose
    /// platform manifests GitHub lists, so it does not pull at all.
    Ghost {
        /// How many platform manifests it lists.
        platforms: usize,
    },
    /// Deleted (`delete_partial_images`): an image index some of whose
    /// platform manifests GitHub does not list, so it does not pull on
    /// every platform.
    Partial {
        /// How many of them are not listed.
        missing: usize,
        /// How many platform manifests it lists.
        platforms: usize,
    },
    /// Deleted (`delete_orphans`): a signature, attestation, referrers
    /// index or referrer whose image GitHub no longer lists.
    Orphan {
        /// The digest it follows or refers to.
        of: String,
    },
    /// Deleted: a part of a deleted image (a manifest it lists, a
    /// signature, its referrers index, a referrer) that no kept image
    /// needs and no rule keeps.
    WithImage {
        /// The digest of the deleted image it goes with.
        image: String,
        /// That image's tags.
        image_tags: Vec<String>,
        /// What it is to the version it hangs off.
        #[serde(flatten)]
        part: Part,
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

/// What a version is to the version it hangs off. The JSON form names
/// the link (`"link": "child"`) and its facts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "link", rename_all = "snake_case")]
pub enum Part {
    /// A manifest its index lists.
    Child {
        /// The platform, as `os/arch[/variant]`, or `attestation`, when
        /// the index names one.
        platform: Option<String>,
    },
    /// Its cosign signature, attestation or SBOM (tag
    /// `sha256-<hex>.sig|.att|.sbom`).
    Signature {
        /// `sig`, `att` or `sbom`.
        kind: String,
    },
    /// Its referrers index (tag `sha256-<hex>`).
    ReferrersIndex,
    /// An OCI 1.1 artifact whose `subject` it is.
    Referrer {
        /// Its `artifactType`, if it has one.
        artifact_type: Option<String>,
    },
}

impl Part {
    /// The reason a part of `whole`, a kept version, is kept.
    pub(crate) fn kept_with(&self, whole: &str) -> Reason {
        let whole = whole.to_owned();
        match self.clone() {
            Self::Child { platform } => Reason::Child {
                index: whole,
                platform,
            },
            Self::Signature { kind } => Reason::Signature { of: whole, kind },
            Self::ReferrersIndex => Reason::ReferrersIndex { of: whole },
            Self::Referrer { artifact_type } => Reason::Referrer {
                of: whole,
                artifact_type,
            },
        }
    }
}

/// `linux/arm64 manifest`, `cosign .sig`.
impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Child {
                platform: Some(platform),
            } => write!(f, "{} manifest", shown(platform)),
            Self::Child { platform: None } => f.write_str("listed manifest"),
            Self::Signature { kind } => write!(f, "cosign .{}", shown(kind)),
            Self::ReferrersIndex => f.write_str("referrers index"),
            Self::Referrer {
                artifact_type: Some(kind),
            } => write!(f, "referrer, {}", shown(kind)),
            Self::Referrer {
                artifact_type: None,
            } => f.write_str("referrer"),
        }
    }
}

impl Reason {
    /// What the reason decides.
    pub fn action(&self) -> Action {
        match self {
            Self::Untagged { .. }
            | Self::DeleteTags { .. }
            | Self::DeleteDigest
            | Self::Ghost { .. }
            | Self::Partial { .. }
            | Self::Orphan { .. }
            | Self::WithImage { .. } => Action::Delete,
            Self::Untag { .. } => Action::Untag,
            _ => Action::Keep,
        }
    }

    /// Whether the reason says the image is broken: a ghost, a partial
    /// image, an orphan.
    pub fn is_broken(&self) -> bool {
        matches!(
            self,
            Self::Ghost { .. } | Self::Partial { .. } | Self::Orphan { .. }
        )
    }

    /// Whether the version is kept by the container safety checks rather
    /// than by the policy.
    pub fn is_protection(&self) -> bool {
        matches!(
            self,
            Self::Child { .. }
                | Self::Signature { .. }
                | Self::ReferrersIndex { .. }
                | Self::Referrer { .. }
        )
    }
}

/// The most bytes of one server-provided field shown in words.
pub(crate) const MAX_FIELD: usize = 256;

/// Server text for people: control characters, escapes and bidirectional
/// overrides made visible, long text cut at a character boundary.
pub(crate) fn shown(text: &str) -> String {
    inert(text, MAX_FIELD)
}

/// A version's name for people: a digest shortened to `sha256:` and 12
/// hex digits, any other name whole; either with control characters,
/// escapes and bidirectional overrides made visible, and cut at a
/// character boundary if long.
pub fn short(name: &str) -> String {
    match name.split_once(':') {
        Some((algorithm, hex)) if hex.chars().count() > 12 => shown(&format!(
            "{algorithm}:{}",
            hex.chars().take(12).collect::<String>()
        )),
        _ => shown(name),
    }
}

/// Tags for people, `, `-separated, each [`shown`].
pub(crate) fn shown_tags(tags: &[String]) -> String {
    tags.iter().map(|t| shown(t)).collect::<Vec<_>>().join(", ")
}

fn days(age_days: i64) -> String {
    match age_days {
        1 => "1 day old".to_owned(),
        n => format!("{n} days old"),
    }
}

/// `tags pr-1, pr-2 match `pr-*`, 14 days old`.
fn matching(
    f: &mut fmt::Formatter<'_>,
    tags: &[String],
    pattern: &str,
    age_days: i64,
) -> fmt::Result {
    let (noun, verb) = match tags.len() {
        1 => ("tag", "matches"),
        _ => ("tags", "match"),
    };
    write!(
        f,
        "{noun} {} {verb} `{}`, {}",
        shown_tags(tags),
        shown(pattern),
        days(age_days)
    )
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Young { age_days, limit } => {
                write!(f, "younger than {limit} ({})", days(*age_days))
            }
            Self::KeepTag { tag, pattern } => {
                write!(f, "tag {} matches `{}`", shown(tag), shown(pattern))
            }
            Self::Semver { tag } => write!(f, "tag {} is a semantic version", shown(tag)),
            Self::Latest { rank, of } => {
                write!(f, "one of the {of} most recent tagged versions (#{rank})")
            }
            Self::NoRule => f.write_str("no rule deletes it"),
            Self::Child { index, platform } => {
                write!(f, "child of kept index {}", short(index))?;
                match platform {
                    Some(platform) => write!(f, " ({})", shown(platform)),
                    None => Ok(()),
                }
            }
            Self::Signature { of, kind } => {
                write!(f, "cosign .{} of kept {}", shown(kind), short(of))
            }
            Self::ReferrersIndex { of } => write!(f, "referrers index of kept {}", short(of)),
            Self::Referrer { of, artifact_type } => {
                write!(f, "refers to kept {}", short(of))?;
                match artifact_type {
                    Some(kind) => write!(f, " ({})", shown(kind)),
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
                write!(f, "nothing in this package is deleted: {}", shown(error))
            }
            Self::ListedTwice { other_tags } => write!(
                f,
                "listed twice by GitHub, once with tags [{}]; kept until a listing agrees",
                shown_tags(other_tags)
            ),
            Self::Duplicate { of } => {
                write!(f, "listed again as version {of}, which is kept")
            }
            Self::KeepDigest => f.write_str("its digest is in keep_digests"),
            Self::LatestUntagged { rank, of } => write!(
                f,
                "one of the {of} most recent untagged versions old enough to delete (#{rank})"
            ),
            Self::LatestOfDeleteTags { rank, of } => write!(
                f,
                "one of the {of} most recent versions delete_tags selects (#{rank})"
            ),
            Self::OverDeleteLimit { at_most } => write!(
                f,
                "rules select more than {at_most}, and only the {at_most} oldest are deleted"
            ),
            Self::Untagged { age_days } => write!(f, "untagged, {}", days(*age_days)),
            Self::DeleteDigest => f.write_str("its digest is in delete_digests"),
            Self::Untag {
                tags,
                pattern,
                age_days,
            } => {
                matching(f, tags, pattern, *age_days)?;
                f.write_str("; the image keeps its other tags")
            }
            Self::Ghost { platforms } => write!(
                f,
                "an index none of whose {platforms} platform manifests is listed; it does not pull"
            ),
            Self::Partial { missing, platforms } => write!(
                f,
                "an index {missing} of whose {platforms} platform manifests are not listed; it \
                 does not pull on every platform"
            ),
            Self::Orphan { of } => write!(f, "follows {}, which is not listed", short(of)),
            Self::WithImage {
                image,
                image_tags,
                part,
            } => {
                write!(f, "goes with deleted image {}", short(image))?;
                if !image_tags.is_empty() {
                    write!(f, " [{}]", shown_tags(image_tags))?;
                }
                write!(f, " ({part})")
            }
            Self::DeleteTags {
                tags,
                pattern,
                age_days,
            } => matching(f, tags, pattern, *age_days),
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
            Action::Untag => "untag",
        };
        write!(f, "{action} {}", short(&self.name))?;
        if !self.tags.is_empty() {
            write!(f, " [{}]", shown_tags(&self.tags))?;
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
    /// Why nothing in it is deleted, when the registry could not be read
    /// or GitHub's listing did not add up.
    pub blocked: Option<String>,
    /// The manifests read while planning, by digest: what they say never
    /// changes, so execution reads only digests that are new.
    pub(crate) manifests: BTreeMap<String, Manifest>,
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
            manifests: BTreeMap::new(),
        }
    }

    /// The versions to delete.
    pub fn deletions(&self) -> impl Iterator<Item = &VersionPlan> {
        self.versions
            .iter()
            .filter(|v| v.action() == Action::Delete)
    }

    /// The versions to untag.
    pub fn untags(&self) -> impl Iterator<Item = &VersionPlan> {
        self.versions.iter().filter(|v| v.action() == Action::Untag)
    }

    /// Whether the registry showed the version named `digest` to be an
    /// image index (container packages whose manifests were read).
    pub fn is_index(&self, digest: &str) -> bool {
        self.manifests.get(digest).is_some_and(|m| m.is_index)
    }

    /// The digests the index named `digest` lists, as the registry showed
    /// them (none if it is not an index, or was not read).
    pub fn children_of(&self, digest: &str) -> impl Iterator<Item = &str> {
        self.manifests
            .get(digest)
            .into_iter()
            .flat_map(|m| m.children.iter().map(|(child, _)| child.as_str()))
    }

    /// Versions kept (untagged ones among them), deleted, and kept by the
    /// container safety checks.
    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for version in &self.versions {
            match version.action() {
                Action::Keep => counts.keep += 1,
                Action::Untag => {
                    counts.keep += 1;
                    counts.untag += 1;
                }
                Action::Delete => counts.delete += 1,
            }
            if version.reason.is_protection() {
                counts.protected += 1;
            }
        }
        counts
    }

    /// Keeps everything this plan would delete, saying why: the registry
    /// or GitHub's listing could not be trusted.
    pub(crate) fn block(&mut self, why: String) {
        for version in &mut self.versions {
            if version.action() != Action::Keep {
                version.reason = Reason::RegistryUnavailable { error: why.clone() };
            }
        }
        self.blocked = Some(why);
    }
}

impl Serialize for PackagePlan {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let counts = self.counts();
        let mut out = serializer.serialize_struct("PackagePlan", 9)?;
        out.serialize_field("owner", &self.owner.to_string())?;
        out.serialize_field("package_type", &self.package_type.to_string())?;
        out.serialize_field("name", &self.name)?;
        out.serialize_field("keep", &counts.keep)?;
        out.serialize_field("delete", &counts.delete)?;
        out.serialize_field("untag", &counts.untag)?;
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
    /// Kept, and losing some tags.
    pub untag: usize,
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
                untag: total.untag + c.untag,
                protected: total.protected + c.protected,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn server_text_in_words_is_inert_and_bounded() {
        let version = VersionPlan {
            id: VersionId::new(7),
            name: "sha256:\u{1b}[31méééééééééééééé".to_owned(),
            tags: vec!["v1\u{202e}gpj.exe".to_owned(), "\u{7}".repeat(1000)],
            created_at: Utc::now(),
            reason: Reason::Child {
                index: "sha256:0123456789abcdef".to_owned(),
                platform: Some("linux/\r\nWARN forged".to_owned()),
            },
        };
        let text = version.to_string();
        assert!(
            !text.chars().any(github_packages::text::needs_escape),
            "{text}"
        );
        assert!(text.starts_with("keep sha256:\\u{1b}[31méééé"), "{text}");
        assert!(text.contains("v1\\u{202e}gpj.exe"), "{text}");
        assert!(text.contains("(linux/\\r\\nWARN forged)"), "{text}");
        assert!(text.len() < 2 * MAX_FIELD + 200, "{}", text.len());
        assert_eq!(short("sha256:éééééééééééééééé"), "sha256:éééééééééééé");
        assert_eq!(short("1.2.3"), "1.2.3");
    }
}
