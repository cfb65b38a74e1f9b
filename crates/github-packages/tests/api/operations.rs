//! All 27 operations: the exact method, path (names percent-encoded once, as
//! one segment), query and headers that reach GitHub, and the decoded answer.

use futures::future::BoxFuture;
use github_packages::{Client, Owner, PackageType, Result, VersionState, Visibility};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::support::{Harness, TOKEN, package, version};

/// What a call decoded: item names, one name, or nothing (204).
#[derive(Debug, PartialEq)]
enum Outcome {
    Names(Vec<String>),
    Name(String),
    Done,
}

struct Case {
    method: &'static str,
    /// Exactly as it must arrive (encoded), at the mock's root.
    path: &'static str,
    query: &'static [(&'static str, &'static str)],
    /// The answer: `None` for 204.
    body: Option<Value>,
    call: fn(Client) -> BoxFuture<'static, Result<Outcome>>,
    expect: Outcome,
}

fn names<T>(items: &[T], name: impl Fn(&T) -> &str) -> Outcome {
    Outcome::Names(items.iter().map(|i| name(i).to_owned()).collect())
}

fn org(client: &Client) -> github_packages::OwnerPackages {
    client.packages(Owner::org("acme"))
}
fn me(client: &Client) -> github_packages::OwnerPackages {
    client.packages(Owner::AuthenticatedUser)
}
fn user(client: &Client) -> github_packages::OwnerPackages {
    client.packages(Owner::user("octocat"))
}

