//! The short paths of everyday use: from a listed item to its handle, the
//! error helpers, idempotent deletes.

use std::time::Duration;

use github_packages::{Error, OptionalExt, Owner, PackageType, Refusal, RetryPolicy, VersionId};
use reqwest::StatusCode;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::support::{Harness, package, version};

#[tokio::test]
async fn listed_items_give_their_handles() {
    let harness = Harness::new().await;
    Mock::given(method("GET"))
        .and(path("/orgs/acme/packages"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([package("team/app")])))
        .mount(&harness.server)
        .await;
    Mock::given(method("GET"))
        .and(path("/orgs/acme/packages/container/team%2Fapp/versions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([version(42, &[])])))
        .mount(&harness.server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/orgs/acme/packages/container/team%2Fapp/versions/42"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&harness.server)
        .await;

    let org = harness.client.packages(Owner::org("acme"));
    let listed = org.list(PackageType::Container).await.unwrap();
    let image = listed.items[0].handle(&org);
    assert_eq!(image.name(), "team/app");
    assert_eq!(image.package_type(), &PackageType::Container);
    let versions = image.versions().await.unwrap();
    let handle = versions.items[0].handle(&image);
    assert_eq!(handle.id(), VersionId::new(42));
    handle.delete().await.unwrap();
}

#[tokio::test]
async fn an_idempotent_delete_is_one_line() {
    let harness = Harness::with_retry(RetryPolicy::none(), |b| b).await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&harness.server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"})))
        .with_priority(2)
        .mount(&harness.server)
        .await;
    let version = harness
        .client
        .packages(Owner::org("acme"))
        .package(PackageType::Npm, "p")
        .version(7);
    assert_eq!(version.delete().await.optional().unwrap(), Some(()));
    assert_eq!(
        version.delete().await.optional().unwrap(),
        None,
        "second delete: 404"
    );
}

#[tokio::test]
async fn the_helpers_answer_the_usual_questions() {
    let harness = Harness::with_retry(RetryPolicy::none(), |b| b).await;
    let answers = [
        ("/a", ResponseTemplate::new(429).insert_header("retry-after", "3")),
        ("/b", ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"}))),
        ("/c", ResponseTemplate::new(503).insert_header("retry-after", "9")),
        (
            "/d",
            ResponseTemplate::new(400).set_body_json(json!({"message":
                "You cannot delete the last version of a package. You must delete the package instead."})),
        ),
    ];
    for (at, answer) in answers {
        Mock::given(path(format!("/orgs/acme/packages/npm{at}")))
            .respond_with(answer)
            .mount(&harness.server)
            .await;
    }
    let org = harness.client.packages(Owner::org("acme"));
    let get = |name: &'static str| org.package(PackageType::Npm, name);

    let limited = get("a").get().await.unwrap_err();
    assert!(limited.is_retryable() && !limited.is_not_found());
    assert_eq!(limited.retry_after(), Some(Duration::from_secs(3)));
    assert_eq!(limited.status(), Some(StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(
        limited.operation(),
        Some("packages/get-package-for-organization")
    );

    let missing = get("b").get().await.unwrap_err();
    assert!(missing.is_not_found() && !missing.is_retryable());
    assert_eq!(missing.retry_after(), None);
    assert!(get("b").get().await.optional().unwrap().is_none());

    let unavailable = get("c").get().await.unwrap_err();
    assert!(unavailable.is_retryable());
    assert_eq!(unavailable.retry_after(), Some(Duration::from_secs(9)));

    let refused = get("d").delete().await.unwrap_err();
    assert_eq!(refused.refusal(), Some(Refusal::LastVersion));
    assert!(!refused.is_retryable());
    assert!(matches!(refused, Error::Refused { .. }));
    assert_eq!(refused.target().unwrap().package_name(), Some("d"));
}
