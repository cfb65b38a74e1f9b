//! Bulk deletes and restores against the fake: every outcome, dry runs,
//! stopping on failure, a clean stop, and dropping the run.

use std::time::Duration;

use futures::StreamExt;
use github_packages::{
    BulkOutcome, BulkReport, Client, Error, Owner, PackageRef, PackageType, Refusal, RetryPolicy,
    Throttle, VersionId,
};
use github_packages_fake::{
    Fake, FaultsSeed, LimitsSeed, PackageSeed, Seed, TokenSeed, VersionSeed,
};

const TOKEN: &str = "ghp_bulk_alice";
const READ_ONLY: &str = "ghp_bulk_reader";

fn seed() -> Seed {
    Seed::new()
        .org("acme", ["alice", "bob"])
        .user("alice")
        .user("bob")
        .token(TokenSeed::all_scopes(TOKEN, "alice"))
        .token(TokenSeed::classic(READ_ONLY, "bob", ["read:packages"]))
        .package(PackageSeed::new("acme", "npm", "tool").versions(30))
        .package(
            PackageSeed::new("acme", "npm", "popular")
                .visibility("public")
                .version(VersionSeed::new("1.0.0").downloads(6000))
                .version(VersionSeed::new("1.0.1"))
                .version(VersionSeed::new("1.0.2")),
        )
        .package(PackageSeed::new("acme", "npm", "pair").versions(2))
        .package(PackageSeed::new("acme", "npm", "spare").versions(1))
}

async fn start(seed: Seed) -> Fake {
    Fake::start(seed.limits(LimitsSeed::off())).await.unwrap()
}

