//! A broken or hostile server, a proxy that misbehaves, a careless caller:
//! no false success, no leaked secret, nothing unbounded. A second mock
//! server plays "another origin"; the tokens are canaries.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use futures::StreamExt;
use github_packages::{
    BulkOutcome, Client, Error, Owner, PackageType, RedirectReason, RetryPolicy, VersionId,
    VersionRef,
};
use reqwest::StatusCode;
use reqwest::header::HeaderValue;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::logs::Capture;
use crate::support::{Harness, TOKEN, assert_no_token, endless_server, everything_shown, version};

/// The package token of a restore; like the client's, it must never show.
const RESTORE_TOKEN: &str = "pkgtok_CANARY_restore_7f3a9c";

const VERSION: &str = "/orgs/acme/packages/container/app/versions/5";

fn version_ref(client: &Client) -> VersionRef {
    client
        .packages(Owner::org("acme"))
        .package(PackageType::Container, "app")
        .version(5)
}

fn assert_no_secret(text: &str) {
    assert_no_token(text);
    assert!(
        !text.contains(RESTORE_TOKEN),
        "the restore token leaked: {text}"
    );
    assert!(
        !text.contains("CANARY_restore"),
        "part of the restore token leaked: {text}"
    );
}

async fn other_origin() -> MockServer {
    let other = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(204).set_body_json(version(5, &[])))
        .mount(&other)
        .await;
    other
}

// 1. Redirects never fake a success.

#[tokio::test]
async fn a_delete_is_never_redirected() {
    for status in [301, 302, 303, 307, 308] {
        let harness = Harness::with_retry(RetryPolicy::none(), |b| b).await;
        let other = other_origin().await;
        for (to, server) in [("/moved", harness.server.uri()), ("/gone", other.uri())] {
            Mock::given(method("DELETE"))
                .and(path(VERSION))
                .respond_with(
                    ResponseTemplate::new(status)
                        .insert_header("location", format!("{server}{to}")),
                )
                .up_to_n_times(1)
                .mount(&harness.server)
                .await;
            Mock::given(path("/moved"))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
                .mount(&harness.server)
                .await;

            let error = version_ref(&harness.client).delete().await.unwrap_err();
            assert!(
                matches!(
                    &error,
                    Error::Redirected { reason: RedirectReason::Mutation, status: s, .. } if s.as_u16() == status
                ),
                "{status} to {to}: {error:?}"
            );
            assert!(
                error.to_string().contains("not following the redirect"),
                "{error}"
            );
        }
        let paths: Vec<String> = harness
            .requests()
            .await
            .iter()
            .map(|r| r.url.path().to_owned())
            .collect();
        assert_eq!(paths, [VERSION, VERSION], "{status}: nothing followed");
        assert!(
            other.received_requests().await.unwrap().is_empty(),
            "{status}: the other origin saw nothing"
        );
    }
}

#[tokio::test]
async fn a_restore_is_never_redirected() {
    let harness = Harness::with_retry(RetryPolicy::none(), |b| b).await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", "/elsewhere"))
        .mount(&harness.server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&harness.server)
        .await;
    let package = harness
        .client
        .packages(Owner::org("acme"))
        .package(PackageType::Npm, "p");
    let error = package.restore().token(RESTORE_TOKEN).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Redirected {
                reason: RedirectReason::Mutation,
                ..
            }
        ),
        "{error:?}"
    );
    assert_no_secret(&everything_shown(&error));
    assert_eq!(harness.requests().await.len(), 1);
}

