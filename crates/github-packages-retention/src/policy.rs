//! A retention policy: which packages, what to keep, what to delete. Plain
//! data, read from TOML (or built in code, or from command-line flags).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use github_packages::PackageType;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use wildmatch::WildMatch;

use crate::plan::Reason;

/// What to keep and what to delete, for the packages it selects.
///
/// A version is kept when any keep rule matches it; otherwise it is deleted
/// when a delete rule matches it; otherwise it is kept. Rules read a
/// version's *labels*: its tags for container and Docker packages, its
/// name (`1.2.3`) for every other type. The container safety checks of the
/// [plan](crate::Plan) come on top and can only keep more.
///
/// ```
/// use github_packages_retention::Policy;
///
/// let policy = Policy::from_toml(r#"
///     package_type = "container"
///     packages = ["team/*"]
///     keep_latest = 10
///     keep_tags = ["latest", "v*"]
///     keep_younger_than = "7d"
///     delete_untagged_older_than = "30d"
///     delete_tags = ["pr-*"]
///     delete_tags_older_than = "14d"
/// "#)?;
/// assert!(policy.selects("team/app"));
/// # Ok::<(), github_packages_retention::PolicyError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// The packages' registry: `container`, `npm`, `maven`, `rubygems`,
    /// `docker` or `nuget`.
    #[serde(with = "package_type")]
    pub package_type: PackageType,
    /// Names to select ([`Pattern`]s: wildcards, `re:`, `not:`); every
    /// package by default.
    #[serde(default = "everything")]
    pub packages: Vec<Pattern>,
    /// Keep the most recent this many versions that have labels.
    #[serde(default)]
    pub keep_latest: Option<usize>,
    /// Keep versions with a label matching one of these.
    #[serde(default)]
    pub keep_tags: Vec<Pattern>,
    /// Keep versions with a label that reads as a semantic version
    /// (`1.2.3`, `v1.2.3-rc.1`).
    #[serde(default)]
    pub keep_semver: bool,
    /// Keep versions younger than this.
    #[serde(default)]
    pub keep_younger_than: Option<Age>,
    /// Keep the versions (images) with these digests.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keep_digests: Vec<Digest>,
    /// Delete untagged versions at least this old …
    #[serde(default)]
    pub delete_untagged_older_than: Option<Age>,
    /// … but keep the most recent this many of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_untagged_keep_latest: Option<usize>,
    /// Delete versions all of whose labels match one of these …
    #[serde(default)]
    pub delete_tags: Vec<Pattern>,
    /// … once they are at least this old (required with `delete_tags`) …
    #[serde(default)]
    pub delete_tags_older_than: Option<Age>,
    /// … but keep the most recent this many of them. …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_tags_keep_latest: Option<usize>,
    /// … and from an image that has other tags too, and that no keep
    /// rule keeps, remove just the matching tags (container packages).
    #[serde(default, skip_serializing_if = "is_false")]
    pub delete_tags_untag: bool,
    /// Delete the versions (images) with these digests.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delete_digests: Vec<Digest>,
    /// Delete image indexes none of whose platform manifests is listed.
    #[serde(default, skip_serializing_if = "is_false")]
    pub delete_ghost_images: bool,
    /// Delete image indexes some of whose platform manifests are not
    /// listed.
    #[serde(default, skip_serializing_if = "is_false")]
    pub delete_partial_images: bool,
    /// Delete signatures, attestations, referrers indexes and referrers
    /// whose image is not listed.
    #[serde(default, skip_serializing_if = "is_false")]
    pub delete_orphans: bool,
    /// Of the versions the delete rules select, delete only the oldest
    /// this many (the parts of a deleted image go with it uncounted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_at_most: Option<usize>,
    /// Accept a `delete_untagged_older_than` under an hour. A multi-arch
    /// image being pushed has untagged platform manifests until its index
    /// is tagged (`docs/github-behaviour.md`, "Container images"), so so
    /// young an age can delete a push in progress; this says that is
    /// understood.
    #[serde(default, skip_serializing_if = "is_false")]
    pub allow_untagged_under_an_hour: bool,
    /// Which of a version's times its age counts from.
    #[serde(default, skip_serializing_if = "AgeFrom::is_default")]
    pub age_from: AgeFrom,
}

