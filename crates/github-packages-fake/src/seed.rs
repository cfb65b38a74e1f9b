//! What the fake starts with: owners, tokens, packages, versions, images,
//! and how it behaves (clock, rate limits, faults). (Over 500 lines: this
//! is the seed format's one definition, every field documented where it
//! is declared, with its builders.) Read from TOML or JSON
//! (`Seed::from_toml`, `Seed::from_json`) or built in code:
//!
//! ```
//! use github_packages_fake::{ImageSeed, PackageSeed, Seed, TokenSeed};
//!
//! let seed = Seed::new()
//!     .org("acme", ["alice"])
//!     .token(TokenSeed::classic("ghp_alice", "alice", ["read:packages", "delete:packages"]))
//!     .package(
//!         PackageSeed::new("acme", "container", "team/app")
//!             .image(ImageSeed::new(["v1.2.0", "latest"]).platforms(["linux/amd64", "linux/arm64"]))
//!             .image(ImageSeed::untagged()),
//!     );
//! assert_eq!(seed.packages.len(), 1);
//! ```

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Everything the fake starts with.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    /// Organizations and their members.
    #[serde(default)]
    pub orgs: Vec<OrgSeed>,
    /// Users (members of orgs are created as users too).
    #[serde(default)]
    pub users: Vec<UserSeed>,
    /// Tokens the fake accepts.
    #[serde(default)]
    pub tokens: Vec<TokenSeed>,
    /// Packages with their versions.
    #[serde(default)]
    pub packages: Vec<PackageSeed>,
    /// The clock.
    #[serde(default)]
    pub clock: ClockSeed,
    /// Rate limits; all on by default, with GitHub's numbers.
    #[serde(default)]
    pub limits: LimitsSeed,
    /// Faults; none by default.
    #[serde(default)]
    pub faults: FaultsSeed,
}

/// An organization.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OrgSeed {
    /// Its login.
    pub login: String,
    /// The logins of its members; they see its private packages.
    #[serde(default)]
    pub members: Vec<String>,
}

/// A user.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UserSeed {
    /// Its login.
    pub login: String,
}

/// A token and whose it is.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TokenSeed {
    /// The secret, as a client sends it after `Bearer `.
    pub token: String,
    /// The user it acts for.
    pub user: String,
    /// `classic` (OAuth scopes, reported in `X-OAuth-Scopes`) or `actions`
    /// (a workflow's `GITHUB_TOKEN`: no scopes, rights on the packages of
    /// one repository, cannot list an organization's packages).
    #[serde(default)]
    pub kind: TokenKind,
    /// A classic token's scopes (`read:packages`, `delete:packages`,
    /// `write:packages`).
    #[serde(default)]
    pub scopes: Vec<String>,
    /// An Actions token's repository, `owner/name`.
    #[serde(default)]
    pub repository: Option<String>,
}

/// Which kind of token.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenKind {
    /// A personal access token (classic) or OAuth token.
    #[default]
    Classic,
    /// A GitHub Actions `GITHUB_TOKEN`.
    Actions,
}

impl TokenSeed {
    /// A classic token with `scopes`.
    pub fn classic<S: Into<String>>(
        token: impl Into<String>,
        user: impl Into<String>,
        scopes: impl IntoIterator<Item = S>,
    ) -> Self {
        Self {
            token: token.into(),
            user: user.into(),
            kind: TokenKind::Classic,
            scopes: scopes.into_iter().map(Into::into).collect(),
            repository: None,
        }
    }

    /// A classic token with every packages scope.
    pub fn all_scopes(token: impl Into<String>, user: impl Into<String>) -> Self {
        Self::classic(
            token,
            user,
            ["read:packages", "write:packages", "delete:packages"],
        )
    }

    /// A GitHub Actions token of a workflow in `repository` (`owner/name`).
    pub fn actions(token: impl Into<String>, repository: impl Into<String>) -> Self {
        let repository = repository.into();
        Self {
            token: token.into(),
            user: "github-actions[bot]".to_owned(),
            kind: TokenKind::Actions,
            scopes: Vec::new(),
            repository: Some(repository),
        }
    }
}

