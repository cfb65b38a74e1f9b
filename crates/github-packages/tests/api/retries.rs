//! Retries: what is retried, how long the policy waits (recorded, not
//! spent), and that each retry is logged without the token.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use github_packages::{Error, Owner, PackageType, RateLimitKind, RetryPolicy};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::logs::Capture;
use crate::support::{Harness, assert_no_token, version};

async fn fail_then_succeed(
    harness: &Harness,
    verb: &str,
    failure: ResponseTemplate,
    failures: u64,
) {
    Mock::given(method(verb))
        .respond_with(failure)
        .up_to_n_times(failures)
        .with_priority(1)
        .mount(&harness.server)
        .await;
    let success = if verb == "GET" {
        ResponseTemplate::new(200).set_body_json(version(5, &["v1"]))
    } else {
        ResponseTemplate::new(204)
    };
    Mock::given(method(verb))
        .respond_with(success)
        .with_priority(2)
        .mount(&harness.server)
        .await;
}

fn version_ref(harness: &Harness) -> github_packages::VersionRef {
    harness
        .client
        .packages(Owner::org("acme"))
        .package(PackageType::Container, "app")
        .version(5)
}

#[tokio::test]
async fn a_get_that_fails_twice_with_502_then_succeeds() {
    let harness = Harness::new().await;
    fail_then_succeed(
        &harness,
        "GET",
        ResponseTemplate::new(502).set_body_string("<html>502</html>"),
        2,
    )
    .await;

    let version = version_ref(&harness).get().await.unwrap();
    assert_eq!(version.id().get(), 5);
    assert_eq!(harness.requests().await.len(), 3);
    let waits = harness.waits();
    assert_eq!(waits.len(), 2);
    assert!(
        waits[0] >= Duration::from_millis(500) && waits[0] <= Duration::from_secs(1),
        "{waits:?}"
    );
    assert!(
        waits[1] >= Duration::from_secs(1) && waits[1] <= Duration::from_secs(2),
        "{waits:?}"
    );
}

