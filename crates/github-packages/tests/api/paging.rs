//! Following GitHub's `Link` header, one page at a time.

use futures::{StreamExt, TryStreamExt};
use github_packages::{Error, Owner, PackageRef, PackageType};
use serde_json::Value;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{API, Harness, version};

const VERSIONS: &str = "/orgs/acme/packages/container/app/versions";

fn image(harness: &Harness) -> PackageRef {
    harness
        .client
        .packages(Owner::org("acme"))
        .package(PackageType::Container, "app")
}

fn versions(ids: std::ops::Range<i64>) -> Value {
    Value::Array(ids.map(|id| version(id, &[])).collect())
}

/// Serves `body` for one page (`None` = the first request, without `page`),
/// with a `Link` header if given.
async fn serve(server: &MockServer, page: Option<&str>, body: Value, link: Option<String>) {
    let mut answer = ResponseTemplate::new(200).set_body_json(body);
    if let Some(link) = link {
        answer = answer.insert_header("link", link.as_str());
    }
    let mock = Mock::given(method("GET")).and(path(format!("{API}{VERSIONS}")));
    let mock = match page {
        Some(page) => mock.and(query_param("page", page)),
        None => mock.and(query_param_is_missing("page")),
    };
    mock.respond_with(answer).mount(server).await;
}

fn link(server: &MockServer, page: u32, rel: &str) -> String {
    format!(
        r#"<{}{API}{VERSIONS}?per_page=100&page={page}>; rel="{rel}""#,
        server.uri()
    )
}

async fn three_pages(harness: &Harness) {
    let server = &harness.server;
    let last = link(server, 3, "last");
    serve(
        server,
        None,
        versions(0..100),
        Some(format!("{}, {last}", link(server, 2, "next"))),
    )
    .await;
    serve(
        server,
        Some("2"),
        versions(100..200),
        Some(format!("{}, {last}", link(server, 3, "next"))),
    )
    .await;
    serve(
        server,
        Some("3"),
        versions(200..250),
        Some(link(server, 2, "prev")),
    )
    .await;
}

#[tokio::test]
async fn a_stream_follows_next_links_through_250_versions_on_3_pages() {
    let harness = Harness::new().await;
    three_pages(&harness).await;

    let ids: Vec<i64> = image(&harness)
        .versions()
        .stream()
        .map_ok(|v| v.id())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, (0..250).collect::<Vec<_>>());

    let requests = harness.requests().await;
    let pages: Vec<Option<String>> = requests
        .iter()
        .map(|r| {
            r.url
                .query_pairs()
                .find(|(k, _)| k == "page")
                .map(|(_, v)| v.into_owned())
        })
        .collect();
    assert_eq!(pages, [None, Some("2".to_owned()), Some("3".to_owned())]);
    for request in &requests {
        assert!(
            request
                .url
                .query_pairs()
                .any(|(k, v)| k == "per_page" && v == "100"),
            "{}",
            request.url
        );
    }
}

#[tokio::test]
async fn one_page_comes_with_its_links() {
    let harness = Harness::new().await;
    three_pages(&harness).await;
    let page = image(&harness).versions().page(2).await.unwrap();
    assert_eq!(page.items.len(), 100);
    assert!(page.has_next());
    assert_eq!(
        page.links.next,
        Some(
            link(&harness.server, 3, "next")[1..]
                .split('>')
                .next()
                .unwrap()
                .to_owned()
        )
    );
    assert!(page.links.last.as_deref().unwrap().ends_with("page=3"));
}

#[tokio::test]
async fn a_page_without_link_header_ends_the_stream() {
    let harness = Harness::new().await;
    serve(&harness.server, None, versions(0..3), None).await;
    let all: Vec<_> = image(&harness)
        .versions()
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(harness.requests().await.len(), 1);
}

#[tokio::test]
async fn a_link_header_without_next_ends_the_stream() {
    let harness = Harness::new().await;
    let server = &harness.server;
    serve(
        server,
        None,
        versions(0..3),
        Some(format!(
            "{}, {}",
            link(server, 1, "first"),
            link(server, 1, "last")
        )),
    )
    .await;
    let all: Vec<_> = image(&harness)
        .versions()
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(harness.requests().await.len(), 1);
}