fn client_with(fake: &Fake, token: &str) -> Client {
    Client::builder()
        .token(token)
        .base_url(fake.url())
        .throttle(Throttle::off())
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

fn package(client: &Client, name: &str) -> PackageRef {
    client
        .packages(Owner::org("acme"))
        .package(PackageType::Npm, name)
}

/// The ids of a package's active versions, newest first, with names.
async fn versions(package: &PackageRef) -> Vec<(VersionId, String)> {
    package
        .versions()
        .per_page(100)
        .await
        .unwrap()
        .items
        .iter()
        .map(|v| (v.id(), v.name().to_owned()))
        .collect()
}

/// A fake, the `tool` package through alice's client, and the ids of its
/// versions, newest first; the requests so far forgotten.
async fn tool_in(seed: Seed) -> (Fake, PackageRef, Vec<VersionId>) {
    let fake = start(seed).await;
    let tool = package(&client_with(&fake, TOKEN), "tool");
    let ids = ids(&tool).await;
    fake.clear_requests();
    (fake, tool, ids)
}

/// The ids of a package's active versions, newest first.
async fn ids(package: &PackageRef) -> Vec<VersionId> {
    versions(package)
        .await
        .into_iter()
        .map(|(id, _)| id)
        .collect()
}

fn refusal(outcome: &BulkOutcome) -> Option<Refusal> {
    match outcome {
        BulkOutcome::Refused(error) => error.refusal(),
        _ => None,
    }
}

#[tokio::test]
async fn every_item_is_attempted_and_gets_its_own_outcome() {
    let fake = start(seed()).await;
    let client = client_with(&fake, TOKEN);
    let popular = package(&client, "popular");
    let ids = versions(&popular).await;
    let id = |name: &str| ids.iter().find(|(_, n)| n == name).unwrap().0;

    let report = popular
        .delete_versions([
            id("1.0.2"),
            id("1.0.0"),          // public and downloaded 6,000 times
            VersionId::new(9999), // never existed: 404
            VersionId::new(0),    // not an id: caught before sending
            id("1.0.2"),          // a second deletion: 404
        ])
        .concurrency(1)
        .await;
    let outcomes: Vec<&BulkOutcome> = report.items.iter().map(|i| &i.outcome).collect();
    assert!(matches!(outcomes[0], BulkOutcome::Done), "{outcomes:?}");
    assert_eq!(refusal(outcomes[1]), Some(Refusal::TooManyDownloads));
    assert!(matches!(outcomes[2], BulkOutcome::AlreadyGone));
    assert!(matches!(
        outcomes[3],
        BulkOutcome::Failed(Error::InvalidArgument { .. })
    ));
    assert!(matches!(outcomes[4], BulkOutcome::AlreadyGone));
    assert_eq!(
        report.to_string(),
        "1 deleted, 2 already gone, 1 refused, 1 failed, 0 not attempted"
    );
    assert!(!report.is_success());
    assert_eq!(
        fake.active_versions("acme", "npm", "popular").unwrap(),
        ["1.0.1", "1.0.0"]
    );
    assert_eq!(
        fake.requests()
            .iter()
            .filter(|r| r.method == "DELETE")
            .count(),
        4,
        "the invalid id was not sent"
    );
}

#[tokio::test]
async fn the_last_version_and_a_missing_permission_are_refusals() {
    let fake = start(seed()).await;
    let client = client_with(&fake, TOKEN);
    let pair = package(&client, "pair");
    let mut seen = Vec::new();
    let report = pair
        .delete_versions(ids(&pair).await)
        .send_with(|item| seen.push(item.index))
        .await;
    assert_eq!((report.done(), report.refused()), (1, 1), "{report}");
    seen.sort_unstable();
    assert_eq!(seen, [0, 1], "progress saw each item once");
    assert!(
        report
            .items
            .iter()
            .any(|i| refusal(&i.outcome) == Some(Refusal::LastVersion))
    );

    let reader = client_with(&fake, READ_ONLY);
    let tool = package(&reader, "tool");
    let report = tool
        .delete_versions(ids(&tool).await.into_iter().take(3))
        .await;
    assert_eq!(report.refused(), 3, "{report}");
    assert!(
        report
            .items
            .iter()
            .all(|i| matches!(i.outcome, BulkOutcome::Refused(Error::Forbidden { .. })))
    );
    assert_eq!(
        fake.active_versions("acme", "npm", "tool").unwrap().len(),
        30
    );
}

#[tokio::test]
async fn a_dry_run_sends_nothing_and_says_what_it_would_send() {
    let (fake, tool, ids) = tool_in(seed()).await;
    let report = tool
        .delete_versions(ids.iter().copied().take(3).chain([VersionId::new(-1)]))
        .dry_run(true)
        .await;
    assert!(fake.requests().is_empty(), "{:?}", fake.requests());
    for (item, id) in report.items.iter().zip(&ids).take(3) {
        match &item.outcome {
            BulkOutcome::DryRun { method, url } => {
                assert_eq!(method, "DELETE");
                assert_eq!(
                    url,
                    &format!("{}/orgs/acme/packages/npm/tool/versions/{id}", fake.url())
                );
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(
        matches!(
            report.items[3].outcome,
            BulkOutcome::Failed(Error::InvalidArgument { .. })
        ),
        "a dry run checks like a real run"
    );
    assert!(
        report
            .to_string()
            .starts_with("dry run: 3 would be deleted; 0 deleted")
    );

    let packages = client_with(&fake, TOKEN).packages(Owner::org("acme"));
    let report = packages
        .restore_packages(PackageType::Npm, ["tool"])
        .dry_run(true)
        .await;
    assert!(
        matches!(&report.items[0].outcome, BulkOutcome::DryRun { method, url }
            if method == "POST" && url.ends_with("/orgs/acme/packages/npm/tool/restore")),
        "{report:?}"
    );
    assert!(fake.requests().is_empty());
    assert_eq!(
        fake.active_versions("acme", "npm", "tool").unwrap().len(),
        30
    );
}

#[tokio::test]
async fn packages_are_deleted_and_restored_in_bulk() {
    let fake = start(seed()).await;
    let client = client_with(&fake, TOKEN);
    let acme = client.packages(Owner::org("acme"));
    let report = acme
        .delete_packages(PackageType::Npm, ["pair", "spare", "nothing-here"])
        .await;
    assert_eq!((report.done(), report.already_gone()), (2, 1), "{report}");
    assert!(report.is_success());
    for name in ["pair", "spare"] {
        let gone = package(&client, name).get().await.unwrap_err();
        assert!(gone.is_not_found(), "{name}: {gone}");
    }

    let report = acme
        .restore_packages(PackageType::Npm, ["pair", "spare"])
        .await;
    assert_eq!(report.done(), 2, "{report}");
    assert_eq!(
        fake.active_versions("acme", "npm", "pair").unwrap().len(),
        2
    );
}

#[tokio::test]
async fn versions_are_restored_in_bulk() {
    let (fake, tool, ids) = tool_in(seed()).await;
    let ids = ids[..5].to_vec();
    assert_eq!(tool.delete_versions(ids.clone()).await.done(), 5);
    assert_eq!(
        fake.active_versions("acme", "npm", "tool").unwrap().len(),
        25
    );
    let report = tool.restore_versions(ids).await;
    assert_eq!(
        report.to_string(),
        "5 restored, 0 already gone, 0 refused, 0 failed, 0 not attempted"
    );
    assert_eq!(
        fake.active_versions("acme", "npm", "tool").unwrap().len(),
        30
    );
}

#[tokio::test]
async fn stop_on_failure_stops_starting_requests() {
    let (fake, tool, ids) = tool_in(seed()).await;
    let report = tool
        .delete_versions([ids[0], VersionId::new(0), ids[1], ids[2]])
        .concurrency(1)
        .stop_on_failure()
        .await;
    assert_eq!(
        report.to_string(),
        "1 deleted, 0 already gone, 0 refused, 1 failed, 2 not attempted"
    );
    assert_eq!(fake.requests().len(), 1);
}

/// Whether the fake agrees with the report: done items are gone, items not
/// attempted are still there.
fn assert_report_matches_fake(fake: &Fake, report: &BulkReport, names: &[(VersionId, String)]) {
    let active = fake.active_versions("acme", "npm", "tool").unwrap();
    for item in &report.items {
        let name = &names[item.index].1;
        match item.outcome {
            BulkOutcome::Done => assert!(!active.contains(name), "{name} was reported deleted"),
            BulkOutcome::NotAttempted => assert!(active.contains(name), "{name} was not attempted"),
            ref other => panic!("{name}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn stop_when_finishes_what_is_in_flight_and_reports_the_rest() {
    let faults = FaultsSeed {
        latency_ms: 40,
        ..FaultsSeed::default()
    };
    let fake = start(seed().faults(faults)).await;
    let client = client_with(&fake, TOKEN);
    let tool = package(&client, "tool");
    let names: Vec<(VersionId, String)> = versions(&tool).await.into_iter().take(20).collect();
    fake.clear_requests();

    let report = tool
        .delete_versions(names.iter().map(|(id, _)| *id))
        .concurrency(2)
        .stop_when(tokio::time::sleep(Duration::from_millis(100)))
        .await;
    assert_eq!(report.items.len(), 20);
    assert!(
        report.done() >= 1 && report.not_attempted() >= 1,
        "{report}"
    );
    assert_eq!(report.done() + report.not_attempted(), 20, "{report}");
    assert_report_matches_fake(&fake, &report, &names);
    // Nothing more arrives after the report.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(fake.requests().len(), report.done());
}

#[tokio::test]
async fn dropping_the_stream_starts_no_more_requests() {
    let faults = FaultsSeed {
        latency_ms: 20,
        ..FaultsSeed::default()
    };
    let (fake, tool, ids) = tool_in(seed().faults(faults)).await;
    let ids = &ids[..20];

    let seen: Vec<_> = tool
        .delete_versions(ids.iter().copied())
        .concurrency(3)
        .stream()
        .take(4)
        .collect()
        .await;
    assert!(seen.iter().all(|i| i.outcome.is_done()));
    // Four finished, at most three were in flight when it was dropped.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let sent = fake.requests().len();
    assert!((4..=7).contains(&sent), "{sent} deletions sent");
    assert!(fake.active_versions("acme", "npm", "tool").unwrap().len() >= 30 - 7);
}

#[tokio::test]
async fn a_stop_that_came_before_the_run_sends_nothing() {
    let (fake, tool, ids) = tool_in(seed()).await;
    let report = tool
        .delete_versions(ids[..5].iter().copied())
        .stop_when(std::future::ready(()))
        .await;
    assert_eq!(
        report.to_string(),
        "0 deleted, 0 already gone, 0 refused, 0 failed, 5 not attempted"
    );
    assert!(fake.requests().is_empty(), "{:?}", fake.requests());
}

#[tokio::test]
async fn a_stop_holds_back_requests_waiting_for_the_throttle() {
    let fake = start(seed()).await;
    // Ten points a minute: two deletions, then a wait of a minute.
    let client = Client::builder()
        .token(TOKEN)
        .base_url(fake.url())
        .throttle(Throttle::new().points(10, Duration::from_secs(60)))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let tool = package(&client, "tool");
    let names: Vec<(VersionId, String)> = versions(&tool).await.into_iter().take(6).collect();
    fake.clear_requests();

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let run = tool
        .delete_versions(names.iter().map(|(id, _)| *id))
        .concurrency(6)
        .stop_when(async move {
            let _ = stopped.await;
        })
        .send_with(move |_| {});
    let run = tokio::spawn(run);
    // Wait until the two deletions the budget allows have been answered.
    while fake
        .requests()
        .iter()
        .filter(|r| r.status.is_some())
        .count()
        < 2
    {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    stop.send(()).unwrap();
    // The four waiting for the budget are not sent: the run ends long
    // before the minute the budget would take (the bound only catches a
    // hang).
    let report = tokio::time::timeout(Duration::from_secs(30), run)
        .await
        .expect("a stop ends the waits")
        .unwrap();
    assert_eq!(
        report.to_string(),
        "2 deleted, 0 already gone, 0 refused, 0 failed, 4 not attempted"
    );
    assert_report_matches_fake(&fake, &report, &names);
    assert_eq!(fake.requests().len(), 2);
}
