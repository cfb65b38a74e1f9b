//! Retention for GitHub Packages: a [`Policy`] says what to keep and what
//! to delete; a [`Plan`] shows, for every version, what will happen and
//! which rule decided it; [`Retention::execute`] carries the plan out
//! through the client's bulk path and throttle.
//!
//! For container packages the plan reads the registry first and keeps
//! whatever a kept image needs: the platform and attestation manifests of
//! a kept multi-arch image, its cosign signatures, and OCI 1.1 artifacts
//! that refer to it. If the registry cannot be read, nothing in that
//! package is deleted. The plan never deletes a package's last version.
//!
//! ```no_run
//! use github_packages::{Client, Owner};
//! use github_packages_retention::{Policy, Registry, Retention};
//!
//! # async fn prune() -> Result<(), Box<dyn std::error::Error>> {
//! let token = std::env::var("GITHUB_TOKEN")?;
//! let client = Client::builder().token(token.clone()).build()?;
//! let retention = Retention::new(client).registry(Registry::new("https://ghcr.io", Some(token))?);
//! let policy = Policy::from_toml(r#"
//!     package_type = "container"
//!     keep_latest = 10
//!     keep_tags = ["latest", "v*"]
//!     delete_untagged_older_than = "30d"
//! "#)?;
//! let plan = retention.plan(Owner::org("acme"), &policy).await?;
//! for package in &plan.packages {
//!     for version in package.deletions() {
//!         println!("{}: delete {} ({})", package.name, version.name, version.reason);
//!     }
//! }
//! let done = retention.execute(&plan, Default::default(), |_, _| {}).await?;
//! println!("{}", done.summary());
//! # Ok(()) }
//! ```
//!
//! Execution does not take the plan's word for it: right before deleting,
//! it lists each package again and keeps whatever changed since the plan
//! ([`Retention::execute`]). Every string that came from GitHub or a
//! registry is shown by the `Display` impls with control characters,
//! escape sequences and bidirectional overrides made visible.
//!
//! The modules, from what a caller touches down: `execute` (carrying a
//! plan out) uses `verify` (the package now, against the plan); planning
//! uses `listing` (GitHub's listing, checked), `decide` (the policy's
//! rules) and `container` (the registry, tags that name other images,
//! what kept images need, deletion order); `plan` and `policy` are the
//! data they share.

#![warn(missing_docs)]

mod container;
mod decide;
mod execute;
mod listing;
mod plan;
mod policy;
mod verify;

use chrono::Utc;
use futures::TryStreamExt;
use github_packages::{Client, Owner, PackageRef, PackageType};

pub use container::registry::{Registry, RegistryBuilder, RegistryError};
pub use execute::{
    DEFAULT_MAX_PLAN_AGE, ExecuteError, ExecuteOptions, Execution, Outcome, PackageOutcome,
    VersionOutcome,
};
pub use plan::{Action, Counts, PackagePlan, Plan, Reason, VersionPlan, short};
pub use policy::{Age, Pattern, Policy, PolicyError};

/// The README's snippets, compiled as doc tests so they stay true (here,
/// where every crate they use is at hand).
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeSnippets;

/// Plans and carries out retention for one GitHub client.
#[derive(Debug)]
pub struct Retention {
    client: Client,
    registry: Option<Registry>,
}

impl Retention {
    /// Retention through `client`. Container packages also need a
    /// [registry](Self::registry); without one, nothing in them is deleted.
    pub fn new(client: Client) -> Self {
        Self {
            client,
            registry: None,
        }
    }

    /// Retention as GitHub Actions sets it up: the client from
    /// `GITHUB_TOKEN` and `GITHUB_API_URL` ([`Client::from_env`]), and the
    /// registry that goes with that API, signing in with the same token.
    pub fn from_env() -> Result<Self, github_packages::Error> {
        Self::with_env_registry(Client::from_env()?, None, false)
            .map_err(|e| github_packages::Error::Config(e.to_string()))
    }

