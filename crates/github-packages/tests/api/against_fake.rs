//! End to end against the fake GitHub (`github-packages-fake`), which keeps
//! state and behaves like GitHub: the round trips a clean-up tool makes.

use std::sync::Arc;

use futures::TryStreamExt;
use github_packages::{
    Client, Error, OptionalExt, Owner, PackageType, Refusal, RetryPolicy, VersionState,
};
use github_packages_fake::{Fake, LimitsSeed, PackageSeed, Seed, TokenSeed, VersionSeed};

const TOKEN: &str = "ghp_e2e_alice_all_scopes";

fn seed() -> Seed {
    Seed::new()
        .org("acme", ["alice"])
        .user("alice")
        .token(TokenSeed::all_scopes(TOKEN, "alice"))
        .package(PackageSeed::new("acme", "npm", "tool").versions(5))
        .package(PackageSeed::new("acme", "npm", "big").versions(250))
        .package(
            PackageSeed::new("acme", "npm", "popular")
                .visibility("public")
                .version(VersionSeed::new("1.0.0").downloads(6000))
                .version(VersionSeed::new("1.0.1")),
        )
        .package(PackageSeed::new("alice", "container", "sandbox").versions(120))
}

async fn client(fake: &Fake, retry: RetryPolicy) -> Client {
    Client::builder()
        .token(TOKEN)
        .base_url(fake.url())
        .retry(retry)
        .build()
        .unwrap()
}

#[tokio::test]
async fn list_delete_list_deleted_restore() {
    let fake = Fake::start(seed()).await.unwrap();
    let client = client(&fake, RetryPolicy::none()).await;
    let tool = client
        .packages(Owner::org("acme"))
        .package(PackageType::Npm, "tool");

    let versions: Vec<_> = tool.versions().stream().try_collect().await.unwrap();
    assert_eq!(versions.len(), 5);
    let oldest = versions.last().unwrap().handle(&tool);
    oldest.delete().await.unwrap();
    assert!(
        oldest.delete().await.unwrap_err().is_not_found(),
        "a second delete is 404"
    );
    assert_eq!(oldest.delete().await.optional().unwrap(), None);

    let deleted: Vec<_> = tool
        .versions()
        .state(VersionState::Deleted)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0].id(), oldest.id());
    assert!(deleted[0].deleted_at().is_some());

    oldest.restore().await.unwrap();
    assert_eq!(
        fake.active_versions("acme", "npm", "tool").unwrap().len(),
        5
    );
    assert_eq!(tool.get().await.unwrap().version_count(), Some(5));
}

#[tokio::test]
async fn a_stream_pages_through_250_versions_at_100_per_page() {
    let fake = Fake::start(seed()).await.unwrap();
    let client = client(&fake, RetryPolicy::none()).await;
    let big = client
        .packages(Owner::org("acme"))
        .package(PackageType::Npm, "big");
    let names: Vec<String> = big
        .versions()
        .stream()
        .map_ok(|v| v.name().to_owned())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names.len(), 250);
    assert_eq!(names[0], "1.0.249", "newest first");
    let mut pages: Vec<_> = fake
        .requests()
        .into_iter()
        .filter_map(|r| r.query)
        .collect();
    // The first page names the last, so pages 2 and 3 are fetched at once.
    pages[1..].sort();
    assert_eq!(
        pages,
        ["per_page=100", "page=2&per_page=100", "page=3&per_page=100"]
    );
}

#[tokio::test]
async fn a_users_package_pages_and_lists_deleted_versions() {
    let fake = Fake::start(seed()).await.unwrap();
    let client = client(&fake, RetryPolicy::none()).await;
    for owner in [Owner::user("alice"), Owner::AuthenticatedUser] {
        let sandbox = client
            .packages(owner)
            .package(PackageType::Container, "sandbox");
        let all: Vec<_> = sandbox.versions().stream().try_collect().await.unwrap();
        assert_eq!(all.len(), 120);
    }
    let sandbox = client
        .packages(Owner::user("alice"))
        .package(PackageType::Container, "sandbox");
    let page = sandbox.versions().per_page(10).page(2).await.unwrap();
    assert_eq!(page.items.len(), 10);
    page.items[0].handle(&sandbox).delete().await.unwrap();
    let deleted = sandbox
        .versions()
        .state(VersionState::Deleted)
        .await
        .unwrap();
    assert_eq!(deleted.items.len(), 1);
}

#[tokio::test]
async fn githubs_refusals_arrive_typed() {
    let fake = Fake::start(seed()).await.unwrap();
    let client = client(&fake, RetryPolicy::none()).await;
    let popular = client
        .packages(Owner::org("acme"))
        .package(PackageType::Npm, "popular");
    let versions = popular.versions().await.unwrap();
    let by_name = |name: &str| {
        versions
            .items
            .iter()
            .find(|v| v.name() == name)
            .unwrap()
            .handle(&popular)
    };

    let downloads = by_name("1.0.0").delete().await.unwrap_err();
    assert_eq!(
        downloads.refusal(),
        Some(Refusal::TooManyDownloads),
        "{downloads}"
    );
    by_name("1.0.1").delete().await.unwrap();
    // Now 1.0.0 is the last version.
    let last = by_name("1.0.0").delete().await.unwrap_err();
    assert!(matches!(last, Error::Refused { .. }), "{last:?}");
    assert_eq!(
        fake.active_versions("acme", "npm", "popular").unwrap(),
        ["1.0.0"]
    );
}

#[tokio::test]
async fn a_secondary_limit_is_waited_out_on_the_fakes_clock() {
    // 10 points a minute: two deletions, then GitHub's secondary limit.
    let limits = LimitsSeed {
        points_per_minute: 10,
        ..LimitsSeed::off()
    };
    let fake = Arc::new(Fake::start(seed().limits(limits)).await.unwrap());
    // The client waits by moving the fake's clock on: what GitHub asks for
    // is waited, in no time, however slowly the machine runs.
    let clock = Arc::clone(&fake);
    let retry = RetryPolicy::new().sleep_with(move |wait| {
        clock
            .clock()
            .advance(chrono::Duration::from_std(wait).unwrap());
        std::future::ready(())
    });
    let client = client(&fake, retry).await;
    let tool = client
        .packages(Owner::org("acme"))
        .package(PackageType::Npm, "tool");
    let versions = tool.versions().await.unwrap();
    for version in &versions.items[..4] {
        version.handle(&tool).delete().await.unwrap();
    }
    assert_eq!(
        fake.active_versions("acme", "npm", "tool").unwrap().len(),
        1
    );
    assert!(
        fake.limit_stats().secondary >= 1,
        "the limit was met and waited out"
    );
    let retried = fake
        .requests()
        .iter()
        .filter(|r| r.status == Some(403))
        .count();
    assert_eq!(retried as u64, fake.limit_stats().secondary);
}