fn cases() -> Vec<Case> {
    let packages = || Some(json!([package("a"), package("b")]));
    let one_package = || Some(package("team/app"));
    let versions = || Some(json!([version(1, &["latest"]), version(2, &[])]));
    let one_version = || Some(version(42, &["v1"]));
    let digest = |id: i64| format!("sha256:{id:064x}");
    vec![
        // Organization.
        Case {
            method: "GET",
            path: "/orgs/acme/docker/conflicts",
            query: &[],
            body: packages(),
            call: |c| {
                Box::pin(async move {
                    org(&c)
                        .docker_conflicts()
                        .await
                        .map(|p| names(&p, |p| p.name()))
                })
            },
            expect: Outcome::Names(vec!["a".into(), "b".into()]),
        },
        Case {
            method: "GET",
            path: "/orgs/acme/packages",
            query: &[
                ("package_type", "container"),
                ("page", "2"),
                ("per_page", "50"),
                ("visibility", "private"),
            ],
            body: packages(),
            call: |c| {
                Box::pin(async move {
                    let page = org(&c)
                        .list(PackageType::Container)
                        .visibility(Visibility::Private)
                        .page(2)
                        .per_page(50)
                        .await?;
                    Ok(names(&page.items, |p| p.name()))
                })
            },
            expect: Outcome::Names(vec!["a".into(), "b".into()]),
        },
        Case {
            method: "GET",
            path: "/orgs/acme/packages/container/team%2Fapp",
            query: &[],
            body: one_package(),
            call: |c| {
                Box::pin(async move {
                    let p = org(&c)
                        .package(PackageType::Container, "team/app")
                        .get()
                        .await?;
                    Ok(Outcome::Name(p.name().to_owned()))
                })
            },
            expect: Outcome::Name("team/app".into()),
        },
        Case {
            method: "DELETE",
            path: "/orgs/acme/packages/npm/@scope%2Fpkg",
            query: &[],
            body: None,
            call: |c| {
                Box::pin(async move {
                    org(&c)
                        .package(PackageType::Npm, "@scope/pkg")
                        .delete()
                        .await
                        .map(|()| Outcome::Done)
                })
            },
            expect: Outcome::Done,
        },
        Case {
            method: "POST",
            path: "/orgs/acme/packages/container/team%2Fapp/restore",
            query: &[("token", "pkg-token")],
            body: None,
            call: |c| {
                Box::pin(async move {
                    let package = org(&c).package(PackageType::Container, "team/app");
                    package
                        .restore()
                        .token("pkg-token")
                        .await
                        .map(|()| Outcome::Done)
                })
            },
            expect: Outcome::Done,
        },
        Case {
            method: "GET",
            path: "/orgs/acme/packages/container/team%2Fapp/versions",
            query: &[("page", "3"), ("per_page", "10"), ("state", "deleted")],
            body: versions(),
            call: |c| {
                Box::pin(async move {
                    let package = org(&c).package(PackageType::Container, "team/app");
                    let page = package
                        .versions()
                        .state(VersionState::Deleted)
                        .page(3)
                        .per_page(10)
                        .await?;
                    Ok(names(&page.items, |v| v.name()))
                })
            },
            expect: Outcome::Names(vec![digest(1), digest(2)]),
        },
        Case {
            method: "GET",
            path: "/orgs/acme/packages/container/team%2Fapp/versions/42",
            query: &[],
            body: one_version(),
            call: |c| {
                Box::pin(async move {
                    let v = org(&c)
                        .package(PackageType::Container, "team/app")
                        .version(42)
                        .get()
                        .await?;
                    Ok(Outcome::Name(v.name().to_owned()))
                })
            },
            expect: Outcome::Name(digest(42)),
        },
        Case {
            method: "DELETE",
            path: "/orgs/acme/packages/container/team%2Fapp/versions/42",
            query: &[],
            body: None,
            call: |c| {
                Box::pin(async move {
                    let package = org(&c).package(PackageType::Container, "team/app");
                    package.version(42).delete().await.map(|()| Outcome::Done)
                })
            },
            expect: Outcome::Done,
        },
        Case {
            method: "POST",
            path: "/orgs/acme/packages/container/team%2Fapp/versions/42/restore",
            query: &[],
            body: None,
            call: |c| {
                Box::pin(async move {
                    let package = org(&c).package(PackageType::Container, "team/app");
                    package.version(42).restore().await.map(|()| Outcome::Done)
                })
            },
            expect: Outcome::Done,
        },
        // The authenticated user.
        Case {
            method: "GET",
            path: "/user/docker/conflicts",
            query: &[],
            body: packages(),
            call: |c| {
                Box::pin(async move {
                    me(&c)
                        .docker_conflicts()
                        .await
                        .map(|p| names(&p, |p| p.name()))
                })
            },
            expect: Outcome::Names(vec!["a".into(), "b".into()]),
        },
        Case {
            method: "GET",
            path: "/user/packages",
            query: &[("package_type", "npm")],
            body: packages(),
            call: |c| {
                Box::pin(async move {
                    me(&c)
                        .list(PackageType::Npm)
                        .await
                        .map(|p| names(&p.items, |p| p.name()))
                })
            },
            expect: Outcome::Names(vec!["a".into(), "b".into()]),
        },
        Case {
            method: "GET",
            path: "/user/packages/maven/com.example%3Fodd",
            query: &[],
            body: one_package(),
            call: |c| {
                Box::pin(async move {
                    let p = me(&c)
                        .package(PackageType::Maven, "com.example?odd")
                        .get()
                        .await?;
                    Ok(Outcome::Name(p.name().to_owned()))
                })
            },
            expect: Outcome::Name("team/app".into()),
        },
        Case {
            method: "DELETE",
            path: "/user/packages/rubygems/100%25",
            query: &[],
            body: None,
            call: |c| {
                Box::pin(async move {
                    me(&c)
                        .package(PackageType::Rubygems, "100%")
                        .delete()
                        .await
                        .map(|()| Outcome::Done)
                })
            },
            expect: Outcome::Done,
        },
        Case {
            method: "POST",
            path: "/user/packages/nuget/My.Pkg/restore",
            query: &[],
            body: None,
            call: |c| {
                Box::pin(async move {
                    me(&c)
                        .package(PackageType::Nuget, "My.Pkg")
                        .restore()
                        .await
                        .map(|()| Outcome::Done)
                })
            },
            expect: Outcome::Done,
        },
        Case {
            method: "GET",
            path: "/user/packages/docker/img%20name/versions",
            query: &[("page", "1"), ("per_page", "100"), ("state", "active")],
            body: versions(),
            call: |c| {
                Box::pin(async move {
                    let package = me(&c).package(PackageType::Docker, "img name");
                    let page = package
                        .versions()
                        .state(VersionState::Active)
                        .page(1)
                        .per_page(100)
                        .await?;
                    Ok(names(&page.items, |v| v.name()))
                })
            },
            expect: Outcome::Names(vec![digest(1), digest(2)]),
        },
        Case {
            method: "GET",
            path: "/user/packages/container/caf%C3%A9/versions/7",
            query: &[],
            body: one_version(),
            call: |c| {
                Box::pin(async move {
                    let v = me(&c)
                        .package(PackageType::Container, "café")
                        .version(7)
                        .get()
                        .await?;
                    Ok(Outcome::Name(v.name().to_owned()))
                })
            },
            expect: Outcome::Name(digest(42)),
        },
        Case {
            method: "DELETE",
            path: "/user/packages/container/caf%C3%A9/versions/7",
            query: &[],
            body: None,
            call: |c| {
                Box::pin(async move {
                    me(&c)
                        .package(PackageType::Container, "café")
                        .version(7)
                        .delete()
                        .await
                        .map(|()| Outcome::Done)
                })
            },
            expect: Outcome::Done,
        },
        Case {
            method: "POST",
            path: "/user/packages/container/caf%C3%A9/versions/7/restore",
            query: &[],
            body: None,
            call: |c| {
                Box::pin(async move {
                    me(&c)
                        .package(PackageType::Container, "café")
                        .version(7)
                        .restore()
                        .await
                        .map(|()| Outcome::Done)
                })
            },
            expect: Outcome::Done,
        },
        // A named user.
        Case {
            method: "GET",
            path: "/users/octocat/docker/conflicts",
            query: &[],
            body: packages(),
            call: |c| {
                Box::pin(async move {
                    user(&c)
                        .docker_conflicts()
                        .await
                        .map(|p| names(&p, |p| p.name()))
                })
            },
            expect: Outcome::Names(vec!["a".into(), "b".into()]),
        },
        Case {
            method: "GET",
            path: "/users/octocat/packages",
            query: &[("package_type", "rubygems"), ("visibility", "public")],
            body: packages(),
            call: |c| {
                Box::pin(async move {
                    let page = user(&c)
                        .list(PackageType::Rubygems)
                        .visibility(Visibility::Public)
                        .await?;
                    Ok(names(&page.items, |p| p.name()))
                })
            },
            expect: Outcome::Names(vec!["a".into(), "b".into()]),
        },
        Case {
            method: "GET",
            path: "/users/octocat/packages/npm/hash%23tag",
            query: &[],
            body: one_package(),
            call: |c| {
                Box::pin(async move {
                    let p = user(&c).package(PackageType::Npm, "hash#tag").get().await?;
                    Ok(Outcome::Name(p.name().to_owned()))
                })
            },
            expect: Outcome::Name("team/app".into()),
        },
        Case {
            method: "DELETE",
            path: "/users/octocat/packages/npm/hash%23tag",
            query: &[],
            body: None,
            call: |c| {
                Box::pin(async move {
                    user(&c)
                        .package(PackageType::Npm, "hash#tag")
                        .delete()
                        .await
                        .map(|()| Outcome::Done)
                })
            },
            expect: Outcome::Done,
        },
        Case {
            method: "POST",
            path: "/users/octocat/packages/npm/hash%23tag/restore",
            query: &[("token", "t2")],
            body: None,
            call: |c| {
                Box::pin(async move {
                    user(&c)
                        .package(PackageType::Npm, "hash#tag")
                        .restore()
                        .token("t2")
                        .await
                        .map(|()| Outcome::Done)
                })
            },
            expect: Outcome::Done,
        },
        Case {
            method: "GET",
            path: "/users/octocat/packages/npm/hash%23tag/versions",
            query: &[],
            body: versions(),
            call: |c| {
                Box::pin(async move {
                    let page = user(&c)
                        .package(PackageType::Npm, "hash#tag")
                        .versions()
                        .await?;
                    Ok(names(&page.items, |v| v.name()))
                })
            },
            expect: Outcome::Names(vec![digest(1), digest(2)]),
        },
        Case {
            method: "GET",
            path: "/users/octocat/packages/npm/hash%23tag/versions/9",
            query: &[],
            body: one_version(),
            call: |c| {
                Box::pin(async move {
                    let v = user(&c)
                        .package(PackageType::Npm, "hash#tag")
                        .version(9)
                        .get()
                        .await?;
                    Ok(Outcome::Name(v.name().to_owned()))
                })
            },
            expect: Outcome::Name(digest(42)),
        },
        Case {
            method: "DELETE",
            path: "/users/octocat/packages/npm/hash%23tag/versions/9",
            query: &[],
            body: None,
            call: |c| {
                Box::pin(async move {
                    user(&c)
                        .package(PackageType::Npm, "hash#tag")
                        .version(9)
                        .delete()
                        .await
                        .map(|()| Outcome::Done)
                })
            },
            expect: Outcome::Done,
        },
        Case {
            method: "POST",
            path: "/users/octocat/packages/npm/hash%23tag/versions/9/restore",
            query: &[],
            body: None,
            call: |c| {
                Box::pin(async move {
                    user(&c)
                        .package(PackageType::Npm, "hash#tag")
                        .version(9)
                        .restore()
                        .await
                        .map(|()| Outcome::Done)
                })
            },
            expect: Outcome::Done,
        },
    ]
}