#[tokio::test]
async fn a_get_follows_redirects_within_the_origin_only() {
    let harness = Harness::new().await;
    let other = other_origin().await;
    // A renamed owner: GitHub redirects within the API.
    Mock::given(path("/orgs/old-name/packages/container/app/versions/5"))
        .respond_with(ResponseTemplate::new(301).insert_header("location", VERSION))
        .mount(&harness.server)
        .await;
    Mock::given(path(VERSION))
        .respond_with(ResponseTemplate::new(200).set_body_json(version(5, &["v1"])))
        .mount(&harness.server)
        .await;
    Mock::given(path("/orgs/leaves/packages/container/app/versions/5"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", format!("{}{VERSION}", other.uri())),
        )
        .mount(&harness.server)
        .await;

    let followed = harness
        .client
        .packages(Owner::org("old-name"))
        .package(PackageType::Container, "app")
        .version(5)
        .get()
        .await
        .unwrap();
    assert_eq!(followed.tags(), ["v1"]);
    let requests = harness.requests().await;
    assert_eq!(requests.len(), 2);
    assert!(
        requests[1].headers.get("authorization").is_some(),
        "same origin keeps the token"
    );

    let error = harness
        .client
        .packages(Owner::org("leaves"))
        .package(PackageType::Container, "app")
        .version(5)
        .get()
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Redirected {
                reason: RedirectReason::OtherOrigin,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains(&other.uri()), "{error}");
    assert!(
        other.received_requests().await.unwrap().is_empty(),
        "not followed, with or without the token"
    );
}

#[tokio::test]
async fn a_redirect_loop_is_cut_short() {
    let harness = Harness::with_retry(RetryPolicy::none(), |b| b).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", VERSION))
        .mount(&harness.server)
        .await;
    let error = version_ref(&harness.client).get().await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Redirected {
                reason: RedirectReason::TooMany,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        harness.requests().await.len(),
        6,
        "the request and 5 redirects"
    );
}

#[tokio::test]
async fn a_callers_client_that_follows_redirects_cannot_fake_a_deletion() {
    // The caller's reqwest::Client keeps reqwest's default policy and
    // follows the DELETE's 302 itself; the landing page's 2xx would read as
    // "deleted".
    let harness = Harness::with_retry(RetryPolicy::none(), |b| {
        let follows = github_packages::http_client_builder()
            .unwrap()
            .redirect(reqwest::redirect::Policy::default());
        b.http_client(follows.build().unwrap())
    })
    .await;
    Mock::given(method("DELETE"))
        .and(path(VERSION))
        .respond_with(ResponseTemplate::new(302).insert_header("location", "/landing"))
        .mount(&harness.server)
        .await;
    Mock::given(path("/landing"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&harness.server)
        .await;
    let error = version_ref(&harness.client).delete().await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Redirected {
                reason: RedirectReason::FollowedByHttpClient,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn requests_in_one_task_keep_what_each_saw() {
    // One generated client serves every request; each attempt's refusal and
    // dry run must stay its own while they interleave in one task.
    let harness = Harness::with_retry(RetryPolicy::none(), |b| b).await;
    let redirected = "/orgs/acme/packages/container/app/versions/6";
    Mock::given(method("DELETE"))
        .and(path(redirected))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", "/landing")
                .set_delay(Duration::from_millis(50)),
        )
        .mount(&harness.server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(VERSION))
        .respond_with(ResponseTemplate::new(204).set_delay(Duration::from_millis(10)))
        .mount(&harness.server)
        .await;
    let package = harness
        .client
        .packages(Owner::org("acme"))
        .package(PackageType::Container, "app");
    let (six, five) = (package.version(6), package.version(5));
    let (refused, deleted, planned) = tokio::join!(
        six.delete(),
        five.delete(),
        package
            .delete_versions([VersionId::new(7)])
            .dry_run(true)
            .into_future(),
    );
    assert!(
        matches!(
            refused,
            Err(Error::Redirected {
                reason: RedirectReason::Mutation,
                ..
            })
        ),
        "{refused:?}"
    );
    assert!(deleted.is_ok(), "{deleted:?}");
    assert!(
        matches!(
            &planned.items[0].outcome,
            BulkOutcome::DryRun { url, .. } if url.ends_with("/packages/container/app/versions/7")
        ),
        "{planned:?}"
    );
    let mut paths: Vec<String> = harness
        .requests()
        .await
        .iter()
        .map(|r| r.url.path().to_owned())
        .collect();
    paths.sort();
    assert_eq!(paths, [VERSION, redirected], "the dry run sent nothing");
}

// 2. No secret in any output.

#[tokio::test]
async fn transport_errors_of_a_restore_never_show_the_tokens() {
    let client = Client::builder()
        .token(TOKEN)
        .base_url(crate::support::REFUSING)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let package = client
        .packages(Owner::org("acme"))
        .package(PackageType::Npm, "p");
    let connect = package.restore().token(RESTORE_TOKEN).await.unwrap_err();
    assert!(matches!(connect, Error::Transport { .. }), "{connect:?}");
    assert_no_secret(&everything_shown(&connect));

    let slow = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(204).set_delay(Duration::from_secs(5)))
        .mount(&slow)
        .await;
    let client = Client::builder()
        .token(TOKEN)
        .base_url(slow.uri())
        .timeout(Duration::from_millis(100))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let timeout = client
        .packages(Owner::org("acme"))
        .package(PackageType::Npm, "p")
        .restore()
        .token(RESTORE_TOKEN)
        .await
        .unwrap_err();
    assert!(matches!(timeout, Error::Transport { .. }), "{timeout:?}");
    assert_no_secret(&everything_shown(&timeout));
}

/// Answers with everything the request carried: its URL (with the restore
/// token) and its `Authorization` header, in the body and the headers.
fn echo(status: u16, html: bool) -> impl Fn(&Request) -> ResponseTemplate + Send + Sync {
    move |request: &Request| {
        let authorization = request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let quoted = format!("{} {} with {authorization}", request.method, request.url);
        let answer = ResponseTemplate::new(status)
            .insert_header("x-oauth-scopes", quoted.as_str())
            .insert_header("x-accepted-oauth-scopes", quoted.as_str())
            .insert_header("location", quoted.as_str());
        if html {
            answer.set_body_raw(format!("<html><pre>{quoted}</pre></html>"), "text/html")
        } else {
            answer.set_body_json(json!({
                "message": format!("Bad request: {quoted}"),
                "documentation_url": quoted,
                "errors": [{"message": quoted}],
            }))
        }
    }
}

#[tokio::test]
async fn echoed_tokens_are_scrubbed_from_errors_and_logs() {
    let capture = Capture::start();
    for status in [301, 400, 401, 403, 404, 409, 418, 422, 429, 500, 502] {
        for html in [false, true] {
            let harness = Harness::new().await;
            Mock::given(wiremock::matchers::any())
                .respond_with(echo(status, html))
                .mount(&harness.server)
                .await;
            let package = harness
                .client
                .packages(Owner::org("acme"))
                .package(PackageType::Npm, "p");
            let restore = package.restore().token(RESTORE_TOKEN).await.unwrap_err();
            let get = package.versions().await.unwrap_err();
            for error in [&restore, &get] {
                let shown = everything_shown(error);
                assert_no_secret(&shown);
                assert!(
                    shown.contains("[redacted]") || status == 301,
                    "{status} {html}: the echo was kept, scrubbed: {shown}"
                );
            }
        }
    }
    let lines = capture.lines();
    assert!(
        lines.iter().any(|l| l.contains("retrying GitHub request")),
        "{lines:#?}"
    );
    for line in &lines {
        assert_no_secret(line);
    }
}

#[tokio::test]
async fn a_token_in_a_body_that_does_not_decode_is_scrubbed() {
    let harness = Harness::new().await;
    let mut listing = vec![version(1, &[]), version(2, &[])];
    listing[1]["id"] = json!(TOKEN);
    listing[1][TOKEN] = json!({"nested": true});
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(listing))
        .mount(&harness.server)
        .await;
    let error = version_ref(&harness.client)
        .get()
        .await
        .map(drop)
        .unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    assert_no_secret(&everything_shown(&error));
}

// 3. Bounded reading.

#[tokio::test]
async fn an_endless_error_body_is_read_only_up_to_its_cap() {
    for (verb, head) in [
        ("GET", "HTTP/1.1 404 Not Found"),
        ("DELETE", "HTTP/1.1 401 Unauthorized"),
        ("GET", "HTTP/1.1 418 I'm a teapot"),
    ] {
        let (url, written) = endless_server(head).await;
        let client = Client::builder()
            .token(TOKEN)
            .base_url(url)
            .retry(RetryPolicy::none())
            .build()
            .unwrap();
        let package = client
            .packages(Owner::org("acme"))
            .package(PackageType::Npm, "p");
        let started = Instant::now();
        let error = match verb {
            "GET" => package.versions().await.map(drop).unwrap_err(),
            _ => package.version(1).delete().await.unwrap_err(),
        };
        assert!(started.elapsed() < Duration::from_secs(10), "{head}");
        let expected = &head["HTTP/1.1 ".len().."HTTP/1.1 ".len() + 3];
        assert_eq!(
            error.status().map(|s| s.as_u16().to_string()),
            Some(expected.to_owned()),
            "{error:?}"
        );
        assert!(
            error.to_string().len() < 2048,
            "{head}: {} bytes",
            error.to_string().len()
        );
        // The server stops writing once the client hangs up.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let settled = written.load(Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(
            written.load(Ordering::Relaxed),
            settled,
            "{head}: still reading"
        );
    }
}