/// A package.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PackageSeed {
    /// The owning org's or user's login.
    pub owner: String,
    /// `npm`, `maven`, `rubygems`, `docker`, `nuget` or `container`.
    #[serde(rename = "type")]
    pub package_type: String,
    /// The name; container images may hold `/`.
    pub name: String,
    /// `public`, `private` (the default) or `internal`.
    #[serde(default = "private")]
    pub visibility: String,
    /// The linked repository, `owner/name`.
    #[serde(default)]
    pub repository: Option<String>,
    /// When it was created; the clock's start if not given.
    #[serde(default)]
    pub created: Option<DateTime<Utc>>,
    /// Whether its migration from the Docker registry conflicted.
    #[serde(default)]
    pub docker_conflict: bool,
    /// When it was deleted, if it was (restorable for 30 days).
    #[serde(default)]
    pub deleted: Option<DateTime<Utc>>,
    /// Versions given by name (any package type).
    #[serde(default)]
    pub versions: Vec<VersionSeed>,
    /// Container images, each one or more versions with registry manifests.
    #[serde(default)]
    pub images: Vec<ImageSeed>,
}

fn private() -> String {
    "private".to_owned()
}

impl PackageSeed {
    /// A private package without versions.
    pub fn new(
        owner: impl Into<String>,
        package_type: impl Into<String>,
        name: impl Into<String>,
    ) -> Self {
        Self {
            owner: owner.into(),
            package_type: package_type.into(),
            name: name.into(),
            visibility: private(),
            repository: None,
            created: None,
            docker_conflict: false,
            deleted: None,
            versions: Vec::new(),
            images: Vec::new(),
        }
    }

    /// Sets the visibility.
    pub fn visibility(mut self, visibility: impl Into<String>) -> Self {
        self.visibility = visibility.into();
        self
    }

    /// Links a repository (`owner/name`).
    pub fn repository(mut self, repository: impl Into<String>) -> Self {
        self.repository = Some(repository.into());
        self
    }

    /// Adds a version.
    pub fn version(mut self, version: VersionSeed) -> Self {
        self.versions.push(version);
        self
    }

    /// Adds `count` versions named `1.0.0`, `1.0.1`, … one hour apart.
    pub fn versions(mut self, count: usize) -> Self {
        self.versions
            .extend((0..count).map(|i| VersionSeed::new(format!("1.0.{i}"))));
        self
    }

    /// Adds a container image.
    pub fn image(mut self, image: ImageSeed) -> Self {
        self.images.push(image);
        self
    }

    /// Marks its Docker migration as conflicted.
    pub fn docker_conflict(mut self) -> Self {
        self.docker_conflict = true;
        self
    }
}

/// A version given by name.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct VersionSeed {
    /// The version's name (a version number, or a digest).
    pub name: String,
    /// Tags (container and docker packages).
    #[serde(default)]
    pub tags: Vec<String>,
    /// When it was created; versions given without a time are spaced an
    /// hour apart before the clock's start, oldest first.
    #[serde(default)]
    pub created: Option<DateTime<Utc>>,
    /// How often it was downloaded (GitHub refuses to delete a public
    /// version with more than 5,000).
    #[serde(default)]
    pub downloads: u64,
    /// When it was deleted, if it was.
    #[serde(default)]
    pub deleted: Option<DateTime<Utc>>,
    /// Its license.
    #[serde(default)]
    pub license: Option<String>,
    /// Its description.
    #[serde(default)]
    pub description: Option<String>,
}

impl VersionSeed {
    /// A version with this name.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            tags: Vec::new(),
            created: None,
            downloads: 0,
            deleted: None,
            license: None,
            description: None,
        }
    }

    /// Sets the download count.
    pub fn downloads(mut self, downloads: u64) -> Self {
        self.downloads = downloads;
        self
    }

    /// Sets when it was created.
    pub fn created(mut self, created: DateTime<Utc>) -> Self {
        self.created = Some(created);
        self
    }

    /// Sets its tags.
    pub fn tags<S: Into<String>>(mut self, tags: impl IntoIterator<Item = S>) -> Self {
        self.tags = tags.into_iter().map(Into::into).collect();
        self
    }
}

