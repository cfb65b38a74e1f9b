//! GitHub's answers mapped to errors, one test per row of the mapping. No
//! retries here (see `retries.rs`), so each test sees the first answer.

use std::time::Duration;

use github_packages::{
    Error, Owner, PackageType, RateLimitKind, Refusal, RetryPolicy, TransportKind,
};
use reqwest::StatusCode;
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, ResponseTemplate};

use crate::support::{Harness, assert_no_token};

/// The error for `answer` to a GET of one package version (which documents
/// only 200), and to a DELETE of it (which documents 401/403/404 with
/// `basic-error` bodies): both paths through the generated client.
async fn answered(answer: ResponseTemplate) -> (Error, Error) {
    let harness = Harness::with_retry(RetryPolicy::none(), |b| b).await;
    Mock::given(method("GET"))
        .respond_with(answer.clone())
        .mount(&harness.server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(answer)
        .mount(&harness.server)
        .await;
    let version = harness
        .client
        .packages(Owner::org("acme"))
        .package(PackageType::Container, "app")
        .version(5);
    let get = version.get().await.unwrap_err();
    let delete = version.delete().await.unwrap_err();
    for error in [&get, &delete] {
        assert_no_token(&error.to_string());
        assert_no_token(&format!("{error:?}"));
    }
    (get, delete)
}

fn github_error(message: &str) -> serde_json::Value {
    json!({"message": message, "documentation_url": "https://docs.github.com/rest", "status": "x"})
}

#[tokio::test]
async fn unauthorized_401() {
    let (get, delete) =
        answered(ResponseTemplate::new(401).set_body_json(github_error("Bad credentials"))).await;
    for error in [get, delete] {
        assert!(
            matches!(&error, Error::Unauthorized { message: Some(m), .. } if m == "Bad credentials"),
            "{error:?}"
        );
        assert_eq!(error.status(), Some(StatusCode::UNAUTHORIZED));
    }
}

#[tokio::test]
async fn forbidden_403_shows_the_missing_scope() {
    let answer = ResponseTemplate::new(403)
        .set_body_json(github_error("Must have admin rights to Repository."))
        .insert_header("x-oauth-scopes", "read:packages, repo")
        .insert_header("x-accepted-oauth-scopes", "delete:packages, read:packages")
        .insert_header("x-ratelimit-remaining", "4000");
    let (_, delete) = answered(answer).await;
    let Error::Forbidden {
        operation,
        oauth_scopes,
        accepted_oauth_scopes,
        ..
    } = &delete
    else {
        panic!("{delete:?}")
    };
    assert_eq!(*operation, "packages/delete-package-version-for-org");
    assert_eq!(oauth_scopes.as_deref(), Some("read:packages, repo"));
    assert_eq!(
        accepted_oauth_scopes.as_deref(),
        Some("delete:packages, read:packages")
    );
    assert_eq!(
        delete.to_string(),
        "packages/delete-package-version-for-org (org acme, container package app, version 5): \
         forbidden (403): Must have admin rights to Repository \
         (token scopes: read:packages, repo; accepted: delete:packages, read:packages)"
    );
}

#[tokio::test]
async fn not_found_404_documented_or_not() {
    let (get, delete) =
        answered(ResponseTemplate::new(404).set_body_json(github_error("Not Found"))).await;
    assert_eq!(
        get.to_string(),
        "packages/get-package-version-for-organization: container package app of org acme has no version 5 (404)"
    );
    assert!(matches!(delete, Error::NotFound { .. }), "{delete:?}");
}

#[tokio::test]
async fn not_found_with_an_html_body_is_still_not_found() {
    let page = ResponseTemplate::new(404)
        .set_body_raw("<html><body>Page not found</body></html>", "text/html");
    let (get, delete) = answered(page).await;
    for error in [get, delete] {
        assert!(
            matches!(&error, Error::NotFound { message: Some(m), .. } if m.contains("Page not found")),
            "{error:?}"
        );
    }
}

#[tokio::test]
async fn primary_rate_limit() {
    let answer = ResponseTemplate::new(403)
        .set_body_json(github_error("API rate limit exceeded for user ID 1."))
        .insert_header("x-ratelimit-limit", "5000")
        .insert_header("x-ratelimit-remaining", "0")
        .insert_header("x-ratelimit-reset", "1900000000");
    let (get, _) = answered(answer).await;
    let Error::RateLimited {
        kind,
        reset,
        status,
        ..
    } = &get
    else {
        panic!("{get:?}")
    };
    assert_eq!(*kind, RateLimitKind::Primary);
    assert_eq!(*status, StatusCode::FORBIDDEN);
    assert_eq!(reset.unwrap().timestamp(), 1_900_000_000);
    assert!(
        get.to_string()
            .ends_with("primary rate limit exceeded (403); it resets at 2030-03-17 17:46:40 UTC"),
        "{get}"
    );
}

#[tokio::test]
async fn secondary_rate_limit_403_with_retry_after() {
    let answer = ResponseTemplate::new(403)
        .set_body_json(github_error(
            "You have exceeded a secondary rate limit. Please wait a few minutes.",
        ))
        .insert_header("retry-after", "30");
    let (_, delete) = answered(answer).await;
    let Error::RateLimited {
        kind, retry_after, ..
    } = &delete
    else {
        panic!("{delete:?}")
    };
    assert_eq!(*kind, RateLimitKind::Secondary);
    assert_eq!(*retry_after, Some(Duration::from_secs(30)));
    assert!(
        delete
            .to_string()
            .ends_with("secondary rate limit exceeded (403); GitHub asks to retry after 30s"),
        "{delete}"
    );
}

#[tokio::test]
async fn too_many_requests_429() {
    let (get, _) = answered(ResponseTemplate::new(429).set_body_string("slow down")).await;
    assert!(
        matches!(
            get,
            Error::RateLimited {
                kind: RateLimitKind::Secondary,
                status: StatusCode::TOO_MANY_REQUESTS,
                ..
            }
        ),
        "{get:?}"
    );
}

#[tokio::test]
async fn bad_request_400_on_a_listing() {
    let harness = Harness::with_retry(RetryPolicy::none(), |b| b).await;
    let message = "The value of per_page multiplied by page cannot be greater than 10000.";
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(400).set_body_json(github_error(message)))
        .mount(&harness.server)
        .await;
    let error = harness
        .client
        .packages(Owner::org("acme"))
        .list(PackageType::Npm)
        .page(200)
        .per_page(100)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::BadRequest { status: StatusCode::BAD_REQUEST, message: Some(m), .. } if m == message),
        "{error:?}"
    );
    assert_eq!(
        error.operation(),
        Some("packages/list-packages-for-organization")
    );
}