#[tokio::test]
async fn a_successful_body_over_the_limit_is_an_error() {
    let (url, _) = endless_server("HTTP/1.1 200 OK\r\nContent-Type: application/json").await;
    let client = Client::builder()
        .base_url(url)
        .max_body_size(256 * 1024)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let error = version_ref(&client).get().await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::TooLarge {
                limit: 262_144,
                status: StatusCode::OK,
                ..
            }
        ),
        "{error:?}"
    );

    let harness = Harness::with(|b| b.max_body_size(1000)).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(vec![version(1, &["a"]); 40]))
        .mount(&harness.server)
        .await;
    let error = harness
        .client
        .packages(Owner::org("acme"))
        .package(PackageType::Container, "app")
        .versions()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::TooLarge { .. }), "{error:?}");
    assert_eq!(harness.requests().await.len(), 1, "not retried");
}

// 4. Server text in errors is bounded and inert.

#[tokio::test]
async fn server_text_cannot_forge_lines_or_flood_messages() {
    let harness = Harness::with_retry(RetryPolicy::none(), |b| b).await;
    // Long, but within the 64 KiB read for error bodies, so it is parsed.
    let forged = format!(
        "nope\r\n2026-11-21T00:00:00Z INFO all packages deleted\u{1b}[2J\u{7}{}",
        "A".repeat(20_000)
    );
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "message": forged, "documentation_url": forged
        })))
        .mount(&harness.server)
        .await;
    let error = version_ref(&harness.client).get().await.unwrap_err();
    let Error::Forbidden {
        message: Some(message),
        documentation_url: Some(url),
        ..
    } = &error
    else {
        panic!("{error:?}")
    };
    for text in [message, url, &error.to_string()] {
        assert!(!text.contains(['\r', '\n', '\u{1b}', '\u{7}']), "{text:?}");
    }
    assert!(message.len() <= 1024 + 3, "{}", message.len());
    assert!(
        error.to_string().len() < 3000,
        "{}",
        error.to_string().len()
    );
    assert!(
        message.starts_with("nope\\r\\n2026-11-21T00:00:00Z INFO"),
        "{message}"
    );
}