#[tokio::test]
async fn every_operation_sends_exactly_what_github_documents() {
    let cases = cases();
    assert_eq!(cases.len(), 27);
    for case in cases {
        let label = format!("{} {}", case.method, case.path);
        let harness = Harness::new().await;
        let full_path = case.path;
        let answer = match &case.body {
            Some(body) => ResponseTemplate::new(200).set_body_json(body),
            None => ResponseTemplate::new(204),
        };
        Mock::given(method(case.method))
            .and(path(full_path))
            .respond_with(answer)
            .mount(&harness.server)
            .await;

        let outcome = (case.call)(harness.client.clone())
            .await
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(outcome, case.expect, "{label}");

        let requests = harness.requests().await;
        assert_eq!(requests.len(), 1, "{label}: one request");
        let request = &requests[0];
        assert_eq!(request.method.as_str(), case.method, "{label}");
        assert_eq!(request.url.path(), full_path, "{label}: path, encoded once");
        let mut query: Vec<(String, String)> = request
            .url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        query.sort();
        let expected: Vec<(String, String)> = case
            .query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        assert_eq!(query, expected, "{label}: query");

        let header = |name: &str| {
            request
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        assert_eq!(
            header("authorization"),
            Some(format!("Bearer {TOKEN}")),
            "{label}"
        );
        assert_eq!(
            header("accept").as_deref(),
            Some("application/vnd.github+json"),
            "{label}"
        );
        assert_eq!(
            header("x-github-api-version").as_deref(),
            Some("2022-11-28"),
            "{label}"
        );
        assert_eq!(
            header("user-agent"),
            Some(format!("github-packages/{}", env!("CARGO_PKG_VERSION"))),
            "{label}"
        );
        assert_eq!(
            header("api-version"),
            None,
            "{label}: progenitor's own header is removed"
        );
    }
}

#[tokio::test]
async fn custom_user_agent_api_version_and_http_client_still_get_githubs_headers() {
    let harness = Harness::with(|b| {
        b.user_agent("retention-job/2.1")
            .api_version("2026-03-10")
            .http_client(
                github_packages::http_client_builder()
                    .unwrap()
                    .build()
                    .unwrap(),
            )
    })
    .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&harness.server)
        .await;
    harness
        .client
        .packages(Owner::org("acme"))
        .list(PackageType::Npm)
        .await
        .unwrap();

    let request = &harness.requests().await[0];
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(header("user-agent"), "retention-job/2.1");
    assert_eq!(header("x-github-api-version"), "2026-03-10");
    assert_eq!(header("accept"), "application/vnd.github+json");
    assert_eq!(header("authorization"), format!("Bearer {TOKEN}"));
}