/// Which of a version's times its age counts from.
///
/// snok/container-retention-policy (by default) and
/// dataaxiom/ghcr-cleanup-action count from `updated_at`;
/// actions/delete-package-versions orders by `created_at`
/// (docs/github-behaviour.md, "Container images"). On ghcr.io a version's
/// `updated_at` moves when it loses a tag, so "untagged for 14 days" reads
/// `delete_untagged_older_than = "14d"` with `age_from = "updated_at"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeFrom {
    /// When the version was pushed or published (the default).
    #[default]
    CreatedAt,
    /// When GitHub last changed it.
    UpdatedAt,
}

impl AgeFrom {
    fn is_default(&self) -> bool {
        *self == Self::default()
    }

    /// The time of `version` ages count from.
    pub fn of(self, version: &github_packages::PackageVersion) -> chrono::DateTime<chrono::Utc> {
        match self {
            Self::CreatedAt => version.created_at(),
            Self::UpdatedAt => version.updated_at(),
        }
    }
}

impl FromStr for AgeFrom {
    type Err = PolicyError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "created_at" => Ok(Self::CreatedAt),
            "updated_at" => Ok(Self::UpdatedAt),
            other => Err(PolicyError(format!(
                "`{other}` is not a time ages count from; use created_at or updated_at"
            ))),
        }
    }
}

fn is_false(value: &bool) -> bool {
    !value
}

fn everything() -> Vec<Pattern> {
    vec![Pattern::new("*")]
}

/// A policy that cannot be used, in one sentence.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PolicyError(String);

impl Policy {
    /// A policy for `package_type` that keeps everything; add rules with the
    /// fields or [`Policy::from_toml`].
    pub fn new(package_type: PackageType) -> Self {
        Self {
            package_type,
            packages: everything(),
            keep_latest: None,
            keep_tags: Vec::new(),
            keep_semver: false,
            keep_younger_than: None,
            keep_digests: Vec::new(),
            delete_untagged_older_than: None,
            delete_untagged_keep_latest: None,
            delete_tags: Vec::new(),
            delete_tags_older_than: None,
            delete_tags_keep_latest: None,
            delete_tags_untag: false,
            delete_digests: Vec::new(),
            delete_ghost_images: false,
            delete_partial_images: false,
            delete_orphans: false,
            delete_at_most: None,
            allow_untagged_under_an_hour: false,
            age_from: AgeFrom::CreatedAt,
        }
    }

    /// Reads a policy from TOML and [checks](Self::check) it.
    pub fn from_toml(text: &str) -> Result<Self, PolicyError> {
        let policy: Self = toml::from_str(text)
            .map_err(|e| PolicyError(format!("the policy is not valid: {}", e.message())))?;
        policy.check()?;
        Ok(policy)
    }

