//! Retention for GitHub Packages: a [`Policy`] says what to keep and what
//! to delete; a [`Plan`] shows, for every version, what will happen and
//! which rule decided it; [`Retention::execute`] carries the plan out
//! through the client's bulk path and throttle.
//!
//! For container packages the plan reads the registry first and keeps
//! whatever a kept image needs: the platform and attestation manifests of
//! a kept multi-arch image, its cosign signatures, and OCI 1.1 artifacts
//! that refer to it. A deleted image goes whole: what only it needs goes
//! with it. If the registry cannot be read, nothing in that package is
//! deleted. The plan never deletes a package's last version.
//! [`Retention::check`] reports images that do not pull completely.
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
//! plan out) uses `verify` (the package now, against the plan) and
//! `untag` (removing tags through the registry);
//! `retention` (planning) and `check` (broken images) use `listing`
//! (GitHub's listing, checked), `decide` (the policy's rules) and
//! `container` (the registry, tags that name other images, how versions
//! are parts of images, what kept images need, deletion order); `plan`,
//! `manifest` and `policy` are the data they share.

#![warn(missing_docs)]

mod check;
mod container;
mod decide;
mod execute;
mod journal;
mod listing;
mod manifest;
mod plan;
mod policy;
mod progress;
mod retention;
mod untag;
mod verify;

pub use check::PackageCheck;
pub use container::registry::{
    DEFAULT_REGISTRY_CONCURRENCY, Registry, RegistryBuilder, RegistryError,
};
pub use container::tags::short_tag;
pub use execute::{
    DEFAULT_MAX_PLAN_AGE, ExecuteError, ExecuteOptions, Execution, Outcome, PackageOutcome,
    VersionOutcome,
};
pub use journal::{Entry, Journal};
pub use plan::{Action, Counts, PackagePlan, Part, Plan, Reason, VersionPlan, short};
pub use policy::{Age, AgeFrom, Digest, Pattern, Policy, PolicyError};
pub use progress::PlanProgress;
pub use retention::Retention;
pub use untag::TagRestore;

/// The README's snippets, compiled as doc tests so they stay true (here,
/// where every crate they use is at hand).
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeSnippets;