/// A container image: its manifests in the registry and its versions.
///
/// One platform gives one image manifest (one version); several give an
/// image index (the tagged version) and one untagged version per platform
/// manifest, as GitHub lists multi-arch images. `attestations` adds a
/// buildx attestation manifest per platform (platform `unknown/unknown`,
/// untagged); `signature`, `attestation` and `sbom` add cosign-style
/// manifests tagged `sha256-<hex>.sig`, `.att`, `.sbom`; `referrer` adds an
/// OCI 1.1 artifact whose `subject` is the image (untagged), and
/// `referrers_tag` also the index that lists it under the OCI referrers
/// tag `sha256-<hex>`, as cosign in OCI 1.1 mode and
/// `actions/attest-build-provenance` push to ghcr.io.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ImageSeed {
    /// Tags of the image (empty: untagged).
    #[serde(default)]
    pub tags: Vec<String>,
    /// `os/arch` platforms; one by default.
    #[serde(default = "one_platform")]
    pub platforms: Vec<String>,
    /// buildx attestation manifests, one per platform (multi-arch only).
    #[serde(default)]
    pub attestations: bool,
    /// A cosign signature, tagged `sha256-<hex>.sig`.
    #[serde(default)]
    pub signature: bool,
    /// A cosign attestation, tagged `sha256-<hex>.att`.
    #[serde(default)]
    pub attestation: bool,
    /// A cosign SBOM, tagged `sha256-<hex>.sbom`.
    #[serde(default)]
    pub sbom: bool,
    /// An OCI 1.1 artifact naming the image as its `subject`.
    #[serde(default)]
    pub referrer: bool,
    /// The referrers index listing that artifact, tagged `sha256-<hex>`
    /// (implies `referrer`).
    #[serde(default)]
    pub referrers_tag: bool,
    /// Docker media types (manifest list, schema 2) instead of OCI's.
    #[serde(default)]
    pub docker: bool,
    /// When it was pushed.
    #[serde(default)]
    pub created: Option<DateTime<Utc>>,
    /// How often its top version was downloaded.
    #[serde(default)]
    pub downloads: u64,
    /// A re-tag, not a push: adds `tags` to the manifest of the earlier
    /// image of the package tagged this, so one version carries them all.
    #[serde(default)]
    pub same_as: Option<String>,
    /// A rebuild that reuses platform manifests: a new index listing the
    /// manifests of the earlier image tagged this, so two indexes share
    /// children and the REST side lists each digest once.
    #[serde(default)]
    pub shares_platforms_of: Option<String>,
}

fn one_platform() -> Vec<String> {
    vec!["linux/amd64".to_owned()]
}

impl ImageSeed {
    /// An image with these tags, for `linux/amd64`.
    pub fn new<S: Into<String>>(tags: impl IntoIterator<Item = S>) -> Self {
        Self {
            tags: tags.into_iter().map(Into::into).collect(),
            platforms: one_platform(),
            attestations: false,
            signature: false,
            attestation: false,
            sbom: false,
            referrer: false,
            referrers_tag: false,
            docker: false,
            created: None,
            downloads: 0,
            same_as: None,
            shares_platforms_of: None,
        }
    }

    /// A re-tag: `tags` added to the earlier image tagged `tag`.
    pub fn retag<S: Into<String>>(tag: &str, tags: impl IntoIterator<Item = S>) -> Self {
        Self {
            same_as: Some(tag.to_owned()),
            ..Self::new(tags)
        }
    }

    /// An index of its own over the platform manifests of the earlier image
    /// tagged `tag`.
    pub fn sharing_platforms_of(mut self, tag: &str) -> Self {
        self.shares_platforms_of = Some(tag.to_owned());
        self
    }

    /// An untagged single-platform image.
    pub fn untagged() -> Self {
        Self::new(Vec::<String>::new())
    }

    /// Its platforms; more than one makes a multi-arch image.
    pub fn platforms<S: Into<String>>(mut self, platforms: impl IntoIterator<Item = S>) -> Self {
        self.platforms = platforms.into_iter().map(Into::into).collect();
        self
    }

    /// Adds buildx attestation manifests.
    pub fn attestations(mut self) -> Self {
        self.attestations = true;
        self
    }

    /// Adds a cosign signature.
    pub fn signed(mut self) -> Self {
        self.signature = true;
        self
    }

    /// Adds a cosign attestation (`.att`).
    pub fn attested(mut self) -> Self {
        self.attestation = true;
        self
    }

    /// Adds an OCI 1.1 referrer artifact.
    pub fn with_referrer(mut self) -> Self {
        self.referrer = true;
        self
    }

    /// Adds an OCI 1.1 referrer artifact and the referrers index that
    /// lists it, tagged `sha256-<hex>` after the image's digest.
    pub fn with_referrers_tag(mut self) -> Self {
        self.referrer = true;
        self.referrers_tag = true;
        self
    }