    /// Refuses what would surprise: `delete_tags` without an age, a policy
    /// for a registry GitHub does not document, an age longer than
    /// [`Age::MAX`], an untagged age under an hour without
    /// `allow_untagged_under_an_hour`.
    pub fn check(&self) -> Result<(), PolicyError> {
        if let PackageType::Other(other) = &self.package_type {
            return Err(PolicyError(format!(
                "package type `{other}` is not one GitHub documents"
            )));
        }
        let ages = [
            ("keep_younger_than", self.keep_younger_than),
            (
                "delete_untagged_older_than",
                self.delete_untagged_older_than,
            ),
            ("delete_tags_older_than", self.delete_tags_older_than),
        ];
        for (name, age) in ages {
            if let Some(age) = age.filter(|age| *age > Age::MAX) {
                return Err(PolicyError(format!(
                    "{name} = {age} is longer than the longest age accepted, {}",
                    Age::MAX
                )));
            }
        }
        if let Some(age) = self.delete_untagged_older_than
            && age.duration() < Duration::from_secs(60 * 60)
            && !self.allow_untagged_under_an_hour
        {
            return Err(PolicyError(format!(
                "delete_untagged_older_than = {age} is under an hour, and the platform manifests \
                 of a multi-arch image being pushed are untagged that young; use at least 1h, or \
                 set allow_untagged_under_an_hour (--allow-untagged-under-an-hour) to accept it"
            )));
        }
        if !self.delete_tags.is_empty() && self.delete_tags_older_than.is_none() {
            return Err(PolicyError(
                "delete_tags needs delete_tags_older_than (\"0d\" for any age)".to_owned(),
            ));
        }
        let needs = [
            (
                self.delete_untagged_keep_latest.is_some()
                    && self.delete_untagged_older_than.is_none(),
                "delete_untagged_keep_latest keeps some of what delete_untagged_older_than deletes, \
                 so it needs delete_untagged_older_than (\"1h\" for any age over an hour)",
            ),
            (
                self.delete_tags_keep_latest.is_some() && self.delete_tags.is_empty(),
                "delete_tags_keep_latest keeps some of what delete_tags deletes, so it needs \
                 delete_tags (\"*\" for every tag)",
            ),
            (
                self.delete_tags_untag && self.delete_tags.is_empty(),
                "delete_tags_untag removes tags delete_tags matches, so it needs delete_tags",
            ),
            (
                self.delete_tags_untag && self.package_type != PackageType::Container,
                "delete_tags_untag moves tags through the container registry, which only \
                 container packages have",
            ),
            (
                self.delete_at_most.is_some() && !self.deletes(),
                "delete_at_most limits the delete rules, and there is none",
            ),
            (
                self.delete_at_most == Some(0),
                "delete_at_most = 0 deletes nothing; leave the delete rules out instead",
            ),
            (
                self.deletes_broken() && self.package_type != PackageType::Container,
                "delete_ghost_images, delete_partial_images and delete_orphans read image \
                 manifests, which only container packages have",
            ),
            (
                (!self.keep_digests.is_empty() || !self.delete_digests.is_empty())
                    && !matches!(
                        self.package_type,
                        PackageType::Container | PackageType::Docker
                    ),
                "keep_digests and delete_digests name images, and only container and docker \
                 packages have them; use keep_tags or delete_tags for version names",
            ),
        ];
        if let Some((_, why)) = needs.into_iter().find(|(wrong, _)| *wrong) {
            return Err(PolicyError(why.to_owned()));
        }
        let patterns = [
            ("packages", &self.packages),
            ("keep_tags", &self.keep_tags),
            ("delete_tags", &self.delete_tags),
        ];
        for (name, patterns) in patterns {
            if let Some(problem) = patterns.iter().find_map(Pattern::problem) {
                return Err(PolicyError(format!("{name}: {problem}")));
            }
        }
        if self.packages.is_empty() {
            return Err(PolicyError(
                "packages selects nothing; leave it out to select every package".to_owned(),
            ));
        }
        Ok(())
    }

    /// Whether the policy applies to the package named `name`.
    pub fn selects(&self, name: &str) -> bool {
        self.packages.iter().any(|p| p.matches(name))
    }

    /// Whether the policy deletes anything at all.
    pub fn deletes(&self) -> bool {
        self.delete_untagged_older_than.is_some()
            || !self.delete_tags.is_empty()
            || !self.delete_digests.is_empty()
            || self.deletes_broken()
    }

    /// Whether a rule deletes broken images: ghosts, partial images,
    /// orphans. Those are found by reading every manifest.
    pub fn deletes_broken(&self) -> bool {
        self.delete_ghost_images || self.delete_partial_images || self.delete_orphans
    }

    /// Whether a rule deletes what `broken` (a [`Reason::is_broken`]
    /// reason) says.
    pub(crate) fn deletes_as(&self, broken: &Reason) -> bool {
        match broken {
            Reason::Ghost { .. } => self.delete_ghost_images,
            Reason::Partial { .. } => self.delete_partial_images,
            Reason::Orphan { .. } => self.delete_orphans,
            _ => false,
        }
    }
}

/// An image's digest, as `sha256:<64 hex digits>` (or `sha512:<128>`),
/// matched whatever the case of its hex digits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digest(String);

impl Digest {
    /// Whether `name`, a version's name, is this digest.
    pub fn names(&self, name: &str) -> bool {
        self.0.eq_ignore_ascii_case(name)
    }
}