#[tokio::test]
async fn a_delete_answered_500_is_not_retried() {
    let harness = Harness::new().await;
    fail_then_succeed(&harness, "DELETE", ResponseTemplate::new(500), 1).await;
    let error = version_ref(&harness).delete().await.unwrap_err();
    assert!(matches!(error, Error::Server { .. }), "{error:?}");
    assert_eq!(harness.requests().await.len(), 1);
    assert!(harness.waits().is_empty());
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out() {
    let harness = Harness::new().await;
    fail_then_succeed(
        &harness,
        "GET",
        ResponseTemplate::new(429).insert_header("retry-after", "1"),
        1,
    )
    .await;
    version_ref(&harness).get().await.unwrap();
    assert_eq!(harness.waits(), [Duration::from_secs(1)]);
    assert_eq!(harness.requests().await.len(), 2);
}

#[tokio::test]
async fn a_delete_refused_by_a_secondary_rate_limit_is_retried() {
    let harness = Harness::new().await;
    let refusal = ResponseTemplate::new(403)
        .set_body_json(json!({"message": "You have exceeded a secondary rate limit."}))
        .insert_header("retry-after", "3");
    fail_then_succeed(&harness, "DELETE", refusal, 1).await;
    version_ref(&harness).delete().await.unwrap();
    assert_eq!(harness.waits(), [Duration::from_secs(3)]);
    assert_eq!(harness.requests().await.len(), 2);
}

#[tokio::test]
async fn secondary_limits_are_recognised_however_github_signals_them() {
    let signals = [
        (
            "old message, quota left, no Retry-After",
            json!({"message": "You have triggered an abuse detection mechanism. Please wait a few minutes before you try again."}),
            403,
        ),
        (
            "documentation link only",
            json!({"message": "Slow down.", "documentation_url":
                "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits"}),
            403,
        ),
        (
            "429 with the old anchor",
            json!({"message": "Too many requests", "documentation_url": "https://developer.github.com/v3/#abuse-rate-limits"}),
            429,
        ),
    ];
    for (what, body, status) in signals {
        let harness = Harness::new().await;
        let refusal = ResponseTemplate::new(status)
            .set_body_json(body)
            .insert_header("x-ratelimit-limit", "5000")
            .insert_header("x-ratelimit-remaining", "4999")
            .insert_header("x-ratelimit-reset", "1900000000");
        fail_then_succeed(&harness, "DELETE", refusal, 1).await;
        version_ref(&harness)
            .delete()
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(
            harness.waits(),
            [Duration::from_secs(60)],
            "{what}: a secondary limit without Retry-After waits a minute"
        );
        assert_eq!(harness.requests().await.len(), 2, "{what}");
    }
}

#[tokio::test]
async fn a_real_permission_problem_is_not_retried() {
    let harness = Harness::new().await;
    let refusal = ResponseTemplate::new(403)
        .set_body_json(json!({"message": "Must have admin rights to Repository.",
            "documentation_url": "https://docs.github.com/rest/packages/packages#delete-a-package-version"}))
        .insert_header("x-ratelimit-remaining", "4999");
    fail_then_succeed(&harness, "DELETE", refusal, 1).await;
    let error = version_ref(&harness).delete().await.unwrap_err();
    assert!(matches!(error, Error::Forbidden { .. }), "{error:?}");
    assert!(harness.waits().is_empty());
    assert_eq!(harness.requests().await.len(), 1);
}

#[tokio::test]
async fn a_primary_rate_limit_waits_until_the_reset() {
    let harness = Harness::new().await;
    let reset = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 5;
    let exhausted = ResponseTemplate::new(403)
        .set_body_json(json!({"message": "API rate limit exceeded"}))
        .insert_header("x-ratelimit-limit", "5000")
        .insert_header("x-ratelimit-remaining", "0")
        .insert_header("x-ratelimit-reset", reset.to_string().as_str());
    fail_then_succeed(&harness, "GET", exhausted, 1).await;
    version_ref(&harness).get().await.unwrap();
    let waits = harness.waits();
    assert_eq!(waits.len(), 1);
    assert!(
        waits[0] >= Duration::from_secs(4) && waits[0] <= Duration::from_secs(6),
        "{waits:?}"
    );
}

#[tokio::test]
async fn a_spent_quota_is_the_primary_limit_whatever_its_documentation_link_says() {
    let harness = Harness::new().await;
    let reset = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 5;
    let exhausted = ResponseTemplate::new(429)
        .set_body_json(json!({"message": "API rate limit exceeded for user ID 1.",
            "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#abuse-rate-limits"}))
        .insert_header("x-ratelimit-remaining", "0")
        .insert_header("x-ratelimit-reset", reset.to_string().as_str());
    fail_then_succeed(&harness, "GET", exhausted, 1).await;
    version_ref(&harness).get().await.unwrap();
    // Until the reset, not a secondary limit's minute.
    let waits = harness.waits();
    assert_eq!(waits.len(), 1, "{waits:?}");
    assert!(
        waits[0] >= Duration::from_secs(4) && waits[0] <= Duration::from_secs(6),
        "{waits:?}"
    );
}

#[tokio::test]
async fn a_rate_limit_beyond_the_wait_budget_is_returned_at_once() {
    let harness = Harness::new().await;
    fail_then_succeed(
        &harness,
        "GET",
        ResponseTemplate::new(429).insert_header("retry-after", "600"),
        1,
    )
    .await;
    let error = version_ref(&harness).get().await.unwrap_err();
    assert!(matches!(error, Error::RateLimited { .. }), "{error:?}");
    assert!(harness.waits().is_empty());
    assert_eq!(harness.requests().await.len(), 1);
}

/// Asks `harness`'s client for version `id` of the image.
async fn get_version(harness: &Harness, id: i64) -> Result<github_packages::PackageVersion, Error> {
    harness
        .client
        .packages(Owner::org("acme"))
        .package(PackageType::Container, "app")
        .version(id)
        .get()
        .await
}

/// Version `id` answers with `answer`.
async fn answer_for(harness: &Harness, id: i64, answer: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(format!(
            "/orgs/acme/packages/container/app/versions/{id}"
        )))
        .respond_with(answer)
        .mount(&harness.server)
        .await;
}

/// Version 1 answers 429 with `Retry-After: 999999`, version 2 succeeds.
async fn huge_retry_after_on_1_and_2_fine(harness: &Harness) {
    answer_for(
        harness,
        1,
        ResponseTemplate::new(429).insert_header("retry-after", "999999"),
    )
    .await;
    answer_for(
        harness,
        2,
        ResponseTemplate::new(200).set_body_json(version(2, &[])),
    )
    .await;
}

fn unsent_for_a_pause(error: &Error) -> bool {
    matches!(
        error,
        Error::RateLimited { kind: RateLimitKind::Secondary, retry_after: Some(left), .. }
            if *left > Duration::from_secs(999_000)
    )
}

#[tokio::test]
async fn a_huge_retry_after_fails_the_clients_next_requests_at_once_unsent() {
    let harness = Harness::new().await;
    huge_retry_after_on_1_and_2_fine(&harness).await;
    let first = get_version(&harness, 1).await.unwrap_err();
    assert!(matches!(first, Error::RateLimited { .. }), "{first:?}");
    for _ in 0..3 {
        let error = get_version(&harness, 2).await.unwrap_err();
        assert!(unsent_for_a_pause(&error), "{error:?}");
        assert!(
            matches!(&error, Error::RateLimited { message: Some(m), .. } if m.starts_with("not sent")),
            "{error:?}"
        );
    }
    assert_eq!(harness.requests().await.len(), 1, "only the first was sent");
    assert!(
        harness.waits().is_empty(),
        "nothing waited: {:?}",
        harness.waits()
    );
}

