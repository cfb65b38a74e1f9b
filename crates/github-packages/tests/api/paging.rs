//! Following GitHub's `Link` header, one page at a time.

use futures::{StreamExt, TryStreamExt};
use github_packages::{Error, Owner, PackageRef, PackageType, VersionState};
use serde_json::Value;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{Harness, version};

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

/// Serves `body` for one page of `listing` (`None` = the first request,
/// without `page`), with a `Link` header if given.
async fn serve_at(
    server: &MockServer,
    listing: &str,
    page: Option<&str>,
    body: Value,
    link: Option<String>,
) {
    let mut answer = ResponseTemplate::new(200).set_body_json(body);
    if let Some(link) = link {
        answer = answer.insert_header("link", link.as_str());
    }
    let mock = Mock::given(method("GET")).and(path(listing));
    let mock = match page {
        Some(page) => mock.and(query_param("page", page)),
        None => mock.and(query_param_is_missing("page")),
    };
    mock.respond_with(answer).mount(server).await;
}

/// One page of the organization listing most tests use.
async fn serve(server: &MockServer, page: Option<&str>, body: Value, link: Option<String>) {
    serve_at(server, VERSIONS, page, body, link).await;
}

fn link_at(server: &MockServer, listing: &str, page: u32, rel: &str) -> String {
    format!(
        r#"<{}{listing}?per_page=100&page={page}>; rel="{rel}""#,
        server.uri()
    )
}

fn link(server: &MockServer, page: u32, rel: &str) -> String {
    link_at(server, VERSIONS, page, rel)
}

/// 250 versions of `listing` on three pages of 100, linked by `next`.
async fn three_pages_at(harness: &Harness, listing: &str) {
    let server = &harness.server;
    let link = |page, rel| link_at(server, listing, page, rel);
    let last = link(3, "last");
    serve_at(
        server,
        listing,
        None,
        versions(0..100),
        Some(format!("{}, {last}", link(2, "next"))),
    )
    .await;
    serve_at(
        server,
        listing,
        Some("2"),
        versions(100..200),
        Some(format!("{}, {last}", link(3, "next"))),
    )
    .await;
    serve_at(
        server,
        listing,
        Some("3"),
        versions(200..250),
        Some(link(2, "prev")),
    )
    .await;
}

async fn three_pages(harness: &Harness) {
    three_pages_at(harness, VERSIONS).await;
}

/// Streams `package`'s versions from [`three_pages_at`] and checks that
/// all 250 came, from three requests of 100.
async fn assert_streams_three_pages(harness: &Harness, package: PackageRef) {
    let ids: Vec<i64> = package
        .versions()
        .stream()
        .map_ok(|v| v.id().get())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, (0..250).collect::<Vec<_>>());

    let requests = harness.requests().await;
    let mut pages: Vec<Option<String>> = requests
        .iter()
        .map(|r| {
            r.url
                .query_pairs()
                .find(|(k, _)| k == "page")
                .map(|(_, v)| v.into_owned())
        })
        .collect();
    // Pages 2 and 3 are fetched at once, so they may arrive in any order.
    pages[1..].sort();
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
async fn a_stream_follows_next_links_through_250_versions_on_3_pages() {
    let harness = Harness::new().await;
    three_pages(&harness).await;
    assert_streams_three_pages(&harness, image(&harness)).await;
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
async fn a_listing_ends_at_the_first_page_without_next_whatever_last_promised() {
    let harness = Harness::new().await;
    let server = &harness.server;
    // The first page names page 5 as the last, in a second `Link` header;
    // page 3 is really the last (versions were deleted since, say).
    Mock::given(method("GET"))
        .and(path(VERSIONS))
        .and(query_param_is_missing("page"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(versions(0..100))
                .insert_header("link", link(server, 2, "next").as_str())
                .append_header("link", link(server, 5, "last").as_str()),
        )
        .mount(server)
        .await;
    serve(
        server,
        Some("2"),
        versions(100..200),
        Some(format!(
            "{}, {}",
            link(server, 3, "next"),
            link(server, 5, "last")
        )),
    )
    .await;
    serve(
        server,
        Some("3"),
        versions(200..250),
        Some(link(server, 2, "prev")),
    )
    .await;
    // Beyond the end: a failure and a stale page, both to be ignored.
    Mock::given(method("GET"))
        .and(path(VERSIONS))
        .and(query_param("page", "4"))
        .respond_with(ResponseTemplate::new(500))
        .mount(server)
        .await;
    serve(
        server,
        Some("5"),
        versions(900..910),
        Some(link(server, 4, "prev")),
    )
    .await;

    let ids: Vec<i64> = image(&harness)
        .versions()
        .pages_at_once(4)
        .stream()
        .map_ok(|v| v.id().get())
        .try_collect()
        .await
        .expect("nothing past the last page counts");
    assert_eq!(ids, (0..250).collect::<Vec<_>>());
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
    let list = "/user/packages".to_owned();
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
async fn a_users_versions_page_like_the_others() {
    let harness = Harness::new().await;
    three_pages_at(&harness, "/users/octocat/packages/container/app/versions").await;
    let package = harness
        .client
        .packages(Owner::user("octocat"))
        .package(PackageType::Container, "app");
    assert_streams_three_pages(&harness, package).await;
}

#[tokio::test]
async fn a_users_deleted_versions_can_be_listed() {
    let harness = Harness::new().await;
    Mock::given(method("GET"))
        .and(path("/users/octocat/packages/npm/p/versions"))
        .and(query_param("state", "deleted"))
        .and(query_param("per_page", "10"))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(versions(5..7)))
        .expect(1)
        .mount(&harness.server)
        .await;
    let page = harness
        .client
        .packages(Owner::user("octocat"))
        .package(PackageType::Npm, "p")
        .versions()
        .state(VersionState::Deleted)
        .per_page(10)
        .page(2)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
}