impl FromStr for Digest {
    type Err = PolicyError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let length = match text.split_once(':') {
            Some(("sha256", hex)) => Some((hex, 64)),
            Some(("sha512", hex)) => Some((hex, 128)),
            _ => None,
        };
        match length {
            Some((hex, length))
                if hex.len() == length && hex.bytes().all(|b| b.is_ascii_hexdigit()) =>
            {
                Ok(Self(text.to_ascii_lowercase()))
            }
            _ => Err(PolicyError(format!(
                "`{text}` is not a digest such as sha256:<64 hex digits>"
            ))),
        }
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Digest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A name pattern, written so that it cannot be misread:
///
/// - `v*`, `pr-?`: a wildcard, `*` any run of characters, `?` one;
/// - `re:^v[0-9]+$`: a regular expression (the `regex` crate's syntax),
///   matching anywhere in the name unless anchored, as the peers'
///   `new RegExp(…)` patterns do;
/// - `not:pr-*`, `not:re:^v`: every name the rest does not match.
///
/// A wildcard that looks like a regular expression (it holds one of
/// `^ $ [ ] ( ) { } | \`; a lone `+` does not count, as version names
/// carry build metadata after one) or like a negation (a leading `!`) matches
/// nothing silently in other tools; here [`Policy::check`] refuses it with
/// the explicit form to write instead.
#[derive(Clone, Debug)]
pub struct Pattern {
    text: String,
    matcher: Matcher,
}

#[derive(Clone, Debug)]
enum Matcher {
    Wild(WildMatch),
    Regex(regex::Regex),
    Not(Box<Matcher>),
    /// Why the text is refused, in one sentence.
    Invalid(String),
}

/// The most memory a compiled regular expression may take: patterns come
/// from policy files, which a mistake can make large.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

impl Matcher {
    fn parse(text: &str) -> Self {
        if let Some(rest) = text.strip_prefix("not:") {
            return match Self::parse(rest) {
                Self::Invalid(why) => Self::Invalid(why),
                matcher => Self::Not(Box::new(matcher)),
            };
        }
        if let Some(expression) = text.strip_prefix("re:") {
            return match regex::RegexBuilder::new(expression)
                .size_limit(REGEX_SIZE_LIMIT)
                .build()
            {
                Ok(regex) => Self::Regex(regex),
                Err(e) => {
                    let why = e.to_string();
                    let why = why.lines().last().unwrap_or_default().trim().to_owned();
                    Self::Invalid(format!("`{text}` is not a regular expression ({why})"))
                }
            };
        }
        if text.is_empty() {
            return Self::Invalid("an empty pattern matches nothing".to_owned());
        }
        if let Some(rest) = text.strip_prefix('!') {
            return Self::Invalid(format!(
                "`{text}` looks like a negation, but patterns are wildcards; write `not:{rest}`"
            ));
        }
        if text.contains(['^', '$', '[', ']', '(', ')', '{', '}', '|', '\\']) {
            return Self::Invalid(format!(
                "`{text}` looks like a regular expression, but patterns are wildcards (`*`, \
                 `?`); write `re:{text}` for a regular expression"
            ));
        }
        Self::Wild(WildMatch::new(text))
    }

    fn matches(&self, name: &str) -> bool {
        match self {
            Self::Wild(wild) => wild.matches(name),
            Self::Regex(regex) => regex.is_match(name),
            Self::Not(inner) => !inner.matches(name),
            Self::Invalid(_) => false,
        }
    }
}

impl Pattern {
    /// A pattern from its text; [`Policy::check`] refuses one that cannot
    /// be used ([`Pattern::problem`]).
    pub fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            matcher: Matcher::parse(text),
        }
    }

    /// Whether `name` matches (never, for a pattern with a
    /// [problem](Self::problem)).
    pub fn matches(&self, name: &str) -> bool {
        self.matcher.matches(name)
    }

    /// Why the pattern cannot be used, in one sentence, if it cannot.
    pub fn problem(&self) -> Option<&str> {
        match &self.matcher {
            Matcher::Invalid(why) => Some(why),
            _ => None,
        }
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for Pattern {}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for Pattern {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(Self::new(&text))
    }
}

/// An age such as `30d`, `12h` or `2weeks`, at most [`Age::MAX`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Age(Duration);

impl Age {
    /// The longest age a policy accepts: 100 years, older than anything
    /// GitHub stores, and far from where date arithmetic overflows.
    pub const MAX: Self = Self::days(36_500);

