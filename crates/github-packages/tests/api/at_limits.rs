//! GitHub's limits, against the fake: the throttle keeps a client under
//! them, a reported secondary limit pauses the whole client, a spent quota
//! is waited for or refused, and streams fetch pages concurrently in order.
//! The fake's clock runs fast so that a rate-limit minute passes in a
//! fraction of a second; the client's windows are shortened to match.

use std::future::IntoFuture;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use github_packages::{
    Client, Error, OnPrimaryLimit, Owner, PackageRef, PackageType, RateLimitKind, RetryPolicy,
    Throttle,
};
use github_packages_fake::{Fake, FaultsSeed, LimitsSeed, PackageSeed, Seed, TokenSeed};
use tokio::sync::Notify;

const TOKEN: &str = "ghp_limits_alice";

fn seed(versions: usize) -> Seed {
    Seed::new()
        .org("acme", ["alice"])
        .user("alice")
        .token(TokenSeed::all_scopes(TOKEN, "alice"))
        .package(PackageSeed::new("acme", "npm", "tool").versions(versions))
}

fn client(fake: &Fake, throttle: Throttle, retry: RetryPolicy) -> Client {
    Client::builder()
        .token(TOKEN)
        .base_url(fake.url())
        .throttle(throttle)
        .retry(retry)
        .build()
        .unwrap()
}

fn tool(client: &Client) -> PackageRef {
    client
        .packages(Owner::org("acme"))
        .package(PackageType::Npm, "tool")
}

/// A fake allowing 50 points (10 deletions) per minute, a minute lasting
/// `real` time.
fn ten_deletions_a_minute(versions: usize, real: Duration) -> Seed {
    let limits = LimitsSeed {
        points_per_minute: 50,
        ..LimitsSeed::off()
    };
    seed(versions)
        .limits(limits)
        .clock(None, 60.0 / real.as_secs_f64())
}

async fn deletable_ids(tool: &PackageRef, count: usize) -> Vec<github_packages::VersionId> {
    let versions: Vec<_> = tool.versions().stream().try_collect().await.unwrap();
    versions.iter().take(count).map(|v| v.id()).collect()
}

#[tokio::test]
async fn the_throttle_keeps_deletions_under_the_points_budget() {
    // A tenth of a second is enough: the throttle only makes things slower.
    let minute = Duration::from_millis(100);
    let fake = Fake::start(ten_deletions_a_minute(41, minute))
        .await
        .unwrap();
    // The fake's minute, in real time; no retries, so a limit would show.
    let throttle = Throttle::new().points(50, minute);
    let client = client(&fake, throttle, RetryPolicy::none());
    let tool = tool(&client);
    let ids = deletable_ids(&tool, 40).await;

    let started = Instant::now();
    let report = tool.delete_versions(ids).await;
    assert_eq!(report.done(), 40, "{report}");
    assert_eq!(fake.limit_stats().secondary, 0);
    // 40 deletions at 10 a window: the last batch starts three windows in.
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(
        fake.active_versions("acme", "npm", "tool").unwrap().len(),
        1
    );
}

#[tokio::test]
async fn without_the_throttle_the_same_deletions_meet_the_secondary_limit() {
    // A second, so that more than ten deletions surely fall into one
    // minute even on a busy machine.
    let fake = Fake::start(ten_deletions_a_minute(41, Duration::from_secs(1)))
        .await
        .unwrap();
    let client = client(&fake, Throttle::off(), RetryPolicy::none());
    let tool = tool(&client);
    let ids = deletable_ids(&tool, 40).await;

    let report = tool.delete_versions(ids).await;
    assert!(fake.limit_stats().secondary > 0);
    let limited = report
        .items
        .iter()
        .filter(|item| {
            matches!(
                item.outcome.error(),
                Some(Error::RateLimited {
                    kind: RateLimitKind::Secondary,
                    ..
                })
            )
        })
        .count();
    assert_eq!(limited as u64, fake.limit_stats().secondary);
    assert_eq!(report.failed(), limited, "{report}");
}

#[tokio::test]
async fn a_secondary_limit_pauses_every_request_of_the_client() {
    // Two deletions a minute; the fake asks to wait at least a second.
    let limits = LimitsSeed {
        points_per_minute: 10,
        ..LimitsSeed::off()
    };
    // A fake minute lasts a second: the three deletions surely fall into
    // one, and the fake asks to wait the rest of it.
    let fake = Fake::start(seed(5).limits(limits).clock(None, 60.0))
        .await
        .unwrap();
    let limited = Arc::new(Notify::new());
    let signal = Arc::clone(&limited);
    let retry = RetryPolicy::new().sleep_with(move |wait| {
        signal.notify_one();
        tokio::time::sleep(wait)
    });
    // No points budget: the client learns of the limit from the fake.
    let client = client(&fake, Throttle::new().no_points(), retry);
    let tool = tool(&client);
    let ids = deletable_ids(&tool, 3).await;
    let deleting = tokio::spawn(tool.delete_versions(ids).concurrency(1).into_future());

    // Once the third deletion was refused, a read (another endpoint,
    // within its own budget) waits for the pause too.
    limited.notified().await;
    let started = Instant::now();
    tool.get().await.unwrap();
    let held = started.elapsed();
    assert!(held >= Duration::from_millis(500), "{held:?}");

    let report = deleting.await.unwrap();
    assert_eq!(
        report.done(),
        3,
        "the refused deletion was retried: {report}"
    );
    assert_eq!(fake.limit_stats().secondary, 1);
}