    /// Sets when it was pushed.
    pub fn created(mut self, created: DateTime<Utc>) -> Self {
        self.created = Some(created);
        self
    }

    /// Sets how often its top version was downloaded.
    pub fn downloads(mut self, downloads: u64) -> Self {
        self.downloads = downloads;
        self
    }
}

/// The clock.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ClockSeed {
    /// The fake's time at start; the real time if not given.
    #[serde(default)]
    pub start: Option<DateTime<Utc>>,
    /// How much faster than real time the fake's time runs (60: a minute
    /// per second), for rate-limit windows and deletion ages.
    #[serde(default = "one")]
    pub speed: f64,
}

fn one() -> f64 {
    1.0
}

impl Default for ClockSeed {
    fn default() -> Self {
        Self {
            start: None,
            speed: 1.0,
        }
    }
}

/// Rate limits, as GitHub applies them; 0 turns one off.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsSeed {
    /// Primary: requests per hour per token (GitHub: 5,000 for a user).
    #[serde(default = "primary")]
    pub primary: u64,
    /// Secondary: points per minute per token and endpoint, GET/HEAD 1,
    /// other methods 5 (GitHub: 900).
    #[serde(default = "points")]
    pub points_per_minute: u64,
    /// Secondary: requests in flight per token (GitHub: 100).
    #[serde(default = "concurrency")]
    pub concurrency: u64,
}

fn primary() -> u64 {
    5000
}

fn points() -> u64 {
    900
}

fn concurrency() -> u64 {
    100
}

impl Default for LimitsSeed {
    fn default() -> Self {
        Self {
            primary: primary(),
            points_per_minute: points(),
            concurrency: concurrency(),
        }
    }
}

impl LimitsSeed {
    /// No rate limits at all (GitHub Enterprise Server's default).
    pub fn off() -> Self {
        Self {
            primary: 0,
            points_per_minute: 0,
            concurrency: 0,
        }
    }
}

/// Faults, drawn from a random sequence fixed by `seed`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FaultsSeed {
    /// Seeds the random sequence.
    #[serde(default)]
    pub seed: u64,
    /// Every answer waits this long (real milliseconds).
    #[serde(default)]
    pub latency_ms: u64,
    /// Plus up to this much more, drawn per request.
    #[serde(default)]
    pub jitter_ms: u64,
    /// This fraction of requests gets a 5xx (half of them an HTML 502
    /// page, as a proxy sends).
    #[serde(default)]
    pub server_errors: f64,
    /// This fraction of connections is dropped without an answer.
    #[serde(default)]
    pub dropped: f64,
    /// Bodies trickle out in 16-byte chunks this many milliseconds apart.
    #[serde(default)]
    pub slow_body_ms: u64,
    /// The next this many registry requests are refused with 429
    /// `TOOMANYREQUESTS` and `Retry-After: 1`, as a pressed registry
    /// answers (`docs/github-behaviour.md`, "Container images").
    #[serde(default)]
    pub registry_busy: u32,
}

impl Seed {
    /// An empty seed with GitHub's rate limits and no faults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads a seed from TOML.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| e.message().to_owned())
    }

    /// Reads a seed from JSON.
    pub fn from_json(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    /// Adds an organization with members.
    pub fn org<S: Into<String>>(
        mut self,
        login: impl Into<String>,
        members: impl IntoIterator<Item = S>,
    ) -> Self {
        self.orgs.push(OrgSeed {
            login: login.into(),
            members: members.into_iter().map(Into::into).collect(),
        });
        self
    }

    /// Adds a user.
    pub fn user(mut self, login: impl Into<String>) -> Self {
        self.users.push(UserSeed {
            login: login.into(),
        });
        self
    }

    /// Adds a token.
    pub fn token(mut self, token: TokenSeed) -> Self {
        self.tokens.push(token);
        self
    }

    /// Adds a package.
    pub fn package(mut self, package: PackageSeed) -> Self {
        self.packages.push(package);
        self
    }

    /// Sets the rate limits.
    pub fn limits(mut self, limits: LimitsSeed) -> Self {
        self.limits = limits;
        self
    }

    /// Sets the faults.
    pub fn faults(mut self, faults: FaultsSeed) -> Self {
        self.faults = faults;
        self
    }

    /// Sets the clock's start and speed.
    pub fn clock(mut self, start: Option<DateTime<Utc>>, speed: f64) -> Self {
        self.clock = ClockSeed { start, speed };
        self
    }
}