    /// An age of `days` days ([`Policy::check`] refuses more than
    /// [`Age::MAX`]).
    pub const fn days(days: u32) -> Self {
        Self(Duration::from_secs(days as u64 * 24 * 60 * 60))
    }

    /// As a duration.
    pub fn duration(self) -> Duration {
        self.0
    }
}

impl FromStr for Age {
    type Err = PolicyError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let age = humantime::parse_duration(text.trim())
            .map(Self)
            .map_err(|e| PolicyError(format!("`{text}` is not an age such as 30d or 12h ({e})")))?;
        if age > Self::MAX {
            return Err(PolicyError(format!(
                "`{text}` is longer than the longest age accepted, {}",
                Self::MAX
            )));
        }
        Ok(age)
    }
}

/// `30d`, `12h`, or humantime's form for anything else.
impl fmt::Display for Age {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const DAY: u64 = 24 * 60 * 60;
        let seconds = self.0.as_secs();
        match (self.0.subsec_nanos(), seconds) {
            (0, s) if s > 0 && s % DAY == 0 => write!(f, "{}d", s / DAY),
            (0, s) if s > 0 && s % 3600 == 0 => write!(f, "{}h", s / 3600),
            _ => fmt::Display::fmt(&humantime::format_duration(self.0), f),
        }
    }
}