// 5. Waiting is bounded and never panics.

#[tokio::test]
async fn retry_after_in_both_forms_on_any_status_within_the_budget() {
    let harness = Harness::new().await;
    let now: chrono::DateTime<chrono::Utc> = std::time::SystemTime::now().into();
    let in_a_minute = (now + chrono::Duration::seconds(61))
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "2"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&harness.server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", in_a_minute.as_str()))
        .up_to_n_times(1)
        .with_priority(2)
        .mount(&harness.server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(version(5, &[])))
        .with_priority(3)
        .mount(&harness.server)
        .await;
    version_ref(&harness.client).get().await.unwrap();
    let waits = harness.waits();
    assert_eq!(waits.len(), 2, "{waits:?}");
    assert_eq!(waits[0], Duration::from_secs(2));
    assert!(
        (Duration::from_secs(59)..=Duration::from_secs(61)).contains(&waits[1]),
        "{waits:?}"
    );
}

#[tokio::test]
async fn huge_negative_or_malformed_retry_after_neither_panics_nor_oversleeps() {
    for values in [
        ["1", "18446744073709551615"],
        ["1", "99999999999999999999999999"],
        ["-5", "-5"],
        ["soon", "Thu, 01 Jan 1970 00:00:00 GMT"],
    ] {
        let harness = Harness::new().await;
        for (i, value) in values.iter().enumerate() {
            Mock::given(method("GET"))
                .respond_with(ResponseTemplate::new(429).insert_header("retry-after", *value))
                .up_to_n_times(1)
                .with_priority(1 + i as u8)
                .mount(&harness.server)
                .await;
        }
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(version(5, &[])))
            .with_priority(10)
            .mount(&harness.server)
            .await;
        let _ = version_ref(&harness.client).get().await;
        let total: Duration = harness.waits().iter().sum();
        assert!(
            total <= Duration::from_secs(120),
            "{values:?}: {:?}",
            harness.waits()
        );
    }
}