#[tokio::test]
async fn an_explicit_api_root_is_used_as_given_and_a_trailing_slash_never_doubles() {
    let harness = Harness::new().await;
    let base = format!("{}/custom/root/", harness.server.uri());
    let client = github_packages::Client::builder()
        .token(TOKEN)
        .base_url(base)
        .build()
        .unwrap();
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&harness.server)
        .await;
    client
        .packages(Owner::AuthenticatedUser)
        .docker_conflicts()
        .await
        .unwrap();
    assert_eq!(
        harness.requests().await[0].url.path(),
        "/custom/root/user/docker/conflicts"
    );
}

#[tokio::test]
async fn the_rate_limit_state_of_the_last_answer_is_readable() {
    let harness = Harness::new().await;
    assert_eq!(harness.client.rate_limit(), None);
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([]))
                .insert_header("x-ratelimit-limit", "5000")
                .insert_header("x-ratelimit-remaining", "4321")
                .insert_header("x-ratelimit-used", "679")
                .insert_header("x-ratelimit-reset", "1900000000")
                .insert_header("x-ratelimit-resource", "core"),
        )
        .mount(&harness.server)
        .await;
    harness
        .client
        .packages(Owner::org("acme"))
        .list(PackageType::Npm)
        .await
        .unwrap();
    let state = harness.client.clone().rate_limit().expect("recorded");
    assert_eq!(
        (state.limit, state.remaining, state.used),
        (5000, 4321, Some(679))
    );
    assert_eq!(state.reset.timestamp(), 1_900_000_000);
    assert_eq!(state.resource.as_deref(), Some("core"));
}