#[tokio::test]
async fn a_next_link_to_another_origin_is_refused_and_never_contacted() {
    let harness = Harness::new().await;
    let elsewhere = MockServer::start().await;
    serve(
        &harness.server,
        None,
        versions(0..2),
        Some(link(&elsewhere, 2, "next")),
    )
    .await;
    serve(&elsewhere, Some("2"), versions(2..4), None).await;

    let results: Vec<Result<_, Error>> = image(&harness).versions().stream().collect().await;
    assert_eq!(results.len(), 3, "two items, then the refusal");
    assert!(results[..2].iter().all(Result::is_ok));
    let error = results[2].as_ref().unwrap_err();
    assert!(matches!(error, Error::CrossOriginLink { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .contains("refused to follow a next-page link"),
        "{error}"
    );
    assert!(
        elsewhere.received_requests().await.unwrap().is_empty(),
        "the other host saw nothing"
    );
}

#[tokio::test]
async fn stopping_early_makes_no_further_requests() {
    let harness = Harness::new().await;
    three_pages(&harness).await;
    let first: Vec<_> = image(&harness)
        .versions()
        .stream()
        .take(5)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(first.len(), 5);
    assert_eq!(harness.requests().await.len(), 1);
}

#[tokio::test]
async fn a_repeated_next_link_does_not_loop() {
    let harness = Harness::new().await;
    let server = &harness.server;
    serve(server, None, versions(0..2), Some(link(server, 2, "next"))).await;
    serve(
        server,
        Some("2"),
        versions(2..4),
        Some(link(server, 2, "next")),
    )
    .await;
    let all: Vec<_> = image(&harness)
        .versions()
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 4);
    assert_eq!(harness.requests().await.len(), 2);
}

#[tokio::test]
async fn package_listings_stream_too() {
    let harness = Harness::new().await;
    let server = &harness.server;
    let list = format!("{API}/user/packages");
    let next = format!(
        r#"<{}{list}?package_type=npm&page=2>; rel="next""#,
        server.uri()
    );
    let package = |name: &str| crate::support::package(name);
    Mock::given(path(list.as_str()))
        .and(query_param_is_missing("page"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(vec![package("a")])
                .insert_header("link", next.as_str()),
        )
        .mount(server)
        .await;
    Mock::given(path(list.as_str()))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(vec![package("b")]))
        .mount(server)
        .await;
    let names: Vec<String> = harness
        .client
        .packages(Owner::AuthenticatedUser)
        .list(PackageType::Npm)
        .stream()
        .map_ok(|p| p.name().to_owned())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names, ["a", "b"]);
}

#[tokio::test]
async fn a_users_versions_cannot_be_paged_and_say_so() {
    let harness = Harness::new().await;
    let server = &harness.server;
    let listing = format!("{API}/users/octocat/packages/container/app/versions");
    let next = format!(r#"<{}{listing}?page=2>; rel="next""#, server.uri());
    Mock::given(path(listing.as_str()))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(versions(0..2))
                .insert_header("link", next.as_str()),
        )
        .mount(server)
        .await;
    let package = harness
        .client
        .packages(Owner::user("octocat"))
        .package(PackageType::Container, "app");

    let error = package.versions().per_page(50).await.unwrap_err();
    assert!(matches!(error, Error::Unsupported { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "packages/get-all-package-versions-for-package-owned-by-user: GitHub documents no `per_page` parameter \
         for a user's package versions, so it cannot be sent"
    );
    assert!(harness.requests().await.is_empty(), "nothing was sent");

    let results: Vec<Result<_, Error>> = package.versions().stream().collect().await;
    assert_eq!(
        results.len(),
        3,
        "the first page, then the error for the page it cannot ask for"
    );
    assert!(
        matches!(results[2], Err(Error::Unsupported { .. })),
        "{:?}",
        results[2]
    );
    let request = &harness.requests().await[0];
    assert_eq!(
        request.url.query(),
        None,
        "no undocumented parameters were sent"
    );
}