#[tokio::test]
async fn a_spent_quota_fails_fast_without_sending_when_asked() {
    let limits = LimitsSeed {
        primary: 3,
        ..LimitsSeed::off()
    };
    let fake = Fake::start(seed(2).limits(limits)).await.unwrap();
    let throttle = Throttle::new().on_primary_limit(OnPrimaryLimit::FailFast);
    let client = client(&fake, throttle, RetryPolicy::none());
    let tool = tool(&client);
    for _ in 0..3 {
        tool.get().await.unwrap();
    }
    assert_eq!(client.rate_limit().unwrap().remaining, 0);
    let error = tool.get().await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::RateLimited {
                kind: RateLimitKind::Primary,
                reset: Some(_),
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(fake.requests().len(), 3, "the fourth was not sent");
    assert_eq!(fake.limit_stats().primary, 0);
}

#[tokio::test]
async fn a_spent_quota_is_waited_for_by_default() {
    // Three requests an hour; the fake's hour lasts a tenth of a second.
    let limits = LimitsSeed {
        primary: 3,
        ..LimitsSeed::off()
    };
    let fake = Fake::start(seed(2).limits(limits).clock(None, 36_000.0))
        .await
        .unwrap();
    let client = client(&fake, Throttle::new(), RetryPolicy::none());
    let tool = tool(&client);
    for _ in 0..4 {
        tool.get().await.unwrap();
    }
    assert_eq!(fake.requests().len(), 4);
    assert_eq!(
        fake.limit_stats().primary,
        0,
        "the fourth waited for the reset instead of meeting the limit"
    );
}

/// A fake with 1,000 versions (ten pages of 100) answering after `latency_ms`.
async fn thousand_versions(latency_ms: u64) -> Fake {
    let faults = FaultsSeed {
        latency_ms,
        ..FaultsSeed::default()
    };
    Fake::start(seed(1000).limits(LimitsSeed::off()).faults(faults))
        .await
        .unwrap()
}

fn page_of(request: &github_packages_fake::LoggedRequest) -> u32 {
    request
        .query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .find_map(|pair| pair.strip_prefix("page="))
        .map_or(1, |n| n.parse().unwrap())
}

#[tokio::test]
async fn concurrent_pages_come_in_githubs_order() {
    // Long enough that the pages asked for together are surely in flight
    // together, however busy the machine.
    let fake = thousand_versions(100).await;
    let client = client(&fake, Throttle::new(), RetryPolicy::none());
    let names: Vec<String> = tool(&client)
        .versions()
        .pages_at_once(4)
        .stream()
        .map_ok(|v| v.name().to_owned())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names, fake.active_versions("acme", "npm", "tool").unwrap());
    let mut pages: Vec<u32> = fake.requests().iter().map(page_of).collect();
    pages.sort_unstable();
    assert_eq!(pages, (1..=10).collect::<Vec<_>>(), "each page once");
    let peak = fake.peak_in_flight();
    assert!((2..=4).contains(&peak), "{peak} pages in flight");
}

/// Reads the stream one item at a time and checks, at every item, how many
/// pages were requested: at most the pages read so far plus `ahead`.
async fn assert_fetches_at_most_ahead(fake: &Fake, tool: &PackageRef, at_once: usize, ahead: u32) {
    let mut stream = tool.versions().pages_at_once(at_once).stream();
    let mut read = 0u32;
    while let Some(version) = stream.try_next().await.unwrap() {
        let _ = version;
        let page = read / 100 + 1;
        let requested = fake.requests().len() as u32;
        assert!(
            requested <= page + ahead,
            "item {read} (page {page}): {requested} pages requested"
        );
        read += 1;
    }
    assert_eq!(read, 1000);
}

#[tokio::test]
async fn a_stream_holds_at_most_its_pages_in_flight() {
    let fake = thousand_versions(5).await;
    let client = client(&fake, Throttle::new(), RetryPolicy::none());
    assert_fetches_at_most_ahead(&fake, &tool(&client), 4, 4).await;
}

#[tokio::test]
async fn one_page_at_once_is_page_after_page() {
    let fake = thousand_versions(0).await;
    let client = client(&fake, Throttle::new(), RetryPolicy::none());
    assert_fetches_at_most_ahead(&fake, &tool(&client), 1, 0).await;
    assert_eq!(fake.peak_in_flight(), 1);
}

#[tokio::test]
async fn dropping_a_concurrent_stream_starts_no_more_requests() {
    let fake = thousand_versions(20).await;
    let client = client(&fake, Throttle::new(), RetryPolicy::none());
    let first: Vec<_> = tool(&client)
        .versions()
        .pages_at_once(4)
        .stream()
        .take(150)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(first.len(), 150);
    // Two pages read, at most four more were in flight when it dropped.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let pages: Vec<u32> = fake.requests().iter().map(page_of).collect();
    assert!(pages.len() <= 6, "{pages:?}");
    assert!(pages.iter().all(|&page| page <= 6), "{pages:?}");
}

#[tokio::test]
async fn the_throttle_counts_concurrent_pages_too() {
    // Five GETs a fake minute: ten pages take at least a window more.
    let limits = LimitsSeed {
        points_per_minute: 5,
        ..LimitsSeed::off()
    };
    let fake = Fake::start(seed(1000).limits(limits).clock(None, 600.0))
        .await
        .unwrap();
    let throttle = Throttle::new().points(5, Duration::from_millis(100));
    let client = client(&fake, throttle, RetryPolicy::none());
    let all: Vec<_> = tool(&client)
        .versions()
        .pages_at_once(4)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 1000);
    assert_eq!(fake.limit_stats().secondary, 0);
}
