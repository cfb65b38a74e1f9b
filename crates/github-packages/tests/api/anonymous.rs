//! A client without a token: reads are sent without `Authorization`, and
//! what needs a token is refused before anything is sent.

use github_packages::{Client, Error, Owner, PackageType, RetryPolicy};
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::package;

async fn anonymous() -> (MockServer, Client) {
    let server = MockServer::start().await;
    let client = Client::builder()
        .base_url(server.uri())
        .retry(RetryPolicy::none())
        .build()
        .expect("no token is fine");
    (server, client)
}

#[tokio::test]
async fn reads_go_out_without_a_token() {
    let (server, client) = anonymous().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(package("hello-world")))
        .mount(&server)
        .await;
    let package = client
        .packages(Owner::user("octocat"))
        .package(PackageType::Container, "hello-world")
        .get()
        .await
        .unwrap();
    assert_eq!(package.name(), "hello-world");
    let requests = server.received_requests().await.unwrap();
    assert!(requests[0].headers.get("authorization").is_none());
}

#[tokio::test]
async fn what_needs_a_token_is_refused_before_sending() {
    let (server, client) = anonymous().await;
    let org = client.packages(Owner::org("acme"));
    let app = org.package(PackageType::Container, "app");
    let refused = [
        app.delete().await.unwrap_err(),
        app.restore().await.unwrap_err(),
        app.version(5).delete().await.unwrap_err(),
        app.version(5).restore().await.unwrap_err(),
        client
            .packages(Owner::AuthenticatedUser)
            .list(PackageType::Npm)
            .await
            .unwrap_err(),
    ];
    for error in &refused {
        assert!(matches!(error, Error::TokenRequired { .. }), "{error:?}");
    }
    assert_eq!(
        refused[2].to_string(),
        "packages/delete-package-version-for-org (org acme, container package app, version 5): \
         this needs a token and the client has none; set GITHUB_TOKEN or ClientBuilder::token"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_401_to_an_anonymous_client_says_so() {
    let (server, client) = anonymous().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"message": "Requires authentication"})),
        )
        .mount(&server)
        .await;
    let error = client
        .packages(Owner::org("acme"))
        .list(PackageType::Container)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Unauthorized {
                anonymous: true,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .ends_with("(401): Requires authentication; the client has no token (set GITHUB_TOKEN or ClientBuilder::token)"),
        "{error}"
    );
}
