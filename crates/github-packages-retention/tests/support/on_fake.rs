//! Planning against the fake GitHub: one organization `acme` with one
//! member, a token for her, no rate limits. Each test file uses some of
//! these helpers, so the others are dead code there.

#![allow(dead_code)]

use chrono::{Duration, Utc};
use github_packages::{Client, Owner, RetryPolicy, Throttle};
use github_packages_fake::{Fake, LimitsSeed, PackageSeed, Seed, TokenSeed};
use github_packages_retention::{
    Action, Execution, PackagePlan, Plan, Policy, Reason, Registry, Retention, VersionPlan,
};

pub const TOKEN: &str = "ghp_retention_alice";

pub fn days_ago(days: i64) -> chrono::DateTime<Utc> {
    Utc::now() - Duration::days(days)
}

/// The organization, its member and her token, without packages.
pub fn base_seed() -> Seed {
    Seed::new()
        .org("acme", ["alice"])
        .user("alice")
        .token(TokenSeed::all_scopes(TOKEN, "alice"))
        .limits(LimitsSeed::off())
}

/// The fake with `acme`'s `packages`.
pub async fn fake_with(packages: impl IntoIterator<Item = PackageSeed>) -> Fake {
    let mut seed = base_seed();
    for package in packages {
        seed = seed.package(package);
    }
    Fake::start(seed).await.unwrap()
}

/// A client of the fake, as `alice`.
pub fn client(fake: &Fake) -> Client {
    Client::builder()
        .token(TOKEN)
        .base_url(fake.url())
        .retry(RetryPolicy::none())
        .throttle(Throttle::off())
        .build()
        .unwrap()
}

/// Retention through the fake's API and registry.
pub fn retention(fake: &Fake) -> Retention {
    let client = client(fake);
    let registry = Registry::for_api(fake.url(), Some(TOKEN.to_owned()))
        .expect("a local API has a local registry")
        .unwrap();
    Retention::new(client).registry(registry)
}

/// The plan for `acme`'s only package under `policy`.
pub async fn plan_one(fake: &Fake, policy: &Policy) -> PackagePlan {
    let plan = retention(fake)
        .plan(Owner::org("acme"), policy)
        .await
        .unwrap();
    assert_eq!(plan.packages.len(), 1, "{plan:#?}");
    let package = plan.packages.into_iter().next().unwrap();
    assert_eq!(package.blocked, None, "{package:#?}");
    package
}

/// Carries out `package`'s plan.
pub async fn execute(fake: &Fake, package: &PackagePlan) -> Execution {
    let plan = Plan {
        made_at: Utc::now(),
        packages: vec![package.clone()],
    };
    retention(fake)
        .execute(&plan, Default::default(), |_, _| {})
        .await
        .unwrap()
}

/// The version whose tags include `tag`.
pub fn tagged<'a>(plan: &'a PackagePlan, tag: &str) -> &'a VersionPlan {
    plan.versions
        .iter()
        .find(|v| v.tags.iter().any(|t| t == tag))
        .unwrap_or_else(|| panic!("no version tagged {tag}: {plan:#?}"))
}

/// The reason of the version tagged `tag`.
pub fn reason<'a>(plan: &'a PackagePlan, tag: &str) -> &'a Reason {
    &tagged(plan, tag).reason
}

/// The versions `plan` deletes, by their first tag (`-` for none).
pub fn deleted_tags(plan: &PackagePlan) -> Vec<&str> {
    plan.versions
        .iter()
        .filter(|v| v.action() == Action::Delete)
        .map(|v| v.tags.first().map_or("-", String::as_str))
        .collect()
}