/// Whether an encoded request path fits a path template: `{name}` stands
/// for one segment.
fn fits(template: &str, path: &str) -> bool {
    let (template, path): (Vec<&str>, Vec<&str>) =
        (template.split('/').collect(), path.split('/').collect());
    template.len() == path.len()
        && template
            .iter()
            .zip(&path)
            .all(|(t, p)| (t.starts_with('{') && !p.is_empty()) || t == p)
}

/// The client's per-scope dispatch against the one operation table
/// (`generated::OPERATIONS`): every row is reached by exactly one call, the
/// request fits the row's method and path, sends only its parameters, and
/// the client names the operation as the row does.
#[tokio::test]
async fn the_dispatch_covers_the_generated_operation_table_row_by_row() {
    let mut reached = std::collections::BTreeSet::new();
    for case in cases() {
        let harness = Harness::new().await;
        Mock::given(method(case.method))
            .respond_with(ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"})))
            .mount(&harness.server)
            .await;
        let error = (case.call)(harness.client.clone())
            .await
            .expect_err("every request answers 404");
        let requests = harness.requests().await;
        let request = &requests[0];
        let row = generated::OPERATIONS
            .iter()
            .find(|row| row.method == request.method.as_str() && fits(row.path, request.url.path()))
            .unwrap_or_else(|| panic!("no row fits {} {}", request.method, request.url.path()));
        assert_eq!(error.operation(), Some(row.id), "{}", row.path);
        for (name, _) in request.url.query_pairs() {
            assert!(
                row.parameters.contains(&name.as_ref()),
                "{}: {name}",
                row.id
            );
        }
        assert!(reached.insert(row.id), "{} reached twice", row.id);
    }
    let table: std::collections::BTreeSet<&str> =
        generated::OPERATIONS.iter().map(|row| row.id).collect();
    assert_eq!(reached, table);
    assert_eq!(table.len(), 27);
}