#[tokio::test]
async fn validation_failed_422_keeps_githubs_details() {
    let body = json!({"message": "Validation Failed", "errors": [{"resource": "Package", "code": "invalid", "message": "name is reserved"}]});
    let (_, delete) = answered(ResponseTemplate::new(422).set_body_json(body)).await;
    assert!(
        matches!(&delete, Error::BadRequest { status, message: Some(m), .. }
            if *status == StatusCode::UNPROCESSABLE_ENTITY && m == "Validation Failed (name is reserved)"),
        "{delete:?}"
    );
}

#[tokio::test]
async fn server_error_500() {
    let (get, delete) =
        answered(ResponseTemplate::new(500).set_body_json(github_error("Server Error"))).await;
    for error in [get, delete] {
        assert!(
            matches!(
                &error,
                Error::Server {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    ..
                }
            ),
            "{error:?}"
        );
    }
}

/// An HTML error page (a proxy's, or GitHub's unicorn) is said by its
/// title; a page without one keeps a bounded snippet.
#[tokio::test]
async fn an_html_502_page_is_said_by_its_title_or_a_bounded_snippet() {
    for (page, said) in [
        (
            format!(
                "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>{}</body></html>",
                "x".repeat(10_000)
            ),
            "502 Bad Gateway",
        ),
        (
            format!("<html>\n<body>{}</body></html>", "x".repeat(10_000)),
            "<html> <body>xxxx",
        ),
    ] {
        let (get, _) = answered(ResponseTemplate::new(502).set_body_raw(page, "text/html")).await;
        let Error::Server {
            status,
            message: Some(snippet),
            ..
        } = &get
        else {
            panic!("{get:?}")
        };
        assert_eq!(*status, StatusCode::BAD_GATEWAY);
        assert!(snippet.starts_with(said), "{snippet}");
        assert!(
            snippet.chars().count() <= 201,
            "bounded: {} chars",
            snippet.chars().count()
        );
        assert!(get.to_string().len() < 400);
    }
}

#[tokio::test]
async fn a_truncated_json_body_is_a_decode_error_with_status_and_snippet() {
    let truncated = r#"{"id": 5, "name": "sha256:abc", "url": "https://api.git"#;
    let harness = Harness::new().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(truncated, "application/json"))
        .mount(&harness.server)
        .await;
    let version = harness
        .client
        .packages(Owner::org("acme"))
        .package(PackageType::Container, "app")
        .version(5);
    let get = version.get().await.unwrap_err();
    assert_no_token(&format!("{get} {get:?}"));
    assert_eq!(
        harness.requests().await.len(),
        1,
        "a decode error is not retried"
    );
    let Error::Decode {
        status, snippet, ..
    } = &get
    else {
        panic!("{get:?}")
    };
    assert_eq!(*status, StatusCode::OK);
    assert_eq!(snippet, truncated);
    assert!(
        get.to_string().starts_with(
            "packages/get-package-version-for-organization (org acme, container package app, version 5): \
             the answer (200) is not what GitHub documents"
        ),
        "{get}"
    );
}

