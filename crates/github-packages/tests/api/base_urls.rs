//! The base-URL table of the crate docs, against servers on loopback: a
//! local server at its root, an explicit GitHub Enterprise Server, an API
//! root used as given.

use github_packages::{Client, Owner, PackageType};
use serde_json::json;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn reached(server: &MockServer, client: Client) -> String {
    for at in [
        "/orgs/acme/packages",
        "/api/v3/orgs/acme/packages",
        "/ghapi/orgs/acme/packages",
    ] {
        Mock::given(path(at))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
            .mount(server)
            .await;
    }
    client
        .packages(Owner::org("acme"))
        .list(PackageType::Npm)
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    requests.last().unwrap().url.path().to_owned()
}

#[tokio::test]
async fn a_local_server_is_reached_at_its_root() {
    let server = MockServer::start().await;
    let client = Client::builder().base_url(server.uri()).build().unwrap();
    assert_eq!(client.base_url(), server.uri());
    assert_eq!(reached(&server, client).await, "/orgs/acme/packages");
}

#[tokio::test]
async fn an_explicit_enterprise_server_gets_api_v3() {
    let server = MockServer::start().await;
    let client = Client::builder()
        .enterprise_server(server.uri())
        .build()
        .unwrap();
    assert_eq!(client.base_url(), format!("{}/api/v3", server.uri()));
    assert_eq!(reached(&server, client).await, "/api/v3/orgs/acme/packages");
}

#[tokio::test]
async fn an_api_root_is_used_as_given() {
    let server = MockServer::start().await;
    let client = Client::builder()
        .api_root(format!("{}/ghapi/", server.uri()))
        .build()
        .unwrap();
    assert_eq!(reached(&server, client).await, "/ghapi/orgs/acme/packages");
}
