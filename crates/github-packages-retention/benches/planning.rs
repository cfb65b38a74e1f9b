//! Planning an organization against the fake server started in this
//! process, every request answered after 50 ms
//! (`cargo bench -p github-packages-retention`; BENCHMARKS.md has results):
//!
//! - `small`: 4 container packages, 128 versions, multi-arch images with
//!   attestations, cosign signatures and OCI referrers;
//! - `large`: 100 packages, 30,000 versions, a third of them in multi-arch
//!   images with attestations and signatures; and half of it first, to see
//!   how the heap grows.
//!
//! Each reports the requests to the API and to the registry against the
//! minimum the reading rule implies (`docs/github-behaviour.md`, "Which
//! manifests a plan reads"), the wall time against the concurrency ideal,
//! and the heap's high-water mark. Name workloads as arguments to run only
//! those (`cargo bench -p github-packages-retention -- small`).

use std::time::{Duration, Instant};

use github_packages::{Client, DEFAULT_CONCURRENCY, Owner, PackageType};
use github_packages_fake::heap::{Counting, mib, peak_growth};
use github_packages_fake::{
    Fake, FaultsSeed, ImageSeed, LimitsSeed, LoggedRequest, PackageSeed, Seed, TokenSeed,
};
use github_packages_retention::{
    Age, DEFAULT_REGISTRY_CONCURRENCY, Pattern, Plan, Policy, Registry, Retention,
};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const TOKEN: &str = "ghp_bench_alice";

/// Every request waits this long.
const LATENCY: Duration = Duration::from_millis(50);

/// Items per page of a REST listing (the client's page size).
const PER_PAGE: usize = 100;

/// One workload: the packages, and how many versions each has, how many
/// tags, and how many manifests the rule leaves unread.
struct Workload {
    name: &'static str,
    packages: Vec<PackageSeed>,
    /// Per package: (versions, tags, manifests not needed).
    shape: Vec<(usize, usize, usize)>,
}

fn days_ago(days: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now() - chrono::Duration::days(days)
}

/// A multi-arch image: an index, 2 platform manifests, 2 attestation
/// manifests and a cosign signature (6 versions), plus, with `referrer`,
/// an OCI referrer and its referrers index (8 versions).
fn multi_arch(tag: String, age: i64, referrer: bool) -> ImageSeed {
    let image = ImageSeed::new([tag])
        .platforms(["linux/amd64", "linux/arm64"])
        .attestations()
        .signed()
        .created(days_ago(age));
    if referrer {
        image.with_referrers_tag()
    } else {
        image
    }
}

/// 4 packages of 2 kept releases and 2 deleted pull-request builds, each
/// a multi-arch image with a referrer: 32 versions a package. A kept
/// release's platform and attestation manifests and its referrer are not
/// read (5 a release).
fn small() -> Workload {
    let mut packages = Vec::new();
    for name in ["api", "web", "worker", "tools"] {
        let mut package = PackageSeed::new("acme", "container", name);
        for n in 0..2 {
            package = package.image(multi_arch(format!("v1.{n}.0"), 100 + n, true));
            package = package.image(multi_arch(format!("pr-{n}"), 30 + n, true));
        }
        packages.push(package);
    }
    // Tags: 2 releases, 2 pull requests, 4 signatures, 4 referrers tags.
    let shape = vec![(32, 12, 2 * 5); 4];
    Workload {
        name: "small",
        packages,
        shape,
    }
}

/// `count` packages of 300 versions: 17 multi-arch images (5 kept releases, 12
/// deleted pull-request builds; 102 versions), 50 kept single-platform
/// releases, 100 deleted pull-request builds and 48 old untagged images.
/// A kept multi-arch release's 4 platform and attestation manifests are
/// not read.
fn large(name: &'static str, count: usize) -> Workload {
    let mut packages = Vec::new();
    for p in 0..count {
        let mut package = PackageSeed::new("acme", "container", format!("service-{p:03}"));
        for n in 0..17 {
            let tag = if n < 5 {
                format!("v1.{n}.0")
            } else {
                format!("pr-{n}")
            };
            package = package.image(multi_arch(tag, 20 + n, false));
        }
        for n in 0..150 {
            let tag = if n < 50 {
                format!("v2.{n}.0")
            } else {
                format!("pr-{n}")
            };
            package = package.image(ImageSeed::new([tag]).created(days_ago(40 + n)));
        }
        for n in 0..48 {
            package = package.image(ImageSeed::untagged().created(days_ago(200 + n)));
        }
        packages.push(package);
    }
    // Tags: 17 images and their 17 signatures, 150 single images.
    let shape = vec![(300, 17 * 2 + 150, 5 * 4); count];
    Workload {
        name,
        packages,
        shape,
    }
}

/// Keeps releases; deletes pull-request builds and untagged versions
/// older than 14 days.
fn policy() -> Policy {
    let mut policy = Policy::new(PackageType::Container);
    policy.keep_tags = vec![Pattern::new("v*")];
    policy.delete_tags = vec![Pattern::new("pr-*")];
    policy.delete_tags_older_than = Some(Age::days(14));
    policy.delete_untagged_older_than = Some(Age::days(14));
    policy
}