#[tokio::test]
async fn an_undocumented_success_on_delete_is_success() {
    let harness = Harness::new().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&harness.server)
        .await;
    let version = harness
        .client
        .packages(Owner::org("acme"))
        .package(PackageType::Npm, "p")
        .version(1);
    version.delete().await.unwrap();
}

#[tokio::test]
async fn conflict_409_is_reported_with_its_status() {
    let (_, delete) =
        answered(ResponseTemplate::new(409).set_body_json(github_error("Conflict"))).await;
    assert!(
        matches!(
            delete,
            Error::Status {
                status: StatusCode::CONFLICT,
                ..
            }
        ),
        "{delete:?}"
    );
}

#[tokio::test]
async fn connection_refused_is_a_transport_error() {
    let client = github_packages::Client::builder()
        .token(crate::support::TOKEN)
        .base_url(crate::support::REFUSING)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let error = client
        .packages(Owner::org("acme"))
        .package(PackageType::Npm, "p")
        .get()
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Transport {
                kind: TransportKind::Connect,
                ..
            }
        ),
        "{error:?}"
    );
    assert_no_token(&format!("{error} {error:?}"));
}

#[tokio::test]
async fn a_slow_answer_is_a_timeout() {
    let harness = Harness::with_retry(RetryPolicy::none(), |b| {
        b.timeout(Duration::from_millis(200))
    })
    .await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([]))
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&harness.server)
        .await;
    let error = harness
        .client
        .packages(Owner::org("acme"))
        .list(PackageType::Npm)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Transport {
                kind: TransportKind::Timeout,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn the_two_deletion_refusals_are_typed_and_keep_githubs_message() {
    let cases = [
        (
            "You cannot delete the last version of a package. You must delete the package instead.",
            Refusal::LastVersion,
        ),
        (
            "You cannot delete the last tagged version of a package. You must delete the package instead.",
            Refusal::LastVersion,
        ),
        (
            "Publicly visible package versions with more than 5000 downloads cannot be deleted. \
             Contact GitHub support for further assistance.",
            Refusal::TooManyDownloads,
        ),
    ];
    for (message, expected) in cases {
        let (_, delete) =
            answered(ResponseTemplate::new(400).set_body_json(github_error(message))).await;
        let Error::Refused {
            refusal,
            message: kept,
            target,
            ..
        } = &delete
        else {
            panic!("{delete:?}")
        };
        assert_eq!(*refusal, expected);
        assert_eq!(kept, message);
        assert_eq!(target.version_id(), Some(5.into()));
        assert_eq!(delete.status(), Some(StatusCode::BAD_REQUEST));
        assert!(
            delete.to_string().starts_with(
                "packages/delete-package-version-for-org (org acme, container package app, version 5): GitHub refuses"
            ),
            "{delete}"
        );
    }
    let (_, other) =
        answered(ResponseTemplate::new(400).set_body_json(github_error("Problems parsing JSON")))
            .await;
    assert!(matches!(other, Error::BadRequest { .. }), "{other:?}");
}

#[tokio::test]
async fn in_a_loop_over_packages_the_error_names_the_one_that_failed() {
    let harness = Harness::with_retry(RetryPolicy::none(), |b| b).await;
    for name in ["api", "worker"] {
        Mock::given(method("GET"))
            .and(wiremock::matchers::path(format!(
                "/orgs/acme/packages/container/team%2F{name}"
            )))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(crate::support::package(&format!("team/{name}"))),
            )
            .mount(&harness.server)
            .await;
    }
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(github_error("Not Found")))
        .mount(&harness.server)
        .await;
    let org = harness.client.packages(Owner::org("acme"));
    let mut failures = Vec::new();
    for name in ["team/api", "team/gone", "team/worker"] {
        if let Err(error) = org.package(PackageType::Container, name).get().await {
            failures.push(error);
        }
    }
    assert_eq!(failures.len(), 1);
    let error = &failures[0];
    assert_eq!(
        error.to_string(),
        "packages/get-package-for-organization: org acme has no container package team/gone (404)"
    );
    let target = error.target().unwrap();
    assert_eq!(target.owner(), &Owner::org("acme"));
    assert_eq!(target.package_type(), Some(&PackageType::Container));
    assert_eq!(target.package_name(), Some("team/gone"));
    assert_eq!(target.version_id(), None);
}