#[tokio::test]
async fn a_pause_past_the_wait_budget_ends_after_the_budget() {
    let budget = Duration::from_millis(300);
    let harness = Harness::with_retry(RetryPolicy::new().max_total_wait(budget), |b| b).await;
    huge_retry_after_on_1_and_2_fine(&harness).await;
    assert!(get_version(&harness, 1).await.is_err());
    let error = get_version(&harness, 2).await.unwrap_err();
    assert!(unsent_for_a_pause(&error), "{error:?}");
    tokio::time::sleep(budget + Duration::from_millis(100)).await;
    get_version(&harness, 2).await.expect("the pause is over");
    assert_eq!(harness.requests().await.len(), 2);
}

#[tokio::test]
async fn a_success_ends_a_pause_past_the_wait_budget() {
    let harness = Harness::new().await;
    // Version 3 answers slowly: it is in flight when the pause begins.
    answer_for(
        &harness,
        3,
        ResponseTemplate::new(200)
            .set_body_json(version(3, &[]))
            .set_delay(Duration::from_secs(2)),
    )
    .await;
    huge_retry_after_on_1_and_2_fine(&harness).await;
    let slow = tokio::spawn({
        let client = harness.client.clone();
        async move {
            client
                .packages(Owner::org("acme"))
                .package(PackageType::Container, "app")
                .version(3)
                .get()
                .await
        }
    });
    while harness.requests().await.is_empty() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(get_version(&harness, 1).await.is_err());
    let error = get_version(&harness, 2).await.unwrap_err();
    assert!(unsent_for_a_pause(&error), "{error:?}");
    slow.await.unwrap().expect("sent before the pause");
    get_version(&harness, 2)
        .await
        .expect("GitHub answered: the pause is over");
    assert_eq!(harness.requests().await.len(), 3);
}

#[tokio::test]
async fn retries_can_be_turned_off() {
    let harness = Harness::with_retry(RetryPolicy::none(), |b| b).await;
    fail_then_succeed(&harness, "GET", ResponseTemplate::new(503), 1).await;
    assert!(version_ref(&harness).get().await.is_err());
    assert_eq!(harness.requests().await.len(), 1);
}

#[tokio::test]
async fn attempts_are_bounded() {
    let harness = Harness::with_retry(RetryPolicy::new().max_attempts(3), |b| b).await;
    fail_then_succeed(&harness, "GET", ResponseTemplate::new(503), 10).await;
    let error = version_ref(&harness).get().await.unwrap_err();
    assert!(matches!(error, Error::Server { .. }), "{error:?}");
    assert_eq!(harness.requests().await.len(), 3);
    assert_eq!(harness.waits().len(), 2);
}

#[tokio::test]
async fn connection_errors_are_retried_for_gets_only() {
    let waits: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let recorded = Arc::clone(&waits);
    let client = github_packages::Client::builder()
        .token(crate::support::TOKEN)
        .base_url(crate::support::REFUSING)
        .retry(RetryPolicy::new().sleep_with(move |wait| {
            recorded.lock().unwrap().push(wait);
            std::future::ready(())
        }))
        .build()
        .unwrap();
    let version = client
        .packages(Owner::org("acme"))
        .package(PackageType::Npm, "p")
        .version(1);
    assert!(matches!(version.get().await, Err(Error::Transport { .. })));
    assert_eq!(waits.lock().unwrap().len(), 3, "four attempts");
    waits.lock().unwrap().clear();
    assert!(matches!(
        version.delete().await,
        Err(Error::Transport { .. })
    ));
    assert!(
        waits.lock().unwrap().is_empty(),
        "a DELETE may have happened; not repeated"
    );
}

#[tokio::test]
async fn the_default_sleep_really_waits() {
    let server = wiremock::MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(version(5, &[])))
        .mount(&server)
        .await;
    let client = github_packages::Client::builder()
        .base_url(server.uri())
        .build()
        .unwrap();
    let version = client
        .packages(Owner::org("acme"))
        .package(PackageType::Npm, "p")
        .version(5);
    assert_eq!(version.get().await.unwrap().id().get(), 5);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn each_retry_is_logged_without_the_token() {
    let capture = Capture::start();
    let harness = Harness::new().await;
    fail_then_succeed(&harness, "GET", ResponseTemplate::new(502), 2).await;
    version_ref(&harness).get().await.unwrap();

    let events = capture.lines();
    let retries: Vec<&String> = events
        .iter()
        .filter(|e| e.contains("retrying GitHub request"))
        .collect();
    assert_eq!(retries.len(), 2, "{events:#?}");
    for event in &retries {
        assert!(event.starts_with("WARN "), "{event}");
        assert!(
            event.contains("operation=\"packages/get-package-version-for-organization\""),
            "{event}"
        );
        assert!(event.contains("502"), "{event}");
    }
    for event in &events {
        assert_no_token(event);
    }
}