fn is_registry(request: &LoggedRequest) -> bool {
    request.path.starts_with("/v2/") || request.path == "/token"
}

/// The fewest (API, registry) requests a plan of `workload` can send by
/// the rule: the package listing, then per package its GET and listing
/// pages, and its sign-in, tag list pages and the manifests the rule
/// reads; one registry challenge.
fn minimum(workload: &Workload) -> (usize, usize) {
    let pages = |items: usize, per_page: usize| items.div_ceil(per_page).max(1);
    let packages = workload.shape.len();
    let mut api = pages(packages, PER_PAGE);
    let mut registry = 1;
    for &(versions, tags, unread) in &workload.shape {
        api += 1 + pages(versions, PER_PAGE);
        registry += 1 + pages(tags, 1000) + versions - unread;
    }
    (api, registry)
}

async fn run(workload: Workload, runs: usize) {
    let mut seed = Seed::new()
        .org("acme", ["alice"])
        .user("alice")
        .token(TokenSeed::all_scopes(TOKEN, "alice"))
        .limits(LimitsSeed::off());
    let versions: usize = workload.shape.iter().map(|s| s.0).sum();
    for package in workload.packages.iter().cloned() {
        seed = seed.package(package);
    }
    let fake = Fake::start(seed).await.expect("fake");
    fake.set_faults(FaultsSeed {
        latency_ms: LATENCY.as_millis() as u64,
        ..FaultsSeed::default()
    });
    let (api_minimum, registry_minimum) = minimum(&workload);
    println!(
        "planning, {}: {} packages, {versions} versions, {} ms latency, caps {} (API) and {} \
         (registry)",
        workload.name,
        workload.shape.len(),
        LATENCY.as_millis(),
        DEFAULT_CONCURRENCY,
        DEFAULT_REGISTRY_CONCURRENCY
    );
    // The ideal: every request of the minimum at the caps, the API's and
    // the registry's side by side, after the package listing's first page.
    let ideal = LATENCY.mul_f64(
        1.0 + (api_minimum as f64 / DEFAULT_CONCURRENCY as f64)
            .max(registry_minimum as f64 / DEFAULT_REGISTRY_CONCURRENCY as f64),
    );
    let mut times = Vec::new();
    for _ in 0..runs {
        fake.clear_requests();
        // A new client and registry each run: nothing is signed in yet.
        let client = Client::builder()
            .token(TOKEN)
            .base_url(fake.url())
            .build()
            .expect("client");
        let registry = Registry::for_api(fake.url(), Some(TOKEN.to_owned()))
            .expect("a local registry")
            .expect("registry");
        let retention = Retention::new(client).registry(registry);
        let started = Instant::now();
        let (plan, peak) = peak_growth(async {
            retention
                .plan(Owner::org("acme"), &policy())
                .await
                .expect("plan")
        })
        .await;
        let elapsed = started.elapsed();
        check(&plan, versions);
        let requests = fake.requests();
        let registry_requests = requests.iter().filter(|r| is_registry(r)).count();
        let api_requests = requests.len() - registry_requests;
        let manifests: Vec<&str> = requests
            .iter()
            .filter(|r| r.path.contains("/manifests/"))
            .map(|r| r.path.as_str())
            .collect();
        let mut distinct = manifests.clone();
        distinct.sort_unstable();
        distinct.dedup();
        println!(
            "  {:>6.2} s (ideal {:.2} s: {:.0}%)   API {api_requests} requests (minimum \
             {api_minimum}: {:.3}x)   registry {registry_requests} (minimum {registry_minimum}: \
             {:.3}x; {} manifests, {} distinct)   heap peak {:.1} MiB",
            elapsed.as_secs_f64(),
            ideal.as_secs_f64(),
            100.0 * ideal.as_secs_f64() / elapsed.as_secs_f64(),
            api_requests as f64 / api_minimum as f64,
            registry_requests as f64 / registry_minimum as f64,
            manifests.len(),
            distinct.len(),
            mib(peak),
        );
        times.push(elapsed);
    }
    times.sort();
    if runs > 1 {
        println!(
            "  median {:.2} s of {runs}",
            times[times.len() / 2].as_secs_f64()
        );
    }
}

/// The plan is what the workload implies: nothing blocked, every version
/// planned, something deleted and something protected.
fn check(plan: &Plan, versions: usize) {
    assert!(
        plan.packages.iter().all(|p| p.blocked.is_none()),
        "a package is blocked"
    );
    assert_eq!(
        plan.packages
            .iter()
            .map(|p| p.versions.len())
            .sum::<usize>(),
        versions
    );
    let counts = plan.counts();
    assert!(counts.delete > 0 && counts.protected > 0, "{counts:?}");
}

fn main() {
    let wanted: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let runs = |name: &str| wanted.is_empty() || wanted.iter().any(|w| name.contains(w.as_str()));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        if runs("small") {
            run(small(), 5).await;
        }
        // Half the large organization first: the heap should double.
        if runs("large") {
            run(large("large, half", 50), 1).await;
            run(large("large", 100), 1).await;
        }
    });
}
