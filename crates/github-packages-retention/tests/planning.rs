//! Planning an organization: packages planned at once and listed in the
//! order they were selected; only the manifests that can change a
//! decision read, and decisions the same as when every one is read
//! (`docs/github-behaviour.md`, "Which manifests a plan reads"); a busy
//! registry waited for; progress counted.

use std::collections::BTreeSet;

use futures::TryStreamExt;
use github_packages::{Owner, PackageType};
use github_packages_fake::{Fake, FaultsSeed, ImageSeed, LoggedRequest, PackageSeed};
use github_packages_retention::{Action, Age, Pattern, Plan, PlanProgress, Policy};

mod support {
    pub mod on_fake;
}
use support::on_fake::{base_seed, days_ago, fake_with, retention};

/// A package of `releases` kept multi-arch releases (two platforms,
/// attestations, a cosign signature, a referrer with its referrers tag),
/// `prs` deleted pull-request builds of the same shape, and an untagged
/// multi-arch image rebuilt from the first release's platforms.
fn package(name: &str, releases: usize, prs: usize) -> PackageSeed {
    let image = |tag: String, age: i64| {
        ImageSeed::new([tag])
            .platforms(["linux/amd64", "linux/arm64"])
            .attestations()
            .signed()
            .with_referrers_tag()
            .created(days_ago(age))
    };
    let mut package = PackageSeed::new("acme", "container", name);
    for n in 0..releases {
        package = package.image(image(format!("v1.{n}.0"), 100 + n as i64));
    }
    for n in 0..prs {
        package = package.image(image(format!("pr-{n}"), 30 + n as i64));
    }
    package.image(
        ImageSeed::untagged()
            .sharing_platforms_of("v1.0.0")
            .created(days_ago(20)),
    )
}

/// Keeps releases, deletes pull-request builds and old untagged versions.
fn policy() -> Policy {
    let mut policy = Policy::new(PackageType::Container);
    policy.keep_tags = vec![Pattern::new("v*")];
    policy.delete_tags = vec![Pattern::new("pr-*")];
    policy.delete_tags_older_than = Some(Age::days(14));
    policy.delete_untagged_older_than = Some(Age::days(14));
    policy
}

/// Every version's name and action, package by package.
fn actions(plan: &Plan) -> Vec<(String, Vec<(String, Action)>)> {
    plan.packages
        .iter()
        .map(|p| {
            let mut versions: Vec<(String, Action)> = p
                .versions
                .iter()
                .map(|v| (v.name.clone(), v.action()))
                .collect();
            versions.sort_by(|a, b| a.0.cmp(&b.0));
            (p.name.clone(), versions)
        })
        .collect()
}

fn manifest_reads(requests: &[LoggedRequest]) -> Vec<&str> {
    requests
        .iter()
        .filter(|r| r.path.contains("/manifests/"))
        .map(|r| r.path.as_str())
        .collect()
}

#[tokio::test]
async fn the_plan_reads_what_the_rule_says_and_decides_as_reading_everything_would() {
    let fake = fake_with([package("app", 2, 2), package("worker", 1, 3)]).await;
    let retention = retention(&fake);
    let plan = retention.plan(Owner::org("acme"), &policy()).await.unwrap();
    assert!(plan.packages.iter().all(|p| p.blocked.is_none()));
    let requests = fake.requests();
    let reads = manifest_reads(&requests);
    let distinct: BTreeSet<&str> = reads.iter().copied().collect();
    assert_eq!(reads.len(), distinct.len(), "each manifest at most once");

    // Per release image: an index, 2 platform manifests, 2 attestation
    // manifests, a signature, a referrer and its referrers index (8
    // versions). The index describes its 4 children as image manifests,
    // and the referrers index its referrer; all 5 are kept, so they are
    // not read. Every other version is.
    let versions: usize = plan.packages.iter().map(|p| p.versions.len()).sum();
    let releases = 3;
    assert_eq!(versions, 8 * (2 + 2 + 1 + 3) + 2, "the seed's shape");
    assert_eq!(reads.len(), versions - 5 * releases, "{reads:?}");

    // Reading every manifest (the orphan rule does) decides the same.
    fake.clear_requests();
    let mut reading_all = policy();
    reading_all.delete_orphans = true;
    let full = retention
        .plan(Owner::org("acme"), &reading_all)
        .await
        .unwrap();
    assert_eq!(manifest_reads(&fake.requests()).len(), versions);
    assert_eq!(actions(&full), actions(&plan));
    assert!(
        plan.counts().delete > 0 && plan.counts().protected > 0,
        "{:?}",
        plan.counts()
    );

    // The registry sign-in is asked once per package, the challenge once.
    let count = |path: &str| requests.iter().filter(|r| r.path == path).count();
    assert_eq!((count("/token"), count("/v2/")), (2, 1), "{requests:?}");
}

#[tokio::test]
async fn packages_are_planned_at_once_and_listed_in_the_order_selected() {
    let names = ["a-big", "b", "c", "d", "e"];
    let mut packages = vec![package(names[0], 3, 6)];
    packages.extend(names[1..].iter().map(|n| package(n, 1, 0)));
    let fake = fake_with(packages).await;
    fake.set_faults(FaultsSeed {
        latency_ms: 20,
        ..FaultsSeed::default()
    });
    let retention = retention(&fake);
    let listed: Vec<String> = retention
        .client()
        .packages(Owner::org("acme"))
        .list(PackageType::Container)
        .stream()
        .map_ok(|p| p.name().to_owned())
        .try_collect()
        .await
        .unwrap();
    let progress = PlanProgress::new();
    let plan = retention
        .plan_with_progress(Owner::org("acme"), &policy(), &progress)
        .await
        .unwrap();
    let planned: Vec<&str> = plan.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(planned, listed, "the order GitHub lists them in");
    assert_eq!(planned.len(), names.len());

    // The small packages did not wait for the big one: requests for
    // several packages overlapped.
    let requests = fake.requests();
    let first_of = |name: &str| {
        requests
            .iter()
            .position(|r| r.path.contains(&format!("/{name}/")))
            .unwrap()
    };
    let last_of_big = requests
        .iter()
        .rposition(|r| r.path.contains("/a-big/"))
        .unwrap();
    assert!(
        names[1..].iter().all(|n| first_of(n) < last_of_big),
        "{requests:?}"
    );

    // Progress adds up to what was sent.
    assert_eq!(progress.packages(), (names.len(), names.len()));
    let (read, wanted) = progress.manifests();
    assert_eq!(read, wanted);
    assert_eq!(read, manifest_reads(&requests).len());
}

#[tokio::test]
async fn a_busy_registry_is_waited_for_rather_than_blocking_the_package() {
    let fake = Fake::start(base_seed().package(package("app", 1, 1)))
        .await
        .unwrap();
    // The first two registry requests are refused with 429 and
    // `Retry-After: 1`.
    fake.set_faults(FaultsSeed {
        registry_busy: 2,
        ..FaultsSeed::default()
    });
    let plan = retention(&fake)
        .plan(Owner::org("acme"), &policy())
        .await
        .unwrap();
    assert_eq!(plan.packages[0].blocked, None);
    assert!(plan.counts().delete > 0);
    let refused = fake
        .requests()
        .iter()
        .filter(|r| r.status == Some(429))
        .count();
    assert_eq!(refused, 2);
}
