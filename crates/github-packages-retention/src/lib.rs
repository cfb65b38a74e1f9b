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
//! let done = retention.execute(&plan, Default::default(), |_, _| {}).await;
//! println!("{}", done.summary());
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod execute;
mod plan;
mod policy;
mod registry;
mod safety;

use chrono::Utc;
use futures::TryStreamExt;
use github_packages::{Client, Owner, PackageRef, PackageType};

pub use execute::{ExecuteOptions, Execution, PackageOutcome, VersionError};
pub use plan::{Action, Counts, PackagePlan, Plan, Reason, VersionPlan};
pub use policy::{Age, Pattern, Policy, PolicyError};
pub use registry::{Registry, RegistryError};

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
        Self::with_env_registry(Client::from_env()?, None)
            .map_err(|e| github_packages::Error::Config(e.to_string()))
    }

    /// Retention through `client`, with the registry at `registry_url` or,
    /// without one, the registry that goes with the client's API (none if
    /// that is unknown); either signs in with `GITHUB_TOKEN`, if set.
    pub fn with_env_registry(
        client: Client,
        registry_url: Option<&str>,
    ) -> Result<Self, RegistryError> {
        let token = std::env::var("GITHUB_TOKEN")
            .ok()
            .filter(|t| !t.trim().is_empty());
        let registry = match registry_url {
            Some(url) => Some(Registry::new(url, token)),
            None => Registry::for_api(client.base_url(), token),
        }
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
    /// nothing but GETs: REST listings, and registry manifests for
    /// container packages.
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

    /// The plan for one package.
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
        let versions: Vec<_> = package.versions().stream().try_collect().await?;
        let mut plan = PackagePlan::new(
            package.owner().clone(),
            package.package_type().clone(),
            package.name(),
            plan::decide(policy, package.package_type(), &versions, now),
        );
        if *package.package_type() == PackageType::Container && plan.deletions().next().is_some() {
            let owner = match package.owner() {
                Owner::Org(login) | Owner::User(login) => Some(login.as_str().to_owned()),
                // The registry path needs the login, which GitHub's answer
                // about the package names.
                Owner::AuthenticatedUser => package.get().await?.owner_login().map(str::to_owned),
            };
            match owner {
                Some(owner) => {
                    // `owner/name`, lower case (docs/github-behaviour.md, "Container images").
                    let image = format!("{owner}/{}", package.name()).to_ascii_lowercase();
                    safety::protect(self.registry.as_ref(), &image, &mut plan).await;
                }
                None => safety::block(
                    &mut plan,
                    "GitHub did not say whose package it is, so its image cannot be found"
                        .to_owned(),
                ),
            }
        }
        Ok(plan)
    }
}
