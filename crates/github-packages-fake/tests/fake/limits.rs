//! Rate limits as GitHub applies them, on a compressed clock.

use std::time::Duration;

use github_packages_fake::{
    FaultsSeed, LimitStats, LimitsSeed, PackageSeed, SECONDARY_MESSAGE, Seed, TokenSeed,
};

use crate::support::{ALICE, get, send, start};

fn seed(limits: LimitsSeed) -> Seed {
    Seed::new()
        .org("acme", ["alice"])
        .token(TokenSeed::all_scopes(ALICE, "alice"))
        .package(PackageSeed::new("acme", "npm", "p").versions(40))
        .limits(limits)
}

async fn ids(fake: &github_packages_fake::Fake) -> Vec<u64> {
    let list = get(
        fake,
        "/orgs/acme/packages/npm/p/versions?per_page=100",
        Some(ALICE),
    )
    .await;
    list.body
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn every_answer_carries_the_primary_quota_and_it_runs_out() {
    let fake = start(seed(LimitsSeed {
        primary: 3,
        ..LimitsSeed::off()
    }))
    .await;
    let first = get(&fake, "/orgs/acme/packages/npm/p", Some(ALICE)).await;
    assert_eq!(first.header("x-ratelimit-limit"), Some("3"));
    assert_eq!(first.header("x-ratelimit-remaining"), Some("2"));
    assert_eq!(first.header("x-ratelimit-used"), Some("1"));
    assert_eq!(first.header("x-ratelimit-resource"), Some("core"));
    let reset: i64 = first.header("x-ratelimit-reset").unwrap().parse().unwrap();
    let now = chrono::Utc::now().timestamp();
    assert!(
        (now + 3500..=now + 3601).contains(&reset),
        "{reset} vs {now}"
    );
    get(&fake, "/orgs/acme/packages/npm/p", Some(ALICE)).await;
    get(&fake, "/orgs/acme/packages/npm/p", Some(ALICE)).await;
    let spent = get(&fake, "/orgs/acme/packages/npm/p", Some(ALICE)).await;
    assert_eq!(spent.status, 403);
    assert_eq!(spent.header("x-ratelimit-remaining"), Some("0"));
    assert_eq!(
        fake.limit_stats(),
        LimitStats {
            primary: 1,
            secondary: 0
        }
    );
}

#[tokio::test]
async fn deletions_spend_five_points_of_a_budget_per_endpoint() {
    let fake = start(seed(LimitsSeed {
        points_per_minute: 12,
        ..LimitsSeed::off()
    }))
    .await;
    let ids = ids(&fake).await;
    for id in &ids[..2] {
        let path = format!("/orgs/acme/packages/npm/p/versions/{id}");
        assert_eq!(send(&fake, "DELETE", &path, Some(ALICE)).await.status, 204);
    }
    let path = format!("/orgs/acme/packages/npm/p/versions/{}", ids[2]);
    let refused = send(&fake, "DELETE", &path, Some(ALICE)).await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.body["message"], SECONDARY_MESSAGE);
    assert!(
        refused.body["documentation_url"]
            .as_str()
            .unwrap()
            .ends_with("#about-secondary-rate-limits")
    );
    let retry: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((55..=60).contains(&retry), "{retry}");
    assert_eq!(
        get(&fake, "/orgs/acme/packages/npm/p", Some(ALICE))
            .await
            .status,
        200,
        "another endpoint"
    );
    assert_eq!(fake.limit_stats().secondary, 1);
}

#[tokio::test]
async fn a_compressed_clock_makes_a_minute_pass_in_a_fraction_of_a_second() {
    let limits = LimitsSeed {
        points_per_minute: 10,
        ..LimitsSeed::off()
    };
    // A fake minute lasts a real second: long enough for three requests on
    // a busy machine, short enough for a test.
    let fake = start(seed(limits).clock(None, 60.0)).await;
    let ids = ids(&fake).await;
    let delete = |id: u64| format!("/orgs/acme/packages/npm/p/versions/{id}");
    assert_eq!(
        send(&fake, "DELETE", &delete(ids[0]), Some(ALICE))
            .await
            .status,
        204
    );
    assert_eq!(
        send(&fake, "DELETE", &delete(ids[1]), Some(ALICE))
            .await
            .status,
        204
    );
    let refused = send(&fake, "DELETE", &delete(ids[2]), Some(ALICE)).await;
    assert_eq!(refused.status, 403);
    assert_eq!(
        refused.header("retry-after"),
        Some("1"),
        "the rest of the fake minute, in real seconds, rounded up"
    );
    tokio::time::sleep(Duration::from_millis(1050)).await;
    assert_eq!(
        send(&fake, "DELETE", &delete(ids[2]), Some(ALICE))
            .await
            .status,
        204
    );
}

#[tokio::test]
async fn more_than_the_concurrency_cap_in_flight_is_a_secondary_limit() {
    let limits = LimitsSeed {
        concurrency: 2,
        ..LimitsSeed::off()
    };
    let fake = start(seed(limits).faults(FaultsSeed {
        latency_ms: 300,
        ..FaultsSeed::default()
    }))
    .await;
    let requests = (0..3).map(|_| get(&fake, "/orgs/acme/packages/npm/p", Some(ALICE)));
    let answers = futures::future::join_all(requests).await;
    let mut statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 200, 403]);
    assert_eq!(fake.limit_stats().secondary, 1);
}

#[tokio::test]
async fn limits_can_be_turned_off() {
    let fake = start(seed(LimitsSeed::off())).await;
    let answer = get(&fake, "/orgs/acme/packages/npm/p", Some(ALICE)).await;
    assert!(answer.header("x-ratelimit-limit").is_none());
    for _ in 0..50 {
        assert_eq!(
            get(&fake, "/orgs/acme/packages/npm/p", Some(ALICE))
                .await
                .status,
            200
        );
    }
}
