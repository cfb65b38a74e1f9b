//! Faults: latency, 5xx answers (an HTML 502 among them), dropped
//! connections, slow bodies; the same seed gives the same faults.

use std::time::{Duration, Instant};

use github_packages_fake::{FaultsSeed, LimitsSeed, PackageSeed, Seed, TokenSeed};

use crate::support::{ALICE, get, http, start};

fn seed(faults: FaultsSeed) -> Seed {
    Seed::new()
        .org("acme", ["alice"])
        .token(TokenSeed::all_scopes(ALICE, "alice"))
        .package(PackageSeed::new("acme", "npm", "p").versions(2))
        .limits(LimitsSeed::off())
        .faults(faults)
}

#[tokio::test]
async fn latency_delays_every_answer() {
    let fake = start(seed(FaultsSeed {
        latency_ms: 120,
        ..FaultsSeed::default()
    }))
    .await;
    let started = Instant::now();
    assert_eq!(
        get(&fake, "/orgs/acme/packages/npm/p", Some(ALICE))
            .await
            .status,
        200
    );
    assert!(started.elapsed() >= Duration::from_millis(120));
}

#[tokio::test]
async fn server_errors_come_as_json_or_an_html_page_deterministically() {
    let faults = FaultsSeed {
        seed: 9,
        server_errors: 0.5,
        ..FaultsSeed::default()
    };
    let run = |faults: FaultsSeed| async move {
        let fake = start(seed(faults)).await;
        let mut seen = Vec::new();
        for _ in 0..40 {
            let answer = get(&fake, "/orgs/acme/packages/npm/p", Some(ALICE)).await;
            seen.push((
                answer.status,
                answer.header("content-type").map(str::to_owned),
            ));
        }
        seen
    };
    let first = run(faults.clone()).await;
    assert_eq!(first, run(faults).await, "same seed, same faults");
    assert!(
        first.contains(&(502, Some("text/html".to_owned()))),
        "{first:?}"
    );
    assert!(first.iter().any(|(s, _)| *s == 500));
    assert!(first.iter().any(|(s, _)| *s == 200));
}

#[tokio::test]
async fn dropped_connections_get_no_answer() {
    let fake = start(seed(FaultsSeed {
        seed: 3,
        dropped: 1.0,
        ..FaultsSeed::default()
    }))
    .await;
    let error = http()
        .get(format!("{}/orgs/acme/packages/npm/p", fake.url()))
        .bearer_auth(ALICE)
        .send()
        .await
        .unwrap_err();
    assert!(!error.is_timeout(), "{error}");
    assert_eq!(fake.requests()[0].status, None, "logged as dropped");
}

#[tokio::test]
async fn slow_bodies_trickle() {
    let fake = start(seed(FaultsSeed {
        slow_body_ms: 5,
        ..FaultsSeed::default()
    }))
    .await;
    let started = Instant::now();
    let answer = get(&fake, "/orgs/acme/packages/npm/p", Some(ALICE)).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["name"], "p", "the whole body arrives");
    assert!(
        started.elapsed() >= Duration::from_millis(100),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_busy_registry_refuses_the_next_requests_with_429_and_then_answers() {
    let fake = start(seed(FaultsSeed {
        registry_busy: 2,
        ..FaultsSeed::default()
    }))
    .await;
    for _ in 0..2 {
        let busy = get(&fake, "/v2/", None).await;
        assert_eq!(busy.status, 429);
        assert_eq!(busy.header("retry-after"), Some("1"));
        assert_eq!(busy.body["errors"][0]["code"], "TOOMANYREQUESTS");
    }
    // The REST API is not the registry: it was never refused.
    let rest = get(&fake, "/orgs/acme/packages/npm/p", Some(ALICE)).await;
    assert_eq!(rest.status, 200);
    assert_eq!(get(&fake, "/v2/", None).await.status, 401);
}
