//! [`Retention`]: a client and a registry, and planning with them — every
//! selected package listed (checked, `listing.rs`), judged by the policy
//! (`decide.rs`) and, for images, by what kept images need
//! (`container::protect`). Carrying a plan out is `execute.rs`.

use chrono::Utc;
use futures::{StreamExt, TryStreamExt, stream};
use github_packages::{Client, Owner, OwnerPackages, PackageRef, PackageType};

use crate::container::graph::Facts;
use crate::container::protect;
use crate::container::registry::{Registry, RegistryBuilder, RegistryError};
use crate::plan::{PackagePlan, Plan};
use crate::policy::Policy;
use crate::progress::PlanProgress;
use crate::{decide, listing};

/// Packages planned at once. Each waits for its answers most of the time;
/// what is in flight is bounded by the client's throttle and the
/// registry's cap, and this bounds the listings held at once.
const PACKAGES_AT_ONCE: usize = github_packages::DEFAULT_CONCURRENCY;

/// Plans and carries out retention for one GitHub client.
#[derive(Debug)]
pub struct Retention {
    pub(crate) client: Client,
    pub(crate) registry: Option<Registry>,
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
        let token = github_packages::token_from_env();
        let builder = match registry_url {
            Some(url) => Some(Registry::builder(url).api_root(client.base_url())),
            None => RegistryBuilder::for_api(client.base_url()),
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
    ///
    /// Several packages are planned at once; the plan lists them in the
    /// order they were selected. Of an image's manifests, only those that
    /// can change a decision are read (`docs/github-behaviour.md`, "Which
    /// manifests a plan reads").
    pub async fn plan(
        &self,
        owner: Owner,
        policy: &Policy,
    ) -> Result<Plan, github_packages::Error> {
        self.plan_with_progress(owner, policy, &PlanProgress::new())
            .await
    }

    /// [`plan`](Self::plan), counting how far it has come in `progress`.
    pub async fn plan_with_progress(
        &self,
        owner: Owner,
        policy: &Policy,
        progress: &PlanProgress,
    ) -> Result<Plan, github_packages::Error> {
        let owner_packages = self.client.packages(owner);
        let probe = async {
            if let Some(registry) = &self.registry
                && policy.package_type == PackageType::Container
            {
                registry.probe().await;
            }
        };
        let (names, ()) = futures::future::join(selected(&owner_packages, policy), probe).await;
        let names = names?;
        progress.selected(names.len());
        let made_at = Utc::now();
        let packages = stream::iter(names)
            .map(|name| {
                let package = owner_packages.package(policy.package_type.clone(), name);
                async move {
                    let plan = self
                        .plan_at(&package, policy, made_at, Some(progress))
                        .await;
                    progress.package_done();
                    plan
                }
            })
            .buffered(PACKAGES_AT_ONCE)
            .try_collect()
            .await?;
        Ok(Plan { made_at, packages })
    }

    /// The plan for one package, checked as [`plan`](Self::plan) checks
    /// each.
    pub async fn plan_package(
        &self,
        package: &PackageRef,
        policy: &Policy,
    ) -> Result<PackagePlan, github_packages::Error> {
        self.plan_at(package, policy, Utc::now(), None).await
    }

    async fn plan_at(
        &self,
        package: &PackageRef,
        policy: &Policy,
        now: chrono::DateTime<Utc>,
        progress: Option<&PlanProgress>,
    ) -> Result<PackagePlan, github_packages::Error> {
        let container = *package.package_type() == PackageType::Container;
        let registry = self.registry.as_ref().filter(|_| container);
        let listing = listing::read(package, registry).await?;
        let decide = |facts: &Facts| {
            decide::decide(
                policy,
                package.package_type(),
                &listing.versions,
                &listing.listed_twice,
                facts,
                now,
            )
        };
        let mut plan = PackagePlan::new(
            package.owner().clone(),
            package.package_type().clone(),
            package.name(),
            decide(&Facts::default()),
        );
        if let Some(why) = listing.unsound {
            plan.block(why);
        } else if container && (plan.deletions().next().is_some() || policy.deletes_broken()) {
            // Which versions are parts of others changes what the rules
            // select, so they decide again once the registry is read.
            let image = listing.image.as_deref();
            let read_all = policy.delete_orphans;
            if let Err(why) =
                protect::plan_image(registry, image, &mut plan, read_all, decide, progress).await
            {
                plan.block(why);
            }
        }
        Ok(plan)
    }
}

/// The names of `owner`'s packages `policy` selects. When every name in
/// `policy.packages` is literal (no `*` or `?`), they are the names, not a
/// listing: a GitHub Actions token can fetch a package but not list them.
pub(crate) async fn selected(
    owner_packages: &OwnerPackages,
    policy: &Policy,
) -> Result<Vec<String>, github_packages::Error> {
    let literal: Option<Vec<String>> = policy
        .packages
        .iter()
        .map(|p| {
            let text = p.to_string();
            (!text.contains(['*', '?'])).then_some(text)
        })
        .collect();
    match literal {
        Some(names) => Ok(names),
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
                .await
        }
    }
}