impl Serialize for Age {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Age {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Package types as GitHub spells them, strictly.
mod package_type {
    use github_packages::PackageType;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(value: &PackageType, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(value)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<PackageType, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Whether `label` reads as a semantic version, with or without a `v`.
pub(crate) fn is_semver(label: &str) -> bool {
    let bare = label.strip_prefix('v').unwrap_or(label);
    semver::Version::parse(bare).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_wildcards_unless_marked_as_regex_or_negation() {
        let wild = Pattern::new("v1.*");
        assert!(wild.matches("v1.2.3") && !wild.matches("v2.0"));
        let regex = Pattern::new("re:^v[0-9]+\\.[0-9]+$");
        assert!(regex.matches("v1.2") && !regex.matches("v1.2.3") && !regex.matches("x-v1.2"));
        let unanchored = Pattern::new("re:rc");
        assert!(
            unanchored.matches("v1-rc.1"),
            "matches anywhere, as RegExp.test does"
        );
        let not = Pattern::new("not:pr-*");
        assert!(not.matches("v1") && !not.matches("pr-7"));
        assert!(
            Pattern::new("1.0.0+build.*").matches("1.0.0+build.7"),
            "semver build metadata"
        );
        let not_regex = Pattern::new("not:re:^v");
        assert!(not_regex.matches("latest") && !not_regex.matches("v1"));
        for pattern in [&wild, &regex, &not, &not_regex] {
            assert_eq!(pattern.problem(), None, "{pattern}");
        }
    }

    #[test]
    fn what_looks_like_a_regex_or_a_negation_is_refused_with_the_explicit_form() {
        let cases = [
            (
                "^v[0-9]+.*$",
                "`^v[0-9]+.*$` looks like a regular expression, but patterns are wildcards \
                 (`*`, `?`); write `re:^v[0-9]+.*$` for a regular expression",
            ),
            (
                "!latest",
                "`!latest` looks like a negation, but patterns are wildcards; write `not:latest`",
            ),
            ("", "an empty pattern matches nothing"),
            (
                "not:(x",
                "`(x` looks like a regular expression, but patterns are wildcards (`*`, `?`); write `re:(x` for a regular expression",
            ),
        ];
        for (text, problem) in cases {
            let pattern = Pattern::new(text);
            assert_eq!(pattern.problem(), Some(problem), "{text:?}");
            assert!(!pattern.matches(text), "a refused pattern matches nothing");
        }
        let broken = Pattern::new("re:v(");
        assert!(
            broken
                .problem()
                .unwrap()
                .starts_with("`re:v(` is not a regular expression (")
        );

        let error = Policy::from_toml("package_type = \"container\"\nkeep_tags = [\"^v\\\\d+$\"]")
            .unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("keep_tags: `^v\\d+$` looks like a regular expression"),
            "{error}"
        );
        let error = Policy::from_toml(
            "package_type = \"container\"\ndelete_tags = [\"!v*\"]\ndelete_tags_older_than = \"1d\"",
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "delete_tags: `!v*` looks like a negation, but patterns are wildcards; write `not:v*`"
        );
        let policy = Policy::from_toml(
            "package_type = \"container\"\nkeep_tags = [\"re:^v\\\\d+$\", \"not:pr-*\"]",
        )
        .unwrap();
        assert!(policy.keep_tags[0].matches("v12"));
    }

    #[test]
    fn a_full_policy_reads_and_round_trips() {
        let text = r#"
            package_type = "container"
            packages = ["team/*", "app"]
            keep_latest = 3
            keep_tags = ["latest", "v*"]
            keep_semver = true
            keep_younger_than = "7d"
            delete_untagged_older_than = "30d"
            delete_tags = ["pr-*"]
            delete_tags_older_than = "2weeks"
        "#;
        let policy = Policy::from_toml(text).unwrap();
        assert_eq!(policy.package_type, PackageType::Container);
        assert_eq!(policy.keep_younger_than, Some(Age::days(7)));
        assert_eq!(policy.delete_tags_older_than, Some(Age::days(14)));
        assert!(policy.selects("team/app") && policy.selects("app") && !policy.selects("apps"));
        let again = Policy::from_toml(&toml::to_string(&policy).unwrap()).unwrap();
        assert_eq!(again, policy);
    }

    #[test]
    fn mistakes_are_one_sentence_each() {
        let cases = [
            ("package_type = \"pypi\"", "pypi"),
            ("package_type = \"npm\"\nkeep_latests = 3", "keep_latests"),
            (
                "package_type = \"npm\"\nkeep_younger_than = \"soon\"",
                "`soon` is not an age",
            ),
            (
                "package_type = \"npm\"\ndelete_tags = [\"x\"]",
                "delete_tags needs delete_tags_older_than",
            ),
            ("package_type = \"npm\"\npackages = []", "selects nothing"),
            (
                "package_type = \"npm\"\nkeep_younger_than = \"99999999999d\"",
                "longer than the longest age accepted, 36500d",
            ),
            (
                "package_type = \"npm\"\ndelete_untagged_older_than = \"0d\"",
                "is under an hour",
            ),
            (
                "package_type = \"npm\"\ndelete_untagged_older_than = \"59m\"",
                "set allow_untagged_under_an_hour",
            ),
        ];
        for (text, expected) in cases {
            let error = Policy::from_toml(text).unwrap_err().to_string();
            assert!(error.contains(expected), "{text}: {error}");
            assert!(!error.contains('\n'), "{error}");
        }
    }

    #[test]
    fn absurd_ages_are_refused_without_overflow() {
        for text in [
            "99999999999d",
            "18446744073709551615s",
            "5000000000y",
            "36501d",
        ] {
            let error = text.parse::<Age>().unwrap_err().to_string();
            assert!(
                error.contains("longer than") || error.contains("not an age"),
                "{text}: {error}"
            );
        }
        assert_eq!("36500d".parse::<Age>().unwrap(), Age::MAX);
        let mut policy = Policy::new(PackageType::Npm);
        policy.keep_younger_than = Some(Age::days(u32::MAX));
        assert!(
            policy
                .check()
                .unwrap_err()
                .to_string()
                .contains("keep_younger_than")
        );
    }

    #[test]
    fn an_untagged_age_under_an_hour_needs_saying_so() {
        let policy = Policy::from_toml(
            "package_type = \"container\"\ndelete_untagged_older_than = \"0d\"\nallow_untagged_under_an_hour = true",
        )
        .unwrap();
        assert_eq!(policy.delete_untagged_older_than, Some(Age::days(0)));
        Policy::from_toml("package_type = \"container\"\ndelete_untagged_older_than = \"1h\"")
            .expect("an hour is enough");
    }

    #[test]
    fn semver_reads_with_or_without_v() {
        for yes in ["1.2.3", "v1.2.3", "1.0.0-rc.1", "v2.0.0+build.5"] {
            assert!(is_semver(yes), "{yes}");
        }
        for no in ["latest", "1.2", "v1", "sha-abc", "1.2.3.4"] {
            assert!(!is_semver(no), "{no}");
        }
    }
}
