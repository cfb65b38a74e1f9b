//! Caller mistakes are caught before anything is sent.

use github_packages::{Error, Owner, PackageType, Visibility};

use crate::support::Harness;

#[tokio::test]
async fn bad_arguments_never_reach_the_network() {
    let harness = Harness::new().await;
    let client = &harness.client;
    let org = client.packages(Owner::org("acme"));
    let image = org.package(PackageType::Container, "app");

    let mistakes: Vec<(&str, Result<(), Error>)> = vec![
        (
            "empty org",
            client
                .packages(Owner::org(""))
                .list(PackageType::Npm)
                .await
                .map(drop),
        ),
        (
            "empty user",
            client
                .packages(Owner::user(" "))
                .package(PackageType::Npm, "p")
                .get()
                .await
                .map(drop),
        ),
        (
            "empty package name",
            org.package(PackageType::Npm, "").delete().await,
        ),
        (
            "dot-dot package name",
            org.package(PackageType::Npm, "..").get().await.map(drop),
        ),
        (
            "backslash package name",
            org.package(PackageType::Npm, "a\\b").restore().await,
        ),
        (
            "per_page 0",
            org.list(PackageType::Npm).per_page(0).await.map(drop),
        ),
        (
            "per_page 101",
            image.versions().per_page(101).await.map(drop),
        ),
        ("page 0", image.versions().page(0).await.map(drop)),
        ("version id 0", image.version(0).delete().await),
        (
            "unknown package type",
            org.list(PackageType::Other("cargo".into())).await.map(drop),
        ),
        (
            "unknown visibility",
            org.list(PackageType::Npm)
                .visibility(Visibility::Other("secret".into()))
                .await
                .map(drop),
        ),
    ];
    for (what, result) in mistakes {
        let error = result.expect_err(what);
        assert!(
            matches!(error, Error::InvalidArgument { .. }),
            "{what}: {error:?}"
        );
        let message = error.to_string();
        assert!(
            message.starts_with("packages/"),
            "{what}: names the operation: {message}"
        );
        assert!(!message.contains('\n'), "{what}: one line: {message}");
    }
    assert!(
        harness.requests().await.is_empty(),
        "a request reached the server"
    );
}

#[tokio::test]
async fn error_messages_say_what_is_wrong() {
    let harness = Harness::new().await;
    let org = harness.client.packages(Owner::org("acme"));
    let error = org.list(PackageType::Npm).per_page(500).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "packages/list-packages-for-organization: per_page must be between 1 and 100, got 500"
    );
    let error = org
        .list(PackageType::Other("cargo".into()))
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "packages/list-packages-for-organization: unknown package type `cargo`; expected one of: \
         npm, maven, rubygems, docker, nuget, container; GitHub accepts only documented values"
    );
}