// 6. Caller input is bounded.

#[tokio::test]
async fn a_huge_name_is_refused_before_sending() {
    let harness = Harness::new().await;
    let huge = "n".repeat(100_000);
    let package = harness
        .client
        .packages(Owner::org("acme"))
        .package(PackageType::Npm, huge.as_str());
    let error = package.get().await.unwrap_err();
    assert!(matches!(error, Error::InvalidArgument { .. }), "{error:?}");
    assert!(error.to_string().len() < 200, "{error}");
    let long_owner = harness
        .client
        .packages(Owner::user("u".repeat(40)))
        .list(PackageType::Npm)
        .await
        .unwrap_err();
    assert!(
        matches!(long_owner, Error::InvalidArgument { .. }),
        "{long_owner:?}"
    );
    let huge_token = harness
        .client
        .packages(Owner::org("acme"))
        .package(PackageType::Npm, "p")
        .restore()
        .token("t".repeat(5000))
        .await
        .unwrap_err();
    assert!(
        matches!(huge_token, Error::InvalidArgument { .. }),
        "{huge_token:?}"
    );
    assert!(harness.requests().await.is_empty());
    assert!(harness.waits().is_empty(), "not retried");
}

// 7. A listing never ends silently incomplete.

#[tokio::test]
async fn an_unreadable_link_header_ends_the_listing_with_an_error() {
    let harness = Harness::new().await;
    let link = HeaderValue::from_bytes(b"</orgs/acme/packages?page=2\xff>; rel=\"next\"").unwrap();
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(vec![crate::support::package("a")])
                .insert_header("link", link),
        )
        .mount(&harness.server)
        .await;
    let results: Vec<Result<_, Error>> = harness
        .client
        .packages(Owner::org("acme"))
        .list(PackageType::Npm)
        .stream()
        .collect()
        .await;
    assert_eq!(results.len(), 1);
    let error = results[0].as_ref().unwrap_err();
    assert!(matches!(error, Error::Paging { .. }), "{error:?}");
    assert!(error.to_string().contains("Link header"), "{error}");
}