    /// Retention through `client`, with the registry at `registry_url` or,
    /// without one, the registry that goes with the client's API (none if
    /// that is unknown); either signs in with `GITHUB_TOKEN`, if set, and
    /// may send sign-ins to the client's API origin. `allow_insecure_http`
    /// accepts a plain-`http` registry on another machine
    /// ([`RegistryBuilder::allow_insecure_http`]).
    pub fn with_env_registry(
        client: Client,
        registry_url: Option<&str>,
        allow_insecure_http: bool,
    ) -> Result<Self, RegistryError> {
        let token = std::env::var("GITHUB_TOKEN")
            .ok()
            .filter(|t| !t.trim().is_empty());
        let builder = match registry_url {
            Some(url) => Some(Registry::builder(url).api_root(client.base_url())),
            None => container::registry::RegistryBuilder::for_api(client.base_url()),
        };
        let registry = builder
            .map(|b| {
                b.token(token)
                    .allow_insecure_http(allow_insecure_http)
                    .build()
            })
            .transpose()?;
        Ok(Self { client, registry })
    }

    /// The registry that serves the container packages (see
    /// [`Registry::for_api`]).
    pub fn registry(mut self, registry: Registry) -> Self {
        self.registry = Some(registry);
        self
    }

    /// The client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The plan for every package of `owner` the policy selects. Sends
    /// nothing but GETs: REST listings and single-package GETs, and
    /// registry tag lists and manifests for container packages.
    ///
    /// GitHub's listings are checked, not trusted: a version listed twice
    /// with different tags is kept, a digest listed under two ids gets the
    /// more protective decision for both, and a package whose listing
    /// may have skipped versions (it shows fewer than the package's
    /// `version_count`, or misses a tag the registry has) is read again
    /// and, if no read adds up, deletes nothing.
    ///
    /// When every name in `policy.packages` is literal (no `*` or `?`), the
    /// packages are fetched by name rather than listed, which is what a
    /// GitHub Actions token can do.
    pub async fn plan(
        &self,
        owner: Owner,
        policy: &Policy,
    ) -> Result<Plan, github_packages::Error> {
        let owner_packages = self.client.packages(owner);
        let literal: Option<Vec<String>> = policy
            .packages
            .iter()
            .map(|p| {
                let text = p.to_string();
                (!text.contains(['*', '?'])).then_some(text)
            })
            .collect();
        let names: Vec<String> = match literal {
            Some(names) => names,
            None => {
                owner_packages
                    .list(policy.package_type.clone())
                    .stream()
                    .try_filter_map(|package| async move {
                        Ok(policy
                            .selects(package.name())
                            .then(|| package.name().to_owned()))
                    })
                    .try_collect()
                    .await?
            }
        };
        let made_at = Utc::now();
        let mut packages = Vec::with_capacity(names.len());
        for name in names {
            let package = owner_packages.package(policy.package_type.clone(), name);
            packages.push(self.plan_at(&package, policy, made_at).await?);
        }
        Ok(Plan { made_at, packages })
    }

    /// The plan for one package, checked as [`plan`](Self::plan) checks
    /// each.
    pub async fn plan_package(
        &self,
        package: &PackageRef,
        policy: &Policy,
    ) -> Result<PackagePlan, github_packages::Error> {
        self.plan_at(package, policy, Utc::now()).await
    }

    async fn plan_at(
        &self,
        package: &PackageRef,
        policy: &Policy,
        now: chrono::DateTime<Utc>,
    ) -> Result<PackagePlan, github_packages::Error> {
        let container = *package.package_type() == PackageType::Container;
        let registry = self.registry.as_ref().filter(|_| container);
        let listing = listing::read(package, registry).await?;
        let mut plan = PackagePlan::new(
            package.owner().clone(),
            package.package_type().clone(),
            package.name(),
            decide::decide(
                policy,
                package.package_type(),
                &listing.versions,
                &listing.listed_twice,
                now,
            ),
        );
        if let Some(why) = listing.unsound {
            plan.block(why);
        } else if container && plan.deletions().next().is_some() {
            match &listing.image {
                Some(image) => container::protect::protect(registry, image, &mut plan).await,
                None => plan.block(
                    "GitHub did not say whose package it is, so its image cannot be found"
                        .to_owned(),
                ),
            }
        }
        Ok(plan)
    }
}
